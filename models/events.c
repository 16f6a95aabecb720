#include "events.h"

#include <math.h>
#include <string.h>
#include <time.h>

const char *const event_names[EVENT__MAX] = {
	"new_year", "valentines_day", "mothers_day", "black_friday", "cyber_monday", "christmas",
	"boxing_day",
};

/* The civil date of a day number (UTC). */
static void civil(long day, int *month, int *mday, int *wday)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	*month = tm.tm_mon + 1;
	*mday = tm.tm_mday;
	*wday = tm.tm_wday; /* 0 Sunday */
}

int event_on(long day)
{
	int month, mday, wday;
	civil(day, &month, &mday, &wday);
	if (month == 1 && mday == 1)
		return EVENT_NEW_YEAR;
	if (month == 2 && mday == 14)
		return EVENT_VALENTINES_DAY;
	if (month == 5 && wday == 0 && mday >= 8 && mday <= 14)
		return EVENT_MOTHERS_DAY;
	/* The fourth Thursday falls on the 22nd to the 28th: Friday 23rd-29th. */
	if (month == 11 && wday == 5 && mday >= 23 && mday <= 29)
		return EVENT_BLACK_FRIDAY;
	/* Cyber Monday: Black Friday + 3, Monday 26th November to 2nd December. */
	if (wday == 1 && ((month == 11 && mday >= 26) || (month == 12 && mday <= 2)))
		return EVENT_CYBER_MONDAY;
	if (month == 12 && mday == 25)
		return EVENT_CHRISTMAS;
	if (month == 12 && mday == 26)
		return EVENT_BOXING_DAY;
	return -1;
}

void events_estimate(const double *y, const double *baseline, size_t n, long first_day,
		     struct event_effects *out)
{
	memset(out, 0, sizeof *out);
	/* Log ratios with a small offset (1% of the mean), so that zero days
	 * and zero predictions have one. */
	double mean = 0;
	size_t observed = 0;
	for (size_t t = 0; t < n; t++)
		if (isfinite(y[t]) && isfinite(baseline[t]))
			mean += fabs(y[t]), observed++;
	double offset = observed ? 0.01 * mean / (double)observed + 1e-9 : 1;
	double sum[EVENT__MAX] = { 0 }, ordinary = 0, ordinary_sq = 0;
	size_t ordinary_n = 0;
	for (size_t t = 0; t < n; t++) {
		if (!isfinite(y[t]) || !isfinite(baseline[t]) || y[t] < 0 || baseline[t] < 0)
			continue;
		double r = log((y[t] + offset) / (baseline[t] + offset));
		int e = event_on(first_day + (long)t);
		if (e >= 0) {
			sum[e] += r;
			out->occurrences[e]++;
		} else {
			ordinary += r, ordinary_sq += r * r, ordinary_n++;
		}
	}
	double noise = ordinary_n > 1 ? (ordinary_sq - ordinary * ordinary / (double)ordinary_n) /
					    (double)(ordinary_n - 1)
				      : INFINITY;
	for (int e = 0; e < EVENT__MAX; e++) {
		out->factor[e] = 1;
		int k = out->occurrences[e];
		if (k == 0 || !isfinite(noise))
			continue;
		double d = sum[e] / k, evidence = d * d + noise / k;
		/* No difference and no noise (a constant series): no effect. */
		out->factor[e] = evidence > 0 ? exp(d * d * d / evidence) : 1;
	}
}
