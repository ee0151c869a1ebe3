/* Unit tests for trace/pcap: pcap (micro- and nanosecond magic) and pcapng files built in
 * memory; frame numbers and timestamps; a file cut inside a record; garbage; an unsupported
 * link type; a missing file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "trace/pcap.h"
#include "util/err.h"

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Classic pcap: global header + n records of 10 bytes each. */
static size_t build_pcap(uint8_t *out, uint32_t magic, uint32_t linktype, int n)
{
    le32(out, magic);
    out[4] = 2;
    out[5] = 0;
    out[6] = 4;
    out[7] = 0;
    memset(out + 8, 0, 8);
    le32(out + 16, 65535);
    le32(out + 20, linktype);
    size_t pos = 24;
    for (int i = 0; i < n; i++) {
        le32(out + pos, 1000 + (uint32_t)i); /* seconds */
        le32(out + pos + 4, 500);            /* usec or nsec */
        le32(out + pos + 8, 10);
        le32(out + pos + 12, 12);
        memset(out + pos + 16, 0x40 + i, 10);
        pos += 26;
    }
    return pos;
}

static void test_pcap_records(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = build_pcap(buf, 0xa1b2c3d4, 1, 3);
    quire_pcap p;
    quire_pcap_record r;
    assert_int_equal(quire_pcap_open_mem(&p, buf, n), 0);
    assert_int_equal(p.linktype, QUIRE_LINK_ETHERNET);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(quire_pcap_next(&p, &r), 1);
        assert_int_equal(r.frame, (uint64_t)i + 1);
        assert_int_equal(r.ts_ns, (1000 + (uint64_t)i) * 1000000000ull + 500000ull);
        assert_int_equal(r.caplen, 10);
        assert_int_equal(r.len, 12);
        assert_int_equal(r.data[0], 0x40 + i);
    }
    assert_int_equal(quire_pcap_next(&p, &r), 0);
    quire_pcap_close(&p);

    /* nanosecond magic, raw IP link type (LINKTYPE_RAW 101) */
    n = build_pcap(buf, 0xa1b23c4d, 101, 1);
    assert_int_equal(quire_pcap_open_mem(&p, buf, n), 0);
    assert_int_equal(p.linktype, QUIRE_LINK_RAW);
    assert_int_equal(quire_pcap_next(&p, &r), 1);
    assert_int_equal(r.ts_ns, 1000 * 1000000000ull + 500ull);
    quire_pcap_close(&p);
}

static void test_pcap_bad(void **state)
{
    (void)state;
    uint8_t buf[512];
    quire_pcap p;
    quire_pcap_record r;
    /* cut inside the third record: two good records then a truncation error naming frame 3 */
    size_t n = build_pcap(buf, 0xa1b2c3d4, 1, 3);
    assert_int_equal(quire_pcap_open_mem(&p, buf, n - 5), 0);
    assert_int_equal(quire_pcap_next(&p, &r), 1);
    assert_int_equal(quire_pcap_next(&p, &r), 1);
    assert_int_equal(quire_pcap_next(&p, &r), QUIRE_ERR_TRUNCATED);
    assert_non_null(strstr(p.err, "frame 3"));
    quire_pcap_close(&p);

    /* garbage */
    memset(buf, 0x5a, 64);
    assert_int_equal(quire_pcap_open_mem(&p, buf, 64), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(p.err, "not a readable pcap"));
    assert_int_equal(quire_pcap_open_mem(&p, buf, 0), QUIRE_ERR_MALFORMED);
    /* header only, cut */
    n = build_pcap(buf, 0xa1b2c3d4, 1, 0);
    assert_int_equal(quire_pcap_open_mem(&p, buf, 10), QUIRE_ERR_MALFORMED);
    /* unsupported link type: USB (189) */
    n = build_pcap(buf, 0xa1b2c3d4, 189, 1);
    assert_int_equal(quire_pcap_open_mem(&p, buf, n), QUIRE_ERR_UNSUPPORTED);
    assert_non_null(strstr(p.err, "link type 189"));
    /* missing file */
    assert_int_equal(quire_pcap_open(&p, "/nonexistent/quire-test.pcap"), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(p.err, "/nonexistent/quire-test.pcap"));
}

/* pcapng: SHB, IDB (SLL2, nanosecond resolution option), one EPB. */
static void test_pcapng(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t pos = 0;
    /* SHB, 28 bytes */
    le32(buf, 0x0a0d0d0a);
    le32(buf + 4, 28);
    le32(buf + 8, 0x1a2b3c4d);
    buf[12] = 1;
    buf[13] = 0;
    buf[14] = 0;
    buf[15] = 0;
    memset(buf + 16, 0xff, 8);
    le32(buf + 24, 28);
    pos = 28;
    /* IDB with if_tsresol = 9 (ns): 20 + option (4 + 4) + end (4) = 32 bytes */
    le32(buf + pos, 1);
    le32(buf + pos + 4, 32);
    buf[pos + 8] = (uint8_t)(QUIRE_LINK_SLL2 & 0xff);
    buf[pos + 9] = (uint8_t)(QUIRE_LINK_SLL2 >> 8);
    buf[pos + 10] = 0;
    buf[pos + 11] = 0;
    le32(buf + pos + 12, 0);
    buf[pos + 16] = 9;
    buf[pos + 17] = 0;
    buf[pos + 18] = 1;
    buf[pos + 19] = 0;
    buf[pos + 20] = 9;
    buf[pos + 21] = 0;
    buf[pos + 22] = 0;
    buf[pos + 23] = 0;
    le32(buf + pos + 24, 0);
    le32(buf + pos + 28, 32);
    pos += 32;
    /* EPB with 8 bytes of data: 32 + 8 = 40 */
    le32(buf + pos, 6);
    le32(buf + pos + 4, 40);
    le32(buf + pos + 8, 0);
    le32(buf + pos + 12, 0);
    le32(buf + pos + 16, 1234567); /* ts low: ns */
    le32(buf + pos + 20, 8);
    le32(buf + pos + 24, 8);
    memset(buf + pos + 28, 0x77, 8);
    le32(buf + pos + 36, 40);
    pos += 40;
    quire_pcap p;
    quire_pcap_record r;
    assert_int_equal(quire_pcap_open_mem(&p, buf, pos), 0);
    assert_int_equal(p.linktype, QUIRE_LINK_SLL2);
    assert_string_equal(quire_pcap_link_name(p.linktype), "linux_sll2");
    assert_int_equal(quire_pcap_next(&p, &r), 1);
    assert_int_equal(r.frame, 1);
    assert_int_equal(r.ts_ns, 1234567);
    assert_int_equal(r.caplen, 8);
    assert_int_equal(quire_pcap_next(&p, &r), 0);
    quire_pcap_close(&p);
    /* the same, cut inside the EPB */
    assert_int_equal(quire_pcap_open_mem(&p, buf, pos - 6), 0);
    assert_true(quire_pcap_next(&p, &r) < 0);
    assert_non_null(strstr(p.err, "frame 1"));
    quire_pcap_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_records),
        cmocka_unit_test(test_pcap_bad),
        cmocka_unit_test(test_pcapng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
