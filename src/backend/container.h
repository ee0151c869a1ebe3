/* The container backend: runs a test's simulator, server and client as Docker (or podman)
 * containers, the way the QUIC Interop Runner (QIR) does with docker compose, without compose.
 * Per test, two networks — quire-<run>-<n>-leftnet (client side) and -rightnet (server side),
 * internal (no route off the machine), IPv4 and IPv6 — and three containers:
 *
 *   client .100 ---- leftnet ---- .2 [ sim ] .2 ---- rightnet ---- .100 server
 *
 * The sim container (image quire/sim, NET_ADMIN + NET_RAW, forwarding off) runs `quire sim`
 * between its two interfaces; the endpoint containers get QIR's environment, volumes (/www ro,
 * /certs ro, /downloads, /logs), host names, NET_ADMIN and memlock limit. quire's own endpoint
 * images route the other side via the sim themselves (images/endpoint-entry.sh, told the
 * gateway in QUIRE_GW4/6), as QIR's endpoint images do in setup.sh.
 *
 * Addresses: by default the benchmarking ranges, one /24 and /64 pair per testbed so that
 * parallel tests do not collide in the engine's address pools: client net 198.18.K.0/24 and
 * 2001:2:0:1KK::/64, server net 198.19.K.0/24 and 2001:2:0:2KK::/64 (K = 0..255, the first free
 * from the testbed number on). With qir_addresses, QIR's fixed 193.167.0.0/24,
 * 193.167.100.0/24, fd00:cafe:cafe:0::/64 and fd00:cafe:cafe:100::/64, for published images
 * whose setup scripts hard-code them (one test at a time; never used by quire's tests).
 *
 * The engine is driven through its command line, not the Docker Engine API: the same code
 * drives docker and podman (podman has no API socket unless a service runs), no HTTP/JSON
 * client is needed in C, and `start -a` hands the lifecycle an ordinary process whose exit
 * status is the container's and whose output is the container's output; a CLI call costs
 * tens of milliseconds, small next to a container's start (bench/overhead measures both).
 * Everything created carries the labels quire, quire.run=<run> and quire.testbed=<run>-<n>, so
 * quire_container_clean() (and `quire clean`) finds leftovers. */
#ifndef QUIRE_CONTAINER_H
#define QUIRE_CONTAINER_H

#include <stddef.h>
#include <sys/types.h>

#include "backend/netns.h"
#include "util/proc.h"

#define QUIRE_CONTAINER_SIM_IMAGE "quire/sim:latest"
#define QUIRE_CONTAINER_MEMLOCK 67108864ULL /* QIR's ulimits: memlock of client and server */
#define QUIRE_CONTAINER_ADDR_MAX 48
#define QUIRE_CONTAINER_NAME_MAX 80

typedef struct quire_container_cfg {
    const char *engine;    /* "docker" (default when NULL) or "podman" */
    const char *sim_image; /* NULL: QUIRE_CONTAINER_SIM_IMAGE */
    int qir_addresses;     /* QIR's fixed addresses instead of the benchmarking ranges */
} quire_container_cfg;

/* The addresses of one testbed (text form). */
typedef struct quire_container_addrs {
    char net4[2][QUIRE_CONTAINER_ADDR_MAX]; /* [0] client side, [1] server side, CIDR */
    char net6[2][QUIRE_CONTAINER_ADDR_MAX];
    char sim4[2][QUIRE_CONTAINER_ADDR_MAX]; /* the sim on each side */
    char sim6[2][QUIRE_CONTAINER_ADDR_MAX];
    char client4[QUIRE_CONTAINER_ADDR_MAX], client6[QUIRE_CONTAINER_ADDR_MAX];
    char server4[QUIRE_CONTAINER_ADDR_MAX], server6[QUIRE_CONTAINER_ADDR_MAX];
    char route4[QUIRE_CONTAINER_ADDR_MAX], route6[QUIRE_CONTAINER_ADDR_MAX]; /* via the sim */
} quire_container_addrs;

/* Fills *a for subnet index k (0..255) or, with qir set, QIR's addresses (k ignored). */
int quire_container_addrs_make(quire_container_addrs *a, unsigned k, int qir);

typedef struct quire_container_testbed {
    quire_container_cfg cfg;
    char run[QUIRE_RUN_ID_MAX + 1];
    unsigned n;
    char prefix[56];                       /* quire-<run>-<n> */
    char net[2][QUIRE_CONTAINER_NAME_MAX]; /* network names: client side, server side */
    int have_net[2];
    char name[3][QUIRE_CONTAINER_NAME_MAX]; /* container names, indexed by quire_role */
    int created[3];
    unsigned long long memlock; /* bytes: QIR's, or this machine's hard limit if lower */
    quire_container_addrs addrs;
} quire_container_testbed;

/* 0 if the engine answers (`ENGINE info` within 20 s), else QUIRE_ERR_UNSUPPORTED with the
 * reason in why. */
int quire_container_available(const char *engine, char *why, size_t whylen);

/* 1 if the image exists in the engine's local store, else 0. */
int quire_container_image_exists(const char *engine, const char *image);

/* Creates the two networks of testbed n of run. On error nothing is left and err says why. */
int quire_container_testbed_create(quire_container_testbed *tb, const quire_container_cfg *cfg,
                                   const char *run, unsigned n, char *err, size_t errlen);

/* Removes the testbed's containers (forced, so running ones are killed) and networks. Safe on
 * a partly created or already destroyed testbed. */
int quire_container_testbed_destroy(quire_container_testbed *tb);

typedef struct quire_container_spec {
    quire_role role;
    const char *image;
    const char *const *env;         /* NAME=VALUE, NULL-terminated; may be NULL */
    const quire_proc_mount *mounts; /* host path -> container path (ro flag) */
    size_t nmounts;
    const char *const *args; /* arguments to the image's entry point, NULL-terminated or NULL */
    const char *output;      /* the container's stdout and stderr are appended here */
    const char *workdir;     /* NULL: the image's */
} quire_container_spec;

/* Builds the `ENGINE create ...` argument vector for spec into argv (at most max entries,
 * NULL-terminated); strings are kept in buf. Returns the count or QUIRE_ERR_INVALID. */
int quire_container_create_argv(const quire_container_testbed *tb, const quire_container_spec *s,
                                const char **argv, size_t max, char *buf, size_t buflen);

/* Creates the container for spec.role and starts it attached (`ENGINE start -a NAME`) as *p,
 * so that p's exit status is the container's; stopping p (SIGTERM) is forwarded to the
 * container by the engine's CLI. err says why on failure. */
int quire_container_start(quire_container_testbed *tb, const quire_container_spec *spec,
                          quire_proc *p, char *err, size_t errlen);

/* Stops the container of role started as *p: SIGTERM to the container itself (a signal to
 * the attached CLI would end the CLI at once, losing the container's last output and exit
 * status), up to grace_ms for it to exit, then SIGKILL. p then holds the container's status. */
int quire_container_stop(quire_container_testbed *tb, quire_role role, quire_proc *p,
                         int grace_ms);

/* The host's process id of the running container of role in *pid (for /proc/PID/ns/net and
 * /proc/PID/net/udp). Returns 0, QUIRE_ERR_NOTFOUND when it does not run (or does not exist),
 * QUIRE_ERR_IO when the engine does not answer. */
int quire_container_pid(const quire_container_testbed *tb, quire_role role, pid_t *pid);

#define QUIRE_CONTAINER_CLEAN_FORCE 1   /* also objects of runs whose owner is alive */
#define QUIRE_CONTAINER_CLEAN_DRY_RUN 2 /* only report */

/* Called for each container or network found: kind "container" or "network", the engine's id,
 * its run ("" if unlabelled), and what was done: "removed", "would remove", "skipped live",
 * "failed". */
typedef void (*quire_container_clean_cb)(void *arg, const char *kind, const char *id,
                                         const char *run, const char *what);

/* Removes the containers, then the networks, labelled quire.testbed=<run>-<n> (run and n >= 0),
 * quire.run=<run> (n < 0) or quire (run NULL). Objects of a run whose owner process is alive
 * (quire_run_alive) are skipped unless QUIRE_CONTAINER_CLEAN_FORCE. Returns the number
 * removed (or that would be), 0 without a reachable engine, or a negative QUIRE_ERR_*. */
int quire_container_clean(const char *engine, const char *run, int n, unsigned flags,
                          quire_container_clean_cb cb, void *arg);

#endif
