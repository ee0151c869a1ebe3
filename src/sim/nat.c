/* Rebinding NAT (see nat.h), after quic-network-simulator's sim/scenarios/rebind. */
#include "sim/nat.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sim/simpkt.h"

void quire_nat_init(quire_nat *n, const quire_scenario *sc, uint64_t seed, uint64_t start_ns)
{
    memset(n, 0, sizeof *n);
    n->enabled = sc->kind == QUIRE_SCENARIO_REBIND;
    n->rebind_addr = sc->rebind_addr;
    n->freq_ns = sc->rebind_freq_ns;
    n->next_rebind_at = n->enabled ? start_ns + sc->first_rebind_ns : UINT64_MAX;
    quire_rand_init(&n->rand, seed, 3);
}

static int pub_port_used(const quire_nat *n, uint16_t port, size_t except)
{
    for (size_t i = 0; i < n->nb; i++)
        if (i != except && n->b[i].pub_port == port) return 1;
    return 0;
}

static void new_addr(quire_nat *n, quire_nat_binding *b)
{
    size_t alen = b->family == 4 ? 4 : 16;
    uint8_t old[16];
    memcpy(old, b->pub_addr, alen);
    for (int tries = 0; tries < 1000; tries++) {
        if (b->family == 4) {
            /* Host part 2..254: not the network, not .1 (the router in quire's testbeds), not
             * the broadcast address. */
            b->pub_addr[3] = (uint8_t)(2 + quire_rand_below(&n->rand, 253));
        } else {
            uint16_t v = (uint16_t)(2 + quire_rand_below(&n->rand, 0xfffd));
            b->pub_addr[14] = (uint8_t)(v >> 8);
            b->pub_addr[15] = (uint8_t)v;
        }
        if (memcmp(b->pub_addr, old, alen) && memcmp(b->pub_addr, b->orig_addr, alen)) return;
    }
}

static void rebind_all(quire_nat *n)
{
    n->nrebinds++;
    if (n->nb == 0 && n->log) {
        char msg[64];
        snprintf(msg, sizeof msg, "rebinding %u: no flows yet", n->nrebinds);
        n->log(n->log_ctx, msg);
    }
    for (size_t i = 0; i < n->nb; i++) {
        quire_nat_binding *b = &n->b[i];
        char from[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN], msg[160];
        uint16_t old_port = b->pub_port;
        int af = b->family == 4 ? AF_INET : AF_INET6;
        inet_ntop(af, b->pub_addr, from, sizeof from);
        if (n->rebind_addr) new_addr(n, b);
        uint16_t p;
        do
            p = (uint16_t)(1024 + quire_rand_below(&n->rand, 65536 - 1024));
        while (p == old_port || pub_port_used(n, p, i));
        b->pub_port = p;
        inet_ntop(af, b->pub_addr, to, sizeof to);
        if (n->log) {
            const char *o = af == AF_INET6 ? "[" : "", *c = af == AF_INET6 ? "]" : "";
            snprintf(msg, sizeof msg, "rebinding %u: %s%s%s:%u -> %s%s%s:%u", n->nrebinds, o, from,
                     c, old_port, o, to, c, p);
            n->log(n->log_ctx, msg);
        }
    }
}

void quire_nat_advance(quire_nat *n, uint64_t now)
{
    while (n->enabled && n->next_rebind_at <= now) {
        rebind_all(n);
        n->next_rebind_at = n->freq_ns ? n->next_rebind_at + n->freq_ns : UINT64_MAX;
    }
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Rebinds what is due at now; returns 1 when pkt is a UDP packet the NAT translates (parsed
 * into p), 0 when it passes unchanged. */
static int takes(quire_nat *n, uint64_t now, const uint8_t *pkt, size_t len, quire_simpkt *p)
{
    if (!n->enabled) return 0;
    quire_nat_advance(n, now);
    return !quire_simpkt_parse(p, pkt, len) && p->is_udp;
}

/* Writes addr at *at (the source or destination address in pkt) and port at pkt + port_off,
 * then the checksums. */
static void rewrite(uint8_t *pkt, const quire_simpkt *p, const uint8_t *at, const uint8_t *addr,
                    size_t port_off, uint16_t port)
{
    memcpy(pkt + (at - pkt), addr, p->addrlen);
    put16(pkt + port_off, port);
    quire_simpkt_fix_ip_csum(pkt, p);
    quire_simpkt_fix_l4_csum(pkt, p);
}

int quire_nat_to_server(quire_nat *n, uint64_t now, uint8_t *pkt, size_t len)
{
    quire_simpkt p;
    if (!takes(n, now, pkt, len, &p)) return 0;
    quire_nat_binding *b = NULL;
    for (size_t i = 0; i < n->nb; i++)
        if (n->b[i].family == p.family && n->b[i].orig_port == p.sport &&
            !memcmp(n->b[i].orig_addr, p.src, p.addrlen)) {
            b = &n->b[i];
            break;
        }
    if (!b) {
        /* A new flow starts out unmapped (public = original) until the next rebinding. */
        if (n->nb == QUIRE_NAT_MAX || pub_port_used(n, p.sport, SIZE_MAX)) {
            n->full_drops++;
            return -1;
        }
        b = &n->b[n->nb++];
        memset(b, 0, sizeof *b);
        b->family = p.family;
        memcpy(b->orig_addr, p.src, p.addrlen);
        memcpy(b->pub_addr, p.src, p.addrlen);
        b->orig_port = b->pub_port = p.sport;
    }
    rewrite(pkt, &p, p.src, b->pub_addr, p.udp_off, b->pub_port);
    return 0;
}

int quire_nat_to_client(quire_nat *n, uint64_t now, uint8_t *pkt, size_t len)
{
    quire_simpkt p;
    if (!takes(n, now, pkt, len, &p)) return 0;
    for (size_t i = 0; i < n->nb; i++) {
        quire_nat_binding *b = &n->b[i];
        if (b->family == p.family && b->pub_port == p.dport &&
            !memcmp(b->pub_addr, p.dst, p.addrlen)) {
            rewrite(pkt, &p, p.dst, b->orig_addr, p.udp_off + 2, b->orig_port);
            return 0;
        }
    }
    n->stale_drops++;
    return -1;
}
