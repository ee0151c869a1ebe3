/* Per-connection trace observers (see observe.h), what the experiment assertions read from the
 * client-side capture: the timing of the first connection, the packets each side sent after its
 * own CONNECTION_CLOSE, and whether the client echoed each Retry token. Connections are the
 * decoder's (quire_conn index); only the first QUIRE_OBS_MAX_CONNS are tracked. */
#ifndef QUIRE_OBSERVE_CONN_H
#define QUIRE_OBSERVE_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "checks/observe.h"

#define QUIRE_OBS_MAX_CONNS 16

/* The first connection (index 0): capture times of the client's first Initial and first 1-RTT
 * packet, and of the server's first and last packet carrying response data (STREAM frames on
 * client-initiated bidirectional streams, RFC 9000 2.1 — not the server's HTTP/3 control and
 * QPACK streams, which it may send in 0.5-RTT), with the bytes of those frames. */
typedef struct quire_obs_timing {
    uint64_t t_initial, t_1rtt, t_first_stream, t_last_stream, stream_bytes;
    int have_initial, have_1rtt, have_stream;
} quire_obs_timing;

/* RFC 9000 10.2.1: in the closing state an endpoint sends only CONNECTION_CLOSE. Per connection
 * and side ([0] client, [1] server): it sent a CONNECTION_CLOSE, how many packets without one it
 * sent afterwards and the frame of the first. */
typedef struct quire_obs_closes {
    int closed[QUIRE_OBS_MAX_CONNS][2];
    uint64_t after_close[QUIRE_OBS_MAX_CONNS][2], after_close_frame[QUIRE_OBS_MAX_CONNS][2];
} quire_obs_closes;

/* RFC 9000 17.2.5.2: per connection, a Retry was seen, and the client's next Initial echoed its
 * token (1), did not (-1), or none came yet (0). */
typedef struct quire_obs_retry_echo {
    uint8_t token[QUIRE_OBS_MAX_CONNS][256];
    size_t token_len[QUIRE_OBS_MAX_CONNS];
    int seen[QUIRE_OBS_MAX_CONNS], echoed[QUIRE_OBS_MAX_CONNS];
} quire_obs_retry_echo;

/* Observers over the zeroed states s (they never fail). */
quire_observer quire_obs_timing_observer(quire_obs_timing *s);
quire_observer quire_obs_closes_observer(quire_obs_closes *s);
quire_observer quire_obs_retry_echo_observer(quire_obs_retry_echo *s);

#endif
