/* Packet builders and checksum verification shared by the simulator's unit tests (included by
 * test_link.c, test_nat.c, test_simpkt.c; not a module). */
#ifndef QUIRE_SIMTEST_PKT_H
#define QUIRE_SIMTEST_PKT_H

#include <stdint.h>
#include <string.h>

/* Writes the UDP header and payload_len bytes of payload (byte i = fill + i) at u; the checksum
 * is left zero. */
static inline void put_udp(uint8_t *u, uint16_t sport, uint16_t dport, size_t payload_len,
                           uint8_t fill)
{
    size_t ulen = payload_len + 8;
    u[0] = (uint8_t)(sport >> 8);
    u[1] = (uint8_t)sport;
    u[2] = (uint8_t)(dport >> 8);
    u[3] = (uint8_t)dport;
    u[4] = (uint8_t)(ulen >> 8);
    u[5] = (uint8_t)ulen;
    for (size_t i = 0; i < payload_len; i++)
        u[8 + i] = (uint8_t)(fill + i);
}

/* Builds an IPv4/UDP packet 198.18.0.100:sport -> 198.19.0.100:dport (or the reverse with
 * to_client) with payload_len bytes of payload (byte i = fill + i) and valid checksums;
 * returns its length. */
static inline size_t build_udp4(uint8_t *p, int to_client, uint16_t sport, uint16_t dport,
                                size_t payload_len, uint8_t fill)
{
    static const uint8_t c[4] = {198, 18, 0, 100}, s[4] = {198, 19, 0, 100};
    size_t tot = 28 + payload_len;
    memset(p, 0, tot);
    p[0] = 0x45;
    p[2] = (uint8_t)(tot >> 8);
    p[3] = (uint8_t)tot;
    p[8] = 64;
    p[9] = 17;
    memcpy(p + 12, to_client ? s : c, 4);
    memcpy(p + 16, to_client ? c : s, 4);
    put_udp(p + 20, sport, dport, payload_len, fill);
    quire_simpkt sp;
    quire_simpkt_parse(&sp, p, tot);
    quire_simpkt_fix_ip_csum(p, &sp);
    quire_simpkt_fix_l4_csum(p, &sp);
    return tot;
}

/* The same over IPv6 (2001:2:0:1::100 <-> 2001:2:0:2::100). */
static inline size_t build_udp6(uint8_t *p, int to_client, uint16_t sport, uint16_t dport,
                                size_t payload_len, uint8_t fill)
{
    uint8_t c[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0};
    uint8_t s[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0};
    size_t ulen = payload_len + 8, tot = 40 + ulen;
    memset(p, 0, tot);
    p[0] = 0x60;
    p[4] = (uint8_t)(ulen >> 8);
    p[5] = (uint8_t)ulen;
    p[6] = 17;
    p[7] = 64;
    memcpy(p + 8, to_client ? s : c, 16);
    memcpy(p + 24, to_client ? c : s, 16);
    put_udp(p + 40, sport, dport, payload_len, fill);
    quire_simpkt sp;
    quire_simpkt_parse(&sp, p, tot);
    quire_simpkt_fix_l4_csum(p, &sp);
    return tot;
}

/* One's-complement sum as in RFC 1071, written independently of simpkt.c. */
static inline uint32_t t_sum(uint32_t acc, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (n & 1) acc += (uint32_t)(d[n - 1] << 8);
    return acc;
}

static inline uint16_t t_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)acc;
}

/* True if the IPv4 header (if any) and UDP checksums of the packet verify. */
static inline int udp_csum_ok(const uint8_t *p, size_t len)
{
    int v4 = (p[0] >> 4) == 4;
    size_t l3 = v4 ? 20 : 40, alen = v4 ? 4 : 16;
    const uint8_t *src = p + (v4 ? 12 : 8), *dst = p + (v4 ? 16 : 24);
    if (v4 && t_fold(t_sum(0, p, 20)) != 0xffff) return 0;
    size_t ulen = len - l3;
    uint32_t acc = t_sum(0, src, alen);
    acc = t_sum(acc, dst, alen);
    acc += 17 + (uint32_t)ulen;
    acc = t_sum(acc, p + l3, ulen);
    return t_fold(acc) == 0xffff;
}

#endif
