/* Unit tests of models/ets.c and models/theta.c against R's forecast
 * package (8.20): ets() for every form of its default family, ets()'s
 * automatic choice and thetaf(), on the series of
 * tests/fixtures/make_ets_r_fixtures.R (output committed as
 * tests/fixtures/ets_r.json). */
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
#include "theta.h"

#define FIXTURE MLDASH_SOURCE_DIR "/tests/fixtures/ets_r.json"
#define MAX_HORIZON 64
#define Z80 1.2815515655446004

static const double levels[2] = { 0.80, 0.95 };

/*
 * Tolerances. R's ets() optimises the smoothing parameters and the initial
 * states together by Nelder-Mead (from a decomposition of the first
 * periods); mldash concentrates the initial states out, exactly by least
 * squares for additive errors and additive seasons, so there its optimum
 * is at least R's. Log-likelihoods are compared on mldash's (full) scale.
 */
/* Additive forms: mldash's log-likelihood at least R's less this share of
 * |R's|: rounding only. */
#define ADDITIVE_LOGLIK_RELATIVE 1e-6
/* Multiplicative forms: mldash may be below R by this much (log-likelihood
 * units): neither finds the initial states of a multiplicative form
 * exactly (R by Nelder-Mead, mldash by Gauss-Newton), so both stop within
 * a tolerance of the optimum. Measured: 0.0011 at worst. */
#define MULTIPLICATIVE_LOGLIK_SLACK 0.01
/*
 * Point forecasts. Where the two log-likelihoods are within SAME_OPTIMUM
 * units, the fits are the same optimum of an often flat likelihood, and
 * the forecasts must agree within a fraction of the predictive standard
 * deviation (backed out of mldash's own 80% band): a difference that small
 * nobody could act on. Where mldash's is better by more, R stopped short
 * (its Nelder-Mead over the initial states as well stalls on the seasonal
 * forms) and its forecasts are not the known answer: they are only held
 * within DIFFERENT_OPTIMUM_SD, which still catches a season out of phase
 * or a trend of the wrong sign. Worst measured: see each test.
 */
#define SAME_OPTIMUM 0.5
#define ADDITIVE_FORECAST_SD 0.25
#define MULTIPLICATIVE_FORECAST_SD 0.5
#define DIFFERENT_OPTIMUM_SD 2.0
/* At the same optimum, mldash's 80% band is as wide as R's within this
 * share. (R's final sigma^2 divides the SSE by n less the parameters
 * without the variance, mldash's by n - k with it: mldash's bands are
 * about half a percent wider on these series.) */
#define SAME_OPTIMUM_BAND 0.10
/* mldash's automatic choice: its AICc at most R's chosen AICc plus this
 * (mldash gives the exact search only to the form that leads its rough
 * one on long series, and R stops within a tolerance). */
#define AUTO_AICC_SLACK 2.0

/* One series of the fixture, with its R results. */
struct series {
	const char *name;
	int period, horizon, positive;
	double *y;
	size_t n;
	struct json_object *fits, *automatic, *thetaf;
};

struct fixture {
	struct json_object *root;
	struct series *series;
	size_t count;
};

static double number(struct json_object *obj, const char *key)
{
	struct json_object *v = json_object_object_get(obj, key);
	assert_non_null(v);
	return json_object_get_double(v);
}

static void array(struct json_object *obj, const char *key, double *out, size_t count)
{
	struct json_object *a = json_object_object_get(obj, key);
	assert_non_null(a);
	assert_true(json_object_array_length(a) >= count);
	for (size_t i = 0; i < count; i++)
		out[i] = json_object_get_double(json_object_array_get_idx(a, i));
}

/* The fixture, read once for the group (and freed even when a test fails). */
static int load(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	*state = fx;
	fx->root = json_object_from_file(FIXTURE);
	assert_non_null(fx->root);
	struct json_object *all = json_object_object_get(fx->root, "series");
	assert_non_null(all);
	fx->count = json_object_array_length(all);
	fx->series = calloc(fx->count, sizeof *fx->series);
	assert_non_null(fx->series);
	for (size_t s = 0; s < fx->count; s++) {
		struct json_object *se = json_object_array_get_idx(all, s);
		struct series *ser = &fx->series[s];
		ser->name = json_object_get_string(json_object_object_get(se, "name"));
		ser->period = (int)number(se, "period");
		ser->horizon = (int)number(se, "horizon");
		assert_true(ser->horizon > 0 && ser->horizon <= MAX_HORIZON);
		ser->positive = json_object_get_boolean(json_object_object_get(se, "positive"));
		ser->n = json_object_array_length(json_object_object_get(se, "values"));
		ser->y = malloc(ser->n * sizeof *ser->y);
		assert_non_null(ser->y);
		array(se, "values", ser->y, ser->n);
		ser->fits = json_object_object_get(se, "fits");
		ser->automatic = json_object_object_get(se, "auto");
		ser->thetaf = json_object_object_get(se, "thetaf");
		assert_non_null(ser->fits);
		assert_non_null(ser->automatic);
		assert_non_null(ser->thetaf);
	}
	return 0;
}

static int unload(void **state)
{
	struct fixture *fx = *state;
	if (fx == NULL)
		return 0;
	for (size_t s = 0; fx->series != NULL && s < fx->count; s++)
		free(fx->series[s].y);
	free(fx->series);
	json_object_put(fx->root);
	free(fx);
	return 0;
}

/* R's log-likelihood (constants left out) on mldash's full scale. */
static double full_loglik(struct json_object *fit)
{
	double n = number(fit, "n");
	return number(fit, "loglik") - 0.5 * n * (log(2 * M_PI / n) + 1);
}

/* R's AICc on the full scale: the same shift, times -2. */
static double full_aicc(struct json_object *fit)
{
	double n = number(fit, "n");
	return number(fit, "aicc") + n * (log(2 * M_PI / n) + 1);
}

struct form {
	int error; /* 0 additive, 1 multiplicative */
	enum ets_trend trend;
	enum ets_season season;
};

static struct form parse_form(const char *s)
{
	struct form f;
	f.error = s[0] == 'M';
	f.trend = strstr(s, ",Ad,") ? ETS_TREND_DAMPED : strstr(s, ",A,") ? ETS_TREND_ADDITIVE : ETS_TREND_NONE;
	char last = s[strlen(s) - 1];
	f.season = last == 'M' ? ETS_SEASON_MULTIPLICATIVE : last == 'A' ? ETS_SEASON_ADDITIVE : ETS_SEASON_NONE;
	return f;
}

static struct ets_fit *fit_form(const struct series *ser, struct form f)
{
	struct ets_options opt;
	ets_options_default(&opt);
	opt.period = ser->period;
	opt.force_error = f.error;
	opt.force_trend = (int)f.trend;
	opt.force_seasonal = (int)f.season;
	enum ets_status st;
	return ets_fit(ser->y, ser->n, &opt, &st);
}

/*
 * The log-likelihood mldash reports is that of its own one-step fitted
 * values: -n/2 (log(2 pi SSE / n) + 1), with SSE over the relative errors
 * (y - f) / f less the sum of log |f| for multiplicative errors. (Else a
 * likelihood above R's would prove nothing.)
 */
static void check_reported_loglik(const struct ets_fit *fit, const struct series *ser,
				  const struct ets_summary *sum, const char *form)
{
	double *fitted = malloc(ser->n * sizeof *fitted);
	assert_non_null(fitted);
	ets_fitted(fit, ser->y, ser->n, fitted);
	double sse = 0, log_f = 0;
	for (size_t t = 0; t < ser->n; t++) {
		double e = ser->y[t] - fitted[t];
		if (form[0] == 'M') {
			e /= fitted[t];
			log_f += log(fabs(fitted[t]));
		}
		sse += e * e;
	}
	free(fitted);
	double n = (double)ser->n;
	double loglik = -0.5 * n * (log(2 * M_PI * sse / n) + 1) - log_f;
	if (!(fabs(loglik - sum->loglik) <= 1e-6 * fabs(loglik) + 1e-6))
		fail_msg("%s %s: reported log-likelihood %.6f, that of the fitted values %.6f", ser->name,
			 form, sum->loglik, loglik);
}

struct tally {
	int fits, better, same;
	double worst_loglik;   /* most negative mldash - R (log-likelihood units) */
	double worst_same;     /* largest |difference| / predictive sd at the same optimum */
	double worst_other;    /* the same where mldash's optimum is better */
	double band_lo, band_hi; /* range of mldash's 80% half-width / R's at the same optimum */
	char worst_loglik_at[96], worst_same_at[96], worst_other_at[96];
};

static void note_worst(double value, double *worst, char *at, size_t size, const char *series,
		       const char *form, int h)
{
	if (value > *worst) {
		*worst = value;
		snprintf(at, size, "%s %s h=%d", series, form, h);
	}
}

/*
 * Fits each form of the fixture that `wanted` selects with mldash, forcing
 * that form, and checks the log-likelihood (at least R's less
 * `loglik_slack` units, or less the relative rounding) and the point
 * forecasts (within `forecast_sd` predictive sds at the same optimum,
 * DIFFERENT_OPTIMUM_SD elsewhere).
 */
static void compare_forms(const struct fixture *fx, int (*wanted)(struct form),
			  double loglik_relative, double loglik_slack, double forecast_sd, struct tally *t)
{
	memset(t, 0, sizeof *t);
	t->band_lo = HUGE_VAL;
	for (size_t s = 0; s < fx->count; s++) {
		const struct series *ser = &fx->series[s];
		for (size_t i = 0; i < json_object_array_length(ser->fits); i++) {
			struct json_object *rf = json_object_array_get_idx(ser->fits, i);
			const char *form = json_object_get_string(json_object_object_get(rf, "form"));
			struct form f = parse_form(form);
			if (!wanted(f))
				continue;
			struct ets_fit *fit = fit_form(ser, f);
			if (fit == NULL)
				fail_msg("%s %s: no fit", ser->name, form);
			struct ets_summary sum;
			ets_summary(fit, &sum);
			if (strcmp(sum.model, form) != 0) {
				ets_free(fit);
				fail_msg("%s: asked for %s, got %s", ser->name, form, sum.model);
			}
			assert_int_equal(sum.n_obs, (int)number(rf, "n"));
			assert_int_equal(sum.n_params, (int)number(rf, "n_params")); /* the same AICc */
			check_reported_loglik(fit, ser, &sum, form);
			t->fits++;

			double theirs = full_loglik(rf);
			double rounding = loglik_relative * fabs(theirs);
			double allowed = rounding + loglik_slack;
			double gap = sum.loglik - theirs;
			if (gap < t->worst_loglik || t->fits == 1) {
				t->worst_loglik = gap;
				snprintf(t->worst_loglik_at, sizeof t->worst_loglik_at, "%s %s", ser->name, form);
			}
			t->better += gap > rounding;
			if (gap < -allowed) {
				ets_free(fit);
				fail_msg("%s %s: log-likelihood %.6f below R's %.6f (by %.6f)", ser->name, form,
					 sum.loglik, theirs, -gap);
			}
			int same = fabs(gap) <= SAME_OPTIMUM;
			t->same += same;
			double bound = same ? forecast_sd : DIFFERENT_OPTIMUM_SD;
			int h = ser->horizon;
			double mean[MAX_HORIZON], lo[2 * MAX_HORIZON], hi[2 * MAX_HORIZON];
			double r_mean[MAX_HORIZON], r_lo[MAX_HORIZON], r_hi[MAX_HORIZON];
			assert_int_equal(ets_forecast(fit, h, levels, 2, mean, lo, hi), 0);
			ets_free(fit);
			array(rf, "forecast", r_mean, (size_t)h);
			array(rf, "lower80", r_lo, (size_t)h);
			array(rf, "upper80", r_hi, (size_t)h);
			for (int k = 0; k < h; k++) {
				double sd = (hi[k] - lo[k]) / (2 * Z80);
				double ratio = fabs(mean[k] - r_mean[k]) / (sd > 0 ? sd : 1e-9);
				if (same)
					note_worst(ratio, &t->worst_same, t->worst_same_at, sizeof t->worst_same_at,
						   ser->name, form, k + 1);
				else
					note_worst(ratio, &t->worst_other, t->worst_other_at,
						   sizeof t->worst_other_at, ser->name, form, k + 1);
				if (ratio > bound)
					fail_msg("%s %s h=%d: forecast %.6f, R's %.6f (sd %.4f: %.3f sd apart; "
						 "log-likelihoods %.4f apart)",
						 ser->name, form, k + 1, mean[k], r_mean[k], sd, ratio, gap);
				if (!same)
					continue;
				double band = (hi[k] - lo[k]) / (r_hi[k] - r_lo[k]);
				if (band < t->band_lo)
					t->band_lo = band;
				if (band > t->band_hi)
					t->band_hi = band;
				if (fabs(band - 1) > SAME_OPTIMUM_BAND)
					fail_msg("%s %s h=%d: 80%% band [%.4f, %.4f], R's [%.4f, %.4f]", ser->name,
						 form, k + 1, lo[k], hi[k], r_lo[k], r_hi[k]);
			}
		}
	}
}

static void report(const char *what, const struct tally *t)
{
	print_message("%s: %d fits, %d with a better log-likelihood "
		      "than R's; least margin %+.4f (%s); at the same optimum (%d fits) forecasts "
		      "at most %.3f sd apart (%s), 80%% bands %.3f-%.3f x R's; elsewhere at most "
		      "%.3f sd (%s)\n",
		      what, t->fits, t->better, t->worst_loglik, t->worst_loglik_at, t->same,
		      t->worst_same, t->worst_same_at, t->band_lo, t->band_hi, t->worst_other,
		      t->worst_other_at);
}

static int additive_form(struct form f)
{
	return !f.error && f.season != ETS_SEASON_MULTIPLICATIVE;
}

static int multiplicative_form(struct form f)
{
	return f.error || f.season == ETS_SEASON_MULTIPLICATIVE;
}

/*
 * A,N,N A,A,N A,Ad,N A,N,A A,A,A A,Ad,A on the nine series (54 fits).
 * Measured (2026-11-27): mldash's log-likelihood at least R's on all 54
 * (the closest 0.0001 below, within rounding: daily_multiplicative_season
 * A,N,N; the two local optima a single start used to stop at, on
 * daily_additive_season A,N,N and monthly_multiplicative A,A,N, are found
 * since the exact search also scans alpha and beta), better by more than
 * rounding on 43 (by up to 25 units: R's search over the initial states
 * stalls on seasonal series); at the same optimum (25 fits) forecasts at
 * most 0.155 sd apart (quarterly_additive A,Ad,N h=8) and 80% bands
 * 0.973-1.014 of R's width; elsewhere at most 1.565 sd
 * (monthly_multiplicative A,Ad,N, where mldash's likelihood is 25 better).
 */
static void test_r_additive_forms(void **state)
{
	struct tally t;
	compare_forms(*state, additive_form, ADDITIVE_LOGLIK_RELATIVE, 0, ADDITIVE_FORECAST_SD, &t);
	report("additive forms", &t);
	assert_int_equal(t.fits, 54);
}

/*
 * M,N,N M,A,N M,Ad,N M,N,A M,A,A M,Ad,A M,N,M M,A,M M,Ad,M on the eight
 * strictly positive series (72 fits). Measured (2026-11-27): better than
 * R's on 65, below it on none by more than 0.0011 (daily_damped M,A,N);
 * at the same optimum (23 fits) forecasts at most 0.249 sd apart
 * (daily_trend M,A,M h=12, a flat ridge: alpha 0.0001 gamma 0.116 against
 * R's 0.015 0.031) and 80% bands 0.995-1.070 of R's; elsewhere at most
 * 1.137 sd (monthly_multiplicative M,Ad,N h=1).
 */
static void test_r_multiplicative_forms(void **state)
{
	struct tally t;
	compare_forms(*state, multiplicative_form, 0, MULTIPLICATIVE_LOGLIK_SLACK,
		      MULTIPLICATIVE_FORECAST_SD, &t);
	report("multiplicative forms", &t);
	assert_int_equal(t.fits, 72);
}

/*
 * Theta against thetaf: the same seasonal decision on every series (R's
 * thetaf adjusts multiplicatively; mldash too for a strictly positive
 * series, additively otherwise), the same drift (half the slope of the
 * adjusted series) and point forecasts within THETA_BAND of the half width
 * of thetaf's 80% band. The two differ only by the optimum of simple
 * exponential smoothing's alpha (R's ses, Nelder-Mead over alpha and the
 * initial level; mldash's exact least-squares level).
 *
 * Bands: thetaf's are the mean plus or minus z times SES's standard error
 * on the seasonally adjusted scale, not multiplied back by the seasonal
 * index; mldash's sd is multiplied by it (the adjusted series was divided
 * by it). So only non-seasonal fits are held to R's width (THETA_WIDTH).
 *
 * Measured (2026-11-27): the same decision on all nine series (seven
 * seasonal, all strictly positive, so the additive adjustment for a
 * series with zeros is not exercised: the paused series fails the test
 * in R too); forecasts at most 0.0004 of the half width apart
 * (daily_random_walk h=1), alpha at most 0.0006; half widths 1.004-1.005
 * of R's without a season (R's sigma^2 divides by one degree of freedom
 * more), 0.74-1.31 with one.
 */
#define THETA_BAND 0.02
#define THETA_DRIFT 1e-6  /* relative, or absolute below 1e-6 */
#define THETA_WIDTH 0.02

static void test_r_thetaf(void **state)
{
	const struct fixture *fx = *state;
	double worst = 0, worst_alpha = 0, width_lo = HUGE_VAL, width_hi = 0;
	double season_lo = HUGE_VAL, season_hi = 0;
	const char *worst_at = "", *worst_alpha_at = "";
	int worst_h = 0, seasonal_count = 0;
	for (size_t s = 0; s < fx->count; s++) {
		const struct series *ser = &fx->series[s];
		enum ets_status st;
		struct theta_fit *fit = theta_fit(ser->y, ser->n, ser->period, THETA_STANDARD, &st);
		assert_non_null(fit);
		double alpha, drift;
		int seasonal;
		theta_describe(fit, &alpha, &drift, &seasonal);
		int r_seasonal = json_object_get_boolean(json_object_object_get(ser->thetaf, "seasonal"));
		int expected = !r_seasonal ? 0 : ser->positive ? 1 : 2;
		if (seasonal != expected) {
			theta_free(fit);
			fail_msg("%s: season %d, R's thetaf %s", ser->name, seasonal,
				 r_seasonal ? "seasonal" : "not seasonal");
		}
		seasonal_count += seasonal != 0;
		double r_drift = number(ser->thetaf, "drift"), r_alpha = number(ser->thetaf, "alpha");
		if (fabs(drift - r_drift) > THETA_DRIFT * (fabs(r_drift) > 1 ? fabs(r_drift) : 1)) {
			theta_free(fit);
			fail_msg("%s: drift %.9f, R's %.9f", ser->name, drift, r_drift);
		}
		if (fabs(alpha - r_alpha) > worst_alpha) {
			worst_alpha = fabs(alpha - r_alpha);
			worst_alpha_at = ser->name;
		}
		int h = ser->horizon;
		double mean[MAX_HORIZON], sd[MAX_HORIZON];
		double r_mean[MAX_HORIZON], r_lo[MAX_HORIZON], r_hi[MAX_HORIZON];
		theta_forecast(fit, h, mean, sd);
		theta_free(fit);
		array(ser->thetaf, "forecast", r_mean, (size_t)h);
		array(ser->thetaf, "lower80", r_lo, (size_t)h);
		array(ser->thetaf, "upper80", r_hi, (size_t)h);
		for (int k = 0; k < h; k++) {
			double half = (r_hi[k] - r_lo[k]) / 2;
			double ratio = fabs(mean[k] - r_mean[k]) / half;
			if (ratio > worst) {
				worst = ratio;
				worst_at = ser->name;
				worst_h = k + 1;
			}
			if (ratio > THETA_BAND)
				fail_msg("%s h=%d: Theta %.6f, R's thetaf %.6f (%.4f of the 80%% half width)",
					 ser->name, k + 1, mean[k], r_mean[k], ratio);
			double width = Z80 * sd[k] / half;
			if (seasonal) {
				season_lo = width < season_lo ? width : season_lo;
				season_hi = width > season_hi ? width : season_hi;
				continue;
			}
			width_lo = width < width_lo ? width : width_lo;
			width_hi = width > width_hi ? width : width_hi;
			if (fabs(width - 1) > THETA_WIDTH)
				fail_msg("%s h=%d: 80%% half width %.6f, R's %.6f", ser->name, k + 1,
					 Z80 * sd[k], half);
		}
	}
	print_message("thetaf (%d of %zu series seasonal): largest forecast difference %.4f of the "
		      "80%% half width (%s h=%d); alpha at most %.4f apart (%s); 80%% half width "
		      "%.4f-%.4f x R's without a season, %.3f-%.3f with one\n",
		      seasonal_count, fx->count, worst, worst_at, worst_h, worst_alpha, worst_alpha_at,
		      width_lo, width_hi, season_lo, season_hi);
}

/*
 * mldash's automatic choice against R's: not the same form per series
 * (two optimisers may rank close forms differently), but an AICc, on the
 * same full-likelihood scale (the same parameter count k, checked above),
 * no worse than that of R's choice, plus AUTO_AICC_SLACK. Measured
 * (2026-11-27): the same form on 9 of 9 series, with an AICc never above
 * R's (lower by up to 7.5 on daily_multiplicative_season).
 */
static void test_r_automatic_choice(void **state)
{
	const struct fixture *fx = *state;
	struct ets_summary sum;
	int agree = 0;
	double worst = -HUGE_VAL;
	const char *worst_at = "";
	for (size_t s = 0; s < fx->count; s++) {
		const struct series *ser = &fx->series[s];
		const char *r_form = json_object_get_string(json_object_object_get(ser->automatic, "form"));
		double r_aicc = full_aicc(ser->automatic);
		/* R's choice is the least AICc of its forms: check the fixture agrees. */
		double r_best = HUGE_VAL;
		for (size_t i = 0; i < json_object_array_length(ser->fits); i++) {
			double a = full_aicc(json_object_array_get_idx(ser->fits, i));
			if (a < r_best)
				r_best = a;
		}
		assert_true(fabs(r_best - r_aicc) < 1e-6 * fabs(r_aicc));
		struct ets_options opt;
		ets_options_default(&opt);
		opt.period = ser->period;
		enum ets_status st;
		struct ets_fit *fit = ets_fit(ser->y, ser->n, &opt, &st);
		assert_non_null(fit);
		ets_summary(fit, &sum);
		ets_free(fit);
		agree += strcmp(sum.model, r_form) == 0;
		print_message("  %-28s mldash %-7s AICc %9.3f; R %-7s %9.3f\n", ser->name, sum.model,
			      sum.aicc, r_form, r_aicc);
		if (sum.aicc - r_aicc > worst) {
			worst = sum.aicc - r_aicc;
			worst_at = ser->name;
		}
		if (sum.aicc > r_aicc + AUTO_AICC_SLACK)
			fail_msg("%s: mldash chose %s, AICc %.3f; R %s, %.3f", ser->name, sum.model,
				 sum.aicc, r_form, r_aicc);
	}
	print_message("automatic choice: same form as R's on %d of %zu series; mldash's AICc at "
		      "most %.3f above R's (%s)\n",
		      agree, fx->count, worst, worst_at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r_additive_forms),
		cmocka_unit_test(test_r_thetaf),
		cmocka_unit_test(test_r_multiplicative_forms),
		cmocka_unit_test(test_r_automatic_choice),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
