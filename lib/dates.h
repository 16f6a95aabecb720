/*
 * dates: calendar arithmetic on ISO dates. Pure.
 */
#ifndef MLDASH_DATES_H
#define MLDASH_DATES_H

/* Days since 1970-01-01 of a valid "YYYY-MM-DD" (proleptic Gregorian;
 * Howard Hinnant's days_from_civil). The caller has checked the form. */
long date_day_number(const char *iso);

#endif
