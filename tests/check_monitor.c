/* check_monitor.c - the monitor, driven as a library: parsing, dispatch,
 * expressions, breakpoints, stepping, command files.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test builds a fresh machine from small assembly sources (assembled
 * in-process), runs monitor command lines and checks their output (stdout
 * and stderr captured together, in order) and the machine.
 */
#include <config.h>

#include <check.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "visa/asm.h"
#include "visa/hv.h"
#include "visa/loader.h"
#include "../src/common/console.h"
#include "../src/monitor/monitor.h"

/* ---- Guests ------------------------------------------------------------ */

/* Counts in r2 forever and stores the count at `counter`. */
static const char LOOP[] =
    "start:  movi r1, 0\n"
    "        la   r3, counter\n"
    "loop:   addi r2, r2, 1\n"
    "        stw  r2, 0(r3)\n"
    "        jmp  loop\n"
    "counter: .word 0\n";

/* A subroutine called twice, then exit with code r1 (12). */
static const char CALLS[] =
    "start:  movi r1, 3\n"
    "        call double\n"
    "        call double\n"
    "        movi r0, 4\n"
    "        hypercall\n"
    "double: add  r1, r1, r1\n"
    "        nop\n"
    "        ret\n";

/* Paging on, then writes to 0x5000 and 0x3FF000, both unmapped. */
static const char PF[] =
    "        li   r1, 0x2000\n"
    "        movi r2, 7\n"
    "        stw  r2, 0(r1)\n"
    "        li   r1, 0x2001\n"
    "        ldpgtr r1\n"
    "        li   r3, 0x5000\n"
    "low:    stw  r2, 0(r3)\n"
    "        li   r3, 0x3FF000\n"
    "high:   stw  r2, 0(r3)\n"
    "        halt\n";

/* ---- The fixture --------------------------------------------------------- */

static struct visa_hv *hv;
static struct console con;
static struct mon mon, *m = &mon;
static volatile sig_atomic_t intr;
static char *obuf;
static size_t olen, opos;
static FILE *ostream;
static char tmpdir[64];

static struct visa_image *assemble(const char *name, const char *src)
{
    struct visa_asm_result res;
    memset(&res, 0, sizeof res);
    int errs = visa_asm(name, src, strlen(src), &res, NULL, NULL);
    ck_assert_msg(errs == 0, "%s does not assemble", name);
    struct visa_image *img = calloc(1, sizeof *img);
    ck_assert_ptr_nonnull(img);
    img->path = strdup(name);
    memcpy(img->bytes, res.image, res.size);
    img->size = res.size;
    img->syms = res.syms;                 /* moved */
    visa_symtab_init(&res.syms);
    visa_asm_result_free(&res);
    return img;
}

/* Boot a machine with the guests SRCS (NULL-terminated). */
static void boot(const char *const *srcs)
{
    struct visa_image *imgs[VISA_MAX_GUESTS];
    int n = 0;
    ck_assert_int_eq(visa_hv_new(&hv, VISA_DEFAULT_HOST_MEM), 0);
    for (; srcs[n]; n++) {
        char name[32];
        snprintf(name, sizeof name, "g%d.s", n + 1);
        imgs[n] = assemble(name, srcs[n]);
        ck_assert_int_eq(visa_hv_add_guest(hv, imgs[n]->bytes, imgs[n]->size), n + 1);
    }
    ostream = open_memstream(&obuf, &olen);
    ck_assert_ptr_nonnull(ostream);
    opos = 0;
    console_init(&con, ostream);
    intr = 0;
    ck_assert_int_eq(mon_init(m, hv, &con, imgs, n, &intr), 0);
    m->out = ostream;
    m->err = ostream;
}

static void boot1(const char *src)
{
    const char *s[] = { src, NULL };
    boot(s);
}

static void teardown(void)
{
    if (!hv)
        return;
    mon_free(m);
    console_free(&con);
    fclose(ostream);
    free(obuf);
    obuf = NULL;
    visa_hv_free(hv);
    hv = NULL;
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", tmpdir);
        tmpdir[0] = '\0';
    }
}

/* Output since the last call (valid until the next). */
static char last[1 << 16];
static const char *out(void)
{
    fflush(ostream);
    size_t n = olen - opos;
    if (n >= sizeof last)
        n = sizeof last - 1;
    memcpy(last, obuf + opos, n);
    last[n] = '\0';
    opos = olen;
    return last;
}

/* Run LINE; return its output; check its result is RC. */
static const char *run(const char *line, int rc)
{
    int r = mon_exec_line(m, line);
    const char *o = out();
    ck_assert_msg(r == rc, "'%s' returned %d, not %d; output:\n%s", line, r, rc, o);
    return o;
}

#define ck_has(hay, needle) \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "expected '%s' in:\n%s", (needle), (hay))
#define ck_hasnt(hay, needle) \
    ck_assert_msg(strstr((hay), (needle)) == NULL, "did not expect '%s' in:\n%s", (needle), (hay))

static uint32_t eval(const char *e)
{
    uint32_t v = 0;
    int rc = mon_eval(m, e, 0, &v);
    const char *o = out();
    ck_assert_msg(rc == 0, "'%s' does not evaluate: %s", e, o);
    return v;
}

static struct visa_guest *guest(int id) { return visa_hv_guest(hv, id); }

/* Write a command file in a fresh temporary directory; return its path. */
static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/check_monitor.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- Dispatch ------------------------------------------------------------ */

START_TEST(test_prefix_alias)
{
    boot1(CALLS);
    ck_has(run("hel", 0), "Commands");          /* unique prefix */
    ck_has(run("h step", 0), "step [N]");        /* alias, and a prefix */
    ck_has(run("help ste", 0), "step [N]");
    ck_has(run("help xlate", 0), "translate");
    run("s", 0);
    ck_assert_uint_eq(guest(1)->pc, 4);
    run("n", 0);                                 /* over the call */
    ck_assert_uint_eq(guest(1)->pc, 8);
    ck_assert_uint_eq(guest(1)->r[1], 6);
    ck_has(run("p r1", 0), "0x00000006 (6)");
    ck_has(run("i breakpoints", 0), "No breakpoints");
}
END_TEST

START_TEST(test_ambiguous_unknown)
{
    boot1(CALLS);
    ck_has(run("st", -1), "ambiguous command 'st': step, stats");
    ck_has(run("di", -1), "disas, disable");
    ck_has(run("stpe", -1), "did you mean 'step'?");
    ck_has(run("brek", -1), "did you mean 'break'?");
    ck_has(run("frobnicate", -1), "unknown command 'frobnicate'");
    ck_has(run("step/x", -1), "takes no /FORMAT");
    ck_has(run("echo \"abc", -1), "unterminated string");
    /* comments and blank lines are nothing */
    run("   # a comment", 0);
    run("", 0);
    ck_assert_uint_eq(guest(1)->pc, 0);
}
END_TEST

START_TEST(test_hostile_input)
{
    boot1(LOOP);
    size_t n = 1 << 20;
    char *big = malloc(n + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', n);
    big[n] = '\0';
    ck_has(run(big, -1), "line too long");
    /* deep nesting is refused, not a stack overflow */
    size_t depth = 20000;
    memcpy(big, "print ", 6);
    memset(big + 6, '(', depth);
    strcpy(big + 6 + depth, "1");
    ck_has(run(big, -1), "nested too deeply");
    memset(big + 6, '-', depth);
    strcpy(big + 6 + depth, "1");
    ck_has(run(big, -1), "nested too deeply");
    free(big);
    ck_has(run("print 99999999999999999999", -1), "number too large");
    ck_has(run("print 0x1_0000_0000", -1), "unexpected");
    ck_has(run("print ((1)", -1), "missing ')'");
    ck_has(run("print (1))", -1), "unbalanced ')'");
    ck_has(run("print 'ab'", -1), "one character");
    ck_has(run("print 'a", -1), "unterminated");
    ck_has(run("break (", -1), "expected a value");
    ck_assert_uint_eq(guest(1)->pc, 0);
}
END_TEST

/* ---- Expressions --------------------------------------------------------- */

static const struct { const char *e; uint32_t v; } exprs[] = {
    { "1 + 2 * 3", 7 },
    { "(1 + 2) * 3", 9 },
    { "10 - 2 - 3", 5 },
    { "100 / 10 / 5", 2 },
    { "17 % 5", 2 },
    { "1 << 4 + 1", 32 },
    { "1 << 32", 0 },
    { "0xFF & 0x0F | 0x30", 0x3F },
    { "0xF0 ^ 0xFF", 0x0F },
    { "1 | 2 ^ 3 & 4", 3 },
    { "~0", 0xFFFFFFFF },
    { "-1", 0xFFFFFFFF },
    { "!5", 0 },
    { "!0", 1 },
    { "3 > 2 == 1", 1 },
    { "1 < 2 && 2 < 1", 0 },
    { "0 || 7", 1 },
    { "0 && 1 / 0", 0 },            /* not evaluated */
    { "1 || *0x3FFFFF", 1 },        /* not evaluated either */
    { "0b1010", 10 },
    { "010", 10 },
    { "'A'", 65 },
    { "'\\n'", 10 },
    { "0xFFFFFFFF + 1", 0 },
    { "2 - 3 < 0", 0 },             /* unsigned */
    { "r1", 3 },
    { "$r1 + R1", 6 },
    { "sp", 0x4000 },
    { "r31 == sp", 1 },
    { "pc", 4 },
    { "$pc", 4 },
    { "double", 0x14 },
    { "double + 4", 0x18 },
    { "*double", 0x01010101 },
    { "*(double + 8)", 0x0C000000 },
    { "*start >> 24", 0x0D },
    { "guest", 1 },
    { "state == RUNNING", 1 },
    { "BLOCKED", 2 },
    { "page_fault", 3 },
    { "pf == page_fault", 1 },
    { "halt", 8 },
    { "code", 0 },
    { "cause", 0 },
};

START_TEST(test_expr_table)
{
    boot1(CALLS);
    run("step", 0);                 /* r1 = 3, pc = 4 */
    uint32_t v = eval(exprs[_i].e);
    ck_assert_msg(v == exprs[_i].v, "%s = 0x%x, expected 0x%x", exprs[_i].e,
                  (unsigned)v, (unsigned)exprs[_i].v);
}
END_TEST

START_TEST(test_expr_errors)
{
    boot1(CALLS);
    ck_has(run("print 1 / 0", -1), "division by zero at column 3");
    ck_has(run("print 5 % (2 - 2)", -1), "division by zero");
    ck_has(run("print nosuch", -1), "no symbol 'nosuch' in guest 1");
    ck_has(run("print $nosuch", -1), "unknown variable '$nosuch'");
    ck_has(run("print 1 +", -1), "expected a value at the end");
    ck_has(run("print 1 @ 2", -1), "unexpected '@' at column 3");
    ck_has(run("print *0x5000", -1), "cannot read the word at 0x00005000");
    ck_has(run("print 0x", -1), "needs digits");
    ck_has(run("print 0b2", -1), "bad digit");
    ck_has(run("print r32", -1), "no symbol 'r32'");
    ck_has(run("print", -1), "print");
}
END_TEST

START_TEST(test_exit_fields)
{
    boot1(PF);
    run("continue", 0);
    ck_assert_int_eq(guest(1)->state, VISA_STATE_BLOCKED);
    ck_assert_uint_eq(eval("cause"), VISA_EXIT_PAGE_FAULT);
    ck_assert_uint_eq(eval("va"), 0x5000);
    ck_assert_uint_eq(eval("qual"), VISA_PFQ_WRITE);
    ck_assert_uint_eq(eval("state == BLOCKED && cause == pf"), 1);
    ck_assert_uint_eq(eval("$va"), 0x5000);
}
END_TEST

/* ---- Breakpoints ----------------------------------------------------------- */

START_TEST(test_break_symbol)
{
    boot1(LOOP);
    ck_has(run("break loop", 0), "Breakpoint 1 at loop (g1 0x00000008)");
    const char *o = run("continue", 0);
    ck_has(o, "Continuing.");
    ck_has(o, "Breakpoint 1, guest 1, pc 0x00000008 <loop>:  0e 02 02 01  addi r2, r2, 1");
    ck_assert_uint_eq(guest(1)->pc, 8);
    ck_assert_uint_eq(guest(1)->r[2], 0);
    /* resuming runs the instruction without stopping at once */
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->pc, 8);
    ck_assert_uint_eq(guest(1)->r[2], 1);
    /* continue N ignores the breakpoint N-1 more times */
    ck_has(run("continue 3", 0), "Will ignore next 2 crossings of breakpoint 1");
    ck_assert_uint_eq(guest(1)->r[2], 4);
    ck_has(run("info breakpoints", 0), "1    breakpoint  keep  y    all    5     loop");
    /* an empty line at the prompt repeats continue */
    m->priv->at_prompt = true;
    run("c", 0);
    run("", 0);
    m->priv->at_prompt = false;
    ck_assert_uint_eq(guest(1)->r[2], 6);
}
END_TEST

START_TEST(test_break_address_guest)
{
    const char *s[] = { LOOP, LOOP, NULL };
    boot(s);
    ck_has(run("break *0x10 guest 2", 0), "Breakpoint 1 at 0x00000010 <loop+0x8>, guest 2");
    ck_has(run("continue", 0), "Breakpoint 1, guest 2, pc 0x00000010");
    ck_assert_int_eq(m->focus, 2);
    ck_assert_uint_eq(guest(2)->pc, 0x10);
    ck_has(run("break 0x11", -1), "not a multiple of 4");
    ck_has(run("break nosuch", -1), "no symbol 'nosuch'");
    ck_has(run("break loop guest 3", -1), "no guest 3");
    ck_has(run("break loop if", -1), "'if' needs an expression");
    ck_has(run("break loop if (", -1), "expected a value");
    ck_has(run("break loop frob", -1), "unexpected 'frob'");
    ck_has(run("break exit", -1), "needs a cause");
    ck_has(run("info breakpoints", 0), "1    breakpoint");
    ck_hasnt(last, "\n2 ");
}
END_TEST

START_TEST(test_break_condition)
{
    boot1(LOOP);
    run("break loop if r2 == 5", 0);
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->r[2], 5);
    ck_has(run("condition 1 r2 == 7", 0), "");
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->r[2], 7);
    ck_has(run("condition 1", 0), "Breakpoint 1 now unconditional.");
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->r[2], 8);
    ck_has(run("condition 1 (", -1), "expected a value");
    ck_has(run("condition 9 1", -1), "no breakpoint number 9");
    ck_has(run("condition", -1), "usage: condition N [EXPR]");
    /* an error in a condition stops, and says so */
    run("condition 1 *0x9000", 0);
    ck_has(run("continue", 0), "Error in testing the condition of breakpoint 1");
}
END_TEST

START_TEST(test_break_ignore_tbreak)
{
    boot1(LOOP);
    run("break loop", 0);
    ck_has(run("ignore 1 3", 0), "Will ignore next 3 crossings of breakpoint 1.");
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->r[2], 3);
    ck_has(run("info breakpoints", 0), "4     loop");
    ck_has(run("ignore 1", -1), "usage: ignore N COUNT");
    ck_has(run("ignore x 1", -1), "not a breakpoint number");
    ck_has(run("ignore 2 1", -1), "no breakpoint number 2");
    run("delete 1", 0);
    ck_has(run("tbreak loop", 0), "Temporary breakpoint 2 at loop");
    ck_has(run("continue", 0), "Temporary breakpoint 2, guest 1, pc 0x00000008");
    ck_has(run("info breakpoints", 0), "No breakpoints or watchpoints.");
}
END_TEST

START_TEST(test_enable_disable_delete)
{
    boot1(LOOP);
    run("break loop", 0);
    run("break *0xc", 0);
    run("break *0x10", 0);
    run("disable 1-2", 0);
    ck_has(run("info breakpoints", 0), "1    breakpoint  keep  n");
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->pc, 0x10);
    run("disable", 0);
    run("enable 2", 0);
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->pc, 0xc);
    ck_has(run("delete 7", -1), "no breakpoint number 7");
    ck_has(run("delete 1 7", -1), "no breakpoint number 7");
    ck_has(run("info breakpoints", 0), "1    breakpoint");   /* unchanged */
    ck_has(run("enable x", -1), "not a breakpoint number or range");
    run("delete 1 3", 0);
    ck_hasnt(run("info breakpoints", 0), "\n1 ");
    ck_hasnt(last, "\n3 ");
    ck_has(last, "\n2 ");
    run("delete", 0);
    ck_has(run("info breakpoints", 0), "No breakpoints");
}
END_TEST

START_TEST(test_exit_break_conditional)
{
    /* the conditional exit breakpoint fires on the right fault only: not
     * on guest 1's faults, not on guest 2's fault at 0x5000 */
    const char *s[] = { PF, PF, NULL };
    boot(s);
    ck_has(run("break exit page_fault guest 2 if va >= 0x3F0000", 0),
           "Breakpoint 1 on exit page_fault, guest 2");
    const char *o = run("continue", 0);
    ck_hasnt(o, "Breakpoint 1,");
    ck_has(o, "Guest 1 is BLOCKED: exit page_fault, qual 0x02 (write, not present)");
    ck_has(o, "Guest 2 is BLOCKED");
    ck_has(o, "No guest is RUNNING.");
    run("map 1 0x5000 0x1000", 0);
    run("map 2 0x5000 0x1000", 0);
    run("resume 1", 0);
    run("resume 2", 0);
    o = run("continue", 0);
    ck_has(o, "Breakpoint 1, guest 2 exit page_fault, qual 0x02 (write, not present), "
           "at pc 0x00000024 <high>, va 0x003ff000");
    ck_has(o, "Guest 2 is BLOCKED: fix the cause, then 'resume 2'.");
    ck_assert_int_eq(m->focus, 2);
    ck_assert_uint_eq(guest(2)->vmcs.exit_va, 0x3FF000);
    /* guest 1's fault at 0x3ff000 does not fire it */
    o = run("continue", 0);
    ck_has(o, "Guest 1 is BLOCKED: exit page_fault, qual 0x02 (write, not present), "
           "at pc 0x00000024 <high>, va 0x003ff000");
    ck_hasnt(o, "Breakpoint 1,");
    ck_has(run("info breakpoints", 0), "1    exit        keep  y    2      1     exit page_fault");
    ck_has(last, "stop only if va >= 0x3F0000");
    ck_has(run("break exit nosuch", -1), "unknown exit cause 'nosuch' (any, privileged, io, page_fault");
}
END_TEST

START_TEST(test_exit_break_any)
{
    boot1(CALLS);
    run("break exit any", 0);
    ck_has(run("continue", 0), "Breakpoint 1, guest 1 exit timer");
    run("delete", 0);
    run("break exit hypercall", 0);
    const char *o = run("continue", 0);
    ck_has(o, "Breakpoint 2, guest 1 exit hypercall");
    ck_has(o, "Guest 1 exited with code 12.");
}
END_TEST

START_TEST(test_watch)
{
    boot1(LOOP);
    ck_has(run("watch counter", 0), "Watchpoint 1: guest 1 *0x00000014 <counter> (now 0x00000000)");
    const char *o = run("continue", 0);
    ck_has(o, "Watchpoint 1, guest 1: *0x00000014 <counter>\n"
              "Old value = 0x00000000 (0)\nNew value = 0x00000001 (1)\n"
              "=> 0x00000010 <loop+0x8>:  08 00 00 02  jmp loop");
    run("continue", 0);
    ck_assert_uint_eq(eval("*counter"), 2);
    ck_has(run("watch", -1), "usage: watch ADDR");
    ck_has(run("watch 0 guest 9", -1), "no guest 9");
    ck_has(run("watch 0 if 1", -1), "unexpected 'if'");
    /* a monitor write is no guest write */
    run("set mem counter 77", 0);
    ck_has(run("continue", 0), "Old value = 0x0000004d (77)");
}
END_TEST

START_TEST(test_commands)
{
    boot1(LOOP);
    const char *f = write_file("cmds.cmd",
        "break loop\n"
        "commands\n"
        "  print r2 * 100\n"
        "  # a comment\n"
        "end\n"
        "continue\n"
        "continue\n");
    ck_assert_int_eq(mon_source(m, f), 0);
    const char *o = out();
    ck_has(o, "Breakpoint 1, guest 1, pc 0x00000008 <loop>");
    ck_has(o, "0x00000000 (0)");
    ck_has(o, "0x00000064 (100)");
    ck_has(run("info breakpoints", 0), "        print r2 * 100");
    /* a list that resumes loops without recursion */
    f = write_file("loop.cmd",
        "commands 1\nsilent\ncontinue\nend\n");
    ck_assert_int_eq(mon_source(m, f), 0);
    m->max_insns = 2000;
    ck_has(run("continue", 0), "budget");
    /* end of file inside commands is an error, and changes nothing */
    f = write_file("eof.cmd", "commands 1\nprint 1\n");
    ck_assert_int_eq(mon_source(m, f), -1);
    ck_has(out(), "eof.cmd:2: error: end of file inside 'commands 1' (started at line 1): missing 'end'");
    ck_has(run("info breakpoints", 0), "        continue");
    ck_has(run("commands 5", -1), "no breakpoint number 5");
    ck_has(run("commands", -1), "no input");
}
END_TEST

/* ---- Running --------------------------------------------------------------- */

START_TEST(test_step_next_finish)
{
    boot1(CALLS);
    ck_has(run("step", 0), "=> 0x00000004 <start+0x4>:  0b 00 00 05  call double");
    ck_has(run("step", 0), "=> 0x00000014 <double>");
    ck_assert_uint_eq(guest(1)->r[31], 0x3FFC);
    ck_has(run("finish", 0), "Run till exit from 0x00000014 <double>\n"
                             "=> 0x00000008 <start+0x8>");
    ck_assert_uint_eq(guest(1)->r[31], 0x4000);
    ck_assert_uint_eq(guest(1)->r[1], 6);
    ck_has(run("next", 0), "=> 0x0000000c");
    ck_assert_uint_eq(guest(1)->r[1], 12);
    const char *o = run("step 3", 0);
    ck_has(o, "=> 0x00000010");
    ck_has(o, "Guest 1 exited with code 12.");
    ck_has(run("step", -1), "guest 1 is STOPPED, not RUNNING");
    ck_has(run("next", -1), "not RUNNING");
    ck_has(run("finish", -1), "not RUNNING");
    ck_has(run("continue", -1), "no guest is RUNNING");
    ck_has(run("run", 0), "Guest 1 reset.");
    ck_assert_int_eq(guest(1)->state, VISA_STATE_STOPPED);
    ck_assert_uint_eq(guest(1)->exit_code, 12);
}
END_TEST

START_TEST(test_step_print_off)
{
    boot1(LOOP);
    run("set step-print off", 0);
    const char *o = run("step 4", 0);
    ck_assert_msg(!strstr(o, "0x0000000c") && strstr(o, "=> 0x00000010"), "%s", o);
    run("set step-print on", 0);
    o = run("step 2", 0);
    ck_has(o, "=> 0x00000008");
    ck_has(o, "=> 0x0000000c");
    ck_has(run("step 0", -1), "at least 1");
    ck_has(run("step x", -1), "no symbol 'x'");
    /* a breakpoint stops a step, as in gdb */
    run("break *0x10", 0);
    ck_has(run("step 5", 0), "Breakpoint 1, guest 1, pc 0x00000010");
    /* and stepping from it goes on */
    run("step", 0);
    ck_assert_uint_eq(guest(1)->pc, 8);
}
END_TEST

START_TEST(test_tick)
{
    const char *s[] = { LOOP, CALLS, NULL };
    boot(s);
    const char *o = run("tick 3", 0);
    ck_has(o, "g1 0x00000000 <start>:  0d 01 00 00  movi r1, 0\n"
              "g1 0x00000004 <start+0x4>");
    ck_has(o, "g1 exit timer, qual 0x02 (slice length)");
    ck_has(o, "g2 0x00000000 <start>:  0d 01 00 03  movi r1, 3");
    ck_assert_uint_eq(guest(1)->icount, 2);
    ck_assert_uint_eq(guest(2)->icount, 1);
    run("set step-print off", 0);
    o = run("tick", 0);
    ck_has(o, "=> g1 0x00000008");      /* the machine's next instruction */
    ck_has(run("tick 0", -1), "at least 1");
}
END_TEST

static void on_alarm(int sig)
{
    (void)sig;
    intr = 1;
}

START_TEST(test_interrupt)
{
    boot1(LOOP);
    /* a timer plays the user pressing Ctrl-C */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    struct itimerval it = { { 0, 0 }, { 0, 100000 } };
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    const char *o = run("continue", 0);
    ck_has(o, "Interrupted.");
    ck_has(o, "=> 0x000000");
    intr = 0;
    /* the machine is intact */
    uint32_t r2 = guest(1)->r[2];
    ck_assert_int_eq(guest(1)->state, VISA_STATE_RUNNING);
    run("break loop", 0);
    run("continue", 0);
    ck_assert_uint_eq(guest(1)->pc, 8);
    ck_assert(guest(1)->r[2] >= r2);
}
END_TEST

START_TEST(test_budget)
{
    boot1(LOOP);
    m->max_insns = 1000;
    ck_has(run("continue", 0), "budget of 1000 instructions is used up");
    ck_assert_uint_eq(hv->icount, 1000);
    ck_has(run("continue", -1), "budget (--max-instructions=1000) is used up");
    ck_has(run("step", -1), "used up");
}
END_TEST

START_TEST(test_bad_commands_change_nothing)
{
    const char *s[] = { LOOP, CALLS, NULL };
    boot(s);
    run("step 3", 0);
    struct visa_guest before[2];
    memcpy(before, hv->g, sizeof before);
    uint64_t icount = hv->icount;
    static const char *const bad[] = {
        "step foo", "next 1/0", "continue 0", "continue (", "tick -",
        "break nosuch", "tbreak 0x3", "watch", "delete 4", "ignore 1 2",
        "condition 3", "commands 4", "finish now", "run now", "source",
        "source /nonexistent/file", "assert", "assert (1", "quit 300",
        "echo \\q", "help nosuch", "frob", "guest 9", "print *0x9999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mon_exec_line(m, bad[i]);
        const char *o = out();
        ck_assert_msg(rc == -1, "'%s' should fail: %s", bad[i], o);
        ck_assert_msg(strstr(o, "error:"), "'%s' says no error: %s", bad[i], o);
    }
    ck_assert_msg(memcmp(before, hv->g, sizeof before) == 0, "a guest changed");
    ck_assert_uint_eq(hv->icount, icount);
    ck_assert(!m->quit);
    ck_has(run("info breakpoints", 0), "No breakpoints");
}
END_TEST

/* ---- Command files ----------------------------------------------------------- */

START_TEST(test_source_assert)
{
    boot1(CALLS);
    const char *f = write_file("a.cmd",
        "# a comment\n"
        "\n"
        "step\n"
        "assert pc == 4\n"
        "assert pc == 8 \"pc after one step\"\n"
        "assert r1 == 3\n"
        "echo still here\n");
    ck_assert_int_eq(mon_source(m, f), 0);
    const char *o = out();
    char want[256];
    snprintf(want, sizeof want, "%s:5: assertion failed: pc == 8 (pc after one step)", f);
    ck_has(o, want);
    ck_has(o, "still here");
    ck_assert_int_eq(m->status, 1);
}
END_TEST

START_TEST(test_source_errors)
{
    boot1(CALLS);
    const char *f = write_file("e.cmd", "step\nfrob\nstep\n");
    ck_assert_int_eq(mon_source(m, f), -1);
    char want[256];
    snprintf(want, sizeof want, "%s:2: error: unknown command 'frob'", f);
    ck_has(out(), want);
    ck_assert_uint_eq(guest(1)->pc, 4);          /* stopped at line 2 */
    ck_assert_int_eq(m->status, 1);
    f = write_file("c.cmd", "set on-error continue\nfrob\nstep\n");
    ck_assert_int_eq(mon_source(m, f), 0);
    ck_assert_uint_eq(guest(1)->pc, 0x14);
    m->on_error_continue = false;
    /* nesting is bounded */
    f = write_file("self.cmd", "echo level\nsource self.cmd\n");
    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_int_eq(mon_source(m, "self.cmd"), -1);
    ck_has(out(), "self.cmd:2: error: source: nesting too deep (at most 16 files)");
    ck_assert_int_eq(m->source_depth, 0);
    ck_assert_ptr_null(m->src_file);
    (void)f;
}
END_TEST

START_TEST(test_echo_quit)
{
    boot1(CALLS);
    ck_assert_str_eq(run("echo a\\tb\\x41\\101", 0), "a\tbAA\n");
    ck_assert_str_eq(run("echo \"  padded  \"", 0), "  padded  \n");
    ck_assert_str_eq(run("echo no newline\\c", 0), "no newline");
    ck_assert_str_eq(run("echo gdb style\\n", 0), "gdb style\n");
    ck_assert_str_eq(run("echo", 0), "\n");
    ck_has(run("echo bad \\q", -1), "unknown escape '\\q'");
    ck_has(run("quit 1 2", -1), "usage: quit [N]");
    run("quit 3", 0);
    ck_assert(m->quit);
    ck_assert_int_eq(m->quit_status, 3);
}
END_TEST

/* ---- The manual documents every command ------------------------------------- */

START_TEST(test_man_documents_table)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/man/visa.1", top ? top : "..");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char text[1 << 18];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    /* every name is a bold word on a .B, .BR or .BI line */
    for (size_t i = 0; i < mon_ncmds; i++) {
        const char *name = mon_cmds[i].name;
        size_t len = strlen(name);
        bool found = false;
        for (const char *l = text; l && *l && !found; l = strchr(l, '\n'), l = l ? l + 1 : l) {
            if (strncmp(l, ".B", 2))
                continue;
            const char *end = strchr(l, '\n');
            for (const char *p = l + 2; !found && (p = strstr(p, name)) && (!end || p < end); p++) {
                char before = p[-1], after = p[len];
                found = !isalnum((unsigned char)before) && before != '-' && before != '_' &&
                        !isalnum((unsigned char)after) && after != '-' && after != '_';
            }
        }
        ck_assert_msg(found, "man/visa.1 does not document the command '%s'", name);
    }
}
END_TEST

/* ---- The suite --------------------------------------------------------------- */

static Suite *monitor_suite(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc;
#define CASE(name, ...)                                  \
    tc = tcase_create(name);                             \
    tcase_add_checked_fixture(tc, NULL, teardown);       \
    __VA_ARGS__                                          \
    suite_add_tcase(s, tc);
    CASE("dispatch",
         tcase_add_test(tc, test_prefix_alias);
         tcase_add_test(tc, test_ambiguous_unknown);
         tcase_add_test(tc, test_hostile_input);)
    CASE("expressions",
         tcase_add_loop_test(tc, test_expr_table, 0, (int)(sizeof exprs / sizeof exprs[0]));
         tcase_add_test(tc, test_expr_errors);
         tcase_add_test(tc, test_exit_fields);)
    CASE("breakpoints",
         tcase_add_test(tc, test_break_symbol);
         tcase_add_test(tc, test_break_address_guest);
         tcase_add_test(tc, test_break_condition);
         tcase_add_test(tc, test_break_ignore_tbreak);
         tcase_add_test(tc, test_enable_disable_delete);
         tcase_add_test(tc, test_exit_break_conditional);
         tcase_add_test(tc, test_exit_break_any);
         tcase_add_test(tc, test_watch);
         tcase_add_test(tc, test_commands);)
    CASE("running",
         tcase_add_test(tc, test_step_next_finish);
         tcase_add_test(tc, test_step_print_off);
         tcase_add_test(tc, test_tick);
         tcase_add_test(tc, test_interrupt);
         tcase_add_test(tc, test_budget);
         tcase_add_test(tc, test_bad_commands_change_nothing);)
    CASE("scripts",
         tcase_add_test(tc, test_source_assert);
         tcase_add_test(tc, test_source_errors);
         tcase_add_test(tc, test_echo_quit);)
    CASE("docs",
         tcase_add_test(tc, test_man_documents_table);)
#undef CASE
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(monitor_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
