/* Builders for what quire probe sends (RFC 9000 Sections 16, 17 and 19): a writer over a
 * caller buffer with a sticky error, QUIC varints, every frame the probe cases need (also ones
 * a client must not send, and frame types no RFC defines), long headers (RFC 9000 Section
 * 17.2, with the v2 type encoding of RFC 9369 Section 3.2) and short headers (Section 17.3).
 * Packets are protected with trace/packet.h's quire_packet_protect(), so the probe and the
 * trace decoder share one AEAD and header-protection implementation. The mirror image of
 * these builders is trace/frames.c and trace/packet.c: every builder is tested by decoding
 * its output there. */
#ifndef QUIRE_PROBE_WIRE_H
#define QUIRE_PROBE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/packet.h"

/* A writer: len bytes of cap written to p. A write that does not fit writes nothing and sets
 * err to QUIRE_ERR_TRUNCATED, and every later write is ignored; check err once at the end. */
typedef struct quire_wire {
    uint8_t *p;
    size_t len;
    size_t cap;
    int err;
} quire_wire;

void quire_wire_init(quire_wire *w, uint8_t *buf, size_t cap);
void quire_wire_u8(quire_wire *w, uint8_t v);
void quire_wire_u16(quire_wire *w, uint16_t v);
void quire_wire_u32(quire_wire *w, uint32_t v);
/* A QUIC varint in its shortest form; a value >= 2^62 sets err to QUIRE_ERR_INVALID. */
void quire_wire_varint(quire_wire *w, uint64_t v);
/* A varint in exactly n (1, 2, 4, 8) bytes, e.g. a non-minimal encoding; QUIRE_ERR_INVALID
 * when v does not fit. */
void quire_wire_varint_n(quire_wire *w, uint64_t v, size_t n);
void quire_wire_bytes(quire_wire *w, const void *data, size_t len);
void quire_wire_zeros(quire_wire *w, size_t n);

/* Frames (RFC 9000 Section 19). STREAM is always written with the OFF and LEN bits. */
void quire_wire_padding(quire_wire *w, size_t n);
void quire_wire_ping(quire_wire *w);
/* ACK (type 0x02) with ranges: ranges[i] = {hi, lo}, descending and not overlapping,
 * n >= 1. */
void quire_wire_ack(quire_wire *w, const uint64_t (*ranges)[2], size_t n, uint64_t delay);
void quire_wire_reset_stream(quire_wire *w, uint64_t id, uint64_t error, uint64_t final_size);
void quire_wire_stop_sending(quire_wire *w, uint64_t id, uint64_t error);
void quire_wire_crypto(quire_wire *w, uint64_t offset, const uint8_t *data, size_t len);
void quire_wire_new_token(quire_wire *w, const uint8_t *token, size_t len);
void quire_wire_stream(quire_wire *w, uint64_t id, uint64_t offset, const uint8_t *data,
                       size_t len, int fin);
void quire_wire_max_data(quire_wire *w, uint64_t max);
void quire_wire_max_stream_data(quire_wire *w, uint64_t id, uint64_t max);
void quire_wire_max_streams(quire_wire *w, int bidi, uint64_t max);
void quire_wire_data_blocked(quire_wire *w, uint64_t limit);
void quire_wire_stream_data_blocked(quire_wire *w, uint64_t id, uint64_t limit);
void quire_wire_streams_blocked(quire_wire *w, int bidi, uint64_t limit);
/* cid_len is written as given (also 0 or > 20, for the cases that send invalid ones); at
 * most 255 bytes of cid are read. */
void quire_wire_new_connection_id(quire_wire *w, uint64_t seq, uint64_t retire_prior_to,
                                  const uint8_t *cid, size_t cid_len,
                                  const uint8_t reset_token[16]);
void quire_wire_retire_connection_id(quire_wire *w, uint64_t seq);
void quire_wire_path_challenge(quire_wire *w, const uint8_t data[8]);
void quire_wire_path_response(quire_wire *w, const uint8_t data[8]);
/* CONNECTION_CLOSE: app 0 gives type 0x1c with frame_type, app 1 type 0x1d. */
void quire_wire_connection_close(quire_wire *w, int app, uint64_t error, uint64_t frame_type,
                                 const char *reason);
void quire_wire_handshake_done(quire_wire *w);
/* DATAGRAM with a length (type 0x31, RFC 9221 Section 4). */
void quire_wire_datagram(quire_wire *w, const uint8_t *data, size_t len);

/* The first byte's type bits of a long-header packet type in a version (RFC 9000 Section
 * 17.2, RFC 9369 Section 3.2; unknown versions use v1's). Returns 0..3, or -1 for a type that
 * has no long header. */
int quire_wire_long_type_bits(quire_packet_type type, uint32_t version);

/* A long header up to and including the packet number (pn_len bytes of pn): type (INITIAL,
 * 0RTT, HANDSHAKE), version, the CIDs, for Initial the token, the Length field in 2 bytes
 * counting pn_len + payload_len + the 16-byte tag, and reserved bits ORed into the first byte
 * (0 for a valid packet; 0x0c sets both). */
void quire_wire_long_header(quire_wire *w, quire_packet_type type, uint32_t version,
                            const uint8_t *dcid, size_t dcid_len, const uint8_t *scid,
                            size_t scid_len, const uint8_t *token, size_t token_len,
                            uint64_t pn, size_t pn_len, size_t payload_len, uint8_t reserved);
/* A short header (1-RTT): fixed bit, key phase, reserved bits (0x18 sets both), the DCID and
 * pn_len bytes of pn. */
void quire_wire_short_header(quire_wire *w, const uint8_t *dcid, size_t dcid_len, int key_phase,
                             uint64_t pn, size_t pn_len, uint8_t reserved);

/* Builds and protects one packet into out: header as above, then the payload, sealed with k
 * (quire_packet_protect). For short headers type is QUIRE_PACKET_1RTT and version, scid and
 * token are ignored. Returns the packet's length, or QUIRE_ERR_TRUNCATED (out too small),
 * QUIRE_ERR_INVALID (payload too short to sample with pn_len: pn_len + payload_len < 4) or
 * QUIRE_ERR_CRYPTO. */
typedef struct quire_wire_hdr {
    quire_packet_type type;
    uint32_t version;
    const uint8_t *dcid;
    size_t dcid_len;
    const uint8_t *scid;
    size_t scid_len;
    const uint8_t *token;
    size_t token_len;
    uint64_t pn;
    size_t pn_len;
    int key_phase;
    uint8_t reserved;
} quire_wire_hdr;

int quire_wire_packet(uint8_t *out, size_t cap, const quire_wire_hdr *h, const uint8_t *payload,
                      size_t payload_len, quire_keys *k);

#endif
