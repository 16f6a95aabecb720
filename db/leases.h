/*
 * leases: one holder at a time across every host, through a row of
 * job_leases rather than a lock. MariaDB's named locks (GET_LOCK) hold on
 * one server only and are refused on a Galera node; a row is replicated
 * like any other, and two hosts taking it at once conflict like any two
 * writes (on Galera: one certification fails, reported as a deadlock, and
 * that host is told the lease is taken).
 *
 * A lease has a name (the job), a holder (host, pid and a random tag) and
 * an expiry on the database's clock. Taking it succeeds when the row is
 * absent or expired; the holder renews it while it works (lease_keep at
 * least every LEASE_SECONDS / 3) and releases it at the end; a holder that
 * dies leaves it to expire, unless it died where the one that wants it next
 * runs (the same host name, boot and pid namespace, and its pid gone): that
 * one takes it over at once. The expiry is the database's clock: on a
 * cluster the nodes' clocks must agree (NTP). Statements run on their own (autocommit): use a
 * connection that is not inside a long transaction, or others would not see
 * the renewals.
 */
#ifndef MLDASH_LEASES_H
#define MLDASH_LEASES_H

#include "db.h"

/* How long a job's lease lasts without renewal: how long a dead holder on
 * another host blocks. Migrations, which cannot renew while one ALTER runs,
 * take theirs for LEASE_MIGRATE_SECONDS. */
#define LEASE_SECONDS 60
#define LEASE_MIGRATE_SECONDS 3600

struct lease {
	char name[64];
	char holder[160];
	int seconds;       /* its length */
	double renewed_at; /* monotonic seconds of the last take or renewal */
};

/* The lease table, created if absent (migrations take a lease too, so it
 * cannot wait for one). */
enum db_status lease_create_table(struct db *db);

/*
 * Takes the lease name for seconds: *taken = 1 when this process now holds
 * it (l is filled), 0 when a live holder has it or another host took it in
 * the same instant. DB_OK either way; an error only when the database failed.
 */
enum db_status lease_take(struct db *db, const char *name, int seconds, struct lease *l, int *taken);

/* Records the run the lease is held for (shown to those turned away). */
enum db_status lease_set_run(struct db *db, const struct lease *l, long long run_id);

/* The run the live holder of name works for (0: none, or not recorded). */
enum db_status lease_run(struct db *db, const char *name, long long *run_id);

/*
 * Renews l when a third of its time has passed (call it at least that
 * often: every step of a job): returns 0 while it is held,
 * -1 when it was lost (it expired and another took it, or the database
 * failed: the holder must stop and roll back what it did under it).
 */
int lease_keep(struct db *db, struct lease *l);

/* Gives the lease up (a failure leaves it to expire). */
void lease_release(struct db *db, struct lease *l);

#endif
