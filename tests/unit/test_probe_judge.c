/* Unit tests for probe/judge and probe/cases against a fake peer: the server's reactions are
 * built by hand (CONNECTION_CLOSE, Version Negotiation, PATH_RESPONSE, ACK), protected with
 * the server's keys and handed to the probe connection as received datagrams
 * (quire_pconn_input), so the whole receive path (packet decoding, frame observation) feeds
 * the judge. Every row of the case table is checked: its misbehaviour decodes as intended,
 * the required close passes, any other close and silence fail. Nothing is sent: the
 * connection's socket is connected to a loopback port but never written to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "probe/cases.h"
#include "probe/judge.h"
#include "probe/pconn.h"
#include "probe/wire.h"
#include "trace/frames.h"
#include "util/err.h"

static quire_pconn *new_conn(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    quire_pconn_opts o;
    memset(&o, 0, sizeof o);
    quire_pconn *c = NULL;
    assert_int_equal(quire_pconn_new(&c, (struct sockaddr *)&a, sizeof a, &o), 0);
    /* a 1-RTT key for the server's direction, as TLS would install it */
    uint8_t secret[32];
    memset(secret, 0x42, sizeof secret);
    assert_int_equal(quire_pconn_tls_secret(c, QUIRE_EPOCH_1RTT, 0, QUIRE_AEAD_AES_128_GCM,
                                            secret, 32), 0);
    assert_int_equal(quire_pconn_tls_secret(c, QUIRE_EPOCH_1RTT, 1, QUIRE_AEAD_AES_128_GCM,
                                            secret, 32), 0);
    return c;
}

/* The fake server: a 1-RTT packet to the probe with frames. */
static void server_1rtt(quire_pconn *c, const uint8_t *frames, size_t len, uint64_t pn)
{
    quire_wire_hdr h = {.type = QUIRE_PACKET_1RTT, .dcid = c->scid, .dcid_len = sizeof c->scid,
                        .pn = pn, .pn_len = 4};
    uint8_t pkt[1500];
    int n = quire_wire_packet(pkt, sizeof pkt, &h, frames, len, &c->rx[QUIRE_EPOCH_1RTT]);
    assert_true(n > 0);
    quire_pconn_input(c, pkt, (size_t)n);
}

/* The fake server's Initial (its Initial keys from the probe's first DCID). */
static void server_initial(quire_pconn *c, const uint8_t *frames, size_t len)
{
    quire_keys ck, sk;
    assert_int_equal(quire_keys_init_initial(&ck, &sk, QUIRE_QUIC_V1, c->odcid, c->odcid_len), 0);
    static const uint8_t scid[8] = {5, 4, 3, 2, 1, 0, 1, 2};
    quire_wire_hdr h = {.type = QUIRE_PACKET_INITIAL, .version = QUIRE_QUIC_V1, .dcid = c->scid,
                        .dcid_len = sizeof c->scid, .scid = scid, .scid_len = 8, .pn = 0,
                        .pn_len = 2};
    uint8_t payload[64] = {0};
    memcpy(payload, frames, len);
    uint8_t pkt[256];
    int n = quire_wire_packet(pkt, sizeof pkt, &h, payload, len < 20 ? 20 : len, &sk);
    assert_true(n > 0);
    quire_pconn_input(c, pkt, (size_t)n);
    quire_keys_free(&ck);
    quire_keys_free(&sk);
}

static void close_with(quire_pconn *c, int app, uint64_t code)
{
    uint8_t fr[64];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_connection_close(&w, app, code, 0, "bye");
    server_1rtt(c, fr, w.len, 10);
}

static void test_close_judge(void **state)
{
    (void)state;
    quire_pconn *c = new_conn();
    char why[320];
    const uint64_t fe[] = {0x07};
    /* silence */
    assert_int_equal(quire_pjudge_close(&c->obs, fe, 1, why, sizeof why), QUIRE_PV_FAILED);
    assert_non_null(strstr(why, "no CONNECTION_CLOSE"));
    /* the required code */
    close_with(c, 0, 0x07);
    assert_true(c->obs.closed);
    assert_int_equal(c->obs.close.ptype, QUIRE_PACKET_1RTT);
    assert_int_equal(c->obs.close.pn, 10);
    assert_int_equal(quire_pjudge_close(&c->obs, fe, 1, why, sizeof why), QUIRE_PV_PASSED);
    assert_non_null(strstr(why, "FRAME_ENCODING_ERROR"));
    /* another code: failed, and says which */
    quire_pobs_reset(&c->obs);
    close_with(c, 0, 0x0a);
    assert_int_equal(quire_pjudge_close(&c->obs, fe, 1, why, sizeof why), QUIRE_PV_FAILED);
    assert_non_null(strstr(why, "PROTOCOL_VIOLATION"));
    assert_non_null(strstr(why, "\"bye\""));
    /* the same number as an application error is not a transport error */
    quire_pobs_reset(&c->obs);
    close_with(c, 1, 0x07);
    assert_int_equal(quire_pjudge_close(&c->obs, fe, 1, why, sizeof why), QUIRE_PV_FAILED);
    assert_non_null(strstr(why, "application"));
    /* only the first close counts */
    quire_pobs_reset(&c->obs);
    close_with(c, 0, 0x07);
    close_with(c, 0, 0x01);
    assert_int_equal(c->obs.close.error, 0x07);
    /* a close in a server Initial (transport-parameter cases) */
    quire_pobs_reset(&c->obs);
    uint8_t fr[32];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_connection_close(&w, 0, 0x08, 0x06, NULL);
    server_initial(c, fr, w.len);
    assert_true(c->obs.closed);
    assert_int_equal(c->obs.close.ptype, QUIRE_PACKET_INITIAL);
    const uint64_t tpe[] = {0x08};
    assert_int_equal(quire_pjudge_close(&c->obs, tpe, 1, why, sizeof why), QUIRE_PV_PASSED);
    /* the server's SCID became the probe's DCID (RFC 9000 Section 7.2) */
    assert_int_equal(c->dcid_len, 8);
    assert_int_equal(c->dcid[0], 5);
    /* a datagram that does not decrypt is counted, not observed */
    quire_pobs_reset(&c->obs);
    uint8_t junk[40];
    memset(junk, 0x41, sizeof junk);
    memcpy(junk + 1, c->scid, sizeof c->scid);
    quire_pconn_input(c, junk, sizeof junk);
    assert_false(c->obs.closed);
    assert_int_equal(c->obs.datagrams, 1);
    assert_int_equal(c->obs.undecryptable, 1);
    quire_pconn_del(c);
}

static void test_other_judges(void **state)
{
    (void)state;
    quire_pconn *c = new_conn();
    char why[320];
    /* silence and answers */
    assert_int_equal(quire_pjudge_silent(&c->obs, why, sizeof why), QUIRE_PV_PASSED);
    uint8_t fr[64];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_ping(&w);
    server_1rtt(c, fr, w.len, 1);
    assert_int_equal(quire_pjudge_silent(&c->obs, why, sizeof why), QUIRE_PV_FAILED);
    assert_true(c->ack_pending[QUIRE_PN_SPACE_APPLICATION]); /* a PING wants an ACK */
    /* PATH_RESPONSE */
    static const uint8_t data[8] = "quire-pc", other[8] = "notthis!";
    quire_pobs_reset(&c->obs);
    assert_int_equal(quire_pjudge_path_response(&c->obs, data, why, sizeof why), QUIRE_PV_FAILED);
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_path_response(&w, other);
    server_1rtt(c, fr, w.len, 2);
    assert_int_equal(quire_pjudge_path_response(&c->obs, data, why, sizeof why), QUIRE_PV_FAILED);
    quire_pobs_reset(&c->obs);
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_path_response(&w, data);
    server_1rtt(c, fr, w.len, 3);
    assert_int_equal(quire_pjudge_path_response(&c->obs, data, why, sizeof why), QUIRE_PV_PASSED);
    /* a PATH_CHALLENGE from the server is answered on the next flush */
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_path_challenge(&w, data);
    server_1rtt(c, fr, w.len, 4);
    assert_true(c->challenge_pending);
    assert_memory_equal(c->pending_challenge, data, 8);
    /* ACK of packet 5 */
    quire_pobs_reset(&c->obs);
    assert_int_equal(quire_pjudge_acked(&c->obs, 5, why, sizeof why), QUIRE_PV_FAILED);
    uint64_t r[1][2] = {{5, 0}};
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_ack(&w, (const uint64_t(*)[2])r, 1, 0);
    server_1rtt(c, fr, w.len, 5);
    assert_int_equal(quire_pjudge_acked(&c->obs, 5, why, sizeof why), QUIRE_PV_PASSED);
    assert_int_equal(quire_pjudge_acked(&c->obs, 6, why, sizeof why), QUIRE_PV_FAILED);
    /* the probe's own ACK ranges follow what arrived: 1..5 */
    assert_int_equal(c->nranges[QUIRE_PN_SPACE_APPLICATION], 1);
    assert_int_equal(c->ranges[QUIRE_PN_SPACE_APPLICATION][0][0], 5);
    assert_int_equal(c->ranges[QUIRE_PN_SPACE_APPLICATION][0][1], 1);
    server_1rtt(c, fr, w.len, 9);
    assert_int_equal(c->nranges[QUIRE_PN_SPACE_APPLICATION], 2);
    /* a key update (RFC 9001 Section 6): the fake server's packet in the next key phase opens
     * with the next generation, which becomes current; the probe follows with its send keys */
    quire_pobs_reset(&c->obs);
    assert_int_equal(quire_pjudge_key_update(&c->obs, 5, why, sizeof why), QUIRE_PV_FAILED);
    quire_keys next;
    assert_int_equal(quire_keys_update(&next, &c->rx[QUIRE_EPOCH_1RTT]), 0);
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_ack(&w, (const uint64_t(*)[2])r, 1, 0);
    quire_wire_hdr kh = {.type = QUIRE_PACKET_1RTT, .dcid = c->scid, .dcid_len = sizeof c->scid,
                         .pn = 20, .pn_len = 4, .key_phase = 1};
    uint8_t pkt[256];
    int n = quire_wire_packet(pkt, sizeof pkt, &kh, fr, w.len, &next);
    assert_true(n > 0);
    quire_pconn_input(c, pkt, (size_t)n);
    assert_true(c->obs.key_update);
    assert_int_equal(c->rx_phase, 1);
    assert_int_equal(c->tx_phase, 1);
    assert_int_equal(c->rx[QUIRE_EPOCH_1RTT].generation, 1);
    assert_int_equal(c->tx[QUIRE_EPOCH_1RTT].generation, 1);
    assert_int_equal(quire_pjudge_key_update(&c->obs, 5, why, sizeof why), QUIRE_PV_PASSED);
    quire_keys_free(&next);
    /* amplification */
    quire_pobs o;
    quire_pobs_reset(&o);
    assert_int_equal(quire_pjudge_amplification(&o, 1200, why, sizeof why), QUIRE_PV_NA);
    o.bytes = 3600;
    o.datagrams = 3;
    assert_int_equal(quire_pjudge_amplification(&o, 1200, why, sizeof why), QUIRE_PV_PASSED);
    o.bytes = 3601;
    assert_int_equal(quire_pjudge_amplification(&o, 1200, why, sizeof why), QUIRE_PV_FAILED);
    /* alive */
    assert_int_equal(quire_pjudge_alive(&o, why, sizeof why), QUIRE_PV_PASSED);
    quire_pconn_del(c);
}

static void vn_packet(quire_pconn *c, const uint8_t *dcid, const uint8_t *scid, size_t scid_len,
                      const uint32_t *versions, size_t n)
{
    uint8_t d[128];
    quire_wire w;
    quire_wire_init(&w, d, sizeof d);
    quire_wire_u8(&w, 0xc0);
    quire_wire_u32(&w, 0);
    quire_wire_u8(&w, 8);
    quire_wire_bytes(&w, dcid, 8);
    quire_wire_u8(&w, (uint8_t)scid_len);
    quire_wire_bytes(&w, scid, scid_len);
    for (size_t i = 0; i < n; i++)
        quire_wire_u32(&w, versions[i]);
    quire_pconn_input(c, d, w.len);
}

static void test_vn_judge(void **state)
{
    (void)state;
    quire_pconn *c = new_conn();
    char why[320];
    const uint32_t offered = 0x1a2a3a4a;
    assert_int_equal(quire_pjudge_vn(&c->obs, offered, why, sizeof why), QUIRE_PV_FAILED);
    const uint32_t good[] = {QUIRE_QUIC_V1, QUIRE_QUIC_V2};
    vn_packet(c, c->scid, c->dcid, c->dcid_len, good, 2);
    assert_int_equal(quire_pjudge_vn(&c->obs, offered, why, sizeof why), QUIRE_PV_PASSED);
    assert_non_null(strstr(why, "0x00000001"));
    /* CIDs not swapped */
    quire_pobs_reset(&c->obs);
    vn_packet(c, c->dcid, c->scid, sizeof c->scid, good, 2);
    assert_int_equal(quire_pjudge_vn(&c->obs, offered, why, sizeof why), QUIRE_PV_FAILED);
    /* lists the offered version */
    quire_pobs_reset(&c->obs);
    const uint32_t bad[] = {QUIRE_QUIC_V1, offered};
    vn_packet(c, c->scid, c->dcid, c->dcid_len, bad, 2);
    assert_int_equal(quire_pjudge_vn(&c->obs, offered, why, sizeof why), QUIRE_PV_FAILED);
    quire_pconn_del(c);
}

/* Every frame case: its frames decode to what the row says (or to the decoder's error for the
 * cases that send invalid frames), and its judge passes exactly the required codes. */
/* The HTTP/3 cases' STREAM frames (frame number k of the case's packet): the client's
 * control stream is its first unidirectional stream (id 2, type 0x00) with an empty SETTINGS
 * first unless the case leaves it out; a second control stream is id 6; the request stream
 * is id 0 and starts with DATA. */
static void check_h3_stream(const char *name, int k, const quire_frame *f)
{
    assert_int_equal(f->kind, QUIRE_FRAME_STREAM);
    const uint8_t *d = f->u.stream.data;
    if (k == 2) {
        int request = strstr(name, "before_headers") != NULL;
        assert_int_equal(f->u.stream.stream_id, request ? 0 : 6);
        assert_true(f->u.stream.len >= 2);
        assert_int_equal(d[0], 0x00); /* control stream type / DATA frame type */
        if (request) assert_int_equal(d[1], 4);
        return;
    }
    assert_int_equal(f->u.stream.stream_id, 2);
    assert_int_equal(f->u.stream.offset, 0);
    assert_int_equal(d[0], 0x00);
    int missing = strstr(name, "missing_settings") != NULL;
    assert_int_equal(d[1], missing ? 0x07 : 0x04);
    assert_int_equal(f->u.stream.fin, strstr(name, "control_stream_closed") != NULL);
    if (strstr(name, "second_settings")) assert_int_equal(d[3], 0x04);
    if (strstr(name, "reserved_frame")) assert_int_equal(d[3], 0x02);
    if (strstr(name, "data_on_control")) {
        assert_int_equal(d[3], 0x00);
        assert_int_equal(d[4], 4);
    }
}

static void test_case_table(void **state)
{
    (void)state;
    size_t n;
    const quire_pcase *t = quire_pcase_table(&n);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_non_null(t[i].rfc);
        assert_non_null(t[i].requires);
        assert_true(!strcmp(t[i].level, "MUST") || !strcmp(t[i].level, "SHOULD"));
        assert_ptr_equal(quire_pcase_find(t[i].name), &t[i]);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(t[i].name, t[j].name);
        if (!t[i].ncodes) continue;
        quire_pconn *c = new_conn();
        /* a server that sent small limits */
        c->have_server_tp = 1;
        c->server_tp.mask = (1u << QUIRE_TP_INITIAL_MAX_DATA) |
                            (1u << QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE) |
                            (1u << QUIRE_TP_INITIAL_MAX_STREAMS_BIDI) |
                            (1u << QUIRE_TP_INITIAL_MAX_STREAMS_UNI);
        c->server_tp.val[QUIRE_TP_INITIAL_MAX_DATA] = 1000;
        c->server_tp.val[QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE] = 300;
        c->server_tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_BIDI] = 10;
        c->server_tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_UNI] = 3;
        if (t[i].build) {
            uint8_t fr[1100];
            quire_wire w;
            quire_wire_init(&w, fr, sizeof fr);
            char na[200];
            int built = quire_pcase_build(&t[i], c, &w, na, sizeof na);
            if (!strncmp(t[i].name, "datagram_", 9) && built == 1) {
                /* one of the two needs DATAGRAM support: test_not_applicable checks both */
                assert_non_null(strstr(na, "DATAGRAM"));
                w.len = 0;
            } else {
                assert_int_equal(built, 0);
            }
            assert_int_equal(w.err, 0);
            quire_cursor cur;
            quire_cursor_init(&cur, fr, w.len);
            quire_frame f;
            int rv = 0, frames = 0;
            while (quire_cursor_left(&cur) && (rv = quire_frame_decode(&cur, &f)) == 0) {
                frames++;
                if (t[i].h3) check_h3_stream(t[i].name, frames, &f);
                if (!strcmp(t[i].name, "stream_limit_bidi"))
                    assert_int_equal(f.u.stream.stream_id, 40);
                if (!strcmp(t[i].name, "stream_limit_uni"))
                    assert_int_equal(f.u.stream.stream_id, 14);
                if (!strcmp(t[i].name, "stream_flow_control"))
                    assert_int_equal(f.u.stream.offset, 300);
                if (!strcmp(t[i].name, "handshake_done_from_client"))
                    assert_int_equal(f.kind, QUIRE_FRAME_HANDSHAKE_DONE);
            }
            if (!strcmp(t[i].name, "unknown_frame")) assert_int_equal(rv, QUIRE_ERR_UNSUPPORTED);
            if (!strcmp(t[i].name, "connection_flow_control")) assert_int_equal(frames, 4);
            if (!strcmp(t[i].name, "new_connection_id_length_0") ||
                !strcmp(t[i].name, "new_connection_id_length_21"))
                assert_int_equal(rv, QUIRE_ERR_MALFORMED);
            if (!strcmp(t[i].name, "packet_without_frames")) assert_int_equal(w.len, 0);
            if (t[i].h3)
                assert_int_equal(frames, strstr(t[i].name, "second_control") ||
                                                 strstr(t[i].name, "before_headers")
                                             ? 2
                                             : 1);
        }
        char why[320];
        quire_pverdict (*judge)(const quire_pobs *, const uint64_t *, size_t, char *, size_t) =
            t[i].app ? quire_pjudge_close_app : quire_pjudge_close;
        for (size_t k = 0; k < t[i].ncodes; k++) {
            quire_pobs_reset(&c->obs);
            close_with(c, t[i].app, t[i].codes[k]);
            assert_int_equal(judge(&c->obs, t[i].codes, t[i].ncodes, why, sizeof why),
                             QUIRE_PV_PASSED);
            /* the same number in the other kind of CONNECTION_CLOSE is not it */
            quire_pobs_reset(&c->obs);
            close_with(c, !t[i].app, t[i].codes[k]);
            assert_int_equal(judge(&c->obs, t[i].codes, t[i].ncodes, why, sizeof why),
                             QUIRE_PV_FAILED);
        }
        quire_pobs_reset(&c->obs);
        /* INTERNAL_ERROR (transport 0x01, H3 0x102) is never the required reaction */
        close_with(c, t[i].app, t[i].app ? 0x102 : 0x01);
        assert_int_equal(judge(&c->obs, t[i].codes, t[i].ncodes, why, sizeof why),
                         QUIRE_PV_FAILED);
        if (t[i].app) assert_non_null(strstr(why, "H3_INTERNAL_ERROR"));
        quire_pconn_del(c);
    }
    assert_null(quire_pcase_find("no_such_case"));
}

/* Limits that rule a case out give not applicable, with a reason. */
static void test_not_applicable(void **state)
{
    (void)state;
    quire_pconn *c = new_conn();
    c->have_server_tp = 1;
    c->server_tp.mask = (1u << QUIRE_TP_INITIAL_MAX_DATA) |
                        (1u << QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE) |
                        (1u << QUIRE_TP_INITIAL_MAX_STREAMS_BIDI);
    c->server_tp.val[QUIRE_TP_INITIAL_MAX_DATA] = 1u << 24;
    c->server_tp.val[QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE] = 1000;
    c->server_tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_BIDI] = 100;
    uint8_t fr[1100];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    char na[200] = "";
    assert_int_equal(quire_pcase_build(quire_pcase_find("connection_flow_control"), c, &w, na,
                                       sizeof na), 1);
    assert_non_null(strstr(na, "streams"));
    c->server_tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_BIDI] = 0;
    assert_int_equal(quire_pcase_build(quire_pcase_find("stream_flow_control"), c, &w, na,
                                       sizeof na), 1);
    /* DATAGRAM (RFC 9221): without support a frame is the error; with it, one byte more */
    quire_wire_init(&w, fr, sizeof fr);
    assert_int_equal(quire_pcase_build(quire_pcase_find("datagram_unsupported"), c, &w, na,
                                       sizeof na), 0);
    assert_int_equal(fr[0], 0x31);
    assert_int_equal(quire_pcase_build(quire_pcase_find("datagram_too_large"), c, &w, na,
                                       sizeof na), 1);
    c->server_tp.mask |= 1u << QUIRE_TP_MAX_DATAGRAM_FRAME_SIZE;
    c->server_tp.val[QUIRE_TP_MAX_DATAGRAM_FRAME_SIZE] = 100;
    assert_int_equal(quire_pcase_build(quire_pcase_find("datagram_unsupported"), c, &w, na,
                                       sizeof na), 1);
    quire_wire_init(&w, fr, sizeof fr);
    assert_int_equal(quire_pcase_build(quire_pcase_find("datagram_too_large"), c, &w, na,
                                       sizeof na), 0);
    assert_int_equal(w.len, 101);
    quire_cursor cur;
    quire_cursor_init(&cur, fr, w.len);
    quire_frame f;
    assert_int_equal(quire_frame_decode(&cur, &f), 0);
    assert_int_equal(f.kind, QUIRE_FRAME_DATAGRAM);
    c->server_tp.val[QUIRE_TP_MAX_DATAGRAM_FRAME_SIZE] = 65535;
    assert_int_equal(quire_pcase_build(quire_pcase_find("datagram_too_large"), c, &w, na,
                                       sizeof na), 1);
    quire_pconn_del(c);
    /* the HTTP/3 cases need ALPN h3: without it they are not applicable before any packet */
    quire_pctx ctx;
    memset(&ctx, 0, sizeof ctx);
    quire_presult r;
    size_t n, h3 = 0;
    const quire_pcase *t = quire_pcase_table(&n);
    for (size_t i = 0; i < n; i++) {
        if (!t[i].h3) continue;
        h3++;
        assert_true(t[i].app);
        quire_pcase_run(&ctx, &t[i], &r);
        assert_int_equal(r.verdict, QUIRE_PV_NA);
        assert_non_null(strstr(r.why, "--alpn h3"));
    }
    assert_int_equal(h3, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_judge), cmocka_unit_test(test_other_judges),
        cmocka_unit_test(test_vn_judge),    cmocka_unit_test(test_case_table),
        cmocka_unit_test(test_not_applicable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
