/* Scenario strings of the QUIC network simulator (quic-interop/quic-network-simulator), parsed
 * unchanged: `simple-p2p --delay=15ms --bandwidth=10Mbps --queue=25`, drop-rate, corrupt-rate,
 * droplist, blackhole, rebind, udp-cross-traffic, tcp-cross-traffic. Values use ns-3's syntax
 * (times "15ms", "1.5s"; rates "10Mbps", "500kb/s"; queues "25" or "25p"). The words may come as
 * separate arguments or as one string with spaces. The result is a plain configuration struct
 * for the link model (link.h) and the NAT (nat.h). */
#ifndef QUIRE_SCENARIO_H
#define QUIRE_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#define QUIRE_SCENARIO_MAX_DROPS 256

typedef enum quire_scenario_kind {
    QUIRE_SCENARIO_SIMPLE_P2P,
    QUIRE_SCENARIO_DROP_RATE,
    QUIRE_SCENARIO_CORRUPT_RATE,
    QUIRE_SCENARIO_DROPLIST,
    QUIRE_SCENARIO_BLACKHOLE,
    QUIRE_SCENARIO_REBIND,
    QUIRE_SCENARIO_UDP_CROSS,
    QUIRE_SCENARIO_TCP_CROSS,
} quire_scenario_kind;

/* Directions of the link: packets from the client (LEFT) to the server (RIGHT) and back. */
enum { QUIRE_DIR_TO_SERVER = 0, QUIRE_DIR_TO_CLIENT = 1 };

/* Impairments of one direction; all apply to UDP packets only, except the blackhole, which
 * takes every packet (as ns-3's error models do). */
typedef struct quire_impair_cfg {
    double loss_pct;        /* drop-rate: 0..100 */
    double corrupt_pct;     /* corrupt-rate: 0..100 */
    uint32_t burst;         /* max consecutive drops/corruptions; 0 = unlimited */
    uint32_t drops[QUIRE_SCENARIO_MAX_DROPS]; /* droplist: 1-based UDP packet indices, sorted */
    size_t ndrops;
    int blackhole;          /* blackhole windows apply to this direction */
} quire_impair_cfg;

typedef struct quire_scenario {
    quire_scenario_kind kind;
    const char *name;          /* static: the scenario's canonical name */
    uint64_t delay_ns;         /* one-way delay */
    uint64_t rate_bps;         /* bottleneck rate; 0 = unlimited */
    uint32_t queue;            /* drop-tail queue in packets; 0 = unlimited */
    quire_impair_cfg dir[2];   /* indexed by QUIRE_DIR_* */
    uint64_t bh_on_ns, bh_off_ns; /* blackhole: traffic flows for on, then is dropped for off */
    uint32_t bh_repeat;        /* number of on/off cycles (default 1) */
    uint64_t first_rebind_ns;  /* rebind: first rebinding */
    uint64_t rebind_freq_ns;   /* rebind: period after the first one; 0 = once */
    int rebind_addr;           /* rebind: also change the client address */
    uint64_t cross_rate_bps;   /* udp-cross-traffic: data rate of the cross traffic */
} quire_scenario;

/* Parses the scenario words (argv[0] is the scenario name, e.g. "simple-p2p"; any word may hold
 * several space-separated words). On error returns QUIRE_ERR_INVALID and writes a message naming
 * the word position and the problem into err. */
int quire_scenario_parse(quire_scenario *sc, int argc, char *const *argv, char *err,
                         size_t errlen);

/* ns-3 value syntax, exposed for the CLI and the tests. Return 0 or QUIRE_ERR_INVALID. */
int quire_scenario_parse_time(const char *s, uint64_t *ns);
int quire_scenario_parse_rate(const char *s, uint64_t *bps);

/* Writes a one-line description ("simple-p2p delay=15ms rate=10000000bps queue=25 ...") */
void quire_scenario_describe(const quire_scenario *sc, char *out, size_t outlen);

#endif
