/* Per-connection observers (see observe_conn.h). */
#include "checks/observe_conn.h"

#include <string.h>

static int has_frame(const quire_conn_packet *p, quire_frame_kind k)
{
    for (size_t i = 0; i < p->nframes; i++)
        if (p->frames[i].kind == k) return 1;
    return 0;
}

static void timing_step(void *state, const quire_trace *t, const quire_conn_packet *p)
{
    (void)t;
    quire_obs_timing *s = state;
    if (!p->conn || p->from_client < 0 || p->conn->index != 0) return;
    if (p->from_client && p->pkt->type == QUIRE_PACKET_INITIAL && !s->have_initial) {
        s->have_initial = 1;
        s->t_initial = p->ts_ns;
    }
    if (p->from_client && p->pkt->type == QUIRE_PACKET_1RTT && !s->have_1rtt) {
        s->have_1rtt = 1;
        s->t_1rtt = p->ts_ns;
    }
    if (p->from_client) return;
    int has_stream = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < p->nframes; i++)
        if (p->frames[i].kind == QUIRE_FRAME_STREAM && (p->frames[i].u.stream.stream_id & 3) == 0) {
            has_stream = 1;
            bytes += p->frames[i].u.stream.len;
        }
    if (!has_stream) return;
    if (!s->have_stream) s->t_first_stream = p->ts_ns;
    s->have_stream = 1;
    s->t_last_stream = p->ts_ns;
    s->stream_bytes += bytes;
}

static void closes_step(void *state, const quire_trace *t, const quire_conn_packet *p)
{
    (void)t;
    quire_obs_closes *s = state;
    if (!p->conn || p->from_client < 0 || p->conn->index >= QUIRE_OBS_MAX_CONNS) return;
    size_t ci = p->conn->index;
    int side = p->from_client ? 0 : 1;
    int has_close = has_frame(p, QUIRE_FRAME_CONNECTION_CLOSE);
    if (s->closed[ci][side] && !has_close) {
        if (!s->after_close[ci][side]) s->after_close_frame[ci][side] = p->frame;
        s->after_close[ci][side]++;
    }
    if (has_close) s->closed[ci][side] = 1;
}

static void retry_echo_step(void *state, const quire_trace *t, const quire_conn_packet *p)
{
    (void)t;
    quire_obs_retry_echo *s = state;
    if (!p->conn || p->from_client < 0 || p->conn->index >= QUIRE_OBS_MAX_CONNS) return;
    size_t ci = p->conn->index;
    size_t l = p->pkt->token_len < 256 ? p->pkt->token_len : 256;
    if (!p->from_client && p->pkt->type == QUIRE_PACKET_RETRY) {
        s->seen[ci] = 1;
        memcpy(s->token[ci], p->pkt->token, l);
        s->token_len[ci] = l;
    } else if (p->from_client && p->pkt->type == QUIRE_PACKET_INITIAL && s->seen[ci] &&
               !s->echoed[ci]) {
        s->echoed[ci] =
            l && l == s->token_len[ci] && !memcmp(p->pkt->token, s->token[ci], l) ? 1 : -1;
    }
}

quire_observer quire_obs_timing_observer(quire_obs_timing *s)
{
    return (quire_observer){.name = "timing", .state = s, .step = timing_step};
}

quire_observer quire_obs_closes_observer(quire_obs_closes *s)
{
    return (quire_observer){.name = "closes", .state = s, .step = closes_step};
}

quire_observer quire_obs_retry_echo_observer(quire_obs_retry_echo *s)
{
    return (quire_observer){.name = "retry-echo", .state = s, .step = retry_echo_step};
}
