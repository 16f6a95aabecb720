#include "hostlist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A host name or address: letters, digits, '.', '-', '_' (or, in brackets,
 * an IPv6 address: hex digits, ':' and '.'). */
static int host_ok(const char *h, int bracketed)
{
	if (*h == '\0')
		return 0;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '.' || *h == '-' || *h == '_' ||
		      (bracketed && *h == ':')))
			return 0;
	return 1;
}

/* One entry of len bytes at s. */
static int parse_entry(const char *s, size_t len, struct hostlist_entry *e, char *why, size_t whylen)
{
	char item[300];
	if (len >= sizeof item) {
		snprintf(why, whylen, "a host is too long (at most %zu bytes)", sizeof item - 1);
		return -1;
	}
	memcpy(item, s, len);
	item[len] = '\0';
	char *host = item, *port = NULL;
	int bracketed = item[0] == '[';
	if (bracketed) {
		char *close = strchr(item, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			snprintf(why, whylen, "'%s': an IPv6 address goes in brackets, then :PORT", item);
			return -1;
		}
		*close = '\0';
		host = item + 1;
		port = close[1] == ':' ? close + 2 : NULL;
	} else if ((port = strchr(item, ':')) != NULL) {
		*port++ = '\0';
	}
	if (!host_ok(host, bracketed) || strlen(host) >= sizeof e->host) {
		snprintf(why, whylen, "'%.*s' is not a host name or address", (int)len, s);
		return -1;
	}
	memcpy(e->host, host, strlen(host) + 1); /* it fits: checked above */
	e->port = 0;
	if (port != NULL) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) {
			snprintf(why, whylen, "'%.*s': the port must be 1 to 65535", (int)len, s);
			return -1;
		}
		e->port = (int)p;
	}
	return 0;
}

int hostlist_parse(const char *text, struct hostlist_entry out[HOSTLIST_MAX], char *why, size_t whylen)
{
	int n = 0;
	const char *s = text;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			return n;
		size_t len = strcspn(s, ", \t");
		if (n == HOSTLIST_MAX) {
			snprintf(why, whylen, "more than %d hosts", HOSTLIST_MAX);
			return -1;
		}
		if (parse_entry(s, len, &out[n], why, whylen) != 0)
			return -1;
		n++;
		s += len;
	}
}
