#!/usr/bin/env bash
# A FastCGI worker killed with SIGKILL under load (wrk on the dashboard data,
# /status, /health and a cached chart): multiwatch replaces it, the only
# errors are the requests it had in flight (a JSON 503 from nginx, at most a
# handful), and every answer after that is a 200 (or, on /status only, the
# 429 + Retry-After of nginx's rate limit). MLDASH_FAULT_LONG=1 keeps the
# load up longer on each side.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

restore() {
	[ -n "${WRK_PID:-}" ] && kill -INT "$WRK_PID" 2>/dev/null
	"$DEVSTACK" up fcgi >/dev/null 2>&1 || true
}
trap 'restore; rm -rf "$TMP"' EXIT

ensure_ml_run
before=$(worker_pids)
n=$(echo "$before" | wc -l)
victim=$(echo "$before" | head -1)

wrk_start 120 "$TMP/wrk"
sleep "$settle"
t_kill=$(now_ms)
kill -KILL "$victim"
retry 10 worker_replaced "$victim" "$n" || fail "worker $victim was not replaced: [$(worker_pids)]"
t_replaced=$(now_ms)
sleep "$settle"
t_end=$(now_ms)
wrk_stop
WRK_PID=

wrk_report "$TMP/wrk"
requests=$(wrk_get "$TMP/wrk" requests)
ok=$(wrk_get "$TMP/wrk" status 200)
limited=$(wrk_get "$TMP/wrk" status 429)
bad=$((requests - ok - limited))
last_bad=$(wrk_get "$TMP/wrk" last_bad)
[ "$(wrk_errors "$TMP/wrk")" = 0 ] || fail "socket errors under load: $(grep '^errors' "$TMP/wrk")"
for status in $(wrk_statuses "$TMP/wrk"); do
	case $status in
	200 | 429 | 502 | 503) ;;
	*) fail "status $status under load" ;;
	esac
done
[ "$(wrk_limited_elsewhere "$TMP/wrk")" = 0 ] || fail "429s on paths other than /status"
[ "$(wrk_get "$TMP/wrk" error rate_limited)" = "$limited" ] || fail "429s other than rate_limited"
[ "$bad" -le 5 ] || fail "$bad answers were not 200: more than the killed worker's in-flight requests"
[ "$(wrk_get "$TMP/wrk" no_retry_after)" = 0 ] || fail "503s or 429s without Retry-After"
[ "$(wrk_get "$TMP/wrk" error service_unavailable)" = "$bad" ] ||
	fail "errors other than nginx's service_unavailable: $(grep '^error ' "$TMP/wrk")"
[ "$bad" = 0 ] || [ "$last_bad" -le $((t_kill + 1000)) ] ||
	fail "a non-200 answer $((last_bad - t_kill)) ms after the kill"
pass "$requests requests: $ok x 200, $limited x 429 rate_limited on /status, $bad lost to the kill ($(wrk_statuses "$TMP/wrk")), no socket errors"
pass "worker $victim killed: replaced within $((t_replaced - t_kill)) ms, then $((t_end - t_replaced)) ms of load without an error"

after=$(worker_pids)
[ "$(echo "$after" | wc -l)" = "$n" ] || fail "$n workers before, [$after] after"
for pid in $(echo "$before" | grep -vx "$victim"); do
	echo "$after" | grep -qx "$pid" || fail "worker $pid, not the victim, was replaced too: after [$after]"
done
pass "the other $((n - 1)) worker(s) untouched"
