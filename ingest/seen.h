/*
 * seen: two small sets the importer keeps while it streams a file. Pure.
 *
 * seen_filter: a Bloom filter of fixed size over 64-bit keys. "No" is
 * certain, "maybe" must be checked elsewhere; memory does not grow with the
 * number of keys (the false-maybe rate does, slowly).
 *
 * seen_ids: a map from a campaign key (string) to its database id; it grows
 * with the number of distinct campaigns, not with the rows.
 */
#ifndef MLDASH_SEEN_H
#define MLDASH_SEEN_H

#include <stddef.h>
#include <stdint.h>

struct seen_filter;

/* A filter of 2^log2_bits bits (9 to 34; 26 is 8 MiB). NULL on OOM or a bad size. */
struct seen_filter *seen_filter_new(unsigned log2_bits);
void seen_filter_free(struct seen_filter *f);

/* Adds key; returns 1 when it may have been added before, 0 when certainly not. */
int seen_filter_add(struct seen_filter *f, uint64_t key);

struct seen_ids;

struct seen_ids *seen_ids_new(void);
void seen_ids_free(struct seen_ids *m);

/* Looks key up: 1 and *id when present, 0 when absent. */
int seen_ids_get(const struct seen_ids *m, const char *key, uint64_t *id);

/* Inserts or replaces (the key is copied). Returns 0, or -1 on OOM. */
int seen_ids_put(struct seen_ids *m, const char *key, uint64_t id);

size_t seen_ids_count(const struct seen_ids *m);

#endif
