/*
 * cells: the values of one CSV cell as ad platforms write them. Pure.
 *
 * Numbers: "1,574", "4,838.80", "$12.50", "0.00", " --" (unknown), "" (unknown).
 * Dates: 2025-09-02, 2025/09/02, "Sep 2, 2025", "Tue, Sep 2, 2025",
 * "2 September 2025", and ISO date-times (the time is dropped).
 */
#ifndef MLDASH_CELLS_H
#define MLDASH_CELLS_H

#include <stddef.h>

#define CELL_NUMBER_MAX 40
#define CELL_AMOUNT_LIMIT 1e12 /* amounts and counts stay below this */

enum cell_status {
	CELL_OK,
	CELL_UNKNOWN, /* empty, "--" or "-": the platform has no value */
	CELL_BAD,     /* why says what is wrong */
};

struct cell_number {
	char text[CELL_NUMBER_MAX]; /* canonical decimal, e.g. "1574.00" */
	double value;
};

/*
 * Parses a non-negative decimal amount. whole: require an integer (counts
 * such as clicks; "12.00" is accepted as 12). On CELL_BAD, why (of whylen
 * bytes) receives a reason that quotes the cell.
 */
enum cell_status cell_parse_number(const char *cell, int whole, struct cell_number *out,
				   char *why, size_t whylen);

/*
 * Parses a signed number as analysts' tools write a series: a report
 * amount (cell_parse_number's forms, "-" before a negative one), or a
 * plain floating-point number such as R's 1e+05 or Python's 1e-05 and
 * those past the amounts' limit. "NA", "NaN", "N/A", "#N/A", "null" and
 * "None" (any case) are unknown, as empty cells and "--" are: R,
 * spreadsheets and Python write a missing value so. Infinities and numbers beyond a double's range are CELL_BAD.
 */
enum cell_status cell_parse_value(const char *cell, double *out, char *why, size_t whylen);

/* Parses a calendar day into "YYYY-MM-DD" (11 bytes with the NUL), of
 * the years 1990 to 2100: an ad report's day outside them is a typo. */
enum cell_status cell_parse_day(const char *cell, char day[11], char *why, size_t whylen);

/* The same, of the years first_year to last_year (a series of any age). */
enum cell_status cell_parse_day_between(const char *cell, int first_year, int last_year,
					char day[11], char *why, size_t whylen);

/* Whether a row's first cell marks it a row of totals, as exports add one
 * ("Total" in YouTube Studio, "Total: Account" in Google Ads). */
int cell_is_total(const char *cell);

/* Formats a non-negative amount with four decimals into out. */
void cell_format_amount(double value, struct cell_number *out);

/* Copies cell into out without leading/trailing blanks (out may be cell);
 * returns its length. */
size_t cell_trim(const char *cell, char *out, size_t outlen);

#endif
