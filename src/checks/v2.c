/* Check of the `v2` test case (QIR's TestCaseV2, abbreviation V2): one 1 KiB file; the server
 * picks QUIC v2 (0x6b3343cf, RFC 9369) by compatible version negotiation (RFC 9368): the
 * client's Initials include version 1 (client-side capture), the server's Initials include v2
 * (server-side capture), every Handshake packet of either side is v2, and the file is intact. */
#include "checks/check.h"

#include <stdio.h>

#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu

static quire_verdict want(const quire_facts *f, const quire_facts_versions *s, const char *what,
                          int only, char *why, size_t whylen)
{
    uint32_t v = s == &f->client_initial ? QUIC_V1 : QUIC_V2;
    if (quire_facts_has_version(s, v) && (!only || s->n == 1)) return QUIRE_VERDICT_NONE;
    char b[256];
    snprintf(why, whylen, "%s: expected %s0x%x, got %s in %s", what, only ? "only " : "",
             (unsigned)v, quire_facts_versions_str(s, b, sizeof b), quire_check_cap(f));
    return QUIRE_VERDICT_FAILED;
}

quire_verdict quire_judge_v2(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    const quire_facts *c = d->client, *s = d->server;
    if ((v = want(c, &c->client_initial, "client Initial", 0, why, whylen)) != QUIRE_VERDICT_NONE ||
        (v = want(s, &s->server_initial, "server Initial", 0, why, whylen)) != QUIRE_VERDICT_NONE ||
        (v = want(c, &c->client_handshake, "client Handshake", 1, why, whylen)) !=
            QUIRE_VERDICT_NONE ||
        (v = want(s, &s->server_handshake, "server Handshake", 1, why, whylen)) !=
            QUIRE_VERDICT_NONE)
        return v;
    if (d->files != QUIRE_VERDICT_SUCCEEDED) {
        snprintf(why, whylen, "%s", d->files_why);
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen,
             "client Initial v1, server Initial v2 from %s frame %llu, Handshakes "
             "v2; %s",
             quire_check_cap(s), (unsigned long long)s->server_initial.frame[0], d->files_why);
    for (size_t i = 0; i < s->server_initial.n; i++)
        if (s->server_initial.v[i] == QUIC_V2)
            snprintf(why, whylen,
                     "client Initial v1, server Initial v2 from %s frame %llu, "
                     "Handshakes v2; %s",
                     quire_check_cap(s), (unsigned long long)s->server_initial.frame[i],
                     d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_v2(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_v2, why, whylen);
}
