/* Spec rules: a table of MUSTs from RFC 9000 (transport), RFC 9001 (TLS, key update), RFC 9002
 * (recovery), RFC 9287 (greasing the QUIC bit) and RFC 9369 (QUIC v2) that can be checked on a
 * decoded capture, and a trace observer (checks/observe.h) that runs them over one walk of the
 * capture and collects the violations: which rule, the endpoint that broke it, the capture
 * frame and what was seen. Rules fire only on clear evidence: a capture is taken at one point
 * of the path, so packets may be lost after it, duplicated or reordered before it, and packets
 * quire cannot decrypt hide facts; every rule says in its check what it waives for that. Rules
 * whose evidence depends on the sender's order of packets (packet numbers increasing, no
 * Handshake packet after HANDSHAKE_DONE) run only for the endpoints the capture is next to
 * (quire_spec_set_near). Rules can be switched off by name. The checks are in spec_packet.c
 * (headers, packet numbers, ACKs, frames per packet type, key updates), spec_tp.c (transport
 * parameters and connection IDs) and spec_flow.c (stream and CRYPTO data, flow control). */
#ifndef QUIRE_SPEC_H
#define QUIRE_SPEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/observe.h"
#include "trace/trace.h"

/* Who a rule binds. */
typedef enum quire_spec_side {
    QUIRE_SPEC_CLIENT = 1,
    QUIRE_SPEC_SERVER = 2,
    QUIRE_SPEC_BOTH = 3,
} quire_spec_side;

/* One rule of the table. */
typedef struct quire_spec_rule {
    const char *name; /* kebab-case, e.g. "client-initial-1200" */
    const char *rfc;  /* "RFC 9000 14.1" */
    quire_spec_side side;
    const char *text; /* one line: what the endpoint must (not) do */
} quire_spec_rule;

/* One violation. */
typedef struct quire_spec_violation {
    size_t rule;      /* index into quire_spec_rules() */
    int from_client;  /* the endpoint that broke the rule: 1 client, 0 server */
    uint64_t frame;   /* capture frame (1-based) where it was seen, 0 at the end */
    size_t conn;      /* the decoder's connection index */
    char detail[200]; /* what was seen */
} quire_spec_violation;

#define QUIRE_SPEC_MAX_VIOLATIONS 256 /* kept; all are counted */
#define QUIRE_SPEC_MAX_RULES 64

struct spec_conn; /* per-connection state, private to spec/ */

typedef struct quire_spec {
    char capture[256];                 /* for messages */
    uint8_t off[QUIRE_SPEC_MAX_RULES]; /* 1: rule switched off */
    int near;                          /* QUIRE_SPEC_CLIENT / SERVER / BOTH, 0 unknown */
    quire_spec_violation *v;           /* kept violations, capture order */
    size_t nv;
    uint64_t count;                          /* all violations */
    uint64_t per_rule[QUIRE_SPEC_MAX_RULES]; /* all violations, by rule */
    uint64_t checked[QUIRE_SPEC_MAX_RULES];  /* times each rule had something to judge */
    int nomem;                               /* a state allocation failed: some checks skipped */
    struct spec_conn **conns;                /* by the decoder's connection index */
    size_t nconns;
} quire_spec;

/* The rule table and its size. */
const quire_spec_rule *quire_spec_rules(size_t *n);
/* The index of the rule named name, or QUIRE_ERR_NOTFOUND. */
int quire_spec_rule_find(const char *name);

/* Caller storage; capture names the capture in messages (may be NULL). _free releases the
 * state (safe after _init only). */
void quire_spec_init(quire_spec *s, const char *capture);
void quire_spec_free(quire_spec *s);
/* Switches a rule off by name: 0, or QUIRE_ERR_NOTFOUND. */
int quire_spec_ignore(quire_spec *s, const char *name);
/* The endpoints the capture is next to (their packets are seen in the order they sent them):
 * QUIRE_SPEC_CLIENT, QUIRE_SPEC_SERVER, QUIRE_SPEC_BOTH, or 0 when unknown (the default). */
void quire_spec_set_near(quire_spec *s, int near);

/* The observer over s (never fails; running out of memory sets s->nomem). */
quire_observer quire_spec_observer(quire_spec *s);
/* What the observer calls, for tests that drive it with packets built in memory: step for
 * each packet, finish once at the end (the connections' final TLS summaries). */
void quire_spec_step(quire_spec *s, const quire_conn_packet *p);
void quire_spec_finish_conn(quire_spec *s, const quire_conn *c);

/* Runs the rules over a capture file with an optional key log (one walk): 0, or the
 * decoder's error (t->capture_error). t is the caller's, freed by quire_trace_free(). */
int quire_spec_check_file(quire_spec *s, quire_trace *t, const char *capture, const char *keylog);

/* How many rules (switched on) had something to judge in the capture: a clean verdict from
 * rules that never had evidence says little. */
size_t quire_spec_rules_judged(const quire_spec *s);

/* Formats one violation as a line: "client-initial-1200 (RFC 9000 14.1) client frame 3:
 * detail". */
const char *quire_spec_violation_str(const quire_spec_violation *v, char *buf, size_t len);
/* Appends the kept violations of s to the JSON array arr, each {"rule", "rfc", "endpoint",
 * "connection", "frame", "detail"} and "capture" when capture is not NULL. Returns 0 or
 * QUIRE_ERR_NOMEM. */
int quire_spec_json_violations(const quire_spec *s, const char *capture, json_t *arr);
/* The verdict over several captures (a test's two) as compact JSON text into out:
 * {"clean": bool, "count": n, "violations": [... with "capture" names[i]], "listed": k when
 * not all kept ones fit, "incomplete": true when memory ran out}. Returns 0, or
 * QUIRE_ERR_NOMEM / QUIRE_ERR_INVALID (outlen too small even for the summary). */
int quire_spec_verdict_json(const quire_spec *const *specs, const char *const *names, size_t n,
                            char *out, size_t outlen);
/* "client", "server" or "both". */
const char *quire_spec_side_name(quire_spec_side side);

#endif
