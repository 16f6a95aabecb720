#include "db_internal.h"
#include "status.h"

#include <poll.h>
#include <string.h>

static const struct {
	const char *name;
	int estimated;
} tables[STATUS_TABLE__MAX + 1] = {
	[STATUS_CAMPAIGNS] = { "campaigns", 1 },
	[STATUS_CAMPAIGN_DAILY] = { "campaign_daily", 1 },
	[STATUS_INGEST_FILES] = { "ingest_files", 1 },
	[STATUS_ML_RUNS] = { "ml_runs", 0 },
	[STATUS_ML_ROI_FORECAST] = { "ml_roi_forecast", 1 },
	[STATUS_ML_ROI_TIMESERIES] = { "ml_roi_timeseries", 1 },
	[STATUS_ML_REACH_CTR_TIMESERIES] = { "ml_reach_ctr_timeseries", 1 },
	[STATUS_ML_BUDGET_RECOMMENDATION] = { "ml_budget_recommendation", 1 },
	[STATUS_ML_BUDGET_DAYS] = { "ml_budget_days", 1 },
	[STATUS_ML_CHART_CACHE] = { "ml_chart_cache", 1 },
	[STATUS_ML_FORECAST_LOG] = { "ml_forecast_log", 1 },
	[STATUS_ML_ACCURACY] = { "ml_accuracy", 1 },
	[STATUS_ML_ANOMALIES] = { "ml_anomalies", 1 },
	[STATUS_TABLE__MAX] = { NULL, 0 },
};

const char *status_table_name(enum status_table t)
{
	return t < STATUS_TABLE__MAX ? tables[t].name : NULL;
}

int status_table_estimated(enum status_table t)
{
	return t < STATUS_TABLE__MAX && tables[t].estimated;
}

/*
 * Every table of the schema with the server's estimate (third column 1),
 * then the exact count of ml_runs (0). TABLE_ROWS comes from the table's
 * statistics: the server opens each table but reads none of its rows
 * (innodb_stats_on_metadata is off by default, so neither does it
 * recalculate them here). The table list stays in C: a table the schema
 * gains is simply not reported until it is added to tables[].
 */
static struct db_statement table_rows_sql = DB_STATEMENT(
	"SELECT TABLE_NAME, TABLE_ROWS, 1 FROM information_schema.TABLES"
	" WHERE TABLE_SCHEMA = DATABASE()"
	" UNION ALL SELECT 'ml_runs', COUNT(*), 0 FROM ml_runs");

static int table_row(void *ctx, const struct db_value *cols, int ncols)
{
	long long *rows = ctx;
	if (ncols < 3 || cols[1].type == DB_NULL)
		return 0;
	const char *name = db_col_text(&cols[0]);
	int estimated = db_col_int(&cols[2]) != 0;
	for (int t = 0; t < STATUS_TABLE__MAX; t++)
		/* ml_runs appears twice: keep the row of the method it is reported by. */
		if (strcmp(tables[t].name, name) == 0 && tables[t].estimated == estimated)
			rows[t] = db_col_int(&cols[1]);
	return 0;
}

enum db_status status_table_rows(struct db *db, long long rows[STATUS_TABLE__MAX])
{
	for (int t = 0; t < STATUS_TABLE__MAX; t++)
		rows[t] = -1;
	return db_run(db, &table_rows_sql, NULL, 0, table_row, rows);
}

/* Each job's run with the highest id: the one started last. */
static struct db_statement latest_runs_sql = DB_STATEMENT(
	"SELECT job, id, triggered_by, status,"
	" DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%sZ'),"
	" DATE_FORMAT(finished_at, '%Y-%m-%dT%H:%i:%sZ'), error"
	" FROM ml_runs WHERE id IN (SELECT MAX(id) FROM ml_runs GROUP BY job) ORDER BY job");

static const char *text_or_null(const struct db_value *v)
{
	return v->type == DB_NULL ? NULL : db_col_text(v);
}

struct run_reader {
	status_run_fn *fn;
	void *ctx;
};

static int latest_run(void *ctx, const struct db_value *cols, int ncols)
{
	struct run_reader *r = ctx;
	if (ncols < 7)
		return 0;
	struct status_run run = {
		.job = db_col_text(&cols[0]),
		.id = db_col_int(&cols[1]),
		.trigger = text_or_null(&cols[2]),
		.status = text_or_null(&cols[3]),
		.started_at = text_or_null(&cols[4]),
		.finished_at = text_or_null(&cols[5]),
		.error = text_or_null(&cols[6]),
	};
	return r->fn(r->ctx, &run);
}

enum db_status status_latest_runs(struct db *db, status_run_fn *fn, void *ctx)
{
	struct run_reader r = { fn, ctx };
	return db_run(db, &latest_runs_sql, NULL, 0, latest_run, &r);
}

static struct db_statement run_counts_sql = DB_STATEMENT(
	"SELECT job, status, COUNT(*) FROM ml_runs GROUP BY job, status ORDER BY job, status");

struct run_count_reader {
	status_run_count_fn *fn;
	void *ctx;
};

static int run_count(void *ctx, const struct db_value *cols, int ncols)
{
	struct run_count_reader *r = ctx;
	if (ncols < 3)
		return 0;
	struct status_run_count count = {
		.job = db_col_text(&cols[0]),
		.status = db_col_text(&cols[1]),
		.runs = db_col_int(&cols[2]),
	};
	return r->fn(r->ctx, &count);
}

enum db_status status_run_counts(struct db *db, status_run_count_fn *fn, void *ctx)
{
	struct run_count_reader r = { fn, ctx };
	return db_run(db, &run_counts_sql, NULL, 0, run_count, &r);
}

/* The latest finished run of each job, with the job's latest success: a job
 * that never finished a run has no success either. */
static struct db_statement job_outcomes_sql = DB_STATEMENT(
	"SELECT f.job, f.status = 'succeeded',"
	" TIMESTAMPDIFF(MICROSECOND, f.started_at, f.finished_at) / 1e6,"
	" (SELECT UNIX_TIMESTAMP(MAX(s.finished_at)) FROM ml_runs s"
	"  WHERE s.job = f.job AND s.status = 'succeeded')"
	" FROM ml_runs f WHERE f.id IN"
	" (SELECT MAX(id) FROM ml_runs WHERE status <> 'running' GROUP BY job) ORDER BY f.job");

struct outcome_reader {
	status_job_outcome_fn *fn;
	void *ctx;
};

static int job_outcome(void *ctx, const struct db_value *cols, int ncols)
{
	struct outcome_reader *r = ctx;
	if (ncols < 4)
		return 0;
	struct status_job_outcome outcome = {
		.job = db_col_text(&cols[0]),
		.succeeded = db_col_int(&cols[1]) != 0,
		.duration_seconds = db_col_double(&cols[2]),
		.last_success_unix = db_col_double(&cols[3]),
	};
	return r->fn(r->ctx, &outcome);
}

enum db_status status_job_outcomes(struct db *db, status_job_outcome_fn *fn, void *ctx)
{
	struct outcome_reader r = { fn, ctx };
	return db_run(db, &job_outcomes_sql, NULL, 0, job_outcome, &r);
}

const char *status_server_version(struct db *db)
{
	MYSQL *conn = db_mysql(db);
	return conn ? mysql_get_server_info(conn) : NULL;
}

int status_connection_open(struct db *db)
{
	MYSQL *conn = db_mysql(db);
	if (conn == NULL)
		return 0;
	int fd = (int)mysql_get_socket(conn);
	if (fd < 0)
		return 0;
	/* Readable (end of file, or a packet nobody asked for) or hung up:
	 * not a connection to trust. -1 (EINTR) is not known either. */
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 0;
}
