/* Shared helpers of quire's OpenSSL QUIC endpoint (server.c, client.c). */
#ifndef QUIRE_OSSL_COMMON_H
#define QUIRE_OSSL_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

/* hq-interop in ALPN wire form (RFC 7301, 3.1: length-prefixed). */
#define HQ_ALPN "\x0ahq-interop"
#define HQ_ALPN_LEN 11

void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message and OpenSSL's error queue. */
void log_ssl_errors(const char *what);

/* Appends NSS key log lines to $SSLKEYLOGFILE, when set (SSL_CTX_set_keylog_callback). */
void keylog_install(SSL_CTX *ctx);

/* Monotonic time in milliseconds. */
int64_t now_ms(void);

/*
 * Waits until `fd` is readable (or writable when `ssl` wants to write) or OpenSSL's next
 * timer (SSL_get_event_timeout) is due, at most `cap_ms`; then lets OpenSSL process
 * events (SSL_handle_events). One call of the event loop of both roles.
 */
void wait_and_tick(SSL *ssl, int fd, int cap_ms);

int testcase_is(const char *tc, const char *name);

int run_server(const char *testcase);
int run_client(const char *testcase);

#endif
