#include "outcome.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "curve.h"

const char *const outcome_move_names[3] = { "held", "toward", "away" };

/* A move smaller than this share of the advised one (or of current spend,
 * when none was advised) is noise, not a decision. */
#define MOVE_NOISE 0.05

static enum outcome_move move_of(double current, double recommended, double actual)
{
	double advised = recommended - current, made = actual - current;
	double noise = MOVE_NOISE * (fabs(advised) > 0 ? fabs(advised) : fabs(current));
	if (!isfinite(made) || fabs(made) <= noise)
		return OUTCOME_HELD;
	return made * advised > 0 ? OUTCOME_TOWARD : OUTCOME_AWAY;
}

void outcome_channel(const struct result_budget *b, double spend_mean, double revenue_mean,
		     struct outcome_channel *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->channel, sizeof out->channel, "%s", b->channel);
	out->current = b->current, out->recommended = b->recommended;
	out->actual_spend = spend_mean, out->revenue_actual = revenue_mean;
	int curve = b->curve.kind != CURVE_NONE;
	out->revenue_predicted_at_actual = curve && isfinite(spend_mean) ? curve_value(&b->curve, spend_mean) : NAN;
	out->revenue_predicted_at_current = curve ? curve_value(&b->curve, b->current) : NAN;
	out->moved = move_of(b->current, b->recommended, spend_mean);
}

static double sum_known(double sum, double v)
{
	return isfinite(v) ? sum + v : sum;
}

void outcome_plan(const struct outcome_channel *c, int n, struct outcome_plan *out)
{
	memset(out, 0, sizeof *out);
	double advised = 0, made = 0;
	/* The curves' view, over the channels judged: those with a curve and
	 * data. A channel without a curve cannot say what staying would have
	 * brought; it is left out of the gain (its revenue, and its spend). */
	double judged_revenue = 0, judged_spend = 0, judged_current = 0;
	int observed = 0;
	for (int i = 0; i < n; i++) {
		out->current += c[i].current, out->recommended += c[i].recommended;
		out->actual_spend = sum_known(out->actual_spend, c[i].actual_spend);
		out->revenue_actual = sum_known(out->revenue_actual, c[i].revenue_actual);
		observed |= isfinite(c[i].actual_spend);
		if (isfinite(c[i].revenue_predicted_at_actual) && isfinite(c[i].revenue_actual)) {
			out->revenue_predicted_at_actual += c[i].revenue_predicted_at_actual;
			out->revenue_if_unchanged += c[i].revenue_predicted_at_current;
			judged_revenue += c[i].revenue_actual;
			judged_spend += c[i].actual_spend;
			judged_current += c[i].current;
		}
		double step = c[i].recommended - c[i].current;
		if (isfinite(c[i].actual_spend) && step != 0) {
			advised += fabs(step);
			made += (c[i].actual_spend - c[i].current) * (step > 0 ? 1 : -1);
		}
	}
	out->followed = advised > 0 ? fmax(-1, fmin(1, made / advised)) : NAN;
	/* How far off the curves were on what was spent scales their estimate
	 * of what the old split would have brought. */
	double off = out->revenue_predicted_at_actual > 0 ? judged_revenue / out->revenue_predicted_at_actual : NAN;
	out->net_gain = judged_revenue - out->revenue_if_unchanged * off - (judged_spend - judged_current);
	if (!observed) {
		out->paid = -1, out->net_gain = NAN;
		out->actual_spend = out->revenue_actual = NAN;
		out->revenue_predicted_at_actual = out->revenue_if_unchanged = NAN;
		snprintf(out->verdict, sizeof out->verdict, "no days after the plan yet");
	} else if (!(out->followed > MOVE_NOISE)) {
		out->paid = -1;
		snprintf(out->verdict, sizeof out->verdict, "%s", isnan(out->followed)
			 ? "no change was advised" : "the advice was not followed");
	} else if (!isfinite(out->net_gain)) {
		out->paid = -1;
		snprintf(out->verdict, sizeof out->verdict,
			 "followed (%.0f%% of the advised moves made); no curve to judge it by",
			 100 * out->followed);
	} else {
		out->paid = out->net_gain > 0;
		snprintf(out->verdict, sizeof out->verdict,
			 "%s (%.0f%% of the advised moves made): %s %.0f a day against the old split",
			 out->followed >= 0.5 ? "followed" : "partly followed", 100 * out->followed,
			 out->paid ? "paid, net" : "did not pay, net", out->net_gain);
	}
}
