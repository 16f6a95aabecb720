#!/usr/bin/env bash
# mldash doctor: against the test stack every check is ok; against broken
# set-ups (database stopped, token empty, spool not writable, invalid
# config) exactly the check at fault FAILs, and the exit status is 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

CLI=$MLDASH_BUILD_DIR/cli/mldash
URL="http://127.0.0.1:$MLDASH_PORT/"
ME=$(id -un)
restore() { "$DEVSTACK" up mariadb >/dev/null 2>&1 || true; }
trap 'restore; rm -rf "$TMP"' EXIT

# doctor [ARGS...]: runs doctor on the stack's config; OUT holds its lines,
# RC its exit status.
doctor() {
	OUT=$TMP/doctor.out
	RC=0
	MLDASH_CONFIG=$CONF "$CLI" doctor --url "$URL" --user "$ME" "$@" >"$OUT" 2>"$TMP/doctor.err" || RC=$?
}

# expect_lines: one line per check, in order, each with a level.
expect_lines() {
	local names
	names=$(sed -E 's/^(ok|warn|FAIL|skip) +([a-z]+): .*/\2/' "$OUT" | tr '\n' ' ')
	[ "$names" = "config token database grants schema spool nginx scheduler disk " ] ||
		fail "$1: checks out of order or malformed:$(printf '\n'; cat "$OUT")"
}

# expect_only_fail CHECK WHAT: CHECK and nothing else FAILs, exit 1.
expect_only_fail() {
	expect_lines "$2"
	local fails
	fails=$(awk '$1 == "FAIL" { sub(":", "", $2); print $2 }' "$OUT" | tr '\n' ' ')
	[ "$fails" = "$1 " ] || fail "$2: expected only '$1' to FAIL, got '$fails':$(printf '\n'; cat "$OUT")"
	[ "$RC" = 1 ] || fail "$2: exit status $RC, expected 1"
	grep -qE "^FAIL $1: .+ -- .+" "$OUT" || fail "$2: the $1 line says no remedy: $(grep "^FAIL" "$OUT")"
}

# The stack's scheduler runs each job once a year (the fixture keeps it
# quiet), at 1 January 00:00, a slot it never ran. Runs made now count for
# that slot: the scheduler check asks for a run at or after the last slot
# due, whoever started it, so run both jobs by hand first.
mkdir -p "$VAR/spool"
MLDASH_CONFIG=$CONF "$CLI" sync campaigns >/dev/null 2>&1 || fail "sync campaigns failed"
ensure_ml_run

doctor
expect_lines "healthy stack"
# warn only for the disk (a small or full build machine), never for the
# rest: the stack's account has row rights only.
if grep -E '^(FAIL|skip) ' "$OUT" >/dev/null || grep -E '^warn ' "$OUT" | grep -vq '^warn disk:'; then
	fail "healthy stack: not every check ok:$(printf '\n'; cat "$OUT")"
fi
[ "$RC" = 0 ] || fail "healthy stack: exit status $RC"
grep -q '^ok   scheduler: campaign_sync last ran .*, ml_sync last ran ' "$OUT" || fail "scheduler: $(cat "$OUT")"
grep -q '^ok   grants: SELECT, INSERT, UPDATE, DELETE on mldash, nothing more' "$OUT" || fail "grants: $(cat "$OUT")"
pass "healthy stack: every check ok"

# The URL with or without its trailing slash; https is refused with what to
# pass instead; a port nothing listens on FAILs nginx alone.
RC=0
MLDASH_CONFIG=$CONF "$CLI" doctor --url "http://127.0.0.1:$MLDASH_PORT" --user "$ME" >"$OUT" 2>/dev/null || RC=$?
grep -q "^ok   nginx: http://127.0.0.1:$MLDASH_PORT answers /health with 200" "$OUT" || fail "no slash: $(cat "$OUT")"
RC=0
MLDASH_CONFIG=$CONF "$CLI" doctor --url "https://127.0.0.1:$MLDASH_PORT/" --user "$ME" >"$OUT" 2>/dev/null || RC=$?
expect_only_fail nginx "https URL"
grep -q "^FAIL nginx: .* -- pass the local site's http:// URL with --url" "$OUT" || fail "https: $(cat "$OUT")"
RC=0
MLDASH_CONFIG=$CONF "$CLI" doctor --url "http://127.0.0.1:1/" --user "$ME" >"$OUT" 2>/dev/null || RC=$?
expect_only_fail nginx "closed port"
pass "nginx: URL with or without slash, https refused, a closed port FAILs nginx"

# A slot missed: an every-minute schedule whose last run is older than
# the grace names the job and the scheduler unit.
doctor_env() { env "$@" MLDASH_CONFIG="$CONF" "$CLI" doctor --url "$URL" --user "$ME" >"$OUT" 2>"$TMP/doctor.err" || RC=$?; }
RC=0
sql "UPDATE ml_runs SET started_at = started_at - INTERVAL 1 DAY WHERE job = 'ml_sync'"
# (the runs go back by one day; the assertion below and a new run put
# the stack right again)
OUT=$TMP/doctor.out
doctor_env "MLDASH_SCHEDULE_ML_SYNC=*/5 * * * *"
expect_only_fail scheduler "missed slot"
grep -q '^FAIL scheduler: ml_sync last ran .* -- systemctl status mldash-scheduler' "$OUT" ||
	fail "missed slot: $(cat "$OUT")"
sql "UPDATE ml_runs SET started_at = started_at + INTERVAL 1 DAY WHERE job = 'ml_sync'"
pass "missed slot: FAIL scheduler names ml_sync"

# Token empty.
RC=0
doctor_env MLDASH_API_TOKEN= MLDASH_API_TOKEN_FILE=
expect_only_fail token "token empty"
pass "token empty: FAIL token only"

# Spool not writable by the service user: a folder the user does not own,
# mode 0755, checked for another account (nobody) by owner, group and mode.
# nobody must read the configuration (a copy in a folder it may search).
mkdir -p "$TMP/spool"
chmod 0755 "$TMP/spool"
chmod 0711 "$TMP"
install -m 0644 "$CONF" "$TMP/readable.conf"
[ "$(stat -c %U "$TMP/spool")" != nobody ] || fail "the spool folder is nobody's"
RC=0
MLDASH_INGEST_SPOOL_DIR=$TMP/spool MLDASH_CONFIG=$TMP/readable.conf "$CLI" doctor --url "$URL" --user nobody \
	>"$OUT" 2>"$TMP/doctor.err" || RC=$?
expect_only_fail spool "spool not writable"
grep -q "^FAIL spool: $TMP/spool (owner $ME, mode 0755) is not writable by nobody -- chown nobody" "$OUT" ||
	fail "spool not writable: $(cat "$OUT")"
pass "spool not writable by nobody: FAIL spool only"

# A configuration the service user cannot read (root may: doctor often runs
# as root): config FAILs, naming the file and the chown that fixes it.
if [ "$(id -u)" -eq 0 ]; then
	install -d -o nobody -m 0750 "$TMP/nobody-spool"
	install -m 0600 "$CONF" "$TMP/private.conf"
	RC=0
	MLDASH_INGEST_SPOOL_DIR=$TMP/nobody-spool MLDASH_CONFIG=$TMP/private.conf "$CLI" doctor \
		--url "$URL" --user nobody >"$OUT" 2>"$TMP/doctor.err" || RC=$?
	expect_only_fail config "configuration unreadable by the service"
	grep -q "^FAIL config: $TMP/private.conf (owner root, group root, mode 0600) cannot be read by nobody: .* -- chown root:nobody $TMP/private.conf && chmod 0640" "$OUT" ||
		fail "configuration unreadable: $(cat "$OUT")"
	pass "configuration unreadable by nobody: FAIL config only"
fi

# Invalid configuration: doctor still runs, config names file:line, the
# checks that need the configuration skip, nginx is still asked.
cp "$CONF" "$TMP/bad.conf"
printf '[database]\nsockt = /x\n' >>"$TMP/bad.conf"
line=$(wc -l <"$TMP/bad.conf")
RC=0
"$CLI" --config "$TMP/bad.conf" doctor --url "$URL" --user "$ME" >"$OUT" 2>"$TMP/doctor.err" || RC=$?
expect_only_fail config "invalid config"
grep -q "^FAIL config: $TMP/bad.conf:$line: database.sockt: unknown key -- " "$OUT" ||
	fail "invalid config: $(cat "$OUT")"
grep -q '^ok   nginx: ' "$OUT" || fail "invalid config: nginx not checked: $(cat "$OUT")"
[ "$(grep -c '^skip .*: needs a valid configuration$' "$OUT")" = 7 ] || fail "invalid config: $(cat "$OUT")"
pass "invalid config: FAIL config with file:line, the rest skip, nginx ok"

# Database stopped: FAIL database; grants, schema and scheduler skip.
"$DEVSTACK" down mariadb >/dev/null
doctor
restore
expect_only_fail database "database stopped"
grep -q '^FAIL database: cannot connect to .* -- start MariaDB (systemctl start mariadb) or check \[database\]' "$OUT" ||
	fail "database stopped: $(cat "$OUT")"
for c in grants schema scheduler; do
	grep -q "^skip $c: needs the database\$" "$OUT" || fail "database stopped: $c does not skip: $(cat "$OUT")"
done
pass "database stopped: FAIL database, grants/schema/scheduler skip"

doctor
[ "$RC" = 0 ] || fail "after restoring: $(cat "$OUT")"
pass "restored: every check ok again"
