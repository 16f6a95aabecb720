#!/usr/bin/env bash
# POST /campaigns/import through nginx: 200, 400, 401, 413, 415; the same
# file twice counts once; an overlapping later file replaces its days.
. "$(dirname "$0")/lib.sh"
. "$VAR/secrets.env"
AUTH="Authorization: Bearer $API_TOKEN"
P="http$$"
sql() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" -N -B mldash -e "$1"; }

# days FIRST LAST SPEND: generic rows of campaign $P-a.
days() {
	echo "date,campaign_id,campaign_name,channel,spend,impressions,reach,clicks,conversions,revenue"
	for d in $(seq "$1" "$2"); do
		printf '2024-01-%02d,%s-a,Campaign A,email,%s,100,80,5,1,50\n' "$d" "$P" "$3"
	done
}
post() { http POST "/campaigns/import?name=$1" -H "$AUTH" -H 'Content-Type: text/csv' --data-binary "@$2"; }

days 1 10 10 >"$TMP/a.csv"
post a.csv "$TMP/a.csv"
expect_status 200 "first import"
expect_json .status imported "first import"
expect_json .campaign_days 10 "first import"
expect_json .rows_rejected 0 "first import"
post a.csv "$TMP/a.csv"
expect_status 200 "same file again"
expect_json .status duplicate "same file again"
got=$(sql "SELECT COUNT(*), SUM(spend) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id WHERE c.external_id = '$P-a'")
[ "$got" = "$(printf '10\t100.0000')" ] || fail "after the same file twice: $got"
pass "same file twice: imported once (10 days, spend 100)"

days 6 15 20 >"$TMP/b.csv"
post b.csv "$TMP/b.csv"
expect_status 200 "overlapping import"
expect_json .campaign_days 10 "overlapping import"
got=$(sql "SELECT COUNT(*), SUM(spend), SUM(day BETWEEN '2024-01-06' AND '2024-01-10' AND spend = 20) FROM campaign_daily d JOIN campaigns c ON c.id = d.campaign_id WHERE c.external_id = '$P-a'")
[ "$got" = "$(printf '15\t250.0000\t5')" ] || fail "after the overlapping file: $got"
pass "overlapping later file: days 6-10 replaced, 15 days in all"

{ days 1 2 5; printf '2024-01-01,%s-a,Campaign A,email,7,100,80,5,1,50\n2024-01-03,%s-a,A,email,x,1,1,1,1,1\n' "$P" "$P"; } >"$TMP/c.csv"
post c.csv "$TMP/c.csv"
expect_status 200 "file with bad rows"
expect_json .status partial "file with bad rows"
expect_json .rows_rejected 2 "file with bad rows"
expect_json '.first_rejected_rows[0].line' 4 "file with bad rows"
json '.first_rejected_rows[0].reason' | grep -q "appears earlier in the file" || fail "duplicate day not explained"
expect_json '.first_rejected_rows[1].line' 5 "file with bad rows"
json '.first_rejected_rows[1].reason' | grep -q "column 'spend': 'x' is not a number" || fail "bad number not explained"
pass "partial file: 200 with each rejected row's line and reason"

printf 'when,what\n1,2\n' >"$TMP/d.csv"
post d.csv "$TMP/d.csv"
expect_status 400 "unknown header"
expect_json .error.code unusable_file "unknown header"
json .error.message | grep -q "generic CSV needs date, campaign_id and channel" || fail "400 does not list the formats"
printf 'date,campaign_id,channel,spend\n2024-01-01,x,y,-1\n' >"$TMP/e.csv"
post e.csv "$TMP/e.csv"
expect_status 400 "every row bad"
expect_json '.error.report.first_rejected_rows[0].reason' "column 'spend': '-1' is negative" "every row bad"
pass "unusable files: 400 with the reasons"

http POST /campaigns/import -H 'Content-Type: text/csv' --data-binary "@$TMP/a.csv"
expect_status 401 "no token"
expect_json .error.code unauthorized "no token"
[ -n "$(header WWW-Authenticate)" ] || fail "401 without WWW-Authenticate"
http POST /campaigns/import -H "Authorization: Bearer ${API_TOKEN}x" -H 'Content-Type: text/csv' --data-binary "@$TMP/a.csv"
expect_status 401 "wrong token"
pass "401 without the right bearer token"

http POST /campaigns/import -H "$AUTH" -H 'Content-Type: application/json' --data-binary '{}'
expect_status 415 "JSON body"
expect_json .error.code unsupported_media_type "JSON body"
pass "415 for other content types"

limit=$(printenv MLDASH_API_MAX_UPLOAD_BYTES || echo 67108864)
head -c $((limit + 10)) /dev/zero | tr '\0' 'x' >"$TMP/big.csv"
post big.csv "$TMP/big.csv"
expect_status 413 "body over the limit"
expect_json .error.code payload_too_large "body over the limit"
pass "413 beyond [api] max_upload_bytes ($limit)"

http GET /campaigns/import
expect_status 405 "GET on import"
[ "$(header Allow)" = "POST, OPTIONS" ] || fail "Allow is $(header Allow)"
pass "GET on the import endpoint: 405 with Allow: POST, OPTIONS"
