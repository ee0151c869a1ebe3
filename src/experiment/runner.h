/* The experiment runner: runs every test of a validated experiment on the netns backend, once
 * per sweep point and iteration. One run: its directory (www files, certificates, one folder
 * per service, mounted as the service's /logs: stdout.log, stderr.log, keys, qlog and the
 * execution environment's output), a testbed of three namespaces, the simulator
 * with the run's scenario (captures in sim/), the steps (or the default: start the server,
 * start the client, wait for the client, stop the server), then the assertions (assert.h).
 * Services are the plugins' rendered commands, wrapped by the execution environments
 * (strace, valgrind memcheck/helgrind, perf record) and started through proc.h in their
 * namespace with the QIR mounts. */
#ifndef QUIRE_XRUNNER_H
#define QUIRE_XRUNNER_H

#include <limits.h>
#include <stddef.h>

#include "experiment/spec.h"
#include "util/proc.h"

#define QUIRE_XRUN_MAX_SERVICES 4
#define QUIRE_XRUN_DIR_MAX 3072 /* run directories: room for suffixes within PATH_MAX */

typedef struct quire_averdict {
    int pass; /* 1 passed, 0 failed */
    char evidence[1024];
} quire_averdict;

typedef struct quire_svc_run {
    const quire_service *svc;
    char dir[QUIRE_XRUN_DIR_MAX + 512];  /* <run>/<service> */
    char logs[QUIRE_XRUN_DIR_MAX + 512]; /* the service's /logs: the same folder */
    char command[1024];                  /* rendered command line, for the report */
    int wraps[QUIRE_EXENV_COUNT];             /* execution environments wrapping it, by quire_exenv_kind */
    const char *suppressions; /* valgrind suppression file of its memcheck/helgrind, or NULL */
    int started, ready, exited, status, stopped, timed_out;
    long long start_ms, end_ms;
    int probed, responsive;
    char probe_detail[256];
} quire_svc_run;

typedef struct quire_xrun {
    const quire_xtest *t;
    size_t point;
    unsigned iteration;
    char label[96];               /* e.g. "delay=50ms #2" */
    char dir[QUIRE_XRUN_DIR_MAX]; /* absolute */
    char rel[1024];               /* relative to the output directory */
    char www[QUIRE_XRUN_DIR_MAX + 32], downloads[QUIRE_XRUN_DIR_MAX + 32];
    char certs[QUIRE_XRUN_DIR_MAX + 32], sim[QUIRE_XRUN_DIR_MAX + 32];
    char **files;
    size_t nfiles;
    quire_svc_run svc[QUIRE_XRUN_MAX_SERVICES];
    size_t nsvc;
    int skipped;      /* a service's implementation is not available here */
    char error[1024]; /* setup failure or skip reason */
    double duration_s;
    double handshake_ms, ttfb_ms, goodput_bps; /* < 0: not measured */
    char metrics_note[256];
    quire_averdict *verdicts; /* one per assertion of the test */
} quire_xrun;

typedef struct quire_xrun_opts {
    const char *out_dir;   /* absolute; created */
    const char *quire_exe; /* this binary, for `quire sim` */
    unsigned long long seed;
    int verbose;
    int keep; /* keep www/, downloads/, certs/ of every run (else removed once judged) */
} quire_xrun_opts;

/* Runs the whole experiment; *runs receives every run (free with quire_xruns_free). Returns 0
 * (runs done, whatever their verdicts), QUIRE_ERR_PERM (not root: nothing started) or
 * QUIRE_ERR_INTERRUPTED. */
int quire_experiment_run(const quire_experiment *x, const quire_xrun_opts *o, quire_xrun **runs,
                         size_t *nruns);
void quire_xruns_free(quire_xrun *runs, size_t n);

#endif
