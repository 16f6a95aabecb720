/*
 * Unit tests of models/accuracy.c: scores computed by hand on small
 * series, the newest of duplicate forecasts counting once, the windows
 * and leads kept apart, and anomalies found from the shortest lead only,
 * with their direction and size; and a plan against what followed it
 * (models/outcome.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accuracy.h"
#include "outcome.h"

/* cmocka of Debian 12 has no assert_double_equal. */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

#define DAYS 120
#define FIRST 19000L /* the actuals' first day */
#define END (FIRST + DAYS - 1)

static double series[METRIC__MAX][DAYS];

/* Revenue 100 + day (its 7-day change: 7); spend 10 every day (no change:
 * no MASE); the rest unknown. */
static struct accuracy_actuals actuals(void)
{
	struct accuracy_actuals a = { FIRST, DAYS, { 0 } };
	for (int m = 0; m < METRIC__MAX; m++)
		for (int i = 0; i < DAYS; i++)
			series[m][i] = NAN;
	for (int i = 0; i < DAYS; i++) {
		series[METRIC_REVENUE][i] = 100 + i;   /* 7-day change: 7 */
		series[METRIC_SPEND][i] = 10;          /* never changes */
	}
	a.values[METRIC_REVENUE] = series[METRIC_REVENUE];
	a.values[METRIC_SPEND] = series[METRIC_SPEND];
	return a;
}

static struct result_logged_forecast forecast(enum result_metric m, long day, int lead, long long run,
					       double f, double half80, double half95)
{
	struct result_logged_forecast r = { "x", m, day, lead, run, f, f - half80, f + half80,
					    f - half95, f + half95 };
	return r;
}

static const struct result_accuracy *row_of(const struct result_accuracy *rows, int n,
					    enum result_metric m, int lead, int window)
{
	for (int i = 0; i < n; i++)
		if (rows[i].metric == m && rows[i].lead_days == lead && rows[i].window_days == window)
			return &rows[i];
	return NULL;
}

static void test_scale(void **state)
{
	(void)state;
	double y[10] = { 1, 2, 3, 4, 5, 6, 7, 9, 2, NAN };
	/* pairs (7,0) (8,1): |9-1| = 8, |2-2| = 0; (9,2) unknown */
	assert_double_equal(accuracy_mase_scale(y, 10), 4.0, 1e-12);
	assert_true(isnan(accuracy_mase_scale(y, 7)));
}

static void test_scores_by_hand(void **state)
{
	(void)state;
	struct accuracy_actuals a = actuals();
	struct result_logged_forecast f[8];
	int n = 0;
	/* lead 1: two days inside the last 30, errors +7 and -14 */
	long d1 = END - 3, d2 = END - 10, d3 = END - 60;
	double y1 = 100 + (d1 - FIRST), y2 = 100 + (d2 - FIRST), y3 = 100 + (d3 - FIRST);
	f[n++] = forecast(METRIC_REVENUE, d1, 1, 50, y1 + 7, 5, 10);   /* outside 80, inside 95 */
	f[n++] = forecast(METRIC_REVENUE, d2, 1, 40, y2 - 14, 20, 30); /* inside both */
	f[n++] = forecast(METRIC_REVENUE, d2, 1, 30, y2 + 1000, 1, 1); /* older run: dropped */
	f[n++] = forecast(METRIC_REVENUE, d3, 1, 20, y3, 1, 2);        /* only in 90 */
	f[n++] = forecast(METRIC_REVENUE, d1, 7, 44, y1 + 70, 1, 2);   /* another lead */
	f[n++] = forecast(METRIC_REVENUE, END + 1, 1, 60, 5, 1, 2);    /* not yet known */
	f[n++] = forecast(METRIC_SPEND, d1, 1, 50, 12, 1, 3);
	size_t kept = accuracy_sort_forecasts(f, (size_t)n);
	assert_int_equal(kept, (size_t)n - 1);
	struct result_accuracy rows[ACCURACY_ROWS];
	int nrows = accuracy_score("x", &a, f, kept, END, rows);
	assert_int_equal(nrows, 2 * RESULT_LEADS * RESULT_WINDOWS); /* spend and revenue only */
	const struct result_accuracy *r = row_of(rows, nrows, METRIC_REVENUE, 1, 30);
	assert_non_null(r);
	assert_string_equal(r->channel, "x");
	assert_int_equal(r->n, 2);
	assert_double_equal(r->mase, (7.0 + 14.0) / 2 / 7.0, 1e-12);
	assert_double_equal(r->bias, (7.0 - 14.0) / 2, 1e-12);
	double s1 = 200 * 7 / (y1 + 7 + y1), s2 = 200 * 14 / (y2 - 14 + y2);
	assert_double_equal(r->smape, (s1 + s2) / 2, 1e-9);
	assert_double_equal(r->coverage_80, 0.5, 1e-12);
	assert_double_equal(r->coverage_95, 1.0, 1e-12);
	r = row_of(rows, nrows, METRIC_REVENUE, 1, 90);
	assert_int_equal(r->n, 3);
	assert_double_equal(r->bias, (7.0 - 14.0 + 0) / 3, 1e-12);
	r = row_of(rows, nrows, METRIC_REVENUE, 7, 30);
	assert_int_equal(r->n, 1);
	assert_double_equal(r->mase, 10.0, 1e-12);
	r = row_of(rows, nrows, METRIC_REVENUE, 14, 90);
	assert_int_equal(r->n, 0);
	assert_true(isnan(r->mase) && isnan(r->coverage_80) && isnan(r->bias));
	/* A series that never changes has no MASE, but its other scores. */
	r = row_of(rows, nrows, METRIC_SPEND, 1, 30);
	assert_int_equal(r->n, 1);
	assert_true(isnan(r->mase));
	assert_double_equal(r->bias, 2, 1e-12);
	assert_double_equal(r->coverage_95, 1, 1e-12);
	assert_double_equal(r->coverage_80, 0, 1e-12);
}

static void test_anomalies(void **state)
{
	(void)state;
	struct accuracy_actuals a = actuals();
	long d1 = END, d2 = END - 1, d3 = END - 2, old = END - 40;
	double y1 = 100 + (d1 - FIRST), y2 = 100 + (d2 - FIRST), y3 = 100 + (d3 - FIRST);
	struct result_logged_forecast f[] = {
		forecast(METRIC_REVENUE, d1, 1, 10, y1 - 39.2, 5, 19.6), /* above: z = 39.2 / 10 */
		forecast(METRIC_REVENUE, d1, 7, 4, y1, 5, 10),           /* a longer lead: not checked */
		forecast(METRIC_REVENUE, d2, 7, 3, y2 + 50, 5, 19.6),    /* the shortest there: below */
		forecast(METRIC_REVENUE, d3, 1, 9, y3 + 5, 5, 19.6),     /* inside */
		forecast(METRIC_REVENUE, old, 1, 2, y3 + 500, 5, 19.6),  /* before from */
		forecast(METRIC_SPEND, d1, 1, 10, 5, 0, 0),              /* a band of no width */
	};
	size_t n = accuracy_sort_forecasts(f, sizeof f / sizeof f[0]);
	struct result_anomaly *an;
	int count;
	assert_int_equal(accuracy_anomalies("x", &a, f, n, END - 30, END, &an, &count), 0);
	assert_int_equal(count, 3);
	/* newest day first, then by metric */
	assert_int_equal(an[0].day, d1);
	assert_int_equal(an[0].metric, METRIC_SPEND);
	assert_true(isnan(an[0].z));
	assert_int_equal(an[0].direction, 1);
	assert_int_equal(an[1].day, d1);
	assert_int_equal(an[1].metric, METRIC_REVENUE);
	assert_int_equal(an[1].direction, 1);
	assert_int_equal(an[1].lead_days, 1);
	assert_int_equal(an[1].forecast_run_id, 10);
	assert_double_equal(an[1].z, 39.2 / (2 * 19.6 / (2 * 1.959963984540054)), 1e-9);
	assert_double_equal(an[1].actual, y1, 1e-12);
	assert_int_equal(an[2].day, d2);
	assert_int_equal(an[2].direction, -1);
	assert_int_equal(an[2].lead_days, 7);
	assert_true(an[2].z < -4);
	free(an);
}

static void test_metric_names(void **state)
{
	(void)state;
	for (int m = 0; m < METRIC__MAX; m++)
		assert_int_equal(result_metric_parse(result_metric_names[m]), m);
	assert_int_equal(result_metric_parse("clicks"), -1);
	assert_int_equal(result_metric_parse(""), -1);
}

static struct result_budget plan_row(const char *name, double current, double recommended)
{
	struct result_budget b;
	memset(&b, 0, sizeof b);
	snprintf(b.channel, sizeof b.channel, "%s", name);
	b.current = current, b.recommended = recommended;
	/* revenue = 40 sqrt(spend) */
	b.curve.kind = CURVE_POWER, b.curve.a = 40, b.curve.b = 0.5;
	return b;
}

static void test_outcome(void **state)
{
	(void)state;
	struct result_budget a = plan_row("a", 100, 400), b = plan_row("b", 400, 100);
	struct outcome_channel c[2];
	/* Half of both advised moves made; revenue as the curves said, x1.1. */
	outcome_channel(&a, 250, 1.1 * 40 * sqrt(250), &c[0]);
	outcome_channel(&b, 250, 1.1 * 40 * sqrt(250), &c[1]);
	assert_int_equal(c[0].moved, OUTCOME_TOWARD);
	assert_int_equal(c[1].moved, OUTCOME_TOWARD);
	assert_double_equal(c[0].revenue_predicted_at_actual, 40 * sqrt(250), 1e-9);
	assert_double_equal(c[1].revenue_predicted_at_current, 40 * sqrt(400), 1e-9);
	struct outcome_plan p;
	outcome_plan(c, 2, &p);
	assert_double_equal(p.followed, 0.5, 1e-12);
	assert_double_equal(p.actual_spend, 500, 1e-9);
	double unchanged = 40 * (sqrt(100) + sqrt(400)), at_actual = 2 * 40 * sqrt(250);
	assert_double_equal(p.revenue_if_unchanged, unchanged, 1e-9);
	assert_double_equal(p.net_gain, 1.1 * at_actual - 1.1 * unchanged, 1e-9);
	assert_int_equal(p.paid, 1);
	assert_non_null(strstr(p.verdict, "paid"));
	/* Moved the other way: away, and it did not pay. */
	outcome_channel(&a, 50, 40 * sqrt(50), &c[0]);
	outcome_channel(&b, 600, 40 * sqrt(600), &c[1]);
	assert_int_equal(c[0].moved, OUTCOME_AWAY);
	outcome_plan(c, 2, &p);
	assert_true(p.followed < 0);
	assert_int_equal(p.paid, -1);
	assert_string_equal(p.verdict, "the advice was not followed");
	/* Nothing observed yet. */
	outcome_channel(&a, NAN, NAN, &c[0]);
	outcome_channel(&b, NAN, NAN, &c[1]);
	assert_int_equal(c[0].moved, OUTCOME_HELD);
	outcome_plan(c, 2, &p);
	assert_int_equal(p.paid, -1);
	assert_string_equal(p.verdict, "no days after the plan yet");
	/* A channel without a curve is left out of the gain: a, as its curve
	 * said but half of it; b without a curve, held at 1000, earning 2000. */
	struct result_budget nocurve = plan_row("b", 1000, 1000);
	nocurve.curve.kind = CURVE_NONE;
	outcome_channel(&a, 400, 0.5 * 40 * sqrt(400), &c[0]);
	outcome_channel(&nocurve, 1000, 2000, &c[1]);
	assert_true(isnan(c[1].revenue_predicted_at_actual));
	outcome_plan(c, 2, &p);
	/* a alone: 400 - 0.5 x 400 - (400 - 100) = -100: did not pay. */
	assert_double_equal(p.net_gain, 0.5 * 40 * sqrt(400) - 0.5 * 40 * sqrt(100) - 300, 1e-9);
	assert_int_equal(p.paid, 0);
	assert_double_equal(p.revenue_actual, 0.5 * 40 * sqrt(400) + 2000, 1e-9);
	/* A move within 5% of the advised one is no move. */
	outcome_channel(&a, 110, 1, &c[0]);
	assert_int_equal(c[0].moved, OUTCOME_HELD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_scores_by_hand),
		cmocka_unit_test(test_anomalies),
		cmocka_unit_test(test_metric_names),
		cmocka_unit_test(test_outcome),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
