/* The experiment runner (see runner.h). */
#include "experiment/runner.h"
#include "experiment/profile.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/netns.h"
#include "experiment/assert.h"
#include "experiment/render.h"
#include "run/certs.h"
#include "run/files.h"
#include "sim/probe.h"
#include "sim/simargv.h"
#include "util/err.h"
#include "util/fs.h"

#define SIM_READY_MS 10000
#define GRACE_MS 3000
#define VALGRIND_GRACE_MS 15000 /* valgrind's report, gperftools' profiles: written at exit */
#define PROBE_MS 3000

typedef struct rctx {
    const quire_xrun_opts *o;
    quire_xrun *r;
    quire_netns_testbed tb;
    int have_tb;
    quire_proc sim;
    int have_sim;
    char hosts[PATH_MAX];
    char log[PATH_MAX];
} rctx;

static void rlog(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rlog(rctx *c, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    FILE *f = fopen(c->log, "a");
    if (f) {
        fprintf(f, "[%lld] %s\n", quire_proc_now_ms(), msg);
        fclose(f);
    }
    if (c->o->verbose) fprintf(stderr, "quire experiment: %s\n", msg);
}

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
    snprintf(c->log, sizeof c->log, "%s/runner.log", r->dir);
    if (mkdir_p(r->www) || mkdir_p(r->downloads) || mkdir_p(r->certs) || mkdir_p(r->sim)) {
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
    if (quire_netns_write_hosts(c->hosts)) {
        snprintf(r->error, sizeof r->error, "cannot write %.900s", c->hosts);
        return QUIRE_ERR_IO;
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

static int start_sim(rctx *c)
{
    quire_xrun *r = c->r;
    char ready[PATH_MAX], words[600];
    snprintf(ready, sizeof ready, "%s/sim.ready", r->dir);
    quire_sim_args sa = {.exe = c->o->quire_exe,
                         .seed = c->o->seed + r->iteration,
                         .pcap_dir = r->sim,
                         .ready_file = ready,
                         .left_if = QUIRE_NETNS_SIM_LEFT_IFNAME,
                         .right_if = QUIRE_NETNS_SIM_RIGHT_IFNAME,
                         .scenario = r->t->scenarios.s[r->point]};
    const char *argv[48];
    if (quire_sim_argv(&sa, argv, sizeof argv / sizeof argv[0], words, sizeof words) < 0) {
        snprintf(r->error, sizeof r->error, "the scenario is too long for the simulator: %.200s",
                 sa.scenario);
        return QUIRE_ERR_INVALID;
    }
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/sim/output.txt", r->dir);
    quire_proc_opts po = {
        .argv = argv,
        .netns = quire_netns_testbed_name(&c->tb, QUIRE_ROLE_SIM),
        .output = out,
        .stdin_null = 1,
    };
    rlog(c, "simulator: %s", r->t->scenarios.s[r->point]);
    int rc = quire_proc_spawn(&c->sim, &po);
    if (rc) {
        snprintf(r->error, sizeof r->error, "cannot start the simulator: %s", c->sim.err);
        return rc;
    }
    c->have_sim = 1;
    long long deadline = quire_proc_now_ms() + SIM_READY_MS;
    while (!quire_fs_exists(ready)) {
        if (quire_proc_now_ms() > deadline) {
            snprintf(r->error, sizeof r->error,
                     "the simulator was not ready within %d s "
                     "(see sim/output.txt)",
                     SIM_READY_MS / 1000);
            return QUIRE_ERR_TIMEOUT;
        }
        if (quire_proc_wait(&c->sim, 20) == 0) {
            snprintf(r->error, sizeof r->error,
                     "the simulator exited at start "
                     "(see sim/output.txt)");
            return QUIRE_ERR_IO;
        }
        if (quire_proc_interrupted()) return QUIRE_ERR_INTERRUPTED;
    }
    return 0;
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
    quire_vars_set(b, "server_ip4", QUIRE_NETNS_SERVER_IP4);
    quire_vars_set(b, "server_ip6", QUIRE_NETNS_SERVER_IP6);
    quire_vars_set(b, "server_host", QUIRE_NETNS_SERVER_IP4);
    quire_vars_set(b, "testcase", r->t->testcase);
    quire_vars_set(b, "service", s->svc->name);
    free(req);
}

/* The execution environments' wrappers, outermost first; their output goes to /logs. */
size_t quire_xrun_wrap(const quire_svc_run *s, const char **argv, char *supp, size_t supplen)
{
    size_t n = 0;
    int valgrind = s->wraps[QUIRE_EXENV_MEMCHECK] || s->wraps[QUIRE_EXENV_HELGRIND];
    if (s->wraps[QUIRE_EXENV_GPERF_CPU] || s->wraps[QUIRE_EXENV_GPERF_HEAP] ||
        s->wraps[QUIRE_EXENV_GDB]) /* env and gdb first: perf/strace see the real program */
        n += quire_xprof_wrap(s->wraps, argv + n, supp + supplen / 2, supplen - supplen / 2);
    supplen /= 2; /* the first half for --suppressions=, the second for LD_PRELOAD= */
    if (s->wraps[QUIRE_EXENV_PERF]) {
        static const char *const w[] = {"perf", "record",          "-q", "-g",
                                        "-o",   "/logs/perf.data", "--"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    if (s->wraps[QUIRE_EXENV_STRACE]) {
        static const char *const w[] = {"strace", "-f", "-tt", "-o", "/logs/strace.log", "--"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    if (s->wraps[QUIRE_EXENV_MEMCHECK]) {
        static const char *const w[] = {"valgrind",
                                        "--vgdb=no",
                                        "--tool=memcheck",
                                        "--leak-check=full",
                                        "--show-leak-kinds=definite,indirect",
                                        "--errors-for-leak-kinds=definite,indirect",
                                        "--xml=yes",
                                        "--xml-file=/logs/memcheck.xml",
                                        "--log-file=/logs/memcheck.log"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    } else if (s->wraps[QUIRE_EXENV_HELGRIND]) {
        static const char *const w[] = {"valgrind",
                                        "--vgdb=no",
                                        "--tool=helgrind",
                                        "--xml=yes",
                                        "--xml-file=/logs/helgrind.xml",
                                        "--log-file=/logs/helgrind.log"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    if (valgrind && s->suppressions) {
        snprintf(supp, supplen, "--suppressions=%s", s->suppressions);
        argv[n++] = supp;
    }
    return n;
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
    char path_env[1200], home_env[600];
    const char *path = getenv("PATH"), *home = getenv("HOME");
    snprintf(path_env, sizeof path_env, "PATH=%s", path ? path : "/usr/local/bin:/usr/bin:/bin");
    snprintf(home_env, sizeof home_env, "HOME=%s", home ? home : "/root");
    size_t ne = 0;
    envp[ne++] = path_env;
    envp[ne++] = home_env;
    for (size_t i = 0; i < cmd.nenv; i++)
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
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/output.txt", s->dir);
    quire_proc_opts po = {
        .argv = argv,
        .envp = envp,
        .cwd = s->svc->plugin->dir,
        .netns = quire_netns_testbed_name(&c->tb, server ? QUIRE_ROLE_SERVER : QUIRE_ROLE_CLIENT),
        .new_mountns = 1,
        .mounts = mounts,
        .nmounts = sizeof mounts / sizeof mounts[0],
        .hosts_file = c->hosts,
        .new_pidns = 1,
        .output = out,
        .stdin_null = 1,
    };
    rlog(c, "start %s (%s %s, %s): %s", s->svc->name, s->svc->plugin->name, s->svc->version->name,
         server ? "server" : "client", s->command);
    rc = quire_proc_spawn(&s->proc, &po);
    free(argv);
    free(envp);
    quire_cmd_free(&cmd);
    if (rc) {
        snprintf(r->error, sizeof r->error, "cannot start %s: %s", s->svc->name, s->proc.err);
        return rc;
    }
    s->started = 1;
    s->start_ms = quire_proc_now_ms();
    if (!server) return 0;
    /* A server is ready when its UDP port is bound (or it exits: then the steps go on and
     * the assertions say what happened). */
    unsigned port = service_port(s->svc);
    long long deadline = s->start_ms + (long long)s->svc->timeout_s * 1000;
    while (quire_proc_now_ms() < deadline) {
        if (quire_netns_udp_bound(s->proc.pid, port)) {
            s->ready = 1;
            rlog(c, "%s ready after %lld ms (UDP port %u bound)", s->svc->name,
                 quire_proc_now_ms() - s->start_ms, port);
            return 0;
        }
        rc = quire_proc_wait(&s->proc, 20);
        if (rc == 0) {
            s->exited = 1;
            s->status = s->proc.status;
            s->end_ms = quire_proc_now_ms();
            char st[96];
            rlog(c, "%s %s before it was ready", s->svc->name,
                 quire_proc_status_str(s->status, st, sizeof st));
            return 0;
        }
        if (rc == QUIRE_ERR_INTERRUPTED) return rc;
    }
    rlog(c, "%s: UDP port %u not bound within %u s", s->svc->name, port, s->svc->timeout_s);
    return 0;
}

typedef struct probe_arg {
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
    snprintf(addr, sizeof addr, "%s:%u", QUIRE_NETNS_SERVER_IP4, a->port);
    if (quire_probe_parse_addr(addr, &ss, &len)) return a->rc = QUIRE_ERR_INVALID;
    a->rc = quire_probe_wait(&ss, len, PROBE_MS, -1, &a->elapsed);
    return 0;
}

/* service_responsive: a QUIC probe from the client's namespace, while the server runs. */
static void probe_service(rctx *c, quire_svc_run *s)
{
    s->probed = 1;
    if (!s->started || s->exited) {
        char st[96];
        snprintf(s->probe_detail, sizeof s->probe_detail, "%s",
                 !s->started ? "never started" : quire_proc_status_str(s->status, st, sizeof st));
        return;
    }
    probe_arg a = {.port = service_port(s->svc)};
    int rc = quire_netns_run_in(quire_netns_testbed_name(&c->tb, QUIRE_ROLE_CLIENT), probe_fn, &a);
    if (rc < 0 || a.rc) {
        snprintf(s->probe_detail, sizeof s->probe_detail,
                 "no Version Negotiation answer to a "
                 "QUIC probe on %s:%u within %d ms (%s)",
                 QUIRE_NETNS_SERVER_IP4, a.port, PROBE_MS, quire_strerror(rc < 0 ? rc : a.rc));
    } else {
        s->responsive = 1;
        snprintf(s->probe_detail, sizeof s->probe_detail,
                 "answered a QUIC probe on %s:%u with "
                 "Version Negotiation after %llu ms, %lld ms after start",
                 QUIRE_NETNS_SERVER_IP4, a.port, (unsigned long long)a.elapsed,
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
        quire_proc_kill(&s->proc, slow_exit ? VALGRIND_GRACE_MS : GRACE_MS);
        s->exited = 1;
        s->stopped = 1;
        s->status = s->proc.status;
        s->end_ms = quire_proc_now_ms();
        char st[96];
        rlog(c, "stopped %s: %s", s->svc->name, quire_proc_status_str(s->status, st, sizeof st));
    }
}

static int wait_exit(rctx *c, quire_svc_run *s, unsigned timeout_s)
{
    if (!s->started || s->exited) return 0;
    long long left = s->start_ms + (long long)timeout_s * 1000 - quire_proc_now_ms();
    int rc = quire_proc_wait(&s->proc, left > 0 ? (int)left : 0);
    if (rc == QUIRE_ERR_INTERRUPTED) return rc;
    if (rc == QUIRE_ERR_TIMEOUT) {
        rlog(c, "%s still running after %u s: stopping it", s->svc->name, timeout_s);
        s->timed_out = 1;
        stop_service(c, s);
        s->stopped = 0;
        return 0;
    }
    s->exited = 1;
    s->status = s->proc.status;
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
    const char *ns = NULL;
    if (!strcmp(st->where, "client"))
        ns = quire_netns_testbed_name(&c->tb, QUIRE_ROLE_CLIENT);
    else if (!strcmp(st->where, "server"))
        ns = quire_netns_testbed_name(&c->tb, QUIRE_ROLE_SERVER);
    else if (!strcmp(st->where, "sim"))
        ns = quire_netns_testbed_name(&c->tb, QUIRE_ROLE_SIM);
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
    for (size_t i = 0; i < r->nsvc; i++)
        if (r->svc[i].started) quire_proc_release(&r->svc[i].proc);
    if (c->have_sim) {
        quire_proc_kill(&c->sim, 5000);
        quire_proc_release(&c->sim);
        c->have_sim = 0;
    }
    if (c->have_tb) {
        int rc = quire_netns_testbed_destroy(&c->tb);
        if (rc) rlog(c, "testbed teardown: %s", quire_strerror(rc));
        c->have_tb = 0;
    }
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

static int run_one(const quire_xrun_opts *o, const char *run_id, unsigned n, quire_xrun *r)
{
    rctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.r = r;
    long long t0 = quire_proc_now_ms();
    int rc = setup_dirs(&c);
    if (!rc) {
        rlog(&c, "run %s (%s)", r->rel, r->label);
        rc = quire_netns_testbed_create(&c.tb, run_id, n);
        if (rc)
            snprintf(r->error, sizeof r->error, "cannot create the testbed: %s",
                     quire_strerror(rc));
        else
            c.have_tb = 1;
    }
    if (!rc) rc = start_sim(&c);
    if (!rc) rc = run_steps(&c);
    teardown(&c);
    r->duration_s = (double)(quire_proc_now_ms() - t0) / 1000.0;
    if (rc == QUIRE_ERR_INTERRUPTED) { /* not judged: reported as skipped, with the reason */
        r->skipped = 1;
        snprintf(r->error, sizeof r->error, "interrupted by a signal (SIGINT/SIGTERM)");
        rlog(&c, "%s", r->error);
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
    char run_id[QUIRE_NETNS_RUN_ID_MAX + 1];
    int rc = quire_netns_run_id_make(run_id, sizeof run_id);
    if (!rc) rc = quire_netns_run_begin(run_id);
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
    quire_netns_run_end(run_id);
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
