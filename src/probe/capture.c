/* Ethernet/IP/UDP framing of the probe's datagrams for its pcap (see capture.h). */
#include "probe/capture.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe/wire.h"

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

size_t quire_capture_frame(uint8_t *out, size_t cap, const struct sockaddr *src,
                           const struct sockaddr *dst, const uint8_t *payload, size_t len)
{
    static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x01}, mac_b[6] = {0x02, 0, 0, 0, 0, 0x02};
    if (src->sa_family != dst->sa_family || len > 65000) return 0;
    int v6 = src->sa_family == AF_INET6;
    if (!v6 && src->sa_family != AF_INET) return 0;
    const uint8_t *sa, *da;
    uint16_t sport, dport;
    size_t alen = v6 ? 16 : 4;
    if (v6) {
        const struct sockaddr_in6 *s6 = (const void *)src, *d6 = (const void *)dst;
        sa = s6->sin6_addr.s6_addr;
        da = d6->sin6_addr.s6_addr;
        sport = ntohs(s6->sin6_port);
        dport = ntohs(d6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const void *)src, *d4 = (const void *)dst;
        sa = (const uint8_t *)&s4->sin_addr;
        da = (const uint8_t *)&d4->sin_addr;
        sport = ntohs(s4->sin_port);
        dport = ntohs(d4->sin_port);
    }
    quire_wire w;
    quire_wire_init(&w, out, cap);
    quire_wire_bytes(&w, mac_b, 6);
    quire_wire_bytes(&w, mac_a, 6);
    quire_wire_u16(&w, v6 ? 0x86dd : 0x0800);
    size_t ip = w.len;
    uint16_t udp_len = (uint16_t)(8 + len);
    if (v6) {
        quire_wire_u32(&w, 0x60000000u);
        quire_wire_u16(&w, udp_len);
        quire_wire_u8(&w, 17);
        quire_wire_u8(&w, 64);
    } else {
        quire_wire_u16(&w, 0x4500);
        quire_wire_u16(&w, (uint16_t)(20 + udp_len));
        quire_wire_u32(&w, 0x00004000u); /* id 0, DF */
        quire_wire_u8(&w, 64);
        quire_wire_u8(&w, 17);
        quire_wire_u16(&w, 0);
    }
    quire_wire_bytes(&w, sa, alen);
    quire_wire_bytes(&w, da, alen);
    size_t udp = w.len;
    quire_wire_u16(&w, sport);
    quire_wire_u16(&w, dport);
    quire_wire_u16(&w, udp_len);
    quire_wire_u16(&w, 0);
    quire_wire_bytes(&w, payload, len);
    if (w.err) return 0;
    if (!v6) {
        uint16_t ck = fold(sum16(0, out + ip, 20));
        out[ip + 10] = (uint8_t)(ck >> 8);
        out[ip + 11] = (uint8_t)ck;
    }
    /* UDP checksum over the pseudo header (RFC 768, RFC 8200 Section 8.1) */
    uint32_t acc = sum16(0, sa, alen);
    acc = sum16(acc, da, alen);
    acc += 17u + udp_len;
    acc = sum16(acc, out + udp, 8 + len);
    uint16_t ck = fold(acc);
    if (ck == 0) ck = 0xffff;
    out[udp + 6] = (uint8_t)(ck >> 8);
    out[udp + 7] = (uint8_t)ck;
    return w.len;
}

void quire_capture_udp(quire_pcapw *w, const struct sockaddr *src, const struct sockaddr *dst,
                       const uint8_t *payload, size_t len)
{
    if (!w || !w->dumper) return;
    uint8_t small[2048];
    size_t cap = len + 64;
    uint8_t *frame = cap <= sizeof small ? small : malloc(cap);
    if (!frame) return;
    size_t n = quire_capture_frame(frame, cap, src, dst, payload, len);
    if (!n) {
        if (frame != small) free(frame);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    quire_pcapw_write(w, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, frame, n);
    if (frame != small) free(frame);
}
