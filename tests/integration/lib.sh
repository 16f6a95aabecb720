# Helpers for the integration tests: sourced, never run. Each test talks to
# the stack that the ctest fixture brought up, through nginx, with curl.
set -euo pipefail

: "${MLDASH_VAR_DIR:?set by ctest}"
: "${MLDASH_PORT:?set by ctest}"
: "${MLDASH_BUILD_DIR:?set by ctest}"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE="http://127.0.0.1:$MLDASH_PORT/api/ml-dashboard"
DEVSTACK="$SRC/deploy/devstack.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
pass() { printf 'ok: %s\n' "$*"; }

# http METHOD PATH [curl args...]: sets STATUS, HEADERS (file) and BODY (file).
http() {
	local method=$1 path=$2
	shift 2
	HEADERS=$TMP/headers BODY=$TMP/body
	rm -f "$HEADERS" "$BODY"
	: >"$BODY"
	local verb=(-X "$method")
	[ "$method" = HEAD ] && verb=(--head) # -X HEAD would wait for a body
	STATUS=$(curl -sS "${verb[@]}" -D "$HEADERS" -o "$BODY" -w '%{http_code}' \
		--max-time 20 "$@" "$BASE$path")
}

# served_soon: waits until a run committed just now is what every GET
# answers. A new run reaches every client within a second of its commit
# (nginx's micro-cache and each worker's idea of the latest run; see
# docs/architecture.md, Serving), not at once.
served_soon() { sleep 1.05; }

# header NAME: the value of a response header of the last http call.
header() {
	grep -i "^$1:" "$HEADERS" | head -1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

expect_status() {
	[ "$STATUS" = "$1" ] || fail "$2: expected HTTP $1, got $STATUS: $(head -c 300 "$BODY")"
}

# json FILTER: a jq filter applied to the last body.
json() { jq -er "$1" "$BODY"; }

expect_json() {
	local got
	got=$(json "$1") || fail "$3: body has no $1: $(head -c 300 "$BODY")"
	[ "$got" = "$2" ] || fail "$3: $1 is '$got', expected '$2'"
}

# RUN (socket and pid folder) and friends, as the stack script computes them.
eval "$("$DEVSTACK" paths)"

# The FastCGI workers of this stack (children of multiwatch), sorted.
worker_pids() {
	pgrep -P "$(cat "$RUN/fcgi.pid")" -x mldash-fcgi | sort -n
}

# worker_replaced VICTIM N: the pool has N workers again, VICTIM not among them.
worker_replaced() {
	local now
	now=$(worker_pids)
	[ "$(echo "$now" | wc -l)" = "$2" ] && ! echo "$now" | grep -qx "$1"
}

# retry SECONDS COMMAND...: polls until COMMAND succeeds.
retry() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
