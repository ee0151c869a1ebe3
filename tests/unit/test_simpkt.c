/* Unit tests for sim/simpkt: parsing IPv4/IPv6 UDP packets (truncated vs malformed), checksum
 * completion checked against an independent RFC 1071 sum, TTL, Version Negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/simpkt.h"
#include "util/err.h"

#include "simtest_pkt.h"

static void test_parse_v4_v6(void **state)
{
    (void)state;
    uint8_t p[200];
    quire_simpkt sp;
    size_t len = build_udp4(p, 0, 1234, 443, 30, 0);
    assert_int_equal(quire_simpkt_parse(&sp, p, len + 6), 0); /* Ethernet padding after */
    assert_int_equal(sp.family, 4);
    assert_int_equal(sp.totlen, len);
    assert_true(sp.is_udp);
    assert_int_equal(sp.sport, 1234);
    assert_int_equal(sp.dport, 443);
    assert_int_equal(sp.payload_off, 28);
    assert_int_equal(sp.payload_len, 30);
    assert_int_equal(sp.src[3], 100);
    len = build_udp6(p, 1, 443, 1234, 30, 0);
    assert_int_equal(quire_simpkt_parse(&sp, p, len), 0);
    assert_int_equal(sp.family, 6);
    assert_int_equal(sp.payload_off, 48);
    assert_int_equal(sp.dport, 1234);
}

static void test_truncated_malformed(void **state)
{
    (void)state;
    uint8_t p[200];
    quire_simpkt sp;
    size_t len = build_udp4(p, 0, 1234, 443, 30, 0);
    assert_int_equal(quire_simpkt_parse(&sp, p, 0), QUIRE_ERR_TRUNCATED);
    assert_int_equal(quire_simpkt_parse(&sp, p, 10), QUIRE_ERR_TRUNCATED);
    assert_int_equal(quire_simpkt_parse(&sp, p, len - 1), QUIRE_ERR_TRUNCATED);
    p[0] = 0x44; /* IHL 16 bytes */
    assert_int_equal(quire_simpkt_parse(&sp, p, len), QUIRE_ERR_MALFORMED);
    p[0] = 0x75;
    assert_int_equal(quire_simpkt_parse(&sp, p, len), QUIRE_ERR_MALFORMED);
    len = build_udp4(p, 0, 1234, 443, 30, 0);
    p[25] = 200; /* UDP length beyond the IP packet */
    assert_int_equal(quire_simpkt_parse(&sp, p, len), QUIRE_ERR_MALFORMED);
    len = build_udp6(p, 0, 1234, 443, 30, 0);
    assert_int_equal(quire_simpkt_parse(&sp, p, len - 1), QUIRE_ERR_TRUNCATED);
    /* A later IPv4 fragment is not parsed as UDP. */
    len = build_udp4(p, 0, 1234, 443, 30, 0);
    p[7] = 10;
    assert_int_equal(quire_simpkt_parse(&sp, p, len), 0);
    assert_false(sp.is_udp);
}

static void test_checksums_and_ttl(void **state)
{
    (void)state;
    uint8_t p[200];
    quire_simpkt sp;
    for (size_t n = 0; n < 40; n++) { /* odd and even lengths */
        size_t len = build_udp4(p, 0, 1234, 443, n, (uint8_t)(n * 3));
        assert_true(udp_csum_ok(p, len));
        p[30 > len - 1 ? len - 1 : 30] ^= 0x55;
        assert_false(udp_csum_ok(p, len) && len > 28);
        len = build_udp6(p, 0, 1234, 443, n, (uint8_t)n);
        assert_true(udp_csum_ok(p, len));
    }
    size_t len = build_udp4(p, 0, 1234, 443, 20, 0);
    assert_int_equal(quire_simpkt_parse(&sp, p, len), 0);
    assert_int_equal(quire_simpkt_dec_ttl(p, &sp), 0);
    assert_int_equal(p[8], 63);
    assert_true(udp_csum_ok(p, len)); /* the IPv4 header checksum follows */
    p[8] = 1;
    assert_int_equal(quire_simpkt_dec_ttl(p, &sp), -1);
    len = build_udp6(p, 0, 1234, 443, 20, 0);
    assert_int_equal(quire_simpkt_parse(&sp, p, len), 0);
    assert_int_equal(quire_simpkt_dec_ttl(p, &sp), 0);
    assert_int_equal(p[7], 63);
}

static void test_vn(void **state)
{
    (void)state;
    uint8_t p[200];
    quire_simpkt sp;
    size_t len = build_udp4(p, 1, 443, 1234, 20, 0);
    p[28] = 0xc3;
    p[29] = p[30] = p[31] = p[32] = 0;
    assert_int_equal(quire_simpkt_parse(&sp, p, len), 0);
    assert_true(quire_simpkt_is_quic_vn(p, &sp));
    p[32] = 1;
    assert_false(quire_simpkt_is_quic_vn(p, &sp));
    p[28] = 0x43;
    p[32] = 0;
    assert_false(quire_simpkt_is_quic_vn(p, &sp));
}

/* A 3500-byte UDP payload sent with a segment size of 1200: three datagrams of 1200, 1200 and
 * 1100 bytes, each with its own lengths and valid checksums, payload in order. */
static void test_udp_segmentation(void **state)
{
    (void)state;
    static uint8_t p[4000], out[2000];
    quire_simpkt sp, seg;
    for (int v6 = 0; v6 < 2; v6++) {
        size_t len = v6 ? build_udp6(p, 0, 1234, 443, 3500, 7) : build_udp4(p, 0, 1234, 443, 3500, 7);
        if (!v6) {
            p[4] = 0x12;
            p[5] = 0xff;
        }
        assert_int_equal(quire_simpkt_parse(&sp, p, len), 0);
        assert_int_equal(quire_simpkt_udp_nsegs(&sp, 1200), 3);
        size_t total = 0;
        for (size_t i = 0; i < 3; i++) {
            size_t n = quire_simpkt_udp_segment(p, &sp, 1200, i, out, sizeof out);
            size_t want = i < 2 ? 1200 : 1100;
            assert_int_equal(n, sp.payload_off + want);
            assert_int_equal(quire_simpkt_parse(&seg, out, n), 0);
            assert_int_equal(seg.totlen, n);
            assert_int_equal(seg.payload_len, want);
            assert_true(udp_csum_ok(out, n));
            assert_memory_equal(out + seg.payload_off, p + sp.payload_off + total, want);
            if (!v6) {
                unsigned id = 0x12ff + (unsigned)i; /* identification of the original + i */
                assert_int_equal(out[4], id >> 8);
                assert_int_equal(out[5], id & 0xff);
            }
            total += want;
        }
        assert_int_equal(quire_simpkt_udp_segment(p, &sp, 1200, 3, out, sizeof out), 0);
        assert_int_equal(quire_simpkt_udp_segment(p, &sp, 1200, 0, out, 100), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_v4_v6),
        cmocka_unit_test(test_truncated_malformed),
        cmocka_unit_test(test_checksums_and_ttl),
        cmocka_unit_test(test_vn),
        cmocka_unit_test(test_udp_segmentation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
