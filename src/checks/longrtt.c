/* Check of the `longrtt` test case (QIR's TestCaseLongRTT, abbreviation LR): TESTCASE handshake
 * over a link with 750 ms one-way delay, so the client's first ClientHello times out: exactly
 * one handshake, version 1 only, the file intact, and at least two client Initials carrying the
 * ClientHello (CRYPTO at offset 0) in the client-side capture. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_longrtt(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    if (c->client_hellos < 2) {
        if (c->client_hellos)
            snprintf(why, whylen,
                     "expected at least 2 ClientHellos from the client, got 1 (%s frame %llu)",
                     quire_check_cap(c), (unsigned long long)c->first_client_hello_frame);
        else
            snprintf(why, whylen,
                     "expected at least 2 ClientHellos from the client, got none in %s",
                     quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "%llu ClientHellos (%s frames %llu..%llu), 1 handshake, %s",
             (unsigned long long)c->client_hellos, quire_check_cap(c),
             (unsigned long long)c->first_client_hello_frame,
             (unsigned long long)c->last_client_hello_frame, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_longrtt(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_longrtt, why, whylen);
}
