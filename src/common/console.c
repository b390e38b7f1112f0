/* console.c - guest console output and input for the front ends.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

void console_init(struct console *c, FILE *out)
{
    memset(c, 0, sizeof *c);
    c->out = out;
}

void console_free(struct console *c)
{
    for (int i = 0; i <= VISA_MAX_GUESTS; i++) {
        free(c->g[i].line);
        free(c->g[i].in);
    }
    memset(c, 0, sizeof *c);
}

/* Grow *BUF (capacity *CAP) to hold NEED bytes; 0, or -1. */
static int reserve(void *bufp, size_t *cap, size_t need)
{
    unsigned char **buf = bufp;
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    unsigned char *p = realloc(*buf, ncap);
    if (!p)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

static void emit_line(struct console *c, int guest, const char *s, size_t n)
{
    fprintf(c->out, "[g%d] ", guest);
    fwrite(s, 1, n, c->out);
}

void console_write_cb(void *ctx, int guest, const char *buf, size_t len)
{
    struct console *c = ctx;
    if (guest < 1 || guest > VISA_MAX_GUESTS)
        return;
    if (!c->prefixed) {
        fwrite(buf, 1, len, c->out);
        return;
    }
    struct console_guest *g = &c->g[guest];
    while (len > 0) {
        const char *nl = memchr(buf, '\n', len);
        size_t n = nl ? (size_t)(nl - buf) + 1 : len;
        if (nl && g->len == 0) {
            emit_line(c, guest, buf, n);      /* a whole line: no copy */
        } else {
            if (reserve(&g->line, &g->cap, g->len + n) != 0) {
                /* Out of memory: print what we have rather than lose it. */
                emit_line(c, guest, g->line, g->len);
                g->len = 0;
                fwrite(buf, 1, n, c->out);
            } else {
                memcpy(g->line + g->len, buf, n);
                g->len += n;
                if (nl) {
                    emit_line(c, guest, g->line, g->len);
                    g->len = 0;
                }
            }
        }
        buf += n;
        len -= n;
    }
}

void console_flush_guest(struct console *c, int guest)
{
    if (guest < 1 || guest > VISA_MAX_GUESTS)
        return;
    struct console_guest *g = &c->g[guest];
    if (g->len) {
        emit_line(c, guest, g->line, g->len);
        fputc('\n', c->out);
        g->len = 0;
    }
}

void console_flush(struct console *c)
{
    for (int i = 1; i <= VISA_MAX_GUESTS; i++)
        console_flush_guest(c, i);
    fflush(c->out);
}

void console_set_prefixed(struct console *c, int prefixed)
{
    console_flush(c);
    c->prefixed = prefixed;
}

int console_read_cb(void *ctx, int guest)
{
    struct console *c = ctx;
    if (guest < 1 || guest > VISA_MAX_GUESTS)
        return -1;
    struct console_guest *g = &c->g[guest];
    if (g->in_pos >= g->in_len)
        return -1;
    return g->in[g->in_pos++];
}

int console_queue_input(struct console *c, int guest, const void *buf, size_t len)
{
    if (guest < 1 || guest > VISA_MAX_GUESTS)
        return -1;
    struct console_guest *g = &c->g[guest];
    if (len > SIZE_MAX - g->in_len || reserve(&g->in, &g->in_cap, g->in_len + len) != 0)
        return -1;
    memcpy(g->in + g->in_len, buf, len);
    g->in_len += len;
    return 0;
}

int console_queue_stream(struct console *c, int guest, FILE *f)
{
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (console_queue_input(c, guest, buf, n) != 0) {
            errno = ENOMEM;
            return -1;
        }
    return ferror(f) ? -1 : 0;
}

void console_reset_guest(struct console *c, int guest)
{
    if (guest < 1 || guest > VISA_MAX_GUESTS)
        return;
    console_flush_guest(c, guest);            /* never lose output */
    c->g[guest].in_pos = 0;       /* a reset guest reads its input again from the start */
}
