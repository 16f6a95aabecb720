/* answer_cache: hits for the same run and key, a new run drops the old
 * answers, the least recently used entry goes first, byte and entry bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "answer_cache.h"

static void expect_body(struct answer_cache *c, long long run, const char *key, const char *want)
{
	size_t len = 0;
	const char *got = answer_cache_get(c, run, key, &len);
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
}

static void test_same_run_hits(void **state)
{
	(void)state;
	struct answer_cache *c = answer_cache_new(4, 1000);
	assert_int_equal(answer_cache_put(c, 7, "/a?days=7", "alpha", 5), 0);
	expect_body(c, 7, "/a?days=7", "alpha");
	expect_body(c, 7, "/a?days=8", NULL);
	expect_body(c, 8, "/a?days=7", NULL); /* another run: not this answer */
	assert_int_equal(answer_cache_put(c, 7, "/a?days=7", "beta", 4), 0); /* replaced */
	expect_body(c, 7, "/a?days=7", "beta");
	answer_cache_free(c);
}

static void test_new_run_drops_old(void **state)
{
	(void)state;
	struct answer_cache *c = answer_cache_new(4, 1000);
	answer_cache_put(c, 7, "/a", "one", 3);
	answer_cache_put(c, 7, "/b", "two", 3);
	answer_cache_put(c, 8, "/c", "three", 5);
	expect_body(c, 7, "/a", NULL);
	expect_body(c, 8, "/a", NULL);
	expect_body(c, 8, "/c", "three");
	answer_cache_free(c);
}

static void test_least_recently_used_goes(void **state)
{
	(void)state;
	struct answer_cache *c = answer_cache_new(2, 1000);
	answer_cache_put(c, 1, "/a", "a", 1);
	answer_cache_put(c, 1, "/b", "b", 1);
	expect_body(c, 1, "/a", "a"); /* /b is now the least recently used */
	answer_cache_put(c, 1, "/c", "c", 1);
	expect_body(c, 1, "/b", NULL);
	expect_body(c, 1, "/a", "a");
	expect_body(c, 1, "/c", "c");
	answer_cache_free(c);
}

static void test_byte_bound(void **state)
{
	(void)state;
	struct answer_cache *c = answer_cache_new(8, 10);
	assert_int_equal(answer_cache_put(c, 1, "/a", "aaaa", 4), 0);
	assert_int_equal(answer_cache_put(c, 1, "/b", "bbbb", 4), 0);
	assert_int_equal(answer_cache_put(c, 1, "/c", "cccc", 4), 0); /* 12 > 10: /a goes */
	expect_body(c, 1, "/a", NULL);
	expect_body(c, 1, "/b", "bbbb");
	assert_int_equal(answer_cache_put(c, 1, "/big", "0123456789x", 11), -1);
	expect_body(c, 1, "/big", NULL);
	expect_body(c, 1, "/c", "cccc");
	answer_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_run_hits),
		cmocka_unit_test(test_new_run_drops_old),
		cmocka_unit_test(test_least_recently_used_goes),
		cmocka_unit_test(test_byte_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
