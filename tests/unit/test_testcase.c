/* Unit tests for run/testcase: the table's QIR values, lookup by name and abbreviation, list
 * parsing and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "run/testcase.h"
#include "util/err.h"

static void test_table_rows(void **state)
{
    (void)state;
    size_t n;
    const quire_testcase *t = quire_testcase_table(&n);
    assert_true(n >= 2);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_non_null(t[i].abbr);
        assert_non_null(t[i].desc);
        assert_non_null(t[i].check);
        assert_non_null(t[i].testcase_server);
        assert_non_null(t[i].testcase_client);
        assert_true(t[i].timeout_s > 0);
        assert_true(t[i].cert_chain_len >= 1);
        assert_true(quire_testcase_nfiles(&t[i]) > 0);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(t[i].name, t[j].name);
            assert_string_not_equal(t[i].abbr, t[j].abbr);
        }
    }
    /* QIR testcases_quic.py: handshake = one 1 KiB file, transfer = 2 + 3 + 5 MiB, 60 s. */
    const quire_testcase *h = quire_testcase_find("handshake");
    assert_non_null(h);
    assert_string_equal(h->abbr, "H");
    assert_int_equal(quire_testcase_nfiles(h), 1);
    assert_int_equal(quire_testcase_nbytes(h), 1024);
    assert_int_equal(h->timeout_s, 60);
    const quire_testcase *dc = quire_testcase_find("DC");
    assert_non_null(dc);
    assert_string_equal(dc->name, "transfer");
    assert_int_equal(quire_testcase_nfiles(dc), 3);
    assert_int_equal(quire_testcase_nbytes(dc), 10u * 1024 * 1024);
    assert_string_equal(dc->scenario, "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25");
    assert_null(quire_testcase_find("Handshake"));
    assert_null(quire_testcase_find(""));
}

static void test_parse_list(void **state)
{
    (void)state;
    const quire_testcase *out[8];
    size_t n = 0;
    char err[256];
    assert_int_equal(quire_testcase_parse_list("handshake,DC", out, 8, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0]->name, "handshake");
    assert_string_equal(out[1]->name, "transfer");
    /* duplicates (by name and abbreviation) collapse */
    assert_int_equal(quire_testcase_parse_list("H,handshake,H", out, 8, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    /* NULL: everything */
    size_t all;
    quire_testcase_table(&all);
    assert_int_equal(quire_testcase_parse_list(NULL, out, 8, &n, err, sizeof err), 0);
    assert_int_equal(n, all);
    assert_int_equal(quire_testcase_parse_list("handshake,nosuch", out, 8, &n, err, sizeof err),
                     QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(err, "'nosuch'"));
    assert_non_null(strstr(err, "handshake (H)"));
    assert_int_equal(quire_testcase_parse_list("H,,DC", out, 8, &n, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_testcase_parse_list("H,DC", out, 1, &n, err, sizeof err),
                     QUIRE_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_parse_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
