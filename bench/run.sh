#!/usr/bin/env bash
# The mldash benchmark (`make bench`): one run, one report. Everything is
# measured on this machine in the same run, each HTTP number beside nginx
# serving the same bytes as a static file (the machine's ceiling):
#
#   1. the machine (cores, CPU, RAM, kernel, versions, date, commit);
#   2. the micro-benchmarks build/bench/{forecast,budget,chart}_bench;
#   3. import: 1,000,000 rows into a fresh database (rows/s, three runs);
#   4. ML sync (`mldash sync ml`) at 60x365, 5,000x730 and 1,000x730
#      campaigns x days of demo data, each imported into a fresh database
#      (import timed too), three syncs each: seconds, peak RSS, rows read;
#   5. with 1,000x730 (730,000 campaign-days) and its ML run in place: every
#      GET endpoint at 1, 16 and 64 connections with wrk --latency (req/s,
#      p50, p99), each beside the same body as a static file in web/;
#      one chart drawn on demand (a new size per request) at 1 and 16;
#   6. the workers' memory (VmRSS, VmHWM) after the HTTP runs.
#
# The report goes to bench/results/latest.md (git-ignored) and is printed.
# Its own dev stack (MariaDB, the FastCGI pool, nginx with its rate limits
# off; no scheduler, so that no job runs in the middle of a measurement) in
# build/bench-stack on port 18190, taken down at the end. About 7 minutes.
#
# Environment:
#   MLDASH_BENCH_DIR      the stack's folder (default: build/bench-stack)
#   MLDASH_BENCH_PORT     its nginx port (default: 18190)
#   MLDASH_BENCH_WORKERS  FastCGI workers (default: 2)
#   MLDASH_BENCH_SECONDS  wrk seconds per cell (default: 4)
#   MLDASH_BENCH_RUNS     syncs per size and 1M-row imports (default: 3)
#   MLDASH_BENCH_OUT      the report (default: bench/results/latest.md)
#   MLDASH_BUILD_DIR      the binaries (default: build)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export MLDASH_VAR_DIR=${MLDASH_BENCH_DIR:-$SRC/build/bench-stack}
export MLDASH_PORT=${MLDASH_BENCH_PORT:-18190}
export MLDASH_BUILD_DIR=${MLDASH_BUILD_DIR:-$SRC/build}
export MLDASH_WORKERS=${MLDASH_BENCH_WORKERS:-2}
export MLDASH_NGINX_RATE_LIMITS=off
DURATION=${MLDASH_BENCH_SECONDS:-4}
RUNS=${MLDASH_BENCH_RUNS:-3}
OUT=${MLDASH_BENCH_OUT:-$SRC/bench/results/latest.md}
DEVSTACK=$SRC/deploy/devstack.sh
MLDASH=$MLDASH_BUILD_DIR/cli/mldash
BASE=http://127.0.0.1:$MLDASH_PORT
API=/api/ml-dashboard
WEB=$SRC/web
ME=$(id -un)

note() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for b in "$MLDASH" "$MLDASH_BUILD_DIR/fcgi/mldash-fcgi" "$MLDASH_BUILD_DIR/bench/forecast_bench" \
	"$MLDASH_BUILD_DIR/bench/budget_bench" "$MLDASH_BUILD_DIR/bench/chart_bench"; do
	[ -x "$b" ] || die "$b is missing: run 'make' first"
done
MLDASH_BUILD_DIR=$(cd "$MLDASH_BUILD_DIR" && pwd)
for t in wrk curl jq /usr/bin/time; do
	command -v "$t" >/dev/null || die "$t is not installed"
done

mkdir -p "$MLDASH_VAR_DIR" "$(dirname "$OUT")"
TMP=$MLDASH_VAR_DIR/bench
rm -rf "$TMP"
mkdir -p "$TMP"
STATIC_FILES=()
cleanup() {
	local f
	for f in "${STATIC_FILES[@]}"; do rm -f "$f"; done
	rm -rf "$TMP"
	"$DEVSTACK" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers -----------------------------------------------------------------

# commas N: N rounded, with thousands separators.
commas() { printf '%.0f' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# median_range FILE [commas]: "median (min–max)" of the numbers in FILE, one
# a line; with "commas", rounded and with thousands separators.
median_range() {
	sort -g "$1" | awk -v fmt="${2:-}" '
	function f(n,   s, r) {
		if (fmt != "commas") return n
		s = sprintf("%.0f", n); r = ""
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		return s r
	}
	{ v[NR] = $1 } END {
		if (NR == 0) { print "—"; exit }
		m = v[int((NR + 1) / 2)]
		if (NR == 1 || v[1] == v[NR]) printf "%s", f(m); else printf "%s (%s–%s)", f(m), f(v[1]), f(v[NR]) }'
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$ME" -N -B "$@"; }

# fresh_db: an empty mldash database with the current schema. The grants of
# the stack's accounts are by name and outlive the drop.
fresh_db() {
	sql -e "DROP DATABASE IF EXISTS mldash;
		CREATE DATABASE mldash CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	MLDASH_DATABASE_USER=$ME MLDASH_DATABASE_PASSWORD='' "$MLDASH" migrate >/dev/null 2>&1 ||
		die "mldash migrate failed"
}

# demo CAMPAIGNS DAYS FILE [demo-data options]: demo campaigns as generic CSV.
demo() {
	local campaigns=$1 days=$2 file=$3
	shift 3
	"$MLDASH" demo-data --campaigns "$campaigns" --days "$days" --seed 11 "$@" --out "$file" \
		>/dev/null 2>&1 || die "mldash demo-data failed"
}

# timed_import FILE EXPECTED_ROWS: imports FILE into the (fresh) database as
# the application account; sets IMPORT_SECS and IMPORT_RSS (kB).
timed_import() {
	local n
	/usr/bin/time -o "$TMP/time.out" -f '%e %M' "$MLDASH" import "$1" >"$TMP/import.out" 2>&1 ||
		die "mldash import $1 failed: $(tail -n 3 "$TMP/import.out")"
	read -r IMPORT_SECS IMPORT_RSS <"$TMP/time.out"
	n=$(sql mldash -e "SELECT COUNT(*) FROM campaign_daily")
	[ "$n" = "$2" ] || die "the import wrote $n campaign-days, expected $2"
}

# ms VALUE: a wrk time (us, ms, s, m) in milliseconds.
WRK_AWK='
function ms(v) {
	if (v ~ /us$/) return v / 1000
	if (v ~ /ms$/) return v + 0
	if (v ~ /[0-9]s$/) return v * 1000
	if (v ~ /[0-9]m$/) return v * 60000
	return v + 0
}
/^ +50% / { p50 = ms($2) }
/^ +99% / { p99 = ms($2) }
/^Requests\/sec:/ { rps = $2 }
/Non-2xx or 3xx responses:/ { err += $NF }
/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
END { printf "%.1f %.3f %.3f %d\n", rps, p50, p99, err }'

# wrk_cell URL CONNS THREADS [SCRIPT]: "req/s p50_ms p99_ms errors".
wrk_cell() {
	local script=()
	[ -n "${4:-}" ] && script=(-s "$4")
	wrk -t"$3" -c"$2" -d"${DURATION}s" --latency "${script[@]}" "$1" >"$TMP/wrk.out" 2>&1 || true
	awk "$WRK_AWK" "$TMP/wrk.out"
}

# worker_mem: "pid VmRSS_kB VmHWM_kB" of each mldash-fcgi of this stack.
worker_mem() {
	local pid
	for pid in $(pgrep -P "$(cat "$RUN/fcgi.pid")" -x mldash-fcgi | sort -n); do
		awk -v p="$pid" '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print p, r, h }' \
			"/proc/$pid/status"
	done
}

# --- 1. the machine ------------------------------------------------------------

# Before anything of ours runs: a busy machine skews every row (and the static
# ceiling with it), and the report says so at the top.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
BUSY=$(awk -v l="${LOAD_START%% *}" 'BEGIN { print (l >= 1.0) ? 1 : 0 }')

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
# The binaries are built from the working tree, which may differ from the commit.
DIRTY=$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null |
	awk '{ n++; if (n <= 8) s = s (s ? ", " : "") $NF } END { if (n > 8) s = s ", and " n - 8 " more"; print s }')
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$MLDASH_BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
{
	echo "| | |"
	echo "|---|---|"
	echo "| date | $DATE |"
	echo "| commit | $COMMIT${DIRTY:+ (built from a working tree with uncommitted changes to: $DIRTY)} |"
	echo "| cores (nproc) | $(nproc) |"
	echo "| CPU | $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1) |"
	echo "| RAM | $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| kernel | $(uname -sr) |"
	echo "| load average at the start | $LOAD_START (anything else running shares the cores) |"
	echo "| load average at the end | @LOAD_END@ |"
	echo "| MariaDB | $(mariadbd --version 2>/dev/null | sed -n 's/.*Ver \([^ ]*\).*/\1/p') (dev stack settings: 512 MiB buffer pool, flush at commit = 2, no doublewrite) |"
	echo "| nginx | $(nginx -v 2>&1 | sed 's/^nginx version: //'), 2 worker processes |"
	echo "| wrk | $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }') |"
	echo "| build | ${BUILD_TYPE:-RelWithDebInfo (the default)} in $MLDASH_BUILD_DIR |"
} >"$TMP/machine.md"

# --- 2. micro-benchmarks ----------------------------------------------------------

note "micro-benchmarks"
"$MLDASH_BUILD_DIR/bench/forecast_bench" >"$TMP/forecast.out"
"$MLDASH_BUILD_DIR/bench/budget_bench" >"$TMP/budget.out"
"$MLDASH_BUILD_DIR/bench/chart_bench" >"$TMP/chart.out"
{
	echo "| program | what | result |"
	echo "|---|---|---|"
	# Lines of the form "what: N us ..." become one row each.
	for p in forecast budget; do
		awk -v p="${p}_bench" '/[0-9.]+ us( |$)/ {
			i = match($0, /: +[0-9.]+ us/)
			if (!i) next
			what = substr($0, 1, i - 1); rest = substr($0, i + 1); sub(/^ +/, "", rest)
			gsub(/\|/, "/", what); gsub(/\|/, "/", rest)
			printf "| %s | %s | %s |\n", p, what, rest }' "$TMP/$p.out"
	done
	awk 'NR > 1 && NF >= 5 { printf "| chart_bench | draw %s (ms): 800×400, 1600×900; with the text cache warm | %s, %s; %s, %s |\n", $1, $2, $3, $4, $5 }' "$TMP/chart.out"
} >"$TMP/micro.md"

# --- 3 and 4. import and ML sync ------------------------------------------------------

note "stack up in $MLDASH_VAR_DIR (port $MLDASH_PORT, $MLDASH_WORKERS workers)"
"$DEVSTACK" up mariadb >/dev/null
eval "$("$DEVSTACK" paths)"
export MLDASH_CONFIG=$CONF

IMPORT_TARGET=250000
SYNC_TARGET=4
echo "| data (campaigns × days) | rows | runs | seconds | rows/s | importer peak RSS | target | met? |" >"$TMP/import.md"
echo "|---|---|---|---|---|---|---|---|" >>"$TMP/import.md"

note "import: 1,000,000 rows, $RUNS runs"
demo 1000 1000 "$TMP/import-1m.csv" --end 2025-12-31
: >"$TMP/imp.secs"
: >"$TMP/imp.rate"
: >"$TMP/imp.rss"
for ((run = 1; run <= RUNS; run++)); do
	fresh_db
	timed_import "$TMP/import-1m.csv" 1000000
	echo "$IMPORT_SECS" >>"$TMP/imp.secs"
	awk -v s="$IMPORT_SECS" 'BEGIN { printf "%.0f\n", 1000000 / s }' >>"$TMP/imp.rate"
	echo "$IMPORT_RSS" >>"$TMP/imp.rss"
done
rm -f "$TMP/import-1m.csv"
IMPORT_RATE=$(median "$TMP/imp.rate")
IMPORT_MET=$(awk -v r="$IMPORT_RATE" -v t=$IMPORT_TARGET 'BEGIN { print (r >= t) ? "yes" : "**no**" }')
printf '| 1,000 × 1,000 (generic CSV) | 1,000,000 | %s | %s | %s | %.1f MB | ≥ %s rows/s | %s |\n' \
	"$RUNS" "$(median_range "$TMP/imp.secs")" "$(median_range "$TMP/imp.rate" commas)" \
	"$(sort -n "$TMP/imp.rss" | tail -n 1 | awk '{ print $1 / 1024 }')" "$(commas $IMPORT_TARGET)" \
	"$IMPORT_MET" >>"$TMP/import.md"

echo "| data (campaigns × days) | campaign-days | in the fit window (read by SQL) | channel-days read | syncs | seconds | peak RSS | target | met? |" >"$TMP/sync.md"
echo "|---|---|---|---|---|---|---|---|---|" >>"$TMP/sync.md"

# The last size stays in place for the HTTP runs: 730,000 campaign-days.
for size in "60 365" "5000 730" "1000 730"; do
	read -r campaigns days <<<"$size"
	rows=$((campaigns * days))
	label="$(commas "$campaigns") × $(commas "$days")"
	note "ML sync at $label: demo data, import, $RUNS syncs"
	fresh_db
	demo "$campaigns" "$days" "$TMP/sync.csv"
	timed_import "$TMP/sync.csv" "$rows"
	rm -f "$TMP/sync.csv"
	printf '| %s | %s | 1 | %s | %s | %.1f MB | | |\n' "$label" "$(commas "$rows")" "$IMPORT_SECS" \
		"$(commas "$(awk -v r="$rows" -v s="$IMPORT_SECS" 'BEGIN { print r / s }')")" \
		"$(awk -v m="$IMPORT_RSS" 'BEGIN { print m / 1024 }')" >>"$TMP/import.md"
	in_window=$(sql mldash -e "SELECT COUNT(*) FROM campaign_daily
		WHERE day > (SELECT MAX(day) FROM campaign_daily) - INTERVAL 365 DAY")
	: >"$TMP/sync.secs"
	: >"$TMP/sync.rss"
	channel_days=—
	for ((run = 1; run <= RUNS; run++)); do
		/usr/bin/time -o "$TMP/time.out" -f '%e %M' "$MLDASH" sync ml >"$TMP/sync.out" 2>&1 ||
			die "mldash sync ml failed: $(tail -n 3 "$TMP/sync.out")"
		read -r secs rss <"$TMP/time.out"
		echo "$secs" >>"$TMP/sync.secs"
		echo "$rss" >>"$TMP/sync.rss"
		cd_read=$(sed -n 's/.* \([0-9][0-9]*\) channel-days.*/\1/p' "$TMP/sync.out" | head -n 1)
		if [ -n "$cd_read" ]; then channel_days=$(commas "$cd_read"); fi
	done
	target="" met=""
	if [ "$campaigns" = 5000 ]; then
		target="< $SYNC_TARGET s"
		SYNC_5000=$(median "$TMP/sync.secs")
		met=$(awk -v s="$SYNC_5000" -v t=$SYNC_TARGET 'BEGIN { print (s < t) ? "yes" : "**no**" }')
		SYNC_MET=$met
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s MB | %s | %s |\n' "$label" "$(commas "$rows")" \
		"$(commas "$in_window")" "$channel_days" "$RUNS" "$(median_range "$TMP/sync.secs")" \
		"$(sort -n "$TMP/sync.rss" | awk '{ v[NR] = sprintf("%.1f", $1 / 1024) } END { printf (v[1] == v[NR] ? "%s" : "%s–%s"), v[1], v[NR] }')" \
		"$target" "$met" >>"$TMP/sync.md"
done

# --- 5. HTTP ----------------------------------------------------------------------------

CAMPAIGN_DAYS=$(sql mldash -e "SELECT COUNT(*) FROM campaign_daily")
ML_RUN=$(sql mldash -e "SELECT MAX(id) FROM ml_runs WHERE job = 'ml_sync' AND status = 'succeeded'")
[ "$CAMPAIGN_DAYS" = 730000 ] || die "expected 730,000 campaign-days for the HTTP runs, found $CAMPAIGN_DAYS"
{ [ -n "$ML_RUN" ] && [ "$ML_RUN" != NULL ]; } || die "no successful ML run for the HTTP runs"

note "FastCGI pool and nginx up"
"$DEVSTACK" up fcgi >/dev/null
"$DEVSTACK" up nginx >/dev/null
sleep 0.5
worker_mem >"$TMP/mem.before"

# ondemand_script OFFSET: a wrk script asking for a new size with every
# request (200 widths x 300 heights, about 800x400), so that neither nginx's
# micro-cache nor a worker's cache answers: every request is drawn. OFFSET
# starts each run elsewhere in the cycle.
ondemand_script() {
	cat >"$TMP/ondemand-$1.lua" <<-EOF
		local i = $1
		request = function()
			i = i + 1
			local w = 700 + i % 200
			local h = 300 + math.floor(i / 200) % 300
			return wrk.format(nil, "$API/roi-timeseries/chart?width=" .. w .. "&height=" .. h)
		end
	EOF
	echo "$TMP/ondemand-$1.lua"
}

# A total the optimiser can meet: 1.1 times the current daily total of the
# default answer (a fixed number may fall below the channels' lower bounds).
TOTAL=$(curl -s "$BASE$API/budget-recommendation/data" | jq -r '.totals.current_daily * 1.1 | round' 2>/dev/null) || TOTAL=
[[ "$TOTAL" =~ ^[0-9]+$ ]] || die "no current_daily total in /budget-recommendation/data"

# name|path (and query) under $API|target|connection counts|how it is requested
ENDPOINTS=(
	"health|/health||1 16 64|"
	"status|/status|ops|1 16 64|"
	"metrics|/metrics|ops|1 16 64|"
	"roi-forecast/data|/roi-forecast/data|serve|1 16 64|"
	"roi-timeseries/data|/roi-timeseries/data|serve|1 16 64|"
	"reach-ctr/data|/reach-ctr/data|serve|1 16 64|"
	"budget-recommendation/data|/budget-recommendation/data|serve|1 16 64|"
	"budget-recommendation/data?total=$TOTAL (1.1× current: re-optimised)|/budget-recommendation/data?total=$TOTAL|serve|1 16 64|"
	"budget-recommendation/curves|/budget-recommendation/curves||1 16 64|"
	"budget-recommendation/history|/budget-recommendation/history||1 16 64|"
	"accuracy/data|/accuracy/data|serve|1 16 64|"
	"anomalies/data|/anomalies/data|serve|1 16 64|"
	"roi-forecast/chart (cached)|/roi-forecast/chart|serve|1 16 64|"
	"roi-timeseries/chart (cached)|/roi-timeseries/chart|serve|1 16 64|"
	"reach-ctr/chart (cached)|/reach-ctr/chart|serve|1 16 64|"
	"budget-recommendation/chart (cached)|/budget-recommendation/chart|serve|1 16 64|"
	"budget-recommendation/curves/chart (cached)|/budget-recommendation/curves/chart|serve|1 16 64|"
	"accuracy/chart (cached)|/accuracy/chart|serve|1 16 64|"
	"roi-timeseries/chart?width=W&height=H (drawn per request; static: ?width=801)|/roi-timeseries/chart?width=801||1 16|ondemand"
)
OPS_TARGET=2000
: >"$TMP/http.tsv"
for entry in "${ENDPOINTS[@]}"; do
	IFS='|' read -r name path kind conns how <<<"$entry"
	url=$BASE$API$path
	slug=$(printf '%s' "$path" | tr -c 'a-z0-9\n' '-' | sed 's/^-*//; s/-*$//')
	# The body once, as nginx would serve it from a file.
	meta=$(curl -s -o "$TMP/body" -w '%{http_code} %{content_type}' "$url") || meta="000 -"
	read -r code ctype <<<"$meta"
	case "$ctype" in
	*json*) ext=json ;;
	image/png*) ext=png ;;
	*) ext=txt ;;
	esac
	static=$WEB/.bench-$slug.$ext
	STATIC_FILES+=("$static")
	cp "$TMP/body" "$static"
	chmod 644 "$static"
	bytes=$(stat -c %s "$static")
	scode=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/.bench-$slug.$ext") || scode=000
	[ "$scode" = 200 ] || die "nginx does not serve $static (HTTP $scode)"
	note "$name: HTTP $code, $bytes bytes; connections $conns"
	# Warm-up: every worker builds what it caches before the clock runs.
	if [ "$how" != ondemand ]; then
		wrk -t1 -c4 -d1s "$url" >/dev/null 2>&1 || true
	fi
	offset=0
	for c in $conns; do
		threads=$((c < 2 ? c : 2))
		if [ "$how" = ondemand ]; then
			read -r rps p50 p99 err < <(wrk_cell "$BASE/" "$c" 1 "$(ondemand_script $offset)")
			offset=$((offset + 30000))
		else
			read -r rps p50 p99 err < <(wrk_cell "$url" "$c" "$threads")
		fi
		read -r srps sp50 sp99 serr < <(wrk_cell "$BASE/.bench-$slug.$ext" "$c" "$threads")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$code" "$bytes" "$c" \
			"$rps" "$p50" "$p99" "$err" "$srps" "$sp50" "$sp99" "$serr" "$kind" >>"$TMP/http.tsv"
	done
	rm -f "$static"
done

# --- 6. the workers' memory -------------------------------------------------------------------

worker_mem >"$TMP/mem.after"
{
	echo "| worker pid | VmRSS after start | VmRSS after the HTTP runs | VmHWM (peak) |"
	echo "|---|---|---|---|"
	while read -r pid rss hwm; do
		before=$(awk -v p="$pid" '$1 == p { printf "%.1f MB", $2 / 1024 }' "$TMP/mem.before")
		printf '| %s | %s | %.1f MB | %.1f MB |\n' "$pid" \
			"${before:-— (not there at the start: a replacement for a worker that died)}" \
			"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')"
	done <"$TMP/mem.after"
	while read -r pid _ _; do
		grep -q "^$pid " "$TMP/mem.after" || echo "| $pid | (gone after the HTTP runs: the worker died) | | |"
	done <"$TMP/mem.before"
} >"$TMP/mem.md"

# --- the report ------------------------------------------------------------------------------------

# The HTTP table and its target rows, from http.tsv.
HTTP_AWK='
function commas(n,   s, r) {
	s = sprintf("%.0f", n); r = ""
	while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
	return s r
}
BEGIN { FS = "\t" }
{
	name = $1; code = $2; bytes = $3; c = $4; rps = $5; p50 = $6; p99 = $7; err = $8
	srps = $9; sp50 = $10; sp99 = $11; serr = $12; kind = $13
	ratio = srps > 0 ? rps / srps : 0
	target = ""; met = ""
	if (c == 64 && kind == "serve") {
		target = "≥ 0.5× static, p99 < 10 ms"
		ok = ratio >= 0.5 && p99 < 10 && err == 0 && code == 200
		met = ok ? "yes" : "**no**"
	} else if (c == 64 && kind == "ops") {
		target = "≥ " commas(ops) " req/s"
		ok = rps >= ops && err == 0 && code == 200
		met = ok ? "yes" : "**no**"
	}
	shown = (name == last) ? "" : "`" name "`" (code == 200 ? "" : " (HTTP " code ")")
	last = name
	row = sprintf("| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %.2f | %.2f | %.2f | %s | %s |", shown,
		shown == "" ? "" : commas(bytes), c, commas(rps), p50, p99, err == 0 ? "0" : "**" err "**",
		commas(srps) (serr ? " (" serr " errors)" : ""), sp50, sp99, ratio, target, met)
	if (mode == "table") print row
	if (mode == "targets" && target != "")
		printf "| `%s` at 64 connections | %s | %s req/s, p99 %.2f ms, %.2f× static%s | %s |\n", name, target,
			commas(rps), p99, ratio, err ? ", " err " errors" : "", met
}'

ELAPSED=$SECONDS
sed -i "s/@LOAD_END@/$(cut -d' ' -f1-3 /proc/loadavg)/" "$TMP/machine.md"
{
	echo "# mldash benchmark: $DATE, commit $COMMIT"
	echo
	echo "Made by \`make bench\` (bench/run.sh) in $((ELAPSED / 60)) min $((ELAPSED % 60)) s. Everything below"
	echo "comes from this one run on this machine; see docs/performance.md for what each row means."
	echo
	if [ "$BUSY" = 1 ]; then
		echo "**The machine was busy when the run started (load average $LOAD_START on $(nproc) cores):"
		echo "every number below, the static ceiling included, is lower and noisier than on an idle machine.**"
		echo
	fi
	echo "## Machine"
	echo
	cat "$TMP/machine.md"
	echo
	echo "## Targets"
	echo
	echo "| what | target | measured | met? |"
	echo "|---|---|---|---|"
	awk -v mode=targets -v ops=$OPS_TARGET "$HTTP_AWK" "$TMP/http.tsv"
	echo "| import of 1,000,000 rows (median of $RUNS) | ≥ $(commas $IMPORT_TARGET) rows/s | $(commas "$IMPORT_RATE") rows/s | $IMPORT_MET |"
	echo "| ML sync at 5,000 × 730 (median of $RUNS) | < $SYNC_TARGET s | $SYNC_5000 s | $SYNC_MET |"
	echo
	echo "## HTTP"
	echo
	echo "Through nginx on 127.0.0.1:$MLDASH_PORT to $MLDASH_WORKERS FastCGI workers (rate limits off),"
	echo "with $(commas "$CAMPAIGN_DAYS") campaign-days (1,000 campaigns × 730 days) and ML run $ML_RUN in"
	echo "the database. wrk --latency, ${DURATION} s per cell, 1 thread at 1 connection and 2 threads"
	echo "otherwise, after a 1 s warm-up per endpoint. \"static\" is nginx serving the endpoint's"
	echo "body (fetched once with curl) as a file from web/; ratio = req/s ÷ static req/s."
	echo "errors = non-2xx answers + socket errors. The on-demand chart asks for a new size with"
	echo "every request (1 wrk thread), so that it is drawn each time."
	echo
	echo "| endpoint | bytes | conns | req/s | p50 ms | p99 ms | errors | static req/s | static p50 ms | static p99 ms | ratio | target | met? |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	awk -v mode=table -v ops=$OPS_TARGET "$HTTP_AWK" "$TMP/http.tsv"
	echo
	echo "## Import"
	echo
	echo "\`mldash import\` of \`mldash demo-data\` files into a fresh database (the application"
	echo "account, as the spool job would); seconds and peak RSS from /usr/bin/time; median (min–max)."
	echo
	cat "$TMP/import.md"
	echo
	echo "## ML sync"
	echo
	echo "\`mldash sync ml\` after each import above ($RUNS runs): seconds and peak RSS of the"
	echo "syncing process (/usr/bin/time), median (min–max). The sync sums the campaign-days of"
	echo "the last fit_days (365) per channel and day in SQL and reads those channel-days."
	echo
	cat "$TMP/sync.md"
	echo
	echo "## Micro-benchmarks"
	echo
	cat "$TMP/micro.md"
	echo
	echo "## Worker memory"
	echo
	echo "Each mldash-fcgi process of the pool, from /proc/PID/status."
	echo
	cat "$TMP/mem.md"
} >"$OUT.part"
mv "$OUT.part" "$OUT"
cat "$OUT"
note "report in $OUT ($((ELAPSED / 60)) min $((ELAPSED % 60)) s)"
