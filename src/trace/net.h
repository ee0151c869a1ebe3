/* Link, IP and UDP layers of a captured frame: strips the link header (Ethernet with VLAN
 * tags, Linux cooked SLL/SLL2, BSD loopback, raw IP), decodes IPv4 (RFC 791) or IPv6 with its
 * extension headers (RFC 8200), and UDP (RFC 768). Reports addresses, ports, the ECN codepoint
 * (RFC 3168) and the UDP payload as a pointer into the frame. IP fragments are reported as
 * such, not reassembled. */
#ifndef QUIRE_NET_H
#define QUIRE_NET_H

#include <stddef.h>
#include <stdint.h>

typedef struct quire_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t a[16];  /* IPv4 uses the first 4 bytes */
} quire_addr;

typedef enum quire_net_kind {
    QUIRE_NET_UDP = 0,      /* a UDP datagram: payload is set */
    QUIRE_NET_FRAGMENT = 1, /* an IP fragment (not reassembled) */
    QUIRE_NET_OTHER = 2,    /* not IP, or IP carrying something other than UDP */
} quire_net_kind;

typedef struct quire_udp {
    quire_net_kind kind;
    quire_addr src, dst;
    uint16_t sport, dport;
    uint8_t ecn;            /* 0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE */
    uint8_t proto;          /* IP protocol / last next-header */
    const uint8_t *payload; /* UDP payload */
    size_t len;             /* UDP payload length */
    const char *what;       /* on error: which field failed (static string) */
} quire_udp;

/* Decodes frame bytes of link type `linktype` (QUIRE_LINK_*). Returns 0 with out->kind set,
 * or QUIRE_ERR_TRUNCATED / QUIRE_ERR_MALFORMED / QUIRE_ERR_UNSUPPORTED with out->what naming
 * the failing field. */
int quire_net_decode(int linktype, const uint8_t *data, size_t len, quire_udp *out);

/* Formats an address ("198.18.0.1", "2001:2::1") into buf (at least 46 bytes). */
const char *quire_addr_str(const quire_addr *a, char *buf, size_t buflen);
/* Formats "addr:port" or "[addr]:port" into buf (at least 56 bytes). */
const char *quire_endpoint_str(const quire_addr *a, uint16_t port, char *buf, size_t buflen);
int quire_addr_equal(const quire_addr *a, const quire_addr *b);

#endif
