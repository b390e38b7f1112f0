/* disas.c - the vISA disassembler (machine.md section 9).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * visa_disas_insn runs in the monitor's trace path for every instruction,
 * so it allocates nothing and finds the mnemonic by indexing visa_optab.
 * visa_disas_image writes text that visa_asm turns back into the same
 * bytes; the conventions are documented in visa-isa(7), "Disassembly".
 */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "visa/disas.h"
#include "visa/isa.h"

/* Immediates of `movi`/`movhi` below this print in decimal, others in hex:
 * small numbers read as counts and characters, large ones as bit patterns. */
#define DISAS_DEC_LIMIT 256u

/* Column (after the 8-space indent) where the address comment starts. */
#define DISAS_COMMENT_COL 24

/* An snprintf that appends, counting what the full text needs even when
 * BUF is too small, so the caller gets snprintf's return value. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    size_t room = o->len < o->size ? o->size - o->len : 0;
    va_start(ap, fmt);
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* r31 is printed as `sp` everywhere: it is the stack pointer that call,
 * ret, push and pop use, and the assembler reads `sp` as r31. */
static void put_reg(struct out *o, const char *sep, unsigned r)
{
    if (r == VISA_REG_SP)
        put(o, "%ssp", sep);
    else
        put(o, "%sr%u", sep, r);
}

/* Target of a canonical B or J word, modulo 2^32 as the machine computes
 * it; false for every other word. */
static bool target_of(uint32_t w, uint32_t pc, uint32_t *target)
{
    switch (visa_optab[visa_op(w)].fmt) {
    case VISA_FMT_B:
        *target = pc + 4u + 4u * (uint32_t)visa_sext8(visa_a(w));
        return true;
    case VISA_FMT_J:
        *target = 4u * visa_t24(w);
        return true;
    default:
        return false;
    }
}

int visa_insn_target(uint32_t word, uint32_t pc, uint32_t *target)
{
    return visa_insn_canonical(word) && target_of(word, pc, target);
}

/* A numeric branch target.  A backward branch near address 0 reaches
 * below it; printing that as a negative number keeps the text
 * re-assemblable (the offset is what the assembler recomputes). */
static void put_target_num(struct out *o, uint32_t w, uint32_t pc, uint32_t target)
{
    if (visa_optab[visa_op(w)].fmt == VISA_FMT_B &&
        (int64_t)pc + 4 + 4 * (int64_t)visa_sext8(visa_a(w)) < 0)
        put(o, " -0x%x", 0u - target);
    else
        put(o, " 0x%x", target);
}

/* Format W at PC; LABEL names its jump or branch target (NULL: numeric).
 * The caller has checked that W is canonical. */
static void format_insn(struct out *o, uint32_t w, uint32_t pc, const char *label)
{
    const struct visa_opinfo *oi = &visa_optab[visa_op(w)];
    unsigned a = visa_a(w), b = visa_b(w), c = visa_c(w);
    uint32_t target = 0;

    put(o, "%s", oi->mnemonic);
    switch ((enum visa_fmt)oi->fmt) {
    case VISA_FMT_R:
        put_reg(o, " ", a);
        put_reg(o, ", ", b);
        put_reg(o, ", ", c);
        break;
    case VISA_FMT_I:
        put_reg(o, " ", a);
        put_reg(o, ", ", b);
        put(o, ", %u", c);
        break;
    case VISA_FMT_M:
        put_reg(o, " ", a);
        put(o, visa_imm16(w) < DISAS_DEC_LIMIT ? ", %u" : ", 0x%x", visa_imm16(w));
        break;
    case VISA_FMT_L:
        put_reg(o, " ", a);
        put(o, ", %d", (int)visa_sext8(c));
        put_reg(o, "(", b);
        put(o, ")");
        break;
    case VISA_FMT_S:
        put_reg(o, " ", c);
        put(o, ", %d", (int)visa_sext8(a));
        put_reg(o, "(", b);
        put(o, ")");
        break;
    case VISA_FMT_B:
    case VISA_FMT_J:
        target_of(w, pc, &target);
        if (label)
            put(o, " %s", label);
        else
            put_target_num(o, w, pc, target);
        if (oi->fmt == VISA_FMT_B) {
            put_reg(o, ", ", b);
            put_reg(o, ", ", c);
        }
        break;
    case VISA_FMT_MOV:
        put_reg(o, " ", a);
        put_reg(o, ", ", b);
        break;
    case VISA_FMT_JR:
        put_reg(o, " ", b);
        break;
    case VISA_FMT_RA:
        put_reg(o, " ", a);
        break;
    case VISA_FMT_IO:
        put_reg(o, " ", a);
        put(o, ", %u", b);
        break;
    case VISA_FMT_N:
    case VISA_FMT_COUNT:
        break;
    }
}

int visa_disas_insn(uint32_t word, uint32_t pc, const struct visa_symtab *syms,
                    char *buf, size_t size)
{
    struct out o = { buf, size, 0 };
    if (size)
        buf[0] = '\0';
    if (!visa_insn_canonical(word)) {
        put(&o, ".word 0x%08x", word);
        return (int)o.len;
    }
    const char *label = NULL;
    uint32_t target;
    if (syms && target_of(word, pc, &target)) {
        const struct visa_sym *s = visa_symtab_at(syms, target);
        if (s)
            label = s->name;
    }
    format_insn(&o, word, pc, label);
    return (int)o.len;
}
