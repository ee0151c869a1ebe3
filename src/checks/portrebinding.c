/* Check of the `rebind-port` test case (QIR's TestCasePortRebinding, abbreviation BP; quire also
 * accepts the name portrebinding): TESTCASE transfer, one 10 MiB file while a NAT gives the
 * client a new port after 1 s and every 5 s. Needs a key log; the transfer test's checks; in
 * the server-side capture, the server's first datagram on each new path (QIR's walk, see
 * facts.h) carries a PATH_CHALLENGE, the server used more than one path, and the client
 * answered every such challenge with a PATH_RESPONSE (client-side capture). */
#include "checks/check.h"

#include <stdio.h>
#include <string.h>

quire_verdict quire_judge_portrebinding(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    if ((v = quire_judge_transfer(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    const quire_facts *s = d->server, *c = d->client;
    char p[160];
    if (s->server_paths.bad_frame) {
        char later[96] = "; the server never sent one on that path";
        if (s->server_paths.bad_path_challenge_frame)
            snprintf(later, sizeof later, "; the server's first one on that path is at frame %llu",
                     (unsigned long long)s->server_paths.bad_path_challenge_frame);
        snprintf(why, whylen,
                 "first server packet on new path %s (%s frame %llu) has no PATH_CHALLENGE "
                 "(QIR requires it in that packet)%s",
                 quire_facts_path_str(&s->server_paths.bad_path, p, sizeof p), quire_check_cap(s),
                 (unsigned long long)s->server_paths.bad_frame, later);
        return QUIRE_VERDICT_FAILED;
    }
    if (s->server_paths.nseen <= 1) {
        snprintf(why, whylen, "the server used a single path in %s: no rebinding seen",
                 quire_check_cap(s));
        return QUIRE_VERDICT_FAILED;
    }
    for (size_t i = 0; i < s->nchallenges; i++) {
        int answered = 0;
        for (size_t j = 0; j < c->nresponses && !answered; j++)
            answered = !memcmp(s->challenges[i], c->responses[j], 8);
        if (!answered) {
            snprintf(why, whylen,
                     "PATH_CHALLENGE %02x%02x%02x%02x%02x%02x%02x%02x (%s frame %llu) without a "
                     "PATH_RESPONSE from the client in %s",
                     s->challenges[i][0], s->challenges[i][1], s->challenges[i][2],
                     s->challenges[i][3], s->challenges[i][4], s->challenges[i][5],
                     s->challenges[i][6], s->challenges[i][7], quire_check_cap(s),
                     (unsigned long long)s->challenge_frame[i], quire_check_cap(c));
            return QUIRE_VERDICT_FAILED;
        }
    }
    snprintf(why, whylen, "%zu paths, %zu PATH_CHALLENGEs all answered; %s", s->server_paths.nseen,
             s->nchallenges, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_portrebinding(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_portrebinding, why, whylen);
}
