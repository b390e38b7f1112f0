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
#include <strings.h>

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

/* ---- Whole images ---------------------------------------------------- */

/* A symbol as the image disassembler sees it. */
struct ent {
    const char *name;
    uint32_t addr;
    bool keep;              /* emitted: a usable name seen first at this address */
};

/* Where labels can go: slot K < NLINES is the start of line K (address
 * 4K), slot NLINES is the end of the image (address SIZE). */
struct image {
    const uint8_t *bytes;
    size_t size;
    size_t nlines;          /* words, plus one `.byte` line for a tail */
    const char **symname;   /* per slot: first symbol there, or NULL */
    int *madeup;            /* per slot: -1 none, else suffix of L_XXXX[_N] */
    struct ent *byname;     /* every symbol, sorted by name then address */
    struct ent *byaddr;     /* the kept ones, sorted by address then name */
    size_t n, nkept;
};

static int cmp_name(const void *x, const void *y)
{
    const struct ent *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->addr > b->addr) - (a->addr < b->addr);
}

static int cmp_addr(const void *x, const void *y)
{
    const struct ent *a = x, *b = y;
    return a->addr != b->addr ? (a->addr > b->addr) - (a->addr < b->addr)
                              : strcmp(a->name, b->name);
}

static long slot_of(const struct image *im, uint32_t addr)
{
    if (addr == im->size)
        return (long)im->nlines;
    if (addr < im->size && addr % 4 == 0)
        return (long)(addr / 4);
    return -1;
}

static uint32_t slot_addr(const struct image *im, size_t k)
{
    return k == im->nlines ? (uint32_t)im->size : (uint32_t)(4 * k);
}

/* A name the assembler reads back as the same label: an identifier
 * ([A-Za-z_.$][A-Za-z0-9_.$]*) that is not `.` or a register (r0..r31,
 * also written r05, and sp).  Other names (a hand-edited .sym file may
 * hold anything) are left out rather than producing text that fails. */
static bool ident_char(char ch, bool first)
{
    return isalpha((unsigned char)ch) || ch == '_' || ch == '.' || ch == '$' ||
           (!first && isdigit((unsigned char)ch));
}

static bool usable_name(const char *s)
{
    if (!ident_char(s[0], true) || strcmp(s, ".") == 0 || strcasecmp(s, "sp") == 0)
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!ident_char(*p, false))
            return false;
    size_t n = strlen(s);
    if ((s[0] == 'r' || s[0] == 'R') && n >= 2 && n <= 3 && isdigit((unsigned char)s[1]) &&
        (n == 2 || isdigit((unsigned char)s[2])) && atoi(s + 1) < VISA_NREGS)
        return false;
    return true;
}

static void madeup_name(char *buf, size_t size, uint32_t addr, int suffix)
{
    if (suffix)
        snprintf(buf, size, "L_%04X_%d", (unsigned)addr, suffix);
    else
        snprintf(buf, size, "L_%04X", (unsigned)addr);
}

static bool name_taken(const struct image *im, const char *name)
{
    struct ent key = { name, 0, false };
    for (size_t lo = 0, hi = im->n; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(im->byname[mid].name, key.name);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Label text for slot K (a symbol or a made-up name) into BUF. */
static const char *slot_label(const struct image *im, size_t k, char *buf, size_t size)
{
    if (im->symname[k])
        return im->symname[k];
    if (im->madeup[k] < 0)
        return NULL;
    madeup_name(buf, size, slot_addr(im, k), im->madeup[k]);
    return buf;
}

static void image_free(struct image *im)
{
    free(im->symname);
    free(im->madeup);
    free(im->byname);
    free(im->byaddr);
}

/* Choose every label: symbols first, then made-up names for jump and
 * branch targets inside the image that have none. */
static int image_init(struct image *im, const uint8_t *bytes, size_t size,
                      const struct visa_symtab *syms)
{
    memset(im, 0, sizeof *im);
    im->bytes = bytes;
    im->size = size;
    im->nlines = (size + 3) / 4;
    im->n = syms ? syms->n : 0;
    im->symname = calloc(im->nlines + 1, sizeof *im->symname);
    im->madeup = malloc((im->nlines + 1) * sizeof *im->madeup);
    im->byname = calloc(im->n + 1, sizeof *im->byname);
    im->byaddr = calloc(im->n + 1, sizeof *im->byaddr);
    if (!im->symname || !im->madeup || !im->byname || !im->byaddr)
        return -1;

    for (size_t i = 0; i < im->n; i++)
        im->byname[i] = (struct ent){ syms->v[i].name, syms->v[i].addr, false };
    qsort(im->byname, im->n, sizeof *im->byname, cmp_name);
    /* A name defined twice (possible in a .sym file) keeps its lowest
     * address: the assembler refuses duplicate labels. */
    for (size_t i = 0; i < im->n; i++) {
        struct ent *e = &im->byname[i];
        e->keep = usable_name(e->name) &&
                  (i == 0 || strcmp(e->name, im->byname[i - 1].name) != 0);
        if (e->keep)
            im->byaddr[im->nkept++] = *e;
    }
    qsort(im->byaddr, im->nkept, sizeof *im->byaddr, cmp_addr);

    for (size_t k = 0; k <= im->nlines; k++)
        im->madeup[k] = -1;
    for (size_t i = im->nkept; i-- > 0;) {
        long k = slot_of(im, im->byaddr[i].addr);
        if (k >= 0)
            im->symname[k] = im->byaddr[i].name;
    }

    for (size_t k = 0; k < size / 4; k++) {
        uint32_t target;
        if (!visa_insn_target(visa_load_be32(bytes + 4 * k), (uint32_t)(4 * k), &target))
            continue;
        long t = slot_of(im, target);
        if (t < 0 || im->symname[t] || im->madeup[t] >= 0)
            continue;
        char name[32];
        int suffix = 0;
        for (;; suffix++) {
            madeup_name(name, sizeof name, target, suffix);
            if (!name_taken(im, name))
                break;
        }
        im->madeup[t] = suffix;
    }
    return 0;
}

/* Every label at slot K, each on its own line. */
static void emit_labels(FILE *out, const struct image *im, size_t k, size_t *next)
{
    uint32_t addr = slot_addr(im, k);
    while (*next < im->nkept && im->byaddr[*next].addr < addr)
        ++*next;
    for (; *next < im->nkept && im->byaddr[*next].addr == addr; ++*next)
        fprintf(out, "%s:\n", im->byaddr[*next].name);
    if (!im->symname[k] && im->madeup[k] >= 0) {
        char name[32];
        fprintf(out, "%s:\n", slot_label(im, k, name, sizeof name));
    }
}

/* One line of code: TEXT padded to the comment column, then the address
 * and the bytes, so that a reader can match it against a hex dump. */
static void emit_line(FILE *out, const char *text, uint32_t addr,
                      const uint8_t *bytes, size_t n)
{
    fprintf(out, "        %-*s ; 0x%08x ", DISAS_COMMENT_COL - 1, text, (unsigned)addr);
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %02x", bytes[i]);
    fputc('\n', out);
}

/* Text of the word at line K: an instruction whose target is a label
 * when the target is a label position, else as visa_disas_insn. */
static int emit_word(FILE *out, const struct image *im, size_t k)
{
    const uint8_t *p = im->bytes + 4 * k;
    uint32_t w = visa_load_be32(p), pc = (uint32_t)(4 * k), target;
    char name[32], small[128];
    const char *label = NULL;

    if (visa_insn_target(w, pc, &target)) {
        long t = slot_of(im, target);
        if (t >= 0)
            label = slot_label(im, (size_t)t, name, sizeof name);
    }
    struct out o = { small, sizeof small, 0 };
    if (visa_insn_canonical(w))
        format_insn(&o, w, pc, label);
    else
        put(&o, ".word 0x%08x", w);
    char *text = small;
    if (o.len >= sizeof small) {
        /* Only a very long symbol name gets here. */
        text = malloc(o.len + 1);
        if (!text)
            return -1;
        o = (struct out){ text, o.len + 1, 0 };
        format_insn(&o, w, pc, label);
    }
    emit_line(out, text, pc, p, 4);
    if (text != small)
        free(text);
    return 0;
}

static void emit_tail(FILE *out, const struct image *im)
{
    size_t at = im->size & ~(size_t)3, n = im->size - at;
    char text[32];
    struct out o = { text, sizeof text, 0 };
    put(&o, ".byte");
    for (size_t i = 0; i < n; i++)
        put(&o, "%s0x%02x", i ? ", " : " ", im->bytes[at + i]);
    emit_line(out, text, (uint32_t)at, im->bytes + at, n);
}

int visa_disas_image(FILE *out, const uint8_t *image, size_t size,
                     const struct visa_symtab *syms)
{
    struct image im;
    int rc = image_init(&im, image, size, syms);

    /* Symbols that cannot be labels (inside a word, or beyond the image)
     * become .equ names so the text still carries them. */
    for (size_t i = 0; rc == 0 && i < im.nkept; i++)
        if (slot_of(&im, im.byaddr[i].addr) < 0)
            fprintf(out, "        .equ %s, 0x%x\n", im.byaddr[i].name,
                    (unsigned)im.byaddr[i].addr);

    size_t next = 0;
    for (size_t k = 0; rc == 0 && k <= im.nlines; k++) {
        emit_labels(out, &im, k, &next);
        if (k == im.nlines)
            break;
        if (4 * k + 4 <= size)
            rc = emit_word(out, &im, k);
        else
            emit_tail(out, &im);
    }
    image_free(&im);
    if (rc == 0 && ferror(out))
        rc = -1;
    return rc;
}
