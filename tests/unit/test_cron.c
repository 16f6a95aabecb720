/* Unit tests of lib/cron.c: parsing, next fire times (UTC, a named zone
 * across daylight saving changes, 29 February), bad expressions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "utc_time.h"

static void use_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static void expect_next(const char *expr, const char *after, const char *want)
{
	struct cron c;
	char err[256];
	if (cron_parse(expr, &c, err, sizeof err) != 0)
		fail_msg("'%s': %s", expr, err);
	time_t t = cron_next(&c, utc(after));
	char got[32] = "none";
	if (t != (time_t)-1) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(got, sizeof got, "%Y-%m-%d %H:%M", &tm);
	}
	if (strcmp(got, want) != 0)
		fail_msg("'%s' after %s UTC: got %s, expected %s", expr, after, got, want);
}

static void test_next_in_utc(void **state)
{
	(void)state;
	use_zone("UTC");
	static const char *const table[][3] = {
		{ "*/30 * * * *", "2024-01-01 00:00", "2024-01-01 00:30" },
		{ "*/30 * * * *", "2024-01-01 00:29", "2024-01-01 00:30" },
		{ "*/30 * * * *", "2024-01-01 23:45", "2024-01-02 00:00" },
		{ "0,30 * * * *", "2024-01-01 10:30", "2024-01-01 11:00" },
		{ "0 * * * *", "2024-12-31 23:00", "2025-01-01 00:00" },
		{ "0 */2 * * *", "2024-01-01 01:00", "2024-01-01 02:00" },
		{ "15 9-17 * * 1-5", "2024-01-05 17:15", "2024-01-08 09:15" }, /* Friday -> Monday */
		{ "15 9-17 * * mon-fri", "2024-01-06 08:00", "2024-01-08 09:15" },
		{ "0 0 1 jan *", "2024-06-01 00:00", "2025-01-01 00:00" },
		{ "0 0 31 * *", "2024-04-01 00:00", "2024-05-31 00:00" }, /* April has 30 days */
		{ "0 0 29 2 *", "2025-03-01 00:00", "2028-02-29 00:00" },
		{ "0 12 1 * sun", "2024-01-02 00:00", "2024-01-07 12:00" }, /* both days restricted: either */
		{ "0 0 * * 7", "2024-01-01 00:00", "2024-01-07 00:00" },    /* 7 is Sunday too */
		{ "5-20/5 * * * *", "2024-01-01 00:20", "2024-01-01 01:05" },
		{ "0 0 30 2 *", "2024-01-01 00:00", "none" },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		expect_next(table[i][0], table[i][1], table[i][2]);
}

static void test_daylight_saving_in_berlin(void **state)
{
	(void)state;
	use_zone("Europe/Berlin");
	/* 2024-03-31: 02:00 local jumps to 03:00 (01:00 UTC). 02:30 does not exist. */
	expect_next("30 2 * * *", "2024-03-30 12:00", "2024-04-01 00:30"); /* skipped that day */
	expect_next("0 3 * * *", "2024-03-30 12:00", "2024-03-31 01:00");
	expect_next("*/30 * * * *", "2024-03-31 00:30", "2024-03-31 01:00"); /* 01:30 CET -> 03:00 CEST */
	/* 2024-10-27: 03:00 local goes back to 02:00 (01:00 UTC). 02:30 happens twice: once. */
	expect_next("30 2 * * *", "2024-10-26 12:00", "2024-10-27 00:30");
	expect_next("30 2 * * *", "2024-10-27 00:30", "2024-10-28 01:30");
	expect_next("0 9 * * *", "2024-10-27 00:00", "2024-10-27 08:00"); /* 09:00 CET */
	use_zone("UTC");
}

static void test_prev(void **state)
{
	(void)state;
	use_zone("UTC");
	struct cron c;
	char err[128];
	assert_int_equal(cron_parse("*/30 * * * *", &c, err, sizeof err), 0);
	assert_true(cron_prev(&c, utc("2024-01-01 10:47"), 86400) == utc("2024-01-01 10:30"));
	assert_true(cron_prev(&c, utc("2024-01-01 10:30"), 86400) == utc("2024-01-01 10:30"));
	assert_int_equal(cron_parse("0 0 1 1 *", &c, err, sizeof err), 0);
	assert_true(cron_prev(&c, utc("2024-06-01 00:00"), 86400) == (time_t)-1);
}

static void test_next_of_expression(void **state)
{
	(void)state;
	use_zone("UTC");
	assert_true(cron_next_of("*/30 * * * *", utc("2024-01-01 10:47")) == utc("2024-01-01 11:00"));
	assert_true(cron_next_of("0 0 30 2 *", utc("2024-01-01 00:00")) == (time_t)-1);
	assert_true(cron_next_of("every hour", utc("2024-01-01 00:00")) == (time_t)-1);
}

static void test_bad_expressions(void **state)
{
	(void)state;
	static const char *const table[][2] = {
		{ "* * * *", "has 4 fields; a schedule has five" },
		{ "* * * * * *", "has 6 fields" },
		{ "60 * * * *", "field 1 (minute): '60' is out of range 0-59" },
		{ "* 24 * * *", "field 2 (hour): '24' is out of range 0-23" },
		{ "* * 0 * *", "field 3 (day of month): '0' is out of range 1-31" },
		{ "* * * 13 *", "field 4 (month): '13' is out of range 1-12" },
		{ "* * * * 8", "field 5 (day of week): '8' is out of range 0-7" },
		{ "*/0 * * * *", "field 1 (minute): '*/0' has a bad step" },
		{ "5-1 * * * *", "field 1 (minute): '5-1' is out of range 0-59" },
		{ "* * * foo *", "field 4 (month): 'foo' is not a number or a name" },
		{ "1, * * * *", "field 1 (minute): '1,' ends with a comma" },
		{ "1-x * * * *", "field 1 (minute): '1-x' has a range without an end" },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct cron c;
		char err[256];
		assert_int_equal(cron_parse(table[i][0], &c, err, sizeof err), -1);
		if (strstr(err, table[i][1]) == NULL)
			fail_msg("'%s': '%s' does not say '%s'", table[i][0], err, table[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_in_utc),
		cmocka_unit_test(test_next_of_expression),
		cmocka_unit_test(test_daylight_saving_in_berlin),
		cmocka_unit_test(test_prev),
		cmocka_unit_test(test_bad_expressions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
