/*
 * events: a calendar of dated events and what each does to a daily series,
 * learnt from the same events in earlier years. Pure: calendar files are
 * read by the caller (sync/calendar.c) and handed over as text.
 *
 * The built-in calendar (US retail): New Year's Day (01-01), Valentine's
 * Day (02-14), Mother's Day (US: the second Sunday of May), Black Friday
 * (the day after the fourth Thursday of November), Cyber Monday (that
 * Thursday + 4), Christmas Day, Boxing Day, and Amazon Prime Day, which
 * has no rule: its dates 2015-2025 are a table, later ones come from
 * calendar files. Events with a rule extend to any year.
 *
 * A calendar file, one entry a line (blank lines and lines starting with
 * '#' are skipped; fields are separated by commas, spaces around them
 * ignored; NAME is 1-31 of a-z, 0-9 and '_'):
 *
 *   date,NAME,YYYY-MM-DD[,YYYY-MM-DD]  one occurrence, first to last day
 *                                       (at most EVENT_DAYS_MAX days)
 *   yearly,NAME,MM-DD[,DAYS]            every year from that date, DAYS long (1)
 *   nth,NAME,N,WEEKDAY,MONTH[,OFFSET[,DAYS]]
 *                                       the Nth (1-5, or -1 for the last)
 *                                       WEEKDAY (mon..sun) of MONTH (1-12),
 *                                       moved by OFFSET days (0), DAYS long (1)
 *   disable,NAME                        drops the event's rule and dates so far
 *
 * A rule line replaces the event's rule; date lines add occurrences; a new
 * NAME adds an event. Where two events share a day, the one defined first
 * counts.
 *
 * Effects: see events_estimate.
 */
#ifndef MLDASH_EVENTS_H
#define MLDASH_EVENTS_H

#include <stddef.h>

#define EVENT_NAME_MAX 32      /* name length with its NUL */
#define EVENT_DAYS_MAX 14      /* the longest occurrence, in days */
#define EVENT_CALENDAR_MAX 64  /* events in one calendar */

/* The built-in calendar's events, in its order (their index in it). */
enum event {
	EVENT_NEW_YEAR, EVENT_VALENTINES_DAY, EVENT_MOTHERS_DAY, EVENT_BLACK_FRIDAY,
	EVENT_CYBER_MONDAY, EVENT_CHRISTMAS, EVENT_BOXING_DAY, EVENT_PRIME_DAY, EVENT__MAX
};
extern const char *const event_names[EVENT__MAX]; /* "black_friday", ... */

struct event_calendar;

/* The built-in calendar: static, never freed, safe to share. */
const struct event_calendar *event_calendar_builtin(void);

/* A new calendar holding the built-in's events, to extend with
 * event_calendar_apply_*; the caller frees it with event_calendar_free.
 * NULL when out of memory. */
struct event_calendar *event_calendar_new(void);
void event_calendar_free(struct event_calendar *cal); /* NULL is fine */

/* Events in the calendar (disabled ones included, with no days), an
 * event's name, and the index of a name (or -1). */
int event_calendar_count(const struct event_calendar *cal);
const char *event_calendar_name(const struct event_calendar *cal, int e);
int event_calendar_find(const struct event_calendar *cal, const char *name);

/*
 * The event on day number `day` (days since 1970-01-01), or -1; *index
 * (when not NULL) receives the day's place within the occurrence (0 for
 * its first day). cal NULL means the built-in calendar.
 */
int event_calendar_on(const struct event_calendar *cal, long day, int *index);

/* event_calendar_on for the n days from first_day at once, into event[n]
 * and index[n] (0 where there is none): a few date computations per
 * occurrence instead of per day and event. */
void event_calendar_span(const struct event_calendar *cal, long first_day, size_t n, int *event,
			 int *index);
/* The built-in calendar's event on `day`, or -1. */
int event_on(long day);

/*
 * Applies one line of a calendar file (format above; no newline needed).
 * Returns 0, or -1 with what is wrong in err (without a position), cal
 * unchanged.
 */
int event_calendar_apply_line(struct event_calendar *cal, const char *line, char *err,
			      size_t errlen);

/*
 * Applies every line of text[0..len) (a file's content; '\n' or "\r\n"
 * line ends). source names it in errors: "source:LINE: what". Returns 0,
 * or -1 at the first bad line, with the lines before it applied (discard
 * the calendar then).
 */
int event_calendar_apply_text(struct event_calendar *cal, const char *text, size_t len,
			      const char *source, char *err, size_t errlen);

/*
 * What each event does to a series, per day within its occurrences:
 * factor[e][j] multiplies day j of event e (1 for none). occurrences[e]
 * counts the event's days in the history; 0 means no effect.
 */
struct event_effects {
	int nevents;
	int occurrences[EVENT_CALENDAR_MAX];
	double factor[EVENT_CALENDAR_MAX][EVENT_DAYS_MAX];
};

/*
 * Estimates the effects of cal's events (NULL: the built-in) from
 * y[0..n) (y[0] on day number first_day) against baseline[0..n), what
 * each day would have been without an event (the caller's: forecast.c
 * takes the same weekday a week before and after, the nearer of the two
 * when the day stands above or below both, the day itself between them).
 * NaN marks a missing value.
 *
 * On a log scale, r = log(y / baseline) per day. Each event's effect is
 * the mean r of its days, d, shrunk toward none by an empirical Bayes
 * factor d^2 / (d^2 + s^2 / k) for its k days (s^2 the variance of r on
 * ordinary days): weak evidence, small effect. Day j of a multi-day event
 * departs from that pooled effect by its own mean's difference from d,
 * shrunk by tau^2 / (tau^2 + s^2 / k_j), where tau^2 is how much the
 * days' means differ beyond their noise (method of moments, 0 when they
 * do not): with one prior year the days mostly share the pooled effect,
 * with several that show a first-day peak, day 0 gets more. A day within
 * an occurrence never seen before (the 4th day of a Prime Day that used
 * to last 2) takes the pooled effect.
 */
void events_estimate(const struct event_calendar *cal, const double *y, const double *baseline,
		     size_t n, long first_day, struct event_effects *out);

#endif
