/* progress: the status line's text and its throttle (lib/progress). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "progress.h"

static void test_count(void **state)
{
	(void)state;
	char s[48];
	progress_format_count(s, sizeof s, 0);
	assert_string_equal(s, "0");
	progress_format_count(s, sizeof s, 999);
	assert_string_equal(s, "999");
	progress_format_count(s, sizeof s, 1000);
	assert_string_equal(s, "1,000");
	progress_format_count(s, sizeof s, 1234567);
	assert_string_equal(s, "1,234,567");
	progress_format_count(s, sizeof s, 18446744073709551615ULL);
	assert_string_equal(s, "18,446,744,073,709,551,615");
}

static void test_bytes(void **state)
{
	(void)state;
	char s[32];
	progress_format_bytes(s, sizeof s, 512);
	assert_string_equal(s, "512 B");
	progress_format_bytes(s, sizeof s, 3100);
	assert_string_equal(s, "3.1 kB");
	progress_format_bytes(s, sizeof s, 118200000);
	assert_string_equal(s, "118.2 MB");
	progress_format_bytes(s, sizeof s, 999999);
	assert_string_equal(s, "1.0 MB"); /* not "1000.0 kB" */
	progress_format_bytes(s, sizeof s, 2000000000ULL);
	assert_string_equal(s, "2.0 GB");
}

static void test_format(void **state)
{
	(void)state;
	char s[160];
	struct progress_update u = { .phase = PROGRESS_ROWS, .name = "campaigns.csv", .rows = 1234567,
				     .bytes = 74466000, .size = 118200000 };
	progress_format(s, sizeof s, &u, 1234567 / 412000.0);
	assert_string_equal(s, "campaigns.csv: 1,234,567 rows, 412,000 rows/s, 63% of 118.2 MB");
	u.bytes = u.size;
	progress_format(s, sizeof s, &u, 2.0);
	assert_string_equal(s, "campaigns.csv: 1,234,567 rows, 617,284 rows/s, 100% of 118.2 MB");
	u.bytes = u.size + 10; /* a file that grew while read */
	progress_format(s, sizeof s, &u, 2.0);
	assert_string_equal(s, "campaigns.csv: 1,234,567 rows, 617,284 rows/s, 100% of 118.2 MB");
	u.bytes = u.size - 1; /* 100% only at the end */
	progress_format(s, sizeof s, &u, 2.0);
	assert_string_equal(s, "campaigns.csv: 1,234,567 rows, 617,284 rows/s, 99% of 118.2 MB");

	struct progress_update pipe = { .phase = PROGRESS_ROWS, .name = "-", .rows = 20000,
					.bytes = 3100000 };
	progress_format(s, sizeof s, &pipe, 0);
	assert_string_equal(s, "-: 20,000 rows, 0 rows/s, 3.1 MB read");

	struct progress_update step = { .phase = PROGRESS_STEP, .name = "ml sync: fitting series",
					.step = 3, .steps = 9 };
	progress_format(s, sizeof s, &step, 1);
	assert_string_equal(s, "ml sync: fitting series 3 of 9");
	step.steps = 0;
	step.name = "ml sync: writing";
	progress_format(s, sizeof s, &step, 1);
	assert_string_equal(s, "ml sync: writing");

	char small[10];
	assert_true(progress_format(small, sizeof small, &u, 1) >= (int)sizeof small);
	assert_string_equal(small, "campaigns");
}

/* Rows: nothing in the first interval, then at most one draw per interval;
 * the end draws the final counts and clears. */
static void test_rows_throttle(void **state)
{
	(void)state;
	struct progress_meter m;
	progress_meter_init(&m, 0.1);
	char s[160];
	struct progress_update u = { .phase = PROGRESS_ROWS, .name = "a.csv", .size = 1000 };
	assert_int_equal(progress_meter_update(&m, &u, 10.0, s, sizeof s), PROGRESS_SKIP);
	u.rows = 2000, u.bytes = 100;
	assert_int_equal(progress_meter_update(&m, &u, 10.05, s, sizeof s), PROGRESS_SKIP);
	u.rows = 4000, u.bytes = 200;
	assert_int_equal(progress_meter_update(&m, &u, 10.125, s, sizeof s), PROGRESS_DRAW);
	assert_string_equal(s, "a.csv: 4,000 rows, 32,000 rows/s, 20% of 1.0 kB");
	u.rows = 6000, u.bytes = 300;
	assert_int_equal(progress_meter_update(&m, &u, 10.15, s, sizeof s), PROGRESS_SKIP);
	assert_int_equal(progress_meter_update(&m, &u, 10.25, s, sizeof s), PROGRESS_DRAW);
	u.phase = PROGRESS_DONE, u.rows = 8000, u.bytes = 1000;
	assert_int_equal(progress_meter_update(&m, &u, 10.25, s, sizeof s), PROGRESS_FINISH);
	assert_string_equal(s, "a.csv: 8,000 rows, 32,000 rows/s, 100% of 1.0 kB");

	/* The next file starts afresh; a quick one shows nothing at all. */
	struct progress_update b = { .phase = PROGRESS_ROWS, .name = "b.csv", .size = 10 };
	assert_int_equal(progress_meter_update(&m, &b, 20.0, s, sizeof s), PROGRESS_SKIP);
	b.phase = PROGRESS_DONE, b.rows = 3, b.bytes = 10;
	assert_int_equal(progress_meter_update(&m, &b, 20.05, s, sizeof s), PROGRESS_SKIP);
	assert_string_equal(s, "");
}

/* Steps: a new step shows at once; the same step's count is throttled; the
 * end clears. */
static void test_steps(void **state)
{
	(void)state;
	struct progress_meter m;
	progress_meter_init(&m, 0.1);
	char s[160];
	struct progress_update u = { .phase = PROGRESS_STEP, .name = "ml sync: reading" };
	assert_int_equal(progress_meter_update(&m, &u, 5.0, s, sizeof s), PROGRESS_DRAW);
	assert_string_equal(s, "ml sync: reading");
	u.name = "ml sync: fitting series", u.step = 1, u.steps = 3;
	assert_int_equal(progress_meter_update(&m, &u, 5.01, s, sizeof s), PROGRESS_DRAW);
	assert_string_equal(s, "ml sync: fitting series 1 of 3");
	u.step = 2;
	assert_int_equal(progress_meter_update(&m, &u, 5.02, s, sizeof s), PROGRESS_SKIP);
	u.step = 3;
	assert_int_equal(progress_meter_update(&m, &u, 5.2, s, sizeof s), PROGRESS_DRAW);
	assert_string_equal(s, "ml sync: fitting series 3 of 3");
	u.name = "ml sync: writing", u.step = u.steps = 0;
	assert_int_equal(progress_meter_update(&m, &u, 5.21, s, sizeof s), PROGRESS_DRAW);
	struct progress_update done = { .phase = PROGRESS_DONE };
	assert_int_equal(progress_meter_update(&m, &done, 5.3, s, sizeof s), PROGRESS_CLEAR);
	/* The same job again draws its first step again. */
	u.name = "ml sync: reading";
	assert_int_equal(progress_meter_update(&m, &u, 6.0, s, sizeof s), PROGRESS_DRAW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_rows_throttle),
		cmocka_unit_test(test_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
