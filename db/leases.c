#include "leases.h"

#include <errno.h>
#include <mysqld_error.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum db_status lease_create_table(struct db *db)
{
	static struct db_statement create = DB_STATEMENT(
		"CREATE TABLE IF NOT EXISTS job_leases ("
		" name VARCHAR(64) NOT NULL PRIMARY KEY,"
		" holder VARCHAR(160) NOT NULL COMMENT 'host:pid:tag of the process holding it',"
		" run_id BIGINT UNSIGNED NULL COMMENT 'the run it is held for, when one',"
		" expires_at DATETIME(3) NOT NULL COMMENT 'UTC, the database''s clock'"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
	return db_run_write(db, &create, NULL, 0, NULL, NULL);
}

/* Where this process runs, as precisely as a pid is meaningful: the host
 * name, the boot (two containers named alike on one machine share it) and
 * the pid namespace (they do not share that). */
static void local_place(char *out, size_t len)
{
	char host[64] = "", boot[40] = "", ns[64] = "";
	gethostname(host, sizeof host - 1);
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f != NULL) {
		if (fgets(boot, sizeof boot, f) == NULL)
			boot[0] = '\0';
		fclose(f);
	}
	ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
	ns[n > 0 ? n : 0] = '\0';
	/* pid:[4026531836] -> its number; the boot id's first 8 hex digits. */
	const char *inode = strchr(ns, '[');
	snprintf(out, len, "%.63s/%.8s/%.20s", host, boot, inode ? inode + 1 : "");
	char *close = strchr(out, ']');
	if (close != NULL)
		*close = '\0';
}

/* place:pid:tag, unique to this take (a process takes a lease many times). */
static void holder_name(char *out, size_t len)
{
	static unsigned counter;
	char place[128];
	local_place(place, sizeof place);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, len, "%.100s:%ld:%lx.%u", place, (long)getpid(),
		 (unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec, ++counter);
}

static int read_text(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	snprintf(ctx, 160, "%s", cols[0].type == DB_NULL ? "" : db_col_text(&cols[0]));
	return 1;
}

/* Two hosts writing the row at once: on one server the second waits and then
 * sees the first's lease; on Galera one of them fails certification,
 * reported as a deadlock (or, taking a fresh row, as a duplicate key). */
static int lost_the_race(struct db *db)
{
	unsigned e = db_errno(db);
	return e == ER_LOCK_DEADLOCK || e == ER_DUP_ENTRY || e == ER_LOCK_WAIT_TIMEOUT;
}

/* Whether holder (place:pid:tag) is a process of this place (host, boot,
 * pid namespace) that has died: its lease need not be waited out. */
static int holder_died_here(const char *holder)
{
	char place[128] = "", mine[128];
	long pid = 0;
	local_place(mine, sizeof mine);
	if (sscanf(holder, "%127[^:]:%ld:", place, &pid) != 2 || pid <= 0 || strcmp(place, mine) != 0)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Takes over the lease of a holder that died on this host. */
static enum db_status take_from_dead(struct db *db, struct lease *l, const char *dead, int *taken)
{
	static struct db_statement take = DB_STATEMENT(
		"UPDATE job_leases SET holder = ?, run_id = NULL,"
		" expires_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE name = ? AND holder = ?");
	struct db_value p[] = { db_text(l->holder), db_int(l->seconds), db_text(l->name), db_text(dead) };
	unsigned long long changed = 0;
	enum db_status st = db_run_write(db, &take, p, 4, &changed, NULL);
	if (st == DB_ERROR && lost_the_race(db))
		return DB_OK;
	*taken = st == DB_OK && changed == 1;
	if (*taken)
		log_warn("lease %s: taken over from %s, which died on this host", l->name, dead);
	return st;
}

enum db_status lease_take(struct db *db, const char *name, int seconds, struct lease *l, int *taken)
{
	/* The holder changes only when the row has expired; the expiry moves
	 * only for the holder now in place (this one, when it took it). */
	static struct db_statement take = DB_STATEMENT(
		"INSERT INTO job_leases (name, holder, run_id, expires_at)"
		" VALUES (?, ?, NULL, UTC_TIMESTAMP(3) + INTERVAL ? SECOND)"
		" ON DUPLICATE KEY UPDATE"
		" run_id = IF(expires_at < UTC_TIMESTAMP(3), NULL, run_id),"
		" holder = IF(expires_at < UTC_TIMESTAMP(3), VALUES(holder), holder),"
		" expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)");
	static struct db_statement who = DB_STATEMENT("SELECT holder FROM job_leases WHERE name = ?");
	memset(l, 0, sizeof *l);
	*taken = 0;
	snprintf(l->name, sizeof l->name, "%s", name);
	l->seconds = seconds;
	holder_name(l->holder, sizeof l->holder);
	struct db_value p[] = { db_text(l->name), db_text(l->holder), db_int(seconds) };
	enum db_status st = db_run_write(db, &take, p, 3, NULL, NULL);
	if (st == DB_ERROR && lost_the_race(db))
		return DB_OK;
	if (st != DB_OK)
		return st;
	char holder[160] = "";
	struct db_value q[] = { db_text(l->name) };
	if ((st = db_run(db, &who, q, 1, read_text, holder)) != DB_OK)
		return st;
	*taken = strcmp(holder, l->holder) == 0;
	if (!*taken && holder_died_here(holder) && (st = take_from_dead(db, l, holder, taken)) != DB_OK)
		return st;
	l->renewed_at = monotonic_seconds();
	return DB_OK;
}

enum db_status lease_set_run(struct db *db, const struct lease *l, long long run_id)
{
	static struct db_statement update = DB_STATEMENT(
		"UPDATE job_leases SET run_id = ? WHERE name = ? AND holder = ?");
	struct db_value p[] = { db_int(run_id), db_text(l->name), db_text(l->holder) };
	return db_run_write(db, &update, p, 3, NULL, NULL);
}

static int read_int(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	*(long long *)ctx = cols[0].type == DB_NULL ? 0 : db_col_int(&cols[0]);
	return 1;
}

enum db_status lease_run(struct db *db, const char *name, long long *run_id)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT run_id FROM job_leases WHERE name = ? AND expires_at >= UTC_TIMESTAMP(3)");
	struct db_value p[] = { db_text(name) };
	*run_id = 0;
	return db_run(db, &select, p, 1, read_int, run_id);
}

int lease_keep(struct db *db, struct lease *l)
{
	static struct db_statement renew = DB_STATEMENT(
		"UPDATE job_leases SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND"
		" WHERE name = ? AND holder = ? AND expires_at >= UTC_TIMESTAMP(3)");
	double now = monotonic_seconds();
	if (now - l->renewed_at < l->seconds / 3.0)
		return 0;
	struct db_value p[] = { db_int(l->seconds), db_text(l->name), db_text(l->holder) };
	unsigned long long changed = 0;
	/* A failed renewal is tried again at once: a lost connection is
	 * reopened by the next statement, a Galera conflict clears. */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (db_run_write(db, &renew, p, 3, &changed, NULL) == DB_OK) {
			if (changed != 1) {
				log_error("lease %s: lost (expired, or another holder took it)", l->name);
				return -1;
			}
			l->renewed_at = now;
			return 0;
		}
	}
	log_error("lease %s: cannot renew it: %s", l->name, db_error(db));
	return now - l->renewed_at < l->seconds * 2 / 3.0 ? 0 : -1;
}

void lease_release(struct db *db, struct lease *l)
{
	static struct db_statement release = DB_STATEMENT(
		"DELETE FROM job_leases WHERE name = ? AND holder = ?");
	struct db_value p[] = { db_text(l->name), db_text(l->holder) };
	if (db_run_write(db, &release, p, 2, NULL, NULL) != DB_OK)
		log_warn("lease %s: cannot release it (it expires in %d s): %s", l->name, l->seconds,
			 db_error(db));
}
