/* Unit tests of models/response.c and models/allocate.c: curve recovery,
 * optimality (KKT), consistency, properties, degenerate input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "allocate.h"
#include "curve.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gaussian(void)
{
	return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static struct response_curve hill(double beta, double k, double alpha)
{
	struct response_curve c = { .kind = CURVE_HILL, .beta = beta, .k = k, .alpha = alpha };
	return c;
}

/* Noisy daily data from a known Hill curve: the fit recovers it. Tolerance:
 * the curve within 5% of the truth over the range of the data (parameters
 * themselves trade off against each other; the curve is what is used). */
static void test_fit_recovers_hill(void **state)
{
	(void)state;
	enum { N = 180 };
	struct response_curve truth = hill(2000, 300, 0.8);
	double spend[N], revenue[N];
	for (int t = 0; t < N; t++) {
		spend[t] = 50 + 550 * uniform();
		revenue[t] = curve_value(&truth, spend[t]) * (1 + 0.05 * gaussian());
	}
	struct response_curve fit;
	assert_int_equal(curve_fit(spend, revenue, N, 0, &fit), 0);
	assert_int_equal(fit.kind, CURVE_HILL);
	assert_int_equal(fit.confidence, CONFIDENCE_HIGH);
	for (double s = 50; s <= 600; s += 50) {
		double want = curve_value(&truth, s), got = curve_value(&fit, s);
		if (fabs(got - want) > 0.05 * want)
			fail_msg("at spend %.0f: fitted %.1f, true %.1f", s, got, want);
	}
	assert_true(fit.r2 > 0.5);
}

static void test_fit_adstock_rate(void **state)
{
	(void)state;
	enum { N = 240 };
	struct response_curve truth = hill(1500, 200, 0.9);
	double spend[N], revenue[N], x = 0;
	for (int t = 0; t < N; t++) {
		spend[t] = t % 10 < 5 ? 400 * uniform() : 20 * uniform();
		x = t == 0 ? spend[t] : 0.5 * x + 0.5 * spend[t];
		revenue[t] = curve_value(&truth, x) * (1 + 0.03 * gaussian());
	}
	struct response_curve fit;
	curve_fit(spend, revenue, N, 1, &fit);
	assert_true(fabs(fit.adstock - 0.5) <= 0.1001);
}

static void test_fit_power_law(void **state)
{
	(void)state;
	enum { N = 100 };
	double spend[N], revenue[N];
	for (int t = 0; t < N; t++) {
		spend[t] = 10 + 90 * uniform();
		revenue[t] = 30 * pow(spend[t], 0.6) * (1 + 0.05 * gaussian());
	}
	struct response_curve fit;
	curve_fit(spend, revenue, N, 0, &fit);
	/* Either form may fit; over the data both must track the truth. */
	for (double s = 10; s <= 100; s += 10)
		assert_true(fabs(curve_value(&fit, s) - 30 * pow(s, 0.6)) < 0.05 * 30 * pow(s, 0.6));
}

static void test_degenerate_curves(void **state)
{
	(void)state;
	double zero[30] = { 0 }, rev[30], same[30];
	for (int t = 0; t < 30; t++) {
		rev[t] = 100 + t;
		same[t] = 50;
	}
	struct response_curve c;
	curve_fit(zero, rev, 30, 1, &c);
	assert_int_equal(c.kind, CURVE_NONE);
	assert_int_equal(c.confidence, CONFIDENCE_LOW);
	assert_true(curve_value(&c, 100) == 0);

	curve_fit(same, rev, 30, 0, &c);
	assert_int_equal(c.kind, CURVE_POWER);
	assert_int_equal(c.confidence, CONFIDENCE_LOW);
	assert_non_null(strstr(c.note, "distinct spend level"));
	assert_true(fabs(curve_value(&c, 50) - 114.5) < 1); /* through the mean */

	double nan_rev[30];
	for (int t = 0; t < 30; t++)
		nan_rev[t] = NAN;
	curve_fit(same, nan_rev, 30, 0, &c);
	assert_int_equal(c.kind, CURVE_NONE);
}

/* The KKT conditions of a concave maximisation: equal marginals inside the
 * bounds, no larger marginal at a lower bound, no smaller at an upper one.
 * They make the split the global optimum. */
static void check_kkt(const struct alloc_channel *ch, int n, const double *spend, double total)
{
	double sum = 0, mu = -1;
	for (int i = 0; i < n; i++) {
		sum += spend[i];
		assert_true(spend[i] >= ch[i].lower - 1e-9 && spend[i] <= ch[i].upper + 1e-9);
		if (spend[i] > ch[i].lower + 1e-6 && spend[i] < ch[i].upper - 1e-6) {
			double m = curve_marginal(ch[i].curve, spend[i]);
			if (mu < 0)
				mu = m;
			else if (fabs(m - mu) > 1e-6 * mu)
				fail_msg("interior marginals differ: %.9f and %.9f", m, mu);
		}
	}
	assert_true(fabs(sum - total) <= 1e-9 * (total + 1));
	for (int i = 0; i < n && mu > 0; i++) {
		double m = curve_marginal(ch[i].curve, spend[i]);
		if (spend[i] <= ch[i].lower + 1e-6 && spend[i] < ch[i].upper - 1e-6)
			assert_true(m <= mu * (1 + 1e-6));
		if (spend[i] >= ch[i].upper - 1e-6 && spend[i] > ch[i].lower + 1e-6)
			assert_true(m >= mu * (1 - 1e-6));
	}
}

static void test_max_response_is_optimal(void **state)
{
	(void)state;
	struct response_curve curves[4] = { hill(3000, 400, 0.7), hill(1200, 100, 0.9),
					    hill(5000, 2000, 0.6),
					    { .kind = CURVE_POWER, .a = 40, .b = 0.5 } };
	struct alloc_channel ch[4];
	for (int i = 0; i < 4; i++)
		ch[i] = (struct alloc_channel){ "c", &curves[i], 200, 100, 400 };
	double spend[4];
	struct allocation a;
	char err[256];
	for (double total = 400; total <= 1600; total += 100) {
		assert_int_equal(allocate_max_response(ch, 4, total, spend, &a, err, sizeof err), 0);
		check_kkt(ch, 4, spend, total);
		/* Consistency: reported revenue is the curves at the split. */
		double rev = 0;
		for (int i = 0; i < 4; i++)
			rev += curve_value(&curves[i], spend[i]);
		assert_true(fabs(rev - a.total_revenue) < 1e-9 * rev);
		/* No feasible random move of budget between two channels does better
		 * than 0.1% over the reported optimum. */
		for (int trial = 0; trial < 200; trial++) {
			int i = (int)(uniform() * 4), j = (int)(uniform() * 4);
			double d = (uniform() - 0.5) * 100, alt[4];
			memcpy(alt, spend, sizeof alt);
			alt[i] += d, alt[j] -= d;
			if (i == j || alt[i] < ch[i].lower || alt[i] > ch[i].upper ||
			    alt[j] < ch[j].lower || alt[j] > ch[j].upper)
				continue;
			double r = 0;
			for (int c = 0; c < 4; c++)
				r += curve_value(&curves[c], alt[c]);
			assert_true(r <= a.total_revenue * 1.001);
		}
	}
}

static void test_properties(void **state)
{
	(void)state;
	/* Channels 0 and 1 identical but 1 scaled up (a better curve). */
	struct response_curve curves[3] = { hill(2000, 300, 0.8), hill(2600, 300, 0.8),
					    hill(900, 80, 0.95) };
	struct alloc_channel ch[3];
	for (int i = 0; i < 3; i++)
		ch[i] = (struct alloc_channel){ "c", &curves[i], 100, 0, 1000 };
	double prev[3] = { 0 }, spend[3];
	struct allocation a;
	char err[256];
	for (double total = 0; total <= 3000; total += 37.5) {
		assert_int_equal(allocate_max_response(ch, 3, total, spend, &a, err, sizeof err), 0);
		check_kkt(ch, 3, spend, total);
		for (int i = 0; i < 3; i++)
			assert_true(spend[i] >= prev[i] - 1e-6); /* more total, never less for anyone */
		assert_true(spend[1] >= spend[0] - 1e-6);   /* the better curve gets at least as much */
		memcpy(prev, spend, sizeof prev);
	}
}

static void test_bounds_rules_and_errors(void **state)
{
	(void)state;
	struct response_curve curves[3] = { hill(2000, 300, 0.8), hill(900, 80, 0.95),
					    { .kind = CURVE_NONE } };
	struct alloc_channel ch[3] = { { "a", &curves[0], 200, 0, 0 }, { "b", &curves[1], 100, 0, 0 },
				       { "new", &curves[2], 0, 0, 0 } };
	int frozen[3] = { 0, 1, 0 };
	struct bound_rules rules = { 0.5, 2, frozen, NULL, NULL, NULL };
	allocate_bounds(ch, 3, &rules);
	assert_true(ch[0].lower == 100 && ch[0].upper == 400);
	assert_true(ch[1].lower == 100 && ch[1].upper == 100); /* frozen */
	assert_true(ch[2].lower == 0 && ch[2].upper == 0);     /* no history: its minimum */

	double spend[3];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_max_response(ch, 3, 150, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "below the sum of the channels' lower bounds (200.00)"));
	assert_int_equal(allocate_max_response(ch, 3, 600, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "above the sum of the channels' upper bounds (500.00)"));
	assert_int_equal(allocate_max_response(ch, 3, 350, spend, &a, err, sizeof err), 0);
	assert_true(spend[1] == 100 && spend[2] == 0 && fabs(spend[0] - 250) < 1e-9);

	/* A total of zero with zero lower bounds: all zero. */
	struct bound_rules open = { 0, 2, NULL, NULL, NULL, NULL };
	allocate_bounds(ch, 3, &open);
	assert_int_equal(allocate_max_response(ch, 3, 0, spend, &a, err, sizeof err), 0);
	assert_true(spend[0] == 0 && spend[1] == 0 && spend[2] == 0);

	/* One channel: all of the total. */
	assert_int_equal(allocate_max_response(ch, 1, 123, spend, &a, err, sizeof err), 0);
	assert_true(fabs(spend[0] - 123) < 1e-9);
}

static void test_target_roi_and_floor(void **state)
{
	(void)state;
	/* A weak channel held at a high minimum and a strong one: the ROI of
	 * the best split first rises with the total (new money goes to the
	 * strong channel), then falls. The answer is the first total at which
	 * it reaches the target, to within 1e-6 of a currency unit. */
	struct response_curve curves[2] = { hill(700, 1000, 0.8), hill(3000, 200, 0.8) };
	struct alloc_channel ch[2] = { { "weak", &curves[0], 600, 600, 2000 },
				       { "strong", &curves[1], 100, 0, 2000 } };
	double spend[2];
	struct allocation a, b;
	char err[256];
	double target = 0.2;
	assert_int_equal(allocate_target_roi(ch, 2, target, spend, &a, err, sizeof err), 0);
	double roi = (a.total_revenue - a.total_spend) / a.total_spend;
	assert_true(roi >= target - 1e-9);
	assert_true(a.total_spend > 600); /* the minimum alone does not reach it */
	assert_int_equal(allocate_max_response(ch, 2, a.total_spend - 1e-6, spend, &b, err, sizeof err), 0);
	assert_true((b.total_revenue - b.total_spend) / b.total_spend < target);
	assert_int_equal(allocate_target_roi(ch, 2, target, spend, &a, err, sizeof err), 0);

	assert_int_equal(allocate_target_roi(ch, 2, 50, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "an expected ROI of 50.000 is unreachable within the bounds: the best reachable is"));
	ch[0].lower = 0;

	/* Marginal floor: every funded channel returns at least 1.2 per extra unit. */
	assert_int_equal(allocate_marginal_floor(ch, 2, 0.2, spend, &a, err, sizeof err), 0);
	for (int i = 0; i < 2; i++)
		if (spend[i] > ch[i].lower && spend[i] < ch[i].upper)
			assert_true(fabs(curve_marginal(&curves[i], spend[i]) - 1.2) < 1e-6);

	/* Saturation: where marginal revenue is 1. */
	double sat = allocate_saturation(&curves[0]);
	assert_true(fabs(curve_marginal(&curves[0], sat) - 1) < 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_recovers_hill),
		cmocka_unit_test(test_fit_adstock_rate),
		cmocka_unit_test(test_fit_power_law),
		cmocka_unit_test(test_degenerate_curves),
		cmocka_unit_test(test_max_response_is_optimal),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_bounds_rules_and_errors),
		cmocka_unit_test(test_target_roi_and_floor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
