/* Unit tests of the ingestion parser (ingest/): formats, encodings, quoting,
 * line numbers and every kind of rejected row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

#define MAX_SEEN 64

struct seen_row {
	unsigned long line;
	char day[11], key[64], name[128], channel[32], currency[4];
	int known[METRIC__MAX];
	char metric[METRIC__MAX][CELL_NUMBER_MAX];
};

/* What the sink saw. */
struct seen {
	int nrows, nrejects;
	struct seen_row rows[MAX_SEEN];
	struct {
		unsigned long line;
		char why[400];
	} rejects[MAX_SEEN];
	enum ingest_outcome outcome;
	char error[1024];
	enum ingest_format format;
};

static int on_row(void *ctx, const struct ingest_row *r)
{
	struct seen *s = ctx;
	if (s->nrows < MAX_SEEN) {
		struct seen_row *o = &s->rows[s->nrows];
		o->line = r->line;
		memcpy(o->day, r->day, sizeof o->day);
		snprintf(o->key, sizeof o->key, "%s", r->campaign_key);
		snprintf(o->name, sizeof o->name, "%s", r->campaign_name);
		snprintf(o->channel, sizeof o->channel, "%s", r->channel);
		snprintf(o->currency, sizeof o->currency, "%s", r->currency ? r->currency : "");
		for (int m = 0; m < METRIC__MAX; m++) {
			o->known[m] = r->known[m];
			snprintf(o->metric[m], sizeof o->metric[m], "%s", r->known[m] ? r->metric[m].text : "NULL");
		}
	}
	s->nrows++;
	return 0;
}

static void on_reject(void *ctx, unsigned long line, const char *why)
{
	struct seen *s = ctx;
	if (s->nrejects < MAX_SEEN) {
		s->rejects[s->nrejects].line = line;
		snprintf(s->rejects[s->nrejects].why, sizeof s->rejects[0].why, "%s", why);
	}
	s->nrejects++;
}

static const struct ingest_sink sink = { on_row, on_reject };

/* Parses bytes fed in chunks of `chunk` bytes (to cross every boundary). */
static struct seen *parse_bytes(const void *bytes, size_t len, size_t chunk)
{
	struct seen *s = calloc(1, sizeof *s);
	struct ingest_parser *p = ingest_parser_new(&sink, s);
	assert_non_null(p);
	const char *b = bytes;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (ingest_parser_feed(p, b + off, n) != 0)
			break;
	}
	s->outcome = ingest_parser_finish(p);
	snprintf(s->error, sizeof s->error, "%s", ingest_parser_error(p));
	s->format = ingest_parser_columns(p)->format;
	ingest_parser_free(p);
	return s;
}

static struct seen *parse(const char *text)
{
	struct seen *whole = parse_bytes(text, strlen(text), strlen(text) + 1);
	/* The same text fed one byte at a time must give the same result. */
	struct seen *bytewise = parse_bytes(text, strlen(text), 1);
	assert_int_equal(whole->nrows, bytewise->nrows);
	assert_int_equal(whole->nrejects, bytewise->nrejects);
	assert_int_equal(whole->outcome, bytewise->outcome);
	assert_memory_equal(whole->rows, bytewise->rows, sizeof whole->rows);
	free(bytewise);
	return whole;
}

#define GENERIC_HEADER "date,campaign_id,campaign_name,channel,spend,impressions,reach,clicks,conversions,revenue\n"

static void test_generic_rows(void **state)
{
	(void)state;
	struct seen *s = parse(GENERIC_HEADER
			       "2024-01-01,c1,Spring sale,meta,12.50,1000,800,30,2,40.00\n"
			       "2024-01-02,c1,Spring sale,meta,0,0,,0,0,0\n");
	assert_int_equal(s->outcome, INGEST_ROWS);
	assert_int_equal(s->format, FORMAT_GENERIC);
	assert_int_equal(s->nrows, 2);
	assert_int_equal(s->nrejects, 0);
	assert_int_equal(s->rows[0].line, 2);
	assert_string_equal(s->rows[0].day, "2024-01-01");
	assert_string_equal(s->rows[0].key, "c1");
	assert_string_equal(s->rows[0].name, "Spring sale");
	assert_string_equal(s->rows[0].channel, "meta");
	assert_string_equal(s->rows[0].metric[METRIC_SPEND], "12.50");
	assert_string_equal(s->rows[0].metric[METRIC_IMPRESSIONS], "1000");
	assert_string_equal(s->rows[0].metric[METRIC_REVENUE], "40.00");
	/* An empty reach cell is unknown, not zero. */
	assert_false(s->rows[1].known[METRIC_REACH]);
	assert_true(s->rows[1].known[METRIC_CLICKS]);
	assert_string_equal(s->rows[1].metric[METRIC_CLICKS], "0");
	free(s);
}

static void test_missing_columns_are_unknown(void **state)
{
	(void)state;
	struct seen *s = parse("date,campaign_id,channel,spend\n2024-03-01,x,tiktok,5\n");
	assert_int_equal(s->nrows, 1);
	assert_true(s->rows[0].known[METRIC_SPEND]);
	for (int m = METRIC_IMPRESSIONS; m < METRIC__MAX; m++)
		assert_false(s->rows[0].known[m]);
	assert_string_equal(s->rows[0].name, "x"); /* the id stands in for a missing name */
	free(s);
}

static void test_bad_rows_are_rejected_with_line_and_reason(void **state)
{
	(void)state;
	struct seen *s = parse(GENERIC_HEADER
			       "2024-02-30,c1,A,meta,1,10,,1,0,0\n"        /* 2: no such day */
			       "yesterday,c1,A,meta,1,10,,1,0,0\n"         /* 3: not a date */
			       "2024-01-01,c1,A,meta,-4,10,,1,0,0\n"       /* 4: negative */
			       "2024-01-01,c1,A,meta,1,10,,11,0,0\n"       /* 5: clicks > impressions */
			       "2024-01-01,c1,A,meta,abc,10,,1,0,0\n"      /* 6: not a number */
			       "2024-01-01,c1,A,meta,1,10.5,,1,0,0\n"      /* 7: fractional count */
			       "2024-01-01,,A,meta,1,10,,1,0,0\n"          /* 8: no campaign */
			       "2024-01-01,c1,A,,1,10,,1,0,0\n"            /* 9: no channel */
			       "2024-01-01,c1,A\n"                         /* 10: short row */
			       "2024-01-03,c1,A,meta,1,10,,1,5,0\n");      /* 11: fine: conversions > clicks */
	assert_int_equal(s->outcome, INGEST_ROWS);
	assert_int_equal(s->nrows, 1);
	assert_int_equal(s->rows[0].line, 11);
	assert_string_equal(s->rows[0].metric[METRIC_CONVERSIONS], "5");
	assert_int_equal(s->nrejects, 9);
	const char *expect[] = {
		"column 'date': '2024-02-30' is not a valid date",
		"column 'date': 'yesterday' is not a date (expected YYYY-MM-DD)",
		"column 'spend': '-4' is negative",
		"clicks (11) exceed impressions (10)",
		"column 'spend': 'abc' is not a number",
		"column 'impressions': '10.5' is not a whole number",
		"the campaign is empty",
		"the channel is empty",
		"it has 3 fields, the header needs at least 10",
	};
	for (int i = 0; i < 9; i++) {
		assert_int_equal(s->rejects[i].line, (unsigned long)i + 2);
		assert_string_equal(s->rejects[i].why, expect[i]);
	}
	free(s);
}

static void test_quotes_commas_line_breaks_and_crlf(void **state)
{
	(void)state;
	struct seen *s = parse("date,campaign_id,campaign_name,channel,spend,impressions\r\n"
			       "2024-01-01,c1,\"Deck, siding & other\",google_ads,\"1,574.25\",\"12,000\"\r\n"
			       "2024-01-02,c2,\"Two\r\nline name\",google_ads,3,4\r\n"
			       "2024-01-03,c3,\"He said \"\"hi\"\"\",google_ads,3,4\r\n");
	assert_int_equal(s->nrejects, 0);
	assert_int_equal(s->nrows, 3);
	assert_string_equal(s->rows[0].name, "Deck, siding & other");
	assert_string_equal(s->rows[0].metric[METRIC_SPEND], "1574.25");
	assert_string_equal(s->rows[0].metric[METRIC_IMPRESSIONS], "12000");
	assert_string_equal(s->rows[1].name, "Two\r\nline name");
	assert_int_equal(s->rows[1].line, 3);
	assert_int_equal(s->rows[2].line, 5); /* the quoted line break counts */
	assert_string_equal(s->rows[2].name, "He said \"hi\"");
	free(s);
}

/*
 * What a review found read wrong (2026-11-29): a number split by an
 * unquoted thousands separator (its first part stored), a quote left open
 * (every row after it swallowed), lines ended by CR alone (every line
 * numbered 1), a column named twice, a delimiter counted inside quotes.
 */
static void test_split_numbers_and_open_quotes(void **state)
{
	(void)state;
	struct seen *s = parse("date,campaign_id,channel,spend,impressions\n"
			       "2024-01-01,c1,meta,1,234,100\n"
			       "2024-01-02,c1,meta,12.5,1000,,\n"); /* trailing empties: fine */
	assert_int_equal(s->nrows, 1);
	assert_int_equal(s->rows[0].line, 3);
	assert_int_equal(s->nrejects, 1);
	assert_int_equal(s->rejects[0].line, 2);
	assert_string_equal(s->rejects[0].why, "it has 6 fields, the header 5: is a number's "
					       "thousands separator unquoted (write \"1,234\")?");
	free(s);

	/* A quote opened and never closed: the file is refused, naming the
	 * line, rather than its last rows dropped without a word. */
	s = parse("date,campaign_id,channel,spend\n"
		  "2024-01-01,c1,meta,5\n"
		  "2024-01-02,\"c1,meta,5\n"
		  "2024-01-03,c1,meta,5\n"
		  "2024-01-04,c1,meta,5\n");
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_non_null(strstr(s->error, "line 3: a quoted field opened here is never closed"));
	free(s);
	/* One closed further on: the record it made says where it ran to. */
	s = parse("date,campaign_id,channel,spend\n"
		  "2024-01-01,\"c1\" x,meta,5\n"
		  "2024-01-02,c1,meta,5\"\n"
		  "2024-01-03,c1,meta,5\n");
	assert_int_equal(s->nrows, 1);
	assert_int_equal(s->nrejects, 1);
	assert_int_equal(s->rejects[0].line, 2);
	assert_non_null(strstr(s->rejects[0].why, "(the record runs on to line 3 inside quotes: "
						  "is a quote unbalanced?)"));
	free(s);

	/* Lines ended by CR alone (Excel's "CSV (Macintosh)") are numbered. */
	s = parse("date,campaign_id,channel,spend\r2024-01-01,c1,meta,5\r2024-01-02,c1,meta,x\r"
		  "2024-01-03,c1,meta,7\r");
	assert_int_equal(s->nrows, 2);
	assert_int_equal(s->rows[1].line, 4);
	assert_int_equal(s->nrejects, 1);
	assert_int_equal(s->rejects[0].line, 3);
	free(s);
}

static void test_header_checks(void **state)
{
	(void)state;
	struct seen *s = parse("date,campaign_id,channel,spend,spend,impressions\n"
			       "2024-01-01,c1,meta,5,7,100\n");
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_non_null(strstr(s->error, "the header has 'spend' twice (columns 4 and 5): keep one"));
	free(s);
	/* Reach alone is a metric column. */
	s = parse("date,campaign_id,channel,reach\n2024-01-01,c1,meta,500\n");
	assert_int_equal(s->outcome, INGEST_ROWS);
	assert_string_equal(s->rows[0].metric[METRIC_REACH], "500");
	free(s);
	/* Tab-separated, with more commas inside quoted cells than tabs. */
	s = parse("Campaign report\n\"All time\"\n"
		  "Day\tCampaign\tCost\tImpr.\tClicks\n"
		  "2026-01-01\t\"Brand, AU, Search\"\t\"1,234.56\"\t\"12,345\"\t\"1,234\"\n");
	assert_int_equal(s->outcome, INGEST_ROWS);
	assert_int_equal(s->format, FORMAT_GOOGLE_ADS);
	assert_string_equal(s->rows[0].metric[METRIC_SPEND], "1234.56");
	free(s);
}

static void test_empty_inputs(void **state)
{
	(void)state;
	struct seen *s = parse("");
	assert_int_equal(s->outcome, INGEST_EMPTY);
	free(s);
	s = parse("\n\n");
	assert_int_equal(s->outcome, INGEST_EMPTY);
	free(s);
	s = parse(GENERIC_HEADER);
	assert_int_equal(s->outcome, INGEST_EMPTY);
	assert_int_equal(s->format, FORMAT_GENERIC);
	free(s);
	/* What Meta exports for an empty range: a header and a marker line. */
	s = parse("\"Reporting starts\",\"Reporting ends\",\"Campaign name\",Reach,Impressions,"
		  "\"Amount spent (USD)\",Ends\n\"No data available.\"\n");
	assert_int_equal(s->outcome, INGEST_EMPTY);
	assert_int_equal(s->format, FORMAT_META);
	assert_int_equal(s->nrejects, 0);
	free(s);
}

static void test_unknown_header_lists_formats(void **state)
{
	(void)state;
	struct seen *s = parse("when,what,how much\n2024-01-01,x,3\n");
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_non_null(strstr(s->error, "no header row of a known format"));
	assert_non_null(strstr(s->error, "generic CSV needs date, campaign_id and channel"));
	assert_non_null(strstr(s->error, "Google Ads reports need Day, Campaign"));
	assert_non_null(strstr(s->error, "Meta Ads Manager exports need Day"));
	free(s);
}

static void test_google_title_lines_totals_and_currency(void **state)
{
	(void)state;
	struct seen *s = parse("Campaign performance\n"
			       "1 August 2025 - 15 April 2026\n"
			       "Campaign,Campaign ID,Day,Currency code,Cost,Clicks,Impr.,Conversions,Conv. value\n"
			       "Brand,123,\"Sep 2, 2025\",AUD,\"1,023.70\",2,11,0.50,\" --\"\n"
			       "Brand,123,2025-09-03,AUD,3.00,0,0,0.00,0.00\n"
			       "Total: Account,,,,\"1,026.70\",2,11,0.50,0.00\n");
	assert_int_equal(s->format, FORMAT_GOOGLE_ADS);
	assert_int_equal(s->nrejects, 0);
	assert_int_equal(s->nrows, 2);
	assert_string_equal(s->rows[0].key, "123");
	assert_string_equal(s->rows[0].name, "Brand");
	assert_string_equal(s->rows[0].channel, "google_ads");
	assert_string_equal(s->rows[0].currency, "AUD");
	assert_string_equal(s->rows[0].day, "2025-09-02");
	assert_int_equal(s->rows[0].line, 4);
	assert_string_equal(s->rows[0].metric[METRIC_SPEND], "1023.70");
	assert_string_equal(s->rows[0].metric[METRIC_CONVERSIONS], "0.50");
	assert_false(s->rows[0].known[METRIC_REVENUE]); /* " --" */
	assert_false(s->rows[0].known[METRIC_REACH]);   /* Google has no reach column */
	free(s);
}

static void test_google_without_day_is_refused(void **state)
{
	(void)state;
	struct seen *s = parse("Campaign report\nAll time\n"
			       "Campaign status,Campaign,Impr.,Currency code,Cost,Search impr. share\n"
			       "Paused,Leads,\"795,836\",USD,2691.41,< 10%\n");
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_non_null(strstr(s->error, "no Day column"));
	assert_non_null(strstr(s->error, "export it segmented by day"));
	free(s);
	s = parse("Campaign,Month,Cost,Impr.\nA,January 2026,3,4\n");
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_non_null(strstr(s->error, "segmented by Month, not by day"));
	free(s);
}

static void test_utf16_tab_separated_with_bom(void **state)
{
	(void)state;
	const char *text = "Report\n\"Jan 1, 2026 - Jan 2, 2026\"\n"
			   "Day\tCampaign\tCost\tImpr.\tClicks\n"
			   "2026-01-01\tCaf\xc3\xa9 \xe2\x82\xac\t1,234.50\t100\t3\n";
	/* Encode as UTF-16LE with a BOM (the text is BMP-only). */
	size_t n = 0;
	unsigned char bytes[1024];
	bytes[n++] = 0xff;
	bytes[n++] = 0xfe;
	for (const unsigned char *u = (const unsigned char *)text; *u;) {
		unsigned cp;
		if (*u < 0x80)
			cp = *u++;
		else if ((*u & 0xe0) == 0xc0)
			cp = (unsigned)(*u & 0x1f) << 6 | (u[1] & 0x3f), u += 2;
		else
			cp = (unsigned)(*u & 0x0f) << 12 | (unsigned)(u[1] & 0x3f) << 6 | (u[2] & 0x3f), u += 3;
		bytes[n++] = (unsigned char)(cp & 0xff);
		bytes[n++] = (unsigned char)(cp >> 8);
	}
	for (size_t chunk = 1; chunk <= 7; chunk += 3) {
		struct seen *s = parse_bytes(bytes, n, chunk);
		assert_int_equal(s->outcome, INGEST_ROWS);
		assert_int_equal(s->nrows, 1);
		assert_string_equal(s->rows[0].name, "Caf\xc3\xa9 \xe2\x82\xac");
		assert_string_equal(s->rows[0].metric[METRIC_SPEND], "1234.50");
		assert_int_equal(s->rows[0].line, 4);
		free(s);
	}
}

static void test_utf8_bom_and_meta_periods(void **state)
{
	(void)state;
	struct seen *s = parse("\xef\xbb\xbf\"Reporting starts\",\"Reporting ends\",\"Ad name\","
			       "\"Amount spent (USD)\",Impressions,Reach,Purchases,"
			       "\"Purchase ROAS (return on ad spend)\",\"Campaign name\"\n"
			       "2026-03-15,2026-03-15,ad1,10.00,100,90,1,2.5,Camp\n"
			       "2026-03-15,2026-03-15,ad2,0,0,0,,,Camp\n"
			       "2026-03-01,2026-03-31,ad3,5,5,5,,,Camp\n");
	assert_int_equal(s->format, FORMAT_META);
	assert_int_equal(s->nrows, 2);
	assert_string_equal(s->rows[0].currency, "USD"); /* from the header */
	assert_string_equal(s->rows[0].channel, "meta");
	assert_string_equal(s->rows[0].metric[METRIC_REVENUE], "25.0000"); /* spend x ROAS */
	assert_false(s->rows[0].known[METRIC_CLICKS]); /* no clicks column at all */
	assert_false(s->rows[1].known[METRIC_REVENUE]); /* no ROAS: unknown revenue */
	assert_false(s->rows[1].known[METRIC_CONVERSIONS]);
	assert_int_equal(s->nrejects, 1);
	assert_int_equal(s->rejects[0].line, 4);
	assert_non_null(strstr(s->rejects[0].why, "2026-03-01 to 2026-03-31 is not a single day"));
	free(s);
}

static void test_meta_prefers_link_clicks_and_purchases(void **state)
{
	(void)state;
	struct seen *s = parse("Day,\"Campaign name\",Reach,Impressions,Currency,\"Amount spent (AUD)\","
			       "\"Clicks (all)\",\"Link clicks\",Results,Purchases,"
			       "\"Purchases conversion value\"\n"
			       "2026-06-25,C,2240,4457,AUD,79.62,123,97,9,3,120.5\n");
	assert_int_equal(s->nrows, 1);
	assert_string_equal(s->rows[0].metric[METRIC_CLICKS], "97");
	assert_string_equal(s->rows[0].metric[METRIC_CONVERSIONS], "3");
	assert_string_equal(s->rows[0].metric[METRIC_REVENUE], "120.5");
	assert_string_equal(s->rows[0].metric[METRIC_REACH], "2240");
	free(s);
}

static void test_bad_currency_and_encoding(void **state)
{
	(void)state;
	struct seen *s = parse("date,campaign_id,channel,currency,spend\n"
			       "2024-01-01,c1,x,usd,1\n"
			       "2024-01-01,c\xe9,x,USD,1\n");
	assert_int_equal(s->nrows, 0);
	assert_int_equal(s->nrejects, 2);
	assert_string_equal(s->rejects[0].why, "currency 'usd' is not an ISO 4217 code");
	assert_non_null(strstr(s->rejects[1].why, "not valid UTF-8"));
	free(s);
}

static void test_title_lines_limit(void **state)
{
	(void)state;
	char text[4096] = "";
	for (int i = 0; i < 40; i++)
		strcat(text, "just a title line\n");
	strcat(text, GENERIC_HEADER);
	struct seen *s = parse(text);
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_non_null(strstr(s->error, "first 30 rows"));
	free(s);
}

/* Regression: a record of 60 MiB of commas grew the field table without
 * bound (1.5 GB in a worker). Past RECORD_FIELDS_MAX the record is rejected
 * and its cells are no longer kept. */
static void test_too_many_fields_rejects_the_record(void **state)
{
	(void)state;
	size_t commas = 5000;
	char *text = malloc(sizeof GENERIC_HEADER + commas + 200);
	strcpy(text, GENERIC_HEADER);
	size_t len = strlen(text);
	memset(text + len, ',', commas);
	len += commas;
	strcpy(text + len, "\n2024-01-01,c1,Spring sale,meta,1,1,1,1,1,1\n");
	struct seen *s = parse_bytes(text, strlen(text), 777);
	assert_int_equal(s->outcome, INGEST_ROWS);
	assert_int_equal(s->nrejects, 1);
	assert_int_equal(s->rejects[0].line, 2);
	assert_string_equal(s->rejects[0].why, "the record has more than 1024 fields");
	assert_int_equal(s->nrows, 1);
	free(s);
	free(text);
}

/* A header line that is too wide is refused, not cut to a smaller header. */
static void test_too_wide_header_is_refused(void **state)
{
	(void)state;
	char *text = malloc(3000 * 2 + 100);
	strcpy(text, "date,campaign_id,channel,spend");
	for (int i = 0; i < 2000; i++)
		strcat(text, ",x");
	strcat(text, "\n2024-01-01,c1,meta,1\n");
	struct seen *s = parse_bytes(text, strlen(text), 4096);
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_string_equal(s->error, "line 1, before any header: the record has more than 1024 fields");
	free(s);
	free(text);
}

/* Regression: a NUL byte inside a cell cut the name short ("t\0x" stored
 * as "t"). Such a record is rejected, naming its line. */
static void test_nul_byte_in_a_cell_rejects_the_record(void **state)
{
	(void)state;
	static const char text[] = GENERIC_HEADER
		"2024-01-01,c1,t\0x,meta,1,1,1,1,1,1\n"
		"2024-01-02,c1,Spring sale,meta,1,1,1,1,1,1\n";
	struct seen *s = parse_bytes(text, sizeof text - 1, 5);
	assert_int_equal(s->nrows, 1);
	assert_int_equal(s->nrejects, 1);
	assert_int_equal(s->rejects[0].line, 2);
	assert_non_null(strstr(s->rejects[0].why, "NUL byte"));
	assert_string_equal(s->rows[0].day, "2024-01-02");
	free(s);
}

/* A field longer than a record may be is refused before libcsv buffers it
 * whole (one 60 MiB field would otherwise sit in memory). */
static void test_endless_field_is_refused(void **state)
{
	(void)state;
	size_t big = (2u << 20);
	char *text = malloc(sizeof GENERIC_HEADER + big + 20);
	strcpy(text, GENERIC_HEADER);
	size_t len = strlen(text);
	memset(text + len, 'x', big);
	text[len + big] = '\0';
	struct seen *s = parse_bytes(text, strlen(text), 65536);
	assert_int_equal(s->outcome, INGEST_REFUSED);
	assert_string_equal(s->error, "line 2: a field is longer than 1048576 bytes");
	free(s);
	free(text);
}

/* Regression: a channel named like the sync's total ("all") collided with
 * it and broke every later ML sync. The name is refused in any case. */
static void test_total_channel_name_is_reserved(void **state)
{
	(void)state;
	struct seen *s = parse(GENERIC_HEADER
			       "2024-01-01,c1,A,All,1,1,1,1,1,1\n"
			       "2024-01-01,c2,B,ALL,1,1,1,1,1,1\n"
			       "2024-01-01,c3,C,\"all \",1,1,1,1,1,1\n"
			       "2024-01-01,c4,D,allegro,1,1,1,1,1,1\n");
	assert_int_equal(s->nrows, 1);
	assert_string_equal(s->rows[0].channel, "allegro");
	assert_int_equal(s->nrejects, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(s->rejects[i].line, (unsigned long)i + 2);
		assert_non_null(strstr(s->rejects[i].why, "is reserved for the total"));
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic_rows),
		cmocka_unit_test(test_missing_columns_are_unknown),
		cmocka_unit_test(test_bad_rows_are_rejected_with_line_and_reason),
		cmocka_unit_test(test_quotes_commas_line_breaks_and_crlf),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_split_numbers_and_open_quotes),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_unknown_header_lists_formats),
		cmocka_unit_test(test_google_title_lines_totals_and_currency),
		cmocka_unit_test(test_google_without_day_is_refused),
		cmocka_unit_test(test_utf16_tab_separated_with_bom),
		cmocka_unit_test(test_utf8_bom_and_meta_periods),
		cmocka_unit_test(test_meta_prefers_link_clicks_and_purchases),
		cmocka_unit_test(test_bad_currency_and_encoding),
		cmocka_unit_test(test_title_lines_limit),
		cmocka_unit_test(test_too_many_fields_rejects_the_record),
		cmocka_unit_test(test_too_wide_header_is_refused),
		cmocka_unit_test(test_nul_byte_in_a_cell_rejects_the_record),
		cmocka_unit_test(test_endless_field_is_refused),
		cmocka_unit_test(test_total_channel_name_is_reserved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
