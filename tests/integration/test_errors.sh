#!/usr/bin/env bash
# Error shapes through nginx: 404 and 405 (with Allow) as JSON errors.
. "$(dirname "$0")/lib.sh"

for path in /nope /status/ /STATUS /status/extra; do
	http GET "$path"
	expect_status 404 "GET $path"
	[ "$(header Content-Type)" = "application/json" ] || fail "404 is not JSON"
	expect_json .error.code not_found "GET $path"
	json .error.message | grep -qF "$path" || fail "404 message does not name $path"
done
pass "unknown paths: 404 with a JSON error naming the path"

for method in POST PUT DELETE PATCH; do
	http "$method" /status
	expect_status 405 "$method /status"
	[ "$(header Allow)" = "GET, HEAD, OPTIONS" ] || fail "405 Allow is '$(header Allow)'"
	expect_json .error.code method_not_allowed "$method /status"
	json .error.message | grep -q "$method" || fail "405 message does not name $method"
done
pass "wrong methods: 405 with Allow and a JSON error"

http OPTIONS /status
expect_status 204 "OPTIONS /status"
[ "$(header Allow)" = "GET, HEAD, OPTIONS" ] || fail "OPTIONS Allow is '$(header Allow)'"
pass "OPTIONS: 204 with Allow"
