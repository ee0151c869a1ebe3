/* QUIC connections in a capture: groups packets by connection ID (the client's first
 * Destination Connection ID, both sides' Source Connection IDs, Retry and NEW_CONNECTION_ID
 * CIDs, so migrations and CID changes stay in one connection), feeds each packet through the
 * keys of its direction and epoch (Initial keys from the original DCID or the Retry's SCID;
 * handshake, 0-RTT and 1-RTT keys from the key log by ClientHello random once the ServerHello
 * names the cipher; key updates followed by key phase), decodes frames, reassembles CRYPTO
 * into the TLS summary, and counts per connection: versions, packets per type, decryption
 * results, frames, streams and their bytes, key phases, ECN marks and ACK_ECN counts,
 * addresses and ports. One quire_conn_table holds every connection of one capture. */
#ifndef QUIRE_CONN_H
#define QUIRE_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "trace/cidmap.h"
#include "trace/frames.h"
#include "trace/keylog.h"
#include "trace/keys.h"
#include "trace/net.h"
#include "trace/packet.h"
#include "trace/tls.h"

#define QUIRE_CONN_MAX_ENDPOINTS 8
#define QUIRE_CONN_MAX_VERSIONS 8
#define QUIRE_CONN_MAX_FRAMES 256 /* frames kept per packet for the callback */

/* Per direction: 0 client to server, 1 server to client. */
typedef struct quire_conn_dir {
    uint64_t packets[QUIRE_PACKET_TYPE_COUNT];
    uint64_t decrypted, undecryptable, malformed;
    uint64_t datagrams, bytes; /* UDP datagrams and payload bytes */
    uint64_t ecn_ip[4];        /* IP ECN codepoints of datagrams: not-ECT, ECT(1), ECT(0), CE */
    int ack_ecn;               /* sent an ACK frame with ECN counts */
    uint64_t ack_ect0, ack_ect1, ack_ce; /* largest counts sent (any space) */
    uint64_t frames[QUIRE_FRAME_KINDS];
    uint8_t key_phases;   /* bit 0 / bit 1: 1-RTT packets with key phase 0 / 1 */
    uint64_t key_updates; /* 1-RTT key generations after the first */
} quire_conn_dir;

typedef struct quire_conn_stream {
    uint64_t id;
    int from_client; /* the sender of this half */
    uint64_t frames;
    uint64_t bytes; /* STREAM frame bytes, retransmissions included */
    uint64_t size;  /* highest offset + length: the data's size as seen */
    int fin;
    int reset;
} quire_conn_stream;

typedef struct quire_conn_endpoint {
    quire_addr addr;
    uint16_t port;
} quire_conn_endpoint;

typedef struct quire_conn {
    size_t index; /* 0-based, in order of the first packet */
    uint64_t first_frame, last_frame, first_ts, last_ts;
    uint32_t version; /* current: the last long header's version */
    uint32_t versions[QUIRE_CONN_MAX_VERSIONS];
    size_t nversions;
    quire_conn_endpoint ends[2][QUIRE_CONN_MAX_ENDPOINTS]; /* [0] client, [1] server, seen */
    size_t nends[2];
    uint64_t migrations;       /* times the client's address or port changed */
    quire_cid_val odcid;       /* the client's first DCID */
    quire_cid_val cids[2][16]; /* CIDs issued by client [0] / server [1], first 16 */
    size_t ncids[2];
    int retry;        /* Retry packets seen */
    int retry_tag_ok; /* 1 all verified, 0 one failed, -1 unchecked */
    quire_cid_val retry_scid;
    int vn; /* Version Negotiation packets seen */
    uint32_t vn_versions[QUIRE_CONN_MAX_VERSIONS];
    size_t vn_nversions;
    quire_conn_dir dir[2];
    quire_tls_info tls;
    int keylog_found;   /* the key log had this connection's client random */
    int handshake_done; /* HANDSHAKE_DONE seen */
    int closed;         /* CONNECTION_CLOSE seen */
    int close_app;
    uint64_t close_error;
    int close_from_client;
    quire_conn_stream *streams;
    size_t nstreams, cap_streams;
    uint64_t problems; /* malformed packets or frames */
    uint64_t first_problem_frame;
    char problem[200]; /* the first problem */
    /* decoding state (private to conn.c) */
    struct quire_conn_state *st;
} quire_conn;

/* One QUIC packet as decoded, given to the caller's callback (for --frames output and the
 * trace summary). Pointers are valid during the call only. */
typedef struct quire_conn_packet {
    uint64_t frame, ts_ns;
    const quire_udp *udp;
    const quire_conn *conn; /* NULL if no connection matched */
    int from_client;        /* 1, 0, or -1 unknown */
    const quire_packet *pkt;
    size_t offset; /* of this packet in the UDP payload */
    const quire_frame *frames;
    size_t nframes; /* frames kept (at most QUIRE_CONN_MAX_FRAMES) */
    size_t frames_total;
    const char *error; /* a frame or packet problem, or NULL */
    /* Nonzero for a packet that reached the capture before its keys (RFC 9001 5.7: a receiver
     * buffers such packets): it is decoded again at this later frame, once the keys are known,
     * and reported a second time with its own frame, udp and offset. Its first report (status
     * QUIRE_ERR_NOKEY) already counted its datagram. */
    uint64_t late_frame;
} quire_conn_packet;

typedef void (*quire_conn_cb)(const quire_conn_packet *p, void *arg);

typedef struct quire_conn_table quire_conn_table;

/* keylog may be NULL (only Initial packets decrypt then); it must outlive the table. */
int quire_conn_table_new(quire_conn_table **t, const quire_keylog *keylog);
void quire_conn_table_del(quire_conn_table *t);

/* Processes one UDP datagram (all its coalesced packets). Returns the QUIC packets found
 * (0: not QUIC or no known connection), or QUIRE_ERR_NOMEM. Problems (malformed header,
 * frames) are reported through the callback's error and counted, not returned. */
int quire_conn_datagram(quire_conn_table *t, uint64_t frame, uint64_t ts_ns, const quire_udp *udp,
                        quire_conn_cb cb, void *arg);

size_t quire_conn_count(const quire_conn_table *t);
const quire_conn *quire_conn_get(const quire_conn_table *t, size_t i);

#endif
