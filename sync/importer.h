/*
 * importer: one report file into MariaDB, all or nothing.
 *
 * The bytes go through the SHA-256 and the parser on a reader thread
 * (reader.h) while this side writes what it hands over: each campaign
 * upserted the first time the file names it, the campaign-day rows in
 * batches of array-bound prepared statements (db/imports.h), straight into
 * campaign_daily (rows of one campaign-day from this file are summed, rows
 * from an earlier file replaced). The file is recorded in ingest_files by
 * its SHA-256, and everything commits in one transaction or not at all. A
 * file whose bytes were imported before is skipped. Memory does not grow
 * with the file.
 */
#ifndef MLDASH_IMPORTER_H
#define MLDASH_IMPORTER_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"
#include "formats.h"
#include "progress.h"

struct json_object;

enum import_status {
	IMPORT_IMPORTED,  /* every row went in */
	IMPORT_PARTIAL,   /* some rows rejected, the others went in */
	IMPORT_EMPTY,     /* no data in the file; recorded, nothing written */
	IMPORT_REJECTED,  /* refused whole, or every row rejected; nothing written */
	IMPORT_DUPLICATE, /* the same bytes were imported before; skipped */
	IMPORT_FAILED,    /* database or read error; nothing written */
	IMPORT_STATUS__MAX
};
extern const char *const import_status_names[IMPORT_STATUS__MAX];

#define IMPORT_FIRST_REJECTS 10

struct import_reject {
	unsigned long line;
	char reason[400];
};

struct import_report {
	char name[256];
	char sha256[65];
	enum ingest_format format;
	enum import_status status;
	unsigned long rows_ok;       /* rows that went in */
	unsigned long rows_rejected;
	unsigned long campaign_days; /* campaign-days written (new or replaced) */
	unsigned long campaigns;     /* campaigns in the file */
	long long file_id;           /* ingest_files.id, or of the earlier import */
	enum db_status db_status;    /* for IMPORT_FAILED: DB_UNAVAILABLE means retry */
	unsigned int db_errno;       /* for IMPORT_FAILED: MariaDB's error number, 0 if none */
	char message[1024];          /* why refused, failed or skipped */
	char warnings[512];          /* e.g. currencies mixed within a channel */
	struct import_reject first[IMPORT_FIRST_REJECTS];
	unsigned nfirst;
	char *log;                   /* every rejection, "line N: reason\n", capped */
	size_t log_len, log_cap;
};

/* Reads up to len bytes; returns the count, 0 at the end, -1 on error. */
typedef long import_read_fn(void *ctx, void *buf, size_t len);

/*
 * Imports a stream named name. The caller owns report and frees it with
 * import_report_free (also after failures). Returns report->status.
 *
 * progress (NULL: none) hears of the rows and bytes read at each batch of
 * rows written (PROGRESS_ROWS, on the calling thread), from a first update
 * with none to PROGRESS_DONE with the final counts, whatever the outcome.
 * It is not told of a file found already imported by its hash.
 */
enum import_status import_stream(struct db *db, const char *name, import_read_fn *read,
				 void *ctx, const struct progress_sink *progress,
				 struct import_report *report);

/* Imports a file; a file already imported is found by its hash first,
 * without parsing it. A file that cannot be opened or read fails
 * (IMPORT_FAILED with db_status DB_OK) and nothing is written. */
enum import_status import_file(struct db *db, const char *path,
			       const struct progress_sink *progress, struct import_report *report);

/*
 * The same for an open file, read from its current position to its end.
 * A seekable f is read twice, once for the hash and once to import (and
 * again when a deadlock with another import is retried), each time from
 * that position; a pipe is read once and imported, its duplicate found at
 * the end. When f cannot be read or put back the import fails before
 * writing anything. f stays open (the caller closes it) at an unspecified
 * position. progress as for import_stream, with the size of a regular file
 * (from the position on) for its percentage.
 */
enum import_status import_fp(struct db *db, const char *name, FILE *f,
			     const struct progress_sink *progress, struct import_report *report);

void import_report_free(struct import_report *report);

/* The report as JSON (a new object the caller owns). */
struct json_object *import_report_json(const struct import_report *report);

#endif
