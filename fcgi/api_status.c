/* api_status: GET /health (liveness) and GET /status (database, schema, rows,
 * and each job's schedule, next and last run).
 *
 * /status has two views: callers in [api] internal_allow get the details an
 * operator needs (server version, row counts, the stored error of each last
 * run); everyone else gets whether things work, without internals. */
#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>

#include "db_internal.h" /* transitional: moves into db/ */
#include "cron.h"
#include "handlers.h"
#include "log.h"
#include "migrate.h"
#include "response.h"
#include "version.h"

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

/* Exact row counts of every table; small enough per table to count. */
const char api_row_counts_sql[] =
	"SELECT 'campaigns', COUNT(*) FROM campaigns"
	" UNION ALL SELECT 'campaign_daily', COUNT(*) FROM campaign_daily"
	" UNION ALL SELECT 'ingest_files', COUNT(*) FROM ingest_files"
	" UNION ALL SELECT 'ml_runs', COUNT(*) FROM ml_runs"
	" UNION ALL SELECT 'ml_roi_forecast', COUNT(*) FROM ml_roi_forecast"
	" UNION ALL SELECT 'ml_roi_timeseries', COUNT(*) FROM ml_roi_timeseries"
	" UNION ALL SELECT 'ml_reach_ctr_timeseries', COUNT(*) FROM ml_reach_ctr_timeseries"
	" UNION ALL SELECT 'ml_budget_recommendation', COUNT(*) FROM ml_budget_recommendation"
	" UNION ALL SELECT 'ml_chart_cache', COUNT(*) FROM ml_chart_cache";

static const char last_runs_sql[] =
	"SELECT job, id, triggered_by, status,"
	" DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%sZ'),"
	" DATE_FORMAT(finished_at, '%Y-%m-%dT%H:%i:%sZ'), error"
	" FROM ml_runs WHERE id IN (SELECT MAX(id) FROM ml_runs GROUP BY job)";

static struct json_object *json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static enum db_status add_row_counts(struct app *app, struct json_object *out)
{
	MYSQL_RES *res;
	enum db_status st = db_query(app->db, api_row_counts_sql, &res);
	if (st != DB_OK)
		return st;
	struct json_object *rows = json_object_new_object();
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL)
		json_object_object_add(rows, row[0], json_object_new_int64(atoll(row[1])));
	mysql_free_result(res);
	json_object_object_add(out, "rows", rows);
	return DB_OK;
}

static struct json_object *run_json(MYSQL_ROW row, int detailed)
{
	struct json_object *run = json_object_new_object();
	json_object_object_add(run, "id", json_object_new_int64(atoll(row[1])));
	json_object_object_add(run, "trigger", json_string_or_null(row[2]));
	json_object_object_add(run, "status", json_string_or_null(row[3]));
	json_object_object_add(run, "started_at", json_string_or_null(row[4]));
	json_object_object_add(run, "finished_at", json_string_or_null(row[5]));
	if (detailed)
		json_object_object_add(run, "error", json_string_or_null(row[6]));
	return run;
}

/* A job's schedule and its next fire time, as the scheduler reading the same
 * configuration computes it. */
static struct json_object *job_json(const char *expr, const char *zone)
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
	json_object_object_add(job, "last_run", NULL);
	return job;
}

static enum db_status add_jobs(struct app *app, struct json_object *out, int detailed)
{
	MYSQL_RES *res;
	enum db_status st = db_query(app->db, last_runs_sql, &res);
	if (st != DB_OK)
		return st;
	const struct mldash_config *cfg = app->cfg;
	struct json_object *jobs = json_object_new_object();
	json_object_object_add(jobs, "ml_sync", job_json(cfg->schedule.ml_sync, cfg->schedule.timezone));
	json_object_object_add(jobs, "campaign_sync",
			       job_json(cfg->schedule.campaign_sync, cfg->schedule.timezone));
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		struct json_object *job;
		if (json_object_object_get_ex(jobs, row[0], &job))
			json_object_object_add(job, "last_run", run_json(row, detailed));
	}
	mysql_free_result(res);
	json_object_object_add(out, "jobs", jobs);
	return DB_OK;
}

void api_status(struct app *app, const struct request *req, struct response *resp)
{
	int detailed = api_client_internal(app, req);
	int version = 0;
	enum db_status st = migrate_schema_version(app->db, &version);
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
				       json_object_new_string(mysql_get_server_info(db_mysql(app->db))));
	json_object_object_add(dbj, "schema_version", json_object_new_int(version));
	json_object_object_add(dbj, "schema_latest", json_object_new_int(app->migrations_latest));
	json_object_object_add(out, "database", dbj);

	/* Without the schema there is nothing to count; say so rather than fail. */
	if (version >= 1) {
		st = detailed ? add_row_counts(app, out) : DB_OK;
		if (st == DB_OK)
			st = add_jobs(app, out, detailed);
		if (st != DB_OK) {
			json_object_put(out);
			api_database_failure(app, st, resp);
			return;
		}
	}
	response_json(resp, 200, out);
}

