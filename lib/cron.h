/*
 * cron: five-field schedules (minute hour day-of-month month day-of-week)
 * and their next fire times. Pure, apart from the process's time zone
 * (TZ), in which the fields are read.
 *
 * Fields take *, numbers, lists (0,30), ranges (9-17), steps (*\/30, 1-10/2)
 * and names (jan-dec, sun-sat; 7 is Sunday too). When both day fields are
 * restricted, a day matches either (the usual cron rule).
 *
 * Daylight saving: a local time that does not exist (the hour skipped in
 * spring) does not fire; a local time that happens twice (the hour repeated
 * in autumn) fires once, at its first occurrence.
 */
#ifndef MLDASH_CRON_H
#define MLDASH_CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cron {
	uint64_t minutes;  /* bit i: minute i */
	uint32_t hours, days, months; /* days: bit 1-31; months: bit 1-12 */
	uint8_t weekdays;  /* bit 0 Sunday .. 6 Saturday */
	int days_restricted, weekdays_restricted;
};

/* Parses expr; returns 0, or -1 with err naming the field and the problem. */
int cron_parse(const char *expr, struct cron *out, char *err, size_t errlen);

/* The first fire time strictly after `after`, or (time_t)-1 when there is
 * none within 5 years (e.g. 30 February). */
time_t cron_next(const struct cron *c, time_t after);

/* cron_next of an expression; (time_t)-1 also when expr does not parse
 * (callers whose configuration was validated at load). */
time_t cron_next_of(const char *expr, time_t after);

/* The last fire time at or before `at` within the previous `lookback`
 * seconds, or (time_t)-1. */
time_t cron_prev(const struct cron *c, time_t at, time_t lookback);

#endif
