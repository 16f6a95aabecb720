/* mldash render: one chart of the latest ML run, to a PNG file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h" /* transitional: moves into db/ */
#include "chart_db.h"
#include "commands.h"
#include "log.h"

int cmd_render(const struct mldash_config *cfg, int argc, char **argv)
{
	static const struct option options[] = {
		{ "out", required_argument, NULL, 'o' },   { "width", required_argument, NULL, 'w' },
		{ "height", required_argument, NULL, 'h' }, { "theme", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'd' },   { "channel", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct chart_style style = { CHART_DEFAULT_WIDTH, CHART_DEFAULT_HEIGHT, 0, NULL };
	const char *out = NULL, *channel = "";
	int days = 0, opt;
	optind = 0; /* GNU getopt: 0 re-initialises it for this option string */
	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'w': style.width = atoi(optarg); break;
		case 'h': style.height = atoi(optarg); break;
		case 't':
			if (strcmp(optarg, "dark") != 0 && strcmp(optarg, "light") != 0) {
				log_error("render: --theme must be light or dark, got '%s'", optarg);
				return 2;
			}
			style.dark = strcmp(optarg, "dark") == 0;
			break;
		case 'd': days = atoi(optarg); break;
		case 'c': channel = optarg; break;
		default: return 2;
		}
	}
	int kind = optind < argc ? chart_kind_from_name(argv[optind]) : -1;
	if (kind < 0 || optind + 1 != argc || out == NULL) {
		log_error("render: usage: render roi-forecast|roi-timeseries|reach-ctr|"
			  "budget-recommendation -o FILE.png [--width W] [--height H] [--theme light|dark]"
			  " [--days D] [--channel C]");
		return 2;
	}
	if (style.width < 200 || style.width > 4000 || style.height < 150 || style.height > 3000 ||
	    days < 0 || days > 730) {
		log_error("render: width 200-4000, height 150-3000, days 0-730");
		return 2;
	}
	struct db *db = db_new(cfg);
	if (db == NULL || db_connect(db) != DB_OK) {
		log_error("render: cannot connect to MariaDB: %s", db ? db_error(db) : "out of memory");
		db_free(db);
		return 1;
	}
	long long run = 0;
	char run_time[32] = "";
	MYSQL_RES *res;
	if (db_query(db, "SELECT id, DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i UTC') FROM ml_runs"
			 " WHERE job = 'ml_sync' AND status = 'succeeded' ORDER BY id DESC LIMIT 1", &res) == DB_OK) {
		MYSQL_ROW row = mysql_fetch_row(res);
		if (row) {
			run = atoll(row[0]);
			snprintf(run_time, sizeof run_time, "%s", row[1] ? row[1] : "");
		}
		mysql_free_result(res);
	}
	struct chart_data data;
	struct chart_rows rows;
	unsigned char *png = NULL;
	int size = 0, rc = 1;
	if (chart_load(db, run, run_time, (enum chart_kind)kind, channel, days, &data, &rows) != DB_OK)
		log_error("render: reading the run failed: %s", db_error(db));
	else if (chart_render(&data, &style, &png, &size) != 0)
		log_error("render: drawing failed");
	else {
		FILE *f = fopen(out, "wb");
		if (f == NULL || fwrite(png, 1, (size_t)size, f) != (size_t)size || fclose(f) != 0)
			log_error("render: cannot write %s", out);
		else
			rc = 0;
	}
	chart_free(png);
	chart_rows_free(&rows);
	db_free(db);
	return rc;
}
