/* Unit tests for backend/limits: sizes parsed and printed, the environment read with its
 * defaults and its errors. With root (skipped otherwise): a tmpfs /downloads of 64 KiB fills up
 * (ENOSPC, reported full), a small one's files survive the unmount (copied back to disk), a
 * full one's are discarded, and quire_limits_clean_mounts finds a mount by its name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/limits.h"
#include "util/cgroup.h"
#include "util/err.h"
#include "util/fs.h"

static void test_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc;
        unsigned long long want;
    } cases[] = {
        {"512M", 0, 512ull << 20}, {"1G", 0, 1ull << 30},    {"64k", 0, 64 << 10},
        {"1000", 0, 1000},         {"off", 0, 0},            {"0", 0, 0},
        {"1024G", 0, 1ull << 40},  {"1025G", QUIRE_ERR_INVALID, 0},
        {"5T", QUIRE_ERR_INVALID, 0}, {"M", QUIRE_ERR_INVALID, 0}, {"12MB", QUIRE_ERR_INVALID, 0},
        {"", QUIRE_ERR_INVALID, 0},   {"-1", QUIRE_ERR_INVALID, 0},
        {"99999999999999999999999", QUIRE_ERR_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned long long v = 7;
        assert_int_equal(quire_limits_parse_size(cases[i].in, &v), cases[i].rc);
        if (!cases[i].rc) assert_true(v == cases[i].want);
    }
    char b[32];
    assert_string_equal(quire_limits_size_str(512ull << 20, b, sizeof b), "512 MiB");
    assert_string_equal(quire_limits_size_str(1ull << 30, b, sizeof b), "1 GiB");
    assert_string_equal(quire_limits_size_str(1536, b, sizeof b), "1536 bytes");
    assert_string_equal(quire_limits_size_str(3 << 10, b, sizeof b), "3 KiB");
    assert_string_equal(quire_limits_size_str(0, b, sizeof b), "0 bytes");
}

static void test_env(void **state)
{
    (void)state;
    quire_limits l;
    char why[200] = "";
    unsetenv("QUIRE_PIDS_MAX");
    unsetenv("QUIRE_DOWNLOADS_MAX");
    unsetenv("QUIRE_ISOLATION");
    assert_int_equal(quire_limits_from_env(&l, why, sizeof why), 0);
    assert_int_equal(l.pids_max, QUIRE_CGROUP_PIDS_DEFAULT);
    assert_true(l.downloads == QUIRE_LIMITS_DOWNLOADS_DEFAULT);
    assert_int_equal(l.isolate, 1);
    setenv("QUIRE_PIDS_MAX", "off", 1);
    setenv("QUIRE_DOWNLOADS_MAX", "2G", 1);
    setenv("QUIRE_ISOLATION", "off", 1);
    assert_int_equal(quire_limits_from_env(&l, why, sizeof why), 0);
    assert_int_equal(l.pids_max, 0);
    assert_true(l.downloads == 2ull << 30);
    assert_int_equal(l.isolate, 0);
    setenv("QUIRE_ISOLATION", "maybe", 1);
    assert_int_equal(quire_limits_from_env(&l, why, sizeof why), QUIRE_ERR_INVALID);
    assert_non_null(strstr(why, "QUIRE_ISOLATION=maybe"));
    unsetenv("QUIRE_ISOLATION");
    setenv("QUIRE_DOWNLOADS_MAX", "lots", 1);
    assert_int_equal(quire_limits_from_env(&l, why, sizeof why), QUIRE_ERR_INVALID);
    assert_non_null(strstr(why, "QUIRE_DOWNLOADS_MAX=lots"));
    unsetenv("QUIRE_DOWNLOADS_MAX");
    setenv("QUIRE_PIDS_MAX", "-3", 1);
    assert_int_equal(quire_limits_from_env(&l, why, sizeof why), QUIRE_ERR_INVALID);
    assert_non_null(strstr(why, "QUIRE_PIDS_MAX=-3"));
    unsetenv("QUIRE_PIDS_MAX");
}

static int count_dir(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    return n;
}

static int seen;
static int count_cb(const char *dir, const char *name, void *arg)
{
    (void)dir;
    seen += !strcmp(name, (const char *)arg);
    return 1; /* keep it: the test unmounts it itself */
}

static void test_tmpfs(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        printf("skipped: not root\n");
        skip();
    }
    char dir[256], path[300], name[64];
    assert_int_equal(quire_fs_mkdtemp(NULL, "quire-limits-", dir, sizeof dir), 0);
    snprintf(name, sizeof name, "quire-unit%d-1-client", (int)getpid());
    /* small files survive, in subdirectories too */
    assert_int_equal(quire_limits_mount_downloads(dir, name, 64 << 10), 0);
    seen = 0;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "quire-unit%d-", (int)getpid());
    assert_int_equal(quire_limits_clean_mounts(prefix, 0, count_cb, name), 0);
    assert_int_equal(seen, 1);
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/sub/a.txt", dir);
    assert_int_equal(quire_fs_write_atomic(path, "hello", 5, 0644), 0);
    assert_int_equal(quire_limits_downloads_full(dir), 1); /* 64 KiB < 1 MiB left: "full" */
    assert_int_equal(quire_limits_unmount_downloads(dir, 0), 0);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(quire_fs_read_file(path, &data, &len, 0), 0);
    assert_string_equal(data, "hello");
    free(data);
    assert_int_equal(quire_limits_clean_mounts(prefix, 0, NULL, NULL), 0); /* unmounted */
    /* a full one: ENOSPC for the writer, its files discarded */
    quire_fs_remove_tree(dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(quire_limits_mount_downloads(dir, name, 4 << 20), 0);
    assert_int_equal(quire_limits_downloads_full(dir), 0);
    snprintf(path, sizeof path, "%s/fill", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    static char block[1 << 16];
    ssize_t w = 0;
    int e = 0;
    for (int i = 0; i < 128 && w >= 0; i++) { /* 8 MiB at most */
        w = write(fd, block, sizeof block);
        e = errno;
    }
    close(fd);
    assert_true(w < 0 && e == ENOSPC);
    assert_int_equal(quire_limits_downloads_full(dir), 1);
    assert_int_equal(quire_limits_unmount_downloads(dir, 1), 0);
    assert_int_equal(count_dir(dir), 0);
    /* quire clean's way: by name */
    assert_int_equal(quire_limits_mount_downloads(dir, name, 1 << 20), 0);
    assert_int_equal(quire_limits_clean_mounts(prefix, 1, NULL, NULL), 1); /* dry run */
    assert_int_equal(quire_limits_clean_mounts(prefix, 0, NULL, NULL), 1);
    assert_int_equal(quire_limits_clean_mounts(prefix, 0, NULL, NULL), 0);
    assert_int_equal(quire_fs_remove_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_tmpfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
