/* The checks of QIR's WebTransport suite (testcases_webtransport.py), as functions of what a
 * finished test left behind, so unit tests drive them with files in a temporary directory:
 * exactly one handshake, the negotiated protocol on both sides (handshake), the files of the
 * receiving side (transfer-*). The handshake count comes from the trace (facts.h) and is passed
 * in by the caller. */
#ifndef QUIRE_CHECKS_WEBTRANSPORT_H
#define QUIRE_CHECKS_WEBTRANSPORT_H

#include <stddef.h>

#include "report/result.h" /* quire_verdict */

/* handshake: nhandshakes must be 1, and the client's and the server's negotiated_protocol.txt
 * (in client_downloads / server_downloads, surrounding whitespace stripped, as Python's strip())
 * must both equal the client's first protocol that the server also lists. Lists are
 * space-separated. Returns SUCCEEDED, or FAILED with the reason in why (also when the lists
 * share no protocol, a file is missing or a side chose another protocol). */
quire_verdict quire_wt_check_handshake(size_t nhandshakes, const char *protocols_client,
                                       const char *protocols_server, const char *client_downloads,
                                       const char *server_downloads, char *why, size_t whylen);

/* transfer-*: nhandshakes must be 1; <download_root>/<endpoint>/ must be a directory holding
 * each of files[] byte-identical to <source_root>/<endpoint>/<file> and nothing else (the
 * download root is the client's for "receive", the server's for "send"). Returns SUCCEEDED, or
 * FAILED with the reason in why. */
quire_verdict quire_wt_check_transfer(size_t nhandshakes, const char *source_root,
                                      const char *download_root, const char *endpoint,
                                      const char *const *files, size_t nfiles, char *why,
                                      size_t whylen);

/* What quire_judge_webtransport reads through quire_check_data's arg: the case and the
 * finished test's directories (the lifecycle's, run/wtrun.h). */
typedef struct quire_wt_judge_arg {
    int handshake;                 /* 1: the handshake case, else a transfer-* case */
    const char *protocols_client;  /* PROTOCOLS_CLIENT / PROTOCOLS_SERVER as given */
    const char *protocols_server;
    const char *client_downloads;  /* the roles' /downloads */
    const char *server_downloads;
    const char *source_root;       /* transfer: the sending role's /www ... */
    const char *download_root;     /* ... and the receiving role's /downloads */
    const char *endpoint;          /* the session's endpoint slug */
    const char *const *files;      /* the files under <source_root>/<endpoint>/ */
    size_t nfiles;
} quire_wt_judge_arg;

/* The judge of every WebTransport row (check.h's quire_judge_fn): the handshake count is the
 * server-side capture's (distinct SCIDs of the server's Initials, QIR's _count_handshakes),
 * then quire_wt_check_handshake or quire_wt_check_transfer over d->arg (a
 * quire_wt_judge_arg). No key log is required, as in QIR. Returns their verdict; FAILED when
 * d->arg is NULL. */
struct quire_check_data;
quire_verdict quire_judge_webtransport(const struct quire_check_data *d, char *why,
                                       size_t whylen);

#endif
