/*
 * series: one series of values in CSV as analysts' tools write it (a
 * spreadsheet, R, pandas, GA4, Search Console, YouTube Studio), read into
 * one value a unit of its dates' spacing. Pure: bytes in, numbers out.
 *
 * The columns are date,value or value alone, named anything. Also read:
 * - a first column of row names (R's write.csv, pandas' index), skipped;
 *   an unnamed first of two columns is row names unless it holds dates;
 * - lines starting with # before the header (GA4), blank lines, empty
 *   rows and trailing empty columns (Excel), rows of totals (a date cell
 *   starting with "Total": YouTube Studio, Google Ads);
 * - no header: a first line whose cells read as a date and a value is data;
 * - tab- or semicolon-separated files, told by the first line that is not
 *   a comment (the delimiter it has most of outside quotes); with
 *   semicolons the values' decimals are told by all of them: a comma where
 *   any has one (1.234,5 is 1234.5), else points that all group thousands
 *   (1.234 is 1234), else a decimal point (12.5);
 * - values as cell_parse_value reads them (1,574.25, $12.50, 1e+05, -3,
 *   NA), or a rate with a percent sign (3.2% is 3.2);
 * - dates as cell_parse_day reads them, of any Gregorian year, and GA4's
 *   20240131, months (2024-01, 202401, Jan 2024) as their first day, and
 *   1/31/2024 or 31/01/2024 as the rows allow: where both readings do,
 *   the one leaving fewer values missing, then the coarser (a year of
 *   months rather than twelve days), then month first;
 * - UTF-8 with or without a byte order mark, or UTF-16 (Excel's "Unicode
 *   text");
 * - rows in any order (sorted by date); two rows of one date are refused,
 *   as are fields cut at 63 characters and dates spanning more than
 *   SERIES_MAX_UNITS units.
 * Dated values are one a unit of the dates' spacing (date_spacing_of), the
 * units the dates skip missing; the series ends at its last value. Four
 * weeks or more of daily dates that never fall on one or two days of the
 * week are working days: one value a working day (workdays below). A
 * blank line of a one-column file is a missing value.
 */
#ifndef MLDASH_SERIES_H
#define MLDASH_SERIES_H

#include <stddef.h>

#include "dates.h"

/* The most values a dated series spreads to: 40,000 days are 110 years,
 * as the reports' dates allow; more is a mistyped year. */
#define SERIES_MAX_UNITS 40000

/* What was read otherwise than its lines say, for the user to be told. */
struct series_notes {
	int header_row_data; /* > 0: that row was the first value, not a header */
	int totals;          /* rows of totals left out; the first one's row: */
	int first_total_row;
	size_t trailing;     /* rows or values after the last value, left out; */
	long last_day;       /*   dated: the day of that last value */
	int slashed;         /* rows dated like 1/2/2024, read: */
	int day_first;       /*   1: day first (1 February); 0: month first */
};

struct series {
	double *values; /* values[n], one a unit (NaN: missing); series_free */
	size_t n;
	int dated;                 /* date,value input */
	enum date_spacing spacing; /* dated: of the dates */
	long first_day;            /* dated: the day number of values[0] */
	/* Daily dates that never fall on one or two days of the week (a
	 * business's working days): those days are left out, values[] holds
	 * one a working day, and this is the number of days a week it keeps
	 * (5 for Monday to Friday); 0 for every day. */
	int workdays;
	struct series_notes notes;
};

struct series_reader;

/* NULL when out of memory. */
struct series_reader *series_reader_new(void);

/* The next n bytes of the file; returns -1 once the input is refused (the
 * reason comes with series_reader_finish). */
int series_reader_feed(struct series_reader *r, const char *buf, size_t n);

/* The end of the file: the series into out (the caller's, to free with
 * series_free). Returns 0, or -1 with why (of whylen bytes) saying what
 * is wrong and on which row: the record's number from 1, which is its
 * line's unless a quoted field above holds a line break. */
int series_reader_finish(struct series_reader *r, struct series *out, char *why, size_t whylen);

void series_reader_free(struct series_reader *r);

void series_free(struct series *s);

#endif
