#!/bin/sh
# Installs what bench/forecast_r.R needs, R's forecast and prophet packages,
# from Debian (r-cran-forecast, r-cran-prophet; they bring R itself) when
# either is missing; does nothing (and needs no root) when both are there.
# Run by `make bench-forecast`; the way deploy/install-deps.sh installs.
#   bench/install-r.sh
set -eu
PACKAGES="r-cran-forecast r-cran-prophet"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-r: missing packages:$missing" >&2
	echo "install-r: run this script as root (or install sudo) to install them" >&2
	exit 1
fi

echo "install-r: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Package lists on a fresh machine are stale: refresh them first.
$as_root apt-get update -q
# shellcheck disable=SC2086
$as_root apt-get install -y -q --no-install-recommends $missing
