/*
 * Regression test for "importer.c returns without rewinding when hashing
 * fails": import_fp hashes a seekable file before importing it (to find an
 * earlier import without parsing). A read error while hashing left the
 * stream wherever it stopped and the import went on from there; a stream
 * that cannot seek was hashed to its end and then imported as empty.
 *
 * Each failure now ends before the database is touched (the handle here
 * points at no server and must stay unconnected), and a stream that cannot
 * seek is not hashed ahead at all.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "config.h"
#include "db.h"
#include "importer.h"

static const char csv[] =
	"Date,Campaign,Channel,Spend,Impressions,Clicks,Conversions,Revenue\n"
	"2025-01-01,Spring,search,10.00,1000,10,1,20.00\n"
	"2025-01-02,Spring,search,11.00,1100,11,1,22.00\n";

/* A file in memory whose reads and seeks can be made to fail. */
struct fake_file {
	size_t pos;
	size_t fail_read_at; /* a read at or past this offset fails (EIO) */
	int seekable;        /* 0: like a pipe */
	int refuse_rewind;   /* SEEK_SET fails (EIO); SEEK_CUR still tells */
	size_t bytes_read;
};

static ssize_t fake_read(void *cookie, char *buf, size_t size)
{
	struct fake_file *f = cookie;
	if (f->pos >= f->fail_read_at) {
		errno = EIO;
		return -1;
	}
	size_t left = sizeof csv - 1 - f->pos, n = size < left ? size : left;
	if (f->pos + n > f->fail_read_at)
		n = f->fail_read_at - f->pos;
	memcpy(buf, csv + f->pos, n);
	f->pos += n;
	f->bytes_read += n;
	return (ssize_t)n;
}

static int fake_seek(void *cookie, off64_t *offset, int whence)
{
	struct fake_file *f = cookie;
	if (!f->seekable) {
		errno = ESPIPE;
		return -1;
	}
	off64_t to = whence == SEEK_SET ? *offset : whence == SEEK_CUR ? (off64_t)f->pos + *offset
						 : (off64_t)(sizeof csv - 1) + *offset;
	if (whence == SEEK_SET && f->refuse_rewind) {
		errno = EIO;
		return -1;
	}
	f->pos = (size_t)to;
	*offset = to;
	return 0;
}

static FILE *fake_open(struct fake_file *f)
{
	cookie_io_functions_t io = { .read = fake_read, .seek = fake_seek };
	FILE *fp = fopencookie(f, "r", io);
	assert_non_null(fp);
	return fp;
}

/* A handle on a server that is not there: connecting fails at once. */
static struct mldash_config cfg;

static struct db *no_server(void)
{
	config_defaults(&cfg);
	snprintf(cfg.database.host, sizeof cfg.database.host, "localhost");
	snprintf(cfg.database.socket, sizeof cfg.database.socket, "/nonexistent/mldash-test.sock");
	cfg.database.connect_timeout = 1;
	struct db *db = db_new(&cfg);
	assert_non_null(db);
	return db;
}

static void test_read_error_while_hashing(void **state)
{
	(void)state;
	struct fake_file file = { .fail_read_at = 60, .seekable = 1 };
	FILE *fp = fake_open(&file);
	struct db *db = no_server();
	struct import_report report;
	enum import_status st = import_fp(db, "broken.csv", fp, NULL, &report);
	assert_int_equal(st, IMPORT_FAILED);
	assert_int_equal(report.status, IMPORT_FAILED);
	/* A read error, not a database one: the spool keeps the file, HTTP
	 * does not answer 503. */
	assert_int_equal(report.db_status, DB_OK);
	assert_int_equal(report.db_errno, 0);
	assert_non_null(strstr(report.message, "broken.csv: reading: "));
	assert_non_null(strstr(report.message, strerror(EIO)));
	/* Nothing was imported from the middle of the file. */
	assert_int_equal(report.rows_ok, 0);
	assert_false(db_connected(db));
	import_report_free(&report);
	db_free(db);
	fclose(fp);
}

static void test_stream_not_put_back(void **state)
{
	(void)state;
	struct fake_file file = { .fail_read_at = (size_t)-1, .seekable = 1, .refuse_rewind = 1 };
	FILE *fp = fake_open(&file);
	struct db *db = no_server();
	struct import_report report;
	assert_int_equal(import_fp(db, "once.csv", fp, NULL, &report), IMPORT_FAILED);
	assert_int_equal(report.db_status, DB_OK);
	assert_non_null(strstr(report.message, "once.csv: cannot read it again after hashing"));
	assert_int_equal(file.bytes_read, sizeof csv - 1);
	assert_false(db_connected(db));
	import_report_free(&report);
	db_free(db);
	fclose(fp);
}

static void test_pipe_is_not_hashed_ahead(void **state)
{
	(void)state;
	struct fake_file file = { .fail_read_at = (size_t)-1, .seekable = 0 };
	FILE *fp = fake_open(&file);
	struct db *db = no_server();
	struct import_report report;
	/* Straight to the import, which finds no server before reading. */
	assert_int_equal(import_fp(db, "pipe.csv", fp, NULL, &report), IMPORT_FAILED);
	assert_int_equal(report.db_status, DB_UNAVAILABLE);
	assert_int_equal(file.bytes_read, 0);
	import_report_free(&report);
	db_free(db);
	fclose(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_error_while_hashing),
		cmocka_unit_test(test_stream_not_put_back),
		cmocka_unit_test(test_pipe_is_not_hashed_ahead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
