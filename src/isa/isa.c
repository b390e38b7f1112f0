/* isa.c - tables expanded from the lists in isa.h.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <strings.h>

#include "visa/isa.h"

const struct visa_opinfo visa_optab[256] = {
#define VISA_X_OP(name, code, mnem, fmt, meaning) \
    [code] = { mnem, meaning, VISA_FMT_##fmt },
    VISA_OPCODES(VISA_X_OP)
#undef VISA_X_OP
};

const struct visa_fmtinfo visa_fmttab[VISA_FMT_COUNT] = {
#define VISA_X_FMT(name, regs, zeros, syntax) \
    [VISA_FMT_##name] = { #name, syntax, regs, zeros },
    VISA_FORMATS(VISA_X_FMT)
#undef VISA_X_FMT
};

const unsigned visa_opcode_count = 0
#define VISA_X_OP(name, code, mnem, fmt, meaning) + 1
    VISA_OPCODES(VISA_X_OP)
#undef VISA_X_OP
    ;

const struct visa_exitinfo visa_exittab[VISA_EXIT_COUNT] = {
#define VISA_X_EXIT(name, val, mname, alias, desc) [val] = { mname, alias, desc },
    VISA_EXITS(VISA_X_EXIT)
#undef VISA_X_EXIT
};

const char *const visa_state_names[VISA_STATE_COUNT] = {
#define VISA_X_STATE(name, desc) #name,
    VISA_STATES(VISA_X_STATE)
#undef VISA_X_STATE
};

static unsigned field(uint32_t w, unsigned i)
{
    return (w >> (16 - 8 * i)) & 0xFFu;
}

bool visa_insn_valid(uint32_t w)
{
    const struct visa_opinfo *oi = &visa_optab[visa_op(w)];
    if (!oi->mnemonic)
        return false;
    unsigned regs = visa_fmttab[oi->fmt].regs;
    for (unsigned i = 0; i < 3; i++)
        if ((regs >> i & 1u) && field(w, i) >= VISA_NREGS)
            return false;
    return true;
}

bool visa_insn_canonical(uint32_t w)
{
    if (!visa_insn_valid(w))
        return false;
    unsigned zeros = visa_fmttab[visa_optab[visa_op(w)].fmt].zeros;
    for (unsigned i = 0; i < 3; i++)
        if ((zeros >> i & 1u) && field(w, i) != 0)
            return false;
    return true;
}

int visa_opcode_lookup(const char *mnemonic)
{
    for (unsigned op = 0; op < 256; op++)
        if (visa_optab[op].mnemonic && strcasecmp(visa_optab[op].mnemonic, mnemonic) == 0)
            return (int)op;
    return -1;
}

int visa_exit_lookup(const char *name)
{
    for (int c = 1; c < VISA_EXIT_COUNT; c++) {
        const struct visa_exitinfo *e = &visa_exittab[c];
        if (e->name && (strcasecmp(e->name, name) == 0 ||
                        (e->alias && strcasecmp(e->alias, name) == 0)))
            return c;
    }
    return -1;
}

int visa_state_lookup(const char *name)
{
    for (int s = 0; s < VISA_STATE_COUNT; s++)
        if (strcasecmp(visa_state_names[s], name) == 0)
            return s;
    return -1;
}
