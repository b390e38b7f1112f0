/* asm.c - the vISA assembler (machine.md section 9).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Design: the source is split into lines once; every pass lexes and parses
 * each line again (no token arrays, so a 1 MB line costs no more memory than
 * its text).  Sizing passes run silently until no symbol value and no `li`
 * size changes; then one final pass emits the bytes and reports every error
 * in line order.  Both kinds of pass run the same code, so they agree on
 * every address.  A forward reference takes its value from the previous
 * pass; `li` sizes only ever grow, so the passes reach a fixpoint.
 *
 * All state lives in struct ctx on the caller's stack: no globals.
 */
#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "visa/asm.h"

/* Passes before giving up on forward references that keep moving (only a
 * long chain of .equ names, each defined after its use, needs many). */
#define MAX_PASSES 100
/* Parentheses and unary operators nest at most this deep. */
#define MAX_DEPTH 256
/* Quoted source tokens in messages are cut after this many bytes. */
#define QUOTE_MAX 40

/* ---- Assembler-only mnemonics: aliases and pseudo-instructions ------- */
/* Each row names the canonical opcode it becomes and its own operand
 * syntax; the encoding is the target opcode's format (machine.md 3, 9). */
struct alias {
    const char *name;
    uint8_t op;
    bool li;                /* li/la: movi plus movhi when needed */
    const char *syntax;
};
static const struct alias aliases[] = {
    { "load",  VISA_OP_LDB,  false, "rd, rs1" },     /* ldb rd, 0(rs1) */
    { "store", VISA_OP_STB,  false, "rs1, rs2" },    /* stb rs2, 0(rs1) */
    { "beq",   VISA_OP_JEQ,  false, "rs1, rs2, label" },
    { "bne",   VISA_OP_JNE,  false, "rs1, rs2, label" },
    { "blt",   VISA_OP_JLT,  false, "rs1, rs2, label" },
    { "bge",   VISA_OP_JGE,  false, "rs1, rs2, label" },
    { "bltu",  VISA_OP_JLTU, false, "rs1, rs2, label" },
    { "bgeu",  VISA_OP_JGEU, false, "rs1, rs2, label" },
    { "b",     VISA_OP_JMP,  false, "label" },
    { "li",    VISA_OP_MOVI, true,  "rd, imm32" },
    { "la",    VISA_OP_MOVI, true,  "rd, label" },
};
#define NALIASES (sizeof aliases / sizeof aliases[0])

/* ---- Symbols ---------------------------------------------------------- */
struct sym {
    struct sym *next;       /* hash chain */
    char *name;
    size_t len;
    int64_t value;
    size_t line;            /* 0-based line and 1-based column of the definition */
    unsigned col;
    unsigned pass;          /* last pass that defined it */
    bool label, known, fwd; /* fwd: value rests on a forward reference */
    bool poison;            /* unknown because of an error reported elsewhere */
};

/* A value and what it rests on. */
struct val {
    int64_t v;
    bool known;             /* false in sizing passes, or after an error */
    bool fwd;               /* uses a symbol defined further down */
    bool poison;            /* unknown because of an error: stay quiet about it */
};

static struct val constant(int64_t v)
{
    return (struct val){ .v = v, .known = true };
}

enum tok_type { T_END, T_IDENT, T_NUM, T_STR, T_PUNCT, T_ERR };
enum { P_SHL = 'L', P_SHR = 'R' };

struct tok {
    enum tok_type t;
    const char *s;          /* first byte in the line */
    size_t n;
    int64_t v;              /* T_NUM (numbers and character constants) */
    int punct;              /* T_PUNCT: the character, or P_SHL / P_SHR */
};

struct srcline { size_t off, len; };

struct ctx {
    const char *file, *src;
    struct visa_asm_result *res;
    visa_diag_fn *diag;
    void *dctx;

    struct srcline *lines;
    size_t nlines;
    uint8_t *big;           /* per line: 1 when its li needs movhi */

    struct sym **buckets;
    size_t nbuckets, nsyms;

    unsigned pass;
    bool final;             /* the emitting, reporting pass */
    bool changed;           /* a sizing pass moved something */
    bool unsettled;         /* the final pass disagreed with the last sizing pass */
    bool capped;            /* the sizing passes stopped at MAX_PASSES */
    bool cap_reported;
    bool stop;              /* too many errors or out of memory */
    uint64_t pc;            /* wide: .space may run far past 4 GiB */
    size_t over_line;       /* first line that ran past guest memory */
    bool over;

    size_t cur;             /* current line */
    const char *ls, *lp, *le; /* its start, the lexer's position, its end */
    bool line_err;          /* one error per line: the rest would be noise */
    bool org;               /* the line was a .org */
    struct tok tok;
    int depth;
    size_t lines_cap;
};

/* ---- Diagnostics ------------------------------------------------------ */
__attribute__((format(printf, 1, 0)))
static char *vfmt(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf)
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
    return buf;
}

static void emit_diag(struct ctx *c, size_t line, unsigned col,
                      const char *severity, const char *msg)
{
    if (!c->diag)
        return;
    struct visa_diag d = {
        .file = c->file, .line = (unsigned)(line + 1), .col = col,
        .severity = severity, .msg = msg,
        .src = line < c->nlines ? c->src + c->lines[line].off : NULL,
        .src_len = line < c->nlines ? c->lines[line].len : 0,
    };
    c->diag(c->dctx, &d);
}

static void out_of_memory(struct ctx *c)
{
    if (c->stop)
        return;
    c->stop = true;
    c->res->errors++;
    emit_diag(c, c->cur, 1, "error", "out of memory");
}

/* Report a diagnostic at COL of LINE in the final pass: the one place
 * that formats, counts and stops after too many errors. */
__attribute__((format(printf, 5, 0)))
static void vreport(struct ctx *c, size_t line, unsigned col, const char *severity,
                    const char *fmt, va_list ap)
{
    bool error = strcmp(severity, "error") == 0;
    if (!c->final || c->stop)
        return;
    if (error && c->res->errors >= VISA_ASM_MAX_ERRORS) {
        c->res->errors++;
        c->stop = true;
        emit_diag(c, line, col, "error", "too many errors");
        return;
    }
    char *msg = vfmt(fmt, ap);
    if (!msg) {
        out_of_memory(c);
        return;
    }
    c->res->errors += error;
    emit_diag(c, line, col, severity, msg);
    free(msg);
}

/* A diagnostic that is not tied to the current token. */
__attribute__((format(printf, 5, 6)))
static void report(struct ctx *c, size_t line, unsigned col, const char *severity,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, line, col, severity, fmt, ap);
    va_end(ap);
}

static unsigned col_of(const struct ctx *c, const char *at)
{
    return (unsigned)(at - c->ls) + 1;
}

/* An error at AT in the current line; only the first one of a line counts
 * (the rest would mostly be noise from the first). */
__attribute__((format(printf, 3, 4)))
static bool error_at(struct ctx *c, const char *at, const char *fmt, ...)
{
    if (c->line_err)
        return false;
    c->line_err = true;
    va_list ap;
    va_start(ap, fmt);
    vreport(c, c->cur, col_of(c, at), "error", fmt, ap);
    va_end(ap);
    return false;
}

/* Quote N source bytes for a message: printable ASCII as is, the rest as
 * \xNN, cut after QUOTE_MAX bytes. */
static const char *quote(char *buf, size_t size, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i == QUOTE_MAX) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (ch >= 0x20 && ch < 0x7F)
            buf[o++] = (char)ch;
        else
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
    }
    buf[o] = '\0';
    return buf;
}
#define QBUF (QUOTE_MAX * 4 + 16)

static const char *tokq(char *buf, const struct tok *t)
{
    return quote(buf, QBUF, t->s, t->t == T_END ? 0 : t->n);
}

/* ---- Suggestions ------------------------------------------------------ */
/* Edit distance (insertions, deletions, substitutions and transpositions of
 * neighbours, case-insensitive) between short names; anything longer than
 * the buffers is "far". */
static unsigned edit_distance(const char *a, size_t na, const char *b)
{
    enum { MAXN = 24 };
    size_t nb = strlen(b);
    if (na >= MAXN || nb >= MAXN)
        return 99;
    unsigned d[MAXN + 1][MAXN + 1];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            unsigned best = d[i - 1][j - 1] + (ai != bj);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

struct suggest { const char *best; unsigned dist; };

static void consider(struct suggest *sg, const char *s, size_t n, const char *cand)
{
    unsigned d = edit_distance(s, n, cand);
    if (d <= 2 && d < n && d < sg->dist) {
        sg->best = cand;
        sg->dist = d;
    }
}

/* ---- Symbol table ----------------------------------------------------- */
static size_t hash_name(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;      /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return (size_t)h;
}

static struct sym *sym_find(const struct ctx *c, const char *s, size_t n)
{
    if (!c->nbuckets)
        return NULL;
    for (struct sym *y = c->buckets[hash_name(s, n) & (c->nbuckets - 1)]; y; y = y->next)
        if (y->len == n && memcmp(y->name, s, n) == 0)
            return y;
    return NULL;
}

static bool sym_grow(struct ctx *c)
{
    size_t nb = c->nbuckets ? c->nbuckets * 2 : 64;
    struct sym **b = calloc(nb, sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < c->nbuckets; i++)
        for (struct sym *y = c->buckets[i], *next; y; y = next) {
            next = y->next;
            size_t h = hash_name(y->name, y->len) & (nb - 1);
            y->next = b[h];
            b[h] = y;
        }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = nb;
    return true;
}

static struct sym *sym_new(struct ctx *c, const char *s, size_t n)
{
    if (c->nsyms >= c->nbuckets && !sym_grow(c))
        return NULL;
    struct sym *y = calloc(1, sizeof *y);
    if (!y)
        return NULL;
    y->name = malloc(n + 1);
    if (!y->name) {
        free(y);
        return NULL;
    }
    memcpy(y->name, s, n);
    y->name[n] = '\0';
    y->len = n;
    size_t h = hash_name(s, n) & (c->nbuckets - 1);
    y->next = c->buckets[h];
    c->buckets[h] = y;
    c->nsyms++;
    return y;
}

static void sym_free_all(struct ctx *c)
{
    for (size_t i = 0; i < c->nbuckets; i++)
        for (struct sym *y = c->buckets[i], *next; y; y = next) {
            next = y->next;
            free(y->name);
            free(y);
        }
    free(c->buckets);
}

/* Register number for r0..r31 or sp (case-insensitive), else -1. */
static int reg_of(const char *s, size_t n)
{
    if (n == 2 && tolower((unsigned char)s[0]) == 's' && tolower((unsigned char)s[1]) == 'p')
        return VISA_REG_SP;
    if (n < 2 || n > 3 || tolower((unsigned char)s[0]) != 'r')
        return -1;
    int r = 0;
    for (size_t i = 1; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        r = r * 10 + (s[i] - '0');
    }
    return r < VISA_NREGS ? r : -1;
}

/* Define NAME (the token T) in this pass.  BAD: its definition had a
 * syntax error (in every pass); it is then 0, so that its uses do not
 * repeat the mistake. */
static void define(struct ctx *c, const struct tok *t, struct val v, bool label, bool bad)
{
    char q[QBUF];
    if (reg_of(t->s, t->n) >= 0 || (t->n == 1 && t->s[0] == '.')) {
        error_at(c, t->s, "'%s' is reserved and cannot name a %s",
                 tokq(q, t), label ? "label" : "symbol");
        return;
    }
    struct sym *y = sym_find(c, t->s, t->n);
    if (y && y->pass == c->pass) {
        if (!c->line_err && c->final && !c->stop) {
            error_at(c, t->s, "duplicate %s '%s'", label ? "label" : "symbol", tokq(q, t));
            report(c, y->line, y->col, "note", "'%s' was first defined here", tokq(q, t));
        }
        c->line_err = true;
        return;
    }
    if (bad)
        v = constant(0);
    if (!y) {
        if (!(y = sym_new(c, t->s, t->n))) {
            out_of_memory(c);
            return;
        }
        c->changed = true;
    } else if (y->known != v.known || (v.known && y->value != v.v) || y->label != label) {
        c->changed = true;
        /* Only a moved label means the layout did not settle (an .equ can
         * change here when an error elsewhere made it 0). */
        if (c->final && label)
            c->unsettled = true;
    }
    y->value = v.v;
    y->known = v.known;
    y->fwd = v.fwd;
    y->poison = v.poison;
    y->label = label;
    y->pass = c->pass;
    y->line = c->cur;
    y->col = col_of(c, t->s);
}

/* ---- Lexer ------------------------------------------------------------ */
static bool is_ident_start(int ch)
{
    return isalpha(ch) || ch == '_' || ch == '.' || ch == '$';
}

static bool is_ident_char(int ch)
{
    return isalnum(ch) || ch == '_' || ch == '.' || ch == '$';
}

/* Decode one character of a string or character constant at *PP (before
 * END), storing it in *OUT.  Escapes are C's. */
static bool decode_char(struct ctx *c, const char **pp, const char *end, unsigned *out)
{
    const char *p = *pp;
    if (*p != '\\') {
        *out = (unsigned char)*p;
        *pp = p + 1;
        return true;
    }
    const char *esc = p++;
    if (p == end)
        return error_at(c, esc, "incomplete escape sequence");
    unsigned v = 0;
    switch (*p) {
    case 'a': v = '\a'; break;
    case 'b': v = '\b'; break;
    case 'f': v = '\f'; break;
    case 'n': v = '\n'; break;
    case 'r': v = '\r'; break;
    case 't': v = '\t'; break;
    case 'v': v = '\v'; break;
    case '\\': case '\'': case '"': case '?': v = (unsigned char)*p; break;
    case 'x': {
        const char *h = p + 1;
        while (h < end && isxdigit((unsigned char)*h)) {
            v = v * 16 + (unsigned)(isdigit((unsigned char)*h) ? *h - '0'
                                    : tolower((unsigned char)*h) - 'a' + 10);
            if (v > 0xFF)
                return error_at(c, esc, "escape sequence out of range");
            h++;
        }
        if (h == p + 1)
            return error_at(c, esc, "\\x used with no following hex digits");
        *pp = h;
        *out = v;
        return true;
    }
    default:
        if (*p >= '0' && *p <= '7') {
            const char *o = p;
            while (o < end && o < p + 3 && *o >= '0' && *o <= '7')
                v = v * 8 + (unsigned)(*o++ - '0');
            if (v > 0xFF)
                return error_at(c, esc, "escape sequence out of range");
            *pp = o;
            *out = v;
            return true;
        }
        char q[QBUF];
        return error_at(c, esc, "unknown escape sequence '\\%s'", quote(q, sizeof q, p, 1));
    }
    *pp = p + 1;
    *out = v;
    return true;
}

static bool lex_number(struct ctx *c, const char *p)
{
    struct tok *t = &c->tok;
    const char *s = p;
    unsigned base = 10;
    if (*p == '0' && p + 1 < c->le && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (*p == '0' && p + 1 < c->le && (p[1] == 'b' || p[1] == 'B') &&
             p + 2 < c->le && (p[2] == '0' || p[2] == '1'))
        base = 2, p += 2;
    const char *digits = p;
    uint64_t v = 0;
    bool bad = false, big = false;
    for (; p < c->le && is_ident_char((unsigned char)*p); p++) {
        int ch = tolower((unsigned char)*p);
        unsigned d = isdigit(ch) ? (unsigned)(ch - '0')
                   : (ch >= 'a' && ch <= 'f') ? (unsigned)(ch - 'a' + 10) : 99;
        if (d >= base) {
            bad = true;
            continue;
        }
        if (v > ((uint64_t)INT64_MAX - d) / base)
            big = true;
        else
            v = v * base + d;
    }
    t->t = T_NUM;
    t->s = s;
    t->n = (size_t)(p - s);
    t->v = (int64_t)v;
    c->lp = p;
    char q[QBUF];
    if (bad || p == digits) {
        t->t = T_ERR;
        return error_at(c, s, "bad number '%s'", tokq(q, t));
    }
    if (big) {
        t->t = T_ERR;
        return error_at(c, s, "number '%s' is too large", tokq(q, t));
    }
    return true;
}

/* A character constant 'c' (a number) or a string "..." (kept raw: the
 * escapes were checked here and are decoded again when emitted). */
static void lex_quoted(struct ctx *c, const char *p)
{
    struct tok *t = &c->tok;
    char quote_ch = *p;
    const char *q = p + 1;
    unsigned count = 0, v = 0;
    t->s = p;
    t->t = T_ERR;
    while (q < c->le && *q != quote_ch) {
        if (!decode_char(c, &q, c->le, &v))
            return;
        count++;
    }
    if (q == c->le) {
        error_at(c, p, quote_ch == '"' ? "unterminated string"
                                       : "unterminated character constant");
        return;
    }
    t->n = (size_t)(q + 1 - p);
    c->lp = q + 1;
    if (quote_ch == '"') {
        t->t = T_STR;
        return;
    }
    if (count != 1) {
        error_at(c, p, count ? "character constant too long" : "empty character constant");
        return;
    }
    t->t = T_NUM;
    t->v = v;
}

static void lex(struct ctx *c)
{
    struct tok *t = &c->tok;
    const char *p = c->lp;
    while (p < c->le && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
        p++;
    t->s = p;
    t->n = 0;
    if (p == c->le || *p == ';' || (*p == '/' && p + 1 < c->le && p[1] == '/')) {
        t->t = T_END;
        c->lp = p;
        return;
    }
    unsigned char ch = (unsigned char)*p;
    if (is_ident_start(ch)) {
        const char *s = p;
        while (p < c->le && is_ident_char((unsigned char)*p))
            p++;
        t->t = T_IDENT;
        t->n = (size_t)(p - s);
        c->lp = p;
        return;
    }
    if (isdigit(ch)) {
        lex_number(c, p);
        return;
    }
    if (ch == '\'' || ch == '"') {
        lex_quoted(c, p);
        return;
    }
    if ((ch == '<' || ch == '>') && p + 1 < c->le && p[1] == (char)ch) {
        t->t = T_PUNCT;
        t->punct = ch == '<' ? P_SHL : P_SHR;
        t->n = 2;
        c->lp = p + 2;
        return;
    }
    if (strchr(",():#+-*/%&|^~", ch) && ch) {
        t->t = T_PUNCT;
        t->punct = ch;
        t->n = 1;
        c->lp = p + 1;
        return;
    }
    char q[QBUF];
    t->t = T_ERR;
    error_at(c, p, "unexpected character '%s'", quote(q, sizeof q, p, 1));
}

static bool is_punct(const struct ctx *c, int p)
{
    return c->tok.t == T_PUNCT && c->tok.punct == p;
}

/* The current token is an identifier followed by ':' (a label). */
static bool at_label(const struct ctx *c)
{
    if (c->tok.t != T_IDENT)
        return false;
    const char *p = c->lp;
    while (p < c->le && (*p == ' ' || *p == '\t'))
        p++;
    return p < c->le && *p == ':';
}

/* ---- Expressions (C precedence) ---------------------------------------- */
static bool expr(struct ctx *c, int min_prec, struct val *out);

static bool unexpected(struct ctx *c, const char *what)
{
    char q[QBUF];
    if (c->tok.t == T_ERR)
        return false;
    if (c->tok.t == T_END)
        return error_at(c, c->tok.s, "%s", what);
    return error_at(c, c->tok.s, "%s, found '%s'", what, tokq(q, &c->tok));
}

static bool symbol_value(struct ctx *c, struct val *out)
{
    const struct tok *t = &c->tok;
    char q[QBUF];
    if (t->n == 1 && t->s[0] == '.') {
        *out = constant((int64_t)(uint32_t)c->pc);
        return true;
    }
    if (reg_of(t->s, t->n) >= 0)
        return error_at(c, t->s, "expected a value, found register '%s'", tokq(q, t));
    const struct sym *y = sym_find(c, t->s, t->n);
    /* These errors leave the value unknown rather than failing the parse:
     * the line must take the same room as in the sizing passes.  After the
     * first pass every definition has been seen, so a missing name is an
     * error even in a sizing pass (poison). */
    if (!y) {
        if (c->final)
            error_at(c, t->s, "undefined symbol '%s'", tokq(q, t));
        *out = (struct val){ .fwd = true, .poison = c->pass > 1 };
        return true;
    }
    if (!y->known && !y->poison && c->final && c->capped) {
        /* Once: every link of the chain would say the same. */
        if (!c->cap_reported)
            error_at(c, t->s, "value of '%s' not settled after %d passes "
                     "(too many forward references)", tokq(q, t), MAX_PASSES);
        c->cap_reported = c->line_err = true;
    } else if (!y->known && !y->poison && c->final)
        error_at(c, t->s, "symbol '%s' is defined in terms of itself", tokq(q, t));
    *out = (struct val){ y->value, y->known, y->fwd || y->pass != c->pass, y->poison };
    return true;
}

static bool primary(struct ctx *c, struct val *out)
{
    if (++c->depth > MAX_DEPTH)
        return error_at(c, c->tok.s, "expression nested too deeply");
    bool ok = false;
    struct tok t = c->tok;
    if (t.t == T_NUM) {
        *out = constant(t.v);
        lex(c);
        ok = true;
    } else if (t.t == T_IDENT) {
        ok = symbol_value(c, out);
        if (ok)
            lex(c);
    } else if (is_punct(c, '(')) {
        lex(c);
        ok = expr(c, 0, out);
        if (ok && !is_punct(c, ')'))
            ok = unexpected(c, "expected ')'");
        if (ok)
            lex(c);
    } else if (is_punct(c, '-') || is_punct(c, '~') || is_punct(c, '+')) {
        lex(c);
        ok = primary(c, out);
        if (ok && t.punct == '-')
            out->v = (int64_t)(0u - (uint64_t)out->v);
        else if (ok && t.punct == '~')
            out->v = ~out->v;
    } else {
        ok = unexpected(c, "expected a value");
    }
    c->depth--;
    return ok;
}

static int prec_of(const struct tok *t)
{
    if (t->t != T_PUNCT)
        return -1;
    switch (t->punct) {
    case '|': return 1;
    case '^': return 2;
    case '&': return 3;
    case P_SHL: case P_SHR: return 4;
    case '+': case '-': return 5;
    case '*': case '/': case '%': return 6;
    default: return -1;
    }
}

static bool binop(struct ctx *c, const struct tok *op, struct val *a, struct val b)
{
    a->known = a->known && b.known;
    a->fwd = a->fwd || b.fwd;
    a->poison = a->poison || b.poison;
    uint64_t x = (uint64_t)a->v, y = (uint64_t)b.v;
    switch (op->punct) {
    case '|': a->v = (int64_t)(x | y); break;
    case '^': a->v = (int64_t)(x ^ y); break;
    case '&': a->v = (int64_t)(x & y); break;
    case '+': a->v = (int64_t)(x + y); break;
    case '-': a->v = (int64_t)(x - y); break;
    case '*': a->v = (int64_t)(x * y); break;
    case '/': case '%':
        if (b.known && b.v == 0) {
            error_at(c, op->s, "division by zero");
            a->known = false;
            a->poison = true;
        }
        if (!a->known)
            a->v = 0;
        else if (b.v == -1)     /* INT64_MIN / -1 would trap */
            a->v = op->punct == '/' ? (int64_t)(0u - x) : 0;
        else
            a->v = op->punct == '/' ? a->v / b.v : a->v % b.v;
        break;
    case P_SHL: case P_SHR:
        if (b.known && (b.v < 0 || b.v > 63)) {
            error_at(c, op->s, "shift count %" PRId64 " out of range (0..63)", b.v);
            a->known = false;
            a->poison = true;
        }
        if (!a->known)
            a->v = 0;
        else if (op->punct == P_SHL)
            a->v = (int64_t)(x << b.v);
        else
            a->v = a->v < 0 ? ~(~a->v >> b.v) : a->v >> b.v;
        break;
    }
    return true;
}

static bool expr(struct ctx *c, int min_prec, struct val *out)
{
    if (!primary(c, out))
        return false;
    for (int p; (p = prec_of(&c->tok)) >= min_prec && p > 0;) {
        struct tok op = c->tok;
        struct val rhs;
        lex(c);
        if (!expr(c, p + 1, &rhs) || !binop(c, &op, out, rhs))
            return false;
    }
    return true;
}

/* One operand that is a value: an optional '#', then an expression. */
static bool value_operand(struct ctx *c, struct val *v, const char **at)
{
    if (is_punct(c, '#'))
        lex(c);
    *at = c->tok.s;
    if (c->tok.t == T_END || is_punct(c, ','))
        return error_at(c, c->tok.s, "missing operand");
    c->depth = 0;
    return expr(c, 0, v);
}

static bool check_range(struct ctx *c, const char *at, const char *what,
                        const struct val *v, int64_t lo, int64_t hi)
{
    if (!v->known || (v->v >= lo && v->v <= hi))
        return true;
    return error_at(c, at, "value %" PRId64 " out of range for %s (%" PRId64 "..%" PRId64 ")",
                    v->v, what, lo, hi);
}

/* ---- Emitting ----------------------------------------------------------- */
static void emit_fill(struct ctx *c, uint8_t byte, uint64_t n)
{
    if (c->final && c->pc < VISA_GUEST_MEM) {
        uint64_t room = VISA_GUEST_MEM - c->pc;
        memset(c->res->image + c->pc, byte, n < room ? n : room);
    }
    if (n && c->pc + n > VISA_GUEST_MEM && !c->over) {
        c->over = true;
        c->over_line = c->cur;
    }
    c->pc += n;
}

static void emit_byte(struct ctx *c, uint8_t b)
{
    emit_fill(c, b, 1);
}

static void emit_word(struct ctx *c, uint32_t w)
{
    uint8_t b[4];
    visa_store_be32(b, w);
    for (int i = 0; i < 4; i++)
        emit_byte(c, b[i]);
}

/* ---- Instructions -------------------------------------------------------- */
struct operands {
    int rd, rs1, rs2, reg;
    struct val x;           /* the one value operand, if any */
    const char *x_at;
};

static bool reg_operand(struct ctx *c, int *r)
{
    char q[QBUF];
    if (c->tok.t == T_END || is_punct(c, ','))
        return error_at(c, c->tok.s, "missing operand");
    if (c->tok.t == T_ERR)
        return false;
    if (c->tok.t != T_IDENT || (*r = reg_of(c->tok.s, c->tok.n)) < 0)
        return error_at(c, c->tok.s, "bad register '%s'", tokq(q, &c->tok));
    lex(c);
    return true;
}

/* off8(rs1), or (rs1) for an offset of 0. */
static bool mem_operand(struct ctx *c, struct operands *o)
{
    o->x_at = c->tok.s;
    if (is_punct(c, '(')) {
        /* "(reg)" has offset 0; otherwise the '(' starts an expression
         * (a register cannot appear in one). */
        const char *p = c->lp, *s;
        while (p < c->le && (*p == ' ' || *p == '\t'))
            p++;
        for (s = p; p < c->le && is_ident_char((unsigned char)*p); p++)
            ;
        if (reg_of(s, (size_t)(p - s)) >= 0) {
            o->x = constant(0);
            lex(c);
            goto reg;
        }
    }
    if (c->tok.t == T_IDENT && reg_of(c->tok.s, c->tok.n) >= 0)
        return error_at(c, c->tok.s, "expected off8(rs1)");
    if (!value_operand(c, &o->x, &o->x_at))
        return false;
    if (!is_punct(c, '('))
        return unexpected(c, "expected '(' and a base register");
    lex(c);
reg:
    if (!reg_operand(c, &o->rs1))
        return false;
    if (!is_punct(c, ')'))
        return unexpected(c, "expected ')'");
    lex(c);
    return true;
}

/* The register field that syntax item P (N bytes) names, or NULL. */
static int *reg_field(struct operands *o, const char *p, size_t n)
{
    const struct { const char *name; int *field; } regs[] = {
        { "rd", &o->rd }, { "rs1", &o->rs1 }, { "rs2", &o->rs2 }, { "reg", &o->reg },
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        if (strlen(regs[i].name) == n && memcmp(regs[i].name, p, n) == 0)
            return regs[i].field;
    return NULL;
}

/* Parse the operands that SYNTAX (a visa_fmttab syntax or an alias's)
 * lists, in order. */
static bool parse_operands(struct ctx *c, const char *syntax, const char *mnem,
                           unsigned op, struct operands *o)
{
    char q[QBUF];
    for (const char *p = syntax; *p;) {
        size_t n = strcspn(p, ",");
        if (p != syntax) {
            if (c->tok.t == T_END)
                return error_at(c, c->tok.s, "missing operand");
            if (!is_punct(c, ','))
                return unexpected(c, "expected ','");
            lex(c);
        }
        int *r = reg_field(o, p, n);
        bool ok = r ? reg_operand(c, r)
                : n == 9 && memcmp(p, "off8(rs1)", 9) == 0 ? mem_operand(c, o)
                : value_operand(c, &o->x, &o->x_at);   /* imm8, label, port... */
        if (!ok)
            return false;
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    if (c->tok.t == T_END || c->tok.t == T_ERR)
        return c->tok.t == T_END;
    if (!*syntax)
        return error_at(c, c->tok.s, "'%s' takes no operand%s", mnem,
                        op == VISA_OP_HYPERCALL || op == VISA_OP_SYSCALL
                        ? " (put the number in r0)" : "");
    if (is_punct(c, ','))
        return error_at(c, c->tok.s, "too many operands for '%s'", mnem);
    return error_at(c, c->tok.s, "unexpected '%s' after the operands", tokq(q, &c->tok));
}

/* Format V as an address for messages: 0x... or -0x... */
static const char *addr_str(char *buf, size_t size, int64_t v)
{
    if (v < 0)
        snprintf(buf, size, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)v);
    else
        snprintf(buf, size, "0x%" PRIx64, (uint64_t)v);
    return buf;
}

/* Encode OP (whose format decides the layout) from parsed operands.  A
 * value out of range is reported; the word still takes its room. */
static uint32_t encode(struct ctx *c, unsigned op, const struct operands *o)
{
    const struct val *x = &o->x;
    int64_t xv = x->known ? x->v : 0;
    char a[32];
    switch (visa_optab[op].fmt) {
    case VISA_FMT_R:
        return visa_enc_r(op, (unsigned)o->rd, (unsigned)o->rs1, (unsigned)o->rs2);
    case VISA_FMT_I:
        check_range(c, o->x_at, "imm8", x, 0, 255);
        return visa_enc_i(op, (unsigned)o->rd, (unsigned)o->rs1, (unsigned)xv);
    case VISA_FMT_M:
        check_range(c, o->x_at, "imm16", x, 0, 65535);
        return visa_enc_m(op, (unsigned)o->rd, (unsigned)xv);
    case VISA_FMT_L:
        check_range(c, o->x_at, "off8", x, -128, 127);
        return visa_enc_l(op, (unsigned)o->rd, (unsigned)o->rs1, (int)xv);
    case VISA_FMT_S:
        check_range(c, o->x_at, "off8", x, -128, 127);
        return visa_enc_s(op, (unsigned)o->rs2, (unsigned)o->rs1, (int)xv);
    case VISA_FMT_B: {
        /* Unsigned: a wild target must not overflow (it wraps far away). */
        int64_t d = (int64_t)((uint64_t)xv - (c->pc + 4)), off = d / 4;
        if (x->known && d % 4 != 0)
            error_at(c, o->x_at, "branch target %s is not a multiple of 4",
                     addr_str(a, sizeof a, xv));
        else if (x->known && (off < -128 || off > 127))
            error_at(c, o->x_at, "branch target out of reach (offset %" PRId64
                     " words, range -128..127)", off);
        return visa_enc_b(op, x->known ? (int)off : 0, (unsigned)o->rs1, (unsigned)o->rs2);
    }
    case VISA_FMT_J:
        if (x->known && (xv < 0 || xv / 4 > 0xFFFFFF))
            error_at(c, o->x_at, "jump target %s out of reach (0..0x3fffffc)",
                     addr_str(a, sizeof a, xv));
        else if (x->known && xv % 4 != 0)
            error_at(c, o->x_at, "jump target %s is not a multiple of 4",
                     addr_str(a, sizeof a, xv));
        return visa_enc_j(op, (uint32_t)(xv / 4));
    case VISA_FMT_MOV:
        return visa_enc(op, (unsigned)o->rd, (unsigned)o->rs1, 0);
    case VISA_FMT_JR:
        return visa_enc(op, 0, (unsigned)o->rs1, 0);
    case VISA_FMT_RA:
        return visa_enc(op, (unsigned)o->reg, 0, 0);
    case VISA_FMT_IO:
        check_range(c, o->x_at, "port", x, 0, 255);
        return visa_enc(op, (unsigned)o->reg, (unsigned)xv, 0);
    default:
        return visa_enc(op, 0, 0, 0);
    }
}

/* li rd, imm32 / la rd, label: movi, plus movhi once the value needs it. */
static void emit_li(struct ctx *c, const struct operands *o, bool parsed)
{
    const struct val *x = &o->x;
    bool ok = parsed && check_range(c, o->x_at, "imm32", x, -2147483648LL, 4294967295LL);
    uint32_t u = ok && x->known ? (uint32_t)x->v : 0;
    if (ok && x->known && (u >> 16) != 0 && !c->big[c->cur]) {
        c->big[c->cur] = 1;
        c->changed = true;
        if (c->final)
            c->unsettled = true;
    }
    emit_word(c, visa_enc_m(VISA_OP_MOVI, (unsigned)o->rd, u & 0xFFFFu));
    if (c->big[c->cur])
        emit_word(c, visa_enc_m(VISA_OP_MOVHI, (unsigned)o->rd, u >> 16));
}

static void instruction(struct ctx *c)
{
    const struct tok m = c->tok;
    char name[16], q[QBUF];
    const char *syntax = NULL;
    const struct alias *al = NULL;
    int op = -1;
    if (m.n < sizeof name) {
        memcpy(name, m.s, m.n);
        name[m.n] = '\0';
        for (size_t i = 0; i < m.n; i++)
            name[i] = (char)tolower((unsigned char)name[i]);
        if ((op = visa_opcode_lookup(name)) >= 0)
            syntax = visa_fmttab[visa_optab[op].fmt].syntax;
        for (size_t i = 0; op < 0 && i < NALIASES; i++)
            if (strcmp(aliases[i].name, name) == 0) {
                al = &aliases[i];
                op = al->op;
                syntax = al->syntax;
            }
    }
    if (op < 0) {
        struct suggest sg = { NULL, 99 };
        for (unsigned i = 0; i < 256; i++)
            if (visa_optab[i].mnemonic)
                consider(&sg, m.s, m.n, visa_optab[i].mnemonic);
        for (size_t i = 0; i < NALIASES; i++)
            consider(&sg, m.s, m.n, aliases[i].name);
        if (sg.best)
            error_at(c, m.s, "unknown mnemonic '%s'; did you mean '%s'?", tokq(q, &m), sg.best);
        else
            error_at(c, m.s, "unknown mnemonic '%s'", tokq(q, &m));
        emit_fill(c, 0, 4);     /* keep later addresses plausible */
        return;
    }
    if (c->pc % 4 != 0)
        error_at(c, m.s, "instruction at address 0x%08" PRIx64 " is not a multiple of 4",
                 c->pc);
    lex(c);
    struct operands o = { .x = { .known = true }, .x_at = m.s };
    bool parsed = parse_operands(c, syntax, name, (unsigned)op, &o);
    if (al && al->li) {
        emit_li(c, &o, parsed);
        return;
    }
    emit_word(c, parsed ? encode(c, (unsigned)op, &o) : 0);
}

/* ---- Directives ------------------------------------------------------ */
/* A value that decides the layout: it must be known without forward
 * references, so that every pass agrees. */
static bool layout_value(struct ctx *c, const char *dir, struct val *v, const char **at)
{
    if (!value_operand(c, v, at))
        return false;
    if (v->poison) {
        c->line_err = true;     /* reported where it started */
        return false;
    }
    if (v->fwd || !v->known)
        return error_at(c, *at, "'%s' needs a value defined above it", dir);
    return true;
}

static bool end_of_line(struct ctx *c)
{
    char q[QBUF];
    if (c->tok.t == T_END || c->tok.t == T_ERR)
        return c->tok.t == T_END;
    return error_at(c, c->tok.s, "unexpected '%s'", tokq(q, &c->tok));
}

static void dir_org(struct ctx *c, const char *dir)
{
    struct val v;
    const char *at;
    char a[32], b[32];
    if (!layout_value(c, dir, &v, &at) || !check_range(c, at, dir, &v, 0, 4294967295LL) ||
        !end_of_line(c))
        return;
    if ((uint64_t)v.v < c->pc) {
        error_at(c, at, "'.org' cannot move backwards (from %s to %s)",
                 addr_str(a, sizeof a, (int64_t)c->pc), addr_str(b, sizeof b, v.v));
        return;
    }
    emit_fill(c, 0, (uint64_t)v.v - c->pc);
    c->org = true;
}

static void dir_align(struct ctx *c, const char *dir)
{
    struct val v;
    const char *at;
    if (!layout_value(c, dir, &v, &at) || !end_of_line(c))
        return;
    if (v.v < 1 || v.v > 0x40000000 || (v.v & (v.v - 1)) != 0) {
        error_at(c, at, "alignment %" PRId64 " is not a power of two (1..0x40000000)", v.v);
        return;
    }
    emit_fill(c, 0, (0 - c->pc) & (uint64_t)(v.v - 1));
}

static void dir_space(struct ctx *c, const char *dir)
{
    struct val n, fill = { .known = true };
    const char *at, *fat;
    if (!layout_value(c, dir, &n, &at) || !check_range(c, at, dir, &n, 0, 4294967295LL))
        return;
    if (is_punct(c, ',')) {
        lex(c);
        if (!value_operand(c, &fill, &fat) || !check_range(c, fat, "fill byte", &fill, -128, 255))
            return;
    }
    if (end_of_line(c))
        emit_fill(c, (uint8_t)fill.v, (uint64_t)n.v);
}

/* .byte / .word: comma-separated values.  The size is fixed by the count,
 * so a bad value still takes its room. */
static void dir_data(struct ctx *c, const char *dir)
{
    bool word = strcmp(dir, ".word") == 0;
    bool ok = true;
    do {
        if (is_punct(c, ','))
            lex(c);
        struct val v;
        const char *at;
        if (ok && !(ok = value_operand(c, &v, &at)))
            break;
        if (word) {
            ok = check_range(c, at, dir, &v, -2147483648LL, 4294967295LL);
            emit_word(c, (uint32_t)v.v);
        } else {
            ok = check_range(c, at, dir, &v, -128, 255);
            emit_byte(c, (uint8_t)v.v);
        }
    } while (ok && is_punct(c, ','));
    if (ok)
        end_of_line(c);
}

static void dir_ascii(struct ctx *c, const char *dir)
{
    bool nul = strcmp(dir, ".ascii") != 0;
    for (;;) {
        if (c->tok.t != T_STR) {
            unexpected(c, "expected a string");
            return;
        }
        /* Escapes were checked by the lexer, so decoding cannot fail. */
        const char *end = c->tok.s + c->tok.n - 1;
        for (const char *p = c->tok.s + 1; p < end;) {
            unsigned v;
            if (!decode_char(c, &p, end, &v))
                return;
            emit_byte(c, (uint8_t)v);
        }
        if (nul)
            emit_byte(c, 0);
        lex(c);
        if (!is_punct(c, ','))
            break;
        lex(c);
    }
    end_of_line(c);
}

static void dir_equ(struct ctx *c, const char *dir)
{
    struct tok name = c->tok;
    struct val v = { .known = true };
    const char *at;
    if (name.t != T_IDENT) {
        unexpected(c, "expected a symbol name");
        return;
    }
    lex(c);
    if (!is_punct(c, ',')) {
        unexpected(c, "expected ','");
        return;
    }
    lex(c);
    bool ok = value_operand(c, &v, &at) && end_of_line(c);
    /* In the final pass an unknown value means an error was reported on
     * this line: the name's uses need not repeat it. */
    if (c->final && !v.known)
        v.poison = true;
    define(c, &name, v, false, !ok);
}

static const struct directive {
    const char *name;
    void (*fn)(struct ctx *c, const char *name);
} directives[] = {
    { ".org", dir_org }, { ".align", dir_align }, { ".byte", dir_data },
    { ".word", dir_data }, { ".ascii", dir_ascii }, { ".asciz", dir_ascii },
    { ".string", dir_ascii }, { ".space", dir_space }, { ".equ", dir_equ },
    { ".set", dir_equ },
};
#define NDIRECTIVES (sizeof directives / sizeof directives[0])

static void directive(struct ctx *c)
{
    const struct tok d = c->tok;
    char q[QBUF];
    for (size_t i = 0; i < NDIRECTIVES; i++)
        if (strlen(directives[i].name) == d.n && strncasecmp(directives[i].name, d.s, d.n) == 0) {
            lex(c);
            directives[i].fn(c, directives[i].name);
            return;
        }
    struct suggest sg = { NULL, 99 };
    for (size_t i = 0; i < NDIRECTIVES; i++)
        consider(&sg, d.s, d.n, directives[i].name);
    if (sg.best)
        error_at(c, d.s, "unknown directive '%s'; did you mean '%s'?", tokq(q, &d), sg.best);
    else
        error_at(c, d.s, "unknown directive '%s'", tokq(q, &d));
}

/* ---- Lines and passes ---------------------------------------------------- */
static bool add_listing(struct ctx *c, uint32_t addr, uint32_t size)
{
    struct visa_asm_result *r = c->res;
    if (r->nlines == c->lines_cap) {
        size_t cap = c->lines_cap ? c->lines_cap * 2 : 64;
        struct visa_asm_line *v = realloc(r->lines, cap * sizeof *v);
        if (!v)
            return false;
        r->lines = v;
        c->lines_cap = cap;
    }
    r->lines[r->nlines++] = (struct visa_asm_line){ (unsigned)(c->cur + 1), addr, size };
    return true;
}

static void do_line(struct ctx *c)
{
    c->ls = c->lp = c->src + c->lines[c->cur].off;
    c->le = c->ls + c->lines[c->cur].len;
    c->line_err = false;
    c->org = false;
    lex(c);
    if (c->tok.t == T_END)
        return;
    while (at_label(c)) {
        struct tok t = c->tok;
        define(c, &t, constant((int64_t)(uint32_t)c->pc), true, false);
        c->lp = (const char *)memchr(c->lp, ':', (size_t)(c->le - c->lp)) + 1;
        lex(c);
    }
    uint64_t start = c->pc;
    if (c->tok.t == T_IDENT && c->tok.s[0] == '.' && c->tok.n > 1)
        directive(c);
    else if (c->tok.t == T_IDENT)
        instruction(c);
    else if (c->tok.t != T_END)
        unexpected(c, "expected a mnemonic or directive");
    /* .org moves the address; its listing line shows where to. */
    if (c->final && !(c->org ? add_listing(c, (uint32_t)c->pc, 0)
                             : add_listing(c, (uint32_t)start, (uint32_t)(c->pc - start))))
        out_of_memory(c);
}

static void run_pass(struct ctx *c)
{
    c->pc = 0;
    c->over = false;
    c->res->nlines = 0;
    for (c->cur = 0; c->cur < c->nlines && !c->stop; c->cur++)
        do_line(c);
}

static bool split_lines(struct ctx *c, size_t len)
{
    size_t cap = 64;
    c->lines = malloc(cap * sizeof *c->lines);
    if (!c->lines)
        return false;
    for (size_t off = 0; off < len;) {
        const char *nl = memchr(c->src + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (c->src + off)) : len - off;
        if (c->nlines == cap) {
            struct srcline *v = realloc(c->lines, 2 * cap * sizeof *v);
            if (!v)
                return false;
            c->lines = v;
            cap *= 2;
        }
        /* A CR before the newline is not part of the line. */
        size_t shown = n && c->src[off + n - 1] == '\r' ? n - 1 : n;
        c->lines[c->nlines++] = (struct srcline){ off, shown };
        off += n + 1;
    }
    c->big = calloc(c->nlines ? c->nlines : 1, 1);
    return c->big != NULL;
}

static int cmp_sym(const void *a, const void *b)
{
    const struct sym *x = *(const struct sym *const *)a, *y = *(const struct sym *const *)b;
    if ((uint32_t)x->value != (uint32_t)y->value)
        return (uint32_t)x->value < (uint32_t)y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Copy the labels into the result, in address order (so that every
 * visa_symtab_add appends). */
static bool export_labels(struct ctx *c)
{
    struct sym **v = malloc((c->nsyms ? c->nsyms : 1) * sizeof *v);
    if (!v)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < c->nbuckets; i++)
        for (struct sym *y = c->buckets[i]; y; y = y->next)
            if (y->label)
                v[n++] = y;
    qsort(v, n, sizeof *v, cmp_sym);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        ok = visa_symtab_add(&c->res->syms, v[i]->name, (uint32_t)v[i]->value) == 0;
    free(v);
    return ok;
}

int visa_asm(const char *file, const char *src, size_t len,
             struct visa_asm_result *res, visa_diag_fn *diag, void *ctx)
{
    memset(res, 0, sizeof *res);
    visa_symtab_init(&res->syms);
    struct ctx c = {
        .file = file ? file : "<input>", .src = src ? src : "",
        .res = res, .diag = diag, .dctx = ctx,
    };
    if (!src)
        len = 0;
    if (!split_lines(&c, len)) {
        out_of_memory(&c);
        goto done;
    }
    for (c.pass = 1; !c.stop; c.pass++) {
        c.changed = false;
        run_pass(&c);
        if (!c.changed)
            break;
        if (c.pass >= MAX_PASSES) {
            c.capped = true;
            break;
        }
    }
    c.pass++;
    c.final = true;
    run_pass(&c);
    if (c.stop)
        goto done;
    if (c.unsettled)
        report(&c, c.nlines ? c.nlines - 1 : 0, 1, "error",
               "forward references did not settle after %d passes", MAX_PASSES);
    if (c.pc > VISA_GUEST_MEM)
        report(&c, c.over_line, 1, "error",
               "image is %" PRIu64 " bytes, larger than %u bytes of guest memory",
               c.pc, VISA_GUEST_MEM);
    res->size = (uint32_t)(c.pc < VISA_GUEST_MEM ? c.pc : VISA_GUEST_MEM);
    if (!res->errors && !export_labels(&c))
        out_of_memory(&c);
done:
    sym_free_all(&c);
    free(c.lines);
    free(c.big);
    return (int)res->errors;
}

void visa_asm_result_free(struct visa_asm_result *res)
{
    if (!res)
        return;
    visa_symtab_free(&res->syms);
    free(res->lines);
    res->lines = NULL;
    res->nlines = 0;
}
