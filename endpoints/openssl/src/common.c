/* Logging, key log, time and the poll step shared by server.c and client.c. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("quire-openssl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void log_ssl_errors(const char *what)
{
    unsigned long e;
    char buf[256];
    logf_("%s", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof buf);
        logf_("  %s", buf);
    }
}

static FILE *keylog_fp;

static void keylog_cb(const SSL *ssl, const char *line)
{
    (void)ssl;
    if (keylog_fp == NULL)
        return;
    fprintf(keylog_fp, "%s\n", line);
    /* Flushed per line: the checks read the file after the endpoint may have been killed. */
    fflush(keylog_fp);
}

void keylog_install(SSL_CTX *ctx)
{
    const char *path = getenv("SSLKEYLOGFILE");
    if (path == NULL || *path == '\0')
        return;
    if (keylog_fp == NULL)
        keylog_fp = fopen(path, "a");
    if (keylog_fp == NULL) {
        logf_("cannot open SSLKEYLOGFILE %s: %s", path, strerror(errno));
        return;
    }
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void wait_and_tick(SSL *ssl, int fd, int cap_ms)
{
    struct timeval tv;
    int infinite = 1, timeout = cap_ms;
    /* Always readable-interest: the peer's datagrams may come whatever OpenSSL waits for. */
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    if (SSL_get_event_timeout(ssl, &tv, &infinite) && !infinite) {
        int64_t t = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
        if (t < timeout)
            timeout = (int)t;
    }
    if (SSL_net_write_desired(ssl))
        pfd.events |= POLLOUT;
    if (timeout > 0)
        (void)poll(&pfd, 1, timeout); /* EINTR (SIGTERM) just ends the wait early */
    SSL_handle_events(ssl);
}

int testcase_is(const char *tc, const char *name)
{
    return tc != NULL && strcmp(tc, name) == 0;
}
