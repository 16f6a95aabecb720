#!/usr/bin/env bash
# Backup and restore, as docs/operations.md tells them: the stack's database
# dumped with mariadb-dump (--single-transaction, while the API is serving),
# restored into a new MariaDB in a folder of its own, every table compared
# (rows and CHECKSUM TABLE); then the restored server takes the stack's
# socket in place of the original, the FastCGI pool is restarted (workers
# keep time series answers in memory), and the dashboard data, the four
# charts and /status must be byte-identical to the answers before the dump
# (/status but for its row estimates: each server keeps its own statistics).
# At the end the original server is back and answers as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

R=$TMP/restored # the new server's folder; its socket must be short
R_SOCKET=$TMP/r.sock
USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(--user=root)
restored_pid() { cat "$R/mariadb.pid" 2>/dev/null; }
stop_restored() {
	local pid
	pid=$(restored_pid) || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}
restore_stack() {
	stop_restored
	"$DEVSTACK" up mariadb >/dev/null 2>&1 || true
	"$DEVSTACK" up fcgi >/dev/null 2>&1 || true
}
trap 'restore_stack; rm -rf "$TMP"' EXIT

# start_server SOCKET: mariadbd on the restored folder, as devstack starts
# the stack's own (no TCP, the same character set).
start_server() {
	setsid mariadbd --no-defaults --datadir="$R/data" --socket="$1" --pid-file="$R/mariadb.pid" \
		--skip-networking --log-error="$R/mariadb.log" --innodb-buffer-pool-size=256M \
		--innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
		--character-set-server=utf8mb4 \
		--collation-server=utf8mb4_unicode_ci "${USER_OPT[@]}" </dev/null >>"$R/mariadb.log" 2>&1 &
	ping_it() { mariadb-admin --no-defaults --socket="$1" -u "$(id -un)" ping >/dev/null 2>&1; }
	retry 60 ping_it "$1" || fail "the restored server did not start: $(tail -5 "$R/mariadb.log")"
}
on() { mariadb --no-defaults --socket="$1" -u "$(id -un)" -N -B mldash -e "$2"; }

# The answers to compare: path, and the file each is kept in.
ANSWERS="roi-forecast/data roi-timeseries/data reach-ctr/data budget-recommendation/data
	budget-recommendation/curves status roi-forecast/chart roi-timeseries/chart reach-ctr/chart
	budget-recommendation/chart"
# Charts: the default view with its width spelled with leading zeros, more
# each time (uncached_calls). The worker answers the stored default chart
# (the same bytes and ETag), but nginx's chart cache, keyed by the path and
# its arguments, has never seen that spelling.
uncached_calls=0
# fetch DIR: every answer into DIR (body, and the ETag), charts from a
# FastCGI worker rather than nginx's cache.
fetch() {
	local path file i
	mkdir -p "$1"
	for path in $ANSWERS; do
		file=$1/$(echo "$path" | tr / _)
		case $path in
		*/chart)
			uncached_calls=$((uncached_calls + 1))
			http GET "$(printf '/%s?width=%0*d&height=400' "$path" $((uncached_calls + 3)) 800)"
			[ "$(header X-Cache)" = MISS ] || fail "/$path: X-Cache $(header X-Cache), not an answer from a worker"
			;;
		*) get "/$path" ;;
		esac
		expect_status 200 "GET /$path"
		cp "$BODY" "$file"
		header ETag >"$file.etag"
	done
}
# without_estimates FILE: a /status answer without the rows it gives as the
# server's estimates (InnoDB's statistics differ between servers holding the
# same rows, and change when a server recalculates them).
without_estimates() {
	jq -S '.rows_estimated as $e | .rows |= with_entries(select(.key as $k | $e | index($k) | not))' "$1"
}
# same DIR1 DIR2 WHAT: every answer byte-identical (/status but for its row
# estimates, so without its ETag either).
same() {
	local path file
	for path in $ANSWERS; do
		file=$(echo "$path" | tr / _)
		if [ "$path" = status ]; then
			[ "$(without_estimates "$1/$file")" = "$(without_estimates "$2/$file")" ] ||
				fail "$3: /status differs: $(diff <(without_estimates "$1/$file") <(without_estimates "$2/$file") | head -20)"
			continue
		fi
		cmp -s "$1/$file" "$2/$file" ||
			fail "$3: /$path differs: $(diff <(jq -S . "$1/$file" 2>/dev/null || od -c "$1/$file" | head) \
				<(jq -S . "$2/$file" 2>/dev/null || od -c "$2/$file" | head) | head -20)"
		cmp -s "$1/$file.etag" "$2/$file.etag" || fail "$3: /$path ETag $(cat "$1/$file.etag") vs $(cat "$2/$file.etag")"
	done
}

ensure_ml_run
fetch "$TMP/before"
run=$(jq -r .run.id "$TMP/before/roi-forecast_data")

# --- dump, under load ------------------------------------------------------------------
wrk_start 60 "$TMP/wrk"
t0=$(now_ms)
mariadb-dump --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" --single-transaction --hex-blob \
	--routines --triggers --events --databases mldash >"$TMP/mldash.sql" || fail "mariadb-dump failed"
t_dump=$(($(now_ms) - t0))
wrk_stop
case "$(wrk_statuses "$TMP/wrk")" in
"200 " | "200 429 ") ;;
*) fail "answers other than 200 during the dump: $(wrk_report "$TMP/wrk")" ;;
esac
[ "$(wrk_limited_elsewhere "$TMP/wrk")" = 0 ] || fail "429s on paths other than /status during the dump"
grep -q '^-- Dump completed' "$TMP/mldash.sql" || fail "the dump is not complete"
pass "mariadb-dump: $(stat -c %s "$TMP/mldash.sql") bytes in $t_dump ms, under $(wrk_get "$TMP/wrk" requests) requests: $(wrk_get "$TMP/wrk" status 200) x 200, $(wrk_get "$TMP/wrk" status 429) x 429 (rate limit on /status)"

# --- restore into a new server ---------------------------------------------------------
mkdir -p "$R"
t0=$(now_ms)
mariadb-install-db --no-defaults --datadir="$R/data" --skip-test-db --auth-root-authentication-method=socket \
	"${USER_OPT[@]}" >"$R/install.log" 2>&1 || fail "mariadb-install-db: $(tail -5 "$R/install.log")"
start_server "$R_SOCKET"
. "$VAR/secrets.env"
mariadb --no-defaults --socket="$R_SOCKET" -u "$(id -un)" <<-SQL || fail "accounts on the restored server"
	CREATE USER 'mldash'@'localhost' IDENTIFIED BY '$APP_PASSWORD';
	CREATE USER 'mldash_admin'@'localhost' IDENTIFIED BY '$ADMIN_PASSWORD';
	GRANT SELECT, INSERT, UPDATE, DELETE ON mldash.* TO 'mldash'@'localhost';
	GRANT ALL PRIVILEGES ON mldash.* TO 'mldash_admin'@'localhost';
SQL
mariadb --no-defaults --socket="$R_SOCKET" -u "$(id -un)" <"$TMP/mldash.sql" || fail "loading the dump failed"
t_restore=$(($(now_ms) - t0))

tables=$(on "$DB_SOCKET" "SHOW TABLES")
rows=0
for t in $tables; do
	a=$(on "$DB_SOCKET" "SELECT COUNT(*) FROM $t; CHECKSUM TABLE $t" | tr '\n\t' '  ')
	b=$(on "$R_SOCKET" "SELECT COUNT(*) FROM $t; CHECKSUM TABLE $t" | tr '\n\t' '  ')
	[ "$a" = "$b" ] || fail "table $t: original [$a], restored [$b]"
	rows=$((rows + ${a%% *}))
done
pass "restored into a new server in $t_restore ms: $(echo "$tables" | wc -w) tables, $rows rows, same counts and CHECKSUM TABLE"

# --- the restored server in place of the original -------------------------------------
stop_restored
"$DEVSTACK" down mariadb >/dev/null
start_server "$DB_SOCKET"
[ "$(on "$DB_SOCKET" "SELECT @@datadir")" = "$R/data/" ] || fail "the stack's socket is not the restored server's"
"$DEVSTACK" down fcgi >/dev/null
"$DEVSTACK" up fcgi >/dev/null
retry 10 bash -c "curl -fs -o /dev/null '$BASE/status'" || fail "the pool did not answer on the restored server"
fetch "$TMP/restored"
same "$TMP/before" "$TMP/restored" "restored server"
n=$(echo "$ANSWERS" | wc -w)
pass "on the restored server, from a fresh pool: all $n answers (4 data, curves, status, 4 charts) byte-identical, ETags too (run $run; /status but for its row estimates)"

# --- and back to the original ----------------------------------------------------------
stop_restored
"$DEVSTACK" up mariadb >/dev/null 2>"$TMP/up.log" || fail "the original server did not come back: $(cat "$TMP/up.log")"
[ "$(on "$DB_SOCKET" "SELECT @@datadir")" = "$VAR/mysql/" ] || fail "the stack's socket is not the original server's"
fetch "$TMP/after"
same "$TMP/before" "$TMP/after" "original server back"
pass "the original server is back in place: the same $n answers"
