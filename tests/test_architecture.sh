#!/usr/bin/env bash
# The "never" rules of docs/architecture.md, checked on the source tree:
#  1. Only db/ speaks SQL: no other folder includes the MariaDB client's
#     headers or holds SQL statements in its strings.
#  2. The pure folders (ingest/, charts/, models/) include no I/O headers
#     (database, HTTP, sockets, files, processes, threads) and depend on no
#     folder outside the pure ones.
#  3. Data flows one way: each folder includes only the headers of the
#     folders below it (programs -> sync -> db -> models/charts/ingest -> lib).
# Prints every violation and exits 1 when there is one.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 2
status=0
violation() { printf 'FAIL: %s\n' "$*" >&2; status=1; }

sources() { find "$@" -maxdepth 1 \( -name '*.c' -o -name '*.h' \) | sort; }

# 1. The MariaDB client and SQL text stay in db/.
while IFS=: read -r file line text; do
	violation "$file:$line includes the MariaDB client outside db/: $text"
done < <(grep -nE '#include *[<"](mysql|mysqld_error|errmsg|mariadb[^>"]*|ma_[a-z_]+|db_internal)\.h[>"]' \
	$(sources lib ingest models charts sync fcgi cli scheduler bench) /dev/null)
while IFS=: read -r file line text; do
	violation "$file:$line holds SQL outside db/: $(echo "$text" | sed 's/^[[:space:]]*//' | cut -c1-100)"
done < <(grep -nE '"[^"]*\b(SELECT [^"]*FROM|INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET|START TRANSACTION|GET_LOCK|SHOW [A-Z]+)\b' \
	$(sources lib ingest models charts sync fcgi cli scheduler) /dev/null)

# 2. Pure folders: no I/O headers.
io_headers='mysql|fcgiapp|fcgi_stdio|unistd|fcntl|dirent|sys/socket|sys/stat|sys/file|netdb|pthread|syslog|curl/[a-z]+|json-c/[a-z_]+'
while IFS=: read -r file line text; do
	violation "$file:$line: a pure module includes an I/O header: $text"
done < <(grep -nE "#include *<($io_headers)\.h>" $(sources ingest charts models) /dev/null)

# 3. Which folders each folder may include headers from (itself always).
declare -A allowed=(
	[lib]="lib"
	[ingest]="lib"
	[models]=""
	[charts]="models"
	[db]="lib models"
	[sync]="lib models charts ingest db"
	[fcgi]="lib models charts ingest db sync"
	[cli]="lib models charts ingest db sync"
	[scheduler]="lib models charts ingest db sync"
)
declare -A home
for dir in "${!allowed[@]}"; do
	for h in $(sources "$dir" | grep '\.h$'); do home[$(basename "$h")]=$dir; done
done
home[version.h]=lib # generated from lib/version.h.in
for dir in "${!allowed[@]}"; do
	while IFS=: read -r file line header; do
		header=${header#*\"}
		header=${header%%\"*}
		owner=${home[$header]:-}
		[ -n "$owner" ] || { violation "$file:$line includes \"$header\", found in no folder"; continue; }
		[ "$owner" = "$dir" ] && continue
		case " ${allowed[$dir]} " in
		*" $owner "*) ;;
		*) violation "$file:$line: $dir/ must not depend on $owner/ (\"$header\")" ;;
		esac
	done < <(grep -nE '#include *"' $(sources "$dir") /dev/null | sed -E 's/^([^:]*):([0-9]+):.*(#include *"[^"]*").*/\1:\2:\3/')
done

[ "$status" = 0 ] && echo "ok: only db/ speaks SQL; ingest/, charts/, models/ do no I/O; every include points down"
exit "$status"
