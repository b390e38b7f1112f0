/* fast.c - the fast interpreter: pre-decoded code, threaded dispatch, a
 * private translation cache, and pc breakpoints that cost nothing where
 * there are none.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * exec.c's exec_one() stays the specification; this file only makes the
 * common instructions cheaper and hands everything else to it.
 *
 * Pre-decoding.  Code is decoded per host frame (a guest can only reach
 * its own frames, and a frame's decoded form depends on its bytes alone,
 * not on the VA it is mapped at): 1024 entries of {handler, registers,
 * pre-extracted immediate or branch delta} plus a sentinel that moves to
 * the next page.  A frame is decoded when code is first fetched from it;
 * every write to a decoded frame outside the loop (a store that went the
 * slow way, a page-walk A/D update, the monitor) marks its words stale and
 * they are decoded again at the next entry; stores on the fast path never
 * reach a decoded frame (their translation cache entries exclude them).
 *
 * Accounting.  Each entry knows how many instructions run from it to the
 * end of its straight-line block (n: up to a branch, jump, call, ret or
 * the page end) and how many of them access data on the fast path (d),
 * packed in one 64-bit count.  Entering a block subtracts both from the
 * loop's counter at once; when the budget is smaller (a slice shorter
 * than the block), the block runs in counted mode: copies of the in-line
 * handlers, built from the same source, that count the budget down per
 * instruction and leave when it is used up, so nothing is planted in the
 * decoded code.  Leaving a block early at entry X gives back X's counts.
 * So timer exits, --max-instructions and guest switches are exact and
 * cost one subtraction per block.
 * icount, slice and TLB hits (one per fetch from the current page, one
 * per data access) are added up lazily and written back before anything
 * that can look at them.
 *
 * Timer exits.  In a run without hooks, visa_hv_run lets the loop take
 * the timer exit at the end of a slice itself (VMCS, counter, timeline,
 * the round-robin pick) and go on with the next guest's slice, so tiny
 * slices cost no trip through the scheduler.  The loop keeps a ring of
 * per-guest slots (struct rslot): the next RUNNING guest, the slice, the
 * timeline record, and where in its decoded code the guest stopped, so
 * that a full slice ending passes the CPU on with a few loads and stores
 * and no translation (stopped_ip).  Everything is written to the machine
 * as it happens; the slots are derived data, dropped at every step
 * through exec.c (which alone changes guest states, translations and
 * code while the loop runs) and rebuilt from the machine state.
 *
 * Fusion.  An addi rd, rd, imm followed by an in-page branch (a loop's
 * counter and test) runs as one handler, unless either carries a
 * breakpoint mark; counted mode runs the two unfused.
 *
 * Translation.  The code page is translated once on entry (a TLB hit as
 * exec_one would count it, or one reference step when it would miss).
 * Data accesses use a direct-mapped cache (g->dcache) indexed like the
 * TLB whose entries are filled only from a TLB entry (paging on) or the
 * EPT (paging off) that would hit, so a hit here is a hit there; it is
 * emptied when the TLB, EPT or PTBR change (visa_core_fast_tlb).  Misses,
 * page-spanning words, stores to decoded frames and every instruction
 * with an exit or side effect go through exec.c (visa_core_exec_word)
 * after the counters are written back, and the loop starts again from the
 * machine state.
 *
 * Dispatch is computed goto under GCC and Clang, a switch otherwise
 * (-DVISA_NO_COMPUTED_GOTO forces the switch).
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__GNUC__) && !defined(VISA_NO_COMPUTED_GOTO)
#define FAST_CGOTO 1
#else
#define FAST_CGOTO 0
#endif

#if defined(__GNUC__)
#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x)   (x)
#define UNLIKELY(x) (x)
#endif

#define NENT      1024u                 /* words per page */
#define TAG_NONE  1u                    /* never a page address */
#define LTAG_NONE (UINT64_C(1) << 63)   /* VA - it is never small */

/* Handlers.  A..F: the six branch conditions, in page (delta in bytes
 * between entries) and far (new pc computed). */
#define FAST_HANDLERS(X) FAST_H_EDGE(X) FAST_H_LINE(X) FAST_H_TERM(X)
/* Handlers that leave through the sentinel or exec.c. */
#define FAST_H_EDGE(X) X(FALLBACK) X(PAGEEND)
/* Handlers that go on in line to the next entry (and BP, which runs the
 * word's own): these have a counted copy (see partial). */
#define FAST_H_LINE(X)                                                     \
    X(BP)                                                                  \
    X(ADD) X(ADDA) X(SUB) X(MUL) X(DIV) X(MOD) X(AND) X(OR) X(XOR)        \
    X(SHL) X(SHR) X(SAR) X(SLT) X(SLTU)                                    \
    X(ADDI) X(ADDIA) X(MULI) X(DIVI) X(ANDI) X(ORI) X(XORI)                \
    X(SHLI) X(SHRI) X(SARI) X(LI) X(MOV) X(MOVHI) X(NOP)                   \
    X(LDB) X(LDW) X(LDW0) X(STB) X(STW) X(STW0) X(PUSH) X(POP)
/* Handlers that end a block (jumps, calls, ret, branches). */
#define FAST_H_TERM(X)                                                     \
    X(JMP) X(JR) X(CALL) X(CALLR) X(RET)                                   \
    X(JEQ) X(JNE) X(JLT) X(JGE) X(JLTU) X(JGEU)                            \
    X(JEQF) X(JNEF) X(JLTF) X(JGEF) X(JLTUF) X(JGEUF)                      \
    X(AJEQ) X(AJNE) X(AJLT) X(AJGE) X(AJLTU) X(AJGEU)

/* Handlers whose instruction makes one data access on the fast path. */
#define FAST_DATA(id) ((id) == H_LDB || (id) == H_LDW || (id) == H_LDW0 ||  \
                       (id) == H_STB || (id) == H_STW || (id) == H_STW0 ||  \
                       (id) == H_PUSH || (id) == H_POP || (id) == H_CALL || \
                       (id) == H_CALLR || (id) == H_RET)

enum {
#define X(name) H_##name,
    FAST_HANDLERS(X)
#undef X
    H_COUNT
};

/* One pre-decoded word.  ND packs two counts to the block end, so that
 * entering a block is one 64-bit subtraction from the loop's counter:
 * instructions (high half) and data accesses on the fast path (low half,
 * each a TLB hit with paging on). */
struct fent {
#if FAST_CGOTO
    const void *h;                      /* the dispatch slot */
#endif
    int64_t nd;                         /* n << 32 | d */
    union { uint32_t u; int32_t s; } imm;
    uint16_t ret;                       /* call, callr: offset of pc + 4 */
    uint8_t a, b, c;                    /* register numbers (< 32) */
    uint8_t id;                         /* switch build: the dispatch slot */
    uint8_t rid;                        /* the handler of the word itself */
    uint8_t cid;                        /* the counted dispatch slot: BP or
                                           the word's own (never fused) */
};

#define ND(n, d)  ((int64_t)(((uint64_t)(n) << 32) | (uint32_t)(d)))
#define NOF(e)    ((uint32_t)((uint64_t)(e)->nd >> 32))
#define DOF(e)    ((uint32_t)(e)->nd)

struct fpage {
    struct fent e[NENT + 1];            /* + the sentinel (H_PAGEEND) */
    uint32_t stale[NENT / 32];          /* words written since decoding */
    bool anystale;
};

/* The data translation cache is g->dcache, direct-mapped (index = VPN
 * mod 64, as the TLB): a tag is the page address the entry allows,
 * TAG_NONE otherwise; the host address of VA is ADD + VA (modulo 2^N: no
 * pointer leaves memory).  It lives in the guest so that the loop reaches
 * it through the register that holds the guest, as three arrays, so that
 * the index addresses each of them directly.  Loads and stores (not the
 * stack's accesses) look first at a copy of the entry the last load or
 * store used, which needs no index; it is emptied with any entry. */

struct visa_fast {
    uint32_t nframes;
    struct fpage **page;                /* per host frame, NULL: none */
    uint8_t *code;                      /* per host frame: page decoded */
    struct visa_bp *bps;
    size_t nbps;
    uint32_t bpoff[VISA_MAX_GUESTS + 1][NENT / 32]; /* marked word offsets */
    int skip_guest;
    uint32_t skip_pc;
};

/* ---- Helpers ------------------------------------------------------------- */

static inline uint8_t *host(uintptr_t add, uint32_t va)
{
    return (uint8_t *)(add + va);
}

/* Empty entries FROM .. FROM + N - 1 of D. */
static void ftlb_clear(struct visa_dcache *d, size_t from, size_t n)
{
    for (size_t i = from; i < from + n; i++) {
        d->rtag[i] = d->wtag[i] = TAG_NONE;
        d->add[i] = 0;
    }
    d->lrtag = d->lwtag = LTAG_NONE;    /* they may copy one of those */
    d->lradd = d->lwadd = 0;
}

/* ---- Life cycle ------------------------------------------------------------ */

void visa_core_fast_new(struct visa_hv *hv)
{
    struct visa_fast *fs = calloc(1, sizeof *fs);

    hv->fast = NULL;
    if (fs == NULL)
        return;
    fs->nframes = hv->nframes;
    fs->page = calloc(hv->nframes, sizeof *fs->page);
    fs->code = calloc(hv->nframes, 1);
    if (fs->page == NULL || fs->code == NULL) {
        free(fs->page);
        free(fs->code);
        free(fs);
        return;
    }
    hv->fast = fs;
}

void visa_core_fast_free(struct visa_hv *hv)
{
    struct visa_fast *fs = hv->fast;

    if (fs == NULL)
        return;
    for (uint32_t f = 0; f < fs->nframes; f++)
        free(fs->page[f]);
    free(fs->page);
    free(fs->code);
    free(fs->bps);
    free(fs);
    hv->fast = NULL;
}

/* Allocate the page of frame F (outside the loop); false on failure. */
static bool page_alloc(struct visa_fast *fs, uint32_t f)
{
    if (fs->page[f] == NULL)
        fs->page[f] = malloc(sizeof *fs->page[f]);
    fs->code[f] = 0;
    return fs->page[f] != NULL;
}

void visa_core_fast_reset(struct visa_hv *hv)
{
    struct visa_fast *fs = hv->fast;

    for (int k = 0; k < hv->nguests; k++)      /* copied: another memory */
        ftlb_clear(&hv->g[k].dcache, 0, VISA_TLB_SIZE);
    if (fs == NULL)
        return;
    for (uint32_t f = 0; f < fs->nframes; f++) {
        fs->code[f] = 0;
        if (hv->frame_owner[f] != 0)
            page_alloc(fs, f);
    }
    fs->skip_guest = 0;
}

void visa_core_fast_frames_changed(struct visa_hv *hv, struct visa_guest *g)
{
    struct visa_fast *fs = hv->fast;

    ftlb_clear(&g->dcache, 0, VISA_TLB_SIZE);
    if (fs == NULL)
        return;
    for (unsigned i = 0; i < VISA_GUEST_FRAMES; i++) {
        uint32_t f = g->vmcs.ept[i].hframe;
        if (f < fs->nframes)
            page_alloc(fs, f);
    }
    if (fs->skip_guest == g->id)
        fs->skip_guest = 0;
}

bool visa_core_fast_ready(const struct visa_hv *hv)
{
    return hv->fast != NULL;
}

void visa_core_fast_tlb(struct visa_hv *hv, struct visa_guest *g, int idx)
{
    (void)hv;
    if (idx < 0)
        ftlb_clear(&g->dcache, 0, VISA_TLB_SIZE);
    else
        ftlb_clear(&g->dcache, (size_t)idx, 1);
}

void visa_core_code_write_slow(struct visa_hv *hv, const uint8_t *p, size_t n)
{
    struct visa_fast *fs = hv->fast;
    size_t off, w, last;

    if (n == 0 || p < hv->mem || p >= hv->mem + hv->mem_size)
        return;
    off = (size_t)(p - hv->mem);
    last = (off + n - 1) >> 2;
    for (w = off >> 2; w <= last; w++) {
        size_t f = w / NENT;
        if (f < fs->nframes && fs->code[f]) {
            struct fpage *pg = fs->page[f];
            pg->stale[(w % NENT) / 32] |= 1u << (w % 32);
            pg->anystale = true;
        }
    }
}

/* ---- Breakpoints ------------------------------------------------------------ */

int visa_hv_set_breakpoints(struct visa_hv *hv, const struct visa_bp *bps,
                            size_t n)
{
    struct visa_fast *fs = hv->fast;
    struct visa_bp *copy = NULL;

    if (fs == NULL)
        return VISA_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (bps[i].guest < 0 || bps[i].guest > VISA_MAX_GUESTS)
            return VISA_ENOGUEST;
    if (n > 0) {
        copy = malloc(n * sizeof *copy);
        if (copy == NULL)
            return VISA_ENOMEM;
        memcpy(copy, bps, n * sizeof *copy);
    }
    free(fs->bps);
    fs->bps = copy;
    fs->nbps = n;
    memset(fs->bpoff, 0, sizeof fs->bpoff);
    for (size_t i = 0; i < n; i++) {
        uint32_t w = (bps[i].pc & VISA_PAGE_MASK) >> 2;
        fs->bpoff[bps[i].guest][w / 32] |= 1u << (w % 32);
    }
    /* Decoded pages are marked when decoded: decode them again. */
    memset(fs->code, 0, fs->nframes);
    return VISA_OK;
}

void visa_hv_skip_breakpoint(struct visa_hv *hv, int guest, uint32_t pc)
{
    if (hv->fast) {
        hv->fast->skip_guest = guest;
        hv->fast->skip_pc = pc;
    }
}

bool visa_core_bp_at(const struct visa_hv *hv, const struct visa_guest *g,
                     uint32_t pc)
{
    const struct visa_fast *fs = hv->fast;

    if (fs == NULL)
        return false;
    for (size_t i = 0; i < fs->nbps; i++)
        if (fs->bps[i].pc == pc && (fs->bps[i].guest == 0 || fs->bps[i].guest == g->id))
            return true;
    return false;
}

void visa_core_bp_hit(struct visa_hv *hv, const struct visa_guest *g, uint32_t pc)
{
    visa_hv_skip_breakpoint(hv, g->id, pc);
}

bool visa_core_bp_take_skip(struct visa_hv *hv, const struct visa_guest *g)
{
    struct visa_fast *fs = hv->fast;

    if (fs == NULL || fs->skip_guest == 0 || fs->skip_guest != g->id)
        return false;
    fs->skip_guest = 0;
    return g->pc == fs->skip_pc;
}

/* ---- Decoding ---------------------------------------------------------------- */

static bool is_term(unsigned rid)
{
    return rid >= H_JMP;                /* jumps, calls, ret, branches */
}

static bool is_near_branch(unsigned rid)
{
    return rid >= H_JEQ && rid <= H_JGEU;
}

static const uint8_t cond_near[6] = { H_JEQ, H_JNE, H_JLT, H_JGE, H_JLTU, H_JGEU };

/* Per opcode: register-field mask (bit 0 = A) with 0x80 = legal. */
enum {
#define VISA_X_FMT(name, regs, zeros, syntax) FREGS_##name = regs,
    VISA_FORMATS(VISA_X_FMT)
#undef VISA_X_FMT
};
static const uint8_t legal[256] = {
#define VISA_X_OP(name, code, mnem, fmt, meaning) [code] = 0x80u | FREGS_##fmt,
    VISA_OPCODES(VISA_X_OP)
#undef VISA_X_OP
};

/* Decode word W at index I of a page into E (everything but n). */
static void decode_word(struct fent *e, uint32_t w, unsigned i)
{
    unsigned op = visa_op(w), a = visa_a(w), b = visa_b(w), c = visa_c(w);
    unsigned id = H_FALLBACK;
    uint32_t imm = 0;
    int32_t off;

    e->a = (uint8_t)(a & 31u);
    e->b = (uint8_t)(b & 31u);
    e->c = (uint8_t)(c & 31u);
    e->ret = (uint16_t)((i + 1u) * 4u);
    if (!(legal[op] & 0x80u) ||
        (legal[op] & ((a >> 5 != 0) | (b >> 5 != 0) << 1 | (c >> 5 != 0) << 2)))
        op = 0;                          /* illegal: exec_word raises it */
    switch (op) {
    case VISA_OP_ADD:   id = a == b ? H_ADDA : H_ADD; break;
    case VISA_OP_SUB:   id = H_SUB; break;
    case VISA_OP_MUL:   id = H_MUL; break;
    case VISA_OP_DIV:   id = H_DIV; break;
    case VISA_OP_MOD:   id = H_MOD; break;
    case VISA_OP_AND:   id = H_AND; break;
    case VISA_OP_OR:    id = H_OR; break;
    case VISA_OP_XOR:   id = H_XOR; break;
    case VISA_OP_SHL:   id = H_SHL; break;
    case VISA_OP_SHR:   id = H_SHR; break;
    case VISA_OP_SAR:   id = H_SAR; break;
    case VISA_OP_SLT:   id = H_SLT; break;
    case VISA_OP_SLTU:  id = H_SLTU; break;
    case VISA_OP_ADDI:  id = a == b ? H_ADDIA : H_ADDI; imm = c; break;
    case VISA_OP_SUBI:  id = a == b ? H_ADDIA : H_ADDI; imm = 0u - c; break;
    case VISA_OP_MULI:  id = H_MULI; imm = c; break;
    case VISA_OP_DIVI:
        if (c == 0) {
            id = H_LI;
            imm = 0xFFFFFFFFu;
        } else {
            id = H_DIVI;
            imm = c;
        }
        break;
    case VISA_OP_ANDI:  id = H_ANDI; imm = c; break;
    case VISA_OP_ORI:   id = H_ORI; imm = c; break;
    case VISA_OP_XORI:  id = H_XORI; imm = c; break;
    case VISA_OP_SHLI:  id = H_SHLI; imm = c & 31u; break;
    case VISA_OP_SHRI:  id = H_SHRI; imm = c & 31u; break;
    case VISA_OP_SARI:  id = H_SARI; imm = c & 31u; break;
    case VISA_OP_MOV:   id = H_MOV; break;
    case VISA_OP_MOVI:  id = H_LI; imm = visa_imm16(w); break;
    case VISA_OP_MOVHI: id = H_MOVHI; imm = (uint32_t)visa_imm16(w) << 16; break;
    case VISA_OP_NOP:   id = H_NOP; break;
    case VISA_OP_LDB:   id = H_LDB; imm = (uint32_t)visa_sext8(c); break;
    case VISA_OP_LDW:   id = c ? H_LDW : H_LDW0; imm = (uint32_t)visa_sext8(c); break;
    case VISA_OP_STB:   id = H_STB; imm = (uint32_t)visa_sext8(a); break;
    case VISA_OP_STW:   id = a ? H_STW : H_STW0; imm = (uint32_t)visa_sext8(a); break;
    case VISA_OP_PUSH:  id = H_PUSH; break;
    case VISA_OP_POP:   id = H_POP; break;
    case VISA_OP_JMP:   id = H_JMP; imm = visa_t24(w) << 2; break;
    case VISA_OP_CALL:  id = H_CALL; imm = visa_t24(w) << 2; break;
    case VISA_OP_JR:    id = H_JR; break;
    case VISA_OP_CALLR: id = H_CALLR; break;
    case VISA_OP_RET:   id = H_RET; break;
    case VISA_OP_JEQ: case VISA_OP_JNE: case VISA_OP_JLT:
    case VISA_OP_JGE: case VISA_OP_JLTU: case VISA_OP_JGEU: {
        static const uint8_t k[] = {
            [VISA_OP_JEQ] = 0, [VISA_OP_JNE] = 1, [VISA_OP_JLT] = 2,
            [VISA_OP_JGE] = 3, [VISA_OP_JLTU] = 4, [VISA_OP_JGEU] = 5,
        };
        off = visa_sext8(a);
        int32_t t = (int32_t)i + 1 + off;
        id = cond_near[k[op]];
        if (t >= 0 && t < (int32_t)NENT) {
            e->imm.s = (t - (int32_t)i) * (int32_t)sizeof(struct fent);
            e->rid = (uint8_t)id;
            return;
        }
        id += H_JEQF - H_JEQ;
        imm = (uint32_t)(off + 1) * 4u;
        break;
    }
    default:            /* exits, I/O, ldpgtr, tlbflushv, illegal: exec.c */
        id = H_FALLBACK;
        break;
    }
    e->imm.u = imm;
    e->rid = (uint8_t)id;
}

static bool bp_marked(const struct visa_fast *fs, int owner, unsigned i)
{
    uint32_t bit = 1u << (i % 32);
    return (fs->bpoff[0][i / 32] & bit) ||
           (owner > 0 && owner <= VISA_MAX_GUESTS && (fs->bpoff[owner][i / 32] & bit));
}

/* Set E's dispatch slot to handler ID, its counted slot to CID. */
static void set_slot(struct fent *e, unsigned id, unsigned cid,
                     const void *const *tab)
{
#if FAST_CGOTO
    e->h = tab[id];
#else
    (void)tab;
#endif
    e->id = (uint8_t)id;
    e->cid = (uint8_t)cid;
}

/* The slot of entry I of frame F's page: a breakpoint mark, else an
 * addi rd, rd, imm fused with the in-page branch after it (neither
 * marked), else the word's own handler. */
static void slot_entry(struct visa_hv *hv, struct fpage *pg, uint32_t f,
                       unsigned i, const void *const *tab)
{
    struct fent *e = &pg->e[i];
    int owner = hv->frame_owner[f];
    unsigned id = e->rid;

    if (bp_marked(hv->fast, owner, i)) {
        set_slot(e, H_BP, H_BP, tab);
        return;
    }
    if (id == H_ADDIA && i + 1 < NENT && is_near_branch(e[1].rid) &&
        !bp_marked(hv->fast, owner, i + 1))
        id = H_AJEQ + (e[1].rid - H_JEQ);
    set_slot(e, id, e->rid, tab);
}

/* Block counts of entries HI down to 0 (stopping early below LO once an
 * entry's counts did not change: those before it depend only on it). */
static void fix_lengths(struct fpage *pg, int hi, int lo)
{
    for (int j = hi; j >= 0; j--) {
        struct fent *e = &pg->e[j];
        int64_t old = e->nd;
        uint32_t d = FAST_DATA(e->rid) ? 1u : 0u;
        if (is_term(e->rid) || j == (int)NENT - 1)
            e->nd = ND(1u, d);
        else
            e->nd = ND(NOF(e + 1) + 1u, DOF(e + 1) + d);
        if (j < lo && e->nd == old)
            break;
    }
}

static void decode_one(struct visa_hv *hv, struct fpage *pg, uint32_t f,
                       unsigned i)
{
    struct fent *e = &pg->e[i];
    const uint8_t *p = hv->mem + ((size_t)f << VISA_PAGE_SHIFT) + 4u * i;

    decode_word(e, visa_load_be32(p), i);
}

static void decode_page(struct visa_hv *hv, uint32_t f, const void *const *tab)
{
    struct visa_fast *fs = hv->fast;
    struct fpage *pg = fs->page[f];
    int owner = hv->frame_owner[f];

    for (unsigned i = 0; i < NENT; i++) {
        decode_one(hv, pg, f, i);
        pg->e[i].nd = 0;
    }
    for (unsigned i = 0; i < NENT; i++)
        slot_entry(hv, pg, f, i, tab);
    memset(&pg->e[NENT], 0, sizeof pg->e[NENT]);
    pg->e[NENT].rid = H_PAGEEND;
    set_slot(&pg->e[NENT], H_PAGEEND, H_PAGEEND, tab);
    fix_lengths(pg, NENT - 1, 0);
    memset(pg->stale, 0, sizeof pg->stale);
    pg->anystale = false;
    fs->code[f] = 1;
    /* Stores on the fast path must not reach a decoded frame. */
    if (owner > 0 && owner <= hv->nguests)
        for (unsigned i = 0; i < VISA_TLB_SIZE; i++)
            hv->g[owner - 1].dcache.wtag[i] = TAG_NONE;
    if (owner > 0 && owner <= hv->nguests)
        hv->g[owner - 1].dcache.lwtag = LTAG_NONE;
}

static void fix_stale(struct visa_hv *hv, uint32_t f, const void *const *tab)
{
    struct fpage *pg = hv->fast->page[f];
    int hi = -1, lo = (int)NENT;

    for (unsigned k = 0; k < NENT / 32; k++) {
        uint32_t m = pg->stale[k];
        if (m == 0)
            continue;
        for (unsigned bit = 0; bit < 32; bit++) {
            if (!(m & (1u << bit)))
                continue;
            unsigned i = k * 32 + bit;
            decode_one(hv, pg, f, i);
            slot_entry(hv, pg, f, i, tab);
            if (i > 0)                  /* its fusion with this word */
                slot_entry(hv, pg, f, i - 1, tab);
            if ((int)i > hi)
                hi = (int)i;
            if ((int)i < lo)
                lo = (int)i;
        }
        pg->stale[k] = 0;
    }
    pg->anystale = false;
    if (hi >= 0)
        fix_lengths(pg, hi, lo);
}

/* Fill the data cache entry for VA and ACCESS from what exec_one would
 * use without a walk: a TLB entry that hits (paging on) or the EPT
 * (paging off).  False when exec_one would walk, fault or the access is
 * a store to a decoded frame. */
static bool refill(struct visa_hv *hv, struct visa_guest *g,
                   uint32_t va, unsigned access)
{
    const struct visa_fast *fs = hv->fast;
    uint32_t vpn = va >> VISA_PAGE_SHIFT, f;
    unsigned perm;
    bool dirty;

    if (g->vmcs.ptbr != 0) {
        const struct visa_tlb_entry *t = &g->tlb[vpn % VISA_TLB_SIZE];
        if (t->vpn != vpn || !(t->perm & access) ||
            (access == VISA_PFQ_WRITE && !t->dirty) || t->hframe >= hv->nframes)
            return false;
        f = t->hframe;
        perm = t->perm;
        dirty = t->dirty != 0;
    } else {
        if (va >= VISA_GUEST_MEM)
            return false;
        const struct visa_ept_entry *e = &g->vmcs.ept[vpn];
        if (!e->present || !(e->perm & access) || e->hframe >= hv->nframes)
            return false;
        f = e->hframe;
        perm = e->perm;
        dirty = true;
    }
    if (access == VISA_PFQ_WRITE && fs->code[f])
        return false;
    struct visa_dcache *d = &g->dcache;
    uint32_t page = va & ~VISA_PAGE_MASK, i = vpn % VISA_TLB_SIZE;
    d->add[i] = (uintptr_t)(hv->mem + ((size_t)f << VISA_PAGE_SHIFT)) - (uintptr_t)page;
    d->rtag[i] = (perm & VISA_EPT_R) ? page : TAG_NONE;
    d->wtag[i] = ((perm & VISA_EPT_W) && dirty && !fs->code[f]) ? page : TAG_NONE;
    return true;
}

/* ---- The loop ------------------------------------------------------------------ */

/* The block mode (NEXT, RID, CASE; a data miss leaves for DMISS) and
 * the counted mode (CNEXT, CRID, CCASE, cdmiss: see partial). */
#if FAST_CGOTO
#define NEXT()          goto *ip->h
#define RID()           goto *tab[ip->rid]
#define CASE(x)         L_##x:
#define DISPATCH_BEGIN
#define DISPATCH_END
#define CDISPATCH()     goto *ctab[ip->cid]
#define CRID()          goto *ctab[ip->rid]
#define CCASE(x)        C_##x:
#define CDISPATCH_BEGIN
#define CDISPATCH_END
#else
#define NEXT()          goto dispatch
#define RID()           do { hid = ip->rid; goto again; } while (0)
#define CASE(x)         case H_##x:
#define DISPATCH_BEGIN  dispatch: hid = ip->id; again: switch (hid) {
#define DISPATCH_END    default: goto fallback; }
#define CDISPATCH()     goto cdispatch
#define CRID()          do { hid = ip->rid; goto cagain; } while (0)
#define CCASE(x)        case H_##x:
#define CDISPATCH_BEGIN cdispatch: hid = ip->cid; cagain: switch (hid) {
#define CDISPATCH_END   default: goto again; }
#endif
/* Counted mode: the instruction at IP is the next one; CNT more may run. */
#define CNEXT() do {                                              \
        if (UNLIKELY(--cnt == 0))                                 \
            goto cstop;                                           \
        CDISPATCH();                                              \
    } while (0)

/* P, which the compiler cannot see through: what is read through it is
 * read again, so that a hot path need not keep it in a register. */
#if defined(__GNUC__)
#define OPAQUE(p) ({ __typeof__(p) p_ = (p); __asm__("" : "+r"(p_)); p_; })
#else
#define OPAQUE(p) (p)
#endif

/* The pc of entry IP. */
#define IPPC()  (page_va + (uint32_t)(ip - base) * 4u)

/* The loop's counter ACC: the instructions left in the high half, DLOW
 * minus the data hits not yet written back in the low half.  It is
 * negative only inside a block run in counted mode. */
#define DLOW     0xFFFFFFFFu
#define LEFT()   ((int32_t)(acc >> 32))         /* acc >= 0 */

/* Enter the block at IP: one subtraction, or the counted mode. */
/* Continue the guest of ring slot NS where the slot left it (the place
 * moves on: the slot is spent). */
#define RESUME_SLOT(ns) do {                                               \
        ip = (ns)->ip;                                                     \
        base = (ns)->base;                                                 \
        c.fptr = (ns)->fptr;                                               \
        page_va = (ns)->page_va;                                           \
        c.paging = (ns)->paging;                                           \
        (ns)->gen = 0;                                                     \
    } while (0)
#define BLOCK() do {                                              \
        acc -= ip->nd;                                            \
        if (UNLIKELY(acc < 0))                                    \
            goto partial;                                         \
        NEXT();                                                   \
    } while (0)

/* What the loop knows about a guest in a run's round robin (ring), so
 * that passing the CPU on at a timer exit is a few loads.  Valid while
 * GEN (the code page and the place in it) and NGEN (the rest) equal the
 * loop's generation, which every step through exec.c moves on: only
 * exec.c changes guest states, translations and decoded code while the
 * loop runs. */
struct rslot {
    struct fent *ip, *base;             /* where the guest stopped */
    const uint8_t *fptr;
    uint32_t page_va;
    bool paging;
    bool tfields;                       /* the VMCS holds a timer exit's
                                           fields but pc (this ring's) */
    uint8_t id;
    uint32_t sl;                        /* its slice */
    uint64_t gen, ngen;
    struct visa_guest *g;
    struct rslot *next;                 /* the next RUNNING guest's */
    uint64_t trec;                      /* its timeline record of a full
                                           slice, but start */
};
_Static_assert(offsetof(struct visa_slice_rec, start) == 8 &&
               sizeof(struct visa_slice_rec) == 16,
               "trec is the record's head");

/* The loop's state that the handlers do not touch: it lives in memory
 * (its address escapes to next_slice), so that registers stay for ip,
 * acc and the guest. */
struct fcold {
    uint64_t run;                       /* see visa_core_fast */
    uint64_t before;                    /* completed in earlier slices */
    int32_t n0;                         /* this slice's budget */
    int32_t lsync;                      /* LEFT() at the last write-back */
    bool sched;
    bool skip;                          /* the next entry skips breakpoints */
    bool paging;                        /* G's paging when the loop entered */
    unsigned ev;                        /* VISA_EV_* of the last exec.c step */
    uint32_t lpc, lword;                /* its pc and word */
    const uint8_t *fptr;                /* the code page in host memory */
    uint64_t gen;                       /* 0: the ring is not set up yet */
    struct rslot *crs;                  /* G's, when its slice is a full
                                           one begun by the ring */
    const volatile sig_atomic_t *stopf; /* the stop flag (set with crs) */
    uint64_t rlast;                     /* run - before when crs was set */
};

/* Write back the lazily counted instructions and TLB hits. */
#define SYNC() do {                                               \
        uint32_t k_ = (uint32_t)(c.lsync - LEFT());               \
        uint32_t dh_ = DLOW - (uint32_t)acc;                      \
        g->icount += k_;                                          \
        hv->icount += k_;                                         \
        if (c.sched)                                              \
            g->slice_used += k_;                                  \
        if (c.paging)                                             \
            g->tlb_hits += (uint64_t)k_ + dh_;                    \
        acc |= (int64_t)DLOW;                                     \
        c.lsync = LEFT();                                         \
    } while (0)


/* The data cache index for VA: VPN mod 64; TADD: that entry's ADD. */
#define FTLB(va) (((va) >> VISA_PAGE_SHIFT) % VISA_TLB_SIZE)
#define TAG4(va) (((va) + 3u) & ~VISA_PAGE_MASK)
#define TAG1(va) ((va) & ~VISA_PAGE_MASK)

/* The stop flag when there is none. */
static const volatile sig_atomic_t no_stop = 0;

/* Fill in what RS knows about G beyond its place (slice, the next
 * RUNNING guest) for generation GEN; false when the loop must not pass
 * the CPU on itself (a hook). */
static bool ring_slot(struct visa_hv *hv, struct visa_guest *g,
                      struct rslot *ring, uint64_t gen)
{
    struct rslot *rs = &ring[g->id - 1];
    struct visa_slice_rec rec;
    int next;

    if (hv->slow || hv->cb.on_exit != NULL)
        return false;
    next = visa_core_next_running(hv, g->id);
    if (next == 0)
        return false;
    rs->g = g;
    rs->id = (uint8_t)g->id;
    rs->sl = visa_core_slice_of(hv, g);
    rs->next = &ring[next - 1];
    rs->tfields = false;
    memset(&rec, 0, sizeof rec);
    rec.guest = (uint8_t)g->id;
    rec.why = VISA_EXIT_TIMER;
    rec.insns = rs->sl;
    memcpy(&rs->trec, &rec, sizeof rs->trec);
    rs->ngen = gen;
    return true;
}

/* G's slice is used up at its pc, in a run without hooks, and the counts
 * are written back: take the timer exit as visa_hv_run would (VMCS,
 * counter, timeline, the next RUNNING guest) and start that guest's slice.
 * Returns it, or NULL when visa_hv_run must take over (the stop flag, a
 * hook, the run's budget, a guest whose slice is already used up). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static struct visa_guest *next_slice(struct visa_hv *hv, struct visa_guest *g,
                                     struct fcold *c)
{
    uint32_t sl = visa_core_slice_of(hv, g);

    if (g->slice_used < sl || hv->slow || hv->cb.on_exit != NULL ||
        (hv->stop_flag != NULL && *hv->stop_flag != 0))
        return NULL;
    visa_core_record_exit(g, VISA_EXIT_TIMER, sl, 0, g->pc, NULL);
    visa_core_end_slice(hv, g, VISA_EXIT_TIMER);
    hv->cur = visa_core_next_running(hv, g->id);
    g = &hv->g[hv->cur - 1];
    sl = visa_core_slice_of(hv, g);
    if (c->before >= c->run || g->slice_used >= sl)
        return NULL;
    if (g->slice_used == 0)
        hv->slice_start = hv->icount;
    uint64_t n = sl - g->slice_used;
    if (n > c->run - c->before)
        n = c->run - c->before;
    if (n > VISA_CORE_CHUNK)
        n = VISA_CORE_CHUNK;
    c->n0 = c->lsync = (int32_t)n;
    return g;
}

/* GCC merges the handlers' identical tails into shared jumps, which
 * costs a jump per instruction: keep every handler's dispatch its own. */
#if FAST_CGOTO && defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-crossjumping", "no-gcse")))
#endif
unsigned visa_core_fast(struct visa_hv *hv, struct visa_guest *g, uint64_t n64,
                        bool sched, bool skip, uint64_t run, uint64_t *done,
                        uint32_t *pcp, uint32_t *wordp)
{
#if FAST_CGOTO
    static const void *const tab[H_COUNT] = {
#define X(name) [H_##name] = &&L_##name,
        FAST_HANDLERS(X)
#undef X
    };
    static const void *const ctab[H_COUNT] = {
#define X(name) [H_##name] = &&L_##name,
        FAST_H_EDGE(X) FAST_H_TERM(X)
#undef X
#define X(name) [H_##name] = &&C_##name,
        FAST_H_LINE(X)
#undef X
    };
#else
    static const void *const *const tab = NULL;
    unsigned hid;
#endif
    struct fcold c = { .run = run, .sched = sched, .skip = skip,
                       .lpc = g->pc };
    struct rslot ring[VISA_MAX_GUESTS]; /* by guest id - 1; set up (and
                                           zeroed) when first needed */
    struct fent *ip = NULL, *base = NULL;
    int64_t acc;
    int32_t cnt = 0;                    /* counted mode: see partial */
    uint32_t page_va = 0, npc, va, v;
    unsigned acs = 0;
    uint32_t t;                         /* a data cache index */
    uintptr_t hadd;                     /* host address - VA */

    c.n0 = c.lsync = n64 > (1u << 30) ? (int32_t)(1u << 30) : (int32_t)n64;
    acc = ND(c.n0, DLOW);
enter:
    /* Start from the machine state: translate the code page. */
    if (LEFT() <= 0)
        goto stopped;
    c.paging = g->vmcs.ptbr != 0;
    {
        const struct visa_fast *fs = hv->fast;
        uint32_t pc = g->pc, f;
        if (c.skip) {
            c.skip = false;
            goto single;
        }
        if (pc & 3u)
            goto check_single;
        if (c.paging) {
            uint32_t vpn = pc >> VISA_PAGE_SHIFT;
            const struct visa_tlb_entry *te = &g->tlb[vpn % VISA_TLB_SIZE];
            if (te->vpn != vpn || !(te->perm & VISA_EPT_X) || te->hframe >= hv->nframes)
                goto check_single;
            f = te->hframe;
        } else {
            if (pc >= VISA_GUEST_MEM)
                goto check_single;
            const struct visa_ept_entry *e = &g->vmcs.ept[pc >> VISA_PAGE_SHIFT];
            if (!e->present || !(e->perm & VISA_EPT_X) || e->hframe >= hv->nframes)
                goto check_single;
            f = e->hframe;
        }
        if (fs->page[f] == NULL)
            goto check_single;
        if (!fs->code[f])
            decode_page(hv, f, tab);
        else if (fs->page[f]->anystale)
            fix_stale(hv, f, tab);
        base = fs->page[f]->e;
        c.fptr = hv->mem + ((size_t)f << VISA_PAGE_SHIFT);
        page_va = pc & ~VISA_PAGE_MASK;
        ip = base + ((pc & VISA_PAGE_MASK) >> 2);
        BLOCK();
    }

check_single:
    /* One reference step (the fetch would miss or fault). */
    if (visa_core_bp_at(hv, g, g->pc)) {
        c.lpc = g->pc;
        visa_core_bp_hit(hv, g, c.lpc);
        c.ev = VISA_EV_BREAK;
        goto out;
    }
single:
    SYNC();
    c.gen += c.gen != 0;                /* exec.c may change anything */
    c.crs = NULL;
    c.lpc = g->pc;
    c.ev = visa_core_exec_one(hv, g, &c.lword);
    goto counted;

partial:
    /* The budget ends inside this block, in front of entry k: run its
     * first k entries in counted mode, the handlers' copies that count
     * down CNT (and dispatch through fent.cid: no fusion, which could
     * run past k) and leave for cstop when it reaches 0.  The block's
     * counts are subtracted as in block mode, so everything that leaves
     * a block early works alike in both modes. */
    acc += OPAQUE(ip)->nd;
    {
        int32_t k = LEFT();
        if (k == 0) {
            g->pc = IPPC();
            goto stopped_ip;
        }
        cnt = k;
        acc -= ip->nd;
        CDISPATCH();
    }
cstop:
    /* The counted budget ends in front of IP: give back its counts. */
    acc += ip->nd;
    g->pc = IPPC();
    goto stopped_ip;

fallback:
    /* The instruction at IP goes through exec.c: counters written back,
     * then the word is executed as exec_one would after its fetch. */
    acc += ip->nd;
    c.lpc = IPPC();
    g->pc = c.lpc;
    SYNC();
    c.gen += c.gen != 0;                /* exec.c may change anything */
    c.crs = NULL;
    if (c.paging)
        g->tlb_hits++;                  /* its fetch */
    c.lword = visa_load_be32(c.fptr + (c.lpc & VISA_PAGE_MASK));
    c.ev = visa_core_exec_word(hv, g, c.lword);
counted:
    if (c.ev & VISA_EV_DONE) {
        acc -= ND(1u, 0u);
        c.lsync = LEFT();
        g->icount++;
        hv->icount++;
        if (sched)
            g->slice_used++;
    }
    if (c.ev != VISA_EV_DONE)
        goto out;
    goto enter;

dmiss:
    /* A data access the cache cannot serve: fill it from the TLB or EPT
     * and run the handler again, else the reference path. */
    if ((va & VISA_PAGE_MASK) > VISA_PAGE_SIZE - (acs >> 4) ||
        !refill(hv, g, va, acs & 0xFu))
        goto fallback;
    RID();
cdmiss:
    /* The same in counted mode. */
    if ((va & VISA_PAGE_MASK) > VISA_PAGE_SIZE - (acs >> 4) ||
        !refill(hv, g, va, acs & 0xFu))
        goto fallback;
    CRID();

jump:
    /* NPC: the next pc after a jump, call or ret. */
    if (LIKELY((npc & ~(VISA_PAGE_MASK & ~3u)) == page_va)) {
        ip = base + ((npc & VISA_PAGE_MASK) >> 2);
        BLOCK();
    }
    g->pc = npc;
    goto enter;

stopped_ip:
    /* As stopped, with IP at G's pc (written).  A full slice the ring
     * began ends here: its timer exit and the next guest's slice, from
     * what the ring knows (the same steps as below, fewer of them). */
    if (run == 0)
        goto out;
    if (c.crs != NULL && *c.stopf == 0) {
        struct rslot *rs = c.crs, *ns = rs->next;
        uint32_t pc = g->pc, k = (uint32_t)c.n0;
        uint64_t left = c.rlast - k;    /* what is left of the run */
        rs->ip = ip;
        rs->base = base;
        rs->fptr = c.fptr;
        rs->page_va = page_va;
        rs->paging = c.paging;
        rs->gen = c.gen;
        g->icount += k;
        hv->icount += k;
        if (c.paging)
            g->tlb_hits += (uint64_t)k + (DLOW - (uint32_t)acc);
        c.before += k;
        if (LIKELY(rs->tfields)) {
            g->vmcs.exit_pc = pc;
            g->vmcs.exit_count[VISA_EXIT_TIMER]++;
        } else {
            visa_core_record_exit(g, VISA_EXIT_TIMER, rs->sl, 0, pc, NULL);
            rs->tfields = true;
        }
        {
            struct visa_slice_rec *rec =
                &hv->timeline[hv->timeline_count++ % VISA_TIMELINE_SIZE];
            memcpy(rec, &rs->trec, sizeof rs->trec);
            rec->start = hv->slice_start;
        }
        if (UNLIKELY(ns->ngen != c.gen) &&
            !ring_slot(hv, &hv->g[ns - ring], ring, c.gen)) {
            hv->cur = (int)(ns - ring) + 1;
            g = &hv->g[ns - ring];
            goto ring_stop;
        }
        hv->cur = ns->id;
        g = ns->g;
        if (UNLIKELY(left < ns->sl || g->slice_used != 0 || ns->gen != c.gen))
            goto ring_start;
        c.rlast = left;
        hv->slice_start = hv->icount;
        c.n0 = c.lsync = (int32_t)ns->sl;
        acc = ND(c.n0, DLOW);
        c.crs = ns;
        RESUME_SLOT(ns);
        BLOCK();
    }
stopped:
    /* This call's budget ends at G's pc.  In a run without hooks (RUN: the
     * run's budget), a used-up slice ends here as visa_hv_run would end
     * it, and the next guest's slice runs in this same loop. */
    if (run == 0)
        goto out;
    SYNC();
    c.before += (uint32_t)(c.n0 - LEFT());
    c.n0 = c.lsync = 0;
    acc = ND(0u, DLOW);
    c.crs = NULL;
    if (UNLIKELY(c.gen == 0)) {
        memset(ring, 0, sizeof ring);
        c.gen = 1;
    }
    {
        /* The timer exit and the next slice, as next_slice does it. */
        struct rslot *rs = &ring[g->id - 1];
        if (UNLIKELY(rs->ngen != c.gen) && !ring_slot(hv, g, ring, c.gen))
            goto next_slow;
        if (g->slice_used < rs->sl ||
            (hv->stop_flag != NULL && *hv->stop_flag != 0))
            goto out;
        if (!rs->tfields) {
            visa_core_record_exit(g, VISA_EXIT_TIMER, rs->sl, 0, g->pc, NULL);
            rs->tfields = true;
        } else {
            g->vmcs.exit_pc = g->pc;
            g->vmcs.exit_count[VISA_EXIT_TIMER]++;
        }
        visa_core_end_slice(hv, g, VISA_EXIT_TIMER);
        hv->cur = (int)(rs->next - ring) + 1;
        g = &hv->g[hv->cur - 1];
        if (UNLIKELY(rs->next->ngen != c.gen) &&
            !ring_slot(hv, g, ring, c.gen))
            goto ring_stop;
    }
ring_start:
    {
        /* G's slice starts (hv->cur is G). */
        struct rslot *ns = &ring[g->id - 1];
        uint32_t used = g->slice_used;
        if (c.before >= c.run || used >= ns->sl)
            goto ring_stop;
        if (used == 0)
            hv->slice_start = hv->icount;
        uint64_t n = ns->sl - used;
        if (n > c.run - c.before)
            n = c.run - c.before;
        if (n > VISA_CORE_CHUNK)
            n = VISA_CORE_CHUNK;
        c.n0 = c.lsync = (int32_t)n;
        acc = ND(c.n0, DLOW);
        c.crs = n == ns->sl ? ns : NULL;    /* a full slice */
        c.rlast = c.run - c.before;
        c.stopf = hv->stop_flag ? hv->stop_flag : &no_stop;
        if (UNLIKELY(hv->fast->skip_guest != 0)) {
            /* Not in the ring's fast path (which need not look at
             * skips: only a hook or a breakpoint stop sets one). */
            c.crs = NULL;
            c.skip = visa_core_bp_take_skip(hv, g);
            goto enter;
        }
        if (ns->gen != c.gen)
            goto enter;
        RESUME_SLOT(ns);
        BLOCK();
    }
ring_stop:
    /* The CPU is passed on to G but the loop does not run it. */
    c.crs = NULL;
    c.n0 = c.lsync = 0;
    acc = ND(0u, DLOW);
    goto out;

next_slow:
    {
        struct visa_guest *ng = next_slice(hv, g, &c);
        if (ng == NULL)
            goto out;
        g = ng;
        acc = ND(c.n0, DLOW);
        if (UNLIKELY(hv->fast->skip_guest != 0))
            c.skip = visa_core_bp_take_skip(hv, g);
        goto enter;
    }

out:
    SYNC();
    c.before += (uint32_t)(c.n0 - LEFT());
    *done = c.before;
    *pcp = c.lpc;
    *wordp = c.lword;
    if (c.ev == 0 && c.before != 0)
        c.ev = VISA_EV_DONE;
    return c.ev;

#define ALU(x, expr) CASE(x) { expr; ip++; NEXT(); }
#define RA  g->r[ip->a]
#define RB  g->r[ip->b]
#define RC  g->r[ip->c]
#define IMM (ip->imm.u)
#define BR(x, cond)                                               \
    CASE(x) {                                                     \
        if (cond)                                                 \
            ip = (struct fent *)((char *)ip + ip->imm.s);         \
        else                                                      \
            ip++;                                                 \
        BLOCK();                                                  \
    }                                                             \
    CASE(x##F) {                                                  \
        if (cond) {                                               \
            npc = IPPC() + IMM;                                   \
            goto jump;                                            \
        }                                                         \
        ip++;                                                     \
        BLOCK();                                                  \
    }                                                             \
    CASE(A##x) {                  /* addi rd, rd, imm; then x */  \
        RA += IMM;                                                \
        ip++;                                                     \
        if (cond)                                                 \
            ip = (struct fent *)((char *)ip + ip->imm.s);         \
        else                                                      \
            ip++;                                                 \
        BLOCK();                                                  \
    }
/* A data access through the cache entry T for VA (tag TAG, access ACS):
 * a miss leaves for dmiss.  Hits are counted per block (fent.nd). */
#define DACC(tag, want, acs_) do {                                \
        t = FTLB(va);                                             \
        if (UNLIKELY(g->dcache.tag[t] != (want))) {               \
            acs = (acs_);                                         \
            goto DMISS;                                           \
        }                                                         \
        hadd = g->dcache.add[t];                                  \
    } while (0)
/* The same for a load (RW r) or store (w) of SZ bytes, first through
 * the copy of the entry the last one used: VA - its page (in 64 bits, so
 * that LTAG_NONE never passes) must leave the access inside the page. */
#define DACCL(rw, want, sz, acs_) do {                            \
        if (LIKELY((uint64_t)va - g->dcache.l##rw##tag <=         \
                   VISA_PAGE_SIZE - (sz))) {                      \
            hadd = g->dcache.l##rw##add;                          \
        } else {                                                  \
            uint32_t w_ = (want);                                 \
            DACC(rw##tag, w_, acs_);                              \
            g->dcache.l##rw##tag = va & ~VISA_PAGE_MASK;          \
            g->dcache.l##rw##add = hadd;                          \
        }                                                         \
    } while (0)
#define RD4 (VISA_PFQ_READ | 4u << 4)
#define WR4 (VISA_PFQ_WRITE | 4u << 4)

/* The handlers that have a counted copy (FAST_H_LINE). */
#define FAST_LINE_HANDLERS                                            \
    ALU(ADD,   RA = RB + RC)                                          \
    ALU(ADDA,  RA += RC)                                              \
    ALU(SUB,   RA = RB - RC)                                          \
    ALU(MUL,   RA = RB * RC)                                          \
    ALU(DIV,   v = RC; RA = v ? RB / v : 0xFFFFFFFFu)                 \
    ALU(MOD,   v = RC; RA = v ? RB % v : RB)                          \
    ALU(AND,   RA = RB & RC)                                          \
    ALU(OR,    RA = RB | RC)                                          \
    ALU(XOR,   RA = RB ^ RC)                                          \
    ALU(SHL,   RA = RB << (RC & 31u))                                 \
    ALU(SHR,   RA = RB >> (RC & 31u))                                 \
    ALU(SAR,   RA = sar32(RB, RC))                                    \
    ALU(SLT,   RA = lt_signed(RB, RC))                                \
    ALU(SLTU,  RA = RB < RC)                                          \
    ALU(ADDI,  RA = RB + IMM)                                         \
    ALU(ADDIA, RA += IMM)                                             \
    ALU(MULI,  RA = RB * IMM)                                         \
    ALU(DIVI,  RA = RB / IMM)                                         \
    ALU(ANDI,  RA = RB & IMM)                                         \
    ALU(ORI,   RA = RB | IMM)                                         \
    ALU(XORI,  RA = RB ^ IMM)                                         \
    ALU(SHLI,  RA = RB << IMM)                                        \
    ALU(SHRI,  RA = RB >> IMM)                                        \
    ALU(SARI,  RA = sar32(RB, IMM))                                   \
    ALU(LI,    RA = IMM)                                              \
    ALU(MOV,   RA = RB)                                               \
    ALU(MOVHI, RA = IMM | (RA & 0xFFFFu))                             \
    ALU(NOP,   (void)0)                                               \
                                                                      \
    CASE(LDB) {                                                       \
        va = RB + IMM;                                                \
        DACCL(r, TAG1(va), 1u, VISA_PFQ_READ | 1u << 4);              \
        RA = *host(hadd, va);                                         \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(LDW) {                                                       \
        va = RB + IMM;                                                \
        DACCL(r, TAG4(va), 4u, RD4);                                  \
        RA = visa_load_be32(host(hadd, va));                          \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(LDW0) {                                                      \
        va = RB;                                                      \
        DACCL(r, TAG4(va), 4u, RD4);                                  \
        RA = visa_load_be32(host(hadd, va));                          \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(STB) {                                                       \
        va = RB + IMM;                                                \
        DACCL(w, TAG1(va), 1u, VISA_PFQ_WRITE | 1u << 4);             \
        *host(hadd, va) = (uint8_t)RC;                                \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(STW) {                                                       \
        va = RB + IMM;                                                \
        DACCL(w, TAG4(va), 4u, WR4);                                  \
        visa_store_be32(host(hadd, va), RC);                          \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(STW0) {                                                      \
        va = RB;                                                      \
        DACCL(w, TAG4(va), 4u, WR4);                                  \
        visa_store_be32(host(hadd, va), RC);                          \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(PUSH) {                                                      \
        va = g->r[VISA_REG_SP] - 4u;                                  \
        DACC(wtag, TAG4(va), WR4);                                    \
        visa_store_be32(host(hadd, va), RA);                          \
        g->r[VISA_REG_SP] = va;                                       \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(POP) {                                                       \
        va = g->r[VISA_REG_SP];                                       \
        DACC(rtag, TAG4(va), RD4);                                    \
        v = visa_load_be32(host(hadd, va));                           \
        g->r[VISA_REG_SP] = va + 4u;                                  \
        RA = v;                                                       \
        ip++;                                                         \
        NEXT();                                                       \
    }                                                                 \
    CASE(BP) {                                                        \
        /* A breakpoint may be set at this offset: is it this pc? */  \
        if (visa_core_bp_at(hv, g, IPPC())) {                         \
            acc += ip->nd;                                            \
            c.lpc = IPPC();                                           \
            g->pc = c.lpc;                                            \
            visa_core_bp_hit(hv, g, c.lpc);                           \
            c.ev = VISA_EV_BREAK;                                     \
            goto out;                                                 \
        }                                                             \
        RID();                                                        \
    }

#define DMISS dmiss
    DISPATCH_BEGIN
    FAST_LINE_HANDLERS

    CASE(JMP) {
        npc = IMM;
        goto jump;
    }
    CASE(JR) {
        npc = RB;
        goto jump;
    }
    CASE(CALL) {
        va = g->r[VISA_REG_SP] - 4u;
        DACC(wtag, TAG4(va), WR4);
        visa_store_be32(host(hadd, va), page_va + ip->ret);
        g->r[VISA_REG_SP] = va;
        npc = IMM;
        goto jump;
    }
    CASE(CALLR) {
        va = g->r[VISA_REG_SP] - 4u;
        DACC(wtag, TAG4(va), WR4);
        npc = RB;                       /* read first: callr sp */
        visa_store_be32(host(hadd, va), page_va + ip->ret);
        g->r[VISA_REG_SP] = va;
        goto jump;
    }
    CASE(RET) {
        va = g->r[VISA_REG_SP];
        DACC(rtag, TAG4(va), RD4);
        npc = visa_load_be32(host(hadd, va));
        g->r[VISA_REG_SP] = va + 4u;
        goto jump;
    }

    BR(JEQ,  RB == RC)
    BR(JNE,  RB != RC)
    BR(JLT,  lt_signed(RB, RC))
    BR(JGE,  !lt_signed(RB, RC))
    BR(JLTU, RB < RC)
    BR(JGEU, RB >= RC)

    CASE(PAGEEND) {
        npc = page_va + VISA_PAGE_SIZE;
        goto jump;
    }
    CASE(FALLBACK) {
        goto fallback;
    }
    DISPATCH_END

    /* The counted copies. */
#undef CASE
#undef NEXT
#undef RID
#undef DMISS
#define CASE(x) CCASE(x)
#define NEXT()  CNEXT()
#define RID()   CRID()
#define DMISS   cdmiss
    CDISPATCH_BEGIN
    FAST_LINE_HANDLERS
    CDISPATCH_END
    return c.ev;                        /* not reached */
}
