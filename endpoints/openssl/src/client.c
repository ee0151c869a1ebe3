/*
 * hq-interop client over OpenSSL's QUIC client API (OSSL_QUIC_client_method, OpenSSL >= 3.2).
 * Non-blocking, one thread: all requests of a connection go out on parallel bidi streams
 * (as many as the server's MAX_STREAMS allows at a time), and every turn reads whatever each
 * stream has, so no stream's data waits behind another's. REQUESTS holds the URLs; each file
 * is saved as /downloads/<basename>. Exit 0 only if every stream ended with FIN.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#define DOWNLOADS "/downloads"
#define MAX_URLS 10000
/* Upper bound of one connection's life: the runner's timeouts are shorter, this only keeps
 * a stuck client from looping for ever. */
#define CONN_DEADLINE_MS (10 * 60 * 1000)

struct url {
    char host[256];
    char port[8];
    char path[1024];
};

struct cstream {
    SSL *ssl;
    FILE *file;
    const struct url *u;
    int done;
};

struct options {
    int chacha20, keyupdate;
    int want_ticket; /* a resumption's first connection waits for a session ticket */
};

static SSL_SESSION *last_session;

/* Keeps the newest ticket's session for the resumption connection (RFC 8446, 4.6.1). */
static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    (void)ssl;
    SSL_SESSION_free(last_session);
    last_session = sess;
    return 1; /* we keep the reference */
}

static int parse_url(const char *s, struct url *u)
{
    const char *p, *host, *slash, *colon;
    size_t hl;
    if (strncmp(s, "https://", 8) != 0)
        return 0;
    host = s + 8;
    slash = strchr(host, '/');
    if (slash == NULL)
        slash = host + strlen(host);
    colon = memchr(host, ':', (size_t)(slash - host));
    if (*host == '[') { /* [v6]:port */
        const char *rb = memchr(host, ']', (size_t)(slash - host));
        if (rb == NULL)
            return 0;
        colon = rb[1] == ':' ? rb + 1 : NULL;
        hl = (size_t)(rb - host - 1);
        host++;
    } else {
        hl = (size_t)((colon != NULL ? colon : slash) - host);
    }
    if (hl == 0 || hl >= sizeof u->host)
        return 0;
    memcpy(u->host, host, hl);
    u->host[hl] = '\0';
    if (colon != NULL) {
        size_t pl = (size_t)(slash - colon - 1);
        if (pl == 0 || pl >= sizeof u->port)
            return 0;
        memcpy(u->port, colon + 1, pl);
        u->port[pl] = '\0';
    } else {
        strcpy(u->port, "443");
    }
    p = *slash == '\0' ? "/" : slash;
    if (strlen(p) >= sizeof u->path)
        return 0;
    strcpy(u->path, p);
    return 1;
}

static SSL_CTX *client_ctx(const struct options *o)
{
    SSL_CTX *ctx = SSL_CTX_new(OSSL_QUIC_client_method());
    if (ctx == NULL)
        return NULL;
    /* The test certificates are self-made: QIR's clients do not verify them either. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (o->chacha20 && !SSL_CTX_set_ciphersuites(ctx, "TLS_CHACHA20_POLY1305_SHA256")) {
        log_ssl_errors("cannot restrict the cipher suites to ChaCha20-Poly1305");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    keylog_install(ctx);
    return ctx;
}

/* A UDP socket connected to the URL's host and port, and the BIO_ADDR OpenSSL needs. */
static int open_socket(const struct url *u, BIO_ADDR **peer)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1, e;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    if ((e = getaddrinfo(u->host, u->port, &hints, &res)) != 0) {
        logf_("cannot resolve %s: %s", u->host, gai_strerror(e));
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_DGRAM, 0);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || !BIO_socket_nbio(fd, 1)) {
            close(fd);
            fd = -1;
            continue;
        }
        *peer = BIO_ADDR_new();
        if (*peer == NULL || !BIO_ADDR_rawmake(*peer, ai->ai_family,
                                               ai->ai_family == AF_INET
                                                   ? (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                                   : (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr,
                                               ai->ai_family == AF_INET ? 4 : 16,
                                               ai->ai_family == AF_INET
                                                   ? ((struct sockaddr_in *)ai->ai_addr)->sin_port
                                                   : ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        logf_("cannot reach %s:%s", u->host, u->port);
    return fd;
}

static const char *basename_of(const char *path)
{
    const char *b = strrchr(path, '/');
    return b != NULL ? b + 1 : path;
}

/* Opens the next request's stream; 0 = no stream credit yet, -1 = error, 1 = opened. */
static int open_stream(SSL *conn, struct cstream *cs)
{
    char req[1100], out[1100];
    size_t w = 0;
    int n;
    const char *name = basename_of(cs->u->path);
    if (*name == '\0' || strcmp(name, "..") == 0) {
        logf_("no file name in %s", cs->u->path);
        return -1;
    }
    cs->ssl = SSL_new_stream(conn, SSL_STREAM_FLAG_NO_BLOCK);
    if (cs->ssl == NULL) {
        ERR_clear_error(); /* the peer's MAX_STREAMS is used up: try again later */
        return 0;
    }
    snprintf(out, sizeof out, DOWNLOADS "/%s", name);
    if ((cs->file = fopen(out, "wb")) == NULL) {
        logf_("cannot create %s: %s", out, strerror(errno));
        return -1;
    }
    n = snprintf(req, sizeof req, "GET %s\r\n", cs->u->path);
    /* The stream buffer is empty and the request small: a non-blocking write takes it all. */
    if (!SSL_write_ex(cs->ssl, req, (size_t)n, &w) || w != (size_t)n ||
        !SSL_stream_conclude(cs->ssl, 0)) {
        log_ssl_errors("cannot send the request");
        return -1;
    }
    return 1;
}

/* Reads what the stream has; 1 = more to come, 0 = FIN seen, -1 = reset or error. */
static int read_stream(struct cstream *cs, int *progress)
{
    unsigned char buf[65536];
    size_t got;
    for (;;) {
        if (!SSL_read_ex(cs->ssl, buf, sizeof buf, &got)) {
            int err = SSL_get_error(cs->ssl, 0);
            if (err == SSL_ERROR_WANT_READ)
                return 1;
            if (err == SSL_ERROR_ZERO_RETURN)
                return 0;
            logf_("%s: stream ended without FIN (state %d)", cs->u->path,
                  SSL_get_stream_read_state(cs->ssl));
            log_ssl_errors("read failed");
            return -1;
        }
        *progress = 1;
        if (fwrite(buf, 1, got, cs->file) != got) {
            logf_("%s: write to disk failed: %s", cs->u->path, strerror(errno));
            return -1;
        }
    }
}

/* Waits for the connection's close, bounded; OpenSSL sends CONNECTION_CLOSE (RFC 9000, 10.2). */
static void close_conn(SSL *conn, int fd)
{
    int64_t end = now_ms() + 2000;
    int r;
    while ((r = SSL_shutdown_ex(conn, 0, NULL, 0)) == 0 && now_ms() < end)
        wait_and_tick(conn, fd, 50);
    if (r < 0)
        ERR_clear_error();
}

/*
 * One connection fetching urls[0..n). With `resume`, offers the last ticket's session.
 * Returns 0 when every file arrived whole (FIN on its stream), 1 otherwise.
 */
static int fetch(SSL_CTX *ctx, const struct url *urls, size_t n, const struct options *o,
                 int resume)
{
    SSL *conn = NULL;
    BIO *bio = NULL;
    BIO_ADDR *peer = NULL;
    struct cstream *cs = NULL;
    size_t opened = 0, finished = 0, i;
    int fd, rc = 1, connected = 0, key_updated = 0;
    int64_t deadline = now_ms() + CONN_DEADLINE_MS, ticket_wait = 0;
    SSL_CONN_CLOSE_INFO close_info;

    if ((fd = open_socket(&urls[0], &peer)) < 0)
        return 1;
    if ((cs = calloc(n, sizeof *cs)) == NULL || (bio = BIO_new_dgram(fd, BIO_CLOSE)) == NULL) {
        close(fd);
        goto out;
    }
    for (i = 0; i < n; i++)
        cs[i].u = &urls[i];
    if ((conn = SSL_new(ctx)) == NULL)
        goto out;
    SSL_set_bio(conn, bio, bio);
    bio = NULL;
    if (!SSL_set_tlsext_host_name(conn, urls[0].host) ||
        SSL_set_alpn_protos(conn, (const unsigned char *)HQ_ALPN, HQ_ALPN_LEN) != 0 ||
        !SSL_set1_initial_peer_addr(conn, peer) || !SSL_set_blocking_mode(conn, 0) ||
        !SSL_set_default_stream_mode(conn, SSL_DEFAULT_STREAM_MODE_NONE) ||
        !SSL_set_incoming_stream_policy(conn, SSL_INCOMING_STREAM_POLICY_REJECT, 0)) {
        log_ssl_errors("cannot configure the connection");
        goto out;
    }
    if (resume) {
        if (last_session == NULL) {
            logf_("resumption: the first connection got no session ticket");
            goto out;
        }
        SSL_set_session(conn, last_session);
    }

    while (now_ms() < deadline) {
        int progress = 0;
        if (!connected) {
            int r = SSL_connect(conn);
            if (r == 1) {
                connected = 1;
                progress = 1;
                logf_("handshake done with %s:%s, %s, resumed: %s", urls[0].host, urls[0].port,
                      SSL_get_cipher_name(conn), SSL_session_reused(conn) ? "yes" : "no");
            } else {
                int err = SSL_get_error(conn, r);
                if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                    log_ssl_errors("handshake failed");
                    goto out;
                }
            }
        }
        if (connected && o->keyupdate && !key_updated) {
            /* Possible once the handshake is confirmed (RFC 9001, 6): retried until then. */
            if (SSL_key_update(conn, SSL_KEY_UPDATE_REQUESTED)) {
                key_updated = 1;
                logf_("key update initiated");
            } else {
                ERR_clear_error();
            }
        }
        while (connected && opened < n) {
            int r = open_stream(conn, &cs[opened]);
            if (r < 0)
                goto out;
            if (r == 0)
                break;
            opened++;
            progress = 1;
        }
        for (i = 0; i < opened; i++) {
            int r;
            if (cs[i].done)
                continue;
            r = read_stream(&cs[i], &progress);
            if (r < 0)
                goto out;
            if (r == 0) {
                cs[i].done = 1;
                finished++;
                fclose(cs[i].file);
                cs[i].file = NULL;
                SSL_free(cs[i].ssl);
                cs[i].ssl = NULL;
                progress = 1;
            }
        }
        if (finished == n) {
            /* The ticket may trail the last answer: wait a little for it (resumption). */
            if (!o->want_ticket || last_session != NULL)
                break;
            if (ticket_wait == 0)
                ticket_wait = now_ms() + 1000;
            else if (now_ms() >= ticket_wait)
                break;
        }
        if (SSL_get_conn_close_info(conn, &close_info, sizeof close_info)) {
            logf_("connection closed before all files arrived");
            goto out;
        }
        if (progress)
            SSL_handle_events(conn);
        else
            wait_and_tick(conn, fd, 100);
    }
    if (finished == n) {
        if (o->keyupdate && !key_updated)
            logf_("key update was never possible");
        else
            rc = 0;
    } else {
        logf_("timed out: %zu of %zu files complete", finished, n);
    }
    close_conn(conn, fd);
out:
    for (i = 0; cs != NULL && i < n; i++) {
        if (cs[i].file != NULL)
            fclose(cs[i].file);
        SSL_free(cs[i].ssl);
    }
    free(cs);
    SSL_free(conn);
    BIO_free(bio);
    BIO_ADDR_free(peer);
    return rc;
}

int run_client(const char *testcase)
{
    const char *env = getenv("REQUESTS");
    struct url *urls;
    char *list = NULL, *tok, *save = NULL;
    size_t n = 0, i;
    struct options o = { 0 };
    SSL_CTX *ctx;
    int rc = 1;

    if (env == NULL || *env == '\0') {
        logf_("REQUESTS is empty");
        return 1;
    }
    if ((urls = calloc(MAX_URLS, sizeof *urls)) == NULL || (list = strdup(env)) == NULL)
        return 1;
    for (tok = strtok_r(list, " \t\n", &save); tok != NULL; tok = strtok_r(NULL, " \t\n", &save)) {
        if (n == MAX_URLS || !parse_url(tok, &urls[n])) {
            logf_("bad or too many URLs in REQUESTS (at %s)", tok);
            goto out;
        }
        n++;
    }
    if (n == 0)
        goto out;
    o.chacha20 = testcase_is(testcase, "chacha20");
    o.keyupdate = testcase_is(testcase, "keyupdate");
    if ((ctx = client_ctx(&o)) == NULL)
        goto out;

    if (testcase_is(testcase, "multiconnect")) {
        /* One connection per file (QIR's handshakeloss and handshakecorruption). */
        rc = 0;
        for (i = 0; i < n && rc == 0; i++)
            rc = fetch(ctx, &urls[i], 1, &o, 0);
    } else if (testcase_is(testcase, "resumption") && n > 1) {
        /* The first file in one connection, the rest in a resumed second one. */
        o.want_ticket = 1;
        rc = fetch(ctx, urls, 1, &o, 0);
        o.want_ticket = 0;
        if (rc == 0)
            rc = fetch(ctx, urls + 1, n - 1, &o, 1);
    } else {
        rc = fetch(ctx, urls, n, &o, 0);
    }
    SSL_CTX_free(ctx);
    logf_("%s", rc == 0 ? "all files downloaded" : "download failed");
out:
    free(list);
    free(urls);
    return rc;
}
