/* Check of the `handshakecorruption` test case (QIR's TestCaseHandshakeCorruption, abbreviation
 * C1): as handshakeloss, with 30 % corruption instead of loss: as many handshakes as files,
 * version 1 only, the files intact. */
#include "checks/check.h"

quire_verdict quire_check_handshakecorruption(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_handshakeloss, why, whylen);
}
