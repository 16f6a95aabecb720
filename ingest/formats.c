#include "formats.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const ingest_format_names[FORMAT__MAX] = {
	[FORMAT_UNKNOWN] = "unknown",
	[FORMAT_GENERIC] = "generic",
	[FORMAT_GOOGLE_ADS] = "google_ads",
	[FORMAT_META] = "meta",
};

/* A column alias: "Amount spent (*)" matches "Amount spent (AUD)" and
 * takes the currency from the parentheses. Aliases of one column are listed
 * in order of preference. */
struct alias {
	enum ingest_format format;
	enum ingest_column column;
	const char *name;
};

static const struct alias aliases[] = {
	{ FORMAT_GENERIC, COL_DAY, "date" },
	{ FORMAT_GENERIC, COL_DAY, "day" },
	{ FORMAT_GENERIC, COL_CAMPAIGN_ID, "campaign_id" },
	{ FORMAT_GENERIC, COL_CAMPAIGN_NAME, "campaign_name" },
	{ FORMAT_GENERIC, COL_CHANNEL, "channel" },
	{ FORMAT_GENERIC, COL_CURRENCY, "currency" },
	{ FORMAT_GENERIC, COL_SPEND, "spend" },
	{ FORMAT_GENERIC, COL_IMPRESSIONS, "impressions" },
	{ FORMAT_GENERIC, COL_REACH, "reach" },
	{ FORMAT_GENERIC, COL_CLICKS, "clicks" },
	{ FORMAT_GENERIC, COL_CONVERSIONS, "conversions" },
	{ FORMAT_GENERIC, COL_REVENUE, "revenue" },

	{ FORMAT_GOOGLE_ADS, COL_DAY, "Day" },
	{ FORMAT_GOOGLE_ADS, COL_DAY, "Date" },
	{ FORMAT_GOOGLE_ADS, COL_CAMPAIGN_ID, "Campaign ID" },
	{ FORMAT_GOOGLE_ADS, COL_CAMPAIGN_NAME, "Campaign" },
	{ FORMAT_GOOGLE_ADS, COL_CURRENCY, "Currency code" },
	{ FORMAT_GOOGLE_ADS, COL_CURRENCY, "Currency" },
	{ FORMAT_GOOGLE_ADS, COL_SPEND, "Cost" },
	{ FORMAT_GOOGLE_ADS, COL_SPEND, "Cost (*)" },
	{ FORMAT_GOOGLE_ADS, COL_IMPRESSIONS, "Impr." },
	{ FORMAT_GOOGLE_ADS, COL_IMPRESSIONS, "Impressions" },
	{ FORMAT_GOOGLE_ADS, COL_CLICKS, "Clicks" },
	{ FORMAT_GOOGLE_ADS, COL_CONVERSIONS, "Conversions" },
	{ FORMAT_GOOGLE_ADS, COL_REVENUE, "Conv. value" },
	{ FORMAT_GOOGLE_ADS, COL_REVENUE, "Total conv. value" },

	{ FORMAT_META, COL_DAY, "Day" },
	{ FORMAT_META, COL_PERIOD_START, "Reporting starts" },
	{ FORMAT_META, COL_PERIOD_END, "Reporting ends" },
	{ FORMAT_META, COL_CAMPAIGN_ID, "Campaign ID" },
	{ FORMAT_META, COL_CAMPAIGN_NAME, "Campaign name" },
	{ FORMAT_META, COL_CURRENCY, "Currency" },
	{ FORMAT_META, COL_SPEND, "Amount spent (*)" },
	{ FORMAT_META, COL_SPEND, "Amount spent" },
	{ FORMAT_META, COL_IMPRESSIONS, "Impressions" },
	{ FORMAT_META, COL_REACH, "Reach" },
	{ FORMAT_META, COL_CLICKS, "Link clicks" },
	{ FORMAT_META, COL_CLICKS, "Clicks (all)" },
	{ FORMAT_META, COL_CONVERSIONS, "Purchases" },
	{ FORMAT_META, COL_CONVERSIONS, "Results" },
	{ FORMAT_META, COL_REVENUE, "Purchases conversion value" },
	{ FORMAT_META, COL_ROAS, "Purchase ROAS (return on ad spend)" },
};

#define N_ALIASES (sizeof aliases / sizeof aliases[0])

/* Report segments other than the day, which mean "not daily data". */
static const char *const coarse_segments[] = { "Week", "Month", "Quarter", "Year",
					       "Month of year", "Day of week" };

/* Matches cell against an alias; a "(*)" suffix captures a 3-letter
 * currency into currency (when non-NULL). */
static int alias_matches(const char *alias, const char *cell, char currency[4])
{
	size_t n = strlen(alias);
	if (n >= 3 && strcmp(alias + n - 3, "(*)") == 0) {
		size_t stem = n - 2; /* "Amount spent (" */
		if (strncasecmp(cell, alias, stem) != 0 || strlen(cell) != stem + 4 ||
		    cell[stem + 3] != ')')
			return 0;
		for (int i = 0; i < 3; i++)
			if (!isupper((unsigned char)cell[stem + i]))
				return 0;
		if (currency != NULL) {
			memcpy(currency, cell + stem, 3);
			currency[3] = '\0';
		}
		return 1;
	}
	return strcasecmp(alias, cell) == 0;
}

static int find_cell(const char *const *cells, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (alias_matches(name, cells[i], NULL))
			return (int)i;
	return -1;
}

/* Fills map for format from the header cells (first alias found wins). */
static void map_columns(enum ingest_format format, const char *const *cells, size_t n,
			struct column_map *map)
{
	memset(map, 0, sizeof *map);
	map->format = format;
	for (int c = 0; c < COL__MAX; c++)
		map->col[c] = -1;
	for (size_t a = 0; a < N_ALIASES; a++) {
		const struct alias *al = &aliases[a];
		if (al->format != format || map->col[al->column] >= 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (alias_matches(al->name, cells[i], map->header_currency)) {
				map->col[al->column] = (int)i;
				break;
			}
		}
	}
	map->campaign_grain = format == FORMAT_GENERIC;
	map->channel = format == FORMAT_GOOGLE_ADS ? "google_ads"
		     : format == FORMAT_META        ? "meta"
						    : NULL;
}

static enum ingest_format guess_format(const char *const *cells, size_t n)
{
	if (find_cell(cells, n, "campaign_id") >= 0 && find_cell(cells, n, "channel") >= 0)
		return FORMAT_GENERIC;
	if (find_cell(cells, n, "Campaign name") >= 0 &&
	    (find_cell(cells, n, "Amount spent (*)") >= 0 || find_cell(cells, n, "Amount spent") >= 0))
		return FORMAT_META;
	if (find_cell(cells, n, "Campaign") >= 0 &&
	    (find_cell(cells, n, "Cost") >= 0 || find_cell(cells, n, "Cost (*)") >= 0 ||
	     find_cell(cells, n, "Impr.") >= 0))
		return FORMAT_GOOGLE_ADS;
	return FORMAT_UNKNOWN;
}

static enum detect_result refuse_not_daily(const char *const *cells, size_t n,
					   enum ingest_format format, char *why, size_t whylen)
{
	const char *segment = NULL;
	for (size_t s = 0; s < sizeof coarse_segments / sizeof coarse_segments[0]; s++)
		if (find_cell(cells, n, coarse_segments[s]) >= 0)
			segment = coarse_segments[s];
	const char *platform = format == FORMAT_META ? "Meta Ads Manager" : "Google Ads";
	const char *how = format == FORMAT_META
		? "in Ads Manager choose Breakdown > By time > Day before exporting"
		: "in Google Ads add the segment Time > Day to the report before downloading";
	if (segment != NULL)
		snprintf(why, whylen,
			 "this %s report is segmented by %s, not by day: export it by day (%s)",
			 platform, segment, how);
	else
		snprintf(why, whylen,
			 "this %s report has no Day column, so its totals cannot be placed on days: "
			 "export it segmented by day (%s)",
			 platform, how);
	return DETECT_REFUSED;
}

/*
 * A header cell the map uses whose name another cell repeats ("spend"
 * twice): which one holds the numbers is anybody's guess. Different names
 * of one column ("Link clicks" and "Clicks (all)") are the export's own,
 * and the first in the alias list is taken. Returns 1 with why filled.
 */
static int repeated_column(enum ingest_format format, const char *const *cells, size_t n,
			   const struct column_map *map, char *why, size_t whylen)
{
	for (size_t a = 0; a < N_ALIASES; a++) {
		const struct alias *al = &aliases[a];
		int used = al->format == format ? map->col[al->column] : -1;
		if (used < 0 || !alias_matches(al->name, cells[used], NULL))
			continue;
		for (size_t i = 0; i < n; i++)
			if ((int)i != used && alias_matches(al->name, cells[i], NULL)) {
				snprintf(why, whylen, "the header has '%.60s' twice (columns %d and %zu): "
					 "keep one", cells[used], used + 1, i + 1);
				return 1;
			}
	}
	return 0;
}

enum detect_result formats_detect(const char *const *cells, size_t ncells,
				  struct column_map *map, char *why, size_t whylen)
{
	enum ingest_format format = guess_format(cells, ncells);
	if (format == FORMAT_UNKNOWN)
		return DETECT_NOT_HEADER;
	map_columns(format, cells, ncells, map);

	int has_day = map->col[COL_DAY] >= 0 ||
		      (map->col[COL_PERIOD_START] >= 0 && map->col[COL_PERIOD_END] >= 0);
	if (!has_day) {
		if (format == FORMAT_GENERIC) {
			snprintf(why, whylen, "the generic format needs a 'date' column");
			return DETECT_REFUSED;
		}
		return refuse_not_daily(cells, ncells, format, why, whylen);
	}
	if (format == FORMAT_GENERIC && map->col[COL_SPEND] < 0 && map->col[COL_IMPRESSIONS] < 0 &&
	    map->col[COL_REACH] < 0 && map->col[COL_REVENUE] < 0 && map->col[COL_CLICKS] < 0 &&
	    map->col[COL_CONVERSIONS] < 0) {
		snprintf(why, whylen, "the generic header has no metric column "
			 "(spend, impressions, reach, clicks, conversions, revenue)");
		return DETECT_REFUSED;
	}
	if (repeated_column(format, cells, ncells, map, why, whylen))
		return DETECT_REFUSED;
	return DETECT_HEADER;
}

const char *formats_requirements(void)
{
	return "generic CSV needs date, campaign_id and channel (and any of campaign_name, "
	       "currency, spend, impressions, reach, clicks, conversions, revenue); "
	       "Google Ads reports need Day, Campaign and Cost or Impr. (and any of Campaign ID, "
	       "Currency code, Clicks, Conversions, Conv. value); "
	       "Meta Ads Manager exports need Day (or Reporting starts and Reporting ends), "
	       "Campaign name and Amount spent (CUR) (and any of Impressions, Reach, Link clicks "
	       "or Clicks (all), Purchases or Results, Purchases conversion value or "
	       "Purchase ROAS (return on ad spend))";
}
