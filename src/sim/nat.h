/* The rebind scenario's NAT: between the client and the server, each client UDP flow (address,
 * port) is mapped to a public (address, port); at --first-rebind and then every --rebind-freq
 * every mapping gets a new random port (and, with --rebind-addr, a new address in the client's
 * /24 for IPv4 or in the last 16 bits for IPv6). Server packets to a mapping that no longer
 * exists are dropped, as quic-network-simulator's rebind error model does. Virtual clock, no
 * I/O; a disabled NAT (any other scenario) passes everything unchanged. */
#ifndef QUIRE_NAT_H
#define QUIRE_NAT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "util/rand.h"

#define QUIRE_NAT_MAX 256

typedef struct quire_nat_binding {
    int family;
    uint8_t orig_addr[16], pub_addr[16];
    uint16_t orig_port, pub_port;
} quire_nat_binding;

typedef struct quire_nat {
    int enabled;
    int rebind_addr;
    uint64_t next_rebind_at; /* UINT64_MAX: no more */
    uint64_t freq_ns;
    uint32_t nrebinds;
    uint64_t stale_drops, full_drops;
    quire_nat_binding b[QUIRE_NAT_MAX];
    size_t nb;
    quire_rand rand;
    void (*log)(void *ctx, const char *msg); /* optional: one line per rebinding */
    void *log_ctx;
} quire_nat;

void quire_nat_init(quire_nat *n, const quire_scenario *sc, uint64_t seed, uint64_t start_ns);
/* Applies the rebindings due at or before now. */
void quire_nat_advance(quire_nat *n, uint64_t now);
/* Rewrites a client->server packet arriving at now (source); returns 0, or -1 to drop it. */
int quire_nat_to_server(quire_nat *n, uint64_t now, uint8_t *pkt, size_t len);
/* Rewrites a server->client packet arriving at now (destination); returns 0, or -1 to drop. */
int quire_nat_to_client(quire_nat *n, uint64_t now, uint8_t *pkt, size_t len);

#endif
