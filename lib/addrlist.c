#include "addrlist.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ip {
	int family; /* AF_INET or AF_INET6 */
	unsigned char bytes[16];
};

/* Parses an address; an IPv4-mapped IPv6 address becomes IPv4 so that a
 * dual-stack listener's "::ffff:127.0.0.1" matches "127.0.0.0/8". */
static int parse_ip(const char *text, struct ip *out)
{
	static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out->bytes) != 1)
		return -1;
	out->family = AF_INET6;
	if (memcmp(out->bytes, v4_mapped, sizeof v4_mapped) == 0) {
		memmove(out->bytes, out->bytes + 12, 4);
		out->family = AF_INET;
	}
	return 0;
}

/* Parses one entry "address[/prefix]" of at most len bytes. The prefix
 * counts in the address's own notation: ::ffff:10.0.0.0/104 is 10.0.0.0/8. */
static int parse_entry(const char *entry, size_t len, struct ip *net, int *prefix)
{
	char text[64];
	if (len == 0 || len >= sizeof text)
		return -1;
	memcpy(text, entry, len);
	text[len] = '\0';
	char *slash = strchr(text, '/');
	if (slash != NULL)
		*slash = '\0';
	int written_v6 = strchr(text, ':') != NULL;
	if (parse_ip(text, net) != 0)
		return -1;
	int bits = written_v6 ? 128 : 32;
	*prefix = bits;
	if (slash != NULL) {
		char *end;
		const char *digits = slash + 1;
		long given = strtol(digits, &end, 10);
		if (*digits < '0' || *digits > '9' || *end != '\0' || given > bits ||
		    (digits[0] == '0' && digits[1] != '\0'))
			return -1;
		*prefix = (int)given;
	}
	if (written_v6 && net->family == AF_INET) { /* a mapped address, now IPv4 */
		if (*prefix < 96)
			return -1; /* wider than the mapped range: not meaningful here */
		*prefix -= 96;
	}
	return 0;
}

static int prefix_matches(const struct ip *net, int prefix, const struct ip *addr)
{
	if (net->family != addr->family)
		return 0;
	int whole = prefix / 8, rest = prefix % 8;
	if (memcmp(net->bytes, addr->bytes, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->bytes[whole] & mask) == (addr->bytes[whole] & mask);
}

#define SEPARATORS " ,\t"

int addrlist_validate(const char *list, char *why, size_t whylen)
{
	while (*list) {
		list += strspn(list, SEPARATORS);
		size_t len = strcspn(list, SEPARATORS);
		struct ip net;
		int prefix;
		if (len > 0 && parse_entry(list, len, &net, &prefix) != 0) {
			snprintf(why, whylen, "'%.*s' is not an IP address or CIDR prefix "
				 "(e.g. 127.0.0.0/8, ::1, 10.0.0.0/8)", (int)(len > 64 ? 64 : len), list);
			return -1;
		}
		list += len;
	}
	return 0;
}

int addrlist_contains(const char *list, const char *address)
{
	struct ip addr;
	if (address == NULL || parse_ip(address, &addr) != 0)
		return 0;
	while (*list) {
		list += strspn(list, SEPARATORS);
		size_t len = strcspn(list, SEPARATORS);
		struct ip net;
		int prefix;
		if (len > 0 && parse_entry(list, len, &net, &prefix) == 0 &&
		    prefix_matches(&net, prefix, &addr))
			return 1;
		list += len;
	}
	return 0;
}
