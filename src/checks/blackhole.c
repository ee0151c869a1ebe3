/* Check of the `blackhole` test case (QIR's TestCaseBlackhole, abbreviation B): TESTCASE transfer,
 * one 10 MiB file while the link blacks out for 2 s every 5 s. QIR's check: exactly one handshake,
 * version 1 only, the files intact. */
#include "checks/check.h"

quire_verdict quire_judge_blackhole(const quire_check_data *d, char *why, size_t whylen)
{
    return quire_judge_transfer(d, why, whylen);
}

quire_verdict quire_check_blackhole(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_blackhole, why, whylen);
}
