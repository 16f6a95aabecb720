/*
 * query: looking up parameters of a URL query string. Pure.
 */
#ifndef MLDASH_QUERY_H
#define MLDASH_QUERY_H

#include <stddef.h>

/*
 * Finds the first parameter called name in query ("a=1&b=x%20y") and
 * percent-decodes its value into out ('+' is a space).
 * Returns 1 when found, 0 when absent, -1 when its value is malformed (a bad
 * %-escape, a NUL byte) or longer than outlen - 1.
 */
int query_get(const char *query, const char *name, char *out, size_t outlen);

/* Names the first parameter of query not in allowed (NULL-terminated) into
 * out; returns 1 when there is one, 0 when all are known. */
int query_unknown(const char *query, const char *const *allowed, char *out, size_t outlen);

#endif
