#!/usr/bin/env bash
# mldash budget from outside: daily date,channel,spend,revenue CSV in, the
# split out; the JSON contract; clear errors.
. "$(dirname "$0")/cli_lib.sh"

# Two channels from known curves: "strong" returns far more per unit.
awk 'BEGIN {
	print "date,channel,spend,revenue"; srand(7)
	for (d = 0; d < 90; d++) {
		# Jan-Mar 2024 without strftime (mawk has none)
		day = d < 31 ? sprintf("2024-01-%02d", d + 1) : d < 60 ? sprintf("2024-02-%02d", d - 30) : sprintf("2024-03-%02d", d - 59)
		s = 100 + 200 * rand(); printf "%s,strong,%.2f,%.2f\n", day, s, 4000 * s / (s + 300) * (0.97 + 0.06 * rand())
		w = 100 + 200 * rand(); printf "%s,weak,%.2f,%.2f\n", day, w, 600 * w / (w + 300) * (0.97 + 0.06 * rand())
	}
}' >"$TMP/in.csv"

"$MLDASH" budget --json --curves <"$TMP/in.csv" >"$TMP/out.json"
jq -e '.channels | length == 2' "$TMP/out.json" >/dev/null || fail "two channels expected"
for key in channel current_daily recommended_daily expected_revenue_daily marginal_roi; do
	jq -e --arg k "$key" 'all(.channels[]; has($k))' "$TMP/out.json" >/dev/null || fail "channels lack $key"
done
jq -e '(.channels | map(.recommended_daily) | add) - .totals.current_daily | fabs < 0.01' "$TMP/out.json" >/dev/null ||
	fail "the split does not sum to the current total"
jq -e '.channels[] | select(.channel == "strong") | .recommended_daily > .current_daily' "$TMP/out.json" >/dev/null ||
	fail "the strong channel did not get more"
jq -e '.channels[] | select(.channel == "weak") | .recommended_daily >= .lower_daily - 0.001' "$TMP/out.json" >/dev/null ||
	fail "a bound was broken"
jq -e '.totals.uplift_daily > 0 and .totals.potential_revenue_daily >= .totals.expected_revenue_daily - 0.01' \
	"$TMP/out.json" >/dev/null || fail "uplift or potential wrong: $(jq .totals "$TMP/out.json")"
jq -e 'all(.channels[]; .curve.points | length > 10) and all(.channels[]; .curve.marks.recommended != null)' \
	"$TMP/out.json" >/dev/null || fail "--curves: no points or marks"
pass "JSON: split sums to the total, strong channel gains, bounds hold, curves with marks"
jq -e 'all(.channels[]; .expected_revenue_low80_daily <= .expected_revenue_high80_daily
		and .curve.draws == 100 and (.curve.shape == "concave" or .curve.shape == "s-curve"))
	and all(.channels[].curve.points[]; .revenue_low80 <= .revenue_high80)
	and .totals.uplift_low80_daily > 0 and .totals.probability_better > 0.9
	and .totals.uplift_uncertain == false' "$TMP/out.json" >/dev/null ||
	fail "intervals missing or the clear gain not called sure: $(jq -c .totals "$TMP/out.json")"
pass "80% intervals per channel and on the curves; a clear gain is called sure"

# Two channels with the same curve and 40% noise: whatever split the noise
# suggests, the data cannot tell it from the current one, and it says so.
awk 'BEGIN {
	print "date,channel,spend,revenue"; srand(11)
	for (d = 0; d < 60; d++) {
		day = d < 31 ? sprintf("2024-01-%02d", d + 1) : sprintf("2024-02-%02d", d - 30)
		for (c = 0; c < 2; c++) {
			s = 100 + 200 * rand(); u = rand() + rand() + rand() - 1.5
			printf "%s,twin%d,%.2f,%.2f\n", day, c, s, 1000 * s / (s + 300) * (1 + 0.8 * u)
		}
	}
}' >"$TMP/twins.csv"
"$MLDASH" budget --json <"$TMP/twins.csv" >"$TMP/twins.json"
jq -e '.totals.uplift_uncertain == true and .totals.uplift_low80_daily <= 0
	and (.totals.verdict | startswith("not sure"))' "$TMP/twins.json" >/dev/null ||
	fail "an uplift the data cannot support was not called unsure: $(jq -c .totals "$TMP/twins.json")"
"$MLDASH" budget <"$TMP/twins.csv" | grep -q "^not sure: the uplift's 80% interval" ||
	fail "the table does not say the advice is unsure"
pass "an uplift within the noise is called unsure, in JSON and in the table"

"$MLDASH" budget --total 500 --freeze weak --json <"$TMP/in.csv" >"$TMP/frozen.json"
jq -e '.channels[] | select(.channel == "weak") | (.recommended_daily - .current_daily | fabs < 0.001)' \
	"$TMP/frozen.json" >/dev/null || fail "--freeze did not hold the channel"
pass "--total and --freeze"

"$MLDASH" budget --json --total 250 --bound strong=150:210 --bound weak=:50 <"$TMP/in.csv" >"$TMP/bound.json"
jq -e '.channels[] | select(.channel == "strong") | .lower_daily == 150 and .upper_daily == 210 and .recommended_daily <= 210.0001' \
	"$TMP/bound.json" >/dev/null || fail "--bound strong=150:210 not applied: $(cat "$TMP/bound.json")"
jq -e '.channels[] | select(.channel == "weak") | .upper_daily == 50 and .recommended_daily <= 50.0001' \
	"$TMP/bound.json" >/dev/null || fail "--bound weak=:50 not applied"
pass "absolute bounds per channel (--bound CH=LO:HI)"

{ cat "$TMP/in.csv"; grep ',strong,' "$TMP/in.csv" | cut -d, -f1 | sed 's/$/,newbie,0,/'; } >"$TMP/new.csv"
"$MLDASH" budget --json <"$TMP/new.csv" >"$TMP/new.json"
jq -e '.channels[] | select(.channel == "newbie") | .recommended_daily == 0 and .curve.kind == "none"' \
	"$TMP/new.json" >/dev/null || fail "a channel without history was funded without opt-in"
"$MLDASH" budget --json --opt-in newbie <"$TMP/new.csv" >"$TMP/new.json"
jq -e '.channels[] | select(.channel == "newbie") | .recommended_daily > 0 and .curve.prior and .curve.confidence == "low"' \
	"$TMP/new.json" >/dev/null || fail "--opt-in did not fund the new channel: $(jq '.channels[] | select(.channel == "newbie")' "$TMP/new.json")"
pass "no history: kept at its minimum, funded on a low-confidence prior with --opt-in"

check_error() {
	local message=$1 rc=0
	shift
	"$MLDASH" budget "$@" <"$TMP/in.csv" >/dev/null 2>"$TMP/err" || rc=$?
	[ "$rc" != 0 ] && grep -q -- "$message" "$TMP/err" || fail "$*: rc $rc: $(cat "$TMP/err")"
}
check_error "is above the sum of the channels' upper bounds" --total 100000
check_error "is below the sum of the channels' lower bounds" --total 1
check_error "is unreachable within the bounds: the best reachable is" --target-roi 100
check_error "--freeze nope: no such channel" --freeze nope
check_error "--bounds must be LOWER,UPPER" --bounds 2,1
printf 'date,channel,spend\n' >"$TMP/no-revenue.csv"
rc=0
"$MLDASH" budget <"$TMP/no-revenue.csv" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "needs date, channel, spend and revenue" "$TMP/err" ||
	fail "missing revenue column: rc $rc: $(cat "$TMP/err")"
pass "infeasible totals and targets, unknown channels, bad options and headers: clear errors"

# Rows and options that were read wrong (a review, 2026-11-29).
check_error "--days must be a whole number of days up to 3660" --days 1e10
check_error "more than 256 --freeze options" $(for i in $(seq 257); do printf -- '--freeze weak '; done)
{ head -2 "$TMP/in.csv"; echo "2024-01-01,weak"; } >"$TMP/short.csv"
rc=0
"$MLDASH" budget <"$TMP/short.csv" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "row 3 has 2 field(s), but the header puts a column in field 4" "$TMP/err" ||
	fail "a short row was not refused: rc $rc: $(cat "$TMP/err")"
{ printf '\xef\xbb\xbf'; cat "$TMP/in.csv"; } >"$TMP/bom.csv"
"$MLDASH" budget --json <"$TMP/bom.csv" >"$TMP/bom.json" || fail "a UTF-8 byte order mark broke the header"
{ cat "$TMP/in.csv"; grep ',strong,' "$TMP/in.csv" | cut -d, -f1 | sed 's/$/,untracked,100,/'; } >"$TMP/untracked.csv"
"$MLDASH" budget --json <"$TMP/untracked.csv" >"$TMP/untracked.json" 2>"$TMP/err"
jq -e '.channels[] | select(.channel == "untracked") | .recommended_daily == .current_daily' \
	"$TMP/untracked.json" >/dev/null && grep -q "channel 'untracked' has no revenue in the input: kept at its spend" "$TMP/err" ||
	fail "a channel without revenue was moved: $(jq -c '.channels[] | select(.channel == "untracked")' "$TMP/untracked.json")"
# strong spends about 200 a day: a floor of 450 is above its ceiling of twice that.
"$MLDASH" budget --json --total 600 --bound strong=450: <"$TMP/in.csv" >"$TMP/floor.json"
jq -e '.channels[] | select(.channel == "strong") | .lower_daily == 450 and .recommended_daily >= 449.999' \
	"$TMP/floor.json" >/dev/null || fail "a lower bound above the ratio's ceiling was ignored: $(cat "$TMP/floor.json")"
"$MLDASH" budget --json --opt-in newbie --freeze newbie <"$TMP/new.csv" >"$TMP/frozen-new.json"
jq -e '.channels[] | select(.channel == "newbie") | .recommended_daily == 0' "$TMP/frozen-new.json" >/dev/null ||
	fail "--freeze did not hold an opted-in channel without history"
{ head -2 "$TMP/in.csv"; echo "2024-01-01,weak,abc,5"; } >"$TMP/nan.csv"
rc=0
"$MLDASH" budget <"$TMP/nan.csv" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "row 3: spend: 'abc' is not a number" "$TMP/err" ||
	fail "a bad number is not named on its row: rc $rc: $(cat "$TMP/err")"
pass "short rows refused, a byte order mark read, untracked revenue kept, bounds and freezes held"

# As tools write it (a new user's tries, 2026-11-29): a capitalised header;
# R's UTF-8-BOM quotes after the mark; NA spend is unknown, not nothing.
{ echo "Date,Channel,Spend,Revenue"; tail -n +2 "$TMP/in.csv"; } >"$TMP/caps.csv"
"$MLDASH" budget --json <"$TMP/caps.csv" >/dev/null 2>"$TMP/err" || fail "a capitalised header: $(cat "$TMP/err")"
{ printf '\xef\xbb\xbf"date","channel","spend","revenue"\n'; tail -n +2 "$TMP/in.csv"; } >"$TMP/bomq.csv"
"$MLDASH" budget --json <"$TMP/bomq.csv" >/dev/null 2>"$TMP/err" || fail "quotes after a byte order mark: $(cat "$TMP/err")"
# The last 28 days of strong's spend unknown but its first two: its current spend is theirs.
awk -F, -v OFS=, 'NR > 1 && $2 == "strong" && $1 >= "2024-03-05" { $3 = "NA" } { print }' "$TMP/in.csv" >"$TMP/na.csv"
known=$(awk -F, '$2 == "strong" && $1 >= "2024-03-03" && $1 < "2024-03-05" { s += $3; n++ } END { printf "%.6f", s / n }' "$TMP/in.csv")
"$MLDASH" budget --json <"$TMP/na.csv" >"$TMP/na.json" || fail "NA spend refused"
jq -e --argjson k "$known" '.channels[] | select(.channel == "strong") | .current_daily - $k | fabs < 0.01' \
	"$TMP/na.json" >/dev/null || fail "NA spend read as nothing: $(jq -c '.channels[0]' "$TMP/na.json"), known $known"
# All of strong's last 28 days unknown: its last known spend is current, said.
awk -F, -v OFS=, 'NR > 1 && $2 == "strong" && $1 >= "2024-03-03" { $3 = "NA" } { print }' "$TMP/in.csv" >"$TMP/na28.csv"
last=$(awk -F, '$2 == "strong" && $1 == "2024-03-02" { print $3 }' "$TMP/in.csv")
"$MLDASH" budget --json <"$TMP/na28.csv" >"$TMP/na28.json" 2>"$TMP/err" || fail "28 NA days refused"
jq -e --argjson k "$last" '.channels[] | select(.channel == "strong") | .current_daily - $k | fabs < 0.01' \
	"$TMP/na28.json" >/dev/null && grep -q "channel 'strong' has no known spend in the last 28 days" "$TMP/err" ||
	fail "no known spend in 28 days: $(jq -c '.channels[0]' "$TMP/na28.json"), last known $last: $(cat "$TMP/err")"
{ head -2 "$TMP/in.csv"; echo "2024-01-01,weak,50000000000000,5"; } >"$TMP/typo.csv"
rc=0
"$MLDASH" budget <"$TMP/typo.csv" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q "row 3: spend: '50000000000000' is too large" "$TMP/err" ||
	fail "a typo of 5e13 not refused: rc $rc: $(cat "$TMP/err")"
{ cat "$TMP/in.csv"; echo "Total: Account,,1000,5000"; } >"$TMP/total.csv"
"$MLDASH" budget --json <"$TMP/total.csv" >"$TMP/total.json" 2>"$TMP/err" || fail "a row of totals: $(cat "$TMP/err")"
cmp -s <(jq -S .channels "$TMP/total.json") <("$MLDASH" budget --json <"$TMP/in.csv" | jq -S .channels) ||
	fail "a row of totals changed the answer"
pass "a capitalised header, quotes after a byte order mark, NA spend unknown (28 days of it too), amounts of 1e12 and more refused, a row of totals left out"
