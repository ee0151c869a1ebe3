/* Spec rules on connection IDs issued and retired (RFC 9000 5.1.1, 19.15, 19.16; see spec.h).
 * Per issuer: sequence number 0 is the SCID of its first Initial, 1 the server's
 * preferred_address connection ID, the others come in NEW_CONNECTION_ID frames. A frame the
 * receiver acts on (NEW_CONNECTION_ID before a RETIRE_CONNECTION_ID of it, a RETIRE before
 * the issuer counts the ID as gone) passes the capture first on either side of the network;
 * the rules that need every NEW_CONNECTION_ID of the issuer are waived once one of its
 * 1-RTT packets could not be decrypted. */
#include <string.h>

#include "spec/spec_rules.h"
#include "util/err.h"

static int bit(const uint8_t *b, uint64_t i)
{
    return (b[i >> 3] >> (i & 7)) & 1;
}

static void set_bit(uint8_t *b, uint64_t i)
{
    b[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static int has_preferred(const quire_conn *qc, int issuer)
{
    return issuer == 1 && qc->tls.server_tp.present &&
           ((qc->tls.server_tp.mask >> QUIRE_TP_PREFERRED_ADDRESS) & 1);
}

/* The connection ID the issuer gave sequence number seq, or NULL when unknown. */
static const quire_cid_val *cid_of(const spec_conn *c, const quire_conn *qc, int issuer,
                                   uint64_t seq)
{
    if (seq == 0) return c->have_iscid[issuer] ? &c->iscid[issuer] : NULL;
    if (seq == 1 && has_preferred(qc, issuer)) return &qc->tls.server_tp.preferred_address.cid;
    if (seq < SPEC_MAX_CID_SEQ && bit(c->cid_issued[issuer], seq)) return &c->cid[issuer][seq];
    return NULL;
}

/* Connection IDs of the issuer the peer may still use: issued (0, the preferred address's,
 * NEW_CONNECTION_ID), not below its Retire Prior To, not retired by the peer. */
static uint64_t active(const spec_conn *c, const quire_conn *qc, int issuer)
{
    uint64_t n = 0;
    for (uint64_t q = c->cid_rpt[issuer]; q <= c->cid_max[issuer] || q <= 1; q++)
        if (cid_of(c, qc, issuer, q) && !bit(c->cid_retired[issuer], q)) n++;
    return n;
}

static void on_new_cid(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                       const quire_frame *f)
{
    uint64_t seq = f->u.new_connection_id.seq;
    if (f->u.new_connection_id.retire_prior_to > c->cid_rpt[d])
        c->cid_rpt[d] = f->u.new_connection_id.retire_prior_to;
    if (seq >= SPEC_MAX_CID_SEQ) {
        c->cid_overflow[d] = 1;
        return;
    }
    quire_cid_val v = {.len = f->u.new_connection_id.cid_len};
    memcpy(v.id, f->u.new_connection_id.cid, v.len);
    spec_checked(s, R_NEW_CID_SEQ);
    const quire_cid_val *old = cid_of(c, p->conn, d, seq);
    char a[41], b[41];
    if (old && (old->len != v.len || memcmp(old->id, v.id, v.len)))
        spec_report(s, c, R_NEW_CID_SEQ, d, p->frame,
                    "sequence number %llu for connection ID %s, already issued for %s",
                    (unsigned long long)seq, quire_cid_hex(v.id, v.len, a),
                    quire_cid_hex(old->id, old->len, b));
    if (old) return;
    c->cid[d][seq] = v;
    set_bit(c->cid_issued[d], seq);
    if (seq > c->cid_max[d]) c->cid_max[d] = seq;
    /* RFC 9000 5.1.1: within the limit, the excess retired by Retire Prior To */
    const quire_tp_set *tp = d == 0 ? &p->conn->tls.server_tp : &p->conn->tls.client_tp;
    if (!tp->present || c->app_undecryptable[1 - d] || c->cid_overflow[d]) return;
    uint64_t lim = (tp->mask >> QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT) & 1
                       ? tp->val[QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT]
                       : 2;
    uint64_t n = active(c, p->conn, d);
    spec_checked(s, R_CID_LIMIT);
    if (n > lim && !c->cid_limit_reported[d]) {
        c->cid_limit_reported[d] = 1;
        spec_report(s, c, R_CID_LIMIT, d, p->frame,
                    "%llu connection IDs active with sequence number %llu, the peer's limit is "
                    "%llu",
                    (unsigned long long)n, (unsigned long long)seq, (unsigned long long)lim);
    }
}

static void on_retire(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                      const quire_frame *f)
{
    int issuer = 1 - d;
    uint64_t seq = f->u.retire_connection_id.seq;
    const quire_cid_val *v = cid_of(c, p->conn, issuer, seq);
    if (seq < SPEC_MAX_CID_SEQ && !c->cid_overflow[issuer] && !c->app_undecryptable[issuer]) {
        spec_checked(s, R_RETIRE_UNKNOWN);
        if (!v && (seq != 0 || c->have_iscid[issuer]))
            spec_report(s, c, R_RETIRE_UNKNOWN, d, p->frame,
                        "RETIRE_CONNECTION_ID %llu, a sequence number the %s never issued",
                        (unsigned long long)seq, issuer ? "server" : "client");
    }
    if (v) {
        const quire_packet *k = p->pkt;
        spec_checked(s, R_RETIRE_IN_USE);
        char a[41];
        if (v->len == k->dcid_len && v->len && !memcmp(v->id, k->dcid, v->len))
            spec_report(s, c, R_RETIRE_IN_USE, d, p->frame,
                        "RETIRE_CONNECTION_ID %llu in a packet sent to that connection ID %s",
                        (unsigned long long)seq, quire_cid_hex(v->id, v->len, a));
    }
    if (seq < SPEC_MAX_CID_SEQ) set_bit(c->cid_retired[issuer], seq);
}

void spec_cid_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p)
{
    const quire_packet *k = p->pkt;
    if (!k || !k->payload || (k->status != 0 && k->status != QUIRE_ERR_MALFORMED)) return;
    int d = p->from_client ? 0 : 1;
    for (size_t i = 0; i < p->nframes; i++) {
        const quire_frame *f = &p->frames[i];
        if (f->kind == QUIRE_FRAME_NEW_CONNECTION_ID) on_new_cid(s, c, p, d, f);
        if (f->kind == QUIRE_FRAME_RETIRE_CONNECTION_ID) on_retire(s, c, p, d, f);
    }
}

/* Next to the issuer every NEW_CONNECTION_ID it sent is in the capture: the sequence numbers
 * it used have no gap (RFC 9000 5.1.1: each new one is the previous plus 1). */
void spec_cid_finish(quire_spec *s, spec_conn *c, const quire_conn *qc)
{
    for (int d = 0; d < 2; d++) {
        if (!spec_near(s, d) || c->cid_overflow[d] || c->app_undecryptable[d]) continue;
        uint64_t first = has_preferred(qc, d) ? 2 : 1, max = 0;
        int any = 0;
        for (uint64_t q = first; q < SPEC_MAX_CID_SEQ; q++)
            if (bit(c->cid_issued[d], q)) max = q, any = 1;
        if (!any) continue;
        spec_checked(s, R_NEW_CID_SEQ);
        for (uint64_t q = first; q < max; q++)
            if (!bit(c->cid_issued[d], q)) {
                spec_report(s, c, R_NEW_CID_SEQ, d, qc->last_frame,
                            "connection IDs with sequence numbers up to %llu, but none with %llu",
                            (unsigned long long)max, (unsigned long long)q);
                break;
            }
    }
}
