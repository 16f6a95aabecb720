#include "db_internal.h"
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leases.h"
#include "log.h"

struct migration {
	int version;
	char name[256];
};

int migrate_parse_name(const char *name, int *version)
{
	const char *p = name;
	int v = 0, digits = 0;

	while (isdigit((unsigned char)*p)) {
		if (v > 99999)
			return -1;
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits < 3 || *p++ != '_')
		return -1;
	const char *stem = p;
	while (*p == '_' || isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'z'))
		p++;
	if (p == stem || strcmp(p, ".sql") != 0)
		return -1;
	*version = v;
	return 0;
}

static int by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
}

/* Lists dir's migrations sorted by version into a malloc'd array the caller
 * frees. Returns the count, or -1 with err set (also for duplicate versions). */
static int list_migrations(const char *dir, struct migration **out, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: cannot open migrations folder: %s", dir, strerror(errno));
		return -1;
	}
	struct migration *list = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		int version;
		if (migrate_parse_name(e->d_name, &version) != 0 || strlen(e->d_name) >= 256)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct migration *grown = realloc(list, (size_t)cap * sizeof *list);
			if (grown == NULL) {
				snprintf(err, errlen, "out of memory listing %s", dir);
				free(list);
				closedir(d);
				return -1;
			}
			list = grown;
		}
		list[n].version = version;
		snprintf(list[n].name, sizeof list[n].name, "%s", e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(list, (size_t)n, sizeof *list, by_version);
	for (int i = 1; i < n; i++) {
		if (list[i].version == list[i - 1].version) {
			snprintf(err, errlen, "%s: migrations %s and %s share version %d", dir,
				 list[i - 1].name, list[i].name, list[i].version);
			free(list);
			return -1;
		}
	}
	*out = list;
	return n;
}

int migrate_count_files(const char *dir, int *latest_version)
{
	struct migration *list = NULL;
	char err[256];
	int n = list_migrations(dir, &list, err, sizeof err);
	if (n < 0)
		return -1;
	*latest_version = n > 0 ? list[n - 1].version : 0;
	free(list);
	return n;
}

/* Reads a whole file into a NUL-terminated malloc'd buffer the caller frees. */
static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		len += fread(buf + len, 1, cap - len - 1, f);
		if (len < cap - 1)
			break;
		cap *= 2;
		char *grown = realloc(buf, cap);
		if (grown == NULL) {
			free(buf);
			buf = NULL;
		} else {
			buf = grown;
		}
	}
	if (buf == NULL)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		buf = NULL;
	} else
		buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Runs a multi-statement script; drains every result so the connection stays
 * usable. Returns 0, or -1 with the server's message in err. */
static int run_script(MYSQL *conn, const char *sql, const char *name, char *err, size_t errlen)
{
	int statement = 1;
	int status = mysql_real_query(conn, sql, strlen(sql));
	while (status == 0) {
		MYSQL_RES *res = mysql_store_result(conn);
		mysql_free_result(res);
		status = mysql_next_result(conn);
		if (status == 0)
			statement++;
	}
	if (status > 0 || mysql_errno(conn) != 0) {
		snprintf(err, errlen, "%s: statement %d: MariaDB error %u: %s", name, statement,
			 mysql_errno(conn), mysql_error(conn));
		return -1;
	}
	return 0;
}

static const char schema_migrations_ddl[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INT UNSIGNED NOT NULL PRIMARY KEY,"
	" name VARCHAR(255) NOT NULL,"
	" applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

enum db_status migrate_schema_version(struct db *db, int *version)
{
	MYSQL_RES *res;
	*version = 0;
	enum db_status st = db_query(db,
		"SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &res);
	if (st == DB_ERROR && mysql_errno(db_mysql(db)) == 1146) /* no such table */
		return DB_OK;
	if (st != DB_OK)
		return st;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL && row[0] != NULL)
		*version = atoi(row[0]);
	mysql_free_result(res);
	return DB_OK;
}

static int apply_one(struct db *db, const char *dir, const struct migration *m, char *err,
		     size_t errlen)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", dir, m->name);
	char *sql = read_file(path, err, errlen);
	if (sql == NULL)
		return -1;

	MYSQL *conn = db_mysql(db);
	mysql_set_server_option(conn, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	int rc = run_script(conn, sql, path, err, errlen);
	mysql_set_server_option(conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	free(sql);
	if (rc != 0)
		return -1;

	char record[640];
	char escaped[2 * sizeof m->name + 1];
	mysql_real_escape_string(conn, escaped, m->name, strlen(m->name));
	snprintf(record, sizeof record,
		 "INSERT INTO schema_migrations (version, name) VALUES (%d, '%s')", m->version,
		 escaped);
	if (db_exec_noretry(db, record, NULL) != DB_OK) {
		snprintf(err, errlen, "%s: applied, but recording it failed: %s", path, db_error(db));
		return -1;
	}
	log_info("applied migration %s", m->name);
	return 0;
}

int migrate_run(struct db *db, const char *dir, char *err, size_t errlen)
{
	struct migration *list = NULL;
	int n = list_migrations(dir, &list, err, errlen);
	if (n < 0)
		return -1;

	int applied = -1;
	MYSQL_RES *res = NULL;
	/* One migrator at a time across hosts: a lease (db/leases), which works
	 * on Galera too, waited for up to a minute. It lasts an hour: one ALTER
	 * of a big table runs long, and nothing renews it meanwhile. */
	struct lease lease;
	int taken = 0;
	if (db_query(db, schema_migrations_ddl, NULL) != DB_OK || lease_create_table(db) != DB_OK) {
		snprintf(err, errlen, "cannot prepare migrations: %s", db_error(db));
		goto out;
	}
	for (int waited = 0; waited <= 60 && !taken; waited++) {
		if (lease_take(db, "migrate", LEASE_MIGRATE_SECONDS, &lease, &taken) != DB_OK) {
			snprintf(err, errlen, "cannot take the migrations' lease: %s", db_error(db));
			goto out;
		}
		if (!taken && waited < 60)
			sleep(1);
	}
	if (!taken) {
		snprintf(err, errlen, "another migration has held the lease for over 60 s");
		goto out;
	}

	applied = 0;
	for (int i = 0; i < n; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT 1 FROM schema_migrations WHERE version = %d",
			 list[i].version);
		if (db_exec_noretry(db, sql, &res) != DB_OK) {
			snprintf(err, errlen, "cannot read schema_migrations: %s", db_error(db));
			applied = -1;
			break;
		}
		int done = mysql_num_rows(res) > 0;
		mysql_free_result(res);
		if (done)
			continue;
		if (lease_keep(db, &lease) != 0) {
			snprintf(err, errlen, "lost the migrations' lease: %s", db_error(db));
			applied = -1;
			break;
		}
		if (apply_one(db, dir, &list[i], err, errlen) != 0) {
			applied = -1;
			break;
		}
		applied++;
	}
	lease_release(db, &lease);
out:
	free(list);
	return applied;
}
