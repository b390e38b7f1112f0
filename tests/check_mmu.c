/* check_mmu.c - two-stage address translation and the TLB (machine.md
 * section 4, the page-fault rows of sections 5 and 7a), written from the
 * contract.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout used by the paging tests: the page table at GPA 0x3000 (frame 3),
 * VPN 0 maps the code in frame 0 (P|X), VPN 3 maps the page table itself
 * (P|W) so a guest can rewrite its PTEs at VA 0x3000 + 4*VPN; data lives
 * in frames 1 and 2 behind VPNs 5 and up.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_fixture.h"

#define ROOT   0x3000u
#define P      VISA_PTE_P
#define W      VISA_PTE_W
#define X      VISA_PTE_X
#define A      VISA_PTE_A
#define D      VISA_PTE_D
#define PF_R   VISA_PFQ_READ
#define PF_W   VISA_PFQ_WRITE
#define PF_F   VISA_PFQ_FETCH
#define PF_P   VISA_PFQ_PROT
#define PF_S2  VISA_PFQ_STAGE2
#define PF_BIG VISA_PFQ_RANGE

/* Page table with code and the table mapped; paging on at pc 8. */
static void paging_prog(struct prog *p, uint32_t code_pte_flags)
{
    prog_init(p);
    prog_pte(p, ROOT, 0, 0x0000u | P | X | code_pte_flags);
    prog_pte(p, ROOT, 3, ROOT | P | W);
    prog_paging_on(p, ROOT);
}

static void movi(struct prog *p, unsigned rd, uint32_t v)
{
    prog(p, visa_enc_m(VISA_OP_MOVI, rd, v));
}

static void expect_counts(int g, uint64_t hits, uint64_t misses)
{
    ck_assert_uint_eq(fx_g(g)->tlb_hits, hits);
    ck_assert_uint_eq(fx_g(g)->tlb_misses, misses);
}

static void expect_tlb_empty(int g)
{
    for (unsigned i = 0; i < VISA_TLB_SIZE; i++)
        ck_assert_uint_eq(fx_g(g)->tlb[i].vpn, VISA_TLB_INVALID);
}

static void expect_fault_insn(int g, uint32_t pc, uint32_t word)
{
    ck_assert_uint_eq(fx_g(g)->pc, pc);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_pc, pc);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_insn, word);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PAGE_FAULT], 1);
}

/* ---- Paging off --------------------------------------------------------- */

START_TEST(test_paging_off_va_is_gpa)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x2004);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));
    prog(&p, visa_enc_s(VISA_OP_STW, 3, 1, 8));
    prog(&p, W_HALT);
    prog_word(&p, 0x2004, 0x600DF00Du);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 3), 0x600DF00Du);
    ck_assert_uint_eq(fx_phys32(g, 0x200C), 0x600DF00Du);
    expect_counts(g, 0, 0);                      /* TLB unused */
}
END_TEST

struct off_case { uint32_t va; uint32_t word; uint32_t qual; };
static const struct off_case off_cases[] = {
    { 0x4000, FX_ENC(VISA_OP_LDW, 3, 1, 0), PF_R | PF_S2 },
    { 0x4000, FX_ENC(VISA_OP_STB, 0, 1, 3), PF_W | PF_S2 },
    { 0x400000, FX_ENC(VISA_OP_LDB, 3, 1, 0), PF_R | PF_S2 },   /* no bit 5 */
    { 0xFFFFF000u, FX_ENC(VISA_OP_STW, 0, 1, 3), PF_W | PF_S2 },
    { 0x400000, W_JR(VISA_OP_JR, 1), PF_F | PF_S2 },
};

START_TEST(test_paging_off_beyond_16k_is_stage2_without_bit5)
{
    const struct off_case *c = &off_cases[_i];
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, c->va);
    uint32_t at = prog(&p, c->word);
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_pf(g, c->qual, c->va, c->va);
    if (c->qual & PF_F) {
        ck_assert_uint_eq(fx_g(g)->pc, c->va);
        ck_assert_uint_eq(fx_g(g)->vmcs.exit_pc, c->va);
    } else {
        expect_fault_insn(g, at, c->word);
    }
}
END_TEST

/* ---- Paging on: successful walks ----------------------------------------- */

START_TEST(test_seed_example_va_0x1234_reaches_gpa_0x0234)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 1, 0x0000u | P);          /* VPN 1 -> frame 0 */
    movi(&p, 1, 0x1234);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));
    prog(&p, W_HALT);
    prog_word(&p, 0x234, 0x5EED5EEDu);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 3), 0x5EED5EEDu);
    ck_assert_uint_eq(fx_g(g)->vmcs.ptbr, ROOT | 1u);

    struct visa_walk w;
    memset(&w, 0xA5, sizeof w);
    visa_hv_translate(fx.hv, g, 0x1234, PF_R, &w);
    ck_assert(w.paging);
    ck_assert_int_eq(w.fail, VISA_WALK_OK);
    ck_assert_uint_eq(w.vpn, 1);
    ck_assert_uint_eq(w.offset, 0x234);
    ck_assert_uint_eq(w.gpa, 0x234);
}
END_TEST

START_TEST(test_walk_sets_accessed_and_dirty_in_guest_memory)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P | W);      /* read only */
    prog_pte(&p, ROOT, 6, 0x1000u | P | W);      /* written */
    prog_pte(&p, ROOT, 7, 0x1000u | P | W | X);  /* untouched */
    prog_pte(&p, ROOT, 8, 0x2000u | P | 0xF98u); /* ignored bits kept */
    movi(&p, 1, 0x5000);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));
    movi(&p, 1, 0x6000);
    prog(&p, visa_enc_s(VISA_OP_STB, 3, 1, 0));
    movi(&p, 1, 0x8000);
    prog(&p, visa_enc_l(VISA_OP_LDB, 3, 1, 0));
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_pte(g, ROOT, 0), 0x0000u | P | X | A);  /* fetch */
    ck_assert_uint_eq(fx_pte(g, ROOT, 5), 0x2000u | P | W | A);
    ck_assert_uint_eq(fx_pte(g, ROOT, 6), 0x1000u | P | W | A | D);
    ck_assert_uint_eq(fx_pte(g, ROOT, 7), 0x1000u | P | W | X);
    ck_assert_uint_eq(fx_pte(g, ROOT, 8), 0x2000u | P | 0xF98u | A);
}
END_TEST

START_TEST(test_word_spanning_two_pages_uses_both_frames)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P | W);
    prog_pte(&p, ROOT, 6, 0x1000u | P | W);
    prog_li(&p, 1, 0x5FFE);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));
    prog_li(&p, 2, 0xA1B2C3D4u);
    prog(&p, visa_enc_s(VISA_OP_STW, 2, 1, -1));   /* 0x5FFD */
    prog(&p, W_HALT);
    prog_bytes(&p, 0x2FFE, "\x11\x22", 2);
    prog_bytes(&p, 0x1000, "\x33\x44", 2);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 3), 0x11223344u);
    ck_assert_uint_eq(fx_phys8(g, 0x2FFD), 0xA1);
    ck_assert_uint_eq(fx_phys8(g, 0x2FFF), 0xC3);
    ck_assert_uint_eq(fx_phys8(g, 0x1000), 0xD4);
}
END_TEST

/* ---- Stage-1 faults ---------------------------------------------------------- */

struct pf_case {
    const char *what;
    uint32_t pte5;                 /* PTE for VPN 5 (VA 0x5000) */
    uint32_t pte6;                 /* PTE for VPN 6 */
    uint32_t va;                   /* r1 */
    uint32_t word;                 /* access through r1, or jr r1 */
    uint32_t qual, fault_va, fault_gpa;
};
static const struct pf_case pf_cases[] = {
    { "read, not present", 0, 0, 0x5010, FX_ENC(VISA_OP_LDW, 3, 1, 0),
      PF_R, 0x5010, 0 },
    { "write, not present", 0, 0, 0x5010, FX_ENC(VISA_OP_STB, 4, 1, 3),
      PF_W, 0x5014, 0 },
    { "fetch, not present", 0, 0, 0x5000, W_JR(VISA_OP_JR, 1),
      PF_F, 0x5000, 0 },
    { "write, read-only", 0x2000u | P | X, 0, 0x5010,
      FX_ENC(VISA_OP_STW, 0, 1, 3), PF_W | PF_P, 0x5010, 0 },
    { "fetch, not executable", 0x2000u | P | W, 0, 0x5000,
      W_JR(VISA_OP_JR, 1), PF_F | PF_P, 0x5000, 0 },
    { "read beyond 4 MiB", 0, 0, 0x400000, FX_ENC(VISA_OP_LDW, 3, 1, 0),
      PF_R | PF_BIG, 0x400000, 0 },
    { "write beyond 4 MiB", 0, 0, 0x400010, FX_ENC(VISA_OP_STW, 0xF0, 1, 3),
      PF_W | PF_BIG, 0x400000, 0 },
    { "fetch beyond 4 MiB", 0, 0, 0xFFFFF000u, W_JR(VISA_OP_JR, 1),
      PF_F | PF_BIG, 0xFFFFF000u, 0 },
    { "read, GPA beyond 16 KiB", 0x5000u | P | W, 0, 0x5010,
      FX_ENC(VISA_OP_LDB, 3, 1, 0), PF_R | PF_S2, 0x5010, 0x5010 },
    { "write, GPA beyond 16 KiB", 0x6000u | P | W, 0, 0x5010,
      FX_ENC(VISA_OP_STW, 0, 1, 3), PF_W | PF_S2, 0x5010, 0x6010 },
    { "read spanning into a missing page", 0x2000u | P | W, 0, 0x5FFE,
      FX_ENC(VISA_OP_LDW, 3, 1, 0), PF_R, 0x6000, 0 },
    { "write spanning into a read-only page", 0x2000u | P | W,
      0x1000u | P, 0x5FFE, FX_ENC(VISA_OP_STW, 0, 1, 3),
      PF_W | PF_P, 0x6000, 0 },
    { "write spanning into a GPA beyond 16 KiB", 0x2000u | P | W,
      0x4000u | P | W, 0x5FFD, FX_ENC(VISA_OP_STW, 0, 1, 3),
      PF_W | PF_S2, 0x6000, 0x4000 },
};
#define N_PF (sizeof pf_cases / sizeof pf_cases[0])

START_TEST(test_page_fault_qualification_and_addresses)
{
    const struct pf_case *c = &pf_cases[_i];
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, c->pte5);
    prog_pte(&p, ROOT, 6, c->pte6);
    prog_li(&p, 1, c->va);
    prog_li(&p, 3, 0x12345678u);
    uint32_t at = prog(&p, c->word);
    prog(&p, W_HALT);
    prog_word(&p, 0x2FFC, 0xCAFEBABEu);
    int g = fx_add(&p);
    fx_run_idle();
    const struct visa_guest *gp = fx_g(g);
    ck_assert_msg(gp->vmcs.exit_cause == VISA_EXIT_PAGE_FAULT &&
                  gp->vmcs.exit_qual == c->qual && gp->vmcs.exit_va == c->fault_va,
                  "%s: cause %u qual %#x va %#x, want qual %#x va %#x", c->what,
                  gp->vmcs.exit_cause, gp->vmcs.exit_qual, gp->vmcs.exit_va,
                  c->qual, c->fault_va);
    fx_expect_pf(g, c->qual, c->fault_va, c->fault_gpa);
    if (c->qual & PF_F) {
        ck_assert_uint_eq(gp->pc, c->va);
        ck_assert_uint_eq(gp->vmcs.exit_pc, c->va);
    } else {
        expect_fault_insn(g, at, c->word);
        ck_assert_uint_eq(fx_reg(g, 3), 0x12345678u);
    }
    /* nothing written in the first page of a spanning store */
    ck_assert_uint_eq(fx_phys32(g, 0x2FFC), 0xCAFEBABEu);
    /* a stage-1 fault is no successful walk: no A set.  (Whether a walk
     * whose final GPA fails stage 2 sets A/D is left open.) */
    if (!(c->qual & PF_S2))
        ck_assert_uint_eq(fx_pte(g, ROOT, 6), c->pte6);
}
END_TEST

START_TEST(test_resume_after_fixing_the_pte_reruns_the_access)
{
    struct prog p;
    paging_prog(&p, 0);
    movi(&p, 1, 0x5000);
    uint32_t at = prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 4));
    prog(&p, W_HALT);
    prog_word(&p, 0x1004, 0x0BADCAFEu);
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_pf(g, PF_R, 0x5004, 0);
    fx_set_phys32(g, ROOT + 4 * 5, 0x1000u | P);
    ck_assert_int_eq(visa_hv_resume(fx.hv, g), VISA_OK);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 3), 0x0BADCAFEu);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_g(g)->icount, at / 4 + 2);
}
END_TEST

/* ---- Stage 2 ------------------------------------------------------------------ */

struct ept_case { unsigned perm; unsigned access; uint32_t qual; };
static const struct ept_case ept_cases[] = {
    { VISA_EPT_R | VISA_EPT_X, PF_R, 0 },
    { VISA_EPT_R | VISA_EPT_X, PF_W, PF_W | PF_P | PF_S2 },
    { VISA_EPT_R | VISA_EPT_X, PF_F, 0 },
    { VISA_EPT_W | VISA_EPT_X, PF_R, PF_R | PF_P | PF_S2 },
    { VISA_EPT_W | VISA_EPT_X, PF_W, 0 },
    { VISA_EPT_W | VISA_EPT_X, PF_F, 0 },
    { VISA_EPT_R | VISA_EPT_W, PF_R, 0 },
    { VISA_EPT_R | VISA_EPT_W, PF_W, 0 },
    { VISA_EPT_R | VISA_EPT_W, PF_F, PF_F | PF_P | PF_S2 },
    { VISA_EPT_RWX, PF_R, 0 },
    { VISA_EPT_RWX, PF_W, 0 },
    { VISA_EPT_RWX, PF_F, 0 },
};
#define N_EPT (sizeof ept_cases / sizeof ept_cases[0])

/* Access frame 2 (offset 0x10) as C says, through VA 0x5010 when PAGING. */
static int ept_access_prog(unsigned access, bool paging, uint32_t *at)
{
    struct prog p;
    uint32_t va = paging ? 0x5010u : 0x2010u;
    if (paging) {
        paging_prog(&p, 0);
        prog_pte(&p, ROOT, 5, 0x2000u | P | W | X);
    } else {
        prog_init(&p);
    }
    prog_li(&p, 1, va);
    if (access == PF_R)
        *at = prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));
    else if (access == PF_W)
        *at = prog(&p, visa_enc_s(VISA_OP_STW, 1, 1, 0));
    else
        *at = prog(&p, W_JR(VISA_OP_JR, 1));
    prog(&p, W_HALT);
    prog_word(&p, 0x2010, W_HALT);
    return fx_add(&p);
}

START_TEST(test_ept_permissions_enforced)
{
    const struct ept_case *c = &ept_cases[_i / 2];
    bool paging = _i % 2;
    uint32_t at;
    int g = ept_access_prog(c->access, paging, &at);
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 2, c->perm), VISA_OK);
    ck_assert_uint_eq(fx_g(g)->vmcs.ept[2].perm, c->perm);
    fx_run_idle();
    uint32_t va = paging ? 0x5010u : 0x2010u;
    if (c->qual == 0) {
        ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
        ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PAGE_FAULT], 0);
    } else {
        ck_assert_msg(fx_g(g)->vmcs.exit_qual == c->qual,
                      "perm %u access %u paging %d: qual %#x, want %#x",
                      c->perm, c->access, paging, fx_g(g)->vmcs.exit_qual,
                      c->qual);
        fx_expect_pf(g, c->qual, va, 0x2010);
        ck_assert_uint_eq(fx_g(g)->pc, c->access == PF_F ? va : at);
    }
}
END_TEST

START_TEST(test_ept_entry_without_permissions_faults_at_stage2)
{
    static const unsigned acc[] = { PF_R, PF_W, PF_F };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t at;
        fx_new(VISA_DEFAULT_HOST_MEM);
        int g = ept_access_prog(acc[i], true, &at);
        ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 2, 0), VISA_OK);
        fx_run_idle();
        const struct visa_guest *gp = fx_g(g);
        ck_assert_uint_eq(gp->vmcs.exit_cause, VISA_EXIT_PAGE_FAULT);
        /* present-but-forbidding or not present: the contract leaves
         * bit 3 to set_ept's reading of perm 0 */
        ck_assert_uint_eq(gp->vmcs.exit_qual & ~PF_P, acc[i] | PF_S2);
        ck_assert(gp->vmcs.exit_gpa_valid);
        ck_assert_uint_eq(gp->vmcs.exit_gpa, 0x2010);
        ck_assert_uint_eq(gp->vmcs.exit_va, 0x5010);
    }
}
END_TEST

START_TEST(test_stage2_fault_reading_the_pte_records_the_walk)
{
    struct prog p;
    paging_prog(&p, 0);
    prog(&p, W_HALT);                                /* pc 8 */
    int g = fx_add(&p);
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 3, VISA_EPT_W | VISA_EPT_X),
                     VISA_OK);
    fx_run_idle();
    fx_expect_pf(g, PF_R | PF_P | PF_S2, 8, ROOT + 0);
    ck_assert_uint_eq(fx_g(g)->pc, 8);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_pc, 8);
    ck_assert_uint_eq(fx_g(g)->icount, 2);
}
END_TEST

START_TEST(test_pte_not_rewritten_when_a_and_d_already_set)
{
    /* The page-table frame is read-only in the EPT: a walk that needs no
     * A/D update reads the PTE only; one that does faults at stage 2. */
    struct prog p;
    prog_init(&p);
    prog_pte(&p, ROOT, 0, 0x0000u | P | X | A);
    prog_pte(&p, ROOT, 5, 0x2000u | P | W | A);          /* D clear */
    prog_pte(&p, ROOT, 6, 0x1000u | P | W);              /* A clear */
    prog_pte(&p, ROOT, 7, 0x1000u | P | W | A | D);
    prog_paging_on(&p, ROOT);
    movi(&p, 1, 0x5000);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));          /* ok */
    movi(&p, 2, 0x7000);
    prog(&p, visa_enc_s(VISA_OP_STW, 3, 2, 0));          /* ok */
    movi(&p, 4, 0x6000);
    uint32_t at1 = prog(&p, visa_enc_l(VISA_OP_LDW, 5, 4, 0));  /* sets A */
    uint32_t at2 = prog(&p, visa_enc_s(VISA_OP_STW, 3, 1, 0));  /* sets D */
    prog(&p, W_HALT);
    prog_word(&p, 0x2000, 0x13572468u);
    int g = fx_add(&p);
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 3, VISA_EPT_R), VISA_OK);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 3), 0x13572468u);
    ck_assert_uint_eq(fx_phys32(g, 0x1000), 0x13572468u);
    fx_expect_pf(g, PF_W | PF_P | PF_S2, 0x6000, ROOT + 4 * 6);
    ck_assert_uint_eq(fx_g(g)->pc, at1);

    fx_g(g)->pc = at2;
    ck_assert_int_eq(visa_hv_resume(fx.hv, g), VISA_OK);
    fx_run_idle();
    fx_expect_pf(g, PF_W | PF_P | PF_S2, 0x5000, ROOT + 4 * 5);
    ck_assert_uint_eq(fx_g(g)->pc, at2);
    ck_assert_uint_eq(fx_pte(g, ROOT, 5), 0x2000u | P | W | A);
    ck_assert_uint_eq(fx_pte(g, ROOT, 6), 0x1000u | P | W);
    ck_assert_uint_eq(fx_pte(g, ROOT, 7), 0x1000u | P | W | A | D);
}
END_TEST

START_TEST(test_fetch_needs_x_in_pte_and_ept)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P | X);
    prog(&p, visa_enc_j(VISA_OP_JMP, 0x5000 / 4));
    prog_word(&p, 0x2000, visa_enc_m(VISA_OP_MOVI, 5, 1));
    prog_word(&p, 0x2004, W_HALT);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 5), 1);              /* X in both: runs */

    fx_new(VISA_DEFAULT_HOST_MEM);
    g = fx_add(&p);
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 2, VISA_EPT_R | VISA_EPT_W),
                     VISA_OK);
    fx_run_idle();
    fx_expect_pf(g, PF_F | PF_P | PF_S2, 0x5000, 0x2000);
    ck_assert_uint_eq(fx_g(g)->pc, 0x5000);
}
END_TEST

/* ---- The TLB ------------------------------------------------------------------- */

START_TEST(test_tlb_counts_fetches_and_data_lookups)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P | W);
    movi(&p, 1, 0x5000);                                 /* F miss */
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));          /* F hit, D miss */
    prog(&p, visa_enc_s(VISA_OP_STW, 3, 1, 4));          /* F hit, D miss (D) */
    prog(&p, visa_enc_s(VISA_OP_STW, 3, 1, 8));          /* F hit, D hit */
    prog(&p, visa_enc_l(VISA_OP_LDW, 4, 1, 0));          /* F hit, D hit */
    prog(&p, W_HALT);                                    /* F hit */
    int g = fx_add(&p);
    fx_run_idle();
    expect_counts(g, 7, 3);
    ck_assert_uint_eq(fx_pte(g, ROOT, 0), 0x0000u | P | X | A);
    ck_assert_uint_eq(fx_pte(g, ROOT, 5), 0x2000u | P | W | A | D);

    const struct visa_tlb_entry *e = &fx_g(g)->tlb[5];
    ck_assert_uint_eq(e->vpn, 5);
    ck_assert_uint_eq(e->gframe, 2);
    ck_assert_uint_eq(e->hframe, fx_g(g)->vmcs.ept[2].hframe);
    ck_assert_uint_eq(e->perm, VISA_EPT_R | VISA_EPT_W);
    ck_assert_uint_eq(e->dirty, 1);
    e = &fx_g(g)->tlb[0];
    ck_assert_uint_eq(e->vpn, 0);
    ck_assert_uint_eq(e->perm, VISA_EPT_R | VISA_EPT_X);
    ck_assert_uint_eq(e->dirty, 0);
}
END_TEST

START_TEST(test_tlb_entry_filled_by_a_read_has_d_clear)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 70, 0x1000u | P | W | X);
    prog_li(&p, 1, 70u << 12);
    prog(&p, visa_enc_l(VISA_OP_LDB, 3, 1, 0));
    prog(&p, W_HALT);
    prog(&p, W_HALT);
    fx_add(&p);
    int g = fx_add(&p);                              /* guest 2: frames 4-7 */
    fx_run_idle();
    const struct visa_tlb_entry *e = &fx_g(g)->tlb[70 % 64];
    ck_assert_uint_eq(e->vpn, 70);
    ck_assert_uint_eq(e->gframe, 1);
    ck_assert_uint_eq(e->hframe, 5);
    ck_assert_uint_eq(e->perm, VISA_EPT_RWX);
    ck_assert_uint_eq(e->dirty, 0);
}
END_TEST

START_TEST(test_page_spanning_access_is_two_lookups)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P);
    prog_pte(&p, ROOT, 6, 0x1000u | P);
    movi(&p, 1, 0x5FFE);                                 /* F miss */
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));          /* F hit, 2 misses */
    prog(&p, visa_enc_l(VISA_OP_LDW, 4, 1, 0));          /* F hit, 2 hits */
    prog(&p, visa_enc_l(VISA_OP_LDW, 5, 1, -2));         /* F hit, D hit */
    prog(&p, W_HALT);                                    /* F hit */
    int g = fx_add(&p);
    fx_run_idle();
    expect_counts(g, 7, 3);
}
END_TEST

START_TEST(test_permission_rewalk_is_a_miss_and_uses_the_new_pte)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P);                  /* read-only */
    movi(&p, 1, 0x5000);                                 /* F miss */
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));          /* F hit, D miss */
    movi(&p, 2, ROOT);                                   /* F hit */
    movi(&p, 4, 0x2000u | P | W);                        /* F hit */
    prog(&p, visa_enc_s(VISA_OP_STW, 4, 2, 20));         /* F hit, D miss */
    prog(&p, visa_enc_s(VISA_OP_STW, 4, 1, 4));          /* F hit, re-walk */
    prog(&p, W_HALT);                                    /* F hit */
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_phys32(g, 0x2004), 0x2000u | P | W);
    ck_assert_uint_eq(fx_pte(g, ROOT, 5), 0x2000u | P | W | A | D);
    expect_counts(g, 6, 4);
}
END_TEST

START_TEST(test_faulting_lookup_is_a_miss)
{
    struct prog p;
    paging_prog(&p, 0);
    movi(&p, 1, 0x5000);                                 /* F miss */
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));          /* F hit, D miss */
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_pf(g, PF_R, 0x5000, 0);
    expect_counts(g, 1, 2);
    ck_assert_uint_eq(fx_g(g)->tlb[5].vpn, VISA_TLB_INVALID);
}
END_TEST

/* Stale translations: VPN 5 first maps frame 2, then the guest points it
 * at frame 1 without a flush; what comes between decides what it reads. */
struct stale_case {
    const char *what;
    uint32_t words[2];
    unsigned nwords;
    uint32_t trap_ctl;
    bool fresh;                    /* the second read sees frame 1 */
    uint64_t cr_exits;
};
static const struct stale_case stale_cases[] = {
    { "nothing", { W_NOP }, 1, VISA_TRAP_DEFAULT, false, 1 },
    { "tlbflushv", { W_TLBFLUSHV }, 1, VISA_TRAP_DEFAULT, true, 1 },
    { "ldpgtr of the same root, trapped",
      { W_RA(VISA_OP_LDPGTR, FX_PAGING_REG) }, 1, VISA_TRAP_DEFAULT, true, 2 },
    { "ldpgtr of the same root, untrapped",
      { W_RA(VISA_OP_LDPGTR, FX_PAGING_REG) }, 1, VISA_TRAP_IO, true, 0 },
    { "a read of VPN 69 (same TLB index)",
      { FX_ENC(VISA_OP_LDW, 7, 8, 0) }, 1, VISA_TRAP_DEFAULT, true, 1 },
    { "a read of VPN 6 (another TLB index)",
      { FX_ENC_M(VISA_OP_MOVI, 9, 0x6000), FX_ENC(VISA_OP_LDW, 7, 9, 0) }, 2,
      VISA_TRAP_DEFAULT, false, 1 },
};
#define N_STALE (sizeof stale_cases / sizeof stale_cases[0])

static int stale_prog(const uint32_t *between, unsigned n)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P);
    prog_pte(&p, ROOT, 6, 0x1000u | P);
    prog_pte(&p, ROOT, 69, 0x1000u | P);
    prog_li(&p, 8, 69u << 12);
    movi(&p, 1, 0x5000);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));          /* fill: frame 2 */
    movi(&p, 2, ROOT);
    movi(&p, 4, 0x1000u | P);
    prog(&p, visa_enc_s(VISA_OP_STW, 4, 2, 4 * 5));      /* PTE[5] = frame 1 */
    prog(&p, visa_enc_l(VISA_OP_LDW, 5, 1, 0));          /* stale */
    for (unsigned i = 0; i < n; i++)
        prog(&p, between[i]);
    prog(&p, visa_enc_l(VISA_OP_LDW, 6, 1, 0));
    prog(&p, W_HALT);
    prog_word(&p, 0x2000, 0xAAAA0002u);
    prog_word(&p, 0x1000, 0xBBBB0001u);
    return fx_add(&p);
}

START_TEST(test_stale_translation_until_flushed)
{
    const struct stale_case *c = &stale_cases[_i];
    int g = stale_prog(c->words, c->nwords);
    fx_g(g)->vmcs.trap_ctl = c->trap_ctl;
    fx_run_idle();
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_reg(g, 3), 0xAAAA0002u);
    ck_assert_uint_eq(fx_reg(g, 5), 0xAAAA0002u);
    ck_assert_msg(fx_reg(g, 6) == (c->fresh ? 0xBBBB0001u : 0xAAAA0002u),
                  "after %s: read %#x", c->what, fx_reg(g, 6));
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_CR_WRITE], c->cr_exits);
    ck_assert_uint_eq(fx_g(g)->vmcs.ptbr, ROOT | 1u);
}
END_TEST

START_TEST(test_timer_exits_and_guest_switches_do_not_flush)
{
    uint32_t nops[12];
    for (unsigned i = 0; i < 12; i++)
        nops[i] = i < 11 ? W_NOP : W_HALT;
    int g = stale_prog(nops, 2);
    fx_add_words(nops, 12);
    ck_assert_int_eq(visa_hv_set_slice(fx.hv, 1), VISA_OK);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 6), 0xAAAA0002u);
    ck_assert_uint_gt(fx_g(g)->vmcs.exit_count[VISA_EXIT_TIMER], 10);
}
END_TEST

/* ---- ldpgtr and the PTBR --------------------------------------------------------- */

static const uint32_t bad_roots[] = {
    0x1000, 0x1003, 0x1005, 0x1801, 0x0FFF, 0x4001, 0x10001, 0xFFFFF001u,
    0x2, 0x3FFF,
};
#define N_BAD (sizeof bad_roots / sizeof bad_roots[0])

START_TEST(test_ldpgtr_bad_root_blocks_even_untrapped)
{
    uint32_t v = bad_roots[_i / 2];
    bool trapped = _i % 2;
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, v);
    uint32_t at = prog(&p, W_RA(VISA_OP_LDPGTR, 1));
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_g(g)->vmcs.trap_ctl = trapped ? VISA_TRAP_DEFAULT : VISA_TRAP_IO;
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_CR_WRITE, v, at);
    ck_assert_uint_eq(fx_g(g)->vmcs.ptbr, 0);
    ck_assert_uint_eq(fx_g(g)->icount, at / 4);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_CR_WRITE], 1);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_insn, W_RA(VISA_OP_LDPGTR, 1));
}
END_TEST

START_TEST(test_ldpgtr_good_root_trapped_or_not)
{
    bool trapped = _i;
    struct prog p;
    paging_prog(&p, 0);
    prog(&p, W_RA(VISA_OP_LDPGTR, 0));               /* r0 = 0: paging off */
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_trace(true);
    fx_g(g)->vmcs.trap_ctl = trapped ? VISA_TRAP_DEFAULT : VISA_TRAP_IO;
    fx_run_idle();
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_g(g)->vmcs.ptbr, 0);
    ck_assert_uint_eq(fx_g(g)->icount, 4);
    expect_counts(g, 0, 1);                          /* only ldpgtr 0 is paged */
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_CR_WRITE],
                      trapped ? 2 : 0);
    size_t ncr = 0;
    for (size_t i = 0; i < fx.rec.nexits; i++) {
        if (fx.rec.exits[i].cause != VISA_EXIT_CR_WRITE)
            continue;
        ck_assert_uint_eq(fx.rec.exits[i].qual, ncr == 0 ? (ROOT | 1u) : 0);
        ncr++;
    }
    ck_assert_uint_eq(ncr, trapped ? 2 : 0);
}
END_TEST

START_TEST(test_ldpgtr_root_zero_with_flag_is_valid)
{
    /* PTBR 0x0001: root at GPA 0, where the first instruction word
     * 0d 01 00 01 now reads as a PTE: present, not executable. */
    struct prog p;
    prog_init(&p);
    movi(&p, 1, 1);
    prog(&p, W_RA(VISA_OP_LDPGTR, 1));
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_g(g)->vmcs.ptbr, 1);
    fx_expect_pf(g, PF_F | PF_P, 8, 0);
}
END_TEST

/* ---- The monitor's view ------------------------------------------------------------ */

START_TEST(test_monitor_accessors_have_no_side_effects)
{
    static struct visa_guest before;
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P | W);
    prog_pte(&p, ROOT, 6, 0x1000u | P);
    prog(&p, W_HALT);
    prog_word(&p, 0x2010, 0x01020304u);
    prog_word(&p, 0x1000, 0x05060708u);
    int g = fx_add(&p);
    fx_run_idle();
    /* R/W/X are ignored: frame 1 cannot be read by the guest */
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 1, VISA_EPT_X), VISA_OK);
    uint64_t machine_icount = fx.hv->icount;
    memcpy(&before, fx_g(g), sizeof before);

    uint8_t b[4];
    ck_assert_int_eq(visa_hv_read_virt(fx.hv, g, 0x5010, b, 4), VISA_OK);
    ck_assert_uint_eq(visa_load_be32(b), 0x01020304u);
    ck_assert_int_eq(visa_hv_read_virt(fx.hv, g, 0x6000, b, 4), VISA_OK);
    ck_assert_uint_eq(visa_load_be32(b), 0x05060708u);
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0x2010, b, 4), VISA_OK);
    struct visa_walk w;
    visa_hv_translate(fx.hv, g, 0x5010, PF_W, &w);
    visa_hv_translate(fx.hv, g, 0x7000, PF_F, &w);

    ck_assert_uint_eq(fx_pte(g, ROOT, 5), 0x2000u | P | W);   /* no A */
    ck_assert_uint_eq(fx_pte(g, ROOT, 6), 0x1000u | P);
    ck_assert(memcmp(&before, fx_g(g), sizeof before) == 0);
    ck_assert_uint_eq(fx.hv->icount, machine_icount);
}
END_TEST

START_TEST(test_monitor_virtual_access_to_unmapped_memory)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P | W);
    prog(&p, W_HALT);
    prog_word(&p, 0x2FFC, 0x11111111u);
    int g = fx_add(&p);
    fx_run_idle();
    uint8_t b[4] = { 1, 2, 3, 4 };
    ck_assert_int_eq(visa_hv_read_virt(fx.hv, g, 0x7000, b, 4), VISA_EUNMAPPED);
    ck_assert_int_eq(visa_hv_read_virt(fx.hv, g, 0x400000, b, 1),
                     VISA_EUNMAPPED);
    ck_assert_int_eq(visa_hv_write_virt(fx.hv, g, 0x5FFE, b, 4), VISA_EUNMAPPED);
    ck_assert_uint_eq(fx_phys32(g, 0x2FFC), 0x11111111u);   /* nothing written */
    ck_assert_int_eq(visa_hv_write_virt(fx.hv, g, 0x5FFC, b, 4), VISA_OK);
    ck_assert_uint_eq(fx_phys32(g, 0x2FFC), 0x01020304u);
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0x3FFE, b, 4), VISA_EUNMAPPED);
    ck_assert_int_eq(visa_hv_write_phys(fx.hv, g, 0x4000, b, 1), VISA_EUNMAPPED);
}
END_TEST

START_TEST(test_monitor_read_virt_uses_a_stale_entry)
{
    static const uint32_t nop = W_NOP;
    int g = stale_prog(&nop, 1);
    ck_assert_int_eq(fx_run(FX_BUDGET), VISA_STOP_IDLE);
    ck_assert_uint_eq(fx_reg(g, 6), 0xAAAA0002u);    /* still stale */
    uint8_t b[4];
    ck_assert_int_eq(visa_hv_read_virt(fx.hv, g, 0x5000, b, 4), VISA_OK);
    ck_assert_uint_eq(visa_load_be32(b), 0xAAAA0002u);
    struct visa_walk w;
    visa_hv_translate(fx.hv, g, 0x5000, PF_R, &w);
    ck_assert(w.tlb_hit);
    ck_assert(w.tlb_stale);
    ck_assert_uint_eq(w.tlbe.gframe, 2);
    ck_assert_uint_eq(w.pte, 0x1000u | P);
    ck_assert_uint_eq(w.gpa, 0x1000);
}
END_TEST

START_TEST(test_monitor_write_into_page_table_flushes_tlb)
{
    static const uint32_t nop = W_NOP;
    int g = stale_prog(&nop, 1);
    fx_run_idle();
    ck_assert_uint_eq(fx_g(g)->tlb[5].vpn, 5);
    uint8_t zero[4] = { 0 };
    ck_assert_int_eq(visa_hv_write_phys(fx.hv, g, ROOT + 4 * 200, zero, 4),
                     VISA_OK);
    expect_tlb_empty(g);
    uint8_t b[4];
    ck_assert_int_eq(visa_hv_read_virt(fx.hv, g, 0x5000, b, 4), VISA_OK);
    ck_assert_uint_eq(visa_load_be32(b), 0xBBBB0001u);

    fx_new(VISA_DEFAULT_HOST_MEM);
    g = stale_prog(&nop, 1);
    fx_run_idle();
    ck_assert_int_eq(visa_hv_write_virt(fx.hv, g, ROOT + 4 * 200, zero, 4),
                     VISA_OK);                       /* VA 0x3320 */
    expect_tlb_empty(g);
}
END_TEST

START_TEST(test_ept_change_and_flush_empty_the_tlb)
{
    static const uint32_t nop = W_NOP;
    int g = stale_prog(&nop, 1);
    fx_run_idle();
    ck_assert_uint_eq(fx_g(g)->tlb[0].vpn, 0);
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 1, VISA_EPT_RWX), VISA_OK);
    expect_tlb_empty(g);

    fx_new(VISA_DEFAULT_HOST_MEM);
    g = stale_prog(&nop, 1);
    fx_run_idle();
    ck_assert_uint_eq(fx_g(g)->tlb[0].vpn, 0);
    visa_hv_flush_tlb(fx.hv, g);
    expect_tlb_empty(g);
}
END_TEST

START_TEST(test_puts_reads_the_string_as_the_guest_would)
{
    struct prog p;
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, 0x2000u | P);
    prog_pte(&p, ROOT, 6, 0x1000u | P);
    prog_li(&p, 1, 0x5FFD);                          /* spans into VPN 6 */
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_MOV(5, 0));
    prog_li(&p, 1, 0x7000);                          /* not mapped */
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_MOV(6, 0));
    prog(&p, W_HALT);
    prog_bytes(&p, 0x2FFD, "pag", 3);
    prog_bytes(&p, 0x1000, "ed\0", 3);
    int g = fx_add(&p);
    fx_run_idle();
    ck_assert_str_eq(fx_out(g), "paged");
    ck_assert_uint_eq(fx_reg(g, 5), VISA_HC_PUTS);
    ck_assert_uint_eq(fx_reg(g, 6), 0xFFFFFFFFu);
    ck_assert_uint_eq(fx_pte(g, ROOT, 5), 0x2000u | P | A);
    ck_assert_uint_eq(fx_pte(g, ROOT, 6), 0x1000u | P | A);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PAGE_FAULT], 0);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
}
END_TEST

START_TEST(test_puts_from_a_frame_the_ept_hides_fails)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x2000);
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_HALT);
    prog_bytes(&p, 0x2000, "hidden", 7);
    int g = fx_add(&p);
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, g, 2, VISA_EPT_W), VISA_OK);
    fx_run_idle();
    ck_assert_str_eq(fx_out(g), "");
    ck_assert_uint_eq(fx_reg(g, 0), 0xFFFFFFFFu);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
}
END_TEST

/* ---- visa_hv_translate, against walks done by hand ------------------------------ */

struct tr_case {
    const char *what;
    int guest;                     /* 1: paging off; 2: paging on */
    uint32_t va;
    unsigned access;
    enum visa_walk_fail fail;
    uint32_t qual;                 /* checked when fail != OK */
    uint32_t pte;                  /* PTE value read (paging, when read) */
    uint32_t gpa;                  /* checked when stage 1 succeeded */
    uint32_t fault_gpa;            /* stage-2 failures */
};
/* Guest 2's page table (root 0x3000): */
#define T5 (0x2000u | P | W)
#define T6 (0x1000u | P | X)
#define T8 (0x6000u | P | W)
static const struct tr_case tr_cases[] = {
    { "paging off", 1, 0x1234, PF_R, VISA_WALK_OK, 0, 0, 0x1234, 0 },
    { "paging off, beyond 16 KiB", 1, 0x4000, PF_W, VISA_WALK_GPA_EPT,
      PF_W | PF_S2, 0, 0x4000, 0x4000 },
    { "paging off, beyond 4 MiB", 1, 0x400000, PF_R, VISA_WALK_GPA_EPT,
      PF_R | PF_S2, 0, 0x400000, 0x400000 },
    { "present read", 2, 0x5123, PF_R, VISA_WALK_OK, 0, T5, 0x2123, 0 },
    { "present write", 2, 0x5FFF, PF_W, VISA_WALK_OK, 0, T5, 0x2FFF, 0 },
    { "present fetch", 2, 0x6008, PF_F, VISA_WALK_OK, 0, T6, 0x1008, 0 },
    { "not present", 2, 0x7abc, PF_R, VISA_WALK_NOT_PRESENT, PF_R, 0, 0, 0 },
    { "read-only write", 2, 0x6004, PF_W, VISA_WALK_NOT_WRITABLE,
      PF_W | PF_P, T6, 0, 0 },
    { "no-execute fetch", 2, 0x5000, PF_F, VISA_WALK_NOT_EXEC,
      PF_F | PF_P, T5, 0, 0 },
    { "beyond 4 MiB", 2, 0x400000, PF_R, VISA_WALK_BEYOND,
      PF_R | PF_BIG, 0, 0, 0 },
    { "GPA beyond 16 KiB", 2, 0x8010, PF_W, VISA_WALK_GPA_EPT,
      PF_W | PF_S2, T8, 0x6010, 0x6010 },
};
#define N_TR (sizeof tr_cases / sizeof tr_cases[0])

static void translate_setup(void)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_HALT);
    fx_add(&p);
    paging_prog(&p, 0);
    prog_pte(&p, ROOT, 5, T5);
    prog_pte(&p, ROOT, 6, T6);
    prog_pte(&p, ROOT, 8, T8);
    prog(&p, W_HALT);
    fx_add(&p);
    fx_run_idle();
}

START_TEST(test_translate_reports_the_walk)
{
    const struct tr_case *c = &tr_cases[_i];
    translate_setup();
    const struct visa_guest *g = fx_g(c->guest);
    struct visa_walk w;
    memset(&w, 0xA5, sizeof w);
    visa_hv_translate(fx.hv, c->guest, c->va, c->access, &w);
    ck_assert_msg(w.fail == c->fail, "%s: fail %d, want %d", c->what, w.fail,
                  c->fail);
    ck_assert_uint_eq(w.va, c->va);
    ck_assert_uint_eq(w.access, c->access);
    ck_assert(w.paging == (c->guest == 2));
    if (w.paging && c->fail != VISA_WALK_BEYOND) {
        ck_assert_uint_eq(w.ptbr, ROOT | 1u);
        ck_assert_uint_eq(w.vpn, (c->va >> 12) & 0x3FF);
        ck_assert_uint_eq(w.offset, c->va & 0xFFF);
        ck_assert_uint_eq(w.pte_gpa, ROOT + 4 * ((c->va >> 12) & 0x3FF));
        ck_assert_uint_eq(w.pte, c->pte);
    }
    if (c->fail == VISA_WALK_OK || c->fail == VISA_WALK_GPA_EPT)
        ck_assert_uint_eq(w.gpa, c->gpa);
    if (c->fail == VISA_WALK_OK) {
        uint32_t hf = g->vmcs.ept[c->gpa >> 12].hframe;
        ck_assert_uint_eq(w.hpa, hf * VISA_PAGE_SIZE + (c->gpa & 0xFFF));
        if (w.paging)
            ck_assert_uint_eq(w.pte_new, c->pte | A | (c->access == PF_W ? D : 0));
    } else {
        ck_assert_msg(w.qual == c->qual, "%s: qual %#x, want %#x", c->what,
                      w.qual, c->qual);
        ck_assert_uint_eq(w.fault_va, c->va);
        if (c->qual & PF_S2)
            ck_assert_uint_eq(w.fault_gpa, c->fault_gpa);
    }
}
END_TEST

START_TEST(test_translate_pte_behind_ept)
{
    translate_setup();
    ck_assert_int_eq(visa_hv_set_ept(fx.hv, 2, 3, VISA_EPT_X), VISA_OK);
    struct visa_walk w;
    visa_hv_translate(fx.hv, 2, 0x5010, PF_R, &w);
    ck_assert_int_eq(w.fail, VISA_WALK_PTE_EPT);
    ck_assert_uint_eq(w.qual, PF_R | PF_P | PF_S2);
    ck_assert_uint_eq(w.pte_gpa, ROOT + 4 * 5);
    ck_assert_uint_eq(w.fault_gpa, ROOT + 4 * 5);
    ck_assert_uint_eq(w.fault_va, 0x5010);
}
END_TEST

START_TEST(test_guest2_hpa_uses_its_host_frames)
{
    translate_setup();
    struct visa_walk w;
    visa_hv_translate(fx.hv, 2, 0x5123, PF_R, &w);
    ck_assert_int_eq(w.fail, VISA_WALK_OK);
    ck_assert_uint_eq(w.hpa, 0x6123);                /* guest 2: frames 4-7 */
    visa_hv_translate(fx.hv, 1, 0x3FFF, PF_R, &w);
    ck_assert_uint_eq(w.hpa, 0x3FFF);
}
END_TEST

/* ---- The suite --------------------------------------------------------------------- */

static Suite *mmu_suite(void)
{
    Suite *s = suite_create("mmu");
    TCase *tc;

    tc = tcase_create("walk");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_paging_off_va_is_gpa);
    tcase_add_loop_test(tc, test_paging_off_beyond_16k_is_stage2_without_bit5,
                        0, (int)(sizeof off_cases / sizeof off_cases[0]));
    tcase_add_test(tc, test_seed_example_va_0x1234_reaches_gpa_0x0234);
    tcase_add_test(tc, test_walk_sets_accessed_and_dirty_in_guest_memory);
    tcase_add_test(tc, test_word_spanning_two_pages_uses_both_frames);
    tcase_add_loop_test(tc, test_page_fault_qualification_and_addresses, 0,
                        (int)N_PF);
    tcase_add_test(tc, test_resume_after_fixing_the_pte_reruns_the_access);
    suite_add_tcase(s, tc);

    tc = tcase_create("stage2");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_ept_permissions_enforced, 0, 2 * (int)N_EPT);
    tcase_add_test(tc, test_ept_entry_without_permissions_faults_at_stage2);
    tcase_add_test(tc, test_stage2_fault_reading_the_pte_records_the_walk);
    tcase_add_test(tc, test_pte_not_rewritten_when_a_and_d_already_set);
    tcase_add_test(tc, test_fetch_needs_x_in_pte_and_ept);
    suite_add_tcase(s, tc);

    tc = tcase_create("tlb");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_tlb_counts_fetches_and_data_lookups);
    tcase_add_test(tc, test_tlb_entry_filled_by_a_read_has_d_clear);
    tcase_add_test(tc, test_page_spanning_access_is_two_lookups);
    tcase_add_test(tc, test_permission_rewalk_is_a_miss_and_uses_the_new_pte);
    tcase_add_test(tc, test_faulting_lookup_is_a_miss);
    tcase_add_loop_test(tc, test_stale_translation_until_flushed, 0,
                        (int)N_STALE);
    tcase_add_test(tc, test_timer_exits_and_guest_switches_do_not_flush);
    suite_add_tcase(s, tc);

    tc = tcase_create("ptbr");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_ldpgtr_bad_root_blocks_even_untrapped, 0,
                        2 * (int)N_BAD);
    tcase_add_loop_test(tc, test_ldpgtr_good_root_trapped_or_not, 0, 2);
    tcase_add_test(tc, test_ldpgtr_root_zero_with_flag_is_valid);
    suite_add_tcase(s, tc);

    tc = tcase_create("monitor");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_monitor_accessors_have_no_side_effects);
    tcase_add_test(tc, test_monitor_virtual_access_to_unmapped_memory);
    tcase_add_test(tc, test_monitor_read_virt_uses_a_stale_entry);
    tcase_add_test(tc, test_monitor_write_into_page_table_flushes_tlb);
    tcase_add_test(tc, test_ept_change_and_flush_empty_the_tlb);
    tcase_add_test(tc, test_puts_reads_the_string_as_the_guest_would);
    tcase_add_test(tc, test_puts_from_a_frame_the_ept_hides_fails);
    tcase_add_loop_test(tc, test_translate_reports_the_walk, 0, (int)N_TR);
    tcase_add_test(tc, test_translate_pte_behind_ept);
    tcase_add_test(tc, test_guest2_hpa_uses_its_host_frames);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fx_run_suite(mmu_suite());
}
