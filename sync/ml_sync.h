/*
 * ml_sync: the ML sync job. Campaign days summed per channel and day
 * (db/campaigns) → forecasts (models/ets) and a budget plan (models/plan) →
 * one ml_runs row, the rows of the four prediction tables and the four
 * default charts drawn from those results (db/predictions), written in one
 * transaction, the run marked succeeded last. Readers see the latest
 * succeeded run only.
 *
 * Closing the loop (#16): each run also keeps its forecasts at the scored
 * lead times, scores the days' runs' earlier forecasts against the actuals
 * it read (models/accuracy) and stores its anomalies. The first run to
 * succeed after local midnight (the slot's time, or now, in [schedule]
 * timezone) is the day's run; after the commit the runs are pruned
 * (db/history: keep_runs recent ones whole, the days' runs for
 * keep_daily_days).
 *
 * One run at a time across all hosts: a run holds the job's lease
 * (db/leases), renewed at each step on a connection of its own; a run that
 * loses it rolls back. A run whose process died leaves its row 'running'
 * and its lease to expire (or to be taken over at once on its own host);
 * the next run marks such rows failed.
 */
#ifndef MLDASH_ML_SYNC_H
#define MLDASH_ML_SYNC_H

#include "config.h"
#include "db.h"
#include "history.h"
#include "predictions.h"
#include "progress.h"
#include "runs.h"

enum ml_result {
	ML_OK,
	ML_BUSY,   /* another run holds the lease: run_id names it */
	ML_SLOT_TAKEN, /* a scheduled slot another scheduler has claimed */
	ML_FAILED, /* error says why; the previous run stays in place */
};

struct ml_summary {
	long long run_id;      /* this run, or the running one for ML_BUSY */
	double seconds;
	unsigned long rows_in; /* channel-days read */
	int channels;
	int series_fitted;
	unsigned long rows_written[PREDICTION_TABLE__MAX];
	long local_day;        /* the run's date where it runs ([schedule] timezone) */
	int daily;             /* 1: the first run to succeed that day, kept (db/history) */
	struct history_pruned pruned;
	char error[512];
	enum db_status db_status; /* for ML_FAILED */
};

/* Runs the pipeline once. slot_time as for runs_begin (NULL: manual, now).
 * progress (NULL: none) hears of its steps (PROGRESS_STEP: reading,
 * fitting series i of N, the budget, scoring, writing) and, when the run
 * got as far as its first step, of its end (PROGRESS_DONE). */
enum ml_result ml_sync_run(struct db *db, const struct mldash_config *cfg,
			   enum run_trigger trigger, const char *slot_time,
			   const struct progress_sink *progress, struct ml_summary *out);

#endif
