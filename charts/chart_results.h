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
 * the whole plan (every channel of r) in the subtitle. */
int chart_results_budget(struct chart_data *data, struct chart_rows *rows,
			 const struct result_budget *r, int n, const char *channel);

/* One more day of a time series chart (days in order). */
int chart_results_roi_day(struct chart_data *data, struct chart_rows *rows, const struct result_roi_day *r);
int chart_results_reach_day(struct chart_data *data, struct chart_rows *rows,
			    const struct result_reach_day *r);

#endif
