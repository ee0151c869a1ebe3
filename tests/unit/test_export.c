/* Unit tests for trace/export: a pcap written with libpcap is exported as pcapng with a
 * Decryption Secrets Block; libpcap reads the result back with the same records and nanosecond
 * timestamps, and the DSB reader recovers the same secrets. The DSB reader is also given
 * big-endian sections, several sections, non-TLSK secrets and damaged blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "trace/export.h"
#include "tmpdir.h"
#include "util/err.h"

#define R1 "0101010101010101010101010101010101010101010101010101010101010101"
#define S32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return test_tmpdir_make(dir, sizeof dir, "export");
}

static int teardown(void **state)
{
    (void)state;
    return test_tmpdir_remove(dir);
}

/* Three Ethernet records of 60, 61 and 1514 bytes, nanosecond timestamps. */
static void write_pcap(const char *path)
{
    pcap_t *dead =
        pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    static const uint32_t sizes[3] = {60, 61, 1514};
    uint8_t pkt[1514];
    for (int i = 0; i < 3; i++) {
        for (uint32_t b = 0; b < sizes[i]; b++)
            pkt[b] = (uint8_t)(b * 7 + (uint32_t)i);
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.ts.tv_sec = 1700000000 + i;
        h.ts.tv_usec = 123456789 + i; /* nanoseconds with the NANO precision */
        h.caplen = h.len = sizes[i];
        pcap_dump((u_char *)d, &h, pkt);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static void test_export_roundtrip(void **state)
{
    (void)state;
    char in[128], out[128];
    snprintf(in, sizeof in, "%s/in.pcap", dir);
    snprintf(out, sizeof out, "%s/out.pcapng", dir);
    write_pcap(in);

    quire_keylog kl;
    quire_keylog_init(&kl);
    static const char text[] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\n"
                               "SERVER_TRAFFIC_SECRET_0 " R1 " " S32 "\n";
    assert_int_equal(quire_keylog_parse(&kl, text, strlen(text), "t"), 2);
    char err[512] = "";
    assert_int_equal(quire_export_pcapng(in, out, &kl, err, sizeof err), 3);
    assert_string_equal(err, "");

    /* libpcap reads it back: same link type, records and timestamps. */
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(out, PCAP_TSTAMP_PRECISION_NANO, perr);
    assert_non_null(pc);
    assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
    struct pcap_pkthdr *h;
    const u_char *data;
    static const uint32_t sizes[3] = {60, 61, 1514};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pcap_next_ex(pc, &h, &data), 1);
        assert_int_equal(h->caplen, sizes[i]);
        assert_int_equal(h->ts.tv_sec, 1700000000 + i);
        assert_int_equal(h->ts.tv_usec, 123456789 + i);
        for (uint32_t b = 0; b < sizes[i]; b++)
            assert_int_equal(data[b], (uint8_t)(b * 7 + i));
    }
    assert_int_equal(pcap_next_ex(pc, &h, &data), PCAP_ERROR_BREAK);
    pcap_close(pc);

    /* The secrets come back out of the DSB. */
    quire_keylog back;
    quire_keylog_init(&back);
    assert_int_equal(quire_export_dsb_load(out, &back), 1);
    assert_int_equal(back.count, 1);
    assert_memory_equal(back.entries, kl.entries, sizeof *kl.entries);
    /* A classic pcap holds no DSB. */
    assert_int_equal(quire_export_dsb_load(in, &back), 0);
    quire_keylog_free(&back);

    /* Without secrets: no DSB, still a valid pcapng. */
    assert_int_equal(quire_export_pcapng(in, out, NULL, err, sizeof err), 3);
    quire_keylog_init(&back);
    assert_int_equal(quire_export_dsb_load(out, &back), 0);
    quire_keylog_free(&back);

    /* Errors name the file; no temporary file is left behind. */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing.pcap", dir);
    assert_true(quire_export_pcapng(missing, out, &kl, err, sizeof err) < 0);
    assert_non_null(strstr(err, "missing.pcap"));
    FILE *f = fopen(in, "wb");
    fputs("this is not a capture file at all", f);
    fclose(f);
    assert_int_equal(quire_export_pcapng(in, out, &kl, err, sizeof err), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(err, "in.pcap"));
    char badout[160];
    snprintf(badout, sizeof badout, "%s/no/such/dir/x.pcapng", dir);
    write_pcap(in);
    assert_int_equal(quire_export_pcapng(in, badout, &kl, err, sizeof err), QUIRE_ERR_IO);
    assert_non_null(strstr(err, "no/such/dir"));
    assert_int_equal(quire_export_dsb_load(missing, &back), QUIRE_ERR_IO);
    quire_keylog_free(&kl);
}

/* Hand-built pcapng blocks in either byte order. */
static size_t put32(uint8_t *p, uint32_t v, int be)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    return 4;
}

static size_t shb(uint8_t *p, int be)
{
    size_t n = 0;
    n += put32(p + n, 0x0A0D0D0A, be);
    n += put32(p + n, 28, be);
    n += put32(p + n, 0x1A2B3C4D, be);
    n += put32(p + n, be ? 0x00010000 : 0x00000001, be); /* major 1, minor 0 */
    n += put32(p + n, 0xffffffff, be);
    n += put32(p + n, 0xffffffff, be);
    n += put32(p + n, 28, be);
    return n;
}

static size_t dsb(uint8_t *p, uint32_t stype, const char *secrets, int be)
{
    size_t slen = strlen(secrets), padded = (slen + 3) & ~(size_t)3;
    uint32_t total = (uint32_t)(12 + 8 + padded);
    size_t n = 0;
    n += put32(p + n, 0x0000000A, be);
    n += put32(p + n, total, be);
    n += put32(p + n, stype, be);
    n += put32(p + n, (uint32_t)slen, be);
    memset(p + n, 0, padded);
    memcpy(p + n, secrets, slen);
    n += padded;
    n += put32(p + n, total, be);
    return n;
}

static void test_dsb_parse(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    static const char k1[] = "SERVER_TRAFFIC_SECRET_0 " R1 " " S32 "\n";
    static const char k2[] = "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32; /* unpadded length */
    size_t n = 0;
    n += shb(buf + n, 1); /* big-endian section */
    n += dsb(buf + n, 0x544c534b, k1, 1);
    n += dsb(buf + n, 0x57474b4c, "wireguard", 1); /* another secrets type: skipped */
    n += shb(buf + n, 0);                          /* then a little-endian one */
    n += dsb(buf + n, 0x544c534b, k2, 0);
    quire_keylog kl;
    quire_keylog_init(&kl);
    assert_int_equal(quire_export_dsb_parse(buf, n, "x.pcapng", &kl), 2);
    assert_int_equal(kl.count, 1);
    assert_int_equal(kl.entries[0].len[3], 32);
    assert_int_equal(kl.entries[0].len[4], 32);

    /* Every truncation is an error, never a read past the end. */
    for (size_t cut = 1; cut < n; cut++) {
        uint8_t *copy = malloc(cut);
        memcpy(copy, buf, cut);
        int rv = quire_export_dsb_parse(copy, cut, "cut", &kl);
        /* Cuts on a block boundary are complete files with fewer blocks. */
        assert_true(rv == QUIRE_ERR_TRUNCATED || rv >= 0);
        free(copy);
    }
    /* Not pcapng, bad magic, odd or mismatched lengths. */
    assert_int_equal(
        quire_export_dsb_parse((const uint8_t *)"\xd4\xc3\xb2\xa1xxxxxxxxxxxx", 16, "p", &kl),
        QUIRE_ERR_MALFORMED);
    uint8_t bad[64];
    size_t m = shb(bad, 0);
    bad[8] ^= 0xff;
    assert_int_equal(quire_export_dsb_parse(bad, m, "b", &kl), QUIRE_ERR_MALFORMED);
    m = shb(bad, 0);
    put32(bad + m - 4, 32, 0); /* trailer differs */
    assert_int_equal(quire_export_dsb_parse(bad, m, "b", &kl), QUIRE_ERR_MALFORMED);
    m = shb(bad, 0);
    put32(bad + 4, 30, 0); /* not a multiple of 4 */
    assert_int_equal(quire_export_dsb_parse(bad, m, "b", &kl), QUIRE_ERR_MALFORMED);
    /* A DSB whose secrets length overruns its block. */
    m = shb(bad, 0);
    m += dsb(bad + m, 0x544c534b, "abcd", 0);
    put32(bad + 28 + 12, 200, 0);
    assert_int_equal(quire_export_dsb_parse(bad, m, "b", &kl), QUIRE_ERR_MALFORMED);
    assert_int_equal(quire_export_dsb_parse(buf, 0, "empty", &kl), 0);
    quire_keylog_free(&kl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_roundtrip),
        cmocka_unit_test(test_dsb_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
