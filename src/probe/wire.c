/* Frame and header builders for quire probe (see wire.h; RFC 9000 Sections 16, 17, 19). */
#include "probe/wire.h"

#include <string.h>

#include "util/cursor.h"
#include "util/err.h"

void quire_wire_init(quire_wire *w, uint8_t *buf, size_t cap)
{
    w->p = buf;
    w->len = 0;
    w->cap = cap;
    w->err = 0;
}

static uint8_t *room(quire_wire *w, size_t n)
{
    if (w->err) return NULL;
    if (w->cap - w->len < n) {
        w->err = QUIRE_ERR_TRUNCATED;
        return NULL;
    }
    uint8_t *p = w->p + w->len;
    w->len += n;
    return p;
}

void quire_wire_u8(quire_wire *w, uint8_t v)
{
    uint8_t *p = room(w, 1);
    if (p) p[0] = v;
}

void quire_wire_u16(quire_wire *w, uint16_t v)
{
    uint8_t *p = room(w, 2);
    if (!p) return;
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void quire_wire_u32(quire_wire *w, uint32_t v)
{
    uint8_t *p = room(w, 4);
    if (!p) return;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

void quire_wire_varint_n(quire_wire *w, uint64_t v, size_t n)
{
    static const uint8_t prefix[9] = {0, 0x00, 0x40, 0, 0x80, 0, 0, 0, 0xc0};
    if (w->err) return;
    if ((n != 1 && n != 2 && n != 4 && n != 8) || (n < 8 && v >= (1ull << (8 * n - 2))) ||
        v >= (1ull << 62)) {
        w->err = QUIRE_ERR_INVALID;
        return;
    }
    uint8_t *p = room(w, n);
    if (!p) return;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    p[0] |= prefix[n];
}

void quire_wire_varint(quire_wire *w, uint64_t v)
{
    size_t n = quire_varint_len(v);
    if (!n) {
        if (!w->err) w->err = QUIRE_ERR_INVALID;
        return;
    }
    quire_wire_varint_n(w, v, n);
}

void quire_wire_bytes(quire_wire *w, const void *data, size_t len)
{
    uint8_t *p = room(w, len);
    if (p && len) memcpy(p, data, len);
}

void quire_wire_zeros(quire_wire *w, size_t n)
{
    uint8_t *p = room(w, n);
    if (p && n) memset(p, 0, n);
}

void quire_wire_padding(quire_wire *w, size_t n)
{
    quire_wire_zeros(w, n);
}

void quire_wire_ping(quire_wire *w)
{
    quire_wire_u8(w, 0x01);
}

void quire_wire_ack(quire_wire *w, const uint64_t (*ranges)[2], size_t n, uint64_t delay)
{
    if (!n || ranges[0][0] < ranges[0][1]) {
        if (!w->err) w->err = QUIRE_ERR_INVALID;
        return;
    }
    quire_wire_u8(w, 0x02);
    quire_wire_varint(w, ranges[0][0]);
    quire_wire_varint(w, delay);
    quire_wire_varint(w, n - 1);
    quire_wire_varint(w, ranges[0][0] - ranges[0][1]);
    for (size_t i = 1; i < n; i++) {
        /* RFC 9000 Section 19.3.1: gap = previous smallest - this largest - 2 */
        if (ranges[i][0] < ranges[i][1] || ranges[i][0] + 2 > ranges[i - 1][1]) {
            if (!w->err) w->err = QUIRE_ERR_INVALID;
            return;
        }
        quire_wire_varint(w, ranges[i - 1][1] - ranges[i][0] - 2);
        quire_wire_varint(w, ranges[i][0] - ranges[i][1]);
    }
}

void quire_wire_reset_stream(quire_wire *w, uint64_t id, uint64_t error, uint64_t final_size)
{
    quire_wire_u8(w, 0x04);
    quire_wire_varint(w, id);
    quire_wire_varint(w, error);
    quire_wire_varint(w, final_size);
}

void quire_wire_stop_sending(quire_wire *w, uint64_t id, uint64_t error)
{
    quire_wire_u8(w, 0x05);
    quire_wire_varint(w, id);
    quire_wire_varint(w, error);
}

void quire_wire_crypto(quire_wire *w, uint64_t offset, const uint8_t *data, size_t len)
{
    quire_wire_u8(w, 0x06);
    quire_wire_varint(w, offset);
    quire_wire_varint(w, len);
    quire_wire_bytes(w, data, len);
}

void quire_wire_new_token(quire_wire *w, const uint8_t *token, size_t len)
{
    quire_wire_u8(w, 0x07);
    quire_wire_varint(w, len);
    quire_wire_bytes(w, token, len);
}

void quire_wire_stream(quire_wire *w, uint64_t id, uint64_t offset, const uint8_t *data,
                       size_t len, int fin)
{
    quire_wire_u8(w, (uint8_t)(0x08 | 0x04 | 0x02 | (fin ? 0x01 : 0)));
    quire_wire_varint(w, id);
    quire_wire_varint(w, offset);
    quire_wire_varint(w, len);
    quire_wire_bytes(w, data, len);
}

void quire_wire_max_data(quire_wire *w, uint64_t max)
{
    quire_wire_u8(w, 0x10);
    quire_wire_varint(w, max);
}

void quire_wire_max_stream_data(quire_wire *w, uint64_t id, uint64_t max)
{
    quire_wire_u8(w, 0x11);
    quire_wire_varint(w, id);
    quire_wire_varint(w, max);
}

void quire_wire_max_streams(quire_wire *w, int bidi, uint64_t max)
{
    quire_wire_u8(w, bidi ? 0x12 : 0x13);
    quire_wire_varint(w, max);
}

void quire_wire_data_blocked(quire_wire *w, uint64_t limit)
{
    quire_wire_u8(w, 0x14);
    quire_wire_varint(w, limit);
}

void quire_wire_stream_data_blocked(quire_wire *w, uint64_t id, uint64_t limit)
{
    quire_wire_u8(w, 0x15);
    quire_wire_varint(w, id);
    quire_wire_varint(w, limit);
}

void quire_wire_streams_blocked(quire_wire *w, int bidi, uint64_t limit)
{
    quire_wire_u8(w, bidi ? 0x16 : 0x17);
    quire_wire_varint(w, limit);
}

void quire_wire_new_connection_id(quire_wire *w, uint64_t seq, uint64_t retire_prior_to,
                                  const uint8_t *cid, size_t cid_len,
                                  const uint8_t reset_token[16])
{
    if (cid_len > 255) cid_len = 255;
    quire_wire_u8(w, 0x18);
    quire_wire_varint(w, seq);
    quire_wire_varint(w, retire_prior_to);
    quire_wire_u8(w, (uint8_t)cid_len);
    quire_wire_bytes(w, cid, cid_len);
    quire_wire_bytes(w, reset_token, 16);
}

void quire_wire_retire_connection_id(quire_wire *w, uint64_t seq)
{
    quire_wire_u8(w, 0x19);
    quire_wire_varint(w, seq);
}

void quire_wire_path_challenge(quire_wire *w, const uint8_t data[8])
{
    quire_wire_u8(w, 0x1a);
    quire_wire_bytes(w, data, 8);
}

void quire_wire_path_response(quire_wire *w, const uint8_t data[8])
{
    quire_wire_u8(w, 0x1b);
    quire_wire_bytes(w, data, 8);
}

void quire_wire_connection_close(quire_wire *w, int app, uint64_t error, uint64_t frame_type,
                                 const char *reason)
{
    size_t rlen = reason ? strlen(reason) : 0;
    quire_wire_u8(w, app ? 0x1d : 0x1c);
    quire_wire_varint(w, error);
    if (!app) quire_wire_varint(w, frame_type);
    quire_wire_varint(w, rlen);
    quire_wire_bytes(w, reason, rlen);
}

void quire_wire_handshake_done(quire_wire *w)
{
    quire_wire_u8(w, 0x1e);
}

void quire_wire_datagram(quire_wire *w, const uint8_t *data, size_t len)
{
    quire_wire_u8(w, 0x31);
    quire_wire_varint(w, len);
    quire_wire_bytes(w, data, len);
}

int quire_wire_long_type_bits(quire_packet_type type, uint32_t version)
{
    int bits;
    switch (type) {
    case QUIRE_PACKET_INITIAL: bits = 0; break;
    case QUIRE_PACKET_0RTT: bits = 1; break;
    case QUIRE_PACKET_HANDSHAKE: bits = 2; break;
    case QUIRE_PACKET_RETRY: bits = 3; break;
    default: return -1;
    }
    /* RFC 9369 Section 3.2: v2 rotates the types by one */
    if (version == QUIRE_QUIC_V2) bits = (bits + 1) & 3;
    return bits;
}

void quire_wire_long_header(quire_wire *w, quire_packet_type type, uint32_t version,
                            const uint8_t *dcid, size_t dcid_len, const uint8_t *scid,
                            size_t scid_len, const uint8_t *token, size_t token_len,
                            uint64_t pn, size_t pn_len, size_t payload_len, uint8_t reserved)
{
    int bits = quire_wire_long_type_bits(type, version);
    if (bits < 0 || pn_len < 1 || pn_len > 4 || dcid_len > 255 || scid_len > 255) {
        if (!w->err) w->err = QUIRE_ERR_INVALID;
        return;
    }
    quire_wire_u8(w, (uint8_t)(0xc0 | (bits << 4) | (reserved & 0x0c) | (pn_len - 1)));
    quire_wire_u32(w, version);
    quire_wire_u8(w, (uint8_t)dcid_len);
    quire_wire_bytes(w, dcid, dcid_len);
    quire_wire_u8(w, (uint8_t)scid_len);
    quire_wire_bytes(w, scid, scid_len);
    if (type == QUIRE_PACKET_INITIAL) {
        quire_wire_varint(w, token_len);
        quire_wire_bytes(w, token, token_len);
    }
    /* Length in two bytes (RFC 9000 Section 17.2): room for any datagram-sized packet and a
     * header length that does not depend on the payload. */
    quire_wire_varint_n(w, pn_len + payload_len + QUIRE_CRYPTO_TAG_LEN, 2);
    for (size_t i = pn_len; i > 0; i--)
        quire_wire_u8(w, (uint8_t)(pn >> (8 * (i - 1))));
}

void quire_wire_short_header(quire_wire *w, const uint8_t *dcid, size_t dcid_len, int key_phase,
                             uint64_t pn, size_t pn_len, uint8_t reserved)
{
    if (pn_len < 1 || pn_len > 4 || dcid_len > QUIRE_MAX_CID_LEN) {
        if (!w->err) w->err = QUIRE_ERR_INVALID;
        return;
    }
    quire_wire_u8(w, (uint8_t)(0x40 | (reserved & 0x18) | (key_phase ? 0x04 : 0) | (pn_len - 1)));
    quire_wire_bytes(w, dcid, dcid_len);
    for (size_t i = pn_len; i > 0; i--)
        quire_wire_u8(w, (uint8_t)(pn >> (8 * (i - 1))));
}

int quire_wire_packet(uint8_t *out, size_t cap, const quire_wire_hdr *h, const uint8_t *payload,
                      size_t payload_len, quire_keys *k)
{
    quire_wire w;
    quire_wire_init(&w, out, cap);
    if (h->type == QUIRE_PACKET_1RTT)
        quire_wire_short_header(&w, h->dcid, h->dcid_len, h->key_phase, h->pn, h->pn_len,
                                h->reserved);
    else
        quire_wire_long_header(&w, h->type, h->version, h->dcid, h->dcid_len, h->scid,
                               h->scid_len, h->token, h->token_len, h->pn, h->pn_len,
                               payload_len, h->reserved);
    size_t header_len = w.len;
    quire_wire_bytes(&w, payload, payload_len);
    quire_wire_zeros(&w, QUIRE_CRYPTO_TAG_LEN);
    if (w.err) return w.err;
    return quire_packet_protect(out, cap, header_len, h->pn_len, h->pn, payload_len, k);
}
