/* TLS 1.3 handshake as carried in QUIC CRYPTO frames (RFC 9001 Section 4, RFC 8446 Section 4):
 * per-epoch, per-direction reassembly of CRYPTO data into handshake messages, and a summary of
 * what they say: ClientHello (random, SNI, ALPN, cipher suites, key share groups, PSK, early
 * data, transport parameters), ServerHello / HelloRetryRequest (cipher, random, group),
 * EncryptedExtensions (ALPN, early data accepted, every QUIC transport parameter of RFC 9000
 * Section 18.2 plus version_information (RFC 9368), max_datagram_frame_size (RFC 9221) and
 * grease_quic_bit (RFC 9287)), Certificate, CertificateVerify, Finished, NewSessionTicket. */
#ifndef QUIRE_TLS_H
#define QUIRE_TLS_H

#include <stddef.h>
#include <stdint.h>

/* Transport parameters quire names, by index (the value of tp->mask bit). */
typedef enum quire_tp_id {
    QUIRE_TP_ORIGINAL_DCID = 0,
    QUIRE_TP_MAX_IDLE_TIMEOUT,
    QUIRE_TP_STATELESS_RESET_TOKEN,
    QUIRE_TP_MAX_UDP_PAYLOAD_SIZE,
    QUIRE_TP_INITIAL_MAX_DATA,
    QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL,
    QUIRE_TP_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE,
    QUIRE_TP_INITIAL_MAX_STREAM_DATA_UNI,
    QUIRE_TP_INITIAL_MAX_STREAMS_BIDI,
    QUIRE_TP_INITIAL_MAX_STREAMS_UNI,
    QUIRE_TP_ACK_DELAY_EXPONENT,
    QUIRE_TP_MAX_ACK_DELAY,
    QUIRE_TP_DISABLE_ACTIVE_MIGRATION,
    QUIRE_TP_PREFERRED_ADDRESS,
    QUIRE_TP_ACTIVE_CONNECTION_ID_LIMIT,
    QUIRE_TP_INITIAL_SCID,
    QUIRE_TP_RETRY_SCID,
    QUIRE_TP_VERSION_INFORMATION,
    QUIRE_TP_MAX_DATAGRAM_FRAME_SIZE,
    QUIRE_TP_GREASE_QUIC_BIT,
    QUIRE_TP_COUNT
} quire_tp_id;

typedef enum quire_tp_kind {
    QUIRE_TP_KIND_INT,   /* varint value in val[] */
    QUIRE_TP_KIND_CID,   /* a connection ID */
    QUIRE_TP_KIND_TOKEN, /* 16-byte stateless reset token */
    QUIRE_TP_KIND_FLAG,  /* empty: presence only */
    QUIRE_TP_KIND_PREFERRED_ADDRESS,
    QUIRE_TP_KIND_VERSIONS,
} quire_tp_kind;

#define QUIRE_TP_MAX_UNKNOWN 16
#define QUIRE_TP_MAX_VERSIONS 16

typedef struct quire_cid_val {
    uint8_t len;
    uint8_t id[20];
} quire_cid_val;

typedef struct quire_tp_set {
    int present;                  /* the extension was seen */
    uint32_t mask;                /* bit i: parameter i (quire_tp_id) present */
    uint64_t val[QUIRE_TP_COUNT]; /* integer parameters */
    quire_cid_val odcid, iscid, rscid;
    uint8_t reset_token[16];
    struct {
        uint8_t v4[4];
        uint16_t v4_port;
        uint8_t v6[16];
        uint16_t v6_port;
        quire_cid_val cid;
        uint8_t reset_token[16];
    } preferred_address;
    struct {
        uint32_t chosen;
        uint32_t available[QUIRE_TP_MAX_VERSIONS];
        uint8_t count;
    } version_info;
    uint8_t unknown_count; /* others (e.g. greased 31*N+27), ids kept up to the limit */
    uint64_t unknown_ids[QUIRE_TP_MAX_UNKNOWN];
} quire_tp_set;

#define QUIRE_TLS_MAX_LIST 32

typedef struct quire_tls_info {
    /* ClientHello */
    int client_hello; /* number seen (2 after a HelloRetryRequest) */
    uint8_t client_random[32];
    char sni[256];
    char alpn_offered[256]; /* comma-separated */
    uint16_t ciphers[QUIRE_TLS_MAX_LIST];
    uint8_t cipher_count;
    uint16_t key_share_groups[QUIRE_TLS_MAX_LIST];
    uint8_t key_share_count;
    int psk; /* pre_shared_key offered */
    uint16_t psk_identities;
    int early_data; /* early_data offered */
    quire_tp_set client_tp;
    /* ServerHello */
    int server_hello;
    int hello_retry_request;
    uint8_t server_random[32];
    uint16_t cipher; /* chosen suite, 0 if none */
    uint16_t key_share_group;
    int psk_accepted;
    /* EncryptedExtensions */
    int encrypted_extensions;
    char alpn[256]; /* selected */
    int early_data_accepted;
    quire_tp_set server_tp;
    /* the rest of the flight */
    int certificate_request;
    int certificates; /* Certificate (or CompressedCertificate) messages from the server */
    int cert_count;   /* certificate entries in the server's first Certificate */
    int client_certificates;
    int certificate_verify;
    int server_finished, client_finished;
    int tickets;           /* NewSessionTicket messages */
    int ticket_early_data; /* a ticket allows early data (max_early_data_size > 0) */
    uint32_t max_early_data_size;
    int other_messages; /* end_of_early_data, key_update, unknown types */
    int errors;         /* messages that did not parse */
    char error[160];    /* the first problem */
} quire_tls_info;

/* Reassembly of one CRYPTO stream (one epoch, one direction): data may arrive out of order
 * and repeated; complete handshake messages of the contiguous prefix are parsed once. */
#define QUIRE_TLS_MAX_RANGES 32
#define QUIRE_TLS_MAX_STREAM (1u << 20)

typedef struct quire_tls_stream {
    uint8_t *buf;
    size_t cap;
    size_t contig;                            /* bytes [0, contig) received */
    size_t parsed;                            /* bytes handed to the message parser */
    uint64_t ranges[QUIRE_TLS_MAX_RANGES][2]; /* received [start, end) beyond contig, sorted */
    size_t nranges;
    int from_client;
    int failed; /* gave up (gap list full, too large): further data ignored */
} quire_tls_stream;

void quire_tls_stream_init(quire_tls_stream *s, int from_client);
void quire_tls_stream_free(quire_tls_stream *s);
/* Adds CRYPTO data at offset; parses newly complete messages into info. Returns 0,
 * QUIRE_ERR_NOMEM, or QUIRE_ERR_UNSUPPORTED (beyond QUIRE_TLS_MAX_STREAM or too fragmented:
 * recorded in info->error, the stream stops). */
int quire_tls_stream_add(quire_tls_stream *s, uint64_t offset, const uint8_t *data, size_t len,
                         quire_tls_info *info);

/* Parses one handshake message (type, 24-bit length, body) into info. Returns 0 or
 * QUIRE_ERR_TRUNCATED / QUIRE_ERR_MALFORMED (also counted in info->errors / info->error). */
int quire_tls_parse_message(const uint8_t *msg, size_t len, int from_client, quire_tls_info *info);
/* Parses a quic_transport_parameters extension body into tp. */
int quire_tls_parse_tp(const uint8_t *data, size_t len, quire_tp_set *tp);

/* Names: "TLS_AES_128_GCM_SHA256", group "x25519", parameter "initial_max_data"; NULL if
 * unknown. */
const char *quire_tls_cipher_name(uint16_t suite);
const char *quire_tls_group_name(uint16_t group);
const char *quire_tp_name(quire_tp_id id);
quire_tp_kind quire_tp_kind_of(quire_tp_id id);
uint64_t quire_tp_wire_id(quire_tp_id id);

#endif
