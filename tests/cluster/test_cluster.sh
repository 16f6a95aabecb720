#!/usr/bin/env bash
# Two app hosts on a three-node Galera cluster, on this machine (issue #17):
#
#   1. the cluster (tests/cluster/galera.sh, 127.0.0.2-4), the schema
#      migrated once through the host list, two app hosts (FastCGI pool and
#      nginx each, deploy/devstack.sh in folders of their own, ports A and
#      A+1) whose [database] hosts list the three nodes, A's from node 1, B's
#      from node 2;
#   2. both hosts' schedulers on the same fast test clock: every ML and
#      campaign slot runs exactly once across the two;
#   3. POST /sync-now on both hosts at the same instant: one 200, one 409;
#   4. the same report file dropped into both hosts' spools: imported once;
#   5. the throughput of one app host and of two behind a front proxy;
#   6. node 1 killed (SIGKILL) while wrk drives GETs through both hosts and a
#      sync runs: the GETs keep answering (non-2xx counted), the sync commits
#      or rolls back whole, node 1 rejoins (IST) and holds the same rows as
#      the others (CHECKSUM TABLE on every node).
#
# Prints counts and timings. Needs galera-4, rsync, wrk (Debian packages);
# skips (77) saying why when the machine cannot run it. In the sanitizer
# build (MLDASH_SANITIZER_DIR set) the programs' reports go to a folder of
# its own, which must be empty at the end.
#   MLDASH_BUILD_DIR     the binaries (default: build)
#   MLDASH_CLUSTER_PORT  app host A's nginx port (default 18401; B: +1)
#   MLDASH_CLUSTER_LONG  1: longer schedule and load phases (make test-cluster)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${MLDASH_BUILD_DIR:-$SRC/build}" && pwd)
PORT_A=${MLDASH_CLUSTER_PORT:-18401}
PORT_B=$((PORT_A + 1))
LONG=${MLDASH_CLUSTER_LONG:-0}
GALERA=$SRC/tests/cluster/galera.sh
DEVSTACK=$SRC/deploy/devstack.sh
export GALERA_SQL_PORT=${GALERA_SQL_PORT:-13306}
ME=$(id -un)

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
pass() { printf 'ok: %s\n' "$*"; }
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }

[ -r /usr/lib/galera/libgalera_smm.so ] || skip "galera-4 is not installed"
for t in rsync wrk mariadbd curl jq; do command -v "$t" >/dev/null || skip "$t is not installed"; done
# Read whole, then matched: under pipefail, grep -q leaving early can kill
# ip with SIGPIPE, and the test skipped itself on a machine that can run it
# (CI's second phase, 2026-11-29).
loopback=$(ip addr show lo 2>/dev/null || true)
[[ $loopback == *127.0.0.1/8* ]] || skip "the loopback interface does not carry 127.0.0.0/8"
[ -x "$BUILD/cli/mldash" ] || fail "$BUILD/cli/mldash is missing: build first"

# The cluster lives in /tmp: as root its nodes run as mysql, which must reach it.
CL=$(mktemp -d "${TMPDIR:-/tmp}/mldash-cluster.XXXXXX")
chmod 755 "$CL"
HOSTS_A="127.0.0.2:$GALERA_SQL_PORT,127.0.0.3:$GALERA_SQL_PORT,127.0.0.4:$GALERA_SQL_PORT"
HOSTS_B="127.0.0.3:$GALERA_SQL_PORT,127.0.0.4:$GALERA_SQL_PORT,127.0.0.2:$GALERA_SQL_PORT"
PIDS=()
if [ -n "${MLDASH_SANITIZER_DIR:-}" ]; then
	mkdir -p "$CL/sanitizer"
	export ASAN_OPTIONS=detect_leaks=1:log_path=$CL/sanitizer/asan:log_exe_name=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$CL/sanitizer/ubsan:log_exe_name=1
fi
stop_hosts() {
	for h in a b; do
		MLDASH_VAR_DIR=$CL/host-$h MLDASH_BUILD_DIR=$BUILD "$DEVSTACK" down nginx >/dev/null 2>&1 || true
		MLDASH_VAR_DIR=$CL/host-$h MLDASH_BUILD_DIR=$BUILD "$DEVSTACK" down fcgi >/dev/null 2>&1 || true
	done
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	stop_hosts
	"$GALERA" down "$CL/db" >/dev/null 2>&1 || true
	[ "${MLDASH_CLUSTER_KEEP:-0}" = 1 ] || rm -rf "$CL"
}
trap cleanup EXIT

node_sql() { # N SQL: read causally, after the node has applied every commit made before it
	mariadb --no-defaults --socket="$CL/db/node$1/mysqld.sock" -u "$ME" -N -B mldash \
		-e "SET SESSION wsrep_sync_wait = 1; $2"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. the cluster, the schema, two app hosts ------------------------------------
t0=$(now)
"$GALERA" up "$CL/db" 2>"$CL/galera.log" || fail "the cluster did not come up: $(tail -n 5 "$CL/galera.log")"
APP_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
mariadb --no-defaults --socket="$CL/db/node1/mysqld.sock" -u "$ME" <<SQL || fail "cannot create the database"
CREATE DATABASE mldash CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'mldash'@'127.%' IDENTIFIED BY '$APP_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE ON mldash.* TO 'mldash'@'127.%';
CREATE USER 'mldash_admin'@'127.%' IDENTIFIED BY '$ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON mldash.* TO 'mldash_admin'@'127.%';
SQL
TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
host_config() { # NAME HOSTS: the app host's folder and configuration
	local dir=$CL/host-$1
	mkdir -p "$dir/spool"
	cat >"$dir/mldash.conf" <<-EOF
		[database]
		hosts = $2
		user = mldash
		password = $APP_PASSWORD
		name = mldash
		connect_timeout = 2
		read_timeout = 10

		[api]
		token = $TOKEN

		[ingest]
		spool_dir = $dir/spool

		[schedule]
		ml_sync = */2 * * * *
		campaign_sync = * * * * *

		[paths]
		migrations_dir = $SRC/db/migrations

		[log]
		level = info
	EOF
	chmod 600 "$dir/mldash.conf"
}
host_config a "$HOSTS_A"
host_config b "$HOSTS_B"
MLDASH_CONFIG=$CL/host-a/mldash.conf MLDASH_DATABASE_USER=mldash_admin MLDASH_DATABASE_PASSWORD=$ADMIN_PASSWORD \
	"$BUILD/cli/mldash" migrate >"$CL/migrate.log" 2>&1 || fail "migrate: $(tail -n 3 "$CL/migrate.log")"
for n in 1 2 3; do
	[ "$(node_sql "$n" "SELECT MAX(version) FROM schema_migrations")" = "$(ls "$SRC/db/migrations" | grep -c '\.sql$')" ] ||
		fail "node $n does not have the schema"
done
start_host() { # NAME PORT
	MLDASH_VAR_DIR=$CL/host-$1 MLDASH_PORT=$2 MLDASH_WORKERS=2 MLDASH_BUILD_DIR=$BUILD "$DEVSTACK" up fcgi >/dev/null
	MLDASH_VAR_DIR=$CL/host-$1 MLDASH_PORT=$2 MLDASH_WORKERS=2 MLDASH_BUILD_DIR=$BUILD "$DEVSTACK" up nginx >/dev/null
}
start_host a "$PORT_A"
start_host b "$PORT_B"
for port in "$PORT_A" "$PORT_B"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/ml-dashboard/status")
	[ "$code" = 200 ] || fail "app host on $port: /status answered $code"
done
pass "3 Galera nodes synced, schema migrated once, 2 app hosts answering ($(elapsed "$t0") s)"

# Demo campaigns, through host A's importer.
"$BUILD/cli/mldash" demo-data --campaigns 40 --days 200 --seed 5 --end 2030-05-31 --out "$CL/demo.csv" >/dev/null 2>&1
MLDASH_CONFIG=$CL/host-a/mldash.conf "$BUILD/cli/mldash" import "$CL/demo.csv" >/dev/null 2>&1 ||
	fail "importing the demo data through node 1 failed"

# --- 2. both schedulers on one fast clock: each slot once -------------------------------
# 2030-06-01 00:00:00 UTC, 30 test seconds a second.
start=1906588800
speed=30
minutes=$([ "$LONG" = 1 ] && echo 30 || echo 12)
for h in a b; do
	"$BUILD/scheduler/mldash-scheduler" --foreground --config "$CL/host-$h/mldash.conf" \
		--test-clock "$start,$speed" >"$CL/sched-$h.log" 2>&1 &
	PIDS+=($!)
done
sleep $((minutes * 60 / speed + 3))
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" || true; done
PIDS=()
slots() { node_sql 2 "SELECT COUNT(*), COUNT(DISTINCT slot_time), SUM(status = 'succeeded'), COALESCE(SUM(host IS NULL), 0)
	FROM ml_runs WHERE job = '$1' AND triggered_by = 'schedule' AND slot_time >= FROM_UNIXTIME($start)"; }
read -r ml_rows ml_slots ml_ok _ <<<"$(slots ml_sync)"
read -r cs_rows cs_slots cs_ok _ <<<"$(slots campaign_sync)"
[ "$ml_rows" -ge $((minutes / 2 - 1)) ] || fail "only $ml_rows ML slots ran in $minutes test minutes"
[ "$ml_rows" = "$ml_slots" ] || fail "ML slots: $ml_rows runs for $ml_slots slots (a slot ran twice)"
[ "$cs_rows" = "$cs_slots" ] || fail "campaign slots: $cs_rows runs for $cs_slots slots (a slot ran twice)"
[ "$ml_ok" = "$ml_rows" ] || fail "ML slots: $ml_ok of $ml_rows succeeded: $(node_sql 2 "SELECT id, error FROM ml_runs WHERE status <> 'succeeded'")"
by_host=$(node_sql 2 "SELECT job, COUNT(DISTINCT pid) FROM ml_runs WHERE triggered_by = 'schedule' GROUP BY job" | tr '\t\n' ': ')
pass "$minutes test minutes on both schedulers: $ml_rows ML slots and $cs_rows campaign slots, each run once ($ml_ok ML runs succeeded; processes per job $by_host)"

# --- 3. sync-now on both hosts at the same instant ---------------------------------------
for port in "$PORT_A" "$PORT_B"; do
	curl -s -o "$CL/sync-$port.json" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $TOKEN" \
		"http://127.0.0.1:$port/api/ml-dashboard/sync-now" >"$CL/sync-$port.code" &
	PIDS+=($!)
done
for p in "${PIDS[@]}"; do wait "$p" || true; done
PIDS=()
codes=$(cat "$CL/sync-$PORT_A.code" "$CL/sync-$PORT_B.code" | sort | tr '\n' ' ')
[ "$codes" = "200 409 " ] || fail "sync-now on both hosts at once: $codes($(cat "$CL"/sync-*.json))"
pass "sync-now on both hosts at the same instant: one 200, one 409"

# --- 4. one file in both spools: imported once --------------------------------------------
"$BUILD/cli/mldash" demo-data --campaigns 3 --days 20 --seed 99 --end 2030-07-31 --out "$CL/both.csv" >/dev/null 2>&1
sed -i 's/,demo-/,spool-/' "$CL/both.csv" 2>/dev/null || true
cp "$CL/both.csv" "$CL/host-a/spool/report.csv"
cp "$CL/both.csv" "$CL/host-b/spool/report.csv"
sha=$(sha256sum "$CL/both.csv" | cut -d' ' -f1)
MLDASH_CONFIG=$CL/host-a/mldash.conf "$BUILD/cli/mldash" sync campaigns >"$CL/spool-a.log" 2>&1 &
pa=$!
MLDASH_CONFIG=$CL/host-b/mldash.conf "$BUILD/cli/mldash" sync campaigns >"$CL/spool-b.log" 2>&1 &
pb=$!
wait "$pa" || true
wait "$pb" || true
files=$(node_sql 3 "SELECT COUNT(*) FROM ingest_files WHERE sha256 = '$sha'")
if [ "$files" != 1 ]; then
	for n in 1 2 3; do
		echo "node $n: $(node_sql "$n" "SELECT id, status, rows_ok, ingested_at FROM ingest_files
			WHERE sha256 = '$sha'" | tr '\t\n' ' ;')"
		tail -n 5 "$CL/db/node$n/error.log"
	done >&2
	fail "the file dropped into both spools is recorded $files times: $(cat "$CL"/spool-*.log)"
fi
pass "the same file in both hosts' spools: imported once ($(grep -ho 'imported[^;]*' "$CL"/spool-*.log | head -2 | tr '\n' ' '))"

# --- front proxy: one app host against two ----------------------------------------------
PORT_FRONT=$((PORT_A + 2))
front() { # PORTS...: nginx on PORT_FRONT proxying to the app hosts on PORTS
	local dir=$CL/front p servers=""
	mkdir -p "$dir/tmp"
	for p in "$@"; do servers="$servers server 127.0.0.1:$p;"; done
	[ -f "$dir/nginx.pid" ] && nginx -p "$dir" -c "$dir/nginx.conf" -s stop 2>/dev/null && sleep 0.5
	cat >"$dir/nginx.conf" <<-EOF
		$([ "$(id -u)" -eq 0 ] && echo "user root;")
		worker_processes 2;
		pid $dir/nginx.pid;
		error_log $dir/error.log warn;
		events { worker_connections 1024; }
		http {
		    access_log off;
		    client_body_temp_path $dir/tmp/body;
		    proxy_temp_path $dir/tmp/proxy;
		    upstream app_hosts { $servers keepalive 32; }
		    server {
		        listen 127.0.0.1:$PORT_FRONT;
		        location / {
		            proxy_pass http://app_hosts;
		            proxy_http_version 1.1;
		            proxy_set_header Connection "";
		            proxy_set_header X-Forwarded-For 127.0.0.1;
		        }
		    }
		}
	EOF
	nginx -p "$dir" -c "$dir/nginx.conf" || fail "the front proxy did not start"
	sleep 0.3
}
rps() { # SECONDS PATH
	wrk -t2 -c32 -d"$1s" "http://127.0.0.1:$PORT_FRONT$2" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
}
secs=$([ "$LONG" = 1 ] && echo 10 || echo 4)
declare -A through
for hosts in one two; do
	if [ $hosts = one ]; then front "$PORT_A"; else front "$PORT_A" "$PORT_B"; fi
	through[$hosts:data]=$(rps "$secs" /api/ml-dashboard/roi-forecast/data)
	through[$hosts:chart]=$(rps "$secs" "/api/ml-dashboard/roi-timeseries/chart?width=900&height=420")
done
nginx -p "$CL/front" -c "$CL/front/nginx.conf" -s stop 2>/dev/null || true
pass "behind a front proxy, req/s with one app host / two: roi-forecast/data ${through[one:data]} / ${through[two:data]}, a chart drawn on demand (the same size: each host's micro-cache) ${through[one:chart]} / ${through[two:chart]} (one machine of $(nproc) cores runs everything)"

# --- 5. a node killed under load and during a sync ----------------------------------------
load=$([ "$LONG" = 1 ] && echo 20 || echo 8)
for port in "$PORT_A" "$PORT_B"; do
	wrk -t1 -c8 -d"${load}s" "http://127.0.0.1:$port/api/ml-dashboard/roi-forecast/data" >"$CL/wrk-$port.out" 2>&1 &
	PIDS+=($!)
done
sleep 1
curl -s -o "$CL/sync-kill.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
	"http://127.0.0.1:$PORT_A/api/ml-dashboard/sync-now" >"$CL/sync-kill.code" &
sync_pid=$!
sleep 0.3
killed_at=$(now)
"$GALERA" kill 1 "$CL/db"
wait "$sync_pid" || true
for p in "${PIDS[@]}"; do wait "$p" || true; done
PIDS=()
total=0 bad=0 stalled=0
for port in "$PORT_A" "$PORT_B"; do
	n=$(awk '/requests in/ { print $1 }' "$CL/wrk-$port.out")
	e=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$CL/wrk-$port.out")
	s=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 }' "$CL/wrk-$port.out")
	t=$(awk '/Socket errors:/ { gsub(/,/, ""); print $10 }' "$CL/wrk-$port.out")
	total=$((total + ${n:-0}))
	bad=$((bad + ${e:-0} + ${s:-0}))
	stalled=$((stalled + ${t:-0}))
done
[ "$total" -gt 0 ] || fail "wrk made no requests: $(cat "$CL"/wrk-*.out)"
sync_code=$(cat "$CL/sync-kill.code")
# The sync: committed whole (200) or rolled back whole (500, its run failed).
last=$(node_sql 2 "SELECT id, status FROM ml_runs WHERE job = 'ml_sync' ORDER BY id DESC LIMIT 1")
read -r last_id last_status <<<"$last"
rows=$(node_sql 2 "SELECT (SELECT COUNT(*) FROM ml_roi_forecast WHERE run_id = $last_id) + (SELECT COUNT(*) FROM ml_chart_cache WHERE run_id = $last_id)")
case "$sync_code:$last_status" in
200:succeeded) [ "$rows" -gt 0 ] || fail "the sync answered 200 but its run $last_id has no rows" ;;
*:failed | *:running) [ "$rows" = 0 ] || fail "the failed sync's run $last_id left $rows rows" ;;
*) fail "sync during the kill: HTTP $sync_code, last run $last_id $last_status" ;;
esac
# Node 1 comes back and catches up by IST.
rejoin=$(now)
"$GALERA" start 1 "$CL/db" 2>>"$CL/galera.log" || fail "node 1 did not rejoin: $(tail -n 5 "$CL/galera.log")"
rejoined=$(elapsed "$rejoin")
grep -q "IST received\|Receiving IST" "$CL/db/node1/error.log" ||
	fail "node 1 rejoined without IST: $(grep -i 'SST\|IST' "$CL/db/node1/error.log" | tail -n 3)"
tables=$(node_sql 2 "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'mldash'")
sums=()
for n in 1 2 3; do sums+=("$(node_sql "$n" "CHECKSUM TABLE $tables" | cut -f2 | tr '\n' ' ')"); done
[ "${sums[0]}" = "${sums[1]}" ] && [ "${sums[1]}" = "${sums[2]}" ] ||
	fail "the nodes hold different rows after the rejoin: ${sums[*]}"
pass "node 1 killed under load: $total GETs through both hosts, $bad non-2xx or failed, $stalled over wrk's 2 s (waiting while the cluster evicted the dead node); the sync during it $sync_code (run $last_id $last_status, whole); node 1 rejoined by IST in $rejoined s with the same $(echo "$tables" | tr ',' '\n' | wc -l) tables (checksums equal on 3 nodes)"

# --- the programs' sanitizer reports (sanitizer build) ------------------------------------
stop_hosts
if [ -d "$CL/sanitizer" ] && [ -n "$(ls -A "$CL/sanitizer")" ]; then
	head -n 40 "$CL"/sanitizer/* >&2
	fail "sanitizer reports in $CL/sanitizer"
fi
