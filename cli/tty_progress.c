#include "tty_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define REDRAW_SECONDS 0.1 /* at most ten lines a second */

static double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes "\r" line "\e[K" (and a clear after it for a finish) in one write,
 * cut to the terminal's width so that "\r" goes back over all of it. */
static void draw(const struct tty_progress *tp, const char *line, int finish)
{
	char buf[600];
	int width = tp->columns > 1 ? tp->columns - 1 : 79;
	int n = snprintf(buf, sizeof buf, "\r%.*s\033[K%s", width < 500 ? width : 500, line,
			 finish ? "\r\033[K" : "");
	if (n > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void on_update(void *ctx, const struct progress_update *update)
{
	struct tty_progress *tp = ctx;
	char line[512];
	switch (progress_meter_update(&tp->meter, update, monotonic_seconds(), line, sizeof line)) {
	case PROGRESS_SKIP: break;
	case PROGRESS_DRAW: draw(tp, line, 0); break;
	case PROGRESS_FINISH: draw(tp, line, 1); break;
	case PROGRESS_CLEAR: (void)!write(STDERR_FILENO, "\r\033[K", 4); break;
	}
}

/* A log line is about to be written: the status line goes first (it is
 * drawn again at the next update that is due). */
static void before_log_line(void *ctx)
{
	struct tty_progress *tp = ctx;
	if (tp->meter.running && tp->meter.drawn >= 0)
		(void)!write(STDERR_FILENO, "\r\033[K", 4);
}

const struct progress_sink *tty_progress_start(struct tty_progress *tp)
{
	memset(tp, 0, sizeof *tp);
	const char *term = getenv("TERM");
	if (!isatty(STDERR_FILENO) || term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0)
		return NULL;
	struct winsize ws;
	tp->columns = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
	progress_meter_init(&tp->meter, REDRAW_SECONDS);
	tp->sink.fn = on_update;
	tp->sink.ctx = tp;
	log_set_before_line(before_log_line, tp);
	return &tp->sink;
}

void tty_progress_end(struct tty_progress *tp)
{
	if (tp->sink.fn == NULL)
		return;
	log_set_before_line(NULL, NULL);
	if (tp->meter.running && tp->meter.drawn >= 0)
		(void)!write(STDERR_FILENO, "\r\033[K", 4);
	tp->meter.running = 0;
}
