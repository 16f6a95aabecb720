/*
 * ticks: where axis ticks go and how their labels read. Pure.
 *
 * Numbers: "nice" steps of 1, 2, 2.5 or 5 times a power of ten, labels with
 * SI suffixes (1.5k, 2M), as percentages, or plain. Dates: steps of 1, 2, 7
 * or 14 days, or month, quarter and year starts, chosen by the range.
 */
#ifndef MLDASH_TICKS_H
#define MLDASH_TICKS_H

#include <stddef.h>

enum tick_style { TICK_PLAIN, TICK_SI, TICK_PERCENT };

/*
 * Ticks covering [lo, hi] with at most max_ticks of them, nicely spaced;
 * lo and hi are widened to the outer ticks. Writes up to cap values and
 * returns their number; *step gets the spacing.
 */
int ticks_numeric(double *lo, double *hi, int max_ticks, double *out, int cap, double *step);

/* A label for v on an axis whose ticks are step apart. */
void ticks_label(double v, double step, enum tick_style style, char *buf, size_t len);

enum date_unit { DATE_DAY, DATE_WEEK, DATE_MONTH, DATE_QUARTER, DATE_YEAR };

/*
 * Date ticks (days since 1970-01-01) within [first, last], at most
 * max_ticks; returns their number and the unit chosen.
 */
int ticks_dates(long first, long last, int max_ticks, long *out, int cap, enum date_unit *unit);

/* "Mar 5", "Mar 2024", "Q2 2024", "2024" as fits the unit. */
void ticks_date_label(long day, enum date_unit unit, char *buf, size_t len);

#endif
