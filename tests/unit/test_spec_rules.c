/* Unit tests for spec/ (the RFC rule engine): for every rule of the table a hand-built
 * connection that breaks it (and breaks nothing else) and one that keeps it (no violation at
 * all), driven through quire_spec_step() with packets built in memory; the table itself
 * (unique kebab-case names, every rule tested, the ignore list); and every committed capture
 * under tests/data/captures/ checked against its documented result (docs/spec.md). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "checks/check.h"
#include "report/markdown.h"
#include "report/result.h"
#include "spec/spec.h"
#include "tmpdir.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- a connection built in memory ---- */

typedef struct fx {
    quire_spec s;
    quire_conn *conn;
    quire_udp udp;
    uint8_t dgram[1500];
    quire_packet pkt;
    quire_frame frames[8];
    quire_conn_packet cp;
    uint64_t frame;
    uint32_t salt;
    uint8_t scid[2][8]; /* [0] client, [1] server */
    uint8_t payload[1];
} fx;

static const uint8_t odcid[8] = {0xd0, 1, 2, 3, 4, 5, 6, 7};
static const uint8_t abcd[] = "abcdefghijklmnopqrstuvwxyz";
static const uint8_t abXd[] = "abXdefghijklmnopqrstuvwxyz";
static uint8_t zeros[2000];

static fx *fx_new(void)
{
    fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->conn = calloc(1, sizeof *x->conn);
    assert_non_null(x->conn);
    quire_spec_init(&x->s, "test");
    x->conn->odcid.len = 8;
    memcpy(x->conn->odcid.id, odcid, 8);
    for (int i = 0; i < 8; i++) {
        x->scid[0][i] = (uint8_t)(0xc0 + i);
        x->scid[1][i] = (uint8_t)(0x50 + i);
    }
    return x;
}

static void fx_del(fx *x)
{
    quire_spec_free(&x->s);
    free(x->conn);
    free(x);
}

/* Prepares a packet of type t with number pn from the client (1) or the server (0) in a
 * datagram of len bytes, decrypted, no frames yet. */
static quire_packet *mk(fx *x, int client, quire_packet_type t, uint64_t pn, size_t len)
{
    memset(&x->pkt, 0, sizeof x->pkt);
    memset(x->frames, 0, sizeof x->frames);
    quire_packet *k = &x->pkt;
    k->type = t;
    k->epoch = t == QUIRE_PACKET_INITIAL     ? QUIRE_EPOCH_INITIAL
               : t == QUIRE_PACKET_0RTT      ? QUIRE_EPOCH_0RTT
               : t == QUIRE_PACKET_HANDSHAKE ? QUIRE_EPOCH_HANDSHAKE
                                             : QUIRE_EPOCH_1RTT;
    k->space = t == QUIRE_PACKET_INITIAL     ? QUIRE_PN_SPACE_INITIAL
               : t == QUIRE_PACKET_HANDSHAKE ? QUIRE_PN_SPACE_HANDSHAKE
                                             : QUIRE_PN_SPACE_APPLICATION;
    k->version = t == QUIRE_PACKET_1RTT ? 0 : 1;
    k->first_byte = 0xc0;
    k->fixed_bit = 1;
    k->dcid = client ? (x->conn->odcid.id) : x->scid[0];
    k->dcid_len = 8;
    k->scid = x->scid[client ? 0 : 1];
    k->scid_len = t == QUIRE_PACKET_1RTT ? 0 : 8;
    k->size = 64;
    k->pn_known = 1;
    k->pn = pn;
    k->payload = x->payload;
    k->payload_len = 1;
    k->status = 0;
    memset(x->dgram, 0, sizeof x->dgram);
    x->salt++;
    memcpy(x->dgram, &x->salt, sizeof x->salt);
    x->dgram[4] = (uint8_t)t;
    memcpy(x->dgram + 8, &pn, sizeof pn);
    memcpy(x->dgram + 48, &x->salt, sizeof x->salt); /* the "AEAD tag": differs per packet */
    x->udp.payload = x->dgram;
    x->udp.len = len;
    memset(&x->cp, 0, sizeof x->cp);
    x->cp.udp = &x->udp;
    x->cp.conn = x->conn;
    x->cp.from_client = client;
    x->cp.pkt = k;
    x->cp.frames = x->frames;
    return k;
}

static quire_frame *addf(fx *x, quire_frame_kind kind)
{
    assert_true(x->cp.nframes < 8);
    quire_frame *f = &x->frames[x->cp.nframes++];
    f->kind = kind;
    x->cp.frames_total = x->cp.nframes;
    return f;
}

/* Hands the prepared packet to the rules, as the next capture frame. */
static void go(fx *x)
{
    x->cp.frame = ++x->frame;
    quire_spec_step(&x->s, &x->cp);
}

/* The same datagram again (a network duplicate). */
static void dup_last(fx *x)
{
    go(x);
}

static void ack(fx *x, uint64_t largest, uint64_t first_range)
{
    quire_frame *f = addf(x, QUIRE_FRAME_ACK);
    f->u.ack.largest = largest;
    f->u.ack.first_range = first_range;
}

static void stream(fx *x, uint64_t id, uint64_t off, uint64_t len, int fin, const uint8_t *data)
{
    quire_frame *f = addf(x, QUIRE_FRAME_STREAM);
    f->u.stream.stream_id = id;
    f->u.stream.offset = off;
    f->u.stream.len = len;
    f->u.stream.fin = fin;
    f->u.stream.data = data;
}

static void crypto(fx *x, uint64_t off, uint64_t len, const uint8_t *data)
{
    quire_frame *f = addf(x, QUIRE_FRAME_CRYPTO);
    f->u.crypto.offset = off;
    f->u.crypto.len = len;
    f->u.crypto.data = data;
}

/* A handshake: client Initial, server Initial + Handshake, client Handshake (the address is
 * validated), each acknowledging the other. */
static void handshake(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    crypto(x, 0, 20, abcd);
    addf(x, QUIRE_FRAME_PADDING);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200);
    ack(x, 0, 0);
    crypto(x, 0, 20, abcd);
    go(x);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 0, 1200);
    crypto(x, 0, 20, abcd);
    go(x);
    mk(x, 1, QUIRE_PACKET_HANDSHAKE, 0, 100);
    ack(x, 0, 0);
    x->conn->tls.client_finished = 1; /* the decoder read the client's Finished in it */
    go(x);
}

/* The server's HANDSHAKE_DONE in its 1-RTT packet pn. */
static void handshake_done(fx *x, uint64_t pn)
{
    mk(x, 0, QUIRE_PACKET_1RTT, pn, 100);
    addf(x, QUIRE_FRAME_HANDSHAKE_DONE);
    go(x);
}

/* Valid transport parameters for both sides (set before the packets, as the decoder has them
 * once the ClientHello and EncryptedExtensions are read). */
static void tp_ok(fx *x)
{
    quire_tp_set *c = &x->conn->tls.client_tp, *s = &x->conn->tls.server_tp;
    c->present = s->present = 1;
    c->mask = 1u << QUIRE_TP_INITIAL_SCID;
    c->iscid.len = 8;
    memcpy(c->iscid.id, x->scid[0], 8);
    s->mask = 1u << QUIRE_TP_INITIAL_SCID | 1u << QUIRE_TP_ORIGINAL_DCID;
    s->iscid.len = 8;
    memcpy(s->iscid.id, x->scid[1], 8);
    s->odcid = x->conn->odcid;
}

static void tp_set(quire_tp_set *tp, quire_tp_id id, uint64_t v)
{
    tp->mask |= 1u << id;
    tp->val[id] = v;
}

/* Flow-control limits of the server for the client's data. */
static void server_limits(fx *x, uint64_t max_data, uint64_t stream_data, uint64_t streams)
{
    tp_ok(x);
    quire_tp_set *s = &x->conn->tls.server_tp;
    tp_set(s, QUIRE_TP_INITIAL_MAX_DATA, max_data);
    tp_set(s, QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE, stream_data);
    tp_set(s, QUIRE_TP_INITIAL_MAX_STREAMS_BIDI, streams);
}

static void finish(fx *x)
{
    quire_spec_finish_conn(&x->s, x->conn);
}

/* ---- the cases: bad breaks the rule, good keeps every rule ---- */

static void client_1200_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1000);
    go(x);
}
static void client_1200_good(fx *x)
{
    handshake(x);
}

static void server_1200_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 500);
    ack(x, 0, 0);
    crypto(x, 0, 20, abcd);
    go(x);
}
static void server_1200_good(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 500); /* only an ACK: not ack-eliciting */
    ack(x, 0, 0);
    go(x);
}

static void amp_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    for (uint64_t i = 0; i < 4; i++) {
        mk(x, 0, QUIRE_PACKET_INITIAL, i, 1200);
        addf(x, QUIRE_FRAME_PING);
        go(x);
    }
}
static void amp_good(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    for (uint64_t i = 0; i < 3; i++) {
        mk(x, 0, QUIRE_PACKET_INITIAL, i, 1200);
        addf(x, QUIRE_FRAME_PING);
        go(x);
    }
    dup_last(x); /* duplicated by the network: sent once */
    mk(x, 1, QUIRE_PACKET_HANDSHAKE, 0, 100); /* validates the address */
    addf(x, QUIRE_FRAME_PING);
    go(x);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 1200);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void dcid_bad(fx *x)
{
    quire_packet *k = mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    k->dcid_len = 4;
    go(x);
}
static void dcid_good(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
}

static void token_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200);
    k->token = abcd;
    k->token_len = 5;
    ack(x, 0, 0);
    go(x);
}
static void token_good(fx *x)
{
    quire_packet *k = mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    k->token = abcd; /* a client's token is fine */
    k->token_len = 5;
    go(x);
}

static void long_reserved_bad(fx *x)
{
    handshake(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 100);
    k->reserved_bits = 0x04;
    k->status = QUIRE_ERR_MALFORMED;
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void long_reserved_good(fx *x)
{
    handshake(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 100);
    k->reserved_bits = 0x04; /* but not decrypted: the bits are not known */
    k->status = QUIRE_ERR_CRYPTO;
    k->payload = NULL;
    go(x);
}

static void short_reserved_bad(fx *x)
{
    handshake(x);
    quire_packet *k = mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    k->reserved_bits = 0x18;
    k->status = QUIRE_ERR_MALFORMED;
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void short_reserved_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void fixed_bad(fx *x)
{
    tp_ok(x);
    handshake(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    k->fixed_bit = 0;
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void fixed_good(fx *x)
{
    tp_ok(x);
    x->conn->tls.client_tp.mask |= 1u << QUIRE_TP_GREASE_QUIC_BIT;
    handshake(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    k->fixed_bit = 0;
    addf(x, QUIRE_FRAME_PING);
    go(x);
    /* a client's Initial may clear it from an earlier connection's parameters */
    k = mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    k->fixed_bit = 0;
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void zrtt_server_bad(fx *x)
{
    handshake(x);
    mk(x, 0, QUIRE_PACKET_0RTT, 0, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void zrtt_server_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_0RTT, 0, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void retry_client_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 1, QUIRE_PACKET_RETRY, 0, 1200);
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
}
static void retry_client_good(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_RETRY, 0, 100);
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
}

static void v2_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    x->pkt.version = 0x6b3343cf;
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_0RTT, 0, 1200);
    k->version = 0x6b3343cf;
    k->payload = NULL;
    k->status = QUIRE_ERR_CRYPTO;
    go(x);
}
static void v2_good(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    x->pkt.version = 0x6b3343cf;
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_HANDSHAKE, 0, 1200);
    k->version = 0x6b3343cf;
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void reuse_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 5, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 5, 100); /* other bytes */
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void reuse_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 5, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    dup_last(x);
}

static void increase_bad(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_BOTH);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 5, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 3, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void increase_good(fx *x)
{
    /* the same order in a capture away from the client: reordered by the network */
    quire_spec_set_near(&x->s, QUIRE_SPEC_SERVER);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 5, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 3, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void client_sends_0_1_3(fx *x)
{
    handshake(x);
    uint64_t pns[] = {0, 1, 3};
    for (int i = 0; i < 3; i++) {
        mk(x, 1, QUIRE_PACKET_1RTT, pns[i], 100);
        addf(x, QUIRE_FRAME_PING);
        go(x);
    }
}
static const uint8_t ranges_0_1[] = {0x00, 0x01}; /* gap 0, length 1: [0, 1] below [3, 3] */
static void ack_bad(fx *x)
{
    client_sends_0_1_3(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    ack(x, 3, 3); /* [0, 3]: 2 was never sent */
    go(x);
}
static void ack_good(fx *x)
{
    client_sends_0_1_3(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    ack(x, 3, 0);
    x->frames[0].u.ack.range_count = 1;
    x->frames[0].u.ack.ranges = ranges_0_1;
    x->frames[0].u.ack.ranges_len = 2;
    go(x);
}

static void empty_bad(fx *x)
{
    handshake(x);
    quire_packet *k = mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    k->payload_len = 0;
    go(x);
}
static void empty_good(fx *x)
{
    handshake(x);
}

static void frame_type_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    stream(x, 0, 0, 4, 0, abcd);
    go(x);
}
static void frame_type_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 4, 0, abcd);
    go(x);
}

static void app_close_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_HANDSHAKE, 1, 100);
    addf(x, QUIRE_FRAME_CONNECTION_CLOSE)->u.connection_close.app = 1;
    go(x);
}
static void app_close_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_CONNECTION_CLOSE)->u.connection_close.app = 1;
    go(x);
    mk(x, 1, QUIRE_PACKET_HANDSHAKE, 1, 100);
    addf(x, QUIRE_FRAME_CONNECTION_CLOSE); /* 0x1c with NO_ERROR */
    go(x);
}

static void hd_client_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_HANDSHAKE_DONE);
    go(x);
}
static void hd_client_good(fx *x)
{
    handshake(x);
    handshake_done(x, 0);
}

static void new_token_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_NEW_TOKEN);
    go(x);
}
static void new_token_good(fx *x)
{
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_NEW_TOKEN);
    go(x);
}

static void hs_after_done_bad(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_SERVER);
    handshake(x);
    handshake_done(x, 0);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void hs_after_done_good(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_CLIENT); /* reordered on the way: not judged */
    handshake(x);
    handshake_done(x, 0);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void hd_early_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200);
    ack(x, 0, 0);
    go(x);
    handshake_done(x, 0);
}
static void hd_early_good(fx *x)
{
    handshake(x);
    handshake_done(x, 0);
}

/* A Retry (SCID "abcdefgh", token "abcde") and the client's Initial to its SCID. */
static quire_packet *after_retry(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_RETRY, 0, 100);
    k->scid = abcd;
    k->token = abcd;
    k->token_len = 5;
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
    k = mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    k->dcid = abcd;
    k->token = abcd;
    k->token_len = 5;
    return k;
}
static void retry_token_bad(fx *x)
{
    after_retry(x)->token = abXd;
    go(x);
}
static void retry_token_good(fx *x)
{
    after_retry(x);
    go(x);
}
static void retry_scid_bad(fx *x)
{
    after_retry(x)->scid = x->scid[1];
    go(x);
}
static void retry_scid_good(fx *x)
{
    after_retry(x);
    go(x);
    /* an Initial still in flight when the Retry was captured: to the first DCID, no token */
    mk(x, 1, QUIRE_PACKET_INITIAL, 2, 1200);
    go(x);
}

static void close_code_bad(fx *x)
{
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_CONNECTION_CLOSE)->u.connection_close.error = 0x20;
    go(x);
}
static void close_code_good(fx *x)
{
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_CONNECTION_CLOSE)->u.connection_close.error = 0x0a;
    addf(x, QUIRE_FRAME_CONNECTION_CLOSE)->u.connection_close.error = 0x178;
    go(x);
}

static void new_cid(fx *x, int client, uint64_t seq, uint64_t rpt)
{
    mk(x, client, QUIRE_PACKET_1RTT, seq, 100);
    quire_frame *f = addf(x, QUIRE_FRAME_NEW_CONNECTION_ID);
    f->u.new_connection_id.seq = seq;
    f->u.new_connection_id.retire_prior_to = rpt;
    f->u.new_connection_id.cid_len = 8;
    go(x);
}
static void retire_bad(fx *x)
{
    handshake(x);
    new_cid(x, 0, 1, 2);
}
static void retire_good(fx *x)
{
    handshake(x);
    new_cid(x, 0, 2, 1);
}

static void zero_len_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200);
    k->scid_len = 0;
    ack(x, 0, 0);
    go(x);
    new_cid(x, 0, 1, 0);
}
static void zero_len_good(fx *x)
{
    handshake(x);
    new_cid(x, 0, 1, 0);
}

/* A NEW_CONNECTION_ID (connection ID: 8 times byte) from the client (1) or the server (0). */
static void issue(fx *x, int client, uint64_t pn, uint64_t seq, uint64_t rpt, uint8_t byte)
{
    mk(x, client, QUIRE_PACKET_1RTT, pn, 100);
    quire_frame *f = addf(x, QUIRE_FRAME_NEW_CONNECTION_ID);
    f->u.new_connection_id.seq = seq;
    f->u.new_connection_id.retire_prior_to = rpt;
    f->u.new_connection_id.cid_len = 8;
    memset(f->u.new_connection_id.cid, byte, 8);
    go(x);
}
static void retire(fx *x, int client, uint64_t pn, uint64_t seq, const uint8_t *dcid)
{
    quire_packet *k = mk(x, client, QUIRE_PACKET_1RTT, pn, 100);
    if (dcid) k->dcid = dcid;
    addf(x, QUIRE_FRAME_RETIRE_CONNECTION_ID)->u.retire_connection_id.seq = seq;
    go(x);
}
static void cid_seq_bad(fx *x)
{
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    issue(x, 0, 1, 1, 0, 0xbb);
}
static void cid_seq_good(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_SERVER);
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    issue(x, 0, 1, 1, 0, 0xaa); /* sent again */
    issue(x, 0, 2, 2, 0, 0xbb);
    finish(x);
}
static void cid_limit_bad(fx *x)
{
    tp_ok(x); /* the client's active_connection_id_limit: 2 (the default) */
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    issue(x, 0, 1, 2, 0, 0xbb);
}
static void cid_limit_good(fx *x)
{
    tp_ok(x);
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    issue(x, 0, 1, 2, 1, 0xbb); /* retires sequence number 0 */
    tp_set(&x->conn->tls.client_tp, QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT, 3);
    issue(x, 0, 2, 3, 1, 0xcc);
    finish(x);
}
static const uint8_t cid_aa[8] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
static void retire_unknown_bad(fx *x)
{
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    retire(x, 1, 0, 5, NULL);
}
static void retire_unknown_good(fx *x)
{
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    retire(x, 1, 0, 1, NULL);
    retire(x, 1, 1, 0, cid_aa);
}
static void retire_in_use_bad(fx *x)
{
    handshake(x);
    issue(x, 0, 0, 1, 0, 0xaa);
    retire(x, 1, 0, 1, cid_aa);
}
static void retire_in_use_good(fx *x)
{
    retire_unknown_good(x);
}

static void challenge(fx *x, int client, quire_frame_kind kind, uint8_t byte, uint64_t pn)
{
    mk(x, client, QUIRE_PACKET_1RTT, pn, 100);
    quire_frame *f = addf(x, kind);
    memset(f->u.path.data, byte, 8);
    go(x);
}
static void path_bad(fx *x)
{
    handshake(x);
    challenge(x, 0, QUIRE_FRAME_PATH_CHALLENGE, 0xaa, 0);
    challenge(x, 1, QUIRE_FRAME_PATH_RESPONSE, 0xbb, 0);
}
static void path_good(fx *x)
{
    handshake(x);
    challenge(x, 0, QUIRE_FRAME_PATH_CHALLENGE, 0xaa, 0);
    challenge(x, 1, QUIRE_FRAME_PATH_RESPONSE, 0xaa, 0);
}

/* A 1-RTT packet of key generation gen (as the decoder counts the sender's updates). */
static quire_packet *app(fx *x, int client, uint64_t pn, int gen)
{
    quire_packet *k = mk(x, client, QUIRE_PACKET_1RTT, pn, 100);
    x->conn->dir[client ? 0 : 1].key_updates = (uint64_t)gen;
    k->key_phase = gen & 1;
    k->key_slot = QUIRE_KEY_CURRENT;
    return k;
}
static void ku_confirmed_bad(fx *x)
{
    handshake(x);
    app(x, 1, 0, 0);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    app(x, 1, 1, 1);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void ku_confirmed_good(fx *x)
{
    handshake(x);
    app(x, 1, 0, 0);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    handshake_done(x, 0);
    app(x, 1, 1, 1);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

/* The client updates its keys (packet 1 is of generation 1) after HANDSHAKE_DONE. */
static void client_updates(fx *x)
{
    handshake(x);
    handshake_done(x, 0);
    app(x, 1, 0, 0);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    app(x, 1, 1, 1);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void ku_ack_bad(fx *x)
{
    client_updates(x);
    app(x, 0, 1, 0); /* still the old keys */
    ack(x, 1, 1);
    go(x);
}
static void ku_ack_good(fx *x)
{
    client_updates(x);
    app(x, 0, 1, 1);
    ack(x, 1, 1);
    go(x);
}

static void ku_subsequent_bad(fx *x)
{
    client_updates(x);
    app(x, 0, 1, 1);
    ack(x, 0, 0); /* acknowledges only the old phase */
    go(x);
    app(x, 1, 2, 2);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void ku_subsequent_good(fx *x)
{
    client_updates(x);
    app(x, 0, 1, 1);
    ack(x, 1, 1);
    go(x);
    app(x, 1, 2, 2);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}

static void tp_case(fx *x, int client, quire_tp_id id, uint64_t v)
{
    tp_ok(x);
    tp_set(client ? &x->conn->tls.client_tp : &x->conn->tls.server_tp, id, v);
    handshake(x);
    finish(x);
}
static void tp_udp_bad(fx *x)
{
    tp_case(x, 1, QUIRE_TP_MAX_UDP_PAYLOAD_SIZE, 1199);
}
static void tp_udp_good(fx *x)
{
    tp_case(x, 1, QUIRE_TP_MAX_UDP_PAYLOAD_SIZE, 1200);
}
static void tp_exp_bad(fx *x)
{
    tp_case(x, 0, QUIRE_TP_ACK_DELAY_EXPONENT, 21);
}
static void tp_exp_good(fx *x)
{
    tp_case(x, 0, QUIRE_TP_ACK_DELAY_EXPONENT, 20);
}
static void tp_delay_bad(fx *x)
{
    tp_case(x, 1, QUIRE_TP_MAX_ACK_DELAY, 16384);
}
static void tp_delay_good(fx *x)
{
    tp_case(x, 1, QUIRE_TP_MAX_ACK_DELAY, 16383);
}
static void tp_cid_bad(fx *x)
{
    tp_case(x, 0, QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT, 1);
}
static void tp_cid_good(fx *x)
{
    tp_case(x, 0, QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT, 2);
}
static void tp_server_only_bad(fx *x)
{
    tp_case(x, 1, QUIRE_TP_STATELESS_RESET_TOKEN, 0);
}
static void tp_server_only_good(fx *x)
{
    tp_case(x, 0, QUIRE_TP_STATELESS_RESET_TOKEN, 0);
}
static void tp_iscid_bad(fx *x)
{
    tp_ok(x);
    x->conn->tls.server_tp.iscid.id[0] ^= 1;
    handshake(x);
    finish(x);
}
static void tp_iscid_good(fx *x)
{
    tp_ok(x);
    handshake(x);
    finish(x);
}
static void tp_odcid_bad(fx *x)
{
    tp_ok(x);
    x->conn->tls.server_tp.odcid.len = 4;
    handshake(x);
    finish(x);
}
static void tp_odcid_good(fx *x)
{
    tp_iscid_good(x);
}

static void retry(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_RETRY, 0, 100);
    k->scid = abcd;
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
    k = mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    k->token = abcd;
    k->token_len = 5;
    go(x);
}
static void tp_rscid_bad(fx *x)
{
    tp_ok(x);
    retry(x);
    finish(x);
}
static void tp_rscid_good(fx *x)
{
    tp_ok(x);
    quire_tp_set *s = &x->conn->tls.server_tp;
    s->mask |= 1u << QUIRE_TP_RETRY_SCID;
    s->rscid.len = 8;
    memcpy(s->rscid.id, abcd, 8);
    retry(x);
    finish(x);
}

static void crypto_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    crypto(x, 0, 20, abXd);
    go(x);
}
static void crypto_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    crypto(x, 10, 16, abcd + 10);
    go(x);
}

static void stream_same_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 10, 0, abcd);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 1, 100);
    stream(x, 0, 0, 10, 0, abXd);
    go(x);
}
static void stream_same_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 10, 0, abcd);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 1, 100);
    stream(x, 0, 5, 10, 0, abcd + 5);
    go(x);
}

static void final_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 10, 1, abcd);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 1, 100);
    stream(x, 0, 8, 5, 0, abcd + 8);
    go(x);
}
static void final_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 10, 1, abcd);
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 1, 100);
    stream(x, 0, 0, 10, 1, abcd);
    quire_frame *f = addf(x, QUIRE_FRAME_RESET_STREAM);
    f->u.reset_stream.final_size = 10;
    go(x);
}

static void direction_bad(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 3, 0, 4, 0, abcd);
    go(x);
}
static void direction_good(fx *x)
{
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 2, 0, 4, 0, abcd);
    addf(x, QUIRE_FRAME_STOP_SENDING)->u.stop_sending.stream_id = 3;
    go(x);
}

static void max_data_bad(fx *x)
{
    server_limits(x, 100, 1000, 10);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 150, 0, zeros);
    go(x);
}
static void max_data_good(fx *x)
{
    server_limits(x, 100, 1000, 10);
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    addf(x, QUIRE_FRAME_MAX_DATA)->u.max_data.max = 200;
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 150, 0, zeros);
    go(x);
}

static void max_stream_data_bad(fx *x)
{
    server_limits(x, 1000, 50, 10);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 100, 0, zeros);
    go(x);
}
static void max_stream_data_good(fx *x)
{
    server_limits(x, 1000, 50, 10);
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    quire_frame *f = addf(x, QUIRE_FRAME_MAX_STREAM_DATA);
    f->u.max_stream_data.stream_id = 0;
    f->u.max_stream_data.max = 100;
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 0, 0, 100, 0, zeros);
    go(x);
}

static void max_streams_bad(fx *x)
{
    server_limits(x, 1000, 1000, 1);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 4, 0, 10, 0, zeros);
    go(x);
}
static void max_streams_good(fx *x)
{
    server_limits(x, 1000, 1000, 1);
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    quire_frame *f = addf(x, QUIRE_FRAME_MAX_STREAMS);
    f->u.max_streams.bidi = 1;
    f->u.max_streams.max = 2;
    go(x);
    mk(x, 1, QUIRE_PACKET_1RTT, 0, 100);
    stream(x, 4, 0, 10, 0, zeros);
    go(x);
}

static void bound_bad(fx *x)
{
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    quire_frame *f = addf(x, QUIRE_FRAME_MAX_STREAMS);
    f->u.max_streams.bidi = 1;
    f->u.max_streams.max = (1ull << 60) + 1;
    go(x);
}
static void bound_good(fx *x)
{
    handshake(x);
    mk(x, 0, QUIRE_PACKET_1RTT, 0, 100);
    quire_frame *f = addf(x, QUIRE_FRAME_MAX_STREAMS);
    f->u.max_streams.max = 1ull << 60;
    go(x);
}

typedef struct rule_case {
    const char *rule;
    void (*bad)(fx *x);
    void (*good)(fx *x);
} rule_case;

static const rule_case cases[] = {
    {"client-initial-1200", client_1200_bad, client_1200_good},
    {"server-initial-1200", server_1200_bad, server_1200_good},
    {"amplification-3x", amp_bad, amp_good},
    {"client-initial-dcid-8", dcid_bad, dcid_good},
    {"server-initial-token-empty", token_bad, token_good},
    {"long-header-reserved-bits", long_reserved_bad, long_reserved_good},
    {"short-header-reserved-bits", short_reserved_bad, short_reserved_good},
    {"fixed-bit", fixed_bad, fixed_good},
    {"no-0rtt-from-server", zrtt_server_bad, zrtt_server_good},
    {"no-retry-from-client", retry_client_bad, retry_client_good},
    {"v2-packet-types", v2_bad, v2_good},
    {"pn-no-reuse", reuse_bad, reuse_good},
    {"pn-increasing", increase_bad, increase_good},
    {"ack-only-sent", ack_bad, ack_good},
    {"packet-has-frames", empty_bad, empty_good},
    {"frame-in-packet-type", frame_type_bad, frame_type_good},
    {"application-close-1rtt", app_close_bad, app_close_good},
    {"handshake-done-from-server", hd_client_bad, hd_client_good},
    {"new-token-from-server", new_token_bad, new_token_good},
    {"no-handshake-after-done", hs_after_done_bad, hs_after_done_good},
    {"handshake-done-after-complete", hd_early_bad, hd_early_good},
    {"retry-token-echo", retry_token_bad, retry_token_good},
    {"retry-scid-unchanged", retry_scid_bad, retry_scid_good},
    {"close-error-code", close_code_bad, close_code_good},
    {"new-cid-retire-prior-to", retire_bad, retire_good},
    {"new-cid-zero-length", zero_len_bad, zero_len_good},
    {"new-cid-sequence", cid_seq_bad, cid_seq_good},
    {"cid-active-limit", cid_limit_bad, cid_limit_good},
    {"retire-cid-issued", retire_unknown_bad, retire_unknown_good},
    {"retire-cid-not-in-use", retire_in_use_bad, retire_in_use_good},
    {"path-response-echo", path_bad, path_good},
    {"key-update-confirmed", ku_confirmed_bad, ku_confirmed_good},
    {"key-update-ack-new-keys", ku_ack_bad, ku_ack_good},
    {"key-update-after-ack", ku_subsequent_bad, ku_subsequent_good},
    {"tp-max-udp-payload-size", tp_udp_bad, tp_udp_good},
    {"tp-ack-delay-exponent", tp_exp_bad, tp_exp_good},
    {"tp-max-ack-delay", tp_delay_bad, tp_delay_good},
    {"tp-active-cid-limit", tp_cid_bad, tp_cid_good},
    {"tp-server-only", tp_server_only_bad, tp_server_only_good},
    {"tp-initial-scid", tp_iscid_bad, tp_iscid_good},
    {"tp-original-dcid", tp_odcid_bad, tp_odcid_good},
    {"tp-retry-scid", tp_rscid_bad, tp_rscid_good},
    {"crypto-data-unchanged", crypto_bad, crypto_good},
    {"stream-data-unchanged", stream_same_bad, stream_same_good},
    {"final-size", final_bad, final_good},
    {"stream-direction", direction_bad, direction_good},
    {"flow-max-data", max_data_bad, max_data_good},
    {"flow-max-stream-data", max_stream_data_bad, max_stream_data_good},
    {"flow-max-streams", max_streams_bad, max_streams_good},
    {"max-streams-2-60", bound_bad, bound_good},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void print_violations(const quire_spec *s)
{
    char line[512];
    for (size_t i = 0; i < s->nv; i++)
        print_message("    %s\n", quire_spec_violation_str(&s->v[i], line, sizeof line));
}

/* Each bad case breaks its rule and no other; each good case breaks nothing. */
static void test_each_rule(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < NCASES; i++) {
        int r = quire_spec_rule_find(cases[i].rule);
        assert_true(r >= 0);
        fx *x = fx_new();
        cases[i].bad(x);
        if (x->s.per_rule[r] == 0 || x->s.count != x->s.per_rule[r]) {
            print_message("%s: bad case gave %llu of it, %llu in all\n", cases[i].rule,
                          (unsigned long long)x->s.per_rule[r], (unsigned long long)x->s.count);
            print_violations(&x->s);
            failures++;
        }
        fx_del(x);
        x = fx_new();
        cases[i].good(x);
        if (x->s.count) {
            print_message("%s: good case gave %llu violations\n", cases[i].rule,
                          (unsigned long long)x->s.count);
            print_violations(&x->s);
            failures++;
        }
        fx_del(x);
        /* switched off, the bad case is clean */
        x = fx_new();
        assert_int_equal(quire_spec_ignore(&x->s, cases[i].rule), 0);
        cases[i].bad(x);
        if (x->s.count) {
            print_message("%s: ignored, the bad case still gave %llu\n", cases[i].rule,
                          (unsigned long long)x->s.count);
            failures++;
        }
        fx_del(x);
    }
    assert_int_equal(failures, 0);
}

/* Names are unique kebab-case, every rule has its cases, every field is filled. */
static void test_table(void **state)
{
    (void)state;
    size_t n;
    const quire_spec_rule *r = quire_spec_rules(&n);
    assert_true(n >= 25);
    assert_true(n <= QUIRE_SPEC_MAX_RULES);
    assert_int_equal(n, NCASES);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(r[i].rfc);
        assert_true(!strncmp(r[i].rfc, "RFC 9", 5));
        assert_true(strlen(r[i].text) > 10);
        assert_true(r[i].side >= QUIRE_SPEC_CLIENT && r[i].side <= QUIRE_SPEC_BOTH);
        for (const char *c = r[i].name; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-');
        assert_int_equal(quire_spec_rule_find(r[i].name), (int)i);
        int tested = 0;
        for (size_t j = 0; j < NCASES; j++)
            tested |= !strcmp(cases[j].rule, r[i].name);
        assert_true(tested);
    }
    quire_spec s;
    quire_spec_init(&s, NULL);
    assert_int_equal(quire_spec_ignore(&s, "no-such-rule"), QUIRE_ERR_NOTFOUND);
    quire_spec_free(&s);
}

/* Next to the issuer, a gap in its sequence numbers shows at the end; away from it, the
 * missing one may have been lost on the way. */
static void test_cid_gap(void **state)
{
    (void)state;
    for (int near = 0; near < 2; near++) {
        fx *x = fx_new();
        quire_spec_set_near(&x->s, near ? QUIRE_SPEC_SERVER : QUIRE_SPEC_CLIENT);
        handshake(x);
        issue(x, 0, 0, 1, 0, 0xaa);
        issue(x, 0, 1, 3, 0, 0xbb);
        finish(x);
        assert_int_equal(x->s.count, near);
        assert_int_equal(x->s.per_rule[quire_spec_rule_find("new-cid-sequence")], near);
        fx_del(x);
    }
}

/* A rule broken on every packet is counted every time but kept a few times only. */
static void test_kept_and_counted(void **state)
{
    (void)state;
    fx *x = fx_new();
    for (uint64_t i = 0; i < 10; i++) {
        mk(x, 1, QUIRE_PACKET_INITIAL, i, 1000);
        go(x);
    }
    assert_int_equal(x->s.count, 10);
    assert_true(x->s.nv < 10);
    char line[512];
    quire_spec_violation_str(&x->s.v[0], line, sizeof line);
    assert_non_null(strstr(line, "client-initial-1200 (RFC 9000 14.1): client"));
    assert_non_null(strstr(line, "frame 1:"));
    json_t *a = json_array();
    assert_int_equal(quire_spec_json_violations(&x->s, "cap.pcap", a), 0);
    assert_int_equal(json_array_size(a), x->s.nv);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "rule")),
                        "client-initial-1200");
    json_decref(a);
    fx_del(x);
}

/* ---- through the decoder: a short client Initial starts a connection ---- */

static void spec_cb(const quire_conn_packet *p, void *arg)
{
    quire_spec_step(arg, p);
}

/* A protected v1 client Initial (PING, padded with PADDING to plen) in a datagram of its own. */
static size_t short_initial(uint8_t *out, size_t plen)
{
    quire_keys ck, sk;
    assert_int_equal(quire_keys_init_initial(&ck, &sk, 1, odcid, sizeof odcid), 0);
    size_t n = 0;
    out[n++] = 0xc1; /* Initial, 2-byte packet number */
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 1;
    out[n++] = sizeof odcid;
    memcpy(out + n, odcid, sizeof odcid);
    n += sizeof odcid;
    out[n++] = 0; /* zero-length SCID */
    out[n++] = 0; /* no token */
    size_t length = 2 + plen + 16;
    out[n++] = (uint8_t)(0x40 | length >> 8);
    out[n++] = (uint8_t)length;
    out[n++] = 0;
    out[n++] = 0;
    memset(out + n, 0, plen);
    out[n] = 0x01; /* PING */
    int r = quire_packet_protect(out, 1500, n, 2, 0, plen, &ck);
    assert_true(r > 0);
    quire_keys_free(&ck);
    quire_keys_free(&sk);
    return (size_t)r;
}

static void test_decoder_short_initial(void **state)
{
    (void)state;
    static const size_t sizes[2] = {300, 1200};
    for (int i = 0; i < 2; i++) {
        uint8_t pkt[1500];
        size_t n = short_initial(pkt, sizes[i]);
        quire_udp u;
        memset(&u, 0, sizeof u);
        u.kind = QUIRE_NET_UDP;
        u.src.family = u.dst.family = 4;
        u.sport = 50000;
        u.dport = 443;
        u.payload = pkt;
        u.len = n;
        quire_conn_table *t;
        assert_int_equal(quire_conn_table_new(&t, NULL), 0);
        quire_spec s;
        quire_spec_init(&s, NULL);
        assert_int_equal(quire_conn_datagram(t, 1, 0, &u, spec_cb, &s), 1);
        assert_int_equal(s.per_rule[quire_spec_rule_find("client-initial-1200")], n < 1200);
        assert_int_equal(s.count, n < 1200);
        /* stray bytes of the same length start nothing */
        pkt[n - 1] ^= 1;
        quire_conn_table *t2;
        assert_int_equal(quire_conn_table_new(&t2, NULL), 0);
        assert_int_equal(quire_conn_datagram(t2, 1, 0, &u, spec_cb, &s), n < 1200 ? 0 : 1);
        quire_conn_table_del(t2);
        quire_spec_free(&s);
        quire_conn_table_del(t);
    }
}

/* ---- the committed captures ---- */

/* What each committed capture breaks, checked by hand against the RFCs (docs/spec.md):
 * {capture, rule, count}; a capture not listed is clean. */
typedef struct expected {
    const char *capture, *rule;
    uint64_t count;
} expected;

static const expected known[] = {
    {NULL, NULL, 0},
};

static uint64_t expected_count(const char *capture, int rule)
{
    uint64_t n = 0;
    for (size_t i = 0; known[i].capture; i++)
        if (!strcmp(known[i].capture, capture) && quire_spec_rule_find(known[i].rule) == rule)
            n += known[i].count;
    return n;
}

static void test_captures(void **state)
{
    (void)state;
    const char *src = getenv("QUIRE_SOURCE_DIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/captures", src ? src : QUIRE_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    size_t checked = 0;
    int failures = 0;
    size_t nrules;
    quire_spec_rules(&nrules);
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".pcap")) continue;
        char cap[2048], keys[2048], name[256];
        snprintf(name, sizeof name, "%.*s", (int)(l - 5), de->d_name);
        snprintf(cap, sizeof cap, "%s/%s", dir, de->d_name);
        snprintf(keys, sizeof keys, "%s/%s.keys", dir, name);
        FILE *kf = fopen(keys, "r");
        if (kf) fclose(kf);
        quire_spec s;
        quire_spec_init(&s, cap);
        /* taken on the veth between the two endpoints: next to both */
        quire_spec_set_near(&s, QUIRE_SPEC_BOTH);
        quire_trace *t = calloc(1, sizeof *t);
        assert_non_null(t);
        assert_int_equal(quire_spec_check_file(&s, t, cap, kf ? keys : NULL), 0);
        assert_false(s.nomem);
        for (size_t r = 0; r < nrules; r++) {
            uint64_t want = expected_count(name, (int)r);
            if (s.per_rule[r] != want) {
                print_message("%s: %s: %llu violations, expected %llu\n", name,
                              quire_spec_rules(&nrules)[r].name,
                              (unsigned long long)s.per_rule[r], (unsigned long long)want);
                failures++;
            }
        }
        if (failures) print_violations(&s);
        quire_trace_free(t);
        free(t);
        quire_spec_free(&s);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 16);
    assert_int_equal(failures, 0);
}

/* ---- the verdict in a run: the check step, result.json, the Markdown report ---- */

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static quire_verdict judge_ok(const quire_check_data *d, char *why, size_t whylen)
{
    (void)d;
    snprintf(why, whylen, "ok");
    return QUIRE_VERDICT_SUCCEEDED;
}

/* quire_check_run() runs the rules in the same walk as the facts and hands back the verdict of
 * both captures; an ignored rule name is accepted. */
static void test_check_step(void **state)
{
    (void)state;
    char root[128], sub[5][256], src[1024];
    assert_int_equal(test_tmpdir_make(root, sizeof root, "spec"), 0);
    static const char *const names[5] = {"www", "downloads", "sim", "client", "server"};
    for (int i = 0; i < 5; i++) {
        snprintf(sub[i], sizeof sub[i], "%s/%s", root, names[i]);
        assert_int_equal(mkdir(sub[i], 0755), 0);
    }
    const char *dir = getenv("QUIRE_SOURCE_DIR");
    char to[512];
    snprintf(src, sizeof src, "%s/tests/data/captures/handshake.pcap", dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(to, sizeof to, "%s/trace_node_left.pcap", sub[2]);
    copy_file(src, to);
    snprintf(to, sizeof to, "%s/trace_node_right.pcap", sub[2]);
    copy_file(src, to);
    snprintf(src, sizeof src, "%s/tests/data/captures/handshake.keys", dir ? dir : QUIRE_SOURCE_DIR);
    snprintf(to, sizeof to, "%s/keys.log", sub[3]);
    copy_file(src, to);
    char spec[2048] = "x", why[512];
    const char *ignore[] = {"fixed-bit"};
    quire_check_ctx c = {.www_dir = sub[0], .downloads_dir = sub[1], .sim_dir = sub[2],
                         .client_log_dir = sub[3], .server_log_dir = sub[4],
                         .spec_json = spec, .spec_json_len = sizeof spec,
                         .spec_ignore = ignore, .nspec_ignore = 1};
    assert_int_equal(quire_check_run(&c, judge_ok, why, sizeof why), QUIRE_VERDICT_SUCCEEDED);
    json_t *j = json_loads(spec, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "clean")));
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
    assert_true(json_integer_value(json_object_get(j, "rules_judged")) > 25);
    json_decref(j);
    /* a capture that cannot be read: no verdict */
    snprintf(to, sizeof to, "%s/trace_node_right.pcap", sub[2]);
    assert_int_equal(remove(to), 0);
    assert_int_equal(quire_check_run(&c, judge_ok, why, sizeof why), QUIRE_VERDICT_FAILED);
    assert_string_equal(spec, "");
    assert_int_equal(test_tmpdir_remove(root), 0);
}

/* The verdict is kept in result.json as "spec" (QIR's keys unchanged), read back, forgotten
 * by a later verdict of the same test, and shown by the Markdown report. */
static void test_result_and_report(void **state)
{
    (void)state;
    quire_result r;
    quire_result_init(&r);
    assert_true(quire_result_add_server(&r, "srv", NULL) >= 0);
    assert_true(quire_result_add_client(&r, "cli", NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "H", "handshake", NULL, NULL) >= 0);
    assert_true(quire_result_add_test(&r, QUIRE_TEST_CASE, "DC", "chacha20", NULL, NULL) >= 0);
    assert_int_equal(quire_result_set(&r, "srv", "cli", "H", QUIRE_VERDICT_SUCCEEDED, "ok", 1, NULL), 0);
    assert_int_equal(quire_result_set(&r, "srv", "cli", "DC", QUIRE_VERDICT_SUCCEEDED, "ok", 1, NULL), 0);
    const char *bad = "{\"clean\":false,\"count\":2,\"violations\":[{\"rule\":\"pn-no-reuse\"},"
                      "{\"rule\":\"pn-no-reuse\"}]}";
    assert_int_equal(quire_result_set_spec(&r, "srv", "cli", "H", "{\"clean\":true,\"count\":0}"), 0);
    assert_int_equal(quire_result_set_spec(&r, "srv", "cli", "DC", bad), 0);
    char *text = NULL;
    assert_int_equal(quire_result_to_json(&r, &text), 0);
    assert_non_null(strstr(text, "\"result\": \"succeeded\""));
    assert_non_null(strstr(text, "\"spec\""));
    quire_result back;
    quire_result_init(&back);
    char err[256];
    assert_int_equal(quire_result_load_buf(text, strlen(text), "mem", &back, err, sizeof err), 0);
    free(text);
    quire_result_spec sp;
    quire_result_spec_read(quire_result_cell_get(&back, 0, 0, 1)->spec, &sp);
    assert_true(sp.known);
    assert_false(sp.clean);
    assert_int_equal(sp.count, 2);
    assert_string_equal(sp.rules, "pn-no-reuse");
    quire_buf md;
    quire_buf_init(&md);
    assert_int_equal(quire_markdown_write(&back, &md), 0);
    assert_non_null(strstr(quire_buf_str(&md), "spec\u2715(DC)"));
    assert_non_null(strstr(quire_buf_str(&md), "### Spec violations"));
    assert_non_null(strstr(quire_buf_str(&md), "**DC** chacha20: 2 violations: pn-no-reuse"));
    quire_buf_free(&md);
    /* a later verdict of the test forgets the spec verdict */
    assert_int_equal(quire_result_set(&back, "srv", "cli", "DC", QUIRE_VERDICT_FAILED, "x", 1, NULL), 0);
    assert_null(quire_result_cell_get(&back, 0, 0, 1)->spec);
    quire_buf_init(&md);
    assert_int_equal(quire_markdown_write(&back, &md), 0);
    assert_non_null(strstr(quire_buf_str(&md), "spec\u2713"));
    quire_buf_free(&md);
    quire_result_free(&back);
    quire_result_free(&r);
}

/* ---- the committed captures as a network would have mangled them ---- */

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A classic (little-endian, microsecond) pcap again with every record twice (mode 0: a
 * duplicating network) or with each pair of consecutive records of the same sender swapped
 * (mode 1: a reordering one). NULL for other formats. */
static uint8_t *mangle(const uint8_t *in, size_t len, int mode, size_t *outlen)
{
    if (len < 24 || le32(in) != 0xa1b2c3d4u) return NULL;
    int linktype = (int)le32(in + 20);
    uint8_t *out = malloc(len * 2);
    assert_non_null(out);
    memcpy(out, in, 24);
    size_t o = 24, at = 24;
    const uint8_t *held = NULL;
    size_t held_len = 0;
    uint16_t held_port = 0;
    while (at + 16 <= len) {
        size_t rl = 16 + le32(in + at + 8);
        assert_true(at + rl <= len);
        const uint8_t *rec = in + at;
        at += rl;
        if (mode == 0) {
            memcpy(out + o, rec, rl);
            memcpy(out + o + rl, rec, rl);
            o += 2 * rl;
            continue;
        }
        quire_udp u;
        uint16_t port = quire_net_decode(linktype, rec + 16, rl - 16, &u) == 0 ? u.sport : 0;
        if (held && port == held_port) { /* swap: this one first */
            memcpy(out + o, rec, rl);
            memcpy(out + o + rl, held, held_len);
            o += rl + held_len;
            held = NULL;
            continue;
        }
        if (held) {
            memcpy(out + o, held, held_len);
            o += held_len;
        }
        held = rec;
        held_len = rl;
        held_port = port;
    }
    if (held) {
        memcpy(out + o, held, held_len);
        o += held_len;
    }
    *outlen = o;
    return out;
}

/* Duplicated or reordered by the network before the capture point, a capture breaks no rule
 * (the capture's position is unknown here: the rules on a sender's order are not judged). */
static void test_captures_mangled(void **state)
{
    (void)state;
    static const char *const names[] = {"handshake", "retry",       "keyupdate",  "chacha20",
                                        "resumption", "multiplex",  "migration",  "go-transfer",
                                        "go-zerortt", "go-retry",   "aioquic-retry", "v2",
                                        "chrome-2retry", "ipv6"};
    const char *src = getenv("QUIRE_SOURCE_DIR");
    int failures = 0;
    size_t done = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char cap[2048], keys[2048];
        snprintf(cap, sizeof cap, "%s/tests/data/captures/%s.pcap", src ? src : QUIRE_SOURCE_DIR,
                 names[i]);
        snprintf(keys, sizeof keys, "%s/tests/data/captures/%s.keys",
                 src ? src : QUIRE_SOURCE_DIR, names[i]);
        size_t len, mlen;
        uint8_t *in = read_all(cap, &len);
        assert_non_null(in);
        for (int mode = 0; mode < 2; mode++) {
            uint8_t *m = mangle(in, len, mode, &mlen);
            if (!m) continue;
            quire_spec s;
            quire_spec_init(&s, names[i]);
            quire_observer o = quire_spec_observer(&s);
            quire_trace *t = calloc(1, sizeof *t);
            assert_non_null(t);
            assert_int_equal(quire_observe_run(t, NULL, m, mlen, keys, &o, 1), 0);
            if (s.count) {
                print_message("%s %s: %llu violations\n", names[i],
                              mode ? "reordered" : "duplicated", (unsigned long long)s.count);
                print_violations(&s);
                failures++;
            }
            done++;
            quire_trace_free(t);
            free(t);
            quire_spec_free(&s);
            free(m);
        }
        free(in);
    }
    assert_true(done >= 20);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_kept_and_counted),
        cmocka_unit_test(test_cid_gap),
        cmocka_unit_test(test_decoder_short_initial),
        cmocka_unit_test(test_captures),
        cmocka_unit_test(test_captures_mangled),
        cmocka_unit_test(test_check_step),
        cmocka_unit_test(test_result_and_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
