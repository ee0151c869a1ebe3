/* QIR's WebTransport checks (see webtransport.h). The file comparison is check.c's
 * quire_check_files over the endpoint's directories. */
#include "checks/webtransport.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "run/testcase_wt.h"
#include "util/fs.h"

#define PROTO_MAX 512

/* Reads <dir>/negotiated_protocol.txt stripped of surrounding whitespace into out. Returns 0,
 * or -1 with the reason in why when it is missing, unreadable or longer than PROTO_MAX. */
static int read_protocol(const char *dir, const char *side, char *out, size_t outlen, char *why,
                         size_t whylen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/negotiated_protocol.txt", dir);
    char *data = NULL;
    size_t len = 0;
    if (quire_fs_read_file(path, &data, &len, PROTO_MAX)) {
        snprintf(why, whylen, "failed to read the %s's negotiated_protocol.txt", side);
        return -1;
    }
    size_t b = 0, e = len;
    while (b < e && isspace((unsigned char)data[b])) b++;
    while (e > b && isspace((unsigned char)data[e - 1])) e--;
    snprintf(out, outlen, "%.*s", (int)(e - b), data + b);
    free(data);
    return 0;
}

quire_verdict quire_wt_check_handshake(size_t nhandshakes, const char *protocols_client,
                                       const char *protocols_server, const char *client_downloads,
                                       const char *server_downloads, char *why, size_t whylen)
{
    if (nhandshakes != 1) {
        snprintf(why, whylen, "expected exactly 1 handshake, got %zu", nhandshakes);
        return QUIRE_VERDICT_FAILED;
    }
    char want[PROTO_MAX + 1], got_c[PROTO_MAX + 1], got_s[PROTO_MAX + 1];
    if (!quire_wt_common_protocol(protocols_client, protocols_server, want, sizeof want)) {
        snprintf(why, whylen, "PROTOCOLS_CLIENT and PROTOCOLS_SERVER share no protocol");
        return QUIRE_VERDICT_FAILED;
    }
    if (read_protocol(client_downloads, "client", got_c, sizeof got_c, why, whylen) ||
        read_protocol(server_downloads, "server", got_s, sizeof got_s, why, whylen))
        return QUIRE_VERDICT_FAILED;
    if (strcmp(got_c, want)) {
        snprintf(why, whylen, "client's negotiated protocol '%.64s' is not the expected '%.64s'",
                 got_c, want);
        return QUIRE_VERDICT_FAILED;
    }
    if (strcmp(got_s, want)) {
        snprintf(why, whylen, "server's negotiated protocol '%.64s' is not the expected '%.64s'",
                 got_s, want);
        return QUIRE_VERDICT_FAILED;
    }
    snprintf(why, whylen, "one handshake, both sides negotiated '%.64s'", want);
    return QUIRE_VERDICT_SUCCEEDED;
}

quire_verdict quire_wt_check_transfer(size_t nhandshakes, const char *source_root,
                                      const char *download_root, const char *endpoint,
                                      const char *const *files, size_t nfiles, char *why,
                                      size_t whylen)
{
    if (nhandshakes != 1) {
        snprintf(why, whylen, "expected exactly 1 handshake, got %zu", nhandshakes);
        return QUIRE_VERDICT_FAILED;
    }
    char src[PATH_MAX], dst[PATH_MAX];
    snprintf(src, sizeof src, "%s/%s", source_root, endpoint);
    snprintf(dst, sizeof dst, "%s/%s", download_root, endpoint);
    struct stat st;
    if (stat(dst, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "missing download directory for endpoint '%.64s'", endpoint);
        return QUIRE_VERDICT_FAILED;
    }
    quire_check_ctx ctx = {.www_dir = src, .downloads_dir = dst, .files = files,
                           .nfiles = nfiles};
    return quire_check_files(&ctx, why, whylen);
}

quire_verdict quire_judge_webtransport(const quire_check_data *d, char *why, size_t whylen)
{
    const quire_wt_judge_arg *a = d->arg;
    if (!a || !d->server) {
        snprintf(why, whylen, "internal: no WebTransport test state for the check");
        return QUIRE_VERDICT_FAILED;
    }
    size_t nhs = d->server->nhs;
    if (a->handshake)
        return quire_wt_check_handshake(nhs, a->protocols_client, a->protocols_server,
                                        a->client_downloads, a->server_downloads, why, whylen);
    quire_verdict v = quire_wt_check_transfer(nhs, a->source_root, a->download_root, a->endpoint,
                                              a->files, a->nfiles, why, whylen);
    if (v == QUIRE_VERDICT_SUCCEEDED)
        snprintf(why, whylen, "one handshake, %zu file(s) on endpoint %.64s received intact",
                 a->nfiles, a->endpoint);
    return v;
}
