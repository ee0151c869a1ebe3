/* Unit tests for run/files: slug format, exact sizes, distinct random contents, unique names. */
#include <ctype.h>
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

#include "run/files.h"
#include "tmpdir.h"

static char root[64];

static int setup(void **state)
{
    (void)state;
    return test_tmpdir_make(root, sizeof root, "files");
}

static int teardown(void **state)
{
    (void)state;
    return test_tmpdir_remove(root);
}

static void test_slug(void **state)
{
    (void)state;
    char s[64];
    assert_int_equal(quire_files_slug(s, sizeof s), 0);
    int dashes = 0;
    for (const char *p = s; *p; p++) {
        assert_true(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-');
        dashes += *p == '-';
    }
    assert_int_equal(dashes, 3);
}

static void test_generate(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {0, 1, 1000, 65536, 65537, 3 * 1024 * 1024 + 5};
    char names[6][64];
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(quire_files_generate(root, sizes[i], names[i], sizeof names[i]), 0);
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, names[i]);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal((uint64_t)st.st_size, sizes[i]);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(names[i], names[j]);
    }
    /* two files of equal size differ (fresh key each), and are not mostly zero */
    char a[64], b[64], pa[512], pb[512];
    assert_int_equal(quire_files_generate(root, 4096, a, sizeof a), 0);
    assert_int_equal(quire_files_generate(root, 4096, b, sizeof b), 0);
    snprintf(pa, sizeof pa, "%s/%s", root, a);
    snprintf(pb, sizeof pb, "%s/%s", root, b);
    unsigned char ba[4096], bb[4096];
    FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
    assert_int_equal(fread(ba, 1, sizeof ba, fa), sizeof ba);
    assert_int_equal(fread(bb, 1, sizeof bb, fb), sizeof bb);
    fclose(fa);
    fclose(fb);
    assert_memory_not_equal(ba, bb, sizeof ba);
    size_t zeros = 0;
    for (size_t i = 0; i < sizeof ba; i++)
        zeros += ba[i] == 0;
    assert_true(zeros < 64);
    assert_int_not_equal(quire_files_generate("/nonexistent/dir", 1, a, sizeof a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slug),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
