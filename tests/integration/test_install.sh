#!/usr/bin/env bash
# make install's payload, staged in a DESTDIR: programs, migrations, web,
# example configuration, nginx site and systemd units whose programs are the
# installed ones and which keep their hardening.
set -euo pipefail
: "${MLDASH_BUILD_DIR:?set by ctest}"
DEST=$(mktemp -d)
trap 'rm -rf "$DEST"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

DESTDIR=$DEST cmake --install "$MLDASH_BUILD_DIR" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$MLDASH_BUILD_DIR/CMakeCache.txt")
root=$DEST$prefix
for f in bin/mldash bin/mldash-fcgi bin/mldash-scheduler; do
	[ -x "$root/$f" ] || fail "$f not installed"
done
ls "$root"/share/mldash/migrations/001_*.sql >/dev/null || fail "migrations not installed"
find "$DEST" -name mldash.conf.example | grep -q . || fail "example configuration not installed"
"$root/bin/mldash-scheduler" --check-config --config "$(find "$DEST" -name mldash.conf.example)" >/dev/null ||
	fail "the installed example configuration is not valid"

units=$root/lib/systemd/system
for unit in mldash-fcgi mldash-scheduler; do
	file=$units/$unit.service
	[ -f "$file" ] || fail "$unit.service not installed"
	grep -q '@' "$file" && fail "$unit.service has an unreplaced @VARIABLE@"
	exec_start=$(sed -n 's/^ExecStart=//p' "$file")
	grep -qF "$prefix/bin/" <<<"$exec_start" || fail "$unit.service does not start the installed program: $exec_start"
	for key in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ProtectHome=yes; do
		grep -qx "$key" "$file" || fail "$unit.service lacks $key"
	done
done
grep -q -- '--foreground' "$units/mldash-scheduler.service" || fail "the scheduler unit does not run in the foreground"
grep -q '^ExecReload=.*HUP' "$units/mldash-scheduler.service" || fail "the scheduler unit cannot reload"
printf 'ok: make install stages programs, data, configuration and hardened systemd units\n'
