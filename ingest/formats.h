/*
 * formats: recognising a report's header row and mapping its columns.
 * Pure. Three formats: mldash's generic CSV, Google Ads reports and Meta Ads
 * Manager exports (see docs/import-formats.md).
 */
#ifndef MLDASH_FORMATS_H
#define MLDASH_FORMATS_H

#include <stddef.h>

enum ingest_format { FORMAT_UNKNOWN, FORMAT_GENERIC, FORMAT_GOOGLE_ADS, FORMAT_META, FORMAT__MAX };
extern const char *const ingest_format_names[FORMAT__MAX];

enum ingest_column {
	COL_DAY,
	COL_PERIOD_START, /* Meta "Reporting starts" */
	COL_PERIOD_END,   /* Meta "Reporting ends" */
	COL_CAMPAIGN_ID,
	COL_CAMPAIGN_NAME,
	COL_CHANNEL,
	COL_CURRENCY,
	COL_SPEND,
	COL_IMPRESSIONS,
	COL_REACH,
	COL_CLICKS,
	COL_CONVERSIONS,
	COL_REVENUE,
	COL_ROAS, /* revenue = spend x ROAS when there is no revenue column */
	COL__MAX
};

struct column_map {
	enum ingest_format format;
	int col[COL__MAX];        /* index in the row, -1 when absent */
	char header_currency[4];  /* from "Amount spent (AUD)" or "Cost (AUD)", "" if none */
	const char *channel;      /* fixed channel of platform formats, NULL for generic */
	int campaign_grain;       /* one row per campaign-day: duplicates are errors */
};

enum detect_result {
	DETECT_NOT_HEADER, /* not a header row (a title line, say) */
	DETECT_HEADER,     /* map is filled */
	DETECT_REFUSED,    /* a header we know that cannot be imported; why says so */
};

/*
 * Looks at one row (already trimmed cells) as a possible header.
 */
enum detect_result formats_detect(const char *const *cells, size_t ncells,
				  struct column_map *map, char *why, size_t whylen);

/* One sentence per format saying which columns it needs. */
const char *formats_requirements(void);

#endif
