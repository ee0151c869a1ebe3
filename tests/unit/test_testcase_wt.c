/* Unit tests for run/testcase_wt: QIR's WebTransport names, abbreviations, TESTCASE values,
 * file sizes, list parsing and the shared-protocol rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "run/testcase_wt.h"
#include "util/err.h"

static void test_table(void **state)
{
    (void)state;
    size_t n;
    const quire_wt_testcase *t = quire_wt_table(&n);
    static const char *const abbr[] = {"H", "UR", "US", "BR", "BS", "DR", "DS"};
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(t[i].abbr, abbr[i]);
    assert_string_equal(t[0].name, "handshake");
    assert_string_equal(t[1].name, "transfer-unidirectional-receive");
    assert_string_equal(t[6].name, "transfer-datagram-send");
    assert_ptr_equal(quire_wt_find("BS"), &t[4]);
    assert_null(quire_wt_find("transfer"));
    assert_null(quire_wt_find("h"));
}

static void test_testname_and_files(void **state)
{
    (void)state;
    const quire_wt_testcase *ur = quire_wt_find("UR"), *ds = quire_wt_find("DS");
    const quire_wt_testcase *h = quire_wt_find("H");
    assert_string_equal(quire_wt_testname(ur, 1), "transfer-unidirectional-receive");
    assert_string_equal(quire_wt_testname(ur, 0), "transfer");
    assert_string_equal(quire_wt_testname(ds, 0), "transfer-datagram-send");
    assert_string_equal(quire_wt_testname(ds, 1), "transfer");
    assert_string_equal(quire_wt_testname(h, 0), "handshake");
    assert_true(quire_wt_server_sends(ur));
    assert_false(quire_wt_server_sends(ds));
    assert_int_equal(quire_wt_nfiles(h), 0);
    assert_int_equal(quire_wt_nfiles(ur), 5);
    assert_int_equal(quire_wt_file_size(ur, 0), 100 * 1024);
    assert_int_equal(quire_wt_file_size(ur, 4), 2 * 1024 * 1024);
    assert_int_equal(quire_wt_file_size(ur, 5), 0);
    assert_int_equal(quire_wt_nfiles(ds), 200);
    assert_int_equal(quire_wt_file_size(ds, 0), 600);
    assert_int_equal(quire_wt_file_size(ds, 199), 998);
}

static void test_parse_list(void **state)
{
    (void)state;
    const quire_wt_testcase *out[16];
    size_t n;
    char err[1024];
    assert_int_equal(quire_wt_parse_list(NULL, out, 16, &n, err, sizeof err), 0);
    assert_int_equal(n, 7);
    assert_int_equal(quire_wt_parse_list("onlyMeasurements", out, 16, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(quire_wt_parse_list("H,UR,handshake", out, 16, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(quire_wt_parse_list("H,retry", out, 16, &n, err, sizeof err),
                     QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(err, "retry"));
    assert_int_equal(quire_wt_parse_list("H,,UR", out, 16, &n, err, sizeof err),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_wt_parse_list(NULL, out, 3, &n, err, sizeof err), QUIRE_ERR_INVALID);
}

static void test_common_protocol(void **state)
{
    (void)state;
    char p[64];
    /* the client's first protocol that the server also lists, not the server's first */
    assert_int_equal(quire_wt_common_protocol("a b c d", "x d y b", p, sizeof p), 1);
    assert_string_equal(p, "b");
    assert_int_equal(quire_wt_common_protocol("a b", "x y", p, sizeof p), 0);
    assert_string_equal(p, "");
    /* whole words only: "ab" is not "a" */
    assert_int_equal(quire_wt_common_protocol("a", "ab", p, sizeof p), 0);
    assert_int_equal(quire_wt_common_protocol("  proto ", "proto", p, sizeof p), 1);
    assert_string_equal(p, "proto");
    assert_int_equal(quire_wt_common_protocol("", "a", p, sizeof p), 0);
    assert_int_equal(quire_wt_common_protocol("longname", "longname", p, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_testname_and_files),
        cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_common_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
