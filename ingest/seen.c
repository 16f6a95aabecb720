#include "seen.h"

#include <stdlib.h>
#include <string.h>

#define FILTER_HASHES 5

struct seen_filter {
	uint64_t *bits;
	uint64_t mask; /* number of bits - 1 */
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct seen_filter *seen_filter_new(unsigned log2_bits)
{
	if (log2_bits < 9 || log2_bits > 34)
		return NULL;
	struct seen_filter *f = malloc(sizeof *f);
	if (f == NULL)
		return NULL;
	f->mask = (1ULL << log2_bits) - 1;
	f->bits = calloc((size_t)1 << (log2_bits - 6), sizeof *f->bits);
	if (f->bits == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

void seen_filter_free(struct seen_filter *f)
{
	if (f == NULL)
		return;
	free(f->bits);
	free(f);
}

int seen_filter_add(struct seen_filter *f, uint64_t key)
{
	/* A blocked filter: all bits of a key live in one 512-bit block (one
	 * cache line), chosen by h1; the bits within it come from h2. One cache
	 * miss per key instead of FILTER_HASHES. */
	uint64_t h1 = mix64(key), h2 = mix64(h1 ^ 0x9e3779b97f4a7c15ULL);
	uint64_t block = (h1 & f->mask) >> 9 << 3; /* index of the block's first word */
	int all_set = 1;
	for (int i = 0; i < FILTER_HASHES; i++) {
		unsigned bit = (unsigned)(h2 >> (i * 9)) & 511;
		uint64_t *word = &f->bits[block + (bit >> 6)], m = 1ULL << (bit & 63);
		if (!(*word & m)) {
			all_set = 0;
			*word |= m;
		}
	}
	return all_set;
}

struct seen_entry {
	char *key; /* NULL for an empty slot */
	uint64_t id;
};

struct seen_ids {
	struct seen_entry *slots;
	size_t cap; /* a power of two */
	size_t count;
};

static uint64_t hash_string(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

struct seen_ids *seen_ids_new(void)
{
	struct seen_ids *m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof *m->slots);
	if (m->slots == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void seen_ids_free(struct seen_ids *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

/* The slot holding key, or the empty slot where it would go. */
static struct seen_entry *find_slot(struct seen_entry *slots, size_t cap, const char *key)
{
	size_t i = (size_t)hash_string(key) & (cap - 1);
	while (slots[i].key != NULL && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

int seen_ids_get(const struct seen_ids *m, const char *key, uint64_t *id)
{
	const struct seen_entry *e = find_slot(m->slots, m->cap, key);
	if (e->key == NULL)
		return 0;
	*id = e->id;
	return 1;
}

static int grow(struct seen_ids *m)
{
	size_t cap = m->cap * 2;
	struct seen_entry *slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int seen_ids_put(struct seen_ids *m, const char *key, uint64_t id)
{
	if ((m->count + 1) * 10 > m->cap * 7 && grow(m) != 0)
		return -1;
	struct seen_entry *e = find_slot(m->slots, m->cap, key);
	if (e->key == NULL) {
		e->key = strdup(key);
		if (e->key == NULL)
			return -1;
		m->count++;
	}
	e->id = id;
	return 0;
}

size_t seen_ids_count(const struct seen_ids *m)
{
	return m->count;
}
