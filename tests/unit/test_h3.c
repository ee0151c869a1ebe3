/* Unit tests for trace/h3: the start of each HTTP/3 stream type (RFC 9114 6.2) and of both
 * WebTransport stream kinds (draft-ietf-webtrans-http3 4.1, 4.2), SETTINGS whole, cut by the
 * segment's end and malformed, a request's first frame, HTTP datagrams (RFC 9297 2.1), and the
 * one-token rendering `quire trace --frames` prints. Inputs as byte arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trace/h3.h"
#include "util/err.h"

/* control stream, SETTINGS (length 12): QPACK_MAX_TABLE_CAPACITY=4096, H3_DATAGRAM=1,
 * ENABLE_WEBTRANSPORT (0x2b603742, a 4-byte varint) = 1, a reserved 0x21=1 */
static const uint8_t control[] = {0x00, 0x04, 0x0c, 0x01, 0x50, 0x00, 0x33, 0x01,
                                  0xab, 0x60, 0x37, 0x42, 0x01, 0x21, 0x01};

static void test_control(void **state)
{
    (void)state;
    quire_h3_stream_start s;
    char out[256];
    assert_int_equal(quire_h3_stream_start_decode(control, sizeof control, 1, &s), 0);
    assert_int_equal(s.kind, QUIRE_H3_CONTROL);
    assert_int_equal(s.has_frame, 1);
    assert_int_equal(s.frame_type, 4);
    assert_int_equal(s.nsettings, 4);
    assert_int_equal(s.settings_complete, 1);
    assert_int_equal(s.settings[2].id, 0x2b603742);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out),
                        "control:SETTINGS{QPACK_MAX_TABLE_CAPACITY=4096,H3_DATAGRAM=1,"
                        "ENABLE_WEBTRANSPORT=1,0x21=1}");
    /* the segment ends inside ENABLE_WEBTRANSPORT's id: what came before, marked incomplete */
    assert_int_equal(quire_h3_stream_start_decode(control, 10, 1, &s), 0);
    assert_int_equal(s.nsettings, 2);
    assert_int_equal(s.settings_complete, 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out),
                        "control:SETTINGS{QPACK_MAX_TABLE_CAPACITY=4096,H3_DATAGRAM=1,...}");
    /* a pair that overruns a whole frame */
    static const uint8_t bad[] = {0x00, 0x04, 0x03, 0xab, 0x60, 0x37, 0x42, 0x01};
    assert_int_equal(quire_h3_stream_start_decode(bad, sizeof bad, 1, &s), QUIRE_ERR_MALFORMED);
    /* only the type: still a control stream */
    assert_int_equal(quire_h3_stream_start_decode(control, 1, 1, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "control");
    assert_int_equal(quire_h3_stream_start_decode(control, 0, 1, &s), QUIRE_ERR_TRUNCATED);
}

static void test_uni_types(void **state)
{
    (void)state;
    quire_h3_stream_start s;
    char out[128];
    static const uint8_t enc[] = {0x02, 0x3f}, dec[] = {0x03}, push[] = {0x01, 0x05};
    static const uint8_t wt[] = {0x40, 0x54, 0x04, 'P', 'U', 'S', 'H'}, wt_cut[] = {0x40, 0x54};
    static const uint8_t grease[] = {0x21};
    assert_int_equal(quire_h3_stream_start_decode(enc, sizeof enc, 1, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "qpack_encoder");
    assert_int_equal(quire_h3_stream_start_decode(dec, sizeof dec, 1, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "qpack_decoder");
    assert_int_equal(quire_h3_stream_start_decode(push, sizeof push, 1, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "push:push_id=5");
    assert_int_equal(quire_h3_stream_start_decode(wt, sizeof wt, 1, &s), 0);
    assert_int_equal(s.kind, QUIRE_H3_WT_UNI);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "wt_uni:session=4");
    assert_int_equal(quire_h3_stream_start_decode(wt_cut, sizeof wt_cut, 1, &s),
                     QUIRE_ERR_TRUNCATED);
    assert_int_equal(quire_h3_stream_start_decode(grease, sizeof grease, 1, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "uni:type=0x21");
}

static void test_bidi(void **state)
{
    (void)state;
    quire_h3_stream_start s;
    char out[128];
    static const uint8_t wt[] = {0x40, 0x41, 0x00, 'G', 'E', 'T'}, req[] = {0x01, 0x39, 0x00};
    static const uint8_t data_only[] = {0x00};
    assert_int_equal(quire_h3_stream_start_decode(wt, sizeof wt, 0, &s), 0);
    assert_int_equal(s.kind, QUIRE_H3_WT_BIDI);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "wt_bidi:session=0");
    assert_int_equal(quire_h3_stream_start_decode(wt, 2, 0, &s), QUIRE_ERR_TRUNCATED);
    assert_int_equal(quire_h3_stream_start_decode(req, sizeof req, 0, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out),
                        "request:HEADERS(len=57)");
    assert_int_equal(quire_h3_stream_start_decode(data_only, sizeof data_only, 0, &s), 0);
    assert_string_equal(quire_h3_stream_start_str(&s, out, sizeof out), "request");
    /* a tiny buffer: truncated, terminated */
    assert_string_equal(quire_h3_stream_start_str(&s, out, 4), "req");
}

static void test_datagram_and_names(void **state)
{
    (void)state;
    uint64_t q = 99;
    size_t n = 99;
    static const uint8_t d[] = {0x01, 'G', 'E', 'T'};
    assert_int_equal(quire_h3_datagram_decode(d, sizeof d, &q, &n), 0);
    assert_int_equal(q, 1); /* quarter stream id: session (request stream) 4 */
    assert_int_equal(n, 3);
    assert_int_equal(quire_h3_datagram_decode(d, 0, &q, &n), QUIRE_ERR_TRUNCATED);
    assert_string_equal(quire_h3_frame_name(0x41), "WEBTRANSPORT_STREAM");
    assert_string_equal(quire_h3_frame_name(0x02), "");
    assert_string_equal(quire_h3_setting_name(0x08), "ENABLE_CONNECT_PROTOCOL");
    assert_string_equal(quire_h3_setting_name(0x09), "");
    assert_string_equal(quire_h3_kind_name(QUIRE_H3_REQUEST), "request");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_uni_types),
        cmocka_unit_test(test_bidi),
        cmocka_unit_test(test_datagram_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
