/* mldash render: one chart of the latest ML run, to a PNG file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "chart_results.h"
#include "commands.h"
#include "history.h"
#include "log.h"
#include "predictions.h"
#include "runs.h"

static const char render_usage[] =
	"render roi-forecast|roi-timeseries|reach-ctr|budget-recommendation|budget-curves|accuracy -o FILE.png"
	" [--width W] [--height H] [--theme light|dark] [--days D] [--channel C]"
	" [--metric spend|revenue|roi|conversions|reach|ctr] [--window 30|90]";

/* The accuracy chart's view: which metric's scores, over which window. */
struct accuracy_view {
	int metric, window;
};

static int add_roi_point(void *ctx, const char *channel, const struct result_roi_day *d)
{
	(void)channel;
	void **dr = ctx;
	return chart_results_roi_day(dr[0], dr[1], d) != 0;
}

static int add_reach_point(void *ctx, const char *channel, const struct result_reach_day *d)
{
	(void)channel;
	void **dr = ctx;
	return chart_results_reach_day(dr[0], dr[1], d) != 0;
}

static int add_curve_day(void *ctx, const char *channel, const struct result_budget_day *d)
{
	void **dr = ctx;
	return chart_results_curve_day(dr[0], dr[1], channel, d) != 0;
}

/* The run's anomalies on the days the time series shows, marked. */
static enum db_status mark_anomalies(struct db *db, long long run, const char *channel, struct chart_data *data,
				     struct chart_rows *rows)
{
	long first = chart_results_first_day(data);
	if (first < 0)
		return DB_OK;
	struct result_anomaly *a;
	int n;
	enum db_status st = history_anomalies(db, run, channel, -1, first, &a, &n);
	if (st == DB_OK && chart_results_anomalies(data, rows, a, n, channel) != 0)
		st = DB_ERROR;
	free(a);
	return st;
}

/* The run's scores of the view's metric and window. */
static enum db_status accuracy_lines(struct db *db, long long run, const char *channel,
				     const struct accuracy_view *view, struct chart_data *data,
				     struct chart_rows *rows)
{
	struct result_accuracy *r;
	int n;
	enum db_status st = history_accuracy(db, run, channel, view->metric, view->window, &r, &n);
	if (st == DB_OK && chart_results_accuracy(data, rows, r, n, view->metric, view->window, channel) != 0)
		st = DB_ERROR;
	free(r);
	return st;
}

/* The chart's data from the run's results, as the API draws it. */
static enum db_status load(struct db *db, const struct run_ref *run, int kind, const char *channel,
			   int days, const struct accuracy_view *view, struct chart_data *data,
			   struct chart_rows *rows)
{
	char when[40] = "";
	if (run->id != 0)
		snprintf(when, sizeof when, "%.10s %.5s UTC", run->finished_at, run->finished_at + 11);
	chart_results_begin((enum chart_kind)kind, when, channel, data, rows);
	if (run->id == 0)
		return DB_OK;
	void *ctx[2] = { data, rows };
	const char *series = *channel ? channel : RESULT_TOTAL_CHANNEL;
	enum db_status st;
	if (kind == CHART_ROI_TIMESERIES || kind == CHART_REACH_CTR) {
		st = kind == CHART_ROI_TIMESERIES ? prediction_roi_days(db, run->id, series, days, add_roi_point, ctx)
						  : prediction_reach_days(db, run->id, series, days, add_reach_point, ctx);
		return st == DB_OK ? mark_anomalies(db, run->id, series, data, rows) : st;
	}
	if (kind == CHART_ACCURACY)
		return accuracy_lines(db, run->id, channel, view, data, rows);
	if (kind == CHART_BUDGET || kind == CHART_BUDGET_CURVES) {
		struct result_budget *b;
		int n;
		if ((st = prediction_budget(db, run->id, &b, &n)) != DB_OK)
			return st;
		int failed = kind == CHART_BUDGET ? chart_results_budget(data, rows, b, n, channel)
						  : chart_results_curves(data, rows, b, n, channel);
		free(b);
		if (failed)
			return DB_ERROR;
		if (kind == CHART_BUDGET_CURVES) {
			st = prediction_budget_days(db, run->id, channel, days, add_curve_day, ctx);
			chart_results_curves_done(data, rows);
		}
		return st;
	}
	struct result_roi_forecast *f;
	int n;
	if ((st = prediction_forecasts(db, run->id, "", &f, &n)) != DB_OK)
		return st;
	st = chart_results_forecasts(data, rows, f, n, channel) == 0 ? DB_OK : DB_ERROR;
	free(f);
	return st;
}

static int write_file(const char *path, const unsigned char *png, int size)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	int ok = fwrite(png, 1, (size_t)size, f) == (size_t)size;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int cmd_render(const struct mldash_config *cfg, int argc, char **argv)
{
	static const struct option options[] = {
		{ "out", required_argument, NULL, 'o' },   { "width", required_argument, NULL, 'w' },
		{ "height", required_argument, NULL, 'h' }, { "theme", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'd' },   { "channel", required_argument, NULL, 'c' },
		{ "metric", required_argument, NULL, 'm' }, { "window", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'H' },         { NULL, 0, NULL, 0 },
	};
	struct accuracy_view view = { CHART_ACCURACY_METRIC, CHART_ACCURACY_WINDOW };
	struct chart_style style = { CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, 0, NULL };
	const char *out = NULL, *channel = "";
	int days = 0, opt;
	optind = 0; /* GNU getopt: 0 re-initialises it for this option string */
	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'w': style.width = atoi(optarg); break;
		case 'h': style.height = atoi(optarg); break;
		case 't':
			if (strcmp(optarg, "dark") != 0 && strcmp(optarg, "light") != 0) {
				log_error("render: --theme must be light or dark, got '%s'", optarg);
				return 2;
			}
			style.dark = strcmp(optarg, "dark") == 0;
			break;
		case 'd': days = atoi(optarg); break;
		case 'c': channel = optarg; break;
		case 'm':
			if ((view.metric = result_metric_parse(optarg)) < 0) {
				log_error("render: --metric must be spend, revenue, roi, conversions, reach or ctr, got '%s'",
					  optarg);
				return 2;
			}
			break;
		case 'W':
			view.window = atoi(optarg);
			if (view.window != result_windows[0] && view.window != result_windows[RESULT_WINDOWS - 1]) {
				log_error("render: --window must be %d or %d, got '%s'", result_windows[0],
					  result_windows[RESULT_WINDOWS - 1], optarg);
				return 2;
			}
			break;
		case 'H': printf("usage: mldash %s\n", render_usage); return 0;
		default: return 2;
		}
	}
	int kind = optind < argc ? chart_kind_from_name(argv[optind]) : -1;
	if (kind < 0 || optind + 1 != argc || out == NULL) {
		log_error("render: usage: %s", render_usage);
		return 2;
	}
	if (style.width < 200 || style.width > 4000 || style.height < 150 || style.height > 3000 ||
	    days < 0 || days > 730) {
		log_error("render: width 200-4000, height 150-3000, days 0-730");
		return 2;
	}
	struct event_calendar *calendar;
	char err[1024];
	if (calendar_load(cfg, &calendar, err, sizeof err) != 0) {
		log_error("render: %s", err);
		return 1;
	}
	struct db *db = db_new(cfg);
	if (db == NULL || db_connect(db) != DB_OK) {
		log_error("render: cannot connect to MariaDB: %s", db ? db_error(db) : "out of memory");
		db_free(db);
		event_calendar_free(calendar);
		return 1;
	}
	struct run_ref run;
	struct chart_data data;
	struct chart_rows rows = { 0 };
	unsigned char *png = NULL;
	int size = 0, rc = 1;
	int loaded = runs_latest(db, "ml_sync", &run) == DB_OK &&
		     load(db, &run, kind, channel, days, &view, &data, &rows) == DB_OK;
	if (loaded)
		data.calendar = calendar; /* the events the ML sync reckons with */
	if (!loaded)
		log_error("render: reading the run failed: %s", db_error(db));
	else if (chart_render(&data, &style, &png, &size) != 0)
		log_error("render: drawing failed");
	else if (write_file(out, png, size) != 0)
		log_error("render: cannot write %s", out);
	else
		rc = 0;
	chart_free(png);
	chart_rows_free(&rows);
	db_free(db);
	event_calendar_free(calendar);
	return rc;
}
