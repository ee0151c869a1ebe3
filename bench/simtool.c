/* UDP traffic for the simulator's integration tests and bench/sim: a sender of numbered
 * datagrams that can wait for echoes (loss, RTT) and a sink that reports what arrived (which
 * numbers, how many corrupted, from how many source addresses) and can echo. The sink also
 * answers quire's readiness probe (QUIC version 0x57414954) with a Version Negotiation packet,
 * so it stands in for a QUIC server.
 *
 *   bench_simtool sink ADDR PORT IDLE_MS [--echo] [--list]
 *   bench_simtool send ADDR PORT COUNT SIZE INTERVAL_US [--echo WAIT_MS] [--list] [--gso K]
 *
 * --gso K sends K datagrams per system call as one UDP GSO super-packet (UDP_SEGMENT = SIZE),
 * the way QUIC stacks batch, to test the simulator's segmentation.
 *
 * Datagram: byte 0 = 0x40, bytes 1..8 = number, then a fixed pattern, the last 8 bytes repeat
 * the number (so a corrupted number is still recognised). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/probe.h"

#define MAXN 1000000

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void fill(uint8_t *b, size_t n, uint64_t seq)
{
    b[0] = 0x40;
    put64(b + 1, seq);
    for (size_t i = 9; i < n - 8; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    put64(b + n - 8, seq);
}

/* Returns the datagram's number, or -1 if it is not one of ours; *bad is set if corrupted. */
static int64_t check(const uint8_t *b, size_t n, int *bad)
{
    static uint8_t ref[65536];
    if (n < 24) return -1;
    uint64_t seq = get64(b + n - 8);
    if (seq >= MAXN) return -1;
    fill(ref, n, seq);
    *bad = memcmp(ref, b, n) != 0;
    return (int64_t)seq;
}

static int mksock(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *sl)
{
    char s[80];
    snprintf(s, sizeof s, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr, port);
    if (quire_probe_parse_addr(s, ss, sl)) {
        fprintf(stderr, "simtool: bad address %s\n", s);
        exit(2);
    }
    int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    int buf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    return fd;
}

/* "got: I J ...": the sequence numbers below n that arrived. */
static void print_got(const uint8_t *seen, long n)
{
    printf("got:");
    for (long i = 0; i < n; i++)
        if (seen[i]) printf(" %ld", i);
    printf("\n");
}

static int sink(int argc, char **argv)
{
    struct sockaddr_storage ss, from, srcs[64];
    socklen_t sl, fl;
    int nsrc = 0, echo = 0, list = 0;
    int fd = mksock(argv[0], atoi(argv[1]), &ss, &sl);
    int idle = atoi(argv[2]);
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--echo")) echo = 1;
        if (!strcmp(argv[i], "--list")) list = 1;
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
        perror("bind");
        return 1;
    }
    static uint8_t seen[MAXN];
    static uint8_t b[65536];
    uint64_t got = 0, bad = 0, vn = 0, first = 0, last = 0, bytes = 0;
    int started = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, started ? idle : 60000) <= 0) break;
        fl = sizeof from;
        ssize_t r = recvfrom(fd, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
        if (r < 0) continue;
        if (r >= 7 && (b[0] & 0x80) && get64(b + 1) >> 32 == 0x57414954u) {
            /* Readiness probe: answer with Version Negotiation (RFC 9000, Section 17.2.1). */
            uint8_t v[11] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            sendto(fd, v, sizeof v, 0, (struct sockaddr *)&from, fl);
            vn++;
            continue;
        }
        int corrupt = 0;
        int64_t seq = check(b, (size_t)r, &corrupt);
        if (seq < 0) continue;
        if (!started) first = now_us();
        started = 1;
        last = now_us();
        got++;
        bytes += (uint64_t)r;
        bad += (uint64_t)corrupt;
        seen[seq] = 1;
        int k;
        for (k = 0; k < nsrc; k++)
            if (!memcmp(&srcs[k], &from, fl)) break;
        if (k == nsrc && nsrc < 64) memcpy(&srcs[nsrc++], &from, fl);
        if (echo) sendto(fd, b, (size_t)r, 0, (struct sockaddr *)&from, fl);
    }
    double secs = last > first ? (double)(last - first) / 1e6 : 0;
    printf("received %llu corrupted %llu sources %d probes %llu bytes %llu seconds %.6f\n",
           (unsigned long long)got, (unsigned long long)bad, nsrc, (unsigned long long)vn,
           (unsigned long long)bytes, secs);
    if (list) print_got(seen, MAXN);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int sender(int argc, char **argv)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd = mksock(argv[0], atoi(argv[1]), &ss, &sl);
    long count = atol(argv[2]), size = atol(argv[3]), interval = atol(argv[4]);
    int echo_wait = -1, list = 0, gso = 1;
    for (int i = 5; i < argc; i++) {
        if (!strcmp(argv[i], "--gso") && i + 1 < argc) gso = atoi(argv[++i]);
        if (!strcmp(argv[i], "--echo") && i + 1 < argc) echo_wait = atoi(argv[++i]);
        if (!strcmp(argv[i], "--list")) list = 1;
    }
    if (count < 1 || count > MAXN || size < 24 || size > 65000 || gso < 1 || gso > 64 ||
        (long)gso * size > 65000) {
        fprintf(stderr, "simtool: bad count or size\n");
        return 2;
    }
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        perror("connect");
        return 1;
    }
    if (gso > 1) {
        int seg = (int)size;
        if (setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0) {
            perror("UDP_SEGMENT");
            return 1;
        }
    }
    static uint64_t sent_at[MAXN];
    static uint32_t rtts[MAXN]; /* µs, in arrival order; sorted at the end for the median */
    static uint8_t seen[MAXN];
    static uint8_t b[65536];
    uint64_t got = 0, bad = 0, rtt_sum = 0, rtt_min = UINT64_MAX, rtt_max = 0;
    uint64_t start = now_us();
    for (long i = 0; i < count || echo_wait >= 0; i++) {
        uint64_t due = start + (uint64_t)i * (uint64_t)interval;
        if (i >= count) due = now_us() + (uint64_t)echo_wait * 1000u;
        for (;;) {
            uint64_t t = now_us();
            if (t >= due && i < count) break;
            struct pollfd p = {.fd = fd, .events = POLLIN};
            int timeout = t >= due ? 0 : (int)((due - t + 999) / 1000);
            if (echo_wait < 0) {
                if (t < due) usleep((useconds_t)(due - t));
                break;
            }
            int n = poll(&p, 1, timeout);
            if (n <= 0) {
                if (i >= count) goto done;
                continue;
            }
            ssize_t r = recv(fd, b, sizeof b, 0);
            int corrupt = 0;
            int64_t seq = r > 0 ? check(b, (size_t)r, &corrupt) : -1;
            if (seq < 0 || seq >= count || seen[seq]) continue;
            uint64_t rtt = now_us() - sent_at[seq];
            seen[seq] = 1;
            got++;
            bad += (uint64_t)corrupt;
            rtt_sum += rtt;
            rtts[got - 1] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
            if (rtt < rtt_min) rtt_min = rtt;
            if (rtt > rtt_max) rtt_max = rtt;
        }
        if (i >= count) break;
        long k = 0;
        for (; k < gso && i + k < count; k++) {
            fill(b + k * size, (size_t)size, (uint64_t)(i + k));
            sent_at[i + k] = now_us();
        }
        if (send(fd, b, (size_t)(k * size), 0) < 0 && errno != ECONNREFUSED) perror("send");
        i += k - 1;
    }
done:
    printf("sent %ld", count);
    if (echo_wait >= 0)
        printf(" echoed %llu corrupted %llu rtt_min_us %llu rtt_avg_us %llu rtt_max_us %llu",
               (unsigned long long)got, (unsigned long long)bad,
               (unsigned long long)(got ? rtt_min : 0),
               (unsigned long long)(got ? rtt_sum / got : 0), (unsigned long long)rtt_max);
    if (echo_wait >= 0 && got) {
        /* The median and the 90th percentile: the minimum shows the path without scheduling
         * delays, the median what a typical packet sees, the mean is skewed by rare outliers. */
        qsort(rtts, got, sizeof rtts[0], cmp_u32);
        printf(" rtt_med_us %u rtt_p90_us %u", rtts[got / 2], rtts[got * 9 / 10]);
    }
    printf("\n");
    if (list && echo_wait >= 0) print_got(seen, count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "sink")) return sink(argc - 2, argv + 2);
    if (argc >= 7 && !strcmp(argv[1], "send")) return sender(argc - 2, argv + 2);
    fprintf(stderr, "usage: bench_simtool sink ADDR PORT IDLE_MS [--echo] [--list]\n"
                    "       bench_simtool send ADDR PORT COUNT SIZE INTERVAL_US [--echo WAIT_MS] "
                    "[--list]\n");
    return 2;
}
