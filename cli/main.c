/*
 * mldash: the admin command line. Subcommands are a table; each one loads
 * the configuration the same way the daemons do, but answers --help (and
 * mldash help) without one.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign_sync.h"
#include "commands.h"
#include "config.h"
#include "db.h"
#include "demo.h"
#include "importer.h"
#include "log.h"
#include "migrate.h"
#include "ml_sync.h"
#include "tty_progress.h"
#include "version.h"

/*
 * A subcommand: its name, its arguments as its usage line shows them, one
 * line for mldash --help, and whether -h asks for its usage too (not where
 * a long option of its own starts with h: forecast --horizon, render
 * --height).
 */
struct command {
	const char *name;
	const char *args;
	const char *summary;
	int short_help;
	int (*run)(const struct mldash_config *cfg, int argc, char **argv);
	/* Instead of run, for a command that loads the configuration itself
	 * (doctor reports a broken one rather than stopping at it). */
	int (*run_own_config)(const char *config_path, int argc, char **argv);
};

static int cmd_migrate(const struct mldash_config *cfg, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		log_error("migrate: unexpected argument '%s'", argv[1]);
		return 2;
	}
	struct db *db = db_new(cfg);
	if (db == NULL) {
		log_error("out of memory");
		return 1;
	}
	int rc = 1;
	if (db_connect(db) != DB_OK) {
		log_error("migrate: cannot connect to MariaDB: %s", db_error(db));
		goto out;
	}
	char err[1024];
	int applied = migrate_run(db, cfg->paths.migrations_dir, err, sizeof err);
	if (applied < 0) {
		log_error("migrate: %s", err);
		goto out;
	}
	int version = 0;
	if (migrate_schema_version(db, &version) != DB_OK) {
		log_error("migrate: cannot read the schema version: %s", db_error(db));
		goto out;
	}
	log_info("migrate: %d applied, schema version %d", applied, version);
	rc = 0;
out:
	db_free(db);
	return rc;
}

static void print_report(const struct import_report *r)
{
	const char *format = r->format ? ingest_format_names[r->format] : "unrecognised";
	switch (r->status) {
	case IMPORT_IMPORTED:
	case IMPORT_PARTIAL:
		printf("%s: %s, %s: %lu campaign-days written (%lu campaigns, %lu rows), "
		       "%lu rows rejected\n", r->name, format, import_status_names[r->status],
		       r->campaign_days, r->campaigns, r->rows_ok, r->rows_rejected);
		break;
	case IMPORT_DUPLICATE:
	case IMPORT_EMPTY:
		printf("%s: %s, %s: %s\n", r->name, format, import_status_names[r->status], r->message);
		break;
	case IMPORT_REJECTED:
	case IMPORT_FAILED:
	case IMPORT_STATUS__MAX:
		printf("%s: %s, %s: %s\n", r->name, format, import_status_names[r->status], r->message);
		break;
	}
	for (unsigned i = 0; i < r->nfirst; i++)
		printf("  line %lu: %s\n", r->first[i].line, r->first[i].reason);
	if (r->rows_rejected > r->nfirst)
		printf("  ... and %lu more rejected rows\n", r->rows_rejected - r->nfirst);
	if (r->warnings[0])
		printf("  warning: %s\n", r->warnings);
}

/* Imports each file; exits non-zero when any file was refused whole or failed. */
static int cmd_import(const struct mldash_config *cfg, int argc, char **argv)
{
	if (argc < 2) {
		log_error("import: name at least one file");
		return 2;
	}
	struct db *db = db_new(cfg);
	if (db == NULL) {
		log_error("out of memory");
		return 1;
	}
	if (db_connect(db) != DB_OK) {
		log_error("import: cannot connect to MariaDB: %s", db_error(db));
		db_free(db);
		return 1;
	}
	int failures = 0;
	struct tty_progress tty;
	const struct progress_sink *progress = tty_progress_start(&tty);
	for (int i = 1; i < argc; i++) {
		struct import_report report;
		enum import_status st = import_file(db, argv[i], progress, &report);
		print_report(&report);
		if (st == IMPORT_REJECTED || st == IMPORT_FAILED)
			failures++;
		import_report_free(&report);
	}
	tty_progress_end(&tty);
	db_free(db);
	return failures ? 1 : 0;
}

static int write_line(void *ctx, const char *line, size_t len)
{
	return fwrite(line, 1, len, ctx) == len ? 0 : -1;
}

/* Parses "YYYY-MM-DD" into the three parts; -1 when it is not a date. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	char tail;
	return sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) == 3 && *m >= 1 && *m <= 12 &&
	       *d >= 1 && *d <= 31 ? 0 : -1;
}

static int parse_count(const char *opt, const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
		log_error("demo-data: %s must be a whole number from 1 to %ld, got '%s'", opt, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Writes generated campaign data as generic CSV (to stdout or --out FILE). */
static int cmd_demo_data(const struct mldash_config *cfg, int argc, char **argv)
{
	(void)cfg;
	static const struct option options[] = {
		{ "campaigns", required_argument, NULL, 'c' },
		{ "days", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	long campaigns = 24, days = 180, seed = 1;
	const char *out_path = NULL;
	time_t yesterday = time(NULL) - 86400;
	struct tm end;
	gmtime_r(&yesterday, &end);
	struct demo_params params = { .end_year = end.tm_year + 1900, .end_month = end.tm_mon + 1,
				      .end_day = end.tm_mday };
	int opt;
	optind = 0; /* GNU getopt: 0 re-initialises it for this option string */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'c': if (parse_count("--campaigns", optarg, 100000, &campaigns)) return 2; break;
		case 'd': if (parse_count("--days", optarg, 20000, &days)) return 2; break;
		case 's': if (parse_count("--seed", optarg, 2147483647L, &seed)) return 2; break;
		case 'e':
			if (parse_date(optarg, &params.end_year, &params.end_month, &params.end_day)) {
				log_error("demo-data: --end must be YYYY-MM-DD, got '%s'", optarg);
				return 2;
			}
			break;
		case 'o': out_path = optarg; break;
		default: return 2;
		}
	}
	if (optind < argc) {
		log_error("demo-data: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	params.campaigns = (int)campaigns;
	params.days = (int)days;
	params.seed = (unsigned long long)seed;

	FILE *out = out_path ? fopen(out_path, "w") : stdout;
	if (out == NULL) {
		log_error("demo-data: cannot write %s: %s", out_path, strerror(errno));
		return 1;
	}
	int rc = demo_generate(&params, write_line, out);
	if (out_path != NULL && fclose(out) != 0)
		rc = -1;
	if (rc != 0) {
		log_error("demo-data: writing failed: %s", strerror(errno));
		return 1;
	}
	if (out_path != NULL)
		log_info("demo-data: %ld campaigns x %ld days written to %s", campaigns, days, out_path);
	return 0;
}

static int sync_ml(const struct mldash_config *cfg, struct db *db)
{
	struct ml_summary sum;
	struct tty_progress tty;
	enum ml_result result = ml_sync_run(db, cfg, RUN_MANUAL, NULL, tty_progress_start(&tty), &sum);
	tty_progress_end(&tty);
	switch (result) {
	case ML_OK:
		printf("ml sync run %lld: %d channels, %lu channel-days read, %d series fitted, "
		       "rows written: %lu roi_forecast, %lu roi_timeseries, %lu reach_ctr, %lu budget; "
		       "%.3f s\n", sum.run_id, sum.channels, sum.rows_in, sum.series_fitted,
		       sum.rows_written[PREDICTION_ROI_FORECAST], sum.rows_written[PREDICTION_ROI_DAYS],
		       sum.rows_written[PREDICTION_REACH_DAYS], sum.rows_written[PREDICTION_BUDGET], sum.seconds);
		return 0;
	case ML_BUSY:
	case ML_SLOT_TAKEN:
	case ML_FAILED:
		break;
	}
	log_error("sync ml: %s", sum.error);
	return 1;
}

/* mldash sync campaigns|ml: one run of a job now. */
static int cmd_sync(const struct mldash_config *cfg, int argc, char **argv)
{
	int ml = argc == 2 && strcmp(argv[1], "ml") == 0;
	if (argc != 2 || (!ml && strcmp(argv[1], "campaigns") != 0)) {
		log_error("sync: expected 'sync campaigns' or 'sync ml'");
		return 2;
	}
	struct db *db = db_new(cfg);
	if (db == NULL) {
		log_error("out of memory");
		return 1;
	}
	if (ml) {
		int rc = sync_ml(cfg, db);
		db_free(db);
		return rc;
	}
	struct spool_result result;
	char err[1024];
	struct tty_progress tty;
	enum job_result rc = campaign_sync_run(db, cfg, RUN_MANUAL, NULL, NULL, tty_progress_start(&tty),
					       &result, err, sizeof err);
	tty_progress_end(&tty);
	db_free(db);
	if (rc != JOB_OK) {
		log_error("sync campaigns: %s", err);
		return 1;
	}
	printf("campaign sync: %u files: %u imported, %u already imported, %u empty, %u rejected "
	       "(moved to %s/rejected), %u busy; %lu rows in\n",
	       result.files, result.imported, result.duplicate, result.empty, result.rejected,
	       cfg->ingest.spool_dir, result.busy, result.rows_in);
	return 0;
}

static const struct command commands[] = {
	{ "migrate", "", "apply pending database migrations (needs DDL rights)", 1, cmd_migrate, NULL },
	{ "import", "FILE...", "import report files (generic CSV, Google Ads, Meta)", 1, cmd_import, NULL },
	{ "sync", "campaigns|ml",
	  "run a job now: import the spool folder, or forecasts and budget", 1, cmd_sync, NULL },
	{ "forecast", "[--horizon H] [--period P] [--levels 80,95] [--backtest] [--nonnegative]"
	  " [--method combined|ets] [--events FILE]... [--json]",
	  "forecast a date,value or value CSV series from standard input (combined: ETS, Theta and"
	  " seasonal naive weighted by their backtest, the sync's method; ETS and the optimised"
	  " Theta for steps longer than a day; ets: ETS alone); weekly,"
	  " monthly, quarterly or yearly dates make a step that unit; with daily dates, the calendar"
	  " events of [events] (the built-in retail calendar when none) and of each --events"
	  " calendar file count (format: docs/forecasting.md)", 0, cmd_forecast, NULL },
	{ "budget",
	  "[--total T] [--bounds 0.5,2] [--target-roi R | --marginal-floor F] [--bound CH=LO:HI]"
	  " [--freeze CH] [--opt-in CH] [--days D] [--adstock] [--curves] [--json]",
	  "split a daily budget from date,channel,spend,revenue CSV on stdin", 1, cmd_budget, NULL },
	/* As render.c's own usage message says it. */
	{ "render",
	  "roi-forecast|roi-timeseries|reach-ctr|budget-recommendation|budget-curves|accuracy -o FILE.png"
	  " [--width W] [--height H] [--theme light|dark] [--days D] [--channel C]"
	  " [--metric spend|revenue|roi|conversions|reach|ctr] [--window 30|90]",
	  "draw a chart of the latest ML run into a PNG file", 0, cmd_render, NULL },
	{ "demo-data", "[--campaigns N] [--days D] [--seed S] [--end YYYY-MM-DD] [--out FILE]",
	  "write demo campaigns as generic CSV", 1, cmd_demo_data, NULL },
	{ "doctor", "[--url URL] [--user USER]",
	  "check the installation end to end: config, token, database, grants, schema, spool,"
	  " nginx, scheduler, disk", 1, NULL, cmd_doctor },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const struct command *command_named(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * Prints "usage: mldash NAME ARGS" wrapped at 79 columns, continuation lines
 * under the first argument; breaks only between bracketed groups, so that
 * "[--target-roi R | --marginal-floor F]" stays on one line.
 */
static void command_usage(FILE *out, const struct command *cmd)
{
	int indent = fprintf(out, "usage: mldash %s", cmd->name), col = indent;
	const char *p = cmd->args;
	while (*p) {
		size_t len = 0;
		for (int depth = 0; p[len] && (depth > 0 || p[len] != ' '); len++)
			depth += (p[len] == '[') - (p[len] == ']');
		if (col + 1 + (int)len > 79 && col > indent)
			col = fprintf(out, "\n%*s", indent, "") - 1;
		col += fprintf(out, " %.*s", (int)len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	fprintf(out, "\n\n%c%s.\n", toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
}

/* Whether ARGS (argv[0] the command's name) ask for the command's usage:
 * --help, or -h where the command allows, before any "--". */
static int asks_help(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || (cmd->short_help && strcmp(argv[i], "-h") == 0))
			return 1;
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mldash [--config FILE] COMMAND [ARGS]\n"
		"\n"
		"Administers an mldash installation.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"  %-10s %s\n"
		"\n"
		"mldash COMMAND --help shows the arguments of a command.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE  configuration file (default: $MLDASH_CONFIG or\n"
		"                     " MLDASH_DEFAULT_CONFIG ")\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"
		"\n"
		"Environment variables MLDASH_<SECTION>_<KEY> override single keys,\n"
		"e.g. MLDASH_DATABASE_USER.\n",
		"help", "this help, or with a COMMAND the usage of that command");
}

/* mldash help [COMMAND]: needs no configuration, like --help. */
static int cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		log_error("help: expected at most one command, got '%s'", argv[2]);
		return 2;
	}
	const char *name = argc == 2 ? argv[1] : "help";
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	const struct command *cmd = command_named(name);
	if (cmd == NULL) {
		log_error("help: unknown command '%s' (see mldash --help)", name);
		return 2;
	}
	command_usage(stdout, cmd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	int opt;

	log_init("mldash", LOG_LEVEL_INFO);
	/* '+' stops at the first non-option: the rest belongs to the command. */
	while ((opt = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mldash %s\n", MLDASH_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}

	const char *name = argv[optind];
	if (strcmp(name, "help") == 0)
		return cmd_help(argc - optind, argv + optind);
	const struct command *cmd = command_named(name);
	if (cmd == NULL) {
		log_error("unknown command '%s' (see mldash --help)", name);
		return 2;
	}
	/* Before the configuration, which a machine asking for help may lack. */
	if (asks_help(cmd, argc - optind, argv + optind)) {
		command_usage(stdout, cmd);
		return 0;
	}

	if (cmd->run_own_config != NULL)
		return cmd->run_own_config(config_path, argc - optind, argv + optind);

	static struct mldash_config cfg;
	char err[1024];
	if (config_load(&cfg, config_path, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	log_set_threshold(cfg.log.level);
	config_apply_timezone(&cfg); /* an ML sync's day is the local one */
	return cmd->run(&cfg, argc - optind, argv + optind);
}
