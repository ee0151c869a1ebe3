/* What the backends share (see backend.h): the role names, the log helper, and the wait op
 * over quire_proc children. */
#include "backend/backend.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/err.h"

const char *quire_role_name(quire_role role)
{
    switch (role) {
    case QUIRE_ROLE_CLIENT:
        return "client";
    case QUIRE_ROLE_SIM:
        return "sim";
    case QUIRE_ROLE_SERVER:
        return "server";
    }
    return "?";
}

void quire_backend_logf(quire_backend_log_fn log, void *arg, const char *fmt, ...)
{
    if (!log) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log(arg, line);
}

void quire_backend_release_procs(quire_proc *procs, const int *started)
{
    for (int r = 0; r < QUIRE_ROLE_COUNT; r++)
        if (started[r]) quire_proc_release(&procs[r]);
}

int quire_backend_wait_procs(quire_proc *procs, const int *started, const quire_role *roles,
                             size_t n, int timeout_ms, size_t *which, int *status)
{
    quire_proc *ps[QUIRE_ROLE_COUNT];
    if (n == 0 || n > QUIRE_ROLE_COUNT) return QUIRE_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)roles[i] >= QUIRE_ROLE_COUNT || !started[roles[i]]) return QUIRE_ERR_INVALID;
        ps[i] = &procs[roles[i]];
    }
    size_t w = 0;
    int rc = quire_proc_wait_any(ps, n, timeout_ms, &w);
    if (rc) return rc;
    *which = w;
    *status = ps[w]->status;
    return 0;
}
