/* Unit tests for report/junit: one testsuite per pair and one testcase per (server, client,
 * test), counts that add up, failures carrying the escaped explanation and the log path,
 * skipped for unsupported and not-run tests, measurement values in system-out. (The
 * integration test report_junit.sh validates the XML against tests/data/junit/junit.xsd
 * and reads it back with a JUnit-style parser.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/junit.h"
#include "report/result.h"
#include "util/err.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_structure_and_escaping(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    r.start_time = 1775000000;
    assert_int_equal(quire_result_set_log_dir(&r, "logs"), 0);
    assert_true(quire_result_add_server(&r, "quic-go", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "a&b", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "ngtcp2", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "Z", "zerortt", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps") >=
                0);
    assert_int_equal(quire_result_set(&r, "quic-go", "ngtcp2", "H", QUIRE_VERDICT_FAILED,
                                      "expected <1> \"handshake\" & got 0\x01", 2.5,
                                      "quic-go_ngtcp2/handshake"),
                     0);
    assert_int_equal(
        quire_result_set(&r, "quic-go", "ngtcp2", "Z", QUIRE_VERDICT_UNSUPPORTED, NULL, 0.25, NULL),
        0);
    assert_int_equal(
        quire_result_set(&r, "a&b", "ngtcp2", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, NULL), 0);
    const double v[] = {1000, 3000};
    assert_int_equal(quire_result_set_measurement(&r, "quic-go", "ngtcp2", "G",
                                                  QUIRE_VERDICT_SUCCEEDED, v, 2, NULL, 30, NULL),
                     0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_junit_write(&r, &b), 0);
    const char *s = quire_buf_str(&b);
    const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ";
    assert_int_equal(strncmp(s, head, strlen(head)), 0);
    assert_int_equal(count(s, "<testsuite "), 2);
    assert_int_equal(count(s, "<testcase "), 6);
    /* 1 failure; skipped: Z unsupported + (a&b: Z, G not run) */
    assert_non_null(strstr(
        s, "<testsuites name=\"quire\" tests=\"6\" failures=\"1\" errors=\"0\" skipped=\"3\" "
           "time=\"33.750\">"));
    assert_non_null(strstr(
        s, "<testsuite name=\"quire.quic-go_ngtcp2\" tests=\"3\" failures=\"1\" errors=\"0\" "
           "skipped=\"1\" time=\"32.750\" timestamp=\"2026-03-31T23:33:20\">"));
    assert_non_null(strstr(s, "<testsuite name=\"quire.a&amp;b_ngtcp2\""));
    assert_non_null(
        strstr(s, "<failure type=\"failed\" message=\"expected &lt;1&gt; &quot;handshake&quot; "
                  "&amp; got 0\xef\xbf\xbd\">"));
    assert_non_null(strstr(s, "\nlogs: logs/quic-go_ngtcp2/handshake</failure>"));
    assert_non_null(
        strstr(s, "<testcase classname=\"quire.quic-go_ngtcp2\" name=\"zerortt\" time=\"0.250\">\n"
                  "      <skipped message=\"unsupported\"/>"));
    assert_non_null(strstr(
        s, "<testcase classname=\"quire.a&amp;b_ngtcp2\" name=\"handshake\" time=\"1.000\"/>"));
    assert_int_equal(count(s, "<skipped message=\"not run\"/>"), 2);
    assert_non_null(strstr(s, "<system-out>G: 2000 (\u00b1 1414) kbps</system-out>"));
    assert_null(strchr(s, '\x01'));
    quire_buf_free(&b);
    quire_result_free(&r);
}

/* quire run --probe: a suite "quire.probe" with a testcase per probed server, in the totals. */
static void test_probe_suite(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "s1", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "s2", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    quire_result_probe bad = {.verdict = QUIRE_VERDICT_FAILED, .explanation = "1 of 57 <failed>",
                              .duration = 2, .log = "s1_quire-probe/probe"};
    assert_int_equal(quire_result_set_probe(&r, "s1", &bad), 0);
    assert_int_equal(quire_result_add_probe(&r, "s2"), 0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_junit_write(&r, &b), 0);
    const char *s = quire_buf_str(&b);
    assert_non_null(strstr(s, "<testsuites name=\"quire\" tests=\"4\" failures=\"1\" "
                              "errors=\"0\" skipped=\"3\""));
    assert_non_null(strstr(s, "<testsuite name=\"quire.probe\" tests=\"2\" failures=\"1\" "
                              "errors=\"0\" skipped=\"1\""));
    assert_non_null(strstr(s, "classname=\"quire.s1_quire-probe\" name=\"probe\""));
    assert_non_null(strstr(s, "message=\"1 of 57 &lt;failed&gt;\""));
    assert_non_null(strstr(s, "logs: s1_quire-probe/probe</failure>"));
    assert_int_equal(count(s, "<testcase "), 4);
    quire_buf_free(&b);
    quire_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_suite),
        cmocka_unit_test(test_structure_and_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
