/*
 * budget_bench: re-optimising 20 channels for a new daily total with the
 * curves already fitted (what the budget endpoint does per ?total=), and
 * fitting the curves themselves. Prints microseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "allocate.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	enum { CHANNELS = 20, RUNS = 20000, DAYS = 180 };
	struct response_curve curves[CHANNELS];
	struct alloc_channel ch[CHANNELS];
	unsigned seed = 12345;
	double sum_current = 0;
	for (int i = 0; i < CHANNELS; i++) {
		seed = seed * 1103515245 + 12345;
		double r = (seed >> 16 & 0x7fff) / 32768.0;
		if (i % 3 == 2)
			curves[i] = (struct response_curve){ .kind = CURVE_POWER, .a = 20 + 30 * r, .b = 0.4 + 0.5 * r };
		else
			curves[i] = (struct response_curve){ .kind = CURVE_HILL, .beta = 2000 + 4000 * r,
							     .k = 200 + 800 * r, .alpha = 0.5 + 0.5 * r };
		double current = 100 + 400 * r;
		ch[i] = (struct alloc_channel){ "c", &curves[i], current, 0.5 * current, 2 * current };
		sum_current += current;
	}
	double spend[CHANNELS], checksum = 0;
	struct allocation a;
	char err[256];
	double t0 = now();
	for (int run = 0; run < RUNS; run++) {
		double total = sum_current * (0.6 + 1.3 * (run % 100) / 100.0);
		if (allocate_max_response(ch, CHANNELS, total, spend, &a, err, sizeof err) == 0)
			checksum += a.total_revenue;
	}
	double us = (now() - t0) / RUNS * 1e6;
	printf("re-optimise %d channels for a new total: %.1f us (checksum %.6g)\n", CHANNELS, us, checksum);

	double s[DAYS], rev[DAYS];
	t0 = now();
	for (int i = 0; i < CHANNELS; i++) {
		for (int t = 0; t < DAYS; t++) {
			seed = seed * 1103515245 + 12345;
			s[t] = ch[i].current * (0.5 + (seed >> 16 & 0x7fff) / 32768.0);
			rev[t] = curve_value(&curves[i], s[t]) * (0.95 + 0.1 * ((seed >> 8) & 0xff) / 256.0);
		}
		struct response_curve fit;
		curve_fit(s, rev, DAYS, 1, &fit);
	}
	printf("fit a curve with adstock from %d days: %.0f us per channel\n", DAYS,
	       (now() - t0) / CHANNELS * 1e6);
	return 0;
}
