/* Unit tests for backend/offload: feature lookup by name on lo (no root needed), errors for
 * unknown devices and names; with root, the offloads of all four veth ends of a fresh testbed
 * are off and a second disable on the same cache is harmless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/netns.h"
#include "backend/offload.h"
#include "util/err.h"

static void test_lookup(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    /* lo always has the fixed "loopback" feature on. */
    assert_int_equal(quire_offload_get(s, "lo", "loopback"), 1);
    assert_int_equal(quire_offload_get(s, "lo", "no-such-feature-xyz"), QUIRE_ERR_NOTFOUND);
    assert_int_equal(quire_offload_get(s, "quire-nodev0", "loopback"), QUIRE_ERR_NOTFOUND);
    assert_int_equal(quire_offload_get(s, "a-name-longer-than-ifnamsiz", "loopback"),
                     QUIRE_ERR_NOTFOUND);
    quire_offload_bits bits = {0};
    assert_int_equal(quire_offload_disable(s, "quire-nodev0", &bits), QUIRE_ERR_NOTFOUND);
    close(s);
}

typedef struct sock_req {
    int fd;
} sock_req;

static int make_socket(void *arg)
{
    ((sock_req *)arg)->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return ((sock_req *)arg)->fd < 0 ? QUIRE_ERR_IO : 0;
}

static void test_testbed_offloads_off(void **state)
{
    (void)state;
    char why[256];
    if (quire_netns_available(why, sizeof why) < 0) {
        print_message("skipped: netns backend unavailable: %s\n", why);
        skip();
    }
    char run[32];
    snprintf(run, sizeof run, "uo%ld", (long)getpid());
    quire_netns_testbed tb;
    assert_int_equal(quire_netns_testbed_create(&tb, run, 1), 0);
    static const struct {
        quire_role role;
        const char *ifname;
    } ends[] = {
        {QUIRE_ROLE_CLIENT, QUIRE_NETNS_CLIENT_IFNAME},
        {QUIRE_ROLE_SIM, QUIRE_NETNS_SIM_LEFT_IFNAME},
        {QUIRE_ROLE_SIM, QUIRE_NETNS_SIM_RIGHT_IFNAME},
        {QUIRE_ROLE_SERVER, QUIRE_NETNS_SERVER_IFNAME},
    };
    static const char *const off[] = {"tx-checksum-ip-generic", "tx-generic-segmentation",
                                      "tx-tcp-segmentation", "tx-udp-segmentation", "rx-gro"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        sock_req r = {-1};
        assert_int_equal(quire_netns_run_in(quire_netns_testbed_name(&tb, ends[i].role),
                                            make_socket, &r), 0);
        for (size_t k = 0; k < sizeof off / sizeof off[0]; k++) {
            int v = quire_offload_get(r.fd, ends[i].ifname, off[k]);
            if (v != 0) fail_msg("%s %s: %s is %d", quire_netns_testbed_name(&tb, ends[i].role),
                                 ends[i].ifname, off[k], v);
        }
        /* Scatter-gather is not ours to touch and stays on. */
        assert_int_equal(quire_offload_get(r.fd, ends[i].ifname, "tx-scatter-gather"), 1);
        quire_offload_bits bits = {0};
        assert_int_equal(quire_offload_disable(r.fd, ends[i].ifname, &bits), 0);
        assert_true(bits.nwords > 0);
        assert_int_equal(quire_offload_disable(r.fd, ends[i].ifname, &bits), 0);
        close(r.fd);
    }
    assert_int_equal(quire_netns_testbed_destroy(&tb), 0);
    quire_run_end(run);
}

/* Whatever a failed test left behind: this test's namespaces and run state. */
static int remove_ns(const char *name, void *arg)
{
    (void)arg;
    quire_netns_kill_procs(name, SIGKILL);
    quire_netns_del(name);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (geteuid() != 0) return 0;
    char prefix[64], run[32];
    snprintf(run, sizeof run, "uo%ld", (long)getpid());
    snprintf(prefix, sizeof prefix, "quire-%s-", run);
    quire_netns_foreach(prefix, remove_ns, NULL);
    quire_run_end(run);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_testbed_offloads_off),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
