/* isa.h - the vISA instruction set, declared once.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every opcode, exit cause, hypercall, I/O port and guest state is one row of
 * an X-macro list below.  The enums, the name tables, the decoder tables, the
 * assembler's mnemonic table, the disassembler, `help` and the documentation
 * checks are all expanded from these lists; nothing else may repeat them.
 *
 * Instruction word (big-endian in memory):
 *
 *   31      24 23      16 15       8 7        0
 *  +----------+----------+----------+----------+
 *  |    op    |    A     |    B     |    C     |
 *  +----------+----------+----------+----------+
 *
 *  format  A        B        C         used by
 *  R       rd       rs1      rs2       add sub ... slt sltu mod
 *  I       rd       rs1      imm8      addi ... sari
 *  M       rd       imm16 (B:C)        movi movhi
 *  L       rd       rs1      off8      ldb ldw     (address = rs1 + off8)
 *  S       off8     rs1      rs2       stb stw     (address = rs1 + off8)
 *  B       off8     rs1      rs2       jeq ... jgeu (target = pc+4+4*off8)
 *  J       t24 (A:B:C)                 jmp call    (target = 4*t24)
 *  MOV     rd       rs1      0         mov
 *  JR      0        rs1      0         jr callr
 *  RA      r        0        0         push pop ldpgtr vm* ldhptr
 *  IO      r        port     0         in out
 *  N       0        0        0         ret nop halt tlbflushv hypercall syscall
 */
#ifndef VISA_ISA_H
#define VISA_ISA_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* ---- Machine constants (machine.md section 1) ------------------------ */
#define VISA_NREGS          32
#define VISA_REG_SP         31
#define VISA_PAGE_SIZE      4096u
#define VISA_PAGE_SHIFT     12
#define VISA_GUEST_MEM      0x4000u        /* 16 KiB of guest-physical memory */
#define VISA_GUEST_FRAMES   4u
#define VISA_VA_LIMIT       0x400000u      /* 4 MiB guest-virtual space */
#define VISA_VA_PAGES       1024u
#define VISA_MAX_GUESTS     16
#define VISA_DEFAULT_SLICE  2u
#define VISA_DEFAULT_HOST_MEM 0x10000u     /* 64 KiB */
#define VISA_TLB_SIZE       64u

/* ---- Formats -------------------------------------------------------- */
/* X(name, register-field mask, zero-field mask, operand syntax)
 * Field masks: bit 0 = byte A, bit 1 = byte B, bit 2 = byte C.  A register
 * field >= 32 is illegal; a zero field that is not zero makes the
 * disassembler print the word as `.word` (execution ignores it). */
#define VISA_FORMATS(X)                                           \
    X(R,   07, 00, "rd, rs1, rs2")                                \
    X(I,   03, 00, "rd, rs1, imm8")                               \
    X(M,   01, 00, "rd, imm16")                                   \
    X(L,   03, 00, "rd, off8(rs1)")                               \
    X(S,   06, 00, "rs2, off8(rs1)")                              \
    X(B,   06, 00, "label, rs1, rs2")                             \
    X(J,   00, 00, "label")                                       \
    X(MOV, 03, 04, "rd, rs1")                                     \
    X(JR,  02, 05, "rs1")                                         \
    X(RA,  01, 06, "reg")                                         \
    X(IO,  01, 04, "reg, port")                                   \
    X(N,   00, 07, "")

enum visa_fmt {
#define VISA_X_FMT(name, regs, zeros, syntax) VISA_FMT_##name,
    VISA_FORMATS(VISA_X_FMT)
#undef VISA_X_FMT
    VISA_FMT_COUNT
};

/* ---- Opcodes (machine.md section 3) --------------------------------- */
/* X(NAME, opcode, mnemonic, format, one-line meaning) */
#define VISA_OPCODES(X)                                                         \
    X(ADD,       0x01, "add",       R,   "rd = rs1 + rs2 (wrapping)")            \
    X(SUB,       0x02, "sub",       R,   "rd = rs1 - rs2 (wrapping)")            \
    X(MUL,       0x03, "mul",       R,   "rd = low 32 bits of rs1 * rs2")        \
    X(DIV,       0x04, "div",       R,   "rd = rs1 / rs2 unsigned; /0 gives 0xFFFFFFFF") \
    X(MOV,       0x05, "mov",       MOV, "rd = rs1")                             \
    X(LDB,       0x06, "ldb",       L,   "rd = zero-extended byte at rs1 + off8") \
    X(STB,       0x07, "stb",       S,   "byte at rs1 + off8 = rs2 & 0xFF")      \
    X(JMP,       0x08, "jmp",       J,   "pc = 4 * t24")                          \
    X(JEQ,       0x09, "jeq",       B,   "branch if rs1 == rs2")                  \
    X(JNE,       0x0A, "jne",       B,   "branch if rs1 != rs2")                  \
    X(CALL,      0x0B, "call",      J,   "sp -= 4; word[sp] = pc + 4; pc = 4 * t24") \
    X(RET,       0x0C, "ret",       N,   "pc = word[sp]; sp += 4")                \
    X(MOVI,      0x0D, "movi",      M,   "rd = imm16 (zero-extended)")            \
    X(ADDI,      0x0E, "addi",      I,   "rd = rs1 + imm8")                       \
    X(SUBI,      0x0F, "subi",      I,   "rd = rs1 - imm8")                       \
    X(MULI,      0x10, "muli",      I,   "rd = rs1 * imm8")                       \
    X(DIVI,      0x11, "divi",      I,   "rd = rs1 / imm8 unsigned; /0 gives 0xFFFFFFFF") \
    X(LDW,       0x12, "ldw",       L,   "rd = big-endian word at rs1 + off8")    \
    X(STW,       0x13, "stw",       S,   "big-endian word at rs1 + off8 = rs2")   \
    X(AND,       0x14, "and",       R,   "rd = rs1 & rs2")                        \
    X(OR,        0x15, "or",        R,   "rd = rs1 | rs2")                        \
    X(XOR,       0x16, "xor",       R,   "rd = rs1 ^ rs2")                        \
    X(SHL,       0x17, "shl",       R,   "rd = rs1 << (rs2 & 31)")                \
    X(SHR,       0x18, "shr",       R,   "rd = rs1 >> (rs2 & 31), logical")       \
    X(SAR,       0x19, "sar",       R,   "rd = rs1 >> (rs2 & 31), arithmetic")    \
    X(SLT,       0x1A, "slt",       R,   "rd = 1 if rs1 < rs2 signed, else 0")    \
    X(SLTU,      0x1B, "sltu",      R,   "rd = 1 if rs1 < rs2 unsigned, else 0")  \
    X(MOD,       0x1C, "mod",       R,   "rd = rs1 % rs2 unsigned; %0 gives rs1") \
    X(MOVHI,     0x1D, "movhi",     M,   "rd = (imm16 << 16) | (rd & 0xFFFF)")    \
    X(NOP,       0x1E, "nop",       N,   "nothing")                               \
    X(JR,        0x1F, "jr",        JR,  "pc = rs1")                              \
    X(SYSCALL,   0x20, "syscall",   N,   "same as hypercall")                     \
    X(HYPERCALL, 0x21, "hypercall", N,   "VM exit HYPERCALL: number in r0, arguments r1-r3") \
    X(PUSH,      0x22, "push",      RA,  "sp -= 4; word[sp] = rs")                \
    X(POP,       0x23, "pop",       RA,  "rd = word[sp]; sp += 4")                \
    X(CALLR,     0x24, "callr",     JR,  "sp -= 4; word[sp] = pc + 4; pc = rs1")  \
    X(ANDI,      0x26, "andi",      I,   "rd = rs1 & imm8")                       \
    X(ORI,       0x27, "ori",       I,   "rd = rs1 | imm8")                       \
    X(XORI,      0x28, "xori",      I,   "rd = rs1 ^ imm8")                       \
    X(SHLI,      0x29, "shli",      I,   "rd = rs1 << (imm8 & 31)")               \
    X(SHRI,      0x2A, "shri",      I,   "rd = rs1 >> (imm8 & 31), logical")      \
    X(SARI,      0x2B, "sari",      I,   "rd = rs1 >> (imm8 & 31), arithmetic")   \
    X(JLT,       0x2C, "jlt",       B,   "branch if rs1 < rs2 signed")            \
    X(JGE,       0x2D, "jge",       B,   "branch if rs1 >= rs2 signed")           \
    X(JLTU,      0x2E, "jltu",      B,   "branch if rs1 < rs2 unsigned")          \
    X(JGEU,      0x2F, "jgeu",      B,   "branch if rs1 >= rs2 unsigned")         \
    X(VMENTER,   0x30, "vmenter",   RA,  "host only: PRIVILEGED exit in a guest") \
    X(VMRESUME,  0x31, "vmresume",  RA,  "host only: PRIVILEGED exit in a guest") \
    X(VMCAUSE,   0x32, "vmcause",   RA,  "host only: PRIVILEGED exit in a guest") \
    X(VMTRAPCFG, 0x33, "vmtrapcfg", RA,  "host only: PRIVILEGED exit in a guest") \
    X(LDPGTR,    0x34, "ldpgtr",    RA,  "PTBR = rs (page-table root); CR_WRITE exit when trapped") \
    X(LDHPTR,    0x35, "ldhptr",    RA,  "host only: PRIVILEGED exit in a guest") \
    X(TLBFLUSHV, 0x36, "tlbflushv", N,   "invalidate this guest's whole TLB")     \
    X(IN,        0x40, "in",        IO,  "rd = read of I/O port; IO exit when trapped") \
    X(OUT,       0x41, "out",       IO,  "write rs to I/O port; IO exit when trapped") \
    X(HALT,      0xFF, "halt",      N,   "HALT exit; the guest becomes STOPPED")

enum visa_opcode {
#define VISA_X_OP(name, code, mnem, fmt, meaning) VISA_OP_##name = code,
    VISA_OPCODES(VISA_X_OP)
#undef VISA_X_OP
};

/* One row per opcode value; mnemonic is NULL for an illegal opcode. */
struct visa_opinfo {
    const char *mnemonic;
    const char *meaning;
    uint8_t fmt;            /* enum visa_fmt */
};
extern const struct visa_opinfo visa_optab[256];

struct visa_fmtinfo {
    const char *name;
    const char *syntax;
    uint8_t regs;           /* fields holding registers (bit 0 = A) */
    uint8_t zeros;          /* fields that must be zero in canonical form */
};
extern const struct visa_fmtinfo visa_fmttab[VISA_FMT_COUNT];

/* Number of opcodes in VISA_OPCODES. */
extern const unsigned visa_opcode_count;

/* ---- Field access and encoding ------------------------------------- */
static inline unsigned visa_op(uint32_t w)  { return w >> 24; }
static inline unsigned visa_a(uint32_t w)   { return (w >> 16) & 0xFFu; }
static inline unsigned visa_b(uint32_t w)   { return (w >> 8) & 0xFFu; }
static inline unsigned visa_c(uint32_t w)   { return w & 0xFFu; }
static inline unsigned visa_imm16(uint32_t w) { return w & 0xFFFFu; }
static inline uint32_t visa_t24(uint32_t w) { return w & 0xFFFFFFu; }
/* off8 of an L instruction (byte C) and of an S or B instruction (byte A). */
static inline int32_t visa_sext8(unsigned byte) { return (int32_t)(int8_t)(uint8_t)byte; }

static inline uint32_t visa_enc(unsigned op, unsigned a, unsigned b, unsigned c)
{
    return ((uint32_t)(op & 0xFFu) << 24) | ((uint32_t)(a & 0xFFu) << 16) |
           ((uint32_t)(b & 0xFFu) << 8) | (uint32_t)(c & 0xFFu);
}
static inline uint32_t visa_enc_r(unsigned op, unsigned rd, unsigned rs1, unsigned rs2)
{ return visa_enc(op, rd, rs1, rs2); }
static inline uint32_t visa_enc_i(unsigned op, unsigned rd, unsigned rs1, unsigned imm8)
{ return visa_enc(op, rd, rs1, imm8); }
static inline uint32_t visa_enc_m(unsigned op, unsigned rd, unsigned imm16)
{ return visa_enc(op, rd, imm16 >> 8, imm16); }
static inline uint32_t visa_enc_l(unsigned op, unsigned rd, unsigned rs1, int off8)
{ return visa_enc(op, rd, rs1, (unsigned)off8 & 0xFFu); }
static inline uint32_t visa_enc_s(unsigned op, unsigned rs2, unsigned rs1, int off8)
{ return visa_enc(op, (unsigned)off8 & 0xFFu, rs1, rs2); }
static inline uint32_t visa_enc_b(unsigned op, int off8, unsigned rs1, unsigned rs2)
{ return visa_enc(op, (unsigned)off8 & 0xFFu, rs1, rs2); }
static inline uint32_t visa_enc_j(unsigned op, uint32_t t24)
{ return ((uint32_t)(op & 0xFFu) << 24) | (t24 & 0xFFFFFFu); }

/* Big-endian byte order helpers (no pointer punning). */
static inline uint32_t visa_load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline void visa_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

/* True when every register field of W is below 32 and the opcode is known. */
bool visa_insn_valid(uint32_t w);
/* True when W is valid and its unused fields are zero (the form the
 * disassembler prints as an instruction rather than `.word`). */
bool visa_insn_canonical(uint32_t w);
/* Opcode for a canonical mnemonic (case-insensitive), or -1. */
int visa_opcode_lookup(const char *mnemonic);

/* ---- VM exit causes (machine.md section 5) -------------------------- */
/* X(NAME, value, monitor name, short alias or NULL, description) */
#define VISA_EXITS(X)                                                       \
    X(PRIVILEGED, 1, "privileged", NULL,  "privileged instruction")        \
    X(IO,         2, "io",         NULL,  "I/O instruction")               \
    X(PAGE_FAULT, 3, "page_fault", "pf",  "page fault")                    \
    X(ILLEGAL,    4, "illegal",    NULL,  "illegal instruction")           \
    X(CR_WRITE,   5, "cr_write",   "cr",  "page-table root write")         \
    X(TIMER,      6, "timer",      NULL,  "time slice used up")            \
    X(HYPERCALL,  7, "hypercall",  NULL,  "hypercall")                     \
    X(HALT,       8, "halt",       NULL,  "halt")

enum visa_exit {
    VISA_EXIT_NONE = 0,
#define VISA_X_EXIT(name, val, mname, alias, desc) VISA_EXIT_##name = val,
    VISA_EXITS(VISA_X_EXIT)
#undef VISA_X_EXIT
    VISA_EXIT_COUNT            /* one past the largest value */
};
struct visa_exitinfo { const char *name, *alias, *desc; };
extern const struct visa_exitinfo visa_exittab[VISA_EXIT_COUNT];
/* Cause for a name or alias (case-insensitive), or -1. */
int visa_exit_lookup(const char *name);

/* Page-fault qualification bits. */
#define VISA_PFQ_READ    0x01u
#define VISA_PFQ_WRITE   0x02u
#define VISA_PFQ_FETCH   0x04u
#define VISA_PFQ_PROT    0x08u   /* protection; else not present */
#define VISA_PFQ_STAGE2  0x10u
#define VISA_PFQ_RANGE   0x20u   /* VA beyond 4 MiB (paging on only) */
/* I/O qualification: port | VISA_IOQ_IN for `in`. */
#define VISA_IOQ_IN      0x100u

/* Trap controls (VMCS execution controls). */
#define VISA_TRAP_CR     0x2u
#define VISA_TRAP_IO     0x4u
#define VISA_TRAP_DEFAULT (VISA_TRAP_CR | VISA_TRAP_IO)

/* Page-table entries (stage 1). */
#define VISA_PTE_P       0x01u
#define VISA_PTE_W       0x02u
#define VISA_PTE_X       0x04u
#define VISA_PTE_A       0x20u
#define VISA_PTE_D       0x40u
#define VISA_PTE_FRAME   0xFFFFF000u

/* EPT permissions (stage 2). */
#define VISA_EPT_R       0x1u
#define VISA_EPT_W       0x2u
#define VISA_EPT_X       0x4u
#define VISA_EPT_RWX     0x7u

/* ---- Hypercalls (machine.md section 6) ----------------------------- */
/* X(NAME, number, name, description) */
#define VISA_HYPERCALLS(X)                                                    \
    X(YIELD,    0, "yield",    "end the time slice")                         \
    X(PUTC,     1, "putc",     "print the character in r1")                  \
    X(PUTS,     2, "puts",     "print the NUL-ended string at VA r1 (at most 1024 bytes)") \
    X(PUTNUM,   3, "putnum",   "print r1 as a signed decimal")               \
    X(EXIT,     4, "exit",     "stop the guest with exit code r1")           \
    X(GUEST_ID, 5, "guest_id", "r0 = guest id")                              \
    X(ICOUNT,   6, "icount",   "r0 = instructions this guest has executed")

enum visa_hypercall {
#define VISA_X_HC(name, num, hname, desc) VISA_HC_##name = num,
    VISA_HYPERCALLS(VISA_X_HC)
#undef VISA_X_HC
};

/* ---- I/O ports ------------------------------------------------------- */
/* X(NAME, port, name, description) */
#define VISA_PORTS(X)                                                        \
    X(CONSOLE,  0, "console",  "out: one character; in: next input character or 0xFFFFFFFF") \
    X(DECIMAL,  1, "decimal",  "out: print the value as a signed decimal")   \
    X(GUEST_ID, 2, "guest_id", "in: guest id")                               \
    X(ICOUNT,   3, "icount",   "in: instructions this guest has executed")

enum visa_port {
#define VISA_X_PORT(name, num, pname, desc) VISA_PORT_##name = num,
    VISA_PORTS(VISA_X_PORT)
#undef VISA_X_PORT
};

/* ---- Guest states (machine.md section 5) --------------------------- */
/* X(NAME, description) */
#define VISA_STATES(X)                                                       \
    X(RUNNING, "scheduled")                                                  \
    X(STOPPED, "halted or exited; final until a reset")                      \
    X(BLOCKED, "waiting for the hypervisor or the user")                     \
    X(PAUSED,  "paused by the user")

enum visa_state {
#define VISA_X_STATE(name, desc) VISA_STATE_##name,
    VISA_STATES(VISA_X_STATE)
#undef VISA_X_STATE
    VISA_STATE_COUNT
};
extern const char *const visa_state_names[VISA_STATE_COUNT];
/* State for a name (case-insensitive), or -1. */
int visa_state_lookup(const char *name);

#endif /* VISA_ISA_H */
