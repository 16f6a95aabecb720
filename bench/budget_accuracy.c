/*
 * budget_accuracy: `mldash budget` against known truth (#15).
 *
 * Generates random sets of 8 synthetic channels whose response curves are
 * known (Hill curves, concave and S-shaped, with carry-over, weekly
 * seasonality and multiplicative noise), runs `mldash budget --adstock
 * --json` on each set's history, and scores the recommended split under the
 * TRUE curves against the true optimum under the same bounds and total.
 * Also counts how often mldash's 80% intervals contain the true expected
 * revenue. The truth is computed here, independently of models/: nothing of
 * the code under test is linked in.
 *
 *   MLDASH=build/cli/mldash build/bench/budget_accuracy [--seed S] [--sets N]
 *       [--total-ratio R] [--out FILE] [--keep DIR]
 *
 * The daily total is the current one, or R times it (a budget cut or a
 * raise; the "current split" then spends a different total, and its score
 * and the uplift compare with a split the new total cannot buy).
 *
 * The report (Markdown) is printed and, with --out, written to FILE.
 * --keep DIR keeps each set's CSV, mldash's answer and the truth. Exits 0
 * whether or not the targets are met (it is a benchmark); 2 on bad usage or
 * when nothing could be run at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NCH 8             /* channels per set */
#define CURRENT_DAYS 28   /* mldash budget: current = mean spend of the last 28 days */
#define LOWER_RATIO 0.5   /* mldash budget's default bounds, relative to current */
#define UPPER_RATIO 2.0
#define DP_STEPS 4000     /* grid of the free budget in the true optimum's DP */
#define MLDASH_TIMEOUT 120 /* seconds before a hung mldash is killed */

/* Targets of issue #15. */
#define TARGET_WORST 0.995
#define TARGET_COVER_LOW 0.75
#define TARGET_COVER_HIGH 0.85

/* --- random numbers: xoshiro256**, seeded by splitmix64 -------------------- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Each set has its own stream (seed, set): set 7 is the same whatever --sets. */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t set)
{
	uint64_t x = seed * 0x2545f4914f6cdd1dULL + set;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [lo, hi). */
static double uniform(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(rng_next(r) >> 11) * 0x1.0p-53);
}

static double log_uniform(struct rng *r, double lo, double hi)
{
	return exp(uniform(r, log(lo), log(hi)));
}

static int uniform_int(struct rng *r, int lo, int hi)
{
	return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static double normal(struct rng *r)
{
	double u = uniform(r, 0x1.0p-53, 1), v = uniform(r, 0, 1);
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A positive factor with mean 1 and standard deviation sd. */
static double lognormal_factor(struct rng *r, double sd)
{
	double sigma = sqrt(log(1 + sd * sd));
	return exp(sigma * normal(r) - sigma * sigma / 2);
}

/* --- the synthetic channels ------------------------------------------------ */

struct true_channel {
	double alpha, k, beta; /* revenue of steady daily spend s: beta s^a / (s^a + k^a) */
	double lambda;         /* geometric carry-over, x[t] = l x[t-1] + (1 - l) s[t] */
	double dow[7];         /* day-of-week multiplier of revenue, mean 1 */
	double noise_sd;       /* of the multiplicative revenue noise */
	double typical;        /* the spend the curve was scaled at */
	int narrow;            /* spend only ever varied a little: shape hard to see */
	double current;        /* mean spend of the last CURRENT_DAYS days */
};

struct channel_set {
	int days;
	struct true_channel ch[NCH];
	double *spend[NCH], *revenue[NCH]; /* into buffer */
	double *buffer;                    /* owned; set_free releases */
};

static void set_free(struct channel_set *set)
{
	free(set->buffer);
	set->buffer = NULL;
}

/* The true expected daily revenue of a steady daily spend s. */
static double true_revenue(const struct true_channel *c, double s)
{
	if (s <= 0)
		return 0;
	double sa = pow(s, c->alpha), ka = pow(c->k, c->alpha);
	return c->beta * sa / (sa + ka);
}

static double round2(double v)
{
	return round(v * 100) / 100;
}

/* A day-of-week pattern with mean 1 whose largest deviation is amplitude. */
static void weekday_pattern(struct rng *r, double amplitude, double out[7])
{
	double z[7], mean = 0, top = 0;
	for (int d = 0; d < 7; d++)
		mean += (z[d] = normal(r)) / 7;
	for (int d = 0; d < 7; d++)
		top = fmax(top, fabs(z[d] -= mean));
	for (int d = 0; d < 7; d++)
		out[d] = 1 + amplitude * z[d] / (top > 0 ? top : 1);
}

/*
 * The daily spend of one channel, as a marketer runs it: a budget level
 * changed every one to six weeks, drifting a little within its weeks, a
 * weekday pattern, daily jitter, now and then a pause. Built backwards from
 * the last day so that the last level (which makes "current") is ordinary.
 * Rounded to cents, as written to the CSV.
 */
static void spend_history(struct rng *r, struct true_channel *c, int days, double *spend)
{
	double week[7], jitter = uniform(r, 0.10, 0.20);
	weekday_pattern(r, uniform(r, 0, 0.15), week);
	int end = days;
	for (int first = 1; end > 0; first = 0) {
		int len = first ? uniform_int(r, 14, 56) : uniform_int(r, 7, 42);
		double level = first ? log_uniform(r, 0.6, 1.6)
			       : c->narrow ? log_uniform(r, 0.75, 1.35) : log_uniform(r, 0.3, 2.5);
		double drift = uniform(r, -0.2, 0.2);
		int start = end - len > 0 ? end - len : 0;
		for (int t = start; t < end; t++) {
			double along = len > 1 ? (double)(t - start) / (len - 1) - 0.5 : 0;
			spend[t] = c->typical * level * (1 + drift * along) * week[t % 7] *
				   lognormal_factor(r, jitter);
		}
		end = start;
	}
	if (uniform(r, 0, 1) < 0.1 && days > 60) { /* a pause of 3 to 10 days */
		int len = uniform_int(r, 3, 10), at = uniform_int(r, 0, days - CURRENT_DAYS - len - 1);
		for (int t = at; t < at + len; t++)
			spend[t] = 0;
	}
	for (int t = 0; t < days; t++)
		spend[t] = round2(spend[t]);
}

/* Revenue of each day: the curve read at the carried-over spend, times the
 * weekday and the noise. Carry-over starts as if the first day's spend had
 * always been spent. */
static void revenue_history(struct rng *r, const struct true_channel *c, int days,
			    const double *spend, double *revenue)
{
	double x = spend[0];
	for (int t = 0; t < days; t++) {
		x = c->lambda * x + (1 - c->lambda) * spend[t];
		revenue[t] = round2(true_revenue(c, x) * c->dow[t % 7] * lognormal_factor(r, c->noise_sd));
	}
}

/*
 * The curve: alpha in [0.5, 3] (concave below 1, S-shaped above), the
 * half-saturation k between a third and three times the typical spend, and
 * beta such that revenue at the typical spend is 0.5 to 4 times the spend.
 */
static void draw_channel(struct rng *r, struct true_channel *c)
{
	memset(c, 0, sizeof *c);
	c->typical = log_uniform(r, 50, 5000);
	c->alpha = uniform(r, 0.5, 3);
	c->k = c->typical * log_uniform(r, 1 / 3.0, 3);
	c->beta = 1;
	c->beta = log_uniform(r, 0.5, 4) * c->typical / true_revenue(c, c->typical);
	c->lambda = uniform(r, 0, 0.7);
	weekday_pattern(r, uniform(r, 0.10, 0.25), c->dow);
	c->noise_sd = uniform(r, 0.10, 0.30);
	c->narrow = uniform(r, 0, 1) < 0.25;
}

/* One set: NCH channels over 90 to 365 days. Returns 0, -1 when out of memory. */
static int set_generate(uint64_t seed, int index, struct channel_set *set)
{
	struct rng r;
	rng_seed(&r, seed, (uint64_t)index);
	memset(set, 0, sizeof *set);
	set->days = uniform_int(&r, 90, 365);
	set->buffer = malloc(sizeof(double) * (size_t)set->days * 2 * NCH);
	if (set->buffer == NULL)
		return -1;
	for (int i = 0; i < NCH; i++) {
		struct true_channel *c = &set->ch[i];
		set->spend[i] = set->buffer + (size_t)set->days * 2 * i;
		set->revenue[i] = set->spend[i] + set->days;
		draw_channel(&r, c);
		spend_history(&r, c, set->days, set->spend[i]);
		revenue_history(&r, c, set->days, set->spend[i], set->revenue[i]);
		double sum = 0;
		for (int t = set->days - CURRENT_DAYS; t < set->days; t++)
			sum += set->spend[i][t];
		c->current = sum / CURRENT_DAYS;
	}
	return 0;
}

/* Civil date of a day number (days since 1970-01-01), Hinnant's algorithm. */
static void iso_date(long z, char out[40])
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	long y = yoe + era * 400 + (m <= 2);
	snprintf(out, 40, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
}

/* The set as date,channel,spend,revenue; the last day is 2025-06-30. */
static int set_write_csv(const struct channel_set *set, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "date,channel,spend,revenue\n");
	long last = 20269; /* 2025-06-30 */
	for (int t = 0; t < set->days; t++) {
		char date[40];
		iso_date(last - set->days + 1 + t, date);
		for (int i = 0; i < NCH; i++)
			fprintf(f, "%s,ch%d,%.2f,%.2f\n", date, i + 1, set->spend[i][t], set->revenue[i][t]);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* --- the true optimum ------------------------------------------------------ */

struct split {
	double spend[NCH];
};

static double split_revenue(const struct channel_set *set, const struct split *s)
{
	double sum = 0;
	for (int i = 0; i < NCH; i++)
		sum += true_revenue(&set->ch[i], s->spend[i]);
	return sum;
}

/*
 * Dynamic programming over the free budget (the total above the lower
 * bounds) in DP_STEPS steps: the global optimum of any curves, concave or
 * not, to within a step. Returns 0, -1 when out of memory.
 */
static int optimum_grid(const struct channel_set *set, const double *lower, const double *upper,
			double total, struct split *out)
{
	double free_budget = total;
	for (int i = 0; i < NCH; i++)
		free_budget -= lower[i];
	double step = free_budget / DP_STEPS;
	if (!(step > 0)) { /* nothing to share out: every channel at its lower bound */
		memcpy(out->spend, lower, sizeof out->spend);
		return 0;
	}
	/* best: this and the previous channel's row; value: a channel's revenue
	 * at each number of steps above its lower bound. */
	double *best = malloc(sizeof(double) * (DP_STEPS + 1) * 3);
	int *choice = malloc(sizeof(int) * (DP_STEPS + 1) * NCH);
	if (best == NULL || choice == NULL) {
		free(best);
		free(choice);
		return -1;
	}
	double *prev = best, *next = best + DP_STEPS + 1, *value = best + 2 * (DP_STEPS + 1);
	for (int j = 0; j <= DP_STEPS; j++)
		prev[j] = j == 0 ? 0 : -HUGE_VAL;
	for (int i = 0; i < NCH; i++) {
		int cap = (int)fmin(DP_STEPS, floor((upper[i] - lower[i]) / step + 1e-9));
		for (int m = 0; m <= cap; m++)
			value[m] = true_revenue(&set->ch[i], lower[i] + m * step);
		for (int j = 0; j <= DP_STEPS; j++) {
			next[j] = -HUGE_VAL;
			choice[i * (DP_STEPS + 1) + j] = 0;
			for (int m = 0; m <= cap && m <= j; m++) {
				double v = prev[j - m] + value[m];
				if (v > next[j]) {
					next[j] = v;
					choice[i * (DP_STEPS + 1) + j] = m;
				}
			}
		}
		double *swap = prev;
		prev = next;
		next = swap;
	}
	for (int i = NCH - 1, j = DP_STEPS; i >= 0; i--) {
		int m = choice[i * (DP_STEPS + 1) + j];
		out->spend[i] = lower[i] + m * step;
		j -= m;
	}
	free(best);
	free(choice);
	return 0;
}

/* Best amount in [lo, hi] to move from channel b to channel a, by golden
 * section (the window is small enough for the pair's revenue to be unimodal). */
static double best_move(const struct channel_set *set, const struct split *s, int a, int b,
			double lo, double hi)
{
	const double g = (sqrt(5) - 1) / 2;
	for (int it = 0; it < 80 && hi - lo > 1e-9 * (1 + fabs(hi)); it++) {
		double d1 = hi - g * (hi - lo), d2 = lo + g * (hi - lo);
		double v1 = true_revenue(&set->ch[a], s->spend[a] + d1) +
			    true_revenue(&set->ch[b], s->spend[b] - d1);
		double v2 = true_revenue(&set->ch[a], s->spend[a] + d2) +
			    true_revenue(&set->ch[b], s->spend[b] - d2);
		if (v1 < v2)
			lo = d1;
		else
			hi = d2;
	}
	return (lo + hi) / 2;
}

/*
 * Polishes a split by pairwise moves within `window` of spend, within the
 * bounds, until no move gains: the grid's answer made exact.
 */
static void refine(const struct channel_set *set, const double *lower, const double *upper,
		   double window, struct split *s)
{
	for (int sweep = 0; sweep < 200; sweep++) {
		int moved = 0;
		for (int a = 0; a < NCH; a++) {
			for (int b = 0; b < NCH; b++) {
				if (a == b)
					continue;
				double lo = fmax(-window, fmax(lower[a] - s->spend[a], s->spend[b] - upper[b]));
				double hi = fmin(window, fmin(upper[a] - s->spend[a], s->spend[b] - lower[b]));
				if (!(hi > lo))
					continue;
				double before = true_revenue(&set->ch[a], s->spend[a]) +
						true_revenue(&set->ch[b], s->spend[b]);
				double d = best_move(set, s, a, b, lo, hi);
				double after = true_revenue(&set->ch[a], s->spend[a] + d) +
					       true_revenue(&set->ch[b], s->spend[b] - d);
				if (after > before * (1 + 1e-13)) {
					s->spend[a] += d;
					s->spend[b] -= d;
					moved = 1;
				}
			}
		}
		if (!moved)
			break;
	}
}

/* A split clipped into the bounds with its total scaled to `total` (as far
 * as the bounds allow): a start for refine. */
static void make_feasible(const double *lower, const double *upper, double total, struct split *s)
{
	for (int round = 0; round < 50; round++) {
		double sum = 0;
		for (int i = 0; i < NCH; i++)
			sum += s->spend[i] = fmin(upper[i], fmax(lower[i], s->spend[i]));
		if (fabs(sum - total) < 1e-9 * total || !(sum > 0))
			return;
		for (int i = 0; i < NCH; i++)
			s->spend[i] *= total / sum;
	}
}

/*
 * The true optimum: the grid's answer polished, or mldash's own
 * recommendation polished when that is better still (then the grid missed
 * by less than a step, and the score is 1 rather than above it).
 */
static int true_optimum(const struct channel_set *set, const double *lower, const double *upper,
			double total, const struct split *recommended, struct split *out)
{
	if (optimum_grid(set, lower, upper, total, out) != 0)
		return -1;
	double step = total / DP_STEPS;
	refine(set, lower, upper, 2 * step, out);
	if (recommended) {
		struct split alt = *recommended;
		make_feasible(lower, upper, total, &alt);
		refine(set, lower, upper, 2 * step, &alt);
		if (split_revenue(set, &alt) > split_revenue(set, out))
			*out = alt;
	}
	return 0;
}

/* --- running mldash -------------------------------------------------------- */

struct run {
	int ok;            /* exited 0 with JSON we could read */
	double seconds;    /* wall time of the call */
	char why[600];     /* when not ok: the exit status and mldash's stderr */
	struct json_object *answer; /* owned; NULL unless ok */
};

/* The whole of a small file as a string; the caller frees. NULL on error. */
static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	char *text = malloc(cap);
	while (text) {
		n += fread(text + n, 1, cap - n - 1, f);
		if (n < cap - 1) {
			text[n] = '\0';
			break;
		}
		char *grown = realloc(text, cap *= 2);
		if (grown == NULL)
			free(text);
		text = grown;
	}
	fclose(f);
	return text;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Waits for pid, killing it after MLDASH_TIMEOUT seconds; returns the wait status. */
static int wait_with_timeout(pid_t pid, double started, int *timed_out)
{
	int status = 0;
	*timed_out = 0;
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid || (done < 0 && errno != EINTR))
			return status;
		if (!*timed_out && now_seconds() - started > MLDASH_TIMEOUT) {
			kill(pid, SIGKILL);
			*timed_out = 1;
		}
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);
	}
}

/*
 * `mldash budget --adstock --json` < csv, its output and errors in files
 * under dir. Fills run; run->answer belongs to the caller (json_object_put).
 */
static void run_mldash(const char *mldash, const char *csv, const char *dir, double total,
		       struct run *run)
{
	memset(run, 0, sizeof *run);
	char out_path[4200], err_path[4200];
	snprintf(out_path, sizeof out_path, "%s/answer.json", dir);
	snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, csv, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char total_arg[64];
	snprintf(total_arg, sizeof total_arg, "%.6f", total);
	char *argv[] = { (char *)mldash, "budget", "--adstock", "--json", "--total", total_arg, NULL };
	pid_t pid;
	double started = now_seconds();
	int rc = posix_spawn(&pid, mldash, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(run->why, sizeof run->why, "cannot run %s: %s", mldash, strerror(rc));
		return;
	}
	int timed_out, status = wait_with_timeout(pid, started, &timed_out);
	run->seconds = now_seconds() - started;
	char *err = read_all(err_path), *out = read_all(out_path);
	if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(run->why, sizeof run->why, "%s %d: %.500s",
			 timed_out ? "killed after the timeout, status" :
			 WIFEXITED(status) ? "exit status" : "killed by signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), err ? err : "");
	} else if ((run->answer = out ? json_tokener_parse(out) : NULL) == NULL) {
		snprintf(run->why, sizeof run->why, "output is not JSON: %.200s", out ? out : "(none)");
	} else {
		run->ok = 1;
	}
	free(err);
	free(out);
	for (size_t n = strlen(run->why); n > 0 && strchr(" \t\r\n", run->why[n - 1]); n--)
		run->why[n - 1] = '\0';
}

/* A number field of o; NaN when absent or not a number (null included). */
static double field(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NAN;
	enum json_type t = json_object_get_type(v);
	return t == json_type_double || t == json_type_int ? json_object_get_double(v) : NAN;
}

static int has_field(struct json_object *o, const char *key)
{
	return o != NULL && json_object_object_get_ex(o, key, NULL);
}

/* --- one set's outcome ----------------------------------------------------- */

struct channel_outcome {
	double alpha;            /* true */
	double current, recommended, optimum;
	double truth;            /* true expected revenue at the recommended spend */
	double low80, high80;    /* mldash's interval; NaN when absent */
	double fitted_alpha;     /* NaN when the curve is not a Hill curve */
	double mldash_current;   /* mldash's current_daily: should be ours */
	int narrow;              /* its spend barely varied */
};

struct set_outcome {
	int index, days, failed, shaped; /* shaped: channels with alpha > 1 */
	double score, current_score, seconds;
	int infeasible;          /* the recommendation breaks the bounds or the total */
	int current_mismatch;    /* channels whose current spend mldash reads otherwise */
	int intervals;           /* mldash gave per-channel intervals */
	int covered, counted;    /* channels whose interval holds the truth */
	int uplift_interval;     /* mldash gave the uplift interval */
	int uplift_covered;
	double true_uplift, uplift, uplift_low, uplift_high, probability_better;
	struct channel_outcome ch[NCH];
	char why[600];
};

/* The channel "chN" of the answer, or NULL. */
static struct json_object *answer_channel(struct json_object *answer, int i)
{
	struct json_object *list;
	char name[16];
	snprintf(name, sizeof name, "ch%d", i + 1);
	if (!json_object_object_get_ex(answer, "channels", &list) ||
	    json_object_get_type(list) != json_type_array)
		return NULL;
	for (size_t k = 0; k < json_object_array_length(list); k++) {
		struct json_object *c = json_object_array_get_idx(list, k), *n;
		if (json_object_object_get_ex(c, "channel", &n) &&
		    strcmp(json_object_get_string(n), name) == 0)
			return c;
	}
	return NULL;
}

static double fitted_alpha(struct json_object *c)
{
	struct json_object *curve, *kind;
	if (!json_object_object_get_ex(c, "curve", &curve) ||
	    !json_object_object_get_ex(curve, "kind", &kind) ||
	    strcmp(json_object_get_string(kind), "hill") != 0)
		return NAN;
	return field(curve, "alpha");
}

/* Reads the recommendation and intervals; 0, or -1 with out->why. */
static int read_answer(struct json_object *answer, struct split *rec, struct set_outcome *out)
{
	out->intervals = 1;
	for (int i = 0; i < NCH; i++) {
		struct json_object *c = answer_channel(answer, i);
		if (c == NULL) {
			snprintf(out->why, sizeof out->why, "channel ch%d is missing from the answer", i + 1);
			return -1;
		}
		rec->spend[i] = field(c, "recommended_daily");
		if (!isfinite(rec->spend[i])) {
			snprintf(out->why, sizeof out->why, "ch%d has no recommended_daily", i + 1);
			return -1;
		}
		out->ch[i].low80 = field(c, "expected_revenue_low80_daily");
		out->ch[i].high80 = field(c, "expected_revenue_high80_daily");
		out->intervals &= has_field(c, "expected_revenue_low80_daily") &&
				  has_field(c, "expected_revenue_high80_daily");
		out->ch[i].fitted_alpha = fitted_alpha(c);
		out->ch[i].mldash_current = field(c, "current_daily");
	}
	struct json_object *totals = NULL;
	json_object_object_get_ex(answer, "totals", &totals);
	out->uplift = field(totals, "uplift_daily");
	out->uplift_low = field(totals, "uplift_low80_daily");
	out->uplift_high = field(totals, "uplift_high80_daily");
	out->probability_better = field(totals, "probability_better");
	out->uplift_interval = has_field(totals, "uplift_low80_daily") &&
			       has_field(totals, "uplift_high80_daily");
	return 0;
}

/* Whether rec keeps to the bounds and the total, to within the JSON's rounding. */
static int feasible(const struct split *rec, const double *lower, const double *upper, double total)
{
	double sum = 0;
	for (int i = 0; i < NCH; i++) {
		double slack = 1e-3 + 1e-6 * upper[i];
		if (rec->spend[i] < lower[i] - slack || rec->spend[i] > upper[i] + slack)
			return 0;
		sum += rec->spend[i];
	}
	return fabs(sum - total) <= 1e-2 + 1e-6 * total;
}

/* The daily total asked for: total_ratio times the current split's. */
static double asked_total(const struct channel_set *set, double total_ratio)
{
	double total = 0;
	for (int i = 0; i < NCH; i++)
		total += set->ch[i].current;
	return total_ratio * total;
}

/* Scores the recommendation and the intervals under the true curves. */
static void score_set(const struct channel_set *set, double total_ratio, const struct split *rec,
		      struct set_outcome *out)
{
	double lower[NCH], upper[NCH], total = asked_total(set, total_ratio);
	struct split current, optimum;
	for (int i = 0; i < NCH; i++) {
		current.spend[i] = set->ch[i].current;
		lower[i] = LOWER_RATIO * current.spend[i];
		upper[i] = UPPER_RATIO * current.spend[i];
	}
	if (true_optimum(set, lower, upper, total, rec, &optimum) != 0) {
		out->failed = 1;
		snprintf(out->why, sizeof out->why, "out of memory");
		return;
	}
	double best = split_revenue(set, &optimum);
	out->score = split_revenue(set, rec) / best;
	out->current_score = split_revenue(set, &current) / best;
	out->infeasible = !feasible(rec, lower, upper, total);
	out->true_uplift = split_revenue(set, rec) - split_revenue(set, &current);
	for (int i = 0; i < NCH; i++) {
		struct channel_outcome *c = &out->ch[i];
		c->current = current.spend[i];
		c->recommended = rec->spend[i];
		c->optimum = optimum.spend[i];
		c->truth = true_revenue(&set->ch[i], rec->spend[i]);
		/* Else the bounds and total differ from mldash's, and so would the optimum. */
		out->current_mismatch += !(fabs(c->mldash_current - c->current) <= 1e-3 + 1e-6 * c->current);
		if (out->intervals && isfinite(c->low80) && isfinite(c->high80)) {
			out->counted++;
			out->covered += c->truth >= c->low80 && c->truth <= c->high80;
		}
	}
	out->uplift_covered = out->uplift_interval && out->true_uplift >= out->uplift_low &&
			      out->true_uplift <= out->uplift_high;
}

/* The truth, mldash's answer and the outcome of a set, for --keep. */
static void keep_truth(const struct channel_set *set, const struct set_outcome *o, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "channel,alpha,k,beta,lambda,noise_sd,narrow,current,optimum,recommended,"
		   "true_revenue_recommended,low80,high80,fitted_alpha\n");
	for (int i = 0; i < NCH; i++) {
		const struct true_channel *c = &set->ch[i];
		const struct channel_outcome *x = &o->ch[i];
		fprintf(f, "ch%d,%.4f,%.4f,%.4f,%.4f,%.4f,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", i + 1,
			c->alpha, c->k, c->beta, c->lambda, c->noise_sd, c->narrow, x->current, x->optimum,
			x->recommended, x->truth, x->low80, x->high80, x->fitted_alpha);
	}
	fprintf(f, "# score %.6f, current split %.6f, true uplift %.4f\n", o->score, o->current_score,
		o->true_uplift);
	fclose(f);
}

struct options {
	uint64_t seed;
	int sets;
	const char *out, *keep, *mldash;
	double total_ratio; /* the daily total asked for, over the current one */
};

/* Generates, runs and scores set `index`. */
static void run_set(const struct options *opt, const char *dir, int index, struct set_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->index = index;
	struct channel_set set;
	char csv[4200];
	if (set_generate(opt->seed, index, &set) != 0) {
		out->failed = 1;
		snprintf(out->why, sizeof out->why, "out of memory");
		return;
	}
	out->days = set.days;
	for (int i = 0; i < NCH; i++) {
		out->ch[i].alpha = set.ch[i].alpha;
		out->ch[i].narrow = set.ch[i].narrow;
		out->ch[i].low80 = out->ch[i].high80 = out->ch[i].fitted_alpha = NAN;
		out->shaped += set.ch[i].alpha > 1;
	}
	if (opt->keep)
		snprintf(csv, sizeof csv, "%s/set-%03d.csv", opt->keep, index);
	else
		snprintf(csv, sizeof csv, "%s/set.csv", dir);
	struct run run;
	if (set_write_csv(&set, csv) != 0) {
		out->failed = 1;
		snprintf(out->why, sizeof out->why, "cannot write %.400s: %s", csv, strerror(errno));
	} else {
		run_mldash(opt->mldash, csv, dir, asked_total(&set, opt->total_ratio), &run);
		out->seconds = run.seconds;
		struct split rec;
		if (!run.ok) {
			out->failed = 1;
			snprintf(out->why, sizeof out->why, "%s", run.why);
		} else if (read_answer(run.answer, &rec, out) != 0) {
			out->failed = 1;
		} else {
			score_set(&set, opt->total_ratio, &rec, out);
		}
		if (opt->keep && run.answer) {
			char path[4300];
			snprintf(path, sizeof path, "%s/set-%03d.json", opt->keep, index);
			json_object_to_file_ext(path, run.answer, JSON_C_TO_STRING_PRETTY);
			snprintf(path, sizeof path, "%s/set-%03d.truth.csv", opt->keep, index);
			keep_truth(&set, out, path);
		}
		json_object_put(run.answer);
	}
	set_free(&set);
}

/* --- the report ------------------------------------------------------------ */

struct report {
	FILE *file; /* besides stdout; may be NULL */
};

__attribute__((format(printf, 2, 3))) static void say(struct report *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (r->file) {
		va_start(ap, fmt);
		vfprintf(r->file, fmt, ap);
		va_end(ap);
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	if (n == 0)
		return NAN;
	qsort(v, (size_t)n, sizeof *v, compare_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *met(int yes)
{
	return yes ? "met" : "NOT met";
}

static void report_sets(struct report *r, const struct set_outcome *o, int n)
{
	say(r, "| set | days | alpha>1 | score | current split | 80%% coverage | uplift in 80%% | "
	       "seconds |\n|---:|---:|---:|---:|---:|---:|---|---:|\n");
	for (int s = 0; s < n; s++) {
		if (o[s].failed) {
			say(r, "| %d | %d | %d | FAILED | | | | %.3f |\n", o[s].index, o[s].days, o[s].shaped,
			    o[s].seconds);
			continue;
		}
		char cover[32] = "-";
		if (o[s].intervals)
			snprintf(cover, sizeof cover, "%d/%d", o[s].covered, o[s].counted);
		say(r, "| %d | %d | %d | %.4f%s%s | %.4f | %s | %s | %.3f |\n", o[s].index, o[s].days,
		    o[s].shaped, o[s].score, o[s].infeasible ? " (breaks bounds/total)" : "",
		    o[s].current_mismatch ? " (other current spend)" : "",
		    o[s].current_score, cover,
		    o[s].uplift_interval ? (o[s].uplift_covered ? "yes" : "no") : "-", o[s].seconds);
	}
	int failed = 0;
	for (int s = 0; s < n; s++)
		if (o[s].failed)
			say(r, "%s- set %d failed: %s\n", failed++ ? "" : "\n", o[s].index, o[s].why);
}

/* Worst, median and mean score; returns whether the worst-score target is met. */
static int report_scores(struct report *r, const struct set_outcome *o, int n)
{
	double *scores = malloc(sizeof(double) * (size_t)(n ? n : 1));
	double *idle = malloc(sizeof(double) * (size_t)(n ? n : 1));
	if (scores == NULL || idle == NULL) {
		free(scores);
		free(idle);
		return 0;
	}
	int k = 0, below = 0, failed = 0, infeasible = 0, worse = 0, mismatch = 0, own_worse = 0;
	double mean = 0, idle_mean = 0;
	for (int s = 0; s < n; s++) {
		if (o[s].failed) {
			failed++;
			continue;
		}
		mean += scores[k] = o[s].score;
		idle_mean += idle[k] = o[s].current_score;
		k++;
		below += o[s].score < TARGET_WORST;
		infeasible += o[s].infeasible;
		worse += o[s].score < o[s].current_score;
		mismatch += o[s].current_mismatch;
		own_worse += o[s].uplift < 0;
	}
	double worst = k ? scores[0] : NAN, idle_worst = k ? idle[0] : NAN;
	for (int i = 0; i < k; i++)
		worst = fmin(worst, scores[i]), idle_worst = fmin(idle_worst, idle[i]);
	say(r, "\n## Score: true revenue of the recommended split / the true optimum\n\n");
	say(r, "| | worst | median | mean |\n|---|---:|---:|---:|\n");
	say(r, "| mldash budget | %.4f | %.4f | %.4f |\n", worst, median(scores, k), k ? mean / k : NAN);
	say(r, "| current split (no change) | %.4f | %.4f | %.4f |\n\n", idle_worst, median(idle, k),
	    k ? idle_mean / k : NAN);
	say(r, "Sets scored: %d of %d; failed (mldash error or unreadable answer): %d; "
	       "below %.1f%%: %d; recommendations that break the bounds or the total: %d.\n",
	    k, n, failed, 100 * TARGET_WORST, below, infeasible);
	say(r, "Sets where the recommendation truly does worse than no change: %d; where mldash's "
	       "own curves say so (uplift_daily < 0, the allocator's fault whatever the fit): %d.\n",
	    worse, own_worse);
	if (mismatch)
		say(r, "WARNING: mldash's current_daily differs from the generator's for %d channels: "
		       "their bounds and total differ, the scores are suspect.\n", mismatch);
	free(scores);
	free(idle);
	return k > 0 && failed == 0 && worst >= TARGET_WORST;
}

/* Per kind of curve: the interval coverage, and how far the recommended
 * spend is from the optimal one (in units of current spend). */
struct kind_stats {
	int channels, counted, covered, below, above;
	double *distance; /* |recommended - optimum| / current; owned by the caller */
	int ndistance;
};

enum { KIND_CONCAVE, KIND_SHAPED, KIND_NARROW, KINDS }; /* narrow: either shape */

static void add_channel(struct kind_stats *k, const struct channel_outcome *c, int intervals)
{
	k->channels++;
	k->distance[k->ndistance++] = fabs(c->recommended - c->optimum) / c->current;
	if (!intervals || !isfinite(c->low80) || !isfinite(c->high80))
		return;
	k->counted++;
	k->covered += c->truth >= c->low80 && c->truth <= c->high80;
	k->below += c->truth < c->low80;
	k->above += c->truth > c->high80;
}

static void collect_kinds(const struct set_outcome *o, int n, struct kind_stats kinds[KINDS])
{
	for (int s = 0; s < n; s++) {
		if (o[s].failed)
			continue;
		for (int i = 0; i < NCH; i++) {
			const struct channel_outcome *c = &o[s].ch[i];
			add_channel(&kinds[c->alpha > 1 ? KIND_SHAPED : KIND_CONCAVE], c, o[s].intervals);
			if (c->narrow)
				add_channel(&kinds[KIND_NARROW], c, o[s].intervals);
		}
	}
}

static void report_kind(struct report *r, const char *name, struct kind_stats *k)
{
	char cover[40] = "-", sides[40] = "-";
	if (k->counted) {
		snprintf(cover, sizeof cover, "%.1f%% (%d/%d)", 100.0 * k->covered / k->counted,
			 k->covered, k->counted);
		snprintf(sides, sizeof sides, "%d / %d", k->below, k->above);
	}
	say(r, "| %s | %d | %.3f | %s | %s |\n", name, k->channels, median(k->distance, k->ndistance),
	    cover, sides);
}

/* Returns whether the coverage target is met (0 when there are no intervals). */
static int report_channels(struct report *r, const struct set_outcome *o, int n)
{
	static const char *const names[KINDS] = {
		"concave (alpha <= 1)", "S-shaped (alpha > 1)",
		"of either, spend barely varied (0.75x-1.35x levels)",
	};
	struct kind_stats kinds[KINDS];
	int ok = 0, allocated = 1;
	memset(kinds, 0, sizeof kinds);
	for (int k = 0; k < KINDS; k++)
		allocated &= (kinds[k].distance = malloc(sizeof(double) * (size_t)(n * NCH + 1))) != NULL;
	if (allocated) {
		collect_kinds(o, n, kinds);
		say(r, "\n## Channels by kind of true curve\n\n");
		say(r, "| kind | channels | median abs(recommended - optimum) / current | "
		       "80%% coverage | truth below / above |\n|---|---:|---:|---:|---:|\n");
		for (int k = 0; k < KINDS; k++)
			report_kind(r, names[k], &kinds[k]);
		int counted = kinds[KIND_CONCAVE].counted + kinds[KIND_SHAPED].counted;
		int covered = kinds[KIND_CONCAVE].covered + kinds[KIND_SHAPED].covered;
		say(r, "\n");
		if (counted == 0) {
			say(r, "intervals: not in mldash's output\n");
		} else {
			double share = (double)covered / counted;
			ok = share >= TARGET_COVER_LOW && share <= TARGET_COVER_HIGH;
			say(r, "80%% intervals of expected revenue at the recommended spend hold the truth "
			       "for %.1f%% of %d channels.\n", 100 * share, counted);
		}
	}
	for (int k = 0; k < KINDS; k++)
		free(kinds[k].distance);
	return ok;
}

static void report_uplift(struct report *r, const struct set_outcome *o, int n)
{
	int counted = 0, covered = 0, better = 0, scored = 0;
	double probability = 0;
	for (int s = 0; s < n; s++) {
		if (o[s].failed)
			continue;
		scored++;
		better += o[s].true_uplift > 0;
		if (o[s].uplift_interval && isfinite(o[s].uplift_low) && isfinite(o[s].uplift_high)) {
			counted++;
			covered += o[s].uplift_covered;
		}
		probability += o[s].probability_better;
	}
	if (counted == 0) {
		say(r, "Uplift intervals: not in mldash's output.\n");
		return;
	}
	say(r, "The plan's 80%% uplift interval holds the true uplift (true revenue at the "
	       "recommended split minus at the current one) in %d of %d sets (%.1f%%).\n",
	    covered, counted, 100.0 * covered / counted);
	if (isfinite(probability) && scored)
		say(r, "Mean probability_better %.3f; the plan truly is better in %d of %d sets.\n",
		    probability / scored, better, scored);
}

static void report_timing(struct report *r, const struct set_outcome *o, int n)
{
	double *t = malloc(sizeof(double) * (size_t)(n ? n : 1)), sum = 0, top = 0;
	int k = 0;
	if (t == NULL)
		return;
	for (int s = 0; s < n; s++) {
		if (o[s].seconds > 0) {
			sum += t[k++] = o[s].seconds;
			top = fmax(top, o[s].seconds);
		}
	}
	say(r, "\n## Time per `mldash budget --adstock --json` call (8 channels, 90-365 days)\n\n");
	say(r, "mean %.1f ms, median %.1f ms, max %.1f ms over %d calls.\n", k ? 1e3 * sum / k : NAN,
	    1e3 * median(t, k), 1e3 * top, k);
	free(t);
}

static void report(struct report *r, const struct options *opt, const struct set_outcome *o, int n)
{
	say(r, "# Budget advice against known truth (#15)\n\n");
	say(r, "%d sets of %d synthetic channels (seed %llu), `%s budget --adstock --json --total T`, "
	       "default bounds (%.1fx to %.1fx of current), T %g times the current total. "
	       "Score: the recommended split's revenue under the true curves over the true optimum's "
	       "(a %d-step DP, then pairwise refinement).\n\n",
	    n, NCH, (unsigned long long)opt->seed, opt->mldash, LOWER_RATIO, UPPER_RATIO,
	    opt->total_ratio, DP_STEPS);
	report_sets(r, o, n);
	int worst_ok = report_scores(r, o, n);
	int cover_ok = report_channels(r, o, n);
	report_uplift(r, o, n);
	report_timing(r, o, n);
	say(r, "\n## Targets\n\n");
	say(r, "- worst score at least %.1f%% of the true optimum: %s\n", 100 * TARGET_WORST,
	    met(worst_ok));
	say(r, "- 80%% intervals hold the true revenue for %.0f-%.0f%% of channels: %s\n",
	    100 * TARGET_COVER_LOW, 100 * TARGET_COVER_HIGH, met(cover_ok));
	say(r, "- re-optimisation of 20 S-shaped channels under 500 us: measured by "
	       "bench/budget_bench.c, not here\n");
}

/* --- main ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: budget_accuracy [--seed S] [--sets N] [--total-ratio R] [--out FILE]\n"
			"                       [--keep DIR]\n"
			"  --total-ratio R: the daily total R times the current one (default 1;\n"
			"                   0.5 to 2, the bounds' range)\n"
			"  MLDASH (env): the mldash binary, default build/cli/mldash\n");
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option options[] = {
		{ "seed", required_argument, NULL, 's' }, { "sets", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },  { "keep", required_argument, NULL, 'k' },
		{ "total-ratio", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
	};
	const char *env = getenv("MLDASH");
	*opt = (struct options){ 20250615, 60, NULL, NULL, env && *env ? env : "build/cli/mldash", 1 };
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 's':
			opt->seed = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0')
				return -1;
			break;
		case 'n':
			opt->sets = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || opt->sets < 1 || opt->sets > 100000)
				return -1;
			break;
		case 't':
			opt->total_ratio = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(opt->total_ratio >= LOWER_RATIO) ||
			    !(opt->total_ratio <= UPPER_RATIO))
				return -1;
			break;
		case 'o': opt->out = optarg; break;
		case 'k': opt->keep = optarg; break;
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct options opt;
	if (parse_options(argc, argv, &opt) != 0) {
		usage();
		return 2;
	}
	if (access(opt.mldash, X_OK) != 0) {
		fprintf(stderr, "budget_accuracy: %s is not executable (build first, or set MLDASH)\n",
			opt.mldash);
		return 2;
	}
	if (opt.keep && mkdir(opt.keep, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "budget_accuracy: cannot make %s: %s\n", opt.keep, strerror(errno));
		return 2;
	}
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/budget_accuracy.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	struct set_outcome *outcomes = calloc((size_t)opt.sets, sizeof *outcomes);
	if (outcomes == NULL || mkdtemp(dir) == NULL) {
		fprintf(stderr, "budget_accuracy: cannot make a scratch folder in %s\n", dir);
		free(outcomes);
		return 2;
	}
	int progress = isatty(2);
	for (int s = 0; s < opt.sets; s++) {
		run_set(&opt, dir, s, &outcomes[s]);
		if (progress)
			fprintf(stderr, "\rset %d/%d", s + 1, opt.sets);
	}
	if (progress)
		fprintf(stderr, "\n");
	struct report r = { opt.out ? fopen(opt.out, "w") : NULL };
	if (opt.out && r.file == NULL)
		fprintf(stderr, "budget_accuracy: cannot write %s: %s\n", opt.out, strerror(errno));
	report(&r, &opt, outcomes, opt.sets);
	if (r.file)
		fclose(r.file);
	char path[4200];
	static const char *const scratch[] = { "set.csv", "answer.json", "stderr.txt" };
	for (size_t i = 0; i < sizeof scratch / sizeof *scratch; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, scratch[i]);
		unlink(path);
	}
	rmdir(dir);
	free(outcomes);
	return 0;
}
