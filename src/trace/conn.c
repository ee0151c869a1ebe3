/* QUIC connection tracking, key selection and frame accounting (RFC 9000 Sections 5, 7, 9,
 * 17; RFC 9001 Sections 4, 5, 6); see conn.h. Connection IDs are kept in trace/cidmap's table;
 * short headers are matched by trying each CID length in use. Packets that arrive before their
 * keys are kept (a few per connection) and decoded once the keys are known, as a receiver
 * does (RFC 9001 5.7). */
#include "trace/conn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/cidmap.h"
#include "util/err.h"

/* A Handshake, 0-RTT or 1-RTT packet that arrived before its keys: a copy of its datagram. */
typedef struct pending_pkt {
    uint64_t frame, ts_ns;
    quire_udp udp; /* payload points into data */
    size_t offset, dcid_len;
    int d;
    uint8_t *data;
} pending_pkt;

#define PENDING_MAX 8 /* per connection; later ones stay undecryptable */

/* Decoding state of one connection. */
typedef struct quire_conn_state {
    uint32_t init_version;
    quire_cid_val init_dcid;      /* the DCID the Initial keys come from */
    quire_cid_val retry_scids[4]; /* of every Retry (the first 4) */
    size_t nretry_scids;
    int init_ok;
    quire_keys init[2]; /* Initial keys, [0] client, [1] server */
    int hs_ok, app_ok, zrtt_ok, keys_tried, zrtt_tried, zrtt_fixed;
    quire_keys hs[2];
    quire_keys zrtt;
    quire_keys app[2][3]; /* per direction, 3 generations in a ring */
    int app_cur[2];
    int app_phase[2];
    int app_have_prev[2];
    int64_t largest_pn[2][QUIRE_PN_SPACE_COUNT];
    quire_tls_stream crypto[QUIRE_EPOCH_COUNT][2];
    size_t last_stream; /* cache for stream lookup */
    pending_pkt pend[PENDING_MAX];
    size_t npend;
} quire_conn_state;

struct quire_conn_table {
    quire_conn **conns;
    size_t count, cap;
    quire_cidmap cids;
    size_t last_conn;  /* short-header fast path */
    const quire_keylog *keylog;
    quire_frame frames[QUIRE_CONN_MAX_FRAMES];
    uint8_t out[QUIRE_PACKET_MAX_OUT];
};

/* Registers a CID of connection c; a CID already known keeps its first connection.
 * Returns 0 or QUIRE_ERR_NOMEM. */
static int cid_add(quire_conn_table *t, quire_conn *c, int owner, const uint8_t *id, size_t len)
{
    int rv = quire_cidmap_add(&t->cids, c->index, owner, id, len);
    if (rv <= 0) return rv;
    if (c->ncids[owner] < 16) {
        quire_cid_val *v = &c->cids[owner][c->ncids[owner]++];
        v->len = (uint8_t)len;
        memcpy(v->id, id, len);
    }
    return 0;
}

/* ---- connections ---- */

int quire_conn_table_new(quire_conn_table **tp, const quire_keylog *keylog)
{
    quire_conn_table *t = calloc(1, sizeof *t);
    if (!t) return QUIRE_ERR_NOMEM;
    t->keylog = keylog;
    *tp = t;
    return 0;
}

static void conn_free(quire_conn *c)
{
    quire_conn_state *s = c->st;
    if (s) {
        for (int d = 0; d < 2; d++) {
            quire_keys_free(&s->init[d]);
            quire_keys_free(&s->hs[d]);
            for (int g = 0; g < 3; g++)
                quire_keys_free(&s->app[d][g]);
            for (int e = 0; e < QUIRE_EPOCH_COUNT; e++)
                quire_tls_stream_free(&s->crypto[e][d]);
        }
        quire_keys_free(&s->zrtt);
        for (size_t i = 0; i < s->npend; i++)
            free(s->pend[i].data);
        free(s);
    }
    free(c->streams);
    free(c);
}

void quire_conn_table_del(quire_conn_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->count; i++)
        conn_free(t->conns[i]);
    free(t->conns);
    quire_cidmap_free(&t->cids);
    free(t);
}

size_t quire_conn_count(const quire_conn_table *t)
{
    return t->count;
}

const quire_conn *quire_conn_get(const quire_conn_table *t, size_t i)
{
    return i < t->count ? t->conns[i] : NULL;
}

static quire_conn *conn_new(quire_conn_table *t)
{
    if (t->count == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        quire_conn **n = realloc(t->conns, ncap * sizeof *n);
        if (!n) return NULL;
        t->conns = n;
        t->cap = ncap;
    }
    quire_conn *c = calloc(1, sizeof *c);
    quire_conn_state *s = calloc(1, sizeof *s);
    if (!c || !s) {
        free(c);
        free(s);
        return NULL;
    }
    c->st = s;
    c->retry_tag_ok = -1;
    for (int d = 0; d < 2; d++) {
        for (int p = 0; p < QUIRE_PN_SPACE_COUNT; p++)
            s->largest_pn[d][p] = -1;
        for (int e = 0; e < QUIRE_EPOCH_COUNT; e++)
            quire_tls_stream_init(&s->crypto[e][d], d == 0);
    }
    c->index = t->count;
    t->conns[t->count++] = c;
    return c;
}

static void problem(quire_conn *c, uint64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(quire_conn *c, uint64_t frame, const char *fmt, ...)
{
    c->problems++;
    if (c->problem[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->problem, sizeof c->problem, fmt, ap);
    va_end(ap);
    c->first_problem_frame = frame;
}

static void note_endpoint(quire_conn *c, int side, const quire_addr *a, uint16_t port)
{
    size_t n = c->nends[side];
    if (n && quire_addr_equal(&c->ends[side][n - 1].addr, a) && c->ends[side][n - 1].port == port)
        return;
    for (size_t i = 0; i < n; i++)
        if (quire_addr_equal(&c->ends[side][i].addr, a) && c->ends[side][i].port == port) {
            if (side == 0) c->migrations++;
            /* move to the end: the last entry is the current address */
            quire_conn_endpoint e = c->ends[side][i];
            memmove(&c->ends[side][i], &c->ends[side][i + 1], (n - i - 1) * sizeof e);
            c->ends[side][n - 1] = e;
            return;
        }
    if (n && side == 0) c->migrations++;
    if (n == QUIRE_CONN_MAX_ENDPOINTS) {
        memmove(&c->ends[side][0], &c->ends[side][1], (n - 1) * sizeof c->ends[side][0]);
        n--;
    }
    c->ends[side][n].addr = *a;
    c->ends[side][n].port = port;
    c->nends[side] = n + 1;
}

static void note_version(quire_conn *c, uint32_t v)
{
    c->version = v;
    for (size_t i = 0; i < c->nversions; i++)
        if (c->versions[i] == v) return;
    if (c->nversions < QUIRE_CONN_MAX_VERSIONS) c->versions[c->nversions++] = v;
}

/* Initial keys for `version` from dcid (RFC 9001 Section 5.2). */
static void setup_initial(quire_conn *c, uint32_t version, const uint8_t *dcid, size_t len)
{
    quire_conn_state *s = c->st;
    quire_keys_free(&s->init[0]);
    quire_keys_free(&s->init[1]);
    s->init_version = version;
    s->init_dcid.len = (uint8_t)len;
    memcpy(s->init_dcid.id, dcid, len);
    s->init_ok = quire_keys_init_initial(&s->init[0], &s->init[1], version, dcid, len) == 0;
}

/* Once the ServerHello named the cipher: handshake and 1-RTT keys from the key log. */
static void setup_keys(quire_conn_table *t, quire_conn *c, uint64_t frame)
{
    quire_conn_state *s = c->st;
    if (s->keys_tried || !c->tls.server_hello || !c->tls.client_hello) return;
    s->keys_tried = 1;
    quire_aead_alg alg;
    quire_hash hash;
    if (quire_crypto_suite(c->tls.cipher, &alg, &hash)) {
        problem(c, frame, "cipher suite 0x%04x is not supported for decryption", c->tls.cipher);
        return;
    }
    if (!t->keylog) return;
    const quire_keylog_entry *e = quire_keylog_find(t->keylog, c->tls.client_random);
    if (!e) {
        char hex[65];
        quire_cid_hex(c->tls.client_random, 16, hex);
        problem(c, frame, "the key log has no secrets for client random %s...", hex);
        return;
    }
    c->keylog_found = 1;
    uint32_t v = c->version;
    size_t hl = quire_crypto_hash_len(hash);
    if (e->len[QUIRE_KEYLOG_CLIENT_HANDSHAKE] == hl &&
        e->len[QUIRE_KEYLOG_SERVER_HANDSHAKE] == hl) {
        s->hs_ok =
            !quire_keys_init(&s->hs[0], v, alg, e->secret[QUIRE_KEYLOG_CLIENT_HANDSHAKE], hl) &&
            !quire_keys_init(&s->hs[1], v, alg, e->secret[QUIRE_KEYLOG_SERVER_HANDSHAKE], hl);
    }
    if (e->len[QUIRE_KEYLOG_CLIENT_TRAFFIC_0] == hl &&
        e->len[QUIRE_KEYLOG_SERVER_TRAFFIC_0] == hl) {
        int ok = 1;
        for (int d = 0; d < 2 && ok; d++) {
            int lab = d ? QUIRE_KEYLOG_SERVER_TRAFFIC_0 : QUIRE_KEYLOG_CLIENT_TRAFFIC_0;
            ok = !quire_keys_init(&s->app[d][0], v, alg, e->secret[lab], hl) &&
                 !quire_keys_update(&s->app[d][1], &s->app[d][0]);
            s->app_cur[d] = 0;
        }
        s->app_ok = ok;
    }
    if (!s->hs_ok || !s->app_ok)
        problem(c, frame, "the key log lacks %s secrets for this connection",
                !s->hs_ok ? "handshake" : "1-RTT");
}

/* 0-RTT keys: the cipher is the resumed session's, unknown before the ServerHello, so a
 * 32-byte secret is tried with AES-128-GCM and then ChaCha20-Poly1305 (see decode_packet). */
static void setup_zrtt(quire_conn_table *t, quire_conn *c, quire_aead_alg alg)
{
    quire_conn_state *s = c->st;
    if (!t->keylog || !c->tls.client_hello) return;
    size_t len;
    const uint8_t *sec =
        quire_keylog_secret(t->keylog, c->tls.client_random, QUIRE_KEYLOG_CLIENT_EARLY, &len);
    if (!sec) return;
    if (len == 48) alg = QUIRE_AEAD_AES_256_GCM;
    quire_keys_free(&s->zrtt);
    s->zrtt_ok = quire_keys_init(&s->zrtt, c->version, alg, sec, len) == 0;
}

static quire_conn_stream *stream_get(quire_conn *c, uint64_t id, int from_client)
{
    quire_conn_state *s = c->st;
    if (s->last_stream < c->nstreams) {
        quire_conn_stream *x = &c->streams[s->last_stream];
        if (x->id == id && x->from_client == from_client) return x;
    }
    for (size_t i = c->nstreams; i-- > 0;)
        if (c->streams[i].id == id && c->streams[i].from_client == from_client) {
            s->last_stream = i;
            return &c->streams[i];
        }
    if (c->nstreams == c->cap_streams) {
        size_t ncap = c->cap_streams ? c->cap_streams * 2 : 8;
        quire_conn_stream *n = realloc(c->streams, ncap * sizeof *n);
        if (!n) return NULL;
        c->streams = n;
        c->cap_streams = ncap;
    }
    quire_conn_stream *x = &c->streams[c->nstreams];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->from_client = from_client;
    s->last_stream = c->nstreams++;
    return x;
}

static int handle_frame(quire_conn_table *t, quire_conn *c, int d, const quire_packet *pkt,
                        const quire_frame *f, uint64_t frame)
{
    quire_conn_state *s = c->st;
    quire_conn_dir *dir = &c->dir[d];
    dir->frames[f->kind]++;
    switch (f->kind) {
    case QUIRE_FRAME_CRYPTO: {
        int rv = quire_tls_stream_add(&s->crypto[pkt->epoch][d], f->u.crypto.offset,
                                      f->u.crypto.data, (size_t)f->u.crypto.len, &c->tls);
        if (rv == QUIRE_ERR_NOMEM) return rv;
        /* RFC 9000 9.6: the client may move to the server's preferred address, using the
         * connection ID (sequence number 1) given with it */
        const quire_tp_set *stp = &c->tls.server_tp;
        if (stp->present && (stp->mask >> QUIRE_TP_PREFERRED_ADDRESS & 1) &&
            cid_add(t, c, 1, stp->preferred_address.cid.id, stp->preferred_address.cid.len))
            return QUIRE_ERR_NOMEM;
        if (!s->keys_tried) setup_keys(t, c, frame);
        if (!s->zrtt_tried && c->tls.client_hello && c->tls.early_data) {
            s->zrtt_tried = 1;
            setup_zrtt(t, c, QUIRE_AEAD_AES_128_GCM);
        }
        break;
    }
    case QUIRE_FRAME_STREAM: {
        quire_conn_stream *x = stream_get(c, f->u.stream.stream_id, d == 0);
        if (!x) return QUIRE_ERR_NOMEM;
        x->frames++;
        x->bytes += f->u.stream.len;
        uint64_t end = f->u.stream.offset + f->u.stream.len;
        if (end > x->size) x->size = end;
        if (f->u.stream.fin) x->fin = 1;
        break;
    }
    case QUIRE_FRAME_RESET_STREAM: {
        quire_conn_stream *x = stream_get(c, f->u.reset_stream.stream_id, d == 0);
        if (!x) return QUIRE_ERR_NOMEM;
        x->reset = 1;
        break;
    }
    case QUIRE_FRAME_ACK:
        if (f->u.ack.ecn) {
            dir->ack_ecn = 1;
            if (f->u.ack.ect0 > dir->ack_ect0) dir->ack_ect0 = f->u.ack.ect0;
            if (f->u.ack.ect1 > dir->ack_ect1) dir->ack_ect1 = f->u.ack.ect1;
            if (f->u.ack.ce > dir->ack_ce) dir->ack_ce = f->u.ack.ce;
        }
        break;
    case QUIRE_FRAME_NEW_CONNECTION_ID:
        /* the sender issues the CID for packets sent to it */
        return cid_add(t, c, d, f->u.new_connection_id.cid, f->u.new_connection_id.cid_len);
    case QUIRE_FRAME_CONNECTION_CLOSE:
        if (!c->closed) {
            c->close_app = f->u.connection_close.app;
            c->close_error = f->u.connection_close.error;
            c->close_from_client = d == 0;
        }
        c->closed = 1;
        break;
    case QUIRE_FRAME_HANDSHAKE_DONE:
        c->handshake_done = 1;
        break;
    default:
        break;
    }
    return 0;
}

static const char *err_word(int rv)
{
    return rv == QUIRE_ERR_TRUNCATED     ? "truncated"
           : rv == QUIRE_ERR_UNSUPPORTED ? "unknown type"
                                         : "malformed";
}

/* Decodes the frames of a decrypted packet. */
static int process_frames(quire_conn_table *t, quire_conn *c, int d, const quire_packet *pkt,
                          uint64_t frame, quire_conn_packet *out, char *err, size_t errlen)
{
    quire_cursor cur;
    quire_cursor_init(&cur, pkt->payload, pkt->payload_len);
    if (pkt->payload_len == 0) {
        /* RFC 9000 Section 12.4: a packet containing no frames is a protocol violation */
        snprintf(err, errlen, "packet %llu has no frames", (unsigned long long)pkt->pn);
        return 1;
    }
    while (quire_cursor_left(&cur)) {
        quire_frame tmp,
            *f = out->nframes < QUIRE_CONN_MAX_FRAMES ? &t->frames[out->nframes] : &tmp;
        size_t at = pkt->payload_len - quire_cursor_left(&cur);
        int rv = quire_frame_decode(&cur, f);
        if (rv < 0) {
            snprintf(err, errlen, "%s packet %llu: frame at payload offset %zu (type 0x%02x): %s",
                     quire_packet_type_name(pkt->type), (unsigned long long)pkt->pn, at,
                     pkt->payload[at], err_word(rv));
            return 1;
        }
        if (f != &tmp) out->nframes++;
        out->frames_total++;
        if (!quire_frame_allowed(f->kind, pkt->epoch) && !err[0])
            snprintf(err, errlen, "%s frame in a %s packet (RFC 9000 Table 3)",
                     quire_frame_name(f->kind), quire_packet_type_name(pkt->type));
        rv = handle_frame(t, c, d, pkt, f, frame);
        if (rv == QUIRE_ERR_NOMEM) return rv;
    }
    return err[0] ? 1 : 0;
}

/* Finds the connection of a packet and the side that receives it. */
static quire_conn *lookup(quire_conn_table *t, const uint8_t *data, size_t len,
                          const quire_udp *udp, int *owner, size_t *dcid_len)
{
    if (data[0] & 0x80) {
        if (len < 6 || (size_t)data[5] + 6 > len) return NULL;
        *dcid_len = data[5];
        const quire_cidmap_entry *e = quire_cidmap_find(&t->cids, data + 6, data[5]);
        if (e) {
            *owner = e->owner;
            return t->conns[e->conn - 1];
        }
    } else {
        /* fast path: the CIDs of the last connection, unless it decrypted nothing (a damaged
         * Initial's, whose DCID may be a prefix of a real one) */
        if (t->last_conn < t->count &&
            (t->conns[t->last_conn]->dir[0].decrypted || t->conns[t->last_conn]->dir[1].decrypted)) {
            quire_conn *c = t->conns[t->last_conn];
            for (int side = 0; side < 2; side++)
                for (size_t i = c->ncids[side]; i-- > 0;) {
                    const quire_cid_val *v = &c->cids[side][i];
                    if (1 + (size_t)v->len <= len && !memcmp(data + 1, v->id, v->len)) {
                        *owner = side;
                        *dcid_len = v->len;
                        return c;
                    }
                }
        }
        /* longest first: a longer CID is the more specific match */
        for (size_t l = QUIRE_MAX_CID_LEN; l >= 1; l--) {
            if (!quire_cidmap_has_len(&t->cids, l) || 1 + l > len) continue;
            const quire_cidmap_entry *e = quire_cidmap_find(&t->cids, data + 1, l);
            if (e) {
                *owner = e->owner;
                *dcid_len = l;
                return t->conns[e->conn - 1];
            }
        }
    }
    /* zero-length CIDs: match the receiver's address and port, newest connection first, one
     * that decrypted something before one that did not: a client Initial damaged on a
     * corrupting link (a DCID byte flipped) opens a connection of its own on the client's
     * address, which must not take the server's packets of the real one */
    quire_conn *tentative = NULL;
    int tentative_side = 0;
    /* the receiver's current address first; then any it used (a client probing a new path
     * gets the answer there while it still sends from the old one, RFC 9000 9.1) */
    for (int any = 0; any < 2; any++)
        for (size_t i = t->count; i-- > 0;) {
            quire_conn *c = t->conns[i];
            for (int side = 0; side < 2; side++) {
                if (c->ncids[side] || !c->nends[side]) continue;
                size_t k = c->nends[side] - 1, found = 0;
                do {
                    const quire_conn_endpoint *e = &c->ends[side][k];
                    found = e->port == udp->dport && quire_addr_equal(&e->addr, &udp->dst);
                } while (!found && any && k-- > 0);
                if (!found) continue;
                if (!c->dir[0].decrypted && !c->dir[1].decrypted) {
                    if (!tentative) {
                        tentative = c;
                        tentative_side = side;
                    }
                    continue;
                }
                *owner = side;
                *dcid_len = 0;
                return c;
            }
        }
    if (tentative) {
        *owner = tentative_side;
        *dcid_len = 0;
    }
    return tentative;
}

static void rotate_app_keys(quire_conn *c, int d)
{
    quire_conn_state *s = c->st;
    int cur = (s->app_cur[d] + 1) % 3;
    int next = (cur + 1) % 3;
    s->app_cur[d] = cur;
    s->app_phase[d] ^= 1;
    s->app_have_prev[d] = 1;
    quire_keys_free(&s->app[d][next]);
    quire_keys_update(&s->app[d][next], &s->app[d][cur]);
    c->dir[d].key_updates++;
}

static int decode_one(quire_conn_table *t, quire_conn *c, int d, size_t dcid_len, quire_packet *pkt,
                      const uint8_t *data, size_t len)
{
    quire_conn_state *s = c->st;
    quire_packet_ctx ctx;
    quire_packet_ctx_init(&ctx, dcid_len);
    if (s->init_ok) ctx.keys[QUIRE_EPOCH_INITIAL] = &s->init[d];
    if (s->hs_ok) ctx.keys[QUIRE_EPOCH_HANDSHAKE] = &s->hs[d];
    if (s->zrtt_ok && d == 0) ctx.keys[QUIRE_EPOCH_0RTT] = &s->zrtt;
    if (s->app_ok) {
        ctx.keys[QUIRE_EPOCH_1RTT] = &s->app[d][s->app_cur[d]];
        ctx.app_next = &s->app[d][(s->app_cur[d] + 1) % 3];
        if (s->app_have_prev[d]) ctx.app_prev = &s->app[d][(s->app_cur[d] + 2) % 3];
        ctx.app_key_phase = s->app_phase[d];
    }
    for (int p = 0; p < QUIRE_PN_SPACE_COUNT; p++)
        ctx.largest_pn[p] = s->largest_pn[d][p];
    if (c->odcid.len) {
        ctx.odcid = c->odcid.id;
        ctx.odcid_len = c->odcid.len;
    }
    int rv = quire_packet_decode(pkt, data, len, &ctx, t->out, sizeof t->out);
    if (rv > 0 && pkt->type == QUIRE_PACKET_0RTT && pkt->status == QUIRE_ERR_CRYPTO && s->zrtt_ok &&
        !s->zrtt_fixed && s->zrtt.alg == QUIRE_AEAD_AES_128_GCM) {
        setup_zrtt(t, c, QUIRE_AEAD_CHACHA20_POLY1305);
        if (s->zrtt_ok) rv = quire_packet_decode(pkt, data, len, &ctx, t->out, sizeof t->out);
    }
    return rv;
}

static int decrypted(const quire_packet *pkt)
{
    return pkt->payload && (pkt->status == 0 || pkt->status == QUIRE_ERR_MALFORMED);
}

/* Accounts a decrypted packet of direction d and processes its frames into info; err (cap
 * errcap, empty on entry) gets a packet or frame problem. Returns 0, 1 with a problem, or
 * QUIRE_ERR_NOMEM. */
static int take_packet(quire_conn_table *t, quire_conn *c, int d, const quire_packet *pkt,
                       quire_conn_packet *info, char *err, size_t errcap)
{
    quire_conn_state *s = c->st;
    c->dir[d].decrypted++;
    if (pkt->status) snprintf(err, errcap, "reserved header bits are not zero");
    if ((int64_t)pkt->pn > s->largest_pn[d][pkt->space])
        s->largest_pn[d][pkt->space] = (int64_t)pkt->pn;
    if (pkt->type == QUIRE_PACKET_1RTT) {
        c->dir[d].key_phases |= (uint8_t)(1u << pkt->key_phase);
        if (pkt->key_slot == QUIRE_KEY_NEXT) rotate_app_keys(c, d);
    }
    if (pkt->type == QUIRE_PACKET_0RTT) s->zrtt_fixed = 1;
    size_t n = strlen(err);
    return process_frames(t, c, d, pkt, info->frame, info, err + n, errcap - n);
}

/* Keeps a copy of the datagram of a packet (at offset off) that had no keys yet. Returns 0
 * (also when the connection already keeps PENDING_MAX) or QUIRE_ERR_NOMEM. */
static int keep_pending(quire_conn_state *s, uint64_t frame, uint64_t ts_ns, const quire_udp *udp,
                        size_t off, size_t dcid_len, int d)
{
    if (s->npend == PENDING_MAX) return 0;
    pending_pkt *e = &s->pend[s->npend];
    e->data = malloc(udp->len);
    if (!e->data) return QUIRE_ERR_NOMEM;
    memcpy(e->data, udp->payload, udp->len);
    e->frame = frame;
    e->ts_ns = ts_ns;
    e->udp = *udp;
    e->udp.payload = e->data;
    e->offset = off;
    e->dcid_len = dcid_len;
    e->d = d;
    s->npend++;
    return 0;
}

/* Decodes the kept packets of c whose keys are now known (at frame now), reporting each that
 * decrypts through cb as a late packet; a packet that decodes but does not decrypt is dropped
 * (it stays counted as undecryptable). Repeats while a packet brings more keys. Returns 0 or
 * QUIRE_ERR_NOMEM. */
static int decode_pending(quire_conn_table *t, quire_conn *c, uint64_t now, quire_conn_cb cb,
                          void *arg)
{
    quire_conn_state *s = c->st;
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < s->npend;) {
            pending_pkt e = s->pend[i];
            quire_packet pkt;
            const uint8_t *data = e.data + e.offset;
            if (decode_one(t, c, e.d, e.dcid_len, &pkt, data, e.udp.len - e.offset) < 0 ||
                pkt.status == QUIRE_ERR_NOKEY) {
                i++;
                continue;
            }
            s->pend[i] = s->pend[--s->npend];
            int keys = s->hs_ok + s->app_ok + s->zrtt_ok;
            if (decrypted(&pkt)) {
                char err[240] = "";
                quire_conn_packet info = {e.frame, e.ts_ns, &e.udp, c, e.d == 0, &pkt, e.offset,
                                          t->frames, 0, 0, NULL, now};
                c->dir[e.d].undecryptable--;
                int rv = take_packet(t, c, e.d, &pkt, &info, err, sizeof err);
                if (rv == QUIRE_ERR_NOMEM) {
                    free(e.data);
                    return rv;
                }
                if (err[0]) {
                    c->dir[e.d].malformed++;
                    problem(c, e.frame, "frame %llu: %s", (unsigned long long)e.frame, err);
                    info.error = err;
                }
                if (cb) cb(&info, arg);
            }
            free(e.data);
            progress |= s->hs_ok + s->app_ok + s->zrtt_ok > keys;
        }
    }
    return 0;
}

/* Whether udp comes from the address and port of some connection's server: a long header
 * from there whose DCID is unknown is a server packet damaged on the way (a corrupting link),
 * not a new client's Initial, unless it decrypts as one. */
static int from_server_endpoint(const quire_conn_table *t, const quire_udp *udp)
{
    for (size_t i = t->count; i-- > 0;) {
        const quire_conn *c = t->conns[i];
        for (size_t k = 0; k < c->nends[1]; k++)
            if (c->ends[1][k].port == udp->sport && quire_addr_equal(&c->ends[1][k].addr, &udp->src))
                return 1;
    }
    return 0;
}

int quire_conn_datagram(quire_conn_table *t, uint64_t frame, uint64_t ts_ns, const quire_udp *udp,
                        quire_conn_cb cb, void *arg)
{
    const uint8_t *p = udp->payload;
    size_t len = udp->len, off = 0;
    int found = 0;
    quire_conn *first_conn = NULL;
    while (off < len) {
        const uint8_t *data = p + off;
        size_t n = len - off;
        int owner = 1;
        size_t dcid_len = 0;
        char err[240] = "";
        quire_conn *c = lookup(t, data, n, udp, &owner, &dcid_len);
        /* Zero padding after the last coalesced packet. A short header can also start with
         * 0x00 on the wire (its fixed bit greased, RFC 9287, and its masked bits all zero: 1 in
         * 32), so a zero byte ends the datagram only when no connection ID follows it. */
        if (off > 0 && data[0] == 0 && (!c || dcid_len == 0)) break;
        if (!c) {
            /* A new connection starts with a client Initial (or an unknown version's first
             * long header) whose DCID is not yet known. One in a datagram shorter than RFC
             * 9000 14.1's 1200 bytes must open with its own DCID's keys (so that the spec
             * rules see the violation, where stray bytes start nothing); so must one from a
             * known server's address (a server packet damaged on the way). */
            quire_packet_type type;
            uint32_t version;
            const uint8_t *dcid;
            size_t dl;
            if (!(data[0] & 0x80) || quire_packet_peek(data, n, &type, &version, &dcid, &dl, 0) ||
                !(type == QUIRE_PACKET_INITIAL || type == QUIRE_PACKET_UNKNOWN_VERSION) ||
                dl > QUIRE_MAX_CID_LEN ||
                (len < 1200 /* RFC 9000 Section 14.1: client Initial datagrams */ &&
                 !(type == QUIRE_PACKET_INITIAL &&
                   quire_packet_initial_opens(data, n, version, dcid, dl, t->out, sizeof t->out))) ||
                (from_server_endpoint(t, udp) && !(type == QUIRE_PACKET_INITIAL &&
                                                   quire_packet_initial_opens(data, n, version, dcid, dl, t->out, sizeof t->out)))) {
                if (off == 0) return found; /* not QUIC we can place */
                break;
            }
            c = conn_new(t);
            if (!c) return QUIRE_ERR_NOMEM;
            c->first_frame = frame;
            c->first_ts = ts_ns;
            c->odcid.len = (uint8_t)dl;
            memcpy(c->odcid.id, dcid, dl);
            if (cid_add(t, c, 1, dcid, dl)) return QUIRE_ERR_NOMEM;
            owner = 1;
            dcid_len = dl;
            note_endpoint(c, 0, &udp->src, udp->sport);
            note_endpoint(c, 1, &udp->dst, udp->dport);
            if (type == QUIRE_PACKET_INITIAL) setup_initial(c, version, dcid, dl);
        }
        int d = owner == 1 ? 0 : 1; /* sent to the server: from the client */
        t->last_conn = c->index;
        quire_conn_state *s = c->st;
        /* A server answering in another (compatible) version (RFC 9368): Initial keys of that
         * version from the same original DCID. */
        if ((data[0] & 0x80) && n >= 5) {
            uint32_t v = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
                         (uint32_t)data[3] << 8 | data[4];
            if (v && v != s->init_version && quire_keys_version_known(v) && !c->retry)
                setup_initial(c, v, c->odcid.id, c->odcid.len);
            /* After several Retries (one per client Initial, RFC 9000 8.1.2) the client uses
             * the one it received first, which a reordering network may have brought to the
             * capture second: its Initials go to that Retry's SCID and need its keys. */
            if (d == 0 && c->retry > 1 && v == s->init_version) {
                quire_packet_type ty;
                uint32_t ver;
                const uint8_t *dc;
                size_t dl;
                int initial = !quire_packet_peek(data, n, &ty, &ver, &dc, &dl, 0) &&
                              ty == QUIRE_PACKET_INITIAL;
                int current = dl == s->init_dcid.len && !memcmp(dc, s->init_dcid.id, dl);
                for (size_t i = 0; initial && !current && i < s->nretry_scids; i++)
                    if (dl == s->retry_scids[i].len && !memcmp(dc, s->retry_scids[i].id, dl)) {
                        setup_initial(c, v, dc, dl);
                        break;
                    }
            }
        }
        quire_packet pkt;
        int rv = decode_one(t, c, d, dcid_len, &pkt, data, n);
        size_t used = rv > 0 ? (size_t)rv : n;
        quire_conn_packet info = {frame, ts_ns, udp, c, d == 0, &pkt, off, t->frames, 0, 0, NULL, 0};
        c->last_frame = frame;
        c->last_ts = ts_ns;
        if (!first_conn) {
            first_conn = c;
            c->dir[d].datagrams++;
            c->dir[d].bytes += len;
            c->dir[d].ecn_ip[udp->ecn & 3]++;
            note_endpoint(c, d, &udp->src, udp->sport);
        }
        if (rv < 0) {
            snprintf(err, sizeof err, "QUIC packet at UDP payload offset %zu: header %s", off,
                     rv == QUIRE_ERR_TRUNCATED ? "truncated" : "malformed");
            c->dir[d].malformed++;
            problem(c, frame, "frame %llu: %s", (unsigned long long)frame, err);
            info.pkt = NULL;
            info.error = err;
            if (cb) cb(&info, arg);
            break;
        }
        found++;
        quire_conn_dir *dir = &c->dir[d];
        dir->packets[pkt.type]++;
        if (pkt.type != QUIRE_PACKET_1RTT && pkt.type != QUIRE_PACKET_VERSION_NEGOTIATION)
            note_version(c, pkt.version);
        if (pkt.type == QUIRE_PACKET_VERSION_NEGOTIATION) {
            c->vn++;
            for (size_t i = 0; i < pkt.version_count && c->vn_nversions < QUIRE_CONN_MAX_VERSIONS;
                 i++) {
                const uint8_t *v = pkt.versions + 4 * i;
                c->vn_versions[c->vn_nversions++] =
                    (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
            }
        } else if (pkt.type == QUIRE_PACKET_RETRY && pkt.retry_tag != 0 && c->retry) {
            /* RFC 9000, 17.2.5.2: the client processes at most one Retry and discards the
             * rest (a server may answer each of the client's first Initials with one, e.g.
             * Chromium's two-datagram ClientHello): the keys stay the first Retry's, but the
             * client may have received this one first, so its SCID names the connection too */
            c->retry++;
            if (cid_add(t, c, 1, pkt.scid, pkt.scid_len)) return QUIRE_ERR_NOMEM;
            if (s->nretry_scids < 4) {
                quire_cid_val *r = &s->retry_scids[s->nretry_scids++];
                r->len = (uint8_t)pkt.scid_len;
                memcpy(r->id, pkt.scid, pkt.scid_len);
            }
        } else if (pkt.type == QUIRE_PACKET_RETRY && pkt.retry_tag == 0) {
            /* RFC 9000 17.2.5.2: the client discards it (on a corrupting link, a damaged
             * server packet whose type bits now read Retry): the keys stay */
            c->retry_tag_ok = 0;
            snprintf(err, sizeof err, "Retry integrity tag does not verify");
        } else if (pkt.type == QUIRE_PACKET_RETRY) {
            c->retry++;
            if (pkt.retry_tag == 1 && c->retry_tag_ok != 0) {
                c->retry_tag_ok = 1;
            }
            c->retry_scid.len = (uint8_t)pkt.scid_len;
            memcpy(c->retry_scid.id, pkt.scid, pkt.scid_len);
            s->retry_scids[0] = c->retry_scid;
            s->nretry_scids = 1;
            if (cid_add(t, c, 1, pkt.scid, pkt.scid_len)) return QUIRE_ERR_NOMEM;
            /* RFC 9001 Section 5.2: Initial keys now come from the Retry's SCID */
            setup_initial(c, pkt.version, pkt.scid, pkt.scid_len);
            /* The client may start its handshake afresh (aioquic sends a new ClientHello with
             * a new random at offset 0): the Initial CRYPTO streams start over, and the key log
             * is then searched by the new random. */
            for (int k = 0; k < 2; k++) {
                quire_tls_stream_free(&s->crypto[QUIRE_EPOCH_INITIAL][k]);
                quire_tls_stream_init(&s->crypto[QUIRE_EPOCH_INITIAL][k], k == 0);
            }
            s->zrtt_tried = 0;
        } else if (pkt.type != QUIRE_PACKET_1RTT && pkt.scid_len) {
            if (cid_add(t, c, d, pkt.scid, pkt.scid_len)) return QUIRE_ERR_NOMEM;
        }
        int keys = s->hs_ok + s->app_ok + s->zrtt_ok;
        if (decrypted(&pkt)) {
            rv = take_packet(t, c, d, &pkt, &info, err, sizeof err);
            if (rv == QUIRE_ERR_NOMEM) return rv;
        } else if (pkt.type != QUIRE_PACKET_RETRY && pkt.type != QUIRE_PACKET_VERSION_NEGOTIATION) {
            dir->undecryptable++;
            if (pkt.status == QUIRE_ERR_NOKEY && t->keylog &&
                keep_pending(s, frame, ts_ns, udp, off, dcid_len, d))
                return QUIRE_ERR_NOMEM;
        }
        if (err[0]) {
            dir->malformed++;
            problem(c, frame, "frame %llu: %s", (unsigned long long)frame, err);
            info.error = err;
        }
        if (cb) cb(&info, arg);
        if (s->npend && s->hs_ok + s->app_ok + s->zrtt_ok > keys &&
            decode_pending(t, c, frame, cb, arg))
            return QUIRE_ERR_NOMEM;
        off += used;
    }
    return found;
}
