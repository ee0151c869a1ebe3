/* Unit tests for util/fs: path joining, mkdir -p, atomic write + read back, size limits,
 * remove_tree (including symlinks that must not be followed), temporary directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/fs.h"

static void test_join(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b, *want;
    } cases[] = {
        {"/x", "y", "/x/y"},   {"/x/", "y", "/x/y"},    {"/x", "/etc/hosts", "/x/etc/hosts"},
        {"", "y", "y"},        {"/", "etc", "/etc"},    {"a//", "//b", "a/b"},
        {"/x", "", "/x"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(quire_fs_join(out, sizeof out, cases[i].a, cases[i].b), 0);
        assert_string_equal(out, cases[i].want);
        char *s = quire_fs_join_alloc(cases[i].a, cases[i].b);
        assert_non_null(s);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
    char small[6];
    assert_int_equal(quire_fs_join(small, sizeof small, "/abc", "def"), QUIRE_ERR_INVALID);
    assert_int_equal(quire_fs_join(small, sizeof small, "/ab", "c"), 0);
    assert_string_equal(small, "/ab/c");
}

static void test_mkdir_write_read_remove(void **state)
{
    (void)state;
    char dir[256], p[512];
    assert_int_equal(quire_fs_mkdtemp(NULL, "quire-test-fs-", dir, sizeof dir), 0);
    assert_true(quire_fs_is_dir(dir));
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    snprintf(p, sizeof p, "%s/a/b/c", dir);
    assert_int_equal(quire_fs_mkdir_p(p, 0755), 0);
    assert_true(quire_fs_is_dir(p));
    assert_int_equal(quire_fs_mkdir_p(p, 0755), 0); /* existing is fine */

    snprintf(p, sizeof p, "%s/a/b/c/file.txt", dir);
    assert_int_equal(quire_fs_write_atomic(p, "hello\n", 6, 0640), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* Replace: the new content wins and no temporary file stays behind. */
    assert_int_equal(quire_fs_write_atomic(p, "bye", 3, 0644), 0);
    char *data;
    size_t len;
    assert_int_equal(quire_fs_read_file(p, &data, &len, 0), 0);
    assert_int_equal(len, 3);
    assert_string_equal(data, "bye");
    free(data);
    assert_int_equal(quire_fs_read_file(p, &data, &len, 2), QUIRE_ERR_INVALID);
    assert_null(data);

    /* A file where a directory is wanted. */
    snprintf(p, sizeof p, "%s/a/b/c/file.txt/sub", dir);
    assert_true(quire_fs_mkdir_p(p, 0755) < 0);

    /* A larger file, to cross the read buffer's growth. */
    size_t big = 100000;
    char *blob = malloc(big);
    assert_non_null(blob);
    for (size_t i = 0; i < big; i++) blob[i] = (char)('a' + i % 26);
    snprintf(p, sizeof p, "%s/big", dir);
    assert_int_equal(quire_fs_write_atomic(p, blob, big, 0644), 0);
    assert_int_equal(quire_fs_read_file(p, &data, &len, 0), 0);
    assert_int_equal(len, big);
    assert_memory_equal(data, blob, big);
    free(data);
    free(blob);

    /* A symlink out of the tree must be removed, not followed. */
    char outside[256];
    assert_int_equal(quire_fs_mkdtemp(NULL, "quire-test-fs-out-", outside, sizeof outside), 0);
    char keep[512];
    snprintf(keep, sizeof keep, "%s/keep", outside);
    assert_int_equal(quire_fs_write_atomic(keep, "k", 1, 0644), 0);
    snprintf(p, sizeof p, "%s/a/link", dir);
    assert_int_equal(symlink(outside, p), 0);

    assert_int_equal(quire_fs_remove_tree(dir), 0);
    assert_false(quire_fs_exists(dir));
    assert_true(quire_fs_exists(keep));
    assert_int_equal(quire_fs_remove_tree(outside), 0);
    assert_int_equal(quire_fs_remove_tree(outside), 0); /* missing is success */
}

static void test_read_missing(void **state)
{
    (void)state;
    char *data;
    size_t len;
    assert_int_equal(quire_fs_read_file("/nonexistent/quire/x", &data, &len, 0),
                     QUIRE_ERR_NOTFOUND);
    assert_false(quire_fs_exists("/nonexistent/quire/x"));
    assert_false(quire_fs_is_dir("/nonexistent/quire/x"));
    char out[8];
    assert_int_equal(quire_fs_mkdtemp("/tmp", "a-very-long-prefix", out, sizeof out),
                     QUIRE_ERR_INVALID);
}

static void test_which(void **state)
{
    (void)state;
    char dir[256], prog[300], out[300];
    assert_int_equal(quire_fs_mkdtemp(NULL, "quire-which-", dir, sizeof dir), 0);
    snprintf(prog, sizeof prog, "%s/qprog", dir);
    assert_int_equal(quire_fs_write_atomic(prog, "#!/bin/sh\n", 10, 0755), 0);
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent:", 1);
    assert_int_equal(quire_fs_which("qprog", NULL, out, sizeof out), QUIRE_ERR_NOTFOUND);
    assert_int_equal(quire_fs_which("qprog", dir, out, sizeof out), 0); /* from also */
    assert_string_equal(out, prog);
    char path[600];
    snprintf(path, sizeof path, "/nonexistent:%s", dir);
    setenv("PATH", path, 1);
    assert_int_equal(quire_fs_which("qprog", NULL, out, sizeof out), 0);
    assert_string_equal(out, prog);
    assert_int_equal(quire_fs_which("qprog", NULL, out, 8), QUIRE_ERR_NOTFOUND); /* too small */
    assert_int_equal(quire_fs_which(prog, NULL, out, sizeof out), 0);            /* a path */
    assert_int_equal(chmod(prog, 0644), 0);
    assert_int_equal(quire_fs_which(prog, NULL, out, sizeof out), QUIRE_ERR_NOTFOUND);
    assert_int_equal(quire_fs_which("qprog", NULL, out, sizeof out), QUIRE_ERR_NOTFOUND);
    if (old) setenv("PATH", old, 1);
    free(old);
    assert_int_equal(quire_fs_remove_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_mkdir_write_read_remove),
        cmocka_unit_test(test_read_missing),
        cmocka_unit_test(test_which),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
