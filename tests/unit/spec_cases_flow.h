/* The cases of tests/unit/test_spec_rules.c for the rules on transport parameters (spec_tp.c)
 * and on stream and CRYPTO data and flow control (spec_flow.c). Included by that test only
 * (static definitions). */
#ifndef QUIRE_TEST_SPEC_CASES_FLOW_H
#define QUIRE_TEST_SPEC_CASES_FLOW_H

#include "spec_fixture.h"

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

#endif
