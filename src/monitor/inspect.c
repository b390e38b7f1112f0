/* inspect.c - looking inside the machine: regs, vmcs, pt, ept, tlb,
 * translate, x, xp, disas, print, info, stats, timeline.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here changes the machine (monitor.md, machine.md section 4):
 * memory is read through visa_hv_read_virt/phys and walks through
 * visa_hv_translate, which set no A/D bit, fill no TLB entry and count
 * nothing.  The one exception is `ept GUEST FRAME +-r +-w +-x`, which is
 * the EPT's change form and lives here so that both forms share a parser.
 * Output that could fail half-way is composed in a memory stream first, so
 * an error never leaves partial garbage on the screen.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "visa/disas.h"

/* ---- Shared formatting (also used by state.c) ------------------------- */

const char *mon_fmt_perm(unsigned perm, char *buf)
{
    buf[0] = (perm & VISA_EPT_R) ? 'R' : '-';
    buf[1] = ' ';
    buf[2] = (perm & VISA_EPT_W) ? 'W' : '-';
    buf[3] = ' ';
    buf[4] = (perm & VISA_EPT_X) ? 'X' : '-';
    buf[5] = '\0';
    return buf;
}

/* Append ", TEXT" (or TEXT when BUF is empty) to BUF. */
static void add_part(char *buf, size_t size, const char *text)
{
    size_t len = strlen(buf);
    if (len < size)
        snprintf(buf + len, size - len, "%s%s", len ? ", " : "", text);
}

/* The name of I/O port or hypercall NUM from the X-macro lists, or NULL. */
static const char *port_name(uint32_t port)
{
    switch (port) {
#define X(name, num, pname, desc) case num: return pname;
    VISA_PORTS(X)
#undef X
    default: return NULL;
    }
}

static const char *hypercall_name(uint32_t num)
{
    switch (num) {
#define X(name, n, hname, desc) case n: return hname;
    VISA_HYPERCALLS(X)
#undef X
    default: return NULL;
    }
}

static const char *cause_name(unsigned cause)
{
    if (cause > VISA_EXIT_NONE && cause < VISA_EXIT_COUNT && visa_exittab[cause].name)
        return visa_exittab[cause].name;
    return "none";
}

/* What the page-fault qualification bits say, for people. */
static void decode_pf(uint32_t q, char *d, size_t size)
{
    if (q & VISA_PFQ_READ)
        add_part(d, size, "read");
    if (q & VISA_PFQ_WRITE)
        add_part(d, size, "write");
    if (q & VISA_PFQ_FETCH)
        add_part(d, size, "fetch");
    add_part(d, size, (q & VISA_PFQ_PROT) ? "protection" : "not present");
    if (q & VISA_PFQ_STAGE2)
        add_part(d, size, "stage 2");
    if (q & VISA_PFQ_RANGE)
        add_part(d, size, "beyond 4 MiB");
}

const char *mon_fmt_qual(unsigned cause, uint32_t qual, char *buf, size_t size)
{
    char d[96] = "";
    const char *name;

    switch (cause) {
    case VISA_EXIT_PAGE_FAULT:
        decode_pf(qual, d, sizeof d);
        break;
    case VISA_EXIT_IO:
        name = port_name(qual & 0xFFu);
        snprintf(d, sizeof d, "%s, port %" PRIu32 "%s%s",
                 (qual & VISA_IOQ_IN) ? "in" : "out", qual & 0xFFu,
                 name ? " " : "", name ? name : "");
        break;
    case VISA_EXIT_PRIVILEGED:
        name = visa_optab[qual & 0xFFu].mnemonic;
        snprintf(d, sizeof d, "opcode %s", name ? name : "?");
        break;
    case VISA_EXIT_ILLEGAL:
        snprintf(d, sizeof d, "instruction word");
        break;
    case VISA_EXIT_CR_WRITE:
        if (qual == 0)
            snprintf(d, sizeof d, "new PTBR: paging off");
        else
            snprintf(d, sizeof d, "new PTBR: root GPA 0x%" PRIx32,
                     qual & VISA_PTE_FRAME);
        break;
    case VISA_EXIT_TIMER:
        snprintf(d, sizeof d, "slice length");
        break;
    case VISA_EXIT_HYPERCALL:
        name = hypercall_name(qual);
        snprintf(d, sizeof d, "r0: %s", name ? name : "unknown hypercall");
        break;
    default:
        break;
    }
    if (d[0])
        snprintf(buf, size, "0x%02" PRIx32 " (%s)", qual, d);
    else
        snprintf(buf, size, "0x%02" PRIx32, qual);
    return buf;
}

/* ---- Shared argument handling ----------------------------------------- */

const char *mon_skip_words(const char *s, int n)
{
    while (isspace((unsigned char)*s))
        s++;
    for (; n > 0 && *s; n--) {
        int depth = 0;
        char quote = 0;
        for (; *s; s++) {
            if (quote) {
                if (*s == '\\' && s[1])
                    s++;
                else if (*s == quote)
                    quote = 0;
            } else if (*s == '"' || *s == '\'') {
                quote = *s;
            } else if (*s == '(') {
                depth++;
            } else if (*s == ')' && depth > 0) {
                depth--;
            } else if (depth == 0 && isspace((unsigned char)*s)) {
                break;
            }
        }
        while (isspace((unsigned char)*s))
            s++;
    }
    return s;
}

int mon_guest_arg(struct mon *m, int *argc, char ***argv, const char **rest,
                  int needed, int *guest)
{
    if (*argc - 1 > needed) {
        if (mon_parse_guest(m, (*argv)[1], guest) < 0)
            return -1;
        /* the guest word takes the command word's place in ARGV */
        (*argv)++;
        (*argc)--;
        if (rest)
            *rest = mon_skip_words(*rest, 1);
        return 0;
    }
    *guest = mon_focus(m);
    return *guest < 0 ? -1 : 0;
}

int mon_subword(struct mon *m, const char *what, const char *word,
                const char *list)
{
    size_t wlen = strlen(word);
    int found = -1, nfound = 0, i = 0;
    const char *p = list;

    while (*p) {
        size_t len = strcspn(p, " ");
        if (len == wlen && strncmp(p, word, len) == 0)
            return i;                            /* exact match wins */
        if (wlen > 0 && wlen < len && strncmp(p, word, wlen) == 0) {
            found = i;
            nfound++;
        }
        p += len;
        while (*p == ' ')
            p++;
        i++;
    }
    if (nfound == 1)
        return found;
    if (nfound > 1)
        mon_error(m, "ambiguous %s '%s' (%s)", what, word, list);
    else
        mon_error(m, "unknown %s '%s' (%s)", what, word, list);
    return -1;
}

int mon_max_args(struct mon *m, int nargs, int max, const char *usage)
{
    if (nargs > max) {
        mon_error(m, "too many arguments (usage: %s)", usage);
        return -1;
    }
    return 0;
}

/* Commands whose only argument is [GUEST]: regs, vmcs, pt, tlb. */
static int only_guest(struct mon *m, int argc, char **argv, int *id)
{
    char usage[32];
    snprintf(usage, sizeof usage, "%s [GUEST]", argv[0]);
    if (mon_max_args(m, argc - 1, 1, usage) < 0)
        return -1;
    return mon_guest_arg(m, &argc, &argv, NULL, 0, id);
}

/* ---- Small formatting helpers ------------------------------------------ */

static struct visa_guest *G(struct mon *m, int id)
{
    return visa_hv_guest(m->hv, id);
}

static const char *state_name(const struct visa_guest *g)
{
    return visa_state_names[g->state];
}

/* "0x00000010 <loop+0x8>" (no symbol: just the address). */
static const char *addr_sym(const struct mon *m, int guest, uint32_t addr,
                            char *buf, size_t size)
{
    char sym[128];
    mon_symbolize(m, guest, addr, sym, sizeof sym);
    snprintf(buf, size, "0x%08" PRIx32 "%s%s", addr, sym[0] ? " " : "", sym);
    return buf;
}

static const char *ptbr_text(uint32_t ptbr, char *buf, size_t size)
{
    if (ptbr == 0)
        snprintf(buf, size, "0x%08" PRIx32 " (paging off)", ptbr);
    else
        snprintf(buf, size, "0x%08" PRIx32 " (paging on, root GPA 0x%" PRIx32 ")",
                 ptbr, ptbr & VISA_PTE_FRAME);
    return buf;
}

/* PTE flags as a table cell: "P W X A D", '-' for a clear bit. */
static const char *pte_flags(uint32_t pte, char *buf)
{
    static const struct { uint32_t bit; char c; } f[] = {
        { VISA_PTE_P, 'P' }, { VISA_PTE_W, 'W' }, { VISA_PTE_X, 'X' },
        { VISA_PTE_A, 'A' }, { VISA_PTE_D, 'D' },
    };
    char *p = buf;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (i)
            *p++ = ' ';
        *p++ = (pte & f[i].bit) ? f[i].c : '-';
    }
    *p = '\0';
    return buf;
}

static double percent(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* A memory stream for output that must be all or nothing. */
struct ostr {
    char *buf;
    size_t len;
    FILE *f;
};

static int ostr_open(struct mon *m, struct ostr *o)
{
    o->buf = NULL;
    o->len = 0;
    o->f = open_memstream(&o->buf, &o->len);
    if (!o->f) {
        mon_error(m, "out of memory");
        return -1;
    }
    return 0;
}

/* Print (when OK) and free. */
static int ostr_close(struct mon *m, struct ostr *o, int ok)
{
    if (fclose(o->f) != 0 && ok == 0) {
        mon_error(m, "out of memory");
        ok = -1;
    }
    if (ok == 0 && o->buf)
        mon_printf(m, "%s", o->buf);
    free(o->buf);
    return ok;
}

/* ---- regs ----------------------------------------------------------- */

int mon_cmd_regs(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    char buf[160], pt[80];
    (void)rest;
    if (only_guest(m, argc, argv, &id) < 0)
        return -1;
    const struct visa_guest *g = G(m, id);
    const struct mon_guest *mg = &m->g[id];

    for (int r = 0; r < VISA_NREGS; r += 4) {
        char line[256];
        size_t len = 0;
        for (int c = r; c < r + 4; c++) {
            char name[8];
            snprintf(name, sizeof name, "r%d", c);
            bool changed = g->r[c] != mg->prev_r[c];
            len += (size_t)snprintf(line + len, sizeof line - len,
                                    "%-3s %s0x%08" PRIx32 "%s%c  ", name,
                                    changed ? mon_sgr(m, MON_SGR_CHANGED) : "", g->r[c],
                                    changed ? mon_sgr(m, MON_SGR_OFF) : "",
                                    changed ? '*' : ' ');
        }
        while (len > 0 && line[len - 1] == ' ')
            line[--len] = '\0';
        mon_printf(m, "%s\n", line);
    }
    mon_printf(m, "pc  %s%s\n", addr_sym(m, id, g->pc, buf, sizeof buf),
               g->pc != mg->prev_pc ? " *" : "");
    mon_printf(m, "sp  0x%08" PRIx32 "%s\n", g->r[VISA_REG_SP],
               g->r[VISA_REG_SP] != mg->prev_r[VISA_REG_SP] ? " *" : "");
    mon_printf(m, "state %s (guest %d)\n", state_name(g), id);
    mon_printf(m, "PTBR %s\n", ptbr_text(g->vmcs.ptbr, pt, sizeof pt));
    return 0;
}

/* ---- vmcs ----------------------------------------------------------- */

/* One EPT row: "0      0x0000-0x0fff    2           0x00002000  R W X". */
static void ept_row(struct mon *m, const struct visa_guest *g, unsigned f)
{
    const struct visa_ept_entry *e = &g->vmcs.ept[f];
    char perm[6];
    if (!e->present) {
        mon_printf(m, "  %-5u  0x%04x-0x%04x    not present\n", f,
                   f * VISA_PAGE_SIZE, (f + 1) * VISA_PAGE_SIZE - 1);
        return;
    }
    mon_printf(m, "  %-5u  0x%04x-0x%04x    %-10" PRIu32 "  0x%08" PRIx32 "  %s\n",
               f, f * VISA_PAGE_SIZE, (f + 1) * VISA_PAGE_SIZE - 1, e->hframe,
               e->hframe * VISA_PAGE_SIZE, mon_fmt_perm(e->perm, perm));
}

/* The EPT as a table: every frame, or only ONLY (when >= 0). */
static void ept_table(struct mon *m, const struct visa_guest *g, int only)
{
    mon_printf(m, "  frame  GPA range        host frame  HPA         perms\n");
    for (unsigned f = 0; f < VISA_GUEST_FRAMES; f++)
        if (only < 0 || (unsigned)only == f)
            ept_row(m, g, f);
}

static const char *on_off(bool b) { return b ? "on" : "off"; }

int mon_cmd_vmcs(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    char buf[160], q[128], insn[96];
    (void)rest;
    if (only_guest(m, argc, argv, &id) < 0)
        return -1;
    const struct visa_guest *g = G(m, id);
    const struct visa_vmcs *v = &g->vmcs;

    mon_printf(m, "VMCS of guest %d\n", id);
    mon_printf(m, "Guest state\n");
    mon_printf(m, "  %-14s %s\n", "pc", addr_sym(m, id, g->pc, buf, sizeof buf));
    mon_printf(m, "  %-14s 0x%08" PRIx32 "\n", "sp", g->r[VISA_REG_SP]);
    mon_printf(m, "  %-14s %s\n", "PTBR", ptbr_text(v->ptbr, buf, sizeof buf));
    mon_printf(m, "  %-14s %s\n", "state", state_name(g));
    mon_printf(m, "Host state (EPT)\n");
    ept_table(m, g, -1);
    mon_printf(m, "Execution controls\n");
    mon_printf(m, "  %-14s %s\n", cause_name(VISA_EXIT_CR_WRITE),
               on_off(v->trap_ctl & VISA_TRAP_CR));
    mon_printf(m, "  %-14s %s\n", cause_name(VISA_EXIT_IO),
               on_off(v->trap_ctl & VISA_TRAP_IO));
    if (v->slice)
        mon_printf(m, "  %-14s %" PRIu32 " (this guest)\n", "slice", v->slice);
    else
        mon_printf(m, "  %-14s %" PRIu32 " (global)\n", "slice", m->hv->slice);
    mon_printf(m, "Exit information\n");
    if (v->exit_cause == VISA_EXIT_NONE) {
        mon_printf(m, "  %-14s none yet\n", "cause");
    } else {
        mon_printf(m, "  %-14s %s (%" PRIu32 ")\n", "cause",
                   cause_name(v->exit_cause), v->exit_cause);
        mon_printf(m, "  %-14s %s\n", "qualification",
                   mon_fmt_qual(v->exit_cause, v->exit_qual, q, sizeof q));
        if (v->exit_va_valid)
            mon_printf(m, "  %-14s 0x%08" PRIx32 "\n", "VA", v->exit_va);
        if (v->exit_gpa_valid)
            mon_printf(m, "  %-14s 0x%08" PRIx32 "\n", "GPA", v->exit_gpa);
        /* a timer exit and a failed fetch have no instruction word */
        if (v->exit_cause == VISA_EXIT_TIMER ||
            (v->exit_cause == VISA_EXIT_PAGE_FAULT && (v->exit_qual & VISA_PFQ_FETCH)))
            mon_printf(m, "  %-14s -\n", "instruction");
        else {
            visa_disas_insn(v->exit_insn, v->exit_pc, mon_syms(m, id),
                            insn, sizeof insn);
            mon_printf(m, "  %-14s 0x%08" PRIx32 "  %s\n", "instruction",
                       v->exit_insn, insn);
        }
        mon_printf(m, "  %-14s %s\n", "pc", addr_sym(m, id, v->exit_pc, buf, sizeof buf));
    }
    mon_printf(m, "Exit counts\n");
    uint64_t total = 0;
    for (unsigned c = 1; c < VISA_EXIT_COUNT; c++) {
        mon_printf(m, "  %-14s %" PRIu64 "\n", cause_name(c), v->exit_count[c]);
        total += v->exit_count[c];
    }
    mon_printf(m, "  %-14s %" PRIu64 "\n", "total", total);
    return 0;
}

/* ---- pt ------------------------------------------------------------- */

int mon_cmd_pt(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    (void)rest;
    if (only_guest(m, argc, argv, &id) < 0)
        return -1;
    const struct visa_guest *g = G(m, id);
    uint32_t ptbr = g->vmcs.ptbr;
    if (ptbr == 0) {
        mon_printf(m, "guest %d: paging off (PTBR 0): VA = GPA, no page table\n", id);
        return 0;
    }
    uint32_t root = ptbr & VISA_PTE_FRAME;
    uint8_t page[VISA_PAGE_SIZE];
    if (visa_hv_read_phys(m->hv, id, root, page, sizeof page) != 0) {
        mon_error(m, "cannot read guest %d's page table at GPA 0x%" PRIx32
                  " (not mapped by the EPT)", id, root);
        return -1;
    }
    mon_printf(m, "page table of guest %d at GPA 0x%" PRIx32 " (PTBR 0x%08" PRIx32 ")\n",
               id, root, ptbr);
    unsigned n = 0;
    for (uint32_t vpn = 0; vpn < VISA_VA_PAGES; vpn++) {
        uint32_t pte = visa_load_be32(page + 4 * vpn);
        char fl[10];
        if (!(pte & VISA_PTE_P))
            continue;
        if (n++ == 0)
            mon_printf(m, "  %-5s  %-21s  %-10s  %-10s  %s\n", "VPN", "VA range", "PTE",
                       "frame GPA", "flags");
        mon_printf(m, "  0x%03" PRIx32 "  0x%08" PRIx32 "-0x%08" PRIx32
                   "  0x%08" PRIx32 "  0x%08" PRIx32 "  %s\n",
                   vpn, vpn << VISA_PAGE_SHIFT, (vpn << VISA_PAGE_SHIFT) + VISA_PAGE_SIZE - 1,
                   pte, pte & VISA_PTE_FRAME, pte_flags(pte, fl));
    }
    mon_printf(m, "%u present PTE%s\n", n, n == 1 ? "" : "s");
    return 0;
}

/* ---- ept ------------------------------------------------------------ */

/* "+r", "-wx", ...: true when S is a permission change. */
static bool is_perm_arg(const char *s)
{
    if (s[0] != '+' && s[0] != '-')
        return false;
    if (!s[1])
        return false;
    for (s++; *s; s++)
        if (!strchr("rwxRWX", *s))
            return false;
    return true;
}

static unsigned perm_bits(const char *s)
{
    unsigned p = 0;
    for (; *s; s++) {
        switch (tolower((unsigned char)*s)) {
        case 'r': p |= VISA_EPT_R; break;
        case 'w': p |= VISA_EPT_W; break;
        case 'x': p |= VISA_EPT_X; break;
        default: break;
        }
    }
    return p;
}

int mon_cmd_ept(struct mon *m, int argc, char **argv, const char *rest)
{
    /* Permission words are recognisable anywhere; what is left is
     * [GUEST] or [GUEST] FRAME. */
    char *words[8];
    int nw = 0, nperm = 0;
    unsigned set = 0, clear = 0;
    for (int i = 1; i < argc; i++) {
        if (is_perm_arg(argv[i])) {
            unsigned b = perm_bits(argv[i] + 1);
            if (argv[i][0] == '+') { set |= b; clear &= ~b; }
            else { clear |= b; set &= ~b; }
            nperm++;
        } else if ((argv[i][0] == '+' || argv[i][0] == '-') &&
                   isalpha((unsigned char)argv[i][1])) {
            mon_error(m, "bad permission change '%s' (+r -r +w -w +x -x)", argv[i]);
            return -1;
        } else if (nw < 2) {
            words[nw++] = argv[i];
        } else {
            return mon_max_args(m, argc, 0, "ept [GUEST] [FRAME +-r +-w +-x]");
        }
    }
    int id;
    if (nperm == 0) {
        if (nw > 1) {
            mon_error(m, "ept FRAME needs a permission change such as -w or +x");
            return -1;
        }
        if (nw == 1 ? mon_parse_guest(m, words[0], &id) < 0 : (id = mon_focus(m)) < 0)
            return -1;
        mon_printf(m, "EPT of guest %d\n", id);
        ept_table(m, G(m, id), -1);
        return 0;
    }
    if (nw == 0) {
        mon_error(m, "which frame? (usage: ept [GUEST] FRAME +-r +-w +-x)");
        return -1;
    }
    if (nw == 2 ? mon_parse_guest(m, words[0], &id) < 0 : (id = mon_focus(m)) < 0)
        return -1;
    uint32_t frame;
    if (mon_eval(m, words[nw - 1], id, &frame) < 0)
        return -1;
    if (frame >= VISA_GUEST_FRAMES) {
        mon_error(m, "no guest frame %" PRIu32 " (frames: 0-%u)", frame,
                  VISA_GUEST_FRAMES - 1);
        return -1;
    }
    struct visa_guest *g = G(m, id);
    if (!g->vmcs.ept[frame].present) {
        mon_error(m, "guest %d's frame %" PRIu32 " has no EPT entry", id, frame);
        return -1;
    }
    unsigned perm = (g->vmcs.ept[frame].perm | set) & ~clear & VISA_EPT_RWX;
    int rc = visa_hv_set_ept(m->hv, id, frame, perm);
    if (rc < 0) {
        mon_error(m, "cannot change guest %d's EPT: %s", id, visa_strerror(rc));
        return -1;
    }
    mon_printf(m, "guest %d EPT, TLB flushed:\n", id);
    ept_table(m, g, (int)frame);
    return 0;
}

/* ---- tlb ------------------------------------------------------------ */

int mon_cmd_tlb(struct mon *m, int argc, char **argv, const char *rest)
{
    int id;
    (void)rest;
    if (only_guest(m, argc, argv, &id) < 0)
        return -1;
    const struct visa_guest *g = G(m, id);
    unsigned n = 0;
    for (unsigned i = 0; i < VISA_TLB_SIZE; i++)
        n += g->tlb[i].vpn != VISA_TLB_INVALID;
    uint64_t looks = g->tlb_hits + g->tlb_misses;
    mon_printf(m, "TLB of guest %d: %u valid entr%s; %" PRIu64 " hits, %" PRIu64
               " misses", id, n, n == 1 ? "y" : "ies", g->tlb_hits, g->tlb_misses);
    if (looks)
        mon_printf(m, " (hit rate %.1f%%)\n", percent(g->tlb_hits, looks));
    else
        mon_printf(m, "\n");
    if (g->vmcs.ptbr == 0)
        mon_printf(m, "paging off: the TLB is not used\n");
    if (n == 0)
        return 0;
    mon_printf(m, "  entry  VPN    VA page     guest frame  host frame  perms  D\n");
    for (unsigned i = 0; i < VISA_TLB_SIZE; i++) {
        const struct visa_tlb_entry *e = &g->tlb[i];
        struct visa_walk w;
        char perm[6];
        if (e->vpn == VISA_TLB_INVALID)
            continue;
        /* the core knows what "stale" means: ask it (no side effects) */
        bool stale = visa_hv_translate(m->hv, id, e->vpn << VISA_PAGE_SHIFT,
                                       VISA_PFQ_READ, &w) == 0 && w.tlb_stale;
        mon_printf(m, "  %-5u  0x%03" PRIx32 "  0x%08" PRIx32 "  %-11" PRIu32
                   "  %-10" PRIu32 "  %s  %d%s\n", i, e->vpn,
                   e->vpn << VISA_PAGE_SHIFT, e->gframe, e->hframe,
                   mon_fmt_perm(e->perm, perm), e->dirty ? 1 : 0,
                   stale ? "  stale" : "");
    }
    return 0;
}

/* ---- translate ------------------------------------------------------ */

static const char *access_name(unsigned access)
{
    return access == VISA_PFQ_WRITE ? "write" :
           access == VISA_PFQ_FETCH ? "fetch" : "read";
}

static unsigned access_perm(unsigned access)
{
    return access == VISA_PFQ_WRITE ? VISA_EPT_W :
           access == VISA_PFQ_FETCH ? VISA_EPT_X : VISA_EPT_R;
}

static char perm_letter(unsigned perm)
{
    return perm == VISA_EPT_W ? 'W' : perm == VISA_EPT_X ? 'X' : 'R';
}

/* The EPT step for guest-physical address GPA: "EPT: frame 2 -> host frame
 * 2 (R W X), WHAT needs R: ok" (NEED is one VISA_EPT_* bit).  Returns true
 * when it passes. */
static bool ept_step(FILE *o, const struct visa_guest *g, uint32_t gpa,
                     const char *what, unsigned need)
{
    char perm[6];
    uint32_t f = gpa >> VISA_PAGE_SHIFT;
    if (gpa >= VISA_GUEST_MEM) {
        fprintf(o, "EPT: GPA 0x%08" PRIx32 " is beyond guest memory (16 KiB): fails", gpa);
        return false;
    }
    const struct visa_ept_entry *e = &g->vmcs.ept[f];
    if (!e->present) {
        fprintf(o, "EPT: frame %" PRIu32 " not present: fails", f);
        return false;
    }
    bool ok = (e->perm & need) != 0;
    fprintf(o, "EPT: frame %" PRIu32 " -> host frame %" PRIu32 " (%s), %s needs %c: %s",
            f, e->hframe, mon_fmt_perm(e->perm, perm), what, perm_letter(need),
            ok ? "ok" : "fails");
    return ok;
}

static const char *fail_text(enum visa_walk_fail f)
{
    switch (f) {
    case VISA_WALK_BEYOND:       return "VA beyond 4 MiB";
    case VISA_WALK_PTE_EPT:      return "the PTE's GPA fails stage 2 (EPT)";
    case VISA_WALK_NOT_PRESENT:  return "PTE not present";
    case VISA_WALK_NOT_WRITABLE: return "PTE not writable";
    case VISA_WALK_NOT_EXEC:     return "PTE not executable";
    case VISA_WALK_GPA_EPT:      return "the GPA fails stage 2 (EPT)";
    case VISA_WALK_OK:           break;
    }
    return "ok";
}

/* The TLB line: what the guest itself would do for this access. */
static void tlb_step(FILE *o, const struct visa_guest *g, const struct visa_walk *w)
{
    unsigned idx = w->vpn % VISA_TLB_SIZE;
    char perm[6];
    if (!w->paging) {
        fprintf(o, "TLB: not used (paging off)\n");
        return;
    }
    if (w->fail == VISA_WALK_BEYOND) {
        fprintf(o, "TLB: not consulted (no VPN)\n");
        return;
    }
    if (!w->tlb_hit) {
        const struct visa_tlb_entry *e = &g->tlb[idx];
        if (e->vpn == VISA_TLB_INVALID)
            fprintf(o, "TLB: miss (entry %u is empty)\n", idx);
        else
            fprintf(o, "TLB: miss (entry %u holds VPN 0x%03" PRIx32 ")\n", idx, e->vpn);
        return;
    }
    const struct visa_tlb_entry *e = &w->tlbe;
    fprintf(o, "TLB: %sentry %u: VPN 0x%03" PRIx32 " -> host frame %" PRIu32
            " (%s), D=%d\n", w->tlb_stale ? "stale " : "hit, ", idx, e->vpn,
            e->hframe, mon_fmt_perm(e->perm, perm), e->dirty ? 1 : 0);
    if (!(e->perm & access_perm(w->access)))
        fprintf(o, "     it does not allow %s: the guest would walk again\n",
                access_name(w->access));
    else if (w->access == VISA_PFQ_WRITE && !e->dirty)
        fprintf(o, "     D=0: a write walks again to set D\n");
    else
        fprintf(o, "     the guest would use it without a walk: HPA 0x%08" PRIx32 "%s\n",
                e->hframe * VISA_PAGE_SIZE + w->offset,
                w->tlb_stale ? " (not what the page table now says)" : "");
}

static int parse_access(const char *s, unsigned *access)
{
    static const struct { const char *name; unsigned a; } t[] = {
        { "r", VISA_PFQ_READ }, { "read", VISA_PFQ_READ },
        { "w", VISA_PFQ_WRITE }, { "write", VISA_PFQ_WRITE },
        { "x", VISA_PFQ_FETCH }, { "fetch", VISA_PFQ_FETCH },
        { "exec", VISA_PFQ_FETCH },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            *access = t[i].a;
            return 0;
        }
    return -1;
}

/* Print the walk W of guest G step by step into O. */
static void print_walk(FILE *o, const struct visa_guest *g, int id,
                       const struct visa_walk *w)
{
    char q[128];
    int step = 1;
    const char *acc = access_name(w->access);
    unsigned need = access_perm(w->access);

    fprintf(o, "guest %d, VA 0x%08" PRIx32 ", %s; ", id, w->va, acc);
    if (!w->paging) {
        fprintf(o, "paging off (PTBR 0): VA = GPA\n");
        fprintf(o, "%d. GPA 0x%08" PRIx32 "; ", step++, w->gpa);
        if (ept_step(o, g, w->gpa, acc, need))
            fprintf(o, " -> HPA 0x%08" PRIx32, w->hpa);
        fprintf(o, "\n");
    } else {
        fprintf(o, "paging on, PTBR 0x%08" PRIx32 " (root GPA 0x%" PRIx32 ")\n",
                w->ptbr, w->ptbr & VISA_PTE_FRAME);
        if (w->fail == VISA_WALK_BEYOND) {
            fprintf(o, "%d. VA 0x%08" PRIx32 " is at or above 4 MiB (0x%x): no VPN\n",
                    step++, w->va, VISA_VA_LIMIT);
        } else {
            fprintf(o, "%d. VA 0x%08" PRIx32 " -> VPN 0x%03" PRIx32 ", offset 0x%03" PRIx32 "\n",
                    step++, w->va, w->vpn, w->offset);
            fprintf(o, "%d. PTE at GPA 0x%" PRIx32 " + 4*0x%03" PRIx32 " = 0x%08" PRIx32 "\n",
                    step++, w->ptbr & VISA_PTE_FRAME, w->vpn, w->pte_gpa);
            /* the PTE read needs EPT R; a successful stage 1 then sets A
             * (and D on a write), writing the PTE when a bit was clear,
             * and that write needs EPT W (the core leaves pte_new alone
             * when the write is what faults, so work it out here) */
            uint32_t want = w->pte | VISA_PTE_A |
                            (w->access == VISA_PFQ_WRITE ? VISA_PTE_D : 0);
            bool upd = w->pte_read && want != w->pte &&
                       (w->fail == VISA_WALK_OK || w->fail == VISA_WALK_PTE_EPT ||
                        w->fail == VISA_WALK_GPA_EPT);
            fprintf(o, "%d. ", step++);
            bool ok = ept_step(o, g, w->pte_gpa, "PTE read", VISA_EPT_R);
            if (ok)
                fprintf(o, " -> PTE at HPA 0x%08" PRIx32, w->pte_hpa);
            fprintf(o, "\n");
            if (ok && w->pte_read) {
                uint32_t p = w->pte;
                fprintf(o, "%d. PTE = 0x%08" PRIx32 ": P=%d W=%d X=%d A=%d D=%d; %s needs P%s",
                        step++, p, !!(p & VISA_PTE_P), !!(p & VISA_PTE_W),
                        !!(p & VISA_PTE_X), !!(p & VISA_PTE_A), !!(p & VISA_PTE_D),
                        acc, w->access == VISA_PFQ_WRITE ? " W" :
                             w->access == VISA_PFQ_FETCH ? " X" : "");
                if (w->fail == VISA_WALK_NOT_PRESENT)
                    fprintf(o, ": P=0 fails\n");
                else if (w->fail == VISA_WALK_NOT_WRITABLE)
                    fprintf(o, ": W=0 fails\n");
                else if (w->fail == VISA_WALK_NOT_EXEC)
                    fprintf(o, ": X=0 fails\n");
                else
                    fprintf(o, ": ok -> frame GPA 0x%08" PRIx32 "\n", p & VISA_PTE_FRAME);
                if (upd) {
                    uint32_t set = want & ~w->pte;
                    fprintf(o, "   the walk writes PTE = 0x%08" PRIx32 " (sets %s); ", want,
                            set == (VISA_PTE_A | VISA_PTE_D) ? "A and D" :
                            set == VISA_PTE_A ? "A" : "D");
                    ept_step(o, g, w->pte_gpa, "PTE write", VISA_EPT_W);
                    fprintf(o, "\n");
                }
            }
            if (w->fail == VISA_WALK_OK || w->fail == VISA_WALK_GPA_EPT) {
                fprintf(o, "%d. GPA 0x%08" PRIx32 " + 0x%03" PRIx32 " = 0x%08" PRIx32 "; ",
                        step++, w->pte & VISA_PTE_FRAME, w->offset, w->gpa);
                if (ept_step(o, g, w->gpa, acc, need))
                    fprintf(o, " -> HPA 0x%08" PRIx32, w->hpa);
                fprintf(o, "\n");
            }
        }
    }
    if (w->fail != VISA_WALK_OK) {
        fprintf(o, "fault: %s -> %s, qualification %s, VA 0x%08" PRIx32, fail_text(w->fail),
                cause_name(VISA_EXIT_PAGE_FAULT),
                mon_fmt_qual(VISA_EXIT_PAGE_FAULT, w->qual, q, sizeof q), w->fault_va);
        if (w->qual & VISA_PFQ_STAGE2)
            fprintf(o, ", GPA 0x%08" PRIx32, w->fault_gpa);
        fprintf(o, "\n");
    }
    fprintf(o, "memory references: %u", w->memrefs);
    if (!w->paging || w->fail == VISA_WALK_BEYOND)
        fprintf(o, " (no page-table walk)");
    else if (!w->pte_read)
        fprintf(o, " (stage 2 refuses the PTE read)");
    else if (w->memrefs == 2)
        fprintf(o, " (PTE read, PTE write)");
    else if (w->pte_read)
        fprintf(o, " (PTE read)");
    fprintf(o, "\n");
    tlb_step(o, g, w);
}

int mon_cmd_translate(struct mon *m, int argc, char **argv, const char *rest)
{
    unsigned access = VISA_PFQ_READ;
    bool has_access = false;
    int id;

    /* an access word can only be the last argument, after a VA */
    if (argc >= 3 && parse_access(argv[argc - 1], &access) == 0) {
        has_access = true;
        argc--;
    }
    if (argc < 2) {
        mon_error(m, "translate needs a VA (usage: translate [GUEST] VA [r|w|x])");
        return -1;
    }
    if (mon_guest_arg(m, &argc, &argv, &rest, 1, &id) < 0)
        return -1;
    /* the VA is the remaining text less the access word */
    char *va_text = strdup(rest);
    if (!va_text) {
        mon_error(m, "out of memory");
        return -1;
    }
    if (has_access) {
        char *end = va_text + strlen(va_text);
        while (end > va_text && isspace((unsigned char)end[-1]))
            end--;
        end -= strlen(argv[argc]);
        *end = '\0';
    }
    uint32_t va;
    int rc = mon_eval(m, va_text, id, &va);
    free(va_text);
    if (rc < 0)
        return -1;

    struct visa_walk w;
    rc = visa_hv_translate(m->hv, id, va, access, &w);
    if (rc < 0) {
        mon_error(m, "cannot translate for guest %d: %s", id, visa_strerror(rc));
        return -1;
    }
    struct ostr o;
    if (ostr_open(m, &o) < 0)
        return -1;
    print_walk(o.f, G(m, id), id, &w);
    return ostr_close(m, &o, 0);
}

/* ---- x, xp, disas -------------------------------------------------- */

/* Symbols name guest-virtual addresses inside the image: a guest-physical
 * one (PHYS) gets none, nor does one past the image's end (where
 * "<start+0x5000>" would only mislead). */
static const char *xsym(const struct mon *m, int id, bool phys, uint32_t addr,
                        char *buf, size_t size)
{
    const struct visa_image *img = m->g[id].img;
    if (phys || !img || addr >= img->size) {
        buf[0] = '\0';
        return buf;
    }
    return mon_symbolize(m, id, addr, buf, size);
}

/* "=> 0x00000010 <loop+0x8>:  0e 02 02 01  addi r2, r2, 1", the symbol
 * cell padded to SYMW so that columns line up. */
static void insn_line(FILE *o, const struct mon *m, int id, bool phys,
                      uint32_t addr, uint32_t word, int symw, bool at_pc)
{
    char sym[128], text[128], cell[140];
    xsym(m, id, phys, addr, sym, sizeof sym);
    visa_disas_insn(word, addr, mon_syms(m, id), text, sizeof text);
    snprintf(cell, sizeof cell, "%s%s:", sym[0] ? " " : "", sym);
    fprintf(o, "%s%s%s0x%08" PRIx32 "%-*s  %02x %02x %02x %02x  %s\n",
            at_pc ? mon_sgr(m, MON_SGR_PC) : "", at_pc ? "=> " : "   ",
            at_pc ? mon_sgr(m, MON_SGR_OFF) : "", addr, symw + 1, cell,
            (unsigned)(word >> 24), (unsigned)(word >> 16) & 0xFFu,
            (unsigned)(word >> 8) & 0xFFu, (unsigned)word & 0xFFu, text);
}

/* Width of the widest " <sym+off>" for addresses ADDR, ADDR+STEP, ... */
static int sym_width(const struct mon *m, int id, bool phys, uint32_t addr,
                     unsigned n, unsigned step)
{
    int w = 0;
    for (unsigned i = 0; i < n; i++) {
        char sym[128];
        xsym(m, id, phys, addr + i * step, sym, sizeof sym);
        int len = sym[0] ? (int)strlen(sym) + 1 : 0;
        if (len > w)
            w = len;
    }
    return w;
}

static int read_mem(const struct mon *m, int id, bool phys, uint32_t addr,
                    void *buf, size_t n)
{
    return phys ? visa_hv_read_phys(m->hv, id, addr, buf, n)
                : visa_hv_read_virt(m->hv, id, addr, buf, n);
}

/* Report the first byte of [ADDR, ADDR+N) that cannot be read. */
static int read_error(struct mon *m, int id, bool phys, uint32_t addr, size_t n)
{
    uint32_t bad = addr;
    for (size_t i = 0; i < n; i++) {
        uint8_t b;
        if (read_mem(m, id, phys, addr + (uint32_t)i, &b, 1) != 0) {
            bad = addr + (uint32_t)i;
            break;
        }
    }
    mon_error(m, "cannot read %s 0x%08" PRIx32 " of guest %d: %s",
              phys ? "GPA" : "VA", bad, id, visa_strerror(VISA_EUNMAPPED));
    return -1;
}

/* Read N bytes or report the address that failed. */
static int read_all(struct mon *m, int id, bool phys, uint32_t addr,
                    void *buf, size_t n)
{
    if (read_mem(m, id, phys, addr, buf, n) == 0)
        return 0;
    return read_error(m, id, phys, addr, n);
}

#define X_MAX_BYTES 0x10000u     /* one examine shows at most 64 KiB */

struct xfmt {
    unsigned count;
    char fmt;                    /* x d u c s i */
    char size;                   /* b h w */
};

/* Parse "4xw" (after the slash) into F, starting from the remembered
 * defaults.  CMD is the whole word for messages. */
static int parse_xfmt(struct mon *m, const char *s, const char *cmd, struct xfmt *f)
{
    f->count = 1;
    f->fmt = m->x_fmt ? m->x_fmt : 'x';
    f->size = m->x_size ? m->x_size : 'w';
    if (!s)
        return 0;
    if (isdigit((unsigned char)*s)) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(s, &end, 10);
        if (errno || n == 0 || n > X_MAX_BYTES) {
            mon_error(m, "bad count in %s (1-%u)", cmd, X_MAX_BYTES);
            return -1;
        }
        f->count = (unsigned)n;
        s = end;
    }
    bool size_given = false;
    for (; *s; s++) {
        if (strchr("xducsi", *s))
            f->fmt = *s;
        else if (strchr("bhw", *s)) {
            f->size = *s;
            size_given = true;
        } else {
            mon_error(m, "bad format letter '%c' in %s (formats x d u c s i, units b h w)",
                      *s, cmd);
            return -1;
        }
    }
    if ((f->fmt == 's' || f->fmt == 'c') && size_given && f->size != 'b') {
        mon_error(m, "%s: format '%c' reads bytes (unit b)", cmd, f->fmt);
        return -1;
    }
    if (f->fmt == 'i' && size_given && f->size != 'w') {
        mon_error(m, "%s: format 'i' reads words (unit w)", cmd);
        return -1;
    }
    return 0;
}

static unsigned unit_bytes(char size)
{
    return size == 'b' ? 1 : size == 'h' ? 2 : 4;
}

/* One C-escaped character into O. */
static void put_char_escaped(FILE *o, unsigned c, char quote)
{
    switch (c) {
    case '\n': fputs("\\n", o); return;
    case '\t': fputs("\\t", o); return;
    case '\r': fputs("\\r", o); return;
    case '\0': fputs("\\0", o); return;
    case '\\': fputs("\\\\", o); return;
    default: break;
    }
    if (c == (unsigned)quote)
        fprintf(o, "\\%c", quote);
    else if (c >= 0x20 && c < 0x7F)
        fputc((int)c, o);
    else
        fprintf(o, "\\x%02x", c);
}

/* Strings: one per line, read byte by byte up to the NUL (at most 1024). */
static int x_strings(struct mon *m, FILE *o, int id, bool phys, uint32_t *addr,
                     unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        uint32_t a = *addr;
        char sym[128];
        xsym(m, id, phys, a, sym, sizeof sym);
        fprintf(o, "0x%08" PRIx32 "%s%s:  \"", a, sym[0] ? " " : "", sym);
        for (unsigned k = 0;; k++) {
            uint8_t b;
            if (read_mem(m, id, phys, a, &b, 1) != 0)
                return read_error(m, id, phys, a, 1);
            a++;
            if (b == 0)
                break;
            if (k == 1024) {
                fputs("\"...", o);
                goto next;
            }
            put_char_escaped(o, b, '"');
        }
        fputc('"', o);
    next:
        fputc('\n', o);
        *addr = a;
    }
    return 0;
}

/* Everything but strings: read the whole range first (all or nothing). */
static int x_units(struct mon *m, FILE *o, int id, bool phys, uint32_t addr,
                   const struct xfmt *f)
{
    unsigned ub = unit_bytes(f->size);
    size_t n = (size_t)f->count * ub;
    if (n > X_MAX_BYTES) {
        mon_error(m, "at most %u bytes at a time", X_MAX_BYTES);
        return -1;
    }
    uint8_t *buf = malloc(n);
    if (!buf) {
        mon_error(m, "out of memory");
        return -1;
    }
    if (read_all(m, id, phys, addr, buf, n) < 0) {
        free(buf);
        return -1;
    }
    if (f->fmt == 'i') {
        const struct visa_guest *g = G(m, id);
        int symw = sym_width(m, id, phys, addr, f->count, 4);
        for (unsigned i = 0; i < f->count; i++)
            insn_line(o, m, id, phys, addr + 4 * i, visa_load_be32(buf + 4 * i), symw,
                      !phys && g->pc == addr + 4 * i);
        free(buf);
        return 0;
    }
    unsigned per_line = f->size == 'w' ? 4 : 8;
    int symw = 0;
    for (unsigned i = 0; i < f->count; i += per_line) {
        int w = sym_width(m, id, phys, addr + i * ub, 1, 0);
        if (w > symw)
            symw = w;
    }
    for (unsigned i = 0; i < f->count; i++) {
        uint32_t a = addr + i * ub;
        const uint8_t *p = buf + (size_t)i * ub;
        uint32_t v = ub == 1 ? p[0] : ub == 2 ? (uint32_t)(p[0] << 8 | p[1])
                                              : visa_load_be32(p);
        if (i % per_line == 0) {
            char sym[128], cell[140];
            xsym(m, id, phys, a, sym, sizeof sym);
            snprintf(cell, sizeof cell, "%s%s:", sym[0] ? " " : "", sym);
            fprintf(o, "%s0x%08" PRIx32 "%-*s", i ? "\n" : "", a, symw + 1, cell);
        }
        switch (f->fmt) {
        case 'x':
            fprintf(o, "  0x%0*" PRIx32, (int)ub * 2, v);
            break;
        case 'u':
            fprintf(o, "  %*" PRIu32, ub == 1 ? 3 : ub == 2 ? 5 : 10, v);
            break;
        case 'd': {
            int32_t s = ub == 1 ? (int32_t)(int8_t)v : ub == 2 ? (int32_t)(int16_t)v
                                                               : (int32_t)v;
            fprintf(o, "  %*" PRId32, ub == 1 ? 4 : ub == 2 ? 6 : 11, s);
            break;
        }
        case 'c':
            fprintf(o, "  %3" PRIu32 " '", v);
            put_char_escaped(o, v, '\'');
            fputc('\'', o);
            break;
        default:
            break;
        }
    }
    fputc('\n', o);
    free(buf);
    return 0;
}

/* x and xp: FORMAT from "x/4xw" (or a separate "/4xw" word). */
static int examine(struct mon *m, int argc, char **argv, const char *rest, bool phys)
{
    const char *cmd = argv[0];
    const char *slash = strchr(cmd, '/');
    if (!slash && argc > 1 && argv[1][0] == '/') {
        slash = argv[1];
        rest = mon_skip_words(rest, 1);
        argc--;
    }
    struct xfmt f;
    if (parse_xfmt(m, slash ? slash + 1 : NULL, cmd, &f) < 0)
        return -1;
    int id = mon_focus(m);
    if (id < 0)
        return -1;
    uint32_t addr;
    if (*rest == '\0') {
        /* x with no address goes on after the last one (gdb) */
        if (!m->x_next_valid) {
            mon_error(m, "%s needs an address (usage: %s/NFU ADDR)", phys ? "xp" : "x",
                      phys ? "xp" : "x");
            return -1;
        }
        addr = m->x_next;
        if (!slash)
            f.count = m->x_count ? m->x_count : 1;
    } else if (mon_eval(m, rest, id, &addr) < 0) {
        return -1;
    }
    if (f.fmt == 's' || f.fmt == 'c')
        f.size = 'b';
    if (f.fmt == 'i')
        f.size = 'w';

    struct ostr o;
    if (ostr_open(m, &o) < 0)
        return -1;
    uint32_t next = addr;
    int rc;
    if (f.fmt == 's') {
        rc = x_strings(m, o.f, id, phys, &next, f.count);
    } else {
        rc = x_units(m, o.f, id, phys, addr, &f);
        next = addr + f.count * unit_bytes(f.size);
    }
    if (ostr_close(m, &o, rc) < 0)
        return -1;
    /* remember for the next x (only after success: errors change nothing) */
    m->x_fmt = f.fmt;
    if (f.fmt != 's' && f.fmt != 'c' && f.fmt != 'i')
        m->x_size = f.size;
    m->x_count = f.count;
    m->x_next = next;
    m->x_next_valid = true;
    return 0;
}

int mon_cmd_x(struct mon *m, int argc, char **argv, const char *rest)
{
    return examine(m, argc, argv, rest, false);
}

int mon_cmd_xp(struct mon *m, int argc, char **argv, const char *rest)
{
    return examine(m, argc, argv, rest, true);
}

#define DISAS_DEFAULT 8u
#define DISAS_MAX 4096u

int mon_cmd_disas(struct mon *m, int argc, char **argv, const char *rest)
{
    int id = mon_focus(m);
    if (id < 0)
        return -1;
    const struct visa_guest *g = G(m, id);
    uint32_t addr, n = DISAS_DEFAULT;
    uint8_t buf[4];

    if (argc == 1) {
        /* around pc: up to 4 instructions before it (those that can be
         * read) and 4 after */
        uint32_t before = g->pc >= 16 ? 4 : g->pc / 4;
        addr = g->pc - 4 * before;
        while (addr != g->pc && read_mem(m, id, false, addr, buf, 4) != 0)
            addr += 4;
        n = (g->pc - addr) / 4 + 5;
        while (n > (g->pc - addr) / 4 + 1 &&
               read_mem(m, id, false, addr + 4 * (n - 1), buf, 4) != 0)
            n--;
    } else {
        const char *nexpr = NULL;
        char *aexpr = argc == 2 ? strdup(rest) : strdup(argv[1]);
        if (!aexpr) {
            mon_error(m, "out of memory");
            return -1;
        }
        if (argc > 2)
            nexpr = mon_skip_words(rest, 1);
        int rc = mon_eval(m, aexpr, id, &addr);
        free(aexpr);
        if (rc < 0 || (nexpr && mon_eval(m, nexpr, id, &n) < 0))
            return -1;
        if (n == 0 || n > DISAS_MAX) {
            mon_error(m, "bad count %" PRIu32 " (1-%u)", n, DISAS_MAX);
            return -1;
        }
    }
    size_t bytes = (size_t)n * 4;
    uint8_t *mem = malloc(bytes);
    if (!mem) {
        mon_error(m, "out of memory");
        return -1;
    }
    if (read_all(m, id, false, addr, mem, bytes) < 0) {
        free(mem);
        return -1;
    }
    struct ostr o;
    if (ostr_open(m, &o) < 0) {
        free(mem);
        return -1;
    }
    int symw = sym_width(m, id, false, addr, n, 4);
    for (uint32_t i = 0; i < n; i++)
        insn_line(o.f, m, id, false, addr + 4 * i, visa_load_be32(mem + 4 * i), symw,
                  addr + 4 * i == g->pc);
    free(mem);
    return ostr_close(m, &o, 0);
}

/* ---- print ---------------------------------------------------------- */

int mon_cmd_print(struct mon *m, int argc, char **argv, const char *rest)
{
    uint32_t v;
    (void)argv;
    if (argc < 2) {
        mon_error(m, "print needs an expression (usage: print EXPR)");
        return -1;
    }
    if (mon_eval(m, rest, 0, &v) < 0)
        return -1;
    if (v & 0x80000000u)
        mon_printf(m, "0x%08" PRIx32 " (%" PRIu32 ", %" PRId32 ")\n", v, v, (int32_t)v);
    else
        mon_printf(m, "0x%08" PRIx32 " (%" PRIu32 ")\n", v, v);
    return 0;
}

/* ---- info ----------------------------------------------------------- */

static int info_guests(struct mon *m)
{
    int n = m->hv->nguests;
    if (n == 0) {
        mon_printf(m, "no guests loaded\n");
        return 0;
    }
    int symw = 0;
    for (int id = 1; id <= n; id++) {
        char buf[160];
        int len = (int)strlen(addr_sym(m, id, G(m, id)->pc, buf, sizeof buf));
        if (len > symw)
            symw = len;
    }
    mon_printf(m, "  id  %-7s  %-*s  %-4s  %-12s  %-5s  %s\n", "state", symw, "pc",
               "exit", "instructions", "slice", "image");
    for (int id = 1; id <= n; id++) {
        const struct visa_guest *g = G(m, id);
        char pc[160], code[16], slice[16];
        if (g->state == VISA_STATE_STOPPED)
            snprintf(code, sizeof code, "%" PRIu32, g->exit_code);
        else
            snprintf(code, sizeof code, "-");
        snprintf(slice, sizeof slice, "%" PRIu32,
                 g->vmcs.slice ? g->vmcs.slice : m->hv->slice);
        mon_printf(m, "%c %-2d  %-7s  %-*s  %-4s  %-12" PRIu64 "  %-5s  %s\n",
                   id == m->focus ? '*' : ' ', id, state_name(g), symw,
                   addr_sym(m, id, g->pc, pc, sizeof pc), code, g->icount, slice,
                   m->g[id].img && m->g[id].img->path ? m->g[id].img->path : "-");
    }
    return 0;
}

static int info_symbols(struct mon *m, int argc, char **argv)
{
    int id;
    if (mon_guest_arg(m, &argc, &argv, NULL, 0, &id) < 0)
        return -1;
    const struct visa_symtab *st = mon_syms(m, id);
    if (st->n == 0) {
        mon_printf(m, "guest %d has no symbols\n", id);
        return 0;
    }
    mon_printf(m, "symbols of guest %d:\n", id);
    for (size_t i = 0; i < st->n; i++)
        mon_printf(m, "  0x%08" PRIx32 "  %s\n", st->v[i].addr, st->v[i].name);
    return 0;
}

int mon_cmd_info(struct mon *m, int argc, char **argv, const char *rest)
{
    static const char topics[] = "guests breakpoints symbols registers exits";
    if (argc < 2) {
        mon_error(m, "info what? (%s)", topics);
        return -1;
    }
    int t = mon_subword(m, "info topic", argv[1], topics);
    const char *sub = mon_skip_words(rest, 1);
    switch (t) {
    case 0:
        if (mon_max_args(m, argc - 2, 0, "info guests") < 0)
            return -1;
        return info_guests(m);
    case 1:
        if (mon_max_args(m, argc - 2, 0, "info breakpoints") < 0)
            return -1;
        return mon_info_breakpoints(m);
    case 2:
        if (mon_max_args(m, argc - 2, 1, "info symbols [GUEST]") < 0)
            return -1;
        return info_symbols(m, argc - 1, argv + 1);
    case 3:
        return mon_cmd_regs(m, argc - 1, argv + 1, sub);
    case 4:
        return mon_cmd_stats(m, argc - 1, argv + 1, sub);
    default:
        return -1;
    }
}

/* ---- stats ---------------------------------------------------------- */

/* A counter since the last `stats reset` (a guest reset may have zeroed
 * the counter since: then all of it counts). */
static uint64_t since(uint64_t now, uint64_t base)
{
    return now >= base ? now - base : now;
}

struct gstats {
    uint64_t insns, exits[VISA_EXIT_COUNT], total, hits, misses;
};

static void gather(const struct mon *m, int id, struct gstats *s)
{
    const struct visa_guest *g = visa_hv_guest(m->hv, id);
    s->insns = since(g->icount, m->stats_base_icount[id]);
    s->total = 0;
    for (unsigned c = 1; c < VISA_EXIT_COUNT; c++) {
        s->exits[c] = since(g->vmcs.exit_count[c], m->stats_base_exits[id][c]);
        s->total += s->exits[c];
    }
    s->hits = since(g->tlb_hits, m->stats_base_tlb[id][0]);
    s->misses = since(g->tlb_misses, m->stats_base_tlb[id][1]);
}

#define STATS_COLW 10

static void stats_row_u64(struct mon *m, const char *label, const struct gstats *s,
                          int n, size_t off)
{
    mon_printf(m, "%-18s", label);
    for (int i = 0; i <= n; i++)
        mon_printf(m, "  %*" PRIu64, STATS_COLW,
                   *(const uint64_t *)((const char *)&s[i] + off));
    mon_printf(m, "\n");
}

int mon_cmd_stats(struct mon *m, int argc, char **argv, const char *rest)
{
    int n = m->hv->nguests;
    (void)rest;
    if (mon_max_args(m, argc - 1, 1, "stats [reset]") < 0)
        return -1;
    if (argc == 2) {
        if (mon_subword(m, "stats argument", argv[1], "reset") < 0)
            return -1;
        /* remember the counters: the machine itself is not touched */
        for (int id = 1; id <= n; id++) {
            const struct visa_guest *g = G(m, id);
            m->stats_base_icount[id] = g->icount;
            memcpy(m->stats_base_exits[id], g->vmcs.exit_count,
                   sizeof m->stats_base_exits[id]);
            m->stats_base_tlb[id][0] = g->tlb_hits;
            m->stats_base_tlb[id][1] = g->tlb_misses;
        }
        mon_printf(m, "Statistics reset.\n");
        return 0;
    }
    if (n == 0) {
        mon_printf(m, "no guests loaded\n");
        return 0;
    }
    /* column 0..n-1: guests, n: total */
    struct gstats s[VISA_MAX_GUESTS + 1];
    memset(s, 0, sizeof s);
    for (int id = 1; id <= n; id++) {
        gather(m, id, &s[id - 1]);
        s[n].insns += s[id - 1].insns;
        s[n].total += s[id - 1].total;
        s[n].hits += s[id - 1].hits;
        s[n].misses += s[id - 1].misses;
        for (unsigned c = 1; c < VISA_EXIT_COUNT; c++)
            s[n].exits[c] += s[id - 1].exits[c];
    }
    mon_printf(m, "%-18s", "");
    for (int id = 1; id <= n; id++) {
        char h[8];
        snprintf(h, sizeof h, "g%d", id);
        mon_printf(m, "  %*s", STATS_COLW, h);
    }
    mon_printf(m, "  %*s\n", STATS_COLW, "total");
    stats_row_u64(m, "instructions", s, n, offsetof(struct gstats, insns));
    stats_row_u64(m, "exits", s, n, offsetof(struct gstats, total));
    for (unsigned c = 1; c < VISA_EXIT_COUNT; c++) {
        char label[32];
        snprintf(label, sizeof label, "  %s", cause_name(c));
        stats_row_u64(m, label, s, n,
                      offsetof(struct gstats, exits) + c * sizeof(uint64_t));
    }
    mon_printf(m, "%-18s", "exits/1000 insns");
    for (int i = 0; i <= n; i++) {
        if (s[i].insns)
            mon_printf(m, "  %*.1f", STATS_COLW,
                       1000.0 * (double)s[i].total / (double)s[i].insns);
        else
            mon_printf(m, "  %*s", STATS_COLW, "-");
    }
    mon_printf(m, "\n");
    stats_row_u64(m, "TLB hits", s, n, offsetof(struct gstats, hits));
    stats_row_u64(m, "TLB misses", s, n, offsetof(struct gstats, misses));
    mon_printf(m, "%-18s", "TLB hit rate");
    for (int i = 0; i <= n; i++) {
        uint64_t looks = s[i].hits + s[i].misses;
        if (looks)
            mon_printf(m, "  %*.1f%%", STATS_COLW - 1, percent(s[i].hits, looks));
        else
            mon_printf(m, "  %*s", STATS_COLW, "-");
    }
    mon_printf(m, "\n");
    return 0;
}

/* ---- timeline ------------------------------------------------------- */

#define TIMELINE_DEFAULT 20u
#define TIMELINE_BAR 40u

int mon_cmd_timeline(struct mon *m, int argc, char **argv, const char *rest)
{
    uint32_t want = TIMELINE_DEFAULT;
    (void)argv;
    if (argc > 1) {
        if (mon_eval(m, rest, 0, &want) < 0)
            return -1;
        if (want == 0) {
            mon_error(m, "timeline N needs N >= 1");
            return -1;
        }
    }
    const struct visa_hv *hv = m->hv;
    uint64_t count = hv->timeline_count;
    uint64_t kept = count < VISA_TIMELINE_SIZE ? count : VISA_TIMELINE_SIZE;
    if (kept == 0) {
        mon_printf(m, "no slices recorded yet\n");
        return 0;
    }
    if (want > kept)
        want = (uint32_t)kept;
    mon_printf(m, "  %-6s  %-8s  %-5s  %-6s  %s\n", "slice", "start", "guest",
               "insns", "left by");
    for (uint64_t i = count - want; i < count; i++) {
        const struct visa_slice_rec *r = &hv->timeline[i % VISA_TIMELINE_SIZE];
        char guest[8], bar[TIMELINE_BAR + 2];
        unsigned len = r->insns < TIMELINE_BAR ? (unsigned)r->insns : TIMELINE_BAR;
        memset(bar, '#', len);
        bar[len] = r->insns > TIMELINE_BAR ? '+' : '\0';
        bar[len + 1] = '\0';
        snprintf(guest, sizeof guest, "g%u", (unsigned)r->guest);
        mon_printf(m, "  %-6" PRIu64 "  %-8" PRIu64 "  %-5s  %-6" PRIu32 "  %-10s  %s\n",
                   i + 1, r->start, guest, r->insns,
                   r->why == VISA_EXIT_NONE ? "yield/end" : cause_name(r->why), bar);
    }
    return 0;
}
