#!/bin/sh
# monitor.sh - command-file tests of the monitor.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# For each tests/monitor/NAME.cmd, run in tests/monitor
#     visa -q -n [ARGS] -x NAME.cmd GUEST...
# and compare stdout and stderr (merged) with NAME.out and the exit status
# with the expected one.  Header comments in NAME.cmd say how:
#     # guests: loop.s pf.s      the images (required)
#     # status: 1                the exit status (default 0)
#     # args: --max-instructions=100   more options
#     # mode: pipe               feed NAME.cmd to `visa -i` on stdin instead
# REGEN=1 writes NAME.out from the actual output (check it before committing).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
dir=$top_srcdir/tests/monitor
cd "$dir"

header() {   # header FIELD FILE: the value of "# FIELD: value"
  sed -n "s/^# $1: *//p" "$2" | head -n 1
}

for cmd in *.cmd; do
  name=${cmd%.cmd}
  guests=$(header guests "$cmd")
  want_status=$(header status "$cmd")
  args=$(header args "$cmd")
  mode=$(header mode "$cmd")
  : "${want_status:=0}"
  if [ -z "$guests" ]; then
    fail "$cmd: no '# guests:' line"
    continue
  fi
  # shellcheck disable=SC2086
  if [ "$mode" = pipe ]; then
    run_status "$VISA" -q -n $args -i $guests <"$cmd" >"$tmp/$name.out" 2>&1
  else
    run_status "$VISA" -q -n $args -x "$cmd" $guests </dev/null >"$tmp/$name.out" 2>&1
  fi
  if [ "${REGEN:-}" = 1 ]; then
    cp "$tmp/$name.out" "$name.out"
  fi
  if [ ! -f "$name.out" ]; then
    fail "$cmd: no $name.out"
    continue
  fi
  expect_file "$cmd" "$name.out" "$tmp/$name.out"
  expect_eq "$cmd exit status" "$want_status" "$status"
done
finish
