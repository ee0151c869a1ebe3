/* The container backend over the docker/podman command line (see container.h). */
#include "backend/container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

#define CLI_TIMEOUT_MS 60000
#define MAX_ARGS 160
#define LABEL "quire"

static const char *engine_of(const char *engine)
{
    return engine && engine[0] ? engine : "docker";
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs argv (argv[0] looked up in PATH) with stdin from /dev/null; its stdout and stderr go
 * into out (NUL-terminated, truncated to outlen). Returns the exit code (0..255), or a
 * negative QUIRE_ERR_* (cannot start: QUIRE_ERR_IO; killed after timeout: QUIRE_ERR_TIMEOUT). */
static int run_cli(const char *const *argv, char *out, size_t outlen, int timeout_ms)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC)) return QUIRE_ERR_IO;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return QUIRE_ERR_IO;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    size_t used = 0;
    long long deadline = now_ms() + timeout_ms;
    int timed_out = 0;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        char tmp[4096];
        ssize_t k = read(p[0], tmp, sizeof tmp);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        if (out && used + 1 < outlen) {
            size_t c = (size_t)k < outlen - 1 - used ? (size_t)k : outlen - 1 - used;
            memcpy(out + used, tmp, c);
            used += c;
        }
    }
    close(p[0]);
    if (out && outlen) out[used] = 0;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) return QUIRE_ERR_TIMEOUT;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

/* The first line of s, trimmed, for messages. */
static const char *first_line(char *s)
{
    char *nl = strchr(s, '\n');
    if (nl) *nl = 0;
    return s;
}

int quire_container_addrs_make(quire_container_addrs *a, unsigned k, int qir)
{
    if (k > 255) return QUIRE_ERR_INVALID;
    memset(a, 0, sizeof *a);
    if (qir) {
        /* QIR's docker-compose.yml: leftnet 193.167.0.0/24, rightnet 193.167.100.0/24, sim .2,
         * endpoints .100; IPv6 fd00:cafe:cafe:0::/64 and fd00:cafe:cafe:100::/64. */
        static const char *const v4[2] = {"193.167.0", "193.167.100"};
        static const char *const v6[2] = {"fd00:cafe:cafe:0", "fd00:cafe:cafe:100"};
        for (int s = 0; s < 2; s++) {
            snprintf(a->net4[s], sizeof a->net4[s], "%s.0/24", v4[s]);
            snprintf(a->net6[s], sizeof a->net6[s], "%s::/64", v6[s]);
            snprintf(a->sim4[s], sizeof a->sim4[s], "%s.2", v4[s]);
            snprintf(a->sim6[s], sizeof a->sim6[s], "%s::2", v6[s]);
        }
        snprintf(a->client4, sizeof a->client4, "%s.100", v4[0]);
        snprintf(a->client6, sizeof a->client6, "%s::100", v6[0]);
        snprintf(a->server4, sizeof a->server4, "%s.100", v4[1]);
        snprintf(a->server6, sizeof a->server6, "%s::100", v6[1]);
        snprintf(a->route4, sizeof a->route4, "193.167.0.0/16");
        snprintf(a->route6, sizeof a->route6, "fd00:cafe:cafe::/48");
        return 0;
    }
    /* Benchmarking ranges (RFC 2544, RFC 5180): 198.18.K.0/24 | 198.19.K.0/24 and
     * 2001:2:0:K01::/64 | 2001:2:0:K02::/64, so K = 0 is 198.18.0.0/24 and 2001:2:0:1::/64. */
    for (unsigned s = 0; s < 2; s++) {
        unsigned b = 18 + s;
        unsigned g = (k << 8) | (s + 1);
        snprintf(a->net4[s], sizeof a->net4[s], "198.%u.%u.0/24", b, k);
        snprintf(a->net6[s], sizeof a->net6[s], "2001:2:0:%x::/64", g);
        snprintf(a->sim4[s], sizeof a->sim4[s], "198.%u.%u.2", b, k);
        snprintf(a->sim6[s], sizeof a->sim6[s], "2001:2:0:%x::2", g);
    }
    snprintf(a->client4, sizeof a->client4, "198.18.%u.100", k);
    snprintf(a->client6, sizeof a->client6, "2001:2:0:%x::100", (k << 8) | 1);
    snprintf(a->server4, sizeof a->server4, "198.19.%u.100", k);
    snprintf(a->server6, sizeof a->server6, "2001:2:0:%x::100", (k << 8) | 2);
    snprintf(a->route4, sizeof a->route4, "198.18.0.0/15");
    snprintf(a->route6, sizeof a->route6, "2001:2::/48");
    return 0;
}

int quire_container_available(const char *engine, char *why, size_t whylen)
{
    const char *e = engine_of(engine);
    char out[2048];
    const char *argv[] = {e, "info", "--format", "{{.ServerVersion}}", NULL};
    int rc = run_cli(argv, out, sizeof out, 20000);
    if (rc == 0) return 0;
    if (rc == QUIRE_ERR_TIMEOUT)
        snprintf(why, whylen, "'%s info' did not answer within 20 s", e);
    else if (rc == 127)
        snprintf(why, whylen, "%s is not installed", e);
    else
        snprintf(why, whylen, "'%s info' failed: %.200s", e, first_line(out));
    return QUIRE_ERR_UNSUPPORTED;
}

int quire_container_image_exists(const char *engine, const char *image)
{
    const char *argv[] = {engine_of(engine), "image", "inspect", "--format",
                          "{{.Id}}",         image,   NULL};
    return run_cli(argv, NULL, 0, CLI_TIMEOUT_MS) == 0;
}

static const char *const role_names[3] = {"client", "sim", "server"};

static int net_create(quire_container_testbed *tb, int side, char *out, size_t outlen)
{
    char l_run[96], l_tb[128];
    snprintf(l_run, sizeof l_run, "%s.run=%s", LABEL, tb->run);
    snprintf(l_tb, sizeof l_tb, "%s.testbed=%s-%u", LABEL, tb->run, tb->n);
    const char *argv[] = {engine_of(tb->cfg.engine), "network", "create",
                          /* Not --internal: its isolation rules drop bridged packets whose
                           * destination is outside the network's own subnet, i.e. everything
                           * that goes via the sim. No masquerading instead, and quire's images
                           * delete the default route (nothing leaves this machine). */
                          "--opt", "com.docker.network.bridge.enable_ip_masquerade=false", "--ipv6",
                          "--label", LABEL, "--label", l_run, "--label", l_tb, "--subnet",
                          tb->addrs.net4[side], "--subnet", tb->addrs.net6[side], tb->net[side],
                          NULL};
    return run_cli(argv, out, outlen, CLI_TIMEOUT_MS);
}

static void net_remove(quire_container_testbed *tb, int side)
{
    if (!tb->have_net[side]) return;
    const char *argv[] = {engine_of(tb->cfg.engine), "network", "rm", tb->net[side], NULL};
    run_cli(argv, NULL, 0, CLI_TIMEOUT_MS);
    tb->have_net[side] = 0;
}

int quire_container_testbed_create(quire_container_testbed *tb, const quire_container_cfg *cfg,
                                   const char *run, unsigned n, char *err, size_t errlen)
{
    memset(tb, 0, sizeof *tb);
    tb->cfg = *cfg;
    if (!quire_run_id_valid(run)) {
        snprintf(err, errlen, "invalid run id '%s'", run);
        return QUIRE_ERR_INVALID;
    }
    snprintf(tb->run, sizeof tb->run, "%s", run);
    tb->n = n;
    snprintf(tb->prefix, sizeof tb->prefix, "quire-%s-%u", run, n);
    /* QIR's memlock limit, unless this machine's hard limit is lower: the engine cannot raise
     * it (runc: "error setting rlimit type 8"), and its daemon runs with the same limits. */
    struct rlimit rl;
    tb->memlock = QUIRE_CONTAINER_MEMLOCK;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
        rl.rlim_max < tb->memlock)
        tb->memlock = (unsigned long long)rl.rlim_max;
    snprintf(tb->net[0], sizeof tb->net[0], "%s-leftnet", tb->prefix);
    snprintf(tb->net[1], sizeof tb->net[1], "%s-rightnet", tb->prefix);
    for (int r = 0; r < 3; r++)
        snprintf(tb->name[r], sizeof tb->name[r], "%s-%s", tb->prefix, role_names[r]);
    /* The engine refuses overlapping subnets: take the first free K from n on. */
    unsigned tries = cfg->qir_addresses ? 1 : 256;
    char out[2048] = "";
    for (unsigned i = 0; i < tries; i++) {
        quire_container_addrs_make(&tb->addrs, (n + i) % 256, cfg->qir_addresses);
        int rc = net_create(tb, 0, out, sizeof out);
        if (rc == 0) {
            tb->have_net[0] = 1;
            rc = net_create(tb, 1, out, sizeof out);
            if (rc == 0) {
                tb->have_net[1] = 1;
                return 0;
            }
            net_remove(tb, 0);
        }
        if (rc < 0 || (!strstr(out, "overlap") && !strstr(out, "in use"))) break;
    }
    snprintf(err, errlen, "cannot create network %s: %.300s",
             tb->have_net[0] ? tb->net[1] : tb->net[0], first_line(out));
    return QUIRE_ERR_IO;
}

int quire_container_testbed_destroy(quire_container_testbed *tb)
{
    if (!tb->have_net[0] && !tb->have_net[1] && !tb->created[0] && !tb->created[1] &&
        !tb->created[2])
        return 0;
    const char *argv[] = {
        engine_of(tb->cfg.engine), "rm", "-f", "-v", tb->name[0], tb->name[1], tb->name[2], NULL};
    int rc = run_cli(argv, NULL, 0, CLI_TIMEOUT_MS);
    for (int r = 0; r < 3; r++)
        tb->created[r] = 0;
    net_remove(tb, 0);
    net_remove(tb, 1);
    return rc < 0 ? rc : 0;
}

/* Appends to the argv under construction; strings that need formatting live in buf. */
typedef struct argb {
    const char **argv;
    size_t n, max;
    char *buf;
    size_t used, buflen;
    int err;
} argb;

static void add(argb *b, const char *s)
{
    if (b->n + 1 >= b->max) {
        b->err = 1;
        return;
    }
    b->argv[b->n++] = s;
    b->argv[b->n] = NULL;
}

static void addf(argb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(argb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->buf + b->used, b->buflen - b->used, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= b->buflen - b->used) {
        b->err = 1;
        return;
    }
    add(b, b->buf + b->used);
    b->used += (size_t)k + 1;
}

int quire_container_create_argv(const quire_container_testbed *tb, const quire_container_spec *s,
                                const char **argv, size_t max, char *buf, size_t buflen)
{
    argb b = {.argv = argv, .max = max, .buf = buf, .buflen = buflen};
    const quire_container_addrs *a = &tb->addrs;
    int side = s->role == QUIRE_ROLE_SERVER ? 1 : 0;
    add(&b, engine_of(tb->cfg.engine));
    add(&b, "create");
    add(&b, "--pull=never"); /* images are built here; no registry is asked */
    add(&b, "--name");
    add(&b, tb->name[s->role]);
    add(&b, "--label");
    add(&b, LABEL);
    addf(&b, "--label=%s.run=%s", LABEL, tb->run);
    addf(&b, "--label=%s.testbed=%s-%u", LABEL, tb->run, tb->n);
    addf(&b, "--hostname=%s", role_names[s->role]);
    addf(&b, "--network=%s", tb->net[side]);
    if (s->role == QUIRE_ROLE_SIM) {
        addf(&b, "--ip=%s", a->sim4[0]);
        addf(&b, "--ip6=%s", a->sim6[0]);
        add(&b, "--cap-add=NET_ADMIN");
        add(&b, "--cap-add=NET_RAW");
        add(&b, "--cap-add=SYS_NICE"); /* quire sim's SCHED_FIFO (timing under load) */
        /* The simulator forwards; the kernel must not (notes/netns-pitfalls.md), except with
         * `quire sim --kernel`. /proc/sys is read-only inside: the engine sets them. */
        int kernel = 0;
        for (size_t i = 0; s->args && s->args[i]; i++)
            if (!strcmp(s->args[i], "--kernel")) kernel = 1;
        addf(&b, "--sysctl=net.ipv4.ip_forward=%d", kernel);
        addf(&b, "--sysctl=net.ipv6.conf.all.forwarding=%d", kernel);
        addf(&b, "--env=QUIRE_SIM_LEFT4=%s", a->sim4[0]);
        addf(&b, "--env=QUIRE_SIM_RIGHT4=%s", a->sim4[1]);
    } else {
        addf(&b, "--ip=%s", side ? a->server4 : a->client4);
        addf(&b, "--ip6=%s", side ? a->server6 : a->client6);
        add(&b, "--cap-add=NET_ADMIN");
        addf(&b, "--ulimit=memlock=%llu:%llu", tb->memlock, tb->memlock);
        addf(&b, "--env=QUIRE_GW4=%s", a->sim4[side]);
        addf(&b, "--env=QUIRE_GW6=%s", a->sim6[side]);
        addf(&b, "--env=QUIRE_ROUTE4=%s", a->route4);
        addf(&b, "--env=QUIRE_ROUTE6=%s", a->route6);
    }
    /* IPv6 addresses usable at once (no duplicate address detection), as in the netns backend */
    add(&b, "--sysctl=net.ipv6.conf.all.disable_ipv6=0");
    add(&b, "--sysctl=net.ipv6.conf.all.accept_dad=0");
    add(&b, "--sysctl=net.ipv6.conf.default.accept_dad=0");
    /* The host names of the endpoint contract (DESIGN.md); sim is its client-side address. */
    addf(&b, "--add-host=server:%s", a->server4);
    addf(&b, "--add-host=server4:%s", a->server4);
    addf(&b, "--add-host=server6:%s", a->server6);
    addf(&b, "--add-host=client:%s", a->client4);
    addf(&b, "--add-host=client4:%s", a->client4);
    addf(&b, "--add-host=client6:%s", a->client6);
    addf(&b, "--add-host=sim:%s", a->sim4[0]);
    for (size_t i = 0; s->env && s->env[i]; i++)
        addf(&b, "--env=%s", s->env[i]);
    for (size_t i = 0; i < s->nmounts; i++) {
        if (strchr(s->mounts[i].host_path, ':') || strchr(s->mounts[i].host_path, ',')) {
            b.err = 1; /* the -v syntax cannot carry these */
            break;
        }
        addf(&b, "--volume=%s:%s%s", s->mounts[i].host_path, s->mounts[i].target,
             s->mounts[i].readonly ? ":ro" : "");
    }
    if (s->workdir) addf(&b, "--workdir=%s", s->workdir);
    add(&b, s->image);
    for (size_t i = 0; s->args && s->args[i]; i++)
        add(&b, s->args[i]);
    return b.err ? QUIRE_ERR_INVALID : (int)b.n;
}

int quire_container_start(quire_container_testbed *tb, const quire_container_spec *spec,
                          quire_proc *p, char *err, size_t errlen)
{
    const char *argv[MAX_ARGS];
    char *buf = malloc(65536 + 4096);
    if (!buf) return QUIRE_ERR_NOMEM;
    char *out = buf + 65536;
    int rc = quire_container_create_argv(tb, spec, argv, MAX_ARGS, buf, 65536);
    if (rc < 0) {
        snprintf(err, errlen, "%s container: too many arguments or a path with ':' or ','",
                 role_names[spec->role]);
        free(buf);
        return rc;
    }
    tb->created[spec->role] = 1; /* from here on destroy removes it, whatever happens */
    rc = run_cli(argv, out, 4096, CLI_TIMEOUT_MS);
    if (rc == 0 && spec->role == QUIRE_ROLE_SIM) {
        char ip4[80], ip6[96];
        snprintf(ip4, sizeof ip4, "--ip=%s", tb->addrs.sim4[1]);
        snprintf(ip6, sizeof ip6, "--ip6=%s", tb->addrs.sim6[1]);
        const char *cargv[] = {
            engine_of(tb->cfg.engine), "network", "connect", ip4, ip6, tb->net[1],
            tb->name[QUIRE_ROLE_SIM], NULL};
        rc = run_cli(cargv, out, 4096, CLI_TIMEOUT_MS);
    }
    if (rc) {
        snprintf(err, errlen, "cannot create the %s container from %s: %.300s",
                 role_names[spec->role], spec->image,
                 rc == QUIRE_ERR_TIMEOUT ? "timeout" : first_line(out));
        free(buf);
        return QUIRE_ERR_IO;
    }
    free(buf);
    const char *sargv[] = {engine_of(tb->cfg.engine), "start", "-a", tb->name[spec->role], NULL};
    quire_proc_opts po = {
        .argv = sargv,
        .output = spec->output,
        .stdin_null = 1,
    };
    rc = quire_proc_spawn(p, &po);
    if (rc) snprintf(err, errlen, "cannot run %s start: %s", sargv[0], p->err);
    return rc;
}

int quire_container_pid(const quire_container_testbed *tb, quire_role role, pid_t *pid)
{
    *pid = 0;
    if ((unsigned)role >= QUIRE_ROLE_COUNT || !tb->created[role]) return QUIRE_ERR_NOTFOUND;
    const char *argv[] = {engine_of(tb->cfg.engine), "inspect", "--format", "{{.State.Pid}}",
                          tb->name[role], NULL};
    char out[128];
    int rc = run_cli(argv, out, sizeof out, CLI_TIMEOUT_MS);
    if (rc == QUIRE_ERR_TIMEOUT || rc < 0) return QUIRE_ERR_IO;
    long v = rc == 0 ? strtol(out, NULL, 10) : 0;
    if (v <= 0) return QUIRE_ERR_NOTFOUND; /* 0: created or exited, not running */
    *pid = (pid_t)v;
    return 0;
}

int quire_container_stop(quire_container_testbed *tb, quire_role role, quire_proc *p,
                         int grace_ms)
{
    if (p->exited) return 0;
    const char *e = engine_of(tb->cfg.engine);
    const char *term[] = {e, "kill", "--signal", "TERM", tb->name[role], NULL};
    if (run_cli(term, NULL, 0, CLI_TIMEOUT_MS) == 0 && quire_proc_wait(p, grace_ms) == 0) return 0;
    const char *kill9[] = {e, "kill", tb->name[role], NULL};
    run_cli(kill9, NULL, 0, CLI_TIMEOUT_MS);
    if (quire_proc_wait(p, 5000) == 0) return 0;
    return quire_proc_kill(p, 0); /* the engine does not answer: at least end the CLI */
}

/* Copies the value of label key out of an engine's label listing ("k=v,k=v" from docker,
 * "map[k:v k:v]" from podman) into out; "" when absent. */
static void label_value(const char *labels, const char *key, char *out, size_t outlen)
{
    out[0] = 0;
    size_t kl = strlen(key);
    for (const char *p = strstr(labels, key); p; p = strstr(p + 1, key)) {
        if (p != labels && p[-1] != ',' && p[-1] != ' ' && p[-1] != '[') continue;
        if (p[kl] != '=' && p[kl] != ':') continue;
        const char *v = p + kl + 1;
        size_t n = strcspn(v, ", ]\n");
        if (n >= outlen) n = outlen - 1;
        memcpy(out, v, n);
        out[n] = 0;
        return;
    }
}

typedef struct clean_req {
    const char *engine, *run;
    int n;
    unsigned flags;
    quire_container_clean_cb cb;
    void *arg;
    int failed;
} clean_req;

/* Removes the containers (network 0) or networks (1) that match the request. */
static int clean_kind(clean_req *q, int network)
{
    char filter[160];
    if (q->run && q->n >= 0)
        snprintf(filter, sizeof filter, "label=%s.testbed=%s-%d", LABEL, q->run, q->n);
    else if (q->run)
        snprintf(filter, sizeof filter, "label=%s.run=%s", LABEL, q->run);
    else
        snprintf(filter, sizeof filter, "label=%s", LABEL);
    char *out = malloc(1 << 20);
    if (!out) return QUIRE_ERR_NOMEM;
    const char *largv[] = {q->engine,
                           network ? "network" : "ps",
                           network ? "ls" : "-a",
                           "--filter",
                           filter,
                           "--format",
                           "{{.ID}} {{.Labels}}",
                           NULL};
    int rc = run_cli(largv, out, 1 << 20, CLI_TIMEOUT_MS);
    if (rc) {
        free(out);
        return rc < 0 ? rc : QUIRE_ERR_IO;
    }
    const char *kind = network ? "network" : "container";
    int removed = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp) continue;
        *sp = 0;
        char r[64];
        label_value(sp + 1, LABEL ".run", r, sizeof r);
        if (!(q->flags & QUIRE_CONTAINER_CLEAN_FORCE) && r[0] && quire_run_alive(r, NULL)) {
            if (q->cb) q->cb(q->arg, kind, line, r, "skipped live");
            continue;
        }
        if (q->flags & QUIRE_CONTAINER_CLEAN_DRY_RUN) {
            if (q->cb) q->cb(q->arg, kind, line, r, "would remove");
            removed++;
            continue;
        }
        const char *rargv[] = {q->engine, network ? "network" : "rm", network ? "rm" : "-f", line,
                               NULL};
        int ok = run_cli(rargv, NULL, 0, CLI_TIMEOUT_MS) == 0;
        if (q->cb) q->cb(q->arg, kind, line, r, ok ? "removed" : "failed");
        if (ok)
            removed++;
        else
            q->failed++;
    }
    free(out);
    return removed;
}

int quire_container_clean(const char *engine, const char *run, int n, unsigned flags,
                          quire_container_clean_cb cb, void *arg)
{
    clean_req q = {
        .engine = engine_of(engine), .run = run, .n = n, .flags = flags, .cb = cb, .arg = arg};
    char why[256];
    if (quire_container_available(q.engine, why, sizeof why)) return 0;
    int a = clean_kind(&q, 0); /* containers first: a network in use cannot go */
    int b = clean_kind(&q, 1);
    if (a < 0) return a;
    if (b < 0) return b;
    return a + b;
}
