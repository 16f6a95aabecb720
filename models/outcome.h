/*
 * outcome: a day's budget plan against what followed it (#16). Pure.
 *
 * For each channel: the mean daily spend and revenue of the days after the
 * plan, what the plan's curve predicted at that spend and at the spend the
 * plan started from, and whether spend moved toward the advice. For the
 * plan: how much of the advised moves was made, and whether it paid: the
 * revenue that came against what the old split would have brought, judged
 * by the curves corrected by how far off they were on what was spent, net
 * of the spend added; over the channels that have a curve (one without
 * cannot say what staying would have brought).
 */
#ifndef MLDASH_OUTCOME_H
#define MLDASH_OUTCOME_H

#include "results.h"

/* The days after a plan its outcome is measured over. */
#define OUTCOME_FOLLOW_DAYS 7

enum outcome_move { OUTCOME_HELD, OUTCOME_TOWARD, OUTCOME_AWAY };
extern const char *const outcome_move_names[3]; /* "held", "toward", "away" */

struct outcome_channel {
	char channel[RESULT_CHANNEL_MAX + 1];
	double current, recommended;     /* the plan's daily spends */
	double actual_spend, revenue_actual; /* daily means over the days observed; NaN without */
	double revenue_predicted_at_actual, revenue_predicted_at_current; /* NaN without a curve */
	enum outcome_move moved;
};

struct outcome_plan {
	double current, recommended, actual_spend;
	double revenue_actual, revenue_predicted_at_actual, revenue_if_unchanged;
	double followed;  /* share of the advised moves made (-1..1); NaN when none advised */
	double net_gain;  /* daily, over the channels with a curve and data: revenue that came -
			   * the old split's, corrected, - spend added */
	int paid;         /* 1, 0, or -1: cannot be told (not followed, nothing observed) */
	char verdict[200];
};

/* One channel of plan b, given the mean daily spend and revenue of the days
 * observed after it (NaN when none). */
void outcome_channel(const struct result_budget *b, double spend_mean, double revenue_mean,
		     struct outcome_channel *out);

/* The plan's totals over its channels' outcomes. */
void outcome_plan(const struct outcome_channel *c, int n, struct outcome_plan *out);

#endif
