/* Unit tests for experiment/runner: the execution environments' wrapper command lines (the
 * runner itself needs root and is covered by tests/integration/experiment_*.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "experiment/runner.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_memcheck),
        cmocka_unit_test(test_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
