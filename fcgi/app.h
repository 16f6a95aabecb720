/*
 * app: what a worker keeps across requests, and what one request carries.
 * Internal to mldash-fcgi.
 */
#ifndef MLDASH_APP_H
#define MLDASH_APP_H

#include <stddef.h>

#include "config.h"
#include "db.h"
#include "router.h"
#include "runs.h"

struct chart_text_cache;
struct answer_cache;
struct event_calendar;

struct app {
	const struct mldash_config *cfg;
	struct db *db;          /* one persistent connection per worker */
	int migrations_latest;  /* highest version shipped in migrations_dir */
	struct chart_text_cache *text_cache; /* labels kept between charts drawn on demand */
	struct answer_cache *answers; /* answers built for the latest run */
	/* The events marked on charts drawn on demand, from [events] as the ML
	 * sync reads it; owned. NULL: the built-in retail calendar. */
	struct event_calendar *calendar;
	struct run_ref latest;  /* the latest succeeded ML run, as last read */
	double latest_checked;  /* when (CLOCK_MONOTONIC seconds); 0: never */
};

/* One request; the strings point into libfcgi's environment and stay valid
 * until the request is finished. */
struct request {
	const char *method;
	unsigned method_bit;
	const char *path;
	const char *query;          /* "" when none */
	const char *if_none_match;  /* NULL when absent */
	const char *origin;         /* NULL when absent */
	const char *authorization;  /* NULL when absent */
	const char *content_type;   /* NULL when absent */
	const char *remote_addr;    /* the client's address as nginx saw it; NULL when absent */
	const char *request_id;     /* nginx's $request_id, or one made by the worker */
	long long content_length;   /* -1 when absent */
	/* Reads the request body: bytes read, 0 at its end, -1 on error. */
	long (*read_body)(void *body, void *buf, size_t len);
	void *body;
};

/* The route table of the API, in api.c. */
extern const struct route api_routes[];
extern const size_t api_routes_count;

/* 1 when the client's address is in [api] internal_allow: it may see
 * /metrics and the details of /status. */
int api_client_internal(const struct app *app, const struct request *req);

/*
 * The schema version a memoised answer (/status, /metrics) goes by: the
 * memo's (memo_version) while the memo is recent and the connection has
 * stayed open since it was read, so that a database gone down is noticed
 * at once; else the server's, after which refresh reads the memo again
 * when there is a schema to read it from.
 */
enum db_status api_memo_schema(struct app *app, int recent, int memo_version,
			       enum db_status (*refresh)(struct app *app, int schema_version),
			       int *version);

/* Sets resp from a failed database call: 503 + Retry-After when the server is
 * unreachable, 500 otherwise; logs the server's message. */
void api_database_failure(struct app *app, enum db_status st, struct response *resp);

#endif
