/* api_import: POST /campaigns/import, a report file as the request body. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "importer.h"
#include "log.h"
#include "query.h"
#include "response.h"
#include "text.h"

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

#define UPLOAD_NAME_MAX 255

/* The file's name: ?name= (valid UTF-8 without control characters, at most
 * 255 bytes: it is stored and logged), or one made from the time. Returns 0,
 * or -1 with the 400 answer set. */
static int upload_name(const struct request *req, char *name, size_t len, struct response *resp)
{
	int found = query_get(req->query, "name", name, len);
	if (found == 1 && name[0] != '\0') {
		if (strlen(name) <= UPLOAD_NAME_MAX && text_printable(name))
			return 0;
		found = -1;
	}
	if (found < 0) {
		response_error(resp, 400, "bad_parameter",
			       "parameter 'name' must be valid UTF-8 without control characters, "
			       "at most %d bytes", UPLOAD_NAME_MAX);
		return -1;
	}
	time_t now = time(NULL);
	struct tm utc;
	gmtime_r(&now, &utc);
	strftime(name, len, "upload-%Y%m%dT%H%M%SZ.csv", &utc);
	return 0;
}

void api_campaigns_import(struct app *app, const struct request *req, struct response *resp)
{
	char name[UPLOAD_NAME_MAX + 2]; /* one more byte tells a longer name */
	if (upload_name(req, name, sizeof name, resp) != 0)
		return;
	struct body_limit limit = { req, app->cfg->api.max_upload_bytes };
	struct import_report report;
	enum import_status status = import_stream(app->db, name, read_limited, &limit, NULL, &report);
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
		json_object_object_add(err, "request_id", json_object_new_string(resp->request_id));
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
			log_error("import %s failed: %s", name, report.message);
			response_error(resp, 500, "import_failed",
				       "the import failed and nothing of it was stored; the server log "
				       "has the cause under request id %s", resp->request_id);
		}
		break;
	}
	import_report_free(&report);
}
