# Helpers for the fault tests (load during restarts and kills, a full spool
# disk, backup and restore): sourced after lib.sh, never run.

API=/api/ml-dashboard
# The GET answers driven under load: the four kinds of dashboard data, the
# service's own answers, and a chart from nginx's one-second cache.
LOAD_PATHS=("$API/roi-forecast/data" "$API/roi-timeseries/data" "$API/budget-recommendation/data"
	"$API/status" "$API/health" "$API/roi-forecast/chart")

# sql QUERY: one query on the stack's database, tab-separated, no headers.
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }

now_ms() { date +%s%3N; }

# Seconds of load before and after a fault: 2, or 20 with MLDASH_FAULT_LONG.
settle=2
[ -n "${MLDASH_FAULT_LONG:-}" ] && settle=20

# import_demo: the demo campaigns (the same file each time: imported once).
import_demo() {
	local cli=$MLDASH_BUILD_DIR/cli/mldash
	"$cli" demo-data --campaigns 24 --days 180 --seed 42 --out "$TMP/demo.csv" 2>/dev/null
	MLDASH_CONFIG=$CONF "$cli" import "$TMP/demo.csv" >/dev/null 2>&1 || fail "demo import failed"
}

# ensure_ml_run: campaign days and a succeeded ML run with forecasts, so that
# the dashboards have something to serve (the stack's database is shared by
# the tests; run alone, a fault test starts from an empty one).
ensure_ml_run() {
	local cli=$MLDASH_BUILD_DIR/cli/mldash
	if [ "$(sql "SELECT COUNT(*) FROM campaign_daily")" = 0 ]; then import_demo; fi
	local run
	run=$(sql "SELECT MAX(r.id) FROM ml_runs r JOIN ml_roi_forecast f ON f.run_id = r.id
		WHERE r.job = 'ml_sync' AND r.status = 'succeeded'")
	if [ "$run" = NULL ] || [ "$run" != "$(sql "SELECT MAX(id) FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded'")" ]; then
		MLDASH_CONFIG=$CONF "$cli" sync ml >/dev/null 2>&1 || fail "ML sync failed"
		served_soon
	fi
}

# seed_dashboards: the demo campaigns (the same file each time: imported
# once) and a new ML run, so the latest run has the demo's six channels
# whatever earlier tests of the shared database left behind.
seed_dashboards() {
	import_demo
	MLDASH_CONFIG=$CONF "$MLDASH_BUILD_DIR/cli/mldash" sync ml >/dev/null 2>&1 || fail "ML sync failed"
	served_soon
}

# wrk_start SECONDS OUT: drives LOAD_PATHS, one connection per thread, for at
# most SECONDS; sets WRK_PID. Stop it early with wrk_stop.
wrk_start() {
	wrk -t6 -c6 -d"$1"s --timeout 10s -s "$SRC/tests/integration/wrk_status.lua" \
		"http://127.0.0.1:$MLDASH_PORT" -- "${LOAD_PATHS[@]}" >"$2" 2>&1 &
	WRK_PID=$!
}

# wrk_stop: ends the load now (wrk reports on SIGINT as at its deadline).
wrk_stop() {
	kill -INT "$WRK_PID" 2>/dev/null || true
	wait "$WRK_PID" || fail "wrk exited $?"
}

# wrk_get OUT KEY...: a value of wrk_status.lua's report (0 when absent).
wrk_get() {
	local out=$1
	shift
	awk -v key="$*" '{ v = $NF; $NF = ""; sub(/ $/, ""); if ($0 == key) { print v; found = 1 } }
		END { if (!found) print 0 }' "$out"
}

# wrk_report OUT: the tallies, for the test's log.
wrk_report() {
	grep -E '^(requests|status|path|error|errors|no_retry_after) ' "$1" | sort | sed 's/^/  /'
}

# wrk_statuses OUT: the statuses seen, space-separated.
wrk_statuses() { awk '$1 == "status" { print $2 }' "$1" | sort -n | tr '\n' ' '; }

# wrk_limited_elsewhere OUT: answers rate-limited (429) on any path but
# /status (the limits are meant to keep the dashboard data and /health free).
wrk_limited_elsewhere() {
	awk -v s="$API/status" '$1 == "path" && $3 == 429 && $2 != s { n += $4 } END { print n + 0 }' "$1"
}

# get PATH: http GET, waiting out nginx's rate limit (429 + Retry-After) a
# few times: a test that has just driven load has used its client's burst.
get() {
	local _
	for _ in 1 2 3 4 5 6; do
		http GET "$1"
		[ "$STATUS" = 429 ] || return 0
		sleep "$(header Retry-After)"
	done
}

# wrk_errors OUT: socket errors (connect, read, write, timeout) in all.
wrk_errors() { awk '$1 == "errors" { print $3 + $5 + $7 + $9 }' "$1"; }
