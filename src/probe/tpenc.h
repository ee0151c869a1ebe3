/* The client's quic_transport_parameters extension (RFC 9000 Section 18): an encoder of
 * {id, length, value} entries and the probe's default client set, with the changes the
 * transport-parameter cases make (leave a parameter out, add raw entries: duplicates, invalid
 * values, server-only parameters). trace/tls.c's quire_tls_parse_tp() is the decoder the
 * tests check it against. */
#ifndef QUIRE_PROBE_TPENC_H
#define QUIRE_PROBE_TPENC_H

#include <stddef.h>
#include <stdint.h>

#include "probe/wire.h"

/* Wire ids of the parameters the probe writes (RFC 9000 Section 18.2). */
enum {
    QUIRE_TPID_ORIGINAL_DCID = 0x00,
    QUIRE_TPID_MAX_IDLE_TIMEOUT = 0x01,
    QUIRE_TPID_STATELESS_RESET_TOKEN = 0x02,
    QUIRE_TPID_MAX_UDP_PAYLOAD_SIZE = 0x03,
    QUIRE_TPID_INITIAL_MAX_DATA = 0x04,
    QUIRE_TPID_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL = 0x05,
    QUIRE_TPID_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE = 0x06,
    QUIRE_TPID_INITIAL_MAX_STREAM_DATA_UNI = 0x07,
    QUIRE_TPID_INITIAL_MAX_STREAMS_BIDI = 0x08,
    QUIRE_TPID_INITIAL_MAX_STREAMS_UNI = 0x09,
    QUIRE_TPID_ACK_DELAY_EXPONENT = 0x0a,
    QUIRE_TPID_MAX_ACK_DELAY = 0x0b,
    QUIRE_TPID_DISABLE_ACTIVE_MIGRATION = 0x0c,
    QUIRE_TPID_PREFERRED_ADDRESS = 0x0d,
    QUIRE_TPID_ACTIVE_CONNECTION_ID_LIMIT = 0x0e,
    QUIRE_TPID_INITIAL_SCID = 0x0f,
    QUIRE_TPID_RETRY_SCID = 0x10,
};

/* Entries appended to a wire writer. */
void quire_tpenc_int(quire_wire *w, uint64_t id, uint64_t value);
void quire_tpenc_bytes(quire_wire *w, uint64_t id, const uint8_t *value, size_t len);

/* Changes to the default set: parameters left out (by wire id), then raw entries appended. */
#define QUIRE_TPENC_MAX_OMIT 4
typedef struct quire_tpenc_mod {
    uint64_t omit[QUIRE_TPENC_MAX_OMIT];
    size_t nomit;
    uint8_t extra[256];
    size_t extra_len;
} quire_tpenc_mod;

/* The probe's client parameters: max_idle_timeout 30 s, initial_max_data 1 MiB, 256 KiB per
 * stream, 100 streams each way, active_connection_id_limit 4 and initial_source_connection_id
 * scid; mod (may be NULL) then applies. Writes into out. Returns the length, or
 * QUIRE_ERR_TRUNCATED (out too small). */
int quire_tpenc_client(uint8_t *out, size_t cap, const uint8_t *scid, size_t scid_len,
                       const quire_tpenc_mod *mod);

#endif
