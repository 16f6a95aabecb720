#include "ets.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD 64
#define MAX_STATES (2 + MAX_PERIOD)
#define NM_MAX_ITER 100
#define NM_TOLERANCE 1e-3

/* One form: what the filter needs. */
struct spec {
	int error_mult; /* multiplicative errors: the likelihood of relative errors */
	enum ets_trend trend;
	int seasonal;    /* a season, additive or multiplicative */
	int season_mult; /* the season multiplies the level */
	int m;           /* period when seasonal, else 1 */
};

static int spec_equal(const struct spec *a, const struct spec *b)
{
	return a->error_mult == b->error_mult && a->trend == b->trend && a->seasonal == b->seasonal &&
	       a->season_mult == b->season_mult && a->m == b->m;
}

#define MAX_FORMS 15 /* 2 errors x 3 trends x 3 seasons, less A,*,M */

struct params {
	double alpha, beta, gamma, phi;
};

struct ets_fit {
	struct spec spec;
	struct params p;
	int nonnegative;
	double x0[MAX_STATES]; /* l, b, s[0..m) with s[0] the oldest season */
	double xn[MAX_STATES]; /* state after the last period, season rotated so s[0] is next */
	double sse, sigma2, loglik, aicc;
	int n_obs, n_params;
	const double *y;       /* only during fitting */
	size_t n;
};

void ets_options_default(struct ets_options *opt)
{
	opt->period = 7;
	opt->nonnegative = 0;
	opt->force_error = -1;
	opt->force_trend = -1;
	opt->force_seasonal = -1;
}

/* A free coordinate clamped to [0,1]; how far outside it was goes to *excess
 * so that the objective can lead the search back inside. */
static double unit_clamp(double u, double *excess)
{
	if (u < 0) {
		*excess += u * u;
		return 0;
	}
	if (u > 1) {
		*excess += (u - 1) * (u - 1);
		return 1;
	}
	return u;
}

/* Bounded parameters from free ones: alpha in [1e-4, 0.9999], beta in
 * [0, alpha], gamma in [0, 1-alpha], phi in [0.8, 0.98] (the usual region).
 * The map is linear inside, so optima on a bound are reached exactly. */
static struct params decode_params(const struct spec *sp, const double *u, double *excess)
{
	struct params p = { 0, 0, 0, 1 };
	int i = 0;
	*excess = 0;
	p.alpha = 1e-4 + (0.9999 - 1e-4) * unit_clamp(u[i++], excess);
	if (sp->trend != ETS_TREND_NONE)
		p.beta = p.alpha * unit_clamp(u[i++], excess);
	if (sp->seasonal)
		p.gamma = (1 - p.alpha) * unit_clamp(u[i++], excess);
	if (sp->trend == ETS_TREND_DAMPED)
		p.phi = 0.8 + 0.18 * unit_clamp(u[i++], excess);
	return p;
}

static int free_params(const struct spec *sp)
{
	return 1 + (sp->trend != ETS_TREND_NONE) + sp->seasonal + (sp->trend == ETS_TREND_DAMPED);
}

/* Initial states estimated (level, trend, m-1 seasonal: they sum to zero). */
static int free_states(const struct spec *sp)
{
	return 1 + (sp->trend != ETS_TREND_NONE) + (sp->seasonal ? sp->m - 1 : 0);
}

/* Maps coefficient vector c (free_states entries) to a full initial state. */
static void expand_state(const struct spec *sp, const double *c, double *x0)
{
	int i = 0;
	memset(x0, 0, sizeof(double) * MAX_STATES);
	x0[0] = c[i++];
	if (sp->trend != ETS_TREND_NONE)
		x0[1] = c[i++];
	if (sp->seasonal) {
		double sum = 0;
		for (int k = 0; k < sp->m - 1; k++) {
			x0[2 + k] = c[i++];
			sum += x0[2 + k];
		}
		x0[2 + sp->m - 1] = -sum;
	}
}

/* One step of the recursions once the error r = y - mu is known (q = l +
 * phi b; inv_season = 1 / season, used only by a multiplicative season). */
static inline void state_step(const struct spec *sp, const struct params *p, double q,
			      double season, double inv_season, double r, double *l, double *b,
			      double *s)
{
	double rs = sp->season_mult ? r * inv_season : r;
	*l = q + p->alpha * rs;
	*b = p->phi * *b + p->beta * rs;
	*s = season + p->gamma * (sp->season_mult ? r / q : r);
}

/*
 * Runs the recursions from x0 over y, in error-correction form: with
 * r = y - mu the one-step error in the data's units, an additive season
 * gives l' = q + alpha r, b' = phi b + beta r, s' = s + gamma r (q = l +
 * phi b, mu = q + s), whatever the error, and a multiplicative one (mu =
 * q s) l' = q + alpha r / s, b' = phi b + beta r / s, s' = s + gamma r / q.
 * The error type only changes the likelihood. Missing values leave the
 * state to its forecast. Writes one-step fitted values into fitted (when
 * non-NULL) and the final state into xn (season rotated so that xn[2] is
 * used next). Returns the sum of squared errors, relative ones (r / mu)
 * for multiplicative errors; then *log_mu (when non-NULL) gets the sum of
 * log mu over the observed values, NaN when a fitted value is not positive.
 */
static double run_filter(const struct spec *sp, const struct params *p, const double *x0,
			 const double *y, size_t n, double *fitted, double *xn, double *log_mu)
{
	double l = x0[0], b = x0[1], s[MAX_PERIOD], inv_s[MAX_PERIOD];
	int m = sp->seasonal ? sp->m : 1;
	for (int k = 0; k < m; k++) {
		s[k] = sp->seasonal ? x0[2 + k] : 0;
		inv_s[k] = 1 / s[k];
	}
	/* The product of the fitted values, renormalised every four steps,
	 * costs far less than a logarithm per step. A seasonal value's
	 * reciprocal is taken when it is updated, a cycle before it is needed,
	 * so that no division lies on the level's chain. */
	double sse = 0, product = 1;
	int j = 0, exponent = 0, since = 0, not_positive = 0;
	const double phi = p->phi;
	for (size_t t = 0; t < n; t++) {
		double q = l + phi * b, season = s[j], mu = sp->season_mult ? q * season : q + season;
		if (fitted != NULL)
			fitted[t] = isnan(y[t]) ? NAN : mu;
		if (isnan(y[t])) {
			l = q;
			b = phi * b;
		} else {
			double r = y[t] - mu;
			if (sp->error_mult) {
				double e = r / mu;
				sse += e * e;
				not_positive |= !(mu > 0);
				product *= mu;
				if (++since == 4) {
					int power;
					product = frexp(product, &power);
					exponent += power;
					since = 0;
				}
			} else {
				sse += r * r;
			}
			state_step(sp, p, q, season, inv_s[j], r, &l, &b, &s[j]);
			if (sp->season_mult)
				inv_s[j] = 1 / s[j];
		}
		j = j + 1 == m ? 0 : j + 1;
	}
	if (xn != NULL) {
		memset(xn, 0, sizeof(double) * MAX_STATES);
		xn[0] = l;
		xn[1] = b;
		for (int k = 0; k < m && sp->seasonal; k++)
			xn[2 + k] = s[(j + k) % m];
	}
	if (log_mu != NULL)
		*log_mu = not_positive ? NAN : log(product) + exponent * M_LN2;
	return sse;
}

/*
 * The starting state of a multiplicative-season form, as R's ets takes it:
 * seasonal indices from a classical multiplicative decomposition of the
 * first cycles (ratios to a centred moving average, averaged by slot and
 * normalised to average one), then level and trend from a least-squares
 * line through the first max(10, 2m) seasonally adjusted values. Up to
 * four cycles rather than R's three: with the start held fixed (it is not
 * searched, unlike R's), a steadier estimate matters more.
 */
static void decomposition_start(const struct spec *sp, const double *y, size_t n, double *x0)
{
	const int m = sp->m, half = m / 2;
	size_t cycles = n / (size_t)m < 4 ? n / (size_t)m : 4, span = cycles * (size_t)m;
	double ratio_sum[MAX_PERIOD] = { 0 }, figure[MAX_PERIOD], figure_sum = 0;
	int ratio_n[MAX_PERIOD] = { 0 };
	for (size_t t = (size_t)half; t + (size_t)half < span; t++) {
		/* A centred average over one cycle: for an even period, the two
		 * ends weigh half (a 2 x m moving average). */
		double sum = 0;
		for (int k = -half; k <= half; k++)
			sum += (m % 2 == 0 && (k == -half || k == half) ? 0.5 : 1) * y[(long)t + k];
		double average = sum / m;
		if (isnan(average) || isnan(y[t]) || !(average > 0))
			continue;
		ratio_sum[t % (size_t)m] += y[t] / average;
		ratio_n[t % (size_t)m]++;
	}
	for (int k = 0; k < m; k++) {
		figure[k] = ratio_n[k] > 0 && ratio_sum[k] > 0 ? ratio_sum[k] / ratio_n[k] : 1;
		figure_sum += figure[k];
	}
	memset(x0, 0, sizeof(double) * MAX_STATES);
	for (int k = 0; k < m; k++)
		x0[2 + k] = figure[k] * m / figure_sum;
	size_t upto = (size_t)(2 * m > 10 ? 2 * m : 10);
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int count = 0;
	for (size_t t = 0; t < n && t < upto; t++) {
		if (isnan(y[t]))
			continue;
		double x = (double)t + 1, v = y[t] / x0[2 + t % (size_t)m];
		sx += x, sy += v, sxx += x * x, sxy += x * v;
		count++;
	}
	double mean = count > 0 ? sy / count : 1, slope = 0;
	if (sp->trend != ETS_TREND_NONE && count > 1 && count * sxx - sx * sx > 0)
		slope = (count * sxy - sx * sy) / (count * sxx - sx * sx);
	double level = mean - slope * (count > 0 ? sx / count : 0);
	/* A line that starts at or below zero cannot carry a multiplicative
	 * season: start level at the mean instead. */
	if (!(level > 0)) {
		level = mean;
		slope = 0;
	}
	x0[0] = level;
	x0[1] = slope;
}

/* Solves the small symmetric positive system H x = g in place by Cholesky
 * (H is overwritten). Returns -1 when H is not positive definite. */
static int cholesky_solve(double *H, double *g, int p)
{
	for (int j = 0; j < p; j++) {
		double d = H[j * p + j];
		for (int k = 0; k < j; k++)
			d -= H[j * p + k] * H[j * p + k];
		if (d <= 0)
			return -1;
		d = sqrt(d);
		H[j * p + j] = d;
		for (int i = j + 1; i < p; i++) {
			double v = H[i * p + j];
			for (int k = 0; k < j; k++)
				v -= H[i * p + k] * H[j * p + k];
			H[i * p + j] = v / d;
		}
	}
	for (int i = 0; i < p; i++) {
		for (int k = 0; k < i; k++)
			g[i] -= H[i * p + k] * g[k];
		g[i] /= H[i * p + i];
	}
	for (int i = p - 1; i >= 0; i--) {
		for (int k = i + 1; k < p; k++)
			g[i] -= H[k * p + i] * g[k];
		g[i] /= H[i * p + i];
	}
	return 0;
}

/* Sum of R(u) R(u + lag) over the last terms that Q(., upto) leaves out:
 * u from n - upto to n - 1 - lag. */
static double tail(const double *r, size_t n, int lag, int upto)
{
	double sum = 0;
	for (size_t u = n - (size_t)upto; u + (size_t)lag < n; u++)
		sum += r[u] * r[u + (size_t)lag];
	return sum;
}

/*
 * From the products of the errors of the data (vector 0) and of each unit
 * initial state (1..p), in the upper triangle of G (nv = p + 1 wide):
 * min |a + C c|^2 gives c = -(C'C)^-1 C'a, SSE = a'a - a'C (C'C)^-1 C'a.
 */
static double solve_normal(const double *G, int nv, int p, double *c)
{
	int v, w;
	double H[MAX_STATES * MAX_STATES], g[MAX_STATES], rhs[MAX_STATES];
	double trace = 0;
	for (v = 0; v < p; v++)
		trace += G[(v + 1) * nv + v + 1];
	for (v = 0; v < p; v++) {
		for (w = 0; w < p; w++) {
			int a = v < w ? v : w, b = v < w ? w : v;
			H[v * p + w] = G[(a + 1) * nv + b + 1];
		}
		H[v * p + v] += 1e-10 * (trace / p + 1e-300); /* keeps a flat direction solvable */
		g[v] = G[v + 1];
		rhs[v] = g[v];
	}
	if (cholesky_solve(H, rhs, p) != 0)
		return HUGE_VAL;
	double sse = G[0];
	for (v = 0; v < p; v++)
		sse -= g[v] * rhs[v];
	if (c != NULL)
		for (v = 0; v < p; v++)
			c[v] = -rhs[v];
	return sse > 0 ? sse : 0;
}

/*
 * The errors of an additive model are linear in the initial state:
 * e(x0) = a + C c, with a the errors from a zero state and C's columns the
 * errors from each unit state with y = 0. This runs all of them in one pass,
 * accumulating C'C, C'a and a'a, and returns the least-squares SSE; the
 * best coefficients go to c (when non-NULL).
 */
#define GRAM_BATCH 8

/* G (upper triangle, nv wide) += the products of count error vectors. */
static inline void add_products(double *G, int nv, const double (*e)[MAX_STATES + 1], int count)
{
	for (int v = 0; v < nv; v++)
		for (int w = v; w < nv; w++) {
			double sum = G[v * nv + w];
			for (int k = 0; k < count; k++)
				sum += e[k][v] * e[k][w];
			G[v * nv + w] = sum;
		}
}

static double concentrated_sse(const struct spec *sp, const struct params *prm, const double *y,
			       size_t n, double *c)
{
	int p = free_states(sp), m = sp->seasonal ? sp->m : 1, v;
	int nv = p + 1; /* vector 0: the data from a zero state; 1..p: unit states */
	/* The vectors side by side (S by season slot, then vector), so that
	 * each step's loops over them run on contiguous memory. */
	double L[MAX_STATES + 1], B[MAX_STATES + 1], S[MAX_PERIOD][MAX_STATES + 1];
	double G[(MAX_STATES + 1) * (MAX_STATES + 1)];
	memset(G, 0, sizeof(double) * (size_t)(nv * nv));
	for (v = 0; v < nv; v++) {
		double unit[MAX_STATES] = { 0 }, x0[MAX_STATES];
		if (v > 0)
			unit[v - 1] = 1;
		expand_state(sp, unit, x0);
		L[v] = x0[0];
		B[v] = x0[1];
		for (int k = 0; k < m; k++)
			S[k][v] = sp->seasonal ? x0[2 + k] : 0;
	}
	const double phi = prm->phi, alpha = prm->alpha, beta = prm->beta, gamma = prm->gamma;
	/* The errors of a batch of observed steps, then their products added
	 * to G batch by batch: each entry of G is loaded and stored once a
	 * batch rather than once a step, and summed in the same order. */
	double e[GRAM_BATCH][MAX_STATES + 1];
	int j = 0, batched = 0;
	for (size_t t = 0; t < n; t++) {
		double *Sj = S[j];
		if (isnan(y[t])) { /* no error: every state moves on by the model */
			for (v = 0; v < nv; v++) {
				L[v] = L[v] + phi * B[v];
				B[v] = phi * B[v];
			}
		} else {
			double *et = e[batched++];
			for (v = 0; v < nv; v++) {
				double ev = (v == 0 ? y[t] : 0) - (L[v] + phi * B[v] + Sj[v]);
				et[v] = ev;
				L[v] = L[v] + phi * B[v] + alpha * ev;
				B[v] = phi * B[v] + beta * ev;
				Sj[v] += gamma * ev;
			}
		}
		j = j + 1 == m ? 0 : j + 1;
		if (batched == GRAM_BATCH) {
			add_products(G, nv, e, GRAM_BATCH);
			batched = 0;
		}
	}
	add_products(G, nv, e, batched);
	return solve_normal(G, nv, p, c);
}

/*
 * The same for a seasonal form on a series without gaps, in fewer passes.
 * Without gaps the model is time-invariant, so the errors caused by a unit
 * in seasonal slot k are those of slot 0 delayed by k periods: one impulse
 * response R serves every slot, and the seasonal entries of the normal
 * equations become lagged products of R (and of the other responses with R).
 * work holds 4n doubles. Returns the least-squares SSE; coefficients to c.
 */
static double concentrated_sse_shifted(const struct spec *sp, const struct params *prm,
				       const double *y, size_t n, double *c, double *work)
{
	const int m = sp->m, M = m - 1, trend = sp->trend != ETS_TREND_NONE;
	const int p = 1 + trend + M; /* level, trend, seasonal j = 0..m-2 */
	double *ea = work, *el = work + n, *et = work + 2 * n, *r = work + 3 * n;
	double la = 0, ba = 0, sa[MAX_PERIOD] = { 0 };                  /* the data */
	double ll = 1, bl = 0, sl[MAX_PERIOD] = { 0 };                  /* unit level */
	double lt = 0, bt = trend ? 1 : 0, st[MAX_PERIOD] = { 0 };       /* unit trend */
	double lr = 0, br = 0, sr[MAX_PERIOD] = { 0 };                  /* unit slot 0 */
	sr[0] = 1;
	const double phi = prm->phi, alpha = prm->alpha, beta = prm->beta, gamma = prm->gamma;
	int j = 0;
	for (size_t t = 0; t < n; t++) {
#define STEP(L, B, S, Y, OUT)                                            \
	do {                                                             \
		double q_ = L + phi * B, e_ = (Y) - q_ - S[j];           \
		OUT[t] = e_;                                             \
		L = q_ + alpha * e_;                                     \
		B = phi * B + beta * e_;                                 \
		S[j] += gamma * e_;                                      \
	} while (0)
		STEP(la, ba, sa, y[t], ea);
		STEP(ll, bl, sl, 0, el);
		STEP(lt, bt, st, 0, et);
		STEP(lr, br, sr, 0, r);
#undef STEP
		j = j + 1 == m ? 0 : j + 1;
	}
	/* Products among the data, level and trend responses. */
	double aa = 0, al = 0, at = 0, lll = 0, lt2 = 0, tt = 0;
	for (size_t t = 0; t < n; t++) {
		aa += ea[t] * ea[t];
		al += ea[t] * el[t];
		at += ea[t] * et[t];
		lll += el[t] * el[t];
		lt2 += el[t] * et[t];
		tt += et[t] * et[t];
	}
	/* X_v(k) = sum over t >= k of v(t) R(t - k): products with slot k's response. */
	double xa[MAX_PERIOD], xl[MAX_PERIOD], xt[MAX_PERIOD], lag[MAX_PERIOD];
	for (int k = 0; k < m; k++) {
		double sa2 = 0, sl2 = 0, st2 = 0, sq = 0;
		for (size_t t = (size_t)k; t < n; t++) {
			double rv = r[t - (size_t)k];
			sa2 += ea[t] * rv;
			sl2 += el[t] * rv;
			st2 += et[t] * rv;
		}
		for (size_t u = 0; u + (size_t)k < n; u++)
			sq += r[u] * r[u + (size_t)k];
		xa[k] = sa2, xl[k] = sl2, xt[k] = st2, lag[k] = sq;
	}
	/* Q(i, j), i <= j: sum over u < n - j of R(u) R(u + j - i): the full lagged
	 * sum less its last terms. */
#define Q(i, jj) (lag[(jj) - (i)] - tail(r, n, (jj) - (i), (jj)))
	double G[(MAX_STATES + 1) * (MAX_STATES + 1)];
	int nv = p + 1;
	/* vector order: 0 data, 1 level, (2 trend), then seasonal j */
	G[0] = aa;
	G[1] = al;
	G[nv + 1] = lll;
	if (trend) {
		G[2] = at;
		G[nv + 2] = lt2;
		G[2 * nv + 2] = tt;
	}
	int s0 = 2 + trend;
	double qmm = lag[0] - tail(r, n, 0, M);
	for (int a = 0; a < M; a++) {
		int va = s0 + a;
		G[va] = xa[a] - xa[M];
		G[nv + va] = xl[a] - xl[M];
		if (trend)
			G[2 * nv + va] = xt[a] - xt[M];
		double qam = Q(a, M);
		for (int b = a; b < M; b++) {
			double qab = Q(a, b), qbm = Q(b, M);
			G[va * nv + s0 + b] = qab - qam - qbm + qmm;
		}
	}
#undef Q
	return solve_normal(G, nv, p, c);
}

/* The SSE from a fixed initial state for a series without gaps: the
 * filter's inner loop without the checks for missing values and without
 * writing anything but the sum (this is most of a rough search's time). */
static double sse_gap_free(const struct spec *sp, const struct params *p, const double *x0,
			   const double *y, size_t n)
{
	/* The state is kept as (l, phi b): then each step's dependency chain is
	 * an add, a subtract and a fused multiply-add. */
	const double alpha = p->alpha, gamma = p->gamma, phi = p->phi, phibeta = p->phi * p->beta;
	double l = x0[0], pb = phi * x0[1], sse = 0;
	if (!sp->seasonal) {
		for (size_t t = 0; t < n; t++) {
			double q = l + pb, e = y[t] - q;
			sse += e * e;
			l = q + alpha * e;
			pb = phi * pb + phibeta * e;
		}
		return sse;
	}
	double s[MAX_PERIOD];
	const int m = sp->m;
	for (int k = 0; k < m; k++)
		s[k] = x0[2 + k];
	size_t t = 0;
	while (t < n) {
		for (int j = 0; j < m && t < n; j++, t++) {
			double q = l + pb, e = (y[t] - s[j]) - q;
			sse += e * e;
			l = q + alpha * e;
			pb = phi * pb + phibeta * e;
			s[j] += gamma * e;
		}
	}
	return sse;
}

/* The same where the series has gaps: a missing value's step moves the
 * state on by the model alone (no error), as run_filter does. */
static double sse_with_gaps(const struct spec *sp, const struct params *p, const double *x0,
			    const double *y, size_t n)
{
	const double alpha = p->alpha, gamma = p->gamma, phi = p->phi, phibeta = p->phi * p->beta;
	double l = x0[0], pb = phi * x0[1], sse = 0, s[MAX_PERIOD];
	const int m = sp->seasonal ? sp->m : 1;
	for (int k = 0; k < m; k++)
		s[k] = sp->seasonal ? x0[2 + k] : 0;
	for (size_t t = 0, j = 0; t < n; t++, j = j + 1 == (size_t)m ? 0 : j + 1) {
		double q = l + pb;
		if (isnan(y[t])) {
			l = q;
			pb = phi * pb;
			continue;
		}
		double e = (y[t] - s[j]) - q;
		sse += e * e;
		l = q + alpha * e;
		pb = phi * pb + phibeta * e;
		s[j] += gamma * e;
	}
	return sse;
}

/* The concentrated SSE by the fastest exact route: work (4n doubles) is
 * given only for series without gaps. */
static double least_squares_sse(const struct spec *sp, const struct params *prm, const double *y,
				size_t n, double *c, double *work)
{
	if (sp->seasonal && work != NULL)
		return concentrated_sse_shifted(sp, prm, y, n, c, work);
	return concentrated_sse(sp, prm, y, n, c);
}

/* The initial state for parameters p: by least squares for an additive
 * season or none (exact for additive errors, close for multiplicative
 * ones), the decomposition start for a multiplicative season. Returns -1
 * when the least squares fail. */
static int initial_state(const struct spec *sp, const struct params *p, const double *y,
			 size_t n, double *work, double *x0)
{
	if (sp->season_mult) {
		decomposition_start(sp, y, n, x0);
		return 0;
	}
	double c[MAX_STATES];
	if (!isfinite(least_squares_sse(sp, p, y, n, c, work)))
		return -1;
	expand_state(sp, c, x0);
	return 0;
}

/* The likelihood's data term for a given start: n log(SSE) + 2 sum log mu
 * (the constants left out); HUGE_VAL where it cannot be computed. */
static double start_objective(const struct spec *sp, const struct params *p, const double *x0,
			      const double *y, size_t n, int n_obs, double floor)
{
	double log_mu = 0;
	double sse = run_filter(sp, p, x0, y, n, NULL, NULL, sp->error_mult ? &log_mu : NULL);
	double value = n_obs * log(sse + floor) + 2 * log_mu;
	return isfinite(value) ? value : HUGE_VAL;
}

/* Moves x0 by step times delta along the free state coordinates (level,
 * trend, the first m-1 seasonal values; the last one keeps the sum). */
static void shift_state(const struct spec *sp, const double *x0, const double *delta,
			double step, double *out)
{
	int i = 0;
	memcpy(out, x0, sizeof(double) * MAX_STATES);
	out[0] += step * delta[i++];
	if (sp->trend != ETS_TREND_NONE)
		out[1] += step * delta[i++];
	for (int k = 0; sp->seasonal && k < sp->m - 1; k++) {
		out[2 + k] += step * delta[i];
		out[2 + sp->m - 1] -= step * delta[i++];
	}
}

/*
 * One pass of the filter carrying, beside the state, its derivatives with
 * respect to each free initial state coordinate (forward differentiation),
 * accumulating the gradient of the data term and its Gauss-Newton Hessian
 * (2 n / SSE times the sum of de de'). Returns the SSE, or NaN.
 */
static double start_derivatives(const struct spec *sp, const struct params *prm, const double *x0,
				const double *y, size_t n, double *grad, double *hess,
				double *log_grad)
{
	const int p = free_states(sp), m = sp->seasonal ? sp->m : 1;
	const double alpha = prm->alpha, beta = prm->beta, gamma = prm->gamma, phi = prm->phi;
	double l = x0[0], b = x0[1], s[MAX_PERIOD];
	double dl[MAX_STATES], db[MAX_STATES], ds[MAX_STATES][MAX_PERIOD];
	memset(ds, 0, sizeof(double) * MAX_PERIOD * (size_t)p);
	for (int k = 0; k < m; k++)
		s[k] = sp->seasonal ? x0[2 + k] : 0;
	for (int v = 0; v < p; v++) {
		int seasonal_index = v - 1 - (sp->trend != ETS_TREND_NONE);
		dl[v] = v == 0;
		db[v] = sp->trend != ETS_TREND_NONE && v == 1;
		if (seasonal_index >= 0) {
			ds[v][seasonal_index] = 1;
			ds[v][m - 1] = -1;
		}
	}
	memset(grad, 0, sizeof(double) * (size_t)p);
	memset(log_grad, 0, sizeof(double) * (size_t)p);
	memset(hess, 0, sizeof(double) * (size_t)(p * p));
	double sse = 0;
	int j = 0;
	for (size_t t = 0; t < n; t++) {
		double q = l + phi * b, season = s[j], mu = sp->season_mult ? q * season : q + season;
		if (isnan(y[t])) {
			for (int v = 0; v < p; v++) {
				dl[v] += phi * db[v];
				db[v] *= phi;
			}
			l = q;
			b = phi * b;
			j = j + 1 == m ? 0 : j + 1;
			continue;
		}
		/* Three divisions a step, none per coordinate. */
		double inv_mu = 1 / mu, inv_s = sp->season_mult ? 1 / season : 1;
		double inv_q = sp->season_mult ? 1 / q : 1;
		double r = y[t] - mu, e = sp->error_mult ? r * inv_mu : r;
		double de_dmu = sp->error_mult ? -y[t] * inv_mu * inv_mu : -1;
		double r_s2 = r * inv_s * inv_s, r_q2 = r * inv_q * inv_q;
		double de[MAX_STATES];
		sse += e * e;
		for (int v = 0; v < p; v++) {
			double dq = dl[v] + phi * db[v], dsj = ds[v][j];
			double dmu = sp->season_mult ? dq * season + q * dsj : dq + dsj, dr = -dmu;
			de[v] = de_dmu * dmu;
			log_grad[v] += dmu * inv_mu;
			if (sp->season_mult) {
				double drs = dr * inv_s - r_s2 * dsj;
				dl[v] = dq + alpha * drs;
				db[v] = phi * db[v] + beta * drs;
				ds[v][j] = dsj + gamma * (dr * inv_q - r_q2 * dq);
			} else {
				dl[v] = dq + alpha * dr;
				db[v] = phi * db[v] + beta * dr;
				ds[v][j] = dsj + gamma * dr;
			}
		}
		for (int v = 0; v < p; v++) {
			grad[v] += e * de[v];
			for (int w = v; w < p; w++)
				hess[v * p + w] += de[v] * de[w];
		}
		state_step(sp, prm, q, season, inv_s, r, &l, &b, &s[j]);
		j = j + 1 == m ? 0 : j + 1;
	}
	return sse;
}

/*
 * Improves the initial state of a form whose one-step errors are not
 * linear in it (multiplicative errors or season), for fixed parameters,
 * by damped Gauss-Newton steps on the likelihood: the nonlinear analogue
 * of the additive forms' exact least squares, and what R's ets gets by
 * searching the states with the parameters. Stops when a step (halved up
 * to four times) no longer helps.
 */
static void improve_start(const struct spec *sp, const struct params *prm, const double *y,
			  size_t n, int n_obs, double floor, double *x0, int iterations)
{
	const int p = free_states(sp);
	double current = start_objective(sp, prm, x0, y, n, n_obs, floor);
	for (int iter = 0; iter < iterations && current < HUGE_VAL; iter++) {
		double grad[MAX_STATES], log_grad[MAX_STATES], hess[MAX_STATES * MAX_STATES];
		double sse = start_derivatives(sp, prm, x0, y, n, grad, hess, log_grad);
		if (!(sse > 0) || !isfinite(sse))
			return;
		/* F = n log(SSE) + 2 sum log mu: dF = (2 n / SSE) e'de + 2 sum dmu / mu;
		 * H ~ (2 n / SSE) de'de, so the step solves de'de delta = -(e'de +
		 * (SSE / n) sum dmu / mu). */
		double trace = 0;
		for (int v = 0; v < p; v++) {
			for (int w = 0; w < v; w++)
				hess[v * p + w] = hess[w * p + v];
			trace += hess[v * p + v];
			grad[v] = -(grad[v] + (sse + floor) / n_obs * log_grad[v]);
		}
		for (int v = 0; v < p; v++)
			hess[v * p + v] += 1e-9 * (trace / p + 1e-300);
		if (cholesky_solve(hess, grad, p) != 0)
			return;
		double step = 1, trial[MAX_STATES], value = HUGE_VAL;
		for (int half = 0; half < 5; half++, step /= 2) {
			shift_state(sp, x0, grad, step, trial);
			value = start_objective(sp, prm, trial, y, n, n_obs, floor);
			if (value < current)
				break;
		}
		if (!(value < current - 1e-9 * fabs(current)))
			return;
		memcpy(x0, trial, sizeof trial);
		current = value;
	}
}

static int fully_additive(const struct spec *sp)
{
	return !sp->error_mult && !sp->season_mult;
}

struct objective {
	const struct spec *sp;
	const double *y;
	size_t n;
	int n_obs;
	double floor;     /* keeps log(SSE) finite for a perfect fit */
	const double *x0; /* initial state held fixed, or NULL to concentrate it out */
	double *work;     /* for least_squares_sse */
};

/* Twice the negative log-likelihood less constants: n log(SSE / n), plus
 * 2 sum log mu for multiplicative errors (the Jacobian of relative errors). */
static double objective_sse(const struct objective *o, const struct params *p, double *log_mu)
{
	const struct spec *sp = o->sp;
	*log_mu = 0;
	if (fully_additive(sp) && o->x0 == NULL)
		return least_squares_sse(sp, p, o->y, o->n, NULL, o->work);
	if (fully_additive(sp) && o->x0 != NULL)
		return o->work != NULL ? sse_gap_free(sp, p, o->x0, o->y, o->n)
				       : sse_with_gaps(sp, p, o->x0, o->y, o->n);
	double start[MAX_STATES];
	const double *x0 = o->x0;
	if (x0 == NULL) {
		if (initial_state(sp, p, o->y, o->n, o->work, start) != 0)
			return NAN;
		x0 = start;
	}
	return run_filter(sp, p, x0, o->y, o->n, NULL, NULL, sp->error_mult ? log_mu : NULL);
}

static double negative_loglik(const gsl_vector *u, void *arg)
{
	const struct objective *o = arg;
	double excess, log_mu;
	struct params p = decode_params(o->sp, u->data, &excess);
	double sse = objective_sse(o, &p, &log_mu);
	double value = o->n_obs * log((sse + o->floor) / o->n_obs) + 2 * log_mu + 1e3 * excess;
	/* GSL's simplex stops with an error on a non-finite value: a parameter
	 * set the data cannot judge (overflow, or a perfect fit of a constant
	 * series, log 0) gets a finite stand-in of the same sense. */
	if (isnan(sse) || isnan(log_mu) || isnan(value) || value == INFINITY)
		return 1e300;
	if (value == -INFINITY)
		return -1e300;
	return value;
}

/* Minimises over the free parameters from u; writes the best into u. */
static void nelder_mead(struct objective *o, double *u, int dims, double step_size,
			double tolerance, int max_iter)
{
	gsl_multimin_function f = { negative_loglik, (size_t)dims, o };
	gsl_vector *x = gsl_vector_alloc((size_t)dims), *step = gsl_vector_alloc((size_t)dims);
	gsl_multimin_fminimizer *s =
		gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)dims);
	if (x == NULL || step == NULL || s == NULL)
		goto out;
	for (int i = 0; i < dims; i++) {
		gsl_vector_set(x, (size_t)i, u[i]);
		gsl_vector_set(step, (size_t)i, step_size);
	}
	/* GSL's default handler aborts the process on an error (a worker or the
	 * scheduler would die): errors are return codes here. */
	gsl_set_error_handler_off();
	if (gsl_multimin_fminimizer_set(s, &f, x, step) != GSL_SUCCESS)
		goto out;
	for (int iter = 0; iter < max_iter; iter++) {
		if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
			break;
		if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), tolerance) == GSL_SUCCESS)
			break;
	}
	for (int i = 0; i < dims; i++)
		u[i] = gsl_vector_get(s->x, (size_t)i);
out:
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(step);
	gsl_vector_free(x);
}

/* Tries coordinate `i` of u at each of values[count] (in parameter units,
 * mapped by `to_u`), the rest where it is; keeps the best when it beats
 * *best by more than one unit of log-likelihood (the objective is -2 log
 * L; less is not worth a new search). Returns 1 when it moved. */
static int scan_coordinate(struct objective *o, double *u, int i, const double *values, int count,
			   double (*to_u)(double), double *best)
{
	gsl_vector_view at = gsl_vector_view_array(u, (size_t)free_params(o->sp));
	double kept = u[i], best_u = u[i];
	for (int k = 0; k < count; k++) {
		u[i] = to_u(values[k]);
		double value = negative_loglik(&at.vector, o);
		if (value < *best - 2) {
			*best = value;
			best_u = u[i];
		}
	}
	u[i] = best_u;
	return best_u != kept;
}

static double alpha_to_u(double alpha)
{
	return (alpha - 1e-4) / (0.9999 - 1e-4);
}

static double share_to_u(double share)
{
	return share;
}

/*
 * The likelihood can have an optimum near each end of alpha's range (a
 * level that barely moves, or a random walk) and of beta's (a fixed
 * slope, or one that moves with the level) besides the one a local
 * search found: tries alpha across its range, then beta's share of alpha,
 * each with the other parameters where they are. Returns 1 when u moved.
 */
static int scan_alpha(struct objective *o, double *u)
{
	static const double alphas[] = { 0.02, 0.1, 0.3, 0.6, 0.9, 0.999 };
	static const double beta_shares[] = { 0, 0.1, 0.5, 1 };
	gsl_vector_view at = gsl_vector_view_array(u, (size_t)free_params(o->sp));
	double best = negative_loglik(&at.vector, o);
	int moved = scan_coordinate(o, u, 0, alphas, 6, alpha_to_u, &best);
	if (o->sp->trend != ETS_TREND_NONE)
		moved |= scan_coordinate(o, u, 1, beta_shares, 4, share_to_u, &best);
	return moved;
}

/* A form being fitted: its search point and where it stands. */
struct candidate {
	struct spec spec;
	double u[4];
	double aicc;
};

static int n_params_of(const struct spec *sp)
{
	return free_params(sp) + free_states(sp) + 1;
}

/* Gauss-Newton steps on a nonlinear form's initial state: in the rough
 * search (before and after), and in the exact one. */
#define ROUGH_START_STEPS 1
#define START_STEPS 4

/* Completes fit from the parameters in u: the best initial state (exact
 * least squares for an additive form; for another, Gauss-Newton from
 * `start`, or from initial_state when NULL), the final state, the
 * likelihood and AICc. Returns -1 on failure. */
static int finish_fit(const struct spec *sp, const double *u, const double *y, size_t n,
		      int n_obs, double floor, double *work, const double *start, int steps,
		      struct ets_fit *fit)
{
	double excess, log_mu = 0;
	int k = n_params_of(sp);
	memset(fit, 0, sizeof *fit);
	fit->spec = *sp;
	fit->p = decode_params(sp, u, &excess);
	if (start != NULL && !fully_additive(sp))
		memcpy(fit->x0, start, sizeof fit->x0);
	else if (initial_state(sp, &fit->p, y, n, work, fit->x0) != 0)
		return -1;
	if (!fully_additive(sp))
		improve_start(sp, &fit->p, y, n, n_obs, floor, fit->x0, steps);
	fit->sse = run_filter(sp, &fit->p, fit->x0, y, n, NULL, fit->xn,
			      sp->error_mult ? &log_mu : NULL);
	if (!isfinite(fit->sse) || !isfinite(log_mu))
		return -1;
	fit->n_obs = n_obs;
	fit->n_params = k;
	double s2 = (fit->sse + floor) / n_obs;
	fit->loglik = -0.5 * n_obs * (log(2 * M_PI * s2) + 1) - log_mu;
	fit->aicc = -2 * fit->loglik + 2.0 * k + 2.0 * k * (k + 1) / (n_obs - k - 1);
	/* The forecast variance divides by the degrees of freedom left. */
	fit->sigma2 = fit->sse / (n_obs - k > 0 ? n_obs - k : n_obs);
	return isfinite(fit->aicc) ? 0 : -1;
}

/*
 * First stage, for every form: Nelder-Mead with the initial state held at
 * its value for the starting parameters (one filter pass per evaluation),
 * loosely. warm_fit: the fit of a related form (warm_start), whose
 * parameters it starts from.
 * The damped form's likelihood often has an optimum near each end of
 * phi's range, so it is started from both, unless warm is its twin (the
 * same trend with another error or season), whose optimum lies close to
 * its own: then one start and a small, short search, or none for a
 * multiplicative-error form whose twin has additive errors (their
 * recursions are the same; only the weights of the errors differ, and
 * the exact search refines the form if it leads).
 */
static int rough_fit(struct candidate *cand, const struct ets_fit *warm_fit, int twin,
		     const double *y, size_t n, int n_obs, double floor, double *work,
		     struct ets_fit *fit)
{
	const struct params *warm = warm_fit != NULL ? &warm_fit->p : NULL;
	const struct spec *sp = &cand->spec;
	int d = free_params(sp);
	cand->aicc = HUGE_VAL;
	/* A refit starts where the same form's fit to (most of) the same data
	 * ended: one start, a small simplex. */
	int same_form = warm_fit != NULL && spec_equal(&warm_fit->spec, sp);
	int starts = sp->trend == ETS_TREND_DAMPED && !twin && !same_form ? 2 : 1;
	for (int start = 0; start < starts; start++) {
		double alpha = warm ? warm->alpha : 0.3, u[4], x0[MAX_STATES];
		int i = 0;
		u[i++] = (alpha - 1e-4) / (0.9999 - 1e-4);
		if (sp->trend != ETS_TREND_NONE)
			u[i++] = warm && warm->beta > 0 ? warm->beta / alpha : 0.1;
		if (sp->seasonal)
			u[i++] = warm && warm->gamma > 0 && alpha < 1 ? warm->gamma / (1 - alpha) : 0.1;
		if (sp->trend == ETS_TREND_DAMPED)
			u[i++] = twin || same_form ? (warm->phi - 0.8) / 0.18 : start == 0 ? 0.9 : 0.1;
		double excess;
		struct params p = decode_params(sp, u, &excess);
		/* A multiplicative-error twin of an additive form starts at the
		 * twin's parameters, where the least-squares state is the twin's. */
		if (twin && sp->error_mult && !sp->season_mult && !warm_fit->spec.error_mult)
			memcpy(x0, warm_fit->x0, sizeof x0);
		else if (initial_state(sp, &p, y, n, work, x0) != 0)
			continue;
		if (sp->season_mult) /* the least-squares start serves the rest here */
			improve_start(sp, &p, y, n, n_obs, floor, x0, ROUGH_START_STEPS);
		struct objective o = { sp, y, n, n_obs, floor, x0, work };
		if (same_form)
			nelder_mead(&o, u, d, 0.05, 1e-2, 12);
		else if (!twin)
			nelder_mead(&o, u, d, 0.2, 1e-2, 25);
		else if (sp->season_mult)
			nelder_mead(&o, u, d, 0.05, 1e-2, 12);
		struct ets_fit trial;
		if (finish_fit(sp, u, y, n, n_obs, floor, work, x0,
			       sp->season_mult ? ROUGH_START_STEPS : 0, &trial) == 0 &&
		    trial.aicc < cand->aicc) {
			cand->aicc = trial.aicc;
			memcpy(cand->u, u, sizeof u);
			*fit = trial;
		}
	}
	return isfinite(cand->aicc) ? 0 : -1;
}

/*
 * Second stage, for the leading form: Nelder-Mead on the exact likelihood
 * from the rough point. The initial state is concentrated out by least
 * squares at every point (exactly for additive errors; for multiplicative
 * ones Gauss-Newton then finishes it); with a multiplicative season, where
 * least squares do not apply, the parameters and the state are improved
 * in turn (the state held while the parameters move, then Gauss-Newton on
 * the state), twice.
 */
static int refine_fit(struct candidate *cand, const double *y, size_t n, int n_obs,
		      double floor, double *work, struct ets_fit *fit)
{
	const struct spec *sp = &cand->spec;
	int d = free_params(sp), rounds = sp->season_mult ? 2 : 1;
	double u[4];
	memcpy(u, cand->u, sizeof u);
	for (int round = 0; round < rounds; round++) {
		double start[MAX_STATES];
		memcpy(start, fit->x0, sizeof start);
		/* Least squares at every point but for a multiplicative season. */
		const double *held = sp->season_mult ? start : NULL;
		struct objective o = { sp, y, n, n_obs, floor, held, work };
		nelder_mead(&o, u, d, 0.02, NM_TOLERANCE, NM_MAX_ITER);
		double other[4];
		memcpy(other, u, sizeof other);
		if (scan_alpha(&o, other)) {
			nelder_mead(&o, other, d, 0.02, NM_TOLERANCE, NM_MAX_ITER);
			gsl_vector_view a = gsl_vector_view_array(u, (size_t)d);
			gsl_vector_view b = gsl_vector_view_array(other, (size_t)d);
			if (negative_loglik(&b.vector, &o) < negative_loglik(&a.vector, &o))
				memcpy(u, other, sizeof other);
		}
		struct ets_fit trial;
		if (finish_fit(sp, u, y, n, n_obs, floor, work, held, START_STEPS, &trial) != 0)
			return -1;
		if (trial.aicc <= fit->aicc) /* never worse than before */
			*fit = trial;
	}
	cand->aicc = fit->aicc;
	return 0;
}

static int by_aicc(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	return (x->aicc > y->aicc) - (x->aicc < y->aicc);
}

/* The form whose rough fit leads gets the exact search; on a series this
 * short or shorter, where the exact search costs little and a rough
 * ranking of flat likelihoods errs more, every form gets it. */
#define REFINED_FORMS 1
#define REFINE_ALL_BELOW 200
/* A refit (ets_refit) starts from like's parameters from this many
 * observations on; shorter series, whose flat likelihoods move more
 * between origins, get the usual starts. */
#define WARM_REFIT_FROM 200

static int allowed(int forced, int value)
{
	return forced < 0 || forced == value;
}

/*
 * The forms the options and the data admit, as R's ets() by default: no
 * multiplicative trend, no additive error with a multiplicative season
 * (its variance can blow up), multiplicative anything only for a strictly
 * positive series, a season only with two full cycles of data, and no form
 * with more parameters than the data can pay for in AICc. Ordered so that
 * each trend form follows the one it is warm-started from.
 */
static int admissible_forms(const struct ets_options *opt, int period, size_t n, int n_obs,
			    int positive, struct spec *forms)
{
	int count = 0;
	for (int error = 0; error <= 1; error++) {
		if (!allowed(opt->force_error, error) || (error && !positive))
			continue;
		for (int season = ETS_SEASON_NONE; season <= ETS_SEASON_MULTIPLICATIVE; season++) {
			if (!allowed(opt->force_seasonal, season))
				continue;
			if (season != ETS_SEASON_NONE &&
			    (period < 2 || n_obs < 2 * period || n < 2 * (size_t)period))
				continue;
			if (season == ETS_SEASON_MULTIPLICATIVE && !error)
				continue;
			for (int trend = ETS_TREND_NONE; trend <= ETS_TREND_DAMPED; trend++) {
				if (!allowed(opt->force_trend, trend))
					continue;
				struct spec sp = { error, (enum ets_trend)trend, season != ETS_SEASON_NONE,
						   season == ETS_SEASON_MULTIPLICATIVE,
						   season != ETS_SEASON_NONE ? period : 1 };
				if (n_obs - n_params_of(&sp) - 1 > 0)
					forms[count++] = sp;
			}
		}
	}
	return count;
}

/*
 * The parameters a form's search starts from: those of its closest
 * relative fitted before it. A multiplicative-error form starts from its
 * additive-error twin, a multiplicative season from the additive one, and
 * otherwise each trend form from the one with the simpler trend.
 */
static const struct ets_fit *warm_start(const struct candidate *cands, const struct ets_fit *fits,
					int count, const struct spec *sp, int *twin)
{
	*twin = 0;
	const struct ets_fit *simpler_trend = NULL;
	for (int i = 0; i < count; i++) {
		const struct spec *o = &cands[i].spec;
		if (o->trend == sp->trend && o->seasonal == sp->seasonal &&
		    ((o->error_mult != sp->error_mult && o->season_mult == sp->season_mult) ||
		     (o->error_mult == sp->error_mult && o->season_mult != sp->season_mult))) {
			*twin = 1;
			return &fits[i];
		}
		if (o->error_mult == sp->error_mult && o->seasonal == sp->seasonal &&
		    o->season_mult == sp->season_mult && (int)o->trend + 1 == (int)sp->trend)
			simpler_trend = &fits[i];
	}
	return simpler_trend;
}

/* Sorts order[count] by the candidates' AICc (insertion: at most 15). */
static void order_by_aicc(const struct candidate *cands, int *order, int count)
{
	for (int i = 0; i < count; i++)
		order[i] = i;
	for (int i = 1; i < count; i++)
		for (int j = i; j > 0 && by_aicc(&cands[order[j]], &cands[order[j - 1]]) < 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

/* Fits y with the leading `refined` forms given the exact search. */
static struct ets_fit *fit_series(const double *y, size_t n, const struct ets_options *opt,
				  int refined, const struct ets_fit *like, enum ets_status *status)
{
	int n_obs = 0, positive = 1;
	double scale = 0;
	for (size_t t = 0; t < n; t++) {
		if (isfinite(y[t])) {
			n_obs++;
			scale += y[t] * y[t];
			positive &= y[t] > 0;
		}
	}
	if (n_obs == 0) {
		*status = ETS_NO_DATA;
		return NULL;
	}
	/* The series with infinities as gaps, then room for the fast least squares. */
	double *clean = malloc(sizeof *clean * (n ? 5 * n : 1));
	struct ets_fit *best = malloc(sizeof *best), fits[MAX_FORMS];
	if (clean == NULL || best == NULL) {
		free(clean);
		free(best);
		*status = ETS_FAILED;
		return NULL;
	}
	for (size_t t = 0; t < n; t++)
		clean[t] = isfinite(y[t]) ? y[t] : NAN;
	/* Keeps log(SSE) finite for a perfect fit, in the errors' units. */
	double floor_additive = 1e-12 * (scale + 1), floor_relative = 1e-12 * n_obs;
	double *work = (size_t)n_obs == n ? clean + n : NULL;

	int period = opt->period >= 2 && opt->period <= MAX_PERIOD ? opt->period : 1;
	struct spec forms[MAX_FORMS];
	struct candidate cands[MAX_FORMS];
	int n_forms = admissible_forms(opt, period, n, n_obs, positive, forms), count = 0;
	for (int f = 0; f < n_forms; f++) {
		struct candidate *c = &cands[count];
		c->spec = forms[f];
		int twin;
		const struct ets_fit *warm = like != NULL && n_obs >= WARM_REFIT_FROM &&
						     spec_equal(&like->spec, &c->spec)
						     ? (twin = 0, like)
						     : warm_start(cands, fits, count, &c->spec, &twin);
		double floor = c->spec.error_mult ? floor_relative : floor_additive;
		if (rough_fit(c, warm, twin, clean, n, n_obs, floor, work, &fits[count]) == 0)
			count++;
	}

	int order[MAX_FORMS], found = 0;
	order_by_aicc(cands, order, count);
	if (refined > 0 && n_obs < REFINE_ALL_BELOW)
		refined = count;
	for (int r = 0; r < count && r < (refined > 0 ? refined : 1); r++) {
		int i = order[r];
		double floor = cands[i].spec.error_mult ? floor_relative : floor_additive;
		if (refined > 0)
			refine_fit(&cands[i], clean, n, n_obs, floor, work, &fits[i]);
		if (!found || fits[i].aicc < best->aicc) {
			*best = fits[i];
			found = 1;
		}
	}
	free(clean);
	if (!found) {
		free(best);
		*status = ETS_TOO_SHORT;
		return NULL;
	}
	best->nonnegative = opt->nonnegative;
	*status = ETS_OK;
	return best;
}

struct ets_fit *ets_fit(const double *y, size_t n, const struct ets_options *opt,
			enum ets_status *status)
{
	return fit_series(y, n, opt, REFINED_FORMS, NULL, status);
}

void ets_free(struct ets_fit *fit)
{
	free(fit);
}

void ets_summary(const struct ets_fit *fit, struct ets_summary *out)
{
	static const char *const trend_names[] = { "N", "A", "Ad" };
	memset(out, 0, sizeof *out);
	const struct spec *sp = &fit->spec;
	out->season = !sp->seasonal ? ETS_SEASON_NONE
		      : sp->season_mult ? ETS_SEASON_MULTIPLICATIVE : ETS_SEASON_ADDITIVE;
	snprintf(out->model, sizeof out->model, "%c,%s,%c", sp->error_mult ? 'M' : 'A',
		 trend_names[sp->trend], "NAM"[out->season]);
	out->error_multiplicative = sp->error_mult;
	out->trend = sp->trend;
	out->seasonal = sp->seasonal;
	out->alpha = fit->p.alpha;
	out->beta = fit->p.beta;
	out->gamma = fit->p.gamma;
	out->phi = fit->p.phi;
	out->loglik = fit->loglik;
	out->aicc = fit->aicc;
	out->sigma2 = fit->sigma2;
	out->n_obs = fit->n_obs;
	out->n_params = fit->n_params;
}

void ets_fitted(const struct ets_fit *fit, const double *y, size_t n, double *fitted)
{
	run_filter(&fit->spec, &fit->p, fit->x0, y, n, fitted, NULL, NULL);
}

/*
 * The h-step mean and standard deviation (before any cut at zero), h = 1..horizon, from
 * Hyndman et al. (2008), chapter 6, with c_j = alpha + beta phi_j + gamma
 * [j mod m = 0]. Additive errors (class 1): v_h = sigma^2 (1 + sum over j
 * < h of c_j^2). Multiplicative errors with an additive season (class 2):
 * v_h = (1 + sigma^2) theta_h - mu_h^2, theta_h = mu_h^2 + sigma^2 sum over
 * 1 <= j < h of c_j^2 theta_(h-j). With a multiplicative season (class 3)
 * the exact law has no closed form this simple; the class 2 recursion on
 * the seasonally adjusted forecast, scaled by the season, is the usual
 * approximation (with c_j's seasonal term kept: the season's own
 * uncertainty, which errs wide rather than short). theta (horizon
 * doubles) is only needed for class 2 and 3.
 */
/* The largest spread a forecast carries: on a short, wild series the
 * multiplicative recursion passes the largest double within a long
 * horizon, and a bound m + z sd must stay a number for any level short of
 * 1 - 1e-9 (z about 6.1). Past it, the law says anything, and the bounds
 * say so as far as a double can. */
#define SD_MAX (DBL_MAX / 16)

static void forecast_moments(const struct ets_fit *fit, int horizon, double *mu, double *sd,
			     double *theta)
{
	const struct spec *sp = &fit->spec;
	const struct params *p = &fit->p;
	double l = fit->xn[0], b = fit->xn[1], s2 = fit->sigma2;
	double phi_h = 0, phi_pow = 1, var_sum = 0; /* sum of c_j^2 for j < h */
	for (int h = 1; h <= horizon; h++) {
		phi_pow *= p->phi;
		phi_h += sp->trend == ETS_TREND_NONE ? 0 : phi_pow;
		double q = l + phi_h * b, season = sp->seasonal ? fit->xn[2 + (h - 1) % sp->m] : 0;
		mu[h - 1] = sp->season_mult ? q * season : q + season;
		if (!sp->error_mult) {
			sd[h - 1] = fmin(sqrt(s2 * (1 + var_sum)), SD_MAX);
		} else {
			/* theta of the adjusted forecast; sd[] holds c_j^2 meanwhile. */
			double adjusted = sp->season_mult ? q : mu[h - 1], sum = 0;
			for (int j = 1; j < h; j++)
				sum += sd[j - 1] * theta[h - j - 1];
			theta[h - 1] = adjusted * adjusted + s2 * sum;
		}
		double c = p->alpha + p->beta * phi_h + (sp->seasonal && h % sp->m == 0 ? p->gamma : 0);
		var_sum += c * c;
		if (sp->error_mult)
			sd[h - 1] = c * c;
	}
	if (!sp->error_mult)
		return;
	for (int h = 1; h <= horizon; h++) {
		double scale = sp->season_mult ? fit->xn[2 + (h - 1) % sp->m] : 1;
		double adjusted = mu[h - 1] / (scale != 0 ? scale : 1);
		double v = (1 + s2) * theta[h - 1] - adjusted * adjusted;
		/* inf - inf, when theta and the forecast both overflowed, is no
		 * reason for a band of zero width. */
		double spread = isnan(v) ? SD_MAX : sqrt(v > 0 ? v : 0);
		sd[h - 1] = fmin(fabs(scale) * spread, SD_MAX);
	}
}

void ets_forecast_sd(const struct ets_fit *fit, int horizon, double *sd)
{
	double *mu = malloc(sizeof *mu * 2 * (size_t)(horizon > 0 ? horizon : 1));
	if (mu == NULL) {
		for (int h = 0; h < horizon; h++)
			sd[h] = NAN;
		return;
	}
	forecast_moments(fit, horizon, mu, sd, mu + (horizon > 0 ? horizon : 1));
	free(mu);
}

int ets_forecast(const struct ets_fit *fit, int horizon, const double *levels, int nlevels,
		 double *mean, double *lower, double *upper)
{
	if (horizon < 1 || nlevels < 0)
		return -1;
	for (int i = 0; i < nlevels; i++)
		if (!(levels[i] > 0 && levels[i] < 1))
			return -1;
	double *mu = malloc(sizeof *mu * 3 * (size_t)horizon);
	if (mu == NULL)
		return -1;
	double *sds = mu + horizon;
	forecast_moments(fit, horizon, mu, sds, mu + 2 * horizon);
	for (int h = 0; h < horizon; h++) {
		double m = mu[h], sd = sds[h];
		/* Non-negative quantities are the normal law censored at zero
		 * (what it puts below zero is a day at zero: a paused campaign),
		 * whose quantiles are the normal's cut at zero. Not truncated: a
		 * truncated law's bounds leave out a day at exactly zero, and its
		 * mean climbs with the spread (a wide band over a series near zero
		 * would lift the forecast far above anything observed). */
		mean[h] = fit->nonnegative && m < 0 ? 0 : m;
		for (int i = 0; i < nlevels; i++) {
			double z = gsl_cdf_ugaussian_Pinv(0.5 + levels[i] / 2);
			double *lo = &lower[i * horizon + h], *hi = &upper[i * horizon + h];
			*lo = m - z * sd;
			*hi = m + z * sd;
			if (fit->nonnegative) {
				*lo = *lo > 0 ? *lo : 0;
				*hi = *hi > 0 ? *hi : 0;
			}
		}
	}
	free(mu);
	return 0;
}

struct ets_fit *ets_refit(const struct ets_fit *like, const double *y, size_t n,
			  const struct ets_options *opt, enum ets_status *status)
{
	struct ets_options at = *opt;
	at.force_error = like->spec.error_mult;
	at.force_trend = like->spec.trend;
	at.force_seasonal = !like->spec.seasonal      ? ETS_SEASON_NONE
			    : like->spec.season_mult ? ETS_SEASON_MULTIPLICATIVE
						     : ETS_SEASON_ADDITIVE;
	/* The rough search only: refits measure the method, and the exact
	 * search would triple their cost for little change. */
	struct ets_fit *f = fit_series(y, n, &at, 0, like, status);
	return f != NULL ? f : fit_series(y, n, opt, 0, NULL, status);
}

void ets_seasonal_naive(const double *y, size_t n, int period, int horizon, double *mean)
{
	int m = period >= 1 ? period : 1;
	for (int h = 1; h <= horizon; h++) {
		double v = NAN;
		/* The value one or more whole periods back from the forecast day. */
		long t = (long)n - 1 - ((m - (h % m)) % m);
		for (; t >= 0 && isnan(v); t -= m)
			v = y[t];
		for (t = (long)n - 1; isnan(v) && t >= 0; t--) /* no seasonal match: last value */
			v = y[t];
		mean[h - 1] = v;
	}
}

static double smape_term(double actual, double forecast)
{
	double d = fabs(actual) + fabs(forecast);
	return d == 0 ? 0 : 200 * fabs(actual - forecast) / d;
}

double ets_naive_scale(const double *y, size_t n, int period)
{
	int lags[2] = { period >= 2 ? period : 1, 1 };
	for (int i = 0; i < 2; i++) {
		double sum = 0;
		int count = 0;
		for (size_t t = (size_t)lags[i]; t < n; t++) {
			if (!isnan(y[t]) && !isnan(y[t - (size_t)lags[i]])) {
				sum += fabs(y[t] - y[t - (size_t)lags[i]]);
				count++;
			}
		}
		if (count > 0 && sum > 0)
			return sum / count;
	}
	return NAN;
}

void ets_score(struct ets_accuracy *acc, const double *actual, const double *forecast, int horizon,
	       double mase_scale)
{
	double abs_sum = 0;
	int count = 0;
	for (int h = 0; h < horizon; h++) {
		if (isnan(actual[h]) || isnan(forecast[h]))
			continue;
		acc->smape_sum += smape_term(actual[h], forecast[h]);
		acc->smape_n++;
		abs_sum += fabs(actual[h] - forecast[h]);
		count++;
	}
	if (count > 0 && isfinite(mase_scale)) {
		acc->mase_sum += abs_sum / count / mase_scale;
		acc->mase_n++;
	}
}

void ets_accuracy_result(const struct ets_accuracy *model, const struct ets_accuracy *naive,
			 struct ets_backtest *out)
{
	out->smape = model->smape_n ? model->smape_sum / model->smape_n : NAN;
	out->mase = model->mase_n ? model->mase_sum / model->mase_n : NAN;
	out->naive_smape = naive->smape_n ? naive->smape_sum / naive->smape_n : NAN;
	out->naive_mase = naive->mase_n ? naive->mase_sum / naive->mase_n : NAN;
}

int ets_backtest(const double *y, size_t n, const struct ets_options *opt,
		 const struct ets_fit *fit, int horizon, int origins, int step,
		 struct ets_backtest *out)
{
	out->origins = 0;
	out->smape = out->mase = out->naive_smape = out->naive_mase = NAN;
	if (horizon < 1 || origins < 1 || step < 1)
		return -1;
	double *forecast = malloc(sizeof(double) * 2 * (size_t)horizon);
	if (forecast == NULL)
		return -1;
	double *naive = forecast + horizon;
	struct ets_accuracy model = { 0 }, baseline = { 0 };
	int period = opt->period >= 2 ? opt->period : 1;

	for (int k = 0; k < origins; k++) {
		long origin = (long)n - horizon - (long)(origins - 1 - k) * step;
		if (origin < 2)
			continue;
		/* Refit the chosen form on the data before the origin (or, where
		 * that form needs more data than there is, the best form that fits). */
		enum ets_status st;
		struct ets_fit *f = fit != NULL ? ets_refit(fit, y, (size_t)origin, opt, &st)
						: fit_series(y, (size_t)origin, opt, 0, NULL, &st);
		if (f == NULL)
			continue;
		ets_forecast(f, horizon, NULL, 0, forecast, NULL, NULL);
		ets_free(f);
		ets_seasonal_naive(y, (size_t)origin, period, horizon, naive);
		double scale = ets_naive_scale(y, (size_t)origin, period);
		ets_score(&model, y + origin, forecast, horizon, scale);
		ets_score(&baseline, y + origin, naive, horizon, scale);
		out->origins++;
	}
	free(forecast);
	if (out->origins == 0)
		return -1;
	ets_accuracy_result(&model, &baseline, out);
	return 0;
}
