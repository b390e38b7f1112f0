/* exec.c - the interpreter: one instruction at a time, its VM exits and
 * their default handling, I/O ports and hypercalls.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * exec_one() is the reference for what an instruction does.  It checks, in
 * machine.md's order, pc alignment, fetch translation, opcode, register
 * fields and privilege; an instruction that faults changes nothing but the
 * A/D bits of walks that already succeeded and is not counted, so it runs
 * again on resume.  Operands are read first and the destination written
 * last; every word access translates all its pages before touching memory.
 */
#include <config.h>

#include <string.h>

#include "internal.h"

/* ---- Decoding ------------------------------------------------------------- */

/* Per format: which of bytes A, B, C hold registers. */
enum {
#define VISA_X_FMT(name, regs, zeros, syntax) REGS_##name = regs,
    VISA_FORMATS(VISA_X_FMT)
#undef VISA_X_FMT
};

#define LEGAL 0x80u
/* Per opcode: LEGAL | register-field mask; 0 for an illegal opcode. */
static const uint8_t decode[256] = {
#define VISA_X_OP(name, code, mnem, fmt, meaning) [code] = LEGAL | REGS_##fmt,
    VISA_OPCODES(VISA_X_OP)
#undef VISA_X_OP
};

/* ---- Arithmetic without undefined behaviour ------------------------------- */

static inline uint32_t sext8(unsigned byte)
{
    return (uint32_t)visa_sext8(byte);
}

/* ---- VM exits --------------------------------------------------------------- */

/* An exit whose default handling blocks the guest: the instruction did not
 * complete and will run again on resume. */
static unsigned block(struct visa_guest *g, enum visa_exit cause, uint32_t qual,
                      uint32_t insn, uint32_t pc, const struct visa_fault *f)
{
    visa_core_record_exit(g, cause, qual, insn, pc, f);
    g->state = VISA_STATE_BLOCKED;
    return VISA_EV_EXIT;
}

static unsigned page_fault(struct visa_guest *g, const struct visa_fault *f,
                           uint32_t insn, uint32_t pc)
{
    return block(g, VISA_EXIT_PAGE_FAULT, f->qual, insn, pc, f);
}

/* ---- Guest memory, as the guest sees it ------------------------------------- */

static inline bool load8(struct visa_hv *hv, struct visa_guest *g, uint32_t va,
                         uint32_t *v, struct visa_fault *f)
{
    const uint8_t *p = visa_core_translate(hv, g, va, VISA_PFQ_READ, f);
    if (p == NULL)
        return false;
    *v = *p;
    return true;
}

static inline bool store8(struct visa_hv *hv, struct visa_guest *g, uint32_t va,
                          uint32_t v, struct visa_fault *f)
{
    uint8_t *p = visa_core_translate(hv, g, va, VISA_PFQ_WRITE, f);
    if (p == NULL)
        return false;
    *p = (uint8_t)v;
    visa_core_code_write(hv, p, 1);
    return true;
}

/* Host addresses of the four bytes of the word at VA when it spans two
 * pages: both pages are translated (one lookup each) before any access. */
static bool span(struct visa_hv *hv, struct visa_guest *g, uint32_t va,
                 unsigned access, uint8_t *first, uint8_t *p[4],
                 struct visa_fault *f)
{
    unsigned n1 = VISA_PAGE_SIZE - (va & VISA_PAGE_MASK);
    uint8_t *second = visa_core_translate(hv, g, (va | VISA_PAGE_MASK) + 1u,
                                          access, f);
    if (second == NULL)
        return false;
    for (unsigned i = 0; i < 4; i++)
        p[i] = i < n1 ? first + i : second + (i - n1);
    return true;
}

static inline bool load32(struct visa_hv *hv, struct visa_guest *g, uint32_t va,
                          uint32_t *v, struct visa_fault *f)
{
    uint8_t *p = visa_core_translate(hv, g, va, VISA_PFQ_READ, f), *b[4];
    if (p == NULL)
        return false;
    if ((va & VISA_PAGE_MASK) <= VISA_PAGE_SIZE - 4u) {
        *v = visa_load_be32(p);
        return true;
    }
    if (!span(hv, g, va, VISA_PFQ_READ, p, b, f))
        return false;
    *v = (uint32_t)*b[0] << 24 | (uint32_t)*b[1] << 16 |
         (uint32_t)*b[2] << 8 | *b[3];
    return true;
}

static inline bool store32(struct visa_hv *hv, struct visa_guest *g, uint32_t va,
                           uint32_t v, struct visa_fault *f)
{
    uint8_t *p = visa_core_translate(hv, g, va, VISA_PFQ_WRITE, f), *b[4];
    if (p == NULL)
        return false;
    if ((va & VISA_PAGE_MASK) <= VISA_PAGE_SIZE - 4u) {
        visa_store_be32(p, v);
        visa_core_code_write(hv, p, 4);
        return true;
    }
    if (!span(hv, g, va, VISA_PFQ_WRITE, p, b, f))
        return false;
    *b[0] = (uint8_t)(v >> 24);
    *b[1] = (uint8_t)(v >> 16);
    *b[2] = (uint8_t)(v >> 8);
    *b[3] = (uint8_t)v;
    for (unsigned i = 0; i < 4; i++)
        visa_core_code_write(hv, b[i], 1);
    return true;
}

/* ---- Devices and hypercalls (machine.md section 6) -------------------------- */

static void console(struct visa_hv *hv, const struct visa_guest *g,
                    const char *buf, size_t len)
{
    if (hv->cb.console_write && len > 0)
        hv->cb.console_write(hv->cb.ctx, g->id, buf, len);
}

/* Print V as a signed decimal (formatted by hand: the core has no stdio). */
static void put_decimal(struct visa_hv *hv, const struct visa_guest *g,
                        uint32_t v)
{
    char buf[12];
    size_t i = sizeof buf;
    uint32_t m = (v & 0x80000000u) ? 0u - v : v;

    do {
        buf[--i] = (char)('0' + m % 10u);
        m /= 10u;
    } while (m != 0);
    if (v & 0x80000000u)
        buf[--i] = '-';
    console(hv, g, buf + i, sizeof buf - i);
}

static void put_char(struct visa_hv *hv, const struct visa_guest *g, uint32_t v)
{
    char c = (char)(uint8_t)v;
    console(hv, g, &c, 1);
}

static uint32_t port_in(struct visa_hv *hv, struct visa_guest *g, unsigned port)
{
    int c;

    switch (port) {
    case VISA_PORT_CONSOLE:     /* next input byte, or none */
        c = hv->cb.console_read ? hv->cb.console_read(hv->cb.ctx, g->id) : -1;
        return c < 0 ? 0xFFFFFFFFu : (uint32_t)c & 0xFFu;
    case VISA_PORT_GUEST_ID:
        return (uint32_t)g->id;
    case VISA_PORT_ICOUNT:      /* before this instruction */
        return (uint32_t)g->icount;
    default:                    /* port 1 and unknown ports read all ones */
        return 0xFFFFFFFFu;
    }
}

static void port_out(struct visa_hv *hv, struct visa_guest *g, unsigned port,
                     uint32_t v)
{
    switch (port) {
    case VISA_PORT_CONSOLE:
        put_char(hv, g, v);
        break;
    case VISA_PORT_DECIMAL:
        put_decimal(hv, g, v);
        break;
    default:                    /* ports 2, 3 and unknown ports ignore it */
        break;
    }
}

/* puts: read the string as the guest would (one TLB lookup per byte, A
 * bits and fills as for ldb), then print it in one piece.  False when a
 * byte cannot be read: nothing is printed. */
static bool hc_puts(struct visa_hv *hv, struct visa_guest *g, uint32_t va)
{
    char buf[1024];
    size_t n = 0;
    uint32_t c;
    struct visa_fault f;

    while (n < sizeof buf) {
        if (!load8(hv, g, va + (uint32_t)n, &c, &f))
            return false;
        if (c == 0)
            break;
        buf[n++] = (char)c;
    }
    console(hv, g, buf, n);
    return true;
}

/* Service the hypercall in r0; returns VISA_EV_YIELD for a yield. */
static unsigned hypercall(struct visa_hv *hv, struct visa_guest *g)
{
    uint32_t *r = g->r;

    switch (r[0]) {
    case VISA_HC_YIELD:
        return VISA_EV_YIELD;
    case VISA_HC_PUTC:
        put_char(hv, g, r[1]);
        break;
    case VISA_HC_PUTS:
        if (!hc_puts(hv, g, r[1]))
            r[0] = 0xFFFFFFFFu;
        break;
    case VISA_HC_PUTNUM:
        put_decimal(hv, g, r[1]);
        break;
    case VISA_HC_EXIT:
        g->state = VISA_STATE_STOPPED;
        g->exit_code = r[1];
        break;
    case VISA_HC_GUEST_ID:
        r[0] = (uint32_t)g->id;
        break;
    case VISA_HC_ICOUNT:        /* before this instruction */
        r[0] = (uint32_t)g->icount;
        break;
    default:
        r[0] = 0xFFFFFFFFu;
        break;
    }
    return 0;
}

/* ---- One instruction ---------------------------------------------------------- */

static inline bool root_ok(uint32_t v)
{
    return v == 0 || ((v & VISA_PAGE_MASK) == 1u && v < VISA_GUEST_MEM);
}

/* Execute the instruction word W, already fetched from G's pc (the checks
 * after the fetch, then the instruction).  Returns VISA_EV_* bits. */
static inline unsigned exec_word(struct visa_hv *hv, struct visa_guest *g,
                                 uint32_t w)
{
    uint32_t *r = g->r;
    uint32_t pc = g->pc, next = pc + 4u, v, t;
    unsigned op, a, b, c, ev = 0;
    struct visa_fault f;

    op = visa_op(w);
    a = visa_a(w);
    b = visa_b(w);
    c = visa_c(w);
    /* Opcode, then register fields (bit i set when byte i is >= 32). */
    if (!(decode[op] & LEGAL) ||
        (decode[op] & ((a >> 5 != 0) | (b >> 5 != 0) << 1 | (c >> 5 != 0) << 2)))
        return block(g, VISA_EXIT_ILLEGAL, w, w, pc, NULL);

/* A data access that faults ends the instruction with a page fault. */
#define MEM(access) do { if (!(access)) return page_fault(g, &f, w, pc); } while (0)

    switch (op) {
    case VISA_OP_ADD:   r[a] = r[b] + r[c]; break;
    case VISA_OP_SUB:   r[a] = r[b] - r[c]; break;
    case VISA_OP_MUL:   r[a] = r[b] * r[c]; break;
    case VISA_OP_DIV:   /* unsigned; /0 gives all ones */
        r[a] = r[c] ? r[b] / r[c] : 0xFFFFFFFFu;
        break;
    case VISA_OP_MOD:   /* unsigned; %0 gives the dividend */
        r[a] = r[c] ? r[b] % r[c] : r[b];
        break;
    case VISA_OP_AND:   r[a] = r[b] & r[c]; break;
    case VISA_OP_OR:    r[a] = r[b] | r[c]; break;
    case VISA_OP_XOR:   r[a] = r[b] ^ r[c]; break;
    case VISA_OP_SHL:   r[a] = r[b] << (r[c] & 31u); break;
    case VISA_OP_SHR:   r[a] = r[b] >> (r[c] & 31u); break;
    case VISA_OP_SAR:   r[a] = sar32(r[b], r[c]); break;
    case VISA_OP_SLT:   r[a] = lt_signed(r[b], r[c]); break;
    case VISA_OP_SLTU:  r[a] = r[b] < r[c]; break;

    case VISA_OP_ADDI:  r[a] = r[b] + c; break;
    case VISA_OP_SUBI:  r[a] = r[b] - c; break;
    case VISA_OP_MULI:  r[a] = r[b] * c; break;
    case VISA_OP_DIVI:  r[a] = c ? r[b] / c : 0xFFFFFFFFu; break;
    case VISA_OP_ANDI:  r[a] = r[b] & c; break;
    case VISA_OP_ORI:   r[a] = r[b] | c; break;
    case VISA_OP_XORI:  r[a] = r[b] ^ c; break;
    case VISA_OP_SHLI:  r[a] = r[b] << (c & 31u); break;
    case VISA_OP_SHRI:  r[a] = r[b] >> (c & 31u); break;
    case VISA_OP_SARI:  r[a] = sar32(r[b], c); break;

    case VISA_OP_MOV:   r[a] = r[b]; break;
    case VISA_OP_MOVI:  r[a] = visa_imm16(w); break;
    case VISA_OP_MOVHI: /* keeps the low half */
        r[a] = (uint32_t)visa_imm16(w) << 16 | (r[a] & 0xFFFFu);
        break;
    case VISA_OP_NOP:   break;

    case VISA_OP_LDB:   /* rd = zero-extended byte at rs1 + off8 */
        MEM(load8(hv, g, r[b] + sext8(c), &v, &f));
        r[a] = v;
        break;
    case VISA_OP_LDW:
        MEM(load32(hv, g, r[b] + sext8(c), &v, &f));
        r[a] = v;
        break;
    case VISA_OP_STB:   /* byte at rs1 + off8 (byte A) = rs2 */
        MEM(store8(hv, g, r[b] + sext8(a), r[c], &f));
        break;
    case VISA_OP_STW:
        MEM(store32(hv, g, r[b] + sext8(a), r[c], &f));
        break;

    case VISA_OP_JMP:   next = visa_t24(w) << 2; break;
    case VISA_OP_JR:    next = r[b]; break;
    case VISA_OP_JEQ:   if (r[b] == r[c]) next += sext8(a) * 4u; break;
    case VISA_OP_JNE:   if (r[b] != r[c]) next += sext8(a) * 4u; break;
    case VISA_OP_JLT:   if (lt_signed(r[b], r[c])) next += sext8(a) * 4u; break;
    case VISA_OP_JGE:   if (!lt_signed(r[b], r[c])) next += sext8(a) * 4u; break;
    case VISA_OP_JLTU:  if (r[b] < r[c]) next += sext8(a) * 4u; break;
    case VISA_OP_JGEU:  if (r[b] >= r[c]) next += sext8(a) * 4u; break;

    case VISA_OP_CALL:  /* push the return address, jump to 4*t24 */
        v = r[VISA_REG_SP] - 4u;
        MEM(store32(hv, g, v, next, &f));
        r[VISA_REG_SP] = v;
        next = visa_t24(w) << 2;
        break;
    case VISA_OP_CALLR: /* target read first: callr sp jumps to the old sp */
        t = r[b];
        v = r[VISA_REG_SP] - 4u;
        MEM(store32(hv, g, v, next, &f));
        r[VISA_REG_SP] = v;
        next = t;
        break;
    case VISA_OP_RET:
        MEM(load32(hv, g, r[VISA_REG_SP], &v, &f));
        r[VISA_REG_SP] += 4u;
        next = v;
        break;
    case VISA_OP_PUSH:  /* push sp stores the old sp */
        v = r[VISA_REG_SP] - 4u;
        MEM(store32(hv, g, v, r[a], &f));
        r[VISA_REG_SP] = v;
        break;
    case VISA_OP_POP:   /* destination last: pop sp loads sp */
        MEM(load32(hv, g, r[VISA_REG_SP], &v, &f));
        r[VISA_REG_SP] += 4u;
        r[a] = v;
        break;

    case VISA_OP_VMENTER:
    case VISA_OP_VMRESUME:
    case VISA_OP_VMCAUSE:
    case VISA_OP_VMTRAPCFG:
    case VISA_OP_LDHPTR:    /* host only */
        return block(g, VISA_EXIT_PRIVILEGED, op, w, pc, NULL);

    case VISA_OP_LDPGTR:    /* install the page-table root and flush */
        v = r[a];
        if (!root_ok(v) || (g->vmcs.trap_ctl & VISA_TRAP_CR)) {
            if (!root_ok(v))    /* a bad root always exits and blocks */
                return block(g, VISA_EXIT_CR_WRITE, v, w, pc, NULL);
            visa_core_record_exit(g, VISA_EXIT_CR_WRITE, v, w, pc, NULL);
            ev = VISA_EV_EXIT;
        }
        g->vmcs.ptbr = v;
        visa_core_flush_tlb(hv, g);
        break;
    case VISA_OP_TLBFLUSHV:
        visa_core_flush_tlb(hv, g);
        break;

    case VISA_OP_IN:        /* trap and emulate when trapped */
        if (g->vmcs.trap_ctl & VISA_TRAP_IO) {
            visa_core_record_exit(g, VISA_EXIT_IO, b | VISA_IOQ_IN, w, pc, NULL);
            ev = VISA_EV_EXIT;
        }
        r[a] = port_in(hv, g, b);
        break;
    case VISA_OP_OUT:
        if (g->vmcs.trap_ctl & VISA_TRAP_IO) {
            visa_core_record_exit(g, VISA_EXIT_IO, b, w, pc, NULL);
            ev = VISA_EV_EXIT;
        }
        port_out(hv, g, b, r[a]);
        break;

    case VISA_OP_SYSCALL:
    case VISA_OP_HYPERCALL: /* paravirtual services, r0 = number */
        visa_core_record_exit(g, VISA_EXIT_HYPERCALL, r[0], w, pc, NULL);
        ev = VISA_EV_EXIT | hypercall(hv, g);
        break;

    case VISA_OP_HALT:      /* completes; the guest stops for good */
        visa_core_record_exit(g, VISA_EXIT_HALT, 0, w, pc, NULL);
        g->state = VISA_STATE_STOPPED;
        g->exit_code = 0;
        ev = VISA_EV_EXIT;
        break;

    default:                /* unreachable: decode[] rejected it */
        return block(g, VISA_EXIT_ILLEGAL, w, w, pc, NULL);
    }
#undef MEM
    g->pc = next;
    return VISA_EV_DONE | ev;
}

/* Execute the instruction at G's pc: the reference step (no caches).
 * Returns VISA_EV_* bits; *WORDP gets the instruction word (0 when none
 * was fetched). */
static inline unsigned exec_one(struct visa_hv *hv, struct visa_guest *g,
                                uint32_t *wordp)
{
    uint32_t pc = g->pc, w;
    struct visa_fault f;
    const uint8_t *ip;

    *wordp = 0;
    if (pc & 3u)
        return block(g, VISA_EXIT_ILLEGAL, 0, 0, pc, NULL);
    ip = visa_core_translate(hv, g, pc, VISA_PFQ_FETCH, &f);
    if (ip == NULL)
        return page_fault(g, &f, 0, pc);
    w = visa_load_be32(ip);
    *wordp = w;
    return exec_word(hv, g, w);
}

unsigned visa_core_exec_word(struct visa_hv *hv, struct visa_guest *g,
                             uint32_t w)
{
    return exec_word(hv, g, w);
}

unsigned visa_core_exec_one(struct visa_hv *hv, struct visa_guest *g,
                            uint32_t *wordp)
{
    return exec_one(hv, g, wordp);
}

unsigned visa_core_exec(struct visa_hv *hv, struct visa_guest *g, uint64_t n,
                        bool hooks, bool sched, uint64_t run, uint64_t *done,
                        uint32_t *pc, uint32_t *word)
{
    const struct visa_callbacks *cb = &hv->cb;
    uint64_t i = 0;
    uint32_t ipc = g->pc, iword = 0;    /* locals: no aliasing with g */
    unsigned ev = 0;
    bool skip = visa_core_bp_take_skip(hv, g);

    if (!hooks && visa_core_fast_ready(hv))
        return visa_core_fast(hv, g, n, sched, skip, sched ? run : 0, done,
                              pc, word);
    while (i < n) {
        ipc = g->pc;
        if (!skip && visa_core_bp_at(hv, g, ipc)) {
            visa_core_bp_hit(hv, g, ipc);
            ev = VISA_EV_BREAK;
            break;
        }
        skip = false;
        if (hooks && cb->before_insn &&
            cb->before_insn(cb->ctx, hv, g->id, ipc) != 0) {
            ev = VISA_EV_BREAK;
            break;
        }
        ev = exec_one(hv, g, &iword);
        if (ev & VISA_EV_DONE) {
            g->icount++;
            hv->icount++;
            g->slice_used += sched;
            i++;
        }
        if (ev != VISA_EV_DONE)
            break;
        if (hooks && cb->after_insn &&
            cb->after_insn(cb->ctx, hv, g->id, ipc, iword) != 0) {
            ev |= VISA_EV_BREAK;
            break;
        }
    }
    *done = i;
    *pc = ipc;
    *word = iword;
    return ev;
}
