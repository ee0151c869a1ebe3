/* Unit tests for run/certs: the chain verifies against ca.pem, the leaf has QIR's names and
 * the server's addresses, the key matches the leaf, longer chains carry intermediates and the
 * inflated SAN list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "run/certs.h"
#include "util/err.h"
#include "tmpdir.h"

static char root[64];

static int setup(void **state)
{
    (void)state;
    return test_tmpdir_make(root, sizeof root, "certs");
}

static int teardown(void **state)
{
    (void)state;
    return test_tmpdir_remove(root);
}

static STACK_OF(X509) * read_chain(const char *file)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", root, file);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
        sk_X509_push(sk, x);
    fclose(f);
    return sk;
}

static void check_chain(unsigned len)
{
    assert_int_equal(quire_certs_generate(root, len), 0);
    STACK_OF(X509) *chain = read_chain("cert.pem");
    STACK_OF(X509) *ca = read_chain("ca.pem");
    assert_int_equal(sk_X509_num(chain), (int)len);
    assert_int_equal(sk_X509_num(ca), 1);

    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, sk_X509_value(ca, 0));
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509 *leaf = sk_X509_value(chain, 0);
    assert_int_equal(X509_STORE_CTX_init(ctx, store, leaf, chain), 1);
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set1_host(vp, "server4", 0);
    if (X509_verify_cert(ctx) != 1)
        fail_msg("chain does not verify: %s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);

    assert_int_equal(X509_check_host(leaf, "server", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(leaf, "server6", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(leaf, "server46", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(leaf, "client", 0, 0, NULL), 0);
    assert_int_equal(X509_check_ip_asc(leaf, "198.19.0.100", 0), 1);
    assert_int_equal(X509_check_ip_asc(leaf, "2001:2:0:2::100", 0), 1);
    GENERAL_NAMES *sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    assert_non_null(sans);
    /* certs.sh: 4 names + (chain > 1) 20 random 250-character names; we add 2 addresses */
    assert_int_equal(sk_GENERAL_NAME_num(sans), len == 1 ? 6 : 26);
    GENERAL_NAMES_free(sans);

    char p[256];
    snprintf(p, sizeof p, "%s/priv.key", root);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(key);
    assert_int_equal(X509_check_private_key(leaf, key), 1);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(ca, X509_free);
    unlink(p);
}

static void test_chain_1(void **state)
{
    (void)state;
    check_chain(1);
}

static void test_chain_3(void **state)
{
    (void)state;
    check_chain(3);
}

static void test_invalid(void **state)
{
    (void)state;
    assert_int_equal(quire_certs_generate(root, 0), QUIRE_ERR_INVALID);
    assert_int_equal(quire_certs_generate(root, 17), QUIRE_ERR_INVALID);
    assert_int_equal(quire_certs_generate("/nonexistent/dir", 1), QUIRE_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_1),
        cmocka_unit_test(test_chain_3),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
