#!/usr/bin/env bash
# Every mldash subcommand answers --help with its usage on stdout and exit 0,
# without a configuration file; the subcommands are read from mldash --help,
# so that a new one is checked without being named here.
. "$(dirname "$0")/cli_lib.sh"
# Help must not need one: a configuration that cannot be read stops others.
export MLDASH_CONFIG=$TMP/missing.conf

"$MLDASH" --help >"$TMP/help" || fail "mldash --help exited $?"
names=$(awk '/^Commands:$/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' "$TMP/help")
for known in migrate import sync forecast budget render demo-data help; do
	grep -qx -- "$known" <<<"$names" || fail "mldash --help does not list $known: $(cat "$TMP/help")"
done
"$MLDASH" help >"$TMP/help2" || fail "mldash help exited $?"
cmp -s "$TMP/help" "$TMP/help2" || fail "mldash help differs from mldash --help"
pass "mldash --help and mldash help list $(echo $names)"

# asks NAME ARGS...: mldash ARGS prints NAME's usage on stdout, nothing on
# stderr, and exits 0.
asks() {
	local name=$1 rc=0
	shift
	"$MLDASH" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 0 ] || fail "mldash $*: exit $rc: $(cat "$TMP/err")"
	[ ! -s "$TMP/err" ] || fail "mldash $*: wrote to stderr: $(cat "$TMP/err")"
	local want="usage: mldash $name"
	[ "$name" = help ] && want="usage: mldash [--config FILE] COMMAND"
	case $(head -1 "$TMP/out") in
	"$want"*) ;;
	*) fail "mldash $*: stdout does not start with '$want': $(cat "$TMP/out")" ;;
	esac
}
for name in $names; do
	asks "$name" "$name" --help
	asks "$name" help "$name"
done
pass "every subcommand: --help and help NAME print its usage, exit 0, need no configuration"

# -h too, except where a long option of the command starts with h.
for name in $names; do
	case $name in forecast | render) continue ;; esac
	asks "$name" "$name" -h
done
asks forecast forecast --json --help
asks render render --width 900 --help
rc=0
"$MLDASH" render -h 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] || fail "render -h exited $rc"
pass "-h where no option of the command starts with h; --help after other options"

rc=0
"$MLDASH" help frobnicate 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "unknown command 'frobnicate'" "$TMP/err" || fail "help frobnicate: rc $rc: $(cat "$TMP/err")"
pass "help of an unknown command: exit 2"
