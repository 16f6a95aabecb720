#include "theta.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD 24

enum season_kind { SEASON_NONE, SEASON_MULTIPLICATIVE, SEASON_ADDITIVE };

struct theta_fit {
	int period;
	enum season_kind season;
	double index[MAX_PERIOD]; /* by position t mod period */
	size_t n;
	double alpha, level, drift, sigma2;
};

/* Autocorrelation of the observed values of y at lag k. */
static double autocorrelation(const double *y, size_t n, int k, double mean, double variance)
{
	double sum = 0;
	for (size_t t = (size_t)k; t < n; t++)
		if (!isnan(y[t]) && !isnan(y[t - (size_t)k]))
			sum += (y[t] - mean) * (y[t - (size_t)k] - mean);
	return variance > 0 ? sum / variance : 0;
}

/* R's thetaf test: |r_m| beyond 1.645 standard errors, Bartlett's. */
static int seasonality_significant(const double *y, size_t n, int m)
{
	double mean = 0, variance = 0;
	size_t count = 0;
	for (size_t t = 0; t < n; t++)
		if (!isnan(y[t]))
			mean += y[t], count++;
	if (count < (size_t)(2 * m))
		return 0;
	mean /= (double)count;
	for (size_t t = 0; t < n; t++)
		if (!isnan(y[t]))
			variance += (y[t] - mean) * (y[t] - mean);
	double sum_sq = 0;
	for (int k = 1; k < m; k++) {
		double r = autocorrelation(y, n, k, mean, variance);
		sum_sq += r * r;
	}
	double r_m = autocorrelation(y, n, m, mean, variance);
	return fabs(r_m) / sqrt((1 + 2 * sum_sq) / (double)count) > 1.6448536;
}

/* The centred moving average of one period around t (a 2 x m average for an
 * even m); NaN when the window is not all observed. */
static double centred_average(const double *y, size_t n, int m, size_t t)
{
	int half = m / 2;
	if (t < (size_t)half || t + (size_t)half >= n)
		return NAN;
	double sum = 0;
	for (int k = -half; k <= half; k++) {
		double v = y[t + (size_t)k];
		if (isnan(v))
			return NAN;
		double weight = (m % 2 == 0 && (k == -half || k == half)) ? 0.5 : 1;
		sum += weight * v;
	}
	return sum / m;
}

/* Classical decomposition's seasonal indices, normalised (mean 1, or 0). */
static void seasonal_indices(const double *y, size_t n, int m, enum season_kind kind, double *index)
{
	double sum[MAX_PERIOD] = { 0 };
	int count[MAX_PERIOD] = { 0 };
	for (size_t t = 0; t < n; t++) {
		double cma = centred_average(y, n, m, t);
		if (isnan(cma) || isnan(y[t]) || (kind == SEASON_MULTIPLICATIVE && cma <= 0))
			continue;
		sum[t % (size_t)m] += kind == SEASON_MULTIPLICATIVE ? y[t] / cma : y[t] - cma;
		count[t % (size_t)m]++;
	}
	double neutral = kind == SEASON_MULTIPLICATIVE ? 1 : 0, total = 0;
	for (int j = 0; j < m; j++) {
		index[j] = count[j] ? sum[j] / count[j] : neutral;
		total += index[j];
	}
	for (int j = 0; j < m; j++)
		index[j] = kind == SEASON_MULTIPLICATIVE ? index[j] * m / total : index[j] - total / m;
}

static double adjust(const struct theta_fit *f, double v, size_t t)
{
	double s = f->index[t % (size_t)f->period];
	return f->season == SEASON_MULTIPLICATIVE ? v / s : f->season == SEASON_ADDITIVE ? v - s : v;
}

/* Least-squares slope of the observed values against time. */
static double trend_slope(const double *y, size_t n)
{
	double st = 0, sy = 0, stt = 0, sty = 0, k = 0;
	for (size_t t = 0; t < n; t++) {
		if (isnan(y[t]))
			continue;
		double x = (double)t;
		st += x, sy += y[t], stt += x * x, sty += x * y[t], k++;
	}
	double d = k * stt - st * st;
	return k >= 2 && d > 0 ? (k * sty - st * sy) / d : 0;
}

static enum season_kind season_of(const double *y, size_t n, int m)
{
	if (m < 2 || m > MAX_PERIOD || !seasonality_significant(y, n, m))
		return SEASON_NONE;
	for (size_t t = 0; t < n; t++)
		if (!isnan(y[t]) && y[t] <= 0)
			return SEASON_ADDITIVE;
	return SEASON_MULTIPLICATIVE;
}

struct theta_fit *theta_fit(const double *y, size_t n, int period, enum ets_status *status)
{
	struct theta_fit *f = calloc(1, sizeof *f);
	double *adjusted = malloc(sizeof *adjusted * (n ? n : 1));
	if (f == NULL || adjusted == NULL) {
		free(f);
		free(adjusted);
		*status = ETS_FAILED;
		return NULL;
	}
	f->n = n;
	f->period = period >= 2 && period <= MAX_PERIOD ? period : 1;
	f->season = season_of(y, n, f->period);
	if (f->season != SEASON_NONE)
		seasonal_indices(y, n, f->period, f->season, f->index);
	for (size_t t = 0; t < n; t++)
		adjusted[t] = isfinite(y[t]) ? adjust(f, y[t], t) : NAN;
	/* Simple exponential smoothing: the A,N,N form of ets. */
	struct ets_options opt;
	ets_options_default(&opt);
	opt.period = 1;
	opt.force_error = 0; /* SES: the additive A,N,N */
	opt.force_trend = ETS_TREND_NONE;
	opt.force_seasonal = 0;
	struct ets_fit *ses = ets_fit(adjusted, n, &opt, status);
	if (ses == NULL) {
		free(f);
		free(adjusted);
		return NULL;
	}
	struct ets_summary sum;
	ets_summary(ses, &sum);
	double level;
	ets_forecast(ses, 1, NULL, 0, &level, NULL, NULL);
	f->alpha = sum.alpha > 1e-6 ? sum.alpha : 1e-6;
	f->level = level;
	f->sigma2 = sum.sigma2;
	f->drift = trend_slope(adjusted, n) / 2;
	ets_free(ses);
	free(adjusted);
	*status = ETS_OK;
	return f;
}

void theta_free(struct theta_fit *fit)
{
	free(fit);
}

void theta_forecast(const struct theta_fit *f, int horizon, double *mean, double *sd)
{
	/* Hyndman and Billah (2003), eq. (4): the drift's weight grows from
	 * (1 - (1 - alpha)^n) / alpha at h = 1 by one per period. */
	double start = (1 - pow(1 - f->alpha, (double)f->n)) / f->alpha;
	for (int h = 1; h <= horizon; h++) {
		size_t t = f->n + (size_t)h - 1;
		double s = f->index[t % (size_t)f->period];
		double v = f->level + f->drift * ((double)(h - 1) + start);
		double spread = sqrt(f->sigma2 * (1 + (h - 1) * f->alpha * f->alpha));
		if (f->season == SEASON_MULTIPLICATIVE)
			v *= s, spread *= s;
		else if (f->season == SEASON_ADDITIVE)
			v += s;
		mean[h - 1] = v;
		if (sd != NULL)
			sd[h - 1] = spread;
	}
}

void theta_describe(const struct theta_fit *fit, double *alpha, double *drift, int *seasonal)
{
	*alpha = fit->alpha;
	*drift = fit->drift;
	*seasonal = (int)fit->season;
}
