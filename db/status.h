/*
 * status: what /status and /metrics report about the store (how many rows
 * each table holds, what each job's runs did) read without counting the
 * big tables.
 *
 * A COUNT(*) reads every row: 0.1 s and more for 730,000 campaign-days, on
 * every call, which made /status a way to saturate the database. So the
 * tables that grow with the data (campaigns, campaign_daily, ingest_files,
 * and the ml_* results, kept per run until the run is pruned) report the
 * server's estimate: InnoDB's statistics as information_schema.TABLES shows
 * them, which reads no rows. An estimate can be off by a few percent and
 * lags a large write until InnoDB recalculates its statistics (after 10%
 * of a table changed, in the background). Only ml_runs is counted: pruned
 * by age, it is small by construction.
 */
#ifndef MLDASH_STATUS_H
#define MLDASH_STATUS_H

#include "db.h"

/* The tables whose rows are reported, in the order they are listed. */
enum status_table {
	STATUS_CAMPAIGNS,
	STATUS_CAMPAIGN_DAILY,
	STATUS_INGEST_FILES,
	STATUS_ML_RUNS,
	STATUS_ML_ROI_FORECAST,
	STATUS_ML_ROI_TIMESERIES,
	STATUS_ML_REACH_CTR_TIMESERIES,
	STATUS_ML_BUDGET_RECOMMENDATION,
	STATUS_ML_BUDGET_DAYS,
	STATUS_ML_CHART_CACHE,
	STATUS_ML_FORECAST_LOG,
	STATUS_ML_ACCURACY,
	STATUS_ML_ANOMALIES,
	STATUS_TABLE__MAX
};

/* The table's name ("campaign_daily"); static. */
const char *status_table_name(enum status_table t);

/* 1 when the table's rows are the server's estimate, 0 when counted. */
int status_table_estimated(enum status_table t);

/*
 * Rows of each table, indexed by enum status_table: the server's estimate or
 * an exact count as status_table_estimated says; -1 for a table the server
 * does not know. One round trip, and no table's rows are read but ml_runs'.
 */
enum db_status status_table_rows(struct db *db, long long rows[STATUS_TABLE__MAX]);

/* The latest run of one job. The strings are NULL where the column is NULL
 * and valid during the callback only. */
struct status_run {
	const char *job;         /* "ml_sync", "campaign_sync" */
	long long id;
	const char *trigger;     /* "schedule" | "manual" */
	const char *status;      /* "running" | "succeeded" | "failed" */
	const char *started_at;  /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
	const char *finished_at; /* UTC, NULL while running */
	const char *error;       /* the stored error, NULL when none */
};
typedef int status_run_fn(void *ctx, const struct status_run *run);

/* Calls fn for each job's latest run (any status), ordered by job. A
 * non-zero return stops the reading. */
enum db_status status_latest_runs(struct db *db, status_run_fn *fn, void *ctx);

/* How many runs ml_runs holds of one job in one status (old runs are
 * pruned, so this is the recent history). Strings valid during the callback. */
struct status_run_count {
	const char *job;
	const char *status;
	long long runs;
};
typedef int status_run_count_fn(void *ctx, const struct status_run_count *count);

/* Calls fn for each (job, status) with runs, ordered by job and status. */
enum db_status status_run_counts(struct db *db, status_run_count_fn *fn, void *ctx);

/* One job's latest finished run (succeeded or failed), and its latest
 * success. job is valid during the callback only. */
struct status_job_outcome {
	const char *job;
	int succeeded;              /* the latest finished run succeeded */
	double duration_seconds;    /* of the latest finished run; NaN when unknown */
	double last_success_unix;   /* finish of the latest success (Unix time); NaN when none */
};
typedef int status_job_outcome_fn(void *ctx, const struct status_job_outcome *outcome);

/* Calls fn for each job with a finished run, ordered by job. */
enum db_status status_job_outcomes(struct db *db, status_job_outcome_fn *fn, void *ctx);

/* The server's version text ("10.11.19-MariaDB-..."), or NULL when not
 * connected. Valid until the connection is dropped. */
const char *status_server_version(struct db *db);

/*
 * 1 when db is connected and the server has not closed the connection: a
 * look at the socket, without a round trip. An idle connection has nothing
 * to read; a server that stopped, crashed or restarted has closed it (or
 * sent an error), which this notices at once. A server that hangs with the
 * connection open is only noticed by the next statement, so a caller that
 * trusts this must still run one now and then.
 */
int status_connection_open(struct db *db);

#endif
