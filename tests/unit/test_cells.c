/* Unit tests of ingest/cells.c (numbers, dates), ingest/seen.c (Bloom filter,
 * id map) and ingest/decode.c (UTF-16 split across chunks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "cells.h"
#include "decode.h"
#include "seen.h"

static char why[256];

static void expect_number(const char *cell, int whole, const char *text)
{
	struct cell_number n;
	enum cell_status st = cell_parse_number(cell, whole, &n, why, sizeof why);
	if (st != CELL_OK)
		fail_msg("'%s': %s", cell, why);
	assert_string_equal(n.text, text);
}

static void expect_bad_number(const char *cell, int whole, const char *reason)
{
	struct cell_number n;
	assert_int_equal(cell_parse_number(cell, whole, &n, why, sizeof why), CELL_BAD);
	assert_string_equal(why, reason);
}

static void test_numbers_as_exported(void **state)
{
	(void)state;
	expect_number("0", 0, "0");
	expect_number("12.50", 0, "12.50");
	expect_number(".5", 0, "0.5");
	expect_number("1,574", 1, "1574");
	expect_number("4,838.80", 0, "4838.80");
	expect_number("1,234,567.891", 0, "1234567.891");
	expect_number("  42  ", 1, "42");
	expect_number("12.00", 1, "12");
	expect_number("$1,023.70", 0, "1023.70");
	expect_number("\xe2\x82\xac" "9.99", 0, "9.99");
	expect_number("-0", 0, "0");
	struct cell_number n;
	assert_int_equal(cell_parse_number(" --", 0, &n, why, sizeof why), CELL_UNKNOWN);
	assert_int_equal(cell_parse_number("", 0, &n, why, sizeof why), CELL_UNKNOWN);
	assert_int_equal(cell_parse_number("-", 0, &n, why, sizeof why), CELL_UNKNOWN);
	assert_int_equal(cell_parse_number("\xc2\xa0", 0, &n, why, sizeof why), CELL_UNKNOWN);
}

static void test_bad_numbers(void **state)
{
	(void)state;
	expect_bad_number("-3", 0, "'-3' is negative");
	expect_bad_number("12,34", 0, "'12,34' is not a number");
	expect_bad_number("1,2345", 0, "'1,2345' is not a number");
	expect_bad_number("< 10%", 0, "'< 10%' is not a number");
	expect_bad_number("18.18%", 0, "'18.18%' is not a number");
	expect_bad_number("1e5", 0, "'1e5' is not a number");
	expect_bad_number("1.2.3", 0, "'1.2.3' is not a number");
	expect_bad_number("abc", 0, "'abc' is not a number");
	expect_bad_number("10.5", 1, "'10.5' is not a whole number");
	expect_bad_number("1000000000000", 0, "'1000000000000' is too large");
	/* A cell too long to hold is refused, not read from its first part. */
	char zeros[201];
	memset(zeros, '0', 199);
	zeros[199] = '5', zeros[200] = '\0';
	expect_bad_number(zeros, 0, "'0000000000000000000000000000000000000000...' is too long to be a number");
}

static void expect_day(const char *cell, const char *day)
{
	char out[11];
	if (cell_parse_day(cell, out, why, sizeof why) != CELL_OK)
		fail_msg("'%s': %s", cell, why);
	assert_string_equal(out, day);
}

/* Series as R and Python write them: exponents, signs, NA; report amounts
 * still read as cell_parse_number reads them. */
static void test_values_as_tools_write_them(void **state)
{
	(void)state;
	static const struct {
		const char *cell;
		enum cell_status status;
		double value;
	} cases[] = {
		{ "1e+05", CELL_OK, 1e5 },       { "-2.5e3", CELL_OK, -2500 },
		{ "1E-5", CELL_OK, 1e-5 },       { "+7", CELL_OK, 7 },
		{ "1,574.25", CELL_OK, 1574.25 }, { "-$12.50", CELL_OK, -12.5 },
		{ "2e12", CELL_OK, 2e12 },       { "1e-400", CELL_OK, 0 },
		{ " NA ", CELL_UNKNOWN, 0 },     { "nan", CELL_UNKNOWN, 0 },
		{ "N/A", CELL_UNKNOWN, 0 },      { "", CELL_UNKNOWN, 0 },
		{ "#N/A", CELL_UNKNOWN, 0 },     { "null", CELL_UNKNOWN, 0 },
		{ "--", CELL_UNKNOWN, 0 },       { "1e999", CELL_BAD, 0 },
		{ "inf", CELL_BAD, 0 },          { "0x10", CELL_BAD, 0 },
		{ "1,5", CELL_BAD, 0 },          { "1e", CELL_BAD, 0 },
		{ "abc", CELL_BAD, 0 },
	};
	char long_digits[300];
	memset(long_digits, '9', sizeof long_digits - 1);
	long_digits[sizeof long_digits - 1] = '\0';
	double ignored;
	char said[120];
	assert_int_equal(cell_parse_value(long_digits, &ignored, said, sizeof said), CELL_BAD);
	assert_non_null(strstr(said, "too long"));
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double v = -1;
		char reason[120] = "";
		enum cell_status st = cell_parse_value(cases[i].cell, &v, reason, sizeof reason);
		if (st != cases[i].status)
			fail_msg("'%s': status %d, expected %d (%s)", cases[i].cell, st,
				 cases[i].status, reason);
		if (st == CELL_OK && fabs(v - cases[i].value) > 1e-12 * fabs(cases[i].value))
			fail_msg("'%s': %g, expected %g", cases[i].cell, v, cases[i].value);
		if (st == CELL_BAD && strstr(reason, cases[i].cell) == NULL)
			fail_msg("'%s': the reason '%s' does not quote it", cases[i].cell, reason);
	}
}

static void test_days(void **state)
{
	(void)state;
	expect_day("2025-09-02", "2025-09-02");
	expect_day("2025/9/2", "2025-09-02");
	expect_day("2024-02-29", "2024-02-29");
	expect_day("2026-03-03T16:31:31-0800", "2026-03-03");
	expect_day("Sep 2, 2025", "2025-09-02");
	expect_day("Sept 2, 2025", "2025-09-02");
	expect_day("Tue, Sep 2, 2025", "2025-09-02");
	expect_day("September 2, 2025", "2025-09-02");
	expect_day("2 September 2025", "2025-09-02");
	expect_day("31 Dec 2025", "2025-12-31");

	const char *bad[] = { "2023-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "yesterday",
			      "02/09/2025", "Sep 2025", "1800-01-01", "2025-09-02x", "Sep 202025",
			      "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char out[11];
		if (cell_parse_day(bad[i], out, why, sizeof why) != CELL_BAD)
			fail_msg("'%s' was accepted as %s", bad[i], out);
	}
}

static void test_filter_has_no_false_negatives(void **state)
{
	(void)state;
	struct seen_filter *f = seen_filter_new(20);
	assert_non_null(f);
	int maybes = 0;
	for (uint64_t k = 0; k < 50000; k++)
		maybes += seen_filter_add(f, k * 7919);
	for (uint64_t k = 0; k < 50000; k++)
		assert_true(seen_filter_add(f, k * 7919)); /* every key is remembered */
	assert_true(maybes < 500); /* few false "maybe" at this load */
	seen_filter_free(f);
	assert_null(seen_filter_new(2));
}

static void test_ids_map(void **state)
{
	(void)state;
	struct seen_ids *m = seen_ids_new();
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "campaign-%d", i);
		assert_int_equal(seen_ids_put(m, key, (uint64_t)i * 3), 0);
	}
	assert_int_equal(seen_ids_count(m), 5000);
	uint64_t id;
	assert_true(seen_ids_get(m, "campaign-4321", &id));
	assert_int_equal(id, 4321 * 3);
	assert_false(seen_ids_get(m, "campaign-5000", &id));
	assert_int_equal(seen_ids_put(m, "campaign-7", 99), 0);
	assert_int_equal(seen_ids_count(m), 5000);
	assert_true(seen_ids_get(m, "campaign-7", &id));
	assert_int_equal(id, 99);
	seen_ids_free(m);
}

struct collected {
	char text[256];
	size_t len;
};

static int collect(void *ctx, const char *utf8, size_t len)
{
	struct collected *c = ctx;
	assert_true(c->len + len < sizeof c->text);
	memcpy(c->text + c->len, utf8, len);
	c->len += len;
	c->text[c->len] = '\0';
	return 0;
}

static void test_utf16_split_anywhere(void **state)
{
	(void)state;
	/* "a€😀" in UTF-16BE with BOM: a surrogate pair for the emoji. */
	const unsigned char be[] = { 0xfe, 0xff, 0x00, 'a', 0x20, 0xac, 0xd8, 0x3d, 0xde, 0x00 };
	for (size_t chunk = 1; chunk <= sizeof be; chunk++) {
		struct collected c = { "", 0 };
		struct decoder *d = decode_new(collect, &c);
		for (size_t off = 0; off < sizeof be; off += chunk)
			assert_int_equal(decode_feed(d, be + off, off + chunk > sizeof be ? sizeof be - off : chunk), 0);
		assert_int_equal(decode_finish(d), 0);
		assert_int_equal(decode_encoding(d), DECODE_UTF16BE);
		assert_string_equal(c.text, "a\xe2\x82\xac\xf0\x9f\x98\x80");
		decode_free(d);
	}
	/* A file cut inside a character is an error, not silent loss. */
	struct collected c = { "", 0 };
	struct decoder *d = decode_new(collect, &c);
	assert_int_equal(decode_feed(d, be, 7), 0);
	assert_int_equal(decode_finish(d), -1);
	decode_free(d);
}

static void test_utf8_bom_dropped(void **state)
{
	(void)state;
	struct collected c = { "", 0 };
	struct decoder *d = decode_new(collect, &c);
	assert_int_equal(decode_feed(d, "\xef\xbb", 2), 0);
	assert_int_equal(decode_feed(d, "\xbfhi", 3), 0);
	assert_int_equal(decode_finish(d), 0);
	assert_string_equal(c.text, "hi");
	decode_free(d);
	/* Short inputs without a BOM pass through. */
	struct collected e = { "", 0 };
	d = decode_new(collect, &e);
	assert_int_equal(decode_feed(d, "x", 1), 0);
	assert_int_equal(decode_finish(d), 0);
	assert_string_equal(e.text, "x");
	decode_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_as_exported),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_values_as_tools_write_them),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_filter_has_no_false_negatives),
		cmocka_unit_test(test_ids_map),
		cmocka_unit_test(test_utf16_split_anywhere),
		cmocka_unit_test(test_utf8_bom_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
