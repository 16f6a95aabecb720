/*
 * handlers: one function per endpoint, each in its own api_*.c file.
 * Internal to mldash-fcgi; the route table in api.c says which gates run
 * before each.
 */
#ifndef MLDASH_HANDLERS_H
#define MLDASH_HANDLERS_H

#include "app.h"

#define RETRY_AFTER_SECONDS 5

route_handler api_health;
route_handler api_status;
route_handler api_metrics;
route_handler api_campaigns_import;
route_handler api_roi_forecast;
route_handler api_roi_timeseries;
route_handler api_reach_ctr;
route_handler api_budget;
route_handler api_budget_curves;
route_handler api_budget_history;
route_handler api_accuracy;
route_handler api_anomalies;
route_handler api_sync_now;
route_handler api_chart;

#endif
