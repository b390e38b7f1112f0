/* loader.c - guest images from files: .bin (with NAME.sym) or assembly.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "visa/loader.h"

/* Assembly sources are not guest memory: allow generous sizes. */
#define SOURCE_LIMIT (16u << 20)

int visa_is_source(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return 0;
    return strcasecmp(dot, ".s") == 0 || strcasecmp(dot, ".asm") == 0 ||
           strcasecmp(dot, ".isa") == 0;
}

char *visa_read_file(const char *path, size_t limit, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > limit) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n > limit) {
            free(buf);
            fclose(f);
            errno = EFBIG;
            return NULL;
        }
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(buf);
        errno = err ? err : EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void report(visa_diag_fn *diag, void *ctx, const char *file,
                   unsigned line, const char *severity, const char *msg)
{
    if (!diag)
        return;
    struct visa_diag d = { file, line, 0, severity, msg, NULL, 0 };
    diag(ctx, &d);
}

struct warn_ctx { visa_diag_fn *diag; void *ctx; };

static void sym_warning(void *ctx, const char *file, unsigned line, const char *msg)
{
    struct warn_ctx *w = ctx;
    report(w->diag, w->ctx, file, line, "warning", msg);
}

/* PATH with its extension replaced by .sym (malloc'd). */
static char *sym_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
    char *p = malloc(stem + 5);
    if (p) {
        memcpy(p, path, stem);
        memcpy(p + stem, ".sym", 5);
    }
    return p;
}

static int load_binary(const char *path, struct visa_image *img,
                       visa_diag_fn *diag, void *ctx)
{
    size_t len;
    char *buf = visa_read_file(path, VISA_GUEST_MEM, &len);
    if (!buf) {
        const char *why = errno == EFBIG
            ? "image is larger than 16 KiB of guest memory" : strerror(errno);
        report(diag, ctx, path, 0, "error", why);
        return -1;
    }
    if (len == 0) {
        free(buf);
        report(diag, ctx, path, 0, "error", "image is empty");
        return -1;
    }
    memcpy(img->bytes, buf, len);
    img->size = (uint32_t)len;
    free(buf);

    char *sp = sym_path(path);
    if (!sp) {
        report(diag, ctx, path, 0, "error", strerror(ENOMEM));
        return -1;
    }
    struct warn_ctx w = { diag, ctx };
    if (visa_symtab_read(&img->syms, sp, sym_warning, &w) != 0 && errno != ENOENT)
        report(diag, ctx, sp, 0, "warning", strerror(errno));
    free(sp);
    return 0;
}

static int load_source(const char *path, struct visa_image *img,
                       visa_diag_fn *diag, void *ctx)
{
    size_t len;
    char *src = visa_read_file(path, SOURCE_LIMIT, &len);
    if (!src) {
        report(diag, ctx, path, 0, "error", strerror(errno));
        return -1;
    }
    struct visa_asm_result *res = malloc(sizeof *res);
    if (!res) {
        free(src);
        report(diag, ctx, path, 0, "error", strerror(ENOMEM));
        return -1;
    }
    int errors = visa_asm(path, src, len, res, diag, ctx);
    free(src);
    int rc = -1;
    if (errors == 0 && res->size == 0) {
        report(diag, ctx, path, 0, "error", "image is empty");
    } else if (errors == 0) {
        memcpy(img->bytes, res->image, res->size);
        img->size = res->size;
        img->syms = res->syms;               /* take ownership */
        visa_symtab_init(&res->syms);
        rc = 0;
    }
    visa_asm_result_free(res);
    free(res);
    return rc;
}

int visa_load_image(const char *path, struct visa_image *img,
                    visa_diag_fn *diag, void *ctx)
{
    memset(img, 0, sizeof *img);
    visa_symtab_init(&img->syms);
    img->path = strdup(path);
    if (!img->path) {
        report(diag, ctx, path, 0, "error", strerror(ENOMEM));
        return -1;
    }
    int rc = visa_is_source(path) ? load_source(path, img, diag, ctx)
                                  : load_binary(path, img, diag, ctx);
    if (rc != 0)
        visa_image_free(img);
    return rc;
}

void visa_image_free(struct visa_image *img)
{
    free(img->path);
    img->path = NULL;
    visa_symtab_free(&img->syms);
    img->size = 0;
}
