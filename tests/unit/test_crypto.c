/* Unit tests for trace/crypto: HKDF-Extract (RFC 5869 A.1), HKDF-Expand-Label (RFC 9001 A.1
 * "client in" and "quic key"), the three AEADs (GCM spec test cases 2 and 14, ChaCha20-Poly1305
 * from RFC 9001 A.5), tamper detection, header-protection masks (RFC 9001 A.2 and A.5,
 * RFC 9369 A.2 and A.5), cipher suite mapping and hex parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "trace/crypto.h"
#include "util/err.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    int n = quire_crypto_unhex(hex, strlen(hex), out, cap);
    assert_true(n >= 0);
    return (size_t)n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
    uint8_t want[256];
    size_t n = unhex(hex, want, sizeof want);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
}

static void test_hkdf_extract(void **state)
{
    (void)state;
    /* RFC 5869 Appendix A.1. */
    uint8_t ikm[22], salt[13], prk[32];
    memset(ikm, 0x0b, sizeof ikm);
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)i;
    assert_int_equal(
        quire_crypto_hkdf_extract(QUIRE_HASH_SHA256, salt, sizeof salt, ikm, sizeof ikm, prk), 0);
    assert_hex(prk, sizeof prk, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");

    /* RFC 9001 Appendix A.1: initial_secret = HKDF-Extract(v1 salt, DCID). */
    uint8_t v1salt[20], dcid[8];
    unhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a", v1salt, sizeof v1salt);
    unhex("8394c8f03e515708", dcid, sizeof dcid);
    assert_int_equal(
        quire_crypto_hkdf_extract(QUIRE_HASH_SHA256, v1salt, 20, dcid, sizeof dcid, prk), 0);
    assert_hex(prk, 32, "7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44");

    /* SHA-384 produces 48 bytes. */
    uint8_t prk384[48];
    assert_int_equal(
        quire_crypto_hkdf_extract(QUIRE_HASH_SHA384, salt, sizeof salt, ikm, sizeof ikm, prk384),
        0);
    assert_memory_not_equal(prk384, prk, 32);
}

static void test_hkdf_expand_label(void **state)
{
    (void)state;
    uint8_t initial[32], out[32];
    unhex("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44", initial, 32);
    assert_int_equal(quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, initial, 32, "client in",
                                                    NULL, 0, out, 32),
                     0);
    assert_hex(out, 32, "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
    uint8_t key[16];
    assert_int_equal(
        quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, out, 32, "quic key", NULL, 0, key, 16),
        0);
    assert_hex(key, 16, "1f369613dd76d5467730efcbe3b1a22d");

    /* Limits: a label over 249 bytes (255 with "tls13 ") and empty outputs are refused. */
    char label[251];
    memset(label, 'x', 250);
    label[250] = 0;
    assert_int_equal(
        quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, out, 32, label, NULL, 0, key, 16),
        QUIRE_ERR_INVALID);
    assert_int_equal(
        quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, out, 32, "quic key", NULL, 0, key, 0),
        QUIRE_ERR_INVALID);
}

/* Known-answer AEAD vectors: key, iv, pn, aad, plaintext, ciphertext || tag. */
typedef struct aead_vector {
    quire_aead_alg alg;
    const char *key, *iv;
    uint64_t pn;
    const char *aad, *pt, *ct;
} aead_vector;

static const aead_vector aead_vectors[] = {
    /* McGrew & Viega, "The Galois/Counter Mode of Operation", test case 2. */
    {QUIRE_AEAD_AES_128_GCM, "00000000000000000000000000000000", "000000000000000000000000", 0, "",
     "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"},
    /* Same document, test case 14 (AES-256). */
    {QUIRE_AEAD_AES_256_GCM, "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", 0, "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"},
    /* RFC 9001 Appendix A.5: PING in a short header, pn 654360564. */
    {QUIRE_AEAD_CHACHA20_POLY1305,
     "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8", "e0459b3474bdd0e44a41c144",
     654360564, "4200bff4", "01", "655e5cd55c41f69080575d7999c25a5bfb"},
    /* RFC 9369 Appendix A.5. */
    {QUIRE_AEAD_CHACHA20_POLY1305,
     "3bfcddd72bcf02541d7fa0dd1f5f9eeea817e09a6963a0e6c7df0f9a1bab90f2", "a6b5bc6ab7dafce30ffff5dd",
     654360564, "4200bff4", "01", "0ae7b6b932bc27d786f4bc2bb20f2162ba"},
};

static void test_aead_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof aead_vectors / sizeof aead_vectors[0]; i++) {
        const aead_vector *v = &aead_vectors[i];
        uint8_t key[32], iv[12], aad[16], pt[64], ct[80], out[80];
        unhex(v->key, key, sizeof key);
        unhex(v->iv, iv, sizeof iv);
        size_t aad_len = unhex(v->aad, aad, sizeof aad);
        size_t pt_len = unhex(v->pt, pt, sizeof pt);
        size_t ct_len = unhex(v->ct, ct, sizeof ct);
        quire_aead a;
        assert_int_equal(quire_aead_init(&a, v->alg, key, iv), 0);
        assert_int_equal(quire_aead_seal(&a, v->pn, aad, aad_len, pt, pt_len, out), (int)ct_len);
        assert_memory_equal(out, ct, ct_len);
        memset(out, 0, sizeof out);
        assert_int_equal(quire_aead_open(&a, v->pn, aad, aad_len, ct, ct_len, out), (int)pt_len);
        assert_memory_equal(out, pt, pt_len);
        /* In place works too. */
        memcpy(out, ct, ct_len);
        assert_int_equal(quire_aead_open(&a, v->pn, aad, aad_len, out, ct_len, out), (int)pt_len);
        assert_memory_equal(out, pt, pt_len);

        /* Any flipped bit in ciphertext, tag or AAD, or another pn, fails authentication;
         * the context stays usable afterwards. */
        for (size_t b = 0; b < ct_len; b++) {
            ct[b] ^= 0x10;
            assert_int_equal(quire_aead_open(&a, v->pn, aad, aad_len, ct, ct_len, out),
                             QUIRE_ERR_CRYPTO);
            ct[b] ^= 0x10;
        }
        if (aad_len) {
            aad[0] ^= 1;
            assert_int_equal(quire_aead_open(&a, v->pn, aad, aad_len, ct, ct_len, out),
                             QUIRE_ERR_CRYPTO);
            aad[0] ^= 1;
        }
        assert_int_equal(quire_aead_open(&a, v->pn + 1, aad, aad_len, ct, ct_len, out),
                         QUIRE_ERR_CRYPTO);
        assert_int_equal(quire_aead_open(&a, v->pn, aad, aad_len, ct, ct_len, out), (int)pt_len);
        assert_int_equal(quire_aead_open(&a, v->pn, aad, aad_len, ct, 15, out),
                         QUIRE_ERR_TRUNCATED);
        quire_aead_free(&a);
        quire_aead_free(&a); /* idempotent */
    }
}

static void test_hp_masks(void **state)
{
    (void)state;
    static const struct {
        quire_aead_alg alg;
        const char *key, *sample, *mask;
    } rows[] = {
        /* RFC 9001 A.2 (client Initial), A.3 (server Initial), A.5 (ChaCha20). */
        {QUIRE_AEAD_AES_128_GCM, "9f50449e04a0e810283a1e9933adedd2",
         "d1b1c98dd7689fb8ec11d242b123dc9b", "437b9aec36"},
        {QUIRE_AEAD_AES_128_GCM, "c206b8d9b9f0f37644430b490eeaa314",
         "2cd0991cd25b0aac406a5816b6394100", "2ec0d8356a"},
        {QUIRE_AEAD_CHACHA20_POLY1305,
         "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4",
         "5e5cd55c41f69080575d7999c25a5bfb", "aefefe7d03"},
        /* RFC 9369 A.2, A.3 and A.5. */
        {QUIRE_AEAD_AES_128_GCM, "45b95e15235d6f45a6b19cbcb0294ba9",
         "ffe67b6abcdb4298b485dd04de806071", "94a0c95e80"},
        {QUIRE_AEAD_AES_128_GCM, "edf6d05c83121201b436e16877593c3a",
         "6f05d8a4398c47089698baeea26b91eb", "4dd92e91ea"},
        {QUIRE_AEAD_CHACHA20_POLY1305,
         "d659760d2ba434a226fd37b35c69e2da8211d10c4f12538787d65645d5d1b8e2",
         "e7b6b932bc27d786f4bc2bb20f2162ba", "97580e32bf"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t key[32], sample[16], mask[5];
        unhex(rows[i].key, key, sizeof key);
        unhex(rows[i].sample, sample, sizeof sample);
        quire_hp hp;
        assert_int_equal(quire_hp_init(&hp, rows[i].alg, key), 0);
        /* Twice: the context must not carry state from one mask to the next. */
        for (int rep = 0; rep < 2; rep++) {
            assert_int_equal(quire_hp_mask(&hp, sample, mask), 0);
            assert_hex(mask, sizeof mask, rows[i].mask);
        }
        quire_hp_free(&hp);
    }
    /* AES-256 header protection is AES-256-ECB: differs from the AES-128 mask of the same
     * first 16 key bytes. */
    uint8_t k32[32] = {0}, sample[16] = {0}, m128[5], m256[5];
    quire_hp h128, h256;
    assert_int_equal(quire_hp_init(&h128, QUIRE_AEAD_AES_128_GCM, k32), 0);
    assert_int_equal(quire_hp_init(&h256, QUIRE_AEAD_AES_256_GCM, k32), 0);
    assert_int_equal(quire_hp_mask(&h128, sample, m128), 0);
    assert_int_equal(quire_hp_mask(&h256, sample, m256), 0);
    /* AES-128(0^128, 0^128) = 66e94bd4ef8a2c3b884cfa59ca342b2e; AES-256 = dc95c078a2408989... */
    assert_hex(m128, 5, "66e94bd4ef");
    assert_hex(m256, 5, "dc95c078a2");
    quire_hp_free(&h128);
    quire_hp_free(&h256);
}

static void test_suites(void **state)
{
    (void)state;
    quire_aead_alg alg;
    quire_hash hash;
    assert_int_equal(quire_crypto_suite(0x1301, &alg, &hash), 0);
    assert_int_equal(alg, QUIRE_AEAD_AES_128_GCM);
    assert_int_equal(hash, QUIRE_HASH_SHA256);
    assert_int_equal(quire_crypto_suite(0x1302, &alg, &hash), 0);
    assert_int_equal(alg, QUIRE_AEAD_AES_256_GCM);
    assert_int_equal(hash, QUIRE_HASH_SHA384);
    assert_int_equal(quire_crypto_suite(0x1303, &alg, &hash), 0);
    assert_int_equal(alg, QUIRE_AEAD_CHACHA20_POLY1305);
    assert_int_equal(quire_crypto_suite(0x1304, &alg, &hash), QUIRE_ERR_UNSUPPORTED);
    assert_int_equal(quire_crypto_suite(0xc02f, &alg, &hash), QUIRE_ERR_UNSUPPORTED);
    assert_string_equal(quire_crypto_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
    assert_null(quire_crypto_suite_name(0x0a0a));
    assert_int_equal(quire_crypto_key_len(QUIRE_AEAD_AES_256_GCM), 32);
    assert_int_equal(quire_crypto_hash_len(QUIRE_HASH_SHA384), 48);
}

static void test_unhex(void **state)
{
    (void)state;
    uint8_t out[4];
    assert_int_equal(quire_crypto_unhex("00fFa9", 6, out, sizeof out), 3);
    assert_int_equal(out[1], 0xff);
    assert_int_equal(out[2], 0xa9);
    assert_int_equal(quire_crypto_unhex("abc", 3, out, sizeof out), QUIRE_ERR_MALFORMED);
    assert_int_equal(quire_crypto_unhex("zz", 2, out, sizeof out), QUIRE_ERR_MALFORMED);
    assert_int_equal(quire_crypto_unhex("0011223344", 10, out, sizeof out), QUIRE_ERR_TRUNCATED);
    assert_int_equal(quire_crypto_unhex("", 0, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hkdf_extract), cmocka_unit_test(test_hkdf_expand_label),
        cmocka_unit_test(test_aead_vectors), cmocka_unit_test(test_hp_masks),
        cmocka_unit_test(test_suites),       cmocka_unit_test(test_unhex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
