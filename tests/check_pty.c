/* check_pty.c - the interactive monitor through a real pseudo-terminal:
 * completion, history, Ctrl-C, empty-line repeat.
 *
 * Copyright (C) 2026 The vISA authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test runs the built `visa -i` ($VISA) on the slave side of a pty
 * with HOME and VISA_HISTFILE in a fresh temporary directory, types at
 * the master side and reads until an expected string appears (poll with a
 * generous timeout, no sleeps).  Without a pty the tests are skipped (77).
 */
/* posix_openpt, grantpt, unlockpt and ptsname are XSI */
#define _XOPEN_SOURCE 700
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 20000

static int master = -1;
static pid_t child = -1;
static char dir[64];
static char buf[1 << 16];
static size_t blen;             /* bytes in buf */
static size_t bpos;             /* where the next search starts */

static const char *visa_path(void)
{
    const char *v = getenv("VISA");
    return v && *v ? v : "./visa";
}

static const char *guest_path(const char *name)
{
    static char p[1024];
    const char *top = getenv("top_srcdir");
    snprintf(p, sizeof p, "%s/tests/monitor/%s", top ? top : "..", name);
    return p;
}

static void make_dir(void)
{
    if (dir[0])
        return;
    snprintf(dir, sizeof dir, "/tmp/check_pty.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Start `visa -q -i GUEST` on a new pty. */
static void spawn(const char *guest)
{
    char hist[128];
    make_dir();
    snprintf(hist, sizeof hist, "%s/history", dir);
    master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    const char *slave = ptsname(master);
    ck_assert_ptr_nonnull(slave);
    struct winsize ws = { .ws_row = 24, .ws_col = 200 };
    blen = bpos = 0;
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        setsid();
        int s = open(slave, O_RDWR);
        if (s < 0)
            _exit(126);
        ioctl(s, TIOCSWINSZ, &ws);
        dup2(s, 0);
        dup2(s, 1);
        dup2(s, 2);
        if (s > 2)
            close(s);
        close(master);
        setenv("HOME", dir, 1);
        setenv("VISA_HISTFILE", hist, 1);
        setenv("TERM", "dumb", 1);
        setenv("INPUTRC", "/dev/null", 1);
        execl(visa_path(), visa_path(), "-q", "-i", "--color=never", guest_path(guest), (char *)NULL);
        _exit(127);
    }
}

/* Read until NEEDLE appears after what earlier calls matched. */
static bool expect(const char *needle)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        buf[blen] = '\0';
        char *hit = strstr(buf + bpos, needle);
        if (hit) {
            bpos = (size_t)(hit - buf) + strlen(needle);
            return true;
        }
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= TIMEOUT_MS)
            return false;
        struct pollfd p = { .fd = master, .events = POLLIN };
        int r = poll(&p, 1, (int)(TIMEOUT_MS - ms));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        if (blen + 1 >= sizeof buf) {      /* keep the tail */
            size_t keep = sizeof buf / 2;
            memmove(buf, buf + blen - keep, keep);
            bpos = bpos > blen - keep ? bpos - (blen - keep) : 0;
            blen = keep;
        }
        ssize_t n = read(master, buf + blen, sizeof buf - 1 - blen);
        if (n <= 0)
            return false;               /* EIO: the child has gone */
        blen += (size_t)n;
    }
}

#define EXPECT(s) ck_assert_msg(expect(s), "never saw '%s'; output:\n%s", (s), buf)

static void type(const char *s)
{
    size_t n = strlen(s);
    ck_assert_int_eq(write(master, s, n), (ssize_t)n);
}

/* Wait for the child to end; its exit status, or -1. */
static int reap(void)
{
    int st;
    for (;;) {
        pid_t r = waitpid(child, &st, WNOHANG);
        if (r == child)
            break;
        /* drain the pty so the child never blocks writing; once the
         * slave side is closed the child is ending: wait for it (Check's
         * timeout is the backstop) */
        struct pollfd p = { .fd = master, .events = POLLIN };
        if (poll(&p, 1, 100) > 0 && read(master, buf, sizeof buf - 1) <= 0) {
            waitpid(child, &st, 0);
            break;
        }
    }
    child = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void teardown(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = -1;
    }
    if (master >= 0)
        close(master);
    master = -1;
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
        dir[0] = '\0';
    }
}

START_TEST(test_completion)
{
    spawn("loop.s");
    EXPECT("(visa) ");
    type("tic\t");
    EXPECT("tick");
    type("\025");                       /* Ctrl-U: kill the line */
    type("break exit pa\t");
    EXPECT("page_fault");
    type("\025");
    type("break lo\t");                 /* a symbol of the focused guest */
    EXPECT("loop");
    type("\n");
    EXPECT("Breakpoint 1 at loop");
    type("info bre\t");                 /* a sub-word */
    EXPECT("breakpoints");
    type("\n");
    EXPECT("1    breakpoint");
    type("quit\n");
    ck_assert_int_eq(reap(), 0);
}
END_TEST

START_TEST(test_history)
{
    char hist[128];
    spawn("loop.s");
    EXPECT("(visa) ");
    type("print 1234\n");
    EXPECT("0x000004d2 (1234)");
    /* (a Ctrl-D typed ahead, while the terminal is still in canonical
     * mode, would reach Readline as a NUL byte) */
    EXPECT("(visa) ");
    type("\004");                       /* Ctrl-D: end of input */
    ck_assert_int_eq(reap(), 0);
    close(master);
    master = -1;
    snprintf(hist, sizeof hist, "%s/history", dir);
    struct stat st;
    ck_assert_int_eq(stat(hist, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    FILE *f = fopen(hist, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    bool found = false;
    while (fgets(line, sizeof line, f))
        found = found || strstr(line, "print 1234");
    fclose(f);
    ck_assert_msg(found, "the history file lacks the command");
    /* a second session recalls it with the up arrow */
    spawn("loop.s");
    EXPECT("(visa) ");
    type("\033[A");
    EXPECT("print 1234");
    type("\n");
    EXPECT("0x000004d2 (1234)");
    type("quit\n");
    ck_assert_int_eq(reap(), 0);
}
END_TEST

START_TEST(test_interrupt)
{
    spawn("loop.s");
    EXPECT("(visa) ");
    type("continue\n");
    EXPECT("Continuing.");
    type("\003");                       /* Ctrl-C */
    EXPECT("Interrupted.");
    EXPECT("(visa) ");
    /* the machine is intact */
    type("print pc < 0x14 && state == RUNNING\n");
    EXPECT("0x00000001 (1)");
    type("regs\n");
    EXPECT("r31");
    EXPECT("(visa) ");
    /* Ctrl-C at the prompt drops the line */
    type("print 99");
    EXPECT("print 99");                 /* readline has the line (its echo) */
    type("\003");
    EXPECT("(visa) ");
    type("print 5\n");
    EXPECT("0x00000005 (5)");
    ck_assert_ptr_null(strstr(buf, "(99)"));
    type("quit 7\n");
    ck_assert_int_eq(reap(), 7);
}
END_TEST

START_TEST(test_repeat)
{
    spawn("loop.s");
    EXPECT("(visa) ");
    type("step\n");
    EXPECT("=> 0x00000004");
    type("\n");                         /* repeats step */
    EXPECT("=> 0x00000008");
    type("\n");
    EXPECT("=> 0x0000000c");
    type("print 1\n");
    EXPECT("0x00000001 (1)");
    type("\n");                         /* print does not repeat */
    type("print 2\n");
    EXPECT("(visa) ");
    EXPECT("0x00000002 (2)");
    ck_assert_ptr_null(strstr(buf + bpos, "0x00000001"));
    type("quit\n");
    ck_assert_int_eq(reap(), 0);
}
END_TEST

int main(void)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || !ptsname(fd)) {
        fprintf(stderr, "check_pty: no pseudo-terminal (%s): skipped\n",
                strerror(errno));
        return 77;
    }
    close(fd);
    if (access(visa_path(), X_OK) != 0) {
        fprintf(stderr, "check_pty: %s is not built: skipped\n", visa_path());
        return 77;
    }
    Suite *s = suite_create("pty");
    TCase *tc = tcase_create("readline");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_completion);
    tcase_add_test(tc, test_history);
    tcase_add_test(tc, test_interrupt);
    tcase_add_test(tc, test_repeat);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
