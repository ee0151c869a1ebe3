/* Unit tests for sim/scenario: QIR's scenario strings as they are, ns-3 units, one-string and
 * split forms, and errors that name the word and the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/scenario.h"
#include "util/err.h"

static int parse1(quire_scenario *sc, const char *s, char *err, size_t n)
{
    char *argv[] = {(char *)s};
    return quire_scenario_parse(sc, 1, argv, err, n);
}

static void test_simple_p2p_both_forms(void **state)
{
    (void)state;
    quire_scenario a, b;
    char err[256];
    assert_int_equal(parse1(&a, "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25", err,
                            sizeof err), 0);
    char *argv[] = {"simple-p2p", "--delay=15ms", "--bandwidth=10Mbps", "--queue=25"};
    assert_int_equal(quire_scenario_parse(&b, 4, argv, err, sizeof err), 0);
    assert_int_equal(a.kind, QUIRE_SCENARIO_SIMPLE_P2P);
    assert_int_equal(a.delay_ns, 15000000);
    assert_int_equal(a.rate_bps, 10000000);
    assert_int_equal(a.queue, 25);
    assert_int_equal(b.delay_ns, a.delay_ns);
    assert_int_equal(b.rate_bps, a.rate_bps);
    assert_int_equal(b.queue, a.queue);
    assert_int_equal(a.dir[0].blackhole, 0);
}

static const struct {
    const char *in;
    uint64_t ns;
} times[] = {
    {"15ms", 15000000}, {"1s", 1000000000}, {"1.5s", 1500000000}, {"250us", 250000},
    {"10ns", 10},       {"2", 2000000000},   {"0.1ms", 100000},     {"1min", 60000000000ULL},
};

static void test_time_units(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        uint64_t ns = 0;
        assert_int_equal(quire_scenario_parse_time(times[i].in, &ns), 0);
        assert_int_equal(ns, times[i].ns);
    }
    uint64_t ns;
    assert_int_equal(quire_scenario_parse_time("15 ms", &ns), QUIRE_ERR_INVALID);
    assert_int_equal(quire_scenario_parse_time("ms", &ns), QUIRE_ERR_INVALID);
    assert_int_equal(quire_scenario_parse_time("15mss", &ns), QUIRE_ERR_INVALID);
    assert_int_equal(quire_scenario_parse_time("", &ns), QUIRE_ERR_INVALID);
    assert_int_equal(quire_scenario_parse_time("1..5s", &ns), QUIRE_ERR_INVALID);
}

static void test_rate_units(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        uint64_t bps;
    } rates[] = {
        {"10Mbps", 10000000}, {"10Mb/s", 10000000}, {"1Gbps", 1000000000}, {"500kbps", 500000},
        {"500Kbps", 500000},  {"1MBps", 8000000},   {"1000", 1000},        {"2.5Mbps", 2500000},
        {"1Mibps", 1048576},
    };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        uint64_t bps = 0;
        assert_int_equal(quire_scenario_parse_rate(rates[i].in, &bps), 0);
        assert_int_equal(bps, rates[i].bps);
    }
    uint64_t bps;
    assert_int_equal(quire_scenario_parse_rate("10Mbit", &bps), QUIRE_ERR_INVALID);
    assert_int_equal(quire_scenario_parse_rate("-1Mbps", &bps), QUIRE_ERR_INVALID);
}

static void test_drop_rate_and_corrupt_rate(void **state)
{
    (void)state;
    quire_scenario sc;
    char err[256];
    assert_int_equal(parse1(&sc, "drop-rate --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--rate_to_client=10 --rate_to_server=20 --burst_to_client=3",
                            err, sizeof err), 0);
    assert_int_equal(sc.kind, QUIRE_SCENARIO_DROP_RATE);
    assert_true(sc.dir[QUIRE_DIR_TO_CLIENT].loss_pct == 10.0);
    assert_true(sc.dir[QUIRE_DIR_TO_SERVER].loss_pct == 20.0);
    assert_int_equal(sc.dir[QUIRE_DIR_TO_CLIENT].burst, 3);
    assert_int_equal(sc.dir[QUIRE_DIR_TO_SERVER].burst, 0);
    assert_true(sc.dir[QUIRE_DIR_TO_CLIENT].corrupt_pct == 0.0);

    assert_int_equal(parse1(&sc, "corrupt-rate --delay=15ms --bandwidth=10Mbps --queue=25p "
                                 "--rate_to_client=5 --rate_to_server=0",
                            err, sizeof err), 0);
    assert_true(sc.dir[QUIRE_DIR_TO_CLIENT].corrupt_pct == 5.0);
    assert_true(sc.dir[QUIRE_DIR_TO_CLIENT].loss_pct == 0.0);
    assert_int_equal(sc.queue, 25);

    assert_int_equal(parse1(&sc, "drop-rate --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--rate_to_client=10",
                            err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "rate_to_server"));
    assert_int_equal(parse1(&sc, "drop-rate --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--rate_to_client=101 --rate_to_server=1",
                            err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "word 5"));
}

static void test_droplist(void **state)
{
    (void)state;
    quire_scenario sc;
    char err[256];
    assert_int_equal(parse1(&sc, "droplist --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--drops_to_client=3,1,3 --drops_to_server=2,3,4",
                            err, sizeof err), 0);
    const quire_impair_cfg *c = &sc.dir[QUIRE_DIR_TO_CLIENT], *s = &sc.dir[QUIRE_DIR_TO_SERVER];
    assert_int_equal(c->ndrops, 2);
    assert_int_equal(c->drops[0], 1);
    assert_int_equal(c->drops[1], 3);
    assert_int_equal(s->ndrops, 3);
    assert_int_equal(s->drops[2], 4);
    assert_int_equal(parse1(&sc, "droplist --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--drops_to_client=1,,2",
                            err, sizeof err), QUIRE_ERR_INVALID);
    assert_int_equal(parse1(&sc, "droplist --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--drops_to_client=0",
                            err, sizeof err), QUIRE_ERR_INVALID);
}

static void test_blackhole_and_rebind(void **state)
{
    (void)state;
    quire_scenario sc;
    char err[256];
    assert_int_equal(parse1(&sc, "blackhole --delay=15ms --bandwidth=10Mbps --queue=25 --on=5s "
                                 "--off=2s --repeat=3 --direction=toclient",
                            err, sizeof err), 0);
    assert_int_equal(sc.bh_on_ns, 5000000000ULL);
    assert_int_equal(sc.bh_off_ns, 2000000000ULL);
    assert_int_equal(sc.bh_repeat, 3);
    assert_int_equal(sc.dir[QUIRE_DIR_TO_CLIENT].blackhole, 1);
    assert_int_equal(sc.dir[QUIRE_DIR_TO_SERVER].blackhole, 0);
    assert_int_equal(parse1(&sc, "blackhole --delay=15ms --bandwidth=10Mbps --queue=25 --on=5s "
                                 "--off=2s",
                            err, sizeof err), 0);
    assert_int_equal(sc.bh_repeat, 1);
    assert_int_equal(sc.dir[QUIRE_DIR_TO_CLIENT].blackhole & sc.dir[QUIRE_DIR_TO_SERVER].blackhole,
                     1);
    assert_int_equal(parse1(&sc, "blackhole --delay=15ms --bandwidth=10Mbps --queue=25 --on=5s "
                                 "--off=2s --direction=sideways",
                            err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "sideways"));

    assert_int_equal(parse1(&sc, "rebind --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--first-rebind=1s --rebind-freq=5s --rebind-addr",
                            err, sizeof err), 0);
    assert_int_equal(sc.first_rebind_ns, 1000000000ULL);
    assert_int_equal(sc.rebind_freq_ns, 5000000000ULL);
    assert_int_equal(sc.rebind_addr, 1);
    assert_int_equal(parse1(&sc, "rebind --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--first-rebind=1s",
                            err, sizeof err), 0);
    assert_int_equal(sc.rebind_addr, 0);
    assert_int_equal(sc.rebind_freq_ns, 0);
}

static void test_errors_name_the_problem(void **state)
{
    (void)state;
    quire_scenario sc;
    char err[256];
    assert_int_equal(parse1(&sc, "", err, sizeof err), QUIRE_ERR_INVALID);
    assert_int_equal(parse1(&sc, "p2p --delay=1ms", err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "unknown scenario 'p2p'"));
    assert_int_equal(parse1(&sc, "simple-p2p --delay=15ms --bandwidth=10Mbps", err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "missing --queue"));
    assert_int_equal(parse1(&sc, "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25 "
                                 "--on=1s", err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "word 5"));
    assert_non_null(strstr(err, "--on"));
    assert_int_equal(parse1(&sc, "simple-p2p --delay --bandwidth=10Mbps --queue=25", err,
                            sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(parse1(&sc, "simple-p2p delay=15ms", err, sizeof err), QUIRE_ERR_INVALID);
    assert_non_null(strstr(err, "word 2"));
}

static void test_describe(void **state)
{
    (void)state;
    quire_scenario sc;
    char err[256], d[256];
    assert_int_equal(parse1(&sc, "blackhole --delay=15ms --bandwidth=10Mbps --queue=25 --on=5s "
                                 "--off=2s",
                            err, sizeof err), 0);
    quire_scenario_describe(&sc, d, sizeof d);
    assert_string_equal(d, "blackhole delay=15ms bandwidth=10000000bps queue=25 on=5s off=2s "
                           "repeat=1 direction=both");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_p2p_both_forms),
        cmocka_unit_test(test_time_units),
        cmocka_unit_test(test_rate_units),
        cmocka_unit_test(test_drop_rate_and_corrupt_rate),
        cmocka_unit_test(test_droplist),
        cmocka_unit_test(test_blackhole_and_rebind),
        cmocka_unit_test(test_errors_name_the_problem),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
