#include "allocate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A channel left inside the convex part of its S-curve by the grid is also
 * tried at its lower bound and on its concave part; past this many such
 * channels (the second-order condition allows one at a local optimum, so
 * more are grid artefacts) the rest keep their grid spend. */
#define MAX_CONVEX_TRIES 3
/* Swaps of funded channels tried per round, the likeliest first (on random
 * problems six found every gain an unlimited search did). */
#define SWAP_TRIES 6

void allocate_bounds(struct alloc_channel *ch, int n, const struct bound_rules *r)
{
	for (int i = 0; i < n; i++) {
		double lo = r->abs_lower ? r->abs_lower[i] : r->lower_ratio * ch[i].current;
		double hi = r->abs_upper ? r->abs_upper[i] : r->upper_ratio * ch[i].current;
		if (r->frozen && r->frozen[i])
			lo = hi = ch[i].current;
		else if (ch[i].curve->kind == CURVE_NONE)
			hi = lo; /* nothing to learn from: stays at its minimum */
		ch[i].lower = lo < 0 ? 0 : lo;
		ch[i].upper = hi < ch[i].lower ? ch[i].lower : hi;
	}
}

/* Whether a channel answers a multiplier at all: it has a curve and room
 * between its bounds. */
static int can_move(const struct alloc_channel *c)
{
	return c->curve->kind != CURVE_NONE && c->upper > c->lower;
}

/* Whether a channel's curve is concave over its whole range (or it cannot
 * move), so that equal marginals are enough for optimality. */
static int concave_in_bounds(const struct alloc_channel *c)
{
	return !can_move(c) || curve_inflection(c->curve) <= c->lower;
}

/*
 * A channel's best reply to a price mu per unit of spend: the spend in its
 * bounds that maximises f(s) - mu s. Where the curve is concave that is
 * where its marginal falls to mu; below an S-curve's inflection f - mu s is
 * convex, so its best there is an end of that part: the lower bound, the
 * inflection (the start of the concave part) or, when the whole range is
 * convex, the upper bound. Ties go to the lower bound: money that buys
 * nothing stays unspent.
 */
static double best_reply(const struct alloc_channel *c, double mu, double near)
{
	if (!can_move(c))
		return c->lower;
	double inflection = curve_inflection(c->curve);
	if (inflection <= c->lower) /* concave in its bounds */
		return curve_spend_for_marginal_concave(c->curve, mu, c->lower, c->upper, near, NULL);
	double s = inflection >= c->upper ? c->upper /* convex throughout */
		   : curve_spend_for_marginal_concave(c->curve, mu, inflection, c->upper, near, NULL);
	double gain = curve_value(c->curve, s) - curve_value(c->curve, c->lower) - mu * (s - c->lower);
	return gain > 0 ? s : c->lower;
}

/* best_reply for a channel concave within its bounds, or fixed: no
 * inflection to look for. *slope receives how its reply moves with mu
 * (1 / f'' inside its bounds, 0 at one). */
static double concave_reply(const struct alloc_channel *c, double mu, double near, double *slope)
{
	*slope = 0;
	if (!can_move(c))
		return c->lower;
	double curvature;
	double s = curve_spend_for_marginal_concave(c->curve, mu, c->lower, c->upper, near, &curvature);
	*slope = curvature < 0 ? 1 / curvature : 0;
	return s;
}

/* Each channel's best reply to a common marginal revenue mu into spend[n],
 * and their sum. spend[n] holds finite values on entry: each channel's
 * search starts from its own (the last reply, as mu converges). */
static double spend_at(const struct alloc_channel *ch, int n, double mu, double *spend)
{
	double sum = 0;
	for (int i = 0; i < n; i++) {
		spend[i] = best_reply(&ch[i], mu, spend[i]);
		sum += spend[i];
	}
	return sum;
}

/* spend_at where every channel is concave within its bounds or fixed (the
 * multiplier solves' case, every step of which comes here); *slope
 * receives the sum's derivative with respect to mu. */
static double concave_spend_at(const struct alloc_channel *ch, int n, double mu, double *spend,
			       double *slope)
{
	double sum = 0;
	*slope = 0;
	for (int i = 0; i < n; i++) {
		double moves;
		spend[i] = concave_reply(&ch[i], mu, spend[i], &moves);
		sum += spend[i];
		*slope += moves;
	}
	return sum;
}

static double revenue_of(const struct alloc_channel *ch, int n, const double *spend)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += curve_value(ch[i].curve, spend[i]);
	return sum;
}

static void totals(const struct alloc_channel *ch, int n, const double *spend, double mu,
		   struct allocation *out)
{
	out->multiplier = mu;
	out->total_spend = 0;
	for (int i = 0; i < n; i++)
		out->total_spend += spend[i];
	out->total_revenue = revenue_of(ch, n, spend);
}

/* Brings each spend within its bounds (a sum of shares can pass one by a
 * rounding), then puts the last difference on channels with room, so
 * that the split sums to the total exactly. */
static void settle(const struct alloc_channel *ch, int n, double total, double *spend)
{
	for (int i = 0; i < n; i++)
		spend[i] = spend[i] < ch[i].lower ? ch[i].lower
			 : spend[i] > ch[i].upper ? ch[i].upper : spend[i];
	for (int pass = 0; pass < 2; pass++) {
		double diff = total;
		for (int i = 0; i < n; i++)
			diff -= spend[i];
		/* Channels with a curve first: money on one without buys nothing
		 * (the grid's leftover can be whole money, not a rounding). */
		for (int any = 0; any < 2 && diff != 0; any++)
			for (int i = 0; i < n && diff != 0; i++) {
				if ((ch[i].curve->kind == CURVE_NONE) != any)
					continue;
				double bound = diff > 0 ? ch[i].upper : ch[i].lower, room = bound - spend[i];
				if (fabs(room) <= fabs(diff)) {
					spend[i] = bound; /* exactly: a sum can overshoot it */
					diff -= room;
				} else {
					spend[i] += diff;
					diff = 0;
				}
			}
	}
}

static void bound_totals(const struct alloc_channel *ch, int n, double *lower, double *upper)
{
	*lower = *upper = 0;
	for (int i = 0; i < n; i++) {
		*lower += ch[i].lower;
		*upper += ch[i].upper;
	}
}

/* A number for a message with these decimals, or in exponent form when
 * they would run to more digits than a message holds (a total of 1e300). */
static const char *number_text(double v, int decimals, char text[32])
{
	if (fabs(v) < 1e15)
		snprintf(text, 32, "%.*f", decimals, v);
	else
		snprintf(text, 32, "%.6g", v);
	return text;
}

/* An amount for a message: to the cent. */
static const char *amount_text(double v, char text[32])
{
	return number_text(v, 2, text);
}

static void out_of_memory(double total, char *err, size_t errlen)
{
	char amount[32];
	snprintf(err, errlen, "out of memory splitting the total %s", amount_text(total, amount));
}

/* 0 when every channel's bounds are a range of amounts, else -1 with err
 * naming the first that is not. */
static int check_bounds(const struct alloc_channel *ch, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
		if (!(ch[i].lower >= 0 && ch[i].lower <= ch[i].upper)) {
			char lo[32], hi[32];
			snprintf(err, errlen, "channel '%.64s': its bounds %s to %s are not a range",
				 ch[i].name ? ch[i].name : "?", amount_text(ch[i].lower, lo),
				 amount_text(ch[i].upper, hi));
			return -1;
		}
	return 0;
}

/* Whether amount a falls below b to the cent, as the messages print both
 * (past about 1e306 the cents overflow: then compared as they are). */
static int below_to_the_cent(double a, double b)
{
	double ca = round(a * 100), cb = round(b * 100);
	return isfinite(ca) && isfinite(cb) ? ca < cb : a < b;
}

/*
 * 0 when the total can be split within the bounds, else -1 with err saying
 * which bound binds. A total the bounds' sum matches to the cent (as the
 * messages print both) is that sum, in *feasible: a total typed from a
 * printed sum, or summed from rounded amounts, is not refused for less
 * than a cent that no message would show.
 */
static int check_total(const struct alloc_channel *ch, int n, double total, double *feasible,
		       char *err, size_t errlen)
{
	if (check_bounds(ch, n, err, errlen) != 0)
		return -1;
	double sum_lo, sum_hi;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	if (!isfinite(total)) {
		snprintf(err, errlen, "the total %g is not a finite amount", total);
		return -1;
	}
	char asked[32], sum[32];
	if (!(total >= 0) || below_to_the_cent(total, sum_lo)) {
		snprintf(err, errlen, "the total %s is below the sum of the channels' lower bounds "
			 "(%s): raise the total or lower the bounds", amount_text(total, asked),
			 amount_text(sum_lo, sum));
		return -1;
	}
	if (below_to_the_cent(sum_hi, total)) {
		snprintf(err, errlen, "the total %s is above the sum of the channels' upper bounds "
			 "(%s): lower the total or raise the bounds", amount_text(total, asked),
			 amount_text(sum_hi, sum));
		return -1;
	}
	*feasible = fmin(fmax(total, sum_lo), sum_hi);
	return 0;
}

/* --- the exact solve on concave ranges --------------------------------------- */

/* The ends of a bracket on log mu and the spend minus the total there. */
struct bracket {
	double a, b, fa, fb;
};

static void bracket_at(const struct alloc_channel *ch, int n, double total, double mu_lo,
		       double mu_hi, double *spend, struct bracket *br)
{
	double slope;
	br->a = log(mu_lo > 1e-300 ? mu_lo : 1e-300) - 1e-9;
	br->b = log(mu_hi) + 1e-9;
	br->fa = concave_spend_at(ch, n, exp(br->a), spend, &slope) - total; /* >= 0: most spend */
	br->fb = concave_spend_at(ch, n, exp(br->b), spend, &slope) - total; /* <= 0 */
}

/*
 * Newton on log mu from a guess (the incumbent's multiplier, which a
 * regime a step away from it moves little), unbracketed while each step
 * halves the miss: returns 2 with *mu when it meets the total within
 * tolerance, 1 with br set when its points fell on both sides of it (a
 * bracket, often far tighter than the replies' marginals give), else 0.
 */
static int guess_bracket(const struct alloc_channel *ch, int n, double total, double guess,
			 double tolerance, double *spend, struct bracket *br, double *mu)
{
	double a = -HUGE_VAL, b = HUGE_VAL, fa = 0, fb = 0, c = log(guess), last_miss = HUGE_VAL;
	for (int iter = 0; iter < 8 && isfinite(c); iter++) {
		double slope;
		*mu = exp(c);
		double fc = concave_spend_at(ch, n, *mu, spend, &slope) - total;
		if (fabs(fc) <= tolerance)
			return 2;
		if (fc > 0 && c > a)
			a = c, fa = fc;
		else if (fc <= 0 && c < b)
			b = c, fb = fc;
		if (!(slope < 0) || !(fabs(fc) < 0.5 * last_miss))
			break;
		last_miss = fabs(fc);
		c -= fc / (*mu * slope);
	}
	if (!(isfinite(a) && isfinite(b) && a < b))
		return 0;
	*br = (struct bracket){ a, b, fa, fb };
	return 1;
}

/*
 * The split of total between the replies to mu_a (summing to more) and to
 * mu_b (to less): each channel as far from its first reply toward its
 * second as the total needs. Where the replies' sum jumps between two
 * multipliers a hair apart, a channel whose marginal is flat there (a
 * stretch of a table that pooling made level) answers with a range of
 * spends; every split between has its marginals within the pair, so this
 * one is the optimum to that precision, where the miss left to settle()
 * would go to the first channels by index instead.
 */
static void split_between(const struct alloc_channel *ch, int n, double total, double mu_a,
			  double mu_b, double *spend)
{
	double sum_a = 0, sum_b = 0, unused;
	for (int i = 0; i < n; i++) {
		sum_a += concave_reply(&ch[i], mu_a, spend[i], &unused);
		sum_b += concave_reply(&ch[i], mu_b, spend[i], &unused);
	}
	if (!(sum_a > total && sum_b < total))
		return;
	double share = (sum_a - total) / (sum_a - sum_b);
	for (int i = 0; i < n; i++) {
		double at_a = concave_reply(&ch[i], mu_a, spend[i], &unused);
		spend[i] = at_a + share * (concave_reply(&ch[i], mu_b, at_a, &unused) - at_a);
	}
}

/*
 * The common marginal mu at which the channels' replies sum to the total,
 * every curve being concave within its bounds (then a reply falls as mu
 * rises and the split is the exact optimum). mu lies between the smallest
 * marginal at an upper bound and the largest at a lower bound. A caller
 * that knows a multiplier near the answer passes it as guess (0 if not):
 * Newton from there often meets the total in a step or two, or brackets
 * it (guess_bracket). Else a split near the answer, hint[n] (or NULL),
 * brackets mu between its free channels' marginals when that holds the
 * total. Then on log mu, inside the bracket: Newton (the sum's slope from
 * each reply's curvature, a by-product of finding it) while its steps
 * halve the miss, else regula falsi (Illinois), and bisection when the
 * bracket has not halved in two steps. On random S-shaped
 * problems, 31 evaluations of the replies per allocation against 61 with
 * regula falsi from the hint's bracket alone. spend[n], a guess of the
 * split on entry (finite values), receives the split, not yet settled;
 * returns mu (0 when nothing can move).
 */
static double solve_multiplier(const struct alloc_channel *ch, int n, double total,
			       const double *hint, double guess, double *spend)
{
	struct bracket br;
	int hinted = 0;
	const double tolerance = 1e-10 * (total + 1);
	int movable = 0; /* else the multiplier is 0: nothing answers it */
	for (int i = 0; i < n && !movable; i++)
		movable = can_move(&ch[i]);
	if (guess > 0 && movable) {
		double mu = 0;
		int found = guess_bracket(ch, n, total, guess, tolerance, spend, &br, &mu);
		if (found == 2)
			return mu;
		hinted = found;
	}
	/* The free channels' marginals at the hint bracket mu. */
	double hint_lo = HUGE_VAL, hint_hi = 0;
	for (int i = 0; i < n && hint != NULL && !hinted; i++) {
		if (!can_move(&ch[i]))
			continue;
		double m = curve_marginal(ch[i].curve, hint[i]);
		hint_lo = m < hint_lo ? m : hint_lo;
		hint_hi = m > hint_hi ? m : hint_hi;
	}
	if (!hinted && hint_lo > 0 && hint_hi >= hint_lo && isfinite(hint_hi)) {
		bracket_at(ch, n, total, hint_lo, hint_hi, spend, &br);
		hinted = br.fa >= 0 && br.fb <= 0;
	}
	if (!hinted) {
		double mu_lo = HUGE_VAL, mu_hi = 0;
		for (int i = 0; i < n; i++) {
			if (!can_move(&ch[i]))
				continue;
			double at_lo = curve_marginal(ch[i].curve, ch[i].lower);
			double at_hi = curve_marginal(ch[i].curve, ch[i].upper);
			mu_hi = at_lo > mu_hi ? at_lo : mu_hi;
			mu_lo = at_hi < mu_lo ? at_hi : mu_lo;
		}
		if (mu_hi <= 0 || !isfinite(mu_lo)) { /* nothing can move */
			double slope;
			concave_spend_at(ch, n, 1, spend, &slope);
			return 0;
		}
		bracket_at(ch, n, total, mu_lo, mu_hi, spend, &br);
	}
	double a = br.a, b = br.b, fa = br.fa, fb = br.fb, mu = exp(b);
	double newton = NAN, last_miss = HUGE_VAL, miss = HUGE_VAL, width_before = b - a;
	int side = 0;
	for (int iter = 0; iter < 100; iter++) {
		double c = newton;
		if (!(c > a && c < b)) {
			c = fa - fb != 0 ? b - fb * (b - a) / (fb - fa) : 0.5 * (a + b);
			if (!(c > a && c < b))
				c = 0.5 * (a + b);
		}
		/* A bracket that has not halved in two steps is bisected: where a
		 * reply leaves its bound the sum can rise by most of its range
		 * within a hair of log mu, and then Newton and regula falsi each
		 * creep at one end without meeting (and settle() would put the
		 * miss on the first channels by index). */
		if (iter % 2 == 1) {
			if (b - a > 0.5 * width_before)
				c = 0.5 * (a + b);
			width_before = b - a;
		}
		double slope;
		double fc = concave_spend_at(ch, n, exp(c), spend, &slope) - total;
		mu = exp(c), miss = fabs(fc);
		if (miss <= tolerance || b - a < 1e-13)
			break;
		if (fc > 0) {
			a = c, fa = fc;
			if (side == 1)
				fb *= 0.5;
			side = 1;
		} else {
			b = c, fb = fc;
			if (side == -1)
				fa *= 0.5;
			side = -1;
		}
		/* The sum moves with log mu by mu times its slope in mu. A step
		 * that did not halve the miss (a reply reaching a bound bends
		 * the sum) hands the next one to the bracket. */
		newton = slope < 0 && fabs(fc) < 0.5 * last_miss ? c - fc / (mu * slope) : NAN;
		last_miss = fabs(fc);
	}
	if (!(miss <= tolerance)) /* the bracket closed on a jump of the sum */
		split_between(ch, n, total, exp(a), exp(b), spend);
	return mu;
}

/* --- the grid search for S-curves -------------------------------------------- */

/*
 * The dynamic program over the free budget R = total - sum of lower bounds:
 * channel i takes j units of step = R / units above its lower bound, up to
 * cap[i] units (its upper bound, the last unit possibly short, or all the
 * units), and the units sum to `units`. best[i][k] is the most revenue channels 0..i-1 earn with
 * k units. Owns its arrays; grid_free releases them, also half-built.
 */
struct grid {
	int n, units;
	double step;
	int *cap;      /* [n] units that reach the upper bound, at most units */
	double *value; /* [n][units + 1] revenue of channel i at j units */
	double *best;  /* [n + 1][units + 1] */
};

static void grid_free(struct grid *g)
{
	free(g->best);
	free(g->value);
	free(g->cap);
}

/* Channel c's spend at j units: its upper bound once they reach its room. */
static double grid_spend(const struct alloc_channel *c, const struct grid *g, int j)
{
	double spend = c->lower + j * g->step;
	return spend < c->upper ? spend : c->upper;
}

/*
 * Sizes the grid for a total that check_total accepted and tabulates each
 * channel's revenue on it, once per request. Returns 0, or -1 when memory
 * runs out (g then still goes to grid_free).
 */
static int grid_init(struct grid *g, const struct alloc_channel *ch, int n, double total, int units)
{
	double sum_lo, sum_hi;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	double free_budget = total - sum_lo;
	*g = (struct grid){ .n = n, .units = free_budget > 0 ? units : 0 };
	g->step = g->units > 0 ? free_budget / g->units : 0;
	g->cap = malloc((size_t)(n > 0 ? n : 1) * sizeof *g->cap); /* malloc(0) may be NULL */
	if (!g->cap)
		return -1;
	long room_units = 0;
	for (int i = 0; i < n; i++) {
		double room = ch[i].upper - ch[i].lower, cap = 0;
		if (room > 0 && g->units > 0) {
			cap = ceil(room / g->step - 1e-9); /* the last unit may be short */
			cap = cap < 1 ? 1 : cap > g->units ? g->units : cap;
		}
		g->cap[i] = (int)cap;
		room_units += g->cap[i];
	}
	if (room_units < g->units) /* a total a rounding above the upper bounds */
		g->units = (int)room_units;
	size_t row = (size_t)g->units + 1;
	g->value = malloc((size_t)n * row * sizeof *g->value);
	g->best = malloc(((size_t)n + 1) * row * sizeof *g->best);
	if (!g->value || !g->best)
		return -1;
	for (int i = 0; i < n; i++)
		for (int j = 0; j <= g->cap[i]; j++)
			g->value[i * row + j] = curve_value(ch[i].curve, grid_spend(&ch[i], g, j));
	return 0;
}

/*
 * Max-plus convolution of the channels' revenue tables, one channel at a
 * time. The loop over a channel's units is outside, so that the inner loop
 * is an element-wise maximum the compiler vectorises; k only runs where the
 * channels before can have put units and, unless every_total (the best of
 * every count of units wanted, in the last row), the channels after can
 * still take the rest.
 */
static void grid_forward(struct grid *g, int every_total)
{
	int units = g->units;
	size_t row = (size_t)units + 1;
	for (int k = 0; k <= units; k++)
		g->best[k] = -HUGE_VAL;
	g->best[0] = 0;
	long after = 0;
	for (int i = 0; i < g->n; i++)
		after += g->cap[i];
	int reach = 0;
	for (int i = 0; i < g->n; i++) {
		const double *prev = g->best + i * row, *value = g->value + i * row;
		double *next = g->best + (i + 1) * row;
		after -= g->cap[i];
		int kmin = units - after > 0 && !every_total ? (int)(units - after) : 0;
		int kmax = reach + g->cap[i] < units ? reach + g->cap[i] : units;
		for (int k = 0; k <= units; k++)
			next[k] = -HUGE_VAL;
		for (int j = 0; j <= g->cap[i] && j <= kmax; j++) {
			int lo = kmin > j ? kmin : j, hi = reach + j < kmax ? reach + j : kmax;
			double v = value[j];
			for (int k = lo; k <= hi; k++) {
				double c = prev[k - j] + v;
				next[k] = c > next[k] ? c : next[k];
			}
		}
		reach = kmax;
	}
}

/* Walks the table back from all units spent: each channel's units are the
 * first that attain its row's best. spend[n] receives the grid split. */
static void grid_backtrack(const struct grid *g, const struct alloc_channel *ch, double *spend)
{
	size_t row = (size_t)g->units + 1;
	int k = g->units;
	for (int i = g->n - 1; i >= 0; i--) {
		const double *prev = g->best + i * row, *value = g->value + i * row;
		int pick = 0;
		double top = -HUGE_VAL;
		for (int j = 0; j <= g->cap[i] && j <= k; j++)
			if (prev[k - j] + value[j] > top)
				top = prev[k - j] + value[j], pick = j;
		spend[i] = grid_spend(&ch[i], g, pick);
		k -= pick;
	}
}

/*
 * Grid units for splitting a total among n channels: the program costs up
 * to n units^2 / 2 max-plus steps, so the grid is finer for few channels
 * and coarser for many; 200 units for 20 channels keeps a request well
 * under 500 us. A total just above the lower bounds' sum has a free budget
 * smaller than the channels' rooms, each of which can then take all the
 * units (the program's worst case), where the grid only has to find the
 * regime that the refinement then solves exactly: the step is no finer
 * than a quarter of the units give the channels' mean room, each room
 * counted up to the free budget (so a quarter of the units when every
 * room exceeds it, all of them when the rooms average a quarter of it or
 * less, as 20 channels' do at the default bounds and the current total;
 * 8 channels' get two thirds of them there), and no fewer than 64 units.
 */
static int grid_units(const struct alloc_channel *ch, int n, double total)
{
	double units = 200 * sqrt(20.0 / (n > 0 ? n : 1));
	units = units > 400 ? 400 : units < 64 ? 64 : units;
	double sum_lo, sum_hi, room = 0;
	int movable = 0;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	double free_budget = fmax(total - sum_lo, 0);
	for (int i = 0; i < n; i++)
		if (ch[i].upper > ch[i].lower) {
			room += fmin(ch[i].upper - ch[i].lower, free_budget);
			movable++;
		}
	double finest = movable ? 0.25 * units * free_budget / (room / movable) : units;
	return !(finest < units) ? (int)units : finest < 64 ? 64 : (int)ceil(finest);
}

int allocate_grid_optimum(const struct alloc_channel *ch, int n, double total, int units,
			  double *spend, double *revenue, char *err, size_t errlen)
{
	if (check_total(ch, n, total, &total, err, errlen) != 0)
		return -1;
	struct grid g;
	int rc = grid_init(&g, ch, n, total, units > 0 ? units : 1);
	if (rc == 0) {
		grid_forward(&g, 0);
		grid_backtrack(&g, ch, spend);
		*revenue = g.best[(size_t)n * ((size_t)g.units + 1) + (size_t)g.units];
	} else {
		out_of_memory(total, err, errlen);
	}
	grid_free(&g);
	return rc;
}

/* --- exact refinement of the grid's choice ----------------------------------- */

/*
 * The regime of a feasible split p, as bounds in sub[n]: a channel whose
 * curve is concave where p lies is free on that concave part (from its
 * lower bound or its inflection, to its upper bound); a channel below its
 * S-curve's inflection, or without a curve, is fixed at p. Channels fixed
 * strictly inside a convex part are listed in convex[]; returns their count.
 */
static int regime_at(const struct alloc_channel *ch, int n, const double *p,
		     struct alloc_channel *sub, int *convex)
{
	int count = 0;
	for (int i = 0; i < n; i++) {
		sub[i] = ch[i];
		double inflection = curve_inflection(ch[i].curve);
		if (ch[i].curve->kind != CURVE_NONE && p[i] >= inflection) {
			if (inflection > sub[i].lower)
				sub[i].lower = inflection < sub[i].upper ? inflection : sub[i].upper;
			continue;
		}
		sub[i].lower = sub[i].upper = p[i];
		if (ch[i].curve->kind != CURVE_NONE && p[i] > ch[i].lower && p[i] < ch[i].upper)
			convex[count++] = i;
	}
	return count;
}

/* The best split found so far, and the multiplier of its regime. */
struct incumbent {
	double *spend;
	double revenue, mu;
};

/*
 * Solves a regime (sub[n], each channel concave within its bounds there or
 * fixed) exactly into trial[n]: returns its revenue and sets *mu, or
 * returns -inf when the regime cannot hold the total. The search starts
 * from guess, a multiplier near the answer (0: none), and hint[n], a split
 * near it (solve_multiplier).
 */
static double solve_regime(const struct alloc_channel *ch, const struct alloc_channel *sub, int n,
			   double total, const double *hint, double guess, double *trial, double *mu)
{
	double sum_lo, sum_hi;
	bound_totals(sub, n, &sum_lo, &sum_hi);
	if (total < sum_lo - 1e-9 * (total + 1) || total > sum_hi + 1e-9 * (total + 1))
		return -HUGE_VAL;
	memcpy(trial, hint, (size_t)n * sizeof *trial);
	*mu = solve_multiplier(sub, n, total, hint, guess, trial);
	settle(sub, n, total, trial);
	return revenue_of(ch, n, trial);
}

/* Solves a regime and keeps it when it earns more than the incumbent;
 * returns whether it did. trial[n] is scratch. */
static int try_regime(const struct alloc_channel *ch, const struct alloc_channel *sub, int n,
		      double total, const double *hint, double *trial, struct incumbent *best)
{
	double mu = 0, revenue = solve_regime(ch, sub, n, total, hint, best->mu, trial, &mu);
	if (!(revenue > best->revenue))
		return 0;
	memcpy(best->spend, trial, (size_t)n * sizeof *trial);
	best->revenue = revenue;
	best->mu = mu;
	return 1;
}

/* The end of c's convex part: its inflection, or its upper bound below it. */
static double convex_top(const struct alloc_channel *c)
{
	double inflection = curve_inflection(c->curve);
	return inflection < c->upper ? inflection : c->upper;
}

/* Whether revenue went from start to now by more than a rounding (so that
 * rounding alone never restarts a round of exchanges). */
static int gained(double start, double now)
{
	return now > start + 1e-12 * (fabs(start) + 1);
}

/* The second derivative of a curve at s, by central difference of its
 * marginal (curve.h gives no closed form; only its sign and size matter). */
static double curvature(const struct response_curve *c, double s)
{
	double h = 1e-5 * (s + 1), lo = s - h > 0 ? s - h : 0;
	return (curve_marginal(c, s + h) - curve_marginal(c, lo)) / (s + h - lo);
}

/*
 * After polish_convex kept a step of c from s: a partner of extreme
 * curvature (a concave curve near zero spend, whose marginal there grows
 * without bound) makes Newton's step far shorter than the gain's reach,
 * one small step an iteration. When the step kept was under a thousandth
 * of c's range while the slope was over a thousandth of the multiplier,
 * it is stretched fourfold while that keeps gaining; sub[c] ends at the
 * kept spend.
 */
static void stretch_step(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			 double total, int c, double s, double slope, double bottom, double top,
			 double *trial, struct incumbent *best)
{
	double step = best->spend[c] - s;
	if (!(fabs(step) < 1e-3 * (top - bottom) && fabs(slope) > 1e-3 * best->mu))
		return;
	for (int stretch = 0; stretch < 12; stretch++) {
		step *= 4;
		double next = s + step;
		next = next < bottom ? bottom : next > top ? top : next;
		sub[c].lower = sub[c].upper = next;
		if (!try_regime(ch, sub, n, total, best->spend, trial, best) || next == bottom ||
		    next == top)
			break;
	}
	sub[c].lower = sub[c].upper = best->spend[c];
}

/*
 * A channel c fixed inside its convex part (sub[c], at the incumbent's
 * spend, the incumbent solving the rest) is moved by Newton's method to
 * where its marginal equals the others' multiplier: with V the others'
 * optimum for what c leaves, g(s) = f_c(s) + V(total - s) has
 * g' = f_c'(s) - mu and g'' = f_c''(s) + dmu/dR, where dmu/dR is
 * 1 / sum of 1/f_i'' over the free channels inside their bounds, and
 * those at a bound that would trade with c (where g'' >= 0 the step goes
 * to the end the slope points to). Steps stay in [lower, inflection],
 * leave the others a total their bounds can hold, and are halved until
 * they earn more (or given up), or stretched while a short one does
 * (stretch_step), so the incumbent never gets worse; sub[c] ends at the
 * kept spend.
 */
static void polish_convex(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			  double total, int c, double *trial, struct incumbent *best)
{
	const struct response_curve *curve = ch[c].curve;
	/* c's spend must leave the others a total their bounds can hold. */
	double others_lo, others_hi;
	bound_totals(sub, n, &others_lo, &others_hi);
	others_lo -= sub[c].lower, others_hi -= sub[c].upper;
	double top = convex_top(&ch[c]);
	double bottom = ch[c].lower > total - others_hi ? ch[c].lower : total - others_hi;
	top = top < total - others_lo ? top : total - others_lo;
	for (int iter = 0; iter < 8; iter++) {
		double s = best->spend[c], slope = curve_marginal(curve, s) - best->mu;
		if (fabs(slope) <= 1e-10 * best->mu)
			return;
		double give = 0; /* dR/dmu: how the others' spend answers the multiplier */
		/* How far c can move before one of them reaches a bound: each
		 * takes the share 1/f_i'' / give of c's step, so that is |give|
		 * times the least room_i |f_i''| (a channel whose marginal falls
		 * steeply takes little, whatever its room). */
		double per_unit = HUGE_VAL;
		for (int i = 0; i < n; i++) {
			double at = best->spend[i];
			if (i == c || sub[i].upper <= sub[i].lower)
				continue;
			/* Channels inside their bounds whose marginal is the
			 * multiplier answer it (one at a bound can sit a rounding
			 * off it); one at a bound joins when it would trade with c
			 * the way c's slope points (the only free channel, left at
			 * zero spend by a tight total, with a marginal far above c's). */
			int inside = at > sub[i].lower && at < sub[i].upper;
			double marginal = curve_marginal(sub[i].curve, at), tol = 1e-9 * (total + 1);
			int answers = inside && fabs(marginal - best->mu) <= 1e-6 * best->mu;
			int joins = (slope < 0 && at <= sub[i].lower + tol && marginal > slope + best->mu) ||
				    (slope > 0 && at >= sub[i].upper - tol && marginal < slope + best->mu);
			if (!answers && !joins)
				continue;
			double bend = curvature(sub[i].curve, at);
			if (!(bend < 0))
				continue;
			give += 1 / bend;
			double room_i = slope > 0 ? at - sub[i].lower : sub[i].upper - at;
			per_unit = fmin(per_unit, room_i * -bend);
		}
		if (!(give < 0))
			return; /* nobody to trade with */
		double room = per_unit * -give;
		/* Where g is not concave here, its best along the slope is an end. */
		double bend = curvature(curve, s) + 1 / give;
		double next = bend < 0 ? s - slope / bend : slope > 0 ? top : bottom;
		next = next < bottom ? bottom : next > top ? top : next;
		int kept = 0;
		double far = next;
		for (int halve = 0; halve < 6 && !kept && next != s; halve++, next = 0.5 * (s + next)) {
			sub[c].lower = sub[c].upper = next;
			kept = try_regime(ch, sub, n, total, best->spend, trial, best);
		}
		/* The others may run out of room first (one a rounding inside a
		 * bound, or all near one): the step that takes exactly their
		 * room, halved in turn (past it, their marginals may fall below
		 * c's), the next Newton step starting from what is kept. */
		double step = room;
		for (int halve = 0; halve < 6 && !kept && room < fabs(far - s); halve++, step *= 0.5) {
			next = slope > 0 ? s + step : s - step;
			next = next < bottom ? bottom : next > top ? top : next;
			sub[c].lower = sub[c].upper = next;
			kept = next != s && try_regime(ch, sub, n, total, best->spend, trial, best);
		}
		if (!kept) {
			sub[c].lower = sub[c].upper = s;
			return;
		}
		stretch_step(ch, sub, n, total, c, s, slope, bottom, top, trial, best);
	}
}

/* The ends of the segment where c and d, sharing `shared`, both stay on
 * their convex parts, each exactly at the bound or inflection that limits
 * it: ends[e] = { c's spend, d's }. */
static void pair_ends(const struct alloc_channel *ch, int c, int d, double shared,
		      double ends[2][2])
{
	double top_c = convex_top(&ch[c]), top_d = convex_top(&ch[d]);
	int c_limits = ch[c].lower >= shared - top_d, top_limits = top_c <= shared - ch[d].lower;
	ends[0][0] = c_limits ? ch[c].lower : shared - top_d;
	ends[0][1] = c_limits ? shared - ch[c].lower : top_d;
	ends[1][0] = top_limits ? top_c : shared - ch[d].lower;
	ends[1][1] = top_limits ? shared - top_c : ch[d].lower;
}

/*
 * Channels c and d inside convex parts, the rest solved: what they share
 * goes to the better end of the segment where both stay on their convex
 * parts, one of them at a bound or its inflection. Revenue is convex along
 * that segment (both curves are), so an end is its best. Returns whether
 * the incumbent improved; sub[] is left as it was.
 */
static int exchange_pair(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			 double total, int c, int d, double *trial, struct incumbent *best)
{
	double ends[2][2];
	pair_ends(ch, c, d, best->spend[c] + best->spend[d], ends);
	struct alloc_channel keep_c = sub[c], keep_d = sub[d];
	double start = best->revenue;
	for (int e = 0; e < 2; e++) {
		sub[c].lower = sub[c].upper = ends[e][0];
		sub[d].lower = sub[d].upper = ends[e][1];
		try_regime(ch, sub, n, total, best->spend, trial, best);
	}
	sub[c] = keep_c, sub[d] = keep_d;
	return gained(start, best->revenue);
}

/*
 * A channel above its lower bound but not past its inflection (inside its
 * convex part, or at the inflection where an exchange or the concave-part
 * try put it) whose marginal is not the others' multiplier: moved along
 * its convex part to where it is (polish_convex), then tried at its lower
 * bound and on its concave part, the rest solved again each time. At the
 * inflection an S-curve's marginal is its largest; when the others'
 * multiplier is larger still, money moved down the convex part does more
 * elsewhere, at first; when it is smaller, the channel belongs on its
 * concave part (a rounding below the inflection leaves it fixed there).
 * Returns whether the incumbent improved.
 */
static int settle_convex(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			 double total, double *trial, struct incumbent *best)
{
	double start = best->revenue;
	if (!(best->mu > 0))
		return 0; /* no multiplier to meet: nothing free */
	for (int c = 0; c < n; c++) {
		double s = best->spend[c];
		/* Tolerances of the solve's own rounding, which settle() puts on
		 * the first channel with room. */
		if (ch[c].curve->kind == CURVE_NONE || s <= ch[c].lower + 1e-9 * (total + 1) ||
		    s > curve_inflection(ch[c].curve) + 1e-9 * (total + 1) ||
		    fabs(curve_marginal(ch[c].curve, s) - best->mu) <= 1e-6 * best->mu)
			continue;
		struct alloc_channel keep = sub[c];
		sub[c].lower = sub[c].upper = s;
		polish_convex(ch, sub, n, total, c, trial, best);
		sub[c].lower = sub[c].upper = ch[c].lower;
		try_regime(ch, sub, n, total, best->spend, trial, best);
		sub[c].lower = convex_top(&ch[c]), sub[c].upper = ch[c].upper;
		try_regime(ch, sub, n, total, best->spend, trial, best);
		sub[c] = keep;
		if (gained(start, best->revenue))
			return 1;
	}
	return 0;
}

/*
 * A channel inside its convex part beside an S-curve channel at an end of
 * its own (its lower bound or its inflection): exchange_pair is tried
 * when moving money between the two alone, the rest held, already gains
 * at an end of their segment (solving the rest again only adds to that).
 * A split of channels all convex over their bounds has no multiplier to
 * move anything else, and the grid's units can leave it with one channel
 * inside where another at its lower bound should have had the money.
 * Returns whether the incumbent improved.
 */
static int exchange_with_ends(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			      double total, const int *convex, int count, double *trial,
			      struct incumbent *best)
{
	double tol = 1e-9 * (total + 1);
	for (int a = 0; a < count; a++) {
		int c = convex[a];
		for (int d = 0; d < n; d++) {
			double s = best->spend[d], top = convex_top(&ch[d]), ends[2][2];
			if (d == c || ch[d].curve->kind == CURVE_NONE || top <= ch[d].lower ||
			    (s > ch[d].lower + tol && fabs(s - top) > tol))
				continue;
			double now = curve_value(ch[c].curve, best->spend[c]) + curve_value(ch[d].curve, s);
			pair_ends(ch, c, d, best->spend[c] + s, ends);
			int pays = 0;
			for (int e = 0; e < 2; e++)
				pays |= gained(now, curve_value(ch[c].curve, ends[e][0]) +
							 curve_value(ch[d].curve, ends[e][1]));
			if (pays && exchange_pair(ch, sub, n, total, c, d, trial, best))
				return 1;
		}
	}
	return 0;
}

/* The sum of the lower bounds of sub[n]. */
static double bound_lower(const struct alloc_channel *sub, int n)
{
	double lower, upper;
	bound_totals(sub, n, &lower, &upper);
	return lower;
}

/*
 * When sub[n]'s lower bounds pass the total, the channel held past its
 * inflection (free on its concave part, its lower bound raised there) that
 * can give up the difference inside its convex part, the one with the
 * most room there: its index, or -1 when none can (or none is short). The
 * channel just funded can be it: it then takes what the others spare.
 */
static int held_short(const struct alloc_channel *ch, const struct alloc_channel *sub, int n,
		      double total)
{
	double need = bound_lower(sub, n) - total, room = need;
	int found = -1;
	for (int j = 0; j < n && need > 0; j++) {
		double can = sub[j].lower - ch[j].lower;
		if (sub[j].upper > sub[j].lower && can >= room)
			room = can, found = j;
	}
	return need > 0 ? found : -1;
}

/* What funding c from its lower bound past its convex part (to its best
 * reply to mu there, or its upper bound when it has none) earns, less mu
 * for each unit it takes: a bound on what that can gain, as the others
 * give money up at marginals of at least mu. */
static double funding_gain(const struct alloc_channel *c, double mu)
{
	double lower = c->lower, top = convex_top(c);
	double s = top >= c->upper ? c->upper
				   : curve_spend_for_marginal(c->curve, mu, top, c->upper, 0);
	return curve_value(c->curve, s) - curve_value(c->curve, lower) - mu * (s - lower);
}

/*
 * A channel at its lower bound below its inflection is fixed there in
 * every regime; the grid's whole units can leave one there that pays past
 * its convex part (one convex over all its bounds a fraction of a unit
 * short of its upper bound earns less than at it). Screened by what
 * funding it earns at the multiplier, at its best reply past the convex
 * part (its upper bound when it has none), less the multiplier for each
 * unit it takes (funding_gain: no screened-out channel could gain), it is
 * tried there, the rest solved again. Returns whether the incumbent
 * improved.
 */
static int fund_from_lower(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			   double total, double *trial, struct incumbent *best)
{
	double start = best->revenue;
	if (!(best->mu > 0))
		return 0;
	for (int c = 0; c < n; c++) {
		double lower = ch[c].lower, top = convex_top(&ch[c]);
		if (ch[c].curve->kind == CURVE_NONE || ch[c].upper <= lower ||
		    best->spend[c] > lower + 1e-9 * (total + 1) || top <= lower)
			continue;
		if (!(funding_gain(&ch[c], best->mu) > 0))
			continue;
		struct alloc_channel keep = sub[c];
		sub[c].lower = top, sub[c].upper = ch[c].upper;
		int short_of = held_short(ch, sub, n, total);
		struct alloc_channel keep_short = sub[short_of >= 0 ? short_of : c];
		if (short_of >= 0) /* it cannot spare enough past its inflection */
			sub[short_of].lower = sub[short_of].upper =
				total - (bound_lower(sub, n) - sub[short_of].lower);
		try_regime(ch, sub, n, total, best->spend, trial, best);
		if (short_of >= 0)
			sub[short_of] = keep_short;
		sub[c] = keep;
		if (gained(start, best->revenue))
			return 1;
	}
	return 0;
}

/*
 * Which S-curve channels to fund at all is a choice the grid's units make
 * coarsely: it can fund one past its threshold where funding another
 * instead, or none, earns more. With mu the multiplier and the rest
 * staying in their regimes (taking or giving money at marginals of at
 * most, or at least, mu), dropping channel c from its concave part to its
 * lower bound gains at most mu times the money freed less the revenue it
 * earned (dropped[c]), and funding d from its lower bound at most
 * funding_gain (gain[d]); -inf where not a candidate. The
 * drops, alone or with one funding, whose bound is positive are tried in
 * order of their bounds, up to SWAP_TRIES, the rest solved again each
 * time. gain: scratch of 2n. Returns whether the incumbent improved.
 */
static int swap_funded(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
		       double total, double *trial, double *gain, struct incumbent *best)
{
	double start = best->revenue, mu = best->mu, tol = 1e-9 * (total + 1);
	double *dropped = gain + n;
	if (!(mu > 0))
		return 0;
	for (int i = 0; i < n; i++) {
		const struct response_curve *curve = ch[i].curve;
		double lower = ch[i].lower, top = convex_top(&ch[i]), s = best->spend[i];
		gain[i] = dropped[i] = -HUGE_VAL;
		if (curve->kind == CURVE_NONE || ch[i].upper <= lower || top <= lower)
			continue;
		if (s <= lower + tol)
			gain[i] = funding_gain(&ch[i], mu);
		else if (s >= curve_inflection(curve))
			dropped[i] = mu * (s - lower) - (curve_value(curve, s) - curve_value(curve, lower));
	}
	double below = HUGE_VAL;
	for (int k = 0; k < SWAP_TRIES; k++) {
		int bc = -1, bd = -1; /* the next likeliest: drop bc, fund bd (or none) */
		double bound = 0;
		for (int c = 0; c < n; c++) {
			if (!(dropped[c] > -HUGE_VAL))
				continue;
			if (dropped[c] > bound && dropped[c] < below)
				bound = dropped[c], bc = c, bd = -1;
			for (int d = 0; d < n; d++)
				if (dropped[c] + gain[d] > bound && dropped[c] + gain[d] < below)
					bound = dropped[c] + gain[d], bc = c, bd = d;
		}
		if (bc < 0)
			return 0;
		below = bound;
		struct alloc_channel keep_c = sub[bc], keep_d = sub[bd >= 0 ? bd : bc];
		sub[bc].lower = sub[bc].upper = ch[bc].lower;
		if (bd >= 0)
			sub[bd].lower = convex_top(&ch[bd]), sub[bd].upper = ch[bd].upper;
		try_regime(ch, sub, n, total, best->spend, trial, best);
		if (bd >= 0)
			sub[bd] = keep_d;
		sub[bc] = keep_c;
		if (gained(start, best->revenue))
			return 1;
	}
	return 0;
}

/*
 * At most one channel can stay inside a convex part at an optimum (two
 * would gain by exchange_pair); the grid's whole units can leave two
 * there, one a fraction of a unit short of its upper bound. Pairs are
 * moved to an end; a channel on a convex part whose marginal is not the
 * multiplier is moved along it (settle_convex); one left at its lower
 * bound that would pay is funded (fund_from_lower); a funded S-curve
 * channel is dropped, alone or for another (swap_funded); and one inside
 * its convex part is paired with one at an end of its own
 * (exchange_with_ends). Until none gains more than a rounding, each new
 * regime solved (a channel moved to its inflection is free past it).
 * trial, convex: scratch of n; gain: of 2n.
 */
static void exchange_convex(const struct alloc_channel *ch, struct alloc_channel *sub, int n,
			    double total, double *trial, double *gain, int *convex,
			    struct incumbent *best)
{
	for (int round = 0; round < n; round++) {
		int count = regime_at(ch, n, best->spend, sub, convex), improved = 0;
		if (round > 0) /* the incumbent's regime: refine solved the first */
			try_regime(ch, sub, n, total, best->spend, trial, best);
		for (int a = 0; a < count && !improved; a++)
			for (int b = a + 1; b < count && !improved; b++)
				improved = exchange_pair(ch, sub, n, total, convex[a], convex[b], trial, best);
		if (!improved)
			improved = settle_convex(ch, sub, n, total, trial, best);
		if (!improved)
			improved = fund_from_lower(ch, sub, n, total, trial, best);
		if (!improved)
			improved = swap_funded(ch, sub, n, total, trial, gain, best);
		if (!improved)
			improved = exchange_with_ends(ch, sub, n, total, convex, count, trial, best);
		if (!improved)
			return;
	}
}

/*
 * From the grid's split (settled to the total, in spend[n]) to the exact
 * optimum of its regime. A channel the grid left inside a convex part is
 * moved to where its marginal meets the others' (polish_convex), then
 * also tried at its lower bound and on its concave part (or at its upper
 * bound), the others solved again each time. spend[n] receives the best;
 * returns its multiplier. sub, trial, convex: scratch of n each; held:
 * of 3n.
 */
static double refine(const struct alloc_channel *ch, int n, double total, double *spend,
		     struct alloc_channel *sub, double *trial, double *held, int *convex)
{
	memcpy(held, spend, (size_t)n * sizeof *held);
	struct incumbent best = { spend, -HUGE_VAL, 0 };
	int count = regime_at(ch, n, held, sub, convex);
	count = count < MAX_CONVEX_TRIES ? count : MAX_CONVEX_TRIES;
	if (try_regime(ch, sub, n, total, held, trial, &best))
		for (int t = 0; t < count; t++)
			polish_convex(ch, sub, n, total, convex[t], trial, &best);
	for (int t = 0; t < count; t++) {
		int c = convex[t];
		struct alloc_channel keep = sub[c];
		sub[c].lower = sub[c].upper = ch[c].lower;
		try_regime(ch, sub, n, total, held, trial, &best);
		sub[c].upper = ch[c].upper;
		sub[c].lower = convex_top(&ch[c]);
		try_regime(ch, sub, n, total, held, trial, &best);
		sub[c] = keep;
	}
	if (best.revenue > -HUGE_VAL)
		exchange_convex(ch, sub, n, total, trial, held + n, convex, &best);
	/* The grid split is feasible in its own regime, so the exact solve
	 * cannot lose to it beyond rounding; keep it if it ever does. */
	double grid_revenue = revenue_of(ch, n, held);
	if (grid_revenue > best.revenue + 1e-9 * (fabs(grid_revenue) + 1)) {
		memcpy(spend, held, (size_t)n * sizeof *held);
		best.mu = 0;
	}
	return best.mu;
}

/*
 * The global search: the grid's best split, settled to the total, then
 * refined exactly. spend[n] receives the split; returns 0, or -1 when
 * memory runs out. All scratch is owned here and freed on every path.
 */
static int search_global(const struct alloc_channel *ch, int n, double total, double *spend,
			 double *mu)
{
	struct grid g;
	int rc = grid_init(&g, ch, n, total, grid_units(ch, n, total));
	struct alloc_channel *sub = malloc((size_t)n * sizeof *sub);
	double *scratch = malloc(4 * (size_t)n * sizeof *scratch);
	int *convex = malloc((size_t)n * sizeof *convex);
	if (rc == 0 && sub && scratch && convex) {
		grid_forward(&g, 0);
		grid_backtrack(&g, ch, spend);
		settle(ch, n, total, spend);
		*mu = refine(ch, n, total, spend, sub, scratch, scratch + n, convex);
		settle(ch, n, total, spend); /* a regime held the total only to a rounding */
	} else {
		rc = -1;
	}
	free(convex);
	free(scratch);
	free(sub);
	grid_free(&g);
	return rc;
}

static int split(const struct alloc_channel *ch, int n, double total, double *spend,
		 struct allocation *out, char *err, size_t errlen);

/* The channels with no upper bound above the total (an infinite one
 * means no ceiling): a copy when any is, else ch itself. *copy: free. */
static const struct alloc_channel *within_total(const struct alloc_channel *ch, int n, double total,
						struct alloc_channel **copy)
{
	*copy = NULL;
	int above = 0;
	for (int i = 0; i < n; i++)
		above |= ch[i].upper > total;
	if (!above || (*copy = malloc(sizeof **copy * (size_t)n)) == NULL)
		return above ? NULL : ch;
	for (int i = 0; i < n; i++) {
		(*copy)[i] = ch[i];
		(*copy)[i].upper = ch[i].upper > total ? total : ch[i].upper;
	}
	return *copy;
}

int allocate_max_response(const struct alloc_channel *all, int n, double total, double *spend,
			  struct allocation *out, char *err, size_t errlen)
{
	if (check_total(all, n, total, &total, err, errlen) != 0)
		return -1;
	struct alloc_channel *copy;
	const struct alloc_channel *ch = within_total(all, n, total, &copy);
	if (ch == NULL && n > 0) { /* no channels may come as NULL */
		out_of_memory(total, err, errlen);
		return -1;
	}
	int rc = split(ch, n, total, spend, out, err, errlen);
	free(copy);
	return rc;
}

/* Whether no channel earns more anywhere in its bounds than at its lower
 * bound: every split of the total is as good as any other. */
static int nothing_earns_more(const struct alloc_channel *ch, int n)
{
	for (int i = 0; i < n; i++)
		if (can_move(&ch[i]) &&
		    curve_value(ch[i].curve, ch[i].upper) > curve_value(ch[i].curve, ch[i].lower))
			return 0;
	return 1;
}

/* Every channel with a curve the same share of its room above its lower
 * bound (those without stay at it, as settle() leaves them): with bounds
 * set around the current spend by ratios, at the current total, the
 * current split, so that no money moves for nothing. */
static void spread_evenly(const struct alloc_channel *ch, int n, double total, double *spend)
{
	double free_budget = total, room = 0;
	for (int i = 0; i < n; i++) {
		free_budget -= ch[i].lower;
		room += can_move(&ch[i]) ? ch[i].upper - ch[i].lower : 0;
	}
	double share = room > 0 ? fmin(free_budget / room, 1) : 0;
	for (int i = 0; i < n; i++)
		spend[i] = ch[i].lower + (can_move(&ch[i]) ? share * (ch[i].upper - ch[i].lower) : 0);
	settle(ch, n, total, spend);
}

static int split(const struct alloc_channel *ch, int n, double total, double *spend,
		 struct allocation *out, char *err, size_t errlen)
{
	if (nothing_earns_more(ch, n)) {
		spread_evenly(ch, n, total, spend);
		totals(ch, n, spend, 0, out);
		return 0;
	}
	int concave = 1;
	for (int i = 0; i < n && concave; i++)
		concave = concave_in_bounds(&ch[i]);
	double mu = 0;
	if (concave) {
		for (int i = 0; i < n; i++)
			spend[i] = ch[i].lower; /* no guess */
		mu = solve_multiplier(ch, n, total, NULL, 0, spend);
		settle(ch, n, total, spend);
	} else if (search_global(ch, n, total, spend, &mu) != 0) {
		out_of_memory(total, err, errlen);
		return -1;
	}
	totals(ch, n, spend, mu, out);
	return 0;
}

/* Expected ROI of the optimal split of a total (spend 0 counts as ROI 0). */
static double roi_at(const struct alloc_channel *ch, int n, double total, double *spend,
		     struct allocation *out)
{
	char err[8];
	if (allocate_max_response(ch, n, total, spend, out, err, sizeof err) != 0)
		return -HUGE_VAL;
	return out->total_spend > 0 ? (out->total_revenue - out->total_spend) / out->total_spend : 0;
}

#define SPEND_SEARCH_LIMIT 1e15 /* past it, a marginal that stays high is taken as never falling */

/* The spend past which a curve's marginal revenue stays below price, from
 * where it starts to fall (its inflection); lower for a curve-less channel,
 * whose money buys nothing, and for one whose marginal never reaches the
 * price above lower. +inf when the marginal is still at the price at
 * SPEND_SEARCH_LIMIT. Not the exact crossing: a doubling past it. */
static double spend_past_price(const struct response_curve *c, double lower, double price)
{
	if (c->kind == CURVE_NONE)
		return lower;
	/* Its marginal at or above lower peaks there or at the inflection:
	 * below the price, no reply leaves lower. */
	double peak = fmax(lower, curve_inflection(c));
	if (curve_marginal(c, peak) < price)
		return lower;
	double hi = fmax(peak, fmax(c->k, 1.0));
	while (curve_marginal(c, hi) >= price && hi < SPEND_SEARCH_LIMIT)
		hi *= 2;
	return curve_marginal(c, hi) < price ? hi : HUGE_VAL;
}

/*
 * The scenarios without a total search the range the bounds allow, which
 * an infinite or very wide upper bound makes useless (a scan of 64 totals
 * up to 1e6 a day). A best reply to a price never spends past
 * spend_past_price, so upper bounds beyond it can stand there without
 * changing the answer. *capped receives a copy of ch with such stand-ins
 * (to free), or NULL when no bound is beyond. Returns how many bounds
 * stand in, -1 with err naming a channel without an upper bound whose
 * marginal never falls to the price, or -2 with err saying memory ran out.
 */
static int cap_uppers(const struct alloc_channel *ch, int n, double price,
		      struct alloc_channel **capped, char *err, size_t errlen)
{
	int count = 0;
	*capped = NULL;
	for (int i = 0; i < n; i++) {
		double cap = fmax(spend_past_price(ch[i].curve, ch[i].lower, price), ch[i].lower);
		if (!isfinite(ch[i].upper) && !isfinite(cap)) {
			char at_least[32];
			snprintf(err, errlen, "channel '%.64s' returns a marginal revenue of at least "
				 "%s at any spend: give it a finite upper bound",
				 ch[i].name ? ch[i].name : "?", number_text(price, 3, at_least));
			free(*capped);
			*capped = NULL;
			return -1;
		}
		if (!(ch[i].upper > cap))
			continue;
		if (*capped == NULL) {
			if ((*capped = malloc(sizeof **capped * (size_t)n)) == NULL) {
				snprintf(err, errlen, "out of memory");
				return -2;
			}
			memcpy(*capped, ch, sizeof **capped * (size_t)n);
		}
		(*capped)[i].upper = cap;
		count++;
	}
	return count;
}

/* The total just above zero tried from lower bounds of zero: half the
 * crossing's tolerance there, as close to zero as its solve would come. */
#define ZERO_STEP 0.5e-9

/* How far past a predicted root a step goes, in tolerances: steps from
 * either side then close the bracket within one (at half a tolerance
 * each, the two left it a hair wider, and a third step was needed). */
#define NUDGE 0.4

/* The split of the bracket's upper end, kept as it moves so that it need
 * not be made again at the end (without memory for it, it is). */
struct kept_split {
	double *spend;
	struct allocation out;
	int held;
};

static void keep_split(struct kept_split *k, const double *spend, const struct allocation *out,
		       int n)
{
	if (k->spend == NULL)
		return;
	memcpy(k->spend, spend, sizeof *k->spend * (size_t)n);
	k->out = *out;
	k->held = 1;
}

/*
 * The total in (lo, hi] where the best split's ROI crosses the target,
 * given ROI(lo) < target <= ROI(hi), to 1e-9 of it; spend and out receive
 * its split. f_lo may stand for an upper bound of ROI(lo) - target (still
 * below 0): it only places the first step. When holds_hi, spend and out
 * hold the split of hi on entry. Newton on ROI(T) - target, whose slope is
 * (mu - R/T) / T (the best split's revenue moves with its total by its
 * multiplier mu: the envelope theorem), each step NUDGE tolerances past
 * the root it predicts so that the bracket closes from both sides;
 * regula falsi (Illinois) when Newton leaves the bracket, stops halving
 * the miss or the split has no multiplier; bisection when the bracket has
 * not halved in two steps (where the split changes regime, ROI bends at
 * once). Bisection alone took 30-40 splits, this 4-6 on budget_bench's
 * S-shaped channels. A bracket with two crossings in it gives either.
 */
static double solve_crossing(const struct alloc_channel *ch, int n, double target_roi, double lo,
			     double f_lo, double hi, double f_hi, int holds_hi, double *spend,
			     struct allocation *out)
{
	double newton = NAN, width[2] = { HUGE_VAL, HUGE_VAL }, last_miss = HUGE_VAL;
	struct kept_split kept = { malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), *out, 0 };
	int side = 0, last_is_hi = holds_hi;
	if (holds_hi)
		keep_split(&kept, spend, out, n);
	for (int iter = 0; iter < 60; iter++) {
		double tolerance = 1e-9 * (hi + 1);
		if (hi - lo <= tolerance)
			break;
		double c = newton;
		if (!(c > lo && c < hi)) {
			c = hi - f_hi * (hi - lo) / (f_hi - f_lo);
			if (!(c > lo && c < hi))
				c = 0.5 * (lo + hi);
		}
		if (hi - lo > 0.5 * width[iter % 2])
			c = 0.5 * (lo + hi);
		width[iter % 2] = hi - lo;
		/* As in Brent's method, no step shorter than the tolerance: at an
		 * end already on the root, regula falsi lands on it again and
		 * again, and the bracket only shrinks by the bisections. */
		c = fmin(fmax(c, lo + 0.5 * tolerance), hi - 0.5 * tolerance);
		double f_c = roi_at(ch, n, c, spend, out) - target_roi;
		last_is_hi = f_c >= 0;
		if (f_c >= 0) {
			hi = c, f_hi = f_c;
			keep_split(&kept, spend, out, n);
			if (side == 1)
				f_lo *= 0.5;
			side = 1;
		} else {
			lo = c, f_lo = f_c;
			if (side == -1)
				f_hi *= 0.5;
			side = -1;
		}
		/* The multiplier is the slope only while the total's last
		 * rounding goes to a channel at it (settle() can put it on a
		 * channel fixed inside its convex part): Newton keeps the next
		 * step only while its steps halve the miss. */
		double slope = (out->multiplier - (1 + target_roi + f_c)) / c;
		newton = out->multiplier > 0 && slope > 0 && fabs(f_c) < 0.5 * last_miss
				 ? c - f_c / slope + (f_c >= 0 ? -NUDGE : NUDGE) * tolerance
				 : NAN;
		last_miss = fabs(f_c);
	}
	if (!last_is_hi && kept.held) {
		memcpy(spend, kept.spend, sizeof *spend * (size_t)n);
		*out = kept.out;
	} else if (!last_is_hi) {
		roi_at(ch, n, hi, spend, out);
	}
	free(kept.spend);
	return hi;
}

/*
 * The peak of the best split's ROI between lo and hi, around a scan total
 * inside that did best, by golden-section search (ROI need not be unimodal
 * there: a local peak, at least as good as the scan's): *at and the ROI
 * there. Stops early at a total that reaches the target.
 */
static double peak_roi(const struct alloc_channel *ch, int n, double target_roi, double lo,
		       double hi, double *spend, struct allocation *out, double *at)
{
	const double golden = 0.6180339887498949;
	double a = lo, b = hi, c = b - golden * (b - a), d = a + golden * (b - a);
	double fc = roi_at(ch, n, c, spend, out), fd = roi_at(ch, n, d, spend, out);
	for (int iter = 0; iter < 16 && fc < target_roi && fd < target_roi; iter++) {
		if (fc >= fd) {
			b = d, d = c, fd = fc;
			c = b - golden * (b - a);
			fc = roi_at(ch, n, c, spend, out);
		} else {
			a = c, c = d, fc = fd;
			d = a + golden * (b - a);
			fd = roi_at(ch, n, d, spend, out);
		}
	}
	*at = fc >= fd ? c : d;
	return fc >= fd ? fc : fd;
}

enum { SCAN = 64, UNITS_PER_SCAN = 4 };

/* The most one step of spend can add to a channel's revenue anywhere in its
 * bounds. Its marginal rises to the inflection and falls after it (Hill,
 * power law), so the step that gains most is at an end of the range or
 * spans the inflection: at most a step at the marginal there. */
static double most_one_step_adds(const struct alloc_channel *c, double step)
{
	const struct response_curve *f = c->curve;
	if (!can_move(c))
		return 0;
	double whole = curve_value(f, c->upper) - curve_value(f, c->lower);
	if (c->upper - c->lower <= step)
		return whole;
	double most = fmax(curve_value(f, c->lower + step) - curve_value(f, c->lower),
			   curve_value(f, c->upper) - curve_value(f, c->upper - step));
	double inflection = curve_inflection(f);
	if (inflection > c->lower && inflection < c->upper)
		most = fmax(most, step * curve_marginal(f, inflection));
	return fmin(most, whole);
}

/*
 * A bound above the best split's ROI at each scan total, ub[1..SCAN], from
 * one grid program over the whole range (every total at once): the grid's
 * best with no more units, plus the most that rounding each channel of
 * the best split down to the grid can have cost, a step's worth each.
 * Returns 0, or -1 when there is none (no memory, or a grid that cannot
 * be laid on the scan's totals).
 */
static int scan_bounds(const struct alloc_channel *ch, int n, double sum_hi, const double *total,
		       double *ub, double *slope)
{
	struct grid g;
	int units = SCAN * UNITS_PER_SCAN, rc = -1;
	if (grid_init(&g, ch, n, sum_hi, units) == 0 && g.units == units && g.step > 0) {
		grid_forward(&g, 1);
		double slack = 0, envelope = -HUGE_VAL;
		for (int i = 0; i < n; i++)
			slack += most_one_step_adds(&ch[i], g.step);
		const double *last = g.best + (size_t)n * ((size_t)units + 1);
		for (int s = 1, u = 0; s <= SCAN; s++) {
			for (; u <= s * UNITS_PER_SCAN; u++)
				envelope = fmax(envelope, last[u]);
			ub[s] = (envelope + slack) / total[s] - 1;
			int a = (s - 1) * UNITS_PER_SCAN, b = s < SCAN ? (s + 1) * UNITS_PER_SCAN : units;
			slope[s] = (last[b] - last[a]) / ((b - a) * g.step);
		}
		rc = isfinite(slack) ? 0 : -1;
	}
	grid_free(&g);
	return rc;
}

/* Each channel's best reply to a price p into spend[n] (from its lower
 * bound), *sum their total; returns their revenue. */
static double replies_revenue(const struct alloc_channel *ch, int n, double p, double *spend,
			      double *sum)
{
	for (int i = 0; i < n; i++)
		spend[i] = ch[i].lower;
	*sum = spend_at(ch, n, p, spend);
	return revenue_of(ch, n, spend);
}

/* allocate_revenue_bound on finite upper bounds, with room for the
 * replies supplied (spend[n], scratch): the scan's, between its splits. */
static double dual_revenue_bound(const struct alloc_channel *ch, int n, double price, double total,
				 double *spend)
{
	if (!(price > 0 && isfinite(price)))
		return HUGE_VAL;
	double sum, revenue = replies_revenue(ch, n, price, spend, &sum);
	/* The replies are found to a tolerance: a hair above, to be safe. */
	return revenue - price * sum + price * total + 1e-9 * (fabs(revenue) + price * (sum + total));
}

/* No split of the total puts more than the total on a channel: upper
 * bounds above it (an infinite one included) stand at it. */
double allocate_revenue_bound(const struct alloc_channel *ch, int n, double price, double total)
{
	if (!(total >= 0 && isfinite(total)))
		return HUGE_VAL;
	struct alloc_channel *copy;
	const struct alloc_channel *use = within_total(ch, n, total, &copy);
	double *spend = malloc(sizeof *spend * (size_t)(n > 0 ? n : 1));
	double bound = spend != NULL && (use != NULL || n == 0)
			       ? dual_revenue_bound(use, n, price, total, spend)
			       : HUGE_VAL;
	free(spend);
	free(copy);
	return bound;
}

/*
 * The first total on a scan of the bounds' range whose best split reaches
 * the target, then the crossing before it (solve_crossing): 0 with the
 * split, or 1 with the best ROI seen and its total. A scan total is split
 * whole unless a bound above its best ROI rules it out: the grid's
 * (scan_bounds; the grid's own revenue is a grid split's, below the best
 * by up to a unit's worth a channel (a power law from zero wants less
 * than one), and ruling totals out by it skipped early crossings; the
 * bound adds that worth), then weak duality's (dual_revenue_bound). When
 * none reaches, the best scan total (found by branch and bound on the
 * same bounds) has its neighbourhood searched for its peak (peak_roi):
 * the best ROI reported is that peak's, or the crossing before a total
 * there that reaches. The answers are those of splitting every scan
 * total (the same on 20,000 random problems), in three fifths of the
 * splits. roi_lo is the caller's ROI at the lower bounds' sum, where
 * every range starts (below the target, or there is nothing to scan).
 */
static int scan_target_roi(const struct alloc_channel *ch, int n, double target_roi,
			   double roi_lo, double *spend, struct allocation *out, double *best_roi,
			   double *best_total)
{
	double sum_lo, sum_hi;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	/* ROI need not be monotone in the total (lower bounds can force money
	 * into weak channels at small totals): scan, then solve the first
	 * crossing. A scan total whose bound from the grid is below the
	 * target is not split: it cannot reach it. */
	double total[SCAN + 1], scanned[SCAN + 1] = { roi_lo }, ub[SCAN + 1], slope[SCAN + 1];
	int split_at[SCAN + 1] = { 1 };
	for (int g = 0; g <= SCAN; g++)
		total[g] = sum_lo + (sum_hi - sum_lo) * g / SCAN;
	int bounded = sum_hi > sum_lo && scan_bounds(ch, n, sum_hi, total, ub, slope) == 0;
	int best = 0;
	double price = NAN; /* the multiplier of the last total split */
	*best_roi = roi_lo, *best_total = sum_lo;
	for (int g = 1; g <= SCAN; g++) {
		/* Weak duality (allocate_revenue_bound) at the slope the last
		 * split or the grid gives: a reply per channel, a tenth of a
		 * split's time, and it rules out most totals the grid's bound
		 * left, where the revenue is concave in the total. */
		if (bounded && ub[g] >= target_roi)
			ub[g] = fmin(ub[g], dual_revenue_bound(ch, n, isnan(price) ? slope[g] : price,
							       total[g], spend) / total[g] - 1);
		if (bounded && ub[g] < target_roi)
			continue;
		double roi = scanned[g] = roi_at(ch, n, total[g], spend, out);
		split_at[g] = 1;
		if (out->multiplier > 0)
			price = out->multiplier;
		if (roi > *best_roi)
			*best_roi = roi, *best_total = total[g], best = g;
		if (roi >= target_roi) {
			/* The total before is below the target, split or bounded. */
			double f_lo = (split_at[g - 1] ? scanned[g - 1] : ub[g - 1]) - target_roi;
			solve_crossing(ch, n, target_roi, total[g - 1], f_lo, total[g], roi - target_roi,
				       1, spend, out);
			return 0;
		}
	}
	/* None reached: the best scan total is found by branch and bound, the
	 * totals left split in the order of their bounds above, until the
	 * best ROI split reaches the highest bound left. */
	for (;;) {
		int next = 0;
		for (int g = 1; bounded && g <= SCAN; g++)
			if (!split_at[g] && (next == 0 || ub[g] > ub[next]))
				next = g;
		if (next == 0 || ub[next] <= *best_roi)
			break;
		double roi = scanned[next] = roi_at(ch, n, total[next], spend, out);
		split_at[next] = 1;
		if (roi > *best_roi)
			*best_roi = roi, *best_total = total[next], best = next;
	}
	if (best == 0 || !(sum_hi > sum_lo))
		return 1;
	if (!split_at[best - 1])
		scanned[best - 1] = roi_at(ch, n, total[best - 1], spend, out);
	double lo = total[best - 1], hi = total[best < SCAN ? best + 1 : SCAN];
	double at, roi = peak_roi(ch, n, target_roi, lo, hi, spend, out, &at);
	if (roi >= target_roi) {
		/* from the scan total before, below the target as every one was */
		solve_crossing(ch, n, target_roi, lo, scanned[best - 1] - target_roi, at,
			       roi - target_roi, 0, spend, out);
		return 0;
	}
	if (roi > *best_roi)
		*best_roi = roi, *best_total = at;
	return 1;
}

/* cap_uppers for a search that gives up quietly where an upper bound
 * cannot stand (-1, err left empty: the scan then decides and words its
 * own error); -2 out of memory, as cap_uppers. */
static int cap_uppers_quietly(const struct alloc_channel *ch, int n, double price,
			      struct alloc_channel **capped, char *err, size_t errlen)
{
	int count = cap_uppers(ch, n, price, capped, err, errlen);
	if (count == -1 && errlen > 0)
		err[0] = '\0';
	return count;
}

/*
 * Each channel's best reply to a price p into spend[n] (upper bounds past
 * where a reply stops stand there: cap_uppers), *sum their total and
 * *revenue theirs. Returns 0, or cap_uppers_quietly's -1 or -2.
 */
static int replies_to(const struct alloc_channel *ch, int n, double p, double *spend, double *sum,
		      double *revenue, char *err, size_t errlen)
{
	struct alloc_channel *capped;
	int count = cap_uppers_quietly(ch, n, p, &capped, err, errlen);
	if (count < 0)
		return count;
	*revenue = replies_revenue(capped ? capped : ch, n, p, spend, sum);
	free(capped);
	return 0;
}

/*
 * A price no split's ratio of revenue to spend exceeds, or +inf: the
 * largest of the channels' own. A split's ratio is at most its channels'
 * largest (the mediant), and a channel's f(s) / s is at most its largest
 * marginal below s (f(0) = 0): for an S-curve the marginal at its
 * inflection; for a concave curve, falling in s, its ratio at its lower
 * bound (+inf from zero).
 */
static double ratio_bound(const struct alloc_channel *ch, int n)
{
	double bound = 0;
	for (int i = 0; i < n; i++) {
		const struct response_curve *c = ch[i].curve;
		if (c->kind == CURVE_NONE)
			continue;
		double inflection = curve_inflection(c);
		double own = inflection > 0 ? curve_marginal(c, inflection)
			     : ch[i].lower > 0 ? curve_value(c, ch[i].lower) / ch[i].lower
					       : HUGE_VAL;
		bound = fmax(bound, own);
	}
	return bound > 0 ? bound : HUGE_VAL;
}

/*
 * Whether a target ROI is out of reach, and then the best ROI and its
 * total, exactly, without splitting a single total. The best ROI over the
 * totals is the largest ratio sum f(s) / sum s over the splits the bounds
 * allow, and G(p) = max over them of sum (f(s) - p s) is separable: each
 * channel's best reply to the price p (best_reply, global on an S-curve
 * too). G(p) < 0 means no split returns p a unit, so a target ROI whose
 * price 1 + target has G < 0 is out of reach. The best ratio is then found
 * by Dinkelbach's method (1967): from the ratio p of a split, the replies
 * to p give a split whose ratio is higher unless p is the best, and the
 * ratios rise superlinearly to it (Newton on the convex G): typically
 * 3-6 rounds, at most 60. It starts from the replies to a price at or
 * below the best ratio: the target's price, or a bound on every ratio
 * when that is lower (ratio_bound), halved until its replies return it
 * (up to 64 times; then, or when an upper bound cannot stand anywhere,
 * the scan decides).
 * Returns 1 out of reach (*best_roi, *best_total), 0 when the target may
 * be reachable or the replies cannot tell (the scan decides), -1 out of
 * memory (err says so). When the replies to the target's price reach it,
 * *reached receives their sum: a total whose best split reaches the
 * target, as theirs does (+inf otherwise). spend[n] is scratch.
 */
static int target_out_of_reach(const struct alloc_channel *ch, int n, double target_roi,
			       double *spend, double *reached, double *best_roi,
			       double *best_total, char *err, size_t errlen)
{
	double price = 1 + target_roi, sum, revenue;
	int rc = replies_to(ch, n, price, spend, &sum, &revenue, err, errlen);
	if (rc < 0)
		return rc == -2 ? -1 : 0;
	*reached = sum > 0 && revenue >= price * sum ? sum : HUGE_VAL;
	/* At or within rounding of the price: the scan decides. Every reply
	 * at a lower bound of zero: no split returns the price either. */
	if (sum > 0 ? !(revenue - price * sum < -1e-12 * (revenue + price * sum)) : revenue != 0)
		return 0;
	/* A start at a price the best ratio is at or above (G(start) >= 0):
	 * the replies' ratio is then at least the start, and their upper
	 * bounds' stand-ins there hold for every price after. */
	double start = price, bound = ratio_bound(ch, n);
	if (bound < price) {
		start = bound;
		if ((rc = replies_to(ch, n, start, spend, &sum, &revenue, err, errlen)) < 0)
			return rc == -2 ? -1 : 0;
	}
	for (int halvings = 0; !(sum > 0 && revenue > 0 && revenue >= start * sum); halvings++) {
		if (halvings == 64)
			return 0;
		start *= 0.5;
		if ((rc = replies_to(ch, n, start, spend, &sum, &revenue, err, errlen)) < 0)
			return rc == -2 ? -1 : 0;
	}
	double ratio = revenue / sum, total = sum;
	/* Every price from here on is at least this ratio: upper bounds past
	 * where a reply to it stops stand there for all of them. */
	struct alloc_channel *capped;
	int count = cap_uppers_quietly(ch, n, ratio, &capped, err, errlen);
	if (count < 0)
		return count == -2 ? -1 : 0;
	const struct alloc_channel *use = capped ? capped : ch;
	for (int round = 0; round < 60; round++) {
		sum = spend_at(use, n, ratio, spend);
		if (!(sum > 0))
			break;
		double next = revenue_of(use, n, spend) / sum;
		if (!(next > ratio))
			break;
		int settled = next - ratio <= 1e-14 * fabs(next);
		ratio = next, total = sum;
		if (settled)
			break;
	}
	free(capped);
	if (!(ratio < price)) /* a tie with the price at most: the scan decides */
		return 0;
	*best_roi = ratio - 1;
	*best_total = total;
	return 1;
}

/*
 * The scan's range: where ROI(T) = R(T)/T - 1 first climbs to the target
 * it is rising, so the best split's marginal (R' from the left, and R
 * has only convex kinks: a maximum over regimes of concave parts) is at
 * least the average, 1 + target: no channel is past where its marginal
 * falls below that price, and upper bounds beyond it change nothing
 * (cap_uppers). A target the channels' replies to its price show out
 * of reach is answered before any scan (target_out_of_reach). When the
 * scan still finds none (the replies could not tell), the best ROI lies
 * where the marginal equals 1 + that best, at least 1 + the best seen on
 * the narrower range: one more scan up to that price looks there, and
 * the better of the two grids' bests is reported (over the bounds as
 * given when the first range collapsed to the lower bounds).
 */
int allocate_target_roi(const struct alloc_channel *ch, int n, double target_roi, double *spend,
			struct allocation *out, char *err, size_t errlen)
{
	if (check_bounds(ch, n, err, errlen) != 0)
		return -1;
	double sum_lo, sum_hi, best_roi, best_total, reached = HUGE_VAL;
	bound_totals(ch, n, &sum_lo, &sum_hi);
	double roi_lo = roi_at(ch, n, sum_lo, spend, out);
	if (roi_lo >= target_roi)
		return 0;
	/* From lower bounds of zero, ROI is 0 at a total of zero but, just
	 * above it, the steepest marginal there less one (infinite for a
	 * power law from zero): when that reaches the target, the smallest
	 * total that does is there, whatever ROI does further in. */
	if (sum_lo == 0 && sum_hi > ZERO_STEP && roi_at(ch, n, ZERO_STEP, spend, out) >= target_roi)
		return 0;
	int out_of_reach = target_out_of_reach(ch, n, target_roi, spend, &reached, &best_roi,
					       &best_total, err, errlen);
	if (out_of_reach < 0)
		return -1;
	double price = 1 + target_roi;
	if (!out_of_reach)
		best_roi = -HUGE_VAL, best_total = sum_lo;
	else if (roi_lo > best_roi) /* spending nothing, ROI 0, beats every split that loses */
		best_roi = roi_lo, best_total = sum_lo;
	for (int pass = 0; pass < 2 && !out_of_reach; pass++) {
		struct alloc_channel *capped;
		int count = cap_uppers(ch, n, price, &capped, err, errlen);
		if (count == -2 || (count < 0 && pass == 0))
			return -1;
		if (count < 0) /* a marginal above the lower price at any spend: keep the first */
			break;
		double roi, total;
		int rc = scan_target_roi(capped ? capped : ch, n, target_roi, roi_lo, spend, out, &roi,
					 &total);
		free(capped);
		if (rc == 0)
			return 0;
		if (roi > best_roi) /* the second range is wider, its grid coarser */
			best_roi = roi, best_total = total;
		if (count == 0)
			break;
		if (!(1 + best_roi > 0)) {
			/* The first range collapsed (no marginal reaches the target's
			 * price above its lower bound): the best ROI can lie anywhere,
			 * so the bounds as given, when they are finite. */
			if (isfinite(sum_hi) &&
			    scan_target_roi(ch, n, target_roi, roi_lo, spend, out, &roi, &total) == 0)
				return 0;
			if (isfinite(sum_hi) && roi > best_roi)
				best_roi = roi, best_total = total;
			break;
		}
		price = 1 + best_roi;
	}
	if (!out_of_reach && isfinite(reached)) {
		/* The replies' total reaches the target, though no scan total
		 * did (a peak narrower than the scan's step): a crossing below
		 * it, not surely the first. */
		double f_hi = roi_at(ch, n, reached, spend, out) - target_roi;
		if (f_hi >= 0) {
			solve_crossing(ch, n, target_roi, sum_lo, roi_lo - target_roi, reached, f_hi,
				       1, spend, out);
			return 0;
		}
	}
	char target[32], best[32], at[32];
	snprintf(err, errlen, "an expected ROI of %s is unreachable within the bounds: the best "
		 "reachable is %s, at a daily total of %s", number_text(target_roi, 3, target),
		 number_text(best_roi, 3, best), amount_text(best_total, at));
	return -1;
}

/* The replies to the price 1 + floor are the best split of their sum
 * (Lagrangian sufficiency), and none passes where its marginal falls
 * below the price: upper bounds beyond stand there (cap_uppers). */
int allocate_marginal_floor(const struct alloc_channel *ch, int n, double floor_roi,
			    double *spend, struct allocation *out, char *err, size_t errlen)
{
	struct alloc_channel *capped;
	if (check_bounds(ch, n, err, errlen) != 0 ||
	    cap_uppers(ch, n, 1 + floor_roi, &capped, err, errlen) < 0)
		return -1;
	const struct alloc_channel *use = capped ? capped : ch;
	/* Marginal ROI >= floor means marginal revenue >= 1 + floor: the split
	 * for that multiplier, whose total is the answer. */
	for (int i = 0; i < n; i++)
		spend[i] = use[i].lower; /* no guess */
	double total = spend_at(use, n, 1 + floor_roi, spend);
	int rc = allocate_max_response(use, n, total, spend, out, err, errlen);
	free(capped);
	return rc;
}

double allocate_saturation(const struct response_curve *c)
{
	/* An S-curve's marginal peaks at its inflection: from there on it falls. */
	double peak = curve_inflection(c) > 1e-9 ? curve_inflection(c) : 1e-9;
	if (c->kind == CURVE_NONE || curve_marginal(c, peak) <= 1)
		return 0;
	if (c->kind == CURVE_POWER && c->table_steps == 0)
		return pow(1 / (c->a * c->b), 1 / (c->b - 1));
	double hi = spend_past_price(c, 0, 1);
	return isfinite(hi) ? curve_spend_for_marginal(c, 1, 1e-9, hi, 0) : HUGE_VAL;
}
