/* fuzz_cmdfile.c - fuzz target: whole monitor command files (-x FILE).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is written to a file and run with mon_source against a machine
 * with three loaded guests (machine.c), first with on-error stop, as
 * `visa -x FILE` does, then with on-error continue so that every line
 * runs: `commands N ... end` blocks (also cut off by the end of the
 * file), nested `source`, breakpoints whose commands run the machine.
 * Runs share an instruction budget.  Inputs that name files outside the
 * work directory are skipped (see fuzz_monitor.c); a file that sources
 * itself cannot happen: its name is not guessable.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "machine.h"

#define BUDGET 30000u

/* Not a word the fuzzer could guess, so no input sources itself. */
static const char name[] = "script-7f3a9c1e5d.cmd";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_escapes(data, size))
        return 0;
    const char *path = fuzz_write_file(0, name, data, size);
    for (int pass = 0; pass < 2; pass++) {
        struct fuzz_machine fm;
        if (fuzz_machine_new(&fm, BUDGET) != 0)
            return 0;
        fm.mon->on_error_continue = pass == 1;
        mon_source(fm.mon, path);
        if (fm.mon->source_depth != 0 || fm.mon->src_file != NULL)
            abort();             /* source must restore where it was */
        fuzz_machine_free(&fm);
    }
    return 0;
}
