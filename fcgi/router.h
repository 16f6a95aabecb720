/*
 * router: routes are data. A const table maps a path and a set of methods to
 * a handler; matching is pure and decides 404 and 405 (with the Allow list)
 * before any handler runs.
 */
#ifndef MLDASH_ROUTER_H
#define MLDASH_ROUTER_H

#include <stddef.h>

enum http_method {
	HTTP_GET = 1u << 0,
	HTTP_HEAD = 1u << 1,
	HTTP_POST = 1u << 2,
	HTTP_PUT = 1u << 3,
	HTTP_DELETE = 1u << 4,
	HTTP_PATCH = 1u << 5,
	HTTP_OPTIONS = 1u << 6,
};

/* Gates a route asks for, run by the dispatcher before its handler. */
enum route_flag {
	ROUTE_NEEDS_DB = 1u << 0,   /* 503 with Retry-After when MariaDB is down */
	ROUTE_NEEDS_AUTH = 1u << 1, /* 401 without the configured bearer token, 403 with none set */
	ROUTE_TAKES_CSV = 1u << 2,  /* 415 unless a CSV/TSV body; 413 when too large */
	ROUTE_INTERNAL = 1u << 3,   /* 403 unless the client is in [api] internal_allow */
};

struct app;
struct request;
struct response;
typedef void route_handler(struct app *app, const struct request *req, struct response *resp);

struct route {
	const char *path;     /* exact path, e.g. "/api/ml-dashboard/status" */
	unsigned methods;     /* HTTP_* bits; GET implies HEAD */
	unsigned flags;       /* ROUTE_* bits */
	route_handler *handler;
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED };

/* Maps a method name to its HTTP_* bit; 0 when unknown. */
unsigned router_method_bit(const char *method);

/*
 * Finds path in table. ROUTE_FOUND sets *found. For a known path (found or
 * 405) allow receives the allowed methods, e.g. "GET, HEAD, OPTIONS".
 */
enum route_result router_match(const struct route *table, size_t n, const char *method,
			       const char *path, const struct route **found, char *allow,
			       size_t allowlen);

#endif
