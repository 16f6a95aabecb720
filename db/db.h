/*
 * db: one persistent MariaDB connection that heals itself, and the
 * statements run on it.
 *
 * A lost server is not fatal: calls report DB_UNAVAILABLE (the caller
 * answers 503) and the next call reconnects. Errors are sorted once, here,
 * into "connection gone" and "this statement failed".
 *
 * Statements are compile-time text (struct db_statement), prepared on a
 * connection the first time they run there and again after a reconnect;
 * values travel as parameters, never inside the SQL. Outside a transaction
 * a statement that finds the connection gone is retried once on a fresh
 * one (it did not run); inside one (db_begin) it is not, since the
 * transaction died with the connection.
 *
 * The MariaDB client's types stay inside db/ (db_internal.h).
 */
#ifndef MLDASH_DB_H
#define MLDASH_DB_H

#include <stddef.h>

#include "config.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* cannot reach the server: retry later */
	DB_ERROR,       /* the server refused the statement */
	DB_STATUS__MAX
};

/* A parameter or a column value. */
enum db_type { DB_NULL, DB_INT, DB_DOUBLE, DB_TEXT };
struct db_value {
	enum db_type type;
	long long i;   /* DB_INT */
	double d;      /* DB_DOUBLE */
	const char *s; /* DB_TEXT: len bytes (columns: also NUL-terminated) */
	size_t len;
};

/* Parameter constructors. A NaN or infinite double and a NULL string are
 * SQL NULL: the store never holds a non-finite number. */
struct db_value db_int(long long i);
struct db_value db_double(double d);
struct db_value db_text(const char *s);
struct db_value db_bytes(const void *s, size_t len);
struct db_value db_null(void);

/* Column readers: NaN, 0 or "" for NULL. */
double db_col_double(const struct db_value *v);
long long db_col_int(const struct db_value *v);
const char *db_col_text(const struct db_value *v);

/* Declare statements as `static struct db_statement x = DB_STATEMENT("...")`. */
struct db_statement {
	const char *sql;
	int slot; /* index of its prepared handle on a connection; -1 until first use */
};
#define DB_STATEMENT(text) { (text), -1 }

/* Called once per result row; cols are valid during the call only. A
 * non-zero return stops reading (the call still returns DB_OK). */
typedef int db_row_fn(void *ctx, const struct db_value *cols, int ncols);

struct db;

/* Creates an unconnected handle; cfg must outlive it. Returns NULL on OOM. */
struct db *db_new(const struct mldash_config *cfg);

/* Closes the connection (if any) and frees the handle; NULL is allowed. */
void db_free(struct db *db);

/* Connects when not connected. Returns DB_OK or DB_UNAVAILABLE. */
enum db_status db_connect(struct db *db);

/* Drops the connection (and its prepared statements) so the next call
 * reconnects. */
void db_disconnect(struct db *db);

/* 1 while connected (as far as the client knows). */
int db_connected(const struct db *db);

/*
 * Runs statement st with nparams parameters, calling row (may be NULL) for
 * each result row. *affected (may be NULL) receives the rows changed, and
 * *insert_id (may be NULL) the AUTO_INCREMENT value it generated.
 */
enum db_status db_run(struct db *db, struct db_statement *st, const struct db_value *params,
		      int nparams, db_row_fn *row, void *ctx);
enum db_status db_run_write(struct db *db, struct db_statement *st, const struct db_value *params,
			    int nparams, unsigned long long *affected, long long *insert_id);

/*
 * Runs an INSERT of ncols parameters once for each of nrows rows in one
 * round trip (MariaDB's array binding). values holds nrows x ncols values,
 * row after row; types gives each column's type (a value may also be
 * DB_NULL).
 */
enum db_status db_run_rows(struct db *db, struct db_statement *st, const enum db_type *types,
			   int ncols, const struct db_value *values, unsigned nrows);

/* Whether the configuration lists several database hosts ([database]
 * hosts: a Galera cluster's nodes), where reads that must see the latest
 * commit anywhere wait for it (wsrep_sync_wait) and big transactions
 * replicate in fragments. */
int db_clustered(const struct db *db);

/* [database] galera_fragment_rows: the rows of a big transaction replicated
 * together on a cluster (0: the whole transaction as one write set). */
int db_fragment_rows(const struct db *db);

/* Transactions. db_begin starts one (READ COMMITTED when read_committed);
 * db_commit and db_rollback end it (db_rollback on a lost connection is a
 * no-op: the server rolled it back). */
enum db_status db_begin(struct db *db, int read_committed);
enum db_status db_commit(struct db *db);
void db_rollback(struct db *db);

/* The last error text (server or client), valid until the next call. */
const char *db_error(const struct db *db);

/* MariaDB's number of the last error, 0 if none. */
unsigned int db_errno(const struct db *db);

/* Classifies a MariaDB client or server error number. */
enum db_status db_classify_errno(unsigned int errnum);

#endif
