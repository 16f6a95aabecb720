/* api: the route table of /api/ml-dashboard/ and the shared error answers. */
#include "addrlist.h"
#include "handlers.h"
#include "log.h"
#include "migrate.h"
#include "response.h"
#include "status.h"

#define API_BASE "/api/ml-dashboard"

int api_client_internal(const struct app *app, const struct request *req)
{
	return addrlist_contains(app->cfg->api.internal_allow, req->remote_addr);
}

enum db_status api_memo_schema(struct app *app, int recent, int memo_version,
			       enum db_status (*refresh)(struct app *app, int schema_version),
			       int *version)
{
	if (recent && status_connection_open(app->db)) {
		*version = memo_version;
		return DB_OK;
	}
	enum db_status st = migrate_schema_version(app->db, version);
	/* Without the schema there is nothing to read; the answer says so. */
	if (st == DB_OK && *version >= 1)
		st = refresh(app, *version);
	return st;
}

void api_database_failure(struct app *app, enum db_status st, struct response *resp)
{
	if (st == DB_UNAVAILABLE) {
		log_warn("database unavailable: %s", db_error(app->db));
		response_error(resp, 503, "database_unavailable",
			       "the database is unreachable; retry in %d seconds",
			       RETRY_AFTER_SECONDS);
		resp->retry_after = RETRY_AFTER_SECONDS;
	} else {
		log_error("database error: %s", db_error(app->db));
		response_error(resp, 500, "database_error",
			       "the database refused the query; the server log has the cause under "
			       "request id %s", resp->request_id);
	}
}

const struct route api_routes[] = {
	{ API_BASE "/health", HTTP_GET, 0, api_health },
	{ API_BASE "/status", HTTP_GET, ROUTE_NEEDS_DB, api_status },
	{ API_BASE "/metrics", HTTP_GET, ROUTE_INTERNAL, api_metrics }, /* answers with the database down too */
	{ API_BASE "/campaigns/import", HTTP_POST, ROUTE_NEEDS_AUTH | ROUTE_TAKES_CSV | ROUTE_NEEDS_DB,
	  api_campaigns_import },
	{ API_BASE "/sync-now", HTTP_POST, ROUTE_NEEDS_AUTH | ROUTE_NEEDS_DB, api_sync_now },
	{ API_BASE "/roi-forecast/data", HTTP_GET, ROUTE_NEEDS_DB, api_roi_forecast },
	{ API_BASE "/roi-timeseries/data", HTTP_GET, ROUTE_NEEDS_DB, api_roi_timeseries },
	{ API_BASE "/reach-ctr/data", HTTP_GET, ROUTE_NEEDS_DB, api_reach_ctr },
	{ API_BASE "/budget-recommendation/data", HTTP_GET, ROUTE_NEEDS_DB, api_budget },
	{ API_BASE "/budget-recommendation/curves", HTTP_GET, ROUTE_NEEDS_DB, api_budget_curves },
	{ API_BASE "/budget-recommendation/history", HTTP_GET, ROUTE_NEEDS_DB, api_budget_history },
	{ API_BASE "/accuracy/data", HTTP_GET, ROUTE_NEEDS_DB, api_accuracy },
	{ API_BASE "/anomalies/data", HTTP_GET, ROUTE_NEEDS_DB, api_anomalies },
	{ API_BASE "/roi-forecast/chart", HTTP_GET, ROUTE_NEEDS_DB, api_chart },
	{ API_BASE "/roi-timeseries/chart", HTTP_GET, ROUTE_NEEDS_DB, api_chart },
	{ API_BASE "/reach-ctr/chart", HTTP_GET, ROUTE_NEEDS_DB, api_chart },
	{ API_BASE "/budget-recommendation/chart", HTTP_GET, ROUTE_NEEDS_DB, api_chart },
	{ API_BASE "/budget-recommendation/curves/chart", HTTP_GET, ROUTE_NEEDS_DB, api_chart },
	{ API_BASE "/accuracy/chart", HTTP_GET, ROUTE_NEEDS_DB, api_chart },
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
