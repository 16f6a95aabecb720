/*
 * Fuzzes the query-string parser (fcgi/query.h) and If-None-Match matching
 * (response_etag_matches in fcgi/response.h).
 *
 * Input: one byte for the output buffer size (1..64), then lines:
 * query string, parameter name, If-None-Match value, ETag, and the allowed
 * names for query_unknown, one per line. The output buffer is allocated at
 * exactly that size so that ASan sees any write past it. An error answer
 * quoting the query must be well-formed UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "response.h"
#include "text.h"

#define MAX_ALLOWED 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t outlen = (size_t)(data[0] % 64) + 1;
	char *text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	/* Split into NUL-terminated lines; a missing line is "". */
	char *line[4 + MAX_ALLOWED];
	size_t nlines = 0;
	for (char *p = text; nlines < 4 + MAX_ALLOWED;) {
		line[nlines++] = p;
		char *nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	static char empty[] = "";
	for (size_t i = nlines; i < 4; i++)
		line[i] = empty;
	const char *allowed[MAX_ALLOWED + 1];
	size_t nallowed = 0;
	for (size_t i = 4; i < nlines; i++)
		allowed[nallowed++] = line[i];
	allowed[nallowed] = NULL;

	char *out = malloc(outlen);
	if (out == NULL) {
		free(text);
		return 0;
	}
	int rc = query_get(line[0], line[1], out, outlen);
	if (rc < -1 || rc > 1)
		abort();
	if (rc == 1 && strnlen(out, outlen) == outlen)
		abort(); /* found, but not a string within the buffer */
	if (rc != 1 && out[0] != '\0')
		abort(); /* refused or absent, yet something left to parse */
	if (query_unknown(line[0], allowed, out, outlen) == 1 && strnlen(out, outlen) == outlen)
		abort();

	/* An error quoting the request is JSON whatever bytes it quotes. */
	struct response r;
	response_init(&r);
	response_error(&r, 400, "bad_parameter", "unknown parameter '%s' in %.40s", out, line[0]);
	if (!text_utf8_valid(r.body))
		abort();
	response_free(&r);

	int match = response_etag_matches(line[2], line[3]);
	if (match != 0 && match != 1)
		abort();
	/* A well-formed tag ("..." without inner quotes) matches itself, weak or strong. */
	size_t tag_len = strlen(line[3]);
	if (tag_len >= 2 && tag_len < 200 && line[3][0] == '"' &&
	    strchr(line[3] + 1, '"') == line[3] + tag_len - 1) {
		char weak[256];
		snprintf(weak, sizeof weak, "W/%s", line[3]);
		if (response_etag_matches(line[3], line[3]) != 1 ||
		    response_etag_matches(weak, line[3]) != 1)
			abort();
	}
	free(out);
	free(text);
	return 0;
}
