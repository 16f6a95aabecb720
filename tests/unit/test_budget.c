/* Unit tests of models/curve.c and models/allocate.c: curve recovery,
 * optimality (KKT), consistency, properties, degenerate input; with
 * S-curves, the global optimum against brute force (#15). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
 * the curve within 5% of the truth over the range of the data, 10% at its
 * lowest spend, where few days hold it (parameters themselves trade off
 * against each other; the curve is what is used). Over 80 such channels:
 * at most 2.5% off at 100-600, up to 7.2% at 50 (5 of them beyond 5%). */
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
		if (fabs(got - want) > (s > 50 ? 0.05 : 0.1) * want)
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

/* When no channel earns anything, money is not moved for nothing: each
 * takes the same share of its room, which at the current total, with
 * bounds by ratio, is the current split (it once filled channels in
 * input order: the first +100%, the last -50%). */
static void test_nothing_earns_nothing_moves(void **state)
{
	(void)state;
	struct response_curve flat = { .kind = CURVE_POWER, .a = 0, .b = 0.5 };
	struct alloc_channel ch[3] = { { "a", &flat, 100, 0, 0 }, { "b", &flat, 220, 0, 0 },
				       { "c", &flat, 300, 0, 0 } };
	struct bound_rules rules = { 0.5, 2, NULL, NULL, NULL, NULL };
	allocate_bounds(ch, 3, &rules);
	double spend[3];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_max_response(ch, 3, 620, spend, &a, err, sizeof err), 0);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(spend[i] - ch[i].current) < 1e-9);
	assert_int_equal(allocate_max_response(ch, 3, 930, spend, &a, err, sizeof err), 0);
	for (int i = 0; i < 3; i++) /* half again: each a third of its room up */
		assert_true(fabs(spend[i] - 1.5 * ch[i].current) < 1e-9);
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

	/* Totals are compared with the bounds' sums to the cent, as the
	 * messages print them: less than half a cent past a sum is that sum;
	 * a refused total is shown apart from the sum it passes. */
	assert_int_equal(allocate_max_response(ch, 3, 500.004, spend, &a, err, sizeof err), 0);
	assert_true(spend[0] == 400 && spend[1] == 100 && spend[2] == 0 && a.total_spend == 500);
	assert_int_equal(allocate_max_response(ch, 3, 199.996, spend, &a, err, sizeof err), 0);
	assert_true(spend[0] == 100 && spend[1] == 100 && a.total_spend == 200);
	assert_int_equal(allocate_max_response(ch, 3, 500.006, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "the total 500.01 is above the sum of the channels' upper bounds "
				    "(500.00)"));
	assert_int_equal(allocate_max_response(ch, 3, 199.994, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "the total 199.99 is below"));
	/* Amounts whose cents overflow a double are compared as they are. */
	struct alloc_channel vast = { "vast", &curves[0], 1e307, 1e307, 1.5e307 };
	assert_int_equal(allocate_max_response(&vast, 1, 2e306, spend, &a, err, sizeof err), -1);
	assert_int_equal(allocate_max_response(&vast, 1, 1.7e308, spend, &a, err, sizeof err), -1);
	/* An amount too large for cents is written short, the reason kept. */
	assert_int_equal(allocate_max_response(ch, 3, 1e300, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "the total 1e+300 is above the sum of the channels' upper bounds "
				    "(500.00): lower the total"));
	assert_int_equal(allocate_target_roi(ch, 3, 1e300, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "an expected ROI of 1e+300 is unreachable"));

	/* Bounds that are not a range are refused, in every mode. */
	struct alloc_channel crossed[3] = { ch[0], ch[1], ch[2] };
	crossed[0].lower = 450;
	assert_int_equal(allocate_max_response(crossed, 3, 600, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "channel 'a': its bounds 450.00 to 400.00 are not a range"));
	assert_int_equal(allocate_target_roi(crossed, 3, 0.5, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "are not a range"));
	assert_int_equal(allocate_marginal_floor(crossed, 3, 0.5, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "are not a range"));

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

/* The best reachable ROI an unreachable target's error names. */
static double best_reachable(const char *err)
{
	const char *text = strstr(err, "the best reachable is ");
	assert_non_null(text);
	return strtod(text + strlen("the best reachable is "), NULL);
}

/* The best ROI over every total, by a fine scan (a slow reference). */
static double best_roi_scanned(const struct alloc_channel *ch, int n, double hi)
{
	double spend[8], best = -HUGE_VAL;
	assert_true(n <= 8);
	struct allocation a;
	char err[256];
	for (double t = hi / 20000; t <= hi; t += hi / 20000)
		if (allocate_max_response(ch, n, t, spend, &a, err, sizeof err) == 0)
			best = fmax(best, (a.total_revenue - a.total_spend) / a.total_spend);
	return best;
}

/* Upper bounds at infinity (`--bound CH=0:inf`) or very wide: the
 * scenarios without a total answer as with bounds just past any spend
 * they reach, and a channel whose marginal never falls to the price is
 * named. */
static void test_infinite_upper_bounds(void **state)
{
	(void)state;
	struct response_curve curves[3] = { hill(700, 1000, 0.8), hill(3000, 200, 2.2),
					    { .kind = CURVE_POWER, .a = 12, .b = 0.6 } };
	struct alloc_channel inf[3], wide[3];
	for (int i = 0; i < 3; i++) {
		inf[i] = (struct alloc_channel){ "c", &curves[i], 100, 0, HUGE_VAL };
		wide[i] = inf[i], wide[i].upper = 1e5;
	}
	inf[0].name = "weak", inf[0].lower = wide[0].lower = 600; /* ROI first rises */
	double spend_inf[3], spend_wide[3];
	struct allocation a, b;
	char err[256];

	assert_int_equal(allocate_marginal_floor(inf, 3, 0.2, spend_inf, &a, err, sizeof err), 0);
	assert_int_equal(allocate_marginal_floor(wide, 3, 0.2, spend_wide, &b, err, sizeof err), 0);
	assert_true(a.total_spend > 600 && fabs(a.total_spend - b.total_spend) < 1e-6 * b.total_spend);
	for (int i = 0; i < 3; i++)
		assert_true(fabs(spend_inf[i] - spend_wide[i]) < 1e-6 * (1 + spend_wide[i]));

	/* The first total reaching the target, as a finite range finds it. */
	assert_int_equal(allocate_target_roi(inf, 3, 0.2, spend_inf, &a, err, sizeof err), 0);
	double roi = (a.total_revenue - a.total_spend) / a.total_spend;
	assert_true(roi >= 0.2 - 1e-9 && a.total_spend > 600);
	assert_int_equal(allocate_max_response(inf, 3, a.total_spend - 1e-3, spend_wide, &b, err,
					       sizeof err), 0);
	assert_true((b.total_revenue - b.total_spend) / b.total_spend < 0.2);
	/* Bounds of 1e7 a day: the same crossing, not a scan too coarse to see it. */
	for (int i = 0; i < 3; i++)
		wide[i].upper = 1e7;
	assert_int_equal(allocate_target_roi(wide, 3, 0.2, spend_wide, &b, err, sizeof err), 0);
	assert_true(fabs(a.total_spend - b.total_spend) < 1e-6 * a.total_spend);

	/* Out of reach: the best reachable ROI is the best over every total. */
	assert_int_equal(allocate_target_roi(inf, 3, 50, spend_inf, &a, err, sizeof err), -1);
	double best = best_reachable(err);
	double reference = best_roi_scanned(inf, 3, 20000);
	assert_true(reference > 0.5 && fabs(best - reference) < 2e-3);

	/* A floor of -1 asks for every unit whose marginal revenue is above
	 * zero: without an upper bound, without end. */
	assert_int_equal(allocate_marginal_floor(inf, 3, -1, spend_inf, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "channel 'weak' returns a marginal revenue of at least 0.000 at "
				    "any spend: give it a finite upper bound"));
}

/* A total a hair above one channel's upper bound plus another's lower: the
 * third, concave with an unbounded marginal at zero, takes the hair, and
 * the multiplier that gives it sits where the second's reply leaves its
 * lower bound, the sum rising by 21 within 1e-6 of log mu. Newton and
 * regula falsi had crept at the two ends for 100 steps, and settle() put
 * the miss on the first channel: 18.8 / 0 / 213.4, revenue 1714.6 where
 * 1890.4 was there (a review's case). */
static void test_multiplier_where_a_reply_leaves_its_bound(void **state)
{
	(void)state;
	struct response_curve curves[3] = { hill(3155.3660150131391, 25.290522511166046, 0.32705527315847577),
					    hill(162.16138378618805, 412.05939166301556, 0.94614339019171889),
					    hill(304.15517300766459, 153.15722160043009, 2.5592757711187004) };
	struct alloc_channel ch[3] = { { "a", &curves[0], 1, 0, 39.928512854580227 },
				       { "b", &curves[1], 1, 0, 47.648513282148159 },
				       { "s", &curves[2], 1, 192.31347396485489, 268.93611396670184 } };
	double spend[3], near[3];
	struct allocation a, b;
	char err[256];
	assert_int_equal(allocate_max_response(ch, 3, 232.2419986, spend, &a, err, sizeof err), 0);
	assert_true(fabs(spend[0] - ch[0].upper) < 1e-6 && fabs(spend[2] - ch[2].lower) < 1e-4);
	assert_int_equal(allocate_max_response(ch, 3, 232.2, near, &b, err, sizeof err), 0);
	assert_true(a.total_revenue >= b.total_revenue);
}

/* A target only an S-curve's steep part reaches, the rest of its range a
 * marginal below the price (a review's case): the scan's range stops where
 * each reply must, so 64 totals find it (they had spanned the S-curve's
 * whole range, 1,474 a day, and called it unreachable). */
static void test_target_roi_small_range(void **state)
{
	(void)state;
	struct response_curve curves[2] = { { .kind = CURVE_POWER, .a = 25.698209848254919,
					      .b = 0.36054715309292079 },
					    hill(160.70667347037164, 2172.0561061785465, 1.7963465013541282) };
	struct alloc_channel ch[2] = { { "power", &curves[0], 100, 0, 57.677981507033074 },
				       { "s", &curves[1], 100, 2.5102002753216652, 1474.0579948216366 } };
	double spend[2];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_target_roi(ch, 2, 3.8354473001323637, spend, &a, err, sizeof err), 0);
	assert_true((a.total_revenue - a.total_spend) / a.total_spend >= 3.8354473001323637 - 1e-9);
}

/* Out of reach, with no marginal reaching the target's price above its
 * lower bound: the first scan's range collapses to the lower bounds, and
 * the best reachable ROI is the bounds' (1.19 at about 349), not -1 (a
 * review's case). */
static void test_target_roi_best_when_range_collapses(void **state)
{
	(void)state;
	struct response_curve curves[3] = { { .kind = CURVE_NONE },
					    hill(947.23659605875753, 1582.8234200935278, 2.0004277998581528),
					    hill(1895.5106070788195, 422.42410553344507, 1.5912833358161151) };
	struct alloc_channel ch[3] = { { "none", &curves[0], 1, 19.099128142387666, 19.099128142387666 },
				       { "s1", &curves[1], 1, 0, 0 },
				       { "s2", &curves[2], 1, 0, 2055.6329091638636 } };
	double spend[3];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_target_roi(ch, 3, 1.9497312671039253, spend, &a, err, sizeof err), -1);
	assert_true(best_reachable(err) > 1.15);
}

/* Two S-curves whose best ROI lies between two of the scan's totals: the
 * best reachable ROI the error reports is the best of every total (here
 * 20,000 whole splits up to the bounds) within 0.003 (the message prints
 * three decimals). The scan's best total alone reported 1.451 where 1.469
 * is. */
static void test_target_roi_reports_the_best_reachable(void **state)
{
	(void)state;
	struct response_curve curves[2] = {
		hill(2728.2424131690173, 648.85222447064814, 2.7527194296763713),
		hill(2502.1824561933095, 440.11268035539894, 1.8052499106985607)
	};
	struct alloc_channel ch[2] = { { "s1", &curves[0], 1, 55.50092204170474, 653.81958413644145 },
				       { "s2", &curves[1], 1, 0, 353.67504844682452 } };
	double spend[2], best = best_roi_scanned(ch, 2, ch[0].upper + ch[1].upper);
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_target_roi(ch, 2, 1.6783748932601004, spend, &a, err, sizeof err), -1);
	assert_true(fabs(best_reachable(err) - best) < 0.003);
}

/* The daily total an unreachable target's error names. */
static double best_total_named(const char *err)
{
	const char *text = strstr(err, "at a daily total of ");
	assert_non_null(text);
	char digits[64];
	size_t len = 0;
	for (text += strlen("at a daily total of "); *text && len + 1 < sizeof digits; text++)
		if (*text != ',')
			digits[len++] = *text;
	digits[len] = '\0';
	return strtod(digits, NULL);
}

/* Out of reach, the best ratio of revenue to spend over every split the
 * bounds allow is found exactly (Dinkelbach's method on the channels'
 * best replies): five S-shaped and concave channels whose ROI peaks
 * inside the range; no total of a fine scan does better than the best
 * reported, and the total named reaches it. */
static void test_target_roi_best_is_exact(void **state)
{
	(void)state;
	struct response_curve curves[5] = { hill(2400, 500, 2.4), hill(1800, 300, 1.7),
					    hill(900, 400, 0.8),
					    { .kind = CURVE_POWER, .a = 9, .b = 0.55 },
					    hill(3000, 900, 2.9) };
	struct alloc_channel ch[5];
	double hi = 0;
	for (int i = 0; i < 5; i++) {
		ch[i] = (struct alloc_channel){ "c", &curves[i], 300, 150, 600 };
		hi += ch[i].upper;
	}
	double spend[5], best = best_roi_scanned(ch, 5, hi);
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_target_roi(ch, 5, best + 0.01, spend, &a, err, sizeof err), -1);
	double reported = best_reachable(err), total = best_total_named(err);
	assert_true(reported >= best - 5e-4 && reported <= best + 2e-3);
	assert_int_equal(allocate_max_response(ch, 5, total, spend, &a, err, sizeof err), 0);
	assert_true(fabs((a.total_revenue - a.total_spend) / a.total_spend - reported) < 5e-4);
	/* Just below the best, the target is reached. */
	assert_int_equal(allocate_target_roi(ch, 5, reported - 0.002, spend, &a, err, sizeof err), 0);

	/* S-curves from zero, whose replies to the target's price all stay
	 * at zero: out of reach all the same, and the same exact search. */
	struct alloc_channel from_zero[4] = { ch[0], ch[1], ch[4], ch[1] };
	hi = 0;
	for (int i = 0; i < 4; i++) {
		from_zero[i].lower = 0;
		hi += from_zero[i].upper;
	}
	best = best_roi_scanned(from_zero, 4, hi);
	assert_int_equal(allocate_target_roi(from_zero, 4, 50, spend, &a, err, sizeof err), -1);
	reported = best_reachable(err), total = best_total_named(err);
	assert_true(reported >= best - 5e-4 && reported <= best + 2e-3);
	assert_int_equal(allocate_max_response(from_zero, 4, total, spend, &a, err, sizeof err), 0);
	assert_true(fabs((a.total_revenue - a.total_spend) / a.total_spend - reported) < 5e-4);
}

/* A peak of ROI narrower than the scan's step, just above the lower
 * bounds' sum (149.87: ROI 9.695, the peak 9.821 at 151.95): targets up to
 * the peak are met, as the channels' replies to their price show they are
 * (a review's case: 9.70-9.82 were refused as beyond "9.689", while 9.83
 * was told 9.821 is reachable). */
static void test_target_roi_narrow_peak(void **state)
{
	(void)state;
	struct response_curve curves[3] = { hill(1073.32, 666.93, 0.5533), hill(534.97, 338.43, 2.632),
					    { .kind = CURVE_POWER, .a = 16.4819, .b = 0.91355 } };
	struct alloc_channel ch[3] = { { "a", &curves[0], 300, 0, 672.13 },
				       { "b", &curves[1], 300, 0, HUGE_VAL },
				       { "c", &curves[2], 300, 149.868, 553.16 } };
	const double targets[4] = { 9.70, 9.80, 9.81, 9.82 };
	double spend[3];
	struct allocation a;
	char err[256];
	for (int i = 0; i < 4; i++) {
		assert_int_equal(allocate_target_roi(ch, 3, targets[i], spend, &a, err, sizeof err), 0);
		assert_true((a.total_revenue - a.total_spend) / a.total_spend >= targets[i] - 1e-9);
		assert_true(a.total_spend < 152);
	}
	assert_int_equal(allocate_target_roi(ch, 3, 9.83, spend, &a, err, sizeof err), -1);
	assert_true(fabs(best_reachable(err) - 9.821) < 1e-3);
}

/* Out of reach where the replies to the target's price earn nothing (the
 * S-curve stays at its lower bound of zero beside a curve-less channel
 * frozen at 100): the search for the best ROI starts from the replies to
 * a lower price, 0.051 at about 600 a day, with or without an upper
 * bound (a review's case: without one it reported -1.000 at 100). */
static void test_target_roi_best_from_a_lower_price(void **state)
{
	(void)state;
	struct response_curve curves[2] = { { .kind = CURVE_NONE }, hill(1466.26, 605.94, 1.4636) };
	struct alloc_channel ch[2] = { { "none", &curves[0], 100, 100, 100 },
				       { "s", &curves[1], 100, 0, HUGE_VAL } };
	double spend[2];
	struct allocation a;
	char err[256];
	for (int bounded = 0; bounded < 2; bounded++) {
		ch[1].upper = bounded ? 5000 : HUGE_VAL;
		for (double target = 0.4; target < 0.65; target += 0.1) {
			assert_int_equal(allocate_target_roi(ch, 2, target, spend, &a, err, sizeof err), -1);
			assert_true(fabs(best_reachable(err) - 0.0512) < 1e-3);
			assert_true(fabs(best_total_named(err) - 600.5) < 1);
		}
	}

	/* A power law from zero without an upper bound beside the same kind
	 * of frozen channel: the replies to a price that earn something but
	 * not the price (a ratio of 0.002) left no bound to stand in for the
	 * infinite one, and the scan reported -1.000 at 246.44 (a review's
	 * case). 16.43 s^0.659 / (246.44 + s) is best at s = 476.26. */
	struct response_curve power = { .kind = CURVE_POWER, .a = 16.43, .b = 0.659 };
	struct alloc_channel with_power[2] = { { "none", &curves[0], 246.44, 246.44, 246.44 },
					       { "power", &power, 100, 0, HUGE_VAL } };
	double best = 16.43 * pow(476.26, 0.659) / 722.70 - 1;
	for (double target = 1; target < 2e7; target *= 100) {
		assert_int_equal(allocate_target_roi(with_power, 2, target, spend, &a, err, sizeof err), -1);
		assert_true(fabs(best_reachable(err) - best) < 1e-3);
		assert_true(fabs(best_total_named(err) - 722.70) < 0.02);
	}
}

/* Targets far beyond any return (1e9, 1e300) on ten S-curves beside ten
 * curve-less channels: the search starts below a bound on every ratio
 * (the S-curves' steepest marginal), not at the target's price, which
 * halving could not bring down (a review's case: -1.000 at 1,000). */
static void test_target_roi_absurd_target(void **state)
{
	(void)state;
	struct response_curve curves[20];
	struct alloc_channel ch[20];
	for (int i = 0; i < 20; i++) {
		curves[i] = i < 10 ? (struct response_curve){ .kind = CURVE_NONE }
				   : hill(1000 + 50 * i, 500 + 10 * i, 3);
		ch[i] = (struct alloc_channel){ "c", &curves[i], 100, i < 10 ? 100 : 0,
						i < 10 ? 100 : (i % 2 ? HUGE_VAL : 5000) };
	}
	double spend[20];
	struct allocation a;
	char err[256];
	const double targets[3] = { 1e8, 1e9, 1e300 };
	for (int t = 0; t < 3; t++) {
		assert_int_equal(allocate_target_roi(ch, 20, targets[t], spend, &a, err, sizeof err), -1);
		assert_true(fabs(best_reachable(err) - 0.264) < 1e-3);
		assert_true(fabs(best_total_named(err) - 9570.02) < 0.02);
	}
}

/* ROI that climbs to 0.46 near a total of 119, falls, and climbs again
 * past 0.54 near 1,274: a target just below the first peak is first met
 * near 110. A scan ruling totals out by a grid program's revenue (a lower
 * bound, here 0.034 of ROI short where a power law from zero wants less
 * than one of its units) answered 983 (a review's case). */
static void test_target_roi_first_of_two_peaks(void **state)
{
	(void)state;
	struct response_curve curves[3] = {
		{ .kind = CURVE_POWER, .a = 5.5324065195426506, .b = 0.33088717432933984 },
		hill(2768.76378135907, 964.26175547767684, 2.9424296919968667),
		hill(1161.6519505317272, 620.72896009416183, 0.92166296502018097)
	};
	struct alloc_channel ch[3] = { { "p", &curves[0], 0, 0, 1468.2822723658096 },
				       { "s", &curves[1], 27.738149141162822, 27.738149141162822,
					 1563.1403025067632 },
				       { "c", &curves[2], 0, 0, 949.6899962385155 } };
	double spend[3], target = 0.45694867845686687;
	struct allocation a, b;
	char err[256];
	assert_int_equal(allocate_target_roi(ch, 3, target, spend, &a, err, sizeof err), 0);
	assert_true(a.total_spend > 100 && a.total_spend < 120);
	assert_true((a.total_revenue - a.total_spend) / a.total_spend >= target);
	assert_int_equal(allocate_max_response(ch, 3, a.total_spend - 1e-6, spend, &b, err, sizeof err), 0);
	assert_true((b.total_revenue - b.total_spend) / b.total_spend < target);
}

/* --- S-shaped curves (#15) -------------------------------------------------- */

/* A random Hill curve: S-shaped (alpha 1.5-3) or concave (0.5-1). */
static struct response_curve random_hill(int s_shaped)
{
	double k = 100 + 900 * uniform();
	double alpha = s_shaped ? 1.5 + 1.5 * uniform() : 0.5 + 0.5 * uniform();
	return hill((2 + 6 * uniform()) * k, k, alpha);
}

/* Whether any of `totals` totals evenly spaced in (from, below) has a
 * best split whose ROI reaches the target: a scan the answer must come
 * first in. */
static int a_scan_total_reaches(const struct alloc_channel *ch, int n, double target, double from,
				double below, int totals)
{
	double spend[16];
	struct allocation a;
	char err[256];
	for (int i = 1; i < totals && below > from; i++) {
		double total = from + (below - from) * i / totals;
		if (allocate_max_response(ch, n, total, spend, &a, err, sizeof err) == 0 &&
		    (a.total_revenue - a.total_spend) / a.total_spend >= target)
			return 1;
	}
	return 0;
}

/* Weak duality: at any price the channels' replies bound every split of
 * every total from above (S-shaped, concave and curve-less channels, zero
 * lower bounds, frozen channels, an infinite upper bound standing at the
 * total), and at the split's own multiplier the bound is its revenue
 * where the curves are concave; a price or total that is no number gives
 * no bound (+inf). */
static void test_revenue_bound_holds_and_is_tight(void **state)
{
	(void)state;
	rng = 7070;
	struct response_curve none = { .kind = CURVE_NONE };
	for (int set = 0; set < 40; set++) {
		int n = 2 + set % 9, concave = set % 3 == 0;
		struct response_curve curves[10];
		struct alloc_channel ch[10];
		double lo = 0, hi = 0;
		for (int i = 0; i < n; i++) {
			curves[i] = random_hill(!concave && uniform() < 0.8);
			double current = 100 + 900 * uniform();
			ch[i] = (struct alloc_channel){ "c", &curves[i], current,
							set % 2 ? 0 : current / 2, 2 * current };
			if (!concave && i == n - 1 && set % 4 == 1)
				ch[i].curve = &none;
			if (!concave && i == 0 && set % 5 == 2)
				ch[i].lower = ch[i].upper = current;
			if (i == 1 && set % 7 == 3)
				ch[i].upper = INFINITY; /* stands at the total */
			lo += ch[i].lower, hi += isfinite(ch[i].upper) ? ch[i].upper : 2 * current;
		}
		for (int t = 1; t < 8; t++) {
			double total = lo + (hi - lo) * t / 8, spend[10];
			struct allocation a;
			char err[256];
			assert_int_equal(allocate_max_response(ch, n, total, spend, &a, err, sizeof err), 0);
			double slack = 1e-9 * a.total_revenue + 1e-9;
			for (int k = 0; k < 6; k++) {
				double price = 0.25 * pow(2, k) * (1 + uniform());
				assert_true(a.total_revenue <= allocate_revenue_bound(ch, n, price, total) + slack);
			}
			if (a.multiplier > 0) {
				double at_mu = allocate_revenue_bound(ch, n, a.multiplier, total);
				assert_true(a.total_revenue <= at_mu + slack);
				if (concave)
					assert_true(at_mu - a.total_revenue <= 1e-6 * a.total_revenue);
			}
		}
	}
	assert_true(isinf(allocate_revenue_bound(NULL, 0, 0, 100)));
	assert_true(isinf(allocate_revenue_bound(NULL, 0, NAN, 100)));
	assert_true(isinf(allocate_revenue_bound(NULL, 0, 1, NAN)));
	assert_true(isinf(allocate_revenue_bound(NULL, 0, 1, INFINITY)));
}

/* A power law from zero returns without limit on its first unit (ROI is
 * infinite just above a total of zero), beside S-curves that return
 * little below their thresholds: ROI falls from there below 0.53 and
 * climbs past it again near 33 (a review's random case). The smallest
 * total reaching 0.53 is just above zero, where the solve between the
 * scan's first two totals had found the crossing near 33.30. */
static void test_target_roi_first_crossing_above_zero(void **state)
{
	(void)state;
	struct response_curve curves[5] = {
		hill(1614.3427094031269, 636.67440504566594, 1.4896850972702009),
		{ .kind = CURVE_POWER, .a = 6.8821645753250378, .b = 0.48952641057256685 },
		hill(1452.111306877237, 566.75127438658853, 2.4354764485316736),
		hill(930.26583651871431, 181.25468850661264, 1.7467807845149057),
		hill(4084.0988241060018, 1093.6200852201885, 2.9488117788197945)
	};
	double upper[5] = { 1060.7726282114652, 944.26112310480801, 1183.0904862721075,
			    244.83077101810309, 3471.256100409867 };
	struct alloc_channel ch[5];
	for (int i = 0; i < 5; i++)
		ch[i] = (struct alloc_channel){ "c", &curves[i], upper[i] / 2, 0, upper[i] };
	double spend[5], target = 0.5327751401931844;
	struct allocation a;
	char err[256];
	/* ROI does dip below the target on the way to 33. */
	assert_int_equal(allocate_max_response(ch, 5, 20, spend, &a, err, sizeof err), 0);
	assert_true((a.total_revenue - a.total_spend) / a.total_spend < target);
	/* Whatever the target, as long as the first units reach it (a
	 * review found 1.0-1.5 answered at 58-105, the others near zero:
	 * the step above zero was tried only when the scan's first total
	 * reached too). */
	const double targets[] = { target, 0.8, 1.0, 1.2, 1.5, 5, 100 };
	for (int t = 0; t < 7; t++) {
		assert_int_equal(allocate_target_roi(ch, 5, targets[t], spend, &a, err, sizeof err), 0);
		assert_true(a.total_spend > 0 && a.total_spend < 1e-6);
		assert_true((a.total_revenue - a.total_spend) / a.total_spend >= targets[t]);
	}
}

/* Random sets of 2-11 S-curves between half and twice their spend and
 * targets from 0.25 to 2.75: the scan rules totals out by weak duality
 * (the channels' replies to a price bound every split), which must never
 * rule out one that reaches: each answer reaches the target, no total of
 * a scan twice as fine below it does, and a target is refused only where
 * that scan finds none reaching. (From lower bounds of zero, a peak of
 * ROI narrower than the scan's step can hide between two of its totals,
 * the scan's own limit: five S-curves with a target of 0.25 answered
 * 278.86, before and after, where 228.2-245 reach.) */
static void test_target_roi_against_a_scan(void **state)
{
	(void)state;
	rng = 20261129;
	for (int set = 0; set < 20; set++) {
		int n = 2 + set % 10;
		struct response_curve curves[11];
		struct alloc_channel ch[11];
		double lo = 0, hi = 0;
		for (int i = 0; i < n; i++) {
			curves[i] = random_hill(1);
			double current = 100 + 900 * uniform();
			ch[i] = (struct alloc_channel){ "s", &curves[i], current, current / 2, 2 * current };
			lo += ch[i].lower, hi += ch[i].upper;
		}
		for (int t = 0; t < 6; t++) {
			double target = 0.25 + 0.5 * t, spend[11];
			struct allocation a;
			char err[256];
			if (allocate_target_roi(ch, n, target, spend, &a, err, sizeof err) != 0) {
				assert_false(a_scan_total_reaches(ch, n, target, lo, hi, 128));
				continue;
			}
			assert_true((a.total_revenue - a.total_spend) / a.total_spend >= target - 1e-12);
			/* spend[] is the answer's split, not the last one tried. */
			double sum = 0, revenue = 0;
			for (int i = 0; i < n; i++)
				sum += spend[i], revenue += curve_value(ch[i].curve, spend[i]);
			assert_true(fabs(sum - a.total_spend) <= 1e-9 * a.total_spend);
			assert_true(fabs(revenue - a.total_revenue) <= 1e-9 * a.total_revenue);
			assert_false(a_scan_total_reaches(ch, n, target, lo, a.total_spend * (1 - 1e-6), 128));
		}
	}
}


/* Random bounds around a curve's scale k: an S-curve's threshold can fall
 * below, inside or above them. */
static struct alloc_channel random_channel(const struct response_curve *c)
{
	double lower = uniform() < 0.5 ? 0 : 0.6 * c->k * uniform();
	return (struct alloc_channel){ "c", c, lower, lower, lower + (0.3 + 2 * uniform()) * c->k };
}

static double revenue_at(const struct alloc_channel *ch, int n, const double *spend)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += curve_value(ch[i].curve, spend[i]);
	return sum;
}

/* The best revenue over channel 0..n-2's spends on a grid of `steps`
 * intervals of their bounds (ends included), the last channel taking the
 * rest when its bounds allow: brute force over the simplex for n = 2, 3. */
static double brute_force(const struct alloc_channel *ch, int n, double total, int steps,
			  double *spend, int i)
{
	if (i == n - 1) {
		spend[i] = total;
		if (total < ch[i].lower - 1e-9 || total > ch[i].upper + 1e-9)
			return -HUGE_VAL;
		return revenue_at(ch, n, spend);
	}
	double best = -HUGE_VAL;
	for (int g = 0; g <= steps; g++) {
		spend[i] = ch[i].lower + (ch[i].upper - ch[i].lower) * g / steps;
		double r = brute_force(ch, n, total - spend[i], steps, spend, i + 1);
		best = r > best ? r : best;
	}
	return best;
}

/* The units of the grid brute force: every way to give channel 0..n-2 up to
 * `units` units and the last the rest, each channel's spend its lower bound
 * plus its units of step, capped at its upper bound. */
static double brute_units(const struct alloc_channel *ch, int n, int units, double step,
			  double *spend, int i)
{
	if (i == n - 1) {
		spend[i] = fmin(ch[i].lower + units * step, ch[i].upper);
		return revenue_at(ch, n, spend);
	}
	double best = -HUGE_VAL;
	for (int j = 0; j <= units; j++) {
		spend[i] = fmin(ch[i].lower + j * step, ch[i].upper);
		double r = brute_units(ch, n, units - j, step, spend, i + 1);
		best = r > best ? r : best;
	}
	return best;
}

/* A total drawn uniformly from the share from..to of the bounds' range
 * above the lower bounds' sum. */
static double random_total_within(const struct alloc_channel *ch, int n, double from, double to)
{
	double lo = 0, hi = 0;
	for (int i = 0; i < n; i++)
		lo += ch[i].lower, hi += ch[i].upper;
	return lo + (hi - lo) * (from + (to - from) * uniform());
}

static double random_total(const struct alloc_channel *ch, int n)
{
	return random_total_within(ch, n, 0, 1);
}

/* The shortfall (relative) of the split of total against the best split
 * on a grid of `units`; fails past tolerance. */
static double short_of_grid(const struct alloc_channel *ch, int n, double total, int units,
			    double tolerance)
{
	double spend[16], grid_spend[16], want;
	struct allocation a;
	char err[256];
	assert_true(n <= 16);
	assert_int_equal(allocate_max_response(ch, n, total, spend, &a, err, sizeof err), 0);
	assert_int_equal(allocate_grid_optimum(ch, n, total, units, grid_spend, &want, err, sizeof err), 0);
	if (a.total_revenue < want * (1 - tolerance))
		fail_msg("total %.3f: revenue %.9f, a grid of %d units finds %.9f", total, a.total_revenue,
			 units, want);
	return (want - a.total_revenue) / want;
}

/* The dynamic program finds the grid's optimum: the same revenue as trying
 * every split of the units, on small grids of 2-4 mixed channels. */
static void test_grid_optimum_matches_brute_force(void **state)
{
	(void)state;
	for (int trial = 0; trial < 60; trial++) {
		int n = 2 + trial % 3, units = 6 + (int)(uniform() * 20);
		struct response_curve curves[4];
		struct alloc_channel ch[4];
		for (int i = 0; i < n; i++) {
			curves[i] = random_hill(uniform() < 0.7);
			ch[i] = random_channel(&curves[i]);
		}
		double total = random_total(ch, n), lower = 0, spend[4], brute[4], revenue;
		for (int i = 0; i < n; i++)
			lower += ch[i].lower;
		char err[256];
		assert_int_equal(allocate_grid_optimum(ch, n, total, units, spend, &revenue, err, sizeof err), 0);
		double want = brute_units(ch, n, units, (total - lower) / units, brute, 0);
		if (fabs(revenue - want) > 1e-9 * want)
			fail_msg("trial %d: grid optimum %.9f, brute force %.9f", trial, revenue, want);
		assert_true(fabs(revenue_at(ch, n, spend) - revenue) <= 1e-9 * revenue);
		double sum = 0;
		for (int i = 0; i < n; i++) {
			assert_true(spend[i] >= ch[i].lower && spend[i] <= ch[i].upper);
			sum += spend[i];
		}
		assert_true(sum <= total + 1e-9 && sum >= total - n * (total - lower) / units);
	}
}

/* The split of total on n channels against brute force on a fine grid of
 * the simplex: never worse, and not better than it by more than that
 * grid's resolution can explain. Returns the shortfall (relative). */
static double against_brute_force(const struct response_curve *curves, const struct alloc_channel *ch,
				  int n, double total, int trial)
{
	int steps = n == 2 ? 20000 : 600;
	double spend[3], brute[3];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_max_response(ch, n, total, spend, &a, err, sizeof err), 0);
	double want = brute_force(ch, n, total, steps, brute, 0);
	double lipschitz = 0;
	for (int i = 0; i < n; i++) {
		double peak = fmax(curve_inflection(&curves[i]), ch[i].lower);
		lipschitz = fmax(lipschitz, curve_marginal(&curves[i], fmax(peak, 1e-9)));
	}
	double resolution = lipschitz * 3000.0 / steps * n;
	if (a.total_revenue < want - 1e-9 * want || a.total_revenue > want + resolution)
		fail_msg("trial %d (%d channels, total %.3f): %.9f, brute force %.9f", trial, n, total,
			 a.total_revenue, want);
	return (want - a.total_revenue) / want;
}

/* against_brute_force on 80 problems of 2-3 channels (the first S-shaped,
 * the others so 60% of the time) whose curves make() gives; returns the
 * worst shortfall. */
static double worst_against_brute_force(struct response_curve (*make)(int s_shaped))
{
	double worst = 0;
	for (int trial = 0; trial < 80; trial++) {
		int n = trial < 60 ? 2 : 3;
		struct response_curve curves[3];
		struct alloc_channel ch[3];
		for (int i = 0; i < n; i++) {
			curves[i] = make(i == 0 || uniform() < 0.6);
			ch[i] = random_channel(&curves[i]);
		}
		worst = fmax(worst, against_brute_force(curves, ch, n, random_total(ch, n), trial));
	}
	return worst;
}

/* The global optimum on 2-3 channels with S-curves. */
static void test_s_curves_match_brute_force(void **state)
{
	(void)state;
	print_message("worst shortfall against brute force: %.3g (relative)\n",
		      worst_against_brute_force(random_hill));
}

/* Totals just above the lower bounds' sum (a free budget of 0.1-5% of the
 * bounds' range), where the grid is coarser than elsewhere (grid_units):
 * 8 mixed channels, within 1e-5 of the best split on a grid of 1,000
 * units. A guard against gross loss there, not a measure of the grid: the
 * refinement recovers from a coarse grid nearly always (a grid forced to 1
 * unit fails this test; on these draws 8 and 16 units pass, and on 240
 * problems of S-shaped channels 16 units fell short once, by 2.4e-3; the
 * grid's rule has test_one_large_room_keeps_the_grid_fine). Two or three
 * channels would not do: the refinement alone finds their optimum from
 * however coarse a grid. Its own seed, so that the draws do not depend on
 * the tests before it, and the tests after it draw as if it had not run. */
static void test_s_curves_small_free_budget(void **state)
{
	(void)state;
	enum { N = 8 };
	double worst = 0;
	uint64_t shared = rng;
	rng = 0x9e3779b97f4a7c15ULL;
	for (int trial = 0; trial < 40; trial++) {
		struct response_curve curves[N];
		struct alloc_channel ch[N];
		for (int i = 0; i < N; i++) {
			curves[i] = random_hill(uniform() < 0.7);
			ch[i] = random_channel(&curves[i]);
		}
		double total = random_total_within(ch, N, 0.001, 0.05);
		worst = fmax(worst, short_of_grid(ch, N, total, 1000, 1e-5));
	}
	rng = shared;
	print_message("worst shortfall against the fine grid: %.3g (relative)\n", worst);
}

/* A review's case: fifteen S-curves, a free budget of 368, one channel's
 * room 13,767 and the others' 16-3,210. Counting each room whole (up to
 * the total) had coarsened the grid to 64 units, which gave the whole free
 * budget to one large channel and left the fourteen others at their lower
 * bounds: 2,643.42 where a grid of 3,000 units finds 2,654.99 (and the
 * allocator now 2,655.22, funding seven). */
static void test_one_large_room_keeps_the_grid_fine(void **state)
{
	(void)state;
	enum { N = 15 };
	static const double curve[N][3] = {
		{ 429.735899, 78.636348, 1.923739 },   { 263.039630, 117.648484, 2.234782 },
		{ 4476.547034, 1276.774858, 2.861083 }, { 3291.868971, 797.434815, 2.815792 },
		{ 107.504537, 159.524622, 1.414354 },   { 695.779095, 498.233466, 2.118313 },
		{ 66.072384, 91.619571, 1.917261 },     { 346.425089, 104.842036, 2.508197 },
		{ 13188.361614, 1544.570994, 1.736704 }, { 2937.667059, 1093.246867, 2.557504 },
		{ 394.606308, 117.185615, 2.728406 },   { 1308.962350, 166.267737, 2.970921 },
		{ 2031.480343, 462.322174, 2.678160 },  { 767.387513, 451.976573, 3 },
		{ 294.586293, 54.564125, 2.642794 },
	};
	static const double bound[N][2] = {
		{ 6.875979, 32.840945 },   { 13.737515, 104.035404 }, { 0, 13767.076028 },
		{ 498.604879, 648.002514 }, { 41.984024, 774.664874 }, { 105.004456, 432.364668 },
		{ 17.246976, 279.754122 }, { 64.676260, 112.111904 }, { 0, 3210.360585 },
		{ 722.233365, 1144.562874 }, { 54.004222, 70.205080 }, { 7.304421, 86.500354 },
		{ 9.766495, 1397.757566 }, { 19.114204, 65.049313 }, { 19.016886, 57.358046 },
	};
	struct response_curve curves[N];
	struct alloc_channel ch[N];
	for (int i = 0; i < N; i++) {
		curves[i] = hill(curve[i][0], curve[i][1], curve[i][2]);
		ch[i] = (struct alloc_channel){ "c", &curves[i], bound[i][0], bound[i][0], bound[i][1] };
	}
	short_of_grid(ch, N, 1947.415568, 3000, 1e-9);
}

/*
 * KKT at the refined point: equal marginals among the channels inside
 * their bounds on a concave part, no smaller marginal at an upper bound,
 * no larger one at a lower bound where the curve is concave; at most one
 * channel inside a convex part, and its marginal too is the common one;
 * the reported multiplier is the common marginal. Returns whether a
 * channel was left inside a convex part.
 */
static int assert_kkt(const struct response_curve *curves, const struct alloc_channel *ch, int n,
		      double total, const double *spend, const struct allocation *a, int trial)
{
	double sum = 0, mu = -1;
	int in_convex = 0, convex = -1;
	for (int i = 0; i < n; i++) {
		sum += spend[i];
		assert_true(spend[i] >= ch[i].lower && spend[i] <= ch[i].upper);
		double inflection = curve_inflection(&curves[i]);
		int inside = spend[i] > ch[i].lower + 1e-6 && spend[i] < ch[i].upper - 1e-6;
		if (inside && spend[i] < inflection - 1e-6)
			in_convex++, convex = i;
		if (!inside || spend[i] < inflection - 1e-6)
			continue;
		double m = curve_marginal(&curves[i], spend[i]);
		if (mu < 0)
			mu = m;
		else if (fabs(m - mu) > 1e-6 * mu)
			fail_msg("trial %d: interior marginals differ: %.9f and %.9f", trial, m, mu);
	}
	assert_true(fabs(sum - total) <= 1e-9 * (total + 1));
	if (in_convex > 1)
		fail_msg("trial %d: %d channels inside a convex part", trial, in_convex);
	if (mu < 0)
		return convex >= 0;
	assert_true(fabs(a->multiplier - mu) <= 1e-6 * mu);
	if (convex >= 0 && fabs(curve_marginal(&curves[convex], spend[convex]) - mu) > 1e-6 * mu)
		fail_msg("trial %d: the channel inside a convex part has marginal %.9f, the others %.9f",
			 trial, curve_marginal(&curves[convex], spend[convex]), mu);
	for (int i = 0; i < n; i++) {
		double m = curve_marginal(&curves[i], spend[i]);
		/* Just inside the bound: a concave Hill curve's marginal grows
		 * without limit toward zero spend, so a channel with alpha near 1
		 * at a lower bound of 0 earns more than mu only on its first
		 * 1e-10 or so. */
		double inward = curve_marginal(&curves[i], ch[i].lower + 1e-6 * (ch[i].upper - ch[i].lower));
		int movable = ch[i].upper > ch[i].lower + 1e-6;
		if (movable && spend[i] >= ch[i].upper - 1e-6 && spend[i] >= curve_inflection(&curves[i]))
			assert_true(m >= mu * (1 - 1e-6));
		if (movable && spend[i] <= ch[i].lower + 1e-6 && curve_inflection(&curves[i]) <= ch[i].lower)
			assert_true(inward <= mu * (1 + 1e-6));
	}
	return convex >= 0;
}

static void test_s_curves_kkt(void **state)
{
	(void)state;
	enum { N = 8 };
	int convex_seen = 0;
	for (int trial = 0; trial < 300; trial++) {
		struct response_curve curves[N];
		struct alloc_channel ch[N];
		for (int i = 0; i < N; i++) {
			curves[i] = random_hill(i % 4 != 3);
			ch[i] = random_channel(&curves[i]);
		}
		double total = random_total(ch, N), spend[N];
		struct allocation a;
		char err[256];
		assert_int_equal(allocate_max_response(ch, N, total, spend, &a, err, sizeof err), 0);
		convex_seen += assert_kkt(curves, ch, N, total, spend, &a, trial);
	}
	print_message("%d of 300 splits had a channel inside a convex part\n", convex_seen);
}

/* A Hill channel from a row { beta, k, alpha, lower, upper }, spending
 * its lower bound now. */
static void channel_of(const double *row, struct response_curve *curve, struct alloc_channel *ch)
{
	*curve = hill(row[0], row[1], row[2]);
	*ch = (struct alloc_channel){ "c", curve, row[3], row[3], row[4] };
}

/*
 * Splits the random trials above missed on other streams of their
 * generator, before the refinement exchanged money between convex parts:
 * (1) a channel convex over all its bounds left a fraction of a grid unit
 * short of its upper bound beside another inside its convex part (0.43
 * below brute force); (2) a channel put at its inflection, where its
 * marginal peaks below the others', not moved down its convex part; (3) a
 * channel on its convex part kept from the 0.035 another had above its
 * lower bound, as the Newton step, too long, crossed into a worse regime;
 * (4) below, found by a stress run of thousands of random problems.
 */

/* Channels of Hill curves given as {beta, k, alpha, lower, upper}, split
 * for total: the split meets the KKT conditions. */
static void assert_kkt_of(const double (*rows)[5], int n, double total, int trial)
{
	struct response_curve curves[20];
	struct alloc_channel ch[20];
	double spend[20];
	struct allocation a;
	char err[256];
	for (int i = 0; i < n; i++)
		channel_of(rows[i], &curves[i], &ch[i]);
	assert_int_equal(allocate_max_response(ch, n, total, spend, &a, err, sizeof err), 0);
	assert_kkt(curves, ch, n, total, spend, &a, trial);
}

/* The split of rows[n] (as assert_kkt_of) earns at least what the grid's
 * best of `units` units does. */
static void assert_above_grid_of(const double (*rows)[5], int n, double total, int units)
{
	struct response_curve curves[20];
	struct alloc_channel ch[20];
	double spend[20], grid_spend[20], grid_revenue;
	struct allocation a;
	char err[256];
	for (int i = 0; i < n; i++)
		channel_of(rows[i], &curves[i], &ch[i]);
	assert_int_equal(allocate_max_response(ch, n, total, spend, &a, err, sizeof err), 0);
	assert_int_equal(allocate_grid_optimum(ch, n, total, units, grid_spend, &grid_revenue, err,
					       sizeof err), 0);
	if (a.total_revenue < grid_revenue - 1e-9 * grid_revenue)
		fail_msg("%d channels: %.9f, the %d-unit grid %.9f", n, a.total_revenue, units,
			 grid_revenue);
}

static void test_s_curves_found_elsewhere(void **state)
{
	(void)state;
	struct response_curve two[2] = { hill(4289.1664, 542.1011, 2.3159), hill(3490.3912, 922.7852, 1.6924) };
	struct alloc_channel ch2[2] = { { "a", &two[0], 33.7428, 33.7428, 265.8665 },
					{ "b", &two[1], 0, 0, 1848.7234 } };
	double spend2[2], brute[2];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_max_response(ch2, 2, 440.744, spend2, &a, err, sizeof err), 0);
	double want = brute_force(ch2, 2, 440.744, 200000, brute, 0);
	if (a.total_revenue < want - 1e-9 * want)
		fail_msg("two S-curves: %.9f, brute force %.9f", a.total_revenue, want);

	static const double eight[2][8][5] = { /* beta, k, alpha, lower, upper */
		{ { 1807.4332, 873.8982, 1.6014, 0, 1652.8205 }, { 2757.2304, 480.6805, 2.7156, 0, 648.8006 },
		  { 1568.9242, 253.2688, 2.1548, 124.3025, 251.3969 }, { 2244.0524, 860.0041, 0.6407, 302.8427, 2129.8430 },
		  { 2281.1731, 833.6109, 1.9456, 125.8023, 769.6806 }, { 639.2667, 301.0637, 2.6838, 147.5721, 275.4241 },
		  { 1432.2655, 185.1309, 2.5183, 0, 359.4240 }, { 1455.1458, 253.7297, 0.7031, 132.7511, 316.6198 } },
		{ { 3598.7461, 549.9809, 2.3884, 0, 968.5925 }, { 1469.4009, 202.8298, 2.7203, 0, 63.0694 },
		  { 1434.5416, 433.6087, 1.6015, 71.2024, 653.4921 }, { 2969.7383, 637.6442, 0.5375, 275.9840, 541.0095 },
		  { 745.3616, 355.2580, 1.5662, 0, 144.8692 }, { 1759.4332, 232.8512, 1.7457, 0, 268.0830 },
		  { 3345.4439, 902.3327, 2.4098, 535.2521, 2593.3792 }, { 1376.8277, 445.2196, 0.6175, 233.5051, 569.7440 } },
	};
	static const double totals[2] = { 3151.1841, 1395.1910 };
	for (int t = 0; t < 2; t++)
		assert_kkt_of(eight[t], 8, totals[t], t);
	/* (4) a channel the solve left a rounding (7e-7) above its inflection,
	 * its marginal 1.47 against the others' 1.86: 0.83 of revenue lost. */
	static const double eighteen[18][5] = {
		{ 1348.515048335684, 573.15727318808285, 1.7972534190211493, 282.97866660692671, 506.86982230635408 },
		{ 2745.4778304517104, 720.05255307490143, 2.0507630749556185, 420.4576824156992, 615.07124191125092 },
		{ 2515.2001026332559, 330.0810529833567, 3.0565798603461189, 158.55630706177581, 851.73556184888787 },
		{ 533.50152548738447, 134.67920459207036, 2.3659655345384452, 0, 179.91822377001543 },
		{ 4281.5484795873053, 971.61327453130332, 0.87598427892794772, 0, 1349.5654908561839 },
		{ 3879.9769679434135, 971.05681746138464, 0.97677812300866595, 0, 511.01910241912884 },
		{ 3853.9088745330068, 624.19755407093305, 2.5610426660911241, 310.14937664328608, 310.14937664328608 },
		{ 3391.9605651267334, 656.23590677179936, 3.4036298570489603, 533.67185551781472, 645.60615539378341 },
		{ 1167.5244660135784, 204.80304505339006, 3.4877055593614701, 47.503224253103568, 262.084379754905 },
		{ 1656.7764223679922, 418.97899976508995, 0.62196661357954874, 0, 453.44557554329356 },
		{ 1505.1277740489054, 329.83255624954404, 0.58061705278710285, 142.4537635957783, 299.54541925062551 },
		{ 3765.0796948655202, 538.66934306877624, 1.9233043915276022, 80.434277348351429, 1220.5545059007686 },
		{ 6171.726935852942, 869.30956519300594, 2.4050059631764715, 28.532265199625567, 893.08963346825419 },
		{ 1271.8874513317728, 510.88934244721105, 1.7361164928315547, 0, 222.77700738177299 },
		{ 3507.729021420088, 849.31783353800404, 0.77609072386140054, 0, 662.83467483166089 },
		{ 4223.7584849367995, 839.70875452657697, 3.1120398030565353, 190.93676280828595, 1747.2382712788644 },
		{ 1954.8757357578324, 933.72249696233598, 1.3528884024083894, 382.2029413466762, 1149.4437041106003 },
		{ 1689.0134265301383, 700.86603150695294, 0.72493106796754603, 0, 972.93389905237837 },
	};
	assert_kkt_of(eighteen, 18, 7762.037009743045, 2);
	/* (5) a channel at its inflection (138.925 of 138.951) with marginal
	 * 4.73 against the others' 1.64, fixed there by a rounding below it:
	 * it belongs at its upper bound. */
	static const double seventeen[17][5] = {
		{ 4541.711937800842, 752.40125412923533, 2.5139782636455399, 512.69298869954025, 999.05465728548552 },
		{ 2410.4062343014821, 986.39788192956814, 2.9143747736943828, 727.47145890434842, 975.75305147585448 },
		{ 737.45423531449546, 273.71127349418441, 0.6495626492826273, 0, 342.66946914614812 },
		{ 400.06005314649531, 148.05969804573363, 2.8837271284694048, 69.600703623501786, 195.65081054064376 },
		{ 4440.9524378140932, 761.50787300128979, 0.7696992173645355, 0, 247.73422213409933 },
		{ 3263.1246830634036, 587.14184744474733, 2.4287830425140786, 207.71755670629034, 412.04414135659169 },
		{ 4344.7215858473082, 983.85877729793333, 1.201590728030034, 251.74835436459441, 2302.0631075400242 },
		{ 1030.6901918368142, 263.86380683667261, 3.3282015215843548, 7.6840316687172878, 408.32165766928381 },
		{ 2547.0452699319853, 724.13420427261349, 0.73919496544121943, 0, 1619.9806286269604 },
		{ 4988.8020654910724, 781.24807646595798, 2.3545369332537875, 0, 406.58197160145124 },
		{ 2959.1813672192793, 380.8539056473254, 1.5380920247719729, 0, 138.95063906464901 },
		{ 1500.8681648632519, 436.19946893369195, 2.6262524432579362, 0, 397.71980884145358 },
		{ 2224.6683942263985, 557.17895581127163, 3.4298105750347965, 0, 192.81935463411321 },
		{ 3270.0372356520179, 989.43872802529313, 3.413055965545694, 23.12122427073378, 2144.1686060563825 },
		{ 4516.6860735837354, 817.93067732856116, 2.5657428081148907, 0, 529.14590701581653 },
		{ 2018.46853395537, 737.96141042409818, 2.8172333115897246, 309.55850677654496, 874.93293361705628 },
		{ 1819.8515151488025, 519.58689005464237, 0.80501835032388303, 19.838507844356169, 1044.5399583612198 },
	};
	assert_kkt_of(seventeen, 17, 6387.625456016548, 3);
	/* (6) a local optimum 0.58 of revenue below a 400-unit grid's split:
	 * the channel on its convex part had to be tried on its concave one. */
	static const double eleven[11][5] = {
		{ 794.76131060097339, 130.0760123130203, 0.88423191924876832, 0, 70.634778974184343 },
		{ 4042.6558787653698, 675.75614717156498, 1.3092474854769345, 0, 1206.2150773918063 },
		{ 1037.4585866592627, 236.4093431533569, 2.0822076236008837, 36.592291308588045, 305.85491135891289 },
		{ 1672.5363839751803, 310.72947814322532, 3.2091193874038244, 0, 196.81289253616234 },
		{ 1123.914275658449, 441.71992882321939, 2.2758430276750263, 297.60780168202007, 722.37209244065878 },
		{ 862.4064878663695, 380.60047711624514, 2.9408339650203437, 82.590204942577984, 504.60621988041311 },
		{ 2963.2793021949765, 435.33165194125024, 0.84199622318158751, 0, 387.01711987478933 },
		{ 696.30346418489444, 330.20439781169358, 1.6844937070013979, 0, 439.38522006347142 },
		{ 2952.3969073104813, 846.44559728721038, 1.7864718039286367, 63.816555390809754, 1473.5257744024641 },
		{ 2259.5090712867391, 810.62332393901784, 2.2960839644991413, 0, 1621.7451030770651 },
		{ 1560.4458991950182, 462.04164112788686, 3.3084659094281927, 0, 879.34464240445561 },
	};
	assert_above_grid_of(eleven, 11, 3623.5062483969509, 400);
	/* (7) the 200-unit grid funds one S-curve channel (625 of 1,172) where
	 * funding another from its lower bound instead earns 2.1 more: 1.1
	 * below the 400-unit grid's split. */
	static const double seventeen_b[17][5] = {
		{ 1372.9249763232356, 327.7399492964928, 2.0691292464938407, 0, 468.67361491800011 },
		{ 5940.8107660746118, 915.49279880730307, 1.911013094204792, 521.32420516028208, 1483.6965681355607 },
		{ 1566.0244724611807, 420.28427199162735, 0.61382062172070784, 32.208970477782515, 410.56313529066142 },
		{ 937.94210868174116, 143.65661080153347, 3.1740416976739572, 78.769879398000654, 202.95957442097475 },
		{ 2191.727733291656, 777.6680767113005, 3.1279605976669855, 333.05886105368921, 1242.6860712089924 },
		{ 2229.6681289733338, 318.70431642956737, 3.253314477605477, 0, 475.93289388478121 },
		{ 3782.2815381709452, 517.5429520045077, 1.2876456660679314, 261.14490492181892, 1137.0283785041163 },
		{ 3142.1708638069485, 543.47300168417564, 2.5867879849226267, 0, 1172.0600730457757 },
		{ 1208.372466269712, 369.51087189223205, 3.2051184064117195, 23.388531900185956, 457.83774533629332 },
		{ 4968.4558424264796, 747.72827657007542, 1.8544036783901932, 0, 1179.6157475793741 },
		{ 1695.848656792157, 287.52334348660514, 0.7484560752820324, 8.010912991061959, 251.22276261416468 },
		{ 1558.9595578780406, 238.83158045964828, 1.8608853524691893, 12.874347021329942, 362.44804501844908 },
		{ 5754.2446249815839, 847.7167802654468, 2.6126150926026903, 0, 1875.2918661102626 },
		{ 1703.4296011011545, 442.98638204285913, 2.3429047353687791, 184.62831495200496, 830.33916518969215 },
		{ 1971.3461747060333, 464.30238578622937, 0.81619238018303419, 18.092960144859493, 922.05305047351919 },
		{ 1351.5107103901091, 267.53211722798551, 1.2154058752894819, 11.56392397222487, 383.05746925159735 },
		{ 1748.4864863287676, 411.58448098907962, 2.4317116649179376, 230.01306843737842, 420.54793260887203 },
	};
	assert_above_grid_of(seventeen_b, 17, 5636.9491184243561, 400);
	/* (8) a tight total: one channel inside its convex part holds what the
	 * rest cannot take, its marginal 4.82 against the multiplier 6.45; the
	 * two that answer the multiplier have 18.4 of room between them, and
	 * taking all of it overshoots (0.71 of revenue lost). */
	static const double eighteen_b[18][5] = {
		{ 2835.2512010830142, 442.11242402591301, 2.5192515372775333, 12.3375675723622, 784.53334131483166 },
		{ 652.40652078216317, 291.50452702684731, 2.0668578072902948, 165.63712058711315, 320.68145834459028 },
		{ 5112.1492584537446, 962.36109473438194, 3.4824739418781299, 544.38618397899529, 1316.1751715781875 },
		{ 2128.7431574042671, 506.84834534335272, 2.0822529787522712, 18.208866536217165, 982.74011852677165 },
		{ 3083.8904421035909, 431.19065662153275, 3.3681761906302734, 221.27809014981787, 393.82486217226131 },
		{ 2514.5239787016985, 975.18918440324751, 3.3003556561399634, 519.22223479043475, 878.18741928351244 },
		{ 1363.3239770046018, 350.35486084367108, 1.3697148005606632, 193.00695146058425, 932.69136726048112 },
		{ 1904.630287808111, 357.71751911444312, 1.6291038421466113, 21.392296602760542, 712.43051343061086 },
		{ 4276.7103425119085, 877.84664457690303, 2.9705162207950151, 137.03390513970089, 1083.6524036975966 },
		{ 1857.3299095691084, 518.98862008657568, 2.3809800236006842, 0, 1060.2162577317504 },
		{ 4498.2521326325914, 702.31544967527032, 1.8754821062773974, 115.07615456487973, 663.87381220475766 },
		{ 3872.0636387238264, 607.89155166945295, 2.0326155364506517, 228.68505899974713, 514.06951028160802 },
		{ 1835.9151091187307, 640.06172658896526, 1.3333846390829016, 145.0502302229132, 483.64473320082107 },
		{ 2161.4148714674679, 693.79286902897366, 0.93885884767143102, 0, 18.03151012761094 },
		{ 542.30377368456311, 216.97564050396511, 1.3695319748458976, 24.601134833864119, 194.74494717142045 },
		{ 785.8408278563802, 219.43864921788833, 1.9513695540418547, 130.49279505110738, 545.37243072762237 },
		{ 4857.9185179293181, 745.25645735706166, 2.7288669680768112, 300.59899071185652, 1040.9305855218213 },
		{ 3144.2996501525968, 608.19449732511498, 0.56168941768707392, 361.80076179658272, 1757.0794273112676 },
	};
	assert_kkt_of(eighteen_b, 18, 3483.1043146208376, 4);
	/* (9) twenty channels all convex over their bounds, so no multiplier:
	 * one (2) left inside its convex part where another (19) at its lower
	 * bound should have had the money, 15 of revenue below the grid. */
	static const double twenty[20][5] = {
		{ 5991.7610506266692, 816.49160907421435, 1.3038976989227369, 0.30560015394130807, 52.152940991916161 },
		{ 5519.7028679247032, 926.62548906013046, 1.8738675913054124, 0, 172.47893460025188 },
		{ 569.6413328094784, 180.45037150325061, 2.3372495049866231, 8.3018083874469095, 68.393655049255813 },
		{ 1425.1688038290445, 431.55409852960821, 3.4685103902542176, 0, 248.15379909415853 },
		{ 3443.2914929755934, 595.75623612249001, 2.1571158230965515, 50.103542976241393, 280.10263821344546 },
		{ 2656.8970973329574, 346.45684081524882, 2.3518385248831737, 14.153298921391208, 16.244080217354323 },
		{ 4242.0799742445979, 585.72680661408253, 2.2825408949009045, 80.322088751691766, 345.61250031757686 },
		{ 1165.4229966179118, 350.05636325132571, 3.1374989728092992, 0, 48.759609704089826 },
		{ 4024.4092134305974, 773.26542409349713, 3.1602501742081994, 0, 376.83131841120468 },
		{ 1365.8345931537992, 546.48295613993298, 3.096867292618338, 0, 433.47012931392567 },
		{ 1923.8316570157085, 748.04604650907299, 2.8893987997089878, 0, 260.41657485929954 },
		{ 3172.4826281196292, 669.37598753497002, 1.7193839065313892, 0, 102.17554837136429 },
		{ 3262.0926283884432, 673.58253942138276, 2.7974377694516255, 0, 2.9499852944917997 },
		{ 3564.5410668234695, 520.57304630089448, 3.1713295885069668, 0, 383.3082394573072 },
		{ 3422.2417005453658, 751.04691300610534, 1.4388209731284225, 32.936135761178498, 211.02895283721384 },
		{ 2184.708694259853, 421.73967529003124, 3.1642690149360222, 69.328033253347783, 147.56936207965322 },
		{ 2274.4425377248772, 834.10080449983991, 3.1315494460162516, 91.631330719998502, 669.26589972143245 },
		{ 3376.8469388707945, 615.95223820212823, 2.7338963496495809, 92.088576118747326, 123.91436730132548 },
		{ 1068.1942396372644, 136.62064674132068, 1.8941471290361549, 8.1430394672780029, 35.566397476389966 },
		{ 530.4771478616675, 128.90485233143963, 3.0628703227047067, 18.754649769595218, 67.233246014649282 },
	};
	assert_above_grid_of(twenty, 20, 3205.7991438746767, 400);
	/* (10) a channel inside its convex part whose one partner, a concave
	 * curve (alpha 0.9), sits at zero spend with a marginal far above its
	 * own: it was no partner (at a bound), then Newton's step, under that
	 * curve's near-infinite curvature, was far too short (0.19 lost). */
	static const double three[3][5] = {
		{ 985.61522456028251, 425.89401429451539, 2.3703515047609081, 142.4659420870212, 407.50065802076944 },
		{ 6049.4700185322308, 830.56894721771607, 2.688456221207328, 34.026519044104731, 1849.6668291615858 },
		{ 1486.8284154371756, 602.75200021501996, 0.8968301559582943, 0, 799.80138616063391 },
	};
	assert_above_grid_of(three, 3, 578.95682407040465, 4000);
	/* (11) funding a channel convex over all its bounds (0 -> its upper
	 * bound, 399.6) leaves the one channel past its threshold 6 short of
	 * its inflection; it belongs just below it (572 of 578.2), which no
	 * regime tried (0.82 lost). */
	static const double three_b[3][5] = {
		{ 3395.6633370849208, 876.61038552029038, 2.2711376588511096, 396.41511738703332, 1694.3621846824692 },
		{ 3524.6891278101853, 530.04334052421211, 3.4666128827435205, 0, 399.61934776749672 },
		{ 4780.2708372697198, 695.66717370590754, 1.7182732433054526, 14.414955997377762, 286.15963928355347 },
	};
	assert_above_grid_of(three_b, 3, 1257.7959639562864, 4000);
}

/*
 * A steep power law a rounding from the multiplier beside an S-curve
 * channel inside its convex part (found by a review): the move of the
 * S-curve channel to where its marginal meets the others' had counted the
 * power law's whole room as what the others could take, though its
 * marginal falls so steeply that it takes almost none of the step; the
 * move was given up 0.15% short. Brute force on a 4,000-step grid of the
 * two free channels: 18,523.32.
 */
static void test_steep_partner_room(void **state)
{
	(void)state;
	struct response_curve curves[3] = {
		{ .kind = CURVE_POWER, .a = 0.54230023041285802, .b = 0.14214136629181987 },
		{ .kind = CURVE_HILL, .beta = 57064.841818961489, .k = 848.99113508837593,
		  .alpha = 2.7429820386341297 },
		{ .kind = CURVE_HILL, .beta = 24606.58302357588, .k = 125.90750573369267, .alpha = 1 },
	};
	struct alloc_channel ch[3] = { { "p", &curves[0], 1, 0, 658.16817750766575 },
				       { "s", &curves[1], 1, 92.773299861713269, 1334.0787637075598 },
				       { "h", &curves[2], 1, 0, 47.918801005754837 } };
	double spend[3];
	struct allocation a;
	char err[200];
	assert_int_equal(allocate_max_response(ch, 3, 566.74706561830976, spend, &a, err, sizeof err), 0);
	print_message("revenue %.4f at %.4f %.4f %.4f\n", a.total_revenue, spend[0], spend[1], spend[2]);
	assert_true(a.total_revenue >= 18523.32);
}

/* Channels without a curve, their bounds set by the caller, among twenty:
 * the grid's leftover once went to the first channel with room, one
 * without a curve (89.7 spent on nothing, 43 of revenue below the grid).
 * Such a channel stays at its lower bound when the others can hold the
 * total, and the split is at least the grid's. */
static void test_s_curves_beside_no_curve(void **state)
{
	(void)state;
	static const double rows[20][6] = { /* has a curve, beta, k, alpha, lower, upper */
		{ 0, 2797.2315321342917, 767.71500684580087, 0.89418923966822839, 8.5334141783964164, 1466.9989206336984 },
		{ 0, 1093.5717312926315, 293.28622813208312, 0.6933551012355722, 0, 558.39100429464349 },
		{ 0, 2165.9258758826131, 947.92179240417067, 3.1081805460573455, 0, 1202.5486182622706 },
		{ 1, 1827.6964312590176, 536.24702939053964, 0.58553408425766107, 21.28632815772281, 971.58007140911366 },
		{ 1, 354.10859855088205, 125.18353623156027, 1.9559150210788796, 65.605716459284395, 332.65323941318462 },
		{ 1, 5564.0638260292499, 730.1336271871055, 0.81867956721048118, 312.5911830115835, 1765.4022937426816 },
		{ 0, 1410.5812735341865, 602.7608507338507, 0.61878794998134412, 245.03144366734372, 765.36247625531303 },
		{ 0, 853.85258329161559, 212.70162048408872, 1.5710022503433023, 50.870476256334996, 293.51096303687495 },
		{ 1, 3996.5932781817237, 589.36621440154818, 2.821876461566978, 0, 242.08203188209305 },
		{ 0, 2586.6634199027526, 386.21706634105601, 1.6061718166680925, 195.94164022807158, 324.03172193266994 },
		{ 1, 2045.9876807323983, 613.19878704071687, 3.0280906890476524, 313.99107327349986, 786.8288362519047 },
		{ 1, 1841.3667916352324, 514.55862770860244, 1.2703447370836352, 181.49510525274184, 955.12179319420807 },
		{ 0, 1266.2365480816704, 158.81255854963513, 3.2075397077348962, 0, 351.38149784815886 },
		{ 0, 1919.465369446744, 413.72269218973975, 3.1404501947564221, 43.986196075544363, 698.99136628603833 },
		{ 1, 3141.8562956250853, 648.14582086118708, 2.0505951594956122, 0, 1294.1122956077813 },
		{ 1, 2726.8842261091472, 706.32758900367685, 2.6027876761742386, 0, 1586.391177866816 },
		{ 1, 1499.2926836078775, 576.24567218123252, 1.8899516121906927, 307.78885433115079, 737.0258233880063 },
		{ 1, 3641.9888718681682, 684.71124960182124, 1.8811450063214679, 0, 677.0677068838429 },
		{ 1, 1545.1017948710514, 439.81521402382685, 2.2535840033947974, 189.08469486895268, 590.50253262423507 },
		{ 0, 6605.612285970501, 998.67522957511221, 2.6191265386167859, 534.74264199731442, 1521.0112360488993 },
	};
	struct response_curve curves[20];
	struct alloc_channel ch[20];
	double spend[20], grid_spend[20], grid_revenue, total = 10126.937212007215;
	struct allocation a;
	char err[256];
	for (int i = 0; i < 20; i++) {
		channel_of(rows[i] + 1, &curves[i], &ch[i]);
		curves[i].kind = rows[i][0] ? CURVE_HILL : CURVE_NONE;
	}
	assert_int_equal(allocate_max_response(ch, 20, total, spend, &a, err, sizeof err), 0);
	assert_int_equal(allocate_grid_optimum(ch, 20, total, 400, grid_spend, &grid_revenue, err,
					       sizeof err), 0);
	for (int i = 0; i < 20; i++)
		if (curves[i].kind == CURVE_NONE && spend[i] > ch[i].lower + 1e-6)
			fail_msg("channel %d without a curve: %.6f above its lower bound %.6f", i,
				 spend[i], ch[i].lower);
	if (a.total_revenue < grid_revenue - 1e-9 * grid_revenue)
		fail_msg("%.9f, the 400-unit grid %.9f", a.total_revenue, grid_revenue);
}

/* Properties with S-curves: revenue never falls as the total rises; bounds
 * hold; a frozen channel keeps its spend; a channel without a curve stays
 * at its minimum; the sum of the lower bounds puts everyone there. */
static void test_s_curves_properties(void **state)
{
	(void)state;
	enum { N = 6 };
	struct response_curve curves[N] = { hill(4000, 500, 2.5), hill(3000, 300, 0.8),
					    hill(6000, 900, 3),   hill(2500, 200, 1.6),
					    hill(2000, 250, 2),   { .kind = CURVE_NONE } };
	struct alloc_channel ch[N];
	for (int i = 0; i < N; i++)
		ch[i] = (struct alloc_channel){ "c", &curves[i], 400, 0, 0 };
	int frozen[N] = { 0, 0, 0, 0, 1, 0 };
	struct bound_rules rules = { 0.25, 3, frozen, NULL, NULL, NULL };
	allocate_bounds(ch, N, &rules);
	double lower = 0, upper = 0, spend[N], prev = -HUGE_VAL;
	for (int i = 0; i < N; i++)
		lower += ch[i].lower, upper += ch[i].upper;
	struct allocation a;
	char err[256];
	for (double total = lower; total <= upper; total += (upper - lower) / 150) {
		assert_int_equal(allocate_max_response(ch, N, total, spend, &a, err, sizeof err), 0);
		double sum = 0;
		for (int i = 0; i < N; i++) {
			assert_true(spend[i] >= ch[i].lower && spend[i] <= ch[i].upper);
			sum += spend[i];
		}
		assert_true(fabs(sum - total) <= 1e-9 * total);
		assert_true(spend[4] == 400); /* frozen */
		assert_true(spend[5] == 100); /* no curve: its minimum */
		if (a.total_revenue < prev - 1e-9 * prev)
			fail_msg("total %.2f: revenue %.6f below %.6f at a smaller total", total,
				 a.total_revenue, prev);
		prev = a.total_revenue;
	}
	assert_int_equal(allocate_max_response(ch, N, lower, spend, &a, err, sizeof err), 0);
	for (int i = 0; i < N; i++)
		assert_true(fabs(spend[i] - ch[i].lower) <= 1e-9 * lower);
	assert_int_equal(allocate_max_response(ch, N, lower - 1, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "below the sum of the channels' lower bounds"));
	assert_int_equal(allocate_max_response(ch, N, upper + 1, spend, &a, err, sizeof err), -1);
	assert_non_null(strstr(err, "above the sum of the channels' upper bounds"));
}

/*
 * A channel below its S-curve threshold is funded past it or left at its
 * lower bound, never in between when that loses money: an S-curve with a
 * high threshold (inflection 635) beside a concave channel, over totals
 * from nothing to everything, against brute force (over the S channel's
 * spend, its lower bound included). Where it is left in between (the
 * concave channel's first money is worth so much that the rest is best
 * parked on the S-curve's rising part, or the total forces it), that split
 * must beat both the S channel at its lower bound and funded past its
 * threshold.
 */
static void test_s_curve_threshold(void **state)
{
	(void)state;
	struct response_curve curves[2] = { hill(9000, 800, 3), hill(3000, 400, 0.7) };
	double inflection = curve_inflection(&curves[0]);
	assert_true(fabs(inflection - 800 * cbrt(0.5)) < 1e-9);
	for (int floor = 0; floor < 2; floor++) {
		struct alloc_channel ch[2] = { { "threshold", &curves[0], 500, floor ? 150 : 0, 2000 },
					       { "steady", &curves[1], 500, 0, 1500 } };
		int funded = 0, off = 0, between = 0;
		for (double total = ch[0].lower; total <= 3500; total += 25) {
			double spend[2], brute[2];
			struct allocation a;
			char err[256];
			assert_int_equal(allocate_max_response(ch, 2, total, spend, &a, err, sizeof err), 0);
			double want = brute_force(ch, 2, total, 30000, brute, 0);
			if (a.total_revenue < want - 1e-9 * want)
				fail_msg("total %.0f: %.9f, brute force %.9f", total, a.total_revenue, want);
			funded += spend[0] >= inflection - 1e-6;
			off += spend[0] <= ch[0].lower + 1e-6;
			if (spend[0] <= ch[0].lower + 1e-6 || spend[0] >= inflection - 1e-6)
				continue;
			between++;
			double rest = total - ch[0].lower;
			if (rest <= ch[1].upper) /* at its lower bound, the other channel taking the rest */
				assert_true(a.total_revenue >= curve_value(&curves[0], ch[0].lower) +
								curve_value(&curves[1], rest));
			for (double s = inflection; s <= ch[0].upper; s += 0.5) /* funded past it */
				if (total - s >= 0 && total - s <= ch[1].upper)
					assert_true(a.total_revenue >= curve_value(&curves[0], s) +
									curve_value(&curves[1], total - s) - 1e-9);
		}
		assert_true(funded > 0 && off > 0); /* both regimes occur */
		print_message("lower bound %.0f: %d totals funded past the threshold, %d at the "
			      "lower bound, %d in between\n", ch[0].lower, funded, off, between);
	}
}

/* All the money forced into a channel below its threshold; frozen
 * channels; every channel frozen. */
static void test_s_curve_forced_and_frozen(void **state)
{
	(void)state;
	/* a's marginal at 100 (42) is ten times b's at 300. */
	struct response_curve curves[3] = { hill(30000, 400, 0.7), hill(9000, 800, 3),
					    hill(5000, 600, 2) };
	struct alloc_channel ch[3] = { { "a", &curves[0], 100, 0, 100 },
				       { "b", &curves[1], 300, 0, 2000 },
				       { "c", &curves[2], 250, 250, 250 } };
	double spend[3];
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_max_response(ch, 3, 650, spend, &a, err, sizeof err), 0);
	assert_true(fabs(spend[0] - 100) < 1e-9 && fabs(spend[1] - 300) < 1e-9 && spend[2] == 250);
	assert_true(fabs(a.total_spend - 650) < 1e-9);

	ch[1].lower = ch[1].upper = 300; /* all frozen */
	assert_int_equal(allocate_max_response(ch, 3, 650, spend, &a, err, sizeof err), 0);
	assert_true(fabs(spend[0] - 100) < 1e-9 && spend[1] == 300 && spend[2] == 250);

	/* Only the S channel can move: it takes what is left. */
	ch[0].lower = 100;
	ch[1].lower = 0, ch[1].upper = 2000;
	for (double total = 350; total <= 2350; total += 100) {
		assert_int_equal(allocate_max_response(ch, 3, total, spend, &a, err, sizeof err), 0);
		assert_true(fabs(spend[1] - (total - 350)) <= 1e-9 * total);
	}
}

/* The marginal floor with an S-curve: a funded channel returns exactly the
 * floor at the margin and its funding pays at that price; an unfunded one
 * would not pay anywhere on its range. Saturation lies on the concave part. */
static void test_s_curve_floor_and_saturation(void **state)
{
	(void)state;
	struct response_curve curves[3] = { hill(3000, 400, 0.7), hill(9000, 800, 3),
					    hill(900, 800, 3) };
	struct alloc_channel ch[3] = { { "a", &curves[0], 500, 0, 3000 },
				       { "b", &curves[1], 500, 0, 3000 },
				       { "weak", &curves[2], 500, 0, 3000 } };
	double spend[3], price = 1.2;
	struct allocation a;
	char err[256];
	assert_int_equal(allocate_marginal_floor(ch, 3, price - 1, spend, &a, err, sizeof err), 0);
	assert_true(spend[1] > curve_inflection(&curves[1]));
	assert_true(spend[2] == 0);
	for (int i = 0; i < 3; i++) {
		if (spend[i] > 0)
			assert_true(fabs(curve_marginal(&curves[i], spend[i]) - price) < 1e-6);
		for (double s = 0; s <= 3000; s += 5) /* the split is each channel's best reply */
			assert_true(curve_value(&curves[i], s) - price * s <=
				    curve_value(&curves[i], spend[i]) - price * spend[i] + 1e-6);
	}
	double sat = allocate_saturation(&curves[1]);
	assert_true(sat > curve_inflection(&curves[1]));
	assert_true(fabs(curve_marginal(&curves[1], sat) - 1) < 1e-6);
	assert_true(allocate_saturation(&curves[2]) == 0); /* marginal peaks below 1 */
}

/* A curve whose table is the mean of 100 draws around random_hill's: Hill
 * curves with their parameters spread (S-shaped ones' thresholds apart,
 * some concave among them) and, around a concave centre, a fifth power
 * laws through the centre's value at k; its reach 1.5-5.5 k, so the
 * bounds end in the table or past it. The centre stays the curve kept
 * (random_channel reads its k). */
static struct response_curve random_tabled(int s_shaped)
{
	struct response_curve c = random_hill(s_shaped);
	for (int d = 0; d < CURVE_DRAWS; d++) {
		struct curve_draw *w = &c.draw[c.draws++];
		if (!s_shaped && d % 5 == 4) {
			double b = 0.3 + 0.5 * uniform();
			*w = (struct curve_draw){ CURVE_POWER, { c.beta / 2 / pow(c.k, b), b, 0 } };
			continue;
		}
		double spread = d % 2 ? 0.6 : 0.2; /* half the draws near the centre */
		double alpha = c.alpha * (1 - spread / 2 + spread * uniform());
		*w = (struct curve_draw){ CURVE_HILL,
					  { c.beta * (1 - spread / 2 + spread * uniform()),
					    c.k * (1 - spread / 2 + spread * uniform()), fmin(3, fmax(0.3, alpha)) } };
	}
	assert_int_equal(curve_table_from_draws(&c, c.k * (1.5 + 4 * uniform())), 0);
	return c;
}

/* The allocator on the draws' mean's tables (curve_fit's curves with
 * draws): the global optimum against brute force on 2-3 channels, the KKT
 * conditions on 8, and the target ROI's first total against a scan. */
static void test_tabled_curves(void **state)
{
	(void)state;
	rng = 20261130;
	double worst = worst_against_brute_force(random_tabled);
	int convex_seen = 0, s_shaped = 0;
	enum { N = 8 };
	struct response_curve curves[N];
	struct alloc_channel ch[N];
	for (int trial = 0; trial < 150; trial++) {
		double lo = 0, hi = 0;
		for (int i = 0; i < N; i++) {
			curves[i] = random_tabled(i % 4 != 3);
			ch[i] = random_channel(&curves[i]);
			lo += ch[i].lower, hi += ch[i].upper;
			s_shaped += curve_inflection(&curves[i]) > ch[i].lower;
		}
		double total = random_total(ch, N), spend[N];
		struct allocation a;
		char err[256];
		assert_int_equal(allocate_max_response(ch, N, total, spend, &a, err, sizeof err), 0);
		convex_seen += assert_kkt(curves, ch, N, total, spend, &a, trial);
		if (trial % 5)
			continue;
		double target = 0.2 + 2 * uniform();
		if (allocate_target_roi(ch, N, target, spend, &a, err, sizeof err) != 0) {
			assert_false(a_scan_total_reaches(ch, N, target, lo, hi, 128));
			continue;
		}
		assert_true((a.total_revenue - a.total_spend) / a.total_spend >= target - 1e-12);
		assert_false(a_scan_total_reaches(ch, N, target, lo, a.total_spend * (1 - 1e-6), 128));
	}
	/* A power law kept, its draws' mean tabled: the saturation is where
	 * the table's marginal falls to 1, not the power law's closed form. */
	struct response_curve power = { .kind = CURVE_POWER, .a = 40, .b = 0.5 };
	for (int d = 0; d < CURVE_DRAWS; d++)
		power.draw[power.draws++] = (struct curve_draw){ CURVE_POWER,
								 { 30 + 20 * uniform(), 0.4 + 0.2 * uniform(), 0 } };
	assert_int_equal(curve_table_from_draws(&power, 5000), 0);
	double sat = allocate_saturation(&power);
	assert_true(sat > 0 && fabs(curve_marginal(&power, sat) - 1) < 1e-9);
	/* Past the table's reach the power law's own tail: every draw 100
	 * s^0.5 saturates at 2,500 a day, two and a half times a reach of
	 * 1,000 (the tail of s^-2 that stood there put it at 1,257). */
	struct response_curve same = { .kind = CURVE_POWER, .a = 100, .b = 0.5 };
	for (int d = 0; d < CURVE_DRAWS; d++)
		same.draw[same.draws++] = (struct curve_draw){ CURVE_POWER, { 100, 0.5, 0 } };
	assert_int_equal(curve_table_from_draws(&same, 1000), 0);
	sat = allocate_saturation(&same);
	if (fabs(sat - 2500) > 0.005 * 2500 || fabs(curve_value(&same, 2500) - 5000) > 0.005 * 5000)
		fail_msg("saturation %.1f (2,500), revenue there %.1f (5,000)", sat,
			 curve_value(&same, 2500));
	print_message("tabled curves: worst shortfall against brute force %.3g; %d of 150 splits had "
		      "a channel inside a convex part, %d of 1200 tables an inflection above the "
		      "lower bound\n", worst, convex_seen, s_shaped);
	assert_true(s_shaped > 300);
}

/* A table level over a stretch (pooling makes them, 1e-9 a node apart):
 * the replies' sum jumps across a multiplier a hair wide, and the total
 * falls in the jump. The level channel takes what the total leaves at the
 * other's reply to that multiplier; the miss used to go to the first
 * channel by index, off its marginal. */
static void test_flat_marginal_stretch(void **state)
{
	(void)state;
	const double d = 2e-9;
	struct response_curve level = hill(1, 1, 1), root = { .kind = CURVE_POWER, .a = 20 * sqrt(2), .b = 0.5 };
	level.table_steps = 8, level.table_reach = 100; /* nodes at 100 (i / 8)^2 */
	memcpy(level.table_marginal, (double[]){ 6, 5, 4, 2, 2 - d, 2 - 2 * d, 2 - 3 * d, 1, 0.5 },
	       9 * sizeof(double));
	assert_int_equal(curve_table_settle(&level), 0);
	/* root's marginal is 2 at 50; level's from 14.0625 to 56.25 */
	struct alloc_channel ch[2] = { { "root", &root, 50, 0, 200 }, { "level", &level, 40, 0, 100 } };
	for (double total = 70; total <= 100; total += 5) {
		double spend[2];
		struct allocation a;
		char err[256];
		assert_int_equal(allocate_max_response(ch, 2, total, spend, &a, err, sizeof err), 0);
		if (fabs(spend[0] - 50) > 1e-6 || fabs(spend[1] - (total - 50)) > 1e-6)
			fail_msg("total %.0f: %.9f and %.9f, not 50 and %.0f", total, spend[0], spend[1],
				 total - 50);
	}
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
		cmocka_unit_test(test_nothing_earns_nothing_moves),
		cmocka_unit_test(test_target_roi_and_floor),
		cmocka_unit_test(test_infinite_upper_bounds),
		cmocka_unit_test(test_multiplier_where_a_reply_leaves_its_bound),
		cmocka_unit_test(test_target_roi_small_range),
		cmocka_unit_test(test_target_roi_best_when_range_collapses),
		cmocka_unit_test(test_target_roi_reports_the_best_reachable),
		cmocka_unit_test(test_target_roi_best_is_exact),
		cmocka_unit_test(test_target_roi_narrow_peak),
		cmocka_unit_test(test_target_roi_best_from_a_lower_price),
		cmocka_unit_test(test_target_roi_absurd_target),
		cmocka_unit_test(test_target_roi_first_of_two_peaks),
		cmocka_unit_test(test_revenue_bound_holds_and_is_tight),
		cmocka_unit_test(test_target_roi_first_crossing_above_zero),
		cmocka_unit_test(test_target_roi_against_a_scan),
		cmocka_unit_test(test_grid_optimum_matches_brute_force),
		cmocka_unit_test(test_s_curves_match_brute_force),
		cmocka_unit_test(test_s_curves_small_free_budget),
		cmocka_unit_test(test_one_large_room_keeps_the_grid_fine),
		cmocka_unit_test(test_s_curves_kkt),
		cmocka_unit_test(test_s_curves_found_elsewhere),
		cmocka_unit_test(test_s_curves_beside_no_curve),
		cmocka_unit_test(test_steep_partner_room),
		cmocka_unit_test(test_s_curves_properties),
		cmocka_unit_test(test_s_curve_threshold),
		cmocka_unit_test(test_s_curve_forced_and_frozen),
		cmocka_unit_test(test_s_curve_floor_and_saturation),
		cmocka_unit_test(test_tabled_curves),
		cmocka_unit_test(test_flat_marginal_stretch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
