/* Gathering the checks' facts from one capture (see facts.h). */
#include "checks/facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "util/err.h"

void quire_facts_init(quire_facts *f, const char *name)
{
    memset(f, 0, sizeof *f);
    snprintf(f->capture, sizeof f->capture, "%s", name ? name : "");
    f->loaded = 1;
    f->highest_pn_before_token = -1;
}

void quire_facts_add_version(quire_facts_versions *s, uint32_t v, uint64_t frame)
{
    s->packets++;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == v) return;
    if (s->n == QUIRE_FACTS_MAX_VERSIONS) return;
    s->v[s->n] = v;
    s->frame[s->n++] = frame;
}

int quire_facts_has_version(const quire_facts_versions *s, uint32_t v)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == v) return 1;
    return 0;
}

const char *quire_facts_versions_str(const quire_facts_versions *s, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = 0;
    if (s->n == 0) snprintf(buf, len, "none");
    for (size_t i = 0; i < s->n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s0x%x (frame %llu)", i ? ", " : "",
                                (unsigned)s->v[i], (unsigned long long)s->frame[i]);
    return buf;
}

const char *quire_facts_path_str(const quire_facts_path *p, char *buf, size_t len)
{
    char a[64], b[64];
    snprintf(buf, len, "%s -> %s", quire_endpoint_str(&p->src, p->sport, a, sizeof a),
             quire_endpoint_str(&p->dst, p->dport, b, sizeof b));
    return buf;
}

/* The path of a packet's datagram. */
static quire_facts_path path_of(const quire_conn_packet *p)
{
    quire_facts_path path = {p->udp->src, p->udp->dst, p->udp->sport, p->udp->dport};
    return path;
}

/* A packet's connection, named by its first frame; 0 when none matched. */
static uint64_t conn_of(const quire_conn_packet *p)
{
    return p->conn ? p->conn->first_frame : 0;
}

static int path_eq(const quire_facts_path *a, const quire_facts_path *b)
{
    return a->sport == b->sport && a->dport == b->dport && quire_addr_equal(&a->src, &b->src) &&
           quire_addr_equal(&a->dst, &b->dst);
}

static int cid_eq(const quire_cid_val *a, const uint8_t *id, size_t len)
{
    return a->len == len && (len == 0 || !memcmp(a->id, id, len));
}

static void cid_set(quire_cid_val *c, const uint8_t *id, size_t len)
{
    if (len > sizeof c->id) len = sizeof c->id;
    c->len = (uint8_t)len;
    if (len) memcpy(c->id, id, len);
}

/* QIR's path walk step for the first packet of a datagram; returns 1 when it opens a new path.
 * QIR compares with the last path, and a return to any path seen before is not new (and does
 * not move `last`). */
static int path_step(quire_facts_paths *ps, const quire_facts_path *cur)
{
    if (!ps->have_last) {
        ps->have_last = 1;
        ps->last = *cur;
        ps->seen[ps->nseen++] = *cur;
        return 0;
    }
    if (path_eq(&ps->last, cur)) return 0;
    for (size_t i = 0; i < ps->nseen; i++)
        if (path_eq(&ps->seen[i], cur)) return 0;
    if (ps->nseen < QUIRE_FACTS_MAX_PATHS) ps->seen[ps->nseen++] = *cur;
    ps->last = *cur;
    ps->new_paths++;
    return 1;
}

static void add_data(uint8_t (*set)[8], size_t *n, const uint8_t *d, uint64_t *frames,
                     uint64_t frame)
{
    for (size_t i = 0; i < *n; i++)
        if (!memcmp(set[i], d, 8)) return;
    if (*n == QUIRE_FACTS_MAX_DATA) return;
    memcpy(set[*n], d, 8);
    if (frames) frames[*n] = frame;
    (*n)++;
}

/* The server's first datagram on a new path ended without a PATH_CHALLENGE. */
static void finish_pending(quire_facts *f)
{
    quire_facts_paths *ps = &f->server_paths;
    if (ps->pending_frame && !ps->bad_frame) {
        ps->bad_frame = ps->pending_frame;
        ps->bad_path = ps->pending_path;
    }
    ps->pending_frame = 0;
}

/* QIR's amplification walk, one step per datagram of the server-side capture. */
static void amp_step(quire_facts *f, const quire_conn_packet *p)
{
    if (f->amp.stopped) return;
    uint64_t size = p->udp->len;
    if (p->pkt->type == QUIRE_PACKET_VERSION_NEGOTIATION) {
        f->amp.vn_frame = p->frame;
        f->amp.stopped = 1;
    } else if (p->from_client < 0) {
        f->amp.unknown_frame = p->frame;
        f->amp.stopped = 1;
    } else if (p->from_client) {
        if (p->pkt->type == QUIRE_PACKET_HANDSHAKE) {
            f->amp.done = 1;
            f->amp.done_frame = p->frame;
            f->amp.stopped = 1;
        } else if (p->pkt->type == QUIRE_PACKET_INITIAL) {
            f->amp.client_bytes += size;
            f->amp.allowed += (int64_t)(3 * size);
            f->amp.allowed4 += (int64_t)(4 * size);
        }
    } else {
        f->amp.server_bytes += size;
        if ((int64_t)size >= f->amp.allowed4) {
            f->amp.over4_frame = p->frame;
            f->amp.stopped = 1;
            return;
        }
        if ((int64_t)size > f->amp.allowed && !f->amp.over3_frame) f->amp.over3_frame = p->frame;
        f->amp.allowed -= (int64_t)size;
        f->amp.allowed4 -= (int64_t)size;
    }
}

static void on_datagram(quire_facts *f, const quire_conn_packet *p)
{
    int s = p->from_client ? 0 : 1;
    finish_pending(f);
    f->cur_is_new_server_path = 0;
    amp_step(f, p);
    if (p->from_client < 0) return;
    f->ecn[s][p->udp->ecn & 3]++;
    if ((p->udp->ecn & 3) == 3 && !f->first_ce_frame[s]) f->first_ce_frame[s] = p->frame;
    quire_facts_path cur = path_of(p);
    if (s == 1) {
        if (p->udp->src.family == 4) {
            if (!f->server_ipv4++) f->server_ipv4_frame = p->frame;
        } else {
            f->server_ipv6++;
        }
        int known = 0;
        for (size_t i = 0; i < f->nclient_addrs; i++)
            known |= quire_addr_equal(&f->client_addrs[i], &p->udp->dst);
        if (!known && f->nclient_addrs < QUIRE_FACTS_MAX_ADDRS)
            f->client_addrs[f->nclient_addrs++] = p->udp->dst;
        if (path_step(&f->server_paths, &cur)) {
            f->server_paths.pending_frame = p->frame;
            f->server_paths.pending_path = cur;
            f->cur_is_new_server_path = 1;
        }
    } else {
        quire_facts_paths *ps = &f->client_paths;
        int first = !ps->have_last;
        int fresh = path_step(ps, &cur);
        if (first) {
            cid_set(&ps->last_dcid, p->pkt->dcid, p->pkt->dcid_len);
        } else if (fresh) {
            if (cid_eq(&ps->last_dcid, p->pkt->dcid, p->pkt->dcid_len) && !ps->bad_frame) {
                ps->bad_frame = p->frame;
                ps->bad_path = cur;
            }
            cid_set(&ps->last_dcid, p->pkt->dcid, p->pkt->dcid_len);
        }
    }
}

static void retry_step(quire_facts *f, const quire_conn_packet *p)
{
    const quire_packet *k = p->pkt;
    if (f->retry_decided || !k->pn_known || k->status != 0) return;
    if (k->token_len == 0) {
        if ((int64_t)k->pn > f->highest_pn_before_token)
            f->highest_pn_before_token = (int64_t)k->pn;
        return;
    }
    if ((int64_t)k->pn <= f->highest_pn_before_token) {
        f->retry_decided = -1;
        f->retry_decided_frame = p->frame;
        f->retry_decided_pn = k->pn;
        return;
    }
    for (size_t i = 0; i < f->nretry_tokens; i++) {
        if (f->retry_token_len[i] == k->token_len &&
            !memcmp(f->retry_tokens[i], k->token, k->token_len)) {
            f->retry_decided = 1;
            f->retry_decided_frame = p->frame;
            f->retry_decided_pn = k->pn;
            return;
        }
    }
}

/* What one frame of a decrypted packet tells. */
static void on_frame(quire_facts *f, const quire_conn_packet *p, const quire_frame *fr,
                     int from_client)
{
    const quire_packet *k = p->pkt;
    int s = from_client ? 0 : 1;
    switch (fr->kind) {
    case QUIRE_FRAME_CRYPTO:
        if (k->type == QUIRE_PACKET_INITIAL && from_client && fr->u.crypto.offset == 0) {
            if (!f->client_hellos++) f->first_client_hello_frame = p->frame;
            f->last_client_hello_frame = p->frame;
        }
        if (k->type == QUIRE_PACKET_HANDSHAKE && !from_client &&
            fr->u.crypto.offset + fr->u.crypto.len > f->server_hs_crypto_end)
            f->server_hs_crypto_end = fr->u.crypto.offset + fr->u.crypto.len;
        break;
    case QUIRE_FRAME_ACK:
        if (fr->u.ack.ecn) f->ack_ecn[s]++;
        break;
    case QUIRE_FRAME_PADDING:
        if (k->type == QUIRE_PACKET_1RTT && from_client)
            f->client_1rtt_padding += fr->u.padding.len;
        break;
    case QUIRE_FRAME_PATH_CHALLENGE:
        if (!from_client && f->cur_is_new_server_path && p->frame == f->cur_frame) {
            add_data(f->challenges, &f->nchallenges, fr->u.path.data, f->challenge_frame, p->frame);
            f->server_paths.pending_frame = 0;
        } else if (!from_client && f->server_paths.bad_frame &&
                   !f->server_paths.bad_path_challenge_frame) {
            quire_facts_path cur = path_of(p);
            if (path_eq(&cur, &f->server_paths.bad_path))
                f->server_paths.bad_path_challenge_frame = p->frame;
        }
        break;
    case QUIRE_FRAME_PATH_RESPONSE:
        if (from_client) add_data(f->responses, &f->nresponses, fr->u.path.data, NULL, 0);
        break;
    case QUIRE_FRAME_CONNECTION_CLOSE:
        if (!f->close[s].frame || f->close[s].conn != conn_of(p)) {
            f->close[s].conn = conn_of(p);
            f->close[s].frame = p->frame;
            f->close[s].app = fr->u.connection_close.app;
            f->close[s].error = fr->u.connection_close.error;
            size_t n = 0;
            for (uint64_t i = 0;
                 i < fr->u.connection_close.reason_len && n + 1 < sizeof f->close[s].reason; i++) {
                uint8_t ch = fr->u.connection_close.reason[i];
                f->close[s].reason[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
            }
            f->close[s].reason[n] = 0;
        }
        break;
    default:
        break;
    }
}

/* The decoder stops at a frame type it does not know. IMMEDIATE_ACK (0x1f, ack-frequency
 * draft; quinn sends it) has no fields, so the frames after it can still be read: this walks
 * the plaintext again, skipping it, so e.g. a PATH_RESPONSE behind it is seen. */
#define FRAME_IMMEDIATE_ACK 0x1f

static void walk_tolerant(quire_facts *f, const quire_conn_packet *p, int from_client)
{
    quire_cursor c;
    quire_cursor_init(&c, p->pkt->payload, p->pkt->payload_len);
    while (quire_cursor_left(&c) > 0) {
        quire_cursor save = c;
        quire_frame fr;
        int rc = quire_frame_decode(&c, &fr);
        if (rc == 0) {
            on_frame(f, p, &fr, from_client);
            continue;
        }
        uint64_t type;
        c = save;
        if (rc != QUIRE_ERR_UNSUPPORTED || quire_cursor_varint(&c, &type) ||
            type != FRAME_IMMEDIATE_ACK)
            return;
    }
}

static void on_packet(const quire_trace *t, const quire_conn_packet *p, void *arg)
{
    (void)t;
    quire_facts *f = arg;
    const quire_packet *k = p->pkt;
    if (!k) { /* a header that did not parse (corruption): nothing to learn from it */
        f->undecryptable++;
        return;
    }
    f->quic_packets++;
    int from_client = p->from_client;
    if (k->type == QUIRE_PACKET_VERSION_NEGOTIATION || k->type == QUIRE_PACKET_RETRY)
        from_client = 0; /* only servers send them */
    quire_conn_packet pp = *p;
    pp.from_client = from_client;
    if (p->frame != f->cur_frame) {
        f->cur_frame = p->frame;
        f->cur_from_client = from_client;
        on_datagram(f, &pp);
    }
    if (k->type == QUIRE_PACKET_UNKNOWN_VERSION && from_client != 0 && !f->have_client_initial) {
        /* versionnegotiation: the client's first Initial is of a version quire cannot read */
        f->have_client_initial = 1;
        cid_set(&f->first_dcid, k->dcid, k->dcid_len);
        f->first_initial_frame = p->frame;
    }
    if (from_client < 0) return;
    int s = from_client ? 0 : 1;
    f->last_frame[s] = p->frame;
    f->last_ns[s] = p->ts_ns;
    f->last_conn[s] = conn_of(p);
    int ok = k->status == 0;
    if (from_client && k->type == QUIRE_PACKET_HANDSHAKE && !f->amp.stopped) {
        /* a Handshake packet coalesced after the client's Initial ends the walk too */
        f->amp.done = 1;
        f->amp.done_frame = p->frame;
        f->amp.stopped = 1;
    }
    if (!ok && k->status != QUIRE_ERR_UNSUPPORTED) f->undecryptable++;
    switch (k->type) {
    case QUIRE_PACKET_INITIAL:
        quire_facts_add_version(from_client ? &f->client_initial : &f->server_initial, k->version,
                                p->frame);
        if (!from_client) {
            size_t i;
            for (i = 0; i < f->nhs; i++)
                if (cid_eq(&f->hs[i].scid, k->scid, k->scid_len)) break;
            if (i == f->nhs && f->nhs < QUIRE_FACTS_MAX_HS) {
                cid_set(&f->hs[f->nhs].scid, k->scid, k->scid_len);
                f->hs[f->nhs++].frame = p->frame;
            }
        } else {
            if (!f->have_client_initial) {
                f->have_client_initial = 1;
                cid_set(&f->first_dcid, k->dcid, k->dcid_len);
                f->first_initial_frame = p->frame;
            }
            retry_step(f, p);
        }
        break;
    case QUIRE_PACKET_HANDSHAKE:
        quire_facts_add_version(from_client ? &f->client_handshake : &f->server_handshake,
                                k->version, p->frame);
        break;
    case QUIRE_PACKET_0RTT:
        if (from_client) {
            if (!f->zero_rtt_packets++) f->first_0rtt_frame = p->frame;
            f->zero_rtt_bytes += ok ? k->payload_len + 16 : k->length;
        }
        break;
    case QUIRE_PACKET_1RTT:
        if (from_client) {
            size_t hdr = 1 + k->dcid_len + (k->pn_known ? k->pn_len : 1);
            f->client_1rtt_bytes += ok ? k->payload_len + 16 : (k->size > hdr ? k->size - hdr : 0);
        } else {
            if (!f->server_1rtt++) {
                f->server_1rtt_first_ns = p->ts_ns;
                f->server_1rtt_first_frame = p->frame;
            }
            f->server_1rtt_last_ns = p->ts_ns;
            f->server_1rtt_last_frame = p->frame;
        }
        if (ok) {
            f->key_phase[s][k->key_phase & 1]++;
            if (k->key_phase && !f->first_kp1_frame[s]) f->first_kp1_frame[s] = p->frame;
        }
        break;
    case QUIRE_PACKET_RETRY:
        if (k->retry_tag == 0) break; /* integrity tag wrong: a corrupted packet, not a Retry */
        if (!f->retries++) f->first_retry_frame = p->frame;
        if (k->token_len == 0) {
            if (!f->retry_empty_token_frame) f->retry_empty_token_frame = p->frame;
        } else if (f->nretry_tokens < QUIRE_FACTS_MAX_TOKENS &&
                   k->token_len <= sizeof f->retry_tokens[0]) {
            memcpy(f->retry_tokens[f->nretry_tokens], k->token, k->token_len);
            f->retry_token_len[f->nretry_tokens++] = k->token_len;
        }
        break;
    case QUIRE_PACKET_VERSION_NEGOTIATION:
        if (!f->vn_packets++) f->vn_first_frame = p->frame;
        if (f->have_client_initial && !f->vn_match_frame &&
            cid_eq(&f->first_dcid, k->scid, k->scid_len))
            f->vn_match_frame = p->frame;
        break;
    default:
        break;
    }
    if (!ok) return;
    if (p->error && p->pkt->payload) {
        walk_tolerant(f, p, from_client);
        return;
    }
    for (size_t i = 0; i < p->nframes; i++)
        on_frame(f, p, &p->frames[i], from_client);
}

static void take_conns(quire_facts *f, const quire_trace *t)
{
    size_t n = quire_trace_conn_count(t);
    for (size_t i = 0; i < n && f->nconns < QUIRE_FACTS_MAX_CONNS; i++) {
        const quire_conn *c = quire_trace_conn(t, i);
        quire_facts_conn *fc = &f->conns[f->nconns++];
        fc->first_frame = c->first_frame;
        fc->client_hello = c->tls.client_hello;
        fc->server_hello = c->tls.server_hello;
        fc->certificates = c->tls.certificates;
        fc->psk_accepted = c->tls.psk_accepted;
        fc->early_data_accepted = c->tls.early_data_accepted;
        fc->cipher_count = c->tls.cipher_count;
        memcpy(fc->ciphers, c->tls.ciphers, sizeof fc->ciphers);
        fc->server_tp = c->tls.server_tp.present;
        fc->has_max_streams_bidi = (c->tls.server_tp.mask >> QUIRE_TP_INITIAL_MAX_STREAMS_BIDI) & 1;
        fc->max_streams_bidi = c->tls.server_tp.val[QUIRE_TP_INITIAL_MAX_STREAMS_BIDI];
        fc->client_initials = c->dir[0].packets[QUIRE_PACKET_INITIAL];
        fc->client_handshakes = c->dir[0].packets[QUIRE_PACKET_HANDSHAKE];
        fc->handshake_done = c->dir[1].frames[QUIRE_FRAME_HANDSHAKE_DONE];
        for (int d = 0; d < 2; d++) {
            for (int k = 0; k < QUIRE_PACKET_TYPE_COUNT; k++)
                fc->packets[d] += c->dir[d].packets[k];
            fc->undecryptable[d] = c->dir[d].undecryptable;
        }
    }
}

static void facts_step(void *state, const quire_trace *t, const quire_conn_packet *p)
{
    on_packet(t, p, state);
}

static void facts_finish(void *state, const quire_trace *t)
{
    quire_facts *f = state;
    finish_pending(f);
    f->loaded = 1;
    f->records = t->summary.packets;
    take_conns(f, t);
    if (t->capture_status)
        snprintf(f->error, sizeof f->error, "%s", t->capture_error); /* kept what was read */
}

quire_observer quire_facts_observer(quire_facts *f, const char *capture, const char *keylog)
{
    quire_facts_init(f, capture);
    f->loaded = 0;
    f->have_keys = keylog != NULL;
    return (quire_observer){.name = "facts", .state = f, .step = facts_step, .finish = facts_finish};
}

void quire_facts_failed(quire_facts *f, const quire_trace *t, int rc)
{
    finish_pending(f);
    snprintf(f->error, sizeof f->error, "%s",
             t->capture_error[0] ? t->capture_error : quire_strerror(rc));
}

/* One pass over a capture file (data NULL) or a capture in memory. */
static int scan(quire_facts *f, const char *capture, const void *data, size_t len,
                const char *keylog)
{
    quire_observer o = quire_facts_observer(f, capture, keylog);
    quire_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(f->error, sizeof f->error, "%s: out of memory", capture);
        return QUIRE_ERR_NOMEM;
    }
    int rc = quire_observe_run(t, capture, data, len, keylog, &o, 1);
    if (rc) quire_facts_failed(f, t, rc);
    quire_trace_free(t);
    free(t);
    return rc;
}

int quire_facts_scan(quire_facts *f, const char *capture, const char *keylog)
{
    return scan(f, capture, NULL, 0, keylog);
}

int quire_facts_scan_mem(quire_facts *f, const char *name, const void *data, size_t len)
{
    return scan(f, name, data ? data : "", len, NULL);
}
