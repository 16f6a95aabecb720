/*
 * api_history: how right the forecasts and the advice were (#16), as JSON:
 * GET /accuracy/data and /anomalies/data (the latest run's scores and
 * anomalies, as the ML sync stored them) and
 * GET /budget-recommendation/history (the days' plans against the spend
 * and revenue that followed them, read from the store per request: the
 * actuals keep arriving after a plan, the plans do not change).
 *
 * Answers are kept per run and worker like the other data answers.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_data.h"
#include "campaigns.h"
#include "handlers.h"
#include "history.h"
#include "outcome.h"
#include "predictions.h"
#include "query.h"
#include "response.h"

#define JOB "ml_sync"
#define ANOMALY_DAYS_MAX 90  /* the days each run checks */
#define PLAN_DAYS_MAX 400    /* at least as long as the days' runs are kept by default */

static struct json_object *day_json(long day)
{
	char text[16];
	time_t t = (time_t)day * 86400;
	struct tm utc;
	gmtime_r(&t, &utc);
	strftime(text, sizeof text, "%Y-%m-%d", &utc);
	return json_object_new_string(text);
}

/* metric=NAME: *metric stays -1 (every metric) when absent. */
static int metric_param(const struct request *req, int *metric, struct response *resp)
{
	char value[32];
	int rc = query_get(req->query, "metric", value, sizeof value);
	*metric = -1;
	if (rc == 0)
		return 0;
	if (rc < 0 || (*metric = result_metric_parse(value)) < 0) {
		response_error(resp, 400, "bad_parameter",
			       "parameter 'metric' must be spend, revenue, roi, conversions, reach or ctr");
		return -1;
	}
	return 0;
}

/* window=30|90: *window stays 0 (both) when absent. */
static int window_param(const struct request *req, int *window, struct response *resp)
{
	char value[8];
	int rc = query_get(req->query, "window", value, sizeof value);
	if (rc == 0)
		return 0;
	if (rc < 0 || (strcmp(value, "30") != 0 && strcmp(value, "90") != 0)) {
		response_error(resp, 400, "bad_parameter", "parameter 'window' must be 30 or 90 (days)");
		return -1;
	}
	*window = atoi(value);
	return 0;
}

/* The run's last day of data; -1 when it read none (no data yet). */
static int data_end_of(struct app *app, const struct run_ref *run, long *end, struct response *resp)
{
	enum db_status st = history_data_end(app->db, run->id, end);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	return 0;
}

static struct json_object *answer_head(const struct run_ref *run, long end, const char *about)
{
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", api_run_json(run));
	json_object_object_add(out, "data_end", end >= 0 ? day_json(end) : NULL);
	json_object_object_add(out, "about", json_object_new_string(about));
	return out;
}

/* --- GET /accuracy/data -------------------------------------------------------- */

static const char accuracy_about[] =
	"each day's run's forecasts scored against the actuals that came, per channel, metric, lead "
	"time (days after the forecast's last day of data) and window (the days up to data_end): "
	"mase = mean absolute error over the mean absolute 7-day change of the actuals (below 1 "
	"beats 'same as last week'), smape in percent, bias = mean of forecast - actual, "
	"coverage_80/95 = share of actuals inside the 80%/95% bands (n_banded of them had bands)";

static struct json_object *accuracy_json(const struct result_accuracy *r)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "channel", json_object_new_string(r->channel));
	json_object_object_add(o, "metric", json_object_new_string(result_metric_names[r->metric]));
	json_object_object_add(o, "lead_days", json_object_new_int(r->lead_days));
	json_object_object_add(o, "window_days", json_object_new_int(r->window_days));
	json_object_object_add(o, "n", json_object_new_int(r->n));
	json_object_object_add(o, "n_banded", json_object_new_int(r->n_banded));
	json_object_object_add(o, "mase", api_number(r->mase));
	json_object_object_add(o, "smape", api_number(r->smape));
	json_object_object_add(o, "bias", api_number(r->bias));
	json_object_object_add(o, "coverage_80", api_number(r->coverage_80));
	json_object_object_add(o, "coverage_95", api_number(r->coverage_95));
	return o;
}

void api_accuracy(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", "metric", "window", NULL };
	int metric, window = 0;
	if (metric_param(req, &metric, resp) != 0 || window_param(req, &window, resp) != 0)
		return;
	struct params p;
	struct run_ref run;
	long end;
	if (api_begin_data(app, req, allowed, "accuracy", &p, &run, resp) != 0 ||
	    api_cached_answer(app, req, run.id, "application/json", resp) ||
	    data_end_of(app, &run, &end, resp) != 0)
		return;
	struct result_accuracy *rows;
	int n;
	enum db_status st = history_accuracy(app->db, run.id, p.channel, metric, window, &rows, &n);
	if (st != DB_OK)
		return api_database_failure(app, st, resp);
	if (n > 0 || !api_channel_not_in_run(app, run.id, &p, resp)) {
		struct json_object *out = answer_head(&run, end, accuracy_about), *list = json_object_new_array();
		for (int i = 0; i < n; i++)
			json_object_array_add(list, accuracy_json(&rows[i]));
		json_object_object_add(out, "accuracy", list);
		response_json(resp, 200, out);
		api_keep_answer(app, req, run.id, resp);
	}
	free(rows);
}

/* --- GET /anomalies/data --------------------------------------------------------- */

static const char anomalies_about[] =
	"days whose actual fell outside the 95% band of the forecast made before them with the "
	"shortest lead (lead_days, by run forecast_run_id); z = (actual - forecast) in the "
	"forecast's standard deviations (null: a band of no width)";

static struct json_object *anomaly_json(const struct result_anomaly *r)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "channel", json_object_new_string(r->channel));
	json_object_object_add(o, "metric", json_object_new_string(result_metric_names[r->metric]));
	json_object_object_add(o, "day", day_json(r->day));
	json_object_object_add(o, "direction", json_object_new_string(r->direction > 0 ? "up" : "down"));
	json_object_object_add(o, "actual", api_number(r->actual));
	json_object_object_add(o, "forecast", api_number(r->forecast));
	json_object_object_add(o, "lower_95", api_number(r->lower_95));
	json_object_object_add(o, "upper_95", api_number(r->upper_95));
	json_object_object_add(o, "z", api_number(r->z));
	json_object_object_add(o, "lead_days", json_object_new_int(r->lead_days));
	json_object_object_add(o, "forecast_run_id", json_object_new_int64(r->forecast_run_id));
	return o;
}

void api_anomalies(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", "metric", "days", NULL };
	int metric, days = 30;
	if (metric_param(req, &metric, resp) != 0 ||
	    api_int_param(req, "days", 1, ANOMALY_DAYS_MAX, &days, resp) != 0)
		return;
	struct params p;
	struct run_ref run;
	long end;
	if (api_begin_data(app, req, allowed, "anomalies", &p, &run, resp) != 0 ||
	    api_cached_answer(app, req, run.id, "application/json", resp) ||
	    data_end_of(app, &run, &end, resp) != 0)
		return;
	struct result_anomaly *rows = NULL;
	int n = 0;
	enum db_status st = end < 0 ? DB_OK
				    : history_anomalies(app->db, run.id, p.channel, metric, end - days + 1,
							&rows, &n);
	if (st != DB_OK)
		return api_database_failure(app, st, resp);
	struct json_object *out = answer_head(&run, end, anomalies_about), *list = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(list, anomaly_json(&rows[i]));
	json_object_object_add(out, "days", json_object_new_int(days));
	json_object_object_add(out, "anomalies", list);
	response_json(resp, 200, out);
	api_keep_answer(app, req, run.id, resp);
	free(rows);
}

/* --- GET /budget-recommendation/history --------------------------------------------- */

static const char history_about[] =
	"the budget plans of the days' runs whose data ended in the last `days` days, each against the days that followed it (up to follow_days): the mean "
	"daily spend and revenue that came per channel, the plan's curve at that spend and at the "
	"spend it started from, whether spend moved toward the advice, and for the plan the share "
	"of the advised moves made (followed) and whether it paid: net_gain = revenue that came - "
	"what the old split would have brought by the curves (scaled by how far off they were on "
	"what was spent) - the spend added, per day";

/* The channels' daily spend and revenue over a range of days. */
struct actuals {
	long first, days;
	int n, cap, failed;
	char (*names)[RESULT_CHANNEL_MAX + 1];
	double *spend, *revenue; /* [n][days]; 0 where a channel had no row */
};

static int add_channel_day(void *ctx, const struct channel_day *d)
{
	struct actuals *a = ctx;
	if (a->n == 0 || strcmp(a->names[a->n - 1], d->channel) != 0) {
		if (a->n == a->cap) {
			int cap = a->cap ? 2 * a->cap : 16;
			void *names = realloc(a->names, sizeof *a->names * (size_t)cap);
			if (names != NULL)
				a->names = names;
			double *spend = realloc(a->spend, sizeof(double) * (size_t)cap * (size_t)a->days);
			if (spend != NULL)
				a->spend = spend;
			double *revenue = realloc(a->revenue, sizeof(double) * (size_t)cap * (size_t)a->days);
			if (revenue != NULL)
				a->revenue = revenue;
			if (names == NULL || spend == NULL || revenue == NULL)
				return a->failed = 1;
			a->cap = cap;
		}
		snprintf(a->names[a->n], sizeof a->names[0], "%s", d->channel);
		/* A day without a row: nothing was spent or earned. */
		for (long i = 0; i < a->days; i++)
			a->spend[a->n * a->days + i] = a->revenue[a->n * a->days + i] = 0;
		a->n++;
	}
	long i = d->day - a->first;
	if (i >= 0 && i < a->days) { /* NaN: rows that did not report it */
		a->spend[(a->n - 1) * a->days + i] = d->spend;
		a->revenue[(a->n - 1) * a->days + i] = d->revenue;
	}
	return 0;
}

static void actuals_free(struct actuals *a)
{
	free(a->names);
	free(a->spend);
	free(a->revenue);
}

/* The mean of the known values of v[from .. to] (NaN: none). */
static double mean_known(const double *v, long from, long to)
{
	double sum = 0;
	long known = 0;
	for (long d = from; d <= to; d++)
		if (isfinite(v[d])) {
			sum += v[d];
			known++;
		}
	return known ? sum / (double)known : NAN;
}

/* The channel's mean daily spend and revenue over days from .. to, of the
 * days that reported them; a channel with no row then spent nothing. */
static void follow_means(const struct actuals *a, const char *channel, long from, long to,
			 double *spend, double *revenue)
{
	*spend = *revenue = NAN;
	if (to < from)
		return;
	*spend = *revenue = 0;
	for (int c = 0; c < a->n; c++)
		if (strcmp(a->names[c], channel) == 0) {
			*spend = mean_known(a->spend + c * a->days, from - a->first, to - a->first);
			*revenue = mean_known(a->revenue + c * a->days, from - a->first, to - a->first);
		}
}

/* The plans being turned into JSON, one channel row at a time. */
struct plans_answer {
	const struct actuals *actuals;
	long end; /* the last day of data */
	struct json_object *plans;
	long long run_id; /* of the plan being built */
	struct prediction_daily_plan head;
	struct outcome_channel *rows;
	int n, cap, failed;
};

static struct json_object *outcome_channel_json(const struct outcome_channel *c)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "channel", json_object_new_string(c->channel));
	json_object_object_add(o, "current", api_number(c->current));
	json_object_object_add(o, "recommended", api_number(c->recommended));
	json_object_object_add(o, "actual_spend", api_number(c->actual_spend));
	json_object_object_add(o, "revenue_actual", api_number(c->revenue_actual));
	json_object_object_add(o, "revenue_predicted_at_actual", api_number(c->revenue_predicted_at_actual));
	json_object_object_add(o, "revenue_predicted_at_current", api_number(c->revenue_predicted_at_current));
	json_object_object_add(o, "moved", json_object_new_string(outcome_move_names[c->moved]));
	return o;
}

static struct json_object *outcome_plan_json(const struct outcome_plan *p)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "current", api_number(p->current));
	json_object_object_add(o, "recommended", api_number(p->recommended));
	json_object_object_add(o, "actual_spend", api_number(p->actual_spend));
	json_object_object_add(o, "revenue_actual", api_number(p->revenue_actual));
	json_object_object_add(o, "revenue_predicted_at_actual", api_number(p->revenue_predicted_at_actual));
	json_object_object_add(o, "revenue_if_unchanged", api_number(p->revenue_if_unchanged));
	json_object_object_add(o, "followed", api_number(p->followed));
	json_object_object_add(o, "net_gain", api_number(p->net_gain));
	json_object_object_add(o, "paid", p->paid < 0 ? NULL : json_object_new_boolean(p->paid));
	json_object_object_add(o, "verdict", json_object_new_string(p->verdict));
	return o;
}

/* The plan read so far is complete: its JSON. */
static void plan_done(struct plans_answer *a)
{
	if (a->n == 0)
		return;
	const struct prediction_daily_plan *h = &a->head;
	long from = h->data_end + 1, to = h->data_end + OUTCOME_FOLLOW_DAYS;
	if (to > a->end)
		to = a->end;
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();
	json_object_object_add(o, "run_id", json_object_new_int64(h->run_id));
	json_object_object_add(o, "day", day_json(h->daily_for));
	json_object_object_add(o, "data_end", day_json(h->data_end));
	json_object_object_add(o, "days_observed", json_object_new_int(to >= from ? (int)(to - from + 1) : 0));
	for (int i = 0; i < a->n; i++)
		json_object_array_add(list, outcome_channel_json(&a->rows[i]));
	json_object_object_add(o, "channels", list);
	struct outcome_plan totals;
	outcome_plan(a->rows, a->n, &totals);
	json_object_object_add(o, "totals", outcome_plan_json(&totals));
	json_object_array_add(a->plans, o);
	a->n = 0;
}

static int add_plan_row(void *ctx, const struct prediction_daily_plan *r)
{
	struct plans_answer *a = ctx;
	if (r->run_id != a->run_id) {
		plan_done(a);
		a->run_id = r->run_id;
		a->head = *r;
	}
	if (a->n == a->cap) {
		int cap = a->cap ? 2 * a->cap : 16;
		struct outcome_channel *grown = realloc(a->rows, sizeof *grown * (size_t)cap);
		if (grown == NULL)
			return a->failed = 1;
		a->rows = grown;
		a->cap = cap;
	}
	long from = r->data_end + 1, to = r->data_end + OUTCOME_FOLLOW_DAYS;
	double spend, revenue;
	follow_means(a->actuals, r->budget.channel, from, to > a->end ? a->end : to, &spend, &revenue);
	outcome_channel(&r->budget, spend, revenue, &a->rows[a->n++]);
	return 0;
}

void api_budget_history(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", "days", NULL };
	int days = 90;
	if (api_int_param(req, "days", 1, PLAN_DAYS_MAX, &days, resp) != 0)
		return;
	struct params p;
	struct run_ref run;
	long end;
	if (api_begin_data(app, req, allowed, "plans", &p, &run, resp) != 0 ||
	    api_cached_answer(app, req, run.id, "application/json", resp) ||
	    data_end_of(app, &run, &end, resp) != 0)
		return;
	struct actuals actuals = { end - days + 1, days + OUTCOME_FOLLOW_DAYS, 0, 0, 0, NULL, NULL, NULL };
	struct plans_answer a = { &actuals, end, json_object_new_array(), -1, { 0 }, NULL, 0, 0, 0 };
	enum db_status st = DB_OK;
	if (end >= 0) {
		st = campaigns_channel_days(app->db, actuals.first, end, add_channel_day, &actuals);
		if (st == DB_OK && actuals.failed)
			st = DB_ERROR;
		if (st == DB_OK)
			st = prediction_daily_plans(app->db, JOB, end - days + 1, end, p.channel, add_plan_row, &a);
		if (st == DB_OK && a.failed)
			st = DB_ERROR;
		if (st == DB_OK)
			plan_done(&a);
	}
	actuals_free(&actuals);
	free(a.rows);
	if (st != DB_OK) {
		json_object_put(a.plans);
		return api_database_failure(app, st, resp);
	}
	struct json_object *out = answer_head(&run, end, history_about);
	json_object_object_add(out, "follow_days", json_object_new_int(OUTCOME_FOLLOW_DAYS));
	json_object_object_add(out, "plans", a.plans);
	response_json(resp, 200, out);
	api_keep_answer(app, req, run.id, resp);
}
