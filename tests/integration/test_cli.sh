#!/usr/bin/env bash
# Every program: --help, --version, and a bad configuration stops it with
# file:line: key: what is wrong.
. "$(dirname "$0")/lib.sh"

bins=("$MLDASH_BUILD_DIR/cli/mldash" "$MLDASH_BUILD_DIR/fcgi/mldash-fcgi"
	"$MLDASH_BUILD_DIR/scheduler/mldash-scheduler")
for bin in "${bins[@]}"; do
	name=$(basename "$bin")
	"$bin" --help | grep -q "usage: $name" || fail "$name --help"
	"$bin" --version | grep -qE "^$name [0-9]+\.[0-9]+\.[0-9]+$" || fail "$name --version"
done
"${bins[0]}" --help | grep -q "migrate" || fail "mldash --help does not list migrate"
pass "--help and --version"

printf '[database]\nport = 3306\nsockt = /x\n' >"$TMP/bad.conf"
for bin in "${bins[@]}"; do
	args=(--config "$TMP/bad.conf")
	case $bin in
	*/mldash) args+=(migrate) ;;
	*/mldash-scheduler) args+=(--foreground) ;;
	esac
	rc=0
	"$bin" "${args[@]}" </dev/null 2>"$TMP/err" || rc=$?
	[ "$rc" = 2 ] || fail "$(basename "$bin") with a bad config exited $rc"
	grep -q "$TMP/bad.conf:3: database.sockt: unknown key" "$TMP/err" ||
		fail "$(basename "$bin"): $(cat "$TMP/err")"
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z error ' "$TMP/err" ||
		fail "log line lacks timestamp and level: $(cat "$TMP/err")"
done
pass "bad configuration: exit 2 with file:line: key"

rc=0
MLDASH_DATABASE_PORT=http "${bins[0]}" --config "$CONF" migrate 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "environment MLDASH_DATABASE_PORT: database.port" "$TMP/err" ||
	fail "bad environment override: $(cat "$TMP/err")"
rc=0
"${bins[0]}" --config "$TMP/missing.conf" migrate 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "missing.conf: cannot open" "$TMP/err" || fail "missing config: $(cat "$TMP/err")"
rc=0
"${bins[0]}" frobnicate 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "unknown command 'frobnicate'" "$TMP/err" || fail "unknown command"
pass "bad override, missing file, unknown command: clear errors"

# Run twice is harmless: a second 'up' finds everything running.
"$DEVSTACK" up >"$TMP/up" 2>&1 || fail "second up failed: $(cat "$TMP/up")"
grep -q "already running" "$TMP/up" || fail "second up did not notice the running stack"
http GET /status
expect_status 200 "status after a second up"
pass "a second 'up' is harmless"
