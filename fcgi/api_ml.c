/*
 * api_ml: the four dashboards' data (latest succeeded ML run), the budget
 * curves, and POST /sync-now.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h" /* transitional: moves into db/ */
#include "allocate.h"
#include "answer_cache.h"
#include "chart_db.h"
#include "handlers.h"
#include "log.h"
#include "query.h"
#include "response.h"
#include "ml_sync.h"

#define MAX_CHANNELS 256

struct run_ref {
	long long id; /* 0: no succeeded run yet */
	char finished_at[32];
};

/* --- parameters ------------------------------------------------------------- */

struct params {
	int days;          /* actual days shown, 0: all stored */
	char channel[65];  /* "" for every channel */
	double total;      /* budget: daily total, < 0: current */
	double target_roi; /* budget: NaN when not asked */
	char freeze[512];  /* budget: comma-separated channels */
	double lower_ratio, upper_ratio; /* budget: bounds relative to current spend; < 0: stored */
};

/* A whole number from lo to hi, when the parameter is there; *out stays as
 * it was when it is not. */
static int read_int_param(const struct request *req, const char *name, int lo, int hi, int *out,
			  struct response *resp)
{
	char value[32];
	int rc = query_get(req->query, name, value, sizeof value);
	if (rc == 0)
		return 0;
	char *end;
	long v = strtol(value, &end, 10);
	if (rc < 0 || *value == '\0' || *end != '\0' || v < lo || v > hi) {
		response_error(resp, 400, "bad_parameter", "parameter '%s' must be a whole number from %d to %d",
			       name, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* A number of at least min, when the parameter is there; *out stays as it
 * was when it is not. must says what it must be, for the 400. */
static int read_number_param(const struct request *req, const char *name, double min, double *out,
			     const char *must, struct response *resp)
{
	char value[64];
	int rc = query_get(req->query, name, value, sizeof value);
	if (rc == 0)
		return 0;
	char *end;
	double v = strtod(value, &end);
	if (rc < 0 || *value == '\0' || *end != '\0' || !(v >= min) || !isfinite(v)) {
		response_error(resp, 400, "bad_parameter", "parameter '%s' must be %s", name, must);
		return -1;
	}
	*out = v;
	return 0;
}

/* Validates the query against the parameters a route takes; sets a 400
 * naming the parameter on failure. */
static int read_params(const struct request *req, const char *const *allowed, struct params *p,
		       struct response *resp)
{
	char name[64], value[512];
	memset(p, 0, sizeof *p);
	p->total = -1;
	p->target_roi = NAN;
	p->lower_ratio = p->upper_ratio = -1;
	if (query_unknown(req->query, allowed, name, sizeof name)) {
		response_error(resp, 400, "bad_parameter", "unknown parameter '%s'", name);
		return -1;
	}
	if (read_int_param(req, "days", 1, 730, &p->days, resp) != 0)
		return -1;
	int rc;
	if ((rc = query_get(req->query, "channel", value, sizeof value)) != 0) {
		if (rc < 0 || *value == '\0' || strlen(value) > 64) {
			response_error(resp, 400, "bad_parameter",
				       "parameter 'channel' must name a channel (1 to 64 bytes)");
			return -1;
		}
		snprintf(p->channel, sizeof p->channel, "%.64s", value);
	}
	if (read_number_param(req, "total", 0, &p->total, "a daily amount of 0 or more", resp) != 0 ||
	    read_number_param(req, "target_roi", -1, &p->target_roi, "a number of -1 or more", resp) != 0)
		return -1;
	if ((rc = query_get(req->query, "bounds", value, sizeof value)) != 0) {
		char *end;
		p->lower_ratio = strtod(value, &end);
		if (rc > 0 && *end == ',')
			p->upper_ratio = strtod(end + 1, &end);
		if (rc < 0 || *end != '\0' || !(p->lower_ratio >= 0) || !(p->upper_ratio >= p->lower_ratio) ||
		    !isfinite(p->upper_ratio)) {
			response_error(resp, 400, "bad_parameter",
				       "parameter 'bounds' must be LOWER,UPPER ratios of current spend, e.g. 0.5,2");
			return -1;
		}
	}
	if ((rc = query_get(req->query, "freeze", p->freeze, sizeof p->freeze)) < 0) {
		response_error(resp, 400, "bad_parameter", "parameter 'freeze' is malformed");
		return -1;
	}
	return 0;
}

/* --- reading ---------------------------------------------------------------- */

static enum db_status latest_run(struct app *app, struct run_ref *run)
{
	MYSQL_RES *res;
	memset(run, 0, sizeof *run);
	enum db_status st = db_query(app->db,
		"SELECT id, DATE_FORMAT(finished_at, '%Y-%m-%dT%H:%i:%sZ') FROM ml_runs"
		" WHERE job = 'ml_sync' AND status = 'succeeded' ORDER BY id DESC LIMIT 1", &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL) {
		run->id = atoll(row[0]);
		snprintf(run->finished_at, sizeof run->finished_at, "%s", row[1] ? row[1] : "");
	}
	mysql_free_result(res);
	return DB_OK;
}

static struct json_object *run_json(const struct run_ref *run)
{
	if (run->id == 0)
		return NULL;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(run->id));
	json_object_object_add(o, "finished_at", json_object_new_string(run->finished_at));
	return o;
}

/* A stored number: NULL stays null. */
static struct json_object *num(const char *text)
{
	if (text == NULL)
		return NULL;
	double v = strtod(text, NULL);
	return isfinite(v) ? json_object_new_double_s(v, text) : NULL;
}

static struct json_object *dnum(double v)
{
	if (!isfinite(v))
		return NULL;
	char text[64];
	snprintf(text, sizeof text, "%.6g", v);
	return json_object_new_double_s(v, text);
}

/* Runs "select_from WHERE run_id = <run> [AND extra] [AND channel = ...] order". */
static enum db_status select_rows(struct app *app, const char *select_from, long long run,
				  const char *extra, const char *channel, const char *order,
				  MYSQL_RES **res)
{
	char escaped[140] = "", sql[2048];
	MYSQL *conn = db_mysql(app->db);
	if (*channel && conn != NULL)
		mysql_real_escape_string(conn, escaped, channel, (unsigned long)strlen(channel));
	snprintf(sql, sizeof sql, "%s WHERE run_id = %lld%s%s%s%s %s", select_from, run, extra,
		 *channel ? " AND channel = '" : "", escaped, *channel ? "'" : "", order);
	return db_query(app->db, sql, res);
}

/* Answers for "no run yet" and "no such channel". */
static int no_run(const struct run_ref *run, struct response *resp, const char *list)
{
	if (run->id != 0)
		return 0;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "run", NULL);
	json_object_object_add(o, list, json_object_new_array());
	json_object_object_add(o, "hint", json_object_new_string(
		"no ML run yet: import campaign data, then POST /api/ml-dashboard/sync-now"));
	response_json(resp, 200, o);
	return 1;
}

/* The start every data handler shares: the parameters, then the latest run.
 * Returns 0 to go on, or -1 with the response (an error, or an empty list
 * named list when there is no run yet) already written. */
static int begin_request(struct app *app, const struct request *req, const char *const *allowed,
			 const char *list, struct params *p, struct run_ref *run, struct response *resp)
{
	if (read_params(req, allowed, p, resp) != 0)
		return -1;
	enum db_status st = latest_run(app, run);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	return no_run(run, resp, list) ? -1 : 0;
}

static int unknown_channel(const struct params *p, int rows, struct response *resp)
{
	if (*p->channel == '\0' || rows > 0)
		return 0;
	response_error(resp, 400, "bad_parameter",
		       "parameter 'channel': '%s' is not a channel of the latest run", p->channel);
	return 1;
}

/* --- GET /roi-forecast/data ------------------------------------------------ */

/*
 * ROI over the first `days` days of the horizon instead of all of it, from
 * the stored daily forecasts of revenue and spend (revenue bounds recovered
 * from the ROI bounds: revenue = (roi + 1) x spend). Replaces the ROI fields
 * of each channel in list.
 */
static enum db_status shorter_horizon(struct app *app, long long run, const struct params *p,
				      struct json_object *list)
{
	char extra[200];
	snprintf(extra, sizeof extra,
		 " AND kind = 'forecast' AND day < (SELECT MIN(day) FROM ml_roi_timeseries WHERE"
		 " run_id = %lld AND kind = 'forecast') + INTERVAL %d DAY", run, p->days);
	MYSQL_RES *res;
	enum db_status st = select_rows(app,
		"SELECT channel, SUM(spend), SUM(revenue), SUM((roi_lower_80 + 1) * spend),"
		" SUM((roi_upper_80 + 1) * spend), SUM((roi_lower + 1) * spend),"
		" SUM((roi_upper + 1) * spend) FROM ml_roi_timeseries", run, extra, p->channel,
		"GROUP BY channel", &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *o = json_object_array_get_idx(list, i);
			if (strcmp(json_object_get_string(json_object_object_get(o, "channel")), row[0]) != 0)
				continue;
			double spend = row[1] ? atof(row[1]) : NAN;
			static const char *const keys[] = { "predicted_roi", "roi_lower_80", "roi_upper_80",
							    "roi_lower_95", "roi_upper_95" };
			for (int k = 0; k < 5; k++) {
				double rev = row[2 + k] ? atof(row[2 + k]) : NAN;
				json_object_object_add(o, keys[k], spend > 0 ? dnum(rev / spend - 1) : NULL);
			}
			json_object_object_add(o, "predicted_spend", dnum(spend));
			json_object_object_add(o, "predicted_revenue", row[2] ? dnum(atof(row[2])) : NULL);
		}
	}
	mysql_free_result(res);
	return DB_OK;
}

void api_roi_forecast(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", "days", NULL };
	struct params p;
	struct run_ref run;
	MYSQL_RES *res;
	enum db_status st;
	if (begin_request(app, req, allowed, "channels", &p, &run, resp) != 0)
		return;
	st = select_rows(app,
		"SELECT channel, horizon_days, predicted_roi, roi_lower_80, roi_upper_80, roi_lower,"
		" roi_upper, predicted_spend, predicted_revenue, model, backtest_smape, baseline_smape,"
		" backtest_mase, note FROM ml_roi_forecast", run.id, "", p.channel,
		"ORDER BY channel = 'all', predicted_roi DESC", &res);
	if (st != DB_OK)
		return api_database_failure(app, st, resp);
	struct json_object *list = json_object_new_array(), *lacking = json_object_new_array();
	int horizon = 0, rows = 0;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		struct json_object *o = json_object_new_object();
		static const char *const keys[] = { "channel", NULL, "predicted_roi", "roi_lower_80",
						    "roi_upper_80", "roi_lower_95", "roi_upper_95",
						    "predicted_spend", "predicted_revenue", "model",
						    "backtest_smape", "baseline_smape", "backtest_mase", "note" };
		horizon = atoi(row[1]);
		for (int i = 0; i < 14; i++) {
			if (keys[i] == NULL)
				continue;
			int text = i == 0 || i == 9 || i == 13;
			json_object_object_add(o, keys[i], text ? (row[i] ? json_object_new_string(row[i]) : NULL)
							    : num(row[i]));
		}
		if (row[13] != NULL && strstr(row[13], "revenue"))
			json_object_array_add(lacking, json_object_new_string(row[0]));
		json_object_array_add(list, o);
		rows++;
	}
	mysql_free_result(res);
	if (unknown_channel(&p, rows, resp)) {
		json_object_put(list);
		json_object_put(lacking);
		return;
	}
	if (p.days && p.days < horizon && shorter_horizon(app, run.id, &p, list) != DB_OK) {
		json_object_put(list);
		json_object_put(lacking);
		return api_database_failure(app, DB_UNAVAILABLE, resp);
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", run_json(&run));
	json_object_object_add(out, "horizon_days", json_object_new_int(p.days && p.days < horizon ? p.days : horizon));
	json_object_object_add(out, "channels", list);
	json_object_object_add(out, "channels_without_revenue", lacking);
	json_object_object_add(out, "about", json_object_new_string(
		"ROI = (revenue - spend) / spend over the horizon, from forecasts of revenue and of the "
		"spend of campaigns that report revenue; bounds from the revenue forecast's 80% and 95% "
		"intervals summed over the horizon (conservative); backtest sMAPE of the revenue model "
		"beside seasonal naive"));
	response_json(resp, 200, out);
}

/* --- GET /roi-timeseries/data and /reach-ctr/data ------------------------- */

struct series_query {
	const char *sql;   /* SELECT ... FROM table */
	const char *table;
	const char *const *lacking; /* measures whose absence is reported per channel */
	const char *const *keys; /* JSON names of the columns after channel, day, kind */
	int ncols;
};

static void timeseries(struct app *app, const struct request *req, struct response *resp,
		       const struct series_query *q, const char *about)
{
	static const char *const allowed[] = { "channel", "days", NULL };
	struct params p;
	struct run_ref run;
	MYSQL_RES *res;
	enum db_status st;
	if (begin_request(app, req, allowed, "series", &p, &run, resp) != 0)
		return;
	/* Built once per run and request in each worker: the same answer again
	 * costs one query (the latest run) instead of thousands of rows. */
	char key[1024];
	size_t cached_len;
	int key_len = snprintf(key, sizeof key, "%s?%s", req->path, req->query);
	int cacheable = key_len > 0 && (size_t)key_len < sizeof key;
	const char *cached = cacheable ? answer_cache_get(app->answers, run.id, key, &cached_len) : NULL;
	if (cached != NULL) {
		response_set_body(resp, 200, "application/json", cached, cached_len);
		return;
	}
	/* days limits the actuals to the last N days; forecasts always come. */
	char extra[300] = "";
	if (p.days)
		snprintf(extra, sizeof extra,
			 " AND (kind = 'forecast' OR day > (SELECT MAX(day) FROM %s WHERE run_id = %lld"
			 " AND kind = 'actual') - INTERVAL %d DAY)", q->table, run.id, p.days);
	if ((st = select_rows(app, q->sql, run.id, extra, p.channel,
			      "ORDER BY channel = 'all' DESC, channel, day, kind", &res)) != DB_OK)
		return api_database_failure(app, st, resp);
	struct json_object *list = json_object_new_array(), *points = NULL;
	struct json_object *without = json_object_new_object();
	for (const char *const *m = q->lacking; *m; m++)
		json_object_object_add(without, *m, json_object_new_array());
	unsigned seen = 0; /* bit i: key i had a value in the current series */
	char current[65] = "";
	int rows = 0;
	MYSQL_ROW row;
	for (;;) {
		row = mysql_fetch_row(res);
		if (points != NULL && (row == NULL || strcmp(current, row[0]) != 0)) {
			/* The previous series ended: list it under what it never had. */
			for (const char *const *m = q->lacking; *m; m++)
				for (int i = 0; i < q->ncols; i++)
					if (strcmp(q->keys[i], *m) == 0 && !(seen & (1u << i)))
						json_object_array_add(json_object_object_get(without, *m),
								      json_object_new_string(current));
			seen = 0;
		}
		if (row == NULL)
			break;
		if (points == NULL || strcmp(current, row[0]) != 0) {
			struct json_object *s = json_object_new_object();
			json_object_object_add(s, "channel", json_object_new_string(row[0]));
			points = json_object_new_array();
			json_object_object_add(s, "points", points);
			json_object_array_add(list, s);
			snprintf(current, sizeof current, "%s", row[0]);
		}
		struct json_object *pt = json_object_new_object();
		json_object_object_add(pt, "day", json_object_new_string(row[1]));
		json_object_object_add(pt, "kind", json_object_new_string(row[2]));
		for (int i = 0; i < q->ncols; i++) {
			if (strcmp(q->keys[i], "reach_is_upper_bound") == 0)
				json_object_object_add(pt, q->keys[i], json_object_new_boolean(row[3 + i] && atoi(row[3 + i])));
			else if (row[3 + i] != NULL) {
				json_object_object_add(pt, q->keys[i], num(row[3 + i]));
				if (strcmp(row[2], "actual") == 0)
					seen |= 1u << i;
			}
		}
		json_object_array_add(points, pt);
		rows++;
	}
	mysql_free_result(res);
	if (unknown_channel(&p, rows, resp)) {
		json_object_put(list);
		json_object_put(without);
		return;
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", run_json(&run));
	json_object_object_add(out, "series", list);
	json_object_object_add(out, "channels_without", without);
	json_object_object_add(out, "about", json_object_new_string(about));
	if (response_json(resp, 200, out) == 0 && resp->status == 200 && cacheable)
		answer_cache_put(app->answers, run.id, key, resp->body, resp->body_len);
}

void api_roi_timeseries(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const keys[] = { "spend", "revenue", "roi", "roi_lower_80", "roi_upper_80",
					    "roi_lower_95", "roi_upper_95", "conversions",
					    "conversions_lower_80", "conversions_upper_80",
					    "conversions_lower_95", "conversions_upper_95" };
	static const char *const lacking[] = { "revenue", "conversions", NULL };
	static const struct series_query q = {
		"SELECT channel, DATE_FORMAT(day, '%Y-%m-%d'), kind, spend, revenue, roi, roi_lower_80,"
		" roi_upper_80, roi_lower, roi_upper, conversions, conversions_lower_80,"
		" conversions_upper_80, conversions_lower, conversions_upper FROM ml_roi_timeseries",
		"ml_roi_timeseries", lacking, keys, 12 };
	timeseries(app, req, resp, &q,
		   "daily ROI from revenue and the spend of campaigns that report revenue (a missing "
		   "value means unknown, not zero); forecast bounds from the revenue forecast");
}

void api_reach_ctr(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const keys[] = { "reach", "reach_is_upper_bound", "reach_lower_95",
					    "reach_upper_95", "impressions", "impressions_lower_95",
					    "impressions_upper_95", "clicks", "clicks_lower_95",
					    "clicks_upper_95", "ctr", "ctr_lower_95", "ctr_upper_95" };
	static const char *const lacking[] = { "reach", "impressions", "clicks", NULL };
	static const struct series_query q = {
		"SELECT channel, DATE_FORMAT(day, '%Y-%m-%d'), kind, reach, reach_is_upper_bound,"
		" reach_lower, reach_upper, impressions, impressions_lower, impressions_upper, clicks,"
		" clicks_lower, clicks_upper, ctr, ctr_lower, ctr_upper FROM ml_reach_ctr_timeseries",
		"ml_reach_ctr_timeseries", lacking, keys, 13 };
	timeseries(app, req, resp, &q,
		   "reach is counted by the platforms per day and campaign: summed over campaigns or "
		   "channels it counts people more than once (reach_is_upper_bound), and it is never "
		   "summed across days; CTR = clicks / impressions of campaigns that report clicks, "
		   "absent where clicks are unknown");
}

/* --- budget ------------------------------------------------------------------ */

struct stored {
	char name[65];
	struct response_curve curve;
	double current, lower, upper, recommended;
};

/* The latest run's channels with their curves and bounds. */
static enum db_status load_budget(struct app *app, long long run, struct stored *ch, int *n)
{
	MYSQL_RES *res;
	enum db_status st = select_rows(app,
		"SELECT channel, current_budget, recommended_budget, lower_bound, upper_bound,"
		" curve_model, curve_beta, curve_k, curve_alpha, adstock_rate, fit_r2, confidence"
		" FROM ml_budget_recommendation", run, "", "", "ORDER BY channel", &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row;
	*n = 0;
	while ((row = mysql_fetch_row(res)) != NULL && *n < MAX_CHANNELS) {
		struct stored *c = &ch[(*n)++];
		memset(c, 0, sizeof *c);
		snprintf(c->name, sizeof c->name, "%s", row[0]);
		c->current = row[1] ? atof(row[1]) : 0;
		c->recommended = row[2] ? atof(row[2]) : c->current;
		c->lower = row[3] ? atof(row[3]) : c->current;
		c->upper = row[4] ? atof(row[4]) : c->current;
		struct response_curve *k = &c->curve;
		/* power laws are stored as beta = a, alpha = b */
		if (row[5] && strcmp(row[5], "hill") == 0 && row[6] && row[7] && row[8]) {
			k->kind = CURVE_HILL, k->beta = atof(row[6]), k->k = atof(row[7]), k->alpha = atof(row[8]);
		} else if (row[5] && strcmp(row[5], "power") == 0 && row[6] && row[8]) {
			k->kind = CURVE_POWER, k->a = atof(row[6]), k->b = atof(row[8]);
		}
		k->adstock = row[9] ? atof(row[9]) : 0;
		k->r2 = row[10] ? atof(row[10]) : 0;
		k->confidence = row[11] && strcmp(row[11], "high") == 0     ? CONFIDENCE_HIGH
				: row[11] && strcmp(row[11], "medium") == 0 ? CONFIDENCE_MEDIUM
									    : CONFIDENCE_LOW;
	}
	mysql_free_result(res);
	return DB_OK;
}

static double roi_of(double revenue, double spend)
{
	return spend > 0 ? (revenue - spend) / spend : NAN;
}

static struct json_object *curve_json(const struct response_curve *k)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(curve_kind_names[k->kind]));
	if (k->kind == CURVE_HILL) {
		json_object_object_add(o, "beta", dnum(k->beta));
		json_object_object_add(o, "k", dnum(k->k));
		json_object_object_add(o, "alpha", dnum(k->alpha));
	} else if (k->kind == CURVE_POWER) {
		json_object_object_add(o, "a", dnum(k->a));
		json_object_object_add(o, "b", dnum(k->b));
	}
	json_object_object_add(o, "adstock", dnum(k->adstock));
	json_object_object_add(o, "r2", dnum(k->r2));
	json_object_object_add(o, "confidence", json_object_new_string(curve_confidence_names[k->confidence]));
	return o;
}

/* Applies freeze, total and target_roi to the stored plan; 400 when a
 * parameter names no channel or the request cannot be met. */
static int reoptimise(struct stored *ch, int n, const struct params *p, struct response *resp)
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
				if (strcmp(ch[i].name, name) == 0) {
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
	struct alloc_channel view[MAX_CHANNELS];
	double spend[MAX_CHANNELS], total = 0;
	for (int i = 0; i < n; i++) {
		view[i] = (struct alloc_channel){ ch[i].name, &ch[i].curve, ch[i].current, ch[i].lower, ch[i].upper };
		total += ch[i].current;
	}
	struct allocation a;
	char err[300];
	int rc = isnan(p->target_roi)
			 ? allocate_max_response(view, n, p->total >= 0 ? p->total : total, spend, &a, err, sizeof err)
			 : allocate_target_roi(view, n, p->target_roi, spend, &a, err, sizeof err);
	if (rc != 0) {
		response_error(resp, 400, "infeasible", "%s (parameter '%s')", err,
			       isnan(p->target_roi) ? "total" : "target_roi");
		return -1;
	}
	for (int i = 0; i < n; i++)
		ch[i].recommended = spend[i];
	return 0;
}

/* begin_request, then the stored budget channels of the run. */
static int begin_budget_request(struct app *app, const struct request *req, const char *const *allowed,
				struct params *p, struct run_ref *run, struct stored *ch, int *n,
				struct response *resp)
{
	if (begin_request(app, req, allowed, "channels", p, run, resp) != 0)
		return -1;
	enum db_status st = load_budget(app, run->id, ch, n);
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
	static struct stored ch[MAX_CHANNELS];
	int n = 0;
	if (begin_budget_request(app, req, allowed, &p, &run, ch, &n, resp) != 0)
		return;
	int shown = 0;
	for (int i = 0; i < n; i++)
		shown += *p.channel == '\0' || strcmp(ch[i].name, p.channel) == 0;
	if (unknown_channel(&p, shown, resp) || reoptimise(ch, n, &p, resp) != 0)
		return;

	struct json_object *list = json_object_new_array();
	double cur = 0, rec = 0, rev_cur = 0, rev_rec = 0;
	for (int i = 0; i < n; i++) {
		const struct stored *c = &ch[i];
		double rc = curve_value(&c->curve, c->current), rr = curve_value(&c->curve, c->recommended);
		cur += c->current, rec += c->recommended, rev_cur += rc, rev_rec += rr;
		if (*p.channel && strcmp(c->name, p.channel) != 0)
			continue;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "channel", json_object_new_string(c->name));
		json_object_object_add(o, "current_daily", dnum(c->current));
		json_object_object_add(o, "recommended_daily", dnum(c->recommended));
		json_object_object_add(o, "current_period_30d", dnum(30 * c->current));
		json_object_object_add(o, "recommended_period_30d", dnum(30 * c->recommended));
		json_object_object_add(o, "change_percent", dnum(c->current > 0 ? 100 * (c->recommended / c->current - 1) : NAN));
		json_object_object_add(o, "lower_daily", dnum(c->lower));
		json_object_object_add(o, "upper_daily", dnum(c->upper));
		json_object_object_add(o, "expected_revenue_current_daily", dnum(rc));
		json_object_object_add(o, "expected_revenue_daily", dnum(rr));
		json_object_object_add(o, "expected_roi_current", dnum(roi_of(rc, c->current)));
		json_object_object_add(o, "expected_roi", dnum(roi_of(rr, c->recommended)));
		json_object_object_add(o, "marginal_roi", c->curve.kind == CURVE_NONE ? NULL
					: dnum(curve_marginal(&c->curve, c->recommended) - 1));
		json_object_object_add(o, "curve", curve_json(&c->curve));
		json_object_array_add(list, o);
	}
	struct json_object *totals = json_object_new_object();
	json_object_object_add(totals, "current_daily", dnum(cur));
	json_object_object_add(totals, "recommended_daily", dnum(rec));
	json_object_object_add(totals, "expected_revenue_current_daily", dnum(rev_cur));
	json_object_object_add(totals, "expected_revenue_daily", dnum(rev_rec));
	json_object_object_add(totals, "expected_roi_current", dnum(roi_of(rev_cur, cur)));
	json_object_object_add(totals, "expected_roi", dnum(roi_of(rev_rec, rec)));
	json_object_object_add(totals, "uplift_daily", dnum(rev_rec - rev_cur));
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", run_json(&run));
	json_object_object_add(out, "channels", list);
	json_object_object_add(out, "totals", totals);
	json_object_object_add(out, "reoptimised", json_object_new_boolean(
		p.total >= 0 || !isnan(p.target_roi) || *p.freeze || p.lower_ratio >= 0));
	response_json(resp, 200, out);
}

void api_budget_curves(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "channel", NULL };
	struct params p;
	struct run_ref run;
	static struct stored ch[MAX_CHANNELS];
	int n = 0;
	if (begin_budget_request(app, req, allowed, &p, &run, ch, &n, resp) != 0)
		return;
	struct json_object *list = json_object_new_array();
	int shown = 0;
	for (int i = 0; i < n; i++) {
		const struct stored *c = &ch[i];
		if (*p.channel && strcmp(c->name, p.channel) != 0)
			continue;
		shown++;
		double sat = allocate_saturation(&c->curve);
		double top = 2 * (c->upper > c->current ? c->upper : c->current);
		if (isfinite(sat) && 1.25 * sat > top)
			top = 1.25 * sat;
		if (top <= 0)
			top = 1;
		struct json_object *o = json_object_new_object(), *pts = json_object_new_array();
		json_object_object_add(o, "channel", json_object_new_string(c->name));
		json_object_object_add(o, "curve", curve_json(&c->curve));
		for (int k = 0; k <= 40; k++) {
			double s = top * k / 40;
			struct json_object *pt = json_object_new_object();
			json_object_object_add(pt, "spend", dnum(s));
			json_object_object_add(pt, "revenue", dnum(curve_value(&c->curve, s)));
			json_object_object_add(pt, "marginal_roi", c->curve.kind == CURVE_NONE ? NULL
						: dnum(curve_marginal(&c->curve, s) - 1));
			json_object_array_add(pts, pt);
		}
		json_object_object_add(o, "points", pts);
		struct json_object *marks = json_object_new_object();
		json_object_object_add(marks, "current", dnum(c->current));
		json_object_object_add(marks, "recommended", dnum(c->recommended));
		json_object_object_add(marks, "saturation", dnum(sat));
		json_object_object_add(o, "marks", marks);
		json_object_array_add(list, o);
	}
	if (unknown_channel(&p, shown, resp)) {
		json_object_put(list);
		return;
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "run", run_json(&run));
	json_object_object_add(out, "channels", list);
	json_object_object_add(out, "about", json_object_new_string(
		"expected daily revenue against daily spend; saturation is where an extra unit of "
		"spend returns less than itself (marginal ROI 0)"));
	response_json(resp, 200, out);
}

/* --- POST /sync-now ----------------------------------------------------------- */

void api_sync_now(struct app *app, const struct request *req, struct response *resp)
{
	(void)req;
	struct ml_summary sum;
	enum ml_result rc = ml_sync_run(app->db, app->cfg, RUN_MANUAL, NULL, &sum);
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
	json_object_object_add(o, "seconds", dnum(sum.seconds));
	json_object_object_add(o, "rows_read", json_object_new_int64((int64_t)sum.rows_in));
	json_object_object_add(o, "channels", json_object_new_int(sum.channels));
	json_object_object_add(o, "series_fitted", json_object_new_int(sum.series_fitted));
	for (int t = 0; t < ML_TABLE__MAX; t++)
		json_object_object_add(rows, ml_table_names[t], json_object_new_int64((int64_t)sum.rows_written[t]));
	json_object_object_add(o, "rows_written", rows);
	response_json(resp, 200, o);
	resp->cache_control = "no-store";
}

/* --- GET /{chart}/chart ------------------------------------------------------- */

/* Does the request ask for a budget other than the stored recommendation? */
static int budget_scenario(const struct params *p)
{
	return p->total >= 0 || !isnan(p->target_roi) || *p->freeze != '\0' || p->lower_ratio >= 0;
}

/*
 * Redraws the budget bars for the scenario of p, as GET
 * /budget-recommendation/data answers it: the recommended spends and the
 * expected uplift in the subtitle. rows owns the bars. Returns 0, or -1
 * with the answer (400 infeasible, 503) set.
 */
static int apply_budget_scenario(struct app *app, long long run, const struct params *p,
				 struct chart_data *data, struct chart_rows *rows, struct response *resp)
{
	static struct stored ch[MAX_CHANNELS];
	int n = 0;
	enum db_status st = load_budget(app, run, ch, &n);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	if (reoptimise(ch, n, p, resp) != 0)
		return -1;
	double uplift = 0;
	for (int i = 0; i < n; i++)
		uplift += curve_value(&ch[i].curve, ch[i].recommended) -
			  curve_value(&ch[i].curve, ch[i].current);
	for (int b = 0; b < data->nbars; b++)
		for (int i = 0; i < n; i++)
			if (strcmp(rows->bars[b].channel, ch[i].name) == 0)
				rows->bars[b].recommended = ch[i].recommended;
	/* The stored subtitle ends with the stored plan's uplift: replace it. */
	char *old = strstr(data->subtitle, "expected uplift");
	if (old != NULL)
		*old = '\0';
	size_t len = strlen(data->subtitle);
	snprintf(data->subtitle + len, sizeof data->subtitle - len, "%sexpected uplift %+.0f a day%s",
		 len && old == NULL ? " · " : "", uplift, p->total >= 0 ? " at the asked total" : "");
	return 0;
}

/* The chart named by the route's path: ".../roi-forecast/chart". */
static int chart_of_path(const char *path)
{
	char name[64];
	const char *end = strrchr(path, '/'), *start = end;
	while (start > path && start[-1] != '/')
		start--;
	if (end == NULL || end - start <= 0 || end - start >= (long)sizeof name)
		return -1;
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = '\0';
	return chart_kind_from_name(name);
}

/* Streams the run's cached PNG when the view is the default one; returns 1
 * when it did. */
static int cached_chart(struct app *app, long long run, int kind, struct response *resp)
{
	char sql[300];
	snprintf(sql, sizeof sql,
		 "SELECT etag, png FROM ml_chart_cache WHERE run_id = %lld AND chart = '%s' AND width = %d"
		 " AND height = %d AND theme = 'light'", run, chart_names[kind], CHART_DEFAULT_WIDTH,
		 CHART_DEFAULT_HEIGHT);
	MYSQL_RES *res;
	if (db_query(app->db, sql, &res) != DB_OK)
		return 0;
	MYSQL_ROW row = mysql_fetch_row(res);
	unsigned long *len = row ? mysql_fetch_lengths(res) : NULL;
	int done = 0;
	if (row && row[0] && row[1] && len &&
	    response_set_body(resp, 200, "image/png", row[1], len[1]) == 0) {
		snprintf(resp->etag, sizeof resp->etag, "%s", row[0]);
		done = 1;
	}
	mysql_free_result(res);
	return done;
}

void api_chart(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const allowed[] = { "width", "height", "theme", "days", "channel", NULL };
	/* The budget chart takes the budget answer's scenario parameters too. */
	static const char *const budget_allowed[] = { "width", "height", "theme", "days", "channel",
						      "total", "target_roi", "freeze", "bounds", NULL };
	struct params p;
	struct run_ref run;
	enum db_status st;
	int kind = chart_of_path(req->path);
	if (kind < 0) {
		response_error(resp, 404, "not_found", "no such chart: %s", req->path);
		return;
	}
	if (read_params(req, kind == CHART_BUDGET ? budget_allowed : allowed, &p, resp) != 0)
		return;
	struct chart_style style = { CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, 0, app->text_cache };
	if (read_int_param(req, "width", 200, CHART_WIDTH_MAX, &style.width, resp) != 0 ||
	    read_int_param(req, "height", 150, CHART_HEIGHT_MAX, &style.height, resp) != 0)
		return;
	char theme[16];
	int rc = query_get(req->query, "theme", theme, sizeof theme);
	if (rc != 0) {
		if (rc < 0 || (strcmp(theme, "light") != 0 && strcmp(theme, "dark") != 0)) {
			response_error(resp, 400, "bad_parameter", "parameter 'theme' must be light or dark");
			return;
		}
		style.dark = strcmp(theme, "dark") == 0;
	}
	if ((st = latest_run(app, &run)) != DB_OK)
		return api_database_failure(app, st, resp);
	int is_default = style.width == CHART_DEFAULT_WIDTH && style.height == CHART_DEFAULT_HEIGHT &&
			 !style.dark && p.days == 0 && *p.channel == '\0' && !budget_scenario(&p);
	if (run.id != 0 && is_default && cached_chart(app, run.id, kind, resp)) {
		resp->cache_control = "public, max-age=30";
		return;
	}
	struct chart_data data;
	struct chart_rows rows;
	char when[40] = "";
	if (run.id != 0)
		snprintf(when, sizeof when, "%.10s %.5s UTC", run.finished_at, run.finished_at + 11);
	if ((st = chart_load(app->db, run.id, when, (enum chart_kind)kind, p.channel, p.days, &data,
			     &rows)) != DB_OK) {
		chart_rows_free(&rows);
		return api_database_failure(app, st, resp);
	}
	if (kind == CHART_BUDGET && budget_scenario(&p) && run.id != 0 &&
	    apply_budget_scenario(app, run.id, &p, &data, &rows, resp) != 0) {
		chart_rows_free(&rows);
		return;
	}
	int empty = data.nbars == 0 && data.panels[0].n == 0;
	if (*p.channel && run.id != 0 && empty) {
		chart_rows_free(&rows);
		unknown_channel(&p, 0, resp);
		return;
	}
	unsigned char *png = NULL;
	int size = 0;
	if (chart_render(&data, &style, &png, &size) != 0) {
		chart_rows_free(&rows);
		response_error(resp, 500, "render_failed", "the chart could not be drawn");
		return;
	}
	response_set_body(resp, 200, "image/png", png, (size_t)size);
	resp->cache_control = "public, max-age=30";
	chart_free(png);
	chart_rows_free(&rows);
}
