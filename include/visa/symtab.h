/* symtab.h - guest symbol tables (labels from the assembler or NAME.sym).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef VISA_SYMTAB_H
#define VISA_SYMTAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct visa_sym {
    uint32_t addr;
    char *name;
};

/* Kept sorted by address (then name): visa_symtab_add inserts in order. */
struct visa_symtab {
    struct visa_sym *v;
    size_t n, cap;
};

void visa_symtab_init(struct visa_symtab *st);
void visa_symtab_free(struct visa_symtab *st);
/* Add NAME at ADDR; 0, or -1 when out of memory. */
int visa_symtab_add(struct visa_symtab *st, const char *name, uint32_t addr);
/* The symbol named NAME (case-sensitive), or NULL. */
const struct visa_sym *visa_symtab_find(const struct visa_symtab *st, const char *name);
/* The symbol with the largest address <= ADDR, or NULL. */
const struct visa_sym *visa_symtab_lookup(const struct visa_symtab *st, uint32_t addr);
/* A symbol exactly at ADDR, or NULL. */
const struct visa_sym *visa_symtab_at(const struct visa_symtab *st, uint32_t addr);

/* Diagnostics from readers: FILE:LINE: warning: MESSAGE. */
typedef void visa_warn_fn(void *ctx, const char *file, unsigned line,
                          const char *msg);

/* Read a .sym file (`0xADDRESS NAME` lines; blank lines and `#`/`;`
 * comments allowed).  Malformed lines are reported through WARN and
 * skipped.  Returns 0, or -1 when the file cannot be read (errno set). */
int visa_symtab_read(struct visa_symtab *st, const char *path,
                     visa_warn_fn *warn, void *ctx);
/* Parse a .sym text already in memory (same rules). */
void visa_symtab_parse(struct visa_symtab *st, const char *text, size_t len,
                       const char *file, visa_warn_fn *warn, void *ctx);
/* Write `0xADDRESS NAME` lines in address order. 0, or -1 (errno set). */
int visa_symtab_write(const struct visa_symtab *st, FILE *out);

#endif /* VISA_SYMTAB_H */
