/*
 * Unit tests of fcgi/query.c: parameters found by their decoded names,
 * values decoded or refused whole, and unknown names reported as sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "query.h"

static void test_get_decodes(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(query_get("days=7&channel=paid+search%21", "channel", out, sizeof out), 1);
	assert_string_equal(out, "paid search!");
	assert_int_equal(query_get("days=7", "channel", out, sizeof out), 0);
	assert_string_equal(out, "");
	/* The first of repeated keys; an encoded name is the name. */
	assert_int_equal(query_get("days=7&days=8", "days", out, sizeof out), 1);
	assert_string_equal(out, "7");
	assert_int_equal(query_get("d%61ys=5", "days", out, sizeof out), 1);
	assert_string_equal(out, "5");
}

/* A value too long or malformed is refused whole: the buffer is left empty,
 * never holding a prefix without its terminator for a parser to run on. */
static void test_get_refuses_whole(void **state)
{
	(void)state;
	char out[8];
	memset(out, '9', sizeof out);
	assert_int_equal(query_get("days=123456789012", "days", out, sizeof out), -1);
	assert_string_equal(out, "");
	memset(out, '9', sizeof out);
	assert_int_equal(query_get("days=12%zz", "days", out, sizeof out), -1);
	assert_string_equal(out, "");
	assert_int_equal(query_get("days=1%00", "days", out, sizeof out), -1);
	assert_string_equal(out, "");
}

static void test_unknown_names(void **state)
{
	(void)state;
	const char *const allowed[] = { "days", "channel", NULL };
	char name[64];
	assert_int_equal(query_unknown("days=7&d%61ys=8&channel=x&&", allowed, name, sizeof name), 0);
	assert_int_equal(query_unknown("days=7&dayz=8", allowed, name, sizeof name), 1);
	assert_string_equal(name, "dayz");
	/* One that cannot be decoded is shown as it came, not as '?'. */
	assert_int_equal(query_unknown("x%zz=1", allowed, name, sizeof name), 1);
	assert_string_equal(name, "x%zz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_decodes),
		cmocka_unit_test(test_get_refuses_whole),
		cmocka_unit_test(test_unknown_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
