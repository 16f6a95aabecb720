/*
 * api_metrics: GET /metrics in the Prometheus text format (0.0.4).
 *
 * Every value comes from the database or the configuration, never from
 * per-worker counters: a scrape lands on any worker of the pool and must see
 * the same numbers. With the database down the answer is still 200, with
 * mldash_database_up 0, so that the scrape itself does not fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db_internal.h" /* transitional: moves into db/ */
#include "cron.h"
#include "handlers.h"
#include "log.h"
#include "migrate.h"
#include "response.h"
#include "version.h"

static const char *const job_names[] = { "ml_sync", "campaign_sync" };
#define JOB_COUNT (sizeof job_names / sizeof job_names[0])

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Writes one sample per row of sql: label values from the first columns
 * (labels[] names them), the value from the next. */
static enum db_status samples(struct app *app, FILE *out, const char *metric, const char *sql,
			      const char *const *labels, int nlabels)
{
	MYSQL_RES *res;
	enum db_status st = db_query(app->db, sql, &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[nlabels] == NULL)
			continue;
		fprintf(out, "%s{", metric);
		for (int i = 0; i < nlabels; i++)
			fprintf(out, "%s%s=\"%s\"", i ? "," : "", labels[i], row[i] ? row[i] : "");
		fprintf(out, "} %s\n", row[nlabels]);
	}
	mysql_free_result(res);
	return DB_OK;
}

static void next_runs(struct app *app, FILE *out)
{
	const char *expr[JOB_COUNT] = { app->cfg->schedule.ml_sync, app->cfg->schedule.campaign_sync };
	family(out, "mldash_job_next_run_timestamp_seconds", "gauge",
	       "When the job's schedule fires next (Unix time).");
	for (size_t j = 0; j < JOB_COUNT; j++) {
		time_t next = cron_next_of(expr[j], time(NULL));
		if (next != (time_t)-1)
			fprintf(out, "mldash_job_next_run_timestamp_seconds{job=\"%s\"} %lld\n",
				job_names[j], (long long)next);
	}
}

/* The gauges read from the database, each one query (labels, then value). */
static const struct {
	const char *name, *help, *sql;
	const char *labels[2];
	int nlabels;
} db_gauges[] = {
	{ "mldash_table_rows", "Rows in each table.", api_row_counts_sql, { "table" }, 1 },
	{ "mldash_job_runs", "Runs recorded in ml_runs (old runs are pruned).",
	  "SELECT job, status, COUNT(*) FROM ml_runs GROUP BY job, status", { "job", "status" }, 2 },
	{ "mldash_job_last_run_success", "1 when the job's latest finished run succeeded, 0 when it failed.",
	  "SELECT job, status = 'succeeded' FROM ml_runs WHERE id IN (SELECT MAX(id)"
	  " FROM ml_runs WHERE status <> 'running' GROUP BY job)", { "job" }, 1 },
	{ "mldash_job_last_run_duration_seconds", "How long the job's latest finished run took.",
	  "SELECT job, TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) / 1e6 FROM ml_runs"
	  " WHERE id IN (SELECT MAX(id) FROM ml_runs WHERE status <> 'running' GROUP BY job)", { "job" }, 1 },
	{ "mldash_job_last_success_timestamp_seconds", "When the job last finished successfully (Unix time).",
	  "SELECT job, UNIX_TIMESTAMP(MAX(finished_at)) FROM ml_runs WHERE status = 'succeeded' GROUP BY job",
	  { "job" }, 1 },
};

static enum db_status database_metrics(struct app *app, FILE *out)
{
	int version = 0;
	enum db_status st = migrate_schema_version(app->db, &version);
	if (st != DB_OK)
		return st;
	family(out, "mldash_schema_version", "gauge", "Migrations applied to the database.");
	fprintf(out, "mldash_schema_version %d\n", version);
	if (version < 1)
		return DB_OK;
	for (size_t i = 0; i < sizeof db_gauges / sizeof db_gauges[0]; i++) {
		family(out, db_gauges[i].name, "gauge", db_gauges[i].help);
		st = samples(app, out, db_gauges[i].name, db_gauges[i].sql, db_gauges[i].labels,
			     db_gauges[i].nlabels);
		if (st != DB_OK)
			return st;
	}
	return DB_OK;
}

void api_metrics(struct app *app, const struct request *req, struct response *resp)
{
	(void)req;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL) {
		response_error(resp, 500, "out_of_memory", "cannot build the metrics");
		return;
	}
	family(out, "mldash_build_info", "gauge", "The running mldash version.");
	fprintf(out, "mldash_build_info{version=\"%s\"} 1\n", MLDASH_VERSION);
	next_runs(app, out);

	/* Database samples go to their own buffer: a query failing halfway
	 * leaves none of them, only mldash_database_up 0. */
	char *db_text = NULL;
	size_t db_len = 0;
	FILE *db_out = open_memstream(&db_text, &db_len);
	enum db_status st = db_out ? db_connect(app->db) : DB_ERROR;
	if (st == DB_OK)
		st = database_metrics(app, db_out);
	if (db_out)
		fclose(db_out);
	if (st != DB_OK)
		log_warn("metrics: database: %s", db_error(app->db));
	family(out, "mldash_database_up", "gauge", "1 when the database answered every query of this scrape.");
	fprintf(out, "mldash_database_up %d\n", st == DB_OK);
	if (st == DB_OK && db_text)
		fwrite(db_text, 1, db_len, out);
	free(db_text);
	if (fclose(out) != 0 || text == NULL) {
		free(text);
		response_error(resp, 500, "out_of_memory", "cannot build the metrics");
		return;
	}
	response_set_body(resp, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	resp->cache_control = "no-store";
	free(text);
}
