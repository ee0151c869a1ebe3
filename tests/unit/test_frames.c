/* Unit tests for trace/frames: one hand-built frame of every RFC 9000 type and DATAGRAM
 * (RFC 9221), decoded field by field; truncation at every length; invalid fields; ACK ranges;
 * the frame-type/packet-type table (RFC 9000 Table 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trace/frames.h"
#include "util/err.h"

static quire_frame decode_all(const uint8_t *in, size_t len)
{
    quire_cursor c;
    quire_frame f;
    quire_cursor_init(&c, in, len);
    assert_int_equal(quire_frame_decode(&c, &f), 0);
    assert_int_equal(quire_cursor_left(&c), 0);
    /* every proper prefix is truncated, except where the frame runs to the packet end */
    for (size_t n = 0; n < len; n++) {
        quire_frame g;
        quire_cursor_init(&c, in, n);
        int rv = quire_frame_decode(&c, &g);
        if (rv == 0) {
            assert_true(f.type == 0x00 || (f.type >= 0x08 && f.type <= 0x0f && !(f.type & 2)) ||
                        f.type == 0x30);
        } else {
            assert_int_equal(rv, QUIRE_ERR_TRUNCATED);
            assert_int_equal(quire_cursor_left(&c), n); /* cursor not moved */
        }
    }
    return f;
}

static void test_padding_ping(void **state)
{
    (void)state;
    const uint8_t pad[] = {0, 0, 0, 0};
    quire_frame f = decode_all(pad, sizeof pad);
    assert_int_equal(f.kind, QUIRE_FRAME_PADDING);
    assert_int_equal(f.u.padding.len, 4);
    const uint8_t ping[] = {0x01};
    f = decode_all(ping, 1);
    assert_int_equal(f.kind, QUIRE_FRAME_PING);
    assert_string_equal(quire_frame_name(f.kind), "ping");
}

static void test_ack(void **state)
{
    (void)state;
    /* largest 100, delay 0x40 (2-byte varint 0x4040), 2 ranges, first 4: 96..100,
     * gap 1 len 2: 91..93, gap 0 len 0: 89..89 */
    const uint8_t in[] = {0x02, 0x40, 0x64, 0x40, 0x40, 0x02, 0x04, 0x01, 0x02, 0x00, 0x00};
    quire_frame f = decode_all(in, sizeof in);
    assert_int_equal(f.kind, QUIRE_FRAME_ACK);
    assert_int_equal(f.u.ack.largest, 100);
    assert_int_equal(f.u.ack.delay, 0x40);
    assert_int_equal(f.u.ack.range_count, 2);
    assert_false(f.u.ack.ecn);
    quire_cursor it;
    uint64_t i = 0, lo, hi;
    const uint64_t want[3][2] = {{96, 100}, {91, 93}, {89, 89}};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(quire_frame_ack_range(&f, &it, &i, &lo, &hi), 1);
        assert_int_equal(lo, want[k][0]);
        assert_int_equal(hi, want[k][1]);
    }
    assert_int_equal(quire_frame_ack_range(&f, &it, &i, &lo, &hi), 0);

    const uint8_t ecn[] = {0x03, 0x05, 0x00, 0x00, 0x05, 0x07, 0x08, 0x09};
    f = decode_all(ecn, sizeof ecn);
    assert_true(f.u.ack.ecn);
    assert_int_equal(f.u.ack.ect0, 7);
    assert_int_equal(f.u.ack.ect1, 8);
    assert_int_equal(f.u.ack.ce, 9);

    /* first range larger than largest: invalid */
    const uint8_t bad[] = {0x02, 0x05, 0x00, 0x00, 0x06};
    quire_cursor c;
    quire_cursor_init(&c, bad, sizeof bad);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);
    /* a gap below packet number 0 */
    const uint8_t under[] = {0x02, 0x05, 0x00, 0x01, 0x01, 0x03, 0x00};
    quire_cursor_init(&c, under, sizeof under);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);
}

static void test_stream_frames(void **state)
{
    (void)state;
    const uint8_t rs[] = {0x04, 0x04, 0x0a, 0x40, 0xc8};
    quire_frame f = decode_all(rs, sizeof rs);
    assert_int_equal(f.kind, QUIRE_FRAME_RESET_STREAM);
    assert_int_equal(f.u.reset_stream.stream_id, 4);
    assert_int_equal(f.u.reset_stream.error, 10);
    assert_int_equal(f.u.reset_stream.final_size, 200);

    const uint8_t ss[] = {0x05, 0x08, 0x11};
    f = decode_all(ss, sizeof ss);
    assert_int_equal(f.kind, QUIRE_FRAME_STOP_SENDING);
    assert_int_equal(f.u.stop_sending.stream_id, 8);
    assert_int_equal(f.u.stop_sending.error, 0x11);

    /* STREAM with OFF, LEN and FIN (0x0f) */
    const uint8_t st[] = {0x0f, 0x00, 0x41, 0x00, 0x03, 'a', 'b', 'c'};
    f = decode_all(st, sizeof st);
    assert_int_equal(f.kind, QUIRE_FRAME_STREAM);
    assert_int_equal(f.u.stream.stream_id, 0);
    assert_int_equal(f.u.stream.offset, 256);
    assert_int_equal(f.u.stream.len, 3);
    assert_true(f.u.stream.fin);
    assert_memory_equal(f.u.stream.data, "abc", 3);

    /* STREAM without LEN (0x08) runs to the end of the packet */
    const uint8_t st2[] = {0x08, 0x04, 'h', 'e', 'l', 'l', 'o'};
    f = decode_all(st2, sizeof st2);
    assert_int_equal(f.u.stream.stream_id, 4);
    assert_int_equal(f.u.stream.offset, 0);
    assert_int_equal(f.u.stream.len, 5);
    assert_false(f.u.stream.fin);

    const uint8_t cr[] = {0x06, 0x44, 0x00, 0x02, 0x01, 0x02};
    f = decode_all(cr, sizeof cr);
    assert_int_equal(f.kind, QUIRE_FRAME_CRYPTO);
    assert_int_equal(f.u.crypto.offset, 0x400);
    assert_int_equal(f.u.crypto.len, 2);

    const uint8_t nt[] = {0x07, 0x02, 0xaa, 0xbb};
    f = decode_all(nt, sizeof nt);
    assert_int_equal(f.kind, QUIRE_FRAME_NEW_TOKEN);
    assert_int_equal(f.u.new_token.len, 2);
    const uint8_t nt0[] = {0x07, 0x00};
    quire_cursor c;
    quire_cursor_init(&c, nt0, sizeof nt0);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);
}

static void test_flow_control(void **state)
{
    (void)state;
    const struct {
        uint8_t in[8];
        size_t len;
        quire_frame_kind kind;
        uint64_t a, b;
    } cases[] = {
        {{0x10, 0x80, 0x01, 0x00, 0x00}, 5, QUIRE_FRAME_MAX_DATA, 65536, 0},
        {{0x11, 0x04, 0x50, 0x00}, 4, QUIRE_FRAME_MAX_STREAM_DATA, 4, 0x1000},
        {{0x12, 0x24}, 2, QUIRE_FRAME_MAX_STREAMS, 1, 36},
        {{0x13, 0x03}, 2, QUIRE_FRAME_MAX_STREAMS, 0, 3},
        {{0x14, 0x3f}, 2, QUIRE_FRAME_DATA_BLOCKED, 63, 0},
        {{0x15, 0x08, 0x20}, 3, QUIRE_FRAME_STREAM_DATA_BLOCKED, 8, 32},
        {{0x16, 0x0a}, 2, QUIRE_FRAME_STREAMS_BLOCKED, 1, 10},
        {{0x17, 0x0b}, 2, QUIRE_FRAME_STREAMS_BLOCKED, 0, 11},
        {{0x19, 0x07}, 2, QUIRE_FRAME_RETIRE_CONNECTION_ID, 7, 0},
        {{0x1e}, 1, QUIRE_FRAME_HANDSHAKE_DONE, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        quire_frame f = decode_all(cases[i].in, cases[i].len);
        assert_int_equal(f.kind, cases[i].kind);
        switch (f.kind) {
        case QUIRE_FRAME_MAX_DATA:
            assert_int_equal(f.u.max_data.max, cases[i].a);
            break;
        case QUIRE_FRAME_MAX_STREAM_DATA:
            assert_int_equal(f.u.max_stream_data.stream_id, cases[i].a);
            assert_int_equal(f.u.max_stream_data.max, cases[i].b);
            break;
        case QUIRE_FRAME_MAX_STREAMS:
            assert_int_equal(f.u.max_streams.bidi, cases[i].a);
            assert_int_equal(f.u.max_streams.max, cases[i].b);
            break;
        case QUIRE_FRAME_DATA_BLOCKED:
            assert_int_equal(f.u.data_blocked.limit, cases[i].a);
            break;
        case QUIRE_FRAME_STREAM_DATA_BLOCKED:
            assert_int_equal(f.u.stream_data_blocked.stream_id, cases[i].a);
            assert_int_equal(f.u.stream_data_blocked.limit, cases[i].b);
            break;
        case QUIRE_FRAME_STREAMS_BLOCKED:
            assert_int_equal(f.u.streams_blocked.bidi, cases[i].a);
            assert_int_equal(f.u.streams_blocked.limit, cases[i].b);
            break;
        case QUIRE_FRAME_RETIRE_CONNECTION_ID:
            assert_int_equal(f.u.retire_connection_id.seq, cases[i].a);
            break;
        default:
            break;
        }
    }
    /* MAX_STREAMS above 2^60 is invalid (19.11) */
    const uint8_t big[] = {0x12, 0xd0, 0, 0, 0, 0, 0, 0, 1};
    quire_cursor c;
    quire_frame f;
    quire_cursor_init(&c, big, sizeof big);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);
}

static void test_cids_paths_close(void **state)
{
    (void)state;
    uint8_t ncid[64] = {0x18, 0x02, 0x01, 0x04, 1, 2, 3, 4};
    for (int i = 0; i < 16; i++)
        ncid[8 + i] = (uint8_t)(0xa0 + i);
    quire_frame f = decode_all(ncid, 24);
    assert_int_equal(f.kind, QUIRE_FRAME_NEW_CONNECTION_ID);
    assert_int_equal(f.u.new_connection_id.seq, 2);
    assert_int_equal(f.u.new_connection_id.retire_prior_to, 1);
    assert_int_equal(f.u.new_connection_id.cid_len, 4);
    assert_memory_equal(f.u.new_connection_id.cid, "\1\2\3\4", 4);
    assert_int_equal(f.u.new_connection_id.reset_token[15], 0xaf);
    /* CID length 21 and retire_prior_to > seq are invalid */
    quire_cursor c;
    uint8_t bad[64];
    memcpy(bad, ncid, sizeof bad);
    bad[3] = 21;
    quire_cursor_init(&c, bad, sizeof bad);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);
    memcpy(bad, ncid, sizeof bad);
    bad[2] = 3;
    quire_cursor_init(&c, bad, 24);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_MALFORMED);

    const uint8_t pc[] = {0x1a, 1, 2, 3, 4, 5, 6, 7, 8};
    f = decode_all(pc, sizeof pc);
    assert_int_equal(f.kind, QUIRE_FRAME_PATH_CHALLENGE);
    assert_int_equal(f.u.path.data[7], 8);
    const uint8_t pr[] = {0x1b, 1, 2, 3, 4, 5, 6, 7, 9};
    f = decode_all(pr, sizeof pr);
    assert_int_equal(f.kind, QUIRE_FRAME_PATH_RESPONSE);

    const uint8_t cc[] = {0x1c, 0x0a, 0x06, 0x03, 'b', 'a', 'd'};
    f = decode_all(cc, sizeof cc);
    assert_int_equal(f.kind, QUIRE_FRAME_CONNECTION_CLOSE);
    assert_false(f.u.connection_close.app);
    assert_int_equal(f.u.connection_close.error, 10);
    assert_int_equal(f.u.connection_close.frame_type, 6);
    assert_memory_equal(f.u.connection_close.reason, "bad", 3);
    const uint8_t ac[] = {0x1d, 0x41, 0x00, 0x00};
    f = decode_all(ac, sizeof ac);
    assert_true(f.u.connection_close.app);
    assert_int_equal(f.u.connection_close.error, 0x100);
    assert_int_equal(f.u.connection_close.reason_len, 0);
}

static void test_datagram_unknown(void **state)
{
    (void)state;
    const uint8_t d1[] = {0x31, 0x02, 'h', 'i'};
    quire_frame f = decode_all(d1, sizeof d1);
    assert_int_equal(f.kind, QUIRE_FRAME_DATAGRAM);
    assert_int_equal(f.u.datagram.len, 2);
    const uint8_t d0[] = {0x30, 'x', 'y', 'z'};
    f = decode_all(d0, sizeof d0);
    assert_int_equal(f.u.datagram.len, 3);

    const uint8_t unk[] = {0x21, 0x00};
    quire_cursor c;
    quire_cursor_init(&c, unk, sizeof unk);
    assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_UNSUPPORTED);
    assert_int_equal(quire_cursor_left(&c), 2);
}

/* draft-ietf-quic-ack-frequency: IMMEDIATE_ACK (0x1f) has no fields; ACK_FREQUENCY (0xaf,
 * encoded as the two-byte varint 0x40 0xaf) carries four varints. */
static void test_ack_frequency(void **state)
{
    (void)state;
    const uint8_t ia[] = {0x1f};
    quire_frame f = decode_all(ia, sizeof ia);
    assert_int_equal(f.kind, QUIRE_FRAME_IMMEDIATE_ACK);
    const uint8_t af[] = {0x40, 0xaf, 0x05, 0x02, 0x44, 0x00, 0x01};
    f = decode_all(af, sizeof af);
    assert_int_equal(f.kind, QUIRE_FRAME_ACK_FREQUENCY);
    assert_int_equal(f.u.ack_frequency.seq, 5);
    assert_int_equal(f.u.ack_frequency.threshold, 2);
    assert_int_equal(f.u.ack_frequency.max_ack_delay, 0x400);
    assert_int_equal(f.u.ack_frequency.reordering, 1);
    for (size_t n = 1; n < sizeof af; n++) {
        quire_cursor c;
        quire_cursor_init(&c, af, n);
        assert_int_equal(quire_frame_decode(&c, &f), QUIRE_ERR_TRUNCATED);
        assert_int_equal(quire_cursor_left(&c), n);
    }
    assert_string_equal(quire_frame_name(QUIRE_FRAME_ACK_FREQUENCY), "ack_frequency");
    assert_string_equal(quire_frame_name(QUIRE_FRAME_IMMEDIATE_ACK), "immediate_ack");
}

static void test_names_and_table(void **state)
{
    (void)state;
    for (int k = 0; k < QUIRE_FRAME_KINDS; k++) {
        const char *n = quire_frame_name((quire_frame_kind)k);
        assert_string_not_equal(n, "unknown");
        assert_int_equal(quire_frame_kind_from_name(n), k);
    }
    assert_int_equal(quire_frame_kind_from_name("nope"), -1);
    /* RFC 9000 Table 3 samples */
    assert_true(quire_frame_allowed(QUIRE_FRAME_CRYPTO, 0));
    assert_false(quire_frame_allowed(QUIRE_FRAME_CRYPTO, 1));
    assert_false(quire_frame_allowed(QUIRE_FRAME_STREAM, 0));
    assert_true(quire_frame_allowed(QUIRE_FRAME_STREAM, 1));
    assert_false(quire_frame_allowed(QUIRE_FRAME_ACK, 1));
    assert_true(quire_frame_allowed(QUIRE_FRAME_HANDSHAKE_DONE, 3));
    assert_false(quire_frame_allowed(QUIRE_FRAME_HANDSHAKE_DONE, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_padding_ping),     cmocka_unit_test(test_ack),
        cmocka_unit_test(test_stream_frames),    cmocka_unit_test(test_flow_control),
        cmocka_unit_test(test_cids_paths_close), cmocka_unit_test(test_datagram_unknown),
        cmocka_unit_test(test_ack_frequency),
        cmocka_unit_test(test_names_and_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
