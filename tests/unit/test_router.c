/* Unit tests of fcgi/router.c: 404, 405 with Allow, HEAD and OPTIONS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "router.h"

static void handler_a(struct app *a, const struct request *r, struct response *s)
{
	(void)a; (void)r; (void)s;
}

static void handler_b(struct app *a, const struct request *r, struct response *s)
{
	(void)a; (void)r; (void)s;
}

static const struct route table[] = {
	{ "/api/x/status", HTTP_GET, ROUTE_NEEDS_DB, handler_a },
	{ "/api/x/sync-now", HTTP_POST, ROUTE_NEEDS_DB, handler_b },
	{ "/api/x/both", HTTP_GET | HTTP_POST, 0, handler_b },
};
#define N (sizeof table / sizeof table[0])

static const struct route *found;
static char allow[96];

static void test_get_found(void **state)
{
	(void)state;
	assert_int_equal(router_match(table, N, "GET", "/api/x/status", &found, allow, sizeof allow),
			 ROUTE_FOUND);
	assert_ptr_equal(found, &table[0]);
	assert_ptr_equal(found->handler, handler_a);
	assert_string_equal(allow, "GET, HEAD, OPTIONS");
}

static void test_head_follows_get(void **state)
{
	(void)state;
	assert_int_equal(router_match(table, N, "HEAD", "/api/x/status", &found, allow, sizeof allow),
			 ROUTE_FOUND);
	assert_int_equal(router_match(table, N, "HEAD", "/api/x/sync-now", &found, allow,
				      sizeof allow), ROUTE_METHOD_NOT_ALLOWED);
}

static void test_wrong_method_lists_allowed(void **state)
{
	(void)state;
	assert_int_equal(router_match(table, N, "POST", "/api/x/status", &found, allow, sizeof allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, OPTIONS");
	assert_int_equal(router_match(table, N, "GET", "/api/x/sync-now", &found, allow,
				      sizeof allow), ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "POST, OPTIONS");
	assert_int_equal(router_match(table, N, "DELETE", "/api/x/both", &found, allow, sizeof allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, POST, OPTIONS");
}

static void test_unknown_method_is_405(void **state)
{
	(void)state;
	assert_int_equal(router_method_bit("BREW"), 0);
	assert_int_equal(router_match(table, N, "BREW", "/api/x/status", &found, allow, sizeof allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_int_equal(router_match(table, N, "get", "/api/x/status", &found, allow, sizeof allow),
			 ROUTE_METHOD_NOT_ALLOWED); /* methods are case-sensitive */
}

static void test_options_always_allowed(void **state)
{
	(void)state;
	assert_int_equal(router_match(table, N, "OPTIONS", "/api/x/sync-now", &found, allow,
				      sizeof allow), ROUTE_FOUND);
}

static void test_unknown_paths_are_404(void **state)
{
	(void)state;
	const char *paths[] = { "/api/x/statu", "/api/x/status/", "/api/x/status2", "/", "",
				"/API/X/STATUS", "/api/x//status" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		assert_int_equal(router_match(table, N, "GET", paths[i], &found, allow, sizeof allow),
				 ROUTE_NOT_FOUND);
		assert_string_equal(allow, "");
	}
}

static void test_small_allow_buffer_does_not_overflow(void **state)
{
	(void)state;
	char tiny[8];
	assert_int_equal(router_match(table, N, "PUT", "/api/x/both", &found, tiny, sizeof tiny),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_true(strlen(tiny) < sizeof tiny);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_found),
		cmocka_unit_test(test_head_follows_get),
		cmocka_unit_test(test_wrong_method_lists_allowed),
		cmocka_unit_test(test_unknown_method_is_405),
		cmocka_unit_test(test_options_always_allowed),
		cmocka_unit_test(test_unknown_paths_are_404),
		cmocka_unit_test(test_small_allow_buffer_does_not_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
