/* loader.h - guest images from files: .bin (with NAME.sym) or assembly.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef VISA_LOADER_H
#define VISA_LOADER_H

#include <stdint.h>

#include "visa/asm.h"
#include "visa/isa.h"
#include "visa/symtab.h"

struct visa_image {
    char *path;
    uint8_t bytes[VISA_GUEST_MEM];
    uint32_t size;
    struct visa_symtab syms;
};

/* True when PATH names assembly source (.s, .asm, .isa). */
int visa_is_source(const char *path);
/* Load PATH into IMG: a .bin image (at most 16 KiB, not empty; NAME.sym
 * beside it read if present, bad lines are warnings) or assembly source,
 * assembled in-process.  Every problem is reported through DIAG with the
 * file (and line where there is one).  Returns 0, or -1 after reporting. */
int visa_load_image(const char *path, struct visa_image *img,
                    visa_diag_fn *diag, void *ctx);
void visa_image_free(struct visa_image *img);

/* Read a whole file into a malloc'd buffer (NUL-terminated, *LEN bytes
 * without the NUL), refusing files larger than LIMIT bytes (errno EFBIG).
 * Returns NULL with errno set on failure. */
char *visa_read_file(const char *path, size_t limit, size_t *len);

#endif /* VISA_LOADER_H */
