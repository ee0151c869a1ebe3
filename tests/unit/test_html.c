/* Unit tests for report/html: the page is self-contained (no external resources), every
 * string from the result file is escaped, log links are relative and cannot become a scheme,
 * only web URLs become implementation links, failures list their explanations, and a
 * 20 x 20 x 25 matrix stays small and quick to render. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/html.h"
#include "report/result.h"
#include "util/err.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Nothing in the page may load from elsewhere: no src=, no <link>, no url(), no @import, and
 * the only absolute links are the implementations' web pages given in the result. */
static void assert_self_contained(const char *s, size_t allowed_http_links)
{
    assert_null(strstr(s, "src="));
    assert_null(strstr(s, "<link"));
    assert_null(strstr(s, "url("));
    assert_null(strstr(s, "@import"));
    assert_null(strstr(s, "fetch("));
    assert_null(strstr(s, "XMLHttpRequest"));
    assert_int_equal(count(s, "href=\"http"), allowed_http_links);
    assert_int_equal(count(s, "<script>"), 1);
}

static void test_escaping_links_failures(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_int_equal(quire_result_set_log_dir(&r, "logs_2026-04-01T00:00"), 0);
    assert_true(quire_result_add_server(&r, "<script>alert(1)</script>", "javascript:alert(1)") >=
                0);
    assert_true(quire_result_add_server(&r, "quic-go",
                                        "https://github.com/quic-go/quic-go?a=1&b=\"2\"") >= 0);
    assert_true(quire_result_add_client(&r, "ngtcp2", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake",
                                      "Handshake <completes>.", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "Z", "zerortt", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps") >=
                0);
    assert_int_equal(quire_result_set(&r, "quic-go", "ngtcp2", "H", QUIRE_VERDICT_FAILED,
                                      "client exited with 1 & \"no\" <ALPN>", 3,
                                      "quic-go_ngtcp2/handshake"),
                     0);
    assert_int_equal(
        quire_result_set(&r, "quic-go", "ngtcp2", "Z", QUIRE_VERDICT_UNSUPPORTED, NULL, 0, NULL),
        0);
    assert_int_equal(quire_result_set(&r, "<script>alert(1)</script>", "ngtcp2", "Z",
                                      QUIRE_VERDICT_SUCCEEDED, NULL, 1, "dir with space/zerortt"),
                     0);
    const double v[] = {9000, 9200};
    assert_int_equal(quire_result_set_measurement(&r, "quic-go", "ngtcp2", "G",
                                                  QUIRE_VERDICT_SUCCEEDED, v, 2, NULL, 1, NULL),
                     0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_html_write(&r, NULL, &b), 0);
    const char *s = quire_buf_str(&b);
    assert_self_contained(s, 2); /* quic-go's page, in the header of both matrices */
    assert_null(strstr(s, "<script>alert"));
    assert_null(strstr(s, "javascript:"));
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(
        strstr(s, "href=\"https://github.com/quic-go/quic-go?a=1&amp;b=&quot;2&quot;\""));
    /* the failure: its explanation, escaped, in the badge title and the failure table */
    assert_int_equal(count(s, "client exited with 1 &amp; &quot;no&quot; &lt;ALPN&gt;"), 2);
    assert_non_null(strstr(s, "<table class=\"fl\" id=\"failures\">"));
    /* log links: relative, ':' of the first segment encoded, spaces encoded */
    assert_non_null(strstr(s, "href=\"logs_2026-04-01T00%3A00/quic-go_ngtcp2/handshake\""));
    assert_non_null(strstr(s, "href=\"logs_2026-04-01T00%3A00/dir%20with%20space/zerortt\""));
    /* unsupported badges link nowhere; the measurement shows mean ± stdev */
    assert_non_null(strstr(s, "<span class=\"b u t1\" title=\"zerortt: unsupported\">Z</span>"));
    assert_non_null(strstr(s, "G: 9100 &plusmn; 141 kbps"));
    size_t grey = count(s, "<span class=\"b lg\">");
    /* a failure that QIR's auto-unsupported rule marked "?" is in the failure table, grey */
    assert_int_equal(quire_result_set(&r, "quic-go", "ngtcp2", "Z", QUIRE_VERDICT_UNSUPPORTED,
                                      "boom" QUIRE_RESULT_RULE_MARK "servers", 2,
                                      "quic-go_ngtcp2/zerortt"),
                     0);
    quire_buf_reset(&b);
    assert_int_equal(quire_html_write(&r, NULL, &b), 0);
    s = quire_buf_str(&b);
    assert_non_null(strstr(s, "<span class=\"b lg\">Z</span> zerortt</td><td class=\"e\">boom; "
                              "marked unsupported: failed against all servers</td>"));
    assert_int_equal(count(s, "<span class=\"b lg\">"), grey + 1);
    /* a different logs base */
    quire_html_options o = {"My run", "../run1"};
    quire_buf_reset(&b);
    assert_int_equal(quire_html_write(&r, &o, &b), 0);
    s = quire_buf_str(&b);
    assert_non_null(strstr(s, "<title>My run</title>"));
    assert_non_null(strstr(s, "href=\"../run1/quic-go_ngtcp2/handshake\""));
    quire_buf_free(&b);
    quire_result_free(&r);
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

static void test_large_matrix(void **state)
{
    (void)state;
    enum { N = 20, T = 25 };
    quire_result r;
    char name[64];
    quire_result_init(&r);
    assert_int_equal(quire_result_set_log_dir(&r, "logs"), 0);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "implementation-%02d", i);
        assert_int_equal(quire_result_add_server(&r, name, "https://example.org/impl"), i);
        assert_int_equal(quire_result_add_client(&r, name, NULL), i);
    }
    for (int t = 0; t < T; t++) {
        snprintf(name, sizeof name, "T%d", t);
        assert_int_equal(quire_result_add_test(&r,
                                               t < T - 2 ? QUIRE_TEST_CASE : QUIRE_TEST_MEASUREMENT,
                                               name, name, "a test", "kbps"),
                         t);
    }
    uint32_t x = 1;
    size_t failed = 0;
    for (int s = 0; s < N; s++)
        for (int c = 0; c < N; c++)
            for (int t = 0; t < T; t++) {
                quire_verdict v = (quire_verdict)(1 + lcg(&x) % 3);
                failed += v == QUIRE_VERDICT_FAILED;
                snprintf(name, sizeof name, "T%d", t);
                const double vals[] = {(double)(lcg(&x) % 10000), (double)(lcg(&x) % 10000)};
                int rv =
                    t < T - 2
                        ? quire_result_set(&r, r.servers[s].name, r.clients[c].name, name, v,
                                           "the client did not download 1 of 2 files", 1, NULL)
                        : quire_result_set_measurement(&r, r.servers[s].name, r.clients[c].name,
                                                       name, v, vals, 2, "timeout", 1, NULL);
                assert_int_equal(rv, 0);
            }
    quire_buf b;
    quire_buf_init(&b);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(quire_html_write(&r, NULL, &b), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    const char *s = quire_buf_str(&b);
    print_message("20 x 20 x 25 matrix: %zu bytes of HTML in %.1f ms\n", b.len, ms);
    assert_self_contained(s, 2 * N); /* each server's page, in both matrices */
    /* one badge per (pair, test), and one failure row per failed test */
    assert_int_equal(count(s, "class=\"b ok t") + count(s, "class=\"b f t") +
                         count(s, "class=\"b u t"),
                     (size_t)N * N * T);
    assert_int_equal(count(s, "<tr class=\"s"), failed);
    assert_true(b.len < 6u * 1024 * 1024);
    quire_buf_free(&b);
    quire_result_free(&r);
}

/* A start time no calendar holds (a hostile file's 1e100) is printed as a number, not cast. */
static void test_absurd_time(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    r.start_time = 1e100;
    r.end_time = 1e300;
    assert_true(quire_result_add_server(&r, "s", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_html_write(&r, NULL, &b), 0);
    assert_non_null(strstr(quire_buf_str(&b), "1e+100"));
    quire_buf_free(&b);
    quire_result_free(&r);
}

/* quire run --probe: a probe table with one badge per probed server, linked to its logs. */
static void test_probe_table(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "s1", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "s2", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_int_equal(quire_result_set_log_dir(&r, "logs"), 0);
    quire_result_probe bad = {.verdict = QUIRE_VERDICT_FAILED, .passed = 50, .failed = 7,
                              .explanation = "7 <cases>", .duration = 2,
                              .log = "s1_quire-probe/probe"};
    assert_int_equal(quire_result_set_probe(&r, "s1", &bad), 0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_html_write(&r, NULL, &b), 0);
    const char *s = quire_buf_str(&b);
    assert_non_null(strstr(s, "<table class=\"m\" id=\"probe\">"));
    assert_non_null(strstr(s, "<a class=\"b f\" href=\"logs/s1_quire-probe/probe\" "
                              "title=\"probe: failed &ndash; 7 &lt;cases&gt;\">PR 50/57</a>"));
    assert_int_equal(count(s, ">PR"), 1);
    assert_self_contained(s, 0);
    quire_buf_free(&b);
    quire_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_table),
        cmocka_unit_test(test_absurd_time),
        cmocka_unit_test(test_escaping_links_failures),
        cmocka_unit_test(test_large_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
