/* Check of the `chacha20` test case (QIR's TestCaseChaCha20, abbreviation C20): one 3 MiB file;
 * exactly one handshake, every ClientHello in the client-side capture offers only
 * TLS_CHACHA20_POLY1305_SHA256 (0x1303), version 1 only, the file intact. */
#include "checks/check.h"

#include <stdio.h>

#include "trace/tls.h"

quire_verdict quire_judge_chacha20(const quire_check_data *d, char *why, size_t whylen)
{
    quire_verdict v;
    if ((v = quire_check_handshakes(d, 1, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    const quire_facts *c = d->client;
    size_t hellos = 0;
    for (size_t i = 0; i < c->nconns; i++) {
        const quire_facts_conn *k = &c->conns[i];
        if (!k->client_hello) continue;
        hellos++;
        if (k->cipher_count == 1 && k->ciphers[0] == 0x1303) continue;
        char list[256] = "";
        size_t off = 0;
        for (size_t j = 0; j < k->cipher_count && off < sizeof list; j++) {
            const char *name = quire_tls_cipher_name(k->ciphers[j]);
            off +=
                (size_t)(name ? snprintf(list + off, sizeof list - off, "%s%s", j ? ", " : "", name)
                              : snprintf(list + off, sizeof list - off, "%s0x%04x", j ? ", " : "",
                                         k->ciphers[j]));
        }
        snprintf(why, whylen,
                 "expected only TLS_CHACHA20_POLY1305_SHA256 to be offered; the ClientHello of "
                 "the connection starting at %s frame %llu offers %s",
                 quire_check_cap(c), (unsigned long long)k->first_frame,
                 k->cipher_count ? list : "nothing");
        return QUIRE_VERDICT_FAILED;
    }
    if (!hellos) {
        snprintf(why, whylen, "no ClientHello decoded in %s: cannot see the offered ciphers",
                 quire_check_cap(c));
        return QUIRE_VERDICT_FAILED;
    }
    if ((v = quire_check_version_and_files(d, why, whylen)) != QUIRE_VERDICT_NONE) return v;
    snprintf(why, whylen, "only TLS_CHACHA20_POLY1305_SHA256 offered, 1 handshake, %s",
             d->files_why);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_check_chacha20(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_chacha20, why, whylen);
}
