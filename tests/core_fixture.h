/* core_fixture.h - a small fixture library for the core's unit tests.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A test builds guest images word by word (struct prog), adds them to a
 * fresh machine (fx.hv, made by the checked fixture fx_setup), runs it and
 * looks at what a user would see: registers, guest memory, the VMCS, the
 * console output of each guest (struct fx_rec) and, when tracing is on,
 * the instruction history and the VM exits as the hooks reported them.
 *
 * Register r30 is used by prog_paging_on(); tests leave it alone.
 */
#ifndef VISA_CORE_FIXTURE_H
#define VISA_CORE_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "visa/hv.h"
#include "visa/isa.h"

/* ---- Instruction words used everywhere ------------------------------- */
/* visa_enc() as a constant expression, for static tables. */
#define FX_ENC(op, a, b, c)                                              \
    ((((uint32_t)(op) & 0xFFu) << 24) | (((uint32_t)(a) & 0xFFu) << 16) | \
     (((uint32_t)(b) & 0xFFu) << 8) | ((uint32_t)(c) & 0xFFu))
#define FX_ENC_M(op, rd, imm16) FX_ENC((op), (rd), (imm16) >> 8, (imm16))
#define W_HALT       FX_ENC(VISA_OP_HALT, 0, 0, 0)
#define W_NOP        FX_ENC(VISA_OP_NOP, 0, 0, 0)
#define W_RET        FX_ENC(VISA_OP_RET, 0, 0, 0)
#define W_HYPERCALL  FX_ENC(VISA_OP_HYPERCALL, 0, 0, 0)
#define W_SYSCALL    FX_ENC(VISA_OP_SYSCALL, 0, 0, 0)
#define W_TLBFLUSHV  FX_ENC(VISA_OP_TLBFLUSHV, 0, 0, 0)
/* X-format helpers: op r 0 0 (push pop ldpgtr vm*), op 0 rs1 0 (jr callr),
 * op rd rs1 0 (mov), op r port 0 (in out). */
#define W_RA(op, r)        FX_ENC((op), (r), 0, 0)
#define W_JR(op, rs1)      FX_ENC((op), 0, (rs1), 0)
#define W_MOV(rd, rs1)     FX_ENC(VISA_OP_MOV, (rd), (rs1), 0)
#define W_IN(rd, port)     FX_ENC(VISA_OP_IN, (rd), (port), 0)
#define W_OUT(rs, port)    FX_ENC(VISA_OP_OUT, (rs), (port), 0)

#define FX_PAGING_REG 30u          /* scratch register of prog_paging_on */
#define FX_BUDGET     1000000u     /* "run until idle" never needs more */
#define FX_OUT_MAX    8192u
#define FX_HIST_MAX   8192u
#define FX_EXITS_MAX  2048u

/* ---- Guest images ------------------------------------------------------ */
struct prog {
    uint8_t mem[VISA_GUEST_MEM];
    uint32_t pc;                   /* where prog() writes the next word */
    uint32_t size;                 /* image size: highest byte written + 1 */
};
void prog_init(struct prog *p);
/* Append WORD at p->pc; returns its address. */
uint32_t prog(struct prog *p, uint32_t word);
/* Move the write position (like .org). */
void prog_org(struct prog *p, uint32_t addr);
/* li rd, v: movi, plus movhi when the high half is not 0. */
void prog_li(struct prog *p, unsigned rd, uint32_t v);
/* movi r0, NR; hypercall */
void prog_hypercall(struct prog *p, uint32_t nr);
/* movi r30, ROOT | 1; ldpgtr r30 */
void prog_paging_on(struct prog *p, uint32_t root);
/* Data in the image (the write position does not move). */
void prog_word(struct prog *p, uint32_t addr, uint32_t v);
void prog_bytes(struct prog *p, uint32_t addr, const void *b, size_t n);
/* PTE for VPN in the page table at ROOT (a GPA), in the image. */
void prog_pte(struct prog *p, uint32_t root, uint32_t vpn, uint32_t pte);
/* Branch offset from the branch at FROM to TO (target = pc + 4 + 4*off8). */
int prog_off(uint32_t from, uint32_t to);

/* ---- What the callbacks saw ------------------------------------------- */
struct fx_insn { int guest; uint32_t pc, word; };
struct fx_exit { int guest; uint32_t cause, qual, pc, insn; };
struct fx_rec;
typedef int (*fx_before_fn)(struct fx_rec *r, struct visa_hv *hv, int guest,
                            uint32_t pc);
typedef int (*fx_after_fn)(struct fx_rec *r, struct visa_hv *hv, int guest,
                           uint32_t pc, uint32_t word);
typedef int (*fx_exit_fn)(struct fx_rec *r, struct visa_hv *hv, int guest);

struct fx_rec {
    char out[VISA_MAX_GUESTS + 1][FX_OUT_MAX + 1];   /* NUL-terminated */
    size_t outlen[VISA_MAX_GUESTS + 1];
    const char *in[VISA_MAX_GUESTS + 1];
    size_t inpos[VISA_MAX_GUESTS + 1];
    struct fx_insn hist[FX_HIST_MAX];
    size_t nhist;                  /* every completed instruction reported */
    struct fx_exit exits[FX_EXITS_MAX];
    size_t nexits;
    size_t nbefore;                /* before_insn calls */
    /* Optional test hooks, called after the recording; their result is
     * returned to the core. */
    fx_before_fn before;
    fx_after_fn after;
    fx_exit_fn on_exit;
    void *user;
};

/* ---- The machine under test ------------------------------------------- */
struct fx {
    struct visa_hv *hv;
    struct fx_rec rec;
    uint32_t host_mem;
    bool traced;
    int nimages;                   /* images[id - 1]: what fx_add() added */
    struct prog images[VISA_MAX_GUESTS];
};
extern struct fx fx;

/* Run suite S; EXIT_FAILURE when a test failed (for main). */
int fx_run_suite(Suite *s);

/* Checked fixture: a fresh machine with default host memory, console
 * callbacks only (the interpreter's fast path). */
void fx_setup(void);
void fx_teardown(void);
/* Replace the machine by a fresh one with HOST_MEM bytes. */
void fx_new(uint32_t host_mem);
/* Install (TRACE) or remove the before/after/exit hooks on fx.hv. */
void fx_trace(bool trace);
/* Connect HV to REC (cleared first); with TRACE the hooks record too. */
void fx_attach(struct visa_hv *hv, struct fx_rec *rec, bool trace);
void fx_rec_clear(struct fx_rec *rec);

/* Add a guest; the add must succeed.  Returns its id. */
int fx_add(const struct prog *p);
/* Add a guest made of N instruction words. */
int fx_add_words(const uint32_t *words, size_t n);
struct visa_guest *fx_g(int guest);
uint32_t fx_reg(int guest, unsigned r);
/* Console input for GUEST (the string must outlive the run). */
void fx_input(int guest, const char *s);
const char *fx_out(int guest);

enum visa_stop fx_run(uint64_t budget);
/* Run until no guest is RUNNING (asserts VISA_STOP_IDLE). */
void fx_run_idle(void);
/* fx_run_idle(), then rebuild the same guests (images and console input
 * only) on a second machine with every hook installed, run it, and check
 * both end identically: the hooked path agrees with the fast path. */
void fx_run_idle_both(void);

/* Guest ID ends in the same state on machines A and B: state, pc,
 * registers, counters, PTBR, last exit and all 16 KiB of its memory. */
void fx_expect_same_guest(const struct visa_hv *a, const struct visa_hv *b,
                          int id);

/* Guest-physical memory through the monitor accessors. */
uint32_t fx_phys32(int guest, uint32_t gpa);
uint8_t fx_phys8(int guest, uint32_t gpa);
void fx_set_phys32(int guest, uint32_t gpa, uint32_t v);
uint32_t fx_pte(int guest, uint32_t root, uint32_t vpn);

/* The last exit of GUEST had this cause and qualification. */
void fx_expect_exit(int guest, unsigned cause, uint32_t qual);
/* GUEST took a page fault with QUAL at VA; GPA is checked (and must be
 * valid) only for stage-2 faults. */
void fx_expect_pf(int guest, uint32_t qual, uint32_t va, uint32_t gpa);
/* GUEST is BLOCKED at PC, its last exit being CAUSE with QUAL. */
void fx_expect_blocked(int guest, unsigned cause, uint32_t qual, uint32_t pc);

#endif /* VISA_CORE_FIXTURE_H */
