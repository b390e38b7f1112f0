/* machine.c - a loaded machine for the monitor fuzz targets.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three guests assembled from the sources below (a recursive function
 * with console I/O, paging with a page fault, and a loop that never
 * ends), with their symbols, under a monitor whose output goes to
 * /dev/null and whose runs share an instruction budget, so that no input
 * can run forever.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "machine.h"

static const char *const sources[] = {
    "        .equ    HC_PUTC, 1\n"
    "        .equ    HC_PUTNUM, 3\n"
    "main:   movi    r1, 10\n"
    "        call    fact\n"
    "        movi    r0, HC_PUTNUM\n"
    "        mov     r1, r2\n"
    "        hypercall\n"
    "echo:   in      r1, 0\n"
    "        li      r8, 0xFFFFFFFF\n"
    "        jeq     done, r1, r8\n"
    "        out     r1, 0\n"
    "        b       echo\n"
    "done:   movi    r0, HC_PUTC\n"
    "        movi    r1, '\\n'\n"
    "        hypercall\n"
    "        halt\n"
    "fact:   movi    r3, 2\n"
    "        jltu    base, r1, r3\n"
    "        push    r1\n"
    "        subi    r1, r1, 1\n"
    "        call    fact\n"
    "        pop     r1\n"
    "        mul     r2, r2, r1\n"
    "        ret\n"
    "base:   movi    r2, 1\n"
    "        ret\n"
    "data:   .word   0x12345678, -1\n"
    "msg:    .asciz  \"hello\"\n",

    "        .equ    PT, 0x2000\n"
    "start:  li      r1, PT\n"
    "        movi    r2, 0x0007\n"
    "        stw     r2, 0(r1)\n"
    "        li      r2, 0x1003\n"
    "        stw     r2, 4(r1)\n"
    "        li      r1, PT | 1\n"
    "        ldpgtr  r1\n"
    "        li      r3, 0x1000\n"
    "        movi    r5, 42\n"
    "        stw     r5, 0(r3)\n"
    "        li      r3, 0x5000\n"
    "fault:  ldw     r4, 0(r3)\n"
    "        movi    r0, 2\n"
    "        la      r1, after\n"
    "        hypercall\n"
    "        tlbflushv\n"
    "        vmenter r1\n"
    "        halt\n"
    "after:  .asciz  \"mapped\\n\"\n",

    "spin:   addi    r1, r1, 1\n"
    "        stw     r1, 0x40(r0)\n"
    "        jmp     spin\n",
};

static volatile sig_atomic_t interrupted;

int fuzz_machine_new(struct fuzz_machine *fm, uint64_t budget)
{
    memset(fm, 0, sizeof *fm);
    fuzz_workdir();
    if (visa_hv_new(&fm->hv, 64u << 10) != 0)
        return -1;
    fm->images = calloc(3, sizeof *fm->images);
    if (!fm->images)
        goto fail;
    int n = 0;
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        struct visa_image *img = calloc(1, sizeof *img);
        struct visa_asm_result *res = malloc(sizeof *res);
        if (!img || !res) {
            free(img);
            free(res);
            goto fail;
        }
        char name[16];
        snprintf(name, sizeof name, "g%zu.s", i + 1);
        if (visa_asm(name, sources[i], strlen(sources[i]), res, NULL, NULL) != 0)
            abort();             /* the harness's own sources must assemble */
        memcpy(img->bytes, res->image, res->size);
        img->size = res->size;
        img->syms = res->syms;
        visa_symtab_init(&res->syms);
        visa_asm_result_free(res);
        free(res);
        img->path = strdup(name);
        fm->images[n++] = img;
        if (!img->path || visa_hv_add_guest(fm->hv, img->bytes, img->size) < 0)
            goto fail;
    }
    console_init(&fm->con, fuzz_devnull());
    fm->con_ready = true;
    fm->mon = calloc(1, sizeof *fm->mon);
    if (!fm->mon)
        goto fail;
    interrupted = 0;
    if (mon_init(fm->mon, fm->hv, &fm->con, fm->images, n, &interrupted) != 0) {
        free(fm->mon);
        fm->mon = NULL;
        goto fail;
    }
    fm->images_owned = false;    /* the monitor owns them now */
    fm->mon->out = fuzz_devnull();
    fm->mon->err = fuzz_devnull();
    fm->mon->max_insns = budget;
    fm->mon->on_error_continue = true;
    return 0;
fail:
    fm->images_owned = true;
    fuzz_machine_free(fm);
    return -1;
}

void fuzz_machine_free(struct fuzz_machine *fm)
{
    if (fm->mon) {
        console_flush(&fm->con);
        mon_free(fm->mon);
        free(fm->mon);
    } else if (fm->images) {
        for (int i = 0; i < 3; i++)
            if (fm->images[i]) {
                visa_image_free(fm->images[i]);
                free(fm->images[i]);
            }
    }
    if (fm->con_ready)
        console_free(&fm->con);
    free(fm->images);
    if (fm->hv)
        visa_hv_free(fm->hv);
    memset(fm, 0, sizeof *fm);
}
