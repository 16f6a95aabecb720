#!/usr/bin/env bash
# GET /status through nginx: database reachable, schema current, row counts
# (estimates, labelled so, but ml_runs counted), ETag and Cache-Control, 304
# on a matching If-None-Match; /health; /metrics; and neither /status nor
# /metrics reads the rows of a big table (no COUNT(*) per request).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

# Campaign days and an ML run, so that the big tables have rows to (not) read;
# then more than the workers' memo time (1 s), so that every answer below
# was read after them.
ensure_ml_run
sleep 1.1

http GET /status
expect_status 200 "status"
[ "$(header Content-Type)" = "application/json" ] || fail "status: Content-Type is $(header Content-Type)"
expect_json .database.reachable true "status"
expect_json .version "$("$MLDASH_BUILD_DIR/cli/mldash" --version | cut -d' ' -f2)" "status"
latest=$(ls "$SRC/db/migrations" | grep -cE '^[0-9]{3}_.*\.sql$')
expect_json .database.schema_version "$latest" "status"
expect_json .database.schema_latest "$latest" "status"
big_tables="campaigns campaign_daily ingest_files ml_roi_forecast ml_roi_timeseries
	ml_reach_ctr_timeseries ml_budget_recommendation ml_budget_days ml_chart_cache ml_forecast_log
	ml_accuracy ml_anomalies"
for table in $big_tables ml_runs; do
	json ".rows.$table | numbers | select(. >= 0)" >/dev/null || fail "status: no row count for $table"
done
# The tables that grow with the data are the server's estimates, and say so;
# ml_runs (pruned, small by construction) is counted exactly.
[ "$(json '.rows_estimated | sort | join(" ")')" = "$(printf '%s\n' $big_tables | sort | paste -sd' ')" ] ||
	fail "status: rows_estimated is $(jq -c .rows_estimated "$BODY"), expected the tables $big_tables"
expect_json .rows.ml_runs "$(sql "SELECT COUNT(*) FROM ml_runs")" "status: ml_runs counted"
[ -n "$(header ETag)" ] || fail "status: no ETag"
[ -n "$(header Cache-Control)" ] || fail "status: no Cache-Control"
pass "status 200 with database, schema $latest and row counts (estimates labelled, ml_runs exact)"

# The tags are compared on the public view: the full one carries the row
# estimates, which InnoDB recalculates in the background seconds after a
# write (and each worker reads them at its own moment).
PUBLIC=(--interface 127.0.0.2)
http GET /status "${PUBLIC[@]}"
expect_json .detail public "status from 127.0.0.2"
etag=$(header ETag)
[ -n "$etag" ] || fail "public status: no ETag"
http GET /status -H "If-None-Match: $etag" "${PUBLIC[@]}"
expect_status 304 "status with If-None-Match"
[ ! -s "$BODY" ] || fail "304 carries a body"
[ "$(header ETag)" = "$etag" ] || fail "304 ETag differs"
http GET /status -H 'If-None-Match: "0000000000000000"' "${PUBLIC[@]}"
expect_status 200 "status with a stale If-None-Match"
pass "If-None-Match gives 304, a stale tag 200"

http HEAD /status "${PUBLIC[@]}"
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
# Estimates under a name that says so, exact counts under mldash_table_rows.
want=$(jq -r .rows.ml_runs "$TMP/status.json")
grep -qx "mldash_table_rows{table=\"ml_runs\"} $want" "$BODY" ||
	fail "/metrics rows of ml_runs differ from /status ($want): $(grep 'table="ml_runs"' "$BODY")"
for table in $big_tables; do
	grep -qE "^mldash_table_rows_estimate\{table=\"$table\"\} [0-9]+$" "$BODY" ||
		fail "/metrics: no estimate of the rows of $table"
	grep -q "^mldash_table_rows{table=\"$table\"}" "$BODY" && fail "/metrics: $table's estimate passed off as exact"
done
grep -q '^# HELP mldash_table_rows_estimate .*estimate' "$BODY" || fail "/metrics: the estimate's HELP does not say estimate"
next=$(date -u -d "$(jq -r .jobs.ml_sync.next_run "$TMP/status.json")" +%s)
grep -qx "mldash_job_next_run_timestamp_seconds{job=\"ml_sync\"} $next" "$BODY" ||
	fail "/metrics next ml_sync run differs from /status ($next)"
pass "/metrics: Prometheus text format, rows (estimates named so) and next run as in /status"

# --- no COUNT(*) of the big tables per request ---------------------------------------
# MariaDB's per-table statistics (userstat) count the rows each table gave
# out, whatever the statement: a COUNT(*) reads all of a table's rows. 100
# answers spread over several times the workers' memo time (1 s), so that
# each worker reads the database again and again, must together read fewer
# rows of each big table than one COUNT(*) of it would. The public /status
# comes from 127.0.0.2, and a pause keeps both addresses under nginx's rate
# limit (10 requests/s each, 20 in all).
declare -A count
for table in $big_tables; do count[$table]=$(sql "SELECT COUNT(*) FROM $table"); done
[ "${count[campaign_daily]}" -ge 1000 ] || fail "campaign_daily has ${count[campaign_daily]} rows: too few to tell"
userstat=$(sql "SELECT @@GLOBAL.userstat")
trap 'sql "SET GLOBAL userstat = $userstat" || true; rm -rf "$TMP"' EXIT
sql "SET GLOBAL userstat = 1; FLUSH TABLE_STATISTICS" || fail "cannot switch on MariaDB's userstat"
sleep 1.1 # every worker's memo is now stale: the next answers read the database
for ((i = 0; i < 50; i++)); do
	if [ $((i % 2)) = 0 ]; then http GET /status; else http GET /status "${PUBLIC[@]}"; fi
	expect_status 200 "status (request $i of 50)"
	http GET /metrics
	expect_status 200 "metrics (request $i of 50)"
	grep -qx 'mldash_database_up 1' "$BODY" || fail "metrics (request $i): database not up"
	sleep 0.15
done
declare -A rows_read
while read -r table n; do rows_read[$table]=$n; done < <(sql "SELECT TABLE_NAME, ROWS_READ
	FROM information_schema.TABLE_STATISTICS WHERE TABLE_SCHEMA = 'mldash'")
sql "SET GLOBAL userstat = $userstat"
for table in $big_tables; do
	n=${rows_read[$table]:-0}
	if [ "${count[$table]}" -gt 0 ] && [ "$n" -ge "${count[$table]}" ]; then
		fail "100 answers of /status and /metrics read $n rows of $table (${count[$table]} rows): a COUNT(*) per request again?"
	fi
done
pass "100 answers of /status and /metrics read no big table (campaign_daily: ${rows_read[campaign_daily]:-0} of ${count[campaign_daily]} rows read; ml_runs: ${rows_read[ml_runs]:-0})"
