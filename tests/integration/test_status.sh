#!/usr/bin/env bash
# GET /status through nginx: database reachable, schema current, row counts,
# ETag and Cache-Control, 304 on a matching If-None-Match; /health.
. "$(dirname "$0")/lib.sh"

http GET /status
expect_status 200 "status"
[ "$(header Content-Type)" = "application/json" ] || fail "status: Content-Type is $(header Content-Type)"
expect_json .database.reachable true "status"
expect_json .version "$("$MLDASH_BUILD_DIR/cli/mldash" --version | cut -d' ' -f2)" "status"
latest=$(ls "$SRC/db/migrations" | grep -cE '^[0-9]{3}_.*\.sql$')
expect_json .database.schema_version "$latest" "status"
expect_json .database.schema_latest "$latest" "status"
for table in campaigns campaign_daily ingest_files ml_runs ml_roi_forecast ml_roi_timeseries \
	ml_reach_ctr_timeseries ml_budget_recommendation ml_chart_cache; do
	json ".rows.$table | numbers" >/dev/null || fail "status: no row count for $table"
done
etag=$(header ETag)
[ -n "$etag" ] || fail "status: no ETag"
[ -n "$(header Cache-Control)" ] || fail "status: no Cache-Control"
pass "status 200 with database, schema $latest and row counts"

http GET /status -H "If-None-Match: $etag"
expect_status 304 "status with If-None-Match"
[ ! -s "$BODY" ] || fail "304 carries a body"
[ "$(header ETag)" = "$etag" ] || fail "304 ETag differs"
http GET /status -H 'If-None-Match: "0000000000000000"'
expect_status 200 "status with a stale If-None-Match"
pass "If-None-Match gives 304, a stale tag 200"

http HEAD /status
expect_status 200 "HEAD status"
[ "$(header ETag)" = "$etag" ] || fail "HEAD ETag '$(header ETag)' differs from GET's '$etag'"
pass "HEAD answers with GET's headers"

http GET /health
expect_status 200 "health"
expect_json .status ok "health"
pass "health 200"

# The dashboard page is served by nginx itself.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MLDASH_PORT/")
[ "$code" = 200 ] || fail "web/ index: HTTP $code"
pass "web/ served at /"

# /metrics: the Prometheus text format, with the numbers /status has.
http GET /status
cp "$BODY" "$TMP/status.json"
http GET /metrics
expect_status 200 "/metrics"
[[ "$(header Content-Type)" == "text/plain; version=0.0.4"* ]] || fail "/metrics type: $(header Content-Type)"
sample='^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9]+(\.[0-9]+)?$'
comment='^# (HELP [a-z_]+ .+|TYPE [a-z_]+ (gauge|counter))$'
bad=$(grep -vE "$sample|$comment" "$BODY" || true)
[ -z "$bad" ] || fail "/metrics lines not in the text format: $bad"
for name in $(grep -oE '^[a-z_]+' "$BODY" | sort -u); do
	grep -q "^# TYPE $name " "$BODY" || fail "/metrics: $name has no TYPE line"
done
grep -qx 'mldash_database_up 1' "$BODY" || fail "/metrics: database not up"
for table in campaigns campaign_daily ml_runs; do
	want=$(jq -r ".rows.$table" "$TMP/status.json")
	grep -qx "mldash_table_rows{table=\"$table\"} $want" "$BODY" ||
		fail "/metrics rows of $table differ from /status ($want): $(grep "table=\"$table\"" "$BODY")"
done
next=$(date -u -d "$(jq -r .jobs.ml_sync.next_run "$TMP/status.json")" +%s)
grep -qx "mldash_job_next_run_timestamp_seconds{job=\"ml_sync\"} $next" "$BODY" ||
	fail "/metrics next ml_sync run differs from /status ($next)"
pass "/metrics: Prometheus text format, rows and next run as in /status"
