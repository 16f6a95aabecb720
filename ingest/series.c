/*
 * series: one series in CSV as analysts' tools write it (series.h says
 * which forms), streamed through libcsv into its rows, then sorted, its
 * spreadsheet dates resolved, and spread one value a unit of its spacing.
 */
#include "series.h"

#include <csv.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "decode.h"

/* A row read, till the values are spread one a unit. */
struct read_row {
	double value;
	long day;        /* dated input: the day number */
	long day_first;  /* the same read day/month/year where the date is
			    1/2/2024 (a spreadsheet's), NO_DAY where that is no date */
	int row;         /* the record's number, for errors named after sorting */
	char text[64];   /* semicolon files: the value's cell, read once all are in */
};

struct series_reader {
	struct read_row *read;
	size_t nread, capread;
	int slashed;    /* rows dated 1/2/2024-like, read month first into day */
	double *values; /* the values spread one a unit: the answer */
	size_t n;
	long first_day; /* dated input: the day number of values[0] */
	int columns;         /* 1: value; 2: date,value; 0 until the header */
	int offset;          /* 1: a first column of row names (R, pandas) is skipped */
	int names_or_dates;  /* an unnamed first of two columns, told at the first row */
	enum date_spacing spacing; /* of the dates; values are one a unit */
	int row;             /* records seen, comments and header included */
	int field;           /* field index within the record */
	int filled;          /* 1 + the index of the record's last field with text */
	int long_field;      /* one of the record's first four fields was cut */
	int last_terminator; /* of the previous record: '\r' then '\n' is one line end */
	int semicolons;      /* semicolon-separated: values wait in their texts,
				read by their decimals (enum decimals) once all are in */
	char cell[4][64];    /* the record's first four fields */
	char header[128];    /* the header's fields, for an error naming them */
	char error[256];
	struct series_notes notes;
	struct csv_parser csv;
	struct decoder *decoder; /* bytes to UTF-8 before the CSV parser */
	int delimiter;       /* 0 until the first line that is not a comment */
	char *pending;       /* bytes held until the delimiter is known */
	size_t npending;
};

static void on_field(void *s, size_t len, void *ctx)
{
	struct series_reader *se = ctx;
	const char *text = s ? s : "";
	while (len > 0 && (*text == ' ' || *text == '\t'))
		text++, len--;
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (se->field < 4) {
		char *dst = se->cell[se->field];
		size_t n = len < 63 ? len : 63;
		memcpy(dst, text, n);
		dst[n] = '\0';
		cell_trim(dst, dst, 64);
		se->long_field |= len > 63; /* cut: not what was written */
	}
	if (len > 0)
		se->filled = se->field + 1;
	se->field++;
}

#define NO_DAY LONG_MIN

static int push(struct series_reader *se, double v, long day, long day_first, const char *text)
{
	if (se->nread == se->capread) {
		size_t cap = se->capread ? se->capread * 2 : 256;
		struct read_row *read = realloc(se->read, cap * sizeof *read);
		if (read == NULL)
			return -1;
		se->read = read;
		se->capread = cap;
	}
	struct read_row *r = &se->read[se->nread++];
	*r = (struct read_row){ .value = v, .day = day, .day_first = day_first, .row = se->row };
	memcpy(r->text, text, sizeof r->text);
	return 0;
}

/* A day in cell_parse_day's forms, of any Gregorian year: R's
 * AirPassengers starts in 1949. */
static enum cell_status day_of(const char *cell, char iso[11], char *why, size_t whylen)
{
	return cell_parse_day_between(cell, 1583, 9999, iso, why, whylen);
}

/* m/d/yyyy or d/m/yyyy (a time after a space is ignored), as spreadsheets
 * write days: the day number read month first and read day first (NO_DAY
 * where that reading is no date). Returns -1 for another form. */
static int slashed_day(const char *cell, long *month_first, long *day_first)
{
	int a, b, year, used = 0;
	if (sscanf(cell, "%2d/%2d/%4d%n", &a, &b, &year, &used) != 3 || used < 8 ||
	    (cell[used] != '\0' && cell[used] != ' ') || !isdigit((unsigned char)cell[used - 4]))
		return -1;
	char iso[11], text[16], ignored[200];
	snprintf(text, sizeof text, "%04d-%02d-%02d", year, a, b);
	*month_first = day_of(text, iso, ignored, sizeof ignored) == CELL_OK ? date_day_number(iso) : NO_DAY;
	snprintf(text, sizeof text, "%04d-%02d-%02d", year, b, a);
	*day_first = day_of(text, iso, ignored, sizeof ignored) == CELL_OK ? date_day_number(iso) : NO_DAY;
	return *month_first == NO_DAY && *day_first == NO_DAY ? -1 : 0;
}

/* A date as the tools write one: a day, a GA4 day 20240101, or a month
 * (2024-01, 202401, Jan 2024) as its first day. */
static enum cell_status series_day(const char *cell, char iso[11], char *why, size_t whylen)
{
	enum cell_status st = day_of(cell, iso, why, whylen);
	if (st != CELL_BAD)
		return st;
	size_t len = strlen(cell), digits = strspn(cell, "0123456789");
	char text[80], ignored[200];
	if (len == 8 && digits == 8)
		snprintf(text, sizeof text, "%.4s-%.2s-%.2s", cell, cell + 4, cell + 6);
	else if (len == 6 && digits == 6)
		snprintf(text, sizeof text, "%.4s-%.2s-01", cell, cell + 4);
	else if (len == 7 && digits == 4 && (cell[4] == '-' || cell[4] == '/') &&
		 strspn(cell + 5, "0123456789") == 2)
		snprintf(text, sizeof text, "%.4s-%.2s-01", cell, cell + 5);
	else if (len > 0 && len < 60 && !isdigit((unsigned char)cell[0]))
		snprintf(text, sizeof text, "1 %s", cell); /* "Jan 2024" as "1 Jan 2024" */
	else
		return CELL_BAD;
	return day_of(text, iso, ignored, sizeof ignored) == CELL_OK ? CELL_OK : CELL_BAD;
}

/* How a semicolon file writes its decimals, told by all its values: with
 * a comma where any has one (1.234,5); else with a point, unless every
 * point groups thousands (1.234 and 12.345.678 are whole numbers). */
enum decimals { DECIMAL_POINT, DECIMAL_COMMA, POINTS_GROUP };

/* cell as cell_parse_value reads it: the percent sign of a rate (3.2%)
 * off, and a semicolon file's points and commas as its decimals say. */
static void value_text(const char *cell, enum decimals decimals, char out[64])
{
	size_t w = 0;
	for (const char *r = cell; *r && w < 63; r++) {
		if (*r == '.' && decimals != DECIMAL_POINT)
			continue;
		out[w++] = *r == ',' && decimals == DECIMAL_COMMA ? '.' : *r;
	}
	out[w] = '\0';
	if (w > 1 && out[w - 1] == '%')
		out[w - 1] = '\0';
}

/* Whether every point in text groups three digits after one to three. */
static int points_group(const char *text)
{
	const char *p = text + (*text == '-');
	size_t lead = strspn(p, "0123456789");
	if (lead == 0 || lead > 3 || p[lead] != '.')
		return 0;
	for (p += lead; *p == '.'; p += 4)
		if (strspn(p + 1, "0123456789") < 3 || isdigit((unsigned char)p[4]))
			return 0;
	return *p == '\0' || *p == '%';
}

/* A date cell: a day, or 1/2/2024 read month first into *day and day
 * first into *day_first (NO_DAY where a reading is no date). 1 when the
 * cell is 1/2/2024-like, 0 for another date, -1 with why for none. */
static int read_date(const char *cell, long *day, long *day_first, char *why, size_t whylen)
{
	char iso[11];
	if (slashed_day(cell, day, day_first) == 0)
		return 1;
	if (series_day(cell, iso, why, whylen) != CELL_OK)
		return -1;
	*day = *day_first = date_day_number(iso);
	return 0;
}

/* Whether the first line is a row of data rather than a header (a file
 * saved without one): its value a number, as any of the decimals read
 * it, and its date, if any, a date. */
static int header_is_data(const struct series_reader *se)
{
	double v;
	long day, day_first;
	char text[64], why[200];
	const char *value = se->cell[se->offset + se->columns - 1];
	int number = 0;
	for (enum decimals d = DECIMAL_POINT; d <= POINTS_GROUP && !number; d++) {
		value_text(value, d, text);
		number = cell_parse_value(text, &v, why, sizeof why) == CELL_OK;
	}
	return number &&
	       (se->columns == 1 || read_date(se->cell[se->offset], &day, &day_first, why, sizeof why) >= 0);
}

/* The header: the layout of the columns, after comment lines ("#", GA4's
 * preamble). Returns 1 when the line is data after all. */
static int on_header(struct series_reader *se, int filled)
{
	int named = filled; /* trailing empty columns (Excel) do not count */
	/* R's and pandas' row names: an unnamed first column, before date,value
	 * or, before a value alone, unless its first cell is a date (pandas'
	 * unnamed index of days), told at the first row. */
	se->offset = named == 3 && se->cell[0][0] == '\0';
	se->names_or_dates = named == 2 && se->cell[0][0] == '\0';
	se->columns = named - se->offset;
	size_t len = 0;
	for (int i = 0; i < named && i < 4 && len < sizeof se->header; i++) {
		int wrote = snprintf(se->header + len, sizeof se->header - len, "%s'%s'",
				     i ? ", " : "", se->cell[i]);
		len += wrote > 0 ? (size_t)wrote : 0;
	}
	if (se->columns < 1 || se->columns > 2) {
		snprintf(se->error, sizeof se->error,
			 "expected 'date,value' or 'value' columns; the header has %d field(s)%s%.120s%s "
			 "(keep the two, e.g. cut -d, -f1,2)",
			 named, named > 0 ? ": " : "", se->header, named > 4 ? ", ..." : "");
		return 0;
	}
	if (!header_is_data(se))
		return 0;
	se->notes.header_row_data = se->row;
	return 1;
}

/* One data row into the series. */
static void on_data(struct series_reader *se, int fields, int filled, int cut)
{
	if (cut) {
		snprintf(se->error, sizeof se->error, "row %d: a field longer than 63 characters",
			 se->row);
		return;
	}
	if (se->names_or_dates) {
		long day, other;
		char ignored[200];
		se->names_or_dates = 0;
		if (read_date(se->cell[0], &day, &other, ignored, sizeof ignored) < 0)
			se->offset = 1, se->columns = 1;
	}
	int needed = se->offset + se->columns;
	if (fields < needed || filled > needed) {
		snprintf(se->error, sizeof se->error, "row %d has %d fields, the header %d", se->row,
			 fields, needed);
		return;
	}
	if (se->columns == 2 && cell_is_total(se->cell[se->offset])) {
		if (se->notes.totals++ == 0)
			se->notes.first_total_row = se->row;
		return;
	}
	double v = NAN;
	char why[200], text[64];
	const char *value = se->cell[needed - 1];
	/* A semicolon file's values wait for all of them to tell its decimals. */
	if (!se->semicolons) {
		value_text(value, DECIMAL_POINT, text);
		/* Values may be negative (ROI), written by R or Python (1e+05, NA). */
		if (cell_parse_value(text, &v, why, sizeof why) == CELL_BAD) {
			snprintf(se->error, sizeof se->error, "row %d: %s", se->row, why);
			return;
		}
	}
	long day = 0, day_first = 0;
	if (se->columns == 2) {
		int read = read_date(se->cell[se->offset], &day, &day_first, why, sizeof why);
		if (read < 0) {
			snprintf(se->error, sizeof se->error, "row %d: %s", se->row, why);
			return;
		}
		se->slashed += read;
	}
	if (push(se, v, day, day_first, value) != 0)
		snprintf(se->error, sizeof se->error, "out of memory");
}

static void on_record(int c, void *ctx)
{
	struct series_reader *se = ctx;
	int fields = se->field, filled = se->filled, cut = se->long_field;
	int crlf = fields == 0 && c == '\n' && se->last_terminator == '\r';
	se->last_terminator = c;
	se->field = se->filled = se->long_field = 0;
	if (crlf || se->error[0])
		return;
	se->row++;
	int blank = filled == 0;
	if (se->columns == 0) {
		/* Before the header: blank lines and comments (GA4's "# ..."). */
		if (blank || se->cell[0][0] == '#') {
			memset(se->cell, 0, sizeof se->cell);
			return;
		}
		if (!on_header(se, filled)) {
			memset(se->cell, 0, sizeof se->cell);
			return;
		}
	} else if (blank) {
		/* A blank line in a one-column file is an empty value, a missing
		 * one; a row of empty cells of dated input is no row at all. */
		if (se->columns == 2)
			return;
		memset(se->cell, 0, sizeof se->cell);
		fields = se->offset + 1;
	}
	on_data(se, fields, filled, cut);
	memset(se->cell, 0, sizeof se->cell);
}

static int by_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static int by_day_then_row(const void *a, const void *b)
{
	const struct read_row *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Dated rows in date order (exports list the newest first); two rows of
 * one date are refused, as which to keep is the user's call. Returns -1
 * with se->error set. */
static int sort_by_date(struct series_reader *se)
{
	if (se->nread > 1) /* no rows, no array */
		qsort(se->read, se->nread, sizeof *se->read, by_day_then_row);
	for (size_t i = 1; i < se->nread; i++) {
		const struct read_row *r = &se->read[i];
		if (r->day != r[-1].day)
			continue;
		int year, month, mday;
		date_civil(r->day, &year, &month, &mday);
		snprintf(se->error, sizeof se->error,
			 "rows %d and %d are both %04d-%02d-%02d: one value a date", r[-1].row, r->row,
			 year, month, mday);
		return -1;
	}
	return 0;
}

/* Values a reading of 1/2/2024 (day first or not) leaves missing on its
 * dates' grid (days, weeks, months...), and that grid's spacing: the
 * fewer missing, the likelier the reading. SIZE_MAX for a reading with two
 * rows of one date, or out of memory. */
static size_t grid_gaps(const struct read_row *read, size_t n, int day_first,
			enum date_spacing *spacing)
{
	long *sorted = malloc((n ? n : 1) * sizeof *sorted);
	*spacing = SPACING_DAY;
	if (sorted == NULL)
		return SIZE_MAX;
	for (size_t i = 0; i < n; i++)
		sorted[i] = day_first ? read[i].day_first : read[i].day;
	qsort(sorted, n, sizeof *sorted, by_long);
	size_t gaps = SIZE_MAX;
	int distinct = 1;
	for (size_t i = 1; i < n; i++)
		distinct &= sorted[i] != sorted[i - 1];
	if (distinct && n > 0) {
		*spacing = date_spacing_of(sorted, n);
		gaps = (size_t)date_units_between(sorted[0], sorted[n - 1], *spacing) + 1 - n;
	}
	free(sorted);
	return gaps;
}

/* Day numbers count from a Thursday (1970-01-01): the day of the week,
 * 0 Monday to 6 Sunday. */
static int weekday_of(long day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

/* Daily values that no row gave on one or two days of the week in four
 * weeks or more (a business's working days) kept one a working day, so
 * that a step is the next working day and the season the week's working
 * days; returns how many days a week are kept (0: all, nothing done). */
static int keep_working_days(struct series_reader *se)
{
	if (se->spacing != SPACING_DAY || se->n < 28)
		return 0;
	int seen[7] = { 0 }, absent = 0;
	for (size_t t = 0; t < se->n; t++)
		seen[weekday_of(se->first_day + (long)t)] |= !isnan(se->values[t]);
	for (int w = 0; w < 7; w++)
		absent += !seen[w];
	if (absent < 1 || absent > 2)
		return 0;
	size_t kept = 0;
	long first = se->first_day;
	for (size_t t = 0; t < se->n; t++) {
		if (!seen[weekday_of(se->first_day + (long)t)])
			continue;
		if (kept == 0)
			first = se->first_day + (long)t;
		se->values[kept++] = se->values[t];
	}
	se->n = kept;
	se->first_day = first; /* a working day's: the first day may have had no value */
	return 7 - absent;
}

/* A semicolon file's values, now that all of them tell its decimals.
 * Returns -1 with se->error. */
static int read_held_values(struct series_reader *se)
{
	if (!se->semicolons)
		return 0;
	int commas = 0, grouping = 1, points = 0;
	for (size_t i = 0; i < se->nread; i++) {
		commas |= strchr(se->read[i].text, ',') != NULL;
		if (strchr(se->read[i].text, '.') != NULL)
			points = 1, grouping &= points_group(se->read[i].text);
	}
	enum decimals decimals = commas ? DECIMAL_COMMA : points && grouping ? POINTS_GROUP
								: DECIMAL_POINT;
	for (size_t i = 0; i < se->nread; i++) {
		char text[64], why[200];
		value_text(se->read[i].text, decimals, text);
		if (cell_parse_value(text, &se->read[i].value, why, sizeof why) == CELL_BAD) {
			snprintf(se->error, sizeof se->error, "row %d: %s", se->read[i].row, why);
			return -1;
		}
	}
	return 0;
}

/* Dates written 1/2/2024 read month first (as US spreadsheets write them)
 * or day first (as the rest of the world's do): the reading every row
 * allows; where both do, the one that leaves fewer values missing on its
 * grid, then the one with the coarser grid (1/1 to 12/1, or 1/1 to 1/12,
 * is a year of months, not twelve days), then month first; said. Returns
 * -1 with se->error. */
static int resolve_slashed_days(struct series_reader *se)
{
	if (se->slashed == 0)
		return 0;
	size_t bad_month_first = 0, bad_day_first = 0, row_month = 0, row_day = 0;
	for (size_t i = 0; i < se->nread; i++) {
		if (se->read[i].day == NO_DAY && bad_month_first++ == 0)
			row_month = i;
		if (se->read[i].day_first == NO_DAY && bad_day_first++ == 0)
			row_day = i;
	}
	if (bad_month_first && bad_day_first) {
		snprintf(se->error, sizeof se->error,
			 "rows %d and %d: dates read neither all month first nor all day first",
			 se->read[row_month].row, se->read[row_day].row);
		return -1;
	}
	int day_first = bad_month_first > 0;
	if (!bad_month_first && !bad_day_first) {
		enum date_spacing month_grid, day_grid;
		size_t month_gaps = grid_gaps(se->read, se->nread, 0, &month_grid);
		size_t day_gaps = grid_gaps(se->read, se->nread, 1, &day_grid);
		day_first = day_gaps < month_gaps || (day_gaps == month_gaps && day_grid > month_grid);
	}
	for (size_t i = 0; i < se->nread && day_first; i++)
		se->read[i].day = se->read[i].day_first;
	se->notes.slashed = se->slashed;
	se->notes.day_first = day_first;
	return 0;
}

/* The series ends at its last value: rows after it without one (dates
 * filled in ahead, blank lines at the end) would put the forecast's first
 * step where no value is. */
static void drop_trailing_missing(struct series_reader *se)
{
	size_t n = se->nread;
	while (n > 0 && isnan(se->read[n - 1].value))
		n--;
	if (n == se->nread || n == 0)
		return;
	se->notes.trailing = se->nread - n;
	se->notes.last_day = se->columns == 2 ? se->read[n - 1].day : 0;
	se->nread = n;
}

/*
 * The values one a unit: undated, as the rows came; dated, one a unit of
 * their spacing (date_spacing_of: days, weeks, months, quarters or years),
 * the units the dates skip as missing values. Why not always days:
 * monthly values dated on the 1st would be a daily series missing 29 days
 * in 30, with a weekly season. Returns -1 (se->error set but out of
 * memory).
 */
static int spread(struct series_reader *se)
{
	size_t n = se->nread, units = n;
	long first = n > 0 ? se->read[0].day : 0, last = n > 0 ? se->read[n - 1].day : 0;
	if (se->columns == 2 && n > 0) {
		long *days = malloc(n * sizeof *days);
		if (days == NULL)
			return -1;
		for (size_t i = 0; i < n; i++)
			days[i] = se->read[i].day;
		se->spacing = date_spacing_of(days, n);
		free(days);
		units = (size_t)date_units_between(first, last, se->spacing) + 1;
	}
	if (units > SERIES_MAX_UNITS) {
		int y0, m0, d0, y1, m1, d1;
		date_civil(first, &y0, &m0, &d0);
		date_civil(last, &y1, &m1, &d1);
		snprintf(se->error, sizeof se->error,
			 "the dates run from %04d-%02d-%02d to %04d-%02d-%02d, %zu %ss: at most %d "
			 "(a year mistyped?)", y0, m0, d0, y1, m1, d1, units,
			 date_spacing_name(se->spacing), SERIES_MAX_UNITS);
		return -1;
	}
	double *values = malloc((units ? units : 1) * sizeof *values);
	if (values == NULL)
		return -1;
	for (size_t u = 0; u < units; u++)
		values[u] = NAN;
	for (size_t i = 0; i < n; i++)
		values[se->columns == 2 ? (size_t)date_units_between(first, se->read[i].day, se->spacing)
					: i] = se->read[i].value;
	se->values = values;
	se->n = units;
	se->first_day = first;
	return 0;
}

/* The delimiter of the first line that is not blank or a comment: of
 * comma, tab and semicolon, the one it has most of outside quotes (a
 * comma where none; ties to the comma, then the tab): Europe's CSV and R's
 * write.csv2 use semicolons, tab-separated files tabs. 0 while no such
 * line is whole in buf[0..n) (at the end, the last line counts); a line
 * ends at a line feed or a carriage return. */
static char delimiter_of(const char *buf, size_t n, int at_end)
{
	size_t start = 0;
	while (start < n) {
		size_t end = start;
		while (end < n && buf[end] != '\n' && buf[end] != '\r')
			end++;
		if (end == n && !at_end)
			return 0;
		size_t comma = 0, tab = 0, semicolon = 0;
		int quoted = 0;
		for (size_t i = start; i < end; i++) {
			quoted ^= buf[i] == '"';
			if (!quoted)
				comma += buf[i] == ',', tab += buf[i] == '\t', semicolon += buf[i] == ';';
		}
		if (end > start && buf[start] != '#')
			return comma >= tab && comma >= semicolon ? ',' : tab >= semicolon ? '\t' : ';';
		start = end + 1;
	}
	return at_end ? ',' : 0;
}

static int accept_text(void *ctx, const char *utf8, size_t n);

struct series_reader *series_reader_new(void)
{
	struct series_reader *se = calloc(1, sizeof *se);
	if (se == NULL)
		return NULL;
	if (csv_init(&se->csv, CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
		free(se);
		return NULL;
	}
	if ((se->decoder = decode_new(accept_text, se)) == NULL) {
		csv_free(&se->csv);
		free(se);
		return NULL;
	}
	return se;
}

void series_reader_free(struct series_reader *se)
{
	if (se == NULL)
		return;
	csv_free(&se->csv);
	decode_free(se->decoder);
	free(se->read);
	free(se->values);
	free(se->pending);
	free(se);
}

static void parse(struct series_reader *se, const char *buf, size_t n)
{
	if (csv_parse(&se->csv, buf, n, on_field, on_record, se) != n && se->error[0] == '\0')
		snprintf(se->error, sizeof se->error, "CSV error: %s",
			 csv_strerror(csv_error(&se->csv)));
}

/* Sets the delimiter once a line shows it, and parses what was held. */
static void start(struct series_reader *se, char delimiter)
{
	se->delimiter = delimiter;
	se->semicolons = delimiter == ';';
	csv_set_delim(&se->csv, (unsigned char)delimiter);
	parse(se, se->pending, se->npending);
	free(se->pending);
	se->pending = NULL;
	se->npending = 0;
}

/* The decoder's UTF-8 (its byte order mark taken off, UTF-16 turned). */
static int accept_text(void *ctx, const char *buf, size_t n)
{
	struct series_reader *se = ctx;
	if (se->error[0])
		return -1;
	if (se->delimiter) {
		parse(se, buf, n);
		return se->error[0] ? -1 : 0;
	}
	char *held = realloc(se->pending, se->npending + n + 1);
	if (held == NULL) {
		snprintf(se->error, sizeof se->error, "out of memory");
		return -1;
	}
	memcpy(held + se->npending, buf, n);
	se->pending = held;
	se->npending += n;
	char delimiter = delimiter_of(se->pending, se->npending, 0);
	if (delimiter)
		start(se, delimiter);
	return se->error[0] ? -1 : 0;
}

/* A decoding failure in words, unless the sink stopped it with its own. */
static void decoding_failed(struct series_reader *se)
{
	if (se->error[0] == '\0')
		snprintf(se->error, sizeof se->error, "not UTF-8 or UTF-16 text: %s",
			 decode_error(se->decoder));
}

int series_reader_feed(struct series_reader *se, const char *buf, size_t n)
{
	if (se->error[0])
		return -1;
	if (decode_feed(se->decoder, buf, n) != 0)
		decoding_failed(se);
	return se->error[0] ? -1 : 0;
}

int series_reader_finish(struct series_reader *se, struct series *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	if (!se->error[0] && decode_finish(se->decoder) != 0)
		decoding_failed(se);
	if (!se->delimiter && !se->error[0])
		start(se, delimiter_of(se->pending, se->npending, 1));
	if (!se->error[0])
		csv_fini(&se->csv, on_field, on_record, se);
	if (!se->error[0] && se->columns == 0)
		snprintf(se->error, sizeof se->error, "no input: expected a header and rows");
	if (!se->error[0])
		read_held_values(se);
	if (!se->error[0] && se->columns == 2)
		if (resolve_slashed_days(se) == 0)
			sort_by_date(se);
	if (!se->error[0])
		drop_trailing_missing(se);
	if (!se->error[0] && spread(se) != 0 && !se->error[0])
		snprintf(se->error, sizeof se->error, "out of memory");
	int workdays = se->error[0] || se->columns != 2 ? 0 : keep_working_days(se);
	if (se->error[0]) {
		snprintf(why, whylen, "%s", se->error);
		return -1;
	}
	*out = (struct series){ .values = se->values, .n = se->n, .dated = se->columns == 2,
				.spacing = se->spacing, .first_day = se->first_day,
				.workdays = workdays, .notes = se->notes };
	se->values = NULL; /* the caller's now */
	se->n = 0;
	return 0;
}

void series_free(struct series *s)
{
	free(s->values);
	s->values = NULL;
	s->n = 0;
}
