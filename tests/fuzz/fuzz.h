/* fuzz.h - shared by the fuzz targets and their standalone driver.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each target defines LLVMFuzzerTestOneInput.  Built with
 * --enable-fuzzing it links with libFuzzer; in every build it also links
 * with standalone.c, which replays the seed corpus and the regression
 * inputs of tests/fuzz/ as part of `make check`.
 */
#ifndef VISA_FUZZ_H
#define VISA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private, empty working directory (created once, made the current
 * directory so relative names in hostile input touch nothing else) and
 * a path in it.  Aborts when it cannot be made: the harness is broken. */
const char *fuzz_workdir(void);
/* Write LEN bytes to NAME in the work directory; returns its path
 * (static storage, valid until the next call with the same slot). */
const char *fuzz_write_file(int slot, const char *name, const void *data,
                            size_t len);
/* /dev/null opened for writing, once. */
FILE *fuzz_devnull(void);
/* True when TEXT (LEN bytes) names something outside the sandbox that
 * would block or never end if read (/dev, /proc, /sys, ..): the
 * monitor targets skip such inputs rather than read the terminal. */
int fuzz_escapes(const uint8_t *text, size_t len);

#endif /* VISA_FUZZ_H */
