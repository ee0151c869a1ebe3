/* `quire run`'s command line: the options, spelled like the QUIC Interop Runner's run.py where
 * it has one, parsed into one struct; its --help text. */
#ifndef QUIRE_CLI_RUN_OPTS_H
#define QUIRE_CLI_RUN_OPTS_H

#include <limits.h>
#include <stddef.h>

#include "backend/container.h"

#define QUIRE_RUN_OPTS_SPEC_IGNORE_MAX 64

typedef struct quire_run_opts {
    char *servers, *clients, *tests; /* -s, -c, -t lists (NULL: all); argv strings */
    char *replace, *must_include, *no_auto, *log_dir, *json;
    const char *run_id, *html, *junit, *resume, *rerun, *durations;
    const char *backend; /* "netns", "container" or "auto" */
    const char *alpn;    /* NULL (hq), "h3" or "auto" */
    quire_container_cfg ccfg;
    unsigned shard_k, shard_n; /* --shard K/N; 0/0: none */
    char impl_file[PATH_MAX];  /* --implementations; "" for the default */
    int probe;                /* --probe: a probe test per server (run/probejob.h) */
    int probe_only;           /* --probe-only: the probe tests and nothing else */
    const char *probe_cases;  /* --probe-cases; NULL: all */
    int webtransport, markdown, save_files, debug, keep, sim_kernel, seed_set;
    int auto_rule, compliance; /* QIR's auto-unsupported rule and pre-check: on by default */
    unsigned long jobs;        /* 0: --jobs auto, up to jobs_max */
    unsigned long jobs_max, timeout, seed, repeat;
    const char *spec_ignore[QUIRE_RUN_OPTS_SPEC_IGNORE_MAX];
    size_t nspec_ignore;
} quire_run_opts;

/* Parses quire run's argv into *o (defaults first). Returns 0 to go on, 1 when --help was
 * printed (exit 0), 2 on a usage error (said on stderr, naming the option). */
int quire_run_opts_parse(quire_run_opts *o, int argc, char **argv);

#endif
