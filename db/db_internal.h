/*
 * db_internal: the MariaDB client's view of a struct db, for the modules of
 * db/ only (the layer's boundary: nothing outside db/ includes mysql.h).
 */
#ifndef MLDASH_DB_INTERNAL_H
#define MLDASH_DB_INTERNAL_H

#include <mysql.h>

#include "db.h"

/* The live connection, or NULL when not connected. */
MYSQL *db_mysql(struct db *db);

/*
 * Runs one text statement (DDL, session settings, statements built from
 * trusted pieces such as migrations). Retries once on a fresh connection
 * like db_run; *result (when non-NULL) receives the stored result set,
 * owned by the caller (mysql_free_result); NULL for statements without one.
 */
enum db_status db_query(struct db *db, const char *sql, MYSQL_RES **result);
enum db_status db_exec_noretry(struct db *db, const char *sql, MYSQL_RES **result);

/* Records the error of a failed prepared statement and classifies it (a
 * lost connection is dropped). */
enum db_status db_statement_failed(struct db *db, MYSQL_STMT *stmt, const char *what);

/*
 * A growing array of result rows, filled by db_run row callbacks (the
 * readers of db/): collect_next gives a zeroed row (NULL when out of
 * memory, remembered); collected_out hands the rows over, or frees them
 * and gives the error when the read or an allocation failed.
 */
struct collected {
	void *rows;
	size_t size; /* of one */
	int n, cap, failed;
};
void *collect_next(struct collected *c);
enum db_status collected_out(enum db_status st, struct collected *c, void **rows, int *n);

#endif
