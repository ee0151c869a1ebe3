/* Check of the `transfercorruption` test case (QIR's TestCaseTransferCorruption, abbreviation C2):
 * TESTCASE transfer, one 2 MiB file with 2 % corruption in bursts of up to 3 each way. QIR's check:
 * exactly one handshake, version 1 only, the files intact. */
#include "checks/check.h"

quire_verdict quire_check_transfercorruption(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_transferloss, why, whylen);
}
