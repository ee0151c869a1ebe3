/* Unit tests for backend/container: the address plan (benchmarking ranges per testbed, QIR's
 * fixed addresses), the `create` argument vectors of the simulator and the endpoints (QIR's
 * capabilities, environment, volumes, host names), their limits, and an engine that is not
 * installed. No engine is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "backend/container.h"
#include "util/err.h"

static void test_addrs_default(void **state)
{
    (void)state;
    quire_container_addrs a;
    assert_int_equal(quire_container_addrs_make(&a, 0, 0), 0);
    /* testbed 0 is the netns backend's plan exactly (with the sim at .2 as in QIR) */
    assert_string_equal(a.net4[0], "198.18.0.0/24");
    assert_string_equal(a.net4[1], "198.19.0.0/24");
    assert_string_equal(a.net6[0], "2001:2:0:1::/64");
    assert_string_equal(a.net6[1], "2001:2:0:2::/64");
    assert_string_equal(a.client4, "198.18.0.100");
    assert_string_equal(a.server6, "2001:2:0:2::100");
    assert_string_equal(a.sim4[0], "198.18.0.2");
    assert_string_equal(a.sim6[1], "2001:2:0:2::2");
    assert_string_equal(a.route4, "198.18.0.0/15");
    assert_string_equal(a.route6, "2001:2::/48");
}

static void test_addrs_k(void **state)
{
    (void)state;
    quire_container_addrs a;
    assert_int_equal(quire_container_addrs_make(&a, 200, 0), 0);
    assert_string_equal(a.net4[0], "198.18.200.0/24");
    assert_string_equal(a.server4, "198.19.200.100");
    assert_string_equal(a.net6[0], "2001:2:0:c801::/64"); /* 200 = 0xc8, inside 2001:2::/48 */
    assert_string_equal(a.client6, "2001:2:0:c801::100");
    assert_string_equal(a.sim6[1], "2001:2:0:c802::2");
    assert_int_equal(quire_container_addrs_make(&a, 256, 0), QUIRE_ERR_INVALID);
}

static void test_addrs_qir(void **state)
{
    (void)state;
    quire_container_addrs a;
    assert_int_equal(quire_container_addrs_make(&a, 7, 1), 0); /* k is ignored */
    assert_string_equal(a.net4[0], "193.167.0.0/24");
    assert_string_equal(a.net4[1], "193.167.100.0/24");
    assert_string_equal(a.sim4[0], "193.167.0.2");
    assert_string_equal(a.sim4[1], "193.167.100.2");
    assert_string_equal(a.client4, "193.167.0.100");
    assert_string_equal(a.server4, "193.167.100.100");
    assert_string_equal(a.server6, "fd00:cafe:cafe:100::100");
    assert_string_equal(a.route4, "193.167.0.0/16");
}

static void testbed(quire_container_testbed *tb)
{
    memset(tb, 0, sizeof *tb);
    tb->cfg.engine = "podman";
    snprintf(tb->run, sizeof tb->run, "r1");
    tb->n = 3;
    snprintf(tb->net[0], sizeof tb->net[0], "quire-r1-3-leftnet");
    snprintf(tb->net[1], sizeof tb->net[1], "quire-r1-3-rightnet");
    snprintf(tb->name[0], sizeof tb->name[0], "quire-r1-3-client");
    snprintf(tb->name[1], sizeof tb->name[1], "quire-r1-3-sim");
    snprintf(tb->name[2], sizeof tb->name[2], "quire-r1-3-server");
    tb->memlock = QUIRE_CONTAINER_MEMLOCK;
    quire_container_addrs_make(&tb->addrs, 3, 0);
}

/* index of s in argv, or -1 */
static int find(const char **argv, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(argv[i], s)) return i;
    return -1;
}

static void test_argv_server(void **state)
{
    (void)state;
    quire_container_testbed tb;
    testbed(&tb);
    const char *env[] = {"ROLE=server", "TESTCASE=handshake", NULL};
    quire_proc_mount m[] = {{"/l/www", "/www", 1}, {"/l/logs", "/logs", 0}};
    quire_container_spec s = {.role = QUIRE_ROLE_SERVER,
                              .image = "quire/quic-go:latest",
                              .env = env,
                              .mounts = m,
                              .nmounts = 2};
    const char *argv[160];
    char buf[16384];
    int n = quire_container_create_argv(&tb, &s, argv, 160, buf, sizeof buf);
    assert_true(n > 10);
    assert_null(argv[n]);
    assert_string_equal(argv[0], "podman");
    assert_string_equal(argv[1], "create");
    assert_true(find(argv, n, "--pull=never") > 0);
    assert_string_equal(argv[find(argv, n, "--name") + 1], "quire-r1-3-server");
    assert_string_equal(argv[n - 1], "quire/quic-go:latest"); /* no args after the image */
    const char *want[] = {"--network=quire-r1-3-rightnet",
                          "--ip=198.19.3.100",
                          "--ip6=2001:2:0:302::100",
                          "--hostname=server",
                          "--cap-add=NET_ADMIN",
                          "--ulimit=memlock=67108864:67108864",
                          "--env=ROLE=server",
                          "--env=TESTCASE=handshake",
                          "--volume=/l/www:/www:ro",
                          "--volume=/l/logs:/logs",
                          "--env=QUIRE_GW4=198.19.3.2",
                          "--env=QUIRE_ROUTE4=198.18.0.0/15",
                          "--add-host=server4:198.19.3.100",
                          "--add-host=client6:2001:2:0:301::100",
                          "--add-host=sim:198.18.3.2",
                          "--label=quire.run=r1",
                          "--label=quire.testbed=r1-3"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (find(argv, n, want[i]) < 0) fail_msg("missing %s", want[i]);
    assert_true(find(argv, n, "--cap-add=NET_RAW") < 0); /* only the sim */
    /* every option before the image */
    assert_true(find(argv, n, "--volume=/l/logs:/logs") < n - 1);
}

static void test_argv_sim(void **state)
{
    (void)state;
    quire_container_testbed tb;
    testbed(&tb);
    const char *env[] = {"SCENARIO=simple-p2p --delay=15ms", NULL};
    const char *args[] = {"--seed", "7", NULL};
    quire_container_spec s = {
        .role = QUIRE_ROLE_SIM, .image = "quire/sim:latest", .env = env, .args = args};
    const char *argv[160];
    char buf[16384];
    int n = quire_container_create_argv(&tb, &s, argv, 160, buf, sizeof buf);
    assert_true(n > 10);
    assert_string_equal(argv[n - 3], "quire/sim:latest");
    assert_string_equal(argv[n - 2], "--seed");
    assert_string_equal(argv[n - 1], "7");
    const char *want[] = {"--network=quire-r1-3-leftnet",
                          "--ip=198.18.3.2",
                          "--cap-add=NET_ADMIN",
                          "--cap-add=NET_RAW",
                          "--sysctl=net.ipv4.ip_forward=0",
                          "--sysctl=net.ipv6.conf.all.forwarding=0",
                          "--env=SCENARIO=simple-p2p --delay=15ms",
                          "--env=QUIRE_SIM_LEFT4=198.18.3.2",
                          "--env=QUIRE_SIM_RIGHT4=198.19.3.2"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (find(argv, n, want[i]) < 0) fail_msg("missing %s", want[i]);
    assert_true(find(argv, n, "--ulimit=memlock=67108864:67108864") < 0);
    /* quire sim --kernel: the kernel forwards, so the engine must turn forwarding on */
    const char *kargs[] = {"--kernel", NULL};
    s.args = kargs;
    n = quire_container_create_argv(&tb, &s, argv, 160, buf, sizeof buf);
    assert_true(find(argv, n, "--sysctl=net.ipv4.ip_forward=1") > 0);
    assert_true(find(argv, n, "--sysctl=net.ipv6.conf.all.forwarding=1") > 0);
}

static void test_argv_limits(void **state)
{
    (void)state;
    quire_container_testbed tb;
    testbed(&tb);
    quire_container_spec s = {.role = QUIRE_ROLE_CLIENT, .image = "x"};
    const char *argv[160];
    char buf[16384];
    assert_int_equal(quire_container_create_argv(&tb, &s, argv, 8, buf, sizeof buf),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_container_create_argv(&tb, &s, argv, 160, buf, 64), QUIRE_ERR_INVALID);
    /* -v cannot carry a ':' in the host path */
    quire_proc_mount m[] = {{"/a:b", "/www", 1}};
    s.mounts = m;
    s.nmounts = 1;
    assert_int_equal(quire_container_create_argv(&tb, &s, argv, 160, buf, sizeof buf),
                     QUIRE_ERR_INVALID);
}

static void test_no_engine(void **state)
{
    (void)state;
    char why[256] = "";
    const char *e = "quire-test-no-such-engine";
    assert_int_equal(quire_container_available(e, why, sizeof why), QUIRE_ERR_UNSUPPORTED);
    assert_non_null(strstr(why, "not installed"));
    assert_int_equal(quire_container_image_exists(e, "quire/sim:latest"), 0);
    assert_int_equal(quire_container_clean(e, NULL, -1, 0, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addrs_default), cmocka_unit_test(test_addrs_k),
        cmocka_unit_test(test_addrs_qir),     cmocka_unit_test(test_argv_server),
        cmocka_unit_test(test_argv_sim),      cmocka_unit_test(test_argv_limits),
        cmocka_unit_test(test_no_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
