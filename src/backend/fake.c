/* The scripted fake backend (see fake.h). */
#include "backend/fake.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

typedef struct role_state {
    int started, ended;
    long long start_ms;
    int status;
} role_state;

typedef struct bed {
    const quire_fake_script *script;
    quire_fake_record *rec;
    role_state r[QUIRE_ROLE_COUNT];
    char ready[4200]; /* the simulator's ready file, once it started */
} bed;

/* Raw wait statuses in waitpid's layout, as quire_proc_exit_code/quire_proc_signaled read
 * them: exit code in bits 8..15, or the signal in bits 0..6. */
static int exited_with(int code)
{
    return (code & 0xff) << 8;
}

static int killed_by(int sig)
{
    return sig & 0x7f;
}

quire_fake_role quire_fake_runs(void)
{
    return (quire_fake_role){.exit_ms = -1, .term_code = 0};
}

quire_fake_role quire_fake_exits(int code, int ms)
{
    return (quire_fake_role){.exit_ms = ms, .exit_code = code, .term_code = 0};
}

quire_fake_role quire_fake_crashes(int sig, int ms)
{
    return (quire_fake_role){.exit_ms = ms, .signal = sig, .term_code = 0};
}

static int create(void **state, const quire_testbed_spec *spec, char *why, size_t whylen)
{
    bed *b = calloc(1, sizeof *b);
    if (!(*state = b)) return QUIRE_ERR_NOMEM;
    b->script = spec->cfg;
    if (!b->script) {
        snprintf(why, whylen, "the fake backend needs a script");
        return QUIRE_ERR_INVALID;
    }
    b->rec = b->script->record;
    if (b->script->create_error) {
        snprintf(why, whylen, "cannot create the testbed: %s (scripted)",
                 quire_strerror(b->script->create_error));
        return b->script->create_error;
    }
    if (b->rec) b->rec->created = 1;
    return 0;
}

static const char *describe(void *state, const quire_role_spec *s, char *buf, size_t len)
{
    (void)state;
    snprintf(buf, len, "fake %s", s->name ? s->name : quire_role_name(s->role));
    return buf;
}

static void write_ready(bed *b)
{
    if (!b->ready[0]) return;
    int fd = open(b->ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
}

/* A server that is running and scripted to be ready. */
static int server_ready(const bed *b)
{
    const role_state *s = &b->r[QUIRE_ROLE_SERVER];
    return s->started && !s->ended && !b->script->role[QUIRE_ROLE_SERVER].not_ready;
}

static int start(void *state, const quire_role_spec *s, char *why, size_t whylen)
{
    bed *b = state;
    if ((unsigned)s->role >= QUIRE_ROLE_COUNT || b->r[s->role].started) {
        snprintf(why, whylen, "cannot start the %s: bad spec", quire_role_name(s->role));
        return QUIRE_ERR_INVALID;
    }
    const quire_fake_role *fr = &b->script->role[s->role];
    if (b->rec) {
        b->rec->starts[s->role]++;
        size_t n = 0;
        for (; s->env && s->env[n]; n++)
            if (!strncmp(s->env[n], "TESTCASE=", 9))
                snprintf(b->rec->testcase[s->role], sizeof b->rec->testcase[0], "%s",
                         s->env[n] + 9);
        b->rec->env_seen[s->role] = (int)n;
    }
    if (fr->start_error) {
        snprintf(why, whylen, "cannot start the %s: %s (scripted)", quire_role_name(s->role),
                 quire_strerror(fr->start_error));
        return fr->start_error;
    }
    role_state *r = &b->r[s->role];
    r->started = 1;
    r->start_ms = quire_proc_now_ms();
    if (s->role == QUIRE_ROLE_SIM && s->sim && s->sim->dir)
        snprintf(b->ready, sizeof b->ready, "%s/%s", s->sim->dir, QUIRE_BACKEND_READY_FILE);
    if (fr->on_start) fr->on_start(s, fr->arg);
    if (server_ready(b)) write_ready(b);
    return 0;
}

/* Ends roles whose time has come; returns when the next one ends (ms, monotonic) or -1. */
static long long advance(bed *b)
{
    long long now = quire_proc_now_ms(), next = -1;
    for (int i = 0; i < QUIRE_ROLE_COUNT; i++) {
        role_state *r = &b->r[i];
        const quire_fake_role *fr = &b->script->role[i];
        if (!r->started || r->ended || fr->exit_ms < 0) continue;
        long long at = r->start_ms + fr->exit_ms;
        if (at <= now) {
            r->ended = 1;
            r->status = fr->signal ? killed_by(fr->signal) : exited_with(fr->exit_code);
        } else if (next < 0 || at < next) {
            next = at;
        }
    }
    return next;
}

static int wait_roles(void *state, const quire_role *roles, size_t n, int timeout_ms,
                      size_t *which, int *status)
{
    bed *b = state;
    if (n == 0) return QUIRE_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if ((unsigned)roles[i] >= QUIRE_ROLE_COUNT || !b->r[roles[i]].started)
            return QUIRE_ERR_INVALID;
    long long deadline = timeout_ms < 0 ? -1 : quire_proc_now_ms() + timeout_ms;
    for (;;) {
        long long next = advance(b);
        for (size_t i = 0; i < n; i++) {
            if (b->r[roles[i]].ended) {
                *which = i;
                *status = b->r[roles[i]].status;
                return 0;
            }
        }
        long long now = quire_proc_now_ms();
        if (deadline >= 0 && now >= deadline) return QUIRE_ERR_TIMEOUT;
        long long until = deadline;
        if (next >= 0 && (until < 0 || next < until)) until = next;
        /* nothing scripted to end and no deadline: sleep in slices so a signal is seen */
        long long ms = until < 0 ? 1000 : until - now;
        int rc = quire_proc_sleep((int)(ms > 1000 ? 1000 : ms));
        if (rc) return rc;
    }
}

static int server_bound(void *state, unsigned port)
{
    (void)port;
    return server_ready(state);
}

/* Addresses in the benchmarking range, as the netns test bed's; nothing is ever sent. */
static int address(void *state, quire_role role, int v6, char *buf, size_t len)
{
    (void)state;
    static const char *const a[QUIRE_ROLE_COUNT][2] = {
        {"198.18.0.100", "2001:2:0:1::100"}, {"198.18.0.1", "2001:2:0:1::1"},
        {"198.19.0.100", "2001:2:0:2::100"}};
    if ((unsigned)role >= QUIRE_ROLE_COUNT) return QUIRE_ERR_INVALID;
    int n = snprintf(buf, len, "%s", a[role][v6 ? 1 : 0]);
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

static int netns_of(void *state, quire_role role, char *buf, size_t len)
{
    (void)state;
    (void)role;
    (void)buf;
    (void)len;
    return QUIRE_ERR_UNSUPPORTED; /* no namespaces: nothing can run "in" a fake role */
}

static int stop(void *state, quire_role role, int grace_ms, int *status)
{
    bed *b = state;
    if ((unsigned)role >= QUIRE_ROLE_COUNT || !b->r[role].started) return QUIRE_ERR_INVALID;
    advance(b);
    role_state *r = &b->r[role];
    const quire_fake_role *fr = &b->script->role[role];
    if (b->rec) {
        b->rec->stops[role]++;
        b->rec->stop_grace_ms[role] = grace_ms;
        if (!r->ended) b->rec->stopped_running[role] = 1;
    }
    if (!r->ended) {
        r->ended = 1;
        r->status = fr->term_code >= 0 ? exited_with(fr->term_code) : killed_by(SIGTERM);
    }
    *status = r->status;
    return 0;
}

static int limit_hit(void *state, quire_role role, char *buf, size_t len)
{
    bed *b = state;
    if ((unsigned)role >= QUIRE_ROLE_COUNT || !b->script->role[role].limit_hit) return 0;
    snprintf(buf, len, "%s", b->script->role[role].limit_hit);
    return 1;
}

static int destroy(void *state)
{
    bed *b = state;
    if (!b) return 0;
    if (b->rec) b->rec->destroyed++;
    free(b);
    return 0;
}

static void cleanup(const char *run_id, unsigned n, const void *cfg)
{
    (void)run_id;
    (void)n;
    (void)cfg; /* nothing outlives a fake test bed */
}

const quire_backend_ops quire_backend_fake = {
    .name = "fake",
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
    .cleanup = cleanup,
};
