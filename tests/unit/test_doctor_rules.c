/* Unit tests of lib/doctor_rules.c: SHOW GRANTS lines, a job's freshness
 * against its schedule, free-disk thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doctor_rules.h"
#include "utc_time.h"

static struct doctor_grants grants_of(const char *const *lines, const char *db)
{
	struct doctor_grants g;
	memset(&g, 0, sizeof g);
	for (; *lines; lines++)
		doctor_grants_add(&g, *lines, db);
	return g;
}

/* The devstack's application account: row rights, nothing more. */
static void grants_row_rights_only(void **state)
{
	(void)state;
	const char *lines[] = {
		"GRANT USAGE ON *.* TO `mldash`@`localhost` IDENTIFIED BY PASSWORD '*ABC'",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON `mldash`.* TO `mldash`@`localhost`", NULL,
	};
	struct doctor_grants g = grants_of(lines, "mldash");
	assert_int_equal(g.rows, DOCTOR_GRANT_ROWS);
	assert_string_equal(g.extra, "");
}

static void grants_all_is_more_than_rows(void **state)
{
	(void)state;
	const char *lines[] = { "GRANT ALL PRIVILEGES ON `mldash`.* TO `mldash_admin`@`localhost`", NULL };
	struct doctor_grants g = grants_of(lines, "mldash");
	assert_int_equal(g.rows, DOCTOR_GRANT_ROWS);
	assert_string_equal(g.extra, "ALL PRIVILEGES");
	const char *global[] = { "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION", NULL };
	g = grants_of(global, "mldash");
	assert_int_equal(g.rows, DOCTOR_GRANT_ROWS);
	assert_string_equal(g.extra, "ALL PRIVILEGES");
}

static void grants_extra_right_named(void **state)
{
	(void)state;
	const char *lines[] = { "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON `mldash`.* TO `x`@`%`", NULL };
	struct doctor_grants g = grants_of(lines, "mldash");
	assert_int_equal(g.rows, DOCTOR_GRANT_ROWS);
	assert_string_equal(g.extra, "CREATE");
}

/* Rights on another database, on one table or column, or a role do not count. */
static void grants_elsewhere_do_not_count(void **state)
{
	(void)state;
	const char *lines[] = {
		"GRANT SELECT, INSERT, UPDATE, DELETE ON `other`.* TO `mldash`@`localhost`",
		"GRANT SELECT ON `mldash`.`campaigns` TO `mldash`@`localhost`",
		"GRANT UPDATE (`name`) ON `mldash`.`campaigns` TO `mldash`@`localhost`",
		"GRANT `app_role` TO `mldash`@`localhost`",
		"GRANT INSERT ON `mldash`.* TO `mldash`@`localhost`", NULL,
	};
	struct doctor_grants g = grants_of(lines, "mldash");
	assert_int_equal(g.rows, DOCTOR_GRANT_INSERT);
	assert_string_equal(g.extra, "");
}

/* SHOW GRANTS escapes _ in database names; a column list is skipped. */
static void grants_escaped_name_and_columns(void **state)
{
	(void)state;
	const char *lines[] = {
		"GRANT SELECT, INSERT (`a`, `b`), UPDATE, DELETE ON `ml\\_dash`.* TO `u`@`h`", NULL,
	};
	struct doctor_grants g = grants_of(lines, "ml_dash");
	assert_int_equal(g.rows, DOCTOR_GRANT_ROWS);
	assert_string_equal(g.extra, "");
}

static void fresh_when_the_last_slot_has_its_run(void **state)
{
	(void)state;
	struct cron c;
	char err[128];
	assert_int_equal(cron_parse("0 * * * *", &c, err, sizeof err), 0);
	time_t due;
	/* 10:20: the 10:00 slot is due (20 min > 10 min grace) and ran at 10:00:03. */
	assert_int_equal(doctor_job_fresh(&c, utc("2026-03-02 10:20"), 600, utc("2026-03-02 10:00") + 3, &due),
			 DOCTOR_FRESH);
	assert_true(due == utc("2026-03-02 10:00"));
	/* 10:05: the 10:00 slot is inside the grace, so 09:00 counts. */
	assert_int_equal(doctor_job_fresh(&c, utc("2026-03-02 10:05"), 600, utc("2026-03-02 09:00"), &due),
			 DOCTOR_FRESH);
	assert_true(due == utc("2026-03-02 09:00"));
	/* A manual run after the slot counts too. */
	assert_int_equal(doctor_job_fresh(&c, utc("2026-03-02 10:20"), 600, utc("2026-03-02 10:15"), NULL),
			 DOCTOR_FRESH);
}

static void late_when_a_slot_was_missed(void **state)
{
	(void)state;
	struct cron c;
	char err[128];
	assert_int_equal(cron_parse("*/5 * * * *", &c, err, sizeof err), 0);
	time_t due;
	assert_int_equal(doctor_job_fresh(&c, utc("2026-03-02 10:20"), 600, utc("2026-03-02 09:55"), &due),
			 DOCTOR_LATE);
	assert_true(due == utc("2026-03-02 10:10"));
	assert_int_equal(doctor_job_fresh(&c, utc("2026-03-02 10:20"), 600, (time_t)-1, NULL),
			 DOCTOR_NO_RUNS);
}

/* A yearly slot is found beyond the short look back. */
static void yearly_schedule(void **state)
{
	(void)state;
	struct cron c;
	char err[128];
	assert_int_equal(cron_parse("0 0 1 1 *", &c, err, sizeof err), 0);
	time_t due;
	assert_int_equal(doctor_job_fresh(&c, utc("2026-11-28 08:00"), 600, utc("2025-12-31 23:00"), &due),
			 DOCTOR_LATE);
	assert_true(due == utc("2026-01-01 00:00"));
	assert_int_equal(doctor_job_fresh(&c, utc("2026-11-28 08:00"), 600, utc("2026-11-28 07:00"), NULL),
			 DOCTOR_FRESH);
}

static void disk_thresholds(void **state)
{
	(void)state;
	const unsigned long long mib = 1024ULL * 1024, gib = 1024 * mib;
	assert_int_equal(doctor_disk_level(50 * gib, 100 * gib), DOCTOR_OK);
	assert_int_equal(doctor_disk_level(9 * gib, 100 * gib), DOCTOR_WARN);      /* under 10 % */
	assert_int_equal(doctor_disk_level(1 * gib, 100 * gib), DOCTOR_FAIL);      /* under 2 % */
	assert_int_equal(doctor_disk_level(900 * mib, 2 * gib), DOCTOR_WARN);     /* under 1 GiB */
	assert_int_equal(doctor_disk_level(99 * mib, 200 * mib), DOCTOR_FAIL);    /* under 100 MiB */
	assert_int_equal(doctor_disk_level(2 * gib, 0), DOCTOR_OK);               /* total unknown */
	assert_string_equal(doctor_level_names[DOCTOR_FAIL], "FAIL");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grants_row_rights_only),
		cmocka_unit_test(grants_all_is_more_than_rows),
		cmocka_unit_test(grants_extra_right_named),
		cmocka_unit_test(grants_elsewhere_do_not_count),
		cmocka_unit_test(grants_escaped_name_and_columns),
		cmocka_unit_test(fresh_when_the_last_slot_has_its_run),
		cmocka_unit_test(late_when_a_slot_was_missed),
		cmocka_unit_test(yearly_schedule),
		cmocka_unit_test(disk_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
