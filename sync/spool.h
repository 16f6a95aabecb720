/*
 * spool: the campaign sync job. Imports every new report file dropped into
 * the spool folder, then moves it to done/ or, when nothing in it was
 * usable, to rejected/ with a JSON report beside it. Files that failed for
 * a passing reason (database down) stay for the next sync.
 *
 * Several syncs may run at once (on several hosts sharing the folder): each
 * file is claimed with an exclusive flock, and the database refuses to
 * import the same bytes twice.
 */
#ifndef MLDASH_SPOOL_H
#define MLDASH_SPOOL_H

#include <stddef.h>

#include "db.h"
#include "progress.h"

struct spool_result {
	unsigned files;       /* files looked at */
	unsigned imported;    /* imported or partial */
	unsigned duplicate;
	unsigned empty;
	unsigned rejected;
	unsigned failed;      /* left in place for the next sync */
	unsigned unfiled;     /* handled, but left in place: not movable or no room for its report */
	unsigned busy;        /* claimed by another sync */
	unsigned left;        /* not looked at: a stop was asked for */
	unsigned long rows_in;
	char first_failure[512];
};

/* Asked between files; nonzero stops the sync there (the rest of the files
 * stay for the next one). NULL: never stop. */
typedef int spool_stop_fn(void);

/* Runs one sync over dir. Returns 0, or -1 when dir itself is unusable
 * (err says why). progress (NULL: none) hears of each file's import as
 * import_fp tells it. */
int spool_sync(struct db *db, const char *dir, spool_stop_fn *stop,
	       const struct progress_sink *progress, struct spool_result *out, char *err,
	       size_t errlen);

#endif
