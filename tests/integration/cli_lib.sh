# Helpers for the tests of mldash's subcommands run without a stack:
# sourced, never run. MLDASH is the built CLI, TMP a folder removed at exit.
set -euo pipefail
MLDASH=${MLDASH_BUILD_DIR:?}/cli/mldash
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
pass() { printf 'ok: %s\n' "$*"; }
