#include "progress.h"

#include <stdio.h>
#include <string.h>

void progress_meter_init(struct progress_meter *m, double interval)
{
	memset(m, 0, sizeof *m);
	m->interval = interval;
	m->drawn = -1;
}

int progress_format_count(char *out, size_t len, unsigned long long n)
{
	char digits[32];
	int nd = snprintf(digits, sizeof digits, "%llu", n);
	char grouped[48];
	size_t at = 0;
	for (int i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			grouped[at++] = ',';
		grouped[at++] = digits[i];
	}
	grouped[at] = '\0';
	return snprintf(out, len, "%s", grouped);
}

int progress_format_bytes(char *out, size_t len, unsigned long long bytes)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB", "PB" };
	if (bytes < 1000)
		return snprintf(out, len, "%llu B", bytes);
	double v = (double)bytes / 1000.0;
	size_t u = 0;
	/* 999.95 kB would print as "1000.0 kB": go up a unit first. */
	while (v >= 999.95 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1000.0;
		u++;
	}
	return snprintf(out, len, "%.1f %s", v, units[u]);
}

/* Whole percent of done in total, never above 100 (a file that grew). */
static unsigned percent(unsigned long long done, unsigned long long total)
{
	if (done >= total)
		return 100;
	return (unsigned)((long double)done * 100.0L / (long double)total);
}

int progress_format(char *line, size_t len, const struct progress_update *u, double elapsed)
{
	const char *name = u->name ? u->name : "";
	if (u->phase == PROGRESS_STEP) {
		if (u->steps > 0)
			return snprintf(line, len, "%s %u of %u", name, u->step, u->steps);
		return snprintf(line, len, "%s", name);
	}
	char rows[48], rate[48], bytes[32];
	double per_second = elapsed > 0 ? (double)u->rows / elapsed : 0;
	progress_format_count(rows, sizeof rows, u->rows);
	progress_format_count(rate, sizeof rate, (unsigned long long)(per_second + 0.5));
	if (u->size > 0) {
		progress_format_bytes(bytes, sizeof bytes, u->size);
		return snprintf(line, len, "%s: %s rows, %s rows/s, %u%% of %s", name, rows, rate,
				percent(u->bytes, u->size), bytes);
	}
	progress_format_bytes(bytes, sizeof bytes, u->bytes);
	return snprintf(line, len, "%s: %s rows, %s rows/s, %s read", name, rows, rate, bytes);
}

enum progress_action progress_meter_update(struct progress_meter *m,
					   const struct progress_update *u, double now,
					   char *line, size_t len)
{
	if (len > 0)
		line[0] = '\0';
	if (!m->running) {
		m->running = 1;
		m->started = now;
		m->drawn = -1;
		m->step[0] = '\0';
	}
	double elapsed = now - m->started;
	if (u->phase == PROGRESS_DONE) {
		int shown = m->drawn >= 0;
		int has_rows = m->step[0] == '\0'; /* a file's final counts; a job just ends */
		m->running = 0;
		if (!shown)
			return PROGRESS_SKIP;
		if (!has_rows)
			return PROGRESS_CLEAR;
		struct progress_update last = *u;
		last.phase = PROGRESS_ROWS;
		progress_format(line, len, &last, elapsed);
		return PROGRESS_FINISH;
	}
	int due;
	if (u->phase == PROGRESS_STEP) {
		const char *name = u->name ? u->name : "";
		due = strncmp(name, m->step, sizeof m->step - 1) != 0 ||
		      now - m->drawn >= m->interval;
		if (due)
			snprintf(m->step, sizeof m->step, "%s", name[0] ? name : " ");
	} else {
		due = m->drawn < 0 ? elapsed >= m->interval : now - m->drawn >= m->interval;
	}
	if (!due)
		return PROGRESS_SKIP;
	m->drawn = now;
	progress_format(line, len, u, elapsed);
	return PROGRESS_DRAW;
}
