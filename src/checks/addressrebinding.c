/* Check of the `rebind-addr` test case (QIR's TestCaseAddressRebinding, abbreviation BA; quire
 * also accepts the name addressrebinding): as rebind-port, the NAT also changing the client's
 * address. Needs a key log; the server sent to more than one client address (server-side
 * capture), then the port rebinding checks. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_addressrebinding(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *s = d->server;
    if (s->nclient_addrs <= 1) {
        char a[64] = "none";
        if (s->nclient_addrs) quire_addr_str(&s->client_addrs[0], a, sizeof a);
        snprintf(why, whylen,
                 "the server saw a single client address (%s) in %s: no address "
                 "rebinding",
                 a, quire_check_cap(s));
        return QUIRE_VERDICT_FAILED;
    }
    if ((v = quire_judge_portrebinding(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    char rest[512];
    snprintf(rest, sizeof rest, "%s", why);
    snprintf(why, whylen, "%zu client addresses; %s", s->nclient_addrs, rest);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_addressrebinding(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_addressrebinding, why, whylen);
}
