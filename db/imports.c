#include "imports.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "db_internal.h"
#include "hex.h"

/* One campaign-day as MariaDB reads it with row-wise array binding: a
 * batch is one array of these, sent in one round trip. Ids, counts and the
 * day go in binary (no conversion on the server); amounts go as their
 * decimal text, exact for DECIMAL columns. */
struct daily_row {
	unsigned long long campaign_id;
	char campaign_ind;
	MYSQL_TIME day;
	char day_ind;
	char amount[3][IMPORTS_DECIMAL_MAX]; /* spend, conversions, revenue */
	char amount_ind[3];
	unsigned long long count[3];         /* impressions, reach, clicks */
	char count_ind[3];
	unsigned long long file_id;
	char file_ind;
};

struct imports {
	struct db *db;
	unsigned capacity;        /* rows per imports_write_days */
	struct daily_row *rows;   /* [capacity], bound to daily */
	MYSQL *conn;              /* the connection daily was prepared on */
	MYSQL_STMT *daily;
	long long file_id;        /* this file's ingest_files row, 0 when none */
	int foreign_keys_off;     /* this session turned foreign_key_checks off */
	int in_transaction;       /* begun and neither committed nor rolled back */
	unsigned int errnum;
	char error[512];
};

/*
 * Rows of one campaign-day from this file are summed (ad-level and
 * breakdown rows); a row from an earlier file is replaced (platforms restate
 * recent days). COALESCE(a + b, a, b) keeps NULL (unknown) only when both are
 * unknown. Assignments run left to right, so ingest_file_id changes last.
 */
#define SAME_FILE "ingest_file_id <=> VALUES(ingest_file_id)"
#define SUMMED(col) col " = IF(" SAME_FILE ", COALESCE(" col " + VALUES(" col "), " col \
		    ", VALUES(" col ")), VALUES(" col "))"
static const char daily_upsert[] =
	"INSERT INTO campaign_daily (campaign_id, day, spend, conversions, revenue, impressions,"
	" reach, clicks, ingest_file_id) VALUES (?,?,?,?,?,?,?,?,?)"
	" ON DUPLICATE KEY UPDATE"
	" reach_is_upper_bound = IF(" SAME_FILE ", reach_is_upper_bound OR"
	" (reach IS NOT NULL AND VALUES(reach) IS NOT NULL), FALSE), "
	SUMMED("spend") ", " SUMMED("impressions") ", " SUMMED("reach") ", " SUMMED("clicks") ", "
	SUMMED("conversions") ", " SUMMED("revenue") ","
	" ingest_file_id = VALUES(ingest_file_id)";
#define DAILY_PARAMS 9

/* --- errors ------------------------------------------------------------- */

/* Keeps the connection's error for imports_error; returns st. */
static enum db_status db_failed(struct imports *im, enum db_status st)
{
	im->errnum = db_errno(im->db);
	snprintf(im->error, sizeof im->error, "%s", db_error(im->db));
	return st;
}

/* A failure of this module's own (not the server's). */
static enum db_status own_failure(struct imports *im, enum db_status st, const char *why)
{
	im->errnum = 0;
	snprintf(im->error, sizeof im->error, "%s", why);
	return st;
}

const char *imports_error(const struct imports *im)
{
	return im->error;
}

unsigned int imports_errno(const struct imports *im)
{
	return im->errnum;
}

int imports_deadlocked(unsigned int errnum)
{
	return errnum == ER_LOCK_DEADLOCK;
}

int imports_out_of_range(unsigned int errnum)
{
	return errnum == ER_WARN_DATA_OUT_OF_RANGE;
}

/* --- the session -------------------------------------------------------- */

struct imports *imports_new(struct db *db, unsigned batch_rows)
{
	struct imports *im = calloc(1, sizeof *im);
	if (im == NULL)
		return NULL;
	im->db = db;
	im->capacity = batch_rows ? batch_rows : 1;
	im->rows = calloc(im->capacity, sizeof *im->rows);
	if (im->rows == NULL) {
		free(im);
		return NULL;
	}
	return im;
}

void imports_free(struct imports *im)
{
	if (im == NULL)
		return;
	/* Safe also when the connection is gone: the client detached the
	 * statement when it closed the connection. */
	if (im->daily != NULL)
		mysql_stmt_close(im->daily);
	/* Whatever did not commit is rolled back: nothing half-imported shows. */
	if (im->in_transaction)
		db_rollback(im->db);
	/* On a connection that is gone the server forgot the setting with it. */
	if (im->foreign_keys_off && db_mysql(im->db) != NULL)
		db_exec_noretry(im->db, "SET SESSION foreign_key_checks = 1", NULL);
	free(im->rows);
	free(im);
}

static void bind_column(MYSQL_BIND *b, enum enum_field_types type, void *buffer, char *indicator)
{
	memset(b, 0, sizeof *b);
	b->buffer_type = type;
	b->buffer = buffer;
	b->u.indicator = indicator;
	b->is_unsigned = type == MYSQL_TYPE_LONGLONG;
}

/* Prepares the campaign-day upsert on the current connection, bound row-wise
 * to im->rows (each execution then only says how many rows). */
static enum db_status prepare_daily(struct imports *im)
{
	MYSQL *conn = db_mysql(im->db);
	if (conn == NULL)
		return own_failure(im, DB_UNAVAILABLE, "preparing: not connected");
	MYSQL_STMT *h = mysql_stmt_init(conn);
	if (h == NULL)
		return own_failure(im, DB_ERROR, "preparing: out of memory");
	im->daily = h;
	im->conn = conn;
	if (mysql_stmt_prepare(h, daily_upsert, sizeof daily_upsert - 1) != 0)
		return db_failed(im, db_statement_failed(im->db, h, "preparing"));
	if (mysql_stmt_param_count(h) != DAILY_PARAMS)
		return own_failure(im, DB_ERROR, "preparing: the campaign-day upsert takes other parameters");

	struct daily_row *row = im->rows;
	MYSQL_BIND b[DAILY_PARAMS];
	bind_column(&b[0], MYSQL_TYPE_LONGLONG, &row->campaign_id, &row->campaign_ind);
	bind_column(&b[1], MYSQL_TYPE_DATE, &row->day, &row->day_ind);
	for (int i = 0; i < 3; i++) {
		bind_column(&b[2 + i], MYSQL_TYPE_STRING, row->amount[i], &row->amount_ind[i]);
		bind_column(&b[5 + i], MYSQL_TYPE_LONGLONG, &row->count[i], &row->count_ind[i]);
	}
	bind_column(&b[8], MYSQL_TYPE_LONGLONG, &row->file_id, &row->file_ind);
	size_t row_size = sizeof *row;
	if (mysql_stmt_attr_set(h, STMT_ATTR_ROW_SIZE, &row_size) != 0 ||
	    mysql_stmt_bind_param(h, b) != 0)
		return db_failed(im, db_statement_failed(im->db, h, "binding"));
	return DB_OK;
}

/* Opens this file's ingest_files row under a unique placeholder hash. */
static enum db_status open_record(struct imports *im, const char *name)
{
	static struct db_statement insert = DB_STATEMENT(
		"INSERT INTO ingest_files (sha256, name, status) VALUES (?, ?, 'imported')");
	/* Only unique, not secret: the kernel's generator needs no library. */
	unsigned char random[28];
	char placeholder[65] = "pending:";
	if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random)
		return own_failure(im, DB_ERROR, "no random bytes for the placeholder hash");
	hex_encode(random, sizeof random, placeholder + 8);
	struct db_value p[] = { db_text(placeholder), db_text(name) };
	enum db_status st = db_run_write(im->db, &insert, p, 2, NULL, &im->file_id);
	return st != DB_OK ? db_failed(im, st) : DB_OK;
}

enum db_status imports_begin(struct imports *im, const char *name)
{
	enum db_status st;
	/* Every campaign_id written comes from rows this transaction wrote or
	 * read itself, so per-row foreign key lookups would only repeat work. */
	if ((st = db_query(im->db, "SET SESSION foreign_key_checks = 0", NULL)) != DB_OK)
		return db_failed(im, st);
	im->foreign_keys_off = 1;
	/* On Galera a file is one transaction, replicated in fragments of
	 * [database] galera_fragment_rows as it goes (streaming replication)
	 * rather than as one write set at commit: a million-row file neither
	 * stalls the cluster at its commit nor needs its whole write set in
	 * memory; other sessions still see nothing of it until it commits. */
	if (db_clustered(im->db)) {
		char sql[128];
		snprintf(sql, sizeof sql, "SET SESSION wsrep_trx_fragment_unit = 'rows', wsrep_trx_fragment_size = %d",
			 db_fragment_rows(im->db));
		if ((st = db_query(im->db, sql, NULL)) != DB_OK)
			return db_failed(im, st);
	}
	/* Read committed: no gap locks, so concurrent imports of different
	 * files do not deadlock on the ingest_files unique key. */
	if ((st = db_begin(im->db, 1)) != DB_OK)
		return db_failed(im, st);
	im->in_transaction = 1;
	if ((st = open_record(im, name)) != DB_OK)
		return st;
	return prepare_daily(im);
}

enum db_status imports_restart(struct imports *im)
{
	db_rollback(im->db);
	im->in_transaction = 0;
	im->file_id = 0;
	enum db_status st = db_begin(im->db, 1);
	if (st != DB_OK)
		return db_failed(im, st);
	im->in_transaction = 1;
	return DB_OK;
}

enum db_status imports_commit(struct imports *im)
{
	enum db_status st = db_commit(im->db);
	if (st != DB_OK)
		return db_failed(im, st);
	im->in_transaction = 0;
	return DB_OK;
}

/* --- campaigns and campaign-days ------------------------------------------ */

enum db_status imports_campaign(struct imports *im, const struct imports_campaign *c, long long *id)
{
	/* LAST_INSERT_ID(id) makes an update report the existing row's id. */
	static struct db_statement upsert = DB_STATEMENT(
		"INSERT INTO campaigns (source, external_id, name, channel, currency) VALUES (?,?,?,?,?)"
		" ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), name = VALUES(name),"
		" channel = VALUES(channel), currency = COALESCE(VALUES(currency), currency)");
	struct db_value p[] = { db_text(c->source), db_text(c->key), db_text(c->name),
				db_text(c->channel), db_text(c->currency) };
	enum db_status st = db_run_write(im->db, &upsert, p, 5, NULL, id);
	return st != DB_OK ? db_failed(im, st) : DB_OK;
}

static void set_decimal(char *dst, char *ind, const struct imports_decimal *v)
{
	if (!v->known) {
		*ind = STMT_INDICATOR_NULL;
		dst[0] = '\0';
		return;
	}
	size_t n = strnlen(v->text, IMPORTS_DECIMAL_MAX - 1);
	memcpy(dst, v->text, n);
	dst[n] = '\0';
	*ind = STMT_INDICATOR_NTS;
}

static void set_count(unsigned long long *dst, char *ind, const struct imports_count *v)
{
	*dst = v->value;
	*ind = v->known ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
}

/* "YYYY-MM-DD" (validated by the parser) as MariaDB's binary date. */
static void set_day(MYSQL_TIME *t, const char *day)
{
	memset(t, 0, sizeof *t);
	t->year = (unsigned)strtoul(day, NULL, 10);
	t->month = (unsigned)strtoul(day + 5, NULL, 10);
	t->day = (unsigned)strtoul(day + 8, NULL, 10);
	t->time_type = MYSQL_TIMESTAMP_DATE;
}

enum db_status imports_write_days(struct imports *im, const struct imports_day *days, unsigned n)
{
	if (n == 0)
		return DB_OK;
	if (n > im->capacity)
		return own_failure(im, DB_ERROR, "writing campaign-days: more rows than the batch holds");
	/* The statement lives on the connection it was prepared on; inside the
	 * transaction no other one may take its place. */
	if (im->daily == NULL || db_mysql(im->db) != im->conn)
		return own_failure(im, DB_UNAVAILABLE, "the connection was lost during the import");
	for (unsigned i = 0; i < n; i++) {
		const struct imports_day *d = &days[i];
		struct daily_row *r = &im->rows[i];
		r->campaign_id = (unsigned long long)d->campaign_id;
		r->campaign_ind = STMT_INDICATOR_NONE;
		set_day(&r->day, d->day);
		r->day_ind = STMT_INDICATOR_NONE;
		set_decimal(r->amount[0], &r->amount_ind[0], &d->spend);
		set_decimal(r->amount[1], &r->amount_ind[1], &d->conversions);
		set_decimal(r->amount[2], &r->amount_ind[2], &d->revenue);
		set_count(&r->count[0], &r->count_ind[0], &d->impressions);
		set_count(&r->count[1], &r->count_ind[1], &d->reach);
		set_count(&r->count[2], &r->count_ind[2], &d->clicks);
		r->file_id = (unsigned long long)im->file_id;
		r->file_ind = STMT_INDICATOR_NONE;
	}
	unsigned int rows = n;
	if (mysql_stmt_attr_set(im->daily, STMT_ATTR_ARRAY_SIZE, &rows) != 0 ||
	    mysql_stmt_execute(im->daily) != 0)
		return db_failed(im, db_statement_failed(im->db, im->daily, "executing"));
	return DB_OK;
}

static int note_found(void *ctx, const struct db_value *cols, int ncols)
{
	(void)cols;
	(void)ncols;
	*(int *)ctx = 1;
	return 1;
}

enum db_status imports_day_written(struct imports *im, long long campaign_id, const char *day,
				   int *found)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT 1 FROM campaign_daily WHERE campaign_id = ? AND day = ? AND ingest_file_id = ?");
	struct db_value p[] = { db_int(campaign_id), db_text(day), db_int(im->file_id) };
	*found = 0;
	enum db_status st = db_run(im->db, &select, p, 3, note_found, found);
	return st != DB_OK ? db_failed(im, st) : DB_OK;
}

enum db_status imports_channel_reserved(struct imports *im, const char *channel, int *reserved)
{
	/* As campaigns.channel compares it (utf8mb4_unicode_ci). */
	static struct db_statement select = DB_STATEMENT(
		"SELECT 1 FROM DUAL WHERE CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci = 'all'");
	struct db_value p[] = { db_text(channel) };
	*reserved = 0;
	enum db_status st = db_run(im->db, &select, p, 1, note_found, reserved);
	return st != DB_OK ? db_failed(im, st) : DB_OK;
}

static int read_count(void *ctx, const struct db_value *cols, int ncols)
{
	if (ncols > 0)
		*(unsigned long *)ctx = (unsigned long)db_col_int(&cols[0]);
	return 1;
}

enum db_status imports_count_days(struct imports *im, const char *source, unsigned long *count)
{
	/* campaign_daily has no index on ingest_file_id, on purpose (see the
	 * schema): the join narrows the scan to the source's campaigns. */
	static struct db_statement select = DB_STATEMENT(
		"SELECT COUNT(*) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id"
		" WHERE c.source = ? AND d.ingest_file_id = ?");
	struct db_value p[] = { db_text(source), db_int(im->file_id) };
	*count = 0;
	enum db_status st = db_run(im->db, &select, p, 2, read_count, count);
	return st != DB_OK ? db_failed(im, st) : DB_OK;
}

/* --- the file's record -------------------------------------------------- */

struct record_row {
	int found;
	long long id;
	int rejected;
};

static int read_record(void *ctx, const struct db_value *cols, int ncols)
{
	struct record_row *r = ctx;
	if (ncols >= 2) {
		r->found = 1;
		r->id = db_col_int(&cols[0]);
		r->rejected = strcmp(db_col_text(&cols[1]), "rejected") == 0;
	}
	return 1;
}

/* The record of these bytes committed by anyone (locked until this
 * transaction ends). */
static enum db_status find_record(struct imports *im, const char *sha256, struct record_row *out)
{
	/* Not causal on Galera (wsrep_sync_wait waits only outside a
	 * transaction): an import of the same bytes through another node
	 * clashes with this one on the same rows, and Galera refuses one of
	 * them (at commit, or as a fragment replicates) as a deadlock; the
	 * importer then looks again and tries again. */
	static struct db_statement select = DB_STATEMENT(
		"SELECT id, status FROM ingest_files WHERE sha256 = ? FOR UPDATE");
	struct db_value p[] = { db_text(sha256) };
	memset(out, 0, sizeof *out);
	return db_run(im->db, &select, p, 1, read_record, out);
}

enum db_status imports_record_file(struct imports *im, const struct imports_record *rec,
				   long long *file_id, int *duplicate)
{
	static struct db_statement forget = DB_STATEMENT("DELETE FROM ingest_files WHERE sha256 = ?");
	static struct db_statement update = DB_STATEMENT(
		"UPDATE ingest_files SET sha256 = ?, format = ?, rows_ok = ?, rows_rejected = ?,"
		" status = ?, report = ? WHERE id = ?");
	static struct db_statement insert = DB_STATEMENT(
		"INSERT INTO ingest_files (sha256, name, format, rows_ok, rows_rejected, status, report)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)");
	*duplicate = 0;
	*file_id = 0;
	struct record_row earlier;
	enum db_status st = find_record(im, rec->sha256, &earlier);
	if (st != DB_OK)
		return db_failed(im, st);
	if (earlier.found && !earlier.rejected) {
		*duplicate = 1;
		*file_id = earlier.id;
		return DB_OK;
	}
	/* A rejected earlier attempt gives way: its report is outdated. */
	struct db_value key[] = { db_text(rec->sha256) };
	if ((st = db_run_write(im->db, &forget, key, 1, NULL, NULL)) != DB_OK)
		return db_failed(im, st);

	struct db_value sha = db_text(rec->sha256), format = db_text(rec->format);
	struct db_value rows_ok = db_int((long long)rec->rows_ok);
	struct db_value rows_rejected = db_int((long long)rec->rows_rejected);
	struct db_value status = db_text(rec->status);
	struct db_value report = db_bytes(rec->report ? rec->report : "", rec->report ? rec->report_len : 0);
	if (im->file_id > 0) {
		struct db_value p[] = { sha, format, rows_ok, rows_rejected, status, report,
					db_int(im->file_id) };
		st = db_run_write(im->db, &update, p, 7, NULL, NULL);
		*file_id = im->file_id;
	} else {
		struct db_value p[] = { sha, db_text(rec->name), format, rows_ok, rows_rejected, status,
					report };
		st = db_run_write(im->db, &insert, p, 7, NULL, file_id);
	}
	if (st == DB_ERROR && db_errno(im->db) == ER_DUP_ENTRY) {
		/* The same bytes were committed meanwhile by another import; the
		 * failed statement alone was undone, so its id can be read. */
		*duplicate = 1;
		*file_id = find_record(im, rec->sha256, &earlier) == DB_OK ? earlier.id : 0;
		return DB_OK;
	}
	if (st != DB_OK) {
		*file_id = 0;
		return db_failed(im, st);
	}
	return DB_OK;
}

struct currencies_ctx {
	imports_currencies_fn *fn;
	void *ctx;
};

static int each_channel(void *ctx, const struct db_value *cols, int ncols)
{
	struct currencies_ctx *c = ctx;
	return ncols >= 2 ? c->fn(c->ctx, db_col_text(&cols[0]), db_col_text(&cols[1])) : 0;
}

enum db_status imports_mixed_currencies(struct imports *im, imports_currencies_fn *fn, void *ctx)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT channel, GROUP_CONCAT(DISTINCT currency ORDER BY currency SEPARATOR ', ')"
		" FROM campaigns WHERE currency IS NOT NULL"
		" GROUP BY channel HAVING COUNT(DISTINCT currency) > 1");
	struct currencies_ctx c = { fn, ctx };
	enum db_status st = db_run(im->db, &select, NULL, 0, each_channel, &c);
	return st != DB_OK ? db_failed(im, st) : DB_OK;
}

/* --- outside a session -------------------------------------------------- */

static int read_earlier(void *ctx, const struct db_value *cols, int ncols)
{
	struct imports_earlier *e = ctx;
	if (ncols >= 5) {
		e->file_id = db_col_int(&cols[0]);
		snprintf(e->status, sizeof e->status, "%s", db_col_text(&cols[1]));
		e->rows_ok = (unsigned long)db_col_int(&cols[2]);
		e->rows_rejected = (unsigned long)db_col_int(&cols[3]);
		snprintf(e->format, sizeof e->format, "%s", db_col_text(&cols[4]));
	}
	return 1;
}

enum db_status imports_find_file(struct db *db, const char *sha256, struct imports_earlier *out,
				 int *found)
{
#define FIND_FILE "SELECT id, status, rows_ok, rows_rejected, COALESCE(format, '')" \
	" FROM ingest_files WHERE sha256 = ? AND status <> 'rejected'"
	static struct db_statement select = DB_STATEMENT(FIND_FILE);
	/* Causal on Galera (outside a transaction, where the wait applies): a
	 * file imported through another node a moment ago is not parsed and
	 * written again here. */
	static struct db_statement causal = DB_STATEMENT("SET STATEMENT wsrep_sync_wait = 1 FOR " FIND_FILE);
#undef FIND_FILE
	struct db_value p[] = { db_text(sha256) };
	memset(out, 0, sizeof *out);
	out->file_id = -1;
	enum db_status st = db_run(db, db_clustered(db) ? &causal : &select, p, 1, read_earlier, out);
	*found = st == DB_OK && out->file_id >= 0;
	if (!*found)
		out->file_id = 0;
	return st;
}
