#include "allocate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void allocate_bounds(struct alloc_channel *ch, int n, const struct bound_rules *r)
{
	for (int i = 0; i < n; i++) {
		double lo = r->abs_lower ? r->abs_lower[i] : r->lower_ratio * ch[i].current;
		double hi = r->abs_upper ? r->abs_upper[i] : r->upper_ratio * ch[i].current;
		if (r->frozen && r->frozen[i])
			lo = hi = ch[i].current;
		else if (ch[i].curve->kind == CURVE_NONE)
			hi = lo; /* nothing to learn from: stays at its minimum */
		ch[i].lower = lo < 0 ? 0 : lo;
		ch[i].upper = hi < ch[i].lower ? ch[i].lower : hi;
	}
}

/* Each channel's spend for a common marginal revenue mu, and their sum. */
static double spend_at(const struct alloc_channel *ch, int n, double mu, double *spend)
{
	double sum = 0;
	for (int i = 0; i < n; i++) {
		spend[i] = ch[i].curve->kind == CURVE_NONE
				   ? ch[i].lower
				   : curve_spend_for_marginal(ch[i].curve, mu, ch[i].lower, ch[i].upper);
		sum += spend[i];
	}
	return sum;
}

static void totals(const struct alloc_channel *ch, int n, const double *spend, double mu,
		   struct allocation *out)
{
	out->multiplier = mu;
	out->total_spend = out->total_revenue = 0;
	for (int i = 0; i < n; i++) {
		out->total_spend += spend[i];
		out->total_revenue += curve_value(ch[i].curve, spend[i]);
	}
}

/* Puts the last rounding difference on channels with room, so that the
 * split sums to the total exactly. */
static void settle(const struct alloc_channel *ch, int n, double total, double *spend)
{
	for (int pass = 0; pass < 2; pass++) {
		double diff = total;
		for (int i = 0; i < n; i++)
			diff -= spend[i];
		for (int i = 0; i < n && diff != 0; i++) {
			double room = diff > 0 ? ch[i].upper - spend[i] : ch[i].lower - spend[i];
			double move = fabs(room) < fabs(diff) ? room : diff;
			spend[i] += move;
			diff -= move;
		}
	}
}

static void bound_totals(const struct alloc_channel *ch, int n, double *lower, double *upper)
{
	*lower = *upper = 0;
	for (int i = 0; i < n; i++) {
		*lower += ch[i].lower;
		*upper += ch[i].upper;
	}
}

int allocate_max_response(const struct alloc_channel *ch, int n, double total, double *spend,
			  struct allocation *out, char *err, size_t errlen)
{
	double sum_lo, sum_hi;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	if (!isfinite(total)) {
		snprintf(err, errlen, "the total %g is not a finite amount", total);
		return -1;
	}
	if (!(total >= 0) || total < sum_lo * (1 - 1e-12)) {
		snprintf(err, errlen, "the total %.2f is below the sum of the channels' lower bounds "
			 "(%.2f): raise the total or lower the bounds", total, sum_lo);
		return -1;
	}
	if (total > sum_hi * (1 + 1e-12) + 1e-9) {
		snprintf(err, errlen, "the total %.2f is above the sum of the channels' upper bounds "
			 "(%.2f): lower the total or raise the bounds", total, sum_hi);
		return -1;
	}
	/* The multiplier lies between the smallest marginal at an upper bound
	 * and the largest at a lower bound; the spend it implies falls as it
	 * rises. Regula falsi (Illinois) on log mu, kept inside the bracket. */
	double mu_lo = HUGE_VAL, mu_hi = 0;
	for (int i = 0; i < n; i++) {
		if (ch[i].curve->kind == CURVE_NONE || ch[i].upper <= ch[i].lower)
			continue;
		double at_lo = curve_marginal(ch[i].curve, ch[i].lower);
		double at_hi = curve_marginal(ch[i].curve, ch[i].upper);
		mu_hi = at_lo > mu_hi ? at_lo : mu_hi;
		mu_lo = at_hi < mu_lo ? at_hi : mu_lo;
	}
	double mu = 0;
	if (mu_hi <= 0 || !isfinite(mu_lo)) { /* nothing can move */
		spend_at(ch, n, 1, spend);
	} else {
		double a = log(mu_lo > 1e-300 ? mu_lo : 1e-300) - 1e-9, b = log(mu_hi) + 1e-9;
		double fa = spend_at(ch, n, exp(a), spend) - total; /* >= 0: most spend */
		double fb = spend_at(ch, n, exp(b), spend) - total; /* <= 0 */
		int side = 0;
		for (int iter = 0; iter < 100; iter++) {
			double c = fa - fb != 0 ? b - fb * (b - a) / (fb - fa) : 0.5 * (a + b);
			if (!(c > a && c < b))
				c = 0.5 * (a + b);
			double fc = spend_at(ch, n, exp(c), spend) - total;
			mu = exp(c);
			if (fabs(fc) <= 1e-10 * (total + 1) || b - a < 1e-13)
				break;
			if (fc > 0) {
				a = c, fa = fc;
				if (side == 1)
					fb *= 0.5;
				side = 1;
			} else {
				b = c, fb = fc;
				if (side == -1)
					fa *= 0.5;
				side = -1;
			}
		}
	}
	settle(ch, n, total, spend);
	totals(ch, n, spend, mu, out);
	return 0;
}

/* Expected ROI of the optimal split of a total (spend 0 counts as ROI 0). */
static double roi_at(const struct alloc_channel *ch, int n, double total, double *spend,
		     struct allocation *out)
{
	char err[8];
	if (allocate_max_response(ch, n, total, spend, out, err, sizeof err) != 0)
		return -HUGE_VAL;
	return out->total_spend > 0 ? (out->total_revenue - out->total_spend) / out->total_spend : 0;
}

int allocate_target_roi(const struct alloc_channel *ch, int n, double target_roi, double *spend,
			struct allocation *out, char *err, size_t errlen)
{
	double sum_lo, sum_hi;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	/* ROI need not be monotone in the total (lower bounds can force money
	 * into weak channels at small totals): scan, then bisect the first
	 * crossing. */
	enum { GRID = 64 };
	double best_roi = -HUGE_VAL, best_total = sum_lo, prev = sum_lo;
	for (int g = 0; g <= GRID; g++) {
		double t = sum_lo + (sum_hi - sum_lo) * g / GRID;
		double roi = roi_at(ch, n, t, spend, out);
		if (roi > best_roi)
			best_roi = roi, best_total = t;
		if (roi >= target_roi) {
			double lo = prev, hi = t;
			for (int iter = 0; g > 0 && iter < 60 && hi - lo > 1e-9 * (hi + 1); iter++) {
				double mid = 0.5 * (lo + hi);
				if (roi_at(ch, n, mid, spend, out) >= target_roi)
					hi = mid;
				else
					lo = mid;
			}
			roi_at(ch, n, hi, spend, out);
			return 0;
		}
		prev = t;
	}
	snprintf(err, errlen, "an expected ROI of %.3f is unreachable within the bounds: the best "
		 "reachable is %.3f, at a daily total of %.2f", target_roi, best_roi, best_total);
	return -1;
}

int allocate_marginal_floor(const struct alloc_channel *ch, int n, double floor_roi,
			    double *spend, struct allocation *out, char *err, size_t errlen)
{
	/* Marginal ROI >= floor means marginal revenue >= 1 + floor: the split
	 * for that multiplier, whose total is the answer. */
	double total = spend_at(ch, n, 1 + floor_roi, spend);
	return allocate_max_response(ch, n, total, spend, out, err, errlen);
}

double allocate_saturation(const struct response_curve *c)
{
	if (c->kind == CURVE_NONE || curve_marginal(c, 1e-9) <= 1)
		return 0;
	if (c->kind == CURVE_POWER)
		return pow(1 / (c->a * c->b), 1 / (c->b - 1));
	double hi = c->k > 0 ? c->k : 1;
	while (curve_marginal(c, hi) > 1 && hi < 1e15)
		hi *= 2;
	if (hi >= 1e15)
		return HUGE_VAL;
	return curve_spend_for_marginal(c, 1, 1e-9, hi);
}
