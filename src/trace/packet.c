/* The QUIC packet layer (see packet.h): RFC 9000 Section 17 (packet formats), RFC 8999
 * (invariants, for Version Negotiation and unknown versions), RFC 9001 Section 5 (packet and
 * header protection, Retry integrity), RFC 9369 Section 3.2 (v2 long header types), RFC 9000
 * Appendix A.3 (packet number decoding). */
#include "trace/packet.h"

#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/err.h"

void quire_packet_ctx_init(quire_packet_ctx *ctx, size_t short_dcid_len)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->short_dcid_len = short_dcid_len;
    for (int i = 0; i < QUIRE_PN_SPACE_COUNT; i++)
        ctx->largest_pn[i] = -1;
}

const char *quire_packet_type_name(quire_packet_type type)
{
    switch (type) {
    case QUIRE_PACKET_INITIAL:
        return "initial";
    case QUIRE_PACKET_0RTT:
        return "0rtt";
    case QUIRE_PACKET_HANDSHAKE:
        return "handshake";
    case QUIRE_PACKET_RETRY:
        return "retry";
    case QUIRE_PACKET_VERSION_NEGOTIATION:
        return "version_negotiation";
    case QUIRE_PACKET_1RTT:
        return "1rtt";
    case QUIRE_PACKET_UNKNOWN_VERSION:
        return "unknown_version";
    case QUIRE_PACKET_TYPE_COUNT:
        break;
    }
    return "?";
}

const char *quire_packet_epoch_name(quire_epoch epoch)
{
    switch (epoch) {
    case QUIRE_EPOCH_INITIAL:
        return "initial";
    case QUIRE_EPOCH_0RTT:
        return "0rtt";
    case QUIRE_EPOCH_HANDSHAKE:
        return "handshake";
    case QUIRE_EPOCH_1RTT:
        return "1rtt";
    case QUIRE_EPOCH_COUNT:
        break;
    }
    return "?";
}

/* Long header Type field to packet type (RFC 9000 Table 5; RFC 9369 Section 3.2 for v2). */
static quire_packet_type long_type(uint32_t version, uint8_t first)
{
    static const quire_packet_type v1[4] = {QUIRE_PACKET_INITIAL, QUIRE_PACKET_0RTT,
                                            QUIRE_PACKET_HANDSHAKE, QUIRE_PACKET_RETRY};
    static const quire_packet_type v2[4] = {QUIRE_PACKET_RETRY, QUIRE_PACKET_INITIAL,
                                            QUIRE_PACKET_0RTT, QUIRE_PACKET_HANDSHAKE};
    unsigned bits = (first >> 4) & 3;
    return version == QUIRE_QUIC_V2 ? v2[bits] : v1[bits];
}

static void set_epoch(quire_packet *pkt)
{
    switch (pkt->type) {
    case QUIRE_PACKET_INITIAL:
        pkt->epoch = QUIRE_EPOCH_INITIAL;
        pkt->space = QUIRE_PN_SPACE_INITIAL;
        break;
    case QUIRE_PACKET_0RTT:
        pkt->epoch = QUIRE_EPOCH_0RTT;
        pkt->space = QUIRE_PN_SPACE_APPLICATION;
        break;
    case QUIRE_PACKET_HANDSHAKE:
        pkt->epoch = QUIRE_EPOCH_HANDSHAKE;
        pkt->space = QUIRE_PN_SPACE_HANDSHAKE;
        break;
    default:
        pkt->epoch = QUIRE_EPOCH_1RTT;
        pkt->space = QUIRE_PN_SPACE_APPLICATION;
        break;
    }
}

uint64_t quire_packet_decode_pn(int64_t largest, uint64_t truncated, size_t pn_len)
{
    /* RFC 9000 Appendix A.3, in signed arithmetic so expected - hwin may go below zero. */
    if (pn_len < 1 || pn_len > 4) return truncated;
    int64_t expected = largest + 1;
    int64_t win = (int64_t)1 << (pn_len * 8);
    int64_t hwin = win / 2, mask = win - 1;
    int64_t candidate = (expected & ~mask) | (int64_t)truncated;
    if (candidate <= expected - hwin && candidate < ((int64_t)1 << 62) - win)
        return (uint64_t)(candidate + win);
    if (candidate > expected + hwin && candidate >= win) return (uint64_t)(candidate - win);
    return (uint64_t)candidate;
}

/* Reads a connection ID of up to max bytes; a length above max is MALFORMED. */
static int read_cid(quire_cursor *c, size_t max, const uint8_t **cid, size_t *cid_len)
{
    uint8_t n;
    int rv = quire_cursor_u8(c, &n);
    if (rv) return rv;
    if (n > max) return QUIRE_ERR_MALFORMED;
    rv = quire_cursor_bytes(c, n, cid);
    if (rv) return rv;
    *cid_len = n;
    return 0;
}

int quire_packet_peek(const uint8_t *data, size_t len, quire_packet_type *type, uint32_t *version,
                      const uint8_t **dcid, size_t *dcid_len, size_t short_dcid_len)
{
    quire_cursor c;
    uint8_t first;
    quire_cursor_init(&c, data, len);
    int rv = quire_cursor_u8(&c, &first);
    if (rv) return rv;
    if (!(first & 0x80)) {
        *type = QUIRE_PACKET_1RTT;
        *version = 0;
        *dcid_len = short_dcid_len;
        return quire_cursor_bytes(&c, short_dcid_len, dcid);
    }
    if ((rv = quire_cursor_u32(&c, version))) return rv;
    if ((rv = read_cid(&c, 255, dcid, dcid_len))) return rv;
    if (*version == 0)
        *type = QUIRE_PACKET_VERSION_NEGOTIATION;
    else if (!quire_keys_version_known(*version))
        *type = QUIRE_PACKET_UNKNOWN_VERSION;
    else
        *type = long_type(*version, first);
    if (*type != QUIRE_PACKET_VERSION_NEGOTIATION && *type != QUIRE_PACKET_UNKNOWN_VERSION &&
        *dcid_len > QUIRE_MAX_CID_LEN)
        return QUIRE_ERR_MALFORMED;
    return 0;
}

int quire_packet_initial_opens(const uint8_t *data, size_t len, uint32_t version,
                               const uint8_t *dcid, size_t dcid_len, uint8_t *out, size_t out_cap)
{
    quire_keys ck, sk;
    if (!quire_keys_version_known(version) ||
        quire_keys_init_initial(&ck, &sk, version, dcid, dcid_len))
        return 0;
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, dcid_len);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &ck;
    quire_packet pkt;
    int ok = quire_packet_decode(&pkt, data, len, &ctx, out, out_cap) > 0 && pkt.status == 0;
    quire_keys_free(&ck);
    quire_keys_free(&sk);
    return ok;
}

int quire_packet_retry_verify(uint32_t version, const uint8_t *retry, size_t retry_len,
                              const uint8_t *odcid, size_t odcid_len)
{
    /* RFC 9001 Section 5.8: the tag is AES-128-GCM over an empty plaintext with the
     * Retry Pseudo-Packet (ODCID length, ODCID, Retry without its tag) as associated data. */
    const uint8_t *key, *nonce;
    int rv = quire_keys_retry_secret(version, &key, &nonce);
    if (rv) return rv;
    if (retry_len < QUIRE_CRYPTO_TAG_LEN) return QUIRE_ERR_TRUNCATED;
    if (odcid_len > 255) return QUIRE_ERR_INVALID;
    size_t body = retry_len - QUIRE_CRYPTO_TAG_LEN, aad_len = 1 + odcid_len + body;
    uint8_t *aad = malloc(aad_len); /* Retry packets are rare: no need to avoid this */
    if (!aad) return QUIRE_ERR_NOMEM;
    aad[0] = (uint8_t)odcid_len;
    if (odcid_len) memcpy(aad + 1, odcid, odcid_len);
    memcpy(aad + 1 + odcid_len, retry, body);
    quire_aead a;
    rv = quire_aead_init(&a, QUIRE_AEAD_AES_128_GCM, key, nonce);
    if (!rv) {
        uint8_t none[1];
        rv = quire_aead_open(&a, 0, aad, aad_len, retry + body, QUIRE_CRYPTO_TAG_LEN, none);
        rv = rv == 0 ? 1 : rv == QUIRE_ERR_CRYPTO ? 0 : rv;
        quire_aead_free(&a);
    }
    free(aad);
    return rv;
}

/* Opens the payload with the AEAD of k; out already holds the unprotected header and gets the
 * plaintext after it. Returns 0 or QUIRE_ERR_CRYPTO. */
static int open_with(quire_packet *pkt, const uint8_t *data, quire_keys *k, uint8_t *out)
{
    size_t ct_len = pkt->size - pkt->header_len;
    int n = quire_aead_open(&k->aead, pkt->pn, out, pkt->header_len, data + pkt->header_len, ct_len,
                            out + pkt->header_len);
    if (n < 0) return QUIRE_ERR_CRYPTO;
    pkt->header = out;
    pkt->payload = out + pkt->header_len;
    pkt->payload_len = (size_t)n;
    return 0;
}

/* RFC 9001 Section 5.4.1: the sample starts 4 bytes after the packet number's start. */
static int unprotect_header(quire_packet *pkt, const uint8_t *data, size_t pn_offset, quire_hp *hp,
                            const quire_packet_ctx *ctx, uint8_t *out)
{
    uint8_t mask[QUIRE_CRYPTO_MASK_LEN];
    if (quire_hp_mask(hp, data + pn_offset + 4, mask)) return QUIRE_ERR_CRYPTO;
    memcpy(out, data, pn_offset + 4);
    int is_long = (data[0] & 0x80) != 0;
    out[0] ^= mask[0] & (is_long ? 0x0f : 0x1f);
    pkt->first_byte = out[0];
    pkt->pn_len = (size_t)(out[0] & 3) + 1;
    uint64_t tpn = 0;
    for (size_t i = 0; i < pkt->pn_len; i++) {
        out[pn_offset + i] ^= mask[1 + i];
        tpn = tpn << 8 | out[pn_offset + i];
    }
    pkt->pn_truncated = tpn;
    pkt->pn = quire_packet_decode_pn(ctx->largest_pn[pkt->space], tpn, pkt->pn_len);
    pkt->pn_known = 1;
    pkt->header_len = pn_offset + pkt->pn_len;
    if (is_long) {
        pkt->reserved_bits = out[0] & 0x0c;
    } else {
        pkt->reserved_bits = out[0] & 0x18;
        pkt->key_phase = (out[0] >> 2) & 1;
    }
    return 0;
}

/* Header protection removal and decryption; sets pkt->status. */
static void decrypt(quire_packet *pkt, const uint8_t *data, size_t pn_offset,
                    const quire_packet_ctx *ctx, uint8_t *out, size_t out_cap)
{
    quire_keys *cur = ctx->keys[pkt->epoch], *next = NULL, *prev = NULL;
    if (pkt->epoch == QUIRE_EPOCH_1RTT) {
        next = ctx->app_next;
        prev = ctx->app_prev;
    }
    /* Every 1-RTT generation shares the header-protection key (RFC 9001 Section 6). */
    quire_keys *hpk = cur ? cur : next ? next : prev;
    if (!hpk) {
        pkt->status = QUIRE_ERR_NOKEY;
        return;
    }
    if (pn_offset + 4 + QUIRE_CRYPTO_SAMPLE_LEN > pkt->size) {
        pkt->status = QUIRE_ERR_MALFORMED; /* too short to hold a sample (Section 5.4.2) */
        return;
    }
    if (out_cap < pkt->size) {
        pkt->status = QUIRE_ERR_INVALID;
        return;
    }
    if (unprotect_header(pkt, data, pn_offset, &hpk->hp, ctx, out)) {
        pkt->status = QUIRE_ERR_CRYPTO;
        return;
    }
    int rv = QUIRE_ERR_NOKEY;
    if (pkt->epoch != QUIRE_EPOCH_1RTT || pkt->key_phase == (ctx->app_key_phase & 1)) {
        if (cur) rv = open_with(pkt, data, cur, out);
        pkt->key_slot = QUIRE_KEY_CURRENT;
    } else {
        /* The other phase: a key update by the peer (next) or a late packet (previous). */
        if (next) {
            rv = open_with(pkt, data, next, out);
            pkt->key_slot = QUIRE_KEY_NEXT;
        }
        if (rv && prev) {
            rv = open_with(pkt, data, prev, out);
            pkt->key_slot = QUIRE_KEY_PREVIOUS;
        }
    }
    /* RFC 9000 Section 17.2/17.3.1: non-zero reserved bits after removing header protection
     * are a PROTOCOL_VIOLATION; the frames are still returned. */
    if (!rv && pkt->reserved_bits) rv = QUIRE_ERR_MALFORMED;
    pkt->status = rv;
}

static int decode_long(quire_packet *pkt, quire_cursor *c, const uint8_t *data, size_t len,
                       const quire_packet_ctx *ctx, uint8_t *out, size_t out_cap)
{
    uint8_t first;
    int rv;
    if ((rv = quire_cursor_u8(c, &first))) return rv;
    if ((rv = quire_cursor_u32(c, &pkt->version))) return rv;
    pkt->first_byte = first;
    pkt->fixed_bit = (first & 0x40) != 0;
    int known = quire_keys_version_known(pkt->version);
    /* RFC 8999 allows 255-byte connection IDs in versions we do not know. */
    size_t max_cid = known ? QUIRE_MAX_CID_LEN : 255;
    if ((rv = read_cid(c, max_cid, &pkt->dcid, &pkt->dcid_len))) return rv;
    if ((rv = read_cid(c, max_cid, &pkt->scid, &pkt->scid_len))) return rv;

    if (pkt->version == 0) {
        /* Version Negotiation (RFC 9000 Section 17.2.1): the rest is a list of versions. */
        pkt->type = QUIRE_PACKET_VERSION_NEGOTIATION;
        pkt->status = QUIRE_ERR_UNSUPPORTED;
        size_t rest = quire_cursor_left(c);
        if (rest == 0 || rest % 4) return QUIRE_ERR_MALFORMED;
        pkt->versions = c->p;
        pkt->version_count = rest / 4;
        pkt->size = len;
        return (int)len;
    }
    if (!known) {
        pkt->type = QUIRE_PACKET_UNKNOWN_VERSION;
        pkt->status = QUIRE_ERR_UNSUPPORTED;
        pkt->size = len;
        return (int)len;
    }
    pkt->type = long_type(pkt->version, first);
    set_epoch(pkt);
    if (pkt->type == QUIRE_PACKET_RETRY) {
        /* RFC 9000 Section 17.2.5: token, then the 16-byte integrity tag, to the end. */
        size_t rest = quire_cursor_left(c);
        if (rest < QUIRE_CRYPTO_TAG_LEN) return QUIRE_ERR_TRUNCATED;
        pkt->token = c->p;
        pkt->token_len = rest - QUIRE_CRYPTO_TAG_LEN;
        pkt->size = len;
        pkt->status = QUIRE_ERR_UNSUPPORTED;
        pkt->retry_tag = -1;
        if (ctx->odcid) {
            rv = quire_packet_retry_verify(pkt->version, data, len, ctx->odcid, ctx->odcid_len);
            pkt->retry_tag = rv == 1 ? 1 : 0;
        }
        return (int)len;
    }
    if (pkt->type == QUIRE_PACKET_INITIAL) {
        uint64_t token_len;
        if ((rv = quire_cursor_varint(c, &token_len))) return rv;
        if (token_len > quire_cursor_left(c)) return QUIRE_ERR_TRUNCATED;
        if ((rv = quire_cursor_bytes(c, (size_t)token_len, &pkt->token))) return rv;
        pkt->token_len = (size_t)token_len;
    }
    if ((rv = quire_cursor_varint(c, &pkt->length))) return rv;
    if (pkt->length > quire_cursor_left(c)) return QUIRE_ERR_TRUNCATED;
    size_t pn_offset = (size_t)(c->p - data);
    pkt->size = pn_offset + (size_t)pkt->length;
    pkt->header_len = pn_offset;
    if (pkt->length == 0) return QUIRE_ERR_MALFORMED; /* no room for a packet number */
    decrypt(pkt, data, pn_offset, ctx, out, out_cap);
    return (int)pkt->size;
}

int quire_packet_decode(quire_packet *pkt, const uint8_t *data, size_t len,
                        const quire_packet_ctx *ctx, uint8_t *out, size_t out_cap)
{
    memset(pkt, 0, sizeof *pkt);
    pkt->retry_tag = -1;
    if (len == 0) return QUIRE_ERR_TRUNCATED;
    if (len > INT32_MAX) return QUIRE_ERR_INVALID;
    quire_cursor c;
    quire_cursor_init(&c, data, len);
    if (data[0] & 0x80) return decode_long(pkt, &c, data, len, ctx, out, out_cap);

    /* Short header (RFC 9000 Section 17.3.1): the rest of the datagram. */
    if (ctx->short_dcid_len > QUIRE_MAX_CID_LEN) return QUIRE_ERR_INVALID;
    pkt->type = QUIRE_PACKET_1RTT;
    set_epoch(pkt);
    pkt->first_byte = data[0];
    pkt->fixed_bit = (data[0] & 0x40) != 0;
    pkt->spin = (data[0] >> 5) & 1;
    int rv = quire_cursor_skip(&c, 1);
    if (!rv) rv = quire_cursor_bytes(&c, ctx->short_dcid_len, &pkt->dcid);
    if (rv) return rv;
    pkt->dcid_len = ctx->short_dcid_len;
    pkt->size = len;
    pkt->header_len = 1 + pkt->dcid_len;
    decrypt(pkt, data, 1 + pkt->dcid_len, ctx, out, out_cap);
    return (int)len;
}

int quire_packet_protect(uint8_t *buf, size_t buf_cap, size_t header_len, size_t pn_len,
                         uint64_t pn, size_t payload_len, quire_keys *k)
{
    if (pn_len < 1 || pn_len > 4 || header_len < 1 + pn_len) return QUIRE_ERR_INVALID;
    if (payload_len > INT32_MAX || buf_cap < header_len + payload_len + QUIRE_CRYPTO_TAG_LEN)
        return QUIRE_ERR_INVALID;
    size_t pn_offset = header_len - pn_len;
    /* The sample must fit (RFC 9001 Section 5.4.2): pn_len + payload >= 4. */
    if (pn_len + payload_len < 4) return QUIRE_ERR_INVALID;
    int n = quire_aead_seal(&k->aead, pn, buf, header_len, buf + header_len, payload_len,
                            buf + header_len);
    if (n < 0) return n;
    uint8_t mask[QUIRE_CRYPTO_MASK_LEN];
    if (quire_hp_mask(&k->hp, buf + pn_offset + 4, mask)) return QUIRE_ERR_CRYPTO;
    buf[0] ^= mask[0] & ((buf[0] & 0x80) ? 0x0f : 0x1f);
    for (size_t i = 0; i < pn_len; i++)
        buf[pn_offset + i] ^= mask[1 + i];
    return (int)(header_len + (size_t)n);
}
