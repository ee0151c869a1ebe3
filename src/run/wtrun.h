/* One WebTransport test's inputs, made by the lifecycle (run/lifecycle.c) for a row with wt set
 * (QIR's testcases_webtransport.py: get_paths, get_paths_server, additional_envs and the
 * __init__ that writes the files): the endpoint slug, its directory in both roles' /www, the
 * random files in the sending role's one, the REQUESTS of both roles and the PROTOCOLS lists. */
#ifndef QUIRE_WTRUN_H
#define QUIRE_WTRUN_H

#include <stddef.h>

#include "checks/webtransport.h"
#include "run/testcase_wt.h"

#define QUIRE_WT_PROTOCOLS_MAX 512

typedef struct quire_wt_test {
    const quire_wt_testcase *tc;
    char endpoint[64];
    char **files; /* names under <sending www>/<endpoint>/, nfiles of them */
    size_t nfiles;
    char *requests_client; /* URLs https://<host>:443/<endpoint>[/<file>], space-separated */
    char *requests_server; /* "send" cases: <endpoint>/<file> paths; else "" */
    char protocols_client[QUIRE_WT_PROTOCOLS_MAX]; /* PROTOCOLS_CLIENT, space-separated */
    char protocols_server[QUIRE_WT_PROTOCOLS_MAX]; /* PROTOCOLS_SERVER */
    /* the check's input, filled by quire_wt_test_judge_arg */
    quire_wt_judge_arg arg;
} quire_wt_test;

/* Makes <server_www>/<endpoint>/ and <client_www>/<endpoint>/ (both, as QIR), writes the
 * case's files into the sending role's, and fills w (host: of the client's URLs, "server4").
 * handshake: 5 protocols per role, 2 of them shared, at the same two random positions in
 * swapped order; transfer-*: one protocol for both. Returns 0, or QUIRE_ERR_NOMEM /
 * QUIRE_ERR_IO / QUIRE_ERR_CRYPTO with the reason in why (w is then still safe to free). */
int quire_wt_test_prepare(quire_wt_test *w, const quire_wt_testcase *tc, const char *server_www,
                          const char *client_www, const char *host, char *why, size_t whylen);

/* Points w->arg at w and the finished test's four directories; returns &w->arg. */
const quire_wt_judge_arg *quire_wt_test_judge_arg(quire_wt_test *w, const char *server_www,
                                                  const char *client_www,
                                                  const char *server_downloads,
                                                  const char *client_downloads);

void quire_wt_test_free(quire_wt_test *w);

#endif
