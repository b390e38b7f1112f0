/* console.h - guest console output and input for the front ends.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core hands guest console output to a callback; this module renders
 * it: with one guest exactly what it wrote, with several line-buffered per
 * guest with a `[gN] ` prefix (a partial last line is flushed at the end,
 * in guest order, with a newline added).  It also keeps the console input
 * queued for each guest (--input, the monitor's `input`).
 */
#ifndef VISA_CONSOLE_H
#define VISA_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#include "visa/isa.h"

struct console_guest {
    char *line;              /* pending partial line (prefixed mode) */
    size_t len, cap;
    unsigned char *in;       /* queued input */
    size_t in_len, in_pos, in_cap;
};

struct console {
    FILE *out;
    int prefixed;            /* several guests: `[gN] ` per line */
    struct console_guest g[VISA_MAX_GUESTS + 1];   /* index = guest id */
};

void console_init(struct console *c, FILE *out);
void console_free(struct console *c);
/* Switch prefixing on or off (flushes pending lines first). */
void console_set_prefixed(struct console *c, int prefixed);
/* The struct visa_callbacks console functions; CTX is a struct console. */
void console_write_cb(void *ctx, int guest, const char *buf, size_t len);
int console_read_cb(void *ctx, int guest);
/* Flush GUEST's partial line (prefixed mode), with a newline added. */
void console_flush_guest(struct console *c, int guest);
/* Flush partial lines (prefixed mode: in guest order, newline added). */
void console_flush(struct console *c);
/* Queue LEN bytes of input for GUEST; 0, or -1 when out of memory. */
int console_queue_input(struct console *c, int guest, const void *buf, size_t len);
/* Queue the whole of an open stream; 0, or -1 (errno set). */
int console_queue_stream(struct console *c, int guest, FILE *f);
/* GUEST was reset: flush its pending output and rewind its input so the
 * reset guest reads the same input again. */
void console_reset_guest(struct console *c, int guest);

#endif /* VISA_CONSOLE_H */
