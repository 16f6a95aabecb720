#!/bin/bash
# Runs inside a fresh Debian 12 root (tests/package/test_deb.sh's mmdebstrap
# hook) with /tmp/in holding previous.deb, current.deb and versions. Installs
# a local MariaDB (socket only: this root shares the host's network), then
# mldash's previous build, upgrades to the current one, purges; checks the
# account, files, modes, secrets, man pages and database at each step.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
IN=/tmp/in
say() { printf 'in_root: %s\n' "$*"; }
fail() { printf 'in_root: FAIL: %s\n' "$*"; exit 1; }
{ read -r prev_version; read -r version; read -r migrations; } <"$IN/versions"

mariadb_ctl() { /etc/init.d/mariadb "$1" >/dev/null 2>&1; }
scheduler=
# Nothing may outlive the script: mmdebstrap cannot unmount under it.
cleanup() {
	[ -z "$scheduler" ] || kill "$scheduler" 2>/dev/null || true
	mariadb_ctl stop || pkill -x mariadbd || true
}
trap cleanup EXIT

# mode owner:group of a path
perms() { stat -c '%a %U:%G' "$1"; }
expect_perms() {
	[ "$(perms "$1")" = "$2" ] || fail "$1 is $(perms "$1"), expected $2"
}
sql() { mariadb --protocol=socket -u root --batch --skip-column-names -e "$1"; }

say "MariaDB (no TCP port: the root shares the host's network)"
mkdir -p /etc/mysql/mariadb.conf.d
printf '[mysqld]\nskip-networking\n' >/etc/mysql/mariadb.conf.d/99-mldash-test.cnf
apt-get update -qq
apt-get install -y -qq --no-install-recommends mariadb-server man-db logrotate >/dev/null
mariadb_ctl start || mariadb_ctl restart || fail "MariaDB does not start"
[ "$(sql 'SELECT 1')" = 1 ] || fail "MariaDB does not answer root on its socket"

say "install $prev_version with its dependencies"
apt-get install -y -q --no-install-recommends "$IN/previous.deb" >/tmp/install.log 2>&1 ||
	{ cat /tmp/install.log; fail "apt-get install of the previous build failed"; }
grep '^mldash:' /tmp/install.log || true

getent passwd mldash >/dev/null || fail "no mldash user"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd mldash)
[ "$uid" -lt 1000 ] || fail "mldash is not a system user (uid $uid)"
[ "$shell" = /usr/sbin/nologin ] || fail "mldash's shell is $shell"
[ "$home" = /nonexistent ] || fail "mldash's home is $home"
getent group mldash >/dev/null || fail "no mldash group"
expect_perms /etc/mldash/mldash.conf "640 root:mldash"
expect_perms /etc/mldash/api-token "640 root:mldash"
expect_perms /etc/mldash/db-password "640 root:mldash"
for dir in /var/spool/mldash /var/spool/mldash/done /var/spool/mldash/rejected /var/log/mldash; do
	expect_perms "$dir" "750 mldash:mldash"
done
token=$(cat /etc/mldash/api-token)
password=$(cat /etc/mldash/db-password)
[[ $token =~ ^[A-Za-z0-9_-]{43}$ ]] || fail "the token is not 43 base64url characters: '$token'"
[[ $password =~ ^[A-Za-z0-9_-]{43}$ ]] || fail "the password is not 43 base64url characters"
[ "$token" != "$password" ] || fail "the token and the password are the same"
[ "$(mldash --version)" = "mldash $prev_version" ] || fail "mldash --version: $(mldash --version)"
[ "$(mldash-fcgi --version)" = "mldash-fcgi $prev_version" ] || fail "mldash-fcgi --version"
[ "$(mldash-scheduler --version)" = "mldash-scheduler $prev_version" ] || fail "mldash-scheduler --version"
for page in "1 mldash" "8 mldash-fcgi" "8 mldash-scheduler" "5 mldash.conf"; do
	# shellcheck disable=SC2086
	man -w $page >/dev/null || fail "man -w $page finds no page"
done
[ -f /etc/nginx/sites-available/mldash ] || fail "the nginx site is not in sites-available"
[ ! -e /etc/nginx/sites-enabled/mldash ] || fail "the nginx site was enabled"
[ -f /usr/share/bash-completion/completions/mldash ] || fail "no bash completion"
[ -f /etc/logrotate.d/mldash ] || fail "no logrotate configuration"
grep -qx 'password_file = /etc/mldash/db-password' /etc/mldash/mldash.conf ||
	fail "the configuration does not name the password file"

say "the database: created with a row-rights account, migrated to $((migrations - 1)) of $migrations"
sql 'SHOW DATABASES' | grep -qx mldash || fail "no database mldash"
grants=$(sql "SHOW GRANTS FOR 'mldash'@'localhost'")
grep -q 'GRANT SELECT, INSERT, UPDATE, DELETE ON `mldash`.\*' <<<"$grants" ||
	fail "the account's grants: $grants"
[ "$(sql 'SELECT MAX(version) FROM mldash.schema_migrations')" = $((migrations - 1)) ] ||
	fail "schema version $(sql 'SELECT MAX(version) FROM mldash.schema_migrations'), expected $((migrations - 1))"
# The service account reaches it with the generated password, by the file.
runuser -u mldash -- mldash sync campaigns >/tmp/sync.log 2>&1 ||
	{ cat /tmp/sync.log; fail "mldash sync campaigns as mldash failed"; }
grep -q '^campaign sync: 0 files' /tmp/sync.log || fail "sync: $(cat /tmp/sync.log)"
[ "$(sql "SELECT COUNT(*) FROM mldash.ml_runs WHERE job = 'campaign_sync' AND status = 'succeeded'")" = 1 ] ||
	fail "the campaign sync left no succeeded run"

say "the administrator edits the configuration"
sed -i 's/^level = info$/level = warn/' /etc/mldash/mldash.conf
conf_sum=$(sha256sum </etc/mldash/mldash.conf)

say "upgrade to $version while MariaDB is down: it says how to migrate"
mariadb_ctl stop
apt-get install -y -q --no-install-recommends "$IN/current.deb" >/tmp/upgrade.log 2>&1 ||
	{ cat /tmp/upgrade.log; fail "the upgrade failed"; }
grep '^mldash:' /tmp/upgrade.log || true
grep -q 'dpkg-reconfigure mldash' /tmp/upgrade.log || fail "the upgrade did not say how to set up the database"
[ "$(mldash --version)" = "mldash $version" ] || fail "after the upgrade: $(mldash --version)"
[ "$(cat /etc/mldash/api-token)" = "$token" ] || fail "the upgrade changed the token"
[ "$(cat /etc/mldash/db-password)" = "$password" ] || fail "the upgrade changed the password"
[ "$(sha256sum </etc/mldash/mldash.conf)" = "$conf_sum" ] || fail "the upgrade changed the configuration"
expect_perms /etc/mldash/mldash.conf "640 root:mldash"
expect_perms /etc/mldash/api-token "640 root:mldash"

say "MariaDB back: dpkg-reconfigure applies the pending migration"
mariadb_ctl start || fail "MariaDB does not start again"
dpkg-reconfigure mldash >/tmp/reconfigure.log 2>&1 || { cat /tmp/reconfigure.log; fail "dpkg-reconfigure failed"; }
grep '^mldash:' /tmp/reconfigure.log || true
[ "$(sql 'SELECT MAX(version) FROM mldash.schema_migrations')" = "$migrations" ] ||
	fail "after reconfigure: schema version $(sql 'SELECT MAX(version) FROM mldash.schema_migrations')"
[ "$(cat /etc/mldash/db-password)" = "$password" ] || fail "reconfigure changed the password"
runuser -u mldash -- mldash sync campaigns >/tmp/sync.log 2>&1 ||
	{ cat /tmp/sync.log; fail "mldash sync campaigns after the upgrade failed"; }

say "mldash doctor on the installed package (no nginx running here)"
mldash doctor >/tmp/doctor.out 2>&1 && fail "doctor passed without nginx: $(cat /tmp/doctor.out)"
sed 's/^/in_root:   /' /tmp/doctor.out
for check in config token database grants schema spool; do
	grep -q "^ok   $check:" /tmp/doctor.out || fail "doctor's $check check is not ok"
done
grep -q '^FAIL nginx:' /tmp/doctor.out || fail "doctor did not name nginx"
chmod 0600 /etc/mldash/api-token # root reads it, the service would not
mldash doctor >/tmp/doctor.out 2>&1 || true
grep -q '^FAIL token: /etc/mldash/api-token .*cannot be read by mldash' /tmp/doctor.out ||
	{ cat /tmp/doctor.out; fail "doctor did not see that mldash cannot read the token"; }
chmod 0640 /etc/mldash/api-token

say "the scheduler as the service writes /var/log/mldash/mldash.log; logrotate rotates it"
MLDASH_LOG_LEVEL=info setpriv --reuid=mldash --regid=mldash --init-groups -- mldash-scheduler --foreground >/tmp/scheduler.out 2>&1 &
scheduler=$!
for _ in $(seq 50); do
	grep -q 'mldash-scheduler' /var/log/mldash/mldash.log 2>/dev/null && break
	sleep 0.1
done
grep -q 'mldash-scheduler' /var/log/mldash/mldash.log ||
	{ cat /tmp/scheduler.out; fail "the scheduler wrote nothing to /var/log/mldash/mldash.log"; }
# Error lines go to stderr (the journal) too; nothing else may.
if grep -v '^[0-9TZ:.-]* error mldash-scheduler' /tmp/scheduler.out; then
	fail "the scheduler wrote the above to stderr"
fi
logrotate -f /etc/logrotate.d/mldash || fail "logrotate failed"
[ -s /var/log/mldash/mldash.log.1 ] || fail "logrotate did not rotate mldash.log"
# A line a second after the rotation (the file is compared with its name
# once a second) goes to the new file.
sleep 1.1
kill -HUP "$scheduler"
for _ in $(seq 30); do
	grep -q 'reloaded' /var/log/mldash/mldash.log 2>/dev/null && break
	sleep 0.1
done
grep -q 'reloaded' /var/log/mldash/mldash.log || fail "after rotation the scheduler's lines went elsewhere"
expect_perms /var/log/mldash/mldash.log "640 mldash:mldash" # made by the scheduler
kill "$scheduler"
wait "$scheduler" || true
scheduler=

say "upgrade again with MariaDB up (reinstall): migrations run, nothing pending"
apt-get install -y -q --reinstall "$IN/current.deb" >/tmp/reinstall.log 2>&1 ||
	{ cat /tmp/reinstall.log; fail "the reinstall failed"; }
grep -q 'migrate: 0 applied' /tmp/reinstall.log || { cat /tmp/reinstall.log; fail "the reinstall did not migrate"; }

say "purge: everything but the database goes"
apt-get purge -y -q mldash >/tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "the purge failed"; }
for path in /etc/mldash /var/spool/mldash /var/log/mldash /usr/bin/mldash /etc/logrotate.d/mldash; do
	[ ! -e "$path" ] || fail "$path is left after the purge"
done
getent passwd mldash >/dev/null && fail "the mldash user is left after the purge"
getent group mldash >/dev/null && fail "the mldash group is left after the purge"
dpkg-statoverride --list /etc/mldash/mldash.conf >/dev/null && fail "the stat override is left"
sql 'SHOW DATABASES' | grep -qx mldash || fail "the purge dropped the database"
[ "$(sql 'SELECT COUNT(*) FROM mldash.ml_runs')" -ge 2 ] || fail "the purge emptied the database"

say "install again after the purge: the kept account gets the new password"
apt-get install -y -q --no-install-recommends "$IN/current.deb" >/tmp/again.log 2>&1 ||
	{ cat /tmp/again.log; fail "installing again failed"; }
[ "$(cat /etc/mldash/db-password)" != "$password" ] || fail "the purge kept the old password"
runuser -u mldash -- mldash sync campaigns >/tmp/sync.log 2>&1 ||
	{ cat /tmp/sync.log; fail "after a purge and a new install the service cannot log in"; }
apt-get purge -y -q mldash >/tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "the second purge failed"; }
say "all checks passed"
