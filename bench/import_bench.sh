#!/usr/bin/env bash
# Import benchmark: generic CSV files of 250k and 1M rows into a fresh
# database, three runs each; prints rows per second and peak memory (RSS) of
# the importer. Uses its own stack (build/bench-stack, port 18190), like the
# tests, and takes it down at the end.
#
#   bench/import_bench.sh [ROWS_IN_THOUSANDS...]   (default: 250 1000)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export MLDASH_VAR_DIR=${MLDASH_BENCH_DIR:-$SRC/build/bench-stack}
export MLDASH_PORT=${MLDASH_BENCH_PORT:-18190}
export MLDASH_BUILD_DIR=${MLDASH_BUILD_DIR:-$SRC/build}
export MLDASH_WORKERS=1
DEVSTACK=$SRC/deploy/devstack.sh
MLDASH=$MLDASH_BUILD_DIR/cli/mldash
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250 1000)

trap '"$DEVSTACK" down >/dev/null 2>&1 || true' EXIT
"$DEVSTACK" up mariadb >/dev/null
eval "$("$DEVSTACK" paths)"
admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" "$@"; }
export MLDASH_CONFIG=$CONF MLDASH_DATABASE_USER=$(id -un) MLDASH_DATABASE_PASSWORD= \
	MLDASH_DATABASE_NAME=mldash_bench MLDASH_PATHS_MIGRATIONS_DIR=$SRC/db/migrations

echo "import benchmark: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%-10s %-6s %10s %12s %12s\n' rows run seconds rows/s peak_RSS_MB
for k in "${sizes[@]}"; do
	rows=$((k * 1000))
	file=$MLDASH_VAR_DIR/bench-$k.csv
	"$MLDASH" demo-data --campaigns "$k" --days 1000 --seed 5 --end 2025-12-31 --out "$file" 2>/dev/null
	for run in 1 2 3; do
		admin -e "DROP DATABASE IF EXISTS mldash_bench; CREATE DATABASE mldash_bench"
		"$MLDASH" migrate 2>/dev/null
		/usr/bin/time -o "$MLDASH_VAR_DIR/time.out" -f '%e %M' "$MLDASH" import "$file" >/dev/null 2>&1
		read -r secs rss <"$MLDASH_VAR_DIR/time.out"
		n=$(admin -N -B mldash_bench -e "SELECT COUNT(*) FROM campaign_daily")
		[ "$n" = "$rows" ] || { echo "run wrote $n rows, expected $rows" >&2; exit 1; }
		awk -v r="$rows" -v run="$run" -v s="$secs" -v m="$rss" \
			'BEGIN { printf "%-10s %-6s %10s %12.0f %12.1f\n", r, run, s, r / s, m / 1024 }'
	done
	rm -f "$file"
done
admin -e "DROP DATABASE IF EXISTS mldash_bench"
