#include "importer.h"

#include <errno.h>
#include <json-c/json.h>
#include <mysqld_error.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parser.h"

const char *const import_status_names[IMPORT_STATUS__MAX] = {
	[IMPORT_IMPORTED] = "imported", [IMPORT_PARTIAL] = "partial",
	[IMPORT_EMPTY] = "empty",       [IMPORT_REJECTED] = "rejected",
	[IMPORT_DUPLICATE] = "duplicate", [IMPORT_FAILED] = "failed",
};

#define BATCH_ROWS 1000          /* rows per array-bound execution */
#define LOG_MAX (64 * 1024)      /* rejection log kept in ingest_files.report */
#define READ_CHUNK (256 * 1024)

/* One staged row, laid out for row-wise array binding. */
struct stage_row {
	unsigned int line;
	char line_ind;
	char key[INGEST_KEY_MAX + 1];
	char key_ind;
	char name[INGEST_NAME_MAX + 1];
	char name_ind;
	char channel[INGEST_CHANNEL_MAX + 1];
	char channel_ind;
	char currency[4];
	char currency_ind;
	char day[11];
	char day_ind;
	char metric[METRIC__MAX][CELL_NUMBER_MAX];
	char metric_ind[METRIC__MAX];
};

struct import {
	struct db *db;
	struct import_report *report;
	MYSQL_STMT *insert;
	struct stage_row *batch;
	unsigned nbatch;
	int db_failed;
};

static const char stage_ddl[] =
	"CREATE TEMPORARY TABLE ingest_stage ("
	" line INT UNSIGNED NOT NULL PRIMARY KEY,"
	" external_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,"
	" name VARCHAR(512) NOT NULL,"
	" channel VARCHAR(64) NOT NULL,"
	" currency CHAR(3) NULL,"
	" day DATE NOT NULL,"
	" spend DECIMAL(16,4) NULL, impressions BIGINT UNSIGNED NULL,"
	" reach BIGINT UNSIGNED NULL, clicks BIGINT UNSIGNED NULL,"
	" conversions DECIMAL(16,4) NULL, revenue DECIMAL(18,4) NULL,"
	" KEY ix_stage_campaign_day (external_id, day)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

static const char stage_insert[] =
	"INSERT INTO ingest_stage (line, external_id, name, channel, currency, day, spend,"
	" impressions, reach, clicks, conversions, revenue) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

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
	snprintf(r->message, sizeof r->message, "%s: %s", what, db_error(im->db));
	return r->status;
}

/* --- staging ---------------------------------------------------------------- */

static void bind_column(MYSQL_BIND *b, enum enum_field_types type, void *buffer, char *indicator)
{
	memset(b, 0, sizeof *b);
	b->buffer_type = type;
	b->buffer = buffer;
	b->u.indicator = indicator;
	b->is_unsigned = type == MYSQL_TYPE_LONG;
}

static int prepare_stage(struct import *im)
{
	MYSQL *conn = db_mysql(im->db);
	im->insert = mysql_stmt_init(conn);
	if (im->insert == NULL || mysql_stmt_prepare(im->insert, stage_insert, strlen(stage_insert)) != 0)
		return -1;
	if (mysql_stmt_param_count(im->insert) != 12)
		return -1;

	struct stage_row *row = im->batch;
	MYSQL_BIND bind[12];
	bind_column(&bind[0], MYSQL_TYPE_LONG, &row->line, &row->line_ind);
	bind_column(&bind[1], MYSQL_TYPE_STRING, row->key, &row->key_ind);
	bind_column(&bind[2], MYSQL_TYPE_STRING, row->name, &row->name_ind);
	bind_column(&bind[3], MYSQL_TYPE_STRING, row->channel, &row->channel_ind);
	bind_column(&bind[4], MYSQL_TYPE_STRING, row->currency, &row->currency_ind);
	bind_column(&bind[5], MYSQL_TYPE_STRING, row->day, &row->day_ind);
	for (int m = 0; m < METRIC__MAX; m++)
		bind_column(&bind[6 + m], MYSQL_TYPE_STRING, row->metric[m], &row->metric_ind[m]);

	size_t row_size = sizeof *row;
	return mysql_stmt_attr_set(im->insert, STMT_ATTR_ROW_SIZE, &row_size) ||
	       mysql_stmt_bind_param(im->insert, bind) ? -1 : 0;
}

static int flush_batch(struct import *im)
{
	if (im->nbatch == 0)
		return 0;
	unsigned int n = im->nbatch;
	if (mysql_stmt_attr_set(im->insert, STMT_ATTR_ARRAY_SIZE, &n) != 0 ||
	    mysql_stmt_execute(im->insert) != 0) {
		im->db_failed = 1;
		snprintf(im->report->message, sizeof im->report->message,
			 "staging rows: %s (%u)", mysql_stmt_error(im->insert),
			 mysql_stmt_errno(im->insert));
		im->report->db_status = db_classify_errno(mysql_stmt_errno(im->insert));
		return -1;
	}
	im->nbatch = 0;
	return 0;
}

static void set_text(char *dst, size_t size, char *ind, const char *src)
{
	if (src == NULL) {
		*ind = STMT_INDICATOR_NULL;
		dst[0] = '\0';
		return;
	}
	snprintf(dst, size, "%s", src);
	*ind = STMT_INDICATOR_NTS;
}

static int on_row(void *ctx, const struct ingest_row *row)
{
	struct import *im = ctx;
	struct stage_row *s = &im->batch[im->nbatch++];
	s->line = (unsigned int)row->line;
	s->line_ind = STMT_INDICATOR_NONE;
	set_text(s->key, sizeof s->key, &s->key_ind, row->campaign_key);
	set_text(s->name, sizeof s->name, &s->name_ind, row->campaign_name);
	set_text(s->channel, sizeof s->channel, &s->channel_ind, row->channel);
	set_text(s->currency, sizeof s->currency, &s->currency_ind, row->currency);
	set_text(s->day, sizeof s->day, &s->day_ind, row->day);
	for (int m = 0; m < METRIC__MAX; m++)
		set_text(s->metric[m], sizeof s->metric[m], &s->metric_ind[m],
			 row->known[m] ? row->metric[m].text : NULL);
	return im->nbatch == BATCH_ROWS ? flush_batch(im) : 0;
}

static void on_reject(void *ctx, unsigned long line, const char *reason)
{
	struct import *im = ctx;
	add_reject(im->report, line, reason);
}

/* --- finishing -------------------------------------------------------------- */

/* Runs a query that returns one row of integers into out[0..n). */
static enum db_status query_counts(struct db *db, const char *sql, unsigned long long *out, int n)
{
	MYSQL_RES *res;
	enum db_status st = db_exec_noretry(db, sql, &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row = mysql_fetch_row(res);
	for (int i = 0; i < n; i++)
		out[i] = row && row[i] ? strtoull(row[i], NULL, 10) : 0;
	mysql_free_result(res);
	return DB_OK;
}

/* In a campaign-grain file a (campaign, day) twice is an error: the later
 * lines are rejected, naming the first. */
static enum db_status reject_duplicates(struct import *im)
{
	static const char dups[] =
		"CREATE TEMPORARY TABLE ingest_dups ENGINE=InnoDB AS"
		" SELECT s.line, f.first_line, s.external_id, s.day FROM ingest_stage s"
		" JOIN (SELECT external_id, day, MIN(line) AS first_line FROM ingest_stage"
		"       GROUP BY external_id, day HAVING COUNT(*) > 1) f"
		" ON s.external_id = f.external_id AND s.day = f.day WHERE s.line > f.first_line";
	MYSQL_RES *res;
	enum db_status st;
	if ((st = db_exec_noretry(im->db, "DROP TEMPORARY TABLE IF EXISTS ingest_dups", NULL)) ||
	    (st = db_exec_noretry(im->db, dups, NULL)) ||
	    (st = db_exec_noretry(im->db,
				  "SELECT line, first_line, external_id, DATE_FORMAT(day, '%Y-%m-%d')"
				  " FROM ingest_dups ORDER BY line", &res)))
		return st;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		char reason[400];
		snprintf(reason, sizeof reason,
			 "campaign '%.200s' on %s appears again (first on line %s)", row[2], row[3],
			 row[1]);
		add_reject(im->report, strtoul(row[0], NULL, 10), reason);
	}
	mysql_free_result(res);
	return db_exec_noretry(im->db,
			       "DELETE s FROM ingest_stage s JOIN ingest_dups d ON s.line = d.line",
			       NULL);
}

static void escape(struct db *db, char *out, size_t outlen, const char *in)
{
	size_t len = strlen(in);
	if (2 * len + 1 > outlen)
		len = (outlen - 1) / 2;
	mysql_real_escape_string(db_mysql(db), out, in, (unsigned long)len);
}

/* Records the file in ingest_files. A file imported before (not merely
 * rejected before) makes this import a duplicate. */
static enum db_status record_file(struct import *im, const char *status, int *duplicate)
{
	struct import_report *r = im->report;
	char name[2 * sizeof r->name + 1];
	char *report_text = malloc(2 * (r->log_len + 1) + 1);
	if (report_text == NULL)
		return DB_ERROR;
	escape(im->db, name, sizeof name, r->name);
	mysql_real_escape_string(db_mysql(im->db), report_text, r->log ? r->log : "",
				 (unsigned long)r->log_len);

	size_t sqllen = strlen(report_text) + sizeof name + 512;
	char *sql = malloc(sqllen);
	enum db_status st = DB_ERROR;
	*duplicate = 0;
	if (sql == NULL)
		goto out;

	MYSQL_RES *res;
	snprintf(sql, sqllen, "SELECT id, status FROM ingest_files WHERE sha256 = '%s' FOR UPDATE",
		 r->sha256);
	if ((st = db_exec_noretry(im->db, sql, &res)) != DB_OK)
		goto out;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL && strcmp(row[1], "rejected") != 0) {
		r->file_id = atoll(row[0]);
		*duplicate = 1;
	}
	mysql_free_result(res);
	if (*duplicate)
		goto out;

	snprintf(sql, sqllen, "DELETE FROM ingest_files WHERE sha256 = '%s'", r->sha256);
	if ((st = db_exec_noretry(im->db, sql, NULL)) != DB_OK)
		goto out;
	snprintf(sql, sqllen,
		 "INSERT INTO ingest_files (sha256, name, format, rows_ok, rows_rejected, status, report)"
		 " VALUES ('%s', '%s', %s%s%s, %lu, %lu, '%s', '%s')",
		 r->sha256, name, r->format ? "'" : "",
		 r->format ? ingest_format_names[r->format] : "NULL", r->format ? "'" : "",
		 r->rows_ok, r->rows_rejected, status, report_text);
	st = db_exec_noretry(im->db, sql, NULL);
	if (st == DB_ERROR && mysql_errno(db_mysql(im->db)) == ER_DUP_ENTRY) {
		/* Another import of the same bytes committed while we worked. */
		*duplicate = 1;
		st = DB_OK;
	} else if (st == DB_OK) {
		r->file_id = (long long)mysql_insert_id(db_mysql(im->db));
	}
out:
	free(sql);
	free(report_text);
	return st;
}

static const char campaigns_upsert[] =
	"INSERT INTO campaigns (source, external_id, name, channel, currency)"
	" SELECT '%s', external_id, MAX(name), MAX(channel), MAX(currency)"
	" FROM ingest_stage GROUP BY external_id"
	" ON DUPLICATE KEY UPDATE name = VALUES(name), channel = VALUES(channel),"
	" currency = COALESCE(VALUES(currency), campaigns.currency)";

/* Rows of a campaign-day are summed; SUM of only NULLs stays NULL (unknown),
 * and reach summed over several rows counts people more than once. */
static const char daily_upsert[] =
	"INSERT INTO campaign_daily (campaign_id, day, spend, impressions, reach,"
	" reach_is_upper_bound, clicks, conversions, revenue, ingest_file_id)"
	" SELECT c.id, s.day, SUM(s.spend), SUM(s.impressions), SUM(s.reach),"
	" COUNT(s.reach) > 1, SUM(s.clicks), SUM(s.conversions), SUM(s.revenue), %lld"
	" FROM ingest_stage s JOIN campaigns c ON c.source = '%s' AND c.external_id = s.external_id"
	" GROUP BY c.id, s.day"
	" ON DUPLICATE KEY UPDATE spend = VALUES(spend), impressions = VALUES(impressions),"
	" reach = VALUES(reach), reach_is_upper_bound = VALUES(reach_is_upper_bound),"
	" clicks = VALUES(clicks), conversions = VALUES(conversions), revenue = VALUES(revenue),"
	" ingest_file_id = VALUES(ingest_file_id)";

static const char mixed_currencies[] =
	"SELECT c.channel, GROUP_CONCAT(DISTINCT c.currency ORDER BY c.currency)"
	" FROM campaigns c WHERE c.currency IS NOT NULL"
	" AND c.channel IN (SELECT DISTINCT channel FROM ingest_stage)"
	" GROUP BY c.channel HAVING COUNT(DISTINCT c.currency) > 1";

static enum db_status note_mixed_currencies(struct import *im)
{
	MYSQL_RES *res;
	enum db_status st = db_exec_noretry(im->db, mixed_currencies, &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row;
	size_t used = strlen(im->report->warnings);
	while ((row = mysql_fetch_row(res)) != NULL && used < sizeof im->report->warnings) {
		int n = snprintf(im->report->warnings + used, sizeof im->report->warnings - used,
				 "%schannel %s mixes currencies %s", used ? "; " : "", row[0], row[1]);
		used += n > 0 ? (size_t)n : 0;
	}
	mysql_free_result(res);
	return DB_OK;
}

/* Sums the staged rows into campaign-days and writes them, with the file's
 * record, in the open transaction. */
static enum import_status store_rows(struct import *im, int campaign_grain)
{
	struct import_report *r = im->report;
	const char *source = ingest_format_names[r->format];
	enum db_status st;

	if (campaign_grain && (st = reject_duplicates(im)) != DB_OK)
		return fail(im, st, "checking duplicate campaign-days");
	unsigned long long counts[3];
	st = query_counts(im->db,
			  "SELECT COUNT(*), COUNT(DISTINCT external_id), COUNT(DISTINCT external_id, day)"
			  " FROM ingest_stage", counts, 3);
	if (st != DB_OK)
		return fail(im, st, "counting staged rows");
	r->rows_ok = counts[0];
	r->campaigns = counts[1];
	r->campaign_days = counts[2];
	if (r->rows_ok == 0) {
		r->status = IMPORT_REJECTED;
		snprintf(r->message, sizeof r->message, "every row was rejected");
		return r->status;
	}

	r->status = r->rows_rejected ? IMPORT_PARTIAL : IMPORT_IMPORTED;
	int duplicate;
	if ((st = record_file(im, import_status_names[r->status], &duplicate)) != DB_OK)
		return fail(im, st, "recording the file");
	if (duplicate) {
		r->status = IMPORT_DUPLICATE;
		snprintf(r->message, sizeof r->message, "already imported (ingest_files id %lld)",
			 r->file_id);
		return r->status;
	}

	char sql[2048];
	snprintf(sql, sizeof sql, campaigns_upsert, source);
	if ((st = db_exec_noretry(im->db, sql, NULL)) != DB_OK)
		return fail(im, st, "writing campaigns");
	snprintf(sql, sizeof sql, daily_upsert, r->file_id, source);
	if ((st = db_exec_noretry(im->db, sql, NULL)) != DB_OK)
		return fail(im, st, "writing campaign_daily");
	if ((st = note_mixed_currencies(im)) != DB_OK)
		return fail(im, st, "checking currencies");
	return r->status;
}

/* A file that gave nothing to import is still recorded (empty or rejected),
 * in its own transaction, so that its report can be looked up. */
static void record_without_rows(struct import *im)
{
	struct import_report *r = im->report;
	int duplicate;
	db_exec_noretry(im->db, "ROLLBACK", NULL);
	if (db_exec_noretry(im->db, "START TRANSACTION", NULL) != DB_OK)
		return;
	if (r->status == IMPORT_REJECTED && r->nfirst == 0)
		log_append(r, "%s\n", r->message);
	if (record_file(im, import_status_names[r->status], &duplicate) != DB_OK ||
	    db_exec_noretry(im->db, "COMMIT", NULL) != DB_OK) {
		db_exec_noretry(im->db, "ROLLBACK", NULL);
		return;
	}
	if (duplicate) {
		r->status = IMPORT_DUPLICATE;
		snprintf(r->message, sizeof r->message, "already imported (ingest_files id %lld)",
			 r->file_id);
	}
}

static void hex(const unsigned char *bytes, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Streams every byte through the hash and the parser. Returns the outcome. */
static enum ingest_outcome stream_through(struct import *im, struct ingest_parser *parser,
					  import_read_fn *read, void *ctx, EVP_MD_CTX *sha)
{
	struct import_report *r = im->report;
	char *buf = malloc(READ_CHUNK);
	if (buf == NULL) {
		snprintf(r->message, sizeof r->message, "out of memory");
		return INGEST_STOPPED;
	}
	long n;
	int stopped = 0;
	while ((n = read(ctx, buf, READ_CHUNK)) > 0) {
		EVP_DigestUpdate(sha, buf, (size_t)n);
		if (!stopped && ingest_parser_feed(parser, buf, (size_t)n) != 0)
			stopped = 1; /* keep reading: the hash covers the whole file */
	}
	free(buf);
	if (n < 0) {
		snprintf(r->message, sizeof r->message, "reading %s failed: %s", r->name,
			 strerror(errno));
		return INGEST_STOPPED;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(sha, digest, &len);
	hex(digest, len, r->sha256);

	enum ingest_outcome outcome = ingest_parser_finish(parser);
	r->format = ingest_parser_columns(parser)->format;
	if (outcome == INGEST_ROWS && flush_batch(im) != 0)
		outcome = INGEST_STOPPED;
	return outcome;
}

static enum import_status run_import(struct import *im, import_read_fn *read, void *ctx)
{
	static const struct ingest_sink sink = { on_row, on_reject };
	struct import_report *r = im->report;
	enum db_status st;

	if ((st = db_query(im->db, "DROP TEMPORARY TABLE IF EXISTS ingest_stage", NULL)) ||
	    (st = db_exec_noretry(im->db, "START TRANSACTION", NULL)) ||
	    (st = db_exec_noretry(im->db, stage_ddl, NULL)))
		return fail(im, st, "preparing the import");
	if (prepare_stage(im) != 0) {
		snprintf(r->message, sizeof r->message, "preparing the staging insert: %s",
			 im->insert ? mysql_stmt_error(im->insert) : "out of memory");
		r->status = IMPORT_FAILED;
		return r->status;
	}

	struct ingest_parser *parser = ingest_parser_new(&sink, im);
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	if (parser == NULL || sha == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
		ingest_parser_free(parser);
		EVP_MD_CTX_free(sha);
		snprintf(r->message, sizeof r->message, "out of memory");
		r->status = IMPORT_FAILED;
		return r->status;
	}
	enum ingest_outcome outcome = stream_through(im, parser, read, ctx, sha);
	int campaign_grain = ingest_parser_columns(parser)->campaign_grain;
	if (outcome == INGEST_REFUSED)
		snprintf(r->message, sizeof r->message, "%s", ingest_parser_error(parser));
	ingest_parser_free(parser);
	EVP_MD_CTX_free(sha);

	switch (outcome) {
	case INGEST_STOPPED:
		r->status = IMPORT_FAILED;
		if (im->db_failed == 0)
			r->db_status = DB_OK;
		return r->status;
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
		break;
	}
	if (store_rows(im, campaign_grain) == IMPORT_REJECTED) {
		record_without_rows(im);
		return r->status;
	}
	if (r->status == IMPORT_IMPORTED || r->status == IMPORT_PARTIAL) {
		if ((st = db_exec_noretry(im->db, "COMMIT", NULL)) != DB_OK)
			return fail(im, st, "committing");
	}
	return r->status;
}

enum import_status import_stream(struct db *db, const char *name, import_read_fn *read,
				 void *ctx, struct import_report *report)
{
	memset(report, 0, sizeof *report);
	snprintf(report->name, sizeof report->name, "%s", name);
	report->db_status = DB_OK;

	struct import im = { .db = db, .report = report };
	im.batch = calloc(BATCH_ROWS, sizeof *im.batch);
	if (im.batch == NULL) {
		snprintf(report->message, sizeof report->message, "out of memory");
		report->status = IMPORT_FAILED;
		return report->status;
	}
	enum import_status status = run_import(&im, read, ctx);
	if (status != IMPORT_IMPORTED && status != IMPORT_PARTIAL && db_mysql(db) != NULL)
		db_exec_noretry(db, "ROLLBACK", NULL);
	if (im.insert != NULL)
		mysql_stmt_close(im.insert);
	if (db_mysql(db) != NULL) {
		db_exec_noretry(db, "DROP TEMPORARY TABLE IF EXISTS ingest_stage", NULL);
		db_exec_noretry(db, "DROP TEMPORARY TABLE IF EXISTS ingest_dups", NULL);
	}
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
			hex(digest, len, out);
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
	memset(report, 0, sizeof *report);
	snprintf(report->name, sizeof report->name, "%s", base);
	if (already_imported(db, f, report)) {
		fclose(f);
		return report->status;
	}
	enum import_status status = import_stream(db, base, read_file, f, report);
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
