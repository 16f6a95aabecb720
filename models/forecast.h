/*
 * forecast: the forecasting method the ML sync and `mldash forecast` use.
 * Pure.
 *
 * Three methods, each sound alone: ETS chosen by AICc (ets.h), Theta
 * (theta.h; the standard one for daily series, the optimised one for
 * longer steps) and, for daily series, seasonal naive: it answers a
 * week's jump at once, where monthly to yearly series move by trends it
 * lags. Each is scored by a rolling-origin backtest
 * over the end of the series, and their forecasts are combined with
 * weights from those scores, shrunk halfway toward equal weights (the M4
 * competition's lesson that combinations beat single methods, and the
 * "combination puzzle": weights estimated from a few origins are noisy, so
 * equal weights are hard to beat). A method far behind the best (MASE more
 * than twice the best's) gets none. The forecast is halfway between that
 * weighted mean and, when all three methods are in, their median (robust
 * to one method gone astray).
 *
 * Bands: the ETS model's analytic h-step spread around the combined
 * forecast, widened at each step to the empirical quantile of the
 * backtest's errors of the combination near that step over that spread
 * (split conformal by horizon) where that is wider, so that an 80% band
 * holds about 80% of what followed; the analytic bands alone when the
 * backtest has fewer than 20 errors.
 *
 * A series whose last seven periods are all zero (a stopped channel)
 * forecasts zero. After a level shift (a budget change: weekly means
 * after a break clearly apart from those before), the methods are fitted
 * from the break when that forecasts the last weeks better.
 *
 * With dates (first_day), the days of the calendar's events (events.h:
 * opt->calendar, or the built-in retail calendar) are left out of the fit,
 * as if missing, so that a Black Friday does not drag the level; each
 * event's effect per day of its occurrence, learnt from the history
 * (against the same weekday a week before and after, as far as the day
 * stands out from both), is then applied to its days in the horizon.
 */
#ifndef MLDASH_FORECAST_H
#define MLDASH_FORECAST_H

#include <stddef.h>

#include "ets.h"
#include "events.h"

struct forecast_options {
	int period;       /* seasonal period; 1 for none */
	int daily;        /* 1: a step is a day; 0: a week or longer; -1: unknown,
			     and a period of 7 is taken for days */
	int nonnegative;  /* forecasts and bounds at or above zero */
	int origins;      /* backtest origins (4) */
	int step;         /* periods between origins (7) */
	int max_backtest; /* the longest horizon backtested (28) */
	long first_day;   /* day number (since 1970-01-01) of y[0]; -1 when the
			     dates are unknown (then no calendar events) */
	/* The events that count with dates; owned by the caller, who keeps it
	 * until forecast_series returns. NULL: the built-in retail calendar. */
	const struct event_calendar *calendar;
};

void forecast_options_default(struct forecast_options *opt);

enum forecast_method { FORECAST_ETS, FORECAST_THETA, FORECAST_NAIVE, FORECAST_METHOD__MAX };

struct forecast_info {
	char method[33];  /* "A,Ad,A .45|Theta .35|SNaive .20", "A,N,A", "zero: stopped" */
	double weight[FORECAST_METHOD__MAX];
	struct ets_backtest backtest; /* of the combination, beside seasonal naive */
	int have_backtest;
	int calibrated;   /* 1: bands widened by the backtest's errors */
	int event_days;   /* forecast days changed by a calendar event's effect */
	long fitted_from; /* index of the first value fitted: after a level
			     shift, else 0 */
	struct ets_summary ets; /* the ETS model the method fitted */
};

/*
 * Forecasts y[0..n) for h = 1..horizon: mean[horizon], and lower and upper
 * [nlevels][horizon] row by row for levels such as 0.80 and 0.95. Returns
 * 0, or -1 with *status set when there is no forecast (too short, no data,
 * out of memory; ETS_FAILED also for a horizon below 1 or a level outside
 * (0, 1)).
 */
int forecast_series(const double *y, size_t n, const struct forecast_options *opt, int horizon,
		    const double *levels, int nlevels, double *mean, double *lower, double *upper,
		    struct forecast_info *info, enum ets_status *status);

#endif
