/* The QUIC packet layer (RFC 9000 Section 17, RFC 9001 Section 5, RFC 9369 Section 3): parses
 * one packet from a UDP payload and returns the bytes it used, so the caller walks coalesced
 * packets by calling again on the rest (RFC 9000 Section 12.2). Long headers (Initial, 0-RTT,
 * Handshake, Retry with the v2 type-bit encoding), Version Negotiation, short headers (the
 * Destination Connection ID length comes from the caller's connection tracker); header
 * protection removal, packet number recovery (RFC 9000 Appendix A.3) and AEAD decryption with
 * keys the caller supplies per epoch, 1-RTT with key-phase selection between current, next and
 * previous generation; Retry integrity tags are verified. The input is never modified: the
 * unprotected header and the plaintext are written to a caller buffer, so a failed attempt with
 * one key can be retried with another and nothing is allocated per packet. */
#ifndef QUIRE_TRACE_PACKET_H
#define QUIRE_TRACE_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "trace/keys.h"

#define QUIRE_MAX_CID_LEN 20
/* Needed size of the caller's output buffer: at least the packet's length; a UDP payload never
 * exceeds this. */
#define QUIRE_PACKET_MAX_OUT 65536

typedef enum quire_packet_type {
    QUIRE_PACKET_INITIAL = 0,
    QUIRE_PACKET_0RTT = 1,
    QUIRE_PACKET_HANDSHAKE = 2,
    QUIRE_PACKET_RETRY = 3,
    QUIRE_PACKET_VERSION_NEGOTIATION = 4,
    QUIRE_PACKET_1RTT = 5,            /* short header */
    QUIRE_PACKET_UNKNOWN_VERSION = 6, /* long header of a version quire does not know */
    QUIRE_PACKET_TYPE_COUNT = 7,
} quire_packet_type;

/* Encryption levels: which keys a packet needs. */
typedef enum quire_epoch {
    QUIRE_EPOCH_INITIAL = 0,
    QUIRE_EPOCH_0RTT = 1,
    QUIRE_EPOCH_HANDSHAKE = 2,
    QUIRE_EPOCH_1RTT = 3,
    QUIRE_EPOCH_COUNT = 4,
} quire_epoch;

/* Packet number spaces (RFC 9000 Section 12.3); 0-RTT and 1-RTT share the application space. */
typedef enum quire_pn_space {
    QUIRE_PN_SPACE_INITIAL = 0,
    QUIRE_PN_SPACE_HANDSHAKE = 1,
    QUIRE_PN_SPACE_APPLICATION = 2,
    QUIRE_PN_SPACE_COUNT = 3,
} quire_pn_space;

/* Which 1-RTT key generation opened a packet. */
typedef enum quire_key_slot {
    QUIRE_KEY_CURRENT = 0,
    QUIRE_KEY_NEXT = 1,     /* the peer started a key update: the caller should rotate */
    QUIRE_KEY_PREVIOUS = 2, /* a packet sent before the last update, arriving late */
} quire_key_slot;

/* What the caller knows about the connection the packet belongs to. Every pointer may be NULL
 * (no such key yet): the packet is then parsed as far as possible and reported NOKEY. */
typedef struct quire_packet_ctx {
    size_t short_dcid_len; /* DCID length of short-header packets (0..20) */
    /* Keys of the sender's direction per epoch; keys[QUIRE_EPOCH_1RTT] is the current 1-RTT
     * generation, whose key phase bit is app_key_phase. */
    quire_keys *keys[QUIRE_EPOCH_COUNT];
    quire_keys *app_next; /* current generation + 1 (see quire_keys_update) */
    quire_keys *app_prev; /* current generation - 1 */
    int app_key_phase;    /* 0 or 1: key phase bit of keys[QUIRE_EPOCH_1RTT] */
    /* Largest packet number received so far per space, or -1 if none (RFC 9000 A.3). */
    int64_t largest_pn[QUIRE_PN_SPACE_COUNT];
    /* Original Destination Connection ID (the client's first Initial DCID), needed to verify a
     * Retry's integrity tag; NULL leaves retry_tag unchecked. */
    const uint8_t *odcid;
    size_t odcid_len;
} quire_packet_ctx;

/* Sets every key to NULL, every largest_pn to -1, short_dcid_len to dcid_len. */
void quire_packet_ctx_init(quire_packet_ctx *ctx, size_t short_dcid_len);

/* One decoded packet. Pointers point into the caller's input (connection IDs, token, Version
 * Negotiation list) or output buffer (header, payload); they stay valid while those do. */
typedef struct quire_packet {
    quire_packet_type type;
    quire_epoch epoch;    /* for INITIAL, 0RTT, HANDSHAKE, 1RTT */
    quire_pn_space space; /* likewise */
    uint32_t version;     /* the Version field (0 in Version Negotiation); 0 for short */
    uint8_t first_byte;   /* with header protection removed when decrypted */
    int fixed_bit;        /* the 0x40 bit (0 only with grease_quic_bit, RFC 9287) */
    const uint8_t *dcid;  /* into the input; up to 20 bytes (255 in Version Negotiation */
    size_t dcid_len;      /* and unknown versions, RFC 8999) */
    const uint8_t *scid;  /* long headers only, likewise */
    size_t scid_len;
    const uint8_t *token; /* Initial and Retry: the token (into the input) */
    size_t token_len;
    const uint8_t *versions; /* Version Negotiation: supported versions, 4 bytes each */
    size_t version_count;
    int retry_tag;     /* Retry: 1 verified, 0 wrong tag, -1 not checked (no ODCID) */
    uint64_t length;   /* long headers: the Length field (PN + payload + tag) */
    size_t size;       /* bytes of the input this packet used (= return value) */
    size_t header_len; /* header up to and including the packet number, once known */
    /* Filled in once header protection is removed (status != NOKEY): */
    int pn_known;  /* 1 once the packet number is recovered */
    size_t pn_len; /* 1..4 */
    uint64_t pn_truncated;
    uint64_t pn;           /* the full packet number (RFC 9000 Appendix A.3) */
    int key_phase;         /* 1-RTT: the key phase bit */
    int spin;              /* 1-RTT: the latency spin bit */
    uint8_t reserved_bits; /* the reserved bits (0x0c long, 0x18 short); must be 0 */
    /* Decryption result: 0 decrypted; QUIRE_ERR_NOKEY no key for this epoch; QUIRE_ERR_CRYPTO
     * authentication failed (wrong key, corrupted); QUIRE_ERR_MALFORMED packet too short to
     * sample or non-zero reserved bits after successful decryption; QUIRE_ERR_UNSUPPORTED
     * (unknown version, Retry, Version Negotiation: nothing to decrypt). */
    int status;
    quire_key_slot key_slot; /* 1-RTT: which generation opened it (status 0) */
    const uint8_t *header;   /* status 0: the unprotected header, header_len bytes (in out) */
    const uint8_t *payload;  /* status 0: the plaintext frames (in out) */
    size_t payload_len;
} quire_packet;

/* Decodes the packet at the start of data (a UDP payload or what remains of it after the
 * previous coalesced packets). out (not overlapping data) must hold at least the packet's bytes
 * (QUIRE_PACKET_MAX_OUT is always enough; a smaller out gives status QUIRE_ERR_INVALID for a
 * larger packet). After a successful decryption the caller updates ctx->largest_pn of the
 * packet's space with pkt->pn, and on key_slot NEXT rotates its 1-RTT keys.
 * Returns the bytes the packet used (> 0), the rest of data for short headers, Version
 * Negotiation and unknown versions; or QUIRE_ERR_TRUNCATED (the header or the Length field runs
 * past the end) or QUIRE_ERR_MALFORMED (the header is invalid, e.g. a CID longer than 20 bytes
 * in v1/v2, a zero first byte). A decryption failure is not a parse error: the packet is
 * returned with pkt->status set, so coalesced packets after it can still be read. */
int quire_packet_decode(quire_packet *pkt, const uint8_t *data, size_t len,
                        const quire_packet_ctx *ctx, uint8_t *out, size_t out_cap);

/* The packet type and version of a long header without decoding the rest (0 or
 * QUIRE_ERR_TRUNCATED/MALFORMED); lets the caller find the connection (and so the keys)
 * before decoding. For a short header, *type is QUIRE_PACKET_1RTT and *version 0. */
int quire_packet_peek(const uint8_t *data, size_t len, quire_packet_type *type, uint32_t *version,
                      const uint8_t **dcid, size_t *dcid_len, size_t short_dcid_len);

/* Recovers a full packet number from its truncated form (RFC 9000 Appendix A.3). largest is
 * the largest packet number received in the space, or -1 if none. */
uint64_t quire_packet_decode_pn(int64_t largest, uint64_t truncated, size_t pn_len);

/* Protects a packet in place (RFC 9001 Section 5, used by tests and tools that build packets):
 * buf holds the header (header_len bytes, ending with the pn_len-byte packet number pn, the
 * Length field of a long header already counting pn_len + payload_len + 16) followed by
 * payload_len bytes of plaintext frames. Encrypts the payload, appends the tag and applies
 * header protection. buf_cap must be at least header_len + payload_len + 16. Returns the
 * packet's length, or QUIRE_ERR_INVALID (too small, or too short to sample) or
 * QUIRE_ERR_CRYPTO. */
int quire_packet_protect(uint8_t *buf, size_t buf_cap, size_t header_len, size_t pn_len,
                         uint64_t pn, size_t payload_len, quire_keys *k);

/* Whether data starts with a client Initial of version that opens with the Initial keys of
 * its own DCID (RFC 9001 5.2): evidence that a client sent it (stray or damaged bytes do not
 * open). out (out_cap bytes, at least the packet's size) is scratch space. Returns 1 or 0,
 * also 0 for an unknown version or any error. */
int quire_packet_initial_opens(const uint8_t *data, size_t len, uint32_t version,
                               const uint8_t *dcid, size_t dcid_len, uint8_t *out, size_t out_cap);

/* Verifies a Retry packet's integrity tag (RFC 9001 Section 5.8, RFC 9369 Section 3.3.3):
 * retry is the whole Retry packet (tag last), odcid the client's original DCID. Returns 1 if
 * valid, 0 if not, or QUIRE_ERR_UNSUPPORTED / QUIRE_ERR_TRUNCATED / QUIRE_ERR_CRYPTO. */
int quire_packet_retry_verify(uint32_t version, const uint8_t *retry, size_t retry_len,
                              const uint8_t *odcid, size_t odcid_len);

/* Names: "initial", "0rtt", "handshake", "retry", "version_negotiation", "1rtt",
 * "unknown_version" (the JSON keys of the trace summary); epochs "initial", "0rtt",
 * "handshake", "1rtt". */
const char *quire_packet_type_name(quire_packet_type type);
const char *quire_packet_epoch_name(quire_epoch epoch);

#endif
