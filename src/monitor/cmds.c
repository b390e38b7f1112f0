/* cmds.c - the monitor's command table.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ONE place commands are declared: dispatch, unique prefixes, "did you
 * mean", `help`, tab completion and the test that man/visa.1 documents
 * every row are all driven by this table (as QEMU's hmp-commands.hx).
 *
 * Completion sub-words (MON_C_SUBWORDS): space-separated entries, each a
 * word, optionally followed by `=` and a `|`-separated list of what may
 * follow that word, or a class: @causes (exit causes, their aliases and
 * `any`), @registers, @symbols (of the focused guest), @files, @commands.
 */
#include <config.h>

#include "monitor.h"

#define ROW(name_, aliases_, synopsis_, help_, long_, compl_, sub_, flags_) \
    { #name_, aliases_, synopsis_, help_, long_, compl_, sub_,               \
      mon_cmd_##name_, flags_ }

const struct mon_cmd mon_cmds[] = {
    /* ---- Running ---------------------------------------------------- */
    ROW(run, NULL, "run",
        "reset every guest that has run, then continue",
        "Reset (reload the image of) every guest that has run since it was\n"
        "loaded or reset, then run the machine as `continue` does.",
        MON_C_NONE, NULL, MON_RUNS),
    ROW(continue, "c", "continue [N]",
        "run the machine until a breakpoint, no guest RUNNING, or Ctrl-C",
        "Print `Continuing.`, then run every RUNNING guest in scheduler order\n"
        "(round robin, one time slice each) until a breakpoint or watchpoint\n"
        "fires, no guest is RUNNING any more, or Ctrl-C.  The stop report says\n"
        "why, with guest, pc, symbol and disassembly, and focuses that guest.\n"
        "N, as in gdb, ignores the breakpoint just hit N-1 more times.\n"
        "An empty line repeats it.",
        MON_C_NONE, NULL, MON_RUNS | MON_REPEAT),
    ROW(step, "s si stepi", "step [N]",
        "run N instructions (default 1) of the focused guest alone",
        "Run N instructions (default 1) of the focused guest alone, printing\n"
        "the next instruction after each (`=> ADDRESS <SYMBOL>: BYTES  INSN`).\n"
        "Other guests wait, no timer exits are taken and the guest keeps its\n"
        "place in its slice.  Breakpoints and watchpoints still stop it.\n"
        "`set step-print off` prints only where it stopped.  An empty line\n"
        "repeats it.",
        MON_C_NONE, NULL, MON_RUNS | MON_REPEAT),
    ROW(next, "n ni nexti", "next [N]",
        "like step, but run a call until it returns",
        "Like `step`, but a `call` or `callr` runs (the focused guest alone)\n"
        "until pc is the instruction after the call with sp restored, so the\n"
        "whole subroutine counts as one step.  An empty line repeats it.",
        MON_C_NONE, NULL, MON_RUNS | MON_REPEAT),
    ROW(finish, NULL, "finish",
        "run the focused guest until the current subroutine returns",
        "Run the focused guest alone until a `ret` executes with sp at or\n"
        "above its value when `finish` began, that is until the current\n"
        "subroutine returns to its caller.",
        MON_C_NONE, NULL, MON_RUNS),
    ROW(tick, NULL, "tick [N]",
        "run N instructions of the whole machine, printing each and every exit",
        "Run N instructions (default 1) of the whole machine in scheduler\n"
        "order, printing each executed instruction with its guest and every\n"
        "VM exit (timer exits show the interleaving of the guests).\n"
        "`set step-print off` prints only where it stopped.  An empty line\n"
        "repeats it.",
        MON_C_NONE, NULL, MON_RUNS | MON_REPEAT),
    ROW(slice, NULL, "slice [N] | slice GUEST N | slice GUEST default",
        "show or change the time slice",
        "Without arguments show the global time slice and every per-guest\n"
        "one.  `slice N` sets the global slice (1..2^31), `slice GUEST N`\n"
        "one guest's, `slice GUEST default` makes a guest use the global one\n"
        "again.  The change takes effect at once.",
        MON_C_SUBWORDS, "default", 0),
    ROW(guest, "g", "guest [GUEST]",
        "show or change the focused guest",
        "Without an argument list the guests and show which one has the\n"
        "focus; with GUEST (gN or N) focus it.  Commands that take an\n"
        "optional GUEST use the focused one; every stop focuses the guest\n"
        "that caused it.",
        MON_C_NONE, NULL, 0),
    ROW(pause, NULL, "pause GUEST",
        "make a guest PAUSED",
        "Make GUEST PAUSED: the scheduler skips it until `resume`.",
        MON_C_NONE, NULL, 0),
    ROW(resume, NULL, "resume GUEST",
        "make a PAUSED or BLOCKED guest RUNNING",
        "Make a PAUSED or BLOCKED guest RUNNING.  A blocked guest re-runs the\n"
        "instruction that blocked it, unless its pc was changed (fix the\n"
        "mapping or the register first).",
        MON_C_NONE, NULL, 0),
    ROW(reset, NULL, "reset [GUEST]",
        "reload a guest's image (every guest without GUEST)",
        "Reload the image and boot state of GUEST, or of every guest; the\n"
        "host frames are kept.  Console input queued for it is dropped.",
        MON_C_NONE, NULL, 0),
    ROW(load, NULL, "load IMAGE",
        "add a guest",
        "Add a guest booted from IMAGE (.bin with NAME.sym beside it, or\n"
        "assembly source assembled on load).",
        MON_C_FILE, NULL, 0),
    ROW(input, NULL, "input GUEST TEXT",
        "queue console input for a guest",
        "Queue TEXT plus a newline as console input for GUEST (what `in rd, 0`\n"
        "reads).  C escapes are allowed; quote TEXT to keep leading blanks.",
        MON_C_NONE, NULL, 0),
    ROW(trapcfg, NULL, "trapcfg [GUEST] [+-cr] [+-io]",
        "show or change the trap controls",
        "Show GUEST's trap controls (VMCS execution controls), or switch the\n"
        "CR_WRITE (`ldpgtr`) and IO (`in`, `out`) traps on (+) or off (-).\n"
        "An untrapped instruction takes effect without a VM exit.",
        MON_C_SUBWORDS, "+cr -cr +io -io", 0),

    /* ---- Looking inside -------------------------------------------- */
    ROW(regs, NULL, "regs [GUEST]",
        "r0-r31, pc, sp, state, PTBR (also `info registers`)",
        "Show GUEST's registers r0-r31, pc, sp, state and PTBR.  Registers\n"
        "changed since the last stop are marked.  Same as `info registers`.",
        MON_C_NONE, NULL, 0),
    ROW(vmcs, NULL, "vmcs [GUEST]",
        "the VMCS: guest state, host state, controls, exit information",
        "Show GUEST's VMCS grouped as guest state, host state (EPT),\n"
        "execution controls, exit information (of the last exit) and the\n"
        "per-cause exit counts.",
        MON_C_NONE, NULL, 0),
    ROW(pt, NULL, "pt [GUEST]",
        "the guest page table",
        "Show GUEST's page table: each present PTE with VPN, VA range, frame\n"
        "GPA and flags P W X A D.",
        MON_C_NONE, NULL, 0),
    ROW(ept, NULL, "ept [GUEST] [FRAME +-r +-w +-x]",
        "show the EPT, or change an entry's permissions",
        "Without FRAME show each guest frame of GUEST: host frame, host\n"
        "physical address, R W X.  With FRAME and +r -r +w -w +x -x change\n"
        "that entry's permissions (the guest's TLB is flushed).",
        MON_C_SUBWORDS, "+r -r +w -w +x -x", 0),
    ROW(tlb, NULL, "tlb [GUEST]",
        "valid TLB entries and hit/miss counts",
        "Show GUEST's valid TLB entries (stale ones, which disagree with the\n"
        "page table or EPT, are marked) and its hit and miss counts.",
        MON_C_NONE, NULL, 0),
    ROW(translate, "xlate", "translate [GUEST] VA [r|w|x]",
        "walk a translation step by step (changes nothing)",
        "Walk the translation of VA for a read (default), write or fetch, step\n"
        "by step: the TLB, the PTE, stage 2, and the outcome, with the fault\n"
        "the guest would get.  Nothing is changed.",
        MON_C_SYMBOL, NULL, 0),
    ROW(x, NULL, "x/NFU ADDR",
        "examine guest-virtual memory",
        "Examine N units (default 1) of guest-virtual memory at ADDR in format\n"
        "F (x hex, d signed, u unsigned, c char, s string, i instruction) and\n"
        "unit U (b byte, h halfword, w word), as the guest would see it now\n"
        "(a stale TLB entry included), without side effects.  An empty line\n"
        "goes on at the next address.",
        MON_C_SYMBOL, NULL, MON_REPEAT),
    ROW(xp, NULL, "xp/NFU GPA",
        "examine guest-physical memory",
        "Like `x`, on guest-physical addresses.",
        MON_C_SYMBOL, NULL, MON_REPEAT),
    ROW(disas, NULL, "disas [ADDR [N]]",
        "disassemble with symbols (default: around pc)",
        "Disassemble N instructions (default: a few around pc) at ADDR with\n"
        "symbols: address, <symbol+offset>, bytes, instruction.",
        MON_C_SYMBOL, NULL, 0),
    ROW(print, "p", "print EXPR",
        "evaluate an expression: hex and decimal",
        "Evaluate EXPR for the focused guest and print it in hex and decimal.\n"
        "EXPR: numbers (0x, 0b, decimal, 'c'), registers (r0-r31, sp, pc,\n"
        "$r1, $pc), symbols of the guest (register names win), guest, state,\n"
        "code, the exit fields cause, qual, va, gpa ($guest ... always mean\n"
        "these), cause and state names as constants (page_fault, BLOCKED),\n"
        "*ADDR and *(EXPR) (a word through the guest's translation),\n"
        "+ - * / % & | ^ ~ << >> == != < <= > >= && || ! and parentheses with\n"
        "C precedence.  Arithmetic is 32-bit unsigned; a shift by 32 or more\n"
        "gives 0; division by zero is an error.",
        MON_C_SYMBOL, NULL, 0),
    ROW(info, "i", "info guests|breakpoints|symbols|registers|exits",
        "tables: guests, breakpoints, symbols, registers, exits",
        "info guests: every guest's state, pc, instructions, image.\n"
        "info breakpoints: breakpoints and watchpoints with hit counts.\n"
        "info symbols [GUEST]: the guest's symbols.\n"
        "info registers [GUEST]: same as `regs`.\n"
        "info exits: same as `stats`.",
        MON_C_SUBWORDS, "guests breakpoints symbols registers exits", 0),
    ROW(stats, NULL, "stats [reset]",
        "instructions, exits by cause, TLB hit rate (also `info exits`)",
        "Per guest and in total: instructions, exits by cause, exits per 1000\n"
        "instructions and TLB hit rate.  `stats reset` zeroes the counters.",
        MON_C_SUBWORDS, "reset", 0),
    ROW(timeline, NULL, "timeline [N]",
        "the last N scheduling slices as a strip",
        "Show the last N scheduling slices (default 20): which guest ran, for\n"
        "how many instructions, and why it left the CPU.",
        MON_C_NONE, NULL, 0),

    /* ---- Changing state --------------------------------------------- */
    ROW(set, NULL,
        "set reg REG VALUE | set pc VALUE | set mem[/b|w] ADDR VALUE | "
        "set phys[/b|w] GPA VALUE | set on-error stop|continue | "
        "set step-print on|off",
        "change a register, memory, or a monitor setting",
        "set reg REG VALUE, set pc VALUE: change a register of the focused\n"
        "guest.  set mem[/b|w] ADDR VALUE, set phys[/b|w] GPA VALUE: write\n"
        "guest-virtual or guest-physical memory (a word by default).\n"
        "set on-error stop|continue: whether a failing command stops a\n"
        "command file (default stop).  set step-print on|off: off makes step,\n"
        "next and tick print only where they stopped.",
        MON_C_SUBWORDS,
        "reg=@registers pc mem phys on-error=stop|continue step-print=on|off", 0),
    ROW(map, NULL, "map [GUEST] VA GPA [FLAGS]",
        "write the PTE for VA in the guest's page table",
        "Map the page of VA to the frame of GPA in GUEST's page table.  FLAGS\n"
        "are letters from `wx` (present is implied; default `wx`).  An error\n"
        "when the guest's paging is off.  The guest's TLB is flushed.",
        MON_C_SYMBOL, NULL, 0),
    ROW(unmap, NULL, "unmap [GUEST] VA",
        "clear the PTE for VA in the guest's page table",
        "Clear the PTE of VA's page in GUEST's page table (an error when the\n"
        "guest's paging is off).  The guest's TLB is flushed.",
        MON_C_SYMBOL, NULL, 0),

    /* ---- Stopping --------------------------------------------------- */
    ROW(break, "b",
        "break [LOCATION] [guest GUEST] [if EXPR] | "
        "break exit CAUSE|any [guest GUEST] [if EXPR]",
        "set a breakpoint on an address, a symbol, or an exit cause",
        "break LOCATION [guest GUEST] [if EXPR]: stop before the instruction\n"
        "at LOCATION runs in the guest about to run it; resuming runs that\n"
        "instruction without stopping again.  LOCATION is a symbol (looked up\n"
        "in each guest's symbols), an address or *EXPR; without it, the\n"
        "focused guest's pc.  Without `guest` it applies to every guest.\n"
        "break exit CAUSE|any [guest GUEST] [if EXPR]: stop right after a VM\n"
        "exit of that cause is handled, with the VMCS holding its information\n"
        "(the exit fields cause, qual, va, gpa in EXPR are that exit's), e.g.\n"
        "`break exit page_fault guest 2 if va >= 0x3F0000`.  A page fault has\n"
        "left the guest BLOCKED: fix the mapping, then `resume GUEST`.",
        MON_C_SUBWORDS, "exit=@causes @symbols", 0),
    ROW(tbreak, NULL, "tbreak ...",
        "a one-shot breakpoint (arguments as break)",
        "Like `break`, but the breakpoint is deleted when it first stops the\n"
        "machine.",
        MON_C_SUBWORDS, "exit=@causes @symbols", 0),
    ROW(watch, NULL, "watch ADDR [guest GUEST]",
        "stop after a write changes the word at a guest-virtual address",
        "Stop after an instruction of GUEST (default: the focused guest)\n"
        "writes memory and the word at guest-virtual ADDR has changed; the\n"
        "report shows the old and the new value.",
        MON_C_SYMBOL, NULL, 0),
    ROW(delete, "d", "delete [N...]",
        "delete breakpoints (all without N)",
        "Delete breakpoints and watchpoints N (numbers or ranges like 2-4),\n"
        "or all of them.",
        MON_C_NONE, NULL, 0),
    ROW(disable, NULL, "disable [N...]",
        "disable breakpoints (all without N)",
        "Disable breakpoints N (numbers or ranges), or all: they stay listed\n"
        "but do not stop the machine.",
        MON_C_NONE, NULL, 0),
    ROW(enable, NULL, "enable [N...]",
        "enable breakpoints (all without N)",
        "Enable breakpoints N (numbers or ranges), or all.",
        MON_C_NONE, NULL, 0),
    ROW(ignore, NULL, "ignore N COUNT",
        "let breakpoint N pass COUNT more times",
        "Do not stop at breakpoint N for the next COUNT times its condition is\n"
        "true (the hits are still counted).",
        MON_C_NONE, NULL, 0),
    ROW(condition, NULL, "condition N [EXPR]",
        "stop at breakpoint N only when EXPR is non-zero",
        "Make breakpoint N conditional on EXPR (evaluated for the guest that\n"
        "hits it, with the exit fields of an exit breakpoint's exit), or\n"
        "unconditional without EXPR.",
        MON_C_SYMBOL, NULL, 0),
    ROW(commands, NULL, "commands [N] ... end",
        "monitor commands to run each time breakpoint N stops",
        "Read monitor commands, one a line, up to a line `end`, and run them\n"
        "after the stop report each time breakpoint N (default: the last one\n"
        "set) stops the machine; `commands N` followed directly by `end`\n"
        "removes them.  A first line `silent` suppresses the stop report.  A\n"
        "command that resumes the machine ends the list.  Example: print the\n"
        "VMCS at every page fault:\n"
        "    break exit page_fault\n"
        "    commands\n"
        "    vmcs\n"
        "    end",
        MON_C_NONE, NULL, 0),

    /* ---- Scripts ---------------------------------------------------- */
    ROW(source, NULL, "source FILE",
        "run a command file",
        "Run the monitor commands in FILE, one a line (`#` comments, blank\n"
        "lines ignored).  Errors say FILE:LINE; a failing command stops the\n"
        "file unless `set on-error continue`.  Files may source files, 16\n"
        "deep at most.",
        MON_C_FILE, NULL, 0),
    ROW(echo, NULL, "echo TEXT",
        "print TEXT (C escapes)",
        "Print TEXT with C escapes (\\n, \\t, \\x41, ...) interpreted, then a\n"
        "newline unless TEXT ends with \\n or \\c (which prints nothing and\n"
        "suppresses it).  Quote TEXT to keep leading or trailing blanks.",
        MON_C_NONE, NULL, 0),
    ROW(assert, NULL, "assert EXPR [\"MESSAGE\"]",
        "check that EXPR is non-zero",
        "Evaluate EXPR; when it is zero print `FILE:LINE: assertion failed:\n"
        "EXPR (MESSAGE)` and make the exit status of the command file 1.  The\n"
        "file goes on.",
        MON_C_SYMBOL, NULL, 0),
    ROW(help, "h", "help [COMMAND]",
        "list the commands, or show one command's help",
        "Without an argument list every command; with COMMAND (a name, alias\n"
        "or unique prefix) show its synopsis and long help.",
        MON_C_COMMAND, NULL, 0),
    ROW(quit, "q exit", "quit [N]",
        "leave the monitor, with exit status N",
        "Leave the monitor with exit status N (default 0 at the prompt, and\n"
        "the command file's status otherwise).",
        MON_C_NONE, NULL, 0),
};

const size_t mon_ncmds = sizeof mon_cmds / sizeof mon_cmds[0];
