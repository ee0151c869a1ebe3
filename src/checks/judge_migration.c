/* Judges of the test cases about addresses, paths and migration (see check.h). */
#include "checks/check.h"

#include <stdio.h>
#include <string.h>

/* Judge of the `ipv6` test case (QIR's TestCaseIPv6, abbreviation 6): TESTCASE transfer, 5 and
 * 10 KiB requested from https://server6:443/: the transfer test's checks, and no QUIC datagram
 * from the server over IPv4 in the server-side capture. */
quire_verdict quire_judge_ipv6(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_judge_transfer(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    const quire_facts *s = d->server;
    if (s->server_ipv4) {
        snprintf(why, whylen,
                 "%llu QUIC datagrams from the server over IPv4, the first at %s "
                 "frame %llu",
                 (unsigned long long)s->server_ipv4, quire_check_cap(s),
                 (unsigned long long)s->server_ipv4_frame);
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "%llu server datagrams, all IPv6; 1 handshake, %s",
             (unsigned long long)s->server_ipv6, d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

/* Judge of the `rebind-port` test case (QIR's TestCasePortRebinding, abbreviation BP; quire also
 * accepts the name portrebinding): TESTCASE transfer, one 10 MiB file while a NAT gives the
 * client a new port after 1 s and every 5 s. Needs a key log; the transfer test's checks; in
 * the server-side capture, the server's first datagram on each new path (QIR's walk, see
 * facts.h) carries a PATH_CHALLENGE, the server used more than one path, and the client
 * answered every such challenge with a PATH_RESPONSE (client-side capture). */
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

/* Judge of the `rebind-addr` test case (QIR's TestCaseAddressRebinding, abbreviation BA; quire
 * also accepts the name addressrebinding): as rebind-port, the NAT also changing the client's
 * address. Needs a key log; the server sent to more than one client address (server-side
 * capture), then the port rebinding checks. */
quire_verdict quire_judge_addressrebinding(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_need_keylog(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *s = d->server;
    if (s->nclient_addrs <= 1) {
        char a[64] = "none";
        if (s->nclient_addrs) quire_addr_str(&s->client_addrs[0], a, sizeof a);
        snprintf(why, whylen,
                 "the server saw a single client address (%s) in %s: no address "
                 "rebinding",
                 a, quire_check_cap(s));
        return QUIRE_VERDICT_FAILED;
    }
    if ((v = quire_judge_portrebinding(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    char rest[512];
    snprintf(rest, sizeof rest, "%s", why);
    snprintf(why, whylen, "%zu client addresses; %s", s->nclient_addrs, rest);
    return QUIRE_VERDICT_SUCCEEDED;
}

/* Judge of the `connectionmigration` test case (QIR's TestCaseConnectionMigration, abbreviation
 * CM): the server (TESTCASE connectionmigration) offers a preferred_address, the client
 * (TESTCASE transfer) downloads 2 MiB from https://server46:443/ and migrates to it: the port
 * rebinding checks (new paths validated by PATH_CHALLENGE / PATH_RESPONSE), and in the
 * client-side capture the client's first packet on each new path uses a new DCID. */
quire_verdict quire_judge_connectionmigration(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_judge_portrebinding(d, why, whylen)) != QUIRE_VERDICT_SUCCEEDED) return v;
    const quire_facts *c = d->client;
    if (c->client_paths.bad_frame) {
        char p[160];
        snprintf(why, whylen,
                 "first client packet after migrating to %s (%s frame %llu) reuses the previous "
                 "path's DCID",
                 quire_facts_path_str(&c->client_paths.bad_path, p, sizeof p), quire_check_cap(c),
                 (unsigned long long)c->client_paths.bad_frame);
        return QUIRE_VERDICT_FAILED;
    }
    char rest[512];
    snprintf(rest, sizeof rest, "%s", why);
    snprintf(why, whylen, "%llu client migration%s, new DCID on each; %s",
             (unsigned long long)c->client_paths.new_paths,
             c->client_paths.new_paths == 1 ? "" : "s", rest);
    return QUIRE_VERDICT_SUCCEEDED;
}
