/* check_docs.c - man/visa-isa.7 documents every opcode, exit cause,
 * hypercall, I/O port and guest state of isa.h.  The lists come from the
 * X-macros, so adding an entry without documenting it fails here.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>

#include <check.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "visa/isa.h"

/* The page as plain text lines, groff escapes removed. */
static char **lines;
static size_t nlines;

/* Append the plain text of groff source line SRC (escapes removed, a
 * `\"` comment dropped) to DST. */
static void strip_line(const char *src, char *dst)
{
    while (*src) {
        if (*src != '\\') {
            *dst++ = *src++;
            continue;
        }
        char c = src[1];
        src += c ? 2 : 1;
        switch (c) {
        case '"':                       /* comment: the rest of the line */
            *dst = '\0';
            return;
        case '-': *dst++ = '-'; break;
        case 'e': case '\\': *dst++ = '\\'; break;
        case ' ': case '~': case '0': *dst++ = ' '; break;
        case 'f':                       /* font: \fB, \f(CW, \f[CR] */
            if (*src == '(')
                src += strlen(src) >= 3 ? 3 : strlen(src);
            else if (*src == '[')
                src += strcspn(src, "]") + (strchr(src, ']') != NULL);
            else if (*src)
                src++;
            break;
        case '(': {                     /* two-letter glyph: \(aq, \(mu ... */
            static const struct { const char *name; char ch; } glyphs[] = {
                {"aq", '\''}, {"dq", '"'}, {"ha", '^'}, {"ti", '~'},
                {"ga", '`'}, {"rs", '\\'}, {"em", '-'}, {"en", '-'},
            };
            char ch = ' ';
            for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
                if (strncmp(src, glyphs[i].name, 2) == 0)
                    ch = glyphs[i].ch;
            *dst++ = ch;
            src += strlen(src) >= 2 ? 2 : strlen(src);
            break;
        }
        case '[':                       /* long glyph name */
            *dst++ = ' ';
            src += strcspn(src, "]") + (strchr(src, ']') != NULL);
            break;
        case '&': case '|': case '^': case ')': case '%': case 'c': case ':':
        case '\0':
            break;
        default:
            *dst++ = c;
            break;
        }
    }
    *dst = '\0';
}

/* Tokens are runs of letters, digits and `_`: 0x1A, page_fault, r1. */
static const char *next_token(const char *p, char *tok, size_t size)
{
    while (*p && !(isalnum((unsigned char)*p) || *p == '_'))
        p++;
    size_t n = 0;
    while (isalnum((unsigned char)*p) || *p == '_') {
        if (n + 1 < size)
            tok[n++] = *p;
        p++;
    }
    tok[n] = '\0';
    return n ? p : NULL;
}

static bool has_token(const char *line, const char *word)
{
    char tok[64];
    for (const char *p = line; (p = next_token(p, tok, sizeof tok));)
        if (strcasecmp(tok, word) == 0)
            return true;
    return false;
}

/* A row: a line whose first token is FIRST and that also has the tokens
 * W1 and W2 (each may be NULL). */
static bool has_row_in(char **v, size_t n, const char *first, const char *w1,
                       const char *w2)
{
    char tok[64];
    for (size_t i = 0; i < n; i++)
        if (next_token(v[i], tok, sizeof tok) && strcasecmp(tok, first) == 0 &&
            (!w1 || has_token(v[i], w1)) && (!w2 || has_token(v[i], w2)))
            return true;
    return false;
}

static bool has_row(const char *first, const char *w1, const char *w2)
{
    return has_row_in(lines, nlines, first, w1, w2);
}

static void load_page(void)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/man/visa-isa.7", top && *top ? top : ".");
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char buf[1024];
    size_t cap = 0;
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        if (nlines == cap) {
            cap = cap ? 2 * cap : 256;
            lines = realloc(lines, cap * sizeof *lines);
            ck_assert_ptr_nonnull(lines);
        }
        lines[nlines] = malloc(strlen(buf) + 1);
        ck_assert_ptr_nonnull(lines[nlines]);
        strip_line(buf, lines[nlines++]);
    }
    fclose(f);
    ck_assert_uint_gt(nlines, 0);
}

static void free_page(void)
{
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    lines = NULL;
    nlines = 0;
}

/* Collect what is missing so one run names all of it. */
struct missing {
    char text[2048];
    unsigned n;
};

static void miss(struct missing *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void miss(struct missing *m, const char *fmt, ...)
{
    size_t len = strlen(m->text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text + len, sizeof m->text - len, fmt, ap);
    va_end(ap);
    m->n++;
}

/* ---- The matcher itself -------------------------------------------- */

START_TEST(test_matcher)
{
    char *v[3], a[64], b[64], c[64];
    strip_line("0x0A\t\\fBjne\\fP\tB\tbranch if rs1 != rs2", a);
    strip_line(".\\\" 0x0B call: a comment is not a row", b);
    strip_line("r0 = 0x\\-1\\(em\\f(CWfine\\fR\\(aq", c);
    v[0] = a; v[1] = b; v[2] = c;
    ck_assert_str_eq(a, "0x0A\tjne\tB\tbranch if rs1 != rs2");
    ck_assert_str_eq(b, ".");
    ck_assert_str_eq(c, "r0 = 0x-1-fine'");
    ck_assert(has_row_in(v, 3, "0x0a", "jne", "B"));
    ck_assert(!has_row_in(v, 3, "0x0A", "jne", "J"));
    ck_assert(!has_row_in(v, 3, "0x0B", "call", NULL));
    ck_assert(!has_row_in(v, 3, "0x0A", "jn", NULL));
    ck_assert(!has_row_in(v, 3, "jne", NULL, NULL));
}
END_TEST

/* ---- The page ------------------------------------------------------- */

START_TEST(test_every_opcode)
{
    struct missing m = { "", 0 };
    char value[8];
    for (unsigned op = 0; op < 256; op++) {
        const struct visa_opinfo *oi = &visa_optab[op];
        if (!oi->mnemonic)
            continue;
        snprintf(value, sizeof value, "0x%02X", op);
        if (!has_row(value, oi->mnemonic, visa_fmttab[oi->fmt].name))
            miss(&m, " %s (0x%02X)", oi->mnemonic, op);
    }
    ck_assert_msg(m.n == 0, "no opcode row `0xNN mnemonic format` for:%s", m.text);
}
END_TEST

/* The other direction: an opcode row for a value the machine does not
 * have, or with another mnemonic, is documentation gone stale. */
START_TEST(test_no_stale_opcode_rows)
{
    char tok[64], mnem[64];
    for (size_t i = 0; i < nlines; i++) {
        const char *p = next_token(lines[i], tok, sizeof tok);
        if (!p || strlen(tok) != 4 || strncasecmp(tok, "0x", 2) != 0 ||
            !isxdigit((unsigned char)tok[2]) || !isxdigit((unsigned char)tok[3]) ||
            !next_token(p, mnem, sizeof mnem))
            continue;
        unsigned op = (unsigned)strtoul(tok, NULL, 16);
        ck_assert_msg(visa_optab[op].mnemonic != NULL,
                      "line %zu documents 0x%02X, which is not an opcode", i + 1, op);
        ck_assert_msg(strcasecmp(visa_optab[op].mnemonic, mnem) == 0,
                      "line %zu calls 0x%02X `%s`, isa.h says `%s`", i + 1, op, mnem,
                      visa_optab[op].mnemonic);
    }
}
END_TEST

START_TEST(test_every_exit_cause)
{
    struct missing m = { "", 0 };
    char value[8];
    for (unsigned c = 1; c < VISA_EXIT_COUNT; c++) {
        const struct visa_exitinfo *e = &visa_exittab[c];
        if (!e->name)
            continue;
        snprintf(value, sizeof value, "%u", c);
        if (!has_row(value, e->name, e->alias))
            miss(&m, " %s (%u)", e->name, c);
    }
    ck_assert_msg(m.n == 0, "no exit row `VALUE name (alias)` for:%s", m.text);
}
END_TEST

START_TEST(test_every_hypercall_and_port)
{
    static const struct { const char *name; unsigned num; } hcs[] = {
#define VISA_X_HC(name, num, hname, desc) { hname, num },
        VISA_HYPERCALLS(VISA_X_HC)
#undef VISA_X_HC
    }, ports[] = {
#define VISA_X_PORT(name, num, pname, desc) { pname, num },
        VISA_PORTS(VISA_X_PORT)
#undef VISA_X_PORT
    };
    struct missing m = { "", 0 };
    char value[16];
    for (size_t i = 0; i < sizeof hcs / sizeof hcs[0]; i++) {
        snprintf(value, sizeof value, "%u", hcs[i].num);
        if (!has_row(value, hcs[i].name, NULL))
            miss(&m, " hypercall %s (%u)", hcs[i].name, hcs[i].num);
    }
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        snprintf(value, sizeof value, "%u", ports[i].num);
        if (!has_row(value, ports[i].name, NULL))
            miss(&m, " port %s (%u)", ports[i].name, ports[i].num);
    }
    ck_assert_msg(m.n == 0, "no row `NUMBER name` for:%s", m.text);
}
END_TEST

START_TEST(test_every_guest_state)
{
    struct missing m = { "", 0 };
    for (unsigned s = 0; s < VISA_STATE_COUNT; s++)
        if (!has_row(visa_state_names[s], NULL, NULL))
            miss(&m, " %s", visa_state_names[s]);
    ck_assert_msg(m.n == 0, "no row starting with guest state:%s", m.text);
}
END_TEST

static Suite *docs_suite(void)
{
    Suite *s = suite_create("docs");
    TCase *tc = tcase_create("matcher");
    tcase_add_test(tc, test_matcher);
    suite_add_tcase(s, tc);

    tc = tcase_create("visa-isa.7");
    tcase_add_checked_fixture(tc, load_page, free_page);
    tcase_add_test(tc, test_every_opcode);
    tcase_add_test(tc, test_no_stale_opcode_rows);
    tcase_add_test(tc, test_every_exit_cause);
    tcase_add_test(tc, test_every_hypercall_and_port);
    tcase_add_test(tc, test_every_guest_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(docs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
