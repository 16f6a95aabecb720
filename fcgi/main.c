/*
 * mldash-fcgi: the FastCGI worker. Started by spawn-fcgi (the listening
 * socket is fd 0), kept alive by multiwatch or systemd. One request at a
 * time: accept, gate, handle, write, free.
 */
#include <errno.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "handlers.h"
#include "answer_cache.h"
#include "auth.h"
#include "calendar.h"
#include "chart.h"
#include "log.h"
#include "migrate.h"
#include "response.h"
#include "version.h"

/* Per worker: the time series answers (up to ~1 MB each for 730 days of all
 * channels) of the latest run, for the dashboards' few distinct requests. */
#define ANSWER_CACHE_ENTRIES 64
#define ANSWER_CACHE_BYTES (16u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mldash-fcgi [--config FILE]\n"
		"\n"
		"FastCGI worker of the mldash API, started by spawn-fcgi, which hands it\n"
		"the listening socket as standard input.\n"
		"\n"
		"  -c, --config FILE  configuration file (default: $MLDASH_CONFIG or\n"
		"                     " MLDASH_DEFAULT_CONFIG ")\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n");
}

/* --routes: each route's declared methods and path, one "METHOD PATH" line
 * per method, in table order (tests/integration/test_routes.sh compares them
 * with docs/openapi.yaml). GET routes also answer HEAD and OPTIONS through
 * the router; those are not declared in the table and are not listed. */
static void print_routes(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} methods[] = {
		{ HTTP_GET, "GET" }, { HTTP_HEAD, "HEAD" }, { HTTP_POST, "POST" },
		{ HTTP_PUT, "PUT" }, { HTTP_DELETE, "DELETE" }, { HTTP_PATCH, "PATCH" },
		{ HTTP_OPTIONS, "OPTIONS" },
	};
	for (size_t i = 0; i < api_routes_count; i++)
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
			if (api_routes[i].methods & methods[m].bit)
				printf("%s %s\n", methods[m].name, api_routes[i].path);
}

static void on_terminate(int sig)
{
	(void)sig;
	/* Lets libfcgi's accept loop give up instead of retrying on EINTR. */
	FCGX_ShutdownPending();
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static long read_body(void *body, void *buf, size_t len)
{
	FCGX_Stream *in = body;
	int n = FCGX_GetStr(buf, len > 1 << 20 ? 1 << 20 : (int)len, in);
	return n < 0 || FCGX_GetError(in) != 0 ? -1 : n;
}

static void read_request(FCGX_Request *fr, struct request *req)
{
	char **env = fr->envp;
	req->method = FCGX_GetParam("REQUEST_METHOD", env);
	if (req->method == NULL)
		req->method = "GET";
	req->method_bit = router_method_bit(req->method);
	req->path = FCGX_GetParam("DOCUMENT_URI", env);
	if (req->path == NULL)
		req->path = FCGX_GetParam("SCRIPT_NAME", env);
	if (req->path == NULL)
		req->path = "/";
	req->query = FCGX_GetParam("QUERY_STRING", env);
	if (req->query == NULL)
		req->query = "";
	req->if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", env);
	req->origin = FCGX_GetParam("HTTP_ORIGIN", env);
	req->authorization = FCGX_GetParam("HTTP_AUTHORIZATION", env);
	req->content_type = FCGX_GetParam("CONTENT_TYPE", env);
	req->remote_addr = FCGX_GetParam("REMOTE_ADDR", env);
	req->request_id = FCGX_GetParam("REQUEST_ID", env);
	const char *length = FCGX_GetParam("CONTENT_LENGTH", env);
	req->content_length = length && *length ? strtoll(length, NULL, 10) : -1;
	req->read_body = read_body;
	req->body = fr->in;
}

/* Is the body of a type we parse and within the size limit? Sets the 415 or
 * 413 answer when not. */
static int csv_body_acceptable(struct app *app, const struct request *req, struct response *resp)
{
	static const char *const types[] = { "text/csv", "text/tab-separated-values" };
	const char *type = req->content_type ? req->content_type : "";
	size_t len = strcspn(type, "; ");
	int known = 0;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		known |= strlen(types[i]) == len && strncasecmp(type, types[i], len) == 0;
	if (!known) {
		response_error(resp, 415, "unsupported_media_type",
			       "Content-Type '%.100s' is not accepted: send text/csv or "
			       "text/tab-separated-values", type);
		return 0;
	}
	if (req->content_length > app->cfg->api.max_upload_bytes) {
		response_error(resp, 413, "payload_too_large",
			       "the body has %lld bytes; the limit ([api] max_upload_bytes) is %d",
			       req->content_length, app->cfg->api.max_upload_bytes);
		return 0;
	}
	return 1;
}

/* May this request use a writing route? Sets the 403 (no token configured)
 * or 401 (wrong or missing token) answer when not. */
static int write_allowed(const struct mldash_config *cfg, const struct request *req,
			 struct response *resp)
{
	if (config_writes_open(cfg))
		return 1;
	if (cfg->api.token[0] == '\0') {
		response_error(resp, 403, "writes_disabled",
			       "writing endpoints are closed because no API token is configured: "
			       "set [api] token or [api] token_file (or MLDASH_API_TOKEN) and send "
			       "'Authorization: Bearer <token>'");
		return 0;
	}
	if (auth_bearer_ok(cfg->api.token, req->authorization))
		return 1;
	response_error(resp, 401, "unauthorized",
		       "this endpoint needs the header 'Authorization: Bearer <token>' "
		       "with the token of [api] token");
	resp->authenticate = "Bearer realm=\"mldash\"";
	return 0;
}

/* The gates, always in this order: path and method, then who may write and
 * what the body is, then the database, then the handler. */
static void dispatch(struct app *app, const struct request *req, struct response *resp)
{
	const struct route *route = NULL;
	char allow[sizeof resp->allow];

	switch (router_match(api_routes, api_routes_count, req->method, req->path, &route, allow,
			     sizeof allow)) {
	case ROUTE_NOT_FOUND:
		response_error(resp, 404, "not_found", "no such endpoint: %s", req->path);
		return;
	case ROUTE_METHOD_NOT_ALLOWED:
		response_error(resp, 405, "method_not_allowed", "%s is not allowed on %s; use %s",
			       req->method, req->path, allow);
		memcpy(resp->allow, allow, sizeof allow);
		return;
	case ROUTE_FOUND:
		break;
	}
	if (req->method_bit == HTTP_OPTIONS) {
		resp->status = 204;
		memcpy(resp->allow, allow, sizeof allow);
		return;
	}
	if ((route->flags & ROUTE_INTERNAL) && !api_client_internal(app, req)) {
		response_error(resp, 403, "forbidden",
			       "%s is served only to the addresses of [api] internal_allow", req->path);
		return;
	}
	if ((route->flags & ROUTE_NEEDS_AUTH) && !write_allowed(app->cfg, req, resp))
		return;
	if ((route->flags & ROUTE_TAKES_CSV) && !csv_body_acceptable(app, req, resp))
		return;
	if (route->flags & ROUTE_NEEDS_DB) {
		enum db_status st = db_connect(app->db);
		if (st != DB_OK) {
			api_database_failure(app, st, resp);
			return;
		}
	}
	route->handler(app, req, resp);
}

static void write_response(FCGX_Request *fr, const struct request *req, struct response *resp,
			   const struct mldash_config *cfg)
{
	const char *allow_origin = NULL;
	if (req->origin != NULL && config_origin_allowed(cfg, req->origin))
		allow_origin = req->origin;
	int vary_origin = cfg->api.cors_origins[0] != '\0';

	char head[2048];
	size_t head_len = response_format_head(resp, allow_origin, vary_origin, head, sizeof head);
	if (head_len == 0) {
		/* The answer is still written (a write may have happened: a
		 * client told nothing would send it again), without CORS. */
		log_error("response header block too large for %s: sent without CORS", req->path);
		head_len = response_format_head(resp, NULL, vary_origin, head, sizeof head);
		if (head_len == 0)
			return;
	}
	FCGX_PutStr(head, (int)head_len, fr->out);
	if (req->method_bit != HTTP_HEAD && resp->body_len > 0)
		FCGX_PutStr(resp->body, (int)resp->body_len, fr->out);
}

static int serve(struct app *app)
{
	FCGX_Request fr;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("cannot initialise libfcgi");
		return 1;
	}
	if (FCGX_IsCGI()) {
		log_error("standard input is not a FastCGI socket; start me with spawn-fcgi");
		return 1;
	}
	log_info("worker ready (mldash %s)", MLDASH_VERSION);
	unsigned long served = 0;
	while (FCGX_Accept_r(&fr) >= 0) {
		struct request req;
		struct response resp;
		char own_id[40];
		read_request(&fr, &req);
		if (req.request_id == NULL || req.request_id[0] == '\0') {
			snprintf(own_id, sizeof own_id, "w%ld-%lu", (long)getpid(), served);
			req.request_id = own_id;
		}
		served++;
		response_init(&resp);
		response_set_request_id(&resp, req.request_id);
		log_set_request(resp.request_id);
		dispatch(app, &req, &resp);
		response_finalize(&resp, req.method_bit & (HTTP_GET | HTTP_HEAD),
				  req.if_none_match);
		write_response(&fr, &req, &resp, app->cfg);
		response_free(&resp);
		log_set_request(NULL);
		FCGX_Finish_r(&fr);
	}
	log_info("worker stopping");
	FCGX_Free(&fr, 1);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "routes", no_argument, NULL, 'R' }, /* maintenance: not in --help */
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	int opt;

	log_init("mldash-fcgi", LOG_LEVEL_INFO);
	while ((opt = getopt_long(argc, argv, "c:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mldash-fcgi %s\n", MLDASH_VERSION); return 0;
		case 'R': print_routes(); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}

	static struct mldash_config cfg;
	char err[1024];
	if (config_load(&cfg, config_path, err, sizeof err) != 0 ||
	    log_use_file(cfg.log.file, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	log_set_threshold(cfg.log.level);
	if (config_read_token_file(&cfg, err, sizeof err) != 0) {
		log_error("%s", err);
		return 2;
	}
	if (config_writes_open(&cfg))
		log_warn("[api] allow_unauthenticated_writes is on and no token is set: anyone who "
			 "reaches this server can import data and start syncs");
	else if (cfg.api.token[0] == '\0')
		log_warn("no [api] token is configured: import and sync-now answer 403 until one is set");
	config_apply_timezone(&cfg); /* /status tells the next run of each schedule */

	struct app app = { .cfg = &cfg };
	if (migrate_count_files(cfg.paths.migrations_dir, &app.migrations_latest) < 0)
		log_warn("cannot read migrations folder %s", cfg.paths.migrations_dir);
	app.db = db_new(&cfg);
	app.text_cache = chart_text_cache_new();
	app.answers = answer_cache_new(ANSWER_CACHE_ENTRIES, ANSWER_CACHE_BYTES);
	if (app.db == NULL || app.text_cache == NULL || app.answers == NULL) {
		log_error("out of memory");
		return 1;
	}
	if (calendar_load(&cfg, &app.calendar, err, sizeof err) != 0)
		log_warn("%s; charts drawn on demand mark the built-in calendar's events", err);
	install_signals();
	/* Connect early so the first request is fast; failure is not fatal. */
	if (db_connect(app.db) != DB_OK)
		log_warn("database not reachable yet: %s", db_error(app.db));

	int rc = serve(&app);
	answer_cache_free(app.answers);
	chart_text_cache_free(app.text_cache);
	event_calendar_free(app.calendar);
	db_free(app.db);
	return rc;
}
