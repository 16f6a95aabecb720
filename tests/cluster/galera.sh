#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on this machine, for the cluster test:
# each node its own folder, loopback address (127.0.0.2-4) and ports, the
# Galera provider Debian ships (galera-4), state transfers by rsync.
#
#   tests/cluster/galera.sh up|down|status DIR
#   tests/cluster/galera.sh start|kill|stop N DIR   (one node: 1-3)
#
# up bootstraps node 1 and joins 2 and 3 (SST); start N restarts a node that
# rejoins by IST. Works as an ordinary user, and as root: then the nodes run
# as the mysql user (rsync's state transfer drops root's rights), so DIR and
# the folders above it must be open to it (the test uses a folder in /tmp).
# Environment: GALERA_SQL_PORT (default 13306).
set -euo pipefail

PORT=${GALERA_SQL_PORT:-13306}
PROVIDER=/usr/lib/galera/libgalera_smm.so
ME=$(id -un)

say() { printf 'galera: %s\n' "$*" >&2; }
die() { printf 'galera: error: %s\n' "$*" >&2; exit 1; }

node_ip() { echo "127.0.0.$(($1 + 1))"; }
node_dir() { echo "$DIR/node$1"; }
node_socket() { echo "$(node_dir "$1")/mysqld.sock"; }
node_sql() { # N SQL...
	local n=$1
	shift
	mariadb --no-defaults --socket="$(node_socket "$n")" -u "$ME" -N -B "$@"
}
node_pid() { cat "$(node_dir "$1")/mysqld.pid" 2>/dev/null || true; }
node_alive() { local p; p=$(node_pid "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

node_config() {
	local n=$1 ip d user_line=""
	ip=$(node_ip "$n")
	d=$(node_dir "$n")
	[ "$(id -u)" -eq 0 ] && user_line="user=mysql"
	cat >"$d/my.cnf" <<-EOF
		[mariadbd]
		datadir=$d/data
		socket=$d/mysqld.sock
		pid-file=$d/mysqld.pid
		log-error=$d/error.log
		bind-address=$ip
		port=$PORT
		$user_line
		character-set-server=utf8mb4
		collation-server=utf8mb4_unicode_ci
		binlog_format=ROW
		default_storage_engine=InnoDB
		innodb_autoinc_lock_mode=2
		innodb_buffer_pool_size=128M
		innodb_flush_log_at_trx_commit=2
		wsrep_on=ON
		wsrep_provider=$PROVIDER
		wsrep_cluster_name=mldash_cluster_test
		wsrep_cluster_address=gcomm://$(node_ip 1),$(node_ip 2),$(node_ip 3)
		wsrep_node_address=$ip
		wsrep_node_name=node$n
		wsrep_sst_method=rsync
		wsrep_sst_receive_address=$ip:4444
		wsrep_provider_options=gmcast.listen_addr=tcp://$ip:4567;ist.recv_addr=$ip:4568;gcache.size=256M
	EOF
}

wait_synced() { # N SECONDS [PID]
	local n=$1 i state pid=${3:-}
	for ((i = 0; i < $2 * 10; i++)); do
		state=$(node_sql "$n" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2) || true
		[ "$state" = Synced ] && return 0
		if [ -n "$pid" ]; then
			kill -0 "$pid" 2>/dev/null || die "node $n died: $(tail -n 5 "$(node_dir "$n")/error.log")"
		fi
		sleep 0.1
	done
	die "node $n not synced within $2 s (state '$state'): $(tail -n 5 "$(node_dir "$n")/error.log")"
}

start_node() { # N [--wsrep-new-cluster]
	local n=$1 d
	shift
	d=$(node_dir "$n")
	node_alive "$n" && { say "node $n already running"; return; }
	rm -f "$d/mysqld.sock"
	setsid mariadbd --defaults-file="$d/my.cnf" "$@" </dev/null >>"$d/error.log" 2>&1 &
	wait_synced "$n" 120 $!
}

up() {
	[ -r "$PROVIDER" ] || die "$PROVIDER is missing (Debian package galera-4)"
	command -v rsync >/dev/null || die "rsync is missing (the state transfers use it)"
	local n d user_opt=()
	if [ "$(id -u)" -eq 0 ]; then
		id mysql >/dev/null 2>&1 || die "as root, the nodes run as the user mysql, which is missing"
		user_opt=(--user=mysql)
		chown mysql "$DIR"
	fi
	for n in 1 2 3; do
		d=$(node_dir "$n")
		mkdir -p "$d"
		if [ ! -d "$d/data/mysql" ]; then
			mariadb-install-db --no-defaults --datadir="$d/data" --skip-test-db \
				--auth-root-authentication-method=socket "${user_opt[@]}" >"$d/install.log" 2>&1 ||
				die "mariadb-install-db failed: $d/install.log"
		fi
		node_config "$n"
		[ "$(id -u)" -ne 0 ] || chown -R mysql "$d"
	done
	# The first node starts a new cluster (as safe_to_bootstrap allows after
	# a clean stop of all); the others join it and take its state.
	sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$(node_dir 1)/data/grastate.dat" 2>/dev/null || true
	start_node 1 --wsrep-new-cluster
	start_node 2
	start_node 3
	say "cluster up: $(node_sql 1 -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2) nodes on $(node_ip 1)-$(node_ip 3):$PORT"
}

stop_node() { # N
	local n=$1 p i
	p=$(node_pid "$n")
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || return 0
	for ((i = 0; i < 600; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
}

down() {
	local n
	for n in 3 2 1; do stop_node "$n"; done
	say "cluster in $DIR is down"
}

status() {
	local n
	for n in 1 2 3; do
		if node_alive "$n"; then
			echo "node$n $(node_ip "$n"):$PORT $(node_sql "$n" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)"
		else
			echo "node$n down"
		fi
	done
}

action=${1:-}
case $action in
up | down | status)
	DIR=${2:?usage: galera.sh $action DIR}
	mkdir -p "$DIR"
	DIR=$(cd "$DIR" && pwd)
	"$action"
	;;
start | kill | stop)
	N=${2:?usage: galera.sh $action N DIR}
	DIR=$(cd "${3:?usage: galera.sh $action N DIR}" && pwd)
	case $action in
	start) start_node "$N" ;;
	stop) stop_node "$N" ;;
	kill) p=$(node_pid "$N"); [ -n "$p" ] && kill -KILL "$p" ;;
	esac
	;;
*) echo "usage: $0 up|down|status DIR | start|kill|stop N DIR" >&2; exit 2 ;;
esac
