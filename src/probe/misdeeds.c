/* The misdeeds of quire probe's cases (see cases.h): the 1-RTT frames each frame case sends
 * after the handshake (quire_pcase_build_fn: 0, or 1 with a reason when the server's transport
 * parameters make the case not applicable), and the changes the handshake cases make to the
 * ClientHello and the Handshake flight (quire_pcase_setup_fn). RFC sections are RFC 9000's. */
#include "probe/misdeeds.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/cursor.h"

#define MAX_VARINT ((1ull << 62) - 1)
#define STREAMS_MAX (1ull << 60) /* RFC 9000 Section 4.6 */

static const uint8_t reset_token[16] = "quire-probe-rst!";

static void set(char *na, size_t cap, const char *s)
{
    snprintf(na, cap, "%s", s);
}

static uint64_t tp(const quire_pconn *c, quire_tp_id id)
{
    return quire_pconn_server_tp(c, id, 0);
}

/* Frame cases: the misbehaving frames. */

int quire_misdeed_unknown_frame(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_varint(w, 0x1a2a); /* no RFC or draft defines this frame type */
    quire_wire_zeros(w, 4);
    return 0;
}

int quire_misdeed_handshake_done(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_handshake_done(w);
    return 0;
}

int quire_misdeed_stream_flow(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    if (!tp(c, QUIRE_TP_INITIAL_MAX_STREAMS_BIDI)) {
        set(na, cap, "the server allows no bidirectional stream");
        return 1;
    }
    uint64_t limit = tp(c, QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE);
    if (limit >= MAX_VARINT) {
        set(na, cap, "no stream data limit");
        return 1;
    }
    quire_wire_stream(w, c->next_bidi, limit, (const uint8_t *)"x", 1, 0);
    return 0;
}

int quire_misdeed_conn_flow(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    uint64_t per = tp(c, QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE);
    uint64_t max = tp(c, QUIRE_TP_INITIAL_MAX_DATA);
    uint64_t streams = tp(c, QUIRE_TP_INITIAL_MAX_STREAMS_BIDI);
    if (max >= MAX_VARINT) {
        set(na, cap, "no connection-level limit (initial_max_data 2^62-1)");
        return 1;
    }
    if (!per) {
        set(na, cap, "no stream credit (initial_max_stream_data_bidi_remote 0)");
        return 1;
    }
    uint64_t n = max / per + 1; /* n streams each filled to their limit exceed max */
    if (n > streams || n > 64) {
        snprintf(na, cap, "needs %" PRIu64 " streams at %" PRIu64 " bytes to pass %" PRIu64
                 " (allowed %" PRIu64 ", probe sends at most 64)",
                 n, per, max, streams);
        return 1;
    }
    for (uint64_t i = 0; i < n; i++)
        quire_wire_stream(w, c->next_bidi + 4 * i, per - 1, (const uint8_t *)"x", 1, 0);
    return 0;
}

int quire_misdeed_stream_limit(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    uint64_t n = tp(c, QUIRE_TP_INITIAL_MAX_STREAMS_BIDI);
    if (n >= STREAMS_MAX) {
        set(na, cap, "the server allows every stream id");
        return 1;
    }
    quire_wire_stream(w, 4 * n, 0, (const uint8_t *)"x", 1, 0); /* the (n+1)th stream */
    return 0;
}

int quire_misdeed_uni_stream_limit(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    uint64_t n = tp(c, QUIRE_TP_INITIAL_MAX_STREAMS_UNI);
    if (n >= STREAMS_MAX) {
        set(na, cap, "the server allows every stream id");
        return 1;
    }
    quire_wire_stream(w, 4 * n + 2, 0, (const uint8_t *)"x", 1, 0);
    return 0;
}

/* Stream 3 is server-initiated unidirectional: send-only for the server. Stream 2 is
 * client-initiated unidirectional: receive-only for the server. Stream 1 is the server's
 * first bidirectional stream, which it has not opened. */
int quire_misdeed_stream_send_only(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_stream(w, 3, 0, (const uint8_t *)"x", 1, 0);
    return 0;
}

int quire_misdeed_stream_unopened(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_stream(w, 1, 0, (const uint8_t *)"x", 1, 0);
    return 0;
}

int quire_misdeed_msd_recv_only(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_max_stream_data(w, 2, 100000);
    return 0;
}

int quire_misdeed_msd_unopened(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_max_stream_data(w, 1, 100000);
    return 0;
}

int quire_misdeed_stop_sending_recv_only(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_stop_sending(w, 2, 0);
    return 0;
}

int quire_misdeed_reset_send_only(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_reset_stream(w, 3, 0, 0);
    return 0;
}

int quire_misdeed_sdb_send_only(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_stream_data_blocked(w, 3, 0);
    return 0;
}

int quire_misdeed_ncid_retire(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    static const uint8_t cid[8] = {0x71, 0x75, 0x69, 0x72, 0x65, 0x01, 0x02, 0x03};
    quire_wire_new_connection_id(w, 1, 2, cid, sizeof cid, reset_token);
    return 0;
}

int quire_misdeed_ncid_len0(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_new_connection_id(w, 1, 0, NULL, 0, reset_token);
    return 0;
}

int quire_misdeed_ncid_len21(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    uint8_t cid[21];
    memset(cid, 0x5a, sizeof cid);
    quire_wire_new_connection_id(w, 1, 0, cid, sizeof cid, reset_token);
    return 0;
}

int quire_misdeed_ncid_limit(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    uint64_t limit = quire_pconn_server_tp(c, QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT, 2);
    if (limit > 32) {
        snprintf(na, cap, "active_connection_id_limit %" PRIu64 " (probe sends at most 32)",
                 limit);
        return 1;
    }
    /* with the handshake's CID (sequence 0) that makes limit + 1 active */
    for (uint64_t s = 1; s <= limit; s++) {
        uint8_t cid[8] = {0x71, 0x75, 0x69, 0x72, 0x65, 0, 0, (uint8_t)s};
        uint8_t tok[16];
        memcpy(tok, reset_token, 16);
        tok[15] = (uint8_t)s;
        quire_wire_new_connection_id(w, s, 0, cid, sizeof cid, tok);
    }
    return 0;
}

int quire_misdeed_max_streams_big(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_max_streams(w, 1, STREAMS_MAX + 1);
    return 0;
}

int quire_misdeed_streams_blocked_big(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_streams_blocked(w, 1, STREAMS_MAX + 1);
    return 0;
}

int quire_misdeed_new_token(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_new_token(w, (const uint8_t *)"quire-token", 11);
    return 0;
}

int quire_misdeed_retire_unknown(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_retire_connection_id(w, 1000);
    return 0;
}

int quire_misdeed_ack_unsent(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    int64_t largest = c->largest_rx[QUIRE_PN_SPACE_APPLICATION];
    uint64_t fake = (uint64_t)(largest < 0 ? 0 : largest) + 1000;
    uint64_t r[1][2] = {{fake, fake}};
    quire_wire_ack(w, (const uint64_t(*)[2])r, 1, 0);
    quire_wire_ping(w);
    return 0;
}

int quire_misdeed_stream_offset_max(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    quire_wire_stream(w, c->next_bidi, MAX_VARINT, (const uint8_t *)"x", 1, 0);
    return 0;
}

int quire_misdeed_crypto_offset_max(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_crypto(w, MAX_VARINT, (const uint8_t *)"x", 1);
    return 0;
}

int quire_misdeed_final_size_change(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    /* a whole request, so that the application has nothing to complain about */
    quire_wire_stream(w, c->next_bidi, 0, (const uint8_t *)"GET /\r\n", 7, 1);
    quire_wire_stream(w, c->next_bidi, 4, (const uint8_t *)"0123456789", 10, 0);
    return 0;
}

int quire_misdeed_reset_final_lower(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)na, (void)cap;
    quire_wire_stream(w, c->next_bidi, 0, (const uint8_t *)"GET /\r\n", 7, 0);
    quire_wire_reset_stream(w, c->next_bidi, 0, 3);
    return 0;
}

int quire_misdeed_ping(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_ping(w);
    return 0;
}

int quire_misdeed_nothing(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)w, (void)na, (void)cap;
    return 0;
}


/* Handshake cases: the ClientHello changes. */

static void tp_int(quire_tpenc_mod *m, uint64_t id, uint64_t value, int replace)
{
    quire_wire w;
    quire_wire_init(&w, m->extra + m->extra_len, sizeof m->extra - m->extra_len);
    quire_tpenc_int(&w, id, value);
    m->extra_len += w.len;
    if (replace && m->nomit < QUIRE_TPENC_MAX_OMIT) m->omit[m->nomit++] = id;
}

static void tp_bytes(quire_tpenc_mod *m, uint64_t id, const uint8_t *v, size_t len)
{
    quire_wire w;
    quire_wire_init(&w, m->extra + m->extra_len, sizeof m->extra - m->extra_len);
    quire_tpenc_bytes(&w, id, v, len);
    m->extra_len += w.len;
}

void quire_misdeed_duplicate(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_int(m, QUIRE_TPID_INITIAL_MAX_DATA, 4096, 0); /* the default set has it already */
}
void quire_misdeed_udp_payload(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_int(m, QUIRE_TPID_MAX_UDP_PAYLOAD_SIZE, 1199, 1);
}
void quire_misdeed_ack_delay_exponent(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_int(m, QUIRE_TPID_ACK_DELAY_EXPONENT, 21, 1);
}
void quire_misdeed_max_ack_delay(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_int(m, QUIRE_TPID_MAX_ACK_DELAY, 1u << 14, 1);
}
void quire_misdeed_cid_limit(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_int(m, QUIRE_TPID_ACTIVE_CONNECTION_ID_LIMIT, 1, 1);
}
void quire_misdeed_max_streams(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_int(m, QUIRE_TPID_INITIAL_MAX_STREAMS_BIDI, STREAMS_MAX + 1, 1);
}
void quire_misdeed_reset_token(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_bytes(m, QUIRE_TPID_STATELESS_RESET_TOKEN, reset_token, 16);
}
void quire_misdeed_odcid(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_bytes(m, QUIRE_TPID_ORIGINAL_DCID, (const uint8_t *)"quire-od", 8);
}
void quire_misdeed_retry_scid(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    tp_bytes(m, QUIRE_TPID_RETRY_SCID, (const uint8_t *)"quire-rs", 8);
}
void quire_misdeed_preferred_address(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    /* RFC 9000 Section 18.2: v4 (4) + port, v6 (16) + port, CID length, CID, reset token */
    uint8_t v[4 + 2 + 16 + 2 + 1 + 8 + 16] = {127, 0, 0, 1, 0x11, 0x51};
    v[24] = 8;
    memcpy(v + 25, "quire-pa", 8);
    memcpy(v + 33, reset_token, 16);
    tp_bytes(m, QUIRE_TPID_PREFERRED_ADDRESS, v, sizeof v);
}
void quire_misdeed_no_iscid(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    m->omit[m->nomit++] = QUIRE_TPID_INITIAL_SCID;
}
void quire_misdeed_iscid_mismatch(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)o;
    m->omit[m->nomit++] = QUIRE_TPID_INITIAL_SCID;
    tp_bytes(m, QUIRE_TPID_INITIAL_SCID, (const uint8_t *)"quire-is", 8);
}
void quire_misdeed_no_tp(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)m;
    o->no_tp_ext = 1;
}
void quire_misdeed_alpn(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)m;
    o->alpn = "quire-no-such-protocol";
}
void quire_misdeed_frame_in_handshake(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)m;
    /* MAX_DATA (0x10) is not allowed in Handshake packets (RFC 9000 Table 3) */
    static const uint8_t frames[] = {0x01, 0x10, 0x80, 0x10, 0x00, 0x00};
    o->hs_inject = frames;
    o->hs_inject_len = sizeof frames;
}

static int datagram_max(const quire_pconn *c, uint64_t *max)
{
    *max = quire_pconn_server_tp(c, QUIRE_TP_MAX_DATAGRAM_FRAME_SIZE, UINT64_MAX);
    return *max != UINT64_MAX;
}

int quire_misdeed_datagram_unsupported(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    uint64_t max;
    if (datagram_max(c, &max)) {
        snprintf(na, cap, "the server supports DATAGRAM (max_datagram_frame_size %" PRIu64 ")",
                 max);
        return 1;
    }
    quire_wire_datagram(w, (const uint8_t *)"quire", 5);
    return 0;
}

int quire_misdeed_datagram_too_large(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    uint64_t max;
    if (!datagram_max(c, &max)) {
        set(na, cap, "the server does not support DATAGRAM");
        return 1;
    }
    if (max > 1000) {
        snprintf(na, cap, "max_datagram_frame_size %" PRIu64 " does not fit a 1-RTT packet", max);
        return 1;
    }
    /* a frame (type, length, data) of max + 1 bytes */
    size_t data = (size_t)max + 1 - 1 - quire_varint_len(max);
    uint8_t buf[1001];
    memset(buf, 'q', sizeof buf);
    quire_wire_datagram(w, buf, data);
    return 0;
}

int quire_misdeed_stop_sending_unopened(quire_pconn *c, quire_wire *w, char *na, size_t cap)
{
    (void)c, (void)na, (void)cap;
    quire_wire_stop_sending(w, 1, 0);
    return 0;
}

void quire_misdeed_stream_in_initial(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)m;
    /* STREAM (0x0a: with a length) on stream 0, one byte: not allowed in Initial packets
     * (RFC 9000 Table 3) */
    static const uint8_t frames[] = {0x0a, 0x00, 0x01, 'x'};
    o->initial_extra = frames;
    o->initial_extra_len = sizeof frames;
}

void quire_misdeed_reserved_bits_long(quire_pconn_opts *o, quire_tpenc_mod *m)
{
    (void)m;
    static const uint8_t frames[] = {0x01, 0x00, 0x00}; /* PING, PADDING */
    o->hs_inject = frames;
    o->hs_inject_len = sizeof frames;
    o->hs_inject_reserved = 0x0c;
}
