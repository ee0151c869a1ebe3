/* QUIC packet-protection keys (RFC 9001 Section 5, RFC 9369 Section 3.3): Initial secrets from
 * the client's first Destination Connection ID for QUIC v1 (0x00000001), v2 (0x6b3343cf) and
 * draft-29 (0xff00001d); {key, iv, hp} from a TLS traffic secret with the version's labels
 * ("quic key"/"quic iv"/"quic hp" or "quicv2 key"/"quicv2 iv"/"quicv2 hp"); key updates
 * (RFC 9001 Section 6: the next secret with "quic ku"/"quicv2 ku", header-protection key
 * unchanged); and the Retry integrity key and nonce per version (RFC 9001 Section 5.8,
 * RFC 9369 Section 3.3.3). A quire_keys is one direction of one epoch (one key generation for
 * 1-RTT), with its cipher contexts ready for quire_packet_decode(). */
#ifndef QUIRE_TRACE_KEYS_H
#define QUIRE_TRACE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "trace/crypto.h"

#define QUIRE_QUIC_V1 0x00000001u
#define QUIRE_QUIC_V2 0x6b3343cfu
#define QUIRE_QUIC_DRAFT29 0xff00001du

/* Initial secrets are always SHA-256 sized. */
#define QUIRE_KEYS_INITIAL_SECRET_LEN 32

/* Whether quire knows the Initial salt, labels and packet-type encoding of a version
 * (v1, v2, draft-29). */
int quire_keys_version_known(uint32_t version);
/* "v1", "v2", "draft-29", or NULL for other versions. */
const char *quire_keys_version_name(uint32_t version);

/* Derived key material of one direction and epoch, as plain bytes (for tests, printing and
 * export). */
typedef struct quire_key_material {
    quire_aead_alg alg;
    quire_hash hash;
    uint8_t secret[QUIRE_CRYPTO_MAX_HASH];
    size_t secret_len;
    uint8_t key[QUIRE_CRYPTO_MAX_KEY];
    size_t key_len;
    uint8_t iv[QUIRE_CRYPTO_IV_LEN];
    uint8_t hp[QUIRE_CRYPTO_MAX_KEY]; /* same length as key */
} quire_key_material;

/* Initial secrets (RFC 9001 Section 5.2, RFC 9369 Section 3.3.1): initial_secret =
 * HKDF-Extract(salt(version), dcid), then "client in" / "server in" (32 bytes each). Either
 * output may be NULL. Returns 0, QUIRE_ERR_UNSUPPORTED (unknown version), QUIRE_ERR_INVALID
 * (dcid longer than 20 bytes) or QUIRE_ERR_CRYPTO. */
int quire_keys_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                               uint8_t client_secret[QUIRE_KEYS_INITIAL_SECRET_LEN],
                               uint8_t server_secret[QUIRE_KEYS_INITIAL_SECRET_LEN]);

/* Derives {key, iv, hp} from a traffic secret with the version's labels. secret_len must be
 * the hash length of alg's suite (32, or 48 for AES-256-GCM). Returns 0, QUIRE_ERR_UNSUPPORTED
 * (unknown version), QUIRE_ERR_INVALID (wrong secret length) or QUIRE_ERR_CRYPTO. */
int quire_keys_derive(quire_key_material *m, uint32_t version, quire_aead_alg alg,
                      const uint8_t *secret, size_t secret_len);

/* The next 1-RTT secret (RFC 9001 Section 6.1, RFC 9369 Section 3.3.2):
 * HKDF-Expand-Label(secret, "quic ku" | "quicv2 ku", "", hash_len). out may equal secret.
 * Returns 0, QUIRE_ERR_UNSUPPORTED, QUIRE_ERR_INVALID or QUIRE_ERR_CRYPTO. */
int quire_keys_next_secret(uint32_t version, quire_hash hash, const uint8_t *secret,
                           size_t secret_len, uint8_t *out);

/* One direction of one epoch (one generation for 1-RTT), ready to protect and open packets.
 * The secret is kept so the next generation can be derived. */
typedef struct quire_keys {
    uint32_t version;
    quire_aead_alg alg;
    quire_hash hash;
    uint8_t secret[QUIRE_CRYPTO_MAX_HASH];
    size_t secret_len;
    uint8_t hp_key[QUIRE_CRYPTO_MAX_KEY]; /* kept: key updates reuse it (RFC 9001 Section 6) */
    uint64_t generation;                  /* 0 for the first 1-RTT keys, +1 per key update */
    quire_aead aead;
    quire_hp hp;
} quire_keys;

/* Sets up keys from a traffic secret (e.g. from the key log) for cipher suite alg. On failure
 * the struct is left freed (zeroed contexts). Returns 0 or the quire_keys_derive() errors,
 * QUIRE_ERR_NOMEM. */
int quire_keys_init(quire_keys *k, uint32_t version, quire_aead_alg alg, const uint8_t *secret,
                    size_t secret_len);
/* Sets up the Initial keys of both directions (AES-128-GCM, RFC 9001 Section 5.2) from the
 * Destination Connection ID of the client's first Initial. Either output may be NULL. */
int quire_keys_init_initial(quire_keys *client, quire_keys *server, uint32_t version,
                            const uint8_t *dcid, size_t dcid_len);
/* Sets up next as the key generation after cur (RFC 9001 Section 6): next secret, new AEAD
 * key and IV, the same header-protection key, generation + 1. cur is not changed and must not
 * be the same struct as next. */
int quire_keys_update(quire_keys *next, const quire_keys *cur);
/* Frees the cipher contexts and wipes the secret; safe on a zeroed or freed struct. */
void quire_keys_free(quire_keys *k);

/* The Retry integrity key (16 bytes, AES-128-GCM) and nonce (12 bytes) of a version
 * (RFC 9001 Section 5.8, RFC 9369 Section 3.3.3, draft-29 Section 5.8). Returns 0 or
 * QUIRE_ERR_UNSUPPORTED. */
int quire_keys_retry_secret(uint32_t version, const uint8_t **key, const uint8_t **nonce);

#endif
