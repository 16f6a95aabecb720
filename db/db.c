#include "db.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct db {
	const struct mldash_config *cfg;
	MYSQL *conn; /* NULL while disconnected */
	char error[512];
};

struct db *db_new(const struct mldash_config *cfg)
{
	struct db *db = calloc(1, sizeof *db);
	if (db != NULL)
		db->cfg = cfg;
	return db;
}

void db_disconnect(struct db *db)
{
	if (db->conn != NULL) {
		mysql_close(db->conn);
		db->conn = NULL;
	}
}

void db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

enum db_status db_classify_errno(unsigned int errnum)
{
	switch (errnum) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_UNKNOWN_HOST:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case ER_CON_COUNT_ERROR:
	case ER_TOO_MANY_USER_CONNECTIONS:
		return DB_UNAVAILABLE;
	default:
		return DB_ERROR;
	}
}

static void remember_error(struct db *db, MYSQL *conn, const char *what)
{
	snprintf(db->error, sizeof db->error, "%s: %s (%u)", what, mysql_error(conn),
		 mysql_errno(conn));
}

enum db_status db_connect(struct db *db)
{
	if (db->conn != NULL)
		return DB_OK;

	const struct mldash_config *cfg = db->cfg;
	MYSQL *conn = mysql_init(NULL);
	if (conn == NULL) {
		snprintf(db->error, sizeof db->error, "mysql_init: out of memory");
		return DB_UNAVAILABLE;
	}
	unsigned int connect_timeout = (unsigned int)cfg->database.connect_timeout;
	unsigned int rw_timeout = (unsigned int)cfg->database.read_timeout;
	mysql_optionsv(conn, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_optionsv(conn, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_optionsv(conn, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_optionsv(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");

	const char *socket = cfg->database.socket[0] ? cfg->database.socket : NULL;
	if (mysql_real_connect(conn, cfg->database.host, cfg->database.user,
			       cfg->database.password, cfg->database.name,
			       (unsigned int)cfg->database.port, socket,
			       CLIENT_MULTI_RESULTS) == NULL) {
		remember_error(db, conn, "connect");
		mysql_close(conn);
		return DB_UNAVAILABLE;
	}
	db->conn = conn;
	if (db_exec_noretry(db, "SET time_zone = '+00:00'", NULL) != DB_OK) {
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	log_debug("connected to MariaDB %s", mysql_get_server_info(conn));
	return DB_OK;
}

enum db_status db_exec_noretry(struct db *db, const char *sql, MYSQL_RES **result)
{
	if (result != NULL)
		*result = NULL;
	enum db_status st = db_connect(db);
	if (st != DB_OK)
		return st;

	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0) {
		remember_error(db, db->conn, "query");
		st = db_classify_errno(mysql_errno(db->conn));
		if (st == DB_UNAVAILABLE)
			db_disconnect(db);
		return st;
	}
	MYSQL_RES *res = mysql_store_result(db->conn);
	if (res == NULL && mysql_field_count(db->conn) != 0) {
		remember_error(db, db->conn, "store result");
		st = db_classify_errno(mysql_errno(db->conn));
		if (st == DB_UNAVAILABLE)
			db_disconnect(db);
		return st;
	}
	if (result != NULL)
		*result = res;
	else
		mysql_free_result(res);
	return DB_OK;
}

enum db_status db_query(struct db *db, const char *sql, MYSQL_RES **result)
{
	int was_connected = db->conn != NULL;
	enum db_status st = db_exec_noretry(db, sql, result);
	/* A connection that died while idle (server restart) fails on first
	 * use; one fresh attempt tells that apart from a server that is down. */
	if (st == DB_UNAVAILABLE && was_connected)
		st = db_exec_noretry(db, sql, result);
	return st;
}

const char *db_error(const struct db *db)
{
	return db->error;
}

MYSQL *db_mysql(struct db *db)
{
	return db->conn;
}
