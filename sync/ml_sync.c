#include "ml_sync.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accuracy.h"
#include "campaigns.h"
#include "calendar.h"
#include "chart_results.h"
#include "dates.h"
#include "forecast.h"
#include "history.h"
#include "leases.h"
#include "log.h"
#include "plan.h"

#define JOB "ml_sync"
#define CURRENT_DAYS 28 /* current spend: the mean of the last 28 days */
#define ANOMALY_DAYS 90 /* the days checked for anomalies: the longest window scored */
#define RECENT_DAYS 7   /* a channel with a row this recent holds the total's last day back */

/* What is summed per channel and day, as db/campaigns reads it. */
enum measure {
	M_SPEND, M_REVENUE, M_ROI_SPEND, M_CONVERSIONS, M_IMPRESSIONS, M_CLICKS,
	M_CTR_IMPRESSIONS, M_REACH, M__MAX
};

struct series {
	char name[RESULT_CHANNEL_MAX + 1];
	double *v[M__MAX];       /* [days]; NaN: unknown */
	unsigned char *has_row;  /* [days] */
	unsigned char *reach_upper;
	int reported[M__MAX];    /* the channel reports the measure at all */
	long first;              /* first day (index) with data */
};

struct forecast {
	int ok;
	char model[33];  /* the method: see models/forecast.h */
	double *mean, *lo80, *hi80, *lo95, *hi95; /* [horizon] */
	struct ets_backtest bt;
	int have_bt;
};

/* The window read and modelled: days start .. start + days - 1. */
struct window {
	long start, days;
	int horizon, history;
	const struct event_calendar *calendar; /* the run's, loaded once (sync/calendar) */
};

/* What the default charts are drawn from, kept while the run writes. */
struct chart_inputs {
	struct result_roi_forecast *forecasts; /* one per series */
	int nforecasts;
	struct result_budget *budget;
	int nbudget;
	struct chart_data roi_days, reach_days; /* the total's series */
	struct chart_rows roi_rows, reach_rows;
	struct chart_data curves; /* the budget's response curves with their days */
	struct chart_rows curve_rows;
	/* What the accuracy chart and the time series' marks are drawn from:
	 * the scores of revenue over 90 days, and the total's anomalies. */
	struct result_accuracy *accuracy;
	int naccuracy;
	struct result_anomaly *anomalies;
	int nanomalies;
	int failed; /* out of memory while collecting */
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double ratio(double a, double b)
{
	return isfinite(a) && isfinite(b) && b > 0 ? a / b : NAN;
}

/* --- reading ---------------------------------------------------------------- */

static void series_free(struct series *s, int n)
{
	for (int i = 0; i < n; i++) {
		free(s[i].v[0]);
		free(s[i].has_row);
	}
	free(s);
}

static int series_init(struct series *s, const char *name, long days)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->first = -1;
	s->v[0] = malloc(sizeof(double) * (size_t)days * M__MAX);
	s->has_row = calloc((size_t)days * 2, 1);
	if (s->v[0] == NULL || s->has_row == NULL)
		return -1;
	s->reach_upper = s->has_row + days;
	for (int m = 0; m < M__MAX; m++) {
		s->v[m] = s->v[0] + (size_t)m * (size_t)days;
		for (long d = 0; d < days; d++)
			s->v[m][d] = NAN;
	}
	return 0;
}

/* Days a channel had no row, after its first: nothing happened (0) for
 * what it reports, unknown for what it never reports. */
static void series_fill(struct series *s, long days)
{
	for (int m = 0; m < M__MAX; m++)
		for (long d = 0; d < days && !s->reported[m]; d++)
			s->reported[m] = !isnan(s->v[m][d]);
	for (long d = s->first < 0 ? days : s->first; d < days; d++)
		if (!s->has_row[d])
			for (int m = 0; m < M__MAX; m++)
				s->v[m][d] = s->reported[m] ? 0 : NAN;
}

/* The total over channels: a sum where any channel knows the value. Reach
 * summed over channels counts people twice: an upper bound. */
static int series_total(struct series *all, const struct series *ch, int n, long days)
{
	if (series_init(all, RESULT_TOTAL_CHANNEL, days) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (ch[i].first >= 0 && (all->first < 0 || ch[i].first < all->first))
			all->first = ch[i].first;
		for (long d = 0; d < days; d++) {
			for (int m = 0; m < M__MAX; m++) {
				double v = ch[i].v[m][d];
				if (!isnan(v))
					all->v[m][d] = isnan(all->v[m][d]) ? v : all->v[m][d] + v;
			}
			all->has_row[d] |= ch[i].has_row[d];
			all->reach_upper[d] |= ch[i].reach_upper[d] || (n > 1 && !isnan(ch[i].v[M_REACH][d]));
		}
	}
	for (int m = 0; m < M__MAX; m++)
		for (int i = 0; i < n; i++)
			all->reported[m] |= ch[i].reported[m];
	return 0;
}

struct series_reader {
	struct series *s;
	int n, cap, failed;
	long start, days;
	unsigned long rows_in;
};

static int read_channel_day(void *ctx, const struct channel_day *d)
{
	struct series_reader *r = ctx;
	if (r->n == 0 || strcmp(r->s[r->n - 1].name, d->channel) != 0) {
		if (r->n == r->cap) {
			int cap = r->cap ? 2 * r->cap : 8;
			struct series *grown = realloc(r->s, sizeof *grown * (size_t)cap);
			if (grown == NULL)
				return r->failed = 1;
			r->s = grown;
			r->cap = cap;
		}
		if (series_init(&r->s[r->n++], d->channel, r->days) != 0)
			return r->failed = 1;
	}
	struct series *c = &r->s[r->n - 1];
	long i = d->day - r->start;
	if (i < 0 || i >= r->days)
		return 0;
	const double sums[M__MAX] = { d->spend, d->revenue, d->roi_spend, d->conversions,
				      d->impressions, d->clicks, d->ctr_impressions, d->reach };
	for (int m = 0; m < M__MAX; m++)
		c->v[m][i] = sums[m];
	c->reach_upper[i] = (unsigned char)d->reach_is_upper_bound;
	c->has_row[i] = 1;
	if (c->first < 0)
		c->first = i;
	r->rows_in++;
	return 0;
}

/* Campaigns named like the total are left out of the read: say so rather
 * than drop their data without a word. */
static void warn_named_like_total(struct db *db)
{
	long long count;
	char name[RESULT_CHANNEL_MAX * 4 + 1];
	if (campaigns_named_like_total(db, &count, name) == DB_OK && count > 0)
		log_warn("ml sync: %lld campaign(s) with channel '%s' are left out: the name is the "
			 "total over all channels; rename their channel", count, name);
}

/* Reads the window's channel-days into series. */
static enum db_status read_series(struct db *db, const struct window *w, struct series **out,
				  int *count, unsigned long *rows_in)
{
	warn_named_like_total(db);
	struct series_reader r = { NULL, 0, 0, 0, w->start, w->days, 0 };
	enum db_status st = campaigns_channel_days(db, w->start, w->start + w->days - 1,
						   read_channel_day, &r);
	if (st == DB_OK && r.failed)
		st = DB_ERROR;
	if (st != DB_OK) {
		series_free(r.s, r.n);
		return st;
	}
	for (int i = 0; i < r.n; i++)
		series_fill(&r.s[i], w->days);
	*out = r.s;
	*count = r.n;
	*rows_in = r.rows_in;
	return DB_OK;
}

/* --- models ------------------------------------------------------------------ */

static void forecast_free(struct forecast *f)
{
	free(f->mean);
	memset(f, 0, sizeof *f);
}

/* Forecasts a measure from the series' first day on (models/forecast: the
 * combination of ETS, Theta and seasonal naive, with its backtest). Returns
 * 0 (f->ok says whether there is a forecast), or -1 when out of memory. */
static int forecast_measure(const struct series *s, enum measure m, const struct window *w,
			    struct forecast *f)
{
	memset(f, 0, sizeof *f);
	long start = w->start, days = w->days;
	int horizon = w->horizon;
	if (!s->reported[m] || s->first < 0)
		return 0;
	f->mean = malloc(sizeof(double) * (size_t)horizon * 5);
	if (f->mean == NULL)
		return -1;
	f->lo80 = f->mean + horizon;
	f->lo95 = f->mean + 2 * horizon;
	f->hi80 = f->mean + 3 * horizon;
	f->hi95 = f->mean + 4 * horizon;
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.daily = 1;
	opt.nonnegative = 1;
	opt.first_day = start + s->first; /* dates: the calendar's events count */
	opt.calendar = w->calendar;
	const double levels[2] = { 0.80, 0.95 };
	/* lower and upper are [level][horizon]: 80% then 95%, side by side. */
	double *lower = f->lo80, *upper = f->hi80;
	struct forecast_info info;
	enum ets_status st;
	if (forecast_series(s->v[m] + s->first, (size_t)(days - s->first), &opt, horizon, levels, 2,
			    f->mean, lower, upper, &info, &st) != 0)
		return st == ETS_FAILED ? -1 : 0;
	memcpy(f->model, info.method, sizeof f->model);
	f->bt = info.backtest;
	f->have_bt = info.have_backtest;
	f->ok = 1;
	return 0;
}

/* Whether two measures are the same series (NaN equal to NaN). */
static int same_series(const double *a, const double *b, long days)
{
	for (long d = 0; d < days; d++)
		if (!(a[d] == b[d] || (isnan(a[d]) && isnan(b[d]))))
			return 0;
	return 1;
}

/* to: a copy of from (horizon days). Returns -1 when out of memory. */
static int forecast_copy(const struct forecast *from, int horizon, struct forecast *to)
{
	*to = *from;
	to->mean = NULL;
	if (!from->ok)
		return 0;
	to->mean = malloc(sizeof(double) * (size_t)horizon * 5);
	if (to->mean == NULL)
		return -1;
	memcpy(to->mean, from->mean, sizeof(double) * (size_t)horizon * 5);
	to->lo80 = to->mean + horizon;
	to->lo95 = to->mean + 2 * horizon;
	to->hi80 = to->mean + 3 * horizon;
	to->hi95 = to->mean + 4 * horizon;
	return 0;
}

/* --- results ----------------------------------------------------------------- */

/* ROI over the horizon from the forecasts of revenue and of the spend behind
 * it. The bounds take the sum of the daily revenue bounds (as if daily
 * errors were fully correlated: conservative) over the spend forecast, which
 * the advertiser controls. */
static void roi_forecast(const struct series *s, const struct forecast *rev,
			 const struct forecast *spend, int horizon, struct result_roi_forecast *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->channel, sizeof r->channel, "%s", s->name);
	r->horizon_days = horizon;
	double rev_sum = 0, spend_sum = 0, l80 = 0, h80 = 0, l95 = 0, h95 = 0;
	const char *note = NULL;
	if (!s->reported[M_REVENUE])
		note = "no revenue reported";
	else if (!rev->ok || !spend->ok)
		note = "too little history to forecast";
	for (int h = 0; h < horizon && note == NULL; h++) {
		rev_sum += rev->mean[h], spend_sum += spend->mean[h];
		l80 += rev->lo80[h], h80 += rev->hi80[h], l95 += rev->lo95[h], h95 += rev->hi95[h];
	}
	if (note == NULL && !(spend_sum > 0))
		note = "no spend forecast";
	snprintf(r->note, sizeof r->note, "%s", note ? note : "");
	snprintf(r->model, sizeof r->model, "%s", rev->ok ? rev->model : "");
	r->roi = note ? NAN : rev_sum / spend_sum - 1;
	r->roi_lower_80 = note ? NAN : l80 / spend_sum - 1;
	r->roi_upper_80 = note ? NAN : h80 / spend_sum - 1;
	r->roi_lower_95 = note ? NAN : l95 / spend_sum - 1;
	r->roi_upper_95 = note ? NAN : h95 / spend_sum - 1;
	r->spend = note ? NAN : spend_sum;
	r->revenue = note ? NAN : rev_sum;
	r->backtest_smape = rev->have_bt ? rev->bt.smape : NAN;
	r->baseline_smape = rev->have_bt ? rev->bt.naive_smape : NAN;
	r->backtest_mase = rev->have_bt ? rev->bt.mase : NAN;
}

/* The first actual day shown: history days back, not before the first. */
static long history_from(const struct series *s, const struct window *w)
{
	long first = s->first > 0 ? s->first : 0;
	return w->days - w->history > first ? w->days - w->history : first;
}

static void actual_roi_day(const struct series *s, long d, long day, struct result_roi_day *r)
{
	double spend = s->v[M_ROI_SPEND][d], revenue = s->v[M_REVENUE][d];
	*r = (struct result_roi_day){ .day = day, .forecast = 0, .spend = spend, .revenue = revenue,
				      .roi = ratio(revenue, spend) - 1, .conversions = s->v[M_CONVERSIONS][d] };
	r->roi_lower_80 = r->roi_upper_80 = r->roi_lower_95 = r->roi_upper_95 = NAN;
	r->conversions_lower_80 = r->conversions_upper_80 = NAN;
	r->conversions_lower_95 = r->conversions_upper_95 = NAN;
}

static double at(const struct forecast *f, const double *values, int h)
{
	return f->ok ? values[h] : NAN;
}

static void forecast_roi_day(const struct forecast *rev, const struct forecast *spend,
			     const struct forecast *conv, int h, long day, struct result_roi_day *r)
{
	double sp = at(spend, spend->mean, h);
	int known = rev->ok && spend->ok;
	*r = (struct result_roi_day){
		.day = day, .forecast = 1, .spend = sp,
		.revenue = known ? rev->mean[h] : NAN,
		.roi = known ? ratio(rev->mean[h], sp) - 1 : NAN,
		.roi_lower_80 = known ? ratio(rev->lo80[h], sp) - 1 : NAN,
		.roi_upper_80 = known ? ratio(rev->hi80[h], sp) - 1 : NAN,
		.roi_lower_95 = known ? ratio(rev->lo95[h], sp) - 1 : NAN,
		.roi_upper_95 = known ? ratio(rev->hi95[h], sp) - 1 : NAN,
		.conversions = at(conv, conv->mean, h), .conversions_lower_80 = at(conv, conv->lo80, h),
		.conversions_upper_80 = at(conv, conv->hi80, h), .conversions_lower_95 = at(conv, conv->lo95, h),
		.conversions_upper_95 = at(conv, conv->hi95, h),
	};
}

static void actual_reach_day(const struct series *s, long d, long day, struct result_reach_day *r)
{
	*r = (struct result_reach_day){
		.day = day, .forecast = 0, .reach = s->v[M_REACH][d], .reach_is_upper_bound = s->reach_upper[d],
		.impressions = s->v[M_IMPRESSIONS][d], .clicks = s->v[M_CLICKS][d],
		.ctr = ratio(s->v[M_CLICKS][d], s->v[M_CTR_IMPRESSIONS][d]),
		.reach_lower_95 = NAN, .reach_upper_95 = NAN, .impressions_lower_95 = NAN,
		.impressions_upper_95 = NAN, .clicks_lower_95 = NAN, .clicks_upper_95 = NAN,
		.ctr_lower_95 = NAN, .ctr_upper_95 = NAN,
	};
}

/* CTR's bounds come from the clicks bounds over the impressions forecast. */
static void forecast_reach_day(const struct forecast *f, int upper, int h, long day,
			       struct result_reach_day *r)
{
	const struct forecast *reach = &f[M_REACH], *impr = &f[M_IMPRESSIONS], *clicks = &f[M_CLICKS];
	double ctr_impr = at(&f[M_CTR_IMPRESSIONS], f[M_CTR_IMPRESSIONS].mean, h);
	int c = clicks->ok;
	*r = (struct result_reach_day){
		.day = day, .forecast = 1, .reach = at(reach, reach->mean, h), .reach_is_upper_bound = upper,
		.reach_lower_95 = at(reach, reach->lo95, h), .reach_upper_95 = at(reach, reach->hi95, h),
		.impressions = at(impr, impr->mean, h), .impressions_lower_95 = at(impr, impr->lo95, h),
		.impressions_upper_95 = at(impr, impr->hi95, h), .clicks = at(clicks, clicks->mean, h),
		.clicks_lower_95 = at(clicks, clicks->lo95, h), .clicks_upper_95 = at(clicks, clicks->hi95, h),
		.ctr = c ? ratio(clicks->mean[h], ctr_impr) : NAN,
		.ctr_lower_95 = c ? ratio(clicks->lo95[h], ctr_impr) : NAN,
		.ctr_upper_95 = c ? ratio(clicks->hi95[h], ctr_impr) : NAN,
	};
}

/* --- writing ------------------------------------------------------------------ */

/* The run's lease (db/leases), renewed on its own connection while the run
 * works inside its transaction: keep_lease at each step says whether the
 * run still holds it. */
struct lease_keeper {
	struct db *db;
	struct lease lease;
	int lost;
};

static enum db_status keep_lease(struct lease_keeper *k)
{
	if (!k->lost && lease_keep(k->db, &k->lease) != 0)
		k->lost = 1;
	return k->lost ? DB_ERROR : DB_OK;
}

struct run_output {
	struct prediction_writer *writer;
	struct chart_inputs *charts;
	struct lease_keeper *keeper;
};

/* Daily ROI and conversions: the history window's actual days, then the
 * forecast days with bounds. The total's days also feed its chart. */
static enum db_status write_roi_days(struct run_output *o, const struct series *s,
				     const struct window *w, const struct forecast *f)
{
	int total = strcmp(s->name, RESULT_TOTAL_CHANNEL) == 0;
	struct chart_inputs *ch = o->charts;
	enum db_status st = DB_OK;
	struct result_roi_day r;
	for (long d = history_from(s, w); d < w->days && s->first >= 0 && st == DB_OK; d++) {
		actual_roi_day(s, d, w->start + d, &r);
		st = prediction_put_roi_day(o->writer, s->name, &r);
		if (total && chart_results_roi_day(&ch->roi_days, &ch->roi_rows, &r) != 0)
			ch->failed = 1;
	}
	int any = f[M_REVENUE].ok || f[M_CONVERSIONS].ok;
	for (int h = 0; h < w->horizon && s->first >= 0 && any && st == DB_OK; h++) {
		forecast_roi_day(&f[M_REVENUE], &f[M_ROI_SPEND], &f[M_CONVERSIONS], h, w->start + w->days + h, &r);
		st = prediction_put_roi_day(o->writer, s->name, &r);
		if (total && chart_results_roi_day(&ch->roi_days, &ch->roi_rows, &r) != 0)
			ch->failed = 1;
	}
	return st;
}

/* Reach (never summed across days), impressions, clicks and CTR from clicks
 * over the impressions of campaigns that report clicks. */
static enum db_status write_reach_days(struct run_output *o, const struct series *s,
				       const struct window *w, const struct forecast *f)
{
	int total = strcmp(s->name, RESULT_TOTAL_CHANNEL) == 0;
	struct chart_inputs *ch = o->charts;
	enum db_status st = DB_OK;
	struct result_reach_day r;
	for (long d = history_from(s, w); d < w->days && s->first >= 0 && st == DB_OK; d++) {
		actual_reach_day(s, d, w->start + d, &r);
		st = prediction_put_reach_day(o->writer, s->name, &r);
		if (total && chart_results_reach_day(&ch->reach_days, &ch->reach_rows, &r) != 0)
			ch->failed = 1;
	}
	int upper = s->reported[M_REACH] && (total || s->reach_upper[w->days - 1]);
	int any = f[M_REACH].ok || f[M_IMPRESSIONS].ok || f[M_CLICKS].ok;
	for (int h = 0; h < w->horizon && s->first >= 0 && any && st == DB_OK; h++) {
		forecast_reach_day(f, upper, h, w->start + w->days + h, &r);
		st = prediction_put_reach_day(o->writer, s->name, &r);
		if (total && chart_results_reach_day(&ch->reach_days, &ch->reach_rows, &r) != 0)
			ch->failed = 1;
	}
	return st;
}

/* The days each channel's curve was fitted from (those with spend and
 * revenue both known), stored with the run and drawn beside the curves. */
static enum db_status write_budget_days(struct run_output *o, const struct series *s, int n,
					const struct window *w)
{
	long days = w->days;
	struct chart_inputs *ch = o->charts;
	if (chart_results_curves(&ch->curves, &ch->curve_rows, ch->budget, ch->nbudget, "") != 0)
		ch->failed = 1;
	enum db_status st = DB_OK;
	for (int i = 0; i < n && st == DB_OK; i++)
		for (long d = s[i].first < 0 ? days : s[i].first; d < days && st == DB_OK; d++) {
			struct result_budget_day r = { w->start + d, s[i].v[M_SPEND][d], s[i].v[M_REVENUE][d] };
			if (!isfinite(r.spend) || !isfinite(r.revenue))
				continue;
			st = prediction_put_budget_day(o->writer, s[i].name, &r);
			if (chart_results_curve_day(&ch->curves, &ch->curve_rows, s[i].name, &r) != 0)
				ch->failed = 1;
		}
	chart_results_curves_done(&ch->curves, &ch->curve_rows);
	return st;
}

/* The optimiser's split of the current total. Channels without revenue
 * cannot be judged: they stay at their spend. */
static enum db_status write_budget(struct run_output *o, const struct series *s, int n,
				   const struct window *w, int *fitted)
{
	long days = w->days;
	struct plan_input *in = calloc((size_t)(n ? n : 1), sizeof *in);
	struct result_budget *rows = calloc((size_t)(n ? n : 1), sizeof *rows);
	if (in == NULL || rows == NULL) {
		free(in);
		free(rows);
		return DB_ERROR;
	}
	for (int i = 0; i < n; i++) {
		long from = s[i].first < 0 ? days : s[i].first, recent_from = days - CURRENT_DAYS;
		double recent = 0;
		for (long d = recent_from > from ? recent_from : from; d < days; d++)
			recent += isnan(s[i].v[M_SPEND][d]) ? 0 : s[i].v[M_SPEND][d];
		in[i] = (struct plan_input){ s[i].name, s[i].v[M_SPEND] + from, s[i].v[M_REVENUE] + from,
					     (size_t)(days - from), recent / CURRENT_DAYS,
					     !s[i].reported[M_REVENUE], 0, -1, -1 };
	}
	struct plan_options opt;
	plan_options_default(&opt);
	struct plan plan;
	plan_build(in, n, &opt, &plan); /* an infeasible request keeps the current split */
	free(in);
	enum db_status st = DB_OK;
	int k = 0;
	for (int i = 0; i < plan.n && st == DB_OK; i++, k++) {
		const struct plan_channel *c = &plan.channels[i];
		struct result_budget *r = &rows[k];
		snprintf(r->channel, sizeof r->channel, "%s", s[i].name);
		r->current = c->current, r->recommended = c->recommended;
		r->lower = c->lower, r->upper = c->upper;
		r->revenue_current = c->revenue_current, r->revenue_recommended = c->revenue_recommended;
		r->marginal_roi = c->marginal_roi;
		r->curve = c->curve;
		*fitted += c->curve.kind != CURVE_NONE;
		st = prediction_put_budget(o->writer, r);
	}
	plan_free(&plan);
	o->charts->budget = rows;
	o->charts->nbudget = k;
	if (st == DB_OK)
		st = write_budget_days(o, s, n, w);
	return st;
}

/* --- closing the loop: forecasts kept, then scored ----------------------------- */

/* The forecast of metric m on day h of the horizon, with its bands; ROI and
 * CTR as ratios over the spend and impressions forecasts (as the daily rows
 * have them). */
static void metric_forecast(const struct forecast *f, enum result_metric m, int h,
			    struct result_logged_forecast *r)
{
	static const enum measure measure_of[METRIC__MAX] = {
		[METRIC_SPEND] = M_SPEND, [METRIC_REVENUE] = M_REVENUE, [METRIC_ROI] = M_REVENUE,
		[METRIC_CONVERSIONS] = M_CONVERSIONS, [METRIC_REACH] = M_REACH, [METRIC_CTR] = M_CLICKS,
	};
	const struct forecast *v = &f[measure_of[m]];
	double values[5] = { at(v, v->mean, h), at(v, v->lo80, h), at(v, v->hi80, h), at(v, v->lo95, h),
			     at(v, v->hi95, h) };
	if (m == METRIC_ROI || m == METRIC_CTR) {
		const struct forecast *under = &f[m == METRIC_ROI ? M_ROI_SPEND : M_CTR_IMPRESSIONS];
		double base = at(under, under->mean, h);
		for (int k = 0; k < 5; k++)
			values[k] = ratio(values[k], base) - (m == METRIC_ROI);
	}
	r->forecast = values[0], r->lower_80 = values[1], r->upper_80 = values[2];
	r->lower_95 = values[3], r->upper_95 = values[4];
}

/* The series' forecasts at the lead times that are scored (ml_forecast_log). */
static enum db_status log_forecasts(struct run_output *o, const struct series *s,
				    const struct window *w, const struct forecast *f)
{
	enum db_status st = DB_OK;
	struct result_logged_forecast r;
	memset(&r, 0, sizeof r);
	snprintf(r.channel, sizeof r.channel, "%s", s->name);
	for (int m = 0; m < METRIC__MAX && st == DB_OK; m++)
		for (int l = 0; l < RESULT_LEADS && st == DB_OK; l++) {
			int lead = result_leads[l];
			if (lead > w->horizon)
				continue;
			r.metric = (enum result_metric)m, r.lead_days = lead;
			r.day = w->start + w->days - 1 + lead;
			metric_forecast(f, r.metric, lead - 1, &r);
			if (isfinite(r.forecast))
				st = prediction_put_logged(o->writer, &r);
		}
	return st;
}

/* Every metric's actuals of a series over the window's first known_days
 * (the days after are not known yet); roi and ctr go in buf ([2 x days]),
 * the others point into the series. */
static void series_actuals(const struct series *s, const struct window *w, long known_days,
			   double *buf, struct accuracy_actuals *a)
{
	double *roi = buf, *ctr = buf + w->days;
	for (long d = 0; d < w->days; d++) {
		roi[d] = ratio(s->v[M_REVENUE][d], s->v[M_ROI_SPEND][d]) - 1;
		ctr[d] = ratio(s->v[M_CLICKS][d], s->v[M_CTR_IMPRESSIONS][d]);
	}
	*a = (struct accuracy_actuals){ w->start, known_days, { 0 } };
	a->values[METRIC_SPEND] = s->v[M_SPEND], a->values[METRIC_REVENUE] = s->v[M_REVENUE];
	a->values[METRIC_ROI] = roi, a->values[METRIC_CONVERSIONS] = s->v[M_CONVERSIONS];
	a->values[METRIC_REACH] = s->v[M_REACH], a->values[METRIC_CTR] = ctr;
}

/* The index of the series' last day with a row (-1: none). */
static long last_row(const struct series *s, const struct window *w)
{
	long d = w->days - 1;
	while (d >= 0 && !s->has_row[d])
		d--;
	return d;
}

/* The days' runs' forecasts of the days scored, sorted by channel. */
struct logged {
	struct result_logged_forecast *f;
	size_t n, cap;
	int failed;
};

static int collect_logged(void *ctx, const struct result_logged_forecast *r)
{
	struct logged *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		struct result_logged_forecast *grown = realloc(l->f, sizeof *grown * cap);
		if (grown == NULL)
			return l->failed = 1;
		l->f = grown;
		l->cap = cap;
	}
	l->f[l->n++] = *r;
	return 0;
}

static int by_channel(const void *a, const void *b)
{
	return strcmp(((const struct result_logged_forecast *)a)->channel,
		      ((const struct result_logged_forecast *)b)->channel);
}

/* The first forecast of channel in l (sorted by channel), and how many. */
static struct result_logged_forecast *channel_forecasts(const struct logged *l, const char *channel,
							 size_t *count)
{
	*count = 0;
	if (l->n == 0)
		return NULL;
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->f[mid].channel, channel) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < l->n && strcmp(l->f[end].channel, channel) == 0)
		end++;
	*count = end - lo;
	return l->f + lo;
}

/* Keeps what the default charts show of the scores: the accuracy chart's
 * default metric and window for every channel, and the total's anomalies. */
static void keep_for_charts(struct chart_inputs *ch, const struct result_accuracy *rows, int n,
			    const struct result_anomaly *an, int nan, int total)
{
	struct result_accuracy *acc = realloc(ch->accuracy, sizeof *acc * (size_t)(ch->naccuracy + n + 1));
	if (acc == NULL) {
		ch->failed = 1;
		return;
	}
	ch->accuracy = acc;
	for (int i = 0; i < n; i++)
		if (rows[i].metric == CHART_ACCURACY_METRIC && rows[i].window_days == CHART_ACCURACY_WINDOW)
			ch->accuracy[ch->naccuracy++] = rows[i];
	if (!total || nan == 0)
		return;
	free(ch->anomalies);
	ch->anomalies = malloc(sizeof *ch->anomalies * (size_t)nan);
	ch->nanomalies = ch->anomalies ? nan : 0;
	if (ch->anomalies == NULL)
		ch->failed = 1;
	else
		memcpy(ch->anomalies, an, sizeof *an * (size_t)nan);
}

/* One series' scores and anomalies, from its forecasts f (sorted here). */
static enum db_status score_series(struct run_output *o, const struct series *s, const struct window *w,
				   long known_days, struct result_logged_forecast *f, size_t n, double *buf)
{
	long end = w->start + w->days - 1;
	struct accuracy_actuals a;
	series_actuals(s, w, known_days, buf, &a);
	n = accuracy_sort_forecasts(f, n);
	struct result_accuracy rows[ACCURACY_ROWS];
	int nrows = accuracy_score(s->name, &a, f, n, end, rows);
	struct result_anomaly *an;
	int nan;
	if (accuracy_anomalies(s->name, &a, f, n, end - ANOMALY_DAYS + 1, end, &an, &nan) != 0)
		return DB_ERROR;
	enum db_status st = DB_OK;
	for (int i = 0; i < nrows && st == DB_OK; i++)
		st = prediction_put_accuracy(o->writer, &rows[i]);
	for (int i = 0; i < nan && st == DB_OK; i++)
		st = prediction_put_anomaly(o->writer, &an[i]);
	keep_for_charts(o->charts, rows, nrows, an, nan, strcmp(s->name, RESULT_TOTAL_CHANNEL) == 0);
	free(an);
	return st;
}

/* Scores the days' runs' forecasts of the last ANOMALY_DAYS days against
 * the actuals just read, per series (the channels, then the total). */
static enum db_status score_all(struct db *db, struct run_output *o, const struct series *s, int n,
				const struct series *all, const struct window *w)
{
	long end = w->start + w->days - 1;
	struct logged l = { NULL, 0, 0, 0 };
	enum db_status st = history_daily_forecasts(db, JOB, end - ANOMALY_DAYS + 1, end, collect_logged, &l);
	double *buf = malloc(sizeof(double) * 2 * (size_t)w->days);
	if (st == DB_OK && (l.failed || buf == NULL))
		st = DB_ERROR;
	if (st == DB_OK && l.n > 1)
		qsort(l.f, l.n, sizeof *l.f, by_channel);
	/* A channel's days after its own last row have not arrived yet (its
	 * platform's export comes later than another's), not 0: they are not
	 * scored. The total is known up to the day every channel that reported
	 * in the last week has reached. */
	long total_known = w->days;
	for (int i = 0; i <= n && st == DB_OK; i++) {
		const struct series *one = i < n ? &s[i] : all;
		long known = i < n ? last_row(one, w) + 1 : total_known;
		if (i < n && known >= w->days - RECENT_DAYS && known < total_known)
			total_known = known;
		size_t count;
		struct result_logged_forecast *f = channel_forecasts(&l, one->name, &count);
		st = score_series(o, one, w, known, f, count, buf);
	}
	free(buf);
	free(l.f);
	return st;
}

/* Forecasts and rows of one series. */
static enum db_status model_series(struct run_output *o, const struct series *s,
				   const struct window *w, struct ml_summary *out)
{
	static const enum measure fitted[] = { M_REVENUE, M_ROI_SPEND, M_CONVERSIONS, M_IMPRESSIONS,
					       M_CLICKS, M_CTR_IMPRESSIONS, M_REACH };
	struct forecast f[M__MAX];
	memset(f, 0, sizeof f);
	enum db_status st = DB_ERROR;
	for (size_t i = 0; i < sizeof fitted / sizeof fitted[0]; i++) {
		enum measure m = fitted[i];
		if (forecast_measure(s, m, w, &f[m]) != 0)
			goto out;
		out->series_fitted += f[m].ok;
	}
	/* All spend, scored for accuracy: most channels' campaigns all report
	 * revenue, and then it is the ROI's spend, already forecast. */
	if (same_series(s->v[M_SPEND], s->v[M_ROI_SPEND], w->days)) {
		if (forecast_copy(&f[M_ROI_SPEND], w->horizon, &f[M_SPEND]) != 0)
			goto out;
	} else if (forecast_measure(s, M_SPEND, w, &f[M_SPEND]) != 0) {
		goto out;
	} else {
		out->series_fitted += f[M_SPEND].ok;
	}
	struct chart_inputs *ch = o->charts;
	struct result_roi_forecast *r = &ch->forecasts[ch->nforecasts++];
	roi_forecast(s, &f[M_REVENUE], &f[M_ROI_SPEND], w->horizon, r);
	if ((st = prediction_put_forecast(o->writer, r)) != DB_OK ||
	    (st = write_roi_days(o, s, w, f)) != DB_OK)
		goto out;
	if ((st = write_reach_days(o, s, w, f)) != DB_OK)
		goto out;
	st = log_forecasts(o, s, w, f);
out:
	for (int m = 0; m < M__MAX; m++)
		forecast_free(&f[m]);
	return st;
}

/* Draws the default charts from the run's results and stores them. */
static enum db_status cache_charts(struct db *db, long long run, struct chart_inputs *in,
				   struct lease_keeper *keeper)
{
	struct chart_text_cache *text = chart_text_cache_new(); /* labels shared by the charts */
	const struct chart_style style = { CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, 0, text };
	enum db_status st = DB_OK;
	for (int k = 0; k < CHART__MAX && st == DB_OK; k++) {
		if ((st = keep_lease(keeper)) != DB_OK)
			break;
		struct chart_data bars;
		struct chart_rows bar_rows;
		const struct chart_data *data = &bars;
		chart_results_begin((enum chart_kind)k, "", "", &bars, &bar_rows);
		int failed = 0;
		if (k == CHART_ROI_FORECAST)
			failed = chart_results_forecasts(&bars, &bar_rows, in->forecasts, in->nforecasts, "");
		else if (k == CHART_BUDGET)
			failed = chart_results_budget(&bars, &bar_rows, in->budget, in->nbudget, "");
		else if (k == CHART_ACCURACY)
			failed = chart_results_accuracy(&bars, &bar_rows, in->accuracy, in->naccuracy,
							CHART_ACCURACY_METRIC, CHART_ACCURACY_WINDOW, "");
		else if (k == CHART_BUDGET_CURVES)
			data = &in->curves;
		else if (k == CHART_ROI_TIMESERIES || k == CHART_REACH_CTR)
			data = k == CHART_ROI_TIMESERIES ? &in->roi_days : &in->reach_days;
		else
			failed = -1; /* a chart this loop does not know yet */
		unsigned char *png = NULL;
		int size = 0;
		if (failed || chart_render(data, &style, &png, &size) != 0) {
			st = DB_ERROR;
		} else {
			char etag[24];
			chart_etag(png, size, etag);
			st = prediction_put_chart(db, run, chart_names[k], style.width, style.height, "light",
						  etag, png, (size_t)size);
		}
		chart_free(png);
		chart_rows_free(&bar_rows);
	}
	chart_text_cache_free(text);
	return st;
}

static void chart_inputs_free(struct chart_inputs *in)
{
	free(in->forecasts);
	free(in->budget);
	free(in->accuracy);
	free(in->anomalies);
	chart_rows_free(&in->roi_rows);
	chart_rows_free(&in->reach_rows);
	chart_rows_free(&in->curve_rows);
}

/* Tells progress (if any) the step the run is at: what, and i of n when n > 0. */
static void report_step(const struct progress_sink *progress, const char *what, int i, int n)
{
	struct progress_update u = { .phase = PROGRESS_STEP, .name = what, .step = (unsigned)i,
				     .steps = (unsigned)n };
	progress_report(progress, &u);
}

/* Models every series (the channels, then their total) and writes the results. */
static enum db_status model_all(struct db *db, long long run, struct lease_keeper *keeper,
				struct series *s, int n, const struct window *w,
				struct chart_inputs *charts, const struct progress_sink *progress,
				struct ml_summary *out)
{
	struct series all;
	memset(&all, 0, sizeof all); /* freed below also when never filled */
	struct run_output o = { prediction_writer_new(db, run), charts, keeper };
	charts->forecasts = calloc((size_t)n + 1, sizeof *charts->forecasts);
	enum db_status st = DB_ERROR;
	if (o.writer == NULL || charts->forecasts == NULL || series_total(&all, s, n, w->days) != 0)
		goto out;
	st = DB_OK;
	for (int i = 0; i <= n && st == DB_OK; i++) {
		report_step(progress, "ml sync: fitting series", i + 1, n + 1);
		if ((st = keep_lease(keeper)) == DB_OK)
			st = model_series(&o, i < n ? &s[i] : &all, w, out);
	}
	report_step(progress, "ml sync: fitting budget curves", 0, 0);
	if (st == DB_OK)
		st = write_budget(&o, s, n, w, &out->series_fitted);
	report_step(progress, "ml sync: scoring earlier forecasts", 0, 0);
	if (st == DB_OK)
		st = score_all(db, &o, s, n, &all, w);
	report_step(progress, "ml sync: writing", 0, 0);
	if (st == DB_OK)
		st = prediction_flush(o.writer);
	if (st == DB_OK && charts->failed)
		st = DB_ERROR;
	for (int t = 0; t < PREDICTION_TABLE__MAX; t++)
		out->rows_written[t] = prediction_rows(o.writer, (enum prediction_table)t);
out:
	free(all.v[0]);
	free(all.has_row);
	prediction_writer_free(o.writer);
	return st;
}

/* Reads, models and writes inside the open transaction. */
static enum db_status pipeline(struct db *db, const struct mldash_config *cfg, struct lease_keeper *keeper,
			       const struct event_calendar *calendar, long long run,
			       const struct progress_sink *progress, struct ml_summary *out)
{
	long end;
	int empty;
	struct chart_inputs charts;
	memset(&charts, 0, sizeof charts);
	chart_results_begin(CHART_ROI_TIMESERIES, "", "", &charts.roi_days, &charts.roi_rows);
	chart_results_begin(CHART_REACH_CTR, "", "", &charts.reach_days, &charts.reach_rows);
	chart_results_begin(CHART_BUDGET_CURVES, "", "", &charts.curves, &charts.curve_rows);
	charts.roi_days.calendar = charts.reach_days.calendar = calendar; /* the marks: the same days */
	enum db_status st = campaigns_last_day(db, &end, &empty);
	if (st == DB_OK && !empty) {
		struct window w = { end - cfg->ml.fit_days + 1, cfg->ml.fit_days, cfg->ml.horizon_days,
				    cfg->ml.history_days, calendar };
		struct series *s = NULL;
		int n = 0;
		report_step(progress, "ml sync: reading campaign days", 0, 0);
		st = read_series(db, &w, &s, &n, &out->rows_in);
		out->channels = n;
		if (st == DB_OK)
			st = history_set_data_end(db, run, end);
		if (st == DB_OK)
			st = model_all(db, run, keeper, s, n, &w, &charts, progress, out);
		series_free(s, n);
	}
	/* The total's anomalies marked on its two time series. */
	if (st == DB_OK && charts.nanomalies > 0 &&
	    (chart_results_anomalies(&charts.roi_days, &charts.roi_rows, charts.anomalies,
				     charts.nanomalies, "") != 0 ||
	     chart_results_anomalies(&charts.reach_days, &charts.reach_rows, charts.anomalies,
				     charts.nanomalies, "") != 0))
		st = DB_ERROR;
	/* No data yet: a run with no rows; its charts say so. */
	report_step(progress, "ml sync: writing charts", 0, 0);
	if (st == DB_OK)
		st = cache_charts(db, run, &charts, keeper);
	chart_inputs_free(&charts);
	return st;
}

/* --- the run ----------------------------------------------------------------- */

static enum ml_result failed(struct db *db, struct ml_summary *out, enum db_status st,
			     const char *what)
{
	out->db_status = st;
	snprintf(out->error, sizeof out->error, "%s: %s", what, db_error(db));
	return ML_FAILED;
}

/* Runs the pipeline in its transaction and marks the run succeeded, or
 * rolls back and marks it failed. The event calendar is read once per run
 * (a bad calendar file fails the run, naming the file and line). */
static enum ml_result run_locked(struct db *db, const struct mldash_config *cfg,
				 struct lease_keeper *keeper, const struct progress_sink *progress,
				 struct ml_summary *out)
{
	struct event_calendar *calendar;
	if (calendar_load(cfg, &calendar, out->error, sizeof out->error) != 0) {
		log_error("ml sync: %s", out->error);
		out->db_status = DB_OK;
		runs_finish(db, out->run_id, 0, out->rows_in, out->error);
		return ML_FAILED;
	}
	enum db_status st;
	if ((st = db_begin(db, 0)) != DB_OK ||
	    (st = pipeline(db, cfg, keeper, calendar, out->run_id, progress, out)) != DB_OK ||
	    (st = history_mark_daily(db, JOB, out->run_id, out->local_day, &out->daily)) != DB_OK ||
	    (st = runs_finish(db, out->run_id, 1, out->rows_in, NULL)) != DB_OK ||
	    (st = keep_lease(keeper)) != DB_OK || (st = db_commit(db)) != DB_OK) {
		if (keeper->lost) { /* say why, not the last statement's error */
			snprintf(out->error, sizeof out->error,
				 "the run lost its lease (another host may run the sync): rolled back");
			out->db_status = DB_UNAVAILABLE; /* a cluster's event: 503, try again */
		} else {
			failed(db, out, st, "computing the run");
		}
		db_rollback(db);
		runs_finish(db, out->run_id, 0, out->rows_in, out->error);
		event_calendar_free(calendar);
		return ML_FAILED;
	}
	event_calendar_free(calendar);
	if (history_prune(db, JOB, cfg->ml.keep_runs, cfg->ml.keep_daily_days, out->local_day,
			  &out->pruned) != DB_OK)
		log_warn("ml sync: pruning old runs failed: %s", db_error(db));
	return ML_OK;
}

/* The local date (in the process's time zone: config_apply_timezone) of a
 * slot "YYYY-MM-DD HH:MM:SS" (UTC), or of now. */
static long local_day_of(const char *slot_time)
{
	time_t t = time(NULL);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (slot_time != NULL && sscanf(slot_time, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
					&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		t = timegm(&tm);
	}
	char date[16];
	strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&t, &tm));
	return date_day_number(date);
}

enum ml_result ml_sync_run(struct db *db, const struct mldash_config *cfg,
			   enum run_trigger trigger, const char *slot_time,
			   const struct progress_sink *progress, struct ml_summary *out)
{
	memset(out, 0, sizeof *out);
	out->local_day = local_day_of(slot_time);
	double t0 = now_seconds();
	struct lease_keeper keeper;
	memset(&keeper, 0, sizeof keeper);
	keeper.db = db_new(cfg);
	int taken;
	enum db_status st = keeper.db ? lease_take(keeper.db, JOB, LEASE_SECONDS, &keeper.lease, &taken) : DB_ERROR;
	if (st != DB_OK) {
		out->db_status = st;
		snprintf(out->error, sizeof out->error, "taking the sync's lease: %s",
			 keeper.db ? db_error(keeper.db) : "out of memory");
		db_free(keeper.db);
		return ML_FAILED;
	}
	if (!taken) {
		lease_run(keeper.db, JOB, &out->run_id);
		snprintf(out->error, sizeof out->error, "an ML sync is running (run %lld)", out->run_id);
		db_free(keeper.db);
		return ML_BUSY;
	}
	runs_fail_dead(db, JOB); /* with the lease held, a 'running' run is a dead one */
	enum ml_result result = ML_FAILED;
	if ((st = runs_begin(db, JOB, trigger, slot_time, &out->run_id, &taken)) != DB_OK) {
		if (taken) {
			snprintf(out->error, sizeof out->error, "slot %s already claimed", slot_time);
			result = ML_SLOT_TAKEN;
		} else {
			failed(db, out, st, "recording the run");
		}
	} else {
		lease_set_run(keeper.db, &keeper.lease, out->run_id);
		result = run_locked(db, cfg, &keeper, progress, out);
		struct progress_update done = { .phase = PROGRESS_DONE };
		progress_report(progress, &done);
	}
	lease_release(keeper.db, &keeper.lease);
	db_free(keeper.db);
	out->seconds = now_seconds() - t0;
	if (result == ML_OK)
		log_info("ml sync run %lld%s: %d channels, %lu channel-days, %d series fitted, rows: "
			 "%lu roi_forecast, %lu roi_timeseries, %lu reach_ctr, %lu budget, %lu budget days,"
			 " %lu forecasts kept, %lu scores, %lu anomalies; pruned %lu runs, trimmed %lu,"
			 " expired %lu; %.3f s",
			 out->run_id, out->daily ? " (the day's run)" : "", out->channels, out->rows_in,
			 out->series_fitted, out->rows_written[PREDICTION_ROI_FORECAST],
			 out->rows_written[PREDICTION_ROI_DAYS], out->rows_written[PREDICTION_REACH_DAYS],
			 out->rows_written[PREDICTION_BUDGET], out->rows_written[PREDICTION_BUDGET_DAYS],
			 out->rows_written[PREDICTION_FORECAST_LOG], out->rows_written[PREDICTION_ACCURACY],
			 out->rows_written[PREDICTION_ANOMALIES], out->pruned.runs_deleted,
			 out->pruned.runs_trimmed, out->pruned.daily_expired, out->seconds);
	return result;
}
