/*
 * allocate: splitting a daily budget across channels by their response
 * curves (curve.h). Pure.
 *
 * Max response: maximise the sum of expected revenues for a total, within
 * per-channel bounds (a frozen channel has lower == upper; an upper bound
 * above the total, an infinite one included, counts as the total).
 *
 * Concave curves (Hill alpha <= 1, power laws, and S-curves whose bounds
 * lie past their inflection): the optimum equalises marginal revenue among
 * the channels inside their bounds (the KKT conditions), so it is found
 * exactly by solving for that common multiplier (Newton on its log,
 * safeguarded by regula falsi in a bracket, and bisection when that
 * stalls), not by a greedy step loop.
 *
 * A curve with its draws' mean tabulated (curve.h) is read through the
 * same functions (curve_value, curve_marginal, curve_inflection, the
 * marginal's inverse): its marginal rises to one peak and falls, as an
 * S-curve's does, and flat stretches of it are split exactly.
 *
 * S-curves (Hill alpha > 1 with the inflection above the lower bound) make
 * the problem non-concave: equal marginals can be a local optimum, or fund
 * a channel below its threshold where the money does little. Then:
 *  1. a dynamic program over a grid of the free budget (total minus the
 *     lower bounds, in 64-400 units: 200 for 20 channels, fewer when the
 *     free budget is under four times the channels' mean room) finds the best
 *     split whose every channel sits at its lower bound plus whole units
 *     (or at its upper bound): the global optimum on that grid;
 *  2. its regime is solved exactly: channels on a concave part (past the
 *     inflection, or concave throughout) are free there, channels below an
 *     inflection stay where the grid put them, and the multiplier is
 *     solved as above. A channel the grid left inside a convex part (at a
 *     local optimum at most one can be) is also tried at its lower bound
 *     and on its concave part, and the best of these splits is kept;
 *  3. until none gains, two channels inside convex parts exchange money to
 *     an end of the segment where both stay convex (revenue is convex
 *     along it), and a channel on a convex part or at its inflection whose
 *     marginal is not the multiplier is moved along it and tried at its
 *     lower bound.
 * Guarantee: the answer earns at least the grid optimum, hence is within
 * the grid's resolution of the global optimum (at most the revenue lost by
 * moving each channel of the true optimum by one unit); within the chosen
 * regime it is exact: equal marginals among the free channels inside
 * their bounds (KKT), each channel past its inflection or at a bound,
 * except possibly one left inside a convex part at its grid spend. It never
 * leaves a channel between its lower bound and its threshold unless the
 * grid finds that pays (or the total forces it). About 45-100 us for 20
 * S-shaped channels (bench/budget_bench), 55 us on average over 50 random
 * sets of them and up to about 300 us at a set's slowest total; a target
 * ROI about 210 us on average when reached (up to about 1.2 ms), most scan
 * totals ruled out by weak duality (allocate_revenue_bound); an
 * unreachable one is told by the channels' best replies to its price,
 * its best ROI found exactly by Dinkelbach's method (about 40 us).
 */
#ifndef MLDASH_ALLOCATE_H
#define MLDASH_ALLOCATE_H

#include <stddef.h>

#include "curve.h"

struct alloc_channel {
	const char *name;
	const struct response_curve *curve;
	double current;      /* current daily spend */
	double lower, upper; /* bounds on the daily spend */
};

/*
 * Bounds from rules: lower = lower_ratio x current, upper = upper_ratio x
 * current (ratios 0.5 and 2 by default), or absolute amounts when the
 * ratios are negative (then abs_lower/abs_upper are used); frozen channels
 * stay at current; a channel without a curve (no spend history) stays at its
 * lower bound unless opted in.
 */
struct bound_rules {
	double lower_ratio, upper_ratio;
	const int *frozen;     /* [n] or NULL */
	const int *opted_in;   /* [n] or NULL */
	const double *abs_lower, *abs_upper; /* [n] or NULL: absolute bounds, if given */
};
void allocate_bounds(struct alloc_channel *ch, int n, const struct bound_rules *rules);

struct allocation {
	double multiplier;   /* common marginal revenue of the channels inside their bounds
			      * (with S-curves, of those on a concave part); 0 when none moves */
	double total_spend;
	double total_revenue;
};

/*
 * Max response for a daily total: spend[n] receives the split (summing to
 * the total exactly; a total that the bounds' sum matches to the cent, as
 * the messages print amounts, is that sum). Returns 0, or -1 with err naming the binding bound
 * when the total cannot be split within the bounds (or saying memory ran
 * out, for the grid search's scratch, freed before returning).
 */
int allocate_max_response(const struct alloc_channel *ch, int n, double total, double *spend,
			  struct allocation *out, char *err, size_t errlen);

/*
 * The grid search of allocate_max_response on its own, for tests and
 * diagnostics: the best split whose every channel is at its lower bound
 * plus j_i units of step = (total - sum of lower bounds) / units, or at its
 * upper bound once j_i reaches its room, with the j_i summing to units
 * (a channel's last unit may be short, so spend[n] can fall short of the
 * total by less than a step per channel at its upper bound). *revenue
 * receives its revenue. Returns 0, or -1 with err as allocate_max_response.
 */
int allocate_grid_optimum(const struct alloc_channel *ch, int n, double total, int units,
			  double *spend, double *revenue, char *err, size_t errlen);

/*
 * A bound above the expected revenue of every split of a total within the
 * bounds, from weak duality: for any price p > 0, a split earns at most
 * G(p) + p total, G(p) being the most the channels' best replies to p
 * earn net of p a unit (each reply global, on an S-curve too: its lower
 * bound or where its concave part's marginal is p). Equal to the best
 * split's revenue where that is concave in the total and p is its slope
 * (the split's multiplier); never tighter than its concave envelope
 * (below S-curves' thresholds). Upper bounds above the total (an infinite
 * one included) stand at it: no split of the total puts more on a
 * channel. The target-ROI scan rules totals out with it; here for tests
 * and diagnostics. +inf for a price that is not a number above 0, or
 * when memory runs out.
 */
double allocate_revenue_bound(const struct alloc_channel *ch, int n, double price, double total);

/*
 * Target efficiency: the smallest total, within the bounds, whose optimal
 * split has an expected ROI ((revenue - spend) / spend) of at least
 * target_roi (from lower bounds of zero, 5e-10 when a channel's first
 * units return more than that: a power law from zero's always do), as a
 * scan of 64 totals over the range finds it (a peak of ROI narrower than
 * its step can hide between two, and a step holding two crossings gives
 * either: when none reaches but
 * the channels' replies to the target's price show a total does, a
 * crossing below that total, not surely the first). Returns 0 with the
 * split, or -1 with err giving the best reachable ROI and its total when
 * the target cannot be reached (exact when the replies decide it, as they
 * do unless their search for a price to start from fails: 64 halvings,
 * or an infinite upper bound with no spend past which its reply stays;
 * then the scan's best). Upper bounds may be
 * infinite here and in allocate_marginal_floor: past where a channel's
 * marginal revenue falls below the price that matters they change nothing
 * (-1 naming the channel when its marginal never falls that low).
 */
int allocate_target_roi(const struct alloc_channel *ch, int n, double target_roi, double *spend,
			struct allocation *out, char *err, size_t errlen);

/*
 * The largest total whose every channel inside its bounds still returns a
 * marginal ROI (marginal revenue - 1) of at least floor_roi: each channel
 * at its best reply to that price (the spend maximising revenue minus
 * (1 + floor_roi) x spend), so an S-curve channel is either left at its
 * lower bound or funded past its threshold to where its marginal falls to
 * the floor, whichever earns more net of that price.
 */
int allocate_marginal_floor(const struct alloc_channel *ch, int n, double floor_roi,
			    double *spend, struct allocation *out, char *err, size_t errlen);

/* The spend at which a curve's marginal revenue falls to 1 (marginal ROI 0)
 * on its concave part: beyond it an extra unit of spend returns less than
 * itself. 0 when its marginal never rises above 1 (for an S-curve, not
 * even at its inflection), +inf when it never falls that low. */
double allocate_saturation(const struct response_curve *c);

#endif
