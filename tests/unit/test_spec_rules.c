/* Unit tests for spec/ (the RFC rule engine): for every rule of the table a hand-built
 * connection that breaks it (and breaks nothing else) and one that keeps it (no violation at
 * all), driven through quire_spec_step() with packets built in memory (spec_fixture.h, the
 * cases in spec_cases_packet.h and spec_cases_flow.h); the table itself (unique kebab-case
 * names, every rule tested, the ignore list, violations kept and counted); and a client
 * Initial under 1200 bytes through the decoder. The committed captures are in
 * test_spec_captures.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "sim/pcapw.h"
#include "spec/spec.h"
#include "tmpdir.h"
#include "util/err.h"

#include "spec_cases_flow.h"
#include "spec_cases_packet.h"
#include "spec_fixture.h"

typedef struct rule_case {
    const char *rule;
    void (*bad)(fx *x);
    void (*good)(fx *x);
} rule_case;

static const rule_case cases[] = {
    {"client-initial-1200", client_1200_bad, client_1200_good},
    {"server-initial-1200", server_1200_bad, server_1200_good},
    {"amplification-3x", amp_bad, amp_good},
    {"client-initial-dcid-8", dcid_bad, dcid_good},
    {"server-initial-token-empty", token_bad, token_good},
    {"long-header-reserved-bits", long_reserved_bad, long_reserved_good},
    {"short-header-reserved-bits", short_reserved_bad, short_reserved_good},
    {"fixed-bit", fixed_bad, fixed_good},
    {"no-0rtt-from-server", zrtt_server_bad, zrtt_server_good},
    {"no-retry-from-client", retry_client_bad, retry_client_good},
    {"v2-packet-types", v2_bad, v2_good},
    {"pn-no-reuse", reuse_bad, reuse_good},
    {"pn-increasing", increase_bad, increase_good},
    {"ack-only-sent", ack_bad, ack_good},
    {"packet-has-frames", empty_bad, empty_good},
    {"frame-in-packet-type", frame_type_bad, frame_type_good},
    {"application-close-1rtt", app_close_bad, app_close_good},
    {"handshake-done-from-server", hd_client_bad, hd_client_good},
    {"new-token-from-server", new_token_bad, new_token_good},
    {"no-handshake-after-done", hs_after_done_bad, hs_after_done_good},
    {"initial-keys-discarded", initial_gone_bad, initial_gone_good},
    {"no-0rtt-after-1rtt", zrtt_after_bad, zrtt_after_good},
    {"0rtt-early-data-offered", zrtt_offered_bad, zrtt_offered_good},
    {"handshake-done-after-complete", hd_early_bad, hd_early_good},
    {"retry-token-echo", retry_token_bad, retry_token_good},
    {"retry-scid-unchanged", retry_scid_bad, retry_scid_good},
    {"retry-pn-continues", retry_pn_bad, retry_pn_good},
    {"retry-same-client-hello", retry_ch_bad, retry_ch_good},
    {"retry-scid-not-dcid", retry_scid_dcid_bad, retry_scid_dcid_good},
    {"close-error-code", close_code_bad, close_code_good},
    {"new-cid-retire-prior-to", retire_bad, retire_good},
    {"new-cid-zero-length", zero_len_bad, zero_len_good},
    {"new-cid-sequence", cid_seq_bad, cid_seq_good},
    {"cid-active-limit", cid_limit_bad, cid_limit_good},
    {"retire-cid-issued", retire_unknown_bad, retire_unknown_good},
    {"retire-cid-not-in-use", retire_in_use_bad, retire_in_use_good},
    {"path-response-echo", path_bad, path_good},
    {"key-update-confirmed", ku_confirmed_bad, ku_confirmed_good},
    {"key-update-ack-new-keys", ku_ack_bad, ku_ack_good},
    {"key-update-after-ack", ku_subsequent_bad, ku_subsequent_good},
    {"tp-max-udp-payload-size", tp_udp_bad, tp_udp_good},
    {"tp-ack-delay-exponent", tp_exp_bad, tp_exp_good},
    {"tp-max-ack-delay", tp_delay_bad, tp_delay_good},
    {"tp-active-cid-limit", tp_cid_bad, tp_cid_good},
    {"tp-server-only", tp_server_only_bad, tp_server_only_good},
    {"tp-initial-scid", tp_iscid_bad, tp_iscid_good},
    {"tp-original-dcid", tp_odcid_bad, tp_odcid_good},
    {"tp-retry-scid", tp_rscid_bad, tp_rscid_good},
    {"crypto-data-unchanged", crypto_bad, crypto_good},
    {"stream-data-unchanged", stream_same_bad, stream_same_good},
    {"final-size", final_bad, final_good},
    {"stream-direction", direction_bad, direction_good},
    {"flow-max-data", max_data_bad, max_data_good},
    {"flow-max-stream-data", max_stream_data_bad, max_stream_data_good},
    {"flow-max-streams", max_streams_bad, max_streams_good},
    {"max-streams-2-60", bound_bad, bound_good},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void print_violations(const quire_spec *s)
{
    char line[512];
    for (size_t i = 0; i < s->nv; i++)
        print_message("    %s\n", quire_spec_violation_str(&s->v[i], line, sizeof line));
}

/* Each bad case breaks its rule and no other; each good case breaks nothing. */
static void test_each_rule(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < NCASES; i++) {
        int r = quire_spec_rule_find(cases[i].rule);
        assert_true(r >= 0);
        fx *x = fx_new();
        cases[i].bad(x);
        if (x->s.per_rule[r] == 0 || x->s.count != x->s.per_rule[r]) {
            print_message("%s: bad case gave %llu of it, %llu in all\n", cases[i].rule,
                          (unsigned long long)x->s.per_rule[r], (unsigned long long)x->s.count);
            print_violations(&x->s);
            failures++;
        }
        fx_del(x);
        x = fx_new();
        cases[i].good(x);
        if (x->s.count) {
            print_message("%s: good case gave %llu violations\n", cases[i].rule,
                          (unsigned long long)x->s.count);
            print_violations(&x->s);
            failures++;
        }
        fx_del(x);
        /* switched off, the bad case is clean */
        x = fx_new();
        assert_int_equal(quire_spec_ignore(&x->s, cases[i].rule), 0);
        cases[i].bad(x);
        if (x->s.count) {
            print_message("%s: ignored, the bad case still gave %llu\n", cases[i].rule,
                          (unsigned long long)x->s.count);
            failures++;
        }
        fx_del(x);
    }
    assert_int_equal(failures, 0);
}

/* Names are unique kebab-case, every rule has its cases, every field is filled. */
static void test_table(void **state)
{
    (void)state;
    size_t n;
    const quire_spec_rule *r = quire_spec_rules(&n);
    assert_true(n >= 25);
    assert_true(n <= QUIRE_SPEC_MAX_RULES);
    assert_int_equal(n, NCASES);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(r[i].name); /* every id of the table has its entry */
        assert_non_null(r[i].rfc);
        assert_true(!strncmp(r[i].rfc, "RFC 9", 5));
        assert_true(strlen(r[i].text) > 10);
        assert_true(r[i].side >= QUIRE_SPEC_CLIENT && r[i].side <= QUIRE_SPEC_BOTH);
        for (const char *c = r[i].name; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-');
        assert_int_equal(quire_spec_rule_find(r[i].name), (int)i);
        int tested = 0;
        for (size_t j = 0; j < NCASES; j++)
            tested |= !strcmp(cases[j].rule, r[i].name);
        assert_true(tested);
    }
    quire_spec s;
    quire_spec_init(&s, NULL);
    assert_int_equal(quire_spec_ignore(&s, "no-such-rule"), QUIRE_ERR_NOTFOUND);
    quire_spec_free(&s);
}

/* Next to the issuer, a gap in its sequence numbers shows at the end; away from it, the
 * missing one may have been lost on the way. */
static void test_cid_gap(void **state)
{
    (void)state;
    for (int near = 0; near < 2; near++) {
        fx *x = fx_new();
        quire_spec_set_near(&x->s, near ? QUIRE_SPEC_SERVER : QUIRE_SPEC_CLIENT);
        handshake(x);
        issue(x, 0, 0, 1, 0, 0xaa);
        issue(x, 0, 1, 3, 0, 0xbb);
        finish(x);
        assert_int_equal(x->s.count, near);
        assert_int_equal(x->s.per_rule[quire_spec_rule_find("new-cid-sequence")], near);
        fx_del(x);
    }
}

/* The client discards its Handshake keys once it acknowledged HANDSHAKE_DONE; the server
 * its Initial keys once it acknowledged a Handshake packet. */
static void test_keys_discarded(void **state)
{
    (void)state;
    for (int acked = 0; acked < 2; acked++) {
        fx *x = fx_new();
        quire_spec_set_near(&x->s, QUIRE_SPEC_BOTH);
        handshake(x);
        handshake_done(x, 0);
        if (acked) {
            mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
            ack(x, 0, 0);
            go(x);
        }
        mk(x, 1, QUIRE_PACKET_HANDSHAKE, 1, 100); /* sent before the HANDSHAKE_DONE arrived? */
        addf(x, QUIRE_FRAME_PING);
        go(x);
        assert_int_equal(x->s.count, acked);
        assert_int_equal(x->s.per_rule[quire_spec_rule_find("no-handshake-after-done")], acked);
        fx_del(x);
    }
    fx *x = fx_new();
    quire_spec_set_near(&x->s, QUIRE_SPEC_SERVER);
    handshake(x);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 100);
    ack(x, 0, 0);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 1, 1200);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    assert_int_equal(x->s.count, 1);
    assert_int_equal(x->s.per_rule[quire_spec_rule_find("initial-keys-discarded")], 1);
    fx_del(x);
}

/* Packet numbers that start far above 0 (as a recent ngtcp2's) are followed all the same. */
static void test_large_packet_numbers(void **state)
{
    (void)state;
    for (int bad = 0; bad < 2; bad++) {
        fx *x = fx_new();
        handshake(x);
        const uint64_t b = 1000000000;
        uint64_t pns[] = {b, b + 1, b + 3};
        for (int i = 0; i < 3; i++) {
            mk(x, 1, QUIRE_PACKET_1RTT, pns[i], 100);
            addf(x, QUIRE_FRAME_PING);
            go(x);
        }
        mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
        ack(x, b + 3, bad ? 3 : 0); /* [b, b + 3] covers b + 2, never sent */
        go(x);
        mk(x, 1, QUIRE_PACKET_1RTT, b + 1, 100); /* b + 1 again, other contents */
        addf(x, QUIRE_FRAME_PING);
        if (bad) go(x);
        assert_int_equal(x->s.per_rule[quire_spec_rule_find("ack-only-sent")], bad);
        assert_int_equal(x->s.per_rule[quire_spec_rule_find("pn-no-reuse")], bad);
        assert_int_equal(x->s.count, 2 * bad);
        fx_del(x);
    }
}

/* A fixture with valid transport parameters and the client's first Initial. */
static fx *client_first(void)
{
    fx *x = fx_new();
    tp_ok(x);
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    crypto(x, 0, 20, abcd);
    go(x);
    return x;
}

/* A Version Negotiation packet of len bytes from the server. */
static void version_negotiation(fx *x, size_t len)
{
    quire_packet *k = mk(x, 0, QUIRE_PACKET_VERSION_NEGOTIATION, 0, len);
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
}

/* No violation (printed if there are); frees x. */
static void assert_clean(fx *x)
{
    print_violations(&x->s);
    assert_int_equal(x->s.count, 0);
    fx_del(x);
}

/* After a Version Negotiation the client's next attempt (which the decoder may keep in the
 * same connection) starts its packet numbers, SCID and CRYPTO data afresh: here a QUIC v2
 * attempt, then v1. */
static void test_vn_new_attempt(void **state)
{
    (void)state;
    fx *x = fx_new();
    tp_ok(x);
    quire_packet *k = mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    k->scid = abcd;
    k->version = 0x6b3343cf;
    crypto(x, 0, 20, abXd);
    go(x);
    version_negotiation(x, 100);
    handshake(x); /* Initial packet 0 again, another SCID, other CRYPTO data */
    finish(x);
    assert_clean(x);
}

/* A "Version Negotiation" that a corrupting link made of a server Initial (its version
 * bytes zeroed): the client goes on in the same version, and the server's ACK of its
 * Initials before and after acknowledges packets it did send. */
static void test_vn_damaged(void **state)
{
    (void)state;
    fx *x = client_first();
    version_negotiation(x, 47);
    mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    crypto(x, 0, 20, abcd);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200);
    ack(x, 1, 1); /* packets 0 and 1 */
    crypto(x, 0, 20, abcd);
    go(x);
    assert_clean(x);
}

/* The server answers the client with two connections (two Initials with other SCIDs, both
 * packet number 0, as tquic does after two Retries); the capture shows first the one the
 * client then leaves. The client's Initial to the second SCID makes that the server's
 * connection: its Handshake packet 0, which the client acknowledges, is judged, and its
 * transport parameters' initial_source_connection_id is the right one. */
static void test_server_connection_followed(void **state)
{
    (void)state;
    fx *x = client_first();
    quire_packet *k = mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200); /* the one left */
    k->scid = abcd;
    ack(x, 0, 0);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200); /* the one followed: x->scid[1] */
    ack(x, 0, 0);
    crypto(x, 0, 20, abcd);
    go(x);
    k = mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    k->dcid = x->scid[1];
    ack(x, 0, 0);
    go(x);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 0, 1200);
    crypto(x, 0, 20, abcd);
    go(x);
    k = mk(x, 1, QUIRE_PACKET_HANDSHAKE, 0, 100);
    k->dcid = x->scid[1];
    ack(x, 0, 0);
    go(x);
    finish(x);
    assert_clean(x);
}

/* A client "0-RTT" packet without early_data that does not decrypt: no evidence where the
 * capture is next to the server only (the link may have changed its type bits), a violation
 * next to the client. */
static void test_zrtt_offered_damaged(void **state)
{
    (void)state;
    fx *x = fx_new();
    zrtt_offered_damaged(x);
    assert_int_equal(x->s.count, 0);
    fx_del(x);
    x = fx_new();
    zrtt_offered_undecryptable(x, QUIRE_SPEC_CLIENT);
    assert_int_equal(x->s.per_rule[quire_spec_rule_find("0rtt-early-data-offered")], 1);
    fx_del(x);
}

/* A rule broken on every packet is counted every time but kept a few times only. */
static void test_kept_and_counted(void **state)
{
    (void)state;
    fx *x = fx_new();
    for (uint64_t i = 0; i < 10; i++) {
        mk(x, 1, QUIRE_PACKET_INITIAL, i, 1000);
        go(x);
    }
    assert_int_equal(x->s.count, 10);
    assert_true(x->s.nv < 10);
    char line[512];
    quire_spec_violation_str(&x->s.v[0], line, sizeof line);
    assert_non_null(strstr(line, "client-initial-1200 (RFC 9000 14.1): client"));
    assert_non_null(strstr(line, "frame 1:"));
    json_t *a = json_array();
    assert_int_equal(quire_spec_json_violations(&x->s, "cap.pcap", a), 0);
    assert_int_equal(json_array_size(a), x->s.nv);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "rule")),
                        "client-initial-1200");
    json_decref(a);
    fx_del(x);
}

/* ---- through the decoder: a short client Initial starts a connection ---- */

static void spec_cb(const quire_conn_packet *p, void *arg)
{
    quire_spec_step(arg, p);
}

/* A protected v1 client Initial (PING, padded with PADDING to plen) in a datagram of its own. */
static size_t short_initial(uint8_t *out, size_t plen)
{
    quire_keys ck, sk;
    assert_int_equal(quire_keys_init_initial(&ck, &sk, 1, odcid, sizeof odcid), 0);
    size_t n = 0;
    out[n++] = 0xc1; /* Initial, 2-byte packet number */
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 1;
    out[n++] = sizeof odcid;
    memcpy(out + n, odcid, sizeof odcid);
    n += sizeof odcid;
    out[n++] = 0; /* zero-length SCID */
    out[n++] = 0; /* no token */
    size_t length = 2 + plen + 16;
    out[n++] = (uint8_t)(0x40 | length >> 8);
    out[n++] = (uint8_t)length;
    out[n++] = 0;
    out[n++] = 0;
    memset(out + n, 0, plen);
    out[n] = 0x01; /* PING */
    int r = quire_packet_protect(out, 1500, n, 2, 0, plen, &ck);
    assert_true(r > 0);
    quire_keys_free(&ck);
    quire_keys_free(&sk);
    return (size_t)r;
}

static void test_decoder_short_initial(void **state)
{
    (void)state;
    static const size_t sizes[2] = {300, 1200};
    for (int i = 0; i < 2; i++) {
        uint8_t pkt[1500];
        size_t n = short_initial(pkt, sizes[i]);
        quire_udp u;
        memset(&u, 0, sizeof u);
        u.kind = QUIRE_NET_UDP;
        u.src.family = u.dst.family = 4;
        u.sport = 50000;
        u.dport = 443;
        u.payload = pkt;
        u.len = n;
        quire_conn_table *t;
        assert_int_equal(quire_conn_table_new(&t, NULL), 0);
        quire_spec s;
        quire_spec_init(&s, NULL);
        assert_int_equal(quire_conn_datagram(t, 1, 0, &u, spec_cb, &s), 1);
        assert_int_equal(s.per_rule[quire_spec_rule_find("client-initial-1200")], n < 1200);
        assert_int_equal(s.count, n < 1200);
        /* stray bytes of the same length start nothing */
        pkt[n - 1] ^= 1;
        quire_conn_table *t2;
        assert_int_equal(quire_conn_table_new(&t2, NULL), 0);
        assert_int_equal(quire_conn_datagram(t2, 1, 0, &u, spec_cb, &s), n < 1200 ? 0 : 1);
        quire_conn_table_del(t2);
        quire_spec_free(&s);
        quire_conn_table_del(t);
    }
}

/* The same short Initial in a capture file, through quire_spec_check_file() and
 * `quire trace --check` (exit 1 with the violation, 0 with the rule switched off). */
static void test_capture_file_violation(void **state)
{
    (void)state;
    char dir[128], cap[256], cmd[1024];
    assert_int_equal(test_tmpdir_make(dir, sizeof dir, "specfile"), 0);
    snprintf(cap, sizeof cap, "%s/short.pcap", dir);
    uint8_t frame[1600] = {0};
    size_t n = short_initial(frame + 42, 300);
    /* Ethernet, IPv4 198.18.0.100 -> 198.19.0.100, UDP 50000 -> 443 (no checksums) */
    frame[12] = 0x08;
    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + 8 + n) >> 8);
    ip[3] = (uint8_t)(20 + 8 + n);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, (const uint8_t[]){198, 18, 0, 100}, 4);
    memcpy(ip + 16, (const uint8_t[]){198, 19, 0, 100}, 4);
    uint8_t *udp = ip + 20;
    udp[0] = 50000 >> 8;
    udp[1] = 50000 & 0xff;
    udp[2] = 443 >> 8;
    udp[3] = 443 & 0xff;
    udp[4] = (uint8_t)((8 + n) >> 8);
    udp[5] = (uint8_t)(8 + n);
    quire_pcapw w;
    memset(&w, 0, sizeof w);
    assert_int_equal(quire_pcapw_open(&w, cap), 0);
    quire_pcapw_write(&w, 1000000000ull, frame, 42 + n);
    quire_pcapw_close(&w);
    quire_spec s;
    quire_spec_init(&s, cap);
    quire_trace t;
    assert_int_equal(quire_spec_check_file(&s, &t, cap, NULL), 0);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.nv, 1);
    assert_int_equal(s.v[0].frame, 1);
    assert_true(s.v[0].from_client);
    assert_string_equal(quire_spec_rules(&n)[s.v[0].rule].name, "client-initial-1200");
    quire_trace_free(&t);
    quire_spec_free(&s);
    const char *bin = getenv("QUIRE_BIN");
    if (bin) {
        snprintf(cmd, sizeof cmd, "'%s' trace --check '%s' >/dev/null", bin, cap);
        int rc = system(cmd);
        assert_true(WIFEXITED(rc));
        assert_int_equal(WEXITSTATUS(rc), 1);
        snprintf(cmd, sizeof cmd,
                 "'%s' trace --check --spec-ignore client-initial-1200 '%s' >/dev/null", bin, cap);
        rc = system(cmd);
        assert_true(WIFEXITED(rc));
        assert_int_equal(WEXITSTATUS(rc), 0);
    }
    assert_int_equal(test_tmpdir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_kept_and_counted),
        cmocka_unit_test(test_cid_gap),
        cmocka_unit_test(test_vn_new_attempt),
        cmocka_unit_test(test_vn_damaged),
        cmocka_unit_test(test_zrtt_offered_damaged),
        cmocka_unit_test(test_server_connection_followed),
        cmocka_unit_test(test_large_packet_numbers),
        cmocka_unit_test(test_keys_discarded),
        cmocka_unit_test(test_decoder_short_initial),
        cmocka_unit_test(test_capture_file_violation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
