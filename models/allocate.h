/*
 * allocate: splitting a daily budget across channels with concave response
 * curves (curve.h). Pure.
 *
 * Max response: maximise the sum of expected revenues for a total, within
 * per-channel bounds. For concave curves the optimum equalises marginal
 * revenue among the channels inside their bounds (the KKT conditions), so it
 * is found exactly by solving for that common multiplier (safeguarded
 * regula falsi on its log), not by a greedy step loop.
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
	double multiplier;   /* common marginal revenue of the channels inside their bounds */
	double total_spend;
	double total_revenue;
};

/*
 * Max response for a daily total: spend[n] receives the split. Returns 0, or
 * -1 with err naming the binding bound when the total cannot be split
 * within the bounds.
 */
int allocate_max_response(const struct alloc_channel *ch, int n, double total, double *spend,
			  struct allocation *out, char *err, size_t errlen);

/*
 * Target efficiency: the smallest total, within the bounds, whose optimal
 * split has an expected ROI ((revenue - spend) / spend) of at least
 * target_roi. Returns 0 with the split, or -1 with err giving the best
 * reachable ROI when the target cannot be reached.
 */
int allocate_target_roi(const struct alloc_channel *ch, int n, double target_roi, double *spend,
			struct allocation *out, char *err, size_t errlen);

/*
 * The largest total whose every channel inside its bounds still returns a
 * marginal ROI (marginal revenue - 1) of at least floor_roi.
 */
int allocate_marginal_floor(const struct alloc_channel *ch, int n, double floor_roi,
			    double *spend, struct allocation *out, char *err, size_t errlen);

/* The spend at which a curve's marginal revenue falls to 1 (marginal ROI 0):
 * beyond it an extra unit of spend returns less than itself. 0 when the
 * curve starts below that, +inf when it never falls that low. */
double allocate_saturation(const struct response_curve *c);

#endif
