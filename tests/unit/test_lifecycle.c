/* Unit tests for run/lifecycle over the fake backend (backend/fake.h): no root, no namespaces,
 * no processes. Each test scripts the roles and checks what the lifecycle decides — the
 * verdicts of QIR's exit rules (checks/check.h quire_check_exits), which roles it stops, that
 * the test bed goes — for a failed test bed, a role that cannot start, the timeout, exit code
 * 127 from either side, a crashing server or simulator, and the path that reaches the test
 * case's check; a WebTransport row (run/testcase_wt.h) gets its files, REQUESTS and PROTOCOLS
 * and its judge gets the WebTransport input. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>

#include "backend/fake.h"
#include "checks/webtransport.h"
#include "run/lifecycle.h"
#include "run/testcase_wt.h"
#include "sim/pcapw.h"
#include "tmpdir.h"
#include "util/err.h"
#include "util/fs.h"

typedef struct fixture {
    char dir[128];
    quire_impl server, client;
    quire_testcase tc;
    quire_fake_script script;
    quire_fake_record rec;
    quire_lifecycle_opts o;
    quire_outcome out;
} fixture;

/* The test case's judge: records that the check step was reached and what it was given. */
static int judge_calls;
static quire_verdict judge_files_seen;
static quire_verdict judge_spy(const quire_check_data *d, char *why, size_t whylen)
{
    judge_calls++;
    judge_files_seen = d->files;
    snprintf(why, whylen, "the spy judge was asked");
    return QUIRE_VERDICT_SUCCEEDED;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || test_tmpdir_make(f->dir, sizeof f->dir, "lifecycle")) return -1;
    f->server = (quire_impl){.name = "fsrv", .url = "", .path = "/nonexistent/fsrv"};
    f->client = (quire_impl){.name = "fcli", .url = "", .path = "/nonexistent/fcli"};
    f->tc = (quire_testcase){
        .name = "faketest",
        .abbr = "F",
        .testcase_server = "transfer",
        .testcase_client = "transfer",
        .files = {{2, 2000}},
        .scenario = "simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25",
        .timeout_s = 5,
        .cert_chain_len = 1,
        .judge = judge_spy,
    };
    f->script.record = &f->rec;
    f->script.role[QUIRE_ROLE_SIM] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(0, 20);
    f->o = (quire_lifecycle_opts){
        .run_id = "tlife",
        .log_dir = f->dir,
        .server = &f->server,
        .client = &f->client,
        .tc = &f->tc,
        .sim_exe = "/nonexistent/quire", /* the fake runs nothing */
        .seed = 1,
        .backend = &quire_backend_fake,
        .backend_cfg = &f->script,
    };
    judge_calls = 0;
    judge_files_seen = QUIRE_VERDICT_NONE;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = test_tmpdir_remove(f->dir);
    free(f);
    return rc;
}

static void run(fixture *f)
{
    assert_int_equal(quire_lifecycle_run(&f->o, &f->out), 0);
    /* whatever happened, the test bed was made once and removed once */
    assert_int_equal(f->rec.destroyed, 1);
}

/* The explanation QIR's exit rules give for these exits, for comparison. */
static void exits_say(quire_exit server, quire_exit client, unsigned timeout_s,
                      quire_verdict *v, char *why, size_t whylen)
{
    quire_check_ctx ctx = {.server = server, .client = client, .timeout_s = timeout_s};
    *v = quire_check_exits(&ctx, why, whylen);
}

static void test_create_fails(void **state)
{
    fixture *f = *state;
    f->script.create_error = QUIRE_ERR_PERM;
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation, "cannot create the testbed"));
    for (int r = 0; r < QUIRE_ROLE_COUNT; r++)
        assert_int_equal(f->rec.starts[r], 0);
    assert_int_equal(judge_calls, 0);
}

static void test_server_start_fails(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_SERVER].start_error = QUIRE_ERR_NOTFOUND;
    run(f);
    /* a setup failure is a failed test with the reason, not an unsupported one */
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation, "cannot start the server"));
    assert_int_equal(f->rec.starts[QUIRE_ROLE_SERVER], 1);
    assert_int_equal(f->rec.starts[QUIRE_ROLE_CLIENT], 0);
    assert_int_equal(f->rec.stops[QUIRE_ROLE_SIM], 1); /* the simulator is stopped */
    assert_int_equal(judge_calls, 0);
    assert_string_not_equal(f->out.log, ""); /* failed tests keep their logs */
}

static void test_client_start_fails(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_CLIENT].start_error = QUIRE_ERR_IO;
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation, "cannot start the client"));
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_SERVER], 1);
    assert_true(f->rec.stop_grace_ms[QUIRE_ROLE_SERVER] > 0); /* a server gets its grace */
    assert_int_equal(judge_calls, 0);
}

static void test_timeout(void **state)
{
    fixture *f = *state;
    f->o.timeout_s = 1;
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_runs(); /* never finishes */
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    quire_verdict v;
    char why[256], s[64];
    quire_exit timeout = {QUIRE_EXIT_TIMEOUT, 0}, stopped = {QUIRE_EXIT_STOPPED, 0};
    exits_say(stopped, timeout, 1, &v, why, sizeof why);
    assert_int_equal(v, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation, why)); /* "client killed at the 1 s timeout" */
    assert_non_null(strstr(f->out.explanation, quire_check_exit_str(&timeout, 1, s, sizeof s)));
    /* the client is killed at once, the server stopped after it, both were still running */
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_CLIENT], 1);
    assert_int_equal(f->rec.stop_grace_ms[QUIRE_ROLE_CLIENT], 0);
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_SERVER], 1);
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_SIM], 1);
    assert_true(f->out.duration >= 1.0 && f->out.duration < 4.0);
    assert_int_equal(judge_calls, 0);
}

/* Nothing left of an unsupported test's directory (QIR keeps no logs of those). */
static void assert_no_logs(fixture *f)
{
    char pair[512];
    assert_string_equal(f->out.log, "");
    snprintf(pair, sizeof pair, "%s/%s_%s", f->dir, f->server.name, f->client.name);
    assert_false(quire_fs_exists(pair));
}

static void test_client_127(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(127, 10);
    run(f);
    quire_verdict v;
    char why[256];
    exits_say((quire_exit){QUIRE_EXIT_STOPPED, 0}, (quire_exit){QUIRE_EXIT_CODE, 127}, 5, &v, why,
              sizeof why);
    assert_int_equal(v, QUIRE_VERDICT_UNSUPPORTED);
    assert_int_equal(f->out.verdict, v);
    assert_string_equal(f->out.explanation, why);
    assert_string_equal(f->rec.testcase[QUIRE_ROLE_CLIENT], "transfer");
    assert_int_equal(judge_calls, 0);
    assert_no_logs(f);
}

static void test_server_127(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_exits(127, 0);
    f->script.role[QUIRE_ROLE_SERVER].not_ready = 1;
    run(f);
    quire_verdict v;
    char why[256];
    exits_say((quire_exit){QUIRE_EXIT_CODE, 127}, (quire_exit){QUIRE_EXIT_NOT_STARTED, 0}, 5, &v,
              why, sizeof why);
    assert_int_equal(v, QUIRE_VERDICT_UNSUPPORTED);
    assert_int_equal(f->out.verdict, v);
    assert_string_equal(f->out.explanation, why);
    assert_int_equal(f->rec.starts[QUIRE_ROLE_CLIENT], 0); /* no client for a server that left */
    assert_int_equal(judge_calls, 0);
    assert_no_logs(f);
}

/* A limit an endpoint ran into (the backend's limit_hit) ends the explanation of a failed
 * test, for client and server; a test that succeeds does not mention it. */
static void test_limit_hit(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_SERVER].term_code = 1; /* so QIR's exit rules decide */
    f->script.role[QUIRE_ROLE_SERVER].limit_hit =
        "the server reached the pids limit of 9 (1 fork refused)";
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(1, 10);
    f->script.role[QUIRE_ROLE_CLIENT].limit_hit =
        "the client wrote more than the /downloads limit of 1 MiB (No space left on device)";
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation,
                           "; the client wrote more than the /downloads limit of 1 MiB (No "
                           "space left on device); the server reached the pids limit of 9"));
    assert_true(!strncmp(f->out.explanation, "client exit code 1", 18));
}

/* A server that never gets ready (say, a fork bomb that exhausted its pids): the limit ends
 * the timeout's explanation too. */
static void test_limit_hit_not_ready(void **state)
{
    fixture *f = *state;
    f->o.timeout_s = 1;
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_SERVER].not_ready = 1;
    f->script.role[QUIRE_ROLE_SERVER].limit_hit = "the server reached the pids limit of 9";
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_string_equal(f->out.explanation, "server not ready within the 1 s timeout; the server "
                                            "reached the pids limit of 9");
}

static void test_server_crash(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_crashes(SIGSEGV, 100);
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_runs();
    f->script.role[QUIRE_ROLE_CLIENT].term_code = -1; /* dies of the runner's SIGTERM */
    run(f);
    quire_verdict v;
    char why[256];
    exits_say((quire_exit){QUIRE_EXIT_SIGNAL, SIGSEGV},
              (quire_exit){QUIRE_EXIT_STOPPED, 128 + SIGTERM}, 5, &v, why, sizeof why);
    assert_int_equal(v, QUIRE_VERDICT_FAILED);
    assert_int_equal(f->out.verdict, v);
    assert_non_null(strstr(f->out.explanation, why)); /* "server killed by signal 11 while ..." */
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_CLIENT], 1); /* the client is stopped */
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_SERVER], 0); /* it had ended */
    assert_true(f->out.duration < 4.0);                              /* not the timeout */
    assert_int_equal(judge_calls, 0);
}

static void test_sim_crash(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_SIM] = quire_fake_crashes(SIGABRT, 100);
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_runs();
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation, "simulator killed by signal"));
    assert_non_null(strstr(f->out.explanation, "during the test"));
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_CLIENT], 1);
    assert_int_equal(judge_calls, 0);
}

/* The fake client downloads: every file of /www into /downloads (host paths of the mounts). */
static const char *mount_of(const quire_role_spec *s, const char *target)
{
    for (size_t i = 0; i < s->nmounts; i++)
        if (!strcmp(s->mounts[i].target, target)) return s->mounts[i].host_path;
    return NULL;
}

static void download_all(const quire_role_spec *s, void *arg)
{
    (void)arg;
    const char *www = mount_of(s, "/www"), *dl = mount_of(s, "/downloads");
    /* the client's own /www is empty; the server's is its sibling server_www */
    char from_dir[4200];
    snprintf(from_dir, sizeof from_dir, "%s/../server_www", www);
    DIR *d = opendir(from_dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char from[8400], to[8400], buf[4096];
        snprintf(from, sizeof from, "%s/%s", from_dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dl, e->d_name);
        FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
        assert_non_null(in);
        assert_non_null(out);
        for (size_t n; (n = fread(buf, 1, sizeof buf, in)) > 0;)
            assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        assert_int_equal(fclose(out), 0);
    }
    closedir(d);
}

/* The fake simulator leaves two valid, empty captures, as one that forwarded nothing. */
static void write_captures(const quire_role_spec *s, void *arg)
{
    (void)arg;
    static const char *const names[] = {"trace_node_left.pcap", "trace_node_right.pcap"};
    for (int i = 0; i < 2; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", s->sim->dir, names[i]);
        quire_pcapw w;
        memset(&w, 0, sizeof w);
        assert_int_equal(quire_pcapw_open(&w, path), 0);
        quire_pcapw_close(&w);
    }
}

static void test_success_reaches_check(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_CLIENT].on_start = download_all;
    f->script.role[QUIRE_ROLE_SIM].on_start = write_captures;
    run(f);
    assert_int_equal(judge_calls, 1);
    assert_int_equal(judge_files_seen, QUIRE_VERDICT_SUCCEEDED); /* both files arrived intact */
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_string_equal(f->out.explanation, "the spy judge was asked");
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_SERVER], 1);
    assert_int_equal(f->rec.stopped_running[QUIRE_ROLE_CLIENT], 0);
    assert_int_equal(f->rec.env_seen[QUIRE_ROLE_CLIENT], f->rec.env_seen[QUIRE_ROLE_SERVER]);
    char out[4200];
    snprintf(out, sizeof out, "%s/%s/output.txt", f->dir, f->out.log);
    assert_true(quire_fs_exists(out)); /* a succeeded test keeps its log */
}

/* A failed download still reaches the check, which is told so. */
static void test_client_fails_server_exits_0(void **state)
{
    fixture *f = *state;
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(1, 20);
    f->script.role[QUIRE_ROLE_SIM].on_start = write_captures;
    run(f);
    /* QIR: the server's 0 after SIGTERM lets the check decide */
    assert_int_equal(judge_calls, 1);
    assert_int_not_equal(judge_files_seen, QUIRE_VERDICT_SUCCEEDED); /* nothing downloaded */
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_SUCCEEDED);      /* what the judge said */
}

/* Without the simulator the backend says when the server listens. */
static void test_no_simulator(void **state)
{
    fixture *f = *state;
    f->o.sim_exe = NULL;
    run(f);
    assert_int_equal(f->rec.starts[QUIRE_ROLE_SIM], 0);
    assert_int_equal(f->rec.starts[QUIRE_ROLE_CLIENT], 1);
    /* no captures: the check cannot read the trace */
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(f->out.explanation, "cannot check the trace"));
}

/* QIR's compliance pre-check: the endpoint alone, 127 for an unknown TESTCASE passes. */
static void test_compliance(void **state)
{
    fixture *f = *state;
    f->o.compliance = QUIRE_COMPLIANCE_SERVER;
    f->script.role[QUIRE_ROLE_SERVER] = quire_fake_exits(127, 10);
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_int_equal(f->rec.starts[QUIRE_ROLE_CLIENT], 0);
    f->o.compliance = QUIRE_COMPLIANCE_CLIENT;
    f->script.role[QUIRE_ROLE_CLIENT] = quire_fake_exits(0, 10);
    memset(&f->rec, 0, sizeof f->rec);
    run(f);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_FAILED); /* 0 is not what QIR wants */
    assert_int_equal(f->rec.starts[QUIRE_ROLE_SERVER], 0);
}

/* WebTransport (transfer-unidirectional-send: the client holds the files, the server asks for
 * them): what each role was given, and the server "receives" by copying the client's files. */
static char wt_env[QUIRE_ROLE_COUNT][2][4200]; /* PROTOCOLS, REQUESTS */
static void wt_env_of(const quire_role_spec *s)
{
    for (const char *const *e = s->env; *e; e++) {
        if (!strncmp(*e, "PROTOCOLS=", 10)) snprintf(wt_env[s->role][0], 4200, "%s", *e + 10);
        if (!strncmp(*e, "REQUESTS=", 9)) snprintf(wt_env[s->role][1], 4200, "%s", *e + 9);
    }
}

static void wt_server_receives(const quire_role_spec *s, void *arg)
{
    (void)arg;
    wt_env_of(s);
    /* REQUESTS = <endpoint>/<file> ...: copy each from the client's www to /downloads */
    const char *www = mount_of(s, "/www"), *dl = mount_of(s, "/downloads");
    char req[4200];
    snprintf(req, sizeof req, "%s", wt_env[s->role][1]);
    char *save = NULL;
    for (char *p = strtok_r(req, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
        char from[8400], to[8400], dir[8400], buf[4096];
        snprintf(from, sizeof from, "%s/../client_www/%s", www, p);
        snprintf(to, sizeof to, "%s/%s", dl, p);
        snprintf(dir, sizeof dir, "%s", to);
        *strrchr(dir, '/') = 0;
        assert_int_equal(quire_fs_mkdir_p(dir, 0755), 0);
        FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
        assert_non_null(in);
        assert_non_null(out);
        for (size_t n; (n = fread(buf, 1, sizeof buf, in)) > 0;)
            assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        assert_int_equal(fclose(out), 0);
    }
}

static void wt_client_env(const quire_role_spec *s, void *arg)
{
    (void)arg;
    wt_env_of(s);
}

/* The WebTransport judge with the handshake count the empty fake captures cannot give. */
static quire_verdict wt_judge_spy(const quire_check_data *d, char *why, size_t whylen)
{
    judge_calls++;
    const quire_wt_judge_arg *a = d->arg;
    assert_non_null(a);
    assert_int_equal(a->handshake, 0);
    assert_non_null(strstr(a->source_root, "/client_www"));
    assert_non_null(strstr(a->download_root, "/server_downloads"));
    return quire_wt_check_transfer(1, a->source_root, a->download_root, a->endpoint, a->files,
                                   a->nfiles, why, whylen);
}

static void test_webtransport_row(void **state)
{
    fixture *f = *state;
    memset(wt_env, 0, sizeof wt_env);
    const quire_testcase *row = quire_wt_row(quire_wt_find("US"));
    assert_non_null(row);
    assert_ptr_equal(row->judge, quire_judge_webtransport);
    f->tc = *row;
    f->tc.judge = wt_judge_spy;
    f->tc.timeout_s = 5;
    f->script.role[QUIRE_ROLE_SERVER].on_start = wt_server_receives;
    f->script.role[QUIRE_ROLE_CLIENT].on_start = wt_client_env;
    f->script.role[QUIRE_ROLE_SIM].on_start = write_captures;
    run(f);
    assert_int_equal(judge_calls, 1);
    assert_int_equal(f->out.verdict, QUIRE_VERDICT_SUCCEEDED);
    assert_non_null(strstr(f->out.explanation, "5 files downloaded intact"));
    assert_string_equal(f->rec.testcase[QUIRE_ROLE_SERVER], "transfer-unidirectional-send");
    assert_string_equal(f->rec.testcase[QUIRE_ROLE_CLIENT], "transfer");
    /* one protocol, the same for both; the client's REQUESTS is the session URL only */
    assert_true(wt_env[QUIRE_ROLE_CLIENT][0][0] != 0);
    assert_null(strchr(wt_env[QUIRE_ROLE_CLIENT][0], ' '));
    assert_string_equal(wt_env[QUIRE_ROLE_CLIENT][0], wt_env[QUIRE_ROLE_SERVER][0]);
    assert_int_equal(strncmp(wt_env[QUIRE_ROLE_CLIENT][1], "https://server4:443/", 20), 0);
    assert_null(strchr(wt_env[QUIRE_ROLE_CLIENT][1] + 20, '/'));
    assert_null(strchr(wt_env[QUIRE_ROLE_CLIENT][1], ' '));
    /* the server's REQUESTS: the five <endpoint>/<file> paths of that session */
    size_t n = 0;
    for (const char *p = wt_env[QUIRE_ROLE_SERVER][1]; *p; p++)
        n += *p == ' ';
    assert_int_equal(n, 4);
    assert_int_equal(strncmp(wt_env[QUIRE_ROLE_SERVER][1], wt_env[QUIRE_ROLE_CLIENT][1] + 20,
                             strlen(wt_env[QUIRE_ROLE_CLIENT][1] + 20)),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_start_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_start_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_127, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_127, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_hit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_hit_not_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sim_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_reaches_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_fails_server_exits_0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_simulator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compliance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webtransport_row, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
