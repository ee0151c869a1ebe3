/* The check interface of the test cases: what a finished test is judged on. Each test case has
 * one check function in its own file (checks/<testcase>.c) that reads a quire_check_ctx — the
 * served and downloaded files, the endpoints' exit statuses, the captures in the sim directory —
 * and returns a verdict with a one-line explanation. This file also holds the parts every check
 * shares: the exit-status rules (127 = unsupported, as QIR) and the file comparison (every
 * requested file downloaded, byte-identical, nothing missing, nothing extra). The trace-based
 * parts (handshake count, version, Retry) come with the trace analyzer. */
#ifndef QUIRE_CHECK_H
#define QUIRE_CHECK_H

#include <stddef.h>

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
} quire_check_ctx;

typedef quire_verdict (*quire_check_fn)(const quire_check_ctx *ctx, char *why, size_t whylen);

/* The exit-status rules shared by every test case, applied before the test's own check:
 * 127 from either endpoint = unsupported; a client that did not exit 0, hit the timeout or
 * died of a signal = failed; a server that ended by itself (it must serve until stopped) with
 * a non-zero code = failed. Returns QUIRE_VERDICT_NONE when the test's own check must decide. */
quire_verdict quire_check_exits(const quire_check_ctx *ctx, char *why, size_t whylen);

/* Compares the downloads with the served files: each of ctx->files present in downloads_dir
 * as a regular file, same size, same bytes; no other entry in downloads_dir. */
quire_verdict quire_check_files(const quire_check_ctx *ctx, char *why, size_t whylen);

/* Describes an exit ("exit code 1", "killed at the 60 s timeout", ...) into buf. */
const char *quire_check_exit_str(const quire_exit *e, unsigned timeout_s, char *buf, size_t len);

/* The checks of the test cases, one file each under checks/. */
quire_verdict quire_check_handshake(const quire_check_ctx *ctx, char *why, size_t whylen);
quire_verdict quire_check_transfer(const quire_check_ctx *ctx, char *why, size_t whylen);

#endif
