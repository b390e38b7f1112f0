/* check_sched.c - VM exits, guest states, scheduling, run control,
 * isolation and the machine's life cycle (machine.md sections 1, 4, 5, 7
 * and 7a), written from the contract.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_fixture.h"

#define NG (VISA_MAX_GUESTS + 1)

/* ---- A reference round-robin model ---------------------------------------
 * Guest g completes len[g] instructions (the last one a halt, or the one
 * before an instruction that blocks) at pcs 0, 4, 8, ...; it then leaves.
 * Every guest's history is therefore (g, 4*k); the model says in which
 * order they interleave (machine.md section 7). */
struct model {
    int n;
    uint32_t gslice;
    uint32_t len[NG], slice[NG], done[NG];
    bool paused[NG];
    uint64_t timers[NG];
    int cur;
    uint32_t used;
    size_t nexp;
    struct fx_insn exp[FX_HIST_MAX];
};

static void model_init(struct model *m, int n, const uint32_t *len,
                       uint32_t gslice)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->gslice = gslice;
    for (int g = 1; g <= n; g++)
        m->len[g] = len[g - 1];
}

static bool model_runnable(const struct model *m, int g)
{
    return !m->paused[g] && m->done[g] < m->len[g];
}

static uint32_t model_slice(const struct model *m, int g)
{
    return m->slice[g] ? m->slice[g] : m->gslice;
}

/* One completed instruction; false when no guest can run. */
static bool model_step(struct model *m)
{
    if (m->cur == 0 || !model_runnable(m, m->cur) ||
        m->used >= model_slice(m, m->cur)) {
        if (m->cur != 0 && model_runnable(m, m->cur))
            m->timers[m->cur]++;             /* slice used up: timer exit */
        int next = 0;
        for (int k = 1; k <= m->n && next == 0; k++) {
            int g = (m->cur + k - 1) % m->n + 1;
            if (model_runnable(m, g))
                next = g;
        }
        if (next == 0)
            return false;
        m->cur = next;
        m->used = 0;
    }
    ck_assert_uint_lt(m->nexp, FX_HIST_MAX);
    m->exp[m->nexp++] = (struct fx_insn){ m->cur, 4 * m->done[m->cur], 0 };
    m->done[m->cur]++;
    m->used++;
    return true;
}

static void model_run(struct model *m, uint64_t budget)
{
    for (uint64_t i = 0; i < budget && model_step(m); i++)
        continue;
}

/* The recorded history from FROM on equals the model's from FROM on. */
static void expect_history(const struct model *m, size_t from)
{
    ck_assert_uint_le(fx.rec.nhist, FX_HIST_MAX);
    for (size_t i = from; i < m->nexp && i < fx.rec.nhist; i++)
        ck_assert_msg(fx.rec.hist[i].guest == m->exp[i].guest &&
                      fx.rec.hist[i].pc == m->exp[i].pc,
                      "instruction %zu: g%d pc %#x, want g%d pc %#x", i,
                      fx.rec.hist[i].guest, fx.rec.hist[i].pc,
                      m->exp[i].guest, m->exp[i].pc);
    ck_assert_uint_eq(fx.rec.nhist, m->nexp);
}

/* Guests of LEN[i] instructions: nops, then a halt. */
static void add_nop_guests(int n, const uint32_t *len)
{
    for (int i = 0; i < n; i++) {
        struct prog p;
        prog_init(&p);
        for (uint32_t k = 0; k + 1 < len[i]; k++)
            prog(&p, W_NOP);
        prog(&p, W_HALT);
        fx_add(&p);
    }
}

static uint64_t count_exits(int guest, unsigned cause)
{
    return fx_g(guest)->vmcs.exit_count[cause];
}

/* Every recorded exit of CAUSE had qualification QUAL. */
static void expect_exit_quals(unsigned cause, uint32_t qual, int guest)
{
    for (size_t i = 0; i < fx.rec.nexits && i < FX_EXITS_MAX; i++)
        if (fx.rec.exits[i].cause == cause && fx.rec.exits[i].guest == guest)
            ck_assert_uint_eq(fx.rec.exits[i].qual, qual);
}

/* Timer exits of a guest whose last instruction fills its last slice are
 * not fixed by the contract (see the report); others are exact. */
static void expect_timers(const struct model *m, int g)
{
    uint64_t got = count_exits(g, VISA_EXIT_TIMER);
    if (m->len[g] % model_slice(m, g) == 0)
        ck_assert(got == m->timers[g] || got == m->timers[g] + 1);
    else
        ck_assert_uint_eq(got, m->timers[g]);
}

/* ---- Exits: raised, counted, handled --------------------------------------------- */

struct exit_case {
    const char *what;
    uint32_t words[6];
    unsigned nwords;
    uint32_t trap_ctl;
    uint32_t slice;
    struct { uint32_t cause, qual; } exits[5];   /* in order; 0 ends */
    enum visa_state state;
    const char *out;
};
#define MOVI(rd, v) FX_ENC_M(VISA_OP_MOVI, rd, v)
static const struct exit_case exit_cases[] = {
    { "io trapped", { MOVI(1, 'k'), W_OUT(1, 0), W_IN(2, 0), W_OUT(1, 9),
                      W_IN(3, 3), W_HALT }, 6, VISA_TRAP_DEFAULT, 100,
      { { VISA_EXIT_IO, 0 }, { VISA_EXIT_IO, 0x100 }, { VISA_EXIT_IO, 9 },
        { VISA_EXIT_IO, 0x103 }, { VISA_EXIT_HALT, 0 } },
      VISA_STATE_STOPPED, "k" },
    { "io untrapped", { MOVI(1, 'k'), W_OUT(1, 0), W_IN(2, 0), W_OUT(1, 9),
                        W_IN(3, 3), W_HALT }, 6, VISA_TRAP_CR, 100,
      { { VISA_EXIT_HALT, 0 } }, VISA_STATE_STOPPED, "k" },
    { "cr_write trapped", { W_RA(VISA_OP_LDPGTR, 0), W_HALT }, 2,
      VISA_TRAP_DEFAULT, 100,
      { { VISA_EXIT_CR_WRITE, 0 }, { VISA_EXIT_HALT, 0 } },
      VISA_STATE_STOPPED, "" },
    { "cr_write untrapped", { W_RA(VISA_OP_LDPGTR, 0), W_HALT }, 2, 0, 100,
      { { VISA_EXIT_HALT, 0 } }, VISA_STATE_STOPPED, "" },
    { "hypercall", { MOVI(0, 1), MOVI(1, 'h'), W_HYPERCALL, W_SYSCALL,
                     W_HALT }, 5, VISA_TRAP_DEFAULT, 100,
      { { VISA_EXIT_HYPERCALL, 1 }, { VISA_EXIT_HYPERCALL, 1 },
        { VISA_EXIT_HALT, 0 } }, VISA_STATE_STOPPED, "hh" },
    { "page fault", { MOVI(1, 0x4000), FX_ENC(VISA_OP_LDW, 2, 1, 0) }, 2,
      VISA_TRAP_DEFAULT, 100,
      { { VISA_EXIT_PAGE_FAULT, VISA_PFQ_READ | VISA_PFQ_STAGE2 } },
      VISA_STATE_BLOCKED, "" },
    { "illegal", { W_NOP, FX_ENC(0x25, 0, 0, 1) }, 2, VISA_TRAP_DEFAULT, 100,
      { { VISA_EXIT_ILLEGAL, 0x25000001u } }, VISA_STATE_BLOCKED, "" },
    { "privileged", { W_RA(VISA_OP_VMCAUSE, 1) }, 1, 0, 100,
      { { VISA_EXIT_PRIVILEGED, VISA_OP_VMCAUSE } }, VISA_STATE_BLOCKED, "" },
    { "timer", { W_NOP, W_NOP, W_NOP, W_NOP, W_HALT }, 5, VISA_TRAP_DEFAULT, 3,
      { { VISA_EXIT_TIMER, 3 }, { VISA_EXIT_HALT, 0 } },
      VISA_STATE_STOPPED, "" },
    { "halt", { W_HALT }, 1, VISA_TRAP_DEFAULT, 100,
      { { VISA_EXIT_HALT, 0 } }, VISA_STATE_STOPPED, "" },
};
#define N_EXIT (sizeof exit_cases / sizeof exit_cases[0])

START_TEST(test_exit_raised_counted_and_handled)
{
    const struct exit_case *c = &exit_cases[_i];
    int g = fx_add_words(c->words, c->nwords);
    fx_g(g)->vmcs.trap_ctl = c->trap_ctl;
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, c->slice), VISA_OK);
    fx_input(g, "in");
    fx_trace(true);
    fx_run_idle();

    uint64_t want[VISA_EXIT_COUNT] = { 0 };
    size_t n = 0;
    for (; n < 5 && c->exits[n].cause; n++) {
        want[c->exits[n].cause]++;
        ck_assert_uint_gt(fx.rec.nexits, n);
        const struct fx_exit *e = &fx.rec.exits[n];
        ck_assert_msg(e->cause == c->exits[n].cause && e->qual == c->exits[n].qual,
                      "%s: exit %zu is %u/%#x, want %u/%#x", c->what, n,
                      e->cause, e->qual, c->exits[n].cause, c->exits[n].qual);
        ck_assert_int_eq(e->guest, g);
        if (e->cause != VISA_EXIT_TIMER) {
            ck_assert_uint_lt(e->pc / 4, c->nwords);
            ck_assert_uint_eq(e->insn, c->words[e->pc / 4]);
        } else {
            ck_assert_uint_eq(e->insn, 0);
        }
    }
    ck_assert_uint_eq(fx.rec.nexits, n);
    for (unsigned k = 1; k < VISA_EXIT_COUNT; k++)
        ck_assert_msg(fx_g(g)->vmcs.exit_count[k] == want[k],
                      "%s: %u exits of cause %u, want %u", c->what,
                      (unsigned)fx_g(g)->vmcs.exit_count[k], k,
                      (unsigned)want[k]);
    ck_assert_int_eq(fx_g(g)->state, c->state);
    ck_assert_str_eq(fx_out(g), c->out);
    if (c->words[2] == W_IN(2, 0)) {
        ck_assert_uint_eq(fx_reg(g, 2), 'i');
        ck_assert_uint_eq(fx_reg(g, 3), 4);
    }
}
END_TEST

START_TEST(test_exit_records_va_gpa_insn_and_pc)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_NOP);
    prog_li(&p, 1, 0x5000);
    uint32_t at = prog(&p, visa_enc_s(VISA_OP_STW, 1, 1, 8));
    int g = fx_add(&p);
    fx_run_idle();
    const struct visa_vmcs *v = &fx_g(g)->vmcs;
    ck_assert_uint_eq(v->exit_cause, VISA_EXIT_PAGE_FAULT);
    ck_assert_uint_eq(v->exit_qual, VISA_PFQ_WRITE | VISA_PFQ_STAGE2);
    ck_assert(v->exit_va_valid && v->exit_gpa_valid);
    ck_assert_uint_eq(v->exit_va, 0x5008);
    ck_assert_uint_eq(v->exit_gpa, 0x5008);
    ck_assert_uint_eq(v->exit_insn, visa_enc_s(VISA_OP_STW, 1, 1, 8));
    ck_assert_uint_eq(v->exit_pc, at);
}
END_TEST

/* ---- Guest states ------------------------------------------------------------------ */

START_TEST(test_guest_states_follow_the_contract)
{
    static const uint32_t loop[] = { W_NOP, FX_ENC(VISA_OP_JMP, 0, 0, 0) };
    int g = fx_add_words(loop, 2);
    const struct visa_guest *gp = fx_g(g);
    ck_assert_int_eq(gp->state, VISA_STATE_RUNNING);
    ck_assert_uint_eq(gp->pc, 0);
    ck_assert_uint_eq(gp->r[31], 0x4000);
    for (unsigned r = 0; r < 31; r++)
        ck_assert_uint_eq(gp->r[r], 0);
    ck_assert_uint_eq(gp->vmcs.ptbr, 0);
    ck_assert_uint_eq(gp->vmcs.trap_ctl, VISA_TRAP_DEFAULT);
    ck_assert_uint_eq(gp->icount, 0);

    ck_assert_int_eq(visa_hv_pause(fx.hv, g), VISA_OK);
    ck_assert_int_eq(gp->state, VISA_STATE_PAUSED);
    ck_assert_int_eq(fx_run(10), VISA_STOP_IDLE);   /* nobody to run */
    ck_assert_uint_eq(gp->icount, 0);
    ck_assert_int_eq(visa_hv_resume(fx.hv, g), VISA_OK);
    ck_assert_int_eq(gp->state, VISA_STATE_RUNNING);
    ck_assert_int_eq(fx_run(10), VISA_STOP_BUDGET);
    ck_assert_uint_eq(gp->icount, 10);

    /* STOPPED is final until a reset */
    fx_g(g)->r[0] = VISA_HC_EXIT;
    fx_g(g)->r[1] = 3;
    fx_g(g)->pc = 0x100;                             /* zeroed: illegal */
    ck_assert_int_eq(fx_run(10), VISA_STOP_IDLE);
    ck_assert_int_eq(gp->state, VISA_STATE_BLOCKED);
    fx_g(g)->pc = 0;
    ck_assert_int_eq(visa_hv_resume(fx.hv, g), VISA_OK);
    ck_assert_int_eq(gp->state, VISA_STATE_RUNNING);
    uint8_t b[4];
    visa_store_be32(b, W_HYPERCALL);
    ck_assert_int_eq(visa_hv_write_phys(fx.hv, g, 0, b, 4), VISA_OK);
    ck_assert_int_eq(fx_run(10), VISA_STOP_IDLE);
    ck_assert_int_eq(gp->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(gp->exit_code, 3);
    visa_hv_resume(fx.hv, g);
    ck_assert_int_eq(gp->state, VISA_STATE_STOPPED);
    visa_hv_pause(fx.hv, g);
    ck_assert_int_eq(gp->state, VISA_STATE_STOPPED);
    ck_assert_int_eq(fx_run(10), VISA_STOP_IDLE);
}
END_TEST

START_TEST(test_no_such_guest)
{
    static const uint32_t w = W_HALT;
    fx_add_words(&w, 1);
    ck_assert_ptr_null(visa_hv_guest(fx.hv, 0));
    ck_assert_ptr_null(visa_hv_guest(fx.hv, 2));
    ck_assert_ptr_null(visa_hv_guest(fx.hv, -1));
    ck_assert_int_eq(visa_hv_reset_guest(fx.hv, 2), VISA_ENOGUEST);
    ck_assert_int_eq(visa_hv_pause(fx.hv, 0), VISA_ENOGUEST);
    ck_assert_int_eq(visa_hv_resume(fx.hv, 5), VISA_ENOGUEST);
    ck_assert_int_eq(visa_hv_set_guest_slice(fx.hv, 2, 1), VISA_ENOGUEST);
}
END_TEST

/* ---- Interleaving -------------------------------------------------------------------- */

static const uint32_t slices[] = { 1, 2, 5 };
static const uint32_t lens3[] = { 7, 4, 11 };

START_TEST(test_round_robin_interleaving)
{
    uint32_t slice = slices[_i % 3];
    int n = 2 + _i / 3;
    struct model m;
    add_nop_guests(n, lens3);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, slice), VISA_OK);
    fx_trace(true);
    fx_run_idle();
    model_init(&m, n, lens3, slice);
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    for (int g = 1; g <= n; g++) {
        expect_timers(&m, g);
        expect_exit_quals(VISA_EXIT_TIMER, slice, g);
        ck_assert_uint_eq(fx_g(g)->icount, lens3[g - 1]);
    }
}
END_TEST

START_TEST(test_default_slice_is_two)
{
    static const uint32_t len[] = { 5, 5 };
    struct model m;
    add_nop_guests(2, len);
    ck_assert_uint_eq(fx.hv->slice, VISA_DEFAULT_SLICE);
    fx_trace(true);
    fx_run_idle();
    model_init(&m, 2, len, 2);
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 2);
}
END_TEST

START_TEST(test_per_guest_slices)
{
    static const uint32_t len[] = { 8, 5, 7 };
    struct model m;
    add_nop_guests(3, len);
    ck_assert_int_eq(visa_hv_set_guest_slice(fx.hv, 1, 3), VISA_OK);
    ck_assert_int_eq(visa_hv_set_guest_slice(fx.hv, 3, 4), VISA_OK);
    fx_trace(true);
    fx_run_idle();
    model_init(&m, 3, len, 2);
    m.slice[1] = 3;
    m.slice[3] = 4;
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    for (int g = 1; g <= 3; g++)
        expect_timers(&m, g);
    expect_exit_quals(VISA_EXIT_TIMER, 3, 1);
    expect_exit_quals(VISA_EXIT_TIMER, 2, 2);
    expect_exit_quals(VISA_EXIT_TIMER, 4, 3);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 2);
    ck_assert_uint_eq(count_exits(3, VISA_EXIT_TIMER), 1);
}
END_TEST

struct change_case {
    uint32_t before, first, after;  /* global slice, first run, new slice */
    int guest;                      /* 0: global change; else that guest */
};
static const struct change_case change_cases[] = {
    { 5, 3, 2, 0 },                 /* shrink below what g1 used: switch now */
    { 2, 1, 4, 0 },                 /* grow: g1 keeps going */
    { 2, 1, 1, 1 },                 /* g1's own slice shrinks */
    { 2, 3, 5, 2 },                 /* g2 (running) gets a longer slice */
};

START_TEST(test_slice_change_takes_effect_at_once)
{
    const struct change_case *c = &change_cases[_i];
    static const uint32_t len[] = { 21, 21 };
    struct model m;
    add_nop_guests(2, len);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, c->before), VISA_OK);
    fx_trace(true);
    model_init(&m, 2, len, c->before);
    ck_assert_int_eq(fx_run(c->first), VISA_STOP_BUDGET);
    model_run(&m, c->first);
    if (c->guest) {
        ck_assert_int_eq(visa_hv_set_guest_slice(fx.hv, c->guest, c->after),
                         VISA_OK);
        m.slice[c->guest] = c->after;
    } else {
        ck_assert_int_eq(visa_hv_set_slice(fx.hv, c->after), VISA_OK);
        m.gslice = c->after;
    }
    fx_run_idle();
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
}
END_TEST

START_TEST(test_blocked_and_stopped_guests_are_skipped)
{
    struct prog p;
    static const uint32_t len[] = { 9, 1, 9, 1 };
    struct model m;
    add_nop_guests(1, &len[0]);
    prog_init(&p);
    prog(&p, W_NOP);
    prog(&p, W_RA(VISA_OP_VMENTER, 0));              /* blocks after 1 */
    fx_add(&p);
    add_nop_guests(2, &len[2]);                      /* g4 halts at once */
    fx_trace(true);
    fx_run_idle();
    model_init(&m, 4, len, 2);
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    ck_assert_int_eq(fx_g(2)->state, VISA_STATE_BLOCKED);
    ck_assert_int_eq(fx_g(4)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(count_exits(2, VISA_EXIT_TIMER), 0);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 4);
    ck_assert_uint_eq(count_exits(3, VISA_EXIT_TIMER), 4);
}
END_TEST

START_TEST(test_paused_guest_is_skipped_then_resumed)
{
    static const uint32_t len[] = { 7, 7, 7 };
    struct model m;
    add_nop_guests(3, len);
    fx_trace(true);
    model_init(&m, 3, len, 2);
    ck_assert_int_eq(visa_hv_pause(fx.hv, 2), VISA_OK);
    m.paused[2] = true;
    ck_assert_int_eq(fx_run(5), VISA_STOP_BUDGET);
    model_run(&m, 5);
    ck_assert_uint_eq(fx_g(2)->icount, 0);
    ck_assert_int_eq(visa_hv_resume(fx.hv, 2), VISA_OK);
    m.paused[2] = false;
    ck_assert_int_eq(fx_run(4), VISA_STOP_BUDGET);
    model_run(&m, 4);
    ck_assert_int_eq(visa_hv_pause(fx.hv, 3), VISA_OK);
    m.paused[3] = true;
    ck_assert_int_eq(fx_run(FX_BUDGET), VISA_STOP_IDLE);
    model_run(&m, UINT64_MAX);
    ck_assert_int_eq(fx_g(3)->state, VISA_STATE_PAUSED);
    ck_assert_int_eq(visa_hv_resume(fx.hv, 3), VISA_OK);
    m.paused[3] = false;
    fx_run_idle();
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
}
END_TEST

START_TEST(test_lone_guest_still_takes_timer_exits)
{
    static const uint32_t len[] = { 3, 12 };
    struct model m;
    add_nop_guests(2, len);
    ck_assert_int_eq(visa_hv_set_guest_slice(fx.hv, 2, 5), VISA_OK);
    fx_trace(true);
    fx_run_idle();
    model_init(&m, 2, len, 2);
    m.slice[2] = 5;
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 1);
    ck_assert_uint_eq(count_exits(2, VISA_EXIT_TIMER), 2);
    expect_exit_quals(VISA_EXIT_TIMER, 5, 2);
    ck_assert_uint_eq(fx_g(2)->vmcs.exit_cause, VISA_EXIT_HALT);
}
END_TEST

START_TEST(test_yield_ends_the_slice_without_timer_exit)
{
    struct prog p;
    prog_init(&p);
    prog_hypercall(&p, VISA_HC_YIELD);
    prog(&p, W_NOP);
    prog(&p, W_NOP);
    prog(&p, W_HALT);
    fx_add(&p);
    static const uint32_t len2[] = { 8 };
    add_nop_guests(1, len2);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, 5), VISA_OK);
    fx_trace(true);
    fx_run_idle();
    static const struct fx_insn want[] = {
        {1, 0, 0}, {1, 4, 0},
        {2, 0, 0}, {2, 4, 0}, {2, 8, 0}, {2, 12, 0}, {2, 16, 0},
        {1, 8, 0}, {1, 12, 0}, {1, 16, 0},
        {2, 20, 0}, {2, 24, 0}, {2, 28, 0},
    };
    ck_assert_uint_eq(fx.rec.nhist, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < fx.rec.nhist; i++) {
        ck_assert_int_eq(fx.rec.hist[i].guest, want[i].guest);
        ck_assert_uint_eq(fx.rec.hist[i].pc, want[i].pc);
    }
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 0);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_HYPERCALL), 1);
    ck_assert_uint_eq(count_exits(2, VISA_EXIT_TIMER), 1);
    ck_assert_uint_eq(fx_reg(1, 0), VISA_HC_YIELD);
}
END_TEST

START_TEST(test_resuming_exits_do_not_end_the_slice)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_OUT(1, 0));                           /* io */
    prog(&p, W_IN(2, 0));                            /* io */
    prog(&p, visa_enc_m(VISA_OP_MOVI, 0, VISA_HC_PUTC));
    prog(&p, W_HYPERCALL);                           /* hypercall */
    prog(&p, W_RA(VISA_OP_LDPGTR, 5));               /* cr_write, r5 = 0 */
    prog(&p, W_NOP);
    prog(&p, W_HALT);
    fx_add(&p);
    static const uint32_t len[] = { 7, 4 };
    add_nop_guests(1, &len[1]);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, 6), VISA_OK);
    fx_trace(true);
    fx_run_idle();
    struct model m;
    model_init(&m, 2, len, 6);
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_IO), 2);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_HYPERCALL), 1);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_CR_WRITE), 1);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 1);
}
END_TEST

/* ---- Run control ------------------------------------------------------------------------ */

/* Three guests that print, loop and halt. */
static void add_busy_guests(struct visa_hv *hv)
{
    for (int k = 0; k < 3; k++) {
        struct prog p;
        prog_init(&p);
        prog(&p, visa_enc_m(VISA_OP_MOVI, 1, 3 + (unsigned)k));
        uint32_t loop = prog(&p, visa_enc_i(VISA_OP_ADDI, 2, 2, 'a' + k));
        prog(&p, W_MOV(3, 2));
        prog(&p, visa_enc_i(VISA_OP_ANDI, 3, 3, 0x3F));
        prog(&p, visa_enc_i(VISA_OP_ADDI, 3, 3, '0'));
        prog(&p, W_OUT(3, VISA_PORT_CONSOLE));
        prog(&p, W_RA(VISA_OP_PUSH, 3));
        prog(&p, visa_enc_i(VISA_OP_SUBI, 1, 1, 1));
        uint32_t br = p.pc;
        prog(&p, visa_enc_b(VISA_OP_JNE, prog_off(br, loop), 1, 0));
        prog(&p, W_HALT);
        ck_assert_int_eq(visa_hv_add_guest(hv, p.mem, p.size), k + 1);
    }
    ck_assert_int_eq(visa_hv_set_guest_slice(hv, 2, 3), VISA_OK);
}

static void expect_same_run(const struct fx_rec *a, const struct fx_rec *b,
                            struct visa_hv *ha, struct visa_hv *hb)
{
    ck_assert_uint_eq(a->nhist, b->nhist);
    for (size_t i = 0; i < a->nhist && i < FX_HIST_MAX; i++) {
        ck_assert_int_eq(a->hist[i].guest, b->hist[i].guest);
        ck_assert_uint_eq(a->hist[i].pc, b->hist[i].pc);
        ck_assert_uint_eq(a->hist[i].word, b->hist[i].word);
    }
    ck_assert_uint_eq(a->nexits, b->nexits);
    for (size_t i = 0; i < a->nexits && i < FX_EXITS_MAX; i++) {
        ck_assert_int_eq(a->exits[i].guest, b->exits[i].guest);
        ck_assert_uint_eq(a->exits[i].cause, b->exits[i].cause);
        ck_assert_uint_eq(a->exits[i].qual, b->exits[i].qual);
    }
    for (int g = 1; g <= 3; g++) {
        ck_assert_str_eq(a->out[g], b->out[g]);
        fx_expect_same_guest(ha, hb, g);
    }
}

START_TEST(test_run_budget_stops_exactly_and_resumes_mid_slice)
{
    static struct fx_rec one;
    struct visa_hv *hv1 = NULL;
    ck_assert_int_eq(visa_hv_new(&hv1, VISA_DEFAULT_HOST_MEM), VISA_OK);
    fx_attach(hv1, &one, true);
    add_busy_guests(hv1);
    ck_assert_int_eq(visa_hv_run(hv1, FX_BUDGET, NULL), VISA_STOP_IDLE);

    add_busy_guests(fx.hv);
    fx_trace(true);
    uint64_t chunk = 1, total = 0;
    enum visa_stop why;
    do {
        size_t before = fx.rec.nhist;
        uint64_t icount = fx.hv->icount;
        int guest = -1;
        why = visa_hv_run(fx.hv, chunk, &guest);
        if (why == VISA_STOP_BUDGET) {
            ck_assert_uint_eq(fx.rec.nhist - before, chunk);
            ck_assert_uint_eq(fx.hv->icount - icount, chunk);
            ck_assert(guest >= 1 && guest <= 3);
        } else {
            ck_assert_int_eq(why, VISA_STOP_IDLE);
            ck_assert_uint_le(fx.rec.nhist - before, chunk);
        }
        total += fx.rec.nhist - before;
        chunk = chunk % 4 + 1;
    } while (why == VISA_STOP_BUDGET);
    ck_assert_uint_eq(total, one.nhist);
    expect_same_run(&fx.rec, &one, fx.hv, hv1);
    visa_hv_free(hv1);
}
END_TEST

START_TEST(test_fast_path_matches_hooked_path)
{
    static struct fx_rec one;
    struct visa_hv *hv1 = NULL;
    ck_assert_int_eq(visa_hv_new(&hv1, VISA_DEFAULT_HOST_MEM), VISA_OK);
    fx_attach(hv1, &one, true);
    add_busy_guests(hv1);
    ck_assert_int_eq(visa_hv_run(hv1, FX_BUDGET, NULL), VISA_STOP_IDLE);
    add_busy_guests(fx.hv);                          /* no hooks */
    fx_run_idle();
    for (int g = 1; g <= 3; g++) {
        ck_assert_str_eq(fx_out(g), one.out[g]);
        fx_expect_same_guest(fx.hv, hv1, g);
    }
    ck_assert_uint_eq(fx.hv->icount, hv1->icount);
    visa_hv_free(hv1);
}
END_TEST

START_TEST(test_step_runs_one_guest_and_keeps_its_slice_place)
{
    static const uint32_t len[] = { 15, 15 };
    struct model m;
    add_nop_guests(2, len);
    fx_trace(true);
    model_init(&m, 2, len, 2);
    ck_assert_int_eq(fx_run(1), VISA_STOP_BUDGET);   /* g1 at 1 of 2 */
    model_run(&m, 1);

    ck_assert_int_eq(visa_hv_step(fx.hv, 1, 3), VISA_STOP_BUDGET);
    for (int k = 0; k < 3; k++)
        m.exp[m.nexp++] = (struct fx_insn){ 1, 4 * m.done[1]++, 0 };
    ck_assert_int_eq(visa_hv_step(fx.hv, 2, 5), VISA_STOP_BUDGET);
    for (int k = 0; k < 5; k++)
        m.exp[m.nexp++] = (struct fx_insn){ 2, 4 * m.done[2]++, 0 };
    expect_history(&m, 0);
    ck_assert_uint_eq(count_exits(1, VISA_EXIT_TIMER), 0);
    ck_assert_uint_eq(count_exits(2, VISA_EXIT_TIMER), 0);

    fx_run_idle();
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    ck_assert_int_eq(visa_hv_step(fx.hv, 1, 1), VISA_STOP_IDLE);
}
END_TEST

START_TEST(test_step_takes_and_handles_exits)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 'q');
    prog_hypercall(&p, VISA_HC_PUTC);
    prog(&p, W_HALT);
    int g = fx_add(&p);
    ck_assert_int_eq(visa_hv_step(fx.hv, g, 3), VISA_STOP_BUDGET);
    ck_assert_str_eq(fx_out(g), "q");
    ck_assert_uint_eq(count_exits(g, VISA_EXIT_HYPERCALL), 1);
    ck_assert_int_eq(visa_hv_step(fx.hv, g, 5), VISA_STOP_IDLE);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_g(g)->icount, 4);
}
END_TEST

static int break_at_g1_pc8(struct fx_rec *r, struct visa_hv *hv, int guest,
                           uint32_t pc)
{
    int *left = r->user;
    if (guest == 1 && pc == 8 && *left > 0) {
        --*left;
        return 1;
    }
    return 0;
}

START_TEST(test_before_insn_stops_before_the_instruction)
{
    static const uint32_t len[] = { 6, 6 };
    int left = 1;
    struct model m;
    struct prog p;
    prog_init(&p);
    prog(&p, W_NOP);
    prog(&p, W_NOP);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 7, 77));       /* pc 8 */
    prog(&p, W_NOP);
    prog(&p, W_NOP);
    prog(&p, W_HALT);
    fx_add(&p);
    add_nop_guests(1, &len[1]);
    fx_trace(true);
    fx.rec.before = break_at_g1_pc8;
    fx.rec.user = &left;
    int guest = 0;
    ck_assert_int_eq(visa_hv_run(fx.hv, FX_BUDGET, &guest), VISA_STOP_BREAK);
    ck_assert_int_eq(guest, 1);
    ck_assert_uint_eq(fx_g(1)->pc, 8);
    ck_assert_uint_eq(fx_reg(1, 7), 0);
    ck_assert_uint_eq(fx_g(1)->icount, 2);
    model_init(&m, 2, len, 2);
    model_run(&m, 4);                                /* g1 g1 g2 g2 */
    expect_history(&m, 0);
    fx_run_idle();
    model_run(&m, UINT64_MAX);
    expect_history(&m, 0);
    ck_assert_uint_eq(fx_reg(1, 7), 77);
}
END_TEST

static int break_on_first_hypercall(struct fx_rec *r, struct visa_hv *hv,
                                    int guest)
{
    int *left = r->user;
    if (visa_hv_guest(hv, guest)->vmcs.exit_cause == VISA_EXIT_HYPERCALL &&
        *left > 0) {
        --*left;
        return 1;
    }
    return 0;
}

START_TEST(test_on_exit_stops_after_the_exit_is_handled)
{
    int left = 1;
    struct prog p;
    prog_init(&p);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 1, 'x'));
    prog_hypercall(&p, VISA_HC_PUTC);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 1, 'y'));
    prog_hypercall(&p, VISA_HC_PUTC);
    prog(&p, W_HALT);
    int g = fx_add(&p);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, 10), VISA_OK);
    fx_trace(true);
    fx.rec.on_exit = break_on_first_hypercall;
    fx.rec.user = &left;
    ck_assert_int_eq(fx_run(FX_BUDGET), VISA_STOP_BREAK);
    ck_assert_str_eq(fx_out(g), "x");
    fx_expect_exit(g, VISA_EXIT_HYPERCALL, VISA_HC_PUTC);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_pc, 8);
    ck_assert_uint_eq(fx_g(g)->pc, 12);
    ck_assert_uint_eq(fx_g(g)->icount, 3);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_RUNNING);
    fx_run_idle();
    ck_assert_str_eq(fx_out(g), "xy");
    ck_assert_uint_eq(fx_g(g)->icount, 7);
}
END_TEST

/* Which instructions were reported when each exit was: the instruction
 * that completes and exits comes first, then its exit. */
static int note_insns_at_exit(struct fx_rec *r, struct visa_hv *hv, int guest)
{
    size_t *seen = r->user;
    (void)hv;
    (void)guest;
    if (r->nexits <= 8)
        seen[r->nexits - 1] = r->nhist;
    return 0;
}

START_TEST(test_after_insn_comes_before_on_exit)
{
    size_t seen[8] = { 0 };
    struct prog p;
    prog_init(&p);
    prog(&p, W_IN(3, 3));                       /* io: exit 1 after insn 1 */
    prog(&p, W_NOP);
    prog_hypercall(&p, VISA_HC_GUEST_ID);       /* insns 3-4, exit 2 */
    prog(&p, W_NOP);
    prog(&p, W_HALT);                           /* insn 6, exit 3 */
    int g = fx_add(&p);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, 100), VISA_OK);
    fx_trace(true);
    fx.rec.on_exit = note_insns_at_exit;
    fx.rec.user = seen;
    fx_run_idle();
    ck_assert_uint_eq(fx.rec.nexits, 3);
    ck_assert_uint_eq(seen[0], 1);
    ck_assert_uint_eq(seen[1], 4);
    ck_assert_uint_eq(seen[2], 6);
    ck_assert_uint_eq(fx_g(g)->icount, 6);
}
END_TEST

static volatile sig_atomic_t stop_flag;

static int raise_stop_at_5(struct fx_rec *r, struct visa_hv *hv, int guest,
                           uint32_t pc, uint32_t word)
{
    if (r->nhist == 5)
        stop_flag = 1;
    return 0;
}

START_TEST(test_stop_flag_interrupts_the_run)
{
    static const uint32_t loop[] = { W_NOP, FX_ENC(VISA_OP_JMP, 0, 0, 0) };
    fx_add_words(loop, 2);
    fx_add_words(loop, 2);
    stop_flag = 1;
    visa_hv_set_stop_flag(fx.hv, &stop_flag);
    ck_assert_int_eq(fx_run(100000), VISA_STOP_INTERRUPT);

    stop_flag = 0;
    ck_assert_int_eq(fx_run(10), VISA_STOP_BUDGET);
    fx_trace(true);
    fx.rec.after = raise_stop_at_5;
    ck_assert_int_eq(fx_run(100000), VISA_STOP_INTERRUPT);
    ck_assert_uint_ge(fx.rec.nhist, 5);
    stop_flag = 0;
    size_t n = fx.rec.nhist;
    ck_assert_int_eq(fx_run(7), VISA_STOP_BUDGET);
    ck_assert_uint_eq(fx.rec.nhist, n + 7);
}
END_TEST

/* ---- Isolation and host frames ------------------------------------------------------------ */

START_TEST(test_guest_cannot_touch_another_guest)
{
    static uint8_t img[VISA_GUEST_MEM], mem[VISA_GUEST_MEM];
    struct prog p;
    /* guests 1 and 3: a pattern over all 16 KiB, a halt at 0 */
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 7 + 1);
    visa_store_be32(img, W_HALT);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, sizeof img), 1);
    /* guest 2: 0xEE from 0x3FFF down to 0x40, words to 0x80..0x3FFC,
     * then beyond its memory */
    prog_init(&p);
    prog_li(&p, 1, 0x3FFF);
    prog_li(&p, 2, 0xEE);
    uint32_t loop = prog(&p, visa_enc_s(VISA_OP_STB, 2, 1, 0));
    prog(&p, visa_enc_i(VISA_OP_SUBI, 1, 1, 1));
    prog_li(&p, 3, 0x3F);
    uint32_t br = p.pc;
    prog(&p, visa_enc_b(VISA_OP_JNE, prog_off(br, loop), 1, 3));
    prog_li(&p, 1, 0x3FFE);
    prog(&p, visa_enc_s(VISA_OP_STW, 2, 1, 0));     /* spans past 16 KiB */
    prog(&p, W_HALT);
    int g2 = fx_add(&p);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, sizeof img), 3);
    for (int g = 1; g <= 3; g += 2)
        for (unsigned r = 0; r < 31; r++)
            fx_g(g)->r[r] = 0x1000u + r;
    fx_run_idle();

    fx_expect_pf(g2, VISA_PFQ_WRITE | VISA_PFQ_STAGE2, 0x4000, 0x4000);
    ck_assert_uint_eq(fx_phys8(g2, 0x40), 0xEE);
    ck_assert_uint_eq(fx_phys8(g2, 0x3FFE), 0xEE);
    for (int g = 1; g <= 3; g += 2) {
        ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0, mem, sizeof mem), 0);
        ck_assert(memcmp(mem, img, sizeof img) == 0);
        ck_assert(memcmp(fx.hv->mem + (size_t)(g - 1) * 4 * VISA_PAGE_SIZE,
                         img, sizeof img) == 0);
        for (unsigned r = 0; r < 31; r++)
            ck_assert_uint_eq(fx_reg(g, r), 0x1000u + r);
        ck_assert_uint_eq(fx_reg(g, 31), 0x4000);
        ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    }
}
END_TEST

START_TEST(test_host_frames_follow_the_allocation_rule)
{
    static const uint32_t w = W_HALT;
    fx_new(8 * 4 * VISA_PAGE_SIZE);
    for (int id = 1; id <= 8; id++)
        ck_assert_int_eq(fx_add_words(&w, 1), id);
    for (int id = 1; id <= 8; id++) {
        const struct visa_guest *g = fx_g(id);
        for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++) {
            ck_assert(g->vmcs.ept[f].present);
            ck_assert_uint_eq(g->vmcs.ept[f].perm, VISA_EPT_RWX);
            ck_assert_uint_eq(g->vmcs.ept[f].hframe, 4u * (unsigned)(id - 1) + f);
            ck_assert_int_eq(fx.hv->frame_owner[4 * (id - 1) + f], id);
        }
    }
}
END_TEST

START_TEST(test_reset_reloads_the_image_and_keeps_host_frames)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x77);
    prog(&p, visa_enc_s(VISA_OP_STB, 1, 0, 4));     /* overwrite word 1 */
    prog(&p, W_RA(VISA_OP_PUSH, 1));
    prog_li(&p, 30, 0x3001);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 0));
    prog(&p, W_HALT);
    prog_word(&p, 0x3000, 0x00000007u);             /* PTE 0: P|W|X */
    static const uint32_t w = W_HALT;
    fx_add_words(&w, 1);
    int g = fx_add(&p);
    struct visa_ept_entry ept[VISA_GUEST_FRAMES];
    memcpy(ept, fx_g(g)->vmcs.ept, sizeof ept);
    fx_g(g)->vmcs.trap_ctl = 0;
    fx_run_idle();
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_phys8(g, 4), 0x77);

    ck_assert_int_eq(visa_hv_reset_guest(fx.hv, g), VISA_OK);
    const struct visa_guest *gp = fx_g(g);
    ck_assert_int_eq(gp->state, VISA_STATE_RUNNING);
    ck_assert_uint_eq(gp->pc, 0);
    for (unsigned r = 0; r < 31; r++)
        ck_assert_uint_eq(gp->r[r], 0);
    ck_assert_uint_eq(gp->r[31], 0x4000);
    ck_assert_uint_eq(gp->vmcs.ptbr, 0);
    ck_assert_uint_eq(gp->vmcs.trap_ctl, VISA_TRAP_DEFAULT);
    static uint8_t mem[VISA_GUEST_MEM];
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0, mem, p.size), VISA_OK);
    ck_assert_mem_eq(mem, p.mem, p.size);
    for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++)
        ck_assert_uint_eq(gp->vmcs.ept[f].hframe, ept[f].hframe);
    fx_run_idle();
    ck_assert_int_eq(gp->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_phys8(g, 4), 0x77);
}
END_TEST

/* ---- Life cycle errors ----------------------------------------------------------------------- */

START_TEST(test_add_guest_errors)
{
    static uint8_t img[VISA_GUEST_MEM + 1];
    visa_store_be32(img, W_HALT);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, 0), VISA_EEMPTY);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, VISA_GUEST_MEM + 1),
                     VISA_ETOOBIG);
    ck_assert_int_eq(fx.hv->nguests, 0);
    for (int id = 1; id <= 4; id++)                  /* 64 KiB: 4 guests */
        ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, VISA_GUEST_MEM), id);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, 4), VISA_EHOSTMEM);
    ck_assert_int_eq(fx.hv->nguests, 4);

    fx_new(VISA_GUEST_MEM + VISA_PAGE_SIZE);         /* room for 1 and a bit */
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, 4), 1);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, 4), VISA_EHOSTMEM);

    fx_new(17 * VISA_GUEST_MEM);                     /* memory for 17 */
    for (int id = 1; id <= VISA_MAX_GUESTS; id++)
        ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, 4), id);
    ck_assert_int_eq(visa_hv_add_guest(fx.hv, img, 4), VISA_ETOOMANY);
    ck_assert_int_eq(fx.hv->nguests, VISA_MAX_GUESTS);
}
END_TEST

struct size_case { uint32_t size; int result; };
static const struct size_case size_cases[] = {
    { 0, VISA_EBADSIZE },
    { 0x3000, VISA_EBADSIZE },
    { 0x4001, VISA_EBADSIZE },
    { 0x4800, VISA_EBADSIZE },
    { VISA_HOST_MEM_MAX + VISA_PAGE_SIZE, VISA_EBADSIZE },
    { 0xFFFFF000u, VISA_EBADSIZE },
    { 0x4000, VISA_OK },
    { 0x5000, VISA_OK },
    { VISA_HOST_MEM_MAX, VISA_OK },
};

START_TEST(test_new_checks_host_memory_size)
{
    const struct size_case *c = &size_cases[_i];
    struct visa_hv *hv = NULL;
    ck_assert_int_eq(visa_hv_new(&hv, c->size), c->result);
    if (c->result == VISA_OK) {
        ck_assert_ptr_nonnull(hv);
        ck_assert_uint_eq(hv->mem_size, c->size);
        ck_assert_uint_eq(hv->nframes, c->size / VISA_PAGE_SIZE);
        ck_assert_int_eq(hv->nguests, 0);
        ck_assert_uint_eq(hv->slice, VISA_DEFAULT_SLICE);
        visa_hv_free(hv);
    }
}
END_TEST

START_TEST(test_copy_runs_identically)
{
    static struct fx_rec rb;
    struct visa_hv *b = NULL;
    add_busy_guests(fx.hv);
    ck_assert_int_eq(fx_run(17), VISA_STOP_BUDGET);  /* mid-way, mid-slice */
    ck_assert_int_eq(visa_hv_new(&b, VISA_DEFAULT_HOST_MEM), VISA_OK);
    ck_assert_int_eq(visa_hv_copy(b, fx.hv), VISA_OK);
    fx_attach(b, &rb, true);
    fx_trace(true);
    fx_rec_clear(&fx.rec);
    for (int g = 1; g <= 3; g++)
        fx_expect_same_guest(fx.hv, b, g);
    fx_run_idle();
    ck_assert_int_eq(visa_hv_run(b, FX_BUDGET, NULL), VISA_STOP_IDLE);
    expect_same_run(&fx.rec, &rb, fx.hv, b);
    ck_assert_uint_eq(fx.hv->icount, b->icount);
    visa_hv_free(b);
}
END_TEST

/* ---- The suite ---------------------------------------------------------------------------- */

static Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc;

    tc = tcase_create("exits");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_exit_raised_counted_and_handled, 0, (int)N_EXIT);
    tcase_add_test(tc, test_exit_records_va_gpa_insn_and_pc);
    tcase_add_test(tc, test_guest_states_follow_the_contract);
    tcase_add_test(tc, test_no_such_guest);
    suite_add_tcase(s, tc);

    tc = tcase_create("schedule");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_round_robin_interleaving, 0, 6);
    tcase_add_test(tc, test_default_slice_is_two);
    tcase_add_test(tc, test_per_guest_slices);
    tcase_add_loop_test(tc, test_slice_change_takes_effect_at_once, 0,
                        (int)(sizeof change_cases / sizeof change_cases[0]));
    tcase_add_test(tc, test_blocked_and_stopped_guests_are_skipped);
    tcase_add_test(tc, test_paused_guest_is_skipped_then_resumed);
    tcase_add_test(tc, test_lone_guest_still_takes_timer_exits);
    tcase_add_test(tc, test_yield_ends_the_slice_without_timer_exit);
    tcase_add_test(tc, test_resuming_exits_do_not_end_the_slice);
    suite_add_tcase(s, tc);

    tc = tcase_create("run");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_run_budget_stops_exactly_and_resumes_mid_slice);
    tcase_add_test(tc, test_fast_path_matches_hooked_path);
    tcase_add_test(tc, test_step_runs_one_guest_and_keeps_its_slice_place);
    tcase_add_test(tc, test_step_takes_and_handles_exits);
    tcase_add_test(tc, test_before_insn_stops_before_the_instruction);
    tcase_add_test(tc, test_on_exit_stops_after_the_exit_is_handled);
    tcase_add_test(tc, test_after_insn_comes_before_on_exit);
    tcase_add_test(tc, test_stop_flag_interrupts_the_run);
    suite_add_tcase(s, tc);

    tc = tcase_create("machine");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_guest_cannot_touch_another_guest);
    tcase_add_test(tc, test_host_frames_follow_the_allocation_rule);
    tcase_add_test(tc, test_reset_reloads_the_image_and_keeps_host_frames);
    tcase_add_test(tc, test_add_guest_errors);
    tcase_add_loop_test(tc, test_new_checks_host_memory_size, 0,
                        (int)(sizeof size_cases / sizeof size_cases[0]));
    tcase_add_test(tc, test_copy_runs_identically);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fx_run_suite(sched_suite());
}
