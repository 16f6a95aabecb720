#include "events.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const event_names[EVENT__MAX] = {
	"new_year", "valentines_day", "mothers_day", "black_friday", "cyber_monday", "christmas",
	"boxing_day", "prime_day",
};

enum rule_kind { RULE_NONE, RULE_YEARLY, RULE_NTH };

/* A yearly rule: month/mday, or the nth weekday (0 Sunday) of month
 * (nth -1: the last), moved by offset days; each occurrence days long. */
struct event_rule {
	enum rule_kind kind;
	int month, mday, nth, weekday, offset, days;
};

struct event_def {
	char name[EVENT_NAME_MAX];
	struct event_rule rule;
};

struct event_dated { /* one dated occurrence */
	int event;
	long first; /* day number */
	int days;
};

struct event_calendar {
	int nevents;
	struct event_def events[EVENT_CALENDAR_MAX];
	size_t ndated, cap; /* cap 0: dated is not owned (the built-in's table) */
	struct event_dated *dated;
};

/* Amazon Prime Day's past dates (2017's began the evening before). */
static struct event_dated builtin_dated[] = {
	{ EVENT_PRIME_DAY, 16631, 1 }, /* 2015-07-15 */
	{ EVENT_PRIME_DAY, 16994, 1 }, /* 2016-07-12 */
	{ EVENT_PRIME_DAY, 17358, 1 }, /* 2017-07-11 */
	{ EVENT_PRIME_DAY, 17728, 2 }, /* 2018-07-16..17 */
	{ EVENT_PRIME_DAY, 18092, 2 }, /* 2019-07-15..16 */
	{ EVENT_PRIME_DAY, 18548, 2 }, /* 2020-10-13..14 */
	{ EVENT_PRIME_DAY, 18799, 2 }, /* 2021-06-21..22 */
	{ EVENT_PRIME_DAY, 19185, 2 }, /* 2022-07-12..13 */
	{ EVENT_PRIME_DAY, 19549, 2 }, /* 2023-07-11..12 */
	{ EVENT_PRIME_DAY, 19920, 2 }, /* 2024-07-16..17 */
	{ EVENT_PRIME_DAY, 20277, 4 }, /* 2025-07-08..11 */
};

#define YEARLY(m, d) { RULE_YEARLY, m, d, 0, 0, 0, 1 }
#define NTH(n, wd, m, off) { RULE_NTH, m, 0, n, wd, off, 1 }

static const struct event_calendar builtin = {
	EVENT__MAX,
	{
		{ "new_year", YEARLY(1, 1) },
		{ "valentines_day", YEARLY(2, 14) },
		{ "mothers_day", NTH(2, 0, 5, 0) },     /* second Sunday of May */
		{ "black_friday", NTH(4, 4, 11, 1) },   /* fourth Thursday of November + 1 */
		{ "cyber_monday", NTH(4, 4, 11, 4) },   /* Black Friday + 3 */
		{ "christmas", YEARLY(12, 25) },
		{ "boxing_day", YEARLY(12, 26) },
		{ "prime_day", { RULE_NONE, 0, 0, 0, 0, 0, 0 } },
	},
	sizeof builtin_dated / sizeof builtin_dated[0], 0, builtin_dated,
};

const struct event_calendar *event_calendar_builtin(void)
{
	return &builtin;
}

struct event_calendar *event_calendar_new(void)
{
	struct event_calendar *cal = malloc(sizeof *cal);
	if (cal == NULL)
		return NULL;
	*cal = builtin;
	cal->cap = builtin.ndated + 16;
	cal->dated = malloc(cal->cap * sizeof *cal->dated);
	if (cal->dated == NULL) {
		free(cal);
		return NULL;
	}
	memcpy(cal->dated, builtin.dated, builtin.ndated * sizeof *cal->dated);
	return cal;
}

void event_calendar_free(struct event_calendar *cal)
{
	if (cal == NULL)
		return;
	if (cal->cap > 0)
		free(cal->dated);
	free(cal);
}

int event_calendar_count(const struct event_calendar *cal)
{
	return (cal ? cal : &builtin)->nevents;
}

const char *event_calendar_name(const struct event_calendar *cal, int e)
{
	cal = cal ? cal : &builtin;
	return e >= 0 && e < cal->nevents ? cal->events[e].name : "";
}

int event_calendar_find(const struct event_calendar *cal, const char *name)
{
	cal = cal ? cal : &builtin;
	for (int e = 0; e < cal->nevents; e++)
		if (strcmp(cal->events[e].name, name) == 0)
			return e;
	return -1;
}

/* --- dates ------------------------------------------------------------------- */

/* Day number of a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static long day_number(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static long year_of(long day)
{
	day += 719468;
	long era = (day >= 0 ? day : day - 146096) / 146097;
	long doe = day - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

static int weekday_of(long day) /* 0 Sunday; day 0 was a Thursday */
{
	long w = (day + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static int days_in_month(long y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : len[m - 1];
}

/* The first day of the rule's occurrence in year y, or 0 with *ok = 0
 * when there is none that year (a 29 February, a fifth Monday). */
static long rule_start(const struct event_rule *r, long y, int *ok)
{
	*ok = 0;
	int dim = days_in_month(y, r->month);
	if (r->kind == RULE_YEARLY) {
		if (r->mday > dim)
			return 0;
		*ok = 1;
		return day_number(y, r->month, r->mday);
	}
	int mday;
	if (r->nth > 0) {
		int w1 = weekday_of(day_number(y, r->month, 1));
		mday = 1 + (r->weekday - w1 + 7) % 7 + 7 * (r->nth - 1);
	} else {
		int wl = weekday_of(day_number(y, r->month, dim));
		mday = dim - (wl - r->weekday + 7) % 7;
	}
	if (mday > dim)
		return 0;
	*ok = 1;
	return day_number(y, r->month, mday) + r->offset;
}

int event_calendar_on(const struct event_calendar *cal, long day, int *index)
{
	cal = cal ? cal : &builtin;
	long y = year_of(day);
	/* When events share a day the first defined counts: the least index
	 * among the rules and the dated occurrences that match, found in one
	 * pass over each (not the dated ones once per event: calendar files
	 * can hold years of them). */
	int found = -1, at = 0;
	for (int e = 0; e < cal->nevents && found < 0; e++) {
		const struct event_rule *r = &cal->events[e].rule;
		if (r->kind == RULE_NONE)
			continue;
		/* An offset or a long event may cross into another year. */
		for (long yy = y - 1; yy <= y + 1 && found < 0; yy++) {
			int ok;
			long start = rule_start(r, yy, &ok);
			if (ok && day >= start && day < start + r->days)
				found = e, at = (int)(day - start);
		}
	}
	for (size_t i = 0; i < cal->ndated; i++) {
		const struct event_dated *o = &cal->dated[i];
		if ((found < 0 || o->event < found) && day >= o->first && day < o->first + o->days)
			found = o->event, at = (int)(day - o->first);
	}
	if (found >= 0 && index)
		*index = at;
	return found;
}

int event_on(long day)
{
	return event_calendar_on(&builtin, day, NULL);
}

/* --- calendar files ---------------------------------------------------------- */

#define MAX_FIELDS 8

/* Splits line at commas into trimmed fields (in buf); returns their count,
 * or -1 when there are too many. */
static int split(const char *line, char *buf, size_t buflen, char *field[MAX_FIELDS])
{
	snprintf(buf, buflen, "%s", line);
	int n = 0;
	char *p = buf;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (n == MAX_FIELDS)
			return -1;
		field[n++] = p;
		char *comma = strchr(p, ',');
		char *end = comma ? comma : p + strlen(p);
		char *last = end;
		while (last > p && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\r'))
			last--;
		*last = '\0';
		if (comma == NULL)
			return n;
		p = comma + 1;
	}
}

static int valid_name(const char *s)
{
	size_t len = strlen(s);
	return len > 0 && len < EVENT_NAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

/* A whole decimal number from lo to hi. */
static int number(const char *s, long lo, long hi, long *out)
{
	char *end;
	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" (years 1900-2199) to a day number. */
static int parse_date(const char *s, long *day)
{
	long y, m, d;
	char ys[5], ms[3], ds[3];
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(ys, s, 4), ys[4] = '\0';
	memcpy(ms, s + 5, 2), ms[2] = '\0';
	memcpy(ds, s + 8, 2), ds[2] = '\0';
	if (strspn(ys, "0123456789") != 4 || strspn(ms, "0123456789") != 2 ||
	    strspn(ds, "0123456789") != 2 || number(ys, 1900, 2199, &y) || number(ms, 1, 12, &m) ||
	    number(ds, 1, days_in_month(y, (int)m), &d))
		return -1;
	*day = day_number(y, (int)m, (int)d);
	return 0;
}

static int parse_weekday(const char *s)
{
	static const char *const names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	for (int i = 0; i < 7; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The event named name, added when new; -1 when the calendar is full. */
static int event_slot(struct event_calendar *cal, const char *name)
{
	int e = event_calendar_find(cal, name);
	if (e >= 0 || cal->nevents == EVENT_CALENDAR_MAX)
		return e;
	e = cal->nevents;
	memset(&cal->events[e], 0, sizeof cal->events[e]);
	snprintf(cal->events[e].name, sizeof cal->events[e].name, "%s", name);
	return e;
}

static int add_dated(struct event_calendar *cal, const char *name, long first, int days,
		     char *err, size_t errlen)
{
	if (cal->ndated == cal->cap) {
		size_t cap = cal->cap * 2;
		struct event_dated *d = realloc(cal->dated, cap * sizeof *d);
		if (d == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		cal->dated = d;
		cal->cap = cap;
	}
	int e = event_slot(cal, name);
	if (e < 0) {
		snprintf(err, errlen, "too many events (at most %d)", EVENT_CALENDAR_MAX);
		return -1;
	}
	cal->nevents += e == cal->nevents;
	cal->dated[cal->ndated++] = (struct event_dated){ e, first, days };
	return 0;
}

static int set_rule(struct event_calendar *cal, const char *name, const struct event_rule *r,
		    char *err, size_t errlen)
{
	int e = event_slot(cal, name);
	if (e < 0) {
		snprintf(err, errlen, "too many events (at most %d)", EVENT_CALENDAR_MAX);
		return -1;
	}
	cal->nevents += e == cal->nevents;
	cal->events[e].rule = *r;
	return 0;
}

static int disable(struct event_calendar *cal, const char *name, char *err, size_t errlen)
{
	int e = event_calendar_find(cal, name);
	if (e < 0) {
		snprintf(err, errlen, "disable: no event named '%s' so far", name);
		return -1;
	}
	cal->events[e].rule.kind = RULE_NONE;
	size_t k = 0;
	for (size_t i = 0; i < cal->ndated; i++)
		if (cal->dated[i].event != e)
			cal->dated[k++] = cal->dated[i];
	cal->ndated = k;
	return 0;
}

/* A `date` line: one occurrence, first[,last] day. */
static int apply_date(struct event_calendar *cal, char **f, int n, char *err, size_t errlen)
{
	long first, last;
	if (parse_date(f[2], &first) != 0) {
		snprintf(err, errlen, "bad date '%.40s' (expected YYYY-MM-DD)", f[2]);
		return -1;
	}
	last = first;
	if (n == 4 && parse_date(f[3], &last) != 0) {
		snprintf(err, errlen, "bad date '%.40s' (expected YYYY-MM-DD)", f[3]);
		return -1;
	}
	if (last < first || last - first >= EVENT_DAYS_MAX) {
		snprintf(err, errlen, "the last day must be on or after the first, and at most %d "
			 "days in all", EVENT_DAYS_MAX);
		return -1;
	}
	return add_dated(cal, f[1], first, (int)(last - first + 1), err, errlen);
}

/* An event's length in days from field `text`, 1 to EVENT_DAYS_MAX. */
static int parse_days(const char *text, long *days, char *err, size_t errlen)
{
	if (number(text, 1, EVENT_DAYS_MAX, days) == 0)
		return 0;
	snprintf(err, errlen, "bad length '%.40s' (days, 1-%d)", text, EVENT_DAYS_MAX);
	return -1;
}

/* A `yearly` line's rule: MM-DD[,DAYS]. */
static int parse_yearly(char **f, int n, struct event_rule *r, char *err, size_t errlen)
{
	long m = 0, d = 0, days = 1;
	char ms[3] = { f[2][0], f[2][0] ? f[2][1] : '\0', '\0' }, ds[3] = { 0 };
	int ok = strlen(f[2]) == 5 && f[2][2] == '-' && strspn(ms, "0123456789") == 2;
	if (ok) {
		memcpy(ds, f[2] + 3, 2);
		ok = strspn(ds, "0123456789") == 2 && number(ms, 1, 12, &m) == 0 &&
		     number(ds, 1, days_in_month(2000, (int)m), &d) == 0;
	}
	if (!ok) {
		snprintf(err, errlen, "bad day '%.40s' (expected MM-DD)", f[2]);
		return -1;
	}
	if (n == 4 && parse_days(f[3], &days, err, errlen) != 0)
		return -1;
	*r = (struct event_rule){ RULE_YEARLY, 0, 0, 0, 0, 0, 1 };
	r->month = (int)m, r->mday = (int)d, r->days = (int)days;
	return 0;
}

/* An `nth` line's rule: N,WEEKDAY,MONTH[,OFFSET[,DAYS]]. */
static int parse_nth(char **f, int n, struct event_rule *r, char *err, size_t errlen)
{
	long v, days = 1;
	*r = (struct event_rule){ RULE_NTH, 0, 0, 0, 0, 0, 1 };
	if (number(f[2], -1, 5, &v) != 0 || v == 0) {
		snprintf(err, errlen, "bad N '%.40s' (1-5, or -1 for the last)", f[2]);
		return -1;
	}
	r->nth = (int)v;
	if ((r->weekday = parse_weekday(f[3])) < 0) {
		snprintf(err, errlen, "bad weekday '%.40s' (mon, tue, wed, thu, fri, sat or sun)", f[3]);
		return -1;
	}
	if (number(f[4], 1, 12, &v) != 0) {
		snprintf(err, errlen, "bad month '%.40s' (1-12)", f[4]);
		return -1;
	}
	r->month = (int)v;
	if (n >= 6 && number(f[5], -31, 31, &v) != 0) {
		snprintf(err, errlen, "bad offset '%.40s' (days, -31 to 31)", f[5]);
		return -1;
	}
	r->offset = n >= 6 ? (int)v : 0;
	if (n == 7 && parse_days(f[6], &days, err, errlen) != 0)
		return -1;
	r->days = (int)days;
	return 0;
}

/* The line kinds: keyword, fields (with the keyword), usage. */
static const struct line_form {
	const char *kw;
	int min, max;
	const char *usage;
} line_forms[] = {
	{ "date", 3, 4, "date,NAME,YYYY-MM-DD[,YYYY-MM-DD]" },
	{ "yearly", 3, 4, "yearly,NAME,MM-DD[,DAYS]" },
	{ "nth", 5, 7, "nth,NAME,N,WEEKDAY,MONTH[,OFFSET[,DAYS]]" },
	{ "disable", 2, 2, "disable,NAME" },
};

int event_calendar_apply_line(struct event_calendar *cal, const char *line, char *err,
			      size_t errlen)
{
	char buf[256], *f[MAX_FIELDS];
	if (strlen(line) >= sizeof buf) {
		snprintf(err, errlen, "line too long (at most %zu characters)", sizeof buf - 1);
		return -1;
	}
	int n = split(line, buf, sizeof buf, f);
	if (n < 0) {
		snprintf(err, errlen, "too many fields");
		return -1;
	}
	const struct line_form *form = NULL;
	for (size_t i = 0; i < sizeof line_forms / sizeof line_forms[0] && form == NULL; i++)
		if (strcmp(line_forms[i].kw, f[0]) == 0)
			form = &line_forms[i];
	if (form == NULL) {
		snprintf(err, errlen, "unknown keyword '%.40s' (expected date, yearly, nth or disable)",
			 f[0]);
		return -1;
	}
	if (n < form->min || n > form->max) {
		snprintf(err, errlen, "%s takes %d to %d fields (%s), got %d", form->kw, form->min,
			 form->max, form->usage, n);
		return -1;
	}
	if (!valid_name(f[1])) {
		snprintf(err, errlen, "bad event name '%.40s' (1-%d of a-z, 0-9, _)", f[1],
			 EVENT_NAME_MAX - 1);
		return -1;
	}
	if (strcmp(form->kw, "disable") == 0)
		return disable(cal, f[1], err, errlen);
	if (strcmp(form->kw, "date") == 0)
		return apply_date(cal, f, n, err, errlen);
	struct event_rule r;
	int rc = strcmp(form->kw, "yearly") == 0 ? parse_yearly(f, n, &r, err, errlen)
						 : parse_nth(f, n, &r, err, errlen);
	return rc != 0 ? -1 : set_rule(cal, f[1], &r, err, errlen);
}

int event_calendar_apply_text(struct event_calendar *cal, const char *text, size_t len,
			      const char *source, char *err, size_t errlen)
{
	size_t pos = 0;
	for (int line = 1; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, linelen = end - pos;
		char buf[256], why[200];
		if (linelen >= sizeof buf) {
			snprintf(err, errlen, "%s:%d: line too long (at most %zu characters)", source, line,
				 sizeof buf - 1);
			return -1;
		}
		memcpy(buf, text + pos, linelen);
		buf[linelen] = '\0';
		pos = end + 1;
		if (strlen(buf) != linelen) {
			snprintf(err, errlen, "%s:%d: a NUL byte (not a text file?)", source, line);
			return -1;
		}
		const char *p = buf + strspn(buf, " \t\r");
		if (*p == '\0' || *p == '#')
			continue;
		if (event_calendar_apply_line(cal, p, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s:%d: %s", source, line, why);
			return -1;
		}
	}
	return 0;
}

void event_calendar_span(const struct event_calendar *cal, long first_day, size_t n, int *event,
			 int *index)
{
	cal = cal ? cal : &builtin;
	for (size_t t = 0; t < n; t++)
		event[t] = -1, index[t] = 0;
	if (n == 0)
		return;
	long last_day = first_day + (long)n - 1;
	/* Rules in the calendar's order, each year's occurrence in turn: a day
	 * keeps the first that claims it, as event_calendar_on takes the least
	 * index and, within one, the earliest year. An offset of at most a
	 * month and 14 days keep an occurrence within a year of its own. */
	for (int e = 0; e < cal->nevents; e++) {
		const struct event_rule *r = &cal->events[e].rule;
		if (r->kind == RULE_NONE)
			continue;
		for (long yy = year_of(first_day) - 1; yy <= year_of(last_day) + 1; yy++) {
			int ok;
			long start = rule_start(r, yy, &ok);
			for (long d = start; ok && d < start + r->days; d++)
				if (d >= first_day && d <= last_day && event[d - first_day] < 0)
					event[d - first_day] = e, index[d - first_day] = (int)(d - start);
		}
	}
	for (size_t i = 0; i < cal->ndated; i++) {
		const struct event_dated *o = &cal->dated[i];
		for (long d = o->first; d < o->first + o->days; d++) {
			if (d < first_day || d > last_day)
				continue;
			int *on = &event[d - first_day];
			if (*on < 0 || o->event < *on)
				*on = o->event, index[d - first_day] = (int)(d - o->first);
		}
	}
}

/* --- effects ----------------------------------------------------------------- */

void events_estimate(const struct event_calendar *cal, const double *y, const double *baseline,
		     size_t n, long first_day, struct event_effects *out)
{
	cal = cal ? cal : &builtin;
	memset(out, 0, sizeof *out);
	out->nevents = cal->nevents;
	/* Log ratios with a small offset (1% of the mean), so that zero days
	 * and zero predictions have one. */
	double mean = 0;
	size_t observed = 0;
	for (size_t t = 0; t < n; t++)
		if (isfinite(y[t]) && isfinite(baseline[t]))
			mean += fabs(y[t]), observed++;
	double offset = observed ? 0.01 * mean / (double)observed + 1e-9 : 1;
	double sum[EVENT_CALENDAR_MAX][EVENT_DAYS_MAX] = { { 0 } };
	int count[EVENT_CALENDAR_MAX][EVENT_DAYS_MAX] = { { 0 } };
	double ordinary = 0, ordinary_sq = 0;
	size_t ordinary_n = 0;
	enum { CHUNK = 256 }; /* days whose events are looked up at once */
	int event[CHUNK], index[CHUNK];
	for (size_t t = 0; t < n; t++) {
		if (t % CHUNK == 0)
			event_calendar_span(cal, first_day + (long)t, n - t < CHUNK ? n - t : CHUNK,
					    event, index);
		if (!isfinite(y[t]) || !isfinite(baseline[t]) || y[t] < 0 || baseline[t] < 0)
			continue;
		double r = log((y[t] + offset) / (baseline[t] + offset));
		int j = index[t % CHUNK], e = event[t % CHUNK];
		if (e >= 0) {
			sum[e][j] += r;
			count[e][j]++;
			out->occurrences[e]++;
		} else {
			ordinary += r, ordinary_sq += r * r, ordinary_n++;
		}
	}
	double noise = ordinary_n > 1 ? (ordinary_sq - ordinary * ordinary / (double)ordinary_n) /
					    (double)(ordinary_n - 1)
				      : INFINITY;
	for (int e = 0; e < cal->nevents; e++) {
		for (int j = 0; j < EVENT_DAYS_MAX; j++)
			out->factor[e][j] = 1;
		int k = out->occurrences[e];
		if (k == 0 || !isfinite(noise))
			continue;
		double total = 0;
		for (int j = 0; j < EVENT_DAYS_MAX; j++)
			total += sum[e][j];
		double d = total / k, evidence = d * d + noise / k;
		/* No difference and no noise (a constant series): no effect. */
		double pooled = evidence > 0 ? d * d * d / evidence : 0;
		/* tau^2: the spread of the days' means beyond their noise. */
		double spread = 0, expected = 0;
		int days = 0;
		for (int j = 0; j < EVENT_DAYS_MAX; j++) {
			if (count[e][j] == 0)
				continue;
			double dj = sum[e][j] / count[e][j];
			spread += (dj - d) * (dj - d);
			expected += noise / count[e][j];
			days++;
		}
		double tau2 = days > 1 ? (spread - expected) / days : 0;
		tau2 = tau2 > 0 ? tau2 : 0;
		for (int j = 0; j < EVENT_DAYS_MAX; j++) {
			double effect = pooled;
			if (count[e][j] > 0 && tau2 > 0) {
				double dj = sum[e][j] / count[e][j];
				effect += tau2 / (tau2 + noise / count[e][j]) * (dj - d);
			}
			out->factor[e][j] = exp(effect);
		}
	}
}
