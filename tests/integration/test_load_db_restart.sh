#!/usr/bin/env bash
# MariaDB restarted under load (wrk on the dashboard data, /status, /health
# and a cached chart): while it is down every answer is a 503 with
# Retry-After or a 200 (/health, a cached chart); within 2 s of it being back
# every answer is a 200 again; no worker was restarted and no connection
# failed. nginx's rate limit on /status answers part of its load with 429 +
# Retry-After all along: allowed there, and only there.
# MLDASH_FAULT_LONG=1 keeps the load up longer on each side.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

restore() {
	[ -n "${WRK_PID:-}" ] && kill -INT "$WRK_PID" 2>/dev/null
	[ -n "${PINGER:-}" ] && kill "$PINGER" 2>/dev/null
	"$DEVSTACK" up mariadb >/dev/null 2>&1 || true
}
trap 'restore; rm -rf "$TMP"' EXIT

ensure_ml_run
before=$(worker_pids)
[ -n "$before" ] || fail "no workers found"

wrk_start 120 "$TMP/wrk"
sleep "$settle"
t_down=$(now_ms)
"$DEVSTACK" down mariadb >/dev/null
t_gone=$(now_ms)

# While it is down: what a client sees, by hand. An answer of the latest run
# may still come from memory (nginx's micro-cache, a worker's) for up to a
# second; then the 503.
down_answered() { http GET /roi-forecast/data; [ "$STATUS" = 503 ]; }
for ((i = 0; i < 15; i++)); do down_answered && break; sleep 0.1; done
expect_status 503 "roi-forecast/data while MariaDB is down (1.5 s after)"
[ "$(header Retry-After)" -gt 0 ] 2>/dev/null || fail "503 without Retry-After"
expect_json .error.code database_unavailable "roi-forecast/data while down"
http GET /health
expect_status 200 "health while MariaDB is down"
sleep 1

# The moment MariaDB answers again, taken by a poller beside the start.
db_ping() { mariadb-admin --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" ping >/dev/null 2>&1; }
(
	for ((i = 0; i < 600; i++)); do
		db_ping && { now_ms >"$TMP/back"; exit 0; }
		sleep 0.05
	done
) &
PINGER=$!
"$DEVSTACK" up mariadb >/dev/null 2>"$TMP/up.log" || fail "MariaDB did not come back: $(cat "$TMP/up.log")"
wait "$PINGER" || fail "MariaDB did not answer a ping within 30 s"
PINGER=
t_back=$(cat "$TMP/back")
sleep $((settle + 1))
t_end=$(now_ms)
wrk_stop
WRK_PID=

wrk_report "$TMP/wrk"
requests=$(wrk_get "$TMP/wrk" requests)
ok=$(wrk_get "$TMP/wrk" status 200)
unavailable=$(wrk_get "$TMP/wrk" status 503)
last_bad=$(wrk_get "$TMP/wrk" last_bad)
first_bad=$(wrk_get "$TMP/wrk" first_bad)
[ "$(wrk_errors "$TMP/wrk")" = 0 ] || fail "socket errors under load: $(grep '^errors' "$TMP/wrk")"
limited=$(wrk_get "$TMP/wrk" status 429)
case "$(wrk_statuses "$TMP/wrk")" in
"200 503 " | "200 429 503 ") ;;
*) fail "statuses other than 200, 429 and 503: $(wrk_statuses "$TMP/wrk")" ;;
esac
[ "$(wrk_limited_elsewhere "$TMP/wrk")" = 0 ] || fail "429s on paths other than /status"
[ "$unavailable" -gt 0 ] || fail "no 503 at all: the load never met the outage"
[ "$(wrk_get "$TMP/wrk" path "$API/status" 503)" -gt 0 ] || fail "/status never answered 503 during the outage"
[ "$(wrk_get "$TMP/wrk" no_retry_after)" = 0 ] || fail "503s or 429s without Retry-After"
[ "$(wrk_get "$TMP/wrk" error database_unavailable)" = "$unavailable" ] ||
	fail "503s other than database_unavailable: $(grep '^error ' "$TMP/wrk")"
[ "$(wrk_get "$TMP/wrk" error rate_limited)" = "$limited" ] || fail "429s other than rate_limited: $(grep '^error ' "$TMP/wrk")"
[ -z "$(awk -v h="$API/health" '$1 == "path" && $2 == h && $3 != 200' "$TMP/wrk")" ] ||
	fail "/health answered other than 200 under load"
[ "$first_bad" -ge "$t_down" ] || fail "a 503 before MariaDB was stopped ($first_bad < $t_down)"
[ "$last_bad" -le $((t_back + 2000)) ] ||
	fail "503 answers until $((last_bad - t_back)) ms after MariaDB was back"
pass "$requests requests: $ok x 200, $unavailable x 503 database_unavailable, $limited x 429 rate_limited on /status, all with Retry-After; no socket errors"
since=$((last_bad - t_back))
when="$since ms after"
[ "$since" -lt 0 ] && when="$((-since)) ms before"
pass "outage: stop took $((t_gone - t_down)) ms, back (first ping) $((t_back - t_down)) ms after the stop; last 503 $when that, then $((t_end - last_bad)) ms without one"

after=$(worker_pids)
[ "$before" = "$after" ] || fail "workers changed: before [$before] after [$after]"
pass "the same $(echo "$before" | wc -l) workers before and after (no restart)"
