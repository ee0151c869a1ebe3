/* Check of the `connectionmigration` test case (QIR's TestCaseConnectionMigration, abbreviation
 * CM): the server (TESTCASE connectionmigration) offers a preferred_address, the client
 * (TESTCASE transfer) downloads 2 MiB from https://server46:443/ and migrates to it: the port
 * rebinding checks (new paths validated by PATH_CHALLENGE / PATH_RESPONSE), and in the
 * client-side capture the client's first packet on each new path uses a new DCID. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_connectionmigration(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_judge_portrebinding(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    const quire_facts *c = d->client;
    if (c->client_paths.bad_frame) {
        char p[160];
        snprintf(why, whylen,
                 "first client packet after migrating to %s (%s frame %llu) reuses the previous "
                 "path's DCID",
                 quire_facts_path_str(&c->client_paths.bad_path, p, sizeof p), quire_check_cap(c),
                 (unsigned long long)c->client_paths.bad_frame);
        return QUIRE_VERDICT_FAILED;
    }
    char rest[512];
    snprintf(rest, sizeof rest, "%s", why);
    snprintf(why, whylen, "%llu client migration%s, new DCID on each; %s",
             (unsigned long long)c->client_paths.new_paths,
             c->client_paths.new_paths == 1 ? "" : "s", rest);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_connectionmigration(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_connectionmigration, why, whylen);
}
