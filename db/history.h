/*
 * history: what outlives the recent ML runs (#16). The day's run (the first
 * to succeed after local midnight) is kept for [ml] keep_daily_days, trimmed
 * to its forecast log, ROI forecast and budget plan; the recent runs stay
 * whole. This module marks and prunes them, reads the kept forecasts to
 * score, and reads a run's scores and anomalies (the days' budget plans come
 * from db/predictions, with the other budget rows).
 * (The rows are written through db/predictions' writer, in the run's
 * transaction.)
 *
 * Days are carried as days since 1970-01-01, as everywhere in results.h.
 */
#ifndef MLDASH_HISTORY_H
#define MLDASH_HISTORY_H

#include "db.h"
#include "results.h"

/* --- the run's own marks (in its transaction) ------------------------------ */

/* Records the last day of data run modelled. */
enum db_status history_set_data_end(struct db *db, long long run_id, long data_end);

/* Makes run the day's run of local_day unless the job has one already;
 * *marked says which. */
enum db_status history_mark_daily(struct db *db, const char *job, long long run_id, long local_day,
				  int *marked);

/* --- pruning (after the run, outside its transaction) ---------------------- */

struct history_pruned {
	unsigned long runs_deleted;  /* recent runs out of the keep_runs newest, not days' runs */
	unsigned long runs_trimmed;  /* days' runs reduced to their forecasts and plan */
	unsigned long daily_expired; /* days' runs older than keep_daily_days */
};

/*
 * Keeps the keep_runs newest succeeded runs of job whole and every day's run
 * from today - keep_daily_days on; trims the days' runs older than the
 * keep_runs newest; deletes everything else of job (failed runs included,
 * but never a running one). Bounded: each call trims and deletes at most
 * HISTORY_PRUNE_BATCH runs, oldest first (a call per run catches up).
 */
#define HISTORY_PRUNE_BATCH 50
enum db_status history_prune(struct db *db, const char *job, int keep_runs, int keep_daily_days,
			     long today, struct history_pruned *out);

/* --- reading ------------------------------------------------------------------ */

/*
 * The days' runs' kept forecasts for days from .. to, ordered by channel
 * (then metric, day, lead, newest run first). Stops early when fn returns
 * non-zero; r is valid during the call only.
 */
typedef int history_forecast_fn(void *ctx, const struct result_logged_forecast *r);
enum db_status history_daily_forecasts(struct db *db, const char *job, long from, long to,
				       history_forecast_fn *fn, void *ctx);

/* run's last day of data (*day = -1 when it has none: no data yet). */
enum db_status history_data_end(struct db *db, long long run_id, long *day);

/*
 * run's scores: every channel ("") or one, every metric (-1) or one, both
 * windows (0) or one. Ordered by channel (the total, "all", last), metric,
 * window, lead. *rows (free()) receives *n.
 */
enum db_status history_accuracy(struct db *db, long long run_id, const char *channel, int metric,
				int window_days, struct result_accuracy **rows, int *n);

/*
 * run's anomalies on days from .. (its last), every channel ("") or one,
 * every metric (-1) or one; newest day first, then by channel and metric.
 * *rows (free()) receives *n.
 */
enum db_status history_anomalies(struct db *db, long long run_id, const char *channel, int metric,
				 long from, struct result_anomaly **rows, int *n);

/* The anomalies of run on its last day of data (the day's surprises),
 * counted per channel, metric and direction ("up", "down"). The strings are
 * valid during the call only. */
typedef int history_anomaly_count_fn(void *ctx, const char *channel, const char *metric,
				     const char *direction, long long count);
enum db_status history_anomaly_counts(struct db *db, long long run_id, history_anomaly_count_fn *fn,
				      void *ctx);

#endif
