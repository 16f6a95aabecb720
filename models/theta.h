/*
 * theta: the Theta method (Assimakopoulos and Nikolopoulos 2000, the M3
 * competition's winner), in the form Hyndman and Billah (2003) showed it to
 * be: simple exponential smoothing with a drift of half the slope of the
 * series' linear trend, on the seasonally adjusted series, the season put
 * back on the forecasts. As R's forecast::thetaf: the series is adjusted
 * by classical decomposition only when its autocorrelation at the seasonal
 * lag is significant (90%, one-sided); multiplicatively for strictly
 * positive series, additively otherwise (a ratio to a moving average of
 * zero means nothing). Pure; NaN marks a missing value.
 */
#ifndef MLDASH_THETA_H
#define MLDASH_THETA_H

#include <stddef.h>

#include "ets.h"

struct theta_fit;

/* Fits y[0..n) with seasonal period `period` (1: none). NULL with *status
 * set when there is no fit. */
struct theta_fit *theta_fit(const double *y, size_t n, int period, enum ets_status *status);

void theta_free(struct theta_fit *fit);

/* Forecasts h = 1..horizon: mean[horizon] and the standard deviation of
 * each (that of the smoothing, reseasonalised) in sd[horizon]. */
void theta_forecast(const struct theta_fit *fit, int horizon, double *mean, double *sd);

/* What was fitted: the smoothing weight, the drift per period and whether
 * (and how) the season was taken out: 0 none, 1 multiplicative, 2 additive. */
void theta_describe(const struct theta_fit *fit, double *alpha, double *drift, int *seasonal);

#endif
