/* Private to spec/: the rule ids (the order of the table in spec.c), the per-connection state
 * the themed checks share, and the checks' entry points (spec_packet.c, spec_tp.c,
 * spec_flow.c). */
#ifndef QUIRE_SPEC_RULES_H
#define QUIRE_SPEC_RULES_H

#include <stdint.h>

#include "spec/spec.h"

enum spec_rule_id {
    R_CLIENT_INITIAL_1200,
    R_SERVER_INITIAL_1200,
    R_AMPLIFICATION,
    R_CLIENT_INITIAL_DCID,
    R_SERVER_INITIAL_TOKEN,
    R_LONG_RESERVED,
    R_SHORT_RESERVED,
    R_FIXED_BIT,
    R_ZERO_RTT_FROM_SERVER,
    R_RETRY_FROM_CLIENT,
    R_V2_TYPES,
    R_PN_REUSE,
    R_PN_INCREASE,
    R_ACK_UNSENT,
    R_EMPTY_PACKET,
    R_FRAME_PACKET_TYPE,
    R_APP_CLOSE_TYPE,
    R_HANDSHAKE_DONE_CLIENT,
    R_NEW_TOKEN_CLIENT,
    R_HANDSHAKE_AFTER_DONE,
    R_INITIAL_DISCARDED,
    R_ZERO_RTT_AFTER_1RTT,
    R_ZERO_RTT_OFFERED,
    R_HANDSHAKE_DONE_EARLY,
    R_RETRY_TOKEN,
    R_RETRY_SCID_KEPT,
    R_RETRY_PN,
    R_RETRY_SAME_CH,
    R_RETRY_SCID_DIFFERS,
    R_CLOSE_ERROR,
    R_NEW_CID_RETIRE,
    R_NEW_CID_ZERO_LEN,
    R_NEW_CID_SEQ,
    R_CID_LIMIT,
    R_RETIRE_UNKNOWN,
    R_RETIRE_IN_USE,
    R_PATH_RESPONSE,
    R_KEY_UPDATE_CONFIRMED,
    R_KEY_UPDATE_ACK,
    R_KEY_UPDATE_SUBSEQUENT,
    R_TP_MAX_UDP,
    R_TP_ACK_DELAY_EXP,
    R_TP_MAX_ACK_DELAY,
    R_TP_CID_LIMIT,
    R_TP_SERVER_ONLY,
    R_TP_INITIAL_SCID,
    R_TP_ORIGINAL_DCID,
    R_TP_RETRY_SCID,
    R_CRYPTO_SAME,
    R_STREAM_SAME,
    R_FINAL_SIZE,
    R_STREAM_DIRECTION,
    R_MAX_DATA,
    R_MAX_STREAM_DATA,
    R_MAX_STREAMS,
    R_MAX_STREAMS_BOUND,
    R_COUNT
};

/* One packet number seen: a hash of its bytes (to tell a network duplicate from a reuse) and
 * the 1-RTT key generation that protected it. */
typedef struct spec_pn {
    uint32_t hash;
    uint8_t seen;
    uint8_t gen;
} spec_pn;

/* The packet numbers one sender used in one space. Packet numbers beyond the array's limit
 * and spaces with a packet whose number quire could not recover are "unknown": the ACK rule
 * is waived there. holes: numbers between the first seen and the largest that were not seen
 * (sorted). */
typedef struct spec_pns {
    spec_pn *v; /* v[i]: packet number base + i */
    size_t cap;
    uint64_t base;   /* a little below the first number seen (senders may start anywhere) */
    int64_t largest; /* -1 none */
    int64_t last;    /* the last seen, capture order */
    int unknown;
    uint64_t *holes;
    size_t nholes, cap_holes;
} spec_pns;

/* Bytes of one stream or CRYPTO stream as seen, to compare retransmissions. */
typedef struct spec_data {
    uint8_t *buf;
    uint8_t *have; /* bitmap */
    size_t cap;
    uint64_t end; /* nothing at or beyond this offset was seen yet */
    int overflow; /* beyond QUIRE_SPEC_MAX_DATA: no longer compared */
} spec_data;

typedef struct spec_stream {
    uint64_t id;
    int sender;  /* 0 client, 1 server */
    uint64_t hi; /* highest offset + length sent */
    int final_known;
    uint64_t final_size;
    uint64_t msd; /* the largest MAX_STREAM_DATA the receiver sent */
    spec_data data;
    int reported; /* one flow-control violation per stream */
} spec_stream;

#define SPEC_MAX_DGRAMS 512
#define SPEC_MAX_CID_SEQ 256 /* connection ID sequence numbers followed per issuer */
#define SPEC_MAX_RETRY 4
#define SPEC_MAX_CHALLENGES 64

/* Per connection. Directions and senders: 0 client, 1 server. */
typedef struct spec_conn {
    size_t index;
    /* packet numbers per sender per space */
    spec_pns pns[2][3];
    /* address validation (RFC 9000 8.1): bytes before the server may consider the client's
     * address validated, unique datagrams only (a network duplicate is not sent twice) */
    int amp_done, amp_reported;
    uint64_t amp_recv, amp_sent;
    uint64_t dgram_hash[SPEC_MAX_DGRAMS];
    size_t ndgram;
    uint64_t last_frame[2]; /* the datagram counted last, per sender */
    uint64_t size_frame[2]; /* the datagram whose size was checked last, per sender */
    int dcid_checked;
    /* connection IDs */
    int have_iscid[2];
    quire_cid_val iscid[2]; /* SCID of the first Initial per sender (the server's: of the
                             * server connection the client follows) */
    quire_cid_val srv_scid[4]; /* of the server's authenticated Initials, the first 4 */
    size_t nsrv_scid;
    quire_cid_val retry_scid[SPEC_MAX_RETRY];
    uint8_t retry_token[SPEC_MAX_RETRY][256];
    size_t retry_token_len[SPEC_MAX_RETRY]; /* > 256: too long to keep, not compared */
    size_t nretry;
    int retried;           /* a Retry was seen */
    int64_t retry_largest; /* the client's largest Initial packet number before it */
    int vn;
    int vn_pending;          /* a VN came: the client's packet numbers start over when its
                              * Initials change version (it acted on the VN) */
    uint32_t client_version; /* of the client's last authenticated long header */
    uint64_t tp_frame[2]; /* where each side's transport parameters became known */
    /* handshake */
    int hs_done; /* the server sent HANDSHAKE_DONE */
    int have_hd_pn;
    uint64_t hd_pn; /* the server's first 1-RTT packet with HANDSHAKE_DONE */
    /* per sender, the frame from which on it must have discarded its Initial / Handshake keys
     * (RFC 9001 4.9), 0 not yet */
    uint64_t initial_gone[2], hs_gone[2];
    uint64_t zrtt_gone;          /* the client acknowledged a 1-RTT packet: no 0-RTT from then on */
    int client_hs;               /* a client Handshake packet was seen */
    int client_hs_undecryptable; /* ... and one of them could not be decrypted */
    int client_confirmed;        /* the client received HANDSHAKE_DONE or an ACK in 1-RTT */
    int app_undecryptable[2];
    /* key updates: per sender, the generation in use, the first packet number of it, and
     * whether the peer acknowledged a packet of it */
    int gen[2];
    int64_t gen_first_pn[2];
    int gen_acked[2];
    /* PATH_CHALLENGE data per sender */
    uint8_t challenge[2][SPEC_MAX_CHALLENGES][8];
    size_t nchallenge[2];
    /* streams and CRYPTO */
    spec_stream *streams;
    size_t nstreams, cap_streams;
    spec_data crypto[3][2];     /* per epoch Initial, Handshake, 1-RTT; per sender */
    uint64_t max_data[2];       /* the largest MAX_DATA the peer of each sender sent */
    uint64_t max_streams[2][2]; /* per sender, [0] bidi [1] uni: the peer's MAX_STREAMS */
    uint64_t sent_sum[2];       /* sum of stream highest offsets per sender */
    int max_data_reported[2], max_streams_reported[2][2];
    int zero_len_scid[2]; /* the sender's long headers carry a zero-length SCID */
    /* connection IDs per issuer: the ones issued by sequence number, the largest Retire
     * Prior To it sent, those the peer retired */
    quire_cid_val cid[2][SPEC_MAX_CID_SEQ];
    uint8_t cid_issued[2][SPEC_MAX_CID_SEQ / 8], cid_retired[2][SPEC_MAX_CID_SEQ / 8];
    uint64_t cid_rpt[2];
    uint64_t cid_max[2]; /* the largest sequence number issued in NEW_CONNECTION_ID */
    int cid_overflow[2], cid_limit_reported[2];
    int reported[R_COUNT][2]; /* violations already reported per rule and sender */
} spec_conn;

#define QUIRE_SPEC_MAX_DATA (16u << 20) /* bytes compared per stream */
#define SPEC_MAX_PN (1u << 22)          /* packet numbers tracked per space, from the first */

/* Records a violation of rule by sender (0 client, 1 server) at frame. At most a few per
 * rule, connection and sender are kept; all are counted. */
void spec_report(quire_spec *s, spec_conn *c, int rule, int sender, uint64_t frame, const char *fmt,
                 ...) __attribute__((format(printf, 6, 7)));
/* Notes that rule had something to judge (see quire_spec_rules_judged). */
#define spec_checked(s, rule) ((s)->checked[rule]++)
/* 1 when the rule is on. */
int spec_on(const quire_spec *s, int rule);
/* 1 when the capture is next to sender (its packets are in its sending order). */
int spec_near(const quire_spec *s, int sender);
/* FNV-1a. */
uint64_t spec_hash(const uint8_t *p, size_t len);
/* 1 when k was authenticated (its AEAD opened; its frames may still be malformed): only then
 * are its header fields the sender's. A packet damaged on the way (a corrupting link) fails
 * this and is no evidence against anyone. */
int spec_authentic(const quire_packet *k);

/* The themed checks, called per packet in this order (step) and per connection at the end. */
/* Returns 0 for a network duplicate of a packet seen before, which the others skip. */
int spec_packet_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p);
void spec_tp_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p);
void spec_tp_finish(quire_spec *s, spec_conn *c, const quire_conn *qc);
void spec_cid_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p);
void spec_cid_finish(quire_spec *s, spec_conn *c, const quire_conn *qc);
void spec_flow_step(quire_spec *s, spec_conn *c, const quire_conn_packet *p);
void spec_flow_free(spec_conn *c);

/* Adds data at offset to d and compares it with what d held there: returns the offset of the
 * first differing byte + 1, 0 when it matches (or is not compared), or QUIRE_ERR_NOMEM. */
int64_t spec_data_add(spec_data *d, uint64_t offset, const uint8_t *data, uint64_t len);
void spec_data_free(spec_data *d);

#endif
