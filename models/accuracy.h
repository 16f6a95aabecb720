/*
 * accuracy: kept forecasts scored against the actuals that came (#16).
 * Pure: no I/O.
 *
 * A channel's forecasts (result_logged_forecast, from the days' runs) meet
 * its actual values day by day. Each (metric, day, lead) counts once: when
 * several days' runs forecast it (no new data between them), the newest.
 *
 * - Scores, per metric, lead (1, 7, 14, 28) and window (the 30 and 90 days
 *   up to the last day of data): MASE (mean absolute error over the
 *   in-sample mean absolute 7-day change of the actuals: Hyndman and
 *   Koehler's scale with a weekly season), sMAPE, bias, and the share of
 *   actuals inside each band.
 * - Anomalies: a day whose actual lies outside the 95% band of the forecast
 *   made before it with the shortest lead.
 */
#ifndef MLDASH_ACCURACY_H
#define MLDASH_ACCURACY_H

#include <stddef.h>

#include "results.h"

/* A channel's actuals of every metric: values[m][i] is day first_day + i;
 * NaN where unknown. */
struct accuracy_actuals {
	long first_day;
	long days;
	const double *values[METRIC__MAX];
};

/* The mean absolute 7-day change over the known pairs of y[0..n); NaN when
 * there is no pair. */
double accuracy_mase_scale(const double *y, long n);

/* Sorts f by metric, day, lead (shortest first) and run (newest first), and
 * drops the forecasts an older run made of the same metric, day and lead.
 * Returns how many are left, at the start of f. */
size_t accuracy_sort_forecasts(struct result_logged_forecast *f, size_t n);

/* Rows accuracy_score writes at most. */
#define ACCURACY_ROWS (METRIC__MAX * RESULT_LEADS * RESULT_WINDOWS)

/*
 * Scores one channel's sorted forecasts f (accuracy_sort_forecasts) against
 * its actuals a, over windows ending at end_day. Writes a row per metric the
 * channel has any actual of, for every lead and window (n = 0 when nothing
 * was scored), channel named channel; returns the rows written.
 */
int accuracy_score(const char *channel, const struct accuracy_actuals *a,
		   const struct result_logged_forecast *f, size_t n, long end_day,
		   struct result_accuracy out[ACCURACY_ROWS]);

/*
 * The anomalies of one channel on days from .. end_day, from its sorted
 * forecasts f, newest day first. *out (free()) receives *count. Returns 0,
 * or -1 when out of memory.
 */
int accuracy_anomalies(const char *channel, const struct accuracy_actuals *a,
		       const struct result_logged_forecast *f, size_t n, long from, long end_day,
		       struct result_anomaly **out, int *count);

#endif
