/* The check interface of the test cases: what a finished test is judged on. Each test case's
 * row (run/testcase.c) names a judge (checks/judge_<theme>.c); quire_check_run() reads a
 * quire_check_ctx — the served and downloaded files, the endpoints' exit statuses, the captures
 * in the sim directory — and hands the judge what it found; the judge returns a verdict with a
 * one-line explanation. This file also holds the parts every check
 * shares: the exit-status rules (127 = unsupported, as QIR), the file comparison (every
 * requested file downloaded, byte-identical, nothing missing, nothing extra), and the trace
 * rules of QIR's testcase.py (key log required, handshake count, version, Retry) over the facts
 * of both captures (facts.h). Each test case's trace-based part is a judge over
 * quire_check_data, so unit tests drive it with facts built in memory. */
#ifndef QUIRE_CHECK_H
#define QUIRE_CHECK_H

#include <stddef.h>

#include <stdint.h>

#include "checks/facts.h"
#include "report/result.h" /* quire_verdict */

/* How an endpoint process ended. */
typedef enum quire_exit_kind {
    QUIRE_EXIT_NOT_STARTED = 0, /* never started (e.g. the test stopped earlier) */
    QUIRE_EXIT_CODE,            /* exited by itself with `code` */
    QUIRE_EXIT_SIGNAL,          /* died of signal `code` it was not sent by the runner */
    QUIRE_EXIT_STOPPED,         /* still running when the runner stopped it (normal for servers) */
    QUIRE_EXIT_TIMEOUT,         /* killed by the runner at the test timeout */
} quire_exit_kind;

typedef struct quire_exit {
    quire_exit_kind kind;
    int code;
} quire_exit;

typedef struct quire_check_ctx {
    const char *www_dir;       /* what the server served */
    const char *downloads_dir; /* what the client saved */
    const char *const *files;  /* names of the files the client was asked for */
    size_t nfiles;
    const char *sim_dir;        /* captures: trace_node_left.pcap, trace_node_right.pcap */
    const char *server_log_dir; /* server's /logs (keys.log, qlog/) */
    const char *client_log_dir; /* client's /logs */
    quire_exit server;
    quire_exit client;
    unsigned timeout_s; /* the test's timeout, for explanations */
    uint64_t end_ns;    /* CLOCK_REALTIME when the test's processes ended (0: unknown) */
    double *value;      /* measurements: where the check stores the measured value */
    /* The spec rules (spec/spec.h), run in the same walk as the facts when spec_json is not
     * NULL: their verdict on both captures as JSON text (quire_spec_verdict_json), "" when
     * the captures could not be read. */
    char *spec_json;
    size_t spec_json_len;
    const char *const *spec_ignore; /* rules switched off */
    size_t nspec_ignore;
    const void *arg;    /* the judge's own input (WebTransport: quire_wt_judge_arg), or NULL */
} quire_check_ctx;

/* What the trace-based part of a check reads: the facts of both captures (client side =
 * trace_node_left.pcap, server side = trace_node_right.pcap, see facts.h), whether a key log
 * exists, the verdict of the file comparison, and the bytes served. Built by quire_check_load()
 * from a finished test, or in memory by unit tests. */
typedef struct quire_check_data {
    const quire_facts *client; /* capture next to the client */
    const quire_facts *server; /* capture next to the server */
    int keylog;                /* a non-empty SSLKEYLOGFILE from the client or the server */
    quire_verdict files;       /* quire_check_files()'s verdict ... */
    char files_why[256];       /* ... and explanation */
    size_t nfiles;             /* files requested */
    uint64_t bytes;            /* bytes served (goodput) */
    double *value;             /* measurements: the value, when the check succeeds */
    const void *arg;           /* quire_check_ctx's arg */
} quire_check_data;

typedef quire_verdict (*quire_judge_fn)(const quire_check_data *d, char *why, size_t whylen);

/* Runs judge over the finished test in ctx: compares the files, reads the key logs
 * (<client_log_dir>/keys.log, <server_log_dir>/keys.log, both merged into <sim_dir>/keys.log
 * for the decoder and for Wireshark users) and both captures (with the spec rules when
 * ctx->spec_json is set), then calls judge. A capture that cannot be read fails the test,
 * naming the file and the problem. The spec verdict does not change the test's verdict. */
quire_verdict quire_check_run(const quire_check_ctx *ctx, quire_judge_fn judge, char *why,
                              size_t whylen);

/* Shared rules of the judges (QIR's testcase.py), each QUIRE_VERDICT_NONE when it passes:
 * key log required (else unsupported), exactly `want` handshakes (distinct SCIDs of the
 * server's Initials in the server-side capture), the server's Initials only in version 1 and
 * then the files, and no Retry. */
quire_verdict quire_check_need_keylog(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_check_handshakes(const quire_check_data *d, size_t want, char *why,
                                     size_t whylen);
quire_verdict quire_check_version_and_files(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_check_no_retry(const quire_check_data *d, char *why, size_t whylen);
/* The capture's file name without its directory ("trace_node_right.pcap"). */
const char *quire_check_cap(const quire_facts *f);
/* The judges of the test cases, grouped by theme in checks/judge_handshake.c, judge_transfer.c,
 * judge_migration.c and judge_measure.c. Several rows share one: http3, blackhole and
 * transferloss, transfercorruption use quire_judge_transfer; handshakecorruption
 * quire_judge_handshakeloss; crosstraffic quire_judge_goodput. */
quire_verdict quire_judge_handshake(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_transfer(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_longrtt(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_chacha20(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_multiplexing(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_retry(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_resumption(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_zerortt(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_keyupdate(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_ecn(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_amplificationlimit(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_handshakeloss(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_ipv6(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_v2(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_portrebinding(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_addressrebinding(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_connectionmigration(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_versionnegotiation(const quire_check_data *d, char *why, size_t whylen);
quire_verdict quire_judge_goodput(const quire_check_data *d, char *why, size_t whylen);

/* The exit-status rules shared by every test case, applied before the test's own check, as
 * QIR's interop.py _run_test: a client killed at the timeout = failed; exit code 127 from
 * either endpoint = unsupported; the client OR the server exited with code 0 (a server's code
 * after the runner's SIGTERM counts, as compose's "server exited with code 0") = the test's
 * own check decides (QUIRE_VERDICT_NONE); anything else = failed, with the reason. */
quire_verdict quire_check_exits(const quire_check_ctx *ctx, char *why, size_t whylen);

/* Compares the downloads with the served files: each of ctx->files present in downloads_dir
 * as a regular file, same size, same bytes; no other entry in downloads_dir. */
quire_verdict quire_check_files(const quire_check_ctx *ctx, char *why, size_t whylen);

/* Describes an exit ("exit code 1", "killed at the 60 s timeout", ...) into buf. */
const char *quire_check_exit_str(const quire_exit *e, unsigned timeout_s, char *buf, size_t len);

/* Why the capture's last connection may have ended, from the client-side capture's facts: its
 * first CONNECTION_CLOSE (side, frame, error name, reason), else a server that went silent more
 * than a second before the client's last packet, else silence in both directions for more than
 * two seconds before end_ns (when the test ended, CLOCK_REALTIME as the capture's timestamps;
 * 0: unknown), else no packet at all. Writes "" when the capture tells nothing of the kind. */
const char *quire_check_trace_hint(const quire_facts *client_side, uint64_t end_ns, char *buf,
                                   size_t len);

/* For a test whose own check does not run (it failed on an exit status): the spec verdict of
 * both captures into ctx->spec_json alone (nothing when spec_json is NULL; "" when a capture
 * cannot be read). */
void quire_check_spec(const quire_check_ctx *ctx);

/* For a test that failed on an exit status: appends "; " and the trace hint of the client-side
 * capture (read with both key logs) to why, when there is one. */
void quire_check_add_exit_hint(const quire_check_ctx *ctx, char *why, size_t whylen);

#endif
