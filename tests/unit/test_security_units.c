/* Unit tests of the small pure pieces the security hardening rests on:
 * address lists (lib/addrlist), log escaping (lib/log), what the ingest path
 * takes as text (ingest/text), the API's config keys (lib/config) and the
 * bearer token check (fcgi/auth). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "addrlist.h"
#include "auth.h"
#include "config.h"
#include "log.h"
#include "text.h"

static void test_addrlist_matches_prefixes(void **state)
{
	(void)state;
	const char *list = "127.0.0.0/8, ::1 10.1.2.0/23\t2001:db8::/32";
	assert_true(addrlist_contains(list, "127.0.0.1"));
	assert_true(addrlist_contains(list, "127.255.255.254"));
	assert_true(addrlist_contains(list, "::1"));
	assert_true(addrlist_contains(list, "10.1.3.200")); /* /23 covers .2 and .3 */
	assert_false(addrlist_contains(list, "10.1.4.1"));
	assert_true(addrlist_contains(list, "2001:db8:ffff::1"));
	assert_false(addrlist_contains(list, "2001:db9::1"));
	assert_false(addrlist_contains(list, "128.0.0.1"));
	/* A dual-stack listener's mapped address matches as IPv4. */
	assert_true(addrlist_contains(list, "::ffff:127.0.0.1"));
	assert_false(addrlist_contains(list, "::ffff:128.0.0.1"));
	/* A mapped prefix counts in IPv6 bits. */
	assert_true(addrlist_contains("::ffff:10.0.0.0/104", "10.9.8.7"));
	assert_true(addrlist_contains("::ffff:0:0/96", "192.0.2.1"));
	assert_false(addrlist_contains("::ffff:10.0.0.0/104", "11.0.0.1"));
	/* Not an address, or none: never inside. */
	assert_false(addrlist_contains(list, NULL));
	assert_false(addrlist_contains(list, ""));
	assert_false(addrlist_contains(list, "localhost"));
	assert_false(addrlist_contains(list, "127.0.0.1 "));
	assert_false(addrlist_contains("", "127.0.0.1"));
	assert_true(addrlist_contains("0.0.0.0/0", "203.0.113.9"));
	assert_true(addrlist_contains("203.0.113.9", "203.0.113.9"));
	assert_false(addrlist_contains("203.0.113.9", "203.0.113.8"));
}

static void test_addrlist_validation_names_the_entry(void **state)
{
	(void)state;
	char why[200];
	assert_int_equal(addrlist_validate("", why, sizeof why), 0);
	assert_int_equal(addrlist_validate(" 127.0.0.1 ,::1 ", why, sizeof why), 0);
	assert_int_equal(addrlist_validate("::ffff:0:0/96 10.0.0.0/0", why, sizeof why), 0);
	const char *bad[] = { "127.0.0.1/33", "::1/129", "10.0.0.0/", "10.0.0.0/8x", "10.0.0",
			      "localhost", "10.0.0.0/-1", "1.2.3.4/8/8", "10.0.0.0/+8", "10.0.0.0/08",
			      "::ffff:10.0.0.0/64" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char list[64];
		snprintf(list, sizeof list, "::1 %s", bad[i]);
		assert_int_equal(addrlist_validate(list, why, sizeof why), -1);
		assert_non_null(strstr(why, bad[i]));
	}
}

static void test_log_escape(void **state)
{
	(void)state;
	char out[64];
	assert_string_equal(log_escape("plain text", out, sizeof out), "plain text");
	assert_string_equal(log_escape("a\nb\r\x1b[31m\x7f", out, sizeof out), "a\\x0ab\\x0d\\x1b[31m\\x7f");
	/* A backslash is escaped too, so "\x0a" in the input cannot pass for an escape. */
	assert_string_equal(log_escape("\\x0a", out, sizeof out), "\\x5cx0a");
	assert_string_equal(log_escape("M\xc3\xa4rz", out, sizeof out), "M\xc3\xa4rz"); /* UTF-8 kept */
	/* Malformed UTF-8 and C1 controls (raw or encoded) are escaped byte by byte. */
	assert_string_equal(log_escape("a\xff\x9b" "b", out, sizeof out), "a\\xff\\x9bb");
	assert_string_equal(log_escape("\xc2\x9b[2J", out, sizeof out), "\\xc2\\x9b[2J");
	assert_string_equal(log_escape("x\xe2\x80\xae" "y", out, sizeof out), "x\\xe2\\x80\\xaey"); /* RLO */
	/* A character that does not fit whole is left out, not cut. */
	char four[4];
	assert_string_equal(log_escape("ab\xc3\xa4", four, sizeof four), "ab");
	/* Cut to fit, never in the middle of an escape. */
	char small[6];
	assert_string_equal(log_escape("ab\ncd", small, sizeof small), "ab");
	assert_string_equal(log_escape("abcdefgh", small, sizeof small), "abcde");
}

static void test_text_utf8(void **state)
{
	(void)state;
	assert_true(text_utf8_valid(""));
	assert_true(text_utf8_valid("M\xc3\xa4rz \xe2\x82\xac \xf0\x9f\x93\x88"));
	assert_true(text_utf8_valid("\xf4\x8f\xbf\xbf"));           /* U+10FFFF */
	assert_false(text_utf8_valid("\xc0\xaf"));                   /* overlong '/' */
	assert_false(text_utf8_valid("\xe0\x80\xaf"));               /* overlong, 3 bytes */
	assert_false(text_utf8_valid("\xf0\x80\x80\xaf"));           /* overlong, 4 bytes */
	assert_false(text_utf8_valid("\xed\xa0\x80"));               /* surrogate U+D800 */
	assert_false(text_utf8_valid("\xf4\x90\x80\x80"));           /* past U+10FFFF */
	assert_false(text_utf8_valid("\xf8\x88\x80\x80\x80"));       /* 5-byte form */
	assert_false(text_utf8_valid("ab\xc3"));                     /* cut at the end */
	assert_false(text_utf8_valid("\xe2\x82"));
	assert_false(text_utf8_valid("\x80"));                       /* lone continuation */
	assert_false(text_utf8_valid("\xff"));
	assert_true(text_utf8_valid("tab\there"));
}

static void test_text_printable(void **state)
{
	(void)state;
	assert_true(text_printable("report M\xc3\xa4rz.csv"));
	assert_false(text_printable("a\nb"));
	assert_false(text_printable("a\tb"));
	assert_false(text_printable("a\x1b[2Jb"));
	assert_false(text_printable("a\x7f"));
	assert_false(text_printable("a\xc2\x85"));  /* NEL, a C1 control */
	assert_true(text_printable("a\xc2\xa0"));   /* no-break space */
	assert_false(text_printable("invoice\xe2\x80\xae" "fdp.exe")); /* U+202E RLO */
	assert_false(text_printable("a\xe2\x81\xa6" "b"));             /* U+2066 isolate */
	assert_false(text_printable("a\xe2\x80\x8b" "b"));             /* zero-width space */
	assert_false(text_printable("a\xe2\x80\xa8" "b"));             /* line separator */
	assert_false(text_printable("\xef\xbb\xbfname"));           /* BOM */
	assert_false(text_printable("bad\xff"));
}

static struct mldash_config cfg;
static char err[1024];

static void test_api_keys(void **state)
{
	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.api.internal_allow, "127.0.0.0/8 ::1");
	assert_false(cfg.api.allow_unauthenticated_writes);
	assert_false(config_writes_open(&cfg)); /* no token and no opt-out: closed */
	assert_int_equal(config_apply_string(&cfg, "[api]\nallow_unauthenticated_writes = yes\n"
					     "internal_allow = 10.0.0.0/8\n", "t.conf", err, sizeof err), 0);
	assert_true(config_writes_open(&cfg));
	assert_string_equal(cfg.api.internal_allow, "10.0.0.0/8");
	/* A token closes writes again, whatever the opt-out says. */
	assert_int_equal(config_apply_string(&cfg, "[api]\ntoken = s3cret\n", "t.conf", err, sizeof err), 0);
	assert_false(config_writes_open(&cfg));

	assert_int_equal(config_apply_string(&cfg, "[api]\nallow_unauthenticated_writes = maybe\n",
					     "t.conf", err, sizeof err), -1);
	assert_string_equal(err, "t.conf:2: api.allow_unauthenticated_writes: expected true or false, got 'maybe'");
	assert_int_equal(config_apply_string(&cfg, "[api]\ninternal_allow = 10.0.0.0/40\n",
					     "t.conf", err, sizeof err), -1);
	assert_non_null(strstr(err, "api.internal_allow: '10.0.0.0/40' is not an IP address"));
}

static void test_token_file(void **state)
{
	(void)state;
	char path[] = "/tmp/mldash-token-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "tok-123 \n# ignored\n", 19), 19);
	close(fd);

	config_defaults(&cfg);
	snprintf(cfg.api.token_file, sizeof cfg.api.token_file, "%s", path);
	assert_int_equal(config_read_token_file(&cfg, err, sizeof err), 0);
	assert_string_equal(cfg.api.token, "tok-123");

	/* A token set in the file or environment wins over token_file. */
	snprintf(cfg.api.token, sizeof cfg.api.token, "direct");
	assert_int_equal(config_read_token_file(&cfg, err, sizeof err), 0);
	assert_string_equal(cfg.api.token, "direct");

	/* Empty first line, or missing file: an error naming the file. */
	FILE *f = fopen(path, "w");
	fputs("\nlater\n", f);
	fclose(f);
	cfg.api.token[0] = '\0';
	assert_int_equal(config_read_token_file(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "api.token_file"));
	assert_non_null(strstr(err, "first line is empty"));
	unlink(path);
	assert_int_equal(config_read_token_file(&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot open"));
}

/* The database password may hold spaces; its file is read the same way. */
static void test_password_file(void **state)
{
	(void)state;
	char path[] = "/tmp/mldash-password-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "pass word \r\nnext\n", 17), 17);
	close(fd);
	char out[CONFIG_STR_MAX];
	assert_int_equal(config_read_secret_file(path, "database.password_file", 1, out, sizeof out,
						 err, sizeof err), 0);
	assert_string_equal(out, "pass word ");
	/* As a token, the same line is refused for its space. */
	assert_int_equal(config_read_secret_file(path, "api.token_file", 0, out, sizeof out, err,
						 sizeof err), -1);
	assert_non_null(strstr(err, "space"));
	FILE *f = fopen(path, "w");
	fputs("tab\there\n", f);
	fclose(f);
	assert_int_equal(config_read_secret_file(path, "database.password_file", 1, out, sizeof out,
						 err, sizeof err), -1);
	assert_non_null(strstr(err, "database.password_file"));
	assert_non_null(strstr(err, "control character"));
	unlink(path);
	config_defaults(&cfg);
	assert_int_equal(config_apply_string(&cfg, "[database]\npassword_file = /etc/x\n", "t.conf",
					     err, sizeof err), 0);
	assert_string_equal(cfg.database.password_file, "/etc/x");
}

static size_t file_text(const char *path, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	size_t n = fread(out, 1, outlen - 1, f);
	fclose(f);
	out[n] = '\0';
	return n;
}

/* log_use_file: lines go to the file (errors to stderr too); after the file
 * is renamed away (logrotate), the next second's lines go to a new one. */
static void test_log_file_rotation(void **state)
{
	(void)state;
	char dir[] = "/tmp/mldash-log-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], rotated[64], text[4096];
	snprintf(path, sizeof path, "%s/mldash.log", dir);
	snprintf(rotated, sizeof rotated, "%s/mldash.log.1", dir);
	assert_int_equal(log_use_file("relative.log", err, sizeof err), -1);
	assert_non_null(strstr(err, "absolute"));
	assert_int_equal(log_use_file("/nonexistent-dir/x.log", err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot open"));

	assert_int_equal(log_use_file(path, err, sizeof err), 0);
	log_info("first line");
	assert_int_equal(rename(path, rotated), 0);
	log_info("still the old file"); /* within the second it was checked */
	sleep(1);
	log_info("after rotation");
	assert_int_equal(log_use_file("", err, sizeof err), 0);

	assert_true(file_text(rotated, text, sizeof text) > 0);
	assert_non_null(strstr(text, "first line"));
	assert_null(strstr(text, "after rotation"));
	assert_true(file_text(path, text, sizeof text) > 0);
	assert_non_null(strstr(text, "after rotation"));
	assert_null(strstr(text, "first line"));
	unlink(path);
	unlink(rotated);
	rmdir(dir);
}

static void test_auth_bearer(void **state)
{
	(void)state;
	assert_true(auth_bearer_ok("s3cret", "Bearer s3cret"));
	assert_true(auth_bearer_ok("s3cret", "bearer   s3cret"));
	assert_false(auth_bearer_ok("s3cret", "Bearer s3cre"));
	assert_false(auth_bearer_ok("s3cret", "Bearer s3cret "));
	assert_false(auth_bearer_ok("s3cret", "Basic s3cret"));
	assert_false(auth_bearer_ok("s3cret", NULL));
	assert_false(auth_bearer_ok("", "Bearer "));
	assert_false(auth_bearer_ok(NULL, "Bearer s3cret"));
}

/* Leaves the stack below the caller filled with equal bytes, so that the
 * next call's uninitialised locals are equal to each other. */
static __attribute__((noinline)) void stack_fill(void)
{
	volatile unsigned char pad[16384];
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = 0x5A;
}

/* A libcrypto that cannot make SHA-256 (here a library context whose only
 * provider is "null", as a broken FIPS configuration would leave it) lets
 * nobody in, the right token included. A check that ignored the failure
 * would compare whatever its stack held, say the digests of an earlier
 * request: stack_fill makes those equal, so that such a check lets a wrong
 * token in (at -O0 and under ASan; -O2 may reuse a slot of the arrays). A
 * check that stood in zeros for a digest it could not make fails here at
 * any level. */
static void test_auth_fails_closed_without_sha256(void **state)
{
	(void)state;
	OSSL_LIB_CTX *empty = OSSL_LIB_CTX_new();
	assert_non_null(empty);
	OSSL_PROVIDER *null_provider = OSSL_PROVIDER_load(empty, "null");
	assert_non_null(null_provider);
	OSSL_LIB_CTX *was = OSSL_LIB_CTX_set0_default(empty);
	stack_fill();
	int wrong = auth_bearer_ok("s3cret", "Bearer guess");
	stack_fill();
	int right = auth_bearer_ok("s3cret", "Bearer s3cret");
	OSSL_LIB_CTX_set0_default(was);
	OSSL_PROVIDER_unload(null_provider);
	OSSL_LIB_CTX_free(empty);
	assert_false(wrong);
	assert_false(right);
	assert_true(auth_bearer_ok("s3cret", "Bearer s3cret")); /* SHA-256 back: in again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addrlist_matches_prefixes),
		cmocka_unit_test(test_addrlist_validation_names_the_entry),
		cmocka_unit_test(test_log_escape),
		cmocka_unit_test(test_text_utf8),
		cmocka_unit_test(test_text_printable),
		cmocka_unit_test(test_api_keys),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_log_file_rotation),
		cmocka_unit_test(test_auth_bearer),
		cmocka_unit_test(test_auth_fails_closed_without_sha256),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
