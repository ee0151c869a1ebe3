/* Unit tests for sim/simargv: the full command line of the netns lifecycle, the options-only
 * one of the simulator image, the experiment runner's (no wait, no kernel), scenario words
 * with repeated spaces, and the limits (argv full, buf full, interfaces missing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/simargv.h"
#include "util/err.h"

static void expect(const char *const *argv, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        assert_non_null(argv[i]);
        assert_string_equal(argv[i], want[i]);
    }
    assert_null(argv[i]);
}

static void test_full(void **state)
{
    (void)state;
    quire_sim_args a = {.exe = "/q",
                        .seed = 42,
                        .pcap_dir = "/logs/sim",
                        .ready_file = "/r",
                        .wait_server = {"198.19.0.100:443", "[2001:2:0:2::100]:443"},
                        .kernel = 1,
                        .left_if = "left",
                        .right_if = "right",
                        .scenario = "simple-p2p  --delay=15ms --bandwidth=10Mbps --queue=25 "};
    const char *argv[32];
    char buf[256];
    int n = quire_sim_argv(&a, argv, 32, buf, sizeof buf);
    const char *want[] = {"/q", "sim", "--seed", "42", "--pcap-dir", "/logs/sim", "--ready-file",
                          "/r", "--wait-server", "198.19.0.100:443", "--wait-server",
                          "[2001:2:0:2::100]:443", "--kernel", "left", "right", "simple-p2p",
                          "--delay=15ms", "--bandwidth=10Mbps", "--queue=25", NULL};
    assert_int_equal(n, 19);
    expect(argv, want);
}

static void test_options_only(void **state)
{
    (void)state;
    /* the simulator image: options only, the entry point adds interfaces and $SCENARIO */
    quire_sim_args a = {.seed = 7, .pcap_dir = "/logs", .ready_file = "/logs/.ready"};
    const char *argv[16];
    char buf[64];
    assert_int_equal(quire_sim_argv(&a, argv, 16, buf, sizeof buf), 6);
    const char *want[] = {"--seed", "7", "--pcap-dir", "/logs", "--ready-file", "/logs/.ready",
                          NULL};
    expect(argv, want);
}

static void test_limits(void **state)
{
    (void)state;
    const char *argv[8];
    char buf[16];
    quire_sim_args a = {.exe = "/q", .left_if = "l", .right_if = "r", .scenario = "a b c d e"};
    /* /q sim --seed 0 l r + 5 words + NULL = 12 > 8 */
    assert_int_equal(quire_sim_argv(&a, argv, 8, buf, sizeof buf), QUIRE_ERR_INVALID);
    a.scenario = "simple-p2p --delay=15ms";
    const char *big[16];
    assert_int_equal(quire_sim_argv(&a, big, 16, buf, sizeof buf), QUIRE_ERR_INVALID); /* buf */
    a.right_if = NULL;
    char b2[128];
    assert_int_equal(quire_sim_argv(&a, big, 16, b2, sizeof b2), QUIRE_ERR_INVALID);
    /* an empty scenario adds nothing */
    a.right_if = "r";
    a.scenario = "   ";
    assert_int_equal(quire_sim_argv(&a, big, 16, b2, sizeof b2), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_options_only),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
