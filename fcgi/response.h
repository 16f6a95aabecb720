/*
 * response: one HTTP answer being built, and its header block. Pure: no I/O.
 *
 * The struct owns its body (malloc'd). response_free() accepts a response in
 * any state, so every path of a handler may simply return.
 */
#ifndef MLDASH_RESPONSE_H
#define MLDASH_RESPONSE_H

#include <stddef.h>

struct json_object;

struct response {
	int status;
	const char *content_type;  /* static string */
	const char *cache_control; /* static string */
	char *body;                /* owned; NULL when empty */
	size_t body_len;
	char allow[96];            /* Allow header, "" for none */
	int retry_after;           /* seconds; 0 for none */
	const char *authenticate;  /* WWW-Authenticate value (static), NULL for none */
	char etag[24];             /* quoted strong ETag, "" for none */
	char request_id[40];       /* X-Request-Id, and "request_id" of error bodies */
	long long accel_expires;   /* for nginx's cache: keep until this second ends
				      (X-Accel-Expires: @t); -1: do not keep; 0: no header */
};

void response_init(struct response *r);

/* Sets the id this answer carries (cut to 39 bytes of [0-9A-Za-z-]). */
void response_set_request_id(struct response *r, const char *id);
void response_free(struct response *r);

/* Copies data in as the body. Returns 0, or -1 on OOM (then a 500 is set). */
int response_set_body(struct response *r, int status, const char *content_type,
		      const void *data, size_t len);

/* Serialises obj as the body and releases the caller's reference to obj. */
int response_json(struct response *r, int status, struct json_object *obj);

/* A JSON error {"error":{"code":code,"message":...,"request_id":...}} with
 * the given status; request_id is there when one was set. */
void response_error(struct response *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Weak comparison of an If-None-Match value against one ETag: 1 on a match. */
int response_etag_matches(const char *if_none_match, const char *etag);

/*
 * Completes a GET/HEAD answer: a 200 gets an ETag derived from the body, and
 * becomes a body-less 304 when if_none_match (may be NULL) names that ETag.
 */
void response_finalize(struct response *r, int is_get, const char *if_none_match);

/* Reason phrase of a status code ("Not Found"). */
const char *http_status_text(int status);

/*
 * Writes the CGI header block (ending in an empty line) into buf.
 * allow_origin: value for Access-Control-Allow-Origin, or NULL; vary_origin:
 * 1 when answers may differ by Origin (CORS is configured), for Vary.
 * Returns its length, or 0 when buf is too small.
 */
size_t response_format_head(const struct response *r, const char *allow_origin, int vary_origin,
			    char *buf, size_t buflen);

#endif
