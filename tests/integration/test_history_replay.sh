#!/usr/bin/env bash
# Closing the loop (#16) on real data: the conjura hair-care brand
# (../shared/datasets/conjura-haircare, converted per day by
# tests/fixtures/conjura_to_generic.py) replayed day by day on a test clock.
# The history before the replay is imported at once; then each day is
# imported and the ML sync runs as the scheduler's slot at 00:30 UTC of the
# next day (the day's run), with extra runs later on some days (never the
# day's run). Then, against tests/integration/history_check.py, which
# recomputes everything from the database:
#   - the last runs' accuracy rows and anomalies (and, in the long mode,
#     a day's run's every 30 days), from the kept forecasts and the actuals;
#   - a spike injected into one channel's conversions of the last day is
#     flagged up, and nothing else changes (the total's conversions may be
#     flagged up too);
#   - pruning left exactly the keep_runs newest runs whole and the days'
#     runs of the last keep_daily_days days, trimmed;
#   - GET accuracy/data, anomalies/data and budget-recommendation/history
#     answer what the database holds and, for the plans, what was spent.
# Ends with the replay's time and the sizes of the ml_* tables.
#
# Short by default: 36 days, keep_daily_days 30 (about 40 s). A year with
# `make test-replay` (MLDASH_REPLAY_DAYS=365; keep_daily_days 120, about 6
# minutes). Environment: MLDASH_REPLAY_DAYS (at least 30), MLDASH_REPLAY_END
# (the last day replayed), MLDASH_REPLAY_KEEP_DAILY_DAYS (400, the default
# of [ml], keeps every day's run of a year: the table sizes of a year),
# MLDASH_REPLAY_CHECK_EVERY (days between checked days' runs; 0: the last).
. "$(dirname "$0")/lib.sh"

DATA=${MLDASH_DATASETS:-$SRC/../shared/datasets}
SOURCE=$DATA/conjura-haircare/daily.csv
if [ ! -f "$SOURCE" ]; then
	echo "SKIP: $SOURCE absent; the history replay needs ../shared/datasets"
	exit 77
fi

DAYS=${MLDASH_REPLAY_DAYS:-36}
END=${MLDASH_REPLAY_END:-2023-12-16} # the dataset's last three days look truncated (Google at 0)
FIT_DAYS=365
KEEP_RUNS=3
# Days' runs kept: fewer than the replay's days, so that some expire, and at
# least 29, so that forecasts 28 days ahead are still there to be scored.
if ((DAYS >= 90)); then KEEP_DAILY_DAYS=${MLDASH_REPLAY_KEEP_DAILY_DAYS:-120}; else
	KEEP_DAILY_DAYS=${MLDASH_REPLAY_KEEP_DAILY_DAYS:-30}; fi
# Every CHECK_EVERY days, the day's run is checked as the last one is (0: the last only).
if ((DAYS >= 90)); then CHECK_EVERY=${MLDASH_REPLAY_CHECK_EVERY:-30}; else
	CHECK_EVERY=${MLDASH_REPLAY_CHECK_EVERY:-0}; fi
EXTRA_EVERY=9 # an extra run at 12:00 every 9th day
SPIKE_FACTOR=20
((DAYS >= 30)) || fail "MLDASH_REPLAY_DAYS=$DAYS: at least 30 days, for 28-day forecasts to be scored"

SCHED=$MLDASH_BUILD_DIR/scheduler/mldash-scheduler
CLI=$MLDASH_BUILD_DIR/cli/mldash
CONVERT=$SRC/tests/fixtures/conjura_to_generic.py
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }
check() { python3 "$SRC/tests/integration/history_check.py" --socket="$DB_SOCKET" "$@"; }
# The API's numbers have 10 significant digits.
check_api() { check --rel 1e-8 "$@"; }
day_plus() { date -u -d "$1 + $2 day" +%F; }
epoch() { date -u -d "$1 UTC" +%s; } # "YYYY-MM-DD HH:MM" -> seconds

# An empty store (the test stack's database is shared by tests).
sql "DELETE FROM ml_runs; DELETE FROM campaign_daily; DELETE FROM campaigns; DELETE FROM ingest_files"

# The stack's configuration, with the replay's [ml] and [schedule].
RCONF=$TMP/replay.conf
{
	cat "$CONF"
	printf '\n[ml]\nfit_days = %d\nhorizon_days = 30\nkeep_runs = %d\nkeep_daily_days = %d\n' \
		"$FIT_DAYS" "$KEEP_RUNS" "$KEEP_DAILY_DAYS"
	printf '\n[schedule]\nml_sync = 30 0 * * *\ncampaign_sync = 0 0 1 1 *\ntimezone = UTC\n'
} >"$RCONF"

import() {
	MLDASH_CONFIG=$RCONF timeout 120 "$CLI" import "$1" >"$TMP/import.log" 2>&1 ||
		fail "import $1: $(cat "$TMP/import.log")"
	grep -q ", 0 rows rejected" "$TMP/import.log" || fail "import $1 rejected rows: $(cat "$TMP/import.log")"
}

# ml_run AT KIND: one ML sync as the scheduler's slot at AT ("YYYY-MM-DD HH:MM"
# UTC); KIND daily (it must become the day's run) or extra (it must not).
# Appends "run daily_for" to $RUNS and sets RUN.
RUNS=$TMP/runs.log
: >"$RUNS"
run_count=0
ml_run() {
	local at=$1 kind=$2 row id status data_end daily_for slot
	timeout 300 "$SCHED" --once ml_sync --test-clock "$(epoch "$at"),1" --config "$RCONF" \
		>"$TMP/sched.log" 2>&1 || fail "ML sync at $at: $(tail -5 "$TMP/sched.log")"
	row=$(sql "SELECT id, status, IFNULL(data_end, '-'), IFNULL(daily_for, 'NULL'), slot_time
		FROM ml_runs WHERE job = 'ml_sync' ORDER BY id DESC LIMIT 1")
	read -r id status data_end daily_for slot <<<"$row"
	[ "$status" = succeeded ] || fail "run $id at $at: $status: $(sql "SELECT error FROM ml_runs WHERE id = $id")"
	[[ "$slot" == "$at:00"* ]] || fail "run $id: slot_time $slot, expected $at"
	[ "$data_end" = "$LAST_DAY" ] || fail "run $id at $at: data_end $data_end, expected $LAST_DAY"
	if [ "$kind" = daily ]; then
		[ "$daily_for" = "${at% *}" ] || fail "run $id at $at: daily_for $daily_for, expected ${at% *}"
	else
		[ "$daily_for" = NULL ] || fail "extra run $id at $at became the day's run of $daily_for"
	fi
	echo "$id $daily_for" >>"$RUNS"
	RUN=$id
	run_count=$((run_count + 1))
}

# --- the data -----------------------------------------------------------------
START=$(day_plus "$END" $((1 - DAYS)))
python3 "$CONVERT" --skip-idle --to "$(day_plus "$START" -1)" "$SOURCE" "$TMP/before.csv"
python3 "$CONVERT" --skip-idle --per-day "$TMP/days" --from "$START" --to "$END" "$SOURCE"
[ "$(ls "$TMP/days" | wc -l)" = "$DAYS" ] || fail "expected $DAYS day files from $START to $END"
t0=$(date +%s.%N)
import "$TMP/before.csv"
pass "history before the replay imported: $(($(wc -l <"$TMP/before.csv") - 1)) channel-days up to $(day_plus "$START" -1)"

# --- the replay ------------------------------------------------------------------
checked=0
day=$START
for ((i = 0; i < DAYS; i++)); do
	import "$TMP/days/$day.csv"
	LAST_DAY=$day
	next=$(day_plus "$day" 1)
	last=$((i == DAYS - 1))
	if ((last)) || ((CHECK_EVERY > 0 && i > 0 && i % CHECK_EVERY == 0)); then
		# Pruning after the run deletes forecasts it scored: keep them first.
		check snapshot "$TMP/forecasts.$i" >/dev/null
		ml_run "$next 00:30" daily
		check run --run "$RUN" --forecasts "$TMP/forecasts.$i" --fit-days "$FIT_DAYS"
		checked=$((checked + 1))
	else
		ml_run "$next 00:30" daily
	fi
	if ((i % EXTRA_EVERY == EXTRA_EVERY - 1)) || ((last)); then
		ml_run "$next 12:00" extra
	fi
	day=$next
done
t1=$(date +%s.%N)
replay_seconds=$(echo "$t1 - $t0" | bc)
replay_runs=$run_count
pass "replayed $DAYS days ($START to $END): $run_count runs, days' runs at 00:30 and extra runs at 12:00 marked as they should be, in $(printf %.1f "$replay_seconds") s"
TODAY=$(day_plus "$END" 1)

# --- an injected spike ------------------------------------------------------------
# One channel's conversions of the last day times SPIKE_FACTOR, imported again
# over the day, and a run later the same day: exactly that is new.
BEFORE=$RUN
channel=$(check pick-spike --run "$BEFORE" --day "$END" --factor "$SPIKE_FACTOR") ||
	fail "no channel to spike"
python3 "$CONVERT" --spike "$channel:$SPIKE_FACTOR" "$TMP/days/$END.csv" "$TMP/spike.csv"
import "$TMP/spike.csv"
[ "$(sql "SELECT COUNT(*) FROM ml_runs WHERE job = 'ml_sync' AND daily_for IS NOT NULL AND status = 'succeeded'
	AND id < $BEFORE")" -gt 0 ] || fail "no day's run left before the spike"
check snapshot "$TMP/forecasts.spike" >/dev/null
ml_run "$TODAY 18:00" extra
SPIKED=$RUN
check run --run "$SPIKED" --forecasts "$TMP/forecasts.spike" --fit-days "$FIT_DAYS"
check spike --before "$BEFORE" --after "$SPIKED" --day "$END" --channel "$channel"

# --- pruning -------------------------------------------------------------------------
check prune --runs "$RUNS" --keep-runs "$KEEP_RUNS" --keep-daily-days "$KEEP_DAILY_DAYS" --today "$TODAY"

# --- the API ------------------------------------------------------------------------------
served_soon
get() { # get PATH: the answer saved to $TMP/answer.json, 200 expected
	http GET "$1"
	expect_status 200 "GET $1"
	cp "$BODY" "$TMP/answer.json"
}
get /accuracy/data
check_api api-accuracy --json "$TMP/answer.json" --run "$SPIKED"
get "/accuracy/data?channel=$channel&metric=conversions&window=90"
check_api api-accuracy --json "$TMP/answer.json" --run "$SPIKED" --channel "$channel" --metric conversions \
	--window 90 --query "?channel=$channel&metric=conversions&window=90"
get /anomalies/data
check_api api-anomalies --json "$TMP/answer.json" --run "$SPIKED" --days 30
get "/anomalies/data?days=90"
check_api api-anomalies --json "$TMP/answer.json" --run "$SPIKED" --days 90 --query "?days=90"
get "/anomalies/data?channel=$channel&metric=conversions&days=1"
check_api api-anomalies --json "$TMP/answer.json" --run "$SPIKED" --days 1 --channel "$channel" \
	--metric conversions --query "?channel=$channel&metric=conversions&days=1"
json ".anomalies | map(select(.day == \"$END\")) | length" | grep -qx 1 || fail "the spike is not in anomalies?days=1"
get "/budget-recommendation/history?days=400"
check_api budget-history --json "$TMP/answer.json" --days 400 --query "?days=400"
get "/budget-recommendation/history?days=10&channel=$channel"
check_api budget-history --json "$TMP/answer.json" --days 10 --channel "$channel" --query "?days=10&channel=$channel"
for bad in "anomalies/data?days=0" "anomalies/data?days=91" "accuracy/data?window=7" \
	"accuracy/data?metric=nope" "budget-recommendation/history?days=401"; do
	http GET "/$bad"
	expect_status 400 "GET /$bad"
done
pass "bad parameters of the history endpoints: 400"

# --- what it cost ---------------------------------------------------------------------
sql "ANALYZE TABLE campaign_daily, ml_runs, ml_forecast_log, ml_accuracy, ml_anomalies, ml_roi_forecast,
	ml_roi_timeseries, ml_reach_ctr_timeseries, ml_budget_recommendation, ml_budget_days, ml_chart_cache" >/dev/null
echo "replay of $DAYS days ($START to $END): $(printf %.1f "$replay_seconds") s for $replay_runs runs" \
	"($(echo "scale=3; $replay_seconds / $replay_runs" | bc) s a run, imports and $checked check(s) of a day's run included)"
printf '%-26s %10s %12s\n' table rows bytes
for t in campaign_daily ml_runs ml_forecast_log ml_accuracy ml_anomalies ml_roi_forecast ml_roi_timeseries \
	ml_reach_ctr_timeseries ml_budget_recommendation ml_budget_days ml_chart_cache; do
	printf '%-26s %10s %12s\n' "$t" "$(sql "SELECT COUNT(*) FROM $t")" \
		"$(sql "SELECT data_length + index_length FROM information_schema.TABLES
			WHERE table_schema = 'mldash' AND table_name = '$t'")"
done
