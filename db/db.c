#include "db_internal.h"

#include <errmsg.h>
#include <math.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"
#include "log.h"

struct db {
	const struct mldash_config *cfg;
	MYSQL *conn;        /* NULL while disconnected */
	MYSQL_STMT **stmts; /* [slot]: prepared on conn, or NULL */
	int nstmts;
	int in_transaction; /* stays set when the connection is lost inside one */
	int host_next;      /* [database] hosts: the one tried first on the next connect */
	int host_current;   /* ... and the one connected to */
	unsigned int last_errno;
	char error[512];
};

/* Slots are handed out once per statement, for the life of the process. */
static int next_statement_slot;

struct db *db_new(const struct mldash_config *cfg)
{
	struct db *db = calloc(1, sizeof *db);
	if (db != NULL)
		db->cfg = cfg;
	return db;
}

void db_disconnect(struct db *db)
{
	for (int i = 0; i < db->nstmts; i++)
		if (db->stmts[i] != NULL) {
			mysql_stmt_close(db->stmts[i]);
			db->stmts[i] = NULL;
		}
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
	free(db->stmts);
	free(db);
}

int db_connected(const struct db *db)
{
	return db->conn != NULL;
}

int db_clustered(const struct db *db)
{
	return db->cfg->database.hosts[0] != '\0';
}

int db_fragment_rows(const struct db *db)
{
	return db->cfg->database.galera_fragment_rows;
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
	/* A Galera node out of the cluster's primary component: "WSREP has not
	 * yet prepared node for application use". Another node may serve. */
	case ER_UNKNOWN_COM_ERROR:
		return DB_UNAVAILABLE;
	default:
		return DB_ERROR;
	}
}

static enum db_status remember_error(struct db *db, unsigned int errnum, const char *what,
				     const char *message)
{
	db->last_errno = errnum;
	snprintf(db->error, sizeof db->error, "%s: %s (%u)", what, message, errnum);
	enum db_status st = db_classify_errno(errnum);
	if (st == DB_UNAVAILABLE && db->conn != NULL) {
		db_disconnect(db);
		db->host_next = db->host_current + 1; /* the next host first, when there are several */
	}
	return st;
}

static enum db_status connection_failed(struct db *db, const char *what)
{
	return remember_error(db, mysql_errno(db->conn), what, mysql_error(db->conn));
}

enum db_status db_statement_failed(struct db *db, MYSQL_STMT *stmt, const char *what)
{
	return remember_error(db, mysql_stmt_errno(stmt), what, mysql_stmt_error(stmt));
}

/* Whether the connected server can serve: a Galera node must be part of
 * the primary component (wsrep_ready); a server without Galera always can. */
static int server_ready(struct db *db)
{
	MYSQL_RES *res = NULL;
	if (db_exec_noretry(db, "SELECT @@GLOBAL.wsrep_on, (SELECT VARIABLE_VALUE FROM"
			    " information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')",
			    &res) != DB_OK)
		return 0;
	MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
	int ready = row != NULL && (row[0] == NULL || strcmp(row[0], "0") == 0 ||
				    (row[1] != NULL && strcmp(row[1], "ON") == 0));
	mysql_free_result(res);
	if (!ready)
		snprintf(db->error, sizeof db->error, "a Galera node not ready for clients (wsrep_ready OFF)");
	return ready;
}

/* One connection attempt; check_ready: refuse a Galera node that cannot serve. */
static enum db_status connect_to(struct db *db, const char *host, int port, const char *socket,
				 int check_ready)
{
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
	/* Read at each connection, so a new password in the file takes effect
	 * without a restart. */
	char from_file[CONFIG_STR_MAX];
	const char *password = cfg->database.password;
	if (password[0] == '\0' && cfg->database.password_file[0] != '\0') {
		if (config_read_secret_file(cfg->database.password_file, "database.password_file", 1,
					    from_file, sizeof from_file, db->error,
					    sizeof db->error) != 0) {
			mysql_close(conn);
			return DB_UNAVAILABLE;
		}
		password = from_file;
	}
	MYSQL *ok = mysql_real_connect(conn, host, cfg->database.user, password, cfg->database.name,
				       (unsigned int)port, socket, CLIENT_MULTI_RESULTS);
	explicit_bzero(from_file, sizeof from_file);
	if (ok == NULL) {
		db->last_errno = mysql_errno(conn);
		snprintf(db->error, sizeof db->error, "connect: %s (%u)", mysql_error(conn),
			 mysql_errno(conn));
		mysql_close(conn);
		return DB_UNAVAILABLE;
	}
	db->conn = conn;
	if (db_exec_noretry(db, "SET time_zone = '+00:00'", NULL) != DB_OK ||
	    (check_ready && !server_ready(db))) {
		char why[sizeof db->error];
		snprintf(why, sizeof why, "%s", db->error);
		db_disconnect(db);
		snprintf(db->error, sizeof db->error, "%s", why);
		return DB_UNAVAILABLE;
	}
	log_debug("connected to MariaDB %s on %s", mysql_get_server_info(conn), host ? host : "localhost");
	return DB_OK;
}

enum db_status db_connect(struct db *db)
{
	if (db->conn != NULL)
		return DB_OK;
	if (db->in_transaction) {
		/* Reconnecting would run the rest of the transaction's statements
		 * on their own, committed one by one. */
		snprintf(db->error, sizeof db->error, "the connection was lost inside a transaction");
		return DB_UNAVAILABLE;
	}
	const struct mldash_config *cfg = db->cfg;
	if (cfg->database.hosts[0] == '\0')
		return connect_to(db, cfg->database.host, cfg->database.port,
				  cfg->database.socket[0] ? cfg->database.socket : NULL, 0);
	/* Each host once, from the one after the host that failed last. */
	struct hostlist_entry hosts[HOSTLIST_MAX];
	char why[256];
	int n = hostlist_parse(cfg->database.hosts, hosts, why, sizeof why);
	if (n <= 0) {
		snprintf(db->error, sizeof db->error, "[database] hosts: %s", n < 0 ? why : "empty");
		return DB_UNAVAILABLE;
	}
	enum db_status st = DB_UNAVAILABLE;
	char errors[400] = "";
	/* Fixed before the loop: a host failing after its handshake moves
	 * host_next (remember_error), which must not reorder this pass. */
	int start = db->host_next % n;
	for (int i = 0; i < n && st != DB_OK; i++) {
		int h = (start + i) % n;
		st = connect_to(db, hosts[h].host, hosts[h].port ? hosts[h].port : cfg->database.port, NULL, 1);
		if (st == DB_OK) {
			db->host_current = h;
			db->host_next = h;
		} else {
			size_t used = strlen(errors);
			/* Each host's reason, cut short: the message names them all. */
			snprintf(errors + used, sizeof errors - used, "%s%.64s: %.100s", used ? "; " : "",
				 hosts[h].host, db->error);
		}
	}
	if (st != DB_OK) {
		db->host_next = start;
		snprintf(db->error, sizeof db->error, "no database host answered: %s", errors);
	}
	return st;
}

enum db_status db_exec_noretry(struct db *db, const char *sql, MYSQL_RES **result)
{
	if (result != NULL)
		*result = NULL;
	enum db_status st = db_connect(db);
	if (st != DB_OK)
		return st;
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		return connection_failed(db, "query");
	MYSQL_RES *res = mysql_store_result(db->conn);
	if (res == NULL && mysql_field_count(db->conn) != 0)
		return connection_failed(db, "store result");
	if (result != NULL)
		*result = res;
	else
		mysql_free_result(res);
	return DB_OK;
}

/* A statement that failed because the connection had died while idle did
 * not reach the server: one fresh attempt tells that apart from a server
 * that is down. Not inside a transaction, which died with the connection. */
static int may_retry(const struct db *db, int was_connected, enum db_status st, int writes)
{
	if (st != DB_UNAVAILABLE || !was_connected || db->in_transaction)
		return 0;
	/* A write lost in flight (CR_SERVER_LOST) may have run. */
	return !writes || db->last_errno == CR_SERVER_GONE_ERROR;
}

enum db_status db_query(struct db *db, const char *sql, MYSQL_RES **result)
{
	int was_connected = db->conn != NULL;
	enum db_status st = db_exec_noretry(db, sql, result);
	if (may_retry(db, was_connected, st, 0))
		st = db_exec_noretry(db, sql, result);
	return st;
}

const char *db_error(const struct db *db)
{
	return db->error;
}

unsigned int db_errno(const struct db *db)
{
	return db->last_errno;
}

MYSQL *db_mysql(struct db *db)
{
	return db->conn;
}

/* --- values ------------------------------------------------------------- */

struct db_value db_int(long long i)
{
	return (struct db_value){ .type = DB_INT, .i = i };
}

struct db_value db_double(double d)
{
	return isfinite(d) ? (struct db_value){ .type = DB_DOUBLE, .d = d } : db_null();
}

struct db_value db_text(const char *s)
{
	return s ? (struct db_value){ .type = DB_TEXT, .s = s, .len = strlen(s) } : db_null();
}

struct db_value db_bytes(const void *s, size_t len)
{
	return (struct db_value){ .type = DB_TEXT, .s = s, .len = len };
}

struct db_value db_null(void)
{
	return (struct db_value){ .type = DB_NULL };
}

double db_col_double(const struct db_value *v)
{
	switch (v->type) {
	case DB_DOUBLE: return v->d;
	case DB_INT: return (double)v->i;
	case DB_TEXT: return strtod(v->s, NULL);
	default: return NAN;
	}
}

long long db_col_int(const struct db_value *v)
{
	switch (v->type) {
	case DB_INT: return v->i;
	case DB_DOUBLE: return (long long)v->d;
	case DB_TEXT: return strtoll(v->s, NULL, 10);
	default: return 0;
	}
}

const char *db_col_text(const struct db_value *v)
{
	return v->type == DB_TEXT ? v->s : "";
}

/* --- prepared statements ----------------------------------------------- */

/* The statement's handle on this connection, prepared on first use. */
static enum db_status prepared(struct db *db, struct db_statement *st, MYSQL_STMT **out)
{
	enum db_status s = db_connect(db);
	if (s != DB_OK)
		return s;
	if (st->slot < 0)
		st->slot = next_statement_slot++;
	if (st->slot >= db->nstmts) {
		int n = st->slot + 16;
		MYSQL_STMT **grown = realloc(db->stmts, sizeof *grown * (size_t)n);
		if (grown == NULL) {
			snprintf(db->error, sizeof db->error, "out of memory");
			return DB_ERROR;
		}
		memset(grown + db->nstmts, 0, sizeof *grown * (size_t)(n - db->nstmts));
		db->stmts = grown;
		db->nstmts = n;
	}
	if (db->stmts[st->slot] == NULL) {
		MYSQL_STMT *h = mysql_stmt_init(db->conn);
		if (h == NULL)
			return connection_failed(db, "preparing");
		if (mysql_stmt_prepare(h, st->sql, strlen(st->sql)) != 0) {
			s = db_statement_failed(db, h, "preparing");
			mysql_stmt_close(h);
			return s;
		}
		db->stmts[st->slot] = h;
	}
	*out = db->stmts[st->slot];
	return DB_OK;
}

static void bind_param(MYSQL_BIND *b, const struct db_value *v)
{
	static my_bool is_null = 1;
	memset(b, 0, sizeof *b);
	switch (v->type) {
	case DB_INT:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = (void *)&v->i;
		break;
	case DB_DOUBLE:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = (void *)&v->d;
		break;
	case DB_TEXT:
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)v->s;
		b->buffer_length = (unsigned long)v->len;
		break;
	default:
		b->buffer_type = MYSQL_TYPE_NULL;
		b->is_null = &is_null;
		break;
	}
}

static enum db_status execute(struct db *db, struct db_statement *st, const struct db_value *params,
			      int nparams, MYSQL_STMT **out)
{
	MYSQL_STMT *h;
	enum db_status s = prepared(db, st, &h);
	if (s != DB_OK)
		return s;
	if (mysql_stmt_param_count(h) != (unsigned long)nparams) {
		snprintf(db->error, sizeof db->error, "statement takes %lu parameters, given %d: %.200s",
			 mysql_stmt_param_count(h), nparams, st->sql);
		return DB_ERROR;
	}
	MYSQL_BIND binds[64];
	if (nparams > 64) {
		snprintf(db->error, sizeof db->error, "more than 64 parameters: %.200s", st->sql);
		return DB_ERROR;
	}
	for (int i = 0; i < nparams; i++)
		bind_param(&binds[i], &params[i]);
	unsigned int one = 0;
	mysql_stmt_attr_set(h, STMT_ATTR_ARRAY_SIZE, &one);
	if ((nparams > 0 && mysql_stmt_bind_param(h, binds) != 0) || mysql_stmt_execute(h) != 0)
		return db_statement_failed(db, h, "executing");
	*out = h;
	return DB_OK;
}

/* Result columns, bound by kind: integers, floating and decimal numbers,
 * and text for everything else. */
struct result_columns {
	int n;
	MYSQL_BIND *binds;
	enum db_type *kinds;
	struct db_value *values;
	my_bool *is_null, *truncated;
	unsigned long *lengths;
	long long *ints;
	double *doubles;
	char **texts;
	unsigned long *caps;
};

static void columns_free(struct result_columns *c)
{
	for (int i = 0; i < c->n && c->texts; i++)
		free(c->texts[i]);
	free(c->binds);
	free(c->kinds);
	free(c->values);
	free(c->is_null);
	free(c->truncated);
	free(c->lengths);
	free(c->ints);
	free(c->doubles);
	free(c->texts);
	free(c->caps);
}

static int columns_bind(struct result_columns *c, MYSQL_RES *meta)
{
	int n = c->n = (int)mysql_num_fields(meta);
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	size_t k = (size_t)(n ? n : 1);
	c->binds = calloc(k, sizeof *c->binds);
	c->kinds = calloc(k, sizeof *c->kinds);
	c->values = calloc(k, sizeof *c->values);
	c->is_null = calloc(k, sizeof *c->is_null);
	c->truncated = calloc(k, sizeof *c->truncated);
	c->lengths = calloc(k, sizeof *c->lengths);
	c->ints = calloc(k, sizeof *c->ints);
	c->doubles = calloc(k, sizeof *c->doubles);
	c->texts = calloc(k, sizeof *c->texts);
	c->caps = calloc(k, sizeof *c->caps);
	if (!c->binds || !c->kinds || !c->values || !c->is_null || !c->truncated || !c->lengths || !c->ints ||
	    !c->doubles || !c->texts || !c->caps)
		return -1;
	for (int i = 0; i < n; i++) {
		MYSQL_BIND *b = &c->binds[i];
		b->is_null = &c->is_null[i];
		b->error = &c->truncated[i];
		b->length = &c->lengths[i];
		switch (fields[i].type) {
		case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_INT24:
		case MYSQL_TYPE_LONG: case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &c->ints[i];
			c->kinds[i] = DB_INT;
			break;
		case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE: case MYSQL_TYPE_DECIMAL:
		case MYSQL_TYPE_NEWDECIMAL:
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = &c->doubles[i];
			c->kinds[i] = DB_DOUBLE;
			break;
		default:
			c->caps[i] = 256;
			if ((c->texts[i] = malloc(c->caps[i])) == NULL)
				return -1;
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = c->texts[i];
			b->buffer_length = c->caps[i] - 1; /* room for the terminator */
			c->kinds[i] = DB_TEXT;
			break;
		}
	}
	return 0;
}

/* Fetches the rest of a value longer than its buffer (the caller binds the
 * grown buffers for the next row once the row's are all fetched). */
static int column_grow(struct result_columns *c, MYSQL_STMT *h, int i)
{
	unsigned long need = c->lengths[i] + 1;
	char *grown = realloc(c->texts[i], need);
	if (grown == NULL)
		return -1;
	c->texts[i] = grown;
	c->caps[i] = need;
	c->binds[i].buffer = grown;
	c->binds[i].buffer_length = need - 1;
	return mysql_stmt_fetch_column(h, &c->binds[i], (unsigned int)i, 0) != 0 ? -1 : 0;
}

static void column_values(struct result_columns *c)
{
	for (int i = 0; i < c->n; i++) {
		struct db_value v = { c->kinds[i], 0, 0, NULL, 0 };
		if (c->is_null[i])
			v.type = DB_NULL;
		else if (v.type == DB_INT)
			v.i = c->ints[i];
		else if (v.type == DB_DOUBLE)
			v.d = c->doubles[i];
		else {
			v.len = c->lengths[i] < c->caps[i] ? c->lengths[i] : c->caps[i] - 1;
			c->texts[i][v.len] = '\0';
			v.s = c->texts[i];
		}
		c->values[i] = v;
	}
}

static enum db_status fetch_rows(struct db *db, MYSQL_STMT *h, db_row_fn *row, void *ctx)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(h);
	if (meta == NULL)
		return mysql_stmt_errno(h) ? db_statement_failed(db, h, "result") : DB_OK;
	struct result_columns c = { 0 };
	enum db_status st = DB_OK;
	if (columns_bind(&c, meta) != 0) {
		snprintf(db->error, sizeof db->error, "reading a result: out of memory");
		st = DB_ERROR;
		goto out;
	}
	if (mysql_stmt_bind_result(h, c.binds) != 0 || mysql_stmt_store_result(h) != 0) {
		st = db_statement_failed(db, h, "reading the result");
		goto out;
	}
	int stop = 0;
	while (!stop) {
		int rc = mysql_stmt_fetch(h);
		if (rc == MYSQL_NO_DATA)
			break;
		if (rc == 1) {
			st = db_statement_failed(db, h, "fetching");
			break;
		}
		if (rc == MYSQL_DATA_TRUNCATED) {
			for (int i = 0; i < c.n && st == DB_OK; i++)
				if (c.truncated[i] && c.kinds[i] == DB_TEXT && column_grow(&c, h, i) != 0)
					st = DB_ERROR;
			/* Only now: binding forgets where the row's values are, and
			 * a second long value of the row then read as NULL. */
			if (st == DB_OK && mysql_stmt_bind_result(h, c.binds) != 0)
				st = DB_ERROR;
			if (st != DB_OK)
				snprintf(db->error, sizeof db->error, "reading a long value failed");
		}
		if (st != DB_OK)
			break;
		column_values(&c);
		if (row != NULL)
			stop = row(ctx, c.values, c.n);
	}
out:
	mysql_stmt_free_result(h);
	mysql_free_result(meta);
	columns_free(&c);
	return st;
}

static enum db_status run_once(struct db *db, struct db_statement *st, const struct db_value *params,
			       int nparams, db_row_fn *row, void *ctx)
{
	MYSQL_STMT *h;
	enum db_status s = execute(db, st, params, nparams, &h);
	return s != DB_OK ? s : fetch_rows(db, h, row, ctx);
}

enum db_status db_run(struct db *db, struct db_statement *st, const struct db_value *params,
		      int nparams, db_row_fn *row, void *ctx)
{
	int was_connected = db->conn != NULL;
	enum db_status s = run_once(db, st, params, nparams, row, ctx);
	if (may_retry(db, was_connected, s, 0))
		s = run_once(db, st, params, nparams, row, ctx);
	return s;
}

enum db_status db_run_write(struct db *db, struct db_statement *st, const struct db_value *params,
			    int nparams, unsigned long long *affected, long long *insert_id)
{
	int was_connected = db->conn != NULL;
	MYSQL_STMT *h = NULL;
	enum db_status s = execute(db, st, params, nparams, &h);
	if (may_retry(db, was_connected, s, 1))
		s = execute(db, st, params, nparams, &h);
	if (s != DB_OK)
		return s;
	if (affected != NULL)
		*affected = (unsigned long long)mysql_stmt_affected_rows(h);
	if (insert_id != NULL)
		*insert_id = (long long)mysql_stmt_insert_id(h);
	mysql_stmt_free_result(h);
	return DB_OK;
}

/* --- array binding ------------------------------------------------------ */

struct param_arrays {
	void *data;         /* long long[nrows], double[nrows] or char *[nrows] */
	unsigned long *lengths;
	char *indicators;
};

static int arrays_fill(struct param_arrays *a, MYSQL_BIND *b, enum db_type type, int col, int ncols,
		       const struct db_value *values, unsigned nrows)
{
	size_t elem = type == DB_INT ? sizeof(long long) : type == DB_DOUBLE ? sizeof(double) : sizeof(char *);
	a->data = calloc(nrows, elem);
	a->lengths = calloc(nrows, sizeof *a->lengths);
	a->indicators = calloc(nrows, 1);
	if (a->data == NULL || a->lengths == NULL || a->indicators == NULL)
		return -1;
	for (unsigned r = 0; r < nrows; r++) {
		const struct db_value *v = &values[(size_t)r * (size_t)ncols + (size_t)col];
		if (v->type == DB_NULL) {
			a->indicators[r] = STMT_INDICATOR_NULL;
			continue;
		}
		if (type == DB_INT)
			((long long *)a->data)[r] = v->type == DB_INT ? v->i : (long long)v->d;
		else if (type == DB_DOUBLE)
			((double *)a->data)[r] = v->type == DB_DOUBLE ? v->d : (double)v->i;
		else {
			((const char **)a->data)[r] = v->s;
			a->lengths[r] = (unsigned long)v->len;
		}
	}
	memset(b, 0, sizeof *b);
	b->buffer_type = type == DB_INT ? MYSQL_TYPE_LONGLONG
		       : type == DB_DOUBLE ? MYSQL_TYPE_DOUBLE : MYSQL_TYPE_STRING;
	b->buffer = a->data;
	b->length = a->lengths;
	b->u.indicator = a->indicators;
	return 0;
}

enum db_status db_run_rows(struct db *db, struct db_statement *st, const enum db_type *types,
			   int ncols, const struct db_value *values, unsigned nrows)
{
	if (nrows == 0)
		return DB_OK;
	MYSQL_STMT *h;
	enum db_status s = prepared(db, st, &h);
	if (s != DB_OK)
		return s;
	if (mysql_stmt_param_count(h) != (unsigned long)ncols || ncols > 64) {
		snprintf(db->error, sizeof db->error, "statement takes %lu parameters, given %d: %.200s",
			 mysql_stmt_param_count(h), ncols, st->sql);
		return DB_ERROR;
	}
	MYSQL_BIND binds[64];
	struct param_arrays arrays[64];
	memset(arrays, 0, sizeof arrays);
	s = DB_OK;
	for (int c = 0; c < ncols && s == DB_OK; c++)
		if (arrays_fill(&arrays[c], &binds[c], types[c], c, ncols, values, nrows) != 0) {
			snprintf(db->error, sizeof db->error, "out of memory");
			s = DB_ERROR;
		}
	if (s == DB_OK && (mysql_stmt_attr_set(h, STMT_ATTR_ARRAY_SIZE, &nrows) != 0 ||
			   mysql_stmt_bind_param(h, binds) != 0 || mysql_stmt_execute(h) != 0))
		s = db_statement_failed(db, h, "writing rows");
	for (int c = 0; c < ncols; c++) {
		free(arrays[c].data);
		free(arrays[c].lengths);
		free(arrays[c].indicators);
	}
	return s;
}

/* --- transactions ------------------------------------------------------- */

enum db_status db_begin(struct db *db, int read_committed)
{
	enum db_status st;
	if (read_committed &&
	    (st = db_query(db, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", NULL)) != DB_OK)
		return st;
	if ((st = db_query(db, "START TRANSACTION", NULL)) != DB_OK)
		return st;
	db->in_transaction = 1;
	return DB_OK;
}

enum db_status db_commit(struct db *db)
{
	enum db_status st = db->conn ? db_exec_noretry(db, "COMMIT", NULL) : DB_UNAVAILABLE;
	if (st == DB_OK)
		db->in_transaction = 0;
	return st;
}

void db_rollback(struct db *db)
{
	if (db->conn != NULL)
		db_exec_noretry(db, "ROLLBACK", NULL);
	db->in_transaction = 0;
}

void *collect_next(struct collected *c)
{
	if (c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 16;
		void *grown = realloc(c->rows, c->size * (size_t)cap);
		if (grown == NULL) {
			c->failed = 1;
			return NULL;
		}
		c->rows = grown;
		c->cap = cap;
	}
	void *row = (char *)c->rows + c->size * (size_t)c->n++;
	memset(row, 0, c->size);
	return row;
}

enum db_status collected_out(enum db_status st, struct collected *c, void **rows, int *n)
{
	if (st == DB_OK && c->failed)
		st = DB_ERROR;
	if (st != DB_OK) {
		free(c->rows);
		*rows = NULL;
		*n = 0;
		return st;
	}
	*rows = c->rows;
	*n = c->n;
	return DB_OK;
}
