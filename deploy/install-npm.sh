#!/bin/sh
# Installs the pinned npm tools of the client tests (tests/node/package.json
# and its lock file: Playwright, the Bruno CLI, Redocly, ajv) into
# tests/node/node_modules, when missing or older than the lock file. Node.js
# and npm come from the machine, or from Debian when absent. Browsers are
# never downloaded: Playwright drives Debian's chromium.
set -eu
DIR=$(cd "$(dirname "$0")/../tests/node" && pwd)
STAMP=$DIR/node_modules/.mldash-installed

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	as_root=""
	[ "$(id -u)" -eq 0 ] || as_root=sudo
	echo "install-npm: installing Node.js and npm from Debian"
	$as_root apt-get update -q
	DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -q --no-install-recommends nodejs npm
fi
# The pinned tools need Node.js 20.19 or later (playwright-core, @redocly/cli).
version=$(node -p 'process.versions.node')
major=${version%%.*} rest=${version#*.}
minor=${rest%%.*}
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
	echo "install-npm: Node.js $version is too old for tests/node (20.19 or later needed)" >&2
	exit 1
fi

if [ -f "$STAMP" ] && [ "$STAMP" -nt "$DIR/package-lock.json" ]; then
	exit 0
fi
echo "install-npm: npm ci in $DIR"
# No install scripts: none of the tools needs one, and Playwright would
# otherwise try to fetch a browser of its own.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$DIR" --ignore-scripts --no-audit --no-fund \
	--loglevel=error
touch "$STAMP"
