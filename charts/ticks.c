#include "ticks.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The smallest nice step (1, 2, 2.5, 5 x 10^k) of at least raw. */
static double nice_step(double raw)
{
	double p = pow(10, floor(log10(raw))), m = raw / p;
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	for (int i = 0; i < 5; i++)
		if (m <= steps[i] * (1 + 1e-9))
			return steps[i] * p;
	return 10 * p;
}

int ticks_numeric(double *lo, double *hi, int max_ticks, double *out, int cap, double *step)
{
	if (max_ticks < 2)
		max_ticks = 2;
	if (!isfinite(*lo) || !isfinite(*hi)) {
		*lo = 0;
		*hi = 1;
	}
	if (*hi < *lo) {
		double t = *lo;
		*lo = *hi;
		*hi = t;
	}
	if (*hi - *lo < 1e-12 * (fabs(*hi) + 1)) { /* a flat range: open it around the value */
		double pad = fabs(*hi) > 0 ? fabs(*hi) * 0.5 : 1;
		*lo -= pad;
		*hi += pad;
	}
	double s = nice_step((*hi - *lo) / (max_ticks - 1));
	/* A step that gives too many ticks once the ends are rounded out: next one. */
	while (floor(*lo / s + 1e-9) * s + s * (max_ticks - 1) < *hi - 1e-9 * s)
		s = nice_step(s * 1.0001);
	double first = floor(*lo / s + 1e-9) * s, last = ceil(*hi / s - 1e-9) * s;
	int n = 0;
	for (double v = first; v <= last + s * 1e-6 && n < cap; v += s)
		out[n++] = fabs(v) < s * 1e-9 ? 0 : v;
	*lo = first;
	*hi = last;
	*step = s;
	return n;
}

/* Decimals needed to tell ticks step apart. */
static int decimals_for(double step)
{
	int d = 0;
	while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
		d++;
	return d;
}

void ticks_label(double v, double step, enum tick_style style, char *buf, size_t len)
{
	if (style == TICK_PERCENT) {
		snprintf(buf, len, "%.*f%%", decimals_for(step * 100), v * 100);
		return;
	}
	if (v == 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (style == TICK_SI) {
		static const struct {
			double scale;
			const char *suffix;
		} si[] = { { 1e12, "T" }, { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" } };
		double big = fabs(step) > fabs(v) ? fabs(step) : fabs(v);
		for (size_t i = 0; i < sizeof si / sizeof si[0]; i++) {
			if (big >= si[i].scale) {
				snprintf(buf, len, "%.*f%s", decimals_for(step / si[i].scale), v / si[i].scale,
					 si[i].suffix);
				return;
			}
		}
	}
	snprintf(buf, len, "%.*f", decimals_for(step), v);
}

static struct tm utc_of(long day)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm;
}

static long day_of(int year, int month /* 0-11 */)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month, .tm_mday = 1, .tm_hour = 12 };
	return (long)(timegm(&tm) / 86400);
}

/* The first days of every step-th month (counted from year 0) in
 * [first, last], from year/month on: written to out (up to cap) unless out
 * is NULL; returns how many there are (at most cap). */
static int month_starts(int year, int month, long first, long last, int step, long *out, int cap)
{
	int n = 0;
	for (int y = year, m = month; n < cap; m++) {
		if (m == 12)
			m = 0, y++;
		long d = day_of(y, m);
		if (d > last)
			break;
		if (d >= first && (y * 12 + m) % step == 0) {
			if (out != NULL)
				out[n] = d;
			n++;
		}
	}
	return n;
}

int ticks_dates(long first, long last, int max_ticks, long *out, int cap, enum date_unit *unit)
{
	if (max_ticks < 2)
		max_ticks = 2;
	long span = last - first + 1;
	static const int day_steps[] = { 1, 2, 7, 14 };
	for (int i = 0; i < 4; i++) {
		if (span / day_steps[i] + 1 <= max_ticks) {
			int n = 0;
			long start = first;
			if (day_steps[i] == 7 || day_steps[i] == 14) /* weeks start on Mondays */
				start = first + (7 - (first + 3) % 7) % 7; /* day 4 was a Monday */
			*unit = day_steps[i] >= 7 ? DATE_WEEK : DATE_DAY;
			for (long d = start; d <= last && n < cap; d += day_steps[i])
				out[n++] = d;
			return n;
		}
	}
	/* Months, quarters or years: starts of each within the range. */
	static const int month_steps[] = { 1, 2, 3, 6, 12, 24, 60 };
	struct tm a = utc_of(first);
	for (int i = 0; i < 7; i++) {
		int ms = month_steps[i];
		if (month_starts(a.tm_year + 1900, a.tm_mon, first, last, ms, NULL, INT_MAX) <= max_ticks || i == 6) {
			*unit = ms >= 12 ? DATE_YEAR : ms == 3 || ms == 6 ? DATE_QUARTER : DATE_MONTH;
			return month_starts(a.tm_year + 1900, a.tm_mon, first, last, ms, out, cap);
		}
	}
	return 0;
}

void ticks_date_label(long day, enum date_unit unit, char *buf, size_t len)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm = utc_of(day);
	switch (unit) {
	case DATE_DAY:
	case DATE_WEEK:
		snprintf(buf, len, "%s %d", months[tm.tm_mon], tm.tm_mday);
		break;
	case DATE_MONTH:
		snprintf(buf, len, "%s %d", months[tm.tm_mon], tm.tm_year + 1900);
		break;
	case DATE_QUARTER:
		snprintf(buf, len, "Q%d %d", tm.tm_mon / 3 + 1, tm.tm_year + 1900);
		break;
	case DATE_YEAR:
		snprintf(buf, len, "%d", tm.tm_year + 1900);
		break;
	}
}
