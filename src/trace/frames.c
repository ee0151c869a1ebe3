/* QUIC frame decoders, RFC 9000 Section 19 and RFC 9221 Section 4; see frames.h. One decoder
 * per frame type, selected by a {first type, last type, kind, name, decode} table. */
#include "trace/frames.h"

#include <string.h>

#include "util/err.h"

#define V(x)                                                                                       \
    do {                                                                                           \
        if (quire_cursor_varint(c, (x))) return QUIRE_ERR_TRUNCATED;                               \
    } while (0)

static int bytes(quire_cursor *c, uint64_t n, const uint8_t **out)
{
    if (n > quire_cursor_left(c)) return QUIRE_ERR_TRUNCATED;
    return quire_cursor_bytes(c, (size_t)n, out);
}

/* 19.1: a run of consecutive PADDING bytes is reported as one frame with its length. */
static int dec_padding(quire_cursor *c, quire_frame *f)
{
    uint64_t n = 1;
    while (quire_cursor_left(c) && c->p[0] == 0) {
        c->p++;
        n++;
    }
    f->u.padding.len = n;
    return 0;
}

static int dec_none(quire_cursor *c, quire_frame *f)
{
    (void)c;
    (void)f;
    return 0;
}

/* 19.3 */
static int dec_ack(quire_cursor *c, quire_frame *f)
{
    V(&f->u.ack.largest);
    V(&f->u.ack.delay);
    V(&f->u.ack.range_count);
    V(&f->u.ack.first_range);
    if (f->u.ack.first_range > f->u.ack.largest) return QUIRE_ERR_MALFORMED;
    const uint8_t *start = c->p;
    uint64_t smallest = f->u.ack.largest - f->u.ack.first_range;
    for (uint64_t i = 0; i < f->u.ack.range_count; i++) {
        uint64_t gap, len;
        V(&gap);
        V(&len);
        /* 19.3.1: largest of the next range = smallest - gap - 2 */
        if (smallest < gap + 2 || smallest - gap - 2 < len) return QUIRE_ERR_MALFORMED;
        smallest = smallest - gap - 2 - len;
    }
    f->u.ack.ranges = start;
    f->u.ack.ranges_len = (size_t)(c->p - start);
    f->u.ack.ecn = f->type == 0x03;
    if (f->u.ack.ecn) {
        V(&f->u.ack.ect0);
        V(&f->u.ack.ect1);
        V(&f->u.ack.ce);
    }
    return 0;
}

static int dec_reset_stream(quire_cursor *c, quire_frame *f)
{
    V(&f->u.reset_stream.stream_id);
    V(&f->u.reset_stream.error);
    V(&f->u.reset_stream.final_size);
    return 0;
}

static int dec_stop_sending(quire_cursor *c, quire_frame *f)
{
    V(&f->u.stop_sending.stream_id);
    V(&f->u.stop_sending.error);
    return 0;
}

static int dec_crypto(quire_cursor *c, quire_frame *f)
{
    V(&f->u.crypto.offset);
    V(&f->u.crypto.len);
    if (f->u.crypto.offset + f->u.crypto.len >= (1ull << 62)) return QUIRE_ERR_MALFORMED;
    return bytes(c, f->u.crypto.len, &f->u.crypto.data);
}

static int dec_new_token(quire_cursor *c, quire_frame *f)
{
    V(&f->u.new_token.len);
    if (f->u.new_token.len == 0) return QUIRE_ERR_MALFORMED; /* 19.7 */
    return bytes(c, f->u.new_token.len, &f->u.new_token.token);
}

/* 19.8: type bits 0x04 OFF, 0x02 LEN, 0x01 FIN; without LEN the data runs to the packet end. */
static int dec_stream(quire_cursor *c, quire_frame *f)
{
    V(&f->u.stream.stream_id);
    if (f->type & 0x04) V(&f->u.stream.offset);
    if (f->type & 0x02)
        V(&f->u.stream.len);
    else
        f->u.stream.len = quire_cursor_left(c);
    f->u.stream.fin = (int)(f->type & 0x01);
    if (f->u.stream.offset + f->u.stream.len >= (1ull << 62)) return QUIRE_ERR_MALFORMED;
    return bytes(c, f->u.stream.len, &f->u.stream.data);
}

static int dec_max_data(quire_cursor *c, quire_frame *f)
{
    V(&f->u.max_data.max);
    return 0;
}

static int dec_max_stream_data(quire_cursor *c, quire_frame *f)
{
    V(&f->u.max_stream_data.stream_id);
    V(&f->u.max_stream_data.max);
    return 0;
}

static int dec_max_streams(quire_cursor *c, quire_frame *f)
{
    f->u.max_streams.bidi = f->type == 0x12;
    V(&f->u.max_streams.max);
    if (f->u.max_streams.max > (1ull << 60)) return QUIRE_ERR_MALFORMED; /* 19.11 */
    return 0;
}

static int dec_data_blocked(quire_cursor *c, quire_frame *f)
{
    V(&f->u.data_blocked.limit);
    return 0;
}

static int dec_stream_data_blocked(quire_cursor *c, quire_frame *f)
{
    V(&f->u.stream_data_blocked.stream_id);
    V(&f->u.stream_data_blocked.limit);
    return 0;
}

static int dec_streams_blocked(quire_cursor *c, quire_frame *f)
{
    f->u.streams_blocked.bidi = f->type == 0x16;
    V(&f->u.streams_blocked.limit);
    if (f->u.streams_blocked.limit > (1ull << 60)) return QUIRE_ERR_MALFORMED;
    return 0;
}

/* 19.15: CID length 1..20, retire_prior_to <= sequence number. */
static int dec_new_connection_id(quire_cursor *c, quire_frame *f)
{
    V(&f->u.new_connection_id.seq);
    V(&f->u.new_connection_id.retire_prior_to);
    if (quire_cursor_u8(c, &f->u.new_connection_id.cid_len)) return QUIRE_ERR_TRUNCATED;
    uint8_t n = f->u.new_connection_id.cid_len;
    if (n < 1 || n > 20) return QUIRE_ERR_MALFORMED;
    if (quire_cursor_copy(c, f->u.new_connection_id.cid, n) ||
        quire_cursor_copy(c, f->u.new_connection_id.reset_token, 16))
        return QUIRE_ERR_TRUNCATED;
    if (f->u.new_connection_id.retire_prior_to > f->u.new_connection_id.seq)
        return QUIRE_ERR_MALFORMED;
    return 0;
}

static int dec_retire_connection_id(quire_cursor *c, quire_frame *f)
{
    V(&f->u.retire_connection_id.seq);
    return 0;
}

static int dec_path(quire_cursor *c, quire_frame *f)
{
    return quire_cursor_copy(c, f->u.path.data, 8) ? QUIRE_ERR_TRUNCATED : 0;
}

static int dec_connection_close(quire_cursor *c, quire_frame *f)
{
    f->u.connection_close.app = f->type == 0x1d;
    V(&f->u.connection_close.error);
    if (!f->u.connection_close.app) V(&f->u.connection_close.frame_type);
    V(&f->u.connection_close.reason_len);
    return bytes(c, f->u.connection_close.reason_len, &f->u.connection_close.reason);
}

/* RFC 9221 Section 4: 0x30 runs to the end of the packet, 0x31 has a length. */
static int dec_datagram(quire_cursor *c, quire_frame *f)
{
    if (f->type & 1)
        V(&f->u.datagram.len);
    else
        f->u.datagram.len = quire_cursor_left(c);
    return bytes(c, f->u.datagram.len, &f->u.datagram.data);
}

/* draft-ietf-quic-ack-frequency Section 4: sequence number, ack-eliciting threshold, requested
 * max ack delay (us), reordering threshold. */
static int dec_ack_frequency(quire_cursor *c, quire_frame *f)
{
    V(&f->u.ack_frequency.seq);
    V(&f->u.ack_frequency.threshold);
    V(&f->u.ack_frequency.max_ack_delay);
    V(&f->u.ack_frequency.reordering);
    return 0;
}

/* Bits of the epochs a frame may appear in (RFC 9000 Table 3): 1 Initial, 2 0-RTT,
 * 4 Handshake, 8 1-RTT. */
#define I 1
#define Z 2
#define H 4
#define O 8

static const struct {
    uint64_t first, last;
    quire_frame_kind kind;
    const char *name;
    int (*decode)(quire_cursor *, quire_frame *);
    unsigned epochs;
} frame_table[] = {
    {0x00, 0x00, QUIRE_FRAME_PADDING, "padding", dec_padding, I | Z | H | O},
    {0x01, 0x01, QUIRE_FRAME_PING, "ping", dec_none, I | Z | H | O},
    {0x02, 0x03, QUIRE_FRAME_ACK, "ack", dec_ack, I | H | O},
    {0x04, 0x04, QUIRE_FRAME_RESET_STREAM, "reset_stream", dec_reset_stream, Z | O},
    {0x05, 0x05, QUIRE_FRAME_STOP_SENDING, "stop_sending", dec_stop_sending, Z | O},
    {0x06, 0x06, QUIRE_FRAME_CRYPTO, "crypto", dec_crypto, I | H | O},
    {0x07, 0x07, QUIRE_FRAME_NEW_TOKEN, "new_token", dec_new_token, O},
    {0x08, 0x0f, QUIRE_FRAME_STREAM, "stream", dec_stream, Z | O},
    {0x10, 0x10, QUIRE_FRAME_MAX_DATA, "max_data", dec_max_data, Z | O},
    {0x11, 0x11, QUIRE_FRAME_MAX_STREAM_DATA, "max_stream_data", dec_max_stream_data, Z | O},
    {0x12, 0x13, QUIRE_FRAME_MAX_STREAMS, "max_streams", dec_max_streams, Z | O},
    {0x14, 0x14, QUIRE_FRAME_DATA_BLOCKED, "data_blocked", dec_data_blocked, Z | O},
    {0x15, 0x15, QUIRE_FRAME_STREAM_DATA_BLOCKED, "stream_data_blocked", dec_stream_data_blocked,
     Z | O},
    {0x16, 0x17, QUIRE_FRAME_STREAMS_BLOCKED, "streams_blocked", dec_streams_blocked, Z | O},
    {0x18, 0x18, QUIRE_FRAME_NEW_CONNECTION_ID, "new_connection_id", dec_new_connection_id, Z | O},
    {0x19, 0x19, QUIRE_FRAME_RETIRE_CONNECTION_ID, "retire_connection_id", dec_retire_connection_id,
     Z | O},
    {0x1a, 0x1a, QUIRE_FRAME_PATH_CHALLENGE, "path_challenge", dec_path, Z | O},
    {0x1b, 0x1b, QUIRE_FRAME_PATH_RESPONSE, "path_response", dec_path, O},
    {0x1c, 0x1d, QUIRE_FRAME_CONNECTION_CLOSE, "connection_close", dec_connection_close,
     I | Z | H | O},
    {0x1e, 0x1e, QUIRE_FRAME_HANDSHAKE_DONE, "handshake_done", dec_none, O},
    {0x1f, 0x1f, QUIRE_FRAME_IMMEDIATE_ACK, "immediate_ack", dec_none, Z | O},
    {0x30, 0x31, QUIRE_FRAME_DATAGRAM, "datagram", dec_datagram, Z | O},
    {0xaf, 0xaf, QUIRE_FRAME_ACK_FREQUENCY, "ack_frequency", dec_ack_frequency, Z | O},
};

#define NFRAMES (sizeof frame_table / sizeof frame_table[0])

int quire_frame_decode(quire_cursor *c, quire_frame *f)
{
    quire_cursor save = *c;
    uint64_t type;
    memset(f, 0, sizeof *f);
    if (quire_cursor_varint(c, &type)) return QUIRE_ERR_TRUNCATED;
    f->type = type;
    /* longer encodings of a type map to the same table row */
    for (size_t i = 0; i < NFRAMES; i++) {
        if (type < frame_table[i].first || type > frame_table[i].last) continue;
        f->kind = frame_table[i].kind;
        int rv = frame_table[i].decode(c, f);
        if (rv < 0) *c = save;
        return rv;
    }
    *c = save;
    return QUIRE_ERR_UNSUPPORTED;
}

const char *quire_frame_name(quire_frame_kind kind)
{
    for (size_t i = 0; i < NFRAMES; i++)
        if (frame_table[i].kind == kind) return frame_table[i].name;
    return "unknown";
}

int quire_frame_kind_from_name(const char *name)
{
    for (size_t i = 0; i < NFRAMES; i++)
        if (!strcmp(frame_table[i].name, name)) return (int)frame_table[i].kind;
    return -1;
}

int quire_frame_allowed(quire_frame_kind kind, int epoch)
{
    if (epoch < 0 || epoch > 3) return 0;
    for (size_t i = 0; i < NFRAMES; i++)
        if (frame_table[i].kind == kind) return (frame_table[i].epochs >> epoch) & 1;
    return 0;
}

int quire_frame_ack_range(const quire_frame *f, quire_cursor *it, uint64_t *i, uint64_t *lo,
                          uint64_t *hi)
{
    if (*i == 0) {
        quire_cursor_init(it, f->u.ack.ranges, f->u.ack.ranges_len);
        *hi = f->u.ack.largest;
        *lo = f->u.ack.largest - f->u.ack.first_range;
        (*i)++;
        return 1;
    }
    if (*i > f->u.ack.range_count) return 0;
    uint64_t gap, len;
    if (quire_cursor_varint(it, &gap) || quire_cursor_varint(it, &len)) return QUIRE_ERR_MALFORMED;
    if (*lo < gap + 2 || *lo - gap - 2 < len) return QUIRE_ERR_MALFORMED;
    *hi = *lo - gap - 2;
    *lo = *hi - len;
    (*i)++;
    return 1;
}
