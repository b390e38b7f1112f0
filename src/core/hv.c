/* hv.c - the hypervisor: life cycle, guests, controls and the scheduler.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scheduler (machine.md section 7) hands the CPU round robin to the
 * RUNNING guests in id order.  It runs the interpreter in chunks that never
 * cross a slice end, the budget or 65536 instructions (so the stop flag is
 * seen often), and finishes here every instruction that took an exit or
 * yielded: slice bookkeeping first, then the after_insn and on_exit hooks.
 * With hooks installed the chunks are one instruction long, so a hook that
 * changes the machine is seen before the next instruction.  Without any
 * (on_exit included) the fast path takes timer exits itself and goes on
 * with the next guest, exactly as this loop would (fast.c, next_slice).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHUNK VISA_CORE_CHUNK

/* ---- Errors ------------------------------------------------------------- */

static const char *const errmsg[] = {
    [0] = "success",
#define VISA_X_ERR(name, val, msg) [val] = msg,
    VISA_ERRORS(VISA_X_ERR)
#undef VISA_X_ERR
};

const char *visa_strerror(int err)
{
    int n = (int)(sizeof errmsg / sizeof errmsg[0]);
    if (err <= 0 && err > -n && errmsg[-err])
        return errmsg[-err];
    return "unknown error";
}

/* ---- Life cycle ----------------------------------------------------------- */

int visa_hv_new(struct visa_hv **out, uint32_t host_mem)
{
    struct visa_hv *hv;

    *out = NULL;
    if (host_mem % VISA_PAGE_SIZE != 0 || host_mem < VISA_GUEST_MEM ||
        host_mem > VISA_HOST_MEM_MAX)
        return VISA_EBADSIZE;
    hv = calloc(1, sizeof *hv);
    if (hv == NULL)
        return VISA_ENOMEM;
    hv->mem = calloc(1, host_mem);
    if (hv->mem == NULL) {
        free(hv);
        return VISA_ENOMEM;
    }
    hv->mem_size = host_mem;
    hv->nframes = host_mem / VISA_PAGE_SIZE;
    hv->slice = VISA_DEFAULT_SLICE;
    visa_core_fast_new(hv);         /* failure: the reference path only */
    *out = hv;
    return VISA_OK;
}

void visa_hv_free(struct visa_hv *hv)
{
    if (hv == NULL)
        return;
    visa_core_fast_free(hv);
    free(hv->mem);
    free(hv);
}

int visa_hv_copy(struct visa_hv *dst, const struct visa_hv *src)
{
    uint8_t *mem = dst->mem;
    struct visa_fast *fast = dst->fast;
    struct visa_callbacks cb = dst->cb;
    volatile sig_atomic_t *flag = dst->stop_flag;

    if (dst == src)
        return VISA_OK;
    if (dst->mem_size != src->mem_size)
        return VISA_EBADSIZE;
    *dst = *src;
    dst->mem = mem;
    dst->fast = fast;
    dst->cb = cb;
    dst->stop_flag = flag;
    memcpy(dst->mem, src->mem, src->mem_size);
    visa_core_fast_reset(dst);
    visa_hv_hooks_changed(dst);
    return VISA_OK;
}

struct visa_guest *visa_hv_guest(struct visa_hv *hv, int guest)
{
    if (hv == NULL || guest < 1 || guest > hv->nguests)
        return NULL;
    return &hv->g[guest - 1];
}

/* Boot state (machine.md section 1): the image at GPA 0, pc 0, sp 0x4000,
 * paging off, every trap on, EPT present RWX on the guest's own frames,
 * nothing counted yet.  The host frames and the guest's slice are kept. */
static void boot(struct visa_hv *hv, struct visa_guest *g)
{
    struct visa_vmcs *v = &g->vmcs;

    for (unsigned i = 0; i < VISA_GUEST_FRAMES; i++) {
        uint8_t *frame = hv->mem + ((size_t)v->ept[i].hframe << VISA_PAGE_SHIFT);
        uint32_t base = i * VISA_PAGE_SIZE, n = 0;
        if (g->image_size > base)
            n = g->image_size - base < VISA_PAGE_SIZE ? g->image_size - base
                                                       : VISA_PAGE_SIZE;
        memcpy(frame, g->image + base, n);
        memset(frame + n, 0, VISA_PAGE_SIZE - n);
        v->ept[i].present = 1;
        v->ept[i].perm = VISA_EPT_RWX;
    }
    memset(g->r, 0, sizeof g->r);
    g->r[VISA_REG_SP] = VISA_GUEST_MEM;
    g->pc = 0;
    g->state = VISA_STATE_RUNNING;
    g->exit_code = 0;
    v->ptbr = 0;
    v->trap_ctl = VISA_TRAP_DEFAULT;
    v->exit_cause = VISA_EXIT_NONE;
    v->exit_qual = v->exit_va = v->exit_gpa = v->exit_insn = v->exit_pc = 0;
    v->exit_va_valid = v->exit_gpa_valid = false;
    memset(v->exit_count, 0, sizeof v->exit_count);
    visa_core_flush_tlb(hv, g);
    visa_core_fast_frames_changed(hv, g);
    g->tlb_hits = g->tlb_misses = 0;
    g->icount = 0;
    g->slice_used = 0;
}

int visa_hv_add_guest(struct visa_hv *hv, const uint8_t *image, size_t size)
{
    uint32_t frames[VISA_GUEST_FRAMES];
    unsigned k = 0;

    if (image == NULL || size == 0)
        return VISA_EEMPTY;
    if (size > VISA_GUEST_MEM)
        return VISA_ETOOBIG;
    if (hv->nguests >= VISA_MAX_GUESTS)
        return VISA_ETOOMANY;
    for (uint32_t f = 0; f < hv->nframes && k < VISA_GUEST_FRAMES; f++)
        if (hv->frame_owner[f] == 0)
            frames[k++] = f;
    if (k < VISA_GUEST_FRAMES)
        return VISA_EHOSTMEM;

    int id = ++hv->nguests;
    struct visa_guest *g = &hv->g[id - 1];
    memset(g, 0, sizeof *g);
    g->id = id;
    for (unsigned i = 0; i < VISA_GUEST_FRAMES; i++) {
        hv->frame_owner[frames[i]] = (uint8_t)id;
        g->vmcs.ept[i].hframe = frames[i];
    }
    memcpy(g->image, image, size);
    g->image_size = (uint32_t)size;
    boot(hv, g);
    return id;
}

int visa_hv_reset_guest(struct visa_hv *hv, int guest)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    if (g == NULL)
        return VISA_ENOGUEST;
    boot(hv, g);
    return VISA_OK;
}

void visa_hv_set_callbacks(struct visa_hv *hv, const struct visa_callbacks *cb)
{
    if (cb)
        hv->cb = *cb;
    else
        memset(&hv->cb, 0, sizeof hv->cb);
    visa_hv_hooks_changed(hv);
}

void visa_hv_set_stop_flag(struct visa_hv *hv, volatile sig_atomic_t *flag)
{
    hv->stop_flag = flag;
}

void visa_hv_hooks_changed(struct visa_hv *hv)
{
    /* on_exit is called at exits only: it does not slow the run down. */
    hv->slow = hv->cb.before_insn || hv->cb.after_insn;
}

/* ---- Controls --------------------------------------------------------------- */

int visa_hv_set_slice(struct visa_hv *hv, uint32_t slice)
{
    if (slice == 0)
        return VISA_ERANGE;
    hv->slice = slice;
    return VISA_OK;
}

int visa_hv_set_guest_slice(struct visa_hv *hv, int guest, uint32_t slice)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    if (g == NULL)
        return VISA_ENOGUEST;
    g->vmcs.slice = slice;
    return VISA_OK;
}

int visa_hv_pause(struct visa_hv *hv, int guest)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    if (g == NULL)
        return VISA_ENOGUEST;
    if (g->state == VISA_STATE_RUNNING)
        g->state = VISA_STATE_PAUSED;
    return VISA_OK;
}

int visa_hv_resume(struct visa_hv *hv, int guest)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    if (g == NULL)
        return VISA_ENOGUEST;
    if (g->state == VISA_STATE_PAUSED || g->state == VISA_STATE_BLOCKED)
        g->state = VISA_STATE_RUNNING;
    return VISA_OK;
}

int visa_hv_set_ept(struct visa_hv *hv, int guest, unsigned frame, unsigned perm)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    if (g == NULL)
        return VISA_ENOGUEST;
    if (frame >= VISA_GUEST_FRAMES ||
        (perm != VISA_EPT_NOT_PRESENT && (perm & ~VISA_EPT_RWX) != 0))
        return VISA_ERANGE;
    if (perm == VISA_EPT_NOT_PRESENT) {
        g->vmcs.ept[frame].present = 0;
    } else {
        g->vmcs.ept[frame].present = 1;
        g->vmcs.ept[frame].perm = (uint8_t)perm;
    }
    visa_core_flush_tlb(hv, g);
    return VISA_OK;
}

void visa_hv_flush_tlb(struct visa_hv *hv, int guest)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    if (g)
        visa_core_flush_tlb(hv, g);
}

/* ---- The scheduler ------------------------------------------------------------ */

static bool stop_requested(const struct visa_hv *hv)
{
    return hv->stop_flag != NULL && *hv->stop_flag != 0;
}

static bool call_on_exit(struct visa_hv *hv, const struct visa_guest *g)
{
    return hv->cb.on_exit && hv->cb.on_exit(hv->cb.ctx, hv, g->id) != 0;
}

/* Finish the instruction at PC (WORD) that visa_core_exec stopped after
 * because it took an exit or yielded (events EV).  In a run (SCHED) an exit
 * that blocked or stopped the guest ends its slice, and so does a yield,
 * which passes the CPU on.  Then the hooks; true when one asks to stop. */
static bool finish(struct visa_hv *hv, struct visa_guest *g, unsigned ev,
                   uint32_t pc, uint32_t word, bool sched)
{
    bool brk = false;

    if (sched && g->state != VISA_STATE_RUNNING) {
        visa_core_end_slice(hv, g, g->vmcs.exit_cause);
    } else if (sched && (ev & VISA_EV_YIELD)) {
        visa_core_end_slice(hv, g, VISA_EXIT_NONE);
        hv->cur = visa_core_next_running(hv, g->id);
    }
    /* The instruction first, then its exit: a trace shows them in the
     * order they happened. */
    if (hv->slow && (ev & VISA_EV_DONE) && hv->cb.after_insn &&
        hv->cb.after_insn(hv->cb.ctx, hv, g->id, pc, word) != 0)
        brk = true;
    if ((ev & VISA_EV_EXIT) && call_on_exit(hv, g))
        brk = true;
    return brk;
}

/* Run up to N instructions of *GP and finish the last one if it took an
 * exit or yielded.  In a run (RUN: its remaining budget, 0 in a step) the
 * fast path may go on through timer exits into other guests' slices: *GP
 * is then the guest it stopped in.  Adds the completed instructions to
 * *DONE; true on a break. */
static bool run_chunk(struct visa_hv *hv, struct visa_guest **gp, uint64_t n,
                      bool sched, uint64_t run, uint64_t *done)
{
    uint64_t k;
    uint32_t pc, word;
    struct visa_guest *g = *gp;
    unsigned ev = visa_core_exec(hv, g, n, hv->slow, sched,
                                 hv->cb.on_exit ? 0 : run, &k, &pc, &word);

    if (sched && hv->cur != g->id)
        *gp = g = &hv->g[hv->cur - 1];
    *done += k;
    if (ev & VISA_EV_BREAK)
        return true;
    return (ev & (VISA_EV_EXIT | VISA_EV_YIELD)) &&
           finish(hv, g, ev, pc, word, sched);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

enum visa_stop visa_hv_run(struct visa_hv *hv, uint64_t budget, int *guest)
{
    uint64_t done = 0;
    int who = 0;
    enum visa_stop why;

    for (;;) {
        if (stop_requested(hv)) {
            why = VISA_STOP_INTERRUPT;
            break;
        }
        struct visa_guest *g = visa_hv_guest(hv, hv->cur);
        if (g == NULL || g->state != VISA_STATE_RUNNING) {
            /* The holder left RUNNING outside an exit (pause, or a step
             * that blocked it): its slice ends here. */
            if (g != NULL && g->slice_used != 0)
                visa_core_end_slice(hv, g, VISA_EXIT_NONE);
            int next = visa_core_next_running(hv, hv->cur);
            if (next == 0) {
                why = VISA_STOP_IDLE;
                break;
            }
            hv->cur = next;
            g = &hv->g[next - 1];
        }
        uint32_t slice = visa_core_slice_of(hv, g);
        if (g->slice_used >= slice) {
            /* Slice used up: a timer exit passes the CPU on, to the same
             * guest when it is the only one. */
            visa_core_record_exit(g, VISA_EXIT_TIMER, slice, 0, g->pc, NULL);
            visa_core_end_slice(hv, g, VISA_EXIT_TIMER);
            hv->cur = visa_core_next_running(hv, g->id);
            if (call_on_exit(hv, g)) {
                who = g->id;
                why = VISA_STOP_BREAK;
                break;
            }
            continue;
        }
        if (done >= budget) {
            why = VISA_STOP_BUDGET;
            break;
        }
        if (g->slice_used == 0)
            hv->slice_start = hv->icount;
        uint64_t n = min64(min64(slice - g->slice_used, budget - done),
                           hv->slow ? 1u : CHUNK);
        if (run_chunk(hv, &g, n, true, budget - done, &done)) {
            who = g->id;
            why = VISA_STOP_BREAK;
            break;
        }
    }
    if (guest) {
        const struct visa_guest *c = visa_hv_guest(hv, hv->cur);
        if (who == 0 && why != VISA_STOP_IDLE && c &&
            c->state == VISA_STATE_RUNNING)
            who = c->id;
        *guest = who;
    }
    return why;
}

enum visa_stop visa_hv_step(struct visa_hv *hv, int guest, uint64_t n)
{
    struct visa_guest *g = visa_hv_guest(hv, guest);
    uint64_t done = 0;

    if (g == NULL)
        return VISA_STOP_IDLE;
    while (done < n) {
        if (stop_requested(hv))
            return VISA_STOP_INTERRUPT;
        if (g->state != VISA_STATE_RUNNING)
            return VISA_STOP_IDLE;
        if (run_chunk(hv, &g, min64(n - done, hv->slow ? 1u : CHUNK),
                      false, 0, &done))
            return VISA_STOP_BREAK;
    }
    return g->state == VISA_STATE_RUNNING ? VISA_STOP_BUDGET : VISA_STOP_IDLE;
}
