/* rl.c - the interactive monitor: GNU Readline, completion, history, Ctrl-C.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a terminal the monitor reads through Readline's callback interface
 * (rl_callback_handler_install + rl_callback_read_char in a select loop),
 * the way the Readline manual's rl-callbacktest2 example handles signals:
 * our SIGINT handler only sets the monitor's volatile sig_atomic_t flag;
 * the loop sees select() interrupted, and at the prompt throws the line
 * away with rl_free_line_state, rl_callback_sigcleanup and
 * rl_cleanup_after_signal before showing a fresh prompt.  Nothing ever
 * longjmps out of a signal handler.  During a command the same flag makes
 * the core stop (visa_hv_set_stop_flag).
 *
 * Without a terminal, lines are read plainly: no prompt, no echo, no
 * history, so pipes and here-documents work.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "monitor.h"

#define HISTORY_MAX 1000

/* Readline's callbacks take no context: it is one global state anyway. */
static struct mon *rl_mon;
static volatile sig_atomic_t *rl_flag;
static char *rl_got;
static bool rl_done_line;

static void on_sigint(int sig)
{
    (void)sig;
    if (rl_flag)
        *rl_flag = 1;
}

static void on_line(char *line)
{
    rl_got = line;
    rl_done_line = true;
    /* remove the handler now, so that the terminal is in its normal mode
     * while the command runs (and Ctrl-C echoes) */
    rl_callback_handler_remove();
}

/* Read one line at the terminal with PROMPT.  NULL at end of input, or
 * after Ctrl-C when ABORT_ON_INT (the flag then stays set). */
static char *tty_read(struct mon *m, const char *prompt, bool abort_on_int)
{
    rl_got = NULL;
    rl_done_line = false;
    fflush(m->out);
    /* SIGINT is blocked except inside pselect, so that a Ctrl-C between
     * the flag test and the wait cannot be missed */
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &orig);
    rl_callback_handler_install(prompt, on_line);
    while (!rl_done_line) {
        fd_set fds;
        int fd = fileno(rl_instream ? rl_instream : stdin);
        int r = 0;
        FD_ZERO(&fds);
        FD_SET(fd, &fds);
        if (!(m->interrupt && *m->interrupt))
            r = pselect(fd + 1, &fds, NULL, NULL, NULL, &orig);
        if (r < 0 && errno != EINTR) {
            rl_callback_handler_remove();
            break;
        }
        if (m->interrupt && *m->interrupt) {
            /* Ctrl-C at the prompt: show ^C where the cursor is (as
             * bash does), drop the line, start afresh */
            rl_echo_signal_char(SIGINT);
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_cleanup_after_signal();
            rl_callback_handler_remove();
            fputc('\n', rl_outstream ? rl_outstream : stdout);
            fflush(rl_outstream ? rl_outstream : stdout);
            if (abort_on_int)
                break;
            *m->interrupt = 0;
            rl_callback_handler_install(prompt, on_line);
            continue;
        }
        if (r > 0 && FD_ISSET(fd, &fds))
            rl_callback_read_char();
    }
    sigprocmask(SIG_SETMASK, &orig, NULL);
    if (rl_got && *rl_got) {
        HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
        if (!last || strcmp(last->line, rl_got))
            add_history(rl_got);
    }
    return rl_got;
}

static char *plain_read(void)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = getline(&buf, &cap, stdin);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return buf;
}

/* The reader `commands` uses for its continuation lines. */
static char *input_read(struct mon *m, const char *prompt)
{
    if (m->interactive)
        return tty_read(m, prompt, true);
    return plain_read();
}

/* ---- Completion ------------------------------------------------------- */

static char **cands;
static size_t ncands, capcands;

static void cand_add(const char *s)
{
    if (ncands == capcands) {
        size_t cap = capcands ? capcands * 2 : 64;
        char **v = realloc(cands, cap * sizeof *v);
        if (!v)
            return;
        cands = v;
        capcands = cap;
    }
    char *c = strdup(s);
    if (c)
        cands[ncands++] = c;
}

static void cand_clear(void)
{
    for (size_t i = 0; i < ncands; i++)
        free(cands[i]);
    ncands = 0;
}

static char *cand_gen(const char *text, int state)
{
    static size_t i, len;
    if (!state) {
        i = 0;
        len = strlen(text);
    }
    while (i < ncands) {
        const char *c = cands[i++];
        if (!strncmp(c, text, len))
            return strdup(c);
    }
    return NULL;
}

static void add_words(const char *list, size_t n)
{
    char w[64];
    while (n > 0 && *list) {
        size_t k = strcspn(list, " |");
        if (k > n)
            k = n;
        if (k > 0 && k < sizeof w) {
            memcpy(w, list, k);
            w[k] = '\0';
            cand_add(w);
        }
        list += k;
        n -= k;
        while (n > 0 && (*list == ' ' || *list == '|'))
            list++, n--;
    }
}

static void add_class(const char *cls, size_t n, bool *files)
{
    char buf[16];
    if (!strncmp(cls, "@causes", n) && n == 7) {
        for (int i = 1; i < VISA_EXIT_COUNT; i++) {
            if (visa_exittab[i].name)
                cand_add(visa_exittab[i].name);
            if (visa_exittab[i].alias)
                cand_add(visa_exittab[i].alias);
        }
        cand_add("any");
    } else if (!strncmp(cls, "@registers", n) && n == 10) {
        for (unsigned i = 0; i < VISA_NREGS; i++) {
            snprintf(buf, sizeof buf, "r%u", i);
            cand_add(buf);
        }
        cand_add("sp");
        cand_add("pc");
    } else if (!strncmp(cls, "@symbols", n) && n == 8) {
        const struct visa_symtab *st = mon_syms(rl_mon, rl_mon->focus);
        for (size_t i = 0; i < st->n; i++)
            cand_add(st->v[i].name);
    } else if (!strncmp(cls, "@commands", n) && n == 9) {
        for (size_t i = 0; i < mon_ncmds; i++)
            cand_add(mon_cmds[i].name);
    } else if (!strncmp(cls, "@files", n) && n == 6) {
        *files = true;
    }
}

/* Add the entries of a sub-word list (see cmds.c), words and @classes. */
static void add_entries(const char *list, size_t n, bool *files)
{
    while (n > 0 && *list) {
        size_t k = strcspn(list, " |");
        if (k > n)
            k = n;
        size_t w = strcspn(list, "=");
        if (w > k)
            w = k;
        if (list[0] == '@')
            add_class(list, w, files);
        else
            add_words(list, w);
        list += k;
        n -= k;
        while (n > 0 && (*list == ' ' || *list == '|'))
            list++, n--;
    }
}

/* The second-level list of WORD in SUBWORDS ("exit=@causes" gives
 * "@causes"), or NULL. */
static const char *sub_after(const char *subwords, const char *word, size_t *n)
{
    size_t wl = strlen(word);
    for (const char *p = subwords; *p; ) {
        size_t k = strcspn(p, " ");
        if (!strncmp(p, word, wl) && p[wl] == '=') {
            *n = k - wl - 1;
            return p + wl + 1;
        }
        p += k;
        while (*p == ' ')
            p++;
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    bool files = false;
    char *before = strndup(rl_line_buffer, (size_t)start);
    char *words[3] = { NULL, NULL, NULL };
    int nw = 0;
    cand_clear();
    rl_attempted_completion_over = 1;
    if (!before)
        return NULL;
    for (char *save = NULL, *t = strtok_r(before, " \t", &save); t;
         t = strtok_r(NULL, " \t", &save)) {
        if (nw < 3)
            words[nw] = t;
        nw++;
    }
    if (nw == 0) {
        for (size_t i = 0; i < mon_ncmds; i++) {
            cand_add(mon_cmds[i].name);
            if (mon_cmds[i].aliases)
                add_words(mon_cmds[i].aliases, strlen(mon_cmds[i].aliases));
        }
    } else {
        words[0][strcspn(words[0], "/")] = '\0';
        const struct mon_cmd *c = mon_lookup(rl_mon, words[0], false);
        const char *sub;
        size_t n;
        switch (c ? c->compl : MON_C_NONE) {
        case MON_C_COMMAND:
            if (nw == 1)
                add_class("@commands", 9, &files);
            break;
        case MON_C_FILE:
            files = true;
            break;
        case MON_C_SYMBOL:
            add_class("@symbols", 8, &files);
            add_class("@registers", 10, &files);
            break;
        case MON_C_REGISTER:
            add_class("@registers", 10, &files);
            break;
        case MON_C_SUBWORDS:
            if (nw == 1)
                add_entries(c->subwords, strlen(c->subwords), &files);
            else if (nw == 2 && (sub = sub_after(c->subwords, words[1], &n)) != NULL)
                add_entries(sub, n, &files);
            else if (strstr(c->subwords, "@symbols"))
                add_class("@symbols", 8, &files);
            break;
        default:
            break;
        }
    }
    free(before);
    if (files) {
        rl_attempted_completion_over = 0;     /* Readline's file names */
        return NULL;
    }
    return rl_completion_matches(text, cand_gen);
}

/* ---- History ----------------------------------------------------------- */

/* The history file: $VISA_HISTFILE, else ~/.visa_history; NULL: none. */
static char *history_path(void)
{
    const char *h = getenv("VISA_HISTFILE");
    if (h && *h)
        return strdup(h);
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    size_t n = strlen(home) + sizeof "/.visa_history";
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/.visa_history", home);
    return p;
}

/* Write the history through a temporary file renamed over the old one, so
 * that a failure (a full disk) never loses the old file. */
static void save_history(struct mon *m, const char *path)
{
    size_t n = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(n);
    if (!tmp)
        return;
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);      /* mode 0600 */
    int err = 0;
    if (fd < 0) {
        err = errno;
    } else {
        close(fd);
        err = write_history(tmp);
        if (!err && chmod(tmp, 0600) != 0)
            err = errno;
        if (!err && rename(tmp, path) != 0)
            err = errno;
        if (err)
            unlink(tmp);
    }
    if (err) {
        fflush(m->out);
        fprintf(m->err, "visa: warning: cannot save the history in %s: %s\n",
                path, strerror(err));
    }
    free(tmp);
}

/* ---- The loop ------------------------------------------------------------- */

void mon_source_visarc(struct mon *m)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return;
    size_t n = strlen(home) + sizeof "/.visarc";
    char *rc = malloc(n);
    if (rc) {
        snprintf(rc, n, "%s/.visarc", home);
        if (access(rc, F_OK) == 0)
            mon_source(m, rc);
        free(rc);
    }
}

int mon_interactive(struct mon *m, bool read_visarc)
{
    bool tty = isatty(STDIN_FILENO);
    char *hist = NULL;
    struct sigaction sa, old_sa;
    struct mon_input in = { .read = input_read };
    struct mon_input *saved_in = m->priv->in;

    m->interactive = tty;
    rl_mon = m;
    rl_flag = m->interrupt;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;          /* no SA_RESTART: select must wake */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_sa);

    if (tty) {
        rl_readline_name = "visa";
        rl_catch_signals = 0;           /* our handler, see the top */
        rl_attempted_completion_function = complete;
        rl_completer_word_break_characters = " \t";
        using_history();
        stifle_history(HISTORY_MAX);
        hist = history_path();
        if (hist)
            read_history(hist);         /* a missing file is no error */
    }
    if (read_visarc)
        mon_source_visarc(m);

    m->priv->in = &in;
    while (!m->quit) {
        if (m->interrupt)
            *m->interrupt = 0;          /* cleared as a new line is read */
        char *line = tty ? tty_read(m, "(visa) ", false) : plain_read();
        if (!line) {
            if (tty)
                fputc('\n', m->out);
            break;
        }
        m->priv->at_prompt = tty;
        mon_exec_line(m, line);
        m->priv->at_prompt = false;
        free(line);
        fflush(m->out);
    }
    m->priv->in = saved_in;

    if (tty && hist) {
        save_history(m, hist);
        free(hist);
    }
    cand_clear();
    free(cands);
    cands = NULL;
    capcands = 0;
    sigaction(SIGINT, &old_sa, NULL);
    rl_mon = NULL;
    if (m->quit)
        return m->quit_status;
    return tty ? 0 : m->status;
}
