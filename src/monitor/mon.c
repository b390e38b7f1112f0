/* mon.c - the monitor's line parsing, dispatch and command files.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A line is split into words at white space outside parentheses and
 * quotes; the first word names a row of the command table (cmds.c) by
 * name, alias or unique prefix.  Everything users can get wrong here is a
 * message, never a crash: over-long lines, unbalanced quotes, unknown and
 * ambiguous words.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

/* Longer lines are refused rather than parsed: nothing legitimate comes
 * close, and it bounds the work hostile input can cause. */
#define MON_LINE_MAX    65536
#define MON_SOURCE_MAX  16       /* nesting of `source` */

/* ---- Output and errors --------------------------------------------- */

void mon_printf(struct mon *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(m->out, fmt, ap);
    va_end(ap);
}

/* The "FILE:LINE: " or "visa: " prefix of messages about the current
 * command (none at the prompt, where the user knows what they typed). */
static void where_prefix(struct mon *m)
{
    if (m->src_file)
        fprintf(m->err, "%s:%u: ", m->src_file, m->src_line);
    else if (!m->priv->at_prompt)
        fputs("visa: ", m->err);
}

const char *mon_sgr(const struct mon *m, const char *code)
{
    /* A few fixed codes: keep one formatted copy of each, no allocation. */
    static const char *const codes[] = {
        MON_SGR_ERROR, MON_SGR_STOP, MON_SGR_PC, MON_SGR_CHANGED, MON_SGR_OFF,
    };
    static const char *const seqs[] = {
        "\033[" MON_SGR_ERROR "m", "\033[" MON_SGR_STOP "m", "\033[" MON_SGR_PC "m",
        "\033[" MON_SGR_CHANGED "m", "\033[" MON_SGR_OFF "m",
    };
    if (!m->color)
        return "";
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(codes[i], code) == 0)
            return seqs[i];
    return "";
}

void mon_error(struct mon *m, const char *fmt, ...)
{
    va_list ap;
    fflush(m->out);          /* keep the order the user would expect */
    where_prefix(m);
    fprintf(m->err, "%serror:%s ", mon_sgr(m, MON_SGR_ERROR), mon_sgr(m, MON_SGR_OFF));
    va_start(ap, fmt);
    vfprintf(m->err, fmt, ap);
    va_end(ap);
    fputc('\n', m->err);
    fflush(m->err);
    if (!m->priv->at_prompt)
        m->status = 1;
}

/* ---- Splitting ------------------------------------------------------- */

/* One word of a line: [START, END) in the text; QUOTED when it was a
 * double-quoted string (whose quotes are removed in argv). */
struct word {
    size_t start, end;
    bool quoted;
};

/* Split S into words (at most MAX; the count is returned even when it is
 * larger).  Parentheses and quotes group; `#` at the start of a word ends
 * the line.  Returns -1 with *ERR set on an unterminated quote. */
static int split(const char *s, struct word *w, int max, const char **err)
{
    int n = 0;
    size_t i = 0;
    *err = NULL;
    for (;;) {
        while (isspace((unsigned char)s[i]))   /* the same white space as below */
            i++;
        if (!s[i] || s[i] == '#')
            return n;
        size_t start = i;
        int depth = 0;
        bool quoted = s[i] == '"';
        while (s[i] && (depth > 0 || !isspace((unsigned char)s[i]))) {
            char c = s[i];
            if (c == '"' || c == '\'') {
                /* a quoted run: backslash escapes the next character */
                i++;
                while (s[i] && s[i] != c) {
                    if (s[i] == '\\' && s[i + 1])
                        i++;
                    i++;
                }
                if (!s[i]) {
                    *err = c == '"' ? "unterminated string (missing \")"
                                    : "unterminated character constant (missing ')";
                    return -1;
                }
                i++;
                continue;
            }
            if (c == '\\' && s[i + 1]) {
                i += 2;          /* an escaped character never groups */
                continue;
            }
            if (c == '(')
                depth++;
            else if (c == ')' && depth > 0)
                depth--;
            i++;
        }
        if (quoted && s[i - 1] != '"')
            quoted = false;      /* "a"b is a word, not a string */
        if (n < max) {
            w[n].start = start;
            w[n].end = i;
            w[n].quoted = quoted;
        }
        n++;
    }
}

/* ---- Escapes --------------------------------------------------------- */

char *mon_unescape(struct mon *m, const char *s, size_t *lenp)
{
    size_t n = strlen(s);
    /* one surrounding pair of quotes goes, when it encloses everything */
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        bool inner_quote = false;
        for (size_t i = 1; i + 1 < n; i++) {
            if (s[i] == '\\') { i++; continue; }
            if (s[i] == '"') { inner_quote = true; break; }
        }
        if (!inner_quote && !(n >= 3 && s[n - 2] == '\\' &&
                              (n < 4 || s[n - 3] != '\\'))) {
            s++;
            n -= 2;
        }
    }
    char *out = malloc(n + 1);
    if (!out) {
        mon_error(m, "out of memory");
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (++i >= n) {
            free(out);
            mon_error(m, "a backslash ends the text");
            return NULL;
        }
        char c = s[i];
        switch (c) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'a': out[o++] = '\a'; break;
        case 'b': out[o++] = '\b'; break;
        case 'e': out[o++] = 27; break;
        case 'f': out[o++] = '\f'; break;
        case 'v': out[o++] = '\v'; break;
        case '\\': case '"': case '\'': case '?': out[o++] = c; break;
        case 'x': {
            unsigned v = 0, k = 0;
            while (k < 2 && i + 1 < n && isxdigit((unsigned char)s[i + 1])) {
                char h = s[++i];
                v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0'
                                        : tolower((unsigned char)h) - 'a' + 10);
                k++;
            }
            if (!k) {
                free(out);
                mon_error(m, "\\x needs hex digits");
                return NULL;
            }
            out[o++] = (char)v;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                unsigned v = (unsigned)(c - '0'), k = 1;
                while (k < 3 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
                    v = v * 8 + (unsigned)(s[++i] - '0');
                    k++;
                }
                out[o++] = (char)(v & 0xFF);
                break;
            }
            free(out);
            mon_error(m, "unknown escape '\\%c'", c);
            return NULL;
        }
    }
    out[o] = '\0';
    if (lenp)
        *lenp = o;
    return out;
}

/* ---- Guests and symbols ---------------------------------------------- */

static bool parse_decimal(const char *s, long *v)
{
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (*end || errno)
        return false;
    *v = x;
    return true;
}

int mon_parse_guest(struct mon *m, const char *s, int *guest)
{
    long v;
    const char *d = (s[0] == 'g' || s[0] == 'G') ? s + 1 : s;
    if (!parse_decimal(d, &v)) {
        mon_error(m, "'%s' is not a guest (gN or N)", s);
        return -1;
    }
    if (v < 1 || v > m->hv->nguests) {
        if (m->hv->nguests == 0)
            mon_error(m, "no guest %ld: no guest is loaded", v);
        else if (m->hv->nguests == 1)
            mon_error(m, "no guest %ld (there is only guest 1)", v);
        else
            mon_error(m, "no guest %ld (guests are 1-%d)", v, m->hv->nguests);
        return -1;
    }
    *guest = (int)v;
    return 0;
}

int mon_focus(struct mon *m)
{
    if (m->focus < 1 || m->focus > m->hv->nguests) {
        if (m->hv->nguests == 0) {
            mon_error(m, "no guest loaded");
            return -1;
        }
        m->focus = 1;
    }
    return m->focus;
}

const struct visa_symtab *mon_syms(const struct mon *m, int guest)
{
    static const struct visa_symtab empty;
    if (guest >= 1 && guest <= VISA_MAX_GUESTS && m->g[guest].img)
        return &m->g[guest].img->syms;
    return &empty;
}

const char *mon_symbolize(const struct mon *m, int guest, uint32_t addr,
                          char *buf, size_t size)
{
    const struct visa_sym *s = visa_symtab_lookup(mon_syms(m, guest), addr);
    if (!size)
        return buf;
    if (!s)
        buf[0] = '\0';
    else if (s->addr == addr)
        snprintf(buf, size, "<%s>", s->name);
    else
        snprintf(buf, size, "<%s+0x%" PRIx32 ">", s->name, addr - s->addr);
    return buf;
}

/* ---- The command table --------------------------------------------- */

/* Is WORD one of the space-separated ALIASES? */
static bool has_alias(const char *aliases, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = aliases; p && *p; ) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, word, n))
            return true;
        p += k;
        while (*p == ' ')
            p++;
    }
    return false;
}

/* Optimal string alignment distance, for "did you mean" (words are short:
 * longer ones are not worth comparing). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t d[32][32];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* Print "; did you mean 'a' or 'b'?" candidates for an unknown WORD. */
static void suggest(struct mon *m, const char *word, char *buf, size_t size)
{
    size_t best = strlen(word) <= 3 ? 1 : 2, len = 0;
    buf[0] = '\0';
    /* two passes: find the best distance, then list every name at it */
    for (size_t i = 0; i < mon_ncmds; i++) {
        size_t d = edit_distance(word, mon_cmds[i].name);
        if (d < best)
            best = d;
    }
    const char *cands[8];
    size_t nc = 0;
    for (size_t i = 0; i < mon_ncmds && nc < 8; i++)
        if (edit_distance(word, mon_cmds[i].name) == best)
            cands[nc++] = mon_cmds[i].name;
    if (!nc)
        return;
    len += (size_t)snprintf(buf + len, size - len, "; did you mean ");
    for (size_t i = 0; i < nc && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s'%s'",
                                i == 0 ? "" : i + 1 == nc ? " or " : ", ",
                                cands[i]);
    if (len < size)
        snprintf(buf + len, size - len, "?");
}

const struct mon_cmd *mon_lookup(struct mon *m, const char *word, bool report)
{
    size_t n = strlen(word);
    const struct mon_cmd *found = NULL;
    int matches = 0;
    if (!n)
        return NULL;
    for (size_t i = 0; i < mon_ncmds; i++)
        if (!strcmp(mon_cmds[i].name, word) || has_alias(mon_cmds[i].aliases, word))
            return &mon_cmds[i];
    for (size_t i = 0; i < mon_ncmds; i++)
        if (!strncmp(mon_cmds[i].name, word, n)) {
            found = &mon_cmds[i];
            matches++;
        }
    if (matches == 1)
        return found;
    if (!report)
        return NULL;
    if (matches > 1) {
        char list[512];
        size_t len = 0;
        list[0] = '\0';
        for (size_t i = 0; i < mon_ncmds && len < sizeof list; i++)
            if (!strncmp(mon_cmds[i].name, word, n))
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                        len ? ", " : "", mon_cmds[i].name);
        mon_error(m, "ambiguous command '%s': %s", word, list);
        return NULL;
    }
    char hint[256];
    suggest(m, word, hint, sizeof hint);
    if (strlen(word) > 40)
        mon_error(m, "unknown command '%.40s...'; try 'help'", word);
    else
        mon_error(m, "unknown command '%s'%s%s", word, hint,
                  hint[0] ? "" : "; try 'help'");
    return NULL;
}

/* ---- Running one line ----------------------------------------------- */

static void set_repeat(struct mon *m, char *line)
{
    free(m->priv->last_repeat);
    m->priv->last_repeat = line;
}

/* Run the command on LINE (already trimmed, not empty).  Sets *CMD to
 * the row that ran (NULL when none). */
static int exec_words(struct mon *m, const char *line, const struct mon_cmd **cmdp)
{
    *cmdp = NULL;
    const char *err;
    int n = split(line, NULL, 0, &err);
    if (n < 0) {
        mon_error(m, "%s", err);
        return -1;
    }
    if (n == 0)
        return 0;                /* a comment */
    struct word *w = malloc((size_t)n * sizeof *w);
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    char *copy = strdup(line);
    int rc = -1;
    if (!w || !argv || !copy) {
        mon_error(m, "out of memory");
        goto out;
    }
    split(line, w, n, &err);
    for (int i = 0; i < n; i++) {
        char *s = copy + w[i].start;
        copy[w[i].end] = '\0';
        if (w[i].quoted) {       /* the quotes go; escapes stay */
            s++;
            s[strlen(s) - 1] = '\0';
        }
        argv[i] = s;
    }
    /* the command word ends at '/' (x/4xw): the format stays in argv[0] */
    char name[64];
    size_t k = strcspn(argv[0], "/");
    if (k == 0 || k >= sizeof name) {
        mon_error(m, "unknown command '%.40s'", argv[0]);
        goto out;
    }
    memcpy(name, argv[0], k);
    name[k] = '\0';
    const struct mon_cmd *cmd = mon_lookup(m, name, true);
    if (!cmd)
        goto out;
    if (argv[0][k] && strcmp(cmd->name, "x") && strcmp(cmd->name, "xp")) {
        mon_error(m, "%s takes no /FORMAT", cmd->name);
        goto out;
    }
    const char *rest = line + w[0].end;
    while (isspace((unsigned char)*rest))
        rest++;
    /* rest is trimmed at the end too (and loses a trailing comment) */
    char *rest_copy = strndup(rest, n > 1 ? w[n - 1].end - (size_t)(rest - line) : 0);
    if (!rest_copy) {
        mon_error(m, "out of memory");
        goto out;
    }
    *cmdp = cmd;
    rc = cmd->fn(m, n, argv, rest_copy);
    free(rest_copy);
out:
    free(w);
    free(argv);
    free(copy);
    return rc;
}

int mon_exec_line(struct mon *m, const char *line)
{
    size_t len = strlen(line);
    if (len > MON_LINE_MAX) {
        mon_error(m, "line too long (%zu bytes; the limit is %d)", len, MON_LINE_MAX);
        return -1;
    }
    while (isspace((unsigned char)*line))
        line++;
    if (!*line) {
        /* an empty line at the prompt repeats step, next, tick, continue, x */
        if (!m->priv->at_prompt || !m->priv->last_repeat)
            return 0;
        char *again = strdup(m->priv->last_repeat);
        if (!again) {
            mon_error(m, "out of memory");
            return -1;
        }
        int rc = mon_exec_line(m, again);
        free(again);
        return rc;
    }
    free(m->repeat_line);
    m->repeat_line = NULL;
    const struct mon_cmd *cmd;
    int rc = exec_words(m, line, &cmd);
    if (!cmd)
        return rc;
    if (!(cmd->flags & MON_REPEAT)) {
        set_repeat(m, NULL);
    } else if (rc == 0) {
        char *r = m->repeat_line;
        m->repeat_line = NULL;
        if (!r && (!strcmp(cmd->name, "x") || !strcmp(cmd->name, "xp")))
            r = strndup(line, strcspn(line, " \t"));   /* x/FMT: go on */
        else if (!r)
            r = strdup(line);
        set_repeat(m, r);
    }
    return rc;
}

/* ---- Command files --------------------------------------------------- */

/* One line of a command file, without its newline.  At most MON_LINE_MAX
 * bytes are kept (the rest of a longer line is read and dropped, so a
 * hostile file cannot exhaust memory); *TOTAL gets the full length.
 * NULL at end of file, or when Ctrl-C interrupts an endless line. */
static char *read_file_line(struct mon *m, struct mon_input *in, size_t *total)
{
    size_t cap = 256, n = 0, len = 0;
    char *buf = malloc(cap);
    int c = EOF;
    if (!buf)
        return NULL;
    while ((c = getc(in->f)) != EOF && c != '\n') {
        if (++len % 65536 == 0 && m->interrupt && *m->interrupt)
            break;                      /* e.g. source /dev/zero */
        if (n >= MON_LINE_MAX)
            continue;
        if (n + 1 >= cap) {
            char *p = realloc(buf, cap * 2);
            if (!p)
                continue;               /* keep what fits; it is reported */
            buf = p;
            cap *= 2;
        }
        buf[n++] = (char)c;
    }
    if ((c == EOF && len == 0) || (m->interrupt && *m->interrupt && c != '\n' && c != EOF)) {
        free(buf);
        return NULL;
    }
    in->line++;
    while (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *total = len;
    return buf;
}

char *mon_read_line(struct mon *m, const char *prompt)
{
    struct mon_input *in = m->priv->in;
    if (!in)
        return NULL;
    if (in->f) {
        size_t total;
        char *l = read_file_line(m, in, &total);
        if (l) {
            m->src_line = in->line;
            if (total > MON_LINE_MAX) {
                mon_error(m, "line too long (%zu bytes; the limit is %d)", total, MON_LINE_MAX);
                l[0] = '\0';
            }
        }
        return l;
    }
    return in->read ? in->read(m, prompt) : NULL;
}

int mon_source(struct mon *m, const char *path)
{
    if (m->source_depth >= MON_SOURCE_MAX) {
        mon_error(m, "source: nesting too deep (at most %d files)", MON_SOURCE_MAX);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        mon_error(m, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    struct mon_input in = { .f = f, .name = path };
    struct mon_input *saved_in = m->priv->in;
    const char *saved_file = m->src_file;
    unsigned saved_line = m->src_line;
    bool saved_prompt = m->priv->at_prompt;
    int rc = 0;
    m->priv->in = &in;
    m->priv->at_prompt = false;
    m->source_depth++;
    m->src_file = path;
    char *line;
    size_t total;
    while (!m->quit && (line = read_file_line(m, &in, &total)) != NULL) {
        m->src_line = in.line;
        if (m->interrupt && *m->interrupt) {
            free(line);
            mon_error(m, "interrupted");
            rc = -1;
            break;
        }
        int r;
        if (total > MON_LINE_MAX) {
            mon_error(m, "line too long (%zu bytes; the limit is %d)", total, MON_LINE_MAX);
            r = -1;
        } else {
            r = mon_exec_line(m, line);
        }
        free(line);
        if (r < 0 && !m->on_error_continue) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && !m->quit && m->interrupt && *m->interrupt) {
        mon_error(m, "interrupted");    /* while reading an endless line */
        rc = -1;
    }
    if (rc == 0 && ferror(f)) {
        mon_error(m, "error reading '%s': %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    m->source_depth--;
    m->src_file = saved_file;
    m->src_line = saved_line;
    m->priv->in = saved_in;
    m->priv->at_prompt = saved_prompt;
    return rc;
}

/* ---- Life cycle ------------------------------------------------------ */

static void console_write(void *ctx, int guest, const char *buf, size_t len);
static int console_read(void *ctx, int guest);

int mon_init(struct mon *m, struct visa_hv *hv, struct console *con,
             struct visa_image **images, int nimages,
             volatile sig_atomic_t *interrupt)
{
    memset(m, 0, sizeof *m);
    m->hv = hv;
    m->con = con;
    m->out = stdout;
    m->err = stderr;
    m->step_print = true;
    m->interrupt = interrupt;
    m->priv = calloc(1, sizeof *m->priv);
    if (!m->priv)
        return -1;
    for (int i = 0; i < nimages && i < VISA_MAX_GUESTS; i++)
        m->g[i + 1].img = images[i];
    m->focus = hv->nguests > 0 ? 1 : 0;
    if (mon_run_init(m) < 0) {
        free(m->priv);
        m->priv = NULL;
        return -1;
    }
    struct visa_callbacks cb = {
        .ctx = m, .console_write = console_write, .console_read = console_read,
    };
    visa_hv_set_callbacks(hv, &cb);
    visa_hv_set_stop_flag(hv, interrupt);
    if (con)
        console_set_prefixed(con, hv->nguests > 1);
    mon_note_stop(m);
    return 0;
}

void mon_free(struct mon *m)
{
    if (m->priv) {
        mon_run_free(m);
        free(m->priv->last_repeat);
        free(m->priv);
        m->priv = NULL;
    }
    free(m->repeat_line);
    m->repeat_line = NULL;
    for (int i = 0; i <= VISA_MAX_GUESTS; i++)
        if (m->g[i].img) {
            visa_image_free(m->g[i].img);
            free(m->g[i].img);
            m->g[i].img = NULL;
        }
}

/* The core's console callbacks all share one context (the monitor), so the
 * console module is reached through these. */
static void console_write(void *ctx, int guest, const char *buf, size_t len)
{
    struct mon *m = ctx;
    if (m->con)
        console_write_cb(m->con, guest, buf, len);
    /* remembered so that a stop report starts on a line of its own */
    if (len && m->con && !m->con->prefixed)
        m->priv->console_mid_line = buf[len - 1] != '\n';
}

static int console_read(void *ctx, int guest)
{
    struct mon *m = ctx;
    return m->con ? console_read_cb(m->con, guest) : -1;
}

/* ---- Scripts: source, echo, assert, help, quit ---------------------- */

int mon_cmd_source(struct mon *m, int argc, char **argv, const char *rest)
{
    if (argc != 2) {
        mon_error(m, "usage: source FILE");
        return -1;
    }
    return mon_source(m, argv[1]);
}

int mon_cmd_echo(struct mon *m, int argc, char **argv, const char *rest)
{
    /* "\c" ends the output without a newline (as POSIX echo); a text that
     * ends in a newline already (gdb's `echo text\n`) gets no second one. */
    size_t cut = strlen(rest);
    bool no_newline = false;
    for (size_t i = 0; rest[i]; i++)
        if (rest[i] == '\\' && rest[i + 1] == 'c') {
            cut = i;
            no_newline = true;
            break;
        } else if (rest[i] == '\\' && rest[i + 1]) {
            i++;
        }
    char *head = strndup(rest, cut);
    size_t len;
    char *text = head ? mon_unescape(m, head, &len) : NULL;
    free(head);
    if (!text)
        return -1;
    fwrite(text, 1, len, m->out);
    if (!no_newline && (len == 0 || text[len - 1] != '\n'))
        fputc('\n', m->out);
    free(text);
    fflush(m->out);
    return 0;
}

int mon_cmd_assert(struct mon *m, int argc, char **argv, const char *rest)
{
    if (argc < 2) {
        mon_error(m, "usage: assert EXPR [\"MESSAGE\"]");
        return -1;
    }
    /* a last word that is a quoted string is the message */
    struct word w[2];
    const char *err;
    int n = split(rest, NULL, 0, &err);
    char *expr = NULL, *msg = NULL;
    if (n >= 2) {
        struct word *all = malloc((size_t)n * sizeof *all);
        if (!all) {
            mon_error(m, "out of memory");
            return -1;
        }
        split(rest, all, n, &err);
        w[0] = all[n - 2];
        w[1] = all[n - 1];
        free(all);
        if (w[1].quoted) {
            expr = strndup(rest, w[0].end);
            msg = mon_unescape(m, rest + w[1].start, NULL);
            if (!msg) {
                free(expr);
                return -1;
            }
        }
    }
    if (!expr)
        expr = strdup(rest);
    if (!expr) {
        free(msg);
        mon_error(m, "out of memory");
        return -1;
    }
    uint32_t v;
    int rc = mon_eval(m, expr, 0, &v);
    if (rc == 0 && v == 0) {
        fflush(m->out);
        where_prefix(m);
        fprintf(m->err, "assertion failed: %s", expr);
        if (msg)
            fprintf(m->err, " (%s)", msg);
        fputc('\n', m->err);
        fflush(m->err);
        if (!m->priv->at_prompt)
            m->status = 1;
    }
    free(expr);
    free(msg);
    return rc;
}

int mon_cmd_quit(struct mon *m, int argc, char **argv, const char *rest)
{
    uint32_t v = m->priv->at_prompt ? 0 : (uint32_t)m->status;
    if (argc > 2) {
        mon_error(m, "usage: quit [N]");
        return -1;
    }
    if (argc == 2) {
        if (mon_eval(m, rest, 0, &v) < 0)
            return -1;
        if (v > 255) {
            mon_error(m, "exit status %" PRIu32 " is out of range (0-255)", v);
            return -1;
        }
    }
    m->quit = true;
    m->quit_status = (int)v;
    return 0;
}

/* "name, alias, alias" */
static const char *names_of(const struct mon_cmd *c, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s", c->name);
    for (const char *p = c->aliases; p && *p && len < size; ) {
        size_t k = strcspn(p, " ");
        len += (size_t)snprintf(buf + len, size - len, ", %.*s", (int)k, p);
        p += k;
        while (*p == ' ')
            p++;
    }
    return buf;
}

int mon_cmd_help(struct mon *m, int argc, char **argv, const char *rest)
{
    char names[64];
    if (argc > 2) {
        mon_error(m, "usage: help [COMMAND]");
        return -1;
    }
    if (argc == 2) {
        const struct mon_cmd *c = mon_lookup(m, argv[1], true);
        if (!c)
            return -1;
        mon_printf(m, "%s\n", c->synopsis);
        if (c->aliases)
            mon_printf(m, "Aliases: %s\n", names_of(c, names, sizeof names) +
                       strlen(c->name) + 2);
        mon_printf(m, "%s\n", c->long_help);
        return 0;
    }
    size_t width = 0;
    for (size_t i = 0; i < mon_ncmds; i++) {
        size_t l = strlen(names_of(&mon_cmds[i], names, sizeof names));
        if (l > width)
            width = l;
    }
    mon_printf(m, "Commands (a unique prefix is enough; `help COMMAND` for more):\n");
    for (size_t i = 0; i < mon_ncmds; i++)
        mon_printf(m, "  %-*s  %s\n", (int)width,
                   names_of(&mon_cmds[i], names, sizeof names), mon_cmds[i].help);
    mon_printf(m, "An empty line repeats step, next, tick, continue and x; "
               "Ctrl-C stops a run.\n");
    return 0;
}
