/* Unit tests for checks/observe and checks/observe_conn on a reference capture (quic-go with a
 * Retry, tests/data/captures/go-retry.pcap and its key log): one walk feeds the facts and the
 * per-connection observers alike, each sees every decoded packet, the facts equal those of
 * quire_facts_scan(), and too many observers are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/facts.h"
#include "checks/observe.h"
#include "checks/observe_conn.h"
#include "util/err.h"

static void path(char *out, size_t len, const char *ext)
{
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    snprintf(out, len, "%s/tests/data/captures/go-retry.%s", dir ? dir : QUIRE_SOURCE_DIR, ext);
}

typedef struct counter {
    size_t steps, finishes;
} counter;

static void count_step(void *state, const quire_trace *t, const quire_conn_packet *p)
{
    (void)t;
    (void)p;
    ((counter *)state)->steps++;
}

static void count_finish(void *state, const quire_trace *t)
{
    (void)t;
    ((counter *)state)->finishes++;
}

static void test_one_walk_feeds_all(void **state)
{
    (void)state;
    char cap[1024], keys[1024];
    path(cap, sizeof cap, "pcap");
    path(keys, sizeof keys, "keys");
    quire_facts *f = calloc(1, sizeof *f), *ref = calloc(1, sizeof *ref);
    quire_trace *t = calloc(1, sizeof *t);
    assert_non_null(f);
    assert_non_null(ref);
    assert_non_null(t);
    quire_obs_timing tm = {0};
    quire_obs_closes cl = {0};
    quire_obs_retry_echo re = {0};
    counter c = {0};
    quire_observer obs[] = {quire_facts_observer(f, cap, keys), quire_obs_timing_observer(&tm),
                            quire_obs_closes_observer(&cl), quire_obs_retry_echo_observer(&re),
                            {.name = "count", .state = &c, .step = count_step,
                             .finish = count_finish}};
    assert_int_equal(quire_observe_run(t, cap, NULL, 0, keys, obs, 5), 0);
    /* 22 QUIC packets, all decrypted (go-retry.txt) */
    assert_int_equal(c.steps, 22);
    assert_int_equal(c.finishes, 1);
    assert_true(f->loaded);
    assert_int_equal(f->quic_packets, 22);
    assert_int_equal(f->retries, 1);
    assert_int_equal(f->retry_decided, 1);
    assert_int_equal(f->nconns, 1);
    /* the same facts as a walk of their own */
    assert_int_equal(quire_facts_scan(ref, cap, keys), 0);
    assert_int_equal(ref->nhs, f->nhs);
    assert_int_equal(ref->retry_decided_frame, f->retry_decided_frame);
    assert_int_equal(ref->records, f->records);
    assert_int_equal(ref->close[0].frame, f->close[0].frame);
    /* Retry seen on connection 0, its token in the client's next Initial */
    assert_int_equal(re.seen[0], 1);
    assert_int_equal(re.echoed[0], 1);
    /* the client closed (connection_close 1 from the client), nothing after it */
    assert_int_equal(cl.closed[0][0], 1);
    assert_int_equal(cl.after_close[0][0], 0);
    /* timing: Initial, then 1-RTT, then 3000 bytes of response on stream 0 */
    assert_true(tm.have_initial && tm.have_1rtt && tm.have_stream);
    assert_true(tm.t_1rtt >= tm.t_initial);
    assert_true(tm.t_last_stream >= tm.t_first_stream);
    assert_int_equal(tm.stream_bytes, 3000);
    quire_trace_free(t);
    free(t);
    free(f);
    free(ref);
}

static void test_limits_and_errors(void **state)
{
    (void)state;
    quire_trace *t = calloc(1, sizeof *t);
    assert_non_null(t);
    quire_observer many[QUIRE_OBSERVE_MAX + 1];
    memset(many, 0, sizeof many);
    assert_int_equal(quire_observe_run(t, "x.pcap", NULL, 0, NULL, many, QUIRE_OBSERVE_MAX + 1),
                     QUIRE_ERR_INVALID);
    /* an unreadable capture: no finish, the decoder's error */
    counter c = {0};
    quire_observer o = {.state = &c, .step = count_step, .finish = count_finish};
    assert_true(quire_observe_run(t, "/nonexistent/x.pcap", NULL, 0, NULL, &o, 1) < 0);
    assert_int_equal(c.finishes, 0);
    assert_int_equal(c.steps, 0);
    quire_trace_free(t);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_walk_feeds_all),
        cmocka_unit_test(test_limits_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
