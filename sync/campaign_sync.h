/*
 * campaign_sync: the campaign sync job as one recorded run: an ml_runs row
 * (job campaign_sync) around one spool sync.
 */
#ifndef MLDASH_CAMPAIGN_SYNC_H
#define MLDASH_CAMPAIGN_SYNC_H

#include <stddef.h>

#include "config.h"
#include "runs.h"
#include "spool.h"

enum job_result { JOB_OK, JOB_FAILED, JOB_SLOT_TAKEN };

/*
 * Runs the job. slot_time as for runs_begin (NULL: a manual run now).
 * Files refused whole are a normal outcome; the run fails when the spool
 * folder is unusable, a file failed to import, or stop (see spool_sync) cut
 * it short. err gets the reason. progress as for spool_sync (NULL: none).
 */
enum job_result campaign_sync_run(struct db *db, const struct mldash_config *cfg,
				  enum run_trigger trigger, const char *slot_time, spool_stop_fn *stop,
				  const struct progress_sink *progress, struct spool_result *result,
				  char *err, size_t errlen);

#endif
