#include "importer.h"

#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "dates.h"
#include "hex.h"
#include "imports.h"
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

/* The parser's amounts fit the store's rows whole. */
_Static_assert(CELL_NUMBER_MAX <= IMPORTS_DECIMAL_MAX, "an amount's text does not fit imports_decimal");

struct import {
	struct db *db;
	struct import_report *report;
	struct imports *store;        /* the import's transaction and statements */
	enum ingest_format format;    /* known from the first row on */
	int campaign_grain;
	struct imports_day *batch;    /* [BATCH_ROWS] rows not yet written */
	unsigned nbatch;
	struct seen_ids *campaigns;   /* campaign key -> campaigns.id */
	struct seen_ids *labels;      /* key, channel and currency seen (generic) */
	struct seen_ids *channels;    /* channel -> 1 when the store reads it as 'all' */
	struct seen_filter *days;     /* campaign-days of a campaign-grain file */
	const struct progress_sink *progress; /* NULL: nobody asked */
	unsigned long long size;      /* the file's bytes, 0 when unknown */
	unsigned long long bytes;     /* read, at the last report */
};

/* Tells progress (if any) how far the file is: rows handed over so far. */
static void report_progress(struct import *im, enum progress_phase phase)
{
	struct progress_update u = {
		.phase = phase,
		.name = im->report->name,
		.rows = im->report->rows_ok + im->report->rows_rejected,
		.bytes = im->bytes,
		.size = im->size,
	};
	progress_report(im->progress, &u);
}

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

/* Ends the import as failed on a database error (st) while doing what.
 * Nothing of it stays: imports_free rolls back. */
static enum import_status fail(struct import *im, enum db_status st, const char *what)
{
	struct import_report *r = im->report;
	r->status = IMPORT_FAILED;
	r->db_status = st;
	r->db_errno = imports_errno(im->store);
	r->file_id = 0; /* a record that did not commit */
	snprintf(r->message, sizeof r->message, "%s: %s", what, imports_error(im->store));
	return r->status;
}

/* fail() for the row writers, which return -1. */
static int store_failed(struct import *im, enum db_status st, const char *what)
{
	fail(im, st, what);
	return -1;
}

/* --- rows ------------------------------------------------------------------ */

static int flush_batch(struct import *im)
{
	if (im->nbatch == 0)
		return 0;
	enum db_status st = imports_write_days(im->store, im->batch, im->nbatch);
	if (st != DB_OK)
		return store_failed(im, st, "writing campaign_daily");
	im->nbatch = 0;
	return 0;
}

/* The campaign's id, creating or updating its row the first time the file
 * names it. Returns 0, or -1 on a database error or out of memory. */
static int campaign_id(struct import *im, const struct ingest_row *row, uint64_t *id)
{
	if (seen_ids_get(im->campaigns, row->campaign_key, id))
		return 0;
	struct imports_campaign c = {
		.source = ingest_format_names[im->format],
		.key = row->campaign_key,
		.name = row->campaign_name,
		.channel = row->channel,
		.currency = row->currency,
	};
	long long stored;
	enum db_status st = imports_campaign(im->store, &c, &stored);
	if (st != DB_OK)
		return store_failed(im, st, "writing campaigns");
	*id = (uint64_t)stored;
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
	int found;
	enum db_status st = imports_day_written(im->store, (long long)campaign, day, &found);
	if (st != DB_OK)
		return store_failed(im, st, "checking a repeated campaign-day");
	return found;
}

static void set_decimal(struct imports_decimal *dst, const struct ingest_row *row,
			enum ingest_metric m)
{
	dst->known = row->known[m];
	if (!dst->known) {
		dst->text[0] = '\0';
		return;
	}
	size_t n = strnlen(row->metric[m].text, sizeof dst->text - 1);
	memcpy(dst->text, row->metric[m].text, n);
	dst->text[n] = '\0';
}

static void set_count(struct imports_count *dst, const struct ingest_row *row, enum ingest_metric m)
{
	dst->known = row->known[m];
	dst->value = (unsigned long long)row->metric[m].value;
}

/*
 * In a generic file a campaign keeps the channel and currency of its first
 * row: two platforms' campaigns whose ids collide would otherwise be
 * folded into one, the later rows filed under the first one's channel.
 * A channel the store reads as 'all' is refused here too (the parser
 * knows only the ASCII spellings). Returns 1 (the row rejected) when this
 * row names others, 0 when not, -1 on a database error or when memory
 * runs out.
 */
static int relabelled(struct import *im, const struct ingest_row *row)
{
	char label[600];
	uint64_t id;
	snprintf(label, sizeof label, "%s\x1f%s\x1f%s", row->campaign_key, row->channel,
		 row->currency ? row->currency : "");
	if (seen_ids_get(im->labels, label, &id))
		return 0;
	uint64_t reserved;
	if (!seen_ids_get(im->channels, row->channel, &reserved)) {
		int is_all;
		enum db_status st = imports_channel_reserved(im->store, row->channel, &is_all);
		if (st != DB_OK)
			return store_failed(im, st, "checking a channel's name");
		reserved = (uint64_t)is_all;
		if (seen_ids_put(im->channels, row->channel, reserved) != 0) {
			snprintf(im->report->message, sizeof im->report->message, "out of memory");
			return -1;
		}
	}
	if (reserved) {
		char reason[400];
		snprintf(reason, sizeof reason,
			 "channel '%.64s' is the store's 'all', reserved for the total over all "
			 "channels (names are compared ignoring case, accents and width): give the "
			 "channel another name", row->channel);
		add_reject(im->report, row->line, reason);
		return 1;
	}
	if (seen_ids_get(im->campaigns, row->campaign_key, &id)) {
		char reason[400];
		snprintf(reason, sizeof reason,
			 "campaign '%.200s' has another channel or currency on an earlier row of the "
			 "file; a campaign keeps one (give this one its own campaign_id)",
			 row->campaign_key);
		add_reject(im->report, row->line, reason);
		return 1;
	}
	if (seen_ids_put(im->labels, label, 0) != 0) {
		snprintf(im->report->message, sizeof im->report->message, "out of memory");
		return -1;
	}
	return 0;
}

/* Writes one parsed row (the consumer side of the reader). Returns 0, or -1
 * on a database error. */
static int store_row(struct import *im, const struct ingest_row *row)
{
	uint64_t id;
	if (im->campaign_grain) {
		int other = relabelled(im, row);
		if (other != 0)
			return other < 0 ? -1 : 0;
	}
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

	struct imports_day *d = &im->batch[im->nbatch++];
	d->campaign_id = (long long)id;
	memcpy(d->day, row->day, sizeof d->day);
	set_decimal(&d->spend, row, METRIC_SPEND);
	set_decimal(&d->conversions, row, METRIC_CONVERSIONS);
	set_decimal(&d->revenue, row, METRIC_REVENUE);
	set_count(&d->impressions, row, METRIC_IMPRESSIONS);
	set_count(&d->reach, row, METRIC_REACH);
	set_count(&d->clicks, row, METRIC_CLICKS);
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
		/* Once a batch (BATCH_ROWS rows): the clock is read no more often. */
		if (im->progress != NULL) {
			im->bytes = reader_bytes(reader);
			report_progress(im, PROGRESS_ROWS);
		}
	}
	return 0;
}

/* --- the file's record -------------------------------------------------- */

/*
 * Gives the file's record its real hash and outcome (status). An earlier
 * import of the same bytes (not merely a rejected one) makes this one a
 * duplicate: *duplicate = 1, and report->file_id is the earlier one.
 */
static enum db_status record_file(struct import *im, const char *status, int *duplicate)
{
	struct import_report *r = im->report;
	struct imports_record rec = {
		.sha256 = r->sha256,
		.name = r->name,
		.format = r->format ? ingest_format_names[r->format] : NULL,
		.status = status,
		.rows_ok = r->rows_ok,
		.rows_rejected = r->rows_rejected,
		.report = r->log,
		.report_len = r->log_len,
	};
	long long id;
	enum db_status st = imports_record_file(im->store, &rec, &id, duplicate);
	if (st == DB_OK)
		r->file_id = id;
	return st;
}

static void mark_duplicate(struct import_report *r)
{
	r->status = IMPORT_DUPLICATE;
	snprintf(r->message, sizeof r->message, "already imported (ingest_files id %lld)", r->file_id);
}

/* A file that gave nothing to import is still recorded (empty or rejected)
 * in a transaction of its own, so that its report can be looked up. A
 * failure to record it leaves its status as it is (the file was read; the
 * record is a courtesy) and nothing recorded. */
static void record_without_rows(struct import *im)
{
	struct import_report *r = im->report;
	int duplicate;
	r->rows_ok = 0;
	if (r->status == IMPORT_REJECTED && r->nfirst == 0)
		log_append(r, "%s\n", r->message);
	if (imports_restart(im->store) != DB_OK)
		return;
	if (record_file(im, import_status_names[r->status], &duplicate) != DB_OK ||
	    imports_commit(im->store) != DB_OK) {
		r->file_id = 0; /* rolled back by imports_free */
		return;
	}
	if (duplicate)
		mark_duplicate(r);
}

/* Adds one channel's mixed currencies to the report's warnings; stops
 * when they are full. */
static int add_currency_warning(void *ctx, const char *channel, const char *currencies)
{
	struct import_report *r = ctx;
	size_t used = strlen(r->warnings);
	int n = snprintf(r->warnings + used, sizeof r->warnings - used, "%schannel %s mixes currencies %s",
			 used ? "; " : "", channel, currencies);
	return n < 0 || used + (size_t)n >= sizeof r->warnings;
}

/* Campaign-days this file wrote: one per row in a campaign-grain file;
 * otherwise counted among its source's rows. */
static enum db_status count_campaign_days(struct import *im)
{
	if (im->campaign_grain) {
		im->report->campaign_days = im->report->rows_ok;
		return DB_OK;
	}
	return imports_count_days(im->store, ingest_format_names[im->format],
				  &im->report->campaign_days);
}

/* Completes an import whose rows are written: counts, the file's record,
 * the currency check, the commit. */
static enum import_status commit_rows(struct import *im)
{
	struct import_report *r = im->report;
	enum db_status st;
	if (flush_batch(im) != 0)
		return r->status;
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
	if ((st = record_file(im, import_status_names[r->status], &duplicate)) != DB_OK)
		return fail(im, st, "recording the file");
	if (duplicate) {
		mark_duplicate(r);
		return r->status;
	}
	if ((st = imports_mixed_currencies(im->store, add_currency_warning, r)) != DB_OK)
		return fail(im, st, "checking currencies");
	double t0 = now_seconds();
	if ((st = imports_commit(im->store)) != DB_OK)
		return fail(im, st, "committing");
	log_debug("import %s: committed in %.3f s", r->name, now_seconds() - t0);
	return r->status;
}

static enum import_status run_import(struct import *im, import_read_fn *read, void *ctx)
{
	struct import_report *r = im->report;
	enum db_status st;

	if ((st = imports_begin(im->store, r->name)) != DB_OK)
		return fail(im, st, "starting the import");
	struct reader *reader = reader_start(read, ctx, BATCH_ROWS);
	if (reader == NULL) {
		snprintf(r->message, sizeof r->message, "cannot start reading: out of memory");
		r->status = IMPORT_FAILED;
		return r->status;
	}
	double t0 = now_seconds();
	report_progress(im, PROGRESS_ROWS);
	int stored = store_batches(im, reader);
	if (stored != 0)
		reader_stop(reader);
	char message[1024];
	enum ingest_format format;
	enum ingest_outcome outcome = reader_finish(reader, r->sha256, &format, message, sizeof message);
	im->bytes = reader_bytes(reader);
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

/*
 * A value the store's column cannot hold (a campaign-day's rows summing
 * past it: each row alone passed the parser's limit) is the file's doing,
 * and the same file would fail the same way at every sync: it is
 * rejected (out of the spool, with its report), not failed.
 */
static enum import_status reject_out_of_range(struct import *im)
{
	struct import_report *r = im->report;
	const char *column = strstr(r->message, "column '");
	char message[sizeof r->message];
	snprintf(message, sizeof message,
		 "a campaign-day's %.*s, summed over the file's rows for it, is too large to "
		 "store (spend and conversions must stay under 1e12, revenue under 1e14)",
		 column ? (int)strcspn(column + 8, "'") : 6, column ? column + 8 : "amount");
	snprintf(r->message, sizeof r->message, "%s", message);
	r->status = IMPORT_REJECTED;
	r->db_status = DB_OK;
	r->db_errno = 0;
	record_without_rows(im);
	return r->status;
}

/* import_stream of a stream of size bytes (0: unknown). */
static enum import_status import_sized(struct db *db, const char *name, import_read_fn *read,
				       void *ctx, const struct progress_sink *progress,
				       unsigned long long size, struct import_report *report)
{
	memset(report, 0, sizeof *report);
	snprintf(report->name, sizeof report->name, "%s", name);
	report->db_status = DB_OK;

	struct import im = { .db = db, .report = report, .progress = progress, .size = size };
	im.batch = calloc(BATCH_ROWS, sizeof *im.batch);
	im.campaigns = seen_ids_new();
	im.labels = seen_ids_new();
	im.channels = seen_ids_new();
	im.store = imports_new(db, BATCH_ROWS);
	enum import_status status;
	if (im.batch == NULL || im.campaigns == NULL || im.labels == NULL || im.channels == NULL ||
	    im.store == NULL) {
		snprintf(report->message, sizeof report->message, "out of memory");
		status = report->status = IMPORT_FAILED;
	} else {
		status = run_import(&im, read, ctx);
		if (status == IMPORT_FAILED && imports_out_of_range(report->db_errno))
			status = reject_out_of_range(&im);
	}
	/* Rolls back whatever did not commit: nothing half-imported shows. */
	imports_free(im.store);
	seen_filter_free(im.days);
	seen_ids_free(im.campaigns);
	seen_ids_free(im.labels);
	seen_ids_free(im.channels);
	free(im.batch);
	report_progress(&im, PROGRESS_DONE);
	return status;
}

enum import_status import_stream(struct db *db, const char *name, import_read_fn *read,
				 void *ctx, const struct progress_sink *progress,
				 struct import_report *report)
{
	return import_sized(db, name, read, ctx, progress, 0, report);
}

/* --- files ------------------------------------------------------------------ */

static long read_file(void *ctx, void *buf, size_t len)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, len, f);
	return n == 0 && ferror(f) ? -1 : (long)n;
}

/* Hashes f from its position to its end. Returns 0, or -1 with why set. */
static int stream_sha256(FILE *f, char out[65], char *why, size_t whylen)
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	char *buf = malloc(READ_CHUNK);
	int rc = -1;
	if (sha == NULL || buf == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
		snprintf(why, whylen, "hashing: out of memory");
		goto out;
	}
	size_t n;
	while ((n = fread(buf, 1, READ_CHUNK, f)) > 0)
		if (EVP_DigestUpdate(sha, buf, n) != 1) {
			snprintf(why, whylen, "hashing failed");
			goto out;
		}
	if (ferror(f)) {
		snprintf(why, whylen, "reading: %s", strerror(errno ? errno : EIO));
		goto out;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (EVP_DigestFinal_ex(sha, digest, &len) != 1) {
		snprintf(why, whylen, "hashing failed");
		goto out;
	}
	hex_encode(digest, len, out);
	rc = 0;
out:
	free(buf);
	EVP_MD_CTX_free(sha);
	return rc;
}

/* A file that cannot be read (again) fails before anything is written. */
static enum import_status read_failed(struct import_report *r, const char *why)
{
	r->status = IMPORT_FAILED;
	r->db_status = DB_OK;
	r->db_errno = 0;
	snprintf(r->message, sizeof r->message, "%s: %s", r->name, why);
	return r->status;
}

/* Hashes f's bytes from start on and puts f back at start. Returns 0, or
 * -1 when f could not be hashed or put back (report: failed). */
static int hash_from(FILE *f, off_t start, char sha[65], struct import_report *report)
{
	char why[256];
	errno = 0;
	if (stream_sha256(f, sha, why, sizeof why) != 0) {
		read_failed(report, why);
		return -1;
	}
	if (fseeko(f, start, SEEK_SET) != 0) {
		snprintf(why, sizeof why, "cannot read it again after hashing: %s", strerror(errno));
		read_failed(report, why);
		return -1;
	}
	return 0;
}

/*
 * Looks for an earlier import of the bytes hashed sha, without parsing
 * them. Returns 1 when there is one (report: duplicate), 0 when there is
 * none, -1 when the lookup failed (report: failed; nothing was written).
 */
static int already_imported(struct db *db, const char sha[65], struct import_report *report)
{
	struct imports_earlier earlier;
	int found;
	enum db_status st = imports_find_file(db, sha, &earlier, &found);
	if (st != DB_OK) {
		report->status = IMPORT_FAILED;
		report->db_status = st;
		report->db_errno = db_errno(db);
		snprintf(report->message, sizeof report->message, "looking for an earlier import: %s",
			 db_error(db));
		return -1;
	}
	if (!found)
		return 0;
	memcpy(report->sha256, sha, 65);
	report->file_id = earlier.file_id;
	report->status = IMPORT_DUPLICATE;
	for (int fmt = 0; fmt < FORMAT__MAX; fmt++)
		if (strcmp(earlier.format, ingest_format_names[fmt]) == 0)
			report->format = (enum ingest_format)fmt;
	snprintf(report->message, sizeof report->message,
		 "already imported as ingest_files id %lld (%s: %lu rows in, %lu rejected)",
		 earlier.file_id, earlier.status, earlier.rows_ok, earlier.rows_rejected);
	return 1;
}

enum import_status import_fp(struct db *db, const char *name, FILE *f,
			     const struct progress_sink *progress, struct import_report *report)
{
	memset(report, 0, sizeof *report);
	snprintf(report->name, sizeof report->name, "%s", name);
	off_t start = ftello(f);
	if (start < 0) {
		/* A pipe or a socket can be read only once: no look-ahead by hash
		 * (the import finds a duplicate at its end) and no second try. */
		return import_sized(db, name, read_file, f, progress, 0, report);
	}
	struct stat info;
	unsigned long long size = fstat(fileno(f), &info) == 0 && S_ISREG(info.st_mode) &&
				  info.st_size > start ? (unsigned long long)(info.st_size - start) : 0;
	char sha[65];
	if (hash_from(f, start, sha, report) != 0 || already_imported(db, sha, report) != 0)
		return report->status;
	/* Two imports writing the same campaign-days in different orders can
	 * deadlock; InnoDB rolls one back, and a file can simply be read again.
	 * On Galera an import of the same bytes through another node clashes
	 * with this one and one of them is refused, also as a deadlock: the
	 * look for an earlier import, causal there, runs again first. */
	for (int attempt = 0;; attempt++) {
		enum import_status st = import_sized(db, name, read_file, f, progress, size, report);
		if (st != IMPORT_FAILED || !imports_deadlocked(report->db_errno) || attempt == 2)
			return st;
		log_warn("import %s: deadlock with another import; trying again", name);
		import_report_free(report);
		memset(report, 0, sizeof *report);
		snprintf(report->name, sizeof report->name, "%s", name);
		if (fseeko(f, start, SEEK_SET) != 0) {
			char why[256];
			snprintf(why, sizeof why, "cannot read it again: %s", strerror(errno));
			return read_failed(report, why);
		}
		clearerr(f);
		if (already_imported(db, sha, report) != 0)
			return report->status;
	}
}

enum import_status import_file(struct db *db, const char *path,
			       const struct progress_sink *progress, struct import_report *report)
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
	enum import_status status = import_fp(db, base, f, progress, report);
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
