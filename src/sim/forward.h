/* The simulator's real-time driver: captures both interfaces with AF_PACKET sockets, feeds
 * the packets from the client side (LEFT) and the server side (RIGHT) into the two link
 * directions (link.h) on CLOCK_MONOTONIC, and sends what leaves the link out of the other
 * interface through raw IP sockets (the kernel resolves neighbours and builds the Ethernet
 * header). One thread, epoll + timerfd, no busy loop. Also writes the pcaps, runs the
 * readiness probes, creates the ready file and listens on TCP 57832. In kernel mode it only
 * turns kernel forwarding on and captures. */
#ifndef QUIRE_FORWARD_H
#define QUIRE_FORWARD_H

#include <stdint.h>

#include "sim/scenario.h"

#define QUIRE_FWD_MAX_WAIT 8
#define QUIRE_FWD_READY_PORT 57832

typedef struct quire_fwd_cfg {
    const char *left_if, *right_if;
    const quire_scenario *sc; /* ignored in kernel mode */
    uint64_t seed;
    const char *pcap_dir;   /* NULL: no captures */
    const char *ready_file; /* NULL: none */
    const char *wait_server[QUIRE_FWD_MAX_WAIT];
    int nwait;
    int wait_timeout_ms;
    int kernel;     /* kernel forwarding + capture only */
    int ready_port; /* TCP port to listen on once ready; 0 = none */
    int no_rt;      /* do not ask for SCHED_FIFO */
    const char *netns_prefix; /* cross-traffic namespaces <prefix>-xsrc/-xsnk; NULL: by pid */
} quire_fwd_cfg;

/* Runs until SIGTERM or SIGINT; returns 0, or a negative QUIRE_ERR_* after logging why. */
int quire_fwd_run(const quire_fwd_cfg *cfg);

#endif
