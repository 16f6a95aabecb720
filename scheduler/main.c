/*
 * mldash-scheduler: the daemon that runs the campaign sync and the ML sync
 * on their schedules.
 *
 * Signals only change state: they are blocked and taken synchronously with
 * sigtimedwait(), so no handler ever runs inside library code. SIGTERM and
 * SIGINT stop the daemon; SIGHUP reloads the configuration (a bad file is
 * reported and the running configuration kept).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign_sync.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "version.h"

/* How often the daemon wakes to check the database when idle. */
#define HEARTBEAT_SECONDS 60
/* The campaign sync runs at the top of every hour (UTC). */
#define CAMPAIGN_SYNC_PERIOD 3600

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mldash-scheduler --foreground [--config FILE]\n"
		"\n"
		"Runs mldash's periodic jobs. Logs go to standard error.\n"
		"\n"
		"  -f, --foreground   stay in the foreground (for systemd and the dev stack)\n"
		"  -c, --config FILE  configuration file (default: $MLDASH_CONFIG or\n"
		"                     " MLDASH_DEFAULT_CONFIG ")\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n");
}

/* Reloads into cfg only when the new file is valid. */
static void reload(struct mldash_config *cfg, const char *path)
{
	static struct mldash_config fresh;
	char err[1024];
	if (config_load(&fresh, path, err, sizeof err) != 0) {
		log_error("reload refused, keeping the running configuration: %s", err);
		return;
	}
	*cfg = fresh;
	log_set_threshold(cfg->log.level);
	log_info("configuration reloaded from %s", cfg->source[0] ? cfg->source : "defaults");
}

/* Logs database reachability when it changes, so an operator sees outages. */
static void check_database(struct db *db, int *was_reachable)
{
	enum db_status st = db_query(db, "SELECT 1", NULL);
	int reachable = st == DB_OK;
	if (reachable != *was_reachable) {
		if (reachable)
			log_info("database reachable");
		else
			log_warn("database unreachable: %s", db_error(db));
		*was_reachable = reachable;
	}
}

static void run_campaign_sync(struct db *db, const struct mldash_config *cfg, time_t slot)
{
	struct tm utc;
	char slot_text[32], err[1024];
	gmtime_r(&slot, &utc);
	strftime(slot_text, sizeof slot_text, "%Y-%m-%d %H:%M:%S", &utc);
	struct spool_result result;
	switch (campaign_sync_run(db, cfg, RUN_SCHEDULE, slot_text, &result, err, sizeof err)) {
	case JOB_OK:
		break;
	case JOB_SLOT_TAKEN:
		log_info("campaign sync slot %s already claimed by another scheduler", slot_text);
		break;
	case JOB_FAILED:
		log_error("campaign sync slot %s failed: %s", slot_text, err);
		break;
	}
}

static int run(struct mldash_config *cfg, const char *config_path)
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
	int reachable = -1;
	time_t last_slot = 0;
	log_info("scheduler started (mldash %s): campaign sync every hour", MLDASH_VERSION);
	for (;;) {
		check_database(db, &reachable);
		/* The current slot runs when this scheduler has not run it; a slot
		 * missed while down is run once on start. Another scheduler that
		 * claimed it first makes this a no-op. */
		time_t now = time(NULL);
		time_t slot = now - now % CAMPAIGN_SYNC_PERIOD;
		if (slot > last_slot && reachable) {
			run_campaign_sync(db, cfg, slot);
			last_slot = slot;
			now = time(NULL);
		}
		time_t until_next = slot + CAMPAIGN_SYNC_PERIOD - now;
		struct timespec wait = { .tv_sec = until_next < HEARTBEAT_SECONDS ? until_next : HEARTBEAT_SECONDS };
		if (wait.tv_sec < 1)
			wait.tv_sec = 1;
		int sig = sigtimedwait(&signals, NULL, &wait);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		if (sig == SIGHUP) {
			reload(cfg, config_path);
			db_disconnect(db); /* credentials may have changed */
		} else if (sig < 0 && errno != EAGAIN && errno != EINTR) {
			log_error("sigtimedwait: %s", strerror(errno));
			break;
		}
	}
	db_free(db);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	int foreground = 0, opt;

	log_init("mldash-scheduler", LOG_LEVEL_INFO);
	while ((opt = getopt_long(argc, argv, "c:fhV", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'f': foreground = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mldash-scheduler %s\n", MLDASH_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	if (!foreground) {
		log_error("only --foreground is supported: run me under systemd or the dev stack");
		return 2;
	}

	static struct mldash_config cfg;
	char err[1024];
	if (config_load(&cfg, config_path, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	log_set_threshold(cfg.log.level);
	return run(&cfg, config_path);
}
