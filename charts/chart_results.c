#include "chart_results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

_Static_assert(CHART_LEADS == RESULT_LEADS, "the accuracy chart has a place for each lead time");

void chart_rows_free(struct chart_rows *rows)
{
	free(rows->bars);
	free(rows->points[0]);
	free(rows->points[1]);
	for (int i = 0; rows->days != NULL && i < rows->ncurves; i++)
		free(rows->days[i]);
	free(rows->days);
	free(rows->days_cap);
	free(rows->curves);
	free(rows->models);
	free(rows->marks[0]);
	free(rows->marks[1]);
	free(rows->accuracy);
	memset(rows, 0, sizeof *rows);
}

/* The charts of one value per channel (no time axis). */
static int is_bars(enum chart_kind kind)
{
	return kind == CHART_ROI_FORECAST || kind == CHART_BUDGET || kind == CHART_BUDGET_CURVES;
}

void chart_results_begin(enum chart_kind kind, const char *run_time, const char *channel,
			 struct chart_data *data, struct chart_rows *rows)
{
	memset(data, 0, sizeof *data);
	memset(rows, 0, sizeof *rows);
	data->kind = kind;
	int timed = run_time != NULL && *run_time;
	if (kind == CHART_ACCURACY) { /* chart_results_accuracy puts the metric first */
		data->coverage_of = -1;
		for (int i = 0; i < CHART_LEADS; i++)
			data->leads[i] = result_leads[i];
	}
	if (kind == CHART_BUDGET_CURVES || kind == CHART_ACCURACY) { /* one channel, or every one */
		snprintf(data->subtitle, sizeof data->subtitle, "%s%s%s%s", timed ? "run of " : "",
			 timed ? run_time : "", timed && *channel ? " · " : "", channel);
		return;
	}
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

/* The plan's uplift and how sure it is, after the subtitle; an uplift the
 * data cannot tell from none says so, and the chart shows it in warning. */
static void uplift_subtitle(struct chart_data *data, const struct result_budget *r, int n)
{
	struct plan_uplift u;
	plan_uplift_of_rows(r, n, &u);
	size_t len = strlen(data->subtitle);
	const char *sep = len ? " · " : "";
	if (u.uncertain && isfinite(u.low))
		snprintf(data->subtitle + len, sizeof data->subtitle - len,
			 "%snot sure: uplift %+.0f a day, its 80%% interval %+.0f to %+.0f%s", sep, u.uplift,
			 u.low, u.high, u.low <= 0 && u.high >= 0 ? " includes zero" : ", some curves unmeasured");
	else if (u.uncertain)
		snprintf(data->subtitle + len, sizeof data->subtitle - len,
			 "%snot sure: uplift %+.0f a day, how sure unknown (curves unmeasured)", sep, u.uplift);
	else if (isfinite(u.low))
		snprintf(data->subtitle + len, sizeof data->subtitle - len,
			 "%sexpected uplift %+.0f a day (80%%: %+.0f to %+.0f)", sep, u.uplift, u.low, u.high);
	else
		snprintf(data->subtitle + len, sizeof data->subtitle - len, "%sexpected uplift %+.0f a day",
			 sep, u.uplift);
	data->subtitle_warns = u.uncertain;
}

int chart_results_budget(struct chart_data *data, struct chart_rows *rows,
			 const struct result_budget *r, int n, const char *channel)
{
	if (bars_alloc(rows, n) != 0)
		return -1;
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (!shown(r[i].channel, channel))
			continue;
		struct chart_bar *b = &rows->bars[k++];
		snprintf(b->channel, sizeof b->channel, "%s", r[i].channel);
		b->current = r[i].current, b->recommended = r[i].recommended;
	}
	qsort(rows->bars, (size_t)k, sizeof *rows->bars, by_recommended_desc);
	data->bars = rows->bars;
	data->nbars = k;
	if (k > 0)
		uplift_subtitle(data, r, n);
	return 0;
}

/* --- response curves --------------------------------------------------------- */

/* Panels with a curve first, then the largest recommendation, ties by name. */
static int by_curve_then_recommended(const void *a, const void *b)
{
	const struct chart_curve *x = a, *y = b;
	if (x->has_curve != y->has_curve)
		return y->has_curve - x->has_curve;
	if (x->recommended != y->recommended && isfinite(x->recommended) && isfinite(y->recommended))
		return (x->recommended < y->recommended) - (x->recommended > y->recommended);
	return strcmp(x->channel, y->channel);
}

/* "420", "1.2k": a spend short enough for a panel's title. */
static void short_amount(double v, char *buf, size_t len)
{
	if (fabs(v) >= 1e4)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else
		snprintf(buf, len, "%.*f", fabs(v) < 10 ? 1 : 0, v);
}

static void curve_shape(const struct response_curve *k, char *buf, size_t len)
{
	if (k->kind == CURVE_NONE) {
		buf[0] = '\0';
	} else if (curve_still_rising(k)) {
		/* its threshold is where the fit held it, past every day it saw */
		snprintf(buf, len, "S-curve, " CURVE_STILL_RISING);
	} else if (curve_is_s_shaped(k)) {
		char at[32];
		short_amount(curve_inflection_fitted(k), at, sizeof at);
		snprintf(buf, len, "S-curve, threshold %s/day", at);
	} else {
		snprintf(buf, len, k->shape_undecided ? "concave (an S-shape not ruled out)" : "concave");
	}
}

int chart_results_curves(struct chart_data *data, struct chart_rows *rows,
			 const struct result_budget *r, int n, const char *channel)
{
	size_t slots = (size_t)(n ? n : 1);
	rows->curves = calloc(slots, sizeof *rows->curves);
	rows->models = calloc(slots, sizeof *rows->models);
	rows->days = calloc(slots, sizeof *rows->days);
	rows->days_cap = calloc(slots, sizeof *rows->days_cap);
	if (rows->curves == NULL || rows->models == NULL || rows->days == NULL || rows->days_cap == NULL)
		return -1;
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (*channel && strcmp(r[i].channel, channel) != 0)
			continue;
		struct chart_curve *c = &rows->curves[k++];
		snprintf(c->channel, sizeof c->channel, "%s", r[i].channel);
		c->has_curve = r[i].curve.kind != CURVE_NONE;
		curve_shape(&r[i].curve, c->shape, sizeof c->shape);
		c->current = c->has_curve ? r[i].current : NAN;
		c->recommended = c->has_curve ? r[i].recommended : NAN;
		/* The bound the recommendation could have reached, kept in x_max
		 * until chart_results_curves_done widens it to the days. */
		c->x_max = c->has_curve && isfinite(r[i].upper) ? r[i].upper : 0;
	}
	/* The models go with their panels: sort both by one permutation. */
	qsort(rows->curves, (size_t)k, sizeof *rows->curves, by_curve_then_recommended);
	for (int j = 0; j < k; j++)
		for (int i = 0; i < n; i++)
			if (strcmp(r[i].channel, rows->curves[j].channel) == 0)
				rows->models[j] = r[i].curve;
	rows->ncurves = k;
	data->curves = rows->curves;
	data->ncurves = k;
	return 0;
}

int chart_results_curve_day(struct chart_data *data, struct chart_rows *rows, const char *channel,
			    const struct result_budget_day *d)
{
	(void)data;
	if (!isfinite(d->spend) || !isfinite(d->revenue))
		return 0;
	for (int i = 0; i < rows->ncurves; i++) {
		struct chart_curve *c = &rows->curves[i];
		if (strcmp(c->channel, channel) != 0)
			continue;
		if (c->ndays == rows->days_cap[i]) {
			int cap = rows->days_cap[i] ? 2 * rows->days_cap[i] : 128;
			struct chart_spend_day *grown = realloc(rows->days[i], sizeof *grown * (size_t)cap);
			if (grown == NULL)
				return -1;
			rows->days[i] = grown;
			rows->days_cap[i] = cap;
		}
		rows->days[i][c->ndays++] = (struct chart_spend_day){ d->spend, d->revenue };
		c->days = rows->days[i];
		return 0;
	}
	return 0;
}

#define BOUND_SHOWN_WITHIN 3.0 /* times the largest spend, seen or advised */

void chart_results_curves_done(struct chart_data *data, struct chart_rows *rows)
{
	(void)data;
	for (int i = 0; i < rows->ncurves; i++) {
		struct chart_curve *c = &rows->curves[i];
		double bound = c->x_max, top = 0;
		for (int d = 0; d < c->ndays; d++)
			top = c->days[d].spend > top ? c->days[d].spend : top;
		if (isfinite(c->recommended) && c->recommended > top)
			top = c->recommended;
		if (isfinite(c->current) && c->current > top)
			top = c->current;
		/* The upper bound shows the room left, unless it is far out (a
		 * bound of a million a day beside spends of 300 put every day in
		 * the first pixels). */
		if (bound > top && (top == 0 || bound <= BOUND_SHOWN_WITHIN * top))
			top = bound;
		c->x_max = top > 0 ? top * 1.08 : 1;
		for (int s = 0; s < CHART_CURVE_SAMPLES; s++) {
			double spend = c->x_max * s / (CHART_CURVE_SAMPLES - 1);
			if (!c->has_curve) {
				c->revenue[s] = c->lo80[s] = c->hi80[s] = NAN;
				continue;
			}
			c->revenue[s] = curve_value(&rows->models[i], spend);
			curve_band(&rows->models[i], spend, PLAN_BAND_LEVEL, &c->lo80[s], &c->hi80[s]);
		}
	}
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

/* --- anomalies (#16) --------------------------------------------------------- */

/* The metric of each panel of a time series chart, -1 for none. */
static int panel_metric(enum chart_kind kind, int panel)
{
	if (kind == CHART_ROI_TIMESERIES)
		return panel == 0 ? METRIC_ROI : METRIC_CONVERSIONS;
	if (kind == CHART_REACH_CTR)
		return panel == 0 ? METRIC_REACH : METRIC_CTR;
	return -1;
}

/* One more mark on panel k. */
static int add_mark(struct chart_data *data, struct chart_rows *rows, int k, const struct chart_mark *m)
{
	if (data->nmarks[k] == rows->marks_cap[k]) {
		int cap = rows->marks_cap[k] ? 2 * rows->marks_cap[k] : 16;
		struct chart_mark *grown = realloc(rows->marks[k], sizeof *grown * (size_t)cap);
		if (grown == NULL)
			return -1;
		rows->marks[k] = grown;
		rows->marks_cap[k] = cap;
	}
	rows->marks[k][data->nmarks[k]++] = *m;
	data->marks[k] = rows->marks[k];
	return 0;
}

int chart_results_anomalies(struct chart_data *data, struct chart_rows *rows,
			    const struct result_anomaly *a, int n, const char *channel)
{
	const char *shown_channel = *channel ? channel : RESULT_TOTAL_CHANNEL;
	for (int i = 0; i < n; i++) {
		if (strcmp(a[i].channel, shown_channel) != 0)
			continue;
		for (int k = 0; k < 2; k++) {
			if (panel_metric(data->kind, k) != (int)a[i].metric)
				continue;
			struct chart_mark m = { a[i].day, a[i].actual, a[i].direction > 0 ? 1 : -1 };
			if (add_mark(data, rows, k, &m) != 0)
				return -1;
		}
	}
	return 0;
}

/* --- forecast accuracy (#16) ---------------------------------------------------- */

/* The metrics as the subtitle names them. */
static const char *const metric_labels[METRIC__MAX] = {
	[METRIC_SPEND] = "spend", [METRIC_REVENUE] = "revenue", [METRIC_ROI] = "ROI",
	[METRIC_CONVERSIONS] = "conversions", [METRIC_REACH] = "reach", [METRIC_CTR] = "CTR",
};

/* A channel's line and how many forecasts were scored for it (the order). */
struct ranked_accuracy {
	struct chart_accuracy line;
	long scored;
};

/* The total first, then the most forecasts scored, ties by name. */
static int by_total_then_scored(const void *a, const void *b)
{
	const struct ranked_accuracy *x = a, *y = b;
	if (x->line.total != y->line.total)
		return y->line.total - x->line.total;
	if (x->scored != y->scored)
		return x->scored < y->scored ? 1 : -1;
	return strcmp(x->line.channel, y->line.channel);
}

/* The place of lead in data->leads, or -1. */
static int lead_slot(const struct chart_data *data, int lead)
{
	for (int j = 0; j < CHART_LEADS; j++)
		if (data->leads[j] == lead)
			return j;
	return -1;
}

int chart_results_accuracy(struct chart_data *data, struct chart_rows *rows,
			   const struct result_accuracy *r, int n, int metric, int window_days,
			   const char *channel)
{
	struct ranked_accuracy *ranked = calloc((size_t)(n ? n : 1), sizeof *ranked);
	free(rows->accuracy);
	rows->accuracy = calloc((size_t)(n ? n : 1), sizeof *rows->accuracy);
	if (ranked == NULL || rows->accuracy == NULL) {
		free(ranked);
		return -1;
	}
	int k = 0;
	for (int i = 0; i < n; i++) {
		const struct result_accuracy *row = &r[i];
		int slot = lead_slot(data, row->lead_days);
		if ((int)row->metric != metric || row->window_days != window_days || slot < 0 ||
		    (*channel && strcmp(row->channel, channel) != 0))
			continue;
		int c = 0;
		while (c < k && strcmp(ranked[c].line.channel, row->channel) != 0)
			c++;
		struct chart_accuracy *line = &ranked[c].line;
		if (c == k) { /* a channel not seen yet: every lead a gap until scored */
			k++;
			snprintf(line->channel, sizeof line->channel, "%s", row->channel);
			line->total = strcmp(row->channel, RESULT_TOTAL_CHANNEL) == 0;
			for (int j = 0; j < CHART_LEADS; j++)
				line->mase[j] = line->coverage_80[j] = line->coverage_95[j] = NAN;
		}
		if (row->n <= 0)
			continue; /* nothing scored: a gap, whatever the row says */
		ranked[c].scored += row->n;
		line->mase[slot] = row->mase;
		if (row->n_banded > 0) {
			line->coverage_80[slot] = row->coverage_80;
			line->coverage_95[slot] = row->coverage_95;
		}
	}
	qsort(ranked, (size_t)k, sizeof *ranked, by_total_then_scored);
	const char *covered = *channel ? channel : RESULT_TOTAL_CHANNEL;
	data->coverage_of = -1;
	for (int c = 0; c < k; c++) {
		rows->accuracy[c] = ranked[c].line;
		if (strcmp(ranked[c].line.channel, covered) == 0)
			data->coverage_of = c;
	}
	free(ranked);
	data->accuracy = rows->accuracy;
	data->naccuracy = k;
	/* "revenue · last 90 days", before what chart_results_begin wrote. */
	char first[64];
	int len = snprintf(first, sizeof first, "%s · last %d days%s",
			   metric >= 0 && metric < METRIC__MAX ? metric_labels[metric] : "?", window_days,
			   *data->subtitle ? " · " : "");
	size_t room = sizeof data->subtitle - 1, pre = len > 0 && (size_t)len < sizeof first ? (size_t)len : 0;
	size_t rest = strlen(data->subtitle);
	rest = rest < room - pre ? rest : room - pre;
	memmove(data->subtitle + pre, data->subtitle, rest);
	memcpy(data->subtitle, first, pre);
	data->subtitle[pre + rest] = '\0';
	return 0;
}

long chart_results_first_day(const struct chart_data *data)
{
	long first = -1;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < data->panels[k].n; i++)
			if (first < 0 || data->panels[k].points[i].day < first)
				first = data->panels[k].points[i].day;
	return first;
}
