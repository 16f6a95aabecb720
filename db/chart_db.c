#include "db_internal.h"
#include "chart_db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void chart_rows_free(struct chart_rows *rows)
{
	free(rows->bars);
	free(rows->points[0]);
	free(rows->points[1]);
	memset(rows, 0, sizeof *rows);
}

static double num(const char *s)
{
	return s ? strtod(s, NULL) : NAN;
}

static enum db_status query(struct db *db, char *sql, MYSQL_RES **res)
{
	return db_exec_noretry(db, sql, res);
}

static enum db_status load_bars(struct db *db, long long run, enum chart_kind kind,
				const char *channel_sql, struct chart_data *data, struct chart_rows *rows)
{
	char sql[1024];
	if (kind == CHART_ROI_FORECAST)
		snprintf(sql, sizeof sql,
			 "SELECT channel, predicted_roi, roi_lower_80, roi_upper_80, roi_lower, roi_upper"
			 " FROM ml_roi_forecast WHERE run_id = %lld AND %s ORDER BY predicted_roi IS NULL,"
			 " predicted_roi DESC", run, channel_sql);
	else
		snprintf(sql, sizeof sql,
			 "SELECT channel, current_budget, recommended_budget FROM ml_budget_recommendation"
			 " WHERE run_id = %lld AND %s ORDER BY recommended_budget DESC", run, channel_sql);
	MYSQL_RES *res;
	enum db_status st = query(db, sql, &res);
	if (st != DB_OK)
		return st;
	int n = (int)mysql_num_rows(res);
	rows->bars = calloc((size_t)(n ? n : 1), sizeof *rows->bars);
	MYSQL_ROW row;
	int i = 0;
	while (rows->bars && (row = mysql_fetch_row(res)) != NULL) {
		struct chart_bar *b = &rows->bars[i++];
		snprintf(b->channel, sizeof b->channel, "%s", row[0]);
		if (kind == CHART_ROI_FORECAST) {
			b->value = num(row[1]), b->lo80 = num(row[2]), b->hi80 = num(row[3]);
			b->lo95 = num(row[4]), b->hi95 = num(row[5]);
		} else {
			b->current = num(row[1]), b->recommended = num(row[2]);
		}
	}
	mysql_free_result(res);
	data->bars = rows->bars;
	data->nbars = rows->bars ? i : 0;
	return rows->bars ? DB_OK : DB_ERROR;
}

/* The two panels of a time series chart. */
static enum db_status load_series(struct db *db, long long run, enum chart_kind kind,
				  const char *channel_sql, int days, struct chart_data *data,
				  struct chart_rows *rows)
{
	const char *table = kind == CHART_ROI_TIMESERIES ? "ml_roi_timeseries" : "ml_reach_ctr_timeseries";
	const char *cols = kind == CHART_ROI_TIMESERIES
				   ? "roi, roi_lower_80, roi_upper_80, roi_lower, roi_upper, conversions,"
				     " conversions_lower_80, conversions_upper_80, conversions_lower, conversions_upper"
				   : "reach, NULL, NULL, reach_lower, reach_upper, ctr, NULL, NULL, ctr_lower, ctr_upper";
	char filter[300] = "", sql[1600];
	if (days > 0)
		snprintf(filter, sizeof filter,
			 " AND (kind = 'forecast' OR day > (SELECT MAX(day) FROM %s WHERE run_id = %lld"
			 " AND kind = 'actual') - INTERVAL %d DAY)", table, run, days);
	snprintf(sql, sizeof sql,
		 "SELECT DATEDIFF(day, '1970-01-01'), kind = 'forecast', %s FROM %s WHERE run_id = %lld"
		 " AND %s%s ORDER BY day", cols, table, run, channel_sql, filter);
	MYSQL_RES *res;
	enum db_status st = query(db, sql, &res);
	if (st != DB_OK)
		return st;
	int n = (int)mysql_num_rows(res);
	for (int k = 0; k < 2; k++)
		rows->points[k] = calloc((size_t)(n ? n : 1), sizeof *rows->points[k]);
	MYSQL_ROW row;
	int i = 0;
	while (rows->points[0] && rows->points[1] && (row = mysql_fetch_row(res)) != NULL) {
		for (int k = 0; k < 2; k++) {
			struct chart_point *p = &rows->points[k][i];
			p->day = atol(row[0]);
			p->forecast = row[1] && atoi(row[1]);
			p->v = num(row[2 + 5 * k]), p->lo80 = num(row[3 + 5 * k]), p->hi80 = num(row[4 + 5 * k]);
			p->lo95 = num(row[5 + 5 * k]), p->hi95 = num(row[6 + 5 * k]);
		}
		i++;
	}
	mysql_free_result(res);
	if (rows->points[0] == NULL || rows->points[1] == NULL)
		return DB_ERROR;
	int roi = kind == CHART_ROI_TIMESERIES;
	data->panels[0] = (struct chart_panel){
		roi ? "ROI" : "Reach per day (summed over campaigns: an upper bound)", roi, rows->points[0], i };
	data->panels[1] = (struct chart_panel){ roi ? "Conversions" : "Click-through rate", !roi, rows->points[1], i };
	return DB_OK;
}

enum db_status chart_load(struct db *db, long long run, const char *run_time, enum chart_kind kind,
			  const char *channel, int days, struct chart_data *data,
			  struct chart_rows *rows)
{
	memset(data, 0, sizeof *data);
	memset(rows, 0, sizeof *rows);
	data->kind = kind;
	int bars = kind == CHART_ROI_FORECAST || kind == CHART_BUDGET;
	char escaped[140] = "", channel_sql[200];
	const char *name = *channel ? channel : "all";
	if (db_mysql(db) != NULL)
		mysql_real_escape_string(db_mysql(db), escaped, name, (unsigned long)strlen(name));
	if (bars && *channel == '\0')
		snprintf(channel_sql, sizeof channel_sql, "channel <> 'all'");
	else
		snprintf(channel_sql, sizeof channel_sql, "channel = '%s'", escaped);
	snprintf(data->subtitle, sizeof data->subtitle, "%s%s%s%s", run_time && *run_time ? "run of " : "",
		 run_time && *run_time ? run_time : "", !bars ? (run_time && *run_time ? " · " : "") : "",
		 !bars ? (*channel ? channel : "all channels") : "");
	if (run == 0)
		return DB_OK;
	enum db_status st = bars ? load_bars(db, run, kind, channel_sql, data, rows)
				 : load_series(db, run, kind, channel_sql, days, data, rows);
	if (st == DB_OK && kind == CHART_BUDGET && data->nbars > 0) {
		MYSQL_RES *res;
		char sql[300];
		snprintf(sql, sizeof sql,
			 "SELECT SUM(expected_revenue) - SUM(expected_revenue_current) FROM"
			 " ml_budget_recommendation WHERE run_id = %lld", run);
		if (query(db, sql, &res) == DB_OK) {
			MYSQL_ROW row = mysql_fetch_row(res);
			if (row && row[0]) {
				size_t len = strlen(data->subtitle);
				snprintf(data->subtitle + len, sizeof data->subtitle - len,
					 "%sexpected uplift %+.0f a day", len ? " · " : "", atof(row[0]));
			}
			mysql_free_result(res);
		}
	}
	return st;
}
