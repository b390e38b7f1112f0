#!/bin/sh
# failure.sh - broken and hostile input, end to end (the README's "When
# input is wrong"): a full disk under visa-as -o and under the history
# file, truncated images, garbage symbol files, a 1 MB command line, a
# guest that spins forever stopped by Ctrl-C, sixteen guests at once.
# What other tests already cover is not repeated here: an unwritable
# directory (asm-cli.sh), oversized and empty images, --max-instructions
# and Ctrl-C in batch mode (visa-batch.sh), `commands` cut off by the end
# of a file, deep `source` nesting and division by zero
# (tests/monitor/*.cmd), deep expressions (check_monitor.c).
# Checks that need privileges or tools the host lacks are skipped with a
# message, never failed.
# SPDX-License-Identifier: GPL-3.0-or-later
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
chmod 755 "$tmp"

skip() { echo "skip: $*"; }

# wait_for FILE PATTERN: wait (bounded, about 10 s) until FILE has a line
# matching PATTERN.
wait_for() {
  i=0
  while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 1000 ]; do
    i=$((i + 1)); sleep 0.01
  done
}

printf 'movi r0, 1\nmovi r1, 0x41\nhypercall\nhalt\n' >a.s
printf 'start: .space 16384\n' >big.s         # a 16 KiB image
printf 'precious image\n' >old.bin
printf 'precious symbols\n' >old.sym
printf 'old entry\n' >old.hist

# ---- A full disk ---------------------------------------------------------
# in_full_fs SCRIPT: run SCRIPT (sh) in a private mount namespace where
# $tmp/mnt is a 16 KiB tmpfs holding copies of old.bin (as out.bin),
# old.sym (as out.sym) and old.hist (as hist), then filled to the last block.  SCRIPT copies
# out what the checks need.  Status 77 when no such namespace can be made
# (no unshare, no user namespaces, no privileges).
in_full_fs() {
  mkdir -p mnt
  for how in "unshare -rm" "unshare -m"; do
    # shellcheck disable=SC2086
    if $how sh -c 'mount -t tmpfs -o size=16k tmpfs mnt' 2>/dev/null; then
      # shellcheck disable=SC2086
      $how sh -c 'set -e
        mount -t tmpfs -o size=16k tmpfs mnt
        cp old.bin mnt/out.bin; cp old.sym mnt/out.sym; cp old.hist mnt/hist
        dd if=/dev/zero of=mnt/fill bs=1k count=64 2>/dev/null || true
        [ "$(df -k mnt | awk "NR == 2 { print \$4 }")" = 0 ]
        '"$1"
      return $?
    fi
  done
  return 77
}

run_status in_full_fs '
  set +e
  "$VISA_AS" -o mnt/out.bin big.s 2>err; echo $? >rc
  cp mnt/out.bin after.bin; cp mnt/out.sym after.sym; ls -A mnt >after.ls'
if [ "$status" = 77 ]; then
  skip "visa-as -o on a full disk (cannot mount a small tmpfs here)"
else
  expect_eq "visa-as -o, full disk: status" 1 "$(cat rc)"
  expect_eq "visa-as -o, full disk: message" \
    "visa-as: mnt/out.bin: No space left on device" "$(cat err)"
  expect_file "visa-as -o, full disk: old image intact" old.bin after.bin
  expect_file "visa-as -o, full disk: old symbols intact" old.sym after.sym
  expect_eq "visa-as -o, full disk: no stray files" "fill hist out.bin out.sym" "$(echo $(cat after.ls))"
fi

# The same through a file-size limit (any user): the write fails midway.
cp old.bin lim.bin
cp old.sym lim.sym
run_status sh -c 'trap "" XFSZ; ulimit -f 8 && exec "$1" -o lim.bin big.s' sh "$VISA_AS" 2>err
expect_eq "visa-as -o past the file-size limit: status" 1 "$status"
expect_eq "visa-as -o past the file-size limit: message" \
  "visa-as: lim.bin: File too large" "$(cat err)"
expect_file "visa-as -o past the file-size limit: old image intact" old.bin lim.bin
expect_file "visa-as -o past the file-size limit: old symbols intact" old.sym lim.sym
if ls -A | grep -q '^\.'; then fail "stray temporary files: $(ls -A | grep '^\.')"; else pass; fi

# ---- The history file (kept only on a terminal: `script` gives one) ------
printf 'print 6*7\nquit\n' >typed
if ! command -v script >/dev/null 2>&1 ||
   ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
  skip "history file failures (no 'script' to make a terminal)"
else
  # A sanity check first: on a terminal the history is saved at all.
  cp old.hist ok.hist
  VISA_HISTFILE=$tmp/ok.hist script -qec "'$VISA' -i -n a.s" /dev/null <typed >tty.out 2>&1 || true
  grep -q '^print 6\*7' ok.hist && pass || fail "history not saved on a terminal: $(cat ok.hist)"

  run_status in_full_fs '
    set +e
    VISA_HISTFILE=$PWD/mnt/hist script -qec "\"$VISA\" -i -n a.s" /dev/null <typed >tty.out 2>&1
    cp mnt/hist after.hist; ls -A mnt >after.ls'
  if [ "$status" = 77 ]; then
    skip "history file on a full disk (cannot mount a small tmpfs here)"
  else
    grep -q "visa: warning: cannot save the history in $tmp/mnt/hist: No space left on device" tty.out &&
      pass || fail "history on a full disk: no warning: $(tail -n 2 tty.out)"
    expect_file "history on a full disk: old file intact" old.hist after.hist
    expect_eq "history on a full disk: no stray files" "fill hist out.bin out.sym" "$(echo $(cat after.ls))"
  fi

  # An unwritable directory: root writes anywhere, so run as nobody.
  mkdir ro
  cp old.hist ro/hist
  chmod 555 ro
  as_user=
  if touch ro/probe 2>/dev/null; then
    rm -f ro/probe
    if command -v setpriv >/dev/null 2>&1 &&
       setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$VISA"; then
      as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
      as_user=skip
    fi
  fi
  if [ "$as_user" = skip ]; then
    skip "history in an unwritable directory (root, and cannot run as nobody)"
  else
    chmod 644 a.s typed
    VISA_HISTFILE=$tmp/ro/hist HOME=$tmp script -qec "$as_user '$VISA' -i -n a.s" /dev/null <typed >tty.out 2>&1 || true
    grep -q "visa: warning: cannot save the history in $tmp/ro/hist: Permission denied" tty.out &&
      pass || fail "history in an unwritable directory: no warning: $(tail -n 2 tty.out)"
    expect_file "history in an unwritable directory: old file intact" old.hist ro/hist
    expect_eq "history in an unwritable directory: no stray files" hist "$(ls -A ro)"
  fi
  chmod 755 ro
fi

# ---- Images -------------------------------------------------------------
# Cut in the middle of an instruction: the missing bytes read as zero, so
# the guest runs what is there and stops on the illegal word (opcode 0).
printf 'movi r1, 1\nnop\nmovi r2, 0x1234\nhalt\n' >t.s
"$VISA_AS" -o t.bin t.s
head -c 10 t.bin >cut.bin
run_status "$VISA" cut.bin >out 2>err
expect_eq "truncated image: status" 1 "$status"
expect_eq "truncated image: summary" \
  "g1 cut.bin: BLOCKED on illegal at pc 0x0000000c, 3 instructions" "$(head -n 1 err)"

mkdir dir.bin
run_status "$VISA" dir.bin >out 2>err
expect_eq "image is a directory: status" 2 "$status"
expect_eq "image is a directory: message" "visa: dir.bin: Is a directory" "$(cat err)"

# Garbage in NAME.sym: each bad line is a FILE:LINE warning and is
# skipped, the good ones are used, and the guest runs as usual.
printf 'top: jmp top2\ntop2: halt\n' >s.s
"$VISA_AS" -o s.bin s.s
{
  printf '0x00000000 first\n'
  printf 'garbage\n'
  printf '0x\n'
  printf '0x123456789 too_big\n'
  printf '0x00000004\n'
  printf '0x00000004 two words\n'
  printf '\001\002\377\n'
  head -c 100000 /dev/zero | tr '\0' 'x'; printf '\n'
  printf '0x00000004 second # comment\n'
} >s.sym
run_status "$VISA" --trace s.bin >out 2>err
expect_eq "garbage .sym: status" 0 "$status"
cat >want <<'ERR'
s.sym:2: warning: expected '0xADDRESS NAME'
s.sym:3: warning: expected '0xADDRESS NAME'
s.sym:4: warning: address out of range
s.sym:5: warning: expected '0xADDRESS NAME'
s.sym:6: warning: unexpected text after the symbol name
s.sym:7: warning: expected '0xADDRESS NAME'
s.sym:8: warning: expected '0xADDRESS NAME'
ERR
grep 'warning' err >got || true
expect_file "garbage .sym: one warning per bad line" want got
grep -q 'jmp second$' out && pass || fail "garbage .sym: good symbols used: $(cat out)"

# ---- Command lines and command files ------------------------------------
# A 1 MB line is refused with FILE:LINE; the file stops there (on-error
# stop) and the exit status is 1.
{ printf 'echo before\n'; head -c 1048576 /dev/zero | tr '\0' 'p'; printf '\necho after\n'; } >long.cmd
run_status "$VISA" -q -x long.cmd a.s >out 2>err
expect_eq "1 MB line in a command file: status" 1 "$status"
expect_eq "1 MB line in a command file: runs up to it" "before" "$(cat out)"
expect_eq "1 MB line in a command file: message" \
  "long.cmd:2: error: line too long (1048576 bytes; the limit is 65536)" "$(cat err)"
# Typed (here through a pipe): refused, and the next line runs.
run_status "$VISA" -q -i a.s <long.cmd >out 2>err
expect_eq "1 MB line at the prompt: status" 1 "$status"
expect_eq "1 MB line at the prompt: the next line runs" "before
after" "$(cat out)"
grep -q 'line too long' err && pass || fail "1 MB line at the prompt: message: $(head -c 200 err)"
# -e with a 100 KB command (the most one argument may hold): the same.
run_status "$VISA" -q -e "$(head -c 100000 /dev/zero | tr '\0' 'p')" a.s >out 2>err
expect_eq "100 KB -e command: status" 1 "$status"
expect_eq "100 KB -e command: message" \
  "visa: error: line too long (100000 bytes; the limit is 65536)" "$(cat err)"
# White space other than blanks (form feed, vertical tab) splits words
# like a blank (it once made the monitor loop forever).
printf 'print\f6*7\necho\vok\n' >ws.cmd
run_status timeout 20 "$VISA" -q -x ws.cmd a.s >out 2>err
expect_eq "form feed and vertical tab in a command: status" 0 "$status"
expect_eq "form feed and vertical tab in a command: output" "0x0000002a (42)
ok" "$(cat out)"

# ---- A guest that spins forever, under the monitor -----------------------
# it prints a line (so the test knows it runs), then loops at 0x0c
printf 'movi r0, 2\nla r1, msg\nhypercall\nloop: jmp loop\nmsg: .asciz ".\\n"\n' >spin.s
printf 'continue\necho after\n' >spin.cmd
# From a command file: Ctrl-C stops the run and the file; status 1.
"$VISA" -q -x spin.cmd spin.s >out 2>err &
pid=$!
wait_for out '^\.$'
kill -INT $pid
set +e; wait $pid; status=$?; set -e
expect_eq "Ctrl-C in a command file: status" 1 "$status"
grep -q '^Interrupted\.$' out && pass || fail "Ctrl-C in a command file: stop report: $(cat out)"
expect_eq "Ctrl-C in a command file: the file stops" "spin.cmd:2: error: interrupted" "$(cat err)"
# At the monitor (reading a pipe): Ctrl-C returns to the prompt, the next
# command runs, the machine is intact.
mkfifo cmds
"$VISA" -q -i spin.s <cmds >out 2>err &
pid=$!
exec 3>cmds
printf 'continue\n' >&3
wait_for out '^\.$'
kill -INT $pid
printf 'echo after\nprint pc\nquit 5\n' >&3
exec 3>&-
set +e; wait $pid; status=$?; set -e
expect_eq "Ctrl-C at the monitor: quit status" 5 "$status"
grep -q '^after$' out && pass || fail "Ctrl-C at the monitor: next command did not run: $(cat out)"
grep -q '^0x0000000c (12)$' out && pass || fail "Ctrl-C at the monitor: pc is in the loop: $(cat out)"

# ---- Sixteen guests at once ------------------------------------------------
# Each echoes its own console input: 16 x 16 KiB fits in --host-mem=256K,
# and every guest sees exactly its input and exits 0.
printf 'li r8, -1\nnext: in r1, 0\njeq end, r1, r8\nout r1, 0\nb next\nend: halt\n' >echo.s
args=
: >want
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
  printf 'guest %s says hello %s' "$n" "$n" >in$n
  args="$args --input=$n:in$n"
  printf '[g%s] guest %s says hello %s\n' "$n" "$n" "$n" >>want
done
# shellcheck disable=SC2086
run_status "$VISA" -q --host-mem=256K $args \
  echo.s echo.s echo.s echo.s echo.s echo.s echo.s echo.s \
  echo.s echo.s echo.s echo.s echo.s echo.s echo.s echo.s >out 2>err
expect_eq "sixteen guests: status" 0 "$status"
sort -t']' -k1.3n out >got
expect_file "sixteen guests: each echoes its own input" want got
# One frame short: the sixteenth guest does not fit, and --host-mem is named.
# shellcheck disable=SC2086
run_status "$VISA" -q --host-mem=252K $args \
  echo.s echo.s echo.s echo.s echo.s echo.s echo.s echo.s \
  echo.s echo.s echo.s echo.s echo.s echo.s echo.s echo.s >out 2>err
expect_eq "sixteen guests in too little memory: status" 2 "$status"
expect_eq "sixteen guests in too little memory: message" \
  "visa: echo.s: not enough host memory for another guest (see --host-mem)" "$(cat err)"
# Seventeen: refused before anything runs, naming the first one too many.
# shellcheck disable=SC2086
run_status "$VISA" -q --host-mem=1M a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s a.s dir.bin >out 2>err
expect_eq "seventeen guests: status" 2 "$status"
expect_eq "seventeen guests: message" "visa: too many guests (dir.bin; at most 16)" "$(head -n 1 err)"

finish
