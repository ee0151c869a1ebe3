/* QUIC packet-protection keys (see keys.h): RFC 9001 Sections 5.1, 5.2, 5.8 and 6, RFC 9369
 * Section 3.3, draft-ietf-quic-tls-29 Section 5.2 and 5.8. */
#include "trace/keys.h"

#include <string.h>

#include <openssl/crypto.h>

#include "util/err.h"

/* Per-version constants: Initial salt, label prefix, Retry integrity key and nonce. */
typedef struct version_info {
    uint32_t version;
    const char *name;
    uint8_t salt[20];
    const char *key_label, *iv_label, *hp_label, *ku_label;
    uint8_t retry_key[16];
    uint8_t retry_nonce[12];
} version_info;

static const version_info versions[] = {
    {QUIRE_QUIC_V1,
     "v1",
     {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
      0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a},
     "quic key",
     "quic iv",
     "quic hp",
     "quic ku",
     {0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8,
      0x4e},
     {0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb}},
    {QUIRE_QUIC_V2,
     "v2",
     {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
      0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9},
     "quicv2 key",
     "quicv2 iv",
     "quicv2 hp",
     "quicv2 ku",
     {0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2, 0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc,
      0x92},
     {0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c, 0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a}},
    {QUIRE_QUIC_DRAFT29,
     "draft-29",
     {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
      0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99},
     "quic key",
     "quic iv",
     "quic hp",
     "quic ku",
     {0xcc, 0xce, 0x18, 0x7e, 0xd0, 0x9a, 0x09, 0xd0, 0x57, 0x28, 0x15, 0x5a, 0x6c, 0xb9, 0x6b,
      0xe1},
     {0xe5, 0x49, 0x30, 0xf9, 0x7f, 0x21, 0x36, 0xf0, 0x53, 0x0a, 0x8c, 0x1c}},
};

static const version_info *find_version(uint32_t version)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i].version == version) return &versions[i];
    return NULL;
}

int quire_keys_version_known(uint32_t version)
{
    return find_version(version) != NULL;
}

const char *quire_keys_version_name(uint32_t version)
{
    const version_info *v = find_version(version);
    return v ? v->name : NULL;
}

int quire_keys_initial_secrets(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                               uint8_t client_secret[QUIRE_KEYS_INITIAL_SECRET_LEN],
                               uint8_t server_secret[QUIRE_KEYS_INITIAL_SECRET_LEN])
{
    const version_info *v = find_version(version);
    if (!v) return QUIRE_ERR_UNSUPPORTED;
    if (dcid_len > 20) return QUIRE_ERR_INVALID;
    uint8_t initial[QUIRE_KEYS_INITIAL_SECRET_LEN];
    int rv = quire_crypto_hkdf_extract(QUIRE_HASH_SHA256, v->salt, sizeof v->salt, dcid, dcid_len,
                                       initial);
    if (!rv && client_secret)
        rv = quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, initial, sizeof initial, "client in",
                                            NULL, 0, client_secret, QUIRE_KEYS_INITIAL_SECRET_LEN);
    if (!rv && server_secret)
        rv = quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, initial, sizeof initial, "server in",
                                            NULL, 0, server_secret, QUIRE_KEYS_INITIAL_SECRET_LEN);
    OPENSSL_cleanse(initial, sizeof initial);
    return rv;
}

/* The HKDF hash that goes with each AEAD in TLS 1.3 (RFC 8446 Appendix B.4). */
static quire_hash alg_hash(quire_aead_alg alg)
{
    return alg == QUIRE_AEAD_AES_256_GCM ? QUIRE_HASH_SHA384 : QUIRE_HASH_SHA256;
}

int quire_keys_derive(quire_key_material *m, uint32_t version, quire_aead_alg alg,
                      const uint8_t *secret, size_t secret_len)
{
    memset(m, 0, sizeof *m);
    const version_info *v = find_version(version);
    if (!v) return QUIRE_ERR_UNSUPPORTED;
    if (alg != QUIRE_AEAD_AES_128_GCM && alg != QUIRE_AEAD_AES_256_GCM &&
        alg != QUIRE_AEAD_CHACHA20_POLY1305)
        return QUIRE_ERR_INVALID;
    quire_hash hash = alg_hash(alg);
    if (secret_len != quire_crypto_hash_len(hash)) return QUIRE_ERR_INVALID;
    m->alg = alg;
    m->hash = hash;
    memcpy(m->secret, secret, secret_len);
    m->secret_len = secret_len;
    m->key_len = quire_crypto_key_len(alg);
    int rv = quire_crypto_hkdf_expand_label(hash, secret, secret_len, v->key_label, NULL, 0, m->key,
                                            m->key_len);
    if (!rv)
        rv = quire_crypto_hkdf_expand_label(hash, secret, secret_len, v->iv_label, NULL, 0, m->iv,
                                            QUIRE_CRYPTO_IV_LEN);
    if (!rv)
        rv = quire_crypto_hkdf_expand_label(hash, secret, secret_len, v->hp_label, NULL, 0, m->hp,
                                            m->key_len);
    if (rv) OPENSSL_cleanse(m, sizeof *m);
    return rv;
}

int quire_keys_next_secret(uint32_t version, quire_hash hash, const uint8_t *secret,
                           size_t secret_len, uint8_t *out)
{
    const version_info *v = find_version(version);
    if (!v) return QUIRE_ERR_UNSUPPORTED;
    if (secret_len != quire_crypto_hash_len(hash)) return QUIRE_ERR_INVALID;
    uint8_t next[QUIRE_CRYPTO_MAX_HASH];
    int rv = quire_crypto_hkdf_expand_label(hash, secret, secret_len, v->ku_label, NULL, 0, next,
                                            secret_len);
    if (!rv) memcpy(out, next, secret_len);
    OPENSSL_cleanse(next, sizeof next);
    return rv;
}

/* Sets up the contexts of k from derived material; hp_key overrides m->hp (key updates). */
static int keys_setup(quire_keys *k, uint32_t version, const quire_key_material *m,
                      const uint8_t *hp_key)
{
    memset(k, 0, sizeof *k);
    k->version = version;
    k->alg = m->alg;
    k->hash = m->hash;
    memcpy(k->secret, m->secret, m->secret_len);
    k->secret_len = m->secret_len;
    memcpy(k->hp_key, hp_key, m->key_len);
    int rv = quire_aead_init(&k->aead, m->alg, m->key, m->iv);
    if (rv) goto fail_aead;
    rv = quire_hp_init(&k->hp, m->alg, hp_key);
    if (rv) goto fail_hp;
    return 0;
fail_hp:
    quire_aead_free(&k->aead);
fail_aead:
    OPENSSL_cleanse(k, sizeof *k);
    return rv;
}

int quire_keys_init(quire_keys *k, uint32_t version, quire_aead_alg alg, const uint8_t *secret,
                    size_t secret_len)
{
    quire_key_material m;
    memset(k, 0, sizeof *k);
    int rv = quire_keys_derive(&m, version, alg, secret, secret_len);
    if (!rv) rv = keys_setup(k, version, &m, m.hp);
    OPENSSL_cleanse(&m, sizeof m);
    return rv;
}

int quire_keys_init_initial(quire_keys *client, quire_keys *server, uint32_t version,
                            const uint8_t *dcid, size_t dcid_len)
{
    uint8_t cs[QUIRE_KEYS_INITIAL_SECRET_LEN], ss[QUIRE_KEYS_INITIAL_SECRET_LEN];
    if (client) memset(client, 0, sizeof *client);
    if (server) memset(server, 0, sizeof *server);
    int rv = quire_keys_initial_secrets(version, dcid, dcid_len, cs, ss);
    if (!rv && client) rv = quire_keys_init(client, version, QUIRE_AEAD_AES_128_GCM, cs, sizeof cs);
    if (!rv && server) {
        rv = quire_keys_init(server, version, QUIRE_AEAD_AES_128_GCM, ss, sizeof ss);
        if (rv && client) quire_keys_free(client);
    }
    OPENSSL_cleanse(cs, sizeof cs);
    OPENSSL_cleanse(ss, sizeof ss);
    return rv;
}

int quire_keys_update(quire_keys *next, const quire_keys *cur)
{
    uint8_t secret[QUIRE_CRYPTO_MAX_HASH];
    quire_key_material m;
    uint8_t hp_key[QUIRE_CRYPTO_MAX_KEY];
    uint32_t version = cur->version;
    uint64_t generation = cur->generation + 1;
    memcpy(hp_key, cur->hp_key, sizeof hp_key);
    memset(&m, 0, sizeof m);
    int rv = quire_keys_next_secret(version, cur->hash, cur->secret, cur->secret_len, secret);
    if (!rv) rv = quire_keys_derive(&m, version, cur->alg, secret, cur->secret_len);
    if (!rv)
        rv = keys_setup(next, version, &m, hp_key);
    else
        memset(next, 0, sizeof *next);
    if (!rv) next->generation = generation;
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(&m, sizeof m);
    OPENSSL_cleanse(hp_key, sizeof hp_key);
    return rv;
}

void quire_keys_free(quire_keys *k)
{
    quire_aead_free(&k->aead);
    quire_hp_free(&k->hp);
    OPENSSL_cleanse(k, sizeof *k);
}

int quire_keys_retry_secret(uint32_t version, const uint8_t **key, const uint8_t **nonce)
{
    const version_info *v = find_version(version);
    if (!v) return QUIRE_ERR_UNSUPPORTED;
    *key = v->retry_key;
    *nonce = v->retry_nonce;
    return 0;
}
