/*
 * events: the dated events of a retail calendar and what each does to a
 * daily series, learnt from the same events in earlier years. Pure.
 *
 * The default calendar: New Year's Day, Valentine's Day, Mother's Day (US:
 * the second Sunday of May), Black Friday (the day after the fourth
 * Thursday of November), Cyber Monday, Christmas Day and Boxing Day.
 *
 * An event's effect is a multiplicative uplift: the mean log ratio of the
 * series to a baseline (the caller's: the same weekday a week before and
 * after) on the event's days in the history, shrunk toward none by how well the data tells it apart from
 * ordinary days' noise (an empirical Bayes factor d^2 / (d^2 + s^2 / k)
 * for k occurrences of mean log ratio d, with s^2 the log ratio's variance
 * on ordinary days). An event the history does not cover has no effect.
 */
#ifndef MLDASH_EVENTS_H
#define MLDASH_EVENTS_H

#include <stddef.h>

enum event {
	EVENT_NEW_YEAR, EVENT_VALENTINES_DAY, EVENT_MOTHERS_DAY, EVENT_BLACK_FRIDAY,
	EVENT_CYBER_MONDAY, EVENT_CHRISTMAS, EVENT_BOXING_DAY, EVENT__MAX
};
extern const char *const event_names[EVENT__MAX]; /* "black_friday", ... */

/* The event on day number `day` (days since 1970-01-01), or -1. */
int event_on(long day);

struct event_effects {
	int occurrences[EVENT__MAX]; /* event days in the history */
	double factor[EVENT__MAX];   /* multiplicative, 1 for none */
};

/*
 * Estimates each event's factor from y[0..n) (y[0] on day number
 * first_day) against baseline[0..n), what each day would have been
 * without an event. NaN marks a missing value.
 */
void events_estimate(const double *y, const double *baseline, size_t n, long first_day,
		     struct event_effects *out);

#endif
