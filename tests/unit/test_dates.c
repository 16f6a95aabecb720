/* dates and hex: day numbers across leap rules and before 1970, and back;
 * the spacing of a dated series; hex text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "dates.h"
#include "hex.h"

static void test_day_numbers(void **state)
{
	(void)state;
	assert_int_equal(date_day_number("1970-01-01"), 0);
	assert_int_equal(date_day_number("1969-12-31"), -1);
	assert_int_equal(date_day_number("2000-03-01"), 11017); /* 2000 is a leap year */
	assert_int_equal(date_day_number("2024-02-29"), 19782);
	assert_int_equal(date_day_number("1900-03-01"), -25508); /* 1900 is not */
}

static void test_civil_round_trip(void **state)
{
	(void)state;
	static const char *const days[] = { "1900-03-01", "1969-12-31", "1970-01-01", "2000-02-29",
					    "2024-12-31", "2100-01-01" };
	for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
		int y, m, d;
		char back[11];
		date_civil(date_day_number(days[i]), &y, &m, &d);
		snprintf(back, sizeof back, "%04d-%02d-%02d", y, m, d);
		assert_string_equal(back, days[i]);
	}
}

/* Day numbers of ISO dates, for the spacing tests. */
static size_t day_numbers(const char *const *iso, long *out)
{
	size_t n = 0;
	for (; iso[n] != NULL; n++)
		out[n] = date_day_number(iso[n]);
	return n;
}

#define DATES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static enum date_spacing spacing_of(const char *const *iso)
{
	long days[16];
	return date_spacing_of(days, day_numbers(iso, days));
}

static void test_spacing(void **state)
{
	(void)state;
	/* Days, with a gap: still days (the gap is missing). */
	assert_int_equal(spacing_of(DATES("2024-03-01", "2024-03-02", "2024-03-05")), SPACING_DAY);
	assert_int_equal(spacing_of(DATES("2024-03-01")), SPACING_DAY);
	/* Mondays, one missing. */
	assert_int_equal(spacing_of(DATES("2024-03-04", "2024-03-11", "2024-03-25")), SPACING_WEEK);
	/* Months on the 1st; on the 31st or the month's last day; month ends. */
	assert_int_equal(spacing_of(DATES("2023-11-01", "2023-12-01", "2024-01-01", "2024-03-01")),
			 SPACING_MONTH);
	assert_int_equal(spacing_of(DATES("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30")),
			 SPACING_MONTH);
	assert_int_equal(spacing_of(DATES("2023-01-30", "2023-02-28", "2023-03-30")),
			 SPACING_MONTH);
	/* ... also when the first is the short month's end. */
	assert_int_equal(spacing_of(DATES("2023-02-28", "2023-03-30", "2023-04-30")),
			 SPACING_MONTH);
	assert_int_equal(spacing_of(DATES("2023-02-28", "2023-03-29", "2023-04-29")),
			 SPACING_MONTH);
	/* A month end beside a mid-month day is no grid. */
	assert_int_equal(spacing_of(DATES("2023-02-28", "2023-03-15", "2023-04-15")), SPACING_DAY);
	/* Quarters, years. */
	assert_int_equal(spacing_of(DATES("2023-01-01", "2023-04-01", "2023-10-01")),
			 SPACING_QUARTER);
	assert_int_equal(spacing_of(DATES("2019-12-31", "2020-12-31", "2022-12-31")), SPACING_YEAR);
	/* On the 15th, then the 14th: no grid of months, and not whole weeks: days. */
	assert_int_equal(spacing_of(DATES("2024-01-15", "2024-02-14", "2024-03-15")), SPACING_DAY);

	/* The index of a date in its series. */
	long from = date_day_number("2023-11-01");
	assert_int_equal(date_units_between(from, date_day_number("2024-03-01"), SPACING_MONTH), 4);
	assert_int_equal(date_units_between(from, date_day_number("2024-05-01"), SPACING_QUARTER), 2);
	assert_int_equal(date_units_between(from, date_day_number("2026-11-01"), SPACING_YEAR), 3);
	assert_int_equal(date_units_between(from, from + 21, SPACING_WEEK), 3);
	assert_int_equal(date_units_between(from, from + 5, SPACING_DAY), 5);
	assert_int_equal(date_units_between(date_day_number("2024-01-31"), date_day_number("2024-02-29"),
					    SPACING_MONTH),
			 1);
	assert_int_equal(date_spacing_period(SPACING_MONTH), 12);
	assert_string_equal(date_spacing_name(SPACING_QUARTER), "quarter");
}

static void test_hex(void **state)
{
	(void)state;
	const unsigned char bytes[] = { 0x00, 0xab, 0xff, 0x10 };
	char out[9];
	hex_encode(bytes, sizeof bytes, out);
	assert_string_equal(out, "00abff10");
	hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_civil_round_trip),
		cmocka_unit_test(test_spacing),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
