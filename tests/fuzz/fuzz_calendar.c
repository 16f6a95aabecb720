/*
 * Fuzzes the calendar-file parser (models/events.h):
 * event_calendar_apply_text on arbitrary bytes over a fresh calendar, then,
 * whatever it applied, event_calendar_on over three years of days and
 * events_estimate on a series spanning them.
 *
 * Checks: a refusal names the source and a line ("fuzz:N: "); an event on
 * a day has a name and a day index within the longest occurrence; every
 * effect is a finite, positive factor.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

#define FIRST_DAY 19358L /* 2023-01-01 */
#define DAYS (3 * 366)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_calendar *cal = event_calendar_new();
	if (cal == NULL)
		return 0;
	char err[256];
	if (event_calendar_apply_text(cal, (const char *)data, size, "fuzz", err, sizeof err) != 0 &&
	    strncmp(err, "fuzz:", 5) != 0)
		abort();
	static double y[DAYS], baseline[DAYS];
	for (int t = 0; t < DAYS; t++) {
		y[t] = 100 + (t * 37 % 11) + (t % 97 == 0 ? 300 : 0);
		baseline[t] = 100 + (t * 37 % 11);
		int index = -1, e = event_calendar_on(cal, FIRST_DAY + t, &index);
		if (e >= 0 && (e >= event_calendar_count(cal) || event_calendar_name(cal, e) == NULL ||
			       index < 0 || index >= EVENT_DAYS_MAX))
			abort();
	}
	struct event_effects effects;
	events_estimate(cal, y, baseline, DAYS, FIRST_DAY, &effects);
	for (int e = 0; e < effects.nevents; e++)
		for (int j = 0; j < EVENT_DAYS_MAX; j++)
			if (!(isfinite(effects.factor[e][j]) && effects.factor[e][j] > 0))
				abort();
	event_calendar_free(cal);
	return 0;
}
