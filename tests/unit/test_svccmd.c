/* Unit tests for experiment/svccmd: the execution environments' wrapper command lines and the
 * folders of this machine a command needs in a container: the program's, an executable
 * argument's, a script's interpreter prefix (bin/ stands for its parent), nothing under /usr,
 * no repeats, flags and missing files left out. (The runner itself needs root and is covered
 * by tests/integration/experiment_*.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tmpdir.h"

#include "experiment/svccmd.h"

static size_t wrap(const quire_svc_run *s, const char **argv)
{
    static char supp[256];
    size_t n = quire_xrun_wrap(s, argv, supp, sizeof supp);
    argv[n] = NULL;
    return n;
}

static void test_none(void **state)
{
    (void)state;
    quire_svc_run s;
    memset(&s, 0, sizeof s);
    const char *argv[32];
    assert_int_equal(wrap(&s, argv), 0);
}

static void test_memcheck(void **state)
{
    (void)state;
    quire_svc_run s;
    memset(&s, 0, sizeof s);
    s.wraps[QUIRE_EXENV_MEMCHECK] = 1;
    s.suppressions = "/x/go.supp";
    const char *argv[32];
    size_t n = wrap(&s, argv);
    assert_string_equal(argv[0], "valgrind");
    assert_string_equal(argv[1], "--vgdb=no"); /* no FIFOs left in /tmp */
    assert_string_equal(argv[2], "--tool=memcheck");
    int xml = 0, leak = 0;
    for (size_t i = 0; i < n; i++) {
        xml |= !strcmp(argv[i], "--xml-file=/logs/memcheck.xml");
        leak |= !strcmp(argv[i], "--leak-check=full");
    }
    assert_true(xml && leak);
    assert_string_equal(argv[n - 1], "--suppressions=/x/go.supp");
}

static void test_order(void **state)
{
    (void)state;
    quire_svc_run s;
    memset(&s, 0, sizeof s);
    s.wraps[QUIRE_EXENV_PERF] = 1;
    s.wraps[QUIRE_EXENV_STRACE] = 1;
    s.wraps[QUIRE_EXENV_HELGRIND] = 1;
    const char *argv[32];
    size_t n = wrap(&s, argv);
    /* perf record -q -g -o /logs/perf.data -- strace -f -tt -o /logs/strace.log -- valgrind ... */
    assert_string_equal(argv[0], "perf");
    assert_string_equal(argv[5], "/logs/perf.data");
    assert_string_equal(argv[6], "--");
    assert_string_equal(argv[7], "strace");
    assert_string_equal(argv[11], "/logs/strace.log");
    assert_string_equal(argv[12], "--");
    assert_string_equal(argv[13], "valgrind");
    assert_string_equal(argv[15], "--tool=helgrind");
    assert_string_equal(argv[n - 1], "--log-file=/logs/helgrind.log");
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
}

static void test_folders(void **state)
{
    (void)state;
    char d[128], real[PATH_MAX], p[PATH_MAX + 64], want[3][PATH_MAX + 64];
    assert_int_equal(test_tmpdir_make(d, sizeof d, "svccmd"), 0);
    assert_non_null(realpath(d, real));
    const char *dirs[] = {"prefix", "prefix/bin", "tools", "other"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", real, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    snprintf(p, sizeof p, "%s/prefix/bin/interp", real);
    put_file(p, "\177ELF not really\n");
    char shebang[PATH_MAX + 80];
    snprintf(shebang, sizeof shebang, "#!%s -u\nprint()\n", p);
    snprintf(p, sizeof p, "%s/tools/prog", real);
    put_file(p, shebang);
    char prog[PATH_MAX + 64], other[PATH_MAX + 64], missing[PATH_MAX + 64];
    snprintf(prog, sizeof prog, "%s/tools/prog", real);
    snprintf(other, sizeof other, "%s/other/binary", real);
    put_file(other, "#!/bin/sh\n");
    snprintf(missing, sizeof missing, "%s/other/missing", real);
    snprintf(want[0], sizeof want[0], "%s/tools", real);
    snprintf(want[1], sizeof want[1], "%s/prefix", real); /* bin/ stands for its parent */
    snprintf(want[2], sizeof want[2], "%s/other", real);
    const char *argv[] = {prog, "--mode=server", other, missing, "/usr/bin/env", prog, "plain"};
    char hp[QUIRE_XRUN_FOLDERS_MAX][PATH_MAX];
    const char *out[QUIRE_XRUN_FOLDERS_MAX + 1];
    quire_xrun_folders(argv, sizeof argv / sizeof argv[0], hp, out);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(out[i]);
        assert_string_equal(out[i], want[i]);
    }
    assert_null(out[3]); /* /bin/sh's folder is /usr/bin on a merged /usr, or /bin: "/" */
    /* a program found through PATH under /usr needs nothing */
    const char *sh[] = {"env", "/usr/bin/env"};
    quire_xrun_folders(sh, 2, hp, out);
    assert_null(out[0]);
    /* nothing to run: nothing */
    quire_xrun_folders(sh, 0, hp, out);
    assert_null(out[0]);
    assert_int_equal(test_tmpdir_remove(d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_memcheck),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_folders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
