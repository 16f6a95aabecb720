#!/usr/bin/env bash
# MariaDB stopped: 503 JSON with Retry-After, liveness unaffected. MariaDB
# back: the same worker processes answer 200 again, without a restart.
. "$(dirname "$0")/lib.sh"

restore() { "$DEVSTACK" up mariadb >/dev/null 2>&1 || true; }
trap 'restore; rm -rf "$TMP"' EXIT

http GET /status
expect_status 200 "status before the outage"
before=$(worker_pids)
[ -n "$before" ] || fail "no workers found"

# Every worker has just read /status, so each answers from memory for a
# second while its connection is open: the stopped server must show at once
# all the same (stopping takes well under that second).
n=$(echo "$before" | wc -l)
for ((i = 0; i < n * 2; i++)); do http GET /status; done
"$DEVSTACK" down mariadb
for i in 1 2 3 4; do
	http GET /status
	expect_status 503 "status while MariaDB is down (request $i)"
	[ "$(header Retry-After)" -gt 0 ] 2>/dev/null || fail "503 without Retry-After"
	expect_json .error.code database_unavailable "status while down"
done
http GET /health
expect_status 200 "health while MariaDB is down"
http GET /metrics
expect_status 200 "metrics while MariaDB is down"
grep -qx 'mldash_database_up 0' "$BODY" || fail "metrics while down: $(cat "$BODY")"
grep -q '^mldash_table_rows' "$BODY" && fail "metrics while down still have table rows"
grep -q '^mldash_job_next_run_timestamp_seconds{job="ml_sync"} [0-9]' "$BODY" ||
	fail "metrics while down lack the schedule"
pass "MariaDB down: 503 + Retry-After, health still 200, metrics say database_up 0"

"$DEVSTACK" up mariadb
# Every worker must heal: ask more times than there are workers.
for ((i = 0; i < n * 4; i++)); do
	http GET /status
	expect_status 200 "status after MariaDB came back (request $i)"
done
after=$(worker_pids)
[ "$before" = "$after" ] || fail "workers changed: before [$before] after [$after]"
pass "MariaDB back: 200 from the same $n workers"
