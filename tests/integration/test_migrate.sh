#!/usr/bin/env bash
# mldash migrate on a fresh database: every table, each migration once, and a
# failing migration stops with its file name and MariaDB's message.
. "$(dirname "$0")/lib.sh"

DBNAME=mldash_migrate_test
admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" "$@"; }
cleanup() { admin -e "DROP DATABASE IF EXISTS $DBNAME" || true; rm -rf "$TMP"; }
trap cleanup EXIT
admin -e "DROP DATABASE IF EXISTS $DBNAME; CREATE DATABASE $DBNAME"

migrate() {
	MLDASH_CONFIG=$CONF MLDASH_DATABASE_USER=$(id -un) MLDASH_DATABASE_PASSWORD= \
		MLDASH_DATABASE_NAME=$DBNAME MLDASH_PATHS_MIGRATIONS_DIR=$1 \
		"$MLDASH_BUILD_DIR/cli/mldash" migrate
}

latest=$(ls "$SRC/db/migrations" | grep -cE '^[0-9]{3}_.*\.sql$')
migrate "$SRC/db/migrations" 2>"$TMP/out" || fail "migrate failed: $(cat "$TMP/out")"
grep -q "migrate: $latest applied, schema version $latest" "$TMP/out" ||
	fail "first migrate: $(cat "$TMP/out")"
tables=$(admin -N -e "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '$DBNAME'")
for t in campaign_daily campaigns ingest_files ml_accuracy ml_anomalies ml_budget_days ml_budget_recommendation ml_chart_cache ml_forecast_log \
	ml_reach_ctr_timeseries ml_roi_forecast ml_roi_timeseries ml_runs schema_migrations; do
	echo ",$tables," | grep -q ",$t," || fail "table $t missing after migrate ($tables)"
done
pass "fresh database: $latest migrations applied, all tables present"

migrate "$SRC/db/migrations" 2>"$TMP/out" || fail "second migrate failed: $(cat "$TMP/out")"
grep -q "migrate: 0 applied, schema version $latest" "$TMP/out" || fail "re-run: $(cat "$TMP/out")"
pass "second run applies nothing"

mkdir "$TMP/migrations"
cp "$SRC"/db/migrations/*.sql "$TMP/migrations/"
printf 'CREATE TABLE extra_ok (id INT PRIMARY KEY);\n' >"$TMP/migrations/900_extra_ok.sql"
printf 'CREATE TABLE broken (id INT PRIMARY KEY;\n' >"$TMP/migrations/901_broken.sql"
printf 'CREATE TABLE never (id INT);\n' >"$TMP/migrations/902_never.sql"
if migrate "$TMP/migrations" 2>"$TMP/out"; then
	fail "a broken migration did not fail the run"
fi
grep -q "901_broken.sql: statement 1: MariaDB error 1064" "$TMP/out" ||
	fail "error does not name the file and MariaDB's message: $(cat "$TMP/out")"
versions=$(admin -N -e "SELECT GROUP_CONCAT(version ORDER BY version) FROM $DBNAME.schema_migrations")
expected=$(seq -s, 1 "$latest"),900
[ "$versions" = "$expected" ] || fail "recorded versions '$versions', expected '$expected'"
admin -N -e "SELECT 1 FROM information_schema.tables WHERE table_schema = '$DBNAME' AND table_name = 'never'" |
	grep -q 1 && fail "a migration after the broken one ran"
pass "broken migration: stops with file name and MariaDB's message; earlier ones kept"
