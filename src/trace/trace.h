/* The trace library entry point: reads a capture (pcap/pcapng) and an optional key log and
 * returns a quire_trace, the structured result that test-case checks read (summary counts,
 * per-connection detail through conn.h, problems with their frame numbers). An optional
 * callback sees every QUIC packet as it is decoded, for per-packet output, so nothing
 * per packet is stored. */
#ifndef QUIRE_TRACE_H
#define QUIRE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/conn.h"
#include "trace/keylog.h"

#define QUIRE_TRACE_MAX_VERSIONS 16
#define QUIRE_TRACE_MAX_CIPHERS 8
#define QUIRE_TRACE_MAX_PROBLEMS 64

typedef struct quire_trace_summary {
    uint64_t packets;        /* capture records */
    uint64_t bytes;          /* captured bytes */
    uint64_t udp;            /* UDP datagrams */
    uint64_t quic_datagrams; /* UDP datagrams holding QUIC packets */
    uint64_t other;          /* records that are not UDP over IP */
    uint64_t fragments;      /* IP fragments (not reassembled) */
    uint64_t bad_frames;     /* records whose link/IP/UDP headers did not decode */
    uint64_t quic_packets;   /* coalesced packets counted one by one */
    uint64_t decrypted, undecryptable, malformed;
    uint64_t types[QUIRE_PACKET_TYPE_COUNT];
    uint64_t frames[QUIRE_FRAME_KINDS];
    uint64_t handshakes; /* connections that sent a ClientHello */
    uint32_t versions[QUIRE_TRACE_MAX_VERSIONS];
    size_t nversions;
    uint16_t ciphers[QUIRE_TRACE_MAX_CIPHERS];
    size_t nciphers;
    uint8_t key_phases; /* bit 0/1: 1-RTT packets with key phase 0/1 decrypted */
    uint64_t first_ts, last_ts;
} quire_trace_summary;

typedef struct quire_trace_problem {
    uint64_t frame; /* 0: not tied to one frame */
    char msg[240];
} quire_trace_problem;

typedef struct quire_trace {
    char capture[256];
    int linktype;
    quire_trace_summary summary;
    quire_conn_table *conns;
    quire_keylog keylog;
    int have_keylog;
    int capture_status; /* 0, or the error that ended reading (truncated file) */
    char capture_error[512];
    quire_trace_problem problems[QUIRE_TRACE_MAX_PROBLEMS];
    size_t nproblems;       /* kept */
    uint64_t problem_count; /* all */
} quire_trace;

typedef void (*quire_trace_packet_cb)(const quire_trace *t, const quire_conn_packet *p, void *arg);

typedef struct quire_trace_opts {
    const char *keylog;              /* NSS key log file, or NULL */
    quire_trace_packet_cb on_packet; /* may be NULL */
    void *arg;
} quire_trace_opts;

/* Reads a whole capture. Returns 0 when the file was read to its end (problems inside
 * packets are counted in t, see quire_trace_clean()), or a negative error when the capture or
 * the key log cannot be used at all: t->capture_error says why. A file cut in the middle of
 * a record returns 0 with t->capture_status set, keeping what was read. t must be freed with
 * quire_trace_free() in every case. */
int quire_trace_run(quire_trace *t, const char *capture, const quire_trace_opts *opts);
/* The same over a capture held in memory (tests, fuzzing). */
int quire_trace_run_mem(quire_trace *t, const void *data, size_t len, const quire_trace_opts *opts);
void quire_trace_free(quire_trace *t);

/* 1 when nothing was malformed, undecryptable or cut short. */
int quire_trace_clean(const quire_trace *t);

size_t quire_trace_conn_count(const quire_trace *t);
const quire_conn *quire_trace_conn(const quire_trace *t, size_t i);

#endif
