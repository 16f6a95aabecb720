#!/usr/bin/env bash
# A big import on a three-node Galera cluster (`make bench-cluster-import`,
# issue #17): the same file of 1,000,000 campaign-days imported through
# node 1 into a fresh database as one write set ([database]
# galera_fragment_rows = 0) and with streaming replication in fragments of
# 10,000 and 100,000 rows; the time of each, and the import on one server
# (the same node, alone) beside them. Uses tests/cluster/galera.sh in a
# folder of /tmp; about 5 minutes. Prints a table and writes it to
# bench/results/cluster_import.md.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${MLDASH_BUILD_DIR:-$SRC/build}" && pwd)
ROWS_CAMPAIGNS=${MLDASH_BENCH_CAMPAIGNS:-1000}
ROWS_DAYS=${MLDASH_BENCH_DAYS:-1000}
OUT=${MLDASH_BENCH_OUT:-$SRC/bench/results/cluster_import.md}
GALERA=$SRC/tests/cluster/galera.sh
export GALERA_SQL_PORT=${GALERA_SQL_PORT:-13306}
ME=$(id -un)
die() { printf 'bench-cluster-import: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench-cluster-import: %s\n' "$*" >&2; }

CL=$(mktemp -d "${TMPDIR:-/tmp}/mldash-cluster-bench.XXXXXX")
chmod 755 "$CL"
trap '"$GALERA" down "$CL/db" >/dev/null 2>&1 || true; rm -rf "$CL"' EXIT
"$GALERA" up "$CL/db" 2>"$CL/galera.log" || die "the cluster did not come up: $(tail -n 3 "$CL/galera.log")"
root_sql() { mariadb --no-defaults --socket="$CL/db/node1/mysqld.sock" -u "$ME" "$@"; }
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
root_sql -e "CREATE USER 'mldash_admin'@'127.%' IDENTIFIED BY '$PASSWORD';
	GRANT ALL PRIVILEGES ON mldash.* TO 'mldash_admin'@'127.%'"
cat >"$CL/mldash.conf" <<CONF
[database]
hosts = 127.0.0.2:$GALERA_SQL_PORT
user = mldash_admin
password = $PASSWORD
name = mldash
read_timeout = 600
[paths]
migrations_dir = $SRC/db/migrations
CONF
export MLDASH_CONFIG=$CL/mldash.conf
note "$ROWS_CAMPAIGNS x $ROWS_DAYS campaign-days of demo data"
"$BUILD/cli/mldash" demo-data --campaigns "$ROWS_CAMPAIGNS" --days "$ROWS_DAYS" --seed 3 --end 2025-12-31 \
	--out "$CL/big.csv" >/dev/null 2>&1 || die "demo-data failed"
rows=$((ROWS_CAMPAIGNS * ROWS_DAYS))
NODES="1 2 3"
fresh() {
	root_sql -e "DROP DATABASE IF EXISTS mldash; CREATE DATABASE mldash CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	"$BUILD/cli/mldash" migrate >/dev/null 2>&1 || die "migrate failed"
}
# import LABEL [ENV...]: seconds of the import into a fresh database
import() {
	local label=$1 t0 t1 t2 n
	shift
	fresh
	t0=$(date +%s.%N)
	env "$@" "$BUILD/cli/mldash" import "$CL/big.csv" >"$CL/import.log" 2>&1 || die "$label: $(tail -n 3 "$CL/import.log")"
	t1=$(date +%s.%N)
	# A commit returns once certified; the other nodes apply it after: the
	# count waits for that (wsrep_sync_wait), the last column's time.
	for node in $NODES; do
		n=$(mariadb --no-defaults --socket="$CL/db/node$node/mysqld.sock" -u "$ME" -N -B mldash \
			-e "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM campaign_daily")
		[ "$n" = "$rows" ] || die "$label: node $node holds $n campaign-days, expected $rows"
	done
	t2=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$rows" -v l="$label" \
		'BEGIN { printf "| %s | %.1f | %.0f | %.1f |\n", l, b - a, r / (b - a), c - a }'
}
{
	echo "# A 1,000,000-row import on a three-node Galera cluster"
	echo
	echo "$(date -u +%F), commit $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, the three nodes on this machine."
	echo "Every row on all three nodes checked after each import."
	echo
	echo "| import through node 1 | seconds to commit | rows/s | seconds until every node has it |"
	echo "|---|---|---|---|"
	import "one write set (galera_fragment_rows = 0)" MLDASH_DATABASE_GALERA_FRAGMENT_ROWS=0
	import "streaming replication, fragments of 10,000 rows (the default)" MLDASH_DATABASE_GALERA_FRAGMENT_ROWS=10000
	import "streaming replication, fragments of 100,000 rows" MLDASH_DATABASE_GALERA_FRAGMENT_ROWS=100000
	"$GALERA" stop 2 "$CL/db"
	"$GALERA" stop 3 "$CL/db"
	NODES=1
	import "node 1 alone (no replication)" MLDASH_DATABASE_GALERA_FRAGMENT_ROWS=0
} | tee "$OUT"
