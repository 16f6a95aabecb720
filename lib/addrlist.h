/*
 * addrlist: a list of IPv4/IPv6 addresses and CIDR prefixes ("127.0.0.0/8
 * ::1 10.1.2.3"), and the question whether an address is in it. Pure.
 *
 * Used for [api] internal_allow: who may see /metrics and the details of
 * /status. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches as IPv4.
 */
#ifndef MLDASH_ADDRLIST_H
#define MLDASH_ADDRLIST_H

#include <stddef.h>

/*
 * Checks that list (entries separated by spaces or commas; may be empty) is
 * well formed. Returns 0, or -1 with the offending entry named in why.
 */
int addrlist_validate(const char *list, char *why, size_t whylen);

/*
 * Returns 1 when address (textual, as nginx's $remote_addr) is covered by an
 * entry of list, 0 when not or when address is not an IP address. An
 * invalid entry covers nothing.
 */
int addrlist_contains(const char *list, const char *address);

#endif
