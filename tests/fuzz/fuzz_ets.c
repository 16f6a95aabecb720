/*
 * Fuzzes the forecasting entry points (models/ets.h, theta.h, forecast.h):
 * ets_fit, then ets_forecast, ets_fitted and (sometimes) ets_backtest, both
 * Theta methods and the combined forecast_series, as the CLI and the ML
 * sync call them.
 *
 * Input: a flags byte (bit 0 nonnegative, bit 1 values are raw doubles
 * rather than bytes, bit 2 backtest, bits 3-4 force_trend, bits 5-6
 * force_seasonal, 3 meaning any; bit 7 multiplicative errors only), the
 * period byte, the horizon byte, a byte
 * with the number of levels (0-3) followed by one byte per level (level =
 * byte / 256), then the series: 8-byte doubles (so NaN, Inf, denormals and
 * 1e308 all occur) or bytes (0xff NaN, 0xfe +Inf, 0xfd -Inf, else the value).
 * At most 400 points, so that each run stays fast.
 *
 * Checks: a byte series (finite, small) that fits gives finite forecasts,
 * lower <= upper, lower >= 0 when nonnegative and else lower <= mean <=
 * upper (ETS), finite forecasts and spreads (Theta), finite forecasts and
 * lower <= upper (the combination); a level outside (0, 1) is refused.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ets.h"
#include "forecast.h"
#include "theta.h"

#define MAX_POINTS 400
#define MAX_LEVELS 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double byte_value(uint8_t b)
{
	return b == 0xff ? NAN : b == 0xfe ? INFINITY : b == 0xfd ? -INFINITY : (double)b;
}

static void check_theta(const double *y, size_t n, int period, int horizon, int tame)
{
	static const enum theta_method methods[] = { THETA_STANDARD, THETA_OPTIMISED };
	static double mean[256], sd[256];
	for (int i = 0; i < 2; i++) {
		enum ets_status status;
		struct theta_fit *theta = theta_fit(y, n, period, methods[i], &status);
		if (theta == NULL) {
			if (status == ETS_OK)
				abort();
			continue;
		}
		theta_forecast(theta, horizon, mean, sd);
		for (int h = 0; h < horizon && tame; h++)
			if (!isfinite(mean[h]) || !(sd[h] >= 0))
				abort();
		theta_free(theta);
	}
}

/* The combination as the sync runs it (the ETS options' period and
 * sign); tame: a finite byte series, whose answers must be numbers. */
static void check_theta_and_combined(const double *y, size_t n, const struct ets_options *eo,
				     int horizon, const double *levels, int nlevels, int tame)
{
	check_theta(y, n, eo->period, horizon, tame);
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.period = eo->period;
	opt.nonnegative = eo->nonnegative;
	static double mean[256], lower[MAX_LEVELS * 256], upper[MAX_LEVELS * 256];
	struct forecast_info info;
	enum ets_status status;
	if (forecast_series(y, n, &opt, horizon, levels, nlevels, mean, lower, upper, &info,
			    &status) != 0 || !tame)
		return;
	for (int h = 0; h < horizon; h++) {
		if (!isfinite(mean[h]) || (opt.nonnegative && mean[h] < 0))
			abort();
		for (int i = 0; i < nlevels; i++) {
			double lo = lower[i * horizon + h], hi = upper[i * horizon + h];
			if (!isfinite(lo) || !isfinite(hi) || lo > hi + 1e-9 * (1 + fabs(mean[h])))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	int flags = data[0];
	struct ets_options opt;
	ets_options_default(&opt);
	opt.nonnegative = flags & 1;
	int raw = (flags >> 1) & 1, backtest = (flags >> 2) & 1;
	opt.force_trend = (flags >> 3) & 3;
	opt.force_seasonal = (flags >> 5) & 3;
	if (opt.force_trend == 3)
		opt.force_trend = -1;
	if (opt.force_seasonal == 3)
		opt.force_seasonal = -1;
	opt.force_error = (flags >> 7) & 1 ? 1 : -1;
	opt.period = data[1];
	int horizon = 1 + data[2];
	int nlevels = data[3] % (MAX_LEVELS + 1);
	data += 4;
	size -= 4;
	if (size < (size_t)nlevels)
		return 0;
	double levels[MAX_LEVELS];
	int levels_ok = 1;
	for (int i = 0; i < nlevels; i++) {
		levels[i] = data[i] / 256.0;
		levels_ok &= levels[i] > 0;
	}
	data += nlevels;
	size -= (size_t)nlevels;

	static double y[MAX_POINTS];
	size_t n = raw ? size / sizeof(double) : size;
	if (n > MAX_POINTS)
		n = MAX_POINTS;
	int finite = 1;
	for (size_t t = 0; t < n; t++) {
		if (raw)
			memcpy(&y[t], data + t * sizeof(double), sizeof(double));
		else
			y[t] = byte_value(data[t]);
		finite &= isfinite(y[t]) != 0;
	}

	enum ets_status status;
	struct ets_fit *fit = ets_fit(y, n, &opt, &status);
	if (fit == NULL) {
		if (status == ETS_OK)
			abort();
		/* Theta may fit where ETS cannot (two to four values). */
		if (backtest)
			check_theta_and_combined(y, n, &opt, horizon, levels, nlevels, !raw && finite);
		return 0;
	}
	struct ets_summary sum;
	ets_summary(fit, &sum);

	static double mean[256], lower[MAX_LEVELS * 256], upper[MAX_LEVELS * 256];
	static double fitted[MAX_POINTS];
	int rc = ets_forecast(fit, horizon, levels, nlevels, mean, lower, upper);
	if (rc != (levels_ok ? 0 : -1))
		abort();
	if (rc == 0 && !raw && finite) {
		for (int h = 0; h < horizon; h++) {
			if (!isfinite(mean[h]) || (opt.nonnegative && mean[h] < 0))
				abort();
			for (int i = 0; i < nlevels; i++) {
				double lo = lower[i * horizon + h], hi = upper[i * horizon + h];
				double slack = 1e-9 * (1 + fabs(mean[h]));
				if (!isfinite(lo) || !isfinite(hi) || lo > hi + slack)
					abort();
				/* Truncated at zero the law is skewed: its mean may lie
				 * outside a narrow central interval. Untruncated it may not. */
				if (opt.nonnegative ? lo < 0 : lo > mean[h] + slack || hi < mean[h] - slack)
					abort();
			}
		}
	}
	ets_fitted(fit, y, n, fitted);
	if (backtest) {
		struct ets_backtest bt;
		(void)ets_backtest(y, n, &opt, fit, horizon < 28 ? horizon : 28, 4, 7, &bt);
	}
	ets_seasonal_naive(y, n, opt.period, horizon, mean);
	ets_free(fit);
	if (backtest)
		check_theta_and_combined(y, n, &opt, horizon, levels, nlevels, !raw && finite);
	return 0;
}
