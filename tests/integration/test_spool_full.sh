#!/usr/bin/env bash
# A campaign sync over a spool folder whose disk is full (a 2 MB tmpfs
# mounted over it; needs root, else skipped):
#  - no space left: a file that was complete is imported whole and moved to
#    done/ unchanged; an upload cut short by the full disk (.part) is left
#    alone; a file refused whole stays in the spool, because its JSON report
#    cannot be written (the error names it, the run fails);
#  - no inode left (done/ cannot be made): the sync fails saying so, nothing
#    is imported and the file stays in the spool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: mounting a tmpfs needs root"
	exit 77
fi
SPOOL=$TMP/spool
mkdir -p "$SPOOL"
if ! mount -t tmpfs -o size=2m,mode=0755 tmpfs "$SPOOL" 2>"$TMP/mount.err"; then
	echo "SKIP: cannot mount a tmpfs: $(cat "$TMP/mount.err")"
	exit 77
fi
P=full$$
cleanup() {
	umount "$SPOOL" 2>/dev/null || umount -l "$SPOOL" 2>/dev/null || true
	sql "DELETE FROM campaigns WHERE channel = '$P'" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
sync_campaigns() {
	MLDASH_CONFIG=$CONF MLDASH_INGEST_SPOOL_DIR=$SPOOL "$MLDASH_BUILD_DIR/cli/mldash" sync campaigns
}
mine() {
	sql "SELECT COUNT(*), COALESCE(SUM(d.spend), 0) FROM campaign_daily d
		JOIN campaigns c ON c.id = d.campaign_id WHERE c.channel = '$P'"
}
totals() {
	sql "SELECT (SELECT COUNT(*) FROM campaigns), (SELECT COUNT(*) FROM campaign_daily),
		(SELECT COALESCE(SUM(spend), 0) FROM campaign_daily), (SELECT COUNT(*) FROM ingest_files)"
}
# report NAME ROWS: a report file of ROWS campaign-days on standard output.
report() {
	awk -v p="$P" -v name="$1" -v n="$2" 'BEGIN { print "date,campaign_id,channel,spend,impressions,clicks"
		for (k = 0; k < n; k++) printf "2024-%02d-%02d,%s-%s-%d,%s,%d.25,1000,10\n",
			k % 12 + 1, int(k / 12) % 28 + 1, p, name, int(k / 336), p, k % 50 }'
}

# --- no space left -----------------------------------------------------------------
report good 3000 >"$SPOOL/$P-good.csv"
good_sha=$(sha256sum "$SPOOL/$P-good.csv" | cut -d' ' -f1)
want=$(awk -F, 'NR > 1 { n++; s += $4 } END { printf "%d\t%.4f", n, s }' "$SPOOL/$P-good.csv")
printf 'Campaign report\nAll time\nCampaign,Cost,Impr.\nA,1,2\n' >"$SPOOL/$P-noday.csv"
# An upload the full disk cuts short: written as .part, never renamed.
report upload 200000 >"$TMP/upload.csv"
if cp "$TMP/upload.csv" "$SPOOL/$P-upload.csv.part" 2>/dev/null; then
	fail "a 2 MB tmpfs took a $(stat -c %s "$TMP/upload.csv") byte upload"
fi
dd if=/dev/zero of="$SPOOL/.filler" bs=4k 2>/dev/null || true # whatever room is left
[ "$(df --output=avail "$SPOOL" | tail -1 | tr -d ' ')" = 0 ] || fail "the spool disk is not full: $(df "$SPOOL")"
part_size=$(stat -c %s "$SPOOL/$P-upload.csv.part")
before=$(totals)

rc=0
sync_campaigns >"$TMP/out" 2>"$TMP/log" || rc=$?
# The unusable file's report cannot be written: the run fails saying so.
[ "$rc" != 0 ] || fail "sync on a full disk succeeded though a report could not be written"
grep -q "could not be filed away" "$TMP/log" || fail "the failure does not say why: $(cat "$TMP/log")"
[ "$(mine)" = "$want" ] || fail "the complete file: (days, spend) $(mine), want $want"
[ -f "$SPOOL/done/$P-good.csv" ] || fail "the complete file is not in done/: $(ls -R "$SPOOL")"
[ "$(sha256sum "$SPOOL/done/$P-good.csv" | cut -d' ' -f1)" = "$good_sha" ] || fail "the file in done/ changed"
[ "$(sql "SELECT COUNT(*) FROM ingest_files WHERE sha256 = '$good_sha'")" = 1 ] || fail "the file not recorded once"
pass "disk full: the complete file imported whole ($(mine | cut -f1) campaign-days, spend $(mine | cut -f2)) and moved to done/ unchanged"

[ -f "$SPOOL/$P-upload.csv.part" ] && [ "$(stat -c %s "$SPOOL/$P-upload.csv.part")" = "$part_size" ] ||
	fail "the cut-short upload was touched"
[ "$(sql "SELECT COUNT(*) FROM campaigns WHERE external_id LIKE '$P-upload-%'")" = 0 ] ||
	fail "rows of the cut-short upload were imported"
pass "the upload cut short by the full disk ($part_size of $(stat -c %s "$TMP/upload.csv") bytes, .part) left alone, none of it imported"

[ -f "$SPOOL/$P-noday.csv" ] || fail "the unusable file left the spool without its report: $(ls -R "$SPOOL")"
[ -e "$SPOOL/rejected/$P-noday.csv" ] && fail "the unusable file was filed without its report"
ls "$SPOOL/rejected/" | grep -q json && fail "a partial report was left in rejected/: $(ls "$SPOOL/rejected/")"
grep -q "cannot write $SPOOL/rejected/$P-noday.csv.json: .*No space left on device" "$TMP/log" ||
	fail "no error about the report that could not be written: $(cat "$TMP/log")"
pass "the unusable file stays in the spool until its report can be written, and the log says so"
after_full=$(totals)

# --- no inode left: done/ cannot be made --------------------------------------------
umount "$SPOOL"
mount -t tmpfs -o size=2m,nr_inodes=2,mode=0755 tmpfs "$SPOOL" || fail "remount with 2 inodes"
report again 500 >"$SPOOL/$P-again.csv"
again_sha=$(sha256sum "$SPOOL/$P-again.csv" | cut -d' ' -f1)
rc=0
sync_campaigns >"$TMP/out" 2>"$TMP/log" || rc=$?
[ "$rc" != 0 ] || fail "sync without room for done/ succeeded: $(cat "$TMP/out" "$TMP/log")"
grep -q "sync campaigns: $SPOOL/done: cannot create: No space left on device" "$TMP/log" ||
	fail "the error does not say why: $(cat "$TMP/log")"
[ "$(totals)" = "$after_full" ] || fail "rows changed by the failed sync: $(totals), before $after_full"
[ "$(sha256sum "$SPOOL/$P-again.csv" | cut -d' ' -f1)" = "$again_sha" ] || fail "the file in the spool changed or went"
run=$(sql "SELECT status, error FROM ml_runs WHERE job = 'campaign_sync' ORDER BY id DESC LIMIT 1")
[[ "$run" == "failed	$SPOOL/done: cannot create: No space left on device"* ]] || fail "the run says: $run"
pass "no inode left: exit $rc, '$(grep -o 'sync campaigns: .*' "$TMP/log")', run recorded failed; rows unchanged ($(totals | tr '\t' ' ')), the file still in the spool"

echo "rows checked: $(mine | cut -f1) campaign-days of the complete file; totals (campaigns, days, spend, files) before $(echo "$before" | tr '\t' ' '), after $(echo "$after_full" | tr '\t' ' ')"
