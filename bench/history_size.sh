#!/usr/bin/env bash
# How much table space a year of days' runs takes (`make bench-history`,
# issue #16's budget: under 100 MB at 50 channels).
#
#   1. 50 channels of demo data (a campaign each, 365 days) imported into a
#      fresh database;
#   2. two real ML syncs on a test clock, a day apart, with keep_runs = 1:
#      the first becomes a day's run and is trimmed by the second, as every
#      day's run is once out of the recent ones;
#   3. that trimmed run copied 364 times, a day earlier each time (its
#      forecast log, ROI forecast and budget plan, rows as the sync wrote
#      them), then ANALYZE TABLE and information_schema's data and index
#      length per table, for the days' runs alone and with the recent run.
#
# The copies are written in order; a year of real runs interleaves them with
# the recent runs' writes and deletions, which leaves pages less full: the
# report says the measured size and leaves that margin to the budget.
# Its own dev stack in build/history-stack on port 18192, taken down at the
# end. About a minute.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export MLDASH_VAR_DIR=${MLDASH_BENCH_DIR:-$SRC/build/history-stack}
export MLDASH_PORT=${MLDASH_BENCH_PORT:-18192}
export MLDASH_BUILD_DIR=${MLDASH_BUILD_DIR:-$SRC/build}
OUT=${MLDASH_BENCH_OUT:-$SRC/bench/results/history_size.md}
CHANNELS=${MLDASH_BENCH_CHANNELS:-50}
DAYS_KEPT=365
DEVSTACK=$SRC/deploy/devstack.sh
MLDASH=$MLDASH_BUILD_DIR/cli/mldash
SCHEDULER=$MLDASH_BUILD_DIR/scheduler/mldash-scheduler
ME=$(id -un)

note() { printf 'bench-history: %s\n' "$*" >&2; }
die() { printf 'bench-history: error: %s\n' "$*" >&2; exit 1; }
for b in "$MLDASH" "$SCHEDULER"; do [ -x "$b" ] || die "$b is missing: run 'make' first"; done

mkdir -p "$MLDASH_VAR_DIR" "$(dirname "$OUT")"
TMP=$MLDASH_VAR_DIR/bench
rm -rf "$TMP"
mkdir -p "$TMP"
cleanup() {
	rm -rf "$TMP"
	"$DEVSTACK" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$DEVSTACK" up mariadb >/dev/null
eval "$("$DEVSTACK" paths)"
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$ME" -N -B mldash "$@"; }
mariadb --no-defaults --socket="$DB_SOCKET" -u "$ME" -e "DROP DATABASE IF EXISTS mldash;
	CREATE DATABASE mldash CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
cp "$CONF" "$TMP/mldash.conf"
printf '\n[ml]\nkeep_runs = 1\nkeep_daily_days = 400\n' >>"$TMP/mldash.conf"
export MLDASH_CONFIG=$TMP/mldash.conf
MLDASH_DATABASE_USER=$ME MLDASH_DATABASE_PASSWORD='' "$MLDASH" migrate >/dev/null 2>&1 ||
	die "mldash migrate failed"

note "$CHANNELS channels x 365 days of demo data"
"$MLDASH" demo-data --campaigns "$CHANNELS" --days 365 --seed 7 --end 2025-12-31 --out "$TMP/demo.csv" \
	>/dev/null 2>&1 || die "mldash demo-data failed"
# A channel per campaign: the demo's campaign id names it.
awk -F, -v OFS=, 'NR == 1 { print; next } { $4 = "channel-" $2; print }' "$TMP/demo.csv" >"$TMP/channels.csv"
"$MLDASH" import "$TMP/channels.csv" >/dev/null 2>&1 || die "mldash import failed"

note "two ML syncs, a day apart"
for day in 2026-01-01 2026-01-02; do
	"$SCHEDULER" --once ml_sync --test-clock "$(date -u -d "$day 00:30" +%s),1" >"$TMP/sync.out" 2>&1 ||
		die "ml sync failed: $(tail -n 3 "$TMP/sync.out")"
done
first=$(sql -e "SELECT MIN(id) FROM ml_runs WHERE job = 'ml_sync'")
[ "$(sql -e "SELECT trimmed FROM ml_runs WHERE id = $first")" = 1 ] || die "the first run was not trimmed"

note "the trimmed day's run copied $((DAYS_KEPT - 1)) times"
sql -e "
CREATE TEMPORARY TABLE n (k INT PRIMARY KEY);
INSERT INTO n SELECT seq FROM seq_1_to_$((DAYS_KEPT - 1));
INSERT INTO ml_runs (job, triggered_by, slot_time, status, host, pid, started_at, finished_at, rows_in,
		     data_end, daily_for, trimmed)
  SELECT job, triggered_by, slot_time - INTERVAL n.k DAY, status, host, pid, started_at - INTERVAL n.k DAY,
	 finished_at - INTERVAL n.k DAY, rows_in, data_end - INTERVAL n.k DAY, daily_for - INTERVAL n.k DAY, 1
  FROM ml_runs r JOIN n WHERE r.id = $first ORDER BY n.k DESC;
CREATE TEMPORARY TABLE copies AS
  SELECT c.id, DATEDIFF(o.daily_for, c.daily_for) AS back FROM ml_runs c JOIN ml_runs o ON o.id = $first
  WHERE c.trimmed = 1 AND c.id <> $first;
INSERT INTO ml_forecast_log
  SELECT c.id, f.channel, f.metric, f.lead_days, f.day - INTERVAL c.back DAY, f.forecast, f.lower_80,
	 f.upper_80, f.lower_95, f.upper_95
  FROM copies c JOIN ml_forecast_log f ON f.run_id = $first;
INSERT INTO ml_roi_forecast SELECT c.id, f.channel, f.horizon_days, f.predicted_roi, f.roi_lower_80,
	 f.roi_upper_80, f.roi_lower, f.roi_upper, f.predicted_spend, f.predicted_revenue, f.model,
	 f.backtest_smape, f.baseline_smape, f.backtest_mase, f.note
  FROM copies c JOIN ml_roi_forecast f ON f.run_id = $first;
" || die "copying the run failed"
# The plan's columns as the table has them, whatever migrations added.
cols=$(sql -e "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
	WHERE table_schema = 'mldash' AND table_name = 'ml_budget_recommendation' AND column_name <> 'run_id'")
sql -e "CREATE TEMPORARY TABLE copies AS
	  SELECT c.id FROM ml_runs c WHERE c.trimmed = 1 AND c.id <> $first;
	INSERT INTO ml_budget_recommendation (run_id, $cols)
	  SELECT c.id, $(echo "$cols" | sed 's/\([a-z0-9_]*\)/b.\1/g')
	  FROM copies c JOIN ml_budget_recommendation b ON b.run_id = $first" ||
	die "copying the plan failed"

TABLES="ml_runs ml_forecast_log ml_roi_forecast ml_budget_recommendation ml_roi_timeseries
	ml_reach_ctr_timeseries ml_budget_days ml_chart_cache ml_accuracy ml_anomalies"
for t in $TABLES; do sql -e "ANALYZE TABLE $t" >/dev/null; done
runs=$(sql -e "SELECT COUNT(*) FROM ml_runs WHERE daily_for IS NOT NULL")
[ "$runs" -ge "$DAYS_KEPT" ] || die "expected $DAYS_KEPT days' runs, found $runs"
{
	echo "# Table space of a year of days' runs"
	echo
	echo "$(date -u +%F), commit $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?'):"
	echo "$CHANNELS channels, $runs days' runs (trimmed: forecast log, ROI forecast, plan) and"
	echo "one recent run kept whole ([ml] keep_runs = 1). data + index length after ANALYZE TABLE."
	echo
	echo "| table | rows | MB |"
	echo "|---|---|---|"
	for t in $TABLES; do
		sql -e "SELECT '$t', (SELECT COUNT(*) FROM $t), ROUND((data_length + index_length) / 1048576, 1)
			FROM information_schema.tables WHERE table_schema = 'mldash' AND table_name = '$t'" |
			awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }'
	done
	sql -e "SELECT ROUND(SUM(data_length + index_length) / 1048576, 1) FROM information_schema.tables
		WHERE table_schema = 'mldash' AND table_name LIKE 'ml\\_%'" |
		awk '{ printf "| **all ml_ tables** | | **%s** |\n", $1 }'
	echo
	recent=$(sql -e "SELECT id FROM ml_runs WHERE trimmed = 0 AND job = 'ml_sync' ORDER BY id DESC LIMIT 1")
	echo "The recent run alone (kept whole) holds $(sql -e "SELECT (SELECT COUNT(*) FROM ml_roi_timeseries WHERE run_id = $recent) + (SELECT COUNT(*) FROM ml_reach_ctr_timeseries WHERE run_id = $recent) + (SELECT COUNT(*) FROM ml_budget_days WHERE run_id = $recent)") daily rows;"
	echo "each of [ml] keep_runs recent runs costs as much again."
} | tee "$OUT"
