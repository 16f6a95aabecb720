#include "predictions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

const char *const prediction_table_names[PREDICTION_TABLE__MAX] = {
	[PREDICTION_ROI_FORECAST] = "ml_roi_forecast",
	[PREDICTION_ROI_DAYS] = "ml_roi_timeseries",
	[PREDICTION_REACH_DAYS] = "ml_reach_ctr_timeseries",
	[PREDICTION_BUDGET] = "ml_budget_recommendation",
	[PREDICTION_BUDGET_DAYS] = "ml_budget_days",
	[PREDICTION_FORECAST_LOG] = "ml_forecast_log",
	[PREDICTION_ACCURACY] = "ml_accuracy",
	[PREDICTION_ANOMALIES] = "ml_anomalies",
};

/* Rows per INSERT: one round trip each, and few enough to keep a batch small. */
#define BATCH_ROWS 512
#define TEXTS_PER_ROW 3

/* Days are stored as DATE, carried as days since 1970-01-01 (TO_DAYS of
 * 1970-01-01 is 719528). */
#define EPOCH_TO_DAYS "719528"

/* --- the tables' columns ---------------------------------------------------- */

/*
 * Column lists, each in the order of the values of its marshal function and
 * of the columns its unmarshal function reads (after the channel, and day
 * and kind for daily tables).
 */
static const enum db_type forecast_types[] = {
	DB_INT, DB_TEXT, DB_INT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE,
	DB_DOUBLE, DB_TEXT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_TEXT
};
#define FORECAST_COLUMNS "horizon_days, predicted_roi, roi_lower_80, roi_upper_80, roi_lower," \
	" roi_upper, predicted_spend, predicted_revenue, model, backtest_smape, baseline_smape," \
	" backtest_mase, note"
static struct db_statement insert_forecast = DB_STATEMENT(
	"INSERT INTO ml_roi_forecast (run_id, channel, " FORECAST_COLUMNS ")"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static const enum db_type roi_day_types[] = {
	DB_INT, DB_TEXT, DB_INT, DB_INT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE,
	DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE
};
#define ROI_DAY_COLUMNS "spend, revenue, roi, roi_lower_80, roi_upper_80, roi_lower, roi_upper," \
	" conversions, conversions_lower_80, conversions_upper_80, conversions_lower, conversions_upper"
static struct db_statement insert_roi_day = DB_STATEMENT(
	"INSERT INTO ml_roi_timeseries (run_id, channel, day, kind, " ROI_DAY_COLUMNS ")"
	" VALUES (?, ?, FROM_DAYS(" EPOCH_TO_DAYS " + ?), IF(?, 'forecast', 'actual'),"
	" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static const enum db_type reach_day_types[] = {
	DB_INT, DB_TEXT, DB_INT, DB_INT, DB_DOUBLE, DB_INT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE,
	DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE
};
#define REACH_DAY_COLUMNS "reach, reach_is_upper_bound, reach_lower, reach_upper, impressions," \
	" impressions_lower, impressions_upper, clicks, clicks_lower, clicks_upper, ctr, ctr_lower," \
	" ctr_upper"
static struct db_statement insert_reach_day = DB_STATEMENT(
	"INSERT INTO ml_reach_ctr_timeseries (run_id, channel, day, kind, " REACH_DAY_COLUMNS ")"
	" VALUES (?, ?, FROM_DAYS(" EPOCH_TO_DAYS " + ?), IF(?, 'forecast', 'actual'),"
	" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static const enum db_type budget_types[] = {
	DB_INT, DB_TEXT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE,
	DB_DOUBLE, DB_DOUBLE, DB_TEXT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_TEXT,
	DB_TEXT, DB_TEXT, DB_INT, DB_TEXT
};
/* A power law a s^b is stored as curve_beta = a, curve_alpha = b, curve_k NULL. */
#define BUDGET_COLUMNS "current_budget, recommended_budget, lower_bound, upper_bound," \
	" expected_revenue_current, expected_revenue, expected_roi_current, expected_roi," \
	" marginal_roi, curve_model, curve_beta, curve_k, curve_alpha, adstock_rate, fit_r2, confidence," \
	" curve_draws, curve_note, shape_undecided, curve_mean"
static struct db_statement insert_budget = DB_STATEMENT(
	"INSERT INTO ml_budget_recommendation (run_id, channel, " BUDGET_COLUMNS ")"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
#define DRAWS_TEXT_MAX (CURVE_DRAWS * 64 + 1)
#define MEAN_TEXT_MAX ((CURVE_TABLE_STEPS + 2) * 26 + 1) /* %.17g and a space each */

static const enum db_type budget_day_types[] = { DB_INT, DB_TEXT, DB_INT, DB_DOUBLE, DB_DOUBLE };
#define BUDGET_DAY_COLUMNS "spend, revenue"
static struct db_statement insert_budget_day = DB_STATEMENT(
	"INSERT INTO ml_budget_days (run_id, channel, day, " BUDGET_DAY_COLUMNS ")"
	" VALUES (?, ?, FROM_DAYS(" EPOCH_TO_DAYS " + ?), ?, ?)");

/* The metric is carried as its name: an ENUM column, and the names are static. */
static const enum db_type logged_types[] = {
	DB_INT, DB_TEXT, DB_TEXT, DB_INT, DB_INT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE
};
static struct db_statement insert_logged = DB_STATEMENT(
	"INSERT INTO ml_forecast_log (run_id, channel, metric, lead_days, day, forecast, lower_80,"
	" upper_80, lower_95, upper_95) VALUES (?, ?, ?, ?, FROM_DAYS(" EPOCH_TO_DAYS " + ?), ?, ?, ?, ?, ?)");

static const enum db_type accuracy_types[] = {
	DB_INT, DB_TEXT, DB_TEXT, DB_INT, DB_INT, DB_INT, DB_INT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE,
	DB_DOUBLE, DB_DOUBLE
};
#define ACCURACY_COLUMNS "metric, lead_days, window_days, n, n_banded, mase, smape, bias," \
	" coverage_80, coverage_95"
static struct db_statement insert_accuracy = DB_STATEMENT(
	"INSERT INTO ml_accuracy (run_id, channel, " ACCURACY_COLUMNS ")"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static const enum db_type anomaly_types[] = {
	DB_INT, DB_TEXT, DB_TEXT, DB_INT, DB_TEXT, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE, DB_DOUBLE,
	DB_DOUBLE, DB_INT, DB_INT
};
static struct db_statement insert_anomaly = DB_STATEMENT(
	"INSERT INTO ml_anomalies (run_id, channel, metric, day, direction, actual, forecast,"
	" lower_95, upper_95, z, lead_days, forecast_run_id)"
	" VALUES (?, ?, ?, FROM_DAYS(" EPOCH_TO_DAYS " + ?), ?, ?, ?, ?, ?, ?, ?, ?)");

static double roi_of(double revenue, double spend)
{
	return isfinite(revenue) && spend > 0 ? revenue / spend - 1 : NAN;
}

static struct db_value text_or_null(const char *s)
{
	return s && *s ? db_text(s) : db_null();
}

static void marshal_forecast(const struct result_roi_forecast *r, struct db_value *v)
{
	v[0] = db_int(r->horizon_days);
	v[1] = db_double(r->roi), v[2] = db_double(r->roi_lower_80), v[3] = db_double(r->roi_upper_80);
	v[4] = db_double(r->roi_lower_95), v[5] = db_double(r->roi_upper_95);
	v[6] = db_double(r->spend), v[7] = db_double(r->revenue), v[8] = text_or_null(r->model);
	v[9] = db_double(r->backtest_smape), v[10] = db_double(r->baseline_smape);
	v[11] = db_double(r->backtest_mase), v[12] = text_or_null(r->note);
}

static void unmarshal_forecast(const struct db_value *c, struct result_roi_forecast *r)
{
	r->horizon_days = (int)db_col_int(&c[0]);
	r->roi = db_col_double(&c[1]), r->roi_lower_80 = db_col_double(&c[2]);
	r->roi_upper_80 = db_col_double(&c[3]), r->roi_lower_95 = db_col_double(&c[4]);
	r->roi_upper_95 = db_col_double(&c[5]), r->spend = db_col_double(&c[6]);
	r->revenue = db_col_double(&c[7]);
	snprintf(r->model, sizeof r->model, "%s", db_col_text(&c[8]));
	r->backtest_smape = db_col_double(&c[9]), r->baseline_smape = db_col_double(&c[10]);
	r->backtest_mase = db_col_double(&c[11]);
	snprintf(r->note, sizeof r->note, "%s", db_col_text(&c[12]));
}

static void marshal_roi_day(const struct result_roi_day *r, struct db_value *v)
{
	v[0] = db_double(r->spend), v[1] = db_double(r->revenue), v[2] = db_double(r->roi);
	v[3] = db_double(r->roi_lower_80), v[4] = db_double(r->roi_upper_80);
	v[5] = db_double(r->roi_lower_95), v[6] = db_double(r->roi_upper_95);
	v[7] = db_double(r->conversions), v[8] = db_double(r->conversions_lower_80);
	v[9] = db_double(r->conversions_upper_80), v[10] = db_double(r->conversions_lower_95);
	v[11] = db_double(r->conversions_upper_95);
}

static void unmarshal_roi_day(const struct db_value *c, struct result_roi_day *r)
{
	double *out[] = { &r->spend, &r->revenue, &r->roi, &r->roi_lower_80, &r->roi_upper_80,
			  &r->roi_lower_95, &r->roi_upper_95, &r->conversions, &r->conversions_lower_80,
			  &r->conversions_upper_80, &r->conversions_lower_95, &r->conversions_upper_95 };
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
		*out[i] = db_col_double(&c[i]);
}

static void marshal_reach_day(const struct result_reach_day *r, struct db_value *v)
{
	v[0] = db_double(r->reach), v[1] = db_int(r->reach_is_upper_bound);
	v[2] = db_double(r->reach_lower_95), v[3] = db_double(r->reach_upper_95);
	v[4] = db_double(r->impressions), v[5] = db_double(r->impressions_lower_95);
	v[6] = db_double(r->impressions_upper_95), v[7] = db_double(r->clicks);
	v[8] = db_double(r->clicks_lower_95), v[9] = db_double(r->clicks_upper_95);
	v[10] = db_double(r->ctr), v[11] = db_double(r->ctr_lower_95), v[12] = db_double(r->ctr_upper_95);
}

static void unmarshal_reach_day(const struct db_value *c, struct result_reach_day *r)
{
	r->reach = db_col_double(&c[0]);
	r->reach_is_upper_bound = db_col_int(&c[1]) != 0;
	double *out[] = { &r->reach_lower_95, &r->reach_upper_95, &r->impressions,
			  &r->impressions_lower_95, &r->impressions_upper_95, &r->clicks,
			  &r->clicks_lower_95, &r->clicks_upper_95, &r->ctr, &r->ctr_lower_95,
			  &r->ctr_upper_95 };
	for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
		*out[i] = db_col_double(&c[2 + i]);
}

/* A curve's bootstrap draws as text, "h beta k alpha" or "p a b 0" each,
 * separated by ';' (%.9g: as exact as the curve's own columns need). */
static void draws_to_text(const struct response_curve *k, char *text, size_t size)
{
	size_t used = 0;
	text[0] = '\0';
	for (int d = 0; d < k->draws && used < size; d++) {
		const struct curve_draw *w = &k->draw[d];
		int len = snprintf(text + used, size - used, "%s%c %.9g %.9g %.9g", d ? ";" : "",
				   w->kind == CURVE_HILL ? 'h' : 'p', w->p[0], w->p[1], w->p[2]);
		if (len < 0 || (size_t)len >= size - used) { /* cannot be: DRAWS_TEXT_MAX has room */
			text[used] = '\0';
			break;
		}
		used += (size_t)len;
	}
}

/* Whether a stored draw can be a curve: finite, and a Hill curve's beta,
 * k and alpha positive (k 0 would divide by zero), a power law's a not
 * negative and b in (0, 1). */
static int draw_is_sound(char kind, const double *p)
{
	if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(p[2]))
		return 0;
	if (kind == 'h')
		return p[0] >= 0 && p[1] > 0 && p[2] > 0;
	return kind == 'p' && p[0] >= 0 && p[1] > 0 && p[1] < 1;
}

/* The draws back from draws_to_text's text; a malformed draw ends them
 * (the curve keeps those before it). */
static void draws_from_text(const char *text, struct response_curve *k)
{
	k->draws = 0;
	while (*text && k->draws < CURVE_DRAWS) {
		struct curve_draw *w = &k->draw[k->draws];
		char kind;
		int used = 0;
		if (sscanf(text, " %c %lf %lf %lf%n", &kind, &w->p[0], &w->p[1], &w->p[2], &used) != 4 ||
		    !draw_is_sound(kind, w->p))
			return;
		w->kind = kind == 'h' ? CURVE_HILL : CURVE_POWER;
		k->draws++;
		text += used;
		if (*text == ';')
			text++;
	}
}

/* A curve's table of its draws' mean as text, "reach m0 m1 ... mN" (%.17g:
 * read back exactly, so that its marginals still fall strictly past the
 * peak); empty without one. */
static void mean_to_text(const struct response_curve *k, char *text, size_t size)
{
	size_t used = 0;
	text[0] = '\0';
	for (int i = -1; k->table_steps > 0 && i <= k->table_steps; i++) {
		int len = snprintf(text + used, size - used, "%s%.17g", i < 0 ? "" : " ",
				   i < 0 ? k->table_reach : k->table_marginal[i]);
		if (len < 0 || (size_t)len >= size - used) { /* cannot be: MEAN_TEXT_MAX has room */
			text[0] = '\0';
			return;
		}
		used += (size_t)len;
	}
}

/* The table back from mean_to_text's text; one that is malformed or not a
 * table (curve_table_settle) is dropped: the curve's parameters stand. */
static void mean_from_text(const char *text, struct response_curve *k)
{
	int used = 0, count = 0;
	k->table_steps = 0;
	if (sscanf(text, "%lf%n", &k->table_reach, &used) != 1)
		return;
	for (text += used; count <= CURVE_TABLE_STEPS; text += used, count++)
		if (sscanf(text, "%lf%n", &k->table_marginal[count], &used) != 1)
			break;
	while (*text == ' ')
		text++;
	if (*text != '\0') /* past the table's room, or not a number */
		return;
	k->table_steps = count - 1;
	curve_table_settle(k);
}

static void marshal_budget(const struct result_budget *r, struct db_value *v)
{
	const struct response_curve *k = &r->curve;
	int hill = k->kind == CURVE_HILL, power = k->kind == CURVE_POWER;
	v[0] = db_double(r->current), v[1] = db_double(r->recommended);
	v[2] = db_double(r->lower), v[3] = db_double(r->upper);
	v[4] = db_double(r->revenue_current), v[5] = db_double(r->revenue_recommended);
	v[6] = db_double(roi_of(r->revenue_current, r->current));
	v[7] = db_double(roi_of(r->revenue_recommended, r->recommended));
	v[8] = db_double(r->marginal_roi), v[9] = db_text(curve_kind_names[k->kind]);
	v[10] = db_double(hill ? k->beta : power ? k->a : NAN);
	v[11] = db_double(hill ? k->k : NAN);
	v[12] = db_double(hill ? k->alpha : power ? k->b : NAN);
	v[13] = db_double(k->adstock), v[14] = db_double(k->r2);
	v[15] = db_text(curve_confidence_names[k->confidence]);
	v[17] = text_or_null(k->note), v[18] = db_int(k->shape_undecided);
}

static void unmarshal_budget(const struct db_value *c, struct result_budget *r)
{
	r->current = c[0].type == DB_NULL ? 0 : db_col_double(&c[0]);
	r->recommended = c[1].type == DB_NULL ? r->current : db_col_double(&c[1]);
	r->lower = c[2].type == DB_NULL ? r->current : db_col_double(&c[2]);
	r->upper = c[3].type == DB_NULL ? r->current : db_col_double(&c[3]);
	r->revenue_current = db_col_double(&c[4]), r->revenue_recommended = db_col_double(&c[5]);
	r->marginal_roi = db_col_double(&c[8]);
	struct response_curve *k = &r->curve;
	memset(k, 0, sizeof *k);
	const char *model = db_col_text(&c[9]);
	int known = c[10].type != DB_NULL && c[12].type != DB_NULL;
	if (strcmp(model, "hill") == 0 && known && c[11].type != DB_NULL) {
		k->kind = CURVE_HILL, k->beta = db_col_double(&c[10]);
		k->k = db_col_double(&c[11]), k->alpha = db_col_double(&c[12]);
	} else if (strcmp(model, "power") == 0 && known) {
		k->kind = CURVE_POWER, k->a = db_col_double(&c[10]), k->b = db_col_double(&c[12]);
	}
	k->adstock = c[13].type == DB_NULL ? 0 : db_col_double(&c[13]);
	k->r2 = c[14].type == DB_NULL ? 0 : db_col_double(&c[14]);
	const char *conf = db_col_text(&c[15]);
	k->confidence = strcmp(conf, "high") == 0 ? CONFIDENCE_HIGH
		      : strcmp(conf, "medium") == 0 ? CONFIDENCE_MEDIUM : CONFIDENCE_LOW;
	if (c[16].type == DB_TEXT && k->kind != CURVE_NONE)
		draws_from_text(db_col_text(&c[16]), k);
	snprintf(k->note, sizeof k->note, "%s", c[17].type == DB_TEXT ? db_col_text(&c[17]) : "");
	k->shape_undecided = c[18].type == DB_NULL ? 0 : db_col_int(&c[18]) != 0;
	if (c[19].type == DB_TEXT && k->kind != CURVE_NONE)
		mean_from_text(db_col_text(&c[19]), k);
}

/* --- writing ---------------------------------------------------------------- */

struct batch {
	struct db_statement *insert;
	const enum db_type *types;
	int ncols;
	unsigned nrows;
	unsigned long total;
	struct db_value *values;                        /* [BATCH_ROWS][ncols] */
	char (*texts)[TEXTS_PER_ROW][RESULT_CHANNEL_MAX * 4 + 1]; /* the rows' strings */
};

struct prediction_writer {
	struct db *db;
	long long run_id;
	struct batch batches[PREDICTION_TABLE__MAX];
};

struct prediction_writer *prediction_writer_new(struct db *db, long long run_id)
{
#define COLUMNS(types) ((int)(sizeof(types) / sizeof *(types)))
	static struct db_statement *const inserts[PREDICTION_TABLE__MAX] = {
		&insert_forecast, &insert_roi_day, &insert_reach_day, &insert_budget, &insert_budget_day,
		&insert_logged, &insert_accuracy, &insert_anomaly };
	static const enum db_type *const types[PREDICTION_TABLE__MAX] = {
		forecast_types, roi_day_types, reach_day_types, budget_types, budget_day_types,
		logged_types, accuracy_types, anomaly_types };
	static const int ncols[PREDICTION_TABLE__MAX] = {
		COLUMNS(forecast_types), COLUMNS(roi_day_types), COLUMNS(reach_day_types),
		COLUMNS(budget_types), COLUMNS(budget_day_types), COLUMNS(logged_types),
		COLUMNS(accuracy_types), COLUMNS(anomaly_types) };
#undef COLUMNS
	struct prediction_writer *w = calloc(1, sizeof *w);
	if (w == NULL)
		return NULL;
	w->db = db;
	w->run_id = run_id;
	for (int t = 0; t < PREDICTION_TABLE__MAX; t++) {
		struct batch *b = &w->batches[t];
		b->insert = inserts[t], b->types = types[t], b->ncols = ncols[t];
		b->values = calloc((size_t)BATCH_ROWS * (size_t)b->ncols, sizeof *b->values);
		b->texts = calloc(BATCH_ROWS, sizeof *b->texts);
		if (b->values == NULL || b->texts == NULL) {
			prediction_writer_free(w);
			return NULL;
		}
	}
	return w;
}

void prediction_writer_free(struct prediction_writer *w)
{
	if (w == NULL)
		return;
	for (int t = 0; t < PREDICTION_TABLE__MAX; t++) {
		free(w->batches[t].values);
		free(w->batches[t].texts);
	}
	free(w);
}

static enum db_status write_batch(struct prediction_writer *w, struct batch *b)
{
	enum db_status st = db_run_rows(w->db, b->insert, b->types, b->ncols, b->values, b->nrows);
	b->nrows = 0;
	return st;
}

/* The next row of b with run_id and channel set: values from [2] (and from
 * [4] for daily tables after day and kind) are the caller's. */
static struct db_value *next_row(struct prediction_writer *w, struct batch *b, const char *channel)
{
	struct db_value *v = b->values + (size_t)b->nrows * (size_t)b->ncols;
	char *name = b->texts[b->nrows][0];
	snprintf(name, sizeof b->texts[0][0], "%s", channel);
	v[0] = db_int(w->run_id);
	v[1] = db_text(name);
	return v;
}

/* Copies a row's string into the batch, which outlives the caller's. */
static struct db_value keep_text(struct batch *b, int slot, struct db_value v)
{
	if (v.type != DB_TEXT)
		return v;
	char *copy = b->texts[b->nrows][slot];
	snprintf(copy, sizeof b->texts[0][0], "%s", v.s);
	return db_text(copy);
}

static enum db_status row_done(struct prediction_writer *w, struct batch *b)
{
	b->total++;
	return ++b->nrows == BATCH_ROWS ? write_batch(w, b) : DB_OK;
}

enum db_status prediction_put_forecast(struct prediction_writer *w, const struct result_roi_forecast *r)
{
	struct batch *b = &w->batches[PREDICTION_ROI_FORECAST];
	struct db_value *v = next_row(w, b, r->channel);
	marshal_forecast(r, v + 2);
	v[10] = keep_text(b, 1, v[10]); /* model */
	v[14] = keep_text(b, 2, v[14]); /* note */
	return row_done(w, b);
}

enum db_status prediction_put_roi_day(struct prediction_writer *w, const char *channel,
				      const struct result_roi_day *r)
{
	struct batch *b = &w->batches[PREDICTION_ROI_DAYS];
	struct db_value *v = next_row(w, b, channel);
	v[2] = db_int(r->day), v[3] = db_int(r->forecast);
	marshal_roi_day(r, v + 4);
	return row_done(w, b);
}

enum db_status prediction_put_reach_day(struct prediction_writer *w, const char *channel,
					const struct result_reach_day *r)
{
	struct batch *b = &w->batches[PREDICTION_REACH_DAYS];
	struct db_value *v = next_row(w, b, channel);
	v[2] = db_int(r->day), v[3] = db_int(r->forecast);
	marshal_reach_day(r, v + 4);
	return row_done(w, b);
}

/* A budget row carries its curve's draws and mean (kilobytes of text): rows are
 * few, one a channel, so each is written at once, while the text lives. */
enum db_status prediction_put_budget(struct prediction_writer *w, const struct result_budget *r)
{
	struct batch *b = &w->batches[PREDICTION_BUDGET];
	char *draws = malloc(DRAWS_TEXT_MAX + MEAN_TEXT_MAX);
	if (draws == NULL)
		return DB_ERROR;
	char *mean = draws + DRAWS_TEXT_MAX;
	draws_to_text(&r->curve, draws, DRAWS_TEXT_MAX);
	mean_to_text(&r->curve, mean, MEAN_TEXT_MAX);
	struct db_value *v = next_row(w, b, r->channel);
	marshal_budget(r, v + 2); /* its names are static, its note is r's */
	v[18] = draws[0] ? db_text(draws) : db_null();
	v[21] = mean[0] ? db_text(mean) : db_null();
	b->total++;
	b->nrows++;
	enum db_status st = write_batch(w, b);
	free(draws);
	return st;
}

enum db_status prediction_put_budget_day(struct prediction_writer *w, const char *channel,
					 const struct result_budget_day *r)
{
	struct batch *b = &w->batches[PREDICTION_BUDGET_DAYS];
	struct db_value *v = next_row(w, b, channel);
	v[2] = db_int(r->day), v[3] = db_double(r->spend), v[4] = db_double(r->revenue);
	return row_done(w, b);
}

enum db_status prediction_put_logged(struct prediction_writer *w,
				     const struct result_logged_forecast *r)
{
	struct batch *b = &w->batches[PREDICTION_FORECAST_LOG];
	struct db_value *v = next_row(w, b, r->channel);
	v[2] = db_text(result_metric_names[r->metric]), v[3] = db_int(r->lead_days);
	v[4] = db_int(r->day), v[5] = db_double(r->forecast);
	v[6] = db_double(r->lower_80), v[7] = db_double(r->upper_80);
	v[8] = db_double(r->lower_95), v[9] = db_double(r->upper_95);
	return row_done(w, b);
}

enum db_status prediction_put_accuracy(struct prediction_writer *w, const struct result_accuracy *r)
{
	struct batch *b = &w->batches[PREDICTION_ACCURACY];
	struct db_value *v = next_row(w, b, r->channel);
	v[2] = db_text(result_metric_names[r->metric]), v[3] = db_int(r->lead_days);
	v[4] = db_int(r->window_days), v[5] = db_int(r->n), v[6] = db_int(r->n_banded);
	v[7] = db_double(r->mase), v[8] = db_double(r->smape), v[9] = db_double(r->bias);
	v[10] = db_double(r->coverage_80), v[11] = db_double(r->coverage_95);
	return row_done(w, b);
}

enum db_status prediction_put_anomaly(struct prediction_writer *w, const struct result_anomaly *r)
{
	struct batch *b = &w->batches[PREDICTION_ANOMALIES];
	struct db_value *v = next_row(w, b, r->channel);
	v[2] = db_text(result_metric_names[r->metric]), v[3] = db_int(r->day);
	v[4] = db_text(r->direction > 0 ? "up" : "down"), v[5] = db_double(r->actual);
	v[6] = db_double(r->forecast), v[7] = db_double(r->lower_95), v[8] = db_double(r->upper_95);
	v[9] = db_double(r->z), v[10] = db_int(r->lead_days), v[11] = db_int(r->forecast_run_id);
	return row_done(w, b);
}

enum db_status prediction_flush(struct prediction_writer *w)
{
	enum db_status st = DB_OK;
	for (int t = 0; t < PREDICTION_TABLE__MAX && st == DB_OK; t++)
		if (w->batches[t].nrows > 0)
			st = write_batch(w, &w->batches[t]);
	return st;
}

unsigned long prediction_rows(const struct prediction_writer *w, enum prediction_table table)
{
	return w->batches[table].total;
}

enum db_status prediction_put_chart(struct db *db, long long run_id, const char *chart, int width,
				    int height, const char *theme, const char *etag,
				    const unsigned char *png, size_t len)
{
	static struct db_statement insert = DB_STATEMENT(
		"INSERT INTO ml_chart_cache (run_id, chart, width, height, theme, etag, png)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)");
	struct db_value v[] = { db_int(run_id), db_text(chart), db_int(width), db_int(height),
				db_text(theme), db_text(etag), db_bytes(png, len) };
	return db_run_write(db, &insert, v, 7, NULL, NULL);
}

/* --- reading ----------------------------------------------------------------- */

static int collect_forecast(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	struct result_roi_forecast *r = collect_next(ctx);
	if (r == NULL)
		return 1;
	snprintf(r->channel, sizeof r->channel, "%s", db_col_text(&cols[0]));
	unmarshal_forecast(cols + 1, r);
	return 0;
}

static int collect_budget(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	struct result_budget *r = collect_next(ctx);
	if (r == NULL)
		return 1;
	snprintf(r->channel, sizeof r->channel, "%s", db_col_text(&cols[0]));
	unmarshal_budget(cols + 1, r);
	return 0;
}

enum db_status prediction_forecasts(struct db *db, long long run_id, const char *channel,
				    struct result_roi_forecast **rows, int *n)
{
	/* DESC puts NULL last in MariaDB. */
	static struct db_statement every = DB_STATEMENT(
		"SELECT channel, " FORECAST_COLUMNS " FROM ml_roi_forecast WHERE run_id = ?"
		" ORDER BY channel = 'all', predicted_roi DESC, channel");
	static struct db_statement one = DB_STATEMENT(
		"SELECT channel, " FORECAST_COLUMNS " FROM ml_roi_forecast WHERE run_id = ? AND channel = ?");
	struct collected c = { NULL, sizeof **rows, 0, 0, 0 };
	struct db_value p[] = { db_int(run_id), db_text(channel) };
	enum db_status st = db_run(db, *channel ? &one : &every, p, *channel ? 2 : 1, collect_forecast, &c);
	void *out;
	st = collected_out(st, &c, &out, n);
	*rows = out;
	return st;
}

enum db_status prediction_budget(struct db *db, long long run_id, struct result_budget **rows, int *n)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT channel, " BUDGET_COLUMNS " FROM ml_budget_recommendation WHERE run_id = ?"
		" ORDER BY channel");
	struct collected c = { NULL, sizeof **rows, 0, 0, 0 };
	struct db_value p[] = { db_int(run_id) };
	enum db_status st = db_run(db, &select, p, 1, collect_budget, &c);
	void *out;
	st = collected_out(st, &c, &out, n);
	*rows = out;
	return st;
}

struct plan_reader {
	prediction_daily_plan_fn *fn;
	void *ctx;
};

static int read_daily_plan(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	const struct plan_reader *pr = ctx;
	struct prediction_daily_plan r;
	memset(&r, 0, sizeof r);
	r.run_id = db_col_int(&cols[0]);
	r.daily_for = (long)db_col_int(&cols[1]), r.data_end = (long)db_col_int(&cols[2]);
	snprintf(r.budget.channel, sizeof r.budget.channel, "%s", db_col_text(&cols[3]));
	unmarshal_budget(cols + 4, &r.budget);
	return pr->fn(pr->ctx, &r);
}

enum db_status prediction_daily_plans(struct db *db, const char *job, long from, long to,
				      const char *channel, prediction_daily_plan_fn *fn, void *ctx)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT r.id, TO_DAYS(r.daily_for) - " EPOCH_TO_DAYS ", TO_DAYS(r.data_end) - " EPOCH_TO_DAYS ","
		" b.channel, " BUDGET_COLUMNS " FROM ml_runs r"
		" JOIN ml_budget_recommendation b ON b.run_id = r.id"
		" WHERE r.job = ? AND r.status = 'succeeded' AND r.daily_for IS NOT NULL"
		" AND r.data_end BETWEEN FROM_DAYS(" EPOCH_TO_DAYS " + ?) AND FROM_DAYS(" EPOCH_TO_DAYS " + ?)"
		" AND (? = '' OR b.channel = ?)"
		" ORDER BY r.data_end, r.id, b.channel");
	struct plan_reader pr = { fn, ctx };
	struct db_value p[] = { db_text(job), db_int(from), db_int(to), db_text(channel), db_text(channel) };
	return db_run(db, &select, p, 5, read_daily_plan, &pr);
}

/* Daily rows: the caller's callback, one row at a time. */
struct daily_reader {
	int reach; /* which table */
	prediction_roi_day_fn *roi_fn;
	prediction_reach_day_fn *reach_fn;
	void *ctx;
};

static int read_daily(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	const struct daily_reader *d = ctx;
	const char *channel = db_col_text(&cols[0]);
	long day = (long)db_col_int(&cols[1]);
	int forecast = db_col_int(&cols[2]) != 0;
	if (d->reach) {
		struct result_reach_day r = { .day = day, .forecast = forecast };
		unmarshal_reach_day(cols + 3, &r);
		return d->reach_fn(d->ctx, channel, &r);
	}
	struct result_roi_day r = { .day = day, .forecast = forecast };
	unmarshal_roi_day(cols + 3, &r);
	return d->roi_fn(d->ctx, channel, &r);
}

/* days as a bound: 0 asks for every actual day (100,000 days reach back
 * further than any stored day and stay within DATE's range). */
static long long days_bound(int days)
{
	return days > 0 ? days : 100000;
}

#define DAILY_SELECT(table, columns, where)                                                     \
	"SELECT channel, DATEDIFF(day, '1970-01-01'), kind = 'forecast', " columns " FROM " table \
	" WHERE run_id = ?" where " AND (kind = 'forecast' OR day > (SELECT MAX(day) FROM " table \
	" WHERE run_id = ? AND kind = 'actual') - INTERVAL ? DAY)"

enum db_status prediction_roi_days(struct db *db, long long run_id, const char *channel, int days,
				   prediction_roi_day_fn *fn, void *ctx)
{
	static struct db_statement every = DB_STATEMENT(
		DAILY_SELECT("ml_roi_timeseries", ROI_DAY_COLUMNS, "")
		" ORDER BY channel = 'all' DESC, channel, day, kind");
	static struct db_statement one = DB_STATEMENT(
		DAILY_SELECT("ml_roi_timeseries", ROI_DAY_COLUMNS, " AND channel = ?") " ORDER BY day, kind");
	struct daily_reader d = { 0, fn, NULL, ctx };
	if (*channel) {
		struct db_value p[] = { db_int(run_id), db_text(channel), db_int(run_id), db_int(days_bound(days)) };
		return db_run(db, &one, p, 4, read_daily, &d);
	}
	struct db_value p[] = { db_int(run_id), db_int(run_id), db_int(days_bound(days)) };
	return db_run(db, &every, p, 3, read_daily, &d);
}

enum db_status prediction_reach_days(struct db *db, long long run_id, const char *channel, int days,
				     prediction_reach_day_fn *fn, void *ctx)
{
	static struct db_statement every = DB_STATEMENT(
		DAILY_SELECT("ml_reach_ctr_timeseries", REACH_DAY_COLUMNS, "")
		" ORDER BY channel = 'all' DESC, channel, day, kind");
	static struct db_statement one = DB_STATEMENT(
		DAILY_SELECT("ml_reach_ctr_timeseries", REACH_DAY_COLUMNS, " AND channel = ?")
		" ORDER BY day, kind");
	struct daily_reader d = { 1, NULL, fn, ctx };
	if (*channel) {
		struct db_value p[] = { db_int(run_id), db_text(channel), db_int(run_id), db_int(days_bound(days)) };
		return db_run(db, &one, p, 4, read_daily, &d);
	}
	struct db_value p[] = { db_int(run_id), db_int(run_id), db_int(days_bound(days)) };
	return db_run(db, &every, p, 3, read_daily, &d);
}

struct budget_day_reader {
	prediction_budget_day_fn *fn;
	void *ctx;
};

static int read_budget_day(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	const struct budget_day_reader *d = ctx;
	struct result_budget_day r = { (long)db_col_int(&cols[1]), db_col_double(&cols[2]),
				       db_col_double(&cols[3]) };
	return d->fn(d->ctx, db_col_text(&cols[0]), &r);
}

#define BUDGET_DAYS_SELECT(where)                                                           \
	"SELECT channel, DATEDIFF(day, '1970-01-01'), " BUDGET_DAY_COLUMNS " FROM ml_budget_days" \
	" WHERE run_id = ?" where " AND day > (SELECT MAX(day) FROM ml_budget_days"              \
	" WHERE run_id = ?) - INTERVAL ? DAY ORDER BY channel, day"

enum db_status prediction_budget_days(struct db *db, long long run_id, const char *channel, int days,
				      prediction_budget_day_fn *fn, void *ctx)
{
	static struct db_statement every = DB_STATEMENT(BUDGET_DAYS_SELECT(""));
	static struct db_statement one = DB_STATEMENT(BUDGET_DAYS_SELECT(" AND channel = ?"));
	struct budget_day_reader d = { fn, ctx };
	if (*channel) {
		struct db_value p[] = { db_int(run_id), db_text(channel), db_int(run_id), db_int(days_bound(days)) };
		return db_run(db, &one, p, 4, read_budget_day, &d);
	}
	struct db_value p[] = { db_int(run_id), db_int(run_id), db_int(days_bound(days)) };
	return db_run(db, &every, p, 3, read_budget_day, &d);
}

struct chart_found {
	char *etag;
	unsigned char **png;
	size_t *len;
	int failed;
};

static int read_chart(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	struct chart_found *f = ctx;
	if (cols[0].type != DB_TEXT || cols[1].type != DB_TEXT)
		return 1;
	*f->png = malloc(cols[1].len ? cols[1].len : 1);
	if (*f->png == NULL) {
		f->failed = 1;
		return 1;
	}
	memcpy(*f->png, cols[1].s, cols[1].len);
	*f->len = cols[1].len;
	snprintf(f->etag, 24, "%s", cols[0].s);
	return 1;
}

enum db_status prediction_chart(struct db *db, long long run_id, const char *chart, int width,
				int height, const char *theme, char etag[24], unsigned char **png,
				size_t *len)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT etag, png FROM ml_chart_cache WHERE run_id = ? AND chart = ? AND width = ?"
		" AND height = ? AND theme = ?");
	struct db_value p[] = { db_int(run_id), db_text(chart), db_int(width), db_int(height),
				db_text(theme) };
	struct chart_found f = { etag, png, len, 0 };
	*png = NULL;
	*len = 0;
	enum db_status st = db_run(db, &select, p, 5, read_chart, &f);
	return st == DB_OK && f.failed ? DB_ERROR : st;
}
