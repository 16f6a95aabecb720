#include "campaign_sync.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

#define KEEP_RUN_DAYS 90 /* how long the record of a campaign sync run is kept */

enum job_result campaign_sync_run(struct db *db, const struct mldash_config *cfg,
				  enum run_trigger trigger, const char *slot_time, spool_stop_fn *stop,
				  const struct progress_sink *progress, struct spool_result *result,
				  char *err, size_t errlen)
{
	long long run_id;
	int taken;
	memset(result, 0, sizeof *result);
	err[0] = '\0';
	enum db_status st = runs_begin(db, "campaign_sync", trigger, slot_time, &run_id, &taken);
	if (taken)
		return JOB_SLOT_TAKEN;
	if (st != DB_OK) {
		snprintf(err, errlen, "cannot record the run: %s", db_error(db));
		return JOB_FAILED;
	}
	int ok = spool_sync(db, cfg->ingest.spool_dir, stop, progress, result, err, errlen) == 0;
	if (ok && (result->failed > 0 || result->unfiled > 0)) {
		snprintf(err, errlen, "%u file(s) failed and %u could not be filed away; they stay in "
			 "the spool; first: %s", result->failed, result->unfiled, result->first_failure);
		ok = 0;
	} else if (ok && result->left > 0) {
		snprintf(err, errlen, "stopped before %u file(s); they stay in the spool for the next sync",
			 result->left);
		ok = 0;
	}
	if (runs_finish(db, run_id, ok, result->rows_in, ok ? NULL : err) != DB_OK)
		log_warn("campaign sync run %lld: cannot record its end: %s", run_id, db_error(db));
	if (runs_prune(db, "campaign_sync", KEEP_RUN_DAYS) != DB_OK)
		log_warn("campaign sync: pruning old runs failed: %s", db_error(db));
	log_info("campaign sync run %lld: %u files, %u imported, %u duplicate, %u empty, "
		 "%u rejected, %u failed, %u busy, %u left; %lu rows in",
		 run_id, result->files, result->imported, result->duplicate, result->empty,
		 result->rejected, result->failed, result->busy, result->left, result->rows_in);
	return ok ? JOB_OK : JOB_FAILED;
}
