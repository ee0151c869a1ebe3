/* Unit tests for run/load: the CPU and memory shares between two samples (PSI and /proc/stat
 * kinds), the --jobs auto rule fed with made-up loads (floor, hold until a whole window after
 * the last start, one more while quiet, hold while loaded or short of memory, the ceiling),
 * and one real sample of this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "run/load.h"

#define SEC 1000000ull

/* A PSI sample at t seconds with cumulative stall µs cpu and mem, 8 GiB available. */
static quire_load_sample psi(double t, uint64_t cpu, uint64_t mem)
{
    quire_load_sample s = {QUIRE_LOAD_PSI, (uint64_t)(t * SEC), cpu, mem, 8u << 20, 2};
    return s;
}

static void test_shares(void **state)
{
    (void)state;
    quire_load_sample a = psi(1, 1000, 0), b = psi(2, 1000 + 250000, 50000);
    assert_float_equal(quire_load_cpu(&a, &b), 0.25, 1e-9);
    assert_float_equal(quire_load_mem(&a, &b), 0.05, 1e-9);
    /* /proc/stat: busy µs over all CPUs; 2 CPUs busy half the time = 1 CPU-second in 1 s */
    quire_load_sample c = {QUIRE_LOAD_STAT, SEC, 0, 0, 0, 2}, d = {QUIRE_LOAD_STAT, 2 * SEC, SEC, 0, 0, 2};
    assert_float_equal(quire_load_cpu(&c, &d), 0.5, 1e-9);
    assert_float_equal(quire_load_mem(&c, &d), 0, 1e-9); /* no PSI: unknown, 0 */
    /* unusable pairs: other kinds, time backwards, counters backwards */
    assert_float_equal(quire_load_cpu(&a, &d), 0, 1e-9);
    assert_float_equal(quire_load_cpu(&b, &a), 0, 1e-9);
    quire_load_sample e = psi(3, 10, 0);
    assert_float_equal(quire_load_cpu(&b, &e), 0, 1e-9);
    /* a share never exceeds 1 */
    quire_load_sample f = psi(4, 10 + 5 * SEC, 0);
    assert_float_equal(quire_load_cpu(&e, &f), 1, 1e-9);
}

static void test_autojobs_ramp(void **state)
{
    (void)state;
    quire_autojobs a;
    quire_autojobs_init(&a, 2, 5);
    assert_int_equal(a.floor, 2);
    assert_int_equal(a.ceiling, 5);
    /* nothing running: the floor at once, before any load is known */
    quire_load_sample s = psi(0, 0, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 0), 2);
    quire_autojobs_started(&a, 0);
    /* at the floor, load unknown (no full window yet): hold */
    s = psi(0.5, 0, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 2), 2);
    /* the first window (0..1 s) began at the last start, and was quiet: one more */
    s = psi(1.0, 10000, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 2), 3);
    quire_autojobs_started(&a, s.at_us);
    /* asked again in the same window: hold until a window after that start is complete */
    s = psi(1.5, 20000, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 3), 3);
    s = psi(2.0, 30000, 0); /* the window 1.0..2.0: 2 % pressure */
    assert_int_equal(quire_autojobs_limit(&a, &s, 3), 4);
    quire_autojobs_started(&a, s.at_us);
    /* loaded: 40 % of the next window with a task waiting: hold, however long */
    s = psi(3.0, 30000 + 400000, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 4), 4);
    s = psi(4.0, 430000 + 400000, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 4), 4);
    assert_float_equal(a.cpu, 0.4, 1e-9);
    /* quiet again: one more, up to the ceiling and never beyond */
    s = psi(5.0, 830000, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 4), 5);
    quire_autojobs_started(&a, s.at_us);
    s = psi(6.5, 830000, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 5), 5);
    /* tests ended: below the floor, back to the floor */
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 2);
}

static void test_autojobs_memory(void **state)
{
    (void)state;
    quire_autojobs a;
    quire_autojobs_init(&a, 1, 8);
    quire_load_sample s = psi(0, 0, 0);
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 1);
    /* memory stalls above 5 %: hold */
    s = psi(1, 0, 100000);
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 1);
    /* no stalls but only 256 MiB left: hold */
    s = psi(2, 0, 100000);
    s.mem_avail_kb = 256 * 1024;
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 1);
    /* enough again */
    s = psi(3, 0, 100000);
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 2);
}

static void test_autojobs_stat(void **state)
{
    (void)state;
    /* without PSI the busy share counts: 60 % busy adds, 90 % holds */
    quire_autojobs a;
    quire_autojobs_init(&a, 1, 4);
    quire_load_sample s = {QUIRE_LOAD_STAT, 0, 0, 0, 8u << 20, 2};
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 1);
    s.at_us = SEC;
    s.cpu_us = 1200000; /* 1.2 CPU-seconds of 2 */
    assert_int_equal(quire_autojobs_limit(&a, &s, 1), 2);
    quire_autojobs_started(&a, s.at_us);
    s.at_us = 2 * SEC;
    s.cpu_us += 1800000;
    assert_int_equal(quire_autojobs_limit(&a, &s, 2), 2);
    /* ncpu 0 and a ceiling under the floor: floor 1, ceiling raised to it */
    quire_autojobs_init(&a, 0, 0);
    assert_int_equal(a.floor, 1);
    assert_int_equal(a.ceiling, 1);
}

static void test_sample_proc(void **state)
{
    (void)state;
    quire_load_sample a, b;
    assert_int_equal(quire_load_sample_proc(NULL, &a), 0);
    assert_true(a.kind == QUIRE_LOAD_PSI || a.kind == QUIRE_LOAD_STAT);
    assert_true(a.ncpu >= 1);
    assert_true(a.mem_avail_kb > 0);
    assert_int_equal(quire_load_sample_proc(NULL, &b), 0);
    assert_true(b.at_us >= a.at_us && b.cpu_us >= a.cpu_us);
    double l = quire_load_cpu(&a, &b);
    assert_true(l >= 0 && l <= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shares),
        cmocka_unit_test(test_autojobs_ramp),
        cmocka_unit_test(test_autojobs_memory),
        cmocka_unit_test(test_autojobs_stat),
        cmocka_unit_test(test_sample_proc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
