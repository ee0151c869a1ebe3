/* Unit tests for trace/keys: Initial secrets and {key, iv, hp} for QUIC v1 (RFC 9001 A.1), v2
 * (RFC 9369 A.1) and draft-29 (draft-ietf-quic-tls-29 A.1); the ChaCha20-Poly1305 secret of
 * RFC 9001 A.5 / RFC 9369 A.5 with its "ku" next secret; key updates (next generation keeps
 * the hp key, and opens what it sealed while the old generation does not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "trace/keys.h"
#include "util/err.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    int n = quire_crypto_unhex(hex, strlen(hex), out, cap);
    assert_true(n >= 0);
    return (size_t)n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
    uint8_t want[128];
    size_t n = unhex(hex, want, sizeof want);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
}

static const char DCID[] = "8394c8f03e515708";

/* One row per version: expected Initial secrets and derived keys (hex from the RFC texts). */
typedef struct initial_vector {
    uint32_t version;
    const char *client_secret, *client_key, *client_iv, *client_hp;
    const char *server_secret, *server_key, *server_iv, *server_hp;
} initial_vector;

static const initial_vector initial_vectors[] = {
    {QUIRE_QUIC_V1, /* RFC 9001 Appendix A.1 */
     "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
     "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
     "9f50449e04a0e810283a1e9933adedd2",
     "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b",
     "cf3a5331653c364c88f0f379b6067e37", "0ac1493ca1905853b0bba03e",
     "c206b8d9b9f0f37644430b490eeaa314"},
    {QUIRE_QUIC_V2, /* RFC 9369 Appendix A.1 */
     "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
     "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
     "45b95e15235d6f45a6b19cbcb0294ba9",
     "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1",
     "82db637861d55e1d011f19ea71d5d2a7", "dd13c276499c0249d3310652",
     "edf6d05c83121201b436e16877593c3a"},
    {QUIRE_QUIC_DRAFT29, /* draft-ietf-quic-tls-29 Appendix A.1 */
     "0088119288f1d866733ceeed15ff9d50902cf82952eee27e9d4d4918ea371d87",
     "175257a31eb09dea9366d8bb79ad80ba", "6b26114b9cba2b63a9e8dd4f",
     "9ddd12c994c0698b89374a9c077a3077",
     "006f881359244dd9ad1acf85f595bad67c13f9f5586f5e64e1acae1d9ea8f616",
     "149d0b1662ab871fbe63c49b5e655a5d", "bab2b12a4c76016ace47856d",
     "c0c499a65a60024a18a250974ea01dfa"},
};

static void test_initial_keys(void **state)
{
    (void)state;
    uint8_t dcid[8];
    unhex(DCID, dcid, sizeof dcid);
    for (size_t i = 0; i < sizeof initial_vectors / sizeof initial_vectors[0]; i++) {
        const initial_vector *v = &initial_vectors[i];
        uint8_t cs[32], ss[32];
        assert_int_equal(quire_keys_initial_secrets(v->version, dcid, sizeof dcid, cs, ss), 0);
        assert_hex(cs, sizeof cs, v->client_secret);
        assert_hex(ss, sizeof ss, v->server_secret);

        quire_key_material m;
        assert_int_equal(quire_keys_derive(&m, v->version, QUIRE_AEAD_AES_128_GCM, cs, 32), 0);
        assert_hex(m.key, m.key_len, v->client_key);
        assert_hex(m.iv, sizeof m.iv, v->client_iv);
        assert_hex(m.hp, m.key_len, v->client_hp);
        assert_int_equal(quire_keys_derive(&m, v->version, QUIRE_AEAD_AES_128_GCM, ss, 32), 0);
        assert_hex(m.key, m.key_len, v->server_key);
        assert_hex(m.iv, sizeof m.iv, v->server_iv);
        assert_hex(m.hp, m.key_len, v->server_hp);

        /* The ready-to-use form keeps the secret and the hp key. */
        quire_keys c, s;
        assert_int_equal(quire_keys_init_initial(&c, &s, v->version, dcid, sizeof dcid), 0);
        assert_hex(c.secret, c.secret_len, v->client_secret);
        assert_hex(s.hp_key, 16, v->server_hp);
        assert_int_equal(c.alg, QUIRE_AEAD_AES_128_GCM);
        quire_keys_free(&c);
        quire_keys_free(&s);
    }
}

/* RFC 9001 A.5 and RFC 9369 A.5: one secret, ChaCha20-Poly1305, both label sets. */
static void test_chacha_secret(void **state)
{
    (void)state;
    static const struct {
        uint32_t version;
        const char *key, *iv, *hp, *ku;
    } rows[] = {
        {QUIRE_QUIC_V1, "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8",
         "e0459b3474bdd0e44a41c144",
         "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4",
         "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9"},
        {QUIRE_QUIC_V2, "3bfcddd72bcf02541d7fa0dd1f5f9eeea817e09a6963a0e6c7df0f9a1bab90f2",
         "a6b5bc6ab7dafce30ffff5dd",
         "d659760d2ba434a226fd37b35c69e2da8211d10c4f12538787d65645d5d1b8e2",
         "c69374c49e3d2a9466fa689e49d476db5d0dfbc87d32ceeaa6343fd0ae4c7d88"},
    };
    uint8_t secret[32];
    unhex("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b", secret,
          sizeof secret);
    for (size_t i = 0; i < 2; i++) {
        quire_key_material m;
        assert_int_equal(
            quire_keys_derive(&m, rows[i].version, QUIRE_AEAD_CHACHA20_POLY1305, secret, 32), 0);
        assert_hex(m.key, m.key_len, rows[i].key);
        assert_hex(m.iv, sizeof m.iv, rows[i].iv);
        assert_hex(m.hp, m.key_len, rows[i].hp);
        uint8_t ku[32];
        assert_int_equal(quire_keys_next_secret(rows[i].version, QUIRE_HASH_SHA256, secret, 32, ku),
                         0);
        assert_hex(ku, sizeof ku, rows[i].ku);
    }
}

static void test_key_update(void **state)
{
    (void)state;
    static const quire_aead_alg algs[] = {QUIRE_AEAD_AES_128_GCM, QUIRE_AEAD_AES_256_GCM,
                                          QUIRE_AEAD_CHACHA20_POLY1305};
    static const uint32_t vers[] = {QUIRE_QUIC_V1, QUIRE_QUIC_V2};
    for (size_t a = 0; a < 3; a++) {
        for (size_t v = 0; v < 2; v++) {
            uint8_t secret[48];
            size_t slen = algs[a] == QUIRE_AEAD_AES_256_GCM ? 48 : 32;
            for (size_t i = 0; i < slen; i++)
                secret[i] = (uint8_t)(i * 7 + a + v);
            quire_keys k0, k1, k2;
            assert_int_equal(quire_keys_init(&k0, vers[v], algs[a], secret, slen), 0);
            assert_int_equal(quire_keys_update(&k1, &k0), 0);
            assert_int_equal(quire_keys_update(&k2, &k1), 0);
            assert_int_equal(k1.generation, 1);
            assert_int_equal(k2.generation, 2);
            /* RFC 9001 Section 6: the header protection key is not updated. */
            assert_memory_equal(k0.hp_key, k2.hp_key, quire_crypto_key_len(algs[a]));
            assert_memory_not_equal(k0.secret, k1.secret, slen);

            /* The secret chain is the "ku" derivation. */
            uint8_t next[48];
            quire_hash h =
                algs[a] == QUIRE_AEAD_AES_256_GCM ? QUIRE_HASH_SHA384 : QUIRE_HASH_SHA256;
            assert_int_equal(quire_keys_next_secret(vers[v], h, secret, slen, next), 0);
            assert_memory_equal(next, k1.secret, slen);

            /* Generation 1 opens what it sealed; generation 0 does not. */
            uint8_t aad[5] = {0x41, 1, 2, 3, 4}, msg[40], ct[56], pt[56];
            memset(msg, 0x5a, sizeof msg);
            int n = quire_aead_seal(&k1.aead, 77, aad, sizeof aad, msg, sizeof msg, ct);
            assert_int_equal(n, (int)sizeof msg + 16);
            assert_int_equal(quire_aead_open(&k0.aead, 77, aad, sizeof aad, ct, (size_t)n, pt),
                             QUIRE_ERR_CRYPTO);
            assert_int_equal(quire_aead_open(&k1.aead, 77, aad, sizeof aad, ct, (size_t)n, pt),
                             (int)sizeof msg);
            assert_memory_equal(pt, msg, sizeof msg);
            quire_keys_free(&k0);
            quire_keys_free(&k1);
            quire_keys_free(&k2);
        }
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t dcid[21] = {0}, s[32] = {0};
    quire_key_material m;
    quire_keys k;
    assert_int_equal(quire_keys_initial_secrets(0x12345678, dcid, 8, s, NULL),
                     QUIRE_ERR_UNSUPPORTED);
    assert_int_equal(quire_keys_initial_secrets(QUIRE_QUIC_V1, dcid, 21, s, NULL),
                     QUIRE_ERR_INVALID);
    /* A zero-length DCID is valid for HKDF-Extract. */
    assert_int_equal(quire_keys_initial_secrets(QUIRE_QUIC_V1, dcid, 0, s, NULL), 0);
    assert_int_equal(quire_keys_derive(&m, QUIRE_QUIC_V1, QUIRE_AEAD_AES_256_GCM, s, 32),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_keys_init(&k, 0x0a0a0a0a, QUIRE_AEAD_AES_128_GCM, s, 32),
                     QUIRE_ERR_UNSUPPORTED);
    quire_keys_free(&k); /* safe after a failed init */
    assert_true(quire_keys_version_known(QUIRE_QUIC_DRAFT29));
    assert_false(quire_keys_version_known(0xff00001c));
    assert_string_equal(quire_keys_version_name(QUIRE_QUIC_V2), "v2");
    const uint8_t *key, *nonce;
    assert_int_equal(quire_keys_retry_secret(1, &key, &nonce), 0);
    assert_int_equal(key[0], 0xbe);
    assert_int_equal(quire_keys_retry_secret(2, &key, &nonce), QUIRE_ERR_UNSUPPORTED);
}

/* The Retry integrity key and nonce are derived from a published secret (RFC 9001 Section 5.8
 * for v1, RFC 9369 Section 3.3.3 for v2): recompute them and compare with the built-in table. */
static void test_retry_secret(void **state)
{
    (void)state;
    static const struct {
        uint32_t version;
        const char *secret, *key_label, *iv_label;
    } rows[] = {
        {QUIRE_QUIC_V1, "d9c9943e6101fd200021506bcc02814c73030f25c79d71ce876eca876e6fca8e",
         "quic key", "quic iv"},
        {QUIRE_QUIC_V2, "c4dd2484d681aefa4ff4d69c2c20299984a765a5d3c31982f38fc74162155e9f",
         "quicv2 key", "quicv2 iv"},
    };
    for (size_t i = 0; i < 2; i++) {
        uint8_t secret[32], key[16], iv[12];
        unhex(rows[i].secret, secret, sizeof secret);
        assert_int_equal(quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, secret, 32,
                                                        rows[i].key_label, NULL, 0, key, 16),
                         0);
        assert_int_equal(quire_crypto_hkdf_expand_label(QUIRE_HASH_SHA256, secret, 32,
                                                        rows[i].iv_label, NULL, 0, iv, 12),
                         0);
        const uint8_t *tkey, *tnonce;
        assert_int_equal(quire_keys_retry_secret(rows[i].version, &tkey, &tnonce), 0);
        assert_memory_equal(tkey, key, 16);
        assert_memory_equal(tnonce, iv, 12);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_keys), cmocka_unit_test(test_chacha_secret),
        cmocka_unit_test(test_key_update),   cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_retry_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
