#include "doctor_rules.h"

#include <stdio.h>
#include <string.h>

const char *const doctor_level_names[DOCTOR_LEVEL__MAX + 1] = {
	[DOCTOR_OK] = "ok", [DOCTOR_WARN] = "warn", [DOCTOR_FAIL] = "FAIL", [DOCTOR_SKIP] = "skip",
	[DOCTOR_LEVEL__MAX] = NULL,
};

/*
 * Copies an object name ("`my\_db`", "*") without quotes and with
 * backslash escapes undone (SHOW GRANTS escapes _ and % in database names).
 */
static void unquote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		if (s[i] == '`')
			continue;
		if (s[i] == '\\' && i + 1 < len)
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
}

/* Whether "ON object" names every database or dbname as a whole. */
static int object_covers(const char *obj, size_t len, const char *dbname)
{
	const char *dot = NULL;
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		if (obj[i] == '`')
			quoted = !quoted;
		else if (obj[i] == '.' && !quoted)
			dot = obj + i;
	}
	if (dot == NULL || strncmp(dot, ".*", 2) != 0 || (size_t)(dot - obj) + 2 != len)
		return 0;
	char db[256];
	unquote(obj, (size_t)(dot - obj), db, sizeof db);
	return strcmp(db, "*") == 0 || strcmp(db, dbname) == 0;
}

void doctor_grants_add(struct doctor_grants *g, const char *line, const char *dbname)
{
	static const struct {
		const char *name;
		unsigned bit;
	} row_rights[] = {
		{ "SELECT", DOCTOR_GRANT_SELECT }, { "INSERT", DOCTOR_GRANT_INSERT },
		{ "UPDATE", DOCTOR_GRANT_UPDATE }, { "DELETE", DOCTOR_GRANT_DELETE },
	};
	if (strncmp(line, "GRANT ", 6) != 0)
		return;
	const char *privs = line + 6;
	const char *on = strstr(privs, " ON ");
	if (on == NULL)
		return; /* a role granted: GRANT `role` TO ... */
	const char *obj = on + 4;
	size_t objlen = strcspn(obj, " ");
	if (!object_covers(obj, objlen, dbname))
		return;
	const char *p = privs;
	while (p < on) {
		while (p < on && (*p == ' ' || *p == ','))
			p++;
		size_t len = 0;
		while (p + len < on && p[len] != ',' && p[len] != '(')
			len++;
		size_t name_len = len;
		while (name_len > 0 && p[name_len - 1] == ' ')
			name_len--;
		if (name_len == 0)
			break;
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof row_rights / sizeof row_rights[0]; i++)
			if (strlen(row_rights[i].name) == name_len &&
			    strncmp(row_rights[i].name, p, name_len) == 0)
				bit = row_rights[i].bit;
		int all = name_len >= 3 && strncmp(p, "ALL", 3) == 0;
		if (all)
			bit = DOCTOR_GRANT_ROWS;
		g->rows |= bit;
		if ((bit == 0 || all) && !(name_len == 5 && strncmp(p, "USAGE", 5) == 0) &&
		    g->extra[0] == '\0')
			snprintf(g->extra, sizeof g->extra, "%.*s", (int)name_len, p);
		/* a column list: skip to its end */
		p += len;
		if (p < on && *p == '(') {
			const char *close = memchr(p, ')', (size_t)(on - p));
			p = close ? close + 1 : on;
		}
	}
}

enum doctor_freshness doctor_job_fresh(const struct cron *c, time_t now, time_t grace,
				       time_t last_run, time_t *due)
{
	/* A short look back first: cron_prev counts fire times, and a frequent
	 * schedule over 400 days would exceed its bound. */
	time_t slot = cron_prev(c, now - grace, 8 * 86400);
	if (slot == (time_t)-1)
		slot = cron_prev(c, now - grace, 400 * 86400);
	if (due != NULL)
		*due = slot;
	if (last_run == (time_t)-1)
		return DOCTOR_NO_RUNS;
	return slot == (time_t)-1 || last_run >= slot ? DOCTOR_FRESH : DOCTOR_LATE;
}

enum doctor_level doctor_disk_level(unsigned long long avail, unsigned long long total)
{
	const unsigned long long mib = 1024ULL * 1024;
	if (avail < 100 * mib || (total > 0 && avail * 50 < total))
		return DOCTOR_FAIL;
	if (avail < 1024 * mib || (total > 0 && avail * 10 < total))
		return DOCTOR_WARN;
	return DOCTOR_OK;
}
