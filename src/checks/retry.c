/* Check of the `retry` test case (QIR's TestCaseRetry, abbreviation S): one 10 KiB file; the
 * server sends a Retry: exactly one handshake, version 1 only, the file intact, at least one
 * Retry with a token in the client-side capture, and a later client Initial carrying one of
 * those tokens with a packet number above every token-less Initial before it (RFC 9000 Section
 * 17.2.5.3: the client must not reset its packet numbers). */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_retry(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    const char *cap = quire_check_cap(c);
    if (c->retry_empty_token_frame) {
        snprintf(why, whylen, "Retry packet without a token: %s frame %llu", cap,
                 (unsigned long long)c->retry_empty_token_frame);
        return QUIRE_VERDICT_FAILED;
    }
    if (!c->retries) {
        snprintf(why, whylen, "no Retry packet in %s", cap);
        return QUIRE_VERDICT_FAILED;
    }
    if (c->retry_decided < 0) {
        snprintf(why, whylen,
                 "client reset its packet number: the Initial with the Retry token at %s frame "
                 "%llu has packet number %llu, not above %lld of its earlier Initials",
                 cap, (unsigned long long)c->retry_decided_frame,
                 (unsigned long long)c->retry_decided_pn, (long long)c->highest_pn_before_token);
        return QUIRE_VERDICT_FAILED;
    }
    if (c->retry_decided == 0) {
        snprintf(why, whylen,
                 "no client Initial uses the token of the Retry at %s frame %llu (%llu Retr%s)",
                 cap, (unsigned long long)c->first_retry_frame, (unsigned long long)c->retries,
                 c->retries == 1 ? "y" : "ies");
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen,
             "Retry at %s frame %llu; its token used by the Initial at frame %llu (packet number "
             "%llu); 1 handshake, %s",
             cap, (unsigned long long)c->first_retry_frame,
             (unsigned long long)c->retry_decided_frame, (unsigned long long)c->retry_decided_pn,
             d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_retry(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_retry, why, whylen);
}
