/* One direction of the simulated bottleneck link, on a virtual clock (uint64_t nanoseconds):
 * a drop-tail queue of `queue` packets in front of a serializer at the link rate (a token
 * bucket one packet deep), a fixed one-way delay, and at the receiving end the scenario's
 * impairments (blackhole windows, drop list, random loss and corruption with bursts), like
 * ns-3's point-to-point link with a ReceiveErrorModel. The interface is quicly's simulator
 * node: forward() hands a packet in, next_run_at() says when the next packet leaves, run()
 * delivers the packets that are due. Nothing here reads a real clock or does I/O, so the unit
 * tests drive it without sleeping; forward.c is the real-time driver. */
#ifndef QUIRE_LINK_H
#define QUIRE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "util/rand.h"

typedef struct quire_link_pkt {
    uint64_t tx_start;  /* when the serializer starts sending it */
    uint64_t arrive_at; /* when it reaches the far end */
    uint32_t len;
    int synthetic;      /* cross traffic made up by the link: occupies it, never delivered */
    uint8_t *data;      /* slot of max_pkt bytes */
} quire_link_pkt;

typedef struct quire_link_stats {
    uint64_t in, in_bytes;
    uint64_t queue_drops;  /* drop-tail: queue full */
    uint64_t overflow;     /* too big for a slot, or every slot in use */
    uint64_t blackholed, droplisted, lost, corrupted;
    uint64_t delivered, delivered_bytes;
    uint64_t cross_in, cross_dropped; /* udp-cross-traffic packets offered / dropped */
} quire_link_stats;

typedef struct quire_link {
    int dir;                    /* QUIRE_DIR_* */
    uint64_t rate_bps, delay_ns;
    uint32_t queue;
    quire_impair_cfg impair;
    uint64_t bh_on_ns, bh_off_ns;
    uint32_t bh_repeat;
    uint64_t start_ns;          /* virtual time the scenario started (blackhole clock) */
    size_t max_pkt;
    quire_link_pkt *ring;
    uint8_t *slots;
    size_t cap, head, count;    /* FIFO of packets queued or in flight */
    uint64_t busy_until;        /* serializer busy until (virtual ns) */
    uint64_t carry;             /* sub-nanosecond remainder of serialization times, in bit-ns */
    uint64_t udp_index;         /* 1-based index of the last UDP packet that arrived */
    size_t drop_next;           /* next entry of impair.drops to match */
    uint32_t loss_in_row, corrupt_in_row;
    uint64_t cross_next_at;     /* next cross-traffic packet; UINT64_MAX: none */
    uint64_t cross_interval_ns;
    quire_rand rand;
    quire_link_stats stats;
} quire_link;

/* Verdicts of quire_link_forward. */
enum { QUIRE_LINK_QUEUED = 0, QUIRE_LINK_DROP_QUEUE = 1, QUIRE_LINK_DROP_OVERFLOW = 2 };

/* Sets up direction dir of scenario sc starting at virtual time start_ns; capacity is the most
 * packets held at once (queue plus in flight), max_pkt the largest packet. Randomness is drawn
 * from (seed, dir). Returns 0 or QUIRE_ERR_NOMEM / QUIRE_ERR_INVALID. */
int quire_link_init(quire_link *l, const quire_scenario *sc, int dir, uint64_t seed,
                    uint64_t start_ns, size_t capacity, size_t max_pkt);
void quire_link_free(quire_link *l);

/* Offers an IP packet at time now; returns a QUIRE_LINK_* verdict. */
int quire_link_forward(quire_link *l, uint64_t now, const uint8_t *pkt, size_t len);

/* udp-cross-traffic as in quic-network-simulator: a constant-rate UDP flow of 512-byte
 * datagrams (540-byte IP packets) from the server side to the client side, starting 20 s after
 * the start, sharing the queue and the rate with the real packets. */
#define QUIRE_LINK_CROSS_PKT 540
#define QUIRE_LINK_CROSS_START_NS 20000000000ULL

/* Virtual time at which the link next has something to do (a packet reaches the far end, or a
 * cross-traffic packet is due), UINT64_MAX when nothing. */
uint64_t quire_link_next_run_at(const quire_link *l);

/* Receives a packet that survived the link; it may modify the bytes in place. */
typedef void (*quire_link_deliver_fn)(void *ctx, uint8_t *pkt, size_t len, uint64_t at);

/* Delivers every packet due at or before now, in order, after the impairments; returns how
 * many reached the far end (delivered or dropped there). */
size_t quire_link_run(quire_link *l, uint64_t now, quire_link_deliver_fn deliver, void *ctx);

/* True if the blackhole drops packets arriving at virtual time t. */
int quire_link_blackhole_active(const quire_link *l, uint64_t t);

/* Packets waiting in the queue (not yet being serialized) at time now. */
size_t quire_link_queued(const quire_link *l, uint64_t now);

#endif
