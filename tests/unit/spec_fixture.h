/* The in-memory connection of tests/unit/test_spec_rules.c: a quire_conn and packets built
 * field by field, handed to the spec rules through quire_spec_step() as the decoder would,
 * with helpers for a handshake, frames and transport parameters. Included by that test only
 * (static definitions). */
#ifndef QUIRE_TEST_SPEC_FIXTURE_H
#define QUIRE_TEST_SPEC_FIXTURE_H

/* after <cmocka.h> and its prerequisites */
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
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
    k->retry_tag = t == QUIRE_PACKET_RETRY ? 1 : -1; /* a Retry's tag verifies */
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

#endif
