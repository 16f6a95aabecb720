#include "db_internal.h"
#include "runs.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum db_status runs_begin(struct db *db, const char *job, enum run_trigger trigger,
			  const char *slot_time, long long *run_id, int *slot_taken)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	char host_sql[2 * sizeof host + 1], slot_sql[64], sql[1024];
	*slot_taken = 0;
	enum db_status st = db_connect(db);
	if (st != DB_OK)
		return st;
	mysql_real_escape_string(db_mysql(db), host_sql, host, (unsigned long)strlen(host));
	if (slot_time != NULL)
		snprintf(slot_sql, sizeof slot_sql, "'%.19s'", slot_time);
	else
		snprintf(slot_sql, sizeof slot_sql, "UTC_TIMESTAMP(3)");

	/* Two manual runs in the same millisecond collide: try the next one. */
	for (int attempt = 0; attempt < 3; attempt++) {
		snprintf(sql, sizeof sql,
			 "INSERT INTO ml_runs (job, triggered_by, slot_time, status, host, pid, started_at)"
			 " VALUES ('%s', '%s', %s, 'running', '%s', %ld, UTC_TIMESTAMP(3))",
			 job, trigger == RUN_SCHEDULE ? "schedule" : "manual", slot_sql, host_sql,
			 (long)getpid());
		st = db_query(db, sql, NULL);
		if (st == DB_OK) {
			*run_id = (long long)mysql_insert_id(db_mysql(db));
			return DB_OK;
		}
		if (st != DB_ERROR || mysql_errno(db_mysql(db)) != ER_DUP_ENTRY)
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
	char *escaped = NULL;
	size_t len = error ? strlen(error) : 0;
	if (len > 4000)
		len = 4000;
	if (error != NULL) {
		escaped = malloc(2 * len + 1);
		if (escaped == NULL || db_connect(db) != DB_OK) {
			free(escaped);
			return DB_UNAVAILABLE;
		}
		mysql_real_escape_string(db_mysql(db), escaped, error, (unsigned long)len);
	}
	size_t sqllen = 2 * len + 256;
	char *sql = malloc(sqllen);
	if (sql == NULL) {
		free(escaped);
		return DB_ERROR;
	}
	snprintf(sql, sqllen,
		 "UPDATE ml_runs SET status = '%s', finished_at = UTC_TIMESTAMP(3), rows_in = %lu,"
		 " error = %s%s%s WHERE id = %lld",
		 succeeded ? "succeeded" : "failed", rows_in, escaped ? "'" : "",
		 escaped ? escaped : "NULL", escaped ? "'" : "", run_id);
	enum db_status st = db_query(db, sql, NULL);
	free(sql);
	free(escaped);
	return st;
}

enum db_status runs_prune(struct db *db, const char *job, int days)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "DELETE FROM ml_runs WHERE job = '%s' AND status <> 'running'"
		 " AND started_at < UTC_TIMESTAMP(3) - INTERVAL %d DAY", job, days);
	return db_query(db, sql, NULL);
}
