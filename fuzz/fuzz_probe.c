/* libFuzzer target: what a server sends to quire probe's client connection (probe/pconn.c).
 * The first byte picks the path: 0 the bytes as a raw datagram (packet decoding, Version
 * Negotiation, Retry); 1 the bytes as the frames of a 1-RTT packet protected with the
 * connection's keys (frame observation, STREAM reassembly, PATH_CHALLENGE, HANDSHAKE_DONE);
 * 2 as the frames of a server Initial (CRYPTO reassembly into GnuTLS). A fresh connection per
 * input; its socket is connected to a loopback port and never written to. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "probe/pconn.h"
#include "probe/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1400) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    quire_pconn_opts o;
    memset(&o, 0, sizeof o);
    quire_pconn *c;
    if (quire_pconn_new(&c, (struct sockaddr *)&a, sizeof a, &o)) return 0;
    uint8_t secret[32];
    memset(secret, 0x42, sizeof secret);
    quire_pconn_tls_secret(c, QUIRE_EPOCH_1RTT, 0, QUIRE_AEAD_AES_128_GCM, secret, 32);
    c->req_open = 1; /* stream 0 carries the request's response */
    uint8_t mode = data[0];
    data++;
    size--;
    static uint8_t pkt[1600];
    if (mode == 0) {
        quire_pconn_input(c, data, size);
    } else if (mode == 1 || mode == 2) {
        quire_keys ck, sk;
        int initial = mode == 2;
        if (initial && quire_keys_init_initial(&ck, &sk, QUIRE_QUIC_V1, c->odcid, c->odcid_len))
            goto out;
        static const uint8_t scid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        quire_wire_hdr h = {.type = initial ? QUIRE_PACKET_INITIAL : QUIRE_PACKET_1RTT,
                            .version = QUIRE_QUIC_V1, .dcid = c->scid, .dcid_len = sizeof c->scid,
                            .scid = scid, .scid_len = 8, .pn = 1, .pn_len = 4};
        int n = quire_wire_packet(pkt, sizeof pkt, &h, data, size,
                                  initial ? &sk : &c->rx[QUIRE_EPOCH_1RTT]);
        if (n > 0) quire_pconn_input(c, pkt, (size_t)n);
        if (initial) {
            quire_keys_free(&ck);
            quire_keys_free(&sk);
        }
    }
    if (c->obs.nevents > QUIRE_POBS_MAX_EVENTS || c->resp.len > 1400) __builtin_trap();
out:
    quire_pconn_del(c);
    return 0;
}
