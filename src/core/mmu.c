/* mmu.c - two-stage address translation, the TLB and the monitor's view
 * of guest memory.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One walk function (visa_core_walk) describes a translation step by step
 * without touching the machine.  The interpreter applies its side effects
 * (A/D write-back, TLB fill, counters) in visa_core_translate_slow; the
 * monitor's accessors and visa_hv_translate only look.  Every host address
 * is made from an EPT entry whose host frame is checked against the host
 * memory here, so a guest can never reach outside its own frames.
 */
#include <config.h>

#include <string.h>

#include "internal.h"

void visa_core_flush_tlb(struct visa_hv *hv, struct visa_guest *g)
{
    for (unsigned i = 0; i < VISA_TLB_SIZE; i++)
        g->tlb[i] = (struct visa_tlb_entry){ .vpn = VISA_TLB_INVALID };
    visa_core_fast_tlb(hv, g, -1);
}

/* The EPT entry for GPA, or NULL when GPA lies beyond guest memory. */
static const struct visa_ept_entry *ept_entry(const struct visa_guest *g,
                                              uint32_t gpa)
{
    return gpa < VISA_GUEST_MEM ? &g->vmcs.ept[gpa >> VISA_PAGE_SHIFT] : NULL;
}

/* Stage-2 qualification bits for an access to E needing NEED, or 0 when the
 * access is allowed.  An entry whose host frame lies outside host memory
 * counts as not present (it cannot be made through the API). */
static uint32_t ept_check(const struct visa_hv *hv,
                          const struct visa_ept_entry *e, unsigned need)
{
    if (e == NULL || !e->present || e->hframe >= hv->nframes)
        return VISA_PFQ_STAGE2;
    if ((e->perm & need) != need)
        return VISA_PFQ_STAGE2 | VISA_PFQ_PROT;
    return 0;
}

static uint32_t ept_hpa(const struct visa_ept_entry *e, uint32_t gpa)
{
    return (e->hframe << VISA_PAGE_SHIFT) | (gpa & VISA_PAGE_MASK);
}

/* What a TLB entry caches for a page mapped by PTE onto a frame with EPT
 * permissions EPT: read needs EPT R; write PTE W and EPT W; execute PTE X
 * and EPT X. */
static uint8_t combined_perm(uint32_t pte, uint8_t ept)
{
    uint8_t p = ept & VISA_EPT_R;
    if (pte & VISA_PTE_W)
        p |= ept & VISA_EPT_W;
    if (pte & VISA_PTE_X)
        p |= ept & VISA_EPT_X;
    return p;
}

static void walk_fail(struct visa_walk *w, enum visa_walk_fail why,
                      uint32_t qual, uint32_t gpa)
{
    w->fail = why;
    w->qual = qual;
    w->fault_gpa = gpa;
}

void visa_core_walk(const struct visa_hv *hv, const struct visa_guest *g,
                    uint32_t va, unsigned access, struct visa_walk *w)
{
    const struct visa_ept_entry *e;
    uint32_t gpa = va, s2;

    memset(w, 0, sizeof *w);
    w->va = va;
    w->access = access;
    w->ptbr = g->vmcs.ptbr;
    w->paging = w->ptbr != 0;
    w->vpn = va >> VISA_PAGE_SHIFT;
    w->offset = va & VISA_PAGE_MASK;
    w->fault_va = va;

    if (w->paging) {
        if (va >= VISA_VA_LIMIT) {
            walk_fail(w, VISA_WALK_BEYOND, access | VISA_PFQ_RANGE, 0);
            return;
        }
        /* Stage 1: the PTE, itself read through stage 2.  A stage-2 fault
         * here records the walk's own access (a read of the PTE). */
        w->pte_gpa = (w->ptbr & ~VISA_PAGE_MASK) + 4u * w->vpn;
        e = ept_entry(g, w->pte_gpa);
        if (e) {
            w->pte_ept_present = e->present;
            w->pte_ept_perm = e->perm;
        }
        s2 = ept_check(hv, e, access ? VISA_EPT_R : 0);
        if (s2) {
            walk_fail(w, VISA_WALK_PTE_EPT, VISA_PFQ_READ | s2, w->pte_gpa);
            return;
        }
        w->pte_hpa = ept_hpa(e, w->pte_gpa);
        w->pte = visa_load_be32(hv->mem + w->pte_hpa);
        w->pte_new = w->pte;
        w->pte_read = true;
        w->memrefs = 1;
        if (!(w->pte & VISA_PTE_P)) {
            walk_fail(w, VISA_WALK_NOT_PRESENT, access, 0);
            return;
        }
        if (access == VISA_PFQ_WRITE && !(w->pte & VISA_PTE_W)) {
            walk_fail(w, VISA_WALK_NOT_WRITABLE, access | VISA_PFQ_PROT, 0);
            return;
        }
        if (access == VISA_PFQ_FETCH && !(w->pte & VISA_PTE_X)) {
            walk_fail(w, VISA_WALK_NOT_EXEC, access | VISA_PFQ_PROT, 0);
            return;
        }
        /* The walk succeeded: it sets A (and D on a write), writing the PTE
         * back only when a bit changes; that write needs EPT W. */
        if (access) {
            uint32_t pte_new = w->pte | VISA_PTE_A |
                               (access == VISA_PFQ_WRITE ? VISA_PTE_D : 0);
            if (pte_new != w->pte) {
                s2 = ept_check(hv, e, VISA_EPT_W);
                if (s2) {
                    walk_fail(w, VISA_WALK_PTE_EPT, VISA_PFQ_WRITE | s2,
                              w->pte_gpa);
                    return;
                }
                w->pte_new = pte_new;
                w->memrefs = 2;
            }
        }
        gpa = (w->pte & VISA_PTE_FRAME) | w->offset;
    }

    /* Stage 2 for the access itself. */
    w->gpa = gpa;
    e = ept_entry(g, gpa);
    if (e) {
        w->gpa_ept_present = e->present;
        w->gpa_ept_perm = e->perm;
    }
    s2 = ept_check(hv, e, access);
    if (s2) {
        walk_fail(w, VISA_WALK_GPA_EPT, access | s2, gpa);
        return;
    }
    w->hpa = ept_hpa(e, gpa);
}

uint8_t *visa_core_translate_slow(struct visa_hv *hv, struct visa_guest *g,
                                  uint32_t va, unsigned access,
                                  struct visa_fault *f)
{
    struct visa_walk w;

    if (g->vmcs.ptbr != 0)
        g->tlb_misses++;
    visa_core_walk(hv, g, va, access, &w);
    /* A/D bits stay set even when the final stage-2 step then faults. */
    if (w.pte_new != w.pte) {
        visa_store_be32(hv->mem + w.pte_hpa, w.pte_new);
        visa_core_code_write(hv, hv->mem + w.pte_hpa, 4);
    }
    if (w.fail != VISA_WALK_OK) {
        f->qual = w.qual;
        f->va = w.fault_va;
        f->gpa = w.fault_gpa;
        f->gpa_valid = (w.qual & VISA_PFQ_STAGE2) != 0;
        return NULL;
    }
    if (w.paging) {
        g->tlb[w.vpn % VISA_TLB_SIZE] = (struct visa_tlb_entry){
            .vpn = w.vpn,
            .gframe = w.gpa >> VISA_PAGE_SHIFT,
            .hframe = w.hpa >> VISA_PAGE_SHIFT,
            .perm = combined_perm(w.pte_new, w.gpa_ept_perm),
            .dirty = (w.pte_new & VISA_PTE_D) != 0,
        };
        visa_core_fast_tlb(hv, g, (int)(w.vpn % VISA_TLB_SIZE));
    }
    return hv->mem + w.hpa;
}

/* ---- The monitor's view ------------------------------------------------- */

/* Host address of ADDR (a VA when VIRT, else a GPA) as the monitor sees it:
 * a matching TLB entry, stale or not, else a walk that only needs present
 * entries.  Returns false when ADDR cannot be reached. */
static bool mon_xlate(const struct visa_hv *hv, const struct visa_guest *g,
                      uint32_t addr, bool virt, uint32_t *hpa)
{
    struct visa_walk w;

    if (virt && g->vmcs.ptbr != 0) {
        uint32_t vpn = addr >> VISA_PAGE_SHIFT;
        const struct visa_tlb_entry *t = &g->tlb[vpn % VISA_TLB_SIZE];
        if (addr < VISA_VA_LIMIT && t->vpn == vpn) {
            if (t->hframe >= hv->nframes)
                return false;
            *hpa = (t->hframe << VISA_PAGE_SHIFT) | (addr & VISA_PAGE_MASK);
            return true;
        }
        visa_core_walk(hv, g, addr, 0, &w);
        *hpa = w.hpa;
        return w.fail == VISA_WALK_OK;
    }
    const struct visa_ept_entry *e = ept_entry(g, addr);
    if (ept_check(hv, e, 0))
        return false;
    *hpa = ept_hpa(e, addr);
    return true;
}

/* Walk N bytes at ADDR page by page.  Reading: copy into OUT as we go.
 * Writing (IN non-NULL): check every page first, then copy IN into host
 * memory, and flush the TLB when a byte lands in the page-table page. */
static int mon_copy(const struct visa_hv *hv, struct visa_hv *whv, int guest,
                    uint32_t addr, bool virt, void *out, const void *in,
                    size_t n)
{
    const struct visa_guest *g = visa_hv_guest((struct visa_hv *)hv, guest);
    uint32_t hpa;
    bool pt = false;

    if (g == NULL)
        return VISA_ENOGUEST;
    for (int pass = in ? 0 : 1; pass < 2; pass++) {
        for (size_t done = 0; done < n;) {
            uint32_t a = addr + (uint32_t)done;
            size_t chunk = VISA_PAGE_SIZE - (a & VISA_PAGE_MASK);
            if (chunk > n - done)
                chunk = n - done;
            if (!mon_xlate(hv, g, a, virt, &hpa))
                return VISA_EUNMAPPED;
            if (pass == 1 && in == NULL) {
                memcpy((uint8_t *)out + done, hv->mem + hpa, chunk);
            } else if (pass == 1) {
                const struct visa_ept_entry *root =
                    ept_entry(g, g->vmcs.ptbr & ~VISA_PAGE_MASK);
                memcpy(whv->mem + hpa, (const uint8_t *)in + done, chunk);
                visa_core_code_write(whv, whv->mem + hpa, chunk);
                if (g->vmcs.ptbr != 0 && root &&
                    root->hframe == hpa >> VISA_PAGE_SHIFT)
                    pt = true;
            }
            done += chunk;
        }
    }
    if (pt)
        visa_core_flush_tlb(whv, &whv->g[guest - 1]);
    return VISA_OK;
}

int visa_hv_read_virt(const struct visa_hv *hv, int guest, uint32_t va,
                      void *buf, size_t n)
{
    return mon_copy(hv, NULL, guest, va, true, buf, NULL, n);
}

int visa_hv_write_virt(struct visa_hv *hv, int guest, uint32_t va,
                       const void *buf, size_t n)
{
    return mon_copy(hv, hv, guest, va, true, NULL, buf, n);
}

int visa_hv_read_phys(const struct visa_hv *hv, int guest, uint32_t gpa,
                      void *buf, size_t n)
{
    return mon_copy(hv, NULL, guest, gpa, false, buf, NULL, n);
}

int visa_hv_write_phys(struct visa_hv *hv, int guest, uint32_t gpa,
                       const void *buf, size_t n)
{
    return mon_copy(hv, hv, guest, gpa, false, NULL, buf, n);
}

int visa_hv_translate(const struct visa_hv *hv, int guest, uint32_t va,
                      unsigned access, struct visa_walk *w)
{
    const struct visa_guest *g = visa_hv_guest((struct visa_hv *)hv, guest);
    struct visa_walk fresh;

    if (g == NULL)
        return VISA_ENOGUEST;
    if (access != VISA_PFQ_READ && access != VISA_PFQ_WRITE &&
        access != VISA_PFQ_FETCH)
        return VISA_ERANGE;
    visa_core_walk(hv, g, va, access, w);
    if (!w->paging || va >= VISA_VA_LIMIT)
        return VISA_OK;
    const struct visa_tlb_entry *t = &g->tlb[w->vpn % VISA_TLB_SIZE];
    if (t->vpn != w->vpn)
        return VISA_OK;
    w->tlb_hit = true;
    w->tlbe = *t;
    /* Stale: what a fresh fill would cache differs (or there is none). */
    visa_core_walk(hv, g, va, 0, &fresh);
    w->tlb_stale = fresh.fail != VISA_WALK_OK ||
                   t->gframe != fresh.gpa >> VISA_PAGE_SHIFT ||
                   t->hframe != fresh.hpa >> VISA_PAGE_SHIFT ||
                   t->perm != combined_perm(fresh.pte, fresh.gpa_ept_perm);
    return VISA_OK;
}
