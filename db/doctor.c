#include "db_internal.h"
#include "doctor.h"

#include <stdio.h>
#include <string.h>

enum db_status doctor_show_grants(struct db *db, db_row_fn *row, void *ctx)
{
	MYSQL_RES *res = NULL;
	enum db_status st = db_query(db, "SHOW GRANTS FOR CURRENT_USER", &res);
	if (st != DB_OK || res == NULL)
		return st;
	MYSQL_ROW r;
	while ((r = mysql_fetch_row(res)) != NULL) {
		unsigned long *lengths = mysql_fetch_lengths(res);
		if (r[0] == NULL || lengths == NULL)
			continue;
		struct db_value v = { .type = DB_TEXT, .s = r[0], .len = lengths[0] };
		if (row(ctx, &v, 1) != 0)
			break;
	}
	mysql_free_result(res);
	return DB_OK;
}

struct text_out {
	char *buf;
	size_t len;
};

static int copy_text(void *ctx, const struct db_value *cols, int ncols)
{
	struct text_out *out = ctx;
	if (ncols >= 1)
		snprintf(out->buf, out->len, "%s", db_col_text(&cols[0]));
	return 1;
}

enum db_status doctor_datadir(struct db *db, char *buf, size_t len)
{
	static struct db_statement sql = DB_STATEMENT("SELECT @@datadir");
	struct text_out out = { buf, len };
	if (len > 0)
		buf[0] = '\0';
	return db_run(db, &sql, NULL, 0, copy_text, &out);
}

static int read_time(void *ctx, const struct db_value *cols, int ncols)
{
	time_t *started = ctx;
	if (ncols >= 1 && cols[0].type != DB_NULL)
		*started = (time_t)db_col_int(&cols[0]);
	return 1;
}

/* The session's time zone is UTC (db.c), as started_at is. */
enum db_status doctor_last_run(struct db *db, const char *job, time_t *started)
{
	static struct db_statement sql = DB_STATEMENT(
		"SELECT CAST(UNIX_TIMESTAMP(MAX(started_at)) AS SIGNED) FROM ml_runs WHERE job = ?");
	struct db_value p[] = { db_text(job) };
	*started = (time_t)-1;
	return db_run(db, &sql, p, 1, read_time, started);
}
