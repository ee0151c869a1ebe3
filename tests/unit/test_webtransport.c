/* Unit tests for checks/webtransport: each QIR WebTransport check passes on a good result and
 * fails on two handshakes, no shared protocol, a wrong or missing negotiated_protocol.txt, a
 * missing, corrupted or extra file, and a missing endpoint directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
