/* The environments of an experiment's test (see envs.h). */
#include "experiment/envs.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "util/err.h"

typedef quire_yerr sctx;

static const char *const exenv_names[] = {"strace",    "memcheck",   "helgrind", "perf",
                                           "iterations", "gperf_cpu", "gperf_heap", "gdb"};

const char *quire_exenv_name(quire_exenv_kind k)
{
    return exenv_names[k];
}
/* --- network environment --- */

static const char *const net_keys[] = {"type",  "scenario", "delay",  "bandwidth",
                                       "queue", "loss",     "jitter", NULL};

static int build_scenario(sctx *c, const quire_ynode *at, const char *delay, const char *bw,
                          const char *queue, const char *loss, quire_strs *out)
{
    char sc[512];
    if (loss && strcmp(loss, "0"))
        snprintf(sc, sizeof sc,
                 "drop-rate --delay=%s --bandwidth=%s --queue=%s "
                 "--rate_to_server=%s --rate_to_client=%s",
                 delay, bw, queue, loss, loss);
    else
        snprintf(sc, sizeof sc, "simple-p2p --delay=%s --bandwidth=%s --queue=%s", delay, bw,
                 queue);
    quire_scenario s;
    char err[256], *argv[1] = {sc};
    if (quire_scenario_parse(&s, 1, argv, err, sizeof err)) {
        quire_yerr_add(c, at, "network_environment: %s", err);
        return QUIRE_ERR_INVALID;
    }
    char **m = realloc(out->s, (out->n + 1) * sizeof *m);
    if (!m) return QUIRE_ERR_NOMEM;
    out->s = m;
    out->s[out->n++] = strdup(sc);
    return 0;
}

static void parse_network(sctx *c, const quire_ynode *t, quire_xtest *xt)
{
    const quire_ynode *n = quire_ynode_get(t, "network_environment");
    if (n && n->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(c, n, "network_environment: expected a mapping");
        return;
    }
    quire_yerr_check_keys(c, n, "network_environment", net_keys);
    const char *type = quire_ynode_str(quire_ynode_get(n, "type"));
    /* PANTHER's names (docs/experiments.md, "Network environments"): localhost and
     * localhost_single_container put the services on one host with nothing between them;
     * quire keeps them in its own namespaces with an unshaped simulator link (no delay, no
     * loss, 10 Gbit/s) so the capture and the isolation stay. shadow_ns (the Shadow simulator
     * in a namespace) is the netns test bed with the delay / bandwidth / loss it gives. */
    int plain = type && (!strcmp(type, "localhost") || !strcmp(type, "localhost_single_container"));
    /* docker_compose: every service a container, as PANTHER's compose file makes them, on the
     * container test bed (two networks with the simulator's container between them); like
     * PANTHER's compose network it is unshaped unless the test gives delay, bandwidth, ... */
    int compose = type && !strcmp(type, "docker_compose");
    if (type && strcmp(type, "netns") && strcmp(type, "shadow_ns") && !plain && !compose)
        quire_yerr_add(c, quire_ynode_get(n, "type"),
                       "network_environment.type: '%s' is not available: quire's network "
                       "environments are netns, docker_compose, localhost, "
                       "localhost_single_container and shadow_ns",
                       type);
    xt->containers = compose;
    if (plain) {
        static const char *const shaping[] = {"scenario", "delay", "bandwidth", "queue", "loss"};
        for (size_t i = 0; i < sizeof shaping / sizeof shaping[0]; i++)
            if (quire_ynode_get(n, shaping[i]))
                quire_yerr_add(c, quire_ynode_get(n, shaping[i]),
                               "network_environment.%s: type '%s' has no network in between "
                               "to shape (use type: netns or shadow_ns)",
                               shaping[i], type);
        if (quire_ynode_get(t, "sweep"))
            quire_yerr_add(c, quire_ynode_get(t, "sweep"),
                           "sweep: type '%s' has no network in between to sweep (use type: "
                           "netns or shadow_ns)", type);
        build_scenario(c, n, "0ms", "10Gbps", "10000", NULL, &xt->scenarios);
        return;
    }
    if (quire_ynode_get(n, "jitter"))
        quire_yerr_add(c, quire_ynode_get(n, "jitter"),
             "network_environment.jitter: the simulator has "
             "no jitter model (fixed delay only)");
    const char *scen = quire_ynode_str(quire_ynode_get(n, "scenario"));
    const char *val[4] = {"15ms", "10Mbps", "25", NULL};
    if (compose) { /* no network in between unless asked */
        val[0] = "0ms";
        val[1] = "10Gbps";
        val[2] = "10000";
    }
    static const char *const keys[4] = {"delay", "bandwidth", "queue", "loss"};
    for (int i = 0; i < 4; i++) {
        const quire_ynode *v = quire_ynode_get(n, keys[i]);
        if (v && !quire_ynode_str(v))
            quire_yerr_add(c, v, "network_environment.%s: expected a scalar", keys[i]);
        else if (v)
            val[i] = v->str;
        if (v && scen)
            quire_yerr_add(c, v, "network_environment: give either 'scenario' or '%s', not both", keys[i]);
    }
    const quire_ynode *sw = quire_ynode_get(t, "sweep");
    if (sw) {
        if (sw->kind != QUIRE_YNODE_MAP || sw->n != 1 || sw->vals[0]->kind != QUIRE_YNODE_SEQ ||
            !sw->vals[0]->n || sw->vals[0]->n > QUIRE_SPEC_MAX_SWEEP) {
            quire_yerr_add(c, sw,
                 "sweep: expected one network setting with a list of 1 to %d values, e.g. "
                 "'sweep: {delay: [10ms, 50ms]}'",
                 QUIRE_SPEC_MAX_SWEEP);
            return;
        }
        int which = quire_yname_index(sw->keys[0]->str, QUIRE_YNAMES(keys));
        if (which < 0) {
            quire_yerr_add(c, sw->keys[0], "sweep: '%s' cannot be swept (delay, bandwidth, queue, loss)",
                 sw->keys[0]->str);
            return;
        }
        if (scen) quire_yerr_add(c, sw, "sweep: not possible with a scenario string");
        xt->sweep_var = strdup(sw->keys[0]->str);
        for (size_t i = 0; i < sw->vals[0]->n; i++) {
            const quire_ynode *v = sw->vals[0]->vals[i];
            if (!quire_ynode_str(v)) {
                quire_yerr_add(c, v, "sweep: values must be scalars");
                continue;
            }
            char **m = realloc(xt->sweep.s, (xt->sweep.n + 1) * sizeof *m);
            if (!m) return;
            xt->sweep.s = m;
            xt->sweep.s[xt->sweep.n++] = strdup(v->str);
            const char *cur[4] = {val[0], val[1], val[2], val[3]};
            cur[which] = v->str;
            build_scenario(c, v, cur[0], cur[1], cur[2], cur[3], &xt->scenarios);
        }
        return;
    }
    if (scen) {
        quire_scenario s;
        char err[256], *argv[1] = {(char *)scen};
        if (quire_scenario_parse(&s, 1, argv, err, sizeof err))
            quire_yerr_add(c, quire_ynode_get(n, "scenario"), "network_environment.scenario: %s", err);
        else {
            xt->scenarios.s = malloc(sizeof(char *));
            if (xt->scenarios.s) xt->scenarios.s[xt->scenarios.n++] = strdup(scen);
        }
        return;
    }
    build_scenario(c, n ? n : t, val[0], val[1], val[2], val[3], &xt->scenarios);
}

/* --- execution environments --- */

static void parse_exenvs(sctx *c, const quire_ynode *t, quire_xtest *xt)
{
    static const char *const keys[] = {"type", "count", "services", "suppressions", NULL};
    const quire_ynode *n = quire_ynode_get(t, "execution_environment");
    xt->iterations = 1;
    if (!n || n->is_null) return;
    if (n->kind != QUIRE_YNODE_SEQ) {
        quire_yerr_add(c, n, "execution_environment: expected a list, e.g. [{type: memcheck}]");
        return;
    }
    if (!(xt->envs = calloc(n->n ? n->n : 1, sizeof *xt->envs))) return;
    for (size_t i = 0; i < n->n; i++) {
        const quire_ynode *e = n->vals[i];
        const char *type = quire_ynode_str(e);
        if (e->kind == QUIRE_YNODE_MAP) {
            quire_yerr_check_keys(c, e, "execution_environment", keys);
            type = quire_yerr_need_str(c, e, "type", "execution_environment");
        }
        if (!type) {
            if (e->kind != QUIRE_YNODE_MAP) quire_yerr_add(c, e, "execution_environment: expected a type");
            continue;
        }
        char known[160];
        quire_yname_list(known, sizeof known, QUIRE_YNAMES(exenv_names));
        int k = quire_yname_index(type, QUIRE_YNAMES(exenv_names));
        if (k < 0) {
            quire_yerr_add(c, e->kind == QUIRE_YNODE_MAP ? quire_ynode_get(e, "type") : e,
                 "execution_environment: unknown type '%s' (known: %s)", type, known);
            continue;
        }
        quire_exenv *x = &xt->envs[xt->nenvs++];
        x->kind = (quire_exenv_kind)k;
        if (x->kind == QUIRE_EXENV_ITERATIONS) {
            const quire_ynode *cn = quire_ynode_get(e, "count");
            if (!cn)
                quire_yerr_add(c, e, "execution_environment: iterations needs 'count'");
            else if (!quire_yerr_uint(c, cn, "iterations.count", 1, QUIRE_SPEC_MAX_ITERATIONS, &x->count))
                xt->iterations = x->count;
        }
        const quire_ynode *sp = quire_ynode_get(e, "suppressions");
        if (sp) {
            const char *f = quire_ynode_str(sp);
            char path[PATH_MAX], abs[PATH_MAX];
            const char *slash = strrchr(c->file, '/');
            if (x->kind != QUIRE_EXENV_MEMCHECK && x->kind != QUIRE_EXENV_HELGRIND)
                quire_yerr_add(c, sp, "suppressions: only for memcheck and helgrind");
            else if (!f)
                quire_yerr_add(c, sp, "suppressions: expected a file name");
            else {
                if (f[0] == '/' || !slash)
                    snprintf(path, sizeof path, "%s", f);
                else
                    snprintf(path, sizeof path, "%.*s/%s", (int)(slash - c->file), c->file, f);
                if (!realpath(path, abs))
                    quire_yerr_add(c, sp,
                         "suppressions: cannot open '%s' (relative to the experiment "
                         "file)",
                         f);
                else
                    x->suppressions = strdup(abs);
            }
        }
        const quire_ynode *sv = quire_ynode_get(e, "services");
        if (sv && sv->kind == QUIRE_YNODE_SEQ) {
            for (size_t j = 0; j < sv->n; j++) {
                const char *s = quire_ynode_str(sv->vals[j]);
                if (!s || !quire_ynode_get(quire_ynode_get(t, "services"), s)) {
                    quire_yerr_add(c, sv->vals[j],
                         "execution_environment.services: '%s' is not a service "
                         "of this test",
                         s ? s : "?");
                    continue;
                }
                char **m = realloc(x->services.s, (x->services.n + 1) * sizeof *m);
                if (!m) return;
                x->services.s = m;
                x->services.s[x->services.n++] = strdup(s);
            }
        } else if (sv) {
            quire_yerr_add(c, sv, "execution_environment.services: expected a list of service names");
        }
    }
}

/* Whether a and b can wrap the same service: gdb and strace/valgrind all need ptrace or the
 * whole process; the gperftools preloads do not work under valgrind (it replaces malloc). */
static const char *clash(quire_exenv_kind a, quire_exenv_kind b)
{
    int va = a == QUIRE_EXENV_MEMCHECK || a == QUIRE_EXENV_HELGRIND;
    int vb = b == QUIRE_EXENV_MEMCHECK || b == QUIRE_EXENV_HELGRIND;
    int ga = a == QUIRE_EXENV_GPERF_CPU || a == QUIRE_EXENV_GPERF_HEAP;
    int gb = b == QUIRE_EXENV_GPERF_CPU || b == QUIRE_EXENV_GPERF_HEAP;
    if ((a == QUIRE_EXENV_GDB && (vb || b == QUIRE_EXENV_STRACE)) ||
        (b == QUIRE_EXENV_GDB && (va || a == QUIRE_EXENV_STRACE)))
        return "both need to trace the process (ptrace): give them to different services";
    if ((ga && vb) || (gb && va))
        return "valgrind replaces malloc and ignores LD_PRELOAD profilers: give them to "
               "different services";
    return NULL;
}

static int overlap(const quire_exenv *a, const quire_exenv *b)
{
    if (!a->services.n || !b->services.n) return 1;
    for (size_t i = 0; i < a->services.n; i++)
        for (size_t j = 0; j < b->services.n; j++)
            if (!strcmp(a->services.s[i], b->services.s[j])) return 1;
    return 0;
}

static void check_clashes(sctx *c, const quire_ynode *n, const quire_xtest *xt)
{
    for (size_t i = 0; i < xt->nenvs; i++)
        for (size_t j = i + 1; j < xt->nenvs; j++) {
            const char *why = clash(xt->envs[i].kind, xt->envs[j].kind);
            if (why && overlap(&xt->envs[i], &xt->envs[j]))
                quire_yerr_add(c, n, "execution_environment: %s and %s on the same service: %s",
                               exenv_names[xt->envs[i].kind], exenv_names[xt->envs[j].kind], why);
        }
}

int quire_exenv_applies(const quire_exenv *e, const char *service)
{
    if (e->kind == QUIRE_EXENV_ITERATIONS) return 0;
    if (!e->services.n) return 1;
    for (size_t i = 0; i < e->services.n; i++)
        if (!strcmp(e->services.s[i], service)) return 1;
    return 0;
}

int quire_envs_parse_network(const char *file, quire_ydiag *g, const quire_ynode *test,
                             quire_xtest *xt)
{
    sctx c = {.file = file, .g = g};
    parse_network(&c, test, xt);
    return c.errors;
}

int quire_envs_parse_exec(const char *file, quire_ydiag *g, const quire_ynode *test,
                          quire_xtest *xt)
{
    sctx c = {.file = file, .g = g};
    parse_exenvs(&c, test, xt);
    if (xt->envs) check_clashes(&c, quire_ynode_get(test, "execution_environment"), xt);
    return c.errors;
}
