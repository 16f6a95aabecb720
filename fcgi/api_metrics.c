/*
 * api_metrics: GET /metrics in the Prometheus text format (0.0.4).
 *
 * Every value comes from the database or the configuration, never from
 * per-worker counters: a scrape lands on any worker of the pool and must see
 * the same numbers. With the database down the answer is still 200, with
 * mldash_database_up 0, so that the scrape itself does not fail.
 *
 * Each worker reads the database gauges at most once per METRICS_MEMO_MS and
 * in between answers from memory while its connection is open (as /status
 * does: a server that stops or restarts closes it, and the next scrape asks
 * the database again, so mldash_database_up is not a memory). Row counts of
 * the tables that grow with the data are the server's estimates, under a
 * name that says so (mldash_table_rows_estimate): counting them cost a full
 * read of every table on every scrape.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "handlers.h"
#include "history.h"
#include "log.h"
#include "response.h"
#include "runs.h"
#include "status.h"
#include "version.h"

/* How long a worker reuses the gauges it read (see above). */
#define METRICS_MEMO_MS 1000

static const char *const job_names[] = { "ml_sync", "campaign_sync" };
#define JOB_COUNT (sizeof job_names / sizeof job_names[0])

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
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

static void table_rows(FILE *out, const long long rows[STATUS_TABLE__MAX], int estimated)
{
	const char *name = estimated ? "mldash_table_rows_estimate" : "mldash_table_rows";
	family(out, name, "gauge",
	       estimated ? "The server's estimate of the rows in each table (InnoDB's statistics:"
			   " a few percent off, and behind a large write until they are recalculated)."
			 : "Rows in each table small enough to count exactly.");
	for (int t = 0; t < STATUS_TABLE__MAX; t++)
		if (rows[t] >= 0 && status_table_estimated(t) == estimated)
			fprintf(out, "%s{table=\"%s\"} %lld\n", name, status_table_name(t), rows[t]);
}

static int run_count(void *ctx, const struct status_run_count *c)
{
	fprintf(ctx, "mldash_job_runs{job=\"%s\",status=\"%s\"} %lld\n", c->job, c->status, c->runs);
	return 0;
}

/* The three gauges of each job's outcome come from one query; each gets its
 * own buffer so that the families stay apart in the output. */
struct outcome_out {
	FILE *success, *duration, *last_success;
};

static int job_outcome(void *ctx, const struct status_job_outcome *o)
{
	struct outcome_out *w = ctx;
	fprintf(w->success, "mldash_job_last_run_success{job=\"%s\"} %d\n", o->job, o->succeeded);
	if (isfinite(o->duration_seconds))
		fprintf(w->duration, "mldash_job_last_run_duration_seconds{job=\"%s\"} %.6f\n", o->job,
			o->duration_seconds);
	if (isfinite(o->last_success_unix))
		fprintf(w->last_success, "mldash_job_last_success_timestamp_seconds{job=\"%s\"} %.3f\n",
			o->job, o->last_success_unix);
	return 0;
}

/* A memstream's text, NUL-terminated. */
struct text {
	char *s;
	size_t len;
};

/* Appends a family and the samples collected in body (may be empty). */
static void family_with(FILE *out, const char *name, const char *help, const struct text *body)
{
	family(out, name, "gauge", help);
	if (body->s)
		fwrite(body->s, 1, body->len, out);
}

static enum db_status job_outcomes(struct app *app, FILE *out)
{
	struct text success = { 0 }, duration = { 0 }, last_success = { 0 };
	struct outcome_out w = {
		open_memstream(&success.s, &success.len),
		open_memstream(&duration.s, &duration.len),
		open_memstream(&last_success.s, &last_success.len),
	};
	enum db_status st = DB_ERROR;
	if (w.success && w.duration && w.last_success)
		st = status_job_outcomes(app->db, job_outcome, &w);
	/* Closing a memstream sets its buffer; then they can be read. */
	int closed = 0;
	FILE *streams[] = { w.success, w.duration, w.last_success };
	for (size_t i = 0; i < 3; i++)
		if (streams[i] && fclose(streams[i]) == 0)
			closed++;
	if (st == DB_OK && closed == 3) {
		family_with(out, "mldash_job_last_run_success",
			    "1 when the job's latest finished run succeeded, 0 when it failed.", &success);
		family_with(out, "mldash_job_last_run_duration_seconds",
			    "How long the job's latest finished run took.", &duration);
		family_with(out, "mldash_job_last_success_timestamp_seconds",
			    "When the job last finished successfully (Unix time).", &last_success);
	} else if (st == DB_OK) {
		st = DB_ERROR;
	}
	free(success.s);
	free(duration.s);
	free(last_success.s);
	return st;
}

/* A label value with \\, " and newlines escaped, as the format asks. */
static void label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static int anomaly_count(void *ctx, const char *channel, const char *metric, const char *direction,
			 long long count)
{
	FILE *out = ctx;
	fputs("mldash_anomalies{channel=\"", out);
	label_value(out, channel);
	fprintf(out, "\",metric=\"%s\",direction=\"%s\"} %lld\n", metric, direction, count);
	return 0;
}

/* The anomaly gauges of the latest run: read once per run and worker (they
 * change only with a new run), then written from memory. */
static struct {
	long long run_id; /* 0: none read */
	char *text;
	size_t len;
} anomalies_memo;

static enum db_status anomaly_gauges(struct app *app, FILE *out)
{
	struct run_ref latest;
	enum db_status st = runs_latest(app->db, "ml_sync", &latest);
	if (st != DB_OK)
		return st;
	if (latest.id != anomalies_memo.run_id || anomalies_memo.text == NULL) {
		free(anomalies_memo.text);
		anomalies_memo.text = NULL;
		anomalies_memo.len = 0;
		anomalies_memo.run_id = 0;
		FILE *mem = open_memstream(&anomalies_memo.text, &anomalies_memo.len);
		if (mem == NULL)
			return DB_ERROR;
		st = latest.id ? history_anomaly_counts(app->db, latest.id, anomaly_count, mem) : DB_OK;
		if (fclose(mem) != 0 && st == DB_OK)
			st = DB_ERROR;
		if (st != DB_OK) {
			free(anomalies_memo.text);
			anomalies_memo.text = NULL;
			return st;
		}
		anomalies_memo.run_id = latest.id;
	}
	family(out, "mldash_anomalies", "gauge",
	       "Values of the latest ML run's last day of data outside the 95% band of their "
	       "forecast, per channel, metric and direction (see /anomalies/data).");
	fwrite(anomalies_memo.text, 1, anomalies_memo.len, out);
	return DB_OK;
}

/* The database gauges other than the schema version, written to out. */
static enum db_status database_gauges(struct app *app, int schema_version, FILE *out)
{
	long long rows[STATUS_TABLE__MAX];
	enum db_status st = status_table_rows(app->db, rows);
	if (st != DB_OK)
		return st;
	table_rows(out, rows, 0);
	table_rows(out, rows, 1);
	family(out, "mldash_job_runs", "gauge", "Runs recorded in ml_runs (old runs are pruned).");
	st = status_run_counts(app->db, run_count, out);
	if (st != DB_OK)
		return st;
	if (schema_version >= 4 && (st = anomaly_gauges(app, out)) != DB_OK) /* migration 004's */
		return st;
	return job_outcomes(app, out);
}

/* What this worker last read (the workers are single-threaded processes). */
static struct {
	long long read_at_ms; /* monotonic clock; 0: nothing kept */
	int schema_version;   /* the schema it was read under */
	char *text;           /* the samples of database_gauges */
	size_t len;
} memo;

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 while the memo is younger than METRICS_MEMO_MS. */
static int memo_recent(void)
{
	return memo.text != NULL && monotonic_ms() - memo.read_at_ms < METRICS_MEMO_MS;
}

/* The memo, read again unless recent and read under this schema version. On
 * failure it holds nothing. */
static enum db_status memo_fresh(struct app *app, int schema_version)
{
	if (memo_recent() && memo.schema_version == schema_version)
		return DB_OK;
	free(memo.text);
	memo.text = NULL;
	memo.len = 0;
	FILE *out = open_memstream(&memo.text, &memo.len);
	if (out == NULL)
		return DB_ERROR;
	enum db_status st = database_gauges(app, schema_version, out);
	if (fclose(out) != 0 && st == DB_OK)
		st = DB_ERROR;
	if (st != DB_OK) {
		free(memo.text);
		memo.text = NULL;
		memo.len = 0;
		return st;
	}
	memo.read_at_ms = monotonic_ms();
	memo.schema_version = schema_version;
	return DB_OK;
}

static enum db_status database_metrics(struct app *app, FILE *out)
{
	int version = 0;
	enum db_status st = api_memo_schema(app, memo_recent(), memo.schema_version, memo_fresh,
					    &version);
	if (st != DB_OK)
		return st;
	family(out, "mldash_schema_version", "gauge", "Migrations applied to the database.");
	fprintf(out, "mldash_schema_version %d\n", version);
	if (version >= 1)
		fwrite(memo.text, 1, memo.len, out);
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
	family(out, "mldash_database_up", "gauge",
	       "1 when the database answered within the last second and its connection is open.");
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
