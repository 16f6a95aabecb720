/*
 * mldash budget: response curves and a budget split from daily
 * date,channel,spend,revenue CSV on standard input.
 */
#include <csv.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cells.h"
#include "commands.h"
#include "dates.h"
#include "decode.h"
#include "log.h"
#include "plan.h"

#define MAX_CHANNELS 256
#define MAX_DAYS 20000
#define CURRENT_DAYS 28 /* "current" spend: the mean over the input's last 28 days */
#define MAX_PERIOD_DAYS 3660 /* --days: a budget period of up to ten years */

struct day_value {
	long day;
	double spend, revenue;
};

struct channel_rows {
	char name[65];
	struct day_value *rows;
	size_t n, cap;
};

struct input {
	struct channel_rows ch[MAX_CHANNELS];
	int nch;
	int row, field;
	char cell[4][128];
	int col[4]; /* date, channel, spend, revenue */
	long first_day, last_day;
	char error[256];
};

static void on_field(void *s, size_t len, void *ctx)
{
	struct input *in = ctx;
	char text[128];
	size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
	memcpy(text, s ? s : "", n);
	text[n] = '\0';
	cell_trim(text, text, sizeof text);
	if (in->row == 0) {
		static const char *const names[4] = { "date", "channel", "spend", "revenue" };
		for (int i = 0; i < 4; i++)
			if (strcasecmp(text, names[i]) == 0)
				in->col[i] = in->field;
	} else {
		for (int i = 0; i < 4; i++)
			if (in->col[i] == in->field)
				memcpy(in->cell[i], text, n + 1);
	}
	in->field++;
}

/* A spend or revenue cell: an amount as reports write it or a number as R
 * and Python do (1e+05; NA unknown); never negative. */
static double number_or_nan(const char *text, const char *what, struct input *in)
{
	double v = NAN;
	char why[200];
	enum cell_status st = cell_parse_value(text, &v, why, sizeof why);
	if (st == CELL_OK && v < 0) {
		snprintf(why, sizeof why, "'%.60s' is negative", text);
		st = CELL_BAD;
	} else if (st == CELL_OK && v >= CELL_AMOUNT_LIMIT) { /* a typo, as in an import */
		snprintf(why, sizeof why, "'%.60s' is too large", text);
		st = CELL_BAD;
	}
	if (st == CELL_BAD && in->error[0] == '\0')
		snprintf(in->error, sizeof in->error, "row %d: %s: %s", in->row, what, why);
	return st == CELL_OK ? v : NAN;
}

/* A complete row's cells into its channel's rows. */
static void read_row(struct input *in)
{
	char iso[11], why[200];
	if (cell_is_total(in->cell[0])) {
		log_info("budget: row %d is a total ('%s'): left out", in->row, in->cell[0]);
		return;
	}
	if (cell_parse_day(in->cell[0], iso, why, sizeof why) != CELL_OK) {
		snprintf(in->error, sizeof in->error, "row %d: %s", in->row, why);
		return;
	}
	if (in->cell[1][0] == '\0' || strlen(in->cell[1]) > 64) {
		snprintf(in->error, sizeof in->error, "row %d: the channel is empty or too long", in->row);
		return;
	}
	struct channel_rows *ch = NULL;
	for (int i = 0; i < in->nch && ch == NULL; i++)
		if (strcmp(in->ch[i].name, in->cell[1]) == 0)
			ch = &in->ch[i];
	if (ch == NULL) {
		if (in->nch == MAX_CHANNELS) {
			snprintf(in->error, sizeof in->error, "more than %d channels", MAX_CHANNELS);
			return;
		}
		ch = &in->ch[in->nch++];
		snprintf(ch->name, sizeof ch->name, "%.64s", in->cell[1]);
	}
	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? ch->cap * 2 : 64;
		struct day_value *rows = realloc(ch->rows, cap * sizeof *rows);
		if (rows == NULL) {
			snprintf(in->error, sizeof in->error, "out of memory");
			return;
		}
		ch->rows = rows;
		ch->cap = cap;
	}
	struct day_value *r = &ch->rows[ch->n++];
	r->day = date_day_number(iso);
	r->spend = number_or_nan(in->cell[2], "spend", in);
	r->revenue = number_or_nan(in->cell[3], "revenue", in);
	if (in->nch == 1 && ch->n == 1)
		in->first_day = in->last_day = r->day;
	in->first_day = r->day < in->first_day ? r->day : in->first_day;
	in->last_day = r->day > in->last_day ? r->day : in->last_day;
}

static void on_record(int c, void *ctx)
{
	(void)c;
	struct input *in = ctx;
	int fields = in->field;
	in->field = 0;
	if (in->row++ == 0) {
		for (int i = 0; i < 4; i++)
			if (in->col[i] < 0)
				snprintf(in->error, sizeof in->error,
					 "the header needs date, channel, spend and revenue columns");
		return;
	}
	if (in->error[0] || fields == 0)
		return;
	/* A short row is refused, not read with the cells it lacks left over
	 * from the row before. */
	int needed = 0;
	for (int i = 0; i < 4; i++)
		needed = in->col[i] + 1 > needed ? in->col[i] + 1 : needed;
	if (fields < needed) {
		snprintf(in->error, sizeof in->error,
			 "row %d has %d field(s), but the header puts a column in field %d", in->row,
			 fields, needed);
		return;
	}
	read_row(in);
	memset(in->cell, 0, sizeof in->cell);
}

struct parse_ctx {
	struct csv_parser csv;
	struct input *in;
};

/* The decoder's UTF-8 into the CSV parser. */
static int parse_utf8(void *ctx, const char *utf8, size_t len)
{
	struct parse_ctx *pc = ctx;
	if (csv_parse(&pc->csv, utf8, len, on_field, on_record, pc->in) != len &&
	    pc->in->error[0] == '\0')
		snprintf(pc->in->error, sizeof pc->in->error, "CSV error: %s",
			 csv_strerror(csv_error(&pc->csv)));
	return pc->in->error[0] ? -1 : 0;
}

/* Daily arrays over the whole date range: a day a channel has no row for
 * spent nothing and its revenue is unknown. Rows of one day are summed. */
static int to_series(struct input *in, struct plan_input *out, double **buffers)
{
	size_t days = (size_t)(in->last_day - in->first_day + 1);
	if (days > MAX_DAYS) {
		snprintf(in->error, sizeof in->error, "the dates span more than %d days", MAX_DAYS);
		return -1;
	}
	for (int i = 0; i < in->nch; i++) {
		double *spend = malloc(sizeof(double) * days * 2);
		if (spend == NULL)
			return -1;
		buffers[i] = spend;
		double *revenue = spend + days;
		for (size_t d = 0; d < days; d++)
			spend[d] = 0, revenue[d] = NAN;
		for (size_t r = 0; r < in->ch[i].n; r++) {
			struct day_value *v = &in->ch[i].rows[r];
			size_t d = (size_t)(v->day - in->first_day);
			spend[d] += v->spend; /* a row's unknown spend leaves the day's unknown */
			if (!isnan(v->revenue))
				revenue[d] = (isnan(revenue[d]) ? 0 : revenue[d]) + v->revenue;
		}
		/* The current spend: the mean of the last 28 days whose spend is
		 * known; where none of them is, the last known day's. */
		double recent = 0;
		size_t from = days > CURRENT_DAYS ? days - CURRENT_DAYS : 0, known_days = 0;
		for (size_t d = from; d < days; d++)
			if (!isnan(spend[d]))
				recent += spend[d], known_days++;
		for (size_t d = from; known_days == 0 && d-- > 0;)
			if (!isnan(spend[d])) {
				recent += spend[d], known_days++;
				log_warn("budget: channel '%s' has no known spend in the last %d days: "
					 "its current spend is its last known, %zu days before the last day",
					 in->ch[i].name, CURRENT_DAYS, days - 1 - d);
			}
		/* As in the sync: a channel that spent but whose revenue is never
		 * given cannot be judged, and stays at its spend (one that never
		 * spent has no history, and may be opted in). */
		int spent = 0, known = 0;
		for (size_t d = 0; d < days; d++)
			spent |= !isnan(spend[d]) && spend[d] != 0, known |= !isnan(revenue[d]);
		int judged = !spent || known;
		if (!judged)
			log_warn("budget: channel '%s' has no revenue in the input: kept at its spend",
				 in->ch[i].name);
		out[i] = (struct plan_input){ in->ch[i].name, spend, revenue, days,
					      known_days ? recent / (double)known_days : 0, !judged, 0,
					      -1, -1 };
	}
	return 0;
}

struct budget_args {
	struct plan_options opt;
	int json, curves;
	const char *frozen[MAX_CHANNELS], *opted[MAX_CHANNELS];
	int nfrozen, nopted;
	struct { char name[65]; double lower, upper; } bound[MAX_CHANNELS];
	int nbound;
};

/* "CHANNEL=LOWER:UPPER" (either side may be empty: that side stays relative). */
static int parse_channel_bound(const char *text, struct budget_args *a)
{
	const char *eq = strchr(text, '='), *colon = eq ? strchr(eq, ':') : NULL;
	if (eq == NULL || colon == NULL || eq == text || eq - text > 64 || a->nbound == MAX_CHANNELS)
		return -1;
	int i = a->nbound;
	memcpy(a->bound[i].name, text, (size_t)(eq - text));
	a->bound[i].name[eq - text] = '\0';
	char *end;
	a->bound[i].lower = colon == eq + 1 ? -1 : strtod(eq + 1, &end);
	if (colon != eq + 1 && (end != colon || a->bound[i].lower < 0))
		return -1;
	a->bound[i].upper = colon[1] == '\0' ? -1 : strtod(colon + 1, &end);
	if (colon[1] != '\0' && (*end != '\0' || a->bound[i].upper < 0))
		return -1;
	if (a->bound[i].lower >= 0 && a->bound[i].upper >= 0 && a->bound[i].upper < a->bound[i].lower)
		return -1;
	a->nbound++;
	return 0;
}

static int parse_ratio_pair(const char *text, double *lo, double *hi)
{
	char *end;
	*lo = strtod(text, &end);
	if (*end != ',')
		return -1;
	*hi = strtod(end + 1, &end);
	return *end == '\0' && *lo >= 0 && *hi >= *lo ? 0 : -1;
}

static int parse_number(const char *opt, const char *text, double min, double *out)
{
	char *end;
	*out = strtod(text, &end);
	if (*text == '\0' || *end != '\0' || !(*out >= min) || !isfinite(*out)) {
		log_error("budget: %s must be a number of at least %g, got '%s'", opt, min, text);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct budget_args *a)
{
	static const struct option options[] = {
		{ "total", required_argument, NULL, 't' },  { "bounds", required_argument, NULL, 'b' },
		{ "target-roi", required_argument, NULL, 'r' },
		{ "marginal-floor", required_argument, NULL, 'm' },
		{ "freeze", required_argument, NULL, 'f' }, { "opt-in", required_argument, NULL, 'o' },
		{ "bound", required_argument, NULL, 'B' },
		{ "days", required_argument, NULL, 'd' },   { "adstock", no_argument, NULL, 'a' },
		{ "curves", no_argument, NULL, 'c' },	    { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	memset(a, 0, sizeof *a);
	plan_options_default(&a->opt);
	int opt;
	double v;
	optind = 0; /* GNU getopt: 0 re-initialises it for this option string */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_number("--total", optarg, 0, &a->opt.total))
				return -1;
			break;
		case 'b':
			if (parse_ratio_pair(optarg, &a->opt.lower_ratio, &a->opt.upper_ratio)) {
				log_error("budget: --bounds must be LOWER,UPPER ratios of current spend "
					  "such as 0.5,2, got '%s'", optarg);
				return -1;
			}
			break;
		case 'r':
			if (parse_number("--target-roi", optarg, -1, &a->opt.target))
				return -1;
			a->opt.mode = PLAN_TARGET_ROI;
			break;
		case 'm':
			if (parse_number("--marginal-floor", optarg, -1, &a->opt.target))
				return -1;
			a->opt.mode = PLAN_MARGINAL_FLOOR;
			break;
		case 'B':
			if (parse_channel_bound(optarg, a) != 0) {
				log_error("budget: --bound must be CHANNEL=LOWER:UPPER daily amounts "
					  "(either may be empty), got '%s'", optarg);
				return -1;
			}
			break;
		case 'f':
		case 'o':
			if ((opt == 'f' ? a->nfrozen : a->nopted) == MAX_CHANNELS) {
				log_error("budget: more than %d %s options", MAX_CHANNELS,
					  opt == 'f' ? "--freeze" : "--opt-in");
				return -1;
			}
			if (opt == 'f')
				a->frozen[a->nfrozen++] = optarg;
			else
				a->opted[a->nopted++] = optarg;
			break;
		case 'd':
			if (parse_number("--days", optarg, 1, &v))
				return -1;
			if (v > MAX_PERIOD_DAYS || v != floor(v)) {
				log_error("budget: --days must be a whole number of days up to %d, got '%s'",
					  MAX_PERIOD_DAYS, optarg);
				return -1;
			}
			a->opt.period_days = (int)v;
			break;
		case 'a': a->opt.adstock = 1; break;
		case 'c': a->curves = 1; break;
		case 'j': a->json = 1; break;
		default: return -1;
		}
	}
	if (optind < argc) {
		log_error("budget: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* A number as JSON with at most four decimals ("12.5", not 12.4999999);
 * null for NaN or an infinity. */
static struct json_object *json_4dp(double v)
{
	if (!isfinite(v))
		return NULL;
	char text[64];
	snprintf(text, sizeof text, "%.4f", v);
	char *end = text + strlen(text) - 1;
	while (*end == '0')
		*end-- = '\0';
	if (*end == '.')
		*end = '\0';
	if (strcmp(text, "-0") == 0)
		strcpy(text, "0");
	return json_object_new_double_s(v, text);
}

static double roi(double revenue, double spend)
{
	return spend > 0 ? (revenue - spend) / spend : NAN;
}

static struct json_object *curve_json(const struct plan_channel *c, int points)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(curve_kind_names[c->curve.kind]));
	if (c->curve.kind == CURVE_HILL) {
		json_object_object_add(o, "beta", json_4dp(c->curve.beta));
		json_object_object_add(o, "k", json_4dp(c->curve.k));
		json_object_object_add(o, "alpha", json_4dp(c->curve.alpha));
	} else if (c->curve.kind == CURVE_POWER) {
		json_object_object_add(o, "a", json_4dp(c->curve.a));
		json_object_object_add(o, "b", json_4dp(c->curve.b));
	}
	json_object_object_add(o, "adstock", json_4dp(c->curve.adstock));
	json_object_object_add(o, "r2", json_4dp(c->curve.r2));
	json_object_object_add(o, "days", json_object_new_int(c->curve.points));
	json_object_object_add(o, "spend_levels", json_object_new_int(c->curve.spend_levels));
	json_object_object_add(o, "confidence",
			       json_object_new_string(curve_confidence_names[c->curve.confidence]));
	json_object_object_add(o, "shape", json_object_new_string(curve_shape_name(&c->curve)));
	json_object_object_add(o, "shape_undecided", json_object_new_boolean(c->curve.shape_undecided));
	json_object_object_add(o, "threshold", curve_is_s_shaped(&c->curve)
						       ? json_4dp(curve_inflection_fitted(&c->curve)) : NULL);
	json_object_object_add(o, "draws", json_object_new_int(c->curve.draws));
	json_object_object_add(o, "note", json_object_new_string(c->curve.note));
	json_object_object_add(o, "prior", json_object_new_boolean(c->prior));
	if (points) {
		enum { N = 41 };
		double top = 2 * (c->upper > c->current ? c->upper : c->current);
		if (isfinite(c->saturation) && c->saturation * 1.25 > top)
			top = c->saturation * 1.25;
		double s[N], r[N], lo[N], hi[N];
		plan_curve_points(c, N, top > 0 ? top : 1, s, r, lo, hi);
		struct json_object *pts = json_object_new_array();
		for (int i = 0; i < N; i++) {
			struct json_object *p = json_object_new_object();
			json_object_object_add(p, "spend", json_4dp(s[i]));
			json_object_object_add(p, "revenue", json_4dp(r[i]));
			json_object_object_add(p, "revenue_low80", json_4dp(lo[i]));
			json_object_object_add(p, "revenue_high80", json_4dp(hi[i]));
			json_object_array_add(pts, p);
		}
		json_object_object_add(o, "points", pts);
		struct json_object *marks = json_object_new_object();
		json_object_object_add(marks, "current", json_4dp(c->current));
		json_object_object_add(marks, "recommended", json_4dp(c->recommended));
		json_object_object_add(marks, "saturation", json_4dp(c->saturation));
		json_object_object_add(o, "marks", marks);
	}
	return o;
}

static void print_json(const struct plan *p, const struct budget_args *a)
{
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();
	for (int i = 0; i < p->n; i++) {
		const struct plan_channel *c = &p->channels[i];
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "channel", json_object_new_string(c->name));
		json_object_object_add(j, "current_daily", json_4dp(c->current));
		json_object_object_add(j, "recommended_daily", json_4dp(c->recommended));
		json_object_object_add(j, "current_period", json_4dp(c->current * p->period_days));
		json_object_object_add(j, "recommended_period", json_4dp(c->recommended * p->period_days));
		json_object_object_add(j, "change_percent",
				       json_4dp(c->current > 0 ? 100 * (c->recommended / c->current - 1) : NAN));
		json_object_object_add(j, "lower_daily", json_4dp(c->lower));
		json_object_object_add(j, "upper_daily", json_4dp(c->upper));
		json_object_object_add(j, "expected_revenue_current_daily", json_4dp(c->revenue_current));
		json_object_object_add(j, "expected_revenue_daily", json_4dp(c->revenue_recommended));
		json_object_object_add(j, "expected_revenue_low80_daily", json_4dp(c->revenue_recommended_low));
		json_object_object_add(j, "expected_revenue_high80_daily", json_4dp(c->revenue_recommended_high));
		json_object_object_add(j, "expected_roi_current", json_4dp(roi(c->revenue_current, c->current)));
		json_object_object_add(j, "expected_roi", json_4dp(roi(c->revenue_recommended, c->recommended)));
		json_object_object_add(j, "marginal_roi", json_4dp(c->marginal_roi));
		json_object_object_add(j, "potential_daily", json_4dp(c->potential));
		json_object_object_add(j, "curve", curve_json(c, a->curves));
		json_object_array_add(list, j);
	}
	json_object_object_add(o, "channels", list);
	struct json_object *t = json_object_new_object();
	json_object_object_add(t, "period_days", json_object_new_int(p->period_days));
	json_object_object_add(t, "current_daily", json_4dp(p->current_total));
	json_object_object_add(t, "recommended_daily", json_4dp(p->recommended_total));
	json_object_object_add(t, "expected_revenue_current_daily", json_4dp(p->revenue_current));
	json_object_object_add(t, "expected_revenue_daily", json_4dp(p->revenue_recommended));
	json_object_object_add(t, "expected_roi_current", json_4dp(roi(p->revenue_current, p->current_total)));
	json_object_object_add(t, "expected_roi", json_4dp(roi(p->revenue_recommended, p->recommended_total)));
	json_object_object_add(t, "uplift_daily", json_4dp(p->revenue_recommended - p->revenue_current));
	json_object_object_add(t, "uplift_low80_daily", json_4dp(p->sure.low));
	json_object_object_add(t, "uplift_high80_daily", json_4dp(p->sure.high));
	json_object_object_add(t, "probability_better", json_4dp(p->sure.probability_better));
	json_object_object_add(t, "uplift_uncertain", json_object_new_boolean(p->sure.uncertain));
	json_object_object_add(t, "verdict", json_object_new_string(p->sure.verdict));
	json_object_object_add(t, "potential_revenue_daily", json_4dp(p->revenue_potential));
	json_object_object_add(o, "totals", t);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void print_table(const struct plan *p)
{
	printf("%-16s %12s %12s %8s %14s %14s %9s %6s %s\n", "channel", "current", "recommended",
	       "change", "revenue now", "revenue rec.", "marg.ROI", "curve", "confidence");
	for (int i = 0; i < p->n; i++) {
		const struct plan_channel *c = &p->channels[i];
		printf("%-16s %12.2f %12.2f %7.1f%% %14.2f %14.2f %9.3f %6s %s\n", c->name, c->current,
		       c->recommended, c->current > 0 ? 100 * (c->recommended / c->current - 1) : 0,
		       c->revenue_current, c->revenue_recommended, c->marginal_roi,
		       curve_kind_names[c->curve.kind], curve_confidence_names[c->curve.confidence]);
	}
	printf("total daily spend %.2f -> %.2f; expected revenue %.2f -> %.2f (uplift %+.2f, "
	       "ROI %.3f -> %.3f); without bounds: %.2f\n", p->current_total, p->recommended_total,
	       p->revenue_current, p->revenue_recommended, p->revenue_recommended - p->revenue_current,
	       roi(p->revenue_current, p->current_total), roi(p->revenue_recommended, p->recommended_total),
	       p->revenue_potential);
	printf("%s\n", p->sure.verdict);
}

static int find_name(const struct input *in, const char *name)
{
	for (int i = 0; i < in->nch; i++)
		if (strcmp(in->ch[i].name, name) == 0)
			return i;
	return -1;
}

int cmd_budget(const struct mldash_config *cfg, int argc, char **argv)
{
	(void)cfg;
	struct budget_args a;
	if (parse_args(argc, argv, &a) != 0)
		return 2;
	static struct input in;
	memset(&in, 0, sizeof in);
	for (int i = 0; i < 4; i++)
		in.col[i] = -1;
	/* The decoder takes a byte order mark off before the CSV parser sees
	 * the quotes after it (R's UTF-8-BOM, PowerShell), and reads UTF-16. */
	struct parse_ctx pc = { .in = &in };
	csv_init(&pc.csv, CSV_APPEND_NULL);
	struct decoder *dec = decode_new(parse_utf8, &pc);
	char buf[65536];
	size_t n;
	if (dec == NULL)
		snprintf(in.error, sizeof in.error, "out of memory");
	while (dec != NULL && in.error[0] == '\0' && (n = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (decode_feed(dec, buf, n) != 0 && in.error[0] == '\0')
			snprintf(in.error, sizeof in.error, "not UTF-8 or UTF-16 text: %s", decode_error(dec));
	if (dec != NULL && in.error[0] == '\0' && decode_finish(dec) != 0)
		snprintf(in.error, sizeof in.error, "not UTF-8 or UTF-16 text: %s", decode_error(dec));
	csv_fini(&pc.csv, on_field, on_record, &in);
	csv_free(&pc.csv);
	decode_free(dec);
	int rc = 2;
	struct plan_input inputs[MAX_CHANNELS];
	double *buffers[MAX_CHANNELS] = { 0 };
	struct plan plan = { 0 };
	if (in.error[0] == '\0' && in.nch == 0)
		snprintf(in.error, sizeof in.error, "no rows: expected a header and daily rows");
	if (in.error[0] || to_series(&in, inputs, buffers) != 0) {
		log_error("budget: %s", in.error[0] ? in.error : "out of memory");
		goto out;
	}
	for (int i = 0; i < a.nfrozen; i++) {
		int k = find_name(&in, a.frozen[i]);
		if (k < 0) {
			log_error("budget: --freeze %s: no such channel in the input", a.frozen[i]);
			goto out;
		}
		inputs[k].frozen = 1;
	}
	for (int i = 0; i < a.nopted; i++) {
		int k = find_name(&in, a.opted[i]);
		if (k < 0) {
			log_error("budget: --opt-in %s: no such channel in the input", a.opted[i]);
			goto out;
		}
		inputs[k].opted_in = 1;
	}
	for (int i = 0; i < a.nbound; i++) {
		int k = find_name(&in, a.bound[i].name);
		if (k < 0) {
			log_error("budget: --bound %s: no such channel in the input", a.bound[i].name);
			goto out;
		}
		inputs[k].lower = a.bound[i].lower;
		inputs[k].upper = a.bound[i].upper;
	}
	rc = plan_build(inputs, in.nch, &a.opt, &plan) == 0 ? 0 : 1;
	if (rc != 0)
		log_error("budget: %s", plan.error);
	else if (a.json)
		print_json(&plan, &a);
	else
		print_table(&plan);
out:
	plan_free(&plan);
	for (int i = 0; i < in.nch; i++) {
		free(buffers[i]);
		free(in.ch[i].rows);
	}
	return rc;
}
