#include "query.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes src[0..len) into out; -1 when malformed or too long, out then
 * empty (never a prefix left unterminated). */
static int decode(const char *src, size_t len, char *out, size_t outlen)
{
	size_t n = 0;
	if (outlen > 0)
		out[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)src[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len)
				goto malformed;
			int h = hex_value((unsigned char)src[i + 1]), l = hex_value((unsigned char)src[i + 2]);
			if (h < 0 || l < 0)
				goto malformed;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0 || n + 1 >= outlen)
			goto malformed;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
malformed:
	if (outlen > 0)
		out[0] = '\0';
	return -1;
}

#define MAX_KEY 64 /* a longer parameter name is none a route takes */

/* Whether the key src[0..len) names name once decoded (d%61ys is days). */
static int key_is(const char *src, size_t len, const char *name)
{
	char key[MAX_KEY];
	return decode(src, len, key, sizeof key) == 0 && strcmp(key, name) == 0;
}

int query_get(const char *query, const char *name, char *out, size_t outlen)
{
	if (outlen > 0)
		out[0] = '\0';
	const char *p = query;
	while (p && *p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t key_len = eq ? (size_t)(eq - p) : len;
		if (key_is(p, key_len, name)) {
			const char *value = eq ? eq + 1 : p + len;
			return decode(value, (size_t)(p + len - value), out, outlen) == 0 ? 1 : -1;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}

int query_unknown(const char *query, const char *const *allowed, char *out, size_t outlen)
{
	const char *p = query;
	while (p && *p) {
		size_t len = strcspn(p, "&");
		size_t key_len = strcspn(p, "=&");
		int known = key_len == 0; /* "a=1&&b=2" has an empty part */
		for (const char *const *a = allowed; !known && *a; a++)
			known = key_is(p, key_len, *a);
		if (!known) {
			/* Decoded when it can be; else as it came, which the
			 * caller's message makes safe to show. */
			if (decode(p, key_len, out, outlen) != 0)
				snprintf(out, outlen, "%.*s", (int)key_len, p);
			return 1;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}
