/*
 * campaigns: what the ML sync reads of the campaign data: per channel and
 * day, the sums over its campaigns. Summed in the server, so the sync's
 * memory grows with channels x days, not with campaigns.
 */
#ifndef MLDASH_CAMPAIGNS_H
#define MLDASH_CAMPAIGNS_H

#include "db.h"
#include "results.h"

/* One channel's day. A sum is NaN when no campaign reported the measure. */
struct channel_day {
	const char *channel;  /* valid during the callback */
	long day;             /* days since 1970-01-01 */
	double spend, revenue;
	double roi_spend;       /* spend of the campaigns that report revenue */
	double conversions, impressions, clicks;
	double ctr_impressions; /* impressions of the campaigns that report clicks */
	double reach;
	int reach_is_upper_bound; /* summed over several campaigns, or marked so */
};

typedef int channel_day_fn(void *ctx, const struct channel_day *d);

/* The last day with data: *day, or *empty = 1 when there is none. */
enum db_status campaigns_last_day(struct db *db, long *day, int *empty);

/*
 * The days first..last of every channel but the total's name ("all"), by
 * channel then day. Stops when fn returns non-zero.
 */
enum db_status campaigns_channel_days(struct db *db, long first, long last, channel_day_fn *fn,
				      void *ctx);

/* Campaigns whose channel the store holds equal to "all" (a look-alike
 * such as 'ÀLL' passes the import's check): *count, and one such name. */
enum db_status campaigns_named_like_total(struct db *db, long long *count,
					  char name[RESULT_CHANNEL_MAX * 4 + 1]);

#endif
