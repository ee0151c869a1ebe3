/* Unit tests for sim/nat (the rebind scenario) on a virtual clock: flows pass unchanged until
 * the first rebinding, then leave with a new port (and address with --rebind-addr); answers to
 * the new binding reach the client's real address and port, answers to a stale one are
 * dropped; rebindings follow --first-rebind and --rebind-freq; checksums stay valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/nat.h"
#include "sim/scenario.h"
#include "sim/simpkt.h"

#include "simtest_pkt.h"

#define SEC 1000000000ULL

static quire_scenario scen(const char *text)
{
    quire_scenario sc;
    char err[256];
    char *argv[] = {(char *)text};
    if (quire_scenario_parse(&sc, 1, argv, err, sizeof err)) fail_msg("%s", err);
    return sc;
}

static uint16_t sport(const uint8_t *p, size_t off) { return (uint16_t)(p[off] << 8 | p[off + 1]); }

static void test_port_rebinding(void **state)
{
    (void)state;
    quire_scenario sc = scen("rebind --delay=15ms --bandwidth=10Mbps --queue=25 "
                             "--first-rebind=1s --rebind-freq=5s");
    quire_nat n;
    uint8_t p[200];
    quire_nat_init(&n, &sc, 11, 10 * SEC);

    /* Before the first rebinding: unchanged both ways. */
    size_t len = build_udp4(p, 0, 5000, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 10 * SEC, p, len), 0);
    assert_int_equal(sport(p, 20), 5000);
    len = build_udp4(p, 1, 443, 5000, 50, 0);
    assert_int_equal(quire_nat_to_client(&n, 10 * SEC, p, len), 0);
    assert_int_equal(sport(p, 22), 5000);

    /* After it: a new source port, same address, checksums valid. */
    len = build_udp4(p, 0, 5000, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 11 * SEC, p, len), 0);
    uint16_t pub = sport(p, 20);
    assert_int_not_equal(pub, 5000);
    assert_true(pub >= 1024);
    assert_int_equal(p[15], 100);
    assert_true(udp_csum_ok(p, len));
    assert_int_equal(n.nrebinds, 1);

    /* The server answers the new binding: mapped back to the client's real port. */
    len = build_udp4(p, 1, 443, pub, 50, 0);
    assert_int_equal(quire_nat_to_client(&n, 11 * SEC, p, len), 0);
    assert_int_equal(sport(p, 22), 5000);
    assert_true(udp_csum_ok(p, len));
    /* An answer to the old binding is dropped. */
    len = build_udp4(p, 1, 443, 5000, 50, 0);
    assert_int_equal(quire_nat_to_client(&n, 11 * SEC, p, len), -1);
    assert_int_equal(n.stale_drops, 1);

    /* Rebindings at 1 s, 6 s, 11 s, 16 s after the start. */
    quire_nat_advance(&n, 10 * SEC + 15999999999ULL);
    assert_int_equal(n.nrebinds, 3);
    quire_nat_advance(&n, 26 * SEC);
    assert_int_equal(n.nrebinds, 4);
    len = build_udp4(p, 0, 5000, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 26 * SEC, p, len), 0);
    assert_int_not_equal(sport(p, 20), pub);
}

static void test_address_rebinding_v4_v6(void **state)
{
    (void)state;
    quire_scenario sc = scen("rebind --delay=15ms --bandwidth=10Mbps --queue=25 "
                             "--first-rebind=1s --rebind-addr");
    quire_nat n;
    uint8_t p[200];
    quire_nat_init(&n, &sc, 3, 0);
    size_t len = build_udp4(p, 0, 6000, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 0, p, len), 0);
    len = build_udp6(p, 0, 6001, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 0, p, len), 0);

    len = build_udp4(p, 0, 6000, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 2 * SEC, p, len), 0);
    /* Same /24, not the client, not .1 or the network/broadcast address. */
    assert_int_equal(p[12], 198);
    assert_int_equal(p[13], 18);
    assert_int_equal(p[14], 0);
    assert_true(p[15] >= 2 && p[15] <= 254 && p[15] != 100);
    assert_true(udp_csum_ok(p, len));
    uint8_t pub4[4];
    memcpy(pub4, p + 12, 4);
    uint16_t port4 = sport(p, 20);

    len = build_udp6(p, 0, 6001, 443, 50, 0);
    assert_int_equal(quire_nat_to_server(&n, 2 * SEC, p, len), 0);
    assert_memory_equal(p + 8, "\x20\x01\x00\x02\x00\x00\x00\x01", 8); /* same /64 */
    assert_false(p[22] == 1 && p[23] == 0);
    assert_true(udp_csum_ok(p, len));
    uint8_t pub6[16];
    memcpy(pub6, p + 8, 16);
    uint16_t port6 = sport(p, 40);

    /* Answers to the public address and port go to the real client. */
    len = build_udp4(p, 1, 443, port4, 50, 0);
    memcpy(p + 16, pub4, 4);
    assert_int_equal(quire_nat_to_client(&n, 2 * SEC, p, len), 0);
    assert_int_equal(p[19], 100);
    assert_int_equal(sport(p, 22), 6000);
    assert_true(udp_csum_ok(p, len));
    len = build_udp6(p, 1, 443, port6, 50, 0);
    memcpy(p + 24, pub6, 16);
    assert_int_equal(quire_nat_to_client(&n, 2 * SEC, p, len), 0);
    assert_int_equal(p[38], 1);
    assert_int_equal(p[39], 0);
    assert_int_equal(sport(p, 42), 6001);
    assert_true(udp_csum_ok(p, len));
    /* Only one rebinding without --rebind-freq. */
    quire_nat_advance(&n, 1000 * SEC);
    assert_int_equal(n.nrebinds, 1);
}

static void test_disabled_and_non_udp(void **state)
{
    (void)state;
    quire_scenario sc = scen("simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25");
    quire_nat n;
    uint8_t p[200], orig[200];
    quire_nat_init(&n, &sc, 3, 0);
    size_t len = build_udp4(p, 1, 443, 5000, 50, 0);
    memcpy(orig, p, len);
    assert_int_equal(quire_nat_to_client(&n, 100 * SEC, p, len), 0);
    assert_memory_equal(p, orig, len);

    sc = scen("rebind --delay=15ms --bandwidth=10Mbps --queue=25 --first-rebind=0s");
    quire_nat_init(&n, &sc, 3, 0);
    p[9] = 6; /* TCP: passes untouched */
    memcpy(orig, p, len);
    assert_int_equal(quire_nat_to_client(&n, 100 * SEC, p, len), 0);
    assert_memory_equal(p, orig, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_rebinding),
        cmocka_unit_test(test_address_rebinding_v4_v6),
        cmocka_unit_test(test_disabled_and_non_udp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
