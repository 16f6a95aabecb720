/*
 * Unit tests of models/curve.c's choice of shape and its uncertainty:
 * S-shaped channels are recognised, concave ones stay concave, data that
 * cannot tell them apart get the concave curve and say so, a concave
 * curve kept is bagged over its draws, and the bootstrap bands hold the
 * true curve about as often as they claim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "curve.h"
#include "plan.h"
#include "xorshift.h"

static struct response_curve hill(double beta, double k, double alpha)
{
	return (struct response_curve){ .kind = CURVE_HILL, .beta = beta, .k = k, .alpha = alpha };
}

static int is_s_shaped(const struct response_curve *c)
{
	return c->kind == CURVE_HILL && c->alpha > 1;
}

/* Daily spend that holds a level for three weeks, then moves (budget
 * changes), with 15% jitter; revenue from the truth with relative noise. */
static void simulate(const struct response_curve *truth, double lo, double hi, double noise, int n,
		     double *spend, double *revenue)
{
	double level = lo;
	for (int t = 0; t < n; t++) {
		if (t % 21 == 0)
			level = lo + (hi - lo) * uniform();
		spend[t] = level * (0.85 + 0.3 * uniform());
		revenue[t] = curve_value(truth, spend[t]) * (1 + noise * gaussian());
	}
}

/* Rates over channels, not every channel: on 150 such channels the S-shape
 * was recognised in 147, its threshold within 20% in 147, and a single
 * fit's values missed the tolerance below in 19 (5 channels in a row all
 * inside it happen half the time); in groups of 12, the mean error came
 * within 0.36-0.70 of the tolerance. */
static void test_s_curve_recognised(void **state)
{
	(void)state;
	enum { N = 180, REPS = 12, SPENDS = 8 };
	struct response_curve truth = hill(3000, 400, 2.5), fit;
	double spend[N], revenue[N], error[SPENDS] = { 0 };
	int recognised = 0, threshold_found = 0;
	for (int rep = 0; rep < REPS; rep++) {
		simulate(&truth, 100, 800, 0.15, N, spend, revenue);
		assert_int_equal(curve_fit(spend, revenue, N, 0, &fit), 0);
		if (!is_s_shaped(&fit))
			continue;
		recognised++;
		assert_non_null(strstr(fit.note, "S-shaped"));
		double want = curve_inflection(&truth), got = curve_inflection(&fit);
		threshold_found += fabs(got - want) <= 0.2 * want;
		for (int j = 0; j < SPENDS; j++)
			error[j] += fabs(curve_value(&fit, 100.0 * (j + 1)) - curve_value(&truth, 100.0 * (j + 1)));
	}
	if (recognised < REPS - 2 || threshold_found < recognised - 1)
		fail_msg("S-shape recognised in %d of %d channels, its threshold within 20%% in %d", recognised,
			 REPS, threshold_found);
	for (int j = 0; j < SPENDS; j++) {
		double s = 100.0 * (j + 1), w = curve_value(&truth, s);
		if (error[j] / recognised > 0.06 * w + 20)
			fail_msg("at spend %.0f: off by %.1f on average, true %.1f", s, error[j] / recognised, w);
	}
}

/* Returns that rise over all the spend seen: revenue 0.01 s^2, spend 100
 * to 920 a day. Where they level off is beyond the days; a free S-fit
 * then often runs its half-saturation off past any spend (a power of
 * spend is what it fits), and a curve saturating beyond ten times the
 * most spent had been refused: the concave forms were left, a power law
 * pressed against its 0.95 cap (here in 6 of 12 channels), that cut the
 * channel where each extra unit returned more than the last. Now the
 * S-shape is kept (12 of 12), its half-saturation held at ten times the
 * most spent where the free fit ran past it (6 of 12), and said so. */
static void test_rising_over_all_spend_seen(void **state)
{
	(void)state;
	enum { N = 180, REPS = 12 };
	struct response_curve truth = { .kind = CURVE_POWER, .a = 0.01, .b = 2 }, fit;
	double spend[N], revenue[N];
	int s_shaped = 0, held = 0;
	for (int rep = 0; rep < REPS; rep++) {
		simulate(&truth, 100, 800, 0.15, N, spend, revenue);
		assert_int_equal(curve_fit(spend, revenue, N, 0, &fit), 0);
		if (!is_s_shaped(&fit))
			continue;
		s_shaped++;
		double most = 0;
		for (int t = 0; t < N; t++)
			most = fmax(most, spend[t]);
		assert_true(fit.k <= 10 * most * (1 + 1e-12));
		if (fit.k >= 10 * most * (1 - 1e-12)) {
			held++;
			assert_non_null(strstr(fit.note, "still rising at the most spent"));
		}
		for (double s = 200; s <= 800; s += 200)
			if (fabs(curve_value(&fit, s) / curve_value(&truth, s) - 1) > 0.15)
				fail_msg("at spend %.0f: %.1f against the true %.1f", s, curve_value(&fit, s),
					 curve_value(&truth, s));
		assert_true(curve_marginal(&fit, 800) > curve_value(&fit, 800) / 800);
	}
	if (s_shaped < REPS - 1 || held < 3)
		fail_msg("S-shaped in %d of %d channels, held at ten times the most spent in %d",
			 s_shaped, REPS, held);
}

/* On 150 such channels, 2 were called S-shaped: the one-standard-error
 * rule's false alarms. */
static void test_concave_stays_concave(void **state)
{
	(void)state;
	enum { N = 180, REPS = 20 };
	struct response_curve truth = hill(3000, 400, 0.7), fit;
	double spend[N], revenue[N];
	int s_shaped = 0;
	for (int rep = 0; rep < REPS; rep++) {
		simulate(&truth, 100, 800, 0.15, N, spend, revenue);
		curve_fit(spend, revenue, N, 0, &fit);
		s_shaped += is_s_shaped(&fit);
	}
	if (s_shaped > 2)
		fail_msg("%d of %d concave channels called S-shaped", s_shaped, REPS);
}

/* An S-curve seen only above its threshold looks concave there: the
 * concave curve is kept (an S-shape only when the held-out days clearly
 * want it: seldom), and where the S-fit came close, it says so. */
static void test_undecided_gets_concave(void **state)
{
	(void)state;
	enum { N = 120 };
	struct response_curve truth = hill(3000, 400, 2), fit;
	double spend[N], revenue[N];
	int undecided = 0, s_shaped = 0;
	for (int rep = 0; rep < 40; rep++) {
		for (int t = 0; t < N; t++) {
			spend[t] = 300 + 400 * uniform();
			revenue[t] = curve_value(&truth, spend[t]) * (1 + 0.35 * gaussian());
		}
		curve_fit(spend, revenue, N, 0, &fit);
		s_shaped += is_s_shaped(&fit);
		if (fit.shape_undecided) {
			assert_false(is_s_shaped(&fit));
			assert_non_null(strstr(fit.note, "cannot tell an S-shape"));
			undecided++;
		}
	}
	if (s_shaped > 12 || undecided < 8) /* measured over 100 such channels: 12 and 48 */
		fail_msg("%d S-shaped, %d undecided of 40", s_shaped, undecided);
}

/* The draws carry the doubt about the shape: where the held-out days
 * cannot tell an S-shape from the concave curve kept, a good share of the
 * draws are S-shaped (drawn by the odds the left-out days give each form,
 * not by the rule that keeps the concave curve), and the band below the
 * spend seen, where the two shapes part, holds the truth. */
static void test_undecided_draws_both_shapes(void **state)
{
	(void)state;
	enum { N = 120 };
	struct response_curve truth = hill(3000, 400, 2), fit;
	double spend[N], revenue[N];
	int undecided = 0, s_draws = 0, draws = 0, inside = 0, thresholds = 0;
	for (int rep = 0; rep < 40; rep++) {
		for (int t = 0; t < N; t++) {
			spend[t] = 300 + 400 * uniform();
			revenue[t] = curve_value(&truth, spend[t]) * (1 + 0.35 * gaussian());
		}
		curve_fit(spend, revenue, N, 0, &fit);
		if (!fit.shape_undecided)
			continue;
		undecided++;
		for (int d = 0; d < fit.draws; d++)
			s_draws += fit.draw[d].kind == CURVE_HILL && fit.draw[d].p[2] > 1, draws++;
		double lo, hi, want = curve_value(&truth, 200);
		curve_band(&fit, 200, 0.8, &lo, &hi);
		inside += lo <= want && want <= hi;
		/* The concave curve kept says when its draws' mean, advised on,
		 * has a threshold where advice moves. */
		int noted = strstr(fit.note, "advised on its draws' mean") != NULL;
		double largest = 0;
		for (int t = 0; t < N; t++)
			largest = fmax(largest, spend[t]);
		assert_int_equal(noted, fit.table_steps > 0 && curve_inflection(&fit) >= 0.05 * largest);
		thresholds += noted;
	}
	print_message("%d of %d undecided channels' draws' means have a threshold\n", thresholds, undecided);
	assert_true(undecided >= 8 && thresholds >= 1);
	double share = (double)s_draws / draws, held = (double)inside / undecided;
	/* Measured: 48% S-shaped draws, the band holding the truth on 11 of
	 * 15; with the rule that keeps the curve, 13% and 2 of 15. */
	if (share < 0.2 || share > 0.8 || held < 0.6)
		fail_msg("%.0f%% of the undecided channels' draws S-shaped, their band at 200 held the "
			 "truth on %.0f%% of %d",
			 100 * share, 100 * held, undecided);
}

/* A concave curve kept on an S-shaped truth (spend seen only past its
 * threshold, noisy days) is bagged over its draws, some of them S-shaped:
 * where the budget may take it, up to twice the spend seen, it levels
 * off with the truth instead of climbing on as the single fit does. */
static void test_concave_fit_bagged(void **state)
{
	(void)state;
	enum { N = 120 };
	struct response_curve truth = hill(3000, 400, 2), fit;
	double spend[N], revenue[N], error = 0, bias = 0, apart = 0;
	int concave = 0;
	for (int rep = 0; rep < 30; rep++) {
		for (int t = 0; t < N; t++) {
			spend[t] = 300 + 400 * uniform();
			revenue[t] = curve_value(&truth, spend[t]) * (1 + 0.35 * gaussian());
		}
		curve_fit(spend, revenue, N, 0, &fit);
		if (is_s_shaped(&fit))
			continue;
		concave++;
		for (double s = 800; s <= 1400; s += 200) {
			double want = curve_value(&truth, s), got = curve_value(&fit, s);
			error += fabs(got - want) / want / 4;
			bias += (got - want) / want / 4;
			double mean = 0;
			for (int d = 0; d < fit.draws; d++)
				mean += curve_value_draw(&fit, d, s) / fit.draws;
			apart += fabs(got - mean) / mean / 4;
		}
	}
	assert_true(concave >= 15);
	error /= concave, bias /= concave, apart /= concave;
	/* Measured: 0.5% from the draws' mean, 18.5% from the truth (17% too
	 * high); the single fit was 5.5% and 22.3% (22% too high). On 12 other
	 * streams of the generator 0.4-0.7% against 3.7-8.2%: the distance from
	 * the mean tells bagging from the single fit; the truth's bounds only
	 * catch a curve gone wrong (16.3-21.5% bagged, 20.9-25.1% unbagged). */
	if (apart > 0.02 || error > 0.23 || bias > 0.225)
		fail_msg("the concave curve kept is %.1f%% from its draws' mean, %.1f%% from the "
			 "truth (%+.1f%%) at 800-1400",
			 100 * apart, 100 * error, 100 * bias);
}

/* The 80% band of the expected revenue at the channel's typical spend
 * holds the truth about 80% of the time, over channels of each shape. */
static void test_band_coverage(void **state)
{
	(void)state;
	enum { N = 150, REPS = 30 };
	const double alphas[3] = { 0.7, 1.5, 2.5 };
	double spend[N], revenue[N];
	int inside = 0, total = 0;
	for (int a = 0; a < 3; a++) {
		struct response_curve truth = hill(3000, 400, alphas[a]), fit;
		for (int rep = 0; rep < REPS; rep++) {
			simulate(&truth, 100, 800, 0.2, N, spend, revenue);
			curve_fit(spend, revenue, N, 0, &fit);
			assert_int_equal(fit.draws, CURVE_DRAWS);
			double lo, hi, want = curve_value(&truth, 450);
			curve_band(&fit, 450, 0.8, &lo, &hi);
			assert_true(lo <= hi);
			inside += lo <= want && want <= hi;
			total++;
		}
	}
	double share = (double)inside / total;
	if (share < 0.6 || share > 0.95)
		fail_msg("80%% bands held the truth %.0f%% of the time", 100 * share);
}

/* Sales have a weekly pattern, and spend may have its own: the pattern is
 * taken out before the curve is fitted, and the curve reads in an average
 * day. Without one, spend's own weekly pattern (and the first curve's
 * misfit that lines up with it) leaves under 5% taken out. Means over four
 * channels, as one channel's estimate strays (0.22-0.34 of the 0.3 put in
 * over 60 of them; the truth's alpha of 1.8 is not always established),
 * and the curve judged inside the spends seen. Measured over 25 such
 * groups: 0.26-0.31 taken out, at most 0.02 without a pattern, the curve
 * within 5% at 300-700. */
static void test_weekly_pattern(void **state)
{
	(void)state;
	enum { N = 182, REPS = 4 };
	static const double sales[7] = { 1.3, 1.2, 1.0, 0.9, 0.8, 0.8, 1.0 }; /* mean 1 */
	static const double budget[7] = { 1.2, 1.2, 1.1, 1.0, 0.9, 0.8, 0.8 };
	struct response_curve truth = hill(3000, 400, 1.8), fit, flat;
	double weekly = 0, without = 0, error = 0;
	for (int rep = 0; rep < REPS; rep++) {
		double spend[N], revenue[N], plain[N], level = 300;
		for (int t = 0; t < N; t++) {
			if (t % 21 == 0)
				level = 150 + 600 * uniform();
			spend[t] = level * budget[t % 7] * (0.9 + 0.2 * uniform());
			double noise = 1 + 0.1 * gaussian();
			plain[t] = curve_value(&truth, spend[t]) * noise;
			revenue[t] = plain[t] * sales[t % 7];
		}
		curve_fit(spend, revenue, N, 0, &fit);
		curve_fit(spend, plain, N, 0, &flat);
		assert_non_null(strstr(fit.note, "weekly pattern"));
		weekly += fit.weekly / REPS;
		without += flat.weekly / REPS;
		double worst = 0;
		for (double s = 300; s <= 700; s += 100)
			worst = fmax(worst, fabs(curve_value(&fit, s) / curve_value(&truth, s) - 1));
		error += worst / REPS;
	}
	if (fabs(weekly - 0.3) > 0.06)
		fail_msg("weekly pattern of %.2f taken out on average, 0.3 put in", weekly);
	if (without >= 0.05)
		fail_msg("%.3f taken out of data without a weekly pattern", without);
	if (error > 0.08)
		fail_msg("the curve off by %.1f%% at 300-700 on average", 100 * error);
}

/* Degenerate days: spend that earned nothing is a flat curve at zero (not
 * an S-curve fitted to rounding); under three weeks there are no draws (a
 * week has one resample, the data itself); a weekday of refunds is no
 * weekly pattern to divide by; a Hill curve far past k, or at an infinite
 * spend, is its ceiling, not inf / inf. */
static void test_degenerate_days(void **state)
{
	(void)state;
	enum { N = 120 };
	double spend[N], revenue[N];
	struct response_curve c;
	for (int t = 0; t < N; t++)
		spend[t] = 100 + 800 * uniform(), revenue[t] = 0;
	curve_fit(spend, revenue, N, 1, &c);
	assert_false(is_s_shaped(&c));
	assert_true(curve_value(&c, 500) == 0 && c.draws == 0);
	assert_non_null(strstr(c.note, "no revenue"));

	for (int t = 0; t < 20; t++)
		revenue[t] = 3 * spend[t] * (1 + 0.1 * gaussian());
	curve_fit(spend, revenue, 20, 0, &c);
	assert_int_not_equal(c.kind, CURVE_NONE);
	assert_int_equal(c.draws, 0);

	for (int t = 0; t < N; t++)
		revenue[t] = 2 * spend[t] * (t % 7 == 3 ? -0.5 : 1);
	curve_fit(spend, revenue, N, 0, &c);
	assert_true(c.weekly < 1);
	assert_true(isfinite(curve_value(&c, 500)));

	/* Amounts far beyond any currency's (a unit bug upstream): a curve, no
	 * undefined behaviour on the way (the draws' seed once cast them). */
	for (int t = 0; t < N; t++)
		revenue[t] = 1e100 * spend[t] * (1 + 0.1 * gaussian());
	curve_fit(spend, revenue, N, 0, &c);
	assert_int_not_equal(c.kind, CURVE_NONE);
	assert_true(isfinite(curve_value(&c, 500)));

	struct response_curve steep = hill(1000, 1e-110, 3);
	assert_true(curve_value(&steep, 500) == 1000);
	assert_true(curve_marginal(&steep, 500) == 0);
	struct response_curve usual = hill(1000, 100, 2);
	assert_true(curve_value(&usual, INFINITY) == 1000 && curve_marginal(&usual, INFINITY) == 0);
	assert_true(fabs(curve_value(&usual, 100) - 500) < 1e-9);
}

/*
 * Spend moving ±20% from day to day over a year or four is measured, not
 * assumed: with that many days every sorted neighbour lies within 1% of
 * the median, and counting levels by the gaps between neighbours once
 * found one level and left the shape a guess without draws.
 */
static void test_long_history_keeps_its_levels(void **state)
{
	(void)state;
	enum { N = 1460 };
	static double spend[N], revenue[N];
	struct response_curve truth = hill(3000, 400, 0.8), c;
	for (int t = 0; t < N; t++) {
		spend[t] = 300 * (0.8 + 0.4 * uniform());
		revenue[t] = curve_value(&truth, spend[t]) * (1 + 0.05 * gaussian());
	}
	for (int days = 365; days <= N; days *= 4) {
		curve_fit(spend, revenue, (size_t)days, 0, &c);
		if (c.spend_levels < 20 || c.draws == 0)
			fail_msg("%d days: %d spend levels, %d draws (%s)", days, c.spend_levels,
				 c.draws, c.note);
	}
}

/* A split that moves a channel whose curve has no draws (its shape
 * assumed, a prior, too few days) cannot be called sure, however sure the
 * others are; a channel that earns nothing is sure. */
static void test_unmeasured_curves_unsure(void **state)
{
	(void)state;
	struct response_curve measured = hill(3000, 400, 0.8), assumed = { .kind = CURVE_POWER, .a = 20, .b = 0.5 };
	measured.draws = 40;
	for (int d = 0; d < measured.draws; d++)
		measured.draw[d] = (struct curve_draw){ CURVE_HILL, { 3000 * (0.98 + 0.001 * d), 400, 0.8 } };
	const struct response_curve *curves[2] = { &measured, &assumed };
	double current[2] = { 300, 300 }, moved[2] = { 350, 250 }, kept[2] = { 350, 300 };
	struct plan_uplift u;
	plan_uplift(curves, current, kept, 2, &u);
	assert_false(u.uncertain);
	assert_true(u.low > 0 && u.probability_better == 1);
	plan_uplift(curves, current, moved, 2, &u);
	assert_true(u.uncertain);
	assert_non_null(strstr(u.verdict, "not sure: 1 channel(s) the split moves have curves measured too little"));
	struct response_curve nothing = { .kind = CURVE_POWER, .a = 0, .b = 0.5 };
	curves[1] = &nothing;
	plan_uplift(curves, current, moved, 2, &u);
	assert_false(u.uncertain);
}

/* The same data give the same curve and draws (the sync's runs compare). */
static void test_reproducible(void **state)
{
	(void)state;
	enum { N = 90 };
	struct response_curve truth = hill(2000, 300, 1.8), one, two;
	double spend[N], revenue[N];
	simulate(&truth, 100, 600, 0.2, N, spend, revenue);
	curve_fit(spend, revenue, N, 1, &one);
	curve_fit(spend, revenue, N, 1, &two);
	assert_int_equal(one.draws, two.draws);
	assert_memory_equal(one.draw, two.draw, sizeof one.draw[0] * (size_t)one.draws);
	assert_true(one.alpha == two.alpha && one.adstock == two.adstock);
}

/* Without draws (a curve made by hand, an assumed shape) the band is the
 * curve itself. */
/*
 * The best reply to a marginal m on the concave part, for Hill curves of
 * both shapes and power laws, bounds below, around and above the answer,
 * and starts from anywhere: inside its bounds the marginal is m (to 1e-9);
 * at the lower end it is already at most m, at the upper end still at
 * least m; the start never changes the answer; and the curvature it gives
 * is f'' there (against a central difference of f'), 0 at an end.
 */
static void test_spend_for_marginal(void **state)
{
	(void)state;
	int inside = 0, at_end = 0;
	for (int trial = 0; trial < 3000; trial++) {
		struct response_curve c = { .kind = CURVE_HILL };
		if (trial % 3 == 2) {
			c = (struct response_curve){ .kind = CURVE_POWER, .a = 1 + 30 * uniform(),
						     .b = 0.1 + 0.8 * uniform() };
		} else {
			c.alpha = trial % 3 ? 1.1 + 1.9 * uniform() : 0.2 + 0.8 * uniform();
			c.k = 50 + 2000 * uniform();
			c.beta = c.k * (0.5 + 10 * uniform());
		}
		double from = curve_inflection(&c) + 1e-3, s_mid = from + 3000 * uniform();
		double lo = from + (s_mid - from) * uniform() * (trial % 4 == 0 ? 1.2 : 0.8);
		double hi = lo + 3000 * uniform() + 1;
		double m = curve_marginal(&c, s_mid);
		double curvature, s = curve_spend_for_marginal_concave(&c, m, lo, hi, 0, &curvature);
		assert_true(s >= lo && s <= hi);
		if (s > lo && s < hi) {
			inside++;
			assert_true(fabs(curve_marginal(&c, s) - m) <= 1e-9 * m);
			double h = 1e-5 * s;
			double fd = (curve_marginal(&c, s + h) - curve_marginal(&c, s - h)) / (2 * h);
			assert_true(curvature < 0 && fabs(curvature - fd) <= 1e-4 * fabs(fd));
		} else {
			at_end++;
			assert_true(curvature == 0);
			if (s == lo)
				assert_true(curve_marginal(&c, lo) <= m * (1 + 1e-12));
			else
				assert_true(curve_marginal(&c, hi) >= m * (1 - 1e-12));
		}
		for (int start = 0; start < 4; start++) {
			double near = start == 0 ? lo : start == 1 ? hi : lo + (hi - lo) * uniform();
			double again = curve_spend_for_marginal_concave(&c, m, lo, hi, near, NULL);
			assert_true(fabs(again - s) <= 1e-9 * s);
		}
		/* The general entry point agrees where its bounds are concave. */
		assert_true(fabs(curve_spend_for_marginal(&c, m, lo, hi, 0) - s) <= 1e-9 * s);
	}
	print_message("%d replies inside their bounds, %d at an end\n", inside, at_end);
	assert_true(inside > 1000 && at_end > 300);
}

static void test_band_without_draws(void **state)
{
	(void)state;
	struct response_curve c = hill(1000, 100, 2);
	double lo, hi;
	curve_band(&c, 150, 0.8, &lo, &hi);
	assert_true(lo == curve_value(&c, 150) && hi == lo);
	assert_true(fabs(curve_inflection(&c) - 100 * sqrt(1.0 / 3)) < 1e-9);
	assert_true(curve_inflection(&(struct response_curve){ .kind = CURVE_HILL, .beta = 1, .k = 1,
								.alpha = 0.8 }) == 0);
}


/* --- the draws' mean's table ---------------------------------------------- */

/* The increasing fit of x[from..to] closest in squared error weighted by
 * w, by the max-min formula (no pooling: a check of it), its error added
 * to *sse. */
static void increasing_fit(const double *x, const double *w, int from, int to, double *sse)
{
	for (int i = from; i <= to; i++) {
		double best = -HUGE_VAL;
		for (int a = from; a <= i; a++) {
			double least = HUGE_VAL, sum = 0, weight = 0;
			for (int b = a; b <= to; b++) {
				sum += w[b] * x[b], weight += w[b];
				if (b >= i)
					least = fmin(least, sum / weight);
			}
			best = fmax(best, least);
		}
		*sse += w[i] * (x[i] - best) * (x[i] - best);
	}
}

/* The least error of a sequence rising to one peak and falling, over every
 * split, each side by the max-min formula. */
static double unimodal_error_brute(const double *x, const double *w, int n)
{
	double best = HUGE_VAL, rx[16], rw[16];
	for (int i = 0; i < n; i++)
		rx[n - 1 - i] = x[i], rw[n - 1 - i] = w[i];
	for (int split = 0; split < n; split++) {
		double sse = 0;
		increasing_fit(x, w, 0, split, &sse);
		if (split + 1 < n) /* falling after the split: rising, read backwards */
			increasing_fit(rx, rw, 0, n - 2 - split, &sse);
		best = fmin(best, sse);
	}
	return best;
}

/* curve_unimodal against every split fitted by the max-min formula, on
 * short random sequences (some already unimodal, some with ties), with
 * equal and unequal weights: the same least error, and a result that
 * rises strictly to one peak and falls strictly after it. */
static void test_unimodal_against_brute_force(void **state)
{
	(void)state;
	for (int trial = 0; trial < 3000; trial++) {
		int n = 1 + trial % 12;
		double x[16], v[16], w[16], sse = 0, scale = 0;
		for (int i = 0; i < n; i++) {
			x[i] = trial % 5 == 0 ? floor(4 * uniform()) : 10 * uniform();
			if (trial % 7 == 0) /* a hump with noise */
				x[i] = 5 - fabs(i - n / 2.0) + uniform();
			w[i] = trial % 2 ? 1 : 0.1 + 3 * uniform();
			v[i] = x[i];
			scale += w[i] * x[i] * x[i];
		}
		assert_int_equal(curve_unimodal(v, w, n), 0);
		int peak = 0;
		for (int i = 0; i < n; i++) {
			sse += w[i] * (x[i] - v[i]) * (x[i] - v[i]);
			peak = v[i] > v[peak] ? i : peak;
		}
		for (int i = 0; i + 1 < n; i++)
			if (v[i] > 0 && (i < peak ? !(v[i] < v[i + 1]) : !(v[i + 1] < v[i])))
				fail_msg("trial %d: not strictly unimodal at %d (peak %d): %.17g, %.17g", trial,
					 i, peak, v[i], v[i + 1]);
		double want = unimodal_error_brute(x, w, n);
		/* The tilt moves each value by up to 1.1e-8 of it. */
		if (fabs(sse - want) > 3e-8 * (scale + 1))
			fail_msg("trial %d (%d values): error %.12g, brute force %.12g", trial, n, sse, want);
	}
}

/* A curve with the given draws: Hill (beta, k, alpha) or power (a, b, 0). */
static void add_draw(struct response_curve *c, enum curve_kind kind, double p0, double p1, double p2)
{
	c->draw[c->draws++] = (struct curve_draw){ kind, { p0, p1, p2 } };
}

static double draws_mean(const struct response_curve *c, double s)
{
	double sum = 0;
	for (int d = 0; d < c->draws; d++)
		sum += curve_value_draw(c, d, s);
	return sum / c->draws;
}

/* Concave draws (power laws from zero and concave Hill curves): the table
 * is their mean, its marginal the mean's, and past its reach it goes on
 * smoothly, rising to a limit. */
static void test_table_is_the_draws_mean(void **state)
{
	(void)state;
	struct response_curve c = { .kind = CURVE_POWER, .a = 10, .b = 0.5 };
	for (int d = 0; d < CURVE_DRAWS; d++) {
		if (d % 2)
			add_draw(&c, CURVE_POWER, 8 + 4 * uniform(), 0.4 + 0.2 * uniform(), 0);
		else
			add_draw(&c, CURVE_HILL, 2000 + 1000 * uniform(), 300 + 400 * uniform(),
				 0.6 + 0.4 * uniform());
	}
	double reach = 2000;
	assert_int_equal(curve_table_from_draws(&c, reach), 0);
	assert_int_equal(c.table_steps, CURVE_TABLE_STEPS);
	assert_true(curve_inflection(&c) == 0);
	double worst = 0, worst_marginal = 0, worst_below = 0;
	double first = reach / CURVE_TABLE_STEPS / CURVE_TABLE_STEPS; /* the first node past zero */
	for (double s = first; s <= reach; s *= 1.01) {
		double want = draws_mean(&c, s), got = curve_value(&c, s);
		if (s < reach / 100)
			worst_below = fmax(worst_below, fabs(got - want) / want);
		else
			worst = fmax(worst, fabs(got - want) / want);
		double e = 1e-7 * s, fd = (curve_value(&c, s + e) - curve_value(&c, s - e)) / (2 * e);
		double mean_marginal = (draws_mean(&c, s + e) - draws_mean(&c, s - e)) / (2 * e);
		if (!(fabs(curve_marginal(&c, s) - fd) <= 1e-5 * fd))
			fail_msg("at %.9g: marginal %.12g, the value's slope %.12g", s,
				 curve_marginal(&c, s), fd);
		if (s >= reach / 100)
			worst_marginal = fmax(worst_marginal,
					      fabs(curve_marginal(&c, s) - mean_marginal) / mean_marginal);
	}
	/* Linear between nodes, the marginal cannot follow a power law's
	 * toward zero, where it is infinite; the first steps' excess carries
	 * on, a smaller share as the value grows. Measured: from a hundredth
	 * of the reach on, the value within 3.5e-3 of the mean and the
	 * marginal within 3e-4; from the first node, the value within 4.9e-2. */
	print_message("the table is within %.2g of the draws' mean from a hundredth of its reach "
		      "(%.2g from its first node), its marginal within %.2g\n", worst, worst_below,
		      worst_marginal);
	assert_true(worst < 5e-3 && worst_marginal < 1e-3 && worst_below < 0.1);
	/* Past the reach: continuous, its marginal falling on as over the last
	 * step, so that the half of the draws that are power laws keep the
	 * mean rising as they do. Measured: within 0.2% and 1.5% of the mean
	 * at two and four times the reach, where (reach / s)^2, levelling off
	 * at 1.3 times the value at the reach, was 4.5% and 14% under it. */
	double at = curve_value(&c, reach), m = curve_marginal(&c, reach);
	assert_true(fabs(curve_value(&c, reach * (1 + 1e-9)) - at) <= 1e-6 * at);
	assert_true(fabs(curve_marginal(&c, reach * (1 + 1e-9)) - m) <= 1e-6 * m);
	for (double s = 2 * reach; s <= 4 * reach; s *= 2) {
		double want = draws_mean(&c, s), squared = at + m * reach * (1 - reach / s);
		print_message("at %.0f: %.2f, the draws' mean %.2f, a tail of s^-2 %.2f\n", s,
			      curve_value(&c, s), want, squared);
		assert_true(fabs(curve_value(&c, s) - want) <= 0.02 * want);
	}
	/* A table level at its end (still rising there) falls as s^-2. */
	struct response_curve level = c;
	level.table_steps = 4, level.table_reach = 100;
	memcpy(level.table_marginal, (double[]){ 1, 2, 3, 4, 5 }, 5 * sizeof(double));
	assert_int_equal(curve_table_settle(&level), 0);
	assert_true(fabs(curve_marginal(&level, 200) - 5.0 / 4) < 1e-12);
	assert_true(fabs(curve_value(&level, 1e12) - (curve_value(&level, 100) + 5 * 100)) < 1e-6);
	/* Values past what a double holds are no table. */
	level.table_reach = 1e300;
	memcpy(level.table_marginal, (double[]){ 1e10, 5e9, 4e9, 2e9, 1e9 }, 5 * sizeof(double));
	assert_int_equal(curve_table_settle(&level), -1);
	/* The curve kept stays beside it. */
	assert_true(curve_value_fitted(&c, 400) == 10 * sqrt(400));
}

/* S-shaped draws whose thresholds differ: the table's marginal rises to
 * one peak and falls, within a little of the mean's (which the blur of
 * thresholds leaves unimodal here); the allocator's solve for a marginal
 * finds it past the peak, in the table and beyond it, with the segment's
 * curvature. */
static void test_table_of_s_shaped_draws(void **state)
{
	(void)state;
	struct response_curve c = hill(3000, 400, 2.5);
	for (int d = 0; d < CURVE_DRAWS; d++)
		add_draw(&c, CURVE_HILL, 2500 + 1000 * uniform(), 250 + 300 * uniform(), 1.5 + 1.5 * uniform());
	double reach = 5000;
	assert_int_equal(curve_table_from_draws(&c, reach), 0);
	double peak = curve_inflection(&c);
	assert_true(peak > 100 && peak < 450);
	/* Below the thresholds the draws part from the curve kept (1.7 at
	 * 20, where draws of a low threshold earn 60): an interval centred on
	 * it as wide as theirs would reach below zero, which revenue never is. */
	double band_lo, band_hi;
	curve_band(&c, 20, 0.8, &band_lo, &band_hi);
	assert_true(band_lo == 0 && band_hi >= curve_value(&c, 20));
	for (double s = 20; s <= 3000; s += 7.3) {
		double want = draws_mean(&c, s), got = curve_value(&c, s);
		assert_true(fabs(got - want) <= 0.005 * draws_mean(&c, 3000));
		double e = 1e-3, next = curve_marginal(&c, s + e);
		assert_true(s < peak ? next >= curve_marginal(&c, s) : next <= curve_marginal(&c, s));
	}
	double curvature_of_ends = 0;
	for (int trial = 0; trial < 2000; trial++) {
		double lo = peak + 1.5 * reach * uniform(), hi = lo + 2 * reach * uniform() + 1e-3;
		double m = curve_marginal(&c, peak + 3 * reach * uniform()), curvature;
		double s = curve_spend_for_marginal_concave(&c, m, lo, hi, 0, &curvature);
		assert_true(s >= lo && s <= hi);
		if (s > lo && s < hi) {
			assert_true(fabs(curve_marginal(&c, s) - m) <= 1e-9 * m);
			double e = 1e-7 * s;
			double fd = (curve_marginal(&c, s + e) - curve_marginal(&c, s - e)) / (2 * e);
			/* On a node the two segments' slopes differ: either. */
			double left = (curve_marginal(&c, s) - curve_marginal(&c, s - e)) / e;
			double right = (curve_marginal(&c, s + e) - curve_marginal(&c, s)) / e;
			assert_true(curvature < 0);
			assert_true(fabs(curvature - fd) <= 1e-3 * fabs(fd) ||
				    fabs(curvature - left) <= 1e-3 * fabs(left) ||
				    fabs(curvature - right) <= 1e-3 * fabs(right));
		} else {
			curvature_of_ends += curvature != 0;
			assert_true(s == lo ? curve_marginal(&c, lo) <= m : curve_marginal(&c, hi) >= m);
		}
		assert_true(fabs(curve_spend_for_marginal(&c, m, lo, hi, 0) - s) <= 1e-12 * s);
	}
	assert_true(curvature_of_ends == 0);
	/* From below the peak, the general entry point answers past it. */
	double m = curve_marginal(&c, 2 * peak);
	assert_true(fabs(curve_spend_for_marginal(&c, m, 0, reach, 0) - 2 * peak) <= 1e-9 * peak);
}

/* A stored table read back is checked: anything but marginals that rise
 * to one peak and fall strictly after it (or reach zero and stay) is no
 * table, and the curve's parameters stand. */
static void test_table_settle_rejects(void **state)
{
	(void)state;
	struct response_curve good = hill(3000, 400, 2);
	good.table_steps = 4, good.table_reach = 100;
	memcpy(good.table_marginal, (double[]){ 1, 3, 5, 2, 0 }, 5 * sizeof(double));
	struct response_curve c = good;
	assert_int_equal(curve_table_settle(&c), 0);
	/* Nodes at 0, 6.25, 25, 56.25 and 100. */
	assert_true(fabs(curve_value(&c, 100) - (12.5 + 75 + 109.375 + 43.75)) < 1e-9);
	assert_true(curve_inflection(&c) == 25);
	c.table_marginal[4] = 2; /* flat after the peak */
	assert_int_equal(curve_table_settle(&c), -1);
	assert_int_equal(c.table_steps, 0);
	assert_true(curve_value(&c, 300) == curve_value_fitted(&c, 300));
	const struct { int at; double value; } bad[] = {
		{ 0, -1 }, { 1, NAN }, { 2, INFINITY }, { 1, 0.5 }, { 3, 5 }, { 4, 3 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		c = good;
		c.table_marginal[bad[i].at] = bad[i].value;
		assert_int_equal(curve_table_settle(&c), -1);
	}
	c = good, c.table_steps = 1;
	assert_int_equal(curve_table_settle(&c), -1);
	c = good, c.table_steps = CURVE_TABLE_STEPS + 1;
	assert_int_equal(curve_table_settle(&c), -1);
	c = good, c.table_reach = 0;
	assert_int_equal(curve_table_settle(&c), -1);
	c = good, c.table_reach = INFINITY;
	assert_int_equal(curve_table_settle(&c), -1);
	c = good; /* zeros to the end are a curve that stops rising */
	memcpy(c.table_marginal, (double[]){ 1, 3, 0, 0, 0 }, 5 * sizeof(double));
	assert_int_equal(curve_table_settle(&c), 0);
	assert_true(fabs(curve_spend_for_marginal(&c, 0.5, 0, 100, 0) - 21.875) < 1e-12);
	/* No draws, no table. */
	c = hill(3000, 400, 2);
	assert_int_equal(curve_table_from_draws(&c, 1000), -1);
	assert_int_equal(c.table_steps, 0);
}

/* A fitted curve with its draws has the table, over ten times the largest
 * spend, and curve_value is their mean. */
static void test_fit_tabulates_its_draws(void **state)
{
	(void)state;
	enum { N = 150 };
	struct response_curve truth = hill(3000, 400, 1.8), fit;
	double spend[N], revenue[N];
	simulate(&truth, 100, 800, 0.2, N, spend, revenue);
	assert_int_equal(curve_fit(spend, revenue, N, 0, &fit), 0);
	assert_int_equal(fit.draws, CURVE_DRAWS);
	assert_int_equal(fit.table_steps, CURVE_TABLE_STEPS);
	double largest = 0;
	for (int t = 0; t < N; t++)
		largest = fmax(largest, spend[t]);
	assert_true(fabs(fit.table_reach - 10 * largest) <= 1e-9 * largest);
	for (double s = 100; s <= 1600; s += 150) {
		double mean = draws_mean(&fit, s);
		assert_true(fabs(curve_value(&fit, s) - mean) <= 0.01 * mean);
	}
	/* Too few days for draws: no table. */
	assert_int_equal(curve_fit(spend, revenue, 15, 0, &fit), 0);
	assert_int_equal(fit.table_steps, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s_curve_recognised),
		cmocka_unit_test(test_rising_over_all_spend_seen),
		cmocka_unit_test(test_concave_stays_concave),
		cmocka_unit_test(test_undecided_gets_concave),
		cmocka_unit_test(test_band_coverage),
		cmocka_unit_test(test_weekly_pattern),
		cmocka_unit_test(test_degenerate_days),
		cmocka_unit_test(test_long_history_keeps_its_levels),
		cmocka_unit_test(test_unmeasured_curves_unsure),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_band_without_draws),
		cmocka_unit_test(test_spend_for_marginal),
		/* Last: the tests above assert on the simulated days the shared
		 * generator gave them when they were written. */
		cmocka_unit_test(test_undecided_draws_both_shapes),
		cmocka_unit_test(test_concave_fit_bagged),
		cmocka_unit_test(test_unimodal_against_brute_force),
		cmocka_unit_test(test_table_is_the_draws_mean),
		cmocka_unit_test(test_table_of_s_shaped_draws),
		cmocka_unit_test(test_table_settle_rejects),
		cmocka_unit_test(test_fit_tabulates_its_draws),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
