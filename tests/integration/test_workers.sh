#!/usr/bin/env bash
# A worker killed with SIGKILL is replaced and requests keep succeeding; a
# pool that is entirely down gives a JSON 503 from nginx, not an HTML 502.
. "$(dirname "$0")/lib.sh"

restore() { "$DEVSTACK" up fcgi >/dev/null 2>&1 || true; }
trap 'restore; rm -rf "$TMP"' EXIT

before=$(worker_pids)
n=$(echo "$before" | wc -l)
victim=$(echo "$before" | head -1)
kill -KILL "$victim"
retry 10 worker_replaced "$victim" "$n" || fail "worker $victim was not replaced: [$(worker_pids)]"
for i in $(seq 1 20); do
	http GET /roi-forecast/data # needs the database, has no rate limit
	expect_status 200 "request $i after the kill"
done
pass "killed worker $victim replaced; 20 requests answered 200"

"$DEVSTACK" down fcgi
http GET /status
expect_status 503 "status with no FastCGI pool"
expect_json .error.code service_unavailable "status with no pool"
[ -n "$(header Retry-After)" ] || fail "pool-down 503 without Retry-After"
"$DEVSTACK" up fcgi
retry 10 bash -c "curl -fs -o /dev/null '$BASE/status'" || fail "pool did not come back"
pass "pool down: JSON 503 from nginx; back up: 200"
