/* The cases of tests/unit/test_spec_rules.c for the rules on packets, frames, connection IDs
 * and key updates (spec_packet.c, spec_cid.c): for each rule a connection that breaks it and
 * one that keeps every rule. Included by that test only (static definitions). */
#ifndef QUIRE_TEST_SPEC_CASES_PACKET_H
#define QUIRE_TEST_SPEC_CASES_PACKET_H

#include "spec_fixture.h"

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
    dup_last(x);                              /* duplicated by the network: sent once */
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
    /* a first Initial whose DCID length a corrupting link changed does not authenticate: no
     * evidence; the first authenticated one is judged */
    quire_packet *k = mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    k->dcid_len = 4;
    k->payload = NULL;
    k->status = QUIRE_ERR_CRYPTO;
    go(x);
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
    /* a server packet damaged on the way (it does not authenticate) is not the server's */
    k = mk(x, 0, QUIRE_PACKET_1RTT, 1, 100);
    k->fixed_bit = 0;
    k->payload = NULL;
    k->status = QUIRE_ERR_CRYPTO;
    go(x);
}

static void zrtt_server_bad(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_SERVER);
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
    /* a server long header read as 0-RTT where the capture is next to the client only: the
     * link may have flipped its type bits */
    quire_spec_set_near(&x->s, QUIRE_SPEC_CLIENT);
    mk(x, 0, QUIRE_PACKET_0RTT, 1, 100);
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
    k->retry_tag = 1; /* a valid integrity tag: the client made it */
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
    /* a client long header whose type bits a corrupting link turned into Retry's: its
     * integrity tag does not verify */
    k = mk(x, 1, QUIRE_PACKET_RETRY, 0, 1200);
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    k->retry_tag = 0;
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
    /* a second server connection answering the same Initials (another SCID: the client
     * discards it, RFC 9000 7.2) starts at packet number 0 again: no reuse */
    mk(x, 0, QUIRE_PACKET_INITIAL, 0, 1200);
    static const uint8_t other[8] = {0x5f, 1, 2, 3, 4, 5, 6, 7};
    x->pkt.scid = other;
    addf(x, QUIRE_FRAME_PADDING);
    go(x);
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

static void initial_gone_bad(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_CLIENT);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    ack(x, 0, 0);
    go(x);
}
static void initial_gone_good(fx *x)
{
    /* next to the server: the client's late Initial may have been in flight (not judged);
     * the server's Initial before it acknowledged a Handshake packet is fine */
    quire_spec_set_near(&x->s, QUIRE_SPEC_SERVER);
    handshake(x);
    mk(x, 1, QUIRE_PACKET_INITIAL, 1, 1200);
    ack(x, 0, 0);
    go(x);
    mk(x, 0, QUIRE_PACKET_INITIAL, 1, 1200);
    addf(x, QUIRE_FRAME_PING);
    go(x);
    mk(x, 0, QUIRE_PACKET_HANDSHAKE, 1, 100);
    ack(x, 0, 0);
    go(x);
}

/* The client's first Initial (packet pn, CRYPTO "abcd..."), a Retry, and its next Initial
 * (packet pn2 with CRYPTO data, prepared: go() sends it). */
static void retried(fx *x, uint64_t pn2, const uint8_t *ch)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    crypto(x, 0, 20, abcd);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_RETRY, 0, 100);
    k->scid = abcd;
    k->token = abcd;
    k->token_len = 5;
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
    k = mk(x, 1, QUIRE_PACKET_INITIAL, pn2, 1200);
    k->dcid = abcd;
    k->token = abcd;
    k->token_len = 5;
    crypto(x, 0, 20, ch);
    go(x);
}
static void retry_pn_bad(fx *x)
{
    retried(x, 0, abcd);
}
static void retry_pn_good(fx *x)
{
    retried(x, 1, abcd);
}
static void retry_ch_bad(fx *x)
{
    retried(x, 1, abXd);
}
static void retry_ch_good(fx *x)
{
    retry_pn_good(x);
}

static void retry_scid_dcid_bad(fx *x)
{
    mk(x, 1, QUIRE_PACKET_INITIAL, 0, 1200);
    go(x);
    quire_packet *k = mk(x, 0, QUIRE_PACKET_RETRY, 0, 100);
    k->scid = odcid;
    k->token = abcd;
    k->token_len = 5;
    k->payload = NULL;
    k->status = QUIRE_ERR_UNSUPPORTED;
    go(x);
}
static void retry_scid_dcid_good(fx *x)
{
    retry_pn_good(x);
}

static void zrtt_after_bad(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_CLIENT);
    x->conn->tls.client_hello = 1;
    x->conn->tls.early_data = 1;
    handshake(x);
    handshake_done(x, 0);
    mk(x, 1, QUIRE_PACKET_1RTT, 1, 100);
    ack(x, 0, 0);
    go(x);
    mk(x, 1, QUIRE_PACKET_0RTT, 2, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void zrtt_after_good(fx *x)
{
    quire_spec_set_near(&x->s, QUIRE_SPEC_CLIENT);
    x->conn->tls.client_hello = 1;
    x->conn->tls.early_data = 1;
    handshake(x);
    mk(x, 1, QUIRE_PACKET_0RTT, 0, 100);
    stream(x, 0, 0, 10, 1, abcd);
    go(x);
    handshake_done(x, 0);
    mk(x, 1, QUIRE_PACKET_1RTT, 1, 100);
    ack(x, 0, 0);
    go(x);
}
static void zrtt_offered_bad(fx *x)
{
    x->conn->tls.client_hello = 1;
    handshake(x);
    mk(x, 1, QUIRE_PACKET_0RTT, 0, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
static void zrtt_offered_good(fx *x)
{
    x->conn->tls.client_hello = 1;
    x->conn->tls.early_data = 1;
    handshake(x);
    mk(x, 1, QUIRE_PACKET_0RTT, 0, 100);
    addf(x, QUIRE_FRAME_PING);
    go(x);
}
/* without early_data: a client long header read as 0-RTT that does not decrypt, where the
 * capture is next to the server only (a corrupting link may have changed its type bits) */
static void zrtt_offered_undecryptable(fx *x, int near)
{
    quire_spec_set_near(&x->s, near);
    x->conn->tls.client_hello = 1;
    handshake(x);
    quire_packet *k = mk(x, 1, QUIRE_PACKET_0RTT, 0, 100);
    k->payload = NULL;
    k->status = QUIRE_ERR_NOKEY;
    go(x);
}
static void zrtt_offered_damaged(fx *x)
{
    zrtt_offered_undecryptable(x, QUIRE_SPEC_SERVER);
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

#endif
