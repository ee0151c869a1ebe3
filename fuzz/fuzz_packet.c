/* libFuzzer target for the QUIC packet layer (trace/packet): the input is one UDP payload. The
 * first byte picks the short-header DCID length (0..20) and which epochs have keys; the keys
 * are the Initial keys of the RFC 9001 Appendix A DCID (so the RFC sample packets in the
 * corpus decrypt, and mutations of them reach the frame bytes) and fixed 1-RTT keys for each
 * AEAD. Coalesced packets are walked as the trace decoder does. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trace/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[QUIRE_PACKET_MAX_OUT];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    static const uint32_t versions[3] = {QUIRE_QUIC_V1, QUIRE_QUIC_V2, QUIRE_QUIC_DRAFT29};
    static const quire_aead_alg algs[3] = {QUIRE_AEAD_AES_128_GCM, QUIRE_AEAD_AES_256_GCM,
                                           QUIRE_AEAD_CHACHA20_POLY1305};
    if (size < 1) return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    uint32_t version = versions[((sel >> 5) & 7) % 3];
    quire_keys ci, si, app, next;
    if (quire_keys_init_initial(&ci, &si, version, dcid, sizeof dcid)) return 0;
    /* The RFC 9001 A.5 secret (padded for SHA-384), so the ChaCha20 sample decrypts. */
    uint8_t secret[48] = {0x9a, 0xc3, 0x12, 0xa7, 0xf8, 0x77, 0x46, 0x8e, 0xbe, 0x69, 0x42,
                          0x27, 0x48, 0xad, 0x00, 0xa1, 0x54, 0x43, 0xf1, 0x82, 0x03, 0xa0,
                          0x7d, 0x60, 0x60, 0xf6, 0x88, 0xf3, 0x0f, 0x21, 0x63, 0x2b};
    quire_aead_alg alg = algs[((sel >> 3) & 3) % 3];
    size_t slen = alg == QUIRE_AEAD_AES_256_GCM ? 48 : 32;
    if (quire_keys_init(&app, version, alg, secret, slen)) goto out_initial;
    if (quire_keys_update(&next, &app)) goto out_app;

    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, (size_t)(sel & 7) * 3 % 21);
    ctx.keys[QUIRE_EPOCH_INITIAL] = (sel & 1) ? &si : &ci;
    ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &si;
    ctx.keys[QUIRE_EPOCH_0RTT] = (sel & 2) ? &app : NULL;
    ctx.keys[QUIRE_EPOCH_1RTT] = &app;
    ctx.app_next = (sel & 4) ? &next : NULL;
    ctx.largest_pn[QUIRE_PN_SPACE_APPLICATION] = 654360563; /* RFC 9001 A.5 */
    ctx.odcid = dcid;
    ctx.odcid_len = sizeof dcid;

    size_t off = 0;
    for (int n = 0; off < size && n < 64; n++) {
        quire_packet pkt;
        int rv = quire_packet_decode(&pkt, data + off, size - off, &ctx, out, sizeof out);
        if (rv <= 0) break;
        if ((size_t)rv > size - off) __builtin_trap(); /* must never claim more than given */
        if (pkt.status == 0) {
            /* Touch the decrypted bytes so ASan checks the pointers. */
            volatile uint8_t sink = 0;
            for (size_t i = 0; i < pkt.payload_len; i++)
                sink ^= pkt.payload[i];
            for (size_t i = 0; i < pkt.header_len; i++)
                sink ^= pkt.header[i];
            (void)sink;
            if (pkt.pn_known && (int64_t)pkt.pn > ctx.largest_pn[pkt.space])
                ctx.largest_pn[pkt.space] = (int64_t)pkt.pn;
        }
        off += (size_t)rv;
    }
    quire_keys_free(&next);
out_app:
    quire_keys_free(&app);
out_initial:
    quire_keys_free(&ci);
    quire_keys_free(&si);
    return 0;
}
