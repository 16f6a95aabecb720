/*
 * results: what one ML run produces, per channel (and for the total over
 * channels, named "all"). Plain data shared along the one-way flow: the ML
 * sync computes these, db/predictions stores and reads them, the API and
 * the charts show them. NaN marks an unknown or absent number everywhere.
 */
#ifndef MLDASH_RESULTS_H
#define MLDASH_RESULTS_H

#include "curve.h"

#define RESULT_CHANNEL_MAX 64 /* bytes, as the importer accepts them */
#define RESULT_TOTAL_CHANNEL "all"

/* ROI over the forecast horizon (ml_roi_forecast). */
struct result_roi_forecast {
	char channel[RESULT_CHANNEL_MAX + 1];
	int horizon_days;
	double roi, roi_lower_80, roi_upper_80, roi_lower_95, roi_upper_95;
	double spend, revenue;
	char model[33]; /* the revenue model's form, "" when none was fitted */
	double backtest_smape, baseline_smape, backtest_mase;
	char note[256]; /* why numbers are missing, "" when they are not */
};

/* One day of ROI and conversions, actual or forecast (ml_roi_timeseries). */
struct result_roi_day {
	long day;     /* days since 1970-01-01 */
	int forecast; /* 0: actual, 1: forecast (bounds only here) */
	double spend, revenue, roi, roi_lower_80, roi_upper_80, roi_lower_95, roi_upper_95;
	double conversions, conversions_lower_80, conversions_upper_80, conversions_lower_95,
		conversions_upper_95;
};

/* One day of reach, impressions, clicks and CTR (ml_reach_ctr_timeseries). */
struct result_reach_day {
	long day;
	int forecast;
	double reach;
	int reach_is_upper_bound; /* summed over campaigns or channels */
	double reach_lower_95, reach_upper_95;
	double impressions, impressions_lower_95, impressions_upper_95;
	double clicks, clicks_lower_95, clicks_upper_95;
	double ctr, ctr_lower_95, ctr_upper_95;
};

/* A channel's budget advice (ml_budget_recommendation); amounts are daily. */
struct result_budget {
	char channel[RESULT_CHANNEL_MAX + 1];
	double current, recommended, lower, upper;
	double revenue_current, revenue_recommended, marginal_roi;
	struct response_curve curve;
};

/* One day a channel's response curve was fitted from (ml_budget_days): its
 * daily spend and revenue, both known. */
struct result_budget_day {
	long day; /* days since 1970-01-01 */
	double spend, revenue;
};

#endif
