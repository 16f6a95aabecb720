#include "history.h"

#include "db_internal.h"

#include <math.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days are carried as days since 1970-01-01 (TO_DAYS of 1970-01-01 is 719528). */
#define EPOCH_TO_DAYS "719528"
#define DAY_PARAM "FROM_DAYS(" EPOCH_TO_DAYS " + ?)"
#define DAY_COLUMN(c) "TO_DAYS(" c ") - " EPOCH_TO_DAYS

/* The longest lead kept: a forecast of a day was made at most this many
 * days before it. */
#define LEAD_MAX 28

static int read_first_int(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	*(long long *)ctx = cols[0].type == DB_NULL ? -1 : db_col_int(&cols[0]);
	return 1;
}

/* --- the run's own marks ------------------------------------------------------ */

enum db_status history_set_data_end(struct db *db, long long run_id, long data_end)
{
	static struct db_statement update = DB_STATEMENT(
		"UPDATE ml_runs SET data_end = " DAY_PARAM " WHERE id = ?");
	struct db_value p[] = { db_int(data_end), db_int(run_id) };
	return db_run_write(db, &update, p, 2, NULL, NULL);
}

enum db_status history_mark_daily(struct db *db, const char *job, long long run_id, long local_day,
				  int *marked)
{
	/* The unique key (job, daily_for) decides: of two runs after the same
	 * midnight, on any host, the first to commit keeps the day. */
	static struct db_statement update = DB_STATEMENT(
		"UPDATE ml_runs SET daily_for = " DAY_PARAM " WHERE id = ? AND job = ?");
	struct db_value p[] = { db_int(local_day), db_int(run_id), db_text(job) };
	unsigned long long changed = 0;
	enum db_status st = db_run_write(db, &update, p, 3, &changed, NULL);
	*marked = st == DB_OK && changed == 1;
	if (st == DB_ERROR && db_errno(db) == ER_DUP_ENTRY)
		return DB_OK; /* the day has its run */
	return st;
}

/* --- pruning ------------------------------------------------------------------ */

/* The oldest of the job's keep newest succeeded runs (-1: none yet). */
static enum db_status oldest_kept(struct db *db, const char *job, int keep, long long *id)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT MIN(id) FROM (SELECT id FROM ml_runs WHERE job = ? AND status = 'succeeded'"
		" ORDER BY id DESC LIMIT ?) newest");
	struct db_value p[] = { db_text(job), db_int(keep) };
	*id = -1;
	return db_run(db, &select, p, 2, read_first_int, id);
}

/* The statements that take a day's run down to its forecasts and plan, in
 * order; the last marks it done (a trim cut short is done again). */
static struct db_statement trim_statements[] = {
	DB_STATEMENT("DELETE FROM ml_roi_timeseries WHERE run_id = ?"),
	DB_STATEMENT("DELETE FROM ml_reach_ctr_timeseries WHERE run_id = ?"),
	DB_STATEMENT("DELETE FROM ml_budget_days WHERE run_id = ?"),
	DB_STATEMENT("DELETE FROM ml_chart_cache WHERE run_id = ?"),
	DB_STATEMENT("DELETE FROM ml_accuracy WHERE run_id = ?"),
	DB_STATEMENT("DELETE FROM ml_anomalies WHERE run_id = ?"),
	DB_STATEMENT("UPDATE ml_budget_recommendation SET curve_draws = NULL WHERE run_id = ?"),
	DB_STATEMENT("UPDATE ml_runs SET trimmed = 1 WHERE id = ?"),
};

static enum db_status trim_run(struct db *db, long long run_id)
{
	enum db_status st = DB_OK;
	struct db_value p[] = { db_int(run_id) };
	for (size_t i = 0; i < sizeof trim_statements / sizeof *trim_statements && st == DB_OK; i++)
		st = db_run_write(db, &trim_statements[i], p, 1, NULL, NULL);
	return st;
}

struct id_list {
	long long ids[HISTORY_PRUNE_BATCH];
	int n;
};

static int read_id(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	struct id_list *l = ctx;
	if (l->n < HISTORY_PRUNE_BATCH)
		l->ids[l->n++] = db_col_int(&cols[0]);
	return 0;
}

/* The days' runs older than the recent ones, not yet trimmed, oldest first. */
static enum db_status trim_days_runs(struct db *db, const char *job, long long kept_from,
				     unsigned long *trimmed)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT id FROM ml_runs WHERE job = ? AND id < ? AND daily_for IS NOT NULL"
		" AND trimmed = 0 ORDER BY id LIMIT " "50");
	struct id_list list = { { 0 }, 0 };
	struct db_value p[] = { db_text(job), db_int(kept_from) };
	enum db_status st = db_run(db, &select, p, 2, read_id, &list);
	for (int i = 0; i < list.n && st == DB_OK; i++)
		if ((st = trim_run(db, list.ids[i])) == DB_OK)
			(*trimmed)++;
	return st;
}

enum db_status history_prune(struct db *db, const char *job, int keep_runs, int keep_daily_days,
			     long today, struct history_pruned *out)
{
	_Static_assert(HISTORY_PRUNE_BATCH == 50, "the LIMITs below say 50");
	/* The other runs out of the recent ones; and the days' runs out of
	 * both (never one of the recent runs, never a running one). */
	static struct db_statement delete_runs = DB_STATEMENT(
		"DELETE FROM ml_runs WHERE job = ? AND id < ? AND daily_for IS NULL"
		" AND status <> 'running' ORDER BY id LIMIT 50");
	static struct db_statement expire_days = DB_STATEMENT(
		"DELETE FROM ml_runs WHERE job = ? AND id < ? AND daily_for < " DAY_PARAM
		" ORDER BY id LIMIT 50");
	memset(out, 0, sizeof *out);
	long long kept_from;
	enum db_status st = oldest_kept(db, job, keep_runs, &kept_from);
	if (st != DB_OK || kept_from < 0)
		return st;
	struct db_value p[] = { db_text(job), db_int(kept_from), db_int(today - keep_daily_days) };
	unsigned long long n = 0;
	if ((st = db_run_write(db, &delete_runs, p, 2, &n, NULL)) != DB_OK)
		return st;
	out->runs_deleted = (unsigned long)n;
	if ((st = db_run_write(db, &expire_days, p, 3, &n, NULL)) != DB_OK)
		return st;
	out->daily_expired = (unsigned long)n;
	return trim_days_runs(db, job, kept_from, &out->runs_trimmed);
}

/* --- reading ------------------------------------------------------------------ */

struct forecast_reader {
	history_forecast_fn *fn;
	void *ctx;
};

static int read_forecast(void *ctx, const struct db_value *c, int ncols)
{
	(void)ncols;
	const struct forecast_reader *fr = ctx;
	struct result_logged_forecast r;
	memset(&r, 0, sizeof r);
	int metric = result_metric_parse(db_col_text(&c[2]));
	if (metric < 0)
		return 0; /* a metric this build does not know */
	r.run_id = db_col_int(&c[0]);
	snprintf(r.channel, sizeof r.channel, "%s", db_col_text(&c[1]));
	r.metric = (enum result_metric)metric;
	r.lead_days = (int)db_col_int(&c[3]);
	r.day = (long)db_col_int(&c[4]);
	double *v[] = { &r.forecast, &r.lower_80, &r.upper_80, &r.lower_95, &r.upper_95 };
	for (int i = 0; i < 5; i++)
		*v[i] = db_col_double(&c[5 + i]);
	return fr->fn(fr->ctx, &r);
}

enum db_status history_daily_forecasts(struct db *db, const char *job, long from, long to,
				       history_forecast_fn *fn, void *ctx)
{
	/* The runs first (a few hundred rows, by data_end), then their log rows
	 * by primary key: the log is never scanned whole. */
	static struct db_statement select = DB_STATEMENT(
		"SELECT f.run_id, f.channel, f.metric, f.lead_days, " DAY_COLUMN("f.day") ","
		" f.forecast, f.lower_80, f.upper_80, f.lower_95, f.upper_95"
		" FROM ml_runs r STRAIGHT_JOIN ml_forecast_log f ON f.run_id = r.id"
		" WHERE r.job = ? AND r.status = 'succeeded' AND r.daily_for IS NOT NULL"
		" AND r.data_end BETWEEN " DAY_PARAM " AND " DAY_PARAM
		" AND f.day BETWEEN " DAY_PARAM " AND " DAY_PARAM
		" ORDER BY f.channel, f.metric, f.day, f.lead_days, f.run_id DESC");
	struct forecast_reader fr = { fn, ctx };
	struct db_value p[] = { db_text(job), db_int(from - LEAD_MAX), db_int(to - 1), db_int(from),
				db_int(to) };
	return db_run(db, &select, p, 5, read_forecast, &fr);
}

enum db_status history_data_end(struct db *db, long long run_id, long *day)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT " DAY_COLUMN("data_end") " FROM ml_runs WHERE id = ?");
	struct db_value p[] = { db_int(run_id) };
	long long v = -1;
	enum db_status st = db_run(db, &select, p, 1, read_first_int, &v);
	*day = (long)v;
	return st;
}

static int read_accuracy(void *ctx, const struct db_value *c, int ncols)
{
	(void)ncols;
	int metric = result_metric_parse(db_col_text(&c[1]));
	if (metric < 0)
		return 0;
	struct result_accuracy *r = collect_next(ctx);
	if (r == NULL)
		return 1;
	snprintf(r->channel, sizeof r->channel, "%s", db_col_text(&c[0]));
	r->metric = (enum result_metric)metric;
	r->lead_days = (int)db_col_int(&c[2]), r->window_days = (int)db_col_int(&c[3]);
	r->n = (int)db_col_int(&c[4]), r->n_banded = (int)db_col_int(&c[5]);
	r->mase = db_col_double(&c[6]), r->smape = db_col_double(&c[7]);
	r->bias = db_col_double(&c[8]), r->coverage_80 = db_col_double(&c[9]);
	r->coverage_95 = db_col_double(&c[10]);
	return 0;
}

static const char *metric_param(int metric)
{
	return metric >= 0 && metric < METRIC__MAX ? result_metric_names[metric] : "";
}

enum db_status history_accuracy(struct db *db, long long run_id, const char *channel, int metric,
				int window_days, struct result_accuracy **rows, int *n)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT channel, metric, lead_days, window_days, n, n_banded, mase, smape, bias,"
		" coverage_80, coverage_95 FROM ml_accuracy WHERE run_id = ?"
		" AND (? = '' OR channel = ?) AND (? = '' OR metric = ?) AND (? = 0 OR window_days = ?)"
		" ORDER BY channel = 'all', channel, metric, window_days, lead_days");
	const char *m = metric_param(metric);
	struct db_value p[] = { db_int(run_id), db_text(channel), db_text(channel), db_text(m), db_text(m),
				db_int(window_days), db_int(window_days) };
	struct collected g = { NULL, sizeof **rows, 0, 0, 0 };
	void *out;
	enum db_status st = collected_out(db_run(db, &select, p, 7, read_accuracy, &g), &g, &out, n);
	*rows = out;
	return st;
}

static int read_anomaly(void *ctx, const struct db_value *c, int ncols)
{
	(void)ncols;
	int metric = result_metric_parse(db_col_text(&c[1]));
	if (metric < 0)
		return 0;
	struct result_anomaly *r = collect_next(ctx);
	if (r == NULL)
		return 1;
	snprintf(r->channel, sizeof r->channel, "%s", db_col_text(&c[0]));
	r->metric = (enum result_metric)metric;
	r->day = (long)db_col_int(&c[2]);
	r->direction = strcmp(db_col_text(&c[3]), "up") == 0 ? 1 : -1;
	r->actual = db_col_double(&c[4]), r->forecast = db_col_double(&c[5]);
	r->lower_95 = db_col_double(&c[6]), r->upper_95 = db_col_double(&c[7]);
	r->z = db_col_double(&c[8]);
	r->lead_days = (int)db_col_int(&c[9]);
	r->forecast_run_id = db_col_int(&c[10]);
	return 0;
}

enum db_status history_anomalies(struct db *db, long long run_id, const char *channel, int metric,
				 long from, struct result_anomaly **rows, int *n)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT channel, metric, " DAY_COLUMN("day") ", direction, actual, forecast, lower_95,"
		" upper_95, z, lead_days, forecast_run_id FROM ml_anomalies WHERE run_id = ?"
		" AND day >= " DAY_PARAM " AND (? = '' OR channel = ?) AND (? = '' OR metric = ?)"
		" ORDER BY day DESC, channel, metric");
	const char *m = metric_param(metric);
	struct db_value p[] = { db_int(run_id), db_int(from), db_text(channel), db_text(channel),
				db_text(m), db_text(m) };
	struct collected g = { NULL, sizeof **rows, 0, 0, 0 };
	void *out;
	enum db_status st = collected_out(db_run(db, &select, p, 6, read_anomaly, &g), &g, &out, n);
	*rows = out;
	return st;
}

struct count_reader {
	history_anomaly_count_fn *fn;
	void *ctx;
};

static int read_count(void *ctx, const struct db_value *c, int ncols)
{
	(void)ncols;
	const struct count_reader *cr = ctx;
	return cr->fn(cr->ctx, db_col_text(&c[0]), db_col_text(&c[1]), db_col_text(&c[2]),
		      db_col_int(&c[3]));
}

enum db_status history_anomaly_counts(struct db *db, long long run_id, history_anomaly_count_fn *fn,
				      void *ctx)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT a.channel, a.metric, a.direction, COUNT(*) FROM ml_runs r"
		" JOIN ml_anomalies a ON a.run_id = r.id AND a.day = r.data_end WHERE r.id = ?"
		" GROUP BY a.channel, a.metric, a.direction ORDER BY a.channel, a.metric, a.direction");
	struct count_reader cr = { fn, ctx };
	struct db_value p[] = { db_int(run_id) };
	return db_run(db, &select, p, 1, read_count, &cr);
}
