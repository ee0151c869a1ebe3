/* Check of the `transfer` test case (QIR's TestCaseTransfer, abbreviation DC): three files (2, 3
 * and 5 MiB) over one connection: exactly one handshake, version 1 only, every file intact. The
 * same judge serves every test whose QIR check is "one handshake, version and files": http3,
 * blackhole, transferloss and transfercorruption (their own files, see those). */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_transfer(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    snprintf(why, whylen, "1 handshake (%s frame %llu), version 0x1, %s",
             quire_check_cap(d->server), (unsigned long long)d->server->hs[0].frame, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_transfer(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_transfer, why, whylen);
}
