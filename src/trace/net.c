/* Link, IPv4/IPv6 and UDP decoding of captured frames (RFC 791, RFC 8200, RFC 768); see
 * net.h. Every read goes through quire_cursor. */
#include "trace/net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "trace/pcap.h"
#include "util/cursor.h"
#include "util/err.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

static int fail(quire_udp *out, int err, const char *what)
{
    out->what = what;
    return err;
}

static int decode_udp(quire_cursor *c, size_t ip_payload_len, quire_udp *out)
{
    uint16_t ulen, csum;
    if (quire_cursor_u16(c, &out->sport) || quire_cursor_u16(c, &out->dport) ||
        quire_cursor_u16(c, &ulen) || quire_cursor_u16(c, &csum))
        return fail(out, QUIRE_ERR_TRUNCATED, "UDP header");
    (void)csum;
    if (ulen < 8 || ulen > ip_payload_len) {
        /* UDP length 0 is legal for IPv6 jumbograms only; treat the rest of the packet as it */
        if (!(ulen == 0 && out->src.family == 6))
            return fail(out, QUIRE_ERR_MALFORMED, "UDP length");
        ulen = (uint16_t)(ip_payload_len > 0xffff ? 0xffff : ip_payload_len);
    }
    size_t plen = (size_t)ulen - 8;
    if (quire_cursor_left(c) < plen)
        return fail(out, QUIRE_ERR_TRUNCATED, "UDP payload (capture snap length)");
    out->payload = c->p;
    out->len = plen;
    out->kind = QUIRE_NET_UDP;
    return 0;
}

static int decode_ipv4(quire_cursor *c, quire_udp *out)
{
    uint8_t vihl, tos, ttl, proto;
    uint16_t tot, id, frag, csum;
    const uint8_t *src, *dst;
    if (quire_cursor_u8(c, &vihl) || quire_cursor_u8(c, &tos) || quire_cursor_u16(c, &tot) ||
        quire_cursor_u16(c, &id) || quire_cursor_u16(c, &frag) || quire_cursor_u8(c, &ttl) ||
        quire_cursor_u8(c, &proto) || quire_cursor_u16(c, &csum) ||
        quire_cursor_bytes(c, 4, &src) || quire_cursor_bytes(c, 4, &dst))
        return fail(out, QUIRE_ERR_TRUNCATED, "IPv4 header");
    (void)id;
    (void)ttl;
    (void)csum;
    if (vihl >> 4 != 4) return fail(out, QUIRE_ERR_MALFORMED, "IPv4 version");
    size_t hl = (size_t)(vihl & 0x0f) * 4;
    if (hl < 20 || tot < hl) return fail(out, QUIRE_ERR_MALFORMED, "IPv4 header length");
    if (quire_cursor_skip(c, hl - 20)) return fail(out, QUIRE_ERR_TRUNCATED, "IPv4 options");
    out->src.family = out->dst.family = 4;
    memcpy(out->src.a, src, 4);
    memcpy(out->dst.a, dst, 4);
    out->ecn = tos & 3;
    out->proto = proto;
    /* more-fragments set or a nonzero offset: part of a fragmented datagram */
    if ((frag & 0x2000) || (frag & 0x1fff)) {
        out->kind = QUIRE_NET_FRAGMENT;
        return 0;
    }
    if (proto != 17) {
        out->kind = QUIRE_NET_OTHER;
        return 0;
    }
    size_t plen = (size_t)tot - hl;
    return decode_udp(c, plen, out);
}

/* RFC 8200 Section 4: hop-by-hop (0), routing (43), fragment (44), destination options (60),
 * AH (51, RFC 4302, length in 4-byte units), mobility (135), HIP (139), shim6 (140). */
static int decode_ipv6(quire_cursor *c, quire_udp *out)
{
    uint32_t vtf;
    uint16_t plen;
    uint8_t nh, hlim;
    const uint8_t *src, *dst;
    if (quire_cursor_u32(c, &vtf) || quire_cursor_u16(c, &plen) || quire_cursor_u8(c, &nh) ||
        quire_cursor_u8(c, &hlim) || quire_cursor_bytes(c, 16, &src) ||
        quire_cursor_bytes(c, 16, &dst))
        return fail(out, QUIRE_ERR_TRUNCATED, "IPv6 header");
    (void)hlim;
    if (vtf >> 28 != 6) return fail(out, QUIRE_ERR_MALFORMED, "IPv6 version");
    out->src.family = out->dst.family = 6;
    memcpy(out->src.a, src, 16);
    memcpy(out->dst.a, dst, 16);
    out->ecn = (uint8_t)((vtf >> 20) & 3);
    size_t left = plen;                         /* bytes of payload incl. extension headers */
    if (plen == 0) left = quire_cursor_left(c); /* jumbogram (RFC 2675) */
    for (int i = 0; i < 16; i++) {
        out->proto = nh;
        switch (nh) {
        case 0:
        case 43:
        case 60:
        case 135:
        case 139:
        case 140:
        case 51:
        case 44: {
            uint8_t next, hl;
            if (quire_cursor_u8(c, &next) || quire_cursor_u8(c, &hl))
                return fail(out, QUIRE_ERR_TRUNCATED, "IPv6 extension header");
            size_t ext = nh == 51 ? ((size_t)hl + 2) * 4 : nh == 44 ? 8 : ((size_t)hl + 1) * 8;
            if (ext > left) return fail(out, QUIRE_ERR_MALFORMED, "IPv6 extension header length");
            if (nh == 44) {
                uint16_t off;
                if (quire_cursor_u16(c, &off))
                    return fail(out, QUIRE_ERR_TRUNCATED, "IPv6 fragment header");
                if ((off & 0xfff8) || (off & 1)) {
                    out->proto = next;
                    out->kind = QUIRE_NET_FRAGMENT;
                    return 0;
                }
                /* atomic fragment (offset 0, M=0): the datagram is whole */
                if (quire_cursor_skip(c, 4))
                    return fail(out, QUIRE_ERR_TRUNCATED, "IPv6 fragment header");
            } else if (quire_cursor_skip(c, ext - 2)) {
                return fail(out, QUIRE_ERR_TRUNCATED, "IPv6 extension header");
            }
            left -= ext;
            nh = next;
            continue;
        }
        case 17:
            return decode_udp(c, left, out);
        default:
            out->kind = QUIRE_NET_OTHER;
            return 0;
        }
    }
    return fail(out, QUIRE_ERR_MALFORMED, "IPv6 extension header chain too long");
}

static int decode_ip(quire_cursor *c, quire_udp *out)
{
    if (quire_cursor_left(c) < 1) return fail(out, QUIRE_ERR_TRUNCATED, "IP header");
    switch (c->p[0] >> 4) {
    case 4:
        return decode_ipv4(c, out);
    case 6:
        return decode_ipv6(c, out);
    default:
        return fail(out, QUIRE_ERR_MALFORMED, "IP version");
    }
}

static int decode_ethertype(quire_cursor *c, uint16_t type, quire_udp *out)
{
    if (type == ETH_IPV4) {
        if (quire_cursor_left(c) && c->p[0] >> 4 != 4)
            return fail(out, QUIRE_ERR_MALFORMED, "IPv4 version");
        return decode_ip(c, out);
    }
    if (type == ETH_IPV6) {
        if (quire_cursor_left(c) && c->p[0] >> 4 != 6)
            return fail(out, QUIRE_ERR_MALFORMED, "IPv6 version");
        return decode_ip(c, out);
    }
    out->kind = QUIRE_NET_OTHER;
    return 0;
}

int quire_net_decode(int linktype, const uint8_t *data, size_t len, quire_udp *out)
{
    quire_cursor c;
    memset(out, 0, sizeof *out);
    out->kind = QUIRE_NET_OTHER;
    quire_cursor_init(&c, data, len);
    switch (linktype) {
    case QUIRE_LINK_ETHERNET: {
        uint16_t type;
        if (quire_cursor_skip(&c, 12) || quire_cursor_u16(&c, &type))
            return fail(out, QUIRE_ERR_TRUNCATED, "Ethernet header");
        /* 802.1Q / 802.1ad tags, at most two */
        for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); i++)
            if (quire_cursor_skip(&c, 2) || quire_cursor_u16(&c, &type))
                return fail(out, QUIRE_ERR_TRUNCATED, "VLAN tag");
        return decode_ethertype(&c, type, out);
    }
    case QUIRE_LINK_SLL: {
        uint16_t type;
        if (quire_cursor_skip(&c, 14) || quire_cursor_u16(&c, &type))
            return fail(out, QUIRE_ERR_TRUNCATED, "Linux cooked (SLL) header");
        return decode_ethertype(&c, type, out);
    }
    case QUIRE_LINK_SLL2: {
        uint16_t type;
        if (quire_cursor_u16(&c, &type) || quire_cursor_skip(&c, 18))
            return fail(out, QUIRE_ERR_TRUNCATED, "Linux cooked (SLL2) header");
        return decode_ethertype(&c, type, out);
    }
    case QUIRE_LINK_NULL:
    case QUIRE_LINK_LOOP: {
        /* 4-byte address family; NULL uses host order of the capturing machine, so accept
         * either order. IPv6 has several values (24, 28, 30 on the BSDs). */
        const uint8_t *af;
        if (quire_cursor_bytes(&c, 4, &af))
            return fail(out, QUIRE_ERR_TRUNCATED, "loopback header");
        uint32_t be = (uint32_t)af[0] << 24 | (uint32_t)af[1] << 16 | (uint32_t)af[2] << 8 | af[3];
        uint32_t le = (uint32_t)af[3] << 24 | (uint32_t)af[2] << 16 | (uint32_t)af[1] << 8 | af[0];
        uint32_t fam = be < 256 ? be : le;
        if (fam == 2) return decode_ethertype(&c, ETH_IPV4, out);
        if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
            return decode_ethertype(&c, ETH_IPV6, out);
        return 0;
    }
    case QUIRE_LINK_RAW:
        return decode_ip(&c, out);
    case QUIRE_LINK_IPV4:
        return decode_ethertype(&c, ETH_IPV4, out);
    case QUIRE_LINK_IPV6:
        return decode_ethertype(&c, ETH_IPV6, out);
    default:
        return fail(out, QUIRE_ERR_UNSUPPORTED, "link type");
    }
}

const char *quire_addr_str(const quire_addr *a, char *buf, size_t buflen)
{
    if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf, (socklen_t)buflen))
        snprintf(buf, buflen, "?");
    return buf;
}

const char *quire_endpoint_str(const quire_addr *a, uint16_t port, char *buf, size_t buflen)
{
    char ab[64];
    quire_addr_str(a, ab, sizeof ab);
    if (a->family == 6)
        snprintf(buf, buflen, "[%s]:%u", ab, port);
    else
        snprintf(buf, buflen, "%s:%u", ab, port);
    return buf;
}

int quire_addr_equal(const quire_addr *a, const quire_addr *b)
{
    return a->family == b->family && !memcmp(a->a, b->a, a->family == 6 ? 16 : 4);
}
