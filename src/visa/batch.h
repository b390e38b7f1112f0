/* batch.h - `visa IMAGE...` without the monitor: run every guest to the end.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef VISA_BATCH_H
#define VISA_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "visa/hv.h"
#include "visa/loader.h"
#include "../common/console.h"

struct batch_opts {
    uint64_t max_insns;      /* 0: no limit */
    bool trace;
    bool quiet;
};

/* Run the machine to the end; print the summary on stderr (unless quiet).
 * Returns the exit status of monitor.md: 0, 1 or 130 (interrupted). */
int batch_run(struct visa_hv *hv, struct console *con,
              struct visa_image *const *images, const struct batch_opts *o,
              volatile sig_atomic_t *interrupt);

/* Print the per-guest summary (state, exit code, instructions, exits). */
void batch_summary(FILE *out, const struct visa_hv *hv,
                   struct visa_image *const *images);

#endif /* VISA_BATCH_H */
