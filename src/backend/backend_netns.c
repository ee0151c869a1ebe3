/* The netns backend's ops (see backend_netns.h). */
#include "backend/backend_netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/limits.h"
#include "backend/netns.h"
#include "sim/simargv.h"
#include "util/cgroup.h"
#include "util/err.h"
#include "util/fs.h"

#define MAX_ENV 32

typedef struct bed {
    quire_netns_testbed tb;
    int have_tb;
    char hosts[4096];
    quire_proc proc[QUIRE_ROLE_COUNT];
    int started[QUIRE_ROLE_COUNT];
    /* the endpoints' limits (backend/limits.h) */
    quire_limits lim;
    char cg_root[QUIRE_CGROUP_PATH_MAX]; /* "" when no cgroup hierarchy has pids */
    quire_cgroup cg[QUIRE_ROLE_COUNT];
    char downloads[QUIRE_ROLE_COUNT][4200]; /* the host directory of a tmpfs /downloads, or "" */
    quire_backend_log_fn log;
    void *log_arg;
} bed;

/* QIR's server46 (connectionmigration): a name with both of the server's addresses. */
static int add_server46(const char *hosts)
{
    FILE *f = fopen(hosts, "a");
    if (!f) return QUIRE_ERR_IO;
    fprintf(f, "%s server46\n%s server46\n", QUIRE_NETNS_SERVER_IP4, QUIRE_NETNS_SERVER_IP6);
    return fclose(f) ? QUIRE_ERR_IO : 0;
}

static int create(void **state, const quire_testbed_spec *spec, char *why, size_t whylen)
{
    bed *b = calloc(1, sizeof *b);
    if (!(*state = b)) return QUIRE_ERR_NOMEM;
    b->log = spec->log;
    b->log_arg = spec->log_arg;
    int rc = quire_limits_from_env(&b->lim, why, whylen);
    if (rc) return rc;
    if (b->lim.pids_max) {
        char nocg[300] = "";
        if (quire_cgroup_pids_root(b->cg_root, sizeof b->cg_root, nocg, sizeof nocg)) {
            b->cg_root[0] = 0;
            quire_backend_logf(b->log, b->log_arg,
                               "%s: endpoints get RLIMIT_NPROC %ld instead (not enforced for root)",
                               nocg, b->lim.pids_max);
        }
    }
    if (spec->adopt)
        b->tb = *(const quire_netns_testbed *)spec->adopt;
    else
        rc = quire_netns_testbed_create(&b->tb, spec->run_id, spec->n);
    if (rc) {
        snprintf(why, whylen, "cannot create the testbed: %s", quire_strerror(rc));
        return rc;
    }
    b->have_tb = 1;
    snprintf(b->hosts, sizeof b->hosts, "%s", spec->hosts_file ? spec->hosts_file : "");
    if ((rc = quire_netns_write_hosts(b->hosts)) || (rc = add_server46(b->hosts))) {
        snprintf(why, whylen, "cannot write %.200s: %s", b->hosts, quire_strerror(rc));
        return rc;
    }
    if (!spec->with_sim && (rc = quire_netns_set_forwarding(&b->tb, 1))) {
        snprintf(why, whylen, "cannot enable forwarding: %s", quire_strerror(rc));
        return rc;
    }
    return 0;
}

static const char *describe(void *state, const quire_role_spec *s, char *buf, size_t len)
{
    (void)state;
    if (s->role == QUIRE_ROLE_SIM) /* `quire sim`, nothing more to say */
        buf[0] = 0;
    else if (s->argv && s->argv[0])
        snprintf(buf, len, "program %s in its namespaces", s->argv[0]);
    else
        snprintf(buf, len, "%s/run_endpoint", s->path ? s->path : "?");
    return buf;
}

/* `quire sim` in the sim namespace between its two interfaces, the server's addresses probed
 * for readiness. */
static int start_sim(bed *b, const quire_role_spec *s, char *why, size_t whylen)
{
    const quire_sim_spec *sim = s->sim;
    char ready[4200], words[600], prefix[QUIRE_NETNS_NAME_MAX];
    snprintf(ready, sizeof ready, "%s/%s", sim->dir, QUIRE_BACKEND_READY_FILE);
    /* the cross-traffic namespaces get the test bed's prefix: quire_netns_testbed_destroy
     * removes them even if the simulator is killed first (the names fit: they were made) */
    quire_netns_testbed_prefix(&b->tb, prefix, sizeof prefix);
    quire_sim_args sa = {
        .exe = sim->exe,
        .seed = sim->seed,
        .pcap_dir = sim->dir,
        .ready_file = ready,
        .wait_server = {sim->ready_at_once ? NULL : QUIRE_NETNS_SERVER_IP4 ":443",
                        sim->ready_at_once ? NULL : "[" QUIRE_NETNS_SERVER_IP6 "]:443"},
        .kernel = sim->kernel,
        .left_if = QUIRE_NETNS_SIM_LEFT_IFNAME,
        .right_if = QUIRE_NETNS_SIM_RIGHT_IFNAME,
        .scenario = sim->scenario,
        .netns_prefix = prefix,
    };
    const char *argv[64];
    if (quire_sim_argv(&sa, argv, sizeof argv / sizeof argv[0], words, sizeof words) < 0) {
        snprintf(why, whylen, "the scenario is too long for the simulator: %.200s",
                 sim->scenario ? sim->scenario : "");
        return QUIRE_ERR_INVALID;
    }
    quire_proc_opts po = {
        .argv = argv,
        .netns = quire_netns_testbed_name(&b->tb, QUIRE_ROLE_SIM),
        .output = s->output,
        .stdin_null = 1,
    };
    quire_proc *p = &b->proc[QUIRE_ROLE_SIM];
    int rc = quire_proc_spawn(p, &po);
    if (rc) snprintf(why, whylen, "cannot start the simulator: %s", p->err);
    return rc;
}

/* An endpoint's pids cgroup and its /downloads tmpfs (backend/limits.h), named like its
 * namespace. Returns 0, or a negative QUIRE_ERR_* with why (the tmpfs cannot be made). */
static int limit_endpoint(bed *b, const quire_role_spec *s, char *why, size_t whylen)
{
    const char *name = quire_netns_testbed_name(&b->tb, s->role);
    if (b->cg_root[0] && b->lim.pids_max &&
        quire_cgroup_create(&b->cg[s->role], b->cg_root, name, b->lim.pids_max))
        quire_backend_logf(b->log, b->log_arg,
                           "cannot make the cgroup %s/%s (%s): RLIMIT_NPROC %ld instead",
                           b->cg_root, name, strerror(errno), b->lim.pids_max);
    for (size_t i = 0; i < s->nmounts && b->lim.downloads; i++) {
        if (strcmp(s->mounts[i].target, "/downloads")) continue;
        int rc = quire_limits_mount_downloads(s->mounts[i].host_path, name, b->lim.downloads);
        if (rc) {
            snprintf(why, whylen, "cannot mount a tmpfs of %llu bytes at %.300s: %s",
                     b->lim.downloads, s->mounts[i].host_path, strerror(errno));
            return rc;
        }
        snprintf(b->downloads[s->role], sizeof b->downloads[s->role], "%s",
                 s->mounts[i].host_path);
    }
    return 0;
}

static int start(void *state, const quire_role_spec *s, char *why, size_t whylen)
{
    bed *b = state;
    int program = s->role != QUIRE_ROLE_SIM && s->argv && s->argv[0];
    if ((unsigned)s->role >= QUIRE_ROLE_COUNT || b->started[s->role] ||
        (s->role == QUIRE_ROLE_SIM ? !s->sim || !s->sim->exe || !s->sim->dir
                                   : !s->path && !program)) {
        snprintf(why, whylen, "cannot start the %s: %s", quire_role_name(s->role),
                 s->role != QUIRE_ROLE_SIM && !s->path && !program
                     ? "no endpoint folder (path) and no program"
                     : "bad spec");
        return QUIRE_ERR_INVALID;
    }
    int rc;
    if (s->role == QUIRE_ROLE_SIM) {
        rc = start_sim(b, s, why, whylen);
    } else {
        /* PATH and HOME, so that run_endpoint scripts work; then the contract's variables */
        char path[4200], home[4200];
        const char *envp[MAX_ENV + 3];
        size_t n = 0;
        const char *pv = getenv("PATH"), *hv = getenv("HOME");
        snprintf(path, sizeof path, "PATH=%s", pv ? pv : "/usr/local/bin:/usr/bin:/bin");
        snprintf(home, sizeof home, "HOME=%s", hv ? hv : "/root");
        envp[n++] = path;
        envp[n++] = home;
        for (size_t i = 0; s->env && s->env[i] && n < MAX_ENV + 2; i++)
            envp[n++] = s->env[i];
        envp[n] = NULL;
        char exe[4200];
        snprintf(exe, sizeof exe, "%s/run_endpoint", s->path ? s->path : "");
        const char *argv[] = {exe, NULL};
        if (!program && (rc = limit_endpoint(b, s, why, whylen))) return rc;
        quire_proc_opts po = {
            .argv = program ? s->argv : argv,
            .envp = envp,
            .cwd = program ? s->cwd : s->path,
            .netns = quire_netns_testbed_name(&b->tb, s->role),
            .new_mountns = 1,
            .mounts = s->mounts,
            .nmounts = s->nmounts,
            .hosts_file = b->hosts,
            .new_pidns = 1,
            .output = s->output,
            .stdin_null = 1,
            .cgroup = !program && b->cg[s->role].dir[0] ? b->cg[s->role].dir : NULL,
            .nproc_limit = !program && !b->cg[s->role].dir[0] ? b->lim.pids_max : 0,
            .isolate = !program && b->lim.isolate,
        };
        quire_proc *p = &b->proc[s->role];
        rc = quire_proc_spawn(p, &po);
        if (rc) snprintf(why, whylen, "cannot start the %s: %s", quire_role_name(s->role), p->err);
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

static int server_bound(void *state, unsigned port)
{
    bed *b = state;
    if (!b->started[QUIRE_ROLE_SERVER]) return 0;
    return quire_netns_udp_bound(b->proc[QUIRE_ROLE_SERVER].pid, port) == 1;
}

static int address(void *state, quire_role role, int v6, char *buf, size_t len)
{
    (void)state;
    static const char *const a[QUIRE_ROLE_COUNT][2] = {
        [QUIRE_ROLE_CLIENT] = {QUIRE_NETNS_CLIENT_IP4, QUIRE_NETNS_CLIENT_IP6},
        [QUIRE_ROLE_SIM] = {QUIRE_NETNS_SIM_LEFT_IP4, QUIRE_NETNS_SIM_LEFT_IP6},
        [QUIRE_ROLE_SERVER] = {QUIRE_NETNS_SERVER_IP4, QUIRE_NETNS_SERVER_IP6},
    };
    if ((unsigned)role >= QUIRE_ROLE_COUNT) return QUIRE_ERR_INVALID;
    int n = snprintf(buf, len, "%s", a[role][v6 ? 1 : 0]);
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

static int netns_of(void *state, quire_role role, char *buf, size_t len)
{
    bed *b = state;
    if ((unsigned)role >= QUIRE_ROLE_COUNT) return QUIRE_ERR_INVALID;
    int n = snprintf(buf, len, "%s", quire_netns_testbed_name(&b->tb, role));
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

static int stop(void *state, quire_role role, int grace_ms, int *status)
{
    bed *b = state;
    if ((unsigned)role >= QUIRE_ROLE_COUNT || !b->started[role]) return QUIRE_ERR_INVALID;
    quire_proc *p = &b->proc[role];
    int rc = quire_proc_kill(p, grace_ms);
    *status = p->status;
    return rc;
}

static int limit_hit(void *state, quire_role role, char *buf, size_t len)
{
    bed *b = state;
    if ((unsigned)role >= QUIRE_ROLE_COUNT || role == QUIRE_ROLE_SIM) return 0;
    const char *rn = quire_role_name(role);
    long refused = quire_cgroup_pids_refused(&b->cg[role]);
    size_t off = 0;
    buf[0] = 0;
    if (refused > 0)
        off += (size_t)snprintf(buf, len,
                                "the %s reached the pids limit of %ld (%ld fork%s refused)", rn,
                                b->lim.pids_max, refused, refused == 1 ? "" : "s");
    if (b->downloads[role][0] && quire_limits_downloads_full(b->downloads[role]) && off < len) {
        char sz[32];
        snprintf(buf + off, len - off,
                 "%sthe %s wrote more than the /downloads limit of %s (No space left on device)",
                 off ? "; " : "", rn, quire_limits_size_str(b->lim.downloads, sz, sizeof sz));
    }
    return buf[0] ? 1 : 0;
}

/* Removes the endpoints' cgroups and tmpfs /downloads (their processes are gone). */
static int unlimit(bed *b)
{
    int rc = 0;
    for (int r = 0; r < QUIRE_ROLE_COUNT; r++) {
        if (quire_cgroup_destroy(&b->cg[r])) {
            quire_backend_logf(b->log, b->log_arg, "cannot remove the cgroup %s: %s",
                               b->cg[r].dir, strerror(errno));
            rc = QUIRE_ERR_IO;
        }
        if (!b->downloads[r][0]) continue;
        /* a full one holds what a misbehaving endpoint wrote: not worth copying to disk */
        int full = quire_limits_downloads_full(b->downloads[r]);
        if (quire_limits_unmount_downloads(b->downloads[r], full)) {
            quire_backend_logf(b->log, b->log_arg, "cannot copy %s off its tmpfs: %s",
                               b->downloads[r], strerror(errno));
            rc = QUIRE_ERR_IO;
        } else if (full) {
            quire_backend_logf(b->log, b->log_arg, "%s was full: its files are not kept",
                               b->downloads[r]);
        }
        b->downloads[r][0] = 0;
    }
    return rc;
}

static int destroy(void *state)
{
    bed *b = state;
    if (!b) return 0;
    quire_backend_release_procs(b->proc, b->started);
    int urc = unlimit(b);
    int rc = b->have_tb ? quire_netns_testbed_destroy(&b->tb) : 0;
    if (!rc) rc = urc;
    free(b);
    return rc;
}

static int premake(const char *run_id, unsigned n, void **made)
{
    quire_netns_testbed *tb = malloc(sizeof *tb);
    *made = tb;
    if (!tb) return QUIRE_ERR_NOMEM;
    int rc = quire_netns_testbed_create(tb, run_id, n);
    if (rc) {
        free(tb);
        *made = NULL;
    }
    return rc;
}

static void unmake(void *made, int destroy)
{
    quire_netns_testbed *tb = made;
    if (!tb) return;
    if (destroy)
        quire_netns_testbed_destroy(tb);
    else /* the worker has its own copies of the namespace descriptors */
        for (int i = 0; i < QUIRE_ROLE_COUNT; i++)
            if (tb->fd[i] >= 0) close(tb->fd[i]);
    free(tb);
}

static void cleanup(const char *run_id, unsigned n, const void *cfg)
{
    (void)cfg;
    quire_netns_testbed tb;
    memset(&tb, 0, sizeof tb);
    snprintf(tb.run, sizeof tb.run, "%s", run_id);
    tb.n = n;
    for (int r = 0; r < QUIRE_ROLE_COUNT; r++) {
        snprintf(tb.name[r], sizeof tb.name[r], "quire-%s-%u-%s", run_id, n,
                 quire_role_name((quire_role)r));
        tb.fd[r] = -1;
    }
    quire_netns_testbed_destroy(&tb);
    /* the endpoints' limits (their names are the namespaces') */
    char prefix[QUIRE_NETNS_NAME_MAX + 8], root[QUIRE_CGROUP_PATH_MAX], why[300] = "";
    snprintf(prefix, sizeof prefix, "quire-%s-%u-", run_id, n);
    quire_limits_clean_mounts(prefix, 0, NULL, NULL);
    if (quire_cgroup_pids_root(root, sizeof root, why, sizeof why)) return;
    for (int r = 0; r < QUIRE_ROLE_COUNT; r++) {
        char dir[QUIRE_CGROUP_PATH_MAX + QUIRE_NETNS_NAME_MAX];
        snprintf(dir, sizeof dir, "%s/%s", root, tb.name[r]);
        if (quire_fs_is_dir(dir)) quire_cgroup_remove_dir(dir);
    }
}

const quire_backend_ops quire_backend_netns = {
    .name = "netns",
    .create = create,
    .describe = describe,
    .start = start,
    .wait = wait_roles,
    .server_bound = server_bound,
    .address = address,
    .netns_of = netns_of,
    .stop = stop,
    .limit_hit = limit_hit,
    .destroy = destroy,
    .premake = premake,
    .unmake = unmake,
    .cleanup = cleanup,
};
