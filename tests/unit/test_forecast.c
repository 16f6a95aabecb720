/* Unit tests of models/theta.c and models/forecast.c: Theta's season test
 * and drift, the stopped-channel rule, the combination's weights, and the
 * coverage of the combined bands on simulated series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "forecast.h"
#include "theta.h"
#include "xorshift.h"


#define N 364

/* Theta takes a weekly pattern out only when it is there: multiplicatively
 * for a positive series, additively with zeros, not at all for noise. */
static void test_theta_season_test(void **state)
{
	(void)state;
	static const double week[7] = { 0.6, 0.9, 1.0, 1.1, 1.2, 1.5, 0.7 };
	double y[N], alpha, drift;
	int seasonal;
	enum ets_status st;
	for (int t = 0; t < N; t++)
		y[t] = 100 * week[t % 7] * (1 + 0.05 * gaussian());
	struct theta_fit *f = theta_fit(y, N, 7, THETA_STANDARD, &st);
	assert_non_null(f);
	theta_describe(f, &alpha, &drift, &seasonal);
	assert_int_equal(seasonal, 1);
	double mean[14];
	theta_forecast(f, 14, mean, NULL);
	/* The pattern comes back in the forecasts: Saturday above Monday. */
	assert_true(mean[(5 - N % 7 + 7) % 7] > 1.8 * mean[(0 - N % 7 + 7) % 7]);
	theta_free(f);

	for (int t = 0; t < N; t++)
		y[t] = t % 7 == 6 ? 0 : 50 * week[t % 7] + 3 * gaussian();
	f = theta_fit(y, N, 7, THETA_STANDARD, &st);
	theta_describe(f, &alpha, &drift, &seasonal);
	assert_int_equal(seasonal, 2);
	theta_free(f);

	for (int t = 0; t < N; t++)
		y[t] = 100 + 10 * gaussian();
	f = theta_fit(y, N, 7, THETA_STANDARD, &st);
	theta_describe(f, &alpha, &drift, &seasonal);
	assert_int_equal(seasonal, 0);
	theta_free(f);
}

/* On a straight line with noise the standard method's drift is half the
 * slope (Hyndman and Billah 2003); the optimised one keeps all of the
 * line (theta large), its first forecast on the line, not a level behind.
 * Both forecasts grow by the drift each period, their spread with them. */
static void test_theta_drift(void **state)
{
	(void)state;
	double y[N], alpha, drift, mean[10], sd[10];
	int seasonal;
	enum ets_status st;
	for (int t = 0; t < N; t++)
		y[t] = 200 + 0.8 * t + 4 * gaussian();
	static const enum theta_method methods[] = { THETA_STANDARD, THETA_OPTIMISED };
	static const double expected[] = { 0.4, 0.8 };
	for (int i = 0; i < 2; i++) {
		struct theta_fit *f = theta_fit(y, N, 1, methods[i], &st);
		assert_non_null(f);
		theta_describe(f, &alpha, &drift, &seasonal);
		assert_true(fabs(drift - expected[i]) < 0.02);
		theta_forecast(f, 10, mean, sd);
		assert_true(sd[0] > 0);
		for (int h = 1; h < 10; h++) {
			assert_true(fabs(mean[h] - mean[h - 1] - drift) < 1e-9);
			assert_true(isfinite(sd[h]) && sd[h] >= sd[h - 1]);
		}
		if (methods[i] == THETA_OPTIMISED)
			assert_true(fabs(mean[0] - (200 + 0.8 * N)) < 4);
		theta_free(f);
	}
}

/* The optimised method at a level of 1e11 with a noise of 10: fitted on
 * the series centred and scaled, it forecasts as at a level of 1e3 (its
 * sums of squares in closed form would lose the noise to the level). */
static void test_theta_optimised_high_level(void **state)
{
	(void)state;
	double low[N], high[N], mean_low[1], mean_high[1], sd_low[1], sd_high[1];
	for (int t = 0; t < N; t++) {
		double noise = 10 * gaussian();
		low[t] = 1e3 + 100 * t + noise;
		high[t] = 1e11 + 100 * t + noise;
	}
	enum ets_status st;
	struct theta_fit *f = theta_fit(low, N, 1, THETA_OPTIMISED, &st);
	struct theta_fit *g = theta_fit(high, N, 1, THETA_OPTIMISED, &st);
	assert_non_null(f);
	assert_non_null(g);
	theta_forecast(f, 1, mean_low, sd_low);
	theta_forecast(g, 1, mean_high, sd_high);
	assert_true(fabs((mean_high[0] - 1e11) - (mean_low[0] - 1e3)) < 1);
	assert_true(fabs(sd_high[0] - sd_low[0]) < 0.01 * sd_low[0]);
	theta_free(f);
	theta_free(g);
}

/* The optimised method on a level with noise keeps next to none of its
 * flat line, skips a missing value, and needs two observed values. */
static void test_theta_optimised_level(void **state)
{
	(void)state;
	double y[N], alpha, drift, mean[5];
	int seasonal;
	enum ets_status st;
	for (int t = 0; t < N; t++)
		y[t] = t == N / 2 ? NAN : 100 + 10 * gaussian();
	struct theta_fit *f = theta_fit(y, N, 1, THETA_OPTIMISED, &st);
	assert_non_null(f);
	assert_int_equal(st, ETS_OK);
	theta_describe(f, &alpha, &drift, &seasonal);
	assert_true(fabs(drift) < 0.05);
	theta_forecast(f, 5, mean, NULL);
	for (int h = 0; h < 5; h++)
		assert_true(fabs(mean[h] - 100) < 5);
	theta_free(f);

	double one[3] = { NAN, 5, NAN };
	assert_null(theta_fit(one, 3, 1, THETA_OPTIMISED, &st));
	assert_int_equal(st, ETS_TOO_SHORT);
}

/* The optimised method's in-sample sum of squares, from Fiorucci et al.'s
 * closed form (2016, eq. 5) rather than the fit's recursion, at alpha and
 * w = 1 - 1/theta, with the best initial level (least squares). */
static double otm_sse(const double *y, int n, double alpha, double w, double a, double b)
{
	double sgg = 0, sgr = 0, srr = 0, c = 0;
	for (int t = 1; t <= n; t++) {
		double g = pow(1 - alpha, t - 1);
		double mu = c + w * (g * a + (1 - pow(1 - alpha, t)) / alpha * b);
		double r = y[t - 1] - mu; /* less g l_0 */
		sgg += g * g, sgr += g * r, srr += r * r;
		c = alpha * y[t - 1] + (1 - alpha) * c;
	}
	return srr - sgr * sgr / sgg;
}

/* The optimised fit's sum of squares is no worse than the best of a fine
 * grid of alpha and theta on a curving series with noise. */
static void test_theta_optimised_against_grid(void **state)
{
	(void)state;
	enum { LEN = 80 };
	double y[LEN], st_ = 0, sy = 0, stt = 0, sty = 0;
	for (int t = 0; t < LEN; t++) {
		y[t] = 50 + 0.6 * t + 0.004 * t * t + 2 * gaussian();
		double x = t + 1;
		st_ += x, sy += y[t], stt += x * x, sty += x * y[t];
	}
	double b = (LEN * sty - st_ * sy) / (LEN * stt - st_ * st_), a = (sy - b * st_) / LEN;
	double best = INFINITY;
	for (int i = 1; i <= 400; i++)
		for (int j = 0; j <= 200; j++)
			best = fmin(best, otm_sse(y, LEN, i / 400.0, j / 200.0, a, b));
	enum ets_status st;
	struct theta_fit *f = theta_fit(y, LEN, 1, THETA_OPTIMISED, &st);
	assert_non_null(f);
	double mean[1], sd[1];
	theta_forecast(f, 1, mean, sd);
	double fitted = sd[0] * sd[0] * (LEN - 3); /* sigma^2 is the SSE over n - 3 */
	assert_true(fitted <= best * (1 + 1e-6));
	assert_true(fitted >= best * 0.97); /* the same model: not far below its grid */
	theta_free(f);
}

/* A channel whose last week is all zero forecasts zero, bands included. */
static void test_stopped_channel(void **state)
{
	(void)state;
	double y[N], mean[14], lo[28], hi[28];
	const double levels[2] = { 0.80, 0.95 };
	for (int t = 0; t < N; t++)
		y[t] = t < N - 7 ? 500 + 50 * gaussian() : 0;
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.nonnegative = 1;
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, N, &opt, 14, levels, 2, mean, lo, hi, &info, &st), 0);
	for (int h = 0; h < 14; h++)
		assert_true(mean[h] == 0 && lo[h] == 0 && hi[14 + h] == 0);
	assert_string_equal(info.method, "zero: stopped");
	/* Six zero days are not a stop. */
	y[N - 7] = 3;
	assert_int_equal(forecast_series(y, N, &opt, 14, levels, 2, mean, lo, hi, &info, &st), 0);
	assert_true(strcmp(info.method, "zero: stopped") != 0);
}

/* Weights sum to one; a method whose backtest is perfect gets the most,
 * and one more than twice as bad as the best gets none. */
static void test_combination_weights(void **state)
{
	(void)state;
	static const double week[7] = { 10, 40, 45, 50, 42, 90, 15 };
	double y[N], mean[14], lo[14], hi[14];
	const double level = 0.8;
	for (int t = 0; t < N; t++)
		y[t] = week[t % 7]; /* the same week again and again */
	struct forecast_options opt;
	forecast_options_default(&opt);
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, N, &opt, 14, &level, 1, mean, lo, hi, &info, &st), 0);
	double sum = 0;
	for (int m = 0; m < FORECAST_METHOD__MAX; m++) {
		assert_true(info.weight[m] >= 0);
		sum += info.weight[m];
	}
	assert_true(fabs(sum - 1) < 1e-9);
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		assert_true(info.weight[FORECAST_NAIVE] >= info.weight[m]);
	for (int h = 0; h < 14; h++)
		assert_true(fabs(mean[h] - week[(N + h) % 7]) < 0.05 * week[(N + h) % 7]);

	/* A random walk: seasonal naive (a week behind) is far worse than
	 * methods that follow the level. */
	double v = 1000;
	for (int t = 0; t < N; t++)
		y[t] = v += 20 * gaussian();
	assert_int_equal(forecast_series(y, N, &opt, 14, &level, 1, mean, lo, hi, &info, &st), 0);
	assert_true(info.weight[FORECAST_ETS] > info.weight[FORECAST_NAIVE]);
	assert_true(info.have_backtest && info.backtest.origins == 4);
}

/* Seasonal naive is a member for daily series only: on a monthly season
 * and on a random walk of years, where its backtest is close to the best
 * and would have earned it a weight, it gets none; Theta is the
 * optimised one there, and `method` says so. */
static void test_members_by_period(void **state)
{
	(void)state;
	double y[N], mean[12], lo[12], hi[12];
	const double level = 0.8;
	struct forecast_options opt;
	forecast_options_default(&opt);
	struct forecast_info info;
	enum ets_status st;
	static const int periods[] = { 12, 1 };
	for (int i = 0; i < 2; i++) {
		opt.period = periods[i];
		double v = 1000;
		for (int t = 0; t < N; t++)
			y[t] = opt.period == 12 ? 500 + 200 * sin(acos(-1.0) * (t % 12) / 6) +
							  10 * gaussian()
						: (v += 20 * gaussian());
		assert_int_equal(forecast_series(y, N, &opt, 12, &level, 1, mean, lo, hi, &info, &st), 0);
		assert_true(info.have_backtest);
		assert_true(info.backtest.naive_mase < 2 * info.backtest.mase);
		assert_true(info.weight[FORECAST_NAIVE] == 0);
		assert_true(fabs(info.weight[FORECAST_ETS] + info.weight[FORECAST_THETA] - 1) < 1e-9);
		assert_true(info.weight[FORECAST_THETA] > 0);
		assert_non_null(strstr(info.method, "|OTM ."));
		assert_null(strstr(info.method, "SNaive"));
	}
	/* Days in weeks: the standard Theta, seasonal naive a member; a period
	 * of 7 that is not days (opt.daily 0): the longer steps' members. */
	opt.period = 7;
	for (int t = 0; t < N; t++)
		y[t] = 500 + 200 * sin(acos(-1.0) * (t % 7) / 3.5) + 10 * gaussian();
	assert_int_equal(forecast_series(y, N, &opt, 12, &level, 1, mean, lo, hi, &info, &st), 0);
	assert_true(info.weight[FORECAST_THETA] > 0 && info.weight[FORECAST_NAIVE] > 0);
	assert_non_null(strstr(info.method, "|Theta ."));
	opt.daily = 0;
	assert_int_equal(forecast_series(y, N, &opt, 12, &level, 1, mean, lo, hi, &info, &st), 0);
	assert_true(info.weight[FORECAST_NAIVE] == 0);
	assert_non_null(strstr(info.method, "|OTM ."));
}

/*
 * Coverage of the combined bands on simulated series of three kinds (local
 * level, damped-trend-like drift, level with a weekly season), each
 * forecast 14 days ahead: the 80% and 95% bands must hold about that share
 * of what followed.
 */
static void test_band_coverage(void **state)
{
	(void)state;
	enum { SERIES = 60, H = 14, LEN = N + H, KINDS = 4, LEVELS = 3 };
	static const double week[7] = { -30, 5, 10, 15, 12, 40, -52 };
	const double levels[LEVELS] = { 0.50, 0.80, 0.95 };
	int inside[LEVELS] = { 0 }, total = 0;
	for (int kind = 0; kind < KINDS; kind++) {
		for (int s = 0; s < SERIES; s++) {
			/* Local level; damped drift; weekly season; a growing level
			 * with a season and noise that scale with it (multiplicative). */
			double y[LEN], level = 500, slope = kind == 1 ? 2 : kind == 3 ? 1 : 0;
			for (int t = 0; t < LEN; t++) {
				if (kind == 3) {
					double e = 0.04 * gaussian();
					y[t] = (level + slope) * (1 + week[t % 7] / 200) * (1 + e);
					level = (level + slope) * (1 + 0.2 * e);
					continue;
				}
				level += slope + 8 * gaussian();
				slope *= 0.98;
				y[t] = level + (kind == 2 ? week[t % 7] : 0) + 15 * gaussian();
			}
			struct forecast_options opt;
			forecast_options_default(&opt);
			struct forecast_info info;
			enum ets_status st;
			double mean[H], lo[LEVELS * H], hi[LEVELS * H];
			assert_int_equal(forecast_series(y, N, &opt, H, levels, LEVELS, mean, lo, hi, &info,
							 &st), 0);
			for (int h = 0; h < H; h++) {
				for (int i = 0; i < LEVELS; i++)
					inside[i] += lo[i * H + h] <= y[N + h] && y[N + h] <= hi[i * H + h];
				total++;
			}
		}
	}
	double c50 = (double)inside[0] / total, c80 = (double)inside[1] / total;
	double c95 = (double)inside[2] / total;
	print_message("coverage over %d points: 50%% band %.3f, 80%% band %.3f, 95%% band %.3f\n",
		      total, c50, c80, c95);
	/* Issue #14's lower ends for 80% and 95%. The bands are the wider of
	 * the model's and the backtest's, so where the model is right (as
	 * here) they err a little wide: measured 56.9%, 84.0% and 97.0%. */
	assert_true(c50 >= 0.47 && c50 <= 0.60);
	assert_true(c80 >= 0.77 && c80 <= 0.86);
	assert_true(c95 >= 0.93 && c95 <= 0.98);
}

/* Days since 1970-01-01 of a civil date (days_from_civil, Hinnant). */
static long day_number(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The calendar's dates in two years. */
static void test_event_dates(void **state)
{
	(void)state;
	assert_int_equal(event_on(day_number(2024, 11, 29)), EVENT_BLACK_FRIDAY);
	assert_int_equal(event_on(day_number(2024, 12, 2)), EVENT_CYBER_MONDAY);
	assert_int_equal(event_on(day_number(2025, 11, 28)), EVENT_BLACK_FRIDAY);
	assert_int_equal(event_on(day_number(2025, 12, 1)), EVENT_CYBER_MONDAY);
	assert_int_equal(event_on(day_number(2025, 5, 11)), EVENT_MOTHERS_DAY);
	assert_int_equal(event_on(day_number(2025, 12, 25)), EVENT_CHRISTMAS);
	assert_int_equal(event_on(day_number(2026, 1, 1)), EVENT_NEW_YEAR);
	assert_int_equal(event_on(day_number(2025, 11, 21)), -1);
	assert_int_equal(event_on(day_number(2025, 5, 4)), -1);
}

/*
 * A retailer whose Black Friday sells three times a normal day: with a
 * year of history that holds one, the next Black Friday is forecast well
 * above its neighbours; with history that holds none, no effect is
 * invented; and the event day does not drag the level it was left out of.
 */
static void test_event_effect(void **state)
{
	(void)state;
	enum { DAYS = 420, H = 28 };
	long bf = day_number(2025, 11, 28);
	double y[DAYS], mean[H], lo[H], hi[H];
	const double level = 0.8;
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.nonnegative = 1;
	/* History up to 14 days before the next Black Friday. */
	long start = bf - 14 - DAYS;
	for (int t = 0; t < DAYS; t++) {
		long day = start + t;
		y[t] = 1000 * (1 + 0.03 * gaussian()) * (event_on(day) == EVENT_BLACK_FRIDAY ? 3 : 1);
	}
	opt.first_day = start; /* 2024-09-25: Black Friday 2024 is in the history */
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, DAYS, &opt, H, &level, 1, mean, lo, hi, &info, &st), 0);
	int h_bf = (int)(bf - (start + DAYS));
	assert_true(h_bf >= 0 && h_bf < H);
	print_message("Black Friday forecast %.0f, the day before %.0f (%d event days, %s)\n", mean[h_bf],
		      mean[h_bf - 1], info.event_days, info.method);
	assert_true(mean[h_bf] > 2.5 * mean[h_bf - 1]);
	assert_true(lo[h_bf] > 2 * lo[h_bf - 1]);
	assert_true(info.event_days >= 1);
	/* The level is that of ordinary days, not pulled up by last year's. */
	assert_true(fabs(mean[h_bf - 1] - 1000) < 60);

	/* The same series without a Black Friday in its history: none invented. */
	long late = bf - 14 - 300;
	opt.first_day = late;
	for (int t = 0; t < 300; t++)
		y[t] = 1000 * (1 + 0.03 * gaussian());
	assert_int_equal(forecast_series(y, 300, &opt, H, &level, 1, mean, lo, hi, &info, &st), 0);
	assert_true(mean[h_bf] < 1.2 * mean[h_bf - 1]);

	/* Without dates, no events at all. */
	opt.first_day = -1;
	assert_int_equal(forecast_series(y, 300, &opt, H, &level, 1, mean, lo, hi, &info, &st), 0);
	assert_int_equal(info.event_days, 0);
}

/*
 * A budget raised on Black Friday and kept: 1,000 a day before Black
 * Friday 2024, 2,000 from it on, with no spike of its own. The step is
 * not an event: next Black Friday is forecast at the day before's level
 * (measured against the mean of the weeks either side, its effect was
 * 2,000 / 1,500, and it was forecast a third above its neighbours).
 */
static void test_event_step_is_no_effect(void **state)
{
	(void)state;
	enum { DAYS = 420, H = 28 };
	long bf = day_number(2025, 11, 28), bf_before = day_number(2024, 11, 29);
	double y[DAYS], mean[H], lo[H], hi[H];
	const double level = 0.8;
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.nonnegative = 1;
	long start = bf - 14 - DAYS;
	for (int t = 0; t < DAYS; t++)
		y[t] = (start + t < bf_before ? 1000 : 2000) * (1 + 0.03 * gaussian());
	opt.first_day = start;
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, DAYS, &opt, H, &level, 1, mean, lo, hi, &info, &st), 0);
	int h_bf = (int)(bf - (start + DAYS));
	print_message("Black Friday forecast %.0f, the day before %.0f\n", mean[h_bf], mean[h_bf - 1]);
	assert_true(fabs(mean[h_bf] / mean[h_bf - 1] - 1) < 0.1);
	assert_true(fabs(mean[h_bf - 1] - 2000) < 120);
}

/* A one-day outlier (a tracking glitch twenty times the day's value) in
 * the history does not drag the level: the forecasts stay within 2% of
 * those of the same series without it. */
static void test_outlier(void **state)
{
	(void)state;
	static const double week[7] = { 0.8, 1.0, 1.05, 1.1, 1.0, 1.3, 0.75 };
	double y[N], spiked[N], a[14], b[14], lo[14], hi[14];
	const double level = 0.8;
	for (int t = 0; t < N; t++)
		y[t] = spiked[t] = 1000 * week[t % 7] * (1 + 0.04 * gaussian());
	spiked[N - 20] *= 20;
	struct forecast_options opt;
	forecast_options_default(&opt);
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, N, &opt, 14, &level, 1, a, lo, hi, &info, &st), 0);
	assert_int_equal(forecast_series(spiked, N, &opt, 14, &level, 1, b, lo, hi, &info, &st), 0);
	for (int h = 0; h < 14; h++)
		assert_true(fabs(b[h] - a[h]) < 0.02 * a[h]);
}

/*
 * A budget change: 43 weeks around 1,000 a day with a flat week, then six
 * at 2,500 with the weekend carrying more (a new budget, a new mix). The
 * methods are fitted from the break (the forecasts within 1% of those of
 * the new weeks alone, near the new level), and a series without the
 * change keeps its whole history.
 */
static void test_level_shift(void **state)
{
	(void)state;
	enum { BEFORE = 301, AFTER = 42, LEN = BEFORE + AFTER, H = 14 };
	static const double flat[7] = { 0.95, 1.0, 1.05, 1.0, 1.0, 1.05, 0.95 };
	static const double weekend[7] = { 0.8, 0.8, 0.8, 0.9, 1.0, 1.4, 1.3 };
	double y[LEN], steady[LEN], a[H], b[H], lo[H], hi[H], tlo[H], thi[H];
	const double level = 0.8;
	rng_state = 20261127; /* this test's own draws, whatever ran before */
	for (int t = 0; t < LEN; t++) {
		double noise = 1 + 0.05 * gaussian();
		steady[t] = 1000 * flat[t % 7] * noise;
		y[t] = t < BEFORE ? steady[t] : 2500 * weekend[t % 7] * noise;
	}
	struct forecast_options opt;
	forecast_options_default(&opt);
	struct forecast_info info, tail_info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, LEN, &opt, H, &level, 1, a, lo, hi, &info, &st), 0);
	assert_int_equal(info.fitted_from, BEFORE);
	assert_int_equal(forecast_series(y + BEFORE, AFTER, &opt, H, &level, 1, b, tlo, thi,
					 &tail_info, &st), 0);
	for (int h = 0; h < H; h++) {
		assert_true(fabs(a[h] - b[h]) < 0.01 * b[h]);
		assert_true(fabs(a[h] - 2500 * weekend[(LEN + h) % 7]) < 0.1 * 2500);
	}
	assert_int_equal(forecast_series(steady, LEN, &opt, H, &level, 1, a, lo, hi, &info, &st), 0);
	assert_int_equal(info.fitted_from, 0);
}

/*
 * A series with a long gap: two days, 34 missing, 34 more. At the
 * earliest backtest origins some methods cannot forecast; those origins
 * are left out of the combination's backtest rather than read (their
 * forecasts were once uninitialised memory, which reached the bands). The
 * bands are finite, nested and of the data's order.
 */
static void test_method_failing_at_an_origin(void **state)
{
	(void)state;
	enum { LEN = 70, H = 14 };
	double y[LEN], mean[H], lo[2 * H], hi[2 * H];
	const double levels[2] = { 0.80, 0.95 };
	for (int t = 0; t < LEN; t++)
		y[t] = t < 2 ? 100 + t : t < 36 ? NAN : 100 + 10 * sin(t) + (t % 7) * 3;
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.nonnegative = 1;
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, LEN, &opt, H, levels, 2, mean, lo, hi, &info, &st), 0);
	for (int h = 0; h < H; h++) {
		assert_true(isfinite(mean[h]) && mean[h] > 50 && mean[h] < 200);
		assert_true(lo[H + h] <= lo[h] && lo[h] <= mean[h] && mean[h] <= hi[h] && hi[h] <= hi[H + h]);
		assert_true(isfinite(hi[H + h]) && hi[H + h] < 1000);
	}
	/* And a level outside (0, 1) is refused, not read past its errors. */
	const double bad[1] = { 1.0 };
	assert_int_equal(forecast_series(y, LEN, &opt, H, bad, 1, mean, lo, hi, &info, &st), -1);
	assert_int_equal(st, ETS_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_theta_season_test),
		cmocka_unit_test(test_theta_drift),
		cmocka_unit_test(test_theta_optimised_level),
		cmocka_unit_test(test_theta_optimised_high_level),
		cmocka_unit_test(test_theta_optimised_against_grid),
		cmocka_unit_test(test_stopped_channel),
		cmocka_unit_test(test_combination_weights),
		cmocka_unit_test(test_members_by_period),
		cmocka_unit_test(test_band_coverage),
		cmocka_unit_test(test_event_dates),
		cmocka_unit_test(test_event_effect),
		cmocka_unit_test(test_event_step_is_no_effect),
		cmocka_unit_test(test_outlier),
		cmocka_unit_test(test_level_shift),
		cmocka_unit_test(test_method_failing_at_an_origin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
