/*
 * mldash-scheduler: runs the campaign sync and the ML sync on their cron
 * schedules ([schedule] in the configuration, read in [schedule] timezone).
 *
 * Each due slot is claimed by inserting (job, slot_time) into ml_runs, whose
 * key is unique: of several schedulers sharing a database, one runs it. A
 * slot missed while the daemon was down runs once on start (the latest one
 * only). Signals only change state: they are blocked and taken with
 * sigtimedwait(), so no handler runs inside library code. SIGTERM and SIGINT
 * stop the daemon once the running job (at most one; bounded by the
 * database timeouts) has finished or rolled back; SIGHUP reloads the
 * configuration and recomputes the schedule, keeping the old one when the
 * new file is bad.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "campaign_sync.h"
#include "config.h"
#include "cron.h"
#include "db.h"
#include "log.h"
#include "ml_sync.h"
#include "version.h"

#define HEARTBEAT_SECONDS 60 /* how often the daemon wakes when idle */
#define RETRY_SECONDS 1.0 /* how often a slot waiting for a running ML sync is retried */
#define MISSED_LOOKBACK 86400 /* how far back a missed slot is still run on start */

enum job_id { JOB_CAMPAIGN_SYNC, JOB_ML_SYNC, JOB__MAX };
static const char *const job_names[JOB__MAX] = { "campaign_sync", "ml_sync" };

struct job {
	struct cron cron;
	time_t next;	 /* the next slot */
	double retry_at; /* when a slot waiting for a running ML sync is tried again, or 0 */
};

/* Wall-clock time, or a faster test clock (--test-clock START,SPEED) so that
 * tests can watch many minutes pass in seconds. */
struct clock {
	int test;
	time_t start;
	double speed, real_start;
};

static double real_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The time with its fraction, so that a slot fires on its second, not up to
 * a second late. */
static double clock_exact(const struct clock *c)
{
	if (c->test)
		return (double)c->start + (real_seconds() - c->real_start) * c->speed;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static time_t clock_now(const struct clock *c)
{
	return (time_t)clock_exact(c);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mldash-scheduler [--foreground] [--pidfile FILE] [--config FILE]\n"
		"       mldash-scheduler --once campaign_sync|ml_sync [--config FILE]\n"
		"       mldash-scheduler --next N | --check-config [--config FILE]\n"
		"\n"
		"Runs mldash's periodic jobs on the cron schedules of [schedule].\n"
		"\n"
		"  -f, --foreground   stay in the foreground, logging to standard error\n"
		"                     (without it: a daemon logging to syslog)\n"
		"  -p, --pidfile FILE write the daemon's pid to FILE\n"
		"      --once JOB     run one job now and exit with its status\n"
		"      --next N       print the next N fire times of each job and exit\n"
		"      --check-config check the configuration and exit\n"
		"  -c, --config FILE  configuration file (default: $MLDASH_CONFIG or\n"
		"                     " MLDASH_DEFAULT_CONFIG ")\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n");
}

static const char *job_schedule(const struct mldash_config *cfg, int j)
{
	return j == JOB_CAMPAIGN_SYNC ? cfg->schedule.campaign_sync : cfg->schedule.ml_sync;
}

static int load(struct mldash_config *cfg, const char *path, struct job jobs[JOB__MAX], char *err,
		size_t errlen)
{
	if (config_load(cfg, path, err, errlen) != 0)
		return -1;
	config_apply_timezone(cfg);
	for (int j = 0; j < JOB__MAX; j++)
		if (cron_parse(job_schedule(cfg, j), &jobs[j].cron, err, errlen) != 0)
			return -1;
	log_set_threshold(cfg->log.level);
	return 0;
}

static void slot_text(time_t t, char *buf, size_t len)
{
	struct tm utc;
	gmtime_r(&t, &utc);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &utc);
}

/* Whether SIGTERM or SIGINT waits (they are blocked): a campaign sync stops
 * between files then, so that stopping takes one file's time at most. */
static int stop_pending(void)
{
	sigset_t pending;
	return sigpending(&pending) == 0 &&
	       (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

enum outcome {
	OUTCOME_DONE,	/* ran, failed (logged), or another scheduler has the slot */
	OUTCOME_FAILED, /* only for manual runs: they report failure in the exit status */
	OUTCOME_WAIT,	/* an ML sync is still running: try the slot again shortly */
};

/* Runs one job for a slot (NULL: a manual run, now). once: a run asked for
 * on the command line, whose failure is the exit status. */
static enum outcome run_job(struct db *db, const struct mldash_config *cfg, enum job_id id,
			    const char *slot, int once)
{
	enum run_trigger trigger = slot ? RUN_SCHEDULE : RUN_MANUAL;
	const char *when = slot ? slot : "now";
	enum outcome failure = once ? OUTCOME_FAILED : OUTCOME_DONE;
	if (id == JOB_CAMPAIGN_SYNC) {
		struct spool_result result;
		char err[1024];
		switch (campaign_sync_run(db, cfg, trigger, slot, stop_pending, NULL, &result, err, sizeof err)) {
		case JOB_OK: return OUTCOME_DONE;
		case JOB_SLOT_TAKEN:
			log_info("campaign_sync slot %s: already claimed in ml_runs, skipped", when);
			return OUTCOME_DONE;
		case JOB_FAILED: log_error("campaign_sync %s failed: %s", when, err); return failure;
		}
		return failure;
	}
	struct ml_summary sum;
	switch (ml_sync_run(db, cfg, trigger, slot, NULL, &sum)) {
	case ML_OK: return OUTCOME_DONE;
	case ML_SLOT_TAKEN:
		log_info("ml_sync slot %s: already claimed in ml_runs, skipped", when);
		return OUTCOME_DONE;
	case ML_BUSY:
		if (!once)
			return OUTCOME_WAIT;
		log_error("ml_sync: %s", sum.error);
		return OUTCOME_FAILED;
	case ML_FAILED: log_error("ml_sync %s failed: %s", when, sum.error); return failure;
	}
	return failure;
}

static void schedule_all(struct job jobs[JOB__MAX], time_t now)
{
	for (int j = 0; j < JOB__MAX; j++) {
		jobs[j].next = cron_next(&jobs[j].cron, now);
		jobs[j].retry_at = 0;
	}
}

/* Says which slots between the one that ran and job->next were passed over
 * (a run ended after them, or the clock jumped): the first few by time. */
static void log_overrun_slots(const struct job *job, enum job_id id, time_t ran)
{
	enum { LISTED = 5, COUNTED = 10000 };
	int skipped = 0;
	char slot[32];
	for (time_t t = cron_next(&job->cron, ran); t != (time_t)-1 && t < job->next && skipped < COUNTED;
	     t = cron_next(&job->cron, t)) {
		if (++skipped > LISTED)
			continue;
		slot_text(t, slot, sizeof slot);
		log_warn("%s slot %s skipped: the scheduler was busy or away past it", job_names[id], slot);
	}
	if (skipped > LISTED)
		log_warn("%s: %s%d more slots skipped", job_names[id], skipped == COUNTED ? "over " : "",
			 skipped - LISTED);
}

/*
 * Runs job if its slot is due and moves it to the next slot. Slots a long
 * run overran are skipped, not run one by one; one falling on this very
 * second still runs. A slot that finds an ML sync running is tried again
 * RETRY_SECONDS later, until the following slot is due.
 */
static void run_due(struct db *db, const struct mldash_config *cfg, struct job *job,
		   enum job_id id, const struct clock *clk)
{
	if (job->next == (time_t)-1 || job->next > clock_now(clk) || job->retry_at > clock_exact(clk))
		return;
	char slot[32];
	slot_text(job->next, slot, sizeof slot);
	if (run_job(db, cfg, id, slot, 0) == OUTCOME_WAIT) {
		time_t following = cron_next(&job->cron, job->next);
		if (following == (time_t)-1 || following > clock_now(clk)) {
			if (job->retry_at == 0)
				log_info("%s slot %s waits for the ML sync that is running", job_names[id], slot);
			job->retry_at = clock_exact(clk) + RETRY_SECONDS * (clk->test ? clk->speed : 1);
			return;
		}
		log_warn("%s slot %s skipped: another ML sync ran past it", job_names[id], slot);
	}
	job->retry_at = 0;
	time_t after = clock_now(clk) - 1;
	if (after < job->next)
		after = job->next;
	time_t ran = job->next;
	job->next = cron_next(&job->cron, after);
	log_overrun_slots(job, id, ran);
}

/* Real seconds until the soonest slot or retry, at most HEARTBEAT_SECONDS. */
static double seconds_to_next(const struct job jobs[JOB__MAX], const struct clock *clk)
{
	double now = clock_exact(clk);
	double wait = HEARTBEAT_SECONDS;
	for (int j = 0; j < JOB__MAX; j++) {
		if (jobs[j].next == (time_t)-1)
			continue;
		double due = jobs[j].retry_at > 0 ? jobs[j].retry_at : (double)jobs[j].next;
		double until = (due - now) / (clk->test ? clk->speed : 1);
		if (until < wait)
			wait = until;
	}
	return wait < 0.01 ? 0.01 : wait;
}

static int serve(struct mldash_config *cfg, const char *config_path, struct job jobs[JOB__MAX],
		 const struct clock *clk)
{
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &signals, NULL);

	struct db *db = db_new(cfg);
	if (db == NULL) {
		log_error("out of memory");
		return 1;
	}
	time_t now = clock_now(clk);
	schedule_all(jobs, now);
	for (int j = 0; j < JOB__MAX; j++) { /* the latest slot missed while down runs first, once */
		time_t missed = cron_prev(&jobs[j].cron, now, MISSED_LOOKBACK);
		if (missed != (time_t)-1)
			jobs[j].next = missed;
	}
	log_info("scheduler started (mldash %s): campaign_sync '%s', ml_sync '%s' in %s",
		 MLDASH_VERSION, cfg->schedule.campaign_sync, cfg->schedule.ml_sync, cfg->schedule.timezone);
	int rc = 0;
	for (;;) {
		for (int j = 0; j < JOB__MAX; j++)
			run_due(db, cfg, &jobs[j], (enum job_id)j, clk);
		double wait = seconds_to_next(jobs, clk);
		struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
		int sig = sigtimedwait(&signals, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		if (sig == SIGHUP) {
			static struct mldash_config fresh;
			struct job fresh_jobs[JOB__MAX];
			char err[1024];
			if (load(&fresh, config_path, fresh_jobs, err, sizeof err) != 0) {
				log_error("reload refused, keeping the running configuration: %s", err);
				config_apply_timezone(cfg);
				continue;
			}
			if (strcmp(fresh.log.file, cfg->log.file) != 0 &&
			    log_use_file(fresh.log.file, err, sizeof err) != 0)
				log_error("%s; logging where it did", err);
			*cfg = fresh;
			memcpy(jobs, fresh_jobs, sizeof fresh_jobs);
			schedule_all(jobs, clock_now(clk));
			db_disconnect(db); /* credentials may have changed */
			log_info("configuration reloaded: campaign_sync '%s', ml_sync '%s' in %s",
				 cfg->schedule.campaign_sync, cfg->schedule.ml_sync, cfg->schedule.timezone);
		} else if (sig < 0 && errno != EAGAIN && errno != EINTR) {
			log_error("sigtimedwait: %s", strerror(errno));
			rc = 1;
			break;
		}
	}
	db_free(db);
	return rc;
}

static void print_next(const struct mldash_config *cfg, struct job jobs[JOB__MAX], int n, time_t from)
{
	for (int j = 0; j < JOB__MAX; j++) {
		printf("%s '%s' (%s):\n", job_names[j], job_schedule(cfg, j), cfg->schedule.timezone);
		time_t t = from;
		for (int i = 0; i < n; i++) {
			t = cron_next(&jobs[j].cron, t);
			if (t == (time_t)-1) {
				printf("  (no further fire time within five years)\n");
				break;
			}
			char local[64], utc[64];
			struct tm lt, ut;
			localtime_r(&t, &lt);
			gmtime_r(&t, &ut);
			strftime(local, sizeof local, "%Y-%m-%d %H:%M %Z", &lt);
			strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &ut);
			printf("  %s  (%s)\n", local, utc);
		}
	}
}

/* Makes *path absolute (in buf), for a daemon that works from "/". */
static int make_absolute(const char **path, char *buf, size_t len)
{
	if (*path == NULL || (*path)[0] == '/')
		return 0;
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd) == NULL || (size_t)snprintf(buf, len, "%s/%s", cwd, *path) >= len) {
		log_error("cannot make %s an absolute path", *path);
		return -1;
	}
	*path = buf;
	return 0;
}

/* Classic daemon: a second fork so that no terminal can come back, stdio on
 * /dev/null, the pid written for init scripts. */
static int daemonize(const char *pidfile)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	umask(027);
	if (chdir("/") != 0)
		return -1;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	log_use_syslog();
	if (pidfile != NULL) {
		FILE *f = fopen(pidfile, "w");
		if (f == NULL) {
			log_error("cannot write pidfile %s: %s", pidfile, strerror(errno));
			return -1;
		}
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' }, { "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' }, { "once", required_argument, NULL, 'o' },
		{ "next", required_argument, NULL, 'n' },   { "check-config", no_argument, NULL, 'k' },
		{ "test-clock", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },	    { NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *pidfile = NULL, *once = NULL;
	int foreground = 0, next = 0, check = 0, opt;
	struct clock clk = { 0 };

	log_init("mldash-scheduler", LOG_LEVEL_INFO);
	while ((opt = getopt_long(argc, argv, "c:fp:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'f': foreground = 1; break;
		case 'p': pidfile = optarg; break;
		case 'o': once = optarg; break;
		case 'n':
			next = atoi(optarg);
			if (next < 1 || next > 1000) {
				log_error("--next must be 1 to 1000, got '%s'", optarg);
				return 2;
			}
			break;
		case 'k': check = 1; break;
		case 't': /* START,SPEED: a test clock (seconds since 1970, speed factor) */
			if (sscanf(optarg, "%ld,%lf", &clk.start, &clk.speed) != 2 || clk.speed <= 0) {
				log_error("--test-clock must be START,SPEED, got '%s'", optarg);
				return 2;
			}
			clk.test = 1;
			clk.real_start = real_seconds();
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mldash-scheduler %s\n", MLDASH_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	static struct mldash_config cfg;
	struct job jobs[JOB__MAX];
	char err[1024];
	if (load(&cfg, config_path, jobs, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	if (check) {
		/* The calendar files too, which the ML sync reads on each run. */
		struct event_calendar *calendar;
		if (calendar_load(&cfg, &calendar, err, sizeof err) != 0) {
			log_error("%s", err);
			return 2;
		}
		printf("configuration %s is valid: campaign_sync '%s', ml_sync '%s' in %s; %d calendar "
		       "events\n", cfg.source[0] ? cfg.source : "(defaults)", cfg.schedule.campaign_sync,
		       cfg.schedule.ml_sync, cfg.schedule.timezone, event_calendar_count(calendar));
		event_calendar_free(calendar);
		return 0;
	}
	if (next) {
		print_next(&cfg, jobs, next, clock_now(&clk));
		return 0;
	}
	if (once != NULL) {
		int id = strcmp(once, "campaign_sync") == 0 ? JOB_CAMPAIGN_SYNC
			 : strcmp(once, "ml_sync") == 0     ? JOB_ML_SYNC
							    : -1;
		if (id < 0) {
			log_error("--once: unknown job '%s' (campaign_sync or ml_sync)", once);
			return 2;
		}
		struct db *db = db_new(&cfg);
		if (db == NULL) {
			log_error("out of memory");
			return 1;
		}
		/* With a test clock, the run is the scheduled slot of the clock's
		 * time: replays of days gone by (tests) run as the schedule would. */
		char slot[32];
		if (clk.test)
			slot_text(clock_now(&clk), slot, sizeof slot);
		enum outcome outcome = run_job(db, &cfg, (enum job_id)id, clk.test ? slot : NULL, 1);
		db_free(db);
		return outcome == OUTCOME_DONE ? 0 : 1;
	}
	static char config_abs[4096], pidfile_abs[4096];
	if (!foreground && (make_absolute(&config_path, config_abs, sizeof config_abs) != 0 ||
			    make_absolute(&pidfile, pidfile_abs, sizeof pidfile_abs) != 0))
		return 1;
	if (log_use_file(cfg.log.file, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	if (!foreground && daemonize(pidfile) != 0) {
		log_error("cannot become a daemon: %s", strerror(errno));
		return 1;
	}
	int rc = serve(&cfg, config_path, jobs, &clk);
	if (!foreground && pidfile != NULL)
		unlink(pidfile);
	return rc;
}
