/* Spec rules on stream and CRYPTO data (see spec.h): data sent again is the same (RFC 9000
 * 2.2, 19.6), final sizes (4.5), stream directions (2.1), and flow control against the peer's
 * transport parameters and MAX_DATA / MAX_STREAM_DATA / MAX_STREAMS frames (4.1, 4.6).
 * Frames in 0-RTT packets are not judged here: whether the server accepted them is known only
 * later, and rejected 0-RTT data may be sent again differently. Flow-control limits are judged
 * only while the receiver's transport parameters are known and every application packet of
 * the receiver decrypted (a MAX_DATA in a packet quire could not read would be missed). A
 * limit frame always passes the capture point before the data it allows, on either side of
 * the network, so the capture order is enough. */
#include <stdlib.h>
#include <string.h>

#include "spec/spec_rules.h"
#include "util/err.h"

void spec_data_free(spec_data *d)
{
    free(d->buf);
    free(d->have);
    memset(d, 0, sizeof *d);
}

int64_t spec_data_add(spec_data *d, uint64_t offset, const uint8_t *data, uint64_t len)
{
    if (d->overflow || !len) return 0;
    uint64_t end = offset + len;
    if (end > QUIRE_SPEC_MAX_DATA || end < offset) {
        d->overflow = 1;
        return 0;
    }
    if (end > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < end)
            cap *= 2;
        uint8_t *b = realloc(d->buf, cap), *h;
        if (!b) return QUIRE_ERR_NOMEM;
        d->buf = b;
        h = realloc(d->have, cap / 8);
        if (!h) return QUIRE_ERR_NOMEM;
        memset(h + d->cap / 8, 0, (cap - d->cap) / 8);
        d->have = h;
        d->cap = cap;
    }
    /* fast paths: all new (the first transmission) or all seen (a retransmission) */
    int any = 0, all = 1;
    if (offset >= d->end) all = 0; /* beyond all seen: nothing to scan */
    for (uint64_t o = offset; o < end && offset < d->end && (all || !any);) {
        if (!(o & 7) && o + 8 <= end) {
            any |= d->have[o >> 3] != 0;
            all &= d->have[o >> 3] == 0xff;
            o += 8;
        } else {
            int bit = (d->have[o >> 3] >> (o & 7)) & 1;
            any |= bit;
            all &= bit;
            o++;
        }
    }
    if (!any) {
        memcpy(d->buf + offset, data, len);
        uint64_t o = offset;
        for (; o < end && (o & 7); o++)
            d->have[o >> 3] |= (uint8_t)(1u << (o & 7));
        if (o + 8 <= end) {
            memset(d->have + (o >> 3), 0xff, (end - o) >> 3);
            o += (end - o) & ~(uint64_t)7;
        }
        for (; o < end; o++)
            d->have[o >> 3] |= (uint8_t)(1u << (o & 7));
        if (end > d->end) d->end = end;
        return 0;
    }
    if (all && !memcmp(d->buf + offset, data, len)) return 0;
    int64_t diff = 0;
    if (end > d->end) d->end = end;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t o = offset + i;
        uint8_t bit = (uint8_t)(1u << (o & 7));
        if (d->have[o >> 3] & bit) {
            if (!diff && d->buf[o] != data[i]) diff = (int64_t)o + 1;
        } else {
            d->have[o >> 3] |= bit;
            d->buf[o] = data[i];
        }
    }
    return diff;
}

void spec_flow_free(spec_conn *c)
{
    for (size_t i = 0; i < c->nstreams; i++)
        spec_data_free(&c->streams[i].data);
    free(c->streams);
    for (int e = 0; e < 3; e++)
        for (int d = 0; d < 2; d++)
            spec_data_free(&c->crypto[e][d]);
}

static spec_stream *stream_get(quire_spec *s, spec_conn *c, uint64_t id, int sender)
{
    for (size_t i = c->nstreams; i-- > 0;)
        if (c->streams[i].id == id && c->streams[i].sender == sender) return &c->streams[i];
    if (c->nstreams == c->cap_streams) {
        size_t cap = c->cap_streams ? c->cap_streams * 2 : 16;
        spec_stream *n = realloc(c->streams, cap * sizeof *n);
        if (!n) {
            s->nomem = 1;
            return NULL;
        }
        c->streams = n;
        c->cap_streams = cap;
    }
    spec_stream *x = &c->streams[c->nstreams++];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->sender = sender;
    return x;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The receiver's limits for the data sender d sends on x (RFC 9000 4.1, 4.6, 18.2). */
static void flow_check(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                       spec_stream *x)
{
    const quire_tp_set *tp = d == 0 ? &p->conn->tls.server_tp : &p->conn->tls.client_tp;
    if (!tp->present || c->app_undecryptable[1 - d]) return;
    spec_checked(s, R_MAX_STREAM_DATA);
    spec_checked(s, R_MAX_DATA);
    int uni = (x->id & 2) != 0, own = (int)(x->id & 1) == d;
    uint64_t init = uni   ? tp->val[QUIRE_TP_INITIAL_MAX_STREAM_DATA_UNI]
                    : own ? tp->val[QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE]
                          : tp->val[QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL];
    uint64_t lim = max64(init, x->msd);
    if (x->hi > lim && !x->reported) {
        x->reported = 1;
        spec_report(s, c, R_MAX_STREAM_DATA, d, p->frame,
                    "stream %llu data up to %llu, the peer allowed %llu", (unsigned long long)x->id,
                    (unsigned long long)x->hi, (unsigned long long)lim);
    }
    lim = max64(tp->val[QUIRE_TP_INITIAL_MAX_DATA], c->max_data[d]);
    if (c->sent_sum[d] > lim && !c->max_data_reported[d]) {
        c->max_data_reported[d] = 1;
        spec_report(s, c, R_MAX_DATA, d, p->frame,
                    "%llu bytes of stream data in total, the peer allowed %llu",
                    (unsigned long long)c->sent_sum[d], (unsigned long long)lim);
    }
    if (!own) return;
    spec_checked(s, R_MAX_STREAMS);
    lim = max64(tp->val[uni ? QUIRE_TP_INITIAL_MAX_STREAMS_UNI : QUIRE_TP_INITIAL_MAX_STREAMS_BIDI],
                c->max_streams[d][uni]);
    if ((x->id >> 2) >= lim && !c->max_streams_reported[d][uni]) {
        c->max_streams_reported[d][uni] = 1;
        spec_report(s, c, R_MAX_STREAMS, d, p->frame,
                    "opened %s stream %llu (number %llu), the peer allowed %llu",
                    uni ? "unidirectional" : "bidirectional", (unsigned long long)x->id,
                    (unsigned long long)(x->id >> 2) + 1, (unsigned long long)lim);
    }
}

/* A STREAM or RESET_STREAM from d on the peer's unidirectional stream. */
static int wrong_sender(uint64_t id, int d)
{
    return (id & 2) && (int)(id & 1) != d;
}

static void grow(spec_conn *c, spec_stream *x, int d, uint64_t end)
{
    if (end <= x->hi) return;
    c->sent_sum[d] += end - x->hi;
    x->hi = end;
}

static void on_stream(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                      const quire_frame *f)
{
    uint64_t id = f->u.stream.stream_id, end = f->u.stream.offset + f->u.stream.len;
    spec_checked(s, R_STREAM_DIRECTION);
    spec_checked(s, R_STREAM_SAME);
    if (wrong_sender(id, d))
        spec_report(s, c, R_STREAM_DIRECTION, d, p->frame,
                    "STREAM on stream %llu, a unidirectional stream of the %s",
                    (unsigned long long)id, d ? "client" : "server");
    spec_stream *x = stream_get(s, c, id, d);
    if (!x) return;
    if (x->final_known || f->u.stream.fin) spec_checked(s, R_FINAL_SIZE);
    if (x->final_known && end > x->final_size)
        spec_report(s, c, R_FINAL_SIZE, d, p->frame,
                    "stream %llu data up to %llu beyond its final size %llu",
                    (unsigned long long)id, (unsigned long long)end,
                    (unsigned long long)x->final_size);
    else if (x->final_known && f->u.stream.fin && end != x->final_size)
        spec_report(s, c, R_FINAL_SIZE, d, p->frame,
                    "stream %llu FIN at %llu after final size %llu", (unsigned long long)id,
                    (unsigned long long)end, (unsigned long long)x->final_size);
    else if (f->u.stream.fin && !x->final_known) {
        if (end < x->hi)
            spec_report(s, c, R_FINAL_SIZE, d, p->frame,
                        "stream %llu FIN at %llu after data up to %llu", (unsigned long long)id,
                        (unsigned long long)end, (unsigned long long)x->hi);
        x->final_known = 1;
        x->final_size = end;
    }
    int64_t diff = spec_data_add(&x->data, f->u.stream.offset, f->u.stream.data, f->u.stream.len);
    if (diff == QUIRE_ERR_NOMEM)
        s->nomem = x->data.overflow = 1;
    else if (diff > 0)
        spec_report(s, c, R_STREAM_SAME, d, p->frame,
                    "stream %llu byte %lld differs from the data sent before at that offset",
                    (unsigned long long)id, (long long)(diff - 1));
    grow(c, x, d, end);
    flow_check(s, c, p, d, x);
}

static void on_reset(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                     const quire_frame *f)
{
    uint64_t id = f->u.reset_stream.stream_id, fs = f->u.reset_stream.final_size;
    spec_checked(s, R_STREAM_DIRECTION);
    spec_checked(s, R_FINAL_SIZE);
    if (wrong_sender(id, d))
        spec_report(s, c, R_STREAM_DIRECTION, d, p->frame,
                    "RESET_STREAM on stream %llu, a unidirectional stream of the %s",
                    (unsigned long long)id, d ? "client" : "server");
    spec_stream *x = stream_get(s, c, id, d);
    if (!x) return;
    if ((x->final_known && fs != x->final_size) || fs < x->hi)
        spec_report(s, c, R_FINAL_SIZE, d, p->frame,
                    "RESET_STREAM of stream %llu with final size %llu after %s %llu",
                    (unsigned long long)id, (unsigned long long)fs,
                    x->final_known ? "final size" : "data up to",
                    (unsigned long long)(x->final_known ? x->final_size : x->hi));
    if (!x->final_known) {
        x->final_known = 1;
        x->final_size = fs;
    }
    grow(c, x, d, fs);
    flow_check(s, c, p, d, x);
}

/* Frames of the receiver d about the peer's sending: limits, and the direction rules. */
static void on_limit(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                     const quire_frame *f)
{
    switch (f->kind) {
    case QUIRE_FRAME_MAX_DATA:
        c->max_data[1 - d] = max64(c->max_data[1 - d], f->u.max_data.max);
        break;
    case QUIRE_FRAME_MAX_STREAMS: {
        int uni = !f->u.max_streams.bidi;
        c->max_streams[1 - d][uni] = max64(c->max_streams[1 - d][uni], f->u.max_streams.max);
        spec_checked(s, R_MAX_STREAMS_BOUND);
        if (f->u.max_streams.max > (1ull << 60))
            spec_report(s, c, R_MAX_STREAMS_BOUND, d, p->frame, "MAX_STREAMS %llu",
                        (unsigned long long)f->u.max_streams.max);
        break;
    }
    case QUIRE_FRAME_MAX_STREAM_DATA: {
        uint64_t id = f->u.max_stream_data.stream_id;
        spec_checked(s, R_STREAM_DIRECTION);
        if ((id & 2) && (int)(id & 1) == d) {
            spec_report(s, c, R_STREAM_DIRECTION, d, p->frame,
                        "MAX_STREAM_DATA for stream %llu, its own unidirectional stream",
                        (unsigned long long)id);
            break;
        }
        spec_stream *x = stream_get(s, c, id, 1 - d);
        if (x) x->msd = max64(x->msd, f->u.max_stream_data.max);
        break;
    }
    case QUIRE_FRAME_STOP_SENDING: {
        uint64_t id = f->u.stop_sending.stream_id;
        spec_checked(s, R_STREAM_DIRECTION);
        if ((id & 2) && (int)(id & 1) == d)
            spec_report(s, c, R_STREAM_DIRECTION, d, p->frame,
                        "STOP_SENDING for stream %llu, its own unidirectional stream",
                        (unsigned long long)id);
        break;
    }
    default:
        break;
    }
}

static void on_crypto(quire_spec *s, spec_conn *c, const quire_conn_packet *p, int d,
                      const quire_frame *f)
{
    int e = p->pkt->epoch == QUIRE_EPOCH_INITIAL     ? 0
            : p->pkt->epoch == QUIRE_EPOCH_HANDSHAKE ? 1
            : p->pkt->epoch == QUIRE_EPOCH_1RTT      ? 2
                                                     : -1;
    if (e < 0) return; /* CRYPTO in 0-RTT: frame-in-packet-type says so */
    spec_checked(s, R_CRYPTO_SAME);
    int retry = e == 0 && d == 0 && c->retried;
    if (retry) spec_checked(s, R_RETRY_SAME_CH);
    int64_t diff =
        spec_data_add(&c->crypto[e][d], f->u.crypto.offset, f->u.crypto.data, f->u.crypto.len);
    if (diff == QUIRE_ERR_NOMEM)
        s->nomem = c->crypto[e][d].overflow = 1;
    else if (diff > 0 && retry)
        spec_report(s, c, R_RETRY_SAME_CH, 0, p->frame,
                    "Initial CRYPTO byte %lld after the Retry differs from the ClientHello sent "
                    "before it",
                    (long long)(diff - 1));
    else if (diff > 0)
        spec_report(s, c, R_CRYPTO_SAME, d, p->frame,
                    "%s CRYPTO byte %lld differs from the data sent before at that offset",
                    quire_packet_type_name(p->pkt->type), (long long)(diff - 1));
}

void spec_flow_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p)
{
    const quire_packet *k = p->pkt;
    if (!k) return;
    int d = p->from_client ? 0 : 1;
    if (k->type == QUIRE_PACKET_VERSION_NEGOTIATION) {
        /* the client starts a new attempt (a new ClientHello at offset 0); after a Retry it
         * must not (retry-same-client-hello) */
        spec_data_free(&c->crypto[0][0]);
        spec_data_free(&c->crypto[0][1]);
        return;
    }
    if (!k->payload || (k->status != 0 && k->status != QUIRE_ERR_MALFORMED)) return;
    int zrtt = k->type == QUIRE_PACKET_0RTT;
    for (size_t i = 0; i < p->nframes; i++) {
        const quire_frame *f = &p->frames[i];
        switch (f->kind) {
        case QUIRE_FRAME_CRYPTO:
            on_crypto(s, c, p, d, f);
            break;
        case QUIRE_FRAME_STREAM:
            if (!zrtt) on_stream(s, c, p, d, f);
            break;
        case QUIRE_FRAME_RESET_STREAM:
            if (!zrtt) on_reset(s, c, p, d, f);
            break;
        default:
            on_limit(s, c, p, d, f);
            break;
        }
    }
}
