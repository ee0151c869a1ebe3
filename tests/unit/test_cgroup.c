/* Unit tests for util/cgroup: the parsers of /proc/self/cgroup, /proc/self/mountinfo and
 * flat-keyed files (samples of a v1/hybrid host, a v2 host, a container), pids limits, cgroup
 * names. With root and a pids hierarchy (skipped otherwise): a cgroup made, its pids.max
 * enforced on a forking child, the refusals counted, the cgroup removed with what is left in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/cgroup.h"
#include "util/err.h"
#include "util/fs.h"

static const char hybrid_cgroup[] = "9:name=systemd:/\n8:pids:/user.slice\n7:blkio:/\n"
                                    "4:memory:/process_api/23b4\n1:cpu,cpuacct:/\n0::/\n";
static const char v2_cgroup[] = "0::/system.slice/quire.service\n";

static const char hybrid_mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime shared:12 - cgroup cgroup rw,pids\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char v2_mountinfo[] =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "25 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

static void test_self_path(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(quire_cgroup_self_path(hybrid_cgroup, 0, out, sizeof out), 0);
    assert_string_equal(out, "/user.slice");
    assert_int_equal(quire_cgroup_self_path(hybrid_cgroup, 1, out, sizeof out), 0);
    assert_string_equal(out, "/");
    assert_int_equal(quire_cgroup_self_path(v2_cgroup, 1, out, sizeof out), 0);
    assert_string_equal(out, "/system.slice/quire.service");
    assert_int_equal(quire_cgroup_self_path(v2_cgroup, 0, out, sizeof out), QUIRE_ERR_NOTFOUND);
    /* "pids" as a whole item only; a malformed line is skipped */
    assert_int_equal(quire_cgroup_self_path("3:pidsx:/a\n2:broken\n", 0, out, sizeof out),
                     QUIRE_ERR_NOTFOUND);
    assert_int_equal(quire_cgroup_self_path("5:cpu,pids:/a/b", 0, out, sizeof out), 0);
    assert_string_equal(out, "/a/b");
    char small[4];
    assert_int_equal(quire_cgroup_self_path(v2_cgroup, 1, small, sizeof small), QUIRE_ERR_INVALID);
    assert_int_equal(quire_cgroup_self_path("", 1, out, sizeof out), QUIRE_ERR_NOTFOUND);
}

static void test_mount_of(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(quire_cgroup_mount_of(hybrid_mountinfo, 0, out, sizeof out), 0);
    assert_string_equal(out, "/sys/fs/cgroup/pids");
    assert_int_equal(quire_cgroup_mount_of(hybrid_mountinfo, 1, out, sizeof out), 0);
    assert_string_equal(out, "/sys/fs/cgroup/unified");
    assert_int_equal(quire_cgroup_mount_of(v2_mountinfo, 1, out, sizeof out), 0);
    assert_string_equal(out, "/sys/fs/cgroup");
    assert_int_equal(quire_cgroup_mount_of(v2_mountinfo, 0, out, sizeof out), QUIRE_ERR_NOTFOUND);
    /* escaped mount points and lines without the separator are skipped */
    assert_int_equal(quire_cgroup_mount_of("1 2 0:1 / /a\\040b rw - cgroup2 cgroup2 rw\n"
                                           "1 2 0:1 / /x rw cgroup2 cgroup2 rw\n",
                                           1, out, sizeof out),
                     QUIRE_ERR_NOTFOUND);
    char small[8];
    assert_int_equal(quire_cgroup_mount_of(hybrid_mountinfo, 0, small, sizeof small),
                     QUIRE_ERR_INVALID);
}

static void test_keyed_and_limits(void **state)
{
    (void)state;
    assert_int_equal(quire_cgroup_keyed("max 9802\n", "max"), 9802);
    assert_int_equal(quire_cgroup_keyed("max 0", "max"), 0);
    assert_int_equal(quire_cgroup_keyed("maximum 3\nmax 4\n", "max"), 4);
    assert_int_equal(quire_cgroup_keyed("max x\n", "max"), -1);
    assert_int_equal(quire_cgroup_keyed("", "max"), -1);
    static const struct {
        const char *in;
        int rc;
        long want;
    } cases[] = {
        {"256", 0, 256}, {"1", 0, 1}, {"4194304", 0, 4194304}, {"off", 0, 0}, {"0", 0, 0},
        {"4194305", QUIRE_ERR_INVALID, 0}, {"-1", QUIRE_ERR_INVALID, 0},
        {"12k", QUIRE_ERR_INVALID, 0}, {"", QUIRE_ERR_INVALID, 0},
        {"99999999999999999999", QUIRE_ERR_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long v = -7;
        assert_int_equal(quire_cgroup_parse_pids(cases[i].in, &v), cases[i].rc);
        if (!cases[i].rc) assert_int_equal(v, cases[i].want);
    }
    char name[40];
    assert_int_equal(quire_cgroup_name(name, sizeof name, "r42", 3, "client"), 0);
    assert_string_equal(name, "quire-r42-3-client");
    assert_int_equal(quire_cgroup_name(name, 10, "r42", 3, "client"), QUIRE_ERR_INVALID);
}

/* With root and a pids hierarchy: a child in a cgroup of pids.max 5 cannot fork 20 times. */
static void test_real_limit(void **state)
{
    (void)state;
    char root[QUIRE_CGROUP_PATH_MAX], why[300] = "";
    if (geteuid() != 0 || quire_cgroup_pids_root(root, sizeof root, why, sizeof why)) {
        printf("skipped: %s\n", geteuid() ? "not root" : why);
        skip();
    }
    char name[64];
    snprintf(name, sizeof name, "quire-unit%d-1-client", (int)getpid());
    quire_cgroup cg;
    assert_int_equal(quire_cgroup_create(&cg, root, name, 5), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char f[QUIRE_CGROUP_PATH_MAX + 16];
        snprintf(f, sizeof f, "%s/cgroup.procs", cg.dir);
        int fd = open(f, O_WRONLY);
        if (fd < 0 || write(fd, "0", 1) != 1) _exit(100);
        close(fd);
        int made = 0;
        for (int i = 0; i < 20; i++) {
            pid_t c = fork();
            if (c == 0) {
                pause();
                _exit(0);
            }
            if (c > 0) made++;
        }
        _exit(made); /* its children stay behind in the cgroup */
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 4); /* 5 with itself */
    assert_int_equal(quire_cgroup_pids_refused(&cg), 16);
    long peak = quire_cgroup_pids_peak(&cg);
    assert_true(peak == -1 || peak == 5);
    assert_int_equal(quire_cgroup_destroy(&cg), 0); /* kills the 4 sleepers first */
    char dir[QUIRE_CGROUP_PATH_MAX + 64];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    assert_false(quire_fs_exists(dir));
    assert_int_equal(quire_cgroup_destroy(&cg), 0); /* twice is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_path),
        cmocka_unit_test(test_mount_of),
        cmocka_unit_test(test_keyed_and_limits),
        cmocka_unit_test(test_real_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
