/* TCP cross traffic for the tcp-cross-traffic scenario, as quic-network-simulator has it: a
 * bulk TCP flow from a source behind the server side to a sink behind the client side, through
 * the same bottleneck. Here the source and the sink are iperf3 processes in two namespaces of
 * their own (quire-simx-<pid>-src / -snk, so `quire clean` finds leftovers; under quire run
 * <prefix>-xsrc / -xsnk with the test bed's prefix, `quire sim --netns-prefix`), each joined to the
 * simulator's namespace by a veth: sink net 198.18.100.0/24 (sim .1, sink .2), source net
 * 198.19.100.0/24 (sim .1, source .2). The simulator forwards between the sink-side veth
 * (client group) and the source-side veth (server group) like between its main interfaces. */
#ifndef QUIRE_CROSSNS_H
#define QUIRE_CROSSNS_H

#include <sys/types.h>

typedef struct quire_crossns {
    char ns_src[48], ns_snk[48];
    char if_src[16], if_snk[16]; /* veth ends in the simulator's namespace */
    pid_t server, client;        /* iperf3 processes */
    int created;
} quire_crossns;

/* Creates the namespaces (named prefix-xsrc/-xsnk, or by pid when prefix is NULL), veths and addresses and starts the iperf3 sink. Needs root, ip,
 * ethtool and iperf3. Returns 0 or QUIRE_ERR_*; on failure everything made is removed. */
int quire_crossns_setup(quire_crossns *x, const char *prefix);
/* Starts the bulk sender (TCP Reno, as ns-3's) once the simulator forwards. */
int quire_crossns_start_flow(quire_crossns *x);
/* Stops the processes and deletes the namespaces (safe after a failed setup). */
void quire_crossns_teardown(quire_crossns *x);

#endif
