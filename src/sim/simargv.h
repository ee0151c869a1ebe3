/* The command line of `quire sim` for every program that starts the simulator (the QIR-style
 * lifecycle on the netns and container backends, the experiment runner): one place that knows
 * its options, their order and how a scenario string ("simple-p2p --delay=15ms ...") becomes
 * arguments, so the callers cannot drift apart from each other or from cli/cmd_sim.c. */
#ifndef QUIRE_SIMARGV_H
#define QUIRE_SIMARGV_H

#include <stddef.h>

#define QUIRE_SIM_MAX_WAIT 4

typedef struct quire_sim_args {
    const char *exe;        /* the quire binary: argv starts "EXE sim"; NULL: options only (the
                               simulator image's entry point adds the rest) */
    unsigned long long seed;
    const char *pcap_dir;   /* NULL: no captures */
    const char *ready_file; /* NULL: none */
    const char *wait_server[QUIRE_SIM_MAX_WAIT]; /* ADDR:PORT probed before ready; NULL ends */
    int kernel;                                  /* --kernel */
    const char *left_if, *right_if; /* NULL: not given (with exe they are required) */
    const char *scenario;           /* split at spaces; NULL: none */
    const char *netns_prefix; /* --netns-prefix: names of the cross-traffic namespaces; NULL */
} quire_sim_args;

/* Fills argv[0..max-1] with the simulator's command line, NULL-terminated; the scenario's
 * words are copied into buf (caller storage, buflen bytes, must outlive argv). Returns the
 * number of arguments, or QUIRE_ERR_INVALID when they do not fit into argv or buf, or exe is
 * given without both interfaces. */
int quire_sim_argv(const quire_sim_args *a, const char **argv, size_t max, char *buf,
                   size_t buflen);

#endif
