/* state.c - changing the machine: set, map/unmap, slice, guest, pause,
 * resume, reset, load, input, trapcfg.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every handler checks all of its arguments before it changes anything, so
 * that a command that fails leaves the machine as it was (monitor.md).
 * Memory and EPT changes go through the core's functions, which flush the
 * TLB and the interpreter's caches where machine.md section 4 says so.
 */
#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

static struct visa_guest *G(struct mon *m, int id)
{
    return visa_hv_guest(m->hv, id);
}

static const char *state_name(const struct visa_guest *g)
{
    return visa_state_names[g->state];
}

/* ---- set ------------------------------------------------------------ */

/* Register number for "r5", "$r5", "sp", "$sp"; VISA_NREGS for pc; -1. */
static int reg_number(const char *s)
{
    if (*s == '$')
        s++;
    if (strcmp(s, "pc") == 0)
        return VISA_NREGS;
    if (strcmp(s, "sp") == 0)
        return VISA_REG_SP;
    if (s[0] == 'r' && isdigit((unsigned char)s[1])) {
        char *end;
        long r = strtol(s + 1, &end, 10);
        /* "r05" is not a register name: only canonical spellings */
        if (*end == '\0' && r >= 0 && r < VISA_NREGS && !(s[1] == '0' && s[2]))
            return (int)r;
    }
    return -1;
}

static int set_register(struct mon *m, int reg, const char *expr)
{
    int id = mon_focus(m);
    uint32_t v;
    if (id < 0 || mon_eval(m, expr, id, &v) < 0)
        return -1;
    struct visa_guest *g = G(m, id);
    if (reg == VISA_NREGS)
        g->pc = v;
    else
        g->r[reg] = v;
    return 0;
}

/* set mem[/b|w] ADDR VALUE and set phys[/b|w] GPA VALUE. */
static int set_memory(struct mon *m, int argc, char **argv, const char *rest,
                      bool phys)
{
    const char *what = phys ? "set phys" : "set mem";
    const char *slash = strchr(argv[1], '/');
    unsigned size = 4;
    if (slash) {
        if (strcmp(slash, "/b") == 0)
            size = 1;
        else if (strcmp(slash, "/w") != 0) {
            mon_error(m, "bad unit '%s' in %s (b or w)", slash + 1, argv[1]);
            return -1;
        }
    }
    if (argc < 4) {
        mon_error(m, "usage: %s[/b|w] %s VALUE", what, phys ? "GPA" : "ADDR");
        return -1;
    }
    int id = mon_focus(m);
    uint32_t addr, v;
    if (id < 0 || mon_eval(m, argv[2], id, &addr) < 0 ||
        mon_eval(m, mon_skip_words(rest, 2), id, &v) < 0)
        return -1;
    uint8_t buf[4];
    if (size == 1) {
        /* a byte takes 0..255, or -128..-1 as a signed byte */
        if (v > 0xFFu && v < 0xFFFFFF80u) {
            mon_error(m, "value 0x%" PRIx32 " does not fit in a byte", v);
            return -1;
        }
        buf[0] = (uint8_t)v;
    } else {
        visa_store_be32(buf, v);
    }
    int rc = phys ? visa_hv_write_phys(m->hv, id, addr, buf, size)
                  : visa_hv_write_virt(m->hv, id, addr, buf, size);
    if (rc < 0) {
        mon_error(m, "cannot write %s 0x%08" PRIx32 " of guest %d: %s",
                  phys ? "GPA" : "VA", addr, id, visa_strerror(rc));
        return -1;
    }
    return 0;
}

/* set on-error stop|continue, set step-print on|off: WORDS lists the two
 * values, the first of which makes *FLAG true when FIRST_IS_TRUE. */
static int set_flag(struct mon *m, int argc, char **argv, const char *words,
                    bool *flag, bool first_is_true)
{
    char what[48];
    snprintf(what, sizeof what, "value for %s", argv[1]);
    if (argc != 3) {
        mon_error(m, "usage: set %s %.*s|%s", argv[1], (int)strcspn(words, " "),
                  words, words + strcspn(words, " ") + 1);
        return -1;
    }
    int i = mon_subword(m, what, argv[2], words);
    if (i < 0)
        return -1;
    *flag = (i == 0) == first_is_true;
    return 0;
}

int mon_cmd_set(struct mon *m, int argc, char **argv, const char *rest)
{
    static const char settings[] = "reg pc mem phys on-error step-print";
    if (argc < 2) {
        mon_error(m, "set what? (%s)", settings);
        return -1;
    }
    /* "mem/b": the setting is the part before the slash */
    char word[32];
    snprintf(word, sizeof word, "%.*s", (int)strcspn(argv[1], "/"), argv[1]);
    int which = mon_subword(m, "setting", word, settings);
    if (which < 0)
        return -1;
    if (strchr(argv[1], '/') && which != 2 && which != 3) {
        mon_error(m, "only set mem and set phys take a unit (/b or /w)");
        return -1;
    }
    switch (which) {
    case 0: {                                  /* set reg REG VALUE */
        if (argc < 4) {
            mon_error(m, "usage: set reg REG VALUE");
            return -1;
        }
        int r = reg_number(argv[2]);
        if (r < 0) {
            mon_error(m, "register '%s' does not exist (r0-r31, sp, pc)", argv[2]);
            return -1;
        }
        return set_register(m, r, mon_skip_words(rest, 2));
    }
    case 1:                                    /* set pc VALUE */
        if (argc < 3) {
            mon_error(m, "usage: set pc VALUE");
            return -1;
        }
        return set_register(m, VISA_NREGS, mon_skip_words(rest, 1));
    case 2:
    case 3:
        return set_memory(m, argc, argv, rest, which == 3);
    case 4:
        return set_flag(m, argc, argv, "stop continue", &m->on_error_continue, false);
    case 5:
        return set_flag(m, argc, argv, "on off", &m->step_print, true);
    default:
        return -1;
    }
}

/* ---- map / unmap ---------------------------------------------------- */

/* Where GUEST's PTE for VA lives; -1 after reporting when paging is off
 * or VA is beyond the 4 MiB space. */
static int pte_address(struct mon *m, int id, uint32_t va, uint32_t *pte_gpa)
{
    const struct visa_guest *g = G(m, id);
    if (g->vmcs.ptbr == 0) {
        mon_error(m, "guest %d has paging off (PTBR 0): no page table to write", id);
        return -1;
    }
    if (va >= VISA_VA_LIMIT) {
        mon_error(m, "VA 0x%08" PRIx32 " is beyond the 4 MiB virtual space", va);
        return -1;
    }
    *pte_gpa = (g->vmcs.ptbr & VISA_PTE_FRAME) + 4 * (va >> VISA_PAGE_SHIFT);
    return 0;
}

static int write_pte(struct mon *m, int id, uint32_t pte_gpa, uint32_t pte)
{
    uint8_t buf[4];
    visa_store_be32(buf, pte);
    int rc = visa_hv_write_phys(m->hv, id, pte_gpa, buf, 4);
    if (rc < 0) {
        mon_error(m, "cannot write guest %d's PTE at GPA 0x%08" PRIx32 ": %s",
                  id, pte_gpa, visa_strerror(rc));
        return -1;
    }
    return 0;
}

static int read_pte(struct mon *m, int id, uint32_t pte_gpa, uint32_t *pte)
{
    uint8_t buf[4];
    int rc = visa_hv_read_phys(m->hv, id, pte_gpa, buf, 4);
    if (rc < 0) {
        mon_error(m, "cannot read guest %d's PTE at GPA 0x%08" PRIx32 ": %s",
                  id, pte_gpa, visa_strerror(rc));
        return -1;
    }
    *pte = visa_load_be32(buf);
    return 0;
}

/* FLAGS of map: letters from "wx" (present is implied; "r" or "p" alone
 * say read-only).  True when S is such a word. */
static bool parse_map_flags(const char *s, uint32_t *flags)
{
    uint32_t f = VISA_PTE_P;
    if (!*s)
        return false;
    for (; *s; s++) {
        switch (*s) {
        case 'w': f |= VISA_PTE_W; break;
        case 'x': f |= VISA_PTE_X; break;
        case 'r': case 'p': break;
        default: return false;
        }
    }
    *flags = f;
    return true;
}

int mon_cmd_map(struct mon *m, int argc, char **argv, const char *rest)
{
    uint32_t flags = VISA_PTE_P | VISA_PTE_W | VISA_PTE_X;
    (void)rest;
    /* FLAGS, when given, is the last argument and is a word of flag
     * letters: a third argument that is not one makes the first a GUEST */
    if (argc >= 4 && parse_map_flags(argv[argc - 1], &flags))
        argc--;
    if (argc < 3) {
        mon_error(m, "usage: map [GUEST] VA GPA [FLAGS] (FLAGS: letters from wx)");
        return -1;
    }
    if (argc > 4) {
        return mon_max_args(m, argc, 0, "map [GUEST] VA GPA [FLAGS]");
    }
    int id;
    if (mon_guest_arg(m, &argc, &argv, NULL, 2, &id) < 0)
        return -1;
    uint32_t va, gpa, pte_gpa, old;
    if (mon_eval(m, argv[1], id, &va) < 0 || mon_eval(m, argv[2], id, &gpa) < 0)
        return -1;
    if (gpa & (VISA_PAGE_SIZE - 1)) {
        mon_error(m, "GPA 0x%08" PRIx32 " is not the start of a frame (a multiple of 0x1000)",
                  gpa);
        return -1;
    }
    if (pte_address(m, id, va, &pte_gpa) < 0 || read_pte(m, id, pte_gpa, &old) < 0)
        return -1;
    uint32_t pte = gpa | flags;
    if (write_pte(m, id, pte_gpa, pte) < 0)
        return -1;
    uint32_t page = va & ~(VISA_PAGE_SIZE - 1);
    mon_printf(m, "guest %d: VA 0x%08" PRIx32 "-0x%08" PRIx32 " -> GPA 0x%08" PRIx32
               " (P%s%s): PTE at GPA 0x%08" PRIx32 " = 0x%08" PRIx32
               " (was 0x%08" PRIx32 "); TLB flushed\n",
               id, page, page + VISA_PAGE_SIZE - 1, gpa,
               (flags & VISA_PTE_W) ? " W" : "", (flags & VISA_PTE_X) ? " X" : "",
               pte_gpa, pte, old);
    return 0;
}

int mon_cmd_unmap(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    if (argc < 2) {
        mon_error(m, "usage: unmap [GUEST] VA");
        return -1;
    }
    if (mon_guest_arg(m, &argc, &argv, &rest, 1, &id) < 0)
        return -1;
    uint32_t va, pte_gpa, old;
    if (mon_eval(m, rest, id, &va) < 0 || pte_address(m, id, va, &pte_gpa) < 0 ||
        read_pte(m, id, pte_gpa, &old) < 0)
        return -1;
    if (write_pte(m, id, pte_gpa, 0) < 0)
        return -1;
    uint32_t page = va & ~(VISA_PAGE_SIZE - 1);
    mon_printf(m, "guest %d: VA 0x%08" PRIx32 "-0x%08" PRIx32 " unmapped: PTE at GPA 0x%08"
               PRIx32 " = 0 (was 0x%08" PRIx32 "); TLB flushed\n",
               id, page, page + VISA_PAGE_SIZE - 1, pte_gpa, old);
    return 0;
}

/* ---- slice ---------------------------------------------------------- */

#define SLICE_MAX 0x80000000u

static int parse_slice(struct mon *m, const char *expr, int id, uint32_t *n)
{
    if (mon_eval(m, expr, id, n) < 0)
        return -1;
    if (*n < 1 || *n > SLICE_MAX) {
        mon_error(m, "slice %" PRIu32 " out of range (1-%" PRIu32 ")", *n, SLICE_MAX);
        return -1;
    }
    return 0;
}

static void show_slices(struct mon *m)
{
    mon_printf(m, "slice %" PRIu32 " (global)\n", m->hv->slice);
    for (int id = 1; id <= m->hv->nguests; id++)
        if (G(m, id)->vmcs.slice)
            mon_printf(m, "guest %d: slice %" PRIu32 "\n", id, G(m, id)->vmcs.slice);
}

int mon_cmd_slice(struct mon *m, int argc, char **argv, const char *rest)
{
    uint32_t n;
    int rc;
    if (argc == 1) {
        show_slices(m);
        return 0;
    }
    if (argc == 2) {
        if (parse_slice(m, rest, 0, &n) < 0)
            return -1;
        rc = visa_hv_set_slice(m->hv, n);
        if (rc < 0) {
            mon_error(m, "cannot set the slice: %s", visa_strerror(rc));
            return -1;
        }
        show_slices(m);
        return 0;
    }
    int id;
    if (mon_parse_guest(m, argv[1], &id) < 0)
        return -1;
    const char *what = mon_skip_words(rest, 1);
    if (strcmp(what, "default") == 0)
        n = 0;
    else if (parse_slice(m, what, id, &n) < 0)
        return -1;
    rc = visa_hv_set_guest_slice(m->hv, id, n);
    if (rc < 0) {
        mon_error(m, "cannot set guest %d's slice: %s", id, visa_strerror(rc));
        return -1;
    }
    if (n)
        mon_printf(m, "guest %d: slice %" PRIu32 "\n", id, n);
    else
        mon_printf(m, "guest %d: slice %" PRIu32 " (global)\n", id, m->hv->slice);
    return 0;
}

/* ---- guest, pause, resume, reset ------------------------------------ */

static void show_guest(struct mon *m, int id)
{
    const struct visa_guest *g = G(m, id);
    char sym[128];
    mon_symbolize(m, id, g->pc, sym, sizeof sym);
    mon_printf(m, "guest %d (%s): %s, pc 0x%08" PRIx32 "%s%s\n", id,
               m->g[id].img && m->g[id].img->path ? m->g[id].img->path : "-",
               state_name(g), g->pc, sym[0] ? " " : "", sym);
}

int mon_cmd_guest(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    (void)rest;
    if (mon_max_args(m, argc - 1, 1, "guest [GUEST]") < 0)
        return -1;
    if (argc == 2) {
        if (mon_parse_guest(m, argv[1], &id) < 0)
            return -1;
        m->focus = id;
    } else if ((id = mon_focus(m)) < 0) {
        return -1;
    }
    show_guest(m, id);
    return 0;
}

/* The one GUEST argument of pause and resume (required). */
static int one_guest(struct mon *m, int argc, char **argv, const char *usage, int *id)
{
    if (argc != 2) {
        mon_error(m, "usage: %s", usage);
        return -1;
    }
    return mon_parse_guest(m, argv[1], id);
}

int mon_cmd_pause(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    (void)rest;
    if (one_guest(m, argc, argv, "pause GUEST", &id) < 0)
        return -1;
    struct visa_guest *g = G(m, id);
    if (g->state == VISA_STATE_STOPPED || g->state == VISA_STATE_PAUSED) {
        mon_error(m, "guest %d is %s: it cannot be paused", id, state_name(g));
        return -1;
    }
    int rc = visa_hv_pause(m->hv, id);
    if (rc < 0) {
        mon_error(m, "cannot pause guest %d: %s", id, visa_strerror(rc));
        return -1;
    }
    mon_printf(m, "guest %d: %s\n", id, state_name(g));
    return 0;
}

int mon_cmd_resume(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    (void)rest;
    if (one_guest(m, argc, argv, "resume GUEST", &id) < 0)
        return -1;
    struct visa_guest *g = G(m, id);
    if (g->state != VISA_STATE_PAUSED && g->state != VISA_STATE_BLOCKED) {
        mon_error(m, "guest %d is %s: only a PAUSED or BLOCKED guest can be resumed",
                  id, state_name(g));
        return -1;
    }
    int rc = visa_hv_resume(m->hv, id);
    if (rc < 0) {
        mon_error(m, "cannot resume guest %d: %s", id, visa_strerror(rc));
        return -1;
    }
    mon_printf(m, "guest %d: %s\n", id, state_name(g));
    return 0;
}

/* What `regs` compares against: the state right now. */
static void note_regs(struct mon *m, int id)
{
    const struct visa_guest *g = G(m, id);
    memcpy(m->g[id].prev_r, g->r, sizeof m->g[id].prev_r);
    m->g[id].prev_pc = g->pc;
}

int mon_reset_guest(struct mon *m, int id)
{
    int rc = visa_hv_reset_guest(m->hv, id);
    if (rc < 0) {
        mon_error(m, "cannot reset guest %d: %s", id, visa_strerror(rc));
        return -1;
    }
    if (m->con)
        console_reset_guest(m->con, id);
    mon_run_reset(m, id);
    note_regs(m, id);
    /* the core zeroed the guest's counters: `stats` counts from 0 again */
    m->stats_base_icount[id] = 0;
    memset(m->stats_base_exits[id], 0, sizeof m->stats_base_exits[id]);
    memset(m->stats_base_tlb[id], 0, sizeof m->stats_base_tlb[id]);
    return 0;
}

static int reset_one(struct mon *m, int id)
{
    if (mon_reset_guest(m, id) < 0)
        return -1;
    mon_printf(m, "guest %d: reset (%s, pc 0x%08" PRIx32 ")\n", id,
               state_name(G(m, id)), G(m, id)->pc);
    return 0;
}

int mon_cmd_reset(struct mon *m, int argc, char **argv, const char *rest)
{
    (void)rest;
    if (mon_max_args(m, argc - 1, 1, "reset [GUEST]") < 0)
        return -1;
    if (argc == 2) {
        int id;
        if (mon_parse_guest(m, argv[1], &id) < 0)
            return -1;
        return reset_one(m, id);
    }
    if (m->hv->nguests == 0) {
        mon_error(m, "no guest loaded");
        return -1;
    }
    for (int id = 1; id <= m->hv->nguests; id++)
        if (reset_one(m, id) < 0)
            return -1;
    return 0;
}

/* ---- load ----------------------------------------------------------- */

/* Assembler and loader diagnostics, as visa-as prints them. */
static void load_diag(void *ctx, const struct visa_diag *d)
{
    struct mon *m = ctx;
    fflush(m->out);
    if (d->line)
        fprintf(m->err, "%s:%u:%u: %s: %s\n", d->file, d->line, d->col,
                d->severity, d->msg);
    else
        fprintf(m->err, "%s: %s: %s\n", d->file, d->severity, d->msg);
    if (d->src) {
        fprintf(m->err, " %.*s\n", (int)d->src_len, d->src);
        if (d->col)
            fprintf(m->err, " %*s^\n", (int)d->col - 1, "");
    }
}

int mon_cmd_load(struct mon *m, int argc, char **argv, const char *rest)
{
    (void)rest;
    if (argc != 2) {
        mon_error(m, "usage: load IMAGE");
        return -1;
    }
    if (m->hv->nguests >= VISA_MAX_GUESTS) {
        mon_error(m, "%s", visa_strerror(VISA_ETOOMANY));
        return -1;
    }
    struct visa_image *img = calloc(1, sizeof *img);
    if (!img) {
        mon_error(m, "out of memory");
        return -1;
    }
    if (visa_load_image(argv[1], img, load_diag, m) < 0) {
        free(img);
        mon_error(m, "cannot load %s", argv[1]);
        return -1;
    }
    int id = visa_hv_add_guest(m->hv, img->bytes, img->size);
    if (id < 0) {
        mon_error(m, "cannot add %s: %s", argv[1], visa_strerror(id));
        visa_image_free(img);
        free(img);
        return -1;
    }
    m->g[id].img = img;
    mon_run_reset(m, id);
    note_regs(m, id);
    if (m->con)
        console_set_prefixed(m->con, m->hv->nguests > 1);
    if (m->focus == 0)
        m->focus = id;
    mon_printf(m, "guest %d: loaded %s (%" PRIu32 " bytes, %zu symbol%s)\n", id,
               argv[1], img->size, img->syms.n, img->syms.n == 1 ? "" : "s");
    return 0;
}

/* ---- input ---------------------------------------------------------- */

int mon_cmd_input(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    if (argc < 3) {
        mon_error(m, "usage: input GUEST TEXT");
        return -1;
    }
    if (mon_parse_guest(m, argv[1], &id) < 0)
        return -1;
    /* TEXT: the raw rest of the line (so spaces count); quotes may keep
     * leading blanks */
    size_t n;
    char *text = mon_unescape(m, mon_skip_words(rest, 1), &n);
    if (!text)
        return -1;
    text[n++] = '\n';                 /* over the NUL */
    int rc = m->con ? console_queue_input(m->con, id, text, n) : -1;
    free(text);
    if (rc < 0) {
        mon_error(m, "cannot queue input for guest %d", id);
        return -1;
    }
    mon_printf(m, "guest %d: %zu byte%s of input queued\n", id, n, n == 1 ? "" : "s");
    return 0;
}

/* ---- trapcfg -------------------------------------------------------- */

static const char *exit_name(unsigned cause)
{
    return visa_exittab[cause].name;
}

/* "+cr", "-io", "+cr_write": 0 and the control's bit in *BIT, else -1. */
static int trap_word(const char *s, uint32_t *bit)
{
    static const struct { unsigned cause; uint32_t bit; } t[] = {
        { VISA_EXIT_CR_WRITE, VISA_TRAP_CR }, { VISA_EXIT_IO, VISA_TRAP_IO },
    };
    if (s[0] != '+' && s[0] != '-')
        return -1;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const struct visa_exitinfo *e = &visa_exittab[t[i].cause];
        if (strcmp(s + 1, e->name) == 0 || (e->alias && strcmp(s + 1, e->alias) == 0)) {
            *bit = t[i].bit;
            return 0;
        }
    }
    return -1;
}

int mon_cmd_trapcfg(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    (void)rest;
    /* a first argument that is not a +-control word is the GUEST */
    int first = 1;
    uint32_t bit;
    if (argc > 1 && argv[1][0] != '+' && argv[1][0] != '-') {
        if (mon_parse_guest(m, argv[1], &id) < 0)
            return -1;
        first = 2;
    } else if ((id = mon_focus(m)) < 0) {
        return -1;
    }
    struct visa_guest *g = G(m, id);
    uint32_t ctl = g->vmcs.trap_ctl;
    for (int i = first; i < argc; i++) {
        if (trap_word(argv[i], &bit) < 0) {
            mon_error(m, "bad trap control '%s' (+cr -cr +io -io)", argv[i]);
            return -1;
        }
        ctl = argv[i][0] == '+' ? ctl | bit : ctl & ~bit;
    }
    g->vmcs.trap_ctl = ctl;
    mon_printf(m, "guest %d: %s %s, %s %s\n", id,
               exit_name(VISA_EXIT_CR_WRITE), (ctl & VISA_TRAP_CR) ? "on" : "off",
               exit_name(VISA_EXIT_IO), (ctl & VISA_TRAP_IO) ? "on" : "off");
    return 0;
}
