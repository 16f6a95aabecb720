#include "db_internal.h" /* transitional: moves into db/ */
#include "importer.h"

#include <errno.h>
#include <json-c/json.h>
#include <mysqld_error.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "hex.h"
#include "log.h"
#include "parser.h"
#include "reader.h"
#include "seen.h"

const char *const import_status_names[IMPORT_STATUS__MAX] = {
	[IMPORT_IMPORTED] = "imported", [IMPORT_PARTIAL] = "partial",
	[IMPORT_EMPTY] = "empty",       [IMPORT_REJECTED] = "rejected",
	[IMPORT_DUPLICATE] = "duplicate", [IMPORT_FAILED] = "failed",
};

#define BATCH_ROWS 2000          /* rows per array-bound execution */
#define LOG_MAX (64 * 1024)      /* rejection log kept in ingest_files.report */
#define READ_CHUNK (256 * 1024)
#define FILTER_LOG2_BITS 26      /* 8 MiB Bloom filter of campaign-days */

/* One campaign-day row, laid out for row-wise array binding. Counts and
 * the day go in binary (no conversion on the server); amounts go as their
 * decimal text, exact for DECIMAL columns. */
struct daily_row {
	unsigned long long campaign_id;
	char campaign_ind;
	MYSQL_TIME day;
	char day_ind;
	char amount[3][CELL_NUMBER_MAX]; /* spend, conversions, revenue */
	char amount_ind[3];
	unsigned long long count[3];     /* impressions, reach, clicks */
	char count_ind[3];
	unsigned long long file_id;
	char file_ind;
};

static const enum ingest_metric amount_metrics[3] = { METRIC_SPEND, METRIC_CONVERSIONS,
						      METRIC_REVENUE };
static const enum ingest_metric count_metrics[3] = { METRIC_IMPRESSIONS, METRIC_REACH,
						     METRIC_CLICKS };

/* The parameters of one campaign upsert. */
struct campaign_params {
	char source[16], key[INGEST_KEY_MAX + 1], name[INGEST_NAME_MAX + 1];
	char channel[INGEST_CHANNEL_MAX + 1], currency[4];
	unsigned long source_len, key_len, name_len, channel_len, currency_len;
	my_bool currency_null;
};

struct import {
	struct db *db;
	struct import_report *report;
	long long file_id;            /* this file's ingest_files row */
	enum ingest_format format;    /* known from the first row on */
	int campaign_grain;
	MYSQL_STMT *daily, *campaign;
	struct campaign_params cp;
	struct daily_row *batch;
	unsigned nbatch;
	struct seen_ids *campaigns;   /* campaign key -> campaigns.id */
	struct seen_filter *days;     /* campaign-days of a campaign-grain file */
	int db_failed;
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

static const char campaign_upsert[] =
	"INSERT INTO campaigns (source, external_id, name, channel, currency) VALUES (?,?,?,?,?)"
	" ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), name = VALUES(name),"
	" channel = VALUES(channel), currency = COALESCE(VALUES(currency), currency)";

/* Seconds since an arbitrary point, for the phase timings in debug logs. */
static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- report ---------------------------------------------------------------- */

static void log_append(struct import_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends one line to the rejection log; past LOG_MAX the log says so once. */
static void log_append(struct import_report *r, const char *fmt, ...)
{
	char line[480];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	if (r->log_len + (size_t)n + 64 > LOG_MAX) {
		static const char more[] = "... (further rejections not listed)\n";
		if (r->log_len + sizeof more <= LOG_MAX + 64 &&
		    (r->log_len < sizeof more || strcmp(r->log + r->log_len - sizeof more + 1, more) != 0))
			n = snprintf(line, sizeof line, "%s", more);
		else
			return;
	}
	if (r->log_len + (size_t)n + 1 > r->log_cap) {
		size_t cap = r->log_cap ? r->log_cap * 2 : 4096;
		while (cap < r->log_len + (size_t)n + 1)
			cap *= 2;
		char *grown = realloc(r->log, cap);
		if (grown == NULL)
			return;
		r->log = grown;
		r->log_cap = cap;
	}
	memcpy(r->log + r->log_len, line, (size_t)n + 1);
	r->log_len += (size_t)n;
}

static void add_reject(struct import_report *r, unsigned long line, const char *reason)
{
	r->rows_rejected++;
	if (r->nfirst < IMPORT_FIRST_REJECTS) {
		r->first[r->nfirst].line = line;
		snprintf(r->first[r->nfirst].reason, sizeof r->first[0].reason, "%s", reason);
		r->nfirst++;
	}
	log_append(r, "line %lu: %s\n", line, reason);
}

void import_report_free(struct import_report *report)
{
	free(report->log);
	report->log = NULL;
	report->log_len = report->log_cap = 0;
}

static enum import_status fail(struct import *im, enum db_status st, const char *what)
{
	struct import_report *r = im->report;
	r->status = IMPORT_FAILED;
	r->db_status = st;
	r->db_errno = db_mysql(im->db) ? mysql_errno(db_mysql(im->db)) : 0;
	snprintf(r->message, sizeof r->message, "%s: %s", what, db_error(im->db));
	return r->status;
}

/* --- statements --------------------------------------------------------- */

static void bind_column(MYSQL_BIND *b, enum enum_field_types type, void *buffer, char *indicator)
{
	memset(b, 0, sizeof *b);
	b->buffer_type = type;
	b->buffer = buffer;
	b->u.indicator = indicator;
	b->is_unsigned = type == MYSQL_TYPE_LONGLONG;
}

static void bind_text(MYSQL_BIND *b, char *buffer, unsigned long *length, my_bool *is_null)
{
	memset(b, 0, sizeof *b);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buffer;
	b->length = length;
	b->is_null = is_null;
}

static MYSQL_STMT *prepare(struct import *im, const char *sql, unsigned params)
{
	MYSQL_STMT *stmt = mysql_stmt_init(db_mysql(im->db));
	if (stmt == NULL)
		return NULL;
	if (mysql_stmt_prepare(stmt, sql, strlen(sql)) != 0 || mysql_stmt_param_count(stmt) != params) {
		snprintf(im->report->message, sizeof im->report->message, "preparing: %s",
			 mysql_stmt_error(stmt));
		mysql_stmt_close(stmt);
		return NULL;
	}
	return stmt;
}

static int prepare_statements(struct import *im)
{
	im->daily = prepare(im, daily_upsert, 9);
	im->campaign = prepare(im, campaign_upsert, 5);
	if (im->daily == NULL || im->campaign == NULL)
		return -1;

	struct daily_row *row = im->batch;
	MYSQL_BIND d[9];
	bind_column(&d[0], MYSQL_TYPE_LONGLONG, &row->campaign_id, &row->campaign_ind);
	bind_column(&d[1], MYSQL_TYPE_DATE, &row->day, &row->day_ind);
	for (int i = 0; i < 3; i++) {
		bind_column(&d[2 + i], MYSQL_TYPE_STRING, row->amount[i], &row->amount_ind[i]);
		bind_column(&d[5 + i], MYSQL_TYPE_LONGLONG, &row->count[i], &row->count_ind[i]);
	}
	bind_column(&d[8], MYSQL_TYPE_LONGLONG, &row->file_id, &row->file_ind);
	size_t row_size = sizeof *row;
	if (mysql_stmt_attr_set(im->daily, STMT_ATTR_ROW_SIZE, &row_size) != 0 ||
	    mysql_stmt_bind_param(im->daily, d) != 0)
		return -1;

	struct campaign_params *cp = &im->cp;
	static my_bool not_null = 0;
	MYSQL_BIND c[5];
	bind_text(&c[0], cp->source, &cp->source_len, &not_null);
	bind_text(&c[1], cp->key, &cp->key_len, &not_null);
	bind_text(&c[2], cp->name, &cp->name_len, &not_null);
	bind_text(&c[3], cp->channel, &cp->channel_len, &not_null);
	bind_text(&c[4], cp->currency, &cp->currency_len, &cp->currency_null);
	return mysql_stmt_bind_param(im->campaign, c) != 0 ? -1 : 0;
}

static int statement_failed(struct import *im, MYSQL_STMT *stmt, const char *what)
{
	im->db_failed = 1;
	snprintf(im->report->message, sizeof im->report->message, "%s: %s (%u)", what,
		 mysql_stmt_error(stmt), mysql_stmt_errno(stmt));
	im->report->db_status = db_classify_errno(mysql_stmt_errno(stmt));
	im->report->db_errno = mysql_stmt_errno(stmt);
	return -1;
}

static int flush_batch(struct import *im)
{
	if (im->nbatch == 0)
		return 0;
	unsigned int n = im->nbatch;
	if (mysql_stmt_attr_set(im->daily, STMT_ATTR_ARRAY_SIZE, &n) != 0 ||
	    mysql_stmt_execute(im->daily) != 0)
		return statement_failed(im, im->daily, "writing campaign_daily");
	im->nbatch = 0;
	return 0;
}

static void copy_text(char *dst, size_t size, unsigned long *len, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	*len = (unsigned long)n;
}

/* The campaign's id, creating or updating its row the first time the file
 * names it. Returns 0, or -1 on a database error. */
static int campaign_id(struct import *im, const struct ingest_row *row, uint64_t *id)
{
	if (seen_ids_get(im->campaigns, row->campaign_key, id))
		return 0;
	struct campaign_params *cp = &im->cp;
	copy_text(cp->source, sizeof cp->source, &cp->source_len, ingest_format_names[im->format]);
	copy_text(cp->key, sizeof cp->key, &cp->key_len, row->campaign_key);
	copy_text(cp->name, sizeof cp->name, &cp->name_len, row->campaign_name);
	copy_text(cp->channel, sizeof cp->channel, &cp->channel_len, row->channel);
	cp->currency_null = row->currency == NULL;
	copy_text(cp->currency, sizeof cp->currency, &cp->currency_len,
		  row->currency ? row->currency : "");
	if (mysql_stmt_execute(im->campaign) != 0)
		return statement_failed(im, im->campaign, "writing campaigns");
	*id = mysql_stmt_insert_id(im->campaign);
	if (seen_ids_put(im->campaigns, row->campaign_key, *id) != 0) {
		snprintf(im->report->message, sizeof im->report->message, "out of memory");
		return -1;
	}
	return 0;
}

/* In a campaign-grain file a campaign-day must come once. The Bloom filter
 * answers most rows; a "maybe" is settled by the database, after writing
 * the rows still in the batch. Returns 1 for a repeat, 0 for a first, -1 on
 * a database error. */
static int repeated_day(struct import *im, uint64_t campaign, const char *day)
{
	uint64_t key = campaign << 24 | (uint64_t)(date_day_number(day) & 0xffffff);
	if (!seen_filter_add(im->days, key))
		return 0;
	if (flush_batch(im) != 0)
		return -1;
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT 1 FROM campaign_daily WHERE campaign_id = %llu AND day = '%s'"
		 " AND ingest_file_id = %lld", (unsigned long long)campaign, day, im->file_id);
	MYSQL_RES *res;
	enum db_status st = db_exec_noretry(im->db, sql, &res);
	if (st != DB_OK) {
		im->db_failed = 1;
		im->report->db_status = st;
		snprintf(im->report->message, sizeof im->report->message, "%s", db_error(im->db));
		return -1;
	}
	int found = mysql_num_rows(res) > 0;
	mysql_free_result(res);
	return found;
}

static void set_text(char *dst, size_t size, char *ind, const char *src)
{
	if (src == NULL) {
		*ind = STMT_INDICATOR_NULL;
		dst[0] = '\0';
		return;
	}
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	*ind = STMT_INDICATOR_NTS;
}

/* Writes one parsed row (the consumer side of the reader). Returns 0, or -1
 * on a database error. */
static int store_row(struct import *im, const struct ingest_row *row)
{
	uint64_t id;
	if (campaign_id(im, row, &id) != 0)
		return -1;
	if (im->campaign_grain) {
		int repeat = repeated_day(im, id, row->day);
		if (repeat < 0)
			return -1;
		if (repeat) {
			char reason[400];
			snprintf(reason, sizeof reason,
				 "campaign '%.200s' on %s appears earlier in the file; the first row is kept",
				 row->campaign_key, row->day);
			add_reject(im->report, row->line, reason);
			return 0;
		}
	}
	im->report->rows_ok++;

	struct daily_row *d = &im->batch[im->nbatch++];
	d->campaign_id = id;
	d->campaign_ind = STMT_INDICATOR_NONE;
	memset(&d->day, 0, sizeof d->day);
	d->day.year = (unsigned)strtoul(row->day, NULL, 10);
	d->day.month = (unsigned)strtoul(row->day + 5, NULL, 10);
	d->day.day = (unsigned)strtoul(row->day + 8, NULL, 10);
	d->day.time_type = MYSQL_TIMESTAMP_DATE;
	d->day_ind = STMT_INDICATOR_NONE;
	for (int i = 0; i < 3; i++) {
		enum ingest_metric a = amount_metrics[i], c = count_metrics[i];
		set_text(d->amount[i], sizeof d->amount[i], &d->amount_ind[i],
			 row->known[a] ? row->metric[a].text : NULL);
		d->count[i] = (unsigned long long)row->metric[c].value;
		d->count_ind[i] = row->known[c] ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
	}
	d->file_id = (unsigned long long)im->file_id;
	d->file_ind = STMT_INDICATOR_NONE;
	return im->nbatch == BATCH_ROWS ? flush_batch(im) : 0;
}

/* Writes each batch the reader hands over; returns -1 on a database error. */
static int store_batches(struct import *im, struct reader *reader)
{
	const struct reader_batch *b;
	while ((b = reader_next(reader)) != NULL) {
		if (im->format == FORMAT_UNKNOWN && b->format != FORMAT_UNKNOWN) {
			im->format = b->format;
			im->campaign_grain = b->campaign_grain;
			if (im->campaign_grain && (im->days = seen_filter_new(FILTER_LOG2_BITS)) == NULL) {
				snprintf(im->report->message, sizeof im->report->message, "out of memory");
				return -1;
			}
		}
		for (unsigned i = 0; i < b->count; i++) {
			const struct reader_item *it = &b->items[i];
			if (it->rejected)
				add_reject(im->report, it->line, it->reason);
			else if (store_row(im, &it->row) != 0)
				return -1;
		}
	}
	return 0;
}

/* --- the file's record -------------------------------------------------- */

/* Opens this file's ingest_files row under a unique placeholder hash (the
 * real one is known only at the end of the stream). */
static enum db_status open_file_record(struct import *im)
{
	unsigned char random[28];
	char placeholder[65] = "pending:";
	if (RAND_bytes(random, sizeof random) != 1)
		return DB_ERROR;
	hex_encode(random, sizeof random, placeholder + 8);
	char name[2 * sizeof im->report->name + 1], sql[1024];
	mysql_real_escape_string(db_mysql(im->db), name, im->report->name,
				 (unsigned long)strlen(im->report->name));
	snprintf(sql, sizeof sql,
		 "INSERT INTO ingest_files (sha256, name, status) VALUES ('%.64s', '%s', 'imported')",
		 placeholder, name);
	enum db_status st = db_exec_noretry(im->db, sql, NULL);
	if (st == DB_OK)
		im->file_id = (long long)mysql_insert_id(db_mysql(im->db));
	return st;
}

/*
 * Gives the file's record its real hash and outcome: updates the open row,
 * or inserts one when none is open. An earlier import of the same bytes
 * (not merely a rejected one) makes this one a duplicate.
 */
static enum db_status close_file_record(struct import *im, const char *status, int *duplicate)
{
	struct import_report *r = im->report;
	*duplicate = 0;
	char sql_head[512];
	MYSQL_RES *res;
	snprintf(sql_head, sizeof sql_head,
		 "SELECT id, status FROM ingest_files WHERE sha256 = '%s' FOR UPDATE", r->sha256);
	enum db_status st = db_exec_noretry(im->db, sql_head, &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL && strcmp(row[1], "rejected") != 0) {
		*duplicate = 1;
		r->file_id = atoll(row[0]);
	}
	mysql_free_result(res);
	if (*duplicate)
		return DB_OK;
	snprintf(sql_head, sizeof sql_head, "DELETE FROM ingest_files WHERE sha256 = '%s'", r->sha256);
	if ((st = db_exec_noretry(im->db, sql_head, NULL)) != DB_OK)
		return st;

	char name[2 * sizeof r->name + 1];
	mysql_real_escape_string(db_mysql(im->db), name, r->name, (unsigned long)strlen(r->name));
	char *report_text = malloc(2 * r->log_len + 1);
	size_t sqllen = 2 * r->log_len + sizeof name + 1024;
	char *sql = malloc(sqllen);
	if (report_text == NULL || sql == NULL) {
		free(report_text);
		free(sql);
		return DB_ERROR;
	}
	mysql_real_escape_string(db_mysql(im->db), report_text, r->log ? r->log : "",
				 (unsigned long)r->log_len);
	char format[32];
	snprintf(format, sizeof format, r->format ? "'%s'" : "NULL", ingest_format_names[r->format]);
	if (im->file_id > 0)
		snprintf(sql, sqllen,
			 "UPDATE ingest_files SET sha256 = '%s', format = %s, rows_ok = %lu,"
			 " rows_rejected = %lu, status = '%s', report = '%s' WHERE id = %lld",
			 r->sha256, format, r->rows_ok, r->rows_rejected, status, report_text,
			 im->file_id);
	else
		snprintf(sql, sqllen,
			 "INSERT INTO ingest_files (sha256, name, format, rows_ok, rows_rejected, status,"
			 " report) VALUES ('%s', '%s', %s, %lu, %lu, '%s', '%s')",
			 r->sha256, name, format, r->rows_ok, r->rows_rejected, status, report_text);
	st = db_exec_noretry(im->db, sql, NULL);
	free(sql);
	free(report_text);
	if (st == DB_ERROR && mysql_errno(db_mysql(im->db)) == ER_DUP_ENTRY) {
		*duplicate = 1; /* the same bytes were committed meanwhile */
		return DB_OK;
	}
	if (st == DB_OK)
		r->file_id = im->file_id > 0 ? im->file_id : (long long)mysql_insert_id(db_mysql(im->db));
	return st;
}

static void mark_duplicate(struct import_report *r)
{
	r->status = IMPORT_DUPLICATE;
	snprintf(r->message, sizeof r->message, "already imported (ingest_files id %lld)", r->file_id);
}

/* A file that gave nothing to import is still recorded (empty or rejected)
 * in a transaction of its own, so that its report can be looked up. */
static void record_without_rows(struct import *im)
{
	struct import_report *r = im->report;
	int duplicate;
	db_exec_noretry(im->db, "ROLLBACK", NULL);
	im->file_id = 0;
	r->rows_ok = 0;
	if (r->status == IMPORT_REJECTED && r->nfirst == 0)
		log_append(r, "%s\n", r->message);
	if (db_exec_noretry(im->db, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", NULL) != DB_OK ||
	    db_exec_noretry(im->db, "START TRANSACTION", NULL) != DB_OK)
		return;
	if (close_file_record(im, import_status_names[r->status], &duplicate) != DB_OK ||
	    db_exec_noretry(im->db, "COMMIT", NULL) != DB_OK) {
		db_exec_noretry(im->db, "ROLLBACK", NULL);
		return;
	}
	if (duplicate)
		mark_duplicate(r);
}

static const char mixed_currencies[] =
	"SELECT channel, GROUP_CONCAT(DISTINCT currency ORDER BY currency SEPARATOR ', ')"
	" FROM campaigns WHERE currency IS NOT NULL"
	" GROUP BY channel HAVING COUNT(DISTINCT currency) > 1";

static enum db_status note_mixed_currencies(struct import *im)
{
	MYSQL_RES *res;
	enum db_status st = db_exec_noretry(im->db, mixed_currencies, &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row;
	size_t used = 0;
	char *w = im->report->warnings;
	while ((row = mysql_fetch_row(res)) != NULL && used < sizeof im->report->warnings) {
		int n = snprintf(w + used, sizeof im->report->warnings - used,
				 "%schannel %s mixes currencies %s", used ? "; " : "", row[0], row[1]);
		used += n > 0 ? (size_t)n : 0;
	}
	mysql_free_result(res);
	return DB_OK;
}

/* Campaign-days this file wrote: one per row in a campaign-grain file;
 * otherwise counted among its source's rows (campaign_daily has no index on
 * ingest_file_id, on purpose: see the schema). */
static enum db_status count_campaign_days(struct import *im)
{
	if (im->campaign_grain) {
		im->report->campaign_days = im->report->rows_ok;
		return DB_OK;
	}
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT COUNT(*) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id"
		 " WHERE c.source = '%s' AND d.ingest_file_id = %lld",
		 ingest_format_names[im->format], im->file_id);
	MYSQL_RES *res;
	enum db_status st = db_exec_noretry(im->db, sql, &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row = mysql_fetch_row(res);
	im->report->campaign_days = row && row[0] ? strtoul(row[0], NULL, 10) : 0;
	mysql_free_result(res);
	return DB_OK;
}

/* Completes an import whose rows are written: counts, the file's record,
 * the currency check, the commit. */
static enum import_status commit_rows(struct import *im)
{
	struct import_report *r = im->report;
	enum db_status st;
	if (flush_batch(im) != 0) {
		r->status = IMPORT_FAILED;
		return r->status;
	}
	if (r->rows_ok == 0) {
		r->status = IMPORT_REJECTED;
		snprintf(r->message, sizeof r->message, "every row was rejected");
		record_without_rows(im);
		return r->status;
	}
	if ((st = count_campaign_days(im)) != DB_OK)
		return fail(im, st, "counting campaign-days");
	r->campaigns = seen_ids_count(im->campaigns);

	r->status = r->rows_rejected ? IMPORT_PARTIAL : IMPORT_IMPORTED;
	int duplicate;
	if ((st = close_file_record(im, import_status_names[r->status], &duplicate)) != DB_OK)
		return fail(im, st, "recording the file");
	if (duplicate) {
		mark_duplicate(r);
		return r->status;
	}
	if ((st = note_mixed_currencies(im)) != DB_OK)
		return fail(im, st, "checking currencies");
	double t0 = now_seconds();
	if ((st = db_exec_noretry(im->db, "COMMIT", NULL)) != DB_OK)
		return fail(im, st, "committing");
	log_debug("import %s: committed in %.3f s", r->name, now_seconds() - t0);
	return r->status;
}

static enum import_status run_import(struct import *im, import_read_fn *read, void *ctx)
{
	struct import_report *r = im->report;
	enum db_status st;

	/* Every campaign_id written comes from rows this transaction wrote or
	 * read itself, so per-row foreign key lookups would only repeat work. */
	if ((st = db_query(im->db, "SET SESSION foreign_key_checks = 0", NULL)) != DB_OK ||
	    /* Read committed: no gap locks, so concurrent imports of different
	     * files do not deadlock on the ingest_files unique key. */
	    (st = db_exec_noretry(im->db, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", NULL)) != DB_OK ||
	    (st = db_exec_noretry(im->db, "START TRANSACTION", NULL)) != DB_OK ||
	    (st = open_file_record(im)) != DB_OK)
		return fail(im, st, "starting the import");
	if (prepare_statements(im) != 0) {
		r->status = IMPORT_FAILED;
		if (r->message[0] == '\0')
			snprintf(r->message, sizeof r->message, "preparing statements failed");
		return r->status;
	}
	struct reader *reader = reader_start(read, ctx, BATCH_ROWS);
	if (reader == NULL) {
		snprintf(r->message, sizeof r->message, "cannot start reading: out of memory");
		r->status = IMPORT_FAILED;
		return r->status;
	}
	double t0 = now_seconds();
	int stored = store_batches(im, reader);
	if (stored != 0)
		reader_stop(reader);
	char message[1024];
	enum ingest_format format;
	enum ingest_outcome outcome = reader_finish(reader, r->sha256, &format, message, sizeof message);
	reader_free(reader);
	r->format = format;
	if (stored == 0 && message[0])
		snprintf(r->message, sizeof r->message, "%s", message);
	log_debug("import %s: parsed and written in %.3f s", r->name, now_seconds() - t0);

	if (stored != 0 || outcome == INGEST_STOPPED) {
		r->status = IMPORT_FAILED;
		return r->status;
	}
	switch (outcome) {
	case INGEST_REFUSED:
		r->status = IMPORT_REJECTED;
		record_without_rows(im);
		return r->status;
	case INGEST_EMPTY:
		r->status = IMPORT_EMPTY;
		snprintf(r->message, sizeof r->message, "the file holds no data rows");
		record_without_rows(im);
		return r->status;
	case INGEST_ROWS:
	case INGEST_STOPPED:
		break;
	}
	return commit_rows(im);
}

enum import_status import_stream(struct db *db, const char *name, import_read_fn *read,
				 void *ctx, struct import_report *report)
{
	memset(report, 0, sizeof *report);
	snprintf(report->name, sizeof report->name, "%s", name);
	report->db_status = DB_OK;

	struct import im = { .db = db, .report = report };
	im.batch = calloc(BATCH_ROWS, sizeof *im.batch);
	im.campaigns = seen_ids_new();
	enum import_status status;
	if (im.batch == NULL || im.campaigns == NULL) {
		snprintf(report->message, sizeof report->message, "out of memory");
		status = report->status = IMPORT_FAILED;
	} else {
		status = run_import(&im, read, ctx);
	}
	/* Whatever did not commit is rolled back: nothing half-imported shows. */
	if (status != IMPORT_IMPORTED && status != IMPORT_PARTIAL && db_mysql(db) != NULL)
		db_exec_noretry(db, "ROLLBACK", NULL);
	if (db_mysql(db) != NULL)
		db_exec_noretry(db, "SET SESSION foreign_key_checks = 1", NULL);
	if (im.daily != NULL)
		mysql_stmt_close(im.daily);
	if (im.campaign != NULL)
		mysql_stmt_close(im.campaign);
	seen_filter_free(im.days);
	seen_ids_free(im.campaigns);
	free(im.batch);
	return status;
}

static long read_file(void *ctx, void *buf, size_t len)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, len, f);
	return n == 0 && ferror(f) ? -1 : (long)n;
}

/* Hashes a file; returns 0, or -1 with errno set. */
static int file_sha256(FILE *f, char out[65])
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	char *buf = malloc(READ_CHUNK);
	int rc = -1;
	if (sha != NULL && buf != NULL && EVP_DigestInit_ex(sha, EVP_sha256(), NULL) == 1) {
		size_t n;
		while ((n = fread(buf, 1, READ_CHUNK, f)) > 0)
			EVP_DigestUpdate(sha, buf, n);
		unsigned char digest[EVP_MAX_MD_SIZE];
		unsigned len = 0;
		if (!ferror(f) && EVP_DigestFinal_ex(sha, digest, &len) == 1) {
			hex_encode(digest, len, out);
			rc = 0;
		}
	}
	free(buf);
	EVP_MD_CTX_free(sha);
	return rc;
}

/* Finds an earlier import of the same bytes; 1 when found (report filled). */
static int already_imported(struct db *db, FILE *f, struct import_report *report)
{
	char sha[65], sql[256];
	if (file_sha256(f, sha) != 0)
		return 0;
	rewind(f);
	snprintf(sql, sizeof sql,
		 "SELECT id, status, rows_ok, rows_rejected, COALESCE(format, '')"
		 " FROM ingest_files WHERE sha256 = '%s' AND status <> 'rejected'", sha);
	MYSQL_RES *res;
	if (db_query(db, sql, &res) != DB_OK)
		return 0;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL) {
		memcpy(report->sha256, sha, sizeof sha);
		report->file_id = atoll(row[0]);
		report->status = IMPORT_DUPLICATE;
		for (int fmt = 0; fmt < FORMAT__MAX; fmt++)
			if (strcmp(row[4], ingest_format_names[fmt]) == 0)
				report->format = (enum ingest_format)fmt;
		snprintf(report->message, sizeof report->message,
			 "already imported as ingest_files id %s (%s: %s rows in, %s rejected)", row[0],
			 row[1], row[2], row[3]);
	}
	mysql_free_result(res);
	return row != NULL;
}

enum import_status import_fp(struct db *db, const char *name, FILE *f,
			     struct import_report *report)
{
	memset(report, 0, sizeof *report);
	snprintf(report->name, sizeof report->name, "%s", name);
	if (already_imported(db, f, report))
		return report->status;
	/* Two imports writing the same campaign-days in different orders can
	 * deadlock; InnoDB rolls one back, and a file can simply be read again. */
	for (int attempt = 0;; attempt++) {
		enum import_status st = import_stream(db, name, read_file, f, report);
		if (st != IMPORT_FAILED || report->db_errno != ER_LOCK_DEADLOCK || attempt == 2)
			return st;
		log_warn("import %s: deadlock with another import; trying again", name);
		import_report_free(report);
		rewind(f);
	}
}

enum import_status import_file(struct db *db, const char *path, struct import_report *report)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		memset(report, 0, sizeof *report);
		snprintf(report->name, sizeof report->name, "%s", base);
		snprintf(report->message, sizeof report->message, "%s: %s", path, strerror(errno));
		report->status = IMPORT_FAILED;
		return report->status;
	}
	enum import_status status = import_fp(db, base, f, report);
	fclose(f);
	return status;
}

struct json_object *import_report_json(const struct import_report *r)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "file", json_object_new_string(r->name));
	json_object_object_add(o, "sha256", json_object_new_string(r->sha256));
	json_object_object_add(o, "format", r->format ? json_object_new_string(
					    ingest_format_names[r->format]) : NULL);
	json_object_object_add(o, "status", json_object_new_string(import_status_names[r->status]));
	json_object_object_add(o, "rows_imported", json_object_new_int64((int64_t)r->rows_ok));
	json_object_object_add(o, "rows_rejected", json_object_new_int64((int64_t)r->rows_rejected));
	json_object_object_add(o, "campaign_days", json_object_new_int64((int64_t)r->campaign_days));
	json_object_object_add(o, "campaigns", json_object_new_int64((int64_t)r->campaigns));
	if (r->file_id)
		json_object_object_add(o, "ingest_file_id", json_object_new_int64(r->file_id));
	if (r->message[0])
		json_object_object_add(o, "message", json_object_new_string(r->message));
	if (r->warnings[0])
		json_object_object_add(o, "warnings", json_object_new_string(r->warnings));
	struct json_object *rejects = json_object_new_array();
	for (unsigned i = 0; i < r->nfirst; i++) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "line", json_object_new_int64((int64_t)r->first[i].line));
		json_object_object_add(j, "reason", json_object_new_string(r->first[i].reason));
		json_object_array_add(rejects, j);
	}
	json_object_object_add(o, "first_rejected_rows", rejects);
	return o;
}
