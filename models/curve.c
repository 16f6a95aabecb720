#include "curve.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const curve_kind_names[] = { "none", "hill", "power" };
const char *const curve_confidence_names[] = { "low", "medium", "high" };

#define MIN_LEVELS_FOR_SHAPE 3 /* distinct spend levels needed to learn a shape */
#define PRIOR_EXPONENT 0.5     /* power-law exponent assumed when they are too few */

double curve_value(const struct response_curve *c, double s)
{
	if (s <= 0)
		return 0;
	switch (c->kind) {
	case CURVE_HILL: {
		double u = pow(s / c->k, c->alpha);
		return c->beta * u / (1 + u);
	}
	case CURVE_POWER:
		return c->a * pow(s, c->b);
	case CURVE_NONE:
		break;
	}
	return 0;
}

double curve_marginal(const struct response_curve *c, double s)
{
	if (s <= 0)
		s = 1e-9;
	switch (c->kind) {
	case CURVE_HILL: {
		double u = pow(s / c->k, c->alpha);
		return c->beta * c->alpha * u / (s * (1 + u) * (1 + u));
	}
	case CURVE_POWER:
		return c->a * c->b * pow(s, c->b - 1);
	case CURVE_NONE:
		break;
	}
	return 0;
}

double curve_inflection(const struct response_curve *c)
{
	if (c->kind != CURVE_HILL || c->alpha <= 1)
		return 0;
	return c->k * pow((c->alpha - 1) / (c->alpha + 1), 1 / c->alpha);
}

double curve_spend_for_marginal(const struct response_curve *c, double m, double lo, double hi)
{
	double inflection = curve_inflection(c);
	if (inflection >= hi)
		return lo;
	if (inflection > lo)
		lo = inflection;
	if (hi <= lo)
		return lo;
	if (c->kind == CURVE_NONE || m <= 0)
		return m <= 0 ? hi : lo;
	if (c->kind == CURVE_POWER) { /* a b s^(b-1) = m */
		double s = pow(m / (c->a * c->b), 1 / (c->b - 1));
		return s < lo ? lo : s > hi ? hi : s;
	}
	/* Hill: log f'(s) = log(beta alpha) + log u - log s - 2 log(1 + u), u = (s/k)^alpha,
	 * strictly decreasing in t = log s above the inflection. Newton on t inside a shrinking bracket. */
	if (curve_marginal(c, lo) <= m)
		return lo;
	if (curve_marginal(c, hi) >= m)
		return hi;
	double tlo = log(lo > 0 ? lo : 1e-9), thi = log(hi), t = 0.5 * (tlo + thi);
	double target = log(m), base = log(c->beta * c->alpha), logk = log(c->k);
	for (int iter = 0; iter < 60; iter++) {
		double u = exp(c->alpha * (t - logk));
		double g = base + c->alpha * (t - logk) - t - 2 * log1p(u) - target;
		if (g > 0)
			tlo = t; /* marginal still above m: spend more */
		else
			thi = t;
		double slope = c->alpha - 1 - 2 * c->alpha * u / (1 + u);
		double next = t - g / slope;
		if (!(next > tlo && next < thi))
			next = 0.5 * (tlo + thi);
		if (fabs(next - t) < 1e-12 || thi - tlo < 1e-12)
			return exp(next);
		t = next;
	}
	return exp(t);
}

/* --- fitting ---------------------------------------------------------------- */

struct points {
	double *x; /* effective (adstocked) spend */
	double *y; /* revenue */
	size_t n;
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

/* Parameters of the Hill fit in unconstrained form: beta and k by their logs,
 * alpha in (0, 1) by a logistic. */
static void hill_from(const gsl_vector *p, struct response_curve *c)
{
	c->kind = CURVE_HILL;
	c->beta = exp(gsl_vector_get(p, 0));
	c->k = exp(gsl_vector_get(p, 1));
	c->alpha = 0.05 + 0.95 / (1 + exp(-gsl_vector_get(p, 2)));
}

static int hill_residuals(const gsl_vector *p, void *arg, gsl_vector *f)
{
	const struct points *pt = arg;
	struct response_curve c = { 0 };
	hill_from(p, &c);
	for (size_t i = 0; i < pt->n; i++)
		gsl_vector_set(f, i, curve_value(&c, pt->x[i]) - pt->y[i]);
	return GSL_SUCCESS;
}

/* Nonlinear least squares (trust region, GSL); returns 0 and the curve. */
static int fit_hill(const struct points *pt, double spend_median, double revenue_max,
		    struct response_curve *out)
{
	if (pt->n < 4)
		return -1;
	const gsl_multifit_nlinear_type *type = gsl_multifit_nlinear_trust;
	gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
	gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(type, &params, pt->n, 3);
	if (w == NULL)
		return -1;
	gsl_multifit_nlinear_fdf fdf = { .f = hill_residuals, .df = NULL, .n = pt->n, .p = 3,
					 .params = (void *)pt };
	double start[3] = { log(2 * revenue_max + 1e-9), log(spend_median + 1e-9), 1.0 };
	gsl_vector_view p0 = gsl_vector_view_array(start, 3);
	int info, rc = -1;
	gsl_set_error_handler_off();
	if (gsl_multifit_nlinear_init(&p0.vector, &fdf, w) == GSL_SUCCESS) {
		int status = gsl_multifit_nlinear_driver(200, 1e-10, 1e-10, 1e-10, NULL, NULL, &info, w);
		if (status == GSL_SUCCESS || status == GSL_EMAXITER) {
			hill_from(w->x, out);
			rc = isfinite(out->beta) && isfinite(out->k) ? 0 : -1;
		}
	}
	gsl_multifit_nlinear_free(w);
	return rc;
}

/* Power law through the positive points: b by least squares on logs
 * (kept in [0.05, 0.95]), then a on the revenue scale. */
static int fit_power(const struct points *pt, double fixed_b, struct response_curve *out)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int m = 0;
	for (size_t i = 0; i < pt->n; i++) {
		if (pt->x[i] > 0 && pt->y[i] > 0) {
			double lx = log(pt->x[i]), ly = log(pt->y[i]);
			sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
			m++;
		}
	}
	double b = fixed_b;
	if (b <= 0) {
		if (m < 2 || sxx - sx * sx / m <= 0)
			return -1;
		b = (sxy - sx * sy / m) / (sxx - sx * sx / m);
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
		return -1;
	out->kind = CURVE_POWER;
	out->b = b;
	out->a = num / den > 0 ? num / den : 0;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Distinct spend levels: sorted values more than 1% of the median apart. */
static int count_levels(const double *x, size_t n, double *median)
{
	double *sorted = malloc(sizeof *sorted * (n ? n : 1));
	if (sorted == NULL)
		return 0;
	memcpy(sorted, x, sizeof *sorted * n);
	qsort(sorted, n, sizeof *sorted, cmp_double);
	*median = n ? sorted[n / 2] : 0;
	int levels = n > 0;
	for (size_t i = 1; i < n; i++)
		if (sorted[i] - sorted[i - 1] > 0.01 * (*median > 0 ? *median : 1))
			levels++;
	free(sorted);
	return levels;
}

/* Fits one carry-over rate: Hill when it fits and identifies saturation
 * near the data, else the power law. Returns the SSE. */
static double fit_at_rate(const double *spend, const double *revenue, size_t n, double rate,
			  struct points *pt, struct response_curve *out)
{
	double x = 0, revenue_max = 0;
	pt->n = 0;
	for (size_t t = 0; t < n; t++) {
		/* Infinities are unknown days too (as in ets): one would void the fit. */
		double s = isfinite(spend[t]) ? spend[t] : 0;
		x = t == 0 ? s : rate * x + (1 - rate) * s;
		if (!isfinite(spend[t]) || !isfinite(revenue[t]))
			continue;
		pt->x[pt->n] = x;
		pt->y[pt->n] = revenue[t];
		if (revenue[t] > revenue_max)
			revenue_max = revenue[t];
		pt->n++;
	}
	double median;
	int levels = count_levels(pt->x, pt->n, &median);
	struct response_curve hill = { 0 }, power = { 0 };
	if (levels < MIN_LEVELS_FOR_SHAPE) {
		if (fit_power(pt, PRIOR_EXPONENT, &power) != 0)
			return HUGE_VAL;
		*out = power;
		return sse_of(out, pt);
	}
	double max_x = 0;
	for (size_t i = 0; i < pt->n; i++)
		max_x = pt->x[i] > max_x ? pt->x[i] : max_x;
	int have_power = fit_power(pt, 0, &power) == 0;
	int have_hill = fit_hill(pt, median, revenue_max, &hill) == 0 &&
			hill.k < 10 * max_x; /* saturation beyond the data is a guess */
	double sse_hill = have_hill ? sse_of(&hill, pt) : HUGE_VAL;
	double sse_power = have_power ? sse_of(&power, pt) : HUGE_VAL;
	*out = sse_hill <= sse_power ? hill : power;
	return sse_hill <= sse_power ? sse_hill : sse_power;
}

static void rate_confidence(struct response_curve *c)
{
	if (c->spend_levels < MIN_LEVELS_FOR_SHAPE) {
		c->confidence = CONFIDENCE_LOW;
		snprintf(c->note, sizeof c->note,
			 "%d distinct spend level(s): the shape is assumed (power law, b = %.1f)",
			 c->spend_levels, PRIOR_EXPONENT);
	} else if (c->spend_levels < 8 || c->points < 14 || c->r2 < 0.1) {
		c->confidence = CONFIDENCE_LOW;
		snprintf(c->note, sizeof c->note, "%d days, %d spend levels, R^2 %.2f: weak evidence",
			 c->points, c->spend_levels, c->r2);
	} else if (c->spend_levels >= 20 && c->points >= 28 && c->r2 >= 0.5) {
		c->confidence = CONFIDENCE_HIGH;
		snprintf(c->note, sizeof c->note, "%d days, %d spend levels, R^2 %.2f", c->points,
			 c->spend_levels, c->r2);
	} else {
		c->confidence = CONFIDENCE_MEDIUM;
		snprintf(c->note, sizeof c->note, "%d days, %d spend levels, R^2 %.2f", c->points,
			 c->spend_levels, c->r2);
	}
}

int curve_fit(const double *spend, const double *revenue, size_t n, int with_adstock,
		 struct response_curve *out)
{
	memset(out, 0, sizeof *out);
	struct points pt = { malloc(sizeof(double) * (n ? n : 1)), malloc(sizeof(double) * (n ? n : 1)), 0 };
	if (pt.x == NULL || pt.y == NULL) {
		free(pt.x);
		free(pt.y);
		return -1;
	}
	double total_spend = 0, mean_revenue = 0;
	int used = 0;
	for (size_t t = 0; t < n; t++) {
		if (isfinite(spend[t]) && isfinite(revenue[t])) {
			total_spend += spend[t];
			mean_revenue += revenue[t];
			used++;
		}
	}
	if (used == 0 || total_spend <= 0) {
		out->kind = CURVE_NONE;
		out->points = used;
		snprintf(out->note, sizeof out->note, used ? "no spend in the data" : "no days with both spend and revenue");
		free(pt.x);
		free(pt.y);
		return 0;
	}
	mean_revenue /= used;

	/* Spend levels count the days' own spend, before any carry-over. */
	pt.n = 0;
	for (size_t t = 0; t < n; t++)
		if (isfinite(spend[t]) && isfinite(revenue[t]))
			pt.x[pt.n++] = spend[t];
	double median;
	int levels = count_levels(pt.x, pt.n, &median);

	/* The carry-over rate by grid search: each rate is a separate fit. */
	double best = HUGE_VAL;
	for (int r = 0; r <= (with_adstock ? 7 : 0); r++) {
		struct response_curve c = { 0 };
		double sse = fit_at_rate(spend, revenue, n, r / 10.0, &pt, &c);
		if (sse < best) {
			best = sse;
			*out = c;
			out->adstock = r / 10.0;
		}
	}
	double sst = 0;
	for (size_t i = 0; i < pt.n; i++)
		sst += (pt.y[i] - mean_revenue) * (pt.y[i] - mean_revenue);
	out->points = (int)pt.n;
	out->spend_levels = levels;
	out->r2 = sst > 0 && isfinite(best) ? 1 - best / sst : 0;
	rate_confidence(out);
	free(pt.x);
	free(pt.y);
	return 0;
}
