/* A fake backend for unit tests of the lifecycle (backend.h), without root, namespaces or
 * processes: each role follows a script — fails to start, exits with code N after T ms, dies
 * of a signal after T ms (a crash), or never exits until stopped (then it exits with a given
 * code on SIGTERM, or dies of it) — on the real clock, so the lifecycle's deadlines hold. A
 * started server becomes ready at once unless told otherwise: with the simulator started the
 * fake writes the simulator's ready file, as `quire sim --ready-file` would; without, its
 * server_bound says so. A role's on_start hook may write what the real role would (downloads,
 * captures). The fake records what the lifecycle asked of it in the script's record.
 * spec->cfg is the quire_fake_script. */
#ifndef QUIRE_FAKE_H
#define QUIRE_FAKE_H

#include "backend/backend.h"

/* A zero-initialized role exits with code 0 at once; see the constructors below. */
typedef struct quire_fake_role {
    int start_error; /* nonzero: start fails with this QUIRE_ERR_* */
    int exit_ms;     /* ms after its start it ends by itself; < 0: never */
    int exit_code;   /* how it ends then: exit code ... */
    int signal;      /* ... or, when nonzero, killed by this signal */
    int term_code;   /* when stopped with SIGTERM: exits with this code; < 0: dies of SIGTERM */
    int not_ready;   /* server: never becomes ready */
    const char *limit_hit; /* non-NULL: the limit it ran into (the limit_hit op's phrase) */
    /* called once it started (the spec's mounts and output name host paths) */
    void (*on_start)(const quire_role_spec *spec, void *arg);
    void *arg;
} quire_fake_role;

/* What happened, per role (indexed by quire_role). */
typedef struct quire_fake_record {
    int created, destroyed;
    unsigned starts[QUIRE_ROLE_COUNT];
    unsigned stops[QUIRE_ROLE_COUNT];
    int stopped_running[QUIRE_ROLE_COUNT]; /* the stop found it running (and ended it) */
    int stop_grace_ms[QUIRE_ROLE_COUNT];   /* of the last stop */
    int env_seen[QUIRE_ROLE_COUNT];        /* number of env entries at start */
    char testcase[QUIRE_ROLE_COUNT][128];  /* the TESTCASE the role was given */
} quire_fake_record;

typedef struct quire_fake_script {
    int create_error; /* nonzero: create fails with this QUIRE_ERR_* */
    quire_fake_role role[QUIRE_ROLE_COUNT];
    quire_fake_record *record; /* filled in when non-NULL */
} quire_fake_script;

extern const quire_backend_ops quire_backend_fake;

/* A role that runs until it is stopped and exits with code 0 on SIGTERM (a server that stops
 * cleanly; the simulator). */
quire_fake_role quire_fake_runs(void);

/* A role that exits by itself with code after ms. */
quire_fake_role quire_fake_exits(int code, int ms);

/* A role that crashes: killed by sig after ms. */
quire_fake_role quire_fake_crashes(int sig, int ms);

#endif
