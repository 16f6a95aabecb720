/*
 * predictions: an ML run's results (models/results.h) in and out of the
 * ml_* result tables (the four prediction tables and ml_budget_days, the
 * days the budget's curves were fitted from), and its cached charts in
 * ml_chart_cache.
 *
 * Each table's columns are named once, here, with the code that turns a
 * result into its values and a row back into a result. Writes are batched
 * into array-bound INSERTs inside the run's transaction, but for the budget
 * rows (below).
 */
#ifndef MLDASH_PREDICTIONS_H
#define MLDASH_PREDICTIONS_H

#include <stddef.h>

#include "db.h"
#include "results.h"

enum prediction_table {
	PREDICTION_ROI_FORECAST, PREDICTION_ROI_DAYS, PREDICTION_REACH_DAYS, PREDICTION_BUDGET,
	PREDICTION_BUDGET_DAYS, PREDICTION_FORECAST_LOG, PREDICTION_ACCURACY, PREDICTION_ANOMALIES,
	PREDICTION_TABLE__MAX
};
extern const char *const prediction_table_names[PREDICTION_TABLE__MAX]; /* "ml_roi_forecast", ... */

/* --- writing (the ML sync, inside its transaction) ------------------------ */

struct prediction_writer;

/* NULL when out of memory. */
struct prediction_writer *prediction_writer_new(struct db *db, long long run_id);
/* Frees what is still batched without writing it. NULL is allowed. */
void prediction_writer_free(struct prediction_writer *w);

/* Each batches one row, writing the batch when it is full. */
enum db_status prediction_put_forecast(struct prediction_writer *w, const struct result_roi_forecast *r);
enum db_status prediction_put_roi_day(struct prediction_writer *w, const char *channel,
				      const struct result_roi_day *r);
enum db_status prediction_put_reach_day(struct prediction_writer *w, const char *channel,
					const struct result_reach_day *r);
/* A budget row is written at once, not batched: it carries its curve's
 * bootstrap draws as a few kilobytes of text, and there is one a channel.
 * Returns the write's status. */
enum db_status prediction_put_budget(struct prediction_writer *w, const struct result_budget *r);
/* One day of channel's curve data; the caller puts only days with both
 * spend and revenue known. */
enum db_status prediction_put_budget_day(struct prediction_writer *w, const char *channel,
					 const struct result_budget_day *r);

/* The run's kept forecasts (ml_forecast_log), its scores of the days' runs'
 * earlier ones (ml_accuracy) and its anomalies (ml_anomalies): db/history
 * reads them. */
enum db_status prediction_put_logged(struct prediction_writer *w,
				     const struct result_logged_forecast *r);
enum db_status prediction_put_accuracy(struct prediction_writer *w, const struct result_accuracy *r);
enum db_status prediction_put_anomaly(struct prediction_writer *w, const struct result_anomaly *r);

/* Writes every batched row. */
enum db_status prediction_flush(struct prediction_writer *w);

/* Rows put so far into table. */
unsigned long prediction_rows(const struct prediction_writer *w, enum prediction_table table);

/* Stores a drawn chart of run (theme "light" or "dark"). */
enum db_status prediction_put_chart(struct db *db, long long run_id, const char *chart, int width,
				    int height, const char *theme, const char *etag,
				    const unsigned char *png, size_t len);

/* --- reading (the API, the CLI) -------------------------------------------- */

/*
 * The ROI forecasts of run: every channel ("" ) or one, best ROI first,
 * unknown ROI after the known ones and the total over channels last.
 * *rows (free()) receives *n results.
 */
enum db_status prediction_forecasts(struct db *db, long long run_id, const char *channel,
				    struct result_roi_forecast **rows, int *n);

/* The budget advice of run, by channel name. *rows (free()) receives *n. */
enum db_status prediction_budget(struct db *db, long long run_id, struct result_budget **rows, int *n);

/* One day's plan of one channel, as the day's run stored it (#16). */
struct prediction_daily_plan {
	long long run_id;
	long daily_for, data_end;    /* the plan's local day, and its last day of data */
	struct result_budget budget; /* its curve without draws (trimmed) */
};

/*
 * The days' runs' budget plans (ml_runs.daily_for set) of job whose data_end
 * is from .. to, every channel ("") or one, oldest plan first, by channel
 * within a plan. Stops early when fn returns non-zero; r is valid during the
 * call only.
 */
typedef int prediction_daily_plan_fn(void *ctx, const struct prediction_daily_plan *r);
enum db_status prediction_daily_plans(struct db *db, const char *job, long from, long to,
				      const char *channel, prediction_daily_plan_fn *fn, void *ctx);

/*
 * The daily rows of run for every channel ("") or one, the total first, then
 * by channel, day, actual before forecast. days > 0 keeps only the actual
 * days within days of the last actual day (forecast days always come).
 * Stops early when fn returns non-zero.
 */
typedef int prediction_roi_day_fn(void *ctx, const char *channel, const struct result_roi_day *r);
typedef int prediction_reach_day_fn(void *ctx, const char *channel, const struct result_reach_day *r);
enum db_status prediction_roi_days(struct db *db, long long run_id, const char *channel, int days,
				   prediction_roi_day_fn *fn, void *ctx);
enum db_status prediction_reach_days(struct db *db, long long run_id, const char *channel, int days,
				     prediction_reach_day_fn *fn, void *ctx);

/*
 * The days run's budget curves were fitted from, for every channel ("") or
 * one, by channel and day. days > 0 keeps only the days within days of the
 * run's last one. Stops early when fn returns non-zero; the channel and r
 * are valid during the call only.
 */
typedef int prediction_budget_day_fn(void *ctx, const char *channel, const struct result_budget_day *r);
enum db_status prediction_budget_days(struct db *db, long long run_id, const char *channel, int days,
				      prediction_budget_day_fn *fn, void *ctx);

/* A cached chart: *png (free()) and *len, and its ETag; *png stays NULL
 * when run has no such chart. */
enum db_status prediction_chart(struct db *db, long long run_id, const char *chart, int width,
				int height, const char *theme, char etag[24], unsigned char **png,
				size_t *len);

#endif
