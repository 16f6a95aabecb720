#!/usr/bin/env bash
# The scheduler killed with SIGKILL in the middle of its jobs.
#  - Mid ML sync (rows of the new run already written in its transaction):
#    the API keeps serving the previous run, no row of the killed run is
#    left in any prediction table, and the next run succeeds.
#  - Mid campaign sync (a large file half-way through its transaction): no
#    campaign, campaign-day or file record of it; the file stays in the
#    spool, and the next campaign sync imports it whole.
# Each scheduler started here runs one missed slot on a test clock (days in
# July 2030 that no other test uses) and reads its spool from MLDASH_INGEST_SPOOL_DIR.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

SCHED=$MLDASH_BUILD_DIR/scheduler/mldash-scheduler
unset MLDASH_SCHEDULE_ML_SYNC MLDASH_SCHEDULE_CAMPAIGN_SYNC # the stack's quiet ones
export MLDASH_INGEST_SPOOL_DIR=$TMP/spool
mkdir -p "$MLDASH_INGEST_SPOOL_DIR"
CHANNEL=killtest$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	[ -n "${locker:-}" ] && kill "$locker" 2>/dev/null
	wait 2>/dev/null
	sql "DELETE FROM campaigns WHERE channel = '$CHANNEL'" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
sql "DELETE FROM ml_runs WHERE slot_time >= '2030-07-01' AND slot_time < '2030-07-05'" # an earlier run

# scheduler ML_SYNC CAMPAIGN_SYNC START LOG: a scheduler on a test clock
# from START (normal speed), in the background; sets SPID.
scheduler() {
	{
		cat "$CONF"
		printf '\n[schedule]\nml_sync = %s\ncampaign_sync = %s\ntimezone = UTC\n' "$1" "$2"
	} >"$TMP/sched.conf"
	"$SCHED" --foreground --config "$TMP/sched.conf" --test-clock "$3,1" 2>"$4" &
	SPID=$!
	pids+=("$SPID")
}
# Once waited for, a pid is forgotten: the cleanup must not signal a reused one.
stop_scheduler() {
	kill -TERM "$SPID"
	wait "$SPID" || fail "scheduler exited $? on SIGTERM: $(cat "$1")"
	pids=()
}
kill_scheduler() {
	kill -KILL "$SPID"
	wait "$SPID" 2>/dev/null || true
	pids=()
}
slot() { sql "SELECT id, status FROM ml_runs WHERE job = '$1' AND slot_time = '$2'"; }
# Writes still open in a transaction (the dead scheduler's, until rolled back).
open_writes() { sql "SELECT COALESCE(MAX(trx_rows_modified), 0) FROM information_schema.innodb_trx"; }
settled() { [ "$(sql "SELECT COUNT(*) FROM information_schema.innodb_trx")" = 0 ]; }

# --- SIGKILL mid ML sync ----------------------------------------------------------
ensure_ml_run
http GET /roi-forecast/data
expect_status 200 "roi-forecast before"
served=$(json .run.id)
PRED="ml_roi_forecast ml_roi_timeseries ml_reach_ctr_timeseries ml_budget_recommendation ml_budget_days
	ml_forecast_log ml_accuracy ml_anomalies
	ml_chart_cache"
pred_rows() {
	local t q=""
	for t in $PRED; do q="$q${q:+ UNION ALL }SELECT '$t', COUNT(*), COALESCE(SUM(run_id = ${1:-0}), 0) FROM $t"; done
	sql "$q"
}
pred_rows >"$TMP/pred.before"

# The run writes its forecasts, then its charts: a transaction here holds
# the gap above the last run's charts for eight seconds (a table lock would
# also stop the run's first UPDATE of ml_runs, whose deletes cascade to the
# chart cache), so the kill lands in between. Eight, because the run must
# first model every series: a few seconds under the sanitizers on a busy
# machine.
last=$(sql "SELECT COALESCE(MAX(run_id), 0) FROM ml_chart_cache")
mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" mldash -e "START TRANSACTION;
	SELECT COUNT(*) FROM ml_chart_cache WHERE run_id > $last FOR UPDATE; SELECT SLEEP(8); COMMIT" >/dev/null &
locker=$!
sleep 0.3
scheduler '0 0 * * *' '0 0 1 1 *' 1909094430 "$TMP/ml.log" # 2030-07-01 00:00:30
waiting_on_charts() {
	[ "$(sql "SELECT COUNT(*) FROM information_schema.innodb_trx
		WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE 'INSERT INTO ml_chart_cache%'")" = 1 ]
}
retry 8 waiting_on_charts || fail "the ML sync never reached its charts: $(cat "$TMP/ml.log")"
written=$(open_writes)
[ "$written" -gt 0 ] || fail "the ML sync had written nothing before its charts"
read -r killed status <<<"$(slot ml_sync 2030-07-01)"
[ "$status" = running ] || fail "the run of 2030-07-01 is '$status', not running"
http GET /roi-forecast/data
expect_json .run.id "$served" "roi-forecast while run $killed is under way"
kill_scheduler
pass "scheduler killed mid ML sync: run $killed had written $written rows in its transaction and waited on ml_chart_cache"

wait "$locker"
locker=
retry 30 settled || fail "the killed run's transaction is still open"
pred_rows "$killed" >"$TMP/pred.after"
diff -u "$TMP/pred.before" "$TMP/pred.after" ||
	fail "prediction tables changed by the killed run (table, rows, rows of run $killed)"
for e in roi-forecast/data roi-timeseries/data reach-ctr/data budget-recommendation/data; do
	http GET "/$e"
	expect_status 200 "$e after the kill"
	expect_json .run.id "$served" "$e after the kill"
done
checked=$(awk '{ s += $2 } END { print s }' "$TMP/pred.after")
pass "after the kill: the four /data answers still serve run $served; $checked prediction rows checked in 6 tables, none of run $killed"

scheduler '0 0 * * *' '0 0 1 1 *' 1909180830 "$TMP/ml2.log" # 2030-07-02 00:00:30
next_done() { [ "$(slot ml_sync 2030-07-02 | cut -f2)" = succeeded ]; }
retry 60 next_done || fail "the next ML sync did not succeed: $(slot ml_sync 2030-07-02) $(cat "$TMP/ml2.log")"
stop_scheduler "$TMP/ml2.log"
next=$(slot ml_sync 2030-07-02 | cut -f1)
[ "$(slot ml_sync 2030-07-01 | cut -f2)" = failed ] || fail "the killed run $killed is not marked failed"
served_soon
http GET /roi-forecast/data
expect_json .run.id "$next" "roi-forecast after the next run"
[ "$(sql "SELECT COUNT(*) FROM ml_chart_cache WHERE run_id = $next")" = 6 ] || fail "run $next has not its 6 charts"
pass "the next ML sync (run $next) succeeded and is served; the killed run $killed is marked failed"

# --- SIGKILL mid campaign sync ------------------------------------------------------
rows=240000
awk -v ch="$CHANNEL" -v n="$rows" 'BEGIN { print "date,campaign_id,channel,spend,impressions,clicks"
	for (k = 0; k < n; k++) printf "%d-%02d-%02d,%s-%d,%s,%d.%02d,1000,10\n",
		2000 + int(k / 336) % 20, k % 12 + 1, int(k / 12) % 28 + 1, ch, int(k / 6720), ch, k % 97, k % 100 }' \
	>"$MLDASH_INGEST_SPOOL_DIR/$CHANNEL.csv"
want_sum=$(awk -F, 'NR > 1 { s += $4 } END { printf "%.4f", s }' "$MLDASH_INGEST_SPOOL_DIR/$CHANNEL.csv")
sha=$(sha256sum "$MLDASH_INGEST_SPOOL_DIR/$CHANNEL.csv" | cut -d' ' -f1)
totals() {
	sql "SELECT (SELECT COUNT(*) FROM campaigns), (SELECT COUNT(*) FROM campaign_daily),
		(SELECT COALESCE(SUM(spend), 0) FROM campaign_daily), (SELECT COUNT(*) FROM ingest_files)"
}
before=$(totals)

scheduler '0 0 1 1 *' '0 0 * * *' 1909267230 "$TMP/import.log" # 2030-07-03 00:00:30
mid() { [ "$(open_writes)" -gt 20000 ]; }
retry 30 mid || fail "the import never got going: $(cat "$TMP/import.log")"
[ "$(totals)" = "$before" ] || fail "rows of the running import are visible: $(totals)"
kill_scheduler
written=$(open_writes)
retry 60 settled || fail "the killed import's transaction is still open"
after=$(totals)
[ "$after" = "$before" ] || fail "after the kill: campaigns, days, spend, files $after; before $before"
[ -f "$MLDASH_INGEST_SPOOL_DIR/$CHANNEL.csv" ] || fail "the file left the spool: $(ls -R "$MLDASH_INGEST_SPOOL_DIR")"
[ "$(sql "SELECT COUNT(*) FROM ingest_files WHERE sha256 = '$sha'")" = 0 ] || fail "the killed import recorded its file"
pass "scheduler killed mid import ($written of $rows rows in its transaction): campaigns, days, spend, files unchanged ($(echo "$after" | tr '\t' ' ')); the file is still in the spool"
dead=$(slot campaign_sync 2030-07-03 | cut -f1)

scheduler '0 0 1 1 *' '0 0 * * *' 1909353630 "$TMP/import2.log" # 2030-07-04 00:00:30
import_done() { [ "$(slot campaign_sync 2030-07-04 | cut -f2)" = succeeded ]; }
retry 60 import_done || fail "the next campaign sync did not succeed: $(cat "$TMP/import2.log")"
stop_scheduler "$TMP/import2.log"
got=$(sql "SELECT COUNT(*), SUM(d.spend) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id
	WHERE c.channel = '$CHANNEL'")
[ "$got" = "$(printf '%s\t%s' "$rows" "$want_sum")" ] || fail "next sync wrote (days, spend) $got, want $rows $want_sum"
[ -f "$MLDASH_INGEST_SPOOL_DIR/done/$CHANNEL.csv" ] || fail "the imported file is not in done/"
[ "$(sql "SELECT COUNT(*) FROM ingest_files WHERE sha256 = '$sha'")" = 1 ] || fail "file not recorded once"
pass "the next campaign sync imported the file whole: $rows campaign-days, spend $want_sum, file in done/"

# Known gap: nothing marks a campaign sync run whose process died; it stays
# 'running' (and is never pruned). Reported, not failed on.
case "$(slot campaign_sync 2030-07-03 | cut -f2)" in
running) echo "note: the killed campaign sync run ($dead) is still 'running' in ml_runs" ;;
*) pass "the killed campaign sync run is marked $(slot campaign_sync 2030-07-03 | cut -f2)" ;;
esac
sql "DELETE FROM campaigns WHERE channel = '$CHANNEL'; DELETE FROM ingest_files WHERE sha256 = '$sha'"
sql "DELETE FROM ml_runs WHERE job = 'campaign_sync' AND slot_time >= '2030-07-01' AND slot_time < '2030-07-05'"
