#!/bin/sh
# Runs one fuzz target: replays every seed in CORPUS, then fuzzes for SECONDS,
# writing new inputs to SCRATCH (never to the committed corpus). Crashing
# inputs land in SCRATCH/../artifacts. Exits non-zero on any crash, leak,
# timeout or sanitizer report. Prints the target's execs per second.
#   run.sh BINARY CORPUS SCRATCH SECONDS [SEED]
# With SEED the mutations are the same each run (make test: what passed
# here passes in CI, which explores the same inputs); without, they differ
# each time (make fuzz: new ground).
set -eu
bin=$1 corpus=$2 scratch=$3 seconds=$4 seed=${5:-}
name=$(basename "$bin")
artifacts=$(dirname "$scratch")/artifacts
mkdir -p "$scratch" "$artifacts"
log=$(dirname "$scratch")/$name.log

# One worker, bounded memory and time per input: a slow input is a bug too.
status=0
"$bin" ${seed:+-seed="$seed"} -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts/$name-" "$scratch" "$corpus" >"$log" 2>&1 || status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
echo "$name: ${runs:-?} execs in ${seconds}s, ${rate:-?} exec/s, $cov, corpus $(ls "$scratch" | wc -l) new"
if [ "$status" -ne 0 ]; then
	echo "$name: FAILED (exit $status); log: $log" >&2
	grep -A40 -m1 -E '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written' "$log" >&2 || tail -n 40 "$log" >&2
	exit 1
fi
