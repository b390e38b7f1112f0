/* fuzz_monitor.c - fuzz target: the monitor's command line and expressions.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is split at newlines; each line is typed at the monitor of a
 * machine with three loaded guests (machine.c), as at the prompt, then
 * again as from a command file, and each line is also evaluated as an
 * expression (print).  Runs share an instruction budget.  Inputs that
 * name files outside the work directory (/dev, /proc, ..) are skipped:
 * `source /dev/stdin` would wait for the fuzzer's terminal.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "machine.h"

#define BUDGET    30000u         /* instructions for the whole input */
#define MAX_LINES 64

static void exec_all(struct mon *m, const uint8_t *data, size_t size, bool prompt)
{
    const char *p = (const char *)data, *end = p + size;
    int lines = 0;
    m->priv->at_prompt = prompt;
    while (p < end && lines++ < MAX_LINES && !m->quit) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = strndup(p, len);    /* stops at a NUL, as a reader would */
        if (!line)
            return;
        mon_exec_line(m, line);
        uint32_t v;
        mon_eval(m, line, 0, &v);
        free(line);
        p += len + 1;
    }
    m->priv->at_prompt = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_escapes(data, size))
        return 0;
    struct fuzz_machine fm;
    if (fuzz_machine_new(&fm, BUDGET) != 0)
        return 0;
    exec_all(fm.mon, data, size, true);
    fm.mon->quit = false;
    fm.mon->src_file = "fuzz.cmd";
    fm.mon->src_line = 1;
    exec_all(fm.mon, data, size, false);
    fm.mon->src_file = NULL;
    fuzz_machine_free(&fm);
    return 0;
}
