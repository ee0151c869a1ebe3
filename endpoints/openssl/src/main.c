/*
 * quire-openssl: an hq-interop endpoint over OpenSSL's own QUIC stack (client API since 3.2,
 * listener/server API since 3.5). `quire-openssl server|client`, configured by the endpoint
 * contract's environment (ROLE, TESTCASE, REQUESTS, SSLKEYLOGFILE, QLOGDIR; see
 * endpoints/README.md). Exit 0 success, 1 failure, 127 unsupported test case.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct unsupported {
    const char *testcase;
    const char *reason;
};

/* Test cases neither role can run, with the reason (checked against OpenSSL 4.0's source). */
static const struct unsupported both_unsupported[] = {
    { "zerortt", "OpenSSL's QUIC stack does not implement 0-RTT (early data) in either role" },
    { "http3", "libssl has no HTTP/3 layer; this adapter speaks hq-interop only" },
    { "ecn", "OpenSSL's datagram BIO neither sets nor reads ECN codepoints (no IP_TOS)" },
    { "v2", "OpenSSL's QUIC stack implements QUIC version 1 only (RFC 9000), not v2 (RFC 9369)" },
    { NULL, NULL },
};

static const struct unsupported server_unsupported[] = {
    { "connectionmigration", "OpenSSL's server cannot offer a preferred_address "
                             "(RFC 9000, 9.6)" },
    { NULL, NULL },
};

static const struct unsupported client_unsupported[] = {
    { "versionnegotiation", "OpenSSL's client has no API to send an Initial of an unknown "
                            "version, so it cannot elicit Version Negotiation" },
    { NULL, NULL },
};

/* Test cases each role runs; every other TESTCASE is answered with 127 (QIR's rule). */
static const char *const server_known[] = {
    "handshake", "transfer", "chacha20", "retry", "resumption", "multiconnect",
    /* QIR gives the server "transfer" for keyupdate; quire's wrappers also take "keyupdate". */
    "keyupdate",
    /* The library answers an unknown version with Version Negotiation itself (RFC 9000, 6). */
    "versionnegotiation", NULL,
};
static const char *const client_known[] = {
    "handshake", "transfer", "chacha20", "retry", "resumption", "multiconnect", "keyupdate",
    NULL,
};

static int known(const char *const *list, const char *tc)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, tc) == 0)
            return 1;
    return 0;
}

static const char *find_reason(const struct unsupported *t, const char *tc)
{
    for (; t->testcase != NULL; t++)
        if (strcmp(t->testcase, tc) == 0)
            return t->reason;
    return NULL;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : getenv("ROLE");
    const char *tc = getenv("TESTCASE");
    const char *reason;
    int is_server;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (role == NULL || (strcmp(role, "server") != 0 && strcmp(role, "client") != 0)) {
        fprintf(stderr, "usage: quire-openssl server|client (or ROLE=server|client)\n");
        return 1;
    }
    is_server = strcmp(role, "server") == 0;
    if (tc == NULL || *tc == '\0')
        tc = "transfer";
    reason = find_reason(both_unsupported, tc);
    if (reason == NULL)
        reason = find_reason(is_server ? server_unsupported : client_unsupported, tc);
    if (reason == NULL && getenv("QUIRE_ALPN") != NULL && strcmp(getenv("QUIRE_ALPN"), "h3") == 0)
        reason = "QUIRE_ALPN=h3: libssl has no HTTP/3, this endpoint speaks hq-interop only";
    if (reason == NULL && !known(is_server ? server_known : client_known, tc))
        reason = "unknown test case";
    if (reason != NULL) {
        printf("openssl/run_endpoint: unsupported test case: %s (%s)\n", tc, reason);
        return 127;
    }
    /* OpenSSL writes $QLOGDIR/<odcid>_<role>.sqlog but does not create the directory. */
    if (getenv("QLOGDIR") != NULL && *getenv("QLOGDIR") != '\0' &&
        mkdir(getenv("QLOGDIR"), 0777) != 0 && errno != EEXIST)
        logf_("cannot create QLOGDIR %s: %s", getenv("QLOGDIR"), strerror(errno));
    logf_("%s, TESTCASE=%s, %s", OpenSSL_version(OPENSSL_VERSION), tc, role);
    return is_server ? run_server(tc) : run_client(tc);
}
