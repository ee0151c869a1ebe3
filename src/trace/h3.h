/* HTTP/3 (RFC 9114) and WebTransport over HTTP/3 (draft-ietf-webtrans-http3) as far as one
 * STREAM or DATAGRAM frame shows them, without reassembling streams: the start of a stream (a
 * STREAM frame at offset 0) names the unidirectional stream type (RFC 9114 6.2: control, push,
 * QPACK encoder / decoder; WebTransport 0x54 with its session id) or, on a bidirectional stream,
 * its first frame (HEADERS, DATA, ... with their length; WEBTRANSPORT_STREAM 0x41 with the
 * session id), and the SETTINGS (RFC 9114 7.2.4) of a control stream that fit in that segment;
 * an HTTP datagram (RFC 9297 2.1) starts with the quarter stream id of its request stream (the
 * WebTransport session). `quire trace --frames` shows them on connections that chose ALPN h3. */
#ifndef QUIRE_H3_H
#define QUIRE_H3_H

#include <stddef.h>
#include <stdint.h>

typedef enum quire_h3_stream_kind {
    QUIRE_H3_CONTROL = 0,
    QUIRE_H3_PUSH,
    QUIRE_H3_QPACK_ENCODER,
    QUIRE_H3_QPACK_DECODER,
    QUIRE_H3_WT_UNI,      /* unidirectional type 0x54, then the session id */
    QUIRE_H3_OTHER_UNI,   /* a unidirectional type this decoder does not know (or reserved) */
    QUIRE_H3_WT_BIDI,     /* bidirectional, WEBTRANSPORT_STREAM (0x41) then the session id */
    QUIRE_H3_REQUEST,     /* bidirectional, an HTTP frame first (HEADERS normally) */
} quire_h3_stream_kind;

#define QUIRE_H3_MAX_SETTINGS 16

typedef struct quire_h3_setting {
    uint64_t id, value;
} quire_h3_setting;

typedef struct quire_h3_stream_start {
    quire_h3_stream_kind kind;
    uint64_t type;       /* unidirectional: the stream type; bidirectional: the first frame type */
    uint64_t session_id; /* QUIRE_H3_WT_UNI / _WT_BIDI; push: the push id */
    int has_frame;       /* control (after the type) and request streams: a frame header read */
    uint64_t frame_type, frame_len;
    /* control stream, first frame SETTINGS: the pairs present in this segment (at most
     * QUIRE_H3_MAX_SETTINGS), settings_complete when the whole frame was there */
    quire_h3_setting settings[QUIRE_H3_MAX_SETTINGS];
    size_t nsettings;
    int settings_complete;
} quire_h3_stream_start;

/* Decodes the first len bytes of a stream (a STREAM frame at offset 0). Returns 0, or
 * QUIRE_ERR_TRUNCATED when they end before the stream type (and, for WebTransport, the session
 * id), or QUIRE_ERR_MALFORMED for a SETTINGS frame whose pairs overrun it. Bytes after what is
 * decoded are not looked at. */
int quire_h3_stream_start_decode(const uint8_t *data, size_t len, int unidirectional,
                                 quire_h3_stream_start *out);

/* The quarter stream id of an HTTP datagram (RFC 9297 2.1) and the payload's length after it.
 * Returns 0 or QUIRE_ERR_TRUNCATED. */
int quire_h3_datagram_decode(const uint8_t *data, size_t len, uint64_t *quarter_stream_id,
                             size_t *payload_len);

/* Names: "SETTINGS", "HEADERS", ... ("" when unknown); "ENABLE_WEBTRANSPORT", "H3_DATAGRAM",
 * ... ("" when unknown); "control", "wt_uni", "request", ... for a kind. */
const char *quire_h3_frame_name(uint64_t type);
const char *quire_h3_setting_name(uint64_t id);
const char *quire_h3_kind_name(quire_h3_stream_kind kind);

/* One token without spaces for s, e.g. "control:SETTINGS{ENABLE_WEBTRANSPORT=1,H3_DATAGRAM=1}",
 * "wt_uni:session=0", "request:HEADERS(len=57)", into out (truncated to fit). Returns out. */
char *quire_h3_stream_start_str(const quire_h3_stream_start *s, char *out, size_t len);

#endif
