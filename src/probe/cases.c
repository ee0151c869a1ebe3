/* quire probe's case table and the runs behind it (see cases.h). RFC section numbers are of
 * RFC 9000 unless a row says otherwise. */
#include "probe/cases.h"

#include <inttypes.h>
#include <openssl/rand.h>
#include <string.h>

#include "probe/h3cases.h"
#include "probe/misdeeds.h"
#include "probe/qtls.h"
#include "probe/tpenc.h"
#include "util/err.h"

/* Transport error codes (RFC 9000 Section 20.1). */
enum {
    E_FLOW_CONTROL = 0x03,
    E_STREAM_LIMIT = 0x04,
    E_STREAM_STATE = 0x05,
    E_FINAL_SIZE = 0x06,
    E_FRAME_ENCODING = 0x07,
    E_TRANSPORT_PARAMETER = 0x08,
    E_CONNECTION_ID_LIMIT = 0x09,
    E_PROTOCOL_VIOLATION = 0x0a,
    E_CRYPTO_BUFFER_EXCEEDED = 0x0d,
    E_MISSING_EXTENSION = 0x100 + 109,       /* RFC 9001 Section 8.2 */
    E_NO_APPLICATION_PROTOCOL = 0x100 + 120, /* RFC 9001 Section 8.1 */
};

int quire_pcase_build(const quire_pcase *pc, quire_pconn *c, quire_wire *w, char *na,
                      size_t nacap)
{
    return pc->build ? pc->build(c, w, na, nacap) : 1;
}

/* Runs */

static void base_opts(const quire_pctx *ctx, quire_pconn_opts *o)
{
    memset(o, 0, sizeof *o);
    o->alpn = ctx->alpn;
    o->sni = ctx->sni;
    o->keylog = ctx->keylog;
    o->pcap = ctx->pcap;
}

static int closed_cb(const quire_pconn *c)
{
    return c->obs.closed;
}

/* Ends a connection that is still open with CONNECTION_CLOSE NO_ERROR (be kind to the
 * server's resources), then frees it. */
static void finish(quire_pconn *c, const quire_pctx *ctx, quire_presult *r)
{
    if (!c) return;
    if (!c->obs.closed && c->have_tx[QUIRE_EPOCH_1RTT]) {
        uint8_t fr[32];
        quire_wire w;
        quire_wire_init(&w, fr, sizeof fr);
        quire_wire_connection_close(&w, 0, 0, 0, NULL);
        quire_pconn_send(c, QUIRE_EPOCH_1RTT, fr, w.len, 0, 0);
    }
    if (ctx->pcap) r->pcap_last = ctx->pcap->packets;
    quire_pconn_del(c);
}

static int open_conn(const quire_pctx *ctx, const quire_pconn_opts *o, quire_pconn **c,
                     quire_presult *r)
{
    if (ctx->pcap) r->pcap_first = ctx->pcap->packets + 1;
    int rv = quire_pconn_new(c, (const struct sockaddr *)&ctx->peer, ctx->peer_len, o);
    if (rv) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "cannot set up a connection: %s", quire_strerror(rv));
        return rv;
    }
    return 0;
}

static const char *hs_error(const quire_pconn *c, int rv, char *buf, size_t cap)
{
    if (rv == QUIRE_ERR_CRYPTO)
        snprintf(buf, cap, "TLS failed: %s", c->tls_why);
    else if (rv == QUIRE_ERR_MALFORMED)
        quire_pjudge_close(&c->obs, NULL, 0, buf, cap);
    else
        snprintf(buf, cap, "%s", quire_strerror(rv));
    return buf;
}

/* Handshake, then one 1-RTT packet with the case's frames; judged by the close. */
static void run_frames(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    if (pc->h3 && (!ctx->alpn || strcmp(ctx->alpn, "h3"))) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "an HTTP/3 case: the probe offers ALPN %s (--alpn h3)",
                 ctx->alpn ? ctx->alpn : "hq-interop");
        return;
    }
    quire_pconn_opts o;
    base_opts(ctx, &o);
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    int rv = quire_pconn_start(c);
    if (!rv) rv = quire_pconn_handshake(c, ctx->handshake_ms);
    if (rv) {
        char b[200];
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "handshake did not complete: %s",
                 hs_error(c, rv, b, sizeof b));
        finish(c, ctx, r);
        return;
    }
    uint8_t fr[1100];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    char na[200] = "";
    if (quire_pcase_build(pc, c, &w, na, sizeof na)) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "%s", na);
        finish(c, ctx, r);
        return;
    }
    quire_pobs_reset(&c->obs);
    rv = w.err ? w.err : quire_pconn_send(c, QUIRE_EPOCH_1RTT, fr, w.len, !pc->noack, pc->reserved);
    if (rv) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "cannot send the case's packet: %s", quire_strerror(rv));
        finish(c, ctx, r);
        return;
    }
    quire_pconn_wait(c, ctx->wait_ms, closed_cb);
    r->verdict = (pc->app ? quire_pjudge_close_app : quire_pjudge_close)(
        &c->obs, pc->codes, pc->ncodes, r->why, sizeof r->why);
    if (!c->obs.closed)
        for (size_t i = 0; i < c->obs.nevents; i++)
            if (c->obs.events[i].kind == QUIRE_FRAME_RETIRE_CONNECTION_ID) {
                /* e.g. connection_id_limit: it made room itself (RFC 9000 5.1.1 only lets
                 * the sender's Retire Prior To do that) */
                size_t l = strlen(r->why);
                snprintf(r->why + l, sizeof r->why - l, "; it sent RETIRE_CONNECTION_ID");
                break;
            }
    finish(c, ctx, r);
}

/* A handshake with a broken ClientHello (or Handshake flight); judged by the close. */
static void run_handshake_case(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    quire_pconn_opts o;
    base_opts(ctx, &o);
    quire_tpenc_mod m;
    memset(&m, 0, sizeof m);
    pc->setup(&o, &m);
    o.tp_mod = &m;
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    int rv = quire_pconn_start(c);
    if (!rv) rv = quire_pconn_handshake(c, ctx->handshake_ms);
    if (!c->obs.closed && rv == 0) quire_pconn_wait(c, ctx->wait_ms, closed_cb);
    r->verdict = quire_pjudge_close(&c->obs, pc->codes, pc->ncodes, r->why, sizeof r->why);
    if (r->verdict == QUIRE_PV_FAILED && !c->obs.closed && rv == 0)
        snprintf(r->why, sizeof r->why, "no CONNECTION_CLOSE: the handshake completed");
    finish(c, ctx, r);
}

static void run_handshake(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    (void)pc;
    quire_pconn_opts o;
    base_opts(ctx, &o);
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    uint64_t t0 = quire_pconn_now_ms();
    int rv = quire_pconn_start(c);
    if (!rv) rv = quire_pconn_handshake(c, ctx->handshake_ms);
    uint64_t t1 = quire_pconn_now_ms();
    char b[200];
    if (rv) {
        r->verdict = QUIRE_PV_FAILED;
        snprintf(r->why, sizeof r->why, "handshake: %s", hs_error(c, rv, b, sizeof b));
        finish(c, ctx, r);
        return;
    }
    char alpn[64];
    quire_qtls_alpn(c, alpn, sizeof alpn);
    if (strcmp(alpn, "hq-interop")) {
        /* HTTP/3 needs its control streams first: the handshake alone is the case */
        r->verdict = QUIRE_PV_PASSED;
        snprintf(r->why, sizeof r->why, "handshake confirmed in %" PRIu64 " ms (ALPN %s)",
                 t1 - t0, alpn);
        finish(c, ctx, r);
        return;
    }
    rv = quire_pconn_get(c, ctx->path ? ctx->path : "/", ctx->handshake_ms);
    r->verdict = rv ? QUIRE_PV_FAILED : QUIRE_PV_PASSED;
    snprintf(r->why, sizeof r->why,
             "handshake confirmed in %" PRIu64 " ms (ALPN %s, %s); GET %s: %s, %zu bytes", t1 - t0,
             alpn, quire_crypto_suite_name(c->tls_info.cipher) ? quire_crypto_suite_name(c->tls_info.cipher) : "?",
             ctx->path ? ctx->path : "/",
             rv == 0 ? "complete" : rv == QUIRE_ERR_MALFORMED ? "connection closed" : "timeout",
             c->resp.len);
    finish(c, ctx, r);
}

static int acked_cb(const quire_pconn *c)
{
    return c->obs.closed || (c->obs.acked[QUIRE_PN_SPACE_APPLICATION] &&
                             c->obs.acked_largest[QUIRE_PN_SPACE_APPLICATION] + 1 >=
                                 c->next_pn[QUIRE_PN_SPACE_APPLICATION]);
}

static int key_update_cb(const quire_pconn *c)
{
    return c->obs.closed || (c->obs.key_update && acked_cb(c));
}

static int path_cb(const quire_pconn *c)
{
    return c->obs.closed || c->obs.path_response;
}

/* Positive reactions after the handshake: PING acknowledged, PATH_CHALLENGE answered. */
static void run_positive(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    quire_pconn_opts o;
    base_opts(ctx, &o);
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    int rv = quire_pconn_start(c);
    if (!rv) rv = quire_pconn_handshake(c, ctx->handshake_ms);
    char b[200];
    if (rv) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "handshake did not complete: %s",
                 hs_error(c, rv, b, sizeof b));
        finish(c, ctx, r);
        return;
    }
    static const uint8_t challenge[8] = {'q', 'u', 'i', 'r', 'e', 'p', 'c', 1};
    uint8_t fr[64];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    int path = !strcmp(pc->name, "path_challenge");
    int ku = !strcmp(pc->name, "key_update");
    if (ku && (rv = quire_pconn_key_update(c))) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "cannot derive the next keys: %s", quire_strerror(rv));
        finish(c, ctx, r);
        return;
    }
    if (path)
        quire_wire_path_challenge(&w, challenge);
    else
        quire_wire_ping(&w);
    quire_pobs_reset(&c->obs);
    uint64_t pn = c->next_pn[QUIRE_PN_SPACE_APPLICATION];
    rv = quire_pconn_send(c, QUIRE_EPOCH_1RTT, fr, w.len, 0, 0);
    quire_pconn_wait(c, ctx->wait_ms, path ? path_cb : ku ? key_update_cb : acked_cb);
    if (path)
        r->verdict = quire_pjudge_path_response(&c->obs, challenge, r->why, sizeof r->why);
    else if (ku)
        r->verdict = quire_pjudge_key_update(&c->obs, pn, r->why, sizeof r->why);
    else
        r->verdict = quire_pjudge_acked(&c->obs, pn, r->why, sizeof r->why);
    finish(c, ctx, r);
}

/* The client's first flight only, nothing after: an unpadded Initial must be dropped; a
 * padded one bounds what the server may send before the address is validated. */
static void run_first_flight(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    quire_pconn_opts o;
    base_opts(ctx, &o);
    int small = !strcmp(pc->name, "initial_small");
    o.no_padding = small;
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    int rv = quire_pconn_start(c);
    if (rv) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "cannot send the ClientHello: %s", quire_strerror(rv));
        finish(c, ctx, r);
        return;
    }
    uint64_t sent = c->sent_bytes;
    if (small && sent >= 1200) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "the unpadded Initial is %" PRIu64 " bytes", sent);
        finish(c, ctx, r);
        return;
    }
    /* amplification: up to 3 s of the server's retransmissions, done after 1 s of silence */
    quire_pconn_listen(c, small ? ctx->wait_ms : 3000 + ctx->wait_ms, small ? ctx->wait_ms : 1000);
    if (small)
        r->verdict = quire_pjudge_silent(&c->obs, r->why, sizeof r->why);
    else
        r->verdict = quire_pjudge_amplification(&c->obs, sent, r->why, sizeof r->why);
    if (small && r->verdict == QUIRE_PV_PASSED)
        snprintf(r->why, sizeof r->why, "%" PRIu64 "-byte Initial dropped", sent);
    c->have_tx[QUIRE_EPOCH_1RTT] = 0; /* nothing to close: the server keeps no state, or
                                         it times out */
    finish(c, ctx, r);
}

/* A long header of an unknown version (RFC 9000 Sections 5.2.2, 6.1), padded to 1200 bytes
 * (must be answered) or 600 (must be dropped). */
static void run_version(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    quire_pconn_opts o;
    base_opts(ctx, &o);
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    const uint32_t version = 0x1a2a3a4a; /* reserved for negotiation (Section 15) */
    size_t size = !strcmp(pc->name, "vn_small") ? 600 : 1200;
    /* an Initial in v1's layout (what a client of a newer version would likely send), or
     * only the invariant fields (RFC 8999 Section 5.1) and opaque bytes after them */
    int opaque = !strcmp(pc->name, "version_negotiation_opaque");
    uint8_t d[1200];
    quire_wire w;
    quire_wire_init(&w, d, sizeof d);
    quire_wire_u8(&w, 0xc0);
    quire_wire_u32(&w, version);
    quire_wire_u8(&w, (uint8_t)c->dcid_len);
    quire_wire_bytes(&w, c->dcid, c->dcid_len);
    quire_wire_u8(&w, sizeof c->scid);
    quire_wire_bytes(&w, c->scid, sizeof c->scid);
    if (!opaque) {
        quire_wire_varint(&w, 0);                  /* token length */
        quire_wire_varint_n(&w, size - w.len - 2, 2); /* Length: the rest */
    }
    for (size_t i = w.len; i < size; i++)
        quire_wire_u8(&w, (uint8_t)(i * 37u));
    quire_pconn_send_raw(c, d, w.len);
    quire_pconn_listen(c, ctx->wait_ms, ctx->wait_ms);
    if (size == 1200)
        r->verdict = quire_pjudge_vn(&c->obs, version, r->why, sizeof r->why);
    else
        r->verdict = quire_pjudge_silent(&c->obs, r->why, sizeof r->why);
    finish(c, ctx, r);
}

/* 0-RTT without a ticket: right after the first Initial, a 0-RTT packet with a request,
 * protected with keys from a random secret (the probe has no PSK, so no server can have its
 * keys). The server rejects 0-RTT, there is no early_data without a PSK, and MUST NOT process
 * 0-RTT packets then (RFC 9001 4.6.2): the handshake completes and the connection stays up. */
static void run_zero_rtt(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    (void)pc;
    quire_pconn_opts o;
    base_opts(ctx, &o);
    quire_pconn *c;
    if (open_conn(ctx, &o, &c, r)) return;
    int rv = quire_pconn_start(c);
    uint8_t secret[32], fr[64];
    if (!rv && RAND_bytes(secret, sizeof secret) != 1) rv = QUIRE_ERR_CRYPTO;
    if (!rv) rv = quire_keys_init(&c->tx[QUIRE_EPOCH_0RTT], c->version, QUIRE_AEAD_AES_128_GCM,
                                  secret, sizeof secret);
    if (!rv) {
        quire_wire w;
        quire_wire_init(&w, fr, sizeof fr);
        quire_wire_stream(&w, c->next_bidi, 0, (const uint8_t *)"GET /\r\n", 7, 1);
        c->next_bidi += 4;
        c->have_tx[QUIRE_EPOCH_0RTT] = 1;
        rv = quire_pconn_send(c, QUIRE_EPOCH_0RTT, fr, w.len, 0, 0);
        c->have_tx[QUIRE_EPOCH_0RTT] = 0;
    }
    if (rv) {
        r->verdict = QUIRE_PV_NA;
        snprintf(r->why, sizeof r->why, "cannot send the 0-RTT packet: %s", quire_strerror(rv));
        finish(c, ctx, r);
        return;
    }
    rv = quire_pconn_handshake(c, ctx->handshake_ms);
    char b[200];
    if (rv) {
        r->verdict = QUIRE_PV_FAILED;
        snprintf(r->why, sizeof r->why, "handshake after the 0-RTT packet: %s",
                 hs_error(c, rv, b, sizeof b));
    } else {
        quire_pconn_wait(c, ctx->wait_ms, closed_cb);
        r->verdict = quire_pjudge_alive(&c->obs, r->why, sizeof r->why);
    }
    finish(c, ctx, r);
}

#define C1(x) {x}, 1
#define C2(x, y) {x, y}, 2
#define FR(b, codes) run_frames, b, NULL, codes
#define HS(s, codes) run_handshake_case, NULL, s, codes

static const quire_pcase cases[] = {
    {"handshake", "RFC 9000 7, RFC 9001 4.1.2", "handshake confirmed by HANDSHAKE_DONE, then a response on a bidirectional stream", "MUST",
     run_handshake, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"ping_ack", "RFC 9000 13.2.1", "ACK of an ack-eliciting packet", "MUST",
     run_positive, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"path_challenge", "RFC 9000 8.2.2", "PATH_RESPONSE echoing the PATH_CHALLENGE data", "MUST",
     run_positive, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"key_update", "RFC 9001 6.2", "the server updates its keys too and acknowledges in the new key phase", "MUST",
     run_positive, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"unknown_frame", "RFC 9000 12.4", "FRAME_ENCODING_ERROR (0x07)", "MUST",
     FR(quire_misdeed_unknown_frame, C1(E_FRAME_ENCODING)), 0, 0, 0, 0},
    {"handshake_done_from_client", "RFC 9000 19.20", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_handshake_done, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"new_token_from_client", "RFC 9000 19.7", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_new_token, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"stream_flow_control", "RFC 9000 4.1", "FLOW_CONTROL_ERROR (0x03)", "MUST",
     FR(quire_misdeed_stream_flow, C1(E_FLOW_CONTROL)), 0, 0, 0, 0},
    {"connection_flow_control", "RFC 9000 4.1", "FLOW_CONTROL_ERROR (0x03)", "MUST",
     FR(quire_misdeed_conn_flow, C1(E_FLOW_CONTROL)), 0, 0, 0, 0},
    {"stream_limit_bidi", "RFC 9000 4.6", "STREAM_LIMIT_ERROR (0x04)", "MUST",
     FR(quire_misdeed_stream_limit, C1(E_STREAM_LIMIT)), 0, 0, 0, 0},
    {"stream_limit_uni", "RFC 9000 4.6", "STREAM_LIMIT_ERROR (0x04)", "MUST",
     FR(quire_misdeed_uni_stream_limit, C1(E_STREAM_LIMIT)), 0, 0, 0, 0},
    {"stream_on_send_only", "RFC 9000 19.8", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_stream_send_only, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"stream_on_unopened_local", "RFC 9000 19.8", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_stream_unopened, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"max_stream_data_receive_only", "RFC 9000 19.10", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_msd_recv_only, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"max_stream_data_unopened_local", "RFC 9000 19.10", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_msd_unopened, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"stop_sending_unopened_local", "RFC 9000 19.5", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_stop_sending_unopened, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"stop_sending_receive_only", "RFC 9000 19.5", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_stop_sending_recv_only, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"reset_stream_send_only", "RFC 9000 19.4", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_reset_send_only, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"stream_data_blocked_send_only", "RFC 9000 19.13", "STREAM_STATE_ERROR (0x05)", "MUST",
     FR(quire_misdeed_sdb_send_only, C1(E_STREAM_STATE)), 0, 0, 0, 0},
    {"final_size_change", "RFC 9000 4.5", "FINAL_SIZE_ERROR (0x06)", "SHOULD",
     FR(quire_misdeed_final_size_change, C1(E_FINAL_SIZE)), 0, 0, 0, 0},
    {"reset_below_received", "RFC 9000 4.5", "FINAL_SIZE_ERROR (0x06)", "SHOULD",
     FR(quire_misdeed_reset_final_lower, C1(E_FINAL_SIZE)), 0, 0, 0, 0},
    {"stream_offset_overflow", "RFC 9000 19.8", "FRAME_ENCODING_ERROR (0x07) or FLOW_CONTROL_ERROR (0x03)", "MUST",
     FR(quire_misdeed_stream_offset_max, C2(E_FRAME_ENCODING, E_FLOW_CONTROL)), 0, 0, 0, 0},
    {"crypto_offset_overflow", "RFC 9000 19.6", "FRAME_ENCODING_ERROR (0x07) or CRYPTO_BUFFER_EXCEEDED (0x0d)", "MUST",
     FR(quire_misdeed_crypto_offset_max, C2(E_FRAME_ENCODING, E_CRYPTO_BUFFER_EXCEEDED)), 0, 0, 0, 0},
    {"max_streams_over_2_60", "RFC 9000 19.11", "FRAME_ENCODING_ERROR (0x07)", "MUST",
     FR(quire_misdeed_max_streams_big, C1(E_FRAME_ENCODING)), 0, 0, 0, 0},
    {"streams_blocked_over_2_60", "RFC 9000 19.14", "STREAM_LIMIT_ERROR (0x04) or FRAME_ENCODING_ERROR (0x07)", "MUST",
     FR(quire_misdeed_streams_blocked_big, C2(E_STREAM_LIMIT, E_FRAME_ENCODING)), 0, 0, 0, 0},
    {"new_connection_id_retire_prior_to", "RFC 9000 19.15", "FRAME_ENCODING_ERROR (0x07)", "MUST",
     FR(quire_misdeed_ncid_retire, C1(E_FRAME_ENCODING)), 0, 0, 0, 0},
    {"new_connection_id_length_0", "RFC 9000 19.15", "FRAME_ENCODING_ERROR (0x07)", "MUST",
     FR(quire_misdeed_ncid_len0, C1(E_FRAME_ENCODING)), 0, 0, 0, 0},
    {"new_connection_id_length_21", "RFC 9000 19.15", "FRAME_ENCODING_ERROR (0x07)", "MUST",
     FR(quire_misdeed_ncid_len21, C1(E_FRAME_ENCODING)), 0, 0, 0, 0},
    {"connection_id_limit", "RFC 9000 5.1.1", "CONNECTION_ID_LIMIT_ERROR (0x09)", "MUST",
     FR(quire_misdeed_ncid_limit, C1(E_CONNECTION_ID_LIMIT)), 0, 0, 0, 0},
    {"retire_unknown_connection_id", "RFC 9000 19.16", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_retire_unknown, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"ack_of_unsent_packet", "RFC 9000 13.1", "PROTOCOL_VIOLATION (0x0a)", "SHOULD",
     FR(quire_misdeed_ack_unsent, C1(E_PROTOCOL_VIOLATION)), 0, 1, 0, 0},
    {"reserved_bits_short_header", "RFC 9000 17.3.1", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_ping, C1(E_PROTOCOL_VIOLATION)), 0x18, 0, 0, 0},
    {"packet_without_frames", "RFC 9000 12.4", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_nothing, C1(E_PROTOCOL_VIOLATION)), 0, 1, 0, 0},
    {"datagram_unsupported", "RFC 9221 3", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_datagram_unsupported, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"datagram_too_large", "RFC 9221 3", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     FR(quire_misdeed_datagram_too_large, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"stream_in_initial", "RFC 9000 12.4", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     HS(quire_misdeed_stream_in_initial, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"reserved_bits_long_header", "RFC 9000 17.2", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     HS(quire_misdeed_reserved_bits_long, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"frame_not_allowed_in_handshake", "RFC 9000 12.4", "PROTOCOL_VIOLATION (0x0a)", "MUST",
     HS(quire_misdeed_frame_in_handshake, C1(E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"initial_small", "RFC 9000 14.1", "Initial in a datagram under 1200 bytes dropped", "MUST",
     run_first_flight, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"amplification_limit", "RFC 9000 8.1", "at most 3x the client's bytes before address validation", "MUST",
     run_first_flight, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"version_negotiation", "RFC 9000 6.1, 17.2.1", "Version Negotiation echoing the CIDs, listing other versions", "SHOULD",
     run_version, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"version_negotiation_opaque", "RFC 8999 6, RFC 9000 6.1", "Version Negotiation for a packet whose fields after the CIDs are opaque", "SHOULD",
     run_version, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"vn_small", "RFC 9000 5.2.2", "unknown version in a datagram under 1200 bytes dropped", "MUST",
     run_version, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    {"tp_duplicate", "RFC 9000 7.4", "TRANSPORT_PARAMETER_ERROR (0x08)", "SHOULD",
     HS(quire_misdeed_duplicate, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_max_udp_payload_size_1199", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_udp_payload, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_ack_delay_exponent_21", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_ack_delay_exponent, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_max_ack_delay_2_14", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_max_ack_delay, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_active_connection_id_limit_1", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_cid_limit, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_max_streams_over_2_60", "RFC 9000 4.6", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_max_streams, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_stateless_reset_token_from_client", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_reset_token, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_original_dcid_from_client", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_odcid, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_preferred_address_from_client", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_preferred_address, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_retry_scid_from_client", "RFC 9000 18.2", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_retry_scid, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_missing_initial_scid", "RFC 9000 7.3", "TRANSPORT_PARAMETER_ERROR (0x08)", "MUST",
     HS(quire_misdeed_no_iscid, C1(E_TRANSPORT_PARAMETER)), 0, 0, 0, 0},
    {"tp_initial_scid_mismatch", "RFC 9000 7.3", "TRANSPORT_PARAMETER_ERROR (0x08) or PROTOCOL_VIOLATION (0x0a)", "MUST",
     HS(quire_misdeed_iscid_mismatch, C2(E_TRANSPORT_PARAMETER, E_PROTOCOL_VIOLATION)), 0, 0, 0, 0},
    {"zero_rtt_without_ticket", "RFC 9001 4.6.2", "0-RTT rejected and not processed: the handshake completes, the connection stays up", "MUST",
     run_zero_rtt, NULL, NULL, {0}, 0, 0, 0, 0, 0},
    /* HTTP/3 (RFC 9114), with --alpn h3 only */
    {"h3_second_settings", "RFC 9114 7.2.4", "H3_FRAME_UNEXPECTED (0x105)", "MUST",
     FR(quire_h3_second_settings, C1(QUIRE_H3_FRAME_UNEXPECTED)), 0, 0, 1, 1},
    {"h3_missing_settings", "RFC 9114 6.2.1", "H3_MISSING_SETTINGS (0x10a)", "MUST",
     FR(quire_h3_missing_settings, C1(QUIRE_H3_MISSING_SETTINGS)), 0, 0, 1, 1},
    {"h3_reserved_frame_type", "RFC 9114 7.2.8", "H3_FRAME_UNEXPECTED (0x105)", "MUST",
     FR(quire_h3_reserved_frame, C1(QUIRE_H3_FRAME_UNEXPECTED)), 0, 0, 1, 1},
    {"h3_data_on_control_stream", "RFC 9114 7.2.1", "H3_FRAME_UNEXPECTED (0x105)", "MUST",
     FR(quire_h3_data_on_control, C1(QUIRE_H3_FRAME_UNEXPECTED)), 0, 0, 1, 1},
    {"h3_control_stream_closed", "RFC 9114 6.2.1", "H3_CLOSED_CRITICAL_STREAM (0x104)", "MUST",
     FR(quire_h3_control_closed, C1(QUIRE_H3_CLOSED_CRITICAL_STREAM)), 0, 0, 1, 1},
    {"h3_second_control_stream", "RFC 9114 6.2.1", "H3_STREAM_CREATION_ERROR (0x103)", "MUST",
     FR(quire_h3_second_control, C1(QUIRE_H3_STREAM_CREATION_ERROR)), 0, 0, 1, 1},
    {"h3_data_before_headers", "RFC 9114 4.1", "H3_FRAME_UNEXPECTED (0x105)", "MUST",
     FR(quire_h3_data_before_headers, C1(QUIRE_H3_FRAME_UNEXPECTED)), 0, 0, 1, 1},
    {"alpn_mismatch", "RFC 9001 8.1", "CRYPTO_ERROR no_application_protocol (0x178)", "MUST",
     HS(quire_misdeed_alpn, C1(E_NO_APPLICATION_PROTOCOL)), 0, 0, 0, 0},
    /* last: it stops ngtcp2 1.11's server (docs/probe.md), so the cases before it all run */
    {"tp_extension_missing", "RFC 9001 8.2", "CRYPTO_ERROR missing_extension (0x16d)", "MUST",
     HS(quire_misdeed_no_tp, C1(E_MISSING_EXTENSION)), 0, 0, 0, 0},
};

const quire_pcase *quire_pcase_table(size_t *n)
{
    *n = sizeof cases / sizeof cases[0];
    return cases;
}

const quire_pcase *quire_pcase_find(const char *name)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!strcmp(cases[i].name, name)) return &cases[i];
    return NULL;
}

void quire_pcase_run(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r)
{
    memset(r, 0, sizeof *r);
    r->verdict = QUIRE_PV_NA;
    pc->run(ctx, pc, r);
}
