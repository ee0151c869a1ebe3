/*
 * hq-interop server over OpenSSL's QUIC listener API (SSL_new_listener, SSL_accept_connection,
 * SSL_accept_stream; OpenSSL >= 3.5). One thread, non-blocking: every turn accepts what is
 * queued, moves each stream on as far as it goes without blocking, then waits for the socket
 * or OpenSSL's next timer. A request is "GET /path\r\n" on a client bidi stream; the answer is
 * the file under /www followed by FIN.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#define WWW "/www"
#define REQ_MAX 1024
#define CHUNK 16384

enum sstate { S_REQUEST, S_SENDING, S_DONE };

struct sstream {
    SSL *ssl;
    enum sstate state;
    char req[REQ_MAX];
    size_t req_len;
    FILE *file;
    unsigned char buf[CHUNK];
    size_t buf_len, buf_off;
    struct sstream *next;
};

struct sconn {
    SSL *ssl;
    struct sstream *streams;
    struct sconn *next;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, outlen, (const unsigned char *)HQ_ALPN,
                              HQ_ALPN_LEN, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL; /* RFC 9001, 8.1: no_application_protocol */
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *server_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(OSSL_QUIC_server_method());
    if (ctx == NULL)
        return NULL;
    if (SSL_CTX_use_certificate_chain_file(ctx, "/certs/cert.pem") <= 0 ||
        SSL_CTX_use_PrivateKey_file(ctx, "/certs/priv.key", SSL_FILETYPE_PEM) <= 0 ||
        !SSL_CTX_check_private_key(ctx)) {
        log_ssl_errors("cannot load /certs/cert.pem and /certs/priv.key");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    /* Partial writes: a non-blocking SSL_write_ex takes what the stream buffer has room for. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* TLS 1.3 session tickets for resumption (RFC 8446, 4.6.1); stateless by default. */
    SSL_CTX_set_num_tickets(ctx, 2);
    keylog_install(ctx);
    return ctx;
}

/* UDP [::]:443 accepting IPv4 too (v4-mapped), non-blocking for the datagram BIO. */
static int bind_socket(void)
{
    struct sockaddr_in6 sa;
    int off = 0, fd = socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) {
        logf_("socket: %s", strerror(errno));
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    memset(&sa, 0, sizeof sa);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(443);
    sa.sin6_addr = in6addr_any;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        logf_("bind [::]:443: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!BIO_socket_nbio(fd, 1)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Maps the request's path onto /www; refuses anything that could leave it. */
static FILE *open_request(const char *req, char *path, size_t path_len)
{
    const char *p;
    size_t n;
    if (strncmp(req, "GET /", 5) != 0)
        return NULL;
    p = req + 4;
    n = strcspn(p, " \r\n");
    if (n == 0 || n + sizeof WWW > path_len || memchr(p, '\0', n) != NULL)
        return NULL;
    snprintf(path, path_len, "%s%.*s", WWW, (int)n, p);
    if (strstr(path, "/..") != NULL)
        return NULL;
    return fopen(path, "rb");
}

/* Reads the request line; returns 1 when it is complete (line end or FIN), -1 on error. */
static int read_request(struct sstream *s)
{
    size_t got = 0;
    while (s->req_len < sizeof s->req - 1) {
        if (!SSL_read_ex(s->ssl, s->req + s->req_len, sizeof s->req - 1 - s->req_len, &got)) {
            int err = SSL_get_error(s->ssl, 0);
            if (err == SSL_ERROR_WANT_READ)
                return 0;
            if (err == SSL_ERROR_ZERO_RETURN) /* FIN: the request is whatever came */
                break;
            return -1;
        }
        s->req_len += got;
        s->req[s->req_len] = '\0';
        if (strchr(s->req, '\n') != NULL)
            break;
    }
    s->req[s->req_len] = '\0';
    return 1;
}

/* Moves one stream on without blocking; returns 1 while there is more to do. */
static int serve_stream(struct sstream *s, int *progress)
{
    size_t written = 0;
    char path[REQ_MAX + sizeof WWW];

    if (s->state == S_REQUEST) {
        int r = read_request(s);
        if (r == 0)
            return 1;
        if (r < 0) {
            logf_("stream %llu: request not read", (unsigned long long)SSL_get_stream_id(s->ssl));
            return 0;
        }
        s->file = open_request(s->req, path, sizeof path);
        *progress = 1;
        if (s->file == NULL) {
            SSL_STREAM_RESET_ARGS args = { .quic_error_code = 0 };
            logf_("stream %llu: no file for request '%.*s'",
                  (unsigned long long)SSL_get_stream_id(s->ssl), (int)strcspn(s->req, "\r\n"),
                  s->req);
            (void)SSL_stream_reset(s->ssl, &args, sizeof args);
            return 0;
        }
        s->state = S_SENDING;
    }
    while (s->state == S_SENDING) {
        if (s->buf_off == s->buf_len) {
            s->buf_len = fread(s->buf, 1, sizeof s->buf, s->file);
            s->buf_off = 0;
            if (s->buf_len == 0) {
                if (ferror(s->file))
                    return 0;
                /* The whole file is in the stream: FIN (RFC 9000, 19.8). */
                if (!SSL_stream_conclude(s->ssl, 0))
                    return 0;
                s->state = S_DONE;
                *progress = 1;
                return 0;
            }
        }
        if (!SSL_write_ex(s->ssl, s->buf + s->buf_off, s->buf_len - s->buf_off, &written)) {
            int err = SSL_get_error(s->ssl, 0);
            if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
                return 1;
            logf_("stream %llu: write failed (%d)", (unsigned long long)SSL_get_stream_id(s->ssl),
                  err);
            return 0;
        }
        s->buf_off += written;
        *progress = 1;
    }
    return 0;
}

static void free_stream(struct sstream *s)
{
    if (s->file != NULL)
        fclose(s->file);
    /* A concluded stream's data is still sent after SSL_free; an unfinished one is reset. */
    SSL_free(s->ssl);
    free(s);
}

/* Accepts the connection's new streams and serves all of them; returns 0 once it is closed. */
static int serve_conn(struct sconn *c, int *progress)
{
    SSL *st;
    struct sstream **pp;
    SSL_CONN_CLOSE_INFO info;

    while ((st = SSL_accept_stream(c->ssl, SSL_ACCEPT_STREAM_NO_BLOCK)) != NULL) {
        struct sstream *s = calloc(1, sizeof *s);
        if (s == NULL) {
            SSL_free(st);
            break;
        }
        s->ssl = st;
        s->next = c->streams;
        c->streams = s;
        *progress = 1;
    }
    ERR_clear_error();
    for (pp = &c->streams; *pp != NULL;) {
        struct sstream *s = *pp;
        if (!serve_stream(s, progress)) {
            *pp = s->next;
            free_stream(s);
        } else {
            pp = &s->next;
        }
    }
    ERR_clear_error();
    if (SSL_get_conn_close_info(c->ssl, &info, sizeof info)) {
        logf_("connection closed by %s: error 0x%llx %.*s",
              (info.flags & SSL_CONN_CLOSE_FLAG_LOCAL) ? "us" : "peer",
              (unsigned long long)info.error_code, (int)info.reason_len,
              info.reason != NULL ? info.reason : "");
        return 0;
    }
    return 1;
}

static void free_conn(struct sconn *c)
{
    while (c->streams != NULL) {
        struct sstream *s = c->streams;
        c->streams = s->next;
        free_stream(s);
    }
    SSL_free(c->ssl);
    free(c);
}

int run_server(const char *testcase)
{
    struct sigaction sa;
    SSL_CTX *ctx;
    SSL *listener = NULL;
    BIO *bio = NULL;
    struct sconn *conns = NULL, **pp;
    int fd, rc = 1;
    /* Address validation by Retry (RFC 9000, 8.1.2) only when the test case asks for it. */
    uint64_t flags = testcase_is(testcase, "retry") ? 0 : SSL_LISTENER_FLAG_NO_VALIDATE;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if ((ctx = server_ctx()) == NULL)
        return 1;
    if ((fd = bind_socket()) < 0)
        goto out;
    if ((bio = BIO_new_dgram(fd, BIO_CLOSE)) == NULL) {
        close(fd);
        goto out;
    }
    if ((listener = SSL_new_listener(ctx, flags)) == NULL) {
        log_ssl_errors("SSL_new_listener failed");
        goto out;
    }
    SSL_set_bio(listener, bio, bio);
    bio = NULL;
    if (!SSL_set_blocking_mode(listener, 0) || !SSL_listen(listener)) {
        log_ssl_errors("SSL_listen failed");
        goto out;
    }
    logf_("listening on [::]:443 (IPv4 and IPv6), address validation %s",
          flags == 0 ? "by Retry" : "off");

    while (!stop_requested) {
        SSL *cs;
        int progress = 0;
        while ((cs = SSL_accept_connection(listener, SSL_ACCEPT_CONNECTION_NO_BLOCK)) != NULL) {
            struct sconn *c = calloc(1, sizeof *c);
            if (c == NULL) {
                SSL_free(cs);
                break;
            }
            /* Streams come from SSL_accept_stream; no default stream, none refused. */
            if (!SSL_set_blocking_mode(cs, 0) ||
                !SSL_set_default_stream_mode(cs, SSL_DEFAULT_STREAM_MODE_NONE) ||
                !SSL_set_incoming_stream_policy(cs, SSL_INCOMING_STREAM_POLICY_ACCEPT, 0))
                log_ssl_errors("cannot configure an accepted connection");
            c->ssl = cs;
            c->next = conns;
            conns = c;
            progress = 1;
        }
        ERR_clear_error();
        for (pp = &conns; *pp != NULL;) {
            struct sconn *c = *pp;
            if (!serve_conn(c, &progress)) {
                *pp = c->next;
                free_conn(c);
            } else {
                pp = &c->next;
            }
        }
        if (progress)
            SSL_handle_events(listener);
        else
            wait_and_tick(listener, fd, 100);
    }
    logf_("stopping on signal");
    rc = 0;
out:
    while (conns != NULL) {
        struct sconn *c = conns;
        conns = c->next;
        free_conn(c);
    }
    SSL_free(listener);
    BIO_free(bio);
    SSL_CTX_free(ctx);
    return rc;
}
