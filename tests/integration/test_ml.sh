#!/usr/bin/env bash
# The ML sync end to end through nginx: empty database; a second sync while
# one runs gets 409; a run killed mid-way leaves the previous run served and
# the next run succeeds; charts and bad parameters on the demo campaigns;
# then, where ../shared/datasets has it, the real online-ads data imported,
# sync-now, each /data endpoint checked against the CSV.
. "$(dirname "$0")/lib.sh"
. "$VAR/secrets.env"
AUTH="Authorization: Bearer $API_TOKEN"
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }
# A run that succeeded is what the GETs answer within a second.
sync_now() { http POST /sync-now -H "$AUTH"; [ "$STATUS" != 200 ] || served_soon; }

# An empty store (the test stack's database is shared by tests).
empty_store() {
	sql "DELETE FROM ml_runs; DELETE FROM campaign_daily; DELETE FROM campaigns; DELETE FROM ingest_files"
}
empty_store

for e in roi-forecast/data budget-recommendation/data budget-recommendation/curves; do
	http GET "/$e"
	expect_status 200 "GET /$e with no run"
	expect_json '.channels | length' 0 "GET /$e with no run"
	json .hint | grep -q "sync-now" || fail "GET /$e with no run: no hint"
done
for e in roi-timeseries/data reach-ctr/data; do
	http GET "/$e"
	expect_status 200 "GET /$e with no run"
	expect_json '.series | length' 0 "GET /$e with no run"
done
sync_now
expect_status 200 "sync-now on an empty database"
http GET /roi-forecast/data
expect_status 200 "roi-forecast after an empty run"
expect_json '.channels | length' 0 "roi-forecast after an empty run"
pass "empty database: 200 with empty lists and a hint, also after a run"

# Time series answers are kept per run in each worker: the same request is
# answered alike, and a new run replaces them in every worker at once.
workers=$(worker_pids | wc -l)
for ((i = 0; i < workers * 3; i++)); do
	http GET "/reach-ctr/data?days=14"
	expect_status 200 "reach-ctr/data (request $i)"
	cp "$BODY" "$TMP/kept.$i"
	cmp -s "$TMP/kept.0" "$TMP/kept.$i" || fail "reach-ctr/data answered differently on request $i"
done
old_run=$(jq -r .run.id "$TMP/kept.0")
sync_now
expect_status 200 "sync-now for a new run"
new_run=$(json .run_id)
[ "$new_run" != "$old_run" ] || fail "sync-now kept run $old_run"
for ((i = 0; i < workers * 3; i++)); do
	http GET "/reach-ctr/data?days=14"
	expect_json .run.id "$new_run" "reach-ctr/data after a new run (request $i)"
done
pass "time series answers kept per run: identical repeats, the new run's answer from every worker"

# A sync while one runs: its lease (job_leases) is held here, as a running
# sync on any host holds it, for run 4242.
lease() { # SECONDS from now (negative: expired), HOLDER
	sql "INSERT INTO job_leases (name, holder, run_id, expires_at)
	     VALUES ('ml_sync', '$2', 4242, UTC_TIMESTAMP(3) + INTERVAL $1 SECOND)
	     ON DUPLICATE KEY UPDATE holder = VALUES(holder), run_id = VALUES(run_id),
	     expires_at = VALUES(expires_at)"
}
lease 30 other-host:1:test
sync_now
expect_status 409 "sync-now while another holds the lease"
expect_json .error.code sync_running "409"
expect_json .error.run_id 4242 "409 names the running run"
[ "$(sql "SELECT holder FROM job_leases WHERE name = 'ml_sync'")" = other-host:1:test ] ||
	fail "a refused sync changed the lease"
# A holder that died leaves its lease to expire: the next sync takes it over,
# and gives it back when done.
lease -1 dead-host:1:test
sync_now
expect_status 200 "sync-now over an expired lease"
[ "$(sql "SELECT COUNT(*) FROM job_leases WHERE name = 'ml_sync'")" = 0 ] ||
	fail "the sync kept its lease: $(sql "SELECT * FROM job_leases")"
pass "a second sync while one runs: 409 naming its run; an expired lease is taken over and released"

# A run killed mid-way: the demo campaigns, many enough to catch it running
# (and, once it is over, the data of the charts and bad parameters below).
"$MLDASH_BUILD_DIR/cli/mldash" demo-data --campaigns 400 --days 365 --seed 3 --end 2020-06-30 --out "$TMP/big.csv" 2>/dev/null
MLDASH_CONFIG=$CONF "$MLDASH_BUILD_DIR/cli/mldash" import "$TMP/big.csv" >/dev/null 2>&1
MLDASH_CONFIG=$CONF "$MLDASH_BUILD_DIR/cli/mldash" sync ml >/dev/null 2>&1 || fail "sync on the larger data failed"
# Calendar files ([events] dir, here by its variable): a bad line fails
# the run, naming the file and line, and changes nothing served; with the
# line fixed (and the US Mother's Day dropped) the run succeeds.
mkdir -p "$TMP/events"
printf '# ours\ndate,summer_sale,2020-07-10,2020-07-12\nsale,2020-07-20\n' >"$TMP/events/default.csv"
MLDASH_CONFIG=$CONF MLDASH_EVENTS_DIR=$TMP/events "$MLDASH_BUILD_DIR/cli/mldash" sync ml >/dev/null 2>"$TMP/err" &&
	fail "a sync with a bad calendar file succeeded"
grep -q "events/default.csv:3: unknown keyword 'sale'" "$TMP/err" || fail "bad calendar file: $(cat "$TMP/err")"
[ "$(sql "SELECT error FROM ml_runs WHERE job = 'ml_sync' ORDER BY id DESC LIMIT 1")" = \
	"$TMP/events/default.csv:3: unknown keyword 'sale' (expected date, yearly, nth or disable)" ] ||
	fail "the failed run's error: $(sql "SELECT status, error FROM ml_runs ORDER BY id DESC LIMIT 1")"
printf 'date,summer_sale,2020-07-10,2020-07-12\ndisable,mothers_day\n' >"$TMP/events/default.csv"
printf 'disable,boxing_day\n' >"$TMP/events/country-GB.csv"
MLDASH_CONFIG=$CONF MLDASH_EVENTS_DIR=$TMP/events MLDASH_EVENTS_COUNTRY=GB \
	"$MLDASH_BUILD_DIR/cli/mldash" sync ml >/dev/null 2>"$TMP/err" || fail "sync with calendar files: $(cat "$TMP/err")"
pass "ML sync with [events] dir: a bad line fails the run with file:line, good files run"
served_soon
http GET /roi-forecast/data
before=$(json .run.id)
MLDASH_CONFIG=$CONF "$MLDASH_BUILD_DIR/cli/mldash" sync ml >/dev/null 2>&1 &
pid=$!
running() { [ -n "$(sql "SELECT id FROM ml_runs WHERE status = 'running' AND job = 'ml_sync'")" ]; }
retry 20 running || fail "the sync never showed as running"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
http GET /roi-forecast/data
expect_status 200 "roi-forecast after a killed run"
expect_json .run.id "$before" "roi-forecast after a killed run"
# The dead run's lease is this machine's (the same host, boot and pid
# namespace) and its pid is gone: the next sync takes it over at once,
# without waiting for it to expire (60 s).
synced() { sync_now; [ "$STATUS" != 409 ]; }
retry 10 synced || fail "sync-now kept answering 409 after the killed run (its lease was not taken over)"
expect_status 200 "sync-now after a killed run"
dead=$(sql "SELECT COUNT(*) FROM ml_runs WHERE job = 'ml_sync' AND status = 'failed' AND error LIKE '%stopped before finishing%'")
[ "$dead" -ge 1 ] || fail "the killed run was not marked failed"
pass "killed run: the previous run ($before) kept being served; the next run succeeded and marked it failed"

# The days the budget's curves were fitted from are stored with the run:
# every channel with a curve has them (the table keeps no unknown value).
last=$(sql "SELECT MAX(id) FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded'")
[ "$(sql "SELECT COUNT(*) FROM ml_budget_recommendation b WHERE run_id = $last AND curve_model <> 'none'
	AND NOT EXISTS (SELECT 1 FROM ml_budget_days d WHERE d.run_id = b.run_id AND d.channel = b.channel)")" = 0 ] ||
	fail "run $last: a channel with a curve has no stored days"
[ "$(sql "SELECT COUNT(*) FROM ml_budget_days WHERE run_id = $last")" -gt 0 ] || fail "run $last stored no budget days"
pass "run $last stored the days of its $(sql "SELECT COUNT(DISTINCT channel) FROM ml_budget_days WHERE run_id = $last") curves"

# Each curve with 50 draws or more stores their mean's table, which the
# advice maximises (the API's answers below must read it back exactly).
tables=$(sql "SELECT COUNT(*) FROM ml_budget_recommendation WHERE run_id = $last AND curve_mean IS NOT NULL")
[ "$tables" -gt 0 ] && [ "$tables" = "$(sql "SELECT COUNT(*) FROM ml_budget_recommendation
	WHERE run_id = $last AND LENGTH(curve_draws) - LENGTH(REPLACE(curve_draws, ';', '')) >= 49")" ] ||
	fail "run $last: $tables curves store their draws' mean, not every one with 50 draws or more"

# Charts through nginx: the cached default, 304, on-demand views, 400s.
for chart in roi-forecast roi-timeseries reach-ctr budget-recommendation budget-recommendation/curves; do
	http GET "/$chart/chart"
	expect_status 200 "GET /$chart/chart"
	[ "$(header Content-Type)" = image/png ] || fail "/$chart/chart: Content-Type $(header Content-Type)"
	size=$(od -An -tu1 -j16 -N8 "$BODY" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
	[ "$size" = 800x400 ] || fail "/$chart/chart is $size, expected 800x400"
	revalidated() {
		http GET "/$chart/chart"
		local etag
		etag=$(header ETag)
		http GET "/$chart/chart" -H "If-None-Match: $etag"
		[ "$STATUS" = 304 ]
	}
	# Within nginx's one-second cache an answer may just have been replaced.
	retry 3 revalidated || fail "/$chart/chart with its own ETag: HTTP $STATUS, expected 304"
done
# The response curves' default view is the run's stored chart, served again
# from nginx's micro-cache; other views are drawn, and a bad one is a 400.
stored=$(sql "SELECT etag FROM ml_chart_cache WHERE run_id = $last AND chart = 'budget-curves' AND width = 800 AND height = 400 AND theme = 'light'")
[ -n "$stored" ] || fail "run $last has no stored budget-curves chart"
from_cache() {
	http GET /budget-recommendation/curves/chart
	[ "$(header ETag)" = "$stored" ] || fail "/budget-recommendation/curves/chart: ETag $(header ETag), the run stored $stored"
	http GET /budget-recommendation/curves/chart
	# HIT, or REVALIDATED past the second the answer was kept for (nginx
	# asked the worker with the ETag and served its copy on the 304).
	case "$(header X-Cache)" in HIT | REVALIDATED) ;; *) return 1 ;; esac
}
retry 5 from_cache || fail "/budget-recommendation/curves/chart: a second request was not served from nginx's cache (X-Cache $(header X-Cache))"
channel=$(sql "SELECT channel FROM ml_budget_days WHERE run_id = $last LIMIT 1")
http GET "/budget-recommendation/curves/chart?width=640&height=480&theme=dark&days=30&channel=$channel"
expect_status 200 "an on-demand curves chart"
size=$(od -An -tu1 -j16 -N8 "$BODY" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
[ "$size" = 640x480 ] || fail "on-demand curves chart is $size"
for bad in "channel=nope" "width=10" "days=0" "total=5"; do
	http GET "/budget-recommendation/curves/chart?$bad"
	expect_status 400 "GET /budget-recommendation/curves/chart?$bad"
	json .error.message | grep -q "${bad%%=*}" || fail "curves/chart?$bad: the 400 does not name '${bad%%=*}'"
done
pass "response curves chart: the run's stored PNG with its ETag, then from nginx's cache; views on demand; 400s"
http GET "/reach-ctr/chart?width=1200&height=500&theme=dark&days=14"
expect_status 200 "an on-demand chart"
size=$(od -An -tu1 -j16 -N8 "$BODY" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
[ "$size" = 1200x500 ] || fail "on-demand chart is $size"
for bad in "width=199" "width=4001" "height=149" "height=3001" "theme=blue" "days=0" "channel=nope" "colour=red"; do
	http GET "/roi-forecast/chart?$bad"
	expect_status 400 "GET /roi-forecast/chart?$bad"
	param=${bad%%=*}
	json .error.message | grep -q "$param" || fail "chart?$bad: the 400 does not name '$param'"
done
pass "charts: 200 image/png of 800x400 from the cache, 304 on the ETag, views on demand, 400 naming each bad parameter"

# Each bad parameter of the answers: a 400 that names it.
for bad in "roi-forecast/data?channel=nope" "roi-timeseries/data?days=0" "roi-timeseries/data?days=abc" \
	"reach-ctr/data?days=731" "budget-recommendation/data?total=-5" "budget-recommendation/data?target_roi=x" \
	"budget-recommendation/data?freeze=nope" "budget-recommendation/data?bounds=2,1" "roi-forecast/data?bogus=1"; do
	http GET "/$bad"
	expect_status 400 "GET /$bad"
	param=$(echo "$bad" | sed 's/.*?\([a-z_]*\)=.*/\1/')
	json .error.message | grep -q "$param" || fail "GET /$bad: the 400 does not name '$param'"
done
pass "every bad parameter: 400 naming it"

DATA=${MLDASH_DATASETS:-$SRC/../shared/datasets}
CSV=$DATA/online-ads/online-ads-generic.csv
if [ ! -f "$CSV" ]; then
	echo "SKIP: $CSV absent; the end-to-end checks on real data need ../shared/datasets"
	exit 77 # ctest: skipped (all the checks above passed)
fi
# The online-ads data alone: its five placements are the run's channels.
empty_store
http POST "/campaigns/import?name=online-ads.csv" -H "$AUTH" -H 'Content-Type: text/csv' --data-binary "@$CSV"
expect_status 200 "import online-ads"
sync_now
expect_status 200 "sync-now"
run=$(json .run_id)
expect_json .channels 5 "sync-now"
json '.rows_written.ml_roi_forecast' | grep -qx 6 || fail "expected 6 roi_forecast rows (5 placements and all)"
pass "sync-now: run $run, $(json .seconds) s, $(json .rows_read) channel-days, $(json .series_fitted) series"

# Historical ROI of placement ghi on 2020-06-15, against the CSV.
http GET "/roi-timeseries/data?channel=ghi&days=30"
expect_status 200 "roi-timeseries ghi"
expect_json .run.id "$run" "roi-timeseries ghi"
got=$(json '.series[0].points[] | select(.day == "2020-06-15" and .kind == "actual") | .roi')
want=$(awk -F, '$1 == "2020-06-15" && $4 == "ghi" { s += $5; r += $10 } END { printf "%.6f", (r - s) / s }' "$CSV")
awk -v a="$got" -v b="$want" 'BEGIN { exit !(a - b < 1e-6 && b - a < 1e-6) }' || fail "ghi ROI on 2020-06-15: $got, CSV says $want"
n_actual=$(json '[.series[0].points[] | select(.kind == "actual")] | length')
[ "$n_actual" = 30 ] || fail "days=30 gave $n_actual actual days"
pass "historical ROI of ghi on 2020-06-15 is $got, as computed from the CSV; days=30 honoured"

# Forecast bounds contain the point and widen with the horizon: compared a
# week apart, since a weekly season moves the level (and truncation at zero
# narrows the interval on low days).
http GET "/reach-ctr/data?channel=all"
expect_status 200 "reach-ctr"
json '[.series[0].points[] | select(.kind == "forecast")] |
	all(.impressions_lower_95 <= .impressions and .impressions <= .impressions_upper_95)' >/dev/null ||
	fail "impression bounds do not contain the forecast"
json '[.series[0].points[] | select(.kind == "forecast") | .impressions_upper_95 - .impressions_lower_95] as $w |
	all(range(7; $w | length); $w[.] >= $w[. - 7] - 1e-6)' >/dev/null || fail "impression bounds do not widen week on week"
json '[.series[0].points[] | select(.kind == "actual")] | all(.reach == null)' >/dev/null ||
	fail "online-ads has no reach: it must stay unknown"
expect_json '.channels_without.reach | index("all") != null' true "the answer says which channels lack reach"
json '[.series[0].points[] | select(.kind == "actual" and .clicks != null)] | length > 0' >/dev/null || fail "no clicks"
http GET "/roi-forecast/data"
json '.channels | all(.roi_lower_95 <= .roi_lower_80 and .roi_lower_80 <= .predicted_roi and .predicted_roi <= .roi_upper_80 and .roi_upper_80 <= .roi_upper_95)' >/dev/null ||
	fail "ROI forecast bounds not nested around the point"
json '.channels | all(.backtest_smape != null and .baseline_smape != null)' >/dev/null || fail "backtest sMAPE missing"
http GET "/roi-forecast/data?days=7"
expect_status 200 "roi-forecast over 7 days"
expect_json .horizon_days 7 "roi-forecast over 7 days"
json '.channels | all(.roi_lower_95 <= .predicted_roi and .predicted_roi <= .roi_upper_95)' >/dev/null ||
	fail "7-day ROI bounds not around the point"
pass "forecasts: bounds nested around the point, widening; reach unknown stays unknown; backtests stored; ?days= shortens the ROI horizon"

http GET /budget-recommendation/data
expect_status 200 "budget"
json '((.channels | map(.recommended_daily) | add) - .totals.current_daily | fabs) < 0.01' >/dev/null ||
	fail "the budget does not sum to the current total"
json '.channels | all(.recommended_daily >= .lower_daily - 1e-6 and .recommended_daily <= .upper_daily + 1e-6)' >/dev/null ||
	fail "a bound is broken"
stored=$(jq -c '[.channels[] | [.recommended_daily, .expected_revenue_daily]]' "$BODY")
current_total=$(json '.totals.current_daily')
# The API recomputes the expected revenue from the curves it reads; the
# sync stored what it computed from the same curves, tables included.
sql "SELECT channel, expected_revenue FROM ml_budget_recommendation WHERE run_id = $(json .run.id)" |
	jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {(.[0]): (.[1] | tonumber)}) | add' \
	> "$TMP/stored_revenue.json"
jq -e --slurpfile db "$TMP/stored_revenue.json" '[.channels[] | select(.expected_revenue_daily != null) |
	(.expected_revenue_daily - $db[0][.channel] | fabs) <= 1e-6 * ($db[0][.channel] | fabs) + 1e-3] | all' \
	"$BODY" >/dev/null || fail "the API's expected revenue is not the sync's (curves read back otherwise):
	$(jq -c '[.channels[] | [.channel, .expected_revenue_daily]]' "$BODY") against $(cat "$TMP/stored_revenue.json")"
total=$(json '.totals.current_daily * 1.2')
http GET "/budget-recommendation/data?total=$total"
expect_status 200 "budget re-optimised"
jq -e --argjson t "$total" '((.channels | map(.recommended_daily) | add) - $t | fabs) < 0.01 and .reoptimised' \
	"$BODY" >/dev/null || fail "re-optimised budget does not sum to $total: $(jq -c '[.reoptimised, .totals]' "$BODY")"
http GET "/budget-recommendation/data?bounds=0.9,1.1&freeze=ghi"
expect_status 200 "budget with bounds and a frozen channel"
json '.channels | all(.channel != "ghi" or (.recommended_daily - .current_daily | fabs) <= 1e-4 * .current_daily)' >/dev/null ||
	fail "freeze=ghi did not hold ghi"
json '.channels | all(.channel == "ghi" or .recommended_daily <= 1.1 * .current_daily * 1.0001)' >/dev/null ||
	fail "bounds=0.9,1.1 not respected"
http GET "/budget-recommendation/data?total=1"
expect_status 400 "infeasible total"
json .error.message | grep -q "parameter 'total'" || fail "400 does not name the parameter"
http GET "/budget-recommendation/data?total=$current_total"
expect_status 200 "budget re-optimised at its own total"
jq -e --argjson s "$stored" '.reoptimised and ([.channels[] | [.recommended_daily, .expected_revenue_daily]] as $r |
	all(range($s | length); ($r[.][0] - $s[.][0] | fabs) <= 1e-3 * ($s[.][0] + 1) and
				($r[.][1] - $s[.][1] | fabs) <= 1e-3 * ($s[.][1] + 1)))' "$BODY" >/dev/null ||
	fail "re-optimised at the stored total, the split or its revenue moved: $stored, then $(jq -c '[.channels[] | [.recommended_daily, .expected_revenue_daily]]' "$BODY")"
pass "budget: sums to the total, within bounds; ?total= re-optimises, at the stored total to the stored split; infeasible total is a 400 naming it"
