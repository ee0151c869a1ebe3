/* The container backend's ops (see backend_container.h). */
#include "backend/backend_container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/container.h"
#include "sim/simargv.h"
#include "util/err.h"

typedef struct bed {
    quire_container_testbed tb;
    int have_tb;
    const quire_container_cfg *cfg;
    quire_proc proc[QUIRE_ROLE_COUNT];
    int started[QUIRE_ROLE_COUNT];
} bed;

static int create(void **state, const quire_testbed_spec *spec, char *why, size_t whylen)
{
    bed *b = calloc(1, sizeof *b);
    if (!(*state = b)) return QUIRE_ERR_NOMEM;
    if (!spec->with_sim) {
        snprintf(why, whylen, "the container backend needs the simulator (not in this build)");
        return QUIRE_ERR_UNSUPPORTED;
    }
    static const quire_container_cfg dflt = {.engine = NULL};
    b->cfg = spec->cfg ? spec->cfg : &dflt;
    int rc = quire_container_testbed_create(&b->tb, b->cfg, spec->run_id, spec->n, why, whylen);
    if (rc) return rc;
    b->have_tb = 1;
    const quire_container_addrs *a = &b->tb.addrs;
    quire_backend_logf(spec->log, spec->log_arg, "networks %s (%s, %s) and %s (%s, %s)",
                       b->tb.net[0], a->net4[0], a->net6[0], b->tb.net[1], a->net4[1],
                       a->net6[1]);
    return 0;
}

static const char *sim_image(const bed *b)
{
    return b->cfg->sim_image ? b->cfg->sim_image : QUIRE_CONTAINER_SIM_IMAGE;
}

static const char *describe(void *state, const quire_role_spec *s, char *buf, size_t len)
{
    bed *b = state;
    if (s->role == QUIRE_ROLE_SIM)
        snprintf(buf, len, "container %s", sim_image(b));
    else
        snprintf(buf, len, "%s", s->image ? s->image : "?");
    return buf;
}

/* The simulator image runs `quire sim ARGS LEFT RIGHT $SCENARIO` (images/sim-entry.sh). */
static int start_sim(bed *b, const quire_role_spec *s, char *why, size_t whylen)
{
    const quire_sim_spec *sim = s->sim;
    const quire_container_addrs *a = &b->tb.addrs;
    char seed[32], w4[80], w6[96], scen[600];
    snprintf(w4, sizeof w4, "%s:443", a->server4);
    snprintf(w6, sizeof w6, "[%s]:443", a->server6);
    snprintf(scen, sizeof scen, "SCENARIO=%s", sim->scenario ? sim->scenario : "");
    /* options only: the image's entry point adds the interfaces and $SCENARIO */
    quire_sim_args sa = {
        .seed = sim->seed,
        .pcap_dir = "/logs",
        .ready_file = "/logs/" QUIRE_BACKEND_READY_FILE,
        .wait_server = {w4, w6},
        .kernel = sim->kernel,
    };
    const char *args[16];
    if (quire_sim_argv(&sa, args, sizeof args / sizeof args[0], seed, sizeof seed) < 0) {
        snprintf(why, whylen, "cannot build the simulator's arguments");
        return QUIRE_ERR_INVALID;
    }
    const char *env[] = {scen, NULL};
    quire_proc_mount mounts[] = {{sim->dir, "/logs", 0}};
    quire_container_spec cs = {
        .role = QUIRE_ROLE_SIM,
        .image = sim_image(b),
        .env = env,
        .mounts = mounts,
        .nmounts = 1,
        .args = args,
        .output = s->output,
    };
    return quire_container_start(&b->tb, &cs, &b->proc[QUIRE_ROLE_SIM], why, whylen);
}

static int start(void *state, const quire_role_spec *s, char *why, size_t whylen)
{
    bed *b = state;
    if ((unsigned)s->role >= QUIRE_ROLE_COUNT || b->started[s->role] ||
        (s->role == QUIRE_ROLE_SIM ? !s->sim || !s->sim->dir : !s->image)) {
        snprintf(why, whylen, "cannot start the %s: %s", quire_role_name(s->role),
                 s->role != QUIRE_ROLE_SIM && !s->image ? "no image" : "bad spec");
        return QUIRE_ERR_INVALID;
    }
    int rc;
    if (s->role == QUIRE_ROLE_SIM) {
        rc = start_sim(b, s, why, whylen);
    } else {
        quire_container_spec cs = {
            .role = s->role,
            .image = s->image,
            .env = s->env,
            .mounts = s->mounts,
            .nmounts = s->nmounts,
            .output = s->output,
        };
        rc = quire_container_start(&b->tb, &cs, &b->proc[s->role], why, whylen);
    }
    if (!rc) b->started[s->role] = 1;
    return rc;
}

static int wait_roles(void *state, const quire_role *roles, size_t n, int timeout_ms,
                      size_t *which, int *status)
{
    bed *b = state;
    return quire_backend_wait_procs(b->proc, b->started, roles, n, timeout_ms, which, status);
}

/* The container itself gets the signals (see quire_container_stop). */
static int stop(void *state, quire_role role, int grace_ms, int *status)
{
    bed *b = state;
    if ((unsigned)role >= QUIRE_ROLE_COUNT || !b->started[role]) return QUIRE_ERR_INVALID;
    quire_proc *p = &b->proc[role];
    int rc = quire_container_stop(&b->tb, role, p, grace_ms);
    *status = p->status;
    return rc;
}

static int destroy(void *state)
{
    bed *b = state;
    if (!b) return 0;
    quire_backend_release_procs(b->proc, b->started);
    int rc = b->have_tb ? quire_container_testbed_destroy(&b->tb) : 0;
    free(b);
    return rc;
}

static void cleanup(const char *run_id, unsigned n, const void *cfg)
{
    const quire_container_cfg *c = cfg;
    quire_container_clean(c ? c->engine : NULL, run_id, (int)n, QUIRE_CONTAINER_CLEAN_FORCE, NULL,
                          NULL);
}

const quire_backend_ops quire_backend_container = {
    .name = "container",
    .create = create,
    .describe = describe,
    .start = start,
    .wait = wait_roles,
    .server_bound = NULL,
    .stop = stop,
    .destroy = destroy,
    .cleanup = cleanup,
};
