/*
 * demo: realistic campaign data in the generic CSV format, for demos,
 * tests and benchmarks. Pure and deterministic: the same parameters give the
 * same bytes.
 *
 * Six channels with their own cost per impression, click-through and
 * conversion rates, and a saturating (Hill) response of revenue to spend;
 * weekly seasonality, a gentle trend per campaign and multiplicative noise.
 */
#ifndef MLDASH_DEMO_H
#define MLDASH_DEMO_H

#include <stddef.h>

struct demo_params {
	int campaigns;        /* >= 1 */
	int days;             /* >= 1 */
	unsigned long long seed;
	int end_year, end_month, end_day; /* the last day of data */
};

/* Receives one CSV line (with its newline); returns non-zero to stop. */
typedef int demo_emit(void *ctx, const char *line, size_t len);

/* Writes the header and campaigns x days rows, campaign by campaign. Returns 0, or
 * the first non-zero value of emit. */
int demo_generate(const struct demo_params *params, demo_emit *emit, void *ctx);

#endif
