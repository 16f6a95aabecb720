#!/usr/bin/env bash
# mldash forecast from outside: CSV in, CSV or JSON out, clear errors.
. "$(dirname "$0")/cli_lib.sh"

# 10 weeks of a weekly pattern, with two days missing from the dates.
{
	echo "date,value"
	for d in $(seq 0 69); do
		[ "$d" = 20 ] || [ "$d" = 21 ] && continue
		printf '%s,%s\n' "$(date -u -d "2024-03-01 + $d days" +%F)" $((100 + (d % 7) * 10 + d / 7))
	done
} >"$TMP/series.csv"
"$MLDASH" forecast --horizon 10 --levels 80,95 --backtest <"$TMP/series.csv" >"$TMP/out.csv" 2>"$TMP/err"
[ "$(head -1 "$TMP/out.csv")" = "step,forecast,lo80,hi80,lo95,hi95" ] || fail "header: $(head -1 "$TMP/out.csv")"
[ "$(wc -l <"$TMP/out.csv")" = 11 ] || fail "expected 10 forecast rows"
grep -q "^model [AM],.*,[AM]: alpha" "$TMP/err" || fail "model line missing or season not found: $(cat "$TMP/err")"
grep -q "70 observations\|68 observations" "$TMP/err" || fail "missing days not counted as missing: $(cat "$TMP/err")"
grep -q "^combined," "$TMP/err" && grep -q "^seasonal_naive," "$TMP/err" || fail "no backtest table"
grep -q "^method " "$TMP/err" || fail "no method line: $(cat "$TMP/err")"
awk -F, 'NR > 1 && !($4 <= $2 + 1e-9 && $2 <= $3 + 1e-9 || $5 <= $3 && $3 <= $2 && $2 <= $4 && $4 <= $6) { bad = 1 }
	NR > 1 && !($5 <= $3 && $3 <= $2 && $2 <= $4 && $4 <= $6) { bad = 1 } END { exit bad }' "$TMP/out.csv" ||
	fail "intervals not nested: $(cat "$TMP/out.csv")"
pass "CSV out: 10 steps, nested 80/95% intervals, model and backtest on stderr"

"$MLDASH" forecast --horizon 3 --json --backtest <"$TMP/series.csv" >"$TMP/out.json"
jq -e '.model.form and (.forecast | length == 3) and .forecast[0].lo95 <= .forecast[0].lo80 and .backtest.origins >= 1' \
	"$TMP/out.json" >/dev/null || fail "JSON: $(cat "$TMP/out.json")"
jq -e '.method | length > 0' "$TMP/out.json" >/dev/null || fail "JSON without its method: $(cat "$TMP/out.json")"
pass "--json: method, model, forecasts and backtest"

# --method ets: the ETS model alone, its own backtest.
"$MLDASH" forecast --horizon 10 --method ets --backtest <"$TMP/series.csv" >/dev/null 2>"$TMP/err"
grep -q "^ets," "$TMP/err" && grep -q "^method [AM],.*,[AM]$" "$TMP/err" || fail "--method ets: $(cat "$TMP/err")"
check_method() { printf 'value\n1\n2\n3\n4\n5\n' | "$MLDASH" forecast --method "$1" >/dev/null 2>"$TMP/err"; }
check_method bogus && fail "--method bogus accepted"
grep -q -- "--method must be combined or ets" "$TMP/err" || fail "--method bogus: $(cat "$TMP/err")"
pass "--method ets: ETS alone; a bad --method is named"

printf 'value\n5\n\n7\n6\n8\n7\n' | "$MLDASH" forecast --horizon 2 >/dev/null 2>"$TMP/err" ||
	fail "a single-column series with an empty value: $(cat "$TMP/err")"
printf 'value\n-0.2\n-0.4\n-0.1\n-0.3\n-0.2\n-0.5\n' | "$MLDASH" forecast --horizon 1 | awk -F, 'NR == 2 && $2 >= 0 { exit 1 }' ||
	fail "negative series forecast not negative"
printf 'value\n-0.2\n-0.4\n-0.1\n-0.3\n-0.2\n-0.5\n' | "$MLDASH" forecast --horizon 1 --nonnegative | awk -F, 'NR == 2 && ($2 < 0 || $3 < 0) { exit 1 }' ||
	fail "--nonnegative gave a negative value"
pass "one column, empty values, negative values, --nonnegative"

# As R's write.csv and Python write numbers and gaps: exponents, NA.
printf 'value\n1e+05\nNA\n120000\n1.1e5\n9.5E+04\n105000\n' | "$MLDASH" forecast --horizon 1 |
	awk -F, 'NR == 2 && ($2 < 90000 || $2 > 130000) { exit 1 }' ||
	fail "R's 1e+05 and NA not read as 100000 and a gap"
pass "numbers as R and Python write them (1e+05, NA)"

# Files as tools write them (a new user's tries, 2026-11-29). Each is the
# same 60 days (a weekly pattern around 1,000) and must forecast as the
# plain file does.
plain() { awk 'BEGIN { print "date,value"; for (i = 0; i < 60; i++) printf "2024-%02d-%02d,%d\n", i < 31 ? 1 : i < 60 ? 2 : 3, i < 31 ? i + 1 : i - 30, 1000 + (i % 7) * 10 }'; }
step1() { "$MLDASH" forecast --horizon 1 "$@" 2>/dev/null | awk -F, 'NR == 2 { print $2 }'; }
want=$(plain | step1)
[ -n "$want" ] || fail "the plain file did not forecast"
same() { local got; got=$(step1 "${@:2}" <"$TMP/tool.csv"); [ "$got" = "$want" ] || fail "$1: $got, the plain file $want"; }
plain | awk -F, -v OFS=, 'NR == 1 { print "\"\"", "\"date\"", "\"value\""; next } { print "\"" NR - 1 "\"", $1, $2 }' >"$TMP/tool.csv"
same "R's write.csv (row names)"
plain | awk -F, -v OFS=, 'NR == 1 { print "", $0; next } { print NR - 2, $0 }' >"$TMP/tool.csv"
same "pandas' to_csv (an index)"
{ plain | head -1; plain | tail -n +2 | sort -r; } >"$TMP/tool.csv"
same "newest first"
plain | tail -n +2 >"$TMP/tool.csv"
same "no header"
{ printf '# Users\n# Start date: 20240101\n#\n'; plain | sed 's/-//g'; } >"$TMP/tool.csv"
same "GA4: comment lines, dates as 20240101"
{ plain | sed 's/$/,,/'; echo ',,,'; echo; } >"$TMP/tool.csv"
same "empty columns and rows (Excel)"
{ plain; printf '2024-03-%02d,\n' 1 2 3 4 5; } >"$TMP/tool.csv"
same "dates filled in ahead without values"
plain | awk -F'[-,]' -v OFS=, 'NR == 1 { print; next } { print ($2 + 0) "/" ($3 + 0) "/" $1, $4 }' >"$TMP/tool.csv"
same "US spreadsheets' days, 1/31/2024"
plain | awk -F'[-,]' -v OFS=, 'NR == 1 { print; next } { print $3 "/" $2 "/" $1 " 12:00:00 AM", $4 }' >"$TMP/tool.csv"
same "day first, 31/01/2024, with a time"
printf 'month,value\n1/1/2024,5\n2/1/2024,6\n3/1/2024,7\n4/1/2024,8\n5/1/2024,9\n6/1/2024,10\n' |
	"$MLDASH" forecast --horizon 1 2>"$TMP/err" >/dev/null
grep -q "monthly dates" "$TMP/err" || fail "1/1/2024 to 6/1/2024 not read as months: $(cat "$TMP/err")"
{ plain | head -1; echo "Total,60600"; plain | tail -n +2; echo "Total: Account,60600"; } >"$TMP/tool.csv"
same "rows of totals (YouTube Studio, Google Ads)"
plain | tr , '\t' >"$TMP/tool.csv"
same "tab-separated"
plain | awk -F, -v OFS=';' 'NR == 1 { print $1, $2; next } { printf "%s;%d.%03d,00\n", $1, $2 / 1000, $2 % 1000 }' >"$TMP/tool.csv"
same "semicolon-separated with decimal commas (write.csv2)"
plain | awk -F, -v OFS=, 'NR == 1 { print; next } { print $1, $2 "%" }' >"$TMP/tool.csv"
same "a rate in percent"
plain | cut -d, -f2 >"$TMP/tool.csv"; want=$(step1 <"$TMP/tool.csv")
{ cat "$TMP/tool.csv"; echo; echo; } >"$TMP/tool2.csv"; mv "$TMP/tool2.csv" "$TMP/tool.csv"
same "blank lines at the end"
header=$(plain | cut -d, -f2 | "$MLDASH" forecast --horizon 1 --levels 0.8,0.95 2>/dev/null | head -1)
[ "$header" = "step,forecast,lo80,hi80,lo95,hi95" ] || fail "--levels 0.8,0.95 not read as fractions: $header"
header=$(plain | cut -d, -f2 | "$MLDASH" forecast --horizon 1 --levels 0.8,95 2>/dev/null | head -1)
[ "$header" = "step,forecast,lo0.8,hi0.8,lo95,hi95" ] || fail "--levels 0.8,95 not read as R does: $header"
awk 'BEGIN { print "month,value"; for (i = 0; i < 36; i++) printf "%d-%02d,%d\n", 2020 + int(i / 12), i % 12 + 1, 100 + i }' |
	"$MLDASH" forecast --horizon 1 2>"$TMP/err" >/dev/null
grep -q "monthly dates" "$TMP/err" || fail "months written 2020-01 not monthly: $(cat "$TMP/err")"
printf 'month,value\nJan 2020,1\nFeb 2020,2\nMar 2020,3\nApr 2020,4\nMay 2020,5\nJun 2020,6\n' |
	"$MLDASH" forecast --horizon 1 2>"$TMP/err" >/dev/null
grep -q "monthly dates" "$TMP/err" || fail "months written Jan 2020 not monthly: $(cat "$TMP/err")"
# Working days only (no row on Saturday or Sunday): the step after a
# Friday is Monday's, a week is five steps.
plain | awk -F, 'NR == 1 || (NR - 2) % 7 < 5' >"$TMP/tool.csv" # 2024-01-01 was a Monday
"$MLDASH" forecast --horizon 6 --json <"$TMP/tool.csv" 2>"$TMP/err" >"$TMP/work.json" || fail "working days: $(cat "$TMP/err")"
grep -q "a step is a working day, 5 a week" "$TMP/err" || fail "working days unsaid: $(cat "$TMP/err")"
# The last row is Thursday 29 February (1030): then Friday (1040), Monday (1000).
jq -e '.spacing == "workday" and .period == 5 and ([.forecast[].forecast] | (.[0] - 1040 | fabs) < 1 and (.[1] - 1000 | fabs) < 1)' \
	"$TMP/work.json" >/dev/null || fail "working days: not Monday's after a Friday: $(jq -c '[.spacing, .period, [.forecast[].forecast]]' "$TMP/work.json")"
pass "as tools write files: row names, an index, newest first, no header, GA4, empty rows, totals, 1/31/2024 and 31/01/2024, TSV, semicolons, percent, blank lines, months, fractions, working days"

check_error() {
	local input=$1 message=$2 rc=0
	printf "$input" | "$MLDASH" forecast "${@:3}" >/dev/null 2>"$TMP/err" || rc=$?
	[ "$rc" != 0 ] && grep -q -- "$message" "$TMP/err" || fail "input '$input': rc $rc: $(cat "$TMP/err")"
}
check_error 'value\n1\nabc\n' "row 3: 'abc' is not a number"
check_error 'value\n1\n1e999\n' "row 3: '1e999' is beyond a double's range"
check_error 'value\n1\ninf\n' "row 3: 'inf' is not a number"
check_error 'date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n' "rows 2 and 4 are both 2024-01-01"
check_error 'Date,Clicks,Impressions,CTR\n2024-01-01,1,2,3\n' "the header has 4 field(s): 'Date', 'Clicks', 'Impressions', 'CTR'"
check_error 'date,value\n2024-01-01,1,5\n' "row 2 has 3 fields, the header 2"
check_error 'date,value\n2024-13-01,1\n' "not a valid date"
check_error 'value\n1\n2\n' "too few values"
check_error 'value\n\n\n' "no values"
check_error 'value\n1\n' "--horizon must be" --horizon 0
check_error 'value\n1\n' "--levels must be" --levels 80,120
check_error 'value\n1\n' "--levels must be up to 8 different" --levels 80,0.8,80
pass "bad input: clear errors naming the row or option"

# Calendar events: Prime Day 2025 (built-in dates, 8-11 July) sold twice a
# normal day; Prime Day 2026 comes from an --events file, so its days
# (14-15 July, steps 14 and 15 from 30 June) are forecast with that uplift,
# and not without the file. A bad file names its line.
start=$(date -u -d 2025-05-01 +%s)
for d in $(seq 0 425); do
	day=$(date -u -d "@$((start + d * 86400))" +%F)
	case $day in 2025-07-0[89] | 2025-07-1[01]) v=2000 ;; *) v=$((1000 + (d * 37 % 11) * 3)) ;; esac
	printf '%s,%s\n' "$day" "$v"
done | { echo "date,value"; cat; } >"$TMP/prime.csv"
[ "$(tail -1 "$TMP/prime.csv" | cut -d, -f1)" = 2026-06-30 ] || fail "prime.csv ends $(tail -1 "$TMP/prime.csv")"
printf '# Prime Day 2026\ndate,prime_day,2026-07-14,2026-07-15\n' >"$TMP/events.csv"
"$MLDASH" forecast --horizon 16 --events "$TMP/events.csv" <"$TMP/prime.csv" >"$TMP/out.csv" 2>/dev/null
awk -F, '$1 == 14 { d = $2 } $1 == 7 { w = $2 } END { exit !(d > 1.6 * w) }' "$TMP/out.csv" ||
	fail "--events: Prime Day 2026 not lifted: $(cat "$TMP/out.csv")"
"$MLDASH" forecast --horizon 16 <"$TMP/prime.csv" >"$TMP/out.csv" 2>/dev/null
awk -F, '$1 == 14 { d = $2 } $1 == 7 { w = $2 } END { exit !(d < 1.2 * w) }' "$TMP/out.csv" ||
	fail "without --events, Prime Day 2026 lifted: $(cat "$TMP/out.csv")"
printf 'date,prime_day,2026-07-14\nholiday,xmas,12-25\n' >"$TMP/bad.csv"
"$MLDASH" forecast --events "$TMP/bad.csv" <"$TMP/prime.csv" >/dev/null 2>"$TMP/err" && fail "bad --events file accepted"
grep -q "bad.csv:2: unknown keyword 'holiday'" "$TMP/err" || fail "bad --events file: $(cat "$TMP/err")"
pass "--events FILE: Prime Day 2026 from a file gets 2025's uplift; a bad line is named"

# A budget change: 43 weeks near 1,000 a day, then six near 2,500 (a
# deterministic wobble stands in for noise). The methods fit from the break.
for t in $(seq 0 342); do
	level=1000
	[ "$t" -ge 301 ] && level=2500
	echo $((level * (90 + t % 7 * 5 + t * 37 % 11) / 100))
done | { echo value; cat; } >"$TMP/shift.csv"
"$MLDASH" forecast --horizon 7 <"$TMP/shift.csv" >"$TMP/out.csv" 2>"$TMP/err"
grep -q "^level shift: the methods fitted from value 302 of 343$" "$TMP/err" ||
	fail "level shift not found: $(cat "$TMP/err")"
"$MLDASH" forecast --horizon 7 --json <"$TMP/shift.csv" | jq -e '.fitted_from == 301 and .forecast[0].forecast > 2000' >/dev/null ||
	fail "--json fitted_from"
head -302 "$TMP/shift.csv" | "$MLDASH" forecast --horizon 7 --json | jq -e '.fitted_from == 0' >/dev/null ||
	fail "a steady series fitted from a break"
pass "a level shift: fitted from the break (value 302 of 343), a steady series from the start"

# Monthly values dated on the 1st (six years of a season and a trend, with
# one month left out): a step is a month and the season 12, the same
# forecast as the values alone with --period 12 and the missing month
# empty. Not a daily series missing 29 days in 30 with a weekly season;
# November's values get no Black Friday. Quarterly dates, the same.
for t in $(seq 0 71); do
	[ "$t" = 40 ] && continue
	printf '%s,%s\n' "$(date -u -d "2019-01-01 + $t months" +%F)" $((1000 + 10 * t + (t % 12) * (t % 12) * 9 + t * 37 % 13))
done | { echo "date,value"; cat; } >"$TMP/monthly.csv"
awk -F, 'NR == 1 { print "value"; next } { print $2 } NR == 41 { print "" }' "$TMP/monthly.csv" >"$TMP/monthly-values.csv"
[ "$(wc -l <"$TMP/monthly-values.csv")" = 73 ] || fail "monthly-values.csv: $(wc -l <"$TMP/monthly-values.csv") lines"
"$MLDASH" forecast --horizon 12 <"$TMP/monthly.csv" >"$TMP/dated.csv" 2>"$TMP/err" || fail "monthly: $(cat "$TMP/err")"
"$MLDASH" forecast --horizon 12 --period 12 <"$TMP/monthly-values.csv" >"$TMP/values.csv" 2>/dev/null
cmp -s "$TMP/dated.csv" "$TMP/values.csv" || fail "monthly dates forecast unlike the values: $(paste -d' ' "$TMP/dated.csv" "$TMP/values.csv")"
grep -q "^monthly dates: a step is a month, the period 12$" "$TMP/err" || fail "monthly: $(cat "$TMP/err")"
"$MLDASH" forecast --horizon 2 --events "$TMP/events.csv" <"$TMP/monthly.csv" >/dev/null 2>"$TMP/err"
grep -q -- "--events ignored: calendar events are days, and the input is monthly" "$TMP/err" ||
	fail "monthly with --events: $(cat "$TMP/err")"
grep -q "^model [AM],[NA]d*,[AM]:.* 71 observations" "$TMP/err" || fail "monthly: not a season of 12 over 71 months: $(cat "$TMP/err")"
"$MLDASH" forecast --horizon 2 --json <"$TMP/monthly.csv" | jq -e '.spacing == "month" and .period == 12' >/dev/null ||
	fail "monthly --json: no spacing or period"
"$MLDASH" forecast --horizon 2 --period 6 --json <"$TMP/monthly.csv" | jq -e '.period == 6' >/dev/null ||
	fail "monthly: --period 6 not kept"
awk -F, 'NR == 1 || $1 ~ /-(01|04|07|10)-01$/' "$TMP/monthly.csv" | "$MLDASH" forecast --horizon 4 --json |
	jq -e '.spacing == "quarter" and .period == 4 and .model.observations == 24' >/dev/null || fail "quarterly dates"
check_error 'date,value\n1500-01-01,112\n' "'1500-01-01' is outside the years 1583 to 9999"
sed 's/^20/19/' "$TMP/monthly.csv" | "$MLDASH" forecast --horizon 2 --json |
	jq -e '.spacing == "month" and .model.observations == 71' >/dev/null || fail "months of the last century (R's datasets)"
"$MLDASH" forecast --horizon 2 --period 7 <"$TMP/monthly.csv" >/dev/null 2>"$TMP/err"
grep -q -- "--period 7 on monthly dates, whose season is usually 12" "$TMP/err" || fail "--period 7 on months unsaid: $(cat "$TMP/err")"
grep -q "^method .*OTM" "$TMP/err" && ! grep -q SNaive "$TMP/err" || fail "months with --period 7 took the daily members: $(cat "$TMP/err")"
awk -F, -v OFS=, 'NR == 31 { sub(/-01$/, "-02", $1) } { print }' "$TMP/monthly.csv" | "$MLDASH" forecast --horizon 2 >/dev/null 2>"$TMP/err"
grep -q "days from the first date to the last have no value: read as daily" "$TMP/err" ||
	fail "a month off its grid read as days unsaid: $(cat "$TMP/err")"
pass "monthly and quarterly dates: a step is a month or a quarter, the season 12 or 4"
