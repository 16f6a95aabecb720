#!/usr/bin/env bash
# The staged systemd units pass `systemd-analyze verify` and score an
# exposure under 3.0 in `systemd-analyze security`. Needs no running systemd:
# verify reads the unit files, security runs --offline. Skipped (77) only when
# systemd-analyze cannot run here at all.
set -euo pipefail
: "${MLDASH_BUILD_DIR:?set by ctest}"
MAX_EXPOSURE=3.0
DEST=$(mktemp -d)
trap 'rm -rf "$DEST"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

if ! command -v systemd-analyze >/dev/null || ! systemd-analyze --version >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze cannot run here (deploy/install-deps.sh installs systemd)"
	exit 77
fi

DESTDIR=$DEST/stage cmake --install "$MLDASH_BUILD_DIR" >"$DEST/install.log" 2>&1 ||
	{ cat "$DEST/install.log" >&2; fail "cmake --install failed"; }
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$MLDASH_BUILD_DIR/CMakeCache.txt")
root=$DEST/stage$prefix
# verify checks that every Exec line's program exists: point the units'
# own programs at the staged ones (the rest, spawn-fcgi and coreutils, are
# the host's). Nothing else in the units changes.
mkdir "$DEST/units"
for unit in mldash-fcgi mldash-scheduler; do
	sed "s|$prefix/bin/|$root/bin/|g" "$root/lib/systemd/system/$unit.service" >"$DEST/units/$unit.service"
done

status=0
for unit in mldash-fcgi mldash-scheduler; do
	file=$DEST/units/$unit.service
	# Unknown keys and bad values are only warnings (exit 0): any output fails.
	# Documentation= names man pages: the staged ones must answer.
	if ! out=$(cd "$DEST/units" && MANPATH=$root/share/man systemd-analyze verify "$file" 2>&1) ||
		[ -n "$out" ]; then
		printf '%s\n' "$out" >&2
		fail "systemd-analyze verify $unit.service"
	fi
	report=$(cd "$DEST/units" && systemd-analyze security --offline=true "$file" 2>&1) ||
		{ printf '%s\n' "$report" >&2; fail "systemd-analyze security $unit.service did not run"; }
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' <<<"$report")
	[ -n "$score" ] || { printf '%s\n' "$report" >&2; fail "no exposure score for $unit.service"; }
	printf '%s: exposure %s (limit %s)\n' "$unit.service" "$score" "$MAX_EXPOSURE"
	if awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s >= m) }'; then
		grep '✗' <<<"$report" >&2 || true
		printf 'FAIL: %s exposure %s is not under %s\n' "$unit.service" "$score" "$MAX_EXPOSURE" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] || exit 1
printf 'ok: both units verify and score under %s\n' "$MAX_EXPOSURE"
