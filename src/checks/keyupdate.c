/* Check of the `keyupdate` test case (QIR's TestCaseKeyUpdate, abbreviation U): the client
 * (TESTCASE keyupdate) updates its keys during a 3 MiB download from the server (TESTCASE
 * transfer): needs a key log; exactly one handshake, version 1 only, the file intact, and 1-RTT
 * packets with key phase 1 from the client (client-side capture) and from the server
 * (server-side capture). */
#include "checks/check.h"

#include <stdio.h>

quire_verdict quire_judge_keyupdate(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client, *s = d->server;
    unsigned long long c0 = c->key_phase[0][0], c1 = c->key_phase[0][1];
    unsigned long long s0 = s->key_phase[1][0], s1 = s->key_phase[1][1];
    if (!c1 || !s1) {
        snprintf(why, whylen,
                 "expected 1-RTT packets with key phase 1 from both sides: client sent %llu with "
                 "phase 0 and %llu with phase 1 (%s), server %llu and %llu (%s)%s",
                 c0, c1, quire_check_cap(c), s0, s1, quire_check_cap(s),
                 !c0 && !s0 ? "; no 1-RTT packet decrypted: wrong key log?" : "");
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen,
             "key phase 1 from the client at %s frame %llu (%llu packets) and from the server at "
             "%s frame %llu (%llu packets); %s",
             quire_check_cap(c), (unsigned long long)c->first_kp1_frame[0], c1, quire_check_cap(s),
             (unsigned long long)s->first_kp1_frame[1], s1, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_keyupdate(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_keyupdate, why, whylen);
}
