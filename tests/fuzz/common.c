/* common.c - helpers shared by the fuzz targets (see fuzz.h).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char workdir[256];

const char *fuzz_workdir(void)
{
    if (workdir[0])
        return workdir;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(workdir, sizeof workdir, "%s/visa-fuzz.XXXXXX", tmp);
    if (!mkdtemp(workdir) || chdir(workdir) != 0) {
        perror("fuzz: cannot make a work directory");
        abort();
    }
    return workdir;
}

const char *fuzz_write_file(int slot, const char *name, const void *data,
                            size_t len)
{
    static char paths[8][300];
    char *p = paths[slot & 7];
    snprintf(p, sizeof paths[0], "%s/%s", fuzz_workdir(), name);
    FILE *f = fopen(p, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(p);
        abort();
    }
    return p;
}

FILE *fuzz_devnull(void)
{
    static FILE *null;
    if (!null && !(null = fopen("/dev/null", "w"))) {
        perror("/dev/null");
        abort();
    }
    return null;
}

int fuzz_escapes(const uint8_t *text, size_t len)
{
    static const char *const bad[] = { "dev", "proc", "sys", "..", "fd", "~" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t k = strlen(bad[i]);
        for (size_t j = 0; j + k <= len; j++)
            if (memcmp(text + j, bad[i], k) == 0)
                return 1;
    }
    /* an absolute path could name anything (a '/' that starts a word and
     * is followed by a name; `4 / 2` and `x/4x` stay allowed) */
    for (size_t j = 0; j + 1 < len; j++) {
        unsigned char before = j ? text[j - 1] : ' ', after = text[j + 1];
        if (text[j] == '/' && strchr(" \t\"'(", before) &&
            (after == '.' || after == '_' || (unsigned)((after | 0x20) - 'a') < 26u))
            return 1;
    }
    return 0;
}
