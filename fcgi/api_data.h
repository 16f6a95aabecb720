/*
 * api_data: what the handlers of the latest run's answers share: their
 * query parameters, the latest run (checked at most every
 * API_RUN_CHECK_MS per worker), the worker's copies of built answers, and
 * the small JSON pieces every answer uses. Internal to mldash-fcgi.
 */
#ifndef MLDASH_API_DATA_H
#define MLDASH_API_DATA_H

#include "app.h"
#include "runs.h"

struct json_object;

/* How stale a worker's idea of the latest run may be. With nginx keeping an
 * answer until the end of its second (api_let_nginx_cache) a new run reaches
 * every client within a second of its commit. Short, because for this long
 * at the start of each second nginx may not keep answers and they all come
 * to the workers; the price is one small query per worker at most 40 times
 * a second, and only while it is asked. */
#define API_RUN_CHECK_MS 25

struct params {
	int days;          /* actual days shown, 0: all stored */
	char channel[65];  /* "" for every channel */
	double total;      /* budget: daily total, < 0: current */
	double target_roi; /* budget: NaN when not asked */
	char freeze[512];  /* budget: comma-separated channels */
	double lower_ratio, upper_ratio; /* budget: bounds relative to current spend; < 0: stored */
};

/* A whole number from lo to hi, when the parameter is there; *out stays as
 * it was when it is not. Sets a 400 naming the parameter. */
int api_int_param(const struct request *req, const char *name, int lo, int hi, int *out,
		  struct response *resp);

/* Validates the query against the parameters a route takes; sets a 400
 * naming the parameter on failure. */
int api_read_params(const struct request *req, const char *const *allowed, struct params *p,
		    struct response *resp);

/* Does the request ask for a budget other than the stored recommendation? */
int api_budget_scenario(const struct params *p);

/* The latest succeeded ML run, as this worker last saw it (re-read when
 * older than API_RUN_CHECK_MS). */
enum db_status api_latest_run(struct app *app, struct run_ref *run);

/*
 * The start every data handler shares: the parameters, then the latest run.
 * Returns 0 to go on, or -1 with the response (an error, or an empty list
 * named list when there is no run yet) already written.
 */
int api_begin_data(struct app *app, const struct request *req, const char *const *allowed,
		   const char *list, struct params *p, struct run_ref *run, struct response *resp);

/* Answers from the worker's copy of this request's answer for run, if any:
 * returns 1 when it did. content_type: what the answer is. */
int api_cached_answer(struct app *app, const struct request *req, long long run,
		      const char *content_type, struct response *resp);

/* Keeps a copy of a 200 answer for the same request again, and lets nginx
 * keep it too (api_let_nginx_cache). */
void api_keep_answer(struct app *app, const struct request *req, long long run,
		     struct response *resp);

/* Lets nginx's micro-cache keep a 200 answer of the latest run until the
 * end of the current second, when that leaves a new run visible within a
 * second; otherwise stamps it already expired (nginx revalidates it on the
 * next request). */
void api_let_nginx_cache(struct response *resp);

/* A 400 when a channel was asked for and found nowhere; returns 1 then. */
int api_unknown_channel(const struct params *p, int rows, struct response *resp);

/* The same, for answers whose rows may be missing for a channel of the run
 * (a metric it does not report): asks the run's channels. Returns 1 with a
 * 400 (or the database's error) written when the channel is not one of
 * them, 0 otherwise. */
int api_channel_not_in_run(struct app *app, long long run, const struct params *p,
			   struct response *resp);

/* {"id": ..., "finished_at": ...}, or NULL (JSON null) for no run. */
struct json_object *api_run_json(const struct run_ref *run);

/* A JSON number, or NULL (JSON null) for NaN or an infinity. */
struct json_object *api_number(double v);

/* "YYYY-MM-DD HH:MM UTC" of a run, for chart subtitles ("" for no run). */
void api_run_time(const struct run_ref *run, char out[40]);

#endif
