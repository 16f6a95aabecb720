/* api_status: GET /health (liveness) and GET /status (database, schema, rows,
 * and each job's schedule, next and last run).
 *
 * /status has two views: callers in [api] internal_allow get the details an
 * operator needs (server version, row counts, the stored error of each last
 * run); everyone else gets whether things work, without internals.
 *
 * A load balancer may poll /status many times a second, so it costs the
 * database close to nothing: each worker reads the schema version, the row
 * counts (the server's estimates for the big tables) and the jobs' last runs
 * at most once per STATUS_MEMO_MS, and in between answers from memory while
 * its connection is open. That look at the socket keeps "reachable" honest:
 * a server that stops, crashes or restarts closes the connection, and the
 * next call asks the database again (503 when it does not answer). */
#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>

#include "cron.h"
#include "handlers.h"
#include "log.h"
#include "response.h"
#include "status.h"
#include "version.h"

/* How long a worker reuses the rows and runs it read: a new run shows in
 * /status within this time, like the /data answers. */
#define STATUS_MEMO_MS 1000

void api_health(struct app *app, const struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "version", json_object_new_string(MLDASH_VERSION));
	response_json(resp, 200, o);
	resp->cache_control = "no-store";
}

/* What this worker last read for /status. The workers are single-threaded
 * processes, so one per process is one per worker. */
struct status_memo {
	long long read_at_ms;            /* monotonic clock; 0 before the first read */
	int schema_version;              /* the schema it was read under */
	struct json_object *rows;        /* {"table": rows, ...} */
	struct json_object *estimated;   /* ["table", ...]: the rows that are estimates */
	struct json_object *runs_full;   /* {"job": last run with its error} */
	struct json_object *runs_public; /* {"job": last run without it} */
};

static struct status_memo memo;

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drops what m holds (json_object_put accepts NULL); m is then empty. */
static void memo_clear(struct status_memo *m)
{
	json_object_put(m->rows);
	json_object_put(m->estimated);
	json_object_put(m->runs_full);
	json_object_put(m->runs_public);
	*m = (struct status_memo){ 0 };
}

static struct json_object *json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *run_json(const struct status_run *r, int detailed)
{
	struct json_object *run = json_object_new_object();
	json_object_object_add(run, "id", json_object_new_int64(r->id));
	json_object_object_add(run, "trigger", json_string_or_null(r->trigger));
	json_object_object_add(run, "status", json_string_or_null(r->status));
	json_object_object_add(run, "started_at", json_string_or_null(r->started_at));
	json_object_object_add(run, "finished_at", json_string_or_null(r->finished_at));
	if (detailed)
		json_object_object_add(run, "error", json_string_or_null(r->error));
	return run;
}

static int add_run(void *ctx, const struct status_run *r)
{
	struct status_memo *m = ctx;
	json_object_object_add(m->runs_full, r->job, run_json(r, 1));
	json_object_object_add(m->runs_public, r->job, run_json(r, 0));
	return 0;
}

/* Reads the rows and runs into a fresh memo; on failure *m is left empty. */
static enum db_status memo_read(struct app *app, struct status_memo *m, int schema_version)
{
	long long rows[STATUS_TABLE__MAX];
	enum db_status st = status_table_rows(app->db, rows);
	if (st != DB_OK)
		return st;
	*m = (struct status_memo){
		.read_at_ms = monotonic_ms(),
		.schema_version = schema_version,
		.rows = json_object_new_object(),
		.estimated = json_object_new_array(),
		.runs_full = json_object_new_object(),
		.runs_public = json_object_new_object(),
	};
	for (int t = 0; t < STATUS_TABLE__MAX; t++) {
		if (rows[t] < 0)
			continue;
		json_object_object_add(m->rows, status_table_name(t), json_object_new_int64(rows[t]));
		if (status_table_estimated(t))
			json_object_array_add(m->estimated, json_object_new_string(status_table_name(t)));
	}
	st = status_latest_runs(app->db, add_run, m);
	if (st != DB_OK)
		memo_clear(m);
	return st;
}

/* 1 while the memo is younger than STATUS_MEMO_MS. */
static int memo_recent(void)
{
	return memo.read_at_ms != 0 && monotonic_ms() - memo.read_at_ms < STATUS_MEMO_MS;
}

/* The memo, read again unless recent and read under this schema version. */
static enum db_status memo_fresh(struct app *app, int schema_version)
{
	if (memo_recent() && memo.schema_version == schema_version)
		return DB_OK;
	memo_clear(&memo);
	return memo_read(app, &memo, schema_version);
}

/* A job's schedule and its next fire time, as the scheduler reading the same
 * configuration computes it; last_run is the memo's (shared, by reference). */
static struct json_object *job_json(const char *name, const char *expr, const char *zone, int detailed)
{
	struct json_object *job = json_object_new_object();
	json_object_object_add(job, "schedule", json_object_new_string(expr));
	json_object_object_add(job, "timezone", json_object_new_string(zone));
	char next[32];
	time_t t = cron_next_of(expr, time(NULL));
	struct tm utc;
	if (t != (time_t)-1 && gmtime_r(&t, &utc) != NULL) {
		strftime(next, sizeof next, "%Y-%m-%dT%H:%M:%SZ", &utc);
		json_object_object_add(job, "next_run", json_object_new_string(next));
	} else {
		json_object_object_add(job, "next_run", NULL);
	}
	struct json_object *run = NULL;
	json_object_object_get_ex(detailed ? memo.runs_full : memo.runs_public, name, &run);
	json_object_object_add(job, "last_run", json_object_get(run));
	return job;
}

void api_status(struct app *app, const struct request *req, struct response *resp)
{
	int detailed = api_client_internal(app, req);
	int version = 0;
	enum db_status st = api_memo_schema(app, memo_recent(), memo.schema_version, memo_fresh,
					    &version);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return;
	}

	struct json_object *out = json_object_new_object();
	struct json_object *dbj = json_object_new_object();
	json_object_object_add(out, "service", json_object_new_string("mldash"));
	json_object_object_add(out, "version", json_object_new_string(MLDASH_VERSION));
	json_object_object_add(out, "detail", json_object_new_string(detailed ? "full" : "public"));
	json_object_object_add(dbj, "reachable", json_object_new_boolean(1));
	if (detailed)
		json_object_object_add(dbj, "server_version",
				       json_string_or_null(status_server_version(app->db)));
	json_object_object_add(dbj, "schema_version", json_object_new_int(version));
	json_object_object_add(dbj, "schema_latest", json_object_new_int(app->migrations_latest));
	json_object_object_add(out, "database", dbj);

	if (version >= 1) {
		if (detailed) {
			json_object_object_add(out, "rows", json_object_get(memo.rows));
			json_object_object_add(out, "rows_estimated", json_object_get(memo.estimated));
		}
		const struct mldash_config *cfg = app->cfg;
		struct json_object *jobs = json_object_new_object();
		json_object_object_add(jobs, "ml_sync", job_json("ml_sync", cfg->schedule.ml_sync,
								  cfg->schedule.timezone, detailed));
		json_object_object_add(jobs, "campaign_sync",
				       job_json("campaign_sync", cfg->schedule.campaign_sync,
						cfg->schedule.timezone, detailed));
		json_object_object_add(out, "jobs", jobs);
	}
	response_json(resp, 200, out);
}
