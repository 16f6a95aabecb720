#!/usr/bin/env bash
# ctest fixture: brings the test stack up (setup) or down (cleanup), and on
# the way down checks that no process of the stack is left behind.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
case "${1:-}" in
up)
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
	;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
