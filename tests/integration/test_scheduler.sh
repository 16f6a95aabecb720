#!/usr/bin/env bash
# The scheduler against the stack's database: schedules checked and listed;
# two schedulers on a fast test clock run each slot exactly once with none
# missing; SIGTERM during a run lets the run finish and stops; SIGHUP takes a
# new schedule and refuses a bad one; daemon mode; /status's next_run.
. "$(dirname "$0")/lib.sh"

SCHED=$MLDASH_BUILD_DIR/scheduler/mldash-scheduler
# The stack's schedule (quiet, from ctest's environment); the schedulers
# started here read theirs from their files.
stack_schedule=${MLDASH_SCHEDULE_ML_SYNC:-*/30 * * * *}
stack_env=(env)
for var in MLDASH_SCHEDULE_ML_SYNC MLDASH_SCHEDULE_CAMPAIGN_SYNC; do
	[ -n "${!var:-}" ] && stack_env+=("$var=${!var}")
	unset "$var"
done
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	"${stack_env[@]}" "$DEVSTACK" up scheduler >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
"$DEVSTACK" down scheduler >/dev/null
sql "DELETE FROM ml_runs WHERE slot_time >= '2030-01-01'" # a previous run of this test

# conf FILE ML_SYNC CAMPAIGN_SYNC [TIMEZONE]: the stack's configuration with
# a [schedule] section, and every run kept so that slots can be counted.
conf() {
	{
		cat "$CONF"
		printf '\n[ml]\nkeep_runs = 10000\n'
		printf '\n[schedule]\nml_sync = %s\ncampaign_sync = %s\ntimezone = %s\n' "$2" "$3" "${4:-UTC}"
	} >"$1"
}

# --- checking and listing schedules --------------------------------------------
conf "$TMP/ok.conf" '*/30 * * * *' '0 * * * *'
"$SCHED" --config "$TMP/ok.conf" --check-config | grep -q "is valid: campaign_sync '0 \* \* \* \*', ml_sync '\*/30 \* \* \* \*' in UTC" ||
	fail "--check-config on a good file"
conf "$TMP/bad.conf" '*/0 * * * *' '0 * * * *'
rc=0
"$SCHED" --config "$TMP/bad.conf" --check-config 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "schedule.ml_sync" "$TMP/err" && grep -q "minute" "$TMP/err" ||
	fail "a step of 0 not refused by field (rc $rc): $(cat "$TMP/err")"
conf "$TMP/badzone.conf" '*/30 * * * *' '0 * * * *' 'Mars/Olympus'
rc=0
"$SCHED" --config "$TMP/badzone.conf" --check-config 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "schedule.timezone" "$TMP/err" || fail "unknown time zone: $(cat "$TMP/err")"
pass "--check-config: good file valid; bad step and unknown zone exit 2 naming the key"

# 02:30 does not exist in Berlin on 2026-03-29: that day is skipped.
conf "$TMP/berlin.conf" '30 2 * * *' '0 * * * *' 'Europe/Berlin'
"$SCHED" --config "$TMP/berlin.conf" --test-clock 1774699200,1 --next 2 >"$TMP/next"
grep -A2 '^ml_sync' "$TMP/next" | sed -n 2,3p >"$TMP/ml_next"
diff -u - "$TMP/ml_next" <<'EOF' || fail "--next around the spring-forward night"
  2026-03-30 02:30 CEST  (2026-03-30T00:30:00Z)
  2026-03-31 02:30 CEST  (2026-03-31T00:30:00Z)
EOF
pass "--next in Europe/Berlin skips the 02:30 that daylight saving removes"

# --- two schedulers, every minute, on a clock 30 times too fast ---------------
start=1906502430 # 2030-06-01 00:00:30 UTC: slots no other test uses
conf "$TMP/minute.conf" '* * * * *' '* * * * *'
for i in 1 2; do
	"$SCHED" --foreground --config "$TMP/minute.conf" --test-clock "$start,30" \
		2>"$TMP/sched$i.log" &
	pids+=($!)
done
sleep 14 # about seven test minutes
kill -TERM "${pids[@]}"
for p in "${pids[@]}"; do wait "$p" || fail "scheduler $p exited $?"; done
pids=()
window="slot_time >= '2030-06-01' AND slot_time < '2030-06-02' AND triggered_by = 'schedule'"
for job in ml_sync campaign_sync; do
	overrun=0
	read -r n distinct first last bad <<<"$(sql "SELECT COUNT(*), COUNT(DISTINCT slot_time),
		TIMESTAMPDIFF(MINUTE, '2030-06-01', MIN(slot_time)),
		TIMESTAMPDIFF(MINUTE, '2030-06-01', MAX(slot_time)), SUM(status <> 'succeeded')
		FROM ml_runs WHERE job = '$job' AND $window")"
	[ "$n" = "$distinct" ] || fail "$job: $n runs for $distinct slots"
	[ "$first" = 0 ] || fail "$job: the missed slot 00:00 did not run first (first: minute $first)"
	# A slot may be passed over, with a warning naming it, when a run ends
	# after it (a slow machine, a sanitizer build): only when every
	# scheduler did so; a slot missing without a word is a failure.
	for ((m = first; m <= last; m++)); do
		slot=$(date -u -d "2030-06-01 00:00:00 UTC + $m minutes" '+%Y-%m-%d %H:%M:%S')
		[ "$(sql "SELECT COUNT(*) FROM ml_runs WHERE job = '$job' AND $window AND slot_time = '$slot'")" = 1 ] &&
			continue
		for i in 1 2; do
			grep -q "$job slot $slot skipped" "$TMP/sched$i.log" ||
				fail "$job: slot $slot neither ran nor was reported skipped by scheduler $i"
		done
		echo "$job: slot $slot skipped by both schedulers (a run ended after it)"
		overrun=$((overrun + 1))
	done
	[ "$((last - first + 1))" = "$((n + overrun))" ] || fail "$job: slots $first..$last but $n runs"
	# Seven test minutes are 14 s: a run must keep up with a minute of 2 s.
	# Under the sanitizers an ML sync can take longer than that; there the
	# slots it overran count, as long as each was reported skipped (above).
	if [ -n "${MLDASH_SANITIZED:-}" ]; then
		[ "$((n + overrun))" -ge 5 ] && [ "$n" -ge 2 ] ||
			fail "$job: only $n slots ran and $overrun were skipped in seven test minutes"
	else
		[ "$n" -ge 5 ] || fail "$job: only $n slots ran in seven test minutes"
	fi
	[ "$bad" = 0 ] || fail "$job: $bad runs did not succeed"
done
# grep on the files, not behind cat: under pipefail, grep -q leaving at its
# match can kill cat with SIGPIPE, and the check failed with the line there.
grep -q "already claimed in ml_runs, skipped" "$TMP/sched1.log" "$TMP/sched2.log" ||
	fail "the two schedulers never met on a slot"
pass "two schedulers: each minute's slot ran exactly once for both jobs, none missing ($n slots)"

# --- SIGTERM while a run waits on the database --------------------------------
# The ML sync reads campaign_daily; a write lock held elsewhere keeps the run
# open, so the signal surely arrives mid-run.
start=1906588830 # 2030-06-02 00:00:30
mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" mldash \
	-e "LOCK TABLES campaign_daily WRITE; SELECT SLEEP(3); UNLOCK TABLES" >/dev/null &
locker=$!
sleep 0.5
conf "$TMP/rare.conf" '0 0 * * *' '0 0 1 1 *'
"$SCHED" --foreground --config "$TMP/rare.conf" --test-clock "$start,1" 2>"$TMP/term.log" &
pids=($!)
slot_status() { sql "SELECT status FROM ml_runs WHERE job = 'ml_sync' AND slot_time = '$1'"; }
is_running() { [ "$(slot_status 2030-06-02)" = running ]; }
retry 5 is_running ||
	fail "the ML sync of the missed slot never started: $(cat "$TMP/term.log")"
t0=$(date +%s.%N)
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "scheduler exited $? on SIGTERM"
pids=()
elapsed=$(echo "$(date +%s.%N) - $t0" | bc)
wait "$locker"
[ "$(slot_status 2030-06-02)" = succeeded ] ||
	fail "the run interrupted by SIGTERM did not finish: $(cat "$TMP/term.log")"
[ "$(echo "$elapsed < 15" | bc)" = 1 ] || fail "SIGTERM took $elapsed s"
grep -q "received SIGTERM, stopping" "$TMP/term.log" || fail "no stop message: $(cat "$TMP/term.log")"
pass "SIGTERM mid-run: the run finished (succeeded) and the scheduler stopped in $(printf %.3f "$elapsed") s"

# --- SIGTERM during a campaign sync: it stops between files ----------------------
start=1906934430 # 2030-06-06 00:00:30
SPOOL=$VAR/spool
mkdir -p "$SPOOL"
rm -f "$SPOOL"/schedtest-* "$SPOOL"/done/schedtest-* # an earlier run cut short
sql "DELETE FROM campaigns WHERE channel = 'schedtest'"
for i in $(seq 1 150); do
	# $$ in the ids: bytes never seen before (the same file again would be a duplicate)
	awk -v i="$i" -v run=$$ 'BEGIN { print "date,campaign_id,channel,spend,impressions,clicks"
		for (k = 0; k < 1500; k++) printf "2024-%02d-%02d,schedtest%d-%d-%d,schedtest,%d,1000,10\n", k % 12 + 1, int(k / 12) % 28 + 1, run, i, k / 336, k }' \
		>"$SPOOL/schedtest-$(printf %03d "$i").csv"
done
conf "$TMP/spool.conf" '0 0 1 1 *' '0 0 * * *'
"$SCHED" --foreground --config "$TMP/spool.conf" --test-clock "$start,1" 2>"$TMP/spool.log" &
pids=($!)
first_done() { ls "$SPOOL/done" | grep -q '^schedtest-.*\.csv$'; }
retry 20 first_done || fail "the campaign sync imported nothing: $(cat "$TMP/spool.log")"
t0=$(date +%s.%N)
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "scheduler exited $? on SIGTERM during a campaign sync"
pids=()
elapsed=$(echo "$(date +%s.%N) - $t0" | bc)
done_files=$(ls "$SPOOL/done" | grep -c '^schedtest-.*\.csv$' || true)
left_files=$(ls "$SPOOL" | grep -c '^schedtest-.*\.csv$' || true)
[ "$((done_files + left_files))" = 150 ] || fail "$done_files done + $left_files left != 150 files"
[ "$left_files" -gt 0 ] || fail "all 150 files imported before the stop: make them bigger"
[ "$(echo "$elapsed < 2" | bc)" = 1 ] || fail "stopping took $elapsed s"
run=$(sql "SELECT status, error FROM ml_runs WHERE job = 'campaign_sync' AND slot_time = '2030-06-06'")
[[ "$run" == "failed	stopped before $left_files file(s); they stay in the spool"* ]] ||
	fail "campaign_sync run after the stop: $run"
imported_days=$(sql "SELECT COUNT(*) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id
	WHERE c.channel = 'schedtest'")
[ "$imported_days" = "$((done_files * 1500))" ] || fail "$imported_days rows for $done_files files: a file half-imported"
rm -f "$SPOOL"/schedtest-* "$SPOOL"/done/schedtest-*
sql "DELETE FROM campaigns WHERE channel = 'schedtest'"
pass "SIGTERM during a campaign sync: stopped in $(printf %.3f "$elapsed") s after $done_files of 150 files, the rest left whole"

# --- a slot that finds an ML sync running waits for it, without spinning -------
start=1906848030 # 2030-06-05 00:00:30
admin_sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B "$@"; }
# An ML sync "running" on another host: its lease, for 3 more seconds.
admin_sql mldash -e "INSERT INTO job_leases (name, holder, expires_at)
	VALUES ('ml_sync', 'other-host:1:test', UTC_TIMESTAMP(3) + INTERVAL 3 SECOND)
	ON DUPLICATE KEY UPDATE holder = VALUES(holder), expires_at = VALUES(expires_at)"
sleep 3 &
locker=$!
selects() { admin_sql -e "SHOW GLOBAL STATUS LIKE 'Com_select'" | cut -f2; }
before=$(selects)
"$SCHED" --foreground --config "$TMP/rare.conf" --test-clock "$start,1" 2>"$TMP/wait.log" &
pids=($!)
wait "$locker"
ran() { [ "$(slot_status 2030-06-05)" = succeeded ]; }
retry 10 ran || fail "the waiting slot did not run once the lease expired: $(cat "$TMP/wait.log")"
queries=$(($(selects) - before))
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "scheduler exited $?"
pids=()
grep -q "ml_sync slot 2030-06-05 00:00:00 waits for the ML sync that is running" "$TMP/wait.log" ||
	fail "no wait message: $(cat "$TMP/wait.log")"
[ "$queries" -lt 60 ] || fail "$queries SELECTs while waiting about 2.5 s: the scheduler spins"
pass "a slot waiting for a running ML sync ran once it ended ($queries SELECTs in all)"

# --- SIGHUP: a new schedule takes effect, a bad one is refused ------------------
start=1906675230 # 2030-06-03 00:00:30
conf "$TMP/hup.conf" '0 0 1 1 *' '0 0 1 1 *'
"$SCHED" --foreground --config "$TMP/hup.conf" --test-clock "$start,30" 2>"$TMP/hup.log" &
pids=($!)
retry 5 grep -q "scheduler started" "$TMP/hup.log" || fail "scheduler did not start: $(cat "$TMP/hup.log")"
conf "$TMP/hup.conf" '*/2 * * * *' '0 0 1 1 *'
kill -HUP "${pids[0]}"
retry 5 grep -q "configuration reloaded: campaign_sync '0 0 1 1 \*', ml_sync '\*/2 \* \* \* \*'" "$TMP/hup.log" ||
	fail "reload not logged: $(cat "$TMP/hup.log")"
two_runs() {
	[ "$(sql "SELECT COUNT(*) FROM ml_runs WHERE job = 'ml_sync'
		AND slot_time >= '2030-06-03' AND slot_time < '2030-06-04'")" -ge 2 ]
}
retry 15 two_runs ||
	fail "the reloaded schedule did not run: $(cat "$TMP/hup.log")"
conf "$TMP/hup.conf" 'every five minutes' '0 0 1 1 *'
kill -HUP "${pids[0]}"
retry 5 grep -q "reload refused, keeping the running configuration: .*schedule.ml_sync" "$TMP/hup.log" ||
	fail "bad reload not refused: $(cat "$TMP/hup.log")"
kill -0 "${pids[0]}" || fail "scheduler died on a bad reload"
odd=$(sql "SELECT COUNT(*) FROM ml_runs WHERE job = 'ml_sync' AND slot_time >= '2030-06-03'
	AND slot_time < '2030-06-04' AND MINUTE(slot_time) % 2 = 1")
[ "$odd" = 0 ] || fail "$odd ml_sync runs at odd minutes under '*/2'"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "scheduler exited $? after reloads"
pids=()
pass "SIGHUP: a new schedule runs at once, a bad one is refused and the old one kept"

# --- daemon mode: detached, relative paths resolved, pidfile kept and removed ---
conf "$TMP/daemon.conf" '0 0 1 1 *' '0 0 1 1 *'
(cd "$TMP" && "$SCHED" --config daemon.conf --pidfile sched.pid --test-clock 1906761630,30) ||
	fail "daemon start failed"
has_pidfile() { [ -s "$TMP/sched.pid" ]; }
retry 5 has_pidfile || fail "no pidfile"
dpid=$(cat "$TMP/sched.pid")
pids=("$dpid")
[ "$(ps -o comm= -p "$dpid")" = mldash-schedule ] || fail "pidfile names $dpid, not the scheduler"
[ "$(ps -o sid= -p "$dpid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] || fail "daemon kept the session"
[ "$(readlink "/proc/$dpid/cwd")" = / ] || fail "daemon did not move to /"
conf "$TMP/daemon.conf" '* * * * *' '0 0 1 1 *'
kill -HUP "$dpid" # re-reads daemon.conf by its absolute path
daemon_ran() {
	[ "$(sql "SELECT COUNT(*) FROM ml_runs WHERE job = 'ml_sync'
		AND slot_time >= '2030-06-04' AND slot_time < '2030-06-05'")" -ge 1 ]
}
retry 10 daemon_ran || fail "the daemon did not take the reloaded schedule (config path not absolute?)"
kill -TERM "$dpid"
gone() { ! kill -0 "$dpid" 2>/dev/null; }
retry 10 gone || fail "daemon did not stop on SIGTERM"
pids=()
[ ! -e "$TMP/sched.pid" ] || fail "pidfile left behind"
pass "daemon mode: detached into its own session in /, pidfile written and removed, reload by absolute path"

# --- /status tells each job's schedule, next run and last run -------------------
# next_fire EXPR: the next fire time of EXPR after now, as --next computes it.
next_fire() {
	"$SCHED" --config "$TMP/status.conf" --next 1 | grep -A1 "^ml_sync" | sed -n 's/.*(\(.*\))$/\1/p'
}
conf "$TMP/status.conf" "$stack_schedule" '0 * * * *'
before=$(next_fire)
http GET /status
after=$(next_fire)
expect_status 200 "/status"
expect_json '.jobs.ml_sync.schedule' "$stack_schedule" "/status ml_sync schedule"
expect_json '.jobs.ml_sync.timezone' 'UTC' "/status time zone"
got=$(json '.jobs.ml_sync.next_run')
[ "$got" = "$before" ] || [ "$got" = "$after" ] || fail "/status ml_sync next_run $got, expected $before"
json '.jobs.campaign_sync.next_run' | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' ||
	fail "/status campaign_sync next_run: $(json '.jobs.campaign_sync')"
expect_json '.jobs.ml_sync.last_run.status' 'succeeded' "/status ml_sync last run"
pass "/status: schedule, time zone, next_run ($got) and last_run of each job"
