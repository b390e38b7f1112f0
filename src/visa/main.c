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

/* Report a usage error; returns the exit status for it (2). */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("visa: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'visa --help' for more information.\n", stderr);
    return 2;
}

static int help(void)
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
"  visa examples/two-guests.s examples/hello.s   two guests, interleaved\n"
"  visa -i examples/pagefault.s          debug it in the monitor\n"
"\n"
"Report bugs to: " PACKAGE_BUGREPORT "\n", stdout);
    return 0;
}

static int version(void)
{
    puts("visa (" PACKAGE_NAME ") " PACKAGE_VERSION "\n"
         "Copyright (C) 2026 The vISA authors.\n"
         "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
         "This is free software: you are free to change and redistribute it.\n"
         "There is NO WARRANTY, to the extent permitted by law.");
    return 0;
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

struct opts {
    bool interactive, nx, trace, quiet;
    int color;                          /* -1 auto, 0 never, 1 always */
    uint32_t slice, host_mem;
    uint64_t max_insns;
    /* -x and -e run in order: all -x files, then all -e commands. */
    const char **xfiles, **ecmds;
    struct input_opt *inputs;
    int nx_files, ne, ninputs;
    char **images;
    int nimages;
};

/* Parse the command line into O.  Returns -1 to go on, else the exit
 * status (0 after --help or --version, 2 for a usage error). */
static int parse_args(int argc, char **argv, struct opts *o)
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

    /* gdb spells it -ex: accept it as -e. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-ex") == 0)
            argv[i] = (char *)"-e";

    int opt;
    while ((opt = getopt_long(argc, argv, "ix:e:s:nqhV", longopts, NULL)) != -1) {
        uint64_t v;
        switch (opt) {
        case 'i': o->interactive = true; break;
        case 'x': o->xfiles[o->nx_files++] = optarg; break;
        case 'e': o->ecmds[o->ne++] = optarg; break;
        case 's':
            if (parse_u64(optarg, 1, 0x80000000u, &v) != 0)
                return usage_error("invalid time slice '%s' (1..2147483648)", optarg);
            o->slice = (uint32_t)v;
            break;
        case OPT_HOST_MEM:
            if (parse_size(optarg, &o->host_mem) != 0 || o->host_mem % VISA_PAGE_SIZE ||
                o->host_mem < VISA_GUEST_MEM)
                return usage_error("invalid host memory size '%s' (a multiple of 4K from 16K to 64M)",
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
            o->inputs[o->ninputs].guest = guest;
            o->inputs[o->ninputs++].file = file;
            break;
        }
        case OPT_MAX:
            if (parse_u64(optarg, 1, UINT64_MAX, &v) != 0)
                return usage_error("invalid instruction count '%s'", optarg);
            o->max_insns = v;
            break;
        case OPT_TRACE: o->trace = true; break;
        case 'n': o->nx = true; break;
        case 'q': o->quiet = true; break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0) o->color = -1;
            else if (strcmp(optarg, "always") == 0) o->color = 1;
            else if (strcmp(optarg, "never") == 0) o->color = 0;
            else return usage_error("invalid --color '%s' (auto, always or never)", optarg);
            break;
        case 'h': return help();
        case 'V': return version();
        default:
            fputs("Try 'visa --help' for more information.\n", stderr);
            return 2;
        }
    }
    o->images = argv + optind;
    o->nimages = argc - optind;
    bool monitor = o->interactive || o->nx_files > 0 || o->ne > 0;
    if (o->nimages == 0 && !monitor)
        return usage_error("%s", "no guest image given");
    if (o->nimages > VISA_MAX_GUESTS)
        return usage_error("too many guests (%s; at most 16)", o->images[VISA_MAX_GUESTS]);
    return -1;
}

/* The monitor: ~/.visarc (with -i), the -x files, the -e commands, then
 * the prompt (with -i).  Returns the exit status. */
static int run_monitor(struct mon *m, const struct opts *o)
{
    m->max_insns = o->max_insns;
    m->color = o->color == 1 || (o->color == -1 && o->interactive && isatty(STDOUT_FILENO));
    if (o->interactive && !o->quiet && isatty(STDIN_FILENO))
        printf("vISA %s monitor: %d guest%s loaded. Type 'help' for commands.\n",
               PACKAGE_VERSION, o->nimages, o->nimages == 1 ? "" : "s");
    /* As gdb does with its init file: ~/.visarc first, then -x, -e.  A
     * failing command stops them all unless `set on-error continue`. */
    bool stop = false;
    if (o->interactive && !o->nx)
        mon_source_visarc(m);
    for (int i = 0; i < o->nx_files && !m->quit && !stop; i++)
        stop = mon_source(m, o->xfiles[i]) != 0 && !m->on_error_continue;
    for (int i = 0; i < o->ne && !m->quit && !stop; i++)
        stop = mon_exec_line(m, o->ecmds[i]) != 0 && !m->on_error_continue;
    if (o->interactive && !m->quit)
        return mon_interactive(m, false);
    return m->quit ? m->quit_status : m->status;
}

/* Load the guests and run them (batch or monitor); the exit status. */
static int run(const struct opts *o)
{
    int status = 2, loaded = 0;
    bool monitor = o->interactive || o->nx_files > 0 || o->ne > 0;
    struct visa_hv *hv = NULL;
    struct mon *m = NULL;
    struct console con;
    console_init(&con, stdout);
    struct visa_image **images = calloc((size_t)o->nimages + 1, sizeof *images);
    if (!images) {
        fputs("visa: out of memory\n", stderr);
        goto out;
    }
    int rc = visa_hv_new(&hv, o->host_mem);
    if (rc != 0) {
        fprintf(stderr, "visa: --host-mem=%" PRIu32 ": %s\n", o->host_mem, visa_strerror(rc));
        goto out;
    }
    visa_hv_set_slice(hv, o->slice);
    for (; loaded < o->nimages; loaded++) {
        const char *path = o->images[loaded];
        struct visa_image *img = malloc(sizeof *img);
        if (!img) {
            fputs("visa: out of memory\n", stderr);
            goto out;
        }
        if (visa_load_image(path, img, print_diag, NULL) != 0) {
            free(img);
            goto out;
        }
        images[loaded] = img;
        int id = visa_hv_add_guest(hv, img->bytes, img->size);
        if (id < 0) {
            fprintf(stderr, "visa: %s: %s\n", path, visa_strerror(id));
            loaded++;
            goto out;
        }
    }

    console_set_prefixed(&con, o->nimages > 1);
    for (int i = 0; i < o->ninputs; i++) {
        if (o->inputs[i].guest > o->nimages && !monitor) {
            fprintf(stderr, "visa: --input: no guest %d\n", o->inputs[i].guest);
            goto out;
        }
        bool is_stdin = strcmp(o->inputs[i].file, "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(o->inputs[i].file, "rb");
        int err = 0;
        if (!f || console_queue_stream(&con, o->inputs[i].guest, f) != 0)
            err = errno;
        if (f && !is_stdin)
            fclose(f);
        if (err) {
            fprintf(stderr, "visa: %s: %s\n", o->inputs[i].file, strerror(err));
            goto out;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    /* Guest output appears line by line even through a pipe (a guest may
     * run for long); --trace writes too much for that. */
    if (!o->trace)
        setvbuf(stdout, NULL, _IOLBF, 0);

    if (!monitor) {
        struct batch_opts bo = { o->max_insns, o->trace, o->quiet };
        status = batch_run(hv, &con, images, &bo, &interrupted);
    } else {
        m = calloc(1, sizeof *m);
        if (!m || mon_init(m, hv, &con, images, o->nimages, &interrupted) != 0) {
            free(m);
            m = NULL;
            fputs("visa: out of memory\n", stderr);
            goto out;
        }
        loaded = 0;                     /* the monitor owns the images now */
        status = run_monitor(m, o);
    }
out:
    console_flush(&con);
    if (m) {
        mon_free(m);
        free(m);
    }
    for (int i = 0; i < loaded; i++) {
        visa_image_free(images[i]);
        free(images[i]);
    }
    free(images);
    fflush(stdout);
    console_free(&con);
    if (hv)
        visa_hv_free(hv);
    return status;
}

int main(int argc, char **argv)
{
    struct opts o = {
        .color = -1, .slice = VISA_DEFAULT_SLICE, .host_mem = VISA_DEFAULT_HOST_MEM,
    };
    o.xfiles = calloc((size_t)argc, sizeof *o.xfiles);
    o.ecmds = calloc((size_t)argc, sizeof *o.ecmds);
    o.inputs = calloc((size_t)argc, sizeof *o.inputs);
    int status = 2;
    if (!o.xfiles || !o.ecmds || !o.inputs)
        fputs("visa: out of memory\n", stderr);
    else if ((status = parse_args(argc, argv, &o)) < 0)
        status = run(&o);
    free(o.xfiles);
    free(o.ecmds);
    free(o.inputs);
    return status;
}
