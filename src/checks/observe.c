/* One walk of a capture for any set of observers (see observe.h). */
#include "checks/observe.h"

#include "util/err.h"

typedef struct walk {
    quire_observer *obs;
    size_t n;
} walk;

static void on_packet(const quire_trace *t, const quire_conn_packet *p, void *arg)
{
    walk *w = arg;
    for (size_t i = 0; i < w->n; i++)
        if (w->obs[i].step && (!p->late_frame || w->obs[i].late))
            w->obs[i].step(w->obs[i].state, t, p);
}

int quire_observe_run(quire_trace *t, const char *capture, const void *data, size_t len,
                      const char *keylog, quire_observer *obs, size_t n)
{
    if (n > QUIRE_OBSERVE_MAX) return QUIRE_ERR_INVALID;
    walk w = {.obs = obs, .n = n};
    quire_trace_opts o = {.keylog = keylog, .on_packet = on_packet, .arg = &w};
    int rc = data ? quire_trace_run_mem(t, data, len, &o) : quire_trace_run(t, capture, &o);
    if (rc == 0)
        for (size_t i = 0; i < n; i++)
            if (obs[i].finish) obs[i].finish(obs[i].state, t);
    return rc;
}
