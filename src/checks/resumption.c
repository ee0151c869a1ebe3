/* Check of the `resumption` test case (QIR's TestCaseResumption, abbreviation R): two files (5
 * and 10 KiB) over two connections, the second resuming the first's TLS session: needs a key
 * log; exactly two handshakes; in the client-side capture the first connection's server sent a
 * Certificate and the second's did not; version 1 only; the files intact. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_resumption(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_handshakes(d, 2, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    const char *cap = quire_check_cap(c);
    const quire_facts_conn *hs[2] = {NULL, NULL};
    size_t n = 0;
    for (size_t i = 0; i < c->nconns; i++)
        if (c->conns[i].server_hello) {
            if (n < 2) hs[n] = &c->conns[i];
            n++;
        }
    if (n != 2) {
        snprintf(why, whylen, "expected 2 connections with a ServerHello in %s, found %zu", cap, n);
        return QUIRE_VERDICT_FAILED;
    }
    if (!hs[0]->certificates) {
        snprintf(why, whylen,
                 "no Certificate in the first handshake (connection starting at %s frame %llu): "
                 "undecryptable, or the first connection already resumed",
                 cap, (unsigned long long)hs[0]->first_frame);
        return QUIRE_VERDICT_FAILED;
    }
    if (hs[1]->certificates) {
        snprintf(why, whylen,
                 "server sent a Certificate in the second handshake (connection starting at %s "
                 "frame %llu): the session was not resumed",
                 cap, (unsigned long long)hs[1]->first_frame);
        return QUIRE_VERDICT_FAILED;
    }
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    snprintf(why, whylen,
             "second handshake (%s frame %llu) resumed without a Certificate; 2 handshakes, %s",
             cap, (unsigned long long)hs[1]->first_frame, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_resumption(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_resumption, why, whylen);
}
