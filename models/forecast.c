#include "forecast.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "theta.h"

#define STOPPED_PERIODS 7 /* a week of zeros: the channel was switched off */
#define MAX_ORIGINS 8
#define MIN_RESIDUALS 20  /* fewer backtest errors cannot tell a band's coverage */

void forecast_options_default(struct forecast_options *opt)
{
	*opt = (struct forecast_options){ .period = 7, .daily = -1, .nonnegative = 0, .origins = 4,
					  .step = 7, .max_backtest = 28, .first_day = -1,
					  .calendar = NULL };
}

/* The ETS options the methods fit with. */
static struct ets_options ets_options_for(const struct forecast_options *opt)
{
	struct ets_options eo;
	ets_options_default(&eo);
	eo.period = opt->period;
	eo.nonnegative = opt->nonnegative;
	return eo;
}

/*
 * Days and the longer steps (weeks to years) move differently, and two
 * members follow that. A daily marketing series moves by budget changes
 * from one week to the next: seasonal naive answers one at once, and a
 * trend fitted in-sample chases the steps (the optimised Theta took its
 * line whole or not at all on 32 of the 50 real daily series, and alone
 * forecast them 3-10% worse than theta = 2). Months, quarters and years
 * move by trends: seasonal naive lags them (without a season it is the
 * random walk that ETS's and Theta's smoothing already reach), and the
 * optimised theta fits the trend's share to the series.
 */
static int daily(const struct forecast_options *opt)
{
	return opt->daily >= 0 ? opt->daily : opt->period == 7;
}

/* The season's length, or a week for a series without one (the rules
 * below compare a day with the same weekday). */
static size_t cycle_length(int period)
{
	return (size_t)(period > 1 ? period : 7);
}

static int stopped(const double *y, size_t n)
{
	if (n < STOPPED_PERIODS)
		return 0;
	for (size_t t = n - STOPPED_PERIODS; t < n; t++)
		if (!(y[t] == 0))
			return 0;
	return 1;
}

/* Every method's forecasts of h = 1..horizon from y[0..n); ok[m] says which
 * could be made. ETS is fitted, of like's form, only when refit is set:
 * the final forecast takes the exact fit's own, and a refit there would
 * be thrown away. */
static void method_forecasts(const double *y, size_t n, const struct forecast_options *opt,
			     const struct ets_fit *like, int refit, int horizon,
			     double *fc[FORECAST_METHOD__MAX], int ok[FORECAST_METHOD__MAX])
{
	enum ets_status st;
	if (refit) {
		struct ets_options eo = ets_options_for(opt);
		struct ets_fit *e = ets_refit(like, y, n, &eo, &st);
		ok[FORECAST_ETS] = e != NULL &&
				   ets_forecast(e, horizon, NULL, 0, fc[FORECAST_ETS], NULL, NULL) == 0;
		ets_free(e);
	} else {
		ok[FORECAST_ETS] = ets_forecast(like, horizon, NULL, 0, fc[FORECAST_ETS], NULL, NULL) == 0;
	}
	struct theta_fit *t = theta_fit(y, n, opt->period,
					daily(opt) ? THETA_STANDARD : THETA_OPTIMISED, &st);
	ok[FORECAST_THETA] = t != NULL;
	if (t != NULL)
		theta_forecast(t, horizon, fc[FORECAST_THETA], NULL);
	theta_free(t);
	ets_seasonal_naive(y, n, opt->period, horizon, fc[FORECAST_NAIVE]);
	ok[FORECAST_NAIVE] = n > 0 && !isnan(fc[FORECAST_NAIVE][0]);
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		for (int h = 0; h < horizon && ok[m] && opt->nonnegative; h++)
			fc[m][h] = fc[m][h] > 0 ? fc[m][h] : 0;
}

/* The backtest: at each origin every method's forecasts of what followed. */
struct backtest {
	int origins, horizon;
	long origin[MAX_ORIGINS];
	double scale[MAX_ORIGINS];              /* MASE scale at the origin */
	double *fc[MAX_ORIGINS][FORECAST_METHOD__MAX]; /* [horizon] */
	int ok[MAX_ORIGINS][FORECAST_METHOD__MAX];
	double mase[FORECAST_METHOD__MAX];      /* mean over origins; NaN: none */
};

static void backtest_free(struct backtest *b)
{
	for (int k = 0; k < MAX_ORIGINS; k++)
		free(b->fc[k][0]);
}

static int backtest_run(const double *y, size_t n, const struct forecast_options *opt,
			const struct ets_fit *like, int horizon, struct backtest *b)
{
	memset(b, 0, sizeof *b);
	b->horizon = horizon < opt->max_backtest ? horizon : opt->max_backtest;
	int origins = opt->origins < MAX_ORIGINS ? opt->origins : MAX_ORIGINS;
	double sum[FORECAST_METHOD__MAX] = { 0 };
	int count[FORECAST_METHOD__MAX] = { 0 };
	for (int k = 0; k < origins; k++) {
		long origin = (long)n - b->horizon - (long)(origins - 1 - k) * opt->step;
		if (origin < 2 * (opt->period > 1 ? opt->period : 2))
			continue;
		int i = b->origins;
		b->fc[i][0] = malloc(sizeof(double) * (size_t)b->horizon * FORECAST_METHOD__MAX);
		if (b->fc[i][0] == NULL)
			return -1;
		/* A method that fails at an origin leaves its forecasts NaN. */
		for (int j = 0; j < b->horizon * FORECAST_METHOD__MAX; j++)
			b->fc[i][0][j] = NAN;
		for (int m = 1; m < FORECAST_METHOD__MAX; m++)
			b->fc[i][m] = b->fc[i][0] + m * b->horizon;
		method_forecasts(y, (size_t)origin, opt, like, 1, b->horizon, b->fc[i], b->ok[i]);
		b->origin[i] = origin;
		b->scale[i] = ets_naive_scale(y, (size_t)origin, opt->period);
		b->origins++;
		for (int m = 0; m < FORECAST_METHOD__MAX; m++) {
			double abs_sum = 0;
			int seen = 0;
			for (int h = 0; h < b->horizon && b->ok[i][m]; h++)
				if (isfinite(y[origin + h]))
					abs_sum += fabs(y[origin + h] - b->fc[i][m][h]), seen++;
			if (seen > 0 && isfinite(b->scale[i]))
				sum[m] += abs_sum / seen / b->scale[i], count[m]++;
		}
	}
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		b->mase[m] = count[m] ? sum[m] / count[m] : NAN;
	return 0;
}


/* Weights from the backtest's MASE: halfway between equal and inverse-MASE
 * weights, among the members within twice the best's error. Without a
 * backtest, ETS alone (as AICc chose it). */
static void combination_weights(const struct backtest *b, const int ok[FORECAST_METHOD__MAX],
				int days, double w[FORECAST_METHOD__MAX])
{
	double best = INFINITY, error[FORECAST_METHOD__MAX];
	for (int m = 0; m < FORECAST_METHOD__MAX; m++) {
		w[m] = 0;
		int member = m != FORECAST_NAIVE || days;
		/* A perfect backtest (MASE 0) is still an estimate from a few origins. */
		error[m] = member && ok[m] && isfinite(b->mase[m]) ? fmax(b->mase[m], 1e-3) : INFINITY;
		best = fmin(best, error[m]);
	}
	if (!isfinite(best)) {
		w[ok[FORECAST_ETS] ? FORECAST_ETS : ok[FORECAST_THETA] ? FORECAST_THETA : FORECAST_NAIVE] = 1;
		return;
	}
	int eligible = 0;
	double inverse = 0;
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		if (error[m] <= 2 * best)
			eligible++, inverse += 1 / error[m];
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		if (error[m] <= 2 * best)
			w[m] = 0.5 / eligible + 0.5 * (1 / error[m]) / inverse;
}

/*
 * The combined forecast at step h: halfway between the weighted mean of
 * the methods in use and, when all three are, their median. The median
 * guards against one method gone astray (a jump just before the origin
 * leaves seasonal naive a week behind, and four quiet weeks of backtest
 * had weighted it in); the mean keeps the averaging of errors that pays
 * further out. On the real series each alone was worse at one end of
 * the horizons (docs/forecasting.md); trimmed and median combinations are
 * the textbook's robust operators (Jose and Winkler 2008).
 */
static double combine(const double w[FORECAST_METHOD__MAX], double *const fc[FORECAST_METHOD__MAX],
		      int h)
{
	double mean = 0;
	int used = 0;
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		if (w[m] > 0)
			mean += w[m] * fc[m][h], used++;
	if (used < FORECAST_METHOD__MAX)
		return mean;
	_Static_assert(FORECAST_METHOD__MAX == 3, "the median below is of three");
	double a = fc[0][h], b = fc[1][h], c = fc[2][h];
	double median = fmax(fmin(a, b), fmin(fmax(a, b), c));
	return 0.5 * mean + 0.5 * median;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Whether every method the weights use could forecast at origin k. */
static int weighted_ok(const struct backtest *b, int k, const double w[FORECAST_METHOD__MAX])
{
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		if (w[m] > 0 && !b->ok[k][m])
			return 0;
	return 1;
}

/* The combination's backtest: accuracy beside seasonal naive, and its
 * errors over the analytic spread, ratio[origin * b->horizon + step] (NaN
 * where there is none: a missing or infinite actual, or an origin where a
 * weighted method could not forecast). Returns -1 when out of memory. */
static int combination_backtest(const double *y, const struct backtest *b,
				const double w[FORECAST_METHOD__MAX], const double *sd,
				struct forecast_info *info, double *ratio)
{
	struct ets_accuracy combined = { 0 }, naive = { 0 };
	double *f = malloc(sizeof *f * (size_t)(b->horizon > 0 ? b->horizon : 1));
	if (f == NULL)
		return -1;
	for (int i = 0; i < b->origins * b->horizon; i++)
		ratio[i] = NAN;
	for (int k = 0; k < b->origins; k++) {
		if (!weighted_ok(b, k, w))
			continue;
		const double *actual = y + b->origin[k];
		for (int h = 0; h < b->horizon; h++) {
			f[h] = combine(w, b->fc[k], h);
			if (isfinite(actual[h]) && sd[h] > 0)
				ratio[k * b->horizon + h] = fabs(actual[h] - f[h]) / sd[h];
		}
		ets_score(&combined, actual, f, b->horizon, b->scale[k]);
		ets_score(&naive, actual, b->fc[k][FORECAST_NAIVE], b->horizon, b->scale[k]);
	}
	free(f);
	info->backtest.origins = b->origins;
	ets_accuracy_result(&combined, &naive, &info->backtest);
	info->have_backtest = combined.smape_n > 0;
	return 0;
}

/*
 * The backtest's scaled errors near step h (0-based) into out (sorted;
 * returns how many): the steps within a quarter of h either side (at
 * least three), widened until there are MIN_RESIDUALS or no more. Steps
 * past the backtest's horizon take its last ones. Near steps, because
 * errors grow with the horizon faster than the analytic spread on series
 * that drift; pooled, because four origins give four errors a step.
 */
static int errors_near(const double *ratio, const struct backtest *b, int h, double *out)
{
	int hb = b->horizon, centre = h < hb ? h : hb - 1, count = 0;
	for (int width = centre / 4 > 3 ? centre / 4 : 3;; width *= 2) {
		width = width < hb ? width : hb; /* the last pass takes every step */
		count = 0;
		for (int k = 0; k < b->origins; k++)
			for (int j = centre - width; j <= centre + width; j++)
				if (j >= 0 && j < hb && !isnan(ratio[k * hb + j]))
					out[count++] = ratio[k * hb + j];
		if (count >= MIN_RESIDUALS || width >= hb)
			break;
	}
	qsort(out, (size_t)count, sizeof *out, by_value);
	return count;
}

/*
 * The spread multiplier of a level at a step: the wider of the model's own
 * (the normal quantile) and the empirical quantile of the backtest's
 * errors near the step (split conformal, with the usual (n + 1)
 * finite-sample rank; not with fewer than MIN_RESIDUALS errors). Each
 * alone errs short: the analytic band takes the estimated model as true,
 * and four weeks of errors have not seen every regime the next weeks may
 * bring. A band too narrow is the costly mistake for whoever bets on it.
 */
static double band_multiplier(double level, const double *sorted, int n, int *calibrated)
{
	double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
	if (n < MIN_RESIDUALS)
		return z;
	int rank = (int)ceil((n + 1) * level) - 1;
	double q = sorted[rank < n ? rank : n - 1];
	if (q <= z)
		return z;
	*calibrated = 1;
	return q;
}

/* A member's name in `method`: the optimised Theta is OTM. */
static const char *method_name(int m, int days)
{
	return m == FORECAST_ETS ? "ETS" : m == FORECAST_NAIVE ? "SNaive" : days ? "Theta" : "OTM";
}

static void describe(const struct ets_fit *ets, const double w[FORECAST_METHOD__MAX], int days,
		     struct forecast_info *info)
{
	struct ets_summary sum;
	ets_summary(ets, &sum);
	info->ets = sum;
	int used = 0, only = 0;
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		if (w[m] > 0)
			used++, only = m;
	if (used == 1) {
		snprintf(info->method, sizeof info->method, "%s",
			 only == FORECAST_ETS ? sum.model : method_name(only, days));
		return;
	}
	size_t len = 0;
	for (int m = 0; m < FORECAST_METHOD__MAX && len < sizeof info->method; m++) {
		if (w[m] <= 0)
			continue;
		int wrote = snprintf(info->method + len, sizeof info->method - len, "%s%s .%02d",
				     len ? "|" : "", m == FORECAST_ETS ? sum.model : method_name(m, days),
				     (int)lround(w[m] * 100) > 99 ? 99 : (int)lround(w[m] * 100));
		len += wrote > 0 ? (size_t)wrote : 0;
	}
}

static void zero_forecast(int horizon, int nlevels, double *mean, double *lower, double *upper,
			  struct forecast_info *info)
{
	for (int h = 0; h < horizon; h++)
		mean[h] = 0;
	for (int i = 0; i < nlevels * horizon; i++)
		lower[i] = upper[i] = 0;
	snprintf(info->method, sizeof info->method, "zero: stopped");
	info->weight[FORECAST_NAIVE] = 1;
}

/* The nearest observed same weekday k = 1 or 2 weeks from day t, before
 * (dir -1) or after (dir +1); NaN when neither is. */
static double same_weekday(const double *gaps, size_t n, size_t m, size_t t, int dir)
{
	for (size_t k = 1; k <= 2; k++) {
		if (dir < 0 && t >= k * m && !isnan(gaps[t - k * m]))
			return gaps[t - k * m];
		if (dir > 0 && t + k * m < n && !isnan(gaps[t + k * m]))
			return gaps[t + k * m];
	}
	return NAN;
}

/*
 * What day t would have been without an event, from the same weekday a
 * week (or two) before and after: into fill, their mean, to impute the
 * day for the fit; into step_robust, the one nearer the day's own value
 * when the day stands above or below both, else the day's own value, to
 * measure events against. A day stands out as an event only as far as
 * it stands out from both sides: a budget raised on Black Friday and
 * kept stays up the week after, and the mean of the two sides would take
 * the new level for the event's effect. Either side alone when the other
 * is missing.
 */
static void weekly_baseline(const double *gaps, const double *y, size_t n, int period,
			    double *fill, double *step_robust)
{
	size_t m = cycle_length(period);
	for (size_t t = 0; t < n; t++) {
		double before = same_weekday(gaps, n, m, t, -1), after = same_weekday(gaps, n, m, t, 1);
		if (isnan(before) || isnan(after)) {
			fill[t] = step_robust[t] = isnan(before) ? after : before;
			continue;
		}
		fill[t] = (before + after) / 2;
		double lo = fmin(before, after), hi = fmax(before, after);
		step_robust[t] = y[t] > hi ? hi : y[t] < lo ? lo : y[t];
	}
}

/* The median of v[0..k) (reordered; insertion sort: k is at most six,
 * where qsort's calls cost most of the time, and this runs every day). */
static double median(double *v, int k)
{
	for (int i = 1; i < k; i++) {
		double x = v[i];
		int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/*
 * Marks one-day outliers missing: a day further than 6 robust standard
 * deviations (1.4826 x MAD) from the median of the same weekday in the
 * three weeks before and after. Only days with a week of data on both
 * sides: a change in the last week may be the start of a new level, not an
 * outlier; and a level shift puts old and new values on either side of a
 * day, so its days stand close to that median.
 */
static void mark_outliers(double *gaps, const double *y, size_t n, int period)
{
	size_t m = cycle_length(period);
	for (size_t t = m; t + m < n; t++) {
		if (isnan(gaps[t]))
			continue;
		double v[6], dev[6];
		int k = 0;
		for (size_t j = 1; j <= 3; j++) {
			if (t >= j * m && !isnan(y[t - j * m]))
				v[k++] = y[t - j * m];
			if (t + j * m < n && !isnan(y[t + j * m]))
				v[k++] = y[t + j * m];
		}
		if (k < 4)
			continue;
		double med = median(v, k);
		for (int i = 0; i < k; i++)
			dev[i] = fabs(v[i] - med);
		double mad = median(dev, k);
		if (mad > 0 && fabs(gaps[t] - med) > 6 * 1.4826 * mad)
			gaps[t] = NAN;
	}
}

/*
 * The series the methods are fitted to: with dates, the calendar's event
 * days, and one-day outliers, replaced by the same weekday a week before
 * and after, so that neither drags the level (imputed rather than left
 * missing, which keeps ETS's fast gap-free least squares; the series' own
 * gaps stay missing). The caller frees it. With dates, *effects receives
 * the events' effects, measured against the step-robust weekly baseline
 * (weekly_baseline); without, none.
 */
static double *series_to_fit(const double *y, size_t n, const struct forecast_options *opt,
			     struct event_effects *effects)
{
	double *fit = calloc(n ? n : 1, sizeof *fit), *fill = calloc(n ? n : 1, sizeof *fill);
	double *robust = calloc(n ? n : 1, sizeof *robust);
	int dated = opt->first_day >= 0;
	int *event = dated ? malloc(sizeof(int) * 2 * (n ? n : 1)) : NULL;
	if (fit == NULL || fill == NULL || robust == NULL || (dated && event == NULL)) {
		free(fit);
		free(fill);
		free(robust);
		free(event);
		return NULL;
	}
	memset(effects, 0, sizeof *effects);
	if (dated)
		event_calendar_span(opt->calendar, opt->first_day, n, event, event + n);
	/* fit first holds the series with those days missing. */
	for (size_t t = 0; t < n; t++)
		fit[t] = dated && event[t] >= 0 ? NAN : y[t];
	free(event);
	mark_outliers(fit, y, n, opt->period);
	weekly_baseline(fit, y, n, opt->period, fill, robust);
	if (dated)
		events_estimate(opt->calendar, y, robust, n, opt->first_day, effects);
	for (size_t t = 0; t < n; t++)
		if (isnan(fit[t]) && !isnan(y[t]))
			fit[t] = fill[t];
	free(fill);
	free(robust);
	return fit;
}

/*
 * The most significant level shift in the last half year: weekly means
 * (whole periods counted back from the end, so the season cancels) after
 * a break at a period boundary against the LEVEL_WEEKS_BEFORE before it,
 * by Welch's t. A break needs MIN_WEEKS_AFTER weeks after it (fewer cannot
 * be told from noise, and ETS follows a newer change by itself) and
 * LEVEL_WEEKS_BEFORE before; one older than MAX_WEEKS_AFTER the methods
 * have long adapted to. Returns the break's index, 0 when none has |t| >
 * LEVEL_T and a change of more than LEVEL_CHANGE of the level.
 */
#define MIN_WEEKS_AFTER 4
#define MAX_WEEKS_AFTER 26
#define LEVEL_WEEKS_BEFORE 8
#define LEVEL_T 4.0
#define LEVEL_CHANGE 0.2
#define MAX_WEEKS (MAX_WEEKS_AFTER + LEVEL_WEEKS_BEFORE)

/* Sums for a sample's mean and variance. */
struct moments {
	double sum, squares;
	int count;
};

static void moments_add(struct moments *mo, double v)
{
	mo->sum += v;
	mo->squares += v * v;
	mo->count++;
}

static double moments_mean(const struct moments *mo)
{
	return mo->sum / mo->count;
}

static double moments_variance(const struct moments *mo) /* unbiased; count > 1 */
{
	double mean = moments_mean(mo);
	return fmax(mo->squares / mo->count - mean * mean, 0) * mo->count / (mo->count - 1);
}

static size_t level_shift_candidate(const double *y, size_t n, int period)
{
	size_t m = cycle_length(period);
	int weeks = (int)(n / m) < MAX_WEEKS ? (int)(n / m) : MAX_WEEKS;
	double week[MAX_WEEKS]; /* week[0] is the last */
	for (int w = 0; w < weeks; w++) {
		double sum = 0;
		int seen = 0;
		for (size_t t = n - (size_t)(w + 1) * m; t < n - (size_t)w * m; t++)
			if (!isnan(y[t]))
				sum += y[t], seen++;
		week[w] = seen == (int)m ? sum / seen : NAN; /* a partial week mixes weekdays */
	}
	double best_t = LEVEL_T;
	size_t best = 0;
	for (int k = MIN_WEEKS_AFTER; k + LEVEL_WEEKS_BEFORE <= weeks; k++) {
		struct moments after = { 0 }, before = { 0 };
		for (int w = 0; w < k + LEVEL_WEEKS_BEFORE; w++)
			if (!isnan(week[w]))
				moments_add(w < k ? &after : &before, week[w]);
		if (after.count < MIN_WEEKS_AFTER || before.count < LEVEL_WEEKS_BEFORE / 2)
			continue;
		double ma = moments_mean(&after), mb = moments_mean(&before);
		double se = sqrt(moments_variance(&after) / after.count +
				 moments_variance(&before) / before.count);
		double diff = fabs(ma - mb);
		double t = se > 0 ? diff / se : (diff > 0 ? INFINITY : 0);
		if (t > best_t && diff > LEVEL_CHANGE * fmax(fabs(ma), fabs(mb))) {
			best_t = t;
			best = n - (size_t)k * m;
		}
	}
	return best;
}

#define SHIFT_ORIGINS 4 /* origins of the level-shift backtest */
#define SHIFT_AHEAD 7   /* days each forecasts, and between origins */

/*
 * Where to fit from: after a level shift (a budget change), when the
 * whole series' ETS form refitted on the data after it forecast the last
 * weeks better (absolute error over a week ahead, at up to four origins a
 * week apart) than refitted on the whole history. Else 0. (The shift test
 * already asks for a change noise does not make; the backtest then asks
 * whether the old level still helps, as it does while little new data
 * has come.) Only when the data after the break hold the combination's
 * own backtest (two periods, then its horizon), which its weights and
 * bands need.
 */
static size_t fit_start(const double *y, size_t n, const struct forecast_options *opt,
			const struct ets_fit *whole, int horizon)
{
	size_t from = level_shift_candidate(y, n, opt->period), m = cycle_length(opt->period);
	size_t backtested = (size_t)(horizon < opt->max_backtest ? horizon : opt->max_backtest);
	if (from == 0 || n - from < 2 * m + backtested)
		return 0;
	struct ets_options eo = ets_options_for(opt);
	const int ahead = SHIFT_AHEAD;
	double error[2] = { 0, 0 }, fc[SHIFT_AHEAD];
	int origins = 0;
	for (int k = 0; k < SHIFT_ORIGINS; k++) {
		size_t origin = n - (size_t)ahead - (size_t)k * SHIFT_AHEAD; /* a week apart */
		if (origin < from + 2 * m)
			break;
		for (int i = 0; i < 2; i++) {
			size_t start = i ? from : 0;
			enum ets_status st;
			struct ets_fit *f = ets_refit(whole, y + start, origin - start, &eo, &st);
			if (f == NULL || ets_forecast(f, ahead, NULL, 0, fc, NULL, NULL) != 0) {
				ets_free(f);
				return 0;
			}
			ets_free(f);
			for (int h = 0; h < ahead; h++)
				if (!isnan(y[origin + (size_t)h]))
					error[i] += fabs(y[origin + (size_t)h] - fc[h]);
		}
		origins++;
	}
	return origins > 0 && error[1] < error[0] ? from : 0;
}

/* Where the methods are fitted from (fit_start): when after a level
 * shift, *ets becomes the fit of the data after it (the whole series' fit
 * stays when that cannot be had). */
static size_t refit_after_shift(const double *y, size_t n, const struct forecast_options *opt,
				int horizon, struct ets_fit **ets)
{
	size_t from = fit_start(y, n, opt, *ets, horizon);
	if (from == 0)
		return 0;
	struct ets_options eo = ets_options_for(opt);
	enum ets_status st;
	struct ets_fit *tail = ets_fit(y + from, n - from, &eo, &st);
	if (tail == NULL)
		return 0;
	ets_free(*ets);
	*ets = tail;
	return from;
}

/* Multiplies the forecasts and bands of event days by the effect the
 * history shows for that day of the event (events_estimate). */
static void apply_events(const struct event_effects *effects, size_t n,
			 const struct forecast_options *opt, int horizon, int nlevels, double *mean,
			 double *lower, double *upper, struct forecast_info *info)
{
	for (int h = 0; h < horizon; h++) {
		int j, e = event_calendar_on(opt->calendar, opt->first_day + (long)n + h, &j);
		if (e < 0 || effects->occurrences[e] == 0)
			continue;
		double f = effects->factor[e][j];
		mean[h] *= f;
		for (int i = 0; i < nlevels; i++)
			lower[i * horizon + h] *= f, upper[i * horizon + h] *= f;
		info->event_days++;
	}
}

/*
 * Makes v[0..n) non-decreasing by pooling adjacent violators (the
 * least-squares monotone fit): a band's multiplier should not fall with
 * the horizon, as what is further out is no better known, but the
 * quantiles of the errors near each step wobble. size[n] is work.
 */
static void non_decreasing(double *v, double *size, int n)
{
	int blocks = 0;
	for (int i = 0; i < n; i++) {
		v[blocks] = v[i];
		size[blocks] = 1;
		while (blocks > 0 && v[blocks - 1] > v[blocks]) {
			double total = size[blocks - 1] + size[blocks];
			v[blocks - 1] = (v[blocks - 1] * size[blocks - 1] + v[blocks] * size[blocks]) / total;
			size[blocks - 1] = total;
			blocks--;
		}
		blocks++;
	}
	for (int b = blocks - 1, i = n; b >= 0; b--)
		for (int k = 0; k < (int)size[b]; k++)
			v[--i] = v[b];
}

/* The combined forecast and its bands, from the fits and the backtest.
 * Returns -1 when out of memory. */
static int combined_forecast(const double *y, size_t n, const struct forecast_options *opt,
			      const struct ets_fit *ets, const struct backtest *b, int horizon,
			      const double *levels, int nlevels, double *work, double *ratio,
			      double *mean, double *lower, double *upper, struct forecast_info *info)
{
	double *fc[FORECAST_METHOD__MAX], *sd = work + FORECAST_METHOD__MAX * horizon;
	for (int m = 0; m < FORECAST_METHOD__MAX; m++)
		fc[m] = work + m * horizon;
	int ok[FORECAST_METHOD__MAX];
	method_forecasts(y, n, opt, ets, 0, horizon, fc, ok);
	if (!ok[FORECAST_ETS])
		return -1;
	ets_forecast_sd(ets, horizon, sd);
	if (isnan(sd[0])) /* its working memory could not be had */
		return -1;
	combination_weights(b, ok, daily(opt), info->weight);
	if (combination_backtest(y, b, info->weight, sd, info, ratio) != 0)
		return -1;
	for (int h = 0; h < horizon; h++) {
		double v = combine(info->weight, fc, h);
		mean[h] = opt->nonnegative && v < 0 ? 0 : v;
	}
	double *near = ratio + MAX_ORIGINS * b->horizon, *q = sd + horizon, *pool = q + horizon;
	for (int i = 0; i < nlevels; i++) {
		for (int h = 0; h < horizon; h++) {
			int count = errors_near(ratio, b, h, near);
			q[h] = band_multiplier(levels[i], near, count, &info->calibrated);
		}
		non_decreasing(q, pool, horizon);
		for (int h = 0; h < horizon; h++) {
			double lo = mean[h] - q[h] * sd[h], hi = mean[h] + q[h] * sd[h];
			lower[i * horizon + h] = opt->nonnegative && lo < 0 ? 0 : lo;
			upper[i * horizon + h] = opt->nonnegative && hi < 0 ? 0 : hi;
		}
	}
	return 0;
}

/* A horizon of at least one step and levels inside (0, 1). */
static int valid_request(int horizon, const double *levels, int nlevels)
{
	int valid = horizon >= 1 && nlevels >= 0;
	for (int i = 0; i < nlevels; i++)
		valid &= levels[i] > 0 && levels[i] < 1;
	return valid;
}

int forecast_series(const double *raw, size_t n, const struct forecast_options *opt, int horizon,
		    const double *levels, int nlevels, double *mean, double *lower, double *upper,
		    struct forecast_info *info, enum ets_status *status)
{
	memset(info, 0, sizeof *info);
	if (!valid_request(horizon, levels, nlevels)) {
		*status = ETS_FAILED;
		return -1;
	}
	struct backtest b;
	memset(&b, 0, sizeof b); /* freed below whether or not the backtest ran */
	double *work = NULL, *ratio = NULL;
	struct ets_fit *ets = NULL;
	int rc = -1;
	struct event_effects effects;
	double *y = series_to_fit(raw, n, opt, &effects);
	if (y == NULL) {
		*status = ETS_FAILED;
		goto out;
	}
	struct ets_options eo = ets_options_for(opt);
	if ((ets = ets_fit(y, n, &eo, status)) == NULL)
		goto out;
	if (stopped(raw, n)) {
		zero_forecast(horizon, nlevels, mean, lower, upper, info);
		ets_summary(ets, &info->ets);
		rc = 0;
		goto out;
	}
	/* After a level shift the methods see only the new level; the events
	 * are still learnt from the whole history. */
	size_t from = refit_after_shift(y, n, opt, horizon, &ets);
	info->fitted_from = (long)from;
	/* Each method's forecasts, the spread, a band's multipliers and room
	 * to make them monotone. */
	work = malloc(sizeof(double) * (size_t)horizon * (FORECAST_METHOD__MAX + 3));
	/* The scaled errors, then room for those near one step. */
	ratio = malloc(sizeof(double) * (size_t)(2 * MAX_ORIGINS * horizon + 1));
	if (work == NULL || ratio == NULL ||
	    backtest_run(y + from, n - from, opt, ets, horizon, &b) != 0) {
		*status = ETS_FAILED;
		goto out;
	}
	if (combined_forecast(y + from, n - from, opt, ets, &b, horizon, levels, nlevels, work,
			      ratio, mean, lower, upper, info) != 0) {
		*status = ETS_FAILED;
		goto out;
	}
	if (opt->first_day >= 0)
		apply_events(&effects, n, opt, horizon, nlevels, mean, lower, upper, info);
	describe(ets, info->weight, daily(opt), info);
	rc = 0;
out:
	backtest_free(&b);
	free(work);
	free(ratio);
	ets_free(ets);
	free(y);
	return rc;
}
