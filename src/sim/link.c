/* Bottleneck link direction on a virtual clock (see link.h). Impairments follow
 * quic-network-simulator's error models (sim/scenarios/<name>/<name>-error-model.cc), applied
 * where ns-3 applies them: at the receiving device, in arrival order. */
#include "sim/link.h"

#include <stdlib.h>
#include <string.h>

#include "sim/simpkt.h"
#include "util/err.h"

#define INITIAL_CAP 256

/* Moves the FIFO into a ring of new_cap slots (new_cap >= count), oldest first. */
static int grow(quire_link *l, size_t new_cap)
{
    quire_link_pkt *ring = calloc(new_cap, sizeof *ring);
    uint8_t *slots = malloc(new_cap * l->max_pkt);
    if (!ring || !slots) {
        free(ring);
        free(slots);
        return QUIRE_ERR_NOMEM;
    }
    for (size_t i = 0; i < new_cap; i++)
        ring[i].data = slots + i * l->max_pkt;
    for (size_t i = 0; i < l->count; i++) {
        const quire_link_pkt *o = &l->ring[(l->head + i) % l->cap];
        uint8_t *data = ring[i].data;
        ring[i] = *o;
        ring[i].data = data;
        if (!o->synthetic) memcpy(data, o->data, o->len);
    }
    free(l->ring);
    free(l->slots);
    l->ring = ring;
    l->slots = slots;
    l->cap = new_cap;
    l->head = 0;
    return 0;
}

int quire_link_init(quire_link *l, const quire_scenario *sc, int dir, uint64_t seed,
                    uint64_t start_ns, size_t capacity, size_t max_pkt)
{
    memset(l, 0, sizeof *l);
    if ((dir != QUIRE_DIR_TO_SERVER && dir != QUIRE_DIR_TO_CLIENT) || capacity == 0 ||
        max_pkt < 20 || max_pkt > 65535)
        return QUIRE_ERR_INVALID;
    l->dir = dir;
    l->rate_bps = sc->rate_bps;
    l->delay_ns = sc->delay_ns;
    l->queue = sc->queue;
    l->impair = sc->dir[dir];
    l->bh_on_ns = sc->bh_on_ns;
    l->bh_off_ns = sc->bh_off_ns;
    l->bh_repeat = sc->bh_repeat;
    l->start_ns = start_ns;
    l->max_pkt = max_pkt;
    l->max_cap = capacity;
    l->busy_until = start_ns;
    l->cross_next_at = UINT64_MAX;
    if (sc->kind == QUIRE_SCENARIO_UDP_CROSS && dir == QUIRE_DIR_TO_CLIENT && sc->cross_rate_bps) {
        l->cross_next_at = start_ns + QUIRE_LINK_CROSS_START_NS;
        l->cross_interval_ns = QUIRE_LINK_CROSS_PKT * 8ULL * 1000000000ULL / sc->cross_rate_bps;
        /* Bounded work per second of virtual time: at most one cross packet per microsecond. */
        if (l->cross_interval_ns < 1000) l->cross_interval_ns = 1000;
    }
    quire_rand_init(&l->rand, seed, (uint64_t)dir + 1);
    return grow(l, capacity < INITIAL_CAP ? capacity : INITIAL_CAP);
}

void quire_link_free(quire_link *l)
{
    free(l->ring);
    free(l->slots);
    l->ring = NULL;
    l->slots = NULL;
}

size_t quire_link_queued(const quire_link *l, uint64_t now)
{
    /* tx_start grows along the FIFO, so the waiting packets are a suffix of it. */
    size_t n = 0;
    while (n < l->count) {
        const quire_link_pkt *p = &l->ring[(l->head + l->count - 1 - n) % l->cap];
        if (p->tx_start <= now) break;
        n++;
    }
    return n;
}

/* Queues a packet (pkt NULL: a synthetic cross-traffic packet of len bytes). */
static int enqueue(quire_link *l, uint64_t now, const uint8_t *pkt, size_t len)
{
    if (len > l->max_pkt) return QUIRE_LINK_DROP_OVERFLOW;
    if (l->count == l->cap) {
        size_t want = l->cap * 2 < l->max_cap ? l->cap * 2 : l->max_cap;
        if (want == l->cap || grow(l, want)) return QUIRE_LINK_DROP_OVERFLOW;
    }
    if (l->queue && l->rate_bps && quire_link_queued(l, now) >= l->queue)
        return QUIRE_LINK_DROP_QUEUE;
    quire_link_pkt *p = &l->ring[(l->head + l->count) % l->cap];
    p->synthetic = pkt == NULL;
    if (pkt) memcpy(p->data, pkt, len);
    p->len = (uint32_t)len;
    if (l->busy_until <= now) l->carry = 0; /* an idle link starts afresh */
    p->tx_start = l->busy_until > now ? l->busy_until : now;
    uint64_t tx_end = p->tx_start;
    if (l->rate_bps) {
        /* Serialization time len*8/rate in ns, keeping the remainder so that long runs are
         * exact (no rounding drift of the rate). */
        uint64_t bitns = (uint64_t)len * 8u * 1000000000u + l->carry;
        tx_end += bitns / l->rate_bps;
        l->carry = bitns % l->rate_bps;
    }
    l->busy_until = tx_end;
    p->arrive_at = tx_end + l->delay_ns;
    l->count++;
    return QUIRE_LINK_QUEUED;
}

/* Offers the cross-traffic packets due up to now, each at its own time. */
static void cross_catch_up(quire_link *l, uint64_t now)
{
    while (l->cross_next_at <= now) {
        l->stats.cross_in++;
        if (enqueue(l, l->cross_next_at, NULL, QUIRE_LINK_CROSS_PKT) != QUIRE_LINK_QUEUED)
            l->stats.cross_dropped++;
        l->cross_next_at += l->cross_interval_ns;
    }
}

int quire_link_forward(quire_link *l, uint64_t now, const uint8_t *pkt, size_t len)
{
    cross_catch_up(l, now);
    l->stats.in++;
    l->stats.in_bytes += len;
    int v = enqueue(l, now, pkt, len);
    if (v == QUIRE_LINK_DROP_OVERFLOW) l->stats.overflow++;
    if (v == QUIRE_LINK_DROP_QUEUE) l->stats.queue_drops++;
    return v;
}

uint64_t quire_link_next_run_at(const quire_link *l)
{
    uint64_t t = l->count ? l->ring[l->head].arrive_at : UINT64_MAX;
    return t < l->cross_next_at ? t : l->cross_next_at;
}

int quire_link_blackhole_active(const quire_link *l, uint64_t t)
{
    if (!l->impair.blackhole || t < l->start_ns) return 0;
    uint64_t cycle = l->bh_on_ns + l->bh_off_ns;
    uint64_t rel = t - l->start_ns;
    if (cycle == 0) return 0;
    /* ns-3's blackhole.cc: enabled at on + k*cycle, disabled at (k+1)*cycle, k < repeat. */
    uint64_t k = rel / cycle;
    if (k >= l->bh_repeat) return 0;
    return rel - k * cycle >= l->bh_on_ns;
}

/* ns-3's burst rule: after `burst` hits in a row the next packet is let through. */
static int pick(quire_link *l, double pct, uint32_t *in_row)
{
    if (l->impair.burst && *in_row >= l->impair.burst) {
        *in_row = 0;
        return 0;
    }
    if (quire_rand_double(&l->rand) * 100.0 < pct) {
        (*in_row)++;
        return 1;
    }
    *in_row = 0;
    return 0;
}

/* Replaces one byte at offset 0..50 of the UDP payload by a different random value and fixes
 * the checksums, so that the packet is delivered and QUIC (not UDP) must notice: QNS's
 * CorruptRateErrorModel does the same (uniform_int_distribution(0, 50), inclusive, then
 * QuicPacket::ReassemblePacket() recomputes the UDP and IPv4 checksums). */
static void corrupt(quire_link *l, uint8_t *pkt, const quire_simpkt *sp)
{
    size_t span = sp->payload_len < 51 ? sp->payload_len : 51;
    size_t pos = sp->payload_off + (size_t)quire_rand_below(&l->rand, span);
    pkt[pos] ^= (uint8_t)(1 + quire_rand_below(&l->rand, 255));
    quire_simpkt_fix_l4_csum(pkt, sp);
}

/* Applies the impairments to a packet arriving at time t; returns 1 to deliver it. */
static int impair(quire_link *l, uint8_t *pkt, size_t len, uint64_t t)
{
    if (quire_link_blackhole_active(l, t)) {
        l->stats.blackholed++;
        return 0;
    }
    quire_simpkt sp;
    if (quire_simpkt_parse(&sp, pkt, len) || !sp.is_udp) return 1;
    l->udp_index++;
    while (l->drop_next < l->impair.ndrops && l->impair.drops[l->drop_next] < l->udp_index)
        l->drop_next++;
    if (l->drop_next < l->impair.ndrops && l->impair.drops[l->drop_next] == l->udp_index) {
        l->stats.droplisted++;
        return 0;
    }
    if (l->impair.loss_pct > 0 && pick(l, l->impair.loss_pct, &l->loss_in_row)) {
        l->stats.lost++;
        return 0;
    }
    if (l->impair.corrupt_pct > 0 && sp.payload_len > 0) {
        if (quire_simpkt_is_quic_vn(pkt, &sp)) {
            l->corrupt_in_row = 0; /* a corrupted VN would end the connection: never touch */
        } else if (pick(l, l->impair.corrupt_pct, &l->corrupt_in_row)) {
            corrupt(l, pkt, &sp);
            l->stats.corrupted++;
        }
    }
    return 1;
}

size_t quire_link_run(quire_link *l, uint64_t now, quire_link_deliver_fn deliver, void *ctx)
{
    size_t n = 0;
    for (;;) {
        /* Cross traffic and arrivals in time order, so the queue sees what it would have. */
        uint64_t head_at = l->count ? l->ring[l->head].arrive_at : UINT64_MAX;
        if (l->cross_next_at <= now && l->cross_next_at <= head_at) {
            cross_catch_up(l, l->cross_next_at);
            continue;
        }
        if (head_at > now) break;
        quire_link_pkt *p = &l->ring[l->head];
        l->head = (l->head + 1) % l->cap;
        l->count--;
        if (p->synthetic) continue;
        n++;
        if (!impair(l, p->data, p->len, p->arrive_at)) continue;
        l->stats.delivered++;
        l->stats.delivered_bytes += p->len;
        /* The slot stays valid until the next forward(), which may reuse it. */
        deliver(ctx, p->data, p->len, p->arrive_at);
    }
    return n;
}
