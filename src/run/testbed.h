/* One test's test bed as both runners drive it: the QIR-style lifecycle (run/lifecycle.c) and
 * the experiment runner (experiment/runner.c). A quire_bed wraps a backend (backend/backend.h)
 * with what each of them needs around the ops: the test's log in one format, which roles were
 * started and how each ended, the simulator started and awaited, the server's readiness, the
 * stop order at teardown. Neither runner calls a backend op itself.
 *
 * The log: one line per event, "YYYY-MM-DD HH:MM:SS.mmm quire: text", appended to the file
 * given to quire_bed_log_open (the lifecycle's output.txt, an experiment's runner.log), and to
 * stderr when asked; a failing write is ignored (a full disk must not end a run). */
#ifndef QUIRE_TESTBED_H
#define QUIRE_TESTBED_H

#include <stddef.h>

#include "backend/backend.h"

typedef struct quire_bed {
    const quire_backend_ops *be;
    void *state;             /* the backend's, from create; NULL once destroyed */
    int log_fd;              /* -1: none */
    int echo;                /* 1: also to stderr */
    const char *echo_prefix; /* before each echoed line, e.g. "quire experiment: " or "" */
    /* per quire_role: started, ended and, once ended, its raw wait status */
    int started[QUIRE_ROLE_COUNT], ended[QUIRE_ROLE_COUNT], status[QUIRE_ROLE_COUNT];
    /* per quire_role: the limit it ran into (the backend's limit_hit at destroy), or "" */
    char limit_hit[QUIRE_ROLE_COUNT][256];
} quire_bed;

/* Prepares b for backend be (NULL: netns), logging nowhere yet (or to stderr with echo, each
 * line after echo_prefix, NULL: the whole line). Cannot fail. */
void quire_bed_init(quire_bed *b, const quire_backend_ops *be, int echo, const char *echo_prefix);

/* Appends the log to the file log_path from now on (created if needed). Returns 0, or
 * QUIRE_ERR_IO when it cannot be opened (the log then goes nowhere). */
int quire_bed_log_open(quire_bed *b, const char *log_path);

/* Writes one line to the test's log (see the header comment). */
void quire_bed_log(quire_bed *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Creates the test bed (the backend's create; its own lines go to the log; spec->log is set
 * here). Returns 0 or the op's error with the reason in why. */
int quire_bed_create(quire_bed *b, quire_testbed_spec *spec, char *why, size_t whylen);

/* Starts a role (logs "starting ROLE NAME: WHAT (detail)" with the backend's description).
 * Returns 0 or the op's error, with why set and logged. */
int quire_bed_start(quire_bed *b, const quire_role_spec *spec, const char *detail, char *why,
                    size_t whylen);

/* Starts the simulator from sim with its output to output, logged with the scenario. Returns
 * as quire_bed_start. */
int quire_bed_start_sim(quire_bed *b, const quire_sim_spec *sim, const char *output, char *why,
                        size_t whylen);

/* Waits up to timeout_ms for the first of the n started roles to end and records its end.
 * Returns 0 with *which its index in roles (the status in b->status[roles[*which]]),
 * QUIRE_ERR_TIMEOUT, QUIRE_ERR_INTERRUPTED or another negative QUIRE_ERR_*. */
int quire_bed_wait(quire_bed *b, const quire_role *roles, size_t n, int timeout_ms, size_t *which);

/* Waits until deadline (quire_proc_now_ms) for readiness: the file ready exists (ready not
 * NULL; the simulator's QUIRE_BACKEND_READY_FILE) or, without one, the server has a UDP
 * socket on port (the backend's server_bound). Whichever of the server and the simulator was
 * started is watched meanwhile. Returns 0 (ready), 1 (the server or the simulator ended first: see
 * b->ended), QUIRE_ERR_TIMEOUT, QUIRE_ERR_INTERRUPTED or another negative QUIRE_ERR_*. */
int quire_bed_wait_ready(quire_bed *b, const char *ready, unsigned port, long long deadline);

/* Stops a started role that is still running (SIGTERM, grace_ms, SIGKILL) and records how it
 * ended in b->status[role]; a role that ended already keeps its status. Returns 0, or the op's
 * error (logged; the role counts as ended all the same). */
int quire_bed_stop(quire_bed *b, quire_role role, int grace_ms);

/* Whether role was started and has not ended (as far as b has seen). */
int quire_bed_running(const quire_bed *b, quire_role role);

/* The backend's address and netns_of ops for role (see backend.h); the same returns. */
int quire_bed_address(quire_bed *b, quire_role role, int v6, char *buf, size_t len);
int quire_bed_netns(quire_bed *b, quire_role role, char *buf, size_t len);

/* Removes the test bed (the backend's destroy: whatever still runs is ended); the log stays
 * open. First records (and logs) which limit each started role ran into, in b->limit_hit.
 * Stop the roles first, in the runner's order, to give them their grace. Returns 0 or
 * the op's error (logged). Safe to call twice and after a failed create. */
int quire_bed_destroy(quire_bed *b);

/* quire_bed_destroy, then closes the log. Safe to call twice and after a failed init. */
void quire_bed_close(quire_bed *b);

#endif
