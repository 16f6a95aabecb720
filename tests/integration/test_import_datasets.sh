#!/usr/bin/env bash
# Every real export in ../shared/datasets is imported or refused as its README
# says; for the imported ones, campaign-days and per-campaign sums of spend,
# impressions and revenue equal an independent reading (expected_sums.py).
. "$(dirname "$0")/lib.sh"

DATA=${MLDASH_DATASETS:-$SRC/../shared/datasets}
if [ ! -d "$DATA/exports" ]; then
	echo "SKIP: no datasets folder at $DATA (set MLDASH_DATASETS); nothing to check"
	exit 77 # ctest: skipped
fi
DBNAME=mldash_import_test
admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" "$@"; }
cleanup() { admin -e "DROP DATABASE IF EXISTS $DBNAME" || true; rm -rf "$TMP"; }
trap cleanup EXIT
as_admin=(env MLDASH_CONFIG="$CONF" MLDASH_DATABASE_USER="$(id -un)" MLDASH_DATABASE_PASSWORD=
	MLDASH_DATABASE_NAME=$DBNAME MLDASH_PATHS_MIGRATIONS_DIR="$SRC/db/migrations")

fresh_db() {
	admin -e "DROP DATABASE IF EXISTS $DBNAME; CREATE DATABASE $DBNAME"
	"${as_admin[@]}" "$MLDASH_BUILD_DIR/cli/mldash" migrate 2>/dev/null
}

# import_and_compare FILE SOURCE EXPECTED_STATUS
import_and_compare() {
	local file=$1 source=$2 status=$3 name
	name=$(basename "$file")
	fresh_db
	"${as_admin[@]}" "$MLDASH_BUILD_DIR/cli/mldash" import "$file" >"$TMP/out" 2>&1 ||
		fail "$name: import failed: $(cat "$TMP/out")"
	grep -q "$name: $source, $status:" "$TMP/out" || fail "$name: $(cat "$TMP/out")"
	admin -N -B "$DBNAME" -e "
		SELECT c.external_id, COUNT(*), COALESCE(ROUND(SUM(d.spend), 2), ''),
		       COALESCE(CAST(SUM(d.impressions) AS DECIMAL(20,2)), ''),
		       COALESCE(ROUND(SUM(d.revenue), 2), '')
		FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id
		WHERE c.source = '$source' GROUP BY c.external_id ORDER BY c.external_id" >"$TMP/got"
	/usr/bin/python3 "$SRC/tests/integration/expected_sums.py" "$file" >"$TMP/want"
	/usr/bin/python3 - "$TMP/want" "$TMP/got" "$name" <<-'PY'
		import sys
		want = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
		got = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
		name = sys.argv[3]
		if [w[0] for w in want] != [g[0] for g in got]:
		    sys.exit(f"FAIL: {name}: campaigns differ:\n want {[w[0] for w in want]}\n got  {[g[0] for g in got]}")
		for w, g in zip(want, got):
		    if w[1] != g[1]:
		        sys.exit(f"FAIL: {name}: {w[0]}: {g[1]} campaign-days, expected {w[1]}")
		    for label, a, b in zip(("spend", "impressions", "revenue"), w[2:], g[2:]):
		        if (a == "") != (b == "") or (a and abs(float(a) - float(b)) > 0.011):
		            sys.exit(f"FAIL: {name}: {w[0]}: {label} {b!r}, expected {a!r}")
		print(f"ok: {name}: {len(want)} campaigns, {sum(int(w[1]) for w in want)} campaign-days match")
	PY
}

import_and_compare "$DATA/exports/google_ads/cocoon_campaign_daily.csv" google_ads imported
import_and_compare "$DATA/exports/meta/cocoon_campaign_daily.csv" meta imported
import_and_compare "$DATA/exports/meta/monfrere_ad_daily.csv" meta imported
import_and_compare "$DATA/online-ads/online-ads-generic.csv" generic imported

# Ad-level rows summed into campaign-days overcount reach: marked so.
marked=$(admin -N -B "$DBNAME" -e "SELECT COUNT(*) FROM campaign_daily" 2>/dev/null)
[ "$marked" -gt 0 ] || fail "no rows after the generic import"
fresh_db
"${as_admin[@]}" "$MLDASH_BUILD_DIR/cli/mldash" import "$DATA/exports/meta/monfrere_ad_daily.csv" >/dev/null 2>&1
upper=$(admin -N -B "$DBNAME" -e "SELECT SUM(reach_is_upper_bound), SUM(clicks IS NULL), COUNT(*) FROM campaign_daily")
read -r n_upper n_noclicks n_rows <<<"$upper"
[ "$n_upper" -gt 0 ] || fail "monfrere: summed reach is not marked as an upper bound"
[ "$n_noclicks" = "$n_rows" ] || fail "monfrere has no clicks column: clicks must be NULL, $n_noclicks of $n_rows are"
pass "monfrere: reach summed over ads marked as upper bound on $n_upper days; clicks unknown (NULL)"

# Refused whole: reports without a day segment, with a message that says how.
for f in google_ads/huft_campaign_month_utf16.tsv google_ads/calpreserving_campaign_alltime.csv; do
	rc=0
	"${as_admin[@]}" "$MLDASH_BUILD_DIR/cli/mldash" import "$DATA/exports/$f" >"$TMP/out" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "$f: exit code $rc, expected 1"
	grep -q "rejected: .*no Day column.*export it segmented by day" "$TMP/out" || fail "$f: $(cat "$TMP/out")"
done
pass "reports without a Day segment refused with 'export it segmented by day'"

rc=0
"${as_admin[@]}" "$MLDASH_BUILD_DIR/cli/mldash" import "$DATA/exports/meta/no_data_available.csv" >"$TMP/out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q "empty: the file holds no data rows" "$TMP/out" || fail "no_data_available: rc $rc: $(cat "$TMP/out")"
pass "'No data available.' export reported as empty, not as an error"

# Conversions above clicks are kept (12 rows of the generic file have them).
fresh_db
"${as_admin[@]}" "$MLDASH_BUILD_DIR/cli/mldash" import "$DATA/online-ads/online-ads-generic.csv" >/dev/null 2>&1
over=$(admin -N -B "$DBNAME" -e "SELECT COUNT(*) FROM campaign_daily WHERE conversions > clicks")
want=$(awk -F, 'NR > 1 && $9 + 0 > $8 + 0' "$DATA/online-ads/online-ads-generic.csv" | wc -l)
[ "$over" = "$want" ] && [ "$over" -gt 0 ] || fail "conversions > clicks: $over rows stored, file has $want"
pass "$over rows with conversions above clicks kept"
