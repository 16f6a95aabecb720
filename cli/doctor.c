/*
 * mldash doctor: checks an installation end to end, one line per check:
 * "ok   NAME: what was found", "warn NAME: ...", "FAIL NAME: what is wrong
 * -- what to do", or "skip NAME: needs ..." when an earlier check failed.
 * Exits 0 when nothing FAILed, 1 otherwise, 2 on a usage error.
 *
 * It loads the configuration itself, so that a broken one is a FAIL line
 * (with the file:line message) rather than the end of the run. The
 * decisions that need no I/O are lib/doctor_rules; the SQL is db/doctor.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "cron.h"
#include "db.h"
#include "doctor.h"
#include "doctor_rules.h"
#include "log.h"
#include "migrate.h"

#ifndef MLDASH_SERVICE_USER
#define MLDASH_SERVICE_USER "mldash"
#endif

#define HTTP_TIMEOUT_SECONDS 5
/* A slot that should have started this long ago must have its run. */
#define SCHEDULE_GRACE_SECONDS 600

/* The checks, in the order they run and print. */
enum check { CHECK_CONFIG, CHECK_TOKEN, CHECK_DATABASE, CHECK_GRANTS, CHECK_SCHEMA, CHECK_SPOOL,
	     CHECK_NGINX, CHECK_SCHEDULER, CHECK_DISK, CHECK__MAX };
static const char *const check_names[CHECK__MAX + 1] = {
	[CHECK_CONFIG] = "config", [CHECK_TOKEN] = "token", [CHECK_DATABASE] = "database",
	[CHECK_GRANTS] = "grants", [CHECK_SCHEMA] = "schema", [CHECK_SPOOL] = "spool",
	[CHECK_NGINX] = "nginx", [CHECK_SCHEDULER] = "scheduler", [CHECK_DISK] = "disk",
	[CHECK__MAX] = NULL,
};

/* One run's state: the configuration (valid or not), the connection (NULL
 * until the database check made one) and the number of FAIL lines. */
struct doctor {
	struct mldash_config cfg;
	int config_ok;
	struct db *db;
	int db_ok;
	const char *url;
	const char *user;
	/* The service account (--user), looked up once: known 0 when it does
	 * not exist here (the spool check says so). */
	struct {
		int known;
		uid_t uid;
		gid_t groups[256];
		int ngroups;
	} account;
	int failures;
};

static void load_account(struct doctor *d)
{
	struct passwd *pw = getpwnam(d->user);
	if (pw == NULL)
		return;
	d->account.known = 1;
	d->account.uid = pw->pw_uid;
	d->account.ngroups = (int)(sizeof d->account.groups / sizeof d->account.groups[0]);
	if (getgrouplist(d->user, pw->pw_gid, d->account.groups, &d->account.ngroups) < 0)
		d->account.ngroups = (int)(sizeof d->account.groups / sizeof d->account.groups[0]);
}

/*
 * Whether the service account has every right of user_bits (e.g. S_IRUSR,
 * or S_IWUSR | S_IXUSR) on what st describes, from its owner, group and
 * mode: the owner's bits, else the group's (user_bits >> 3), else the
 * others' (>> 6). Doctor often runs as root, for whom access() says yes to
 * everything, while the services run as that account. Root itself may.
 */
static int account_may(const struct doctor *d, const struct stat *st, mode_t user_bits)
{
	if (d->account.uid == 0)
		return 1;
	mode_t need = user_bits >> 6;
	if (st->st_uid == d->account.uid) {
		need = user_bits;
	} else {
		for (int i = 0; i < d->account.ngroups; i++)
			if (d->account.groups[i] == st->st_gid)
				need = user_bits >> 3;
	}
	return (st->st_mode & need) == need;
}

static void report(struct doctor *d, enum check c, enum doctor_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prints one check's line: the level padded to four columns, the name, the
 * text. */
static void report(struct doctor *d, enum check c, enum doctor_level level, const char *fmt, ...)
{
	printf("%-4s %s: ", doctor_level_names[level], check_names[c]);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (level == DOCTOR_FAIL)
		d->failures++;
}

/*
 * Whether the service user (--user) may read the file at path: its mode,
 * owner and group against the user's uid and groups, and search rights on
 * the folder holding it. Doctor often runs as root, which reads anything,
 * while the services run as that user. 1 when it may, or when the user is
 * unknown here (the spool check names that); 0 with the reason in why.
 */
static int service_may_read(const struct doctor *d, const char *path, char *why, size_t len)
{
	if (!d->account.known)
		return 1;
	char folder[CONFIG_PATH_MAX];
	snprintf(folder, sizeof folder, "%s", path);
	char *slash = strrchr(folder, '/');
	if (slash == folder)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(folder, sizeof folder, ".");
	const struct { const char *path; mode_t bits; const char *verb; } need[] = {
		{ folder, S_IXUSR, "searched" },
		{ path, S_IRUSR, "read" },
	};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		struct stat st;
		if (stat(need[i].path, &st) != 0)
			return 1; /* the check that reads it says why */
		if (!account_may(d, &st, need[i].bits)) {
			struct passwd *owner = getpwuid(st.st_uid);
			struct group *group = getgrgid(st.st_gid);
			snprintf(why, len, "%s (owner %s, group %s, mode %04o) cannot be %s by %s",
				 need[i].path, owner ? owner->pw_name : "?", group ? group->gr_name : "?",
				 (unsigned)(st.st_mode & 07777), need[i].verb, d->user);
			return 0;
		}
	}
	return 1;
}

/* When the service user may not read the file at path: one FAIL on check
 * c that says what cannot happen and the chown that fixes it; returns 1.
 * Else 0. */
static int fail_unreadable(struct doctor *d, enum check c, const char *path,
			   const char *consequence)
{
	char why[CONFIG_PATH_MAX + 256];
	if (service_may_read(d, path, why, sizeof why))
		return 0;
	report(d, c, DOCTOR_FAIL, "%s: %s -- chown root:%s %s && chmod 0640 %s", why, consequence,
	       d->user, path, path);
	return 1;
}

static void check_config(struct doctor *d, const char *path)
{
	char err[1024];
	if (config_load(&d->cfg, path, err, sizeof err) != 0) {
		report(d, CHECK_CONFIG, DOCTOR_FAIL, "%s -- correct that line (see docs/operations.md)",
		       err);
		return;
	}
	d->config_ok = 1;
	config_apply_timezone(&d->cfg); /* the schedules are read in it */
	if (d->cfg.source[0] &&
	    fail_unreadable(d, CHECK_CONFIG, d->cfg.source, "the services cannot start"))
		return;
	report(d, CHECK_CONFIG, DOCTOR_OK, "%s read and valid",
	       d->cfg.source[0] ? d->cfg.source : "no file; defaults and environment");
}

static void check_token(struct doctor *d)
{
	char err[1024];
	int from_file = d->cfg.api.token[0] == '\0' && d->cfg.api.token_file[0] != '\0';
	if (config_read_token_file(&d->cfg, err, sizeof err) != 0) {
		report(d, CHECK_TOKEN, DOCTOR_FAIL, "%s -- write the token into that file, readable by "
		       "the service user", err);
		return;
	}
	if (from_file &&
	    fail_unreadable(d, CHECK_TOKEN, d->cfg.api.token_file, "the workers cannot start"))
		return;
	if (d->cfg.api.token[0] != '\0') {
		report(d, CHECK_TOKEN, DOCTOR_OK, "set (%zu characters%s)", strlen(d->cfg.api.token),
		       d->cfg.api.token_file[0] ? ", from api.token_file" : "");
		return;
	}
	if (config_writes_open(&d->cfg)) {
		report(d, CHECK_TOKEN, DOCTOR_WARN, "no token and allow_unauthenticated_writes is on: "
		       "anyone who reaches the API may import and start syncs");
		return;
	}
	report(d, CHECK_TOKEN, DOCTOR_FAIL, "no token: every POST answers 403 -- set [api] token_file "
	       "(or token) to a secret of 32+ random characters");
}

static void check_database(struct doctor *d)
{
	d->db = db_new(&d->cfg);
	if (d->db == NULL) {
		report(d, CHECK_DATABASE, DOCTOR_FAIL, "out of memory -- try again");
		return;
	}
	const char *where = d->cfg.database.hosts[0] ? d->cfg.database.hosts
			    : d->cfg.database.socket[0] ? d->cfg.database.socket
			    : d->cfg.database.host;
	const char *password_file = d->cfg.database.password_file;
	if (d->cfg.database.password[0] == '\0' && password_file[0] != '\0' &&
	    fail_unreadable(d, CHECK_DATABASE, password_file, "the services cannot log in"))
		return;
	if (db_connect(d->db) != DB_OK) {
		const char *error = db_error(d->db);
		report(d, CHECK_DATABASE, DOCTOR_FAIL, "cannot connect to %s as %s: %s -- %s", where,
		       d->cfg.database.user, error,
		       strstr(error, "password_file") ? "fix [database] password_file"
		       : strstr(error, "Access denied") ? "check [database] user and its password"
		       : "start MariaDB (systemctl start mariadb) or check [database]");
		return;
	}
	d->db_ok = 1;
	report(d, CHECK_DATABASE, DOCTOR_OK, "connected to %s as %s, database %s", where,
	       d->cfg.database.user, d->cfg.database.name);
}

struct grants_ctx {
	struct doctor_grants grants;
	const char *dbname;
};

static int grants_line(void *ctx, const struct db_value *cols, int ncols)
{
	struct grants_ctx *g = ctx;
	if (ncols >= 1)
		doctor_grants_add(&g->grants, db_col_text(&cols[0]), g->dbname);
	return 0;
}

static void check_grants(struct doctor *d)
{
	if (!d->db_ok) {
		report(d, CHECK_GRANTS, DOCTOR_SKIP, "needs the database");
		return;
	}
	struct grants_ctx g = { .dbname = d->cfg.database.name };
	if (doctor_show_grants(d->db, grants_line, &g) != DB_OK) {
		report(d, CHECK_GRANTS, DOCTOR_FAIL, "cannot read the grants: %s -- check the account in "
		       "[database]", db_error(d->db));
		return;
	}
	if ((g.grants.rows & DOCTOR_GRANT_ROWS) != DOCTOR_GRANT_ROWS) {
		report(d, CHECK_GRANTS, DOCTOR_FAIL, "%s lacks%s%s%s%s on %s -- GRANT SELECT, INSERT, "
		       "UPDATE, DELETE ON %s.* TO the account", d->cfg.database.user,
		       g.grants.rows & DOCTOR_GRANT_SELECT ? "" : " SELECT",
		       g.grants.rows & DOCTOR_GRANT_INSERT ? "" : " INSERT",
		       g.grants.rows & DOCTOR_GRANT_UPDATE ? "" : " UPDATE",
		       g.grants.rows & DOCTOR_GRANT_DELETE ? "" : " DELETE", d->cfg.database.name,
		       d->cfg.database.name);
		return;
	}
	if (g.grants.extra[0]) {
		report(d, CHECK_GRANTS, DOCTOR_WARN, "%s has %s beyond row rights on %s: the application "
		       "account should have SELECT, INSERT, UPDATE, DELETE only (migrate with another)",
		       d->cfg.database.user, g.grants.extra, d->cfg.database.name);
		return;
	}
	report(d, CHECK_GRANTS, DOCTOR_OK, "SELECT, INSERT, UPDATE, DELETE on %s, nothing more",
	       d->cfg.database.name);
}

static void check_schema(struct doctor *d)
{
	if (!d->db_ok) {
		report(d, CHECK_SCHEMA, DOCTOR_SKIP, "needs the database");
		return;
	}
	const char *dir = d->cfg.paths.migrations_dir;
	int latest = 0;
	if (migrate_count_files(dir, &latest) < 0) {
		report(d, CHECK_SCHEMA, DOCTOR_FAIL, "cannot read the migrations in %s -- set [paths] "
		       "migrations_dir to the installed db/migrations", dir);
		return;
	}
	int version = 0;
	if (migrate_schema_version(d->db, &version) != DB_OK) {
		report(d, CHECK_SCHEMA, DOCTOR_FAIL, "cannot read the schema version: %s -- run mldash "
		       "migrate with an account that may change the schema", db_error(d->db));
		return;
	}
	if (version < latest)
		report(d, CHECK_SCHEMA, DOCTOR_FAIL, "version %d, the files in %s reach %d -- run mldash "
		       "migrate with an account that may change the schema", version, dir, latest);
	else if (version > latest)
		report(d, CHECK_SCHEMA, DOCTOR_FAIL, "the database is at version %d, newer than the files "
		       "in %s (%d) -- install the release that wrote it, or point [paths] migrations_dir "
		       "at its migrations", version, dir, latest);
	else
		report(d, CHECK_SCHEMA, DOCTOR_OK, "version %d, current", version);
}

static void check_spool(struct doctor *d)
{
	const char *dir = d->cfg.ingest.spool_dir;
	if (!d->account.known) {
		report(d, CHECK_SPOOL, DOCTOR_FAIL, "no user %s on this machine -- pass the service "
		       "account with --user, or create it", d->user);
		return;
	}
	static const char *const subdirs[] = { "", "/done", "/rejected" };
	for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		char path[CONFIG_PATH_MAX + 16];
		snprintf(path, sizeof path, "%s%s", dir, subdirs[i]);
		struct stat st;
		if (stat(path, &st) != 0) {
			if (i > 0 && errno == ENOENT)
				continue; /* made on first use */
			report(d, CHECK_SPOOL, DOCTOR_FAIL, "%s: %s -- create it, owned by %s (install -d "
			       "-o %s %s)", path, strerror(errno), d->user, d->user, path);
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			report(d, CHECK_SPOOL, DOCTOR_FAIL, "%s is not a folder -- set [ingest] spool_dir "
			       "to a folder", path);
			return;
		}
		if (!account_may(d, &st, S_IWUSR | S_IXUSR)) {
			struct passwd *owner = getpwuid(st.st_uid);
			report(d, CHECK_SPOOL, DOCTOR_FAIL, "%s (owner %s, mode %04o) is not writable by %s "
			       "-- chown %s %s", path, owner ? owner->pw_name : "?",
			       (unsigned)(st.st_mode & 07777), d->user, d->user, path);
			return;
		}
	}
	report(d, CHECK_SPOOL, DOCTOR_OK, "%s writable by %s", dir, d->user);
}

/*
 * GETs url's health path over HTTP/1.0 and returns the status code, or -1
 * with why in err. Only http://host[:port][/path].
 */
static int http_status(const char *url, char *err, size_t errlen)
{
	const char *rest = url + strlen("http://");
	size_t hostlen = strcspn(rest, ":/");
	char host[256], port[16] = "80";
	if (hostlen == 0 || hostlen >= sizeof host) {
		snprintf(err, errlen, "no host in %s", url);
		return -1;
	}
	memcpy(host, rest, hostlen);
	host[hostlen] = '\0';
	const char *p = rest + hostlen;
	if (*p == ':') {
		size_t plen = strcspn(p + 1, "/");
		if (plen == 0 || plen >= sizeof port) {
			snprintf(err, errlen, "bad port in %s", url);
			return -1;
		}
		memcpy(port, p + 1, plen);
		port[plen] = '\0';
		p += 1 + plen;
	}
	const char *path = *p ? p : "/";
	size_t pathlen = strlen(path);
	int slash = pathlen > 0 && path[pathlen - 1] == '/';

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int gai = getaddrinfo(host, port, &hints, &ai);
	if (gai != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(gai));
		return -1;
	}
	int fd = -1, status = -1;
	struct timeval tv = { .tv_sec = HTTP_TIMEOUT_SECONDS };
	snprintf(err, errlen, "cannot connect to %s:%s", host, port);
	for (struct addrinfo *a = ai; a != NULL && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd < 0)
			continue;
		/* On Linux connect() too gives up after SO_SNDTIMEO. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			snprintf(err, errlen, "cannot connect to %s:%s: %s", host, port, strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return -1;
	char req[1536];
	int n = snprintf(req, sizeof req, "GET %s%sapi/ml-dashboard/health HTTP/1.0\r\nHost: %s%s%s\r\n"
			 "User-Agent: mldash-doctor\r\n\r\n", path, slash ? "" : "/", host,
			 strcmp(port, "80") ? ":" : "", strcmp(port, "80") ? port : "");
	if (n < 0 || (size_t)n >= sizeof req) {
		snprintf(err, errlen, "the URL is too long");
		goto out;
	}
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		snprintf(err, errlen, "sending the request: %s", strerror(errno));
		goto out;
	}
	char line[128];
	size_t got = 0;
	while (got < sizeof line - 1) {
		ssize_t r = recv(fd, line + got, sizeof line - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(line, '\n', got))
			break;
	}
	line[got] = '\0';
	int code;
	if (sscanf(line, "HTTP/%*d.%*d %3d", &code) == 1)
		status = code;
	else
		snprintf(err, errlen, "%s", got ? "no HTTP answer" : "no answer (timed out or closed)");
out:
	close(fd);
	return status;
}

static void check_nginx(struct doctor *d)
{
	if (strncmp(d->url, "https://", 8) == 0) {
		report(d, CHECK_NGINX, DOCTOR_FAIL, "doctor speaks plain HTTP only -- pass the local "
		       "site's http:// URL with --url");
		return;
	}
	if (strncmp(d->url, "http://", 7) != 0) {
		report(d, CHECK_NGINX, DOCTOR_FAIL, "%s is not an http:// URL -- pass --url "
		       "http://HOST[:PORT]/", d->url);
		return;
	}
	char err[512];
	int status = http_status(d->url, err, sizeof err);
	if (status == 200)
		report(d, CHECK_NGINX, DOCTOR_OK, "%s answers /health with 200", d->url);
	else if (status < 0)
		report(d, CHECK_NGINX, DOCTOR_FAIL, "%s: %s -- start nginx (systemctl start nginx) and "
		       "the workers (systemctl status mldash-fcgi), or pass --url", d->url, err);
	else
		report(d, CHECK_NGINX, DOCTOR_FAIL, "%s answers /health with %d -- check the workers "
		       "(systemctl status mldash-fcgi) and the nginx site", d->url, status);
}

static void format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "never");
}

static void check_scheduler(struct doctor *d)
{
	if (!d->db_ok) {
		report(d, CHECK_SCHEDULER, DOCTOR_SKIP, "needs the database");
		return;
	}
	static const char *const jobs[] = { "campaign_sync", "ml_sync" };
	const char *exprs[] = { d->cfg.schedule.campaign_sync, d->cfg.schedule.ml_sync };
	char found[256] = "";
	time_t now = time(NULL);
	for (size_t i = 0; i < 2; i++) {
		struct cron c;
		char err[256];
		if (cron_parse(exprs[i], &c, err, sizeof err) != 0) {
			report(d, CHECK_SCHEDULER, DOCTOR_FAIL, "[schedule] %s: %s -- correct it", jobs[i], err);
			return;
		}
		time_t last, due;
		if (doctor_last_run(d->db, jobs[i], &last) != DB_OK) {
			report(d, CHECK_SCHEDULER, DOCTOR_FAIL, "cannot read the runs of %s: %s -- check the "
			       "schema (mldash migrate)", jobs[i], db_error(d->db));
			return;
		}
		enum doctor_freshness f = doctor_job_fresh(&c, now, SCHEDULE_GRACE_SECONDS, last, &due);
		char last_s[32], due_s[32];
		format_time(last, last_s, sizeof last_s);
		format_time(due, due_s, sizeof due_s);
		if (f == DOCTOR_NO_RUNS) {
			report(d, CHECK_SCHEDULER, DOCTOR_FAIL, "%s has never run -- systemctl status "
			       "mldash-scheduler (or run mldash sync %s)", jobs[i],
			       i == 0 ? "campaigns" : "ml");
			return;
		}
		if (f == DOCTOR_LATE) {
			report(d, CHECK_SCHEDULER, DOCTOR_FAIL, "%s last ran %s, no run for its slot %s "
			       "(\"%s\") -- systemctl status mldash-scheduler", jobs[i], last_s, due_s,
			       exprs[i]);
			return;
		}
		size_t used = strlen(found);
		snprintf(found + used, sizeof found - used, "%s%s last ran %s", used ? ", " : "",
			 jobs[i], last_s);
	}
	report(d, CHECK_SCHEDULER, DOCTOR_OK, "%s", found);
}

/*
 * Judges the free space of the file system holding path; appends "WHAT:
 * N MiB free of M MiB (P %)" to text. Returns the level, or DOCTOR_SKIP
 * when path cannot be stat'ed (said in text too).
 */
static enum doctor_level disk_of(const char *what, const char *path, char *text, size_t len)
{
	size_t used = strlen(text);
	const char *sep = used ? "; " : "";
	struct statvfs vfs;
	if (statvfs(path, &vfs) != 0) {
		snprintf(text + used, len - used, "%s%s %s: cannot stat (%s)", sep, what, path,
			 strerror(errno));
		return DOCTOR_SKIP;
	}
	unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	unsigned long long total = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
	enum doctor_level level = doctor_disk_level(avail, total);
	snprintf(text + used, len - used, "%s%s %s: %llu MiB free of %llu MiB (%.1f %%)", sep, what,
		 path, avail >> 20, total >> 20, total ? 100.0 * (double)avail / (double)total : 0.0);
	return level;
}

static void check_disk(struct doctor *d)
{
	char text[3 * CONFIG_PATH_MAX];
	text[0] = '\0';
	enum doctor_level worst = disk_of("spool", d->cfg.ingest.spool_dir, text, sizeof text);
	if (worst == DOCTOR_SKIP) /* the spool check says what is wrong with it */
		worst = DOCTOR_WARN;
	const char *host = d->cfg.database.host;
	int local = d->cfg.database.hosts[0] == '\0' &&
		    (host[0] == '\0' || strcmp(host, "localhost") == 0);
	size_t used = strlen(text);
	if (!local) {
		snprintf(text + used, sizeof text - used, "; database on %s: not checked from here",
			 d->cfg.database.hosts[0] ? d->cfg.database.hosts : host);
	} else if (!d->db_ok) {
		snprintf(text + used, sizeof text - used, "; database data folder: not known without "
			 "the database");
	} else {
		char datadir[CONFIG_PATH_MAX];
		if (doctor_datadir(d->db, datadir, sizeof datadir) != DB_OK || datadir[0] == '\0') {
			snprintf(text + used, sizeof text - used, "; database data folder: the server "
				 "did not say");
		} else {
			enum doctor_level l = disk_of("database", datadir, text, sizeof text);
			if (l != DOCTOR_SKIP && l > worst)
				worst = l;
		}
	}
	if (worst == DOCTOR_FAIL)
		report(d, CHECK_DISK, worst, "%s -- free space (old exports in done/, logs, binlogs)",
		       text);
	else
		report(d, CHECK_DISK, worst, "%s", text);
}

static void doctor_usage(FILE *out)
{
	fprintf(out, "usage: mldash doctor [--url URL] [--user USER]\n");
}

/*
 * mldash doctor. config_path: --config, or NULL for $MLDASH_CONFIG or the
 * default file (config_load decides). Runs every check; those that need
 * what an earlier one could not give say skip.
 */
int cmd_doctor(const char *config_path, int argc, char **argv)
{
	static const struct option options[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "user", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	static struct doctor d; /* the configuration is large */
	memset(&d, 0, sizeof d);
	d.url = "http://127.0.0.1/";
	d.user = MLDASH_SERVICE_USER;
	int opt;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'u': d.url = optarg; break;
		case 'U': d.user = optarg; break;
		default: doctor_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		log_error("doctor: unexpected argument '%s'", argv[optind]);
		return 2;
	}

	load_account(&d);
	check_config(&d, config_path);
	if (!d.config_ok) {
		/* Without a valid file, only the web site can be checked. */
		for (enum check c = CHECK_TOKEN; c < CHECK__MAX; c++) {
			if (c == CHECK_NGINX)
				check_nginx(&d);
			else
				report(&d, c, DOCTOR_SKIP, "needs a valid configuration");
		}
		return 1;
	}
	log_set_threshold(LOG_LEVEL_ERROR); /* the lines above are the report */
	check_token(&d);
	check_database(&d);
	check_grants(&d);
	check_schema(&d);
	check_spool(&d);
	check_nginx(&d);
	check_scheduler(&d);
	check_disk(&d);
	db_free(d.db);
	d.db = NULL;
	return d.failures ? 1 : 0;
}
