/*
 * chart_db: the rows of one ML run, read into chart data (chart.h).
 */
#ifndef MLDASH_CHART_DB_H
#define MLDASH_CHART_DB_H

#include <stddef.h>

#include "chart.h"
#include "db.h"

/* Owns what a chart_data points into; free with chart_rows_free. */
struct chart_rows {
	struct chart_bar *bars;
	struct chart_point *points[2];
};

/*
 * Fills data for chart kind from run (finished at run_time, may be "").
 * channel: "" for the default (every channel for bars, "all" for series);
 * days: actual days shown in series, 0 for all stored. A run or channel with
 * no rows gives empty data (the chart then says so).
 */
enum db_status chart_load(struct db *db, long long run, const char *run_time, enum chart_kind kind,
			  const char *channel, int days, struct chart_data *data,
			  struct chart_rows *rows);

void chart_rows_free(struct chart_rows *rows);

#endif
