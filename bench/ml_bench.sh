#!/usr/bin/env bash
# ML sync benchmark: demo data of 60 campaigns x 365 days and 1,000
# campaigns x 730 days, each in a fresh database; three timed syncs each
# (seconds and the syncing process's peak RSS). Then the /data endpoints
# through nginx with wrk (requests per second, 2 threads, 32 connections,
# 5 s each). Own stack in build/bench-stack on port 18190, taken down at
# the end.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export MLDASH_VAR_DIR=${MLDASH_BENCH_DIR:-$SRC/build/bench-stack}
export MLDASH_PORT=${MLDASH_BENCH_PORT:-18190}
export MLDASH_BUILD_DIR=${MLDASH_BUILD_DIR:-$SRC/build}
export MLDASH_WORKERS=${MLDASH_WORKERS:-4}
DEVSTACK=$SRC/deploy/devstack.sh
MLDASH=$MLDASH_BUILD_DIR/cli/mldash
trap '"$DEVSTACK" down >/dev/null 2>&1 || true' EXIT
"$DEVSTACK" up >/dev/null
eval "$("$DEVSTACK" paths)"
export MLDASH_CONFIG=$CONF
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }

echo "ML sync benchmark: $(nproc) cores"
printf '%-22s %-4s %9s %12s %14s\n' data run seconds channel-days peak_RSS_MB
for size in "60 365" "1000 730"; do
	read -r campaigns days <<<"$size"
	sql "DELETE FROM ml_runs; DELETE FROM campaign_daily; DELETE FROM campaigns; DELETE FROM ingest_files"
	"$MLDASH" demo-data --campaigns "$campaigns" --days "$days" --seed 11 --out "$VAR/bench.csv" 2>/dev/null
	"$MLDASH" import "$VAR/bench.csv" >/dev/null 2>&1
	for run in 1 2 3; do
		/usr/bin/time -o "$VAR/time.out" -f '%e %M' "$MLDASH" sync ml >"$VAR/sync.out" 2>/dev/null
		read -r secs rss <"$VAR/time.out"
		cd_days=$(sed -n 's/.* \([0-9]*\) channel-days read.*/\1/p' "$VAR/sync.out")
		awk -v d="${campaigns}x${days}" -v r="$run" -v s="$secs" -v c="$cd_days" -v m="$rss" \
			'BEGIN { printf "%-22s %-4s %9s %12s %14.1f\n", d " campaigns x days", r, s, c, m / 1024 }'
	done
done
rm -f "$VAR/bench.csv"

if command -v wrk >/dev/null; then
	echo
	printf '%-50s %12s\n' endpoint requests/s
	for e in roi-forecast/data roi-timeseries/data reach-ctr/data budget-recommendation/data \
		"budget-recommendation/data?total=3000" status metrics; do
		rps=$(wrk -t2 -c32 -d5s "http://127.0.0.1:$MLDASH_PORT/api/ml-dashboard/$e" |
			sed -n 's/^Requests\/sec: *//p')
		printf '%-50s %12s\n' "$e" "$rps"
	done
	rps=$(wrk -t2 -c32 -d5s "http://127.0.0.1:$MLDASH_PORT/index.html" | sed -n 's/^Requests\/sec: *//p')
	printf '%-50s %12s\n' "nginx static web/index.html (the ceiling)" "$rps"

	# The cached chart against nginx serving the very same PNG as a file.
	echo
	curl -s -o "$SRC/web/.bench-chart.png" "http://127.0.0.1:$MLDASH_PORT/api/ml-dashboard/roi-timeseries/chart"
	chart=$(wrk -t2 -c32 -d5s "http://127.0.0.1:$MLDASH_PORT/api/ml-dashboard/roi-timeseries/chart" |
		sed -n 's/^Requests\/sec: *//p')
	static=$(wrk -t2 -c32 -d5s "http://127.0.0.1:$MLDASH_PORT/.bench-chart.png" | sed -n 's/^Requests\/sec: *//p')
	rm -f "$SRC/web/.bench-chart.png"
	printf '%-50s %12s\n' "roi-timeseries/chart (cached)" "$chart" "the same PNG as a static file" "$static"
	awk -v a="$chart" -v b="$static" 'BEGIN { printf "%-50s %12.2f\n", "ratio", a / b }'
	ondemand=$(wrk -t2 -c8 -d5s "http://127.0.0.1:$MLDASH_PORT/api/ml-dashboard/roi-timeseries/chart?width=801" |
		sed -n 's/^Requests\/sec: *//p')
	printf '%-50s %12s\n' "roi-timeseries/chart?width=801 (1 s micro-cache)" "$ondemand"
fi
