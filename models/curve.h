/*
 * curve: how a channel's daily revenue responds to its daily spend.
 * Pure. A Hill curve  revenue = beta s^alpha / (s^alpha + k^alpha)
 * (0.05 <= alpha <= 1: concave; 1.1 <= alpha <= 3: S-shaped, with a threshold
 * below which spend returns little) fitted by nonlinear least squares
 * (GSL multifit_nlinear), or a power law  revenue = a s^b  (0 < b < 1).
 * Optional geometric adstock: the curve sees
 * x[t] = lambda x[t-1] + (1 - lambda) s[t], so a constant daily spend s has
 * x = s in the long run, and the curve reads in plain daily spend.
 *
 * An S-curve is not concave, so the allocator (allocate.h) searches for
 * the global optimum rather than only equalising marginal returns.
 */
#ifndef MLDASH_CURVE_H
#define MLDASH_CURVE_H

#include <stddef.h>

enum curve_kind { CURVE_NONE, CURVE_HILL, CURVE_POWER };
enum curve_confidence { CONFIDENCE_LOW, CONFIDENCE_MEDIUM, CONFIDENCE_HIGH };
extern const char *const curve_kind_names[];
extern const char *const curve_confidence_names[];

#define CURVE_DRAWS 100 /* bootstrap draws of a curve's parameters */
#define CURVE_TABLE_STEPS 256 /* steps of the draws' mean's table */

struct response_curve {
	enum curve_kind kind;     /* CURVE_NONE: no spend history to learn from */
	double beta, k, alpha;    /* Hill */
	double a, b;              /* power law */
	double adstock;           /* lambda, 0 without carry-over */
	double r2;                /* share of revenue variance explained */
	int points;               /* days used */
	int spend_levels;         /* distinct spend levels among them */
	double weekly;            /* the weekday pattern taken out: its largest factor's distance from 1 */
	/* The S-shape was tested and the data could not tell it from the
	 * concave curve kept (cross-validated errors within a standard error). */
	int shape_undecided;
	enum curve_confidence confidence;
	char note[192];           /* why the shape and the confidence are what they are */
	/* Curves refitted to block-bootstrap resamples of the days, each of
	 * a form drawn by the odds its resample's left-out days give it: the
	 * uncertainty of the parameters and of the form. p: Hill beta, k,
	 * alpha; power a, b, 0. */
	int draws;
	struct curve_draw {
		enum curve_kind kind;
		double p[3];
	} draw[CURVE_DRAWS];
	/* The draws' mean, tabulated (table_steps > 0): what curve_value and
	 * the rest answer for, as the expected revenue over what the days
	 * leave uncertain. table_marginal holds its marginal at spends
	 * reach (i / steps)^2 (i = 0..steps), rising to one peak and falling, and
	 * the curve is its integral, linear between the nodes; past reach the
	 * marginal falls on as it did over the last step (a power of s), or as
	 * (reach / s)^2 where it was not falling there. table_value,
	 * table_peak and table_tail are derived (curve_table_settle). */
	int table_steps;
	double table_reach;
	double table_marginal[CURVE_TABLE_STEPS + 1];
	double table_value[CURVE_TABLE_STEPS + 1];
	int table_peak;
	double table_tail; /* the marginal past reach: m[steps] (reach / s)^table_tail */
};

/*
 * Fits a curve to daily pairs (NaN or an infinity marks an unknown value;
 * such days are skipped), oldest first, one a day. The revenue's weekly
 * pattern is taken out first (the curve reads in an average day). The
 * form (concave Hill, S-shaped Hill, power law) and, with_adstock, the
 * carry-over rate are chosen by blocked cross-validation: each form is
 * fitted without one stretch of days at a time and scored on it. An
 * S-shape is kept only when it predicts the held-out days better by more
 * than a standard error. Then CURVE_DRAWS bootstrap refits (weekly blocks
 * of days) give the uncertainty of the parameters and the form; none under
 * three weeks of days or three spend levels. A concave curve kept without
 * high confidence is then the concave one closest to the draws' mean
 * (bagging), the expected revenue over the doubt about its form, which the
 * allocator maximises. Deterministic: the same data give the same curve
 * and draws. Returns 0 (-1 out of memory); a channel without spend gets
 * kind CURVE_NONE, one whose spend earned nothing a power law with a = 0.
 */
int curve_fit(const double *spend, const double *revenue, size_t n, int with_adstock,
	      struct response_curve *out);

/*
 * The draws' mean as the curve's table, over spends up to reach: the mean
 * of the draws' marginals at the CURVE_TABLE_STEPS + 1 spends
 * reach (i / CURVE_TABLE_STEPS)^2 (at zero, where a power law's is
 * infinite, the value that makes the first step's integral the draws'
 * mean there), made to rise to one peak and fall (curve_unimodal, each
 * node weighted by the spends it stands for), since the allocator's exact
 * solves need a marginal that does. curve_fit makes it with a reach of ten times the largest
 * (carried-over) spend, from 50 draws or more. Returns 0, or -1 (no
 * table) without draws, for a reach that is not a positive number, or
 * out of memory.
 */
int curve_table_from_draws(struct response_curve *c, double reach);

/*
 * v[n] replaced by the sequence closest to it in squared error weighted by
 * w[n] (> 0) that rises (not strictly) to one peak and falls after it
 * (unimodal regression: for each split, pool-adjacent-violators on either
 * side), then tilted, each value 1e-9 below the one nearer the peak, so
 * that it rises and falls strictly where it is positive. Returns 0, -1
 * out of memory.
 */
int curve_unimodal(double *v, const double *w, int n);

/* Derives the table's values, peak and tail from its reach, steps and
 * marginals (a stored table read back). Returns 0, or -1 (and no table)
 * when they are not a table: steps out of range, a reach that is not a
 * positive number, a marginal that is negative or not a number, marginals
 * that do not rise to one peak and fall strictly after it, or values past
 * what a double holds. */
int curve_table_settle(struct response_curve *c);

/* Expected daily revenue and its derivative (marginal revenue per unit of
 * spend) at a constant daily spend s >= 0. */
double curve_value(const struct response_curve *c, double s);
double curve_marginal(const struct response_curve *c, double s);

/* The curve kept's own revenue at s (its parameters, not the draws'
 * mean's table): what the intervals are centred on as well as the draws. */
double curve_value_fitted(const struct response_curve *c, double s);

/* The expected daily revenue at spend s under bootstrap draw d (< draws). */
double curve_value_draw(const struct response_curve *c, int d, double s);

/* The `level` interval (0.8) of the expected daily revenue at spend s,
 * from the draws (curve_interval, centred on the curve kept), holding
 * curve_value and not below zero; both ends are curve_value when the
 * curve has no draws. */
void curve_band(const struct response_curve *c, double s, double level, double *lo, double *hi);

/*
 * The `level` interval of a quantity estimated as `estimate` whose
 * bootstrap draws are values[n] (sorted here, in place): the draws' central
 * interval (percentile), widened where needed to hold an interval of the
 * same width centred on the estimate. Why both: the draws choose their own
 * form, so when the form is in doubt they gather partly around another
 * form's answer, off the estimate's; the percentile interval alone then
 * sits beside the estimate, one centred on the estimate alone misses the
 * other form's answer.
 */
void curve_interval(double estimate, double *values, int n, double level, double *lo, double *hi);

/* Whether the curve is S-shaped (a Hill curve with alpha above 1), and its
 * shape's name in the API: "none", "concave" or "s-curve". */
int curve_is_s_shaped(const struct response_curve *c);
const char *curve_shape_name(const struct response_curve *c);

/* The note's words for an S-curve whose returns rose over all the spend
 * its fit saw, its half-saturation held at ten times the most (carried-
 * over) spend: where it levels off is a guess. The note is stored with the
 * curve, so curve_still_rising tells it wherever the curve goes. */
#define CURVE_STILL_RISING "still rising at the most spent"
int curve_still_rising(const struct response_curve *c);

/* The spend at which the curve's marginal revenue peaks (its inflection):
 * below it the curve is convex, above it concave. 0 for a concave curve.
 * With a table, its peak (where the draws' blurred thresholds rise to). */
double curve_inflection(const struct response_curve *c);

/* The curve kept's own inflection (its parameters): an S-curve's
 * threshold, as the API, the CLI and the charts show it beside them. */
double curve_inflection_fitted(const struct response_curve *c);

/* The daily spend at which marginal revenue equals m (> 0) on the concave
 * part of the curve (spend at least curve_inflection), for m between the
 * marginal at max(lo, inflection) and at hi; the answer is clamped to
 * [max(lo, inflection), hi] (lo when the inflection is above hi). near, a
 * spend thought close to the answer, starts the search there (a Hill
 * curve's is iterative); 0, or any value outside [lo, hi], means none. */
double curve_spend_for_marginal(const struct response_curve *c, double m, double lo, double hi,
				double near);

/* The same where the caller knows the curve is concave over [lo, hi] (lo
 * at or past its inflection), skipping the search for it: what the
 * allocator's multiplier solves call for each channel at every step.
 * curvature (when not NULL) receives f'' at the answer when it lies
 * inside (lo, hi), so that the spend moves with m by 1 / f''; 0 at an
 * end, where it does not move. */
double curve_spend_for_marginal_concave(const struct response_curve *c, double m, double lo,
					double hi, double near, double *curvature);

#endif
