/*
 * doctor_rules: the decisions of `mldash doctor` that need no I/O, so that
 * they can be tested alone: which rights a SHOW GRANTS answer gives on the
 * database, whether a job's last run keeps up with its schedule, and how
 * much free disk is too little. Pure, apart from cron's use of TZ.
 */
#ifndef MLDASH_DOCTOR_RULES_H
#define MLDASH_DOCTOR_RULES_H

#include <stddef.h>
#include <time.h>

#include "cron.h"

/* A check's verdict, worst last; doctor_level_names holds "ok", "warn",
 * "FAIL", "skip" (printed as the line's first word). */
enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL, DOCTOR_SKIP, DOCTOR_LEVEL__MAX };
extern const char *const doctor_level_names[DOCTOR_LEVEL__MAX + 1];

/* The row rights the application account needs. */
enum {
	DOCTOR_GRANT_SELECT = 1,
	DOCTOR_GRANT_INSERT = 2,
	DOCTOR_GRANT_UPDATE = 4,
	DOCTOR_GRANT_DELETE = 8,
	DOCTOR_GRANT_ROWS = 15,
};

/* What the grants give on one database. extra names the first right
 * beyond row rights (e.g. "DROP", "ALL PRIVILEGES"), "" when none. */
struct doctor_grants {
	unsigned rows;
	char extra[64];
};

/*
 * Adds one line of SHOW GRANTS ("GRANT SELECT, INSERT ON `mldash`.* TO
 * ...") to g: rights ON *.* or ON `dbname`.* count; table and column grants,
 * roles, PROXY and USAGE do not. g starts zeroed.
 */
void doctor_grants_add(struct doctor_grants *g, const char *line, const char *dbname);

/* What doctor_job_fresh found. */
enum doctor_freshness {
	DOCTOR_FRESH,    /* a run at or after the last slot due, or none due */
	DOCTOR_LATE,     /* a slot due with no run at or after it */
	DOCTOR_NO_RUNS,  /* the job never ran */
};

/*
 * Whether a job keeps up with schedule c: the last slot that should have
 * started more than grace seconds before now (looked for in the last 400
 * days) must have a run that started at or after it. last_run: the start
 * of the job's newest run, (time_t)-1 for none. *due (may be NULL)
 * receives that slot, (time_t)-1 when none.
 */
enum doctor_freshness doctor_job_fresh(const struct cron *c, time_t now, time_t grace,
				       time_t last_run, time_t *due);

/* Free space: FAIL under 2 % or 100 MiB, WARN under 10 % or 1 GiB, else OK.
 * total 0 (unknown) judges by bytes alone. */
enum doctor_level doctor_disk_level(unsigned long long avail, unsigned long long total);

#endif
