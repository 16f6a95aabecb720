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

/* Decodes src[0..len) into out; -1 when malformed or too long. */
static int decode(const char *src, size_t len, char *out, size_t outlen)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)src[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int h = hex_value((unsigned char)src[i + 1]), l = hex_value((unsigned char)src[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0 || n + 1 >= outlen)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

int query_get(const char *query, const char *name, char *out, size_t outlen)
{
	size_t name_len = strlen(name);
	const char *p = query;
	while (p && *p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t key_len = eq ? (size_t)(eq - p) : len;
		if (key_len == name_len && strncmp(p, name, name_len) == 0) {
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
			known = strlen(*a) == key_len && strncmp(p, *a, key_len) == 0;
		if (!known) {
			/* snprintf, not strncpy: out stays terminated even when outlen is 1. */
			if (decode(p, key_len, out, outlen) != 0)
				snprintf(out, outlen, "%s", "?");
			return 1;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return 0;
}
