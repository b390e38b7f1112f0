/* monitor.h - the vISA monitor: a command shell over the hypervisor core.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout:
 *   cmds.c     the command table (the ONE place commands are declared:
 *              dispatch, help, completion and the docs test come from it)
 *   mon.c      line parsing, dispatch, prefixes, "did you mean", help,
 *              command files, error reporting, empty-line repeat
 *   expr.c     expressions (monitor.md "Arguments and expressions")
 *   run.c      run/continue/step/next/finish/tick, breakpoints, watchpoints,
 *              stop reports
 *   rl.c       GNU Readline: prompt, completion, history, Ctrl-C
 *   inspect.c  regs vmcs pt ept tlb translate x xp disas print info stats
 *              timeline
 *   state.c    set, map/unmap, ept changes, slice, guest, pause/resume,
 *              reset, load, input, trapcfg
 */
#ifndef VISA_MONITOR_H
#define VISA_MONITOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "visa/hv.h"
#include "visa/loader.h"
#include "../common/console.h"

struct mon;

/* A command handler.  ARGV[0] is the command word as typed; ARGV[1..] the
 * arguments split at white space outside parentheses and quotes (quotes
 * removed, C escapes kept for the handler to interpret); REST is the raw
 * text after the command word, trimmed.  Return 0 on success, -1 after
 * reporting an error with mon_error (the machine must then be unchanged). */
typedef int mon_fn(struct mon *m, int argc, char **argv, const char *rest);

/* How the arguments of a command complete at the prompt. */
enum mon_compl {
    MON_C_NONE,
    MON_C_COMMAND,       /* a command name (help) */
    MON_C_FILE,          /* file names (source, load) */
    MON_C_SYMBOL,        /* symbols and registers (break, print, x ...) */
    MON_C_REGISTER,      /* register names (set reg) */
    MON_C_SUBWORDS,      /* the row's own sub-words (info, set, break exit) */
};

#define MON_REPEAT   0x1u  /* an empty line repeats it (step, next, tick, continue, x) */
#define MON_RUNS     0x2u  /* it runs the machine (prints a stop report) */

struct mon_cmd {
    const char *name;
    const char *aliases;     /* space-separated, or NULL */
    const char *synopsis;    /* "step [N]" */
    const char *help;        /* one line */
    const char *long_help;   /* paragraph(s) for `help NAME` */
    enum mon_compl compl;
    const char *subwords;    /* space-separated, for MON_C_SUBWORDS */
    mon_fn *fn;
    unsigned flags;
};
extern const struct mon_cmd mon_cmds[];
extern const size_t mon_ncmds;

/* Per-guest monitor data. */
struct mon_guest {
    struct visa_image *img;          /* path, bytes, symbols (owned) */
    uint32_t prev_r[VISA_NREGS];     /* registers at the last stop, for */
    uint32_t prev_pc;                /* `regs` to mark what changed */
};

struct mon_priv;                     /* breakpoints etc. (run.c) */

struct mon {
    struct visa_hv *hv;
    struct console *con;
    struct mon_guest g[VISA_MAX_GUESTS + 1];   /* index = guest id */
    int focus;                       /* focused guest id, 0 when none */
    FILE *out;                       /* command output (stdout) */
    FILE *err;                       /* errors (stderr) */
    /* where the current command came from, for FILE:LINE messages */
    const char *src_file;            /* NULL at the prompt or for -e */
    unsigned src_line;
    int source_depth;
    bool interactive;                /* reading from a terminal */
    bool color;
    bool on_error_continue;          /* set on-error continue */
    bool step_print;                 /* set step-print on */
    int status;                      /* 1 once an assert or command failed */
    bool quit;                       /* `quit` was given */
    int quit_status;
    volatile sig_atomic_t *interrupt;  /* set by SIGINT */
    uint64_t max_insns;              /* --max-instructions budget, 0: none */
    struct mon_priv *priv;
    /* counters at the last `stats reset` (stats show the difference) */
    uint64_t stats_base_icount[VISA_MAX_GUESTS + 1];
    uint64_t stats_base_exits[VISA_MAX_GUESTS + 1][VISA_EXIT_COUNT];
    uint64_t stats_base_tlb[VISA_MAX_GUESTS + 1][2];
};

/* ---- Life cycle (called by src/visa/main.c) -------------------------- */
/* HV and CON stay owned by the caller; IMAGES[i] is guest i+1's image
 * (ownership passes to the monitor). */
int mon_init(struct mon *m, struct visa_hv *hv, struct console *con,
             struct visa_image **images, int nimages,
             volatile sig_atomic_t *interrupt);
void mon_free(struct mon *m);
/* Run one command line (as typed or read from a file).  0, or -1 when it
 * failed (reported). */
int mon_exec_line(struct mon *m, const char *line);
/* Run a command file.  0, or -1 when it could not be read or a command
 * failed and on-error is stop. */
int mon_source(struct mon *m, const char *path);
/* The readline loop (or plain reading when stdin is not a terminal) until
 * `quit` or end of input; returns the exit status. */
int mon_interactive(struct mon *m, bool read_visarc);

/* ---- Helpers for handlers --------------------------------------------- */
/* Report a user error: "FILE:LINE: error: ..." in command files, else
 * "error: ...".  Sets m->status where monitor.md says so. */
void mon_error(struct mon *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mon_printf(struct mon *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Evaluate EXPR for GUEST (0: the focused guest).  0, or -1 after
 * reporting the error. */
int mon_eval(struct mon *m, const char *expr, int guest, uint32_t *val);
/* Parse a GUEST argument (`gN` or `N`) naming an existing guest.  0, or
 * -1 after reporting the error. */
int mon_parse_guest(struct mon *m, const char *s, int *guest);
/* True when S looks like a GUEST argument (gN or a plain decimal N that
 * names an existing guest); reports nothing. */
bool mon_is_guest(const struct mon *m, const char *s);
/* The focused guest, or -1 after reporting "no guest loaded". */
int mon_focus(struct mon *m);
/* Symbols of GUEST (never NULL). */
const struct visa_symtab *mon_syms(const struct mon *m, int guest);
/* Format "<sym+0x10>" for ADDR in GUEST into BUF ("" when no symbol). */
const char *mon_symbolize(const struct mon *m, int guest, uint32_t addr,
                          char *buf, size_t size);

/* `info breakpoints` (run.c), called by the `info` handler. */
int mon_info_breakpoints(struct mon *m);
/* Snapshot every guest's registers as "the last stop" (for `regs`). */
void mon_note_stop(struct mon *m);

/* Handlers, one per row of the table (defined in the files above). */
#define MON_HANDLERS(X)                                                   \
    X(run) X(continue) X(step) X(next) X(finish) X(tick) X(slice)         \
    X(guest) X(pause) X(resume) X(reset) X(load) X(input) X(trapcfg)      \
    X(regs) X(vmcs) X(pt) X(ept) X(tlb) X(translate) X(x) X(xp) X(disas)  \
    X(print) X(info) X(stats) X(timeline) X(set) X(map) X(unmap)          \
    X(break) X(tbreak) X(watch) X(delete) X(disable) X(enable) X(ignore)  \
    X(condition) X(commands) X(source) X(echo) X(assert) X(help) X(quit)
#define MON_X_DECL(name) mon_fn mon_cmd_##name;
MON_HANDLERS(MON_X_DECL)
#undef MON_X_DECL

#endif /* VISA_MONITOR_H */
