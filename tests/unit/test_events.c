/* Unit tests of the event calendar: models/events.c (the built-in rules
 * and dates, calendar files, per-event-day effects through
 * models/forecast.c) and sync/calendar.c (which files the configuration
 * picks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "config.h"
#include "events.h"
#include "forecast.h"
#include "xorshift.h"

static long day_number(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The event on y-m-d in cal, by name ("" for none), and its day index. */
static const char *on(const struct event_calendar *cal, int y, int m, int d, int *index)
{
	int j = -1, e = event_calendar_on(cal, day_number(y, m, d), &j);
	if (index)
		*index = j;
	return e < 0 ? "" : event_calendar_name(cal, e);
}

/* The built-in rules over several years, and Prime Day's table. */
static void test_builtin_dates(void **state)
{
	(void)state;
	const struct event_calendar *cal = event_calendar_builtin();
	int j;
	assert_string_equal(on(cal, 2023, 11, 24, NULL), "black_friday");
	assert_string_equal(on(cal, 2024, 11, 29, NULL), "black_friday");
	assert_string_equal(on(cal, 2025, 11, 28, NULL), "black_friday");
	assert_string_equal(on(cal, 2030, 11, 29, NULL), "black_friday");
	assert_string_equal(on(cal, 2023, 11, 27, NULL), "cyber_monday");
	assert_string_equal(on(cal, 2024, 12, 2, NULL), "cyber_monday");
	assert_string_equal(on(cal, 2025, 12, 1, NULL), "cyber_monday");
	assert_string_equal(on(cal, 2024, 5, 12, NULL), "mothers_day");
	assert_string_equal(on(cal, 2025, 5, 11, NULL), "mothers_day");
	assert_string_equal(on(cal, 2023, 5, 14, NULL), "mothers_day");
	assert_string_equal(on(cal, 2024, 2, 14, NULL), "valentines_day");
	assert_string_equal(on(cal, 2026, 1, 1, NULL), "new_year");
	assert_string_equal(on(cal, 2025, 12, 25, NULL), "christmas");
	assert_string_equal(on(cal, 2025, 12, 26, NULL), "boxing_day");
	assert_string_equal(on(cal, 2024, 7, 16, &j), "prime_day");
	assert_int_equal(j, 0);
	assert_string_equal(on(cal, 2024, 7, 17, &j), "prime_day");
	assert_int_equal(j, 1);
	assert_string_equal(on(cal, 2024, 7, 18, NULL), "");
	assert_string_equal(on(cal, 2024, 7, 15, NULL), "");
	assert_string_equal(on(cal, 2025, 7, 11, &j), "prime_day");
	assert_int_equal(j, 3);
	assert_string_equal(on(cal, 2020, 10, 13, NULL), "prime_day");
	assert_string_equal(on(cal, 2015, 7, 15, NULL), "prime_day");
	assert_string_equal(on(cal, 2026, 7, 14, NULL), ""); /* no rule: from files */
	assert_string_equal(on(cal, 2025, 11, 21, NULL), "");
	assert_string_equal(on(cal, 2025, 5, 4, NULL), "");
	/* The enum names the built-in's order; event_on is the built-in's. */
	assert_int_equal(event_calendar_count(cal), EVENT__MAX);
	for (int e = 0; e < EVENT__MAX; e++)
		assert_string_equal(event_calendar_name(cal, e), event_names[e]);
	assert_int_equal(event_on(day_number(2024, 11, 29)), EVENT_BLACK_FRIDAY);
	assert_int_equal(event_on(day_number(2024, 7, 16)), EVENT_PRIME_DAY);
	assert_int_equal(event_calendar_on(NULL, day_number(2024, 12, 25), NULL), EVENT_CHRISTMAS);
}

static int apply(struct event_calendar *cal, const char *text, char *err, size_t errlen)
{
	return event_calendar_apply_text(cal, text, strlen(text), "test.csv", err, errlen);
}

/* A good file: comments, blank lines, spaces, CRLF; each kind of line. */
static void test_file_good(void **state)
{
	(void)state;
	struct event_calendar *cal = event_calendar_new();
	assert_non_null(cal);
	char err[256] = "";
	const char *text = "# Prime Day 2026 and our own events\r\n"
			   "\r\n"
			   "date, prime_day, 2026-07-14, 2026-07-15\r\n"
			   "   # an indented comment\n"
			   "yearly,singles_day,11-11,3\n"
			   "nth,memorial_day,-1,mon,5\n"
			   "nth,labor_day_weekend,1,mon,9,-2,3\n"
			   "date,launch,2026-03-03";
	assert_int_equal(apply(cal, text, err, sizeof err), 0);
	int j;
	assert_string_equal(on(cal, 2026, 7, 14, &j), "prime_day");
	assert_int_equal(j, 0);
	assert_string_equal(on(cal, 2026, 7, 15, &j), "prime_day");
	assert_int_equal(j, 1);
	assert_string_equal(on(cal, 2026, 7, 16, NULL), "");
	assert_string_equal(on(cal, 2024, 7, 16, NULL), "prime_day"); /* the built-in dates stay */
	assert_string_equal(on(cal, 2027, 11, 13, &j), "singles_day");
	assert_int_equal(j, 2);
	assert_string_equal(on(cal, 2027, 11, 14, NULL), "");
	assert_string_equal(on(cal, 2024, 5, 27, NULL), "memorial_day");
	assert_string_equal(on(cal, 2025, 5, 26, NULL), "memorial_day");
	/* Labor Day 2025 is Monday 1 September: Saturday to Monday. */
	assert_string_equal(on(cal, 2025, 8, 30, &j), "labor_day_weekend");
	assert_int_equal(j, 0);
	assert_string_equal(on(cal, 2025, 9, 1, &j), "labor_day_weekend");
	assert_int_equal(j, 2);
	assert_string_equal(on(cal, 2026, 3, 3, NULL), "launch");
	assert_int_equal(event_calendar_count(cal), EVENT__MAX + 4);
	assert_int_equal(event_calendar_find(cal, "launch"), EVENT__MAX + 3);
	/* A rule line replaces the event's rule. */
	assert_int_equal(event_calendar_apply_line(cal, "nth,mothers_day,3,sun,5", err, sizeof err), 0);
	assert_string_equal(on(cal, 2024, 5, 19, NULL), "mothers_day");
	assert_string_equal(on(cal, 2024, 5, 12, NULL), "");
	/* A rule whose occurrence may start the year before: the Thursday and
	 * Friday before the first Monday of January. 2025: 2-3 January; 2024's
	 * first Monday is 1 January, so 28-29 December 2023. */
	assert_int_equal(event_calendar_apply_line(cal, "nth,sale,1,mon,1,-4,2", err, sizeof err), 0);
	assert_string_equal(on(cal, 2025, 1, 2, &j), "sale");
	assert_int_equal(j, 0);
	assert_string_equal(on(cal, 2025, 1, 3, &j), "sale");
	assert_int_equal(j, 1);
	assert_string_equal(on(cal, 2023, 12, 28, &j), "sale");
	assert_int_equal(j, 0);
	assert_string_equal(on(cal, 2023, 12, 29, NULL), "sale");
	assert_string_equal(on(cal, 2023, 12, 30, NULL), "");
	event_calendar_free(cal);
}

/* event_calendar_span is event_calendar_on day by day, on spans of every
 * length and start: overlapping events (the first defined keeps a day,
 * a dated occurrence of an earlier event takes it back), occurrences that
 * start the year before, 29 February, the built-in table's Prime Days. */
static void test_span_matches_each_day(void **state)
{
	(void)state;
	struct event_calendar *cal = event_calendar_new();
	assert_non_null(cal);
	char err[256] = "";
	const char *text = "yearly,holidays,12-20,14\n"
			   "nth,sale,1,mon,1,-4,2\n"
			   "yearly,leap,02-29\n"
			   "date,flash,2025-11-27,2025-12-03\n"
			   "date,black_friday,2026-11-26,2026-11-29\n"
			   "date,new_year,2027-12-30,2028-01-02\n";
	assert_int_equal(apply(cal, text, err, sizeof err), 0);
	const struct event_calendar *cals[2] = { NULL, cal };
	enum { MAX_SPAN = 1200 };
	static int event[MAX_SPAN], index[MAX_SPAN];
	long from = day_number(2018, 1, 1), to = day_number(2032, 1, 1);
	uint64_t saved = rng_state; /* the later tests' simulated series stay as they were */
	for (int c = 0; c < 2; c++) {
		for (int trial = 0; trial < 300; trial++) {
			size_t n = trial == 0 ? 0 : (size_t)(uniform() * MAX_SPAN);
			long first = from + (long)(uniform() * (double)(to - from - MAX_SPAN));
			event_calendar_span(cals[c], first, n, event, index);
			for (size_t t = 0; t < n; t++) {
				int j = 0, e = event_calendar_on(cals[c], first + (long)t, &j);
				assert_int_equal(event[t], e);
				assert_int_equal(index[t], e >= 0 ? j : 0);
			}
		}
	}
	rng_state = saved;
	/* The overlaps resolved as event_calendar_on resolves them. */
	int j;
	assert_string_equal(on(cal, 2025, 12, 25, NULL), "christmas");
	assert_string_equal(on(cal, 2025, 12, 24, &j), "holidays");
	assert_int_equal(j, 4);
	assert_string_equal(on(cal, 2025, 11, 28, NULL), "black_friday");
	assert_string_equal(on(cal, 2025, 11, 29, &j), "flash");
	assert_int_equal(j, 2);
	assert_string_equal(on(cal, 2026, 11, 26, &j), "black_friday");
	assert_int_equal(j, 0);
	assert_string_equal(on(cal, 2027, 12, 30, &j), "new_year");
	assert_int_equal(j, 0);
	event_calendar_free(cal);
}

/* Bad lines: each error names the file and the line, and says what. */
static void test_file_errors(void **state)
{
	(void)state;
	static const struct { const char *text, *error; } cases[] = {
		{ "# ok\ndate,prime_day,2026-07-14\ndate,prime_day,2026-02-30\n",
		  "test.csv:3: bad date '2026-02-30' (expected YYYY-MM-DD)" },
		{ "\n\nholiday,xmas,12-25\n",
		  "test.csv:3: unknown keyword 'holiday' (expected date, yearly, nth or disable)" },
		{ "date,prime_day,14/07/2026\n", "test.csv:1: bad date '14/07/2026' (expected YYYY-MM-DD)" },
		{ "date,Prime Day,2026-07-14\n", "test.csv:1: bad event name 'Prime Day' (1-31 of a-z, 0-9, _)" },
		{ "date,prime_day\n",
		  "test.csv:1: date takes 3 to 4 fields (date,NAME,YYYY-MM-DD[,YYYY-MM-DD]), got 2" },
		{ "date,sale,2026-07-15,2026-07-14\n",
		  "test.csv:1: the last day must be on or after the first, and at most 14 days in all" },
		{ "date,sale,2026-07-01,2026-07-31\n",
		  "test.csv:1: the last day must be on or after the first, and at most 14 days in all" },
		{ "yearly,sale,13-01\n", "test.csv:1: bad day '13-01' (expected MM-DD)" },
		{ "yearly,sale,02-30\n", "test.csv:1: bad day '02-30' (expected MM-DD)" },
		{ "nth,sale,0,mon,5\n", "test.csv:1: bad N '0' (1-5, or -1 for the last)" },
		{ "nth,sale,2,monday,5\n",
		  "test.csv:1: bad weekday 'monday' (mon, tue, wed, thu, fri, sat or sun)" },
		{ "nth,sale,2,mon,5,1,99\n", "test.csv:1: bad length '99' (days, 1-14)" },
		{ "disable,no_such_event\n", "test.csv:1: disable: no event named 'no_such_event' so far" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct event_calendar *cal = event_calendar_new();
		assert_non_null(cal);
		char err[256] = "";
		assert_int_equal(apply(cal, cases[i].text, err, sizeof err), -1);
		assert_string_equal(err, cases[i].error);
		event_calendar_free(cal);
	}
	/* A line too long, and one line applied alone leaves the calendar as it was. */
	struct event_calendar *cal = event_calendar_new();
	char line[400], err[256];
	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	assert_int_equal(apply(cal, line, err, sizeof err), -1);
	assert_string_equal(err, "test.csv:1: line too long (at most 255 characters)");
	assert_int_equal(event_calendar_apply_line(cal, "date,x,2026-01-40", err, sizeof err), -1);
	assert_int_equal(event_calendar_count(cal), EVENT__MAX);
	event_calendar_free(cal);
}

/* disable drops a default event (a non-US account and Mother's Day) and
 * the dates it had; the event may be defined again afterwards. */
static void test_disable(void **state)
{
	(void)state;
	struct event_calendar *cal = event_calendar_new();
	char err[256];
	assert_int_equal(apply(cal, "disable,mothers_day\ndisable,prime_day\n", err, sizeof err), 0);
	assert_string_equal(on(cal, 2024, 5, 12, NULL), "");
	assert_string_equal(on(cal, 2024, 7, 16, NULL), "");
	assert_string_equal(on(cal, 2024, 11, 29, NULL), "black_friday");
	/* UK Mothering Sunday 2026 (Lent's fourth Sunday) as a dated event. */
	assert_int_equal(apply(cal, "date,mothers_day,2026-03-15\n", err, sizeof err), 0);
	assert_string_equal(on(cal, 2026, 3, 15, NULL), "mothers_day");
	assert_string_equal(on(cal, 2026, 5, 10, NULL), "");
	/* The built-in calendar itself is untouched. */
	assert_string_equal(on(event_calendar_builtin(), 2024, 5, 12, NULL), "mothers_day");
	event_calendar_free(cal);
}

/*
 * A series whose Prime Day 2025 (4 days, from the built-in table) sold
 * 2.2, 1.8, 1.6 and 1.5 times a normal day: with Prime Day 2026 from a
 * calendar file, its two days are forecast with the first days' uplifts
 * (the first above the second: per event day); without the file, or
 * without a prior Prime Day in the history, no uplift.
 */
static void test_prime_day_uplift(void **state)
{
	(void)state;
	enum { H = 28 };
	static const double uplift[4] = { 2.2, 1.8, 1.6, 1.5 };
	const long start = day_number(2025, 5, 1), end = day_number(2026, 6, 30);
	const size_t n = (size_t)(end - start + 1);
	double *y = malloc(n * sizeof *y), mean[H], lo[H], hi[H];
	assert_non_null(y);
	for (size_t t = 0; t < n; t++) {
		int j, e = event_calendar_on(NULL, start + (long)t, &j);
		y[t] = 1000 * (1 + 0.03 * gaussian()) * (e == EVENT_PRIME_DAY ? uplift[j] : 1);
	}
	struct event_calendar *cal = event_calendar_new();
	char err[256];
	assert_int_equal(apply(cal, "date,prime_day,2026-07-14,2026-07-15\n", err, sizeof err), 0);
	struct forecast_options opt;
	forecast_options_default(&opt);
	opt.nonnegative = 1;
	opt.first_day = start;
	opt.calendar = cal;
	const double level = 0.8;
	struct forecast_info info;
	enum ets_status st;
	assert_int_equal(forecast_series(y, n, &opt, H, &level, 1, mean, lo, hi, &info, &st), 0);
	int h0 = (int)(day_number(2026, 7, 14) - (end + 1));
	double week_before = mean[h0 - 7], day0 = mean[h0], day1 = mean[h0 + 1];
	print_message("Prime Day 2026 forecast %.0f and %.0f, a week before %.0f (%d event days)\n",
		      day0, day1, week_before, info.event_days);
	assert_true(day0 > 1.9 * week_before && day0 < 2.5 * week_before);
	assert_true(day1 > 1.5 * mean[h0 + 1 - 7] && day1 < 2.1 * mean[h0 + 1 - 7]);
	assert_true(day0 > day1 * 1.08);
	assert_true(lo[h0] > 1.5 * lo[h0 - 7]);
	assert_int_equal(info.event_days, 2);
	assert_true(fabs(week_before - 1000) < 60);

	/* The built-in calendar alone does not know 2026's dates: none. */
	opt.calendar = NULL;
	assert_int_equal(forecast_series(y, n, &opt, H, &level, 1, mean, lo, hi, &info, &st), 0);
	assert_true(mean[h0] < 1.15 * mean[h0 - 7]);
	assert_int_equal(info.event_days, 0);

	/* History from August 2025 holds no Prime Day: none invented. */
	opt.calendar = cal;
	const long late = day_number(2025, 8, 1);
	const size_t m = (size_t)(end - late + 1);
	assert_int_equal(forecast_series(y + (late - start), m, &opt, H, &level, 1, mean, lo, hi, &info,
					 &st), 0);
	assert_true(mean[h0] < 1.15 * mean[h0 - 7]);
	assert_true(mean[h0] > 0.85 * mean[h0 - 7]);
	event_calendar_free(cal);
	free(y);
}

/* The per-day estimate itself: with one prior occurrence whose days are
 * alike, the days share the pooled effect; a day index never seen (the
 * 3rd of an event that lasted 2) takes the pooled effect. */
static void test_effects_per_day(void **state)
{
	(void)state;
	enum { N = 200 };
	double y[N], base[N];
	const long start = day_number(2024, 6, 1);
	for (int t = 0; t < N; t++) {
		int j, e = event_calendar_on(NULL, start + t, &j);
		base[t] = 100;
		y[t] = 100 * (1 + 0.02 * gaussian()) * (e == EVENT_PRIME_DAY ? 2 : 1);
	}
	struct event_effects fx;
	events_estimate(NULL, y, base, N, start, &fx);
	assert_int_equal(fx.occurrences[EVENT_PRIME_DAY], 2);
	assert_int_equal(fx.occurrences[EVENT_BLACK_FRIDAY], 1);
	assert_int_equal(fx.occurrences[EVENT_MOTHERS_DAY], 0);
	assert_true(fabs(fx.factor[EVENT_PRIME_DAY][0] - 2) < 0.1);
	assert_true(fabs(fx.factor[EVENT_PRIME_DAY][1] - 2) < 0.1);
	assert_true(fabs(fx.factor[EVENT_PRIME_DAY][2] - sqrt(fx.factor[EVENT_PRIME_DAY][0] *
							     fx.factor[EVENT_PRIME_DAY][1])) < 0.05);
	assert_true(fx.factor[EVENT_MOTHERS_DAY][0] == 1);
	/* Black Friday 2024 (an ordinary day here): shrunk to about none. */
	assert_true(fabs(fx.factor[EVENT_BLACK_FRIDAY][0] - 1) < 0.03);
}

/* --- which files the configuration picks (sync/calendar.c) ------------------ */

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static struct event_calendar *load(const char *dir, const char *country, const char *account,
				   char *err, size_t errlen)
{
	struct mldash_config cfg;
	config_defaults(&cfg);
	snprintf(cfg.events.dir, sizeof cfg.events.dir, "%s", dir);
	snprintf(cfg.events.country, sizeof cfg.events.country, "%s", country);
	snprintf(cfg.events.account, sizeof cfg.events.account, "%s", account);
	struct event_calendar *cal = NULL;
	if (calendar_load(&cfg, &cal, err, errlen) != 0)
		assert_null(cal);
	return cal;
}

static void test_config_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/mldash-events-XXXXXX", err[512];
	assert_non_null(mkdtemp(dir));
	write_text(dir, "default.csv", "date,prime_day,2026-07-14,2026-07-15\n");
	write_text(dir, "country-GB.csv", "disable,mothers_day\ndate,mothering_sunday,2026-03-15\n");
	write_text(dir, "country-US.csv", "nth,memorial_day,-1,mon,5\n");
	write_text(dir, "account-acme.csv", "date,acme_birthday,2026-09-01,2026-09-03\n");

	/* Nothing configured: the built-in calendar. */
	struct event_calendar *cal = load("", "", "", err, sizeof err);
	assert_non_null(cal);
	assert_string_equal(on(cal, 2026, 7, 14, NULL), "");
	assert_string_equal(on(cal, 2024, 5, 12, NULL), "mothers_day");
	event_calendar_free(cal);

	/* A relative folder would differ between the scheduler (run from /)
	 * and the CLI: refused, naming the key. */
	assert_null(load("events", "", "", err, sizeof err));
	assert_string_equal(err, "[events] dir events: not an absolute path");

	/* The folder alone: default.csv only. */
	cal = load(dir, "", "", err, sizeof err);
	assert_non_null(cal);
	assert_string_equal(on(cal, 2026, 7, 14, NULL), "prime_day");
	assert_string_equal(on(cal, 2026, 3, 15, NULL), "");
	assert_string_equal(on(cal, 2026, 9, 1, NULL), "");
	assert_int_equal(event_calendar_find(cal, "memorial_day"), -1);
	event_calendar_free(cal);

	/* GB and acme: their files, not the US one. */
	cal = load(dir, "GB", "acme", err, sizeof err);
	assert_non_null(cal);
	assert_string_equal(on(cal, 2026, 7, 14, NULL), "prime_day");
	assert_string_equal(on(cal, 2026, 3, 15, NULL), "mothering_sunday");
	assert_string_equal(on(cal, 2026, 5, 10, NULL), "");
	assert_string_equal(on(cal, 2026, 9, 3, NULL), "acme_birthday");
	assert_int_equal(event_calendar_find(cal, "memorial_day"), -1);
	event_calendar_free(cal);

	/* US and another account: the US file; acme's events are not there. */
	cal = load(dir, "US", "other", err, sizeof err);
	assert_non_null(cal);
	assert_string_equal(on(cal, 2026, 5, 25, NULL), "memorial_day");
	assert_string_equal(on(cal, 2026, 5, 10, NULL), "mothers_day");
	assert_string_equal(on(cal, 2026, 3, 15, NULL), "");
	assert_string_equal(on(cal, 2026, 9, 1, NULL), "");
	event_calendar_free(cal);

	/* A bad line names the file and the line. */
	write_text(dir, "account-acme.csv", "# ours\ndate,acme_birthday,2026-09-31\n");
	assert_null(load(dir, "GB", "acme", err, sizeof err));
	char want[600];
	snprintf(want, sizeof want, "%s/account-acme.csv:2: bad date '2026-09-31' (expected YYYY-MM-DD)", dir);
	assert_string_equal(err, want);

	/* A folder that is not there is an error, not an empty calendar. */
	char missing[600];
	snprintf(missing, sizeof missing, "%s/nope", dir);
	assert_null(load(missing, "", "", err, sizeof err));
	assert_non_null(strstr(err, "No such file or directory"));

	/* --events FILE (mldash forecast): a named file must exist. */
	cal = event_calendar_new();
	snprintf(missing, sizeof missing, "%s/nope.csv", dir);
	assert_int_equal(calendar_apply_file(cal, missing, 1, err, sizeof err), -1);
	assert_int_equal(calendar_apply_file(cal, missing, 0, err, sizeof err), 1);
	event_calendar_free(cal);

	static const char *const names[] = { "default.csv", "country-GB.csv", "country-US.csv",
					     "account-acme.csv" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		remove_file(dir, names[i]);
	rmdir(dir);
}

/* The [events] keys: country and account become parts of file names. */
static void test_config_keys(void **state)
{
	(void)state;
	struct mldash_config cfg;
	char err[512];
	config_defaults(&cfg);
	assert_int_equal(config_apply_string(&cfg, "[events]\ndir = /etc/mldash/events\ncountry = GB\n"
					     "account = acme-shop.eu\n", "t.conf", err, sizeof err), 0);
	assert_string_equal(cfg.events.dir, "/etc/mldash/events");
	assert_string_equal(cfg.events.country, "GB");
	assert_string_equal(cfg.events.account, "acme-shop.eu");
	assert_int_equal(config_apply_string(&cfg, "[events]\naccount = ../etc\n", "t.conf", err,
					     sizeof err), -1);
	assert_non_null(strstr(err, "t.conf:2: events.account:"));
	assert_int_equal(config_apply_string(&cfg, "[events]\ncountry = a/b\n", "t.conf", err,
					     sizeof err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_dates),
		cmocka_unit_test(test_file_good),
		cmocka_unit_test(test_span_matches_each_day),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_disable),
		cmocka_unit_test(test_prime_day_uplift),
		cmocka_unit_test(test_effects_per_day),
		cmocka_unit_test(test_config_files),
		cmocka_unit_test(test_config_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
