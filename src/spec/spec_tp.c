/* Spec rules on transport parameters and the connection IDs they authenticate (RFC 9000 18.2,
 * 7.3; see spec.h). The packets give the connection IDs (first Initial SCID per side, the
 * Retry SCIDs); the parameters are judged once per connection at the end of the walk, on the
 * decoder's TLS summary, and reported at the frame where they were decoded. */
#include <string.h>

#include "spec/spec_rules.h"

static int has(const quire_tp_set *tp, quire_tp_id id)
{
    return (tp->mask >> id) & 1;
}

static int cid_eq(const quire_cid_val *a, const quire_cid_val *b)
{
    return a->len == b->len && !memcmp(a->id, b->id, a->len);
}

/* RFC 9000 17.2.5.2: an Initial the client sends to a Retry's SCID (so after processing that
 * Retry, whatever the capture order) echoes its token and keeps the client's SCID. */
static void retry_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p)
{
    const quire_packet *k = p->pkt;
    char a[41], b[41];
    for (size_t i = 0; i < c->nretry; i++) {
        const quire_cid_val *r = &c->retry_scid[i];
        if (r->len != k->dcid_len || memcmp(r->id, k->dcid, r->len)) continue;
        size_t tl = c->retry_token_len[i];
        if (tl <= sizeof c->retry_token[0]) {
            spec_checked(s, R_RETRY_TOKEN);
            if (k->token_len != tl || (tl && memcmp(k->token, c->retry_token[i], tl)))
                spec_report(s, c, R_RETRY_TOKEN, 0, p->frame,
                            "Initial to the Retry's SCID %s with a %zu-byte token that is not the "
                            "Retry's (%zu bytes)",
                            quire_cid_hex(r->id, r->len, a), k->token_len, tl);
        }
        if (c->have_iscid[0]) {
            spec_checked(s, R_RETRY_SCID_KEPT);
            if (k->scid_len != c->iscid[0].len ||
                (k->scid_len && memcmp(k->scid, c->iscid[0].id, k->scid_len)))
                spec_report(s, c, R_RETRY_SCID_KEPT, 0, p->frame,
                            "Initial after the Retry with SCID %s, the first Initial's was %s",
                            quire_cid_hex(k->scid, k->scid_len, a),
                            quire_cid_hex(c->iscid[0].id, c->iscid[0].len, b));
        }
        return;
    }
}

void spec_tp_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p)
{
    const quire_packet *k = p->pkt;
    int d = p->from_client ? 0 : 1;
    if (!c->tp_frame[0] && p->conn->tls.client_tp.present) c->tp_frame[0] = p->frame;
    if (!c->tp_frame[1] && p->conn->tls.server_tp.present) c->tp_frame[1] = p->frame;
    if (!k) return;
    /* the first authenticated Initial's: a corrupted SCID is not the sender's */
    if (k->type == QUIRE_PACKET_INITIAL && !c->have_iscid[d] && spec_authentic(k)) {
        c->have_iscid[d] = 1;
        c->iscid[d].len = (uint8_t)k->scid_len;
        if (k->scid_len) memcpy(c->iscid[d].id, k->scid, k->scid_len);
    }
    if (k->type == QUIRE_PACKET_RETRY && d == 1 && k->retry_tag != 0) {
        const quire_cid_val *o = &p->conn->odcid;
        char a[41];
        spec_checked(s, R_RETRY_SCID_DIFFERS);
        if (o->len == k->scid_len && (!o->len || !memcmp(o->id, k->scid, o->len)))
            spec_report(s, c, R_RETRY_SCID_DIFFERS, 1, p->frame,
                        "Retry with SCID %s, the DCID of the client's Initial",
                        quire_cid_hex(k->scid, k->scid_len, a));
    }
    /* a Retry whose integrity tag fails is discarded by the client (RFC 9000 17.2.5.2): on a
     * corrupting link it is a damaged server packet whose type bits now read Retry */
    if (k->type == QUIRE_PACKET_RETRY && d == 1 && k->retry_tag != 0 &&
        c->nretry < SPEC_MAX_RETRY) {
        quire_cid_val *v = &c->retry_scid[c->nretry];
        v->len = (uint8_t)k->scid_len;
        if (k->scid_len) memcpy(v->id, k->scid, k->scid_len);
        c->retry_token_len[c->nretry] = k->token_len;
        if (k->token_len && k->token_len <= sizeof c->retry_token[0])
            memcpy(c->retry_token[c->nretry], k->token, k->token_len);
        c->nretry++;
    }
    if (k->type == QUIRE_PACKET_INITIAL && d == 0 && spec_authentic(k)) retry_rules(s, c, p);
    if (k->type == QUIRE_PACKET_VERSION_NEGOTIATION) {
        /* the client's next attempt may come with another SCID */
        c->vn = 1;
        c->have_iscid[0] = 0;
    }
}

#define LIMIT_2_60 (1ull << 60)

static void bounds(quire_spec *s, spec_conn *c, const quire_tp_set *tp, int d, uint64_t frame)
{
    if (has(tp, QUIRE_TP_MAX_UDP_PAYLOAD_SIZE)) spec_checked(s, R_TP_MAX_UDP);
    if (has(tp, QUIRE_TP_ACK_DELAY_EXPONENT)) spec_checked(s, R_TP_ACK_DELAY_EXP);
    if (has(tp, QUIRE_TP_MAX_ACK_DELAY)) spec_checked(s, R_TP_MAX_ACK_DELAY);
    if (has(tp, QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT)) spec_checked(s, R_TP_CID_LIMIT);
    spec_checked(s, R_MAX_STREAMS_BOUND);
    if (has(tp, QUIRE_TP_MAX_UDP_PAYLOAD_SIZE) && tp->val[QUIRE_TP_MAX_UDP_PAYLOAD_SIZE] < 1200)
        spec_report(s, c, R_TP_MAX_UDP, d, frame, "max_udp_payload_size %llu",
                    (unsigned long long)tp->val[QUIRE_TP_MAX_UDP_PAYLOAD_SIZE]);
    if (has(tp, QUIRE_TP_ACK_DELAY_EXPONENT) && tp->val[QUIRE_TP_ACK_DELAY_EXPONENT] > 20)
        spec_report(s, c, R_TP_ACK_DELAY_EXP, d, frame, "ack_delay_exponent %llu",
                    (unsigned long long)tp->val[QUIRE_TP_ACK_DELAY_EXPONENT]);
    if (has(tp, QUIRE_TP_MAX_ACK_DELAY) && tp->val[QUIRE_TP_MAX_ACK_DELAY] >= 16384)
        spec_report(s, c, R_TP_MAX_ACK_DELAY, d, frame, "max_ack_delay %llu",
                    (unsigned long long)tp->val[QUIRE_TP_MAX_ACK_DELAY]);
    if (has(tp, QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT) &&
        tp->val[QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT] < 2)
        spec_report(s, c, R_TP_CID_LIMIT, d, frame, "active_connection_id_limit %llu",
                    (unsigned long long)tp->val[QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT]);
    static const quire_tp_id streams[2] = {QUIRE_TP_INITIAL_MAX_STREAMS_BIDI,
                                           QUIRE_TP_INITIAL_MAX_STREAMS_UNI};
    for (int i = 0; i < 2; i++)
        if (has(tp, streams[i]) && tp->val[streams[i]] > LIMIT_2_60)
            spec_report(s, c, R_MAX_STREAMS_BOUND, d, frame, "%s %llu", quire_tp_name(streams[i]),
                        (unsigned long long)tp->val[streams[i]]);
}

static void server_only(quire_spec *s, spec_conn *c, const quire_tp_set *tp, uint64_t frame)
{
    static const quire_tp_id ids[] = {QUIRE_TP_ORIGINAL_DCID, QUIRE_TP_PREFERRED_ADDRESS,
                                      QUIRE_TP_RETRY_SCID, QUIRE_TP_STATELESS_RESET_TOKEN};
    spec_checked(s, R_TP_SERVER_ONLY);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (has(tp, ids[i]))
            spec_report(s, c, R_TP_SERVER_ONLY, 0, frame, "the client sent %s",
                        quire_tp_name(ids[i]));
}

static void cids(quire_spec *s, spec_conn *c, const quire_conn *qc, const quire_tp_set *tp, int d,
                 uint64_t frame)
{
    char a[41], b[41];
    spec_checked(s, R_TP_INITIAL_SCID);
    if (d == 1) spec_checked(s, R_TP_RETRY_SCID);
    if (d == 1 && !c->vn) spec_checked(s, R_TP_ORIGINAL_DCID);
    if (!has(tp, QUIRE_TP_INITIAL_SCID))
        spec_report(s, c, R_TP_INITIAL_SCID, d, frame, "initial_source_connection_id missing");
    else if (c->have_iscid[d] && !cid_eq(&tp->iscid, &c->iscid[d]))
        spec_report(s, c, R_TP_INITIAL_SCID, d, frame,
                    "initial_source_connection_id %s, but the Initial packets' SCID is %s",
                    quire_cid_hex(tp->iscid.id, tp->iscid.len, a),
                    quire_cid_hex(c->iscid[d].id, c->iscid[d].len, b));
    if (d == 0) return;
    /* after a Version Negotiation the client's next Initial starts another attempt, which
     * the decoder may keep in this connection: its first DCID is not known for certain */
    if (!c->vn) {
        if (!has(tp, QUIRE_TP_ORIGINAL_DCID))
            spec_report(s, c, R_TP_ORIGINAL_DCID, 1, frame,
                        "original_destination_connection_id missing");
        else if (!cid_eq(&tp->odcid, &qc->odcid))
            spec_report(s, c, R_TP_ORIGINAL_DCID, 1, frame,
                        "original_destination_connection_id %s, but the client's first Initial "
                        "went to %s",
                        quire_cid_hex(tp->odcid.id, tp->odcid.len, a),
                        quire_cid_hex(qc->odcid.id, qc->odcid.len, b));
    }
    if (!c->nretry) {
        if (has(tp, QUIRE_TP_RETRY_SCID))
            spec_report(s, c, R_TP_RETRY_SCID, 1, frame,
                        "retry_source_connection_id %s without a Retry",
                        quire_cid_hex(tp->rscid.id, tp->rscid.len, a));
        return;
    }
    if (!has(tp, QUIRE_TP_RETRY_SCID)) {
        spec_report(s, c, R_TP_RETRY_SCID, 1, frame,
                    "retry_source_connection_id missing after a Retry");
        return;
    }
    for (size_t i = 0; i < c->nretry; i++)
        if (cid_eq(&tp->rscid, &c->retry_scid[i])) return;
    spec_report(s, c, R_TP_RETRY_SCID, 1, frame,
                "retry_source_connection_id %s, but the Retry's SCID is %s",
                quire_cid_hex(tp->rscid.id, tp->rscid.len, a),
                quire_cid_hex(c->retry_scid[0].id, c->retry_scid[0].len, b));
}

void spec_tp_finish(quire_spec *s, spec_conn *c, const quire_conn *qc)
{
    /* parameters in a TLS message that did not parse are not judged */
    if (qc->tls.errors) return;
    const quire_tp_set *tps[2] = {&qc->tls.client_tp, &qc->tls.server_tp};
    for (int d = 0; d < 2; d++) {
        const quire_tp_set *tp = tps[d];
        if (!tp->present) continue;
        bounds(s, c, tp, d, c->tp_frame[d]);
        if (d == 0) server_only(s, c, tp, c->tp_frame[0]);
        cids(s, c, qc, tp, d, c->tp_frame[d]);
    }
}
