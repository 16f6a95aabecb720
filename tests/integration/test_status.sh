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
