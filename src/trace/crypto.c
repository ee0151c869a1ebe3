/* QUIC cryptographic primitives over OpenSSL 3 (see crypto.h): HKDF (RFC 5869) with TLS 1.3's
 * HKDF-Expand-Label (RFC 8446 Section 7.1), AEAD packet protection (RFC 9001 Section 5.3) and
 * header-protection masks (RFC 9001 Sections 5.4.3 and 5.4.4). */
#include "trace/crypto.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "util/err.h"

int quire_crypto_suite(uint16_t suite, quire_aead_alg *alg, quire_hash *hash)
{
    switch (suite) {
    case QUIRE_TLS_AES_128_GCM_SHA256:
        *alg = QUIRE_AEAD_AES_128_GCM;
        *hash = QUIRE_HASH_SHA256;
        return 0;
    case QUIRE_TLS_AES_256_GCM_SHA384:
        *alg = QUIRE_AEAD_AES_256_GCM;
        *hash = QUIRE_HASH_SHA384;
        return 0;
    case QUIRE_TLS_CHACHA20_POLY1305_SHA256:
        *alg = QUIRE_AEAD_CHACHA20_POLY1305;
        *hash = QUIRE_HASH_SHA256;
        return 0;
    default:
        return QUIRE_ERR_UNSUPPORTED;
    }
}

const char *quire_crypto_suite_name(uint16_t suite)
{
    switch (suite) {
    case 0x1301:
        return "TLS_AES_128_GCM_SHA256";
    case 0x1302:
        return "TLS_AES_256_GCM_SHA384";
    case 0x1303:
        return "TLS_CHACHA20_POLY1305_SHA256";
    case 0x1304:
        return "TLS_AES_128_CCM_SHA256";
    case 0x1305:
        return "TLS_AES_128_CCM_8_SHA256";
    default:
        return NULL;
    }
}

size_t quire_crypto_key_len(quire_aead_alg alg)
{
    return alg == QUIRE_AEAD_AES_128_GCM ? 16 : 32;
}

size_t quire_crypto_hash_len(quire_hash hash)
{
    return hash == QUIRE_HASH_SHA384 ? 48 : 32;
}

const char *quire_crypto_aead_name(quire_aead_alg alg)
{
    switch (alg) {
    case QUIRE_AEAD_AES_128_GCM:
        return "AES-128-GCM";
    case QUIRE_AEAD_AES_256_GCM:
        return "AES-256-GCM";
    case QUIRE_AEAD_CHACHA20_POLY1305:
        return "ChaCha20-Poly1305";
    }
    return "?";
}

static const char *hash_name(quire_hash hash)
{
    return hash == QUIRE_HASH_SHA384 ? "SHA384" : "SHA256";
}

/* One HKDF call through EVP_KDF; mode is EVP_KDF_HKDF_MODE_EXTRACT_ONLY or _EXPAND_ONLY.
 * Key derivation happens a few times per connection, so fetching the KDF per call is fine. */
static int hkdf(quire_hash hash, int mode, const uint8_t *salt, size_t salt_len, const uint8_t *key,
                size_t key_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (!kdf) return QUIRE_ERR_CRYPTO;
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!kctx) return QUIRE_ERR_CRYPTO;

    OSSL_PARAM params[6], *p = params;
    uint8_t empty = 0;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)hash_name(hash), 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    /* HKDF-Extract with an empty IKM is legal; OpenSSL wants a non-NULL pointer. */
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_len ? (void *)key : &empty,
                                             key_len);
    if (salt) *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info) *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();

    int rv = EVP_KDF_derive(kctx, out, out_len, params) == 1 ? 0 : QUIRE_ERR_CRYPTO;
    EVP_KDF_CTX_free(kctx);
    return rv;
}

int quire_crypto_hkdf_extract(quire_hash hash, const uint8_t *salt, size_t salt_len,
                              const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
    return hkdf(hash, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt ? salt : (const uint8_t *)"",
                salt ? salt_len : 0, ikm, ikm_len, NULL, 0, out, quire_crypto_hash_len(hash));
}

int quire_crypto_hkdf_expand_label(quire_hash hash, const uint8_t *secret, size_t secret_len,
                                   const char *label, const uint8_t *context, size_t context_len,
                                   uint8_t *out, size_t out_len)
{
    /* struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
     * (RFC 8446 Section 7.1). */
    static const char prefix[] = "tls13 ";
    size_t label_len = strlen(label), full = sizeof prefix - 1 + label_len;
    if (full > 255 || context_len > 255 || out_len > 0xffff || out_len == 0)
        return QUIRE_ERR_INVALID;
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)full;
    memcpy(info + n, prefix, sizeof prefix - 1);
    n += sizeof prefix - 1;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len) memcpy(info + n, context, context_len);
    n += context_len;
    return hkdf(hash, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret, secret_len, info, n, out,
                out_len);
}

static const EVP_CIPHER *aead_cipher(quire_aead_alg alg)
{
    switch (alg) {
    case QUIRE_AEAD_AES_128_GCM:
        return EVP_aes_128_gcm();
    case QUIRE_AEAD_AES_256_GCM:
        return EVP_aes_256_gcm();
    case QUIRE_AEAD_CHACHA20_POLY1305:
        return EVP_chacha20_poly1305();
    }
    return NULL;
}

/* A receiver only decrypts, but tests and tools also seal with the same key: open and seal
 * each set the direction together with the nonce, so one context serves both. */
int quire_aead_init(quire_aead *a, quire_aead_alg alg, const uint8_t *key, const uint8_t *iv)
{
    memset(a, 0, sizeof *a);
    const EVP_CIPHER *cipher = aead_cipher(alg);
    if (!cipher) return QUIRE_ERR_INVALID;
    a->ctx = EVP_CIPHER_CTX_new();
    if (!a->ctx) return QUIRE_ERR_NOMEM;
    if (EVP_CipherInit_ex(a->ctx, cipher, NULL, NULL, NULL, 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_IVLEN, QUIRE_CRYPTO_IV_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(a->ctx, NULL, NULL, key, NULL, 0) != 1) {
        quire_aead_free(a);
        return QUIRE_ERR_CRYPTO;
    }
    a->alg = alg;
    memcpy(a->iv, iv, QUIRE_CRYPTO_IV_LEN);
    return 0;
}

void quire_aead_free(quire_aead *a)
{
    if (a->ctx) EVP_CIPHER_CTX_free(a->ctx);
    a->ctx = NULL;
}

/* RFC 9001 Section 5.3: the 62-bit packet number, left-padded to the IV size, XOR the IV. */
static void make_nonce(const quire_aead *a, uint64_t pn, uint8_t nonce[QUIRE_CRYPTO_IV_LEN])
{
    memcpy(nonce, a->iv, QUIRE_CRYPTO_IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[QUIRE_CRYPTO_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
}

int quire_aead_open(quire_aead *a, uint64_t pn, const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t in_len, uint8_t *out)
{
    if (in_len < QUIRE_CRYPTO_TAG_LEN) return QUIRE_ERR_TRUNCATED;
    if (!a->ctx || aad_len > INT32_MAX || in_len > INT32_MAX) return QUIRE_ERR_INVALID;
    size_t ct_len = in_len - QUIRE_CRYPTO_TAG_LEN;
    uint8_t nonce[QUIRE_CRYPTO_IV_LEN];
    make_nonce(a, pn, nonce);
    /* Copy the tag first: with out == in the plaintext must not clobber what is still read. */
    uint8_t tag[QUIRE_CRYPTO_TAG_LEN];
    memcpy(tag, in + ct_len, QUIRE_CRYPTO_TAG_LEN);
    int n = 0, fin = 0;
    if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 0) != 1) return QUIRE_ERR_CRYPTO;
    if (aad_len && EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_len) != 1)
        return QUIRE_ERR_CRYPTO;
    if (ct_len && EVP_CipherUpdate(a->ctx, out, &n, in, (int)ct_len) != 1) return QUIRE_ERR_CRYPTO;
    if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, QUIRE_CRYPTO_TAG_LEN, tag) != 1)
        return QUIRE_ERR_CRYPTO;
    if (EVP_CipherFinal_ex(a->ctx, out + ct_len, &fin) != 1) return QUIRE_ERR_CRYPTO;
    return (int)ct_len;
}

int quire_aead_seal(quire_aead *a, uint64_t pn, const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t in_len, uint8_t *out)
{
    if (!a->ctx || aad_len > INT32_MAX || in_len > INT32_MAX - QUIRE_CRYPTO_TAG_LEN)
        return QUIRE_ERR_INVALID;
    uint8_t nonce[QUIRE_CRYPTO_IV_LEN];
    make_nonce(a, pn, nonce);
    int n = 0, fin = 0, rv = QUIRE_ERR_CRYPTO;
    if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, 1) != 1) goto out;
    if (aad_len && EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_len) != 1) goto out;
    if (in_len && EVP_CipherUpdate(a->ctx, out, &n, in, (int)in_len) != 1) goto out;
    if (EVP_CipherFinal_ex(a->ctx, out + in_len, &fin) != 1) goto out;
    if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, QUIRE_CRYPTO_TAG_LEN, out + in_len) != 1)
        goto out;
    rv = (int)(in_len + QUIRE_CRYPTO_TAG_LEN);
out:
    return rv;
}

int quire_hp_init(quire_hp *h, quire_aead_alg alg, const uint8_t *key)
{
    memset(h, 0, sizeof *h);
    const EVP_CIPHER *cipher;
    switch (alg) {
    case QUIRE_AEAD_AES_128_GCM:
        cipher = EVP_aes_128_ecb();
        break;
    case QUIRE_AEAD_AES_256_GCM:
        cipher = EVP_aes_256_ecb();
        break;
    case QUIRE_AEAD_CHACHA20_POLY1305:
        cipher = EVP_chacha20();
        break;
    default:
        return QUIRE_ERR_INVALID;
    }
    h->ctx = EVP_CIPHER_CTX_new();
    if (!h->ctx) return QUIRE_ERR_NOMEM;
    if (EVP_EncryptInit_ex(h->ctx, cipher, NULL, key, NULL) != 1) {
        quire_hp_free(h);
        return QUIRE_ERR_CRYPTO;
    }
    EVP_CIPHER_CTX_set_padding(h->ctx, 0);
    h->alg = alg;
    return 0;
}

void quire_hp_free(quire_hp *h)
{
    if (h->ctx) EVP_CIPHER_CTX_free(h->ctx);
    h->ctx = NULL;
}

int quire_hp_mask(quire_hp *h, const uint8_t sample[QUIRE_CRYPTO_SAMPLE_LEN],
                  uint8_t mask[QUIRE_CRYPTO_MASK_LEN])
{
    int n = 0;
    if (!h->ctx) return QUIRE_ERR_INVALID;
    if (h->alg == QUIRE_AEAD_CHACHA20_POLY1305) {
        /* RFC 9001 Section 5.4.4: counter = sample[0..3] (little-endian), nonce =
         * sample[4..15]; OpenSSL's 16-byte ChaCha20 IV is exactly counter || nonce. */
        static const uint8_t zeros[QUIRE_CRYPTO_MASK_LEN];
        if (EVP_EncryptInit_ex(h->ctx, NULL, NULL, NULL, sample) != 1 ||
            EVP_EncryptUpdate(h->ctx, mask, &n, zeros, QUIRE_CRYPTO_MASK_LEN) != 1)
            return QUIRE_ERR_CRYPTO;
        return 0;
    }
    /* RFC 9001 Section 5.4.3: mask = AES-ECB(hp_key, sample). */
    uint8_t block[QUIRE_CRYPTO_SAMPLE_LEN];
    if (EVP_EncryptUpdate(h->ctx, block, &n, sample, QUIRE_CRYPTO_SAMPLE_LEN) != 1 ||
        n != QUIRE_CRYPTO_SAMPLE_LEN)
        return QUIRE_ERR_CRYPTO;
    memcpy(mask, block, QUIRE_CRYPTO_MASK_LEN);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int quire_crypto_unhex(const char *hex, size_t hex_len, uint8_t *out, size_t out_cap)
{
    if (hex_len % 2) return QUIRE_ERR_MALFORMED;
    if (hex_len / 2 > out_cap) return QUIRE_ERR_TRUNCATED;
    if (hex_len / 2 > INT32_MAX) return QUIRE_ERR_INVALID;
    for (size_t i = 0; i < hex_len; i += 2) {
        int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
        if (hi < 0 || lo < 0) return QUIRE_ERR_MALFORMED;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(hex_len / 2);
}
