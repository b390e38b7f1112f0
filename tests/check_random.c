/* check_random.c - random machines keep the promises a user relies on.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thousands of random guests (random bytes mixed with random valid
 * instructions, some with a page table and paging on, random slices, trap
 * controls and EPT permissions) run on machines with spare host frames
 * filled with a canary.  After each run:
 *   - the run returned and honoured its budget, exactly when it says so;
 *   - the guests' instruction counts add up to the machine's;
 *   - every state, exit cause and timeline record is valid;
 *   - the canary frames are untouched and each guest owns its frames;
 *   - a copy taken before the run, run the same way, ends identical;
 *   - each guest, stepped alone as often as it ran, ends identical to the
 *     scheduled run (guests cannot influence one another);
 *   - the monitor's accessors and visa_hv_translate survive any address.
 * Everything comes from a fixed-seed PRNG, so a failure is reproducible.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "visa/hv.h"

#define NMACHINES   3000u
#define NLOOPS      10u               /* loop tests sharing the machines */
#define BUDGET      20000u
#define OUT_MAX     4096u
/* Check's ck_assert reports every passing check to the parent process; the
 * hot loops here check millions of values, so they only call Check when a
 * check fails. */
#define REQUIRE(c) do {                                                     \
        if (!(c))                                                           \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c);              \
    } while (0)
#define REQUIRE_CMP(a, op, b) do {                                          \
        unsigned long long a_ = (unsigned long long)(a);                    \
        unsigned long long b_ = (unsigned long long)(b);                    \
        if (!(a_ op b_))                                                    \
            ck_abort_msg("%s:%d: %s %s %s (%llu, %llu)", __FILE__, __LINE__, \
                         #a, #op, #b, a_, b_);                              \
    } while (0)
#define REQUIRE_MEM(a, b, n) REQUIRE(memcmp((a), (b), (n)) == 0)
#define CANARY(f, i) ((uint8_t)(0xA5u ^ (f) * 7u ^ (i) * 13u))

/* ---- PRNG (splitmix64) ---------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

/* ---- Console capture --------------------------------------------------------- */

struct cap {
    char out[VISA_MAX_GUESTS + 1][OUT_MAX];
    size_t len[VISA_MAX_GUESTS + 1];
    size_t total[VISA_MAX_GUESTS + 1];
    uint32_t in_seed;                 /* console input: a function of this */
    size_t inpos[VISA_MAX_GUESTS + 1];
};

static void cap_write(void *ctx, int guest, const char *buf, size_t len)
{
    struct cap *c = ctx;
    REQUIRE(guest >= 1 && guest <= VISA_MAX_GUESTS);
    REQUIRE_CMP(len, >, 0);
    for (size_t i = 0; i < len; i++) {
        if (c->len[guest] < OUT_MAX)
            c->out[guest][c->len[guest]++] = buf[i];
    }
    c->total[guest] += len;
}

/* Guest G's input: 40 bytes derived from the seed, then nothing. */
static int cap_read(void *ctx, int guest)
{
    struct cap *c = ctx;
    REQUIRE(guest >= 1 && guest <= VISA_MAX_GUESTS);
    size_t i = c->inpos[guest]++;
    if (i >= 40)
        return -1;
    return (int)((c->in_seed * 31u + (uint32_t)guest * 17u + (uint32_t)i * 101u) & 0xFFu);
}

static void attach(struct visa_hv *hv, struct cap *c)
{
    struct visa_callbacks cb = {
        .ctx = c, .console_write = cap_write, .console_read = cap_read,
    };
    visa_hv_set_callbacks(hv, &cb);
}

/* ---- Random images -------------------------------------------------------------- */

static unsigned legal_ops[256], nlegal;

static void collect_legal_ops(void)
{
    nlegal = 0;
    for (unsigned op = 0; op < 256; op++)
        if (visa_optab[op].mnemonic)
            legal_ops[nlegal++] = op;
    REQUIRE_CMP(nlegal, ==, visa_opcode_count);
}

/* Registers the programs use most: a few low ones and sp. */
static unsigned rreg(void)
{
    if (chance(10))
        return VISA_REG_SP;
    return chance(85) ? below(8) : below(VISA_NREGS);
}

/* A random valid instruction word built with the visa_enc_* helpers. */
static uint32_t random_insn(void)
{
    unsigned op = legal_ops[below(nlegal)];
    int off = (int)below(17) - 8;

    switch (visa_optab[op].fmt) {
    case VISA_FMT_R:   return visa_enc_r(op, rreg(), rreg(), rreg());
    case VISA_FMT_I:   return visa_enc_i(op, rreg(), rreg(), below(256));
    case VISA_FMT_M:   return visa_enc_m(op, rreg(), chance(50) ? below(0x4000) : below(0x10000));
    case VISA_FMT_L:   return visa_enc_l(op, rreg(), rreg(), (int)below(256) - 128);
    case VISA_FMT_S:   return visa_enc_s(op, rreg(), rreg(), (int)below(256) - 128);
    case VISA_FMT_B:   return visa_enc_b(op, off, rreg(), rreg());
    case VISA_FMT_J:   return visa_enc_j(op, chance(90) ? below(VISA_GUEST_MEM / 4) : below(1u << 24));
    case VISA_FMT_MOV: return visa_enc(op, rreg(), rreg(), 0);
    case VISA_FMT_JR:  return visa_enc(op, 0, rreg(), 0);
    case VISA_FMT_RA:  return visa_enc(op, rreg(), 0, 0);
    case VISA_FMT_IO:  return visa_enc(op, rreg(), chance(80) ? below(5) : below(256), 0);
    default:           return visa_enc(op, 0, 0, 0);
    }
}

struct image {
    uint8_t mem[VISA_GUEST_MEM];
    size_t size;
};

static void put_word(struct image *im, uint32_t at, uint32_t w)
{
    visa_store_be32(im->mem + at, w);
}

/* A page table at guest frame ROOT mapping the first pages mostly onto
 * themselves with random permissions, plus a few random entries. */
static void random_page_table(struct image *im, uint32_t root)
{
    for (uint32_t vpn = 0; vpn < VISA_GUEST_FRAMES + 2; vpn++) {
        uint32_t frame = chance(80) ? vpn : below(6);
        uint32_t pte = frame << VISA_PAGE_SHIFT | VISA_PTE_P;
        if (chance(70))
            pte |= VISA_PTE_W;
        if (chance(80) || vpn == 0)
            pte |= VISA_PTE_X;
        if (chance(10))
            pte &= ~VISA_PTE_P;
        if (chance(20))
            pte |= VISA_PTE_A | (chance(50) ? VISA_PTE_D : 0);
        put_word(im, root + 4u * vpn, pte);
    }
    for (unsigned i = 0; i < 8; i++)
        put_word(im, root + 4u * below(VISA_VA_PAGES), (uint32_t)rnd());
}

static void random_image(struct image *im)
{
    unsigned style = below(4);        /* 0: bytes, 1-3: mostly instructions */
    unsigned pct_valid = style == 0 ? 0 : 60 + 13 * style;
    uint32_t words = chance(50) ? VISA_GUEST_MEM / 4 : 16 + below(1024);

    memset(im->mem, 0, sizeof im->mem);
    for (uint32_t i = 0; i < words; i++) {
        uint32_t w = chance(pct_valid) ? random_insn() : (uint32_t)rnd();
        /* Hypercalls want a plausible number in r0. */
        if (i + 1 < words && chance(3)) {
            put_word(im, 4 * i++, visa_enc_m(VISA_OP_MOVI, 0, below(9)));
            w = visa_enc(chance(50) ? VISA_OP_HYPERCALL : VISA_OP_SYSCALL, 0, 0, 0);
        }
        put_word(im, 4 * i, w);
    }
    im->size = 4u * words;
    if (style != 0 && chance(35)) {
        /* Paging on from the start: movi r30, root|1; ldpgtr r30. */
        uint32_t root = (1u + below(VISA_GUEST_FRAMES - 1)) << VISA_PAGE_SHIFT;
        random_page_table(im, root);
        put_word(im, 0, visa_enc_m(VISA_OP_MOVI, 30, root | 1u));
        put_word(im, 4, visa_enc(VISA_OP_LDPGTR, 30, 0, 0));
        im->size = VISA_GUEST_MEM;
    }
    if (im->size == 0)
        im->size = 4;
}

/* ---- One random machine ---------------------------------------------------------- */

struct machine {
    int nguests;
    struct image img[4];
    uint32_t trap[4], gslice[4], ept_perm[4][VISA_GUEST_FRAMES];
    uint32_t slice, host_mem;
    uint32_t in_seed;
};

static void random_machine(struct machine *m)
{
    m->nguests = 1 + (int)below(4);
    m->slice = chance(20) ? 1 + below(100) : 1 + below(6);
    m->host_mem = (uint32_t)(4 * m->nguests + 1 + (int)below(3)) * VISA_PAGE_SIZE;
    m->in_seed = (uint32_t)rnd();
    for (int i = 0; i < m->nguests; i++) {
        random_image(&m->img[i]);
        m->trap[i] = below(4) << 1;   /* any mix of VISA_TRAP_CR and _IO */
        m->gslice[i] = chance(30) ? below(6) : 0;
        for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++) {
            m->ept_perm[i][f] = VISA_EPT_RWX;
            if (chance(5))
                m->ept_perm[i][f] = chance(20) ? VISA_EPT_NOT_PRESENT : below(8);
        }
    }
}

/* Build M on a fresh hypervisor; every frame no guest owns gets a canary. */
static struct visa_hv *build(const struct machine *m, struct cap *cap)
{
    struct visa_hv *hv = NULL;

    REQUIRE_CMP(visa_hv_new(&hv, m->host_mem), ==, VISA_OK);
    REQUIRE_CMP(visa_hv_set_slice(hv, m->slice), ==, VISA_OK);
    for (int i = 0; i < m->nguests; i++) {
        REQUIRE_CMP(visa_hv_add_guest(hv, m->img[i].mem, m->img[i].size), ==, i + 1);
        struct visa_guest *g = visa_hv_guest(hv, i + 1);
        g->vmcs.trap_ctl = m->trap[i];
        REQUIRE_CMP(visa_hv_set_guest_slice(hv, i + 1, m->gslice[i]), ==, VISA_OK);
        for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++)
            REQUIRE_CMP(visa_hv_set_ept(hv, i + 1, f, m->ept_perm[i][f]), ==, VISA_OK);
    }
    for (uint32_t f = 0; f < hv->nframes; f++)
        if (hv->frame_owner[f] == 0)
            for (uint32_t i = 0; i < VISA_PAGE_SIZE; i++)
                hv->mem[f * VISA_PAGE_SIZE + i] = CANARY(f, i);
    memset(cap, 0, sizeof *cap);
    cap->in_seed = m->in_seed;
    attach(hv, cap);
    return hv;
}

/* ---- Invariants ---------------------------------------------------------------- */

static void check_valid(const struct visa_hv *hv, enum visa_stop why,
                        uint64_t before, uint64_t budget)
{
    uint64_t sum = 0;
    bool running = false;

    REQUIRE_CMP(hv->icount - before, <=, budget);
    if (why == VISA_STOP_BUDGET)
        REQUIRE_CMP(hv->icount - before, ==, budget);
    for (int id = 1; id <= hv->nguests; id++) {
        const struct visa_guest *g = &hv->g[id - 1];
        const struct visa_vmcs *v = &g->vmcs;
        sum += g->icount;
        REQUIRE_CMP(g->id, ==, id);
        REQUIRE((g->state) >= (0));
        REQUIRE((g->state) < (VISA_STATE_COUNT));
        REQUIRE_CMP(v->exit_cause, <, VISA_EXIT_COUNT);
        running |= g->state == VISA_STATE_RUNNING;
        if (g->state == VISA_STATE_STOPPED)
            REQUIRE(v->exit_cause == VISA_EXIT_HALT ||
                      v->exit_cause == VISA_EXIT_HYPERCALL);
        if (g->state == VISA_STATE_BLOCKED)
            REQUIRE(v->exit_cause == VISA_EXIT_PRIVILEGED ||
                      v->exit_cause == VISA_EXIT_PAGE_FAULT ||
                      v->exit_cause == VISA_EXIT_ILLEGAL ||
                      v->exit_cause == VISA_EXIT_CR_WRITE);
        if (v->exit_cause == VISA_EXIT_PAGE_FAULT)
            REQUIRE(v->exit_va_valid);
        REQUIRE(v->ptbr == 0 ||
                  ((v->ptbr & 0xFFFu) == 1u && v->ptbr < VISA_GUEST_MEM));
        uint64_t exits = 0;
        for (unsigned c = 0; c < VISA_EXIT_COUNT; c++)
            exits += v->exit_count[c];
        REQUIRE_CMP(v->exit_count[VISA_EXIT_NONE], ==, 0);
        REQUIRE(exits > 0 || v->exit_cause == VISA_EXIT_NONE);
        REQUIRE_CMP(g->slice_used, <=, BUDGET);
        for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++)
            REQUIRE_CMP(hv->frame_owner[v->ept[f].hframe], ==, id);
        for (unsigned i = 0; i < VISA_TLB_SIZE; i++) {
            const struct visa_tlb_entry *t = &g->tlb[i];
            if (t->vpn == VISA_TLB_INVALID)
                continue;
            REQUIRE_CMP(t->vpn % VISA_TLB_SIZE, ==, i);
            REQUIRE_CMP(t->vpn, <, VISA_VA_PAGES);
            REQUIRE_CMP(hv->frame_owner[t->hframe], ==, id);
        }
    }
    REQUIRE_CMP(sum, ==, hv->icount);
    if (why == VISA_STOP_IDLE)
        REQUIRE(!running);
    for (uint64_t k = 0; k < hv->timeline_count && k < VISA_TIMELINE_SIZE; k++) {
        const struct visa_slice_rec *r = &hv->timeline[k];
        REQUIRE(r->guest >= 1 && r->guest <= hv->nguests);
        REQUIRE_CMP(r->why, <, VISA_EXIT_COUNT);
        REQUIRE_CMP(r->start + r->insns, <=, hv->icount);
    }
    for (uint32_t f = 0; f < hv->nframes; f++) {
        if (hv->frame_owner[f] != 0)
            continue;
        for (uint32_t i = 0; i < VISA_PAGE_SIZE; i++)
            if (hv->mem[f * VISA_PAGE_SIZE + i] != CANARY(f, i))
                ck_abort_msg("free host frame %u byte %u was written", f, i);
    }
}

/* The guest state a user can see, field by field (no padding compared). */
static void same_guest(const struct visa_guest *a, const struct visa_guest *b,
                       bool same_schedule)
{
    REQUIRE_CMP(a->state, ==, b->state);
    REQUIRE_CMP(a->exit_code, ==, b->exit_code);
    REQUIRE_MEM(a->r, b->r, sizeof a->r);
    REQUIRE_CMP(a->pc, ==, b->pc);
    REQUIRE_CMP(a->icount, ==, b->icount);
    REQUIRE_CMP(a->tlb_hits, ==, b->tlb_hits);
    REQUIRE_CMP(a->tlb_misses, ==, b->tlb_misses);
    REQUIRE_CMP(a->vmcs.ptbr, ==, b->vmcs.ptbr);
    for (unsigned i = 0; i < VISA_TLB_SIZE; i++) {
        REQUIRE_CMP(a->tlb[i].vpn, ==, b->tlb[i].vpn);
        if (a->tlb[i].vpn == VISA_TLB_INVALID)
            continue;
        REQUIRE_CMP(a->tlb[i].gframe, ==, b->tlb[i].gframe);
        REQUIRE_CMP(a->tlb[i].hframe, ==, b->tlb[i].hframe);
        REQUIRE_CMP(a->tlb[i].perm, ==, b->tlb[i].perm);
        REQUIRE_CMP(a->tlb[i].dirty, ==, b->tlb[i].dirty);
    }
    for (unsigned c = 0; c < VISA_EXIT_COUNT; c++)
        if (same_schedule || c != VISA_EXIT_TIMER)
            REQUIRE_CMP(a->vmcs.exit_count[c], ==, b->vmcs.exit_count[c]);
    if (same_schedule || a->vmcs.exit_cause != VISA_EXIT_TIMER) {
        REQUIRE_CMP(a->vmcs.exit_cause, ==, b->vmcs.exit_cause);
        REQUIRE_CMP(a->vmcs.exit_qual, ==, b->vmcs.exit_qual);
        REQUIRE_CMP(a->vmcs.exit_pc, ==, b->vmcs.exit_pc);
        REQUIRE_CMP(a->vmcs.exit_insn, ==, b->vmcs.exit_insn);
    }
    if (same_schedule)
        REQUIRE_CMP(a->slice_used, ==, b->slice_used);
}

static void same_machine(const struct visa_hv *a, const struct visa_hv *b)
{
    REQUIRE_CMP(a->nguests, ==, b->nguests);
    REQUIRE_CMP(a->icount, ==, b->icount);
    REQUIRE_CMP(a->cur, ==, b->cur);
    REQUIRE_CMP(a->timeline_count, ==, b->timeline_count);
    for (unsigned k = 0; k < VISA_TIMELINE_SIZE; k++) {
        REQUIRE_CMP(a->timeline[k].guest, ==, b->timeline[k].guest);
        REQUIRE_CMP(a->timeline[k].why, ==, b->timeline[k].why);
        REQUIRE_CMP(a->timeline[k].insns, ==, b->timeline[k].insns);
        REQUIRE_CMP(a->timeline[k].start, ==, b->timeline[k].start);
    }
    for (int id = 1; id <= a->nguests; id++)
        same_guest(&a->g[id - 1], &b->g[id - 1], true);
    REQUIRE_CMP(a->mem_size, ==, b->mem_size);
    REQUIRE_MEM(a->mem, b->mem, a->mem_size);
}

static void same_output(const struct cap *a, const struct cap *b, int id)
{
    REQUIRE_CMP(a->total[id], ==, b->total[id]);
    REQUIRE_MEM(a->out[id], b->out[id], a->len[id]);
}

/* The monitor's side-effect-free views survive any address. */
static void poke_monitor(struct visa_hv *hv)
{
    uint8_t buf[64];
    struct visa_walk w;
    static const unsigned access[] = { VISA_PFQ_READ, VISA_PFQ_WRITE, VISA_PFQ_FETCH };

    for (int id = 1; id <= hv->nguests; id++) {
        const struct visa_guest *g = visa_hv_guest(hv, id);
        uint64_t hits = g->tlb_hits, misses = g->tlb_misses;
        for (unsigned k = 0; k < 8; k++) {
            uint32_t va = chance(70) ? below(VISA_VA_LIMIT + VISA_PAGE_SIZE) : (uint32_t)rnd();
            size_t n = 1 + below(sizeof buf);
            int rc = visa_hv_read_virt(hv, id, va, buf, n);
            REQUIRE(rc == VISA_OK || rc == VISA_EUNMAPPED);
            rc = visa_hv_read_phys(hv, id, va, buf, n);
            REQUIRE(rc == VISA_OK || rc == VISA_EUNMAPPED);
            REQUIRE_CMP(visa_hv_translate(hv, id, va, access[k % 3], &w), ==, VISA_OK);
            REQUIRE_CMP(w.va, ==, va);
            REQUIRE(w.fail != VISA_WALK_OK || w.hpa < hv->mem_size);
        }
        REQUIRE_CMP(g->tlb_hits, ==, hits);
        REQUIRE_CMP(g->tlb_misses, ==, misses);
    }
}

START_TEST(test_random_machines)
{
    static struct machine m;
    static struct cap cap_a, cap_b, cap_c;
    unsigned per = NMACHINES / NLOOPS;

    collect_legal_ops();
    for (unsigned k = (unsigned)_i * per; k < ((unsigned)_i + 1) * per; k++) {
        rng_state = 0x5EED0000u + k;
        random_machine(&m);
        struct visa_hv *a = build(&m, &cap_a);
        struct visa_hv *b = build(&m, &cap_b);
        REQUIRE_CMP(visa_hv_copy(b, a), ==, VISA_OK);
        uint64_t budget = chance(10) ? below(50) : BUDGET;

        /* Sometimes in two runs: a run resumes exactly where it stopped. */
        uint64_t first = chance(30) ? below((uint32_t)budget + 1) : budget;
        int who = -1;
        enum visa_stop why = visa_hv_run(a, first, &who);
        REQUIRE(why == VISA_STOP_BUDGET || why == VISA_STOP_IDLE);
        REQUIRE(who >= 0 && who <= a->nguests);
        if (why == VISA_STOP_BUDGET && first < budget)
            why = visa_hv_run(a, budget - first, NULL);
        check_valid(a, why, 0, budget);

        /* The copy taken before the run ends the same in one run. */
        REQUIRE_CMP(visa_hv_run(b, budget, NULL), ==, why);
        same_machine(a, b);
        for (int id = 1; id <= m.nguests; id++)
            same_output(&cap_a, &cap_b, id);

        /* Isolation: each guest stepped alone as often as it ran. */
        for (int id = 1; id <= m.nguests; id++) {
            struct visa_hv *c = build(&m, &cap_c);
            const struct visa_guest *ga = visa_hv_guest(a, id);
            /* A blocked guest also tried the instruction that blocked it. */
            enum visa_stop s = visa_hv_step(c, id, ga->icount +
                                            (ga->state == VISA_STATE_BLOCKED));
            const struct visa_guest *gc = visa_hv_guest(c, id);
            REQUIRE(s == VISA_STOP_BUDGET || s == VISA_STOP_IDLE);
            same_guest(ga, gc, false);
            uint8_t ma[VISA_GUEST_MEM], mc[VISA_GUEST_MEM];
            for (uint32_t f = 0; f < VISA_GUEST_FRAMES; f++) {
                memcpy(ma + f * VISA_PAGE_SIZE,
                       a->mem + ga->vmcs.ept[f].hframe * VISA_PAGE_SIZE, VISA_PAGE_SIZE);
                memcpy(mc + f * VISA_PAGE_SIZE,
                       c->mem + gc->vmcs.ept[f].hframe * VISA_PAGE_SIZE, VISA_PAGE_SIZE);
            }
            REQUIRE_MEM(ma, mc, sizeof ma);
            same_output(&cap_a, &cap_c, id);
            visa_hv_free(c);
        }

        poke_monitor(a);
        check_valid(a, why, 0, budget);
        visa_hv_free(a);
        visa_hv_free(b);
    }
}
END_TEST

/* Two identical machines given identical inputs print identical output,
 * whether or not hooks are installed (the slow path agrees with the fast). */
static int count_insn(void *ctx, struct visa_hv *hv, int guest, uint32_t pc,
                      uint32_t word)
{
    return 0;
}

START_TEST(test_identical_console)
{
    static struct machine m;
    static struct cap ca, cb;
    static const char hello[] = "hello, world\n";
    unsigned printed = 0;

    collect_legal_ops();
    for (unsigned k = 0; k < 200; k++) {
        rng_state = 0xC0FFEE00u + k;
        random_machine(&m);
        /* Guest 1 also prints through every device it has. */
        struct image *im = &m.img[0];
        uint32_t p = 0;
        memset(im->mem, 0, sizeof im->mem);
        memcpy(im->mem + 0x1000, hello, sizeof hello);
        put_word(im, p, visa_enc_m(VISA_OP_MOVI, 1, 0x1000)); p += 4;
        put_word(im, p, visa_enc_m(VISA_OP_MOVI, 0, VISA_HC_PUTS)); p += 4;
        put_word(im, p, visa_enc(VISA_OP_HYPERCALL, 0, 0, 0)); p += 4;
        put_word(im, p, visa_enc(VISA_OP_IN, 2, VISA_PORT_CONSOLE, 0)); p += 4;
        put_word(im, p, visa_enc(VISA_OP_OUT, 2, VISA_PORT_DECIMAL, 0)); p += 4;
        put_word(im, p, visa_enc(VISA_OP_OUT, 2, VISA_PORT_CONSOLE, 0)); p += 4;
        put_word(im, p, visa_enc_j(VISA_OP_JMP, 3)); p += 4;
        im->size = 0x1000 + sizeof hello;
        m.ept_perm[0][0] = m.ept_perm[0][1] = VISA_EPT_RWX;

        struct visa_hv *a = build(&m, &ca);
        struct visa_hv *b = build(&m, &cb);
        if (k % 2) {
            struct visa_callbacks cbs = b->cb;
            cbs.after_insn = count_insn;
            visa_hv_set_callbacks(b, &cbs);
            REQUIRE(b->slow);
        }
        enum visa_stop sa = visa_hv_run(a, BUDGET, NULL);
        enum visa_stop sb = visa_hv_run(b, BUDGET, NULL);
        REQUIRE_CMP(sa, ==, sb);
        same_machine(a, b);
        for (int id = 1; id <= m.nguests; id++) {
            same_output(&ca, &cb, id);
            printed += ca.total[id] > 0;
        }
        REQUIRE_CMP(ca.total[1], >=, sizeof hello - 1);
        REQUIRE_MEM(ca.out[1], hello, sizeof hello - 1);
        visa_hv_free(a);
        visa_hv_free(b);
    }
    REQUIRE_CMP(printed, >, 200);
}
END_TEST

static Suite *random_suite(void)
{
    Suite *s = suite_create("random");
    TCase *tc = tcase_create("invariants");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_random_machines, 0, (int)NLOOPS);
    tcase_add_test(tc, test_identical_console);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(random_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
