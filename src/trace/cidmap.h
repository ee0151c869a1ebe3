/* The connection IDs of a capture: one open-addressing hash table keyed by (length, bytes),
 * mapping each CID to its connection and to the side that receives packets sent to it.
 * Short headers carry no CID length, so the table also keeps which lengths are in use. */
#ifndef QUIRE_TRACE_CIDMAP_H
#define QUIRE_TRACE_CIDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "trace/packet.h"

typedef struct quire_cidmap_entry {
    uint32_t conn; /* connection index + 1; 0 = empty slot */
    uint8_t owner; /* 0 client, 1 server: who receives packets with this DCID */
    uint8_t len;
    uint8_t id[QUIRE_MAX_CID_LEN];
} quire_cidmap_entry;

typedef struct quire_cidmap {
    quire_cidmap_entry *slots;
    size_t cap, count;
    uint32_t lens; /* bit n: some CID of length n is known (1..20) */
} quire_cidmap;

/* The entry of id, or NULL (unknown, or a length outside 1..20). */
const quire_cidmap_entry *quire_cidmap_find(const quire_cidmap *m, const uint8_t *id, size_t len);
/* Maps id to connection index conn (owner: the side receiving packets sent to it). A CID
 * already known keeps its first connection. Returns 1 added, 0 already known or a length
 * outside 1..20, QUIRE_ERR_NOMEM. */
int quire_cidmap_add(quire_cidmap *m, size_t conn, int owner, const uint8_t *id, size_t len);
/* Whether some CID of length len is known. */
int quire_cidmap_has_len(const quire_cidmap *m, size_t len);
void quire_cidmap_free(quire_cidmap *m);
/* Formats a CID as hex into buf (at least 41 bytes); returns buf. */
const char *quire_cid_hex(const uint8_t *id, size_t len, char *buf);

#endif
