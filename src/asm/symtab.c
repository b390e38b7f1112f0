/* symtab.c - guest symbol tables and the .sym format (machine.md section 8).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "visa/symtab.h"

void visa_symtab_init(struct visa_symtab *st)
{
    st->v = NULL;
    st->n = st->cap = 0;
}

void visa_symtab_free(struct visa_symtab *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->v[i].name);
    free(st->v);
    visa_symtab_init(st);
}

static int cmp_key(uint32_t addr, const char *name, const struct visa_sym *s)
{
    if (addr != s->addr)
        return addr < s->addr ? -1 : 1;
    return strcmp(name, s->name);
}

/* Index of the first symbol whose address is >= ADDR. */
static size_t lower_bound(const struct visa_symtab *st, uint32_t addr)
{
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->v[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int visa_symtab_add(struct visa_symtab *st, const char *name, uint32_t addr)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        struct visa_sym *v = realloc(st->v, cap * sizeof *v);
        if (!v)
            return -1;
        st->v = v;
        st->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    /* Callers mostly add in order, so look from the end first. */
    size_t i = st->n;
    if (i > 0 && cmp_key(addr, name, &st->v[i - 1]) < 0) {
        i = lower_bound(st, addr);
        while (i < st->n && cmp_key(addr, name, &st->v[i]) >= 0)
            i++;
        memmove(&st->v[i + 1], &st->v[i], (st->n - i) * sizeof *st->v);
    }
    st->v[i] = (struct visa_sym){ addr, copy };
    st->n++;
    return 0;
}

const struct visa_sym *visa_symtab_find(const struct visa_symtab *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->v[i].name, name) == 0)
            return &st->v[i];
    return NULL;
}

const struct visa_sym *visa_symtab_lookup(const struct visa_symtab *st, uint32_t addr)
{
    /* The last symbol at or below ADDR; among several at that address the
     * first, as visa_symtab_at gives. */
    size_t i = lower_bound(st, addr);
    if (i < st->n && st->v[i].addr == addr)
        return &st->v[i];
    if (i == 0)
        return NULL;
    return &st->v[lower_bound(st, st->v[i - 1].addr)];
}

const struct visa_sym *visa_symtab_at(const struct visa_symtab *st, uint32_t addr)
{
    size_t i = lower_bound(st, addr);
    return i < st->n && st->v[i].addr == addr ? &st->v[i] : NULL;
}

/* ---- The .sym format ------------------------------------------------------ */
static bool sym_name_char(int ch, bool first)
{
    return isalpha(ch) || ch == '_' || ch == '.' || ch == '$' || (!first && isdigit(ch));
}

static bool blank(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Parse one line; NULL when it is good (*NAME_LEN is 0 for a blank or
 * comment line), else why not. */
static const char *parse_line(const char *p, const char *end, uint32_t *out,
                              size_t *name_off, size_t *name_len)
{
    const char *line = p;
    while (p < end && blank((unsigned char)*p))
        p++;
    *name_len = 0;
    if (p == end || *p == '#' || *p == ';')
        return NULL;
    if (end - p < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') ||
        !isxdigit((unsigned char)p[2]))
        return "expected '0xADDRESS NAME'";
    p += 2;
    uint64_t addr = 0;
    for (; p < end && isxdigit((unsigned char)*p); p++) {
        addr = addr * 16 + (uint64_t)(isdigit((unsigned char)*p) ? *p - '0'
                                      : tolower((unsigned char)*p) - 'a' + 10);
        if (addr > 0xFFFFFFFFu)
            return "address out of range";
    }
    if (p == end || !blank((unsigned char)*p))
        return "expected '0xADDRESS NAME'";
    while (p < end && blank((unsigned char)*p))
        p++;
    const char *name = p;
    while (p < end && sym_name_char((unsigned char)*p, p == name))
        p++;
    if (p == name)
        return "expected a symbol name after the address";
    const char *name_end = p;
    while (p < end && blank((unsigned char)*p))
        p++;
    if (p < end && *p != '#' && *p != ';')
        return "unexpected text after the symbol name";
    *out = (uint32_t)addr;
    *name_off = (size_t)(name - line);
    *name_len = (size_t)(name_end - name);
    return NULL;
}

struct pending { uint32_t addr; char *name; };

static int cmp_pending(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return strcmp(x->name, y->name);
}

void visa_symtab_parse(struct visa_symtab *st, const char *text, size_t len,
                       const char *file, visa_warn_fn *warn, void *ctx)
{
    /* Collect, sort, then add: every add then appends (a reversed file
     * would otherwise cost a memmove per line). */
    struct pending *v = NULL;
    size_t n = 0, cap = 0;
    unsigned lineno = 0;
    for (size_t off = 0; off < len; lineno++) {
        const char *line = text + off;
        const char *nl = memchr(line, '\n', len - off);
        const char *end = nl ? nl : text + len;
        off = (size_t)(end - text) + 1;
        uint32_t addr = 0;
        size_t name_off = 0, name_len = 0;
        const char *why = parse_line(line, end, &addr, &name_off, &name_len);
        if (why) {
            if (warn)
                warn(ctx, file, lineno + 1, why);
            continue;
        }
        if (!name_len)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct pending *nv = realloc(v, ncap * sizeof *nv);
            if (!nv)
                break;
            v = nv;
            cap = ncap;
        }
        char *name = malloc(name_len + 1);
        if (!name)
            break;
        memcpy(name, line + name_off, name_len);
        name[name_len] = '\0';
        v[n++] = (struct pending){ addr, name };
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_pending);
    for (size_t i = 0; i < n; i++) {
        if (visa_symtab_add(st, v[i].name, v[i].addr) != 0 && warn)
            warn(ctx, file, 0, "out of memory");
        free(v[i].name);
    }
    free(v);
}

int visa_symtab_read(struct visa_symtab *st, const char *path,
                     visa_warn_fn *warn, void *ctx)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    int err = errno;
    fclose(f);
    if (bad) {
        free(buf);
        errno = err ? err : EIO;
        return -1;
    }
    visa_symtab_parse(st, buf, len, path, warn, ctx);
    free(buf);
    return 0;
}

int visa_symtab_write(const struct visa_symtab *st, FILE *out)
{
    for (size_t i = 0; i < st->n; i++)
        if (fprintf(out, "0x%08x %s\n", (unsigned)st->v[i].addr, st->v[i].name) < 0)
            return -1;
    return ferror(out) ? -1 : 0;
}
