/* The spec rule table, the violation list and the observer glue (see spec.h); the checks are
 * in spec_packet.c, spec_tp.c and spec_flow.c. */
#include "spec/spec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_rules.h"
#include "util/err.h"

#define C QUIRE_SPEC_CLIENT
#define S QUIRE_SPEC_SERVER
#define B QUIRE_SPEC_BOTH

/* In the order of enum spec_rule_id. */
static const quire_spec_rule rules[R_COUNT] = {
    [R_CLIENT_INITIAL_1200] =
        {"client-initial-1200", "RFC 9000 14.1", C,
         "UDP datagrams carrying a client's Initial packets are at least 1200 bytes"},
    [R_SERVER_INITIAL_1200] =
        {"server-initial-1200", "RFC 9000 14.1", S,
         "UDP datagrams carrying a server's ack-eliciting Initial packets are at least 1200 bytes"},
    [R_AMPLIFICATION] =
        {"amplification-3x", "RFC 9000 8.1", S,
         "before the client's address is validated the server sends at most 3 times the bytes it "
         "received"},
    [R_CLIENT_INITIAL_DCID] =
        {"client-initial-dcid-8", "RFC 9000 7.2", C,
         "the Destination Connection ID of a client's first Initial is at least 8 bytes"},
    [R_SERVER_INITIAL_TOKEN] = {"server-initial-token-empty", "RFC 9000 17.2.2", S,
                                "Initial packets sent by the server have a zero-length token"},
    [R_LONG_RESERVED] =
        {"long-header-reserved-bits", "RFC 9000 17.2", B,
         "the reserved bits of a long header are 0 after header protection is removed"},
    [R_SHORT_RESERVED] =
        {"short-header-reserved-bits", "RFC 9000 17.3.1", B,
         "the reserved bits of a short header are 0 after header protection is removed"},
    [R_FIXED_BIT] = {"fixed-bit", "RFC 9000 17.2, RFC 9287 3", B,
                     "the fixed bit is 1 unless the receiver sent grease_quic_bit"},
    [R_ZERO_RTT_FROM_SERVER] = {"no-0rtt-from-server", "RFC 9000 17.2.3", S,
                                "a server never sends 0-RTT packets"},
    [R_RETRY_FROM_CLIENT] = {"no-retry-from-client", "RFC 9000 17.2.5", C,
                             "a client never sends Retry packets"},
    [R_V2_TYPES] =
        {"v2-packet-types", "RFC 9369 3.2", B,
         "QUIC v2 long headers use the v2 type bits (Initial 0b01, 0-RTT 0b10, Handshake 0b11, "
         "Retry 0b00)"},
    [R_PN_REUSE] =
        {"pn-no-reuse", "RFC 9000 12.3", B,
         "a packet number is not reused within a packet number space (a network duplicate is "
         "not a reuse)"},
    [R_PN_INCREASE] =
        {"pn-increasing", "RFC 9000 12.3", B,
         "each packet number in a space is larger than the previous one (checked next to the "
         "sender)"},
    [R_ACK_UNSENT] = {"ack-only-sent", "RFC 9000 13.1", B,
                      "ACK frames acknowledge only packet numbers the peer sent in that space"},
    [R_EMPTY_PACKET] = {"packet-has-frames", "RFC 9000 12.4", B,
                        "a packet contains at least one frame"},
    [R_FRAME_PACKET_TYPE] =
        {"frame-in-packet-type", "RFC 9000 12.4", B,
         "frames appear only in the packet types Table 3 allows (e.g. no STREAM in Initial, no ACK "
         "in 0-RTT)"},
    [R_APP_CLOSE_TYPE] = {"application-close-1rtt", "RFC 9000 12.4, 10.2.3", B,
                          "CONNECTION_CLOSE of type 0x1d is sent only in 0-RTT or 1-RTT packets"},
    [R_HANDSHAKE_DONE_CLIENT] = {"handshake-done-from-server", "RFC 9000 19.20", C,
                                 "only the server sends HANDSHAKE_DONE"},
    [R_NEW_TOKEN_CLIENT] = {"new-token-from-server", "RFC 9000 19.7", C,
                            "a client never sends NEW_TOKEN"},
    [R_HANDSHAKE_AFTER_DONE] =
        {"no-handshake-after-done", "RFC 9001 4.9.2", B,
         "no Handshake packet once the handshake is confirmed: the server's after its "
         "HANDSHAKE_DONE, the client's after acknowledging it (checked next to the sender)"},
    [R_INITIAL_DISCARDED] =
        {"initial-keys-discarded", "RFC 9001 4.9.1", B,
         "no Initial packet from the client after its first Handshake packet, from the server "
         "after it acknowledged a Handshake packet (checked next to the sender)"},
    [R_ZERO_RTT_AFTER_1RTT] =
        {"no-0rtt-after-1rtt", "RFC 9000 17.2.3", C,
         "no 0-RTT packet once the client processes 1-RTT packets (after it acknowledged one; "
         "checked next to the client)"},
    [R_ZERO_RTT_OFFERED] =
        {"0rtt-early-data-offered", "RFC 9001 4.6.1, RFC 8446 4.2.10", C,
         "a client sends 0-RTT packets only with the early_data extension in its ClientHello"},
    [R_HANDSHAKE_DONE_EARLY] =
        {"handshake-done-after-complete", "RFC 9000 19.20", S,
         "the server sends HANDSHAKE_DONE only once the handshake is complete (after the client's "
         "Finished)"},
    [R_RETRY_TOKEN] = {"retry-token-echo", "RFC 9000 17.2.5.2", C,
                       "a client's Initial sent to a Retry's SCID carries that Retry's token"},
    [R_RETRY_SCID_KEPT] =
        {"retry-scid-unchanged", "RFC 9000 17.2.5.2", C,
         "a client's Initial after a Retry keeps the Source Connection ID of its first Initial"},
    [R_RETRY_PN] =
        {"retry-pn-continues", "RFC 9000 17.2.5.3", C,
         "after a Retry the client does not reset its packet numbers (no Initial packet number "
         "used again)"},
    [R_RETRY_SAME_CH] =
        {"retry-same-client-hello", "RFC 9000 17.2.5.3", C,
         "after a Retry the client sends the same ClientHello (the same Initial CRYPTO data)"},
    [R_RETRY_SCID_DIFFERS] =
        {"retry-scid-not-dcid", "RFC 9000 17.2.5.1", S,
         "a Retry's Source Connection ID is not the Destination Connection ID of the client's "
         "Initial"},
    [R_CLOSE_ERROR] =
        {"close-error-code", "RFC 9000 20.1", B,
         "a transport CONNECTION_CLOSE carries a defined error code (0x00-0x11, 0x0100-0x01ff)"},
    [R_NEW_CID_RETIRE] =
        {"new-cid-retire-prior-to", "RFC 9000 19.15", B,
         "Retire Prior To in NEW_CONNECTION_ID is not larger than the Sequence Number"},
    [R_NEW_CID_ZERO_LEN] =
        {"new-cid-zero-length", "RFC 9000 19.15", B,
         "an endpoint using zero-length connection IDs sends no NEW_CONNECTION_ID"},
    [R_NEW_CID_SEQ] =
        {"new-cid-sequence", "RFC 9000 5.1.1", B,
         "connection IDs get sequence numbers increasing by 1, each for one connection ID (gaps "
         "checked next to the issuer)"},
    [R_CID_LIMIT] =
        {"cid-active-limit", "RFC 9000 5.1.1", B,
         "an endpoint provides no more connection IDs than the peer's active_connection_id_limit "
         "(beyond Retire Prior To)"},
    [R_RETIRE_UNKNOWN] = {"retire-cid-issued", "RFC 9000 19.16", B,
                          "RETIRE_CONNECTION_ID names a sequence number the peer issued"},
    [R_RETIRE_IN_USE] =
        {"retire-cid-not-in-use", "RFC 9000 19.16", B,
         "RETIRE_CONNECTION_ID does not retire the connection ID its own packet is sent to"},
    [R_PATH_RESPONSE] = {"path-response-echo", "RFC 9000 8.2.2", B,
                         "PATH_RESPONSE echoes the data of a PATH_CHALLENGE the peer sent"},
    [R_KEY_UPDATE_CONFIRMED] = {"key-update-confirmed", "RFC 9001 6.1", B,
                                "no key update is initiated before the handshake is confirmed"},
    [R_KEY_UPDATE_ACK] =
        {"key-update-ack-new-keys", "RFC 9001 6.2", B,
         "an endpoint acknowledges a packet of a new key phase only in packets of that phase or "
         "later"},
    [R_KEY_UPDATE_SUBSEQUENT] =
        {"key-update-after-ack", "RFC 9001 6.1", B,
         "a subsequent key update is initiated only after a packet of the current phase was "
         "acknowledged"},
    [R_TP_MAX_UDP] = {"tp-max-udp-payload-size", "RFC 9000 18.2", B,
                      "max_udp_payload_size is at least 1200"},
    [R_TP_ACK_DELAY_EXP] = {"tp-ack-delay-exponent", "RFC 9000 18.2", B,
                            "ack_delay_exponent is at most 20"},
    [R_TP_MAX_ACK_DELAY] = {"tp-max-ack-delay", "RFC 9000 18.2", B,
                            "max_ack_delay is less than 2^14"},
    [R_TP_CID_LIMIT] = {"tp-active-cid-limit", "RFC 9000 18.2", B,
                        "active_connection_id_limit is at least 2"},
    [R_TP_SERVER_ONLY] =
        {"tp-server-only", "RFC 9000 18.2", C,
         "a client sends none of original_destination_connection_id, preferred_address, "
         "retry_source_connection_id, stateless_reset_token"},
    [R_TP_INITIAL_SCID] = {"tp-initial-scid", "RFC 9000 7.3", B,
                           "initial_source_connection_id is sent and equals the SCID of the "
                           "sender's Initial packets"},
    [R_TP_ORIGINAL_DCID] =
        {"tp-original-dcid", "RFC 9000 7.3", S,
         "the server's original_destination_connection_id equals the DCID of the client's first "
         "Initial"},
    [R_TP_RETRY_SCID] =
        {"tp-retry-scid", "RFC 9000 7.3", S,
         "the server sends retry_source_connection_id exactly when it sent a Retry, equal to the "
         "Retry's SCID"},
    [R_CRYPTO_SAME] = {"crypto-data-unchanged", "RFC 9000 19.6", B,
                       "CRYPTO data sent again at an offset is the same as before"},
    [R_STREAM_SAME] = {"stream-data-unchanged", "RFC 9000 2.2", B,
                       "stream data sent again at an offset is the same as before"},
    [R_FINAL_SIZE] =
        {"final-size", "RFC 9000 4.5", B,
         "once a stream's final size is known it does not change and no data is sent beyond it"},
    [R_STREAM_DIRECTION] =
        {"stream-direction", "RFC 9000 2.1, 19.4-19.10", B,
         "no STREAM or RESET_STREAM on a peer's unidirectional stream, no STOP_SENDING or "
         "MAX_STREAM_DATA on one's own"},
    [R_MAX_DATA] = {"flow-max-data", "RFC 9000 4.1", B,
                    "stream data in total stays within the peer's initial_max_data and MAX_DATA"},
    [R_MAX_STREAM_DATA] =
        {"flow-max-stream-data", "RFC 9000 4.1", B,
         "stream data stays within the peer's stream limit (initial_max_stream_data_*, "
         "MAX_STREAM_DATA)"},
    [R_MAX_STREAMS] =
        {"flow-max-streams", "RFC 9000 4.6", B,
         "streams opened stay within the peer's initial_max_streams_* and MAX_STREAMS"},
    [R_MAX_STREAMS_BOUND] = {"max-streams-2-60", "RFC 9000 19.11, 18.2", B,
                             "MAX_STREAMS and initial_max_streams_* do not exceed 2^60"},
};

#undef C
#undef S
#undef B

const quire_spec_rule *quire_spec_rules(size_t *n)
{
    *n = R_COUNT;
    return rules;
}

int quire_spec_rule_find(const char *name)
{
    for (size_t i = 0; i < R_COUNT; i++)
        if (!strcmp(rules[i].name, name)) return (int)i;
    return QUIRE_ERR_NOTFOUND;
}

const char *quire_spec_side_name(quire_spec_side side)
{
    return side == QUIRE_SPEC_CLIENT ? "client" : side == QUIRE_SPEC_SERVER ? "server" : "both";
}

void quire_spec_init(quire_spec *s, const char *capture)
{
    memset(s, 0, sizeof *s);
    snprintf(s->capture, sizeof s->capture, "%s", capture ? capture : "");
}

static void conn_free(spec_conn *c)
{
    if (!c) return;
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < 3; k++) {
            free(c->pns[d][k].v);
            free(c->pns[d][k].holes);
        }
    spec_flow_free(c);
    free(c);
}

void quire_spec_free(quire_spec *s)
{
    for (size_t i = 0; i < s->nconns; i++)
        conn_free(s->conns[i]);
    free(s->conns);
    free(s->v);
    s->conns = NULL;
    s->nconns = 0;
    s->v = NULL;
    s->nv = 0;
}

int quire_spec_ignore(quire_spec *s, const char *name)
{
    int r = quire_spec_rule_find(name);
    if (r < 0) return r;
    s->off[r] = 1;
    return 0;
}

void quire_spec_set_near(quire_spec *s, int near)
{
    s->near = near;
}

size_t quire_spec_rules_judged(const quire_spec *s)
{
    size_t n = 0;
    for (size_t i = 0; i < R_COUNT; i++)
        n += s->checked[i] && !s->off[i];
    return n;
}

int spec_on(const quire_spec *s, int rule)
{
    return !s->off[rule];
}

int spec_near(const quire_spec *s, int sender)
{
    return (s->near & (sender ? QUIRE_SPEC_SERVER : QUIRE_SPEC_CLIENT)) != 0;
}

uint64_t spec_hash(const uint8_t *p, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* At most this many violations are kept per rule, connection and sender: a broken endpoint
 * tends to break a rule on every packet. */
#define KEEP_PER_RULE 3

void spec_report(quire_spec *s, spec_conn *c, int rule, int sender, uint64_t frame, const char *fmt,
                 ...)
{
    if (!spec_on(s, rule)) return;
    s->count++;
    s->per_rule[rule]++;
    if (c->reported[rule][sender]++ >= KEEP_PER_RULE) return;
    if (s->nv == QUIRE_SPEC_MAX_VIOLATIONS) return;
    if (!s->v) {
        s->v = calloc(QUIRE_SPEC_MAX_VIOLATIONS, sizeof *s->v);
        if (!s->v) {
            s->nomem = 1;
            return;
        }
    }
    quire_spec_violation *v = &s->v[s->nv++];
    v->rule = (size_t)rule;
    v->from_client = sender == 0;
    v->frame = frame;
    v->conn = c->index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
}

static spec_conn *conn_get(quire_spec *s, size_t index)
{
    if (index >= s->nconns) {
        size_t n = index + 1 > s->nconns * 2 ? index + 1 : s->nconns * 2;
        spec_conn **a = realloc(s->conns, n * sizeof *a);
        if (!a) return NULL;
        memset(a + s->nconns, 0, (n - s->nconns) * sizeof *a);
        s->conns = a;
        s->nconns = n;
    }
    if (!s->conns[index]) {
        spec_conn *c = calloc(1, sizeof *c);
        if (!c) return NULL;
        c->index = index;
        for (int d = 0; d < 2; d++) {
            for (int k = 0; k < 3; k++) {
                c->pns[d][k].largest = -1;
                c->pns[d][k].last = -1;
            }
            c->gen_first_pn[d] = -1;
        }
        s->conns[index] = c;
    }
    return s->conns[index];
}

void quire_spec_step(quire_spec *s, const quire_conn_packet *p)
{
    if (!p->conn || p->from_client < 0) return;
    spec_conn *c = conn_get(s, p->conn->index);
    if (!c) {
        s->nomem = 1;
        return;
    }
    if (!spec_packet_step(s, c, p)) return;
    spec_tp_step(s, c, p);
    spec_cid_step(s, c, p);
    spec_flow_step(s, c, p);
}

void quire_spec_finish_conn(quire_spec *s, const quire_conn *qc)
{
    if (qc->index >= s->nconns || !s->conns[qc->index]) return;
    spec_tp_finish(s, s->conns[qc->index], qc);
    spec_cid_finish(s, s->conns[qc->index], qc);
}

static void obs_step(void *state, const quire_trace *t, const quire_conn_packet *p)
{
    (void)t;
    quire_spec_step(state, p);
}

static int cmp_violation(const void *a, const void *b)
{
    const quire_spec_violation *x = a, *y = b;
    if (x->frame != y->frame) return x->frame < y->frame ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void obs_finish(void *state, const quire_trace *t)
{
    quire_spec *s = state;
    for (size_t i = 0; i < quire_trace_conn_count(t); i++)
        quire_spec_finish_conn(s, quire_trace_conn(t, i));
    /* the end-of-connection rules report frame numbers of their own: capture order */
    if (s->nv > 1) qsort(s->v, s->nv, sizeof *s->v, cmp_violation);
}

quire_observer quire_spec_observer(quire_spec *s)
{
    /* the rules judge what the endpoints processed: packets a receiver buffered until its keys
     * arrived too */
    return (quire_observer){
        .name = "spec", .state = s, .step = obs_step, .finish = obs_finish, .late = 1};
}

int quire_spec_check_file(quire_spec *s, quire_trace *t, const char *capture, const char *keylog)
{
    quire_observer o = quire_spec_observer(s);
    return quire_observe_run(t, capture, NULL, 0, keylog, &o, 1);
}

const char *quire_spec_violation_str(const quire_spec_violation *v, char *buf, size_t len)
{
    const quire_spec_rule *r = &rules[v->rule < R_COUNT ? v->rule : 0];
    if (v->frame)
        snprintf(buf, len, "%s (%s): %s, connection %zu, frame %llu: %s", r->name, r->rfc,
                 v->from_client ? "client" : "server", v->conn, (unsigned long long)v->frame,
                 v->detail);
    else
        snprintf(buf, len, "%s (%s): %s, connection %zu: %s", r->name, r->rfc,
                 v->from_client ? "client" : "server", v->conn, v->detail);
    return buf;
}

int quire_spec_json_violations(const quire_spec *s, const char *capture, json_t *arr)
{
    for (size_t i = 0; i < s->nv; i++) {
        const quire_spec_violation *v = &s->v[i];
        const quire_spec_rule *r = &rules[v->rule < R_COUNT ? v->rule : 0];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "rule", r->name, "rfc", r->rfc, "endpoint",
                      v->from_client ? "client" : "server", "connection", (json_int_t)v->conn,
                      "frame", (json_int_t)v->frame, "detail", v->detail);
        if (!o) return QUIRE_ERR_NOMEM;
        if (capture && json_object_set_new(o, "capture", json_string(capture))) {
            json_decref(o);
            return QUIRE_ERR_NOMEM;
        }
        if (json_array_append_new(arr, o)) return QUIRE_ERR_NOMEM;
    }
    return 0;
}

int quire_spec_verdict_json(const quire_spec *const *specs, const char *const *names, size_t n,
                            char *out, size_t outlen)
{
    uint64_t count = 0;
    int nomem = 0;
    json_t *v = json_array();
    if (!v) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        count += specs[i]->count;
        nomem |= specs[i]->nomem;
        if (quire_spec_json_violations(specs[i], names[i], v)) {
            json_decref(v);
            return QUIRE_ERR_NOMEM;
        }
    }
    size_t judged = 0;
    for (size_t r = 0; r < R_COUNT; r++) {
        int any = 0;
        for (size_t i = 0; i < n; i++)
            any |= specs[i]->checked[r] && !specs[i]->off[r];
        judged += (size_t)any;
    }
    json_t *root = json_pack("{s:b, s:I, s:I}", "clean", count == 0, "count", (json_int_t)count,
                             "rules_judged", (json_int_t)judged);
    if (!root || (nomem && json_object_set_new(root, "incomplete", json_true()))) {
        json_decref(v);
        json_decref(root);
        return QUIRE_ERR_NOMEM;
    }
    size_t all = json_array_size(v);
    int rv = QUIRE_ERR_INVALID;
    for (;;) {
        /* as many violations as fit, the first ones */
        json_object_set(root, "violations", v);
        if (json_array_size(v) < all)
            json_object_set_new(root, "listed", json_integer((json_int_t)json_array_size(v)));
        char *text = json_dumps(root, JSON_COMPACT);
        if (!text) {
            rv = QUIRE_ERR_NOMEM;
            break;
        }
        size_t len = strlen(text);
        if (len < outlen) {
            memcpy(out, text, len + 1);
            free(text);
            rv = 0;
            break;
        }
        free(text);
        if (!json_array_size(v)) break;
        json_array_remove(v, json_array_size(v) - 1);
    }
    json_decref(v);
    json_decref(root);
    return rv;
}
