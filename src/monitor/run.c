/* run.c - running the machine, breakpoints, watchpoints and stop reports.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core runs and returns a reason (enum visa_stop); this file turns
 * reasons into words, as gdb would say them.  Breakpoints reach the core
 * as hooks (struct visa_callbacks), installed only for the run that needs
 * them, so an unbreakpointed `continue` stays on the core's fast path:
 *   before_insn  pc breakpoints, and the end of `next`
 *   after_insn   watchpoints, the end of `finish`, `tick` printing
 *   on_exit      exit breakpoints, `tick` printing of every exit
 */
#include <config.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "visa/disas.h"
#include "monitor.h"

#define CHUNK 65536u            /* instructions between Ctrl-C checks */

enum bp_kind { BP_PC, BP_EXIT, BP_WATCH };

struct bp {
    int num;
    enum bp_kind kind;
    bool enabled, temp;
    int guest;                  /* 0: every guest */
    char *sym;                  /* a symbolic location, else NULL */
    uint32_t addr;              /* a fixed pc, or the watched VA */
    uint32_t at[VISA_MAX_GUESTS + 1];   /* pc per guest (armed) */
    bool at_ok[VISA_MAX_GUESTS + 1];
    int cause;                  /* exit: a cause, or 0 for any */
    char *cond;                 /* NULL: unconditional */
    uint64_t ignore, hits;
    bool old_ok;                /* watch: the word last seen */
    uint32_t old;
    char **cmds;
    size_t ncmds;
};

enum why { WHY_NONE, WHY_BP, WHY_WATCH, WHY_DONE, WHY_COND };
enum mode { MODE_RUN, MODE_STEP, MODE_NEXT, MODE_FINISH, MODE_TICK };

struct mon_bps {
    struct bp **v;
    size_t n, cap;
    int next_num;
    int last_set;               /* for `commands` without N */
    int last_hit;               /* the breakpoint of the last stop */
    /* resuming after a pc breakpoint runs that instruction first */
    int skip_guest;
    uint32_t skip_pc;
    /* pc breakpoints are checked by hook_before (the core could not take
     * them), else by the core (visa_hv_set_breakpoints: the fast path) */
    bool bps_in_hook;
    /* the current run */
    enum mode mode;
    bool tick_print;
    int tgt_guest;              /* next/finish */
    uint32_t tgt_pc, tgt_sp;
    enum why why;
    int why_bp, why_guest;
    bool w_old_ok, w_new_ok;
    uint32_t w_old, w_new;
    uint64_t used;              /* instructions run, for --max-instructions */
    /* breakpoint commands waiting to run after a stop */
    int pending;
    bool in_cmds;
    bool resumed;               /* a command in a list resumed the machine */
};

/* ---- Small helpers ---------------------------------------------------- */

static struct mon_bps *B(struct mon *m) { return m->priv->bps; }

static struct visa_guest *G(struct mon *m, int id) { return visa_hv_guest(m->hv, id); }

static const char *state_name(enum visa_state s)
{
    return (unsigned)s < VISA_STATE_COUNT ? visa_state_names[s] : "?";
}

static struct bp *find_bp(struct mon *m, int num)
{
    for (size_t i = 0; i < B(m)->n; i++)
        if (B(m)->v[i]->num == num)
            return B(m)->v[i];
    return NULL;
}

static void free_bp(struct bp *b)
{
    free(b->sym);
    free(b->cond);
    for (size_t i = 0; i < b->ncmds; i++)
        free(b->cmds[i]);
    free(b->cmds);
    free(b);
}

static void delete_bp(struct mon *m, struct bp *b)
{
    struct mon_bps *s = B(m);
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == b) {
            memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
            s->n--;
            break;
        }
    if (s->last_hit == b->num)
        s->last_hit = 0;
    if (s->pending == b->num)
        s->pending = 0;
    free_bp(b);
}

static uint32_t read_word(const struct mon *m, int guest, uint32_t va, bool *ok)
{
    uint8_t b[4];
    *ok = visa_hv_read_virt(m->hv, guest, va, b, 4) == 0;
    return *ok ? visa_load_be32(b) : 0;
}

static bool is_store(uint32_t word)
{
    switch (visa_op(word)) {
    case VISA_OP_STB: case VISA_OP_STW: case VISA_OP_PUSH:
    case VISA_OP_CALL: case VISA_OP_CALLR:
        return true;
    default:
        return false;
    }
}

/* Parse a count argument (>= 1). */
static int parse_count(struct mon *m, const char *what, const char *expr,
                       uint64_t *n)
{
    uint32_t v;
    if (mon_eval(m, expr, 0, &v) < 0)
        return -1;
    if (v == 0) {
        mon_error(m, "%s needs a count of at least 1", what);
        return -1;
    }
    *n = v;
    return 0;
}

/* ---- Formatting ---------------------------------------------------------- */

static const char *fmt_loc(const struct mon *m, int guest, uint32_t pc,
                           uint32_t word, bool ok, char *buf, size_t size)
{
    char sym[128], dis[96];
    mon_symbolize(m, guest, pc, sym, sizeof sym);
    if (!ok) {
        snprintf(buf, size, "0x%08" PRIx32 "%s%s:  (cannot read memory)", pc,
                 sym[0] ? " " : "", sym);
        return buf;
    }
    visa_disas_insn(word, pc, mon_syms(m, guest), dis, sizeof dis);
    snprintf(buf, size, "0x%08" PRIx32 "%s%s:  %02x %02x %02x %02x  %s", pc,
             sym[0] ? " " : "", sym, (unsigned)(word >> 24),
             (unsigned)(word >> 16) & 0xFF, (unsigned)(word >> 8) & 0xFF,
             (unsigned)word & 0xFF, dis);
    return buf;
}

const char *mon_loc(const struct mon *m, int guest, uint32_t pc,
                    char *buf, size_t size)
{
    bool ok;
    uint32_t w = read_word(m, guest, pc, &ok);
    return fmt_loc(m, guest, pc, w, ok, buf, size);
}

const char *mon_exit_desc(const struct mon *m, int guest, char *buf, size_t size)
{
    const struct visa_guest *g = visa_hv_guest(m->hv, guest);
    const struct visa_vmcs *v = g ? &g->vmcs : NULL;
    if (!v || v->exit_cause == VISA_EXIT_NONE || v->exit_cause >= VISA_EXIT_COUNT) {
        snprintf(buf, size, "none");
        return buf;
    }
    char q[128], sym[128];
    size_t len = (size_t)snprintf(buf, size, "%s",
                                  visa_exittab[v->exit_cause].name);
    if (v->exit_cause != VISA_EXIT_HALT && len < size)
        len += (size_t)snprintf(buf + len, size - len, ", qual %s",
                                mon_fmt_qual(v->exit_cause, v->exit_qual, q, sizeof q));
    mon_symbolize(m, guest, v->exit_pc, sym, sizeof sym);
    if (len < size)
        len += (size_t)snprintf(buf + len, size - len, ", at pc 0x%08" PRIx32 "%s%s",
                                v->exit_pc, sym[0] ? " " : "", sym);
    if (v->exit_va_valid && len < size)
        len += (size_t)snprintf(buf + len, size - len, ", va 0x%08" PRIx32, v->exit_va);
    if (v->exit_gpa_valid && len < size)
        snprintf(buf + len, size - len, ", gpa 0x%08" PRIx32, v->exit_gpa);
    return buf;
}

/* End a guest's partial console line before the monitor speaks.  With
 * several guests, output is line-buffered per guest with [gN] prefixes:
 * a partial line stays buffered until it is complete, the guest stops
 * for good, it is the guest the run stopped in, or the session ends. */
static void console_break(struct mon *m)
{
    if (m->con) {
        for (int id = 1; id <= m->hv->nguests; id++)
            if (m->hv->g[id - 1].state == VISA_STATE_STOPPED)
                console_flush_guest(m->con, id);
        fflush(m->con->out);
    }
    if (m->priv->console_mid_line)
        fputc('\n', m->out);
    m->priv->console_mid_line = false;
}

/* "=> [gN ]LOC": where GUEST is now. */
static void print_where(struct mon *m, int guest)
{
    struct visa_guest *g = G(m, guest);
    char loc[256];
    if (!g)
        return;
    mon_printf(m, "%s=>%s ", mon_sgr(m, MON_SGR_PC), mon_sgr(m, MON_SGR_OFF));
    if (m->hv->nguests > 1)
        mon_printf(m, "g%d ", guest);
    mon_printf(m, "%s\n", mon_loc(m, guest, g->pc, loc, sizeof loc));
}

/* What became of GUEST since it was in state BEFORE. */
static void print_state_change(struct mon *m, int guest)
{
    struct visa_guest *g = G(m, guest);
    char d[384];
    if (g->state == VISA_STATE_STOPPED) {
        if (g->vmcs.exit_cause == VISA_EXIT_HALT)
            mon_printf(m, "Guest %d halted.\n", guest);
        else
            mon_printf(m, "Guest %d exited with code %" PRIu32 ".\n", guest,
                       g->exit_code);
    } else if (g->state == VISA_STATE_BLOCKED) {
        mon_printf(m, "Guest %d is BLOCKED: exit %s.\n", guest,
                   mon_exit_desc(m, guest, d, sizeof d));
        print_where(m, guest);
    } else {
        mon_printf(m, "Guest %d is %s.\n", guest, state_name(g->state));
    }
}

/* ---- The hooks ------------------------------------------------------------ */

/* Does breakpoint B, having matched in GUEST, stop the machine?  Counts
 * the hit, honours the condition and the ignore count. */
static bool bp_fires(struct mon *m, struct bp *b, int guest, int exit_guest)
{
    if (b->cond) {
        uint32_t v;
        m->exit_guest = exit_guest;
        int rc = mon_eval(m, b->cond, guest, &v);
        m->exit_guest = 0;
        if (rc < 0) {
            /* as gdb: an error in a condition stops, so it can be fixed */
            B(m)->why = WHY_COND;
            return true;
        }
        if (!v)
            return false;
    }
    b->hits++;
    if (b->ignore > 0) {
        b->ignore--;
        return false;
    }
    return true;
}

/* Does a pc breakpoint of GUEST at PC stop the machine?  Sets why. */
static bool pc_bp_fires(struct mon *m, int guest, uint32_t pc)
{
    struct mon_bps *s = B(m);
    for (size_t i = 0; i < s->n; i++) {
        struct bp *b = s->v[i];
        if (b->kind != BP_PC || !b->enabled || (b->guest && b->guest != guest) ||
            !b->at_ok[guest] || b->at[guest] != pc)
            continue;
        if (bp_fires(m, b, guest, 0)) {
            if (s->why != WHY_COND)
                s->why = WHY_BP;
            s->why_bp = b->num;
            s->why_guest = guest;
            return true;
        }
    }
    return false;
}

static int hook_before(void *ctx, struct visa_hv *hv, int guest, uint32_t pc)
{
    struct mon *m = ctx;
    struct mon_bps *s = B(m);
    if (s->tgt_guest == guest && s->mode == MODE_NEXT && pc == s->tgt_pc &&
        hv->g[guest - 1].r[VISA_REG_SP] >= s->tgt_sp) {
        s->why = WHY_DONE;
        s->why_guest = guest;
        return 1;
    }
    if (s->skip_guest == guest) {
        bool skip = s->skip_pc == pc;
        s->skip_guest = 0;
        if (skip)
            return 0;
    }
    return s->bps_in_hook && pc_bp_fires(m, guest, pc);
}

static int hook_after(void *ctx, struct visa_hv *hv, int guest, uint32_t pc,
                      uint32_t word)
{
    struct mon *m = ctx;
    struct mon_bps *s = B(m);
    int stop = 0;
    if (s->tick_print) {
        char loc[256];
        console_break(m);
        mon_printf(m, "g%d %s\n", guest, fmt_loc(m, guest, pc, word, true, loc, sizeof loc));
    }
    if (s->mode == MODE_FINISH && guest == s->tgt_guest &&
        visa_op(word) == VISA_OP_RET &&
        hv->g[guest - 1].r[VISA_REG_SP] - 4 >= s->tgt_sp) {
        s->why = WHY_DONE;
        s->why_guest = guest;
        stop = 1;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct bp *b = s->v[i];
        if (b->kind != BP_WATCH || !b->enabled || b->guest != guest)
            continue;
        bool ok;
        uint32_t now = read_word(m, guest, b->addr, &ok);
        bool changed = ok && b->old_ok && now != b->old;
        bool was_ok = b->old_ok;
        uint32_t was = b->old;
        /* a remapping is no write: only stores can fire it */
        b->old = now;
        b->old_ok = ok;
        if (!stop && changed && is_store(word) && bp_fires(m, b, guest, 0)) {
            if (s->why != WHY_COND)
                s->why = WHY_WATCH;
            s->why_bp = b->num;
            s->why_guest = guest;
            s->w_old = was;
            s->w_old_ok = was_ok;
            s->w_new = now;
            s->w_new_ok = ok;
            stop = 1;
        }
    }
    return stop;
}

static int hook_exit(void *ctx, struct visa_hv *hv, int guest)
{
    struct mon *m = ctx;
    struct mon_bps *s = B(m);
    const struct visa_vmcs *v = &hv->g[guest - 1].vmcs;
    if (s->tick_print) {
        char d[384];
        console_break(m);
        mon_printf(m, "g%d exit %s\n", guest, mon_exit_desc(m, guest, d, sizeof d));
    }
    for (size_t i = 0; i < s->n; i++) {
        struct bp *b = s->v[i];
        if (b->kind != BP_EXIT || !b->enabled || (b->guest && b->guest != guest) ||
            (b->cause && (uint32_t)b->cause != v->exit_cause))
            continue;
        if (bp_fires(m, b, guest, guest)) {
            if (s->why != WHY_COND)
                s->why = WHY_BP;
            s->why_bp = b->num;
            s->why_guest = guest;
            return 1;
        }
    }
    return 0;
}

/* Install the hooks this run needs, and nothing else (the fast path). */
static void arm(struct mon *m)
{
    struct mon_bps *s = B(m);
    bool pc = s->mode == MODE_NEXT, after = s->mode == MODE_FINISH || s->tick_print,
         ex = s->tick_print;
    size_t npc = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct bp *b = s->v[i];
        if (!b->enabled)
            continue;
        if (b->kind == BP_PC) {
            for (int g = 1; g <= m->hv->nguests; g++) {
                const struct visa_sym *sym =
                    b->sym ? visa_symtab_find(mon_syms(m, g), b->sym) : NULL;
                b->at_ok[g] = !b->sym || sym;
                b->at[g] = sym ? sym->addr : b->addr;
                npc += b->at_ok[g] && (!b->guest || b->guest == g);
            }
        } else if (b->kind == BP_WATCH) {
            after = true;
            b->old = read_word(m, b->guest, b->addr, &b->old_ok);
        } else {
            ex = true;
        }
    }
    struct visa_guest *sg = G(m, s->skip_guest);
    if (sg && sg->pc != s->skip_pc)
        s->skip_guest = 0;
    /* pc breakpoints go to the core, which checks them only where they
     * are; each (guest, pc) once per guest it applies to */
    struct visa_bp *cb_bps = npc ? calloc(npc, sizeof *cb_bps) : NULL;
    size_t k = 0;
    for (size_t i = 0; cb_bps && i < s->n; i++) {
        struct bp *b = s->v[i];
        if (b->kind != BP_PC || !b->enabled)
            continue;
        for (int g = 1; g <= m->hv->nguests; g++)
            if (b->at_ok[g] && (!b->guest || b->guest == g) && k < npc)
                cb_bps[k++] = (struct visa_bp){ .guest = g, .pc = b->at[g] };
    }
    s->bps_in_hook = (npc && !cb_bps) ||
                     visa_hv_set_breakpoints(m->hv, cb_bps, k) < 0;
    free(cb_bps);
    if (s->bps_in_hook) {
        visa_hv_set_breakpoints(m->hv, NULL, 0);
        pc = pc || npc > 0;
    }
    visa_hv_skip_breakpoint(m->hv, s->skip_guest, s->skip_pc);
    struct visa_callbacks cb = m->hv->cb;
    cb.ctx = m;
    cb.before_insn = pc ? hook_before : NULL;
    cb.after_insn = after ? hook_after : NULL;
    cb.on_exit = ex ? hook_exit : NULL;
    visa_hv_set_callbacks(m->hv, &cb);
}

static void disarm(struct mon *m)
{
    /* the core took (or keeps) the skip; a stop at a breakpoint sets it
     * again (report) */
    B(m)->skip_guest = 0;
    struct visa_callbacks cb = m->hv->cb;
    cb.before_insn = NULL;
    cb.after_insn = NULL;
    cb.on_exit = NULL;
    visa_hv_set_callbacks(m->hv, &cb);
}

void mon_run_arm(struct mon *m)
{
    arm(m);
}

void mon_run_reset(struct mon *m, int guest)
{
    if (B(m)->skip_guest == guest)
        B(m)->skip_guest = 0;
}

/* ---- Life cycle -------------------------------------------------------------- */

int mon_run_init(struct mon *m)
{
    m->priv->bps = calloc(1, sizeof *m->priv->bps);
    if (!m->priv->bps)
        return -1;
    m->priv->bps->next_num = 1;
    return 0;
}

void mon_run_free(struct mon *m)
{
    struct mon_bps *s = B(m);
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_bp(s->v[i]);
    free(s->v);
    free(s);
    m->priv->bps = NULL;
}

void mon_note_stop(struct mon *m)
{
    for (int i = 1; i <= m->hv->nguests && i <= VISA_MAX_GUESTS; i++) {
        const struct visa_guest *g = &m->hv->g[i - 1];
        memcpy(m->g[i].prev_r, g->r, sizeof g->r);
        m->g[i].prev_pc = g->pc;
    }
}

/* ---- Running ----------------------------------------------------------------- */

/* Instructions left under --max-instructions (UINT64_MAX: no limit). */
static uint64_t budget_left(struct mon *m)
{
    if (!m->max_insns)
        return UINT64_MAX;
    return B(m)->used >= m->max_insns ? 0 : m->max_insns - B(m)->used;
}

static bool budget_check(struct mon *m)
{
    if (budget_left(m) > 0)
        return true;
    mon_error(m, "the instruction budget (--max-instructions=%" PRIu64 ") is used up",
              m->max_insns);
    return false;
}

static bool any_running(struct mon *m)
{
    for (int i = 1; i <= m->hv->nguests; i++)
        if (G(m, i)->state == VISA_STATE_RUNNING)
            return true;
    return false;
}

/* The focused guest, which must be RUNNING for step, next, finish. */
static int runnable_focus(struct mon *m)
{
    int g = mon_focus(m);
    if (g < 0)
        return -1;
    struct visa_guest *x = G(m, g);
    if (x->state != VISA_STATE_RUNNING) {
        char d[384];
        if (x->state == VISA_STATE_BLOCKED)
            mon_error(m, "guest %d is BLOCKED (exit %s); fix the cause, then "
                      "'resume %d'", g, mon_exit_desc(m, g, d, sizeof d), g);
        else
            mon_error(m, "guest %d is %s, not RUNNING", g, state_name(x->state));
        return -1;
    }
    return g;
}

/* Run commands of the breakpoint that stopped the machine.  A command that
 * runs the machine again may stop at another breakpoint: its commands are
 * picked up by this loop rather than by recursion, so a list that says
 * `continue` cannot exhaust the stack. */
static void run_pending_commands(struct mon *m)
{
    struct mon_bps *s = B(m);
    if (s->in_cmds)
        return;
    s->in_cmds = true;
    while (s->pending && !(m->interrupt && *m->interrupt) && !m->quit) {
        struct bp *b = find_bp(m, s->pending);
        s->pending = 0;
        if (!b)
            break;
        /* copy: a command may delete or redefine the breakpoint */
        size_t n = b->ncmds;
        char **cmds = calloc(n ? n : 1, sizeof *cmds);
        if (!cmds)
            break;
        for (size_t i = 0; i < n; i++)
            cmds[i] = strdup(b->cmds[i]);
        s->resumed = false;
        for (size_t i = 0; i < n && !s->resumed && !m->quit; i++)
            if (cmds[i] && strcmp(cmds[i], "silent") && mon_exec_line(m, cmds[i]) < 0)
                break;
        for (size_t i = 0; i < n; i++)
            free(cmds[i]);
        free(cmds);
    }
    s->in_cmds = false;
}

static bool silent_bp(struct bp *b)
{
    return b && b->ncmds > 0 && !strcmp(b->cmds[0], "silent");
}

/* Report why the run stopped (ST, guest WHO), given the guests' states
 * BEFORE it; focus that guest. */
static void report(struct mon *m, enum visa_stop st, int who,
                   const enum visa_state *before, bool limited)
{
    struct mon_bps *s = B(m);
    struct bp *b = NULL;
    char loc[256], d[384];
    /* The guest that stopped is the one the user looks at: show its
     * partial line now; the others' lines stay whole. */
    if (m->con && who > 0)
        console_flush_guest(m->con, who);
    console_break(m);
    if (st == VISA_STOP_BREAK && s->why_guest)
        who = s->why_guest;
    bool exit_bp = false;
    if (st == VISA_STOP_BREAK && (s->why == WHY_BP || s->why == WHY_WATCH ||
                                  s->why == WHY_COND)) {
        b = find_bp(m, s->why_bp);
        exit_bp = b && b->kind == BP_EXIT;
    }
    for (int i = 1; i <= m->hv->nguests; i++)
        if (G(m, i)->state != before[i] && !(exit_bp && i == who))
            print_state_change(m, i);
    if (who > 0 && who <= m->hv->nguests)
        m->focus = who;
    s->last_hit = 0;
    switch (st) {
    case VISA_STOP_BREAK:
        if (s->why == WHY_COND) {
            mon_printf(m, "Error in testing the condition of breakpoint %d; it "
                       "stopped guest %d.\n", s->why_bp, who);
            print_where(m, who);
        } else if (s->why == WHY_DONE) {
            print_where(m, who);
        } else if (b && b->kind == BP_WATCH) {
            mon_printf(m, "%satchpoint %d, guest %d: *0x%08" PRIx32 "%s%s\n",
                       b->temp ? "Temporary w" : "W", b->num, who, b->addr,
                       mon_symbolize(m, who, b->addr, loc, sizeof loc)[0] ? " " : "",
                       loc);
            mon_printf(m, "Old value = 0x%08" PRIx32 " (%" PRIu32 ")\n", s->w_old, s->w_old);
            mon_printf(m, "New value = 0x%08" PRIx32 " (%" PRIu32 ")\n", s->w_new, s->w_new);
            print_where(m, who);
        } else if (b && b->kind == BP_EXIT) {
            if (!silent_bp(b)) {
                mon_printf(m, "%sreakpoint %d, guest %d exit %s\n",
                           b->temp ? "Temporary b" : "B", b->num, who,
                           mon_exit_desc(m, who, d, sizeof d));
                if (G(m, who)->state == VISA_STATE_BLOCKED)
                    mon_printf(m, "Guest %d is BLOCKED: fix the cause, then "
                               "'resume %d'.\n", who, who);
                if (G(m, who)->state != VISA_STATE_STOPPED)
                    print_where(m, who);
                else
                    print_state_change(m, who);
            }
        } else if (b) {
            if (!silent_bp(b))
                mon_printf(m, "%sreakpoint %d, guest %d, pc %s\n",
                           b->temp ? "Temporary b" : "B", b->num, who,
                           mon_loc(m, who, G(m, who)->pc, loc, sizeof loc));
        }
        if (b && s->why != WHY_COND) {
            s->last_hit = b->num;
            if (b->kind == BP_PC) {
                s->skip_guest = who;
                s->skip_pc = G(m, who)->pc;
            }
            if (b->temp)
                delete_bp(m, b);
            else if (b->ncmds)
                s->pending = b->num;
        }
        break;
    case VISA_STOP_INTERRUPT:
        mon_printf(m, "\nInterrupted.\n");
        if (who > 0)
            print_where(m, who);
        break;
    case VISA_STOP_IDLE:
        if (s->mode == MODE_RUN || s->mode == MODE_TICK) {
            bool all = true;
            for (int i = 1; i <= m->hv->nguests; i++)
                all = all && G(m, i)->state == VISA_STATE_STOPPED;
            if (!all)
                mon_printf(m, "No guest is RUNNING.\n");
            else if (m->hv->nguests > 1)
                mon_printf(m, "All guests have stopped.\n");
        }
        break;
    case VISA_STOP_BUDGET:
        if (limited)
            mon_printf(m, "Stopped: the --max-instructions budget of %" PRIu64
                       " instructions is used up.\n", m->max_insns);
        if (who > 0 && (limited || s->mode != MODE_RUN))
            print_where(m, who);
        break;
    }
    fflush(m->out);
}

/* The common frame of every command that runs the machine. */
struct run {
    enum visa_state before[VISA_MAX_GUESTS + 1];
    uint64_t icount;
};

static void run_begin(struct mon *m, struct run *r, enum mode mode)
{
    struct mon_bps *s = B(m);
    mon_note_stop(m);
    for (int i = 1; i <= m->hv->nguests; i++)
        r->before[i] = G(m, i)->state;
    r->icount = m->hv->icount;
    s->mode = mode;
    s->tick_print = mode == MODE_TICK && m->step_print;
    s->why = WHY_NONE;
    s->why_bp = 0;
    s->why_guest = 0;
    s->pending = 0;
    if (s->in_cmds)
        s->resumed = true;
    fflush(m->out);
    arm(m);
}

static void run_end(struct mon *m, struct run *r, enum visa_stop st, int who,
                    bool limited)
{
    struct mon_bps *s = B(m);
    disarm(m);
    s->used += m->hv->icount - r->icount;
    s->tgt_guest = 0;
    s->tick_print = false;
    report(m, st, who, r->before, limited && st == VISA_STOP_BUDGET);
    s->mode = MODE_RUN;
    run_pending_commands(m);
}

/* A stop of the core at one of its pc breakpoints (nothing in the hooks
 * said why): does a breakpoint there fire (condition, ignore count)?  If
 * not, the run goes on from that instruction. */
static bool core_bp_stopped(struct mon *m, enum visa_stop st, int who)
{
    if (st != VISA_STOP_BREAK || B(m)->why != WHY_NONE || who <= 0 ||
        who > m->hv->nguests)
        return true;
    if (pc_bp_fires(m, who, G(m, who)->pc))
        return true;
    visa_hv_skip_breakpoint(m->hv, who, G(m, who)->pc);
    return m->interrupt && *m->interrupt;
}

/* visa_hv_run and visa_hv_step, going on past breakpoints that do not
 * fire. */
static enum visa_stop hv_run(struct mon *m, uint64_t budget, int *who)
{
    uint64_t start = m->hv->icount;
    for (;;) {
        uint64_t used = m->hv->icount - start;
        enum visa_stop st = visa_hv_run(m->hv, budget - (used < budget ? used : budget), who);
        if (core_bp_stopped(m, st, *who))
            return st;
    }
}

static enum visa_stop hv_step(struct mon *m, int g, uint64_t n)
{
    uint64_t start = m->hv->icount;
    for (;;) {
        uint64_t used = m->hv->icount - start;
        enum visa_stop st = visa_hv_step(m->hv, g, n - (used < n ? used : n));
        if (core_bp_stopped(m, st, g))
            return st;
    }
}

/* Run guest G alone until a hook stops it (next, finish) or it stops
 * being RUNNING, in chunks so that Ctrl-C is seen. */
static enum visa_stop step_until(struct mon *m, int g, bool *limited)
{
    for (;;) {
        uint64_t left = budget_left(m), before = m->hv->icount;
        if (left == 0) {
            *limited = true;
            return VISA_STOP_BUDGET;
        }
        enum visa_stop st = hv_step(m, g, left < CHUNK ? left : CHUNK);
        B(m)->used += m->hv->icount - before;
        if (st != VISA_STOP_BUDGET)
            return st;
        if (m->interrupt && *m->interrupt)
            return VISA_STOP_INTERRUPT;
    }
}

static int run_machine(struct mon *m)
{
    struct run r;
    if (!budget_check(m))
        return -1;
    run_begin(m, &r, MODE_RUN);
    uint64_t left = budget_left(m);
    int who = 0;
    enum visa_stop st = hv_run(m, left, &who);
    run_end(m, &r, st, who, left != UINT64_MAX);
    return 0;
}

int mon_cmd_continue(struct mon *m, int argc, char **argv, const char *rest)
{
    uint64_t n = 1;
    if (m->hv->nguests == 0) {
        mon_error(m, "no guest loaded");
        return -1;
    }
    if (argc > 1 && parse_count(m, "continue", rest, &n) < 0)
        return -1;
    if (!any_running(m)) {
        mon_error(m, "no guest is RUNNING (see 'info guests'; 'resume' or "
                  "'reset' one, or 'run')");
        return -1;
    }
    if (!budget_check(m))
        return -1;
    if (argc > 1) {
        struct bp *b = find_bp(m, B(m)->last_hit);
        if (b) {
            b->ignore = n - 1;
            mon_printf(m, "Will ignore next %" PRIu64 " crossings of breakpoint %d.  ",
                       n - 1, b->num);
        } else {
            mon_printf(m, "Not stopped at any breakpoint; argument ignored.\n");
        }
    }
    mon_printf(m, "Continuing.\n");
    return run_machine(m);
}

int mon_cmd_run(struct mon *m, int argc, char **argv, const char *rest)
{
    if (argc > 1) {
        mon_error(m, "run takes no arguments");
        return -1;
    }
    if (m->hv->nguests == 0) {
        mon_error(m, "no guest loaded");
        return -1;
    }
    if (!budget_check(m))
        return -1;
    /* reset every guest that has run since it was loaded or reset */
    for (int i = 1; i <= m->hv->nguests; i++) {
        struct visa_guest *g = G(m, i);
        if (g->icount == 0 && g->state == VISA_STATE_RUNNING &&
            g->vmcs.exit_cause == VISA_EXIT_NONE && g->pc == 0)
            continue;
        int rc = visa_hv_reset_guest(m->hv, i);
        if (rc < 0) {
            mon_error(m, "cannot reset guest %d: %s", i, visa_strerror(rc));
            return -1;
        }
        if (m->con)
            console_reset_guest(m->con, i);
        mon_run_reset(m, i);
        mon_printf(m, "Guest %d reset.\n", i);
    }
    if (!any_running(m)) {
        mon_error(m, "no guest is RUNNING");
        return -1;
    }
    mon_printf(m, "Starting.\n");
    return run_machine(m);
}

int mon_cmd_tick(struct mon *m, int argc, char **argv, const char *rest)
{
    uint64_t n = 1;
    if (m->hv->nguests == 0) {
        mon_error(m, "no guest loaded");
        return -1;
    }
    if (argc > 1 && parse_count(m, "tick", rest, &n) < 0)
        return -1;
    if (!any_running(m)) {
        mon_error(m, "no guest is RUNNING");
        return -1;
    }
    if (!budget_check(m))
        return -1;
    struct run r;
    uint64_t left = budget_left(m);
    run_begin(m, &r, MODE_TICK);
    int who = 0;
    enum visa_stop st = hv_run(m, n < left ? n : left, &who);
    if (st == VISA_STOP_BUDGET && m->step_print)
        who = 0;        /* every instruction was printed: no where line */
    run_end(m, &r, st, who, n > left);
    return 0;
}

/* The word at GUEST's pc, if it can be read. */
static bool insn_at_pc(struct mon *m, int g, uint32_t *word)
{
    bool ok;
    *word = read_word(m, g, G(m, g)->pc, &ok);
    return ok;
}

/* step and next: N times one instruction (or one call, for next). */
static int stepping(struct mon *m, int argc, const char *rest, bool over)
{
    uint64_t n = 1;
    if (argc > 1 && parse_count(m, over ? "next" : "step", rest, &n) < 0)
        return -1;
    int g = runnable_focus(m);
    if (g < 0 || !budget_check(m))
        return -1;
    struct mon_bps *s = B(m);
    struct run r;
    /* as gdb: stepping from a breakpoint's address does not stop there */
    s->skip_guest = g;
    s->skip_pc = G(m, g)->pc;
    run_begin(m, &r, over ? MODE_NEXT : MODE_STEP);
    enum visa_stop st = VISA_STOP_BUDGET;
    bool limited = false;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t w;
        struct visa_guest *x = G(m, g);
        if (over && insn_at_pc(m, g, &w) &&
            (visa_op(w) == VISA_OP_CALL || visa_op(w) == VISA_OP_CALLR)) {
            s->tgt_guest = g;
            s->tgt_pc = x->pc + 4;
            s->tgt_sp = x->r[VISA_REG_SP];
            s->why = WHY_NONE;
            /* the call itself first, so that the target is not pc now */
            st = hv_step(m, g, 1);
            if (st == VISA_STOP_BUDGET)
                st = step_until(m, g, &limited);
            s->tgt_guest = 0;
            if (st == VISA_STOP_BREAK && s->why == WHY_DONE)
                st = VISA_STOP_BUDGET;
        } else {
            if (budget_left(m) == 0) {
                st = VISA_STOP_BUDGET;
                limited = true;
            } else {
                uint64_t before = m->hv->icount;
                st = hv_step(m, g, 1);
                s->used += m->hv->icount - before;
            }
        }
        if (st != VISA_STOP_BUDGET || limited)
            break;
        if (m->interrupt && *m->interrupt) {
            st = VISA_STOP_INTERRUPT;
            break;
        }
        if (m->step_print && i + 1 < n)
            print_where(m, g);
    }
    /* what the guest does now, or why it stopped */
    if (st == VISA_STOP_IDLE && G(m, g)->state == VISA_STATE_RUNNING)
        st = VISA_STOP_BUDGET;
    run_end(m, &r, st, g, limited);
    return 0;
}

int mon_cmd_step(struct mon *m, int argc, char **argv, const char *rest)
{
    return stepping(m, argc, rest, false);
}

int mon_cmd_next(struct mon *m, int argc, char **argv, const char *rest)
{
    return stepping(m, argc, rest, true);
}

int mon_cmd_finish(struct mon *m, int argc, char **argv, const char *rest)
{
    if (argc > 1) {
        mon_error(m, "finish takes no arguments");
        return -1;
    }
    int g = runnable_focus(m);
    if (g < 0 || !budget_check(m))
        return -1;
    struct mon_bps *s = B(m);
    struct visa_guest *x = G(m, g);
    char sym[128];
    mon_symbolize(m, g, x->pc, sym, sizeof sym);
    mon_printf(m, "Run till exit from 0x%08" PRIx32 "%s%s\n", x->pc,
               sym[0] ? " " : "", sym);
    struct run r;
    bool limited = false;
    s->skip_guest = g;
    s->skip_pc = x->pc;
    run_begin(m, &r, MODE_FINISH);
    s->tgt_guest = g;
    s->tgt_sp = x->r[VISA_REG_SP];
    enum visa_stop st = step_until(m, g, &limited);
    if (st == VISA_STOP_BREAK && s->why == WHY_DONE)
        st = VISA_STOP_BUDGET;
    run_end(m, &r, st, g, limited);
    return 0;
}

/* ---- Setting breakpoints -------------------------------------------------- */

static struct bp *new_bp(struct mon *m, enum bp_kind kind)
{
    struct mon_bps *s = B(m);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct bp **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return NULL;
        s->v = v;
        s->cap = cap;
    }
    struct bp *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->kind = kind;
    b->enabled = true;
    return b;
}

/* Commit B (built by a handler that has checked everything). */
static void add_bp(struct mon *m, struct bp *b)
{
    struct mon_bps *s = B(m);
    b->num = s->next_num++;
    s->v[s->n++] = b;
    s->last_set = b->num;
}

/* Is NAME a symbol of GUEST, or of any guest when GUEST is 0? */
static bool is_symbol(struct mon *m, const char *name, int guest)
{
    for (int g = guest ? guest : 1; g <= (guest ? guest : m->hv->nguests); g++)
        if (visa_symtab_find(mon_syms(m, g), name))
            return true;
    return false;
}

/* Parse "[guest GUEST] [if EXPR]" from argument I of ARGV on. */
static int parse_tail(struct mon *m, int argc, char **argv, const char *rest,
                      int i, int *guest, char **cond, bool allow_if)
{
    *guest = 0;
    *cond = NULL;
    if (i < argc && !strcmp(argv[i], "guest")) {
        if (i + 1 >= argc) {
            mon_error(m, "'guest' needs a guest number");
            return -1;
        }
        if (mon_parse_guest(m, argv[i + 1], guest) < 0)
            return -1;
        i += 2;
    }
    if (i < argc && allow_if && !strcmp(argv[i], "if")) {
        const char *e = mon_skip_words(rest, i);   /* rest lacks argv[0] */
        if (!*e) {
            mon_error(m, "'if' needs an expression");
            return -1;
        }
        if (mon_eval_check(m, e) < 0)
            return -1;
        *cond = strdup(e);
        if (!*cond) {
            mon_error(m, "out of memory");
            return -1;
        }
        return 0;
    }
    if (i < argc) {
        mon_error(m, "unexpected '%.40s' (usage: %s)", argv[i],
                  allow_if ? "break LOCATION [guest GUEST] [if EXPR]"
                           : "watch ADDR [guest GUEST]");
        return -1;
    }
    return 0;
}

static int set_break(struct mon *m, int argc, char **argv, const char *rest,
                     bool temp)
{
    const char *what = temp ? "Temporary breakpoint" : "Breakpoint";
    int guest = 0, cause = -1, i = 1;
    char *cond = NULL, *sym = NULL;
    uint32_t addr = 0;
    char loc[256];

    if (m->hv->nguests == 0) {
        mon_error(m, "no guest loaded");
        return -1;
    }
    bool exit_bp = argc >= 3 && !strcmp(argv[1], "exit") &&
        (!strcmp(argv[2], "any") || visa_exit_lookup(argv[2]) > 0);
    bool here = argc < 2 || !strcmp(argv[1], "guest") || !strcmp(argv[1], "if");
    if (exit_bp) {
        cause = strcmp(argv[2], "any") ? visa_exit_lookup(argv[2]) : 0;
        i = 3;
    } else if (!here) {
        i = 2;
    }
    if (!exit_bp && argc >= 2 && !strcmp(argv[1], "exit") && !is_symbol(m, "exit", 0)) {
        char list[256];
        size_t len = (size_t)snprintf(list, sizeof list, "any");
        for (int c = 1; c < VISA_EXIT_COUNT && len < sizeof list; c++)
            len += (size_t)snprintf(list + len, sizeof list - len, ", %s",
                                    visa_exittab[c].name);
        if (argc == 2)
            mon_error(m, "break exit needs a cause: %s", list);
        else
            mon_error(m, "unknown exit cause '%.40s' (%s)", argv[2], list);
        return -1;
    }
    if (parse_tail(m, argc, argv, rest, i, &guest, &cond, true) < 0)
        return -1;
    if (!exit_bp && here) {
        /* no location: the focused guest's pc, in that guest (as gdb) */
        int f = guest ? guest : mon_focus(m);
        if (f < 0) {
            free(cond);
            return -1;
        }
        guest = f;
        addr = G(m, f)->pc;
    } else if (!exit_bp) {
        const char *l = argv[1];
        bool star = l[0] == '*';
        if (!star && (isalpha((unsigned char)l[0]) || l[0] == '_' || l[0] == '.') &&
            is_symbol(m, l, guest)) {
            sym = strdup(l);
            if (!sym) {
                free(cond);
                mon_error(m, "out of memory");
                return -1;
            }
        } else if (mon_eval(m, star ? l + 1 : l, guest, &addr) < 0) {
            free(cond);
            return -1;
        } else if (addr & 3) {
            free(cond);
            mon_error(m, "0x%08" PRIx32 " is not a multiple of 4: no instruction "
                      "starts there", addr);
            return -1;
        }
    }
    struct bp *b = new_bp(m, exit_bp ? BP_EXIT : BP_PC);
    if (!b) {
        free(cond);
        free(sym);
        mon_error(m, "out of memory");
        return -1;
    }
    b->temp = temp;
    b->guest = guest;
    b->cause = cause;
    b->cond = cond;
    b->sym = sym;
    b->addr = addr;
    add_bp(m, b);
    char g[32] = "";
    if (guest)
        snprintf(g, sizeof g, ", guest %d", guest);
    if (exit_bp) {
        mon_printf(m, "%s %d on exit %s%s\n", what, b->num,
                   cause ? visa_exittab[cause].name : "any", g);
    } else if (sym) {
        const char *sep = " (";
        mon_printf(m, "%s %d at %s", what, b->num, sym);
        for (int k = guest ? guest : 1; k <= (guest ? guest : m->hv->nguests); k++) {
            const struct visa_sym *s = visa_symtab_find(mon_syms(m, k), sym);
            if (s) {
                mon_printf(m, "%sg%d 0x%08" PRIx32, sep, k, s->addr);
                sep = ", ";
            }
        }
        mon_printf(m, ")%s\n", g);
    } else {
        mon_symbolize(m, guest ? guest : m->focus, addr, loc, sizeof loc);
        mon_printf(m, "%s %d at 0x%08" PRIx32 "%s%s%s\n", what, b->num, addr,
                   loc[0] ? " " : "", loc, g);
    }
    return 0;
}

int mon_cmd_break(struct mon *m, int argc, char **argv, const char *rest)
{
    return set_break(m, argc, argv, rest, false);
}

int mon_cmd_tbreak(struct mon *m, int argc, char **argv, const char *rest)
{
    return set_break(m, argc, argv, rest, true);
}

int mon_cmd_watch(struct mon *m, int argc, char **argv, const char *rest)
{
    int guest;
    char *cond;
    uint32_t addr;
    if (argc < 2) {
        mon_error(m, "usage: watch ADDR [guest GUEST]");
        return -1;
    }
    if (parse_tail(m, argc, argv, rest, 2, &guest, &cond, false) < 0)
        return -1;
    if (!guest && (guest = mon_focus(m)) < 0)
        return -1;
    if (mon_eval(m, argv[1], guest, &addr) < 0)
        return -1;
    if (addr >= VISA_VA_LIMIT && G(m, guest)->vmcs.ptbr) {
        mon_error(m, "0x%08" PRIx32 " is beyond the 4 MiB virtual space", addr);
        return -1;
    }
    struct bp *b = new_bp(m, BP_WATCH);
    if (!b) {
        mon_error(m, "out of memory");
        return -1;
    }
    b->guest = guest;
    b->addr = addr;
    b->old = read_word(m, guest, addr, &b->old_ok);
    add_bp(m, b);
    char sym[128];
    mon_symbolize(m, guest, addr, sym, sizeof sym);
    if (b->old_ok)
        mon_printf(m, "Watchpoint %d: guest %d *0x%08" PRIx32 "%s%s (now 0x%08" PRIx32 ")\n",
                   b->num, guest, addr, sym[0] ? " " : "", sym, b->old);
    else
        mon_printf(m, "Watchpoint %d: guest %d *0x%08" PRIx32 "%s%s (not mapped now)\n",
                   b->num, guest, addr, sym[0] ? " " : "", sym);
    return 0;
}

/* ---- Managing breakpoints ---------------------------------------------------- */

/* Parse a breakpoint number. */
static struct bp *bp_arg(struct mon *m, const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end) {
        mon_error(m, "'%.40s' is not a breakpoint number", s);
        return NULL;
    }
    struct bp *b = find_bp(m, (int)n);
    if (!b || n > 1000000000L)
        mon_error(m, "no breakpoint number %.20s", s);
    return b;
}

static void op_delete(struct mon *m, struct bp *b) { delete_bp(m, b); }
static void op_enable(struct mon *m, struct bp *b) { b->enabled = true; }
static void op_disable(struct mon *m, struct bp *b) { b->enabled = false; }

/* Apply OP to the breakpoints named by ARGV[1..] (numbers or ranges A-B),
 * or to all.  All arguments are checked before anything changes. */
static int for_each_arg(struct mon *m, int argc, char **argv,
                        void (*op)(struct mon *, struct bp *))
{
    struct mon_bps *s = B(m);
    if (argc < 2) {
        if (op == op_delete)
            while (s->n)
                delete_bp(m, s->v[s->n - 1]);
        else
            for (size_t i = 0; i < s->n; i++)
                op(m, s->v[i]);
        return 0;
    }
    /* two passes: check, then act */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 1; i < argc; i++) {
            char *end;
            const char *a = argv[i];
            long lo = strtol(a, &end, 10), hi = lo;
            if (isdigit((unsigned char)a[0]) && *end == '-' &&
                isdigit((unsigned char)end[1]))
                hi = strtol(end + 1, &end, 10);
            if (!isdigit((unsigned char)a[0]) || *end || lo > hi ||
                hi > 1000000000L) {
                mon_error(m, "'%.40s' is not a breakpoint number or range", a);
                return -1;
            }
            for (long n = lo; n <= hi; n++) {
                struct bp *b = find_bp(m, (int)n);
                if (!b && lo == hi) {
                    mon_error(m, "no breakpoint number %ld", n);
                    return -1;
                }
                if (b && pass == 1)
                    op(m, b);
            }
        }
    return 0;
}

int mon_cmd_delete(struct mon *m, int argc, char **argv, const char *rest)
{
    return for_each_arg(m, argc, argv, op_delete);
}

int mon_cmd_enable(struct mon *m, int argc, char **argv, const char *rest)
{
    return for_each_arg(m, argc, argv, op_enable);
}

int mon_cmd_disable(struct mon *m, int argc, char **argv, const char *rest)
{
    return for_each_arg(m, argc, argv, op_disable);
}

int mon_cmd_ignore(struct mon *m, int argc, char **argv, const char *rest)
{
    uint32_t n;
    if (argc != 3) {
        mon_error(m, "usage: ignore N COUNT");
        return -1;
    }
    struct bp *b = bp_arg(m, argv[1]);
    if (!b || mon_eval(m, argv[2], 0, &n) < 0)
        return -1;
    b->ignore = n;
    if (n == 0)
        mon_printf(m, "Will stop next time breakpoint %d is reached.\n", b->num);
    else
        mon_printf(m, "Will ignore next %" PRIu32 " crossing%s of breakpoint %d.\n",
                   n, n == 1 ? "" : "s", b->num);
    return 0;
}

int mon_cmd_condition(struct mon *m, int argc, char **argv, const char *rest)
{
    if (argc < 2) {
        mon_error(m, "usage: condition N [EXPR]");
        return -1;
    }
    struct bp *b = bp_arg(m, argv[1]);
    if (!b)
        return -1;
    const char *e = mon_skip_words(rest, 1);
    if (!*e) {
        free(b->cond);
        b->cond = NULL;
        mon_printf(m, "Breakpoint %d now unconditional.\n", b->num);
        return 0;
    }
    if (mon_eval_check(m, e) < 0)
        return -1;
    char *c = strdup(e);
    if (!c) {
        mon_error(m, "out of memory");
        return -1;
    }
    free(b->cond);
    b->cond = c;
    return 0;
}

int mon_cmd_commands(struct mon *m, int argc, char **argv, const char *rest)
{
    struct bp *b;
    if (argc > 2) {
        mon_error(m, "usage: commands [N], then the commands, then 'end'");
        return -1;
    }
    if (argc == 2) {
        b = bp_arg(m, argv[1]);
    } else {
        b = find_bp(m, B(m)->last_set);
        if (!b)
            mon_error(m, "no breakpoint to attach commands to (give N)");
    }
    if (!b)
        return -1;
    if (!m->priv->in) {
        mon_error(m, "commands: no input to read the command list from");
        return -1;
    }
    /* Read up to `end`; the breakpoint changes only when the list is
     * complete, so an end of input leaves it as it was. */
    char **cmds = NULL;
    size_t n = 0;
    bool prompt = m->priv->at_prompt && m->interactive;
    if (prompt)
        mon_printf(m, "Type commands for breakpoint %d, one per line.\n"
                   "End with a line saying just \"end\".\n", b->num);
    unsigned start = m->src_line;
    for (;;) {
        char *line = mon_read_line(m, ">");
        if (!line) {
            for (size_t i = 0; i < n; i++)
                free(cmds[i]);
            free(cmds);
            if (m->interrupt && *m->interrupt)
                mon_error(m, "commands %d: interrupted; breakpoint unchanged", b->num);
            else if (m->src_file)
                mon_error(m, "end of file inside 'commands %d' (started at line %u): "
                          "missing 'end'", b->num, start);
            else
                mon_error(m, "end of input inside 'commands %d': missing 'end'", b->num);
            return -1;
        }
        char *t = line;
        while (isspace((unsigned char)*t))
            t++;
        size_t len = strlen(t);
        while (len && isspace((unsigned char)t[len - 1]))
            t[--len] = '\0';
        if (!strcmp(t, "end")) {
            free(line);
            break;
        }
        if (!*t || *t == '#') {
            free(line);
            continue;
        }
        char **v = realloc(cmds, (n + 1) * sizeof *cmds);
        char *c = strdup(t);
        free(line);
        if (!v || !c) {
            free(c);
            free(v ? v : cmds);
            mon_error(m, "out of memory");
            return -1;
        }
        cmds = v;
        cmds[n++] = c;
    }
    for (size_t i = 0; i < b->ncmds; i++)
        free(b->cmds[i]);
    free(b->cmds);
    b->cmds = cmds;
    b->ncmds = n;
    return 0;
}

int mon_info_breakpoints(struct mon *m)
{
    struct mon_bps *s = B(m);
    if (!s->n) {
        mon_printf(m, "No breakpoints or watchpoints.\n");
        return 0;
    }
    mon_printf(m, "Num  Type        Disp  Enb  Guest  Hits  What\n");
    for (size_t i = 0; i < s->n; i++) {
        struct bp *b = s->v[i];
        char what[256], sym[128], g[8];
        switch (b->kind) {
        case BP_PC:
            if (b->sym)
                snprintf(what, sizeof what, "%s", b->sym);
            else
                snprintf(what, sizeof what, "0x%08" PRIx32 "%s%s", b->addr,
                         mon_symbolize(m, b->guest ? b->guest : m->focus, b->addr,
                                       sym, sizeof sym)[0] ? " " : "", sym);
            break;
        case BP_EXIT:
            snprintf(what, sizeof what, "exit %s",
                     b->cause ? visa_exittab[b->cause].name : "any");
            break;
        default:
            snprintf(what, sizeof what, "*0x%08" PRIx32 "%s%s", b->addr,
                     mon_symbolize(m, b->guest, b->addr, sym, sizeof sym)[0] ? " " : "",
                     sym);
        }
        if (b->guest)
            snprintf(g, sizeof g, "%d", b->guest);
        else
            snprintf(g, sizeof g, "all");
        mon_printf(m, "%-4d %-11s %-5s %-4s %-6s %-5" PRIu64 " %s\n", b->num,
                   b->kind == BP_WATCH ? "watchpoint" :
                   b->kind == BP_EXIT ? "exit" : "breakpoint",
                   b->temp ? "del" : "keep", b->enabled ? "y" : "n", g, b->hits, what);
        if (b->cond)
            mon_printf(m, "        stop only if %s\n", b->cond);
        if (b->ignore)
            mon_printf(m, "        will ignore next %" PRIu64 " hits\n", b->ignore);
        for (size_t k = 0; k < b->ncmds; k++)
            mon_printf(m, "        %s\n", b->cmds[k]);
    }
    return 0;
}
