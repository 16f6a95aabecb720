/*
 * answer_cache: a worker's copies of the answers it built for the latest ML
 * run, so that the same request again is served without rebuilding it from
 * the database. Pure: no I/O.
 *
 * Every entry belongs to one run: storing an answer of another run drops
 * all the others first. Bounded by entries and bytes; the least recently
 * used entry goes first.
 */
#ifndef MLDASH_ANSWER_CACHE_H
#define MLDASH_ANSWER_CACHE_H

#include <stddef.h>

struct answer_cache;

/* NULL when out of memory. */
struct answer_cache *answer_cache_new(size_t max_entries, size_t max_bytes);
void answer_cache_free(struct answer_cache *cache);

/* The body stored under key for run_id (valid until the next put), or NULL. */
const char *answer_cache_get(struct answer_cache *cache, long long run_id, const char *key,
			     size_t *len);

/* Stores a copy of body under key. Returns 0, or -1 when it is larger than
 * the cache or memory ran out (the cache then holds nothing wrong). */
int answer_cache_put(struct answer_cache *cache, long long run_id, const char *key,
		     const char *body, size_t len);

#endif
