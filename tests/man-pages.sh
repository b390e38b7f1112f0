#!/bin/sh
# man-pages.sh - every manual page renders without a groff warning.
# SPDX-License-Identifier: GPL-3.0-or-later
top_srcdir=${top_srcdir:-.}

command -v groff >/dev/null 2>&1 || { echo "groff not found: skipped"; exit 77; }

status=0
for page in man/visa.1 man/visa-as.1 man/visa-isa.7; do
    if [ ! -r "$top_srcdir/$page" ]; then
        echo "FAIL: $page: missing"
        status=1
        continue
    fi
    # -ww turns on every warning; the page is good when stderr stays empty.
    warnings=$(groff -ww -man -Tutf8 "$top_srcdir/$page" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "FAIL: $page:"
        printf '%s\n' "$warnings"
        status=1
    else
        echo "ok: $page"
    fi
done
exit $status
