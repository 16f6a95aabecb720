#include "runs.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

enum db_status runs_begin(struct db *db, const char *job, enum run_trigger trigger,
			  const char *slot_time, long long *run_id, int *slot_taken)
{
	static struct db_statement at_slot = DB_STATEMENT(
		"INSERT INTO ml_runs (job, triggered_by, slot_time, status, host, pid, started_at)"
		" VALUES (?, ?, ?, 'running', ?, ?, UTC_TIMESTAMP(3))");
	static struct db_statement now = DB_STATEMENT(
		"INSERT INTO ml_runs (job, triggered_by, slot_time, status, host, pid, started_at)"
		" VALUES (?, ?, UTC_TIMESTAMP(3), 'running', ?, ?, UTC_TIMESTAMP(3))");
	char host[256] = "", slot[20];
	gethostname(host, sizeof host - 1);
	*slot_taken = 0;
	const char *trig = trigger == RUN_SCHEDULE ? "schedule" : "manual";
	/* Two manual runs in the same millisecond collide: try the next one. */
	for (int attempt = 0; attempt < 3; attempt++) {
		enum db_status st;
		if (slot_time != NULL) {
			snprintf(slot, sizeof slot, "%.19s", slot_time);
			struct db_value p[] = { db_text(job), db_text(trig), db_text(slot), db_text(host),
						db_int(getpid()) };
			st = db_run_write(db, &at_slot, p, 5, NULL, run_id);
		} else {
			struct db_value p[] = { db_text(job), db_text(trig), db_text(host), db_int(getpid()) };
			st = db_run_write(db, &now, p, 4, NULL, run_id);
		}
		/* Galera: the same slot claimed on another node in the same
		 * instant fails certification here; the retry finds it taken. */
		if (st == DB_ERROR && db_errno(db) == ER_LOCK_DEADLOCK && attempt < 2)
			continue;
		if (st != DB_ERROR || db_errno(db) != ER_DUP_ENTRY)
			return st;
		if (slot_time != NULL) {
			*slot_taken = 1;
			return st;
		}
		usleep(2000);
	}
	*slot_taken = 1;
	return DB_ERROR;
}

enum db_status runs_finish(struct db *db, long long run_id, int succeeded, unsigned long rows_in,
			   const char *error)
{
	static struct db_statement update = DB_STATEMENT(
		"UPDATE ml_runs SET status = ?, finished_at = UTC_TIMESTAMP(3), rows_in = ?,"
		" error = LEFT(?, 4000) WHERE id = ?");
	struct db_value p[] = { db_text(succeeded ? "succeeded" : "failed"), db_int((long long)rows_in),
				db_text(error), db_int(run_id) };
	return db_run_write(db, &update, p, 4, NULL, NULL);
}

enum db_status runs_prune(struct db *db, const char *job, int days)
{
	static struct db_statement prune = DB_STATEMENT(
		"DELETE FROM ml_runs WHERE job = ? AND status <> 'running'"
		" AND started_at < UTC_TIMESTAMP(3) - INTERVAL ? DAY");
	struct db_value p[] = { db_text(job), db_int(days) };
	return db_run_write(db, &prune, p, 2, NULL, NULL);
}

enum db_status runs_fail_dead(struct db *db, const char *job)
{
	static struct db_statement update = DB_STATEMENT(
		"UPDATE ml_runs SET status = 'failed', finished_at = UTC_TIMESTAMP(3),"
		" error = 'the run stopped before finishing (its process or connection died)'"
		" WHERE job = ? AND status = 'running'");
	struct db_value p[] = { db_text(job) };
	return db_run_write(db, &update, p, 1, NULL, NULL);
}

static int read_run_ref(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	struct run_ref *run = ctx;
	run->id = db_col_int(&cols[0]);
	snprintf(run->finished_at, sizeof run->finished_at, "%s", db_col_text(&cols[1]));
	return 1;
}

enum db_status runs_latest(struct db *db, const char *job, struct run_ref *out)
{
#define LATEST_RUN "SELECT id, DATE_FORMAT(finished_at, '%Y-%m-%dT%H:%i:%sZ') FROM ml_runs" \
	" WHERE job = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1"
	static struct db_statement select = DB_STATEMENT(LATEST_RUN);
	/* On a Galera cluster the node waits until it has applied every commit
	 * made anywhere before this read: a run that finished through another
	 * node (a client's sync-now) is what the client's next GET sees. */
	static struct db_statement causal = DB_STATEMENT("SET STATEMENT wsrep_sync_wait = 1 FOR " LATEST_RUN);
#undef LATEST_RUN
	struct db_value p[] = { db_text(job) };
	memset(out, 0, sizeof *out);
	return db_run(db, db_clustered(db) ? &causal : &select, p, 1, read_run_ref, out);
}
