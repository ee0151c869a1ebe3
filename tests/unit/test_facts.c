/* Unit tests for checks/facts on the reference captures under tests/data/captures/ (real
 * ngtcp2, quic-go and aioquic connections over loopback, with their key logs): the facts a
 * capture yields, and each test case's judge passing on the capture made for it, with the
 * same capture standing for both vantage points. Also: a missing capture and a wrong key log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/check.h"
#include "util/err.h"

static quire_facts *scan(const char *name, int keys)
{
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    char cap[1024], kl[1024];
    snprintf(cap, sizeof cap, "%s/tests/data/captures/%s.pcap", dir ? dir : QUIRE_SOURCE_DIR, name);
    snprintf(kl, sizeof kl, "%s/tests/data/captures/%s.keys", dir ? dir : QUIRE_SOURCE_DIR, name);
    quire_facts *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(quire_facts_scan(f, cap, keys ? kl : NULL), 0);
    assert_true(f->loaded);
    return f;
}

/* Runs judge on capture `name` (both sides) with intact files; returns the verdict. */
static quire_verdict run(const char *name, int keys, quire_judge_fn judge, char *why, size_t len)
{
    quire_facts *f = scan(name, keys);
    quire_check_data d = {.client = f,
                          .server = f,
                          .keylog = keys,
                          .files = QUIRE_VERDICT_SUCCEEDED,
                          .nfiles = 1,
                          .bytes = 1024};
    snprintf(d.files_why, sizeof d.files_why, "files intact");
    quire_verdict v = judge(&d, why, len);
    free(f);
    return v;
}

#define PASSES(name, judge)                                                                        \
    do {                                                                                           \
        char why_[600];                                                                            \
        quire_verdict v_ = run(name, 1, judge, why_, sizeof why_);                                 \
        if (v_ != QUIRE_VERDICT_SUCCEEDED) fail_msg("%s: %s", name, why_);                         \
    } while (0)

static void test_passing_captures(void **state)
{
    (void)state;
    PASSES("handshake", quire_judge_handshake);
    PASSES("go-handshake", quire_judge_handshake);
    PASSES("go-transfer", quire_judge_transfer);
    PASSES("retry", quire_judge_retry);
    PASSES("go-retry", quire_judge_retry);
    PASSES("aioquic-retry", quire_judge_retry);
    PASSES("resumption", quire_judge_resumption);
    PASSES("go-zerortt", quire_judge_zerortt);
    PASSES("keyupdate", quire_judge_keyupdate);
    PASSES("v2", quire_judge_v2);
    PASSES("vn", quire_judge_versionnegotiation);
    PASSES("ipv6", quire_judge_ipv6);
    PASSES("chacha20", quire_judge_chacha20);
    PASSES("go-chacha20", quire_judge_chacha20);
    PASSES("multiplex", quire_judge_multiplexing);
    PASSES("migration", quire_judge_connectionmigration);
    PASSES("handshake", quire_judge_ecn);
    PASSES("handshake", quire_judge_goodput);
}

static void test_facts_values(void **state)
{
    (void)state;
    quire_facts *f = scan("go-retry", 1);
    assert_int_equal(f->nhs, 1);
    assert_int_equal(f->retries, 1);
    assert_int_equal(f->retry_decided, 1);
    assert_true(f->retry_decided_frame > f->first_retry_frame);
    assert_int_equal(f->client_hellos, 2); /* a new ClientHello after the Retry */
    free(f);
    f = scan("resumption", 1);
    assert_int_equal(f->nhs, 2);
    assert_true(f->hs[1].frame > f->hs[0].frame);
    free(f);
    f = scan("v2", 1);
    assert_true(quire_facts_has_version(&f->client_initial, 1));
    assert_true(quire_facts_has_version(&f->server_initial, 0x6b3343cf));
    assert_int_equal(f->server_handshake.n, 1);
    free(f);
    f = scan("keyupdate", 1);
    assert_true(f->key_phase[0][1] > 0 && f->key_phase[1][1] > 0);
    free(f);
    f = scan("migration", 1);
    assert_int_equal(f->server_paths.nseen, 2);
    assert_int_equal(f->client_paths.nseen, 2);
    assert_true(f->nchallenges >= 1 && f->nresponses >= 1);
    assert_int_equal(f->server_paths.bad_frame, 0);
    free(f);
}

static void test_failures(void **state)
{
    (void)state;
    char why[600];
    /* the right trace for another test */
    assert_int_equal(run("handshake", 1, quire_judge_retry, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "no Retry packet in handshake.pcap"));
    assert_int_equal(run("retry", 1, quire_judge_handshake, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "did not expect a Retry: retry.pcap frame 2"));
    assert_int_equal(run("handshake", 1, quire_judge_longrtt, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_int_equal(run("handshake", 1, quire_judge_chacha20, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "TLS_AES_128_GCM_SHA256"));
    assert_int_equal(run("resumption", 1, quire_judge_transfer, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "got 2"));
    assert_int_equal(run("handshake", 1, quire_judge_v2, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_int_equal(run("v2", 1, quire_judge_handshake, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "0x6b3343cf"));
    assert_int_equal(run("handshake", 1, quire_judge_ipv6, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "over IPv4"));
    assert_int_equal(run("handshake", 1, quire_judge_keyupdate, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_int_equal(run("handshake", 1, quire_judge_connectionmigration, why, sizeof why),
                     QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "single path"));
    /* without the key log: the keyed tests are unsupported (QIR's rule) */
    assert_int_equal(run("keyupdate", 0, quire_judge_keyupdate, why, sizeof why),
                     QUIRE_VERDICT_UNSUPPORTED);
    /* with another capture's key log nothing after the Initials decrypts */
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    char cap[1024], kl[1024];
    snprintf(cap, sizeof cap, "%s/tests/data/captures/keyupdate.pcap",
             dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(kl, sizeof kl, "%s/tests/data/captures/handshake.keys", dir ? dir : QUIRE_SOURCE_DIR);
    quire_facts *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(quire_facts_scan(f, cap, kl), 0);
    quire_check_data d = {
        .client = f, .server = f, .keylog = 1, .files = QUIRE_VERDICT_SUCCEEDED, .nfiles = 1};
    snprintf(d.files_why, sizeof d.files_why, "ok");
    assert_int_equal(quire_judge_keyupdate(&d, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_non_null(strstr(why, "wrong key log?"));
    /* a capture from handshakecorruption: corrupted headers that do not parse, packets that
     * look like Retry or Version Negotiation packets; the walk must survive all of them */
    snprintf(cap, sizeof cap, "%s/tests/data/checks/corrupt-left.pcap",
             dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(kl, sizeof kl, "%s/tests/data/checks/corrupt-left.keys", dir ? dir : QUIRE_SOURCE_DIR);
    assert_int_equal(quire_facts_scan(f, cap, kl), 0);
    assert_true(f->nhs >= 5);
    assert_true(f->undecryptable > 0);
    assert_int_equal(f->retries, 0); /* corrupted lookalikes fail the integrity tag */
    /* a missing capture names the file */
    assert_true(quire_facts_scan(f, "/nonexistent/trace_node_left.pcap", NULL) < 0);
    assert_non_null(strstr(f->error, "/nonexistent/trace_node_left.pcap"));
    free(f);
}

/* Chromium (zero-length SCID) sends its ClientHello in two Initials and ngtcp2's server answers
 * each with a Retry: the client uses the first and discards the second (RFC 9000, 17.2.5.2), so
 * the Initial keys must stay the first Retry's for everything after it to decrypt. */
static void test_two_retries(void **state)
{
    (void)state;
    quire_facts *f = scan("chrome-2retry", 1);
    assert_int_equal(f->retries, 2);
    assert_int_equal(f->undecryptable, 0);
    assert_int_equal(f->retry_decided, 1);
    assert_int_equal(f->retry_decided_frame, 5);
    assert_int_equal(f->nhs, 1);
    free(f);
}

/* A real handshakecorruption failure (quic-go both sides, run 3 of 5, the last connection
 * only): the client's Initials never got a Handshake packet out of it, and a third of the
 * server's packets arrived corrupted. */
static void test_stuck_handshake(void **state)
{
    (void)state;
    char hint[512];
    quire_facts *f = scan("quicgo-c1-stuck", 1);
    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->conns[0].client_initials, 9);
    assert_int_equal(f->conns[0].client_handshakes, 0);
    assert_int_equal(f->conns[0].handshake_done, 0);
    assert_int_equal(f->conns[0].packets[1], 17);
    assert_int_equal(f->conns[0].undecryptable[1], 6);
    quire_check_trace_hint(f, 0, hint, sizeof hint);
    assert_string_equal(hint, "the last connection (quicgo-c1-stuck.pcap frame 1 on) never "
                              "completed its handshake: the client sent 9 Initial packets and no "
                              "Handshake packet; 6 of the server's 17 packets in it did not "
                              "decrypt");
    free(f);
}

/* The first CONNECTION_CLOSE and the last packet of each side, and the hint made of them. */
static void test_close_and_hint(void **state)
{
    (void)state;
    char hint[256];
    quire_facts *f = scan("handshake", 1);
    assert_int_equal(f->close[0].frame, 14); /* the client's H3_NO_ERROR close */
    assert_int_equal(f->close[0].app, 1);
    assert_int_equal(f->close[0].error, 0x100);
    assert_int_equal(f->close[1].frame, 0);
    assert_true(f->last_frame[0] >= 14 && f->last_frame[1] > 0);
    assert_true(f->last_ns[0] > 0 && f->last_ns[1] > 0);
    quire_check_trace_hint(f, 0, hint, sizeof hint);
    assert_string_equal(hint, "CONNECTION_CLOSE from the client at handshake.pcap frame 14: "
                              "application error 0x100");
    free(f);
    /* two connections: the close kept is the second connection's, the one the capture ends with */
    f = scan("resumption", 1);
    assert_int_equal(f->close[0].frame, 31);
    assert_int_equal(f->close[0].conn, 15);
    assert_int_equal(f->last_conn[0], 15);
    assert_non_null(strstr(quire_check_trace_hint(f, 0, hint, sizeof hint), "frame 31"));
    free(f);
    /* without keys the close is not readable; a short capture with both sides says nothing */
    f = scan("handshake", 0);
    assert_int_equal(f->close[0].frame, 0);
    assert_string_equal(quire_check_trace_hint(f, 0, hint, sizeof hint), "");
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passing_captures), cmocka_unit_test(test_facts_values),
        cmocka_unit_test(test_failures),         cmocka_unit_test(test_close_and_hint),
        cmocka_unit_test(test_stuck_handshake),  cmocka_unit_test(test_two_retries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
