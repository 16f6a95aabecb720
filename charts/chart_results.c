#include "chart_results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void chart_rows_free(struct chart_rows *rows)
{
	free(rows->bars);
	free(rows->points[0]);
	free(rows->points[1]);
	memset(rows, 0, sizeof *rows);
}

static int is_bars(enum chart_kind kind)
{
	return kind == CHART_ROI_FORECAST || kind == CHART_BUDGET;
}

void chart_results_begin(enum chart_kind kind, const char *run_time, const char *channel,
			 struct chart_data *data, struct chart_rows *rows)
{
	memset(data, 0, sizeof *data);
	memset(rows, 0, sizeof *rows);
	data->kind = kind;
	int timed = run_time != NULL && *run_time;
	if (is_bars(kind)) {
		snprintf(data->subtitle, sizeof data->subtitle, "%s%s", timed ? "run of " : "",
			 timed ? run_time : "");
		return;
	}
	snprintf(data->subtitle, sizeof data->subtitle, "%s%s%s%s", timed ? "run of " : "",
		 timed ? run_time : "", timed ? " · " : "", *channel ? channel : "all channels");
	int roi = kind == CHART_ROI_TIMESERIES;
	data->panels[0] = (struct chart_panel){
		roi ? "ROI" : "Reach per day (summed over campaigns: an upper bound)", roi, NULL, 0 };
	data->panels[1] = (struct chart_panel){ roi ? "Conversions" : "Click-through rate", !roi, NULL, 0 };
}

static int shown(const char *name, const char *channel)
{
	return *channel ? strcmp(name, channel) == 0 : strcmp(name, RESULT_TOTAL_CHANNEL) != 0;
}

static int bars_alloc(struct chart_rows *rows, int n)
{
	rows->bars = calloc((size_t)(n ? n : 1), sizeof *rows->bars);
	return rows->bars ? 0 : -1;
}

/* Larger values first, unknown ones last, ties by name. */
static int descending(double x, double y, const struct chart_bar *a, const struct chart_bar *b)
{
	if (isnan(x) || isnan(y))
		return isnan(x) != isnan(y) ? isnan(x) - isnan(y) : strcmp(a->channel, b->channel);
	return x != y ? (x < y) - (x > y) : strcmp(a->channel, b->channel);
}

static int by_value_desc(const void *a, const void *b)
{
	const struct chart_bar *x = a, *y = b;
	return descending(x->value, y->value, x, y);
}

static int by_recommended_desc(const void *a, const void *b)
{
	const struct chart_bar *x = a, *y = b;
	return descending(x->recommended, y->recommended, x, y);
}

int chart_results_forecasts(struct chart_data *data, struct chart_rows *rows,
			    const struct result_roi_forecast *r, int n, const char *channel)
{
	if (bars_alloc(rows, n) != 0)
		return -1;
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (!shown(r[i].channel, channel))
			continue;
		struct chart_bar *b = &rows->bars[k++];
		snprintf(b->channel, sizeof b->channel, "%s", r[i].channel);
		b->value = r[i].roi, b->lo80 = r[i].roi_lower_80, b->hi80 = r[i].roi_upper_80;
		b->lo95 = r[i].roi_lower_95, b->hi95 = r[i].roi_upper_95;
	}
	qsort(rows->bars, (size_t)k, sizeof *rows->bars, by_value_desc);
	data->bars = rows->bars;
	data->nbars = k;
	return 0;
}

int chart_results_budget(struct chart_data *data, struct chart_rows *rows,
			 const struct result_budget *r, int n, const char *channel)
{
	if (bars_alloc(rows, n) != 0)
		return -1;
	int k = 0;
	double uplift = 0;
	for (int i = 0; i < n; i++) {
		if (isfinite(r[i].revenue_recommended))
			uplift += r[i].revenue_recommended;
		if (isfinite(r[i].revenue_current))
			uplift -= r[i].revenue_current;
		if (!shown(r[i].channel, channel))
			continue;
		struct chart_bar *b = &rows->bars[k++];
		snprintf(b->channel, sizeof b->channel, "%s", r[i].channel);
		b->current = r[i].current, b->recommended = r[i].recommended;
	}
	qsort(rows->bars, (size_t)k, sizeof *rows->bars, by_recommended_desc);
	data->bars = rows->bars;
	data->nbars = k;
	if (k > 0) {
		size_t len = strlen(data->subtitle);
		snprintf(data->subtitle + len, sizeof data->subtitle - len, "%sexpected uplift %+.0f a day",
			 len ? " · " : "", uplift);
	}
	return 0;
}

/* Room for one more point in each panel. */
static struct chart_point *next_points(struct chart_data *data, struct chart_rows *rows)
{
	int n = data->panels[0].n;
	if (n == rows->cap) {
		int cap = rows->cap ? 2 * rows->cap : 256;
		for (int k = 0; k < 2; k++) {
			struct chart_point *grown = realloc(rows->points[k], sizeof *grown * (size_t)cap);
			if (grown == NULL)
				return NULL;
			rows->points[k] = grown;
		}
		rows->cap = cap;
	}
	for (int k = 0; k < 2; k++) {
		data->panels[k].points = rows->points[k];
		data->panels[k].n = n + 1;
	}
	return &rows->points[0][n];
}

static void set_point(struct chart_point *p, long day, int forecast, double v, double lo80, double hi80,
		      double lo95, double hi95)
{
	*p = (struct chart_point){ day, forecast, v, lo80, hi80, lo95, hi95 };
}

int chart_results_roi_day(struct chart_data *data, struct chart_rows *rows, const struct result_roi_day *r)
{
	struct chart_point *top = next_points(data, rows);
	if (top == NULL)
		return -1;
	struct chart_point *bottom = &rows->points[1][data->panels[1].n - 1];
	set_point(top, r->day, r->forecast, r->roi, r->roi_lower_80, r->roi_upper_80, r->roi_lower_95,
		  r->roi_upper_95);
	set_point(bottom, r->day, r->forecast, r->conversions, r->conversions_lower_80,
		  r->conversions_upper_80, r->conversions_lower_95, r->conversions_upper_95);
	return 0;
}

int chart_results_reach_day(struct chart_data *data, struct chart_rows *rows,
			    const struct result_reach_day *r)
{
	struct chart_point *top = next_points(data, rows);
	if (top == NULL)
		return -1;
	struct chart_point *bottom = &rows->points[1][data->panels[1].n - 1];
	set_point(top, r->day, r->forecast, r->reach, NAN, NAN, r->reach_lower_95, r->reach_upper_95);
	set_point(bottom, r->day, r->forecast, r->ctr, NAN, NAN, r->ctr_lower_95, r->ctr_upper_95);
	return 0;
}
