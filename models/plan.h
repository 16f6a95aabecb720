/*
 * plan: a budget recommendation from channels' daily history: a response
 * curve per channel, the bounds, the allocation, and what each split is
 * expected to return. Pure; used by `mldash budget` and the ML sync.
 */
#ifndef MLDASH_PLAN_H
#define MLDASH_PLAN_H

#include <stddef.h>

#include "allocate.h"
#include "curve.h"
#include "results.h"

struct plan_input {
	const char *name;
	const double *spend, *revenue; /* daily, oldest first; NaN = unknown */
	size_t days;
	double current;                /* current daily spend */
	int frozen, opted_in;
	double lower, upper;           /* absolute daily bounds; < 0: from the ratios */
};

enum plan_mode { PLAN_MAX_RESPONSE, PLAN_TARGET_ROI, PLAN_MARGINAL_FLOOR };

struct plan_options {
	enum plan_mode mode;
	double total;        /* daily total for PLAN_MAX_RESPONSE; < 0: the current total */
	double target;       /* ROI target or marginal ROI floor for the other modes */
	double lower_ratio, upper_ratio; /* bounds relative to current spend (0.5, 2) */
	int adstock;         /* fit carry-over rates */
	int period_days;     /* for period budgets (30) */
};

void plan_options_default(struct plan_options *opt);

/* The level of every interval the advice gives (per channel, the uplift,
 * the curves' bands): 80%, as a marketer reads "likely between". */
#define PLAN_BAND_LEVEL 0.8

/* The daily uplift of a split over the current one (on the curves' draws'
 * means where they have them) and under each bootstrap draw of every
 * curve: its 80% interval (curve_interval, centred on the uplift under the
 * curves kept, and holding the expected uplift) and the share of draws in
 * which it is positive (NaN when no curve has two draws or more). Uncertain when
 * the interval includes zero while the split moves money, or when a
 * channel it moves has a curve without draws (shape assumed, a prior, under
 * three weeks of days): the verdict says which. */
struct plan_uplift {
	double uplift, low, high, probability_better;
	int uncertain;     /* the advice cannot be called sure (see above) */
	char verdict[320]; /* how sure the advice is, in a sentence */
};

/* curves[i] (NULL: a channel without a curve), current[i] and
 * recommended[i] daily spends, for n channels. Pure. */
void plan_uplift(const struct response_curve *const *curves, const double *current,
		 const double *recommended, int n, struct plan_uplift *out);

/* The same for stored budget rows (their curves, current and recommended
 * spends), as the API and the charts have them. */
void plan_uplift_of_rows(const struct result_budget *rows, int n, struct plan_uplift *out);

struct plan_channel {
	const char *name;
	struct response_curve curve;
	double current, recommended, potential; /* daily spend */
	double lower, upper;
	double revenue_current, revenue_recommended, revenue_potential; /* expected, daily */
	/* The 80% interval of the expected daily revenue at the recommended
	 * spend, from the curve's bootstrap draws (both the expectation when
	 * the curve has none). */
	double revenue_recommended_low, revenue_recommended_high;
	double marginal_roi;  /* at the recommended spend: marginal revenue - 1 */
	double saturation;    /* spend where marginal revenue falls to 1 */
	int prior;            /* no history: the curve is a prior from the other channels */
};

struct plan {
	int n;
	struct plan_channel *channels; /* owned; plan_free releases */
	double current_total, recommended_total, potential_total;
	double revenue_current, revenue_recommended, revenue_potential;
	double multiplier;   /* common marginal revenue of the recommended split */
	struct plan_uplift sure; /* how sure the uplift is */
	int period_days;
	char error[300];     /* why no recommendation could be made */
};

/*
 * Fits the curves and allocates. Returns 0; -1 with plan->error when the
 * request cannot be met or a current spend, bound, ratio, total or target
 * is NaN (or a current spend infinite); the channels and curves are still
 * filled, with the current split as the recommendation. The caller frees
 * with plan_free.
 */
int plan_build(const struct plan_input *in, int n, const struct plan_options *opt,
	       struct plan *plan);

/* Re-optimises an existing plan's curves for another daily total. */
int plan_reallocate(struct plan *plan, double total);

void plan_free(struct plan *plan);

/* The curve sampled at npoints spends from 0 to max_spend, with its 80%
 * band into low and high (either may be NULL). */
void plan_curve_points(const struct plan_channel *ch, int npoints, double max_spend,
		       double *spend, double *revenue, double *low, double *high);

#endif
