#include "dates.h"

#include <stdlib.h>

long date_day_number(const char *iso)
{
	long y = strtol(iso, NULL, 10), m = strtol(iso + 5, NULL, 10), d = strtol(iso + 8, NULL, 10);
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Howard Hinnant's civil_from_days. */
void date_civil(long day, int *year, int *month, int *mday)
{
	long z = day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

/* Months since January 1970 of a day number; *mday its day of the month,
 * *month_end whether it is its month's last day. */
static long month_index(long day, int *mday, int *month_end)
{
	int y, m, d, ny, nm, nd;
	date_civil(day, &y, &m, &d);
	date_civil(day + 1, &ny, &nm, &nd);
	*mday = d;
	*month_end = nd == 1;
	return (long)(y - 1970) * 12 + (m - 1);
}

/* Whether every neighbour of days[n] is a whole multiple of `months`
 * apart, all on one day of the month: the latest day any of them is on,
 * or the month's last day where the month is shorter (month ends are the
 * 31st, and data on the 30th is on 28 February). */
static int monthly_grid(const long *days, size_t n, long months)
{
	int mday, end, day_of_month = 0;
	for (size_t i = 0; i < n; i++) {
		month_index(days[i], &mday, &end);
		day_of_month = mday > day_of_month ? mday : day_of_month;
	}
	long prev = -1;
	for (size_t i = 0; i < n; i++) {
		long at = month_index(days[i], &mday, &end);
		if (i > 0 && (at <= prev || (at - prev) % months != 0))
			return 0;
		if (mday != day_of_month && !(end && mday < day_of_month))
			return 0;
		prev = at;
	}
	return 1;
}

enum date_spacing date_spacing_of(const long *days, size_t n)
{
	if (n < 2)
		return SPACING_DAY;
	if (monthly_grid(days, n, 12))
		return SPACING_YEAR;
	if (monthly_grid(days, n, 3))
		return SPACING_QUARTER;
	if (monthly_grid(days, n, 1))
		return SPACING_MONTH;
	for (size_t i = 1; i < n; i++)
		if ((days[i] - days[i - 1]) % 7 != 0)
			return SPACING_DAY;
	return SPACING_WEEK;
}

long date_units_between(long from, long to, enum date_spacing spacing)
{
	int mday, end;
	long months = month_index(to, &mday, &end) - month_index(from, &mday, &end);
	switch (spacing) {
	case SPACING_WEEK: return (to - from) / 7;
	case SPACING_MONTH: return months;
	case SPACING_QUARTER: return months / 3;
	case SPACING_YEAR: return months / 12;
	case SPACING_DAY: break;
	}
	return to - from;
}

const char *date_spacing_name(enum date_spacing spacing)
{
	static const char *const names[] = { "day", "week", "month", "quarter", "year" };
	return names[spacing];
}

int date_spacing_period(enum date_spacing spacing)
{
	static const int periods[] = { 7, 52, 12, 4, 1 };
	return periods[spacing];
}
