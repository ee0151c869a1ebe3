/* One test, start to end (see lifecycle.h). */
#include "run/lifecycle.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run/captures.h"
#include "run/certs.h"
#include "run/files.h"
#include "run/probejob.h"
#include "run/testbed.h"
#include "run/wtrun.h"
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
    long long t0;
    quire_bed bed; /* the backend, the roles' ends, the test's log (output.txt) */
    quire_exit server_exit, client_exit;
    uint64_t end_ns; /* CLOCK_REALTIME when the client or the server ended the test */
    char sim_problem[256];
    quire_wt_test wt; /* WebTransport rows: the case's files, REQUESTS, PROTOCOLS */
    int has_wt;
} test;

#define tlog(t, ...) quire_bed_log(&(t)->bed, __VA_ARGS__)

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
    return quire_bed_log_open(&t->bed, t->output);
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

/* A WebTransport row's files, REQUESTS and PROTOCOLS (run/wtrun.h). Returns 0, or
 * quire_wt_test_prepare's QUIRE_ERR_NOMEM / _IO / _CRYPTO with the reason in why. */
static int make_wt_files(test *t, char *why, size_t whylen)
{
    t->has_wt = 1;
    int rc = quire_wt_test_prepare(&t->wt, t->o->tc->wt, t->www, t->client_www, "server4", why,
                                   whylen);
    if (rc) return rc;
    tlog(t, "WebTransport endpoint %s: %zu random file(s) in %s_www/%s/; PROTOCOLS_CLIENT=%s, "
            "PROTOCOLS_SERVER=%s", t->wt.endpoint, t->wt.nfiles,
         quire_wt_server_sends(t->wt.tc) || !t->wt.nfiles ? "server" : "client", t->wt.endpoint,
         t->wt.protocols_client, t->wt.protocols_server);
    t->requests = strdup(t->wt.requests_client);
    return t->requests ? 0 : QUIRE_ERR_NOMEM;
}

static int make_files(test *t, char *why, size_t whylen)
{
    const quire_testcase *tc = t->o->tc;
    if (tc->wt) return make_wt_files(t, why, whylen);
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

static int start_endpoint(test *t, quire_role role, char *why, size_t whylen)
{
    int server = role == QUIRE_ROLE_SERVER;
    const quire_impl *im = server ? t->o->server : t->o->client;
    const char *rname = quire_role_name(role);
    /* The contract's variables (the backend adds what its programs need, e.g. PATH and HOME) */
    char env[9][4200];
    const char *envp[11];
    size_t n = 0;
    snprintf(env[n++], sizeof env[0], "ROLE=%s", rname);
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
    /* QIR's docker-compose.yml: PROTOCOLS=$PROTOCOLS_SERVER / $PROTOCOLS_CLIENT */
    snprintf(env[n++], sizeof env[0], "PROTOCOLS=%s",
             !t->has_wt ? "" : server ? t->wt.protocols_server : t->wt.protocols_client);
    for (size_t i = 0; i < n; i++)
        envp[i] = env[i];
    /* REQUESTS can be long (multiplexing: 2000 URLs); the server's is QIR's REQUESTS_SERVER,
     * get_paths_server(), empty for every QUIC test case */
    const char *sreq = t->has_wt && !t->o->compliance ? t->wt.requests_server : "";
    size_t len = strlen(server ? sreq : t->requests) + 16;
    char *req = malloc(len);
    if (!req) return QUIRE_ERR_NOMEM;
    snprintf(req, len, "REQUESTS=%s", server ? sreq : t->requests);
    envp[n++] = req;
    envp[n] = NULL;
    quire_proc_mount mounts[] = {
        {server ? t->www : t->client_www, "/www", 1},
        {t->certs, "/certs", 1},
        {server ? t->server_downloads : t->downloads, "/downloads", 0},
        {server ? t->server_logs : t->client_logs, "/logs", 0},
    };
    quire_role_spec spec = {
        .role = role,
        .name = im->name,
        .path = im->path,
        .image = im->image,
        .env = envp,
        .mounts = mounts,
        .nmounts = sizeof mounts / sizeof mounts[0],
        .output = t->output,
    };
    /* the probe's row: the client is quire probe itself, aimed at the server's address */
    char exe[4096], addr[64], pbuf[4200];
    const char *pargv[24];
    if (!server && t->o->tc->probe) {
        ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
        int rc = el <= 0 ? QUIRE_ERR_IO
                         : quire_bed_address(&t->bed, QUIRE_ROLE_SERVER, 0, addr, sizeof addr);
        if (el > 0) exe[el] = 0;
        if (!rc)
            rc = quire_probe_job_argv(exe, addr, t->o->alpn, t->requests, t->o->probe_cases,
                                      pbuf, sizeof pbuf, pargv, sizeof pargv / sizeof pargv[0]);
        if (rc) {
            snprintf(why, whylen, "cannot start the probe: %s", quire_strerror(rc));
            free(req);
            return rc;
        }
        spec.argv = pargv;
    }
    char detail[4300];
    snprintf(detail, sizeof detail, "TESTCASE=%s%s%s%s%s%s%s",
             server ? t->o->tc->testcase_server : t->o->tc->testcase_client,
             t->o->alpn ? ", QUIRE_ALPN=" : "", t->o->alpn ? t->o->alpn : "",
             cron && *cron ? ", CRON=" : "", cron && *cron ? cron : "",
             params && *params ? (server ? ", SERVER_PARAMS=" : ", CLIENT_PARAMS=") : "",
             params && *params ? params : "");
    int rc = quire_bed_start(&t->bed, &spec, detail, why, whylen);
    if (!rc && (!server || *sreq)) tlog(t, "REQUESTS=%s", server ? sreq : t->requests);
    free(req);
    return rc;
}

static int start_sim(test *t, char *why, size_t whylen)
{
    const quire_lifecycle_opts *o = t->o;
    quire_sim_spec sim = {
        .exe = o->sim_exe,
        .seed = o->seed,
        .kernel = o->sim_kernel,
        .scenario = o->tc->scenario,
        .dir = t->sim_logs,
    };
    return quire_bed_start_sim(&t->bed, &sim, t->output, why, whylen);
}

static void record_exit(int status, quire_exit *e, quire_exit_kind stopped_kind, int stopped)
{
    int sig = 0;
    if (stopped) {
        e->kind = stopped_kind;
        e->code = quire_proc_exit_code(status);
    } else if (quire_proc_signaled(status, &sig)) {
        e->kind = QUIRE_EXIT_SIGNAL;
        e->code = sig;
    } else {
        e->kind = QUIRE_EXIT_CODE;
        e->code = quire_proc_exit_code(status);
    }
}

static int wait_roles(test *t, const quire_role *roles, size_t n, int timeout_ms, size_t *which)
{
    return quire_bed_wait(&t->bed, roles, n, timeout_ms, which);
}

static void stop_role(test *t, quire_role role, int grace_ms)
{
    quire_bed_stop(&t->bed, role, grace_ms);
}

static void stop_all(test *t)
{
    if (t->bed.started[QUIRE_ROLE_CLIENT] && !t->bed.ended[QUIRE_ROLE_CLIENT]) {
        stop_role(t, QUIRE_ROLE_CLIENT, 0);
        if (t->client_exit.kind == QUIRE_EXIT_NOT_STARTED)
            record_exit(t->bed.status[QUIRE_ROLE_CLIENT], &t->client_exit, QUIRE_EXIT_STOPPED, 1);
    }
    if (t->bed.started[QUIRE_ROLE_SERVER] && !t->bed.ended[QUIRE_ROLE_SERVER]) {
        stop_role(t, QUIRE_ROLE_SERVER, SERVER_GRACE_MS);
        record_exit(t->bed.status[QUIRE_ROLE_SERVER], &t->server_exit, QUIRE_EXIT_STOPPED, 1);
    }
    if (t->bed.started[QUIRE_ROLE_SIM] && !t->bed.ended[QUIRE_ROLE_SIM]) {
        stop_role(t, QUIRE_ROLE_SIM, SIM_GRACE_MS);
        int st = t->bed.status[QUIRE_ROLE_SIM];
        char s[96];
        if (quire_proc_signaled(st, NULL) || quire_proc_exit_code(st) != 0)
            tlog(t, "simulator %s after SIGTERM", quire_proc_status_str(st, s, sizeof s));
    }
    quire_bed_destroy(&t->bed);
}

/* The compliance pre-check's endpoint, alone with the simulator: waits for its exit. */
static int run_alone(test *t, long long deadline, char *why, size_t whylen)
{
    int server = t->o->compliance == QUIRE_COMPLIANCE_SERVER;
    quire_role role = server ? QUIRE_ROLE_SERVER : QUIRE_ROLE_CLIENT;
    int rc = start_endpoint(t, role, why, whylen);
    if (rc) return rc;
    quire_exit *e = server ? &t->server_exit : &t->client_exit;
    long long left = deadline - quire_proc_now_ms();
    size_t which = 0;
    rc = left <= 0 ? QUIRE_ERR_TIMEOUT : wait_roles(t, &role, 1, (int)left, &which);
    if (rc == QUIRE_ERR_INTERRUPTED) return rc;
    if (rc == QUIRE_ERR_TIMEOUT) {
        tlog(t, "the %s did not exit within %u s", quire_role_name(role), t->timeout_s);
        stop_role(t, role, 0);
        record_exit(t->bed.status[role], e, QUIRE_EXIT_TIMEOUT, 1);
        return 0;
    }
    if (rc) {
        snprintf(why, whylen, "waiting for the endpoint: %s", quire_strerror(rc));
        return rc;
    }
    record_exit(t->bed.status[role], e, QUIRE_EXIT_STOPPED, 0);
    char s[96];
    tlog(t, "%s %s", quire_role_name(role),
         quire_proc_status_str(t->bed.status[role], s, sizeof s));
    return 0;
}

/* Runs the processes; returns 0, QUIRE_ERR_INTERRUPTED, or another error with why set. */
static int run_processes(test *t, char *why, size_t whylen)
{
    const quire_lifecycle_opts *o = t->o;
    long long deadline = t->t0 + (long long)t->timeout_s * 1000;
    quire_testbed_spec ts = {
        .run_id = o->run_id,
        .n = o->testbed_n,
        .cfg = o->backend_cfg,
        .adopt = o->testbed,
        .hosts_file = t->hosts,
        .with_sim = o->sim_exe != NULL,
    };
    int rc = quire_bed_create(&t->bed, &ts, why, whylen);
    if (rc) return rc;
    if (o->sim_exe) {
        if ((rc = start_sim(t, why, whylen))) return rc;
    } else {
        tlog(t, "no simulator in this build: kernel forwarding, no captures");
    }
    if (o->compliance) return run_alone(t, deadline, why, whylen);
    if ((rc = start_endpoint(t, QUIRE_ROLE_SERVER, why, whylen))) return rc;
    rc = quire_bed_wait_ready(&t->bed, t->bed.started[QUIRE_ROLE_SIM] ? t->ready : NULL, 443,
                              deadline);
    if (rc == QUIRE_ERR_INTERRUPTED) return rc;
    if (rc == QUIRE_ERR_TIMEOUT) {
        snprintf(why, whylen, "server not ready within the %u s timeout", t->timeout_s);
        return rc;
    }
    if (rc == 1) {
        char s[96];
        if (t->bed.ended[QUIRE_ROLE_SERVER]) {
            int st = t->bed.status[QUIRE_ROLE_SERVER];
            record_exit(st, &t->server_exit, QUIRE_EXIT_STOPPED, 0);
            tlog(t, "server %s before it was ready", quire_proc_status_str(st, s, sizeof s));
            return 0; /* the exit rules judge it (127 = unsupported) */
        }
        snprintf(t->sim_problem, sizeof t->sim_problem, "simulator %s before the server was ready",
                 quire_proc_status_str(t->bed.status[QUIRE_ROLE_SIM], s, sizeof s));
        snprintf(why, whylen, "%s", t->sim_problem);
        return QUIRE_ERR_IO;
    }
    if (rc) {
        snprintf(why, whylen, "waiting for the server: %s", quire_strerror(rc));
        return rc;
    }
    tlog(t, "server ready after %lld ms", quire_proc_now_ms() - t->t0);
    if ((rc = start_endpoint(t, QUIRE_ROLE_CLIENT, why, whylen))) return rc;
    static const quire_role roles[3] = {QUIRE_ROLE_CLIENT, QUIRE_ROLE_SERVER, QUIRE_ROLE_SIM};
    for (;;) {
        size_t which = 0;
        long long left = deadline - quire_proc_now_ms();
        rc = left <= 0 ? QUIRE_ERR_TIMEOUT
                       : wait_roles(t, roles, t->bed.started[QUIRE_ROLE_SIM] ? 3 : 2, (int)left,
                                    &which);
        struct timespec now; /* when the test ended, on the captures' clock */
        clock_gettime(CLOCK_REALTIME, &now);
        t->end_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
        if (rc == QUIRE_ERR_INTERRUPTED) return rc;
        char s[96];
        if (rc == QUIRE_ERR_TIMEOUT) {
            tlog(t, "timeout: the client did not finish within %u s; killing it", t->timeout_s);
            stop_role(t, QUIRE_ROLE_CLIENT, 0);
            record_exit(t->bed.status[QUIRE_ROLE_CLIENT], &t->client_exit, QUIRE_EXIT_TIMEOUT, 1);
            return 0;
        }
        if (rc) {
            snprintf(why, whylen, "waiting for the endpoints: %s", quire_strerror(rc));
            return rc;
        }
        int st = t->bed.status[roles[which]];
        if (which == 0) {
            record_exit(st, &t->client_exit, QUIRE_EXIT_STOPPED, 0);
            tlog(t, "client %s after %lld ms", quire_proc_status_str(st, s, sizeof s),
                 quire_proc_now_ms() - t->t0);
            return 0;
        }
        if (which == 1) {
            record_exit(st, &t->server_exit, QUIRE_EXIT_STOPPED, 0);
            tlog(t, "server %s while the client was running; stopping the client",
                 quire_proc_status_str(st, s, sizeof s));
            return 0;
        }
        snprintf(t->sim_problem, sizeof t->sim_problem, "simulator %s during the test",
                 quire_proc_status_str(st, s, sizeof s));
        tlog(t, "%s", t->sim_problem);
        return 0;
    }
}

/* A failed test's explanation gets the limits its endpoints ran into (the backend's pids and
 * /downloads limits, backend/limits.h): they explain a misbehaving endpoint's failure. */
static void add_limit_hits(test *t, quire_outcome *out)
{
    static const quire_role roles[] = {QUIRE_ROLE_CLIENT, QUIRE_ROLE_SERVER};
    for (size_t i = 0; i < 2; i++) {
        const char *hit = t->bed.limit_hit[roles[i]];
        size_t len = strlen(out->explanation);
        if (hit[0] && len < sizeof out->explanation - 1)
            snprintf(out->explanation + len, sizeof out->explanation - len, "; %s", hit);
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
        .spec_json = out->spec,
        .spec_json_len = sizeof out->spec,
        .spec_ignore = t->o->spec_ignore,
        .nspec_ignore = t->o->nspec_ignore,
        .arg = !t->has_wt ? NULL
                          : quire_wt_test_judge_arg(&t->wt, t->www, t->client_www,
                                                    t->server_downloads, t->downloads),
    };
    out->value = -1;
    if (t->o->tc->probe) { /* its own rules: the probe's cases are the verdict, no spec rules */
        out->verdict = quire_probe_job_judge(&ctx, out->explanation, sizeof out->explanation);
        return;
    }
    quire_verdict v = quire_check_exits(&ctx, out->explanation, sizeof out->explanation);
    /* what the capture says of the end, when the client had a connection to make */
    if (v == QUIRE_VERDICT_FAILED && ctx.client.kind != QUIRE_EXIT_NOT_STARTED)
        quire_check_add_exit_hint(&ctx, out->explanation, sizeof out->explanation);
    if (v == QUIRE_VERDICT_NONE && t->sim_problem[0]) {
        snprintf(out->explanation, sizeof out->explanation, "%s", t->sim_problem);
        v = QUIRE_VERDICT_FAILED;
    }
    /* the spec rules judge the captures of a failed test too (docs/spec.md) */
    if (v == QUIRE_VERDICT_FAILED && ctx.client.kind != QUIRE_EXIT_NOT_STARTED)
        quire_check_spec(&ctx);
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
    if (v == QUIRE_VERDICT_FAILED) add_limit_hits(t, out);
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

/* A full log directory (a file system with less than QUIRE_LIFECYCLE_MIN_FREE left) takes the
 * verdict away: what failed may have been a write of an endpoint, the simulator or quire. */
static void disk_check(test *t, quire_outcome *out)
{
    struct statvfs fs;
    if (statvfs(t->o->log_dir, &fs)) return;
    unsigned long long avail = (unsigned long long)fs.f_bavail * fs.f_frsize;
    if (avail >= QUIRE_LIFECYCLE_MIN_FREE) return;
    tlog(t, "the log directory's file system is full (%llu KiB free): no verdict", avail >> 10);
    snprintf(out->explanation, sizeof out->explanation,
             "no verdict: the file system of %.300s was full when the test ended (%llu KiB "
             "free)", t->o->log_dir, avail >> 10);
    out->verdict = QUIRE_VERDICT_NONE;
    out->disk_full = 1;
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
        quire_bed_close(&t->bed);
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
    test t = {.o = o};
    quire_bed_init(&t.bed, o->backend, o->debug, NULL);
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
    if (rc && rc != QUIRE_ERR_INTERRUPTED) add_limit_hits(&t, out); /* e.g. never ready */
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
    if (rc != QUIRE_ERR_INTERRUPTED && t.dir[0] && !o->compliance) disk_check(&t, out);
    out->duration = (double)(quire_proc_now_ms() - t.t0) / 1000.0;
    if (rc != QUIRE_ERR_INTERRUPTED)
        tlog(&t, "result: %s (%s), %.1f s", quire_verdict_name(out->verdict), out->explanation,
             out->duration);
    if (t.dir[0]) cleanup_files(&t, out);
    quire_bed_close(&t.bed);
    for (size_t i = 0; i < t.nfiles; i++)
        free(t.files[i]);
    free(t.files);
    free(t.requests);
    if (t.has_wt) quire_wt_test_free(&t.wt);
    return rc == QUIRE_ERR_INTERRUPTED ? rc : 0;
}
