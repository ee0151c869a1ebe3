/* Spec rules on packets (see spec.h): datagram sizes and the amplification limit (RFC 9000
 * 14.1, 8.1), header bits (17.2, 17.3.1, RFC 9287), packet types per sender (17.2.3, 17.2.5,
 * RFC 9369 3.2), packet numbers (12.3) and what ACK frames acknowledge (13.1), frames per
 * packet type and sender (12.4 Table 3, 19.x), CONNECTION_CLOSE codes (20.1), and key updates
 * (RFC 9001 6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec_rules.h"
#include "util/err.h"

#define QUIC_V2 0x6b3343cfu
#define MAX_HOLES 4096

static const char *const space_names[3] = {"Initial", "Handshake", "application"};

int spec_authentic(const quire_packet *k)
{
    return k->payload && (k->status == 0 || k->status == QUIRE_ERR_MALFORMED);
}

#define decrypted spec_authentic

static int protected_type(quire_packet_type t)
{
    return t == QUIRE_PACKET_INITIAL || t == QUIRE_PACKET_0RTT || t == QUIRE_PACKET_HANDSHAKE ||
           t == QUIRE_PACKET_1RTT;
}

/* RFC 9002 2: frames other than ACK, PADDING and CONNECTION_CLOSE elicit an ACK. */
static int ack_eliciting(const quire_conn_packet *p)
{
    for (size_t i = 0; i < p->nframes; i++) {
        quire_frame_kind k = p->frames[i].kind;
        if (k != QUIRE_FRAME_ACK && k != QUIRE_FRAME_PADDING && k != QUIRE_FRAME_CONNECTION_CLOSE)
            return 1;
    }
    return 0;
}

/* ---- datagrams: sizes and the amplification limit ---- */

/* Counts a datagram once (the first of its coalesced packets) for RFC 9000 8.1. A server
 * datagram identical to one seen before is a network duplicate: the server sent it once. A
 * client datagram counts every time (the server counts all it receives, duplicates too). */
static void amplification(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d)
{
    if (c->amp_done || p->frame == c->last_frame[d] || p->late_frame) return; /* late: counted */
    c->last_frame[d] = p->frame;
    if (d == 0) {
        c->amp_recv += p->udp->len;
        return;
    }
    uint64_t h = spec_hash(p->udp->payload, p->udp->len) ^ p->udp->len;
    for (size_t i = 0; i < c->ndgram; i++)
        if (c->dgram_hash[i] == h) return;
    if (c->ndgram == SPEC_MAX_DGRAMS) {
        c->amp_done = 1; /* a very long handshake: give up rather than guess */
        return;
    }
    c->dgram_hash[c->ndgram++] = h;
    c->amp_sent += p->udp->len;
    spec_checked(s, R_AMPLIFICATION);
    if (c->amp_sent > 3 * c->amp_recv && !c->amp_reported) {
        c->amp_reported = 1;
        spec_report(s, c, R_AMPLIFICATION, 1, p->frame,
                    "%llu bytes sent after receiving %llu (limit %llu) before the client's "
                    "address was validated",
                    (unsigned long long)c->amp_sent, (unsigned long long)c->amp_recv,
                    (unsigned long long)(3 * c->amp_recv));
    }
}

static void datagram_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                           int fresh)
{
    const quire_packet *k = p->pkt;
    /* a client Handshake packet validates the address (8.1); a token may have (8.1.3, 8.1.2) */
    if (k && d == 0 &&
        (k->type == QUIRE_PACKET_HANDSHAKE || (k->type == QUIRE_PACKET_INITIAL && k->token_len)))
        c->amp_done = 1;
    amplification(s, c, p, d);
    if (!fresh || !k || k->type != QUIRE_PACKET_INITIAL || p->frame == c->size_frame[d]) return;
    if (d == 0) spec_checked(s, R_CLIENT_INITIAL_1200);
    if (d == 1 && decrypted(k) && ack_eliciting(p)) spec_checked(s, R_SERVER_INITIAL_1200);
    if (p->udp->len >= 1200) return;
    if (d == 0) {
        c->size_frame[d] = p->frame;
        spec_report(s, c, R_CLIENT_INITIAL_1200, 0, p->frame,
                    "a datagram with an Initial packet has %zu bytes of UDP payload", p->udp->len);
    } else if (decrypted(k) && ack_eliciting(p)) {
        c->size_frame[d] = p->frame;
        spec_report(s, c, R_SERVER_INITIAL_1200, 1, p->frame,
                    "a datagram with an ack-eliciting Initial packet has %zu bytes of UDP payload",
                    p->udp->len);
    }
}

/* ---- header fields ---- */

static void header_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    const quire_conn *qc = p->conn;
    char hex[41];
    /* the header fields of a packet that did not authenticate may be the link's damage (a
     * corrupting link), not the sender's: those rules judge authenticated packets only */
    int own = decrypted(k);
    if (own && d == 0 && k->type == QUIRE_PACKET_INITIAL && !c->dcid_checked) {
        c->dcid_checked = 1;
        spec_checked(s, R_CLIENT_INITIAL_DCID);
        if (k->dcid_len < 8)
            spec_report(s, c, R_CLIENT_INITIAL_DCID, 0, p->frame,
                        "the first Initial's DCID %s has %zu bytes",
                        quire_cid_hex(k->dcid, k->dcid_len, hex), k->dcid_len);
    }
    if (own && d == 1 && k->type == QUIRE_PACKET_INITIAL) spec_checked(s, R_SERVER_INITIAL_TOKEN);
    if (own) spec_checked(s, k->type == QUIRE_PACKET_1RTT ? R_SHORT_RESERVED : R_LONG_RESERVED);
    if (own && d == 1 && k->type == QUIRE_PACKET_INITIAL && k->token_len)
        spec_report(s, c, R_SERVER_INITIAL_TOKEN, 1, p->frame,
                    "a server Initial carries a %zu-byte token", k->token_len);
    if (own && k->reserved_bits)
        spec_report(s, c, k->type == QUIRE_PACKET_1RTT ? R_SHORT_RESERVED : R_LONG_RESERVED, d,
                    p->frame, "%s packet %llu has reserved bits 0x%02x",
                    quire_packet_type_name(k->type), (unsigned long long)k->pn, k->reserved_bits);
    /* RFC 9287 3: the bit may be 0 once the receiver's grease_quic_bit is known; a client may
     * also clear it in Initial and 0-RTT packets from what it remembers of an earlier
     * connection, so those are not judged */
    if (own && k->type != QUIRE_PACKET_VERSION_NEGOTIATION && k->type != QUIRE_PACKET_UNKNOWN_VERSION &&
        !(d == 0 && (k->type == QUIRE_PACKET_INITIAL || k->type == QUIRE_PACKET_0RTT))) {
        const quire_tp_set *tp = d == 0 ? &qc->tls.server_tp : &qc->tls.client_tp;
        if (tp->present) spec_checked(s, R_FIXED_BIT);
        if (!k->fixed_bit && tp->present && !((tp->mask >> QUIRE_TP_GREASE_QUIC_BIT) & 1))
            spec_report(s, c, R_FIXED_BIT, d, p->frame,
                        "%s packet with the fixed bit 0, but the %s did not send grease_quic_bit",
                        quire_packet_type_name(k->type), d == 0 ? "server" : "client");
    }
    /* A packet type the sender never sends: in v2 it means v1 type bits were used (v1's
     * Initial 0b00 reads as a v2 Retry, v1's Handshake 0b10 as a v2 0-RTT). */
    int wrong =
        (d == 1 && k->type == QUIRE_PACKET_0RTT) || (d == 0 && k->type == QUIRE_PACKET_RETRY);
    if (k->version == QUIC_V2) spec_checked(s, R_V2_TYPES);
    spec_checked(s, d ? R_ZERO_RTT_FROM_SERVER : R_RETRY_FROM_CLIENT);
    /* RFC 8446 4.2.10: early data only with the early_data extension (a ClientHello after a
     * HelloRetryRequest has none, and 0-RTT sent before it may reach the capture later) */
    const quire_tls_info *tls = &qc->tls;
    /* without early_data there are no 0-RTT keys to authenticate the packet with: judged only
     * next to the client, where no link can have turned another type's bits into 0-RTT's */
    if (d == 0 && k->type == QUIRE_PACKET_0RTT && tls->client_hello == 1 &&
        !tls->hello_retry_request && !tls->errors && (spec_authentic(k) || spec_near(s, 0))) {
        spec_checked(s, R_ZERO_RTT_OFFERED);
        if (!tls->early_data)
            spec_report(s, c, R_ZERO_RTT_OFFERED, 0, p->frame,
                        "0-RTT packet without early_data in the ClientHello");
    }
    if (wrong && k->version == QUIC_V2)
        spec_report(s, c, R_V2_TYPES, d, p->frame,
                    "a v2 long header with type bits 0x%x (a v2 %s, which the %s never sends: v1 "
                    "type bits?)",
                    (k->first_byte >> 4) & 3, quire_packet_type_name(k->type),
                    d ? "server" : "client");
    /* A client "Retry" whose integrity tag fails is a damaged Initial or 0-RTT; a server
     * "0-RTT" cannot be authenticated at all (only clients have 0-RTT keys), so it is judged
     * only where the capture is next to the server, before any link could damage it. */
    else if (wrong && (d == 1 ? spec_near(s, 1) : k->retry_tag == 1))
        spec_report(s, c, d ? R_ZERO_RTT_FROM_SERVER : R_RETRY_FROM_CLIENT, d, p->frame,
                    "the %s sent a %s packet", d ? "server" : "client",
                    quire_packet_type_name(k->type));
    if (own && (k->type == QUIRE_PACKET_INITIAL || k->type == QUIRE_PACKET_HANDSHAKE) &&
        !k->scid_len)
        c->zero_len_scid[d] = 1;
}

/* ---- packet numbers ---- */

static int hole_find(const spec_pns *n, uint64_t pn, size_t *at)
{
    size_t lo = 0, hi = n->nholes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (n->holes[mid] < pn)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < n->nholes && n->holes[lo] == pn;
}

/* 1 when some hole (a number below the largest that was never seen) lies in [lo, hi]. */
static int hole_in(const spec_pns *n, uint64_t lo, uint64_t hi, uint64_t *which)
{
    size_t at;
    hole_find(n, lo, &at);
    if (at < n->nholes && n->holes[at] <= hi) {
        *which = n->holes[at];
        return 1;
    }
    return 0;
}

static void pns_reset(spec_pns *n)
{
    free(n->v);
    free(n->holes);
    memset(n, 0, sizeof *n);
    n->largest = -1;
    n->last = -1;
}

/* The record of pn, or NULL when it is outside what is followed. */
static const spec_pn *pn_rec(const spec_pns *n, uint64_t pn)
{
    if (pn < n->base || pn - n->base >= n->cap) return NULL;
    return &n->v[pn - n->base];
}

/* Records pn; returns 1 for a new number, 0 for a network duplicate, -1 for a reuse. Numbers
 * are followed from a little below the first one seen (RFC 9000 12.3 has them start at 0, but
 * some senders start far above). */
static int pns_add(quire_spec *s, spec_pns *n, uint64_t pn, uint32_t hash, uint8_t gen)
{
    if (!n->cap && n->largest < 0) n->base = pn > 1024 ? pn - 1024 : 0;
    if (pn < n->base || pn - n->base >= SPEC_MAX_PN) {
        n->unknown = 1;
        return 1;
    }
    uint64_t idx = pn - n->base;
    if (idx >= n->cap) {
        size_t cap = n->cap ? n->cap : 256;
        while (cap <= idx)
            cap *= 2;
        spec_pn *v = realloc(n->v, cap * sizeof *v);
        if (!v) {
            s->nomem = n->unknown = 1;
            return 1;
        }
        memset(v + n->cap, 0, (cap - n->cap) * sizeof *v);
        n->v = v;
        n->cap = cap;
    }
    spec_pn *r = &n->v[idx];
    if (r->seen) return r->hash == hash ? 0 : -1;
    r->seen = 1;
    r->hash = hash;
    r->gen = gen;
    if ((int64_t)pn > n->largest) {
        /* no holes below the first number seen: a packet that reached the capture before its
         * connection was known (a 0-RTT packet reordered before the Initial) was not seen */
        uint64_t from = n->largest < 0 ? pn : (uint64_t)(n->largest + 1);
        if (n->nholes + (pn - from) > MAX_HOLES) {
            n->unknown = 1; /* skips too wide to follow */
        } else {
            if (n->nholes + (pn - from) > n->cap_holes) {
                size_t cap = n->cap_holes ? n->cap_holes : 64;
                while (cap < n->nholes + (pn - from))
                    cap *= 2;
                uint64_t *h = realloc(n->holes, cap * sizeof *h);
                if (!h) {
                    s->nomem = n->unknown = 1;
                    return 1;
                }
                n->holes = h;
                n->cap_holes = cap;
            }
            for (uint64_t x = from; x < pn; x++)
                n->holes[n->nholes++] = x;
        }
        n->largest = (int64_t)pn;
    } else {
        size_t at;
        if (hole_find(n, pn, &at)) {
            memmove(n->holes + at, n->holes + at + 1, (n->nholes - at - 1) * sizeof *n->holes);
            n->nholes--;
        }
    }
    return 1;
}

/* The key generation of a 1-RTT packet of sender d: the decoder counts updates as it opens
 * packets, and a late packet of the previous generation opens with the previous keys. */
static int key_gen(const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    if (k->type != QUIRE_PACKET_1RTT) return 0;
    int g = (int)p->conn->dir[d].key_updates;
    if (k->key_slot == QUIRE_KEY_PREVIOUS && g > 0) g--;
    return g;
}

/* Returns 0 when the packet is a network duplicate of one seen before. */
static int pn_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    if (k->type == QUIRE_PACKET_RETRY && d == 1) {
        /* RFC 9000 17.2.5.3: the client's packet numbers go on after it */
        if (!c->retried) c->retry_largest = c->pns[0][QUIRE_PN_SPACE_INITIAL].largest;
        c->retried = 1;
        return 1;
    }
    if (k->type == QUIRE_PACKET_VERSION_NEGOTIATION) {
        /* Nothing authenticates a VN: on a corrupting link a damaged server Initial can read
         * as one (its version bytes zeroed), and the client goes on. The client's packet
         * numbers start over only once its Initials come in another version. */
        c->vn = 1;
        c->vn_pending = 1;
        return 1;
    }
    if (!protected_type(k->type)) return 1;
    spec_pns *n = &c->pns[d][k->space];
    if (!decrypted(k)) {
        n->unknown = 1;
        return 1;
    }
    if (d == 0 && k->type != QUIRE_PACKET_1RTT) {
        if (c->vn_pending && c->client_version && k->version != c->client_version) {
            for (int sp = 0; sp < 3; sp++)
                pns_reset(&c->pns[0][sp]);
            c->vn_pending = 0;
        }
        c->client_version = k->version;
    }
    /* the AEAD tag (the packet's last 16 bytes) tells two contents apart as well as the whole
     * packet would, at a fixed cost */
    size_t tail = k->size < 16 ? k->size : 16;
    uint32_t h =
        (uint32_t)(spec_hash(p->udp->payload + p->offset + k->size - tail, tail) ^ k->size);
    int64_t before = n->largest;
    int r = pns_add(s, n, k->pn, h, (uint8_t)key_gen(p, d));
    spec_checked(s, R_PN_REUSE);
    if (d == 0 && k->space == QUIRE_PN_SPACE_INITIAL && c->retried) spec_checked(s, R_RETRY_PN);
    if (spec_near(s, d) && before >= 0) spec_checked(s, R_PN_INCREASE);
    if (r < 0 && d == 0 && k->space == QUIRE_PN_SPACE_INITIAL && c->retried &&
        (int64_t)k->pn <= c->retry_largest)
        spec_report(s, c, R_RETRY_PN, 0, p->frame,
                    "Initial packet number %llu after the Retry, used before it (largest %lld)",
                    (unsigned long long)k->pn, (long long)c->retry_largest);
    else if (r < 0)
        spec_report(s, c, R_PN_REUSE, d, p->frame,
                    "%s packet number %llu in the %s space was used before with other contents",
                    quire_packet_type_name(k->type), (unsigned long long)k->pn,
                    space_names[k->space]);
    else if (r > 0 && spec_near(s, d) && before >= 0 && (int64_t)k->pn < before && !p->late_frame)
        spec_report(s, c, R_PN_INCREASE, d, p->frame,
                    "%s packet number %llu after %lld in the %s space",
                    quire_packet_type_name(k->type), (unsigned long long)k->pn, (long long)before,
                    space_names[k->space]);
    n->last = (int64_t)k->pn;
    return r != 0;
}

/* RFC 9000 13.1: every number an ACK frame covers was sent by the peer in that space. Waived
 * when a packet of the peer in that space could not be decrypted (its number is unknown). */
static void ack_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                      const quire_frame *f)
{
    const quire_packet *k = p->pkt;
    const spec_pns *n = &c->pns[1 - d][k->space];
    if (n->unknown) return;
    spec_checked(s, R_ACK_UNSENT);
    quire_cursor it;
    uint64_t i = 0, lo, hi, which;
    int rv;
    while ((rv = quire_frame_ack_range(f, &it, &i, &lo, &hi)) == 1) {
        if ((int64_t)hi > n->largest) {
            spec_report(s, c, R_ACK_UNSENT, d, p->frame,
                        "ACK in the %s space acknowledges packet %llu; the %s's largest was %lld",
                        space_names[k->space], (unsigned long long)hi, d ? "client" : "server",
                        (long long)n->largest);
            return;
        }
        if (hole_in(n, lo, hi, &which)) {
            spec_report(s, c, R_ACK_UNSENT, d, p->frame,
                        "ACK in the %s space acknowledges packet %llu, which the %s never sent",
                        space_names[k->space], (unsigned long long)which, d ? "client" : "server");
            return;
        }
    }
}

/* ---- key updates (RFC 9001 6) ---- */

static void key_update_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    if (k->type != QUIRE_PACKET_1RTT || !decrypted(k)) return;
    int g = key_gen(p, d);
    if (c->gen_first_pn[d] < 0) c->gen_first_pn[d] = (int64_t)k->pn;
    if (g > c->gen[d]) {
        int initiated = c->gen[1 - d] < g; /* the peer has not moved to it yet */
        if (initiated) spec_checked(s, g == 1 ? R_KEY_UPDATE_CONFIRMED : R_KEY_UPDATE_SUBSEQUENT);
        if (initiated && g == 1) {
            int unconfirmed =
                d == 0 ? !c->client_confirmed && !c->app_undecryptable[1] : !c->client_hs;
            if (unconfirmed)
                spec_report(s, c, R_KEY_UPDATE_CONFIRMED, d, p->frame,
                            "key phase %d (packet %llu) before %s", k->key_phase,
                            (unsigned long long)k->pn,
                            d == 0 ? "any HANDSHAKE_DONE or 1-RTT ACK from the server"
                                   : "any Handshake packet from the client");
        } else if (initiated && !c->gen_acked[d] && !c->app_undecryptable[1 - d]) {
            spec_report(s, c, R_KEY_UPDATE_SUBSEQUENT, d, p->frame,
                        "key update %d (packet %llu) before the peer acknowledged a packet of "
                        "update %d",
                        g, (unsigned long long)k->pn, c->gen[d]);
        }
        c->gen[d] = g;
        c->gen_first_pn[d] = (int64_t)k->pn;
        c->gen_acked[d] = 0;
    }
    for (size_t i = 0; i < p->nframes; i++) {
        const quire_frame *f = &p->frames[i];
        if (f->kind != QUIRE_FRAME_ACK) continue;
        uint64_t l = f->u.ack.largest;
        if (c->gen_first_pn[1 - d] >= 0 && (int64_t)l >= c->gen_first_pn[1 - d])
            c->gen_acked[1 - d] = 1;
        const spec_pn *r = pn_rec(&c->pns[1 - d][QUIRE_PN_SPACE_APPLICATION], l);
        if (r && r->seen) spec_checked(s, R_KEY_UPDATE_ACK);
        if (r && r->seen && r->gen > g)
            spec_report(s, c, R_KEY_UPDATE_ACK, d, p->frame,
                        "packet %llu of key update %d acknowledges packet %llu of update %d",
                        (unsigned long long)k->pn, g, (unsigned long long)l, r->gen);
    }
}

/* ---- frames ---- */

/* RFC 9000 20.1, and 0x11 VERSION_NEGOTIATION_ERROR (RFC 9368 4). */
static int close_code_defined(uint64_t e)
{
    return e <= 0x11 || (e >= 0x100 && e <= 0x1ff);
}

static void frame_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    spec_checked(s, R_EMPTY_PACKET);
    if (k->payload_len == 0)
        spec_report(s, c, R_EMPTY_PACKET, d, p->frame, "%s packet %llu has no frames",
                    quire_packet_type_name(k->type), (unsigned long long)k->pn);
    int hd = 0;
    for (size_t i = 0; i < p->nframes; i++) {
        const quire_frame *f = &p->frames[i];
        const char *fn = quire_frame_name(f->kind), *tn = quire_packet_type_name(k->type);
        spec_checked(s, R_FRAME_PACKET_TYPE);
        if (!quire_frame_allowed(f->kind, k->epoch))
            spec_report(s, c, R_FRAME_PACKET_TYPE, d, p->frame, "%s frame in a %s packet", fn, tn);
        switch (f->kind) {
        case QUIRE_FRAME_CONNECTION_CLOSE:
            spec_checked(s, R_APP_CLOSE_TYPE);
            if (!f->u.connection_close.app) spec_checked(s, R_CLOSE_ERROR);
            if (f->u.connection_close.app &&
                (k->epoch == QUIRE_EPOCH_INITIAL || k->epoch == QUIRE_EPOCH_HANDSHAKE))
                spec_report(s, c, R_APP_CLOSE_TYPE, d, p->frame,
                            "CONNECTION_CLOSE 0x1d in a %s packet", tn);
            if (!f->u.connection_close.app && !close_code_defined(f->u.connection_close.error))
                spec_report(s, c, R_CLOSE_ERROR, d, p->frame,
                            "transport CONNECTION_CLOSE with error code 0x%llx",
                            (unsigned long long)f->u.connection_close.error);
            break;
        case QUIRE_FRAME_HANDSHAKE_DONE:
            spec_checked(s, R_HANDSHAKE_DONE_CLIENT);
            /* the client's Finished passes the capture before it reaches the server, on
             * either side of the network */
            if (d == 1 && !c->hs_done) {
                spec_checked(s, R_HANDSHAKE_DONE_EARLY);
                if (!c->client_hs)
                    spec_report(s, c, R_HANDSHAKE_DONE_EARLY, 1, p->frame,
                                "HANDSHAKE_DONE before any Handshake packet from the client");
                else if (!c->client_hs_undecryptable && !p->conn->tls.errors &&
                         !p->conn->tls.client_finished)
                    spec_report(s, c, R_HANDSHAKE_DONE_EARLY, 1, p->frame,
                                "HANDSHAKE_DONE before the client's Finished");
            }
            if (d == 0)
                spec_report(s, c, R_HANDSHAKE_DONE_CLIENT, 0, p->frame,
                            "the client sent HANDSHAKE_DONE");
            else
                hd = 1;
            break;
        case QUIRE_FRAME_NEW_TOKEN:
            spec_checked(s, R_NEW_TOKEN_CLIENT);
            if (d == 0)
                spec_report(s, c, R_NEW_TOKEN_CLIENT, 0, p->frame, "the client sent NEW_TOKEN");
            break;
        case QUIRE_FRAME_NEW_CONNECTION_ID:
            spec_checked(s, R_NEW_CID_RETIRE);
            spec_checked(s, R_NEW_CID_ZERO_LEN);
            if (f->u.new_connection_id.retire_prior_to > f->u.new_connection_id.seq)
                spec_report(s, c, R_NEW_CID_RETIRE, d, p->frame,
                            "NEW_CONNECTION_ID sequence %llu with Retire Prior To %llu",
                            (unsigned long long)f->u.new_connection_id.seq,
                            (unsigned long long)f->u.new_connection_id.retire_prior_to);
            if (c->zero_len_scid[d])
                spec_report(s, c, R_NEW_CID_ZERO_LEN, d, p->frame,
                            "NEW_CONNECTION_ID from an endpoint using zero-length connection IDs");
            break;
        case QUIRE_FRAME_PATH_CHALLENGE:
            if (c->nchallenge[d] < SPEC_MAX_CHALLENGES)
                memcpy(c->challenge[d][c->nchallenge[d]++], f->u.path.data, 8);
            break;
        case QUIRE_FRAME_PATH_RESPONSE: {
            int found = 0;
            for (size_t j = 0; j < c->nchallenge[1 - d] && !found; j++)
                found = !memcmp(c->challenge[1 - d][j], f->u.path.data, 8);
            int judged = c->nchallenge[1 - d] < SPEC_MAX_CHALLENGES && !c->app_undecryptable[1 - d];
            if (judged) spec_checked(s, R_PATH_RESPONSE);
            if (!found && judged)
                spec_report(s, c, R_PATH_RESPONSE, d, p->frame,
                            "PATH_RESPONSE %02x%02x%02x%02x%02x%02x%02x%02x matches no "
                            "PATH_CHALLENGE of the %s",
                            f->u.path.data[0], f->u.path.data[1], f->u.path.data[2],
                            f->u.path.data[3], f->u.path.data[4], f->u.path.data[5],
                            f->u.path.data[6], f->u.path.data[7], d ? "client" : "server");
            break;
        }
        case QUIRE_FRAME_ACK:
            ack_rules(s, c, p, d, f);
            if (d == 1 && k->type == QUIRE_PACKET_1RTT) c->client_confirmed = 1;
            break;
        default:
            break;
        }
    }
    if (hd) c->hs_done = c->client_confirmed = 1;
}

/* RFC 9001 4.9: keys an endpoint has discarded protect nothing it sends afterwards. Judged
 * next to the sender (the capture order is its order of datagrams) from evidence that it had
 * discarded them: the client's own first Handshake packet and the server's first ACK of a
 * Handshake packet (Initial keys, 4.9.1), the server's HANDSHAKE_DONE and the client's ACK of
 * it (Handshake keys, 4.9.2: the handshake is confirmed). Packets in the same datagram as the
 * evidence are not judged. */
static void discard_rules(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    const char *who = d ? "server" : "client";
    if (!spec_near(s, d)) return;
    if (k->type == QUIRE_PACKET_INITIAL) {
        spec_checked(s, R_INITIAL_DISCARDED);
        if (c->initial_gone[d] && p->frame > c->initial_gone[d])
            spec_report(s, c, R_INITIAL_DISCARDED, d, p->frame,
                        "Initial packet %llu after %s (frame %llu)", (unsigned long long)k->pn,
                        d ? "the server acknowledged a Handshake packet"
                          : "the client's first Handshake packet",
                        (unsigned long long)c->initial_gone[d]);
    }
    if (k->type == QUIRE_PACKET_0RTT && d == 0) {
        spec_checked(s, R_ZERO_RTT_AFTER_1RTT);
        if (c->zrtt_gone && p->frame > c->zrtt_gone)
            spec_report(
                s, c, R_ZERO_RTT_AFTER_1RTT, 0, p->frame,
                "0-RTT packet %llu after the client acknowledged 1-RTT packets (frame %llu)",
                (unsigned long long)k->pn, (unsigned long long)c->zrtt_gone);
    }
    if (k->type == QUIRE_PACKET_HANDSHAKE) {
        spec_checked(s, R_HANDSHAKE_AFTER_DONE);
        if (c->hs_gone[d] && p->frame > c->hs_gone[d])
            spec_report(s, c, R_HANDSHAKE_AFTER_DONE, d, p->frame,
                        "%s Handshake packet %llu after %s (frame %llu)", who,
                        (unsigned long long)k->pn,
                        d ? "its HANDSHAKE_DONE" : "acknowledging HANDSHAKE_DONE",
                        (unsigned long long)c->hs_gone[d]);
    }
}

/* Whether an ACK frame covers packet number pn. */
static int ack_covers(const quire_frame *f, uint64_t pn)
{
    quire_cursor it;
    uint64_t i = 0, lo, hi;
    while (quire_frame_ack_range(f, &it, &i, &lo, &hi) == 1)
        if (pn >= lo && pn <= hi) return 1;
    return 0;
}

/* The evidence discard_rules() works from, once the packet has been judged. */
static void note_discards(spec_conn *c, const quire_conn_packet *p, int d)
{
    const quire_packet *k = p->pkt;
    if (d == 0 && k->type == QUIRE_PACKET_HANDSHAKE && !c->initial_gone[0])
        c->initial_gone[0] = p->frame;
    if (!decrypted(k)) return;
    for (size_t i = 0; i < p->nframes; i++) {
        const quire_frame *f = &p->frames[i];
        if (d == 1 && f->kind == QUIRE_FRAME_ACK && k->space == QUIRE_PN_SPACE_HANDSHAKE &&
            !c->initial_gone[1])
            c->initial_gone[1] = p->frame;
        if (d == 1 && f->kind == QUIRE_FRAME_HANDSHAKE_DONE && !c->hs_gone[1]) {
            c->hs_gone[1] = p->frame;
            c->have_hd_pn = 1;
            c->hd_pn = k->pn;
        }
        if (d == 0 && f->kind == QUIRE_FRAME_ACK && k->type == QUIRE_PACKET_1RTT && c->have_hd_pn &&
            !c->hs_gone[0] && ack_covers(f, c->hd_pn))
            c->hs_gone[0] = p->frame;
        /* the application space's ACK can only acknowledge the server's 1-RTT packets */
        if (d == 0 && f->kind == QUIRE_FRAME_ACK && k->type == QUIRE_PACKET_1RTT && !c->zrtt_gone)
            c->zrtt_gone = p->frame;
    }
}

/* Whether k is a server long-header packet of another connection than the client follows: a
 * Source Connection ID other than the server's first Initial's. A server may answer one
 * client's Initials twice (tquic after a Retry answers each of the client's two Initials with
 * its own connection); the client discards those packets (RFC 9000 7.2), so they are not this
 * connection's and their packet numbers are no reuse. */
static int other_server_conn(const spec_conn *c, const quire_packet *k, int d)
{
    if (d != 1 || !c->have_iscid[1] ||
        (k->type != QUIRE_PACKET_INITIAL && k->type != QUIRE_PACKET_HANDSHAKE))
        return 0;
    return k->scid_len != c->iscid[1].len ||
           (k->scid_len && memcmp(k->scid, c->iscid[1].id, k->scid_len));
}

static int cid_is(const quire_cid_val *v, const uint8_t *id, size_t len)
{
    return v->len == len && (!len || !memcmp(v->id, id, len));
}

/* A server may answer two of the client's Initials with two connections (tquic, after a
 * Retry for each); the client follows one, and which one the capture may show second (the
 * other's first Initial lost or damaged on the way). The client's authenticated long header
 * sent to another server Initial's SCID makes that one the server's: from then on its packets
 * are judged, and the server's packet numbers start over (what the client acknowledges of
 * them is no longer judged in this connection). */
static void follow_server(spec_conn *c, const quire_packet *k, int d)
{
    if (!spec_authentic(k) || (k->type != QUIRE_PACKET_INITIAL && k->type != QUIRE_PACKET_HANDSHAKE))
        return;
    if (d == 1) {
        for (size_t i = 0; i < c->nsrv_scid; i++)
            if (cid_is(&c->srv_scid[i], k->scid, k->scid_len)) return;
        if (k->type != QUIRE_PACKET_INITIAL || c->nsrv_scid == 4) return;
        quire_cid_val *v = &c->srv_scid[c->nsrv_scid++];
        v->len = (uint8_t)k->scid_len;
        if (k->scid_len) memcpy(v->id, k->scid, k->scid_len);
        return;
    }
    if (!c->have_iscid[1] || cid_is(&c->iscid[1], k->dcid, k->dcid_len)) return;
    for (size_t i = 0; i < c->nsrv_scid; i++)
        if (cid_is(&c->srv_scid[i], k->dcid, k->dcid_len)) {
            c->iscid[1] = c->srv_scid[i];
            /* its packets before were left out: the client may acknowledge numbers the rules
             * did not record */
            for (int sp = 0; sp < 3; sp++) {
                pns_reset(&c->pns[1][sp]);
                c->pns[1][sp].unknown = 1;
            }
            return;
        }
}

int spec_packet_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p)
{
    int d = p->from_client ? 0 : 1;
    const quire_packet *k = p->pkt;
    if (k) follow_server(c, k, d);
    if (k && other_server_conn(c, k, d)) return 0;
    /* a network duplicate counts toward the amplification limit, and is judged no further */
    int fresh = k ? pn_rules(s, c, p, d) : 1;
    datagram_rules(s, c, p, d, fresh);
    if (!k) return 1;
    if (!fresh) return 0;
    header_rules(s, c, p, d);
    if (d == 0 && k->type == QUIRE_PACKET_HANDSHAKE) {
        c->client_hs = 1;
        if (!decrypted(k)) c->client_hs_undecryptable = 1;
    }
    discard_rules(s, c, p, d);
    if ((k->type == QUIRE_PACKET_1RTT || k->type == QUIRE_PACKET_0RTT) && !decrypted(k))
        c->app_undecryptable[d] = 1;
    note_discards(c, p, d);
    if (!decrypted(k)) return 1;
    key_update_rules(s, c, p, d);
    frame_rules(s, c, p, d);
    return 1;
}
