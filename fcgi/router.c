#include "router.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} method_names[] = {
	{ "GET", HTTP_GET },     { "HEAD", HTTP_HEAD },     { "POST", HTTP_POST },
	{ "PUT", HTTP_PUT },     { "DELETE", HTTP_DELETE }, { "PATCH", HTTP_PATCH },
	{ "OPTIONS", HTTP_OPTIONS },
};

#define N_METHODS (sizeof method_names / sizeof method_names[0])

unsigned router_method_bit(const char *method)
{
	for (size_t i = 0; i < N_METHODS; i++)
		if (strcmp(method_names[i].name, method) == 0)
			return method_names[i].bit;
	return 0;
}

/* The methods a route really accepts: GET brings HEAD, and every route
 * answers OPTIONS (CORS preflight). */
static unsigned effective_methods(const struct route *r)
{
	unsigned m = r->methods | HTTP_OPTIONS;
	if (m & HTTP_GET)
		m |= HTTP_HEAD;
	return m;
}

static void format_allow(unsigned methods, char *allow, size_t allowlen)
{
	size_t used = 0;
	allow[0] = '\0';
	for (size_t i = 0; i < N_METHODS; i++) {
		if (!(methods & method_names[i].bit))
			continue;
		int n = snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "",
				 method_names[i].name);
		if (n < 0 || (size_t)n >= allowlen - used)
			return;
		used += (size_t)n;
	}
}

enum route_result router_match(const struct route *table, size_t n, const char *method,
			       const char *path, const struct route **found, char *allow,
			       size_t allowlen)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].path, path) != 0)
			continue;
		unsigned methods = effective_methods(&table[i]);
		format_allow(methods, allow, allowlen);
		if (!(methods & router_method_bit(method)))
			return ROUTE_METHOD_NOT_ALLOWED;
		*found = &table[i];
		return ROUTE_FOUND;
	}
	if (allowlen > 0)
		allow[0] = '\0';
	return ROUTE_NOT_FOUND;
}
