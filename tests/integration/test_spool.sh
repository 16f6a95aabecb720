#!/usr/bin/env bash
# The campaign sync over the spool folder: good files to done/, unusable ones
# to rejected/ with a JSON report, uploads in progress left alone; two syncs
# at once import each file once.
. "$(dirname "$0")/lib.sh"

SPOOL=$VAR/spool
P="spool$$"
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }
sync_campaigns() { MLDASH_CONFIG=$CONF "$MLDASH_BUILD_DIR/cli/mldash" sync campaigns; }
mkdir -p "$SPOOL"

for i in 1 2 3 4; do
	{
		echo "date,campaign_id,channel,spend,impressions,clicks"
		for d in $(seq 1 20); do printf '2024-02-%02d,%s-%d,display,%d,1000,10\n' "$d" "$P" "$i" "$i"; done
	} >"$SPOOL/$P-good-$i.csv"
done
printf 'date,campaign_id,channel,spend\n2024-01-01,%s-x,y,-1\n' "$P" >"$SPOOL/$P-allbad.csv"
printf 'Campaign report\nAll time\nCampaign,Cost,Impr.\nA,1,2\n' >"$SPOOL/$P-noday.csv"
# Two rows of one campaign-day (a Google Ads export sums them) whose sum
# does not fit the store: the file would fail every hourly sync the same
# way, so it is rejected, not kept.
printf 'Day,Campaign,Cost,Impr.\n2024-02-01,%s-z,"600,000,000,000",10\n2024-02-01,%s-z,"600,000,000,000",10\n' \
	"$P" "$P" >"$SPOOL/$P-oversum.csv"
printf 'date,campaign_id,channel,spend\n2024-01-01,%s-y,z,1\n' "$P" >"$SPOOL/$P-upload.csv.part"

# Two syncs race over the same files.
sync_campaigns >"$TMP/one" 2>"$TMP/one.log" &
sync_campaigns >"$TMP/two" 2>"$TMP/two.log" &
wait %1 || fail "first sync failed: $(cat "$TMP/one.log")"
wait %2 || fail "second sync failed: $(cat "$TMP/two.log")"

imported=$(cat "$TMP/one.log" "$TMP/two.log" | grep -c "spool: $P-good-.*: imported")
[ "$imported" = 4 ] || fail "good files imported $imported times in all, expected 4: $(cat "$TMP"/*.log)"
for i in 1 2 3 4; do
	[ -f "$SPOOL/done/$P-good-$i.csv" ] || fail "$P-good-$i.csv not in done/"
	sha=$(sha256sum "$SPOOL/done/$P-good-$i.csv" | cut -d' ' -f1)
	[ "$(sql "SELECT COUNT(*) FROM ingest_files WHERE sha256 = '$sha'")" = 1 ] ||
		fail "$P-good-$i.csv recorded more than once"
done
n=$(sql "SELECT COUNT(*), SUM(spend) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id WHERE c.external_id LIKE '$P-%'")
[ "$n" = "$(printf "80\t200.0000")" ] || fail "campaign-days after two syncs: $n: $(cat "$TMP"/one.log "$TMP"/two.log)"
pass "two concurrent syncs: each of 4 files imported once, 80 campaign-days"

for f in allbad noday oversum; do
	[ -f "$SPOOL/rejected/$P-$f.csv" ] || fail "$P-$f.csv not in rejected/"
	jq -e '.status == "rejected"' "$SPOOL/rejected/$P-$f.csv.json" >/dev/null ||
		fail "no JSON report beside rejected $P-$f.csv"
done
jq -e '.first_rejected_rows[0].line == 2' "$SPOOL/rejected/$P-allbad.csv.json" >/dev/null || fail "report lacks the line"
jq -e '.message | test("export it segmented by day")' "$SPOOL/rejected/$P-noday.csv.json" >/dev/null ||
	fail "report lacks the reason"
jq -e '.message | test("campaign-day.s spend, summed over the file.s rows for it, is too large")' \
	"$SPOOL/rejected/$P-oversum.csv.json" >/dev/null ||
	fail "an overflowing sum: $(jq -c .message "$SPOOL/rejected/$P-oversum.csv.json")"
[ "$(sql "SELECT COUNT(*) FROM campaigns WHERE name = '$P-z'")" = 0 ] ||
	fail "a rejected file left its campaign behind"
pass "unusable files in rejected/ with a JSON report"

[ -f "$SPOOL/$P-upload.csv.part" ] || fail "an upload in progress (.part) was touched"
pass "uploads in progress (.part) left alone"

# One campaign id on two channels in a generic file (two platforms' ids
# colliding): the rows of the second are rejected, not filed under the first.
printf 'date,campaign_id,channel,spend\n2024-03-01,%s-c,google,10\n2024-03-02,%s-c,meta,20\n2024-03-03,%s-c,google,30\n' \
	"$P" "$P" "$P" >"$SPOOL/$P-twochannels.csv"
sync_campaigns >/dev/null 2>&1
jq -e '.status == "partial" and .first_rejected_rows[0].line == 3 and
	(.first_rejected_rows[0].reason | test("has another channel or currency on an earlier row"))' \
	"$SPOOL/done/$P-twochannels.csv.json" >/dev/null ||
	fail "a campaign on two channels: $(cat "$SPOOL"/done/$P-twochannels.csv.json 2>/dev/null)"
[ "$(sql "SELECT GROUP_CONCAT(d.day ORDER BY d.day), MIN(c.channel) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id WHERE c.external_id = '$P-c'")" = \
	"$(printf '2024-03-01,2024-03-03\tgoogle')" ] || fail "a campaign on two channels was stored as one"
pass "a campaign id on two channels in one file: the other channel's rows rejected"

# 'all' spelt so that only the store's collation sees it (accent, full width).
printf 'date,campaign_id,channel,spend\n2024-03-01,%s-a1,\xc3\x80ll,1\n2024-03-01,%s-a2,\xef\xbd\x81ll,2\n2024-03-01,%s-a3,email,3\n' \
	"$P" "$P" "$P" >"$SPOOL/$P-allchannel.csv"
sync_campaigns >/dev/null 2>&1
jq -e '.status == "partial" and .rows_rejected == 2 and
	all(.first_rejected_rows[]; .reason | test("is the store.s .all., reserved for the total"))' \
	"$SPOOL/done/$P-allchannel.csv.json" >/dev/null ||
	fail "'all' in other spellings: $(cat "$SPOOL"/done/$P-allchannel.csv.json 2>/dev/null)"
pass "a channel the store reads as 'all' (accented, full width) is rejected on its rows"

sql "INSERT INTO ml_runs (job, triggered_by, slot_time, status, started_at)
	VALUES ('campaign_sync', 'schedule', '2001-01-01', 'succeeded', UTC_TIMESTAMP() - INTERVAL 91 DAY),
	       ('campaign_sync', 'schedule', '2001-01-02', 'succeeded', UTC_TIMESTAMP() - INTERVAL 89 DAY)"
sync_campaigns >/dev/null 2>&1
[ "$(sql "SELECT GROUP_CONCAT(DATE(slot_time)) FROM ml_runs WHERE slot_time < '2002-01-01'")" = 2001-01-02 ] ||
	fail "the 91-day-old campaign_sync run was not pruned, or the 89-day-old one was"
sql "DELETE FROM ml_runs WHERE slot_time < '2002-01-01'"
pass "campaign_sync runs older than 90 days pruned"

last=$(sql "SELECT status, triggered_by FROM ml_runs WHERE job = 'campaign_sync' ORDER BY id DESC LIMIT 1")
[ "$last" = "$(printf 'succeeded\tmanual')" ] || fail "last campaign_sync run: $last"
pass "each sync recorded in ml_runs"
rm -f "$SPOOL/$P-upload.csv.part"
