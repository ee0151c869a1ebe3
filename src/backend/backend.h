/* The backend interface: what the per-test lifecycle (run/lifecycle.c) asks of whatever runs a
 * test's three roles — the client, the simulator between them, and the server. A backend is
 * an ops table (like quicly's congestion controllers): make the test bed, start a role from
 * its spec, wait for roles to end within a timeout, stop a role, tear the test bed down. Each
 * test gets its own opaque state from create; every other op takes it. The lifecycle never
 * asks which backend it drives.
 *
 * Backends: quire_backend_netns (backend_netns.h: network namespaces and quire_proc children),
 * quire_backend_container (backend_container.h: docker/podman containers) and
 * quire_backend_fake (fake.h: scripted outcomes in memory, for unit tests without root).
 *
 * Logs need no op of their own: every backend writes a role's output to spec->output and its
 * /logs to the host directory mounted there (spec->mounts), so they are in place when the role
 * ends. A backend whose roles run elsewhere would copy them back in stop or destroy.
 *
 * The role enum is the one of the whole program: a position in a test bed. The registry's
 * "which roles an implementation takes" is a set of QUIRE_ROLE_BIT()s. */
#ifndef QUIRE_BACKEND_H
#define QUIRE_BACKEND_H

#include <stddef.h>

#include "util/proc.h" /* quire_proc_mount */

typedef enum quire_role {
    QUIRE_ROLE_CLIENT = 0,
    QUIRE_ROLE_SIM = 1,
    QUIRE_ROLE_SERVER = 2,
} quire_role;

#define QUIRE_ROLE_COUNT 3
#define QUIRE_ROLE_BIT(r) (1u << (unsigned)(r))

/* "client", "sim", "server"; "?" for anything else. */
const char *quire_role_name(quire_role role);

/* The file (in the simulator's log directory) that `quire sim --ready-file` creates once the
 * server answers; the lifecycle waits for it. */
#define QUIRE_BACKEND_READY_FILE ".ready"

/* Logs one line into the test's own log (output.txt). */
typedef void (*quire_backend_log_fn)(void *arg, const char *line);

/* What create needs to know of the test. */
typedef struct quire_testbed_spec {
    const char *run_id; /* names: quire-<run_id>-<n>-... */
    unsigned n;         /* the test bed's number in the run */
    const void *cfg;    /* the backend's own configuration (containers: quire_container_cfg;
                         * fake: quire_fake_script); NULL for netns */
    const void *adopt;  /* a test bed the run's owner made already (netns: a
                         * quire_netns_testbed, see run ownership in netns.h); NULL: create one */
    const char *hosts_file; /* where to write the endpoints' /etc/hosts, if the backend uses one */
    int with_sim;           /* 0: no simulator will run; the test bed forwards by itself */
    quire_backend_log_fn log;
    void *log_arg;
} quire_testbed_spec;

/* What the simulator is to do; the backend turns it into `quire sim` arguments with its own
 * interfaces and server addresses. */
typedef struct quire_sim_spec {
    const char *exe;          /* the quire binary with `sim` (run on the host by netns) */
    unsigned long long seed;
    int kernel;               /* --kernel: kernel forwarding, capture only */
    const char *scenario;     /* the scenario and its arguments, space-separated */
    const char *dir;          /* host directory of its captures and the ready file */
    int ready_at_once;        /* 1: the ready file once it forwards, without waiting for the
                               * server to answer on 443 (experiments start it afterwards) */
} quire_sim_spec;

/* One role to start. */
typedef struct quire_role_spec {
    quire_role role;
    const char *name;  /* the implementation's name, or "sim" */
    const char *path;  /* endpoints: their folder with run_endpoint (the netns backend's) */
    const char *image; /* endpoints: their image (the container backend's) */
    const char *const *env; /* the contract's NAME=VALUE, NULL-terminated (no PATH/HOME: a
                             * backend adds what its programs need) */
    const quire_proc_mount *mounts; /* host path -> /www, /certs, /downloads, /logs */
    size_t nmounts;
    const char *output;             /* stdout and stderr are appended to this file */
    const quire_sim_spec *sim;      /* QUIRE_ROLE_SIM only */
    /* A program of this machine to run instead of an endpoint (experiments' services):
     * NULL-terminated, argv[0] searched in PATH. netns runs it as it runs run_endpoint;
     * containers run it in QUIRE_BACKEND_HOST_IMAGE, which sees this machine's /usr and the
     * folders of host_paths read-only at their own paths. */
    const char *const *argv;
    const char *cwd;                     /* with argv: its working directory (NULL: /) */
    const char *const *host_paths;       /* with argv: folders it needs besides /usr; NULL-ended */
} quire_role_spec;

/* The container image for quire_role_spec.argv (images/build.sh host): an empty root with
 * busybox and the route set-up of the endpoint images, /usr coming from the host. */
#define QUIRE_BACKEND_HOST_IMAGE "quire/host:latest"

typedef struct quire_backend_ops {
    const char *name; /* "netns", "container", "fake" */

    /* Makes the test bed: networks, addresses, the hosts file; without a simulator, forwarding.
     * *state receives the test's state (destroy frees it, also after a failed create). Returns
     * 0 or a negative QUIRE_ERR_* with the reason in why (QUIRE_ERR_UNSUPPORTED: this backend
     * cannot run the test as asked, e.g. containers without the simulator). */
    int (*create)(void **state, const quire_testbed_spec *spec, char *why, size_t whylen);

    /* Writes what start runs for spec into buf, for the test's log: an endpoint's program or
     * image; for the simulator "" or how it runs ("container IMAGE"). Returns buf. */
    const char *(*describe)(void *state, const quire_role_spec *spec, char *buf, size_t len);

    /* Starts spec->role (at most once per test). Returns 0, or a negative QUIRE_ERR_* with why
     * ("cannot start the server: ...") and nothing left running. */
    int (*start)(void *state, const quire_role_spec *spec, char *why, size_t whylen);

    /* Waits up to timeout_ms for the first of the n started roles to end. Returns 0 with
     * *which its index in roles and *status its raw wait status (waitpid's layout: an exit
     * code or a signal, see quire_proc_exit_code); a role that ended earlier is reported again
     * at once. QUIRE_ERR_TIMEOUT when none ended, QUIRE_ERR_INTERRUPTED on SIGINT/SIGTERM
     * (quire_proc_signals_install), or another negative QUIRE_ERR_*. */
    int (*wait)(void *state, const quire_role *roles, size_t n, int timeout_ms, size_t *which,
                int *status);

    /* Without a simulator (nothing writes the ready file): 1 once the started server has a UDP
     * socket on port, 0 not yet. NULL in backends that always run the simulator. */
    int (*server_bound)(void *state, unsigned port);

    /* Writes role's address (v6: IPv6, else IPv4) as text into buf. Returns 0, or
     * QUIRE_ERR_INVALID for a role without one or a buffer too small. */
    int (*address)(void *state, quire_role role, int v6, char *buf, size_t len);

    /* Writes what joins role's network namespace (quire_proc_opts.netns, quire_netns_run_in:
     * a namespace name or a /proc/PID/ns/net path) into buf: for commands and probes in the
     * role's network. Returns 0, QUIRE_ERR_INVALID (no such role, buffer too small) or, for a
     * role whose namespace exists only while it runs (containers), QUIRE_ERR_NOTFOUND when it
     * does not run, QUIRE_ERR_UNSUPPORTED in a backend without namespaces (the fake). */
    int (*netns_of)(void *state, quire_role role, char *buf, size_t len);

    /* Stops a started role: SIGTERM, up to grace_ms for it to end, then SIGKILL. *status gets
     * how it ended (also when it had ended before). Returns 0 or a negative QUIRE_ERR_*. */
    int (*stop)(void *state, quire_role role, int grace_ms, int *status);

    /* What limit role ran into, as a phrase for the verdict ("the client reached the pids
     * limit of 256 (1000 forks refused)"), into buf; called after the roles stopped, before
     * destroy. Returns 1 with buf set, 0 when none. NULL in backends without such limits. */
    int (*limit_hit)(void *state, quire_role role, char *buf, size_t len);

    /* Ends whatever still runs, removes the test bed and frees state (NULL is a no-op).
     * Returns 0 or the first error; everything that can be removed is. */
    int (*destroy)(void *state);

    /* For backends whose test beds belong to the process that makes them (netns: the run's
     * owner, netns.h): makes test bed n of run_id in the scheduler's process before it forks
     * the worker of that test; the worker's create adopts *made (quire_testbed_spec.adopt).
     * Returns 0, or a negative QUIRE_ERR_* (the worker then makes its own and reports what
     * fails). NULL where create makes everything in the worker. */
    int (*premake)(const char *run_id, unsigned n, void **made);

    /* Releases what premake made: destroy 1 removes the test bed (the worker never started),
     * 0 only frees the scheduler's handle (the worker took it over). */
    void (*unmake)(void *made, int destroy);

    /* Removes what test bed n of run_id may have left when the process that ran its test died
     * (the scheduler's worker). Safe when nothing is left. */
    void (*cleanup)(const char *run_id, unsigned n, const void *cfg);
} quire_backend_ops;

/* Formats a line and hands it to log (a no-op when log is NULL). */
void quire_backend_logf(quire_backend_log_fn log, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Releases the processes of the started roles (procs and started indexed by quire_role), as
 * the process-based backends' destroy does. Cannot fail. */
void quire_backend_release_procs(quire_proc *procs, const int *started);

/* The wait op over quire_proc children (netns and containers): procs[role] for the roles of
 * roles[] that started[role] says are running or ended; as quire_backend_ops.wait. */
int quire_backend_wait_procs(quire_proc *procs, const int *started, const quire_role *roles,
                             size_t n, int timeout_ms, size_t *which, int *status);

#endif
