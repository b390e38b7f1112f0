/* main.c - `visa`: run vISA guests in batch mode or under the monitor.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "batch.h"
#include "visa/hv.h"
#include "visa/loader.h"
#include "../common/console.h"
#include "../monitor/monitor.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("visa: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'visa --help' for more information.\n", stderr);
    exit(2);
}

static void help(void)
{
    fputs(
"Usage: visa [OPTION]... IMAGE...\n"
"Run vISA guest virtual machines: to the end (batch mode, the default),\n"
"under the interactive monitor (-i), or under monitor command files (-x, -e).\n"
"IMAGE is a raw .bin image (symbols from NAME.sym beside it) or assembly\n"
"source (.s, .asm, .isa), assembled when loaded.  Guests are numbered from 1\n"
"in the order given.\n"
"\n"
"  -i, --interactive          open the monitor prompt with the guests loaded\n"
"  -x, --command=FILE         run monitor commands from FILE (repeatable);\n"
"                               without -i, exit when they are done\n"
"  -e, -ex, --eval-command=CMD  run one monitor command (repeatable, after -x)\n"
"  -s, --slice=N              time slice in instructions (default 2)\n"
"      --host-mem=SIZE        host physical memory (default 64K; K, M suffixes)\n"
"      --input=[N:]FILE       console input for guest N (default 1); - is stdin\n"
"      --max-instructions=N   stop after N instructions of the whole machine\n"
"      --trace                print every instruction executed\n"
"  -n, --nx                   do not read ~/.visarc\n"
"  -q, --quiet                no banner or summary\n"
"      --color=WHEN           colour the monitor's output: auto, always, never\n"
"  -h, --help                 display this help and exit\n"
"  -V, --version              output version information and exit\n"
"\n"
"Batch mode prints guest console output on stdout ([gN] before each line when\n"
"there are several guests) and a summary per guest on stderr.\n"
"\n"
"Exit status: batch: 0 if every guest stopped with exit code 0, 1 otherwise,\n"
"130 if interrupted; command files: 1 if an assert or a command failed;\n"
"-i: the status given to quit; 2 for usage and load errors.\n"
"\n"
"Examples:\n"
"  visa examples/hello.s                 run one guest to the end\n"
"  visa examples/count-a.s examples/count-b.s   two guests, interleaved\n"
"  visa -i examples/pagefault.s          debug it in the monitor\n"
"\n"
"Report bugs to: " PACKAGE_BUGREPORT "\n", stdout);
    exit(0);
}

static void version(void)
{
    puts("visa (" PACKAGE_NAME ") " PACKAGE_VERSION "\n"
         "Copyright (C) 2026 The vISA authors.\n"
         "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
         "This is free software: you are free to change and redistribute it.\n"
         "There is NO WARRANTY, to the extent permitted by law.");
    exit(0);
}

/* Parse a decimal/hex count in [MIN, MAX]; -1 on error. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0')
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0')
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno)
        return -1;
    if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kib") == 0)
        v <<= 10;
    else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mib") == 0)
        v <<= 20;
    else if (*end)
        return -1;
    if (v > VISA_HOST_MEM_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Print a diagnostic the GNU way: FILE:LINE:COL: SEVERITY: MESSAGE, then
 * the line and a caret; without a line, "visa: FILE: MESSAGE". */
static void print_diag(void *ctx, const struct visa_diag *d)
{
    (void)ctx;
    fflush(stdout);
    if (d->line == 0) {
        if (strcmp(d->severity, "error") == 0)
            fprintf(stderr, "visa: %s: %s\n", d->file, d->msg);
        else
            fprintf(stderr, "visa: %s: %s: %s\n", d->file, d->severity, d->msg);
        return;
    }
    if (d->col)
        fprintf(stderr, "%s:%u:%u: %s: %s\n", d->file, d->line, d->col, d->severity, d->msg);
    else
        fprintf(stderr, "%s:%u: %s: %s\n", d->file, d->line, d->severity, d->msg);
    if (d->src && d->col) {
        fprintf(stderr, " %.*s\n ", (int)d->src_len, d->src);
        for (unsigned i = 0; i + 1 < d->col && i < d->src_len; i++)
            fputc(d->src[i] == '\t' ? '\t' : ' ', stderr);
        fputs("^\n", stderr);
    }
}

struct input_opt { int guest; const char *file; };

int main(int argc, char **argv)
{
    enum { OPT_HOST_MEM = 256, OPT_INPUT, OPT_MAX, OPT_TRACE, OPT_COLOR };
    static const struct option longopts[] = {
        { "interactive", no_argument, NULL, 'i' },
        { "command", required_argument, NULL, 'x' },
        { "eval-command", required_argument, NULL, 'e' },
        { "slice", required_argument, NULL, 's' },
        { "host-mem", required_argument, NULL, OPT_HOST_MEM },
        { "input", required_argument, NULL, OPT_INPUT },
        { "max-instructions", required_argument, NULL, OPT_MAX },
        { "trace", no_argument, NULL, OPT_TRACE },
        { "nx", no_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' },
        { "color", required_argument, NULL, OPT_COLOR },
        { "colour", required_argument, NULL, OPT_COLOR },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    bool interactive = false, nx = false, trace = false, quiet = false;
    int color = -1;                     /* auto */
    uint32_t slice = VISA_DEFAULT_SLICE, host_mem = VISA_DEFAULT_HOST_MEM;
    uint64_t max_insns = 0;
    /* -x and -e run in order: all -x files, then all -e commands. */
    const char **xfiles = calloc((size_t)argc, sizeof *xfiles);
    const char **ecmds = calloc((size_t)argc, sizeof *ecmds);
    struct input_opt *inputs = calloc((size_t)argc, sizeof *inputs);
    int nx_files = 0, ne = 0, ninputs = 0;
    if (!xfiles || !ecmds || !inputs) {
        fputs("visa: out of memory\n", stderr);
        return 2;
    }

    /* gdb spells it -ex: accept it as -e. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-ex") == 0)
            argv[i] = (char *)"-e";

    int opt;
    while ((opt = getopt_long(argc, argv, "ix:e:s:nqhV", longopts, NULL)) != -1) {
        uint64_t v;
        switch (opt) {
        case 'i': interactive = true; break;
        case 'x': xfiles[nx_files++] = optarg; break;
        case 'e': ecmds[ne++] = optarg; break;
        case 's':
            if (parse_u64(optarg, 1, 0x80000000u, &v) != 0)
                usage_error("invalid time slice '%s' (1..2147483648)", optarg);
            slice = (uint32_t)v;
            break;
        case OPT_HOST_MEM:
            if (parse_size(optarg, &host_mem) != 0 || host_mem % VISA_PAGE_SIZE ||
                host_mem < VISA_GUEST_MEM)
                usage_error("invalid host memory size '%s' (a multiple of 4K from 16K to 64M)",
                            optarg);
            break;
        case OPT_INPUT: {
            const char *colon = strchr(optarg, ':');
            int guest = 1;
            const char *file = optarg;
            if (colon && colon != optarg) {
                char num[16];
                size_t n = (size_t)(colon - optarg);
                if (n < sizeof num) {
                    memcpy(num, optarg, n);
                    num[n] = '\0';
                    const char *p = num[0] == 'g' ? num + 1 : num;
                    if (parse_u64(p, 1, VISA_MAX_GUESTS, &v) == 0) {
                        guest = (int)v;
                        file = colon + 1;
                    }
                }
            }
            inputs[ninputs].guest = guest;
            inputs[ninputs++].file = file;
            break;
        }
        case OPT_MAX:
            if (parse_u64(optarg, 1, UINT64_MAX, &v) != 0)
                usage_error("invalid instruction count '%s'", optarg);
            max_insns = v;
            break;
        case OPT_TRACE: trace = true; break;
        case 'n': nx = true; break;
        case 'q': quiet = true; break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0) color = -1;
            else if (strcmp(optarg, "always") == 0) color = 1;
            else if (strcmp(optarg, "never") == 0) color = 0;
            else usage_error("invalid --color '%s' (auto, always or never)", optarg);
            break;
        case 'h': help(); break;
        case 'V': version(); break;
        default:
            fputs("Try 'visa --help' for more information.\n", stderr);
            return 2;
        }
    }
    int nimages = argc - optind;
    bool monitor = interactive || nx_files > 0 || ne > 0;
    if (nimages == 0 && !monitor)
        usage_error("%s", "no guest image given");
    if (nimages > VISA_MAX_GUESTS)
        usage_error("too many guests (%s; at most 16)", argv[optind + VISA_MAX_GUESTS]);

    struct visa_hv *hv;
    int rc = visa_hv_new(&hv, host_mem);
    if (rc != 0) {
        fprintf(stderr, "visa: --host-mem=%" PRIu32 ": %s\n", host_mem, visa_strerror(rc));
        return 2;
    }
    visa_hv_set_slice(hv, slice);

    struct visa_image **images = calloc((size_t)nimages + 1, sizeof *images);
    if (!images) {
        fputs("visa: out of memory\n", stderr);
        return 2;
    }
    for (int i = 0; i < nimages; i++) {
        const char *path = argv[optind + i];
        images[i] = malloc(sizeof **images);
        if (!images[i] || visa_load_image(path, images[i], print_diag, NULL) != 0)
            return 2;
        int id = visa_hv_add_guest(hv, images[i]->bytes, images[i]->size);
        if (id < 0) {
            fprintf(stderr, "visa: %s: %s\n", path, visa_strerror(id));
            return 2;
        }
    }

    struct console con;
    console_init(&con, stdout);
    console_set_prefixed(&con, nimages > 1);
    for (int i = 0; i < ninputs; i++) {
        if (inputs[i].guest > nimages && !monitor) {
            fprintf(stderr, "visa: --input: no guest %d\n", inputs[i].guest);
            return 2;
        }
        FILE *f = strcmp(inputs[i].file, "-") == 0 ? stdin : fopen(inputs[i].file, "rb");
        if (!f || console_queue_stream(&con, inputs[i].guest, f) != 0) {
            fprintf(stderr, "visa: %s: %s\n", inputs[i].file, strerror(errno));
            return 2;
        }
        if (f != stdin)
            fclose(f);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    /* Guest output appears line by line even through a pipe (a guest may
     * run for long); --trace writes too much for that. */
    if (!trace)
        setvbuf(stdout, NULL, _IOLBF, 0);

    int status;
    if (!monitor) {
        struct batch_opts o = { max_insns, trace, quiet };
        status = batch_run(hv, &con, images, &o, &interrupted);
        for (int i = 0; i < nimages; i++) {
            visa_image_free(images[i]);
            free(images[i]);
        }
    } else {
        struct mon *m = calloc(1, sizeof *m);
        if (!m || mon_init(m, hv, &con, images, nimages, &interrupted) != 0) {
            fputs("visa: out of memory\n", stderr);
            return 2;
        }
        m->max_insns = max_insns;
        m->color = color == 1 || (color == -1 && interactive && isatty(STDOUT_FILENO));
        if (interactive && !quiet && isatty(STDIN_FILENO))
            printf("vISA %s monitor: %d guest%s loaded. Type 'help' for commands.\n",
                   PACKAGE_VERSION, nimages, nimages == 1 ? "" : "s");
        status = 0;
        /* As gdb does with its init file: ~/.visarc first, then -x, -e. */
        if (interactive && !nx)
            mon_source_visarc(m);
        for (int i = 0; i < nx_files && !m->quit; i++)
            if (mon_source(m, xfiles[i]) != 0 && !m->on_error_continue)
                break;
        for (int i = 0; i < ne && !m->quit; i++)
            if (mon_exec_line(m, ecmds[i]) != 0 && !m->on_error_continue)
                break;
        if (interactive && !m->quit)
            status = mon_interactive(m, false);
        else
            status = m->quit ? m->quit_status : m->status;
        console_flush(&con);
        mon_free(m);
        free(m);
    }
    fflush(stdout);
    console_free(&con);
    visa_hv_free(hv);
    free(images);
    free(xfiles);
    free(ecmds);
    free(inputs);
    return status;
}
