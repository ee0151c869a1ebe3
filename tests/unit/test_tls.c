/* Unit tests for trace/tls: hand-built TLS 1.3 handshake messages (ClientHello with SNI, ALPN,
 * key shares, PSK, early data and transport parameters; ServerHello and HelloRetryRequest;
 * EncryptedExtensions with every transport parameter; Certificate; Finished;
 * NewSessionTicket), CRYPTO reassembly out of order and repeated, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "trace/tls.h"
#include "util/cursor.h"
#include "util/err.h"

typedef struct {
    uint8_t b[2048];
    size_t n;
} bld;

static void put(bld *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void u8(bld *w, unsigned v)
{
    w->b[w->n++] = (uint8_t)v;
}
static void u16(bld *w, unsigned v)
{
    u8(w, v >> 8);
    u8(w, v & 0xff);
}
static void u24(bld *w, size_t v)
{
    u8(w, (unsigned)(v >> 16));
    u16(w, (unsigned)(v & 0xffff));
}
static void vi(bld *w, uint64_t v)
{
    w->n += quire_varint_encode(w->b + w->n, v);
}
/* starts a length-prefixed block of `bytes` length bytes; returns its position */
static size_t open_len(bld *w, int bytes)
{
    size_t at = w->n;
    w->n += (size_t)bytes;
    return at;
}
static void close_len(bld *w, size_t at, int bytes)
{
    size_t len = w->n - at - (size_t)bytes;
    for (int i = bytes - 1; i >= 0; i--, len >>= 8)
        w->b[at + (size_t)i] = (uint8_t)len;
}

static void tp_int(bld *w, uint64_t id, uint64_t v)
{
    vi(w, id);
    vi(w, quire_varint_len(v));
    vi(w, v);
}

/* every transport parameter quire names */
static void build_tps(bld *w, int server)
{
    tp_int(w, 0x01, 30000);
    tp_int(w, 0x03, 1452);
    tp_int(w, 0x04, 1 << 20);
    tp_int(w, 0x05, 1000);
    tp_int(w, 0x06, 2000);
    tp_int(w, 0x07, 3000);
    tp_int(w, 0x08, 100);
    tp_int(w, 0x09, 3);
    tp_int(w, 0x0a, 3);
    tp_int(w, 0x0b, 25);
    tp_int(w, 0x0e, 8);
    tp_int(w, 0x20, 65535);
    vi(w, 0x0c);
    vi(w, 0); /* disable_active_migration */
    vi(w, 0x2ab2);
    vi(w, 0); /* grease_quic_bit */
    vi(w, 0x0f);
    vi(w, 4);
    put(w, "\xa1\xa2\xa3\xa4", 4);
    vi(w, 0x11);
    vi(w, 12);
    put(w, "\x00\x00\x00\x01\x6b\x33\x43\xcf\x00\x00\x00\x01", 12);
    vi(w, 27 + 31 * 5);
    vi(w, 1);
    u8(w, 0); /* a greased parameter */
    if (server) {
        vi(w, 0x00);
        vi(w, 8);
        put(w, "\x83\x94\xc8\xf0\x3e\x51\x57\x08", 8);
        vi(w, 0x10);
        vi(w, 2);
        put(w, "\xee\xff", 2);
        vi(w, 0x02);
        vi(w, 16);
        put(w, "0123456789abcdef", 16);
        vi(w, 0x0d);
        vi(w, 4 + 2 + 16 + 2 + 1 + 3 + 16);
        put(w, "\xc6\x12\x00\x01", 4);
        u16(w, 4433);
        put(w, "\x20\x01\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01", 16);
        u16(w, 4434);
        u8(w, 3);
        put(w, "\x01\x02\x03", 3);
        put(w, "fedcba9876543210", 16);
    }
}

static void build_client_hello(bld *w)
{
    u8(w, 1);
    size_t m = open_len(w, 3);
    u16(w, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(w, (unsigned)i);
    u8(w, 0); /* session id */
    u16(w, 6);
    u16(w, 0x1301);
    u16(w, 0x1302);
    u16(w, 0x1303);
    u8(w, 1);
    u8(w, 0);
    size_t ex = open_len(w, 2);
    u16(w, 0);
    size_t e = open_len(w, 2);
    size_t l = open_len(w, 2);
    u8(w, 0);
    u16(w, 6);
    put(w, "server", 6);
    close_len(w, l, 2);
    close_len(w, e, 2);
    u16(w, 16);
    e = open_len(w, 2);
    l = open_len(w, 2);
    u8(w, 10);
    put(w, "hq-interop", 10);
    u8(w, 2);
    put(w, "h3", 2);
    close_len(w, l, 2);
    close_len(w, e, 2);
    u16(w, 51);
    e = open_len(w, 2);
    l = open_len(w, 2);
    u16(w, 0x001d);
    u16(w, 4);
    put(w, "KKKK", 4);
    u16(w, 0x0017);
    u16(w, 2);
    put(w, "PP", 2);
    close_len(w, l, 2);
    close_len(w, e, 2);
    u16(w, 42);
    u16(w, 0); /* early_data */
    u16(w, 57);
    e = open_len(w, 2);
    build_tps(w, 0);
    close_len(w, e, 2);
    /* pre_shared_key last: two identities, one binder */
    u16(w, 41);
    e = open_len(w, 2);
    l = open_len(w, 2);
    u16(w, 3);
    put(w, "abc", 3);
    put(w, "\0\0\0\1", 4);
    u16(w, 2);
    put(w, "de", 2);
    put(w, "\0\0\0\2", 4);
    close_len(w, l, 2);
    u16(w, 33);
    u8(w, 32);
    for (int i = 0; i < 32; i++)
        u8(w, 0);
    close_len(w, e, 2);
    close_len(w, ex, 2);
    close_len(w, m, 3);
}

static void build_server_flight(bld *w, uint16_t cipher)
{
    /* ServerHello */
    u8(w, 2);
    size_t m = open_len(w, 3);
    u16(w, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(w, 0x80u + (unsigned)i);
    u8(w, 0);
    u16(w, cipher);
    u8(w, 0);
    size_t ex = open_len(w, 2);
    u16(w, 43);
    u16(w, 2);
    u16(w, 0x0304);
    u16(w, 51);
    u16(w, 8);
    u16(w, 0x001d);
    u16(w, 4);
    put(w, "SSSS", 4);
    u16(w, 41);
    u16(w, 2);
    u16(w, 0);
    close_len(w, ex, 2);
    close_len(w, m, 3);
    /* EncryptedExtensions */
    u8(w, 8);
    m = open_len(w, 3);
    ex = open_len(w, 2);
    u16(w, 16);
    size_t e = open_len(w, 2);
    size_t l = open_len(w, 2);
    u8(w, 10);
    put(w, "hq-interop", 10);
    close_len(w, l, 2);
    close_len(w, e, 2);
    u16(w, 42);
    u16(w, 0);
    u16(w, 57);
    e = open_len(w, 2);
    build_tps(w, 1);
    close_len(w, e, 2);
    close_len(w, ex, 2);
    close_len(w, m, 3);
    /* Certificate with two entries */
    u8(w, 11);
    m = open_len(w, 3);
    u8(w, 0);
    l = open_len(w, 3);
    u24(w, 5);
    put(w, "cert1", 5);
    u16(w, 0);
    u24(w, 5);
    put(w, "cert2", 5);
    u16(w, 0);
    close_len(w, l, 3);
    close_len(w, m, 3);
    /* CertificateVerify */
    u8(w, 15);
    u24(w, 2 + 2 + 4);
    u16(w, 0x0804);
    u16(w, 4);
    put(w, "sig!", 4);
    /* Finished */
    u8(w, 20);
    u24(w, 32);
    for (int i = 0; i < 32; i++)
        u8(w, 0xf0);
}

static void test_client_hello(void **state)
{
    (void)state;
    bld w = {0};
    build_client_hello(&w);
    quire_tls_info info = {0};
    assert_int_equal(quire_tls_parse_message(w.b, w.n, 1, &info), 0);
    assert_int_equal(info.client_hello, 1);
    assert_int_equal(info.client_random[31], 31);
    assert_string_equal(info.sni, "server");
    assert_string_equal(info.alpn_offered, "hq-interop,h3");
    assert_int_equal(info.cipher_count, 3);
    assert_int_equal(info.ciphers[2], 0x1303);
    assert_int_equal(info.key_share_count, 2);
    assert_int_equal(info.key_share_groups[0], 0x001d);
    assert_string_equal(quire_tls_group_name(info.key_share_groups[1]), "secp256r1");
    assert_true(info.psk);
    assert_int_equal(info.psk_identities, 2);
    assert_true(info.early_data);
    assert_true(info.client_tp.present);
    assert_int_equal(info.client_tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_BIDI], 100);
    assert_int_equal(info.client_tp.version_info.chosen, 1);
    assert_int_equal(info.client_tp.version_info.count, 2);
    assert_int_equal(info.client_tp.version_info.available[0], 0x6b3343cf);
    assert_int_equal(info.client_tp.unknown_count, 1);
    assert_int_equal(info.client_tp.unknown_ids[0], 27 + 31 * 5);
    assert_int_equal(info.errors, 0);
    /* every truncation of the message is reported, never read past */
    for (size_t n = 0; n < w.n; n++) {
        quire_tls_info t = {0};
        assert_true(quire_tls_parse_message(w.b, n, 1, &t) < 0);
        assert_int_equal(t.errors, 1);
        assert_true(t.error[0] != 0);
    }
}

static void test_server_flight_reassembly(void **state)
{
    (void)state;
    bld w = {0};
    build_server_flight(&w, 0x1302);
    quire_tls_info info = {0};
    quire_tls_stream s;
    quire_tls_stream_init(&s, 0);
    /* deliver in 7-byte pieces, odd pieces first, then everything again */
    for (int pass = 0; pass < 3; pass++)
        for (size_t off = 0; off < w.n; off += 7) {
            size_t n = w.n - off < 7 ? w.n - off : 7;
            if (pass < 2 && (int)((off / 7) % 2) != 1 - pass) continue;
            assert_int_equal(quire_tls_stream_add(&s, off, w.b + off, n, &info), 0);
        }
    assert_int_equal(s.contig, w.n);
    assert_int_equal(s.parsed, w.n);
    assert_int_equal(info.server_hello, 1);
    assert_int_equal(info.cipher, 0x1302);
    assert_string_equal(quire_tls_cipher_name(info.cipher), "TLS_AES_256_GCM_SHA384");
    assert_int_equal(info.key_share_group, 0x001d);
    assert_true(info.psk_accepted);
    assert_int_equal(info.server_random[0], 0x80);
    assert_int_equal(info.encrypted_extensions, 1);
    assert_string_equal(info.alpn, "hq-interop");
    assert_true(info.early_data_accepted);
    const quire_tp_set *tp = &info.server_tp;
    for (int id = 0; id < QUIRE_TP_COUNT; id++)
        assert_true(tp->mask & (1u << id));
    assert_int_equal(tp->val[QUIRE_TP_MAX_IDLE_TIMEOUT], 30000);
    assert_int_equal(tp->val[QUIRE_TP_INITIAL_MAX_DATA], 1 << 20);
    assert_int_equal(tp->odcid.len, 8);
    assert_int_equal(tp->rscid.len, 2);
    assert_int_equal(tp->iscid.id[3], 0xa4);
    assert_int_equal(tp->preferred_address.v4_port, 4433);
    assert_int_equal(tp->preferred_address.v6_port, 4434);
    assert_int_equal(tp->preferred_address.cid.len, 3);
    assert_memory_equal(tp->reset_token, "0123456789abcdef", 16);
    assert_int_equal(info.certificates, 1);
    assert_int_equal(info.cert_count, 2);
    assert_int_equal(info.certificate_verify, 1);
    assert_int_equal(info.server_finished, 1);
    if (info.errors) fprintf(stderr, "error: %s\n", info.error);
    assert_int_equal(info.errors, 0);
    quire_tls_stream_free(&s);
}

static void test_hrr_ticket_errors(void **state)
{
    (void)state;
    static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                           0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                           0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                           0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    bld w = {0};
    u8(&w, 2);
    size_t m = open_len(&w, 3);
    u16(&w, 0x0303);
    put(&w, hrr_random, 32);
    u8(&w, 0);
    u16(&w, 0x1301);
    u8(&w, 0);
    size_t ex = open_len(&w, 2);
    u16(&w, 51);
    u16(&w, 2);
    u16(&w, 0x0017);
    close_len(&w, ex, 2);
    close_len(&w, m, 3);
    quire_tls_info info = {0};
    assert_int_equal(quire_tls_parse_message(w.b, w.n, 0, &info), 0);
    assert_int_equal(info.hello_retry_request, 1);
    assert_int_equal(info.server_hello, 0);
    assert_int_equal(info.key_share_group, 0x0017);

    /* NewSessionTicket with early_data max 0xffffffff (RFC 9001 Section 4.6.1) */
    w.n = 0;
    u8(&w, 4);
    m = open_len(&w, 3);
    put(&w, "\0\0\x1c\x20", 4);
    put(&w, "\1\2\3\4", 4);
    u8(&w, 1);
    u8(&w, 0);
    u16(&w, 3);
    put(&w, "tkt", 3);
    ex = open_len(&w, 2);
    u16(&w, 42);
    u16(&w, 4);
    put(&w, "\xff\xff\xff\xff", 4);
    close_len(&w, ex, 2);
    close_len(&w, m, 3);
    assert_int_equal(quire_tls_parse_message(w.b, w.n, 0, &info), 0);
    assert_int_equal(info.tickets, 1);
    assert_true(info.ticket_early_data);
    assert_int_equal(info.max_early_data_size, 0xffffffffu);

    /* Finished of a wrong length; trailing bytes in a message; a duplicate parameter */
    const uint8_t fin[] = {20, 0, 0, 3, 1, 2, 3};
    assert_int_equal(quire_tls_parse_message(fin, sizeof fin, 1, &info), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(info.error, "Finished from the client"));
    const uint8_t cv[] = {15, 0, 0, 6, 8, 4, 0, 0, 9, 9};
    assert_int_equal(quire_tls_parse_message(cv, sizeof cv, 0, &info), QUIRE_ERR_MALFORMED);
    quire_tp_set tp = {0};
    const uint8_t dup[] = {0x01, 0x01, 0x05, 0x01, 0x01, 0x06};
    assert_int_equal(quire_tls_parse_tp(dup, sizeof dup, &tp), QUIRE_ERR_MALFORMED);
    const uint8_t badint[] = {0x01, 0x02, 0x05, 0x00};
    memset(&tp, 0, sizeof tp);
    assert_int_equal(quire_tls_parse_tp(badint, sizeof badint, &tp), QUIRE_ERR_MALFORMED);
    assert_string_equal(quire_tp_name(QUIRE_TP_VERSION_INFORMATION), "version_information");
    assert_int_equal(quire_tp_wire_id(QUIRE_TP_GREASE_QUIC_BIT), 0x2ab2);
}

static void test_stream_limits(void **state)
{
    (void)state;
    quire_tls_info info = {0};
    quire_tls_stream s;
    quire_tls_stream_init(&s, 1);
    uint8_t b[4] = {0};
    assert_int_equal(quire_tls_stream_add(&s, QUIRE_TLS_MAX_STREAM, b, 4, &info),
                     QUIRE_ERR_UNSUPPORTED);
    assert_true(s.failed);
    assert_int_equal(info.errors, 1);
    quire_tls_stream_free(&s);
    /* more gaps than ranges */
    memset(&info, 0, sizeof info);
    quire_tls_stream_init(&s, 1);
    int rv = 0;
    for (int i = 1; i <= QUIRE_TLS_MAX_RANGES + 1 && rv == 0; i++)
        rv = quire_tls_stream_add(&s, (uint64_t)i * 10, b, 1, &info);
    assert_int_equal(rv, QUIRE_ERR_UNSUPPORTED);
    quire_tls_stream_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_hello),
        cmocka_unit_test(test_server_flight_reassembly),
        cmocka_unit_test(test_hrr_ticket_errors),
        cmocka_unit_test(test_stream_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
