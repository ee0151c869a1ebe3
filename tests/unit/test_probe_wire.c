/* Unit tests for probe/wire, probe/tpenc and probe/capture: every builder's output decoded
 * by quire's trace decoder (trace/frames.c, trace/packet.c, trace/tls.c, trace/net.c), so the
 * probe and the analyzer agree on the wire format; packets protected with one key set and
 * opened with the same (one AEAD implementation both ways); the writer's sticky error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "probe/capture.h"
#include "probe/tpenc.h"
#include "probe/wire.h"
#include "trace/frames.h"
#include "trace/net.h"
#include "trace/pcap.h"
#include "trace/tls.h"
#include "util/cursor.h"
#include "util/err.h"

static quire_frame one(const uint8_t *buf, size_t len)
{
    quire_cursor c;
    quire_frame f;
    quire_cursor_init(&c, buf, len);
    assert_int_equal(quire_frame_decode(&c, &f), 0);
    assert_int_equal(quire_cursor_left(&c), 0);
    return f;
}

static void test_varints(void **state)
{
    (void)state;
    static const struct {
        uint64_t v;
        size_t len;
    } vec[] = {{0, 1}, {63, 1}, {64, 2}, {16383, 2}, {16384, 4}, {(1u << 30) - 1, 4},
               {1u << 30, 8}, {(1ull << 62) - 1, 8}};
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        uint8_t b[8];
        quire_wire w;
        quire_wire_init(&w, b, sizeof b);
        quire_wire_varint(&w, vec[i].v);
        assert_int_equal(w.err, 0);
        assert_int_equal(w.len, vec[i].len);
        quire_cursor c;
        quire_cursor_init(&c, b, w.len);
        uint64_t v;
        assert_int_equal(quire_cursor_varint(&c, &v), 0);
        assert_true(v == vec[i].v);
    }
    /* non-minimal forms decode to the same value (RFC 9000 Section 16) */
    uint8_t b[8];
    quire_wire w;
    quire_wire_init(&w, b, sizeof b);
    quire_wire_varint_n(&w, 5, 8);
    assert_int_equal(w.len, 8);
    quire_cursor c;
    quire_cursor_init(&c, b, 8);
    uint64_t v;
    assert_int_equal(quire_cursor_varint(&c, &v), 0);
    assert_int_equal(v, 5);
    /* too large: sticky INVALID, nothing written afterwards */
    quire_wire_init(&w, b, sizeof b);
    quire_wire_varint(&w, 1ull << 62);
    assert_int_equal(w.err, QUIRE_ERR_INVALID);
    quire_wire_u8(&w, 1);
    assert_int_equal(w.len, 0);
    quire_wire_init(&w, b, sizeof b);
    quire_wire_varint_n(&w, 64, 1);
    assert_int_equal(w.err, QUIRE_ERR_INVALID);
    /* no room: TRUNCATED, and nothing partial */
    quire_wire_init(&w, b, 3);
    quire_wire_u16(&w, 1);
    quire_wire_u16(&w, 2);
    assert_int_equal(w.err, QUIRE_ERR_TRUNCATED);
    assert_int_equal(w.len, 2);
}

static void test_frames_round_trip(void **state)
{
    (void)state;
    uint8_t b[256];
    quire_wire w;
    quire_frame f;
    static const uint8_t tok[16] = "0123456789abcdef", cid[8] = {1, 2, 3, 4, 5, 6, 7, 8},
                         pc[8] = {9, 8, 7, 6, 5, 4, 3, 2};

#define BUILD(call)                                                                            \
    do {                                                                                       \
        quire_wire_init(&w, b, sizeof b);                                                      \
        call;                                                                                  \
        assert_int_equal(w.err, 0);                                                            \
        f = one(b, w.len);                                                                     \
    } while (0)

    BUILD(quire_wire_ping(&w));
    assert_int_equal(f.kind, QUIRE_FRAME_PING);
    BUILD(quire_wire_stream(&w, 8, 1000, (const uint8_t *)"hello", 5, 1));
    assert_int_equal(f.kind, QUIRE_FRAME_STREAM);
    assert_int_equal(f.type, 0x0f);
    assert_int_equal(f.u.stream.stream_id, 8);
    assert_int_equal(f.u.stream.offset, 1000);
    assert_int_equal(f.u.stream.len, 5);
    assert_true(f.u.stream.fin);
    assert_memory_equal(f.u.stream.data, "hello", 5);
    BUILD(quire_wire_crypto(&w, 77, (const uint8_t *)"abc", 3));
    assert_int_equal(f.kind, QUIRE_FRAME_CRYPTO);
    assert_int_equal(f.u.crypto.offset, 77);
    assert_int_equal(f.u.crypto.len, 3);
    BUILD(quire_wire_reset_stream(&w, 3, 7, 99));
    assert_int_equal(f.kind, QUIRE_FRAME_RESET_STREAM);
    assert_int_equal(f.u.reset_stream.stream_id, 3);
    assert_int_equal(f.u.reset_stream.error, 7);
    assert_int_equal(f.u.reset_stream.final_size, 99);
    BUILD(quire_wire_stop_sending(&w, 2, 5));
    assert_int_equal(f.kind, QUIRE_FRAME_STOP_SENDING);
    assert_int_equal(f.u.stop_sending.stream_id, 2);
    BUILD(quire_wire_new_token(&w, tok, 16));
    assert_int_equal(f.kind, QUIRE_FRAME_NEW_TOKEN);
    assert_int_equal(f.u.new_token.len, 16);
    BUILD(quire_wire_max_data(&w, 123456));
    assert_int_equal(f.u.max_data.max, 123456);
    BUILD(quire_wire_max_stream_data(&w, 2, 100000));
    assert_int_equal(f.kind, QUIRE_FRAME_MAX_STREAM_DATA);
    assert_int_equal(f.u.max_stream_data.stream_id, 2);
    assert_int_equal(f.u.max_stream_data.max, 100000);
    BUILD(quire_wire_max_streams(&w, 0, 17));
    assert_int_equal(f.kind, QUIRE_FRAME_MAX_STREAMS);
    assert_false(f.u.max_streams.bidi);
    assert_int_equal(f.u.max_streams.max, 17);
    BUILD(quire_wire_data_blocked(&w, 5));
    assert_int_equal(f.kind, QUIRE_FRAME_DATA_BLOCKED);
    BUILD(quire_wire_stream_data_blocked(&w, 3, 0));
    assert_int_equal(f.kind, QUIRE_FRAME_STREAM_DATA_BLOCKED);
    assert_int_equal(f.u.stream_data_blocked.stream_id, 3);
    BUILD(quire_wire_streams_blocked(&w, 1, 4));
    assert_int_equal(f.kind, QUIRE_FRAME_STREAMS_BLOCKED);
    assert_true(f.u.streams_blocked.bidi);
    BUILD(quire_wire_new_connection_id(&w, 3, 1, cid, 8, tok));
    assert_int_equal(f.kind, QUIRE_FRAME_NEW_CONNECTION_ID);
    assert_int_equal(f.u.new_connection_id.seq, 3);
    assert_int_equal(f.u.new_connection_id.retire_prior_to, 1);
    assert_int_equal(f.u.new_connection_id.cid_len, 8);
    assert_memory_equal(f.u.new_connection_id.cid, cid, 8);
    assert_memory_equal(f.u.new_connection_id.reset_token, tok, 16);
    BUILD(quire_wire_retire_connection_id(&w, 1000));
    assert_int_equal(f.u.retire_connection_id.seq, 1000);
    BUILD(quire_wire_path_challenge(&w, pc));
    assert_int_equal(f.kind, QUIRE_FRAME_PATH_CHALLENGE);
    assert_memory_equal(f.u.path.data, pc, 8);
    BUILD(quire_wire_path_response(&w, pc));
    assert_int_equal(f.kind, QUIRE_FRAME_PATH_RESPONSE);
    BUILD(quire_wire_connection_close(&w, 0, 0x0a, 0x1e, "no"));
    assert_int_equal(f.kind, QUIRE_FRAME_CONNECTION_CLOSE);
    assert_false(f.u.connection_close.app);
    assert_int_equal(f.u.connection_close.error, 0x0a);
    assert_int_equal(f.u.connection_close.frame_type, 0x1e);
    assert_int_equal(f.u.connection_close.reason_len, 2);
    BUILD(quire_wire_connection_close(&w, 1, 0x101, 0, NULL));
    assert_true(f.u.connection_close.app);
    assert_int_equal(f.u.connection_close.error, 0x101);
    BUILD(quire_wire_handshake_done(&w));
    assert_int_equal(f.kind, QUIRE_FRAME_HANDSHAKE_DONE);

    /* ACK with three ranges: 100..96, 93..91, 89 */
    uint64_t r[3][2] = {{100, 96}, {93, 91}, {89, 89}};
    BUILD(quire_wire_ack(&w, (const uint64_t(*)[2])r, 3, 0));
    assert_int_equal(f.kind, QUIRE_FRAME_ACK);
    assert_int_equal(f.u.ack.largest, 100);
    quire_cursor it;
    uint64_t i = 0, lo, hi;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(quire_frame_ack_range(&f, &it, &i, &lo, &hi), 1);
        assert_true(hi == r[k][0] && lo == r[k][1]);
    }
    assert_int_equal(quire_frame_ack_range(&f, &it, &i, &lo, &hi), 0);
    /* overlapping ranges are refused */
    uint64_t bad[2][2] = {{10, 5}, {5, 1}};
    quire_wire_init(&w, b, sizeof b);
    quire_wire_ack(&w, (const uint64_t(*)[2])bad, 2, 0);
    assert_int_equal(w.err, QUIRE_ERR_INVALID);

    /* what the cases send on purpose is what the decoder calls bad */
    quire_cursor c;
    quire_wire_init(&w, b, sizeof b);
    quire_wire_new_connection_id(&w, 1, 0, cid, 0, tok);
    quire_cursor_init(&c, b, w.len);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);
    quire_wire_init(&w, b, sizeof b);
    quire_wire_varint(&w, 0x1a2a);
    quire_cursor_init(&c, b, w.len);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_UNSUPPORTED);
#undef BUILD
}

static void test_long_header_packet(void **state)
{
    (void)state;
    static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    static const uint8_t scid[8] = {1, 1, 2, 3, 5, 8, 13, 21};
    const uint32_t versions[] = {QUIRE_QUIC_V1, QUIRE_QUIC_V2};
    for (size_t v = 0; v < 2; v++) {
        quire_keys ck, sk;
        assert_int_equal(quire_keys_init_initial(&ck, &sk, versions[v], dcid, 8), 0);
        uint8_t payload[64];
        quire_wire w;
        quire_wire_init(&w, payload, sizeof payload);
        quire_wire_crypto(&w, 0, (const uint8_t *)"client hello", 12);
        quire_wire_padding(&w, 20);
        quire_wire_hdr h = {.type = QUIRE_PACKET_INITIAL, .version = versions[v], .dcid = dcid,
                            .dcid_len = 8, .scid = scid, .scid_len = 8,
                            .token = (const uint8_t *)"tk", .token_len = 2, .pn = 7, .pn_len = 4};
        uint8_t pkt[256];
        int n = quire_wire_packet(pkt, sizeof pkt, &h, payload, w.len, &ck);
        assert_true(n > 0);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        ctx.keys[QUIRE_EPOCH_INITIAL] = &ck; /* the sender's keys open it */
        static uint8_t out[QUIRE_PACKET_MAX_OUT];
        quire_packet p;
        assert_int_equal(quire_packet_decode(&p, pkt, (size_t)n, &ctx, out, sizeof out), n);
        assert_int_equal(p.type, QUIRE_PACKET_INITIAL);
        assert_int_equal(p.status, 0);
        assert_true(p.version == versions[v]);
        assert_int_equal(p.pn, 7);
        assert_int_equal(p.token_len, 2);
        assert_memory_equal(p.dcid, dcid, 8);
        assert_memory_equal(p.scid, scid, 8);
        assert_int_equal(p.payload_len, w.len);
        assert_memory_equal(p.payload, payload, w.len);
        /* a Handshake header with the reserved bits set decrypts, then is MALFORMED */
        h.type = QUIRE_PACKET_HANDSHAKE;
        h.reserved = 0x0c;
        n = quire_wire_packet(pkt, sizeof pkt, &h, payload, w.len, &ck);
        ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &ck;
        assert_int_equal(quire_packet_decode(&p, pkt, (size_t)n, &ctx, out, sizeof out), n);
        assert_int_equal(p.type, QUIRE_PACKET_HANDSHAKE);
        assert_int_equal(p.status, QUIRE_ERR_MALFORMED);
        quire_keys_free(&ck);
        quire_keys_free(&sk);
    }
    assert_int_equal(quire_wire_long_type_bits(QUIRE_PACKET_HANDSHAKE, QUIRE_QUIC_V1), 2);
    assert_int_equal(quire_wire_long_type_bits(QUIRE_PACKET_HANDSHAKE, QUIRE_QUIC_V2), 3);
    assert_int_equal(quire_wire_long_type_bits(QUIRE_PACKET_1RTT, QUIRE_QUIC_V1), -1);
}

static void test_short_header_packet(void **state)
{
    (void)state;
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)(i * 3 + 1);
    quire_keys k;
    assert_int_equal(quire_keys_init(&k, QUIRE_QUIC_V1, QUIRE_AEAD_CHACHA20_POLY1305, secret, 32), 0);
    static const uint8_t dcid[5] = {9, 9, 9, 9, 9};
    uint8_t payload[8] = {0x01}; /* PING */
    quire_wire_hdr h = {.type = QUIRE_PACKET_1RTT, .dcid = dcid, .dcid_len = 5, .pn = 300,
                        .pn_len = 4, .key_phase = 1};
    uint8_t pkt[128];
    int n = quire_wire_packet(pkt, sizeof pkt, &h, payload, 1, &k);
    assert_int_equal(n, 1 + 5 + 4 + 1 + 16);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 5);
    ctx.keys[QUIRE_EPOCH_1RTT] = &k;
    ctx.app_key_phase = 1;
    static uint8_t out[QUIRE_PACKET_MAX_OUT];
    quire_packet p;
    assert_int_equal(quire_packet_decode(&p, pkt, (size_t)n, &ctx, out, sizeof out), n);
    assert_int_equal(p.type, QUIRE_PACKET_1RTT);
    assert_int_equal(p.status, 0);
    assert_int_equal(p.pn, 300);
    assert_int_equal(p.key_phase, 1);
    assert_int_equal(p.payload_len, 1);
    /* no frames at all: still a valid packet to protect (4-byte packet number) */
    n = quire_wire_packet(pkt, sizeof pkt, &h, payload, 0, &k);
    assert_int_equal(quire_packet_decode(&p, pkt, (size_t)n, &ctx, out, sizeof out), n);
    assert_int_equal(p.status, 0);
    assert_int_equal(p.payload_len, 0);
    /* reserved bits (RFC 9000 Section 17.3.1) */
    h.reserved = 0x18;
    n = quire_wire_packet(pkt, sizeof pkt, &h, payload, 1, &k);
    assert_int_equal(quire_packet_decode(&p, pkt, (size_t)n, &ctx, out, sizeof out), n);
    assert_int_equal(p.status, QUIRE_ERR_MALFORMED);
    assert_int_equal(p.reserved_bits, 0x18);
    /* too short to sample with a 1-byte packet number */
    h.pn_len = 1;
    assert_int_equal(quire_wire_packet(pkt, sizeof pkt, &h, payload, 1, &k), QUIRE_ERR_INVALID);
    /* output too small */
    h.pn_len = 4;
    assert_int_equal(quire_wire_packet(pkt, 20, &h, payload, 1, &k), QUIRE_ERR_TRUNCATED);
    quire_keys_free(&k);
}

static void test_transport_parameters(void **state)
{
    (void)state;
    static const uint8_t scid[8] = {0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4};
    uint8_t buf[512];
    int n = quire_tpenc_client(buf, sizeof buf, scid, 8, NULL);
    assert_true(n > 0);
    quire_tp_set tp;
    memset(&tp, 0, sizeof tp);
    assert_int_equal(quire_tls_parse_tp(buf, (size_t)n, &tp), 0);
    assert_true(tp.mask & (1u << QUIRE_TP_INITIAL_MAX_DATA));
    assert_int_equal(tp.val[QUIRE_TP_INITIAL_MAX_DATA], 1u << 20);
    assert_int_equal(tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_BIDI], 100);
    assert_int_equal(tp.val[QUIRE_TP_MAX_IDLE_TIMEOUT], 30000);
    assert_int_equal(tp.val[QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT], 4);
    assert_true(tp.mask & (1u << QUIRE_TP_INITIAL_SCID));
    assert_int_equal(tp.iscid.len, 8);
    assert_memory_equal(tp.iscid.id, scid, 8);
    /* nothing a client must not send */
    assert_false(tp.mask & ((1u << QUIRE_TP_ORIGINAL_DCID) | (1u << QUIRE_TP_STATELESS_RESET_TOKEN) |
                            (1u << QUIRE_TP_PREFERRED_ADDRESS) | (1u << QUIRE_TP_RETRY_SCID)));

    /* the cases' changes: leave one out, replace a value, add a server-only one */
    quire_tpenc_mod m;
    memset(&m, 0, sizeof m);
    m.omit[m.nomit++] = QUIRE_TPID_INITIAL_SCID;
    m.omit[m.nomit++] = QUIRE_TPID_ACTIVE_CONNECTION_ID_LIMIT;
    quire_wire w;
    quire_wire_init(&w, m.extra, sizeof m.extra);
    quire_tpenc_int(&w, QUIRE_TPID_ACTIVE_CONNECTION_ID_LIMIT, 1);
    quire_tpenc_bytes(&w, QUIRE_TPID_STATELESS_RESET_TOKEN, (const uint8_t *)"0123456789abcdef", 16);
    m.extra_len = w.len;
    n = quire_tpenc_client(buf, sizeof buf, scid, 8, &m);
    memset(&tp, 0, sizeof tp);
    assert_int_equal(quire_tls_parse_tp(buf, (size_t)n, &tp), 0);
    assert_false(tp.mask & (1u << QUIRE_TP_INITIAL_SCID));
    assert_int_equal(tp.val[QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT], 1);
    assert_true(tp.mask & (1u << QUIRE_TP_STATELESS_RESET_TOKEN));
    assert_memory_equal(tp.reset_token, "0123456789abcdef", 16);
    /* too small an output */
    assert_int_equal(quire_tpenc_client(buf, 10, scid, 8, NULL), QUIRE_ERR_TRUNCATED);
}

static void test_capture_frames(void **state)
{
    (void)state;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000)};
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = htons(443)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    inet_pton(AF_INET, "198.18.0.200", &b.sin_addr);
    uint8_t frame[256];
    size_t n = quire_capture_frame(frame, sizeof frame, (struct sockaddr *)&a,
                                   (struct sockaddr *)&b, (const uint8_t *)"quic!", 5);
    assert_int_equal(n, 14 + 20 + 8 + 5);
    quire_udp u;
    assert_int_equal(quire_net_decode(QUIRE_LINK_ETHERNET, frame, n, &u), 0);
    assert_int_equal(u.kind, QUIRE_NET_UDP);
    assert_int_equal(u.sport, 40000);
    assert_int_equal(u.dport, 443);
    assert_int_equal(u.len, 5);
    assert_memory_equal(u.payload, "quic!", 5);
    char s[64];
    assert_string_equal(quire_addr_str(&u.dst, s, sizeof s), "198.18.0.200");
    struct sockaddr_in6 c6 = {.sin6_family = AF_INET6, .sin6_port = htons(1234)};
    struct sockaddr_in6 d6 = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
    inet_pton(AF_INET6, "2001:2::1", &c6.sin6_addr);
    inet_pton(AF_INET6, "::1", &d6.sin6_addr);
    n = quire_capture_frame(frame, sizeof frame, (struct sockaddr *)&c6, (struct sockaddr *)&d6,
                            (const uint8_t *)"q", 1);
    assert_int_equal(n, 14 + 40 + 8 + 1);
    assert_int_equal(quire_net_decode(QUIRE_LINK_ETHERNET, frame, n, &u), 0);
    assert_int_equal(u.sport, 1234);
    assert_string_equal(quire_addr_str(&u.src, s, sizeof s), "2001:2::1");
    /* mixed families, no room */
    assert_int_equal(quire_capture_frame(frame, sizeof frame, (struct sockaddr *)&a,
                                         (struct sockaddr *)&d6, (const uint8_t *)"q", 1), 0);
    assert_int_equal(quire_capture_frame(frame, 20, (struct sockaddr *)&a, (struct sockaddr *)&b,
                                         (const uint8_t *)"q", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varints),          cmocka_unit_test(test_frames_round_trip),
        cmocka_unit_test(test_long_header_packet), cmocka_unit_test(test_short_header_packet),
        cmocka_unit_test(test_transport_parameters), cmocka_unit_test(test_capture_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
