/* asm.h - the vISA assembler (machine.md section 9), as a library.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef VISA_ASM_H
#define VISA_ASM_H

#include <stddef.h>
#include <stdint.h>

#include "visa/isa.h"
#include "visa/symtab.h"

#define VISA_ASM_MAX_ERRORS 50

/* One diagnostic: FILE:LINE:COL: SEVERITY: MESSAGE, with the source line
 * (without its newline) so that the caller can print it and a caret under
 * column COL (1-based). */
struct visa_diag {
    const char *file;
    unsigned line, col;
    const char *severity;        /* "error", "warning" or "note" */
    const char *msg;
    const char *src;             /* the source line, or NULL */
    size_t src_len;
};
typedef void visa_diag_fn(void *ctx, const struct visa_diag *d);

/* What one source line produced, for listings. */
struct visa_asm_line {
    unsigned line;               /* 1-based source line */
    uint32_t addr;               /* address of its first byte */
    uint32_t size;               /* bytes it emitted (0 for labels, .equ...) */
};

struct visa_asm_result {
    uint8_t image[VISA_GUEST_MEM];
    uint32_t size;               /* image size in bytes */
    struct visa_symtab syms;     /* labels (not .equ names) */
    struct visa_asm_line *lines; /* one per source line that has content */
    size_t nlines;
    unsigned errors, warnings;
};

/* Assemble SRC (LEN bytes, need not be NUL-terminated) named FILE.
 * Every diagnostic goes to DIAG (may be NULL).  Returns 0 when there was no
 * error, else the number of errors (the result is then not usable).
 * Call visa_asm_result_free afterwards in both cases. */
int visa_asm(const char *file, const char *src, size_t len,
             struct visa_asm_result *res, visa_diag_fn *diag, void *ctx);
void visa_asm_result_free(struct visa_asm_result *res);

#endif /* VISA_ASM_H */
