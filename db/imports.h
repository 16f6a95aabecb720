/*
 * imports: the statements of a report file's import (campaigns,
 * campaign_daily, ingest_files), as a typed API for sync/importer.
 *
 * An import is one session (struct imports) around one transaction on the
 * caller's connection: imports_begin opens it and records the file in
 * ingest_files under a placeholder hash; the importer upserts the campaigns
 * it meets, writes campaign-days in batches (one round trip per batch:
 * MariaDB's array binding), gives the file's record its real hash and
 * outcome, and commits. Nothing of an import that does not commit shows:
 * imports_free rolls back whatever is open.
 *
 * The importer decides what goes in, in which batches, and what to report;
 * this module owns the SQL and the MariaDB client.
 */
#ifndef MLDASH_IMPORTS_H
#define MLDASH_IMPORTS_H

#include <stddef.h>

#include "db.h"

/* Room for an amount's decimal text and its terminator. */
#define IMPORTS_DECIMAL_MAX 40

/* A campaign as a report file names it. Strings are not kept. */
struct imports_campaign {
	const char *source;   /* the file's format: campaigns are keyed by (source, key) */
	const char *key;      /* the source's campaign id (or its name) */
	const char *name;
	const char *channel;
	const char *currency; /* ISO 4217, or NULL when the file does not say */
};

/* An amount, exact: its canonical decimal text (e.g. "1574.00"). */
struct imports_decimal {
	int known; /* 0: not reported (stored as NULL, never 0) */
	char text[IMPORTS_DECIMAL_MAX];
};

struct imports_count {
	int known; /* 0: not reported (stored as NULL, never 0) */
	unsigned long long value;
};

/* One campaign-day row of the file. */
struct imports_day {
	long long campaign_id; /* from imports_campaign */
	char day[11];          /* YYYY-MM-DD */
	struct imports_decimal spend, conversions, revenue;
	struct imports_count impressions, reach, clicks;
};

/* The file's record in ingest_files, as the import ends. Strings are not
 * kept. */
struct imports_record {
	const char *sha256;     /* hex digest of the file's bytes */
	const char *name;
	const char *format;     /* NULL when not recognised */
	const char *status;     /* imported, partial, empty or rejected */
	unsigned long rows_ok, rows_rejected;
	const char *report;     /* the rejection log: report_len bytes (may be NULL) */
	size_t report_len;
};

/* An earlier import of the same bytes, as imports_find_file finds it. */
struct imports_earlier {
	long long file_id;
	char status[16];        /* imported, partial or empty */
	unsigned long rows_ok, rows_rejected;
	char format[32];        /* "" when not recognised */
};

struct imports;

/*
 * A session for one import on db (which must outlive it), writing up to
 * batch_rows campaign-days per imports_write_days call. Touches no
 * database. NULL when out of memory.
 */
struct imports *imports_new(struct db *db, unsigned batch_rows);

/*
 * Starts the import of the file called name: one READ COMMITTED
 * transaction, the file's ingest_files row under a unique placeholder hash
 * (the real one is known only at the end), and the statements prepared.
 * On failure imports_error says why.
 */
enum db_status imports_begin(struct imports *im, const char *name);

/* The campaign's id: inserts it, or updates its name, channel and (when
 * known) currency. */
enum db_status imports_campaign(struct imports *im, const struct imports_campaign *c, long long *id);

/*
 * Writes n campaign-days (at most batch_rows) for this file in one round
 * trip. A campaign-day this file wrote before is summed with it (ad-level
 * and breakdown rows); one an earlier file wrote is replaced (platforms
 * restate recent days).
 */
enum db_status imports_write_days(struct imports *im, const struct imports_day *days, unsigned n);

/* *found = 1 when this file already wrote the campaign's day (written
 * rows only: the caller writes what it holds first). */
enum db_status imports_day_written(struct imports *im, long long campaign_id, const char *day,
				   int *found);

/* The campaign-days this file wrote among the campaigns of source (the
 * rows it touched, not the rows it read). */
enum db_status imports_count_days(struct imports *im, const char *source, unsigned long *count);

/*
 * Gives the file's record its real hash and outcome: the open row, or a
 * new one after imports_restart. Bytes imported before (not merely
 * rejected before) make *duplicate = 1 and *file_id the earlier import's id
 * (0 if it could not be read), and nothing is recorded; otherwise
 * *file_id is this record's id.
 */
enum db_status imports_record_file(struct imports *im, const struct imports_record *rec,
				   long long *file_id, int *duplicate);

/* Called for each channel whose campaigns report more than one currency,
 * with the currencies as "EUR, USD"; non-zero stops. */
typedef int imports_currencies_fn(void *ctx, const char *channel, const char *currencies);

/* Lists the channels with mixed currencies, this transaction's writes
 * included. */
enum db_status imports_mixed_currencies(struct imports *im, imports_currencies_fn *fn, void *ctx);

/* Rolls back everything written so far, the file's open record too, and
 * starts a new transaction (for a file recorded without rows). */
enum db_status imports_restart(struct imports *im);

/* Commits the import. */
enum db_status imports_commit(struct imports *im);

/* Why the last failing call of this session failed (server or client
 * text), and MariaDB's error number (0 if the failure was not the
 * server's). Valid until the next call. */
const char *imports_error(const struct imports *im);
unsigned int imports_errno(const struct imports *im);

/* Rolls back whatever did not commit, restores the connection's session
 * settings and frees the session. Accepts NULL and half-begun sessions. */
void imports_free(struct imports *im);

/*
 * Outside a session: an earlier import of the file whose SHA-256 is sha256
 * (hex), one that was not rejected. *found = 1 and *out filled when there
 * is one. On failure db_error says why.
 */
enum db_status imports_find_file(struct db *db, const char *sha256, struct imports_earlier *out,
				 int *found);

/* 1 when errnum (imports_errno) says the server rolled the import back to
 * break a deadlock with another import: reading the file again may work. */
int imports_deadlocked(unsigned int errnum);

/* Whether the store takes channel for 'all', the total over all channels
 * (its collation ignores case, accents and width: 'Àll', 'ａll'). */
enum db_status imports_channel_reserved(struct imports *im, const char *channel, int *reserved);

/* Whether errnum says a value did not fit its column: the file's doing
 * (a campaign-day's rows summing past what a column holds), not the
 * store's, and no retry will change it. */
int imports_out_of_range(unsigned int errnum);

#endif
