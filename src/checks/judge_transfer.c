/* Judges of the test cases about data transfer (see check.h). */
#include "checks/check.h"

#include <stdio.h>

/* Judge of the `transfer` test case (QIR's TestCaseTransfer, abbreviation DC): three files (2, 3
 * and 5 MiB) over one connection: exactly one handshake, version 1 only, every file intact. The
 * same judge serves every test whose QIR check is "one handshake, version and files": the rows
 * of http3, blackhole, transferloss and transfercorruption name it too (run/testcase.c). */
quire_verdict quire_judge_transfer(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    snprintf(why, whylen, "1 handshake (%s frame %llu), version 0x1, %s",
             quire_check_cap(d->server), (unsigned long long)d->server->hs[0].frame, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

/* Judge of the `multiplexing` test case (QIR's TestCaseMultiplexing, abbreviation M): TESTCASE
 * transfer, 1999 files of 32 bytes over one connection; needs a key log; exactly one handshake,
 * version 1 only, every file intact, and the server's initial_max_streams_bidi (its transport
 * parameters, decrypted from the client-side capture) at most 1000, so the client must wait for
 * MAX_STREAMS. */
quire_verdict quire_judge_multiplexing(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    int checked = 0;
    uint64_t limit = 0;
    for (size_t i = 0; i < c->nconns; i++) {
        const quire_facts_conn *k = &c->conns[i];
        if (!k->server_tp || !k->has_max_streams_bidi) continue;
        checked = 1;
        limit = k->max_streams_bidi;
        if (limit > 1000) {
            snprintf(why, whylen,
                     "server set initial_max_streams_bidi %llu > 1000 (connection starting at %s "
                     "frame %llu)",
                     (unsigned long long)limit, quire_check_cap(c),
                     (unsigned long long)k->first_frame);
            return QUIRE_VERDICT_FAILED;
        }
    }
    if (!checked) {
        snprintf(why, whylen,
                 "could not check the stream limit: no server transport parameter "
                 "initial_max_streams_bidi decrypted in %s",
                 quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "server stream limit %llu <= 1000, 1 handshake, %s",
             (unsigned long long)limit, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

/* Judge of the `longrtt` test case (QIR's TestCaseLongRTT, abbreviation LR): TESTCASE handshake
 * over a link with 750 ms one-way delay, so the client's first ClientHello times out: exactly
 * one handshake, version 1 only, the file intact, and at least two client Initials carrying the
 * ClientHello (CRYPTO at offset 0) in the client-side capture. */
quire_verdict quire_judge_longrtt(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    if (c->client_hellos < 2) {
        if (c->client_hellos)
            snprintf(why, whylen,
                     "expected at least 2 ClientHellos from the client, got 1 (%s frame %llu)",
                     quire_check_cap(c), (unsigned long long)c->first_client_hello_frame);
        else
            snprintf(why, whylen,
                     "expected at least 2 ClientHellos from the client, got none in %s",
                     quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "%llu ClientHellos (%s frames %llu..%llu), 1 handshake, %s",
             (unsigned long long)c->client_hellos, quire_check_cap(c),
             (unsigned long long)c->first_client_hello_frame,
             (unsigned long long)c->last_client_hello_frame, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

/* Judge of the `handshakeloss` test case (QIR's TestCaseHandshakeLoss, abbreviation L1):
 * TESTCASE multiconnect, 50 files of 1 KiB, each over its own connection, with 30 % loss in
 * bursts of up to 3 each way (timeout 300 s): as many handshakes as files, version 1 only, the
 * files intact. The row of handshakecorruption (30 % corruption instead of loss) names it too. */
quire_verdict quire_judge_handshakeloss(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, d->nfiles, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    snprintf(why, whylen, "%zu handshakes, one per file; %s", d->server->nhs, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}
