/* Unit tests for report/markdown: QIR's tables for a QIR-shaped result file equal what the
 * QUIC Interop Runner's own table library (prettytable, MARKDOWN style) prints for it
 * (tests/data/results/qir_3x2.tables.md, made by prettytable_ref.py), names cannot break the
 * table, and the failure list carries explanations and log paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/markdown.h"
#include "report/result.h"
#include "util/err.h"

static char *slurp(const char *name)
{
    char path[4096];
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/results/%s", dir ? dir : QUIRE_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void test_tables_match_prettytable(void **state)
{
    (void)state;
    char path[4096], err[512];
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/results/qir_3x2.json", dir ? dir : QUIRE_SOURCE_DIR);
    quire_result r;
    quire_result_init(&r);
    assert_int_equal(quire_result_load(path, &r, err, sizeof err), 0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_markdown_write_tables(&r, &b), 0);
    assert_string_equal(quire_buf_str(&b), slurp("qir_3x2.tables.md"));
    /* the full report is the tables and then the failures */
    quire_buf full;
    quire_buf_init(&full);
    assert_int_equal(quire_markdown_write(&r, &full), 0);
    assert_memory_equal(full.data, b.data, b.len);
    assert_non_null(strstr(quire_buf_str(&full) + b.len,
                           "\n### Failed tests\n\n- quic-go (server) / ngtcp2 "
                           "(client): **E** ecn: no explanation recorded "
                           "([log](logs_2026-04-01T00:00/quic-go_ngtcp2/ecn))\n"));
    quire_buf_free(&full);
    quire_buf_free(&b);
    quire_result_free(&r);
}

static void test_escaping_and_failures(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "a|b", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL) >= 0);
    assert_int_equal(quire_result_set(&r, "a|b", "c", "DC", QUIRE_VERDICT_FAILED,
                                      "got 3 of 5 files | line\nbreak", 2, "x/y"),
                     0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_markdown_write(&r, &b), 0);
    const char *s = quire_buf_str(&b);
    /* 2 columns of the header: the pipe in the name is escaped, and every row has 3 pipes */
    assert_non_null(strstr(s, "a\\|b"));
    assert_non_null(strstr(s, "\u2713()<br>?()<br>\u2715(DC)"));
    assert_non_null(strstr(s, "**DC** transfer: got 3 of 5 files \\| line break ([log](x/y))\n"));
    assert_null(strstr(s, "Measurement")); /* no measurements: no second table */
    assert_null(strstr(s, "QIR's rule"));  /* no failure hidden by the auto-unsupported rule */
    for (const char *line = s; *line && line[0] == '|'; line = strchr(line, '\n') + 1) {
        int pipes = 0;
        for (const char *p = line; *p != '\n'; p++)
            pipes += *p == '|' && (p == line || p[-1] != '\\');
        assert_int_equal(pipes, 3);
    }
    quire_buf_free(&b);
    quire_result_free(&r);
}

/* Failures that QIR's auto-unsupported rule turned into "unsupported" get their own list; a
 * plain 127 does not appear in it. */
static void test_rule_failures_listed(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "s", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "BP", "rebind-port", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "E", "ecn", NULL, NULL) >= 0);
    assert_int_equal(quire_result_set(&r, "s", "c", "BP", QUIRE_VERDICT_UNSUPPORTED,
                                      "client exit code 1; marked unsupported: failed against "
                                      "all clients",
                                      31, "s_c/rebind-port"),
                     0);
    assert_int_equal(quire_result_set(&r, "s", "c", "E", QUIRE_VERDICT_UNSUPPORTED,
                                      "server does not support the test case (exit code 127)", 0,
                                      NULL),
                     0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_markdown_write(&r, &b), 0);
    const char *s = quire_buf_str(&b);
    assert_null(strstr(s, "### Failed tests"));
    assert_non_null(strstr(s, "### Failures marked unsupported by QIR's rule (failed against every "
                              "peer)\n\n- s (server) / c (client): **BP** rebind-port: client "
                              "exit code 1; marked unsupported: failed against all clients "
                              "([log](s_c/rebind-port))\n"));
    assert_null(strstr(s, "**E**"));
    quire_buf_free(&b);
    quire_result_free(&r);
}

/* Results taken on an overloaded machine are listed with their load, whatever the verdict;
 * a failure's line says so too. */
static void test_overloaded_listed(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "s", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "DC", "transfer", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "L1", "handshakeloss", NULL, NULL) >= 0);
    quire_result_set(&r, "s", "c", "H", QUIRE_VERDICT_SUCCEEDED, NULL, 1, "s_c/handshake");
    quire_result_set(&r, "s", "c", "DC", QUIRE_VERDICT_FAILED, "timeout", 60, "s_c/transfer");
    quire_result_set(&r, "s", "c", "L1", QUIRE_VERDICT_SUCCEEDED, NULL, 30, "s_c/handshakeloss");
    quire_result_set_load(&r, "s", "c", "H", 0.60);
    quire_result_set_load(&r, "s", "c", "DC", 0.30);
    quire_result_set_load(&r, "s", "c", "L1", 0.10); /* not overloaded */
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_markdown_write(&r, &b), 0);
    const char *s = quire_buf_str(&b);
    assert_non_null(strstr(s, "**DC** transfer: timeout (taken on an overloaded machine: CPU "
                              "pressure 30 %) ([log](s_c/transfer))\n"));
    const char *ov = strstr(s, "### Taken on an overloaded machine (CPU pressure above 25 %");
    assert_non_null(ov);
    assert_non_null(strstr(ov, "**H** handshake: no explanation recorded (taken on an overloaded "
                               "machine: CPU pressure 60 %)"));
    assert_non_null(strstr(ov, "**DC**"));
    assert_null(strstr(s, "**L1**"));
    quire_buf_free(&b);
    quire_result_free(&r);
}

static void test_measurement_cells(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "s", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_MEASUREMENT, "G", "goodput", NULL, "kbps") >=
                0);
    assert_true(
        quire_result_add_test(&r, QUIRE_TEST_MEASUREMENT, "C", "crosstraffic", NULL, "kbps") >= 0);
    const double v[] = {100, 200};
    assert_int_equal(quire_result_set_measurement(&r, "s", "c", "G", QUIRE_VERDICT_SUCCEEDED, v, 2,
                                                  NULL, 1, NULL),
                     0);
    assert_int_equal(quire_result_set_measurement(&r, "s", "c", "C", QUIRE_VERDICT_UNSUPPORTED,
                                                  NULL, 0, NULL, 1, NULL),
                     0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_markdown_write(&r, &b), 0);
    /* mean 150, stdev sqrt(5000) = 70.7 -> "71"; the table is prettytable's output for
     * field_names ["", "s"] and the row ["c", "G: 150 (± 71) kbps<br>C"] */
    assert_string_equal(quire_buf_str(&b), "|     |            s            |\n"
                                           "| :-: | :---------------------: |\n"
                                           "|  c  | G: 150 (\u00b1 71) kbps<br>C |\n");
    quire_buf_free(&b);
    quire_result_free(&r);
}

/* quire run --probe: a one-row table under the servers, a line per server whose probe failed,
 * nothing for a result without probes (the other tests here). */
static void test_probe_section(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "aioquic", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "ngtcp2", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "quinn", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "c", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_int_equal(quire_result_set_log_dir(&r, "logs"), 0);
    quire_result_probe ok = {.verdict = QUIRE_VERDICT_SUCCEEDED, .passed = 55,
                             .not_applicable = 2, .duration = 30};
    quire_result_probe bad = {.verdict = QUIRE_VERDICT_FAILED, .passed = 50, .failed = 7,
                              .explanation = "7 of 57 cases failed: a|b", .duration = 30,
                              .log = "ngtcp2_quire-probe/probe"};
    assert_int_equal(quire_result_set_probe(&r, "aioquic", &ok), 0);
    assert_int_equal(quire_result_set_probe(&r, "ngtcp2", &bad), 0);
    quire_buf b;
    quire_buf_init(&b);
    assert_int_equal(quire_markdown_write(&r, &b), 0);
    const char *s = quire_buf_str(&b);
    const char *t = strstr(s, "### Probe");
    assert_non_null(t);
    assert_non_null(strstr(t, "| quire-probe | ✓ 55/57 | ✕ 50/57 |"));
    assert_non_null(strstr(t, "- ngtcp2 (server): 7 of 57 cases failed: a\\|b "
                              "([log](logs/ngtcp2_quire-probe/probe))\n"));
    assert_null(strstr(t, "- aioquic"));
    assert_null(strstr(t, "- quinn")); /* no probe asked for: an empty cell */
    quire_buf_free(&b);
    quire_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_match_prettytable),
        cmocka_unit_test(test_escaping_and_failures),
        cmocka_unit_test(test_rule_failures_listed),
        cmocka_unit_test(test_measurement_cells),
        cmocka_unit_test(test_overloaded_listed),
        cmocka_unit_test(test_probe_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
