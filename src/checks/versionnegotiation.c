/* Check of the `versionnegotiation` test case (QIR's TestCaseVersionNegotiation, abbreviation V,
 * which QIR lists but does not run; quire runs it): the client (TESTCASE versionnegotiation)
 * starts with a version the server does not support and requests https://server4:443/ (no
 * file): in the client-side capture, a Version Negotiation packet whose SCID equals the DCID of
 * the client's first Initial (RFC 9000 Section 17.2.1). */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_versionnegotiation(const quire_check_data *d, char *why, size_t whylen)
{
    const quire_facts *c = d->client;
    if (!c->have_client_initial) {
        snprintf(why, whylen, "no Initial from the client in %s", quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    if (!c->vn_match_frame) {
        if (c->vn_packets)
            snprintf(why, whylen,
                     "the Version Negotiation packet at %s frame %llu does not echo "
                     "the DCID of the client's first Initial (frame %llu) as its SCID",
                     quire_check_cap(c), (unsigned long long)c->vn_first_frame,
                     (unsigned long long)c->first_initial_frame);
        else
            snprintf(why, whylen, "no Version Negotiation packet in %s", quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "Version Negotiation at %s frame %llu answers the Initial at frame %llu",
             quire_check_cap(c), (unsigned long long)c->vn_match_frame,
             (unsigned long long)c->first_initial_frame);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_versionnegotiation(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_versionnegotiation, why, whylen);
}
