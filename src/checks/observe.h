/* Trace observers: small units that each keep their own state and look at every packet the
 * trace decoder (trace/trace.h) hands out, composed so that one walk of a capture feeds every
 * observer a consumer asks for (the test-case checks' facts, the experiment assertions, ...).
 * An observer is a step function called for each decoded packet (with its frames, in capture
 * order) and a finish function called once after the walk, when the decoder's per-connection
 * summaries are complete. The observers themselves live with their theme: checks/facts.c
 * (what the test-case judges read), checks/observe_conn.c (per-connection timing, closes and
 * Retry-token echo, what the experiment assertions read). */
#ifndef QUIRE_OBSERVE_H
#define QUIRE_OBSERVE_H

#include <stddef.h>

#include "trace/trace.h"

typedef struct quire_observer {
    const char *name; /* for messages */
    void *state;      /* the observer's own state, owned by the caller */
    /* called for each decoded packet; may be NULL */
    void (*step)(void *state, const quire_trace *t, const quire_conn_packet *p);
    /* 1: step also gets the packets decoded late, once their keys arrived (late_frame set,
     * see trace/conn.h); 0: only each packet's first report, in capture order (what tshark
     * shows, which the QIR test-case checks follow) */
    int late;
    /* called once after a walk that read the capture (rc 0), before the trace is handed back;
     * may be NULL */
    void (*finish)(void *state, const quire_trace *t);
} quire_observer;

#define QUIRE_OBSERVE_MAX 16

/* Walks the capture file capture (data NULL) or the capture in memory data/len once with the
 * key log keylog (NULL: none), feeding every packet to the n observers in order, then calls
 * their finish functions when the capture was read. t is the caller's, zeroed: it keeps the
 * decoder's per-connection summaries afterwards and must be freed with quire_trace_free() in
 * every case. Returns 0, QUIRE_ERR_INVALID when n exceeds QUIRE_OBSERVE_MAX, or the decoder's
 * negative error (t->capture_error says why). */
int quire_observe_run(quire_trace *t, const char *capture, const void *data, size_t len,
                      const char *keylog, quire_observer *obs, size_t n);

#endif
