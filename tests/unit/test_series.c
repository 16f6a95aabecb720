/*
 * series.h: files as analysts' tools write them read into the values they
 * hold, the same whether they come whole or a byte at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "series.h"

/* Reads text whole (chunk 0) or chunk bytes at a time; 0 or -1 with why. */
static int read_text(const char *text, size_t chunk, struct series *out, char *why, size_t whylen)
{
	struct series_reader *r = series_reader_new();
	assert_non_null(r);
	size_t n = strlen(text), step = chunk ? chunk : n;
	for (size_t at = 0; at < n; at += step)
		if (series_reader_feed(r, text + at, n - at < step ? n - at : step) != 0)
			break;
	int rc = series_reader_finish(r, out, why, whylen);
	series_reader_free(r);
	return rc;
}

/* The plain file's reading, which every form below must give. */
static void assert_plain(const struct series *s)
{
	assert_true(s->dated);
	assert_int_equal(s->spacing, SPACING_DAY);
	assert_int_equal(s->first_day, date_day_number("2024-01-01"));
	assert_int_equal(s->n, 3);
	for (int i = 0; i < 3; i++)
		assert_true(s->values[i] == 10 + i);
}

static void test_forms_read_alike(void **state)
{
	(void)state;
	static const char *const forms[] = {
		"date,value\n2024-01-01,10\n2024-01-02,11\n2024-01-03,12\n",
		"\"\",\"date\",\"value\"\n\"1\",2024-01-01,10\n\"2\",2024-01-02,11\n\"3\",2024-01-03,12\n",
		",date,value\n0,2024-01-01,10\n1,2024-01-02,11\n2,2024-01-03,12\n",
		"date,value\n2024-01-03,12\n2024-01-02,11\n2024-01-01,10\n",
		"2024-01-01,10\n2024-01-02,11\n2024-01-03,12\n",
		"# Users\n# Start date: 20240101\n#\nDate,Active users\n20240101,10\n20240102,11\n20240103,12\n",
		"\xef\xbb\xbf" "Date,Value,,\r\n2024-01-01,10,,\r\n,,,\r\n2024-01-02,11,,\r\n2024-01-03,12,,\r\n",
		"Date,Views\nTotal,33\n2024-01-01,10\n2024-01-02,11\n2024-01-03,12\nTotal: Account,33\n",
		"date\tvalue\n2024-01-01\t10\n2024-01-02\t11\n2024-01-03\t12\n",
		"date;value\n2024-01-01;10,0\n2024-01-02;11\n2024-01-03;1,2e1\n",
		"date,value\n2024-01-01,10%\n2024-01-02,1.1e1\n2024-01-03,\"12\"\n2024-01-04,NA\n2024-01-05,\n",
		"Day,Clicks\n1/1/2024,10\n1/2/2024,11\n1/3/2024,12\n1/13/2024,\n",
		"Day,Clicks\n01/01/2024 12:00:00 AM,10\n02/01/2024 12:00:00 AM,11\n03/01/2024 12:00:00 AM,12\n"
		"13/01/2024 12:00:00 AM,\n",
		"\xef\xbb\xbf\"\",\"date\",\"value\"\n\"1\",2024-01-01,10\n\"2\",2024-01-02,11\n\"3\",2024-01-03,12\n",
		",value\n2024-01-01,10\n2024-01-02,11\n2024-01-03,12\n",
	};
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
		for (size_t chunk = 0; chunk <= 3; chunk += 1) {
			struct series s;
			char why[300] = "";
			if (read_text(forms[f], chunk, &s, why, sizeof why) != 0)
				fail_msg("form %zu, chunks of %zu: %s", f, chunk, why);
			for (size_t i = 0; i < s.n && i < 3; i++)
				if (s.values[i] != 10.0 + (double)i)
					fail_msg("form %zu, chunks of %zu: value %zu is %g", f, chunk, i,
						 s.values[i]);
			assert_plain(&s);
			series_free(&s);
		}
	}
}

/* Excel's "Unicode text": UTF-16 with its byte order mark, tab-separated. */
static void test_utf16(void **state)
{
	(void)state;
	static const char text[] = "Date\tValue\n2024-01-01\t10\n2024-01-02\t11\n2024-01-03\t12\n";
	char utf16[2 * sizeof text + 2] = { (char)0xff, (char)0xfe };
	for (size_t i = 0; i + 1 < sizeof text; i++)
		utf16[2 + 2 * i] = text[i];
	struct series_reader *r = series_reader_new();
	assert_non_null(r);
	for (size_t at = 0; at < 2 * (sizeof text - 1) + 2; at += 3) /* odd chunks split units */
		assert_int_equal(series_reader_feed(r, utf16 + at,
						    at + 3 <= 2 * (sizeof text - 1) + 2
							    ? 3
							    : 2 * (sizeof text - 1) + 2 - at),
				 0);
	struct series s;
	char why[300] = "";
	if (series_reader_finish(r, &s, why, sizeof why) != 0)
		fail_msg("%s", why);
	series_reader_free(r);
	assert_plain(&s);
	series_free(&s);
}

/* A second review's cases: each read as its tool meant it. */
static void test_review_cases(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t n;
		double first, last;
		enum date_spacing spacing;
	} cases[] = {
		/* No header, 1/2/2024 dates or rates: the first line is data. */
		{ "1/2/2024,5\n1/3/2024,6\n1/4/2024,7\n1/13/2024,8\n", 12, 5, 8, SPACING_DAY },
		{ "2024-01-01,3.2%\n2024-01-02,3.4%\n", 2, 3.2, 3.4, SPACING_DAY },
		/* Semicolons with decimal points (pandas' sep=';'), or points
		 * that all group thousands (a German export of counts). */
		{ "date;value\n2024-01-01;12.5\n2024-01-02;1.25\n", 2, 12.5, 1.25, SPACING_DAY },
		{ "date;value\n2024-01-01;1.234\n2024-01-02;12.345.678\n2024-01-03;7\n", 3, 1234, 7,
		  SPACING_DAY },
		{ "date;value\n2024-01-01;1.234\n2024-01-02;2,5\n", 2, 1234, 2.5, SPACING_DAY },
		/* Carriage returns alone; a quoted comma in a tab-separated header. */
		{ "date;value\r2024-01-01;12,5\r2024-01-02;13,5\r", 2, 12.5, 13.5, SPACING_DAY },
		{ "Date\t\"Revenue, EUR\"\n2024-01-01\t1,574.25\n2024-01-02\t3\n", 2, 1574.25, 3,
		  SPACING_DAY },
		/* Blanks around a quoted date are no part of its length. */
		{ "d,v\n\"2024-01-01                                                            \",4\n"
		  "2024-01-02,5\n",
		  2, 4, 5, SPACING_DAY },
		/* Day first, the first of twelve months. */
		{ "m,v\n1/1/2024,1\n1/2/2024,2\n1/3/2024,3\n1/4/2024,4\n1/5/2024,5\n1/6/2024,6\n"
		  "1/7/2024,7\n1/8/2024,8\n1/9/2024,9\n1/10/2024,10\n1/11/2024,11\n1/12/2024,12\n",
		  12, 1, 12, SPACING_MONTH },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct series s;
		char why[300] = "";
		if (read_text(cases[i].text, 0, &s, why, sizeof why) != 0)
			fail_msg("case %zu: %s", i, why);
		if (s.n != cases[i].n || s.values[0] != cases[i].first ||
		    s.values[s.n - 1] != cases[i].last || s.spacing != cases[i].spacing)
			fail_msg("case %zu: %zu values from %g to %g, spacing %d", i, s.n, s.values[0],
				 s.values[s.n - 1], (int)s.spacing);
		series_free(&s);
	}
}

/* Four weeks of Monday to Friday (the first row a Saturday without a
 * value): one value a working day, from the first Monday. */
static void test_working_days(void **state)
{
	(void)state;
	char text[4096] = "date,value\n2024-01-06,\n", why[300] = "";
	long monday = date_day_number("2024-01-08");
	for (int i = 0; i < 28; i++) {
		int year, month, mday;
		date_civil(monday + i, &year, &month, &mday);
		if (i % 7 < 5)
			snprintf(text + strlen(text), sizeof text - strlen(text), "%04d-%02d-%02d,%d\n",
				 year, month, mday, 100 + i);
	}
	struct series s;
	if (read_text(text, 0, &s, why, sizeof why) != 0)
		fail_msg("%s", why);
	assert_int_equal(s.workdays, 5);
	assert_int_equal(s.first_day, monday);
	assert_int_equal(s.n, 20);
	assert_true(s.values[0] == 100 && s.values[5] == 107 && s.values[19] == 125);
	series_free(&s);
	/* Three weeks are too few to tell. */
	char *fourth = strstr(text, "2024-01-29");
	assert_non_null(fourth);
	*fourth = '\0';
	assert_int_equal(read_text(text, 0, &s, why, sizeof why), 0);
	assert_int_equal(s.workdays, 0);
	series_free(&s);
}

/* A one-column R file: the unnamed first column is row names. */
static void test_one_column_row_names(void **state)
{
	(void)state;
	struct series s;
	char why[300] = "";
	if (read_text("\"\",\"value\"\n\"1\",10\n\"2\",\n\"3\",12\n", 0, &s, why, sizeof why) != 0)
		fail_msg("%s", why);
	assert_false(s.dated);
	assert_int_equal(s.n, 3);
	assert_true(s.values[0] == 10 && isnan(s.values[1]) && s.values[2] == 12);
	series_free(&s);
}

/* What was read otherwise than the lines say is in the notes. */
static void test_notes(void **state)
{
	(void)state;
	struct series s;
	char why[300];
	assert_int_equal(read_text("2024-01-01,10\n2024-01-02,11\n", 0, &s, why, sizeof why), 0);
	assert_int_equal(s.notes.header_row_data, 1);
	series_free(&s);
	assert_int_equal(read_text("d,v\nTotal,5\n2024-01-01,1\n2024-01-02,2\n2024-01-03,\n"
				   "2024-01-04,\n",
				   0, &s, why, sizeof why),
			 0);
	assert_int_equal(s.notes.totals, 1);
	assert_int_equal(s.notes.first_total_row, 2);
	assert_int_equal(s.notes.trailing, 2);
	assert_int_equal(s.notes.last_day, date_day_number("2024-01-02"));
	assert_int_equal(s.n, 2);
	series_free(&s);
	/* 1/1 to 6/1 fit months better than days: month first. */
	assert_int_equal(read_text("m,v\n1/1/2024,1\n2/1/2024,2\n3/1/2024,3\n", 0, &s, why, sizeof why),
			 0);
	assert_int_equal(s.notes.slashed, 3);
	assert_int_equal(s.notes.day_first, 0);
	assert_int_equal(s.spacing, SPACING_MONTH);
	series_free(&s);
	/* A one-column file: a blank line inside is a missing value. */
	assert_int_equal(read_text("value\n1\n\n3\n\n", 0, &s, why, sizeof why), 0);
	assert_false(s.dated);
	assert_int_equal(s.n, 3);
	assert_true(s.values[0] == 1 && isnan(s.values[1]) && s.values[2] == 3);
	assert_int_equal(s.notes.trailing, 1);
	series_free(&s);
	/* Months, and a year before 1990. */
	assert_int_equal(read_text("month,v\nJan 1949,1\n1949-02,2\n194903,3\n", 0, &s, why, sizeof why),
			 0);
	assert_int_equal(s.spacing, SPACING_MONTH);
	assert_int_equal(s.first_day, date_day_number("1949-01-01"));
	series_free(&s);
}

/* Refusals name the row and what is wrong. */
static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n", "rows 2 and 4 are both 2024-01-01" },
		{ "Date,Clicks,Impressions\n2024-01-01,1,2\n", "the header has 3 field(s): 'Date', 'Clicks'" },
		{ "date,value\n2024-01-01,1,5\n", "row 2 has 3 fields, the header 2" },
		{ "value\n1\nabc\n", "row 3: 'abc' is not a number" },
		{ "d,v\n13/1/2024,1\n1/13/2024,2\n", "rows 2 and 3: dates read neither" },
		{ "d,v\n1500-01-01,1\n", "outside the years 1583 to 9999" },
		{ "# only\n# comments\n", "no input" },
		{ "", "no input" },
		{ "date,value\n2024-02-01,1\n2024-02-02,2\n2240-03-01,3\n", "(a year mistyped?)" },
		{ "value\n1\n1000000000000000000000000000000000000000000000000000000000000000000000\n",
		  "row 3: a field longer than 63 characters" },
		{ "1000000000000000000000000000000000000000000000000000000000000000000000\n5\n",
		  "row 1: a field longer than 63 characters" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct series s;
		char why[300] = "";
		if (read_text(cases[i].text, 0, &s, why, sizeof why) == 0)
			fail_msg("case %zu read", i);
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: '%s', expected '%s'", i, why, cases[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_read_alike),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_one_column_row_names),
		cmocka_unit_test(test_review_cases),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
