#!/usr/bin/env bash
# The man pages (man/): man and groff format them without a single warning,
# and they stay true to the code: every configuration key of lib/config.c
# with its type's range, its default and its MLDASH_SECTION_KEY variable in
# mldash.conf(5); every command of `mldash --help` as a subsection of
# mldash(1) with each long option of its usage; every long option of the
# daemons (their --help and their option tables, hidden ones too) in their
# pages.
#
# usage: test_manpages.sh [MAN_DIR]   (MLDASH_BUILD_DIR: the build folder)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
man_dir=${1:-$src/man}
build=${MLDASH_BUILD_DIR:-$src/build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for tool in man groff python3; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is missing (deploy/install-deps.sh installs man-db, groff-base)"; exit 1; }
done
for bin in cli/mldash fcgi/mldash-fcgi scheduler/mldash-scheduler; do
	[ -x "$build/$bin" ] || { echo "FAIL: $build/$bin is not built"; exit 1; }
done

pages="mldash.1 mldash.conf.5 mldash-fcgi.8 mldash-scheduler.8"

# 1. Formatting: any output on standard error is a failure (man --warnings
# reports through troff's stderr and still exits 0).
for page in $pages; do
	f=$man_dir/$page
	[ -f "$f" ] || { fail "$page: missing"; continue; }
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" >/dev/null 2>"$TMP/err"
	[ -s "$TMP/err" ] && fail "$page: man --warnings: $(cat "$TMP/err")"
	groff -man -ww -z "$f" 2>"$TMP/err"
	[ -s "$TMP/err" ] && fail "$page: groff -man -ww: $(cat "$TMP/err")"
done

# 2. What the programs say about themselves, for the consistency checks.
# --help needs no configuration; an empty environment keeps the host's
# MLDASH_* out.
mkdir -p "$TMP/help"
run() { env -i PATH=/usr/bin:/bin "$@"; }
run "$build/cli/mldash" --help >"$TMP/help/mldash" 2>&1 || fail "mldash --help failed"
sed -n '/^Commands:/,/^$/p' "$TMP/help/mldash" | awk 'NF && $1 != "Commands:" { print $1 }' \
	>"$TMP/commands"
[ -s "$TMP/commands" ] || fail "no commands in mldash --help"
while read -r cmd; do
	run "$build/cli/mldash" "$cmd" --help >"$TMP/help/cmd.$cmd" 2>&1 || fail "mldash $cmd --help failed"
done <"$TMP/commands"
run "$build/fcgi/mldash-fcgi" --help >"$TMP/help/fcgi" 2>&1 || fail "mldash-fcgi --help failed"
run "$build/scheduler/mldash-scheduler" --help >"$TMP/help/scheduler" 2>&1 ||
	fail "mldash-scheduler --help failed"

python3 - "$src" "$man_dir" "$TMP" <<'PY' || failures=$((failures + 1))
import os, re, sys

src, man_dir, tmp = sys.argv[1:4]
problems = []


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def plain(roff):
    """roff source made searchable: no quotes, escapes as the characters."""
    s = roff.replace("\\%", "").replace("\\(en", "-").replace("\\-", "-").replace("\\&", "")
    s = re.sub(r"\\f[BIRP]", "", s).replace('"', "")
    s = re.sub(r"[ \t]+", " ", s)
    return s.replace(" )", ")")


# --- mldash.conf(5): every key of lib/config.c ---------------------------
config_c = read(os.path.join(src, "lib/config.c"))
table = config_c[config_c.index("config_keys[] = {"):]
table = table[:table.index("};")]
keys = []  # (section, key, type, min, max)
for m in re.finditer(r'(STR_KEY|TYPED_KEY|INT_KEY|BOOL_KEY)\("(\w+)", "(\w+)"([^)]*)\)', table):
    kind, sec, key, rest = m.groups()
    lo = hi = None
    if kind == "INT_KEY":
        lo, hi = re.findall(r"(-?\d+)", rest.split(",", 1)[1])[-2:]
    keys.append((sec, key, kind, lo, hi))
for m in re.finditer(r'\{ "(\w+)", "(\w+)", (KEY_\w+)', table):
    keys.append((m.group(1), m.group(2), m.group(3), None, None))
if len(keys) != table.count('", "'):
    problems.append("lib/config.c: the test read %d keys of %d in the table: teach it the new form"
                    % (len(keys), table.count('", "')))
# Keys of branches in flight (issue #18): the page has them before the code.
for sec, key in (("database", "password_file"), ("log", "file")):
    if not any(k[0] == sec and k[1] == key for k in keys):
        keys.append((sec, key, "STR_KEY", None, None))

# Defaults, from config_defaults(); a key it does not set is empty.
body = config_c[config_c.index("void config_defaults"):]
body = body[:body.index("\n}\n")]
macros = {"MLDASH_DEFAULT_MIGRATIONS_DIR": "/usr/share/mldash/migrations",  # Debian: prefix /usr
          "LOG_LEVEL_INFO": "info", "LOG_LEVEL_DEBUG": "debug",
          "LOG_LEVEL_WARN": "warn", "LOG_LEVEL_ERROR": "error"}
defaults = {}
for m in re.finditer(r'snprintf\(cfg->(\w+)\.(\w+),\s*[^,]+,\s*"([^"]*)"(?:,\s*(\w+))?\);', body):
    sec, key, fmt, arg = m.groups()
    if arg is not None:
        if fmt != "%s" or arg not in macros:
            problems.append("config_defaults: %s.%s: unknown form, teach the test" % (sec, key))
            continue
        fmt = macros[arg]
    defaults[(sec, key)] = fmt
for m in re.finditer(r"cfg->(\w+)\.(\w+) = ([^;]+);", body):
    sec, key, expr = m.groups()
    expr = expr.strip()
    if expr in macros:
        defaults[(sec, key)] = macros[expr]
    elif re.fullmatch(r"[\d\s<>()*+]+", expr):
        defaults[(sec, key)] = str(eval(expr))
    else:
        problems.append("config_defaults: %s.%s = %s: unknown form, teach the test" % (sec, key, expr))

conf = read(os.path.join(man_dir, "mldash.conf.5")).replace("\\%", "")
# The page's entries: per section (.SH "[section]"), per .TP item.
entries = {}
section = None
for chunk in re.split(r"\n(?=\.(?:SH|TP)\b)", conf):
    m = re.match(r'\.SH "?\[(\w+)\]"?', chunk)
    if m:
        section = m.group(1)
        continue
    if chunk.startswith(".SH"):
        section = None
        continue
    m = re.match(r"\.TP\n\.BR (\w+) ", chunk)
    if chunk.startswith(".TP") and section and m:
        entries[(section, m.group(1))] = plain(chunk)
for sec, key, kind, lo, hi in keys:
    name = "%s.%s" % (sec, key)
    entry = entries.get((sec, key))
    if entry is None:
        problems.append("mldash.conf.5: no entry for %s in its [%s] section" % (name, sec))
        continue
    var = "MLDASH_%s_%s" % (sec.upper(), key.upper())
    if var not in entry:
        problems.append("mldash.conf.5: %s does not name %s" % (name, var))
    default = defaults.get((sec, key), "") if kind != "BOOL_KEY" else \
        ("true" if defaults.get((sec, key)) == "1" else "false")
    want = "default %s)" % (default if default else "empty")
    if want not in entry.split("\n", 2)[1]:
        problems.append("mldash.conf.5: %s: expected '%s' in its heading, got: %s"
                        % (name, want, entry.split("\n", 2)[1]))
    if kind == "INT_KEY" and "integer %s-%s" % (lo, hi) not in entry:
        problems.append("mldash.conf.5: %s: range %s-%s not stated" % (name, lo, hi))
for sec, key in entries:
    if not any(k[0] == sec and k[1] == key for k in keys):
        problems.append("mldash.conf.5: %s.%s is not a key of lib/config.c" % (sec, key))

def items(text):
    """The headings of a text's .TP items: where an option is described,
    not merely shown in a synopsis."""
    return "\n".join(re.findall(r"^\.TP\n(.*)$", text, re.M))


def described(opt, text):
    return re.search(re.escape(opt) + r"\b", items(text)) is not None


# --- mldash(1): every command, each with its options ----------------------
page = plain(read(os.path.join(man_dir, "mldash.1")))
sections = {}
for chunk in re.split(r"\n(?=\.S[SH] )", page):
    m = re.match(r"\.SS (\S+)", chunk)
    if m:
        sections[m.group(1)] = chunk
commands = read(os.path.join(tmp, "commands")).split()
for cmd in commands + ["doctor"]:  # doctor: issue #18, on its way
    if cmd not in sections:
        problems.append("mldash.1: no subsection (.SS) for command '%s'" % cmd)
        continue
    helpfile = os.path.join(tmp, "help", "cmd." + cmd)
    opts = set()
    if cmd != "help" and os.path.exists(helpfile):  # help --help is the global usage
        opts = set(re.findall(r"(--[a-z][a-z-]*)", read(helpfile)))
    if cmd == "doctor":
        opts |= {"--url", "--user"}
    opts.discard("--help")
    for opt in sorted(opts):
        if not described(opt, sections[cmd]):
            problems.append("mldash.1: command %s: option %s not documented" % (cmd, opt))
# The option tables of the commands with a file of their own, hidden ones too.
for fname, cmd in (("forecast.c", "forecast"), ("budget.c", "budget"), ("render.c", "render")):
    for opt in re.findall(r'\{ "([a-z-]+)", (?:no|required|optional)_argument',
                          read(os.path.join(src, "cli", fname))):
        if opt != "help" and not described("--" + opt, sections.get(cmd, "")):
            problems.append("mldash.1: command %s: option --%s (cli/%s) not documented" % (cmd, opt, fname))
global_help = read(os.path.join(tmp, "help", "mldash"))
for opt in sorted(set(re.findall(r"(--[a-z][a-z-]*)", global_help))):
    if not described(opt, page):
        problems.append("mldash.1: global option %s not documented" % opt)

# --- the daemons: --help and their option tables --------------------------
for pagename, helpname, source in (("mldash-fcgi.8", "fcgi", "fcgi/main.c"),
                                   ("mldash-scheduler.8", "scheduler", "scheduler/main.c")):
    text = plain(read(os.path.join(man_dir, pagename)))
    opts = set(re.findall(r"(--[a-z][a-z-]*)", read(os.path.join(tmp, "help", helpname))))
    opts |= {"--" + o for o in re.findall(r'\{ "([a-z-]+)", (?:no|required|optional)_argument',
                                           read(os.path.join(src, source)))}
    for opt in sorted(opts):
        if not described(opt, text):
            problems.append("%s: option %s not documented" % (pagename, opt))

# --- cross references ------------------------------------------------------
names = {"mldash.1": "mldash (1)", "mldash.conf.5": "mldash.conf (5)",
         "mldash-fcgi.8": "mldash-fcgi (8)", "mldash-scheduler.8": "mldash-scheduler (8)"}
for pagename in names:
    text = read(os.path.join(man_dir, pagename)).replace("\\%", "")
    see = text[text.index(".SH SEE ALSO"):] if ".SH SEE ALSO" in text else ""
    for other, ref in names.items():
        if other != pagename and ".BR %s" % ref not in see:
            problems.append("%s: SEE ALSO lacks %s" % (pagename, ref.replace(" ", "")))

for p in problems:
    print("FAIL:", p)
print("checked %d keys, %d commands, 4 pages" % (len(keys), len(commands) + 1))
sys.exit(1 if problems else 0)
PY

if [ $failures -ne 0 ]; then
	echo "test_manpages: $failures failure(s)"
	exit 1
fi
echo "PASS: man pages format cleanly and match the code"
