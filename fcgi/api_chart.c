/*
 * api_chart: GET /{chart}/chart (and /budget-recommendation/curves/chart,
 * the budget's response curves, and /accuracy/chart, the forecasts' scores
 * by lead time). The default view of the latest run comes from the charts
 * the ML sync drew; any other view (size, theme, days, channel, a budget
 * scenario, the accuracy's metric and window), or a default the run did not
 * store, is drawn from the run's results, the time series with the run's
 * anomalies marked. Either way a worker keeps the PNG for the same request
 * again (api_data).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_budget.h"
#include "chart_results.h"
#include "handlers.h"
#include "history.h"
#include "predictions.h"
#include "query.h"
#include "response.h"

/* Each chart's place in the API: its route is "/<path>/chart". */
static const char *const chart_paths[CHART__MAX] = {
	[CHART_ROI_FORECAST] = "roi-forecast",
	[CHART_ROI_TIMESERIES] = "roi-timeseries",
	[CHART_REACH_CTR] = "reach-ctr",
	[CHART_BUDGET] = "budget-recommendation",
	[CHART_BUDGET_CURVES] = "budget-recommendation/curves",
	[CHART_ACCURACY] = "accuracy",
};

/* The chart named by the route's path: ".../roi-forecast/chart",
 * ".../budget-recommendation/curves/chart"; -1 for none. */
static int chart_of_path(const char *path)
{
	size_t len = strlen(path), suffix = strlen("/chart");
	if (len <= suffix || strcmp(path + len - suffix, "/chart") != 0)
		return -1;
	for (int k = 0; k < CHART__MAX; k++) {
		size_t n = strlen(chart_paths[k]);
		if (len - suffix > n && strncmp(path + len - suffix - n, chart_paths[k], n) == 0 &&
		    path[len - suffix - n - 1] == '/')
			return k;
	}
	return -1;
}

/* The accuracy chart's view: which metric's scores, over which window. */
struct accuracy_view {
	int metric, window;
};

/* The accuracy chart's metric and window (CHART_ACCURACY_METRIC and
 * _WINDOW when not asked); -1 with a 400 naming the parameter. */
static int read_accuracy_view(const struct request *req, struct accuracy_view *v, struct response *resp)
{
	char value[32];
	v->metric = CHART_ACCURACY_METRIC;
	v->window = CHART_ACCURACY_WINDOW;
	int rc = query_get(req->query, "metric", value, sizeof value);
	if (rc != 0 && (rc < 0 || (v->metric = result_metric_parse(value)) < 0)) {
		response_error(resp, 400, "bad_parameter",
			       "parameter 'metric' must be spend, revenue, roi, conversions, reach or ctr");
		return -1;
	}
	if ((rc = query_get(req->query, "window", value, sizeof value)) == 0)
		return 0;
	for (int i = 0; rc > 0 && i < RESULT_WINDOWS; i++) {
		char days[16];
		snprintf(days, sizeof days, "%d", result_windows[i]);
		if (strcmp(value, days) == 0) {
			v->window = result_windows[i];
			return 0;
		}
	}
	response_error(resp, 400, "bad_parameter", "parameter 'window' must be %d or %d (days)", result_windows[0],
		       result_windows[RESULT_WINDOWS - 1]);
	return -1;
}

/* The parameters of a chart request: the data's, then the drawing's. */
static int read_chart_params(const struct request *req, int kind, struct params *p, struct accuracy_view *view,
			     struct chart_style *style, struct response *resp)
{
	static const char *const allowed[] = { "width", "height", "theme", "days", "channel", NULL };
	/* The budget chart takes the budget answer's scenario parameters too. */
	static const char *const budget_allowed[] = { "width", "height", "theme", "days", "channel",
						      "total", "target_roi", "freeze", "bounds", NULL };
	/* The accuracy chart: its scores' metric and window instead of days. */
	static const char *const accuracy_allowed[] = { "width", "height", "theme", "channel", "metric",
							"window", NULL };
	/* The response curves take the same as the time series; their days
	 * keeps the observed days within that many of the run's last. */
	const char *const *names = kind == CHART_BUDGET ? budget_allowed : kind == CHART_ACCURACY ? accuracy_allowed
											   : allowed;
	view->metric = CHART_ACCURACY_METRIC;
	view->window = CHART_ACCURACY_WINDOW;
	if (api_read_params(req, names, p, resp) != 0 ||
	    (kind == CHART_ACCURACY && read_accuracy_view(req, view, resp) != 0) ||
	    api_int_param(req, "width", 200, CHART_WIDTH_MAX, &style->width, resp) != 0 ||
	    api_int_param(req, "height", 150, CHART_HEIGHT_MAX, &style->height, resp) != 0)
		return -1;
	char theme[16];
	int rc = query_get(req->query, "theme", theme, sizeof theme);
	if (rc != 0) {
		if (rc < 0 || (strcmp(theme, "light") != 0 && strcmp(theme, "dark") != 0)) {
			response_error(resp, 400, "bad_parameter", "parameter 'theme' must be light or dark");
			return -1;
		}
		style->dark = strcmp(theme, "dark") == 0;
	}
	return 0;
}

/* Streams the run's stored PNG of the default view; returns 1 when it did. */
static int stored_chart(struct app *app, long long run, int kind, struct response *resp)
{
	unsigned char *png;
	size_t len;
	char etag[24];
	if (prediction_chart(app->db, run, chart_names[kind], CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT,
			     "light", etag, &png, &len) != DB_OK || png == NULL)
		return 0;
	int done = response_set_body(resp, 200, "image/png", png, len) == 0;
	if (done)
		snprintf(resp->etag, sizeof resp->etag, "%s", etag);
	free(png);
	return done;
}

/* The run's budget rows into *ch (free()); -1 with the database's failure
 * answered. */
static int run_budget(struct app *app, long long run, struct result_budget **ch, int *n,
		      struct response *resp)
{
	enum db_status st = prediction_budget(app->db, run, ch, n);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	return 0;
}

/* The bars of the budget chart, for the scenario of p when it asks for one
 * (the recommended spends and uplift the budget answer gives for it). */
static int budget_bars(struct app *app, long long run, const struct params *p, struct chart_data *data,
		       struct chart_rows *rows, struct response *resp)
{
	struct result_budget *ch;
	int n;
	if (run_budget(app, run, &ch, &n, resp) != 0)
		return -1;
	int rc = api_budget_scenario(p) ? api_reoptimise(ch, n, p, resp) : 0;
	if (rc == 0 && api_budget_scenario(p))
		for (int i = 0; i < n; i++) {
			ch[i].revenue_current = curve_value(&ch[i].curve, ch[i].current);
			ch[i].revenue_recommended = curve_value(&ch[i].curve, ch[i].recommended);
		}
	if (rc == 0 && chart_results_budget(data, rows, ch, n, p->channel) != 0) {
		response_error(resp, 500, "out_of_memory", "the chart could not be drawn");
		rc = -1;
	}
	if (rc == 0 && p->total >= 0) {
		size_t len = strlen(data->subtitle);
		snprintf(data->subtitle + len, sizeof data->subtitle - len, " at the asked total");
	}
	free(ch);
	return rc;
}

static int add_curve_day(void *ctx, const char *channel, const struct result_budget_day *d)
{
	struct chart_data **dr = ctx;
	return chart_results_curve_day(dr[0], (struct chart_rows *)dr[1], channel, d) != 0;
}

/* The response curves of the run (channel's, or every channel's) with the
 * days they were fitted from. A run from before the days were stored
 * draws its curves without them. */
static int curve_panels(struct app *app, long long run, const struct params *p, struct chart_data *data,
			struct chart_rows *rows, struct response *resp)
{
	struct result_budget *ch;
	int n;
	if (run_budget(app, run, &ch, &n, resp) != 0)
		return -1;
	enum db_status st;
	int failed = chart_results_curves(data, rows, ch, n, p->channel);
	free(ch);
	void *ctx[2] = { data, rows };
	if (!failed && data->ncurves > 0 &&
	    (st = prediction_budget_days(app->db, run, p->channel, p->days, add_curve_day, ctx)) != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	if (failed) {
		response_error(resp, 500, "out_of_memory", "the chart could not be drawn");
		return -1;
	}
	chart_results_curves_done(data, rows);
	return 0;
}

/* The run's scores of view's metric and window (channel's, or every
 * channel's). */
static int accuracy_lines(struct app *app, long long run, const struct params *p, const struct accuracy_view *view,
			  struct chart_data *data, struct chart_rows *rows, struct response *resp)
{
	struct result_accuracy *r;
	int n;
	enum db_status st = history_accuracy(app->db, run, p->channel, view->metric, view->window, &r, &n);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	int failed = chart_results_accuracy(data, rows, r, n, view->metric, view->window, p->channel);
	free(r);
	if (failed) {
		response_error(resp, 500, "out_of_memory", "the chart could not be drawn");
		return -1;
	}
	return 0;
}

/* The run's anomalies on the days a time series shows (from its first to
 * the run's last), marked on their metrics' panels. */
static int anomaly_marks(struct app *app, long long run, const char *channel, struct chart_data *data,
			 struct chart_rows *rows, struct response *resp)
{
	long first = chart_results_first_day(data);
	if (first < 0)
		return 0; /* no days, nothing to mark */
	struct result_anomaly *a;
	int n;
	enum db_status st = history_anomalies(app->db, run, channel, -1, first, &a, &n);
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	int failed = chart_results_anomalies(data, rows, a, n, channel);
	free(a);
	if (failed) {
		response_error(resp, 500, "out_of_memory", "the chart could not be drawn");
		return -1;
	}
	return 0;
}

static int add_roi_point(void *ctx, const char *channel, const struct result_roi_day *d)
{
	(void)channel;
	struct chart_data **dr = ctx;
	return chart_results_roi_day(dr[0], (struct chart_rows *)dr[1], d) != 0;
}

static int add_reach_point(void *ctx, const char *channel, const struct result_reach_day *d)
{
	(void)channel;
	struct chart_data **dr = ctx;
	return chart_results_reach_day(dr[0], (struct chart_rows *)dr[1], d) != 0;
}

/* Fills data with the run's results for the view of p; -1 with the answer
 * set on failure. */
static int load_chart(struct app *app, const struct run_ref *run, int kind, const struct params *p,
		      const struct accuracy_view *view, struct chart_data *data, struct chart_rows *rows,
		      struct response *resp)
{
	char when[40];
	api_run_time(run, when);
	chart_results_begin((enum chart_kind)kind, when, p->channel, data, rows);
	if (run->id == 0)
		return 0;
	if (kind == CHART_BUDGET)
		return budget_bars(app, run->id, p, data, rows, resp);
	if (kind == CHART_BUDGET_CURVES)
		return curve_panels(app, run->id, p, data, rows, resp);
	if (kind == CHART_ACCURACY)
		return accuracy_lines(app, run->id, p, view, data, rows, resp);
	enum db_status st = DB_OK;
	const char *series_channel = *p->channel ? p->channel : RESULT_TOTAL_CHANNEL;
	void *ctx[2] = { data, rows };
	if (kind == CHART_ROI_FORECAST) {
		struct result_roi_forecast *r;
		int n;
		if ((st = prediction_forecasts(app->db, run->id, "", &r, &n)) == DB_OK) {
			int drawn = chart_results_forecasts(data, rows, r, n, p->channel);
			free(r);
			if (drawn != 0) {
				response_error(resp, 500, "out_of_memory", "the chart could not be drawn");
				return -1;
			}
		}
	} else if (kind == CHART_ROI_TIMESERIES) {
		st = prediction_roi_days(app->db, run->id, series_channel, p->days, add_roi_point, ctx);
	} else {
		st = prediction_reach_days(app->db, run->id, series_channel, p->days, add_reach_point, ctx);
	}
	if (st != DB_OK) {
		api_database_failure(app, st, resp);
		return -1;
	}
	if (kind == CHART_ROI_TIMESERIES || kind == CHART_REACH_CTR)
		return anomaly_marks(app, run->id, series_channel, data, rows, resp);
	return 0;
}

void api_chart(struct app *app, const struct request *req, struct response *resp)
{
	struct params p;
	struct accuracy_view view;
	struct run_ref run;
	struct chart_style style = { CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, 0, app->text_cache };
	int kind = chart_of_path(req->path);
	if (kind < 0) {
		response_error(resp, 404, "not_found", "no such chart: %s", req->path);
		return;
	}
	if (read_chart_params(req, kind, &p, &view, &style, resp) != 0)
		return;
	enum db_status st = api_latest_run(app, &run);
	if (st != DB_OK)
		return api_database_failure(app, st, resp);
	resp->cache_control = "public, max-age=30";
	if (api_cached_answer(app, req, run.id, "image/png", resp))
		return;
	int is_default = style.width == CHART_DEFAULT_WIDTH && style.height == CHART_DEFAULT_HEIGHT &&
			 !style.dark && p.days == 0 && *p.channel == '\0' && !api_budget_scenario(&p) &&
			 view.metric == CHART_ACCURACY_METRIC && view.window == CHART_ACCURACY_WINDOW;
	if (run.id != 0 && is_default && stored_chart(app, run.id, kind, resp))
		return api_keep_answer(app, req, run.id, resp);
	struct chart_data data;
	struct chart_rows rows;
	if (load_chart(app, &run, kind, &p, &view, &data, &rows, resp) != 0) {
		chart_rows_free(&rows);
		return;
	}
	data.calendar = app->calendar;
	int empty = data.nbars == 0 && data.panels[0].n == 0 && data.ncurves == 0 && data.naccuracy == 0;
	/* No scores of a metric is no proof the channel is unknown: ask the run. */
	if (*p.channel && run.id != 0 && empty &&
	    (kind == CHART_ACCURACY ? api_channel_not_in_run(app, run.id, &p, resp)
				    : api_unknown_channel(&p, 0, resp))) {
		chart_rows_free(&rows);
		return;
	}
	unsigned char *png = NULL;
	int size = 0;
	if (chart_render(&data, &style, &png, &size) != 0)
		response_error(resp, 500, "render_failed", "the chart could not be drawn");
	else if (response_set_body(resp, 200, "image/png", png, (size_t)size) == 0)
		api_keep_answer(app, req, run.id, resp);
	chart_free(png);
	chart_rows_free(&rows);
}
