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
        assert_non_null(t[i].judge);
        assert_non_null(t[i].testcase_server);
        assert_non_null(t[i].testcase_client);
        assert_true(t[i].timeout_s > 0);
        assert_true(t[i].cert_chain_len >= 1);
        /* QIR's versionnegotiation requests the server's root, no file */
        assert_true(quire_testcase_nfiles(&t[i]) > 0 || !strcmp(t[i].name, "versionnegotiation"));
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(t[i].name, t[j].name);
            assert_string_not_equal(t[i].abbr, t[j].abbr);
        }
    }
    /* rows whose QIR check is another test case's share its judge (no alias judges) */
    static const struct {
        const char *name;
        quire_judge_fn judge;
    } shared[] = {
        {"http3", quire_judge_transfer},         {"blackhole", quire_judge_transfer},
        {"transferloss", quire_judge_transfer},  {"transfercorruption", quire_judge_transfer},
        {"handshakecorruption", quire_judge_handshakeloss}, {"crosstraffic", quire_judge_goodput},
        {"handshake", quire_judge_handshake},    {"ecn", quire_judge_ecn},
    };
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        const quire_testcase *r = quire_testcase_find(shared[i].name);
        assert_non_null(r);
        assert_ptr_equal(r->judge, shared[i].judge);
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
    /* every QIR test case and measurement, with QIR's values */
    assert_int_equal(n, 25);
    const quire_testcase *z = quire_testcase_find("Z");
    assert_int_equal(quire_testcase_nfiles(z), 40);
    assert_int_equal(quire_testcase_nbytes(z), 40 * 32);
    assert_int_equal(z->name_len, 250);
    const quire_testcase *a = quire_testcase_find("amplificationlimit");
    assert_int_equal(a->cert_chain_len, 9);
    assert_string_equal(a->testcase_server, "transfer");
    assert_non_null(strstr(a->scenario, "--drops_to_server=2,3,4,5,6,7"));
    const quire_testcase *l1 = quire_testcase_find("L1");
    assert_int_equal(l1->timeout_s, 300);
    assert_int_equal(quire_testcase_nfiles(l1), 50);
    assert_string_equal(l1->testcase_client, "multiconnect");
    const quire_testcase *u = quire_testcase_find("U");
    assert_string_equal(u->testcase_client, "keyupdate");
    assert_string_equal(u->testcase_server, "transfer");
    const quire_testcase *cm = quire_testcase_find("CM");
    assert_string_equal(cm->testcase_server, "connectionmigration");
    assert_string_equal(cm->testcase_client, "transfer");
    assert_string_equal(cm->host, "server46");
    assert_string_equal(quire_testcase_find("6")->host, "server6");
    assert_ptr_equal(quire_testcase_find("portrebinding"), quire_testcase_find("BP"));
    assert_ptr_equal(quire_testcase_find("addressrebinding"), quire_testcase_find("rebind-addr"));
    assert_int_equal(quire_testcase_nfiles(quire_testcase_find("M")), 1999);
    const quire_testcase *g = quire_testcase_find("G");
    assert_int_equal(g->repetitions, 5);
    assert_string_equal(g->unit, "kbps");
    assert_int_equal(quire_testcase_nbytes(g), 10u * 1024 * 1024);
    const quire_testcase *c = quire_testcase_find("crosstraffic");
    assert_int_equal(c->timeout_s, 180);
    assert_int_equal(quire_testcase_nbytes(c), 25u * 1024 * 1024);
    assert_int_equal(quire_testcase_find("H")->repetitions, 0);
    assert_null(quire_testcase_find(""));
}

static void test_parse_list(void **state)
{
    (void)state;
    const quire_testcase *out[32];
    size_t n = 0;
    char err[256];
    assert_int_equal(quire_testcase_parse_list("handshake,DC", out, 8, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0]->name, "handshake");
    assert_string_equal(out[1]->name, "transfer");
    /* duplicates (by name and abbreviation) collapse */
    assert_int_equal(quire_testcase_parse_list("H,handshake,H", out, 8, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    /* NULL: QIR's default, everything but versionnegotiation (not in TESTCASES_QUIC) */
    size_t all, tests = 0, meas = 0;
    const quire_testcase *table = quire_testcase_table(&all);
    for (size_t i = 0; i < all; i++)
        if (strcmp(table[i].name, "versionnegotiation")) 
            *(table[i].repetitions ? &meas : &tests) += 1;
    assert_int_equal(quire_testcase_parse_list(NULL, out, 32, &n, err, sizeof err), 0);
    assert_int_equal(n, all - 1);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(out[i]->name, "versionnegotiation");
    /* still runnable by name and abbreviation */
    assert_int_equal(
        quire_testcase_parse_list("versionnegotiation", out, 8, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(quire_testcase_parse_list("V", out, 8, &n, err, sizeof err), 0);
    assert_string_equal(out[0]->name, "versionnegotiation");
    /* run.py's onlyTests / onlyMeasurements, and "" for nothing */
    assert_int_equal(quire_testcase_parse_list("onlyTests", out, 32, &n, err, sizeof err), 0);
    assert_int_equal(n, tests);
    assert_string_equal(out[0]->name, "handshake");
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i]->repetitions, 0);
    assert_int_equal(quire_testcase_parse_list("onlyMeasurements", out, 32, &n, err, sizeof err),
                     0);
    assert_int_equal(n, meas);
    assert_true(meas >= 2);
    for (size_t i = 0; i < n; i++)
        assert_true(out[i]->repetitions > 0);
    assert_int_equal(quire_testcase_parse_list("", out, 32, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
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
