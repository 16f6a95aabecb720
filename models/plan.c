#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plan_options_default(struct plan_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->mode = PLAN_MAX_RESPONSE;
	opt->total = -1;
	opt->lower_ratio = 0.5;
	opt->upper_ratio = 2;
	opt->period_days = 30;
}

void plan_free(struct plan *plan)
{
	free(plan->channels);
	plan->channels = NULL;
	plan->n = 0;
}

/* The allocator's view of the plan; with potential, the bounds are only
 * those of the total itself (frozen and no-history channels aside). */
static void alloc_view(const struct plan *plan, struct alloc_channel *ch, int potential,
		       double total)
{
	for (int i = 0; i < plan->n; i++) {
		const struct plan_channel *c = &plan->channels[i];
		ch[i] = (struct alloc_channel){ c->name, &c->curve, c->current, c->lower, c->upper };
		if (potential && c->curve.kind != CURVE_NONE && c->upper > c->lower) {
			ch[i].lower = 0;
			ch[i].upper = total;
		}
	}
}

/* A channel's change of revenue from current to recommended under draw d
 * (the expectation for a curve without draws). */
static double change_at_draw(const struct response_curve *c, double current, double recommended, int d)
{
	if (c->draws == 0)
		return curve_value(c, recommended) - curve_value(c, current);
	int k = d % c->draws;
	return curve_value_draw(c, k, recommended) - curve_value_draw(c, k, current);
}

/* Whether a curve that moves has no draws to say how sure it is (a shape
 * assumed from too few spend levels, a prior, under three weeks of days),
 * beyond a curve of nothing, which is sure. */
static int unmeasured(const struct response_curve *c)
{
	return c->kind != CURVE_NONE && c->draws < 2 && !(c->kind == CURVE_POWER && c->a == 0);
}

static void verdict(struct plan_uplift *out, int moves, int unsure_curves)
{
	if (unsure_curves > 0 && isnan(out->low))
		snprintf(out->verdict, sizeof out->verdict,
			 "not sure: no curve the split moves has bootstrap draws (shapes assumed or under "
			 "three weeks of days), so how sure the uplift is cannot be told");
	else if (unsure_curves > 0)
		snprintf(out->verdict, sizeof out->verdict,
			 "not sure: %d channel(s) the split moves have curves measured too little to say how "
			 "sure (shape assumed or under three weeks of days); on the others' draws the "
			 "uplift's 80%% interval is %+.2f to %+.2f a day", unsure_curves, out->low, out->high);
	else if (out->uncertain)
		snprintf(out->verdict, sizeof out->verdict,
			 "not sure: the uplift's 80%% interval (%+.2f to %+.2f a day) includes zero; the "
			 "data cannot tell this split from the current one (better in %.0f%% of draws)",
			 out->low, out->high, 100 * out->probability_better);
	else if (isnan(out->low))
		snprintf(out->verdict, sizeof out->verdict, moves ? "no curve has bootstrap draws: how "
			 "sure the uplift is cannot be told" : "the split is the current one");
	else
		snprintf(out->verdict, sizeof out->verdict,
			 "uplift %+.2f a day (80%% interval %+.2f to %+.2f); better than the current "
			 "split in %.0f%% of draws", out->uplift, out->low, out->high,
			 100 * out->probability_better);
}

/*
 * The uplift under each draw, every channel's curve drawn at once
 * (channels' draws are independent, so draw d of one pairs with draw d of
 * another as well as any). The verdict says plainly when the interval
 * holds zero, or a moved channel's curve has no draws.
 */
void plan_uplift(const struct response_curve *const *curves, const double *current,
		 const double *recommended, int n, struct plan_uplift *out)
{
	int draws = 0, moves = 0, unsure_curves = 0;
	double fitted = 0; /* the uplift under the curves kept */
	out->uplift = 0;
	for (int i = 0; i < n; i++) {
		if (curves[i] == NULL)
			continue;
		int moved = fabs(recommended[i] - current[i]) > 1e-9 * (fabs(current[i]) + 1);
		draws = curves[i]->draws > draws ? curves[i]->draws : draws;
		out->uplift += curve_value(curves[i], recommended[i]) - curve_value(curves[i], current[i]);
		fitted += curve_value_fitted(curves[i], recommended[i]) -
			  curve_value_fitted(curves[i], current[i]);
		moves |= moved;
		unsure_curves += moved && unmeasured(curves[i]);
	}
	out->low = out->high = out->probability_better = NAN;
	out->uncertain = unsure_curves > 0;
	if (draws >= 2) {
		double v[CURVE_DRAWS];
		int better = 0;
		for (int d = 0; d < draws; d++) {
			v[d] = 0;
			for (int i = 0; i < n; i++)
				if (curves[i] != NULL)
					v[d] += change_at_draw(curves[i], current[i], recommended[i], d);
			better += v[d] > 0;
		}
		curve_interval(fitted, v, draws, PLAN_BAND_LEVEL, &out->low, &out->high);
		out->low = fmin(out->low, out->uplift), out->high = fmax(out->high, out->uplift);
		out->probability_better = (double)better / draws;
		out->uncertain |= moves && out->low <= 0 && out->high >= 0;
	}
	verdict(out, moves, unsure_curves);
}

void plan_uplift_of_rows(const struct result_budget *rows, int n, struct plan_uplift *out)
{
	const struct response_curve **curves = calloc((size_t)(n ? n : 1), sizeof *curves);
	double *cur = calloc((size_t)(n ? n : 1), sizeof *cur);
	double *rec = calloc((size_t)(n ? n : 1), sizeof *rec);
	if (curves != NULL && cur != NULL && rec != NULL) {
		for (int i = 0; i < n; i++)
			curves[i] = &rows[i].curve, cur[i] = rows[i].current, rec[i] = rows[i].recommended;
		plan_uplift(curves, cur, rec, n, out);
	} else {
		*out = (struct plan_uplift){ .low = NAN, .high = NAN, .probability_better = NAN,
					     .uncertain = 1 };
		snprintf(out->verdict, sizeof out->verdict, "out of memory: how sure is unknown");
	}
	free(curves);
	free(cur);
	free(rec);
}

/* The plan's uplift and how sure it is. */
static void uplift_uncertainty(struct plan *plan)
{
	const struct response_curve **curves = malloc(sizeof *curves * (size_t)(plan->n ? plan->n : 1));
	double *cur = malloc(sizeof *cur * (size_t)(plan->n ? plan->n : 1));
	double *rec = malloc(sizeof *rec * (size_t)(plan->n ? plan->n : 1));
	if (curves == NULL || cur == NULL || rec == NULL) {
		memset(&plan->sure, 0, sizeof plan->sure);
		plan->sure.low = plan->sure.high = plan->sure.probability_better = NAN;
		snprintf(plan->sure.verdict, sizeof plan->sure.verdict, "out of memory");
	} else {
		for (int i = 0; i < plan->n; i++) {
			curves[i] = &plan->channels[i].curve;
			cur[i] = plan->channels[i].current;
			rec[i] = plan->channels[i].recommended;
		}
		plan_uplift(curves, cur, rec, plan->n, &plan->sure);
	}
	free(curves);
	free(cur);
	free(rec);
}

/* Expected revenue and marginal ROI per channel at the recommendation. */
static void evaluate(struct plan *plan)
{
	plan->current_total = plan->recommended_total = 0;
	plan->revenue_current = plan->revenue_recommended = 0;
	for (int i = 0; i < plan->n; i++) {
		struct plan_channel *c = &plan->channels[i];
		c->revenue_current = curve_value(&c->curve, c->current);
		c->revenue_recommended = curve_value(&c->curve, c->recommended);
		curve_band(&c->curve, c->recommended, PLAN_BAND_LEVEL, &c->revenue_recommended_low,
			   &c->revenue_recommended_high);
		c->marginal_roi = c->curve.kind == CURVE_NONE
					  ? NAN
					  : curve_marginal(&c->curve, c->recommended) - 1;
		plan->current_total += c->current;
		plan->recommended_total += c->recommended;
		plan->revenue_current += c->revenue_current;
		plan->revenue_recommended += c->revenue_recommended;
	}
	uplift_uncertainty(plan);
}

/* The unbounded optimum of the same total: what the bounds cost. */
static void potential(struct plan *plan, struct alloc_channel *view, double *spend)
{
	struct allocation a;
	char err[300];
	alloc_view(plan, view, 1, plan->recommended_total);
	plan->potential_total = plan->recommended_total;
	plan->revenue_potential = NAN;
	if (allocate_max_response(view, plan->n, plan->recommended_total, spend, &a, err,
				  sizeof err) != 0)
		return;
	plan->revenue_potential = a.total_revenue;
	for (int i = 0; i < plan->n; i++) {
		plan->channels[i].potential = spend[i];
		plan->channels[i].revenue_potential = curve_value(&plan->channels[i].curve, spend[i]);
	}
}

static int allocate_mode(struct plan *plan, enum plan_mode mode, double value)
{
	struct alloc_channel *view = malloc(sizeof *view * (size_t)(plan->n ? plan->n : 1));
	double *spend = malloc(sizeof *spend * (size_t)(plan->n ? plan->n : 1));
	int rc = -1;
	if (view == NULL || spend == NULL) {
		snprintf(plan->error, sizeof plan->error, "out of memory");
		goto out;
	}
	alloc_view(plan, view, 0, 0);
	struct allocation a;
	if (mode == PLAN_TARGET_ROI)
		rc = allocate_target_roi(view, plan->n, value, spend, &a, plan->error, sizeof plan->error);
	else if (mode == PLAN_MARGINAL_FLOOR)
		rc = allocate_marginal_floor(view, plan->n, value, spend, &a, plan->error,
					     sizeof plan->error);
	else
		rc = allocate_max_response(view, plan->n, value, spend, &a, plan->error,
					   sizeof plan->error);
	for (int i = 0; i < plan->n; i++)
		plan->channels[i].recommended = rc == 0 ? spend[i] : plan->channels[i].current;
	plan->multiplier = rc == 0 ? a.multiplier : NAN;
	if (rc == 0)
		plan->error[0] = '\0';
	evaluate(plan);
	potential(plan, view, spend);
out:
	free(view);
	free(spend);
	return rc;
}

/*
 * A channel without history that the caller opted in gets a prior: a power
 * law with b = 0.5 that returns, at the others' mean daily spend, the
 * others' mean ROI. Low confidence, and it says so.
 */
static double give_priors(struct plan *plan, const int *opted)
{
	double spend = 0, revenue = 0;
	int known = 0;
	for (int i = 0; i < plan->n; i++) {
		const struct plan_channel *c = &plan->channels[i];
		if (c->curve.kind != CURVE_NONE && c->current > 0) {
			spend += c->current;
			revenue += curve_value(&c->curve, c->current);
			known++;
		}
	}
	if (known == 0 || spend <= 0)
		return 0;
	double mean_spend = spend / known, mean_revenue = revenue / known;
	for (int i = 0; i < plan->n; i++) {
		struct plan_channel *c = &plan->channels[i];
		if (c->curve.kind != CURVE_NONE || !opted[i])
			continue;
		c->curve.kind = CURVE_POWER;
		c->curve.b = 0.5;
		c->curve.a = mean_revenue / sqrt(mean_spend);
		c->curve.confidence = CONFIDENCE_LOW;
		snprintf(c->curve.note, sizeof c->curve.note,
			 "no spend history: a prior from the other channels' average return");
		c->prior = 1;
		c->saturation = allocate_saturation(&c->curve);
	}
	return mean_spend;
}

/*
 * The numbers a recommendation is made from must be numbers: a NaN or
 * infinite current spend, or a NaN bound, ratio, total or target, would
 * otherwise come out as NaN spends with a success. Returns 0, or -1 with
 * plan->error naming the first bad one. (NaN days in the series are fine:
 * they mean unknown. A negative total means "the current total", an
 * infinite upper bound "no ceiling".)
 */
static int check_numbers(const struct plan_input *in, int n, const struct plan_options *opt,
			 struct plan *plan)
{
	for (int i = 0; i < n; i++) {
		const char *name = in[i].name ? in[i].name : "?";
		if (!isfinite(in[i].current)) {
			snprintf(plan->error, sizeof plan->error,
				 "channel '%.64s': the current daily spend is %g, not a finite amount",
				 name, in[i].current);
			return -1;
		}
		if (isnan(in[i].lower) || isnan(in[i].upper)) {
			snprintf(plan->error, sizeof plan->error,
				 "channel '%.64s': a bound is not a number", name);
			return -1;
		}
	}
	if (isnan(opt->lower_ratio) || isnan(opt->upper_ratio)) {
		snprintf(plan->error, sizeof plan->error, "a bound ratio is not a number");
		return -1;
	}
	if (opt->mode == PLAN_MAX_RESPONSE ? isnan(opt->total) : isnan(opt->target)) {
		snprintf(plan->error, sizeof plan->error, "the %s is not a number",
			 opt->mode == PLAN_MAX_RESPONSE ? "daily total" : "target");
		return -1;
	}
	return 0;
}

int plan_build(const struct plan_input *in, int n, const struct plan_options *opt,
	       struct plan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->period_days = opt->period_days;
	plan->channels = calloc((size_t)(n ? n : 1), sizeof *plan->channels);
	int *frozen = calloc((size_t)(n ? n : 1), sizeof *frozen);
	int *opted = calloc((size_t)(n ? n : 1), sizeof *opted);
	struct alloc_channel *view = calloc((size_t)(n ? n : 1), sizeof *view);
	int rc = -1;
	if (plan->channels == NULL || frozen == NULL || opted == NULL || view == NULL) {
		snprintf(plan->error, sizeof plan->error, "out of memory");
		goto out;
	}
	plan->n = n;
	for (int i = 0; i < n; i++) {
		struct plan_channel *c = &plan->channels[i];
		c->name = in[i].name;
		c->current = in[i].current;
		curve_fit(in[i].spend, in[i].revenue, in[i].days, opt->adstock, &c->curve);
		c->saturation = allocate_saturation(&c->curve);
		frozen[i] = in[i].frozen;
		opted[i] = in[i].opted_in;
		view[i] = (struct alloc_channel){ c->name, &c->curve, c->current, 0, 0 };
	}
	double typical_spend = give_priors(plan, opted);
	struct bound_rules rules = { opt->lower_ratio, opt->upper_ratio, frozen, opted, NULL, NULL };
	allocate_bounds(view, n, &rules);
	for (int i = 0; i < n; i++) {
		struct plan_channel *c = &plan->channels[i];
		/* Absolute bounds, where given, replace the ratios (frozen wins);
		 * an explicit bound wins over the other side's ratio. */
		if (!frozen[i] && in[i].lower >= 0)
			view[i].lower = in[i].lower;
		if (!frozen[i] && in[i].upper >= 0)
			view[i].upper = in[i].upper;
		else if (!frozen[i] && c->prior) /* opted in without a bound: up to a typical channel's spend */
			view[i].upper = typical_spend;
		if (view[i].lower > view[i].upper) {
			if (in[i].upper >= 0 && !frozen[i])
				view[i].lower = view[i].upper;
			else
				view[i].upper = view[i].lower;
		}
		c->lower = view[i].lower;
		c->upper = view[i].upper;
		plan->current_total += in[i].current;
	}
	if (check_numbers(in, n, opt, plan) != 0) {
		/* As for any refused request: the current split, as it is. */
		for (int i = 0; i < n; i++)
			plan->channels[i].recommended = plan->channels[i].potential = in[i].current;
		plan->multiplier = plan->revenue_potential = NAN;
		evaluate(plan);
		plan->potential_total = plan->recommended_total;
		goto out;
	}
	double value = opt->mode == PLAN_MAX_RESPONSE
			       ? (opt->total >= 0 ? opt->total : plan->current_total)
			       : opt->target;
	rc = allocate_mode(plan, opt->mode, value);
out:
	free(frozen);
	free(opted);
	free(view);
	return rc;
}

int plan_reallocate(struct plan *plan, double total)
{
	return allocate_mode(plan, PLAN_MAX_RESPONSE, total);
}

void plan_curve_points(const struct plan_channel *ch, int npoints, double max_spend,
		       double *spend, double *revenue, double *low, double *high)
{
	for (int i = 0; i < npoints; i++) {
		spend[i] = npoints > 1 ? max_spend * i / (npoints - 1) : 0;
		revenue[i] = curve_value(&ch->curve, spend[i]);
		double lo, hi;
		curve_band(&ch->curve, spend[i], PLAN_BAND_LEVEL, &lo, &hi);
		if (low != NULL)
			low[i] = lo;
		if (high != NULL)
			high[i] = hi;
	}
}
