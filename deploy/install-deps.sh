#!/bin/sh
# Installs the Debian packages mldash needs to build, run and test, when any
# is missing; does nothing (and needs no root) when all are installed.
#   install-deps.sh [--quiet] [--test] [--deb] [--bench-forecast]
#   --test: also what only tests need; --deb: what make deb needs (debhelper,
#   lintian); --bench-forecast: also R's forecast and prophet packages (make
#   bench-forecast compares mldash with them)
set -eu
QUIET=0 TEST=0 DEB=0 BENCH_FORECAST=0
for arg in "$@"; do
	case $arg in
	--quiet) QUIET=1 ;;
	--test) TEST=1 ;;
	--deb) DEB=1 ;;
	--bench-forecast) BENCH_FORECAST=1 ;;
	*) echo "install-deps: unknown argument $arg" >&2; exit 2 ;;
	esac
done

PACKAGES="
gcc make cmake pkg-config libc6-dev
libfcgi-dev libmariadb-dev libgd-dev libjson-c-dev libinih-dev libcsv-dev
libssl-dev libgsl-dev libcmocka-dev libfontconfig1-dev fonts-dejavu-core fonts-wqy-microhei
spawn-fcgi multiwatch nginx-light mariadb-server mariadb-client
curl procps jq python3 time wrk tzdata
man-db groff-base
systemd
clang libclang-rt-14-dev
"
# The browser test drives Debian's Chromium (never a downloaded build);
# promtool (in prometheus) tests the example alerting rules.
[ $TEST -eq 1 ] && PACKAGES="$PACKAGES chromium fonts-liberation prometheus"
# The cluster test: Galera, and what its state transfers run.
[ $TEST -eq 1 ] && PACKAGES="$PACKAGES galera-4 rsync iproute2"
# make deb; the package test also builds a Debian 12 root to install it in.
[ $TEST -eq 1 ] && DEB=1 && PACKAGES="$PACKAGES mmdebstrap"
[ $DEB -eq 1 ] && PACKAGES="$PACKAGES debhelper dpkg-dev lintian"
# They bring R itself.
[ $BENCH_FORECAST -eq 1 ] && PACKAGES="$PACKAGES r-cran-forecast r-cran-prophet"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

if [ -z "$missing" ]; then
	[ $QUIET -eq 1 ] || echo "install-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run this script as root (or install sudo) to install them" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Package lists on a fresh machine are stale: refresh them first.
$as_root apt-get update -q
# shellcheck disable=SC2086
$as_root apt-get install -y -q --no-install-recommends $missing
# Only its promtool is wanted: a Prometheus server the package started (on
# a machine running systemd) is stopped and left disabled.
case " $missing " in
*" prometheus "*)
	if [ -d /run/systemd/system ]; then
		$as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
	elif [ -x /etc/init.d/prometheus ]; then
		$as_root /etc/init.d/prometheus stop >/dev/null 2>&1 || true
	fi ;;
esac
