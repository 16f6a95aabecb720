/*
 * api_ml: the latest run's ROI forecast and its two time series as JSON,
 * and POST /sync-now.
 *
 * Every answer is built once per run and worker from typed results
 * (db/predictions) and kept (api_data): the same request again costs no
 * database round trip.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_data.h"
#include "handlers.h"
#include "log.h"
#include "ml_sync.h"
#include "predictions.h"
#include "response.h"

/* --- GET /roi-forecast/data ------------------------------------------------ */

static const char forecast_about[] =
	"ROI = (revenue - spend) / spend over the horizon, from forecasts of revenue and of the "
	"spend of campaigns that report revenue; bounds from the revenue forecast's 80% and 95% "
	"intervals summed over the horizon (conservative); backtest sMAPE of the revenue model "
	"beside seasonal naive";

/* Sums of the first days of the horizon, per channel, from the daily
 * forecasts (revenue bounds recovered from the ROI bounds: revenue =
 * (roi + 1) x spend). */
struct horizon_sums {
	struct result_roi_forecast *rows;
	int n, days;
	long first_day; /* the first forecast day of the channel being read */
	char channel[RESULT_CHANNEL_MAX + 1];
	double spend, revenue[5];
};

static struct result_roi_forecast *find_forecast(struct horizon_sums *h, const char *channel)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->rows[i].channel, channel) == 0)
			return &h->rows[i];
	return NULL;
}

/* The channel read so far: its ROI over the shorter horizon. */
static void horizon_done(struct horizon_sums *h)
{
	struct result_roi_forecast *r = find_forecast(h, h->channel);
	if (r == NULL || *h->channel == '\0')
		return;
	double *roi[] = { &r->roi, &r->roi_lower_80, &r->roi_upper_80, &r->roi_lower_95, &r->roi_upper_95 };
	for (int k = 0; k < 5; k++)
		*roi[k] = h->spend > 0 ? h->revenue[k] / h->spend - 1 : NAN;
	r->spend = h->spend;
	r->revenue = h->revenue[0];
	r->horizon_days = h->days;
}

static int add_horizon_day(void *ctx, const char *channel, const struct result_roi_day *d)
{
	struct horizon_sums *h = ctx;
	if (strcmp(channel, h->channel) != 0) {
		horizon_done(h);
		snprintf(h->channel, sizeof h->channel, "%s", channel);
		h->spend = 0;
		memset(h->revenue, 0, sizeof h->revenue);
		h->first_day = -1;
	}
	if (!d->forecast)
		return 0;
	if (h->first_day < 0)
		h->first_day = d->day;
	if (d->day >= h->first_day + h->days)
		return 0;
	const double roi[5] = { d->roi, d->roi_lower_80, d->roi_upper_80, d->roi_lower_95, d->roi_upper_95 };
	h->spend += isfinite(d->spend) ? d->spend : 0;
	h->revenue[0] += isfinite(d->revenue) ? d->revenue : 0;
	for (int k = 1; k < 5; k++)
		if (isfinite(roi[k]) && isfinite(d->spend))
			h->revenue[k] += (roi[k] + 1) * d->spend;
	return 0;
}

/* ROI over the first days of the horizon instead of all of it. */
static enum db_status shorter_horizon(struct app *app, long long run, const struct params *p,
				      struct result_roi_forecast *rows, int n)
{
	struct horizon_sums h = { rows, n, p->days, -1, "", 0, { 0 } };
	enum db_status st = prediction_roi_days(app->db, run, p->channel, 1, add_horizon_day, &h);
	if (st == DB_OK)
		horizon_done(&h);
	return st;
}

static struct json_object *text_or_null(const char *s)
{
	return *s ? json_object_new_string(s) : NULL;
}

static struct json_object *forecast_json(const struct result_roi_forecast *r)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "channel", json_object_new_string(r->channel));
	json_object_object_add(o, "predicted_roi", api_number(r->roi));
	json_object_object_add(o, "roi_lower_80", api_number(r->roi_lower_80));
	json_object_object_add(o, "roi_upper_80", api_number(r->roi_upper_80));
	json_object_object_add(o, "roi_lower_95", api_number(r->roi_lower_95));
	json_object_object_add(o, "roi_upper_95", api_number(r->roi_upper_95));
	json_object_object_add(o, "predicted_spend", api_number(r->spend));
	json_object_object_add(o, "predicted_revenue", api_number(r->revenue));
	json_object_object_add(o, "model", text_or_null(r->model));
	json_object_object_add(o, "backtest_smape", api_number(r->backtest_smape));
	json_object_object_add(o, "baseline_smape", api_number(r->baseline_smape));
	json_object_object_add(o, "backtest_mase", api_number(r->backtest_mase));
	json_object_object_add(o, "note", text_or_null(r->note));
	return o;
}

static void forecast_answer(const struct run_ref *run, const struct result_roi_forecast *rows, int n,
			    int horizon, struct response *resp)
{
	struct json_object *list = json_object_new_array(), *lacking = json_object_new_array();
	for (int i = 0; i < n; i++) {
		json_object_array_add(list, forecast_json(&rows[i]));
		if (strstr(rows[i].note, "revenue") != NULL)
			json_object_array_add(lacking, json_object_new_string(rows[i].channel));
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", api_run_json(run));
	json_object_object_add(out, "horizon_days", json_object_new_int(horizon));
	json_object_object_add(out, "channels", list);
	json_object_object_add(out, "channels_without_revenue", lacking);
	json_object_object_add(out, "about", json_object_new_string(forecast_about));
	response_json(resp, 200, out);
}

void api_roi_forecast(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", "days", NULL };
	struct params p;
	struct run_ref run;
	if (api_begin_data(app, req, allowed, "channels", &p, &run, resp) != 0 ||
	    api_cached_answer(app, req, run.id, "application/json", resp))
		return;
	struct result_roi_forecast *rows;
	int n;
	enum db_status st = prediction_forecasts(app->db, run.id, p.channel, &rows, &n);
	if (st != DB_OK)
		return api_database_failure(app, st, resp);
	int horizon = n > 0 ? rows[0].horizon_days : 0;
	if (!api_unknown_channel(&p, n, resp)) {
		if (p.days && p.days < horizon) {
			st = shorter_horizon(app, run.id, &p, rows, n);
			horizon = p.days;
		}
		if (st != DB_OK)
			api_database_failure(app, st, resp);
		else {
			forecast_answer(&run, rows, n, horizon, resp);
			api_keep_answer(app, req, run.id, resp);
		}
	}
	free(rows);
}

/* --- GET /roi-timeseries/data and /reach-ctr/data ------------------------- */

/* One table's daily values as JSON names and numbers, in a fixed order. */
#define SERIES_MAX_KEYS 16
struct series_shape {
	const char *const *keys;        /* names of the values */
	int nkeys;
	const char *const *lacking;     /* values whose absence is reported per channel */
	const char *about;
};

/* The answer being built, one row at a time. */
struct series_answer {
	const struct series_shape *shape;
	struct json_object *list, *points, *without;
	char channel[RESULT_CHANNEL_MAX + 1];
	unsigned seen; /* bit i: value i was there on an actual day of the channel */
	int rows;
};

/* The channel read so far ended: list it under what it never had. */
static void series_channel_done(struct series_answer *a)
{
	if (a->points == NULL)
		return;
	for (const char *const *m = a->shape->lacking; *m; m++)
		for (int i = 0; i < a->shape->nkeys; i++)
			if (strcmp(a->shape->keys[i], *m) == 0 && !(a->seen & (1u << i)))
				json_object_array_add(json_object_object_get(a->without, *m),
						      json_object_new_string(a->channel));
	a->seen = 0;
}

static void series_add_day(struct series_answer *a, const char *channel, long day, int forecast,
			   const double *values, int upper_bound_key, int upper_bound)
{
	if (a->points == NULL || strcmp(a->channel, channel) != 0) {
		series_channel_done(a);
		struct json_object *s = json_object_new_object();
		json_object_object_add(s, "channel", json_object_new_string(channel));
		a->points = json_object_new_array();
		json_object_object_add(s, "points", a->points);
		json_object_array_add(a->list, s);
		snprintf(a->channel, sizeof a->channel, "%s", channel);
	}
	char text[16];
	time_t t = (time_t)day * 86400;
	struct tm utc;
	gmtime_r(&t, &utc);
	strftime(text, sizeof text, "%Y-%m-%d", &utc);
	struct json_object *pt = json_object_new_object();
	json_object_object_add(pt, "day", json_object_new_string(text));
	json_object_object_add(pt, "kind", json_object_new_string(forecast ? "forecast" : "actual"));
	for (int i = 0; i < a->shape->nkeys; i++) {
		if (i == upper_bound_key) {
			json_object_object_add(pt, a->shape->keys[i], json_object_new_boolean(upper_bound));
		} else if (isfinite(values[i])) {
			json_object_object_add(pt, a->shape->keys[i], api_number(values[i]));
			if (!forecast)
				a->seen |= 1u << i;
		}
	}
	json_object_array_add(a->points, pt);
	a->rows++;
}

static int add_roi_day(void *ctx, const char *channel, const struct result_roi_day *d)
{
	const double v[] = { d->spend, d->revenue, d->roi, d->roi_lower_80, d->roi_upper_80,
			     d->roi_lower_95, d->roi_upper_95, d->conversions, d->conversions_lower_80,
			     d->conversions_upper_80, d->conversions_lower_95, d->conversions_upper_95 };
	series_add_day(ctx, channel, d->day, d->forecast, v, -1, 0);
	return 0;
}

static int add_reach_day(void *ctx, const char *channel, const struct result_reach_day *d)
{
	const double v[] = { d->reach, NAN, d->reach_lower_95, d->reach_upper_95, d->impressions,
			     d->impressions_lower_95, d->impressions_upper_95, d->clicks,
			     d->clicks_lower_95, d->clicks_upper_95, d->ctr, d->ctr_lower_95, d->ctr_upper_95 };
	series_add_day(ctx, channel, d->day, d->forecast, v, 1, d->reach_is_upper_bound);
	return 0;
}

static void timeseries(struct app *app, const struct request *req, struct response *resp,
		       const struct series_shape *shape, int reach)
{
	static const char *const allowed[] = { "channel", "days", NULL };
	struct params p;
	struct run_ref run;
	if (api_begin_data(app, req, allowed, "series", &p, &run, resp) != 0 ||
	    api_cached_answer(app, req, run.id, "application/json", resp))
		return;
	struct series_answer a = { shape, json_object_new_array(), NULL, json_object_new_object(), "", 0, 0 };
	for (const char *const *m = shape->lacking; *m; m++)
		json_object_object_add(a.without, *m, json_object_new_array());
	/* days limits the actuals to the last N days; forecasts always come. */
	enum db_status st = reach ? prediction_reach_days(app->db, run.id, p.channel, p.days, add_reach_day, &a)
				  : prediction_roi_days(app->db, run.id, p.channel, p.days, add_roi_day, &a);
	series_channel_done(&a);
	if (st != DB_OK || api_unknown_channel(&p, a.rows, resp)) {
		json_object_put(a.list);
		json_object_put(a.without);
		if (st != DB_OK)
			api_database_failure(app, st, resp);
		return;
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", api_run_json(&run));
	json_object_object_add(out, "series", a.list);
	json_object_object_add(out, "channels_without", a.without);
	json_object_object_add(out, "about", json_object_new_string(shape->about));
	response_json(resp, 200, out);
	api_keep_answer(app, req, run.id, resp);
}

void api_roi_timeseries(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const keys[] = { "spend", "revenue", "roi", "roi_lower_80", "roi_upper_80",
					    "roi_lower_95", "roi_upper_95", "conversions",
					    "conversions_lower_80", "conversions_upper_80",
					    "conversions_lower_95", "conversions_upper_95" };
	static const char *const lacking[] = { "revenue", "conversions", NULL };
	static const struct series_shape shape = {
		keys, 12, lacking,
		"daily ROI from revenue and the spend of campaigns that report revenue (a missing "
		"value means unknown, not zero); forecast bounds from the revenue forecast" };
	timeseries(app, req, resp, &shape, 0);
}

void api_reach_ctr(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const keys[] = { "reach", "reach_is_upper_bound", "reach_lower_95",
					    "reach_upper_95", "impressions", "impressions_lower_95",
					    "impressions_upper_95", "clicks", "clicks_lower_95",
					    "clicks_upper_95", "ctr", "ctr_lower_95", "ctr_upper_95" };
	static const char *const lacking[] = { "reach", "impressions", "clicks", NULL };
	static const struct series_shape shape = {
		keys, 13, lacking,
		"reach is counted by the platforms per day and campaign: summed over campaigns or "
		"channels it counts people more than once (reach_is_upper_bound), and it is never "
		"summed across days; CTR = clicks / impressions of campaigns that report clicks, "
		"absent where clicks are unknown" };
	timeseries(app, req, resp, &shape, 1);
}

/* --- POST /sync-now ----------------------------------------------------------- */

void api_sync_now(struct app *app, const struct request *req, struct response *resp)
{
	(void)req;
	struct ml_summary sum;
	enum ml_result rc = ml_sync_run(app->db, app->cfg, RUN_MANUAL, NULL, NULL, &sum);
	if (rc == ML_BUSY || rc == ML_SLOT_TAKEN) {
		struct json_object *err = json_object_new_object(), *out = json_object_new_object();
		json_object_object_add(err, "code", json_object_new_string("sync_running"));
		json_object_object_add(err, "message", json_object_new_string(sum.error));
		json_object_object_add(err, "run_id", json_object_new_int64(sum.run_id));
		json_object_object_add(err, "request_id", json_object_new_string(resp->request_id));
		json_object_object_add(out, "error", err);
		response_json(resp, 409, out);
		resp->cache_control = "no-store";
		return;
	}
	if (rc == ML_FAILED) {
		if (sum.db_status == DB_UNAVAILABLE)
			return api_database_failure(app, DB_UNAVAILABLE, resp);
		log_error("sync-now failed: %s", sum.error);
		response_error(resp, 500, "sync_failed",
			       "the ML sync failed; the server log has the cause under request id %s",
			       resp->request_id);
		return;
	}
	struct json_object *o = json_object_new_object(), *rows = json_object_new_object();
	json_object_object_add(o, "run_id", json_object_new_int64(sum.run_id));
	json_object_object_add(o, "status", json_object_new_string("succeeded"));
	json_object_object_add(o, "seconds", api_number(sum.seconds));
	json_object_object_add(o, "rows_read", json_object_new_int64((int64_t)sum.rows_in));
	json_object_object_add(o, "channels", json_object_new_int(sum.channels));
	json_object_object_add(o, "series_fitted", json_object_new_int(sum.series_fitted));
	for (int t = 0; t < PREDICTION_TABLE__MAX; t++)
		json_object_object_add(rows, prediction_table_names[t], json_object_new_int64((int64_t)sum.rows_written[t]));
	json_object_object_add(o, "rows_written", rows);
	response_json(resp, 200, o);
	resp->cache_control = "no-store";
}

