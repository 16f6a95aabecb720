#include "parser.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "text.h"

const char *const ingest_metric_names[METRIC__MAX] = {
	[METRIC_SPEND] = "spend",	    [METRIC_IMPRESSIONS] = "impressions",
	[METRIC_REACH] = "reach",	    [METRIC_CLICKS] = "clicks",
	[METRIC_CONVERSIONS] = "conversions", [METRIC_REVENUE] = "revenue",
};

/* The column each metric comes from, and whether it counts whole things. */
static const struct {
	enum ingest_column column;
	int whole;
} metric_source[METRIC__MAX] = {
	[METRIC_SPEND] = { COL_SPEND, 0 },	       [METRIC_IMPRESSIONS] = { COL_IMPRESSIONS, 1 },
	[METRIC_REACH] = { COL_REACH, 1 },	       [METRIC_CLICKS] = { COL_CLICKS, 1 },
	[METRIC_CONVERSIONS] = { COL_CONVERSIONS, 0 }, [METRIC_REVENUE] = { COL_REVENUE, 0 },
};

#define HEAD_LINES 64         /* lines looked at to choose the delimiter */
#define HEAD_BYTES 65536
#define TITLE_ROWS_MAX 30     /* rows above the header that may be titles */
#define RECORD_MAX (1 << 20)  /* longest record accepted, in bytes */
#define RECORD_FIELDS_MAX 1024 /* most fields a record may have */

enum parser_state { SEEK_HEADER, IN_ROWS, REFUSED, STOPPED };

struct field {
	size_t off, len;
};

struct ingest_parser {
	const struct ingest_sink *sink;
	void *ctx;
	struct decoder *dec;
	struct csv_parser csv;
	int csv_ready;

	char *head; /* decoded text kept until the delimiter is chosen */
	size_t head_len, head_lines;

	unsigned long line;        /* line being fed to libcsv, 1-based */
	unsigned long record_line; /* first line of the current record */
	int in_record;
	/* What is wrong with the current record; its cells stop being kept once
	 * it is too big or too wide, so memory stays bounded whatever the file. */
	int record_too_big, record_too_wide, record_has_nul;
	char *buf;                 /* the current record's cells, NUL-separated */
	size_t buf_len, buf_cap;
	struct field *fields;
	char **cells;
	size_t nfields, fields_cap, cells_cap;

	enum parser_state state;
	unsigned long records_seen, rows_ok, rows_rejected;
	struct column_map map;
	int max_col;                    /* highest column index the map uses */
	size_t header_fields;           /* the header's cells */
	unsigned long last_end_line;    /* the line the last whole record ended on */
	int cr_pending;                 /* the last segment ended in a CR (its LF may follow) */
	char *colname[COL__MAX];        /* the header's own names, for messages */
	char error[1024];
};

static int is_csv_space(unsigned char c)
{
	return c == ' ';
}

static void refuse(struct ingest_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Marks the file as refused whole; the first reason is kept. */
static void refuse(struct ingest_parser *p, const char *fmt, ...)
{
	if (p->state == REFUSED || p->state == STOPPED)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
	p->state = REFUSED;
}

/* --- records ---------------------------------------------------------------- */

static int grow(void **ptr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *grown = realloc(*ptr, n * size);
	if (grown == NULL)
		return -1;
	*ptr = grown;
	*cap = n;
	return 0;
}

static void on_field(void *s, size_t len, void *ctx)
{
	struct ingest_parser *p = ctx;
	if (!p->in_record) {
		unsigned long breaks = 0;
		for (size_t i = 0; i < len; i++)
			breaks += ((const char *)s)[i] == '\n';
		p->in_record = 1;
		p->record_line = p->line - breaks;
	}
	if (p->record_too_big || p->record_too_wide)
		return;
	if (p->nfields >= RECORD_FIELDS_MAX) {
		p->record_too_wide = 1;
		return;
	}
	if (p->buf_len + len + 1 > RECORD_MAX) {
		p->record_too_big = 1;
		return;
	}
	if (s != NULL && memchr(s, '\0', len) != NULL)
		p->record_has_nul = 1;
	if (grow((void **)&p->buf, &p->buf_cap, p->buf_len + len + 1, 1) != 0 ||
	    grow((void **)&p->fields, &p->fields_cap, p->nfields + 1, sizeof *p->fields) != 0) {
		p->record_too_big = 1;
		return;
	}
	memcpy(p->buf + p->buf_len, s ? s : "", len);
	p->buf[p->buf_len + len] = '\0';
	p->fields[p->nfields].off = p->buf_len;
	p->fields[p->nfields].len = len;
	p->nfields++;
	p->buf_len += len + 1;
}

/* Trims each cell in place and builds the cells array. */
static int collect_cells(struct ingest_parser *p)
{
	if (grow((void **)&p->cells, &p->cells_cap, p->nfields + 1, sizeof *p->cells) != 0)
		return -1;
	for (size_t i = 0; i < p->nfields; i++) {
		char *c = p->buf + p->fields[i].off;
		cell_trim(c, c, p->fields[i].len + 1);
		p->cells[i] = c;
	}
	return 0;
}

int ingest_channel_reserved(const char *channel)
{
	return strcasecmp(channel, INGEST_TOTAL_CHANNEL) == 0;
}

static const char *cell_of(const struct ingest_parser *p, enum ingest_column c)
{
	int i = p->map.col[c];
	return i >= 0 && (size_t)i < p->nfields ? p->cells[i] : NULL;
}

static void reject(struct ingest_parser *p, const char *reason)
{
	p->rows_rejected++;
	if (p->line <= p->record_line) {
		p->sink->reject(p->ctx, p->record_line, reason);
		return;
	}
	/* A quote left open joins the lines after it into this record. */
	char spanning[600];
	snprintf(spanning, sizeof spanning, "%s (the record runs on to line %lu inside quotes: "
		 "is a quote unbalanced?)", reason, p->line);
	p->sink->reject(p->ctx, p->record_line, spanning);
}

/* Lines that carry no campaign-day: totals, Meta's empty marker, blanks. */
static int skippable(const struct ingest_parser *p)
{
	int all_empty = 1;
	for (size_t i = 0; i < p->nfields; i++) {
		const char *c = p->cells[i];
		if (c[0] != '\0')
			all_empty = 0;
		if ((c[0] == 'N' || c[0] == 'n') && strcasecmp(c, "No data available.") == 0)
			return 1;
	}
	if (all_empty)
		return 1;
	const char *name = cell_of(p, COL_CAMPAIGN_NAME);
	return ((p->cells[0][0] | 0x20) == 't' && strncasecmp(p->cells[0], "Total:", 6) == 0) ||
	       (name != NULL && (name[0] | 0x20) == 't' && strncasecmp(name, "Total:", 6) == 0);
}

/* The day of a row: the Day column, or a one-day reporting period. */
static int row_day(struct ingest_parser *p, struct ingest_row *row, char *why, size_t whylen)
{
	char reason[200];
	if (p->map.col[COL_DAY] >= 0) {
		if (cell_parse_day(cell_of(p, COL_DAY), row->day, reason, sizeof reason) == CELL_OK)
			return 0;
		snprintf(why, whylen, "column '%s': %s", p->colname[COL_DAY], reason);
		return -1;
	}
	char end[11];
	if (cell_parse_day(cell_of(p, COL_PERIOD_START), row->day, reason, sizeof reason) != CELL_OK ||
	    cell_parse_day(cell_of(p, COL_PERIOD_END), end, reason, sizeof reason) != CELL_OK) {
		snprintf(why, whylen, "reporting period: %s", reason);
		return -1;
	}
	if (strcmp(row->day, end) != 0) {
		snprintf(why, whylen,
			 "reporting period %s to %s is not a single day: export with the Day breakdown",
			 row->day, end);
		return -1;
	}
	return 0;
}

static int row_metrics(struct ingest_parser *p, struct ingest_row *row, char *why, size_t whylen)
{
	char reason[200];
	for (int m = 0; m < METRIC__MAX; m++) {
		enum ingest_column c = metric_source[m].column;
		if (p->map.col[c] < 0)
			continue;
		enum cell_status st = cell_parse_number(cell_of(p, c), metric_source[m].whole,
							&row->metric[m], reason, sizeof reason);
		if (st == CELL_BAD) {
			snprintf(why, whylen, "column '%s': %s", p->colname[c], reason);
			return -1;
		}
		row->known[m] = st == CELL_OK;
	}
	/* Meta's ad-level exports give revenue only as return on ad spend. */
	if (p->map.col[COL_REVENUE] < 0 && p->map.col[COL_ROAS] >= 0 && row->known[METRIC_SPEND]) {
		struct cell_number roas;
		enum cell_status st = cell_parse_number(cell_of(p, COL_ROAS), 0, &roas, reason,
							sizeof reason);
		if (st == CELL_BAD) {
			snprintf(why, whylen, "column '%s': %s", p->colname[COL_ROAS], reason);
			return -1;
		}
		if (st == CELL_OK) {
			double revenue = row->metric[METRIC_SPEND].value * roas.value;
			if (!(revenue < CELL_AMOUNT_LIMIT)) {
				snprintf(why, whylen, "revenue from spend times '%s' (%.6g) is too large",
					 p->colname[COL_ROAS], revenue);
				return -1;
			}
			cell_format_amount(revenue, &row->metric[METRIC_REVENUE]);
			row->known[METRIC_REVENUE] = 1;
		}
	}
	if (row->known[METRIC_CLICKS] && row->known[METRIC_IMPRESSIONS] &&
	    row->metric[METRIC_CLICKS].value > row->metric[METRIC_IMPRESSIONS].value) {
		snprintf(why, whylen, "clicks (%s) exceed impressions (%s)",
			 row->metric[METRIC_CLICKS].text, row->metric[METRIC_IMPRESSIONS].text);
		return -1;
	}
	return 0;
}

/* Campaign, channel and currency of a row. */
static int row_identity(struct ingest_parser *p, struct ingest_row *row, char currency[4],
			char *why, size_t whylen)
{
	const char *id = cell_of(p, COL_CAMPAIGN_ID);
	const char *name = cell_of(p, COL_CAMPAIGN_NAME);
	row->campaign_key = p->map.col[COL_CAMPAIGN_ID] >= 0 ? id : name;
	row->campaign_name = name && *name ? name : row->campaign_key;
	row->channel = p->map.channel ? p->map.channel : cell_of(p, COL_CHANNEL);

	if (row->campaign_key == NULL || *row->campaign_key == '\0') {
		snprintf(why, whylen, "the campaign is empty");
		return -1;
	}
	if (row->channel == NULL || *row->channel == '\0') {
		snprintf(why, whylen, "the channel is empty");
		return -1;
	}
	if (strlen(row->campaign_key) > INGEST_KEY_MAX || strlen(row->campaign_name) > INGEST_NAME_MAX ||
	    strlen(row->channel) > INGEST_CHANNEL_MAX) {
		snprintf(why, whylen, "campaign id over %d, name over %d or channel over %d bytes",
			 INGEST_KEY_MAX, INGEST_NAME_MAX, INGEST_CHANNEL_MAX);
		return -1;
	}
	if (!text_utf8_valid(row->campaign_key) || !text_utf8_valid(row->campaign_name) ||
	    !text_utf8_valid(row->channel)) {
		snprintf(why, whylen, "text is not valid UTF-8 (save the file as UTF-8)");
		return -1;
	}
	if (ingest_channel_reserved(row->channel)) {
		snprintf(why, whylen, "channel '%s' is reserved for the total over all channels; "
			 "give the channel another name (a report's own total row is not needed)",
			 row->channel);
		return -1;
	}

	const char *cur = cell_of(p, COL_CURRENCY);
	row->currency = NULL;
	if (cur != NULL && *cur != '\0') {
		if (strlen(cur) != 3 || strspn(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3) {
			snprintf(why, whylen, "currency '%.20s' is not an ISO 4217 code", cur);
			return -1;
		}
		memcpy(currency, cur, 4);
		row->currency = currency;
	} else if (p->map.header_currency[0]) {
		row->currency = p->map.header_currency;
	}
	return 0;
}

/* Why the current record cannot be read at all. */
static void record_fault(const struct ingest_parser *p, char *why, size_t whylen)
{
	if (p->record_too_wide)
		snprintf(why, whylen, "the record has more than %d fields", RECORD_FIELDS_MAX);
	else if (p->record_too_big)
		snprintf(why, whylen, "the record is longer than %d bytes", RECORD_MAX);
	else
		snprintf(why, whylen, "a cell contains a NUL byte (is this a binary file?)");
}

static void data_row(struct ingest_parser *p)
{
	char why[400];
	if (p->record_too_big || p->record_too_wide || p->record_has_nul) {
		record_fault(p, why, sizeof why);
		reject(p, why);
		return;
	}
	if (skippable(p))
		return;
	if ((int)p->nfields <= p->max_col) {
		snprintf(why, sizeof why, "it has %zu fields, the header needs at least %d",
			 p->nfields, p->max_col + 1);
		reject(p, why);
		return;
	}
	/* Cells past the header's are no column's: an unquoted thousands
	 * separator splits a number in two, and reading on would store its
	 * first part. Empty ones (trailing commas) are harmless. */
	for (size_t i = p->header_fields; i < p->nfields; i++)
		if (p->cells[i][0] != '\0') {
			snprintf(why, sizeof why, "it has %zu fields, the header %zu: is a number's "
				 "thousands separator unquoted (write \"1,234\")?", p->nfields,
				 p->header_fields);
			reject(p, why);
			return;
		}
	struct ingest_row row;
	char currency[4];
	memset(&row, 0, sizeof row);
	row.line = p->record_line;
	if (row_day(p, &row, why, sizeof why) != 0 || row_identity(p, &row, currency, why, sizeof why) != 0 ||
	    row_metrics(p, &row, why, sizeof why) != 0) {
		reject(p, why);
		return;
	}
	p->rows_ok++;
	if (p->sink->row(p->ctx, &row) != 0) {
		snprintf(p->error, sizeof p->error, "stopped at line %lu by the store", row.line);
		p->state = STOPPED;
	}
}

static void header_row(struct ingest_parser *p)
{
	char why[600];
	switch (formats_detect((const char *const *)p->cells, p->nfields, &p->map, why, sizeof why)) {
	case DETECT_HEADER:
		p->state = IN_ROWS;
		p->max_col = -1;
		p->header_fields = p->nfields;
		for (int c = 0; c < COL__MAX; c++) {
			if (p->map.col[c] < 0)
				continue;
			if (p->map.col[c] > p->max_col)
				p->max_col = p->map.col[c];
			p->colname[c] = strdup(p->cells[p->map.col[c]]);
			if (p->colname[c] == NULL) {
				refuse(p, "%s", "out of memory");
				return;
			}
		}
		return;
	case DETECT_REFUSED:
		refuse(p, "%s", why);
		return;
	case DETECT_NOT_HEADER:
		if (p->records_seen > TITLE_ROWS_MAX)
			refuse(p, "no header row of a known format in the first 30 rows; %s",
			       formats_requirements());
		return;
	}
}

static void on_record(int terminator, void *ctx)
{
	(void)terminator;
	struct ingest_parser *p = ctx;
	if (p->state == SEEK_HEADER || p->state == IN_ROWS) {
		char why[200];
		if (p->state == SEEK_HEADER &&
		    (p->record_too_big || p->record_too_wide || p->record_has_nul)) {
			/* A header cut short could pass for a smaller one: refuse. */
			record_fault(p, why, sizeof why);
			refuse(p, "line %lu, before any header: %s", p->record_line, why);
		} else if (collect_cells(p) != 0) {
			refuse(p, "%s", "out of memory");
		} else if (p->state == SEEK_HEADER) {
			p->records_seen++;
			header_row(p);
		} else {
			data_row(p);
		}
	}
	p->in_record = 0;
	p->last_end_line = p->line;
	p->record_too_big = 0;
	p->record_too_wide = 0;
	p->record_has_nul = 0;
	p->buf_len = 0;
	p->nfields = 0;
}

/* --- byte stream ---------------------------------------------------------- */

/* libcsv keeps the field being read in a buffer it grows without limit; a
 * field past the record limit cannot be a valid cell, so its growth is
 * refused (csv_parse then fails with CSV_ENOMEM, reported as such). */
#define CSV_FIELD_BUFFER_MAX ((size_t)RECORD_MAX + 4096)
static void *capped_realloc(void *ptr, size_t size)
{
	return size > CSV_FIELD_BUFFER_MAX ? NULL : realloc(ptr, size);
}

/* The length of data up to and with its first line end: LF, CR LF, or a
 * CR alone (old Mac files, which libcsv reads as lines too); all of it
 * when there is none. */
static size_t line_segment(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n')
			return i + 1;
		if (data[i] == '\r')
			return i + 1 < len && data[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return len;
}

/* Feeds libcsv line by line so that each record knows its line number. */
static int feed_csv(struct ingest_parser *p, const char *data, size_t len)
{
	while (len > 0 && (p->state == SEEK_HEADER || p->state == IN_ROWS)) {
		size_t seg = line_segment(data, len);
		if (csv_parse(&p->csv, data, seg, on_field, on_record, p) != seg) {
			if (csv_error(&p->csv) == CSV_ENOMEM)
				refuse(p, "line %lu: a field is longer than %d bytes", p->line, RECORD_MAX);
			else
				refuse(p, "CSV error: %s", csv_strerror(csv_error(&p->csv)));
			break;
		}
		char end = data[seg - 1];
		/* The LF of a CR LF cut between two reads ends no other line. */
		if (end == '\r' || (end == '\n' && !(seg == 1 && p->cr_pending)))
			p->line++;
		p->cr_pending = end == '\r';
		data += seg;
		len -= seg;
	}
	return p->state == SEEK_HEADER || p->state == IN_ROWS ? 0 : -1;
}

/* Chooses the delimiter from the first lines (tab-separated exports carry
 * commas only inside quoted titles and numbers) and starts libcsv. */
static int start_csv(struct ingest_parser *p)
{
	size_t tabs = 0, commas = 0;
	int quoted = 0; /* a comma in "1,234.56" or a title separates nothing */
	for (size_t i = 0; i < p->head_len; i++) {
		quoted ^= p->head[i] == '"';
		tabs += !quoted && p->head[i] == '\t';
		commas += !quoted && p->head[i] == ',';
	}
	if (csv_init(&p->csv, CSV_APPEND_NULL) != 0) {
		refuse(p, "%s", "out of memory");
		return -1;
	}
	csv_set_delim(&p->csv, tabs > commas ? CSV_TAB : CSV_COMMA);
	csv_set_space_func(&p->csv, is_csv_space);
	csv_set_realloc_func(&p->csv, capped_realloc);
	p->csv_ready = 1;
	int rc = feed_csv(p, p->head, p->head_len);
	free(p->head);
	p->head = NULL;
	p->head_len = 0;
	return rc;
}

static int on_utf8(void *ctx, const char *text, size_t len)
{
	struct ingest_parser *p = ctx;
	if (p->csv_ready)
		return feed_csv(p, text, len);

	char *grown = realloc(p->head, p->head_len + len);
	if (grown == NULL) {
		refuse(p, "%s", "out of memory");
		return -1;
	}
	p->head = grown;
	memcpy(p->head + p->head_len, text, len);
	p->head_len += len;
	for (size_t i = 0; i < len; i++)
		p->head_lines += text[i] == '\n';
	if (p->head_lines >= HEAD_LINES || p->head_len >= HEAD_BYTES)
		return start_csv(p);
	return 0;
}

struct ingest_parser *ingest_parser_new(const struct ingest_sink *sink, void *ctx)
{
	struct ingest_parser *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->sink = sink;
	p->ctx = ctx;
	p->line = 1;
	p->dec = decode_new(on_utf8, p);
	if (p->dec == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void ingest_parser_free(struct ingest_parser *p)
{
	if (p == NULL)
		return;
	decode_free(p->dec);
	if (p->csv_ready)
		csv_free(&p->csv);
	for (int c = 0; c < COL__MAX; c++)
		free(p->colname[c]);
	free(p->head);
	free(p->buf);
	free(p->fields);
	free(p->cells);
	free(p);
}

int ingest_parser_feed(struct ingest_parser *p, const void *bytes, size_t len)
{
	if (p->state == REFUSED || p->state == STOPPED)
		return -1;
	if (decode_feed(p->dec, bytes, len) != 0) {
		refuse(p, "%s", decode_error(p->dec));
		return -1;
	}
	return p->state == REFUSED || p->state == STOPPED ? -1 : 0;
}

enum ingest_outcome ingest_parser_finish(struct ingest_parser *p)
{
	if (p->state == SEEK_HEADER || p->state == IN_ROWS) {
		if (decode_finish(p->dec) != 0)
			refuse(p, "%s", decode_error(p->dec));
		else if (!p->csv_ready)
			start_csv(p);
	}
	/* Strict at the end only (libcsv checks an open quote at csv_fini in
	 * strict mode alone): while parsing, a stray quote inside a cell stays
	 * text, as exports written by hand have them. */
	if (p->csv_ready)
		csv_set_opts(&p->csv, (unsigned char)(csv_get_opts(&p->csv) | CSV_STRICT | CSV_STRICT_FINI));
	if (p->csv_ready && (p->state == SEEK_HEADER || p->state == IN_ROWS) &&
	    csv_fini(&p->csv, on_field, on_record, p) != 0)
		/* A quote opened and never closed took every line after it into
		 * one field: whatever those rows hold, they were not read. */
		refuse(p, "line %lu: a quoted field opened here is never closed, and every line "
			  "after it was read into it", p->in_record ? p->record_line : p->last_end_line + 1);

	switch (p->state) {
	case STOPPED:
		return INGEST_STOPPED;
	case REFUSED:
		return INGEST_REFUSED;
	case SEEK_HEADER:
		if (p->records_seen == 0)
			return INGEST_EMPTY;
		refuse(p, "no header row of a known format; %s", formats_requirements());
		return INGEST_REFUSED;
	case IN_ROWS:
		break;
	}
	return p->rows_ok + p->rows_rejected == 0 ? INGEST_EMPTY : INGEST_ROWS;
}

const char *ingest_parser_error(const struct ingest_parser *p)
{
	return p->error;
}

const struct column_map *ingest_parser_columns(const struct ingest_parser *p)
{
	return &p->map;
}

unsigned long ingest_parser_rows_ok(const struct ingest_parser *p)
{
	return p->rows_ok;
}

unsigned long ingest_parser_rows_rejected(const struct ingest_parser *p)
{
	return p->rows_rejected;
}
