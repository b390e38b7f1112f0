#!/bin/sh
# visa-batch.sh - the `visa` command line and batch mode (monitor.md
# "Command line", machine.md 7a): options, output, summary, exit status.
# SPDX-License-Identifier: GPL-3.0-or-later
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
cd "$tmp"
ex=$top_srcdir/examples

# --help and --version: GNU style, exit 0.
run_status "$VISA" --help >out 2>err
expect_eq "--help status" 0 "$status"
grep -q '^Usage: visa \[OPTION\]\.\.\. IMAGE\.\.\.' out && pass || fail "--help usage line"
grep -q -- '--max-instructions=N' out && pass || fail "--help lists --max-instructions"
# Every example named in --help exists.
for f in $(grep -o 'examples/[a-z0-9-]*\.s' out); do
  [ -f "$top_srcdir/$f" ] && pass || fail "--help names $f, which does not exist"
done
run_status "$VISA" --version >out 2>err
expect_eq "--version status" 0 "$status"
grep -q '^visa (vISA) ' out && pass || fail "--version line"

# Usage errors: status 2 and a hint.
for args in "" "--bogus x.s" "-s 0 x.s" "--host-mem=3K x.s" "--max-instructions=-1 x.s" "--color=pink x.s"; do
  # shellcheck disable=SC2086
  run_status "$VISA" $args >out 2>err
  expect_eq "usage error '$args' status" 2 "$status"
  grep -q "Try 'visa --help'" err && pass || fail "usage error '$args' hint"
done

# Load errors: status 2, the file named.
run_status "$VISA" nonexistent.bin >out 2>err
expect_eq "missing image status" 2 "$status"
expect_eq "missing image message" "visa: nonexistent.bin: No such file or directory" "$(cat err)"
: >empty.bin
run_status "$VISA" empty.bin >out 2>err
expect_eq "empty image status" 2 "$status"
expect_eq "empty image message" "visa: empty.bin: image is empty" "$(cat err)"
head -c 16385 /dev/zero >big.bin
run_status "$VISA" big.bin >out 2>err
expect_eq "oversized image status" 2 "$status"
grep -q 'big.bin: image is larger than 16 KiB' err && pass || fail "oversized image message: $(cat err)"
head -c 16384 /dev/zero >full.bin            # exactly 16 KiB is allowed
run_status "$VISA" -q full.bin >out 2>err
expect_eq "16 KiB image runs (and blocks on opcode 0)" 1 "$status"
printf 'movi r1, 300000\n' >bad.s
run_status "$VISA" bad.s >out 2>err
expect_eq "assembly error status" 2 "$status"
grep -q '^bad.s:1:[0-9]*: error: ' err && pass || fail "assembly error is FILE:LINE:COL: $(cat err)"

# Host memory: four guests fit in 64K, a fifth names --host-mem.
printf 'halt\n' >h.s
run_status "$VISA" -q h.s h.s h.s h.s >out 2>err
expect_eq "four guests in 64K" 0 "$status"
run_status "$VISA" -q h.s h.s h.s h.s h.s >out 2>err
expect_eq "fifth guest status" 2 "$status"
grep -q -- '--host-mem' err && pass || fail "fifth guest names --host-mem: $(cat err)"
run_status "$VISA" -q --host-mem=80K h.s h.s h.s h.s h.s >out 2>err
expect_eq "five guests in 80K" 0 "$status"
run_status "$VISA" -q --host-mem=1M h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s >out 2>err
expect_eq "sixteen guests" 0 "$status"
run_status "$VISA" -q --host-mem=1M h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s h.s >out 2>err
expect_eq "seventeen guests status" 2 "$status"

# Exit status: halt is 0, exit(N) is N != 0 -> 1, blocked -> 1.
printf 'movi r0, 4\nmovi r1, 3\nhypercall\n' >exit3.s
run_status "$VISA" exit3.s >out 2>err
expect_eq "exit code 3 -> status 1" 1 "$status"
grep -q '^g1 exit3.s: STOPPED, exit code 3, 3 instructions$' err && pass || fail "summary of exit(3): $(cat err)"
run_status "$VISA" -q exit3.s h.s >out 2>err
expect_eq "-q: no summary" "" "$(cat err)"

# --max-instructions stops a guest that spins forever: status 1, RUNNING.
printf 'loop: jmp loop\n' >spin.s
run_status "$VISA" --max-instructions=1000 spin.s >out 2>err
expect_eq "spinning guest stopped by budget" 1 "$status"
grep -q '^g1 spin.s: RUNNING, 1000 instructions$' err && pass || fail "budget summary: $(cat err)"
grep -q '^  exits: timer 500$' err && pass || fail "500 timer exits in 1000 instructions: $(cat err)"

# One guest: exactly what it wrote; a partial last line is not completed.
printf 'movi r0, 1\nmovi r1, 0x41\nhypercall\nhalt\n' >a.s
run_status "$VISA" -q a.s >out 2>err
expect_eq "one guest raw output" "A" "$(cat out)"
expect_eq "no newline added for one guest" 1 "$(wc -c <out | tr -d ' ')"
# Several guests: [gN] prefixes; partial lines flushed with a newline.
run_status "$VISA" -q a.s a.s >out 2>err
printf '[g1] A\n[g2] A\n' >want
expect_file "two guests, partial lines" want out

# --input feeds guest console input; without it, reads give 0xFFFFFFFF.
cat >echo.s <<'SRC'
        movi    r9, 0
        li      r8, 0xFFFFFFFF
loop:   in      r1, 0
        jeq     done, r1, r8
        out     r1, 0
        jmp     loop
done:   halt
SRC
printf 'abc\n' >in.txt
run_status "$VISA" -q --input=in.txt echo.s >out 2>err
expect_eq "--input echo" "abc" "$(cat out)"
run_status "$VISA" -q --input=2:in.txt echo.s echo.s >out 2>err
printf '[g2] abc\n' >want
expect_file "--input=2:FILE goes to guest 2 only" want out
printf 'xyz' | "$VISA" -q --input=- echo.s >out 2>err
expect_eq "--input=- reads stdin" "xyz" "$(cat out)"
run_status "$VISA" -q echo.s >out 2>err
expect_eq "no input: nothing echoed" "" "$(cat out)"

# --trace prints each instruction once it has completed (so after the
# output it made; a faulting instruction is not traced).
run_status "$VISA" -q --trace a.s >out 2>err
cat >want <<'OUT'
[g1] 0x00000000:  0d 00 00 01  movi r0, 1
[g1] 0x00000004:  0d 01 00 41  movi r1, 65
A[g1] 0x00000008:  21 00 00 00  hypercall
[g1] 0x0000000c:  ff 00 00 00  halt
OUT
expect_file "--trace" want out

# A .bin with its .sym beside it, and -s changing the slice.
"$VISA_AS" -o spin.bin spin.s
run_status "$VISA" -s 10 --max-instructions=100 spin.bin >out 2>err
grep -q '^  exits: timer 10$' err && pass || fail "slice 10: $(cat err)"

# Ctrl-C in batch mode: summary and status 130 (the signal is sent only
# once the run has started: the guest writes to its console first).
cat >spin2.s <<'SRC'
        movi    r0, 1
        movi    r1, 0x2e
        hypercall
        movi    r1, 10
        hypercall
loop:   jmp     loop
SRC
"$VISA" spin2.s >out 2>err &
pid=$!
i=0
while [ ! -s out ] && [ $i -lt 1000 ]; do i=$((i + 1)); sleep 0.01; done
kill -INT $pid
set +e; wait $pid; status=$?; set -e
expect_eq "Ctrl-C status" 130 "$status"
grep -q '^g1 spin2.s: RUNNING' err && pass || fail "Ctrl-C prints the summary: $(cat err)"

# ~/.visarc: read with -i (before -x and -e, as gdb reads its init file),
# skipped with -n, never read without -i.
mkdir home
printf 'echo visarc ran\n' >home/.visarc
printf 'echo x file ran\n' >x.cmd
out=$(printf 'quit 3\n' | HOME=$tmp/home "$VISA" -i -q -x x.cmd -e 'echo e ran' h.s 2>&1) && status=0 || status=$?
expect_eq "-i reads ~/.visarc first" "visarc ran
x file ran
e ran" "$out"
expect_eq "quit 3 from piped input" 3 "$status"
out=$(printf 'quit\n' | HOME=$tmp/home "$VISA" -i -n -q h.s 2>&1)
expect_eq "-n skips ~/.visarc" "" "$out"
out=$(HOME=$tmp/home "$VISA" -q -x x.cmd h.s 2>&1)
expect_eq "no ~/.visarc without -i" "x file ran" "$out"

# A failing command in a -x file stops the -e commands too (on-error stop);
# with `set on-error continue` they run.
printf 'nosuchcommand\n' >bad.cmd
run_status "$VISA" -q -x bad.cmd -e 'echo after' h.s >out 2>err
expect_eq "-x failure stops -e: status" 1 "$status"
expect_eq "-x failure stops -e: output" "" "$(cat out)"
expect_eq "-x failure message" "bad.cmd:1: error: unknown command 'nosuchcommand'; try 'help'" "$(cat err)"
printf 'set on-error continue\n' >cont.cmd
run_status "$VISA" -q -x cont.cmd -x bad.cmd -e 'echo after' h.s >out 2>err
expect_eq "on-error continue: -e runs" "after" "$(cat out)"
expect_eq "on-error continue: status still 1" 1 "$status"

finish
