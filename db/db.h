/*
 * db: one persistent MariaDB connection that heals itself.
 *
 * A lost server is not fatal: queries report DB_UNAVAILABLE (the caller
 * answers 503) and the next call reconnects. Errors are sorted once, here,
 * into "connection gone" and "this statement failed".
 */
#ifndef MLDASH_DB_H
#define MLDASH_DB_H

#include <mysql.h>
#include <stddef.h>

#include "config.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* cannot reach the server: retry later */
	DB_ERROR,       /* the server refused the statement */
	DB_STATUS__MAX
};

struct db;

/* Creates an unconnected handle; cfg must outlive it. Returns NULL on OOM. */
struct db *db_new(const struct mldash_config *cfg);

/* Closes the connection (if any) and frees the handle; NULL is allowed. */
void db_free(struct db *db);

/* Connects when not connected. Returns DB_OK or DB_UNAVAILABLE. */
enum db_status db_connect(struct db *db);

/* Drops the connection so the next call reconnects. */
void db_disconnect(struct db *db);

/*
 * Runs one statement. When the connection turns out to be gone, reconnects
 * once and retries, which is only safe for statements that are idempotent
 * or that ran outside a transaction (callers inside a transaction use
 * db_exec_noretry). *result (when non-NULL) receives the stored result set,
 * owned by the caller (mysql_free_result); it is NULL for statements
 * without one.
 */
enum db_status db_query(struct db *db, const char *sql, MYSQL_RES **result);
enum db_status db_exec_noretry(struct db *db, const char *sql, MYSQL_RES **result);

/* The last error text (server or client), valid until the next call. */
const char *db_error(const struct db *db);

/* The live connection, or NULL when not connected. */
MYSQL *db_mysql(struct db *db);

/* Classifies a MariaDB client or server error number. */
enum db_status db_classify_errno(unsigned int errnum);

#endif
