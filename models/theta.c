#include "theta.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD 24

enum season_kind { SEASON_NONE, SEASON_MULTIPLICATIVE, SEASON_ADDITIVE };

struct theta_fit {
	enum theta_method method;
	int period;
	enum season_kind season;
	double index[MAX_PERIOD]; /* by position t mod period */
	size_t n;
	double alpha;      /* the smoothing weight */
	double level;      /* the smoothed level at n */
	double sigma2;     /* the one-step variance */
	double drift;      /* standard: half the line's slope */
	double weight;     /* optimised: 1 - 1/theta, the line's share in the forecast */
	double a, b;       /* optimised: the line's intercept and slope, at time 1..n */
	double ones, time; /* optimised: the smoothing, of like weights, of 1 and of t */
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

static enum season_kind season_of(const double *y, size_t n, int m)
{
	if (m < 2 || m > MAX_PERIOD || !seasonality_significant(y, n, m))
		return SEASON_NONE;
	for (size_t t = 0; t < n; t++)
		if (!isnan(y[t]) && y[t] <= 0)
			return SEASON_ADDITIVE;
	return SEASON_MULTIPLICATIVE;
}

/* Running sums of a least-squares line against time. */
struct line_sums {
	double k, st, sy, stt, sty;
};

static void line_add(struct line_sums *s, double x, double y)
{
	s->k++, s->st += x, s->sy += y, s->stt += x * x, s->sty += x * y;
}

/* The line through what was added: intercept (at time 0) and slope; flat
 * through their mean with fewer than two times, zero with none. */
static void line_of(const struct line_sums *s, double *a, double *b)
{
	double d = s->k * s->stt - s->st * s->st;
	*b = s->k >= 2 && d > 0 ? (s->k * s->sty - s->st * s->sy) / d : 0;
	*a = s->k > 0 ? (s->sy - *b * s->st) / s->k : 0;
}

/*
 * One pass of the optimised model at smoothing weight alpha. The one-step
 * forecast of y_t (time t = 1..n) is
 *
 *   mu_t = l_(t-1) + w (A + B t - L_(t-1)),   w = 1 - 1/theta,
 *
 * where A + B t is the series' least-squares line, l is simple exponential
 * smoothing of y from l_0 and L that of the line from zero, with the same
 * weight (both held over a missing value). With no value missing the
 * bracket is Fiorucci et al.'s (2016, eq. 5) (1 - alpha)^(t-1) A +
 * (1 - (1 - alpha)^t) / alpha B. L is linear in the line: L = A ones +
 * B time, the smoothing of 1 and of t. mu_t is linear in l_0 and w:
 * mu_t = g_t l_0 + c_t + w d_t; the pass sums the squares and products of
 * r_t = y_t - c_t, g_t and d_t, for a least-squares l_0 and w.
 */
struct pass {
	double sgg, sgd, sdd, sgr, sdr, srr;
	size_t count;
	double g, c, ones, time; /* at the end: l_n = g l_0 + c */
};

static void model_pass(const double *x, size_t n, double alpha, double a, double b,
		       struct pass *p)
{
	memset(p, 0, sizeof *p);
	double g = 1, c = 0, ones = 0, time = 0;
	for (size_t t = 0; t < n; t++) {
		if (isnan(x[t]))
			continue;
		double tt = (double)(t + 1);
		double d = a * (1 - ones) + b * (tt - time);
		double r = x[t] - c;
		p->sgg += g * g, p->sgd += g * d, p->sdd += d * d;
		p->sgr += g * r, p->sdr += d * r, p->srr += r * r;
		p->count++;
		c = alpha * x[t] + (1 - alpha) * c;
		g *= 1 - alpha;
		ones = alpha + (1 - alpha) * ones;
		time = alpha * tt + (1 - alpha) * time;
	}
	p->g = g, p->c = c, p->ones = ones, p->time = time;
}

static double pass_sse(const struct pass *p, double level0, double w)
{
	double sse = p->srr - 2 * level0 * p->sgr - 2 * w * p->sdr + level0 * level0 * p->sgg +
		     2 * level0 * w * p->sgd + w * w * p->sdd;
	return isnan(sse) ? INFINITY : sse > 0 ? sse : 0;
}

/* The least-squares l_0 and w, with w in [0, 1] (theta >= 1); the sum of
 * squares is convex, so the best w on the bound is the clamped one. */
static double pass_solve(const struct pass *p, double *level0, double *w)
{
	if (p->sgg <= 0) {
		*level0 = 0, *w = 0.5;
		return pass_sse(p, *level0, *w);
	}
	double det = p->sgg * p->sdd - p->sgd * p->sgd;
	double k = det > 1e-12 * p->sgg * (p->sdd > 0 ? p->sdd : 1)
			   ? (p->sgg * p->sdr - p->sgd * p->sgr) / det
			   : 0.5; /* the line no help beyond l_0: the standard theta = 2 */
	*w = k < 0 ? 0 : k > 1 ? 1 : k;
	*level0 = (p->sgr - *w * p->sgd) / p->sgg;
	return pass_sse(p, *level0, *w);
}

static double profile_sse(const double *x, size_t n, double alpha, double a, double b)
{
	struct pass p;
	double level0, w;
	model_pass(x, n, alpha, a, b, &p);
	return pass_solve(&p, &level0, &w);
}

#define ALPHA_MIN 1e-3

struct profile {
	const double *x;
	size_t n;
	double a, b;
};

static double profile_at(double alpha, void *params)
{
	const struct profile *p = params;
	return profile_sse(p->x, p->n, alpha, p->a, p->b);
}

/* The alpha of least in-sample one-step squared error: a grid, then GSL's
 * Brent minimiser between the best point's neighbours (the grid's best
 * where it is at an end, or the bracket is flat). */
static double best_alpha(const double *x, size_t n, double a, double b)
{
	static const double grid[] = { ALPHA_MIN, 0.003, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1,
				       0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1 };
	enum { G = sizeof grid / sizeof grid[0] };
	struct profile p = { x, n, a, b };
	int best = 0;
	double sse[G];
	for (int j = 0; j < G; j++)
		if ((sse[j] = profile_at(grid[j], &p)) < sse[best])
			best = j;
	if (best == 0 || best == G - 1 || !(sse[best] < sse[best - 1] && sse[best] < sse[best + 1]))
		return grid[best];
	gsl_set_error_handler_off(); /* errors are answers here, not aborts */
	gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
	gsl_function f = { profile_at, &p };
	double alpha = grid[best];
	if (m != NULL && gsl_min_fminimizer_set_with_values(m, &f, grid[best], sse[best],
							     grid[best - 1], sse[best - 1],
							     grid[best + 1], sse[best + 1]) == GSL_SUCCESS) {
		for (int iter = 0; iter < 100; iter++)
			if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS ||
			    gsl_min_test_interval(gsl_min_fminimizer_x_lower(m),
						  gsl_min_fminimizer_x_upper(m), 1e-6, 0) != GSL_CONTINUE)
				break;
		if (gsl_min_fminimizer_f_minimum(m) < sse[best])
			alpha = gsl_min_fminimizer_x_minimum(m);
	}
	if (m != NULL)
		gsl_min_fminimizer_free(m);
	return alpha;
}

/* The least-squares line of the observed values of x[0..n) against time
 * 1..n; returns how many values it went through. */
static double series_line(const double *x, size_t n, double *a, double *b)
{
	struct line_sums sums = { 0 };
	for (size_t t = 0; t < n; t++)
		if (!isnan(x[t]))
			line_add(&sums, (double)(t + 1), x[t]);
	line_of(&sums, a, b);
	return sums.k;
}

/* The optimised method on the adjusted series x[0..n): -1 without two
 * observed values (no line), or out of memory. The model is the same for
 * the series moved and scaled (the initial level free, the line and its
 * smoothing linear), so it is fitted to (x - mean) / spread: its sums of
 * squares in closed form then lose nothing to a level of 1e9 against a
 * noise of 10, nor overflow at 1e200. */
static int fit_optimised(struct theta_fit *f, const double *x, size_t n)
{
	double centre = 0, spread = 0;
	size_t k = 0;
	for (size_t t = 0; t < n; t++)
		if (!isnan(x[t]))
			centre += (x[t] - centre) / (double)++k; /* a running mean: no overflow */
	for (size_t t = 0; t < n; t++)
		if (!isnan(x[t]))
			spread = fmax(spread, fabs(x[t] - centre));
	if (k < 2 || !isfinite(spread))
		return -1;
	spread = spread > 0 ? spread : 1;
	double *z = malloc(sizeof *z * n);
	if (z == NULL)
		return -1;
	for (size_t t = 0; t < n; t++)
		z[t] = (x[t] - centre) / spread; /* NaN stays NaN */
	double a, b;
	series_line(z, n, &a, &b);
	f->alpha = best_alpha(z, n, a, b);
	struct pass p;
	double level0;
	model_pass(z, n, f->alpha, a, b, &p);
	double sse = pass_solve(&p, &level0, &f->weight);
	free(z);
	/* Back in the series' units: the forecast level + w (a (1 - ones) +
	 * b (time ahead)) moves by the centre and scales by the spread. */
	f->level = centre + spread * (p.g * level0 + p.c);
	f->a = spread * a;
	f->b = spread * b;
	f->ones = p.ones;
	f->time = p.time;
	/* Three estimated: alpha, l_0 and theta. */
	f->sigma2 = spread * spread * sse / (double)(p.count > 3 ? p.count - 3 : 1);
	if (!(f->sigma2 > 0) || !isfinite(f->sigma2))
		f->sigma2 = 1e-12 * spread * spread;
	return 0;
}

/* The standard method on the adjusted series x[0..n): simple exponential
 * smoothing (ets's A,N,N, as thetaf fits it) and half the line's slope.
 * -1 (status set) when there is no fit. */
static int fit_standard(struct theta_fit *f, const double *x, size_t n, enum ets_status *status)
{
	struct ets_options opt;
	ets_options_default(&opt);
	opt.period = 1;
	opt.force_error = 0;
	opt.force_trend = ETS_TREND_NONE;
	opt.force_seasonal = 0;
	struct ets_fit *ses = ets_fit(x, n, &opt, status);
	if (ses == NULL)
		return -1;
	struct ets_summary sum;
	ets_summary(ses, &sum);
	ets_forecast(ses, 1, NULL, 0, &f->level, NULL, NULL);
	f->alpha = sum.alpha > 1e-6 ? sum.alpha : 1e-6;
	f->sigma2 = sum.sigma2;
	double a, b;
	series_line(x, n, &a, &b);
	f->drift = b / 2;
	ets_free(ses);
	return 0;
}

struct theta_fit *theta_fit(const double *y, size_t n, int period, enum theta_method method,
			    enum ets_status *status)
{
	struct theta_fit *f = calloc(1, sizeof *f);
	double *adjusted = malloc(sizeof *adjusted * (n ? n : 1));
	if (f == NULL || adjusted == NULL) {
		free(f);
		free(adjusted);
		*status = ETS_FAILED;
		return NULL;
	}
	f->method = method;
	f->n = n;
	f->period = period >= 2 && period <= MAX_PERIOD ? period : 1;
	f->season = season_of(y, n, f->period);
	if (f->season != SEASON_NONE)
		seasonal_indices(y, n, f->period, f->season, f->index);
	for (size_t t = 0; t < n; t++)
		adjusted[t] = isfinite(y[t]) ? adjust(f, y[t], t) : NAN;
	int rc = method == THETA_OPTIMISED ? fit_optimised(f, adjusted, n)
					   : fit_standard(f, adjusted, n, status);
	free(adjusted);
	if (rc != 0) {
		if (method == THETA_OPTIMISED)
			*status = ETS_TOO_SHORT;
		free(f);
		return NULL;
	}
	*status = ETS_OK;
	return f;
}

void theta_free(struct theta_fit *fit)
{
	free(fit);
}

/* The forecast h periods on, before the season is put back. */
static double adjusted_forecast(const struct theta_fit *f, int h)
{
	if (f->method == THETA_OPTIMISED)
		return f->level + f->weight * (f->a * (1 - f->ones) +
					       f->b * ((double)f->n + h - f->time));
	/* Hyndman and Billah (2003), eq. (4): the drift's weight grows from
	 * (1 - (1 - alpha)^n) / alpha at h = 1 by one per period. */
	double start = (1 - pow(1 - f->alpha, (double)f->n)) / f->alpha;
	return f->level + f->drift * ((double)(h - 1) + start);
}

void theta_forecast(const struct theta_fit *f, int horizon, double *mean, double *sd)
{
	for (int h = 1; h <= horizon; h++) {
		size_t t = f->n + (size_t)h - 1;
		double s = f->index[t % (size_t)f->period];
		double v = adjusted_forecast(f, h);
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
	*drift = fit->method == THETA_OPTIMISED ? fit->weight * fit->b : fit->drift;
	*seasonal = (int)fit->season;
}
