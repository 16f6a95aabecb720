#!/usr/bin/env bash
# The Bruno collection (bruno/) against the test stack, and every answer it
# got against docs/openapi.yaml.
#
# Two runs of `bru run`: the whole collection but the requests tagged
# needs-lock, then those (the 409 of a sync-now while another sync runs)
# while a mariadb session holds the ML sync's named lock, as a running sync
# would. Fails unless every request ran and every assertion passed, and
# unless every JSON answer validates against its operation's schema for its
# status (validate_answers.mjs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

NODE_DIR=$SRC/tests/node
BRU=$NODE_DIR/node_modules/.bin/bru
command -v node >/dev/null || { echo "skip: node is not installed (deploy/install-deps.sh --test)"; exit 77; }
[ -x "$BRU" ] && [ -d "$NODE_DIR/node_modules/ajv" ] ||
	{ echo "skip: tests/node/node_modules is missing (deploy/install-npm.sh)"; exit 77; }

cleanup() {
	# The lease held for the 409 must not outlive the test.
	sql "DELETE FROM job_leases WHERE holder = 'bruno-test:1:hold'" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

seed_dashboards

# The stack's environment: its port, token and upload limit, in a file of our own (the
# collection's git-ignored local.bru belongs to the developer's stack).
token=$(sed -n 's/^API_TOKEN=//p' "$MLDASH_VAR_DIR/secrets.env")
[ -n "$token" ] || fail "no API_TOKEN in $MLDASH_VAR_DIR/secrets.env"
(
	umask 077
	printf 'vars {\n  baseUrl: %s\n  token: %s\n  maxUploadBytes: %s\n}\n' "$BASE" "$token" \
		"${MLDASH_API_MAX_UPLOAD_BYTES:-67108864}" >"$TMP/env.bru"
)

# bru_run REPORT ARGS...: one run over the collection, from its folder; the
# report leaves out request bodies (1.5 MiB for the 413) and the token.
bru_run() {
	local report=$1
	shift
	(cd "$SRC/bruno" && "$BRU" run --env-file "$TMP/env.bru" --reporter-json "$report" \
		--reporter-skip-request-body --reporter-skip-headers Authorization --delay 50 "$@") \
		>"$report.log" 2>&1
}

# Everything but the requests that need another sync to hold the lock.
bru_run "$TMP/main.json" -r --exclude-tags needs-lock || true

# The 409: hold the ML sync's lease (job_leases) as a sync running on
# another host does, for as long as the conflict folder runs; then give it up.
sql "INSERT INTO job_leases (name, holder, expires_at)
	VALUES ('ml_sync', 'bruno-test:1:hold', UTC_TIMESTAMP(3) + INTERVAL 120 SECOND)
	ON DUPLICATE KEY UPDATE holder = VALUES(holder), expires_at = VALUES(expires_at)"
bru_run "$TMP/conflict.json" conflict --tags needs-lock || true
sql "DELETE FROM job_leases WHERE name = 'ml_sync' AND holder = 'bruno-test:1:hold'"

for report in main conflict; do
	[ -s "$TMP/$report.json" ] || { cat "$TMP/$report.json.log" >&2; fail "bru run ($report) wrote no report"; }
done

# Every request of the collection ran once, and every assertion passed.
requests_in_collection=$(find "$SRC/bruno" -name '*.bru' ! -name folder.bru ! -name collection.bru \
	! -path '*/environments/*' | wc -l)
node --input-type=module - "$requests_in_collection" "$TMP/main.json" "$TMP/conflict.json" <<'JS' ||
import { readFileSync } from 'node:fs';
const [expected, ...files] = process.argv.slice(2);
const sum = { totalRequests: 0, passedRequests: 0, failedRequests: 0, errorRequests: 0, skippedRequests: 0,
	totalAssertions: 0, passedAssertions: 0, failedAssertions: 0, totalTests: 0, failedTests: 0 };
const failed = [];
for (const f of files)
	for (const run of JSON.parse(readFileSync(f, 'utf8'))) {
		for (const k of Object.keys(sum)) sum[k] += run.summary[k] ?? 0;
		for (const r of run.results) {
			const bad = [...(r.assertionResults ?? []), ...(r.testResults ?? [])].filter((a) => a.status !== 'pass');
			if (r.error || bad.length)
				failed.push(`${r.test?.filename}: ${r.response?.status ?? 'no answer'} ${r.error ?? ''}` +
					bad.map((a) => `\n    ${a.lhsExpr ?? a.description}: ${a.rhsExpr ?? ''} ${a.error ?? ''}`).join(''));
		}
	}
console.log(`bruno: ${sum.totalRequests} requests (${sum.passedRequests} passed, ${sum.failedRequests} failed, ` +
	`${sum.errorRequests} errors, ${sum.skippedRequests} skipped) of ${expected} in the collection; ` +
	`${sum.passedAssertions}/${sum.totalAssertions} assertions passed, ${sum.failedTests} of ${sum.totalTests} tests failed`);
for (const f of failed) console.log(`  FAILED ${f}`);
const ok = failed.length === 0 && sum.totalRequests === Number(expected) && sum.passedRequests === sum.totalRequests &&
	sum.failedAssertions === 0 && sum.passedAssertions === sum.totalAssertions && sum.totalAssertions > 0 &&
	sum.failedTests === 0;
process.exit(ok ? 0 : 1);
JS
	{
		tail -n 40 "$TMP/main.json.log" "$TMP/conflict.json.log" >&2
		fail "the Bruno collection did not pass"
	}
pass "Bruno collection: every request ran and every assertion passed"

node "$SRC/tests/integration/validate_answers.mjs" "$SRC/docs/openapi.yaml" "$TMP/main.json" "$TMP/conflict.json" ||
	fail "answers that docs/openapi.yaml does not describe (above)"
pass "every answer of the run matches docs/openapi.yaml"
