/* Unit tests of lib/hostlist.c: [database] hosts as written in a config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "hostlist.h"

static void test_lists(void **state)
{
	(void)state;
	struct hostlist_entry h[HOSTLIST_MAX];
	char why[200];
	assert_int_equal(hostlist_parse("", h, why, sizeof why), 0);
	assert_int_equal(hostlist_parse(" , ", h, why, sizeof why), 0);
	assert_int_equal(hostlist_parse("db1", h, why, sizeof why), 1);
	assert_string_equal(h[0].host, "db1");
	assert_int_equal(h[0].port, 0);
	assert_int_equal(hostlist_parse("127.0.0.2:3307, 127.0.0.3:3308,db-3.example.com", h, why, sizeof why), 3);
	assert_string_equal(h[0].host, "127.0.0.2");
	assert_int_equal(h[0].port, 3307);
	assert_string_equal(h[1].host, "127.0.0.3");
	assert_int_equal(h[1].port, 3308);
	assert_string_equal(h[2].host, "db-3.example.com");
	assert_int_equal(h[2].port, 0);
	assert_int_equal(hostlist_parse("[::1]:3306 [fe80::2]", h, why, sizeof why), 2);
	assert_string_equal(h[0].host, "::1");
	assert_int_equal(h[0].port, 3306);
	assert_string_equal(h[1].host, "fe80::2");
}

static void test_refused(void **state)
{
	(void)state;
	struct hostlist_entry h[HOSTLIST_MAX];
	char why[200];
	static const char *const bad[] = { "db1:0", "db1:65536", "db1:", "db1:x", "db;1", "[::1",
					   "[::1]x", "a b:c", "::1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		if (hostlist_parse(bad[i], h, why, sizeof why) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(strlen(why) > 0);
	}
	char many[400] = "";
	for (int i = 0; i <= HOSTLIST_MAX; i++)
		strcat(many, "h,");
	assert_int_equal(hostlist_parse(many, h, why, sizeof why), -1);
	assert_non_null(strstr(why, "more than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
