#include "reader.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

#define READ_CHUNK (256 * 1024)

struct reader {
	import_read_fn *read;
	void *ctx;
	pthread_t thread;
	int started;

	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct reader_batch batch[2];
	int full[2];   /* handed to the consumer, not yet given back */
	int filling;   /* the batch the thread fills */
	int taking;    /* the batch the consumer takes next */
	int done;      /* the thread has handed over its last batch */
	int stop;      /* the consumer wants no more */
	unsigned long long bytes; /* read so far; written by the thread, read atomically */
	unsigned capacity;

	struct ingest_parser *parser;
	enum ingest_outcome outcome;
	enum ingest_format format;
	char sha256[65];
	char message[1024];
};

static void copy_string(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Hands the filled batch over and waits for the other to come back.
 * Returns -1 when the consumer asked to stop. */
static int hand_over(struct reader *r)
{
	pthread_mutex_lock(&r->lock);
	r->full[r->filling] = 1;
	pthread_cond_broadcast(&r->changed);
	int next = 1 - r->filling;
	while (r->full[next] && !r->stop)
		pthread_cond_wait(&r->changed, &r->lock);
	int stop = r->stop;
	r->filling = next;
	r->batch[next].count = 0;
	pthread_mutex_unlock(&r->lock);
	return stop ? -1 : 0;
}

static struct reader_item *next_item(struct reader *r)
{
	struct reader_batch *b = &r->batch[r->filling];
	if (b->count == r->capacity && hand_over(r) != 0)
		return NULL;
	b = &r->batch[r->filling];
	return &b->items[b->count++];
}

static int on_row(void *ctx, const struct ingest_row *row)
{
	struct reader *r = ctx;
	const struct column_map *map = ingest_parser_columns(r->parser);
	struct reader_item *it = next_item(r);
	if (it == NULL)
		return -1;
	struct reader_batch *b = &r->batch[r->filling];
	b->format = map->format;
	b->campaign_grain = map->campaign_grain;
	it->line = row->line;
	it->rejected = 0;
	it->row = *row;
	copy_string(it->key, sizeof it->key, row->campaign_key);
	copy_string(it->name, sizeof it->name, row->campaign_name);
	copy_string(it->channel, sizeof it->channel, row->channel);
	copy_string(it->currency, sizeof it->currency, row->currency ? row->currency : "");
	it->row.campaign_key = it->key;
	it->row.campaign_name = it->name;
	it->row.channel = it->channel;
	it->row.currency = row->currency ? it->currency : NULL;
	return 0;
}

static void on_reject(void *ctx, unsigned long line, const char *reason)
{
	struct reader *r = ctx;
	struct reader_item *it = next_item(r);
	if (it == NULL)
		return;
	it->line = line;
	it->rejected = 1;
	copy_string(it->reason, sizeof it->reason, reason);
}

/* The thread: every byte through the hash and (until it stops) the parser. */
static void *run(void *arg)
{
	struct reader *r = arg;
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	char *buf = malloc(READ_CHUNK);
	r->outcome = INGEST_STOPPED;
	if (sha == NULL || buf == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
		snprintf(r->message, sizeof r->message, "out of memory");
		goto out;
	}
	long n;
	int parsing = 1;
	while ((n = r->read(r->ctx, buf, READ_CHUNK)) > 0) {
		__atomic_add_fetch(&r->bytes, (unsigned long long)n, __ATOMIC_RELAXED);
		EVP_DigestUpdate(sha, buf, (size_t)n);
		if (parsing && ingest_parser_feed(r->parser, buf, (size_t)n) != 0)
			parsing = 0; /* refused or stopped; the hash still covers the file */
		if (__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
			break;
	}
	if (n < 0) {
		snprintf(r->message, sizeof r->message, "reading failed: %s",
			 errno ? strerror(errno) : "the body ended early or is too large");
		goto out;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(sha, digest, &len);
	hex_encode(digest, len, r->sha256);
	r->outcome = ingest_parser_finish(r->parser);
	r->format = ingest_parser_columns(r->parser)->format;
	if (r->outcome == INGEST_REFUSED)
		snprintf(r->message, sizeof r->message, "%s", ingest_parser_error(r->parser));
out:
	free(buf);
	EVP_MD_CTX_free(sha);
	pthread_mutex_lock(&r->lock);
	r->full[r->filling] = r->batch[r->filling].count > 0;
	r->done = 1;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct reader *reader_start(import_read_fn *read, void *ctx, unsigned batch_rows)
{
	static const struct ingest_sink sink = { on_row, on_reject };
	struct reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->read = read;
	r->ctx = ctx;
	r->capacity = batch_rows;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	r->batch[0].items = calloc(batch_rows, sizeof *r->batch[0].items);
	r->batch[1].items = calloc(batch_rows, sizeof *r->batch[1].items);
	r->parser = ingest_parser_new(&sink, r);
	if (r->batch[0].items == NULL || r->batch[1].items == NULL || r->parser == NULL ||
	    pthread_create(&r->thread, NULL, run, r) != 0) {
		reader_free(r);
		return NULL;
	}
	r->started = 1;
	return r;
}

const struct reader_batch *reader_next(struct reader *r)
{
	pthread_mutex_lock(&r->lock);
	/* Give back the batch taken last time. */
	int prev = 1 - r->taking;
	if (r->full[prev] == 2) {
		r->full[prev] = 0;
		pthread_cond_broadcast(&r->changed);
	}
	while (r->full[r->taking] != 1 && !r->done && !r->stop)
		pthread_cond_wait(&r->changed, &r->lock);
	const struct reader_batch *b = NULL;
	if (r->full[r->taking] == 1 && !r->stop) {
		r->full[r->taking] = 2; /* being written */
		b = &r->batch[r->taking];
		r->taking = 1 - r->taking;
	}
	pthread_mutex_unlock(&r->lock);
	return b;
}

unsigned long long reader_bytes(struct reader *r)
{
	return __atomic_load_n(&r->bytes, __ATOMIC_RELAXED);
}

void reader_stop(struct reader *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

enum ingest_outcome reader_finish(struct reader *r, char sha256[65], enum ingest_format *format,
				  char *message, size_t messagelen)
{
	if (r->started) {
		pthread_join(r->thread, NULL);
		r->started = 0;
	}
	memcpy(sha256, r->sha256, sizeof r->sha256);
	*format = r->format;
	snprintf(message, messagelen, "%s", r->message);
	return r->stop && r->outcome != INGEST_REFUSED ? INGEST_STOPPED : r->outcome;
}

void reader_free(struct reader *r)
{
	if (r == NULL)
		return;
	if (r->started) {
		reader_stop(r);
		pthread_join(r->thread, NULL);
	}
	ingest_parser_free(r->parser);
	free(r->batch[0].items);
	free(r->batch[1].items);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->changed);
	free(r);
}
