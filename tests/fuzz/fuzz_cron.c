/*
 * Fuzzes the cron parser (lib/cron.h): cron_parse on arbitrary text, then,
 * for an expression that parses, cron_next and cron_prev from a fixed time.
 * The zone has daylight saving and the fixed time is just before a change,
 * so the skipped and repeated hours are walked through.
 *
 * Checks: a fire time is after the start and its local fields match the
 * schedule; cron_prev never returns a time after its argument.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"

/* 2026-03-29 00:30 UTC: 90 minutes before Central Europe springs forward. */
#define FIXED_TIME ((time_t)1774744200)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return 0;
}

static int matches(const struct cron *c, time_t t)
{
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	int dom = (c->days >> tm.tm_mday) & 1, dow = (c->weekdays >> tm.tm_wday) & 1;
	int day = c->days_restricted && c->weekdays_restricted ? dom || dow : dom && dow;
	return ((c->minutes >> tm.tm_min) & 1) && ((c->hours >> tm.tm_hour) & 1) &&
	       ((c->months >> (tm.tm_mon + 1)) & 1) && day;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 512)
		return 0;
	char expr[513];
	memcpy(expr, data, size);
	expr[size] = '\0';

	struct cron c;
	char err[300];
	if (cron_parse(expr, &c, err, sizeof err) != 0) {
		if (strnlen(err, sizeof err) == sizeof err || err[0] == '\0')
			abort();
		return 0;
	}
	time_t next = cron_next(&c, FIXED_TIME);
	if (next != (time_t)-1 && (next <= FIXED_TIME || !matches(&c, next)))
		abort();
	time_t prev = cron_prev(&c, FIXED_TIME, 3600);
	if (prev != (time_t)-1 && (prev > FIXED_TIME || prev < FIXED_TIME - 3600 || !matches(&c, prev)))
		abort();
	return 0;
}
