/* check_exec.c - every instruction's semantics (machine.md sections 2, 3, 6
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

#define PRESET 0xDEADBEEFu         /* r3 before the instruction under test */

/* Run a one-guest program to the end on the fast and the hooked path. */
static int run_prog(const struct prog *p)
{
    int g = fx_add(p);
    fx_run_idle_both();
    return g;
}

static void expect_stopped(int g, uint64_t icount)
{
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(fx_g(g)->icount, icount);
}

/* ---- Arithmetic and logic: r3 = op(r1 = a, r2 = b) ------------------- */

struct alu_case {
    uint32_t word;                 /* rd = r3, rs1 = r1, rs2 = r2 */
    uint32_t a, b, expect;
};
#define R3(op, a, b, e)   { FX_ENC(VISA_OP_##op, 3, 1, 2), a, b, e }
#define I3(op, a, imm, e) { FX_ENC(VISA_OP_##op, 3, 1, imm), a, 0, e }
#define M3(op, imm, e)    { FX_ENC_M(VISA_OP_##op, 3, imm), 0, 0, e }

static const struct alu_case alu_cases[] = {
    R3(ADD, 5, 7, 12),
    R3(ADD, 0xFFFFFFFFu, 2, 1),                      /* wraps */
    R3(ADD, 0x80000000u, 0x80000000u, 0),
    R3(SUB, 5, 7, 0xFFFFFFFEu),
    R3(SUB, 0, 1, 0xFFFFFFFFu),
    R3(MUL, 0x10000u, 0x10000u, 0),                  /* low 32 bits */
    R3(MUL, 0xFFFFFFFFu, 0xFFFFFFFFu, 1),
    R3(MUL, 3, 0xFFFFFFFEu, 0xFFFFFFFAu),
    R3(MUL, 0x12345u, 0x1000u, 0x12345000u),
    R3(DIV, 7, 2, 3),
    R3(DIV, 0xFFFFFFFEu, 2, 0x7FFFFFFFu),            /* unsigned */
    R3(DIV, 0x80000000u, 0xFFFFFFFFu, 0),
    R3(DIV, 123, 0, 0xFFFFFFFFu),                    /* by zero */
    R3(DIV, 0, 0, 0xFFFFFFFFu),
    R3(MOD, 7, 3, 1),
    R3(MOD, 0xFFFFFFFFu, 10, 5),                     /* unsigned */
    R3(MOD, 0x80000000u, 0xFFFFFFFFu, 0x80000000u),
    R3(MOD, 123, 0, 123),                            /* by zero: rs1 */
    R3(MOD, 0, 0, 0),
    R3(AND, 0xF0F0F0F0u, 0xFF00FF00u, 0xF000F000u),
    R3(OR, 0xF0F0F0F0u, 0x0F0F0000u, 0xFFFFF0F0u),
    R3(XOR, 0xFFFF0000u, 0xFF00FF00u, 0x00FFFF00u),
    R3(SHL, 1, 31, 0x80000000u),
    R3(SHL, 1, 32, 1),                               /* amount & 31 */
    R3(SHL, 1, 33, 2),
    R3(SHL, 3, 0xFFFFFFE1u, 6),
    R3(SHL, 0x80000001u, 1, 2),
    R3(SHR, 0x80000000u, 31, 1),
    R3(SHR, 0x80000000u, 32, 0x80000000u),
    R3(SHR, 0xF0000000u, 4, 0x0F000000u),            /* logical */
    R3(SHR, 0x80000000u, 63, 1),
    R3(SAR, 0x80000000u, 31, 0xFFFFFFFFu),
    R3(SAR, 0x80000000u, 32, 0x80000000u),
    R3(SAR, 0xF0000000u, 4, 0xFF000000u),            /* arithmetic */
    R3(SAR, 0x70000000u, 4, 0x07000000u),
    R3(SAR, 0x80000000u, 33, 0xC0000000u),
    R3(SLT, 0xFFFFFFFFu, 1, 1),                      /* -1 < 1 */
    R3(SLT, 1, 0xFFFFFFFFu, 0),
    R3(SLT, 5, 5, 0),
    R3(SLT, 0x80000000u, 0x7FFFFFFFu, 1),
    R3(SLTU, 0xFFFFFFFFu, 1, 0),
    R3(SLTU, 1, 0xFFFFFFFFu, 1),
    R3(SLTU, 5, 5, 0),
    R3(SLTU, 0x80000000u, 0x7FFFFFFFu, 0),
    I3(ADDI, 0xFFFFFFFFu, 1, 0),
    I3(ADDI, 1, 255, 256),                           /* imm8 zero-extended */
    I3(SUBI, 0, 1, 0xFFFFFFFFu),
    I3(SUBI, 10, 255, 0xFFFFFF0Bu),
    I3(MULI, 0x80000000u, 2, 0),
    I3(MULI, 3, 255, 765),
    I3(DIVI, 100, 7, 14),
    I3(DIVI, 100, 0, 0xFFFFFFFFu),                   /* by zero */
    I3(DIVI, 0xFFFFFFFFu, 255, 0x01010101u),
    I3(ANDI, 0xFFFFFFFFu, 0xF0, 0xF0),
    I3(ORI, 0, 0x80, 0x80),
    I3(ORI, 0xFFFF0000u, 0x0F, 0xFFFF000Fu),
    I3(XORI, 0xFFFFFFFFu, 0xFF, 0xFFFFFF00u),
    I3(SHLI, 1, 31, 0x80000000u),
    I3(SHLI, 1, 32, 1),                              /* imm8 & 31 */
    I3(SHLI, 1, 33, 2),
    I3(SHLI, 1, 255, 0x80000000u),
    I3(SHRI, 0x80000000u, 31, 1),
    I3(SHRI, 0x80000000u, 32, 0x80000000u),
    I3(SHRI, 0x80000000u, 255, 1),
    I3(SARI, 0x80000000u, 31, 0xFFFFFFFFu),
    I3(SARI, 0x80000000u, 32, 0x80000000u),
    I3(SARI, 0x80000000u, 63, 0xFFFFFFFFu),
    I3(SARI, 0x40000000u, 30, 1),
    M3(MOVI, 0xFFFF, 0x0000FFFFu),                   /* zero-extended */
    M3(MOVI, 0, 0),
    M3(MOVHI, 0x1234, 0x1234BEEFu),                  /* keeps the low half */
    M3(MOVHI, 0, 0x0000BEEFu),
    { W_MOV(3, 1), 0x89ABCDEFu, 0, 0x89ABCDEFu },
};
#define N_ALU (sizeof alu_cases / sizeof alu_cases[0])

START_TEST(test_alu_results)
{
    const struct alu_case *c = &alu_cases[_i];
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, c->a);
    prog_li(&p, 2, c->b);
    prog_li(&p, 3, PRESET);
    uint32_t at = prog(&p, c->word);
    prog(&p, W_HALT);
    int g = run_prog(&p);

    ck_assert_msg(fx_reg(g, 3) == c->expect,
                  "%s (word %08x) a=%08x b=%08x: got %08x, want %08x",
                  visa_optab[visa_op(c->word)].mnemonic, c->word, c->a, c->b,
                  fx_reg(g, 3), c->expect);
    ck_assert_uint_eq(fx_reg(g, 1), c->a);
    ck_assert_uint_eq(fx_reg(g, 2), c->b);
    expect_stopped(g, at / 4 + 2);
}
END_TEST

START_TEST(test_alu_destination_may_be_a_source)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 5);
    prog(&p, visa_enc_r(VISA_OP_ADD, 1, 1, 1));      /* r1 = 10 */
    prog_li(&p, 2, 0x77);
    prog(&p, visa_enc_r(VISA_OP_SUB, 2, 2, 2));      /* r2 = 0 */
    prog_li(&p, 4, 0x0F);
    prog(&p, visa_enc_i(VISA_OP_SHLI, 4, 4, 4));     /* r4 = 0xF0 */
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 1), 10);
    ck_assert_uint_eq(fx_reg(g, 2), 0);
    ck_assert_uint_eq(fx_reg(g, 4), 0xF0);
}
END_TEST

/* ---- Branches: taken or not, signed and unsigned -------------------------- */

struct br_case { unsigned op; uint32_t a, b; bool taken; };
static const struct br_case br_cases[] = {
    { VISA_OP_JEQ, 5, 5, true },
    { VISA_OP_JEQ, 5, 6, false },
    { VISA_OP_JNE, 5, 6, true },
    { VISA_OP_JNE, 5, 5, false },
    { VISA_OP_JLT, 0xFFFFFFFFu, 1, true },           /* -1 < 1 */
    { VISA_OP_JLT, 1, 0xFFFFFFFFu, false },
    { VISA_OP_JLT, 7, 7, false },
    { VISA_OP_JLT, 0x80000000u, 0x7FFFFFFFu, true },
    { VISA_OP_JGE, 0xFFFFFFFFu, 1, false },
    { VISA_OP_JGE, 1, 0xFFFFFFFFu, true },
    { VISA_OP_JGE, 7, 7, true },
    { VISA_OP_JLTU, 0xFFFFFFFFu, 1, false },
    { VISA_OP_JLTU, 1, 0xFFFFFFFFu, true },
    { VISA_OP_JLTU, 7, 7, false },
    { VISA_OP_JLTU, 0x80000000u, 0x7FFFFFFFu, false },
    { VISA_OP_JGEU, 0xFFFFFFFFu, 1, true },
    { VISA_OP_JGEU, 1, 0xFFFFFFFFu, false },
    { VISA_OP_JGEU, 7, 7, true },
};
#define N_BR (sizeof br_cases / sizeof br_cases[0])

START_TEST(test_branch_taken_or_not)
{
    const struct br_case *c = &br_cases[_i];
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, c->a);
    prog_li(&p, 2, c->b);
    uint32_t br = prog(&p, visa_enc_b(c->op, 1, 1, 2));   /* skip one */
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 1));              /* not taken */
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_msg(fx_reg(g, 5) == (c->taken ? 0u : 1u),
                  "%s %08x, %08x: taken should be %d",
                  visa_optab[c->op].mnemonic, c->a, c->b, c->taken);
    expect_stopped(g, br / 4 + (c->taken ? 2 : 3));
}
END_TEST

START_TEST(test_branch_offsets_reach_forward_and_backward)
{
    struct prog p;
    prog_init(&p);
    /* 0: jeq +127 -> 0x200 */
    prog(&p, visa_enc_b(VISA_OP_JEQ, 127, 0, 0));
    prog(&p, W_HALT);
    /* 0x200: movi r5, 9; jmp 0x300 */
    prog_org(&p, 0x200);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 9));
    prog(&p, visa_enc_j(VISA_OP_JMP, 0x300 / 4));
    /* 0x300: jeq -128 -> 0x304 - 512 = 0x104 */
    prog_org(&p, 0x300);
    prog(&p, visa_enc_b(VISA_OP_JEQ, -128, 0, 0));
    prog(&p, W_HALT);
    prog_org(&p, 0x104);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 6, 8));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 5), 9);
    ck_assert_uint_eq(fx_reg(g, 6), 8);
    expect_stopped(g, 6);
}
END_TEST

START_TEST(test_backward_branch_loops)
{
    struct prog p;
    prog_init(&p);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 1, 5));
    uint32_t loop = prog(&p, visa_enc_i(VISA_OP_ADDI, 2, 2, 3));
    prog(&p, visa_enc_i(VISA_OP_SUBI, 1, 1, 1));
    uint32_t br = p.pc;
    prog(&p, visa_enc_b(VISA_OP_JNE, prog_off(br, loop), 1, 0));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 2), 15);
    ck_assert_uint_eq(fx_reg(g, 1), 0);
    expect_stopped(g, 1 + 5 * 3 + 1);
}
END_TEST

/* ---- Loads and stores --------------------------------------------------- */

START_TEST(test_ldb_zero_extends)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x201);
    prog(&p, visa_enc_l(VISA_OP_LDB, 3, 1, 0));      /* 0x201 */
    prog(&p, visa_enc_l(VISA_OP_LDB, 4, 1, -1));     /* 0x200 */
    prog(&p, visa_enc_l(VISA_OP_LDB, 5, 1, 127));    /* 0x280 */
    prog(&p, W_HALT);
    prog_bytes(&p, 0x200, "\x7F\xF0", 2);
    prog_bytes(&p, 0x280, "\x80", 1);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 3), 0xF0);
    ck_assert_uint_eq(fx_reg(g, 4), 0x7F);
    ck_assert_uint_eq(fx_reg(g, 5), 0x80);
}
END_TEST

START_TEST(test_stb_stores_the_low_byte_only)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x300);
    prog_li(&p, 2, 0x1234ABCDu);
    prog(&p, visa_enc_s(VISA_OP_STB, 2, 1, 1));      /* 0x301 */
    prog(&p, visa_enc_s(VISA_OP_STB, 2, 1, -128));   /* 0x280 */
    prog(&p, W_HALT);
    prog_word(&p, 0x300, 0x11223344u);
    prog_word(&p, 0x27C, 0x55667788u);
    prog_word(&p, 0x280, 0x99AABBCCu);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_phys32(g, 0x300), 0x11CD3344u);
    ck_assert_uint_eq(fx_phys32(g, 0x280), 0xCDAABBCCu);
    ck_assert_uint_eq(fx_phys32(g, 0x27C), 0x55667788u);
}
END_TEST

START_TEST(test_words_are_big_endian)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x400);
    prog_li(&p, 2, 0x11223344u);
    prog(&p, visa_enc_s(VISA_OP_STW, 2, 1, 8));      /* 0x408 */
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));      /* 0x400 */
    prog(&p, W_HALT);
    prog_bytes(&p, 0x400, "\xA1\xB2\xC3\xD4", 4);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 3), 0xA1B2C3D4u);
    uint8_t b[4];
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0x408, b, 4), VISA_OK);
    ck_assert_mem_eq(b, "\x11\x22\x33\x44", 4);
}
END_TEST

START_TEST(test_unaligned_and_page_spanning_words)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x501);
    prog(&p, visa_enc_l(VISA_OP_LDW, 3, 1, 0));      /* unaligned */
    prog_li(&p, 1, 0xFFE);
    prog(&p, visa_enc_l(VISA_OP_LDW, 4, 1, 0));      /* frames 0 and 1 */
    prog_li(&p, 2, 0xCAFEF00Du);
    prog_li(&p, 1, 0x1F00);
    prog(&p, visa_enc_s(VISA_OP_STW, 2, 1, 127));    /* 0x1F7F, unaligned */
    prog_li(&p, 1, 0x2FFD);
    prog(&p, visa_enc_s(VISA_OP_STW, 2, 1, 0));      /* frames 2 and 3 */
    prog(&p, W_HALT);
    prog_bytes(&p, 0x500, "\x01\x02\x03\x04\x05\x06", 6);
    prog_bytes(&p, 0xFFC, "\x10\x20\x30\x40\x50\x60\x70\x80", 8);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 3), 0x02030405u);
    ck_assert_uint_eq(fx_reg(g, 4), 0x30405060u);
    ck_assert_uint_eq(fx_phys32(g, 0x1F7F), 0xCAFEF00Du);
    ck_assert_uint_eq(fx_phys8(g, 0x2FFD), 0xCA);
    ck_assert_uint_eq(fx_phys8(g, 0x2FFF), 0xF0);
    ck_assert_uint_eq(fx_phys8(g, 0x3000), 0x0D);
    ck_assert_uint_eq(fx_phys8(g, 0x3001), 0x00);
}
END_TEST

/* ---- Jumps, calls and the stack -------------------------------------------- */

START_TEST(test_jmp_is_absolute_word_index)
{
    struct prog p;
    prog_init(&p);
    prog(&p, visa_enc_j(VISA_OP_JMP, 0x40));         /* -> 0x100 */
    prog(&p, W_HALT);
    prog_org(&p, 0x100);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 1));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 5), 1);
    expect_stopped(g, 3);
}
END_TEST

START_TEST(test_jmp_t24_is_not_sign_extended)
{
    struct prog p;
    prog_init(&p);
    prog(&p, visa_enc_j(VISA_OP_JMP, 0xFFFFFF));     /* -> 0x3FFFFFC */
    fx_add(&p);
    fx_run_idle();
    ck_assert_uint_eq(fx_g(1)->pc, 0x3FFFFFCu);
    fx_expect_pf(1, VISA_PFQ_FETCH | VISA_PFQ_STAGE2, 0x3FFFFFCu, 0x3FFFFFCu);
    ck_assert_uint_eq(fx_g(1)->icount, 1);
}
END_TEST

START_TEST(test_call_and_ret)
{
    struct prog p;
    prog_init(&p);
    prog(&p, visa_enc_j(VISA_OP_CALL, 0x10 / 4));    /* 0 */
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 9));        /* 4 */
    prog(&p, W_HALT);                                /* 8 */
    prog_org(&p, 0x10);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 6, 1));        /* 0x10 */
    prog(&p, visa_enc_l(VISA_OP_LDW, 7, 31, 0));     /* return address */
    prog(&p, W_MOV(8, 31));                          /* sp inside */
    prog(&p, W_RET);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 5), 9);
    ck_assert_uint_eq(fx_reg(g, 6), 1);
    ck_assert_uint_eq(fx_reg(g, 7), 4);
    ck_assert_uint_eq(fx_reg(g, 8), 0x3FFC);
    ck_assert_uint_eq(fx_reg(g, 31), 0x4000);
    ck_assert_uint_eq(fx_phys32(g, 0x3FFC), 4);
    expect_stopped(g, 7);
}
END_TEST

START_TEST(test_callr_and_jr)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x100);
    uint32_t callr = prog(&p, W_JR(VISA_OP_CALLR, 1));
    prog(&p, W_HALT);
    prog_org(&p, 0x100);
    prog(&p, visa_enc_l(VISA_OP_LDW, 7, 31, 0));
    prog_li(&p, 2, 0x200);
    prog(&p, W_JR(VISA_OP_JR, 2));
    prog_org(&p, 0x200);
    prog(&p, W_MOV(8, 31));
    prog(&p, W_RET);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 7), callr + 4);
    ck_assert_uint_eq(fx_reg(g, 8), 0x3FFC);
    ck_assert_uint_eq(fx_reg(g, 31), 0x4000);
    expect_stopped(g, 8);
}
END_TEST

START_TEST(test_push_and_pop)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x11223344u);
    prog_li(&p, 2, 0x55667788u);
    prog(&p, W_RA(VISA_OP_PUSH, 1));
    prog(&p, W_RA(VISA_OP_PUSH, 2));
    prog(&p, W_MOV(9, 31));
    prog(&p, W_RA(VISA_OP_POP, 3));
    prog(&p, W_RA(VISA_OP_POP, 4));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 9), 0x3FF8);
    ck_assert_uint_eq(fx_reg(g, 3), 0x55667788u);
    ck_assert_uint_eq(fx_reg(g, 4), 0x11223344u);
    ck_assert_uint_eq(fx_reg(g, 31), 0x4000);
    ck_assert_uint_eq(fx_phys32(g, 0x3FFC), 0x11223344u);
    ck_assert_uint_eq(fx_phys32(g, 0x3FF8), 0x55667788u);
}
END_TEST

START_TEST(test_push_sp_pushes_the_old_sp)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_RA(VISA_OP_PUSH, 31));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 31), 0x3FFC);
    ck_assert_uint_eq(fx_phys32(g, 0x3FFC), 0x4000);
}
END_TEST

START_TEST(test_pop_sp_loads_sp_last)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 31, 0x3F00);
    prog(&p, W_RA(VISA_OP_POP, 31));                 /* sp = word[0x3F00] */
    prog(&p, W_HALT);
    prog_word(&p, 0x3F00, 0x1234);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 31), 0x1234);
}
END_TEST

START_TEST(test_callr_sp_jumps_to_the_old_sp)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 31, 0x100);
    uint32_t callr = prog(&p, W_JR(VISA_OP_CALLR, 31));
    prog(&p, W_HALT);
    prog_org(&p, 0x100);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 1));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 5), 1);
    ck_assert_uint_eq(fx_reg(g, 31), 0xFC);
    ck_assert_uint_eq(fx_phys32(g, 0xFC), callr + 4);
}
END_TEST

/* ---- Unused operand bytes and nop ------------------------------------------ */

START_TEST(test_unused_operand_bytes_are_ignored)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x40);
    prog_li(&p, 2, 0xABCD);
    prog(&p, visa_enc(VISA_OP_NOP, 0xFF, 0xFF, 0xFF));
    prog(&p, visa_enc(VISA_OP_MOV, 3, 2, 0xFF));
    prog(&p, visa_enc(VISA_OP_PUSH, 2, 0xEE, 0xDD));
    prog(&p, visa_enc(VISA_OP_POP, 4, 0x99, 0x88));
    prog(&p, visa_enc(VISA_OP_IN, 5, VISA_PORT_GUEST_ID, 0xFF));
    prog(&p, visa_enc(VISA_OP_TLBFLUSHV, 0x40, 0x41, 0x42));
    prog(&p, visa_enc(VISA_OP_JR, 0xFF, 1, 0xFF));   /* -> 0x40 */
    prog_org(&p, 0x40);
    prog(&p, visa_enc(VISA_OP_HALT, 0x12, 0x34, 0x56));
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 3), 0xABCD);
    ck_assert_uint_eq(fx_reg(g, 4), 0xABCD);
    ck_assert_uint_eq(fx_reg(g, 5), 1);
    ck_assert_uint_eq(fx_reg(g, 31), 0x4000);
    expect_stopped(g, 10);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_ILLEGAL], 0);
}
END_TEST

START_TEST(test_nop_changes_nothing_but_pc)
{
    struct prog p;
    prog_init(&p);
    for (unsigned r = 1; r < 31; r++)
        prog(&p, visa_enc_m(VISA_OP_MOVI, r, r * 3));
    prog(&p, W_NOP);
    prog(&p, W_NOP);
    prog(&p, W_HALT);
    fx_add(&p);
    ck_assert_int_eq(fx_run(30), VISA_STOP_BUDGET);
    struct visa_guest before = *fx_g(1);
    ck_assert_int_eq(fx_run(2), VISA_STOP_BUDGET);
    const struct visa_guest *g = fx_g(1);
    ck_assert_mem_eq(g->r, before.r, sizeof g->r);
    ck_assert_uint_eq(g->pc, before.pc + 8);
    ck_assert_uint_eq(g->icount, before.icount + 2);
    ck_assert_int_eq(g->state, VISA_STATE_RUNNING);
}
END_TEST

/* ---- Faulting instructions leave no trace ---------------------------------- */

struct fault_case {
    const char *what;
    uint32_t r1, sp;
    uint32_t word;
    unsigned cause;
};
static const struct fault_case fault_cases[] = {
    { "ldw beyond 16 KiB (spanning)", 0x3FFE, 0x4000,
      FX_ENC(VISA_OP_LDW, 3, 1, 0), VISA_EXIT_PAGE_FAULT },
    { "stw spanning beyond 16 KiB", 0x3FFE, 0x4000,
      FX_ENC(VISA_OP_STW, 0, 1, 2), VISA_EXIT_PAGE_FAULT },
    { "stw through an offset", 0x3F90, 0x4000,
      FX_ENC(VISA_OP_STW, 127, 1, 2), VISA_EXIT_PAGE_FAULT },
    { "ldb beyond", 0x4000, 0x4000,
      FX_ENC(VISA_OP_LDB, 3, 1, 0), VISA_EXIT_PAGE_FAULT },
    { "stb far beyond", 0x10000, 0x4000,
      FX_ENC(VISA_OP_STB, 0, 1, 2), VISA_EXIT_PAGE_FAULT },
    { "push with sp 0", 0, 0, W_RA(VISA_OP_PUSH, 2), VISA_EXIT_PAGE_FAULT },
    { "pop at the top", 0, 0x4000, W_RA(VISA_OP_POP, 3), VISA_EXIT_PAGE_FAULT },
    { "call with sp 0", 0, 0, FX_ENC(VISA_OP_CALL, 0, 0, 0x40),
      VISA_EXIT_PAGE_FAULT },
    { "callr with sp 0", 0x100, 0, W_JR(VISA_OP_CALLR, 1),
      VISA_EXIT_PAGE_FAULT },
    { "ret at the top", 0, 0x4000, W_RET, VISA_EXIT_PAGE_FAULT },
    { "pop sp at the top", 0, 0x4000, W_RA(VISA_OP_POP, 31),
      VISA_EXIT_PAGE_FAULT },
    { "vmenter", 1, 0x4000, W_RA(VISA_OP_VMENTER, 1), VISA_EXIT_PRIVILEGED },
    { "opcode 0x25", 1, 0x4000, FX_ENC(0x25, 1, 2, 3), VISA_EXIT_ILLEGAL },
    { "register 32", 1, 0x4000, FX_ENC(VISA_OP_ADD, 32, 1, 1),
      VISA_EXIT_ILLEGAL },
};
#define N_FAULT (sizeof fault_cases / sizeof fault_cases[0])

START_TEST(test_faulting_instruction_leaves_no_trace)
{
    const struct fault_case *c = &fault_cases[_i];
    static uint8_t before[VISA_GUEST_MEM], after[VISA_GUEST_MEM];
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, c->r1);
    prog_li(&p, 2, 0xA5A5A5A5u);
    prog_li(&p, 3, 0x33333333u);
    prog_li(&p, 31, c->sp);
    uint32_t setup = p.pc / 4;
    uint32_t at = prog(&p, c->word);
    prog(&p, W_HALT);
    prog_word(&p, 0x3FF8, 0x01020304u);
    prog_word(&p, 0x3FFC, 0xA1A2A3A4u);
    int g = fx_add(&p);

    ck_assert_int_eq(fx_run(setup), VISA_STOP_BUDGET);
    struct visa_guest snap = *fx_g(g);
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0, before, sizeof before), 0);
    fx_run_idle();
    const struct visa_guest *gp = fx_g(g);
    ck_assert_msg(gp->vmcs.exit_cause == c->cause, "%s: cause %u", c->what,
                  gp->vmcs.exit_cause);
    ck_assert_int_eq(gp->state, VISA_STATE_BLOCKED);
    ck_assert_msg(memcmp(gp->r, snap.r, sizeof snap.r) == 0,
                  "%s changed a register", c->what);
    ck_assert_uint_eq(gp->pc, at);
    ck_assert_uint_eq(gp->vmcs.exit_pc, at);
    ck_assert_uint_eq(gp->vmcs.exit_insn, c->word);
    ck_assert_uint_eq(gp->icount, setup);
    ck_assert_int_eq(visa_hv_read_phys(fx.hv, g, 0, after, sizeof after), 0);
    ck_assert_msg(memcmp(before, after, sizeof before) == 0,
                  "%s changed memory", c->what);
}
END_TEST

/* ---- Illegal instructions and the order of checks ----------------------------- */

/* The legal opcodes of machine.md section 3 with their register fields
 * (bit 0 = byte A, bit 1 = B, bit 2 = C), from the format table in
 * section 2. */
struct legal_op { unsigned op; unsigned regs; };
static const struct legal_op legal_ops[] = {
    {0x01,7},{0x02,7},{0x03,7},{0x04,7},{0x05,3},{0x06,3},{0x07,6},{0x08,0},
    {0x09,6},{0x0A,6},{0x0B,0},{0x0C,0},{0x0D,1},{0x0E,3},{0x0F,3},{0x10,3},
    {0x11,3},{0x12,3},{0x13,6},{0x14,7},{0x15,7},{0x16,7},{0x17,7},{0x18,7},
    {0x19,7},{0x1A,7},{0x1B,7},{0x1C,7},{0x1D,1},{0x1E,0},{0x1F,2},{0x20,0},
    {0x21,0},{0x22,1},{0x23,1},{0x24,2},{0x26,3},{0x27,3},{0x28,3},{0x29,3},
    {0x2A,3},{0x2B,3},{0x2C,6},{0x2D,6},{0x2E,6},{0x2F,6},{0x30,1},{0x31,1},
    {0x32,1},{0x33,1},{0x34,1},{0x35,1},{0x36,0},{0x40,1},{0x41,1},{0xFF,0},
};
#define N_LEGAL (sizeof legal_ops / sizeof legal_ops[0])

static bool is_legal(unsigned op)
{
    for (size_t i = 0; i < N_LEGAL; i++)
        if (legal_ops[i].op == op)
            return true;
    return false;
}

START_TEST(test_unknown_opcode_is_illegal)
{
    unsigned op = (unsigned)_i;
    if (is_legal(op))
        return;
    uint32_t word = visa_enc(op, 1, 2, 3);
    struct prog p;
    prog_init(&p);
    prog(&p, W_NOP);
    prog(&p, word);
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, word, 4);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_insn, word);
    ck_assert_uint_eq(fx_g(g)->icount, 1);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_ILLEGAL], 1);
}
END_TEST

START_TEST(test_zeroed_memory_traps_at_once)
{
    struct prog p;
    prog_init(&p);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 1, 7));
    int g = fx_add(&p);                              /* image: 4 bytes */
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, 0, 4);
    ck_assert_uint_eq(fx_reg(g, 1), 7);
}
END_TEST

START_TEST(test_register_field_32_or_more_is_illegal)
{
    const struct legal_op *l = &legal_ops[_i];
    static const unsigned bad[] = { 32, 40, 255 };
    for (unsigned f = 0; f < 3; f++) {
        if (!(l->regs & (1u << f)))
            continue;
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            unsigned byte[3] = { 1, 1, 1 };
            byte[f] = bad[b];
            uint32_t word = visa_enc(l->op, byte[0], byte[1], byte[2]);
            struct prog p;
            fx_new(VISA_DEFAULT_HOST_MEM);
            prog_init(&p);
            prog(&p, W_NOP);
            prog(&p, word);
            prog(&p, W_HALT);
            int g = fx_add(&p);
            fx_run_idle();
            ck_assert_msg(fx_g(g)->vmcs.exit_cause == VISA_EXIT_ILLEGAL,
                          "%08x: cause %u, want illegal", word,
                          fx_g(g)->vmcs.exit_cause);
            fx_expect_blocked(g, VISA_EXIT_ILLEGAL, word, 4);
            ck_assert_uint_eq(fx_g(g)->icount, 1);
        }
    }
}
END_TEST

START_TEST(test_vmenter_r40_is_illegal_not_privileged)
{
    uint32_t word = W_RA(VISA_OP_VMENTER, 40);
    int g = fx_add_words(&word, 1);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, word, 0);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PRIVILEGED], 0);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_ILLEGAL], 1);
}
END_TEST

START_TEST(test_misaligned_jump_completes_then_fetch_is_illegal)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x102);
    prog(&p, W_JR(VISA_OP_JR, 1));
    prog_org(&p, 0x100);
    prog(&p, W_NOP);
    prog(&p, W_NOP);
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, 0, 0x102);
    ck_assert_uint_eq(fx_g(g)->icount, 2);           /* the jr completed */
}
END_TEST

START_TEST(test_misaligned_return_and_callr)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x203);
    uint32_t at = prog(&p, W_JR(VISA_OP_CALLR, 1));
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, 0, 0x203);
    ck_assert_uint_eq(fx_reg(g, 31), 0x3FFC);
    ck_assert_uint_eq(fx_phys32(g, 0x3FFC), at + 4);

    fx_new(VISA_DEFAULT_HOST_MEM);
    prog_init(&p);
    prog_li(&p, 1, 0x301);
    prog(&p, W_RA(VISA_OP_PUSH, 1));
    prog(&p, W_RET);
    g = fx_add(&p);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, 0, 0x301);
    ck_assert_uint_eq(fx_reg(g, 31), 0x4000);
    ck_assert_uint_eq(fx_g(g)->icount, 3);
}
END_TEST

START_TEST(test_alignment_is_checked_before_fetch_translation)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x5002);                          /* beyond 16 KiB too */
    prog(&p, W_JR(VISA_OP_JR, 1));
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_ILLEGAL, 0, 0x5002);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PAGE_FAULT], 0);
}
END_TEST

START_TEST(test_fetch_translation_is_checked_before_opcode)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x5000);
    prog(&p, W_JR(VISA_OP_JR, 1));
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_pf(g, VISA_PFQ_FETCH | VISA_PFQ_STAGE2, 0x5000, 0x5000);
    ck_assert_uint_eq(fx_g(g)->pc, 0x5000);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_pc, 0x5000);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_ILLEGAL], 0);
}
END_TEST

/* ---- Privileged instructions ----------------------------------------------- */

static const unsigned privileged_ops[] = {
    VISA_OP_VMENTER, VISA_OP_VMRESUME, VISA_OP_VMCAUSE, VISA_OP_VMTRAPCFG,
    VISA_OP_LDHPTR,
};

START_TEST(test_privileged_instruction_blocks_with_opcode)
{
    unsigned op = privileged_ops[_i];
    uint32_t word = W_RA(op, 3);
    struct prog p;
    prog_init(&p);
    prog_li(&p, 3, 0x1001);
    prog(&p, W_NOP);
    uint32_t at = prog(&p, word);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 1));
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_PRIVILEGED, op, at);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_insn, word);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PRIVILEGED], 1);
    ck_assert_uint_eq(fx_g(g)->icount, 2);
    ck_assert_uint_eq(fx_reg(g, 3), 0x1001);
    ck_assert_uint_eq(fx_g(g)->vmcs.ptbr, 0);

    /* resume re-runs it ... */
    ck_assert_int_eq(visa_hv_resume(fx.hv, g), VISA_OK);
    fx_run_idle();
    fx_expect_blocked(g, VISA_EXIT_PRIVILEGED, op, at);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PRIVILEGED], 2);
    /* ... unless pc was changed */
    fx_g(g)->pc = at + 4;
    ck_assert_int_eq(visa_hv_resume(fx.hv, g), VISA_OK);
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 5), 1);
    expect_stopped(g, 4);
}
END_TEST

/* ---- I/O ports ---------------------------------------------------------------- */

START_TEST(test_console_out_prints_the_low_byte)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 'H');
    prog(&p, W_OUT(1, VISA_PORT_CONSOLE));
    prog_li(&p, 1, 0x12345669u);                     /* 'i' */
    prog(&p, W_OUT(1, VISA_PORT_CONSOLE));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_str_eq(fx_out(g), "Hi");
    ck_assert_uint_eq(fx.rec.outlen[g], 2);
}
END_TEST

START_TEST(test_console_in_reads_then_gives_all_ones)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_IN(1, VISA_PORT_CONSOLE));
    prog(&p, W_IN(2, VISA_PORT_CONSOLE));
    prog(&p, W_IN(3, VISA_PORT_CONSOLE));
    prog(&p, W_IN(4, VISA_PORT_CONSOLE));
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_input(g, "x\xC8");
    fx_run_idle_both();
    ck_assert_uint_eq(fx_reg(g, 1), 'x');
    ck_assert_uint_eq(fx_reg(g, 2), 0xC8);
    ck_assert_uint_eq(fx_reg(g, 3), 0xFFFFFFFFu);
    ck_assert_uint_eq(fx_reg(g, 4), 0xFFFFFFFFu);
}
END_TEST

START_TEST(test_console_in_without_reader_gives_all_ones)
{
    struct visa_callbacks cb = { 0 };
    struct prog p;
    prog_init(&p);
    prog(&p, W_IN(1, VISA_PORT_CONSOLE));
    prog(&p, W_HALT);
    int g = fx_add(&p);
    visa_hv_set_callbacks(fx.hv, &cb);               /* no callbacks at all */
    fx_run_idle();
    ck_assert_uint_eq(fx_reg(g, 1), 0xFFFFFFFFu);
}
END_TEST

START_TEST(test_decimal_port_prints_signed)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0xFFFFFFFBu);
    prog(&p, W_OUT(1, VISA_PORT_DECIMAL));
    prog_li(&p, 1, ',');
    prog(&p, W_OUT(1, VISA_PORT_CONSOLE));
    prog_li(&p, 1, 0x80000000u);
    prog(&p, W_OUT(1, VISA_PORT_DECIMAL));
    prog(&p, W_OUT(0, VISA_PORT_CONSOLE));           /* NUL character */
    prog_li(&p, 1, 0x7FFFFFFFu);
    prog(&p, W_OUT(1, VISA_PORT_DECIMAL));
    prog_li(&p, 1, 0);
    prog(&p, W_OUT(1, VISA_PORT_DECIMAL));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx.rec.outlen[g], 26);
    ck_assert_mem_eq(fx_out(g), "-5,-2147483648\0" "21474836470", 26);
}
END_TEST

START_TEST(test_guest_id_and_icount_ports)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_HALT);
    fx_add(&p);                                      /* guest 1 */
    prog_init(&p);
    prog(&p, W_NOP);
    prog(&p, W_NOP);
    prog(&p, W_IN(1, VISA_PORT_ICOUNT));             /* 2 before it */
    prog(&p, W_IN(2, VISA_PORT_GUEST_ID));
    prog(&p, W_IN(3, VISA_PORT_ICOUNT));             /* 4 */
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle_both();
    ck_assert_int_eq(g, 2);
    ck_assert_uint_eq(fx_reg(g, 1), 2);
    ck_assert_uint_eq(fx_reg(g, 2), 2);
    ck_assert_uint_eq(fx_reg(g, 3), 4);
}
END_TEST

START_TEST(test_unknown_ports_and_wrong_directions)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 'Z');
    prog(&p, W_OUT(1, 4));
    prog(&p, W_OUT(1, 200));
    prog(&p, W_OUT(1, VISA_PORT_GUEST_ID));          /* ignored */
    prog(&p, W_OUT(1, VISA_PORT_ICOUNT));            /* ignored */
    prog(&p, W_IN(2, 4));
    prog(&p, W_IN(3, 255));
    prog(&p, W_IN(4, VISA_PORT_DECIMAL));            /* unknown direction */
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_str_eq(fx_out(g), "");
    ck_assert_uint_eq(fx_reg(g, 2), 0xFFFFFFFFu);
    ck_assert_uint_eq(fx_reg(g, 3), 0xFFFFFFFFu);
    ck_assert_uint_eq(fx_reg(g, 4), 0xFFFFFFFFu);
    expect_stopped(g, 9);
}
END_TEST

/* ---- Hypercalls ----------------------------------------------------------------- */

START_TEST(test_hypercall_putc_putnum_keep_r0)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x141);                           /* low byte 'A' */
    prog_hypercall(&p, VISA_HC_PUTC);
    prog(&p, W_MOV(10, 0));
    prog_li(&p, 1, 0xFFFFFFF9u);
    prog_hypercall(&p, VISA_HC_PUTNUM);
    prog(&p, W_MOV(11, 0));
    prog_hypercall(&p, VISA_HC_YIELD);
    prog(&p, W_MOV(12, 0));
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_str_eq(fx_out(g), "A-7");
    ck_assert_uint_eq(fx_reg(g, 10), VISA_HC_PUTC);
    ck_assert_uint_eq(fx_reg(g, 11), VISA_HC_PUTNUM);
    ck_assert_uint_eq(fx_reg(g, 12), VISA_HC_YIELD);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_HYPERCALL], 3);
}
END_TEST

START_TEST(test_hypercall_puts_prints_string)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x2FFD);                          /* spans two frames */
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_HALT);
    prog_bytes(&p, 0x2FFD, "hello\0junk", 10);
    int g = run_prog(&p);
    ck_assert_str_eq(fx_out(g), "hello");
    ck_assert_uint_eq(fx_reg(g, 0), VISA_HC_PUTS);
}
END_TEST

START_TEST(test_hypercall_puts_unreadable_prints_nothing)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 0x3FFD);                          /* "abc" then 16 KiB */
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_MOV(5, 0));
    prog_li(&p, 1, 0x8000);
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_MOV(6, 0));
    prog(&p, W_HALT);
    prog_bytes(&p, 0x3FFD, "abc", 3);
    int g = run_prog(&p);
    ck_assert_str_eq(fx_out(g), "");
    ck_assert_uint_eq(fx_reg(g, 5), 0xFFFFFFFFu);
    ck_assert_uint_eq(fx_reg(g, 6), 0xFFFFFFFFu);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_PAGE_FAULT], 0);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
}
END_TEST

START_TEST(test_hypercall_puts_stops_after_1024_bytes)
{
    static char buf[1100], want[1025];
    struct prog p;
    prog_init(&p);
    /* 1024 bytes up to the very end of guest memory, no NUL: the byte
     * after them is not part of the string. */
    prog_li(&p, 1, 0x4000 - 1024);
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_MOV(5, 0));
    /* 1100 bytes then a NUL: only the first 1024 are printed. */
    prog_li(&p, 1, 0x1000);
    prog_hypercall(&p, VISA_HC_PUTS);
    prog(&p, W_MOV(6, 0));
    prog(&p, W_HALT);
    memset(buf, 'x', sizeof buf);
    prog_bytes(&p, 0x4000 - 1024, buf, 1024);
    memset(buf, 'y', sizeof buf);
    prog_bytes(&p, 0x1000, buf, sizeof buf);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx.rec.outlen[g], 2048);
    memset(want, 'x', 1024);
    ck_assert_mem_eq(fx_out(g), want, 1024);
    memset(want, 'y', 1024);
    ck_assert_mem_eq(fx_out(g) + 1024, want, 1024);
    ck_assert_uint_eq(fx_reg(g, 5), VISA_HC_PUTS);
    ck_assert_uint_eq(fx_reg(g, 6), VISA_HC_PUTS);
}
END_TEST

START_TEST(test_hypercall_exit_stops_with_code)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 42);
    prog_hypercall(&p, VISA_HC_EXIT);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 1));        /* never runs */
    prog(&p, W_HALT);
    int g = run_prog(&p);
    expect_stopped(g, 3);
    ck_assert_uint_eq(fx_g(g)->exit_code, 42);
    ck_assert_uint_eq(fx_reg(g, 5), 0);
    ck_assert_uint_eq(fx_reg(g, 0), VISA_HC_EXIT);
    fx_expect_exit(g, VISA_EXIT_HYPERCALL, VISA_HC_EXIT);
}
END_TEST

START_TEST(test_hypercall_guest_id_and_icount)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_HALT);
    fx_add(&p);
    fx_add(&p);
    prog_init(&p);
    prog_hypercall(&p, VISA_HC_GUEST_ID);            /* 2 instructions */
    prog(&p, W_MOV(5, 0));
    prog(&p, W_NOP);
    prog_hypercall(&p, VISA_HC_ICOUNT);              /* 5 before it */
    prog(&p, W_HALT);
    int g = fx_add(&p);
    fx_run_idle_both();
    ck_assert_int_eq(g, 3);
    ck_assert_uint_eq(fx_reg(g, 5), 3);
    ck_assert_uint_eq(fx_reg(g, 0), 5);
}
END_TEST

static const uint32_t unknown_hypercalls[] = { 7, 8, 0x100, 0xFFFFFFFFu };

START_TEST(test_unknown_hypercall_gives_all_ones)
{
    struct prog p;
    prog_init(&p);
    prog_hypercall(&p, unknown_hypercalls[_i]);
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_uint_eq(fx_reg(g, 0), 0xFFFFFFFFu);
    ck_assert_str_eq(fx_out(g), "");
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_HYPERCALL], 1);
    ck_assert_int_eq(fx_g(g)->state, VISA_STATE_STOPPED);
}
END_TEST

START_TEST(test_syscall_is_a_hypercall)
{
    struct prog p;
    prog_init(&p);
    prog_li(&p, 1, 's');
    prog_li(&p, 0, VISA_HC_PUTC);
    prog(&p, W_SYSCALL);
    prog_li(&p, 0, VISA_HC_GUEST_ID);
    prog(&p, W_SYSCALL);
    prog(&p, W_HALT);
    int g = run_prog(&p);
    ck_assert_str_eq(fx_out(g), "s");
    ck_assert_uint_eq(fx_reg(g, 0), 1);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_HYPERCALL], 2);
    expect_stopped(g, 6);
}
END_TEST

START_TEST(test_halt_stops_with_code_zero_and_counts)
{
    struct prog p;
    prog_init(&p);
    prog(&p, W_NOP);
    prog(&p, W_HALT);
    prog(&p, visa_enc_m(VISA_OP_MOVI, 5, 1));
    int g = run_prog(&p);
    expect_stopped(g, 2);
    ck_assert_uint_eq(fx_g(g)->exit_code, 0);
    ck_assert_uint_eq(fx_reg(g, 5), 0);
    fx_expect_exit(g, VISA_EXIT_HALT, 0);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_count[VISA_EXIT_HALT], 1);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_insn, W_HALT);
    ck_assert_uint_eq(fx_g(g)->vmcs.exit_pc, 4);
}
END_TEST

/* ---- The suite ---------------------------------------------------------------------- */

static Suite *exec_suite(void)
{
    Suite *s = suite_create("exec");
    TCase *tc;

    tc = tcase_create("alu");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_alu_results, 0, (int)N_ALU);
    tcase_add_test(tc, test_alu_destination_may_be_a_source);
    suite_add_tcase(s, tc);

    tc = tcase_create("branch");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_branch_taken_or_not, 0, (int)N_BR);
    tcase_add_test(tc, test_branch_offsets_reach_forward_and_backward);
    tcase_add_test(tc, test_backward_branch_loops);
    tcase_add_test(tc, test_jmp_is_absolute_word_index);
    tcase_add_test(tc, test_jmp_t24_is_not_sign_extended);
    tcase_add_test(tc, test_call_and_ret);
    tcase_add_test(tc, test_callr_and_jr);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_ldb_zero_extends);
    tcase_add_test(tc, test_stb_stores_the_low_byte_only);
    tcase_add_test(tc, test_words_are_big_endian);
    tcase_add_test(tc, test_unaligned_and_page_spanning_words);
    tcase_add_test(tc, test_push_and_pop);
    tcase_add_test(tc, test_push_sp_pushes_the_old_sp);
    tcase_add_test(tc, test_pop_sp_loads_sp_last);
    tcase_add_test(tc, test_callr_sp_jumps_to_the_old_sp);
    tcase_add_test(tc, test_unused_operand_bytes_are_ignored);
    tcase_add_test(tc, test_nop_changes_nothing_but_pc);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_loop_test(tc, test_faulting_instruction_leaves_no_trace, 0,
                        (int)N_FAULT);
    tcase_add_loop_test(tc, test_unknown_opcode_is_illegal, 0, 256);
    tcase_add_test(tc, test_zeroed_memory_traps_at_once);
    tcase_add_loop_test(tc, test_register_field_32_or_more_is_illegal, 0,
                        (int)N_LEGAL);
    tcase_add_test(tc, test_vmenter_r40_is_illegal_not_privileged);
    tcase_add_test(tc, test_misaligned_jump_completes_then_fetch_is_illegal);
    tcase_add_test(tc, test_misaligned_return_and_callr);
    tcase_add_test(tc, test_alignment_is_checked_before_fetch_translation);
    tcase_add_test(tc, test_fetch_translation_is_checked_before_opcode);
    tcase_add_loop_test(tc, test_privileged_instruction_blocks_with_opcode, 0,
                        (int)(sizeof privileged_ops / sizeof privileged_ops[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("devices");
    tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
    tcase_add_test(tc, test_console_out_prints_the_low_byte);
    tcase_add_test(tc, test_console_in_reads_then_gives_all_ones);
    tcase_add_test(tc, test_console_in_without_reader_gives_all_ones);
    tcase_add_test(tc, test_decimal_port_prints_signed);
    tcase_add_test(tc, test_guest_id_and_icount_ports);
    tcase_add_test(tc, test_unknown_ports_and_wrong_directions);
    tcase_add_test(tc, test_hypercall_putc_putnum_keep_r0);
    tcase_add_test(tc, test_hypercall_puts_prints_string);
    tcase_add_test(tc, test_hypercall_puts_unreadable_prints_nothing);
    tcase_add_test(tc, test_hypercall_puts_stops_after_1024_bytes);
    tcase_add_test(tc, test_hypercall_exit_stops_with_code);
    tcase_add_test(tc, test_hypercall_guest_id_and_icount);
    tcase_add_loop_test(tc, test_unknown_hypercall_gives_all_ones, 0,
                        (int)(sizeof unknown_hypercalls / sizeof unknown_hypercalls[0]));
    tcase_add_test(tc, test_syscall_is_a_hypercall);
    tcase_add_test(tc, test_halt_stops_with_code_zero_and_counts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fx_run_suite(exec_suite());
}
