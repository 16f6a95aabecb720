/*
 * Fuzzes series_reader_new/feed/finish (ingest/series.h), as `mldash
 * forecast` drives it on standard input.
 *
 * Input: a byte choosing the chunk size (0: the rest at once, else 1-255
 * bytes), then the file. The file is read in those chunks and again whole.
 *
 * Checks: both readings give the same outcome and, when read, the same
 * values, spacing, first day and notes; a refused feed stays refused; a refusal has a reason, the same unless
 * some bytes are not text (whole, the decoder meets them first); a dated series
 * has a spacing and its values are one a unit (NaN or finite).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_chunks(const char *text, size_t n, size_t chunk, struct series *out, char *why,
		       size_t whylen)
{
	struct series_reader *r = series_reader_new();
	if (r == NULL)
		abort();
	size_t step = chunk ? chunk : (n ? n : 1);
	/* Fed on after a refusal, as a caller may: it stays refused. */
	int refused = 0;
	for (size_t at = 0; at < n; at += step)
		if (series_reader_feed(r, text + at, n - at < step ? n - at : step) != 0)
			refused = 1;
		else if (refused)
			abort();
	int rc = series_reader_finish(r, out, why, whylen);
	series_reader_free(r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = data[0];
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	struct series a, b;
	char why_a[300] = "", why_b[300] = "";
	int rc_a = read_chunks(text, n, chunk, &a, why_a, sizeof why_a);
	int rc_b = read_chunks(text, n, 0, &b, why_b, sizeof why_b);
	if (rc_a != rc_b)
		abort();
	if (rc_a != 0) {
		/* The same reason, but where bytes are not text: decoded whole, a
		 * file fails on them before its lines are read, in chunks after. */
		static const char undecodable[] = "not UTF-8 or UTF-16 text";
		int decoding = strncmp(why_a, undecodable, sizeof undecodable - 1) == 0 ||
			       strncmp(why_b, undecodable, sizeof undecodable - 1) == 0;
		if (why_a[0] == '\0' || why_b[0] == '\0' || (!decoding && strcmp(why_a, why_b) != 0))
			abort();
		return 0;
	}
	if (a.n != b.n || a.dated != b.dated || a.spacing != b.spacing || a.first_day != b.first_day)
		abort();
	const struct series_notes *x = &a.notes, *y = &b.notes;
	if (x->header_row_data != y->header_row_data || x->totals != y->totals ||
	    x->first_total_row != y->first_total_row || x->trailing != y->trailing ||
	    x->last_day != y->last_day || x->slashed != y->slashed || x->day_first != y->day_first)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		if (!(isnan(a.values[i]) ? isnan(b.values[i]) : a.values[i] == b.values[i]))
			abort();
		if (!isnan(a.values[i]) && !isfinite(a.values[i]))
			abort();
	}
	series_free(&a);
	series_free(&b);
	return 0;
}
