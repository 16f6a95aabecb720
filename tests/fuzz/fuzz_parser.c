/*
 * Fuzzes the report parser (ingest/parser.h) the way the importer drives it:
 * bytes pushed in chunks, the encoding (UTF-8, UTF-16 by BOM), delimiter and
 * format detected by the parser itself.
 *
 * Input: 4 bytes choosing the chunk sizes, then the file. Chunk i is
 * (sel[i % 4] & 0x7f) + 1 bytes, or the rest of the file when the top bit is
 * set, so chunk edges fall inside UTF-16 units, UTF-8 sequences, quotes and
 * line ends.
 *
 * Short files (under HEAD_LINES lines) are parsed a second time in one
 * piece and must give the same outcome, counts and rows: the parser holds
 * such files whole before choosing the delimiter, so chunking must not
 * change anything.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

struct digest {
	uint64_t hash;
	unsigned long rows, rejects;
};

static void mix(struct digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		d->hash = (d->hash ^ p[i]) * 1099511628211ull;
	d->hash = (d->hash ^ 0xff) * 1099511628211ull; /* field separator */
}

static void mix_string(struct digest *d, const char *s)
{
	mix(d, s ? s : "(null)", s ? strlen(s) : 6);
}

/* A row must carry what the importer relies on; hash it for the comparison. */
static int on_row(void *ctx, const struct ingest_row *row)
{
	struct digest *d = ctx;
	if (strlen(row->day) != 10 || row->campaign_key == NULL || row->campaign_name == NULL ||
	    row->channel == NULL || strlen(row->campaign_key) > INGEST_KEY_MAX ||
	    strlen(row->campaign_name) > INGEST_NAME_MAX || strlen(row->channel) > INGEST_CHANNEL_MAX ||
	    (row->currency != NULL && strlen(row->currency) != 3))
		abort();
	d->rows++;
	mix(d, &row->line, sizeof row->line);
	mix_string(d, row->day);
	mix_string(d, row->campaign_key);
	mix_string(d, row->campaign_name);
	mix_string(d, row->channel);
	mix_string(d, row->currency);
	for (int m = 0; m < METRIC__MAX; m++) {
		if (strnlen(row->metric[m].text, CELL_NUMBER_MAX) == CELL_NUMBER_MAX)
			abort();
		mix(d, &row->known[m], sizeof row->known[m]);
		if (row->known[m])
			mix_string(d, row->metric[m].text);
	}
	return 0;
}

static void on_reject(void *ctx, unsigned long line, const char *reason)
{
	struct digest *d = ctx;
	d->rejects++;
	mix(d, &line, sizeof line);
	mix_string(d, reason);
}

struct result {
	struct digest digest;
	enum ingest_outcome outcome;
	enum ingest_format format;
	unsigned long ok, rejected;
	char error[1024];
};

/* Parses data in the chunks sel describes (sel NULL: one piece). */
static void parse(const uint8_t *data, size_t len, const uint8_t *sel, struct result *out)
{
	static const struct ingest_sink sink = { on_row, on_reject };
	memset(out, 0, sizeof *out);
	struct ingest_parser *p = ingest_parser_new(&sink, &out->digest);
	if (p == NULL)
		abort();
	size_t off = 0;
	for (unsigned i = 0; off < len; i++) {
		size_t n = len - off;
		if (sel != NULL && !(sel[i % 4] & 0x80) && (size_t)(sel[i % 4] & 0x7f) + 1 < n)
			n = (size_t)(sel[i % 4] & 0x7f) + 1;
		if (ingest_parser_feed(p, data + off, n) != 0)
			break;
		off += n;
	}
	out->outcome = ingest_parser_finish(p);
	out->format = ingest_parser_columns(p)->format;
	out->ok = ingest_parser_rows_ok(p);
	out->rejected = ingest_parser_rows_rejected(p);
	snprintf(out->error, sizeof out->error, "%s", ingest_parser_error(p));
	ingest_parser_free(p);
	if (out->ok != out->digest.rows || out->rejected != out->digest.rejects)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	const uint8_t *sel = data;
	data += 4;
	size -= 4;

	static struct result chunked, whole;
	parse(data, size, sel, &chunked);

	size_t breaks = 0;
	for (size_t i = 0; i < size; i++)
		breaks += data[i] == '\n';
	if (breaks >= 60)
		return 0; /* the delimiter is chosen from the first lines: chunking may matter */
	parse(data, size, NULL, &whole);
	if (chunked.outcome != whole.outcome || chunked.format != whole.format ||
	    chunked.ok != whole.ok || chunked.rejected != whole.rejected ||
	    chunked.digest.hash != whole.digest.hash || strcmp(chunked.error, whole.error) != 0) {
		fprintf(stderr, "chunked and whole parses differ: outcome %d/%d rows %lu/%lu "
			"rejected %lu/%lu error '%s' / '%s'\n", chunked.outcome, whole.outcome,
			chunked.ok, whole.ok, chunked.rejected, whole.rejected, chunked.error,
			whole.error);
		abort();
	}
	return 0;
}
