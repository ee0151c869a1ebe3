/* quire probe's QUIC client connection (RFC 9000, RFC 9001): one connected UDP socket to the
 * server under test, TLS 1.3 through GnuTLS's QUIC interface (probe/qtls.c), packet protection
 * through trace/keys.h and trace/packet.h (the same code that decodes captures), Initial
 * packets padded to 1200 bytes, ACKs for every packet number space, CRYPTO reassembly, the
 * HANDSHAKE_DONE that confirms the handshake, one hq-interop request on a bidirectional
 * stream, and, for the cases, packets with any frames the caller builds. Everything the server
 * sends is recorded frame by frame in an observation (quire_pobs) that the case judges read,
 * and every datagram both ways goes to the probe's pcap and every secret to its key log, so
 * `quire trace` decodes the probe's own traffic. Every loop is bounded by a deadline and a
 * count; the socket only ever talks to the one address it was created for. */
#ifndef QUIRE_PROBE_PCONN_H
#define QUIRE_PROBE_PCONN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "probe/tpenc.h"
#include "sim/pcapw.h"
#include "trace/frames.h"
#include "trace/packet.h"
#include "trace/tls.h"
#include "util/buf.h"

#define QUIRE_POBS_MAX_EVENTS 512
#define QUIRE_POBS_MAX_VERSIONS 16

/* One frame (or, kind == QUIRE_FRAME_KINDS, one undecodable frame) the server sent. */
typedef struct quire_pobs_event {
    quire_packet_type ptype;
    uint64_t pn;
    uint64_t frame; /* record number in the probe's pcap (1-based) */
    quire_frame_kind kind;
    uint64_t type;
    uint64_t error, frame_type; /* CONNECTION_CLOSE */
    int app;
} quire_pobs_event;

/* What the server did since the last quire_pobs_reset(): the only input of a judge. */
typedef struct quire_pobs {
    int closed; /* a CONNECTION_CLOSE arrived */
    quire_pobs_event close;
    char close_reason[128];
    int vn; /* a Version Negotiation packet arrived */
    uint32_t vn_versions[QUIRE_POBS_MAX_VERSIONS];
    size_t vn_count;
    int vn_cids_echoed; /* its CIDs are ours swapped (RFC 9000 Section 17.2.1) */
    uint64_t vn_frame;
    int path_response; /* a PATH_RESPONSE arrived; its data: */
    uint8_t path_data[8];
    int acked[QUIRE_PN_SPACE_COUNT]; /* an ACK arrived; the largest acknowledged: */
    uint64_t acked_largest[QUIRE_PN_SPACE_COUNT];
    int key_update; /* a 1-RTT packet of the next key phase opened (RFC 9001 Section 6) */
    uint64_t datagrams, bytes; /* UDP datagrams and payload bytes received */
    uint64_t undecryptable;    /* packets that did not open */
    size_t nevents;
    uint64_t lost_events; /* beyond QUIRE_POBS_MAX_EVENTS */
    quire_pobs_event events[QUIRE_POBS_MAX_EVENTS];
} quire_pobs;

void quire_pobs_reset(quire_pobs *o);
/* Records one decoded frame of a packet of type ptype, number pn, in pcap record frame:
 * appends an event and sets closed / path_response / acked. f NULL records an undecodable
 * frame (type unknown). */
void quire_pobs_frame(quire_pobs *o, quire_packet_type ptype, uint64_t pn, uint64_t frame,
                      const quire_frame *f);

/* How the connection misbehaves from the start (the cases that break the handshake). */
typedef struct quire_pconn_opts {
    const char *alpn; /* "hq-interop" when NULL */
    const char *sni;  /* "server" when NULL */
    uint32_t version; /* QUIRE_QUIC_V1 when 0 */
    const quire_tpenc_mod *tp_mod;
    int no_tp_ext;  /* do not send quic_transport_parameters at all */
    int no_padding; /* do not pad the client's Initial datagrams to 1200 bytes */
    /* Sent as the payload of one Handshake packet before the client's Finished. */
    const uint8_t *hs_inject;
    size_t hs_inject_len;
    uint8_t hs_inject_reserved; /* reserved header bits of that packet (0x0c: both) */
    /* Appended to the frames of the first Initial, after the ClientHello's CRYPTO frame. */
    const uint8_t *initial_extra;
    size_t initial_extra_len;
    FILE *keylog;      /* NSS key log, may be NULL */
    quire_pcapw *pcap; /* may be NULL */
} quire_pconn_opts;

#define QUIRE_PCONN_MAX_RANGES 16
#define QUIRE_PCONN_SCID_LEN 8

typedef struct quire_pconn {
    quire_pconn_opts opts;
    int fd;
    struct sockaddr_storage peer, local;
    socklen_t peer_len, local_len;
    uint32_t version;
    uint8_t dcid[QUIRE_MAX_CID_LEN], odcid[QUIRE_MAX_CID_LEN], scid[QUIRE_PCONN_SCID_LEN];
    size_t dcid_len, odcid_len;
    int got_server_packet; /* the server's SCID has become our DCID */
    uint8_t token[256];    /* from a Retry */
    size_t token_len;
    int retried;
    quire_keys tx[QUIRE_EPOCH_COUNT], rx[QUIRE_EPOCH_COUNT];
    int have_tx[QUIRE_EPOCH_COUNT], have_rx[QUIRE_EPOCH_COUNT];
    int initial_discarded, handshake_discarded;
    /* 1-RTT key phases (RFC 9001 Section 6): the server's next generation, ready to open its
     * first packet after a key update, and the phase bit of each direction's current keys */
    quire_keys rx_next;
    int have_rx_next;
    int rx_phase, tx_phase;
    uint64_t next_pn[QUIRE_PN_SPACE_COUNT];
    int64_t largest_rx[QUIRE_PN_SPACE_COUNT];
    uint64_t ranges[QUIRE_PN_SPACE_COUNT][QUIRE_PCONN_MAX_RANGES][2]; /* {hi, lo}, descending */
    size_t nranges[QUIRE_PN_SPACE_COUNT];
    int ack_pending[QUIRE_PN_SPACE_COUNT];
    /* CRYPTO streams by epoch: what TLS wrote (sent[] of it sent), what arrived (fed[] of the
     * contiguous prefix given to TLS). */
    quire_buf crypto_out[QUIRE_EPOCH_COUNT];
    size_t crypto_sent[QUIRE_EPOCH_COUNT];
    quire_tls_stream crypto_in[QUIRE_EPOCH_COUNT];
    size_t crypto_fed[QUIRE_EPOCH_COUNT];
    quire_tls_info tls_info; /* the server's handshake messages, parsed */
    void *tls;               /* gnutls_session_t */
    void *cred;              /* gnutls_certificate_credentials_t */
    int tls_complete;        /* gnutls_handshake() returned 0 */
    int confirmed;           /* HANDSHAKE_DONE received (RFC 9001 Section 4.1.2) */
    int tls_error;           /* a GnuTLS error (negative) or alert, 0 if none */
    char tls_why[160];
    uint8_t client_tp[512];
    size_t client_tp_len;
    quire_tp_set server_tp;
    int have_server_tp;
    quire_pobs obs;
    /* the hq-interop response */
    uint64_t req_stream;
    int req_open;
    quire_buf resp;
    int resp_fin;
    uint64_t next_bidi, next_uni; /* next client-initiated stream ids */
    uint64_t sent_datagrams, sent_bytes;
    uint64_t pcap_frame; /* records written to the pcap by this connection's writer so far */
    uint8_t pending_challenge[8];
    int challenge_pending;
    uint8_t rxbuf[65536];                 /* the datagram being read */
    uint8_t plain[QUIRE_PACKET_MAX_OUT];  /* its packets, unprotected */
} quire_pconn;

/* Creates a connection to peer (a connected UDP socket; nothing is sent yet). Returns 0,
 * QUIRE_ERR_IO (socket), QUIRE_ERR_NOMEM, QUIRE_ERR_CRYPTO (TLS set-up) or QUIRE_ERR_INVALID
 * (transport parameters do not fit). On failure *out is NULL. */
int quire_pconn_new(quire_pconn **out, const struct sockaddr *peer, socklen_t peer_len,
                    const quire_pconn_opts *opts);
void quire_pconn_del(quire_pconn *c);

/* Starts the handshake: the ClientHello in an Initial (padded unless opts.no_padding).
 * Returns 0, or QUIRE_ERR_CRYPTO / QUIRE_ERR_IO. */
int quire_pconn_start(quire_pconn *c);
/* Runs the handshake until it is confirmed (HANDSHAKE_DONE), the server closes, TLS fails or
 * timeout_ms passes; retransmits lost flights (at most 6 probe timeouts). Returns 0 when
 * confirmed, QUIRE_ERR_TIMEOUT, QUIRE_ERR_CRYPTO (TLS failed: tls_why), QUIRE_ERR_IO, or
 * QUIRE_ERR_MALFORMED when the server closed (obs.closed). */
int quire_pconn_handshake(quire_pconn *c, uint64_t timeout_ms);
/* Receives for up to timeout_ms, answering with ACKs, until stop(c) is true (stop may be
 * NULL: the whole time). Returns 1 when stop became true, 0 at the deadline, QUIRE_ERR_IO. */
int quire_pconn_wait(quire_pconn *c, uint64_t timeout_ms, int (*stop)(const quire_pconn *c));
/* Receives without sending anything (no ACK, no retransmission) for up to timeout_ms or until
 * idle_ms pass without a datagram. Returns 0 or QUIRE_ERR_IO. */
int quire_pconn_listen(quire_pconn *c, uint64_t timeout_ms, uint64_t idle_ms);

/* Handles one datagram from the server as if it had just arrived (recorded in the pcap,
 * decrypted, its frames observed and acted on; nothing is sent). For tests and fuzzing; never
 * fails: what does not parse is counted in obs. */
void quire_pconn_input(quire_pconn *c, const uint8_t *data, size_t len);

/* Sends one packet of epoch (INITIAL, HANDSHAKE or 1RTT) with the given frames, pending ACKs
 * of that space first when with_ack; reserved ORs reserved header bits in (0 normally). An
 * Initial is padded to a 1200-byte datagram unless opts.no_padding. Returns 0, QUIRE_ERR_NOKEY
 * (no keys for that epoch), QUIRE_ERR_TRUNCATED (too big), QUIRE_ERR_CRYPTO or QUIRE_ERR_IO. */
int quire_pconn_send(quire_pconn *c, quire_epoch epoch, const uint8_t *frames, size_t len,
                     int with_ack, uint8_t reserved);
/* Starts a key update (RFC 9001 Section 6.1): the next 1-RTT packets are protected with the
 * next key generation and the other key phase bit. Returns 0, QUIRE_ERR_NOKEY (no 1-RTT keys)
 * or a quire_keys_update() error. */
int quire_pconn_key_update(quire_pconn *c);

/* Sends a raw datagram (already built); recorded in the pcap. Returns 0 or QUIRE_ERR_IO. */
int quire_pconn_send_raw(quire_pconn *c, const uint8_t *data, size_t len);

/* Sends "GET /path\r\n" with FIN on the next client bidirectional stream (hq-interop) and
 * waits up to timeout_ms for the whole response. Returns 0 (resp holds it, resp_fin set),
 * QUIRE_ERR_TIMEOUT, QUIRE_ERR_MALFORMED (the server closed) or a send error. */
int quire_pconn_get(quire_pconn *c, const char *path, uint64_t timeout_ms);

/* The server's transport parameter id (quire_tp_id), or def when it did not send it. */
uint64_t quire_pconn_server_tp(const quire_pconn *c, int id, uint64_t def);

/* Monotonic milliseconds. */
uint64_t quire_pconn_now_ms(void);

/* Used by probe/qtls.c: CRYPTO data TLS wants sent at an epoch, a secret it derived, a key
 * log line. Each returns 0 or a negative QUIRE_ERR_*. */
int quire_pconn_tls_data(quire_pconn *c, quire_epoch epoch, const uint8_t *data, size_t len);
int quire_pconn_tls_secret(quire_pconn *c, quire_epoch epoch, int write, quire_aead_alg alg,
                           const uint8_t *secret, size_t len);

#endif
