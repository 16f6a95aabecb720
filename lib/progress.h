/*
 * progress: what a long import or sync reports while it runs, and the pure
 * part of showing it: when a status line is due (at most every interval
 * seconds) and what it says. No I/O and no clock: the caller passes the
 * time, and writes the line where it wants (cli/ to a terminal).
 *
 * The work (sync/importer, sync/spool, sync/ml_sync) calls an optional
 * progress_sink; NULL (the scheduler, the FastCGI upload) costs nothing.
 */
#ifndef MLDASH_PROGRESS_H
#define MLDASH_PROGRESS_H

#include <stddef.h>

enum progress_phase {
	PROGRESS_ROWS, /* a file being read: name, rows, bytes, size */
	PROGRESS_STEP, /* a step of a job: name, and step of steps when steps > 0 */
	PROGRESS_DONE, /* the file or job is over (rows, bytes: its final counts) */
	PROGRESS_PHASE__MAX
};

struct progress_update {
	enum progress_phase phase;
	const char *name;         /* the file's name, or what the step does */
	unsigned long rows;       /* rows read so far (valid and rejected) */
	unsigned long long bytes; /* bytes read so far */
	unsigned long long size;  /* the file's size; 0 when unknown (a pipe) */
	unsigned step, steps;     /* "step of steps"; steps 0: no count */
};

/* Called by the work on its own thread; the update (and its strings) is
 * valid during the call only. */
typedef void progress_fn(void *ctx, const struct progress_update *update);

struct progress_sink {
	progress_fn *fn;
	void *ctx;
};

/* Reports update to sink when there is one. */
static inline void progress_report(const struct progress_sink *sink,
				   const struct progress_update *update)
{
	if (sink != NULL && sink->fn != NULL)
		sink->fn(sink->ctx, update);
}

/* What to do with the terminal's status line after an update. */
enum progress_action {
	PROGRESS_SKIP,   /* nothing (not due yet, or nothing was ever shown) */
	PROGRESS_DRAW,   /* redraw the line with the text given */
	PROGRESS_FINISH, /* draw the text (the final counts) once, then clear the line */
	PROGRESS_CLEAR,  /* clear the line */
};

/* The throttle of one status line: a task (a file, a job) starts at its
 * first update and ends at PROGRESS_DONE. */
struct progress_meter {
	double interval; /* least seconds between two draws */
	int running;     /* a task started and not done */
	double started;  /* when the task's first update came */
	double drawn;    /* when the line was last drawn; < 0: not yet in this task */
	char step[64];   /* the step last drawn, so that a new step shows at once */
};

void progress_meter_init(struct progress_meter *m, double interval);

/*
 * Decides what an update at time now (seconds, any monotonic origin) does
 * to the line and, for PROGRESS_DRAW and PROGRESS_FINISH, writes its text
 * into line (len bytes, always terminated). Rows are drawn once interval
 * seconds have passed since the task began and then at most every
 * interval; a step whose name differs from the last drawn one at once.
 * A task that never drew leaves nothing to clear: PROGRESS_SKIP.
 */
enum progress_action progress_meter_update(struct progress_meter *m,
					   const struct progress_update *update, double now,
					   char *line, size_t len);

/*
 * The status line of update after elapsed seconds:
 *   "campaigns.csv: 1,234,567 rows, 412,000 rows/s, 63% of 118.2 MB"
 *   "big.csv: 20,000 rows, 9,000 rows/s, 3.1 MB read"     (size unknown)
 *   "ml sync: fitting series 3 of 9"
 * Returns what snprintf returns.
 */
int progress_format(char *line, size_t len, const struct progress_update *update, double elapsed);

/* n with thousands separators: "1,234,567". Returns what snprintf returns. */
int progress_format_count(char *out, size_t len, unsigned long long n);

/* A byte count in decimal units: "512 B", "3.1 kB", "118.2 MB", "2.0 GB". */
int progress_format_bytes(char *out, size_t len, unsigned long long bytes);

#endif
