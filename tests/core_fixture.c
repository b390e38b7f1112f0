/* core_fixture.c - a small fixture library for the core's unit tests.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_fixture.h"

struct fx fx;

int fx_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- Guest images ------------------------------------------------------ */

void prog_init(struct prog *p)
{
    memset(p, 0, sizeof *p);
}

static void prog_grow(struct prog *p, uint32_t end)
{
    ck_assert_uint_le(end, VISA_GUEST_MEM);
    if (end > p->size)
        p->size = end;
}

uint32_t prog(struct prog *p, uint32_t word)
{
    uint32_t at = p->pc;
    prog_grow(p, at + 4);
    visa_store_be32(p->mem + at, word);
    p->pc = at + 4;
    return at;
}

void prog_org(struct prog *p, uint32_t addr)
{
    ck_assert_uint_le(addr, VISA_GUEST_MEM);
    p->pc = addr;
}

void prog_li(struct prog *p, unsigned rd, uint32_t v)
{
    prog(p, visa_enc_m(VISA_OP_MOVI, rd, v & 0xFFFFu));
    if (v >> 16)
        prog(p, visa_enc_m(VISA_OP_MOVHI, rd, v >> 16));
}

void prog_hypercall(struct prog *p, uint32_t nr)
{
    prog_li(p, 0, nr);
    prog(p, W_HYPERCALL);
}

void prog_paging_on(struct prog *p, uint32_t root)
{
    prog(p, visa_enc_m(VISA_OP_MOVI, FX_PAGING_REG, root | 1u));
    prog(p, W_RA(VISA_OP_LDPGTR, FX_PAGING_REG));
}

void prog_word(struct prog *p, uint32_t addr, uint32_t v)
{
    prog_grow(p, addr + 4);
    visa_store_be32(p->mem + addr, v);
}

void prog_bytes(struct prog *p, uint32_t addr, const void *b, size_t n)
{
    prog_grow(p, addr + (uint32_t)n);
    memcpy(p->mem + addr, b, n);
}

void prog_pte(struct prog *p, uint32_t root, uint32_t vpn, uint32_t pte)
{
    prog_word(p, root + 4u * vpn, pte);
}

int prog_off(uint32_t from, uint32_t to)
{
    int64_t d = (int64_t)to - ((int64_t)from + 4);
    ck_assert_int_eq(d % 4, 0);
    ck_assert(d / 4 >= -128 && d / 4 <= 127);
    return (int)(d / 4);
}

/* ---- Callbacks ----------------------------------------------------------- */

static void cb_write(void *ctx, int guest, const char *buf, size_t len)
{
    struct fx_rec *r = ctx;
    ck_assert(guest >= 1 && guest <= VISA_MAX_GUESTS);
    for (size_t i = 0; i < len && r->outlen[guest] < FX_OUT_MAX; i++)
        r->out[guest][r->outlen[guest]++] = buf[i];
    r->out[guest][r->outlen[guest]] = '\0';
}

static int cb_read(void *ctx, int guest)
{
    struct fx_rec *r = ctx;
    ck_assert(guest >= 1 && guest <= VISA_MAX_GUESTS);
    const char *s = r->in[guest];
    if (s == NULL || s[r->inpos[guest]] == '\0')
        return -1;
    return (unsigned char)s[r->inpos[guest]++];
}

static int cb_before(void *ctx, struct visa_hv *hv, int guest, uint32_t pc)
{
    struct fx_rec *r = ctx;
    r->nbefore++;
    return r->before ? r->before(r, hv, guest, pc) : 0;
}

static int cb_after(void *ctx, struct visa_hv *hv, int guest, uint32_t pc,
                    uint32_t word)
{
    struct fx_rec *r = ctx;
    if (r->nhist < FX_HIST_MAX)
        r->hist[r->nhist] = (struct fx_insn){ guest, pc, word };
    r->nhist++;
    return r->after ? r->after(r, hv, guest, pc, word) : 0;
}

static int cb_exit(void *ctx, struct visa_hv *hv, int guest)
{
    struct fx_rec *r = ctx;
    const struct visa_guest *g = visa_hv_guest(hv, guest);
    ck_assert_ptr_nonnull(g);
    if (r->nexits < FX_EXITS_MAX)
        r->exits[r->nexits] = (struct fx_exit){
            guest, g->vmcs.exit_cause, g->vmcs.exit_qual, g->vmcs.exit_pc,
            g->vmcs.exit_insn };
    r->nexits++;
    return r->on_exit ? r->on_exit(r, hv, guest) : 0;
}

void fx_rec_clear(struct fx_rec *rec)
{
    memset(rec, 0, sizeof *rec);
}

static void fx_hook(struct visa_hv *hv, struct fx_rec *rec, bool trace)
{
    struct visa_callbacks cb = {
        .ctx = rec,
        .console_write = cb_write,
        .console_read = cb_read,
        .before_insn = trace ? cb_before : NULL,
        .after_insn = trace ? cb_after : NULL,
        .on_exit = trace ? cb_exit : NULL,
    };
    visa_hv_set_callbacks(hv, &cb);
}

void fx_attach(struct visa_hv *hv, struct fx_rec *rec, bool trace)
{
    fx_rec_clear(rec);
    fx_hook(hv, rec, trace);
}

void fx_trace(bool trace)
{
    fx.traced = trace;
    fx_hook(fx.hv, &fx.rec, trace);
}

/* ---- The machine ----------------------------------------------------------- */

void fx_new(uint32_t host_mem)
{
    if (fx.hv)
        visa_hv_free(fx.hv);
    memset(&fx, 0, sizeof fx);
    ck_assert_int_eq(visa_hv_new(&fx.hv, host_mem), VISA_OK);
    ck_assert_ptr_nonnull(fx.hv);
    fx.host_mem = host_mem;
    fx_attach(fx.hv, &fx.rec, false);
}

void fx_setup(void)
{
    fx_new(VISA_DEFAULT_HOST_MEM);
}

void fx_teardown(void)
{
    if (fx.hv)
        visa_hv_free(fx.hv);
    fx.hv = NULL;
}

int fx_add(const struct prog *p)
{
    int id = visa_hv_add_guest(fx.hv, p->mem, p->size);
    ck_assert_int_gt(id, 0);
    ck_assert_int_le(id, VISA_MAX_GUESTS);
    fx.images[id - 1] = *p;
    if (id > fx.nimages)
        fx.nimages = id;
    return id;
}

int fx_add_words(const uint32_t *words, size_t n)
{
    static struct prog p;
    prog_init(&p);
    for (size_t i = 0; i < n; i++)
        prog(&p, words[i]);
    return fx_add(&p);
}

struct visa_guest *fx_g(int guest)
{
    struct visa_guest *g = visa_hv_guest(fx.hv, guest);
    ck_assert_ptr_nonnull(g);
    return g;
}

uint32_t fx_reg(int guest, unsigned r)
{
    return fx_g(guest)->r[r];
}

void fx_input(int guest, const char *s)
{
    fx.rec.in[guest] = s;
    fx.rec.inpos[guest] = 0;
}

const char *fx_out(int guest)
{
    return fx.rec.out[guest];
}

enum visa_stop fx_run(uint64_t budget)
{
    return visa_hv_run(fx.hv, budget, NULL);
}

void fx_run_idle(void)
{
    ck_assert_int_eq(fx_run(FX_BUDGET), VISA_STOP_IDLE);
}

void fx_expect_same_guest(const struct visa_hv *a, const struct visa_hv *b,
                          int id)
{
    const struct visa_guest *ga = visa_hv_guest((struct visa_hv *)a, id);
    const struct visa_guest *gb = visa_hv_guest((struct visa_hv *)b, id);
    static uint8_t ma[VISA_GUEST_MEM], mb[VISA_GUEST_MEM];

    ck_assert_ptr_nonnull(ga);
    ck_assert_ptr_nonnull(gb);
    ck_assert_int_eq(ga->state, gb->state);
    ck_assert_uint_eq(ga->pc, gb->pc);
    ck_assert_uint_eq(ga->icount, gb->icount);
    ck_assert_uint_eq(ga->exit_code, gb->exit_code);
    ck_assert_uint_eq(ga->vmcs.ptbr, gb->vmcs.ptbr);
    ck_assert_uint_eq(ga->vmcs.exit_cause, gb->vmcs.exit_cause);
    ck_assert_uint_eq(ga->vmcs.exit_qual, gb->vmcs.exit_qual);
    ck_assert_uint_eq(ga->tlb_hits, gb->tlb_hits);
    ck_assert_uint_eq(ga->tlb_misses, gb->tlb_misses);
    for (unsigned r = 0; r < VISA_NREGS; r++)
        ck_assert_uint_eq(ga->r[r], gb->r[r]);
    for (unsigned c = 0; c < VISA_EXIT_COUNT; c++)
        ck_assert_uint_eq(ga->vmcs.exit_count[c], gb->vmcs.exit_count[c]);
    ck_assert_int_eq(visa_hv_read_phys(a, id, 0, ma, sizeof ma), VISA_OK);
    ck_assert_int_eq(visa_hv_read_phys(b, id, 0, mb, sizeof mb), VISA_OK);
    ck_assert_mem_eq(ma, mb, sizeof ma);
}

void fx_run_idle_both(void)
{
    static struct fx_rec rec2;
    struct visa_hv *hv2 = NULL;

    fx_run_idle();
    ck_assert_int_eq(visa_hv_new(&hv2, fx.host_mem), VISA_OK);
    fx_attach(hv2, &rec2, true);
    for (int i = 0; i < fx.nimages; i++) {
        ck_assert_int_eq(visa_hv_add_guest(hv2, fx.images[i].mem,
                                           fx.images[i].size), i + 1);
        rec2.in[i + 1] = fx.rec.in[i + 1];
    }
    ck_assert_int_eq(visa_hv_run(hv2, FX_BUDGET, NULL), VISA_STOP_IDLE);
    for (int id = 1; id <= fx.nimages; id++) {
        fx_expect_same_guest(fx.hv, hv2, id);
        ck_assert_str_eq(fx.rec.out[id], rec2.out[id]);
    }
    visa_hv_free(hv2);
}

/* ---- Memory ---------------------------------------------------------------- */

uint32_t fx_phys32(int guest, uint32_t gpa)
{
    uint8_t b[4];
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, guest, gpa, b, 4), VISA_OK);
    return visa_load_be32(b);
}

uint8_t fx_phys8(int guest, uint32_t gpa)
{
    uint8_t b;
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, guest, gpa, &b, 1), VISA_OK);
    return b;
}

void fx_set_phys32(int guest, uint32_t gpa, uint32_t v)
{
    uint8_t b[4];
    visa_store_be32(b, v);
    ck_assert_int_eq(visa_hv_write_phys(fx.hv, guest, gpa, b, 4), VISA_OK);
}

uint32_t fx_pte(int guest, uint32_t root, uint32_t vpn)
{
    return fx_phys32(guest, root + 4u * vpn);
}

/* ---- Exits ------------------------------------------------------------------ */

void fx_expect_exit(int guest, unsigned cause, uint32_t qual)
{
    const struct visa_guest *g = fx_g(guest);
    ck_assert_uint_eq(g->vmcs.exit_cause, cause);
    ck_assert_uint_eq(g->vmcs.exit_qual, qual);
}

void fx_expect_pf(int guest, uint32_t qual, uint32_t va, uint32_t gpa)
{
    const struct visa_guest *g = fx_g(guest);
    fx_expect_exit(guest, VISA_EXIT_PAGE_FAULT, qual);
    ck_assert_int_eq(g->state, VISA_STATE_BLOCKED);
    ck_assert(g->vmcs.exit_va_valid);
    ck_assert_uint_eq(g->vmcs.exit_va, va);
    if (qual & VISA_PFQ_STAGE2) {
        ck_assert(g->vmcs.exit_gpa_valid);
        ck_assert_uint_eq(g->vmcs.exit_gpa, gpa);
    } else {
        ck_assert(!g->vmcs.exit_gpa_valid);
    }
}

void fx_expect_blocked(int guest, unsigned cause, uint32_t qual, uint32_t pc)
{
    const struct visa_guest *g = fx_g(guest);
    ck_assert_int_eq(g->state, VISA_STATE_BLOCKED);
    fx_expect_exit(guest, cause, qual);
    ck_assert_uint_eq(g->pc, pc);
    ck_assert_uint_eq(g->vmcs.exit_pc, pc);
}
