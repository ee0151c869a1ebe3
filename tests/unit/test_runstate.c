/* Unit tests for backend/runstate's workers (run ids and ownership are in test_netns). With root
 * (skipped otherwise): a worker records itself and is killed by quire_run_stop_workers, a
 * stale worker file (its process gone) is left alone, a worker's normal end removes its file,
 * the state directory holds the run's scratch files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/runstate.h"
#include "util/err.h"
#include "util/fs.h"

static char run_id[32];

static int root_ok(void)
{
    if (geteuid() == 0) return 1;
    fprintf(stderr, "skipped: needs root to write %s\n", QUIRE_RUN_STATE_DIR);
    return 0;
}

static void worker_file(char *out, size_t len, pid_t pid)
{
    snprintf(out, len, "%s/%s/worker.%ld", QUIRE_RUN_STATE_DIR, run_id, (long)pid);
}

static void test_invalid(void **state)
{
    (void)state;
    char dir[64];
    assert_int_equal(quire_run_stop_workers("bad-id", 10), QUIRE_ERR_INVALID);
    assert_int_equal(quire_run_worker_begin("a/b"), QUIRE_ERR_INVALID);
    assert_int_equal(quire_run_dir("x", dir, 5), QUIRE_ERR_INVALID); /* "/run/quire/x" */
    assert_int_equal(quire_run_dir("x", dir, sizeof dir), 0);
    assert_string_equal(dir, QUIRE_RUN_STATE_DIR "/x");
}

static void test_worker_killed(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    assert_int_equal(quire_run_begin(run_id), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t w = fork();
    assert_true(w >= 0);
    if (w == 0) {
        close(p[0]);
        char c = quire_run_worker_begin(run_id) == 0 ? 'y' : 'n';
        if (write(p[1], &c, 1) != 1) _exit(2);
        for (int i = 0; i < 300; i++) usleep(100000); /* at most 30 s */
        _exit(0);
    }
    close(p[1]);
    char c = 0;
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    assert_int_equal(c, 'y');
    char path[300];
    worker_file(path, sizeof path, w);
    assert_true(quire_fs_exists(path));
    assert_int_equal(quire_run_stop_workers(run_id, 2000), 1);
    int st;
    assert_int_equal(waitpid(w, &st, 0), w); /* reaped only now: stop_workers saw the zombie */
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    /* its file is stale now (the process is gone): nothing to kill */
    assert_int_equal(quire_run_stop_workers(run_id, 100), 0);
    assert_int_equal(quire_run_end(run_id), 0);
    assert_false(quire_fs_exists(path));
}

static void test_worker_end_and_reuse(void **state)
{
    (void)state;
    if (!root_ok()) skip();
    assert_int_equal(quire_run_begin(run_id), 0);
    char path[300];
    worker_file(path, sizeof path, getpid());
    /* a stale file naming our own pid but another start time is no worker of ours */
    assert_int_equal(quire_fs_write_atomic(path, "1 12345\n", 8, 0644), 0);
    assert_int_equal(quire_run_stop_workers(run_id, 100), 0);
    assert_int_equal(quire_run_worker_begin(run_id), 0);
    assert_true(quire_fs_exists(path));
    assert_int_equal(quire_run_worker_end(run_id), 0);
    assert_false(quire_fs_exists(path));
    assert_int_equal(quire_run_worker_end(run_id), 0); /* already gone is fine */
    /* scratch files of the run go with its state directory */
    char dir[128], scratch[200];
    assert_int_equal(quire_run_dir(run_id, dir, sizeof dir), 0);
    assert_int_equal(quire_fs_mkdtemp(dir, "compliance-", scratch, sizeof scratch), 0);
    assert_true(quire_fs_is_dir(scratch));
    assert_int_equal(quire_run_end(run_id), 0);
    assert_false(quire_fs_exists(scratch));
}

int main(void)
{
    snprintf(run_id, sizeof run_id, "ur%ld", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_worker_killed),
        cmocka_unit_test(test_worker_end_and_reuse),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (geteuid() == 0) quire_run_end(run_id);
    return rc;
}
