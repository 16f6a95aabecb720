#!/usr/bin/env bash
# import_fp's two ways of reading a file: a regular file is hashed first
# (an earlier import is found without parsing) and then read again from the
# start; a pipe can be read only once, so it is imported as it comes and a
# repeat is found by its hash at the end. (A pipe used to be hashed to its
# end first and then imported as empty.)
. "$(dirname "$0")/lib.sh"

DBNAME=mldash_pipe_test
admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B "$@"; }
cleanup() { admin -e "DROP DATABASE IF EXISTS $DBNAME" || true; rm -rf "$TMP"; }
trap cleanup EXIT
admin -e "DROP DATABASE IF EXISTS $DBNAME; CREATE DATABASE $DBNAME"
export MLDASH_CONFIG=$CONF MLDASH_DATABASE_USER=$(id -un) MLDASH_DATABASE_PASSWORD= \
	MLDASH_DATABASE_NAME=$DBNAME MLDASH_PATHS_MIGRATIONS_DIR=$SRC/db/migrations
mldash() { "$MLDASH_BUILD_DIR/cli/mldash" "$@"; }
mldash migrate 2>/dev/null
mldash demo-data --campaigns 20 --days 50 --seed 3 --end 2025-06-30 --out "$TMP/a.csv" 2>/dev/null
rows=1000
count() { admin "$DBNAME" -e "SELECT (SELECT COUNT(*) FROM campaign_daily), (SELECT COUNT(*) FROM ingest_files)"; }

cat "$TMP/a.csv" | mldash import /dev/stdin >"$TMP/out" 2>&1 || fail "pipe import: $(cat "$TMP/out")"
grep -q "stdin: generic, imported: $rows campaign-days written" "$TMP/out" || fail "pipe import: $(cat "$TMP/out")"
[ "$(count)" = "$rows	1" ] || fail "after the pipe import: $(count)"
pass "a file through a pipe is imported whole ($rows campaign-days)"

cat "$TMP/a.csv" | mldash import /dev/stdin >"$TMP/out" 2>&1 || fail "pipe again: $(cat "$TMP/out")"
grep -q "stdin: generic, duplicate: already imported" "$TMP/out" || fail "pipe again: $(cat "$TMP/out")"
[ "$(count)" = "$rows	1" ] || fail "after the repeated pipe import: $(count)"
pass "the same bytes through a pipe again: duplicate, found by the hash at the end"

mldash import "$TMP/a.csv" >"$TMP/out" 2>&1 || fail "file after pipe: $(cat "$TMP/out")"
grep -q "a.csv: generic, duplicate: already imported as ingest_files id [0-9]* (imported: $rows rows in, 0 rejected)" \
	"$TMP/out" || fail "file after pipe: $(cat "$TMP/out")"
pass "the same bytes as a file: duplicate, found by the hash before parsing"

# A new file as a file: hashed, then read again from its start.
mldash demo-data --campaigns 5 --days 40 --seed 4 --end 2023-06-30 --out "$TMP/b.csv" 2>/dev/null
mldash import "$TMP/b.csv" >"$TMP/out" 2>&1 || fail "file import: $(cat "$TMP/out")"
grep -q "b.csv: generic, imported: 200 campaign-days written" "$TMP/out" || fail "file import: $(cat "$TMP/out")"
[ "$(count)" = "$((rows + 200))	2" ] || fail "after the file import: $(count)"
pass "a new file is hashed, then imported whole from its start"
