#!/usr/bin/env bash
# Progress on a terminal (#18): mldash import, sync campaigns and sync ml
# draw one status line on stderr when it is a terminal (here a
# pseudo-terminal), redrawn in place and cleared at the end; with stderr to
# a file (or TERM=dumb) nothing extra is written. In a database of its own.
. "$(dirname "$0")/lib.sh"

DBNAME=mldash_progress_test
admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B "$@"; }
cleanup() { admin -e "DROP DATABASE IF EXISTS $DBNAME" || true; rm -rf "$TMP"; }
trap cleanup EXIT
admin -e "DROP DATABASE IF EXISTS $DBNAME; CREATE DATABASE $DBNAME"
export MLDASH_CONFIG=$CONF MLDASH_DATABASE_USER=$(id -un) MLDASH_DATABASE_PASSWORD= \
	MLDASH_DATABASE_NAME=$DBNAME MLDASH_PATHS_MIGRATIONS_DIR=$SRC/db/migrations \
	MLDASH_INGEST_SPOOL_DIR=$TMP/spool TERM=xterm
MLDASH=$MLDASH_BUILD_DIR/cli/mldash
mldash() { "$MLDASH" "$@"; }
# on_tty OUT ERR ARGS...: mldash ARGS with stderr on a pseudo-terminal.
on_tty() { local out=$1 err=$2; shift 2; python3 "$SRC/tests/integration/pty_run.py" "$out" "$err" "$MLDASH" "$@"; }
mldash migrate 2>/dev/null
# 2,000 campaigns x 200 days: 400,000 rows, about 25 MB, over a second to import.
demo() { mldash demo-data --campaigns 2000 --days 200 --seed "$1" --end 2025-06-30 --out "$2" 2>/dev/null; }
ESC=$'\e'
CR=$'\r'

# The status lines the terminal got: each redraw starts with \r and ends
# with "clear to the end of the line".
status_lines() { tr -d '\n' <"$1" | sed "s/${ESC}\[K/\n/g" | tr -d '\r' | grep -v '^$' || true; }

demo 1 "$TMP/tty.csv"
size=$(stat -c %s "$TMP/tty.csv")
start=$(date +%s.%N)
on_tty "$TMP/out" "$TMP/err" import "$TMP/tty.csv" || fail "import under a terminal failed: $(cat "$TMP/err")"
seconds=$(echo "$(date +%s.%N) - $start" | bc)
grep -q 'tty.csv: generic, imported: .* 400000 rows)' "$TMP/out" || fail "import report: $(cat "$TMP/out")"
grep -q "$ESC\|$CR" "$TMP/out" && fail "stdout has terminal controls: $(cat -v "$TMP/out")"
status_lines "$TMP/err" >"$TMP/lines"
line='^tty\.csv: [0-9][0-9,]* rows, [0-9][0-9,]* rows/s, [0-9]+% of [0-9.]+ MB$'
grep -Eq "$line" "$TMP/lines" || fail "no progress line on the terminal: $(cat -v "$TMP/err" | head -c 600)"
bad=$(grep -Ev "$line" "$TMP/lines" | grep -v '^tty.csv: generic' | grep -v '^  ' || true)
[ -z "$bad" ] || fail "unexpected text on the terminal: $(printf '%s' "$bad" | cat -v | head -5)"
grep -Eq '^tty\.csv: 400,000 rows, [0-9,]+ rows/s, 100% of [0-9.]+ MB$' "$TMP/lines" ||
	fail "the final counts (400,000 rows, 100%) were not shown: $(tail -3 "$TMP/lines")"
grep -Eq '^tty\.csv: [0-9,]+ rows, [0-9,]+ rows/s, ([0-9]|[0-9][0-9])% of' "$TMP/lines" ||
	fail "no line before the end: $(head -3 "$TMP/lines")"
# Cleared at the end: the last thing on the terminal is \r + clear.
[ "$(tail -c 4 "$TMP/err" | od -An -c | tr -d ' ')" = '\r033[K' ] ||
	fail "the line was not cleared at the end: $(tail -c 80 "$TMP/err" | cat -v)"
draws=$(wc -l <"$TMP/lines")
max=$(echo "$seconds * 10 + 3" | bc | cut -d. -f1)
[ "$draws" -le "$max" ] || fail "$draws redraws in $seconds s: more than 10 a second"
pass "import on a terminal: $draws progress lines in $seconds s ($(tail -1 "$TMP/lines")), cleared at the end"

# Not a terminal: stderr as before, nothing extra.
demo 2 "$TMP/file.csv"
mldash import "$TMP/file.csv" >"$TMP/out" 2>"$TMP/err" || fail "import failed: $(cat "$TMP/err")"
grep -q 'file.csv: generic, imported' "$TMP/out" || fail "import report: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] || fail "stderr to a file got: $(cat -v "$TMP/err" | head -c 300)"
pass "import with stderr to a file: nothing on stderr"

demo 3 "$TMP/dumb.csv"
TERM=dumb on_tty "$TMP/out" "$TMP/err" import "$TMP/dumb.csv" || fail "import with TERM=dumb failed"
[ ! -s "$TMP/err" ] || fail "TERM=dumb got: $(cat -v "$TMP/err" | head -c 300)"
pass "import on a terminal with TERM=dumb: nothing on stderr"

# The spool's files, through sync campaigns.
mkdir -p "$TMP/spool"
demo 4 "$TMP/spool/spooled.csv"
on_tty "$TMP/out" "$TMP/err" sync campaigns || fail "sync campaigns failed: $(cat -v "$TMP/err")"
grep -q 'campaign sync: 1 files: 1 imported' "$TMP/out" || fail "sync report: $(cat "$TMP/out")"
status_lines "$TMP/err" >"$TMP/lines"
grep -Eq '^spooled\.csv: 400,000 rows, [0-9,]+ rows/s, 100% of [0-9.]+ MB$' "$TMP/lines" ||
	fail "sync campaigns showed no progress: $(cat -v "$TMP/err" | head -c 600)"
pass "sync campaigns on a terminal: $(grep '^spooled.csv: 400,000' "$TMP/lines")"

# The ML sync's steps.
on_tty "$TMP/out" "$TMP/err" sync ml || fail "sync ml failed: $(cat -v "$TMP/err")"
grep -q '^ml sync run [0-9]*: 1 channels\|^ml sync run [0-9]*: [0-9]* channels' "$TMP/out" ||
	fail "sync ml report: $(cat "$TMP/out")"
status_lines "$TMP/err" >"$TMP/lines"
grep -qx 'ml sync: reading campaign days' "$TMP/lines" || fail "no reading step: $(cat -v "$TMP/err" | head -c 600)"
grep -Eqx 'ml sync: fitting series 1 of [0-9]+' "$TMP/lines" || fail "no fitting step: $(cat "$TMP/lines")"
grep -qx 'ml sync: writing charts' "$TMP/lines" || fail "no writing step: $(cat "$TMP/lines")"
# Cleared at the end, before the run's log line.
grep -q "${ESC}\[K${CR}${ESC}\[K[0-9-]*T[0-9:.]*Z info mldash\[[0-9]*\]: ml sync run" "$TMP/err" ||
	fail "the ML sync's line was not cleared before its log line: $(tail -c 300 "$TMP/err" | cat -v)"
pass "sync ml on a terminal: $(grep '^ml sync: ' "$TMP/lines" | paste -sd'|')"
# Not a terminal: the run's log line alone, as before.
mldash sync ml >"$TMP/out" 2>"$TMP/err" || fail "sync ml failed: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" = 1 ] && grep -q ' info mldash\[[0-9]*\]: ml sync run [0-9]*: ' "$TMP/err" &&
	! grep -q "$ESC\|$CR" "$TMP/err" || fail "sync ml with stderr to a file got: $(cat -v "$TMP/err" | head -c 300)"
pass "sync ml with stderr to a file: its log line only"
