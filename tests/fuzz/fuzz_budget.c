/*
 * Fuzzes the budget entry points (models/plan.h): plan_build (a response
 * curve fitted per channel, bounds, then the allocation), plan_reallocate
 * and plan_curve_points, as `mldash budget` and the ML sync call them.
 *
 * Input: a flags byte (bits 0-1 channels - 1, bits 2-3 the mode, bit 4
 * adstock, bit 5 raw doubles), the days per channel (up to 120), then the
 * numbers: the total, the target, the two ratios, and per channel its
 * current spend, lower and upper bound and a byte of frozen/opted-in flags,
 * then the spend and revenue series. Numbers are 8-byte doubles in raw mode
 * (NaN, Inf and 1e308 included), else one byte each (0xff NaN, 0xfe +Inf,
 * else a small amount). Missing bytes read as zero.
 *
 * Checks: a refusal says why; from byte inputs, a success recommends finite
 * spends (NaN and infinite inputs are refused or handled, never passed on).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define MAX_CHANNELS 4
#define MAX_DAYS 120

struct reader {
	const uint8_t *data;
	size_t size;
	int raw;
};

static uint8_t next_byte(struct reader *r)
{
	if (r->size == 0)
		return 0;
	r->size--;
	return *r->data++;
}

/* scale: what one byte step is worth in byte mode; offset shifts it. */
static double next_number(struct reader *r, double scale, double offset)
{
	if (r->raw) {
		uint8_t b[8];
		for (int i = 0; i < 8; i++)
			b[i] = next_byte(r);
		double v;
		memcpy(&v, b, sizeof v);
		return v;
	}
	uint8_t b = next_byte(r);
	return b == 0xff ? NAN : b == 0xfe ? INFINITY : b * scale + offset;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int flags = data[0];
	int n = 1 + (flags & 3);
	size_t days = data[1] % (MAX_DAYS + 1);
	struct reader r = { data + 2, size - 2, (flags >> 5) & 1 };

	struct plan_options opt;
	plan_options_default(&opt);
	opt.mode = (enum plan_mode)(((flags >> 2) & 3) % 3);
	opt.adstock = (flags >> 4) & 1;
	opt.total = next_number(&r, 10, -10);
	opt.target = next_number(&r, 1 / 64.0, -1);
	opt.lower_ratio = next_number(&r, 1 / 64.0, 0);
	opt.upper_ratio = next_number(&r, 1 / 32.0, 0);

	static double spend[MAX_CHANNELS][MAX_DAYS], revenue[MAX_CHANNELS][MAX_DAYS];
	struct plan_input in[MAX_CHANNELS];
	static const char *const names[MAX_CHANNELS] = { "search", "social", "display", "video" };
	for (int i = 0; i < n; i++) {
		in[i] = (struct plan_input){ .name = names[i], .spend = spend[i],
					     .revenue = revenue[i], .days = days };
		in[i].current = next_number(&r, 4, 0);
		in[i].lower = next_number(&r, 4, -4);
		in[i].upper = next_number(&r, 8, -8);
		uint8_t f = next_byte(&r);
		in[i].frozen = f & 1;
		in[i].opted_in = (f >> 1) & 1;
	}
	for (int i = 0; i < n; i++)
		for (size_t t = 0; t < days; t++) {
			spend[i][t] = next_number(&r, 4, 0);
			revenue[i][t] = next_number(&r, 12, 0);
		}

	struct plan plan;
	int rc = plan_build(in, n, &opt, &plan);
	if (plan.n != n || strnlen(plan.error, sizeof plan.error) == sizeof plan.error ||
	    (rc != 0 && plan.error[0] == '\0'))
		abort();
	/* A success is a split in amounts. (Raw doubles near DBL_MAX may
	 * overflow on their own: the byte inputs are small.) */
	for (int i = 0; rc == 0 && !r.raw && i < n; i++)
		if (!isfinite(plan.channels[i].recommended))
			abort();
	(void)plan_reallocate(&plan, next_number(&r, 10, 0));
	double points_spend[16], points_revenue[16], points_low[16], points_high[16];
	for (int i = 0; i < plan.n; i++)
		plan_curve_points(&plan.channels[i], 16, next_number(&r, 10, 0), points_spend,
				  points_revenue, points_low, points_high);
	plan_free(&plan);
	return 0;
}
