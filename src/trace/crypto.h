/* QUIC cryptographic primitives over OpenSSL 3 libcrypto: HKDF-Extract and HKDF-Expand-Label
 * (RFC 8446 Section 7.1, as used by RFC 9001 Section 5), the three AEADs QUIC uses with TLS 1.3
 * (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305; RFC 9001 Section 5.3) and the header-protection
 * masks (AES-ECB and ChaCha20; RFC 9001 Section 5.4). A quire_aead / quire_hp holds one cipher
 * context initialised once with its key, so protecting or opening a packet only sets the nonce:
 * no allocation and no key schedule per packet. Nothing here keeps global state. */
#ifndef QUIRE_TRACE_CRYPTO_H
#define QUIRE_TRACE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

struct evp_cipher_ctx_st; /* OpenSSL's EVP_CIPHER_CTX, kept opaque here */

/* Sizes (bytes). */
#define QUIRE_CRYPTO_MAX_KEY 32    /* AES-256 / ChaCha20 key */
#define QUIRE_CRYPTO_IV_LEN 12     /* AEAD nonce, all three AEADs */
#define QUIRE_CRYPTO_TAG_LEN 16    /* AEAD tag, all three AEADs */
#define QUIRE_CRYPTO_SAMPLE_LEN 16 /* header-protection sample */
#define QUIRE_CRYPTO_MASK_LEN 5    /* header-protection mask used (1 + up to 4 PN bytes) */
#define QUIRE_CRYPTO_MAX_HASH 48   /* SHA-384 output: the longest TLS 1.3 secret */

/* TLS 1.3 cipher suites QUIC can use (RFC 8446 Appendix B.4). TLS_AES_128_CCM_SHA256 is not
 * supported (no QUIC stack negotiates it); quire_crypto_suite() rejects it as UNSUPPORTED. */
#define QUIRE_TLS_AES_128_GCM_SHA256 0x1301
#define QUIRE_TLS_AES_256_GCM_SHA384 0x1302
#define QUIRE_TLS_CHACHA20_POLY1305_SHA256 0x1303

typedef enum quire_hash {
    QUIRE_HASH_SHA256 = 0,
    QUIRE_HASH_SHA384 = 1,
} quire_hash;

typedef enum quire_aead_alg {
    QUIRE_AEAD_AES_128_GCM = 0,
    QUIRE_AEAD_AES_256_GCM = 1,
    QUIRE_AEAD_CHACHA20_POLY1305 = 2,
} quire_aead_alg;

/* Maps a TLS 1.3 cipher suite to its AEAD and HKDF hash. Returns 0, or QUIRE_ERR_UNSUPPORTED
 * for suites QUIC does not use (or that quire does not handle). */
int quire_crypto_suite(uint16_t suite, quire_aead_alg *alg, quire_hash *hash);
/* IANA name of a TLS 1.3 suite ("TLS_AES_128_GCM_SHA256"), or NULL if unknown. */
const char *quire_crypto_suite_name(uint16_t suite);
/* Key length of an AEAD (16 or 32); the header-protection key has the same length. */
size_t quire_crypto_key_len(quire_aead_alg alg);
/* Output length of a hash (32 or 48). */
size_t quire_crypto_hash_len(quire_hash hash);
/* Short name of an AEAD ("AES-128-GCM", ...). */
const char *quire_crypto_aead_name(quire_aead_alg alg);

/* HKDF-Extract(salt, ikm) (RFC 5869); writes quire_crypto_hash_len(hash) bytes to out.
 * Returns 0 or QUIRE_ERR_CRYPTO. */
int quire_crypto_hkdf_extract(quire_hash hash, const uint8_t *salt, size_t salt_len,
                              const uint8_t *ikm, size_t ikm_len, uint8_t *out);
/* HKDF-Expand-Label(secret, label, context, out_len) from RFC 8446 Section 7.1: the label is
 * given without the "tls13 " prefix (e.g. "client in", "quic key"), the prefix is added here.
 * Returns 0, QUIRE_ERR_INVALID (label or output too long) or QUIRE_ERR_CRYPTO. */
int quire_crypto_hkdf_expand_label(quire_hash hash, const uint8_t *secret, size_t secret_len,
                                   const char *label, const uint8_t *context, size_t context_len,
                                   uint8_t *out, size_t out_len);

/* One AEAD key with its static IV (RFC 9001 Section 5.3): the nonce of packet number pn is the
 * IV XORed with pn left-padded to 12 bytes. */
typedef struct quire_aead {
    struct evp_cipher_ctx_st *ctx;
    quire_aead_alg alg;
    uint8_t iv[QUIRE_CRYPTO_IV_LEN];
} quire_aead;

/* Initialises the context with key (quire_crypto_key_len(alg) bytes) and iv (12 bytes).
 * Returns 0, QUIRE_ERR_NOMEM or QUIRE_ERR_CRYPTO; on failure nothing needs freeing. */
int quire_aead_init(quire_aead *a, quire_aead_alg alg, const uint8_t *key, const uint8_t *iv);
/* Frees the context; safe on a zeroed or already freed struct. */
void quire_aead_free(quire_aead *a);
/* Decrypts and authenticates in_len bytes (ciphertext followed by the 16-byte tag) with the
 * nonce for pn and the associated data aad. Writes in_len - 16 bytes to out (out may equal in,
 * but then a failed attempt leaves garbage in it). Returns the plaintext length, or
 * QUIRE_ERR_TRUNCATED (in_len < 16) or QUIRE_ERR_CRYPTO (authentication failed). */
int quire_aead_open(quire_aead *a, uint64_t pn, const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t in_len, uint8_t *out);
/* Encrypts in_len bytes and appends the tag: writes in_len + 16 bytes to out (out may equal
 * in). Returns the output length or QUIRE_ERR_CRYPTO. */
int quire_aead_seal(quire_aead *a, uint64_t pn, const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t in_len, uint8_t *out);

/* One header-protection key (RFC 9001 Section 5.4.3 for AES, 5.4.4 for ChaCha20). */
typedef struct quire_hp {
    struct evp_cipher_ctx_st *ctx;
    quire_aead_alg alg;
} quire_hp;

/* Returns 0, QUIRE_ERR_NOMEM or QUIRE_ERR_CRYPTO; on failure nothing needs freeing. */
int quire_hp_init(quire_hp *h, quire_aead_alg alg, const uint8_t *key);
void quire_hp_free(quire_hp *h);
/* Computes the 5-byte mask from a 16-byte sample of the ciphertext. Returns 0 or
 * QUIRE_ERR_CRYPTO. */
int quire_hp_mask(quire_hp *h, const uint8_t sample[QUIRE_CRYPTO_SAMPLE_LEN],
                  uint8_t mask[QUIRE_CRYPTO_MASK_LEN]);

/* Parses a hex string (no separators, even length) into out; returns the byte count, or
 * QUIRE_ERR_MALFORMED (odd length, non-hex digit) or QUIRE_ERR_TRUNCATED (out too small).
 * Shared by the key log parser and the tests. */
int quire_crypto_unhex(const char *hex, size_t hex_len, uint8_t *out, size_t out_cap);

#endif
