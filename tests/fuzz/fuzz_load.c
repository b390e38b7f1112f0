/* fuzz_load.c - fuzz target: the loader, then a budgeted run of the guests.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: an 8-byte header, then the image bytes.
 *   byte 0     bits 0-2: guests - 1 (1..8); bit 3: the image is assembly
 *              source (NAME.s) rather than NAME.bin; bit 4: the last
 *              quarter of the data is NAME.sym beside a .bin; bit 5: each
 *              guest gets its own slice of the data, else all the same
 *   byte 1     global time slice (1..256)
 *   byte 2     trap controls (bits 1 and 2, VISA_TRAP_CR and _IO), per
 *              guest rotated
 *   byte 3     per-guest slice seed (0: the global slice)
 *   bytes 4-7  a seed for the monitor-like pokes below (console input,
 *              pause/resume/reset, EPT changes, memory reads and writes,
 *              translations) between bounded runs
 * The whole run is bounded by an instruction budget: a guest that spins
 * forever only uses it up.  Afterwards the machine state must be sane
 * (states in range, pc and counters consistent, frames owned).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "visa/hv.h"
#include "visa/loader.h"

#define BUDGET 20000u            /* instructions per run call */
#define ROUNDS 6

struct ctx {
    const uint8_t *in;           /* console input, consumed by guests */
    size_t in_len, in_pos;
    size_t out_bytes;
};

static void diag(void *c, const struct visa_diag *d)
{
    (void)c;
    if (!d->file || !d->msg || !d->severity)
        abort();
}

static void con_write(void *c, int guest, const char *buf, size_t len)
{
    struct ctx *x = c;
    if (guest < 1 || guest > VISA_MAX_GUESTS || (len && !buf))
        abort();
    for (size_t i = 0; i < len; i++)
        x->out_bytes += (unsigned char)buf[i] != 0;
}

static int con_read(void *c, int guest)
{
    struct ctx *x = c;
    if (guest < 1 || guest > VISA_MAX_GUESTS)
        abort();
    return x->in_pos < x->in_len ? x->in[x->in_pos++] : -1;
}

static int on_exit_cb(void *c, struct visa_hv *hv, int guest)
{
    (void)c;
    const struct visa_guest *g = visa_hv_guest(hv, guest);
    if (!g || g->vmcs.exit_cause == 0 || g->vmcs.exit_cause >= VISA_EXIT_COUNT)
        abort();
    return 0;
}

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void check_sane(const struct visa_hv *hv)
{
    uint64_t sum = 0;
    for (int i = 0; i < hv->nguests; i++) {
        const struct visa_guest *g = &hv->g[i];
        if ((unsigned)g->state >= VISA_STATE_COUNT || g->id != i + 1 ||
            g->vmcs.exit_cause >= VISA_EXIT_COUNT)
            abort();
        sum += g->icount;
    }
    if (sum > hv->icount)        /* a reset zeroes the guest's count only */
        abort();
    for (uint32_t f = 0; f < hv->nframes; f++)
        if (hv->frame_owner[f] > hv->nguests)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    unsigned flags = data[0];
    int nguests = (int)(flags & 7) + 1;
    bool source = flags & 8, with_sym = flags & 16, split = flags & 32;
    uint32_t slice = (uint32_t)data[1] + 1;
    unsigned trap = data[2];
    unsigned gslice = data[3];
    uint32_t seed = ((uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
                     (uint32_t)data[6] << 8 | data[7]) | 1u;
    data += 8;
    size -= 8;

    size_t sym_len = with_sym && !source ? size / 4 : 0;
    size_t img_len = size - sym_len;
    struct visa_hv *hv;
    if (visa_hv_new(&hv, 256u << 10) != 0)
        return 0;
    struct ctx x = { data, img_len, 0, 0 };
    struct visa_callbacks cb = { .ctx = &x, .console_write = con_write,
                                 .console_read = con_read };
    if (seed & 2)
        cb.on_exit = on_exit_cb;
    visa_hv_set_callbacks(hv, &cb);
    if (visa_hv_set_slice(hv, slice) != 0)
        abort();

    struct visa_image *img = malloc(sizeof *img);
    if (!img) {
        visa_hv_free(hv);
        return 0;
    }
    for (int i = 0; i < nguests; i++) {
        size_t off = 0, len = img_len;
        if (split) {
            len = img_len / (size_t)nguests;
            off = len * (size_t)i;
            if (i == nguests - 1)
                len = img_len - off;
        }
        const char *path;
        if (source) {
            path = fuzz_write_file(0, "fuzz.s", data + off, len);
        } else {
            if (i == 0) {
                if (sym_len)
                    fuzz_write_file(1, "fuzz.sym", data + img_len, sym_len);
                else
                    unlink(fuzz_write_file(1, "fuzz.sym", "", 0));
            }
            path = fuzz_write_file(0, "fuzz.bin", data + off, len);
        }
        if (visa_load_image(path, img, diag, NULL) != 0)
            continue;
        if (img->size == 0 || img->size > VISA_GUEST_MEM)
            abort();
        int id = visa_hv_add_guest(hv, img->bytes, img->size);
        visa_image_free(img);
        if (id < 0)
            continue;
        struct visa_guest *g = visa_hv_guest(hv, id);
        g->vmcs.trap_ctl = ((trap >> (i & 7)) | (trap << (8 - (i & 7)))) &
                           (VISA_TRAP_CR | VISA_TRAP_IO);
        if (gslice)
            visa_hv_set_guest_slice(hv, id, (gslice * (unsigned)(i + 1)) % 7);
    }
    free(img);

    for (int round = 0; round < ROUNDS && hv->nguests; round++) {
        int who = 0;
        visa_hv_run(hv, BUDGET, &who);
        if (who < 0 || who > hv->nguests)
            abort();
        check_sane(hv);
        /* poke the machine as the monitor would */
        uint32_t r = rnd(&seed);
        int id = (int)(r % (uint32_t)hv->nguests) + 1;
        uint32_t va = rnd(&seed), buf;
        struct visa_walk w;
        switch ((r >> 8) % 10) {
        case 0: visa_hv_pause(hv, id); break;
        case 1: visa_hv_resume(hv, id); break;
        case 2: visa_hv_reset_guest(hv, id); break;
        case 3: visa_hv_set_ept(hv, id, (r >> 12) & 7, (r >> 16) & 0xFF); break;
        case 4: visa_hv_step(hv, id, (r >> 12) & 0xFFF); break;
        case 5:
            visa_hv_read_virt(hv, id, va, &buf, sizeof buf);
            visa_hv_write_virt(hv, id, va & 0x3FFFu, &va, sizeof va);
            break;
        case 6:
            visa_hv_read_phys(hv, id, va, &buf, sizeof buf);
            visa_hv_write_phys(hv, id, va & 0x3FFFu, &va, 1 + (r >> 20) % 4);
            break;
        case 7:
            if (visa_hv_translate(hv, id, va, 1u << ((r >> 12) % 3), &w) == 0 &&
                w.fail == VISA_WALK_OK && w.hpa >= hv->mem_size)
                abort();
            break;
        case 8: visa_hv_flush_tlb(hv, id); break;
        default: visa_hv_set_guest_slice(hv, id, (r >> 12) & 0xFF); break;
        }
        x.in_pos = 0;            /* the input again for the next round */
    }
    check_sane(hv);

    /* a copy must be exact and usable */
    struct visa_hv *copy;
    if (visa_hv_new(&copy, 256u << 10) == 0) {
        if (visa_hv_copy(copy, hv) == 0) {
            if (copy->icount != hv->icount || copy->nguests != hv->nguests ||
                memcmp(copy->mem, hv->mem, hv->mem_size) != 0)
                abort();
            visa_hv_set_callbacks(copy, &cb);
            visa_hv_run(copy, 1000, NULL);
            check_sane(copy);
        }
        visa_hv_free(copy);
    }
    visa_hv_free(hv);
    return 0;
}
