#!/bin/sh
# examples.sh - every bundled example runs with its expected output,
# summary and exit status (tests/batch/NAME.out, NAME.err).  The expected
# instruction and exit counts were worked out by hand from the sources.
# SPDX-License-Identifier: GPL-3.0-or-later
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
cd "$top_srcdir"
want=tests/batch

check() { # check NAME STATUS IMAGE...
  name=$1 want_status=$2; shift 2
  run_status "$VISA" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  expect_eq "$name: exit status" "$want_status" "$status"
  expect_file "$name: console output" "$want/$name.out" "$tmp/$name.out"
  expect_file "$name: summary" "$want/$name.err" "$tmp/$name.err"
}

check hello 0 examples/hello.s
check recursion 0 examples/recursion.s
check array-sum 0 examples/array-sum.s
check paging 0 examples/paging.s
check pagefault 1 examples/pagefault.s
check privileged 1 examples/privileged.s
check illegal 1 examples/illegal.s
check stale-tlb 0 examples/stale-tlb.s
check two-guests 0 examples/two-guests.s examples/two-guests.s

# The same guests from assembled .bin images (with .sym files) behave the same.
for name in hello recursion stale-tlb; do
  "$VISA_AS" -o "$tmp/$name.bin" "examples/$name.s"
  run_status "$VISA" -q "$tmp/$name.bin" >"$tmp/$name.bin.out" 2>&1
  expect_file "$name.bin: console output" "$want/$name.out" "$tmp/$name.bin.out"
done

# The README's example: two different guests, interleaved with prefixes.
run_status "$VISA" -q examples/two-guests.s examples/hello.s >"$tmp/mixed.out" 2>&1
expect_eq "two-guests + hello status" 0 "$status"
expect_eq "two-guests + hello lines" 7 "$(wc -l <"$tmp/mixed.out" | tr -d ' ')"
grep -q '^\[g2\] Hello again, through the puts hypercall\.$' "$tmp/mixed.out" && pass ||
  fail "hello's line prefixed [g2]"

finish
