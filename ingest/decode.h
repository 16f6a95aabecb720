/*
 * decode: turns a byte stream in UTF-8 (with or without BOM) or UTF-16
 * (LE/BE, told by its BOM) into UTF-8, chunk by chunk. Pure (iconv).
 */
#ifndef MLDASH_DECODE_H
#define MLDASH_DECODE_H

#include <stddef.h>

enum decode_encoding { DECODE_UNDECIDED, DECODE_UTF8, DECODE_UTF16LE, DECODE_UTF16BE };

/* Receives decoded UTF-8; returns 0 to go on, non-zero to stop. */
typedef int decode_sink(void *ctx, const char *utf8, size_t len);

struct decoder;

/* The sink and ctx are kept until decode_free. NULL on OOM. */
struct decoder *decode_new(decode_sink *sink, void *ctx);
void decode_free(struct decoder *d);

/* Feeds bytes. Returns 0, or -1 on an invalid byte sequence or a sink stop
 * (decode_error tells which). */
int decode_feed(struct decoder *d, const void *bytes, size_t len);

/* Flushes the end of the stream; -1 when it ends inside a character. */
int decode_finish(struct decoder *d);

enum decode_encoding decode_encoding(const struct decoder *d);
const char *decode_error(const struct decoder *d); /* "" when none */

#endif
