/* api_import: POST /campaigns/import, a report file as the request body. */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "handlers.h"
#include "importer.h"
#include "log.h"
#include "query.h"
#include "response.h"

struct body_limit {
	const struct request *req;
	long long left; /* bytes the client may still send */
};

/* Reads the body, refusing to go past the configured limit even when the
 * client sent no Content-Length. */
static long read_limited(void *ctx, void *buf, size_t len)
{
	struct body_limit *b = ctx;
	if (b->left <= 0)
		return b->req->read_body(b->req->body, buf, 1) > 0 ? -1 : 0;
	if ((long long)len > b->left)
		len = (size_t)b->left;
	long n = b->req->read_body(b->req->body, buf, len);
	if (n > 0)
		b->left -= n;
	return n;
}

static void upload_name(const struct request *req, char *name, size_t len)
{
	if (query_get(req->query, "name", name, len) == 1 && name[0] != '\0')
		return;
	time_t now = time(NULL);
	struct tm utc;
	gmtime_r(&now, &utc);
	strftime(name, len, "upload-%Y%m%dT%H%M%SZ.csv", &utc);
}

void api_campaigns_import(struct app *app, const struct request *req, struct response *resp)
{
	char name[200];
	upload_name(req, name, sizeof name);
	struct body_limit limit = { req, app->cfg->api.max_upload_bytes };
	struct import_report report;
	enum import_status status = import_stream(app->db, name, read_limited, &limit, &report);
	log_info("import %s via HTTP: %s, %lu rows in, %lu rejected%s%s", name,
		 import_status_names[status], report.rows_ok, report.rows_rejected,
		 report.message[0] ? ": " : "", report.message);

	switch (status) {
	case IMPORT_IMPORTED:
	case IMPORT_PARTIAL:
	case IMPORT_EMPTY:
	case IMPORT_DUPLICATE:
		response_json(resp, 200, import_report_json(&report));
		resp->cache_control = "no-store";
		break;
	case IMPORT_REJECTED: {
		struct json_object *err = json_object_new_object();
		json_object_object_add(err, "code", json_object_new_string("unusable_file"));
		json_object_object_add(err, "message", json_object_new_string(report.message));
		json_object_object_add(err, "report", import_report_json(&report));
		struct json_object *outer = json_object_new_object();
		json_object_object_add(outer, "error", err);
		response_json(resp, 400, outer);
		resp->cache_control = "no-store";
		break;
	}
	case IMPORT_FAILED:
	case IMPORT_STATUS__MAX:
		if (report.db_status != DB_OK) {
			api_database_failure(app, report.db_status, resp);
		} else if (limit.left <= 0) {
			response_error(resp, 413, "payload_too_large",
				       "the body is larger than [api] max_upload_bytes (%d)",
				       app->cfg->api.max_upload_bytes);
		} else {
			response_error(resp, 500, "import_failed", "%s", report.message);
		}
		break;
	}
	import_report_free(&report);
}
