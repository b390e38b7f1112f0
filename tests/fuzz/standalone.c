/* standalone.c - replay fuzz inputs without libFuzzer (for `make check`).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `run_TARGET [FILE|DIR]...` feeds each file (each file of each DIR) to the
 * target's LLVMFuzzerTestOneInput.  Without arguments it replays
 * $top_srcdir/tests/fuzz/corpus/TARGET and .../regress/TARGET, the seed
 * corpus and every input that once crashed the target, and the
 * directories named in corpus/TARGET/SEEDS (one a line, relative to
 * top_srcdir: the examples and tests used as seeds in place).  A crash, a
 * sanitizer report or a hang fails the test; the output says which input
 * was running.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
# error "FUZZ_NAME (the target's name) must be defined"
#endif

static unsigned ran;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "run_" FUZZ_NAME ": %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "run_" FUZZ_NAME ": %s: cannot read\n", path);
        return -1;
    }
    printf("%s\n", path);
    fflush(stdout);
    /* an exact-size copy, so that ASan catches a read past the end */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    ran++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of DIR, in name order (so runs are repeatable);
 * a missing DIR is empty when OPTIONAL. */
static int run_dir(const char *dir, int optional)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (optional && errno == ENOENT)
            return 0;
        fprintf(stderr, "run_" FUZZ_NAME ": %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "README"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(names, cap * sizeof *names);
            if (!p) {
                rc = -1;
                break;
            }
            names = p;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len))) {
            rc = -1;
            break;
        }
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
            run_file(names[i]) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* The directories listed in the file SEEDS, relative to TOP. */
static int run_seeds(const char *top, const char *seeds)
{
    FILE *f = fopen(seeds, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[256];
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        size_t len = strlen(top) + strlen(line) + 2;
        char *dir = malloc(len);
        if (!dir) {
            rc = -1;
            break;
        }
        snprintf(dir, len, "%s/%s", top, line);
        if (run_dir(dir, 0) != 0)
            rc = -1;
        free(dir);
    }
    fclose(f);
    return rc;
}

static int run_path(const char *path, int optional);

/* PATH made absolute (malloc'd), or NULL. */
static char *absolute(const char *path)
{
    char cwd[4096];
    if (path[0] == '/')
        return strdup(path);
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    size_t len = strlen(cwd) + strlen(path) + 2;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", cwd, path);
    return p;
}

static int run_arg(const char *arg, int optional)
{
    /* absolute: the targets change into their own work directory */
    char *path = absolute(arg);
    if (!path) {
        fprintf(stderr, "run_" FUZZ_NAME ": %s: %s\n", arg, strerror(errno));
        return -1;
    }
    int rc = run_path(path, optional);
    free(path);
    return rc;
}

static int run_path(const char *path, int optional)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return run_dir(path, optional);
    if (optional && errno == ENOENT)
        return 0;
    return run_file(path);
}

int main(int argc, char **argv)
{
    int rc = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (run_arg(argv[i], 0) != 0)
                rc = 1;
    } else {
        const char *env = getenv("top_srcdir");
        char *top = absolute(env && *env ? env : ".");
        if (!top) {
            perror("run_" FUZZ_NAME ": top_srcdir");
            return 1;
        }
        static const char *const sub[] = { "corpus", "regress" };
        for (size_t i = 0; i < 2; i++) {
            size_t len = strlen(top) + 64;
            char *dir = malloc(len);
            if (!dir)
                return 1;
            snprintf(dir, len, "%s/tests/fuzz/%s/" FUZZ_NAME, top, sub[i]);
            if (run_dir(dir, 1) != 0)
                rc = 1;
            if (i == 0) {
                strcat(dir, "/SEEDS");
                if (run_seeds(top, dir) != 0)
                    rc = 1;
            }
            free(dir);
        }
        free(top);
    }
    printf("run_" FUZZ_NAME ": %u input%s replayed\n", ran, ran == 1 ? "" : "s");
    if (!ran && argc <= 1) {
        puts("run_" FUZZ_NAME ": no inputs found (is top_srcdir set?)");
        return 77;
    }
    return rc;
}
