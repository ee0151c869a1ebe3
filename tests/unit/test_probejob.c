/* Unit tests for run/probejob: the probe row and client, the probe's command line, reading
 * quire probe's JSON (a whole file, one cut short by a killed probe, bad files), the verdict of
 * a finished probe test in each of its cases, and the server's probe cell recorded from the
 * test's directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "probe/cases.h"
#include "run/probejob.h"
#include "tmpdir.h"
#include "util/err.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A probe file with the handshake case (verdict hs) and the cases after it. */
static const char *probe_doc(const char *hs, const char *rest)
{
    static char doc[4096];
    snprintf(doc, sizeof doc,
             "{\"server\": \"198.18.1.2:443\", \"role\": \"client\", \"alpn\": \"hq-interop\", "
             "\"cases\": [{\"name\": \"handshake\", \"verdict\": \"%s\", \"detail\": \"no "
             "answer within 5000 ms\"}%s]}",
             hs, rest);
    return doc;
}

static const char *const TWO_FAILED =
    ", {\"name\": \"frame_unknown\", \"verdict\": \"failed\", \"detail\": \"x\"}"
    ", {\"name\": \"ack_unsent\", \"verdict\": \"passed\", \"detail\": \"\"}"
    ", {\"name\": \"datagram_unsupported\", \"verdict\": \"not applicable\", \"detail\": \"\"}"
    ", {\"name\": \"stream_limit\", \"verdict\": \"failed\", \"detail\": \"y\"}";

static void test_row_and_client(void **state)
{
    (void)state;
    const quire_testcase *tc = quire_probe_job_testcase();
    assert_true(tc->probe);
    assert_string_equal(tc->name, "probe");
    assert_string_equal(tc->testcase_server, "handshake");
    assert_int_equal(quire_testcase_nfiles(tc), 1);
    assert_null(quire_testcase_find("probe")); /* -t cannot select it */
    assert_null(quire_testcase_find(tc->abbr));
    assert_string_equal(quire_probe_job_client()->name, "quire-probe");
    assert_null(quire_probe_job_client()->path);
}

static void test_argv(void **state)
{
    (void)state;
    char buf[256];
    const char *argv[24];
    assert_int_equal(quire_probe_job_argv("/usr/bin/quire", "198.18.1.2", NULL,
                                          "https://server4:443/abc-def https://server4:443/x",
                                          NULL, buf, sizeof buf, argv, 24),
                     0);
    assert_string_equal(argv[0], "/usr/bin/quire");
    assert_string_equal(argv[1], "probe");
    size_t n = 0;
    while (argv[n])
        n++;
    char line[1024] = "";
    for (size_t i = 1; i < n; i++)
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s", i > 1 ? " " : "",
                 argv[i]);
    assert_string_equal(line, "probe --role client -s 198.18.1.2:443 --alpn hq-interop --get "
                              "/abc-def --wait 1000 --json /logs/probe.json --keylog "
                              "/logs/keys.log");
    assert_int_equal(
        quire_probe_job_argv("q", "198.18.1.2", "h3", "", NULL, buf, sizeof buf, argv, 24), 0);
    assert_string_equal(argv[7], "h3");
    assert_string_equal(argv[9], "/");
    assert_null(argv[16]);
    assert_int_equal(quire_probe_job_argv("q", "198.18.1.2", NULL, "https://s:443/a", NULL, buf,
                                          8, argv, 24),
                     QUIRE_ERR_INVALID);
    assert_int_equal(quire_probe_job_argv("q", "198.18.1.2", NULL, "https://s:443/a", NULL, buf,
                                          sizeof buf, argv, 10),
                     QUIRE_ERR_INVALID);
}

/* --probe-cases: -t with the handshake case first unless the list names it */
static void test_argv_cases(void **state)
{
    (void)state;
    char buf[256];
    const char *argv[24];
    assert_int_equal(quire_probe_job_argv("q", "198.18.1.2", NULL, "https://s:443/a",
                                          "tp_duplicate,vn_small", buf, sizeof buf, argv, 24),
                     0);
    assert_string_equal(argv[9], "/a");
    assert_string_equal(argv[16], "-t");
    assert_string_equal(argv[17], "handshake,tp_duplicate,vn_small");
    assert_null(argv[18]);
    assert_int_equal(quire_probe_job_argv("q", "198.18.1.2", NULL, "https://s:443/a",
                                          "vn_small,handshake", buf, sizeof buf, argv, 24),
                     0);
    assert_string_equal(argv[17], "vn_small,handshake");
    /* a name that only starts like "handshake" does not count */
    assert_int_equal(quire_probe_job_argv("q", "198.18.1.2", NULL, "https://s:443/a",
                                          "handshakes", buf, sizeof buf, argv, 24),
                     0);
    assert_string_equal(argv[17], "handshake,handshakes");
    assert_int_equal(quire_probe_job_argv("q", "198.18.1.2", NULL, "https://s:443/a",
                                          "tp_duplicate", buf, 40, argv, 24),
                     QUIRE_ERR_INVALID);
}

static void test_check_cases(void **state)
{
    (void)state;
    char why[200];
    assert_int_equal(quire_probe_job_check_cases("handshake", why, sizeof why), 0);
    assert_int_equal(quire_probe_job_check_cases("tp_duplicate,vn_small", why, sizeof why), 0);
    assert_int_equal(quire_probe_job_check_cases("tp_duplicate,nope", why, sizeof why),
                     QUIRE_ERR_INVALID);
    assert_non_null(strstr(why, "'nope'"));
    assert_int_equal(quire_probe_job_check_cases("", why, sizeof why), QUIRE_ERR_INVALID);
    assert_int_equal(quire_probe_job_check_cases("vn_small,", why, sizeof why), QUIRE_ERR_INVALID);
    assert_int_equal(quire_probe_job_check_cases(",vn_small", why, sizeof why), QUIRE_ERR_INVALID);
}

static void test_summary(void **state)
{
    (void)state;
    char dir[128], path[256], why[512];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "probejob"), 0);
    snprintf(path, sizeof path, "%s/probe.json", dir);
    quire_probe_summary s;
    assert_int_equal(quire_probe_summary_read(path, &s, why, sizeof why), QUIRE_ERR_IO);
    assert_non_null(strstr(why, path));
    write_file(path, probe_doc("passed", TWO_FAILED));
    assert_int_equal(quire_probe_summary_read(path, &s, why, sizeof why), 0);
    assert_int_equal(s.passed, 2);
    assert_int_equal(s.failed, 2);
    assert_int_equal(s.not_applicable, 1);
    assert_true(s.handshake_passed);
    assert_string_equal(s.failed_cases, "frame_unknown,stream_limit");
    assert_string_equal(s.last, "stream_limit");
    write_file(path, probe_doc("failed", ""));
    assert_int_equal(quire_probe_summary_read(path, &s, why, sizeof why), 0);
    assert_false(s.handshake_passed);
    assert_string_equal(s.handshake_why, "no answer within 5000 ms");
    write_file(path, "{\"cases\": [{\"name\": \"handshake\"}]}");
    assert_int_equal(quire_probe_summary_read(path, &s, why, sizeof why), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(why, "cases[0] has no name or verdict"));
    write_file(path, "{\"cases\": 3}");
    assert_int_equal(quire_probe_summary_read(path, &s, why, sizeof why), QUIRE_ERR_MALFORMED);
    write_file(path, "{\"cases\": [");
    assert_int_equal(quire_probe_summary_read(path, &s, why, sizeof why), QUIRE_ERR_MALFORMED);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

/* The judge over a test whose client log directory holds doc (NULL: nothing). */
static quire_verdict judge(const char *doc, quire_exit server, quire_exit client, char *why,
                           size_t len)
{
    char dir[128], path[256];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "probejob"), 0);
    snprintf(path, sizeof path, "%s/probe.json", dir);
    if (doc) write_file(path, doc);
    quire_check_ctx ctx = {.client_log_dir = dir, .server = server, .client = client,
                           .timeout_s = 400};
    quire_verdict v = quire_probe_job_judge(&ctx, why, len);
    assert_int_equal(test_tmpdir_remove(dir), 0);
    return v;
}

static void test_judge(void **state)
{
    (void)state;
    char why[512];
    const quire_exit stopped = {QUIRE_EXIT_STOPPED, 0}, one = {QUIRE_EXIT_CODE, 1},
                     zero = {QUIRE_EXIT_CODE, 0};
    assert_int_equal(judge(probe_doc("passed", TWO_FAILED), stopped, one, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "2 of 5 cases failed: frame_unknown,stream_limit");
    assert_int_equal(judge(probe_doc("passed", ""), stopped, zero, why, sizeof why),
                     QUIRE_VERDICT_SUCCEEDED);
    assert_string_equal(why, "1 cases passed, 0 not applicable");
    assert_int_equal(judge(probe_doc("failed", ""), stopped, one, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "the probe's handshake failed: no answer within 5000 ms");
    assert_int_equal(judge(NULL, stopped, (quire_exit){QUIRE_EXIT_CODE, 2}, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "the probe wrote no results (client exit code 2"));
    assert_int_equal(judge(probe_doc("passed", ""), stopped, (quire_exit){QUIRE_EXIT_TIMEOUT, 9},
                           why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "the probe "));
    assert_non_null(strstr(why, "400 s"));
    assert_int_equal(judge(NULL, (quire_exit){QUIRE_EXIT_CODE, 127},
                           (quire_exit){QUIRE_EXIT_NOT_STARTED, 0}, why, sizeof why),
                     QUIRE_VERDICT_UNSUPPORTED);
    /* a server that died mid-way: the cases it answered, and the last one named */
    assert_int_equal(judge(probe_doc("passed", ""), (quire_exit){QUIRE_EXIT_SIGNAL, 6},
                           (quire_exit){QUIRE_EXIT_STOPPED, 0}, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "1 cases passed"));
    assert_non_null(strstr(why, "during the probe, in case "));
    size_t n;
    assert_non_null(strstr(why, quire_pcase_table(&n)[1].name)); /* the one after handshake */
    assert_int_equal(judge(NULL, (quire_exit){QUIRE_EXIT_CODE, 134},
                           (quire_exit){QUIRE_EXIT_STOPPED, 0}, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "during the probe, in case handshake"));
}

static void test_record(void **state)
{
    (void)state;
    char dir[128], path[300];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "probejob"), 0);
    snprintf(path, sizeof path, "%s/s_quire-probe/probe/client", dir);
    assert_int_equal(quire_fs_mkdir_p(path, 0755), 0);
    strcat(path, "/probe.json");
    write_file(path, probe_doc("passed", TWO_FAILED));
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "s", NULL) >= 0);
    assert_true(quire_result_add_server(&r, "t", NULL) >= 0);
    assert_int_equal(quire_probe_job_record(&r, dir, "s", QUIRE_VERDICT_FAILED, "2 of 5", 12.5,
                                            "s_quire-probe/probe"),
                     0);
    const quire_result_probe *p = quire_result_probe_get(&r, 0);
    assert_non_null(p);
    assert_int_equal(p->passed, 2);
    assert_int_equal(p->failed, 2);
    assert_int_equal(p->not_applicable, 1);
    assert_string_equal(p->failed_cases, "frame_unknown,stream_limit");
    assert_string_equal(p->log, "s_quire-probe/probe");
    /* no log (an unsupported test's directory is removed): the verdict alone */
    assert_int_equal(quire_probe_job_record(&r, dir, "t", QUIRE_VERDICT_UNSUPPORTED, "127", 0.5,
                                            NULL),
                     0);
    p = quire_result_probe_get(&r, 1);
    assert_int_equal(p->verdict, QUIRE_VERDICT_UNSUPPORTED);
    assert_int_equal(p->passed + p->failed + p->not_applicable, 0);
    assert_null(p->failed_cases);
    assert_int_equal(quire_probe_job_record(&r, dir, "u", QUIRE_VERDICT_FAILED, "", 1, NULL),
                     QUIRE_ERR_NOTFOUND);
    quire_result_free(&r);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_and_client), cmocka_unit_test(test_argv),
        cmocka_unit_test(test_argv_cases),     cmocka_unit_test(test_check_cases),
        cmocka_unit_test(test_summary),        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
