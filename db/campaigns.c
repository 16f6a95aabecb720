#include "campaigns.h"

#include <stdio.h>

static int read_last_day(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	long *day = ctx;
	*day = cols[0].type == DB_NULL ? -1 : (long)db_col_int(&cols[0]);
	return 1;
}

enum db_status campaigns_last_day(struct db *db, long *day, int *empty)
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT DATEDIFF(MAX(day), '1970-01-01') FROM campaign_daily");
	*day = -1;
	enum db_status st = db_run(db, &select, NULL, 0, read_last_day, day);
	*empty = *day < 0;
	return st;
}

struct day_reader {
	channel_day_fn *fn;
	void *ctx;
};

static int read_channel_day(void *ctx, const struct db_value *c, int ncols)
{
	(void)ncols;
	const struct day_reader *r = ctx;
	struct channel_day d = {
		.channel = db_col_text(&c[0]), .day = (long)db_col_int(&c[1]),
		.spend = db_col_double(&c[2]), .revenue = db_col_double(&c[3]),
		.roi_spend = db_col_double(&c[4]), .conversions = db_col_double(&c[5]),
		.impressions = db_col_double(&c[6]), .clicks = db_col_double(&c[7]),
		.ctr_impressions = db_col_double(&c[8]), .reach = db_col_double(&c[9]),
		.reach_is_upper_bound = db_col_int(&c[10]) != 0,
	};
	return r->fn(r->ctx, &d);
}

enum db_status campaigns_channel_days(struct db *db, long first, long last, channel_day_fn *fn,
				      void *ctx)
{
	/* ROI counts the spend of campaigns that report revenue (a campaign
	 * without revenue is left out, not counted as a loss); CTR the
	 * impressions of campaigns that report clicks. The total over channels
	 * is the ML sync's own series 'all': a channel the store's collation
	 * holds equal to it would collide with it in the ml_* keys. Sums are
	 * taken in double precision (+ 0e0): the models work in doubles, and
	 * DECIMAL accumulators cost a fifth of the read at a million rows. */
	static struct db_statement select = DB_STATEMENT(
		"SELECT c.channel, DATEDIFF(d.day, '1970-01-01'),"
		" SUM(d.spend + 0e0), SUM(d.revenue + 0e0), SUM(IF(d.revenue IS NULL, NULL, d.spend + 0e0)),"
		" SUM(d.conversions + 0e0), SUM(d.impressions + 0e0), SUM(d.clicks + 0e0),"
		" SUM(IF(d.clicks IS NULL, NULL, d.impressions + 0e0)), SUM(d.reach + 0e0),"
		" MAX(d.reach_is_upper_bound) OR COUNT(d.reach) > 1"
		" FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id"
		" WHERE c.channel <> 'all' AND d.day BETWEEN FROM_DAYS(719528 + ?) AND FROM_DAYS(719528 + ?)"
		" GROUP BY c.channel, d.day ORDER BY c.channel, d.day");
	struct db_value p[] = { db_int(first), db_int(last) };
	struct day_reader r = { fn, ctx };
	return db_run(db, &select, p, 2, read_channel_day, &r);
}

struct named_like_total {
	long long *count;
	char *name;
};

static int read_named_like_total(void *ctx, const struct db_value *cols, int ncols)
{
	(void)ncols;
	const struct named_like_total *t = ctx;
	*t->count = db_col_int(&cols[0]);
	snprintf(t->name, RESULT_CHANNEL_MAX * 4 + 1, "%s", db_col_text(&cols[1]));
	return 1;
}

enum db_status campaigns_named_like_total(struct db *db, long long *count,
					  char name[RESULT_CHANNEL_MAX * 4 + 1])
{
	static struct db_statement select = DB_STATEMENT(
		"SELECT COUNT(*), MIN(channel) FROM campaigns WHERE channel = 'all'");
	struct named_like_total t = { count, name };
	*count = 0;
	*name = '\0';
	return db_run(db, &select, NULL, 0, read_named_like_total, &t);
}
