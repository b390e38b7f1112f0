/* hv.h - the vISA hypervisor core.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core never prints, exits or aborts.  Runs take an instruction budget
 * and return a stop reason (enum visa_stop); guest console output, traces
 * and VM exits reach the user interface through struct visa_callbacks.
 * Host errors are negative VISA_E* codes (visa_strerror); guest events are
 * VM exits recorded in the VMCS.
 *
 * All machine state lives in struct visa_hv (plus its host memory) and can
 * be copied whole with visa_hv_copy().  The structures are public so that
 * the monitor can show them; callers change state only through the
 * functions below (which keep the interpreter's caches coherent), except
 * for registers, pc, trap controls and exit_code, which may be written
 * directly.
 *
 * Guests are named by their id, 1..nguests, everywhere in this API.
 */
#ifndef VISA_HV_H
#define VISA_HV_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "visa/isa.h"

/* ---- Errors ---------------------------------------------------------- */
#define VISA_ERRORS(X)                                                        \
    X(NOMEM,     1, "out of memory")                                          \
    X(EMPTY,     2, "image is empty")                                         \
    X(TOOBIG,    3, "image is larger than 16 KiB of guest memory")            \
    X(HOSTMEM,   4, "not enough host memory for another guest (see --host-mem)") \
    X(TOOMANY,   5, "too many guests (at most 16)")                           \
    X(NOGUEST,   6, "no such guest")                                          \
    X(BADSIZE,   7, "host memory must be a multiple of 4 KiB, at least 16 KiB and at most 64 MiB") \
    X(UNMAPPED,  8, "address is not mapped")                                  \
    X(RANGE,     9, "value out of range")                                     \
    X(PAGINGOFF, 10, "paging is off for this guest")

enum visa_error {
    VISA_OK = 0,
#define VISA_X_ERR(name, val, msg) VISA_E##name = -(val),
    VISA_ERRORS(VISA_X_ERR)
#undef VISA_X_ERR
};
const char *visa_strerror(int err);

#define VISA_HOST_MEM_MAX  (64u << 20)
#define VISA_TLB_INVALID   0xFFFFFFFFu
#define VISA_TIMELINE_SIZE 256u

/* ---- State ----------------------------------------------------------- */
struct visa_tlb_entry {
    uint32_t vpn;            /* tag (whole VPN); VISA_TLB_INVALID when empty */
    uint32_t gframe;         /* guest frame number (GPA >> 12) at fill time */
    uint32_t hframe;         /* host frame number at fill time */
    uint8_t perm;            /* combined VISA_EPT_R/W/X permissions */
    uint8_t dirty;           /* the PTE's D bit at fill time */
};

struct visa_ept_entry {
    uint8_t present;
    uint8_t perm;            /* VISA_EPT_R/W/X */
    uint32_t hframe;         /* host frame number */
};

struct visa_vmcs {
    /* guest state (registers and pc live in struct visa_guest) */
    uint32_t ptbr;                         /* 0: paging off; root | 1 */
    /* host state */
    struct visa_ept_entry ept[VISA_GUEST_FRAMES];
    /* execution controls */
    uint32_t trap_ctl;                     /* VISA_TRAP_* */
    uint32_t slice;                        /* this guest's slice; 0: global */
    /* exit information (of the last exit) */
    uint32_t exit_cause;                   /* enum visa_exit; 0: none yet */
    uint32_t exit_qual;
    uint32_t exit_va, exit_gpa;
    bool exit_va_valid, exit_gpa_valid;
    uint32_t exit_insn;                    /* instruction word (0 for timer) */
    uint32_t exit_pc;
    uint64_t exit_count[VISA_EXIT_COUNT];  /* per cause */
};

struct visa_guest {
    int id;                                /* 1-based */
    enum visa_state state;
    uint32_t exit_code;                    /* hypercall exit code; halt: 0 */
    uint32_t r[VISA_NREGS];
    uint32_t pc;
    struct visa_vmcs vmcs;
    struct visa_tlb_entry tlb[VISA_TLB_SIZE];
    uint64_t tlb_hits, tlb_misses;
    uint64_t icount;                       /* completed instructions */
    uint32_t slice_used;                   /* instructions of the current slice */
    /* Not machine state: the fast interpreter's data-access cache
     * (src/core/fast.c), derived from the TLB and EPT and kept beside the
     * registers it works with; emptied whenever they change. */
    struct visa_dcache {                   /* per TLB index: */
        uint32_t rtag[VISA_TLB_SIZE];      /* page allowed, else 1 */
        uint32_t wtag[VISA_TLB_SIZE];
        uintptr_t add[VISA_TLB_SIZE];      /* host address = add + VA */
        uint64_t lrtag, lwtag;             /* copies of the entries the last */
        uintptr_t lradd, lwadd;            /* load and store went through
                                              (tag: the page, else 2^63) */
    } dcache;
    uint32_t image_size;
    uint8_t image[VISA_GUEST_MEM];         /* for reset */
};

/* One scheduling slice, for the monitor's `timeline`. */
struct visa_slice_rec {
    uint8_t guest;                         /* id */
    uint8_t why;                           /* enum visa_exit that ended it, or
                                              VISA_EXIT_NONE: a yield, or the
                                              guest was paused or blocked
                                              outside a run (only slices
                                              that ended are recorded) */
    uint32_t insns;                        /* instructions run in it */
    uint64_t start;                        /* machine instruction count at start */
};

struct visa_hv;

struct visa_callbacks {
    void *ctx;
    /* Guest console output (port 0 and 1, putc, puts, putnum). */
    void (*console_write)(void *ctx, int guest, const char *buf, size_t len);
    /* Next console input byte for GUEST, or -1 when there is none. */
    int (*console_read)(void *ctx, int guest);
    /* Hooks, each called only when non-NULL.  Return nonzero to stop the
     * run (VISA_STOP_BREAK).  before_insn and after_insn put the run on
     * the slow path (one instruction at a time); on_exit costs nothing
     * between exits. */
    /* Before the instruction at PC is fetched. */
    int (*before_insn)(void *ctx, struct visa_hv *hv, int guest, uint32_t pc);
    /* After an instruction (at PC, word WORD) completed. */
    int (*after_insn)(void *ctx, struct visa_hv *hv, int guest, uint32_t pc,
                      uint32_t word);
    /* After a VM exit has been handled; the VMCS holds its information.
     * For an instruction that completes and exits (io, cr_write,
     * hypercall, halt), after after_insn. */
    int (*on_exit)(void *ctx, struct visa_hv *hv, int guest);
};

struct visa_hv {
    uint8_t *mem;                          /* host physical memory */
    uint32_t mem_size;
    uint32_t nframes;
    uint8_t frame_owner[VISA_HOST_MEM_MAX / VISA_PAGE_SIZE]; /* guest id, 0 free */
    int nguests;
    struct visa_guest g[VISA_MAX_GUESTS];
    uint32_t slice;                        /* global slice */
    int cur;                               /* id holding the CPU, 0: none yet */
    uint64_t icount;                       /* whole machine */
    struct visa_slice_rec timeline[VISA_TIMELINE_SIZE];
    uint64_t timeline_count;               /* slices recorded so far */
    struct visa_callbacks cb;
    volatile sig_atomic_t *stop_flag;      /* set by a signal handler */
    bool slow;                             /* before_insn or after_insn is set */
    uint64_t slice_start;                  /* icount when cur's slice began */
    /* The interpreter's derived data (pre-decoded code, translation
     * caches) and the pc breakpoints: not machine state, never copied. */
    struct visa_fast *fast;
};

/* ---- Life cycle ------------------------------------------------------ */
/* Create a hypervisor with HOST_MEM bytes of host memory. */
int visa_hv_new(struct visa_hv **out, uint32_t host_mem);
void visa_hv_free(struct visa_hv *hv);
/* Make DST an exact copy of SRC's machine state (not its callbacks or
 * stop flag); DST must have been created with the same host memory size. */
int visa_hv_copy(struct visa_hv *dst, const struct visa_hv *src);
/* Add a guest booted from IMAGE; returns its id (> 0) or a VISA_E* code. */
int visa_hv_add_guest(struct visa_hv *hv, const uint8_t *image, size_t size);
/* Reload GUEST's image and boot state (host frames are kept). */
int visa_hv_reset_guest(struct visa_hv *hv, int guest);
void visa_hv_set_callbacks(struct visa_hv *hv, const struct visa_callbacks *cb);
void visa_hv_set_stop_flag(struct visa_hv *hv, volatile sig_atomic_t *flag);
struct visa_guest *visa_hv_guest(struct visa_hv *hv, int guest); /* NULL if none */

/* ---- Running --------------------------------------------------------- */
enum visa_stop {
    VISA_STOP_BUDGET,        /* the instruction budget is used up */
    VISA_STOP_IDLE,          /* no guest is RUNNING (step: not this one) */
    VISA_STOP_INTERRUPT,     /* the stop flag was set */
    VISA_STOP_BREAK,         /* a hook asked to stop */
};
/* Run the machine in scheduler order for at most BUDGET completed
 * instructions (UINT64_MAX: no limit).  *GUEST (if non-NULL) receives the
 * guest that was running when the run stopped (0 if none). */
enum visa_stop visa_hv_run(struct visa_hv *hv, uint64_t budget, int *guest);
/* Run N instructions of GUEST alone: no timer exits, other guests wait and
 * GUEST's place in its slice is kept.  Exits are taken and handled. */
enum visa_stop visa_hv_step(struct visa_hv *hv, int guest, uint64_t n);

/* ---- Breakpoints ------------------------------------------------------ */
/* A pc breakpoint: GUEST (0: every guest) is about to run the instruction
 * at virtual address PC.  A run reaching one stops before that instruction
 * with VISA_STOP_BREAK and reports the guest; instructions elsewhere run at
 * full speed.  After such a stop the core remembers it, so that the next
 * run or step of that guest runs the instruction at that pc (as its very
 * first one) without stopping again. */
struct visa_bp {
    int guest;
    uint32_t pc;
};
/* Replace the set of pc breakpoints by BPS[0..N-1] (N = 0 removes them). */
int visa_hv_set_breakpoints(struct visa_hv *hv, const struct visa_bp *bps,
                            size_t n);
/* Make the next instruction GUEST runs skip the breakpoint check when it
 * is at PC (as after a stop there); GUEST 0 forgets any such skip. */
void visa_hv_skip_breakpoint(struct visa_hv *hv, int guest, uint32_t pc);

/* ---- Controls ---------------------------------------------------------- */
int visa_hv_set_slice(struct visa_hv *hv, uint32_t slice);            /* >= 1 */
int visa_hv_set_guest_slice(struct visa_hv *hv, int guest, uint32_t slice); /* 0: global */
int visa_hv_pause(struct visa_hv *hv, int guest);
int visa_hv_resume(struct visa_hv *hv, int guest);  /* PAUSED or BLOCKED -> RUNNING */
/* Set the EPT entry of guest FRAME (0..3) to PERM (VISA_EPT_R/W/X bits,
 * present), or make it not present with VISA_EPT_NOT_PRESENT; the host
 * frame is kept.  Flushes GUEST's TLB.  VISA_ERANGE for a bad frame or
 * perm. */
#define VISA_EPT_NOT_PRESENT 0x80u
int visa_hv_set_ept(struct visa_hv *hv, int guest, unsigned frame, unsigned perm);
void visa_hv_flush_tlb(struct visa_hv *hv, int guest);
/* Recompute hv->slow after a callback changed (done by set_callbacks). */
void visa_hv_hooks_changed(struct visa_hv *hv);

/* ---- Memory, as the monitor sees it (no side effects) ----------------
 * Virtual accesses use a matching TLB entry, stale or not, else a walk;
 * they set no A/D bit, fill nothing, count nothing and ignore R/W/X.
 * Writes invalidate whatever the interpreter cached about that memory and
 * a write into the guest's page-table page flushes its TLB.
 * Return 0, or VISA_EUNMAPPED at the first byte that cannot be reached
 * (nothing is written then). */
int visa_hv_read_virt(const struct visa_hv *hv, int guest, uint32_t va,
                      void *buf, size_t n);
int visa_hv_write_virt(struct visa_hv *hv, int guest, uint32_t va,
                       const void *buf, size_t n);
int visa_hv_read_phys(const struct visa_hv *hv, int guest, uint32_t gpa,
                      void *buf, size_t n);
int visa_hv_write_phys(struct visa_hv *hv, int guest, uint32_t gpa,
                       const void *buf, size_t n);

/* ---- The translation walk, step by step (no side effects) ------------- */
enum visa_walk_fail {
    VISA_WALK_OK,
    VISA_WALK_BEYOND,        /* VA at or above 4 MiB (paging on) */
    VISA_WALK_PTE_EPT,       /* the PTE's GPA fails stage 2 */
    VISA_WALK_NOT_PRESENT,   /* PTE P clear */
    VISA_WALK_NOT_WRITABLE,  /* write to a PTE without W */
    VISA_WALK_NOT_EXEC,      /* fetch from a PTE without X */
    VISA_WALK_GPA_EPT,       /* the final GPA fails stage 2 */
};
struct visa_walk {
    uint32_t va;
    unsigned access;         /* VISA_PFQ_READ, VISA_PFQ_WRITE or VISA_PFQ_FETCH */
    bool paging;
    uint32_t ptbr;
    uint32_t vpn, offset;
    /* stage 1: the PTE (valid when paging and the walk got that far) */
    bool pte_read;           /* the PTE was read */
    uint32_t pte_gpa;
    bool pte_ept_present;
    uint8_t pte_ept_perm;
    uint32_t pte_hpa;        /* valid when the PTE's EPT step succeeded */
    uint32_t pte;
    uint32_t pte_new;        /* the PTE after the walk's A/D update */
    /* the final step */
    uint32_t gpa;            /* valid once stage 1 succeeded */
    bool gpa_ept_present;
    uint8_t gpa_ept_perm;
    uint32_t hpa;            /* valid when the walk succeeded */
    unsigned memrefs;        /* guest memory references the walk makes */
    /* the TLB */
    bool tlb_hit;            /* a valid entry has this VPN */
    bool tlb_stale;          /* and it disagrees with the page table or EPT */
    struct visa_tlb_entry tlbe;
    /* the outcome */
    enum visa_walk_fail fail;
    uint32_t qual;           /* exit qualification the guest would get */
    uint32_t fault_va;       /* VA recorded for that fault */
    uint32_t fault_gpa;      /* GPA recorded (stage-2 faults) */
};
int visa_hv_translate(const struct visa_hv *hv, int guest, uint32_t va,
                      unsigned access, struct visa_walk *w);

#endif /* VISA_HV_H */
