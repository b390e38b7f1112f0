/* check_disas.c - the disassembler: exact text per opcode, `.word` for
 * everything that is not canonical, symbols, and round trips through the
 * assembler (disassembly must assemble back to the same bytes).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visa/asm.h"
#include "visa/disas.h"
#include "visa/isa.h"
#include "visa/symtab.h"

/* Every opcode once, written out by hand as bytes with the exact text
 * expected at PC_TABLE: the disassembler must agree with the contract,
 * not with itself. */
#define PC_TABLE 0x100u
static const struct {
    uint8_t b[4];
    const char *text;
} optable[] = {
    {{0x01, 0x01, 0x02, 0x03}, "add r1, r2, r3"},
    {{0x02, 0x1f, 0x00, 0x1e}, "sub sp, r0, r30"},
    {{0x03, 0x04, 0x05, 0x06}, "mul r4, r5, r6"},
    {{0x04, 0x07, 0x08, 0x09}, "div r7, r8, r9"},
    {{0x05, 0x01, 0x02, 0x00}, "mov r1, r2"},
    {{0x06, 0x01, 0x1f, 0xfc}, "ldb r1, -4(sp)"},
    {{0x07, 0x00, 0x00, 0x05}, "stb r5, 0(r0)"},
    {{0x08, 0x00, 0x00, 0x40}, "jmp 0x100"},
    {{0x09, 0xfe, 0x01, 0x02}, "jeq 0xfc, r1, r2"},
    {{0x0a, 0x03, 0x06, 0x00}, "jne 0x110, r6, r0"},
    {{0x0b, 0x12, 0x34, 0x56}, "call 0x48d158"},
    {{0x0c, 0x00, 0x00, 0x00}, "ret"},
    {{0x0d, 0x01, 0x00, 0xff}, "movi r1, 255"},
    {{0x0e, 0x02, 0x02, 0x01}, "addi r2, r2, 1"},
    {{0x0f, 0x1f, 0x1f, 0x08}, "subi sp, sp, 8"},
    {{0x10, 0x03, 0x04, 0xff}, "muli r3, r4, 255"},
    {{0x11, 0x05, 0x06, 0x00}, "divi r5, r6, 0"},
    {{0x12, 0x01, 0x02, 0xfc}, "ldw r1, -4(r2)"},
    {{0x13, 0x08, 0x1f, 0x03}, "stw r3, 8(sp)"},
    {{0x14, 0x0a, 0x0b, 0x0c}, "and r10, r11, r12"},
    {{0x15, 0x0d, 0x0e, 0x0f}, "or r13, r14, r15"},
    {{0x16, 0x10, 0x11, 0x12}, "xor r16, r17, r18"},
    {{0x17, 0x13, 0x14, 0x15}, "shl r19, r20, r21"},
    {{0x18, 0x16, 0x17, 0x18}, "shr r22, r23, r24"},
    {{0x19, 0x19, 0x1a, 0x1b}, "sar r25, r26, r27"},
    {{0x1a, 0x1c, 0x1d, 0x1e}, "slt r28, r29, r30"},
    {{0x1b, 0x1f, 0x1f, 0x1f}, "sltu sp, sp, sp"},
    {{0x1c, 0x00, 0x01, 0x02}, "mod r0, r1, r2"},
    {{0x1d, 0x03, 0xde, 0xad}, "movhi r3, 0xdead"},
    {{0x1e, 0x00, 0x00, 0x00}, "nop"},
    {{0x1f, 0x00, 0x05, 0x00}, "jr r5"},
    {{0x20, 0x00, 0x00, 0x00}, "syscall"},
    {{0x21, 0x00, 0x00, 0x00}, "hypercall"},
    {{0x22, 0x03, 0x00, 0x00}, "push r3"},
    {{0x23, 0x1f, 0x00, 0x00}, "pop sp"},
    {{0x24, 0x00, 0x07, 0x00}, "callr r7"},
    {{0x26, 0x01, 0x02, 0x0f}, "andi r1, r2, 15"},
    {{0x27, 0x01, 0x02, 0x80}, "ori r1, r2, 128"},
    {{0x28, 0x09, 0x09, 0xff}, "xori r9, r9, 255"},
    {{0x29, 0x01, 0x01, 0x1f}, "shli r1, r1, 31"},
    {{0x2a, 0x02, 0x03, 0x04}, "shri r2, r3, 4"},
    {{0x2b, 0x04, 0x05, 0x20}, "sari r4, r5, 32"},
    {{0x2c, 0x7f, 0x01, 0x02}, "jlt 0x300, r1, r2"},
    {{0x2d, 0xff, 0x03, 0x04}, "jge 0x100, r3, r4"},
    {{0x2e, 0x00, 0x05, 0x06}, "jltu 0x104, r5, r6"},
    {{0x2f, 0x10, 0x1f, 0x00}, "jgeu 0x144, sp, r0"},
    {{0x30, 0x01, 0x00, 0x00}, "vmenter r1"},
    {{0x31, 0x02, 0x00, 0x00}, "vmresume r2"},
    {{0x32, 0x03, 0x00, 0x00}, "vmcause r3"},
    {{0x33, 0x04, 0x00, 0x00}, "vmtrapcfg r4"},
    {{0x34, 0x05, 0x00, 0x00}, "ldpgtr r5"},
    {{0x35, 0x06, 0x00, 0x00}, "ldhptr r6"},
    {{0x36, 0x00, 0x00, 0x00}, "tlbflushv"},
    {{0x40, 0x01, 0x00, 0x00}, "in r1, 0"},
    {{0x41, 0x02, 0x01, 0x00}, "out r2, 1"},
    {{0xff, 0x00, 0x00, 0x00}, "halt"},
};
#define NOPTABLE (sizeof optable / sizeof optable[0])

/* ---- Helpers -------------------------------------------------------- */

/* Deterministic: every run checks the same words. */
static uint32_t rng_state;
static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static const char *disas(uint32_t w, uint32_t pc, const struct visa_symtab *st)
{
    static char buf[128];
    int n = visa_disas_insn(w, pc, st, buf, sizeof buf);
    ck_assert_int_eq(n, (int)strlen(buf));
    return buf;
}

/* The first assembler error, to say which line did not assemble. */
struct diag_rec {
    char msg[256];
    unsigned line;
};
static void record_diag(void *ctx, const struct visa_diag *d)
{
    struct diag_rec *r = ctx;
    if (r->line == 0 && strcmp(d->severity, "error") == 0) {
        r->line = d->line;
        snprintf(r->msg, sizeof r->msg, "%s", d->msg);
    }
}

/* Assemble SRC, failing the test with the first error (and its line). */
static struct visa_asm_result *assemble(const char *src)
{
    struct visa_asm_result *res = calloc(1, sizeof *res);
    struct diag_rec d = { "", 0 };
    ck_assert_ptr_nonnull(res);
    int errors = visa_asm("roundtrip.s", src, strlen(src), res, record_diag, &d);
    if (errors) {
        const char *line = src;
        for (unsigned i = 1; i < d.line && line; i++)
            if ((line = strchr(line, '\n')))
                line++;
        ck_abort_msg("assembler error at line %u: %s\n  %.*s", d.line, d.msg,
                     line ? (int)strcspn(line, "\n") : 0, line ? line : "");
    }
    return res;
}

static void release(struct visa_asm_result *res)
{
    visa_asm_result_free(res);
    free(res);
}

/* Disassemble W at PC (targets numeric), assemble it at PC, and compare. */
static void roundtrip_word(uint32_t w, uint32_t pc)
{
    char src[160];
    uint8_t want[4];
    snprintf(src, sizeof src, "        .org 0x%x\n        %s\n", pc, disas(w, pc, NULL));
    struct visa_asm_result *res = assemble(src);
    visa_store_be32(want, w);
    ck_assert_msg(res->size == pc + 4, "`%s` at 0x%x: image size %u", disas(w, pc, NULL),
                  pc, (unsigned)res->size);
    ck_assert_msg(memcmp(res->image + pc, want, 4) == 0,
                  "`%s` at 0x%x assembled to %08x, want %08x", disas(w, pc, NULL), pc,
                  visa_load_be32(res->image + pc), w);
    release(res);
}

/* A random canonical word: a legal opcode, register fields below 32 and
 * unused fields zero, every other bit random. */
static uint32_t random_canonical(void)
{
    unsigned op;
    do
        op = rnd() & 0xFFu;
    while (!visa_optab[op].mnemonic);
    const struct visa_fmtinfo *f = &visa_fmttab[visa_optab[op].fmt];
    unsigned field[3];
    for (unsigned i = 0; i < 3; i++) {
        field[i] = rnd() & 0xFFu;
        if (f->regs >> i & 1u)
            field[i] &= 31u;
        if (f->zeros >> i & 1u)
            field[i] = 0;
    }
    uint32_t w = visa_enc(op, field[0], field[1], field[2]);
    ck_assert(visa_insn_canonical(w));
    return w;
}

static char *image_text(const uint8_t *image, size_t size, const struct visa_symtab *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(visa_disas_image(f, image, size, st), 0);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

/* Symbols written as a table, so that each test reads as data. */
struct symdef {
    const char *name;
    uint32_t addr;
};
#define SYMS(table) (table), sizeof (table) / sizeof (table)[0]

static void make_symtab(struct visa_symtab *st, const struct symdef *d, size_t n)
{
    visa_symtab_init(st);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(visa_symtab_add(st, d[i].name, d[i].addr), 0);
}

/* IMAGE must disassemble to exactly WANT, and WANT assemble back to IMAGE. */
static void check_image(const uint8_t *image, size_t size, const struct visa_symtab *st,
                        const char *want)
{
    char *text = image_text(image, size, st);
    ck_assert_str_eq(text, want);
    struct visa_asm_result *res = assemble(text);
    ck_assert_uint_eq(res->size, size);
    ck_assert_mem_eq(res->image, image, size);
    release(res);
    free(text);
}

/* ---- Single instructions ------------------------------------------- */

START_TEST(test_table_covers_every_opcode)
{
    ck_assert_uint_eq(NOPTABLE, visa_opcode_count);
    bool seen[256] = { false };
    for (size_t i = 0; i < NOPTABLE; i++) {
        unsigned op = optable[i].b[0];
        ck_assert_msg(visa_optab[op].mnemonic, "0x%02x is not an opcode", op);
        ck_assert_msg(!seen[op], "0x%02x twice", op);
        seen[op] = true;
    }
}
END_TEST

START_TEST(test_opcode_text)
{
    uint32_t w = visa_load_be32(optable[_i].b);
    ck_assert_str_eq(disas(w, PC_TABLE, NULL), optable[_i].text);
}
END_TEST

START_TEST(test_opcode_roundtrip)
{
    roundtrip_word(visa_load_be32(optable[_i].b), PC_TABLE);
}
END_TEST

START_TEST(test_not_canonical_is_word)
{
    static const struct { uint32_t w; const char *text; } cases[] = {
        {0x00000000u, ".word 0x00000000"},   /* zeroed memory */
        {0x25010203u, ".word 0x25010203"},   /* gap in the opcode map */
        {0x42000000u, ".word 0x42000000"},
        {0xfe000000u, ".word 0xfe000000"},
        {0x01200000u, ".word 0x01200000"},   /* add r32 */
        {0x0e0120ffu, ".word 0x0e0120ff"},   /* addi rs1 = 32 */
        {0x1f000500u, "jr r5"},
        {0x1f010500u, ".word 0x1f010500"},   /* jr with byte A set */
        {0x05010203u, ".word 0x05010203"},   /* mov with byte C set */
        {0x22030100u, ".word 0x22030100"},   /* push with byte B set */
        {0x40010001u, ".word 0x40010001"},   /* in with byte C set */
        {0xff000001u, ".word 0xff000001"},   /* halt with junk */
        {0x21ffffffu, ".word 0x21ffffff"},
        {0x0900ff00u, ".word 0x0900ff00"},   /* jeq with rs1 = 255 */
        {0x30280000u, ".word 0x30280000"},   /* vmenter r40 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_str_eq(disas(cases[i].w, 0, NULL), cases[i].text);
    /* Every unassigned opcode, whatever its operands. */
    for (unsigned op = 0; op < 256; op++)
        if (!visa_optab[op].mnemonic) {
            char want[32];
            uint32_t w = visa_enc(op, 1, 2, 3);
            snprintf(want, sizeof want, ".word 0x%08x", w);
            ck_assert_str_eq(disas(w, 0, NULL), want);
        }
}
END_TEST

START_TEST(test_operand_forms)
{
    /* imm16: decimal below 256, hex from 256 on. */
    ck_assert_str_eq(disas(0x0d0100ffu, 0, NULL), "movi r1, 255");
    ck_assert_str_eq(disas(0x0d010100u, 0, NULL), "movi r1, 0x100");
    ck_assert_str_eq(disas(0x1d1fffffu, 0, NULL), "movhi sp, 0xffff");
    ck_assert_str_eq(disas(0x0d000000u, 0, NULL), "movi r0, 0");
    /* off8 is signed in L and S. */
    ck_assert_str_eq(disas(0x12010280u, 0, NULL), "ldw r1, -128(r2)");
    ck_assert_str_eq(disas(0x1201027fu, 0, NULL), "ldw r1, 127(r2)");
    ck_assert_str_eq(disas(0x07ff0203u, 0, NULL), "stb r3, -1(r2)");
    ck_assert_str_eq(disas(0x06010000u, 0, NULL), "ldb r1, 0(r0)");
    /* Ports are decimal bytes. */
    ck_assert_str_eq(disas(0x4103c800u, 0, NULL), "out r3, 200");
    /* Branches are relative to the next instruction. */
    ck_assert_str_eq(disas(0x0aff0000u, 0x10, NULL), "jne 0x10, r0, r0");
    ck_assert_str_eq(disas(0x09800102u, 0x1000, NULL), "jeq 0xe04, r1, r2");
    ck_assert_str_eq(disas(0x08ffffffu, 0, NULL), "jmp 0x3fffffc");
    /* Below address 0 the target is printed as a negative number. */
    ck_assert_str_eq(disas(0x09fe0102u, 0, NULL), "jeq -0x4, r1, r2");
    ck_assert_str_eq(disas(0x09ff0102u, 0, NULL), "jeq 0x0, r1, r2");
}
END_TEST

START_TEST(test_snprintf_contract)
{
    char buf[8];
    memset(buf, 'x', sizeof buf);
    /* "addi r2, r2, 1" needs 14 characters. */
    ck_assert_int_eq(visa_disas_insn(0x0e020201u, 0, NULL, buf, sizeof buf), 14);
    ck_assert_str_eq(buf, "addi r2");
    ck_assert_int_eq(visa_disas_insn(0x0e020201u, 0, NULL, NULL, 0), 14);
    ck_assert_int_eq(visa_disas_insn(0x00000000u, 0, NULL, buf, 1), 16);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_symbol_targets)
{
    static const struct symdef defs[] = {
        {"loop", 0xfc},
        {"start", 0x100},
        {"odd", 0x105},
    };
    struct visa_symtab st;
    make_symtab(&st, SYMS(defs));
    ck_assert_str_eq(disas(0x09fe0102u, 0x100, &st), "jeq loop, r1, r2");
    ck_assert_str_eq(disas(0x08000040u, 0x0, &st), "jmp start");
    ck_assert_str_eq(disas(0x0b000040u, 0x0, &st), "call start");
    /* Only a symbol exactly at the target names it. */
    ck_assert_str_eq(disas(0x08000041u, 0x0, &st), "jmp 0x104");
    ck_assert_str_eq(disas(0x2d000102u, 0x100, &st), "jge 0x104, r1, r2");
    /* Symbols never replace numbers that are not targets. */
    ck_assert_str_eq(disas(0x0d0100fcu, 0x100, &st), "movi r1, 252");
    ck_assert_str_eq(disas(0x1f000500u, 0x100, &st), "jr r5");
    visa_symtab_free(&st);
}
END_TEST

START_TEST(test_insn_target)
{
    uint32_t t = 0;
    ck_assert_int_eq(visa_insn_target(0x09fe0102u, 0x100, &t), 1);
    ck_assert_uint_eq(t, 0xfc);
    ck_assert_int_eq(visa_insn_target(0x0b123456u, 0, &t), 1);
    ck_assert_uint_eq(t, 0x48d158);
    ck_assert_int_eq(visa_insn_target(0x2f7f0000u, 0x10, &t), 1);
    ck_assert_uint_eq(t, 0x10 + 4 + 508);
    /* Wraps as the machine computes it. */
    ck_assert_int_eq(visa_insn_target(0x0a800000u, 0, &t), 1);
    ck_assert_uint_eq(t, 0xfffffe04u);
    t = 7;
    ck_assert_int_eq(visa_insn_target(0x1f000500u, 0, &t), 0);      /* jr */
    ck_assert_int_eq(visa_insn_target(0x24000500u, 0, &t), 0);      /* callr */
    ck_assert_int_eq(visa_insn_target(0x0c000000u, 0, &t), 0);      /* ret */
    ck_assert_int_eq(visa_insn_target(0x09002000u, 0, &t), 0);      /* rs1 = 32 */
    ck_assert_int_eq(visa_insn_target(0x00000040u, 0, &t), 0);
    ck_assert_uint_eq(t, 7);
}
END_TEST

/* ---- Round trips through the assembler ----------------------------- */

/* Many random canonical words, each at its own pc: 4096 words fill the
 * 16 KiB image, so every pc from 0 to 0x3FFC is used. */
#define RANDOM_WORDS 100000u
#define BATCH (VISA_GUEST_MEM / 4)
START_TEST(test_random_words_roundtrip)
{
    static uint32_t words[BATCH];
    size_t cap = (size_t)BATCH * 64, len;
    char *src = malloc(cap);
    ck_assert_ptr_nonnull(src);
    rng_state = 0x5eed1234u;
    for (unsigned done = 0; done < RANDOM_WORDS; done += BATCH) {
        len = 0;
        for (unsigned i = 0; i < BATCH; i++) {
            words[i] = random_canonical();
            len += (size_t)snprintf(src + len, cap - len, "        %s\n",
                                    disas(words[i], 4 * i, NULL));
            ck_assert_uint_lt(len, cap);
        }
        struct visa_asm_result *res = assemble(src);
        ck_assert_uint_eq(res->size, VISA_GUEST_MEM);
        for (unsigned i = 0; i < BATCH; i++)
            ck_assert_msg(visa_load_be32(res->image + 4 * i) == words[i],
                          "`%s` at 0x%x assembled to %08x, want %08x",
                          disas(words[i], 4 * i, NULL), 4 * i,
                          visa_load_be32(res->image + 4 * i), words[i]);
        release(res);
    }
    free(src);
}
END_TEST

/* ---- Whole images --------------------------------------------------- */

START_TEST(test_image_text)
{
    /* A loop with a symbol, a branch to a made-up label, data, a symbol
     * inside a word, one at the end, and a three-byte tail. */
    static const uint8_t image[] = {
        0x0d, 0x01, 0x00, 0x03,     /* 0x00 start: movi r1, 3 */
        0x0f, 0x01, 0x01, 0x01,     /* 0x04 loop: subi r1, r1, 1 */
        0x0a, 0xfe, 0x01, 0x00,     /* 0x08 jne loop, r1, r0 */
        0x09, 0x01, 0x00, 0x00,     /* 0x0c jeq L_0014, r0, r0 */
        0xde, 0xad, 0xbe, 0xef,     /* 0x10 data */
        0x08, 0x00, 0x00, 0x07,     /* 0x14 jmp end */
        0x08, 0x00, 0x10, 0x00,     /* 0x18 jmp 0x4000 (outside) */
        0xff, 0x00, 0x00, 0x00,     /* 0x1c halt */
        0x68, 0x69, 0x00,           /* 0x20 tail */
    };
    static const struct symdef defs[] = {
        {"start", 0x0},
        {"loop", 0x4},
        {"mid", 0x6},
        {"end", 0x1c},
        {"msg", 0x20},
        {"after", 0x23},
        {"far", 0x9000},
    };
    struct visa_symtab st;
    make_symtab(&st, SYMS(defs));
    check_image(image, sizeof image, &st,
        "        .equ mid, 0x6\n"
        "        .equ far, 0x9000\n"
        "start:\n"
        "        movi r1, 3              ; 0x00000000  0d 01 00 03\n"
        "loop:\n"
        "        subi r1, r1, 1          ; 0x00000004  0f 01 01 01\n"
        "        jne loop, r1, r0        ; 0x00000008  0a fe 01 00\n"
        "        jeq L_0014, r0, r0      ; 0x0000000c  09 01 00 00\n"
        "        .word 0xdeadbeef        ; 0x00000010  de ad be ef\n"
        "L_0014:\n"
        "        jmp end                 ; 0x00000014  08 00 00 07\n"
        "        jmp 0x4000              ; 0x00000018  08 00 10 00\n"
        "end:\n"
        "        halt                    ; 0x0000001c  ff 00 00 00\n"
        "msg:\n"
        "        .byte 0x68, 0x69, 0x00  ; 0x00000020  68 69 00\n"
        "after:\n");
    visa_symtab_free(&st);
}
END_TEST

START_TEST(test_image_awkward_symbols)
{
    /* Names the assembler would refuse or misread are dropped, a second
     * definition of a name is dropped, and a made-up label steps aside
     * from a symbol that already has its name. */
    static const uint8_t image[] = {
        0x08, 0x00, 0x00, 0x02,     /* 0x00 jmp 0x8 */
        0x08, 0x00, 0x00, 0x03,     /* 0x04 jmp 0xc */
        0x1e, 0x00, 0x00, 0x00,     /* 0x08 nop */
        0x1e, 0x00, 0x00, 0x00,     /* 0x0c nop */
    };
    static const struct symdef defs[] = {
        {"L_0008", 0x4},
        {"r5", 0xc},
        {"SP", 0xc},
        {"9lives", 0xc},
        {"twice", 0x0},
        {"twice", 0x8},
        {"r05", 0xc},
        /* Not registers, so usable: a mnemonic, r32, a `$`. */
        {"nop", 0x4},
        {"r32", 0x10},
        {"a$b", 0x10},
    };
    struct visa_symtab st;
    make_symtab(&st, SYMS(defs));
    check_image(image, sizeof image, &st,
        "twice:\n"
        "        jmp L_0008_1            ; 0x00000000  08 00 00 02\n"
        "L_0008:\n"
        "nop:\n"
        "        jmp L_000C              ; 0x00000004  08 00 00 03\n"
        "L_0008_1:\n"
        "        nop                     ; 0x00000008  1e 00 00 00\n"
        "L_000C:\n"
        "        nop                     ; 0x0000000c  1e 00 00 00\n"
        "a$b:\n"
        "r32:\n");
    visa_symtab_free(&st);
}
END_TEST

START_TEST(test_image_empty)
{
    check_image((const uint8_t *)"", 0, NULL, "");
}
END_TEST

/* A random word for an image of NWORDS words: often an instruction whose
 * target lies inside the image, sometimes any instruction or any bits. */
static uint32_t random_image_word(unsigned nwords, unsigned i)
{
    uint32_t w = random_canonical();
    switch (rnd() % 8) {
    case 0:
        return rnd();
    case 1: case 2:
        return visa_enc_j(rnd() & 1 ? VISA_OP_JMP : VISA_OP_CALL, rnd() % (nwords + 1));
    case 3: case 4: {
        int off = (int)(rnd() % (nwords + 1)) - (int)i - 1;
        if (off < -128 || off > 127)
            off = (int)(rnd() % 256) - 128;
        return visa_enc_b(VISA_OP_JEQ + rnd() % 2, off, rnd() % 32, rnd() % 32);
    }
    default:
        return w;
    }
}

START_TEST(test_random_images_roundtrip)
{
    rng_state = 0xfeedc0deu + (uint32_t)_i;
    size_t size = rnd() % 2 ? rnd() % 64 : rnd() % (VISA_GUEST_MEM + 1);
    unsigned nwords = (unsigned)(size / 4);
    uint8_t *image = malloc(size + 4);
    ck_assert_ptr_nonnull(image);
    for (unsigned i = 0; i < nwords; i++)
        visa_store_be32(image + 4 * i, random_image_word(nwords, i));
    for (size_t j = 4 * (size_t)nwords; j < size; j++)
        image[j] = (uint8_t)rnd();

    /* Symbols at instructions, at the end, inside words and beyond. */
    struct visa_symtab st;
    visa_symtab_init(&st);
    unsigned nsyms = rnd() % 24;
    for (unsigned k = 0; k < nsyms; k++) {
        char name[16];
        uint32_t addr;
        switch (rnd() % 4) {
        case 0: addr = (uint32_t)size; break;
        case 1: addr = rnd() % 0x10000u; break;
        default: addr = 4 * (rnd() % (nwords + 1)); break;
        }
        snprintf(name, sizeof name, "s%u_%x", k, addr);
        ck_assert_int_eq(visa_symtab_add(&st, name, addr), 0);
    }

    char *text = image_text(image, size, &st);
    struct visa_asm_result *res = assemble(text);
    ck_assert_uint_eq(res->size, size);
    ck_assert_msg(memcmp(res->image, image, size) == 0, "image %d differs", _i);
    /* Every symbol that can be a label comes back as one, unmoved. */
    for (size_t k = 0; k < st.n; k++) {
        const struct visa_sym *s = &st.v[k];
        bool label = s->addr == size || (s->addr < size && s->addr % 4 == 0);
        const struct visa_sym *back = visa_symtab_find(&res->syms, s->name);
        if (label) {
            ck_assert_msg(back != NULL, "label %s lost", s->name);
            ck_assert_uint_eq(back->addr, s->addr);
        } else {
            ck_assert_msg(strstr(text, s->name) != NULL, ".equ %s lost", s->name);
        }
    }
    release(res);
    free(text);
    free(image);
    visa_symtab_free(&st);
}
END_TEST

static Suite *disas_suite(void)
{
    Suite *s = suite_create("disas");
    TCase *tc = tcase_create("insn");
    tcase_add_test(tc, test_table_covers_every_opcode);
    tcase_add_loop_test(tc, test_opcode_text, 0, (int)NOPTABLE);
    tcase_add_test(tc, test_not_canonical_is_word);
    tcase_add_test(tc, test_operand_forms);
    tcase_add_test(tc, test_snprintf_contract);
    tcase_add_test(tc, test_symbol_targets);
    tcase_add_test(tc, test_insn_target);
    suite_add_tcase(s, tc);

    tc = tcase_create("image");
    tcase_add_test(tc, test_image_text);
    tcase_add_test(tc, test_image_awkward_symbols);
    tcase_add_test(tc, test_image_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("roundtrip");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_opcode_roundtrip, 0, (int)NOPTABLE);
    tcase_add_test(tc, test_random_words_roundtrip);
    tcase_add_loop_test(tc, test_random_images_roundtrip, 0, 200);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(disas_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
