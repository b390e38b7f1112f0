/* check_asm.c - the assembler library and the symbol tables: exact bytes
 * per opcode, alias and pseudo-instruction (written out by hand, so that
 * the assembler must agree with the contract, not with itself), li sizing,
 * expressions, directives, every error class with its line and column,
 * hostile input, and the .sym reader and writer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "visa/asm.h"
#include "visa/isa.h"
#include "visa/symtab.h"

/* ---- Fixture: assemble a string and keep every diagnostic ------------ */
struct diag_copy {
    unsigned line, col;
    char severity[16];
    char *msg;
    char *src;
};

static struct diag_copy diags[128];
static size_t ndiags;
static struct visa_asm_result res;
static int nerrors;

static void collect(void *ctx, const struct visa_diag *d)
{
    (void)ctx;
    ck_assert_str_eq(d->file, "t.s");
    if (ndiags < sizeof diags / sizeof diags[0]) {
        struct diag_copy *c = &diags[ndiags++];
        c->line = d->line;
        c->col = d->col;
        snprintf(c->severity, sizeof c->severity, "%s", d->severity);
        c->msg = strdup(d->msg);
        c->src = d->src ? strndup(d->src, d->src_len) : NULL;
    }
}

static void reset(void)
{
    for (size_t i = 0; i < ndiags; i++) {
        free(diags[i].msg);
        free(diags[i].src);
    }
    ndiags = 0;
    visa_asm_result_free(&res);
}

static int assemble_n(const char *src, size_t len)
{
    reset();
    nerrors = visa_asm("t.s", src, len, &res, collect, NULL);
    return nerrors;
}

static int assemble(const char *src)
{
    return assemble_n(src, strlen(src));
}

static void teardown(void)
{
    reset();
}

/* Assemble SRC, which must be correct, and compare the image with BYTES. */
static void expect_bytes(const char *src, const uint8_t *bytes, size_t n)
{
    int e = assemble(src);
    if (e != 0)
        ck_abort_msg("'%s': %d errors, first: %s", src, e, ndiags ? diags[0].msg : "?");
    ck_assert_uint_eq(res.size, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(res.image[i] == bytes[i], "'%s': byte %zu is %02x, expected %02x",
                      src, i, res.image[i], bytes[i]);
}

/* Assemble SRC, which must give exactly one error (plus notes), at LINE:COL
 * with message MSG. */
static void expect_error(const char *src, unsigned line, unsigned col, const char *msg)
{
    int e = assemble(src);
    ck_assert_msg(e == 1, "'%s': %d errors, expected 1 (first: %s)", src, e,
                  ndiags ? diags[0].msg : "none");
    ck_assert_uint_ge(ndiags, 1);
    ck_assert_str_eq(diags[0].severity, "error");
    ck_assert_str_eq(diags[0].msg, msg);
    ck_assert_msg(diags[0].line == line && diags[0].col == col,
                  "'%s': error at %u:%u, expected %u:%u", src, diags[0].line,
                  diags[0].col, line, col);
}

/* ---- Every opcode -------------------------------------------------------- */
static const struct {
    const char *src;
    uint8_t b[4];
} optable[] = {
    {"add r1, r2, r3",       {0x01, 0x01, 0x02, 0x03}},
    {"sub r4, r5, r6",       {0x02, 0x04, 0x05, 0x06}},
    {"mul r7, r8, r9",       {0x03, 0x07, 0x08, 0x09}},
    {"div r10, r11, r12",    {0x04, 0x0a, 0x0b, 0x0c}},
    {"mov r13, r14",         {0x05, 0x0d, 0x0e, 0x00}},
    {"ldb r1, 5(r2)",        {0x06, 0x01, 0x02, 0x05}},
    {"stb r3, -1(r4)",       {0x07, 0xff, 0x04, 0x03}},
    {"jmp 0x40",             {0x08, 0x00, 0x00, 0x10}},
    {"jeq 0x10, r1, r2",     {0x09, 0x03, 0x01, 0x02}},
    {"jne 0, r3, r4",        {0x0a, 0xff, 0x03, 0x04}},
    {"call 0x3fffffc",       {0x0b, 0xff, 0xff, 0xff}},
    {"ret",                  {0x0c, 0x00, 0x00, 0x00}},
    {"movi r1, 0xbeef",      {0x0d, 0x01, 0xbe, 0xef}},
    {"addi r2, r3, 255",     {0x0e, 0x02, 0x03, 0xff}},
    {"subi r2, r3, 1",       {0x0f, 0x02, 0x03, 0x01}},
    {"muli r4, r5, 10",      {0x10, 0x04, 0x05, 0x0a}},
    {"divi r6, r7, 0",       {0x11, 0x06, 0x07, 0x00}},
    {"ldw r8, 127(sp)",      {0x12, 0x08, 0x1f, 0x7f}},
    {"stw r9, -128(r10)",    {0x13, 0x80, 0x0a, 0x09}},
    {"and r1, r2, r3",       {0x14, 0x01, 0x02, 0x03}},
    {"or r4, r5, r6",        {0x15, 0x04, 0x05, 0x06}},
    {"xor r7, r8, r9",       {0x16, 0x07, 0x08, 0x09}},
    {"shl r10, r11, r12",    {0x17, 0x0a, 0x0b, 0x0c}},
    {"shr r13, r14, r15",    {0x18, 0x0d, 0x0e, 0x0f}},
    {"sar r16, r17, r18",    {0x19, 0x10, 0x11, 0x12}},
    {"slt r19, r20, r21",    {0x1a, 0x13, 0x14, 0x15}},
    {"sltu r22, r23, r24",   {0x1b, 0x16, 0x17, 0x18}},
    {"mod r25, r26, r27",    {0x1c, 0x19, 0x1a, 0x1b}},
    {"movhi r5, 0x1234",     {0x1d, 0x05, 0x12, 0x34}},
    {"nop",                  {0x1e, 0x00, 0x00, 0x00}},
    {"jr r7",                {0x1f, 0x00, 0x07, 0x00}},
    {"syscall",              {0x20, 0x00, 0x00, 0x00}},
    {"hypercall",            {0x21, 0x00, 0x00, 0x00}},
    {"push r3",              {0x22, 0x03, 0x00, 0x00}},
    {"pop sp",               {0x23, 0x1f, 0x00, 0x00}},
    {"callr r4",             {0x24, 0x00, 0x04, 0x00}},
    {"andi r1, r2, 0x0f",    {0x26, 0x01, 0x02, 0x0f}},
    {"ori r3, r4, 0x80",     {0x27, 0x03, 0x04, 0x80}},
    {"xori r5, r6, 0xff",    {0x28, 0x05, 0x06, 0xff}},
    {"shli r7, r8, 31",      {0x29, 0x07, 0x08, 0x1f}},
    {"shri r9, r10, 1",      {0x2a, 0x09, 0x0a, 0x01}},
    {"sari r11, r12, 2",     {0x2b, 0x0b, 0x0c, 0x02}},
    {"jlt 4, r1, r2",        {0x2c, 0x00, 0x01, 0x02}},
    {"jge 8, r3, r4",        {0x2d, 0x01, 0x03, 0x04}},
    {"jltu 0x200, r5, r6",   {0x2e, 0x7f, 0x05, 0x06}},
    {"jgeu 0, r7, r8",       {0x2f, 0xff, 0x07, 0x08}},
    {"vmenter r1",           {0x30, 0x01, 0x00, 0x00}},
    {"vmresume r2",          {0x31, 0x02, 0x00, 0x00}},
    {"vmcause r3",           {0x32, 0x03, 0x00, 0x00}},
    {"vmtrapcfg r4",         {0x33, 0x04, 0x00, 0x00}},
    {"ldpgtr r5",            {0x34, 0x05, 0x00, 0x00}},
    {"ldhptr r6",            {0x35, 0x06, 0x00, 0x00}},
    {"tlbflushv",            {0x36, 0x00, 0x00, 0x00}},
    {"in r1, 2",             {0x40, 0x01, 0x02, 0x00}},
    {"out r2, 255",          {0x41, 0x02, 0xff, 0x00}},
    {"halt",                 {0xff, 0x00, 0x00, 0x00}},
};
#define NOPTABLE (sizeof optable / sizeof optable[0])

START_TEST(test_table_covers_every_opcode)
{
    ck_assert_uint_eq(NOPTABLE, visa_opcode_count);
    bool seen[256] = { false };
    for (size_t i = 0; i < NOPTABLE; i++) {
        unsigned op = optable[i].b[0];
        ck_assert_ptr_nonnull(visa_optab[op].mnemonic);
        ck_assert_msg(!seen[op], "opcode 0x%02x twice", op);
        seen[op] = true;
        /* The line starts with the opcode's own mnemonic. */
        size_t n = strlen(visa_optab[op].mnemonic);
        ck_assert(strncmp(optable[i].src, visa_optab[op].mnemonic, n) == 0);
    }
    for (unsigned op = 0; op < 256; op++)
        ck_assert(seen[op] == (visa_optab[op].mnemonic != NULL));
}
END_TEST

START_TEST(test_opcode)
{
    expect_bytes(optable[_i].src, optable[_i].b, 4);
}
END_TEST

START_TEST(test_opcode_upper_case)
{
    /* Mnemonics and registers are case-insensitive. */
    char up[64];
    size_t n = strlen(optable[_i].src);
    for (size_t k = 0; k <= n; k++)
        up[k] = (char)(optable[_i].src[k] >= 'a' && optable[_i].src[k] <= 'z'
                       ? optable[_i].src[k] - 32 : optable[_i].src[k]);
    /* ...but hex digits after 0X stay valid either way. */
    expect_bytes(up, optable[_i].b, 4);
}
END_TEST

/* ---- Aliases and pseudo-instructions ------------------------------------ */
static const struct {
    const char *src;
    uint8_t b[8];
    size_t n;
} aliastable[] = {
    {"load r1, r2",          {0x06, 0x01, 0x02, 0x00}, 4},
    {"store r1, r2",         {0x07, 0x00, 0x01, 0x02}, 4},
    {"beq r1, r2, 8",        {0x09, 0x01, 0x01, 0x02}, 4},
    {"bne r3, r4, 0",        {0x0a, 0xff, 0x03, 0x04}, 4},
    {"blt r5, r6, 4",        {0x2c, 0x00, 0x05, 0x06}, 4},
    {"bge r7, r8, 12",       {0x2d, 0x02, 0x07, 0x08}, 4},
    {"bltu r9, r10, 0x200",  {0x2e, 0x7f, 0x09, 0x0a}, 4},
    {"bgeu r11, sp, 0",      {0x2f, 0xff, 0x0b, 0x1f}, 4},
    {"b 0x20",               {0x08, 0x00, 0x00, 0x08}, 4},
    {"li r1, 5",             {0x0d, 0x01, 0x00, 0x05}, 4},
    {"li r2, 0xffff",        {0x0d, 0x02, 0xff, 0xff}, 4},
    {"li r3, 0x10000",       {0x0d, 0x03, 0x00, 0x00, 0x1d, 0x03, 0x00, 0x01}, 8},
    {"li r4, 0x12345678",    {0x0d, 0x04, 0x56, 0x78, 0x1d, 0x04, 0x12, 0x34}, 8},
    {"li r5, -1",            {0x0d, 0x05, 0xff, 0xff, 0x1d, 0x05, 0xff, 0xff}, 8},
    {"li r6, -2147483648",   {0x0d, 0x06, 0x00, 0x00, 0x1d, 0x06, 0x80, 0x00}, 8},
    {"li r7, 4294967295",    {0x0d, 0x07, 0xff, 0xff, 0x1d, 0x07, 0xff, 0xff}, 8},
    {"la r8, x\nx:",         {0x0d, 0x08, 0x00, 0x04}, 4},
    {"LI sp, #0x10",         {0x0d, 0x1f, 0x00, 0x10}, 4},
};
#define NALIASTABLE (sizeof aliastable / sizeof aliastable[0])

START_TEST(test_alias)
{
    expect_bytes(aliastable[_i].src, aliastable[_i].b, aliastable[_i].n);
}
END_TEST

START_TEST(test_li_forward)
{
    /* Sized once the value is known: small, large, through .equ. */
    static const uint8_t small[] = {0x0d, 0x01, 0x00, 0x04, 0xff, 0, 0, 0};
    expect_bytes("li r1, L\nL: halt", small, sizeof small);
    static const uint8_t large[] = {0x0d, 0x01, 0x00, 0x00, 0x1d, 0x01, 0x00, 0x08,
                                    0xff, 0, 0, 0};
    expect_bytes("li r1, L * 0x10000\nL: halt", large, sizeof large);
    ck_assert_uint_eq(visa_symtab_find(&res.syms, "L")->addr, 8);
    static const uint8_t equ[] = {0x0d, 0x02, 0x56, 0x78, 0x1d, 0x02, 0x12, 0x34};
    expect_bytes("li r2, BIG\n.equ BIG, 0x12345678", equ, sizeof equ);
    /* A growth moves later labels, which other li lines then see. */
    static const uint8_t chain[] = {
        0x0d, 0x01, 0x00, 0x0c,                             /* li r1, X (X = 12) */
        0x0d, 0x02, 0x00, 0x00, 0x1d, 0x02, 0x00, 0x04,     /* li r2, 0x40000 */
        0x00, 0x00, 0x00, 0x10,                             /* X: .word END */
    };
    expect_bytes("li r1, X\nli r2, END * 0x4000\nX: .word END\nEND:", chain, sizeof chain);
}
END_TEST

/* A chain of N .equ names, each defined after its use: N passes. */
static char *equ_chain(int n)
{
    char *s = malloc((size_t)n * 32 + 32), *p = s;
    p += sprintf(p, ".word A0\n");
    for (int i = 0; i < n - 1; i++)
        p += sprintf(p, ".equ A%d, A%d + 1\n", i, i + 1);
    sprintf(p, ".equ A%d, 1\n", n - 1);
    return s;
}

START_TEST(test_forward_chains)
{
    char *s = equ_chain(90);
    ck_assert_int_eq(assemble(s), 0);
    ck_assert_uint_eq(visa_load_be32(res.image), 90);
    free(s);
    /* Too long a chain is an error, not a hang. */
    s = equ_chain(300);
    ck_assert_int_eq(assemble(s), 1);
    ck_assert_str_eq(diags[0].msg,
                     "value of 'A0' not settled after 100 passes (too many forward references)");
    free(s);
}
END_TEST

/* ---- Expressions ------------------------------------------------------------ */
static const struct {
    const char *expr;
    uint32_t value;
} exprtable[] = {
    {"2 + 3 * 4", 14},          {"(2 + 3) * 4", 20},       {"1 << 2 + 1", 8},
    {"7 & 3 | 8", 11},          {"6 ^ 3 & 1", 7},          {"1 | 6 ^ 3", 5},
    {"-7 / 2", 0xfffffffd},     {"-7 % 3", 0xffffffff},    {"~0", 0xffffffff},
    {"- -5", 5},                {"~1 + 2", 0},             {"100 - 10 - 1", 89},
    {"64 / 4 / 2", 8},          {"2 * 3 % 4", 2},          {"0xff >> 4", 15},
    {"-16 >> 2", 0xfffffffc},   {"010", 10},               {"0x1F", 31},
    {"0XaB", 0xab},             {"0b1010", 10},            {"'a'", 97},
    {"'\\n'", 10},              {"'\\t'", 9},              {"'\\0'", 0},
    {"'\\''", 39},              {"'\\\\'", 92},            {"'\\x7f'", 127},
    {"'\\101'", 65},            {"'\"'", 34},              {"';'", 59},
    {"#5", 5},                  {"((((1))))", 1},          {"N * 2 + N", 21},
    {"N << N", 7 << 7},         {"4294967295", 0xffffffff}, {". + 4", 8},
};
#define NEXPRTABLE (sizeof exprtable / sizeof exprtable[0])

START_TEST(test_expr)
{
    char src[128];
    snprintf(src, sizeof src, ".equ N, 7\n.word 0\n.word %s ; the value", exprtable[_i].expr);
    uint8_t b[8] = {0};
    visa_store_be32(b + 4, exprtable[_i].value);
    expect_bytes(src, b, 8);
}
END_TEST

START_TEST(test_expr_errors)
{
    expect_error(".word 1 / 0", 1, 9, "division by zero");
    expect_error(".word 5 % (2 - 2)", 1, 9, "division by zero");
    expect_error(".word (1 + 2", 1, 13, "expected ')'");
    expect_error(".word 1 +", 1, 10, "expected a value");
    expect_error(".word 1 << 64", 1, 9, "shift count 64 out of range (0..63)");
    expect_error(".byte ''", 1, 7, "empty character constant");
    expect_error(".byte 'ab'", 1, 7, "character constant too long");
    expect_error(".byte 'a", 1, 7, "unterminated character constant");
    expect_error(".byte '\\q'", 1, 8, "unknown escape sequence '\\q'");
    expect_error(".byte '\\x100'", 1, 8, "escape sequence out of range");
    expect_error(".word 12ab", 1, 7, "bad number '12ab'");
    expect_error(".word 0x", 1, 7, "bad number '0x'");
    expect_error(".word 99999999999999999999", 1, 7,
                 "number '99999999999999999999' is too large");
    expect_error("movi r1, r2", 1, 10, "expected a value, found register 'r2'");
    expect_error(".word 1 2", 1, 9, "unexpected '2'");
}
END_TEST

/* ---- Directives ---------------------------------------------------------- */
START_TEST(test_directives)
{
    static const uint8_t org[] = {0xff, 0, 0, 0, 0, 0, 0, 0, 0x1e, 0, 0, 0};
    expect_bytes("halt\n.org 8\nnop", org, sizeof org);
    static const uint8_t align[] = {1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
    expect_bytes(".byte 1\n.align 4\n.byte 2\n.align 8\n.align 4\n.align 1\n"
                 ".align 16\n.byte 3", align, sizeof align);
    static const uint8_t bytes[] = {0x80, 0xff, 0x00, 0x7f};
    expect_bytes(".byte -128, 255, 0, 127", bytes, sizeof bytes);
    static const uint8_t words[] = {0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x12, 0x34, 0x56, 0x78};
    expect_bytes(".word -2147483648, 4294967295, 0x12345678", words, sizeof words);
    static const uint8_t str[] = {'a', '\t', '"', '\\', 0x1b, 'b', 0, 'c', 0, 0};
    expect_bytes(".ascii \"a\\t\\\"\\\\\\x1b\"\n.asciz \"b\"\n.string \"c\", \"\"",
                 str, sizeof str);
    static const uint8_t space[] = {0, 0, 0xee, 0xee, 0xee, 0xff};
    expect_bytes(".space 2\n.space 3, 0xee\n.space 0\n.byte -1", space, sizeof space);
    static const uint8_t equ[] = {5, 6, 2, 7};
    expect_bytes(".equ A, 5\n.set B, A + 1\n.byte A, B\nhere: .equ H, .\n.byte 2\n"
                 ".byte FWD\n.equ FWD, 7", equ, sizeof equ);
    /* Directives are case-insensitive; names are not. */
    static const uint8_t cs[] = {1, 2};
    expect_bytes(".EQU x, 1\n.equ X, 2\n.BYTE x, X", cs, sizeof cs);
    /* Exactly 16 KiB fits; trailing .space counts. */
    ck_assert_int_eq(assemble("halt\n.space 16380"), 0);
    ck_assert_uint_eq(res.size, 16384);
    ck_assert_int_eq(assemble(".org 0x3ffc\nhalt"), 0);
    ck_assert_uint_eq(res.size, 16384);
    ck_assert_uint_eq(res.image[0x3ffc], 0xff);
}
END_TEST

START_TEST(test_labels_and_comments)
{
    static const uint8_t b[] = {0x1e, 0, 0, 0, 0x08, 0, 0, 0, 0x0b, 0, 0, 1, 0x0c, 0, 0, 0};
    expect_bytes("start: nop // C++ comment\n"
                 "  ; a comment line\n"
                 "\n"
                 "a: b:\tjmp start ; two labels\n"
                 "Loop:\n"
                 "loop :  call b\r\n"
                 ".L1: ret", b, sizeof b);
    ck_assert_uint_eq(res.syms.n, 6);
    ck_assert_uint_eq(visa_symtab_find(&res.syms, "start")->addr, 0);
    ck_assert_uint_eq(visa_symtab_find(&res.syms, "a")->addr, 4);
    ck_assert_uint_eq(visa_symtab_find(&res.syms, "Loop")->addr, 8);
    ck_assert_uint_eq(visa_symtab_find(&res.syms, "loop")->addr, 8);
    ck_assert_uint_eq(visa_symtab_find(&res.syms, ".L1")->addr, 12);
    /* In address order, then by name. */
    for (size_t i = 1; i < res.syms.n; i++)
        ck_assert(res.syms.v[i - 1].addr < res.syms.v[i].addr ||
                  (res.syms.v[i - 1].addr == res.syms.v[i].addr &&
                   strcmp(res.syms.v[i - 1].name, res.syms.v[i].name) < 0));
    /* .equ names are not labels. */
    ck_assert_int_eq(assemble(".equ K, 4\nL: nop"), 0);
    ck_assert_uint_eq(res.syms.n, 1);
    ck_assert_ptr_null(visa_symtab_find(&res.syms, "K"));
}
END_TEST

START_TEST(test_listing_records)
{
    ck_assert_int_eq(assemble("; comment\nstart:\n  li r1, 0x10000\n\n.equ X, 1\n"
                              ".byte 1, 2\n.org 0x20\nhalt\n"), 0);
    static const struct visa_asm_line want[] = {
        {2, 0, 0}, {3, 0, 8}, {5, 8, 0}, {6, 8, 2}, {7, 0x20, 0}, {8, 0x20, 4},
    };
    ck_assert_uint_eq(res.nlines, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < res.nlines; i++) {
        ck_assert_uint_eq(res.lines[i].line, want[i].line);
        ck_assert_uint_eq(res.lines[i].addr, want[i].addr);
        ck_assert_uint_eq(res.lines[i].size, want[i].size);
    }
    ck_assert_uint_eq(res.size, 0x24);
}
END_TEST

/* ---- The original vISA ------------------------------------------------------ */
START_TEST(test_original_program)
{
    static const char src[] =
        "; count r6 down, calling a function each time\n"
        "        movi r1, 255\n"
        "        movi r6, 3\n"
        "        store r0, r5\n"
        "        load r1, r0\n"
        "        add r2, r0, r1\n"
        "        sub r3, r2, r1\n"
        "        mov r0, r0\n"
        "LOOP:   call INC_FUNC\n"
        "        subi r6, r6, 1\n"
        "        jne LOOP, r6, r0\n"
        "        halt\n"
        "INC_FUNC:\n"
        "        addi r1, r1, 1\n"
        "        ret\n";
    static const uint8_t want[] = {
        0x0d, 0x01, 0x00, 0xff,     /* movi r1, 255: [op][rd][imm16] */
        0x0d, 0x06, 0x00, 0x03,
        0x07, 0x00, 0x00, 0x05,     /* store r0, r5 */
        0x06, 0x01, 0x00, 0x00,     /* load r1, r0 */
        0x01, 0x02, 0x00, 0x01,     /* add r2, r0, r1: [op][rd][rs1][rs2] */
        0x02, 0x03, 0x02, 0x01,
        0x05, 0x00, 0x00, 0x00,     /* mov r0, r0 */
        0x0b, 0x00, 0x00, 0x0b,     /* LOOP (0x1c): call INC_FUNC = 0x2c / 4 */
        0x0f, 0x06, 0x06, 0x01,
        0x0a, 0xfd, 0x06, 0x00,     /* jne LOOP at 0x24: (0x1c - (0x24 + 4)) / 4 = -3 */
        0xff, 0x00, 0x00, 0x00,
        0x0e, 0x01, 0x01, 0x01,     /* INC_FUNC (0x2c) */
        0x0c, 0x00, 0x00, 0x00,
    };
    expect_bytes(src, want, sizeof want);
    ck_assert_uint_eq(res.syms.n, 2);
    ck_assert_str_eq(res.syms.v[0].name, "LOOP");
    ck_assert_uint_eq(res.syms.v[0].addr, 0x1c);
    ck_assert_str_eq(res.syms.v[1].name, "INC_FUNC");
    ck_assert_uint_eq(res.syms.v[1].addr, 0x2c);
    /* Upper-case sources assemble too. */
    ck_assert_int_eq(assemble("MOVI R1, 255\nSTORE R0, R5\nHALT"), 0);
    ck_assert_uint_eq(visa_load_be32(res.image), 0x0d0100ffu);
}
END_TEST

/* ---- Errors ------------------------------------------------------------------- */
static const struct {
    const char *src;
    unsigned line, col;
    const char *msg;
} errtable[] = {
    {"\tmvoi r1, 5", 1, 2, "unknown mnemonic 'mvoi'; did you mean 'movi'?"},
    {"nop\n  frobnicate r1", 2, 3, "unknown mnemonic 'frobnicate'"},
    {"movi r32, 1", 1, 6, "bad register 'r32'"},
    {"add r1, x1, r2", 1, 9, "bad register 'x1'"},
    {"add r1, r2", 1, 11, "missing operand"},
    {"add r1, , r2", 1, 9, "missing operand"},
    {"addi r1 r1, 1", 1, 9, "expected ',', found 'r1'"},
    {"add r1, r2, r3, r4", 1, 15, "too many operands for 'add'"},
    {"ret r1", 1, 5, "'ret' takes no operand"},
    {"hypercall 1", 1, 11, "'hypercall' takes no operand (put the number in r0)"},
    {"addi r1, r1, 300", 1, 14, "value 300 out of range for imm8 (0..255)"},
    {"addi r1, r1, -1", 1, 14, "value -1 out of range for imm8 (0..255)"},
    {"movi r1, 65536", 1, 10, "value 65536 out of range for imm16 (0..65535)"},
    {"movi r1, -1", 1, 10, "value -1 out of range for imm16 (0..65535)"},
    {"ldw r1, 128(r2)", 1, 9, "value 128 out of range for off8 (-128..127)"},
    {"stw r1, -129(r2)", 1, 9, "value -129 out of range for off8 (-128..127)"},
    {"ldw r1, r2", 1, 9, "expected off8(rs1)"},
    {"ldw r1, 4", 1, 10, "expected '(' and a base register"},
    {"ldw r1, 4(r2", 1, 13, "expected ')'"},
    {"out r1, 256", 1, 9, "value 256 out of range for port (0..255)"},
    {"li r1, 0x100000000", 1, 8, "value 4294967296 out of range for imm32 (-2147483648..4294967295)"},
    {"li r1, -2147483649", 1, 8, "value -2147483649 out of range for imm32 (-2147483648..4294967295)"},
    {".byte 256", 1, 7, "value 256 out of range for .byte (-128..255)"},
    {".byte 1, -129", 1, 10, "value -129 out of range for .byte (-128..255)"},
    {".word 0x100000000", 1, 7, "value 4294967296 out of range for .word (-2147483648..4294967295)"},
    {"jeq far, r1, r2\n.space 800\nfar: halt", 1, 5,
     "branch target out of reach (offset 200 words, range -128..127)"},
    {".space 600\nback: nop\n.space 0x200\nbne r1, r2, back", 4, 13,
     "branch target out of reach (offset -130 words, range -128..127)"},
    {"jeq 6, r1, r2", 1, 5, "branch target 0x6 is not a multiple of 4"},
    {"jmp 6", 1, 5, "jump target 0x6 is not a multiple of 4"},
    {"call 0x4000000", 1, 6, "jump target 0x4000000 out of reach (0..0x3fffffc)"},
    {"b -4", 1, 3, "jump target -0x4 out of reach (0..0x3fffffc)"},
    {"jmp FOO", 1, 5, "undefined symbol 'FOO'"},
    {"li r1, foo + 1\nFoo:", 1, 8, "undefined symbol 'foo'"},
    {".foo 3", 1, 1, "unknown directive '.foo'"},
    {".wrod 3", 1, 1, "unknown directive '.wrod'; did you mean '.word'?"},
    {".ascii \"abc", 1, 8, "unterminated string"},
    {".ascii 5", 1, 8, "expected a string, found '5'"},
    {".byte 1\nnop", 2, 1, "instruction at address 0x00000001 is not a multiple of 4"},
    {".space 16388", 1, 1, "image is 16388 bytes, larger than 16384 bytes of guest memory"},
    {"nop\n.org 0x4000\nhalt", 3, 1, "image is 16388 bytes, larger than 16384 bytes of guest memory"},
    {".org 8\n.org 4", 2, 6, "'.org' cannot move backwards (from 0x8 to 0x4)"},
    {".org L\nL:", 1, 6, "'.org' needs a value defined above it"},
    {".space -1", 1, 8, "value -1 out of range for .space (0..4294967295)"},
    {".align 3", 1, 8, "alignment 3 is not a power of two (1..0x40000000)"},
    {".equ 5, 1", 1, 6, "expected a symbol name, found '5'"},
    {".equ X 1", 1, 8, "expected ',', found '1'"},
    {".equ A, 1\nA: nop", 2, 1, "duplicate label 'A'"},
    {".equ A, B\n.equ B, A", 1, 9, "symbol 'B' is defined in terms of itself"},
    {"r1: nop", 1, 1, "'r1' is reserved and cannot name a label"},
    {"movi r1, @", 1, 10, "unexpected character '@'"},
    {"nop\x01", 1, 4, "unexpected character '\\x01'"},
    {"42", 1, 1, "expected a mnemonic or directive, found '42'"},
};
#define NERRTABLE (sizeof errtable / sizeof errtable[0])

START_TEST(test_error)
{
    expect_error(errtable[_i].src, errtable[_i].line, errtable[_i].col, errtable[_i].msg);
}
END_TEST

START_TEST(test_duplicate_label_note)
{
    expect_error("LOOP: nop\n  nop\n  LOOP: nop", 3, 3, "duplicate label 'LOOP'");
    ck_assert_uint_eq(ndiags, 2);
    ck_assert_str_eq(diags[1].severity, "note");
    ck_assert_str_eq(diags[1].msg, "'LOOP' was first defined here");
    ck_assert_uint_eq(diags[1].line, 1);
    ck_assert_uint_eq(diags[1].col, 1);
}
END_TEST

START_TEST(test_every_error_reported)
{
    static const char src[] =
        "start:  movi r1, 70000\n"
        "        nop\n"
        "        bogus\n"
        "        add r1, r2, r99\n"
        "        jmp nowhere\n"
        "        halt\n";
    ck_assert_int_eq(assemble(src), 4);
    ck_assert_uint_eq(ndiags, 4);
    static const unsigned lines[] = {1, 3, 4, 5};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(diags[i].severity, "error");
        ck_assert_uint_eq(diags[i].line, lines[i]);
    }
    ck_assert_uint_eq(res.errors, 4);
}
END_TEST

START_TEST(test_too_many_errors)
{
    char src[4096] = "";
    for (int i = 0; i < VISA_ASM_MAX_ERRORS + 20; i++)
        strcat(src, "bogus\n");
    ck_assert_int_eq(assemble(src), VISA_ASM_MAX_ERRORS + 1);
    ck_assert_uint_eq(ndiags, VISA_ASM_MAX_ERRORS + 1);
    ck_assert_str_eq(diags[VISA_ASM_MAX_ERRORS].msg, "too many errors");
    ck_assert_str_eq(diags[VISA_ASM_MAX_ERRORS - 1].msg, "unknown mnemonic 'bogus'");
}
END_TEST

START_TEST(test_diag_source_line)
{
    /* The diagnostic carries its line's text, without the CR and newline. */
    ck_assert_int_eq(assemble("nop\n\tmovi r1, 70000\r\nhalt\n"), 1);
    ck_assert_uint_eq(diags[0].line, 2);
    ck_assert_uint_eq(diags[0].col, 11);
    ck_assert_str_eq(diags[0].src, "\tmovi r1, 70000");
    /* A NULL callback is allowed. */
    struct visa_asm_result r;
    ck_assert_int_eq(visa_asm("x.s", "bogus", 5, &r, NULL, NULL), 1);
    visa_asm_result_free(&r);
}
END_TEST

/* ---- Hostile input ------------------------------------------------------------ */
START_TEST(test_random_garbage)
{
    /* Fixed seed: the same bytes every run. */
    size_t n = 1 << 16;
    char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    uint32_t x = 12345u + (uint32_t)_i * 7919u;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (char)(x >> 16);
    }
    ck_assert_int_gt(assemble_n(buf, n), 0);
    ck_assert_uint_le(res.errors, VISA_ASM_MAX_ERRORS + 1);
    /* Printable garbage with line structure, too. */
    static const char alphabet[] = "abr0123 ,.:;()'\"\\#+-*/%<>&|^~\nxXsp_";
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
    }
    ck_assert_int_gt(assemble_n(buf, n), 0);
    free(buf);
}
END_TEST

static char *repeat(const char *head, char ch, size_t n, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, head, h);
    memset(s + h, ch, n);
    memcpy(s + h + n, tail, t + 1);
    return s;
}

START_TEST(test_long_lines)
{
    size_t mb = 1u << 20;
    char *s = repeat("", 'a', mb, "\nnop\nhalt\n");
    ck_assert_int_eq(assemble(s), 1);
    ck_assert_uint_eq(diags[0].line, 1);
    ck_assert(strncmp(diags[0].msg, "unknown mnemonic 'aaaa", 22) == 0);
    ck_assert_uint_lt(strlen(diags[0].msg), 100);
    free(s);

    s = repeat("movi r1, ", '(', mb, "1");
    ck_assert_int_eq(assemble(s), 1);
    ck_assert_str_eq(diags[0].msg, "expression nested too deeply");
    free(s);

    s = repeat(".word ", '-', mb, "1");
    ck_assert_int_eq(assemble(s), 1);
    ck_assert_str_eq(diags[0].msg, "expression nested too deeply");
    free(s);

    s = repeat(".ascii \"", 'z', mb, "\"");
    ck_assert_int_eq(assemble(s), 1);
    ck_assert_str_eq(diags[0].msg, "image is 1048576 bytes, larger than 16384 bytes of guest memory");
    free(s);

    s = repeat("; comment ", 'c', mb, "\nhalt");
    ck_assert_int_eq(assemble(s), 0);
    ck_assert_uint_eq(res.size, 4);
    free(s);

    /* A long sum is a loop, not a recursion. */
    s = malloc(2 * mb + 16);
    strcpy(s, ".word 0");
    for (size_t i = 0; i < mb / 2; i++)
        memcpy(s + 7 + 2 * i, "+1", 2);
    s[7 + mb] = '\0';
    ck_assert_int_eq(assemble(s), 0);
    ck_assert_uint_eq(visa_load_be32(res.image), mb / 2);
    free(s);
}
END_TEST

START_TEST(test_nul_bytes_and_empty)
{
    static const char nul[] = "nop\n\0\nhalt";
    ck_assert_int_eq(assemble_n(nul, sizeof nul - 1), 1);
    ck_assert_str_eq(diags[0].msg, "unexpected character '\\x00'");
    ck_assert_uint_eq(diags[0].line, 2);
    static const char instr[] = ".ascii \"a\0b\"";
    static const uint8_t b[] = {'a', 0, 'b'};
    ck_assert_int_eq(assemble_n(instr, sizeof instr - 1), 0);
    ck_assert_int_eq(memcmp(res.image, b, 3), 0);
    ck_assert_int_eq(assemble(""), 0);
    ck_assert_uint_eq(res.size, 0);
    ck_assert_int_eq(assemble_n(NULL, 0), 0);
}
END_TEST

START_TEST(test_many_labels)
{
    /* No fixed limit on labels: 20000 of them (the image is then too big,
     * which is the one error). */
    size_t n = 20000;
    char *s = malloc(n * 24);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(s + o, "L%zu: jmp L%zu\n", i, n - 1 - i);
    ck_assert_int_eq(assemble_n(s, o), 1);
    ck_assert_str_eq(diags[0].msg, "image is 80000 bytes, larger than 16384 bytes of guest memory");
    free(s);
}
END_TEST

START_TEST(test_repeatable)
{
    /* No global state: the same source gives the same result every time. */
    static const char src[] = "x: li r1, y\n.word x, y\ny: halt\n";
    ck_assert_int_eq(assemble(src), 0);
    uint8_t first[64];
    uint32_t size = res.size;
    memcpy(first, res.image, sizeof first);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(assemble("bogus"), 1);
        ck_assert_int_eq(assemble(src), 0);
        ck_assert_uint_eq(res.size, size);
        ck_assert_int_eq(memcmp(res.image, first, sizeof first), 0);
    }
}
END_TEST

/* ---- Symbol tables ---------------------------------------------------------- */
struct warning { char file[32]; unsigned line; char msg[96]; };
static struct warning warnings[16];
static size_t nwarnings;

static void warn(void *ctx, const char *file, unsigned line, const char *msg)
{
    (void)ctx;
    ck_assert_uint_lt(nwarnings, 16);
    struct warning *w = &warnings[nwarnings++];
    snprintf(w->file, sizeof w->file, "%s", file);
    w->line = line;
    snprintf(w->msg, sizeof w->msg, "%s", msg);
}

static const char symtext[] =
    "# symbols\n"
    "0x00000010 loop\n"
    "garbage here\n"
    "\n"
    "0x00000000 start   ; trailing comment\n"
    "0x1x start\n"
    "  0X20 Done\n"
    "0x100000000 big\n"
    "0x8\n"
    "0x8 two words\n"
    "0x0000000c 9bad\n"
    "0x0000000c mid\n";

static void check_symtext(const struct visa_symtab *st, const char *file)
{
    ck_assert_uint_eq(st->n, 4);
    ck_assert_str_eq(st->v[0].name, "start");
    ck_assert_str_eq(st->v[1].name, "mid");
    ck_assert_str_eq(st->v[2].name, "loop");
    ck_assert_str_eq(st->v[3].name, "Done");
    static const unsigned lines[] = {3, 6, 8, 9, 10, 11};
    ck_assert_uint_eq(nwarnings, 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(warnings[i].file, file);
        ck_assert_uint_eq(warnings[i].line, lines[i]);
    }
    ck_assert_str_eq(warnings[0].msg, "expected '0xADDRESS NAME'");
    ck_assert_str_eq(warnings[2].msg, "address out of range");
    ck_assert_str_eq(warnings[3].msg, "expected '0xADDRESS NAME'");
    ck_assert_str_eq(warnings[4].msg, "unexpected text after the symbol name");
    ck_assert_str_eq(warnings[5].msg, "expected a symbol name after the address");
}

START_TEST(test_symtab_parse)
{
    struct visa_symtab st;
    visa_symtab_init(&st);
    nwarnings = 0;
    visa_symtab_parse(&st, symtext, strlen(symtext), "t.sym", warn, NULL);
    check_symtext(&st, "t.sym");
    visa_symtab_free(&st);
    ck_assert_uint_eq(st.n, 0);
}
END_TEST

START_TEST(test_symtab_read_write)
{
    char path[] = "/tmp/check_asm_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, symtext, strlen(symtext)), (int)strlen(symtext));
    close(fd);
    struct visa_symtab st;
    visa_symtab_init(&st);
    nwarnings = 0;
    ck_assert_int_eq(visa_symtab_read(&st, path, warn, NULL), 0);
    unlink(path);
    check_symtext(&st, path);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(visa_symtab_write(&st, f), 0);
    fclose(f);
    ck_assert_str_eq(buf, "0x00000000 start\n0x0000000c mid\n0x00000010 loop\n0x00000020 Done\n");
    free(buf);
    visa_symtab_free(&st);

    errno = 0;
    ck_assert_int_eq(visa_symtab_read(&st, "/nonexistent/x.sym", warn, NULL), -1);
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_symtab_lookup)
{
    struct visa_symtab st;
    visa_symtab_init(&st);
    /* Added out of order: kept sorted by address, then name. */
    ck_assert_int_eq(visa_symtab_add(&st, "c", 0x20), 0);
    ck_assert_int_eq(visa_symtab_add(&st, "b", 0x10), 0);
    ck_assert_int_eq(visa_symtab_add(&st, "a", 0x10), 0);
    ck_assert_int_eq(visa_symtab_add(&st, "z", 0x0), 0);
    ck_assert_int_eq(visa_symtab_add(&st, "d", 0x30), 0);
    static const char *order[] = {"z", "a", "b", "c", "d"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(st.v[i].name, order[i]);
    ck_assert_str_eq(visa_symtab_find(&st, "c")->name, "c");
    ck_assert_ptr_null(visa_symtab_find(&st, "C"));
    ck_assert_str_eq(visa_symtab_lookup(&st, 0x1c)->name, "a");
    ck_assert_str_eq(visa_symtab_lookup(&st, 0x10)->name, "a");
    ck_assert_str_eq(visa_symtab_lookup(&st, 0x0f)->name, "z");
    ck_assert_str_eq(visa_symtab_lookup(&st, 0xffffffffu)->name, "d");
    ck_assert_str_eq(visa_symtab_at(&st, 0x10)->name, "a");
    ck_assert_ptr_null(visa_symtab_at(&st, 0x14));
    visa_symtab_free(&st);
    ck_assert_int_eq(visa_symtab_add(&st, "x", 8), 0);
    ck_assert_ptr_null(visa_symtab_lookup(&st, 4));
    visa_symtab_free(&st);
}
END_TEST

/* A test case in S whose tests each end by freeing the last result. */
static TCase *add_tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, NULL, teardown);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *asm_suite(void)
{
    Suite *s = suite_create("asm");
    TCase *tc = add_tcase(s, "encoding");
    tcase_add_test(tc, test_table_covers_every_opcode);
    tcase_add_loop_test(tc, test_opcode, 0, NOPTABLE);
    tcase_add_loop_test(tc, test_opcode_upper_case, 0, NOPTABLE);
    tcase_add_loop_test(tc, test_alias, 0, NALIASTABLE);
    tcase_add_test(tc, test_li_forward);
    tcase_add_test(tc, test_forward_chains);
    tcase_add_test(tc, test_original_program);

    tc = add_tcase(s, "language");
    tcase_add_loop_test(tc, test_expr, 0, NEXPRTABLE);
    tcase_add_test(tc, test_expr_errors);
    tcase_add_test(tc, test_directives);
    tcase_add_test(tc, test_labels_and_comments);
    tcase_add_test(tc, test_listing_records);

    tc = add_tcase(s, "errors");
    tcase_add_loop_test(tc, test_error, 0, NERRTABLE);
    tcase_add_test(tc, test_duplicate_label_note);
    tcase_add_test(tc, test_every_error_reported);
    tcase_add_test(tc, test_too_many_errors);
    tcase_add_test(tc, test_diag_source_line);

    tc = add_tcase(s, "hostile");
    tcase_add_loop_test(tc, test_random_garbage, 0, 4);
    tcase_add_test(tc, test_long_lines);
    tcase_add_test(tc, test_nul_bytes_and_empty);
    tcase_add_test(tc, test_many_labels);
    tcase_add_test(tc, test_repeatable);

    tc = add_tcase(s, "symtab");
    tcase_add_test(tc, test_symtab_parse);
    tcase_add_test(tc, test_symtab_read_write);
    tcase_add_test(tc, test_symtab_lookup);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(asm_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
