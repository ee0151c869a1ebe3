/* The start of HTTP/3 and WebTransport streams and HTTP datagrams (see h3.h). */
#include "trace/h3.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/cursor.h"
#include "util/err.h"

/* RFC 9114 6.2 (stream types) and 7.2 (frames); WEBTRANSPORT stream type and signal value from
 * draft-ietf-webtrans-http3 (4.1, 4.2). */
#define UNI_CONTROL 0x00
#define UNI_PUSH 0x01
#define UNI_QPACK_ENCODER 0x02
#define UNI_QPACK_DECODER 0x03
#define UNI_WEBTRANSPORT 0x54
#define FRAME_SETTINGS 0x04
#define FRAME_WEBTRANSPORT_STREAM 0x41

static const struct {
    uint64_t type;
    const char *name;
} frames[] = {
    {0x00, "DATA"},        {0x01, "HEADERS"}, {0x03, "CANCEL_PUSH"},  {0x04, "SETTINGS"},
    {0x05, "PUSH_PROMISE"}, {0x07, "GOAWAY"},  {0x0d, "MAX_PUSH_ID"}, {0x41, "WEBTRANSPORT_STREAM"},
};

static const struct {
    uint64_t id;
    const char *name;
} settings[] = {
    {0x01, "QPACK_MAX_TABLE_CAPACITY"},  /* RFC 9204 5 */
    {0x06, "MAX_FIELD_SECTION_SIZE"},    /* RFC 9114 7.2.4.1 */
    {0x07, "QPACK_BLOCKED_STREAMS"},     /* RFC 9204 5 */
    {0x08, "ENABLE_CONNECT_PROTOCOL"},   /* RFC 9220 3 */
    {0x33, "H3_DATAGRAM"},               /* RFC 9297 5.1 */
    {0x2b603742, "ENABLE_WEBTRANSPORT"}, /* draft-ietf-webtrans-http3-02 */
};

const char *quire_h3_frame_name(uint64_t type)
{
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        if (frames[i].type == type) return frames[i].name;
    return "";
}

const char *quire_h3_setting_name(uint64_t id)
{
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (settings[i].id == id) return settings[i].name;
    return "";
}

const char *quire_h3_kind_name(quire_h3_stream_kind kind)
{
    static const char *const names[] = {"control", "push",   "qpack_encoder", "qpack_decoder",
                                        "wt_uni",  "uni",    "wt_bidi",       "request"};
    return (size_t)kind < sizeof names / sizeof names[0] ? names[kind] : "";
}

/* The control stream's first frame: its header and, for SETTINGS, the pairs in this segment. */
static int control_frame(quire_cursor *c, quire_h3_stream_start *s)
{
    if (quire_cursor_varint(c, &s->frame_type) || quire_cursor_varint(c, &s->frame_len))
        return 0; /* the type alone is already worth showing */
    s->has_frame = 1;
    if (s->frame_type != FRAME_SETTINGS) return 0;
    size_t avail = quire_cursor_left(c);
    int whole = s->frame_len <= avail;
    quire_cursor body;
    if (quire_cursor_sub(c, whole ? (size_t)s->frame_len : avail, &body)) return 0;
    while (quire_cursor_left(&body)) {
        uint64_t id, value;
        if (quire_cursor_varint(&body, &id) || quire_cursor_varint(&body, &value)) {
            if (whole) return QUIRE_ERR_MALFORMED; /* a pair overruns the frame */
            return 0;                              /* the segment ends inside a pair */
        }
        if (s->nsettings < QUIRE_H3_MAX_SETTINGS)
            s->settings[s->nsettings++] = (quire_h3_setting){id, value};
    }
    s->settings_complete = whole;
    return 0;
}

int quire_h3_stream_start_decode(const uint8_t *data, size_t len, int unidirectional,
                                 quire_h3_stream_start *out)
{
    memset(out, 0, sizeof *out);
    quire_cursor c;
    quire_cursor_init(&c, data, len);
    if (quire_cursor_varint(&c, &out->type)) return QUIRE_ERR_TRUNCATED;
    if (!unidirectional) {
        if (out->type == FRAME_WEBTRANSPORT_STREAM) {
            out->kind = QUIRE_H3_WT_BIDI;
            return quire_cursor_varint(&c, &out->session_id) ? QUIRE_ERR_TRUNCATED : 0;
        }
        out->kind = QUIRE_H3_REQUEST;
        out->frame_type = out->type;
        out->has_frame = quire_cursor_varint(&c, &out->frame_len) == 0;
        return 0;
    }
    switch (out->type) {
    case UNI_CONTROL:
        out->kind = QUIRE_H3_CONTROL;
        return control_frame(&c, out);
    case UNI_PUSH:
        out->kind = QUIRE_H3_PUSH;
        return quire_cursor_varint(&c, &out->session_id) ? QUIRE_ERR_TRUNCATED : 0;
    case UNI_QPACK_ENCODER:
        out->kind = QUIRE_H3_QPACK_ENCODER;
        return 0;
    case UNI_QPACK_DECODER:
        out->kind = QUIRE_H3_QPACK_DECODER;
        return 0;
    case UNI_WEBTRANSPORT:
        out->kind = QUIRE_H3_WT_UNI;
        return quire_cursor_varint(&c, &out->session_id) ? QUIRE_ERR_TRUNCATED : 0;
    default:
        out->kind = QUIRE_H3_OTHER_UNI;
        return 0;
    }
}

int quire_h3_datagram_decode(const uint8_t *data, size_t len, uint64_t *quarter_stream_id,
                             size_t *payload_len)
{
    quire_cursor c;
    quire_cursor_init(&c, data, len);
    if (quire_cursor_varint(&c, quarter_stream_id)) return QUIRE_ERR_TRUNCATED;
    *payload_len = quire_cursor_left(&c);
    return 0;
}

/* Appends to out at *off, never past len. */
static void put(char *out, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *out, size_t len, size_t *off, const char *fmt, ...)
{
    if (*off >= len) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *off, len - *off, fmt, ap);
    va_end(ap);
    if (n > 0) *off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

/* A frame or setting name, else its number in hex. */
static void put_name(char *out, size_t len, size_t *off, const char *name, uint64_t v)
{
    if (*name)
        put(out, len, off, "%s", name);
    else
        put(out, len, off, "0x%" PRIx64, v);
}

char *quire_h3_stream_start_str(const quire_h3_stream_start *s, char *out, size_t len)
{
    size_t off = 0;
    if (!len) return out;
    out[0] = 0;
    put(out, len, &off, "%s", quire_h3_kind_name(s->kind));
    switch (s->kind) {
    case QUIRE_H3_WT_UNI:
    case QUIRE_H3_WT_BIDI:
        put(out, len, &off, ":session=%" PRIu64, s->session_id);
        break;
    case QUIRE_H3_PUSH:
        put(out, len, &off, ":push_id=%" PRIu64, s->session_id);
        break;
    case QUIRE_H3_OTHER_UNI:
        put(out, len, &off, ":type=0x%" PRIx64, s->type);
        break;
    case QUIRE_H3_CONTROL:
    case QUIRE_H3_REQUEST:
        if (!s->has_frame) break;
        put(out, len, &off, ":");
        put_name(out, len, &off, quire_h3_frame_name(s->frame_type), s->frame_type);
        if (s->kind == QUIRE_H3_CONTROL && s->frame_type == FRAME_SETTINGS) {
            put(out, len, &off, "{");
            for (size_t i = 0; i < s->nsettings; i++) {
                if (i) put(out, len, &off, ",");
                put_name(out, len, &off, quire_h3_setting_name(s->settings[i].id),
                         s->settings[i].id);
                put(out, len, &off, "=%" PRIu64, s->settings[i].value);
            }
            put(out, len, &off, "%s}", s->settings_complete ? "" : ",...");
        } else {
            put(out, len, &off, "(len=%" PRIu64 ")", s->frame_len);
        }
        break;
    default:
        break;
    }
    return out;
}
