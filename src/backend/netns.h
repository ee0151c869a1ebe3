/* The network-namespace backend: per test a testbed of three named network namespaces
 * quire-<run>-<n>-client, quire-<run>-<n>-sim and quire-<run>-<n>-server (bind mounts under
 * /run/netns, so `ip netns` lists them and quire_proc_opts.netns joins them by name), linked by
 * two veth pairs: client "eth0" <-> sim "left", sim "right" <-> server "eth0".
 *
 *   client 198.18.0.100/24 2001:2:0:1::100/64        server 198.19.0.100/24 2001:2:0:2::100/64
 *          eth0 ---------- left [ sim ] right ---------- eth0
 *               198.18.0.1 2001:2:0:1::1   198.19.0.1 2001:2:0:2::1
 *
 * Client and server route the other side's nets via the sim; there is no default route. IPv6
 * addresses are added with IFA_F_NODAD (usable at once), disable_ipv6=0, lo is up everywhere.
 * The sim has kernel forwarding OFF (the userspace simulator forwards; quire_netns_set_forwarding
 * turns it on for `quire sim --kernel` and benchmarks), rp_filter off and no ICMP redirects.
 * Checksum and segmentation offloads (tx checksum, TSO, GSO, GRO, tx-udp-segmentation) are off
 * on every veth end, so captures and the simulator see real datagrams with real checksums.
 * Everything is done over rtnetlink (libmnl) and ioctls; no ip/ethtool processes.
 *
 * The veth pairs are created directly with their ends inside the namespaces (one RTM_NEWLINK
 * naming the namespace of each end), so no interface ever appears in the root namespace and a
 * killed run cannot leave a stray veth behind there.
 *
 * Every name carries its run's id (runstate.h): `quire clean` removes namespaces, processes,
 * stray links and state directories of runs whose owner is gone, and leaves live runs alone.
 * Needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN); quire_netns_available() says why not. */
#ifndef QUIRE_NETNS_H
#define QUIRE_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#include "backend/backend.h" /* quire_role */
#include "backend/runstate.h"

#define QUIRE_NETNS_PREFIX "quire-"      /* every namespace we create starts with this */
#define QUIRE_NETNS_DIR "/run/netns"
#define QUIRE_NETNS_NAME_MAX 64

/* Addresses of the testbed (fixed: every testbed is its own set of namespaces). */
#define QUIRE_NETNS_CLIENT_IP4 "198.18.0.100"
#define QUIRE_NETNS_CLIENT_IP6 "2001:2:0:1::100"
#define QUIRE_NETNS_SIM_LEFT_IP4 "198.18.0.1"
#define QUIRE_NETNS_SIM_LEFT_IP6 "2001:2:0:1::1"
#define QUIRE_NETNS_SIM_RIGHT_IP4 "198.19.0.1"
#define QUIRE_NETNS_SIM_RIGHT_IP6 "2001:2:0:2::1"
#define QUIRE_NETNS_SERVER_IP4 "198.19.0.100"
#define QUIRE_NETNS_SERVER_IP6 "2001:2:0:2::100"
#define QUIRE_NETNS_CLIENT_IFNAME "eth0"
#define QUIRE_NETNS_SERVER_IFNAME "eth0"
#define QUIRE_NETNS_SIM_LEFT_IFNAME "left"   /* towards the client */
#define QUIRE_NETNS_SIM_RIGHT_IFNAME "right" /* towards the server */
/* Interface indexes of the veth ends (fixed, and different from the peer's; see netns.c). */
#define QUIRE_NETNS_CLIENT_IFINDEX 10
#define QUIRE_NETNS_SIM_LEFT_IFINDEX 11
#define QUIRE_NETNS_SIM_RIGHT_IFINDEX 12
#define QUIRE_NETNS_SERVER_IFINDEX 13

/* One testbed. _create fills it; _destroy undoes it. Plain data: may be copied before create. */
typedef struct quire_netns_testbed {
    char run[QUIRE_RUN_ID_MAX + 1];
    unsigned n;
    char name[3][QUIRE_NETNS_NAME_MAX]; /* indexed by quire_role */
    int fd[3];                          /* open namespace descriptors, -1 when closed */
} quire_netns_testbed;

/* 0 if this process can create testbeds; else QUIRE_ERR_PERM / QUIRE_ERR_UNSUPPORTED with the
 * reason ("not root", "cannot create /run/netns: ...", "no veth support") written to why. */
int quire_netns_available(char *why, size_t whylen);

/* Creates testbed number n of run (names quire-<run>-<n>-{client,sim,server}) as described
 * above. On error everything created so far is removed again. Errors: QUIRE_ERR_INVALID (bad
 * run id), QUIRE_ERR_EXISTS (a namespace of that name exists), QUIRE_ERR_PERM, QUIRE_ERR_IO. */
int quire_netns_testbed_create(quire_netns_testbed *tb, const char *run, unsigned n);

/* Kills every process still inside the three namespaces (SIGKILL; found by their
 * /proc/PID/ns/net), deletes the namespaces (the veths go with them) and closes the fds.
 * Safe on a partly created or already destroyed testbed. Returns 0 or the first error. */
int quire_netns_testbed_destroy(quire_netns_testbed *tb);

/* The prefix of the testbed's names into out, e.g. "quire-r42-3" (the simulator's cross-traffic
 * namespaces are <prefix>-xsrc and <prefix>-xsnk, which _destroy removes too). Returns 0 or
 * QUIRE_ERR_INVALID (out too small). */
int quire_netns_testbed_prefix(const quire_netns_testbed *tb, char *out, size_t outsize);

/* The namespace name of one role, e.g. "quire-r42-3-server". */
const char *quire_netns_testbed_name(const quire_netns_testbed *tb, quire_role role);

/* Turns IPv4 and IPv6 forwarding in the sim namespace on (1) or off (0). */
int quire_netns_set_forwarding(quire_netns_testbed *tb, int on);

/* Writes the /etc/hosts content of a testbed into out: localhost, server/server4/server6,
 * client/client4/client6 and sim (the sim's left address, 198.18.0.1). Returns the length, or
 * QUIRE_ERR_INVALID if outsize is too small. */
int quire_netns_hosts_content(char *out, size_t outsize);

/* Writes that content atomically to path (to be bound over /etc/hosts of the endpoints). */
int quire_netns_write_hosts(const char *path);

/* --- Low-level pieces, used by the testbed and by `quire clean`. --- */

/* Creates the named network namespace like `ip netns add NAME` (a bind mount of a new net
 * namespace at /run/netns/NAME; /run/netns made a shared mount as ip does). *fd_out (if
 * non-NULL) receives an open descriptor of it. QUIRE_ERR_EXISTS if the name is taken. */
int quire_netns_add(const char *name, int *fd_out);

/* Deletes the named namespace like `ip netns del` (detach the bind mount, remove the file). The
 * namespace itself vanishes when no process and no descriptor holds it any more. A missing
 * name is success. */
int quire_netns_del(const char *name);

/* Sends sig to every process whose network namespace is the named one. Returns the number of
 * processes signalled, or a negative QUIRE_ERR_*. */
int quire_netns_kill_procs(const char *name, int sig);

/* Calls fn(name, arg) for every namespace in /run/netns whose name starts with prefix (e.g.
 * "quire-" or "quire-<run>-"). Stops early if fn returns nonzero and returns that value. */
int quire_netns_foreach(const char *prefix, int (*fn)(const char *name, void *arg), void *arg);

/* Deletes a network interface of the caller's namespace by name (for `quire clean`). Missing
 * is QUIRE_ERR_NOTFOUND. */
int quire_netns_link_del(const char *ifname);

/* Runs fn(arg) with the calling thread inside the named namespace (setns) — or the one of a
 * namespace file when name is an absolute path (/proc/PID/ns/net) —, then returns to the
 * original one. Returns fn's result or a negative QUIRE_ERR_*. */
int quire_netns_run_in(const char *name, int (*fn)(void *arg), void *arg);

/* Whether a UDP socket is bound to port in pid's network namespace: /proc/PID/net/udp{,6} list
 * the sockets of that namespace. The readiness test for a server when no simulator probes it. */
int quire_netns_udp_bound(pid_t pid, unsigned port);

#endif
