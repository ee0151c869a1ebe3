/* Check of the `transfer` test case (QIR's TestCaseTransfer, abbreviation DC): the client
 * downloads three files (2, 3, 5 MiB) over one connection. Today: every file arrived intact,
 * nothing extra. With the trace analyzer this adds QIR's trace checks: exactly one handshake
 * and QUIC version 1 only. */
#include "checks/check.h"

quire_verdict quire_check_transfer(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_files(ctx, why, whylen);
}
