#!/bin/sh
# The last step of make install (cmake --install): the service account, the
# spool folder and the API token file.
#
# usage: post-install.sh DESTDIR SYSCONF_DIR SPOOL_DIR USER
#
# Installed in place (root, empty DESTDIR): creates the system user and group
# USER when missing, SPOOL_DIR owned by USER, and SYSCONF_DIR/api-token
# (mode 0640, owner root, group USER) when it does not exist yet.
# Staged (a DESTDIR, or not root): ownership cannot be set, so the token file
# is written mode 0600 in the staged tree and a notice says what the target
# needs. An existing token file is never replaced.
set -eu

if [ $# -ne 4 ]; then
	echo "usage: $0 DESTDIR SYSCONF_DIR SPOOL_DIR USER" >&2
	exit 2
fi
destdir=$1
sysconf_dir=$2
spool_dir=$3
user=$4
token_file=$destdir$sysconf_dir/api-token

say() { printf 'post-install: %s\n' "$*"; }

if [ -z "$destdir" ] && [ "$(id -u)" -eq 0 ]; then
	live=1
else
	live=0
fi

if [ "$live" -eq 1 ]; then
	if ! getent group "$user" >/dev/null; then
		groupadd --system "$user"
		say "created system group $user"
	fi
	if ! getent passwd "$user" >/dev/null; then
		useradd --system --gid "$user" --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --comment "mldash services" "$user"
		say "created system user $user"
	fi
	# The scheduler's sandbox makes only this folder writable, and it must
	# exist before the service starts (tmpfiles.d recreates it at boot).
	for dir in "$spool_dir" "$spool_dir/done" "$spool_dir/rejected"; do
		install -d -o "$user" -g "$user" -m 0750 "$dir"
	done
fi

if [ -e "$token_file" ]; then
	say "$token_file exists: kept"
else
	mkdir -p "$(dirname "$token_file")"
	# Written under a temporary name with its final mode, then renamed, so
	# the token is never readable by others, not even for a moment.
	tmp=$token_file.tmp.$$
	trap 'rm -f "$tmp"' EXIT
	(
		umask 077
		# 32 random bytes, base64url without padding: 43 characters that
		# need no quoting in a header or a shell.
		token=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
		printf '%s\n' "$token" >"$tmp"
	)
	if [ "$live" -eq 1 ]; then
		chown "root:$user" "$tmp"
		chmod 0640 "$tmp"
	fi
	mv "$tmp" "$token_file"
	trap - EXIT
	if [ "$live" -eq 1 ]; then
		say "wrote a new API token to $token_file (mode 0640, group $user)"
	else
		say "wrote a new API token to $token_file (mode 0600, staged)"
		say "on the target: chown root:$user $sysconf_dir/api-token && chmod 0640 $sysconf_dir/api-token;"
		say "every machine installed from this tree gets this same token: replace it on each"
	fi
fi

if [ "$live" -eq 0 ]; then
	say "staged: on the target create the system user $user and $spool_dir owned by it"
	say "(make install as root does both; systemd-tmpfiles --create mldash.conf creates the folder)"
elif [ ! -e "$sysconf_dir/mldash.conf" ]; then
	say "next: copy $sysconf_dir/mldash.conf.example to $sysconf_dir/mldash.conf, then"
	say "chown root:$user and chmod 0640 it (it holds the database password)"
fi
