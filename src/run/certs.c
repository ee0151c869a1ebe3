/* Certificate chain generation with libcrypto (see certs.h). Extensions mirror QIR's
 * cert_config.txt (v3_ca: keyUsage=critical,keyCertSign; subjectKeyIdentifier=hash;
 * authorityKeyIdentifier=keyid:always,issuer:always; basicConstraints=critical,CA:TRUE,
 * pathlen:100) for the root and intermediates; the leaf carries only its subjectAltName. */
#include "run/certs.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/err.h"

#define MAX_CHAIN 16

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
    if (!ext) return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* A certificate for key with subject O=org, signed by issuer/issuer_key (self-signed when
 * issuer is NULL). san != NULL makes a leaf; otherwise a CA. */
static X509 *make_cert(EVP_PKEY *key, const char *org, X509 *issuer, EVP_PKEY *issuer_key,
                       const char *san)
{
    X509 *c = X509_new();
    if (!c) return NULL;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) goto fail;
    serial[0] &= 0x7f; /* positive */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn) goto fail;
    int ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) != NULL;
    BN_free(bn);
    if (!ok || X509_set_version(c, 2) != 1) goto fail;
    /* certs.sh: -days 10. Start a minute early so clock skew between steps cannot matter. */
    if (!X509_gmtime_adj(X509_getm_notBefore(c), -60) ||
        !X509_gmtime_adj(X509_getm_notAfter(c), 10L * 24 * 3600))
        goto fail;
    X509_NAME *name = X509_get_subject_name(c);
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1,
                                    0))
        goto fail;
    if (X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name) != 1) goto fail;
    if (X509_set_pubkey(c, key) != 1) goto fail;
    X509 *iss = issuer ? issuer : c;
    if (san) {
        if (add_ext(c, iss, NID_subject_alt_name, san)) goto fail;
    } else {
        if (add_ext(c, iss, NID_key_usage, "critical,keyCertSign") ||
            add_ext(c, iss, NID_subject_key_identifier, "hash") ||
            add_ext(c, iss, NID_authority_key_identifier, "keyid:always,issuer:always") ||
            add_ext(c, iss, NID_basic_constraints, "critical,CA:TRUE,pathlen:100"))
            goto fail;
    }
    if (X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) <= 0) goto fail;
    return c;
fail:
    X509_free(c);
    return NULL;
}

static int write_pem(const char *dir, const char *file, X509 *const *certs, size_t n, EVP_PKEY *key)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    BIO *f = BIO_new_file(path, "w");
    if (!f) return QUIRE_ERR_IO;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++)
        ok = PEM_write_bio_X509(f, certs[i]) == 1;
    /* certs.sh's key comes from `openssl ecparam -genkey`: the traditional EC key format. */
    if (key && ok)
        ok = PEM_write_bio_PrivateKey_traditional(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (BIO_flush(f) != 1) ok = 0;
    BIO_free(f);
    return ok ? 0 : QUIRE_ERR_IO;
}

int quire_certs_generate(const char *dir, unsigned chain_len)
{
    if (chain_len == 0 || chain_len > MAX_CHAIN) return QUIRE_ERR_INVALID;
    EVP_PKEY *keys[MAX_CHAIN + 1] = {0};
    X509 *certs[MAX_CHAIN + 1] = {0};
    char san[8192] = "DNS:server,DNS:server4,DNS:server6,DNS:server46,IP:198.19.0.100,"
                     "IP:2001:2:0:2::100";
    int rc = QUIRE_ERR_CRYPTO;
    if (chain_len != 1) {
        static const char alnum[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 20; i++) {
            unsigned char r[250];
            char name[256];
            if (RAND_bytes(r, sizeof r) != 1) goto out;
            for (size_t j = 0; j < sizeof r; j++)
                name[j] = alnum[r[j] % (sizeof alnum - 1)];
            name[sizeof r] = 0;
            size_t off = strlen(san);
            snprintf(san + off, sizeof san - off, ",DNS:%s", name);
        }
    }
    for (unsigned i = 0; i <= chain_len; i++) {
        keys[i] = EVP_EC_gen("P-256");
        if (!keys[i]) goto out;
        char org[96];
        if (i == 0)
            snprintf(org, sizeof org, "interop runner Root Certificate Authority");
        else if (i == chain_len)
            snprintf(org, sizeof org, "interop runner leaf");
        else
            snprintf(org, sizeof org, "interop runner intermediate %u", i);
        certs[i] = make_cert(keys[i], org, i ? certs[i - 1] : NULL, i ? keys[i - 1] : NULL,
                             i == chain_len ? san : NULL);
        if (!certs[i]) goto out;
    }
    X509 *chain[MAX_CHAIN];
    for (unsigned i = 0; i < chain_len; i++)
        chain[i] = certs[chain_len - i];
    if ((rc = write_pem(dir, "cert.pem", chain, chain_len, NULL)) ||
        (rc = write_pem(dir, "ca.pem", &certs[0], 1, NULL)) ||
        (rc = write_pem(dir, "priv.key", NULL, 0, keys[chain_len])))
        goto out;
    rc = 0;
out:
    for (unsigned i = 0; i <= chain_len; i++) {
        X509_free(certs[i]);
        EVP_PKEY_free(keys[i]);
    }
    return rc;
}
