/*
 * mldash forecast: the forecasting engine on a series from standard input,
 * for analysts and for testing the engine from outside.
 */
#include <csv.h>
#include <ctype.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "cells.h"
#include "commands.h"
#include "dates.h"
#include "ets.h"
#include "forecast.h"
#include "log.h"

#define MAX_LEVELS 8
#define MAX_EVENT_FILES 16

static const char *const spacing_adjective[] = { "daily", "weekly", "monthly", "quarterly",
						 "yearly" };

struct series {
	double *values;
	long *days;     /* while reading dated input: each row's day number */
	long *day_first; /* the same read day/month/year where the row's date is
			    1/2/2024 (a spreadsheet's), NO_DAY where that is no date */
	int slashed;    /* rows with such a date, read month first into days */
	int *rows;      /* while reading dated input: each value's row */
	long first_day; /* dated input: the day number of the first value */
	size_t n, cap;
	int columns;         /* 1: value; 2: date,value; 0 until the header */
	int offset;          /* 1: a first column of row names (R, pandas) is skipped */
	enum date_spacing spacing; /* of the dates; values are one a unit */
	int row;             /* records seen, comments and header included */
	int field;           /* field index within the record */
	int filled;          /* 1 + the index of the record's last field with text */
	int last_terminator; /* of the previous record: '\r' then '\n' is one line end */
	int decimal_comma;   /* semicolon-separated: 1.234,5 is 1234.5 */
	char cell[4][64];    /* the record's first four fields */
	char header[128];    /* the header's fields, for an error naming them */
	char error[256];
};

static void on_field(void *s, size_t len, void *ctx)
{
	struct series *se = ctx;
	if (se->field < 4) {
		char *dst = se->cell[se->field];
		size_t n = len < 63 ? len : 63;
		memcpy(dst, s ? s : "", n);
		dst[n] = '\0';
		cell_trim(dst, dst, 64);
		if (se->row == 0 && se->field == 0 && strncmp(dst, "\xef\xbb\xbf", 3) == 0)
			memmove(dst, dst + 3, strlen(dst + 3) + 1); /* a UTF-8 byte order mark */
	}
	if (len > 0 && s != NULL && strspn(s, " \t") < len)
		se->filled = se->field + 1;
	se->field++;
}

#define NO_DAY LONG_MIN

static int push(struct series *se, double v, long day, long day_first)
{
	if (se->n == se->cap) {
		size_t cap = se->cap ? se->cap * 2 : 256;
		double *values = realloc(se->values, cap * sizeof *values);
		if (values == NULL)
			return -1;
		se->values = values;
		long *days = realloc(se->days, cap * sizeof *days);
		if (days == NULL)
			return -1;
		se->days = days;
		int *rows = realloc(se->rows, cap * sizeof *rows);
		if (rows == NULL)
			return -1;
		se->rows = rows;
		long *alt = realloc(se->day_first, cap * sizeof *alt);
		if (alt == NULL)
			return -1;
		se->day_first = alt;
		se->cap = cap;
	}
	se->values[se->n] = v;
	se->days[se->n] = day;
	se->day_first[se->n] = day_first;
	se->rows[se->n] = se->row;
	se->n++;
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

/* Whether the first line is a row of data rather than a header (a file
 * saved without one): its value a number and its date, if any, a date. */
static int header_is_data(const struct series *se)
{
	double v;
	char iso[11], why[200];
	const char *value = se->cell[se->offset + se->columns - 1];
	if (cell_parse_value(value, &v, why, sizeof why) != CELL_OK)
		return 0;
	return se->columns == 1 || series_day(se->cell[se->offset], iso, why, sizeof why) == CELL_OK;
}

/* The header: the layout of the columns, after comment lines ("#", GA4's
 * preamble). Returns 1 when the line is data after all. */
static int on_header(struct series *se, int filled)
{
	int named = filled; /* trailing empty columns (Excel) do not count */
	se->offset = named == 3 && se->cell[0][0] == '\0'; /* R's and pandas' row names */
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
	log_info("forecast: row %d is data, not a header: read as the first value", se->row);
	return 1;
}

/* One data row into the series. */
static void on_data(struct series *se, int fields, int filled)
{
	int needed = se->offset + se->columns;
	if (fields < needed || filled > needed) {
		snprintf(se->error, sizeof se->error, "row %d has %d fields, the header %d", se->row,
			 fields, needed);
		return;
	}
	double v = NAN;
	char why[200], *value = se->cell[needed - 1];
	if (se->decimal_comma) /* grouping points out, the decimal comma a point */
		for (char *r = value, *w = value;; r++)
			if (*r != '.' && (*w++ = *r == ',' ? '.' : *r) == '\0')
				break;
	size_t len = strlen(value);
	if (len > 1 && value[len - 1] == '%') /* a rate (CTR) in percent */
		value[len - 1] = '\0';
	/* Values may be negative (ROI), written by R or Python (1e+05, NA). */
	if (cell_parse_value(value, &v, why, sizeof why) == CELL_BAD) {
		snprintf(se->error, sizeof se->error, "row %d: %s", se->row, why);
		return;
	}
	long day = 0;
	if (se->columns == 2 && strncasecmp(se->cell[se->offset], "total", 5) == 0) {
		/* YouTube Studio's first row, Google Ads' "Total: Account" rows. */
		log_info("forecast: row %d is a total ('%s'): left out", se->row, se->cell[se->offset]);
		return;
	}
	long day_first = 0;
	if (se->columns == 2) {
		char iso[11];
		if (slashed_day(se->cell[se->offset], &day, &day_first) == 0) {
			se->slashed++;
		} else if (series_day(se->cell[se->offset], iso, why, sizeof why) == CELL_OK) {
			day = day_first = date_day_number(iso);
		} else {
			snprintf(se->error, sizeof se->error, "row %d: %s", se->row, why);
			return;
		}
	}
	if (push(se, v, day, day_first) != 0)
		snprintf(se->error, sizeof se->error, "out of memory");
}

static void on_record(int c, void *ctx)
{
	struct series *se = ctx;
	int fields = se->field, filled = se->filled;
	int crlf = fields == 0 && c == '\n' && se->last_terminator == '\r';
	se->last_terminator = c;
	se->field = se->filled = 0;
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
	on_data(se, fields, filled);
	memset(se->cell, 0, sizeof se->cell);
}

static int by_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

struct dated_value {
	long day;
	int row;
	double value;
};

static int by_day_then_row(const void *a, const void *b)
{
	const struct dated_value *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Dated rows in date order (exports list the newest first); two rows of
 * one date are refused, as which to keep is the user's call. Returns -1
 * with se->error set. */
static int sort_by_date(struct series *se)
{
	struct dated_value *v = malloc((se->n ? se->n : 1) * sizeof *v);
	if (v == NULL) {
		snprintf(se->error, sizeof se->error, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < se->n; i++)
		v[i] = (struct dated_value){ se->days[i], se->rows[i], se->values[i] };
	qsort(v, se->n, sizeof *v, by_day_then_row);
	for (size_t i = 0; i < se->n; i++) {
		if (i > 0 && v[i].day == v[i - 1].day) {
			int year, month, mday;
			date_civil(v[i].day, &year, &month, &mday);
			snprintf(se->error, sizeof se->error,
				 "rows %d and %d are both %04d-%02d-%02d: one value a date", v[i - 1].row,
				 v[i].row, year, month, mday);
			free(v);
			return -1;
		}
		se->days[i] = v[i].day, se->rows[i] = v[i].row, se->values[i] = v[i].value;
	}
	free(v);
	return 0;
}

/* Values a reading of 1/2/2024 leaves missing on its dates' grid (days,
 * weeks, months...): the fewer, the likelier the reading. SIZE_MAX for a
 * reading with two rows of one date. */
static size_t grid_gaps(const long *day, size_t n)
{
	long *sorted = malloc((n ? n : 1) * sizeof *sorted);
	if (sorted == NULL)
		return SIZE_MAX;
	memcpy(sorted, day, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, by_long);
	size_t gaps = SIZE_MAX;
	int distinct = 1;
	for (size_t i = 1; i < n; i++)
		distinct &= sorted[i] != sorted[i - 1];
	if (distinct && n > 0) {
		enum date_spacing spacing = date_spacing_of(sorted, n);
		gaps = (size_t)date_units_between(sorted[0], sorted[n - 1], spacing) + 1 - n;
	}
	free(sorted);
	return gaps;
}

/* Dates written 1/2/2024 read month first (as US spreadsheets write them)
 * or day first (as the rest of the world's do): the reading every row
 * allows; where both do, the one that leaves fewer values missing on its
 * grid (1/1 to 12/1 is a year of months, not twelve days), else month
 * first; said. Returns -1 with se->error. */
static int resolve_slashed_days(struct series *se)
{
	if (se->slashed == 0)
		return 0;
	size_t bad_month_first = 0, bad_day_first = 0, row_month = 0, row_day = 0;
	for (size_t i = 0; i < se->n; i++) {
		if (se->days[i] == NO_DAY && bad_month_first++ == 0)
			row_month = i;
		if (se->day_first[i] == NO_DAY && bad_day_first++ == 0)
			row_day = i;
	}
	if (bad_month_first && bad_day_first) {
		snprintf(se->error, sizeof se->error,
			 "rows %d and %d: dates read neither all month first nor all day first",
			 se->rows[row_month], se->rows[row_day]);
		return -1;
	}
	int day_first = bad_month_first > 0 ||
			(!bad_day_first && grid_gaps(se->day_first, se->n) < grid_gaps(se->days, se->n));
	if (day_first)
		memcpy(se->days, se->day_first, se->n * sizeof *se->days);
	log_info("forecast: dates like 1/2/2024 read %s", day_first ? "day first (1 February)"
								   : "month first (2 January)");
	return 0;
}

/* The series ends at its last value: rows after it without one (dates
 * filled in ahead, blank lines at the end) would put the forecast's first
 * step where no value is. */
static void drop_trailing_missing(struct series *se)
{
	size_t n = se->n;
	while (n > 0 && isnan(se->values[n - 1]))
		n--;
	if (n == se->n || n == 0)
		return;
	if (se->columns == 2) {
		int year, month, mday;
		date_civil(se->days[n - 1], &year, &month, &mday);
		log_info("forecast: the last %zu row(s) have no value: the series ends on "
			 "%04d-%02d-%02d", se->n - n, year, month, mday);
	} else {
		log_info("forecast: the last %zu value(s) are empty: the series ends before them",
			 se->n - n);
	}
	se->n = n;
}

/*
 * Dated values one a unit of their spacing (date_spacing_of: days, weeks,
 * months, quarters or years), the units the dates skip as missing values.
 * Why not always days: monthly values dated on the 1st would be a daily
 * series missing 29 days in 30, with a weekly season. The rows' days are
 * not needed after it: se->first_day keeps the first. Returns -1 when out
 * of memory.
 */
static int one_a_unit(struct series *se)
{
	se->spacing = date_spacing_of(se->days, se->n);
	long first = se->days[0];
	size_t units = (size_t)date_units_between(first, se->days[se->n - 1], se->spacing) + 1;
	double *values = malloc(units * sizeof *values);
	if (values == NULL)
		return -1;
	for (size_t u = 0; u < units; u++)
		values[u] = NAN;
	for (size_t i = 0; i < se->n; i++)
		values[date_units_between(first, se->days[i], se->spacing)] = se->values[i];
	free(se->values);
	free(se->days);
	se->values = values;
	se->days = NULL;
	se->first_day = first;
	se->n = se->cap = units;
	return 0;
}

/* Days mostly without a value are often weeks or months with one date
 * off their grid (the spacing needs every date on it), and a step is then
 * a day: said, as the forecast's steps and season are not what was meant. */
static void warn_sparse_days(const struct series *se)
{
	size_t missing = 0;
	for (size_t t = 0; t < se->n; t++)
		missing += isnan(se->values[t]);
	if (se->n >= 14 && 2 * missing > se->n)
		log_warn("forecast: %zu of the %zu days from the first date to the last have no "
			 "value: read as daily; weekly or monthly dates must all be a whole number of "
			 "weeks or months apart", missing, se->n);
}

/* The delimiter of the first line that is not a comment or blank: a comma,
 * or, on a line without one, a tab (TSV) or a semicolon (Europe's CSV,
 * R's write.csv2, whose decimal mark is then a comma). */
static char delimiter_of(const char *buf, size_t n)
{
	size_t start = 0;
	while (start < n) {
		size_t end = start;
		while (end < n && buf[end] != '\n')
			end++;
		size_t comma = 0, tab = 0, semicolon = 0;
		for (size_t i = start; i < end; i++)
			comma += buf[i] == ',', tab += buf[i] == '\t', semicolon += buf[i] == ';';
		int blank = end - start <= 1;
		if (!blank && buf[start] != '#')
			return comma || (!tab && !semicolon) ? ',' : tab >= semicolon ? '\t' : ';';
		start = end + 1;
	}
	return ',';
}

static int read_series(FILE *in, struct series *se)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
		return -1;
	char buf[65536];
	size_t n;
	for (int first = 1; (n = fread(buf, 1, sizeof buf, in)) > 0; first = 0) {
		if (first) {
			char delim = delimiter_of(buf, n);
			csv_set_delim(&p, (unsigned char)delim);
			se->decimal_comma = delim == ';';
		}
		if (csv_parse(&p, buf, n, on_field, on_record, se) != n)
			snprintf(se->error, sizeof se->error, "CSV error: %s", csv_strerror(csv_error(&p)));
	}
	csv_fini(&p, on_field, on_record, se);
	csv_free(&p);
	if (se->error[0])
		return -1;
	if (se->columns == 0) {
		snprintf(se->error, sizeof se->error, "no input: expected a header and rows");
		return -1;
	}
	if (se->columns == 2 && (resolve_slashed_days(se) != 0 || sort_by_date(se) != 0))
		return -1;
	drop_trailing_missing(se);
	if (se->columns == 2 && se->n > 0 && one_a_unit(se) != 0)
		snprintf(se->error, sizeof se->error, "out of memory");
	return se->error[0] ? -1 : 0;
}

static int parse_levels(const char *text, double *levels, int *nlevels)
{
	*nlevels = 0;
	char *copy = strdup(text), *save = NULL;
	if (copy == NULL)
		return -1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		double v = strtod(tok, &end);
		if (*end != '\0' || !(v > 0 && v < 100) || *nlevels == MAX_LEVELS) {
			free(copy);
			return -1;
		}
		/* Below 1, a fraction, as R's forecast() reads levels: 0.8 is 80%. */
		levels[(*nlevels)++] = v < 1 ? v : v / 100;
	}
	free(copy);
	return *nlevels > 0 ? 0 : -1;
}

struct forecast_args {
	int horizon, period, backtest, json, nonnegative, nlevels;
	int period_given; /* --period was given: else the dates' spacing's, or 7 */
	int ets_only; /* --method ets: the ETS model alone, not the combination */
	double levels[MAX_LEVELS];
	const char *events[MAX_EVENT_FILES]; /* --events FILE, applied in order */
	int nevents;
};

static int parse_args(int argc, char **argv, struct forecast_args *a)
{
	static const struct option options[] = {
		{ "horizon", required_argument, NULL, 'h' }, { "period", required_argument, NULL, 'p' },
		{ "levels", required_argument, NULL, 'l' },  { "backtest", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },	     { "nonnegative", no_argument, NULL, 'n' },
		{ "method", required_argument, NULL, 'm' },  { "events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	*a = (struct forecast_args){ .horizon = 14, .period = 7, .nlevels = 2,
				     .levels = { 0.80, 0.95 } };
	int opt;
	char *end;
	optind = 0; /* GNU getopt: 0 re-initialises it for this option string */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			a->horizon = (int)strtol(optarg, &end, 10);
			if (*end || a->horizon < 1 || a->horizon > 3650) {
				log_error("forecast: --horizon must be 1 to 3650, got '%s'", optarg);
				return -1;
			}
			break;
		case 'p':
			a->period = (int)strtol(optarg, &end, 10);
			if (*end || a->period < 1 || a->period > 64) {
				log_error("forecast: --period must be 1 to 64, got '%s'", optarg);
				return -1;
			}
			a->period_given = 1;
			break;
		case 'l':
			if (parse_levels(optarg, a->levels, &a->nlevels) != 0) {
				log_error("forecast: --levels must be up to %d percentages like 80,95 (or "
					  "fractions like 0.8,0.95), got '%s'", MAX_LEVELS, optarg);
				return -1;
			}
			break;
		case 'b': a->backtest = 1; break;
		case 'j': a->json = 1; break;
		case 'n': a->nonnegative = 1; break;
		case 'm':
			if (strcmp(optarg, "combined") != 0 && strcmp(optarg, "ets") != 0) {
				log_error("forecast: --method must be combined or ets, got '%s'", optarg);
				return -1;
			}
			a->ets_only = strcmp(optarg, "ets") == 0;
			break;
		case 'e':
			if (a->nevents == MAX_EVENT_FILES) {
				log_error("forecast: at most %d --events files", MAX_EVENT_FILES);
				return -1;
			}
			a->events[a->nevents++] = optarg;
			break;
		default: return -1;
		}
	}
	if (optind < argc) {
		log_error("forecast: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

static struct json_object *number_or_null(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static void print_csv(const struct forecast_args *a, const double *mean, const double *lo,
		      const double *hi)
{
	printf("step,forecast");
	for (int i = 0; i < a->nlevels; i++)
		printf(",lo%g,hi%g", a->levels[i] * 100, a->levels[i] * 100);
	printf("\n");
	for (int h = 0; h < a->horizon; h++) {
		printf("%d,%.10g", h + 1, mean[h]);
		for (int i = 0; i < a->nlevels; i++)
			printf(",%.10g,%.10g", lo[i * a->horizon + h], hi[i * a->horizon + h]);
		printf("\n");
	}
}

static void print_json(const struct forecast_args *a, const char *spacing, const char *method,
		       long fitted_from, const struct ets_summary *s, const double *mean,
		       const double *lo, const double *hi, const struct ets_backtest *bt)
{
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();
	/* What a step is, for dated input: "day", "week", "month", ... */
	if (spacing != NULL)
		json_object_object_add(o, "spacing", json_object_new_string(spacing));
	json_object_object_add(o, "period", json_object_new_int(a->period));
	json_object_object_add(o, "method", json_object_new_string(method));
	/* The first value the methods were fitted to: after a level shift. */
	json_object_object_add(o, "fitted_from", json_object_new_int64(fitted_from));
	json_object_object_add(m, "form", json_object_new_string(s->model));
	json_object_object_add(m, "alpha", json_object_new_double(s->alpha));
	json_object_object_add(m, "beta", json_object_new_double(s->beta));
	json_object_object_add(m, "gamma", json_object_new_double(s->gamma));
	json_object_object_add(m, "phi", json_object_new_double(s->phi));
	json_object_object_add(m, "loglik", json_object_new_double(s->loglik));
	json_object_object_add(m, "aicc", json_object_new_double(s->aicc));
	json_object_object_add(m, "sigma2", json_object_new_double(s->sigma2));
	json_object_object_add(m, "observations", json_object_new_int(s->n_obs));
	json_object_object_add(o, "model", m);
	struct json_object *rows = json_object_new_array();
	for (int h = 0; h < a->horizon; h++) {
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "step", json_object_new_int(h + 1));
		json_object_object_add(r, "forecast", json_object_new_double(mean[h]));
		for (int i = 0; i < a->nlevels; i++) {
			char key[16];
			snprintf(key, sizeof key, "lo%g", a->levels[i] * 100);
			json_object_object_add(r, key, json_object_new_double(lo[i * a->horizon + h]));
			snprintf(key, sizeof key, "hi%g", a->levels[i] * 100);
			json_object_object_add(r, key, json_object_new_double(hi[i * a->horizon + h]));
		}
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "forecast", rows);
	if (bt != NULL) {
		struct json_object *b = json_object_new_object();
		json_object_object_add(b, "origins", json_object_new_int(bt->origins));
		json_object_object_add(b, "smape", number_or_null(bt->smape));
		json_object_object_add(b, "mase", number_or_null(bt->mase));
		json_object_object_add(b, "naive_smape", number_or_null(bt->naive_smape));
		json_object_object_add(b, "naive_mase", number_or_null(bt->naive_mase));
		json_object_object_add(o, "backtest", b);
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

/* The calendar of dated input: the configuration's ([events], as the ML
 * sync reads it; the built-in retail calendar when none), then each
 * --events file over it. NULL with the error logged. */
static struct event_calendar *load_calendar(const struct mldash_config *cfg,
					    const struct forecast_args *a)
{
	struct event_calendar *cal;
	char err[1024];
	if (calendar_load(cfg, &cal, err, sizeof err) != 0) {
		log_error("forecast: %s", err);
		return NULL;
	}
	for (int i = 0; i < a->nevents; i++) {
		if (calendar_apply_file(cal, a->events[i], 1, err, sizeof err) != 0) {
			log_error("forecast: --events %s", err);
			event_calendar_free(cal);
			return NULL;
		}
	}
	return cal;
}

/* Why a series has no forecast, for the error line. */
static const char *no_forecast_reason(enum ets_status st)
{
	return st == ETS_NO_DATA     ? "it has no values"
	       : st == ETS_TOO_SHORT ? "too few values (at least 5)"
				     : "out of memory";
}

/* ETS alone (--method ets): its forecasts, summary and backtest. */
static int forecast_ets_only(const struct forecast_args *a, const struct series *se, double *mean,
			     double *lo, double *hi, struct ets_summary *s, struct ets_backtest *bt,
			     int *have_bt)
{
	struct ets_options opt;
	ets_options_default(&opt);
	opt.period = a->period;
	opt.nonnegative = a->nonnegative;
	enum ets_status st;
	struct ets_fit *fit = ets_fit(se->values, se->n, &opt, &st);
	if (fit == NULL) {
		log_error("forecast: the series cannot be modelled: %s", no_forecast_reason(st));
		return -1;
	}
	ets_summary(fit, s);
	int rc = ets_forecast(fit, a->horizon, a->levels, a->nlevels, mean, lo, hi);
	*have_bt = a->backtest && ets_backtest(se->values, se->n, &opt, fit, a->horizon, 4, 7, bt) == 0;
	ets_free(fit);
	if (rc != 0)
		log_error("forecast: out of memory");
	return rc;
}

int cmd_forecast(const struct mldash_config *cfg, int argc, char **argv)
{
	struct forecast_args a;
	if (parse_args(argc, argv, &a) != 0)
		return 2;
	struct series se = { 0 };
	struct event_calendar *calendar = NULL;
	double *mean = NULL;
	int rc = 2;
	if (read_series(stdin, &se) != 0) {
		log_error("forecast: %s", se.error);
		goto out;
	}
	int dated = se.columns == 2 && se.n > 0, daily = dated && se.spacing == SPACING_DAY;
	if (daily)
		warn_sparse_days(&se);
	if (dated && !a.period_given) /* a year of months has period 12, a week of days 7 */
		a.period = date_spacing_period(se.spacing);
	else if (dated && a.period != date_spacing_period(se.spacing))
		log_warn("forecast: --period %d on %s dates, whose season is usually %d", a.period,
			 spacing_adjective[se.spacing], date_spacing_period(se.spacing));
	/* The calendar's days count for daily input to the combined method;
	 * files named with --events are checked whatever the input. */
	if (((daily && !a.ets_only) || a.nevents > 0) && (calendar = load_calendar(cfg, &a)) == NULL)
		goto out;
	if (a.nevents > 0 && !daily)
		log_warn("forecast: --events ignored: calendar events are days, and the input is %s",
			 dated ? spacing_adjective[se.spacing] : "undated");
	else if (a.nevents > 0 && a.ets_only)
		log_warn("forecast: --events ignored: --method ets has no calendar events");
	rc = 1;
	mean = malloc(sizeof(double) * (size_t)a.horizon * (1 + 2 * MAX_LEVELS));
	if (mean == NULL) {
		log_error("forecast: out of memory");
		goto out;
	}
	double *lo = mean + a.horizon, *hi = lo + (size_t)a.horizon * MAX_LEVELS;
	struct ets_summary s;
	struct ets_backtest bt;
	struct forecast_info info = { .fitted_from = 0 };
	int have_bt;
	if (a.ets_only) {
		if (forecast_ets_only(&a, &se, mean, lo, hi, &s, &bt, &have_bt) != 0)
			goto out;
		snprintf(info.method, sizeof info.method, "%s", s.model);
	} else {
		struct forecast_options fo;
		forecast_options_default(&fo);
		fo.period = a.period;
		fo.daily = dated ? daily : -1; /* undated: a period of 7 is taken for days */
		fo.nonnegative = a.nonnegative;
		fo.first_day = daily ? se.first_day : -1; /* daily input: the calendar's events count */
		fo.calendar = calendar;
		enum ets_status st;
		if (forecast_series(se.values, se.n, &fo, a.horizon, a.levels, a.nlevels, mean, lo, hi,
				    &info, &st) != 0) {
			log_error("forecast: the series cannot be modelled: %s", no_forecast_reason(st));
			goto out;
		}
		s = info.ets; /* the ETS model the combination used (after a level shift, its fit) */
		bt = info.backtest;
		have_bt = a.backtest && info.have_backtest;
	}
	if (a.json) {
		print_json(&a, dated ? date_spacing_name(se.spacing) : NULL, info.method,
			   info.fitted_from, &s, mean, lo, hi, have_bt ? &bt : NULL);
	} else {
		print_csv(&a, mean, lo, hi);
		if (dated && se.spacing != SPACING_DAY)
			fprintf(stderr, "%s dates: a step is a %s, the period %d\n",
				spacing_adjective[se.spacing], date_spacing_name(se.spacing), a.period);
		fprintf(stderr, "method %s\n", info.method);
		if (info.fitted_from > 0)
			fprintf(stderr, "level shift: the methods fitted from value %ld of %zu\n",
				info.fitted_from + 1, se.n);
		fprintf(stderr, "model %s: alpha %.4f beta %.4f gamma %.4f phi %.4f; log-likelihood "
			"%.4f, AICc %.4f, sigma^2 %.6g, %d observations\n", s.model, s.alpha, s.beta,
			s.gamma, s.phi, s.loglik, s.aicc, s.sigma2, s.n_obs);
		if (a.backtest && !have_bt)
			fprintf(stderr, "backtest: the series is too short for a %d-step backtest\n",
				a.horizon);
		else if (have_bt)
			fprintf(stderr, "backtest (%d origins, horizon %d)\n"
				"method,smape,mase\n%s,%.3f,%.3f\nseasonal_naive,%.3f,%.3f\n",
				bt.origins, a.horizon, a.ets_only ? "ets" : "combined", bt.smape, bt.mase,
				bt.naive_smape, bt.naive_mase);
	}
	rc = 0;
out:
	free(mean);
	free(se.values);
	free(se.days);
	free(se.rows);
	free(se.day_first);
	event_calendar_free(calendar);
	return rc;
}
