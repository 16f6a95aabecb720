#include "decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct decoder {
	decode_sink *sink;
	void *ctx;
	enum decode_encoding encoding;
	iconv_t cd;                 /* (iconv_t)-1 for UTF-8 input */
	unsigned char pending[8];   /* bytes of a character split across chunks */
	size_t npending;
	int stopped;
	char error[128];
};

struct decoder *decode_new(decode_sink *sink, void *ctx)
{
	struct decoder *d = calloc(1, sizeof *d);
	if (d == NULL)
		return NULL;
	d->sink = sink;
	d->ctx = ctx;
	d->cd = (iconv_t)-1;
	return d;
}

void decode_free(struct decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	free(d);
}

enum decode_encoding decode_encoding(const struct decoder *d)
{
	return d->encoding;
}

const char *decode_error(const struct decoder *d)
{
	return d->error;
}

static int emit(struct decoder *d, const char *utf8, size_t len)
{
	if (len == 0 || d->stopped)
		return d->stopped ? -1 : 0;
	if (d->sink(d->ctx, utf8, len) != 0) {
		d->stopped = 1;
		snprintf(d->error, sizeof d->error, "stopped by the reader");
		return -1;
	}
	return 0;
}

/* Decides the encoding from the BOM once 3 bytes (or the end) are seen.
 * Consumes the BOM from pending. */
static int choose_encoding(struct decoder *d)
{
	const unsigned char *p = d->pending;
	size_t bom = 0;
	const char *from = NULL;

	if (d->npending >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		d->encoding = DECODE_UTF16LE, from = "UTF-16LE", bom = 2;
	} else if (d->npending >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		d->encoding = DECODE_UTF16BE, from = "UTF-16BE", bom = 2;
	} else {
		d->encoding = DECODE_UTF8;
		if (d->npending >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
			bom = 3;
	}
	if (from != NULL) {
		d->cd = iconv_open("UTF-8", from);
		if (d->cd == (iconv_t)-1) {
			snprintf(d->error, sizeof d->error, "cannot convert from %s: %s", from,
				 strerror(errno));
			return -1;
		}
	}
	memmove(d->pending, d->pending + bom, d->npending - bom);
	d->npending -= bom;
	return 0;
}

/* Converts UTF-16 input through iconv in slices; a character split across
 * chunks waits in pending (at most 3 bytes) for the next one. */
static int feed_utf16(struct decoder *d, const unsigned char *bytes, size_t len)
{
	enum { SLICE = 16384 };
	char work[SLICE + sizeof d->pending];
	char out[2 * SLICE + 64]; /* 2 bytes in give at most 3 out */

	do {
		size_t take = len < SLICE ? len : SLICE;
		memcpy(work, d->pending, d->npending);
		memcpy(work + d->npending, bytes, take);
		bytes += take;
		len -= take;

		char *in = work, *o = out;
		size_t inleft = d->npending + take, oleft = sizeof out;
		size_t rc = iconv(d->cd, &in, &inleft, &o, &oleft);
		if ((rc == (size_t)-1 && errno != EINVAL) || inleft > sizeof d->pending) {
			snprintf(d->error, sizeof d->error, "invalid %s byte sequence",
				 d->encoding == DECODE_UTF16LE ? "UTF-16LE" : "UTF-16BE");
			return -1;
		}
		if (emit(d, out, sizeof out - oleft) != 0)
			return -1;
		memcpy(d->pending, in, inleft);
		d->npending = inleft;
	} while (len > 0);
	return 0;
}

int decode_feed(struct decoder *d, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	if (d->stopped)
		return -1;
	if (d->encoding == DECODE_UNDECIDED) {
		while (len > 0 && d->npending < 3) {
			d->pending[d->npending++] = *p++;
			len--;
		}
		if (d->npending < 3)
			return 0;
		if (choose_encoding(d) != 0)
			return -1;
		if (d->encoding == DECODE_UTF8) {
			size_t n = d->npending;
			d->npending = 0;
			if (emit(d, (const char *)d->pending, n) != 0)
				return -1;
		}
	}
	if (d->encoding == DECODE_UTF8)
		return emit(d, (const char *)p, len);
	return feed_utf16(d, p, len);
}

int decode_finish(struct decoder *d)
{
	if (d->stopped)
		return -1;
	if (d->encoding == DECODE_UNDECIDED) {
		if (choose_encoding(d) != 0)
			return -1;
		if (d->encoding == DECODE_UTF8) {
			size_t n = d->npending;
			d->npending = 0;
			return emit(d, (const char *)d->pending, n);
		}
		if (feed_utf16(d, (const unsigned char *)"", 0) != 0)
			return -1;
	}
	if (d->npending > 0) {
		snprintf(d->error, sizeof d->error, "the file ends inside a character");
		return -1;
	}
	return 0;
}
