/* IPv4/IPv6 packet helpers for the simulator: locate the addresses and the UDP header of a
 * packet (bounds-checked, untrusted input), recompute the IPv4 header and UDP/TCP checksums
 * after the simulator changed bytes (corruption, NAT) or when the sender left them to
 * offload, and decrement the TTL / hop limit like a router. */
#ifndef QUIRE_SIMPKT_H
#define QUIRE_SIMPKT_H

#include <stddef.h>
#include <stdint.h>

typedef struct quire_simpkt {
    int family;          /* 4 or 6 */
    size_t l3len;        /* IP header length */
    size_t totlen;       /* IP total length (<= buffer length) */
    uint8_t proto;       /* transport protocol (IPv6: first next header) */
    const uint8_t *src;  /* 4 or 16 bytes, inside the packet */
    const uint8_t *dst;
    size_t addrlen;
    int is_udp;          /* a complete UDP header follows the IP header */
    size_t udp_off;      /* offset of the UDP header */
    size_t payload_off;  /* offset of the UDP payload */
    size_t payload_len;
    uint16_t sport, dport;
    int is_fragment;     /* IPv4 fragment (not the first, or more to come) */
} quire_simpkt;

/* Parses an IP packet; returns 0, QUIRE_ERR_TRUNCATED or QUIRE_ERR_MALFORMED. */
int quire_simpkt_parse(quire_simpkt *p, const uint8_t *pkt, size_t len);

/* Recomputes the IPv4 header checksum (no-op for IPv6). */
void quire_simpkt_fix_ip_csum(uint8_t *pkt, const quire_simpkt *p);
/* Recomputes the UDP or TCP checksum over the whole segment (no-op for other protocols and
 * fragments). */
void quire_simpkt_fix_l4_csum(uint8_t *pkt, const quire_simpkt *p);
/* Decrements TTL / hop limit; returns -1 (leave the packet untouched) when it would reach 0. */
int quire_simpkt_dec_ttl(uint8_t *pkt, const quire_simpkt *p);
/* True for a QUIC Version Negotiation packet (long header, version 0) in the UDP payload. */
int quire_simpkt_is_quic_vn(const uint8_t *pkt, const quire_simpkt *p);

/* UDP segmentation (GSO) done in software: a super-packet whose UDP payload holds several
 * datagrams of seg bytes each (the last may be shorter). quire_simpkt_udp_nsegs() says how many;
 * quire_simpkt_udp_segment() writes datagram idx as a complete IP packet with its own lengths,
 * IPv4 identification (id + idx) and checksums into out, and returns its length, or 0 if it
 * does not fit in cap. */
size_t quire_simpkt_udp_nsegs(const quire_simpkt *p, size_t seg);
size_t quire_simpkt_udp_segment(const uint8_t *pkt, const quire_simpkt *p, size_t seg, size_t idx,
                                uint8_t *out, size_t cap);

#endif
