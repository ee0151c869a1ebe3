/* The scheduler of a run: the list of (server, client, test case) jobs, run up to `jobs` at a
 * time, each in its own worker process with its own testbed (quire-<run>-<job index>-*), so a
 * test that crashes or hangs cannot take the run with it and namespace switches never touch
 * the runner itself. Results are recorded as workers finish: the result model is updated,
 * saved atomically (result.json, after every test) and shown on the terminal. On SIGINT/SIGTERM
 * it stops starting tests, makes every worker stop its endpoints and remove its testbed, saves
 * what finished and returns QUIRE_ERR_INTERRUPTED. Also: QIR's post-processing that marks a
 * test unsupported for a client (server) that failed it against every server (client). */
#ifndef QUIRE_SCHEDULER_H
#define QUIRE_SCHEDULER_H

#include <stddef.h>

#include "report/result.h"
#include "report/terminal.h"
#include "run/lifecycle.h"
#include "run/load.h"

typedef struct quire_job {
    const quire_impl *server;
    const quire_impl *client;
    const quire_testcase *tc;
    size_t index; /* position in the whole run (before --shard/--resume filtering): the seed */
} quire_job;

typedef struct quire_sched_opts {
    quire_lifecycle_opts base;     /* everything but server, client, tc, testbed_n (set per job) */
    unsigned jobs;                 /* parallel tests, >= 1; 0: as many as the load allows */
    unsigned jobs_max;             /* jobs == 0: the ceiling (load.h), >= 1 */
    quire_load_source_fn load;     /* where load samples come from; NULL: the machine's */
    void *load_ctx;
    const quire_result *previous;  /* an earlier run's result: its durations order the work;
                                      may be NULL */
    unsigned repeat;               /* test cases: runs each (0, 1: once); all must pass */
    quire_result *result;          /* filled as tests finish (servers, clients, tests added) */
    const char *const *save_paths; /* result.json files to rewrite after each test */
    size_t nsave_paths;
    quire_terminal *term;
} quire_sched_opts;

/* Runs the jobs: in their order with one job at a time (QIR's), else in
 * quire_scheduler_order's. A measurement's repetitions are tasks of their own, run in parallel once the
 * first has succeeded (a first that fails or is unsupported ends the measurement, as QIR's
 * loop would). Every test records the machine's CPU pressure while it ran
 * (quire_result_set_load). Returns 0 when all ran (whatever their verdicts),
 * QUIRE_ERR_INTERRUPTED after a signal, QUIRE_ERR_NOMEM, or QUIRE_ERR_IO if a worker could not
 * be started at all. */
int quire_scheduler_run(const quire_sched_opts *o, const quire_job *jobs, size_t njobs);

/* The order in which the jobs start, so the run's tail is short: first those that an earlier
 * run (previous, may be NULL) found unsupported (answered at once), then the longest expected
 * first. A job's expected time is its duration in previous, else the test case's expect_s; a
 * measurement counts two runs (its first, then the others side by side). Ties keep the
 * jobs' order. Fills order[0..n-1] with job indices; returns 0 or QUIRE_ERR_NOMEM. */
int quire_scheduler_order(const quire_job *jobs, size_t n, const quire_result *previous,
                          size_t *order);

/* QIR's _postprocess_results: with more than one server, a test that a client failed or did not
 * support against every server becomes unsupported for all of them (and the same for servers
 * with more than one client), except for the implementations named in no_auto (QIR adds the
 * only client / the only server there itself). Returns how many cells it changed; writes one
 * line per decision through note (may be NULL). */
size_t quire_scheduler_auto_unsupported(quire_result *r, const char *const *no_auto,
                                        size_t nno_auto, void (*note)(const char *msg, void *arg),
                                        void *arg);

#endif
