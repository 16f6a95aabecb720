/*
 * chart_bench: time to draw each dashboard (data in, PNG bytes out) at
 * 800x400 and 1600x900, with data shaped like a real run: six channels, 90
 * days of actuals and 30 of forecasts.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "chart.h"
#include "chart_results.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	enum { DAYS = 120, RUNS = 40 };
	static struct chart_point roi[DAYS], conv[DAYS];
	for (int i = 0; i < DAYS; i++) {
		int f = i >= 90;
		double r = 0.5 + 0.2 * sin(i * 0.9), c = 80 + 15 * sin(i * 0.9 + 1);
		roi[i] = (struct chart_point){ 20000 + i, f, r, f ? r - 0.2 : NAN, f ? r + 0.2 : NAN,
					       f ? r - 0.4 : NAN, f ? r + 0.4 : NAN };
		conv[i] = (struct chart_point){ 20000 + i, f, c, f ? c - 8 : NAN, f ? c + 8 : NAN,
						f ? c - 15 : NAN, f ? c + 15 : NAN };
	}
	static const char *const names[] = { "google_ads", "meta", "tiktok", "email", "display", "youtube" };
	struct chart_bar bars[6];
	for (int i = 0; i < 6; i++) {
		bars[i] = (struct chart_bar){ .value = 1.5 - 0.3 * i, .lo80 = 1.2 - 0.3 * i, .hi80 = 1.8 - 0.3 * i,
					      .lo95 = 1.0 - 0.3 * i, .hi95 = 2.0 - 0.3 * i,
					      .current = 500 + 100 * i, .recommended = 800 - 60 * i };
		snprintf(bars[i].channel, sizeof bars[i].channel, "%s", names[i]);
	}
	/* Response curves: six concave curves with a band, 90 observed days each. */
	static struct chart_curve curves[6];
	static struct chart_spend_day observed[6][90];
	for (int i = 0; i < 6; i++) {
		struct chart_curve *c = &curves[i];
		double base = 500 + 100 * i;
		snprintf(c->channel, sizeof c->channel, "%s", names[i]);
		snprintf(c->shape, sizeof c->shape, "concave");
		c->has_curve = 1, c->x_max = 2.2 * base, c->current = base, c->recommended = 1.4 * base;
		for (int k = 0; k < CHART_CURVE_SAMPLES; k++) {
			double s = c->x_max * k / (CHART_CURVE_SAMPLES - 1), v = 3 * base * s / (s + base);
			c->revenue[k] = v, c->lo80[k] = 0.9 * v, c->hi80[k] = 1.1 * v;
		}
		for (int d = 0; d < 90; d++) {
			double s = base * (0.6 + 0.8 * (d % 17) / 16.0);
			observed[i][d] = (struct chart_spend_day){ s, 3 * base * s / (s + base) * (1 + 0.1 * sin(d)) };
		}
		c->days = observed[i], c->ndays = 90;
	}
	struct chart_data data[CHART__MAX] = {
		{ .kind = CHART_ROI_FORECAST, .bars = bars, .nbars = 6, .subtitle = "run of 2026-11-25 21:00 UTC" },
		{ .kind = CHART_ROI_TIMESERIES, .subtitle = "run of 2026-11-25 21:00 UTC",
		  .panels = { { "ROI", 1, roi, DAYS }, { "Conversions", 0, conv, DAYS } } },
		{ .kind = CHART_REACH_CTR, .subtitle = "run of 2026-11-25 21:00 UTC",
		  .panels = { { "Reach", 0, conv, DAYS }, { "Click-through rate", 1, roi, DAYS } } },
		{ .kind = CHART_BUDGET, .bars = bars, .nbars = 6, .subtitle = "run of 2026-11-25 21:00 UTC" },
		{ .kind = CHART_BUDGET_CURVES, .curves = curves, .ncurves = 6,
		  .subtitle = "run of 2026-11-25 21:00 UTC" },
	};
	/* Forecast accuracy: the six channels and the total, scored at every lead. */
	static struct result_accuracy scores[7 * RESULT_LEADS];
	for (int i = 0; i < 7; i++)
		for (int l = 0; l < RESULT_LEADS; l++) {
			struct result_accuracy *a = &scores[i * RESULT_LEADS + l];
			snprintf(a->channel, sizeof a->channel, "%s", i < 6 ? names[i] : RESULT_TOTAL_CHANNEL);
			a->metric = CHART_ACCURACY_METRIC, a->window_days = CHART_ACCURACY_WINDOW;
			a->lead_days = result_leads[l], a->n = a->n_banded = 90;
			a->mase = 0.6 + 0.1 * i + 0.02 * result_leads[l], a->smape = 20, a->bias = 0;
			a->coverage_80 = 0.8 - 0.005 * l, a->coverage_95 = 0.94 - 0.004 * l;
		}
	struct chart_rows accuracy_rows;
	chart_results_begin(CHART_ACCURACY, "2026-11-25 21:00 UTC", "", &data[CHART_ACCURACY], &accuracy_rows);
	if (chart_results_accuracy(&data[CHART_ACCURACY], &accuracy_rows, scores, 7 * RESULT_LEADS,
				   CHART_ACCURACY_METRIC, CHART_ACCURACY_WINDOW, "") != 0)
		return 1;
	static const int sizes[2][2] = { { 800, 400 }, { 1600, 900 } };
	struct chart_text_cache *cache = chart_text_cache_new();
	printf("%-24s %12s %12s %14s %14s\n", "chart", "800x400 ms", "1600x900 ms", "cached text", "cached text");
	for (int k = 0; k < CHART__MAX; k++) {
		double ms[4];
		for (int s = 0; s < 4; s++) {
			struct chart_style st = { sizes[s % 2][0], sizes[s % 2][1], 0, s >= 2 ? cache : NULL };
			unsigned char *png;
			int size;
			chart_render(&data[k], &st, &png, &size); /* warm the font cache */
			chart_free(png);
			double t0 = now();
			for (int r = 0; r < RUNS; r++) {
				chart_render(&data[k], &st, &png, &size);
				chart_free(png);
			}
			ms[s] = (now() - t0) / RUNS * 1e3;
		}
		printf("%-24s %12.2f %12.2f %14.2f %14.2f\n", chart_names[k], ms[0], ms[1], ms[2], ms[3]);
	}
	chart_text_cache_free(cache);
	chart_rows_free(&accuracy_rows);
	return 0;
}
