/* expr.c - monitor expressions (monitor.md "Arguments and expressions").
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recursive-descent evaluator with C's precedence over 32-bit unsigned
 * values.  It reads the machine but never changes it (memory through
 * visa_hv_read_virt, which has no side effects).  Nesting is bounded so
 * that hostile input cannot exhaust the stack, and every error says what
 * went wrong and where.
 */
#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "monitor.h"

#define EXPR_DEPTH_MAX 256

struct ev {
    struct mon *m;
    const char *s;          /* the expression */
    size_t pos;             /* next character */
    int guest;              /* the guest it is evaluated for, 0: none */
    int depth;
    int skip;               /* > 0: parse only (unevaluated operand) */
    bool failed;
};

/* Report an error once; AT is the column it refers to, or (size_t)-1. */
__attribute__((format(printf, 3, 4)))
static void fail(struct ev *e, size_t at, const char *fmt, ...)
{
    if (e->failed)
        return;
    e->failed = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = strlen(e->s);
    const char *dots = len > 60 ? "..." : "";
    if (at == (size_t)-1)
        mon_error(e->m, "%s", msg);
    else if (at >= len)
        mon_error(e->m, "in '%.60s%s': %s at the end", e->s, dots, msg);
    else
        mon_error(e->m, "in '%.60s%s': %s at column %zu", e->s, dots, msg, at + 1);
}

static void blanks(struct ev *e)
{
    while (isspace((unsigned char)e->s[e->pos]))
        e->pos++;
}

static bool ident_start(int c) { return isalpha(c) || c == '_' || c == '.' || c == '$'; }
static bool ident_char(int c) { return isalnum(c) || c == '_' || c == '.'; }

static struct visa_guest *need_guest(struct ev *e, size_t at)
{
    struct visa_guest *g = e->guest ? visa_hv_guest(e->m->hv, e->guest) : NULL;
    if (!g)
        fail(e, at, "no guest loaded");
    return g;
}

/* Register number for NAME (r0-r31, sp; case-insensitive), -1 for pc, or
 * -2 when NAME is no register. */
static int reg_number(const char *name)
{
    if (!strcasecmp(name, "pc"))
        return -1;
    if (!strcasecmp(name, "sp"))
        return VISA_REG_SP;
    if ((name[0] == 'r' || name[0] == 'R') && isdigit((unsigned char)name[1])) {
        if (name[1] == '0' && name[2])
            return -2;           /* r01 is no register */
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 0 && n < VISA_NREGS)
            return (int)n;
    }
    return -2;
}

/* The value of an identifier; see monitor.md for the order. */
static uint32_t ident_value(struct ev *e, const char *name, size_t at)
{
    bool dollar = name[0] == '$';
    const char *n = dollar ? name + 1 : name;
    int r = reg_number(n);
    if (e->skip)
        return 0;
    if (r != -2) {
        struct visa_guest *g = need_guest(e, at);
        if (!g)
            return 0;
        return r == -1 ? g->pc : g->r[r];
    }
    if (!dollar && e->guest) {
        const struct visa_sym *s = visa_symtab_find(mon_syms(e->m, e->guest), n);
        if (s)
            return s->addr;
    }
    static const char *const fields[] = {
        "guest", "state", "code", "cause", "qual", "va", "gpa",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strcmp(n, fields[i]))
            continue;
        struct visa_guest *g = need_guest(e, at);
        if (!g)
            return 0;
        const struct visa_guest *x = g;
        if (e->m->exit_guest && visa_hv_guest(e->m->hv, e->m->exit_guest))
            x = visa_hv_guest(e->m->hv, e->m->exit_guest);
        switch (i) {
        case 0: return (uint32_t)g->id;
        case 1: return (uint32_t)g->state;
        case 2: return g->exit_code;
        case 3: return x->vmcs.exit_cause;
        case 4: return x->vmcs.exit_qual;
        case 5: return x->vmcs.exit_va;
        default: return x->vmcs.exit_gpa;
        }
    }
    if (!dollar) {
        int c = visa_exit_lookup(n);
        if (c > 0)
            return (uint32_t)c;
        c = visa_state_lookup(n);
        if (c >= 0)
            return (uint32_t)c;
    }
    if (dollar)
        fail(e, (size_t)-1, "unknown variable '%.40s' (registers and guest, "
             "state, code, cause, qual, va, gpa)", name);
    else if (e->guest)
        fail(e, (size_t)-1, "no symbol '%.40s' in guest %d", name, e->guest);
    else
        fail(e, (size_t)-1, "no symbol '%.40s' (no guest loaded)", name);
    return 0;
}

static uint32_t parse_number(struct ev *e)
{
    size_t at = e->pos;
    const char *p = e->s + e->pos;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    }
    uint64_t v = 0;
    bool digits = false, big = false;
    for (;; p++) {
        int c = (unsigned char)*p;
        unsigned d;
        if (isdigit(c))
            d = (unsigned)(c - '0');
        else if (isalpha(c))
            d = (unsigned)(tolower(c) - 'a' + 10);
        else
            break;
        if (d >= base) {
            fail(e, (size_t)(p - e->s), "bad digit '%c' in a number", c);
            return 0;
        }
        v = v * base + d;
        if (v > UINT32_MAX)
            big = true, v = UINT32_MAX;
        digits = true;
    }
    if (!digits) {
        fail(e, at, "a number needs digits");
        return 0;
    }
    if (big) {
        fail(e, at, "number too large (32 bits at most)");
        return 0;
    }
    e->pos = (size_t)(p - e->s);
    return (uint32_t)v;
}

static uint32_t parse_char(struct ev *e)
{
    size_t at = e->pos;
    const char *p = e->s + e->pos + 1;
    size_t k = 0;
    /* find the closing quote, skipping escapes */
    while (p[k] && p[k] != '\'') {
        if (p[k] == '\\' && p[k + 1])
            k++;
        k++;
    }
    if (!p[k]) {
        fail(e, at, "unterminated character constant");
        return 0;
    }
    char *body = strndup(p, k);
    size_t len = 0;
    char *c = NULL;
    if (body) {
        c = mon_unescape(e->m, body, &len);    /* reports its own errors */
        if (!c)
            e->failed = true;
    }
    free(body);
    if (!c)
        return 0;
    uint32_t v = len == 1 ? (unsigned char)c[0] : 0;
    free(c);
    if (len != 1) {
        fail(e, at, "a character constant holds one character");
        return 0;
    }
    e->pos += k + 2;
    return v;
}

static uint32_t parse_binary(struct ev *e, int minprec);

static uint32_t parse_unary(struct ev *e)
{
    if (e->failed)
        return 0;
    if (++e->depth > EXPR_DEPTH_MAX) {
        fail(e, e->pos, "expression nested too deeply (%d levels at most)",
             EXPR_DEPTH_MAX);
        return 0;
    }
    uint32_t v = 0;
    blanks(e);
    size_t at = e->pos;
    int c = (unsigned char)e->s[e->pos];
    if (c == '-' || c == '+' || c == '~' || c == '!' || c == '*') {
        e->pos++;
        uint32_t x = parse_unary(e);
        switch (c) {
        case '-': v = 0u - x; break;
        case '+': v = x; break;
        case '~': v = ~x; break;
        case '!': v = !x; break;
        default: {
            uint8_t b[4];
            if (e->failed || e->skip)
                break;
            struct visa_guest *g = need_guest(e, at);
            if (!g)
                break;
            if (visa_hv_read_virt(e->m->hv, e->guest, x, b, 4) < 0) {
                fail(e, (size_t)-1, "cannot read the word at 0x%08" PRIx32
                     " in guest %d (not mapped)", x, e->guest);
                break;
            }
            v = visa_load_be32(b);
        }
        }
    } else if (c == '(') {
        e->pos++;
        v = parse_binary(e, 0);
        blanks(e);
        if (!e->failed && e->s[e->pos] != ')')
            fail(e, e->pos, "missing ')'");
        else if (e->s[e->pos] == ')')
            e->pos++;            /* never past the end after an error */
    } else if (isdigit(c)) {
        v = parse_number(e);
    } else if (c == '\'') {
        v = parse_char(e);
    } else if (ident_start(c)) {
        size_t start = e->pos++;
        while (ident_char((unsigned char)e->s[e->pos]))
            e->pos++;
        size_t n = e->pos - start;
        if (n > 255) {
            fail(e, start, "name too long");
            return 0;
        }
        char name[256];
        memcpy(name, e->s + start, n);
        name[n] = '\0';
        if (!strcmp(name, "$")) {
            fail(e, start, "'$' must be followed by a name");
            return 0;
        }
        v = ident_value(e, name, start);
    } else if (!c) {
        fail(e, at, "expected a value");
    } else if (c == ')') {
        fail(e, at, "unbalanced ')'");
    } else {
        fail(e, at, "unexpected '%c'", c);
    }
    e->depth--;
    return v;
}

/* Binary operators, loosest first (C's table). */
static const struct binop {
    const char *tok;
    int prec;
} binops[] = {
    /* longest tokens first so that `<<` is not read as `<` */
    { "||", 1 }, { "&&", 2 }, { "==", 6 }, { "!=", 6 }, { "<=", 7 },
    { ">=", 7 }, { "<<", 8 }, { ">>", 8 }, { "|", 3 }, { "^", 4 },
    { "&", 5 }, { "<", 7 }, { ">", 7 }, { "+", 9 }, { "-", 9 },
    { "*", 10 }, { "/", 10 }, { "%", 10 },
};

static const struct binop *peek_binop(struct ev *e)
{
    blanks(e);
    const char *p = e->s + e->pos;
    for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++) {
        size_t n = strlen(binops[i].tok);
        if (!strncmp(p, binops[i].tok, n))
            return &binops[i];
    }
    return NULL;
}

static uint32_t apply(struct ev *e, const char *op, uint32_t a, uint32_t b,
                      size_t at)
{
    switch (op[0]) {
    case '|': return op[1] ? (a || b) : (a | b);
    case '&': return op[1] ? (a && b) : (a & b);
    case '^': return a ^ b;
    case '=': return a == b;
    case '!': return a != b;
    case '<':
        if (op[1] == '<') return b >= 32 ? 0 : a << b;
        return op[1] ? a <= b : a < b;
    case '>':
        if (op[1] == '>') return b >= 32 ? 0 : a >> b;
        return op[1] ? a >= b : a > b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    default:
        if (b == 0) {
            if (!e->skip)
                fail(e, at, "division by zero");
            return 0;
        }
        return op[0] == '/' ? a / b : a % b;
    }
}

static uint32_t parse_binary(struct ev *e, int minprec)
{
    if (++e->depth > EXPR_DEPTH_MAX) {
        fail(e, e->pos, "expression nested too deeply (%d levels at most)",
             EXPR_DEPTH_MAX);
        return 0;
    }
    uint32_t a = parse_unary(e);
    const struct binop *op;
    while (!e->failed && (op = peek_binop(e)) != NULL && op->prec >= minprec) {
        size_t at = e->pos;
        e->pos += strlen(op->tok);
        /* && and || do not evaluate (and so cannot fail on) the right
         * operand when the left one decides */
        bool lazy = (op->prec == 2 && !a) || (op->prec == 1 && a);
        if (lazy)
            e->skip++;
        uint32_t b = parse_binary(e, op->prec + 1);
        if (lazy)
            e->skip--;
        a = apply(e, op->tok, a, b, at);
    }
    e->depth--;
    return a;
}

/* Evaluate (or with SKIP only check) EXPR; 0 or -1 after reporting. */
static int evaluate(struct mon *m, const char *expr, int guest, bool skip,
                    uint32_t *val)
{
    struct ev e = { .m = m, .s = expr, .guest = guest, .skip = skip };
    if (!e.guest && m->hv->nguests > 0 && m->focus >= 1 &&
        m->focus <= m->hv->nguests)
        e.guest = m->focus;
    blanks(&e);
    if (!e.s[e.pos]) {
        mon_error(m, "expected an expression");
        return -1;
    }
    uint32_t v = parse_binary(&e, 0);
    blanks(&e);
    if (!e.failed && e.s[e.pos] == ')')
        fail(&e, e.pos, "unbalanced ')'");
    else if (!e.failed && e.s[e.pos])
        fail(&e, e.pos, "unexpected '%c'", e.s[e.pos]);
    if (e.failed)
        return -1;
    if (val)
        *val = v;
    return 0;
}

int mon_eval(struct mon *m, const char *expr, int guest, uint32_t *val)
{
    return evaluate(m, expr, guest, false, val);
}

int mon_eval_check(struct mon *m, const char *expr)
{
    return evaluate(m, expr, 0, true, NULL);
}
