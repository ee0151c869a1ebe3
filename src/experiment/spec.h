/* Experiment files (PANTHER style, evaluated by quire): a YAML document with `tests`, each with
 * a network_environment (netns backend; a simulator scenario string, or delay / bandwidth /
 * queue / loss settings), an execution_environment list (strace, memcheck, helgrind, perf,
 * iterations), an optional sweep over one network setting, the files the server serves, the
 * services (implementation plugin + version + role + target + timeout + config), steps
 * (start, stop, wait, wait_exit, command) and assertions. Loading validates everything against
 * the plugins (unknown plugin, version, variable, value outside the plugin's choices, missing
 * required field, ...) and reports every problem with file, line and column; nothing runs
 * unless the whole file is valid. */
#ifndef QUIRE_SPEC_H
#define QUIRE_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "experiment/plugin.h"
#include "experiment/yamldoc.h"

#define QUIRE_SPEC_MAX_SWEEP 32
#define QUIRE_SPEC_MAX_ITERATIONS 100

typedef enum quire_exenv_kind {
    QUIRE_EXENV_STRACE,
    QUIRE_EXENV_MEMCHECK,
    QUIRE_EXENV_HELGRIND,
    QUIRE_EXENV_PERF,
    QUIRE_EXENV_ITERATIONS,
    QUIRE_EXENV_GPERF_CPU,  /* gperftools CPU profiler (LD_PRELOAD libprofiler, CPUPROFILE) */
    QUIRE_EXENV_GPERF_HEAP, /* gperftools heap profiler (LD_PRELOAD libtcmalloc, HEAPPROFILE) */
    QUIRE_EXENV_GDB,        /* gdb batch: every thread's backtrace on a crash or at the end */
    QUIRE_EXENV_COUNT
} quire_exenv_kind;

typedef struct quire_exenv {
    quire_exenv_kind kind;
    unsigned count;      /* iterations */
    quire_strs services; /* wrapped services; empty: every service */
    char *suppressions;  /* memcheck/helgrind: valgrind suppression file (absolute) or NULL */
} quire_exenv;

typedef struct quire_service {
    char *name;
    const quire_plugin *plugin; /* points into the experiment's plugins */
    const quire_plugin_version *version;
    int role;     /* QUIRE_PLUGIN_SERVER / _CLIENT */
    char *target; /* client: the server service, or NULL */
    unsigned timeout_s;
    quire_vars config;
    unsigned line, col;
} quire_service;

typedef enum quire_step_kind {
    QUIRE_STEP_START,
    QUIRE_STEP_STOP,
    QUIRE_STEP_WAIT,
    QUIRE_STEP_WAIT_EXIT,
    QUIRE_STEP_COMMAND,
} quire_step_kind;

typedef struct quire_step {
    quire_step_kind kind;
    char *service;    /* start, stop, wait_exit */
    uint64_t wait_ms; /* wait */
    char *command;    /* command: /bin/sh -c text */
    char *where;      /* command: "host", "client", "server" or "sim" namespace */
    unsigned timeout_s;
    unsigned line;
} quire_step;

typedef enum quire_assert_kind {
    QUIRE_ASSERT_RESPONSIVE,
    QUIRE_ASSERT_INTEGRITY,
    QUIRE_ASSERT_PERFORMANCE,
    QUIRE_ASSERT_COMPLIANCE,
    QUIRE_ASSERT_EXENV_CLEAN, /* implied by memcheck/helgrind on a service */
    QUIRE_ASSERT_EXIT,        /* service_exit: the service exited by itself with `code` */
} quire_assert_kind;

typedef enum quire_metric {
    QUIRE_METRIC_HANDSHAKE_TIME, /* ms */
    QUIRE_METRIC_TTFB,           /* ms */
    QUIRE_METRIC_GOODPUT,        /* bit/s */
} quire_metric;

typedef enum quire_compliance {
    QUIRE_CHECK_NO_PACKETS_AFTER_CLOSE,
    QUIRE_CHECK_RETRY_TOKEN_ECHOED,
    QUIRE_CHECK_VERSION_CHOSEN,
    QUIRE_CHECK_HANDSHAKE_COMPLETED,
} quire_compliance;

typedef struct quire_assertion {
    quire_assert_kind kind;
    char *service;
    quire_metric metric;
    double min, max; /* ms for times, bit/s for goodput */
    int have_min, have_max;
    quire_compliance check;
    uint32_t version; /* version_chosen */
    unsigned code;    /* service_exit */
    unsigned line;
} quire_assertion;

typedef struct quire_xtest {
    char *name;
    char *scenario;       /* with "{sweep}" not used: see points */
    char *sweep_var;      /* NULL, or delay/bandwidth/queue/loss */
    quire_strs sweep;     /* values of sweep_var */
    quire_strs scenarios; /* one scenario string per sweep point (or one) */
    int containers;       /* docker_compose: the services as containers (container backend) */
    unsigned iterations;  /* >= 1 */
    quire_exenv *envs;
    size_t nenvs;
    char *testcase; /* TESTCASE given to QIR-style endpoints */
    unsigned nfiles;
    uint64_t file_size;
    quire_service *services;
    size_t nservices;
    quire_step *steps;
    size_t nsteps;
    quire_assertion *asserts;
    size_t nasserts;
    unsigned line;
} quire_xtest;

typedef struct quire_experiment {
    char *file;
    char *name;
    quire_plugins plugins;
    quire_xtest *tests;
    size_t ntests;
} quire_experiment;

/* Loads and validates the experiment at path (or from memory) using the plugins under srcdir.
 * Returns 0, or a negative error with every problem in g. */
int quire_experiment_load(quire_experiment *x, const char *path, const char *srcdir,
                          quire_ydiag *g);
/* With plugins already loaded into x->plugins (tests, fuzzing). */
int quire_experiment_parse_buf(quire_experiment *x, const char *buf, size_t len, const char *name,
                               quire_ydiag *g);
void quire_experiment_free(quire_experiment *x);

const char *quire_exenv_name(quire_exenv_kind k);
const char *quire_assert_name(quire_assert_kind k);
const char *quire_metric_name(quire_metric m);
const char *quire_compliance_name(quire_compliance c);
/* Whether exec env e applies to service name. */
int quire_exenv_applies(const quire_exenv *e, const char *service);
const quire_service *quire_xtest_service(const quire_xtest *t, const char *name);

/* "10KiB", "1MiB", "1500" -> bytes. 0 or QUIRE_ERR_INVALID. */
int quire_spec_parse_size(const char *s, uint64_t *out);

#endif
