/* machine.h - a loaded machine for the monitor fuzz targets.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef VISA_FUZZ_MACHINE_H
#define VISA_FUZZ_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../../src/monitor/monitor.h"

struct fuzz_machine {
    struct visa_hv *hv;
    struct visa_image **images;
    bool images_owned;
    struct console con;
    bool con_ready;
    struct mon *mon;
};

/* Three guests under a fresh monitor whose runs may use BUDGET
 * instructions in all.  0, or -1 when out of memory. */
int fuzz_machine_new(struct fuzz_machine *fm, uint64_t budget);
void fuzz_machine_free(struct fuzz_machine *fm);

#endif /* VISA_FUZZ_MACHINE_H */
