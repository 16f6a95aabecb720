/*
 * parser: a report file in, validated campaign-day rows out. Pure and
 * streaming: bytes are pushed in chunks of any size, rows and rejections come
 * out through callbacks, and memory does not grow with the file.
 *
 * Before the header: the encoding (UTF-8 with or without BOM, UTF-16) and the
 * delimiter (comma or tab) are detected, title lines are skipped, and the
 * header row picks the format (formats.h). After it: "Total: ..." lines and
 * "No data available." are skipped; every other row becomes one
 * ingest_row or one rejection with its line number and reason.
 */
#ifndef MLDASH_PARSER_H
#define MLDASH_PARSER_H

#include <stddef.h>

#include "cells.h"
#include "formats.h"

enum ingest_metric {
	METRIC_SPEND,
	METRIC_IMPRESSIONS,
	METRIC_REACH,
	METRIC_CLICKS,
	METRIC_CONVERSIONS,
	METRIC_REVENUE,
	METRIC__MAX
};
extern const char *const ingest_metric_names[METRIC__MAX];

#define INGEST_KEY_MAX 255
#define INGEST_NAME_MAX 512
#define INGEST_CHANNEL_MAX 64

/* The name the ML sync gives the total over all channels; no channel may
 * have it, in any case (the store compares names case-insensitively). */
#define INGEST_TOTAL_CHANNEL "all"

/* 1 when channel (trimmed, as rows carry it) is the reserved total's name. */
int ingest_channel_reserved(const char *channel);

/* One valid row; strings are owned by the parser and valid during the callback. */
struct ingest_row {
	unsigned long line;       /* where the record starts, 1-based */
	char day[11];             /* YYYY-MM-DD */
	const char *campaign_key; /* the platform's campaign id, or its name */
	const char *campaign_name;
	const char *channel;
	const char *currency;     /* ISO 4217, or NULL when the file does not say */
	int known[METRIC__MAX];   /* 0: the file has no value (stored as NULL) */
	struct cell_number metric[METRIC__MAX];
};

struct ingest_sink {
	/* A valid row; return non-zero to stop parsing (e.g. a database error). */
	int (*row)(void *ctx, const struct ingest_row *row);
	/* A rejected row and why; the other rows go on. */
	void (*reject)(void *ctx, unsigned long line, const char *reason);
};

enum ingest_outcome {
	INGEST_ROWS,    /* header found; zero or more rows went out */
	INGEST_EMPTY,   /* no data: empty file, or a header and nothing under it */
	INGEST_REFUSED, /* the file cannot be imported at all; see ingest_parser_error */
	INGEST_STOPPED, /* the sink asked to stop */
};

struct ingest_parser;

/* sink and ctx are kept until ingest_parser_free. NULL on OOM. */
struct ingest_parser *ingest_parser_new(const struct ingest_sink *sink, void *ctx);
void ingest_parser_free(struct ingest_parser *p);

/* Pushes bytes. Returns 0, or -1 once the file is refused or stopped (later
 * calls do nothing); ingest_parser_finish then tells the outcome. */
int ingest_parser_feed(struct ingest_parser *p, const void *bytes, size_t len);

/* Ends the stream and returns the outcome. */
enum ingest_outcome ingest_parser_finish(struct ingest_parser *p);

/* Why the file was refused or stopped ("" otherwise). */
const char *ingest_parser_error(const struct ingest_parser *p);

/* The format found (FORMAT_UNKNOWN before the header), and its column map. */
const struct column_map *ingest_parser_columns(const struct ingest_parser *p);

/* Rows that went to row(), to reject(), and lines skipped (totals, titles). */
unsigned long ingest_parser_rows_ok(const struct ingest_parser *p);
unsigned long ingest_parser_rows_rejected(const struct ingest_parser *p);

#endif
