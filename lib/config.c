#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "addrlist.h"
#include "cron.h"
#include "hostlist.h"
#include "textfile.h"
#include "version.h"

enum key_type { KEY_STRING, KEY_INT, KEY_BOOL, KEY_LOG_LEVEL, KEY_CRON, KEY_ZONE, KEY_ADDRLIST,
		KEY_FILE_PART, KEY_HOSTLIST };

struct key_spec {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;    /* KEY_STRING: capacity of the array */
	long min, max;  /* KEY_INT: inclusive range */
};

#define STR_KEY(sec, key, field) \
	{ sec, key, KEY_STRING, offsetof(struct mldash_config, field), \
	  sizeof(((struct mldash_config *)0)->field), 0, 0 }
#define TYPED_KEY(sec, key, type, field) \
	{ sec, key, type, offsetof(struct mldash_config, field), \
	  sizeof(((struct mldash_config *)0)->field), 0, 0 }
#define INT_KEY(sec, key, field, lo, hi) \
	{ sec, key, KEY_INT, offsetof(struct mldash_config, field), sizeof(int), lo, hi }
#define BOOL_KEY(sec, key, field) \
	{ sec, key, KEY_BOOL, offsetof(struct mldash_config, field), sizeof(int), 0, 1 }

static const struct key_spec config_keys[] = {
	STR_KEY("database", "host", database.host),
	INT_KEY("database", "port", database.port, 1, 65535),
	TYPED_KEY("database", "hosts", KEY_HOSTLIST, database.hosts),
	INT_KEY("database", "galera_fragment_rows", database.galera_fragment_rows, 0, 10000000),
	STR_KEY("database", "socket", database.socket),
	STR_KEY("database", "user", database.user),
	STR_KEY("database", "password", database.password),
	STR_KEY("database", "password_file", database.password_file),
	STR_KEY("database", "name", database.name),
	INT_KEY("database", "connect_timeout", database.connect_timeout, 1, 300),
	INT_KEY("database", "read_timeout", database.read_timeout, 1, 3600),
	STR_KEY("api", "token", api.token),
	STR_KEY("api", "token_file", api.token_file),
	BOOL_KEY("api", "allow_unauthenticated_writes", api.allow_unauthenticated_writes),
	TYPED_KEY("api", "internal_allow", KEY_ADDRLIST, api.internal_allow),
	STR_KEY("api", "cors_origins", api.cors_origins),
	INT_KEY("api", "max_upload_bytes", api.max_upload_bytes, 1024, 1073741824),
	STR_KEY("ingest", "spool_dir", ingest.spool_dir),
	TYPED_KEY("schedule", "ml_sync", KEY_CRON, schedule.ml_sync),
	TYPED_KEY("schedule", "campaign_sync", KEY_CRON, schedule.campaign_sync),
	TYPED_KEY("schedule", "timezone", KEY_ZONE, schedule.timezone),
	INT_KEY("ml", "horizon_days", ml.horizon_days, 1, 365),
	INT_KEY("ml", "history_days", ml.history_days, 7, 730),
	INT_KEY("ml", "fit_days", ml.fit_days, 28, 1460),
	INT_KEY("ml", "keep_runs", ml.keep_runs, 1, 10000),
	INT_KEY("ml", "keep_daily_days", ml.keep_daily_days, 1, 3660),
	STR_KEY("events", "dir", events.dir),
	TYPED_KEY("events", "country", KEY_FILE_PART, events.country),
	TYPED_KEY("events", "account", KEY_FILE_PART, events.account),
	STR_KEY("paths", "migrations_dir", paths.migrations_dir),
	{ "log", "level", KEY_LOG_LEVEL, offsetof(struct mldash_config, log.level), 0, 0, 0 },
	STR_KEY("log", "file", log.file),
};

#define N_KEYS (sizeof config_keys / sizeof config_keys[0])

void config_defaults(struct mldash_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->database.host, sizeof cfg->database.host, "localhost");
	cfg->database.port = 3306;
	cfg->database.galera_fragment_rows = 10000;
	snprintf(cfg->database.user, sizeof cfg->database.user, "mldash");
	snprintf(cfg->database.name, sizeof cfg->database.name, "mldash");
	cfg->database.connect_timeout = 3;
	cfg->database.read_timeout = 30;
	cfg->api.max_upload_bytes = 64 << 20;
	snprintf(cfg->api.internal_allow, sizeof cfg->api.internal_allow, "127.0.0.0/8 ::1");
	snprintf(cfg->schedule.ml_sync, sizeof cfg->schedule.ml_sync, "*/30 * * * *");
	snprintf(cfg->schedule.campaign_sync, sizeof cfg->schedule.campaign_sync, "0 * * * *");
	snprintf(cfg->schedule.timezone, sizeof cfg->schedule.timezone, "UTC");
	cfg->ml.horizon_days = 30;
	cfg->ml.history_days = 90;
	cfg->ml.fit_days = 365;
	cfg->ml.keep_runs = 20;
	cfg->ml.keep_daily_days = 400;
	snprintf(cfg->ingest.spool_dir, sizeof cfg->ingest.spool_dir, "/var/spool/mldash");
	snprintf(cfg->paths.migrations_dir, sizeof cfg->paths.migrations_dir, "%s",
		 MLDASH_DEFAULT_MIGRATIONS_DIR);
	cfg->log.level = LOG_LEVEL_INFO;
}

static const struct key_spec *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* Stores value into the field of spec; on failure writes why into why. */
static int set_value(struct mldash_config *cfg, const struct key_spec *spec, const char *value,
		     char *why, size_t whylen)
{
	char *field = (char *)cfg + spec->offset;

	switch (spec->type) {
	case KEY_STRING:
		if (strlen(value) >= spec->size) {
			snprintf(why, whylen, "value is too long (at most %zu bytes)", spec->size - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case KEY_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || errno != 0 || v < spec->min || v > spec->max) {
			snprintf(why, whylen, "expected an integer from %ld to %ld, got '%s'",
				 spec->min, spec->max, value);
			return -1;
		}
		*(int *)(void *)field = (int)v;
		return 0;
	}
	case KEY_BOOL: {
		static const char *const yes[] = { "true", "yes", "on", "1" };
		static const char *const no[] = { "false", "no", "off", "0" };
		for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
			if (strcasecmp(value, yes[i]) == 0 || strcasecmp(value, no[i]) == 0) {
				*(int *)(void *)field = strcasecmp(value, yes[i]) == 0;
				return 0;
			}
		}
		snprintf(why, whylen, "expected true or false, got '%s'", value);
		return -1;
	}
	case KEY_HOSTLIST: {
		struct hostlist_entry hosts[HOSTLIST_MAX];
		if (hostlist_parse(value, hosts, why, whylen) < 0)
			return -1;
		if (strlen(value) >= spec->size) {
			snprintf(why, whylen, "value is too long (at most %zu bytes)", spec->size - 1);
			return -1;
		}
		snprintf((char *)field, spec->size, "%s", value);
		return 0;
	}
	case KEY_ADDRLIST:
		if (addrlist_validate(value, why, whylen) != 0)
			return -1;
		if (strlen(value) >= spec->size) {
			snprintf(why, whylen, "value is too long (at most %zu bytes)", spec->size - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case KEY_CRON: {
		struct cron c;
		if (cron_parse(value, &c, why, whylen) != 0)
			return -1;
		if (strlen(value) >= spec->size) {
			snprintf(why, whylen, "value is too long");
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	}
	case KEY_ZONE: {
		char path[512];
		int plain = strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") ==
			    strlen(value);
		snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", value);
		if (*value == '\0' || !plain || strstr(value, "..") || value[0] == '/' ||
		    strlen(value) >= spec->size || (strcmp(value, "UTC") != 0 && access(path, R_OK) != 0)) {
			snprintf(why, whylen, "'%s' is not a time zone (e.g. UTC, Europe/Berlin; see "
				 "/usr/share/zoneinfo)", value);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	}
	case KEY_FILE_PART: {
		/* Part of a file name: letters, digits, '_', '-', '.', not first. */
		size_t len = strlen(value);
		if (len >= 64 || value[0] == '.' ||
		    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") != len) {
			snprintf(why, whylen, "expected up to 63 letters, digits, '_', '-' or '.' (not "
				 "first), got '%s'", value);
			return -1;
		}
		memcpy(field, value, len + 1);
		return 0;
	}
	case KEY_LOG_LEVEL:
		if (log_level_parse(value, (enum log_level *)(void *)field) != 0) {
			snprintf(why, whylen, "expected debug, info, warn or error, got '%s'", value);
			return -1;
		}
		return 0;
	}
	snprintf(why, whylen, "internal error: unknown key type");
	return -1;
}

struct ini_state {
	struct mldash_config *cfg;
	char first_error[512]; /* message of the first failing key, without position */
};

static int ini_handler_cb(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;
	char why[384];
	const struct key_spec *spec = find_key(section, name);

	if (spec == NULL)
		snprintf(why, sizeof why, "unknown key");
	else if (set_value(st->cfg, spec, value, why, sizeof why) == 0)
		return 1;
	/* inih reports only the line of the first error; keep that one's text. */
	if (st->first_error[0] == '\0')
		snprintf(st->first_error, sizeof st->first_error, "%s%s%s: %s", section,
			 *section ? "." : "", name, why);
	return 0;
}

static int report_ini_result(int rc, const struct ini_state *st, const char *name, char *err,
			     size_t errlen)
{
	if (rc == 0)
		return 0;
	if (rc == -1)
		snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
	else if (rc == -2)
		snprintf(err, errlen, "%s: out of memory while parsing", name);
	else if (st->first_error[0] != '\0')
		snprintf(err, errlen, "%s:%d: %s", name, rc, st->first_error);
	else
		snprintf(err, errlen, "%s:%d: syntax error (expected '[section]' or 'key = value')",
			 name, rc);
	return -1;
}

/* inih reads lines into a fixed buffer and would cut a longer one in two;
 * refuse such a line up front. Returns its 1-based number, or 0. */
static int find_long_line(const char *text)
{
	int line = 1;
	while (*text) {
		size_t len = strcspn(text, "\n");
		if (len >= INI_MAX_LINE - 2)
			return line;
		text += len;
		if (*text == '\n')
			text++;
		line++;
	}
	return 0;
}

int config_apply_string(struct mldash_config *cfg, const char *ini, const char *name, char *err,
			size_t errlen)
{
	int long_line = find_long_line(ini);
	if (long_line > 0) {
		snprintf(err, errlen, "%s:%d: line longer than %d characters", name, long_line,
			 INI_MAX_LINE - 3);
		return -1;
	}
	struct ini_state st = { .cfg = cfg };
	return report_ini_result(ini_parse_string(ini, ini_handler_cb, &st), &st, name, err, errlen);
}

#define CONFIG_FILE_MAX (1 << 20)

static int apply_file(struct mldash_config *cfg, const char *path, char *err, size_t errlen)
{
	size_t len;
	int missing;
	char *text = textfile_read(path, CONFIG_FILE_MAX, &len, &missing, err, errlen);
	if (text == NULL)
		return -1;
	int rc = config_apply_string(cfg, text, path, err, errlen);
	free(text);
	return rc;
}

int config_apply_env(struct mldash_config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_spec *spec = &config_keys[i];
		char var[128];
		int n = snprintf(var, sizeof var, "MLDASH_%s_%s", spec->section, spec->name);
		for (int j = 0; j < n; j++)
			var[j] = (char)toupper((unsigned char)var[j]);

		const char *value = getenv(var);
		if (value == NULL)
			continue;
		char why[384];
		if (set_value(cfg, spec, value, why, sizeof why) != 0) {
			snprintf(err, errlen, "environment %s: %s.%s: %s", var, spec->section,
				 spec->name, why);
			return -1;
		}
	}
	return 0;
}

int config_load(struct mldash_config *cfg, const char *path, char *err, size_t errlen)
{
	config_defaults(cfg);

	int must_exist = 1;
	if (path == NULL || *path == '\0')
		path = getenv("MLDASH_CONFIG");
	if (path == NULL || *path == '\0') {
		path = MLDASH_DEFAULT_CONFIG;
		must_exist = 0;
	}

	FILE *probe = fopen(path, "r");
	if (probe != NULL) {
		fclose(probe);
		if (apply_file(cfg, path, err, errlen) != 0)
			return -1;
		snprintf(cfg->source, sizeof cfg->source, "%s", path);
	} else if (must_exist || errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	return config_apply_env(cfg, err, errlen);
}

int config_read_secret_file(const char *path, const char *key, int allow_spaces, char *out,
			    size_t outlen, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s: cannot open: %s", key, path, strerror(errno));
		return -1;
	}
	char line[CONFIG_STR_MAX + 1];
	int got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	size_t len = got ? strcspn(line, "\r\n") : 0;
	while (!allow_spaces && len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	int bad = len == 0 || len >= outlen || len >= CONFIG_STR_MAX;
	for (size_t i = 0; !bad && i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		bad = c < 0x20 || c == 0x7f || (c == ' ' && !allow_spaces);
	}
	if (bad) {
		snprintf(err, errlen, "%s: %s: %s", key, path,
			 len == 0 ? "the first line is empty; it must hold the secret"
			 : len >= outlen || len >= CONFIG_STR_MAX
				 ? "the first line is too long (at most 255 bytes)"
				 : allow_spaces ? "the first line has a control character"
						: "the first line has a space or control character");
		explicit_bzero(line, sizeof line);
		return -1;
	}
	memcpy(out, line, len);
	out[len] = '\0';
	explicit_bzero(line, sizeof line);
	return 0;
}

int config_read_token_file(struct mldash_config *cfg, char *err, size_t errlen)
{
	if (cfg->api.token[0] != '\0' || cfg->api.token_file[0] == '\0')
		return 0;
	return config_read_secret_file(cfg->api.token_file, "api.token_file", 0, cfg->api.token,
				       sizeof cfg->api.token, err, errlen);
}

int config_writes_open(const struct mldash_config *cfg)
{
	return cfg->api.token[0] == '\0' && cfg->api.allow_unauthenticated_writes;
}

#define MAX_ORIGIN 300 /* a 253-byte host name, a scheme and a port */

int config_origin_allowed(const struct mldash_config *cfg, const char *origin)
{
	const char *list = cfg->api.cors_origins;
	size_t olen = strlen(origin);

	/* An origin is scheme://host[:port] (RFC 6454): one of a sane length
	 * and of visible ASCII only may be echoed back in a header. */
	if (olen == 0 || olen > MAX_ORIGIN)
		return 0;
	for (size_t i = 0; i < olen; i++)
		if (origin[i] <= ' ' || origin[i] > '~')
			return 0;
	while (*list) {
		while (*list == ' ' || *list == ',')
			list++;
		size_t len = strcspn(list, " ,");
		if (len == 1 && list[0] == '*')
			return 1;
		if (len == olen && strncmp(list, origin, len) == 0)
			return 1;
		list += len;
	}
	return 0;
}

void config_apply_timezone(const struct mldash_config *cfg)
{
	setenv("TZ", cfg->schedule.timezone, 1);
	tzset();
}
