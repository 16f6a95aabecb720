/*
 * runs: the ml_runs rows that record each run of a job (campaign_sync,
 * ml_sync). A scheduled run claims its slot through the unique key
 * (job, slot_time), so that of several schedulers exactly one runs it.
 */
#ifndef MLDASH_RUNS_H
#define MLDASH_RUNS_H

#include "db.h"

enum run_trigger { RUN_SCHEDULE, RUN_MANUAL };

/*
 * Opens a run in status 'running'. slot_time: "YYYY-MM-DD HH:MM:SS" (UTC)
 * for a scheduled slot, or NULL for now (manual runs). Sets *run_id.
 * Returns DB_OK; DB_ERROR with *slot_taken = 1 when another run holds the slot.
 */
enum db_status runs_begin(struct db *db, const char *job, enum run_trigger trigger,
			  const char *slot_time, long long *run_id, int *slot_taken);

/* Closes a run as succeeded or failed, with the rows it read and an error. */
enum db_status runs_finish(struct db *db, long long run_id, int succeeded, unsigned long rows_in,
			   const char *error);

/* Deletes the job's finished runs that started more than days ago (their
 * history; a failure only costs space, so it is the caller's to log). */
enum db_status runs_prune(struct db *db, const char *job, int days);

#endif
