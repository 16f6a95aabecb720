#!/usr/bin/env bash
# deploy/bash-completion/mldash in a plain bash (no bash-completion
# package): what it offers at several points of a command line, and that
# it knows every command and long option the programs' --help show, so
# that it cannot go stale. Needs no stack.
. "$(dirname "$0")/cli_lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
COMPLETION=$SRC/deploy/bash-completion/mldash
SCHEDULER=$MLDASH_BUILD_DIR/scheduler/mldash-scheduler
FCGI=$MLDASH_BUILD_DIR/fcgi/mldash-fcgi

# offers "LINE": what completing LINE (up to its end; a trailing space
# starts a new, empty word) offers, sorted, on one line.
offers() {
	(cd "$TMP/files" && bash --norc --noprofile -c '
		set -u
		. "$1"
		line=$2
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 3
		fn=${spec#*-F }
		fn=${fn%% *}
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' _ "$COMPLETION" "$1")
}

# expect "LINE" "WORDS": completing LINE offers exactly WORDS (any order).
expect() {
	local got want
	got=$(offers "$1") || fail "completing '$1' failed"
	want=$(tr ' ' '\n' <<<"$2" | sort | paste -sd' ')
	[ "$got" = "$want" ] || fail "completing '$1': got '$got', expected '$want'"
}

# has "LINE" WORD...: completing LINE offers at least the WORDs.
has() {
	local line=$1 got
	shift
	got=" $(offers "$line") "
	for w in "$@"; do
		[[ $got == *" $w "* ]] || fail "completing '$line' does not offer '$w': got '$got'"
	done
}

mkdir -p "$TMP/files/reports"
touch "$TMP/files/campaigns.csv" "$TMP/files/calendar.txt"

expect "mldash " "migrate import sync forecast budget render demo-data doctor help"
expect "mldash s" "sync"
expect "mldash -" "-c --config -h --help -V --version"
expect "mldash --config " "calendar.txt campaigns.csv reports"
expect "mldash -c x.conf s" "sync"
expect "mldash sync " "campaigns ml"
expect "mldash --config x.conf sync m" "ml"
expect "mldash import cam" "campaigns.csv"
expect "mldash import campaigns.csv " "calendar.txt campaigns.csv reports"
expect "mldash help " "migrate import sync forecast budget render demo-data doctor help"
expect "mldash help fo" "forecast"
expect "mldash render " "roi-forecast roi-timeseries reach-ctr budget-recommendation budget-curves accuracy"
expect "mldash render budget-" "budget-recommendation budget-curves"
expect "mldash render accuracy --theme " "light dark"
expect "mldash render accuracy --metric r" "revenue roi reach"
expect "mldash render accuracy --window " "30 90"
expect "mldash render accuracy -o c" "calendar.txt campaigns.csv"
expect "mldash render accuracy --w" "--width --window"
expect "mldash render accuracy " ""
expect "mldash forecast --method " "combined ets"
expect "mldash forecast --events ca" "calendar.txt campaigns.csv"
expect "mldash forecast --horizon " ""
has "mldash forecast --" --horizon --period --levels --backtest --nonnegative --method --events --json
has "mldash budget --" --total --bounds --target-roi --marginal-floor --bound --freeze --opt-in --days \
	--adstock --curves --json
expect "mldash budget --total " ""
expect "mldash demo-data --out cam" "campaigns.csv"
expect "mldash demo-data --c" "--campaigns"
expect "mldash doctor --" "--url --user --help"
expect "mldash-scheduler --once " "campaign_sync ml_sync"
expect "mldash-scheduler --pidfile cal" "calendar.txt"
has "mldash-scheduler --" --foreground --pidfile --once --next --check-config --config --help --version
expect "mldash-fcgi -" "-c --config -h --help -V --version"
expect "mldash-fcgi --config ca" "calendar.txt campaigns.csv"
pass "completions of commands, options and their values"

# Every command in mldash --help (doctor may come later) and every long
# option of every program's --help is offered.
commands=$("$MLDASH" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
[ -n "$commands" ] || fail "no commands in mldash --help"
has "mldash " $commands
has "mldash -" $("$MLDASH" --help | sed -n '/^Options:/,$p' | grep -oE -- '--[a-z][a-z-]*' | sort -u)
for cmd in $commands; do
	[ "$cmd" = help ] && continue
	options=$("$MLDASH" "$cmd" --help | { grep -oE -- '--[a-z][a-z-]*' || true; } | sort -u)
	if [ -n "$options" ]; then has "mldash $cmd --" $options; fi
	has "mldash $cmd --" --help
done
has "mldash-scheduler --" $("$SCHEDULER" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
has "mldash-fcgi --" $("$FCGI" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
pass "every command and long option of mldash, mldash-scheduler and mldash-fcgi --help is completed"
