/* Check of the `ecn` test case (QIR's TestCaseECN, abbreviation E): one 100 KiB file; needs a
 * key log; the handshake test's checks, then for each side: its QUIC datagrams (client side:
 * client-side capture; server side: server-side capture) carry ECT(0) or ECT(1) (QIR: some,
 * not all) and never CE, and it sent ACK frames with ECN counts. */
#include "checks/check.h"

#include <stdio.h>

/* Judges one sender (0 client, 1 server); returns 1 when fine, else writes why. */
static int side_ok(const quire_facts *f, int s, char *why, size_t whylen)
{
    const char *who = s ? "server" : "client";
    const uint64_t *e = f->ecn[s];
    if (!e[1] && !e[2]) {
        snprintf(why, whylen,
                 "%s did not mark any packet ECT(0) or ECT(1) (%llu not-ECT "
                 "datagrams in %s)",
                 who, (unsigned long long)e[0], quire_check_cap(f));
        return 0;
    }
    if (!f->ack_ecn[s]) {
        snprintf(why, whylen, "%s did not send any ACK frame with ECN counts (%s)", who,
                 quire_check_cap(f));
        return 0;
    }
    if (e[3]) {
        snprintf(why, whylen, "%llu %s datagrams marked CE, the first at %s frame %llu",
                 (unsigned long long)e[3], who, quire_check_cap(f),
                 (unsigned long long)f->first_ce_frame[s]);
        return 0;
    }
    return 1;
}

quire_verdict quire_judge_ecn(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_judge_handshake(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    /* ACK_ECN of a side is looked for in its own capture, as QIR does */
    if (!side_ok(d->client, 0, why, whylen) || !side_ok(d->server, 1, why, whylen))
        return QUIRE_VERDICT_FAILED;
    snprintf(why, whylen,
             "ECN: client %llu ECT(0) + %llu ECT(1) datagrams, server %llu + %llu, no CE; ACK_ECN "
             "from both; %s",
             (unsigned long long)d->client->ecn[0][2], (unsigned long long)d->client->ecn[0][1],
             (unsigned long long)d->server->ecn[1][2], (unsigned long long)d->server->ecn[1][1],
             d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_ecn(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_ecn, why, whylen);
}
