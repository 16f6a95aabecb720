#!/usr/bin/env bash
# docs/openapi.yaml against the router: the route table (mldash-fcgi
# --routes) and the document's operations list exactly the same methods and
# paths, and the document passes Redocly's lint (recommended rules). No stack.
set -euo pipefail
: "${MLDASH_BUILD_DIR:?set by ctest}"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
NODE_DIR=$SRC/tests/node
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
pass() { printf 'ok: %s\n' "$*"; }

command -v node >/dev/null || { echo "skip: node is not installed (deploy/install-deps.sh --test)"; exit 77; }
[ -d "$NODE_DIR/node_modules/yaml" ] && [ -x "$NODE_DIR/node_modules/.bin/redocly" ] ||
	{ echo "skip: tests/node/node_modules is missing (deploy/install-npm.sh)"; exit 77; }

"$MLDASH_BUILD_DIR/fcgi/mldash-fcgi" --routes | sort >"$TMP/table" || fail "mldash-fcgi --routes failed"
[ -s "$TMP/table" ] || fail "mldash-fcgi --routes printed nothing"

# The document's operations as "METHOD /base/path", the base being the path
# of its first server (the router's paths are absolute).
NODE_DIR=$NODE_DIR node --input-type=module - "$SRC/docs/openapi.yaml" >"$TMP/doc.unsorted" <<'JS'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_DIR + '/package.json');
const YAML = require('yaml');
const doc = YAML.parse(readFileSync(process.argv[2], 'utf8'), { maxAliasCount: -1 });
const base = new URL(doc.servers[0].url).pathname.replace(/\/$/, '');
const methods = ['get', 'head', 'post', 'put', 'delete', 'patch', 'options', 'trace'];
for (const [path, item] of Object.entries(doc.paths))
	for (const m of methods)
		if (item[m]) console.log(`${m.toUpperCase()} ${base}${path}`);
JS
sort "$TMP/doc.unsorted" >"$TMP/doc"
if ! diff -u --label route-table "$TMP/table" --label docs/openapi.yaml "$TMP/doc"; then
	fail "the route table and docs/openapi.yaml differ (- only in the table, + only in the document)"
fi
pass "route table and docs/openapi.yaml: the same $(wc -l <"$TMP/table") operations"

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
(cd "$SRC" && "$NODE_DIR/node_modules/.bin/redocly" lint --format=summary docs/openapi.yaml) >"$TMP/lint" 2>&1 ||
	{ cat "$TMP/lint" >&2; fail "redocly lint docs/openapi.yaml"; }
grep -q "validating docs/openapi.yaml" "$TMP/lint" || { cat "$TMP/lint" >&2; fail "redocly lint said nothing we know"; }
# The summary lists each rule with problems as "warning RULE: N".
if grep -E '^(warning|error) ' "$TMP/lint" >&2; then fail "redocly lint: problems above"; fi
pass "redocly lint docs/openapi.yaml: valid, no warnings"
