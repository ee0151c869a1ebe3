/* Unit tests for util/err: every code has its own name, unknown codes a generic one, and the
 * errno mapping shared by fs, proc, netns and offload (each adds its own errnos on top). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "util/err.h"

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(quire_strerror(QUIRE_OK), "success");
    assert_string_equal(quire_strerror(QUIRE_ERR_TRUNCATED), "truncated");
    assert_string_equal(quire_strerror(QUIRE_ERR_EXISTS), "already exists");
    assert_string_equal(quire_strerror(-999), "unknown error");
    /* every code has a name of its own */
    for (int a = QUIRE_ERR_EXISTS; a <= QUIRE_OK; a++)
        for (int b = a + 1; b <= QUIRE_OK; b++)
            assert_string_not_equal(quire_strerror(a), quire_strerror(b));
}

static void test_from_errno(void **state)
{
    (void)state;
    static const struct {
        int e, want;
    } cases[] = {
        {ENOENT, QUIRE_ERR_NOTFOUND}, {EPERM, QUIRE_ERR_PERM}, {EACCES, QUIRE_ERR_PERM},
        {ENOMEM, QUIRE_ERR_NOMEM},    {EIO, QUIRE_ERR_IO},     {EINVAL, QUIRE_ERR_IO},
        /* the modules' own: not mapped here */
        {EEXIST, QUIRE_ERR_IO},       {ENODEV, QUIRE_ERR_IO},  {ENOTDIR, QUIRE_ERR_IO},
        {ENAMETOOLONG, QUIRE_ERR_IO}, {0, QUIRE_ERR_IO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(quire_err_from_errno(cases[i].e), cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_from_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
