#include "curve.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const curve_kind_names[] = { "none", "hill", "power" };
const char *const curve_confidence_names[] = { "low", "medium", "high" };

#define MIN_LEVELS_FOR_SHAPE 3 /* distinct spend levels needed to learn a shape */
#define PRIOR_EXPONENT 0.5     /* power-law exponent assumed when they are too few */
#define POWER_PRIOR_SD 0.25    /* how far from it the exponent is expected to lie */
#define CV_FOLDS 5             /* blocks of days held out in turn */
#define MIN_POINTS_FOR_CV 20   /* fewer days: concave forms, chosen in sample */
#define BOOTSTRAP_BLOCK 7      /* days resampled together: a week keeps its pattern */
#define ALPHA_MIN 0.05
#define ALPHA_S_MAX 3.0        /* Robyn's upper bound for the Hill shape */
/* An S-fit is fitted from here: below it the threshold is under a few
 * percent of k, a curve no allocation could tell from the concave one at
 * alpha 1, which would only make the two forms tie. */
#define ALPHA_S_MIN 1.1
#define MIN_WEEKDAY_FACTOR 0.2 /* below: not a weekly pattern to divide by */

/*
 * A Hill curve as beta times the logistic of t = alpha log(s / k), and the
 * factor u / (1 + u)^2 of its derivative (u = e^t) from w = e^-|t|, the
 * same for t and -t: neither overflows where (s / k)^alpha would (a
 * spend far past k, an infinite one), which made them inf / inf.
 */
static double hill_value(double beta, double k, double alpha, double s)
{
	return beta / (1 + exp(-alpha * log(s / k)));
}

static double hill_slope_factor(double k, double alpha, double s)
{
	double w = exp(-fabs(alpha * log(s / k)));
	return w / ((1 + w) * (1 + w));
}

/* The curve of kind `kind` with parameters p (Hill: beta, k, alpha;
 * power: a, b) at x. */
static double value_of(enum curve_kind kind, const double *p, double x)
{
	if (x <= 0)
		return 0;
	if (kind == CURVE_HILL)
		return hill_value(p[0], p[1], p[2], x);
	return kind == CURVE_POWER ? p[0] * pow(x, p[1]) : 0;
}

/* --- the draws' mean's table ------------------------------------------------ */

/* A tail falling slower than this is taken as level (a pooled stretch's
 * tilt is 1e-9 a node), and given the default s^-2 instead. */
#define TABLE_MIN_TAIL 0.01

/* Node i's spend: reach (i / steps)^2, so that the steps are fine near
 * zero, where a power law's marginal changes fastest, and finest over the
 * spends advice moves among (a tenth of the reach and below). */
static double table_spend(const struct response_curve *c, int i)
{
	double u = (double)i / c->table_steps;
	return c->table_reach * u * u;
}

/* The node below s (< reach) and s's share of the way to the next. */
static int table_node(const struct response_curve *c, double s, double *share)
{
	int i = (int)(c->table_steps * sqrt(s / c->table_reach));
	if (i >= c->table_steps)
		i = c->table_steps - 1;
	if (i > 0 && s < table_spend(c, i)) /* the square root rounded up */
		i--;
	double from = table_spend(c, i);
	*share = (s - from) / (table_spend(c, i + 1) - from);
	return i;
}

static double table_value_at(const struct response_curve *c, double s)
{
	const double *m = c->table_marginal, reach = c->table_reach;
	int n = c->table_steps;
	if (!(s > 0))
		return 0;
	if (s >= reach) { /* the integral of m[n] (reach / x)^g from reach to s */
		double g = c->table_tail, u = s / reach;
		double area = g == 1 ? log(u) : expm1((1 - g) * log(u)) / (1 - g);
		return c->table_value[n] + m[n] * reach * area;
	}
	double t;
	int i = table_node(c, s, &t);
	double h = table_spend(c, i + 1) - table_spend(c, i);
	return c->table_value[i] + t * h * (m[i] + 0.5 * t * (m[i + 1] - m[i]));
}

static double table_marginal_at(const struct response_curve *c, double s)
{
	const double *m = c->table_marginal, reach = c->table_reach;
	if (s >= reach)
		return m[c->table_steps] * pow(reach / s, c->table_tail);
	double t;
	int i = table_node(c, s > 0 ? s : 0, &t);
	return m[i] + t * (m[i + 1] - m[i]);
}

/* Where the table's marginal is m on [lo, hi], lo at or past its peak
 * (the marginal falls strictly there while above zero). */
static double table_spend_for_marginal(const struct response_curve *c, double m, double lo,
				       double hi, double *curvature)
{
	const double *mg = c->table_marginal, reach = c->table_reach;
	int n = c->table_steps;
	if (table_marginal_at(c, lo) <= m)
		return lo;
	if (table_marginal_at(c, hi) >= m)
		return hi;
	double s;
	if (m < mg[n]) { /* past reach: m[n] (reach / s)^g = m */
		s = reach * pow(mg[n] / m, 1 / c->table_tail);
		*curvature = -c->table_tail * m / s;
	} else { /* the last node at or above m, from the node below lo */
		double t;
		int a = table_node(c, lo, &t), b = n;
		while (b - a > 1) {
			int mid = (a + b) / 2;
			if (mg[mid] >= m)
				a = mid;
			else
				b = mid;
		}
		double slope = (mg[a + 1] - mg[a]) / (table_spend(c, a + 1) - table_spend(c, a));
		s = table_spend(c, a) + (m - mg[a]) / slope;
		*curvature = slope;
	}
	if (s <= lo || s >= hi) {
		*curvature = 0;
		return s <= lo ? lo : hi;
	}
	return s;
}

int curve_table_settle(struct response_curve *c)
{
	int n = c->table_steps, ok = n >= 2 && n <= CURVE_TABLE_STEPS &&
					isfinite(c->table_reach) && c->table_reach > 0;
	const double *m = c->table_marginal;
	int peak = 0;
	for (int i = 0; ok && i <= n; i++) {
		ok = isfinite(m[i]) && m[i] >= 0;
		if (ok && m[i] > m[peak])
			peak = i;
	}
	for (int i = 0; ok && i < n; i++)
		ok = i < peak ? m[i] <= m[i + 1] : m[i + 1] < m[i] || (m[i] == 0 && m[i + 1] == 0);
	if (!ok) {
		c->table_steps = 0;
		return -1;
	}
	c->table_value[0] = 0;
	for (int i = 0; i < n; i++)
		c->table_value[i + 1] = c->table_value[i] +
					0.5 * (table_spend(c, i + 1) - table_spend(c, i)) * (m[i] + m[i + 1]);
	c->table_peak = peak;
	/* Past the reach the marginal falls on as over the last step: a power
	 * law's draws keep a power law's tail, saturating ones fall faster.
	 * Where it was level or rising there, nothing says how: as s^-2. */
	double fall = log(m[n - 1] / m[n]) / log(table_spend(c, n) / table_spend(c, n - 1));
	c->table_tail = peak < n && m[n] > 0 && fall > TABLE_MIN_TAIL ? fall : 2;
	if (!isfinite(c->table_value[n]) || !isfinite(m[n] * c->table_reach)) {
		c->table_steps = 0;
		return -1;
	}
	return 0;
}

double curve_value(const struct response_curve *c, double s)
{
	return c->table_steps > 0 ? table_value_at(c, s) : curve_value_fitted(c, s);
}

double curve_value_fitted(const struct response_curve *c, double s)
{
	if (c->kind == CURVE_HILL)
		return value_of(CURVE_HILL, (const double[]){ c->beta, c->k, c->alpha }, s);
	return value_of(c->kind, (const double[]){ c->a, c->b }, s);
}

double curve_value_draw(const struct response_curve *c, int d, double s)
{
	return value_of(c->draw[d].kind, c->draw[d].p, s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of sorted v[n] (linear between order statistics). */
static double quantile_sorted(const double *v, int n, double q)
{
	double at = q * (n - 1);
	int i = (int)floor(at);
	if (i >= n - 1)
		return v[n - 1];
	return v[i] + (at - i) * (v[i + 1] - v[i]);
}

void curve_interval(double estimate, double *values, int n, double level, double *lo, double *hi)
{
	if (n < 2) {
		*lo = *hi = estimate;
		return;
	}
	qsort(values, (size_t)n, sizeof *values, cmp_double);
	double q_lo = quantile_sorted(values, n, (1 - level) / 2);
	double q_hi = quantile_sorted(values, n, (1 + level) / 2), half = (q_hi - q_lo) / 2;
	*lo = fmin(q_lo, estimate - half);
	*hi = fmax(q_hi, estimate + half);
}

void curve_band(const struct response_curve *c, double s, double level, double *lo, double *hi)
{
	double v[CURVE_DRAWS];
	for (int d = 0; d < c->draws; d++)
		v[d] = curve_value_draw(c, d, s);
	double mean = curve_value(c, s);
	curve_interval(curve_value_fitted(c, s), v, c->draws, level, lo, hi);
	/* Revenue is never below zero, though an interval centred on a curve
	 * near zero reaches there. */
	*lo = fmax(0, fmin(*lo, mean)), *hi = fmax(*hi, mean);
}

double curve_marginal(const struct response_curve *c, double s)
{
	if (c->table_steps > 0)
		return table_marginal_at(c, s);
	if (s <= 0)
		s = 1e-9;
	switch (c->kind) {
	case CURVE_HILL:
		return c->beta * c->alpha * hill_slope_factor(c->k, c->alpha, s) / s;
	case CURVE_POWER:
		return c->a * c->b * pow(s, c->b - 1);
	case CURVE_NONE:
		break;
	}
	return 0;
}

int curve_is_s_shaped(const struct response_curve *c)
{
	return c->kind == CURVE_HILL && c->alpha > 1;
}

const char *curve_shape_name(const struct response_curve *c)
{
	return c->kind == CURVE_NONE ? "none" : curve_is_s_shaped(c) ? "s-curve" : "concave";
}

int curve_still_rising(const struct response_curve *c)
{
	return curve_is_s_shaped(c) && strstr(c->note, CURVE_STILL_RISING) != NULL;
}

double curve_inflection(const struct response_curve *c)
{
	return c->table_steps > 0 ? table_spend(c, c->table_peak) : curve_inflection_fitted(c);
}

double curve_inflection_fitted(const struct response_curve *c)
{
	if (c->kind != CURVE_HILL || c->alpha <= 1)
		return 0;
	return c->k * pow((c->alpha - 1) / (c->alpha + 1), 1 / c->alpha);
}

static double hill_spend_for_marginal(const struct response_curve *c, double m, double lo,
				      double hi, double near, double *curvature);

double curve_spend_for_marginal(const struct response_curve *c, double m, double lo, double hi,
				double near)
{
	double inflection = curve_inflection(c);
	if (inflection >= hi)
		return lo;
	return curve_spend_for_marginal_concave(c, m, inflection > lo ? inflection : lo, hi, near,
						NULL);
}

double curve_spend_for_marginal_concave(const struct response_curve *c, double m, double lo,
					double hi, double near, double *curvature)
{
	double unused;
	curvature = curvature ? curvature : &unused;
	*curvature = 0;
	if (hi <= lo)
		return lo;
	if (c->kind == CURVE_NONE || m <= 0)
		return m <= 0 ? hi : lo;
	if (c->table_steps > 0)
		return table_spend_for_marginal(c, m, lo, hi, curvature);
	if (c->kind == CURVE_POWER) { /* a b s^(b-1) = m */
		double s = pow(m / (c->a * c->b), 1 / (c->b - 1));
		if (s <= lo || s >= hi)
			return s <= lo ? lo : hi;
		*curvature = m * (c->b - 1) / s;
		return s;
	}
	return hill_spend_for_marginal(c, m, lo, hi, near, curvature);
}

/*
 * The Hill part of curve_spend_for_marginal, on [lo, hi] where the curve
 * is concave: f'(s) = beta alpha w / (s (1 + w)^2), w = (s/k)^alpha or its
 * inverse (the smaller: the same value, and no overflow), falls strictly
 * there. Newton on f'(s) = m from near (the last reply, as a multiplier
 * converges: a step or two) inside a shrinking bracket, halving it on the
 * log scale where a step leaves it. An end is tested only when the search
 * reaches it: one power per evaluation, where testing both ends first and
 * searching on log s cost three powers and two logarithms more per call.
 */
static double hill_spend_for_marginal(const struct response_curve *c, double m, double lo,
				      double hi, double near, double *curvature)
{
	/* f' at 0 is a limit, not a value: the search starts a little above. */
	const double bottom = lo > 0 ? lo : hi > 2e-9 ? 1e-9 : 0.5 * hi;
	double a = bottom, b = hi;
	if (b <= a)
		return lo;
	int tested_a = 0, tested_b = 0;
	double s = near >= a && near <= b ? near : sqrt(a * b);
	for (int iter = 0; iter < 200; iter++) {
		double u = pow(s / c->k, c->alpha), w = u > 1 ? 1 / u : u;
		double marginal = c->beta * c->alpha * w / (s * (1 + w) * (1 + w));
		double share = u > 1 ? 1 / (1 + w) : w / (1 + w); /* u / (1 + u) */
		double slope = marginal * (c->alpha - 1 - 2 * c->alpha * share) / s; /* f'' */
		if (marginal > m) {
			if (s >= hi)
				return hi; /* still above m at the upper end */
			a = s, tested_a = 1;
		} else {
			if (s <= bottom)
				return lo; /* at or below m from the lower end on */
			b = s, tested_b = 1;
		}
		double next = slope < 0 ? s - (marginal - m) / slope : NAN;
		/* Converged (from a start at the answer, the first step). */
		int done = fabs(next - s) <= 1e-12 * s;
		if (!done && !(next > a && next < b)) /* outside: an untested end, else halve */
			next = next >= b && !tested_b ? b : next <= a && !tested_a ? a : sqrt(a * b);
		if (done || b - a <= 1e-12 * b) {
			if (next > lo && next < hi && slope < 0)
				*curvature = slope;
			return next < lo ? lo : next > hi ? hi : next;
		}
		s = next;
	}
	return s;
}

/* --- fitting ---------------------------------------------------------------- */

/* The forms tried. Concave and S-shaped Hill curves are fitted apart (alpha
 * in (0.05, 1] or [1.1, 3]) so that each is scored on its own. */
enum form { FORM_HILL_CONCAVE, FORM_HILL_S, FORM_POWER, FORM__MAX };

struct points {
	double *x;  /* effective (adstocked) spend */
	double *y;  /* revenue */
	double *lx; /* log x (-HUGE_VAL at 0), once: a Hill fit's powers become exponentials */
	size_t n;
	/* A Hill curve saturating beyond this is a guess, not a fit: ten times
	 * the largest spend of the days, for the curve kept (fit_form). None
	 * for a cross-validation fold or a bootstrap resample: one without the
	 * high-spend days may well not see the saturation, and what it then
	 * predicts is what judges the form and measures the doubt. */
	double k_limit;
};

static double sse_of(const struct response_curve *c, const struct points *pt)
{
	double sse = 0;
	for (size_t i = 0; i < pt->n; i++) {
		double r = curve_value(c, pt->x[i]) - pt->y[i];
		sse += r * r;
	}
	return sse;
}

/* A Hill fit's unconstrained parameters: the logs of beta and k, and
 * alpha through a logistic onto the form's range; with fixed_k > 0, k is
 * held there and the parameters are log beta and alpha's. */
struct hill_problem {
	const struct points *pt;
	double alpha_lo, alpha_span;
	double fixed_k;
};

static void hill_from(const struct hill_problem *hp, const gsl_vector *p, struct response_curve *c)
{
	int held = hp->fixed_k > 0;
	c->kind = CURVE_HILL;
	c->beta = exp(gsl_vector_get(p, 0));
	c->k = held ? hp->fixed_k : exp(gsl_vector_get(p, 1));
	c->alpha = hp->alpha_lo + hp->alpha_span / (1 + exp(-gsl_vector_get(p, held ? 1 : 2)));
}

static int hill_residuals(const gsl_vector *p, void *arg, gsl_vector *f)
{
	const struct hill_problem *hp = arg;
	struct response_curve c = { 0 };
	hill_from(hp, p, &c);
	double logk = log(c.k);
	for (size_t i = 0; i < hp->pt->n; i++) {
		double value = 0;
		if (hp->pt->x[i] > 0)
			value = c.beta / (1 + exp(-c.alpha * (hp->pt->lx[i] - logk)));
		gsl_vector_set(f, i, value - hp->pt->y[i]);
	}
	return GSL_SUCCESS;
}

/* The Jacobian in closed form: one exponential a day instead of finite
 * differences' three extra passes. */
static int hill_jacobian(const gsl_vector *p, void *arg, gsl_matrix *J)
{
	const struct hill_problem *hp = arg;
	struct response_curve c = { 0 };
	hill_from(hp, p, &c);
	double sig = (c.alpha - hp->alpha_lo) / hp->alpha_span;
	double dalpha = hp->alpha_span * sig * (1 - sig), logk = log(c.k);
	for (size_t i = 0; i < hp->pt->n; i++) {
		double x = hp->pt->x[i], d0 = 0, d1 = 0, d2 = 0;
		if (x > 0) { /* in the logistic form of hill_value, stable for any t */
			double lr = hp->pt->lx[i] - logk, t = c.alpha * lr, w = exp(-fabs(t));
			double slope = c.beta * w / ((1 + w) * (1 + w)); /* beta u / (1 + u)^2 */
			d0 = c.beta / (1 + (t >= 0 ? w : 1 / w));
			d1 = -slope * c.alpha;
			d2 = slope * lr * dalpha;
		}
		gsl_matrix_set(J, i, 0, d0);
		if (hp->fixed_k > 0) {
			gsl_matrix_set(J, i, 1, d2);
		} else {
			gsl_matrix_set(J, i, 1, d1);
			gsl_matrix_set(J, i, 2, d2);
		}
	}
	return GSL_SUCCESS;
}

/* Nonlinear least squares (trust region, GSL) from one start, with k held
 * at fixed_k when that is positive; the curve's SSE, HUGE_VAL when the fit
 * fails. */
static double fit_hill_from(const struct points *pt, enum form form, const struct response_curve *start,
			    double fixed_k, struct response_curve *out)
{
	if (pt->n < 4)
		return HUGE_VAL;
	struct hill_problem hp = { pt, form == FORM_HILL_S ? ALPHA_S_MIN : ALPHA_MIN,
				   form == FORM_HILL_S ? ALPHA_S_MAX - ALPHA_S_MIN : 1 - ALPHA_MIN,
				   fixed_k };
	double share = (start->alpha - hp.alpha_lo) / hp.alpha_span;
	share = share < 0.02 ? 0.02 : share > 0.98 ? 0.98 : share;
	size_t unknowns = fixed_k > 0 ? 2 : 3;
	double p0[3] = { log(start->beta), log(start->k), log(share / (1 - share)) };
	if (fixed_k > 0)
		p0[1] = p0[2];
	gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
	/* Three parameters at most: the normal equations' Cholesky factor is
	 * exact enough and costs half of QR's pivoted factorisation per step. */
	params.solver = gsl_multifit_nlinear_solver_cholesky;
	gsl_multifit_nlinear_workspace *w =
		gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, pt->n, unknowns);
	if (w == NULL)
		return HUGE_VAL;
	gsl_multifit_nlinear_fdf fdf = { .f = hill_residuals, .df = hill_jacobian, .n = pt->n,
					 .p = unknowns, .params = &hp };
	gsl_vector_view v = gsl_vector_view_array(p0, unknowns);
	double sse = HUGE_VAL;
	int info;
	gsl_set_error_handler_off();
	if (gsl_multifit_nlinear_init(&v.vector, &fdf, w) == GSL_SUCCESS) {
		int status = gsl_multifit_nlinear_driver(100, 1e-8, 1e-8, 1e-8, NULL, NULL, &info, w);
		if (status == GSL_SUCCESS || status == GSL_EMAXITER || status == GSL_ENOPROG) {
			*out = (struct response_curve){ 0 };
			hill_from(&hp, w->x, out);
			if (isfinite(out->beta) && isfinite(out->k) && out->k > 0)
				sse = sse_of(out, pt);
		}
	}
	gsl_multifit_nlinear_free(w);
	return sse;
}

/*
 * Power law through the positive points: b by least squares on logs, shrunk
 * toward PRIOR_EXPONENT as a normal prior of sd POWER_PRIOR_SD would (the
 * posterior mean, with the residual variance on logs as the data's), kept
 * in [0.05, 0.95]; then a on the revenue scale. fixed_b > 0 fixes b. Why
 * the prior: spend that barely varied says little about b, and least
 * squares then may put it anywhere, 0.95 (nearly linear returns, funding
 * the channel to its ceiling) as easily as 0.05; the prior keeps a weakly
 * measured exponent near the usual diminishing returns, and data that
 * clearly say otherwise overrule it.
 */
static double fit_power(const struct points *pt, double fixed_b, struct response_curve *out)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
	int m = 0;
	for (size_t i = 0; i < pt->n; i++) {
		if (pt->x[i] > 0 && pt->y[i] > 0) {
			double lx = log(pt->x[i]), ly = log(pt->y[i]);
			sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly, syy += ly * ly;
			m++;
		}
	}
	double b = fixed_b;
	if (b <= 0) {
		if (m < 3)
			return HUGE_VAL;
		double cxx = sxx - sx * sx / m, cxy = sxy - sx * sy / m, cyy = syy - sy * sy / m;
		if (cxx <= 0)
			return HUGE_VAL;
		double ols = cxy / cxx, resid = fmax((cyy - ols * cxy) / (m - 2), 1e-12);
		double prior_precision = 1 / (POWER_PRIOR_SD * POWER_PRIOR_SD);
		b = (cxy / resid + PRIOR_EXPONENT * prior_precision) / (cxx / resid + prior_precision);
		b = b < 0.05 ? 0.05 : b > 0.95 ? 0.95 : b;
	}
	double num = 0, den = 0;
	for (size_t i = 0; i < pt->n; i++) {
		if (pt->x[i] > 0) {
			double xb = pow(pt->x[i], b);
			num += pt->y[i] * xb;
			den += xb * xb;
		}
	}
	if (den <= 0)
		return HUGE_VAL;
	*out = (struct response_curve){ .kind = CURVE_POWER, .b = b, .a = num / den > 0 ? num / den : 0 };
	return sse_of(out, pt);
}

/*
 * Distinct spend levels: the sorted values in runs no wider than 1% of the
 * median, each run starting at its lowest value. Not by the gap between
 * neighbours: with a year of days every neighbour is close, and spend that
 * moved 40% counted as one level.
 */
static int count_levels(const double *x, size_t n, double *median)
{
	*median = 0;
	if (n == 0)
		return 0;
	double *sorted = malloc(sizeof *sorted * n);
	if (sorted == NULL)
		return 0;
	memcpy(sorted, x, sizeof *sorted * n);
	qsort(sorted, n, sizeof *sorted, cmp_double);
	*median = sorted[n / 2];
	int levels = 1;
	double start = sorted[0], width = 0.01 * (*median > 0 ? *median : 1);
	for (size_t i = 1; i < n; i++)
		if (sorted[i] - start > width)
			levels++, start = sorted[i];
	free(sorted);
	return levels;
}

static double max_of(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/*
 * One form fitted to the points: warm-started from `start` when given
 * (cross-validation and bootstrap refits), else from the data's scale
 * (two starts for a Hill curve, the half-saturation at the median and at
 * twice it). A concave Hill curve saturating beyond pt->k_limit is
 * refused: a straight line is what it then fits, and the power law, its
 * exponent kept below 1, says "nearly linear" without promising the same
 * return on every unit however far past the data. An S-shaped one is
 * kept with its half-saturation held at the limit (beta and alpha fitted
 * again): returns that rise over all the spend seen are what sets it
 * apart from the concave forms, and refusing it left those a power law
 * pressed against its 0.95 cap, cutting a channel whose every extra unit
 * returned more than the last. Where it levels off is beyond the data
 * either way; the limit is the nearest guess that fits.
 * Returns the SSE, HUGE_VAL when the form does not fit.
 */
static double fit_form(const struct points *pt, enum form form, const struct response_curve *start,
		       struct response_curve *out)
{
	if (form == FORM_POWER) /* b estimated again: a resample's doubt about it counts */
		return fit_power(pt, 0, out);
	double best = HUGE_VAL;
	struct response_curve tries[2];
	int ntries = 1;
	if (start != NULL) {
		tries[0] = *start;
	} else {
		double median;
		count_levels(pt->x, pt->n, &median);
		double ymax = max_of(pt->y, pt->n) + 1e-9, alpha = form == FORM_HILL_S ? 2 : 0.7;
		tries[0] = (struct response_curve){ .beta = 2 * ymax, .k = median + 1e-9, .alpha = alpha };
		tries[1] = (struct response_curve){ .beta = 3 * ymax, .k = 2 * median + 1e-9, .alpha = alpha };
		ntries = 2;
	}
	int held = 0; /* refits with k held at the limit */
	for (int i = 0; i < ntries; i++) {
		struct response_curve c;
		double sse = fit_hill_from(pt, form, &tries[i], 0, &c);
		/* Only a fit that ran off from a start below the limit (a start
		 * past it, on spends tiny beside the starts' 1e-9, never moved),
		 * and once: from either start the held fits meet. */
		if (form == FORM_HILL_S && isfinite(sse) && !(c.k < pt->k_limit) &&
		    tries[i].k < pt->k_limit && !held++) {
			/* Started where the free fit is: the same power of spend
			 * below the limit, beta (k_limit / k)^alpha. */
			struct response_curve from = c;
			from.beta = exp(log(c.beta) + c.alpha * (log(pt->k_limit) - log(c.k)));
			from.k = pt->k_limit;
			sse = fit_hill_from(pt, form, &from, pt->k_limit, &c);
		}
		if (sse < best && c.k <= pt->k_limit) {
			best = sse;
			*out = c;
		}
	}
	return best;
}

/* The points at one carry-over rate: effective spend and revenue on the
 * days where both are known. */
static void adstocked(const double *spend, const double *revenue, size_t n, double rate,
		      struct points *pt)
{
	double x = 0;
	pt->n = 0;
	for (size_t t = 0; t < n; t++) {
		/* Infinities are unknown days too (as in ets): one would void the fit. */
		double s = isfinite(spend[t]) ? spend[t] : 0;
		x = t == 0 ? s : rate * x + (1 - rate) * s;
		if (!isfinite(spend[t]) || !isfinite(revenue[t]))
			continue;
		pt->x[pt->n] = x;
		pt->lx[pt->n] = x > 0 ? log(x) : -HUGE_VAL;
		pt->y[pt->n] = revenue[t];
		pt->n++;
	}
	pt->k_limit = 10 * max_of(pt->x, pt->n);
}

/*
 * Blocked cross-validation of one form: CV_FOLDS stretches of consecutive
 * days held out in turn, the form refitted on the rest (from the full fit)
 * and scored on them. Blocks, not single days, because neighbouring days
 * share carry-over and weekly pattern: a day's neighbours would tell the
 * fit its answer. err[n] gets each day's squared error; returns their sum
 * (HUGE_VAL when a fold cannot be fitted). work holds 3n doubles.
 */
static double cross_validate(const struct points *pt, enum form form, const struct response_curve *full,
			     double *err, double *work)
{
	struct points train = { work, work + pt->n, work + 2 * pt->n, 0, HUGE_VAL };
	double total = 0;
	for (int f = 0; f < CV_FOLDS; f++) {
		size_t from = pt->n * f / CV_FOLDS, to = pt->n * (f + 1) / CV_FOLDS;
		train.n = 0;
		for (size_t i = 0; i < pt->n; i++)
			if (i < from || i >= to) {
				train.x[train.n] = pt->x[i];
				train.lx[train.n] = pt->lx[i];
				train.y[train.n++] = pt->y[i];
			}
		struct response_curve c;
		if (!isfinite(fit_form(&train, form, full, &c)))
			return HUGE_VAL;
		for (size_t i = from; i < to; i++) {
			double r = curve_value(&c, pt->x[i]) - pt->y[i];
			err[i] = r * r;
			total += err[i];
		}
	}
	return total;
}

/* How the search left a form: its fit on all days and its cross-validated
 * errors, at the carry-over rate where they were least. */
struct candidate {
	struct response_curve fit;
	double rate, cv;
	double *err; /* [n] */
};

/* Whether a's cross-validated errors are below b's by more than a standard
 * error of their paired difference (the one-standard-error rule). */
static int clearly_better(const struct candidate *a, const struct candidate *b, size_t n,
			  int *undecided)
{
	double sum = 0, sum2 = 0;
	for (size_t i = 0; i < n; i++) {
		double d = a->err[i] - b->err[i];
		sum += d, sum2 += d * d;
	}
	double se = sqrt(fmax(0, sum2 - sum * sum / n)); /* of the sum: sd * sqrt(n) */
	/* Differences at rounding's scale are no evidence: revenue that is
	 * constant, or zero, has errors of nothing but rounding, whose se is
	 * about nothing too. */
	double margin = se + 1e-9 * (isfinite(b->cv) ? b->cv : a->cv);
	*undecided = isfinite(a->cv) && isfinite(b->cv) && fabs(sum) <= margin;
	return isfinite(a->cv) && (!isfinite(b->cv) || sum < -margin);
}

struct search {
	const double *spend;
	double *revenue; /* with the weekly pattern taken out: curve_fit's */
	size_t n;
	struct points pt;
	double *err, *work; /* [n], [3n] */
};

/* Every form at every carry-over rate, each scored by cross-validation;
 * keeps each form's best. */
static void search_forms(struct search *s, int rates, struct candidate cand[FORM__MAX])
{
	for (int f = 0; f < FORM__MAX; f++)
		cand[f].cv = HUGE_VAL;
	for (int r = 0; r < rates; r++) {
		adstocked(s->spend, s->revenue, s->n, r / 10.0, &s->pt);
		for (int f = 0; f < FORM__MAX; f++) {
			struct response_curve fit;
			if (!isfinite(fit_form(&s->pt, f, NULL, &fit)))
				continue;
			double cv = cross_validate(&s->pt, f, &fit, s->err, s->work);
			if (cv < cand[f].cv) {
				cand[f].cv = cv;
				cand[f].fit = fit;
				cand[f].rate = r / 10.0;
				memcpy(cand[f].err, s->err, sizeof *s->err * s->pt.n);
			}
		}
	}
}

/* The concave form with the lower cross-validated error, or the S-shape
 * if it is clearly better (its index; -1 when none fits). *undecided: the
 * S-shape, really S-shaped, was within a standard error of the concave form. */
static int choose(const struct candidate cand[FORM__MAX], size_t n, int *undecided)
{
	int concave = cand[FORM_POWER].cv < cand[FORM_HILL_CONCAVE].cv ? FORM_POWER : FORM_HILL_CONCAVE;
	/* An S-fit pressed against its lowest alpha wants less of an S than it
	 * may have: evidence for a concave curve, not for an S. */
	int s_shaped = cand[FORM_HILL_S].fit.alpha >= ALPHA_S_MIN + 0.05;
	int s_better = clearly_better(&cand[FORM_HILL_S], &cand[concave], n, undecided);
	*undecided &= s_shaped;
	if (s_better && s_shaped)
		return FORM_HILL_S;
	return isfinite(cand[concave].cv) ? concave : -1;
}

/* Draws bootstrap resample `sample` of pt's days in moving blocks of
 * BOOTSTRAP_BLOCK; inbag[i] counts how often day i was drawn. */
static void resample(const struct points *pt, gsl_rng *rng, struct points *sample, int *inbag)
{
	size_t starts = pt->n > BOOTSTRAP_BLOCK ? pt->n - BOOTSTRAP_BLOCK + 1 : 1;
	memset(inbag, 0, sizeof *inbag * pt->n);
	for (size_t i = 0; i < pt->n; i += BOOTSTRAP_BLOCK) {
		size_t from = gsl_rng_uniform_int(rng, starts);
		for (size_t j = 0; j < BOOTSTRAP_BLOCK && i + j < pt->n; j++) {
			size_t k = from + j < pt->n ? from + j : pt->n - 1;
			sample->x[i + j] = pt->x[k];
			sample->lx[i + j] = pt->lx[k];
			sample->y[i + j] = pt->y[k];
			inbag[k]++;
		}
	}
	sample->n = pt->n;
}

/* Squared error of a curve on day i. */
static double sq_error(const struct response_curve *c, const struct points *pt, size_t i)
{
	double r = curve_value(c, pt->x[i]) - pt->y[i];
	return r * r;
}

/*
 * The chance that form a's expected error on pt's left-out days is below
 * form b's: Phi(-mean / its standard error) of the paired differences of
 * their squared errors (a normal approximation; 1/2 when they never
 * differ, or fewer than two days were left out).
 */
static double odds_lower(const struct response_curve *a, const struct response_curve *b,
			 const struct points *pt, const int *inbag)
{
	double sum = 0, sum2 = 0;
	size_t m = 0;
	for (size_t i = 0; i < pt->n; i++)
		if (!inbag[i]) {
			double d = sq_error(a, pt, i) - sq_error(b, pt, i);
			sum += d, sum2 += d * d, m++;
		}
	if (m < 2) /* no evidence either way */
		return 0.5;
	double se = sqrt(fmax(0, sum2 - sum * sum / m)); /* of the sum */
	return se > 0 ? gsl_cdf_ugaussian_P(-sum / se) : sum < 0 ? 1 : sum > 0 ? 0 : 0.5;
}

/*
 * The form a resample's draw takes (-1 when none fits): between the two
 * concave forms, then between the concave one and the S-shape, each with
 * the chance that its error on the days the resample left out (out of
 * bag) is truly the lower. Not the data's own rule (the lower error, the
 * S-shape only when clearly better): that rule is a decision, leaning
 * toward the simpler form, and draws made by it came out as that form
 * nearly every time, so an S-shape the data could not rule out never
 * showed in the intervals (on bench-budget's channels they held the truth
 * 73% of the time, 55% for power laws; drawn by these chances, 79%).
 */
static int out_of_bag_choice(const struct points *pt, const int *inbag,
			     const struct response_curve fits[FORM__MAX], const int fitted[FORM__MAX],
			     gsl_rng *rng)
{
	int concave = FORM_POWER;
	if (!fitted[FORM_POWER])
		concave = FORM_HILL_CONCAVE;
	else if (fitted[FORM_HILL_CONCAVE])
		concave = gsl_rng_uniform(rng) < odds_lower(&fits[FORM_POWER], &fits[FORM_HILL_CONCAVE],
							    pt, inbag)
				  ? FORM_POWER
				  : FORM_HILL_CONCAVE;
	if (!fitted[FORM_HILL_S])
		return fitted[concave] ? concave : -1;
	if (!fitted[concave])
		return FORM_HILL_S;
	return gsl_rng_uniform(rng) < odds_lower(&fits[FORM_HILL_S], &fits[concave], pt, inbag)
		       ? FORM_HILL_S
		       : concave;
}

/* A seed from the days' bits (FNV-1a): the same days, the same draws. */
static unsigned long seed_of(const struct points *pt)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < pt->n; i++) {
		uint64_t bits[2];
		memcpy(&bits[0], &pt->x[i], sizeof bits[0]);
		memcpy(&bits[1], &pt->y[i], sizeof bits[1]);
		for (int k = 0; k < 2; k++)
			h = (h ^ bits[k]) * 1099511628211ULL;
	}
	return (unsigned long)(h ^ h >> 32);
}

/*
 * CURVE_DRAWS refits to moving-block bootstrap resamples of the days at the
 * chosen carry-over rate (weeks drawn with replacement, so a week's pattern
 * and the errors' dependence stay together). Each resample refits every
 * form that fitted the data (from its fit) and keeps one by the odds its
 * left-out days give (out_of_bag_choice), so that the draws carry the
 * doubt about the form too: a channel that a power law and a Hill curve,
 * or a concave curve and an S-shape, fit about as well gets both. Seeded
 * from the data, so a run is reproducible. work: 3n doubles; inbag: n
 * ints.
 */
static void bootstrap(const struct points *pt, const struct candidate cand[FORM__MAX],
		      int forms_mask, struct response_curve *c, double *work, int *inbag)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		return;
	gsl_rng_set(rng, seed_of(pt));
	struct points sample = { work, work + pt->n, work + 2 * pt->n, 0, HUGE_VAL };
	c->draws = 0;
	for (int attempts = 0; c->draws < CURVE_DRAWS && attempts < 3 * CURVE_DRAWS; attempts++) {
		resample(pt, rng, &sample, inbag);
		struct response_curve fits[FORM__MAX];
		int fitted[FORM__MAX];
		for (int f = 0; f < FORM__MAX; f++)
			fitted[f] = (forms_mask >> f & 1) &&
				    isfinite(fit_form(&sample, f, &cand[f].fit, &fits[f]));
		int f = out_of_bag_choice(pt, inbag, fits, fitted, rng);
		if (f < 0)
			continue;
		struct curve_draw *d = &c->draw[c->draws++];
		d->kind = fits[f].kind;
		d->p[0] = f == FORM_POWER ? fits[f].a : fits[f].beta;
		d->p[1] = f == FORM_POWER ? fits[f].b : fits[f].k;
		d->p[2] = f == FORM_POWER ? 0 : fits[f].alpha;
	}
	gsl_rng_free(rng);
}

/* The share of the points' variance around mean_revenue the curve explains. */
static double r2_of(const struct response_curve *c, const struct points *pt, double mean_revenue)
{
	double sst = 0, sse = sse_of(c, pt);
	for (size_t i = 0; i < pt->n; i++)
		sst += (pt->y[i] - mean_revenue) * (pt->y[i] - mean_revenue);
	return sst > 0 && isfinite(sse) ? 1 - sse / sst : 0;
}

/* High confidence: many spend levels and days, most of the variance explained. */
static int pinned_down(const struct response_curve *c)
{
	return c->spend_levels >= 20 && c->points >= 28 && c->r2 >= 0.5;
}

/* beyond_data: an S-curve whose half-saturation stands at the fit's limit
 * (fit_form): its returns rise over all the spend seen. */
static void rate_confidence(struct response_curve *c, int bagged, int beyond_data)
{
	char shape[96];
	const char *mean = bagged ? ", the mean of its draws" : "";
	if (curve_is_s_shaped(c) && beyond_data)
		snprintf(shape, sizeof shape,
			 "S-shaped (alpha %.2f) and " CURVE_STILL_RISING ", clearly better than concave",
			 c->alpha);
	else if (curve_is_s_shaped(c))
		snprintf(shape, sizeof shape, "S-shaped (alpha %.2f), clearly better than concave", c->alpha);
	else if (c->shape_undecided)
		snprintf(shape, sizeof shape, "concave%s: the data cannot tell an S-shape from it", mean);
	else
		snprintf(shape, sizeof shape, "concave%s", mean);
	if (c->spend_levels < MIN_LEVELS_FOR_SHAPE) {
		c->confidence = CONFIDENCE_LOW;
		snprintf(c->note, sizeof c->note,
			 "%d distinct spend level(s): the shape is assumed (power law, b = %.1f)",
			 c->spend_levels, PRIOR_EXPONENT);
		return;
	}
	if (c->spend_levels < 8 || c->points < 14 || c->r2 < 0.1)
		c->confidence = CONFIDENCE_LOW;
	else if (pinned_down(c) && !bagged) /* bagged: it was not pinned down */
		c->confidence = CONFIDENCE_HIGH;
	else
		c->confidence = CONFIDENCE_MEDIUM;
	char weekly[48] = "";
	if (c->weekly >= 0.005)
		snprintf(weekly, sizeof weekly, "; a weekly pattern of up to %.0f%% taken out", 100 * c->weekly);
	snprintf(c->note, sizeof c->note, "%d days, %d spend levels, R^2 %.2f%s; %s%s", c->points,
		 c->spend_levels, c->r2, c->confidence == CONFIDENCE_LOW ? ": weak evidence" : "", shape,
		 weekly);
}

/* Too few days or spend levels to compare forms out of sample: the
 * concave forms by in-sample error (or the assumed power law). */
static int fit_in_sample(struct search *s, int rates, int levels, struct candidate *out)
{
	out->cv = HUGE_VAL;
	for (int r = 0; r < rates; r++) {
		adstocked(s->spend, s->revenue, s->n, r / 10.0, &s->pt);
		for (int f = levels < MIN_LEVELS_FOR_SHAPE ? FORM_POWER : FORM_HILL_CONCAVE; f < FORM__MAX; f++) {
			if (f == FORM_HILL_S)
				continue;
			struct response_curve fit;
			double sse = f == FORM_POWER && levels < MIN_LEVELS_FOR_SHAPE
					     ? fit_power(&s->pt, PRIOR_EXPONENT, &fit)
					     : fit_form(&s->pt, f, NULL, &fit);
			if (sse < out->cv) {
				out->cv = sse;
				out->fit = fit;
				out->rate = r / 10.0;
			}
		}
	}
	return isfinite(out->cv) ? 0 : -1;
}

/* Spend levels count the days' own spend, before any carry-over. */
static int spend_levels(const double *spend, const double *revenue, size_t n, double *buf, int *used,
			double *mean_revenue)
{
	double median;
	size_t m = 0;
	*mean_revenue = 0;
	for (size_t t = 0; t < n; t++)
		if (isfinite(spend[t]) && isfinite(revenue[t])) {
			buf[m++] = spend[t];
			*mean_revenue += revenue[t];
		}
	*used = (int)m;
	*mean_revenue = m ? *mean_revenue / m : 0;
	return count_levels(buf, m, &median);
}

#define BAG_POINTS 80 /* spends the draws' mean is taken at */
/* Up to this many times the largest spend seen: the default bounds reach
 * twice the current spend. Further out, where the draws part most, the
 * mean would outweigh the spends seen in the refit. */
#define BAG_REACH 2.0

static void closer(struct response_curve *best, double *best_sse, const struct response_curve *fit,
		   double sse)
{
	if (sse < *best_sse) {
		*best_sse = sse;
		*best = *fit;
	}
}

/*
 * Bagging (Breiman 1996) of a concave curve: refitted, as a concave Hill
 * curve and as a power law, to the mean of its bootstrap draws at
 * BAG_POINTS spends up to BAG_REACH times the largest (carried-over) spend
 * seen, and replaced by the refit when that is closer to the mean. Why:
 * the draws' mean is the expected revenue over what the data leave
 * uncertain, the form included (a draw takes the S-shape by its odds), and
 * a split that maximises it loses less on average than one trusting the
 * single fit: a power law the days chose keeps climbing past the spends
 * seen, where the S-shaped draws level off. Concave curves only: it is
 * their form that is in doubt (an S-shape is kept only when clearly
 * better, and its draws are then S-shaped too, their mean a blur of
 * thresholds flatter than any of them); and concave again, so that the
 * cross-validation's choice of a concave shape stands (though a power law
 * may become a concave Hill curve, or the reverse). Returns whether the
 * curve was replaced.
 */
static int bag(struct response_curve *c, double largest_spend)
{
	double x[BAG_POINTS], y[BAG_POINTS], lx[BAG_POINTS];
	for (int j = 0; j < BAG_POINTS; j++) {
		x[j] = BAG_REACH * largest_spend * (j + 1) / BAG_POINTS;
		lx[j] = log(x[j]);
		double sum = 0;
		for (int d = 0; d < c->draws; d++)
			sum += curve_value_draw(c, d, x[j]);
		y[j] = sum / c->draws;
	}
	struct points mean = { x, y, lx, BAG_POINTS, 10 * largest_spend };
	struct response_curve best = *c, fit;
	double kept_sse = sse_of(c, &mean), best_sse = kept_sse;
	/* A concave Hill curve from the data's scale, and from the kept curve
	 * when it is one; a power law (which needs no start). */
	closer(&best, &best_sse, &fit, fit_form(&mean, FORM_HILL_CONCAVE, NULL, &fit));
	if (c->kind == CURVE_HILL)
		closer(&best, &best_sse, &fit, fit_form(&mean, FORM_HILL_CONCAVE, c, &fit));
	closer(&best, &best_sse, &fit, fit_form(&mean, FORM_POWER, NULL, &fit));
	if (!(best_sse < kept_sse))
		return 0;
	c->kind = best.kind;
	c->beta = best.beta, c->k = best.k, c->alpha = best.alpha;
	c->a = best.a, c->b = best.b;
	return 1;
}

#define TABLE_REACH 10.0 /* the table's reach, in largest (carried-over) spends */
#define TABLE_TILT 1e-9  /* each node this much (relatively) below the one nearer the peak */

/* A draw's marginal revenue at x > 0. */
static double draw_marginal(const struct curve_draw *w, double x)
{
	if (w->kind == CURVE_HILL)
		return w->p[0] * w->p[2] * hill_slope_factor(w->p[1], w->p[2], x) / x;
	return w->kind == CURVE_POWER ? w->p[0] * w->p[1] * pow(x, w->p[1] - 1) : 0;
}

/*
 * The increasing fit of v[0..n) closest in squared error weighted by w
 * (pool adjacent violators), into fit (may be v); sse[j] (when not NULL)
 * receives that of v[0..j] alone, each prefix's own fit. Blocks are kept
 * as weighted sums on a stack: work[4 n].
 */
static void isotonic(const double *v, const double *w, int n, double *fit, double *sse, double *work)
{
	double *sum = work, *sum2 = work + n, *weight = work + 2 * n, *count = work + 3 * n, total = 0;
	int top = 0;
	for (int j = 0; j < n; j++) {
		sum[top] = w[j] * v[j], sum2[top] = w[j] * v[j] * v[j], weight[top] = w[j], count[top] = 1;
		top++;
		while (top > 1 && sum[top - 2] / weight[top - 2] >= sum[top - 1] / weight[top - 1]) {
			for (int b = top - 2; b < top; b++)
				total -= sum2[b] - sum[b] * sum[b] / weight[b];
			sum[top - 2] += sum[top - 1], sum2[top - 2] += sum2[top - 1];
			weight[top - 2] += weight[top - 1], count[top - 2] += count[top - 1];
			top--;
			total += sum2[top - 1] - sum[top - 1] * sum[top - 1] / weight[top - 1];
		}
		if (sse)
			sse[j] = fmax(total, 0);
	}
	for (int b = top - 1, j = n; b >= 0; b--)
		for (int k = 0; k < (int)count[b]; k++)
			fit[--j] = sum[b] / weight[b];
}

int curve_unimodal(double *v, const double *w, int n)
{
	if (n < 1)
		return 0;
	double *mem = malloc(sizeof *mem * (size_t)n * 8);
	if (mem == NULL)
		return -1;
	double *rise = mem, *fall = mem + n, *rev = mem + 2 * n, *rw = mem + 3 * n, *work = mem + 4 * n;
	isotonic(v, w, n, rev, rise, work); /* rise[j]: the error of v[0..j] increasing */
	for (int j = 0; j < n; j++)
		rev[j] = v[n - 1 - j], rw[j] = w[n - 1 - j];
	isotonic(rev, rw, n, rev, fall, work); /* fall[j]: of v[n-1-j..n) decreasing */
	int split = n - 1; /* v[0..split] rise, the rest falls */
	double best = rise[n - 1];
	for (int j = 0; j < n - 1; j++)
		if (rise[j] + fall[n - 2 - j] < best)
			best = rise[j] + fall[n - 2 - j], split = j;
	isotonic(v, w, split + 1, v, NULL, work);
	for (int j = split + 1; j < n; j++)
		rev[n - 1 - j] = v[j], rw[n - 1 - j] = w[j];
	isotonic(rev, rw, n - 1 - split, rev, NULL, work);
	for (int j = split + 1; j < n; j++)
		v[j] = rev[n - 1 - j];
	int peak = 0;
	for (int j = 1; j < n; j++)
		if (v[j] > v[peak])
			peak = j;
	for (int j = 0; j < n; j++)
		v[j] *= pow(1 - TABLE_TILT, abs(j - peak));
	free(mem);
	return 0;
}

int curve_table_from_draws(struct response_curve *c, double reach)
{
	int n = CURVE_TABLE_STEPS;
	double *m = c->table_marginal, weight[CURVE_TABLE_STEPS + 1];
	c->table_steps = 0;
	if (!(reach > 0) || !isfinite(reach) || c->draws < 1)
		return -1;
	c->table_steps = n, c->table_reach = reach;
	for (int i = 1; i <= n; i++) {
		double sum = 0, at = table_spend(c, i);
		for (int d = 0; d < c->draws; d++)
			sum += draw_marginal(&c->draw[d], at);
		m[i] = sum / c->draws;
	}
	double first = table_spend(c, 1), value = 0;
	for (int d = 0; d < c->draws; d++)
		value += curve_value_draw(c, d, first) / c->draws;
	m[0] = fmax(0, 2 * value / first - m[1]);
	/* Each node weighs the spends it stands for: half of each step beside it. */
	for (int i = 0; i <= n; i++)
		weight[i] = (table_spend(c, i < n ? i + 1 : n) - table_spend(c, i > 0 ? i - 1 : 0)) / 2;
	if (curve_unimodal(m, weight, n + 1) != 0 || curve_table_settle(c) != 0) {
		c->table_steps = 0;
		return -1;
	}
	return 0;
}

/* A concave curve kept whose draws' mean has a threshold (some draws are
 * S-shaped): the advice, on the mean, may leave the channel below it,
 * which the concave shape shown would not explain. Its note says so, where
 * the threshold is among the spends advice moves over (from a twentieth
 * of the largest seen). */
static void note_mean_threshold(struct response_curve *c, double largest_spend)
{
	double peak = curve_inflection(c);
	size_t used = strlen(c->note);
	if (curve_is_s_shaped(c) || !(peak >= 0.05 * largest_spend) || used >= sizeof c->note)
		return;
	snprintf(c->note + used, sizeof c->note - used, "; advised on its draws' mean, whose returns %s "
		 "at %.0f/day", c->table_peak == c->table_steps ? "still rise" : "peak", peak);
}

/* The chosen candidate as the curve, with its fit statistics and draws
 * (and bagged over them); forms_mask says which forms the bootstrap may
 * refit. */
static void finish(struct search *s, const struct candidate cand[FORM__MAX], enum form form,
		   int forms_mask, double mean_revenue, int *inbag, struct response_curve *out)
{
	const struct candidate *chosen = &cand[form];
	adstocked(s->spend, s->revenue, s->n, chosen->rate, &s->pt);
	int levels = out->spend_levels, undecided = out->shape_undecided;
	double weekly = out->weekly;
	*out = chosen->fit;
	out->weekly = weekly;
	out->adstock = chosen->rate;
	out->spend_levels = levels;
	out->shape_undecided = undecided;
	out->points = (int)s->pt.n;
	/* Fewer than three weeks give too few distinct resamples (a week or
	 * less: one, the data itself) for the draws to mean anything: none,
	 * and the plan counts the curve as unmeasured. */
	if (levels >= MIN_LEVELS_FOR_SHAPE && s->pt.n >= 3 * BOOTSTRAP_BLOCK)
		bootstrap(&s->pt, cand, forms_mask, out, s->work, inbag);
	out->r2 = r2_of(out, &s->pt, mean_revenue);
	/* Not a curve the days pin down (high confidence: the single fit is
	 * then the better, by the data's edges), nor under half the draws (a
	 * mean of too few to trust over the fit). */
	int bagged = out->draws >= CURVE_DRAWS / 2 && !curve_is_s_shaped(out) &&
		     !pinned_down(out) && bag(out, max_of(s->pt.x, s->pt.n));
	if (bagged)
		out->r2 = r2_of(out, &s->pt, mean_revenue);
	rate_confidence(out, bagged, out->kind == CURVE_HILL && out->k >= s->pt.k_limit);
	/* Not from fewer draws than bagging takes (a mean of too few). */
	double largest = max_of(s->pt.x, s->pt.n);
	if (out->draws >= CURVE_DRAWS / 2 && curve_table_from_draws(out, TABLE_REACH * largest) == 0)
		note_mean_threshold(out, largest);
}

/*
 * The revenue's weekly pattern: revenue on day t is taken to be the curve
 * times a factor of its weekday (t mod 7; the days are consecutive), as
 * sales are. Each factor is the least-squares ratio of the weekday's
 * revenue to `curve` (at carry-over `rate`), shrunk toward
 * the factors' mean as far as the weekdays' means differ no more than
 * their noise (an empirical Bayes factor, as for calendar events), then
 * scaled to average 1 so that the curve keeps reading in an average day.
 * adjusted[n] gets the revenue divided by its day's factor. Returns the
 * largest factor's distance from 1, 0 when there is no pattern to take
 * out (a weekday with under three days, revenue without a positive level,
 * a weekday's factor under MIN_WEEKDAY_FACTOR): then adjusted is revenue.
 */
static double weekly_pattern(const double *spend, const double *revenue, size_t n,
			     const struct response_curve *curve, double rate, double *adjusted)
{
	double num[7] = { 0 }, den[7] = { 0 }, sum[7] = { 0 }, sum2[7] = { 0 }, factor[7], x = 0;
	int count[7] = { 0 };
	memcpy(adjusted, revenue, sizeof *adjusted * n);
	for (size_t t = 0; t < n; t++) {
		double s = isfinite(spend[t]) ? spend[t] : 0;
		x = t == 0 ? s : rate * x + (1 - rate) * s;
		double f = isfinite(spend[t]) && isfinite(revenue[t]) ? curve_value(curve, x) : 0;
		if (f <= 0)
			continue;
		int j = (int)(t % 7);
		num[j] += revenue[t] * f, den[j] += f * f;
		sum[j] += revenue[t] / f, sum2[j] += revenue[t] * revenue[t] / (f * f), count[j]++;
	}
	double mean = 0, noise = 0, spread = 0;
	for (int j = 0; j < 7; j++) {
		if (count[j] < 3 || !(den[j] > 0))
			return 0;
		factor[j] = num[j] / den[j];
		mean += factor[j] / 7;
		noise += (sum2[j] - sum[j] * sum[j] / count[j]) / (count[j] - 1) / count[j] / 7;
	}
	if (!(mean > 0))
		return 0;
	for (int j = 0; j < 7; j++)
		spread += (factor[j] - mean) * (factor[j] - mean) / 6;
	double tau2 = fmax(0, spread - noise), shrink = tau2 > 0 ? tau2 / (tau2 + noise) : 0, largest = 0;
	for (int j = 0; j < 7; j++) {
		factor[j] = 1 + shrink * (factor[j] - mean) / mean;
		/* A weekday at a fifth of the others or less is not a weekly
		 * pattern but refunds, a weekly pause or bookkeeping: dividing
		 * by it would blow its days up. */
		if (!(factor[j] >= MIN_WEEKDAY_FACTOR))
			return 0;
		largest = fmax(largest, fabs(factor[j] - 1));
	}
	for (size_t t = 0; t < n; t++)
		adjusted[t] = revenue[t] / factor[t % 7];
	return largest;
}

static int any_revenue(const double *revenue, size_t n)
{
	for (size_t t = 0; t < n; t++)
		if (isfinite(revenue[t]) && revenue[t] > 0)
			return 1;
	return 0;
}

/* The weekly pattern again, against the chosen curve (the first was a
 * power law, which a curve of another shape leaves errors in that line up
 * with spend's own weekly pattern), and the chosen form refitted to the
 * revenue it adjusts. Returns the pattern's size. */
static double second_weekly_pass(struct search *s, const double *revenue, struct candidate *chosen,
				 enum form form)
{
	double weekly = weekly_pattern(s->spend, revenue, s->n, &chosen->fit, chosen->rate, s->revenue);
	adstocked(s->spend, s->revenue, s->n, chosen->rate, &s->pt);
	struct response_curve refit;
	if (isfinite(fit_form(&s->pt, form, &chosen->fit, &refit)))
		chosen->fit = refit;
	return weekly;
}

int curve_fit(const double *spend, const double *revenue, size_t n, int with_adstock,
	      struct response_curve *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = n ? n : 1;
	/* The points (x, y, log x), their errors, work for a fold or a resample
	 * (x, y, log x), each form's errors, the adjusted revenue. */
	double *mem = calloc(cap * (8 + FORM__MAX), sizeof(double));
	if (mem == NULL)
		return -1;
	struct search s = { spend, mem + (7 + FORM__MAX) * cap, n,
			    { mem, mem + cap, mem + 2 * cap, 0, HUGE_VAL }, mem + 3 * cap, mem + 4 * cap };
	struct candidate cand[FORM__MAX] = { 0 };
	for (int f = 0; f < FORM__MAX; f++)
		cand[f].err = mem + (7 + f) * cap;
	double mean_revenue, total_spend = 0;
	int used;
	int levels = spend_levels(spend, revenue, n, s.pt.x, &used, &mean_revenue);
	for (size_t t = 0; t < n; t++)
		if (isfinite(spend[t]) && isfinite(revenue[t]))
			total_spend += spend[t];
	out->points = used;
	if (used == 0 || total_spend <= 0) {
		out->kind = CURVE_NONE;
		snprintf(out->note, sizeof out->note, used ? "no spend in the data" : "no days with both spend and revenue");
		free(mem);
		return 0;
	}
	out->spend_levels = levels;
	if (!any_revenue(revenue, n)) { /* spend that earned nothing: a flat curve at zero */
		out->kind = CURVE_POWER, out->a = 0, out->b = PRIOR_EXPONENT;
		out->confidence = CONFIDENCE_LOW;
		snprintf(out->note, sizeof out->note, "no revenue in %d days of spend", used);
		free(mem);
		return 0;
	}
	struct response_curve first;
	adstocked(spend, revenue, n, 0, &s.pt);
	if (used >= 28 && isfinite(fit_power(&s.pt, 0, &first)))
		out->weekly = weekly_pattern(spend, revenue, n, &first, 0, s.revenue);
	else
		memcpy(s.revenue, revenue, sizeof *s.revenue * n);
	int rates = with_adstock ? 8 : 1; /* carry-over 0, 0.1, ..., 0.7 */
	int *inbag = malloc(sizeof *inbag * cap);
	int form = -1, mask = 0;
	if (inbag != NULL && used >= MIN_POINTS_FOR_CV && levels >= 8) {
		search_forms(&s, rates, cand);
		form = choose(cand, s.pt.n, &out->shape_undecided);
		for (int f = 0; f < FORM__MAX; f++)
			mask |= isfinite(cand[f].cv) << f;
		if (form >= 0 && out->weekly > 0)
			out->weekly = second_weekly_pass(&s, revenue, &cand[form], form);
	}
	struct candidate alone = { .cv = HUGE_VAL };
	if (inbag != NULL && form < 0 && fit_in_sample(&s, rates, levels, &alone) == 0) {
		form = alone.fit.kind == CURVE_POWER ? FORM_POWER : FORM_HILL_CONCAVE;
		cand[form].fit = alone.fit;
		cand[form].rate = alone.rate;
		mask = 1 << form;
	}
	if (form >= 0)
		finish(&s, cand, form, mask, mean_revenue, inbag, out);
	else
		snprintf(out->note, sizeof out->note, inbag ? "no curve fits the data" : "out of memory");
	int rc = inbag != NULL ? 0 : -1;
	free(inbag);
	free(mem);
	return rc;
}
