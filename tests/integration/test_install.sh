#!/usr/bin/env bash
# make install's payload, staged in a DESTDIR: programs, migrations, web,
# example configuration, nginx site on loopback, systemd units whose programs
# are the installed ones and which keep their hardening, the tmpfiles.d entry
# for the spool folder, and an API token file only its owner reads, kept
# across installs.
set -euo pipefail
: "${MLDASH_BUILD_DIR:?set by ctest}"
DEST=$(mktemp -d)
trap 'rm -rf "$DEST" "$DEST.log"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

DESTDIR=$DEST cmake --install "$MLDASH_BUILD_DIR" >"$DEST.log" 2>&1 ||
	{ cat "$DEST.log" >&2; fail "cmake --install failed"; }
trap 'rm -rf "$DEST" "$DEST.log"' EXIT
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$MLDASH_BUILD_DIR/CMakeCache.txt")
root=$DEST$prefix
for f in bin/mldash bin/mldash-fcgi bin/mldash-scheduler; do
	[ -x "$root/$f" ] || fail "$f not installed"
done
for f in mldash mldash-scheduler mldash-fcgi; do
	grep -q "^complete -F _mldash.* $f\$" "$root/share/bash-completion/completions/$f" 2>/dev/null ||
		fail "bash completion for $f not installed"
done
ls "$root"/share/mldash/migrations/001_*.sql >/dev/null || fail "migrations not installed"
find "$DEST" -name mldash.conf.example | grep -q . || fail "example configuration not installed"
"$root/bin/mldash-scheduler" --check-config --config "$(find "$DEST" -name mldash.conf.example)" >/dev/null ||
	fail "the installed example configuration is not valid"

units=$root/lib/systemd/system
for unit in mldash-fcgi mldash-scheduler; do
	file=$units/$unit.service
	[ -f "$file" ] || fail "$unit.service not installed"
	grep -qE '@[A-Z_]+@' "$file" && fail "$unit.service has an unreplaced @VARIABLE@"
	exec_start=$(sed -n 's/^ExecStart=//p' "$file")
	grep -qF "$prefix/bin/" <<<"$exec_start" || fail "$unit.service does not start the installed program: $exec_start"
	for key in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ProtectHome=yes \
		User=mldash Group=mldash UMask=0027 CapabilityBoundingSet= \
		SystemCallFilter=@system-service SystemCallErrorNumber=EPERM RestrictSUIDSGID=yes \
		ProtectProc=invisible ProtectClock=yes ProtectHostname=yes ProtectKernelLogs=yes \
		RestrictRealtime=yes DevicePolicy=closed RemoveIPC=yes IPAddressDeny=any \
		IPAddressAllow=localhost; do
		grep -qx "$key" "$file" || fail "$unit.service lacks $key"
	done
	# MariaDB may be on another host.
	if grep -qx 'PrivateNetwork=yes' "$file"; then
		fail "$unit.service cuts the network off"
	fi
	if grep -E '^(User|Group|SupplementaryGroups)=' "$file" | grep -q www-data; then
		fail "$unit.service runs with nginx's account, which must not read the configuration"
	fi
done
sched=$units/mldash-scheduler.service
grep -qx 'ReadWritePaths=/var/spool/mldash' "$sched" || fail "the scheduler cannot write the spool folder"
fcgi=$units/mldash-fcgi.service
grep -q -- '-M 0660' "$fcgi" || fail "the FastCGI socket is not group read-write"
for key in 'ExecStartPre=+/bin/chgrp www-data /run/mldash' 'ExecStartPre=+/bin/chmod 2750 /run/mldash'; do
	grep -qxF "$key" "$fcgi" || fail "the FastCGI runtime folder does not hand the socket to nginx's group: no $key"
done
tmpfiles=$root/lib/tmpfiles.d/mldash.conf
grep -qx 'd /var/spool/mldash 0750 mldash mldash -' "$tmpfiles" || fail "tmpfiles.d does not create the spool folder"

site=$(find "$DEST" -path '*/nginx/sites-available/mldash')
[ -n "$site" ] || fail "nginx site not installed"
listen=$(sed -n 's/^MLDASH_NGINX_LISTEN:STRING=//p' "$MLDASH_BUILD_DIR/CMakeCache.txt")
grep -qE "^\s*listen $listen;" "$site" || fail "the nginx site does not listen on $listen: $(grep listen "$site")"
case $listen in
127.0.0.1:* | '[::1]:'*) ;;
*) fail "MLDASH_NGINX_LISTEN is $listen: the test expects the loopback default" ;;
esac

# The token file: mode 0600 when staged (0640 group mldash when installed in
# place as root), never readable by others, and kept by the next install.
etc=$(dirname "$(find "$DEST" -name mldash.conf.example)")
token=$etc/api-token
[ -f "$token" ] || fail "no API token file in the staged tree"
mode=$(stat -c %a "$token")
case $mode in 600 | 640) ;; *) fail "the API token file has mode $mode" ;; esac
[ $((0$mode & 07)) -eq 0 ] || fail "the API token file is readable by others"
grep -qE '^[A-Za-z0-9_-]{43}$' "$token" || fail "the API token is not 43 base64url characters"
grep -qx "token_file = ${etc#"$DEST"}/api-token" "$etc/mldash.conf.example" ||
	fail "the installed example does not point token_file at the installed token"
before=$(cat "$token")
DESTDIR=$DEST cmake --install "$MLDASH_BUILD_DIR" >"$DEST.log" 2>&1 ||
	{ cat "$DEST.log" >&2; fail "the second cmake --install failed"; }
[ "$(cat "$token")" = "$before" ] || fail "a second install replaced the API token"
grep -q -- '--foreground' "$units/mldash-scheduler.service" || fail "the scheduler unit does not run in the foreground"
grep -q '^ExecReload=.*HUP' "$units/mldash-scheduler.service" || fail "the scheduler unit cannot reload"
printf 'ok: make install stages programs, data, configuration, a loopback nginx site, hardened systemd units and a private API token\n'
