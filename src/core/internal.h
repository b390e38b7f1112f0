/* internal.h - declarations shared by the hypervisor core's files.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hv.c   life cycle, controls, the scheduler (visa_hv_run, visa_hv_step)
 * mmu.c  the two-stage translation, the TLB, the monitor's memory access
 * exec.c the interpreter, VM exits and their default handling
 *
 * Nothing here is visible outside src/core; every name is visa_core_*.
 */
#ifndef VISA_CORE_INTERNAL_H
#define VISA_CORE_INTERNAL_H

#include "visa/hv.h"

/* The page-fault access bits double as the permission an access needs, so
 * a TLB or EPT check is a single AND. */
_Static_assert(VISA_PFQ_READ == VISA_EPT_R && VISA_PFQ_WRITE == VISA_EPT_W &&
               VISA_PFQ_FETCH == VISA_EPT_X, "access bits are permission bits");

#define VISA_PAGE_MASK  (VISA_PAGE_SIZE - 1u)

/* Arithmetic without undefined behaviour, shared by both interpreters:
 * an arithmetic shift right by S & 31, and a signed comparison. */
static inline uint32_t sar32(uint32_t x, unsigned s)
{
    s &= 31u;
    if (s == 0 || !(x & 0x80000000u))
        return x >> s;
    return (x >> s) | ~(0xFFFFFFFFu >> s);
}

static inline bool lt_signed(uint32_t x, uint32_t y)
{
    return (x ^ 0x80000000u) < (y ^ 0x80000000u);
}

/* A page fault about to be recorded in the VMCS. */
struct visa_fault {
    uint32_t qual;               /* VISA_PFQ_* bits */
    uint32_t va;
    uint32_t gpa;
    bool gpa_valid;              /* stage-2 faults only */
};

/* ---- mmu.c ------------------------------------------------------------- */

/* Walk VA for ACCESS (VISA_PFQ_READ, _WRITE or _FETCH; 0 for the monitor,
 * which only needs present entries) and describe every step in *W, without
 * touching the machine.  W->tlb_* are left for the caller. */
void visa_core_walk(const struct visa_hv *hv, const struct visa_guest *g,
                    uint32_t va, unsigned access, struct visa_walk *w);

/* The interpreter's translation after the inline fast checks failed: paging
 * off faults, TLB misses (walk, A/D write-back, fill).  Returns the host
 * address or fills *F and returns NULL. */
uint8_t *visa_core_translate_slow(struct visa_hv *hv, struct visa_guest *g,
                                  uint32_t va, unsigned access,
                                  struct visa_fault *f);

/* Host address of VA for ACCESS as the guest sees it: one TLB lookup
 * (paging on), a walk on a miss.  NULL and *F filled on a fault. */
static inline uint8_t *visa_core_translate(struct visa_hv *hv, struct visa_guest *g,
                                           uint32_t va, unsigned access,
                                           struct visa_fault *f)
{
    if (g->vmcs.ptbr == 0) {
        /* Paging off: VA = GPA, the EPT alone decides (no TLB). */
        if (va < VISA_GUEST_MEM) {
            const struct visa_ept_entry *e = &g->vmcs.ept[va >> VISA_PAGE_SHIFT];
            if (e->present && (e->perm & access) && e->hframe < hv->nframes)
                return hv->mem + ((size_t)e->hframe << VISA_PAGE_SHIFT) +
                       (va & VISA_PAGE_MASK);
        }
    } else {
        uint32_t vpn = va >> VISA_PAGE_SHIFT;
        const struct visa_tlb_entry *t = &g->tlb[vpn % VISA_TLB_SIZE];
        if (t->vpn == vpn && (t->perm & access) &&
            (access != VISA_PFQ_WRITE || t->dirty)) {
            g->tlb_hits++;
            return hv->mem + ((size_t)t->hframe << VISA_PAGE_SHIFT) +
                   (va & VISA_PAGE_MASK);
        }
    }
    return visa_core_translate_slow(hv, g, va, access, f);
}

/* Invalidate G's TLB (and what the fast interpreter derived from it). */
void visa_core_flush_tlb(struct visa_hv *hv, struct visa_guest *g);

/* ---- exec.c ------------------------------------------------------------ */

/* What happened to the last instruction visa_core_exec ran. */
enum {
    VISA_EV_DONE  = 1,           /* it completed (and was counted) */
    VISA_EV_EXIT  = 2,           /* it took a VM exit (recorded, handled) */
    VISA_EV_YIELD = 4,           /* hypercall 0: end the slice */
    VISA_EV_BREAK = 8,           /* a hook asked to stop */
};

/* The scheduler runs at most this many instructions between looks at the
 * stop flag. */
#define VISA_CORE_CHUNK 65536u

/* Run up to N instructions of G.  Stops early after an instruction that
 * takes an exit or yields (the caller finishes it: slice, after_insn and
 * on_exit hooks), or when a hook asks (HOOKS: call before_insn and
 * after_insn).  SCHED: count the instructions in G's slice.  RUN (a run
 * without hooks, N = what is left of G's slice or less): the run's
 * remaining budget; the fast path may then take the timer exit at the
 * end of G's slice itself and go on with the next guests' slices, as
 * visa_hv_run would (hv->cur is the guest running when it returns).  0:
 * only G, only N.  Returns the VISA_EV_* bits of the last instruction;
 * *DONE is the number completed, *PC and *WORD the last instruction's
 * address and word. */
unsigned visa_core_exec(struct visa_hv *hv, struct visa_guest *g, uint64_t n,
                        bool hooks, bool sched, uint64_t run, uint64_t *done,
                        uint32_t *pc, uint32_t *word);

/* exec_one(), the reference step: the instruction at G's pc, no caches. */
unsigned visa_core_exec_one(struct visa_hv *hv, struct visa_guest *g,
                            uint32_t *wordp);
/* The same after the fetch: W is the word at G's pc (fetch counted). */
unsigned visa_core_exec_word(struct visa_hv *hv, struct visa_guest *g,
                             uint32_t w);

/* Record an exit in G's VMCS and bump its counter (default handling is the
 * caller's).  VA and GPA are recorded when F is non-NULL. */
static inline void visa_core_record_exit(struct visa_guest *g,
                                         enum visa_exit cause, uint32_t qual,
                                         uint32_t insn, uint32_t pc,
                                         const struct visa_fault *f)
{
    struct visa_vmcs *v = &g->vmcs;

    v->exit_cause = (uint32_t)cause;
    v->exit_qual = qual;
    v->exit_insn = insn;
    v->exit_pc = pc;
    v->exit_va_valid = f != NULL;
    v->exit_va = f ? f->va : 0;
    v->exit_gpa_valid = f != NULL && f->gpa_valid;
    v->exit_gpa = v->exit_gpa_valid ? f->gpa : 0;
    v->exit_count[cause]++;
}

/* ---- The scheduler's bookkeeping (hv.c; fast.c at timer exits) --------- */

/* G's slice: its own, else the global one (never 0, so time always moves). */
static inline uint32_t visa_core_slice_of(const struct visa_hv *hv,
                                          const struct visa_guest *g)
{
    uint32_t s = g->vmcs.slice ? g->vmcs.slice : hv->slice;
    return s ? s : 1u;
}

/* Record G's slice in the timeline; the next one starts from scratch. */
static inline void visa_core_end_slice(struct visa_hv *hv,
                                       struct visa_guest *g, unsigned why)
{
    struct visa_slice_rec *rec =
        &hv->timeline[hv->timeline_count % VISA_TIMELINE_SIZE];

    rec->guest = (uint8_t)g->id;
    rec->why = (uint8_t)why;
    rec->insns = g->slice_used;
    rec->start = hv->slice_start;
    hv->timeline_count++;
    g->slice_used = 0;
}

/* The first RUNNING guest after AFTER in id order, wrapping round and
 * ending with AFTER itself; 0 when none is RUNNING. */
static inline int visa_core_next_running(const struct visa_hv *hv, int after)
{
    int id = after;

    for (int k = 0; k < hv->nguests; k++) {
        id = id >= hv->nguests ? 1 : id + 1;
        if (hv->g[id - 1].state == VISA_STATE_RUNNING)
            return id;
    }
    return 0;
}

/* ---- fast.c ------------------------------------------------------------ */
/* The fast interpreter: code pre-decoded per host frame, threaded
 * dispatch, a private translation cache derived from the TLB and EPT.
 * All of it is derived data (hv->fast), rebuilt from the machine state
 * whenever that changes under it; visa_core_exec uses it when no
 * per-instruction hook is installed. */

/* Allocate hv->fast (NULL on failure: the reference path only). */
void visa_core_fast_new(struct visa_hv *hv);
void visa_core_fast_free(struct visa_hv *hv);
/* Forget everything derived (after visa_hv_copy). */
void visa_core_fast_reset(struct visa_hv *hv);
/* G's frames were (re)loaded: allocate their caches, forget the old. */
void visa_core_fast_frames_changed(struct visa_hv *hv, struct visa_guest *g);
/* G's TLB entry IDX changed (-1: all of it, or the EPT or PTBR). */
void visa_core_fast_tlb(struct visa_hv *hv, struct visa_guest *g, int idx);
/* Host memory at P (N bytes) was written outside the fast loop. */
void visa_core_code_write_slow(struct visa_hv *hv, const uint8_t *p, size_t n);
bool visa_core_fast_ready(const struct visa_hv *hv);

/* Frames holding pre-decoded code, one flag per host frame (NULL: none). */
static inline void visa_core_code_write(struct visa_hv *hv, const uint8_t *p,
                                        size_t n)
{
    if (hv->fast)
        visa_core_code_write_slow(hv, p, n);
}

/* The fast loop: as visa_core_exec without hooks.  SKIP: the first
 * instruction skips the breakpoint check. */
unsigned visa_core_fast(struct visa_hv *hv, struct visa_guest *g, uint64_t n,
                        bool sched, bool skip, uint64_t run, uint64_t *done,
                        uint32_t *pc, uint32_t *word);

/* pc breakpoints: is there one for G at PC?  Record a stop at one; take
 * (and clear) a pending skip for G's current pc. */
bool visa_core_bp_at(const struct visa_hv *hv, const struct visa_guest *g,
                     uint32_t pc);
void visa_core_bp_hit(struct visa_hv *hv, const struct visa_guest *g, uint32_t pc);
bool visa_core_bp_take_skip(struct visa_hv *hv, const struct visa_guest *g);

#endif /* VISA_CORE_INTERNAL_H */
