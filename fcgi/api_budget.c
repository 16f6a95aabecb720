/*
 * api_budget: the latest run's budget recommendation, re-optimised per
 * request for a total, a target ROI, frozen channels or bounds, and its
 * response curves.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocate.h"
#include "api_budget.h"
#include "handlers.h"
#include "plan.h"
#include "predictions.h"
#include "response.h"

static double roi_of(double revenue, double spend)
{
	return spend > 0 ? (revenue - spend) / spend : NAN;
}

static struct json_object *curve_json(const struct response_curve *k)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(curve_kind_names[k->kind]));
	if (k->kind == CURVE_HILL) {
		json_object_object_add(o, "beta", api_number(k->beta));
		json_object_object_add(o, "k", api_number(k->k));
		json_object_object_add(o, "alpha", api_number(k->alpha));
	} else if (k->kind == CURVE_POWER) {
		json_object_object_add(o, "a", api_number(k->a));
		json_object_object_add(o, "b", api_number(k->b));
	}
	json_object_object_add(o, "adstock", api_number(k->adstock));
	json_object_object_add(o, "r2", api_number(k->r2));
	json_object_object_add(o, "confidence", json_object_new_string(curve_confidence_names[k->confidence]));
	json_object_object_add(o, "shape", json_object_new_string(curve_shape_name(k)));
	json_object_object_add(o, "shape_undecided", json_object_new_boolean(k->shape_undecided));
	json_object_object_add(o, "threshold", curve_is_s_shaped(k) ? api_number(curve_inflection_fitted(k)) : NULL);
	json_object_object_add(o, "draws", json_object_new_int(k->draws));
	json_object_object_add(o, "note", json_object_new_string(k->note));
	return o;
}

/* The totals' uplift, how sure it is, for the split in ch[].recommended. */
static void add_uplift(const struct result_budget *ch, int n, struct json_object *totals)
{
	struct plan_uplift u;
	plan_uplift_of_rows(ch, n, &u);
	json_object_object_add(totals, "uplift_low80_daily", api_number(u.low));
	json_object_object_add(totals, "uplift_high80_daily", api_number(u.high));
	json_object_object_add(totals, "probability_better", api_number(u.probability_better));
	json_object_object_add(totals, "uplift_uncertain", json_object_new_boolean(u.uncertain));
	json_object_object_add(totals, "verdict", json_object_new_string(u.verdict));
}

/* Applies freeze, total and target_roi to the stored plan; 400 when a
 * parameter names no channel or the request cannot be met. */
int api_reoptimise(struct result_budget *ch, int n, const struct params *p, struct response *resp)
{
	if (p->lower_ratio >= 0)
		for (int i = 0; i < n; i++)
			if (ch[i].curve.kind != CURVE_NONE && ch[i].upper > ch[i].lower) {
				ch[i].lower = p->lower_ratio * ch[i].current;
				ch[i].upper = p->upper_ratio * ch[i].current;
			}
	if (*p->freeze) {
		char list[512];
		snprintf(list, sizeof list, "%s", p->freeze);
		char *save = NULL;
		for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
			int found = 0;
			for (int i = 0; i < n; i++)
				if (strcmp(ch[i].channel, name) == 0) {
					ch[i].lower = ch[i].upper = ch[i].current;
					found = 1;
				}
			if (!found) {
				response_error(resp, 400, "bad_parameter",
					       "parameter 'freeze': '%s' is not a channel of the latest run", name);
				return -1;
			}
		}
	}
	if (p->total < 0 && isnan(p->target_roi) && *p->freeze == '\0' && p->lower_ratio < 0)
		return 0; /* the stored recommendation as it is */
	struct alloc_channel *view = calloc((size_t)(n ? n : 1), sizeof *view);
	double *spend = calloc((size_t)(n ? n : 1), sizeof *spend), total = 0;
	if (view == NULL || spend == NULL) {
		free(view);
		free(spend);
		response_error(resp, 500, "out_of_memory", "the budget could not be computed");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		view[i] = (struct alloc_channel){ ch[i].channel, &ch[i].curve, ch[i].current, ch[i].lower, ch[i].upper };
		total += ch[i].current;
	}
	struct allocation a;
	char err[300];
	int rc = isnan(p->target_roi)
			 ? allocate_max_response(view, n, p->total >= 0 ? p->total : total, spend, &a, err, sizeof err)
			 : allocate_target_roi(view, n, p->target_roi, spend, &a, err, sizeof err);
	if (rc != 0)
		response_error(resp, 400, "infeasible", "%s (parameter '%s')", err,
			       isnan(p->target_roi) ? "total" : "target_roi");
	else
		for (int i = 0; i < n; i++)
			ch[i].recommended = spend[i];
	free(view);
	free(spend);
	return rc != 0 ? -1 : 0;
}


/* api_begin_data, then the stored budget channels of the run (*ch: free()). */
static int begin_budget_request(struct app *app, const struct request *req, const char *const *allowed,
				struct params *p, struct run_ref *run, struct result_budget **ch, int *n,
				struct response *resp)
{
	*ch = NULL;
	if (api_begin_data(app, req, allowed, "channels", p, run, resp) != 0 ||
	    api_cached_answer(app, req, run->id, "application/json", resp))
		return -1;
	enum db_status st = prediction_budget(app->db, run->id, ch, n);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	return 0;
}

void api_budget(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", "total", "target_roi", "freeze", "bounds", NULL };
	struct params p;
	struct run_ref run;
	struct result_budget *ch;
	int n = 0;
	if (begin_budget_request(app, req, allowed, &p, &run, &ch, &n, resp) != 0)
		return;
	int shown = 0;
	for (int i = 0; i < n; i++)
		shown += *p.channel == '\0' || strcmp(ch[i].channel, p.channel) == 0;
	if (api_unknown_channel(&p, shown, resp) || api_reoptimise(ch, n, &p, resp) != 0) {
		free(ch);
		return;
	}

	struct json_object *list = json_object_new_array();
	double cur = 0, rec = 0, rev_cur = 0, rev_rec = 0;
	for (int i = 0; i < n; i++) {
		const struct result_budget *c = &ch[i];
		double rc = curve_value(&c->curve, c->current), rr = curve_value(&c->curve, c->recommended);
		cur += c->current, rec += c->recommended, rev_cur += rc, rev_rec += rr;
		if (*p.channel && strcmp(c->channel, p.channel) != 0)
			continue;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "channel", json_object_new_string(c->channel));
		json_object_object_add(o, "current_daily", api_number(c->current));
		json_object_object_add(o, "recommended_daily", api_number(c->recommended));
		json_object_object_add(o, "current_period_30d", api_number(30 * c->current));
		json_object_object_add(o, "recommended_period_30d", api_number(30 * c->recommended));
		json_object_object_add(o, "change_percent", api_number(c->current > 0 ? 100 * (c->recommended / c->current - 1) : NAN));
		json_object_object_add(o, "lower_daily", api_number(c->lower));
		json_object_object_add(o, "upper_daily", api_number(c->upper));
		json_object_object_add(o, "expected_revenue_current_daily", api_number(rc));
		json_object_object_add(o, "expected_revenue_daily", api_number(rr));
		double lo, hi;
		curve_band(&c->curve, c->recommended, PLAN_BAND_LEVEL, &lo, &hi);
		json_object_object_add(o, "expected_revenue_low80_daily", api_number(lo));
		json_object_object_add(o, "expected_revenue_high80_daily", api_number(hi));
		json_object_object_add(o, "expected_roi_current", api_number(roi_of(rc, c->current)));
		json_object_object_add(o, "expected_roi", api_number(roi_of(rr, c->recommended)));
		json_object_object_add(o, "marginal_roi", c->curve.kind == CURVE_NONE ? NULL
					: api_number(curve_marginal(&c->curve, c->recommended) - 1));
		json_object_object_add(o, "curve", curve_json(&c->curve));
		json_object_array_add(list, o);
	}
	struct json_object *totals = json_object_new_object();
	json_object_object_add(totals, "current_daily", api_number(cur));
	json_object_object_add(totals, "recommended_daily", api_number(rec));
	json_object_object_add(totals, "expected_revenue_current_daily", api_number(rev_cur));
	json_object_object_add(totals, "expected_revenue_daily", api_number(rev_rec));
	json_object_object_add(totals, "expected_roi_current", api_number(roi_of(rev_cur, cur)));
	json_object_object_add(totals, "expected_roi", api_number(roi_of(rev_rec, rec)));
	json_object_object_add(totals, "uplift_daily", api_number(rev_rec - rev_cur));
	add_uplift(ch, n, totals);
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", api_run_json(&run));
	json_object_object_add(out, "channels", list);
	json_object_object_add(out, "totals", totals);
	json_object_object_add(out, "reoptimised", json_object_new_boolean(api_budget_scenario(&p)));
	response_json(resp, 200, out);
	api_keep_answer(app, req, run.id, resp);
	free(ch);
}

void api_budget_curves(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", NULL };
	struct params p;
	struct run_ref run;
	struct result_budget *ch;
	int n = 0;
	if (begin_budget_request(app, req, allowed, &p, &run, &ch, &n, resp) != 0)
		return;
	struct json_object *list = json_object_new_array();
	int shown = 0;
	for (int i = 0; i < n; i++) {
		const struct result_budget *c = &ch[i];
		if (*p.channel && strcmp(c->channel, p.channel) != 0)
			continue;
		shown++;
		double sat = allocate_saturation(&c->curve);
		double top = 2 * (c->upper > c->current ? c->upper : c->current);
		if (isfinite(sat) && 1.25 * sat > top)
			top = 1.25 * sat;
		if (top <= 0)
			top = 1;
		struct json_object *o = json_object_new_object(), *pts = json_object_new_array();
		json_object_object_add(o, "channel", json_object_new_string(c->channel));
		json_object_object_add(o, "curve", curve_json(&c->curve));
		for (int k = 0; k <= 40; k++) {
			double s = top * k / 40;
			struct json_object *pt = json_object_new_object();
			json_object_object_add(pt, "spend", api_number(s));
			json_object_object_add(pt, "revenue", api_number(curve_value(&c->curve, s)));
			double lo, hi;
			curve_band(&c->curve, s, PLAN_BAND_LEVEL, &lo, &hi);
			json_object_object_add(pt, "revenue_low80", api_number(lo));
			json_object_object_add(pt, "revenue_high80", api_number(hi));
			json_object_object_add(pt, "marginal_roi", c->curve.kind == CURVE_NONE ? NULL
						: api_number(curve_marginal(&c->curve, s) - 1));
			json_object_array_add(pts, pt);
		}
		json_object_object_add(o, "points", pts);
		struct json_object *marks = json_object_new_object();
		json_object_object_add(marks, "current", api_number(c->current));
		json_object_object_add(marks, "recommended", api_number(c->recommended));
		json_object_object_add(marks, "saturation", api_number(sat));
		json_object_object_add(o, "marks", marks);
		json_object_array_add(list, o);
	}
	free(ch);
	if (api_unknown_channel(&p, shown, resp)) {
		json_object_put(list);
		return;
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", api_run_json(&run));
	json_object_object_add(out, "channels", list);
	json_object_object_add(out, "about", json_object_new_string(
		"expected daily revenue against daily spend; saturation is where an extra unit of "
		"spend returns less than itself (marginal ROI 0)"));
	response_json(resp, 200, out);
	api_keep_answer(app, req, run.id, resp);
}

