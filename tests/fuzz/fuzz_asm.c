/* fuzz_asm.c - fuzz target: the assembler, any bytes as source.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Assembles the input; when it assembles, the image is disassembled and
 * the disassembly assembled again, which must give the same bytes
 * (machine.md section 9: the round trip holds for every image).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "visa/asm.h"
#include "visa/disas.h"

static unsigned ndiags;

static void count_diag(void *ctx, const struct visa_diag *d)
{
    (void)ctx;
    /* touch every field as a printer would */
    ndiags += (unsigned)strlen(d->file) + (unsigned)strlen(d->msg) +
              (unsigned)strlen(d->severity) + d->line + d->col;
    if (d->src)
        for (size_t i = 0; i < d->src_len; i++)
            ndiags += (unsigned char)d->src[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct visa_asm_result *res = malloc(sizeof *res);
    if (!res)
        return 0;
    int errors = visa_asm("fuzz.s", (const char *)data, size, res, count_diag, NULL);
    if (errors == 0 && res->size > 0) {
        /* the listing's lines point into the image */
        for (size_t i = 0; i < res->nlines; i++)
            if (res->lines[i].addr + res->lines[i].size > res->size)
                abort();
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            int rc = visa_disas_image(f, res->image, res->size, &res->syms);
            fclose(f);
            if (rc == 0) {
                struct visa_asm_result *again = malloc(sizeof *again);
                if (again) {
                    int e2 = visa_asm("disas.s", text, len, again, NULL, NULL);
                    /* the disassembly must reassemble to the same bytes */
                    if (e2 != 0 || again->size != res->size ||
                        memcmp(again->image, res->image, res->size) != 0) {
                        fprintf(stderr, "fuzz_asm: round trip failed (%d errors)\n%s",
                                e2, text);
                        abort();
                    }
                    visa_asm_result_free(again);
                    free(again);
                }
            }
            free(text);
        }
    }
    visa_asm_result_free(res);
    free(res);
    return 0;
}
