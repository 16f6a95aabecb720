#!/usr/bin/env bash
# The dashboard page (web/) in headless chromium against the test stack:
# loads without console errors, five charts decode, four tables with rows,
# the accuracy panel (sentence, table or "no scores yet", its metric) and the
# anomalies list as the API answers them, the channel and days filters, the
# budget's total, Sync now with the token, no horizontal overflow on a
# phone, the empty-store notice, scores and anomalies shown from answers
# that have them (browser_test.mjs). MLDASH_UPDATE_SCREENSHOTS=1 also writes
# docs/images/dashboard-{light,dark}.png. Skipped (77) only when node or
# chromium cannot run at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

node --version >/dev/null 2>&1 || { echo "skip: node cannot run"; exit 77; }
/usr/bin/chromium --headless=new --no-sandbox --disable-gpu --version >/dev/null 2>&1 ||
	{ echo "skip: /usr/bin/chromium cannot run"; exit 77; }
[ -d "$SRC/tests/node/node_modules/playwright-core" ] ||
	fail "tests/node/node_modules/playwright-core is missing: run deploy/install-npm.sh"

# Demo campaigns and a fresh ML run, whatever earlier tests left.
seed_dashboards
pass "the stack has campaign data and an ML run"

API_TOKEN=$(sed -n 's/^API_TOKEN=//p' "$VAR/secrets.env")
[ -n "$API_TOKEN" ] || fail "no API_TOKEN in $VAR/secrets.env"

shots=
if [ "${MLDASH_UPDATE_SCREENSHOTS:-0}" = 1 ]; then
	shots=$SRC/docs/images
fi
mkdir -p "$TMP/profile"
SITE="http://127.0.0.1:$MLDASH_PORT/" API_TOKEN=$API_TOKEN USER_DATA_DIR=$TMP/profile \
	ACCESS_LOG=$LOG/nginx-access.log \
	SCREENSHOT_DIR=$shots timeout 90 node "$SRC/tests/integration/browser_test.mjs" ||
	fail "browser checks failed"
pass "the dashboard page in chromium"
