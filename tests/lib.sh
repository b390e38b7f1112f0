# tests/lib.sh - shared helpers for the shell tests (sourced).
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${VISA:=$top_builddir/visa}"
: "${VISA_AS:=$top_builddir/visa-as}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/visa-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then pass; else
    fail "$1: expected '$2', got '$3'"
  fi
}

# expect_file NAME EXPECTED-FILE ACTUAL-FILE: identical, else show a diff.
expect_file() {
  if cmp -s "$2" "$3"; then pass; else
    fail "$1: output differs from $2"
    diff -u "$2" "$3" | head -40 || true
  fi
}

# run_status CMD...: run CMD, store its exit status in $status.
run_status() {
  set +e
  "$@"
  status=$?
  set -e
}

finish() {
  echo "$checks passed, $failures failed"
  [ "$failures" -eq 0 ]
}
