#!/usr/bin/env bash
# kill -9 in the middle of a large import: while it runs and after it dies,
# nothing of the file is visible; running it again imports it whole.
. "$(dirname "$0")/lib.sh"

DBNAME=mldash_kill_test
admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B "$@"; }
cleanup() { admin -e "DROP DATABASE IF EXISTS $DBNAME" || true; rm -rf "$TMP"; }
trap cleanup EXIT
admin -e "DROP DATABASE IF EXISTS $DBNAME; CREATE DATABASE $DBNAME"
export MLDASH_CONFIG=$CONF MLDASH_DATABASE_USER=$(id -un) MLDASH_DATABASE_PASSWORD= \
	MLDASH_DATABASE_NAME=$DBNAME MLDASH_PATHS_MIGRATIONS_DIR=$SRC/db/migrations
mldash() { "$MLDASH_BUILD_DIR/cli/mldash" "$@"; }
mldash migrate 2>/dev/null
rows=300000
mldash demo-data --campaigns 300 --days 1000 --seed 9 --end 2025-12-31 --out "$TMP/big.csv" 2>/dev/null

visible() {
	admin "$DBNAME" -e "SELECT (SELECT COUNT(*) FROM campaign_daily) + (SELECT COUNT(*) FROM campaigns) + (SELECT COUNT(*) FROM ingest_files)"
}
written_so_far() {
	admin -e "SELECT COALESCE(MAX(trx_rows_modified), 0) FROM information_schema.innodb_trx"
}

# Started directly (not through the function) so that $! is the importer.
"$MLDASH_BUILD_DIR/cli/mldash" import "$TMP/big.csv" >/dev/null 2>&1 &
pid=$!
mid() { [ "$(written_so_far)" -gt 20000 ]; }
retry 60 mid || fail "the import never got going"
[ "$(visible)" = 0 ] || fail "rows of the running import are visible to others: $(visible)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
killed_at=$(written_so_far)
pass "import killed with about $killed_at rows written in its transaction"

rolled_back() { [ "$(admin -e "SELECT COUNT(*) FROM information_schema.innodb_trx")" = 0 ]; }
retry 60 rolled_back || fail "the killed import's transaction is still open"
[ "$(visible)" = 0 ] || fail "after kill -9, rows are visible: $(visible)"
pass "after kill -9: no campaign, campaign-day or file record of the import"

mldash import "$TMP/big.csv" >"$TMP/out" 2>&1 || fail "re-run failed: $(cat "$TMP/out")"
n=$(admin "$DBNAME" -e "SELECT COUNT(*) FROM campaign_daily")
[ "$n" = "$rows" ] || fail "re-run wrote $n campaign-days, expected $rows"
pass "re-run imports all $rows campaign-days"
