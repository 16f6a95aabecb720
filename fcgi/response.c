#include "response.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void response_init(struct response *r)
{
	memset(r, 0, sizeof *r);
	r->status = 200;
	r->content_type = "application/json";
	r->cache_control = "no-cache";
}

void response_set_request_id(struct response *r, const char *id)
{
	size_t len = 0;
	while (id != NULL && id[len] != '\0' && len < sizeof r->request_id - 1) {
		char c = id[len];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
			break;
		r->request_id[len] = c;
		len++;
	}
	r->request_id[len] = '\0';
}

void response_free(struct response *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}

int response_set_body(struct response *r, int status, const char *content_type,
		      const void *data, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy == NULL) {
		static const char oom[] =
			"{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		response_free(r);
		r->status = 500;
		r->content_type = "application/json";
		r->body = strdup(oom);
		r->body_len = r->body ? sizeof oom - 1 : 0;
		return -1;
	}
	memcpy(copy, data, len);
	copy[len] = '\0';
	response_free(r);
	r->status = status;
	r->content_type = content_type;
	r->body = copy;
	r->body_len = len;
	return 0;
}

int response_json(struct response *r, int status, struct json_object *obj)
{
	size_t len = 0;
	const char *text = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	int rc = text ? response_set_body(r, status, "application/json", text, len)
		      : response_set_body(r, 500, "application/json", "{}", 2);
	json_object_put(obj);
	return rc;
}

void response_error(struct response *r, int status, const char *code, const char *fmt, ...)
{
	char formatted[512], message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(formatted, sizeof formatted, fmt, ap);
	va_end(ap);
	/* A message quotes what the request held, and a cut (%.64s, the
	 * message's size) can split a character: JSON must be UTF-8 (RFC 8259),
	 * and what a log line may show, a message may. */
	log_escape(formatted, message, sizeof message);

	struct json_object *inner = json_object_new_object();
	json_object_object_add(inner, "code", json_object_new_string(code));
	json_object_object_add(inner, "message", json_object_new_string(message));
	if (r->request_id[0] != '\0')
		json_object_object_add(inner, "request_id", json_object_new_string(r->request_id));
	struct json_object *outer = json_object_new_object();
	json_object_object_add(outer, "error", inner);
	response_json(r, status, outer);
	r->cache_control = "no-store";
}

/* Compares one entity tag of a list against etag, ignoring a W/ prefix on
 * either side (If-None-Match uses the weak comparison). */
static int tag_equal(const char *tag, size_t len, const char *etag)
{
	if (len >= 2 && tag[0] == 'W' && tag[1] == '/') {
		tag += 2;
		len -= 2;
	}
	if (etag[0] == 'W' && etag[1] == '/')
		etag += 2;
	return len == strlen(etag) && memcmp(tag, etag, len) == 0;
}

int response_etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match;
	if (p == NULL || etag == NULL || *etag == '\0')
		return 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p == '*')
			return 1;
		const char *start = p;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p == '"') {
			const char *close = strchr(p + 1, '"');
			p = close ? close + 1 : p + strlen(p);
		} else {
			p += strcspn(p, ", \t");
		}
		if (tag_equal(start, (size_t)(p - start), etag))
			return 1;
	}
	return 0;
}

/* FNV-1a, 64 bits: the ETag only has to change when the bytes change. */
static uint64_t fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void response_finalize(struct response *r, int is_get, const char *if_none_match)
{
	if (!is_get || r->status != 200)
		return;
	if (r->etag[0] == '\0')
		snprintf(r->etag, sizeof r->etag, "\"%016llx\"",
			 (unsigned long long)fnv1a64(r->body, r->body_len));
	if (response_etag_matches(if_none_match, r->etag)) {
		response_free(r);
		r->status = 304;
	}
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

size_t response_format_head(const struct response *r, const char *allow_origin, int vary_origin,
			    char *buf, size_t buflen)
{
	size_t used = 0;
#define PUT(...)                                                                   \
	do {                                                                       \
		int n_ = snprintf(buf + used, buflen - used, __VA_ARGS__);         \
		if (n_ < 0 || (size_t)n_ >= buflen - used)                         \
			return 0;                                                  \
		used += (size_t)n_;                                                \
	} while (0)

	PUT("Status: %d %s\r\n", r->status, http_status_text(r->status));
	if (r->status != 304 && r->status != 204) {
		PUT("Content-Type: %s\r\n", r->content_type);
		PUT("Content-Length: %zu\r\n", r->body_len);
	}
	if (r->etag[0])
		PUT("ETag: %s\r\n", r->etag);
	PUT("Cache-Control: %s\r\n", r->cache_control);
	if (r->allow[0])
		PUT("Allow: %s\r\n", r->allow);
	if (r->retry_after > 0)
		PUT("Retry-After: %d\r\n", r->retry_after);
	if (r->accel_expires > 0)
		PUT("X-Accel-Expires: @%lld\r\n", r->accel_expires);
	else if (r->accel_expires < 0)
		PUT("X-Accel-Expires: 0\r\n");
	if (r->authenticate != NULL)
		PUT("WWW-Authenticate: %s\r\n", r->authenticate);
	/* Whenever origins may be allowed, every answer varies by Origin: a
	 * cache (nginx's, a browser's) that stored an answer to a request
	 * without one must not hand it to an allowed origin without its
	 * Access-Control-Allow-Origin. */
	if (vary_origin || allow_origin != NULL)
		PUT("Vary: Origin\r\n");
	if (allow_origin != NULL) {
		PUT("Access-Control-Allow-Origin: %s\r\n", allow_origin);
		if (r->status == 204 && r->allow[0]) /* answer to a CORS preflight */
			PUT("Access-Control-Allow-Methods: %s\r\n"
			    "Access-Control-Allow-Headers: Authorization, Content-Type, If-None-Match\r\n"
			    "Access-Control-Max-Age: 600\r\n",
			    r->allow);
	}
	if (r->request_id[0])
		PUT("X-Request-Id: %s\r\n", r->request_id);
	PUT("X-Content-Type-Options: nosniff\r\n\r\n");
#undef PUT
	return used;
}
