/* One test's test bed as both runners drive it (see testbed.h). */
#include "run/testbed.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend_netns.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

void quire_bed_init(quire_bed *b, const quire_backend_ops *be, int echo, const char *echo_prefix)
{
    memset(b, 0, sizeof *b);
    b->be = be ? be : &quire_backend_netns;
    b->echo = echo;
    b->echo_prefix = echo_prefix ? echo_prefix : "";
    b->log_fd = -1;
}

int quire_bed_log_open(quire_bed *b, const char *log_path)
{
    if (b->log_fd >= 0) close(b->log_fd);
    b->log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return b->log_fd < 0 ? QUIRE_ERR_IO : 0;
}

static void vlog(quire_bed *b, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03ld quire: ", ts.tv_nsec / 1000000);
    int head = n;
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    if (b->log_fd >= 0 && write(b->log_fd, line, len) < 0) {
        /* best effort: a full disk must not end the run here */
    }
    if (b->echo) {
        if (b->echo_prefix[0])
            fprintf(stderr, "%s%.*s", b->echo_prefix, (int)(len - (size_t)head), line + head);
        else if (write(2, line, len) < 0) {
        }
    }
}

void quire_bed_log(quire_bed *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(b, fmt, ap);
    va_end(ap);
}

static void backend_line(void *arg, const char *line)
{
    quire_bed_log(arg, "%s", line);
}

int quire_bed_create(quire_bed *b, quire_testbed_spec *spec, char *why, size_t whylen)
{
    spec->log = backend_line;
    spec->log_arg = b;
    void *state = NULL;
    int rc = b->be->create(&state, spec, why, whylen);
    b->state = state; /* destroy frees it, also after a failed create */
    if (rc) quire_bed_log(b, "%s", why);
    return rc;
}

int quire_bed_start(quire_bed *b, const quire_role_spec *spec, const char *detail, char *why,
                    size_t whylen)
{
    char what[4300];
    b->be->describe(b->state, spec, what, sizeof what);
    if (spec->role == QUIRE_ROLE_SIM)
        quire_bed_log(b, "starting the simulator%s%s%s%s", what[0] ? " " : "", what,
                      detail ? ": " : "", detail ? detail : "");
    else
        quire_bed_log(b, "starting %s %s: %s%s%s%s", quire_role_name(spec->role), spec->name, what,
                      detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
    int rc = b->be->start(b->state, spec, why, whylen);
    if (rc)
        quire_bed_log(b, "%s", why);
    else
        b->started[spec->role] = 1;
    return rc;
}

int quire_bed_start_sim(quire_bed *b, const quire_sim_spec *sim, const char *output, char *why,
                        size_t whylen)
{
    quire_role_spec spec = {.role = QUIRE_ROLE_SIM, .name = "sim", .output = output, .sim = sim};
    char detail[700];
    snprintf(detail, sizeof detail, "scenario %s%s", sim->scenario ? sim->scenario : "",
             sim->kernel ? " (kernel forwarding)" : "");
    return quire_bed_start(b, &spec, detail, why, whylen);
}

int quire_bed_wait(quire_bed *b, const quire_role *roles, size_t n, int timeout_ms, size_t *which)
{
    int status = 0;
    int rc = b->be->wait(b->state, roles, n, timeout_ms, which, &status);
    if (rc) return rc;
    b->ended[roles[*which]] = 1;
    b->status[roles[*which]] = status;
    return 0;
}

int quire_bed_wait_ready(quire_bed *b, const char *ready, unsigned port, long long deadline)
{
    quire_role roles[2];
    size_t n = 0;
    if (b->started[QUIRE_ROLE_SERVER]) roles[n++] = QUIRE_ROLE_SERVER;
    if (b->started[QUIRE_ROLE_SIM]) roles[n++] = QUIRE_ROLE_SIM;
    for (;;) {
        if (ready ? quire_fs_exists(ready)
                  : b->be->server_bound && b->be->server_bound(b->state, port))
            return 0;
        long long left = deadline - quire_proc_now_ms();
        if (left <= 0) return QUIRE_ERR_TIMEOUT;
        int slice = left < 10 ? (int)left : 10;
        size_t which = 0;
        int rc = n ? quire_bed_wait(b, roles, n, slice, &which) : quire_proc_sleep(slice);
        if (rc == 0 && n) return 1;
        if (rc && rc != QUIRE_ERR_TIMEOUT) return rc;
    }
}

int quire_bed_stop(quire_bed *b, quire_role role, int grace_ms)
{
    if ((unsigned)role >= QUIRE_ROLE_COUNT || !b->started[role]) return QUIRE_ERR_INVALID;
    int status = 0;
    int rc = b->be->stop(b->state, role, grace_ms, &status);
    if (rc) quire_bed_log(b, "stopping the %s: %s", quire_role_name(role), quire_strerror(rc));
    b->ended[role] = 1;
    b->status[role] = status;
    return rc;
}

int quire_bed_running(const quire_bed *b, quire_role role)
{
    return (unsigned)role < QUIRE_ROLE_COUNT && b->started[role] && !b->ended[role];
}

int quire_bed_address(quire_bed *b, quire_role role, int v6, char *buf, size_t len)
{
    return b->state ? b->be->address(b->state, role, v6, buf, len) : QUIRE_ERR_INVALID;
}

int quire_bed_netns(quire_bed *b, quire_role role, char *buf, size_t len)
{
    return b->state ? b->be->netns_of(b->state, role, buf, len) : QUIRE_ERR_INVALID;
}

int quire_bed_destroy(quire_bed *b)
{
    if (!b->be || !b->state) return 0;
    for (int r = 0; r < QUIRE_ROLE_COUNT && b->be->limit_hit; r++)
        if (b->started[r] && b->be->limit_hit(b->state, (quire_role)r, b->limit_hit[r],
                                              sizeof b->limit_hit[r]) == 1)
            quire_bed_log(b, "limit: %s", b->limit_hit[r]);
    int rc = b->be->destroy(b->state);
    if (rc) quire_bed_log(b, "testbed teardown (%s): %s", b->be->name, quire_strerror(rc));
    b->state = NULL;
    memset(b->started, 0, sizeof b->started);
    return rc;
}

void quire_bed_close(quire_bed *b)
{
    quire_bed_destroy(b);
    if (b->log_fd >= 0) close(b->log_fd);
    b->log_fd = -1;
}
