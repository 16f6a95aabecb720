/*
 * chart_results: chart data (chart.h) from an ML run's results
 * (models/results.h). Pure. The ML sync draws the default charts from the
 * results it has just computed; the API draws other views from results
 * read back from the store; both through here, so both draw the same.
 */
#ifndef MLDASH_CHART_RESULTS_H
#define MLDASH_CHART_RESULTS_H

#include "chart.h"
#include "results.h"

/* Owns what a chart_data points into; free with chart_rows_free. */
struct chart_rows {
	struct chart_bar *bars;
	struct chart_point *points[2];
	int cap; /* points allocated per panel */
	/* Response curves: the panels, each one's observed days (and room
	 * for them), and the curves they are sampled from. */
	struct chart_curve *curves;
	struct chart_spend_day **days;
	int *days_cap;
	struct response_curve *models;
	int ncurves;
	/* Anomaly marks of each time series panel, and room for them. */
	struct chart_mark *marks[2];
	int marks_cap[2];
	/* Accuracy: one per channel. */
	struct chart_accuracy *accuracy;
};

void chart_rows_free(struct chart_rows *rows);

/*
 * Starts the chart of kind: empty data with its subtitle. run_time ("" when
 * unknown) and channel ("" for the default view: every channel for bars,
 * the total for series) name what is shown.
 */
void chart_results_begin(enum chart_kind kind, const char *run_time, const char *channel,
			 struct chart_data *data, struct chart_rows *rows);

/* ROI forecast bars, best first: the given channel, or every channel but
 * the total. Returns 0, or -1 when out of memory. */
int chart_results_forecasts(struct chart_data *data, struct chart_rows *rows,
			    const struct result_roi_forecast *r, int n, const char *channel);

/* Budget bars, the largest recommendation first, and the expected uplift of
 * the whole plan (every channel of r) in the subtitle with its 80% interval,
 * warning (subtitle_warns) when the interval includes zero. */
int chart_results_budget(struct chart_data *data, struct chart_rows *rows,
			 const struct result_budget *r, int n, const char *channel);

/*
 * Response curves, in three steps. chart_results_curves: a panel per
 * channel of the budget rows r (the given channel, or every one), the
 * largest recommendation first and channels without a curve last;
 * chart_results_curve_day: one more day a channel's curve was fitted from
 * (days of channels not shown are passed over); chart_results_curves_done:
 * each panel's spend range (a little past its observed spends, upper
 * bound and recommendation) and its curve and 80% band sampled over it.
 * Return 0, or -1 when out of memory.
 */
int chart_results_curves(struct chart_data *data, struct chart_rows *rows,
			 const struct result_budget *r, int n, const char *channel);
int chart_results_curve_day(struct chart_data *data, struct chart_rows *rows, const char *channel,
			    const struct result_budget_day *d);
void chart_results_curves_done(struct chart_data *data, struct chart_rows *rows);

/* One more day of a time series chart (days in order). */
int chart_results_roi_day(struct chart_data *data, struct chart_rows *rows, const struct result_roi_day *r);
int chart_results_reach_day(struct chart_data *data, struct chart_rows *rows,
			    const struct result_reach_day *r);

/*
 * Anomalies (#16) on a time series chart (CHART_ROI_TIMESERIES: ROI and
 * conversions; CHART_REACH_CTR: reach and CTR): those of a's rows that are
 * of the channel shown ("" for the total, "all") and of a panel's metric
 * become marks on that panel at (day, actual); other metrics (spend,
 * revenue) and other chart kinds are passed over. Callable before or after
 * the days are added, more than once (marks add up); the chart skips the
 * marks of days outside the range it draws. a stays the caller's. Returns
 * 0, or -1 when out of memory.
 */
int chart_results_anomalies(struct chart_data *data, struct chart_rows *rows,
			    const struct result_anomaly *a, int n, const char *channel);

/* The first day a time series chart shows (-1: none): where the anomalies
 * to mark on it begin. */
long chart_results_first_day(const struct chart_data *data);

/* The accuracy chart's view when none is asked for. */
#define CHART_ACCURACY_METRIC METRIC_REVENUE
#define CHART_ACCURACY_WINDOW 90

/*
 * The accuracy chart (CHART_ACCURACY, after chart_results_begin) from a
 * run's scores r: the rows of metric and window_days (others are passed
 * over, so every row of the run may be given). channel "": every channel's
 * error (the total first, then the channels with the most forecasts
 * scored) and the total's band coverage; a channel: that channel's alone.
 * Scores of rows with n = 0 (or no band, for the coverage) are gaps. The
 * subtitle names the metric and the window. r stays the caller's. Returns
 * 0, or -1 when out of memory.
 */
int chart_results_accuracy(struct chart_data *data, struct chart_rows *rows,
			   const struct result_accuracy *r, int n, int metric, int window_days,
			   const char *channel);

#endif
