#!/usr/bin/env bash
# The GET answers of the latest run come from memory (nginx's micro-cache,
# then the workers' own copies), not from a database round trip per
# request; and yet a new run reaches every client within one second of its
# commit, on every answer of the run: the /data answers, the curves and the
# charts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"
. "$VAR/secrets.env"
AUTH="Authorization: Bearer $API_TOKEN"

ANSWERS=(roi-forecast/data roi-timeseries/data reach-ctr/data budget-recommendation/data
	"budget-recommendation/data?bounds=0.5,2" budget-recommendation/curves "roi-timeseries/data?days=14"
	accuracy/data "anomalies/data?days=90" budget-recommendation/history)
# The accuracy chart last: its picture changes only when the scores do, which
# a new day of data need not change (see 2.).
CHARTS=(roi-forecast/chart roi-timeseries/chart reach-ctr/chart budget-recommendation/chart
	budget-recommendation/curves/chart accuracy/chart)

seed_dashboards

# questions: statements the server has been sent, by every client.
questions() { sql "SHOW GLOBAL STATUS LIKE 'Questions'" | cut -f2; }

# 1. No round trip per request: each answer asked for as fast as wrk can
# for two seconds; MariaDB sees a few statements a second, not one per
# request.
for path in "${ANSWERS[@]}" "${CHARTS[@]}"; do http GET "/$path"; expect_status 200 "GET /$path"; done
workers=$(worker_pids | wc -l)
prepares() { sql "SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'" | cut -f2; }
prepared_before=$(prepares)
for path in roi-forecast/data "roi-timeseries/data?days=14" budget-recommendation/chart; do
	before=$(questions)
	requests=$(wrk -t1 -c4 -d2s "$BASE/$path" | awk '/requests in/ { print $1 }')
	asked=$(( $(questions) - before - 1 ))
	# Each worker may ask for the latest run up to 40 times a second
	# (API_RUN_CHECK_MS), and nginx asks a worker again at most once a second
	# per answer.
	bound=$(( 2 * (40 * workers + 1) + 10 ))
	[ "$asked" -le "$bound" ] ||
		fail "/$path: $requests requests in 2 s sent $asked statements to MariaDB (at most $bound expected)"
	[ "$requests" -ge $(( 10 * (asked + 1) )) ] ||
		fail "/$path: only $requests requests in 2 s for $asked statements"
	pass "/$path: $requests requests in 2 s, $asked statements reached MariaDB (bound $bound, $workers workers)"
done
# Statements are prepared once per connection: a worker that had not yet
# answered one of these paths prepares its few statements once, not once a
# request.
prepared=$(( $(prepares) - prepared_before ))
[ "$prepared" -le $(( 6 * workers )) ] ||
	fail "$prepared statements prepared during the runs above (once per connection expected)"
pass "$prepared statements prepared during the runs above (once per connection and statement)"

# 1b. An unchanged answer asked with its ETag is a 304 at every moment of
# the second, also in the part of it where nginx may not keep answers (an
# answer nginx may not store loses the client's If-None-Match on its way to
# the worker, and went back as a 200).
http GET /roi-forecast/data
etag=$(header ETag)
wrk -t1 -c1 -d3s -H "If-None-Match: $etag" -s "$SRC/tests/integration/wrk_status.lua" \
	"http://127.0.0.1:$MLDASH_PORT" -- "$API/roi-forecast/data" >"$TMP/conditional.out" 2>&1
statuses=$(wrk_statuses "$TMP/conditional.out")
conditional=$(wrk_get "$TMP/conditional.out" requests)
[ "$statuses" = "304 " ] && [ "$conditional" -ge 100 ] ||
	fail "$conditional requests with the answer's ETag were answered: $statuses(only 304 expected): $(cat "$TMP/conditional.out")"
pass "$conditional requests with an unchanged answer's ETag over 3 s: all 304"

# 2. A new run within a second. Add a day of data (so that every chart
# changes), keep the old run's answers hot in nginx and in every worker with
# one polling loop per answer, commit a new run, and look at what the
# requests that started after the commit got.
old_run=$(sql "SELECT MAX(id) FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded'")
declare -A old_etag
for path in "${CHARTS[@]}"; do
	http GET "/$path"
	old_etag[$path]=$(header ETag)
done
last_day=$(sql "SELECT MAX(day) FROM campaign_daily")
next_day=$(date -u -d "$last_day + 1 day" +%F)
{
	echo "date,campaign_id,campaign_name,channel,spend,impressions,reach,clicks,conversions,revenue"
	# Campaigns of plain names only: the shared store also holds hostile ones.
	sql "SELECT external_id, name, channel FROM campaigns WHERE source = 'generic'
		AND CONCAT(external_id, name, channel) REGEXP '^[A-Za-z0-9 _-]+$' AND channel <> 'all'" |
		awk -F'\t' -v d="$next_day" '{ printf "%s,%s,%s,%s,%d,%d,%d,%d,%d,%d\n", d, $1, $2, $3,
			900 + NR * 37, 40000, 20000, 900, 40 + NR, 4000 + NR * 411 }'
} >"$TMP/next_day.csv"
MLDASH_CONFIG=$CONF "$MLDASH_BUILD_DIR/cli/mldash" import "$TMP/next_day.csv" >/dev/null 2>&1 ||
	fail "importing the next day failed"

all=("${ANSWERS[@]}" "${CHARTS[@]}")
node "$(dirname "$0")/poll_answers.mjs" "$BASE" "$TMP/stop" "$TMP" "${all[@]}" &
poller=$!
sleep 2
http POST /sync-now -H "$AUTH"
committed=$(now_ms) # the run committed before sync-now answered
expect_status 200 "sync-now"
new_run=$(json .run_id)
[ "$new_run" -gt "$old_run" ] || fail "sync-now made run $new_run after $old_run"
sleep 2.5
touch "$TMP/stop"
wait "$poller" || fail "polling failed"

# For each answer: the latest request that started after the commit and
# still got the old run, and the first that got the new one.
worst=0
for ((i = 0; i < ${#all[@]}; i++)); do
	path=${all[i]}
	# A chart's new ETag is not known in advance: any other than the old one.
	if [[ $path == */chart ]]; then old=${old_etag[$path]} new=""; else old=$old_run new=$new_run; fi
	# The accuracy chart's: the one the new run stored. When its picture is
	# the old one's (the new day scored nothing new), old and new answers
	# look alike and only the new one can be asked for.
	if [ "$path" = accuracy/chart ]; then
		new=$(sql "SELECT etag FROM ml_chart_cache WHERE run_id = $new_run AND chart = 'accuracy'
			AND width = 800 AND height = 400 AND theme = 'light'")
		[ -n "$new" ] || fail "run $new_run stored no accuracy chart"
		[ "$new" != "$old" ] || old=-
	fi
	read -r stale fresh requests failed < <(awk -v c="$committed" -v old="$old" -v new="$new" '
		$1 >= c { n++
			if ($2 == "none" || $2 == "error") bad++
			else if ($2 == old) { if ($1 - c > s) s = $1 - c }
			else if ((new == "" || $2 == new) && f == "") f = $1 - c }
		END { print s + 0, (f == "" ? -1 : f), n + 0, bad + 0 }' "$TMP/poll.$i")
	[ "$failed" = 0 ] || fail "/$path: $failed of $requests requests after the commit got no answer of a run"
	[ "$requests" -ge 3 ] || fail "/$path: only $requests requests in the 2.5 s after the commit"
	[ "$fresh" -ge 0 ] || fail "/$path still answered the old run 2.5 s after run $new_run committed"
	[ "$stale" -le 1000 ] ||
		fail "/$path answered the old run to a request that started $stale ms after the commit"
	[ "$stale" -gt "$worst" ] && worst=$stale
done
pass "run $new_run reached every answer and chart: no request started later than $worst ms after the commit got the old run"

# 3. Once seen, never the old run again: every worker and nginx agree.
for ((i = 0; i < 3 * workers; i++)); do
	for path in "${ANSWERS[@]}"; do
		run=$(curl -s "$BASE/$path" | jq -r '.run.id // empty')
		[ "$run" = "$new_run" ] || fail "/$path answered run $run after run $new_run was served"
	done
done
pass "after the switch every request answered run $new_run"
