/*
 * config: the one INI file (libinih) plus MLDASH_<SECTION>_<KEY> environment
 * overrides, validated against a table of known keys.
 *
 * The struct owns all its strings (fixed arrays), so it needs no destructor
 * and can be copied. An unknown key or a bad value is an error of the form
 * "file:line: section.key: what is wrong".
 */
#ifndef MLDASH_CONFIG_H
#define MLDASH_CONFIG_H

#include <stddef.h>

#include "log.h"

#define CONFIG_STR_MAX 256
#define CONFIG_PATH_MAX 1024

struct mldash_config {
	char source[CONFIG_PATH_MAX]; /* file that was read, "" when none */

	struct {
		char host[CONFIG_STR_MAX];
		int port;
		/* Servers tried in order, "host[:port], ..." (lib/hostlist; a
		 * Galera cluster's nodes); "" for host and port alone. */
		char hosts[CONFIG_PATH_MAX];
		/* With hosts set: an import replicates in fragments of this many
		 * rows (Galera's streaming replication); 0: one write set. */
		int galera_fragment_rows;
		char socket[CONFIG_PATH_MAX];
		char user[CONFIG_STR_MAX];
		char password[CONFIG_STR_MAX];
		/* File whose first line is the password, read at each connection
		 * when password is "" (it may be readable by the services alone). */
		char password_file[CONFIG_PATH_MAX];
		char name[CONFIG_STR_MAX];
		int connect_timeout; /* seconds */
		int read_timeout;    /* seconds */
	} database;

	struct {
		char token[CONFIG_STR_MAX];         /* bearer token for POSTs, "" for none */
		char token_file[CONFIG_PATH_MAX];   /* file holding the token when token is "" */
		int allow_unauthenticated_writes;   /* with no token: POSTs open (1) or 403 (0) */
		char internal_allow[CONFIG_PATH_MAX]; /* addresses that see /metrics, /status details */
		char cors_origins[CONFIG_PATH_MAX]; /* space-separated origins, or "*" */
		int max_upload_bytes;               /* largest import body accepted */
	} api;

	struct {
		char spool_dir[CONFIG_PATH_MAX]; /* where report files are dropped */
	} ingest;

	struct {
		char ml_sync[CONFIG_STR_MAX];       /* cron expression */
		char campaign_sync[CONFIG_STR_MAX]; /* cron expression */
		char timezone[CONFIG_STR_MAX];      /* the zone schedules are read in */
	} schedule;

	struct {
		int horizon_days;  /* forecast horizon */
		int history_days;  /* actuals shown beside the forecasts */
		int fit_days;      /* history the models learn from */
		int keep_runs;     /* succeeded ML runs kept whole; older ones are pruned */
		int keep_daily_days; /* the days' runs (forecasts and plan) kept this long */
	} ml;

	struct {
		/* Calendar files (see sync/calendar.h): default.csv, then
		 * country-<country>.csv, then account-<account>.csv from dir,
		 * over the built-in retail calendar. "" for none. */
		char dir[CONFIG_PATH_MAX];
		char country[CONFIG_STR_MAX]; /* e.g. GB; "" for none */
		char account[CONFIG_STR_MAX]; /* e.g. acme; "" for none */
	} events;

	struct {
		char migrations_dir[CONFIG_PATH_MAX];
	} paths;

	struct {
		enum log_level level;
		/* The daemons' log file ("" for stderr alone; see log_use_file). */
		char file[CONFIG_PATH_MAX];
	} log;
};

/* Fills every key with its documented default. */
void config_defaults(struct mldash_config *cfg);

/*
 * Loads defaults, then the file, then environment overrides.
 * path: the file to read; NULL means $MLDASH_CONFIG, or else the built-in
 * default path, which may be absent (defaults and environment are used then).
 * An explicitly named file must exist.
 * Returns 0, or -1 with a one-line message in err.
 */
int config_load(struct mldash_config *cfg, const char *path, char *err, size_t errlen);

/*
 * When [api] token is empty and token_file is set, reads the token from the
 * first line of that file. Only the programs that check the token call it
 * (the file is readable by the service user alone). Returns 0, or -1 with a
 * message naming the file.
 */
int config_read_token_file(struct mldash_config *cfg, char *err, size_t errlen);

/*
 * Reads the first line of path (without its line end) into out: a secret
 * such as the API token or the database password. key names the setting in
 * messages; without allow_spaces, trailing blanks are dropped and inner
 * spaces refused. Returns 0, or -1 with a message naming key and path when
 * the file cannot be read or its first line is empty, too long or holds a
 * control character.
 */
int config_read_secret_file(const char *path, const char *key, int allow_spaces, char *out,
			    size_t outlen, char *err, size_t errlen);

/* 1 when POST routes take anonymous callers: no token and the explicit
 * [api] allow_unauthenticated_writes opt-out. */
int config_writes_open(const struct mldash_config *cfg);

/* Applies INI text to cfg (no defaults reset); name is used in messages. */
int config_apply_string(struct mldash_config *cfg, const char *ini, const char *name,
			char *err, size_t errlen);

/* Applies MLDASH_<SECTION>_<KEY> variables from the process environment. */
int config_apply_env(struct mldash_config *cfg, char *err, size_t errlen);

/* Makes the configured schedule time zone the process's (TZ). */
void config_apply_timezone(const struct mldash_config *cfg);

/* Checks an origin against cors_origins; returns 1 when it may read answers. */
int config_origin_allowed(const struct mldash_config *cfg, const char *origin);

#endif
