#include "cells.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xa0;
}

size_t cell_trim(const char *cell, char *out, size_t outlen)
{
	const char *start = cell;
	/* U+00A0 (no-break space) arrives as C2 A0 in UTF-8. */
	for (;;) {
		if (is_blank((unsigned char)*start))
			start++;
		else if ((unsigned char)start[0] == 0xc2 && (unsigned char)start[1] == 0xa0)
			start += 2;
		else
			break;
	}
	size_t len = strlen(start);
	while (len > 0 && (is_blank((unsigned char)start[len - 1]) ||
			   ((unsigned char)start[len - 1] == 0xa0 && len >= 2 &&
			    (unsigned char)start[len - 2] == 0xc2))) {
		len -= (unsigned char)start[len - 1] == 0xa0 ? 2 : 1;
	}
	if (len >= outlen)
		len = outlen - 1;
	memmove(out, start, len); /* out may be cell itself */
	out[len] = '\0';
	return len;
}

/* Removes the currency symbols that spreadsheets put before amounts. */
static const char *skip_currency_symbol(const char *s)
{
	static const char *const symbols[] = { "$", "\xe2\x82\xac" /* € */, "\xc2\xa3" /* £ */,
					       "\xc2\xa5" /* ¥ */, "\xe2\x82\xb9" /* ₹ */ };
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		size_t n = strlen(symbols[i]);
		if (strncmp(s, symbols[i], n) == 0)
			return s + n;
	}
	return s;
}

/*
 * Copies the digits of s into digits, dropping thousands separators, which
 * must sit every three digits ("1,574,000.5"); anything else is refused.
 * Returns 0, or -1 when s is not a plain decimal.
 */
static int strip_grouping(const char *s, char *digits, size_t len)
{
	size_t n = 0;
	int in_fraction = 0, run = 0, groups = 0, seen_digit = 0;

	for (const char *p = s; *p; p++) {
		if (n + 2 >= len)
			return -1;
		if (isdigit((unsigned char)*p)) {
			digits[n++] = *p;
			run++;
			seen_digit = 1;
		} else if (*p == ',' && !in_fraction) {
			if (!seen_digit || (groups == 0 ? run > 3 : run != 3))
				return -1;
			groups++;
			run = 0;
		} else if (*p == '.' && !in_fraction) {
			if (groups > 0 && run != 3)
				return -1;
			in_fraction = 1;
			digits[n++] = '.';
			run = 0;
		} else {
			return -1;
		}
	}
	if (!seen_digit || (groups > 0 && !in_fraction && run != 3))
		return -1;
	digits[n] = '\0';
	return 0;
}

/* The value of a plain decimal ("1574.25"); exact enough for comparisons
 * and products: the text, not this value, is what gets stored. */
static double decimal_value(const char *digits)
{
	double v = 0, scale = 1;
	int fraction = 0;
	for (const char *p = digits; *p; p++) {
		if (*p == '.') {
			fraction = 1;
			continue;
		}
		v = v * 10 + (*p - '0');
		if (fraction)
			scale *= 10;
	}
	return v / scale;
}

enum cell_status cell_parse_number(const char *cell, int whole, struct cell_number *out,
				   char *why, size_t whylen)
{
	char text[128];
	cell_trim(cell, text, sizeof text);
	if (strlen(text) == sizeof text - 1) { /* cut: its end is not here to read */
		snprintf(why, whylen, "'%.40s...' is too long to be a number", text);
		return CELL_BAD;
	}
	if (text[0] == '\0' || (text[0] == '-' && (text[1] == '\0' || strcmp(text, "--") == 0)))
		return CELL_UNKNOWN;

	const char *s = text;
	int negative = 0;
	if (*s == '-') {
		negative = 1;
		s++;
	}
	s = skip_currency_symbol(s);
	char digits[CELL_NUMBER_MAX - 1]; /* room for a leading "0" */
	if (strip_grouping(s, digits, sizeof digits) != 0) {
		snprintf(why, whylen, "'%.60s' is not a number", text);
		return CELL_BAD;
	}
	double v = decimal_value(digits);
	if (v >= CELL_AMOUNT_LIMIT) {
		snprintf(why, whylen, "'%.60s' is too large", text);
		return CELL_BAD;
	}
	if (negative && v != 0) {
		snprintf(why, whylen, "'%.60s' is negative", text);
		return CELL_BAD;
	}
	char *dot = strchr(digits, '.');
	if (whole && dot != NULL) {
		if (dot[1 + strspn(dot + 1, "0")] != '\0') {
			snprintf(why, whylen, "'%.60s' is not a whole number", text);
			return CELL_BAD;
		}
		*dot = '\0'; /* "12.00" counts 12 */
	}
	/* Keep the text as written (exact for DECIMAL columns), minus grouping. */
	size_t len = strlen(digits);
	char *o = out->text;
	if (digits[0] == '.' || len == 0)
		*o++ = '0';
	memcpy(o, digits, len + 1);
	out->value = v;
	return CELL_OK;
}

/* A plain floating-point number: sign, digits, point and exponent only
 * (no hexadecimal, no "inf"), strtod's whole text. Returns 0, -1 when the
 * text is not one, -2 when it is beyond a double's range. */
static int plain_float(const char *text, double *out)
{
	if (text[0] == '\0' || text[strspn(text, "0123456789+-.eE")] != '\0')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (*end != '\0' || end == text)
		return -1;
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1))
		return -2;
	*out = v; /* an underflow is the nearest double, near enough zero */
	return 0;
}

enum cell_status cell_parse_value(const char *cell, double *out, char *why, size_t whylen)
{
	char text[128];
	cell_trim(cell, text, sizeof text);
	if (strlen(text) == sizeof text - 1) { /* cut: its end is not here to read */
		snprintf(why, whylen, "'%.40s...' is too long to be a number", text);
		return CELL_BAD;
	}
	static const char *const missing[] = { "NA", "NaN", "N/A", "#N/A", "null", "None" };
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
		if (strcasecmp(text, missing[i]) == 0)
			return CELL_UNKNOWN;
	int negative = text[0] == '-' && text[1] != '\0' && text[1] != '-';
	struct cell_number num;
	enum cell_status st = cell_parse_number(text + negative, 0, &num, why, whylen);
	if (st == CELL_OK) {
		*out = negative ? -num.value : num.value;
		return CELL_OK;
	}
	if (st != CELL_BAD)
		return st;
	int plain = plain_float(text, out);
	if (plain == 0)
		return CELL_OK;
	if (plain == -2)
		snprintf(why, whylen, "'%.60s' is beyond a double's range", text);
	return CELL_BAD;
}

int cell_is_total(const char *cell)
{
	return strncasecmp(cell, "total", 5) == 0;
}

void cell_format_amount(double value, struct cell_number *out)
{
	snprintf(out->text, sizeof out->text, "%.4f", value);
	out->value = value;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Matches an English month name or its abbreviation ("Sep", "Sept",
 * "September") at s; returns 1-12 and advances *s, or 0. */
static int parse_month_name(const char **s)
{
	static const char *const names[] = { "january", "february", "march", "april",
					     "may", "june", "july", "august",
					     "september", "october", "november", "december" };
	const char *p = *s;
	size_t len = 0;
	while (isalpha((unsigned char)p[len]))
		len++;
	if (len < 3)
		return 0;
	for (int i = 0; i < 12; i++) {
		size_t full = strlen(names[i]);
		if (len <= full && strncasecmp(p, names[i], len) == 0 &&
		    (len == 3 || len == full || (i == 8 && len == 4))) {
			*s = p + len;
			if (**s == '.')
				(*s)++;
			return i + 1;
		}
	}
	return 0;
}

static int parse_int(const char **s, int max_digits)
{
	int v = 0, n = 0;
	while (isdigit((unsigned char)**s) && n < max_digits) {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n == 0 ? -1 : v;
}

static void skip_spaces_commas(const char **s)
{
	while (**s == ' ' || **s == ',')
		(*s)++;
}

/* "YYYY-MM-DD" or "YYYY/MM/DD", optionally followed by a time. */
static int parse_iso(const char *s, int *y, int *m, int *d)
{
	const char *p = s;
	*y = parse_int(&p, 4);
	if (p - s != 4 || (*p != '-' && *p != '/'))
		return -1;
	char sep = *p++;
	*m = parse_int(&p, 2);
	if (*p++ != sep)
		return -1;
	*d = parse_int(&p, 2);
	if (*p == 'T' || *p == ' ')
		return isdigit((unsigned char)p[1]) ? 0 : -1;
	return *p == '\0' ? 0 : -1;
}

/* "Sep 2, 2025", "Tue, Sep 2, 2025", "2 September 2025", "2 Sep, 2025". */
static int parse_named(const char *s, int *y, int *m, int *d)
{
	const char *p = s;
	/* A leading weekday name is allowed and ignored. */
	const char *word = p;
	while (isalpha((unsigned char)*p))
		p++;
	if (p - word >= 3 && *p == ',' && parse_month_name(&word) == 0)
		skip_spaces_commas(&p);
	else
		p = s;

	if (isdigit((unsigned char)*p)) {
		*d = parse_int(&p, 2);
		skip_spaces_commas(&p);
		if ((*m = parse_month_name(&p)) == 0)
			return -1;
	} else {
		if ((*m = parse_month_name(&p)) == 0)
			return -1;
		skip_spaces_commas(&p);
		*d = parse_int(&p, 2);
	}
	const char *before = p;
	skip_spaces_commas(&p);
	if (p == before) /* "Sep 202025": the day and the year run together */
		return -1;
	const char *ys = p;
	*y = parse_int(&p, 4);
	return (p - ys == 4 && *p == '\0') ? 0 : -1;
}

enum cell_status cell_parse_day(const char *cell, char day[11], char *why, size_t whylen)
{
	return cell_parse_day_between(cell, 1990, 2100, day, why, whylen);
}

enum cell_status cell_parse_day_between(const char *cell, int first_year, int last_year,
					char day[11], char *why, size_t whylen)
{
	char text[64];
	cell_trim(cell, text, sizeof text);
	if (text[0] == '\0') {
		snprintf(why, whylen, "the date is empty");
		return CELL_BAD;
	}
	int y = -1, m = -1, d = -1;
	if (parse_iso(text, &y, &m, &d) != 0 && parse_named(text, &y, &m, &d) != 0) {
		snprintf(why, whylen, "'%.40s' is not a date (expected YYYY-MM-DD)", text);
		return CELL_BAD;
	}
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
		snprintf(why, whylen, "'%.40s' is not a valid date", text);
		return CELL_BAD;
	}
	if (y < first_year || y > last_year) {
		snprintf(why, whylen, "'%.40s' is outside the years %d to %d", text, first_year,
			 last_year);
		return CELL_BAD;
	}
	char text_day[32];
	snprintf(text_day, sizeof text_day, "%04d-%02d-%02d", y, m, d);
	memcpy(day, text_day, 11);
	return CELL_OK;
}
