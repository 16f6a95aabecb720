/*
 * theta: the Theta method on the seasonally adjusted series, the season
 * put back on the forecasts, in two forms.
 *
 * Standard (Assimakopoulos and Nikolopoulos 2000, the M3 competition's
 * winner; R's thetaf): theta fixed at 2, which Hyndman and Billah (2003)
 * showed to be simple exponential smoothing with a drift of half the
 * slope of the series' linear trend.
 *
 * Optimised (OTM; Fiorucci, Pellegrini, Louzada, Petropoulos and Koehler
 * 2016, "Models for optimising the theta method and their relationship to
 * state space models", IJF 32): theta >= 1 chosen with the smoothing
 * weight and the initial level by least in-sample one-step squared error,
 * so that the forecasts keep 1 - 1/theta of the line, from none (theta 1:
 * simple exponential smoothing) to all of it (theta infinite). A fixed
 * theta suits a series' trend only by chance.
 *
 * As thetaf, the series is adjusted by classical decomposition only when
 * its autocorrelation at the seasonal lag is significant (90%,
 * one-sided); multiplicatively for strictly positive series, additively
 * otherwise (a ratio to a moving average of zero means nothing). Pure;
 * NaN marks a missing value.
 */
#ifndef MLDASH_THETA_H
#define MLDASH_THETA_H

#include <stddef.h>

#include "ets.h"

struct theta_fit;

enum theta_method { THETA_STANDARD, THETA_OPTIMISED };

/* Fits y[0..n) with seasonal period `period` (1: none). NULL with *status
 * set when there is no fit (the optimised form needs two observed values). */
struct theta_fit *theta_fit(const double *y, size_t n, int period, enum theta_method method,
			    enum ets_status *status);

void theta_free(struct theta_fit *fit);

/* Forecasts h = 1..horizon: mean[horizon] and the standard deviation of
 * each (that of the smoothing, sigma^2 (1 + (h - 1) alpha^2), with the
 * in-sample one-step variance; reseasonalised) in sd[horizon]. */
void theta_forecast(const struct theta_fit *fit, int horizon, double *mean, double *sd);

/* What was fitted: the smoothing weight, the drift per period (the
 * forecasts' step: 1 - 1/theta of the line's slope) and whether
 * (and how) the season was taken out: 0 none, 1 multiplicative, 2 additive. */
void theta_describe(const struct theta_fit *fit, double *alpha, double *drift, int *seasonal);

#endif
