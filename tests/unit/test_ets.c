/* Unit tests of models/ets.c: statsmodels known answers, interval coverage,
 * awkward inputs, backtest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ets.h"
#include "xorshift.h"

static const double levels[2] = { 0.80, 0.95 };

static struct ets_fit *fit_form(const double *y, size_t n, int trend, int seasonal,
				int nonnegative)
{
	struct ets_options opt;
	ets_options_default(&opt);
	opt.force_error = 0;
	opt.force_trend = trend;
	opt.force_seasonal = seasonal;
	opt.nonnegative = nonnegative;
	enum ets_status st;
	return ets_fit(y, n, &opt, &st);
}

/*
 * statsmodels' ETSModel on the committed fixtures: our log-likelihood must
 * be at least as good (we may find a better optimum), and point forecasts
 * agree within a quarter of the predictive standard deviation: a difference
 * that small is a different optimum of an almost flat likelihood, not a
 * different model.
 */
static void test_statsmodels_known_answers(void **state)
{
	(void)state;
	struct json_object *root = json_object_from_file(MLDASH_SOURCE_DIR "/tests/fixtures/ets_statsmodels.json");
	assert_non_null(root);
	struct json_object *all = json_object_object_get(root, "series");
	int horizon = json_object_get_int(json_object_object_get(root, "horizon"));
	int checked = 0, better = 0;
	double worst_ratio = 0;
	for (size_t s = 0; s < json_object_array_length(all); s++) {
		struct json_object *se = json_object_array_get_idx(all, s);
		struct json_object *vals = json_object_object_get(se, "values");
		size_t n = json_object_array_length(vals);
		double *y = malloc(n * sizeof *y);
		for (size_t i = 0; i < n; i++)
			y[i] = json_object_get_double(json_object_array_get_idx(vals, i));
		struct json_object *fits = json_object_object_get(se, "fits");
		for (size_t f = 0; f < json_object_array_length(fits); f++) {
			struct json_object *fx = json_object_array_get_idx(fits, f);
			const char *form = json_object_get_string(json_object_object_get(fx, "form"));
			int trend = strstr(form, ",Ad,") ? ETS_TREND_DAMPED : strstr(form, ",A,") ? ETS_TREND_ADDITIVE : ETS_TREND_NONE;
			int seasonal = form[strlen(form) - 1] == 'A';
			struct ets_fit *fit = fit_form(y, n, trend, seasonal, 0);
			assert_non_null(fit);
			struct ets_summary sum;
			ets_summary(fit, &sum);
			assert_string_equal(sum.model, form);
			double llf = json_object_get_double(json_object_object_get(fx, "llf"));
			if (sum.loglik < llf - 1e-6 * fabs(llf))
				fail_msg("%s %s: log-likelihood %.6f below statsmodels' %.6f",
					 json_object_get_string(json_object_object_get(se, "name")), form,
					 sum.loglik, llf);
			better += sum.loglik > llf + 1e-6 * fabs(llf);
			double mean[64], lo[2 * 64], hi[2 * 64];
			assert_int_equal(ets_forecast(fit, horizon, levels, 2, mean, lo, hi), 0);
			struct json_object *fc = json_object_object_get(fx, "forecast");
			for (int h = 0; h < horizon; h++) {
				double theirs = json_object_get_double(json_object_array_get_idx(fc, (size_t)h));
				double sd = (hi[h] - lo[h]) / (2 * 1.2815515655446004);
				double ratio = fabs(mean[h] - theirs) / (sd > 0 ? sd : 1e-9);
				if (ratio > worst_ratio)
					worst_ratio = ratio;
				if (ratio > 0.25)
					fail_msg("%s %s h=%d: forecast %.6f, statsmodels %.6f (sd %.4f)",
						 json_object_get_string(json_object_object_get(se, "name")),
						 form, h + 1, mean[h], theirs, sd);
			}
			ets_free(fit);
			checked++;
		}
		free(y);
	}
	json_object_put(root);
	print_message("%d fits compared: %d with a better log-likelihood than statsmodels; "
		      "largest forecast difference %.3f predictive sd\n", checked, better, worst_ratio);
	assert_int_equal(checked, 30);
}


/*
 * Coverage: series from a known local-level-with-season process; the
 * intervals of each forecast horizon 1..7 should hold the truth at about
 * their nominal rate. Parameters are estimated, so a little under-coverage
 * is expected; the bounds below allow it but would catch intervals that
 * ignore the horizon or the parameter uncertainty grossly.
 */
static void test_interval_coverage(void **state)
{
	(void)state;
	enum { SERIES = 600, N = 112, H = 7 };
	int in80 = 0, in95 = 0, total = 0;
	for (int s = 0; s < SERIES; s++) {
		double y[N + H], level = 100, season[7];
		for (int k = 0; k < 7; k++)
			season[k] = 8 * sin(2 * M_PI * k / 7);
		for (int t = 0; t < N + H; t++) {
			double e = 4 * gaussian();
			y[t] = level + season[t % 7] + e;
			level += 0.3 * e;
			season[t % 7] += 0.1 * e;
		}
		struct ets_options opt;
		ets_options_default(&opt);
		enum ets_status st;
		struct ets_fit *fit = ets_fit(y, N, &opt, &st);
		assert_non_null(fit);
		double mean[H], lo[2 * H], hi[2 * H];
		ets_forecast(fit, H, levels, 2, mean, lo, hi);
		for (int h = 0; h < H; h++) {
			double truth = y[N + h];
			in80 += truth >= lo[h] && truth <= hi[h];
			in95 += truth >= lo[H + h] && truth <= hi[H + h];
			total++;
		}
		ets_free(fit);
	}
	double c80 = (double)in80 / total, c95 = (double)in95 / total;
	print_message("coverage over %d forecasts: 80%% interval %.3f, 95%% interval %.3f\n", total,
		      c80, c95);
	assert_true(c80 > 0.76 && c80 < 0.84);
	assert_true(c95 > 0.925 && c95 < 0.975);
}

/* Every output finite, intervals nested and never narrowing. */
static void check_forecast(struct ets_fit *fit, int nonnegative)
{
	enum { H = 30 };
	double mean[H], lo[2 * H], hi[2 * H];
	assert_int_equal(ets_forecast(fit, H, levels, 2, mean, lo, hi), 0);
	for (int h = 0; h < H; h++) {
		assert_true(isfinite(mean[h]) && isfinite(lo[h]) && isfinite(hi[h]));
		assert_true(isfinite(lo[H + h]) && isfinite(hi[H + h]));
		assert_true(lo[H + h] <= lo[h] + 1e-9 && lo[h] <= mean[h] + 1e-9);
		assert_true(mean[h] <= hi[h] + 1e-9 && hi[h] <= hi[H + h] + 1e-9);
		if (nonnegative)
			assert_true(lo[H + h] >= 0 && mean[h] >= 0);
		if (h > 0 && !nonnegative) /* truncation can narrow the lower side */
			assert_true(hi[H + h] - lo[H + h] >= hi[H + h - 1] - lo[H + h - 1] - 1e-9);
	}
}

static struct ets_fit *fit_auto(const double *y, size_t n, int nonnegative, enum ets_status *st)
{
	struct ets_options opt;
	ets_options_default(&opt);
	opt.nonnegative = nonnegative;
	return ets_fit(y, n, &opt, st);
}

static void test_awkward_inputs(void **state)
{
	(void)state;
	enum { N = 60 };
	double y[N];
	enum ets_status st;
	struct ets_fit *fit;

	/* missing days */
	for (int t = 0; t < N; t++)
		y[t] = t % 5 == 2 ? NAN : 50 + 5 * sin(t * 0.9) + (t % 7);
	fit = fit_auto(y, N, 1, &st);
	assert_non_null(fit);
	check_forecast(fit, 1);
	ets_free(fit);

	/* a paused campaign: zeros for three weeks in the middle */
	for (int t = 0; t < N; t++)
		y[t] = t >= 20 && t < 41 ? 0 : 30 + (t % 7) * 2;
	fit = fit_auto(y, N, 1, &st);
	assert_non_null(fit);
	check_forecast(fit, 1);
	ets_free(fit);

	/* constant, and all zero: the forecast is that constant, no NaN */
	for (int value = 0; value <= 1; value++) {
		for (int t = 0; t < N; t++)
			y[t] = value ? 42.5 : 0;
		fit = fit_auto(y, N, 1, &st);
		assert_non_null(fit);
		check_forecast(fit, 1);
		double mean[3], lo[6], hi[6];
		ets_forecast(fit, 3, levels, 2, mean, lo, hi);
		assert_true(fabs(mean[0] - y[0]) < 1e-6 && fabs(hi[5] - y[0]) < 1e-3);
		ets_free(fit);
	}

	/* a single spike */
	for (int t = 0; t < N; t++)
		y[t] = t == 30 ? 5000 : 10;
	fit = fit_auto(y, N, 1, &st);
	assert_non_null(fit);
	check_forecast(fit, 1);
	ets_free(fit);

	/* negative values where they are allowed (ROI) */
	for (int t = 0; t < N; t++)
		y[t] = -0.4 + 0.1 * sin(t) + (t % 7 == 5 ? -0.3 : 0);
	fit = fit_auto(y, N, 0, &st);
	assert_non_null(fit);
	check_forecast(fit, 0);
	double mean[1], lo[2], hi[2];
	ets_forecast(fit, 1, levels, 2, mean, lo, hi);
	assert_true(mean[0] < 0 && lo[1] < mean[0]);
	ets_free(fit);

	/* infinite values are treated as missing */
	for (int t = 0; t < N; t++)
		y[t] = t == 10 ? INFINITY : 20 + t % 3;
	fit = fit_auto(y, N, 0, &st);
	assert_non_null(fit);
	check_forecast(fit, 0);
	ets_free(fit);
}

static void test_too_short_and_empty(void **state)
{
	(void)state;
	double y[20];
	enum ets_status st;
	for (int t = 0; t < 20; t++)
		y[t] = NAN;
	assert_null(fit_auto(y, 20, 0, &st));
	assert_int_equal(st, ETS_NO_DATA);
	assert_null(fit_auto(y, 0, 0, &st));
	assert_int_equal(st, ETS_NO_DATA);
	y[0] = 1;
	y[5] = 2;
	assert_null(fit_auto(y, 20, 0, &st));
	assert_int_equal(st, ETS_TOO_SHORT);

	/* Ten days: too short for a season; a simpler form is chosen. */
	for (int t = 0; t < 10; t++)
		y[t] = 10 + t;
	struct ets_fit *fit = fit_auto(y, 10, 0, &st);
	assert_non_null(fit);
	struct ets_summary s;
	ets_summary(fit, &s);
	assert_int_equal(s.seasonal, 0);
	check_forecast(fit, 0);
	ets_free(fit);
}

static void test_period_twelve_and_selection(void **state)
{
	(void)state;
	enum { N = 96 };
	double y[N];
	for (int t = 0; t < N; t++)
		y[t] = 200 + 40 * sin(2 * M_PI * t / 12) + 3 * gaussian();
	struct ets_options opt;
	ets_options_default(&opt);
	opt.period = 12;
	enum ets_status st;
	struct ets_fit *fit = ets_fit(y, N, &opt, &st);
	assert_non_null(fit);
	struct ets_summary s;
	ets_summary(fit, &s);
	assert_int_equal(s.seasonal, 1); /* AICc finds the season */
	double mean[12];
	ets_forecast(fit, 12, NULL, 0, mean, NULL, NULL);
	for (int h = 0; h < 12; h++) /* and the forecast follows it */
		assert_true(fabs(mean[h] - (200 + 40 * sin(2 * M_PI * (N + h) / 12))) < 12);
	ets_free(fit);
}

static void test_seasonal_naive_and_backtest(void **state)
{
	(void)state;
	double y[28], mean[9];
	for (int t = 0; t < 28; t++)
		y[t] = t % 7;
	ets_seasonal_naive(y, 28, 7, 9, mean);
	for (int h = 1; h <= 9; h++)
		assert_true(mean[h - 1] == (27 + h) % 7);

	enum { N = 140 };
	double z[N];
	for (int t = 0; t < N; t++)
		z[t] = 100 + 0.8 * t + 15 * sin(2 * M_PI * t / 7) + 2 * gaussian();
	struct ets_options opt;
	ets_options_default(&opt);
	struct ets_backtest bt;
	assert_int_equal(ets_backtest(z, N, &opt, NULL, 14, 4, 7, &bt), 0);
	assert_int_equal(bt.origins, 4);
	assert_true(isfinite(bt.smape) && isfinite(bt.mase) && isfinite(bt.naive_smape));
	/* With a trend, seasonal naive lags behind; the model does not. */
	assert_true(bt.smape < bt.naive_smape);
	assert_true(bt.mase < bt.naive_mase);
	assert_int_equal(ets_backtest(z, 10, &opt, NULL, 14, 4, 7, &bt), -1);
}

/* Series without gaps take a faster exact route to the initial state (one
 * seasonal impulse response and its shifts); a trailing missing value sends
 * the same observations down the general route. Both must agree. */
static void test_fast_and_general_routes_agree(void **state)
{
	(void)state;
	enum { N = 150 };
	double y[N + 1];
	for (int t = 0; t < N; t++)
		y[t] = 80 + 0.2 * t + 12 * sin(2 * M_PI * t / 7) + 3 * gaussian();
	y[N] = NAN;
	for (int trend = 0; trend <= 2; trend++) {
		struct ets_fit *fast = fit_form(y, N, trend, 1, 0), *general = fit_form(y, N + 1, trend, 1, 0);
		struct ets_summary a, b;
		ets_summary(fast, &a);
		ets_summary(general, &b);
		if (fabs(a.loglik - b.loglik) > 1e-6 * fabs(a.loglik))
			fail_msg("%s: log-likelihood %.9f by the fast route, %.9f by the general one",
				 a.model, a.loglik, b.loglik);
		ets_free(fast);
		ets_free(general);
	}
}

/* A series from a known M,A,M process: level 100 growing 1 a day, a
 * weekly season of +-30%, relative errors of sd 0.05. */
static void simulate_mam(double *y, int n)
{
	double level = 100, trend = 1, season[7];
	for (int k = 0; k < 7; k++)
		season[k] = 1 + 0.3 * sin(2 * M_PI * k / 7);
	for (int t = 0; t < n; t++) {
		double e = 0.05 * gaussian(), q = level + trend;
		y[t] = q * season[t % 7] * (1 + e);
		level = q * (1 + 0.2 * e);
		trend += 0.01 * q * e;
		season[t % 7] *= 1 + 0.05 * e;
	}
}

/*
 * The multiplicative forms: AICc finds a multiplicative season where the
 * swing grows with the level, the fit's log-likelihood is at least that
 * of the additive forms' best, its intervals hold their share of what
 * follows, and a series with a zero is never given a multiplicative form.
 */
static void test_multiplicative_forms(void **state)
{
	(void)state;
	enum { SERIES = 120, N = 364, H = 14 };
	int in80 = 0, in95 = 0, total = 0, multiplicative_season = 0;
	for (int s = 0; s < SERIES; s++) {
		double y[N + H];
		simulate_mam(y, N + H);
		struct ets_options opt;
		ets_options_default(&opt);
		enum ets_status st;
		struct ets_fit *fit = ets_fit(y, N, &opt, &st);
		assert_non_null(fit);
		struct ets_summary sum;
		ets_summary(fit, &sum);
		multiplicative_season += sum.season == ETS_SEASON_MULTIPLICATIVE;
		assert_true(sum.model[strlen(sum.model) - 1] == "NAM"[sum.season]);
		double mean[H], lo[2 * H], hi[2 * H];
		assert_int_equal(ets_forecast(fit, H, levels, 2, mean, lo, hi), 0);
		for (int h = 0; h < H; h++) {
			in80 += y[N + h] >= lo[h] && y[N + h] <= hi[h];
			in95 += y[N + h] >= lo[H + h] && y[N + h] <= hi[H + h];
			total++;
		}
		if (s < 10) { /* against the best additive form, fitted alone */
			opt.force_error = 0;
			struct ets_fit *additive = ets_fit(y, N, &opt, &st);
			struct ets_summary a;
			ets_summary(additive, &a);
			assert_true(sum.aicc <= a.aicc);
			ets_free(additive);
		}
		ets_free(fit);
	}
	double c80 = (double)in80 / total, c95 = (double)in95 / total;
	print_message("multiplicative season chosen for %d of %d series; coverage over %d "
		      "forecasts: 80%% %.3f, 95%% %.3f\n",
		      multiplicative_season, SERIES, total, c80, c95);
	assert_true(multiplicative_season >= SERIES * 8 / 10);
	assert_true(c80 > 0.75 && c80 < 0.85);
	assert_true(c95 > 0.92 && c95 < 0.975);

	/* One zero rules the multiplicative forms out, forced or not. */
	double y[N];
	simulate_mam(y, N);
	y[100] = 0;
	struct ets_options opt;
	ets_options_default(&opt);
	enum ets_status st;
	struct ets_fit *fit = ets_fit(y, N, &opt, &st);
	assert_non_null(fit);
	struct ets_summary sum;
	ets_summary(fit, &sum);
	assert_int_equal(sum.error_multiplicative, 0);
	assert_true(sum.season != ETS_SEASON_MULTIPLICATIVE);
	ets_free(fit);
	opt.force_error = 1;
	assert_null(ets_fit(y, N, &opt, &st));
	assert_int_equal(st, ETS_TOO_SHORT);
}

/*
 * The multiplicative-error twin of an additive form has the same
 * recursions: at the same parameters its fitted values agree, and its
 * log-likelihood is that of the relative errors (checked here by hand).
 */
static void test_multiplicative_error_likelihood(void **state)
{
	(void)state;
	enum { N = 200 };
	double y[N], fitted[N];
	simulate_mam(y, N);
	struct ets_options opt;
	ets_options_default(&opt);
	opt.force_error = 1;
	opt.force_trend = ETS_TREND_NONE;
	opt.force_seasonal = ETS_SEASON_MULTIPLICATIVE;
	enum ets_status st;
	struct ets_fit *fit = ets_fit(y, N, &opt, &st);
	assert_non_null(fit);
	struct ets_summary sum;
	ets_summary(fit, &sum);
	assert_string_equal(sum.model, "M,N,M");
	ets_fitted(fit, y, N, fitted);
	double sse = 0, log_mu = 0;
	for (int t = 0; t < N; t++) {
		double e = (y[t] - fitted[t]) / fitted[t];
		sse += e * e;
		log_mu += log(fitted[t]);
	}
	double loglik = -0.5 * N * (log(2 * M_PI * sse / N) + 1) - log_mu;
	assert_true(fabs(loglik - sum.loglik) < 1e-6 * fabs(loglik));
	ets_free(fit);
}

/*
 * Every form of the family, simulated from its own recursions with known
 * parameters (relative errors of sd 0.04 for multiplicative errors, sd 4
 * on a level of 100 for additive ones), fitted with that form forced and
 * forecast 1-7 steps ahead (60 series of 140 points each). The analytic
 * intervals treat the estimated parameters as known, so they hold a
 * little less than nominal, most for the trend forms. Measured: 80%
 * intervals 73.3% (A,A,N) to 82.4% (M,A,N), 95% ones 90.7% (M,A,A) to
 * 96.2% (A,Ad,N); each share is of 420 points (a standard error of 2 and
 * 1 points).
 */
static void test_coverage_every_form(void **state)
{
	(void)state;
	enum { SERIES = 60, N = 140, H = 7 };
	static const double week_add[7] = { -12, 3, 6, 9, 5, 14, -25 };
	for (int error = 0; error <= 1; error++)
		for (int season = ETS_SEASON_NONE; season <= ETS_SEASON_MULTIPLICATIVE; season++)
			for (int trend = ETS_TREND_NONE; trend <= ETS_TREND_DAMPED; trend++) {
				if (!error && season == ETS_SEASON_MULTIPLICATIVE)
					continue;
				int in80 = 0, in95 = 0, total = 0;
				for (int s = 0; s < SERIES; s++) {
					double y[N + H], l = 100, b = trend ? 0.5 : 0, phi = trend == ETS_TREND_DAMPED ? 0.9 : 1;
					double lowest = INFINITY;
					double sa[7], sm[7];
					for (int k = 0; k < 7; k++)
						sa[k] = week_add[k], sm[k] = 1 + week_add[k] / 100;
					for (int t = 0; t < N + H; t++) {
						int j = t % 7;
						double q = l + phi * b;
						double mu = season == ETS_SEASON_MULTIPLICATIVE ? q * sm[j]
							    : q + (season ? sa[j] : 0);
						double r = error ? mu * 0.04 * gaussian() : 4 * gaussian();
						y[t] = mu + r;
						lowest = fmin(lowest, y[t]);
						double rs = season == ETS_SEASON_MULTIPLICATIVE ? r / sm[j] : r;
						l = q + 0.3 * rs;
						b = trend ? phi * b + 0.01 * rs : 0;
						if (season == ETS_SEASON_MULTIPLICATIVE)
							sm[j] += 0.1 * r / q;
						else if (season)
							sa[j] += 0.1 * r;
					}
					if ((error || season == ETS_SEASON_MULTIPLICATIVE) && !(lowest > 0)) {
						s--; /* a drifting trend crossed zero: not a series for these forms */
						continue;
					}
					struct ets_options opt;
					ets_options_default(&opt);
					opt.force_error = error;
					opt.force_trend = trend;
					opt.force_seasonal = season;
					enum ets_status st;
					struct ets_fit *fit = ets_fit(y, N, &opt, &st);
					assert_non_null(fit);
					double mean[H], lo[2 * H], hi[2 * H];
					ets_forecast(fit, H, levels, 2, mean, lo, hi);
					for (int h = 0; h < H; h++) {
						in80 += y[N + h] >= lo[h] && y[N + h] <= hi[h];
						in95 += y[N + h] >= lo[H + h] && y[N + h] <= hi[H + h];
						total++;
					}
					ets_free(fit);
				}
				double c80 = (double)in80 / total, c95 = (double)in95 / total;
				print_message("%c,%s,%c: 80%% %.3f, 95%% %.3f\n", error ? 'M' : 'A',
					      trend == 0 ? "N" : trend == 1 ? "A" : "Ad", "NAM"[season], c80, c95);
				assert_true(c80 >= 0.72 && c80 <= 0.86);
				assert_true(c95 >= 0.90 && c95 <= 0.98);
			}
}

/* Five wild values (1, 1, 5, 48, 5) forecast 251 steps: the
 * multiplicative errors' variance recursion passes the largest double
 * near step 185 (a fuzzer's case). The bands stay numbers, widest at the
 * end, never narrowing to nothing where the recursion overflowed. */
static void test_spread_that_overflows(void **state)
{
	(void)state;
	double y[5] = { 1, 1, 5, 48, 5 }, level = 6 / 256.0;
	struct ets_options opt;
	ets_options_default(&opt);
	opt.nonnegative = 1;
	opt.force_trend = 0;
	opt.force_seasonal = 0;
	opt.period = 248;
	enum ets_status status;
	struct ets_fit *fit = ets_fit(y, 5, &opt, &status);
	assert_non_null(fit);
	enum { H = 251 };
	double mean[H], lower[H], upper[H], sd[H];
	assert_int_equal(ets_forecast(fit, H, &level, 1, mean, lower, upper), 0);
	ets_forecast_sd(fit, H, sd);
	for (int h = 0; h < H; h++) {
		assert_true(isfinite(mean[h]) && isfinite(lower[h]) && isfinite(upper[h]));
		assert_true(lower[h] >= 0 && lower[h] <= upper[h]);
		assert_true(isfinite(sd[h]) && sd[h] > 0);
	}
	assert_true(upper[H - 1] > 1e300);
	ets_free(fit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statsmodels_known_answers),
		cmocka_unit_test(test_interval_coverage),
		cmocka_unit_test(test_awkward_inputs),
		cmocka_unit_test(test_too_short_and_empty),
		cmocka_unit_test(test_period_twelve_and_selection),
		cmocka_unit_test(test_seasonal_naive_and_backtest),
		cmocka_unit_test(test_fast_and_general_routes_agree),
		cmocka_unit_test(test_multiplicative_forms),
		cmocka_unit_test(test_multiplicative_error_likelihood),
		cmocka_unit_test(test_coverage_every_form),
		cmocka_unit_test(test_spread_that_overflows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
