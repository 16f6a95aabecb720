#!/usr/bin/env bash
# The Debian package end to end (#18): make deb's build and lintian, then in
# a clean Debian 12 root made by mmdebstrap: install with its dependencies
# on a local MariaDB, upgrade from the previous build, purge. The checks
# run inside the root (in_root.sh); this script builds the two packages and
# the root.
#
# The "previous" package is this source under a lower version, without the
# newest migration: its upgrade must apply it. Skipped (77) only when the
# root cannot be made here: not root, or mmdebstrap cannot reach a mirror.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=${MLDASH_BUILD_DIR:-$src/build}/package-test
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the package test needs root (chroot, mounts in the new root)"
	exit 77
fi
for tool in mmdebstrap dpkg-buildpackage lintian; do
	command -v $tool >/dev/null || fail "$tool is missing (deploy/install-deps.sh --test installs it)"
done

rm -rf "$work"
mkdir -p "$work"
newest=$(cd "$src" && ls db/migrations/[0-9]*.sql | sort | tail -1)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
prev_version="$version~test1"

echo "== make deb, as make deb does it (build, lintian)"
"$src/deploy/build-deb.sh" "$work/current" | tail -3
echo "== the previous build: $prev_version without $newest"
MLDASH_DEB_VERSION=$prev_version MLDASH_DEB_LEAVE_OUT=$newest \
	"$src/deploy/build-deb.sh" "$work/previous" | tail -1
arch=$(dpkg --print-architecture)
cur_deb=$work/current/mldash_${version}_$arch.deb
prev_deb=$work/previous/mldash_${prev_version}_$arch.deb
[ -f "$cur_deb" ] && [ -f "$prev_deb" ] || fail "the packages were not built"
# The payload must hold what the issue asks for, whatever the root says.
listing=$(dpkg-deb -c "$cur_deb")
for path in ./usr/bin/mldash ./usr/bin/mldash-fcgi ./usr/bin/mldash-scheduler \
	./etc/mldash/mldash.conf ./etc/nginx/sites-available/mldash ./etc/logrotate.d/mldash \
	./lib/systemd/system/mldash-fcgi.service ./lib/systemd/system/mldash-scheduler.service \
	./usr/share/bash-completion/completions/mldash ./usr/share/man/man1/mldash.1.gz \
	./usr/share/man/man5/mldash.conf.5.gz ./usr/share/man/man8/mldash-fcgi.8.gz \
	./usr/share/man/man8/mldash-scheduler.8.gz "./usr/share/mldash/migrations/${newest#db/migrations/}"; do
	grep -q " $path\$" <<<"$listing" || fail "the package lacks $path"
done
grep -q ' ./etc/nginx/sites-enabled' <<<"$listing" && fail "the package enables its nginx site"
dpkg-deb -I "$cur_deb" conffiles | grep -qx /etc/mldash/mldash.conf ||
	fail "/etc/mldash/mldash.conf is not a conffile"

mkdir -p "$work/in"
cp "$here/in_root.sh" "$work/in/"
cp "$prev_deb" "$work/in/previous.deb"
cp "$cur_deb" "$work/in/current.deb"
printf '%s\n%s\n%s\n' "$prev_version" "$version" "$(ls "$src"/db/migrations/[0-9]*.sql | wc -l)" >"$work/in/versions"

# The host's apt sources (the mirror this machine reaches); a bookworm root
# with apt, nothing else of ours. The whole test runs in hooks, with /proc,
# /sys and /dev mounted by mmdebstrap and taken down after.
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=http://deb.debian.org/debian
echo "== a clean Debian 12 root (mmdebstrap), then the checks in it"
start=$SECONDS
if ! timeout 1200 mmdebstrap --variant=apt --include=ca-certificates --skip=cleanup/apt \
	--customize-hook="copy-in $work/in /tmp" \
	--customize-hook='chroot "$1" /bin/bash /tmp/in/in_root.sh' \
	bookworm /dev/null "$sources" >"$work/mmdebstrap.log" 2>&1; then
	if grep -qE 'E: (Failed to fetch|Unable to fetch|Some index files failed)|Temporary failure resolving|Could not resolve' "$work/mmdebstrap.log" &&
		! grep -q '^in_root:' "$work/mmdebstrap.log"; then
		tail -5 "$work/mmdebstrap.log"
		echo "SKIP: mmdebstrap cannot reach a Debian mirror from here"
		exit 77
	fi
	grep -E '^(in_root|FAIL|mldash:)' "$work/mmdebstrap.log" || true
	tail -30 "$work/mmdebstrap.log"
	fail "the package test in the Debian 12 root failed (log: $work/mmdebstrap.log)"
fi
grep -E '^(in_root|mldash:)' "$work/mmdebstrap.log"
echo "package test passed in $((SECONDS - start)) s in the root"
