/*
 * mldash forecast: the forecasting engine on a series from standard input,
 * for analysts and for testing the engine from outside.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "commands.h"
#include "dates.h"
#include "ets.h"
#include "forecast.h"
#include "log.h"
#include "series.h"

#define MAX_LEVELS 8
#define MAX_EVENT_FILES 16

static const char *const spacing_adjective[] = { "daily", "weekly", "monthly", "quarterly",
						 "yearly" };

/* The series on standard input, its notes said; -1 after saying why not. */
static int read_series(FILE *in, struct series *se)
{
	struct series_reader *r = series_reader_new();
	if (r == NULL) {
		log_error("forecast: out of memory");
		return -1;
	}
	char buf[65536], why[300];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0 && series_reader_feed(r, buf, n) == 0)
		;
	int rc = series_reader_finish(r, se, why, sizeof why);
	series_reader_free(r);
	if (rc != 0) {
		log_error("forecast: %s", why);
		return -1;
	}
	const struct series_notes *note = &se->notes;
	if (note->header_row_data)
		log_info("forecast: row %d is data, not a header: read as the first value",
			 note->header_row_data);
	if (note->totals)
		log_info("forecast: %d row(s) of totals left out (the first: row %d)", note->totals,
			 note->first_total_row);
	if (note->slashed)
		log_info("forecast: dates like 1/2/2024 read %s",
			 note->day_first ? "day first (1 February)" : "month first (2 January)");
	if (note->trailing && se->dated) {
		int year, month, mday;
		date_civil(note->last_day, &year, &month, &mday);
		log_info("forecast: the last %zu row(s) have no value: the series ends on "
			 "%04d-%02d-%02d", note->trailing, year, month, mday);
	} else if (note->trailing) {
		log_info("forecast: the last %zu value(s) are empty: the series ends before them",
			 note->trailing);
	}
	return 0;
}

/* Days mostly without a value are often weeks or months with one date
 * off their grid (the spacing needs every date on it), and a step is then
 * a day: said, as the forecast's steps and season are not what was meant. */
static void warn_sparse_days(const struct series *se)
{
	size_t missing = 0;
	for (size_t t = 0; t < se->n; t++)
		missing += isnan(se->values[t]);
	if (se->n >= 14 && 2 * missing > se->n)
		log_warn("forecast: %zu of the %zu days from the first date to the last have no "
			 "value: read as daily; weekly or monthly dates must all be a whole number of "
			 "weeks or months apart", missing, se->n);
}

/* Percentages, or fractions when every one is below 1, as R's forecast()
 * reads levels (0.8,0.95 is 80,95); no level twice. */
static int parse_levels(const char *text, double *levels, int *nlevels)
{
	*nlevels = 0;
	char *copy = strdup(text), *save = NULL;
	if (copy == NULL)
		return -1;
	int fractions = 1;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		double v = strtod(tok, &end);
		if (*end != '\0' || !(v > 0 && v < 100) || *nlevels == MAX_LEVELS) {
			free(copy);
			return -1;
		}
		fractions &= v < 1;
		levels[(*nlevels)++] = v;
	}
	free(copy);
	for (int i = 0; i < *nlevels; i++) {
		levels[i] = fractions ? levels[i] : levels[i] / 100;
		for (int j = 0; j < i; j++)
			if (levels[j] == levels[i])
				return -1;
	}
	return *nlevels > 0 ? 0 : -1;
}

struct forecast_args {
	int horizon, period, backtest, json, nonnegative, nlevels;
	int period_given; /* --period was given: else the dates' spacing's, or 7 */
	int ets_only; /* --method ets: the ETS model alone, not the combination */
	double levels[MAX_LEVELS];
	const char *events[MAX_EVENT_FILES]; /* --events FILE, applied in order */
	int nevents;
};

static int parse_args(int argc, char **argv, struct forecast_args *a)
{
	static const struct option options[] = {
		{ "horizon", required_argument, NULL, 'h' }, { "period", required_argument, NULL, 'p' },
		{ "levels", required_argument, NULL, 'l' },  { "backtest", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },	     { "nonnegative", no_argument, NULL, 'n' },
		{ "method", required_argument, NULL, 'm' },  { "events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	*a = (struct forecast_args){ .horizon = 14, .period = 7, .nlevels = 2,
				     .levels = { 0.80, 0.95 } };
	int opt;
	char *end;
	optind = 0; /* GNU getopt: 0 re-initialises it for this option string */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			a->horizon = (int)strtol(optarg, &end, 10);
			if (*end || a->horizon < 1 || a->horizon > 3650) {
				log_error("forecast: --horizon must be 1 to 3650, got '%s'", optarg);
				return -1;
			}
			break;
		case 'p':
			a->period = (int)strtol(optarg, &end, 10);
			if (*end || a->period < 1 || a->period > 64) {
				log_error("forecast: --period must be 1 to 64, got '%s'", optarg);
				return -1;
			}
			a->period_given = 1;
			break;
		case 'l':
			if (parse_levels(optarg, a->levels, &a->nlevels) != 0) {
				log_error("forecast: --levels must be up to %d different percentages like "
					  "80,95 (or fractions like 0.8,0.95), got '%s'", MAX_LEVELS, optarg);
				return -1;
			}
			break;
		case 'b': a->backtest = 1; break;
		case 'j': a->json = 1; break;
		case 'n': a->nonnegative = 1; break;
		case 'm':
			if (strcmp(optarg, "combined") != 0 && strcmp(optarg, "ets") != 0) {
				log_error("forecast: --method must be combined or ets, got '%s'", optarg);
				return -1;
			}
			a->ets_only = strcmp(optarg, "ets") == 0;
			break;
		case 'e':
			if (a->nevents == MAX_EVENT_FILES) {
				log_error("forecast: at most %d --events files", MAX_EVENT_FILES);
				return -1;
			}
			a->events[a->nevents++] = optarg;
			break;
		default: return -1;
		}
	}
	if (optind < argc) {
		log_error("forecast: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

static struct json_object *number_or_null(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static void print_csv(const struct forecast_args *a, const double *mean, const double *lo,
		      const double *hi)
{
	printf("step,forecast");
	for (int i = 0; i < a->nlevels; i++)
		printf(",lo%g,hi%g", a->levels[i] * 100, a->levels[i] * 100);
	printf("\n");
	for (int h = 0; h < a->horizon; h++) {
		printf("%d,%.10g", h + 1, mean[h]);
		for (int i = 0; i < a->nlevels; i++)
			printf(",%.10g,%.10g", lo[i * a->horizon + h], hi[i * a->horizon + h]);
		printf("\n");
	}
}

static void print_json(const struct forecast_args *a, const char *spacing, const char *method,
		       long fitted_from, const struct ets_summary *s, const double *mean,
		       const double *lo, const double *hi, const struct ets_backtest *bt)
{
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();
	/* What a step is, for dated input: "day", "week", "month", ... */
	if (spacing != NULL)
		json_object_object_add(o, "spacing", json_object_new_string(spacing));
	json_object_object_add(o, "period", json_object_new_int(a->period));
	json_object_object_add(o, "method", json_object_new_string(method));
	/* The first value the methods were fitted to: after a level shift. */
	json_object_object_add(o, "fitted_from", json_object_new_int64(fitted_from));
	json_object_object_add(m, "form", json_object_new_string(s->model));
	json_object_object_add(m, "alpha", json_object_new_double(s->alpha));
	json_object_object_add(m, "beta", json_object_new_double(s->beta));
	json_object_object_add(m, "gamma", json_object_new_double(s->gamma));
	json_object_object_add(m, "phi", json_object_new_double(s->phi));
	json_object_object_add(m, "loglik", json_object_new_double(s->loglik));
	json_object_object_add(m, "aicc", json_object_new_double(s->aicc));
	json_object_object_add(m, "sigma2", json_object_new_double(s->sigma2));
	json_object_object_add(m, "observations", json_object_new_int(s->n_obs));
	json_object_object_add(o, "model", m);
	struct json_object *rows = json_object_new_array();
	for (int h = 0; h < a->horizon; h++) {
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "step", json_object_new_int(h + 1));
		json_object_object_add(r, "forecast", json_object_new_double(mean[h]));
		for (int i = 0; i < a->nlevels; i++) {
			char key[16];
			snprintf(key, sizeof key, "lo%g", a->levels[i] * 100);
			json_object_object_add(r, key, json_object_new_double(lo[i * a->horizon + h]));
			snprintf(key, sizeof key, "hi%g", a->levels[i] * 100);
			json_object_object_add(r, key, json_object_new_double(hi[i * a->horizon + h]));
		}
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "forecast", rows);
	if (bt != NULL) {
		struct json_object *b = json_object_new_object();
		json_object_object_add(b, "origins", json_object_new_int(bt->origins));
		json_object_object_add(b, "smape", number_or_null(bt->smape));
		json_object_object_add(b, "mase", number_or_null(bt->mase));
		json_object_object_add(b, "naive_smape", number_or_null(bt->naive_smape));
		json_object_object_add(b, "naive_mase", number_or_null(bt->naive_mase));
		json_object_object_add(o, "backtest", b);
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

/* The calendar of dated input: the configuration's ([events], as the ML
 * sync reads it; the built-in retail calendar when none), then each
 * --events file over it. NULL with the error logged. */
static struct event_calendar *load_calendar(const struct mldash_config *cfg,
					    const struct forecast_args *a)
{
	struct event_calendar *cal;
	char err[1024];
	if (calendar_load(cfg, &cal, err, sizeof err) != 0) {
		log_error("forecast: %s", err);
		return NULL;
	}
	for (int i = 0; i < a->nevents; i++) {
		if (calendar_apply_file(cal, a->events[i], 1, err, sizeof err) != 0) {
			log_error("forecast: --events %s", err);
			event_calendar_free(cal);
			return NULL;
		}
	}
	return cal;
}

/* Why a series has no forecast, for the error line. */
static const char *no_forecast_reason(enum ets_status st)
{
	return st == ETS_NO_DATA     ? "it has no values"
	       : st == ETS_TOO_SHORT ? "too few values (at least 5)"
				     : "out of memory";
}

/* ETS alone (--method ets): its forecasts, summary and backtest. */
static int forecast_ets_only(const struct forecast_args *a, const struct series *se, double *mean,
			     double *lo, double *hi, struct ets_summary *s, struct ets_backtest *bt,
			     int *have_bt)
{
	struct ets_options opt;
	ets_options_default(&opt);
	opt.period = a->period;
	opt.nonnegative = a->nonnegative;
	enum ets_status st;
	struct ets_fit *fit = ets_fit(se->values, se->n, &opt, &st);
	if (fit == NULL) {
		log_error("forecast: the series cannot be modelled: %s", no_forecast_reason(st));
		return -1;
	}
	ets_summary(fit, s);
	int rc = ets_forecast(fit, a->horizon, a->levels, a->nlevels, mean, lo, hi);
	*have_bt = a->backtest && ets_backtest(se->values, se->n, &opt, fit, a->horizon, 4, 7, bt) == 0;
	ets_free(fit);
	if (rc != 0)
		log_error("forecast: out of memory");
	return rc;
}

int cmd_forecast(const struct mldash_config *cfg, int argc, char **argv)
{
	struct forecast_args a;
	if (parse_args(argc, argv, &a) != 0)
		return 2;
	struct series se = { 0 };
	struct event_calendar *calendar = NULL;
	double *mean = NULL;
	int rc = 2;
	if (read_series(stdin, &se) != 0)
		goto out;
	int dated = se.dated && se.n > 0, daily = dated && se.spacing == SPACING_DAY;
	if (daily)
		warn_sparse_days(&se);
	/* A week of working days is the season of a business's days. */
	int usual = se.workdays ? se.workdays : dated ? date_spacing_period(se.spacing) : 0;
	if (se.workdays)
		log_info("forecast: no date falls on %d day(s) of the week: a step is a working day, "
			 "%d a week; calendar events left out", 7 - se.workdays, se.workdays);
	if (dated && !a.period_given) /* a year of months has period 12, a week of days 7 */
		a.period = usual;
	else if (dated && a.period != usual)
		log_warn("forecast: --period %d on %s dates, whose season is usually %d", a.period,
			 se.workdays ? "working-day" : spacing_adjective[se.spacing], usual);
	/* The calendar's days count for daily input to the combined method;
	 * files named with --events are checked whatever the input. */
	if (((daily && !a.ets_only) || a.nevents > 0) && (calendar = load_calendar(cfg, &a)) == NULL)
		goto out;
	if (a.nevents > 0 && !daily)
		log_warn("forecast: --events ignored: calendar events are days, and the input is %s",
			 dated ? spacing_adjective[se.spacing] : "undated");
	else if (a.nevents > 0 && a.ets_only)
		log_warn("forecast: --events ignored: --method ets has no calendar events");
	else if (a.nevents > 0 && se.workdays)
		log_warn("forecast: --events ignored: a series of working days has no calendar events");
	rc = 1;
	mean = malloc(sizeof(double) * (size_t)a.horizon * (1 + 2 * MAX_LEVELS));
	if (mean == NULL) {
		log_error("forecast: out of memory");
		goto out;
	}
	double *lo = mean + a.horizon, *hi = lo + (size_t)a.horizon * MAX_LEVELS;
	struct ets_summary s;
	struct ets_backtest bt;
	struct forecast_info info = { .fitted_from = 0 };
	int have_bt;
	if (a.ets_only) {
		if (forecast_ets_only(&a, &se, mean, lo, hi, &s, &bt, &have_bt) != 0)
			goto out;
		snprintf(info.method, sizeof info.method, "%s", s.model);
	} else {
		struct forecast_options fo;
		forecast_options_default(&fo);
		fo.period = a.period;
		fo.daily = dated ? daily : -1; /* undated: a period of 7 is taken for days */
		fo.nonnegative = a.nonnegative;
		/* Daily input: the calendar's events count, on calendar days. */
		fo.first_day = daily && !se.workdays ? se.first_day : -1;
		fo.calendar = calendar;
		enum ets_status st;
		if (forecast_series(se.values, se.n, &fo, a.horizon, a.levels, a.nlevels, mean, lo, hi,
				    &info, &st) != 0) {
			log_error("forecast: the series cannot be modelled: %s", no_forecast_reason(st));
			goto out;
		}
		s = info.ets; /* the ETS model the combination used (after a level shift, its fit) */
		bt = info.backtest;
		have_bt = a.backtest && info.have_backtest;
	}
	if (a.json) {
		print_json(&a, se.workdays ? "workday" : dated ? date_spacing_name(se.spacing) : NULL,
			   info.method,
			   info.fitted_from, &s, mean, lo, hi, have_bt ? &bt : NULL);
	} else {
		print_csv(&a, mean, lo, hi);
		if (dated && se.spacing != SPACING_DAY)
			fprintf(stderr, "%s dates: a step is a %s, the period %d\n",
				spacing_adjective[se.spacing], date_spacing_name(se.spacing), a.period);
		fprintf(stderr, "method %s\n", info.method);
		if (info.fitted_from > 0)
			fprintf(stderr, "level shift: the methods fitted from value %ld of %zu\n",
				info.fitted_from + 1, se.n);
		fprintf(stderr, "model %s: alpha %.4f beta %.4f gamma %.4f phi %.4f; log-likelihood "
			"%.4f, AICc %.4f, sigma^2 %.6g, %d observations\n", s.model, s.alpha, s.beta,
			s.gamma, s.phi, s.loglik, s.aicc, s.sigma2, s.n_obs);
		if (a.backtest && !have_bt)
			fprintf(stderr, "backtest: the series is too short for a %d-step backtest\n",
				a.horizon);
		else if (have_bt)
			fprintf(stderr, "backtest (%d origins, horizon %d)\n"
				"method,smape,mase\n%s,%.3f,%.3f\nseasonal_naive,%.3f,%.3f\n",
				bt.origins, a.horizon, a.ets_only ? "ets" : "combined", bt.smape, bt.mase,
				bt.naive_smape, bt.naive_mase);
	}
	rc = 0;
out:
	free(mean);
	series_free(&se);
	event_calendar_free(calendar);
	return rc;
}
