#include "accuracy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const result_metric_names[METRIC__MAX] = {
	[METRIC_SPEND] = "spend", [METRIC_REVENUE] = "revenue", [METRIC_ROI] = "roi",
	[METRIC_CONVERSIONS] = "conversions", [METRIC_REACH] = "reach", [METRIC_CTR] = "ctr",
};
const int result_leads[RESULT_LEADS] = { 1, 7, 14, 28 };
const int result_windows[RESULT_WINDOWS] = { 30, 90 };

/* The normal quantile of 97.5%: a 95% band is 2 x 1.96 standard deviations wide. */
#define Z_975 1.959963984540054

int result_metric_parse(const char *name)
{
	for (int m = 0; m < METRIC__MAX; m++)
		if (strcmp(name, result_metric_names[m]) == 0)
			return m;
	return -1;
}

double accuracy_mase_scale(const double *y, long n)
{
	double sum = 0;
	long pairs = 0;
	for (long i = 7; i < n; i++)
		if (isfinite(y[i]) && isfinite(y[i - 7])) {
			sum += fabs(y[i] - y[i - 7]);
			pairs++;
		}
	return pairs ? sum / (double)pairs : NAN;
}

static int by_metric_day_lead_run(const void *pa, const void *pb)
{
	const struct result_logged_forecast *a = pa, *b = pb;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->lead_days != b->lead_days)
		return a->lead_days < b->lead_days ? -1 : 1;
	return a->run_id > b->run_id ? -1 : a->run_id < b->run_id;
}

size_t accuracy_sort_forecasts(struct result_logged_forecast *f, size_t n)
{
	if (n == 0)
		return 0;
	qsort(f, n, sizeof *f, by_metric_day_lead_run);
	size_t kept = 1;
	for (size_t i = 1; i < n; i++) {
		const struct result_logged_forecast *last = &f[kept - 1];
		if (f[i].metric == last->metric && f[i].day == last->day && f[i].lead_days == last->lead_days)
			continue; /* an older run's forecast of the same */
		f[kept++] = f[i];
	}
	return kept;
}

static double actual_on(const struct accuracy_actuals *a, enum result_metric m, long day)
{
	long i = day - a->first_day;
	return a->values[m] != NULL && i >= 0 && i < a->days ? a->values[m][i] : NAN;
}

static int any_known(const struct accuracy_actuals *a, enum result_metric m)
{
	for (long i = 0; a->values[m] != NULL && i < a->days; i++)
		if (isfinite(a->values[m][i]))
			return 1;
	return 0;
}

/* Sums of one metric, lead and window. */
struct score_sums {
	int n, n_banded, in80, in95;
	double abs_error, error, smape;
};

static void add_score(struct score_sums *s, const struct result_logged_forecast *f, double y)
{
	double e = f->forecast - y, denominator = fabs(f->forecast) + fabs(y);
	s->n++;
	s->abs_error += fabs(e);
	s->error += e;
	s->smape += denominator > 0 ? 200 * fabs(e) / denominator : 0;
	if (isfinite(f->lower_80) && isfinite(f->upper_80) && isfinite(f->lower_95) &&
	    isfinite(f->upper_95)) {
		s->n_banded++;
		s->in80 += y >= f->lower_80 && y <= f->upper_80;
		s->in95 += y >= f->lower_95 && y <= f->upper_95;
	}
}

static void score_row(const char *channel, enum result_metric m, int lead, int window,
		      const struct score_sums *s, double scale, struct result_accuracy *r)
{
	memset(r, 0, sizeof *r);
	size_t len = strlen(channel);
	memcpy(r->channel, channel, len < RESULT_CHANNEL_MAX ? len : RESULT_CHANNEL_MAX);
	r->metric = m, r->lead_days = lead, r->window_days = window;
	r->n = s->n, r->n_banded = s->n_banded;
	r->mase = s->n && scale > 0 ? s->abs_error / s->n / scale : NAN;
	r->smape = s->n ? s->smape / s->n : NAN;
	r->bias = s->n ? s->error / s->n : NAN;
	r->coverage_80 = s->n_banded ? (double)s->in80 / s->n_banded : NAN;
	r->coverage_95 = s->n_banded ? (double)s->in95 / s->n_banded : NAN;
}

static int lead_index(int lead)
{
	for (int l = 0; l < RESULT_LEADS; l++)
		if (result_leads[l] == lead)
			return l;
	return -1;
}

int accuracy_score(const char *channel, const struct accuracy_actuals *a,
		   const struct result_logged_forecast *f, size_t n, long end_day,
		   struct result_accuracy out[ACCURACY_ROWS])
{
	int rows = 0;
	for (int m = 0; m < METRIC__MAX; m++) {
		if (!any_known(a, (enum result_metric)m))
			continue;
		struct score_sums sums[RESULT_LEADS][RESULT_WINDOWS];
		memset(sums, 0, sizeof sums);
		for (size_t i = 0; i < n; i++) {
			int l = lead_index(f[i].lead_days);
			double y = actual_on(a, (enum result_metric)m, f[i].day);
			if ((int)f[i].metric != m || l < 0 || f[i].day > end_day || !isfinite(y) ||
			    !isfinite(f[i].forecast))
				continue;
			for (int w = 0; w < RESULT_WINDOWS; w++)
				if (f[i].day > end_day - result_windows[w])
					add_score(&sums[l][w], &f[i], y);
		}
		double scale = accuracy_mase_scale(a->values[m], a->days);
		for (int w = 0; w < RESULT_WINDOWS; w++)
			for (int l = 0; l < RESULT_LEADS; l++)
				score_row(channel, (enum result_metric)m, result_leads[l], result_windows[w],
					  &sums[l][w], scale, &out[rows++]);
	}
	return rows;
}

/* An anomaly when y lies outside f's 95% band; fills *r then. */
static int is_anomaly(const char *channel, const struct result_logged_forecast *f, double y,
		      struct result_anomaly *r)
{
	if (!isfinite(y) || !isfinite(f->forecast) || !isfinite(f->lower_95) || !isfinite(f->upper_95) ||
	    (y >= f->lower_95 && y <= f->upper_95))
		return 0;
	double sd = (f->upper_95 - f->lower_95) / (2 * Z_975);
	memset(r, 0, sizeof *r);
	size_t len = strlen(channel);
	memcpy(r->channel, channel, len < RESULT_CHANNEL_MAX ? len : RESULT_CHANNEL_MAX);
	r->metric = f->metric, r->day = f->day;
	r->direction = y > f->upper_95 ? 1 : -1;
	r->actual = y, r->forecast = f->forecast;
	r->lower_95 = f->lower_95, r->upper_95 = f->upper_95;
	r->z = sd > 0 ? (y - f->forecast) / sd : NAN;
	r->lead_days = f->lead_days;
	r->forecast_run_id = f->run_id;
	return 1;
}

static int newest_day_first(const void *pa, const void *pb)
{
	const struct result_anomaly *a = pa, *b = pb;
	if (a->day != b->day)
		return a->day > b->day ? -1 : 1;
	return a->metric < b->metric ? -1 : a->metric > b->metric;
}

int accuracy_anomalies(const char *channel, const struct accuracy_actuals *a,
		       const struct result_logged_forecast *f, size_t n, long from, long end_day,
		       struct result_anomaly **out, int *count)
{
	*out = NULL;
	*count = 0;
	int cap = 0;
	for (size_t i = 0; i < n; i++) {
		/* Sorted: the first of each metric and day has the shortest lead. */
		if (i > 0 && f[i].metric == f[i - 1].metric && f[i].day == f[i - 1].day)
			continue;
		if (f[i].day < from || f[i].day > end_day)
			continue;
		struct result_anomaly r;
		if (!is_anomaly(channel, &f[i], actual_on(a, f[i].metric, f[i].day), &r))
			continue;
		if (*count == cap) {
			cap = cap ? 2 * cap : 8;
			struct result_anomaly *grown = realloc(*out, sizeof *grown * (size_t)cap);
			if (grown == NULL) {
				free(*out);
				*out = NULL;
				*count = 0;
				return -1;
			}
			*out = grown;
		}
		(*out)[(*count)++] = r;
	}
	if (*count > 1)
		qsort(*out, (size_t)*count, sizeof **out, newest_day_first);
	return 0;
}
