/*
 * dates: calendar arithmetic on ISO dates, and the spacing of a dated
 * series. Pure.
 */
#ifndef MLDASH_DATES_H
#define MLDASH_DATES_H

#include <stddef.h>

/* Days since 1970-01-01 of a valid "YYYY-MM-DD" (proleptic Gregorian;
 * Howard Hinnant's days_from_civil). The caller has checked the form. */
long date_day_number(const char *iso);

/* The civil date of a day number (the inverse of date_day_number). */
void date_civil(long day, int *year, int *month, int *mday);

/*
 * How far apart the dates of a series are meant to be. Monthly, quarterly
 * and yearly series have every date on the same day of its month (or every
 * date on its month's last day: month-end data) and, between any two
 * neighbours, a whole number of months, of quarters, of years. A weekly
 * series has dates a whole number of weeks apart. Anything else is daily,
 * and a series of one date is daily. A gap of more than one unit is a
 * missing value, in any spacing.
 */
enum date_spacing { SPACING_DAY, SPACING_WEEK, SPACING_MONTH, SPACING_QUARTER, SPACING_YEAR };

/* The spacing of days[n], strictly increasing day numbers. */
enum date_spacing date_spacing_of(const long *days, size_t n);

/* Units of the spacing from day `from` to day `to` (to >= from, both on
 * the spacing's grid): the index of `to` in a series starting at `from`. */
long date_units_between(long from, long to, enum date_spacing spacing);

/* "day", "week", "month", "quarter", "year". */
const char *date_spacing_name(enum date_spacing spacing);

/* The usual seasonal period of the spacing: 7 (a week of days), 52, 12,
 * 4, 1 (a yearly series has no season). */
int date_spacing_period(enum date_spacing spacing);

#endif
