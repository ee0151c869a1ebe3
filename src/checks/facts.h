/* What the test-case checks need to know about one capture, gathered in one pass of quire's
 * trace decoder (trace/trace.h) with a per-packet callback: handshakes (distinct SCIDs of server
 * Initials, as QIR counts them), QUIC versions per packet type and sender, ClientHellos sent,
 * Version Negotiation and Retry packets and the client's use of the Retry token, per-connection
 * TLS facts (offered ciphers, certificates, transport parameters), 0-RTT and 1-RTT payload
 * sizes, the server's Handshake CRYPTO length, QIR's amplification-limit walk, key phases, ECN
 * marks and ACK_ECN, IPv4/IPv6, the paths each side used with PATH_CHALLENGE / PATH_RESPONSE
 * data and DCIDs, and the first and last server 1-RTT packet (goodput). Every fact keeps the
 * frame number (1-based, as Wireshark counts) where it was seen, so a verdict can name it.
 * The struct is plain data: unit tests build it in memory to drive each check. */
#ifndef QUIRE_FACTS_H
#define QUIRE_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "checks/observe.h"
#include "trace/net.h"
#include "trace/tls.h"

#define QUIRE_FACTS_MAX_HS 128
#define QUIRE_FACTS_MAX_VERSIONS 8
#define QUIRE_FACTS_MAX_CONNS 128
#define QUIRE_FACTS_MAX_PATHS 32
#define QUIRE_FACTS_MAX_DATA 64
#define QUIRE_FACTS_MAX_TOKENS 8
#define QUIRE_FACTS_MAX_ADDRS 16

/* The QUIC versions seen on one kind of packet, each with the first frame carrying it. */
typedef struct quire_facts_versions {
    uint32_t v[QUIRE_FACTS_MAX_VERSIONS];
    uint64_t frame[QUIRE_FACTS_MAX_VERSIONS];
    size_t n;
    uint64_t packets;
} quire_facts_versions;

/* A handshake: one distinct Source Connection ID of the server's Initial packets. */
typedef struct quire_facts_hs {
    quire_cid_val scid;
    uint64_t frame;
} quire_facts_hs;

/* One connection's TLS facts (from the decoder's per-connection summary). */
typedef struct quire_facts_conn {
    uint64_t first_frame;
    int client_hello, server_hello, certificates, psk_accepted, early_data_accepted;
    uint16_t ciphers[QUIRE_TLS_MAX_LIST];
    uint8_t cipher_count;
    int server_tp; /* the server's transport parameters were decoded */
    int has_max_streams_bidi;
    uint64_t max_streams_bidi;
    /* how far the handshake got: the client's Initial and Handshake packets, the server's
     * HANDSHAKE_DONE frames, packets of each side ([0] client, [1] server) and of them those
     * quire could not decrypt */
    uint64_t client_initials, client_handshakes, handshake_done;
    uint64_t packets[2], undecryptable[2];
} quire_facts_conn;

/* A network path (source and destination address and port of one direction). */
typedef struct quire_facts_path {
    quire_addr src, dst;
    uint16_t sport, dport;
} quire_facts_path;

/* QIR's walk over the packets one side sent: a packet on a path that differs from the last one
 * and was not seen before is the first packet on a new path; it must carry a PATH_CHALLENGE
 * (server side) or a DCID different from the previous path's (client side). */
typedef struct quire_facts_paths {
    quire_facts_path seen[QUIRE_FACTS_MAX_PATHS];
    size_t nseen;
    uint64_t new_paths; /* paths after the first */
    uint64_t bad_frame; /* first new-path packet that failed the requirement, 0 if none */
    quire_facts_path bad_path;
    uint64_t bad_path_challenge_frame; /* server side: a later PATH_CHALLENGE on bad_path */
    /* walking state */
    int have_last;
    quire_facts_path last;
    quire_cid_val last_dcid;
    uint64_t pending_frame; /* first datagram on a new path, requirement not yet met */
    quire_facts_path pending_path;
} quire_facts_paths;

typedef struct quire_facts {
    char capture[256];
    int loaded;      /* the capture was read */
    int have_keys;   /* a key log was given */
    char error[512]; /* why it was not loaded */
    uint64_t quic_packets, undecryptable, records;
    /* handshakes */
    quire_facts_hs hs[QUIRE_FACTS_MAX_HS];
    size_t nhs;
    /* versions by packet type and sender */
    quire_facts_versions server_initial, client_initial, server_handshake, client_handshake;
    /* client Initial packets that carry the start of the ClientHello (CRYPTO at offset 0) */
    uint64_t client_hellos, first_client_hello_frame, last_client_hello_frame;
    /* the client's first Initial */
    int have_client_initial;
    quire_cid_val first_dcid;
    uint64_t first_initial_frame;
    /* Version Negotiation */
    uint64_t vn_packets, vn_first_frame, vn_match_frame; /* match: SCID = first DCID */
    /* Retry (QIR's TestCaseRetry._check_trace, evaluated in packet order) */
    uint64_t retries, first_retry_frame, retry_empty_token_frame;
    uint8_t retry_tokens[QUIRE_FACTS_MAX_TOKENS][128];
    size_t retry_token_len[QUIRE_FACTS_MAX_TOKENS];
    size_t nretry_tokens;
    int64_t highest_pn_before_token; /* client Initials without a token; -1 none */
    int retry_decided;               /* 1 token used, -1 packet number reset */
    uint64_t retry_decided_frame, retry_decided_pn;
    /* connections */
    quire_facts_conn conns[QUIRE_FACTS_MAX_CONNS];
    size_t nconns;
    /* payload sizes (QIR's _payload_size: bytes after the header, tag included) */
    uint64_t zero_rtt_bytes, zero_rtt_packets, first_0rtt_frame;
    uint64_t client_1rtt_bytes;
    uint64_t client_1rtt_padding;  /* of it, PADDING (e.g. path MTU probes) */
    uint64_t server_hs_crypto_end; /* highest offset + length of server Handshake CRYPTO */
    /* QIR's amplification-limit walk over the datagrams before the client's first Handshake */
    struct {
        int done; /* the client's first Handshake packet was reached */
        uint64_t done_frame;
        uint64_t client_bytes;  /* client Initial datagram bytes before it */
        uint64_t server_bytes;  /* server datagram bytes before it */
        uint64_t over3_frame;   /* first server datagram beyond 3x (0: none) */
        uint64_t over4_frame;   /* first server datagram at or beyond 4x: a violation */
        uint64_t vn_frame;      /* a Version Negotiation packet (fails the test) */
        uint64_t unknown_frame; /* a packet whose sender is unknown */
        int stopped;            /* the walk ended (violation or done) */
        int64_t allowed, allowed4;
    } amp;
    /* key phases of decrypted 1-RTT packets: [sender 0 client, 1 server][phase] */
    uint64_t key_phase[2][2];
    uint64_t first_kp1_frame[2];
    /* ECN: IP codepoints of QUIC datagrams by sender, ACK frames with ECN counts by sender */
    uint64_t ecn[2][4];
    uint64_t first_ce_frame[2];
    uint64_t ack_ecn[2];
    /* address families of QUIC datagrams the server sent */
    uint64_t server_ipv4, server_ipv4_frame, server_ipv6;
    /* paths */
    quire_facts_paths server_paths;              /* datagrams the server sent */
    quire_facts_paths client_paths;              /* datagrams the client sent */
    uint8_t challenges[QUIRE_FACTS_MAX_DATA][8]; /* server PATH_CHALLENGE data on new paths */
    uint64_t challenge_frame[QUIRE_FACTS_MAX_DATA];
    size_t nchallenges;
    uint8_t responses[QUIRE_FACTS_MAX_DATA][8]; /* PATH_RESPONSE data the client sent */
    size_t nresponses;
    quire_addr client_addrs[QUIRE_FACTS_MAX_ADDRS]; /* destinations of server datagrams */
    size_t nclient_addrs;
    /* why the last connection ended: the first CONNECTION_CLOSE each side sent in the latest
     * connection it closed ([0] client, [1] server; frame 0: none), and the last QUIC packet each
     * side sent (frame, capture time, its connection). Connections are named by their first
     * frame; 0: no connection matched. */
    struct {
        uint64_t frame, error, conn;
        int app;
        char reason[64]; /* printable characters of the reason phrase, truncated */
    } close[2];
    uint64_t last_frame[2], last_ns[2], last_conn[2];
    /* goodput */
    uint64_t server_1rtt, server_1rtt_first_ns, server_1rtt_last_ns;
    uint64_t server_1rtt_first_frame, server_1rtt_last_frame;
    /* walk state */
    uint64_t cur_frame;
    int cur_from_client;
    int cur_is_new_server_path, cur_challenge;
} quire_facts;

/* Reads capture with the key log keylog (NULL: none) into f. Returns 0, or a negative
 * QUIRE_ERR_* with f->error naming the file and the problem. */
int quire_facts_scan(quire_facts *f, const char *capture, const char *keylog);

/* The facts as one observer of a walk (observe.h), for a consumer that feeds other observers
 * from the same walk: initializes f for capture (its name) read with keylog (NULL: none); the
 * observer's finish marks f loaded. After a walk that failed with rc, call quire_facts_failed()
 * so that f->error says why. Never fails. */
quire_observer quire_facts_observer(quire_facts *f, const char *capture, const char *keylog);
void quire_facts_failed(quire_facts *f, const quire_trace *t, int rc);

/* The same for a capture in memory named name, without a key log (secrets embedded in a pcapng
 * are used, as always); for the fuzz target. */
int quire_facts_scan_mem(quire_facts *f, const char *name, const void *data, size_t len);

/* Initializes f as an empty, loaded capture (what unit tests start from). */
void quire_facts_init(quire_facts *f, const char *name);

/* Adds version v first seen in frame to set s (no duplicates). */
void quire_facts_add_version(quire_facts_versions *s, uint32_t v, uint64_t frame);
int quire_facts_has_version(const quire_facts_versions *s, uint32_t v);
/* "0x1, 0x6b3343cf" into buf. */
const char *quire_facts_versions_str(const quire_facts_versions *s, char *buf, size_t len);
/* "198.18.0.100:4433 -> 198.19.0.100:443" into buf (at least 128 bytes). */
const char *quire_facts_path_str(const quire_facts_path *p, char *buf, size_t len);

#endif
