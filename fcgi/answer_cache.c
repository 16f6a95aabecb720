#include "answer_cache.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;  /* NULL: a free slot */
	char *body;
	size_t len;
	unsigned long long used; /* the tick of the latest get or put */
};

struct answer_cache {
	long long run_id;
	size_t max_entries, max_bytes, bytes;
	unsigned long long tick;
	struct entry entries[]; /* max_entries */
};

struct answer_cache *answer_cache_new(size_t max_entries, size_t max_bytes)
{
	struct answer_cache *c = calloc(1, sizeof *c + max_entries * sizeof c->entries[0]);
	if (c != NULL) {
		c->max_entries = max_entries;
		c->max_bytes = max_bytes;
	}
	return c;
}

static void drop(struct answer_cache *c, struct entry *e)
{
	c->bytes -= e->len;
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof *e);
}

void answer_cache_free(struct answer_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->max_entries; i++)
		drop(c, &c->entries[i]);
	free(c);
}

static struct entry *find(struct answer_cache *c, const char *key)
{
	for (size_t i = 0; i < c->max_entries; i++)
		if (c->entries[i].key != NULL && strcmp(c->entries[i].key, key) == 0)
			return &c->entries[i];
	return NULL;
}

const char *answer_cache_get(struct answer_cache *c, long long run_id, const char *key, size_t *len)
{
	struct entry *e = c->run_id == run_id ? find(c, key) : NULL;
	if (e == NULL)
		return NULL;
	e->used = ++c->tick;
	*len = e->len;
	return e->body;
}

/* A free slot, made by dropping the least recently used entry if need be. */
static struct entry *free_slot(struct answer_cache *c)
{
	struct entry *oldest = NULL;
	for (size_t i = 0; i < c->max_entries; i++) {
		struct entry *e = &c->entries[i];
		if (e->key == NULL)
			return e;
		if (oldest == NULL || e->used < oldest->used)
			oldest = e;
	}
	if (oldest != NULL)
		drop(c, oldest);
	return oldest;
}

static void drop_oldest_until(struct answer_cache *c, size_t room)
{
	while (c->bytes + room > c->max_bytes) {
		struct entry *oldest = NULL;
		for (size_t i = 0; i < c->max_entries; i++)
			if (c->entries[i].key != NULL && (oldest == NULL || c->entries[i].used < oldest->used))
				oldest = &c->entries[i];
		if (oldest == NULL)
			return;
		drop(c, oldest);
	}
}

int answer_cache_put(struct answer_cache *c, long long run_id, const char *key, const char *body,
		     size_t len)
{
	if (run_id != c->run_id) {
		for (size_t i = 0; i < c->max_entries; i++)
			drop(c, &c->entries[i]);
		c->run_id = run_id;
	}
	struct entry *e = find(c, key);
	if (e != NULL)
		drop(c, e);
	if (len > c->max_bytes || c->max_entries == 0)
		return -1;
	drop_oldest_until(c, len);
	e = free_slot(c);
	char *key_copy = strdup(key), *body_copy = malloc(len ? len : 1);
	if (key_copy == NULL || body_copy == NULL) {
		free(key_copy);
		free(body_copy);
		return -1;
	}
	memcpy(body_copy, body, len);
	*e = (struct entry){ key_copy, body_copy, len, ++c->tick };
	c->bytes += len;
	return 0;
}
