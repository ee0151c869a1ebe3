/* One WebTransport test's inputs (see wtrun.h). */
#include "run/wtrun.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "run/files.h"
#include "util/err.h"
#include "util/fs.h"

#define NPROTO 5

/* Appends the space-separated words of list[0..n-1] to out. */
static void join(char *out, size_t outlen, char list[][64], size_t n)
{
    size_t off = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && off < outlen; i++)
        off += (size_t)snprintf(out + off, outlen - off, "%s%s", i ? " " : "", list[i]);
}

/* QIR's additional_envs(). Returns 0 or QUIRE_ERR_CRYPTO. */
static int make_protocols(quire_wt_test *w)
{
    char c[NPROTO][64], s[NPROTO][64], shared[2][64];
    int rc = 0;
    if (w->tc->kind != QUIRE_WT_HANDSHAKE) {
        if ((rc = quire_files_slug(c[0], sizeof c[0]))) return rc;
        snprintf(w->protocols_client, sizeof w->protocols_client, "%s", c[0]);
        snprintf(w->protocols_server, sizeof w->protocols_server, "%s", c[0]);
        return 0;
    }
    for (size_t i = 0; i < NPROTO && !rc; i++)
        if (!(rc = quire_files_slug(c[i], sizeof c[i]))) rc = quire_files_slug(s[i], sizeof s[i]);
    for (size_t i = 0; i < 2 && !rc; i++)
        rc = quire_files_slug(shared[i], sizeof shared[i]);
    if (rc) return rc;
    /* two distinct positions, in ascending order (random.sample, sorted) */
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) return QUIRE_ERR_CRYPTO;
    size_t p0 = r % NPROTO, p1 = (r / NPROTO) % (NPROTO - 1);
    if (p1 >= p0) p1++;
    if (p1 < p0) {
        size_t x = p0;
        p0 = p1;
        p1 = x;
    }
    memcpy(c[p0], shared[0], sizeof c[p0]);
    memcpy(c[p1], shared[1], sizeof c[p1]);
    memcpy(s[p0], shared[1], sizeof s[p0]);
    memcpy(s[p1], shared[0], sizeof s[p1]);
    join(w->protocols_client, sizeof w->protocols_client, c, NPROTO);
    join(w->protocols_server, sizeof w->protocols_server, s, NPROTO);
    return 0;
}

int quire_wt_test_prepare(quire_wt_test *w, const quire_wt_testcase *tc, const char *server_www,
                          const char *client_www, const char *host, char *why, size_t whylen)
{
    memset(w, 0, sizeof *w);
    w->tc = tc;
    int rc = quire_files_slug(w->endpoint, sizeof w->endpoint);
    if (!rc) rc = make_protocols(w);
    if (rc) {
        snprintf(why, whylen, "cannot make random names: %s", quire_strerror(rc));
        return rc;
    }
    char sdir[PATH_MAX], cdir[PATH_MAX];
    snprintf(sdir, sizeof sdir, "%s/%s", server_www, w->endpoint);
    snprintf(cdir, sizeof cdir, "%s/%s", client_www, w->endpoint);
    if ((rc = quire_fs_mkdir_p(sdir, 0755)) || (rc = quire_fs_mkdir_p(cdir, 0755))) {
        snprintf(why, whylen, "cannot create the endpoint directories in %.200s: %s", server_www,
                 quire_strerror(rc));
        return rc;
    }
    size_t n = quire_wt_nfiles(tc);
    if (!(w->files = calloc(n + 1, sizeof *w->files))) return QUIRE_ERR_NOMEM;
    const char *src = quire_wt_server_sends(tc) ? sdir : cdir;
    for (size_t i = 0; i < n; i++) {
        char name[128];
        if ((rc = quire_files_generate(src, quire_wt_file_size(tc, i), name, sizeof name))) {
            snprintf(why, whylen, "cannot generate a file in %.200s: %s", src,
                     quire_strerror(rc));
            return rc;
        }
        if (!(w->files[w->nfiles++] = strdup(name))) return QUIRE_ERR_NOMEM;
    }
    size_t len = 128 + strlen(host);
    for (size_t i = 0; i < n; i++)
        len += strlen(w->files[i]) + strlen(host) + 96;
    w->requests_client = malloc(len);
    w->requests_server = malloc(len);
    if (!w->requests_client || !w->requests_server) return QUIRE_ERR_NOMEM;
    w->requests_client[0] = w->requests_server[0] = 0;
    size_t oc = 0, os = 0;
    if (tc->dir == QUIRE_WT_RECEIVE) /* get_paths(): every file's URL */
        for (size_t i = 0; i < n; i++)
            oc += (size_t)snprintf(w->requests_client + oc, len - oc, "%shttps://%s:443/%s/%s",
                                   i ? " " : "", host, w->endpoint, w->files[i]);
    else /* handshake and "send": the session's URL only */
        snprintf(w->requests_client, len, "https://%s:443/%s", host, w->endpoint);
    if (tc->dir == QUIRE_WT_SEND) /* get_paths_server() */
        for (size_t i = 0; i < n; i++)
            os += (size_t)snprintf(w->requests_server + os, len - os, "%s%s/%s", i ? " " : "",
                                   w->endpoint, w->files[i]);
    return 0;
}

const quire_wt_judge_arg *quire_wt_test_judge_arg(quire_wt_test *w, const char *server_www,
                                                  const char *client_www,
                                                  const char *server_downloads,
                                                  const char *client_downloads)
{
    int server_sends = quire_wt_server_sends(w->tc);
    w->arg = (quire_wt_judge_arg){
        .handshake = w->tc->kind == QUIRE_WT_HANDSHAKE,
        .protocols_client = w->protocols_client,
        .protocols_server = w->protocols_server,
        .client_downloads = client_downloads,
        .server_downloads = server_downloads,
        .source_root = server_sends ? server_www : client_www,
        .download_root = server_sends ? client_downloads : server_downloads,
        .endpoint = w->endpoint,
        .files = (const char *const *)w->files,
        .nfiles = w->nfiles,
    };
    return &w->arg;
}

void quire_wt_test_free(quire_wt_test *w)
{
    for (size_t i = 0; w->files && i < w->nfiles; i++)
        free(w->files[i]);
    free(w->files);
    free(w->requests_client);
    free(w->requests_server);
    memset(w, 0, sizeof *w);
}
