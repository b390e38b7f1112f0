#!/bin/sh
# core-silent.sh - the hypervisor core never prints, exits or aborts
# (style.md: "src/core never prints, exits or aborts").
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a file under $top_srcdir/src/core includes <stdio.h> (or
# <assert.h>) or calls a printing, exiting or aborting function.  Comments
# are stripped first, so prose may name these functions.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
core="$top_srcdir/src/core"

if [ ! -d "$core" ]; then
    echo "FAIL: $core: no such directory"
    exit 1
fi

# Print FILE without its C comments, each line prefixed by its number.
strip_comments() {
    awk '{
        out = ""; line = $0
        while (line != "") {
            if (incomment) {
                end = index(line, "*/")
                if (end == 0) { line = ""; break }
                line = substr(line, end + 2); incomment = 0
            } else {
                open = index(line, "/*"); slash = index(line, "//")
                if (slash && (!open || slash < open)) { out = out substr(line, 1, slash - 1); line = ""; break }
                if (!open) { out = out line; line = ""; break }
                out = out substr(line, 1, open - 1); line = substr(line, open + 2); incomment = 1
            }
        }
        print NR ": " out
    }' "$1"
}

banned='(^|[^[:alnum:]_])(printf|fprintf|sprintf|snprintf|vprintf|vfprintf|vsnprintf|dprintf|puts|fputs|putchar|fputc|putc|fwrite|perror|exit|_Exit|quick_exit|abort|assert)[[:space:]]*\('
headers='#[[:space:]]*include[[:space:]]*<(stdio|assert)\.h>'

status=0
nfiles=0
for f in "$core"/*.c "$core"/*.h; do
    [ -f "$f" ] || continue
    nfiles=$((nfiles + 1))
    hits=$(strip_comments "$f" | grep -E "$headers|$banned|(^|[^[:alnum:]_])(stdout|stderr)([^[:alnum:]_]|$)")
    if [ -n "$hits" ]; then
        echo "FAIL: ${f#"$top_srcdir"/} is not silent:"
        printf '%s\n' "$hits" | sed 's/^/    /'
        status=1
    fi
done
if [ "$nfiles" -eq 0 ]; then
    echo "FAIL: no source files under $core"
    exit 1
fi
[ "$status" -eq 0 ] && echo "ok: $nfiles files under src/core are silent"
exit $status
