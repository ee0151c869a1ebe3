/* Unit tests for checks/webtransport: each QIR WebTransport check passes on a good result and
 * fails on two handshakes, no shared protocol, a wrong or missing negotiated_protocol.txt, a
 * missing, corrupted or extra file, and a missing endpoint directory; the judge of the
 * WebTransport rows reads the handshake count from the server-side facts and its input from
 * the check data's arg. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "checks/check.h"
#include "checks/webtransport.h"
#include "util/fs.h"

static char root[64];

static void put(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    assert_int_equal(quire_fs_mkdir_p(dir, 0755), 0);
    assert_int_equal(quire_fs_write_atomic(path, content, strlen(content), 0644), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/quire-test-wt-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static quire_verdict hs(size_t n, const char *pc, const char *ps, char *why)
{
    char c[128], s[128];
    snprintf(c, sizeof c, "%s/cdl", root);
    snprintf(s, sizeof s, "%s/sdl", root);
    return quire_wt_check_handshake(n, pc, ps, c, s, why, 256);
}

static void test_handshake(void **state)
{
    (void)state;
    char why[256];
    const char *pc = "a b c d e", *ps = "v c w b x"; /* shared b, c: the client's first is b */
    assert_int_equal(hs(1, pc, ps, why), QUIRE_VERDICT_FAILED); /* no files yet */
    assert_non_null(strstr(why, "client's negotiated_protocol.txt"));
    put("cdl/negotiated_protocol.txt", "b\n");
    assert_int_equal(hs(1, pc, ps, why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "server's"));
    put("sdl/negotiated_protocol.txt", "  b ");
    assert_int_equal(hs(1, pc, ps, why), QUIRE_VERDICT_SUCCEEDED);
    assert_int_equal(hs(2, pc, ps, why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "got 2"));
    assert_int_equal(hs(0, pc, ps, why), QUIRE_VERDICT_FAILED);
    assert_int_equal(hs(1, "a d", "x y", why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "share no protocol"));
    put("sdl/negotiated_protocol.txt", "c"); /* the server's first shared one: wrong */
    assert_int_equal(hs(1, pc, ps, why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "server's negotiated protocol 'c'"));
}

static quire_verdict tr(size_t n, const char *const *files, size_t nf, char *why)
{
    char s[128], d[128];
    snprintf(s, sizeof s, "%s/www", root);
    snprintf(d, sizeof d, "%s/dl", root);
    return quire_wt_check_transfer(n, s, d, "ep", files, nf, why, 256);
}

static void test_transfer(void **state)
{
    (void)state;
    char why[256];
    const char *files[] = {"f1", "f2"};
    put("www/ep/f1", "hello");
    put("www/ep/f2", "world!");
    assert_int_equal(tr(1, files, 2, why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "missing download directory"));
    put("dl/ep/f1", "hello");
    assert_int_equal(tr(1, files, 2, why), QUIRE_VERDICT_FAILED); /* f2 missing */
    put("dl/ep/f2", "world?");
    assert_int_equal(tr(1, files, 2, why), QUIRE_VERDICT_FAILED); /* f2 corrupted */
    put("dl/ep/f2", "world!");
    assert_int_equal(tr(1, files, 2, why), QUIRE_VERDICT_SUCCEEDED);
    assert_int_equal(tr(2, files, 2, why), QUIRE_VERDICT_FAILED); /* two connections */
    assert_non_null(strstr(why, "got 2"));
    put("dl/ep/extra", "x");
    assert_int_equal(tr(1, files, 2, why), QUIRE_VERDICT_FAILED); /* nothing else */
}

static void test_judge(void **state)
{
    (void)state;
    char why[256], cdl[128], sdl[128], www[128], dl[128];
    snprintf(cdl, sizeof cdl, "%s/cdl", root);
    snprintf(sdl, sizeof sdl, "%s/sdl", root);
    snprintf(www, sizeof www, "%s/www", root);
    snprintf(dl, sizeof dl, "%s/dl", root);
    quire_facts *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->nhs = 1;
    quire_check_data d = {.server = f, .client = f};
    assert_int_equal(quire_judge_webtransport(&d, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "no WebTransport test state"));
    quire_wt_judge_arg hsarg = {.handshake = 1, .protocols_client = "p q", .protocols_server = "q",
                                .client_downloads = cdl, .server_downloads = sdl};
    d.arg = &hsarg;
    put("cdl/negotiated_protocol.txt", "q");
    put("sdl/negotiated_protocol.txt", "q\n");
    assert_int_equal(quire_judge_webtransport(&d, why, sizeof why), QUIRE_VERDICT_SUCCEEDED);
    f->nhs = 2; /* two connections */
    assert_int_equal(quire_judge_webtransport(&d, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "got 2"));
    const char *files[] = {"f1"};
    quire_wt_judge_arg trarg = {.source_root = www, .download_root = dl, .endpoint = "ep",
                                .files = files, .nfiles = 1};
    d.arg = &trarg;
    f->nhs = 1;
    put("www/ep/f1", "data");
    assert_int_equal(quire_judge_webtransport(&d, why, sizeof why), QUIRE_VERDICT_FAILED);
    put("dl/ep/f1", "dat!"); /* corrupted */
    assert_int_equal(quire_judge_webtransport(&d, why, sizeof why), QUIRE_VERDICT_FAILED);
    put("dl/ep/f1", "data");
    assert_int_equal(quire_judge_webtransport(&d, why, sizeof why), QUIRE_VERDICT_SUCCEEDED);
    assert_non_null(strstr(why, "1 file(s) on endpoint ep"));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_judge, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
