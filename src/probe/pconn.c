/* quire probe's QUIC client connection (see pconn.h; RFC 9000, RFC 9001). */
#include "probe/pconn.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/capture.h"
#include "probe/qtls.h"
#include "util/cursor.h"
#include "util/err.h"

#define MAX_DATAGRAM 1452
#define MIN_INITIAL 1200 /* RFC 9000 Section 14.1 */
#define PN_LEN 4
#define CRYPTO_CHUNK 1100
#define MAX_PTO 6

uint64_t quire_pconn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void quire_pobs_reset(quire_pobs *o)
{
    memset(o, 0, sizeof *o);
}

void quire_pobs_frame(quire_pobs *o, quire_packet_type ptype, uint64_t pn, uint64_t frame,
                      const quire_frame *f)
{
    quire_pobs_event e = {.ptype = ptype, .pn = pn, .frame = frame, .kind = QUIRE_FRAME_KINDS};
    if (f) {
        e.kind = f->kind;
        e.type = f->type;
        if (f->kind == QUIRE_FRAME_CONNECTION_CLOSE) {
            e.error = f->u.connection_close.error;
            e.frame_type = f->u.connection_close.frame_type;
            e.app = f->u.connection_close.app;
            if (!o->closed) {
                o->closed = 1;
                o->close = e;
                size_t n = f->u.connection_close.reason_len;
                if (n >= sizeof o->close_reason) n = sizeof o->close_reason - 1;
                for (size_t i = 0; i < n; i++) {
                    char ch = (char)f->u.connection_close.reason[i];
                    o->close_reason[i] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
                }
                o->close_reason[n] = '\0';
            }
        } else if (f->kind == QUIRE_FRAME_PATH_RESPONSE && !o->path_response) {
            o->path_response = 1;
            memcpy(o->path_data, f->u.path.data, 8);
        } else if (f->kind == QUIRE_FRAME_ACK) {
            int sp = ptype == QUIRE_PACKET_INITIAL     ? QUIRE_PN_SPACE_INITIAL
                     : ptype == QUIRE_PACKET_HANDSHAKE ? QUIRE_PN_SPACE_HANDSHAKE
                                                       : QUIRE_PN_SPACE_APPLICATION;
            if (!o->acked[sp] || f->u.ack.largest > o->acked_largest[sp])
                o->acked_largest[sp] = f->u.ack.largest;
            o->acked[sp] = 1;
        }
    }
    if (f && f->kind == QUIRE_FRAME_PADDING) return; /* not worth an event */
    if (o->nevents < QUIRE_POBS_MAX_EVENTS)
        o->events[o->nevents++] = e;
    else
        o->lost_events++;
}

static quire_pn_space space_of(quire_epoch e)
{
    return e == QUIRE_EPOCH_INITIAL     ? QUIRE_PN_SPACE_INITIAL
           : e == QUIRE_EPOCH_HANDSHAKE ? QUIRE_PN_SPACE_HANDSHAKE
                                        : QUIRE_PN_SPACE_APPLICATION;
}

static void random_bytes(uint8_t *p, size_t n)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(p, 1, n, f) : 0;
    if (f) fclose(f);
    for (size_t i = got; i < n; i++) /* no urandom: still distinct per run */
        p[i] = (uint8_t)(quire_pconn_now_ms() * 131u + i * 7u + (uint64_t)getpid());
}

int quire_pconn_new(quire_pconn **out, const struct sockaddr *peer, socklen_t peer_len,
                    const quire_pconn_opts *opts)
{
    *out = NULL;
    quire_pconn *c = calloc(1, sizeof *c);
    if (!c) return QUIRE_ERR_NOMEM;
    c->opts = *opts;
    if (!c->opts.alpn) c->opts.alpn = "hq-interop";
    if (!c->opts.sni) c->opts.sni = "server";
    c->version = opts->version ? opts->version : QUIRE_QUIC_V1;
    c->fd = -1;
    for (int i = 0; i < QUIRE_EPOCH_COUNT; i++) {
        quire_buf_init(&c->crypto_out[i]);
        quire_tls_stream_init(&c->crypto_in[i], 0);
    }
    quire_buf_init(&c->resp);
    for (int i = 0; i < QUIRE_PN_SPACE_COUNT; i++)
        c->largest_rx[i] = -1;
    c->next_uni = 2;
    int rv = QUIRE_ERR_IO;
    memcpy(&c->peer, peer, peer_len);
    c->peer_len = peer_len;
    c->fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, peer, peer_len)) goto fail;
    c->local_len = sizeof c->local;
    if (getsockname(c->fd, (struct sockaddr *)&c->local, &c->local_len)) goto fail;
    random_bytes(c->scid, sizeof c->scid);
    c->dcid_len = 8; /* RFC 9000 Section 7.2: at least 8 unpredictable bytes */
    random_bytes(c->dcid, c->dcid_len);
    memcpy(c->odcid, c->dcid, c->dcid_len);
    c->odcid_len = c->dcid_len;
    rv = quire_tpenc_client(c->client_tp, sizeof c->client_tp, c->scid, sizeof c->scid,
                            opts->tp_mod);
    if (rv < 0) {
        rv = QUIRE_ERR_INVALID;
        goto fail;
    }
    c->client_tp_len = (size_t)rv;
    if (quire_keys_version_known(c->version)) {
        rv = quire_keys_init_initial(&c->tx[QUIRE_EPOCH_INITIAL], &c->rx[QUIRE_EPOCH_INITIAL],
                                     c->version, c->dcid, c->dcid_len);
        if (rv) goto fail;
        c->have_tx[QUIRE_EPOCH_INITIAL] = c->have_rx[QUIRE_EPOCH_INITIAL] = 1;
    }
    if ((rv = quire_qtls_init(c, c->opts.alpn, c->opts.sni))) goto fail;
    *out = c;
    return 0;
fail:
    quire_pconn_del(c);
    return rv;
}

void quire_pconn_del(quire_pconn *c)
{
    if (!c) return;
    quire_qtls_free(c);
    if (c->fd >= 0) close(c->fd);
    quire_keys_free(&c->rx_next);
    for (int i = 0; i < QUIRE_EPOCH_COUNT; i++) {
        quire_keys_free(&c->tx[i]);
        quire_keys_free(&c->rx[i]);
        quire_buf_free(&c->crypto_out[i]);
        quire_tls_stream_free(&c->crypto_in[i]);
    }
    quire_buf_free(&c->resp);
    free(c);
}

int quire_pconn_tls_data(quire_pconn *c, quire_epoch epoch, const uint8_t *data, size_t len)
{
    if (epoch >= QUIRE_EPOCH_COUNT) return QUIRE_ERR_INVALID;
    return quire_buf_append(&c->crypto_out[epoch], data, len);
}

int quire_pconn_tls_secret(quire_pconn *c, quire_epoch epoch, int write, quire_aead_alg alg,
                           const uint8_t *secret, size_t len)
{
    quire_keys *k = write ? &c->tx[epoch] : &c->rx[epoch];
    quire_keys_free(k);
    int rv = quire_keys_init(k, c->version, alg, secret, len);
    if (rv) return rv;
    (write ? c->have_tx : c->have_rx)[epoch] = 1;
    if (!write && epoch == QUIRE_EPOCH_1RTT) {
        quire_keys_free(&c->rx_next);
        c->have_rx_next = quire_keys_update(&c->rx_next, k) == 0;
    }
    return 0;
}

int quire_pconn_key_update(quire_pconn *c)
{
    if (!c->have_tx[QUIRE_EPOCH_1RTT]) return QUIRE_ERR_NOKEY;
    quire_keys next;
    int rv = quire_keys_update(&next, &c->tx[QUIRE_EPOCH_1RTT]);
    if (rv) return rv;
    quire_keys_free(&c->tx[QUIRE_EPOCH_1RTT]);
    c->tx[QUIRE_EPOCH_1RTT] = next;
    c->tx_phase ^= 1;
    return 0;
}

/* The server's packet opened with the next generation: it is now the current one, and the
 * probe follows with its own send keys if it has not started the update itself (RFC 9001
 * Section 6.2). */
static void rotate_rx(quire_pconn *c)
{
    quire_keys_free(&c->rx[QUIRE_EPOCH_1RTT]);
    c->rx[QUIRE_EPOCH_1RTT] = c->rx_next;
    memset(&c->rx_next, 0, sizeof c->rx_next);
    c->have_rx_next = quire_keys_update(&c->rx_next, &c->rx[QUIRE_EPOCH_1RTT]) == 0;
    c->rx_phase ^= 1;
    c->obs.key_update = 1;
    if (c->tx_phase != c->rx_phase) quire_pconn_key_update(c);
}

uint64_t quire_pconn_server_tp(const quire_pconn *c, int id, uint64_t def)
{
    if (!c->have_server_tp || id < 0 || id >= QUIRE_TP_COUNT) return def;
    return (c->server_tp.mask & (1u << id)) ? c->server_tp.val[id] : def;
}

/* Output */

int quire_pconn_send_raw(quire_pconn *c, const uint8_t *data, size_t len)
{
    ssize_t n = send(c->fd, data, len, 0);
    if (n < 0 && errno != ECONNREFUSED) return QUIRE_ERR_IO;
    c->sent_datagrams++;
    c->sent_bytes += len;
    if (c->opts.pcap)
        quire_capture_udp(c->opts.pcap, (const struct sockaddr *)&c->local,
                          (const struct sockaddr *)&c->peer, data, len);
    return 0;
}

/* An ACK frame for a space from its ranges (RFC 9000 Section 19.3), delay 0. */
static void put_ack(quire_pconn *c, quire_pn_space sp, quire_wire *w)
{
    if (!c->nranges[sp]) return;
    quire_wire_ack(w, (const uint64_t(*)[2])c->ranges[sp], c->nranges[sp], 0);
    c->ack_pending[sp] = 0;
}

/* Notes a received packet number: merges it into the space's descending ranges (the
 * smallest ones are dropped when there are too many). */
static void note_pn(quire_pconn *c, quire_pn_space sp, uint64_t pn)
{
    uint64_t(*r)[2] = c->ranges[sp];
    size_t n = c->nranges[sp];
    for (size_t i = 0; i < n; i++)
        if (pn <= r[i][0] && pn >= r[i][1]) return;
    size_t at = 0;
    while (at < n && r[at][1] > pn)
        at++;
    /* r[at] is the first range below pn (or none) */
    int joins_above = at > 0 && r[at - 1][1] == pn + 1;
    int joins_below = at < n && r[at][0] + 1 == pn;
    if (joins_above && joins_below) {
        r[at - 1][1] = r[at][1];
        memmove(&r[at], &r[at + 1], (n - at - 1) * sizeof r[0]);
        c->nranges[sp] = n - 1;
    } else if (joins_above) {
        r[at - 1][1] = pn;
    } else if (joins_below) {
        r[at][0] = pn;
    } else {
        if (n == QUIRE_PCONN_MAX_RANGES) {
            if (at == n) return;
            n--;
        }
        memmove(&r[at + 1], &r[at], (n - at) * sizeof r[0]);
        r[at][0] = r[at][1] = pn;
        c->nranges[sp] = n + 1;
    }
}

static quire_packet_type ptype_of(quire_epoch e)
{
    return e == QUIRE_EPOCH_INITIAL     ? QUIRE_PACKET_INITIAL
           : e == QUIRE_EPOCH_HANDSHAKE ? QUIRE_PACKET_HANDSHAKE
           : e == QUIRE_EPOCH_0RTT      ? QUIRE_PACKET_0RTT
                                        : QUIRE_PACKET_1RTT;
}

/* Sends one packet whose payload is ack (optional) + frames (+ padding for Initial). */
static int send_packet(quire_pconn *c, quire_epoch epoch, const uint8_t *frames, size_t len,
                       int with_ack, uint8_t reserved)
{
    if (epoch >= QUIRE_EPOCH_COUNT || !c->have_tx[epoch]) return QUIRE_ERR_NOKEY;
    quire_pn_space sp = space_of(epoch);
    uint8_t payload[MAX_DATAGRAM];
    quire_wire w;
    quire_wire_init(&w, payload, sizeof payload - QUIRE_CRYPTO_TAG_LEN - 64);
    if (with_ack) put_ack(c, sp, &w);
    quire_wire_bytes(&w, frames, len);
    if (w.err) return w.err;
    quire_wire_hdr h = {.type = ptype_of(epoch),
                        .version = c->version,
                        .dcid = c->dcid,
                        .dcid_len = c->dcid_len,
                        .scid = c->scid,
                        .scid_len = sizeof c->scid,
                        .token = c->token,
                        .token_len = c->token_len,
                        .pn = c->next_pn[sp],
                        .pn_len = PN_LEN,
                        .key_phase = c->tx_phase,
                        .reserved = reserved};
    if (epoch == QUIRE_EPOCH_INITIAL && !c->opts.no_padding) {
        /* the header: 1 + 4 + 1 + dcid + 1 + scid + token varint + token + 2 + pn */
        size_t hdr = 7 + c->dcid_len + sizeof c->scid + quire_varint_len(c->token_len) +
                     c->token_len + 2 + PN_LEN;
        size_t total = hdr + w.len + QUIRE_CRYPTO_TAG_LEN;
        if (total < MIN_INITIAL) quire_wire_padding(&w, MIN_INITIAL - total);
    }
    uint8_t pkt[MAX_DATAGRAM + 64];
    int n = quire_wire_packet(pkt, sizeof pkt, &h, payload, w.len, &c->tx[epoch]);
    if (n < 0) return n;
    c->next_pn[sp]++;
    if (epoch == QUIRE_EPOCH_HANDSHAKE && !c->initial_discarded) {
        /* RFC 9001 Section 4.9.1: a client discards Initial keys when it first sends a
         * Handshake packet. */
        c->initial_discarded = 1;
        c->have_tx[QUIRE_EPOCH_INITIAL] = 0;
    }
    return quire_pconn_send_raw(c, pkt, (size_t)n);
}

int quire_pconn_send(quire_pconn *c, quire_epoch epoch, const uint8_t *frames, size_t len,
                     int with_ack, uint8_t reserved)
{
    return send_packet(c, epoch, frames, len, with_ack, reserved);
}

/* Sends the unsent CRYPTO data of every epoch, with the pending ACKs, then ACK-only packets
 * for spaces that still owe one. from_zero resends all CRYPTO data (a probe timeout). */
static int flush(quire_pconn *c, int from_zero)
{
    if (c->obs.closed) return 0; /* draining: RFC 9000 Section 10.2.2 */
    static const quire_epoch order[] = {QUIRE_EPOCH_INITIAL, QUIRE_EPOCH_HANDSHAKE,
                                        QUIRE_EPOCH_1RTT};
    for (size_t i = 0; i < 3; i++) {
        quire_epoch e = order[i];
        if (!c->have_tx[e]) continue;
        if (e == QUIRE_EPOCH_HANDSHAKE && c->opts.hs_inject_len && !c->crypto_sent[e] &&
            c->crypto_out[e].len) {
            int rv = send_packet(c, e, c->opts.hs_inject, c->opts.hs_inject_len, 0,
                                 c->opts.hs_inject_reserved);
            if (rv) return rv;
        }
        if (from_zero) c->crypto_sent[e] = 0;
        quire_buf *out = &c->crypto_out[e];
        for (int guard = 0; c->crypto_sent[e] < out->len && guard < 64; guard++) {
            size_t n = out->len - c->crypto_sent[e];
            if (n > CRYPTO_CHUNK) n = CRYPTO_CHUNK;
            uint8_t fr[CRYPTO_CHUNK + 32 + 64];
            quire_wire w;
            quire_wire_init(&w, fr, sizeof fr);
            quire_wire_crypto(&w, c->crypto_sent[e], out->data + c->crypto_sent[e], n);
            if (e == QUIRE_EPOCH_INITIAL && c->crypto_sent[e] == 0 && c->opts.initial_extra_len <= 64)
                quire_wire_bytes(&w, c->opts.initial_extra, c->opts.initial_extra_len);
            if (w.err) return w.err;
            int rv = send_packet(c, e, fr, w.len, 1, 0);
            if (rv) return rv;
            c->crypto_sent[e] += n;
        }
        quire_pn_space sp = space_of(e);
        if (c->ack_pending[sp] && c->have_tx[e]) {
            int rv = send_packet(c, e, NULL, 0, 1, 0);
            if (rv) return rv;
        }
    }
    if (c->challenge_pending && c->have_tx[QUIRE_EPOCH_1RTT]) {
        /* RFC 9000 Section 8.2.2: echo PATH_CHALLENGE data */
        uint8_t fr[16];
        quire_wire w;
        quire_wire_init(&w, fr, sizeof fr);
        quire_wire_path_response(&w, c->pending_challenge);
        c->challenge_pending = 0;
        return send_packet(c, QUIRE_EPOCH_1RTT, fr, w.len, 1, 0);
    }
    return 0;
}

int quire_pconn_start(quire_pconn *c)
{
    if (quire_qtls_feed(c, QUIRE_EPOCH_INITIAL, NULL, 0)) return QUIRE_ERR_CRYPTO;
    return flush(c, 0);
}

/* Input */

static void on_stream(quire_pconn *c, const quire_frame *f)
{
    if (!c->req_open || f->u.stream.stream_id != c->req_stream) return;
    uint64_t off = f->u.stream.offset, len = f->u.stream.len;
    /* in-order data only (loopback and namespaces rarely reorder; a gap stays a gap) */
    if (off <= c->resp.len && off + len > c->resp.len && c->resp.len < (16u << 20)) {
        size_t skip = (size_t)(c->resp.len - off);
        quire_buf_append(&c->resp, f->u.stream.data + skip, (size_t)len - skip);
    }
    if (f->u.stream.fin && off + len == c->resp.len) c->resp_fin = 1;
}

static void on_crypto(quire_pconn *c, quire_epoch e, const quire_frame *f)
{
    quire_tls_stream *s = &c->crypto_in[e];
    if (quire_tls_stream_add(s, f->u.crypto.offset, f->u.crypto.data, (size_t)f->u.crypto.len,
                             &c->tls_info))
        return;
    if (s->contig > c->crypto_fed[e]) {
        size_t from = c->crypto_fed[e];
        c->crypto_fed[e] = s->contig;
        quire_qtls_feed(c, e, s->buf + from, s->contig - from);
    }
}

static void on_frames(quire_pconn *c, const quire_packet *p, uint64_t frame)
{
    quire_cursor cur;
    quire_cursor_init(&cur, p->payload, p->payload_len);
    int eliciting = 0;
    for (int guard = 0; quire_cursor_left(&cur) && guard < 4096; guard++) {
        quire_frame f;
        if (quire_frame_decode(&cur, &f)) {
            quire_pobs_frame(&c->obs, p->type, p->pn, frame, NULL);
            break;
        }
        quire_pobs_frame(&c->obs, p->type, p->pn, frame, &f);
        if (f.kind != QUIRE_FRAME_ACK && f.kind != QUIRE_FRAME_PADDING &&
            f.kind != QUIRE_FRAME_CONNECTION_CLOSE)
            eliciting = 1;
        switch (f.kind) {
        case QUIRE_FRAME_CRYPTO:
            if (p->epoch != QUIRE_EPOCH_0RTT) on_crypto(c, p->epoch, &f);
            break;
        case QUIRE_FRAME_STREAM: on_stream(c, &f); break;
        case QUIRE_FRAME_HANDSHAKE_DONE:
            c->confirmed = 1;
            /* RFC 9001 Section 4.9.2: handshake keys go once the handshake is confirmed */
            c->handshake_discarded = 1;
            c->have_tx[QUIRE_EPOCH_HANDSHAKE] = 0;
            break;
        case QUIRE_FRAME_PATH_CHALLENGE:
            memcpy(c->pending_challenge, f.u.path.data, 8);
            c->challenge_pending = 1;
            break;
        default: break;
        }
    }
    if (eliciting) c->ack_pending[p->space] = 1;
}

static void on_version_negotiation(quire_pconn *c, const quire_packet *p, uint64_t frame)
{
    if (c->obs.vn) return;
    c->obs.vn = 1;
    c->obs.vn_frame = frame;
    c->obs.vn_cids_echoed = p->dcid_len == sizeof c->scid &&
                            !memcmp(p->dcid, c->scid, sizeof c->scid) &&
                            p->scid_len == c->dcid_len && !memcmp(p->scid, c->dcid, c->dcid_len);
    for (size_t i = 0; i < p->version_count && c->obs.vn_count < QUIRE_POBS_MAX_VERSIONS; i++) {
        const uint8_t *v = p->versions + 4 * i;
        c->obs.vn_versions[c->obs.vn_count++] =
            ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
    }
}

/* RFC 9000 Section 17.2.5: a Retry gives a new DCID and a token; the Initial is sent again
 * with keys from the new DCID. At most one Retry is followed. */
static void on_retry(quire_pconn *c, const quire_packet *p)
{
    if (c->retried || c->got_server_packet || p->retry_tag != 1 || p->token_len == 0 ||
        p->token_len > sizeof c->token || p->scid_len > QUIRE_MAX_CID_LEN)
        return;
    c->retried = 1;
    memcpy(c->token, p->token, p->token_len);
    c->token_len = p->token_len;
    memcpy(c->dcid, p->scid, p->scid_len);
    c->dcid_len = p->scid_len;
    quire_keys_free(&c->tx[QUIRE_EPOCH_INITIAL]);
    quire_keys_free(&c->rx[QUIRE_EPOCH_INITIAL]);
    if (quire_keys_init_initial(&c->tx[QUIRE_EPOCH_INITIAL], &c->rx[QUIRE_EPOCH_INITIAL],
                                c->version, c->dcid, c->dcid_len))
        return;
    c->crypto_sent[QUIRE_EPOCH_INITIAL] = 0; /* flush() sends the ClientHello again */
}

static void on_datagram(quire_pconn *c, const uint8_t *data, size_t len)
{
    uint64_t frame = 0;
    if (c->opts.pcap) {
        quire_capture_udp(c->opts.pcap, (const struct sockaddr *)&c->peer,
                          (const struct sockaddr *)&c->local, data, len);
        frame = c->opts.pcap->packets;
    }
    c->obs.datagrams++;
    c->obs.bytes += len;
    for (int guard = 0; len && guard < 16; guard++) {
        quire_packet_ctx ctx;
        quire_packet_ctx_init(&ctx, sizeof c->scid);
        for (int e = 0; e < QUIRE_EPOCH_COUNT; e++)
            if (c->have_rx[e]) ctx.keys[e] = &c->rx[e];
        memcpy(ctx.largest_pn, c->largest_rx, sizeof ctx.largest_pn);
        ctx.app_next = c->have_rx_next ? &c->rx_next : NULL;
        ctx.app_key_phase = c->rx_phase;
        ctx.odcid = c->odcid;
        ctx.odcid_len = c->odcid_len;
        quire_packet p;
        int n = quire_packet_decode(&p, data, len, &ctx, c->plain, sizeof c->plain);
        if (n <= 0) break;
        if (p.type == QUIRE_PACKET_VERSION_NEGOTIATION) {
            on_version_negotiation(c, &p, frame);
        } else if (p.type == QUIRE_PACKET_RETRY) {
            on_retry(c, &p);
        } else if (p.status == 0) {
            if (!c->got_server_packet && p.type != QUIRE_PACKET_1RTT && p.scid_len &&
                p.scid_len <= QUIRE_MAX_CID_LEN) {
                /* RFC 9000 Section 7.2: the server's SCID becomes our DCID */
                memcpy(c->dcid, p.scid, p.scid_len);
                c->dcid_len = p.scid_len;
                c->got_server_packet = 1;
            }
            if (p.type == QUIRE_PACKET_1RTT && p.key_slot == QUIRE_KEY_NEXT) rotate_rx(c);
            if ((int64_t)p.pn > c->largest_rx[p.space]) c->largest_rx[p.space] = (int64_t)p.pn;
            note_pn(c, p.space, p.pn);
            on_frames(c, &p, frame);
        } else {
            c->obs.undecryptable++;
        }
        data += n;
        len -= (size_t)n;
    }
}

void quire_pconn_input(quire_pconn *c, const uint8_t *data, size_t len)
{
    on_datagram(c, data, len);
}

/* Waits up to ms for one datagram and handles it. 1 handled, 0 timeout, QUIRE_ERR_IO. */
static int recv_one(quire_pconn *c, uint64_t ms)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int r = poll(&pfd, 1, ms > 60000 ? 60000 : (int)ms);
    if (r < 0) return errno == EINTR ? 0 : QUIRE_ERR_IO;
    if (r == 0) return 0;
    ssize_t n = recv(c->fd, c->rxbuf, sizeof c->rxbuf, 0);
    if (n < 0) return (errno == ECONNREFUSED || errno == EAGAIN || errno == EINTR) ? 0 : QUIRE_ERR_IO;
    on_datagram(c, c->rxbuf, (size_t)n);
    return 1;
}

int quire_pconn_handshake(quire_pconn *c, uint64_t timeout_ms)
{
    uint64_t start = quire_pconn_now_ms(), deadline = start + timeout_ms;
    uint64_t pto = 300, last = start;
    int ptos = 0;
    for (int guard = 0; guard < 100000; guard++) {
        if (c->obs.closed) return QUIRE_ERR_MALFORMED;
        if (c->tls_error) {
            /* RFC 9001 Section 4.8: a TLS alert becomes CONNECTION_CLOSE 0x100 + alert */
            uint8_t fr[64];
            quire_wire w;
            quire_wire_init(&w, fr, sizeof fr);
            quire_wire_connection_close(&w, 0, c->tls_error > 0 ? (uint64_t)c->tls_error : 0x150,
                                        0x06, NULL);
            quire_epoch e = c->have_tx[QUIRE_EPOCH_HANDSHAKE] ? QUIRE_EPOCH_HANDSHAKE
                                                              : QUIRE_EPOCH_INITIAL;
            send_packet(c, e, fr, w.len, 0, 0);
            return QUIRE_ERR_CRYPTO;
        }
        if (c->confirmed) return flush(c, 0);
        uint64_t now = quire_pconn_now_ms();
        if (now >= deadline) return QUIRE_ERR_TIMEOUT;
        uint64_t wait = last + pto > now ? last + pto - now : 0;
        if (wait > deadline - now) wait = deadline - now;
        int r = recv_one(c, wait);
        if (r < 0) return r;
        if (r == 1) {
            last = quire_pconn_now_ms();
            int rv = flush(c, 0);
            if (rv) return rv;
        } else if (quire_pconn_now_ms() >= last + pto) {
            if (++ptos > MAX_PTO) return QUIRE_ERR_TIMEOUT;
            int rv = flush(c, 1); /* RFC 9002 Section 6.2: resend the flight */
            if (rv) return rv;
            last = quire_pconn_now_ms();
            pto *= 2;
        }
    }
    return QUIRE_ERR_TIMEOUT;
}

int quire_pconn_wait(quire_pconn *c, uint64_t timeout_ms, int (*stop)(const quire_pconn *c))
{
    uint64_t deadline = quire_pconn_now_ms() + timeout_ms;
    for (int guard = 0; guard < 100000; guard++) {
        if (stop && stop(c)) return 1;
        uint64_t now = quire_pconn_now_ms();
        if (now >= deadline) return 0;
        int r = recv_one(c, deadline - now);
        if (r < 0) return r;
        if (r == 1) {
            int rv = flush(c, 0);
            if (rv && rv != QUIRE_ERR_NOKEY) return rv;
        }
    }
    return 0;
}

int quire_pconn_listen(quire_pconn *c, uint64_t timeout_ms, uint64_t idle_ms)
{
    uint64_t deadline = quire_pconn_now_ms() + timeout_ms;
    for (int guard = 0; guard < 100000; guard++) {
        uint64_t now = quire_pconn_now_ms();
        if (now >= deadline) return 0;
        uint64_t wait = deadline - now < idle_ms ? deadline - now : idle_ms;
        int r = recv_one(c, wait);
        if (r < 0) return r;
        if (r == 0) return 0; /* idle */
    }
    return 0;
}

static int response_done(const quire_pconn *c)
{
    return c->resp_fin || c->obs.closed;
}

int quire_pconn_get(quire_pconn *c, const char *path, uint64_t timeout_ms)
{
    char req[512];
    int n = snprintf(req, sizeof req, "GET /%s\r\n", path[0] == '/' ? path + 1 : path);
    if (n < 0 || (size_t)n >= sizeof req) return QUIRE_ERR_INVALID;
    c->req_stream = c->next_bidi;
    c->next_bidi += 4;
    c->req_open = 1;
    quire_buf_reset(&c->resp);
    c->resp_fin = 0;
    uint8_t fr[600];
    quire_wire w;
    quire_wire_init(&w, fr, sizeof fr);
    quire_wire_stream(&w, c->req_stream, 0, (const uint8_t *)req, (size_t)n, 1);
    int rv = send_packet(c, QUIRE_EPOCH_1RTT, fr, w.len, 1, 0);
    if (rv) return rv;
    rv = quire_pconn_wait(c, timeout_ms, response_done);
    if (rv < 0) return rv;
    if (c->resp_fin) return 0;
    return c->obs.closed ? QUIRE_ERR_MALFORMED : QUIRE_ERR_TIMEOUT;
}
