/* Experiment files: parsing and validation against the plugins (see spec.h). */
#include "experiment/spec.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/envs.h"
#include "experiment/render.h"
#include "sim/scenario.h"
#include "util/err.h"
#include "util/fs.h"

typedef struct sctx {
    quire_yerr e;
    quire_experiment *x;
} sctx;

static const char *const assert_names[] = {"service_responsive",          "data_integrity",
                                           "performance_threshold",       "protocol_compliance",
                                           "execution_environment_clean", "service_exit"};
static const char *const metric_names[] = {"handshake_time", "time_to_first_byte", "goodput"};
static const char *const check_names[] = {"no_packets_after_close", "retry_token_echoed",
                                          "version_chosen", "handshake_completed"};

const char *quire_assert_name(quire_assert_kind k)
{
    return assert_names[k];
}
const char *quire_metric_name(quire_metric m)
{
    return metric_names[m];
}
const char *quire_compliance_name(quire_compliance c)
{
    return check_names[c];
}

int quire_spec_parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-') return QUIRE_ERR_INVALID;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return QUIRE_ERR_INVALID;
    uint64_t mul = 1;
    if (!*end || !strcmp(end, "B"))
        mul = 1;
    else if (!strcmp(end, "KiB") || !strcmp(end, "KB") || !strcmp(end, "k"))
        mul = 1024;
    else if (!strcmp(end, "MiB") || !strcmp(end, "MB") || !strcmp(end, "M"))
        mul = 1024 * 1024;
    else
        return QUIRE_ERR_INVALID;
    if (v > (1ull << 34) / mul) return QUIRE_ERR_INVALID; /* 16 GiB is plenty */
    *out = v * mul;
    return 0;
}

static int get_time_ms(sctx *c, const quire_ynode *n, const char *what, double *ms)
{
    const char *s = quire_ynode_str(n);
    uint64_t ns;
    if (!s || quire_scenario_parse_time(s, &ns)) {
        quire_yerr_add(&c->e, n, "%s: expected a time such as 500ms or 2s, got '%s'", what,
                       s ? s : quire_ynode_kind_name(n));
        return QUIRE_ERR_INVALID;
    }
    *ms = (double)ns / 1e6;
    return 0;
}

/* PANTHER keys quire reads but cannot honour: each present one is an error with the reason. */
typedef struct refused_key {
    const char *key, *why;
} refused_key;

static void refuse_keys(sctx *c, const quire_ynode *n, const char *what, const refused_key *r,
                        size_t nr)
{
    for (size_t i = 0; i < nr; i++) {
        const quire_ynode *v = quire_ynode_get(n, r[i].key);
        if (v) quire_yerr_add(&c->e, v, "%s.%s: not supported: %s", what, r[i].key, r[i].why);
    }
}

/* --- services --- */

/* Variables the runner provides (see runner.c); config may not set them. */
static const char *const runner_vars[] = {"role",        "requests", "server_ip4", "server_ip6",
                                          "server_host", "testcase", "service",    NULL};

static void parse_config(sctx *c, const char *what, const quire_ynode *cf, quire_service *s)
{
    for (size_t i = 0; i < cf->n; i++) {
        const char *name = cf->keys[i]->str;
        const char *var = s->plugin ? quire_plugin_alias(s->plugin, name) : name;
        const quire_ynode *v = cf->vals[i];
        if (!strcmp(name, "transport_params") && v->kind == QUIRE_YNODE_MAP) continue;
        if (v->kind != QUIRE_YNODE_SCALAR) {
            quire_yerr_add(&c->e, v, "%s.config.%s: expected a scalar", what, var);
            continue;
        }
        if (quire_yname_index(var, runner_vars, 7) >= 0) {
            quire_yerr_add(&c->e, cf->keys[i], "%s.config.%s: set by quire, not configurable", what,
                           var);
            continue;
        }
        if (s->plugin && !quire_plugin_has_var(s->plugin, s->version, var)) {
            quire_yerr_add(&c->e, cf->keys[i], "%s.config: plugin '%s' has no variable '%s'", what,
                           s->plugin->name, var);
            continue;
        }
        const quire_strs *ch = s->plugin ? quire_plugin_choices(s->plugin, var) : NULL;
        if (ch && !v->is_null) {
            int ok = 0;
            for (size_t k = 0; k < ch->n && !ok; k++)
                ok = !strcmp(ch->s[k], v->str);
            if (!ok) {
                char known[300];
                quire_yname_list(known, sizeof known, (const char *const *)ch->s, ch->n);
                quire_yerr_add(&c->e, v, "%s.config.%s: '%s' is not allowed (choose from: %s)",
                               what, var, v->str, known);
                continue;
            }
        }
        quire_vars_set(&s->config, var, v->is_null ? NULL : v->str);
    }
}

static void parse_service(sctx *c, const quire_ynode *key, const quire_ynode *n, quire_service *s)
{
    static const char *const keys[] = {"name",    "implementation", "version",  "role", "target",
                                       "timeout", "config",         "protocol", "ports", NULL};
    static const refused_key refused[] = {
        {"ports", "PANTHER publishes container ports with it (docker_compose); quire's services "
                  "reach each other directly inside the testbed, the server's port is "
                  "config.server_port"}};
    s->name = strdup(key->str);
    s->role = -1; /* until a valid one is read */
    s->line = key->line;
    s->col = key->col;
    s->timeout_s = 60;
    char what[160];
    snprintf(what, sizeof what, "services.%s", key->str);
    if (n->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(&c->e, n, "%s: expected a mapping (implementation, role, ...)", what);
        return;
    }
    quire_yerr_check_keys(&c->e, n, what, keys);
    refuse_keys(c, n, what, refused, sizeof refused / sizeof refused[0]);
    for (const char *p = key->str; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p)) {
            quire_yerr_add(&c->e, key, "%s: service names use letters, digits, '_' and '-'", what);
            break;
        }
    const quire_ynode *im = quire_ynode_get(n, "implementation");
    const char *iname = NULL, *vname = NULL;
    const quire_ynode *vnode = quire_ynode_get(n, "version");
    if (!im)
        quire_yerr_add(&c->e, key, "%s: missing required field 'implementation'", what);
    else if (im->kind == QUIRE_YNODE_MAP) {
        iname = quire_yerr_need_str(&c->e, im, "name", "implementation");
        if (quire_ynode_get(im, "version")) vnode = quire_ynode_get(im, "version");
    } else if (!(iname = quire_ynode_str(im))) {
        quire_yerr_add(&c->e, im, "%s.implementation: expected a name or {name, version}", what);
    }
    if (vnode) vname = quire_ynode_str(vnode);
    if (vnode && !vname) quire_yerr_add(&c->e, vnode, "%s: version must be a scalar", what);
    if (iname) {
        const quire_ynode *at = im->kind == QUIRE_YNODE_MAP ? quire_ynode_get(im, "name") : im;
        if (!(s->plugin = quire_plugins_find(&c->x->plugins, iname))) {
            char known[400] = "";
            size_t off = 0;
            for (size_t i = 0; i < c->x->plugins.n && off < sizeof known; i++)
                if (!c->x->plugins.p[i].is_base)
                    off += (size_t)snprintf(known + off, sizeof known - off, "%s%s",
                                            off ? ", " : "", c->x->plugins.p[i].name);
            quire_yerr_add(&c->e, at, "%s: unknown implementation plugin '%s' (known: %s)", what,
                           iname, known);
        } else if (!(s->version = quire_plugin_version_find(s->plugin, vname))) {
            char known[400] = "";
            size_t off = 0;
            for (size_t i = 0; i < s->plugin->nversions && off < sizeof known; i++)
                off += (size_t)snprintf(known + off, sizeof known - off, "%s%s", i ? ", " : "",
                                        s->plugin->versions[i].name);
            quire_yerr_add(&c->e, vnode ? vnode : at,
                           "%s: plugin '%s' has no version '%s' (versions: %s)", what,
                           s->plugin->name, vname ? vname : "(default)", known);
        }
    }
    const char *role = NULL;
    /* PANTHER puts the role under protocol: {name: quic, role: server} */
    const quire_ynode *rn = quire_ynode_get(n, "role");
    const quire_ynode *holder = n;
    if (!rn && quire_ynode_get(quire_ynode_get(n, "protocol"), "role")) {
        holder = quire_ynode_get(n, "protocol");
        rn = quire_ynode_get(holder, "role");
    }
    if (!rn) /* point at the service's name, not its first key */
        quire_yerr_add(&c->e, key, "%s: missing required field 'role'", what);
    else
        role = quire_yerr_need_str(&c->e, holder, "role", what);
    if (role) {
        if (!strcmp(role, "server"))
            s->role = QUIRE_PLUGIN_SERVER;
        else if (!strcmp(role, "client"))
            s->role = QUIRE_PLUGIN_CLIENT;
        else
            quire_yerr_add(&c->e, rn, "%s.role: '%s' is not server or client", what, role);
        if (s->plugin && s->role >= 0 && !(s->plugin->roles & (1 << s->role)))
            quire_yerr_add(&c->e, rn, "%s: plugin '%s' has no %s role", what, s->plugin->name,
                           role);
    }
    const quire_ynode *tg = quire_ynode_get(n, "target");
    if (tg) {
        if (!quire_ynode_str(tg))
            quire_yerr_add(&c->e, tg, "%s.target: expected a service name", what);
        else
            s->target = strdup(tg->str);
    }
    const quire_ynode *to = quire_ynode_get(n, "timeout");
    if (to) quire_yerr_uint(&c->e, to, "timeout", 1, 3600, &s->timeout_s);
    const quire_ynode *cf = quire_ynode_get(n, "config");
    if (cf && cf->kind != QUIRE_YNODE_MAP && !cf->is_null) {
        quire_yerr_add(&c->e, cf, "%s.config: expected a mapping of plugin variables", what);
    } else if (cf) {
        parse_config(c, what, cf, s);
        /* PANTHER nests some settings: transport_params: {max_idle_timeout: ...} */
        const quire_ynode *tp = quire_ynode_get(cf, "transport_params");
        if (tp && tp->kind == QUIRE_YNODE_MAP) parse_config(c, what, tp, s);
    }
    /* Render now, so a template problem is a validation error, not a failure mid-run. */
    if (s->plugin && s->version && role && !c->e.errors) {
        quire_vars b = {0};
        for (size_t i = 0; runner_vars[i]; i++)
            quire_vars_set(&b, runner_vars[i], "x");
        quire_cmd cmd;
        char err[512];
        if (quire_plugin_render(s->plugin, s->version, s->role, &s->config, &b, &cmd, err,
                                sizeof err) &&
            !strstr(err, "is unset")) /* a program from the environment may be absent here */
            quire_yerr_add(&c->e, key, "%s: %s", what, err);
        quire_cmd_free(&cmd);
        quire_vars_free(&b);
    }
}

/* --- steps --- */

/* One step of the mapping form (no options): a bare number waits that many seconds, as
 * PANTHER's {wait: 10} does. */
static void map_step(sctx *c, const quire_ynode *t, quire_xtest *xt, const quire_ynode *k,
                     const quire_ynode *v)
{
    static const char *const kinds[] = {"start", "stop", "wait", "wait_exit", "command"};
    int kind = quire_yname_index(k->str, QUIRE_YNAMES(kinds));
    const char *sv = quire_ynode_str(v);
    if (kind < 0 || !sv) {
        quire_yerr_add(&c->e, kind < 0 ? k : v, "steps.%s: %s", k->str,
                       kind < 0 ? "unknown step (start, stop, wait, wait_exit, command)"
                                : "expected a scalar");
        return;
    }
    quire_step *st = &xt->steps[xt->nsteps++];
    st->kind = (quire_step_kind)kind;
    st->line = k->line;
    st->timeout_s = 30;
    char *end;
    double secs = strtod(sv, &end);
    if (st->kind == QUIRE_STEP_WAIT && end != sv && !*end && secs >= 0 && secs <= 3600)
        st->wait_ms = (uint64_t)(secs * 1000);
    else if (st->kind == QUIRE_STEP_WAIT) {
        double ms;
        if (!get_time_ms(c, v, "steps.wait", &ms)) st->wait_ms = (uint64_t)ms;
    } else if (st->kind == QUIRE_STEP_COMMAND) {
        st->command = strdup(sv);
        st->where = strdup("host");
    } else {
        st->service = strdup(sv);
        if (!quire_ynode_get(quire_ynode_get(t, "services"), sv))
            quire_yerr_add(&c->e, v, "steps.%s: '%s' is not a service of this test", k->str, sv);
    }
}

static void parse_steps(sctx *c, const quire_ynode *t, quire_xtest *xt)
{
    const quire_ynode *n = quire_ynode_get(t, "steps");
    if (!n || n->is_null) return;
    if (n->kind == QUIRE_YNODE_MAP) { /* PANTHER's form: steps: {wait: 10}, one step per key */
        if (!(xt->steps = calloc(n->n ? n->n : 1, sizeof *xt->steps))) return;
        for (size_t i = 0; i < n->n; i++)
            map_step(c, t, xt, n->keys[i], n->vals[i]);
        return;
    }
    if (n->kind != QUIRE_YNODE_SEQ) {
        quire_yerr_add(&c->e, n, "steps: expected a list, or a mapping such as {wait: 10}");
        return;
    }
    if (!(xt->steps = calloc(n->n ? n->n : 1, sizeof *xt->steps))) return;
    static const char *const kinds[] = {"start", "stop", "wait", "wait_exit", "command"};
    for (size_t i = 0; i < n->n; i++) {
        const quire_ynode *s = n->vals[i];
        if (s->kind != QUIRE_YNODE_MAP || !s->n) {
            quire_yerr_add(&c->e, s,
                           "steps: each step is a mapping such as {start: server} or {wait: 1s}");
            continue;
        }
        int k = quire_yname_index(s->keys[0]->str, QUIRE_YNAMES(kinds));
        if (k < 0) {
            quire_yerr_add(&c->e, s->keys[0],
                           "steps: unknown step '%s' (start, stop, wait, wait_exit, "
                           "command)",
                           s->keys[0]->str);
            continue;
        }
        static const char *const opt[] = {"start",   "stop", "wait",    "wait_exit",
                                          "command", "in",   "timeout", NULL};
        quire_yerr_check_keys(&c->e, s, "step", opt);
        quire_step *st = &xt->steps[xt->nsteps++];
        st->kind = (quire_step_kind)k;
        st->line = s->line;
        st->timeout_s = 30;
        const quire_ynode *v = s->vals[0];
        const char *sv = quire_ynode_str(v);
        if (!sv) {
            quire_yerr_add(&c->e, v, "steps.%s: expected a scalar", s->keys[0]->str);
            continue;
        }
        if (st->kind == QUIRE_STEP_WAIT) {
            double ms;
            if (!get_time_ms(c, v, "steps.wait", &ms)) st->wait_ms = (uint64_t)ms;
        } else if (st->kind == QUIRE_STEP_COMMAND) {
            st->command = strdup(sv);
            const char *in = quire_ynode_str(quire_ynode_get(s, "in"));
            static const char *const where[] = {"host", "client", "server", "sim"};
            if (in && quire_yname_index(in, QUIRE_YNAMES(where)) < 0)
                quire_yerr_add(&c->e, quire_ynode_get(s, "in"),
                               "steps.in: '%s' is not host, client, server "
                               "or sim",
                               in);
            st->where = strdup(in ? in : "host");
        } else {
            st->service = strdup(sv);
            if (!quire_ynode_get(quire_ynode_get(t, "services"), sv))
                quire_yerr_add(&c->e, v, "steps.%s: '%s' is not a service of this test",
                               s->keys[0]->str, sv);
        }
        const quire_ynode *to = quire_ynode_get(s, "timeout");
        if (to) quire_yerr_uint(&c->e, to, "steps.timeout", 1, 3600, &st->timeout_s);
    }
}

/* --- assertions --- */

static const quire_service *find_service(const quire_xtest *xt, const char *name)
{
    for (size_t i = 0; i < xt->nservices; i++)
        if (!strcmp(xt->services[i].name, name)) return &xt->services[i];
    return NULL;
}

const quire_service *quire_xtest_service(const quire_xtest *t, const char *name)
{
    return find_service(t, name);
}

static int add_assert(quire_xtest *xt, const quire_assertion *a)
{
    quire_assertion *m = realloc(xt->asserts, (xt->nasserts + 1) * sizeof *m);
    if (!m) return QUIRE_ERR_NOMEM;
    xt->asserts = m;
    xt->asserts[xt->nasserts++] = *a;
    return 0;
}

static void parse_assertions(sctx *c, const quire_ynode *t, quire_xtest *xt)
{
    static const char *const keys[] = {"type",  "service", "metric", "min", "max",
                                       "check", "version", "code",   NULL};
    const quire_ynode *n = quire_ynode_get(t, "assertions");
    if (n && n->kind != QUIRE_YNODE_SEQ && !n->is_null) {
        quire_yerr_add(&c->e, n, "assertions: expected a list");
        return;
    }
    for (size_t i = 0; n && i < n->n; i++) {
        const quire_ynode *a = n->vals[i];
        if (a->kind != QUIRE_YNODE_MAP) {
            quire_yerr_add(&c->e, a, "assertions: each assertion is a mapping with a 'type'");
            continue;
        }
        quire_yerr_check_keys(&c->e, a, "assertion", keys);
        const char *type = quire_yerr_need_str(&c->e, a, "type", "assertion");
        if (!type) continue;
        quire_assertion as;
        memset(&as, 0, sizeof as);
        as.line = a->line;
        int k = quire_yname_index(type, QUIRE_YNAMES(assert_names));
        if (k < 0) {
            char known[220];
            quire_yname_list(known, sizeof known, QUIRE_YNAMES(assert_names));
            quire_yerr_add(&c->e, quire_ynode_get(a, "type"),
                           "assertion: unknown type '%s' (known: %s)", type, known);
            continue;
        }
        as.kind = (quire_assert_kind)k;
        const char *svc = quire_ynode_str(quire_ynode_get(a, "service"));
        if (svc) {
            const quire_service *s = find_service(xt, svc);
            if (!s) {
                quire_yerr_add(&c->e, quire_ynode_get(a, "service"),
                               "assertion: '%s' is not a service of this "
                               "test",
                               svc);
                continue;
            }
            if (as.kind == QUIRE_ASSERT_RESPONSIVE && s->role != QUIRE_PLUGIN_SERVER)
                quire_yerr_add(&c->e, quire_ynode_get(a, "service"),
                               "service_responsive: '%s' is not a server", svc);
        } else if (as.kind == QUIRE_ASSERT_RESPONSIVE || as.kind == QUIRE_ASSERT_EXENV_CLEAN ||
                   as.kind == QUIRE_ASSERT_EXIT) {
            quire_yerr_add(&c->e, a, "%s: missing required field 'service'", type);
            continue;
        }
        if (as.kind == QUIRE_ASSERT_EXIT && quire_ynode_get(a, "code") &&
            quire_yerr_uint(&c->e, quire_ynode_get(a, "code"), "service_exit.code", 0, 255,
                            &as.code))
            continue;
        if (as.kind == QUIRE_ASSERT_PERFORMANCE) {
            const char *m = quire_yerr_need_str(&c->e, a, "metric", "performance_threshold");
            if (!m) continue;
            int mi = quire_yname_index(m, QUIRE_YNAMES(metric_names));
            if (mi < 0) {
                quire_yerr_add(&c->e, quire_ynode_get(a, "metric"),
                               "performance_threshold: unknown metric "
                               "'%s' (handshake_time, time_to_first_byte, goodput)",
                               m);
                continue;
            }
            as.metric = (quire_metric)mi;
            const char *lim[2] = {"min", "max"};
            for (int l = 0; l < 2; l++) {
                const quire_ynode *ln = quire_ynode_get(a, lim[l]);
                if (!ln) continue;
                double v = 0;
                if (as.metric == QUIRE_METRIC_GOODPUT) {
                    uint64_t bps;
                    const char *s = quire_ynode_str(ln);
                    if (!s || quire_scenario_parse_rate(s, &bps)) {
                        quire_yerr_add(&c->e, ln, "goodput %s: expected a rate such as 5Mbps",
                                       lim[l]);
                        continue;
                    }
                    v = (double)bps;
                } else if (get_time_ms(c, ln, lim[l], &v)) {
                    continue;
                }
                if (l)
                    as.max = v, as.have_max = 1;
                else
                    as.min = v, as.have_min = 1;
            }
            if (!quire_ynode_get(a, "min") && !quire_ynode_get(a, "max"))
                quire_yerr_add(&c->e, a, "performance_threshold: give 'min' or 'max'");
        } else if (as.kind == QUIRE_ASSERT_COMPLIANCE) {
            const char *ch = quire_yerr_need_str(&c->e, a, "check", "protocol_compliance");
            if (!ch) continue;
            int ci = quire_yname_index(ch, QUIRE_YNAMES(check_names));
            if (ci < 0) {
                char known[200];
                quire_yname_list(known, sizeof known, QUIRE_YNAMES(check_names));
                quire_yerr_add(&c->e, quire_ynode_get(a, "check"),
                               "protocol_compliance: unknown check '%s' "
                               "(known: %s)",
                               ch, known);
                continue;
            }
            as.check = (quire_compliance)ci;
            if (as.check == QUIRE_CHECK_VERSION_CHOSEN) {
                const char *v = quire_yerr_need_str(&c->e, a, "version", "version_chosen");
                char *end;
                unsigned long long qv = v ? strtoull(v, &end, 16) : 0;
                if (!v) continue;
                if (!*v || *end || qv > 0xffffffffull) {
                    quire_yerr_add(&c->e, quire_ynode_get(a, "version"),
                                   "version_chosen: '%s' is not a hex "
                                   "QUIC version such as 0x00000001",
                                   v);
                    continue;
                }
                as.version = (uint32_t)qv;
            }
        }
        /* copied only now: every rejected assertion above is dropped with nothing to free */
        if (svc) as.service = strdup(svc);
        add_assert(xt, &as);
    }
    /* memcheck and helgrind judge the services they wrap. */
    for (size_t e = 0; e < xt->nenvs; e++) {
        if (xt->envs[e].kind != QUIRE_EXENV_MEMCHECK && xt->envs[e].kind != QUIRE_EXENV_HELGRIND)
            continue;
        for (size_t s = 0; s < xt->nservices; s++) {
            if (!quire_exenv_applies(&xt->envs[e], xt->services[s].name)) continue;
            int have = 0;
            for (size_t a = 0; a < xt->nasserts && !have; a++)
                have = xt->asserts[a].kind == QUIRE_ASSERT_EXENV_CLEAN &&
                       !strcmp(xt->asserts[a].service, xt->services[s].name);
            if (have) continue;
            quire_assertion as;
            memset(&as, 0, sizeof as);
            as.kind = QUIRE_ASSERT_EXENV_CLEAN;
            as.service = strdup(xt->services[s].name);
            add_assert(xt, &as);
        }
    }
}

/* --- tests --- */

/* PANTHER's testers (e.g. panther_ivy's formal-specification testers) drive an
 * implementation from a separate tool; quire has none: each named one is an error. */
static void refuse_testers(sctx *c, const quire_ynode *n)
{
    if (!n || n->is_null) return;
    for (size_t i = 0; i < n->n; i++) {
        const quire_ynode *key = n->kind == QUIRE_YNODE_MAP ? n->keys[i] : NULL;
        const quire_ynode *v = n->vals[i];
        const char *name = key ? key->str : quire_ynode_str(v);
        if (!name) name = quire_ynode_str(quire_ynode_get(v, "name"));
        if (!name) name = quire_ynode_str(quire_ynode_get(quire_ynode_get(v, "implementation"), "name"));
        quire_yerr_add(&c->e, key ? key : v,
                       "testers: tester '%s' is not supported: quire has no PANTHER tester "
                       "plugins (Ivy and the like); use assertions (service_responsive, "
                       "protocol_compliance, ...) on the services instead",
                       name ? name : "?");
    }
    if (n->kind != QUIRE_YNODE_MAP && n->kind != QUIRE_YNODE_SEQ)
        quire_yerr_add(&c->e, n, "testers: not supported: quire has no PANTHER tester plugins");
}

static void parse_test(sctx *c, const quire_ynode *t, quire_xtest *xt)
{
    static const char *const keys[] = {"name",
                                       "description",
                                       "network_environment",
                                       "execution_environment",
                                       "sweep",
                                       "testcase",
                                       "files",
                                       "services",
                                       "steps",
                                       "assertions",
                                       "iterations",
                                       "testers",
                                       NULL};
    xt->line = t->line;
    if (t->kind != QUIRE_YNODE_MAP) {
        xt->name = strdup("?");
        quire_yerr_add(&c->e, t, "tests: each test is a mapping (name, services, ...)");
        return;
    }
    quire_yerr_check_keys(&c->e, t, "test", keys);
    const char *name = quire_yerr_need_str(&c->e, t, "name", "test");
    xt->name = strdup(name ? name : "?");
    const char *tc = quire_ynode_str(quire_ynode_get(t, "testcase"));
    xt->testcase = strdup(tc ? tc : "handshake");
    xt->nfiles = 1;
    xt->file_size = 1024;
    const quire_ynode *f = quire_ynode_get(t, "files");
    if (f) {
        static const char *const fk[] = {"count", "size", NULL};
        quire_yerr_check_keys(&c->e, f, "files", fk);
        if (f->kind != QUIRE_YNODE_MAP)
            quire_yerr_add(&c->e, f, "files: expected {count: N, size: 10KiB}");
        const quire_ynode *cn = quire_ynode_get(f, "count");
        if (cn) quire_yerr_uint(&c->e, cn, "files.count", 0, 1000, &xt->nfiles);
        const quire_ynode *sz = quire_ynode_get(f, "size");
        if (sz && quire_spec_parse_size(quire_ynode_str(sz), &xt->file_size))
            quire_yerr_add(&c->e, sz, "files.size: expected a size such as 1500, 10KiB or 1MiB");
    }
    c->e.errors += quire_envs_parse_network(c->e.file, c->e.g, t, xt);
    const quire_ynode *sv = quire_ynode_get(t, "services");
    if (!sv || sv->kind != QUIRE_YNODE_MAP || !sv->n) {
        quire_yerr_add(&c->e, sv ? sv : t, "test '%s': %s", xt->name,
                       sv ? "services: expected a mapping of service name to service"
                          : "missing required field 'services'");
    } else {
        if (!(xt->services = calloc(sv->n, sizeof *xt->services))) return;
        for (size_t i = 0; i < sv->n; i++)
            parse_service(c, sv->keys[i], sv->vals[i], &xt->services[xt->nservices++]);
        size_t servers = 0;
        for (size_t i = 0; i < xt->nservices; i++) {
            quire_service *s = &xt->services[i];
            if (s->role == QUIRE_PLUGIN_SERVER) servers++;
            if (s->target) {
                const quire_service *tg = find_service(xt, s->target);
                if (!tg || tg->role != QUIRE_PLUGIN_SERVER)
                    quire_yerr_add(&c->e, quire_ynode_get(sv->vals[i], "target"),
                                   "services.%s.target: '%s' "
                                   "is not a server service of this test",
                                   s->name, s->target);
            }
        }
        if (servers > 1)
            quire_yerr_add(&c->e, sv,
                           "services: at most one server per test (the testbed has one server "
                           "namespace)");
        for (size_t i = 0; i < xt->nservices; i++)
            for (size_t k = 0; k < i; k++)
                if (xt->services[i].role == QUIRE_PLUGIN_CLIENT &&
                    xt->services[k].role == QUIRE_PLUGIN_CLIENT)
                    quire_yerr_add(&c->e, sv, "services: at most one client per test");
    }
    c->e.errors += quire_envs_parse_exec(c->e.file, c->e.g, t, xt);
    const quire_ynode *it = quire_ynode_get(t, "iterations"); /* PANTHER's test-level count */
    if (it) {
        unsigned n = 1;
        if (xt->iterations > 1)
            quire_yerr_add(&c->e, it, "iterations: give either the test's 'iterations' or an "
                                      "execution_environment {type: iterations}, not both");
        else if (!quire_yerr_uint(&c->e, it, "iterations", 1, QUIRE_SPEC_MAX_ITERATIONS, &n))
            xt->iterations = n;
    }
    refuse_testers(c, quire_ynode_get(t, "testers"));
    parse_steps(c, t, xt);
    parse_assertions(c, t, xt);
}

int quire_experiment_parse_buf(quire_experiment *x, const char *buf, size_t len, const char *name,
                               quire_ydiag *g)
{
    static const char *const keys[] = {"name",    "experiment", "description", "tests",
                                       "logging", "paths",      "docker",      NULL};
    static const refused_key refused[] = {
        {"logging", "quire's logs have fixed places: each service's /logs (stdout.log, "
                    "stderr.log, keys, qlog) and runner.log per run, under -o"},
        {"paths", "quire takes its plugins from implementations/ and endpoints/*/plugin.yaml and "
                  "writes to the directory given with -o"},
        {"docker", "experiments run on the netns backend; quire's container test bed for "
                   "experiments (issue 15) is not built yet"}};
    quire_ydoc d;
    char err[1024];
    x->file = strdup(name);
    int rc = quire_ydoc_load_buf(&d, buf, len, name, err, sizeof err);
    if (rc) {
        quire_ydiag_add(g, NULL, NULL, "%s", err);
        return rc;
    }
    sctx c = {.e = {.file = name, .g = g}, .x = x};
    const quire_ynode *root = d.root;
    if (!root || root->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(&c.e, root, "an experiment is a mapping with 'tests', got %s",
                       quire_ynode_kind_name(root));
    } else {
        quire_yerr_check_keys(&c.e, root, "experiment", keys);
        refuse_keys(&c, root, "experiment", refused, sizeof refused / sizeof refused[0]);
        const char *nm = quire_ynode_str(quire_ynode_get(root, "name"));
        if (!nm) nm = quire_ynode_str(quire_ynode_get(root, "experiment"));
        x->name = strdup(nm ? nm : name);
        const quire_ynode *tests = quire_ynode_get(root, "tests");
        if (!tests)
            quire_yerr_add(&c.e, root, "missing required field 'tests'");
        else if (tests->kind != QUIRE_YNODE_SEQ || !tests->n)
            quire_yerr_add(&c.e, tests, "tests: expected a non-empty list");
        else if ((x->tests = calloc(tests->n, sizeof *x->tests))) {
            for (size_t i = 0; i < tests->n; i++)
                parse_test(&c, tests->vals[i], &x->tests[x->ntests++]);
            for (size_t i = 0; i < x->ntests; i++)
                for (size_t k = 0; k < i; k++)
                    if (x->tests[i].name && x->tests[k].name &&
                        !strcmp(x->tests[i].name, x->tests[k].name))
                        quire_yerr_add(&c.e, tests->vals[i], "tests: the name '%s' is used twice",
                                       x->tests[i].name);
        }
    }
    quire_ydoc_free(&d);
    return c.e.errors ? QUIRE_ERR_INVALID : 0;
}

int quire_experiment_load(quire_experiment *x, const char *path, const char *srcdir, quire_ydiag *g)
{
    memset(x, 0, sizeof *x);
    int rc = quire_plugins_load_tree(&x->plugins, srcdir, g);
    if (rc) return rc;
    char *buf;
    size_t len;
    if ((rc = quire_fs_read_file(path, &buf, &len, 1u << 20))) {
        quire_ydiag_add(g, path, NULL,
                        rc == QUIRE_ERR_INVALID ? "larger than 1 MiB"
                                                : "cannot open the experiment file");
        return rc == QUIRE_ERR_NOMEM ? rc : QUIRE_ERR_IO;
    }
    rc = quire_experiment_parse_buf(x, buf, len, path, g);
    free(buf);
    return rc;
}

static void strs_free(quire_strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->s[i]);
    free(s->s);
}

void quire_experiment_free(quire_experiment *x)
{
    for (size_t i = 0; i < x->ntests; i++) {
        quire_xtest *t = &x->tests[i];
        free(t->name);
        free(t->scenario);
        free(t->sweep_var);
        strs_free(&t->sweep);
        strs_free(&t->scenarios);
        for (size_t e = 0; e < t->nenvs; e++) {
            strs_free(&t->envs[e].services);
            free(t->envs[e].suppressions);
        }
        free(t->envs);
        free(t->testcase);
        for (size_t s = 0; s < t->nservices; s++) {
            free(t->services[s].name);
            free(t->services[s].target);
            quire_vars_free(&t->services[s].config);
        }
        free(t->services);
        for (size_t s = 0; s < t->nsteps; s++) {
            free(t->steps[s].service);
            free(t->steps[s].command);
            free(t->steps[s].where);
        }
        free(t->steps);
        for (size_t a = 0; a < t->nasserts; a++)
            free(t->asserts[a].service);
        free(t->asserts);
    }
    free(x->tests);
    free(x->file);
    free(x->name);
    quire_plugins_free(&x->plugins);
    memset(x, 0, sizeof *x);
}
