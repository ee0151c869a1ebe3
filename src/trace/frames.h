/* QUIC frames (RFC 9000 Section 19, DATAGRAM from RFC 9221, ACK_FREQUENCY and IMMEDIATE_ACK from
 * draft-ietf-quic-ack-frequency, which quinn sends) decoded into plain structs by one
 * table of {type range, name, decoder}. Payload bytes (CRYPTO, STREAM, tokens, reasons) are
 * pointers into the packet, not copies. Names are lowercase with underscores ("stream",
 * "new_connection_id") and are the keys of every count quire prints. */
#ifndef QUIRE_FRAMES_H
#define QUIRE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "util/cursor.h"

typedef enum quire_frame_kind {
    QUIRE_FRAME_PADDING = 0,
    QUIRE_FRAME_PING,
    QUIRE_FRAME_ACK,
    QUIRE_FRAME_RESET_STREAM,
    QUIRE_FRAME_STOP_SENDING,
    QUIRE_FRAME_CRYPTO,
    QUIRE_FRAME_NEW_TOKEN,
    QUIRE_FRAME_STREAM,
    QUIRE_FRAME_MAX_DATA,
    QUIRE_FRAME_MAX_STREAM_DATA,
    QUIRE_FRAME_MAX_STREAMS,
    QUIRE_FRAME_DATA_BLOCKED,
    QUIRE_FRAME_STREAM_DATA_BLOCKED,
    QUIRE_FRAME_STREAMS_BLOCKED,
    QUIRE_FRAME_NEW_CONNECTION_ID,
    QUIRE_FRAME_RETIRE_CONNECTION_ID,
    QUIRE_FRAME_PATH_CHALLENGE,
    QUIRE_FRAME_PATH_RESPONSE,
    QUIRE_FRAME_CONNECTION_CLOSE,
    QUIRE_FRAME_HANDSHAKE_DONE,
    QUIRE_FRAME_DATAGRAM,
    QUIRE_FRAME_ACK_FREQUENCY,
    QUIRE_FRAME_IMMEDIATE_ACK,
    QUIRE_FRAME_KINDS /* number of kinds */
} quire_frame_kind;

typedef struct quire_frame {
    quire_frame_kind kind;
    uint64_t type; /* the frame type as encoded (e.g. 0x0b for STREAM with OFF and FIN) */
    union {
        struct {
            uint64_t len;
        } padding; /* a run of PADDING bytes counts as one frame */
        struct {
            uint64_t largest, delay, first_range, range_count;
            const uint8_t *ranges; /* range_count (gap, length) varint pairs */
            size_t ranges_len;
            int ecn; /* type 0x03 */
            uint64_t ect0, ect1, ce;
        } ack;
        struct {
            uint64_t stream_id, error, final_size;
        } reset_stream;
        struct {
            uint64_t stream_id, error;
        } stop_sending;
        struct {
            uint64_t offset, len;
            const uint8_t *data;
        } crypto;
        struct {
            uint64_t len;
            const uint8_t *token;
        } new_token;
        struct {
            uint64_t stream_id, offset, len;
            int fin;
            const uint8_t *data;
        } stream;
        struct {
            uint64_t max;
        } max_data;
        struct {
            uint64_t stream_id, max;
        } max_stream_data;
        struct {
            int bidi;
            uint64_t max;
        } max_streams;
        struct {
            uint64_t limit;
        } data_blocked;
        struct {
            uint64_t stream_id, limit;
        } stream_data_blocked;
        struct {
            int bidi;
            uint64_t limit;
        } streams_blocked;
        struct {
            uint64_t seq, retire_prior_to;
            uint8_t cid_len;
            uint8_t cid[20];
            uint8_t reset_token[16];
        } new_connection_id;
        struct {
            uint64_t seq;
        } retire_connection_id;
        struct {
            uint8_t data[8];
        } path; /* challenge and response */
        struct {
            int app; /* type 0x1d */
            uint64_t error, frame_type;
            uint64_t reason_len;
            const uint8_t *reason;
        } connection_close;
        struct {
            uint64_t len;
            const uint8_t *data;
        } datagram;
        struct {
            uint64_t seq, threshold, max_ack_delay, reordering;
        } ack_frequency;
    } u;
} quire_frame;

/* Decodes one frame at c and advances past it. 0, QUIRE_ERR_TRUNCATED (frame cut short),
 * QUIRE_ERR_MALFORMED (invalid field, e.g. a CID longer than 20) or QUIRE_ERR_UNSUPPORTED
 * (unknown frame type; nothing can follow it since its length is unknown). */
int quire_frame_decode(quire_cursor *c, quire_frame *f);

/* The lowercase name of a kind ("new_connection_id"); "unknown" out of range. */
const char *quire_frame_name(quire_frame_kind kind);
/* The kind whose name is `name`, or -1. */
int quire_frame_kind_from_name(const char *name);

/* Iterates ACK ranges: call with *i from 0; returns 1 with [*lo, *hi] set for each range
 * (the first one from first_range), 0 after the last, QUIRE_ERR_MALFORMED on underflow. */
int quire_frame_ack_range(const quire_frame *f, quire_cursor *it, uint64_t *i, uint64_t *lo,
                          uint64_t *hi);

/* Frame kinds that may appear in a packet type (RFC 9000 Table 3): epoch 0 Initial,
 * 1 0-RTT, 2 Handshake, 3 1-RTT. */
int quire_frame_allowed(quire_frame_kind kind, int epoch);

#endif
