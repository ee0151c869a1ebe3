/* Judges of the measurements (see check.h). */
#include "checks/check.h"

#include <stdio.h>

/* The `goodput` measurement (QIR's MeasurementGoodput, abbreviation G, unit kbps): TESTCASE
 * transfer, one 10 MiB file, five repetitions: exactly one handshake, version 1 only, the file
 * intact; the value is 8 x the file's bytes / the milliseconds from the first to the last
 * server 1-RTT packet in the client-side capture. The row of crosstraffic (one 25 MiB file while
 * an iperf3 TCP flow competes on the link) names it too. */
quire_verdict quire_judge_goodput(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    if (c->server_1rtt < 2 || c->server_1rtt_last_ns <= c->server_1rtt_first_ns) {
        snprintf(why, whylen, "cannot measure: %llu server 1-RTT packets in %s span no time",
                 (unsigned long long)c->server_1rtt, quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    double ms = (double)(c->server_1rtt_last_ns - c->server_1rtt_first_ns) / 1e6;
    double kbps = 8.0 * (double)d->bytes / ms;
    if (d->value) *d->value = kbps;
    snprintf(why, whylen,
             "%.0f kbps: %llu bytes in %.0f ms (server 1-RTT packets %s frames %llu..%llu)", kbps,
             (unsigned long long)d->bytes, ms, quire_check_cap(c),
             (unsigned long long)c->server_1rtt_first_frame,
             (unsigned long long)c->server_1rtt_last_frame);
    return QUIRE_VERDICT_SUCCEEDED;
}
