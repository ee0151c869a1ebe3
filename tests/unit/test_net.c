/* Unit tests for trace/net: hand-built frames for every link type, IPv4 options, IPv6
 * extension headers, ECN codepoints, fragments, VLAN tags, and truncated/invalid headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trace/net.h"
#include "trace/pcap.h"
#include "util/err.h"

/* IPv4 198.18.0.100:4433 -> 198.19.0.100:443, TOS with ECN ECT(0), UDP payload "quic" */
static size_t build_ipv4(uint8_t *p, uint8_t tos, uint16_t frag, int options)
{
    size_t hl = options ? 24 : 20;
    size_t tot = hl + 8 + 4;
    uint8_t h[24] = {(uint8_t)(0x40 | hl / 4),
                     tos,
                     0,
                     (uint8_t)tot,
                     0,
                     1,
                     (uint8_t)(frag >> 8),
                     (uint8_t)frag,
                     64,
                     17,
                     0,
                     0,
                     198,
                     18,
                     0,
                     100,
                     198,
                     19,
                     0,
                     100,
                     1,
                     1,
                     1,
                     0};
    memcpy(p, h, hl);
    const uint8_t udp[] = {0x11, 0x51, 0x01, 0xbb, 0x00, 12, 0, 0, 'q', 'u', 'i', 'c'};
    memcpy(p + hl, udp, sizeof udp);
    return tot;
}

/* IPv6 2001:2:0:1::100 -> 2001:2:0:2::100, traffic class with CE, hop-by-hop and destination
 * options before UDP */
static size_t build_ipv6(uint8_t *p, int ext, int frag_offset)
{
    size_t n = 0;
    uint8_t first_nh = ext ? 0 : frag_offset >= 0 ? 44 : 17;
    size_t plen = (ext ? 16 : 0) + (frag_offset >= 0 ? 8 : 0) + 8 + 2;
    const uint8_t h[8] = {0x60 | 0x00, 0x30, 0, 0, 0, (uint8_t)plen, first_nh, 64};
    memcpy(p, h, 8);
    n = 8;
    const uint8_t src[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0};
    const uint8_t dst[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0};
    memcpy(p + n, src, 16);
    memcpy(p + n + 16, dst, 16);
    n += 32;
    if (ext) {
        const uint8_t hbh[8] = {60, 0, 1, 4, 0, 0, 0, 0};
        const uint8_t dopt[8] = {(uint8_t)(frag_offset >= 0 ? 44 : 17), 0, 1, 4, 0, 0, 0, 0};
        memcpy(p + n, hbh, 8);
        memcpy(p + n + 8, dopt, 8);
        n += 16;
    }
    if (frag_offset >= 0) {
        const uint8_t fh[8] = {
            17, 0, (uint8_t)(frag_offset >> 5), (uint8_t)((frag_offset << 3) & 0xf8), 0, 0, 0, 1};
        memcpy(p + n, fh, 8);
        n += 8;
    }
    const uint8_t udp[] = {0x01, 0xbb, 0x11, 0x51, 0x00, 10, 0, 0, 'h', 'i'};
    memcpy(p + n, udp, sizeof udp);
    return n + sizeof udp;
}

static void test_ethernet_ipv4(void **state)
{
    (void)state;
    uint8_t f[128] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00};
    size_t n = 14 + build_ipv4(f + 14, 0x02, 0x4000 /* DF */, 0);
    quire_udp u;
    assert_int_equal(quire_net_decode(QUIRE_LINK_ETHERNET, f, n + 6 /* trailer padding */, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(u.src.family, 4);
    char buf[64];
    assert_string_equal(quire_endpoint_str(&u.src, u.sport, buf, sizeof buf), "198.18.0.100:4433");
    assert_string_equal(quire_endpoint_str(&u.dst, u.dport, buf, sizeof buf), "198.19.0.100:443");
    assert_int_equal(u.ecn, 2);
    assert_int_equal(u.len, 4);
    assert_memory_equal(u.payload, "quic", 4);

    /* with options, and behind a VLAN tag */
    uint8_t v[128] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00};
    n = 18 + build_ipv4(v + 18, 0x03, 0, 1);
    assert_int_equal(quire_net_decode(QUIRE_LINK_ETHERNET, v, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(u.ecn, 3);
    assert_memory_equal(u.payload, "quic", 4);

    /* every truncation fails cleanly */
    for (size_t k = 0; k < n; k++) {
        int rv = quire_net_decode(QUIRE_LINK_ETHERNET, v, k, &u);
        assert_true(rv == QUIRE_ERR_TRUNCATED || rv == QUIRE_ERR_MALFORMED);
        assert_non_null(u.what);
    }
}

static void test_fragments_and_other(void **state)
{
    (void)state;
    uint8_t f[128];
    quire_udp u;
    size_t n = build_ipv4(f, 0, 0x2000 /* MF */, 0);
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_FRAGMENT);
    n = build_ipv4(f, 0, 0x0010 /* offset */, 0);
    assert_int_equal(quire_net_decode(QUIRE_LINK_IPV4, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_FRAGMENT);
    n = build_ipv4(f, 0, 0, 0);
    f[9] = 6; /* TCP */
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_OTHER);
    /* bad version, bad header length, UDP length beyond the IP packet */
    n = build_ipv4(f, 0, 0, 0);
    f[0] = 0x45 | 0x30;
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), QUIRE_ERR_MALFORMED);
    f[0] = 0x44;
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), QUIRE_ERR_MALFORMED);
    n = build_ipv4(f, 0, 0, 0);
    f[25] = 40;
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), QUIRE_ERR_MALFORMED);
    assert_string_equal(u.what, "UDP length");
    /* ARP over Ethernet is not IP */
    uint8_t arp[60] = {[12] = 0x08, [13] = 0x06};
    assert_int_equal(quire_net_decode(QUIRE_LINK_ETHERNET, arp, sizeof arp, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_OTHER);
    assert_int_equal(quire_net_decode(9999, arp, sizeof arp, &u), QUIRE_ERR_UNSUPPORTED);
}

static void test_ipv6(void **state)
{
    (void)state;
    uint8_t f[160];
    quire_udp u;
    char buf[64];
    size_t n = build_ipv6(f, 1, -1);
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(u.src.family, 6);
    assert_int_equal(u.ecn, 3);
    assert_string_equal(quire_endpoint_str(&u.src, u.sport, buf, sizeof buf),
                        "[2001:2:0:1::100]:443");
    assert_memory_equal(u.payload, "hi", 2);
    /* atomic fragment: whole datagram */
    n = build_ipv6(f, 0, 0);
    assert_int_equal(quire_net_decode(QUIRE_LINK_IPV6, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    /* non-first fragment */
    n = build_ipv6(f, 1, 100);
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_FRAGMENT);
    /* extension header longer than the payload */
    n = build_ipv6(f, 1, -1);
    f[41] = 10;
    assert_int_equal(quire_net_decode(QUIRE_LINK_RAW, f, n, &u), QUIRE_ERR_MALFORMED);
    n = build_ipv6(f, 1, -1);
    for (size_t k = 0; k < n; k++)
        assert_true(quire_net_decode(QUIRE_LINK_RAW, f, k, &u) < 0);
    /* IPv6 payload in an IPv4 link type */
    assert_int_equal(quire_net_decode(QUIRE_LINK_IPV4, f, n, &u), QUIRE_ERR_MALFORMED);
}

static void test_cooked_and_loopback(void **state)
{
    (void)state;
    uint8_t f[160] = {0};
    quire_udp u;
    /* SLL: 16-byte header, protocol at offset 14 */
    f[14] = 0x08;
    size_t n = 16 + build_ipv4(f + 16, 1, 0, 0);
    assert_int_equal(quire_net_decode(QUIRE_LINK_SLL, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(u.ecn, 1);
    /* SLL2: 20-byte header, protocol first */
    memset(f, 0, sizeof f);
    f[0] = 0x86;
    f[1] = 0xdd;
    n = 20 + build_ipv6(f + 20, 0, -1);
    assert_int_equal(quire_net_decode(QUIRE_LINK_SLL2, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(u.src.family, 6);
    /* NULL: host-order family 2 (little endian) and LOOP: network order 24 (IPv6) */
    memset(f, 0, sizeof f);
    f[0] = 2;
    n = 4 + build_ipv4(f + 4, 0, 0, 0);
    assert_int_equal(quire_net_decode(QUIRE_LINK_NULL, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    memset(f, 0, sizeof f);
    f[3] = 24;
    n = 4 + build_ipv6(f + 4, 0, -1);
    assert_int_equal(quire_net_decode(QUIRE_LINK_LOOP, f, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(quire_net_decode(QUIRE_LINK_SLL, f, 10, &u), QUIRE_ERR_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4),
        cmocka_unit_test(test_fragments_and_other),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_cooked_and_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
