/* One test, start to end (see lifecycle.h). */
#include "run/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/container.h"
#include "backend/netns.h"
#include "run/captures.h"
#include "run/certs.h"
#include "run/files.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

#define SERVER_GRACE_MS 1000
#define SIM_GRACE_MS 3000
#define MAX_FILES 4096

typedef struct test {
    const quire_lifecycle_opts *o;
    unsigned timeout_s;
    char dir[4096]; /* test directory */
    char rel[400];  /* relative to log_dir */
    char output[4200];
    /* QIR's four file directories (docker-compose.yml's mounts, interop.py's -f copies) */
    char www[4200], downloads[4200], client_www[4200], server_downloads[4200];
    char certs[4200], hosts[4200], ready[4200];
    char server_logs[4200], client_logs[4200], sim_logs[4200];
    char **files;
    size_t nfiles;
    char *requests;
    int log_fd;
    long long t0;
    quire_netns_testbed tb;
    int have_tb;
    quire_container_testbed ctb; /* the container backend's */
    quire_proc sim, server, client;
    int have_sim, have_server, have_client;
    quire_exit server_exit, client_exit;
    uint64_t end_ns; /* CLOCK_REALTIME when the client or the server ended the test */
    char sim_problem[256];
} test;

static void tlog(test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tlog(test *t, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03ld quire: ", ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    if (t->log_fd >= 0 && write(t->log_fd, line, len) < 0) {
        /* the log is best effort: a full disk must not end the run here */
    }
    if (t->o->debug && write(2, line, len) < 0) {
    }
}

static int mkdirs(test *t)
{
    const quire_lifecycle_opts *o = t->o;
    snprintf(t->rel, sizeof t->rel, "%s_%s/%s", o->server->name, o->client->name, o->tc->name);
    if (o->repetition) /* measurements (as QIR) and --repeat: one directory per run */
        snprintf(t->rel + strlen(t->rel), sizeof t->rel - strlen(t->rel), "/%u", o->repetition);
    snprintf(t->dir, sizeof t->dir, "%s/%s", o->log_dir, t->rel);
    snprintf(t->output, sizeof t->output, "%s/output.txt", t->dir);
    snprintf(t->server_logs, sizeof t->server_logs, "%s/server", t->dir);
    snprintf(t->client_logs, sizeof t->client_logs, "%s/client", t->dir);
    snprintf(t->sim_logs, sizeof t->sim_logs, "%s/sim", t->dir);
    snprintf(t->www, sizeof t->www, "%s/server_www", t->dir);
    snprintf(t->client_www, sizeof t->client_www, "%s/client_www", t->dir);
    snprintf(t->downloads, sizeof t->downloads, "%s/client_downloads", t->dir);
    snprintf(t->server_downloads, sizeof t->server_downloads, "%s/server_downloads", t->dir);
    snprintf(t->certs, sizeof t->certs, "%s/certs", t->dir);
    snprintf(t->hosts, sizeof t->hosts, "%s/hosts", t->dir);
    snprintf(t->ready, sizeof t->ready, "%s/sim/.ready", t->dir);
    const char *dirs[] = {t->server_logs, t->client_logs, t->sim_logs,         t->www,
                          t->client_www,  t->downloads,   t->server_downloads, t->certs};
    /* a test directory exists only when --resume re-runs an interrupted test: start afresh */
    if (quire_fs_exists(t->dir)) quire_fs_remove_tree(t->dir);
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        int rc = quire_fs_mkdir_p(dirs[i], 0755);
        if (rc) return rc;
    }
    t->log_fd = open(t->output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return t->log_fd < 0 ? QUIRE_ERR_IO : 0;
}

/* Renames www/<name> to a random name of exactly len characters (QIR's zerortt uses 250, so
 * the requests do not fit in a little 1-RTT data). name must hold len + 1 bytes. */
static int lengthen_name(const char *www, char *name, size_t namecap, size_t len)
{
    char longer[512], slug[64], from[4800], to[4800];
    if (len >= sizeof longer || len >= namecap) return QUIRE_ERR_INVALID;
    size_t n = 0;
    while (n < len) {
        int rc = quire_files_slug(slug, sizeof slug);
        if (rc) return rc;
        n += (size_t)snprintf(longer + n, sizeof longer - n, "%s%s", n ? "-" : "", slug);
        if (n >= sizeof longer - 1) break;
    }
    longer[len] = 0;
    snprintf(from, sizeof from, "%s/%s", www, name);
    snprintf(to, sizeof to, "%s/%s", www, longer);
    if (rename(from, to)) return QUIRE_ERR_IO;
    memcpy(name, longer, len + 1);
    return 0;
}

static int make_files(test *t, char *why, size_t whylen)
{
    const quire_testcase *tc = t->o->tc;
    size_t n = quire_testcase_nfiles(tc);
    if (n > MAX_FILES) n = MAX_FILES;
    t->files = calloc(n + 1, sizeof *t->files);
    if (!t->files) return QUIRE_ERR_NOMEM;
    for (size_t g = 0; g < QUIRE_TESTCASE_MAX_FILE_GROUPS && tc->files[g].count; g++) {
        for (uint32_t k = 0; k < tc->files[g].count && t->nfiles < n; k++) {
            char name[512];
            int rc = quire_files_generate(t->www, tc->files[g].size, name, sizeof name);
            if (!rc && tc->name_len) rc = lengthen_name(t->www, name, sizeof name, tc->name_len);
            if (rc) {
                snprintf(why, whylen, "cannot generate a www file in %.200s: %s", t->www,
                         quire_strerror(rc));
                return rc;
            }
            if (!(t->files[t->nfiles++] = strdup(name))) return QUIRE_ERR_NOMEM;
            tlog(t, "generated random file %s of %llu bytes", name,
                 (unsigned long long)tc->files[g].size);
        }
    }
    const char *host = tc->host ? tc->host : "server4";
    size_t len = 64;
    for (size_t i = 0; i < t->nfiles; i++)
        len += strlen(t->files[i]) + 32;
    if (!(t->requests = malloc(len))) return QUIRE_ERR_NOMEM;
    size_t off = 0;
    t->requests[0] = 0;
    for (size_t i = 0; i < t->nfiles; i++)
        off += (size_t)snprintf(t->requests + off, len - off, "%shttps://%s:443/%s", i ? " " : "",
                                host, t->files[i]);
    if (t->nfiles == 0) /* versionnegotiation: QIR requests the root, no file */
        snprintf(t->requests, len, "https://%s:443/", host);
    return 0;
}

static int start_endpoint(test *t, const char *role, quire_proc *p, char *why, size_t whylen)
{
    const quire_impl *im = !strcmp(role, "server") ? t->o->server : t->o->client;
    int server = !strcmp(role, "server");
    /* The contract's variables, and PATH/HOME so that run_endpoint scripts work. */
    char env[11][4200];
    const char *envp[13];
    size_t n = 0;
    const char *path = getenv("PATH"), *home = getenv("HOME");
    snprintf(env[n++], sizeof env[0], "PATH=%s", path ? path : "/usr/local/bin:/usr/bin:/bin");
    snprintf(env[n++], sizeof env[0], "HOME=%s", home ? home : "/root");
    snprintf(env[n++], sizeof env[0], "ROLE=%s", role);
    snprintf(env[n++], sizeof env[0], "TESTCASE=%s",
             server ? t->o->tc->testcase_server : t->o->tc->testcase_client);
    snprintf(env[n++], sizeof env[0], "SSLKEYLOGFILE=/logs/keys.log");
    snprintf(env[n++], sizeof env[0], "QLOGDIR=/logs/qlog/");
    if (t->o->alpn) snprintf(env[n++], sizeof env[0], "QUIRE_ALPN=%s", t->o->alpn);
    /* QIR's docker-compose.yml hands CRON and SERVER_PARAMS / CLIENT_PARAMS through from the
     * runner's environment (empty when unset); PROTOCOLS is WebTransport's, empty for QUIC. */
    const char *cron = getenv("CRON"), *params = getenv(server ? "SERVER_PARAMS" : "CLIENT_PARAMS");
    snprintf(env[n++], sizeof env[0], "CRON=%s", cron ? cron : "");
    snprintf(env[n++], sizeof env[0], "%s=%s", server ? "SERVER_PARAMS" : "CLIENT_PARAMS",
             params ? params : "");
    snprintf(env[n++], sizeof env[0], "PROTOCOLS=");
    for (size_t i = 0; i < n; i++)
        envp[i] = env[i];
    /* REQUESTS can be long (multiplexing: 2000 URLs); the server's is QIR's REQUESTS_SERVER,
     * get_paths_server(), empty for every QUIC test case */
    size_t len = (server ? 0 : strlen(t->requests)) + 16;
    char *req = malloc(len);
    if (!req) return QUIRE_ERR_NOMEM;
    snprintf(req, len, "REQUESTS=%s", server ? "" : t->requests);
    envp[n++] = req;
    envp[n] = NULL;
    char exe[4200];
    snprintf(exe, sizeof exe, "%s/run_endpoint", im->path);
    const char *argv[] = {exe, NULL};
    quire_proc_mount mounts[] = {
        {server ? t->www : t->client_www, "/www", 1},
        {t->certs, "/certs", 1},
        {server ? t->server_downloads : t->downloads, "/downloads", 0},
        {server ? t->server_logs : t->client_logs, "/logs", 0},
    };
    quire_proc_opts po = {
        .argv = argv,
        .envp = envp,
        .cwd = im->path,
        .netns = quire_netns_testbed_name(&t->tb, server ? QUIRE_ROLE_SERVER : QUIRE_ROLE_CLIENT),
        .new_mountns = 1,
        .mounts = mounts,
        .nmounts = sizeof mounts / sizeof mounts[0],
        .hosts_file = t->hosts,
        .new_pidns = 1,
        .output = t->output,
        .stdin_null = 1,
    };
    tlog(t, "starting %s %s: %s (TESTCASE=%s%s%s%s%s%s%s)", role, im->name,
         t->o->container ? im->image : exe,
         server ? t->o->tc->testcase_server : t->o->tc->testcase_client,
         t->o->alpn ? ", QUIRE_ALPN=" : "", t->o->alpn ? t->o->alpn : "",
         cron && *cron ? ", CRON=" : "", cron && *cron ? cron : "",
         params && *params ? (server ? ", SERVER_PARAMS=" : ", CLIENT_PARAMS=") : "",
         params && *params ? params : "");
    if (!server) tlog(t, "REQUESTS=%s", t->requests);
    int rc;
    if (t->o->container) {
        quire_container_spec cs = {
            .role = server ? QUIRE_ROLE_SERVER : QUIRE_ROLE_CLIENT,
            .image = im->image,
            .env = envp + 2, /* the image's own PATH and HOME */
            .mounts = mounts,
            .nmounts = sizeof mounts / sizeof mounts[0],
            .output = t->output,
        };
        rc = quire_container_start(&t->ctb, &cs, p, why, whylen);
        free(req);
        if (rc) tlog(t, "%s", why);
        return rc;
    }
    rc = quire_proc_spawn(p, &po);
    free(req);
    if (rc) {
        snprintf(why, whylen, "cannot start the %s: %s", role, p->err);
        tlog(t, "%s", why);
    }
    return rc;
}

/* The simulator image runs `quire sim ARGS LEFT RIGHT $SCENARIO` (images/sim-entry.sh). */
static int start_sim_container(test *t, char *why, size_t whylen)
{
    const quire_lifecycle_opts *o = t->o;
    const quire_container_addrs *a = &t->ctb.addrs;
    char seed[32], w4[80], w6[96], scen[600];
    snprintf(seed, sizeof seed, "%llu", o->seed);
    snprintf(w4, sizeof w4, "%s:443", a->server4);
    snprintf(w6, sizeof w6, "[%s]:443", a->server6);
    snprintf(scen, sizeof scen, "SCENARIO=%s", o->tc->scenario);
    const char *args[12] = {"--seed", seed, "--pcap-dir", "/logs", "--ready-file", "/logs/.ready"};
    size_t n = 6;
    args[n++] = "--wait-server";
    args[n++] = w4;
    args[n++] = "--wait-server";
    args[n++] = w6;
    if (o->sim_kernel) args[n++] = "--kernel";
    args[n] = NULL;
    const char *env[] = {scen, NULL};
    quire_proc_mount mounts[] = {{t->sim_logs, "/logs", 0}};
    quire_container_spec cs = {
        .role = QUIRE_ROLE_SIM,
        .image = o->container->sim_image ? o->container->sim_image : QUIRE_CONTAINER_SIM_IMAGE,
        .env = env,
        .mounts = mounts,
        .nmounts = 1,
        .args = args,
        .output = t->output,
    };
    tlog(t, "starting the simulator container %s: scenario %s%s", cs.image, o->tc->scenario,
         o->sim_kernel ? " (kernel forwarding)" : "");
    return quire_container_start(&t->ctb, &cs, &t->sim, why, whylen);
}

static int start_sim(test *t, char *why, size_t whylen)
{
    const quire_lifecycle_opts *o = t->o;
    const char *argv[64];
    size_t n = 0;
    char seed[32], scen[512];
    snprintf(seed, sizeof seed, "%llu", o->seed);
    argv[n++] = o->sim_exe;
    argv[n++] = "sim";
    argv[n++] = "--seed";
    argv[n++] = seed;
    argv[n++] = "--pcap-dir";
    argv[n++] = t->sim_logs;
    argv[n++] = "--ready-file";
    argv[n++] = t->ready;
    argv[n++] = "--wait-server";
    argv[n++] = QUIRE_NETNS_SERVER_IP4 ":443";
    argv[n++] = "--wait-server";
    argv[n++] = "[" QUIRE_NETNS_SERVER_IP6 "]:443";
    if (o->sim_kernel) argv[n++] = "--kernel";
    argv[n++] = QUIRE_NETNS_SIM_LEFT_IFNAME;
    argv[n++] = QUIRE_NETNS_SIM_RIGHT_IFNAME;
    snprintf(scen, sizeof scen, "%s", o->tc->scenario);
    char *save = NULL;
    for (char *tok = strtok_r(scen, " ", &save); tok && n < 62; tok = strtok_r(NULL, " ", &save))
        argv[n++] = tok;
    argv[n] = NULL;
    if (o->container) return start_sim_container(t, why, whylen);
    quire_proc_opts po = {
        .argv = argv,
        .netns = quire_netns_testbed_name(&t->tb, QUIRE_ROLE_SIM),
        .output = t->output,
        .stdin_null = 1,
    };
    tlog(t, "starting the simulator: scenario %s%s", o->tc->scenario,
         o->sim_kernel ? " (kernel forwarding)" : "");
    int rc = quire_proc_spawn(&t->sim, &po);
    if (rc) snprintf(why, whylen, "cannot start the simulator: %s", t->sim.err);
    return rc;
}

static void record_exit(quire_proc *p, quire_exit *e, quire_exit_kind stopped_kind, int stopped)
{
    int sig = 0;
    if (stopped) {
        e->kind = stopped_kind;
        e->code = quire_proc_exit_code(p->status);
    } else if (quire_proc_signaled(p->status, &sig)) {
        e->kind = QUIRE_EXIT_SIGNAL;
        e->code = sig;
    } else {
        e->kind = QUIRE_EXIT_CODE;
        e->code = quire_proc_exit_code(p->status);
    }
}

/* Waits until the server is ready: the simulator's ready file, or without a simulator a
 * socket on UDP 443. Returns 0 (ready), 1 (server or simulator ended first), or an error. */
static int wait_ready(test *t, long long deadline)
{
    for (;;) {
        if (t->have_sim) {
            if (quire_fs_exists(t->ready)) return 0;
        } else if (quire_netns_udp_bound(t->server.pid, 443)) {
            return 0;
        }
        quire_proc *ps[2] = {&t->server, &t->sim};
        size_t which = 0;
        long long left = deadline - quire_proc_now_ms();
        if (left <= 0) return QUIRE_ERR_TIMEOUT;
        int rc = quire_proc_wait_any(ps, t->have_sim ? 2 : 1, left < 10 ? (int)left : 10, &which);
        if (rc == 0) return 1;
        if (rc != QUIRE_ERR_TIMEOUT) return rc;
    }
}

/* Stops one process; in the container backend its container (see quire_container_stop). */
static void stop_proc(test *t, quire_proc *p, quire_role role, int grace_ms)
{
    if (t->o->container)
        quire_container_stop(&t->ctb, role, p, grace_ms);
    else
        quire_proc_kill(p, grace_ms);
}

static void stop_all(test *t)
{
    if (t->have_client && !t->client.exited) {
        stop_proc(t, &t->client, QUIRE_ROLE_CLIENT, 0);
        if (t->client_exit.kind == QUIRE_EXIT_NOT_STARTED)
            record_exit(&t->client, &t->client_exit, QUIRE_EXIT_STOPPED, 1);
    }
    if (t->have_server && !t->server.exited) {
        stop_proc(t, &t->server, QUIRE_ROLE_SERVER, SERVER_GRACE_MS);
        record_exit(&t->server, &t->server_exit, QUIRE_EXIT_STOPPED, 1);
    }
    if (t->have_sim && !t->sim.exited) {
        stop_proc(t, &t->sim, QUIRE_ROLE_SIM, SIM_GRACE_MS);
        char s[96];
        if (quire_proc_signaled(t->sim.status, NULL) || quire_proc_exit_code(t->sim.status) != 0)
            tlog(t, "simulator %s after SIGTERM",
                 quire_proc_status_str(t->sim.status, s, sizeof s));
    }
    if (t->have_client) quire_proc_release(&t->client);
    if (t->have_server) quire_proc_release(&t->server);
    if (t->have_sim) quire_proc_release(&t->sim);
    t->have_client = t->have_server = t->have_sim = 0;
    if (t->o->container) {
        int rc = quire_container_testbed_destroy(&t->ctb);
        if (rc) tlog(t, "container teardown: %s", quire_strerror(rc));
    }
    if (t->have_tb) {
        int rc = quire_netns_testbed_destroy(&t->tb);
        if (rc) tlog(t, "testbed teardown: %s", quire_strerror(rc));
        t->have_tb = 0;
    }
}

/* QIR's server46 (connectionmigration): a name with both of the server's addresses. */
static int add_server46(const char *hosts)
{
    FILE *f = fopen(hosts, "a");
    if (!f) return QUIRE_ERR_IO;
    fprintf(f, "%s server46\n%s server46\n", QUIRE_NETNS_SERVER_IP4, QUIRE_NETNS_SERVER_IP6);
    return fclose(f) ? QUIRE_ERR_IO : 0;
}

/* The compliance pre-check's endpoint, alone with the simulator: waits for its exit. */
static int run_alone(test *t, long long deadline, char *why, size_t whylen)
{
    int server = t->o->compliance == QUIRE_COMPLIANCE_SERVER;
    quire_proc *p = server ? &t->server : &t->client;
    int rc = start_endpoint(t, server ? "server" : "client", p, why, whylen);
    if (rc) return rc;
    *(server ? &t->have_server : &t->have_client) = 1;
    quire_exit *e = server ? &t->server_exit : &t->client_exit;
    long long left = deadline - quire_proc_now_ms();
    size_t which = 0;
    rc = left <= 0 ? QUIRE_ERR_TIMEOUT : quire_proc_wait_any(&p, 1, (int)left, &which);
    if (rc == QUIRE_ERR_INTERRUPTED) return rc;
    if (rc == QUIRE_ERR_TIMEOUT) {
        tlog(t, "the %s did not exit within %u s", server ? "server" : "client", t->timeout_s);
        stop_proc(t, p, server ? QUIRE_ROLE_SERVER : QUIRE_ROLE_CLIENT, 0);
        record_exit(p, e, QUIRE_EXIT_TIMEOUT, 1);
        return 0;
    }
    if (rc) {
        snprintf(why, whylen, "waiting for the endpoint: %s", quire_strerror(rc));
        return rc;
    }
    record_exit(p, e, QUIRE_EXIT_STOPPED, 0);
    char s[96];
    tlog(t, "%s %s", server ? "server" : "client", quire_proc_status_str(p->status, s, sizeof s));
    return 0;
}

/* Runs the processes; returns 0, QUIRE_ERR_INTERRUPTED, or another error with why set. */
static int run_processes(test *t, char *why, size_t whylen)
{
    const quire_lifecycle_opts *o = t->o;
    long long deadline = t->t0 + (long long)t->timeout_s * 1000;
    int rc = 0;
    if (o->container) {
        if (!o->sim_exe) {
            snprintf(why, whylen, "the container backend needs the simulator (not in this build)");
            return QUIRE_ERR_UNSUPPORTED;
        }
        rc = quire_container_testbed_create(&t->ctb, o->container, o->run_id, o->testbed_n, why,
                                            whylen);
        if (rc) return rc;
        tlog(t, "networks %s (%s, %s) and %s (%s, %s)", t->ctb.net[0], t->ctb.addrs.net4[0],
             t->ctb.addrs.net6[0], t->ctb.net[1], t->ctb.addrs.net4[1], t->ctb.addrs.net6[1]);
    } else if (o->testbed)
        t->tb = *o->testbed;
    else
        rc = quire_netns_testbed_create(&t->tb, o->run_id, o->testbed_n);
    if (rc) {
        snprintf(why, whylen, "cannot create the testbed: %s", quire_strerror(rc));
        return rc;
    }
    t->have_tb = !o->container;
    if (!o->container &&
        ((rc = quire_netns_write_hosts(t->hosts)) || (rc = add_server46(t->hosts)))) {
        snprintf(why, whylen, "cannot write %.200s: %s", t->hosts, quire_strerror(rc));
        return rc;
    }
    if (o->sim_exe) {
        if ((rc = start_sim(t, why, whylen))) return rc;
        t->have_sim = 1;
    } else {
        tlog(t, "no simulator in this build: kernel forwarding, no captures");
        if ((rc = quire_netns_set_forwarding(&t->tb, 1))) {
            snprintf(why, whylen, "cannot enable forwarding: %s", quire_strerror(rc));
            return rc;
        }
    }
    if (o->compliance) return run_alone(t, deadline, why, whylen);
    if ((rc = start_endpoint(t, "server", &t->server, why, whylen))) return rc;
    t->have_server = 1;
    rc = wait_ready(t, deadline);
    if (rc == QUIRE_ERR_INTERRUPTED) return rc;
    if (rc == QUIRE_ERR_TIMEOUT) {
        snprintf(why, whylen, "server not ready within the %u s timeout", t->timeout_s);
        return rc;
    }
    if (rc == 1) {
        if (t->server.exited) {
            record_exit(&t->server, &t->server_exit, QUIRE_EXIT_STOPPED, 0);
            char s[96];
            tlog(t, "server %s before it was ready",
                 quire_proc_status_str(t->server.status, s, sizeof s));
            return 0; /* the exit rules judge it (127 = unsupported) */
        }
        char s[96];
        snprintf(t->sim_problem, sizeof t->sim_problem, "simulator %s before the server was ready",
                 quire_proc_status_str(t->sim.status, s, sizeof s));
        snprintf(why, whylen, "%s", t->sim_problem);
        return QUIRE_ERR_IO;
    }
    if (rc) {
        snprintf(why, whylen, "waiting for the server: %s", quire_strerror(rc));
        return rc;
    }
    tlog(t, "server ready after %lld ms", quire_proc_now_ms() - t->t0);
    if ((rc = start_endpoint(t, "client", &t->client, why, whylen))) return rc;
    t->have_client = 1;
    for (;;) {
        quire_proc *ps[3] = {&t->client, &t->server, &t->sim};
        size_t which = 0;
        long long left = deadline - quire_proc_now_ms();
        rc = left <= 0 ? QUIRE_ERR_TIMEOUT
                       : quire_proc_wait_any(ps, t->have_sim ? 3 : 2, (int)left, &which);
        struct timespec now; /* when the test ended, on the captures' clock */
        clock_gettime(CLOCK_REALTIME, &now);
        t->end_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
        if (rc == QUIRE_ERR_INTERRUPTED) return rc;
        char s[96];
        if (rc == QUIRE_ERR_TIMEOUT) {
            tlog(t, "timeout: the client did not finish within %u s; killing it", t->timeout_s);
            quire_proc_kill(&t->client, 0);
            record_exit(&t->client, &t->client_exit, QUIRE_EXIT_TIMEOUT, 1);
            return 0;
        }
        if (rc) {
            snprintf(why, whylen, "waiting for the endpoints: %s", quire_strerror(rc));
            return rc;
        }
        if (which == 0) {
            record_exit(&t->client, &t->client_exit, QUIRE_EXIT_STOPPED, 0);
            tlog(t, "client %s after %lld ms", quire_proc_status_str(t->client.status, s, sizeof s),
                 quire_proc_now_ms() - t->t0);
            return 0;
        }
        if (which == 1) {
            record_exit(&t->server, &t->server_exit, QUIRE_EXIT_STOPPED, 0);
            tlog(t, "server %s while the client was running; stopping the client",
                 quire_proc_status_str(t->server.status, s, sizeof s));
            return 0;
        }
        snprintf(t->sim_problem, sizeof t->sim_problem, "simulator %s during the test",
                 quire_proc_status_str(t->sim.status, s, sizeof s));
        tlog(t, "%s", t->sim_problem);
        return 0;
    }
}

static void judge(test *t, quire_outcome *out)
{
    quire_check_ctx ctx = {
        .www_dir = t->www,
        .downloads_dir = t->downloads,
        .files = (const char *const *)t->files,
        .nfiles = t->nfiles,
        .sim_dir = t->sim_logs,
        .server_log_dir = t->server_logs,
        .client_log_dir = t->client_logs,
        .server = t->server_exit,
        .client = t->client_exit,
        .timeout_s = t->timeout_s,
        .end_ns = t->end_ns,
        .value = &out->value,
    };
    out->value = -1;
    quire_verdict v = quire_check_exits(&ctx, out->explanation, sizeof out->explanation);
    /* what the capture says of the end, when the client had a connection to make */
    if (v == QUIRE_VERDICT_FAILED && ctx.client.kind != QUIRE_EXIT_NOT_STARTED)
        quire_check_add_exit_hint(&ctx, out->explanation, sizeof out->explanation);
    if (v == QUIRE_VERDICT_NONE && t->sim_problem[0]) {
        snprintf(out->explanation, sizeof out->explanation, "%s", t->sim_problem);
        v = QUIRE_VERDICT_FAILED;
    }
    if (v == QUIRE_VERDICT_NONE) {
        v = quire_check_run(&ctx, t->o->tc->judge, out->explanation, sizeof out->explanation);
        /* checked because the server exited 0 (QIR's rule): say how the client ended */
        if (ctx.client.kind != QUIRE_EXIT_CODE || ctx.client.code != 0) {
            char s[64];
            quire_check_exit_str(&ctx.client, ctx.timeout_s, s, sizeof s);
            tlog(t, "client %s but the server exited with code 0: the test's check decides", s);
            size_t len = strlen(out->explanation);
            if (v == QUIRE_VERDICT_FAILED && len < sizeof out->explanation - 1)
                snprintf(out->explanation + len, sizeof out->explanation - len, " (client %s)",
                         s);
        }
    }
    out->verdict = v;
    out->has_value = v == QUIRE_VERDICT_SUCCEEDED && out->value >= 0;
}

/* QIR's testcase.py _inject_keylog_if_possible: the key log into the saved captures, so that
 * they open decrypted without it (see captures.h). */
static void inject_keys(test *t)
{
    char c[4300], s[4300], msg[512];
    snprintf(c, sizeof c, "%s/keys.log", t->client_logs);
    snprintf(s, sizeof s, "%s/keys.log", t->server_logs);
    const char *kl = quire_captures_keylog(c, s);
    if (!kl) {
        tlog(t, "no valid key log: the captures stay without secrets");
        return;
    }
    int n = quire_captures_inject(t->sim_logs, kl, msg, sizeof msg);
    if (n < 0)
        tlog(t, "cannot write the key log into the captures: %s", msg);
    else
        tlog(t, "key log %s written into %d capture(s) of sim/ (pcapng, decryption secrets)",
             kl == c ? "client/keys.log" : "server/keys.log", n);
}

static void cleanup_files(test *t, quire_outcome *out)
{
    const quire_lifecycle_opts *o = t->o;
    int keep_files = o->keep || (o->save_files && out->verdict == QUIRE_VERDICT_FAILED);
    remove(t->ready);
    if (!o->keep) remove(t->hosts);
    if (!keep_files) {
        quire_fs_remove_tree(t->www);
        quire_fs_remove_tree(t->downloads);
        quire_fs_remove_tree(t->client_www);
        quire_fs_remove_tree(t->server_downloads);
    }
    if (!o->keep) quire_fs_remove_tree(t->certs);
    /* QIR keeps the logs of succeeded and failed tests only. */
    if (out->verdict == QUIRE_VERDICT_UNSUPPORTED && !o->keep) {
        if (t->log_fd >= 0) close(t->log_fd);
        t->log_fd = -1;
        quire_fs_remove_tree(t->dir);
        char parent[4200];
        if (o->repetition) { /* <pair>/<test>/<n>: the test's directory too (when empty) */
            snprintf(parent, sizeof parent, "%s/%s_%s/%s", o->log_dir, o->server->name,
                     o->client->name, o->tc->name);
            rmdir(parent);
        }
        snprintf(parent, sizeof parent, "%s/%s_%s", o->log_dir, o->server->name, o->client->name);
        rmdir(parent); /* only when empty */
        out->log[0] = 0;
    }
}

int quire_lifecycle_run(const quire_lifecycle_opts *o, quire_outcome *out)
{
    test t = {.o = o, .log_fd = -1};
    memset(out, 0, sizeof *out);
    t.t0 = quire_proc_now_ms();
    t.timeout_s = o->timeout_s ? o->timeout_s : o->tc->timeout_s;
    out->verdict = QUIRE_VERDICT_FAILED;
    int rc = mkdirs(&t);
    if (rc) {
        snprintf(out->explanation, sizeof out->explanation, "cannot create %.300s: %s", t.dir,
                 strerror(errno));
        goto done;
    }
    snprintf(out->log, sizeof out->log, "%s", t.rel);
    tlog(&t, "server %s, client %s, test case %s (timeout %u s), testbed %s-%u", o->server->name,
         o->client->name, o->tc->name, t.timeout_s, o->run_id, o->testbed_n);
    if ((rc = make_files(&t, out->explanation, sizeof out->explanation))) goto done;
    if (o->compliance) t.requests[0] = 0; /* QIR gives it no REQUESTS */
    if ((rc = quire_certs_generate(t.certs, o->tc->cert_chain_len))) {
        snprintf(out->explanation, sizeof out->explanation, "cannot create certificates: %s",
                 quire_strerror(rc));
        goto done;
    }
    rc = run_processes(&t, out->explanation, sizeof out->explanation);
    stop_all(&t);
    if (rc == QUIRE_ERR_INTERRUPTED) {
        tlog(&t, "interrupted by signal %d", quire_proc_interrupted());
        snprintf(out->explanation, sizeof out->explanation, "interrupted");
        out->verdict = QUIRE_VERDICT_NONE;
        goto done;
    }
    if (rc == 0 && o->compliance) {
        const quire_exit *e = o->compliance == QUIRE_COMPLIANCE_SERVER ? &t.server_exit
                                                                        : &t.client_exit;
        char s[64];
        out->verdict = e->kind == QUIRE_EXIT_CODE && e->code == 127 ? QUIRE_VERDICT_SUCCEEDED
                                                                    : QUIRE_VERDICT_FAILED;
        snprintf(out->explanation, sizeof out->explanation, "%s for the unknown TESTCASE %s%s",
                 quire_check_exit_str(e, t.timeout_s, s, sizeof s), o->tc->testcase_server,
                 out->verdict == QUIRE_VERDICT_FAILED ? " (QIR wants exit code 127)" : "");
    } else if (rc == 0) {
        judge(&t, out);
    }
    if (rc == 0 && !o->compliance && (out->verdict != QUIRE_VERDICT_UNSUPPORTED || o->keep))
        inject_keys(&t);
done:
    stop_all(&t);
    out->duration = (double)(quire_proc_now_ms() - t.t0) / 1000.0;
    if (rc != QUIRE_ERR_INTERRUPTED)
        tlog(&t, "result: %s (%s), %.1f s", quire_verdict_name(out->verdict), out->explanation,
             out->duration);
    if (t.dir[0]) cleanup_files(&t, out);
    if (t.log_fd >= 0) close(t.log_fd);
    for (size_t i = 0; i < t.nfiles; i++)
        free(t.files[i]);
    free(t.files);
    free(t.requests);
    return rc == QUIRE_ERR_INTERRUPTED ? rc : 0;
}

void quire_lifecycle_cleanup(const char *run_id, unsigned n)
{
    quire_netns_testbed tb;
    memset(&tb, 0, sizeof tb);
    snprintf(tb.run, sizeof tb.run, "%s", run_id);
    tb.n = n;
    static const char *const roles[3] = {"client", "sim", "server"};
    for (int i = 0; i < 3; i++) {
        snprintf(tb.name[i], sizeof tb.name[i], "quire-%s-%u-%s", run_id, n, roles[i]);
        tb.fd[i] = -1;
    }
    quire_netns_testbed_destroy(&tb);
}
