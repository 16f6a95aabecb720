#include "api_data.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer_cache.h"
#include "handlers.h"
#include "predictions.h"
#include "query.h"
#include "response.h"

/* --- parameters ------------------------------------------------------------- */



/* A whole number from lo to hi, when the parameter is there; *out stays as
 * it was when it is not. */
int api_int_param(const struct request *req, const char *name, int lo, int hi, int *out,
			  struct response *resp)
{
	char value[32];
	int rc = query_get(req->query, name, value, sizeof value);
	if (rc == 0)
		return 0;
	char *end = value;
	long v = rc > 0 ? strtol(value, &end, 10) : 0;
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
	char *end = value;
	double v = rc > 0 ? strtod(value, &end) : NAN;
	if (rc < 0 || *value == '\0' || *end != '\0' || !(v >= min) || !isfinite(v)) {
		response_error(resp, 400, "bad_parameter", "parameter '%s' must be %s", name, must);
		return -1;
	}
	*out = v;
	return 0;
}

/* Validates the query against the parameters a route takes; sets a 400
 * naming the parameter on failure. */
int api_read_params(const struct request *req, const char *const *allowed, struct params *p,
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
	if (api_int_param(req, "days", 1, 730, &p->days, resp) != 0)
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
		char *end = value;
		if (rc > 0)
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


int api_budget_scenario(const struct params *p)
{
	return p->total >= 0 || !isnan(p->target_roi) || *p->freeze != '\0' || p->lower_ratio >= 0;
}

/* --- the latest run ----------------------------------------------------------- */

static double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum db_status api_latest_run(struct app *app, struct run_ref *run)
{
	double now = now_monotonic();
	if (app->latest_checked > 0 && now - app->latest_checked < API_RUN_CHECK_MS / 1000.0) {
		*run = app->latest;
		return DB_OK;
	}
	enum db_status st = runs_latest(app->db, "ml_sync", run);
	if (st != DB_OK) {
		app->latest_checked = 0; /* ask again next time */
		return st;
	}
	app->latest = *run;
	app->latest_checked = now;
	return DB_OK;
}

/* Answers for "no run yet": an empty list and what to do. */
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
	api_let_nginx_cache(resp);
	return 1;
}

int api_begin_data(struct app *app, const struct request *req, const char *const *allowed,
		   const char *list, struct params *p, struct run_ref *run, struct response *resp)
{
	if (api_read_params(req, allowed, p, resp) != 0)
		return -1;
	enum db_status st = api_latest_run(app, run);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	return no_run(run, resp, list) ? -1 : 0;
}

/* --- answers kept ------------------------------------------------------------- */

/* The worker's key of a request: path and query as sent. 0 when too long to
 * keep. */
static int answer_key(const struct request *req, char key[1024])
{
	int n = snprintf(key, 1024, "%s?%s", req->path, req->query);
	return n > 0 && n < 1024;
}

int api_cached_answer(struct app *app, const struct request *req, long long run,
		      const char *content_type, struct response *resp)
{
	char key[1024];
	size_t len;
	const char *body = answer_key(req, key) ? answer_cache_get(app->answers, run, key, &len) : NULL;
	if (body == NULL || response_set_body(resp, 200, content_type, body, len) != 0)
		return 0;
	api_let_nginx_cache(resp);
	return 1;
}

void api_keep_answer(struct app *app, const struct request *req, long long run,
		     struct response *resp)
{
	char key[1024];
	if (resp->status != 200)
		return;
	if (answer_key(req, key))
		answer_cache_put(app->answers, run, key, resp->body, resp->body_len);
	api_let_nginx_cache(resp);
}

/*
 * nginx counts expiry in whole seconds: an answer stamped "@S" is served
 * until second S ends. Built from a run id checked `age` seconds ago, it
 * may reach a client up to age + (rest of the second) after a newer run's
 * commit: allowed only while that stays within one second. Otherwise the
 * answer is stamped with the second before ("already expired"), not "0":
 * nginx then stores it and asks a worker again with its ETag on the next
 * request, whereas an answer it may not store loses the client's
 * If-None-Match on the way (nginx sends the cache's instead) and goes back
 * as a 200 where a 304 was due.
 */
void api_let_nginx_cache(struct response *resp)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double fraction = (double)ts.tv_nsec / 1e9;
	double age = API_RUN_CHECK_MS / 1000.0; /* at most; the check may be younger */
	/* 50 ms more for nginx's clock (read once per event loop) and the
	 * answer's way to the client. */
	resp->accel_expires = fraction >= age + 0.05 ? (long long)ts.tv_sec : (long long)ts.tv_sec - 1;
}

/* --- JSON pieces ---------------------------------------------------------------- */

int api_unknown_channel(const struct params *p, int rows, struct response *resp)
{
	if (*p->channel == '\0' || rows > 0)
		return 0;
	response_error(resp, 400, "bad_parameter",
		       "parameter 'channel': '%s' is not a channel of the latest run", p->channel);
	return 1;
}

int api_channel_not_in_run(struct app *app, long long run, const struct params *p,
			   struct response *resp)
{
	if (*p->channel == '\0')
		return 0;
	struct result_roi_forecast *rows;
	int n;
	enum db_status st = prediction_forecasts(app->db, run, p->channel, &rows, &n);
	free(rows);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return 1;
	}
	return api_unknown_channel(p, n, resp);
}

struct json_object *api_run_json(const struct run_ref *run)
{
	if (run->id == 0)
		return NULL;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(run->id));
	json_object_object_add(o, "finished_at", json_object_new_string(run->finished_at));
	return o;
}

struct json_object *api_number(double v)
{
	if (!isfinite(v))
		return NULL;
	char text[64];
	snprintf(text, sizeof text, "%.10g", v);
	return json_object_new_double_s(v, text);
}

void api_run_time(const struct run_ref *run, char out[40])
{
	if (run->id == 0)
		*out = '\0';
	else
		snprintf(out, 40, "%.10s %.5s UTC", run->finished_at, run->finished_at + 11);
}
