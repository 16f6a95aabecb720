#include "db_internal.h" /* transitional: moves into db/ */
#include "ml_sync.h"

#include <math.h>
#include <mysqld_error.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart_db.h"
#include "ets.h"
#include "log.h"
#include "plan.h"

const char *const ml_table_names[ML_TABLE__MAX] = {
	[ML_ROI_FORECAST] = "ml_roi_forecast",
	[ML_ROI_TIMESERIES] = "ml_roi_timeseries",
	[ML_REACH_CTR] = "ml_reach_ctr_timeseries",
	[ML_BUDGET] = "ml_budget_recommendation",
};

/* What is summed per channel and day. ROI_SPEND is the spend of campaigns
 * that report revenue (a campaign without revenue is left out of ROI, not
 * counted as a loss); CTR_IMPRESSIONS the impressions of campaigns that
 * report clicks. */
enum measure {
	M_SPEND, M_REVENUE, M_ROI_SPEND, M_CONVERSIONS, M_IMPRESSIONS, M_CLICKS,
	M_CTR_IMPRESSIONS, M_REACH, M__MAX
};

struct series {
	char name[65];
	char sql_name[140];      /* name escaped for SQL */
	double *v[M__MAX];       /* [days]; NaN: unknown */
	unsigned char *has_row;  /* [days] */
	unsigned char *reach_upper;
	int reported[M__MAX];    /* the channel reports the measure at all */
	long first;              /* first day (index) with data */
};

struct forecast {
	int ok;
	char model[8];
	double *mean, *lo80, *hi80, *lo95, *hi95; /* [horizon] */
	struct ets_backtest bt;
	int have_bt;
};

struct sqlbuf {
	char *s;
	size_t len, cap;
	int rows;
};

#define ROWS_PER_INSERT 400
#define CURRENT_DAYS 28 /* current spend: the mean of the last 28 days */

/* --- small helpers ---------------------------------------------------------- */

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void day_text(long day_number, char out[11])
{
	time_t t = (time_t)day_number * 86400;
	struct tm utc;
	gmtime_r(&t, &utc);
	strftime(out, 11, "%Y-%m-%d", &utc);
}

static int sql_append(struct sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sql_append(struct sqlbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (b->s != NULL && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return 0;
		}
		size_t cap = b->cap ? b->cap * 2 : 65536;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *grown = realloc(b->s, cap);
		if (grown == NULL)
			return -1;
		b->s = grown;
		b->cap = cap;
	}
}

/* A number for SQL: NULL for NaN or infinity. */
static const char *num(double v, char buf[32])
{
	if (!isfinite(v))
		return "NULL";
	snprintf(buf, 32, "%.10g", v);
	return buf;
}

static double ratio(double a, double b)
{
	return isfinite(a) && isfinite(b) && b > 0 ? a / b : NAN;
}

/* --- reading ---------------------------------------------------------------- */

static const char read_sql[] =
	"SELECT c.channel, DATEDIFF(d.day, '1970-01-01'),"
	" SUM(d.spend), SUM(d.revenue), SUM(CASE WHEN d.revenue IS NOT NULL THEN d.spend END),"
	" SUM(d.conversions), SUM(d.impressions), SUM(d.clicks),"
	" SUM(CASE WHEN d.clicks IS NOT NULL THEN d.impressions END), SUM(d.reach),"
	" MAX(d.reach_is_upper_bound) OR COUNT(d.reach) > 1"
	" FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id"
	/* The total is written as channel 'all': a channel the store's
	 * collation holds equal to it (stored before imports refused the name,
	 * or a variant such as 'ÀLL') would collide with it in the ml_* keys. */
	" WHERE c.channel <> 'all' AND d.day BETWEEN FROM_DAYS(TO_DAYS('1970-01-01') + %ld)"
	" AND FROM_DAYS(TO_DAYS('1970-01-01') + %ld)"
	" GROUP BY c.channel, d.day ORDER BY c.channel, d.day";

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
	snprintf(s->name, sizeof s->name, "%s", name);
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
	s->first = -1;
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
	if (series_init(all, "all", days) != 0)
		return -1;
	snprintf(all->sql_name, sizeof all->sql_name, "all");
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

static double field(const char *s)
{
	return s ? strtod(s, NULL) : NAN;
}

/* Campaigns whose channel the store holds equal to the total's name (a
 * look-alike such as 'ÀLL' passes the import's check): read_sql leaves them
 * out, so say so rather than drop their data without a word. */
static void warn_reserved_channels(struct db *db)
{
	MYSQL_RES *res;
	if (db_exec_noretry(db, "SELECT COUNT(*), MIN(channel) FROM campaigns WHERE channel = 'all'",
			    &res) != DB_OK)
		return;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL && row[0] != NULL && atol(row[0]) > 0)
		log_warn("ml sync: %s campaign(s) with channel '%s' are left out: the name is the "
			 "total over all channels; rename their channel", row[0], row[1] ? row[1] : "");
	mysql_free_result(res);
}

/* Reads channel-days of [start, end] into series; returns their number, or -1. */
static int read_series(struct db *db, long start, long end, struct series **out, int *count,
		       unsigned long *rows_in)
{
	char sql[1024];
	warn_reserved_channels(db);
	snprintf(sql, sizeof sql, read_sql, start, end);
	MYSQL_RES *res;
	if (db_exec_noretry(db, sql, &res) != DB_OK)
		return -1;
	long days = end - start + 1;
	int cap = 8, n = 0;
	struct series *s = calloc((size_t)cap, sizeof *s);
	MYSQL_ROW row;
	while (s != NULL && (row = mysql_fetch_row(res)) != NULL) {
		if (n == 0 || strcmp(s[n - 1].name, row[0]) != 0) {
			if (n == cap) {
				struct series *grown = realloc(s, sizeof *s * (size_t)cap * 2);
				if (grown == NULL)
					break;
				memset(grown + cap, 0, sizeof *s * (size_t)cap);
				s = grown;
				cap *= 2;
			}
			if (series_init(&s[n++], row[0], days) != 0)
				break;
			mysql_real_escape_string(db_mysql(db), s[n - 1].sql_name, s[n - 1].name,
						 (unsigned long)strlen(s[n - 1].name));
		}
		struct series *c = &s[n - 1];
		long d = atol(row[1]) - start;
		if (d < 0 || d >= days)
			continue;
		for (int m = 0; m < M__MAX; m++)
			c->v[m][d] = field(row[2 + m]);
		c->reach_upper[d] = row[10] && atoi(row[10]) != 0;
		c->has_row[d] = 1;
		if (c->first < 0)
			c->first = d;
		(*rows_in)++;
	}
	mysql_free_result(res);
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		series_fill(&s[i], days);
	*out = s;
	*count = n;
	return 0;
}

/* --- models ------------------------------------------------------------------ */

static void forecast_free(struct forecast *f)
{
	free(f->mean);
	memset(f, 0, sizeof *f);
}

/* Fits a measure from the series' first day on and forecasts it. */
static int forecast_measure(const struct series *s, enum measure m, long days, int horizon,
			    int backtest, struct forecast *f)
{
	memset(f, 0, sizeof *f);
	if (!s->reported[m] || s->first < 0)
		return 0;
	f->mean = malloc(sizeof(double) * (size_t)horizon * 5);
	if (f->mean == NULL)
		return -1;
	f->lo80 = f->mean + horizon;
	f->lo95 = f->mean + 2 * horizon;
	f->hi80 = f->mean + 3 * horizon;
	f->hi95 = f->mean + 4 * horizon;
	struct ets_options opt;
	ets_options_default(&opt);
	opt.nonnegative = 1;
	enum ets_status st;
	const double *y = s->v[m] + s->first;
	size_t n = (size_t)(days - s->first);
	struct ets_fit *fit = ets_fit(y, n, &opt, &st);
	if (fit == NULL)
		return 0;
	const double levels[2] = { 0.80, 0.95 };
	double lo[2 * 366], hi[2 * 366];
	ets_forecast(fit, horizon, levels, 2, f->mean, lo, hi);
	memcpy(f->lo80, lo, sizeof(double) * (size_t)horizon);
	memcpy(f->lo95, lo + horizon, sizeof(double) * (size_t)horizon);
	memcpy(f->hi80, hi, sizeof(double) * (size_t)horizon);
	memcpy(f->hi95, hi + horizon, sizeof(double) * (size_t)horizon);
	struct ets_summary sum;
	ets_summary(fit, &sum);
	memcpy(f->model, sum.model, sizeof f->model);
	if (backtest)
		f->have_bt = ets_backtest(y, n, &opt, fit, horizon < 28 ? horizon : 28, 4, 7, &f->bt) == 0;
	ets_free(fit);
	f->ok = 1;
	return 0;
}

/* --- writing ----------------------------------------------------------------- */

static enum db_status flush_insert(struct db *db, struct sqlbuf *b, int force)
{
	if (b->rows == 0 || (!force && b->rows < ROWS_PER_INSERT))
		return DB_OK;
	enum db_status st = db_exec_noretry(db, b->s, NULL);
	b->len = 0;
	b->rows = 0;
	return st;
}

static int begin_row(struct sqlbuf *b, const char *insert_head)
{
	return b->rows++ == 0 ? sql_append(b, "%s", insert_head) : sql_append(b, ",");
}

/* ml_roi_forecast: ROI over the horizon from the forecasts of revenue and of
 * the spend behind it. The bounds take the sum of the daily revenue bounds
 * (as if daily errors were fully correlated: conservative) over the spend
 * forecast, which the advertiser controls. */
static enum db_status write_roi_forecast(struct db *db, long long run, const struct series *s,
					 const struct forecast *rev, const struct forecast *spend,
					 int horizon, struct sqlbuf *b, unsigned long *rows)
{
	double sr = 0, ss = 0, l80 = 0, h80 = 0, l95 = 0, h95 = 0;
	const char *note = NULL;
	if (!s->reported[M_REVENUE])
		note = "no revenue reported";
	else if (!rev->ok || !spend->ok)
		note = "too little history to forecast";
	for (int h = 0; h < horizon && note == NULL; h++) {
		sr += rev->mean[h], ss += spend->mean[h];
		l80 += rev->lo80[h], h80 += rev->hi80[h], l95 += rev->lo95[h], h95 += rev->hi95[h];
	}
	if (note == NULL && !(ss > 0))
		note = "no spend forecast";
	char a[32], bb[32], c[32], d[32], e[32], f[32], g[32], hh[32], i[32], j[32];
	double roi = note ? NAN : sr / ss - 1;
	if (begin_row(b, "INSERT INTO ml_roi_forecast (run_id, channel, horizon_days, predicted_roi,"
			 " roi_lower_80, roi_upper_80, roi_lower, roi_upper, predicted_spend,"
			 " predicted_revenue, model, backtest_smape, baseline_smape, backtest_mase, note)"
			 " VALUES ") != 0 ||
	    sql_append(b, "(%lld, '%s', %d, %s, %s, %s, %s, %s, %s, %s, %s%s%s, %s, %s, %s, %s%s%s)",
		       run, s->sql_name, horizon, num(roi, a), num(note ? NAN : l80 / ss - 1, bb),
		       num(note ? NAN : h80 / ss - 1, c), num(note ? NAN : l95 / ss - 1, d),
		       num(note ? NAN : h95 / ss - 1, e), num(note ? NAN : ss, f),
		       num(note ? NAN : sr, g), rev->ok ? "'" : "", rev->ok ? rev->model : "NULL",
		       rev->ok ? "'" : "", num(rev->have_bt ? rev->bt.smape : NAN, hh),
		       num(rev->have_bt ? rev->bt.naive_smape : NAN, i),
		       num(rev->have_bt ? rev->bt.mase : NAN, j), note ? "'" : "",
		       note ? note : "NULL", note ? "'" : "") != 0)
		return DB_ERROR;
	(*rows)++;
	return flush_insert(db, b, 0);
}

/* ml_roi_timeseries: actual daily ROI and conversions over the history
 * window, then the forecast days with bounds. */
static enum db_status write_roi_timeseries(struct db *db, long long run, const struct series *s,
					   long start, long days, int history, const struct forecast *rev,
					   const struct forecast *spend, const struct forecast *conv,
					   int horizon, struct sqlbuf *b, unsigned long *rows)
{
	static const char head[] =
		"INSERT INTO ml_roi_timeseries (run_id, channel, day, kind, spend, revenue, roi,"
		" roi_lower_80, roi_upper_80, roi_lower, roi_upper, conversions, conversions_lower_80,"
		" conversions_upper_80, conversions_lower, conversions_upper) VALUES ";
	char day[11], n1[32], n2[32], n3[32], n4[32], n5[32], n6[32], n7[32], n8[32], n9[32],
		n10[32], n11[32], n12[32];
	enum db_status st;
	long from = days - history > (s->first > 0 ? s->first : 0) ? days - history : (s->first > 0 ? s->first : 0);
	for (long d = from; d < days && s->first >= 0; d++) {
		day_text(start + d, day);
		double sp = s->v[M_ROI_SPEND][d], rv = s->v[M_REVENUE][d];
		if (begin_row(b, head) != 0 ||
		    sql_append(b, "(%lld,'%s','%s','actual',%s,%s,%s,NULL,NULL,NULL,NULL,%s,NULL,NULL,NULL,NULL)",
			       run, s->sql_name, day, num(sp, n1), num(rv, n2), num(ratio(rv, sp) - 1, n3),
			       num(s->v[M_CONVERSIONS][d], n4)) != 0)
			return DB_ERROR;
		(*rows)++;
		if ((st = flush_insert(db, b, 0)) != DB_OK)
			return st;
	}
	for (int h = 0; h < horizon && s->first >= 0 && (rev->ok || conv->ok); h++) {
		day_text(start + days + h, day);
		double sp = spend->ok ? spend->mean[h] : NAN;
		int r = rev->ok && spend->ok;
		if (begin_row(b, head) != 0 ||
		    sql_append(b, "(%lld,'%s','%s','forecast',%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", run,
			       s->sql_name, day, num(sp, n1), num(r ? rev->mean[h] : NAN, n2),
			       num(r ? ratio(rev->mean[h], sp) - 1 : NAN, n3),
			       num(r ? ratio(rev->lo80[h], sp) - 1 : NAN, n4),
			       num(r ? ratio(rev->hi80[h], sp) - 1 : NAN, n5),
			       num(r ? ratio(rev->lo95[h], sp) - 1 : NAN, n6),
			       num(r ? ratio(rev->hi95[h], sp) - 1 : NAN, n7),
			       num(conv->ok ? conv->mean[h] : NAN, n8), num(conv->ok ? conv->lo80[h] : NAN, n9),
			       num(conv->ok ? conv->hi80[h] : NAN, n10), num(conv->ok ? conv->lo95[h] : NAN, n11),
			       num(conv->ok ? conv->hi95[h] : NAN, n12)) != 0)
			return DB_ERROR;
		(*rows)++;
		if ((st = flush_insert(db, b, 0)) != DB_OK)
			return st;
	}
	return DB_OK;
}

/* ml_reach_ctr_timeseries: reach (never summed across days), impressions,
 * clicks and CTR from clicks over the impressions of campaigns that report
 * clicks; forecasts with bounds, CTR's from the clicks bounds. */
static enum db_status write_reach_ctr(struct db *db, long long run, const struct series *s,
				      long start, long days, int history, const struct forecast *reach,
				      const struct forecast *impr, const struct forecast *clicks,
				      const struct forecast *ctr_impr, int horizon, struct sqlbuf *b,
				      unsigned long *rows)
{
	static const char head[] =
		"INSERT INTO ml_reach_ctr_timeseries (run_id, channel, day, kind, reach,"
		" reach_is_upper_bound, reach_lower, reach_upper, impressions, impressions_lower,"
		" impressions_upper, clicks, clicks_lower, clicks_upper, ctr, ctr_lower, ctr_upper)"
		" VALUES ";
	char day[11], n[12][32];
	enum db_status st;
	long from = days - history > (s->first > 0 ? s->first : 0) ? days - history : (s->first > 0 ? s->first : 0);
	for (long d = from; d < days && s->first >= 0; d++) {
		day_text(start + d, day);
		if (begin_row(b, head) != 0 ||
		    sql_append(b, "(%lld,'%s','%s','actual',%s,%d,NULL,NULL,%s,NULL,NULL,%s,NULL,NULL,%s,NULL,NULL)",
			       run, s->sql_name, day, num(s->v[M_REACH][d], n[0]), s->reach_upper[d],
			       num(s->v[M_IMPRESSIONS][d], n[1]), num(s->v[M_CLICKS][d], n[2]),
			       num(ratio(s->v[M_CLICKS][d], s->v[M_CTR_IMPRESSIONS][d]), n[3])) != 0)
			return DB_ERROR;
		(*rows)++;
		if ((st = flush_insert(db, b, 0)) != DB_OK)
			return st;
	}
	int upper = s->reported[M_REACH] && (strcmp(s->name, "all") == 0 || s->reach_upper[days - 1]);
	for (int h = 0; h < horizon && s->first >= 0 && (reach->ok || impr->ok || clicks->ok); h++) {
		day_text(start + days + h, day);
		double ci = ctr_impr->ok ? ctr_impr->mean[h] : NAN;
		int c = clicks->ok;
		if (begin_row(b, head) != 0 ||
		    sql_append(b, "(%lld,'%s','%s','forecast',%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", run,
			       s->sql_name, day, num(reach->ok ? reach->mean[h] : NAN, n[0]), upper,
			       num(reach->ok ? reach->lo95[h] : NAN, n[1]), num(reach->ok ? reach->hi95[h] : NAN, n[2]),
			       num(impr->ok ? impr->mean[h] : NAN, n[3]), num(impr->ok ? impr->lo95[h] : NAN, n[4]),
			       num(impr->ok ? impr->hi95[h] : NAN, n[5]), num(c ? clicks->mean[h] : NAN, n[6]),
			       num(c ? clicks->lo95[h] : NAN, n[7]), num(c ? clicks->hi95[h] : NAN, n[8]),
			       num(c ? ratio(clicks->mean[h], ci) : NAN, n[9]),
			       num(c ? ratio(clicks->lo95[h], ci) : NAN, n[10]),
			       num(c ? ratio(clicks->hi95[h], ci) : NAN, n[11])) != 0)
			return DB_ERROR;
		(*rows)++;
		if ((st = flush_insert(db, b, 0)) != DB_OK)
			return st;
	}
	return DB_OK;
}

/* ml_budget_recommendation: the optimiser's split of the current total.
 * Channels without revenue cannot be judged: they stay at their spend. */
static enum db_status write_budget(struct db *db, long long run, const struct series *s, int n,
				   long days, struct sqlbuf *b, unsigned long *rows, int *fitted)
{
	struct plan_input *in = calloc((size_t)(n ? n : 1), sizeof *in);
	if (in == NULL)
		return DB_ERROR;
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
	for (int i = 0; i < plan.n && st == DB_OK; i++) {
		const struct plan_channel *c = &plan.channels[i];
		const struct response_curve *k = &c->curve;
		char v[16][32];
		*fitted += k->kind != CURVE_NONE;
		if (begin_row(b, "INSERT INTO ml_budget_recommendation (run_id, channel, current_budget,"
				 " recommended_budget, lower_bound, upper_bound, expected_revenue_current,"
				 " expected_revenue, expected_roi_current, expected_roi, marginal_roi,"
				 " curve_model, curve_beta, curve_k, curve_alpha, adstock_rate, fit_r2,"
				 " confidence) VALUES ") != 0 ||
		    sql_append(b, "(%lld,'%s',%s,%s,%s,%s,%s,%s,%s,%s,%s,'%s',%s,%s,%s,%s,%s,'%s')", run,
			       s[i].sql_name, num(c->current, v[0]), num(c->recommended, v[1]),
			       num(c->lower, v[2]), num(c->upper, v[3]), num(c->revenue_current, v[4]),
			       num(c->revenue_recommended, v[5]),
			       num(ratio(c->revenue_current, c->current) - 1, v[6]),
			       num(ratio(c->revenue_recommended, c->recommended) - 1, v[7]),
			       num(c->marginal_roi, v[8]), curve_kind_names[k->kind],
			       /* power law a s^b is stored as beta = a, alpha = b, k = NULL */
			       num(k->kind == CURVE_HILL ? k->beta : k->kind == CURVE_POWER ? k->a : NAN, v[9]),
			       num(k->kind == CURVE_HILL ? k->k : NAN, v[10]),
			       num(k->kind == CURVE_HILL ? k->alpha : k->kind == CURVE_POWER ? k->b : NAN, v[11]),
			       num(k->adstock, v[12]), num(k->r2, v[13]),
			       curve_confidence_names[k->confidence]) != 0) {
			st = DB_ERROR;
			break;
		}
		(*rows)++;
		st = flush_insert(db, b, 0);
	}
	plan_free(&plan);
	return st;
}

/* --- the run ----------------------------------------------------------------- */

/* Forecasts and rows of one series. */
static enum db_status model_series(struct db *db, long long run, const struct mldash_config *cfg,
				   const struct series *s, long start, long days, struct sqlbuf bufs[3],
				   struct ml_summary *out)
{
	int H = cfg->ml.horizon_days;
	struct forecast f[M__MAX];
	memset(f, 0, sizeof f);
	static const enum measure fitted[] = { M_REVENUE, M_ROI_SPEND, M_CONVERSIONS, M_IMPRESSIONS,
					       M_CLICKS, M_CTR_IMPRESSIONS, M_REACH };
	enum db_status st = DB_ERROR;
	for (size_t i = 0; i < sizeof fitted / sizeof fitted[0]; i++) {
		if (forecast_measure(s, fitted[i], days, H, fitted[i] == M_REVENUE, &f[fitted[i]]) != 0)
			goto out;
		out->series_fitted += f[fitted[i]].ok;
	}
	if ((st = write_roi_forecast(db, run, s, &f[M_REVENUE], &f[M_ROI_SPEND], H, &bufs[0],
				     &out->rows_written[ML_ROI_FORECAST])) != DB_OK ||
	    (st = write_roi_timeseries(db, run, s, start, days, cfg->ml.history_days, &f[M_REVENUE],
				       &f[M_ROI_SPEND], &f[M_CONVERSIONS], H, &bufs[1],
				       &out->rows_written[ML_ROI_TIMESERIES])) != DB_OK ||
	    (st = write_reach_ctr(db, run, s, start, days, cfg->ml.history_days, &f[M_REACH],
				  &f[M_IMPRESSIONS], &f[M_CLICKS], &f[M_CTR_IMPRESSIONS], H, &bufs[2],
				  &out->rows_written[ML_REACH_CTR])) != DB_OK)
		goto out;
	st = DB_OK;
out:
	for (int m = 0; m < M__MAX; m++)
		forecast_free(&f[m]);
	return st;
}

/* Renders the four default charts from the rows just written (visible to
 * this transaction) into ml_chart_cache. */
static enum db_status cache_charts(struct db *db, long long run)
{
	struct chart_text_cache *text = chart_text_cache_new(); /* labels shared by the four */
	const struct chart_style style = { CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, 0, text };
	enum db_status result = DB_OK;
	for (int k = 0; k < CHART__MAX && result == DB_OK; k++) {
		struct chart_data data;
		struct chart_rows rows;
		enum db_status st = chart_load(db, run, "", (enum chart_kind)k, "", 0, &data, &rows);
		unsigned char *png = NULL;
		int size = 0;
		if (st == DB_OK && chart_render(&data, &style, &png, &size) != 0)
			st = DB_ERROR;
		chart_rows_free(&rows);
		if (st != DB_OK) {
			chart_free(png);
			result = st;
			break;
		}
		char etag[24];
		chart_etag(png, size, etag);
		char *sql = malloc(2 * (size_t)size + 512);
		if (sql == NULL) {
			chart_free(png);
			result = DB_ERROR;
			break;
		}
		int n = snprintf(sql, 512,
				 "INSERT INTO ml_chart_cache (run_id, chart, width, height, theme, etag, png)"
				 " VALUES (%lld, '%s', %d, %d, 'light', '%s', '", run, chart_names[k],
				 style.width, style.height, etag);
		n += (int)mysql_real_escape_string(db_mysql(db), sql + n, (const char *)png, (unsigned long)size);
		memcpy(sql + n, "')", 3);
		chart_free(png);
		result = db_exec_noretry(db, sql, NULL);
		free(sql);
	}
	chart_text_cache_free(text);
	return result;
}

/* Reads, models and writes inside the open transaction. */
static enum db_status pipeline(struct db *db, const struct mldash_config *cfg, long long run,
			       struct ml_summary *out)
{
	MYSQL_RES *res;
	enum db_status st = db_exec_noretry(db, "SELECT DATEDIFF(MAX(day), '1970-01-01') FROM campaign_daily", &res);
	if (st != DB_OK)
		return st;
	MYSQL_ROW row = mysql_fetch_row(res);
	int empty = row == NULL || row[0] == NULL;
	long end = empty ? 0 : atol(row[0]);
	mysql_free_result(res);
	if (empty) /* no data yet: a run with no rows; its charts say so */
		return cache_charts(db, run);
	long days = cfg->ml.fit_days, start = end - days + 1;

	struct series *s = NULL, all;
	int n = 0;
	memset(&all, 0, sizeof all);
	if (read_series(db, start, end, &s, &n, &out->rows_in) != 0)
		return DB_ERROR;
	out->channels = n;
	struct sqlbuf bufs[4] = { { 0 } };
	st = DB_ERROR;
	if (series_total(&all, s, n, days) != 0)
		goto out;
	for (int i = 0; i <= n; i++)
		if ((st = model_series(db, run, cfg, i < n ? &s[i] : &all, start, days, bufs, out)) != DB_OK)
			goto out;
	if ((st = write_budget(db, run, s, n, days, &bufs[3], &out->rows_written[ML_BUDGET],
			       &out->series_fitted)) != DB_OK)
		goto out;
	for (int t = 0; t < 4 && st == DB_OK; t++)
		st = flush_insert(db, &bufs[t], 1);
out:
	if (st == DB_OK)
		st = cache_charts(db, run);
	for (int t = 0; t < 4; t++)
		free(bufs[t].s);
	series_free(s, n);
	free(all.v[0]);
	free(all.has_row);
	return st;
}

/* Marks runs left 'running' by a dead process: whoever holds the lock is the
 * only live run, and that is us. */
static void fail_dead_runs(struct db *db)
{
	db_exec_noretry(db,
		"UPDATE ml_runs SET status = 'failed', finished_at = UTC_TIMESTAMP(3),"
		" error = 'the run stopped before finishing (its process or connection died)'"
		" WHERE job = 'ml_sync' AND status = 'running'", NULL);
}

static void prune(struct db *db, int keep)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "DELETE FROM ml_runs WHERE job = 'ml_sync' AND id < (SELECT MIN(id) FROM"
		 " (SELECT id FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded'"
		 " ORDER BY id DESC LIMIT %d) newest)", keep);
	if (db_exec_noretry(db, sql, NULL) != DB_OK)
		log_warn("ml sync: pruning old runs failed: %s", db_error(db));
}

static enum ml_result failed(struct db *db, struct ml_summary *out, enum db_status st,
			     const char *what)
{
	out->db_status = st;
	snprintf(out->error, sizeof out->error, "%s: %s", what, db_error(db));
	return ML_FAILED;
}

enum ml_result ml_sync_run(struct db *db, const struct mldash_config *cfg,
			   enum run_trigger trigger, const char *slot_time, struct ml_summary *out)
{
	memset(out, 0, sizeof *out);
	double t0 = now_seconds();
	MYSQL_RES *res;
	enum db_status st = db_query(db, "SELECT GET_LOCK('mldash.ml_sync', 0)", &res);
	if (st != DB_OK)
		return failed(db, out, st, "taking the sync lock");
	MYSQL_ROW row = mysql_fetch_row(res);
	int locked = row && row[0] && strcmp(row[0], "1") == 0;
	mysql_free_result(res);
	if (!locked) {
		if (db_exec_noretry(db, "SELECT MAX(id) FROM ml_runs WHERE job = 'ml_sync' AND status = 'running'",
				    &res) == DB_OK) {
			row = mysql_fetch_row(res);
			out->run_id = row && row[0] ? atoll(row[0]) : 0;
			mysql_free_result(res);
		}
		snprintf(out->error, sizeof out->error, "an ML sync is running (run %lld)", out->run_id);
		return ML_BUSY;
	}
	fail_dead_runs(db);
	int taken;
	enum ml_result result = ML_FAILED;
	if ((st = runs_begin(db, "ml_sync", trigger, slot_time, &out->run_id, &taken)) != DB_OK) {
		if (taken) {
			snprintf(out->error, sizeof out->error, "slot %s already claimed", slot_time);
			result = ML_SLOT_TAKEN;
		} else {
			failed(db, out, st, "recording the run");
		}
		goto unlock;
	}
	if ((st = db_exec_noretry(db, "START TRANSACTION", NULL)) != DB_OK ||
	    (st = pipeline(db, cfg, out->run_id, out)) != DB_OK) {
		failed(db, out, st, "computing the run");
		db_exec_noretry(db, "ROLLBACK", NULL);
		runs_finish(db, out->run_id, 0, out->rows_in, out->error);
		goto unlock;
	}
	char sql[256];
	snprintf(sql, sizeof sql,
		 "UPDATE ml_runs SET status = 'succeeded', finished_at = UTC_TIMESTAMP(3), rows_in = %lu"
		 " WHERE id = %lld", out->rows_in, out->run_id);
	if ((st = db_exec_noretry(db, sql, NULL)) != DB_OK ||
	    (st = db_exec_noretry(db, "COMMIT", NULL)) != DB_OK) {
		failed(db, out, st, "committing the run");
		db_exec_noretry(db, "ROLLBACK", NULL);
		runs_finish(db, out->run_id, 0, out->rows_in, out->error);
		goto unlock;
	}
	prune(db, cfg->ml.keep_runs);
	result = ML_OK;
unlock:
	db_exec_noretry(db, "DO RELEASE_LOCK('mldash.ml_sync')", NULL);
	out->seconds = now_seconds() - t0;
	if (result == ML_OK)
		log_info("ml sync run %lld: %d channels, %lu channel-days, %d series fitted, rows: "
			 "%lu roi_forecast, %lu roi_timeseries, %lu reach_ctr, %lu budget; %.3f s",
			 out->run_id, out->channels, out->rows_in, out->series_fitted,
			 out->rows_written[0], out->rows_written[1], out->rows_written[2],
			 out->rows_written[3], out->seconds);
	return result;
}
