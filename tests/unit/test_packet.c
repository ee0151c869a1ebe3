/* Unit tests for trace/packet: the protected packets of RFC 9001 Appendix A (A.2 client
 * Initial, A.3 server Initial, A.4 Retry, A.5 ChaCha20-Poly1305 short header), their QUIC v2
 * versions from RFC 9369 Appendix A and the draft-29 ones (draft-ietf-quic-tls-29 Appendix A):
 * decryption to the published frames, protection reproducing the published bytes, Retry tags;
 * coalesced packets; key phases and key update; packet number decoding (RFC 9000 A.3);
 * Version Negotiation; truncated and malformed headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "trace/packet.h"
#include "util/err.h"

#include "quic_vectors.h"

static const char DCID_HEX[] = "8394c8f03e515708";
static const char SERVER_SCID_HEX[] = "f067a5502a4262b5";
static const char CHACHA_SECRET[] =
    "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b";

static uint8_t *hexdup(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    assert_int_equal(quire_crypto_unhex(hex, strlen(hex), p, n), (int)n);
    *len = n;
    return p;
}

static void assert_bytes_hex(const uint8_t *got, size_t len, const char *hex)
{
    size_t n;
    uint8_t *want = hexdup(hex, &n);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

typedef struct version_case {
    uint32_t version;
    const char *client_packet, *client_payload, *client_header;
    const char *server_packet, *server_payload, *retry;
} version_case;

static const version_case cases[] = {
    {QUIRE_QUIC_V1, V1_CLIENT_PACKET, V1_CLIENT_PAYLOAD, V1_CLIENT_HEADER, V1_SERVER_PACKET,
     V1_SERVER_PAYLOAD, V1_RETRY},
    {QUIRE_QUIC_V2, V2_CLIENT_PACKET, V2_CLIENT_PAYLOAD, V2_CLIENT_HEADER, V2_SERVER_PACKET,
     V2_SERVER_PAYLOAD, V2_RETRY},
    {QUIRE_QUIC_DRAFT29, D29_CLIENT_PACKET, D29_CLIENT_PAYLOAD, D29_CLIENT_HEADER,
     D29_SERVER_PACKET, D29_SERVER_PAYLOAD, D29_RETRY},
};
#define NCASES (sizeof cases / sizeof cases[0])

static uint8_t out[QUIRE_PACKET_MAX_OUT];

static void initial_keys(uint32_t version, quire_keys *c, quire_keys *s)
{
    uint8_t dcid[8];
    assert_int_equal(quire_crypto_unhex(DCID_HEX, 16, dcid, 8), 8);
    assert_int_equal(quire_keys_init_initial(c, s, version, dcid, 8), 0);
}

/* A.2: the client Initial decrypts to the CRYPTO frame followed by PADDING; protecting the
 * plaintext again gives the published bytes. */
static void test_client_initial(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const version_case *vc = &cases[i];
        quire_keys c, s;
        initial_keys(vc->version, &c, &s);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
        size_t len;
        uint8_t *data = hexdup(vc->client_packet, &len);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_INITIAL);
        assert_int_equal(pkt.epoch, QUIRE_EPOCH_INITIAL);
        assert_int_equal(pkt.space, QUIRE_PN_SPACE_INITIAL);
        assert_int_equal(pkt.version, vc->version);
        assert_bytes_hex(pkt.dcid, pkt.dcid_len, DCID_HEX);
        assert_int_equal(pkt.scid_len, 0);
        assert_int_equal(pkt.token_len, 0);
        assert_int_equal(pkt.length, 1182);
        assert_int_equal(pkt.pn_len, 4);
        assert_int_equal(pkt.pn, 2);
        assert_int_equal(pkt.key_slot, QUIRE_KEY_CURRENT);
        assert_bytes_hex(pkt.header, pkt.header_len, vc->client_header);
        assert_int_equal(pkt.payload_len, 1162);
        size_t flen;
        uint8_t *frames = hexdup(vc->client_payload, &flen);
        assert_memory_equal(pkt.payload, frames, flen);
        for (size_t b = flen; b < pkt.payload_len; b++)
            assert_int_equal(pkt.payload[b], 0);

        /* Protect the plaintext again: the published packet, byte for byte. */
        uint8_t buf[1300];
        memset(buf, 0, sizeof buf);
        size_t hlen;
        uint8_t *hdr = hexdup(vc->client_header, &hlen);
        memcpy(buf, hdr, hlen);
        memcpy(buf + hlen, frames, flen);
        assert_int_equal(quire_packet_protect(buf, sizeof buf, hlen, 4, 2, 1162, &c), (int)len);
        assert_memory_equal(buf, data, len);

        /* The server's keys cannot open it; without keys it is still parsed. */
        ctx.keys[QUIRE_EPOCH_INITIAL] = &s;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, QUIRE_ERR_CRYPTO);
        ctx.keys[QUIRE_EPOCH_INITIAL] = NULL;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, QUIRE_ERR_NOKEY);
        assert_int_equal(pkt.pn_known, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_INITIAL);
        /* An output buffer too small for the packet is refused, not overrun. */
        ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, 1000), (int)len);
        assert_int_equal(pkt.status, QUIRE_ERR_INVALID);

        free(hdr);
        free(frames);
        free(data);
        quire_keys_free(&c);
        quire_keys_free(&s);
    }
}

/* A.3: the server Initial (ACK + CRYPTO, 2-byte packet number). */
static void test_server_initial(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const version_case *vc = &cases[i];
        quire_keys c, s;
        initial_keys(vc->version, &c, &s);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        ctx.keys[QUIRE_EPOCH_INITIAL] = &s;
        size_t len;
        uint8_t *data = hexdup(vc->server_packet, &len);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_INITIAL);
        assert_int_equal(pkt.dcid_len, 0);
        assert_bytes_hex(pkt.scid, pkt.scid_len, SERVER_SCID_HEX);
        assert_int_equal(pkt.pn_len, 2);
        assert_int_equal(pkt.pn, 1);
        assert_bytes_hex(pkt.payload, pkt.payload_len, vc->server_payload);

        uint8_t buf[300];
        memcpy(buf, pkt.header, pkt.header_len);
        memcpy(buf + pkt.header_len, pkt.payload, pkt.payload_len);
        assert_int_equal(
            quire_packet_protect(buf, sizeof buf, pkt.header_len, 2, 1, pkt.payload_len, &s),
            (int)len);
        assert_memory_equal(buf, data, len);
        free(data);
        quire_keys_free(&c);
        quire_keys_free(&s);
    }
}

/* A.4: Retry with its integrity tag over the original DCID. */
static void test_retry(void **state)
{
    (void)state;
    uint8_t odcid[8], wrong[8];
    assert_int_equal(quire_crypto_unhex(DCID_HEX, 16, odcid, 8), 8);
    memcpy(wrong, odcid, 8);
    wrong[7] ^= 1;
    for (size_t i = 0; i < NCASES; i++) {
        size_t len;
        uint8_t *data = hexdup(cases[i].retry, &len);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 8);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.type, QUIRE_PACKET_RETRY);
        assert_int_equal(pkt.version, cases[i].version);
        assert_int_equal(pkt.retry_tag, -1);
        assert_int_equal(pkt.dcid_len, 0);
        assert_bytes_hex(pkt.scid, pkt.scid_len, SERVER_SCID_HEX);
        assert_bytes_hex(pkt.token, pkt.token_len, "746f6b656e"); /* "token" */

        ctx.odcid = odcid;
        ctx.odcid_len = 8;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.retry_tag, 1);
        ctx.odcid = wrong;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), (int)len);
        assert_int_equal(pkt.retry_tag, 0);

        assert_int_equal(quire_packet_retry_verify(cases[i].version, data, len, odcid, 8), 1);
        data[len - 1] ^= 0x80;
        assert_int_equal(quire_packet_retry_verify(cases[i].version, data, len, odcid, 8), 0);
        assert_int_equal(quire_packet_retry_verify(0x0a0a0a0a, data, len, odcid, 8),
                         QUIRE_ERR_UNSUPPORTED);
        assert_int_equal(quire_packet_retry_verify(cases[i].version, data, 15, odcid, 8),
                         QUIRE_ERR_TRUNCATED);
        free(data);
    }
}

/* A.5: ChaCha20-Poly1305 short header with an empty DCID and a 3-byte packet number. */
static void test_chacha_short(void **state)
{
    (void)state;
    static const struct {
        uint32_t version;
        const char *packet;
    } rows[] = {
        {QUIRE_QUIC_V1, "4cfe4189655e5cd55c41f69080575d7999c25a5bfb"},
        {QUIRE_QUIC_V2, "5558b1c60ae7b6b932bc27d786f4bc2bb20f2162ba"},
    };
    uint8_t secret[32];
    assert_int_equal(quire_crypto_unhex(CHACHA_SECRET, 64, secret, 32), 32);
    for (size_t i = 0; i < 2; i++) {
        quire_keys k;
        assert_int_equal(
            quire_keys_init(&k, rows[i].version, QUIRE_AEAD_CHACHA20_POLY1305, secret, 32), 0);
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, 0);
        ctx.keys[QUIRE_EPOCH_1RTT] = &k;
        ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 654360563;
        size_t len;
        uint8_t *data = hexdup(rows[i].packet, &len);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), 21);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.type, QUIRE_PACKET_1RTT);
        assert_int_equal(pkt.epoch, QUIRE_EPOCH_1RTT);
        assert_int_equal(pkt.pn_len, 3);
        assert_int_equal(pkt.pn_truncated, 49140);
        assert_int_equal(pkt.pn, 654360564);
        assert_int_equal(pkt.key_phase, 0);
        assert_int_equal(pkt.spin, 0);
        assert_int_equal(pkt.fixed_bit, 1);
        assert_bytes_hex(pkt.header, pkt.header_len, "4200bff4");
        assert_int_equal(pkt.payload_len, 1);
        assert_int_equal(pkt.payload[0], 0x01); /* PING */

        uint8_t buf[64] = {0x42, 0x00, 0xbf, 0xf4, 0x01};
        assert_int_equal(quire_packet_protect(buf, sizeof buf, 4, 3, 654360564, 1, &k), 21);
        assert_memory_equal(buf, data, 21);

        /* Without the right largest packet number the nonce is wrong. */
        ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = -1;
        assert_int_equal(quire_packet_decode(&pkt, data, len, &ctx, out, sizeof out), 21);
        assert_int_equal(pkt.pn, 49140);
        assert_int_equal(pkt.status, QUIRE_ERR_CRYPTO);
        free(data);
        quire_keys_free(&k);
    }
}

/* A datagram with the server Initial of A.3 followed by the short header packet of A.5. */
static void test_coalesced(void **state)
{
    (void)state;
    quire_keys c, s, app;
    initial_keys(QUIRE_QUIC_V1, &c, &s);
    uint8_t secret[32];
    assert_int_equal(quire_crypto_unhex(CHACHA_SECRET, 64, secret, 32), 32);
    assert_int_equal(quire_keys_init(&app, QUIRE_QUIC_V1, QUIRE_AEAD_CHACHA20_POLY1305, secret, 32),
                     0);
    size_t l1, l2;
    uint8_t *p1 = hexdup(V1_SERVER_PACKET, &l1);
    uint8_t *p2 = hexdup("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", &l2);
    uint8_t dgram[256];
    memcpy(dgram, p1, l1);
    memcpy(dgram + l1, p2, l2);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 0);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &s;
    ctx.keys[QUIRE_EPOCH_1RTT] = &app;
    ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 654360000;
    quire_packet_type types[4];
    size_t off = 0, n = 0;
    while (off < l1 + l2 && n < 4) {
        quire_packet pkt;
        int rv = quire_packet_decode(&pkt, dgram + off, l1 + l2 - off, &ctx, out, sizeof out);
        assert_true(rv > 0);
        assert_int_equal(pkt.status, 0);
        types[n++] = pkt.type;
        off += (size_t)rv;
    }
    assert_int_equal(n, 2);
    assert_int_equal(off, l1 + l2);
    assert_int_equal(types[0], QUIRE_PACKET_INITIAL);
    assert_int_equal(types[1], QUIRE_PACKET_1RTT);
    free(p1);
    free(p2);
    quire_keys_free(&c);
    quire_keys_free(&s);
    quire_keys_free(&app);
}

/* Builds a 1-RTT packet (8-byte DCID, 2-byte pn, PING + PADDING) protected with k. */
static size_t short_packet(uint8_t *buf, size_t cap, int phase, uint64_t pn, quire_keys *k)
{
    memset(buf, 0, cap);
    buf[0] = (uint8_t)(0x40 | (phase << 2) | 0x01);
    for (int i = 0; i < 8; i++)
        buf[1 + i] = (uint8_t)(0xd0 + i);
    buf[9] = (uint8_t)(pn >> 8);
    buf[10] = (uint8_t)pn;
    buf[11] = 0x01;
    int n = quire_packet_protect(buf, cap, 11, 2, pn, 24, k);
    assert_true(n > 0);
    return (size_t)n;
}

static void test_key_phase(void **state)
{
    (void)state;
    uint8_t secret[48];
    for (size_t i = 0; i < sizeof secret; i++)
        secret[i] = (uint8_t)(3 * i + 1);
    quire_keys k0, k1, k2;
    assert_int_equal(quire_keys_init(&k0, QUIRE_QUIC_V2, QUIRE_AEAD_AES_256_GCM, secret, 48), 0);
    assert_int_equal(quire_keys_update(&k1, &k0), 0);
    assert_int_equal(quire_keys_update(&k2, &k1), 0);
    uint8_t p0[64], p1[64], p2[64];
    size_t n0 = short_packet(p0, sizeof p0, 0, 10, &k0);
    size_t n1 = short_packet(p1, sizeof p1, 1, 11, &k1);
    size_t n2 = short_packet(p2, sizeof p2, 0, 12, &k2);
    quire_packet_ctx ctx;
    quire_packet pkt;
    quire_packet_ctx_init(&ctx, 8);
    ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 9;

    /* Generation 0 current: phase 1 needs the next keys. */
    ctx.keys[QUIRE_EPOCH_1RTT] = &k0;
    ctx.app_key_phase = 0;
    assert_int_equal(quire_packet_decode(&pkt, p0, n0, &ctx, out, sizeof out), (int)n0);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_CURRENT);
    assert_int_equal(quire_packet_decode(&pkt, p1, n1, &ctx, out, sizeof out), (int)n1);
    assert_int_equal(pkt.status, QUIRE_ERR_NOKEY);
    assert_int_equal(pkt.key_phase, 1);
    assert_int_equal(pkt.pn, 11); /* the header is readable with the shared hp key */
    ctx.app_next = &k1;
    assert_int_equal(quire_packet_decode(&pkt, p1, n1, &ctx, out, sizeof out), (int)n1);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_NEXT);
    assert_int_equal(pkt.payload[0], 0x01);

    /* Rotated: generation 1 current (phase 1); a late phase-0 packet is from generation 0,
     * a new phase-0 packet from generation 2. */
    ctx.keys[QUIRE_EPOCH_1RTT] = &k1;
    ctx.app_key_phase = 1;
    ctx.app_prev = &k0;
    ctx.app_next = &k2;
    assert_int_equal(quire_packet_decode(&pkt, p1, n1, &ctx, out, sizeof out), (int)n1);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_CURRENT);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(quire_packet_decode(&pkt, p0, n0, &ctx, out, sizeof out), (int)n0);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_PREVIOUS);
    assert_int_equal(quire_packet_decode(&pkt, p2, n2, &ctx, out, sizeof out), (int)n2);
    assert_int_equal(pkt.status, 0);
    assert_int_equal(pkt.key_slot, QUIRE_KEY_NEXT);
    /* A packet of generation 2 with the phase bit claiming generation 1 fails. */
    p2[0] ^= 0x04; /* flips the protected key phase bit after masking: still phase-0 keys */
    assert_int_equal(quire_packet_decode(&pkt, p2, n2, &ctx, out, sizeof out), (int)n2);
    assert_int_not_equal(pkt.status, 0);
    quire_keys_free(&k0);
    quire_keys_free(&k1);
    quire_keys_free(&k2);
}

static void test_pn_decode(void **state)
{
    (void)state;
    /* RFC 9000 Appendix A.3 example. */
    assert_int_equal(quire_packet_decode_pn(0xa82f30ea, 0x9b32, 2), 0xa82f9b32);
    assert_int_equal(quire_packet_decode_pn(-1, 0, 1), 0);
    assert_int_equal(quire_packet_decode_pn(-1, 0xff, 1), 0xff);
    assert_int_equal(quire_packet_decode_pn(0xff, 0x00, 1), 0x100);
    assert_int_equal(quire_packet_decode_pn(0x100, 0xff, 1), 0xff);
    assert_int_equal(quire_packet_decode_pn(0x17f, 0x00, 1), 0x200);
    assert_int_equal(quire_packet_decode_pn(654360563, 0xbff4, 3), 654360564);
    assert_int_equal(quire_packet_decode_pn(0x12345678, 0x12345679, 4), 0x12345679);
    /* Near the 2^62 limit the candidate is not pushed past it. */
    int64_t top = ((int64_t)1 << 62) - 1;
    assert_int_equal(quire_packet_decode_pn(top - 1, (uint64_t)top & 0xff, 1), (uint64_t)top);
}

static void test_version_negotiation(void **state)
{
    (void)state;
    size_t len;
    uint8_t *vn = hexdup("c5"
                         "00000000"
                         "08"
                         "0102030405060708"
                         "04"
                         "0a0b0c0d"
                         "00000001"
                         "6b3343cf"
                         "1a2a3a4a",
                         &len);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 8);
    quire_packet pkt;
    assert_int_equal(quire_packet_decode(&pkt, vn, len, &ctx, out, sizeof out), (int)len);
    assert_int_equal(pkt.type, QUIRE_PACKET_VERSION_NEGOTIATION);
    assert_int_equal(pkt.status, QUIRE_ERR_UNSUPPORTED);
    assert_int_equal(pkt.version_count, 3);
    assert_bytes_hex(pkt.versions + 4, 4, "6b3343cf");
    assert_bytes_hex(pkt.scid, pkt.scid_len, "0a0b0c0d");
    /* A list that is not a multiple of 4, or empty, is malformed. */
    assert_int_equal(quire_packet_decode(&pkt, vn, len - 1, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    assert_int_equal(quire_packet_decode(&pkt, vn, len - 12, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    free(vn);

    /* An unknown version is reported, not parsed further; its CIDs may be long (RFC 8999). */
    uint8_t unk[64] = {0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 30};
    unk[6 + 30] = 0;
    quire_packet_type type;
    uint32_t version;
    const uint8_t *dcid;
    size_t dcid_len;
    assert_int_equal(quire_packet_decode(&pkt, unk, sizeof unk, &ctx, out, sizeof out),
                     (int)sizeof unk);
    assert_int_equal(pkt.type, QUIRE_PACKET_UNKNOWN_VERSION);
    assert_int_equal(pkt.dcid_len, 30);
    assert_int_equal(quire_packet_peek(unk, sizeof unk, &type, &version, &dcid, &dcid_len, 8), 0);
    assert_int_equal(type, QUIRE_PACKET_UNKNOWN_VERSION);
    assert_int_equal(version, 0x1a2a3a4a);
}

static void test_peek(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        size_t len;
        uint8_t *data = hexdup(cases[i].client_packet, &len);
        quire_packet_type type;
        uint32_t version;
        const uint8_t *dcid;
        size_t dcid_len;
        assert_int_equal(quire_packet_peek(data, len, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, QUIRE_PACKET_INITIAL);
        assert_int_equal(version, cases[i].version);
        assert_bytes_hex(dcid, dcid_len, DCID_HEX);
        free(data);
        data = hexdup(cases[i].retry, &len);
        assert_int_equal(quire_packet_peek(data, len, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, QUIRE_PACKET_RETRY);
        free(data);
    }
    uint8_t s[9] = {0x41, 1, 2, 3, 4, 5, 6, 7, 8};
    quire_packet_type type;
    uint32_t version;
    const uint8_t *dcid;
    size_t dcid_len;
    assert_int_equal(quire_packet_peek(s, 9, &type, &version, &dcid, &dcid_len, 8), 0);
    assert_int_equal(type, QUIRE_PACKET_1RTT);
    assert_int_equal(dcid_len, 8);
    assert_int_equal(quire_packet_peek(s, 8, &type, &version, &dcid, &dcid_len, 8),
                     QUIRE_ERR_TRUNCATED);
    /* Long header type bits per version (RFC 9000 Table 5; RFC 9369 Section 3.2). */
    static const quire_packet_type v1types[4] = {QUIRE_PACKET_INITIAL, QUIRE_PACKET_0RTT,
                                                 QUIRE_PACKET_HANDSHAKE, QUIRE_PACKET_RETRY};
    static const quire_packet_type v2types[4] = {QUIRE_PACKET_RETRY, QUIRE_PACKET_INITIAL,
                                                 QUIRE_PACKET_0RTT, QUIRE_PACKET_HANDSHAKE};
    for (unsigned bits = 0; bits < 4; bits++) {
        uint8_t h1[7] = {(uint8_t)(0xc0 | bits << 4), 0, 0, 0, 1, 0, 0};
        uint8_t h2[7] = {(uint8_t)(0xc0 | bits << 4), 0x6b, 0x33, 0x43, 0xcf, 0, 0};
        uint8_t h29[7] = {(uint8_t)(0xc0 | bits << 4), 0xff, 0, 0, 0x1d, 0, 0};
        assert_int_equal(quire_packet_peek(h1, 7, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, v1types[bits]);
        assert_int_equal(quire_packet_peek(h2, 7, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, v2types[bits]);
        assert_int_equal(quire_packet_peek(h29, 7, &type, &version, &dcid, &dcid_len, 0), 0);
        assert_int_equal(type, v1types[bits]);
    }
    assert_string_equal(quire_packet_type_name(QUIRE_PACKET_VERSION_NEGOTIATION),
                        "version_negotiation");
    assert_string_equal(quire_packet_epoch_name(QUIRE_EPOCH_0RTT), "0rtt");
}

/* Every prefix of a long header packet is TRUNCATED; a short Retry too. */
static void test_truncated(void **state)
{
    (void)state;
    quire_keys c, s;
    initial_keys(QUIRE_QUIC_V1, &c, &s);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 8);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
    quire_packet pkt;
    size_t len;
    uint8_t *data = hexdup(V1_CLIENT_PACKET, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, data, n);
        assert_int_equal(quire_packet_decode(&pkt, copy, n, &ctx, out, sizeof out),
                         QUIRE_ERR_TRUNCATED);
        free(copy);
    }
    free(data);
    data = hexdup(V1_RETRY, &len);
    for (size_t n = 0; n < 31; n++)
        assert_int_equal(quire_packet_decode(&pkt, data, n, &ctx, out, sizeof out),
                         QUIRE_ERR_TRUNCATED);
    free(data);
    /* A short header shorter than its DCID. */
    uint8_t sh[5] = {0x40, 1, 2, 3, 4};
    assert_int_equal(quire_packet_decode(&pkt, sh, sizeof sh, &ctx, out, sizeof out),
                     QUIRE_ERR_TRUNCATED);
    quire_keys_free(&c);
    quire_keys_free(&s);
}

static void test_malformed(void **state)
{
    (void)state;
    quire_keys c, s;
    initial_keys(QUIRE_QUIC_V1, &c, &s);
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 8);
    ctx.keys[QUIRE_EPOCH_INITIAL] = &c;
    ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &c;
    quire_packet pkt;

    /* A 21-byte DCID in v1. */
    uint8_t big[64] = {0xc0, 0, 0, 0, 1, 21};
    assert_int_equal(quire_packet_decode(&pkt, big, sizeof big, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    /* Length 0: no packet number. */
    uint8_t zero[] = {0xe0, 0, 0, 0, 1, 0, 0, 0x00};
    assert_int_equal(quire_packet_decode(&pkt, zero, sizeof zero, &ctx, out, sizeof out),
                     QUIRE_ERR_MALFORMED);
    /* Length 10: parsed (the next coalesced packet can be found) but too short to sample. */
    uint8_t small[40] = {0xe0, 0, 0, 0, 1, 0, 0, 10};
    assert_int_equal(quire_packet_decode(&pkt, small, sizeof small, &ctx, out, sizeof out), 18);
    assert_int_equal(pkt.type, QUIRE_PACKET_HANDSHAKE);
    assert_int_equal(pkt.status, QUIRE_ERR_MALFORMED);
    /* Short header too short to sample: consumed, status MALFORMED. */
    uint8_t sh[20] = {0x40};
    assert_int_equal(quire_packet_decode(&pkt, sh, sizeof sh, &ctx, out, sizeof out), 20);
    assert_int_equal(pkt.status, QUIRE_ERR_NOKEY);
    ctx.keys[QUIRE_EPOCH_1RTT] = &c;
    assert_int_equal(quire_packet_decode(&pkt, sh, sizeof sh, &ctx, out, sizeof out), 20);
    assert_int_equal(pkt.status, QUIRE_ERR_MALFORMED);
    /* A Handshake packet with the reserved bits set decrypts but is flagged. */
    uint8_t hs[64] = {0xe0 | 0x0c | 0x01, 0, 0, 0, 1, 0, 0, 0x40, 24 + 2 + 16, 0x00, 0x07, 0x01};
    int n = quire_packet_protect(hs, sizeof hs, 11, 2, 7, 24, &c);
    assert_int_equal(n, 11 + 24 + 16);
    assert_int_equal(quire_packet_decode(&pkt, hs, (size_t)n, &ctx, out, sizeof out), n);
    assert_int_equal(pkt.type, QUIRE_PACKET_HANDSHAKE);
    assert_int_equal(pkt.space, QUIRE_PN_SPACE_HANDSHAKE);
    assert_int_equal(pkt.pn, 7);
    assert_int_equal(pkt.reserved_bits, 0x0c);
    assert_int_equal(pkt.status, QUIRE_ERR_MALFORMED);
    assert_int_equal(pkt.payload_len, 24);
    assert_int_equal(pkt.payload[0], 0x01);
    /* A Token Length beyond the packet. */
    uint8_t tok[] = {0xc0, 0, 0, 0, 1, 0, 0, 0x44, 0x00, 1, 2};
    assert_int_equal(quire_packet_decode(&pkt, tok, sizeof tok, &ctx, out, sizeof out),
                     QUIRE_ERR_TRUNCATED);
    /* protect refuses what cannot be sampled or does not fit. */
    uint8_t tiny[32] = {0x40, 0x01, 0x01};
    assert_int_equal(quire_packet_protect(tiny, sizeof tiny, 2, 1, 1, 1, &c), QUIRE_ERR_INVALID);
    assert_int_equal(quire_packet_protect(tiny, 20, 2, 1, 1, 4, &c), QUIRE_ERR_INVALID);
    quire_keys_free(&c);
    quire_keys_free(&s);
}

/* v2 Handshake (type bits 0b11) and 0-RTT (0b10) packets, protected here, decode with the keys
 * of their epoch only; the same bits in v1 would be Retry and Handshake. */
static void test_v2_epochs(void **state)
{
    (void)state;
    uint8_t s1[32], s2[32];
    memset(s1, 0x11, sizeof s1);
    memset(s2, 0x22, sizeof s2);
    quire_keys hs, zr;
    assert_int_equal(quire_keys_init(&hs, QUIRE_QUIC_V2, QUIRE_AEAD_AES_128_GCM, s1, 32), 0);
    assert_int_equal(quire_keys_init(&zr, QUIRE_QUIC_V2, QUIRE_AEAD_CHACHA20_POLY1305, s2, 32), 0);
    static const struct {
        uint8_t bits;
        quire_packet_type type;
        quire_epoch epoch;
        quire_pn_space space;
    } rows[] = {
        {3, QUIRE_PACKET_HANDSHAKE, QUIRE_EPOCH_HANDSHAKE, QUIRE_PN_SPACE_HANDSHAKE},
        {2, QUIRE_PACKET_0RTT, QUIRE_EPOCH_0RTT, QUIRE_PN_SPACE_APPLICATION},
    };
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, 0);
    ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &hs;
    ctx.keys[QUIRE_EPOCH_0RTT] = &zr;
    for (size_t i = 0; i < 2; i++) {
        /* first byte, version, DCID len 4 + DCID, SCID len 0, Length (2-byte varint), pn 1 byte */
        uint8_t buf[128] = {(uint8_t)(0xc0 | rows[i].bits << 4),
                            0x6b,
                            0x33,
                            0x43,
                            0xcf,
                            4,
                            1,
                            2,
                            3,
                            4,
                            0,
                            0x40,
                            1 + 30 + 16,
                            9,
                            0x01};
        quire_keys *k = i == 0 ? &hs : &zr;
        int n = quire_packet_protect(buf, sizeof buf, 14, 1, 9, 30, k);
        assert_int_equal(n, 14 + 30 + 16);
        quire_packet pkt;
        assert_int_equal(quire_packet_decode(&pkt, buf, (size_t)n, &ctx, out, sizeof out), n);
        assert_int_equal(pkt.type, rows[i].type);
        assert_int_equal(pkt.epoch, rows[i].epoch);
        assert_int_equal(pkt.space, rows[i].space);
        assert_int_equal(pkt.status, 0);
        assert_int_equal(pkt.pn, 9);
        assert_int_equal(pkt.payload_len, 30);
        /* With the keys of the other epoch swapped in, authentication fails. */
        ctx.keys[rows[i].epoch] = i == 0 ? &zr : &hs;
        assert_int_equal(quire_packet_decode(&pkt, buf, (size_t)n, &ctx, out, sizeof out), n);
        assert_int_not_equal(pkt.status, 0);
        ctx.keys[rows[i].epoch] = k;
    }
    quire_keys_free(&hs);
    quire_keys_free(&zr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_initial), cmocka_unit_test(test_server_initial),
        cmocka_unit_test(test_retry),          cmocka_unit_test(test_chacha_short),
        cmocka_unit_test(test_coalesced),      cmocka_unit_test(test_key_phase),
        cmocka_unit_test(test_pn_decode),      cmocka_unit_test(test_version_negotiation),
        cmocka_unit_test(test_peek),           cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_malformed),      cmocka_unit_test(test_v2_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
