/* Unit tests of fcgi/response.c: JSON errors, ETags, 304, the header block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "response.h"
#include "text.h"

static void test_error_shape(void **state)
{
	(void)state;
	struct response r;
	response_init(&r);
	response_error(&r, 404, "not_found", "no such endpoint: %s", "/x\"y");
	assert_int_equal(r.status, 404);
	assert_string_equal(r.content_type, "application/json");

	struct json_object *o = json_tokener_parse(r.body);
	assert_non_null(o);
	struct json_object *err, *code, *message;
	assert_true(json_object_object_get_ex(o, "error", &err));
	assert_true(json_object_object_get_ex(err, "code", &code));
	assert_true(json_object_object_get_ex(err, "message", &message));
	assert_string_equal(json_object_get_string(code), "not_found");
	assert_string_equal(json_object_get_string(message), "no such endpoint: /x\"y");
	json_object_put(o);
	response_free(&r);

	/* Bytes of the request that are not UTF-8 (a path of %ff, a name cut
	 * inside a character) are written as text: the body stays JSON. */
	response_init(&r);
	response_error(&r, 404, "not_found", "no such endpoint: %s and %.2s", "/\xff", "\xc3\xa9");
	assert_true(text_utf8_valid(r.body));
	o = json_tokener_parse(r.body);
	assert_true(json_object_object_get_ex(o, "error", &err));
	assert_true(json_object_object_get_ex(err, "message", &message));
	assert_string_equal(json_object_get_string(message), "no such endpoint: /\\xff and \xc3\xa9");
	json_object_put(o);
	response_free(&r);
}

static void test_etag_matching(void **state)
{
	(void)state;
	const char *tag = "\"abc\"";
	assert_true(response_etag_matches("\"abc\"", tag));
	assert_true(response_etag_matches("W/\"abc\"", tag));
	assert_true(response_etag_matches("\"x\", \"abc\"", tag));
	assert_true(response_etag_matches("\"x\",W/\"abc\"", tag));
	assert_true(response_etag_matches("*", tag));
	assert_false(response_etag_matches("\"abcd\"", tag));
	assert_false(response_etag_matches("\"ab\"", tag));
	assert_false(response_etag_matches("abc", tag));
	assert_false(response_etag_matches("", tag));
	assert_false(response_etag_matches(NULL, tag));
	assert_false(response_etag_matches("\"unterminated", tag));
	assert_false(response_etag_matches("*", ""));
}

static void test_finalize_sets_etag_and_304(void **state)
{
	(void)state;
	struct response r;
	response_init(&r);
	response_set_body(&r, 200, "application/json", "{\"a\":1}", 7);
	response_finalize(&r, 1, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(strlen(r.etag), 18);
	char etag[sizeof r.etag];
	memcpy(etag, r.etag, sizeof etag);

	struct response again;
	response_init(&again);
	response_set_body(&again, 200, "application/json", "{\"a\":1}", 7);
	response_finalize(&again, 1, etag);
	assert_int_equal(again.status, 304);
	assert_null(again.body);
	assert_int_equal(again.body_len, 0);
	assert_string_equal(again.etag, etag);

	struct response changed;
	response_init(&changed);
	response_set_body(&changed, 200, "application/json", "{\"a\":2}", 7);
	response_finalize(&changed, 1, etag);
	assert_int_equal(changed.status, 200);
	assert_string_not_equal(changed.etag, etag);

	response_free(&r);
	response_free(&again);
	response_free(&changed);
}

static void test_finalize_leaves_errors_and_posts_alone(void **state)
{
	(void)state;
	struct response r;
	response_init(&r);
	response_error(&r, 503, "database_unavailable", "down");
	response_finalize(&r, 1, "*");
	assert_int_equal(r.status, 503);
	assert_string_equal(r.etag, "");
	response_free(&r);

	response_init(&r);
	response_set_body(&r, 200, "application/json", "{}", 2);
	response_finalize(&r, 0, "*");
	assert_int_equal(r.status, 200);
	response_free(&r);
}

static void test_head_block(void **state)
{
	(void)state;
	struct response r;
	response_init(&r);
	response_error(&r, 503, "database_unavailable", "down");
	r.retry_after = 5;
	char head[1024];
	size_t n = response_format_head(&r, NULL, 0, head, sizeof head);
	assert_true(n > 0);
	assert_int_equal(strlen(head), n);
	assert_non_null(strstr(head, "Status: 503 Service Unavailable\r\n"));
	assert_non_null(strstr(head, "Retry-After: 5\r\n"));
	assert_non_null(strstr(head, "Content-Type: application/json\r\n"));
	assert_non_null(strstr(head, "Cache-Control: no-store\r\n"));
	assert_null(strstr(head, "Access-Control"));
	assert_null(strstr(head, "Vary"));
	assert_true(n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0);

	snprintf(r.allow, sizeof r.allow, "GET, HEAD, OPTIONS");
	r.status = 405;
	n = response_format_head(&r, "https://a.example", 1, head, sizeof head);
	assert_non_null(strstr(head, "Allow: GET, HEAD, OPTIONS\r\n"));
	assert_non_null(strstr(head, "Access-Control-Allow-Origin: https://a.example\r\n"));
	assert_non_null(strstr(head, "Vary: Origin\r\n"));
	/* With CORS configured, an answer to a request without an allowed
	 * Origin varies by it too: a cache must not give it to one that is. */
	n = response_format_head(&r, NULL, 1, head, sizeof head);
	assert_non_null(strstr(head, "Vary: Origin\r\n"));
	assert_null(strstr(head, "Access-Control"));

	assert_int_equal(response_format_head(&r, NULL, 0, head, 10), 0);
	response_free(&r);
}

static void test_304_has_no_content_headers(void **state)
{
	(void)state;
	struct response r;
	response_init(&r);
	response_set_body(&r, 200, "application/json", "{}", 2);
	response_finalize(&r, 1, "*");
	char head[512];
	assert_true(response_format_head(&r, NULL, 0, head, sizeof head) > 0);
	assert_non_null(strstr(head, "Status: 304 Not Modified\r\n"));
	assert_non_null(strstr(head, "ETag: \""));
	assert_null(strstr(head, "Content-Length"));
	response_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_shape),
		cmocka_unit_test(test_etag_matching),
		cmocka_unit_test(test_finalize_sets_etag_and_304),
		cmocka_unit_test(test_finalize_leaves_errors_and_posts_alone),
		cmocka_unit_test(test_head_block),
		cmocka_unit_test(test_304_has_no_content_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
