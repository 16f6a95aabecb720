#include "cron.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const field_names[5] = { "minute", "hour", "day of month", "month",
					    "day of week" };
static const int field_min[5] = { 0, 0, 1, 1, 0 };
static const int field_max[5] = { 59, 23, 31, 12, 7 };

static const char *const month_names[12] = { "jan", "feb", "mar", "apr", "may", "jun",
					     "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* A number or a name at *p; advances *p. Returns -1 when there is neither. */
static int value_at(const char **p, int field)
{
	if (isdigit((unsigned char)**p)) {
		int v = 0, n = 0;
		while (isdigit((unsigned char)**p) && n < 4) {
			v = v * 10 + (*(*p)++ - '0');
			n++;
		}
		return v;
	}
	const char *const *names = field == 3 ? month_names : field == 4 ? day_names : NULL;
	int count = field == 3 ? 12 : 7, base = field == 3 ? 1 : 0;
	for (int i = 0; names && i < count; i++)
		if (strncasecmp(*p, names[i], 3) == 0 && !isalpha((unsigned char)(*p)[3])) {
			*p += 3;
			return i + base;
		}
	return -1;
}

/* Parses one field into bits; returns 0 or -1 with why. */
static int parse_field(const char *text, int field, uint64_t *bits, int *restricted, char *why,
		       size_t whylen)
{
	const int lo = field_min[field], hi = field_max[field];
	*bits = 0;
	*restricted = strcmp(text, "*") != 0;
	const char *p = text;
	while (*p) {
		int a, b, step = 1;
		if (*p == '*') {
			a = lo, b = hi;
			p++;
		} else {
			if ((a = value_at(&p, field)) < 0) {
				snprintf(why, whylen, "'%s' is not a number%s", text,
					 field >= 3 ? " or a name" : "");
				return -1;
			}
			b = a;
			if (*p == '-') {
				p++;
				if ((b = value_at(&p, field)) < 0) {
					snprintf(why, whylen, "'%s' has a range without an end", text);
					return -1;
				}
			}
		}
		if (*p == '/') {
			p++;
			const char *s = p;
			step = value_at(&p, 0);
			if (step <= 0 || p == s) {
				snprintf(why, whylen, "'%s' has a bad step", text);
				return -1;
			}
			if (a == b && text[0] != '*') /* "5/15": from 5 to the end */
				b = hi;
		}
		if (a < lo || b > hi || a > b) {
			snprintf(why, whylen, "'%s' is out of range %d-%d", text, lo, hi);
			return -1;
		}
		for (int v = a; v <= b; v += step)
			*bits |= 1ULL << (field == 4 && v == 7 ? 0 : v);
		if (*p == ',') {
			p++;
			if (*p == '\0') {
				snprintf(why, whylen, "'%s' ends with a comma", text);
				return -1;
			}
		} else if (*p != '\0') {
			snprintf(why, whylen, "'%s' has an unexpected '%c'", text, *p);
			return -1;
		}
	}
	if (*bits == 0) {
		snprintf(why, whylen, "'%s' is empty", text);
		return -1;
	}
	return 0;
}

int cron_parse(const char *expr, struct cron *out, char *err, size_t errlen)
{
	char copy[256], *fields[6], *save = NULL;
	int n = 0;
	memset(out, 0, sizeof *out);
	snprintf(copy, sizeof copy, "%s", expr);
	for (char *f = strtok_r(copy, " \t", &save); f && n < 6; f = strtok_r(NULL, " \t", &save))
		fields[n++] = f;
	if (n != 5) {
		snprintf(err, errlen, "'%s' has %d field%s; a schedule has five: minute hour "
			 "day-of-month month day-of-week", expr, n, n == 1 ? "" : "s");
		return -1;
	}
	uint64_t bits[5];
	int restricted[5];
	for (int i = 0; i < 5; i++) {
		char why[200];
		if (parse_field(fields[i], i, &bits[i], &restricted[i], why, sizeof why) != 0) {
			snprintf(err, errlen, "field %d (%s): %s", i + 1, field_names[i], why);
			return -1;
		}
	}
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->days = (uint32_t)bits[2];
	out->months = (uint32_t)bits[3];
	out->weekdays = (uint8_t)bits[4];
	out->days_restricted = restricted[2];
	out->weekdays_restricted = restricted[4];
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m /* 1-12 */)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Day of week (0 Sunday) of a calendar date. */
static int weekday(int y, int m, int d)
{
	static const int t[12] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static int day_matches(const struct cron *c, int y, int m, int d)
{
	int dom = (c->days >> d) & 1, dow = (c->weekdays >> weekday(y, m, d)) & 1;
	if (c->days_restricted && c->weekdays_restricted)
		return dom || dow;
	return dom && dow;
}

/* The instant of a local wall-clock minute: (time_t)-1 when daylight
 * saving skips it; the first of the two when it happens twice. */
static time_t local_instant(int y, int mo, int d, int h, int mi)
{
	time_t best = (time_t)-1;
	for (int dst = 0; dst <= 1; dst++) {
		struct tm want = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
				   .tm_hour = h, .tm_min = mi, .tm_isdst = dst };
		time_t t = mktime(&want);
		struct tm got;
		if (t == (time_t)-1 || localtime_r(&t, &got) == NULL)
			continue;
		if (got.tm_year != y - 1900 || got.tm_mon != mo - 1 || got.tm_mday != d ||
		    got.tm_hour != h || got.tm_min != mi)
			continue; /* shifted: this wall-clock time does not exist */
		if (best == (time_t)-1 || t < best)
			best = t;
	}
	return best;
}

time_t cron_next(const struct cron *c, time_t after)
{
	time_t start = after + 60 - ((after % 60) + 60) % 60; /* the next whole minute */
	struct tm tm;
	localtime_r(&start, &tm);
	int y = tm.tm_year + 1900, mo = tm.tm_mon + 1, d = tm.tm_mday, h = tm.tm_hour, mi = tm.tm_min;
	int end_year = y + 5;
	/* Walk the local calendar field by field; convert candidates only. */
	while (y <= end_year) {
		if (!((c->months >> mo) & 1)) {
			mo++, d = 1, h = 0, mi = 0;
		} else if (d > month_days(y, mo)) {
			mo++, d = 1, h = 0, mi = 0;
		} else if (!day_matches(c, y, mo, d)) {
			d++, h = 0, mi = 0;
		} else if (!((c->hours >> h) & 1)) {
			h++, mi = 0;
		} else if (!((c->minutes >> mi) & 1)) {
			mi++;
		} else {
			time_t t = local_instant(y, mo, d, h, mi);
			if (t != (time_t)-1 && t > after)
				return t;
			mi++;
		}
		if (mi > 59)
			mi = 0, h++;
		if (h > 23)
			h = 0, d++;
		if (mo > 12)
			mo = 1, y++;
	}
	return (time_t)-1;
}

time_t cron_prev(const struct cron *c, time_t at, time_t lookback)
{
	time_t last = (time_t)-1, t = at - lookback - 1;
	for (int i = 0; i < 100000; i++) {
		t = cron_next(c, t);
		if (t == (time_t)-1 || t > at)
			break;
		last = t;
	}
	return last;
}

time_t cron_next_of(const char *expr, time_t after)
{
	struct cron c;
	char err[256];
	return cron_parse(expr, &c, err, sizeof err) == 0 ? cron_next(&c, after) : (time_t)-1;
}
