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
    /* `x`/`xp` (inspect.c): the last format and where an `x` without an
     * address (or an empty line) goes on; zero means the defaults x/1xw. */
    uint32_t x_next;                 /* address after the last one shown */
    bool x_next_valid;
    char x_fmt, x_size;              /* format and unit letters, or 0 */
    unsigned x_count;                /* the last count */
    /* Empty-line repeat: a MON_REPEAT handler may set this to the line an
     * empty line should run instead of the one just typed (malloc'd; the
     * monitor takes ownership).  Without it the monitor repeats the line
     * as typed, except `x`/`xp`, which repeat as their command word with
     * its /FMT and no address (so they go on at x_next). */
    char *repeat_line;
    /* The guest whose exit a breakpoint condition is testing (the exit
     * fields cause, qual, va, gpa of expressions read its VMCS); 0: the
     * guest the expression is evaluated for. */
    int exit_guest;
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
/* Run ~/.visarc if it exists (the caller decides when: before -x files). */
void mon_source_visarc(struct mon *m);

/* ---- Colour (--color; only SGR codes, empty when colour is off) ----- */
#define MON_SGR_ERROR   "1;31"   /* "error:" */
#define MON_SGR_STOP    "1"      /* why a run stopped */
#define MON_SGR_PC      "1;32"   /* the "=>" marker at pc */
#define MON_SGR_CHANGED "1;33"   /* a register changed since the last stop */
#define MON_SGR_OFF     "0"
/* "\033[CODEm" when M colours its output, else "". */
const char *mon_sgr(const struct mon *m, const char *code);

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
/* The focused guest, or -1 after reporting "no guest loaded". */
int mon_focus(struct mon *m);
/* Symbols of GUEST (never NULL). */
const struct visa_symtab *mon_syms(const struct mon *m, int guest);
/* Format "<sym+0x10>" for ADDR in GUEST into BUF ("" when no symbol). */
const char *mon_symbolize(const struct mon *m, int guest, uint32_t addr,
                          char *buf, size_t size);

/* ---- Shared by inspect.c and state.c (defined in inspect.c) ---------- */
/* "R W X" with '-' for a missing permission (VISA_EPT_*); BUF >= 6. */
const char *mon_fmt_perm(unsigned perm, char *buf);
/* A qualification in hex and decoded for CAUSE: "0x0a (write, protection)". */
const char *mon_fmt_qual(unsigned cause, uint32_t qual, char *buf, size_t size);
/* S after N arguments, split as handlers' ARGV are (white space outside
 * parentheses and quotes), leading blanks skipped. */
const char *mon_skip_words(const char *s, int n);
/* The argument rule: when more than NEEDED arguments follow *ARGV[0], the
 * first is a GUEST and is consumed (*ARGC, *ARGV and *REST move past it);
 * otherwise *GUEST is the focused guest.  0, or -1 after reporting. */
int mon_guest_arg(struct mon *m, int *argc, char ***argv, const char **rest,
                  int needed, int *guest);
/* Reset GUEST (state.c): reload its image, drop its console input and
 * pending output, forget run.c's per-guest state (mon_run_reset), take its
 * registers as the last stop and restart its `stats` baseline.  0, or -1
 * after reporting.  For `reset` and `run`. */
int mon_reset_guest(struct mon *m, int guest);
/* "too many arguments (usage: USAGE)" when NARGS > MAX: -1, else 0. */
int mon_max_args(struct mon *m, int nargs, int max, const char *usage);
/* Index of WORD (or a unique prefix of it) in the space-separated LIST,
 * or -1 after reporting "unknown WHAT 'WORD' (LIST)" or an ambiguity. */
int mon_subword(struct mon *m, const char *what, const char *word,
                const char *list);

/* ---- Shared helpers from mon.c and run.c ----------------------------- */
/* Interpret C escapes (\n \t \\ \" \' \0 \xHH \ooo \a \b \e \f \r \v) in S,
 * after removing one pair of surrounding double quotes if S is exactly one
 * quoted string.  Returns a malloc'd buffer (NUL-terminated, *LEN bytes
 * without the NUL; LEN may be NULL), or NULL after reporting the error. */
char *mon_unescape(struct mon *m, const char *s, size_t *len);
/* "0x00000010 <loop+0x8>:  0e 02 02 01  addi r2, r2, 1" for the word at
 * guest-virtual PC of GUEST (read without side effects; "(cannot read
 * memory)" instead of the bytes when it is not mapped). */
const char *mon_loc(const struct mon *m, int guest, uint32_t pc,
                    char *buf, size_t size);
/* GUEST's last exit in words, from the VMCS: "page_fault, qual 0x02
 * (write, not present), at pc 0x00000018 <low>, va 0x00005000"; "none"
 * before any (run.c). */
const char *mon_exit_desc(const struct mon *m, int guest,
                          char *buf, size_t size);
/* The next line of the current input (the command file being sourced, or
 * the terminal with PROMPT), without its newline; NULL at end of input or
 * when there is none (-e).  Malloc'd.  Used by `commands N ... end`. */
char *mon_read_line(struct mon *m, const char *prompt);
/* Call after GUEST was reset or loaded (forgets resume-past-breakpoint
 * state for it). */
void mon_run_reset(struct mon *m, int guest);

/* `info breakpoints` (run.c), called by the `info` handler. */
int mon_info_breakpoints(struct mon *m);
/* Snapshot every guest's registers as "the last stop" (for `regs`). */
void mon_note_stop(struct mon *m);

/* ---- Internals of mon.c, run.c, rl.c and expr.c ----------------------- */
/* Where command lines come from: a command file, or the terminal (rl.c). */
struct mon_input {
    FILE *f;                         /* a command file, or NULL */
    const char *name;                /* its name, for FILE:LINE */
    unsigned line;                   /* lines read so far */
    /* Otherwise the terminal (or a pipe): the next line with PROMPT,
     * malloc'd, or NULL at end of input or on Ctrl-C. */
    char *(*read)(struct mon *m, const char *prompt);
};
struct mon_bps;                      /* breakpoints (run.c) */
struct mon_priv {
    struct mon_input *in;            /* current input, NULL for -e */
    bool at_prompt;                  /* running a line typed at the prompt */
    char *last_repeat;               /* what an empty line repeats */
    bool console_mid_line;           /* guest output ended without '\n' */
    struct mon_bps *bps;
};
/* The command table row for WORD (name, alias or unique prefix of a
 * name); NULL after reporting an unknown or ambiguous word when REPORT. */
const struct mon_cmd *mon_lookup(struct mon *m, const char *word, bool report);
/* Check EXPR's syntax without evaluating it (breakpoint conditions);
 * 0, or -1 after reporting (expr.c). */
int mon_eval_check(struct mon *m, const char *expr);
int mon_run_init(struct mon *m);     /* run.c */
void mon_run_free(struct mon *m);
/* Install or remove the core hooks that the breakpoints need (run.c). */
void mon_run_arm(struct mon *m);

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
