/* QUIC readiness probe (see probe.h). The packet is what wait-for-it-quic sends: first byte
 * 0xc0, version 0x57414954, empty connection IDs, padded to at least 1200 bytes because
 * servers ignore shorter Initials (RFC 9000, Section 14.1). */
#include "sim/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

int quire_probe_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sslen)
{
    char host[64];
    const char *port;
    size_t n;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':') return QUIRE_ERR_INVALID;
        n = (size_t)(close - s - 1);
        if (n >= sizeof host) return QUIRE_ERR_INVALID;
        memcpy(host, s + 1, n);
        port = close + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon) return QUIRE_ERR_INVALID;
        n = (size_t)(colon - s);
        if (n >= sizeof host) return QUIRE_ERR_INVALID;
        memcpy(host, s, n);
        port = colon + 1;
    }
    host[n] = '\0';
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (!*port || *end || p == 0 || p > 65535) return QUIRE_ERR_INVALID;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
        *sslen = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        *sslen = sizeof *a6;
    } else {
        return QUIRE_ERR_INVALID;
    }
    return 0;
}

int quire_probe_is_vn(const uint8_t *buf, size_t len)
{
    return len >= 7 && (buf[0] & 0x80) && !buf[1] && !buf[2] && !buf[3] && !buf[4];
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int quire_probe_wait(const struct sockaddr_storage *server, socklen_t len, int timeout_ms,
                     int stop_fd, uint64_t *elapsed_ms)
{
    static const uint8_t head[7] = {0xc0, 0x57, 0x41, 0x49, 0x54, 0, 0};
    uint8_t pkt[1207], buf[1500];
    uint64_t start = now_ms(), deadline = start + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    int backoff = 100, rc = QUIRE_ERR_TIMEOUT;

    *elapsed_ms = 0;
    memset(pkt, 0, sizeof pkt);
    memcpy(pkt, head, sizeof head);
    int fd = socket(server->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return QUIRE_ERR_IO;
    /* connect() so that only the server's answers reach this socket. */
    if (connect(fd, (const struct sockaddr *)server, len) < 0) {
        close(fd);
        return QUIRE_ERR_IO;
    }
    for (;;) {
        uint64_t t = now_ms();
        if (t >= deadline) break;
        /* ECONNREFUSED (ICMP port unreachable: server not yet bound) is just "not yet". */
        (void)send(fd, pkt, sizeof pkt, 0);
        uint64_t wake = t + (uint64_t)backoff;
        if (wake > deadline) wake = deadline;
        backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
        while ((t = now_ms()) < wake) {
            struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = stop_fd, .events = POLLIN}};
            int n = poll(pfd, stop_fd >= 0 ? 2 : 1, (int)(wake - t));
            if (n < 0 && errno != EINTR) {
                rc = QUIRE_ERR_IO;
                goto out;
            }
            if (n <= 0) continue;
            if (stop_fd >= 0 && (pfd[1].revents & POLLIN)) {
                rc = QUIRE_ERR_INTERRUPTED;
                goto out;
            }
            if (pfd[0].revents) {
                ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (r > 0 && quire_probe_is_vn(buf, (size_t)r)) {
                    rc = 0;
                    goto out;
                }
            }
        }
    }
out:
    *elapsed_ms = now_ms() - start;
    close(fd);
    return rc;
}
