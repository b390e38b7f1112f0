/* check_diff.c - the fast interpreter against the reference step.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every machine is built twice: one runs on the fast path (pre-decoded
 * code, translation caches, threaded dispatch), the other with a
 * before_insn hook that does nothing, which puts the core on exec_one(),
 * one instruction at a time with no cache.  Both get the same runs,
 * steps and monitor actions, and at every checkpoint the FULL machine
 * state must be identical: registers, pc, states, VMCS (exit information
 * and counts), TLB entries and counters, instruction counts, slices, the
 * timeline, all of host memory, console output and the stop reasons.
 *
 * Random programs (fixed seed) mix ALU instructions, loads and stores,
 * branches, calls, pushes and pops, stores into their own code,
 * page-table changes, ldpgtr and tlbflushv, I/O and hypercalls, in
 * several guests with random slices and trap controls; between runs the
 * test steps guests, writes memory as the monitor does, changes the EPT,
 * flushes TLBs, copies machines and sets pc breakpoints.  Many guests
 * at slices of 1 to 3 instructions (where the fast path takes timer exits
 * and switches guests itself) yield, block, halt, are paused and resumed
 * between runs whose budgets often end exactly at a slice boundary, with
 * and without an on_exit hook.  The same guests also run on the fast
 * path in pieces that end at arbitrary points (budgets, the stop flag set
 * from console output in the middle of a round robin of timer exits)
 * against one reference run of the same length.  Long straight-line
 * blocks across a page end run at slices shorter than the block (the
 * fast loop's counted mode), with data cache misses, stores into code
 * and breakpoints inside them.  Then every example program runs both
 * ways.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visa/hv.h"
#include "visa/loader.h"

#define NPROGS   400u
#define NLOOPS   4u
#define OUT_MAX  8192u

#define REQUIRE(c) do {                                                     \
        if (!(c))                                                           \
            ck_abort_msg("%s:%d: %s (%s)", __FILE__, __LINE__, #c, where);  \
    } while (0)
#define SAME(x) do {                                                        \
        if ((a->x) != (b->x))                                               \
            ck_abort_msg("%s: %s differs: fast %llu, reference %llu", where, \
                         #x, (unsigned long long)(a->x),                    \
                         (unsigned long long)(b->x));                       \
    } while (0)

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

/* ---- Two machines ---------------------------------------------------------- */

struct con {
    char out[VISA_MAX_GUESTS + 1][OUT_MAX];
    size_t len[VISA_MAX_GUESTS + 1];
    uint64_t total[VISA_MAX_GUESTS + 1];
    uint64_t exits[VISA_MAX_GUESTS + 1];    /* on_exit calls */
    unsigned in;
};

static void con_write(void *ctx, int guest, const char *buf, size_t len)
{
    struct con *c = ctx;
    for (size_t i = 0; i < len; i++) {
        if (c->len[guest] < OUT_MAX)
            c->out[guest][c->len[guest]++] = buf[i];
    }
    c->total[guest] += len;
}

static int con_read(void *ctx, int guest)
{
    struct con *c = ctx;
    c->in++;
    return (c->in + (unsigned)guest) % 5u == 0 ? -1 : (int)('a' + c->in % 26u);
}

static int nop_before(void *ctx, struct visa_hv *hv, int guest, uint32_t pc)
{
    return 0;
}

static int count_exit(void *ctx, struct visa_hv *hv, int guest)
{
    struct con *c = ctx;
    (void)hv;
    c->exits[guest]++;
    return 0;
}

static struct con con_fast, con_ref;

/* EXITS: install an on_exit hook (which keeps timer exits in hv.c). */
static void attach_hooks(struct visa_hv *hv, struct con *c, bool ref, bool exits)
{
    struct visa_callbacks cb = { 0 };
    cb.ctx = c;
    cb.console_write = con_write;
    cb.console_read = con_read;
    if (ref)
        cb.before_insn = nop_before;
    if (exits)
        cb.on_exit = count_exit;
    visa_hv_set_callbacks(hv, &cb);
}

static void attach(struct visa_hv *hv, struct con *c, bool ref)
{
    attach_hooks(hv, c, ref, false);
}

static void compare(const struct visa_hv *a, const struct visa_hv *b,
                    const char *where)
{
    SAME(nguests);
    SAME(cur);
    SAME(icount);
    SAME(timeline_count);
    SAME(slice);
    SAME(slice_start);
    SAME(mem_size);
    for (unsigned i = 0; i < VISA_TIMELINE_SIZE; i++) {
        SAME(timeline[i].guest);
        SAME(timeline[i].why);
        SAME(timeline[i].insns);
        SAME(timeline[i].start);
    }
    for (int k = 0; k < a->nguests; k++) {
        SAME(g[k].id);
        SAME(g[k].state);
        SAME(g[k].exit_code);
        SAME(g[k].pc);
        for (unsigned r = 0; r < VISA_NREGS; r++)
            SAME(g[k].r[r]);
        SAME(g[k].vmcs.ptbr);
        for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++) {
            SAME(g[k].vmcs.ept[f].present);
            SAME(g[k].vmcs.ept[f].perm);
            SAME(g[k].vmcs.ept[f].hframe);
        }
        SAME(g[k].vmcs.trap_ctl);
        SAME(g[k].vmcs.slice);
        SAME(g[k].vmcs.exit_cause);
        SAME(g[k].vmcs.exit_qual);
        SAME(g[k].vmcs.exit_va);
        SAME(g[k].vmcs.exit_gpa);
        SAME(g[k].vmcs.exit_va_valid);
        SAME(g[k].vmcs.exit_gpa_valid);
        SAME(g[k].vmcs.exit_insn);
        SAME(g[k].vmcs.exit_pc);
        for (unsigned e = 0; e < VISA_EXIT_COUNT; e++)
            SAME(g[k].vmcs.exit_count[e]);
        for (unsigned t = 0; t < VISA_TLB_SIZE; t++) {
            SAME(g[k].tlb[t].vpn);
            if (a->g[k].tlb[t].vpn == VISA_TLB_INVALID)
                continue;
            SAME(g[k].tlb[t].gframe);
            SAME(g[k].tlb[t].hframe);
            SAME(g[k].tlb[t].perm);
            SAME(g[k].tlb[t].dirty);
        }
        SAME(g[k].tlb_hits);
        SAME(g[k].tlb_misses);
        SAME(g[k].icount);
        SAME(g[k].slice_used);
        SAME(g[k].image_size);
    }
    REQUIRE(memcmp(a->mem, b->mem, a->mem_size) == 0);
    for (int k = 0; k <= VISA_MAX_GUESTS; k++) {
        REQUIRE(con_fast.total[k] == con_ref.total[k]);
        REQUIRE(con_fast.exits[k] == con_ref.exits[k]);
        REQUIRE(memcmp(con_fast.out[k], con_ref.out[k], con_fast.len[k]) == 0);
    }
}

/* ---- Random programs ----------------------------------------------------------- */

#define CODE_END 0x1400u        /* code spans pages 0 and 1 */
#define DATA     0x1800u
#define PT       0x3000u

static uint32_t enc(unsigned op, unsigned a, unsigned b, unsigned c)
{
    return visa_enc(op, a, b, c);
}

static unsigned reg(void)
{
    unsigned x = rn(100);
    if (x < 90)
        return 1 + rn(8);               /* r1..r8: the working set */
    if (x < 97)
        return rn(32);
    return 32 + rn(224);                /* illegal field */
}

static const uint8_t alu_r[] = {
    VISA_OP_ADD, VISA_OP_SUB, VISA_OP_MUL, VISA_OP_DIV, VISA_OP_MOD,
    VISA_OP_AND, VISA_OP_OR, VISA_OP_XOR, VISA_OP_SHL, VISA_OP_SHR,
    VISA_OP_SAR, VISA_OP_SLT, VISA_OP_SLTU,
};
static const uint8_t alu_i[] = {
    VISA_OP_ADDI, VISA_OP_SUBI, VISA_OP_MULI, VISA_OP_DIVI, VISA_OP_ANDI,
    VISA_OP_ORI, VISA_OP_XORI, VISA_OP_SHLI, VISA_OP_SHRI, VISA_OP_SARI,
};
static const uint8_t branches[] = {
    VISA_OP_JEQ, VISA_OP_JNE, VISA_OP_JLT, VISA_OP_JGE, VISA_OP_JLTU, VISA_OP_JGEU,
};
static const uint8_t rare[] = {
    VISA_OP_VMENTER, VISA_OP_VMCAUSE, VISA_OP_LDHPTR, VISA_OP_HALT, 0x00, 0x25,
    0x37, 0x50,
};

/* A base register for a memory access: data, code, page table or stack. */
static unsigned base_reg(void)
{
    static const uint8_t bases[] = { 9, 9, 9, 9, 10, 11, 31, 12 };
    return bases[rn(sizeof bases)];
}

static uint32_t random_insn(uint32_t at)
{
    unsigned k = rn(100);
    if (k < 30) {
        unsigned op = alu_r[rn(sizeof alu_r)];
        unsigned rd = reg(), rs = rn(3) == 0 ? rd : reg();
        return enc(op, rd, rs, reg());
    }
    if (k < 45) {
        unsigned op = alu_i[rn(sizeof alu_i)];
        unsigned rd = reg();
        return enc(op, rd, rn(3) ? rd : reg(), rn(256));
    }
    if (k < 48)
        return enc(rn(2) ? VISA_OP_MOVI : VISA_OP_MOVHI, reg(), rn(256), rn(256));
    if (k < 50)
        return enc(VISA_OP_MOV, reg(), reg(), 0);
    if (k < 58)
        return enc(rn(2) ? VISA_OP_LDW : VISA_OP_LDB, reg(), base_reg(), rn(256));
    if (k < 65)
        return enc(rn(2) ? VISA_OP_STW : VISA_OP_STB, rn(256), base_reg(), reg());
    if (k < 75) {
        /* mostly short forward branches, some backward */
        int off = rn(4) ? (int)rn(12) : -(int)rn(40);
        return enc(branches[rn(sizeof branches)], (unsigned)off & 0xFFu, reg(), reg());
    }
    if (k < 78)
        return enc(rn(2) ? VISA_OP_PUSH : VISA_OP_POP, reg(), 0, 0);
    if (k < 80) {
        uint32_t t = (rn(CODE_END) & ~3u) >> 2;
        return visa_enc_j(rn(3) ? VISA_OP_CALL : VISA_OP_JMP, t);
    }
    if (k < 81)
        return enc(VISA_OP_RET, 0, 0, 0);
    if (k < 82)
        return enc(rn(2) ? VISA_OP_JR : VISA_OP_CALLR, 0, 13, 0);
    if (k < 84)
        return enc(VISA_OP_ADDI, 9, 9, rn(64) * 4u + rn(4));    /* move data */
    if (k < 86)
        return enc(VISA_OP_SUBI, 9, 9, rn(64) * 4u);
    if (k < 87)
        return enc(VISA_OP_LDPGTR, rn(4) ? 14 : reg(), 0, 0);
    if (k < 88)
        return enc(VISA_OP_TLBFLUSHV, 0, 0, 0);
    if (k < 90)
        return enc(rn(2) ? VISA_OP_IN : VISA_OP_OUT, reg(), rn(5), 0);
    if (k < 92) {
        /* hypercall with r0 set just before: two words */
        return enc(VISA_OP_HYPERCALL, 0, 0, 0);
    }
    if (k < 93)
        return enc(VISA_OP_NOP, 0, 0, 0);
    if (k < 94)
        return enc(rare[rn(sizeof rare)], rn(4), 0, 0);
    if (k < 95)
        return (uint32_t)rnd();
    /* a store of an instruction word into the code (self-modifying) */
    (void)at;
    return enc(VISA_OP_STW, rn(256), 10, 1 + rn(8));
}

struct img {
    uint8_t b[VISA_GUEST_MEM];
    uint32_t size;
};

static void put(struct img *m, uint32_t at, uint32_t w)
{
    visa_store_be32(m->b + at, w);
    if (at + 4 > m->size)
        m->size = at + 4;
}

static void random_image(struct img *m)
{
    uint32_t at = 0;
    bool paging = rn(2);

    memset(m, 0, sizeof *m);
    for (unsigned r = 1; r <= 8; r++) {
        put(m, at, enc(VISA_OP_MOVI, r, rn(256), rn(256)));
        at += 4;
    }
    put(m, at, enc(VISA_OP_MOVI, 9, DATA >> 8, 0)); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 10, 0, rn(64) * 4)); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 11, PT >> 8, rn(16) * 4)); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 12, 0x0F, rn(256))); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 13, 0, rn(CODE_END / 16) * 4)); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 14, PT >> 8, rn(4) ? 1 : 0)); at += 4;
    if (paging) {
        /* VPN 0-3 map their frames; 4-7 alias with random bits */
        put(m, PT + 0, 0x0000u | VISA_PTE_P | VISA_PTE_W | VISA_PTE_X);
        put(m, PT + 4, 0x1000u | VISA_PTE_P | VISA_PTE_W | VISA_PTE_X);
        put(m, PT + 8, 0x2000u | VISA_PTE_P | VISA_PTE_W | (rn(4) ? 0 : VISA_PTE_X));
        put(m, PT + 12, 0x3000u | VISA_PTE_P | VISA_PTE_W);
        for (unsigned v = 4; v < 8; v++)
            put(m, PT + 4 * v, (rn(4) << 12) | rn(0x80));
        put(m, at, enc(VISA_OP_LDPGTR, 14, 0, 0)); at += 4;
    }
    while (at < CODE_END) {
        uint32_t w = random_insn(at);
        if (visa_op(w) == VISA_OP_HYPERCALL && at + 8 <= CODE_END) {
            put(m, at, enc(VISA_OP_MOVI, 0, 0, rn(8)));
            at += 4;
        }
        put(m, at, w);
        at += 4;
    }
    for (uint32_t d = DATA; d < PT; d += 4)
        if (rn(2))
            put(m, d, (uint32_t)rnd());
}

/* ---- Driving both machines ------------------------------------------------------ */

struct pair {
    struct visa_hv *a, *b;              /* fast, reference */
};

static void pair_new(struct pair *p, uint32_t host_mem)
{
    ck_assert_int_eq(visa_hv_new(&p->a, host_mem), VISA_OK);
    ck_assert_int_eq(visa_hv_new(&p->b, host_mem), VISA_OK);
    memset(&con_fast, 0, sizeof con_fast);
    memset(&con_ref, 0, sizeof con_ref);
    attach(p->a, &con_fast, false);
    attach(p->b, &con_ref, true);
}

static void pair_free(struct pair *p)
{
    visa_hv_free(p->a);
    visa_hv_free(p->b);
}

static void run_both(struct pair *p, uint64_t budget, const char *where)
{
    int wa = -1, wb = -1;
    enum visa_stop sa = visa_hv_run(p->a, budget, &wa);
    enum visa_stop sb = visa_hv_run(p->b, budget, &wb);
    REQUIRE(sa == sb);
    REQUIRE(wa == wb);
    compare(p->a, p->b, where);
}

static void step_both(struct pair *p, int guest, uint64_t n, const char *where)
{
    enum visa_stop sa = visa_hv_step(p->a, guest, n);
    enum visa_stop sb = visa_hv_step(p->b, guest, n);
    REQUIRE(sa == sb);
    compare(p->a, p->b, where);
}

static struct visa_bp cur_bps[6];
static size_t cur_nbps;

/* Something a monitor user might do between runs, to both machines. */
static void poke_both(struct pair *p, const char *where)
{
    int n = p->a->nguests, gid = 1 + (int)rn((uint32_t)n);
    struct visa_hv *m[2] = { p->a, p->b };
    unsigned k = rn(100);
    uint32_t v = (uint32_t)rnd(), at = rn(VISA_GUEST_MEM - 4);

    if (k < 30) {                   /* unblock: skip the faulting insn */
        for (int i = 0; i < 2; i++) {
            struct visa_guest *g = visa_hv_guest(m[i], gid);
            if (g->state == VISA_STATE_BLOCKED) {
                g->pc += 4;
                visa_hv_resume(m[i], gid);
            }
        }
    } else if (k < 45) {            /* monitor write into code or data */
        if (rn(2))
            at = rn(CODE_END / 4) * 4;
        if (rn(3) == 0)
            v = random_insn(at);
        size_t len = rn(4) + 1;
        int ra = visa_hv_write_phys(p->a, gid, at, &v, len);
        REQUIRE(ra == visa_hv_write_phys(p->b, gid, at, &v, len));
    } else if (k < 50) {
        uint32_t va = rn(0x6000);
        int ra = visa_hv_write_virt(p->a, gid, va, &v, 4);
        REQUIRE(ra == visa_hv_write_virt(p->b, gid, va, &v, 4));
    } else if (k < 55) {
        unsigned f = rn(VISA_GUEST_FRAMES), perm = rn(8) == 0 ? VISA_EPT_NOT_PRESENT : rn(8);
        if (rn(2))
            perm = VISA_EPT_RWX;
        for (int i = 0; i < 2; i++)
            REQUIRE(visa_hv_set_ept(m[i], gid, f, perm) == VISA_OK);
    } else if (k < 60) {
        for (int i = 0; i < 2; i++)
            visa_hv_flush_tlb(m[i], gid);
    } else if (k < 65) {
        uint32_t s = rn(5) + 1;
        for (int i = 0; i < 2; i++)
            visa_hv_set_slice(m[i], s);
    } else if (k < 68) {
        for (int i = 0; i < 2; i++)
            visa_hv_reset_guest(m[i], gid);
    } else if (k < 72) {
        uint32_t pc = rn(2) ? rn(CODE_END / 4) * 4 : (uint32_t)rnd();
        pc &= rn(8) ? ~3u : ~0u;
        for (int i = 0; i < 2; i++)
            visa_hv_guest(m[i], gid)->pc = pc;
    } else if (k < 76) {            /* the fast machine becomes a copy */
        struct visa_hv *c;
        REQUIRE(visa_hv_new(&c, p->a->mem_size) == VISA_OK);
        visa_hv_set_callbacks(c, &p->a->cb);    /* the same hooks */
        REQUIRE(visa_hv_copy(c, p->a) == VISA_OK);
        visa_hv_free(p->a);
        p->a = c;
        /* breakpoints are settings, not machine state: set them again */
        REQUIRE(visa_hv_set_breakpoints(c, cur_bps, cur_nbps) == VISA_OK);
        visa_hv_skip_breakpoint(p->b, 0, 0);
    } else if (k < 82) {            /* pc breakpoints, the same on both */
        struct visa_bp bps[6];
        size_t nb = rn(7);
        for (size_t i = 0; i < nb; i++) {
            bps[i].guest = (int)rn((uint32_t)n + 1);
            bps[i].pc = rn(CODE_END / 4) * 4 + (rn(4) == 0 ? 0x1000u * rn(4) : 0);
        }
        for (int i = 0; i < 2; i++)
            REQUIRE(visa_hv_set_breakpoints(m[i], bps, nb) == VISA_OK);
        memcpy(cur_bps, bps, sizeof bps);
        cur_nbps = nb;
    } else if (k < 86) {
        uint32_t t = rn(8);
        for (int i = 0; i < 2; i++)
            visa_hv_guest(m[i], gid)->vmcs.trap_ctl = t;
    } else if (k < 90) {
        uint64_t s = rn(50) + 1;
        step_both(p, gid, s, where);
    }
    compare(p->a, p->b, where);
}

START_TEST(test_random_programs)
{
    char where[96];
    static struct img im[4];

    rng_state = 0x5EED0000u + (uint64_t)_i * 7919u;
    for (unsigned prog = 0; prog < NPROGS; prog++) {
        struct pair p;
        int n = 1 + (int)rn(4);
        pair_new(&p, 0x10000u + (rn(2) ? 0x4000u : 0));
        cur_nbps = 0;
        for (int k = 0; k < n; k++) {
            random_image(&im[k]);
            REQUIRE(visa_hv_add_guest(p.a, im[k].b, im[k].size) == k + 1);
            REQUIRE(visa_hv_add_guest(p.b, im[k].b, im[k].size) == k + 1);
            uint32_t gs = rn(3) ? 0 : rn(200) + 1, t = rn(4) ? VISA_TRAP_DEFAULT : rn(8);
            visa_hv_set_guest_slice(p.a, k + 1, gs);
            visa_hv_set_guest_slice(p.b, k + 1, gs);
            p.a->g[k].vmcs.trap_ctl = p.b->g[k].vmcs.trap_ctl = t;
        }
        uint32_t slice = rn(3) == 0 ? 100000 : rn(8) + 1;
        visa_hv_set_slice(p.a, slice);
        visa_hv_set_slice(p.b, slice);
        for (unsigned cp = 0; cp < 40; cp++) {
            snprintf(where, sizeof where, "loop %d program %u checkpoint %u", _i, prog, cp);
            run_both(&p, rn(4) ? rn(300) + 1 : rn(5000) + 1, where);
            poke_both(&p, where);
        }
        pair_free(&p);
    }
}
END_TEST

/* ---- Timer exits: many guests, tiny slices ------------------------------------- */

/* A loop of a few instructions that yields, blocks, prints, stores and
 * loads at random places, closed by addi + a branch (the fused pair) or
 * a jmp; after it a halt. */
static void sched_image(struct img *m)
{
    uint32_t at = 0, loop;
    unsigned n = 1 + rn(10);

    memset(m, 0, sizeof *m);
    put(m, at, enc(VISA_OP_MOVI, 1, 0, rn(16))); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 6, 0, rn(4) ? 0 : 20 + rn(200))); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 9, DATA >> 8, 0)); at += 4;
    loop = at;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = rn(100);
        if (k < 45) {
            put(m, at, enc(alu_r[rn(sizeof alu_r)], 2 + rn(3), 1 + rn(4), 1 + rn(4)));
        } else if (k < 55) {
            put(m, at, enc(VISA_OP_ADDI, 1, 1, rn(4)));
        } else if (k < 65) {                    /* yield */
            put(m, at, enc(VISA_OP_MOVI, 0, 0, VISA_HC_YIELD)); at += 4;
            put(m, at, enc(VISA_OP_HYPERCALL, 0, 0, 0));
        } else if (k < 69) {                    /* blocks until resumed */
            put(m, at, enc(VISA_OP_VMCAUSE, 4, 0, 0));
        } else if (k < 79) {
            put(m, at, enc(rn(2) ? VISA_OP_STW : VISA_OP_STB, rn(8) * 4, 9, 1 + rn(4)));
        } else if (k < 87) {
            put(m, at, enc(VISA_OP_LDW, 2 + rn(3), 9, rn(8) * 4));
        } else if (k < 91) {                    /* putnum r1 */
            put(m, at, enc(VISA_OP_MOVI, 0, 0, VISA_HC_PUTNUM)); at += 4;
            put(m, at, enc(VISA_OP_HYPERCALL, 0, 0, 0));
        } else if (k < 95) {
            put(m, at, enc(VISA_OP_OUT, 1, VISA_PORT_DECIMAL, 0));
        } else {
            put(m, at, enc(VISA_OP_NOP, 0, 0, 0));
        }
        at += 4;
    }
    if (rn(3)) {                                /* addi + jne: fused */
        put(m, at, enc(VISA_OP_ADDI, 5, 5, 1)); at += 4;
        put(m, at, enc(VISA_OP_JNE, (uint8_t)(int8_t)(((int32_t)loop - (int32_t)at - 4) / 4), 5, 6));
    } else {
        put(m, at, visa_enc_j(VISA_OP_JMP, loop >> 2));
    }
    at += 4;
    put(m, at, enc(VISA_OP_HALT, 0, 0, 0));
}

/* Give both machines of P the same N guests from sched_image, with random
 * per-guest slices and trap controls, and the same random global slice,
 * which is returned. */
static uint32_t add_sched_guests(struct pair *p, struct img *im, int n)
{
    const char *where = "setting up the guests";
    for (int k = 0; k < n; k++) {
        sched_image(&im[k]);
        REQUIRE(visa_hv_add_guest(p->a, im[k].b, im[k].size) == k + 1);
        REQUIRE(visa_hv_add_guest(p->b, im[k].b, im[k].size) == k + 1);
        uint32_t gs = rn(4) ? 0 : 1 + rn(3), t = rn(2) ? VISA_TRAP_DEFAULT : 0;
        visa_hv_set_guest_slice(p->a, k + 1, gs);
        visa_hv_set_guest_slice(p->b, k + 1, gs);
        p->a->g[k].vmcs.trap_ctl = p->b->g[k].vmcs.trap_ctl = t;
    }
    uint32_t slice = 1 + rn(3);
    visa_hv_set_slice(p->a, slice);
    visa_hv_set_slice(p->b, slice);
    return slice;
}

START_TEST(test_timer_exits)
{
    char where[96];
    static struct img im[VISA_MAX_GUESTS];

    rng_state = 0x71AE5000u + (uint64_t)_i * 104729u;
    for (unsigned prog = 0; prog < 60; prog++) {
        struct pair p;
        int n = rn(3) ? 2 + (int)rn(15) : 1;
        bool hook = rn(4) == 0;
        pair_new(&p, VISA_MAX_GUESTS * VISA_GUEST_MEM);
        attach_hooks(p.a, &con_fast, false, hook);
        attach_hooks(p.b, &con_ref, true, hook);
        cur_nbps = 0;
        uint32_t slice = add_sched_guests(&p, im, n);
        for (unsigned cp = 0; cp < 50; cp++) {
            snprintf(where, sizeof where, "timer loop %d program %u checkpoint %u", _i, prog, cp);
            unsigned kind = rn(4);
            uint64_t budget = kind == 0 ? slice * (1 + rn(40))          /* a slice end */
                            : kind == 1 ? 1 + rn(7)
                            : kind == 2 ? 1 + rn(500) : 1 + rn(20000);
            run_both(&p, budget, where);
            int gid = 1 + (int)rn((uint32_t)n);
            struct visa_hv *m[2] = { p.a, p.b };
            unsigned k = rn(100);
            for (int i = 0; i < 2; i++) {
                struct visa_guest *g = visa_hv_guest(m[i], gid);
                if (k < 20) {
                    visa_hv_pause(m[i], gid);
                } else if (k < 45) {            /* unblock or resume */
                    if (g->state == VISA_STATE_BLOCKED)
                        g->pc += 4;
                    visa_hv_resume(m[i], gid);
                } else if (k < 50) {
                    visa_hv_set_slice(m[i], 1 + (uint32_t)(k % 3));
                } else if (k < 55) {
                    visa_hv_set_guest_slice(m[i], gid, (uint32_t)(k % 4));
                } else if (k < 58) {
                    visa_hv_reset_guest(m[i], gid);
                }
            }
            if (k >= 58 && k < 64)
                step_both(&p, gid, 1 + rn(5), where);
            else if (k >= 64 && k < 67)
                poke_both(&p, where);
            compare(p.a, p.b, where);
        }
        pair_free(&p);
    }
}
END_TEST

/* ---- Counted mode: slices that end inside a block --------------------------------- */

/* A long straight-line block that runs across the end of page 0 into
 * page 1 (loads and stores that miss the data cache, a store into the
 * code page, which leaves for exec.c, pushes and pops), closed by a jmp
 * back; run at slices shorter than the block, so the fast loop runs it
 * in counted mode and stops inside it, also with pc breakpoints in it. */
static uint32_t counted_image(struct img *m)
{
    uint32_t at = 0, loop = 0x1000u - 4u * (1u + rn(24));
    unsigned n = 8 + rn(40);

    memset(m, 0, sizeof *m);
    put(m, at, enc(VISA_OP_MOVI, 9, DATA >> 8, 0)); at += 4;
    put(m, at, enc(VISA_OP_MOVI, 8, 0x0F, 0)); at += 4;     /* 0xF00: code page */
    put(m, at, enc(VISA_OP_MOVI, VISA_REG_SP, 0x20, 0)); at += 4;
    put(m, at, visa_enc_j(VISA_OP_JMP, loop >> 2));
    at = loop;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = rn(100);
        if (k < 45)
            put(m, at, enc(alu_r[rn(sizeof alu_r)], 2 + rn(3), 1 + rn(4), 1 + rn(4)));
        else if (k < 55)
            put(m, at, enc(VISA_OP_ADDI, 1, 1, rn(4)));
        else if (k < 65)
            put(m, at, enc(rn(2) ? VISA_OP_STW : VISA_OP_STB, rn(8) * 4, 9, 1 + rn(4)));
        else if (k < 75)
            put(m, at, enc(VISA_OP_LDW, 2 + rn(3), 9, rn(8) * 4));
        else if (k < 78)
            put(m, at, enc(VISA_OP_STW, rn(8) * 4, 8, 1 + rn(4)));
        else if (k < 90) {                      /* balanced */
            put(m, at, enc(VISA_OP_PUSH, 1 + rn(4), 0, 0)); at += 4;
            put(m, at, enc(VISA_OP_POP, 2 + rn(3), 0, 0));
        }
        else if (k < 93)
            put(m, at, enc(VISA_OP_OUT, 1, VISA_PORT_DECIMAL, 0));
        else
            put(m, at, enc(VISA_OP_NOP, 0, 0, 0));
        at += 4;
    }
    put(m, at, visa_enc_j(VISA_OP_JMP, loop >> 2));
    return loop;
}

START_TEST(test_counted_mode)
{
    char where[96];
    static struct img im[VISA_MAX_GUESTS];
    uint32_t loop[VISA_MAX_GUESTS];

    rng_state = 0xC0C0A700u + (uint64_t)_i * 6007u;
    for (unsigned prog = 0; prog < 40; prog++) {
        struct pair p;
        int n = 1 + (int)rn(6);
        pair_new(&p, VISA_MAX_GUESTS * VISA_GUEST_MEM);
        cur_nbps = 0;
        for (int k = 0; k < n; k++) {
            loop[k] = counted_image(&im[k]);
            REQUIRE(visa_hv_add_guest(p.a, im[k].b, im[k].size) == k + 1);
            REQUIRE(visa_hv_add_guest(p.b, im[k].b, im[k].size) == k + 1);
            uint32_t gs = rn(3) ? 0 : 1 + rn(9);
            visa_hv_set_guest_slice(p.a, k + 1, gs);
            visa_hv_set_guest_slice(p.b, k + 1, gs);
            p.a->g[k].vmcs.trap_ctl = p.b->g[k].vmcs.trap_ctl = 0;
        }
        uint32_t slice = 1 + rn(7);
        visa_hv_set_slice(p.a, slice);
        visa_hv_set_slice(p.b, slice);
        for (unsigned cp = 0; cp < 40; cp++) {
            snprintf(where, sizeof where, "counted loop %d program %u checkpoint %u", _i, prog, cp);
            uint64_t budget = rn(2) ? 1 + rn(30) : 1 + rn(3000);
            run_both(&p, budget, where);
            int gid = 1 + (int)rn((uint32_t)n);
            unsigned k = rn(100);
            struct visa_hv *m[2] = { p.a, p.b };
            if (k < 20) {                   /* breakpoints inside the blocks */
                struct visa_bp bps[4];
                size_t nb = rn(5);
                for (size_t i = 0; i < nb; i++) {
                    bps[i].guest = (int)rn((uint32_t)n + 1);
                    bps[i].pc = loop[gid - 1] + 4u * rn(40);
                }
                for (int i = 0; i < 2; i++)
                    REQUIRE(visa_hv_set_breakpoints(m[i], bps, nb) == VISA_OK);
            } else if (k < 30) {
                for (int i = 0; i < 2; i++)
                    visa_hv_flush_tlb(m[i], gid);
            } else if (k < 40) {
                step_both(&p, gid, 1 + rn(5), where);
            } else if (k < 45) {
                visa_hv_set_slice(p.a, 1 + k % 5);
                visa_hv_set_slice(p.b, 1 + k % 5);
            }
            compare(p.a, p.b, where);
        }
        pair_free(&p);
    }
}
END_TEST

/* ---- Interrupted runs: the round robin cut at arbitrary points ------- */

static volatile sig_atomic_t stop_fast;     /* the fast machine's stop flag */
static uint64_t cut_state;                  /* its own random numbers */

static uint32_t cut_rn(uint32_t n)
{
    uint64_t z = (cut_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (uint32_t)((z ^ (z >> 31)) % n);
}

/* Console output of the fast machine, which now and then sets its stop
 * flag: the run stops wherever the fast loop looks at it next. */
static void con_write_stop(void *ctx, int guest, const char *buf, size_t len)
{
    con_write(ctx, guest, buf, len);
    if (cut_rn(3) == 0)
        stop_fast = 1;
}

/* Run the fast machine for BUDGET instructions in pieces (random budgets,
 * the stop flag), the reference in one run; then compare.  A run stopped
 * by the flag has not yet taken the timer exit due at that point, which a
 * run that ends with its budget takes: so an interrupted last piece is
 * followed by a run of no instructions. */
static void run_cut(struct pair *p, uint64_t budget, const char *where)
{
    uint64_t done = 0;
    enum visa_stop sa = VISA_STOP_BUDGET, sb;

    sb = visa_hv_run(p->b, budget, NULL);
    while (done < budget || sa == VISA_STOP_INTERRUPT) {
        uint64_t piece = budget - done, before = p->a->icount;
        if (piece > 0 && cut_rn(2) == 0)
            piece = 1 + cut_rn((uint32_t)(piece < 50 ? piece : 50));
        if (cut_rn(8) == 0)
            stop_fast = 1;                  /* before the run starts */
        sa = visa_hv_run(p->a, piece, NULL);
        stop_fast = 0;
        done += p->a->icount - before;
        if (sa == VISA_STOP_IDLE || sa == VISA_STOP_BREAK)
            break;
    }
    REQUIRE(sa == sb);
    compare(p->a, p->b, where);
}

START_TEST(test_interrupted_runs)
{
    char where[96];
    static struct img im[VISA_MAX_GUESTS];

    rng_state = 0xC0775000u + (uint64_t)_i * 7919u;
    cut_state = 0x5EEDu + (uint64_t)_i;
    for (unsigned prog = 0; prog < 40; prog++) {
        struct pair p;
        int n = 2 + (int)rn(15);
        pair_new(&p, VISA_MAX_GUESTS * VISA_GUEST_MEM);
        struct visa_callbacks cb = { 0 };
        cb.ctx = &con_fast;
        cb.console_write = con_write_stop;
        cb.console_read = con_read;
        visa_hv_set_callbacks(p.a, &cb);
        visa_hv_set_stop_flag(p.a, &stop_fast);
        attach_hooks(p.b, &con_ref, true, false);
        cur_nbps = 0;
        uint32_t slice = add_sched_guests(&p, im, n);
        for (unsigned cp = 0; cp < 40; cp++) {
            snprintf(where, sizeof where, "cut loop %d program %u checkpoint %u", _i, prog, cp);
            unsigned kind = rn(3);
            uint64_t budget = kind == 0 ? slice * (1 + rn(40))
                            : kind == 1 ? 1 + rn(500) : 1 + rn(20000);
            run_cut(&p, budget, where);
            int gid = 1 + (int)rn((uint32_t)n);
            unsigned k = rn(100);
            struct visa_hv *m[2] = { p.a, p.b };
            for (int i = 0; i < 2; i++) {
                struct visa_guest *g = visa_hv_guest(m[i], gid);
                if (k < 15) {
                    visa_hv_pause(m[i], gid);
                } else if (k < 50) {
                    if (g->state == VISA_STATE_BLOCKED)
                        g->pc += 4;
                    visa_hv_resume(m[i], gid);
                }
            }
            compare(p.a, p.b, where);
        }
        pair_free(&p);
    }
}
END_TEST

/* ---- The examples ----------------------------------------------------------------- */

static void diag(void *ctx, const struct visa_diag *d)
{
    (void)ctx;
    (void)d;
}

static void run_example(const char *name, int copies, uint32_t slice,
                        uint64_t total)
{
    const char *top = getenv("top_srcdir");
    char path[512], where[600];
    struct visa_image img;
    struct pair p;

    snprintf(path, sizeof path, "%s/examples/%s", top ? top : ".", name);
    memset(&img, 0, sizeof img);
    ck_assert_msg(visa_load_image(path, &img, diag, NULL) == 0, "cannot load %s", path);
    pair_new(&p, VISA_DEFAULT_HOST_MEM);
    for (int k = 0; k < copies; k++) {
        ck_assert_int_eq(visa_hv_add_guest(p.a, img.bytes, img.size), k + 1);
        ck_assert_int_eq(visa_hv_add_guest(p.b, img.bytes, img.size), k + 1);
    }
    visa_hv_set_slice(p.a, slice);
    visa_hv_set_slice(p.b, slice);
    for (uint64_t done = 0, cp = 0; done < total; cp++) {
        uint64_t n = cp % 3 == 0 ? rn(100) + 1 : rn(20000) + 1;
        snprintf(where, sizeof where, "%s x%d slice %u checkpoint %llu", name,
                 copies, (unsigned)slice, (unsigned long long)cp);
        run_both(&p, n, where);
        done += n;
        if (p.a->g[0].state == VISA_STATE_STOPPED &&
            (copies == 1 || p.a->g[copies - 1].state == VISA_STATE_STOPPED))
            break;
    }
    pair_free(&p);
    visa_image_free(&img);
}

START_TEST(test_examples)
{
    static const char *const ex[] = {
        "hello.s", "recursion.s", "array-sum.s", "paging.s", "pagefault.s",
        "privileged.s", "illegal.s", "stale-tlb.s", "two-guests.s",
        "bench/alu.s", "bench/memory.s", "bench/fib.s",
    };
    rng_state = 0xE8A3u;
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        run_example(ex[i], 1, 100000, 300000);
        run_example(ex[i], 2, 2, 100000);
        run_example(ex[i], 4, 3, 100000);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("fast-vs-reference");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_random_programs, 0, (int)NLOOPS);
    tcase_add_loop_test(tc, test_timer_exits, 0, 2);
    tcase_add_loop_test(tc, test_interrupted_runs, 0, 2);
    tcase_add_loop_test(tc, test_counted_mode, 0, 2);
    tcase_add_test(tc, test_examples);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
