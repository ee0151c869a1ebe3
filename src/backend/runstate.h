/* Run ownership: a `quire run` (or experiment) registers itself in its state directory
 * /run/quire/<run>/ (file "owner": pid and start time of the quire process), and each worker it
 * forks in a file "worker.<pid>" (pid and start time). `quire clean` tells live runs from dead
 * ones by these files, stops a dead run's workers that are still ending their tests, then
 * removes the run's namespaces, containers and this directory (with the run's scratch files,
 * such as the compliance pre-check's). Backend-independent: names of namespaces and containers
 * carry the run id. */
#ifndef QUIRE_RUNSTATE_H
#define QUIRE_RUNSTATE_H

#include <stddef.h>
#include <sys/types.h>

#define QUIRE_RUN_STATE_DIR "/run/quire"
#define QUIRE_RUN_ID_MAX 32 /* run ids: 1..32 chars of [A-Za-z0-9_] */

/* 1 if id is a valid run id (1..QUIRE_RUN_ID_MAX chars of [A-Za-z0-9_]), else 0. '-' is
 * excluded so that the names quire-<run>-<n>-<role> parse back unambiguously. */
int quire_run_id_valid(const char *id);

/* Makes a fresh run id ("r" + pid + random hex, e.g. "r4242a1b2") into out. */
int quire_run_id_make(char *out, size_t outsize);

/* Registers run id as owned by this process (/run/quire/<run>/owner). Idempotent for the same
 * owner and a no-op in processes forked from the owner (workers of the run may create
 * testbeds); QUIRE_ERR_EXISTS if another live process owns it. quire_netns_testbed_create calls it. */
int quire_run_begin(const char *run);

/* The run's state directory, /run/quire/<run>, into out: a place for the run's own scratch
 * files, which `quire clean` removes with the run. Returns 0 or QUIRE_ERR_INVALID (a bad run
 * id, or out too small). */
int quire_run_dir(const char *run, char *out, size_t outsize);

/* Removes the run's state directory. Call when the run is over (after its testbeds). */
int quire_run_end(const char *run);

/* 1 if the process recorded as the run's owner is still alive (same pid and start time; its pid
 * in *owner if non-NULL), 0 if it is gone or nothing is recorded. */
int quire_run_alive(const char *run, pid_t *owner);

/* Records this process as a worker of run (worker.<pid> in its state directory), so that
 * `quire clean` can stop it if the owner dies. Returns 0, QUIRE_ERR_INVALID or QUIRE_ERR_IO. */
int quire_run_worker_begin(const char *run);

/* Removes this process's worker file (at the worker's normal end). Returns 0 or QUIRE_ERR_IO. */
int quire_run_worker_end(const char *run);

/* SIGKILLs the recorded workers of run that are still alive (same pid and start time) and waits
 * up to timeout_ms for them to be gone. Returns the number killed (>= 0), or QUIRE_ERR_INVALID
 * (bad run id) or QUIRE_ERR_TIMEOUT (one is still there after timeout_ms). */
int quire_run_stop_workers(const char *run, unsigned timeout_ms);

#endif
