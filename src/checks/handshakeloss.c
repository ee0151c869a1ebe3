/* Check of the `handshakeloss` test case (QIR's TestCaseHandshakeLoss, abbreviation L1):
 * TESTCASE multiconnect, 50 files of 1 KiB, each over its own connection, with 30 % loss in
 * bursts of up to 3 each way (timeout 300 s): as many handshakes as files, version 1 only, the
 * files intact. */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_handshakeloss(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, d->nfiles, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    snprintf(why, whylen, "%zu handshakes, one per file; %s", d->server->nhs, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_handshakeloss(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_handshakeloss, why, whylen);
}
