/*
 * utc_time: "YYYY-MM-DD HH:MM" read as UTC, for the unit tests that reason
 * about schedule slots (cron, doctor's freshness rules). Header-only.
 */
#ifndef MLDASH_TEST_UTC_TIME_H
#define MLDASH_TEST_UTC_TIME_H

#include <stdio.h>
#include <time.h>

static inline time_t utc(const char *text)
{
	struct tm tm = { 0 };
	sscanf(text, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

#endif
