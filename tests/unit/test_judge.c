/* Unit tests for the test-case judges (checks/<testcase>.c) on facts built in memory: for each
 * test case a passing trace and one trace per failure reason, checking the verdict and that
 * the explanation names the failing check and the frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/check.h"

typedef struct fx {
    quire_facts c, s;
    quire_check_data d;
    char why[600];
} fx;

static void add_hs(quire_facts *f, uint8_t id, uint64_t frame)
{
    f->hs[f->nhs].scid.len = 4;
    memset(f->hs[f->nhs].scid.id, id, 4);
    f->hs[f->nhs++].frame = frame;
}

/* A clean single-connection v1 trace on both sides, files intact. */
static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    if (!x) return -1;
    quire_facts_init(&x->c, "sim/trace_node_left.pcap");
    quire_facts_init(&x->s, "sim/trace_node_right.pcap");
    add_hs(&x->s, 1, 2);
    quire_facts_add_version(&x->s.server_initial, 1, 2);
    quire_facts_add_version(&x->c.server_initial, 1, 2);
    x->c.client_hellos = 1;
    x->c.first_client_hello_frame = 1;
    x->d.client = &x->c;
    x->d.server = &x->s;
    x->d.keylog = 1;
    x->d.files = QUIRE_VERDICT_SUCCEEDED;
    snprintf(x->d.files_why, sizeof x->d.files_why, "1 file downloaded intact");
    x->d.nfiles = 1;
    x->d.bytes = 10 * 1024 * 1024;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static quire_verdict judge(fx *x, quire_judge_fn fn)
{
    x->why[0] = 0;
    quire_verdict v = fn(&x->d, x->why, sizeof x->why);
    assert_true(x->why[0] != 0); /* every verdict explains itself */
    return v;
}

#define EXPECT(x, fn, verdict, text)                                                               \
    do {                                                                                           \
        assert_int_equal(judge(x, fn), verdict);                                                   \
        if (!strstr((x)->why, text)) fail_msg("explanation '%s' lacks '%s'", (x)->why, text);      \
    } while (0)

static void test_common(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_handshake, QUIRE_VERDICT_SUCCEEDED, "1 handshake");
    EXPECT(x, quire_judge_transfer, QUIRE_VERDICT_SUCCEEDED, "intact");
    x->d.files = QUIRE_VERDICT_FAILED;
    snprintf(x->d.files_why, sizeof x->d.files_why, "1 of 1 files not downloaded (e.g. abc)");
    EXPECT(x, quire_judge_transfer, QUIRE_VERDICT_FAILED, "not downloaded (e.g. abc)");
    x->d.files = QUIRE_VERDICT_SUCCEEDED;
    quire_facts_add_version(&x->s.server_initial, 0xff00001d, 9);
    EXPECT(x, quire_judge_transfer, QUIRE_VERDICT_FAILED, "0xff00001d (frame 9)");
    x->s.server_initial.n = 1;
    add_hs(&x->s, 2, 40);
    EXPECT(x, quire_judge_transfer, QUIRE_VERDICT_FAILED, "got 2 (distinct SCIDs");
    EXPECT(x, quire_judge_transfer, QUIRE_VERDICT_FAILED, "frame 40");
    x->s.nhs = 1;
    x->c.retries = 1;
    x->c.first_retry_frame = 2;
    EXPECT(x, quire_judge_handshake, QUIRE_VERDICT_FAILED,
           "did not expect a Retry: "
           "trace_node_left.pcap frame 2");
    /* key log rule */
    x->d.keylog = 0;
    EXPECT(x, quire_judge_multiplexing, QUIRE_VERDICT_UNSUPPORTED, "SSLKEYLOG required");
    EXPECT(x, quire_judge_keyupdate, QUIRE_VERDICT_UNSUPPORTED, "SSLKEYLOG required");
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_UNSUPPORTED, "SSLKEYLOG required");
}

static void test_longrtt(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_longrtt, QUIRE_VERDICT_FAILED, "got 1 (trace_node_left.pcap frame 1)");
    x->c.client_hellos = 0;
    EXPECT(x, quire_judge_longrtt, QUIRE_VERDICT_FAILED, "got none");
    x->c.client_hellos = 2;
    x->c.last_client_hello_frame = 5;
    EXPECT(x, quire_judge_longrtt, QUIRE_VERDICT_SUCCEEDED, "frames 1..5");
}

static void test_chacha20(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_chacha20, QUIRE_VERDICT_FAILED, "no ClientHello decoded");
    x->c.nconns = 1;
    x->c.conns[0].client_hello = 1;
    x->c.conns[0].first_frame = 1;
    x->c.conns[0].cipher_count = 2;
    x->c.conns[0].ciphers[0] = 0x1301;
    x->c.conns[0].ciphers[1] = 0x1303;
    EXPECT(x, quire_judge_chacha20, QUIRE_VERDICT_FAILED,
           "offers TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256");
    x->c.conns[0].cipher_count = 1;
    x->c.conns[0].ciphers[0] = 0x1303;
    EXPECT(x, quire_judge_chacha20, QUIRE_VERDICT_SUCCEEDED, "only TLS_CHACHA20");
}

static void test_multiplexing(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_multiplexing, QUIRE_VERDICT_FAILED, "could not check the stream limit");
    x->c.nconns = 1;
    x->c.conns[0] = (quire_facts_conn){
        .first_frame = 1, .server_tp = 1, .has_max_streams_bidi = 1, .max_streams_bidi = 2000};
    EXPECT(x, quire_judge_multiplexing, QUIRE_VERDICT_FAILED, "2000 > 1000");
    x->c.conns[0].max_streams_bidi = 100;
    EXPECT(x, quire_judge_multiplexing, QUIRE_VERDICT_SUCCEEDED, "limit 100");
}

static void test_retry(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_retry, QUIRE_VERDICT_FAILED, "no Retry packet in trace_node_left.pcap");
    x->c.retries = 1;
    x->c.first_retry_frame = 2;
    EXPECT(x, quire_judge_retry, QUIRE_VERDICT_FAILED, "no client Initial uses the token");
    x->c.retry_decided = -1;
    x->c.retry_decided_frame = 3;
    x->c.highest_pn_before_token = 0;
    EXPECT(x, quire_judge_retry, QUIRE_VERDICT_FAILED, "reset its packet number");
    x->c.retry_decided = 1;
    x->c.retry_decided_pn = 1;
    EXPECT(x, quire_judge_retry, QUIRE_VERDICT_SUCCEEDED, "used by the Initial at frame 3");
    x->c.retry_empty_token_frame = 2;
    EXPECT(x, quire_judge_retry, QUIRE_VERDICT_FAILED, "without a token");
}

static void test_resumption(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_resumption, QUIRE_VERDICT_FAILED, "expected exactly 2 handshakes");
    add_hs(&x->s, 2, 20);
    x->c.nconns = 2;
    x->c.conns[0] = (quire_facts_conn){.first_frame = 1, .server_hello = 1, .certificates = 1};
    x->c.conns[1] = (quire_facts_conn){.first_frame = 19, .server_hello = 1, .certificates = 1};
    EXPECT(x, quire_judge_resumption, QUIRE_VERDICT_FAILED, "Certificate in the second handshake");
    x->c.conns[0].certificates = 0;
    x->c.conns[1].certificates = 0;
    EXPECT(x, quire_judge_resumption, QUIRE_VERDICT_FAILED, "no Certificate in the first");
    x->c.conns[0].certificates = 1;
    EXPECT(x, quire_judge_resumption, QUIRE_VERDICT_SUCCEEDED, "frame 19) resumed");
    x->c.conns[1].server_hello = 0;
    EXPECT(x, quire_judge_resumption, QUIRE_VERDICT_FAILED, "found 1");
}

static void test_zerortt(void **state)
{
    fx *x = *state;
    add_hs(&x->s, 2, 20);
    EXPECT(x, quire_judge_zerortt, QUIRE_VERDICT_FAILED, "no 0-RTT data");
    x->c.zero_rtt_bytes = 900;
    x->c.zero_rtt_packets = 1;
    x->c.first_0rtt_frame = 21;
    x->c.client_1rtt_bytes = 5001;
    EXPECT(x, quire_judge_zerortt, QUIRE_VERDICT_FAILED, "5001 bytes > 5000");
    x->c.client_1rtt_bytes = 5000;
    EXPECT(x, quire_judge_zerortt, QUIRE_VERDICT_SUCCEEDED, "frame 21");
}

static void test_keyupdate(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_keyupdate, QUIRE_VERDICT_FAILED, "wrong key log?");
    x->c.key_phase[0][0] = 10;
    x->c.key_phase[0][1] = 5;
    x->s.key_phase[1][0] = 10;
    EXPECT(x, quire_judge_keyupdate, QUIRE_VERDICT_FAILED, "server 10 and 0");
    x->s.key_phase[1][1] = 7;
    x->s.first_kp1_frame[1] = 30;
    EXPECT(x, quire_judge_keyupdate, QUIRE_VERDICT_SUCCEEDED, "trace_node_right.pcap frame 30");
}

static void test_ecn(void **state)
{
    fx *x = *state;
    x->c.ecn[0][0] = 5;
    EXPECT(x, quire_judge_ecn, QUIRE_VERDICT_FAILED, "client did not mark any packet");
    x->c.ecn[0][2] = 5;
    EXPECT(x, quire_judge_ecn, QUIRE_VERDICT_FAILED, "client did not send any ACK frame with ECN");
    x->c.ack_ecn[0] = 1;
    x->c.ecn[0][3] = 1;
    x->c.first_ce_frame[0] = 12;
    EXPECT(x, quire_judge_ecn, QUIRE_VERDICT_FAILED,
           "CE, the first at trace_node_left.pcap frame 12");
    x->c.ecn[0][3] = 0;
    EXPECT(x, quire_judge_ecn, QUIRE_VERDICT_FAILED, "server did not mark");
    x->s.ecn[1][1] = 3;
    x->s.ack_ecn[1] = 2;
    EXPECT(x, quire_judge_ecn, QUIRE_VERDICT_SUCCEEDED, "ACK_ECN from both");
}

static void test_amplification(void **state)
{
    fx *x = *state;
    quire_facts *s = &x->s;
    s->server_hs_crypto_end = 5000;
    EXPECT(x, quire_judge_amplificationlimit, QUIRE_VERDICT_FAILED, "too little Handshake CRYPTO");
    s->server_hs_crypto_end = 9000;
    s->amp.vn_frame = 3;
    EXPECT(x, quire_judge_amplificationlimit, QUIRE_VERDICT_FAILED, "Version Negotiation");
    s->amp.vn_frame = 0;
    s->amp.over4_frame = 6;
    s->amp.client_bytes = 1200;
    s->amp.server_bytes = 4900;
    EXPECT(x, quire_judge_amplificationlimit, QUIRE_VERDICT_FAILED,
           "violated the amplification "
           "limit: 4900 bytes sent up to "
           "trace_node_right.pcap frame 6");
    s->amp.over4_frame = 0;
    EXPECT(x, quire_judge_amplificationlimit, QUIRE_VERDICT_FAILED, "no Handshake packet");
    s->amp.done = 1;
    s->amp.done_frame = 9;
    s->amp.server_bytes = 3600;
    EXPECT(x, quire_judge_amplificationlimit, QUIRE_VERDICT_SUCCEEDED, "3.00x");
    s->amp.over3_frame = 5;
    EXPECT(x, quire_judge_amplificationlimit, QUIRE_VERDICT_SUCCEEDED, "above 3x from frame 5");
}

static void test_handshakeloss(void **state)
{
    fx *x = *state;
    x->d.nfiles = 50;
    EXPECT(x, quire_judge_handshakeloss, QUIRE_VERDICT_FAILED,
           "expected exactly 50 handshakes, "
           "got 1");
    for (uint8_t i = 2; i <= 50; i++)
        add_hs(&x->s, i, i * 10u);
    EXPECT(x, quire_judge_handshakeloss, QUIRE_VERDICT_SUCCEEDED, "50 handshakes");
}

static void test_ipv6(void **state)
{
    fx *x = *state;
    x->s.server_ipv4 = 3;
    x->s.server_ipv4_frame = 7;
    EXPECT(x, quire_judge_ipv6, QUIRE_VERDICT_FAILED,
           "over IPv4, the first at "
           "trace_node_right.pcap frame 7");
    x->s.server_ipv4 = 0;
    x->s.server_ipv6 = 9;
    EXPECT(x, quire_judge_ipv6, QUIRE_VERDICT_SUCCEEDED, "all IPv6");
}

static void test_v2(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_v2, QUIRE_VERDICT_FAILED, "client Initial: expected 0x1, got none");
    quire_facts_add_version(&x->c.client_initial, 1, 1);
    EXPECT(x, quire_judge_v2, QUIRE_VERDICT_FAILED, "server Initial: expected 0x6b3343cf");
    quire_facts_add_version(&x->s.server_initial, 0x6b3343cf, 2);
    EXPECT(x, quire_judge_v2, QUIRE_VERDICT_FAILED, "client Handshake");
    quire_facts_add_version(&x->c.client_handshake, 0x6b3343cf, 4);
    quire_facts_add_version(&x->c.client_handshake, 1, 5);
    EXPECT(x, quire_judge_v2, QUIRE_VERDICT_FAILED, "expected only 0x6b3343cf");
    x->c.client_handshake.n = 1;
    quire_facts_add_version(&x->s.server_handshake, 0x6b3343cf, 3);
    x->d.files = QUIRE_VERDICT_FAILED;
    EXPECT(x, quire_judge_v2, QUIRE_VERDICT_FAILED, "intact"); /* the files' explanation */
    x->d.files = QUIRE_VERDICT_SUCCEEDED;
    EXPECT(x, quire_judge_v2, QUIRE_VERDICT_SUCCEEDED,
           "server Initial v2 from "
           "trace_node_right.pcap frame 2");
}

static void set_path(quire_facts_path *p, uint8_t last, uint16_t port)
{
    memset(p, 0, sizeof *p);
    p->src.family = p->dst.family = 4;
    p->src.a[0] = p->dst.a[0] = 198;
    p->src.a[1] = 18;
    p->dst.a[1] = 19;
    p->src.a[3] = last;
    p->dst.a[3] = 100;
    p->sport = port;
    p->dport = 443;
}

static void test_rebinding(void **state)
{
    fx *x = *state;
    quire_facts *s = &x->s, *c = &x->c;
    s->server_paths.nseen = 1;
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_FAILED, "single path");
    s->server_paths.nseen = 2;
    s->server_paths.bad_frame = 44;
    set_path(&s->server_paths.bad_path, 100, 5555);
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_FAILED,
           "198.18.0.100:5555 -> "
           "198.19.0.100:443 "
           "(trace_node_right.pcap frame 44)");
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_FAILED, "never sent one on that path");
    s->server_paths.bad_path_challenge_frame = 60; /* e.g. ngtcp2: PATH_RESPONSE first */
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_FAILED,
           "first one on that path is at frame 60");
    s->server_paths.bad_path_challenge_frame = 0;
    s->server_paths.bad_frame = 0;
    s->nchallenges = 1;
    memcpy(s->challenges[0], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    s->challenge_frame[0] = 45;
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_FAILED, "0102030405060708");
    c->nresponses = 1;
    memcpy(c->responses[0], s->challenges[0], 8);
    EXPECT(x, quire_judge_portrebinding, QUIRE_VERDICT_SUCCEEDED, "all answered");
    /* address rebinding needs more than one client address */
    s->nclient_addrs = 1;
    EXPECT(x, quire_judge_addressrebinding, QUIRE_VERDICT_FAILED, "single client address");
    s->nclient_addrs = 2;
    EXPECT(x, quire_judge_addressrebinding, QUIRE_VERDICT_SUCCEEDED, "2 client addresses");
    /* connection migration: a new DCID on each new client path */
    c->client_paths.new_paths = 1;
    c->client_paths.bad_frame = 50;
    set_path(&c->client_paths.bad_path, 100, 6666);
    EXPECT(x, quire_judge_connectionmigration, QUIRE_VERDICT_FAILED,
           "reuses the previous path's "
           "DCID");
    c->client_paths.bad_frame = 0;
    EXPECT(x, quire_judge_connectionmigration, QUIRE_VERDICT_SUCCEEDED, "1 client migration");
}

static void test_versionnegotiation(void **state)
{
    fx *x = *state;
    EXPECT(x, quire_judge_versionnegotiation, QUIRE_VERDICT_FAILED, "no Initial from the client");
    x->c.have_client_initial = 1;
    x->c.first_initial_frame = 1;
    EXPECT(x, quire_judge_versionnegotiation, QUIRE_VERDICT_FAILED, "no Version Negotiation");
    x->c.vn_packets = 1;
    x->c.vn_first_frame = 2;
    EXPECT(x, quire_judge_versionnegotiation, QUIRE_VERDICT_FAILED, "does not echo the DCID");
    x->c.vn_match_frame = 2;
    EXPECT(x, quire_judge_versionnegotiation, QUIRE_VERDICT_SUCCEEDED, "frame 2 answers");
}

static void test_goodput(void **state)
{
    fx *x = *state;
    double value = -1;
    x->d.value = &value;
    EXPECT(x, quire_judge_goodput, QUIRE_VERDICT_FAILED, "cannot measure");
    assert_true(value < 0);
    x->c.server_1rtt = 1000;
    x->c.server_1rtt_first_ns = 1000000000ull;
    x->c.server_1rtt_last_ns = 1000000000ull + 10000000000ull; /* 10 s */
    EXPECT(x, quire_judge_goodput, QUIRE_VERDICT_SUCCEEDED, "kbps");
    /* 8 * 10 MiB / 10000 ms = 8388.6 kbps */
    assert_true(value > 8388.0 && value < 8389.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_common, setup, teardown),
        cmocka_unit_test_setup_teardown(test_longrtt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chacha20, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiplexing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resumption, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zerortt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyupdate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_amplification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handshakeloss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rebinding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versionnegotiation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_goodput, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
