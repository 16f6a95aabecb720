#include "demo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct channel_profile {
	const char *name;
	double daily_spend;  /* typical spend of one campaign per day */
	double cpm;          /* cost per 1000 impressions */
	double frequency;    /* impressions per person reached */
	double ctr;          /* clicks per impression */
	double order_value;  /* revenue per conversion */
	double hill_beta;    /* revenue ceiling per day, as a multiple of daily_spend */
	double hill_k;       /* half-saturation spend, as a multiple of daily_spend */
	double hill_alpha;   /* shape */
};

/* Chosen so that ROI differs by channel and every channel saturates. */
static const struct channel_profile channels[] = {
	{ "google_ads", 220, 9.0, 1.6, 0.045, 85, 5.2, 1.4, 1.1 },
	{ "meta", 180, 7.5, 2.1, 0.012, 70, 4.0, 1.3, 1.2 },
	{ "tiktok", 120, 5.0, 2.4, 0.009, 45, 2.6, 1.1, 1.3 },
	{ "email", 25, 1.2, 1.1, 0.030, 60, 9.0, 1.8, 0.9 },
	{ "display", 150, 3.5, 2.8, 0.004, 75, 2.0, 0.9, 1.4 },
	{ "youtube", 160, 11.0, 1.9, 0.006, 90, 3.0, 1.2, 1.2 },
};
#define N_CHANNELS (sizeof channels / sizeof channels[0])

/* Weekly shape, Monday first: weekends spend less and convert differently. */
static const double weekday_factor[7] = { 1.05, 1.08, 1.06, 1.02, 0.98, 0.88, 0.90 };

/* splitmix64: small, fast, and good enough for synthetic data. */
static uint64_t next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
	return ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(uint64_t *s)
{
	return sqrt(-2.0 * log(uniform(s))) * cos(6.283185307179586 * uniform(s));
}

static double lognormal(uint64_t *s, double sigma)
{
	return exp(sigma * normal(s) - sigma * sigma / 2);
}

static double hill(const struct channel_profile *c, double spend, double scale)
{
	double k = c->hill_k * c->daily_spend * scale;
	double beta = c->hill_beta * c->daily_spend * scale;
	if (spend <= 0)
		return 0;
	double sa = pow(spend, c->hill_alpha);
	return beta * sa / (sa + pow(k, c->hill_alpha));
}

struct campaign {
	const struct channel_profile *channel;
	double scale; /* size of this campaign relative to its channel's typical one */
	double trend; /* relative change of spend over the whole period */
	double pause_from, pause_to; /* a stretch without spend, as fractions of the period */
};

static void make_campaign(uint64_t *rng, int i, struct campaign *c)
{
	c->channel = &channels[i % N_CHANNELS];
	c->scale = 0.4 + 1.2 * uniform(rng);
	c->trend = 0.6 * (uniform(rng) - 0.4);
	c->pause_from = c->pause_to = -1;
	if (uniform(rng) < 0.15) { /* some campaigns pause for a while */
		c->pause_from = uniform(rng) * 0.8;
		c->pause_to = c->pause_from + 0.03 + 0.07 * uniform(rng);
	}
}

static int emit_row(const struct demo_params *p, uint64_t *rng, int i, const struct campaign *c,
		    int t, const struct tm *day, demo_emit *emit, void *ctx)
{
	const struct channel_profile *ch = c->channel;
	double progress = p->days > 1 ? (double)t / (p->days - 1) : 1;
	int weekday = (day->tm_wday + 6) % 7;
	double spend = 0;
	if (progress < c->pause_from || progress > c->pause_to)
		spend = ch->daily_spend * c->scale * weekday_factor[weekday] *
			(1 + c->trend * progress) * lognormal(rng, 0.18);

	double impressions = floor(spend / ch->cpm * 1000 * lognormal(rng, 0.08));
	double reach = floor(impressions / (ch->frequency * lognormal(rng, 0.05)));
	double clicks = floor(impressions * ch->ctr * lognormal(rng, 0.12));
	double revenue = hill(ch, spend, c->scale) * weekday_factor[(weekday + 1) % 7] *
			 lognormal(rng, 0.20);
	double conversions = floor(revenue / (ch->order_value * lognormal(rng, 0.10)) + 0.5);
	if (clicks > impressions)
		clicks = impressions;

	char line[512];
	int n = snprintf(line, sizeof line,
			 "%04d-%02d-%02d,demo-%03d,Demo %s campaign %d,%s,%.2f,%.0f,%.0f,%.0f,%.0f,%.2f\n",
			 day->tm_year + 1900, day->tm_mon + 1, day->tm_mday, i + 1, ch->name, i + 1,
			 ch->name, spend, impressions, reach, clicks, conversions, revenue);
	return emit(ctx, line, (size_t)n);
}

int demo_generate(const struct demo_params *p, demo_emit *emit, void *ctx)
{
	static const char header[] =
		"date,campaign_id,campaign_name,channel,spend,impressions,reach,clicks,conversions,revenue\n";
	int rc = emit(ctx, header, sizeof header - 1);
	if (rc != 0 || p->campaigns < 1 || p->days < 1)
		return rc;

	uint64_t rng = p->seed ^ 0x6d6c64617368ULL;
	struct campaign c;
	struct tm end = { .tm_year = p->end_year - 1900, .tm_mon = p->end_month - 1,
			  .tm_mday = p->end_day, .tm_hour = 12 };
	time_t end_t = timegm(&end);

	/* Campaign profiles come from their own stream so that the rows of
	 * campaign i do not depend on the number of days. */
	for (int i = 0; i < p->campaigns; i++) {
		uint64_t profile_rng = rng + 0x1000193ULL * (uint64_t)(i + 1);
		make_campaign(&profile_rng, i, &c);
		uint64_t row_rng = next_u64(&profile_rng);
		for (int t = 0; t < p->days; t++) {
			time_t when = end_t - (time_t)(p->days - 1 - t) * 86400;
			struct tm day;
			gmtime_r(&when, &day);
			if ((rc = emit_row(p, &row_rng, i, &c, t, &day, emit, ctx)) != 0)
				return rc;
		}
	}
	return 0;
}
