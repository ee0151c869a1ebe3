/* Unit tests for report/runs and report/htmlruns: runs collected from DIR/<sub>/result.json and from
 * QIR's logs.json, ordered by start time (not by name), symlinks (QIR's "latest") skipped,
 * errors naming the file for malformed results, a bad logs.json and an empty directory; the
 * page embeds every run, marks strings safely in its JSON, and carries diff.c's rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/htmlruns.h"
#include "report/runs.h"
#include "tmpdir.h"
#include "util/err.h"

static void put(const char *dir, const char *sub, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    if (strchr(sub, '/')) {
        char d[512];
        snprintf(d, sizeof d, "%s", p);
        *strrchr(d, '/') = 0;
        mkdir(d, 0755);
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void result(const char *dir, const char *name, double start, const char *verdict)
{
    char sub[256], text[1024];
    snprintf(sub, sizeof sub, "%s/result.json", name);
    snprintf(text, sizeof text,
             "{\"start_time\": %.0f, \"end_time\": %.0f, \"log_dir\": \"%s\", \"servers\": "
             "[\"s</script>\"], \"clients\": [\"c\"], \"urls\": {}, \"tests\": {\"H\": {\"name\": "
             "\"handshake\", \"desc\": \"\"}}, \"quic_version\": \"0x1\", \"results\": [[{\"abbr\": "
             "\"H\", \"name\": \"handshake\", \"result\": \"%s\"}]], \"measurements\": [[]]}\n",
             start, start + 10, name, verdict);
    put(dir, sub, text);
}

static void test_order(void **state)
{
    (void)state;
    char dir[128], err[512];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "runs"), 0);
    result(dir, "a", 300, "failed"); /* newest, first by name */
    result(dir, "b", 100, "succeeded");
    result(dir, "c", 200, "succeeded");
    char target[256], link[256];
    snprintf(target, sizeof target, "%s/a", dir);
    snprintf(link, sizeof link, "%s/latest", dir);
    assert_int_equal(symlink(target, link), 0); /* QIR's latest: not a fourth run */
    put(dir, "notes.txt", "x");
    quire_runs rs;
    quire_runs_init(&rs);
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), 0);
    assert_int_equal(rs.n, 3);
    assert_string_equal(rs.v[0].id, "b");
    assert_string_equal(rs.v[1].id, "c");
    assert_string_equal(rs.v[2].id, "a");

    quire_buf out;
    quire_buf_init(&out);
    assert_int_equal(quire_htmlruns_write(&rs, NULL, &out), 0);
    assert_int_equal(quire_buf_putc(&out, 0), 0);
    /* the server name ends a <script> nowhere: escaped in the markup and in the JSON */
    assert_null(strstr((const char *)out.data, "s</script>"));
    assert_non_null(strstr((const char *)out.data, "s&lt;/script&gt;"));
    assert_non_null(strstr((const char *)out.data, "\"s\\u003c/script\\u003e\""));
    /* diff.c's rule: kinds[succeeded][failed] is a regression, [failed][succeeded] a fix */
    assert_non_null(strstr((const char *)out.data, "\"kinds\":[[\"same\",\"new\",\"new\",\"new\"],[\"gone\","
                                     "\"same\",\"regression\",\"changed\"],[\"gone\",\"fixed\","
                                     "\"same\",\"changed\"]"));
    assert_non_null(strstr((const char *)out.data, "data-run=\"b\""));
    assert_non_null(strstr((const char *)out.data, "id=\"matrix-2\""));
    assert_non_null(strstr((const char *)out.data, "href=\"a/s%3C/script%3E_c/handshake\""));
    quire_buf_free(&out);
    quire_runs_free(&rs);

    /* equal start times: by id */
    quire_runs_init(&rs);
    snprintf(target, sizeof target, "%s/a/result.json", dir);
    assert_int_equal(quire_runs_add(&rs, "z", target, err, sizeof err), 0);
    assert_int_equal(quire_runs_add(&rs, "y", target, err, sizeof err), 0);
    quire_runs_sort(&rs);
    assert_string_equal(rs.v[0].id, "y");
    quire_runs_free(&rs);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

static void test_logs_json(void **state)
{
    (void)state;
    char dir[128], err[512];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "runs"), 0);
    result(dir, "logs_1", 100, "succeeded");
    result(dir, "logs_2", 200, "failed");
    result(dir, "logs_3", 300, "failed"); /* not listed: not a run */
    put(dir, "logs.json", "[\"logs_2\", \"logs_1\"]\n");
    quire_runs rs;
    quire_runs_init(&rs);
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), 0);
    assert_int_equal(rs.n, 2);
    assert_string_equal(rs.v[0].id, "logs_1");
    assert_string_equal(rs.v[1].id, "logs_2");
    quire_runs_free(&rs);

    put(dir, "logs.json", "[\"../etc\"]");
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(err, "logs.json: entry 0"));
    quire_runs_free(&rs);
    put(dir, "logs.json", "{\"x\": 1}");
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(err, "logs.json: expected an array"));
    quire_runs_free(&rs);
    put(dir, "logs.json", "[\"logs_9\"]"); /* listed, missing */
    assert_int_not_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), 0);
    assert_non_null(strstr(err, "logs_9/result.json"));
    quire_runs_free(&rs);
    put(dir, "logs.json", "[]");
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(err, "lists no runs"));
    quire_runs_free(&rs);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[128], err[512];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "runs"), 0);
    quire_runs rs;
    quire_runs_init(&rs);
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(err, "no */result.json found"));
    quire_buf out;
    quire_buf_init(&out);
    assert_int_equal(quire_htmlruns_write(&rs, NULL, &out), QUIRE_ERR_INVALID);
    quire_buf_free(&out);
    result(dir, "good", 100, "succeeded");
    put(dir, "bad/result.json", "{\"start_time\": 1,\n \"servers\": [}");
    assert_int_equal(quire_runs_load_dir(dir, &rs, err, sizeof err), QUIRE_ERR_MALFORMED);
    assert_non_null(strstr(err, "bad/result.json:2:"));
    quire_runs_free(&rs);
    char file[256];
    snprintf(file, sizeof file, "%s/good/result.json", dir);
    assert_int_equal(quire_runs_load_dir(file, &rs, err, sizeof err), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(err, "not a directory"));
    quire_runs_free(&rs);
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_logs_json),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
