/* Unit tests for run/testbed over the fake backend (no root): the log's line format and its
 * file, starting roles (and a start that fails: logged, not counted as started), the ends the
 * bed records from wait and stop, readiness by the simulator's ready file and by the server's
 * socket, a server or simulator that ends before it is ready, the timeout, the address op,
 * and destroy/close that are safe to repeat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "backend/fake.h"
#include "run/testbed.h"
#include "tmpdir.h"
#include "util/err.h"
#include "util/proc.h"

typedef struct fx {
    char dir[128], log[256], ready[256];
    quire_fake_script script;
    quire_fake_record rec;
    quire_bed bed;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || test_tmpdir_make(f->dir, sizeof f->dir, "testbed")) return -1;
    snprintf(f->log, sizeof f->log, "%s/output.txt", f->dir);
    snprintf(f->ready, sizeof f->ready, "%s/%s", f->dir, QUIRE_BACKEND_READY_FILE);
    f->script.record = &f->rec;
    f->script.role[QUIRE_ROLE_SIM] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(0, 20);
    quire_bed_init(&f->bed, &quire_backend_fake, 0, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    quire_bed_close(&f->bed);
    int rc = test_tmpdir_remove(f->dir);
    free(f);
    return rc;
}

static int create(fx *f)
{
    quire_testbed_spec ts = {.run_id = "t1", .n = 0, .cfg = &f->script, .with_sim = 1};
    char why[256];
    return quire_bed_create(&f->bed, &ts, why, sizeof why);
}

static int start(fx *f, quire_role role)
{
    char why[256];
    if (role == QUIRE_ROLE_SIM) {
        quire_sim_spec sim = {.exe = "quire", .scenario = "simple-p2p", .dir = f->dir};
        return quire_bed_start_sim(&f->bed, &sim, f->log, why, sizeof why);
    }
    quire_role_spec rs = {.role = role, .name = "impl", .path = "/nonexistent", .output = f->log};
    return quire_bed_start(&f->bed, &rs, "TESTCASE=handshake", why, sizeof why);
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *fp = fopen(path, "r");
    size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
    if (fp) fclose(fp);
    buf[n] = 0;
    return buf;
}

static void test_log(void **state)
{
    fx *f = *state;
    assert_int_equal(quire_bed_log_open(&f->bed, f->log), 0);
    quire_bed_log(&f->bed, "hello %d", 42);
    const char *s = slurp(f->log);
    /* 2026-12-04 18:01:02.345 quire: hello 42 */
    assert_int_equal(strlen(s), 23 + 17);
    assert_true(s[4] == '-' && s[10] == ' ' && s[13] == ':' && s[19] == '.');
    assert_string_equal(s + 23, " quire: hello 42\n");
    assert_int_equal(quire_bed_log_open(&f->bed, "/nonexistent/dir/log"), QUIRE_ERR_IO);
    quire_bed_log(&f->bed, "goes nowhere"); /* no crash without a log */
}

static void test_roles(void **state)
{
    fx *f = *state;
    assert_int_equal(quire_bed_log_open(&f->bed, f->log), 0);
    assert_int_equal(create(f), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SIM), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SERVER), 0);
    assert_non_null(strstr(slurp(f->log), "starting the simulator"));
    assert_non_null(strstr(slurp(f->log), ": scenario simple-p2p\n"));
    assert_non_null(strstr(slurp(f->log), "starting server impl: "));
    assert_non_null(strstr(slurp(f->log), " (TESTCASE=handshake)\n"));
    /* the fake writes the ready file once the server started with the simulator */
    assert_int_equal(quire_bed_wait_ready(&f->bed, f->ready, 0, quire_proc_now_ms() + 2000), 0);
    assert_int_equal(start(f, QUIRE_ROLE_CLIENT), 0);
    assert_true(quire_bed_running(&f->bed, QUIRE_ROLE_CLIENT));
    static const quire_role roles[3] = {QUIRE_ROLE_CLIENT, QUIRE_ROLE_SERVER, QUIRE_ROLE_SIM};
    size_t which = 9;
    assert_int_equal(quire_bed_wait(&f->bed, roles, 3, 2000, &which), 0);
    assert_int_equal(which, 0); /* the client exits after 20 ms */
    assert_true(f->bed.ended[QUIRE_ROLE_CLIENT]);
    assert_true(WIFEXITED(f->bed.status[QUIRE_ROLE_CLIENT]));
    assert_false(quire_bed_running(&f->bed, QUIRE_ROLE_CLIENT));
    assert_int_equal(quire_bed_stop(&f->bed, QUIRE_ROLE_SERVER, 100), 0);
    assert_true(f->bed.ended[QUIRE_ROLE_SERVER]);
    assert_int_equal(f->rec.stop_grace_ms[QUIRE_ROLE_SERVER], 100);
    assert_int_equal(quire_bed_stop(&f->bed, QUIRE_ROLE_CLIENT, 0), 0); /* ended: status kept */
    assert_true(WIFEXITED(f->bed.status[QUIRE_ROLE_CLIENT]));
    char a[64];
    assert_int_equal(quire_bed_address(&f->bed, QUIRE_ROLE_SERVER, 0, a, sizeof a), 0);
    assert_string_equal(a, "198.19.0.100");
    assert_int_equal(quire_bed_address(&f->bed, QUIRE_ROLE_SERVER, 1, a, 4), QUIRE_ERR_INVALID);
    assert_int_equal(quire_bed_netns(&f->bed, QUIRE_ROLE_CLIENT, a, sizeof a),
                     QUIRE_ERR_UNSUPPORTED);
    assert_int_equal(quire_bed_destroy(&f->bed), 0);
    assert_int_equal(quire_bed_destroy(&f->bed), 0);
    assert_int_equal(f->rec.destroyed, 1);
    assert_int_equal(quire_bed_address(&f->bed, QUIRE_ROLE_SERVER, 0, a, sizeof a),
                     QUIRE_ERR_INVALID);
}

static void test_start_fails(void **state)
{
    fx *f = *state;
    f->script.role[QUIRE_ROLE_SERVER].start_error = QUIRE_ERR_NOTFOUND;
    assert_int_equal(quire_bed_log_open(&f->bed, f->log), 0);
    assert_int_equal(create(f), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SERVER), QUIRE_ERR_NOTFOUND);
    assert_false(f->bed.started[QUIRE_ROLE_SERVER]);
    assert_int_equal(quire_bed_stop(&f->bed, QUIRE_ROLE_SERVER, 0), QUIRE_ERR_INVALID);
    /* the reason is in the log after the "starting" line */
    const char *s = slurp(f->log);
    assert_non_null(strstr(s, "starting server impl"));
    assert_non_null(strstr(strstr(s, "starting server impl"), "\n20"));
}

static void test_ready_by_socket(void **state)
{
    fx *f = *state;
    assert_int_equal(create(f), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SERVER), 0);
    /* no simulator: the server's socket (the fake's server_bound) */
    assert_int_equal(quire_bed_wait_ready(&f->bed, NULL, 443, quire_proc_now_ms() + 2000), 0);
}

static void test_not_ready(void **state)
{
    fx *f = *state;
    f->script.role[QUIRE_ROLE_SERVER].not_ready = 1;
    assert_int_equal(create(f), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SERVER), 0);
    long long t0 = quire_proc_now_ms();
    assert_int_equal(quire_bed_wait_ready(&f->bed, NULL, 443, t0 + 100), QUIRE_ERR_TIMEOUT);
    assert_true(quire_proc_now_ms() - t0 >= 100);
    assert_false(f->bed.ended[QUIRE_ROLE_SERVER]);
}

static void test_ends_before_ready(void **state)
{
    fx *f = *state;
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_exits(127, 10);
    f->script.role[QUIRE_ROLE_SERVER].not_ready = 1;
    assert_int_equal(create(f), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SIM), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SERVER), 0);
    assert_int_equal(quire_bed_wait_ready(&f->bed, f->ready, 0, quire_proc_now_ms() + 2000), 1);
    assert_true(f->bed.ended[QUIRE_ROLE_SERVER]);
    assert_int_equal(WEXITSTATUS(f->bed.status[QUIRE_ROLE_SERVER]), 127);
    /* only the simulator started, and it crashes: 1 with the simulator ended */
    quire_bed_destroy(&f->bed);
    quire_bed_init(&f->bed, &quire_backend_fake, 0, NULL);
    f->script.role[QUIRE_ROLE_SIM] = quire_fake_crashes(11, 10);
    assert_int_equal(create(f), 0);
    assert_int_equal(start(f, QUIRE_ROLE_SIM), 0);
    assert_int_equal(quire_bed_wait_ready(&f->bed, "/nonexistent", 0, quire_proc_now_ms() + 2000),
                     1);
    assert_true(f->bed.ended[QUIRE_ROLE_SIM]);
    assert_true(WIFSIGNALED(f->bed.status[QUIRE_ROLE_SIM]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ready_by_socket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ends_before_ready, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
