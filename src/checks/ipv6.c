/* Check of the `ipv6` test case (QIR's TestCaseIPv6, abbreviation 6): TESTCASE transfer, 5 and
 * 10 KiB requested from https://server6:443/: the transfer test's checks, and no QUIC datagram
 * from the server over IPv4 in the server-side capture. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_ipv6(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_judge_transfer(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    const quire_facts *s = d->server;
    if (s->server_ipv4) {
        snprintf(why, whylen,
                 "%llu QUIC datagrams from the server over IPv4, the first at %s "
                 "frame %llu",
                 (unsigned long long)s->server_ipv4, quire_check_cap(s),
                 (unsigned long long)s->server_ipv4_frame);
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "%llu server datagrams, all IPv6; 1 handshake, %s",
             (unsigned long long)s->server_ipv6, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_ipv6(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_ipv6, why, whylen);
}
