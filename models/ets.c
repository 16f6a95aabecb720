#include "ets.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PERIOD 64
#define MAX_STATES (2 + MAX_PERIOD)
#define NM_MAX_ITER 100
#define NM_TOLERANCE 1e-3

/* One form with its parameters: what the filter needs. */
struct spec {
	enum ets_trend trend;
	int seasonal;
	int m; /* period when seasonal, else 1 */
};

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

/*
 * Runs the recursions from x0 over y. Missing values leave the state to its
 * forecast. Writes one-step fitted values into fitted (when non-NULL) and
 * the final state into xn (season rotated so that xn[2] is used next).
 * Returns the sum of squared errors.
 */
static double run_filter(const struct spec *sp, const struct params *p, const double *x0,
			 const double *y, size_t n, double *fitted, double *xn)
{
	double l = x0[0], b = x0[1], s[MAX_PERIOD];
	int m = sp->seasonal ? sp->m : 1;
	for (int k = 0; k < m; k++)
		s[k] = sp->seasonal ? x0[2 + k] : 0;
	double sse = 0;
	int j = 0;
	const double alpha = p->alpha, beta = p->beta, gamma = p->gamma, phi = p->phi;
	for (size_t t = 0; t < n; t++) {
		/* Written so that the level's dependency chain is one multiply and
		 * two adds per step: l' = (1-alpha) q + alpha (y - s), q = l + phi b. */
		double q = l + phi * b, mu = q + s[j];
		if (fitted != NULL)
			fitted[t] = isnan(y[t]) ? NAN : mu;
		if (isnan(y[t])) {
			l = q;
			b = phi * b;
		} else {
			double deseason = y[t] - s[j], e = deseason - q;
			sse += e * e;
			l = (1 - alpha) * q + alpha * deseason;
			b = phi * b + beta * e;
			s[j] += gamma * e;
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
	return sse;
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
static double concentrated_sse(const struct spec *sp, const struct params *prm, const double *y,
			       size_t n, double *c)
{
	int p = free_states(sp), m = sp->seasonal ? sp->m : 1, v, w;
	int nv = p + 1; /* vector 0: the data from a zero state; 1..p: unit states */
	double L[MAX_STATES + 1], B[MAX_STATES + 1], S[MAX_STATES + 1][MAX_PERIOD];
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
			S[v][k] = sp->seasonal ? x0[2 + k] : 0;
	}
	const double phi = prm->phi, alpha = prm->alpha, beta = prm->beta, gamma = prm->gamma;
	int j = 0;
	for (size_t t = 0; t < n; t++) {
		double e[MAX_STATES + 1];
		int observed = !isnan(y[t]);
		for (v = 0; v < nv; v++) {
			double mu = L[v] + phi * B[v] + S[v][j];
			double ev = observed ? (v == 0 ? y[t] : 0) - mu : 0;
			e[v] = ev;
			L[v] = L[v] + phi * B[v] + alpha * ev;
			B[v] = phi * B[v] + beta * ev;
			S[v][j] += gamma * ev;
		}
		if (observed)
			for (v = 0; v < nv; v++)
				for (w = v; w < nv; w++)
					G[v * nv + w] += e[v] * e[w];
		j = j + 1 == m ? 0 : j + 1;
	}
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

/* The concentrated SSE by the fastest exact route: work (4n doubles) is
 * given only for series without gaps. */
static double least_squares_sse(const struct spec *sp, const struct params *prm, const double *y,
				size_t n, double *c, double *work)
{
	if (sp->seasonal && work != NULL)
		return concentrated_sse_shifted(sp, prm, y, n, c, work);
	return concentrated_sse(sp, prm, y, n, c);
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

static double negative_loglik(const gsl_vector *u, void *arg)
{
	const struct objective *o = arg;
	double excess;
	struct params p = decode_params(o->sp, u->data, &excess);
	double sse = o->x0 ? (o->work ? sse_gap_free(o->sp, &p, o->x0, o->y, o->n)
				      : run_filter(o->sp, &p, o->x0, o->y, o->n, NULL, NULL))
			   : least_squares_sse(o->sp, &p, o->y, o->n, NULL, o->work);
	double value = o->n_obs * log((sse + o->floor) / o->n_obs) + 1e3 * excess;
	/* GSL's simplex stops with an error on a non-finite value: a parameter
	 * set the data cannot judge (overflow, or a perfect fit of a constant
	 * series, log 0) gets a finite stand-in of the same sense. */
	if (isnan(sse) || isnan(value) || value == INFINITY)
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

/* Completes fit from the parameters in u: the best initial state by least
 * squares, the final state, the likelihood and AICc. Returns -1 on failure. */
static int finish_fit(const struct spec *sp, const double *u, const double *y, size_t n,
		      int n_obs, double floor, double *work, struct ets_fit *fit)
{
	double excess, c[MAX_STATES];
	int k = n_params_of(sp);
	memset(fit, 0, sizeof *fit);
	fit->spec = *sp;
	fit->p = decode_params(sp, u, &excess);
	if (!isfinite(least_squares_sse(sp, &fit->p, y, n, c, work)))
		return -1;
	expand_state(sp, c, fit->x0);
	fit->sse = run_filter(sp, &fit->p, fit->x0, y, n, NULL, fit->xn);
	fit->n_obs = n_obs;
	fit->n_params = k;
	double s2 = (fit->sse + floor) / n_obs;
	fit->loglik = -0.5 * n_obs * (log(2 * M_PI * s2) + 1);
	fit->aicc = -2 * fit->loglik + 2.0 * k + 2.0 * k * (k + 1) / (n_obs - k - 1);
	/* The forecast variance divides by the degrees of freedom left. */
	fit->sigma2 = fit->sse / (n_obs - k > 0 ? n_obs - k : n_obs);
	return isfinite(fit->aicc) ? 0 : -1;
}

/*
 * First stage, for every form: Nelder-Mead with the initial state held at
 * its least-squares value for the starting parameters (one cheap filter
 * pass per evaluation), loosely. warm: the parameters found for the same
 * form with a simpler trend. The damped form's likelihood often has an
 * optimum near each end of phi's range, so it is started from both.
 */
static int rough_fit(struct candidate *cand, const struct params *warm, const double *y,
		     size_t n, int n_obs, double floor, double *work, struct ets_fit *fit)
{
	const struct spec *sp = &cand->spec;
	int d = free_params(sp);
	cand->aicc = HUGE_VAL;
	for (int start = 0; start < (sp->trend == ETS_TREND_DAMPED ? 2 : 1); start++) {
		double alpha = warm ? warm->alpha : 0.3, u[4], c[MAX_STATES], x0[MAX_STATES];
		int i = 0;
		u[i++] = (alpha - 1e-4) / (0.9999 - 1e-4);
		if (sp->trend != ETS_TREND_NONE)
			u[i++] = warm && warm->beta > 0 ? warm->beta / alpha : 0.1;
		if (sp->seasonal)
			u[i++] = warm && warm->gamma > 0 && alpha < 1 ? warm->gamma / (1 - alpha) : 0.1;
		if (sp->trend == ETS_TREND_DAMPED)
			u[i++] = start == 0 ? 0.9 : 0.1;
		double excess;
		struct params p = decode_params(sp, u, &excess);
		if (!isfinite(least_squares_sse(sp, &p, y, n, c, work)))
			continue;
		expand_state(sp, c, x0);
		struct objective o = { sp, y, n, n_obs, floor, x0, work };
		nelder_mead(&o, u, d, 0.2, 1e-2, 25);
		struct ets_fit trial;
		if (finish_fit(sp, u, y, n, n_obs, floor, work, &trial) == 0 && trial.aicc < cand->aicc) {
			cand->aicc = trial.aicc;
			memcpy(cand->u, u, sizeof u);
			*fit = trial;
		}
	}
	return isfinite(cand->aicc) ? 0 : -1;
}

/* Second stage, for the leading form: Nelder-Mead on the exact
 * (concentrated) likelihood from the rough point, restarted once. */
static int refine_fit(struct candidate *cand, const double *y, size_t n, int n_obs,
		      double floor, double *work, struct ets_fit *fit)
{
	struct objective o = { &cand->spec, y, n, n_obs, floor, NULL, work };
	int d = free_params(&cand->spec);
	double u[4];
	memcpy(u, cand->u, sizeof u);
	nelder_mead(&o, u, d, 0.02, NM_TOLERANCE, NM_MAX_ITER);
	struct ets_fit trial;
	if (finish_fit(&cand->spec, u, y, n, n_obs, floor, work, &trial) != 0)
		return -1;
	if (trial.aicc <= fit->aicc) /* never worse than the rough fit */
		*fit = trial;
	cand->aicc = fit->aicc;
	return 0;
}

static int by_aicc(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	return (x->aicc > y->aicc) - (x->aicc < y->aicc);
}

#define REFINED_FORMS 1 /* the form whose rough fit leads gets the exact search */

/* Fits y with the leading `refined` forms given the exact search. */
static struct ets_fit *fit_series(const double *y, size_t n, const struct ets_options *opt,
				  int refined, enum ets_status *status)
{
	int n_obs = 0;
	double scale = 0;
	for (size_t t = 0; t < n; t++) {
		if (isfinite(y[t])) {
			n_obs++;
			scale += y[t] * y[t];
		}
	}
	if (n_obs == 0) {
		*status = ETS_NO_DATA;
		return NULL;
	}
	/* Infinite values count as missing: copy with NaN in their place. */
	/* The series with infinities as gaps, then room for the fast least squares. */
	double *clean = malloc(sizeof *clean * (n ? 5 * n : 1));
	struct ets_fit *best = malloc(sizeof *best), fits[6];
	if (clean == NULL || best == NULL) {
		free(clean);
		free(best);
		*status = ETS_FAILED;
		return NULL;
	}
	for (size_t t = 0; t < n; t++)
		clean[t] = isfinite(y[t]) ? y[t] : NAN;
	double floor = 1e-12 * (scale + 1);
	double *work = (size_t)n_obs == n ? clean + n : NULL;

	int period = opt->period >= 2 && opt->period <= MAX_PERIOD ? opt->period : 1;
	struct candidate cands[6];
	int count = 0;
	for (int seasonal = 0; seasonal <= 1; seasonal++) {
		if (opt->force_seasonal >= 0 && seasonal != opt->force_seasonal)
			continue;
		/* A season needs two full cycles of data. */
		if (seasonal && (period < 2 || n_obs < 2 * period || n < 2 * (size_t)period))
			continue;
		/* Each trend form starts from the parameters of the one before. */
		const struct params *warm = NULL;
		for (int trend = ETS_TREND_NONE; trend <= ETS_TREND_DAMPED; trend++) {
			if (opt->force_trend >= 0 && trend != opt->force_trend)
				continue;
			struct candidate *c = &cands[count];
			c->spec = (struct spec){ (enum ets_trend)trend, seasonal, seasonal ? period : 1 };
			if (n_obs - n_params_of(&c->spec) - 1 <= 0 ||
			    rough_fit(c, warm, clean, n, n_obs, floor, work, &fits[count]) != 0)
				continue;
			warm = &fits[count].p;
			count++;
		}
	}

	for (int i = 0; i < count; i++)
		cands[i].aicc = fits[i].aicc + 0 * i;
	int order[6];
	for (int i = 0; i < count; i++)
		order[i] = i;
	for (int i = 1; i < count; i++)
		for (int j = i; j > 0 && by_aicc(&cands[order[j]], &cands[order[j - 1]]) < 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	int found = 0;
	for (int r = 0; r < count && r < (refined > 0 ? refined : 1); r++) {
		int i = order[r];
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
	return fit_series(y, n, opt, REFINED_FORMS, status);
}

void ets_free(struct ets_fit *fit)
{
	free(fit);
}

void ets_summary(const struct ets_fit *fit, struct ets_summary *out)
{
	static const char *const trend_names[] = { "N", "A", "Ad" };
	memset(out, 0, sizeof *out);
	snprintf(out->model, sizeof out->model, "A,%s,%s", trend_names[fit->spec.trend],
		 fit->spec.seasonal ? "A" : "N");
	out->trend = fit->spec.trend;
	out->seasonal = fit->spec.seasonal;
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
	run_filter(&fit->spec, &fit->p, fit->x0, y, n, fitted, NULL);
}

/* Mean and quantiles of N(mu, sd^2) truncated to [0, inf). */
static double truncated_mean(double mu, double sd)
{
	if (sd <= 0)
		return mu > 0 ? mu : 0;
	double a = -mu / sd, q = gsl_cdf_ugaussian_Q(a);
	if (q < 1e-300)
		return 0;
	return mu + sd * gsl_ran_ugaussian_pdf(a) / q;
}

static double truncated_quantile(double mu, double sd, double prob)
{
	if (sd <= 0)
		return mu > 0 ? mu : 0;
	double a = -mu / sd, p0 = gsl_cdf_ugaussian_P(a), q = gsl_cdf_ugaussian_Q(a);
	if (q < 1e-300)
		return 0;
	/* From the upper tail when the mass below zero is nearly all: keeps precision. */
	double v = p0 < 0.5 ? mu + sd * gsl_cdf_ugaussian_Pinv(p0 + prob * q)
			    : mu + sd * gsl_cdf_ugaussian_Qinv((1 - prob) * q);
	return v > 0 ? v : 0;
}

/* The untruncated h-step mean and standard deviation, h = 1..horizon
 * (Hyndman et al. 2008, table 6.1, for the variance). */
static void forecast_moments(const struct ets_fit *fit, int horizon, double *mu, double *sd)
{
	const struct spec *sp = &fit->spec;
	const struct params *p = &fit->p;
	double l = fit->xn[0], b = fit->xn[1];
	double phi_h = 0, phi_pow = 1, var_sum = 0; /* sum of c_j^2 for j < h */
	for (int h = 1; h <= horizon; h++) {
		phi_pow *= p->phi;
		phi_h += sp->trend == ETS_TREND_NONE ? 0 : phi_pow;
		double season = sp->seasonal ? fit->xn[2 + (h - 1) % sp->m] : 0;
		mu[h - 1] = l + phi_h * b + season;
		sd[h - 1] = sqrt(fit->sigma2 * (1 + var_sum));
		double c = p->alpha + p->beta * phi_h + (sp->seasonal && h % sp->m == 0 ? p->gamma : 0);
		var_sum += c * c;
	}
}

void ets_forecast_sd(const struct ets_fit *fit, int horizon, double *sd)
{
	double *mu = malloc(sizeof *mu * (size_t)(horizon > 0 ? horizon : 1));
	if (mu == NULL) {
		for (int h = 0; h < horizon; h++)
			sd[h] = NAN;
		return;
	}
	forecast_moments(fit, horizon, mu, sd);
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
	double *mu = malloc(sizeof *mu * 2 * (size_t)horizon);
	if (mu == NULL)
		return -1;
	double *sds = mu + horizon;
	forecast_moments(fit, horizon, mu, sds);
	for (int h = 0; h < horizon; h++) {
		double m = mu[h], sd = sds[h];
		mean[h] = fit->nonnegative ? truncated_mean(m, sd) : m;
		for (int i = 0; i < nlevels; i++) {
			double tail = (1 - levels[i]) / 2;
			double *lo = &lower[i * horizon + h], *hi = &upper[i * horizon + h];
			if (fit->nonnegative) {
				*lo = truncated_quantile(m, sd, tail);
				*hi = truncated_quantile(m, sd, 1 - tail);
			} else {
				double z = gsl_cdf_ugaussian_Pinv(1 - tail);
				*lo = m - z * sd;
				*hi = m + z * sd;
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
	at.force_trend = like->spec.trend;
	at.force_seasonal = like->spec.seasonal;
	/* The rough search only: refits measure the method, and the exact
	 * search would triple their cost for little change. */
	struct ets_fit *f = fit_series(y, n, &at, 0, status);
	return f != NULL ? f : fit_series(y, n, opt, 0, status);
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
						: fit_series(y, (size_t)origin, opt, 0, &st);
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
