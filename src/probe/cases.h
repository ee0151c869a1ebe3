/* quire probe's conformance cases: a table with one row per case (name, RFC section, the
 * reaction the RFC requires and how strongly, the misbehaviour, the judge). Each case runs on
 * a fresh connection to the server under test: the frame cases complete a handshake and then
 * send one 1-RTT packet the RFC forbids; the transport-parameter cases break the ClientHello;
 * the packet cases send datagrams that must be dropped or answered with Version Negotiation;
 * a few check required positive reactions (ACK, PATH_RESPONSE, HANDSHAKE_DONE and a response).
 * The cases' names are stable: scripts and results use them. */
#ifndef QUIRE_PROBE_CASES_H
#define QUIRE_PROBE_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "probe/judge.h"
#include "probe/pconn.h"
#include "probe/wire.h"

/* Where and how to probe. */
typedef struct quire_pctx {
    struct sockaddr_storage peer;
    socklen_t peer_len;
    const char *alpn; /* NULL: hq-interop */
    const char *sni;  /* NULL: "server" */
    const char *path; /* what the handshake case requests */
    uint64_t wait_ms; /* how long to wait for a reaction */
    uint64_t handshake_ms;
    FILE *keylog;
    quire_pcapw *pcap;
} quire_pctx;

typedef struct quire_presult {
    quire_pverdict verdict;
    char why[320];
    uint64_t pcap_first, pcap_last; /* the case's records in the pcap */
} quire_presult;

struct quire_pcase;
typedef void (*quire_pcase_run_fn)(const quire_pctx *ctx, const struct quire_pcase *pc,
                                   quire_presult *r);
/* Builds the 1-RTT frames of a frame case into w after the handshake. Returns 0, or 1 with a
 * reason in na when the server's parameters make the case not applicable. */
typedef int (*quire_pcase_build_fn)(quire_pconn *c, quire_wire *w, char *na, size_t nacap);
/* Changes the ClientHello of a handshake case. */
typedef void (*quire_pcase_setup_fn)(quire_pconn_opts *o, quire_tpenc_mod *m);

typedef struct quire_pcase {
    const char *name;
    const char *rfc;      /* "RFC 9000 19.20" */
    const char *requires; /* the reaction, as the RFC words it */
    const char *level;    /* "MUST" or "SHOULD" */
    quire_pcase_run_fn run;
    quire_pcase_build_fn build;
    quire_pcase_setup_fn setup;
    uint64_t codes[3]; /* accepted transport error codes */
    size_t ncodes;
    uint8_t reserved; /* reserved header bits set on the packet */
    int noack;        /* the misbehaving packet carries no ACK of ours */
    int app;          /* codes are HTTP/3 codes of an application CONNECTION_CLOSE (0x1d) */
    int h3;           /* needs ALPN h3 (--alpn h3); not applicable otherwise */
} quire_pcase;

/* The table, in the order cases run. */
const quire_pcase *quire_pcase_table(size_t *n);
/* The case named name, or NULL. */
const quire_pcase *quire_pcase_find(const char *name);
/* Runs one case; r always gets a verdict and a reason. */
void quire_pcase_run(const quire_pctx *ctx, const quire_pcase *pc, quire_presult *r);

/* The frame builders, for the unit tests: same signature as quire_pcase_build_fn. */
int quire_pcase_build(const quire_pcase *pc, quire_pconn *c, quire_wire *w, char *na,
                      size_t nacap);

#endif
