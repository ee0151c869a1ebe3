/* Check of the `handshake` test case (QIR's TestCaseHandshake, abbreviation H): the client
 * downloads one 1 KiB file. Today: the file arrived intact. With the trace analyzer this adds
 * QIR's trace checks: exactly one handshake, QUIC version 1 only, no Retry. */
#include "checks/check.h"

quire_verdict quire_check_handshake(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_files(ctx, why, whylen);
}
