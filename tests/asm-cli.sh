#!/bin/sh
# asm-cli.sh - the visa-as command: output files, listing, diagnostics,
# exit statuses, atomic output and the disassembler round trip.
# Environment: VISA_AS (the built binary), top_srcdir.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

: "${VISA_AS:?}" "${top_srcdir:?}"
[ -x "$VISA_AS" ] || { echo "asm-cli: $VISA_AS not built"; exit 77; }
data=$top_srcdir/tests/asm

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT HUP INT TERM
cd "$tmp"
cp "$data/prog.s" "$data/errors.s" .

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# run STATUS CMD...: run CMD with stdout in out, stderr in err; check STATUS.
run() {
    rc_want=$1; shift
    set +e
    "$@" >out 2>err
    rc_got=$?
    set -e
    if [ "$rc_got" -ne "$rc_want" ]; then
        fail "'$*' exited $rc_got, expected $rc_want"; sed 's/^/  stderr: /' err
        return 1
    fi
}

# same FILE EXPECTED WHAT: FILE must have exactly EXPECTED's content.
same() {
    if cmp -s "$1" "$2"; then ok "$3"; else fail "$3"; diff -u "$2" "$1" | head -20 || true; fi
}

hexdump() { od -An -tx1 -v "$1"; }

# ---- -o, default name, .sym, listing -----------------------------------
if run 0 "$VISA_AS" -o out.bin prog.s; then
    hexdump out.bin >out.hex
    same out.hex "$data/prog.hex" "-o writes the image"
    same out.sym "$data/prog.sym" "-o writes OUT.sym beside it"
    [ -s out ] && fail "nothing on stdout without -l" || ok "quiet without -l"
fi
if run 0 "$VISA_AS" prog.s; then
    hexdump prog.bin >prog.hex
    same prog.hex "$data/prog.hex" "default output is FILE.bin"
    same prog.sym "$data/prog.sym" "default symbols are FILE.sym"
fi
if run 0 "$VISA_AS" -l -o l.bin prog.s; then
    same out "$data/prog.lst" "-l prints the listing"
fi
if run 0 "$VISA_AS" --listing --output=long.img prog.s; then
    same out "$data/prog.lst" "--listing --output="
    [ -f long.img ] && [ -f long.sym ] && ok "--output=OUT with another extension" ||
        fail "--output=long.img did not write long.img and long.sym"
fi
mkdir sub.d
if run 0 "$VISA_AS" -o sub.d/noext prog.s; then
    [ -f sub.d/noext ] && [ -f sub.d/noext.sym ] && ok "extension added when OUT has none" ||
        fail "-o sub.d/noext did not write sub.d/noext.sym"
fi
if run 0 "$VISA_AS" -o stdin.bin - <prog.s; then
    same stdin.bin prog.bin "'-' reads standard input"
fi

# ---- Errors: exact format, status 1, outputs untouched ------------------
printf 'precious image\n' >keep.bin
printf 'precious symbols\n' >keep.sym
cp keep.bin keep.bin.orig
cp keep.sym keep.sym.orig
if run 1 "$VISA_AS" -o keep.bin errors.s; then
    same err "$data/errors.err" "diagnostics: FILE:LINE:COL, source line, caret (tabs kept)"
    same keep.bin keep.bin.orig "failed assembly leaves the old image untouched"
    same keep.sym keep.sym.orig "failed assembly leaves the old symbols untouched"
fi
if run 1 "$VISA_AS" errors.s; then
    [ -e errors.bin ] || [ -e errors.sym ] && fail "failed assembly created output" ||
        ok "failed assembly creates no output"
fi
if run 1 "$VISA_AS" -o e.bin - <errors.s; then
    head -n 1 err >err1
    printf '%s\n' '<stdin>:2:17: error: value 70000 out of range for imm16 (0..65535)' >want1
    same err1 want1 "standard input is named <stdin>"
fi

# An output that cannot be replaced (a directory in the way) changes nothing.
mkdir blocked.sym
if run 1 "$VISA_AS" -o blocked.bin prog.s; then
    printf '%s\n' "visa-as: blocked.sym: Is a directory" >want
    same err want "unreplaceable .sym is reported"
    [ -e blocked.bin ] && fail "image written although the .sym could not be" ||
        ok "nothing written when one output cannot be"
fi
cp keep.bin.orig blocked2.bin
mkdir blocked2.sym
run 1 "$VISA_AS" -o blocked2.bin prog.s &&
    same blocked2.bin keep.bin.orig "existing image kept when the .sym cannot be written"

# Unwritable directory.  Root writes anywhere, so as root run the command
# as nobody when setpriv can, else skip this one check.
mkdir ro
cp keep.bin.orig ro/out.bin
chmod 555 ro
as_user=
if touch ro/probe 2>/dev/null; then
    rm -f ro/probe
    chmod 755 "$tmp"
    chmod 644 prog.s
    if command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups "$VISA_AS" --version >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$tmp/prog.s"
    then
        as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
        as_user=skip
    fi
fi
if [ "$as_user" = skip ]; then
    echo "skip: unwritable directory (root, and cannot run as nobody)"
elif run 1 $as_user "$VISA_AS" -o ro/out.bin prog.s; then
    printf '%s\n' "visa-as: ro/out.bin: Permission denied" >want
    same err want "unwritable directory is reported"
    same ro/out.bin keep.bin.orig "unwritable directory: old image untouched"
    [ "$(ls -A ro)" = out.bin ] && ok "unwritable directory: no stray files" ||
        fail "unwritable directory: stray files: $(ls -A ro)"
fi
chmod 755 ro
if run 1 "$VISA_AS" -o missing/out.bin prog.s; then
    printf '%s\n' "visa-as: missing/out.bin: No such file or directory" >want
    same err want "missing output directory is reported"
fi
if run 1 "$VISA_AS" nope.s; then
    printf '%s\n' "visa-as: nope.s: No such file or directory" >want
    same err want "unreadable input is reported"
fi
if run 1 "$VISA_AS" -o prog.s prog.s; then
    same prog.s "$data/prog.s" "output never overwrites the input"
fi
# No temporary files are left behind by any of the above.
if ls -A | grep -q '^\.'; then fail "stray temporary files: $(ls -A | grep '^\.')"; else
    ok "no temporary files left"; fi

# ---- Options -------------------------------------------------------------
if run 0 "$VISA_AS" --help; then
    head -n 1 out | grep -q '^Usage: visa-as \[OPTION\]\.\.\. FILE$' && ok "--help" ||
        fail "--help first line: $(head -n 1 out)"
fi
if run 0 "$VISA_AS" -V; then
    head -n 1 out | grep -q '^visa-as (vISA) [0-9]' && grep -q 'GPL-3.0-or-later' out &&
        ok "--version" || fail "--version: $(cat out)"
fi
run 0 "$VISA_AS" --version && ok "--version exits 0"

usage() {
    msg=$1; shift
    if run 2 "$VISA_AS" "$@"; then
        printf '%s\n%s\n' "visa-as: $msg" "Try 'visa-as --help' for more information." >want
        same err want "usage error: $*"
    fi
}
usage "unrecognized option '--frob'" --frob prog.s
usage "invalid option -- 'x'" -x prog.s
usage "option '-o' requires an argument" prog.s -o
usage "no input file"
usage "extra operand 'b.s'" a.s b.s
usage "reading standard input needs -o OUT" -
usage "--disassemble cannot be combined with --output or --listing" -d prog.bin -o x.bin

# ---- Disassembly round trip ---------------------------------------------
if run 0 "$VISA_AS" -d prog.bin; then
    mv out dis.s
    grep -q '^LOOP:$' dis.s && grep -q 'call INC_FUNC' dis.s && ok "-d uses the .sym labels" ||
        fail "-d without the .sym labels"
    run 0 "$VISA_AS" -o re.bin dis.s && same re.bin prog.bin "-d output re-assembles to the same bytes"
fi
cp prog.bin nosym.bin
if run 0 "$VISA_AS" -d nosym.bin; then
    mv out nosym.s
    run 0 "$VISA_AS" -o re2.bin nosym.s && same re2.bin prog.bin "-d without .sym round trips too"
fi
cp prog.bin warn.bin
printf '0x00000000 start\nthis is not a symbol\n0x00000014 LOOP\n' >warn.sym
if run 0 "$VISA_AS" -d warn.bin; then
    printf '%s\n' "warn.sym:2: warning: expected '0xADDRESS NAME'" >want
    same err want "-d warns about a malformed .sym line with FILE:LINE"
    grep -q '^LOOP:$' out && ok "-d keeps the good .sym lines" || fail "-d lost good .sym lines"
fi
run 1 "$VISA_AS" -d nope.bin && ok "-d on a missing image fails"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
exit 0
