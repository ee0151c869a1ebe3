/* Check of the `multiplexing` test case (QIR's TestCaseMultiplexing, abbreviation M): TESTCASE
 * transfer, 1999 files of 32 bytes over one connection; needs a key log; exactly one handshake,
 * version 1 only, every file intact, and the server's initial_max_streams_bidi (its transport
 * parameters, decrypted from the client-side capture) at most 1000, so the client must wait for
 * MAX_STREAMS. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_multiplexing(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    int checked = 0;
    uint64_t limit = 0;
    for (size_t i = 0; i < c->nconns; i++) {
        const quire_facts_conn *k = &c->conns[i];
        if (!k->server_tp || !k->has_max_streams_bidi) continue;
        checked = 1;
        limit = k->max_streams_bidi;
        if (limit > 1000) {
            snprintf(why, whylen,
                     "server set initial_max_streams_bidi %llu > 1000 (connection starting at %s "
                     "frame %llu)",
                     (unsigned long long)limit, quire_check_cap(c),
                     (unsigned long long)k->first_frame);
            return QUIRE_VERDICT_FAILED;
        }
    }
    if (!checked) {
        snprintf(why, whylen,
                 "could not check the stream limit: no server transport parameter "
                 "initial_max_streams_bidi decrypted in %s",
                 quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "server stream limit %llu <= 1000, 1 handshake, %s",
             (unsigned long long)limit, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_multiplexing(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_multiplexing, why, whylen);
}
