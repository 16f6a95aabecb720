/*
 * ets: exponential smoothing state-space models (Hyndman, Koehler, Ord and
 * Snyder, "Forecasting with Exponential Smoothing", 2008). Pure: numbers
 * in, numbers out; no global state.
 *
 * The family R's ets() chooses from by default, named error,trend,season:
 * additive or multiplicative errors (A, M), no, additive or damped trend
 * (N, A, Ad), no, additive or multiplicative season (N, A, M), less the
 * unstable additive-error, multiplicative-season forms: fifteen. The
 * multiplicative forms only for strictly positive series. Smoothing
 * parameters and the damping factor by maximum likelihood (Nelder-Mead
 * from GSL over a bounded reparametrisation). Additive-season forms have
 * their initial states concentrated out by least squares, exact for
 * additive errors (their one-step errors are linear in the states);
 * multiplicative-season forms start from a classical decomposition of the
 * first periods, as R's ets does. The form is chosen by AICc among those
 * the data can support.
 *
 * Series are arrays of doubles, one per period; NaN marks a missing value.
 * The caller owns every array it passes in; ets_fit returns an object the
 * caller frees with ets_free.
 */
#ifndef MLDASH_ETS_H
#define MLDASH_ETS_H

#include <stddef.h>

enum ets_trend { ETS_TREND_NONE, ETS_TREND_ADDITIVE, ETS_TREND_DAMPED };
enum ets_season { ETS_SEASON_NONE, ETS_SEASON_ADDITIVE, ETS_SEASON_MULTIPLICATIVE };

enum ets_status {
	ETS_OK,
	ETS_TOO_SHORT, /* fewer observed values than the simplest model needs */
	ETS_NO_DATA,   /* every value is missing or not finite */
	ETS_FAILED,    /* out of memory */
};

struct ets_options {
	int period;      /* seasonal period (7 for daily data); 1 for none */
	int nonnegative; /* forecasts and bounds are kept at or above zero */
	/* Restricts the choice (for tests and analysts): -1 for any. */
	int force_error;    /* -1, 0 additive or 1 multiplicative */
	int force_trend;    /* -1, or an enum ets_trend */
	int force_seasonal; /* -1, or an enum ets_season (0 none, 1 additive, 2 multiplicative) */
};

/* period 7, non-negative off, any form. */
void ets_options_default(struct ets_options *opt);

struct ets_fit;

/* Fits every admissible form to y[0..n) and keeps the best by AICc.
 * Returns NULL with *status set when there is no fit. */
struct ets_fit *ets_fit(const double *y, size_t n, const struct ets_options *opt,
			enum ets_status *status);

void ets_free(struct ets_fit *fit);

/* What was chosen. */
struct ets_summary {
	char model[8];        /* "M,Ad,M" */
	int error_multiplicative;
	enum ets_trend trend;
	enum ets_season season;
	int seasonal;         /* season != ETS_SEASON_NONE */
	double alpha, beta, gamma, phi; /* beta 0 without trend, gamma 0 without season, phi 1 undamped */
	/* loglik includes the constants (-n/2 (log(2 pi sigma^2) + 1), less
	 * the sum of log |fitted| for multiplicative errors); sigma2 is the
	 * variance of the relative errors for multiplicative errors. */
	double loglik, aicc, sigma2;
	int n_obs;            /* observed values used */
	int n_params;         /* estimated: smoothing, damping, initial states and the variance */
};
void ets_summary(const struct ets_fit *fit, struct ets_summary *out);

/*
 * Forecasts h = 1..horizon. mean[horizon]; lower and upper are
 * [nlevels][horizon] row by row, for levels such as 0.80 and 0.95.
 * Intervals come from the model's own h-step variance; with nonnegative,
 * the normal predictive law is censored at zero (the point forecast and
 * the bounds cut at zero). Returns 0, or -1 on a bad argument.
 */
int ets_forecast(const struct ets_fit *fit, int horizon, const double *levels, int nlevels,
		 double *mean, double *lower, double *upper);

/* The h-step standard deviation of the (untruncated) forecast, h =
 * 1..horizon, into sd[horizon]. */
void ets_forecast_sd(const struct ets_fit *fit, int horizon, double *sd);

/* Fits y[0..n) with the form of `like` (or, where the data cannot support
 * that form, the best that fits), by the quicker rough search: for
 * refitting at backtest origins. With 200 observations or more the search
 * starts at like's parameters with a small simplex (the optimum moves
 * little between origins a few weeks apart); shorter series, whose flat
 * likelihoods move more, get the usual starts. */
struct ets_fit *ets_refit(const struct ets_fit *like, const double *y, size_t n,
			  const struct ets_options *opt, enum ets_status *status);

/* One-step fitted values over the series the model was fitted to (y[0..n),
 * NaN where y is missing) into fitted[n]. */
void ets_fitted(const struct ets_fit *fit, const double *y, size_t n, double *fitted);

/* Accuracy over rolling origins. */
struct ets_backtest {
	int origins;           /* origins evaluated */
	double smape, mase;    /* the model's form, refitted at each origin */
	double naive_smape, naive_mase; /* seasonal naive at the same origins */
};

/* Errors summed over backtest origins: sMAPE per step, MASE per origin. */
struct ets_accuracy {
	double smape_sum, mase_sum;
	int smape_n, mase_n;
};

/* Adds one origin's errors of forecast[horizon] against actual[horizon]
 * (steps where either is NaN are skipped); mase_scale may be NaN. */
void ets_score(struct ets_accuracy *acc, const double *actual, const double *forecast, int horizon,
	       double mase_scale);

/* The means of a method's and seasonal naive's sums (NaN where none)
 * into out's smape, mase, naive_smape and naive_mase. */
void ets_accuracy_result(const struct ets_accuracy *model, const struct ets_accuracy *naive,
			 struct ets_backtest *out);

/*
 * Rolling-origin evaluation over the end of y: `origins` origins, `step`
 * periods apart, the last one `horizon` periods before the end; at each, the
 * form of `fit` (or the best form, when fit is NULL) is refitted to the data
 * before the origin and forecasts `horizon` periods. sMAPE in percent
 * (0..200); MASE scaled by the in-sample seasonal naive error. A value that
 * cannot be computed is NaN. Returns 0, or -1 when no origin fits.
 */
int ets_backtest(const double *y, size_t n, const struct ets_options *opt,
		 const struct ets_fit *fit, int horizon, int origins, int step,
		 struct ets_backtest *out);

/* Mean absolute seasonal-naive error in y[0..n): the MASE scale. Falls back
 * to lag 1 when the seasonal one is zero or cannot be computed; NaN when
 * neither can. */
double ets_naive_scale(const double *y, size_t n, int period);

/* Seasonal naive forecasts of y[0..n) for h = 1..horizon into mean[horizon]. */
void ets_seasonal_naive(const double *y, size_t n, int period, int horizon, double *mean);

#endif
