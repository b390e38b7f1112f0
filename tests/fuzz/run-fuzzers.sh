#!/bin/sh
# run-fuzzers.sh - run libFuzzer targets for a bounded time each.
# Usage: run-fuzzers.sh SRCDIR BUILDDIR OUTDIR SECONDS TARGET...
# Each tests/fuzz/fuzz_TARGET of BUILDDIR runs SECONDS seconds on
# OUTDIR/corpus/TARGET (grown) and SRCDIR/tests/fuzz/corpus/TARGET (the
# seeds, read only, with the directories its SEEDS file lists), with
# tests/fuzz/dict/TARGET.dict.  A crash, leak, timeout or sanitizer report
# leaves OUTDIR/TARGET-crash-* (or -leak-, -timeout-) and makes the exit
# status 1: add that input to
# tests/fuzz/regress/TARGET once it is fixed.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
[ $# -ge 5 ] || { echo "usage: $0 SRCDIR BUILDDIR OUTDIR SECONDS TARGET..." >&2; exit 2; }
src=$1 build=$2 out=$3 secs=$4
shift 4
mkdir -p "$out" || exit 1
failed=
for t in "$@"; do
    bin=$build/tests/fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; exit 1; }
    mkdir -p "$out/corpus/$t"
    case $t in
        cmdfile) dict=$src/tests/fuzz/dict/monitor.dict ;;
        load) dict=$src/tests/fuzz/dict/asm.dict ;;
        *) dict=$src/tests/fuzz/dict/$t.dict ;;
    esac
    seeds=
    if [ -f "$src/tests/fuzz/corpus/$t/SEEDS" ]; then
        for d in $(grep -v '^#' "$src/tests/fuzz/corpus/$t/SEEDS"); do
            seeds="$seeds $src/$d"
        done
    fi
    # shellcheck disable=SC2086
    set -- -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$out/$t-" \
        "$out/corpus/$t" "$src/tests/fuzz/corpus/$t" $seeds
    [ -f "$dict" ] && set -- -dict="$dict" "$@"
    printf 'fuzz: %-8s %ss ... ' "$t" "$secs"
    if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
        "$bin" "$@" >"$out/$t.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
        cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -n 1)
        echo "ok ($runs runs, $cov)"
    else
        echo "FAILED (log: $out/$t.log)"
        grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|Test unit written' "$out/$t.log" | head -n 8
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failures in:$failed" >&2
    exit 1
fi
exit 0
