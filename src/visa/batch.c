/* batch.c - `visa IMAGE...` without the monitor: run every guest to the end.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>

#include "batch.h"
#include "visa/disas.h"

/* The callbacks share one context. */
struct batch_ctx {
    struct console *con;
    struct visa_image *const *images;
};

static void write_cb(void *ctx, int guest, const char *buf, size_t len)
{
    console_write_cb(((struct batch_ctx *)ctx)->con, guest, buf, len);
}

static int read_cb(void *ctx, int guest)
{
    return console_read_cb(((struct batch_ctx *)ctx)->con, guest);
}

/* --trace: one line per executed instruction, in execution order. */
static int trace_insn(void *ctx, struct visa_hv *hv, int guest, uint32_t pc,
                      uint32_t word)
{
    struct batch_ctx *b = ctx;
    char text[96];
    visa_disas_insn(word, pc, &b->images[guest - 1]->syms, text, sizeof text);
    fprintf(b->con->out, "[g%d] 0x%08" PRIx32 ":  %02x %02x %02x %02x  %s\n",
            guest, pc, word >> 24, (word >> 16) & 0xFFu, (word >> 8) & 0xFFu,
            word & 0xFFu, text);
    return 0;
}

void batch_summary(FILE *out, const struct visa_hv *hv,
                   struct visa_image *const *images)
{
    for (int id = 1; id <= hv->nguests; id++) {
        const struct visa_guest *g = &hv->g[id - 1];
        fprintf(out, "g%d %s: %s", id, images[id - 1]->path,
                visa_state_names[g->state]);
        if (g->state == VISA_STATE_STOPPED)
            fprintf(out, ", exit code %" PRId32, (int32_t)g->exit_code);
        else if (g->state == VISA_STATE_BLOCKED && g->vmcs.exit_cause)
            fprintf(out, " on %s at pc 0x%08" PRIx32,
                    visa_exittab[g->vmcs.exit_cause].name, g->vmcs.exit_pc);
        fprintf(out, ", %" PRIu64 " instruction%s\n", g->icount,
                g->icount == 1 ? "" : "s");
        fputs("  exits:", out);
        uint64_t total = 0;
        for (int c = 1; c < VISA_EXIT_COUNT; c++) {
            if (!g->vmcs.exit_count[c])
                continue;
            fprintf(out, " %s %" PRIu64, visa_exittab[c].name, g->vmcs.exit_count[c]);
            total += g->vmcs.exit_count[c];
        }
        fputs(total ? "\n" : " none\n", out);
    }
}

int batch_run(struct visa_hv *hv, struct console *con,
              struct visa_image *const *images, const struct batch_opts *o,
              volatile sig_atomic_t *interrupt)
{
    struct batch_ctx b = { con, images };
    struct visa_callbacks cb = {
        .ctx = &b,
        .console_write = write_cb,
        .console_read = read_cb,
        .after_insn = o->trace ? trace_insn : NULL,
    };
    visa_hv_set_callbacks(hv, &cb);
    visa_hv_set_stop_flag(hv, interrupt);

    enum visa_stop why = visa_hv_run(hv, o->max_insns ? o->max_insns : UINT64_MAX, NULL);
    console_flush(con);
    fflush(stdout);
    if (!o->quiet) {
        if (why == VISA_STOP_INTERRUPT)
            fputs("visa: interrupted\n", stderr);
        else if (why == VISA_STOP_BUDGET)
            fprintf(stderr, "visa: stopped after %" PRIu64 " instructions (--max-instructions)\n",
                    hv->icount);
        batch_summary(stderr, hv, images);
    }
    if (why == VISA_STOP_INTERRUPT)
        return 130;
    for (int id = 1; id <= hv->nguests; id++) {
        const struct visa_guest *g = &hv->g[id - 1];
        if (g->state != VISA_STATE_STOPPED || g->exit_code != 0)
            return 1;
    }
    return 0;
}
