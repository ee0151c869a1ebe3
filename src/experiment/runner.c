/* The experiment runner (see runner.h). */
#include "experiment/runner.h"
#include "experiment/profile.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend_container.h"
#include "backend/backend_netns.h"
#include "backend/container.h"
#include "backend/netns.h"
#include "experiment/assert.h"
#include "experiment/render.h"
#include "experiment/svccmd.h"
#include "run/certs.h"
#include "run/files.h"
#include "run/testbed.h"
#include "sim/probe.h"
#include "sim/simargv.h"
#include "util/err.h"
#include "util/fs.h"

#define SIM_READY_MS 10000
#define GRACE_MS 3000
#define VALGRIND_GRACE_MS 15000 /* valgrind's report, gperftools' profiles: written at exit */
#define PROBE_MS 3000

/* One run's state: the test bed is whatever backend the network environment names, driven
 * through its ops (backend/backend.h) as run/lifecycle.c drives it. */
typedef struct rctx {
    const quire_xrun_opts *o;
    quire_xrun *r;
    quire_bed bed;                 /* the backend, the roles' ends, runner.log */
    quire_container_cfg ccfg;      /* the container backend's, for docker_compose */
    char server4[64], server6[64]; /* the server's addresses in this test bed */
    char hosts[PATH_MAX];
} rctx;

static quire_role role_of(const quire_svc_run *s)
{
    return s->svc->role == QUIRE_PLUGIN_SERVER ? QUIRE_ROLE_SERVER : QUIRE_ROLE_CLIENT;
}

#define rlog(c, ...) quire_bed_log(&(c)->bed, __VA_ARGS__)

static void slug(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (const char *s = in; *s && o + 1 < len && o < 60; s++) {
        char ch = *s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_')
            out[o++] = ch;
        else if (ch >= 'A' && ch <= 'Z')
            out[o++] = (char)(ch - 'A' + 'a');
        else if (o && out[o - 1] != '-')
            out[o++] = '-';
    }
    while (o && out[o - 1] == '-')
        o--;
    out[o] = 0;
    if (!o) snprintf(out, len, "test");
}

static int mkdir_p(const char *path)
{
    return quire_fs_mkdir_p(path, 0755);
}

static quire_svc_run *find_svc(quire_xrun *r, const char *name)
{
    for (size_t i = 0; i < r->nsvc; i++)
        if (!strcmp(r->svc[i].svc->name, name)) return &r->svc[i];
    return NULL;
}

static const quire_service *server_of(const quire_xtest *t)
{
    for (size_t i = 0; i < t->nservices; i++)
        if (t->services[i].role == QUIRE_PLUGIN_SERVER) return &t->services[i];
    return NULL;
}

/* The port a service listens on / connects to: its rendered {{port}}. */
static unsigned service_port(const quire_service *s)
{
    char err[128];
    int unset = 0;
    char *p = quire_plugin_render_str(s->plugin, s->version, &s->config, NULL, "{{port}}", &unset,
                                      err, sizeof err);
    unsigned v = p && !unset ? (unsigned)strtoul(p, NULL, 10) : 443;
    free(p);
    return v ? v : 443;
}

static int setup_dirs(rctx *c)
{
    quire_xrun *r = c->r;
    snprintf(r->www, sizeof r->www, "%s/www", r->dir);
    snprintf(r->downloads, sizeof r->downloads, "%s/downloads", r->dir);
    snprintf(r->certs, sizeof r->certs, "%s/certs", r->dir);
    snprintf(r->sim, sizeof r->sim, "%s/sim", r->dir);
    snprintf(c->hosts, sizeof c->hosts, "%s/hosts", r->dir);
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%s/runner.log", r->dir);
    if (mkdir_p(r->www) || mkdir_p(r->downloads) || mkdir_p(r->certs) || mkdir_p(r->sim) ||
        quire_bed_log_open(&c->bed, log)) {
        snprintf(r->error, sizeof r->error, "cannot create %.900s: %s", r->dir, strerror(errno));
        return QUIRE_ERR_IO;
    }
    for (size_t i = 0; i < r->nsvc; i++) {
        quire_svc_run *s = &r->svc[i];
        snprintf(s->dir, sizeof s->dir, "%s/%s", r->dir, s->svc->name);
        memcpy(s->logs, s->dir, sizeof s->logs); /* the service's /logs: the same folder */
        if (mkdir_p(s->logs)) {
            snprintf(r->error, sizeof r->error, "cannot create %.900s: %s", s->logs,
                     strerror(errno));
            return QUIRE_ERR_IO;
        }
        char q[PATH_MAX];
        snprintf(q, sizeof q, "%s/qlog", s->logs);
        mkdir_p(q);
    }
    int rc = quire_certs_generate(r->certs, 1);
    if (rc) {
        snprintf(r->error, sizeof r->error, "cannot make certificates: %s", quire_strerror(rc));
        return rc;
    }
    const quire_xtest *t = r->t;
    if (t->nfiles && !(r->files = calloc(t->nfiles, sizeof *r->files))) return QUIRE_ERR_NOMEM;
    for (unsigned i = 0; i < t->nfiles; i++) {
        char name[128];
        rc = quire_files_generate(r->www, t->file_size, name, sizeof name);
        if (rc) {
            snprintf(r->error, sizeof r->error, "cannot make the www files: %s",
                     quire_strerror(rc));
            return rc;
        }
        r->files[r->nfiles++] = strdup(name);
    }
    return 0;
}

/* The simulator between the two sides, ready once it forwards (the services start after it). */
static int start_sim(rctx *c)
{
    quire_xrun *r = c->r;
    char ready[PATH_MAX], out[PATH_MAX], why[512];
    snprintf(ready, sizeof ready, "%s/%s", r->sim, QUIRE_BACKEND_READY_FILE);
    snprintf(out, sizeof out, "%s/output.txt", r->sim);
    quire_sim_spec sim = {.exe = c->o->quire_exe,
                          .seed = c->o->seed + r->iteration,
                          .scenario = r->t->scenarios.s[r->point],
                          .dir = r->sim,
                          .ready_at_once = 1};
    int rc = quire_bed_start_sim(&c->bed, &sim, out, why, sizeof why);
    if (rc) {
        snprintf(r->error, sizeof r->error, "%s", why);
        return rc;
    }
    rc = quire_bed_wait_ready(&c->bed, ready, 0, quire_proc_now_ms() + SIM_READY_MS);
    if (rc == QUIRE_ERR_TIMEOUT)
        snprintf(r->error, sizeof r->error,
                 "the simulator was not ready within %d s (see sim/output.txt)",
                 SIM_READY_MS / 1000);
    else if (rc == 1)
        snprintf(r->error, sizeof r->error, "the simulator exited at start (see sim/output.txt)");
    return rc == 1 ? QUIRE_ERR_IO : rc;
}

static void builtins(rctx *c, const quire_svc_run *s, quire_vars *b)
{
    quire_xrun *r = c->r;
    const quire_service *srv = server_of(r->t);
    unsigned port = srv ? service_port(srv) : 443;
    size_t len = 1;
    for (size_t i = 0; i < r->nfiles; i++)
        len += strlen(r->files[i]) + 40;
    char *req = calloc(1, len);
    size_t off = 0;
    for (size_t i = 0; req && i < r->nfiles; i++)
        off += (size_t)snprintf(req + off, len - off, "%shttps://server4:%u/%s", i ? " " : "", port,
                                r->files[i]);
    quire_vars_set(b, "role", s->svc->role == QUIRE_PLUGIN_SERVER ? "server" : "client");
    quire_vars_set(b, "requests", req ? req : "");
    quire_vars_set(b, "server_ip4", c->server4);
    quire_vars_set(b, "server_ip6", c->server6);
    quire_vars_set(b, "server_host", c->server4);
    quire_vars_set(b, "testcase", r->t->testcase);
    quire_vars_set(b, "service", s->svc->name);
    free(req);
}

static int start_service(rctx *c, quire_svc_run *s)
{
    quire_xrun *r = c->r;
    if (s->started) {
        rlog(c, "%s: already started", s->svc->name);
        return 0;
    }
    quire_vars b = {0};
    builtins(c, s, &b);
    quire_cmd cmd;
    char err[512];
    int rc = quire_plugin_render(s->svc->plugin, s->svc->version, s->svc->role, &s->svc->config, &b,
                                 &cmd, err, sizeof err);
    quire_vars_free(&b);
    if (rc) {
        snprintf(r->error, sizeof r->error, "service %s: %s", s->svc->name, err);
        return rc;
    }
    /* sh splits stdout and stderr into two files (proc.h has one output file). */
    size_t max = cmd.argc + 72;
    const char **argv = calloc(max, sizeof *argv);
    const char **envp = calloc(cmd.nenv + 4, sizeof *envp);
    if (!argv || !envp) {
        free(argv);
        free(envp);
        quire_cmd_free(&cmd);
        return QUIRE_ERR_NOMEM;
    }
    size_t n = 0;
    argv[n++] = "/bin/sh";
    argv[n++] = "-c";
    argv[n++] = "exec \"$@\" >/logs/stdout.log 2>/logs/stderr.log";
    argv[n++] = "sh";
    char supp[3 * PATH_MAX + 64];
    n += quire_xrun_wrap(s, argv + n, supp, sizeof supp);
    size_t off = 0;
    for (size_t i = 0; i < cmd.argc; i++) {
        argv[n++] = cmd.argv[i];
        if (off < sizeof s->command)
            off += (size_t)snprintf(s->command + off, sizeof s->command - off, "%s%s", i ? " " : "",
                                    cmd.argv[i]);
    }
    argv[n] = NULL;
    size_t ne = 0;
    for (size_t i = 0; i < cmd.nenv; i++) /* the backend adds PATH and HOME */
        envp[ne++] = cmd.envp[i];
    envp[ne] = NULL;
    int server = s->svc->role == QUIRE_PLUGIN_SERVER;
    char empty[PATH_MAX];
    snprintf(empty, sizeof empty, "%s/empty-www", s->dir);
    mkdir_p(empty);
    quire_proc_mount mounts[] = {
        {server ? r->www : empty, "/www", 1},
        {r->certs, "/certs", 1},
        {r->downloads, "/downloads", 0},
        {s->logs, "/logs", 0},
    };
    char out[PATH_MAX], why[512], hp[QUIRE_XRUN_FOLDERS_MAX][PATH_MAX];
    const char *host_paths[QUIRE_XRUN_FOLDERS_MAX + 1];
    quire_xrun_folders((const char *const *)cmd.argv, cmd.argc, hp, host_paths);
    snprintf(out, sizeof out, "%s/output.txt", s->dir);
    quire_role_spec rs = {
        .role = role_of(s),
        .name = s->svc->name,
        .env = envp,
        .mounts = mounts,
        .nmounts = sizeof mounts / sizeof mounts[0],
        .output = out,
        .argv = argv,
        .cwd = s->svc->plugin->dir,
        .host_paths = host_paths,
    };
    char detail[1200];
    snprintf(detail, sizeof detail, "%s %s: %s", s->svc->plugin->name, s->svc->version->name,
             s->command);
    rc = quire_bed_start(&c->bed, &rs, detail, why, sizeof why);
    free(argv);
    free(envp);
    quire_cmd_free(&cmd);
    if (rc) {
        snprintf(r->error, sizeof r->error, "cannot start %s: %s", s->svc->name, why);
        return rc;
    }
    s->started = 1;
    s->start_ms = quire_proc_now_ms();
    if (!server) return 0;
    /* A server is ready when its UDP port is bound (or it exits: then the steps go on and
     * the assertions say what happened). */
    unsigned port = service_port(s->svc);
    long long deadline = s->start_ms + (long long)s->svc->timeout_s * 1000;
    rc = quire_bed_wait_ready(&c->bed, NULL, port, deadline);
    char st[96];
    if (rc == 0) {
        s->ready = 1;
        rlog(c, "%s ready after %lld ms (UDP port %u bound)", s->svc->name,
             quire_proc_now_ms() - s->start_ms, port);
    } else if (rc == 1 && c->bed.ended[QUIRE_ROLE_SERVER]) {
        s->exited = 1;
        s->status = c->bed.status[QUIRE_ROLE_SERVER];
        s->end_ms = quire_proc_now_ms();
        rlog(c, "%s %s before it was ready", s->svc->name,
             quire_proc_status_str(s->status, st, sizeof st));
    } else if (rc == 1) { /* the assertions judge what the services did meanwhile */
        rlog(c, "the simulator %s while %s started",
             quire_proc_status_str(c->bed.status[QUIRE_ROLE_SIM], st, sizeof st), s->svc->name);
    } else if (rc == QUIRE_ERR_TIMEOUT) {
        rlog(c, "%s: UDP port %u not bound within %u s", s->svc->name, port, s->svc->timeout_s);
    } else {
        return rc;
    }
    return 0;
}

typedef struct probe_arg {
    const char *ip4;
    unsigned port;
    int rc;
    uint64_t elapsed;
} probe_arg;

static int probe_fn(void *arg)
{
    probe_arg *a = arg;
    char addr[64];
    struct sockaddr_storage ss;
    socklen_t len;
    snprintf(addr, sizeof addr, "%s:%u", a->ip4, a->port);
    if (quire_probe_parse_addr(addr, &ss, &len)) return a->rc = QUIRE_ERR_INVALID;
    a->rc = quire_probe_wait(&ss, len, PROBE_MS, -1, &a->elapsed);
    return 0;
}

/* service_responsive: a QUIC probe from the client's network namespace while the server runs
 * (through the simulator); from the server's own when the client's is gone (a container's
 * ends with it). */
static void probe_service(rctx *c, quire_svc_run *s)
{
    s->probed = 1;
    if (!s->started || s->exited) {
        char st[96];
        snprintf(s->probe_detail, sizeof s->probe_detail, "%s",
                 !s->started ? "never started" : quire_proc_status_str(s->status, st, sizeof st));
        return;
    }
    probe_arg a = {.ip4 = c->server4, .port = service_port(s->svc)};
    char ns[128];
    const char *from = "the client's network";
    int rc = quire_bed_netns(&c->bed, QUIRE_ROLE_CLIENT, ns, sizeof ns);
    if (rc == QUIRE_ERR_NOTFOUND) {
        from = "the server's own network (the client's has ended)";
        rc = quire_bed_netns(&c->bed, QUIRE_ROLE_SERVER, ns, sizeof ns);
    }
    if (!rc) rc = quire_netns_run_in(ns, probe_fn, &a);
    if (rc < 0 || a.rc) {
        snprintf(s->probe_detail, sizeof s->probe_detail,
                 "no Version Negotiation answer to a "
                 "QUIC probe on %s:%u from %s within %d ms (%s)",
                 c->server4, a.port, from, PROBE_MS, quire_strerror(rc < 0 ? rc : a.rc));
    } else {
        s->responsive = 1;
        snprintf(s->probe_detail, sizeof s->probe_detail,
                 "answered a QUIC probe on %s:%u from %s with "
                 "Version Negotiation after %llu ms, %lld ms after start",
                 c->server4, a.port, from, (unsigned long long)a.elapsed,
                 quire_proc_now_ms() - s->start_ms);
    }
    rlog(c, "probe %s: %s", s->svc->name, s->probe_detail);
}

static int wants_probe(const quire_xtest *t, const quire_svc_run *s)
{
    for (size_t i = 0; i < t->nasserts; i++)
        if (t->asserts[i].kind == QUIRE_ASSERT_RESPONSIVE &&
            !strcmp(t->asserts[i].service, s->svc->name))
            return 1;
    return 0;
}

static void stop_service(rctx *c, quire_svc_run *s)
{
    if (!s->started) return;
    if (!s->probed && wants_probe(c->r->t, s)) probe_service(c, s);
    if (!s->exited) {
        int slow_exit = s->wraps[QUIRE_EXENV_MEMCHECK] || s->wraps[QUIRE_EXENV_HELGRIND] ||
                        s->wraps[QUIRE_EXENV_GPERF_CPU] || s->wraps[QUIRE_EXENV_GPERF_HEAP];
        quire_bed_stop(&c->bed, role_of(s), slow_exit ? VALGRIND_GRACE_MS : GRACE_MS);
        s->exited = 1;
        s->stopped = 1;
        s->status = c->bed.status[role_of(s)];
        s->end_ms = quire_proc_now_ms();
        char st[96];
        rlog(c, "stopped %s: %s", s->svc->name, quire_proc_status_str(s->status, st, sizeof st));
    }
}

static int wait_exit(rctx *c, quire_svc_run *s, unsigned timeout_s)
{
    if (!s->started || s->exited) return 0;
    long long left = s->start_ms + (long long)timeout_s * 1000 - quire_proc_now_ms();
    const quire_role role = role_of(s);
    size_t which;
    int rc = quire_bed_wait(&c->bed, &role, 1, left > 0 ? (int)left : 0, &which);
    if (rc == QUIRE_ERR_TIMEOUT) {
        rlog(c, "%s still running after %u s: stopping it", s->svc->name, timeout_s);
        s->timed_out = 1;
        stop_service(c, s);
        s->stopped = 0;
        return 0;
    }
    if (rc) return rc;
    s->exited = 1;
    s->status = c->bed.status[role];
    s->end_ms = quire_proc_now_ms();
    char st[96];
    rlog(c, "%s %s after %lld ms", s->svc->name, quire_proc_status_str(s->status, st, sizeof st),
         s->end_ms - s->start_ms);
    return 0;
}

static int run_command(rctx *c, const quire_step *st)
{
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/commands.log", c->r->dir);
    const char *argv[] = {"/bin/sh", "-c", st->command, NULL};
    /* on this machine, in the network of the role it names (or none: "host") */
    char nsb[128];
    const char *ns = NULL;
    int role = !strcmp(st->where, "client")   ? QUIRE_ROLE_CLIENT
               : !strcmp(st->where, "server") ? QUIRE_ROLE_SERVER
               : !strcmp(st->where, "sim")    ? QUIRE_ROLE_SIM
                                              : -1;
    if (role >= 0) {
        int rc = quire_bed_netns(&c->bed, (quire_role)role, nsb, sizeof nsb);
        if (rc) {
            rlog(c, "command (in %s) not run: no network of the %s (%s): %s", st->where,
                 st->where, quire_strerror(rc), st->command);
            return 0;
        }
        ns = nsb;
    }
    quire_proc p;
    quire_proc_opts po = {
        .argv = argv, .netns = ns, .output = out, .stdin_null = 1, .cwd = c->r->dir};
    rlog(c, "command (in %s): %s", st->where, st->command);
    int rc = quire_proc_spawn(&p, &po);
    if (rc) {
        rlog(c, "command failed to start: %s", p.err);
        return 0;
    }
    rc = quire_proc_wait(&p, (int)st->timeout_s * 1000);
    if (rc == QUIRE_ERR_TIMEOUT) rlog(c, "command still running after %u s: killed", st->timeout_s);
    if (!p.exited) quire_proc_kill(&p, 1000);
    char s[96];
    rlog(c, "command %s", quire_proc_status_str(p.status, s, sizeof s));
    quire_proc_release(&p);
    return rc == QUIRE_ERR_INTERRUPTED ? rc : 0;
}

static int run_steps(rctx *c)
{
    quire_xrun *r = c->r;
    const quire_xtest *t = r->t;
    int rc = 0;
    if (!t->nsteps) { /* the default: server, then client until it exits */
        quire_svc_run *srv = NULL, *cli = NULL;
        for (size_t i = 0; i < r->nsvc; i++) {
            if (r->svc[i].svc->role == QUIRE_PLUGIN_SERVER)
                srv = &r->svc[i];
            else
                cli = &r->svc[i];
        }
        if (srv && (rc = start_service(c, srv))) return rc;
        if (cli) {
            if ((rc = start_service(c, cli))) return rc;
            if ((rc = wait_exit(c, cli, cli->svc->timeout_s))) return rc;
        } else if ((rc = quire_proc_sleep(1000))) {
            return rc;
        }
        if (srv) stop_service(c, srv);
        return 0;
    }
    for (size_t i = 0; i < t->nsteps && !rc; i++) {
        const quire_step *st = &t->steps[i];
        quire_svc_run *s = st->service ? find_svc(r, st->service) : NULL;
        switch (st->kind) {
        case QUIRE_STEP_START:
            rc = start_service(c, s);
            break;
        case QUIRE_STEP_STOP:
            stop_service(c, s);
            break;
        case QUIRE_STEP_WAIT:
            rlog(c, "wait %llu ms", (unsigned long long)st->wait_ms);
            rc = quire_proc_sleep((int)st->wait_ms);
            break;
        case QUIRE_STEP_WAIT_EXIT:
            rc = wait_exit(c, s, s->svc->timeout_s);
            break;
        case QUIRE_STEP_COMMAND:
            rc = run_command(c, st);
            break;
        }
    }
    return rc;
}

static void teardown(rctx *c)
{
    quire_xrun *r = c->r;
    for (size_t i = r->nsvc; i-- > 0;) /* clients first */
        if (r->svc[i].svc->role == QUIRE_PLUGIN_CLIENT) stop_service(c, &r->svc[i]);
    for (size_t i = 0; i < r->nsvc; i++)
        stop_service(c, &r->svc[i]);
    if (quire_bed_running(&c->bed, QUIRE_ROLE_SIM)) quire_bed_stop(&c->bed, QUIRE_ROLE_SIM, 5000);
    quire_bed_destroy(&c->bed); /* also after a failed create: destroy frees the state */
}

/* perf record's profile as text next to perf.data (perf report, flat, top symbols). */
static void perf_report(rctx *c, const quire_svc_run *s)
{
    char data[sizeof s->dir + 16], out[sizeof s->dir + 16];
    snprintf(data, sizeof data, "%s/perf.data", s->dir);
    snprintf(out, sizeof out, "%s/perf.txt", s->dir);
    if (!quire_fs_exists(data)) return;
    const char *argv[] = {"perf",   "report",     "-i",
                          data,     "--stdio",    "--no-children",
                          "--sort", "dso,symbol", "--percent-limit",
                          "1",      "-g",         "none",
                          NULL};
    quire_proc p;
    quire_proc_opts po = {.argv = argv, .output = out, .stdin_null = 1};
    if (quire_proc_spawn(&p, &po)) {
        rlog(c, "perf report: %s", p.err);
        return;
    }
    if (quire_proc_wait(&p, 30000)) quire_proc_kill(&p, 1000);
    quire_proc_release(&p);
}

/* The test bed of the test's network environment: containers for docker_compose (their
 * images must exist), network namespaces otherwise; then the server's addresses. */
static int create_bed(rctx *c, const char *run_id, unsigned n)
{
    quire_xrun *r = c->r;
    char why[512];
    if (r->t->containers) {
        c->ccfg.engine = getenv("QUIRE_ENGINE");
        const char *e = c->ccfg.engine ? c->ccfg.engine : "docker";
        static const char *const images[] = {QUIRE_CONTAINER_SIM_IMAGE, QUIRE_BACKEND_HOST_IMAGE};
        int rc = quire_container_available(c->ccfg.engine, why, sizeof why);
        if (rc) {
            snprintf(r->error, sizeof r->error, "docker_compose: %s", why);
            return rc;
        }
        for (size_t i = 0; i < 2; i++)
            if (!quire_container_image_exists(e, images[i])) {
                snprintf(r->error, sizeof r->error,
                         "docker_compose: image %s missing in %s (build it: quire image build "
                         "sim host)",
                         images[i], e);
                return QUIRE_ERR_NOTFOUND;
            }
    }
    quire_testbed_spec ts = {.run_id = run_id,
                             .n = n,
                             .cfg = r->t->containers ? &c->ccfg : NULL,
                             .hosts_file = c->hosts,
                             .with_sim = 1};
    int rc = quire_bed_create(&c->bed, &ts, why, sizeof why);
    quire_bed *b = &c->bed;
    if (!rc && ((rc = quire_bed_address(b, QUIRE_ROLE_SERVER, 0, c->server4, sizeof c->server4)) ||
                (rc = quire_bed_address(b, QUIRE_ROLE_SERVER, 1, c->server6, sizeof c->server6))))
        snprintf(why, sizeof why, "no server address: %s", quire_strerror(rc));
    if (rc)
        snprintf(r->error, sizeof r->error, "%s test bed: %s", b->be->name, why);
    else
        rlog(c, "%s test bed, server %s and %s", b->be->name, c->server4, c->server6);
    return rc;
}

static int run_one(const quire_xrun_opts *o, const char *run_id, unsigned n, quire_xrun *r)
{
    rctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.r = r;
    quire_bed_init(&c.bed, r->t->containers ? &quire_backend_container : &quire_backend_netns,
                   o->verbose, "quire experiment: ");
    long long t0 = quire_proc_now_ms();
    int rc = setup_dirs(&c);
    if (!rc) {
        rlog(&c, "run %s (%s)", r->rel, r->label);
        rc = create_bed(&c, run_id, n);
    }
    if (!rc) rc = start_sim(&c);
    if (!rc) rc = run_steps(&c);
    teardown(&c);
    r->duration_s = (double)(quire_proc_now_ms() - t0) / 1000.0;
    if (rc == QUIRE_ERR_INTERRUPTED) { /* not judged: reported as skipped, with the reason */
        r->skipped = 1;
        snprintf(r->error, sizeof r->error, "interrupted by a signal (SIGINT/SIGTERM)");
        rlog(&c, "%s", r->error);
        quire_bed_close(&c.bed);
        return rc;
    }
    if (rc && !r->error[0]) snprintf(r->error, sizeof r->error, "%s", quire_strerror(rc));
    quire_assert_evaluate(r);
    for (size_t i = 0; i < r->nsvc; i++)
        if (r->svc[i].started) {
            if (r->svc[i].wraps[QUIRE_EXENV_PERF]) perf_report(&c, &r->svc[i]);
            char note[300];
            if (quire_xprof_report(r->svc[i].logs, r->svc[i].wraps, note, sizeof note))
                rlog(&c, "%s: %s", r->svc[i].svc->name, note);
        }
    if (!o->keep) { /* the served and downloaded bytes are judged; logs and captures stay */
        quire_fs_remove_tree(r->www);
        quire_fs_remove_tree(r->downloads);
        quire_fs_remove_tree(r->certs);
        for (size_t i = 0; i < r->nsvc; i++) {
            char empty[sizeof r->svc[i].dir + 16];
            snprintf(empty, sizeof empty, "%s/empty-www", r->svc[i].dir);
            quire_fs_remove_tree(empty);
        }
    }
    rlog(&c, "done in %.1f s%s%s", r->duration_s, r->error[0] ? ": " : "", r->error);
    quire_bed_close(&c.bed);
    return 0;
}

int quire_experiment_run(const quire_experiment *x, const quire_xrun_opts *o, quire_xrun **runs,
                         size_t *nruns)
{
    *runs = NULL;
    *nruns = 0;
    size_t total = 0;
    for (size_t i = 0; i < x->ntests; i++)
        total += x->tests[i].scenarios.n * x->tests[i].iterations;
    quire_xrun *rs = calloc(total ? total : 1, sizeof *rs);
    if (!rs) return QUIRE_ERR_NOMEM;
    char run_id[QUIRE_RUN_ID_MAX + 1];
    int rc = quire_run_id_make(run_id, sizeof run_id);
    if (!rc) rc = quire_run_begin(run_id);
    if (rc) {
        free(rs);
        return rc;
    }
    quire_proc_signals_install();
    size_t k = 0;
    unsigned tbn = 0;
    for (size_t i = 0; i < x->ntests && !rc; i++) {
        const quire_xtest *t = &x->tests[i];
        char ts[80];
        slug(t->name, ts, sizeof ts);
        for (size_t p = 0; p < t->scenarios.n && !rc; p++)
            for (unsigned it = 0; it < t->iterations && !rc; it++) {
                quire_xrun *r = &rs[k++];
                r->t = t;
                r->point = p;
                r->iteration = it + 1;
                r->handshake_ms = r->ttfb_ms = r->goodput_bps = -1;
                if (t->sweep_var)
                    snprintf(r->label, sizeof r->label, "%s=%s #%u", t->sweep_var, t->sweep.s[p],
                             it + 1);
                else
                    snprintf(r->label, sizeof r->label, "#%u", it + 1);
                if (t->sweep_var)
                    snprintf(r->rel, sizeof r->rel, "%s/%s-%s/%u", ts, t->sweep_var, t->sweep.s[p],
                             it + 1);
                else
                    snprintf(r->rel, sizeof r->rel, "%s/%u", ts, it + 1);
                snprintf(r->dir, sizeof r->dir, "%s/%s", o->out_dir, r->rel);
                r->verdicts = calloc(t->nasserts ? t->nasserts : 1, sizeof *r->verdicts);
                r->nsvc =
                    t->nservices < QUIRE_XRUN_MAX_SERVICES ? t->nservices : QUIRE_XRUN_MAX_SERVICES;
                for (size_t s = 0; s < r->nsvc; s++) {
                    r->svc[s].svc = &t->services[s];
                    for (size_t e = 0; e < t->nenvs; e++)
                        if (quire_exenv_applies(&t->envs[e], t->services[s].name)) {
                            r->svc[s].wraps[t->envs[e].kind] = 1;
                            if (t->envs[e].suppressions)
                                r->svc[s].suppressions = t->envs[e].suppressions;
                        }
                    char why[300];
                    if (!r->skipped &&
                        !quire_plugin_available(t->services[s].plugin, t->services[s].version, why,
                                                sizeof why)) {
                        r->skipped = 1;
                        snprintf(r->error, sizeof r->error, "%s (%s) not available here: %s",
                                 t->services[s].name, t->services[s].plugin->name, why);
                    }
                }
                if (r->skipped) { /* said once per test, or every run with -v */
                    if (o->verbose || (p == 0 && it == 0))
                        fprintf(stderr, "quire experiment: %s %s: skipped: %s\n", t->name, r->label,
                                r->error);
                    continue;
                }
                fprintf(stderr, "quire experiment: %s %s ...\n", t->name, r->label);
                rc = run_one(o, run_id, tbn++, r);
            }
    }
    quire_run_end(run_id);
    *runs = rs;
    *nruns = k;
    return rc;
}

void quire_xruns_free(quire_xrun *runs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t f = 0; f < runs[i].nfiles; f++)
            free(runs[i].files[f]);
        free(runs[i].files);
        free(runs[i].verdicts);
    }
    free(runs);
}
