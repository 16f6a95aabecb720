/* Unit tests of lib/config.c: defaults, INI parsing, errors, environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static struct mldash_config cfg;
static char err[1024];

static int reset(void **state)
{
	(void)state;
	config_defaults(&cfg);
	err[0] = '\0';
	unsetenv("MLDASH_CONFIG");
	unsetenv("MLDASH_DATABASE_PORT");
	unsetenv("MLDASH_DATABASE_USER");
	unsetenv("MLDASH_LOG_LEVEL");
	return 0;
}

static void test_defaults(void **state)
{
	(void)state;
	assert_string_equal(cfg.database.host, "localhost");
	assert_int_equal(cfg.database.port, 3306);
	assert_string_equal(cfg.database.name, "mldash");
	assert_int_equal(cfg.log.level, LOG_LEVEL_INFO);
	assert_string_equal(cfg.api.cors_origins, "");
}

static void test_valid_file_sets_every_kind_of_key(void **state)
{
	(void)state;
	const char *ini = "; comment\n"
			  "[database]\n"
			  "host = db.example\n"
			  "port = 3307\n"
			  "socket = /run/mysqld/mysqld.sock\n"
			  "connect_timeout = 7\n"
			  "[log]\n"
			  "level = debug\n"
			  "[api]\n"
			  "cors_origins = https://a.example https://b.example\n";
	assert_int_equal(config_apply_string(&cfg, ini, "t.conf", err, sizeof err), 0);
	assert_string_equal(cfg.database.host, "db.example");
	assert_int_equal(cfg.database.port, 3307);
	assert_string_equal(cfg.database.socket, "/run/mysqld/mysqld.sock");
	assert_int_equal(cfg.database.connect_timeout, 7);
	assert_int_equal(cfg.log.level, LOG_LEVEL_DEBUG);
}

static void test_unknown_key_names_file_line_and_key(void **state)
{
	(void)state;
	const char *ini = "[database]\nhost = x\nhots = y\n";
	assert_int_equal(config_apply_string(&cfg, ini, "t.conf", err, sizeof err), -1);
	assert_string_equal(err, "t.conf:3: database.hots: unknown key");
}

static void test_unknown_section(void **state)
{
	(void)state;
	assert_int_equal(config_apply_string(&cfg, "[databse]\nhost = x\n", "t.conf", err,
					     sizeof err), -1);
	assert_string_equal(err, "t.conf:2: databse.host: unknown key");
}

static void test_key_outside_section(void **state)
{
	(void)state;
	assert_int_equal(config_apply_string(&cfg, "port = 1\n", "t.conf", err, sizeof err), -1);
	assert_string_equal(err, "t.conf:1: port: unknown key");
}

static void test_bad_integer(void **state)
{
	(void)state;
	const char *ini = "[database]\nport = 33o6\n";
	assert_int_equal(config_apply_string(&cfg, ini, "t.conf", err, sizeof err), -1);
	assert_string_equal(err,
		"t.conf:2: database.port: expected an integer from 1 to 65535, got '33o6'");
	assert_int_equal(cfg.database.port, 3306); /* untouched */
}

static void test_integer_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(config_apply_string(&cfg, "[database]\nport = 70000\n", "t.conf", err,
					     sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:2: database.port: expected an integer"));
	assert_int_equal(config_apply_string(&cfg, "[database]\nport =\n", "t.conf", err,
					     sizeof err), -1);
	assert_non_null(strstr(err, "got ''"));
}

static void test_bad_log_level(void **state)
{
	(void)state;
	assert_int_equal(config_apply_string(&cfg, "[log]\nlevel = loud\n", "t.conf", err,
					     sizeof err), -1);
	assert_string_equal(err,
		"t.conf:2: log.level: expected debug, info, warn or error, got 'loud'");
}

static void test_too_long_line(void **state)
{
	(void)state;
	char ini[600];
	snprintf(ini, sizeof ini, "[database]\nuser = %0300d\n", 1);
	assert_int_equal(config_apply_string(&cfg, ini, "t.conf", err, sizeof err), -1);
	assert_string_equal(err, "t.conf:2: line longer than 197 characters");
	assert_string_equal(cfg.database.user, "mldash");
}

static void test_too_long_value_from_environment(void **state)
{
	(void)state;
	char value[400];
	memset(value, 'x', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	setenv("MLDASH_DATABASE_USER", value, 1);
	assert_int_equal(config_apply_env(&cfg, err, sizeof err), -1);
	assert_string_equal(err, "environment MLDASH_DATABASE_USER: database.user: "
				 "value is too long (at most 255 bytes)");
}

static void test_syntax_error(void **state)
{
	(void)state;
	assert_int_equal(config_apply_string(&cfg, "[database]\nthis line has no equals\n",
					     "t.conf", err, sizeof err), -1);
	assert_string_equal(err,
		"t.conf:2: syntax error (expected '[section]' or 'key = value')");
}

static void test_first_error_is_reported(void **state)
{
	(void)state;
	assert_int_equal(config_apply_string(&cfg, "[database]\nport = x\nbogus = 1\n", "t.conf",
					     err, sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:2: database.port"));
}

static void test_env_overrides_file(void **state)
{
	(void)state;
	setenv("MLDASH_DATABASE_PORT", "4000", 1);
	setenv("MLDASH_DATABASE_USER", "admin", 1);
	assert_int_equal(config_apply_string(&cfg, "[database]\nport = 3307\n", "t.conf", err,
					     sizeof err), 0);
	assert_int_equal(config_apply_env(&cfg, err, sizeof err), 0);
	assert_int_equal(cfg.database.port, 4000);
	assert_string_equal(cfg.database.user, "admin");
}

static void test_bad_env_value_names_variable(void **state)
{
	(void)state;
	setenv("MLDASH_LOG_LEVEL", "chatty", 1);
	assert_int_equal(config_apply_env(&cfg, err, sizeof err), -1);
	assert_string_equal(err, "environment MLDASH_LOG_LEVEL: log.level: "
				 "expected debug, info, warn or error, got 'chatty'");
}

static void test_load_explicit_missing_file(void **state)
{
	(void)state;
	assert_int_equal(config_load(&cfg, "/nonexistent/mldash.conf", err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/mldash.conf: cannot open: No such file or directory");
}

static void test_load_from_environment_path(void **state)
{
	(void)state;
	char path[] = "/tmp/mldash-config-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "[database]\nname = other\n\n[log]\nlevel = warn\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);

	setenv("MLDASH_CONFIG", path, 1);
	int rc = config_load(&cfg, NULL, err, sizeof err);
	unlink(path);
	assert_int_equal(rc, 0);
	assert_string_equal(cfg.source, path);
	assert_string_equal(cfg.database.name, "other");
	assert_int_equal(cfg.log.level, LOG_LEVEL_WARN);
}

static void test_load_reports_bad_line_of_real_file(void **state)
{
	(void)state;
	char path[] = "/tmp/mldash-config-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "[database]\nname = ok\n\n[database]\nread_timeout = 0\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);

	int rc = config_load(&cfg, path, err, sizeof err);
	unlink(path);
	assert_int_equal(rc, -1);
	char expected[256];
	snprintf(expected, sizeof expected,
		 "%s:5: database.read_timeout: expected an integer from 1 to 3600, got '0'", path);
	assert_string_equal(err, expected);
}

static void test_cors_origins(void **state)
{
	(void)state;
	assert_false(config_origin_allowed(&cfg, "https://a.example"));
	snprintf(cfg.api.cors_origins, sizeof cfg.api.cors_origins,
		 "https://a.example, https://b.example");
	assert_true(config_origin_allowed(&cfg, "https://a.example"));
	assert_true(config_origin_allowed(&cfg, "https://b.example"));
	assert_false(config_origin_allowed(&cfg, "https://a.example.evil"));
	assert_false(config_origin_allowed(&cfg, "https://a.exampl"));
	assert_false(config_origin_allowed(&cfg, ""));
	snprintf(cfg.api.cors_origins, sizeof cfg.api.cors_origins, "*");
	assert_true(config_origin_allowed(&cfg, "https://any.example"));
	/* Even with "*", only what can be an origin is echoed in a header:
	 * visible ASCII of a sane length (a 1.9 kB one once overflowed the
	 * header block, and the answer to a write was lost). */
	char long_origin[400];
	memset(long_origin, 'a', sizeof long_origin - 1);
	long_origin[sizeof long_origin - 1] = '\0';
	memcpy(long_origin, "https://", 8);
	assert_false(config_origin_allowed(&cfg, long_origin));
	assert_false(config_origin_allowed(&cfg, "https://a.example\tx"));
	assert_false(config_origin_allowed(&cfg, "https://\xc3\xa9.example"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, reset),
		cmocka_unit_test_setup(test_valid_file_sets_every_kind_of_key, reset),
		cmocka_unit_test_setup(test_unknown_key_names_file_line_and_key, reset),
		cmocka_unit_test_setup(test_unknown_section, reset),
		cmocka_unit_test_setup(test_key_outside_section, reset),
		cmocka_unit_test_setup(test_bad_integer, reset),
		cmocka_unit_test_setup(test_integer_out_of_range, reset),
		cmocka_unit_test_setup(test_bad_log_level, reset),
		cmocka_unit_test_setup(test_too_long_line, reset),
		cmocka_unit_test_setup(test_too_long_value_from_environment, reset),
		cmocka_unit_test_setup(test_syntax_error, reset),
		cmocka_unit_test_setup(test_first_error_is_reported, reset),
		cmocka_unit_test_setup(test_env_overrides_file, reset),
		cmocka_unit_test_setup(test_bad_env_value_names_variable, reset),
		cmocka_unit_test_setup(test_load_explicit_missing_file, reset),
		cmocka_unit_test_setup(test_load_from_environment_path, reset),
		cmocka_unit_test_setup(test_load_reports_bad_line_of_real_file, reset),
		cmocka_unit_test_setup(test_cors_origins, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
