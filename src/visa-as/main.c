/* visa-as - assemble vISA source into a raw image (machine.md section 9).
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "visa/asm.h"
#include "visa/disas.h"
#include "visa/symtab.h"

#define PROG "visa-as"
/* Source lines longer than this are shown as a window around the column. */
#define ECHO_MAX 160

static const char usage_text[] =
    "Usage: " PROG " [OPTION]... FILE\n"
    "  or:  " PROG " -d IMAGE\n"
    "Assemble the vISA source FILE into a raw image and a symbol file.\n"
    "\n"
    "  -o, --output=OUT       write the image to OUT (default: FILE with its\n"
    "                         extension replaced by .bin) and its labels to OUT\n"
    "                         with the extension replaced by .sym\n"
    "  -l, --listing          print a listing (line, address, bytes, source)\n"
    "  -d, --disassemble=IMAGE  print IMAGE as re-assemblable source, with the\n"
    "                         labels of IMAGE's .sym file if there is one\n"
    "  -h, --help             display this help and exit\n"
    "  -V, --version          output version information and exit\n"
    "\n"
    "FILE '-' reads standard input and then needs -o.\n"
    "Exit status: 0 success, 1 assembly or file error, 2 usage error.\n"
    "See visa-as(1) and visa-isa(7).\n";

__attribute__((format(printf, 1, 2), noreturn))
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry '" PROG " --help' for more information.\n", stderr);
    exit(2);
}

static void file_error(const char *path)
{
    fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
}

/* PATH with the extension of its last component replaced by EXT (a
 * leading dot, as in ".profile", is not an extension). */
static char *with_ext(const char *path, const char *ext)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t keep = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    char *s = malloc(keep + strlen(ext) + 1);
    if (!s) {
        perror(PROG);
        exit(1);
    }
    memcpy(s, path, keep);
    strcpy(s + keep, ext);
    return s;
}

/* Read all of F; NULL with errno set on failure. */
static char *read_stream(FILE *f, size_t *len)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int err = errno;
        free(buf);
        errno = err ? err : EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

static char *read_file(const char *path, size_t *len)
{
    if (strcmp(path, "-") == 0)
        return read_stream(stdin, len);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = read_stream(f, len);
    int err = errno;
    fclose(f);
    errno = err;
    return buf;
}

/* ---- Diagnostics ------------------------------------------------------------ */
/* Echo the source line and a caret under COL.  Tabs stay tabs in the caret
 * line's padding so that it lines up; other control bytes echo as '?'. */
static void echo_source(const char *src, size_t len, unsigned col)
{
    size_t at = col ? col - 1 : 0, from = 0, to = len;
    if (at > len)
        at = len;
    if (len > ECHO_MAX) {
        from = at > ECHO_MAX / 2 ? at - ECHO_MAX / 2 : 0;
        to = from + ECHO_MAX < len ? from + ECHO_MAX : len;
    }
    const char *pre = from ? "..." : "";
    fputs(pre, stderr);
    for (size_t i = from; i < to; i++) {
        unsigned char ch = (unsigned char)src[i];
        fputc(ch == '\t' || ch >= 0x20 ? ch : '?', stderr);
    }
    fputs(to < len ? "...\n" : "\n", stderr);
    fputs(pre, stderr);
    for (size_t i = from; i < at; i++)
        fputc(src[i] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

static void print_diag(void *ctx, const struct visa_diag *d)
{
    (void)ctx;
    fprintf(stderr, "%s:%u:%u: %s: %s\n", d->file, d->line, d->col, d->severity, d->msg);
    if (d->src)
        echo_source(d->src, d->src_len, d->col);
}

static void print_warning(void *ctx, const char *file, unsigned line, const char *msg)
{
    (void)ctx;
    if (line)
        fprintf(stderr, "%s:%u: warning: %s\n", file, line, msg);
    else
        fprintf(stderr, "%s: warning: %s\n", file, msg);
}

/* ---- Listing ------------------------------------------------------------- */
/* Bytes per listing row, and rows shown before "..." (for .space and such). */
enum { ROW = 4, MAX_ROWS = 4 };

static void print_listing(const struct visa_asm_result *res, const char *src, size_t len)
{
    size_t off = 0;
    unsigned line = 1;
    for (size_t i = 0; i < res->nlines; i++) {
        const struct visa_asm_line *l = &res->lines[i];
        for (; line < l->line && off < len; line++) {
            const char *nl = memchr(src + off, '\n', len - off);
            off = nl ? (size_t)(nl - src) + 1 : len;
        }
        const char *nl = memchr(src + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (src + off)) : len - off;
        if (n && src[off + n - 1] == '\r')
            n--;
        for (uint32_t row = 0; row == 0 || (row < l->size && row < ROW * MAX_ROWS); row += ROW) {
            char bytes[3 * ROW + 1] = "";
            int pos = 0;
            for (uint32_t b = row; b < l->size && b < row + ROW; b++)
                pos += snprintf(bytes + pos, sizeof bytes - (size_t)pos, "%s%02x",
                                pos ? " " : "", res->image[l->addr + b]);
            if (row == 0)
                printf("%5u  %08x  %-11s  %.*s\n", l->line, (unsigned)l->addr, bytes,
                       (int)n, src + off);
            else
                printf("       %08x  %s\n", (unsigned)(l->addr + row), bytes);
        }
        if (l->size > ROW * MAX_ROWS)
            printf("       %8s  ... (%u bytes)\n", "", (unsigned)l->size);
    }
}

/* ---- Output files ------------------------------------------------------------ */
struct tmpfile {
    const char *final;      /* the name the user asked for */
    char *path;
    FILE *f;
};

/* A temporary file beside T->final, with the permissions a plain fopen
 * would give. */
static bool tmp_open(struct tmpfile *t)
{
    const char *slash = strrchr(t->final, '/');
    size_t dir = slash ? (size_t)(slash - t->final) + 1 : 0;
    t->path = malloc(strlen(t->final) + 16);
    if (!t->path)
        return false;
    snprintf(t->path, strlen(t->final) + 16, "%.*s.%s.XXXXXX", (int)dir, t->final,
             t->final + dir);
    int fd = mkstemp(t->path);
    if (fd < 0) {
        free(t->path);
        t->path = NULL;
        return false;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(t->f = fdopen(fd, "wb"))) {
        int err = errno;
        close(fd);
        errno = err;
        return false;
    }
    return true;
}

/* Flush, sync and close; false (errno set) when anything failed. */
static bool tmp_close(struct tmpfile *t)
{
    bool ok = fflush(t->f) == 0 && fsync(fileno(t->f)) == 0;
    int err = errno;
    if (fclose(t->f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    t->f = NULL;
    errno = err;
    return ok;
}

static void tmp_discard(struct tmpfile *t)
{
    if (t->f)
        fclose(t->f);
    if (t->path) {
        unlink(t->path);
        free(t->path);
    }
    t->f = NULL;
    t->path = NULL;
}

/* rename() over a directory fails; find out before renaming anything. */
static bool replaceable(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return true;
    errno = EISDIR;
    return false;
}

/* Write the image to OUT and the labels to SYM, each through a temporary
 * file renamed into place, so that a failure leaves the old files alone
 * (only a failure between the two renames, which the checks above make
 * unlikely, could replace the image and not the symbols). */
static bool write_outputs(const char *out, const char *sym, const struct visa_asm_result *res)
{
    struct tmpfile img = { .final = out }, st = { .final = sym };
    struct tmpfile *failed = &img;
    if (!replaceable(out))
        goto fail;
    failed = &st;
    if (!replaceable(sym))
        goto fail;
    failed = &img;
    if (!tmp_open(&img) || fwrite(res->image, 1, res->size, img.f) != res->size ||
        !tmp_close(&img))
        goto fail;
    failed = &st;
    if (!tmp_open(&st) || visa_symtab_write(&res->syms, st.f) != 0 || !tmp_close(&st))
        goto fail;
    failed = &img;
    if (rename(img.path, out) != 0)
        goto fail;
    free(img.path);
    img.path = NULL;
    failed = &st;
    if (rename(st.path, sym) != 0)
        goto fail;
    free(st.path);
    return true;
fail:
    fprintf(stderr, PROG ": %s: %s\n", failed->final, strerror(errno));
    tmp_discard(&img);
    tmp_discard(&st);
    return false;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0)
        return true;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* ---- Modes --------------------------------------------------------------- */
static int assemble(const char *in, const char *out, bool listing)
{
    size_t len = 0;
    char *src = read_file(in, &len);
    if (!src) {
        file_error(strcmp(in, "-") == 0 ? "-" : in);
        return 1;
    }
    char *default_out = out ? NULL : with_ext(in, ".bin");
    if (!out)
        out = default_out;
    char *sym = with_ext(out, ".sym");
    int status = 1;
    struct visa_asm_result *res = malloc(sizeof *res);
    if (!res) {
        perror(PROG);
        goto done;
    }
    if (strcmp(in, "-") != 0 && (same_file(in, out) || same_file(in, sym))) {
        fprintf(stderr, PROG ": %s: output would overwrite the input; use -o\n", in);
        goto done;
    }
    if (strcmp(out, sym) == 0) {
        fprintf(stderr, PROG ": %s: the image and the symbol file cannot share a name\n", out);
        goto done;
    }
    const char *name = strcmp(in, "-") == 0 ? "<stdin>" : in;
    if (visa_asm(name, src, len, res, print_diag, NULL) == 0 && write_outputs(out, sym, res)) {
        if (listing)
            print_listing(res, src, len);
        status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
        if (status)
            perror(PROG ": standard output");
    }
    visa_asm_result_free(res);
done:
    free(res);
    free(sym);
    free(default_out);
    free(src);
    return status;
}

static int disassemble(const char *path)
{
    size_t len = 0;
    char *img = read_file(path, &len);
    if (!img) {
        file_error(path);
        return 1;
    }
    if (len > VISA_GUEST_MEM) {
        fprintf(stderr, PROG ": %s: image is %zu bytes, larger than %u bytes of guest memory\n",
                path, len, VISA_GUEST_MEM);
        free(img);
        return 1;
    }
    struct visa_symtab syms;
    visa_symtab_init(&syms);
    char *sym = with_ext(path, ".sym");
    if (visa_symtab_read(&syms, sym, print_warning, NULL) != 0 && errno != ENOENT)
        fprintf(stderr, PROG ": %s: warning: %s\n", sym, strerror(errno));
    int status = 0;
    if (visa_disas_image(stdout, (const uint8_t *)img, len, &syms) != 0 ||
        fflush(stdout) != 0 || ferror(stdout)) {
        perror(PROG ": standard output");
        status = 1;
    }
    visa_symtab_free(&syms);
    free(sym);
    free(img);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output",      required_argument, NULL, 'o' },
        { "listing",     no_argument,       NULL, 'l' },
        { "disassemble", required_argument, NULL, 'd' },
        { "help",        no_argument,       NULL, 'h' },
        { "version",     no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL, *dis = NULL;
    bool listing = false;
    int ch;
    opterr = 0;     /* usage_error words the messages */
    while ((ch = getopt_long(argc, argv, ":o:ld:hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        case 'l': listing = true; break;
        case 'd': dis = optarg; break;
        case 'h':
            fputs(usage_text, stdout);
            return fflush(stdout) == 0 ? 0 : 1;
        case 'V':
            puts(PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION "\n"
                 "License GPL-3.0-or-later: GNU GPL version 3 or later "
                 "<https://gnu.org/licenses/gpl.html>.\n"
                 "This is free software: you are free to change and redistribute it.\n"
                 "There is NO WARRANTY, to the extent permitted by law.");
            return fflush(stdout) == 0 ? 0 : 1;
        case ':':
            if (optopt)
                usage_error("option '-%c' requires an argument", optopt);
            usage_error("option '%s' requires an argument", argv[optind - 1]);
        default:
            if (optopt)
                usage_error("invalid option -- '%c'", optopt);
            usage_error("unrecognized option '%s'", argv[optind - 1]);
        }
    }
    if (dis) {
        if (out || listing)
            usage_error("--disassemble cannot be combined with --output or --listing");
        if (optind < argc)
            usage_error("extra operand '%s'", argv[optind]);
        return disassemble(dis);
    }
    if (optind == argc)
        usage_error("no input file");
    if (optind + 1 < argc)
        usage_error("extra operand '%s'", argv[optind + 1]);
    if (strcmp(argv[optind], "-") == 0 && !out)
        usage_error("reading standard input needs -o OUT");
    if (out && !*out)
        usage_error("empty output file name");
    return assemble(argv[optind], out, listing);
}
