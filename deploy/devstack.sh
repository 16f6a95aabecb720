#!/usr/bin/env bash
# The mldash dev stack: a private MariaDB, the FastCGI pool (spawn-fcgi +
# multiwatch), nginx and the scheduler, all living in one folder.
#
#   deploy/devstack.sh up|down|status [mariadb|fcgi|nginx|scheduler]
#   deploy/devstack.sh paths     (prints the folders and sockets it uses)
#   deploy/devstack.sh demo      (imports demo campaigns through the spool)
#
# Environment:
#   MLDASH_VAR_DIR    the stack's folder (default: <checkout>/var)
#   MLDASH_PORT       nginx port on 127.0.0.1 (default: 8080)
#   MLDASH_WORKERS    FastCGI workers (default: 4)
#   MLDASH_BUILD_DIR  where the binaries are (default: <checkout>/build)
#
# Works as root (CI) and as an ordinary user. As root, nginx workers and
# mariadbd run as root too: the checkout may sit in a folder only root can
# enter, and a worker that cannot reach the socket or web/ is useless.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${MLDASH_VAR_DIR:-$ROOT/var}
PORT=${MLDASH_PORT:-8080}
WORKERS=${MLDASH_WORKERS:-4}
BUILD=${MLDASH_BUILD_DIR:-$ROOT/build}

mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
BUILD=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")

# Unix socket paths are limited to 107 bytes; a deep checkout gets its
# sockets in a short per-stack folder under /tmp instead.
RUN=$VAR/run
if [ ${#RUN} -gt 80 ]; then
	RUN=${TMPDIR:-/tmp}/mldash-$(id -u)-$(printf '%s' "$VAR" | md5sum | cut -c1-12)
fi
LOG=$VAR/log
CONF=$VAR/mldash.conf
DB_SOCKET=$RUN/mysqld.sock
FCGI_SOCKET=$RUN/fcgi.sock
ME=$(id -un)
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

say() { printf 'devstack: %s\n' "$*"; }
die() { printf 'devstack: error: %s\n' "$*" >&2; exit 1; }

# proc_alive PID COMM: PID is a running (not zombie) process called COMM.
# Zombies count as gone: where PID 1 does not reap, they linger.
proc_alive() {
	local stat
	[ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# pid_alive PIDFILE COMM: the pid in PIDFILE names a live process called COMM.
pid_alive() {
	proc_alive "$(cat "$1" 2>/dev/null)" "$2"
}

# stop_pid PIDFILE COMM [SECONDS]: SIGTERM, wait, then SIGKILL.
stop_pid() {
	local pidfile=$1 comm=$2 limit=${3:-30} pid i
	if ! pid_alive "$pidfile" "$comm"; then
		rm -f "$pidfile"
		return 0
	fi
	pid=$(cat "$pidfile" 2>/dev/null) || return 0
	if ! kill -TERM "$pid" 2>/dev/null && pid_alive "$pidfile" "$comm"; then
		die "cannot signal $comm ($pid): it belongs to another user"
	fi
	for ((i = 0; i < limit * 10; i++)); do
		pid_alive "$pidfile" "$comm" || break
		sleep 0.1
	done
	if pid_alive "$pidfile" "$comm"; then
		say "$comm ($pid) ignored SIGTERM for ${limit}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$pidfile"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local limit=$1 what=$2 i
	shift 2
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up within ${limit}s"
}

need_binaries() {
	local b
	for b in "$BUILD/fcgi/mldash-fcgi" "$BUILD/scheduler/mldash-scheduler" "$BUILD/cli/mldash"; do
		[ -x "$b" ] || die "$b is missing: run 'make' first"
	done
}

# --- MariaDB -----------------------------------------------------------------

db_admin() { mariadb --no-defaults --socket="$DB_SOCKET" -u "$ME" "$@"; }
db_ping() { mariadb-admin --no-defaults --socket="$DB_SOCKET" -u "$ME" ping; }

# Random passwords and the API token, made once per stack and kept beside its
# data; a stack made by an older version gets the ones it lacks.
secrets() {
	local f=$VAR/secrets.env name
	(
		umask 077
		touch "$f"
		for name in APP_PASSWORD ADMIN_PASSWORD API_TOKEN; do
			grep -q "^$name=" "$f" ||
				printf '%s=%s\n' "$name" "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >>"$f"
		done
	)
	# shellcheck disable=SC1090
	. "$f"
}

mariadb_up() {
	local user_opt=()
	[ $IS_ROOT -eq 1 ] && user_opt=(--user=root)
	if [ ! -d "$VAR/mysql/mysql" ]; then
		say "initialising MariaDB in $VAR/mysql"
		mariadb-install-db --no-defaults --datadir="$VAR/mysql" --skip-test-db \
			--auth-root-authentication-method=socket "${user_opt[@]}" \
			>"$LOG/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed; see $LOG/mariadb-install.log"
	fi
	if pid_alive "$RUN/mariadb.pid" mariadbd; then
		say "MariaDB already running"
	else
		rm -f "$DB_SOCKET"
		setsid mariadbd --no-defaults --datadir="$VAR/mysql" --socket="$DB_SOCKET" \
			--pid-file="$RUN/mariadb.pid" --skip-networking --log-error="$LOG/mariadb.log" \
			--innodb-buffer-pool-size=512M --innodb-log-file-size=512M \
			--innodb-flush-log-at-trx-commit=2 --innodb-log-buffer-size=64M \
			--innodb-doublewrite=0 --character-set-server=utf8mb4 \
			--collation-server=utf8mb4_unicode_ci "${user_opt[@]}" \
			</dev/null >>"$LOG/mariadb.log" 2>&1 &
		wait_for 60 "MariaDB (see $LOG/mariadb.log)" db_ping
		say "MariaDB up on $DB_SOCKET"
	fi
	secrets
	# Least privilege: the services read and write rows; only migrations
	# (run with the admin account) change the schema.
	db_admin <<-SQL
		CREATE DATABASE IF NOT EXISTS mldash CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'mldash'@'localhost' IDENTIFIED BY '$APP_PASSWORD';
		ALTER USER 'mldash'@'localhost' IDENTIFIED BY '$APP_PASSWORD';
		GRANT SELECT, INSERT, UPDATE, DELETE ON mldash.* TO 'mldash'@'localhost';
		CREATE USER IF NOT EXISTS 'mldash_admin'@'localhost' IDENTIFIED BY '$ADMIN_PASSWORD';
		ALTER USER 'mldash_admin'@'localhost' IDENTIFIED BY '$ADMIN_PASSWORD';
		GRANT ALL PRIVILEGES ON mldash.* TO 'mldash_admin'@'localhost';
	SQL
	write_config
	MLDASH_CONFIG=$CONF MLDASH_DATABASE_USER=mldash_admin \
		MLDASH_DATABASE_PASSWORD=$ADMIN_PASSWORD "$BUILD/cli/mldash" migrate
}

mariadb_down() { stop_pid "$RUN/mariadb.pid" mariadbd 60; }

write_config() {
	secrets
	(
		umask 077
		cat >"$CONF" <<-EOF
			# Generated by deploy/devstack.sh for the stack in $VAR; rewritten on 'up'.
			[database]
			socket = $DB_SOCKET
			user = mldash
			password = $APP_PASSWORD
			name = mldash

			[api]
			token = $API_TOKEN

			[ingest]
			spool_dir = $VAR/spool

			[paths]
			migrations_dir = $ROOT/db/migrations

			[log]
			level = info
		EOF
	)
}

# --- FastCGI pool --------------------------------------------------------------

fcgi_up() {
	if pid_alive "$RUN/fcgi.pid" multiwatch; then
		say "FastCGI pool already running"
		return
	fi
	[ -f "$CONF" ] || write_config
	rm -f "$FCGI_SOCKET"
	# spawn-fcgi binds the socket and (with -n) becomes multiwatch, which
	# forks the workers and replaces any that dies. Without -n spawn-fcgi
	# would close the workers' stderr, and their logs with it.
	setsid spawn-fcgi -n -s "$FCGI_SOCKET" -M 0660 -- \
		/usr/bin/multiwatch -f "$WORKERS" -- \
		"$BUILD/fcgi/mldash-fcgi" --config "$CONF" \
		</dev/null >>"$LOG/fcgi.log" 2>&1 &
	echo $! >"$RUN/fcgi.pid"
	wait_for 10 "FastCGI socket" test -S "$FCGI_SOCKET"
	say "FastCGI pool up: $WORKERS workers on $FCGI_SOCKET"
}

fcgi_down() { stop_pid "$RUN/fcgi.pid" multiwatch 30; rm -f "$FCGI_SOCKET"; }

# --- nginx -------------------------------------------------------------------

nginx_config() {
	local dir=$VAR/nginx
	# The chart micro-cache is only good for a second; entries from an
	# earlier life of the stack would be served stale once.
	rm -rf "$dir/cache"
	mkdir -p "$dir/tmp"
	local drop_limits=()
	[ "${MLDASH_NGINX_RATE_LIMITS:-on}" = off ] && drop_limits=(-e '/# rate-limit$/d')
	sed -e "s|@NGINX_LISTEN@|127.0.0.1:$PORT|" \
		-e "s|@NGINX_WEB_ROOT@|$ROOT/web|" \
		-e "s|@NGINX_FCGI_SOCKET@|$FCGI_SOCKET|" \
		-e "s|@NGINX_CACHE_DIR@|$dir/cache|" \
		-e "s|@NGINX_SNIPPETS_DIR@|$ROOT/nginx|" \
		"${drop_limits[@]}" \
		"$ROOT/nginx/mldash-server.conf.in" >"$dir/mldash-server.conf"
	{
		echo "# Generated by deploy/devstack.sh; rewritten on 'up'."
		[ $IS_ROOT -eq 1 ] && echo "user root;"
		cat <<-EOF
			worker_processes 2;
			pid $RUN/nginx.pid;
			error_log $LOG/nginx-error.log warn;
			events { worker_connections 1024; }
			http {
			    include /etc/nginx/mime.types;
			    default_type application/octet-stream;
			    access_log $LOG/nginx-access.log;
			    sendfile on;
			    client_body_temp_path $dir/tmp/body;
			    fastcgi_temp_path $dir/tmp/fastcgi;
			    proxy_temp_path $dir/tmp/proxy;
			    uwsgi_temp_path $dir/tmp/uwsgi;
			    scgi_temp_path $dir/tmp/scgi;
			    include $dir/mldash-server.conf;
			}
		EOF
	} >"$dir/nginx.conf"
}

nginx_up() {
	if pid_alive "$RUN/nginx.pid" nginx; then
		say "nginx already running"
		return
	fi
	nginx_config
	local args=(-p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$LOG/nginx-error.log")
	nginx "${args[@]}" -t -q || die "nginx rejects its generated config $VAR/nginx/nginx.conf"
	if ! nginx "${args[@]}"; then
		die "nginx did not start (is port $PORT in use? choose another with MLDASH_PORT)"
	fi
	wait_for 10 "nginx" curl -fsS -o /dev/null "http://127.0.0.1:$PORT/"
	say "nginx up on http://127.0.0.1:$PORT/"
}

nginx_down() { stop_pid "$RUN/nginx.pid" nginx 30; }

# --- scheduler ----------------------------------------------------------------

scheduler_up() {
	if pid_alive "$RUN/scheduler.pid" mldash-schedule; then
		say "scheduler already running"
		return
	fi
	[ -f "$CONF" ] || write_config
	setsid "$BUILD/scheduler/mldash-scheduler" --foreground --config "$CONF" \
		</dev/null >>"$LOG/scheduler.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$RUN/scheduler.pid"
	# On start it runs the latest slot of each job it missed; the stack is
	# settled once it says it has started.
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -q "mldash-scheduler\[$pid\]: scheduler started" "$LOG/scheduler.log" && break
		kill -0 "$pid" 2>/dev/null || die "the scheduler exited: $(tail -n 3 "$LOG/scheduler.log")"
		sleep 0.1
	done
	((i < 1200)) || die "the scheduler did not start within 120s: see $LOG/scheduler.log"
	say "scheduler up (pid $pid)"
}

# /proc/PID/comm is cut to 15 characters.
scheduler_down() { stop_pid "$RUN/scheduler.pid" mldash-schedule 30; }

# --- demo data ----------------------------------------------------------------

# The Bruno collection's environment for this stack (bruno/environments/
# local.bru, git-ignored): its port, API token and upload limit, readable by
# us only.
bruno_env() {
	[ -d "$ROOT/bruno" ] || return 0
	mkdir -p "$ROOT/bruno/environments"
	rm -f "$ROOT/bruno/environments/local.bru" # umask does not narrow an existing file
	(
		umask 077
		printf 'vars {\n  baseUrl: http://127.0.0.1:%s/api/ml-dashboard\n  token: %s\n  maxUploadBytes: %s\n}\n' \
			"$PORT" "$API_TOKEN" "${MLDASH_API_MAX_UPLOAD_BYTES:-67108864}" \
			>"$ROOT/bruno/environments/local.bru"
	)
}

# Drops a demo campaign file into the spool and runs one campaign sync, as
# the hourly job would (the same data twice is recognised and skipped), then
# one ML sync so that the dashboards have something to show.
demo() {
	[ -f "$CONF" ] || die "the stack is not set up: run 'up' first"
	secrets
	mkdir -p "$VAR/spool"
	"$BUILD/cli/mldash" demo-data --campaigns 24 --days 180 --seed 42 \
		--out "$VAR/spool/demo-campaigns.csv.part"
	mv "$VAR/spool/demo-campaigns.csv.part" "$VAR/spool/demo-campaigns.csv"
	MLDASH_CONFIG=$CONF "$BUILD/cli/mldash" sync campaigns
	MLDASH_CONFIG=$CONF "$BUILD/cli/mldash" sync ml
	bruno_env
	say "Bruno: cd bruno && ../tests/node/node_modules/.bin/bru run -r --env local --exclude-tags needs-lock"
	say "forecasts: curl http://127.0.0.1:$PORT/api/ml-dashboard/roi-forecast/data"
	say "import your own report files with:"
	say "  curl -H 'Authorization: Bearer $API_TOKEN' -H 'Content-Type: text/csv' \\"
	say "    --data-binary @report.csv 'http://127.0.0.1:$PORT/api/ml-dashboard/campaigns/import?name=report.csv'"
	say "or drop them into $VAR/spool/ (imported hourly, or now with: MLDASH_CONFIG=$CONF $BUILD/cli/mldash sync campaigns)"
}

# --- whole stack ---------------------------------------------------------------

# Any process of this stack still alive: anything of ours whose command line
# names this stack's folder or sockets.
leftovers() {
	local pid comm args
	for pid in $(pgrep -f -- "$VAR/|$RUN/" || true); do
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		proc_alive "$pid" "$comm" || continue
		case "$comm" in
		mariadbd | mldash-fcgi | mldash-schedule | multiwatch | nginx)
			args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
			echo "$pid $args"
			;;
		esac
	done
}

status() {
	local name pidfile comm
	for entry in mariadb:mariadb.pid:mariadbd fcgi:fcgi.pid:multiwatch \
		nginx:nginx.pid:nginx scheduler:scheduler.pid:mldash-schedule; do
		IFS=: read -r name pidfile comm <<<"$entry"
		if pid_alive "$RUN/$pidfile" "$comm"; then
			printf '%-10s running (pid %s)\n' "$name" "$(cat "$RUN/$pidfile")"
		else
			printf '%-10s stopped\n' "$name"
		fi
	done
	if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/ml-dashboard/health" 2>/dev/null; then
		printf 'api        http://127.0.0.1:%s/api/ml-dashboard/status\n' "$PORT"
	fi
}

up_all() {
	need_binaries
	mariadb_up
	fcgi_up
	nginx_up
	scheduler_up
	say "mldash is up: http://127.0.0.1:$PORT/"
}

down_all() {
	nginx_down
	scheduler_down
	fcgi_down
	mariadb_down
	local rest
	rest=$(leftovers)
	if [ -n "$rest" ]; then
		say "killing leftover processes:"
		printf '%s\n' "$rest" | sed 's/^/  /'
		printf '%s\n' "$rest" | cut -d' ' -f1 | xargs -r kill -KILL 2>/dev/null || true
	fi
	say "stack in $VAR is down"
}

main() {
	local action=${1:-} component=${2:-all}
	mkdir -p "$RUN" "$LOG"
	case "$action:$component" in
	up:all) up_all ;;
	down:all) down_all ;;
	status:*) status ;;
	demo:*) demo ;;
	paths:*) printf 'VAR=%q\nRUN=%q\nLOG=%q\nCONF=%q\nDB_SOCKET=%q\n' "$VAR" "$RUN" "$LOG" "$CONF" "$DB_SOCKET" ;;
	up:mariadb | up:fcgi | up:nginx | up:scheduler) need_binaries; "${component}_up" ;;
	down:mariadb | down:fcgi | down:nginx | down:scheduler) "${component}_down" ;;
	*)
		echo "usage: $0 up|down|status [mariadb|fcgi|nginx|scheduler] | paths | demo" >&2
		exit 2
		;;
	esac
}

main "$@"
