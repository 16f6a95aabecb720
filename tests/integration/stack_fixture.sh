#!/usr/bin/env bash
# ctest fixture: brings the test stack up (setup) or down (cleanup), and on
# the way down checks that no process of the stack is left behind.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# Sanitizer reports of the programs run under the tests (ASan build only).
check_sanitizer_reports() {
	local dir=${MLDASH_SANITIZER_DIR:-}
	[ -n "$dir" ] || return 0
	if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		echo "FAIL: sanitizer reports in $dir:" >&2
		for f in "$dir"/*; do
			echo "== $f" >&2
			head -c 4000 "$f" >&2
		done
		return 1
	fi
	echo "ok: no sanitizer report from any program of the suite"
}

case "${1:-}" in
up)
	if [ -n "${MLDASH_SANITIZER_DIR:-}" ]; then
		rm -rf "$MLDASH_SANITIZER_DIR"
		mkdir -p "$MLDASH_SANITIZER_DIR"
	fi
	"$SRC/deploy/devstack.sh" up
	;;
down)
	"$SRC/deploy/devstack.sh" down
	rest=$(pgrep -af -- "$MLDASH_VAR_DIR/" | grep -E 'mariadbd|mldash-fcgi|mldash-scheduler|multiwatch|nginx' || true)
	if [ -n "$rest" ]; then
		echo "FAIL: processes of the stack survived 'down':" >&2
		echo "$rest" >&2
		exit 1
	fi
	echo "ok: no process of the stack left"
	check_sanitizer_reports
	;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
