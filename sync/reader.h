/*
 * reader: a report file's bytes through the SHA-256 and the parser on a
 * thread of its own, handing parsed rows over in batches, so that parsing
 * overlaps the database's work. Two batches circulate: one being filled,
 * one being written; memory does not grow with the file.
 */
#ifndef MLDASH_READER_H
#define MLDASH_READER_H

#include <stddef.h>

#include "importer.h"
#include "parser.h"

/* A parsed row or a rejection, in file order. */
struct reader_item {
	unsigned long line;
	int rejected;            /* 1: reason says why; 0: row is valid */
	char reason[400];
	struct ingest_row row;   /* strings point into the fields below */
	char key[INGEST_KEY_MAX + 1], name[INGEST_NAME_MAX + 1];
	char channel[INGEST_CHANNEL_MAX + 1], currency[4];
};

struct reader_batch {
	struct reader_item *items;
	unsigned count;
	enum ingest_format format; /* of the file (known once a row is parsed) */
	int campaign_grain;
};

struct reader;

/* Starts reading; read(ctx, ...) is called on the reader's thread until the
 * end. NULL when out of memory or threads. */
struct reader *reader_start(import_read_fn *read, void *ctx, unsigned batch_rows);

/* The next batch (valid until the next call), or NULL after the last. */
const struct reader_batch *reader_next(struct reader *r);

/* Bytes read from the file so far (any thread; for progress). */
unsigned long long reader_bytes(struct reader *r);

/* Asks the reader to stop early; reader_next then returns NULL soon. */
void reader_stop(struct reader *r);

/*
 * Waits for the thread and tells how the file ended. sha256 gets the hex
 * digest of every byte read; message why a file was refused or reading failed.
 */
enum ingest_outcome reader_finish(struct reader *r, char sha256[65], enum ingest_format *format,
				  char *message, size_t messagelen);

void reader_free(struct reader *r);

#endif
