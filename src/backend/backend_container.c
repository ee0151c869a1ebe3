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
    else if (s->argv && s->argv[0])
        snprintf(buf, len, "program %s in a container of %s", s->argv[0],
                 s->image ? s->image : QUIRE_BACKEND_HOST_IMAGE);
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
        .wait_server = {sim->ready_at_once ? NULL : w4, sim->ready_at_once ? NULL : w6},
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

#define MAX_MOUNTS 24

/* Whether path is /usr or under it (the host image has it already). */
static int under_usr(const char *path)
{
    return !strncmp(path, "/usr", 4) && (path[4] == 0 || path[4] == '/');
}

/* A program of this machine (spec->argv) in the host image: /usr and the folders it needs
 * read-only at their own paths, then the role's own mounts. */
static int start_program(bed *b, const quire_role_spec *s, char *why, size_t whylen)
{
    quire_proc_mount m[MAX_MOUNTS];
    size_t n = 0;
    m[n++] = (quire_proc_mount){"/usr", "/usr", 1};
    m[n++] = (quire_proc_mount){"/etc/alternatives", "/etc/alternatives", 1};
    const char *paths[8];
    size_t np = 0;
    if (s->cwd) paths[np++] = s->cwd;
    for (size_t i = 0; s->host_paths && s->host_paths[i] && np < 8; i++)
        paths[np++] = s->host_paths[i];
    for (size_t i = 0; i < np; i++) {
        int dup = !paths[i][0] || paths[i][0] != '/' || under_usr(paths[i]);
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(m[j].target, paths[i]);
        for (size_t j = 0; j < s->nmounts && !dup; j++)
            dup = !strcmp(s->mounts[j].target, paths[i]);
        if (!dup && n < MAX_MOUNTS) m[n++] = (quire_proc_mount){paths[i], paths[i], 1};
    }
    for (size_t i = 0; i < s->nmounts && n < MAX_MOUNTS; i++)
        m[n++] = s->mounts[i];
    if (n == MAX_MOUNTS) {
        snprintf(why, whylen, "cannot start the %s: more than %d mounts", quire_role_name(s->role),
                 MAX_MOUNTS);
        return QUIRE_ERR_INVALID;
    }
    quire_container_spec cs = {
        .role = s->role,
        .image = s->image ? s->image : QUIRE_BACKEND_HOST_IMAGE,
        .env = s->env,
        .mounts = m,
        .nmounts = n,
        .args = s->argv,
        .output = s->output,
        .workdir = s->cwd,
    };
    return quire_container_start(&b->tb, &cs, &b->proc[s->role], why, whylen);
}

static int start(void *state, const quire_role_spec *s, char *why, size_t whylen)
{
    bed *b = state;
    int program = s->role != QUIRE_ROLE_SIM && s->argv && s->argv[0];
    if ((unsigned)s->role >= QUIRE_ROLE_COUNT || b->started[s->role] ||
        (s->role == QUIRE_ROLE_SIM ? !s->sim || !s->sim->dir : !s->image && !program)) {
        snprintf(why, whylen, "cannot start the %s: %s", quire_role_name(s->role),
                 s->role != QUIRE_ROLE_SIM && !s->image && !program ? "no image and no program"
                                                                      : "bad spec");
        return QUIRE_ERR_INVALID;
    }
    int rc;
    if (s->role == QUIRE_ROLE_SIM) {
        rc = start_sim(b, s, why, whylen);
    } else if (program) {
        rc = start_program(b, s, why, whylen);
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

/* /proc/PID/net/udp of the running server container lists its namespace's sockets. */
static int server_bound(void *state, unsigned port)
{
    bed *b = state;
    pid_t pid;
    if (!b->started[QUIRE_ROLE_SERVER] || quire_container_pid(&b->tb, QUIRE_ROLE_SERVER, &pid))
        return 0;
    return quire_netns_udp_bound(pid, port) == 1;
}

static int address(void *state, quire_role role, int v6, char *buf, size_t len)
{
    bed *b = state;
    const quire_container_addrs *a = &b->tb.addrs;
    const char *v = role == QUIRE_ROLE_CLIENT   ? (v6 ? a->client6 : a->client4)
                    : role == QUIRE_ROLE_SERVER ? (v6 ? a->server6 : a->server4)
                    : role == QUIRE_ROLE_SIM    ? (v6 ? a->sim6[0] : a->sim4[0])
                                                : NULL;
    int n = v ? snprintf(buf, len, "%s", v) : -1;
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

/* A container's network namespace lives as long as the container runs. */
static int netns_of(void *state, quire_role role, char *buf, size_t len)
{
    bed *b = state;
    pid_t pid;
    if ((unsigned)role >= QUIRE_ROLE_COUNT) return QUIRE_ERR_INVALID;
    int rc = quire_container_pid(&b->tb, role, &pid);
    if (rc) return rc;
    int n = snprintf(buf, len, "/proc/%ld/ns/net", (long)pid);
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
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
    .server_bound = server_bound,
    .address = address,
    .netns_of = netns_of,
    .stop = stop,
    .destroy = destroy,
    .cleanup = cleanup,
};
