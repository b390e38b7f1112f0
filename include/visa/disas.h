/* disas.h - the vISA disassembler, shared by visa-as -d and the monitor.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef VISA_DISAS_H
#define VISA_DISAS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "visa/symtab.h"

/* Format the instruction WORD found at address PC into BUF (at most SIZE
 * bytes, always NUL-terminated) in canonical assembly syntax: mnemonic,
 * operands, jump and branch targets as a symbol from SYMS (may be NULL)
 * when one is exactly there, else as an address (0x...).  A word that is
 * not a canonical instruction is `.word 0x........`.  Returns the length
 * that the full text needs, as snprintf does. */
int visa_disas_insn(uint32_t word, uint32_t pc, const struct visa_symtab *syms,
                    char *buf, size_t size);

/* Jump or branch target of WORD at PC; returns 1 and stores it in *TARGET
 * if WORD is a canonical jmp/call/branch, else 0. */
int visa_insn_target(uint32_t word, uint32_t pc, uint32_t *target);

/* Disassemble IMAGE (SIZE bytes, loaded at address 0) as re-assemblable
 * source, machine.md section 9: labels from SYMS (or made up as L_0010 for
 * targets without one) on their own lines, canonical mnemonics, targets
 * as labels, `.word` for data, a trailing `; 0xADDRESS  bytes` comment.
 * A trailing partial word is emitted with `.byte`.  Returns 0, or -1 on
 * an output error or out of memory. */
int visa_disas_image(FILE *out, const uint8_t *image, size_t size,
                     const struct visa_symtab *syms);

#endif /* VISA_DISAS_H */
