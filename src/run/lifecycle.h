/* The life of one test (docs/run.md, "Per-test lifecycle"): make the test directory
 * <log_dir>/<server>_<client>/<test>/{server,client,sim} with the www files and the
 * certificates; create the test bed; start the simulator (or, without it, the test bed
 * forwards by itself); start the server, wait until it is ready; start the client; wait for
 * the client within the test's timeout (the first endpoint to exit ends the test, like QIR's
 * --abort-on-container-exit); stop the server and the simulator; remove the test bed; apply
 * the exit rules and the test case's check; clean up (www, downloads, certs go, logs stay).
 * The runner's own log of the test, the endpoints' and the simulator's output go to
 * <test dir>/output.txt. Test bed and roles are the backend's (backend/backend.h): the
 * lifecycle drives any backend through its ops alone. */
#ifndef QUIRE_LIFECYCLE_H
#define QUIRE_LIFECYCLE_H

#include "backend/backend.h"
#include "report/result.h"
#include "run/registry.h"
#include "run/testcase.h"

typedef struct quire_lifecycle_opts {
    const char *run_id; /* test beds are quire-<run_id>-<testbed_n>-... */
    unsigned testbed_n;
    /* The backend and its configuration (backend.h; containers: a quire_container_cfg,
     * fake: a quire_fake_script); NULL: quire_backend_netns. */
    const quire_backend_ops *backend;
    const void *backend_cfg;
    /* A test bed already created by the process that owns the run (netns: a
     * quire_netns_testbed, see netns.h's run ownership), which the backend adopts and the
     * lifecycle destroys; NULL: the backend creates its own. */
    const void *testbed;
    const char *log_dir; /* the run's log directory (absolute) */
    const quire_impl *server;
    const quire_impl *client;
    const quire_testcase *tc;
    unsigned timeout_s;      /* 0: the test case's own */
    const char *sim_exe;     /* quire binary with `sim`; NULL: kernel forwarding, no capture */
    int sim_kernel;          /* pass --kernel to the simulator (forward, capture only) */
    const char *alpn;        /* non-NULL: QUIRE_ALPN for both endpoints ("h3"), else unset */
    const char *probe_cases; /* the probe row's cases (--probe-cases); NULL: all */
    unsigned long long seed; /* simulator seed */
    int keep;                /* keep www, downloads, certs, and the logs of unsupported tests */
    int save_files;          /* keep www and downloads of failed tests (QIR's -f) */
    int debug;               /* also copy the runner's log lines to stderr */
    unsigned repetition;     /* measurements, --repeat: 1-based run (test dir gets /<n>); 0 none */
    /* QIR's compliance pre-check (interop.py _check_impl_is_compliant): only the simulator and
     * this one endpoint (tc's TESTCASE is an unknown name), no REQUESTS; the verdict is
     * succeeded when it exits with 127, failed otherwise. */
    enum { QUIRE_COMPLIANCE_NONE = 0, QUIRE_COMPLIANCE_SERVER, QUIRE_COMPLIANCE_CLIENT } compliance;
    /* spec rules (spec/spec.h) switched off for the verdict on the captures (quire_outcome's
     * spec) */
    const char *const *spec_ignore;
    size_t nspec_ignore;
} quire_lifecycle_opts;

#define QUIRE_OUTCOME_MAX_VALUES 16

typedef struct quire_outcome {
    quire_verdict verdict;
    char explanation[512];
    double duration; /* seconds, whole lifecycle */
    char log[512];   /* test directory relative to log_dir; "" when removed */
    int has_value;   /* measurements: value is set (the check succeeded) */
    double value;    /* measurements: the measured value in the test case's unit */
    /* measurements: the values of the repetitions (filled by the scheduler) */
    double values[QUIRE_OUTCOME_MAX_VALUES];
    unsigned nvalues;
    /* the spec rules' verdict on the test's captures, JSON text (quire_spec_verdict_json);
     * "" when the captures were not checked. The whole outcome crosses a pipe from the worker
     * in one write, so it stays below PIPE_BUF. */
    char spec[2048];
    /* the log directory's file system was full when the test ended (verdict NONE: no verdict,
     * the files may be incomplete); the scheduler stops the run */
    int disk_full;
} quire_outcome;

/* A test that ends with less than this free in the log directory's file system has no verdict
 * (quire_outcome.disk_full): its captures, downloads or logs may be cut short. */
#define QUIRE_LIFECYCLE_MIN_FREE (4u << 20)

/* Runs the test. Returns 0 with *out filled (any verdict), or QUIRE_ERR_INTERRUPTED when
 * SIGINT/SIGTERM arrived (everything is stopped and removed again, *out says "interrupted").
 * Setup failures (cannot create the directory, testbed, ...) are a failed verdict with the
 * reason, not an error return: the run goes on with the next test. */
int quire_lifecycle_run(const quire_lifecycle_opts *o, quire_outcome *out);

#endif
