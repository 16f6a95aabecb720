/* dates and hex: day numbers across leap rules and before 1970; hex text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
