/* Check of the `http3` test case (QIR's TestCaseHTTP3, abbreviation 3): TESTCASE http3, three files
 * (5, 10, 500 KiB) over HTTP/3. QIR's check: exactly one handshake, version 1 only, the files
 * intact. */
#include "checks/check.h"

quire_verdict quire_judge_http3(const quire_check_data *d, char *why, size_t whylen)
{
    return quire_judge_transfer(d, why, whylen);
}

quire_verdict quire_check_http3(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_http3, why, whylen);
}
