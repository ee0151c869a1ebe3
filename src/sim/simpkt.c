/* IP/UDP helpers for the simulator (see simpkt.h): RFC 791 (IPv4), RFC 8200 (IPv6), RFC 768
 * (UDP), RFC 1071 (Internet checksum). */
#include "sim/simpkt.h"

#include <string.h>

#include "util/cursor.h"
#include "util/err.h"

int quire_simpkt_parse(quire_simpkt *p, const uint8_t *pkt, size_t len)
{
    quire_cursor c;
    uint8_t b0;
    memset(p, 0, sizeof *p);
    quire_cursor_init(&c, pkt, len);
    if (quire_cursor_u8(&c, &b0)) return QUIRE_ERR_TRUNCATED;
    if ((b0 >> 4) == 4) {
        uint16_t tot, frag;
        p->family = 4;
        p->l3len = (size_t)(b0 & 0x0f) * 4;
        if (p->l3len < 20) return QUIRE_ERR_MALFORMED;
        if (len < p->l3len) return QUIRE_ERR_TRUNCATED;
        if (quire_cursor_skip(&c, 1) || quire_cursor_u16(&c, &tot) || quire_cursor_skip(&c, 2) ||
            quire_cursor_u16(&c, &frag) || quire_cursor_skip(&c, 1) ||
            quire_cursor_u8(&c, &p->proto))
            return QUIRE_ERR_TRUNCATED;
        if (tot < p->l3len) return QUIRE_ERR_MALFORMED;
        if (tot > len) return QUIRE_ERR_TRUNCATED;
        p->totlen = tot;
        p->is_fragment = (frag & 0x3fff) != 0;
        p->src = pkt + 12;
        p->dst = pkt + 16;
        p->addrlen = 4;
    } else if ((b0 >> 4) == 6) {
        uint16_t plen;
        p->family = 6;
        p->l3len = 40;
        if (quire_cursor_skip(&c, 3) || quire_cursor_u16(&c, &plen) ||
            quire_cursor_u8(&c, &p->proto) || quire_cursor_skip(&c, 33))
            return QUIRE_ERR_TRUNCATED;
        if ((size_t)plen + 40 > len) return QUIRE_ERR_TRUNCATED;
        p->totlen = (size_t)plen + 40;
        p->src = pkt + 8;
        p->dst = pkt + 24;
        p->addrlen = 16;
    } else {
        return QUIRE_ERR_MALFORMED;
    }
    if (p->proto == 17 && !p->is_fragment && p->totlen >= p->l3len + 8) {
        quire_cursor u;
        uint16_t ulen;
        quire_cursor_init(&u, pkt + p->l3len, p->totlen - p->l3len);
        if (quire_cursor_u16(&u, &p->sport) || quire_cursor_u16(&u, &p->dport) ||
            quire_cursor_u16(&u, &ulen))
            return QUIRE_ERR_TRUNCATED;
        if (ulen < 8 || ulen > p->totlen - p->l3len) return QUIRE_ERR_MALFORMED;
        p->is_udp = 1;
        p->udp_off = p->l3len;
        p->payload_off = p->l3len + 8;
        p->payload_len = (size_t)ulen - 8;
    }
    return 0;
}

static uint32_t sum16(uint32_t acc, const uint8_t *d, size_t n)
{
    while (n > 1) {
        acc += (uint32_t)((d[0] << 8) | d[1]);
        d += 2;
        n -= 2;
    }
    if (n) acc += (uint32_t)(d[0] << 8);
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

void quire_simpkt_fix_ip_csum(uint8_t *pkt, const quire_simpkt *p)
{
    if (p->family != 4) return;
    pkt[10] = pkt[11] = 0;
    uint16_t cs = fold(sum16(0, pkt, p->l3len));
    pkt[10] = (uint8_t)(cs >> 8);
    pkt[11] = (uint8_t)cs;
}

void quire_simpkt_fix_l4_csum(uint8_t *pkt, const quire_simpkt *p)
{
    size_t off, l4len = p->totlen - p->l3len, csum_at;
    if (p->is_fragment) return;
    if (p->proto == 17 && p->is_udp) {
        off = p->udp_off;
        l4len = p->payload_len + 8;
        csum_at = off + 6;
    } else if (p->proto == 6 && l4len >= 20) {
        off = p->l3len;
        csum_at = off + 16;
    } else {
        return;
    }
    pkt[csum_at] = pkt[csum_at + 1] = 0;
    /* Pseudo-header: RFC 768 (IPv4), RFC 8200 Section 8.1 (IPv6). */
    uint32_t acc = sum16(0, p->src, p->addrlen);
    acc = sum16(acc, p->dst, p->addrlen);
    acc += p->proto;
    acc += (uint32_t)(l4len & 0xffff) + (uint32_t)(l4len >> 16);
    acc = sum16(acc, pkt + off, l4len);
    uint16_t cs = fold(acc);
    if (p->proto == 17 && cs == 0) cs = 0xffff; /* 0 means "no checksum" in UDP */
    pkt[csum_at] = (uint8_t)(cs >> 8);
    pkt[csum_at + 1] = (uint8_t)cs;
}

int quire_simpkt_dec_ttl(uint8_t *pkt, const quire_simpkt *p)
{
    if (p->family == 4) {
        if (pkt[8] <= 1) return -1;
        pkt[8]--;
        quire_simpkt_fix_ip_csum(pkt, p);
    } else {
        if (pkt[7] <= 1) return -1;
        pkt[7]--;
    }
    return 0;
}

int quire_simpkt_is_quic_vn(const uint8_t *pkt, const quire_simpkt *p)
{
    if (!p->is_udp || p->payload_len < 5) return 0;
    const uint8_t *q = pkt + p->payload_off;
    return (q[0] & 0x80) && !q[1] && !q[2] && !q[3] && !q[4];
}

size_t quire_simpkt_udp_nsegs(const quire_simpkt *p, size_t seg)
{
    if (!p->is_udp || seg == 0) return 0;
    return p->payload_len ? (p->payload_len + seg - 1) / seg : 1;
}

size_t quire_simpkt_udp_segment(const uint8_t *pkt, const quire_simpkt *p, size_t seg, size_t idx,
                                uint8_t *out, size_t cap)
{
    size_t n = quire_simpkt_udp_nsegs(p, seg);
    if (idx >= n) return 0;
    size_t off = idx * seg;
    size_t plen = p->payload_len - off < seg ? p->payload_len - off : seg;
    size_t hdr = p->payload_off, tot = hdr + plen;
    if (tot > cap || tot > 65535) return 0;
    memcpy(out, pkt, hdr);
    memcpy(out + hdr, pkt + p->payload_off + off, plen);
    if (p->family == 4) {
        out[2] = (uint8_t)(tot >> 8);
        out[3] = (uint8_t)tot;
        uint16_t id = (uint16_t)(((pkt[4] << 8) | pkt[5]) + idx);
        out[4] = (uint8_t)(id >> 8);
        out[5] = (uint8_t)id;
    } else {
        size_t pl = tot - 40;
        out[4] = (uint8_t)(pl >> 8);
        out[5] = (uint8_t)pl;
    }
    size_t ulen = plen + 8;
    out[p->udp_off + 4] = (uint8_t)(ulen >> 8);
    out[p->udp_off + 5] = (uint8_t)ulen;
    quire_simpkt sp;
    if (quire_simpkt_parse(&sp, out, tot)) return 0;
    quire_simpkt_fix_ip_csum(out, &sp);
    quire_simpkt_fix_l4_csum(out, &sp);
    return tot;
}
