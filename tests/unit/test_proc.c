/* Unit tests for util/proc: spawn/exit status, output/env/cwd, spawn errors reported with the
 * failing step, wait timeouts, killing a forking child and one that ignores SIGTERM, wait_any,
 * interruption by SIGINT. Root-only: PID namespace (a daemonized grandchild dies with the
 * program), bind mounts (read-only, created mount points, /etc/hosts) that do not leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    return quire_fs_mkdtemp(NULL, "quire-test-proc-", tmpdir, sizeof tmpdir);
}

static int teardown(void **state)
{
    (void)state;
    return quire_fs_remove_tree(tmpdir);
}

static char *path_in_tmp(const char *name)
{
    char *p = quire_fs_join_alloc(tmpdir, name);
    assert_non_null(p);
    return p;
}

static int spawn_sh(quire_proc *p, const char *script, const char *output)
{
    const char *argv[] = {"sh", "-c", script, NULL};
    quire_proc_opts o = {.argv = argv, .output = output, .stdin_null = 1};
    return quire_proc_spawn(p, &o);
}

/* 1 while pid exists and is not a zombie. */
static int alive(pid_t pid)
{
    char path[64], *data;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (quire_fs_read_file(path, &data, NULL, 0) < 0) return 0;
    const char *rp = strrchr(data, ')');
    int z = rp && (rp[2] == 'Z' || rp[2] == 'X');
    free(data);
    return !z;
}

static void test_exit_status(void **state)
{
    (void)state;
    quire_proc p;
    assert_int_equal(spawn_sh(&p, "exit 3", NULL), 0);
    assert_int_equal(quire_proc_wait(&p, 5000), 0);
    assert_true(p.exited);
    assert_int_equal(quire_proc_exit_code(p.status), 3);
    assert_false(quire_proc_signaled(p.status, NULL));
    char buf[64];
    assert_string_equal(quire_proc_status_str(p.status, buf, sizeof buf), "exited with code 3");
    assert_int_equal(quire_proc_wait(&p, 0), 0); /* again: immediate */
    quire_proc_release(&p);

    assert_int_equal(spawn_sh(&p, "kill -9 $$", NULL), 0);
    assert_int_equal(quire_proc_wait(&p, 5000), 0);
    int sig = 0;
    assert_true(quire_proc_signaled(p.status, &sig));
    assert_int_equal(sig, SIGKILL);
    assert_int_equal(quire_proc_exit_code(p.status), 128 + 9);
    quire_proc_release(&p);
}

static void test_output_env_cwd(void **state)
{
    (void)state;
    char *out = path_in_tmp("output.txt");
    const char *argv[] = {"sh", "-c", "echo \"$QUIRE_T\"; pwd; echo err >&2", NULL};
    const char *envp[] = {"QUIRE_T=value 1", "PATH=/usr/bin:/bin", NULL};
    quire_proc_opts o = {.argv = argv, .envp = envp, .cwd = tmpdir, .output = out};
    quire_proc p;
    for (int i = 0; i < 2; i++) { /* twice: output is appended */
        assert_int_equal(quire_proc_spawn(&p, &o), 0);
        assert_int_equal(quire_proc_wait(&p, 5000), 0);
        assert_int_equal(quire_proc_exit_code(p.status), 0);
        quire_proc_release(&p);
    }
    char *data, want[1024];
    assert_int_equal(quire_fs_read_file(out, &data, NULL, 0), 0);
    snprintf(want, sizeof want, "value 1\n%s\nerr\nvalue 1\n%s\nerr\n", tmpdir, tmpdir);
    assert_string_equal(data, want);
    free(data);
    free(out);
}

static void test_spawn_errors(void **state)
{
    (void)state;
    quire_proc p;
    const char *argv[] = {"/nonexistent/quire-no-such-program", NULL};
    quire_proc_opts o = {.argv = argv};
    assert_int_equal(quire_proc_spawn(&p, &o), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(p.err, "executing /nonexistent/quire-no-such-program"));

    const char *argv2[] = {"true", NULL};
    quire_proc_opts o2 = {.argv = argv2, .cwd = "/nonexistent/dir"};
    assert_int_equal(quire_proc_spawn(&p, &o2), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(p.err, "/nonexistent/dir"));

    char ns[64];
    snprintf(ns, sizeof ns, "quire-test-none-%d", (int)getpid());
    quire_proc_opts o3 = {.argv = argv2, .netns = ns};
    assert_int_equal(quire_proc_spawn(&p, &o3), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(p.err, ns));

    quire_proc_opts o4 = {.argv = NULL};
    assert_int_equal(quire_proc_spawn(&p, &o4), QUIRE_ERR_INVALID);
    quire_proc_mount rel = {"/tmp", "relative", 0};
    quire_proc_opts o5 = {.argv = argv2, .mounts = &rel, .nmounts = 1};
    assert_int_equal(quire_proc_spawn(&p, &o5), QUIRE_ERR_INVALID);
}

static void test_timeout_and_kill_forking(void **state)
{
    (void)state;
    char *pidfile = path_in_tmp("bg.pid");
    char script[512];
    /* A shell with a background child in the same group. */
    snprintf(script, sizeof script, "sleep 30 & echo $! > %s; sleep 30", pidfile);
    quire_proc p;
    assert_int_equal(spawn_sh(&p, script, NULL), 0);
    long long t0 = quire_proc_now_ms();
    assert_int_equal(quire_proc_wait(&p, 150), QUIRE_ERR_TIMEOUT);
    long long dt = quire_proc_now_ms() - t0;
    assert_true(dt >= 140 && dt < 2000);
    char *data = NULL;
    for (int i = 0; i < 100 && quire_fs_read_file(pidfile, &data, NULL, 0) < 0; i++)
        quire_proc_sleep(10);
    assert_non_null(data);
    pid_t bg = (pid_t)atoi(data);
    free(data);
    assert_true(bg > 0 && alive(bg));
    assert_int_equal(quire_proc_kill(&p, 2000), 0);
    assert_true(p.exited);
    int sig;
    assert_true(quire_proc_signaled(p.status, &sig));
    assert_int_equal(sig, SIGTERM);
    for (int i = 0; i < 200 && alive(bg); i++) quire_proc_sleep(5);
    assert_false(alive(bg));
    quire_proc_release(&p);
    free(pidfile);
}

static void test_kill_ignores_term(void **state)
{
    (void)state;
    quire_proc p;
    char *ready = path_in_tmp("ready");
    char script[512];
    snprintf(script, sizeof script, "trap '' TERM; touch %s; while :; do sleep 1; done", ready);
    assert_int_equal(spawn_sh(&p, script, NULL), 0);
    for (int i = 0; i < 200 && !quire_fs_exists(ready); i++) quire_proc_sleep(5);
    assert_true(quire_fs_exists(ready));
    long long t0 = quire_proc_now_ms();
    assert_int_equal(quire_proc_kill(&p, 200), 0);
    long long dt = quire_proc_now_ms() - t0;
    assert_true(dt >= 190 && dt < 3000);
    int sig;
    assert_true(quire_proc_signaled(p.status, &sig));
    assert_int_equal(sig, SIGKILL);
    quire_proc_release(&p);
    free(ready);
}

static void test_wait_any(void **state)
{
    (void)state;
    quire_proc a, b;
    assert_int_equal(spawn_sh(&a, "exec sleep 10", NULL), 0);
    assert_int_equal(spawn_sh(&b, "exit 7", NULL), 0);
    quire_proc *const both[] = {&a, &b};
    size_t which = 99;
    assert_int_equal(quire_proc_wait_any(both, 2, 5000, &which), 0);
    assert_int_equal(which, 1);
    assert_int_equal(quire_proc_exit_code(b.status), 7);
    assert_false(a.exited);
    quire_proc_release(&a); /* kills the sleeper */
    assert_true(a.exited);
    quire_proc_release(&b);
}

static void test_interrupt(void **state)
{
    (void)state;
    assert_int_equal(quire_proc_signals_install(), 0);
    quire_proc p;
    assert_int_equal(spawn_sh(&p, "exec sleep 10", NULL), 0);
    assert_int_equal(quire_proc_interrupted(), 0);
    assert_int_equal(raise(SIGINT), 0);
    assert_int_equal(quire_proc_interrupted(), SIGINT);
    long long t0 = quire_proc_now_ms();
    assert_int_equal(quire_proc_wait(&p, 5000), QUIRE_ERR_INTERRUPTED);
    assert_int_equal(quire_proc_sleep(5000), QUIRE_ERR_INTERRUPTED);
    assert_true(quire_proc_now_ms() - t0 < 1000);
    assert_false(p.exited);
    quire_proc_interrupt_reset();
    assert_int_equal(quire_proc_interrupted(), 0);
    assert_int_equal(quire_proc_wait(&p, 20), QUIRE_ERR_TIMEOUT);
    assert_int_equal(quire_proc_kill(&p, 1000), 0);
    quire_proc_release(&p);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

/* A helper process spawns `sleep 30` with die_with_parent and exits at once: the sleeper must
 * die with it (as endpoints do when quire is SIGKILLed). */
static void check_dies_with_parent(int new_pidns)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t helper = fork();
    assert_true(helper >= 0);
    if (helper == 0) {
        close(fds[0]);
        const char *argv[] = {"sleep", "30", NULL};
        quire_proc_opts o = {.argv = argv, .die_with_parent = 1, .new_pidns = new_pidns};
        quire_proc p;
        pid_t pid = quire_proc_spawn(&p, &o) == 0 ? p.pid : -1;
        ssize_t w = write(fds[1], &pid, sizeof pid);
        _exit(w == (ssize_t)sizeof pid ? 0 : 1);
    }
    close(fds[1]);
    pid_t child = -1;
    assert_int_equal(read(fds[0], &child, sizeof child), (ssize_t)sizeof child);
    close(fds[0]);
    int st;
    assert_int_equal(waitpid(helper, &st, 0), helper);
    assert_true(child > 0);
    for (int i = 0; i < 200 && alive(child); i++) quire_proc_sleep(5);
    assert_false(alive(child));
}

static void test_die_with_parent(void **state)
{
    (void)state;
    check_dies_with_parent(0);
}

static int need_root(void)
{
    if (geteuid() != 0) {
        print_message("skipped: needs root (namespaces, mounts)\n");
        return 0;
    }
    return 1;
}

/* Count processes whose PID namespace is ino. */
static int count_in_pidns(unsigned long ino)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        char p[300];
        struct stat st;
        snprintf(p, sizeof p, "/proc/%s/ns/pid", e->d_name);
        if (stat(p, &st) == 0 && (unsigned long)st.st_ino == ino && alive((pid_t)atoi(e->d_name)))
            n++;
    }
    closedir(d);
    return n;
}

static void test_pidns_kills_daemon(void **state)
{
    (void)state;
    if (!need_root()) skip();
    char *info = path_in_tmp("pidns.txt");
    char script[512];
    /* A daemon (new session, so not in any group we know of) outlives the program. */
    snprintf(script, sizeof script,
             "setsid sleep 30 & echo $$ > %s; stat -L -c %%i /proc/self/ns/pid >> %s; "
             "ls /proc | grep -c '^[0-9]' >> %s; exit 5",
             info, info, info);
    const char *argv[] = {"sh", "-c", script, NULL};
    quire_proc_opts o = {.argv = argv, .new_pidns = 1, .stdin_null = 1};
    quire_proc p;
    assert_int_equal(quire_proc_spawn(&p, &o), 0);
    assert_int_equal(quire_proc_wait(&p, 5000), 0);
    assert_int_equal(quire_proc_exit_code(p.status), 5); /* the program's, not the init's */
    char *data;
    assert_int_equal(quire_fs_read_file(info, &data, NULL, 0), 0);
    int mypid = 0, nprocs = 0;
    unsigned long ino = 0;
    assert_int_equal(sscanf(data, "%d %lu %d", &mypid, &ino, &nprocs), 3);
    free(data);
    assert_int_equal(mypid, 2);    /* PID 1 is our init */
    assert_true(nprocs >= 2 && nprocs <= 6); /* a fresh /proc: only this namespace */
    for (int i = 0; i < 200 && count_in_pidns(ino) > 0; i++) quire_proc_sleep(5);
    assert_int_equal(count_in_pidns(ino), 0);
    quire_proc_release(&p);

    /* Killing: SIGTERM is forwarded to every process of the namespace. */
    const char *argv2[] = {"sh", "-c", "setsid sleep 30 & exec sleep 30", NULL};
    quire_proc_opts o2 = {.argv = argv2, .new_pidns = 1};
    assert_int_equal(quire_proc_spawn(&p, &o2), 0);
    char nsp[64];
    snprintf(nsp, sizeof nsp, "/proc/%d/ns/pid_for_children", (int)p.pid);
    struct stat st;
    assert_int_equal(stat(nsp, &st), 0);
    assert_int_equal(quire_proc_kill(&p, 2000), 0);
    int sig;
    assert_true(quire_proc_signaled(p.status, &sig));
    assert_int_equal(sig, SIGTERM);
    for (int i = 0; i < 200 && count_in_pidns((unsigned long)st.st_ino) > 0; i++)
        quire_proc_sleep(5);
    assert_int_equal(count_in_pidns((unsigned long)st.st_ino), 0);
    quire_proc_release(&p);
    free(info);
}

static void test_die_with_parent_pidns(void **state)
{
    (void)state;
    if (!need_root()) skip();
    check_dies_with_parent(1);
}

static void test_mounts(void **state)
{
    (void)state;
    if (!need_root()) skip();
    char *src = path_in_tmp("src");
    char *target = path_in_tmp("mnt/www"); /* missing: created by spawn */
    char *hosts = path_in_tmp("hosts");
    char *out = path_in_tmp("mounts.txt");
    assert_int_equal(quire_fs_mkdir_p(src, 0755), 0);
    char *f = quire_fs_join_alloc(src, "index.html");
    assert_int_equal(quire_fs_write_atomic(f, "hi", 2, 0644), 0);
    assert_int_equal(quire_fs_write_atomic(hosts, "198.19.0.100 server\n", 20, 0644), 0);
    char script[1024];
    snprintf(script, sizeof script,
             "cat %s/index.html; echo; grep -c server /etc/hosts; "
             "if touch %s/new 2>/dev/null; then echo writable; else echo readonly; fi",
             target, target);
    const char *argv[] = {"sh", "-c", script, NULL};
    quire_proc_mount m = {src, target, 1};
    quire_proc_opts o = {.argv = argv, .mounts = &m, .nmounts = 1, .hosts_file = hosts,
                         .output = out, .new_pidns = 1};
    quire_proc p;
    assert_int_equal(quire_proc_spawn(&p, &o), 0);
    assert_int_equal(quire_proc_wait(&p, 5000), 0);
    assert_int_equal(quire_proc_exit_code(p.status), 0);
    quire_proc_release(&p);
    char *data;
    assert_int_equal(quire_fs_read_file(out, &data, NULL, 0), 0);
    assert_string_equal(data, "hi\n1\nreadonly\n");
    free(data);
    /* Nothing leaked into our mount namespace: the mount point is an empty directory. */
    char *probe = quire_fs_join_alloc(target, "index.html");
    assert_true(quire_fs_is_dir(target));
    assert_false(quire_fs_exists(probe));
    free(probe);

    /* A missing mount source is reported with both paths. */
    quire_proc_mount bad = {"/nonexistent/quire-src", target, 0};
    quire_proc_opts o2 = {.argv = argv, .mounts = &bad, .nmounts = 1};
    assert_int_equal(quire_proc_spawn(&p, &o2), QUIRE_ERR_NOTFOUND);
    assert_non_null(strstr(p.err, "/nonexistent/quire-src"));
    free(f);
    free(src);
    free(target);
    free(hosts);
    free(out);
}


/* isolate: the host read-only but for the writable mounts and a private /tmp (a write there
 * never reaches the host's), read-only mounts stay so, and the program holds exactly
 * QUIRE_PROC_ENDPOINT_CAPS. */
static void test_isolate(void **state)
{
    (void)state;
    if (!need_root()) skip();
    char *rw = path_in_tmp("iso-rw"), *ro = path_in_tmp("iso-ro"), *out = path_in_tmp("iso.txt");
    /* targets outside /tmp (a target in there would keep /tmp the host's, read-only) */
    char rwt[64], rot[64], top[48];
    snprintf(top, sizeof top, "/quire-test-iso-%d", (int)getpid());
    snprintf(rwt, sizeof rwt, "%s/rw", top);
    snprintf(rot, sizeof rot, "%s/ro", top);
    assert_int_equal(quire_fs_mkdir_p(rw, 0755), 0);
    assert_int_equal(quire_fs_mkdir_p(ro, 0755), 0);
    char script[2048], marker[64];
    snprintf(marker, sizeof marker, "/tmp/quire-test-iso-%d", (int)getpid());
    snprintf(script, sizeof script,
             "for f in %s/x %s/x /etc/quire-test-iso %s /quire-test-iso; do "
             "if echo x 2>/dev/null >$f; then echo \"$f ok\"; else echo \"$f no\"; fi; done; "
             "grep CapEff /proc/self/status",
             rwt, rot, marker);
    const char *argv[] = {"sh", "-c", script, NULL};
    quire_proc_mount m[] = {{rw, rwt, 0}, {ro, rot, 1}};
    quire_proc_opts o = {.argv = argv, .mounts = m, .nmounts = 2, .output = out,
                         .new_pidns = 1, .isolate = 1};
    quire_proc p;
    assert_int_equal(quire_proc_spawn(&p, &o), 0);
    assert_int_equal(quire_proc_wait(&p, 5000), 0);
    assert_int_equal(quire_proc_exit_code(p.status), 0);
    quire_proc_release(&p);
    char *data, want[1024];
    assert_int_equal(quire_fs_read_file(out, &data, NULL, 0), 0);
    snprintf(want, sizeof want,
             "%s/x ok\n%s/x no\n/etc/quire-test-iso no\n%s ok\n/quire-test-iso no\n"
             "CapEff:\t%016llx\n",
             rwt, rot, marker, (unsigned long long)QUIRE_PROC_ENDPOINT_CAPS);
    assert_string_equal(data, want);
    free(data);
    char *x = quire_fs_join_alloc(rw, "x");
    assert_true(quire_fs_exists(x));    /* through the writable mount */
    assert_false(quire_fs_exists(marker)); /* the private /tmp */
    assert_false(quire_fs_exists("/etc/quire-test-iso"));
    free(x);
    free(rw);
    free(ro);
    free(out);
    assert_int_equal(quire_fs_remove_tree(top), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_output_env_cwd),
        cmocka_unit_test(test_spawn_errors),
        cmocka_unit_test(test_timeout_and_kill_forking),
        cmocka_unit_test(test_kill_ignores_term),
        cmocka_unit_test(test_wait_any),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_die_with_parent),
        cmocka_unit_test(test_die_with_parent_pidns),
        cmocka_unit_test(test_pidns_kills_daemon),
        cmocka_unit_test(test_mounts),
        cmocka_unit_test(test_isolate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
