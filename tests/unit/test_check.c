/* Unit tests for checks/check: the exit-status rules and the file comparison (identical,
 * missing, extra, truncated, corrupted) and the trace hint added to exit failures. */
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

#include "checks/check.h"
#include "tmpdir.h"

typedef struct fixture {
    char root[64], www[96], dl[96];
} fixture;

static void put(const char *dir, const char *name, const char *data, size_t len)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (test_tmpdir_make(fx->root, sizeof fx->root, "check")) return -1;
    snprintf(fx->www, sizeof fx->www, "%s/www", fx->root);
    snprintf(fx->dl, sizeof fx->dl, "%s/dl", fx->root);
    if (mkdir(fx->www, 0755) || mkdir(fx->dl, 0755)) return -1;
    /* 200 KiB so the comparison crosses its 64 KiB chunks */
    size_t big = 200 * 1024;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)(i * 131 + 7);
    put(fx->www, "a", data, big);
    put(fx->dl, "a", data, big);
    free(data);
    put(fx->www, "b", "hello", 5);
    put(fx->dl, "b", "hello", 5);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    int rc = test_tmpdir_remove(fx->root);
    free(fx);
    return rc;
}

static quire_check_ctx ctx_of(fixture *fx, const char *const *files, size_t n)
{
    quire_check_ctx c = {.www_dir = fx->www, .downloads_dir = fx->dl, .files = files, .nfiles = n};
    c.client.kind = QUIRE_EXIT_CODE;
    c.server.kind = QUIRE_EXIT_STOPPED;
    return c;
}

static void test_files_identical(void **state)
{
    fixture *fx = *state;
    const char *files[] = {"a", "b"};
    quire_check_ctx c = ctx_of(fx, files, 2);
    char why[256];
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_SUCCEEDED);
    /* the test case's check also reads the captures: none here */
    assert_int_equal(quire_check_run(&c, quire_judge_transfer, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "no captures"));
    c.sim_dir = fx->root;
    assert_int_equal(quire_check_run(&c, quire_judge_transfer, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "trace_node_left.pcap"));
    /* a file that was not requested but downloaded is extra */
    c.nfiles = 1;
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "unexpected"));
    assert_non_null(strstr(why, "b"));
}

static void test_files_missing_and_corrupt(void **state)
{
    fixture *fx = *state;
    const char *files[] = {"a", "b", "c"};
    quire_check_ctx c = ctx_of(fx, files, 3);
    char why[256];
    put(fx->www, "c", "xyz", 3);
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "1 of 3 files not downloaded"));
    put(fx->dl, "c", "xy", 2); /* truncated */
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "downloaded 2 bytes, served 3"));
    put(fx->dl, "c", "xyZ", 3); /* same size, one byte differs */
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "contents differ"));
    put(fx->dl, "c", "xyz", 3);
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_SUCCEEDED);
    c.nfiles = 0;
    assert_int_equal(quire_check_files(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
}

static void test_exit_rules(void **state)
{
    (void)state;
    char why[256];
    quire_check_ctx c = {.timeout_s = 60};
    c.client = (quire_exit){QUIRE_EXIT_CODE, 0};
    c.server = (quire_exit){QUIRE_EXIT_STOPPED, 143};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_NONE);
    c.client.code = 1;
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "client exit code 1");
    c.client.code = 127;
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_UNSUPPORTED);
    /* a server that says unsupported before it is ready: the client never started */
    c.client = (quire_exit){QUIRE_EXIT_NOT_STARTED, 0};
    c.server = (quire_exit){QUIRE_EXIT_CODE, 127};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_UNSUPPORTED);
    assert_non_null(strstr(why, "server"));
    c.server = (quire_exit){QUIRE_EXIT_CODE, 1};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "server exit code 1 before it was ready");
    c.client = (quire_exit){QUIRE_EXIT_TIMEOUT, 137};
    c.server = (quire_exit){QUIRE_EXIT_STOPPED, 0};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "client killed at the 60 s timeout");
    c.client = (quire_exit){QUIRE_EXIT_STOPPED, 143};
    c.server = (quire_exit){QUIRE_EXIT_SIGNAL, 11};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "server killed by signal 11 (SIGSEGV) while the client was running");
    /* QIR checks when the client OR the server exited 0: the client succeeded, the server
     * had died on its own ... */
    c.client = (quire_exit){QUIRE_EXIT_CODE, 0};
    c.server = (quire_exit){QUIRE_EXIT_CODE, 2};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_NONE);
    /* ... or the client failed and the server stopped cleanly (compose: "server exited with
     * code 0") ... */
    c.client = (quire_exit){QUIRE_EXIT_CODE, 1};
    c.server = (quire_exit){QUIRE_EXIT_STOPPED, 0};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_NONE);
    /* ... or the server ended with 0 while the client ran (stopped with 143) */
    c.client = (quire_exit){QUIRE_EXIT_STOPPED, 143};
    c.server = (quire_exit){QUIRE_EXIT_CODE, 0};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_NONE);
    /* a client that exits 0 after the runner stopped it counts too */
    c.client = (quire_exit){QUIRE_EXIT_STOPPED, 0};
    c.server = (quire_exit){QUIRE_EXIT_CODE, 1};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_NONE);
    /* neither exited 0 */
    c.client = (quire_exit){QUIRE_EXIT_SIGNAL, 11};
    c.server = (quire_exit){QUIRE_EXIT_STOPPED, 137};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(why, "client killed by signal 11 (SIGSEGV)");
    /* 127 when stopped is still 127 to QIR; the timeout wins over everything */
    c.client = (quire_exit){QUIRE_EXIT_CODE, 1};
    c.server = (quire_exit){QUIRE_EXIT_STOPPED, 127};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_UNSUPPORTED);
    c.client = (quire_exit){QUIRE_EXIT_TIMEOUT, 137};
    c.server = (quire_exit){QUIRE_EXIT_CODE, 127};
    assert_int_equal(quire_check_exits(&c, why, sizeof why), QUIRE_VERDICT_FAILED);
}

/* Each kind of trace hint, from facts built in memory. */
static void test_trace_hint(void **state)
{
    (void)state;
    char h[256];
    quire_facts *f = calloc(1, sizeof *f);
    assert_non_null(f);
    quire_facts_init(f, "/x/sim/trace_node_left.pcap");
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h),
                        "no QUIC packet in trace_node_left.pcap");
    f->last_frame[0] = 3;
    f->last_ns[0] = 5000000000ull;
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h),
                        "no packet from the server in trace_node_left.pcap");
    f->last_frame[1] = 2;
    f->last_ns[1] = 4500000000ull; /* half a second: nothing to say */
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h), "");
    /* both quiet long before the test ended (e.g. a server that lost the client after a NAT
     * rebinding while the client, with nothing in flight, only waits) */
    assert_string_equal(quire_check_trace_hint(f, 6500000000ull, h, sizeof h), "");
    assert_string_equal(quire_check_trace_hint(f, 35000000000ull, h, sizeof h),
                        "no packet in either direction for the last 30.0 s of the test (the last: "
                        "trace_node_left.pcap frame 3, from the client)");
    f->last_ns[1] = 1000000000ull;
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h),
                        "the server's last packet at trace_node_left.pcap frame 2, 4.0 s before "
                        "the client's last (frame 3)");
    /* the last connection's client never sent a Handshake packet: that is the hint, with the
     * server's packets that did not decrypt when there are keys */
    f->last_conn[0] = f->last_conn[1] = 1;
    f->nconns = 1;
    f->conns[0] = (quire_facts_conn){.first_frame = 1, .client_initials = 3};
    f->conns[0].packets[1] = 4;
    f->conns[0].undecryptable[1] = 2;
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h),
                        "the last connection (trace_node_left.pcap frame 1 on) never completed its "
                        "handshake: the client sent 3 Initial packets and no Handshake packet");
    f->have_keys = 1;
    assert_non_null(strstr(quire_check_trace_hint(f, 0, h, sizeof h),
                           "packet; 2 of the server's 4 packets in it did not decrypt"));
    f->conns[0].client_handshakes = 1; /* it got that far: the silence is the hint again */
    assert_non_null(strstr(quire_check_trace_hint(f, 0, h, sizeof h), "4.0 s before"));
    f->nconns = 0;
    f->last_conn[0] = f->last_conn[1] = 0;
    f->close[1].frame = 40;
    f->close[1].error = 0xa;
    snprintf(f->close[1].reason, sizeof f->close[1].reason, "bad frame");
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h),
                        "CONNECTION_CLOSE from the server at trace_node_left.pcap frame 40: "
                        "PROTOCOL_VIOLATION 'bad frame'");
    f->close[1].conn = 7; /* a close of an earlier connection says nothing of the last one */
    assert_non_null(strstr(quire_check_trace_hint(f, 0, h, sizeof h), "4.0 s before"));
    f->close[1].conn = 0;
    f->close[0].frame = 39; /* the earlier close is the one that ended the connection */
    f->close[0].error = 0x178;
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h),
                        "CONNECTION_CLOSE from the client at trace_node_left.pcap frame 39: "
                        "CRYPTO_ERROR (TLS alert 120)");
    f->close[0].error = 0x4242;
    assert_non_null(strstr(quire_check_trace_hint(f, 0, h, sizeof h), "transport error 0x4242"));
    f->close[0].app = 1;
    assert_non_null(strstr(quire_check_trace_hint(f, 0, h, sizeof h), "application error 0x4242"));
    f->loaded = 0;
    assert_string_equal(quire_check_trace_hint(f, 0, h, sizeof h), "");
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_missing_and_corrupt, setup, teardown),
        cmocka_unit_test(test_exit_rules),
        cmocka_unit_test(test_trace_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
