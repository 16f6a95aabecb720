/*
 * tty_progress: the status line of a long import or sync on stderr, when
 * stderr is a terminal (and TERM is not "dumb"): lib/progress decides when
 * and what, this writes it, redrawn in place ("\r", the text, clear to the
 * end of the line) and cleared when a file or job is done, so that what
 * goes to stdout stays clean. Elsewhere nothing is written at all.
 */
#ifndef MLDASH_TTY_PROGRESS_H
#define MLDASH_TTY_PROGRESS_H

#include "progress.h"

struct tty_progress {
	struct progress_meter meter;
	struct progress_sink sink;
	int columns; /* the terminal's width, to keep the line on one row */
};

/*
 * The sink to hand to the importer, spool or ML sync: &tp->sink when
 * stderr is a terminal, else NULL (no progress asked for, none drawn).
 * Until tty_progress_end, log lines clear the status line before they are
 * written. tp must outlive its use; it owns nothing.
 */
const struct progress_sink *tty_progress_start(struct tty_progress *tp);

/* Clears the line if something is still drawn (an interrupted job) and
 * unhooks the log. */
void tty_progress_end(struct tty_progress *tp);

#endif
