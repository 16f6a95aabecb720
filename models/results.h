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

/* --- closing the loop (#16): forecasts scored against what came ----------- */

/* The metrics whose forecasts are kept and scored. */
enum result_metric {
	METRIC_SPEND, METRIC_REVENUE, METRIC_ROI, METRIC_CONVERSIONS, METRIC_REACH, METRIC_CTR,
	METRIC__MAX
};
/* "spend", "revenue", "roi", "conversions", "reach", "ctr" (models/accuracy.c). */
extern const char *const result_metric_names[METRIC__MAX];
/* The metric named, or -1. */
int result_metric_parse(const char *name);

/* The lead times kept and scored, in days after a run's last day of data. */
#define RESULT_LEADS 4
extern const int result_leads[RESULT_LEADS]; /* 1, 7, 14, 28 (models/accuracy.c) */

/* The windows accuracy is measured over, in days up to the last day of data. */
#define RESULT_WINDOWS 2
extern const int result_windows[RESULT_WINDOWS]; /* 30, 90 */

/* One kept forecast (ml_forecast_log): what run forecast for one channel,
 * metric and day, lead_days after its last day of data. */
struct result_logged_forecast {
	char channel[RESULT_CHANNEL_MAX + 1];
	enum result_metric metric;
	long day;      /* days since 1970-01-01 */
	int lead_days;
	long long run_id;
	double forecast, lower_80, upper_80, lower_95, upper_95; /* NaN: unknown */
};

/* How right one channel's forecasts of a metric were lead_days ahead, over
 * the window_days up to a run's last day of data (ml_accuracy). The scores
 * are NaN when nothing was scored (n = 0); mase also when the series never
 * changed. bias: the mean of forecast - actual. smape: in percent (0-200).
 * coverage_*: the share (0-1) of actuals inside the 80% and 95% bands, of
 * the n_banded forecasts that had bands. */
struct result_accuracy {
	char channel[RESULT_CHANNEL_MAX + 1];
	enum result_metric metric;
	int lead_days, window_days;
	int n, n_banded;
	double mase, smape, bias, coverage_80, coverage_95;
};

/* A day whose actual fell outside the 95% band of the forecast made before
 * it with the shortest lead (ml_anomalies). z: (actual - forecast) in
 * standard deviations of that forecast (the band's half width / 1.96); NaN
 * when the band had no width. */
struct result_anomaly {
	char channel[RESULT_CHANNEL_MAX + 1];
	enum result_metric metric;
	long day;
	int direction; /* +1: above the band, -1: below */
	double actual, forecast, lower_95, upper_95, z;
	int lead_days;
	long long forecast_run_id; /* the run whose forecast it broke */
};

#endif
