/*
 * runs: the ml_runs rows that record each run of a job (campaign_sync,
 * ml_sync).
 *
 * A scheduled run claims its slot through the unique key (job, slot_time),
 * so that of several schedulers exactly one runs it (on Galera a claim made
 * on two nodes at once fails certification on one: it is tried again and
 * then finds the slot taken). One run of the ML sync at a time is the job
 * of its lease (db/leases); a process that dies leaves its row 'running'
 * until the next run, holding the lease, marks it failed.
 */
#ifndef MLDASH_RUNS_H
#define MLDASH_RUNS_H

#include "db.h"

enum run_trigger { RUN_SCHEDULE, RUN_MANUAL };

/* A finished run, as readers see it. id 0: none yet. */
struct run_ref {
	long long id;
	char finished_at[24]; /* "YYYY-MM-DDTHH:MM:SSZ" */
};

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

/* Marks the job's 'running' rows failed: called by the lease's holder, the
 * only live run, so they belong to processes that died. */
enum db_status runs_fail_dead(struct db *db, const char *job);

/* The job's newest succeeded run. */
enum db_status runs_latest(struct db *db, const char *job, struct run_ref *out);

#endif
