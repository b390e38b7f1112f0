/* check_isa.c - the instruction-set tables expanded from isa.h.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "visa/isa.h"

/* The opcodes of machine.md section 3, written out by hand on purpose:
 * the X-macro list must agree with the contract. */
static const struct { unsigned op; const char *m; } contract[] = {
    {0x01,"add"},{0x02,"sub"},{0x03,"mul"},{0x04,"div"},{0x05,"mov"},
    {0x06,"ldb"},{0x07,"stb"},{0x08,"jmp"},{0x09,"jeq"},{0x0A,"jne"},
    {0x0B,"call"},{0x0C,"ret"},{0x0D,"movi"},{0x0E,"addi"},{0x0F,"subi"},
    {0x10,"muli"},{0x11,"divi"},{0x12,"ldw"},{0x13,"stw"},{0x14,"and"},
    {0x15,"or"},{0x16,"xor"},{0x17,"shl"},{0x18,"shr"},{0x19,"sar"},
    {0x1A,"slt"},{0x1B,"sltu"},{0x1C,"mod"},{0x1D,"movhi"},{0x1E,"nop"},
    {0x1F,"jr"},{0x20,"syscall"},{0x21,"hypercall"},{0x22,"push"},
    {0x23,"pop"},{0x24,"callr"},{0x26,"andi"},{0x27,"ori"},{0x28,"xori"},
    {0x29,"shli"},{0x2A,"shri"},{0x2B,"sari"},{0x2C,"jlt"},{0x2D,"jge"},
    {0x2E,"jltu"},{0x2F,"jgeu"},{0x30,"vmenter"},{0x31,"vmresume"},
    {0x32,"vmcause"},{0x33,"vmtrapcfg"},{0x34,"ldpgtr"},{0x35,"ldhptr"},
    {0x36,"tlbflushv"},{0x40,"in"},{0x41,"out"},{0xFF,"halt"},
};
#define NCONTRACT (sizeof contract / sizeof contract[0])

START_TEST(test_opcode_table_matches_contract)
{
    ck_assert_uint_eq(visa_opcode_count, NCONTRACT);
    unsigned legal = 0;
    for (unsigned op = 0; op < 256; op++)
        legal += visa_optab[op].mnemonic != NULL;
    ck_assert_uint_eq(legal, NCONTRACT);
    for (size_t i = 0; i < NCONTRACT; i++) {
        ck_assert_ptr_nonnull(visa_optab[contract[i].op].mnemonic);
        ck_assert_str_eq(visa_optab[contract[i].op].mnemonic, contract[i].m);
        ck_assert_int_eq(visa_opcode_lookup(contract[i].m), (int)contract[i].op);
    }
    ck_assert_ptr_null(visa_optab[0x00].mnemonic);
    ck_assert_ptr_null(visa_optab[0x25].mnemonic);
    ck_assert_ptr_null(visa_optab[0x42].mnemonic);
    ck_assert_int_eq(visa_opcode_lookup("ADDI"), 0x0E);
    ck_assert_int_eq(visa_opcode_lookup("load"), -1);   /* alias: assembler only */
}
END_TEST

START_TEST(test_original_encodings)
{
    /* machine.md section 3: bytes of the original vISA. */
    ck_assert_uint_eq(visa_enc_m(VISA_OP_MOVI, 1, 255), 0x0D0100FFu);
    ck_assert_uint_eq(visa_enc_s(VISA_OP_STB, 5, 0, 0), 0x07000005u);
    ck_assert_uint_eq(visa_enc_l(VISA_OP_LDB, 1, 0, 0), 0x06010000u);
    ck_assert_uint_eq(visa_enc_r(VISA_OP_ADD, 2, 0, 1), 0x01020001u);
    ck_assert_uint_eq(visa_enc_b(VISA_OP_JNE, -3, 6, 0), 0x0AFD0600u);
    ck_assert_uint_eq(visa_enc_j(VISA_OP_CALL, 0x123456), 0x0B123456u);
    ck_assert_int_eq(visa_sext8(0xFD), -3);
    ck_assert_int_eq(visa_sext8(0x7F), 127);
}
END_TEST

START_TEST(test_register_fields)
{
    ck_assert(visa_insn_valid(visa_enc_r(VISA_OP_ADD, 31, 31, 31)));
    ck_assert(!visa_insn_valid(visa_enc_r(VISA_OP_ADD, 32, 0, 0)));
    ck_assert(!visa_insn_valid(visa_enc_r(VISA_OP_ADD, 0, 0, 200)));
    /* imm8 and off8 are not register fields. */
    ck_assert(visa_insn_valid(visa_enc_i(VISA_OP_ADDI, 1, 2, 255)));
    ck_assert(visa_insn_valid(visa_enc_b(VISA_OP_JEQ, -1, 1, 2)));
    ck_assert(!visa_insn_valid(visa_enc_b(VISA_OP_JEQ, 0, 40, 2)));
    ck_assert(visa_insn_valid(visa_enc(VISA_OP_OUT, 3, 200, 0)));   /* port 200 */
    ck_assert(!visa_insn_valid(visa_enc(VISA_OP_VMENTER, 40, 0, 0)));
    ck_assert(visa_insn_valid(visa_enc_j(VISA_OP_JMP, 0xFFFFFF)));
    ck_assert(!visa_insn_valid(0x00000000u));
    ck_assert(!visa_insn_valid(0x25000000u));
}
END_TEST

START_TEST(test_canonical_form)
{
    ck_assert(visa_insn_canonical(0xFF000000u));
    ck_assert(!visa_insn_canonical(0xFF000001u));        /* halt with junk */
    ck_assert(visa_insn_canonical(visa_enc(VISA_OP_MOV, 1, 2, 0)));
    ck_assert(!visa_insn_canonical(visa_enc(VISA_OP_MOV, 1, 2, 3)));
    ck_assert(visa_insn_canonical(visa_enc(VISA_OP_JR, 0, 5, 0)));
    ck_assert(!visa_insn_canonical(visa_enc(VISA_OP_JR, 5, 5, 0)));
    ck_assert(!visa_insn_canonical(visa_enc(VISA_OP_PUSH, 1, 1, 0)));
    ck_assert(visa_insn_canonical(visa_enc(VISA_OP_IN, 1, 7, 0)));
    ck_assert(!visa_insn_canonical(visa_enc(VISA_OP_IN, 1, 7, 1)));
}
END_TEST

START_TEST(test_exit_causes)
{
    ck_assert_int_eq(VISA_EXIT_PAGE_FAULT, 3);
    ck_assert_int_eq(visa_exit_lookup("page_fault"), 3);
    ck_assert_int_eq(visa_exit_lookup("pf"), 3);
    ck_assert_int_eq(visa_exit_lookup("CR"), 5);
    ck_assert_int_eq(visa_exit_lookup("halt"), 8);
    ck_assert_int_eq(visa_exit_lookup("any"), -1);
    ck_assert_int_eq(visa_exit_lookup("nope"), -1);
    for (int c = 1; c < VISA_EXIT_COUNT; c++) {
        ck_assert_ptr_nonnull(visa_exittab[c].name);
        ck_assert_int_eq(visa_exit_lookup(visa_exittab[c].name), c);
    }
    ck_assert_int_eq(visa_state_lookup("blocked"), VISA_STATE_BLOCKED);
    ck_assert_str_eq(visa_state_names[VISA_STATE_PAUSED], "PAUSED");
}
END_TEST

static Suite *isa_suite(void)
{
    Suite *s = suite_create("isa");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_opcode_table_matches_contract);
    tcase_add_test(tc, test_original_encodings);
    tcase_add_test(tc, test_register_fields);
    tcase_add_test(tc, test_canonical_form);
    tcase_add_test(tc, test_exit_causes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(isa_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
