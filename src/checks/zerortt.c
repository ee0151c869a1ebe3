/* Check of the `zerortt` test case (QIR's TestCaseZeroRTT, abbreviation Z): 40 files of 32
 * bytes with 250-character names over two connections, the second sending its requests in
 * 0-RTT: exactly two handshakes, version 1 only, the files intact, 0-RTT payload in the
 * client-side capture, and at most 5000 bytes (half the request names) of client 1-RTT payload.
 * As in QIR, PADDING counts (path MTU probes can fail a client); the explanation says how much. */
#include "checks/check.h"

#include <stdio.h>

#define ZERORTT_MAX_1RTT 5000 /* QIR: 0.5 * FILENAMELEN (250) * NUM_FILES (40) */

quire_verdict quire_judge_zerortt(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 2, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    if (!c->zero_rtt_bytes) {
        snprintf(why, whylen, "client sent no 0-RTT data (no 0-RTT packet in %s)",
                 quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    if (c->client_1rtt_bytes > ZERORTT_MAX_1RTT) {
        snprintf(why, whylen,
                 "client sent too much in 1-RTT packets: %llu bytes > %d, %llu of them PADDING "
                 "(0-RTT: %llu bytes from %s frame %llu)",
                 (unsigned long long)c->client_1rtt_bytes, ZERORTT_MAX_1RTT,
                 (unsigned long long)c->client_1rtt_padding, (unsigned long long)c->zero_rtt_bytes,
                 quire_check_cap(c), (unsigned long long)c->first_0rtt_frame);
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen,
             "0-RTT: %llu bytes in %llu packets (first at %s frame %llu), 1-RTT: %llu bytes; "
             "2 handshakes, %s",
             (unsigned long long)c->zero_rtt_bytes, (unsigned long long)c->zero_rtt_packets,
             quire_check_cap(c), (unsigned long long)c->first_0rtt_frame,
             (unsigned long long)c->client_1rtt_bytes, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_zerortt(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_zerortt, why, whylen);
}
