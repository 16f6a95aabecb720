/* Unit tests of migration file naming (lib/migrate.c) and ordering on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "migrate.h"

static void test_names(void **state)
{
	(void)state;
	int v = -1;
	assert_int_equal(migrate_parse_name("001_initial_schema.sql", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(migrate_parse_name("042_add_index2.sql", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(migrate_parse_name("1000_big.sql", &v), 0);
	assert_int_equal(v, 1000);

	const char *bad[] = { "01_short.sql", "001-dash.sql", "001_.sql", "001_x.sql.bak",
			      "001_Upper.sql", "abc_x.sql", "001_x.SQL", "001_x", "",
			      "99999999999_x.sql" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(migrate_parse_name(bad[i], &v), -1);
}

static void test_shipped_migrations_are_well_formed(void **state)
{
	(void)state;
	int latest = 0;
	int n = migrate_count_files(MLDASH_SOURCE_DIR "/db/migrations", &latest);
	assert_true(n >= 1);
	assert_int_equal(latest, n); /* numbered 1..n without gaps */
	assert_int_equal(migrate_count_files("/nonexistent", &latest), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_shipped_migrations_are_well_formed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
