/*
 * hostlist: the database servers to try, "host[:port], host[:port], ..."
 * ([database] hosts). Pure. IPv6 addresses go in brackets: "[::1]:3306".
 */
#ifndef MLDASH_HOSTLIST_H
#define MLDASH_HOSTLIST_H

#include <stddef.h>

#define HOSTLIST_MAX 16

struct hostlist_entry {
	char host[256];
	int port; /* 0: the configured [database] port */
};

/*
 * Parses text into out (at most HOSTLIST_MAX entries). Returns how many
 * (0 for an empty text), or -1 with why set when an entry is malformed.
 */
int hostlist_parse(const char *text, struct hostlist_entry out[HOSTLIST_MAX], char *why, size_t whylen);

#endif
