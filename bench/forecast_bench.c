/*
 * forecast_bench: fit, select and forecast 730-day daily series, the
 * backtest, and the combined method the ML sync uses (models/forecast:
 * ETS, Theta and seasonal naive, their backtest, weights and calibrated
 * bands); prints microseconds per series. Synthetic series with trend,
 * weekly season and noise, as the ML sync meets them.
 *
 *   build/bench/forecast_bench [SERIES]   (default 200)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ets.h"
#include "forecast.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static double uniform(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return ((double)(state >> 11) + 0.5) / 9007199254740992.0;
}

enum { N = 730, H = 30 };

/* Microseconds per series of the combined method (models/forecast). */
static double combined_time(const double *y, int series, const struct forecast_options *opt)
{
	const double levels[2] = { 0.8, 0.95 };
	double mean[H], lo[2 * H], hi[2 * H];
	double t0 = now();
	for (int s = 0; s < series; s++) {
		struct forecast_info info;
		enum ets_status st;
		if (forecast_series(y + s * N, N, opt, H, levels, 2, mean, lo, hi, &info, &st) != 0)
			exit(1);
	}
	return (now() - t0) / series * 1e6;
}

int main(int argc, char **argv)
{
	int series = argc > 1 ? atoi(argv[1]) : 200;
	if (series < 1)
		series = 200;
	double *y = malloc(sizeof(double) * N * (size_t)series);
	for (int s = 0; s < series; s++) {
		double level = 100 + 50 * uniform(), slope = (uniform() - 0.5) * 0.2;
		double amp = 20 * uniform(), noise = 2 + 8 * uniform();
		for (int t = 0; t < N; t++) {
			double e = noise * sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
			y[s * N + t] = level + slope * t + amp * sin(2 * M_PI * t / 7) + e;
			level += 0.1 * e;
		}
	}
	struct ets_options opt;
	ets_options_default(&opt);
	const double levels[2] = { 0.8, 0.95 };
	double mean[H], lo[2 * H], hi[2 * H];
	/* How often each form was chosen (at most the fifteen). */
	char form_names[15][8];
	int forms[15] = { 0 }, n_forms = 0;

	double t0 = now();
	for (int s = 0; s < series; s++) {
		enum ets_status st;
		struct ets_fit *fit = ets_fit(y + s * N, N, &opt, &st);
		if (fit == NULL)
			return 1;
		ets_forecast(fit, H, levels, 2, mean, lo, hi);
		struct ets_summary sum;
		ets_summary(fit, &sum);
		int f = 0;
		while (f < n_forms && strcmp(form_names[f], sum.model) != 0)
			f++;
		if (f == n_forms && n_forms < 15)
			snprintf(form_names[n_forms++], sizeof form_names[0], "%s", sum.model);
		if (f < n_forms)
			forms[f]++;
		ets_free(fit);
	}
	double fit_us = (now() - t0) / series * 1e6;

	t0 = now();
	for (int s = 0; s < series; s++) {
		enum ets_status st;
		struct ets_fit *fit = ets_fit(y + s * N, N, &opt, &st);
		struct ets_backtest bt;
		ets_backtest(y + s * N, N, &opt, fit, 14, 4, 7, &bt);
		ets_free(fit);
	}
	double bt_us = (now() - t0) / series * 1e6;

	struct forecast_options fopt;
	forecast_options_default(&fopt);
	fopt.nonnegative = 1;
	double combined_us = combined_time(y, series, &fopt);
	fopt.first_day = 19723; /* 2024-01-01: dated, so the calendar's events count */
	double dated_us = combined_time(y, series, &fopt);
	/* The same series with a day in a hundred missing (a tracking gap):
	 * the seasonal least squares' shortcut for series without gaps no
	 * longer applies. */
	fopt.first_day = -1;
	for (int s = 0; s < series; s++)
		for (int t = 0; t < N; t++)
			if (uniform() < 0.01)
				y[s * N + t] = NAN;
	double gaps_us = combined_time(y, series, &fopt);

	printf("%d series of %d days, horizon %d\n", series, N, H);
	printf("fit every admissible form (all 15: the series are positive), select by AICc, "
	       "forecast with 80/95%% intervals: %.0f us per series\n",
	       fit_us);
	printf("the same plus a 4-origin, 14-day backtest of the chosen form:      %.0f us per series\n",
	       bt_us);
	printf("combined (ETS, Theta, seasonal naive; 4-origin backtest, weights, bands): %.0f us per series\n",
	       combined_us);
	printf("the same with dates (event days imputed, their effects applied):          %.0f us per series\n",
	       dated_us);
	printf("the same without dates, 1%% of days missing:                               %.0f us per series\n",
	       gaps_us);
	printf("chosen forms:");
	for (int f = 0; f < n_forms; f++)
		printf("%s %s %d", f ? "," : "", form_names[f], forms[f]);
	printf("\n");
	free(y);
	return 0;
}
