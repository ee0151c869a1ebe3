/* A deliberately leaking UDP responder for quire's memcheck tests (tests/integration/
 * experiment_memcheck.sh): it answers every QUIC long-header packet with a Version Negotiation
 * packet (RFC 9000, Section 17.2.1) offering version 1 — enough for quire's readiness probe and
 * the service_responsive assertion — and leaks a copy of every datagram it receives (the
 * pointer is dropped, so valgrind reports it as "definitely lost"). Stops cleanly on SIGTERM or
 * SIGINT so valgrind's leak check runs. Usage: leaky [PORT] (default 4433). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void remember(const uint8_t *buf, size_t len)
{
    uint8_t *copy = malloc(len); /* the leak: never freed, pointer dropped */
    if (copy) memcpy(copy, buf, len);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 4433;
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "leaky: bad port\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: recvfrom returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    a.sin6_addr = in6addr_any;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("leaky: bind");
        return 1;
    }
    printf("leaky: listening on UDP port %d\n", port);
    fflush(stdout);
    unsigned long received = 0;
    while (!stop) {
        uint8_t buf[2048], out[64];
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (n <= 0) continue;
        received++;
        remember(buf, (size_t)n);
        /* Long header: flags, version (4), DCID len + DCID, SCID len + SCID. */
        if (n < 7 || !(buf[0] & 0x80)) continue;
        size_t dl = buf[5];
        if (dl > 20 || (size_t)n < 7 + dl) continue;
        size_t sl = buf[6 + dl];
        if (sl > 20 || (size_t)n < 7 + dl + sl) continue;
        size_t o = 0;
        out[o++] = 0x80 | 0x2a;
        memset(out + o, 0, 4); /* version 0: Version Negotiation */
        o += 4;
        out[o++] = (uint8_t)sl; /* DCID = the client's SCID */
        memcpy(out + o, buf + 7 + dl, sl);
        o += sl;
        out[o++] = (uint8_t)dl; /* SCID = the client's DCID */
        memcpy(out + o, buf + 6, dl);
        o += dl;
        static const uint8_t v1[4] = {0, 0, 0, 1};
        memcpy(out + o, v1, 4);
        o += 4;
        sendto(fd, out, o, 0, (struct sockaddr *)&peer, plen);
    }
    printf("leaky: stopping after %lu datagrams\n", received);
    close(fd);
    return 0;
}
