/* Unit tests for run/wtrun: each WebTransport case gets QIR's inputs: the endpoint directory
 * on both sides, the files (sizes, count) in the sending role's www, the client's REQUESTS
 * (file URLs for "receive", the session URL otherwise), the server's REQUESTS (paths for
 * "send" only), and PROTOCOLS lists (handshake: 5 each, exactly 2 shared, in swapped order;
 * transfer: one, the same on both sides); the judge's input names the right directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "run/testcase.h"
#include "run/wtrun.h"
#include "tmpdir.h"

static char root[128], sw[192], cw[192];

static int setup(void **state)
{
    (void)state;
    if (test_tmpdir_make(root, sizeof root, "wtrun")) return -1;
    snprintf(sw, sizeof sw, "%s/server_www", root);
    snprintf(cw, sizeof cw, "%s/client_www", root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_tmpdir_remove(root);
}

static size_t words(const char *s, char w[][64], size_t max)
{
    size_t n = 0;
    for (const char *p = s; *p && n < max;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        snprintf(w[n++], 64, "%.*s", (int)len, p);
        p += len;
    }
    return n;
}

static off_t size_of(const char *dir, const char *ep, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/%s", dir, ep, name);
    return stat(path, &st) ? -1 : st.st_size;
}

static void test_handshake(void **state)
{
    (void)state;
    quire_wt_test w;
    char why[256];
    const quire_wt_testcase *tc = quire_wt_find("H");
    assert_int_equal(quire_wt_test_prepare(&w, tc, sw, cw, "server4", why, sizeof why), 0);
    assert_int_equal(w.nfiles, 0);
    char url[160];
    snprintf(url, sizeof url, "https://server4:443/%s", w.endpoint);
    assert_string_equal(w.requests_client, url);
    assert_string_equal(w.requests_server, "");
    char c[8][64], s[8][64];
    assert_int_equal(words(w.protocols_client, c, 8), 5);
    assert_int_equal(words(w.protocols_server, s, 8), 5);
    size_t shared = 0, pos[2] = {0, 0};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++)
            if (!strcmp(c[i], s[j])) {
                if (shared < 2) pos[shared] = i;
                shared++;
            }
    assert_int_equal(shared, 2);
    /* the same two positions on both sides, the two shared ones swapped */
    assert_string_equal(c[pos[0]], s[pos[1]]);
    assert_string_equal(c[pos[1]], s[pos[0]]);
    char want[64];
    assert_int_equal(quire_wt_common_protocol(w.protocols_client, w.protocols_server, want,
                                              sizeof want), 1);
    assert_string_equal(want, c[pos[0]]);
    char d[256];
    struct stat st;
    snprintf(d, sizeof d, "%s/%s", sw, w.endpoint);
    assert_int_equal(stat(d, &st), 0);
    const quire_wt_judge_arg *a = quire_wt_test_judge_arg(&w, sw, cw, "/sdl", "/cdl");
    assert_int_equal(a->handshake, 1);
    assert_string_equal(a->client_downloads, "/cdl");
    assert_string_equal(a->server_downloads, "/sdl");
    quire_wt_test_free(&w);
}

static void test_receive(void **state)
{
    (void)state;
    quire_wt_test w;
    char why[256];
    const quire_wt_testcase *tc = quire_wt_find("UR");
    assert_int_equal(quire_wt_test_prepare(&w, tc, sw, cw, "server4", why, sizeof why), 0);
    assert_int_equal(w.nfiles, 5);
    assert_string_equal(w.protocols_client, w.protocols_server);
    assert_null(strchr(w.protocols_client, ' '));
    assert_string_equal(w.requests_server, "");
    char u[8][64];
    assert_int_equal(words(w.requests_client, u, 8), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(size_of(sw, w.endpoint, w.files[i]),
                         (off_t)quire_wt_file_size(tc, i));
        assert_int_equal(size_of(cw, w.endpoint, w.files[i]), -1);
    }
    char first[256];
    snprintf(first, sizeof first, "https://server4:443/%s/%s", w.endpoint, w.files[0]);
    assert_int_equal(strncmp(w.requests_client, first, strlen(first)), 0);
    const quire_wt_judge_arg *a = quire_wt_test_judge_arg(&w, sw, cw, "/sdl", "/cdl");
    assert_int_equal(a->handshake, 0);
    assert_string_equal(a->source_root, sw);
    assert_string_equal(a->download_root, "/cdl");
    assert_int_equal(a->nfiles, 5);
    quire_wt_test_free(&w);
}

static void test_send_datagram(void **state)
{
    (void)state;
    quire_wt_test w;
    char why[256];
    const quire_wt_testcase *tc = quire_wt_find("DS");
    assert_int_equal(quire_wt_test_prepare(&w, tc, sw, cw, "server4", why, sizeof why), 0);
    assert_int_equal(w.nfiles, 200);
    assert_int_equal(size_of(cw, w.endpoint, w.files[199]), 600 + 2 * 199);
    assert_int_equal(size_of(sw, w.endpoint, w.files[0]), -1);
    char url[160];
    snprintf(url, sizeof url, "https://server4:443/%s", w.endpoint);
    assert_string_equal(w.requests_client, url);
    char path[256];
    snprintf(path, sizeof path, "%s/%s ", w.endpoint, w.files[0]);
    assert_int_equal(strncmp(w.requests_server, path, strlen(path)), 0);
    const quire_wt_judge_arg *a = quire_wt_test_judge_arg(&w, sw, cw, "/sdl", "/cdl");
    assert_string_equal(a->source_root, cw);
    assert_string_equal(a->download_root, "/sdl");
    quire_wt_test_free(&w);
}

static void test_rows(void **state)
{
    (void)state;
    size_t n;
    const quire_wt_testcase *t = quire_wt_table(&n);
    for (size_t i = 0; i < n; i++) {
        const quire_testcase *r = quire_wt_row(&t[i]);
        assert_non_null(r);
        assert_ptr_equal(r, quire_wt_row(&t[i]));
        assert_ptr_equal(r->wt, &t[i]);
        assert_string_equal(r->abbr, t[i].abbr);
        assert_string_equal(r->name, t[i].name);
        assert_string_equal(r->desc, t[i].desc);
        assert_string_equal(r->testcase_client, quire_wt_testname(&t[i], 1));
        assert_string_equal(r->testcase_server, quire_wt_testname(&t[i], 0));
        assert_non_null(r->judge);
        assert_int_equal(r->timeout_s, 60);
        assert_int_equal(r->files[0].count, 0);
    }
    quire_wt_testcase other = t[0];
    assert_null(quire_wt_row(&other));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_datagram, setup, teardown),
        cmocka_unit_test(test_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
