/* fuzz_symtab.c - fuzz target: the symbol-file reader (NAME.sym).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parses the input as a .sym file, in memory and from a file; both must
 * agree.  What was read is written back and read again: the same table.
 * Lookups must find what the table holds.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "visa/symtab.h"

static void warn(void *ctx, const char *file, unsigned line, const char *msg)
{
    (*(unsigned *)ctx)++;
    if (!file || !msg || !*msg || line == 0)
        abort();
}

static int same(const struct visa_symtab *a, const struct visa_symtab *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].addr != b->v[i].addr || strcmp(a->v[i].name, b->v[i].name))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct visa_symtab mem, file, back;
    unsigned w1 = 0, w2 = 0;
    visa_symtab_init(&mem);
    visa_symtab_init(&file);
    visa_symtab_init(&back);
    visa_symtab_parse(&mem, (const char *)data, size, "fuzz.sym", warn, &w1);

    const char *path = fuzz_write_file(0, "fuzz.sym", data, size);
    if (visa_symtab_read(&file, path, warn, &w2) != 0)
        abort();
    if (!same(&mem, &file) || w1 != w2)
        abort();

    /* sorted by address, and every symbol is found again */
    for (size_t i = 0; i < mem.n; i++) {
        if (i && mem.v[i - 1].addr > mem.v[i].addr)
            abort();
        const struct visa_sym *s = visa_symtab_lookup(&mem, mem.v[i].addr);
        if (!s || s->addr != mem.v[i].addr || !visa_symtab_at(&mem, mem.v[i].addr) ||
            !visa_symtab_find(&mem, mem.v[i].name))
            abort();
    }
    if (mem.n)
        (void)visa_symtab_lookup(&mem, mem.v[0].addr ? mem.v[0].addr - 1 : 0);

    /* write it out and read it back: the same table, no warnings */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        int rc = visa_symtab_write(&mem, f);
        fclose(f);
        if (rc == 0) {
            unsigned w3 = 0;
            visa_symtab_parse(&back, text, len, "back.sym", warn, &w3);
            if (!same(&mem, &back) || w3 != 0) {
                fprintf(stderr, "fuzz_symtab: write/read differs:\n%s", text);
                abort();
            }
        }
        free(text);
    }
    visa_symtab_free(&mem);
    visa_symtab_free(&file);
    visa_symtab_free(&back);
    return 0;
}
