/* Template rendering of implementation plugins: variables, optional and required arguments,
 * list arguments, environment entries, availability (see render.h). */
#include "experiment/render.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment/blocks.h"
#include "util/err.h"
#include "util/fs.h"

#define MAX_RENDER_DEPTH 8
#define MAX_RENDERED 8192

/* --- rendering --- */

typedef struct rctx {
    const quire_plugin *p;
    const quire_plugin_version *v;
    const quire_vars *config, *builtins;
    quire_vars own; /* plugin_dir, name, version, quic_version, alpn */
    char *err;
    size_t errlen;
    int unset;
} rctx;

/* 1 found (*val, NULL = unset), 0 unknown. */
static int lookup(rctx *c, const char *name, const char **val)
{
    const quire_var *f;
    if (!strncmp(name, "env:", 4)) {
        *val = getenv(name + 4);
        if (*val && !**val) *val = NULL;
        return 1;
    }
    if ((f = quire_vars_find(c->config, name)) || (f = quire_vars_find(c->builtins, name)) ||
        (f = quire_vars_find(&c->own, name)) ||
        (c->v && (f = quire_vars_find(&c->v->vars, name))) ||
        (f = quire_vars_find(&c->p->vars, name))) {
        *val = f->val;
        return 1;
    }
    return 0;
}

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > MAX_RENDERED) return QUIRE_ERR_INVALID;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *m = realloc(b->s, cap);
        if (!m) return QUIRE_ERR_NOMEM;
        b->s = m;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
    return 0;
}

static int render_into(rctx *c, sbuf *b, const char *t, unsigned depth);

typedef struct cond_ctx {
    rctx *c;
    unsigned depth;
} cond_ctx;

/* A condition's variable: its rendered value, NULL when it (or what it refers to) is unset. */
static int cond_value(void *ctx, const char *name, char **val, char *err, size_t errlen)
{
    cond_ctx *cc = ctx;
    const char *raw;
    (void)err, (void)errlen; /* render_into writes c->err, which is the same buffer */
    if (!lookup(cc->c, name, &raw)) return 0;
    if (!raw) return 1;
    sbuf vb = {0};
    int before = cc->c->unset;
    cc->c->unset = 0;
    int rc = render_into(cc->c, &vb, raw, cc->depth + 1);
    if (!rc && !vb.s) rc = sb_add(&vb, "", 0);
    int unset = cc->c->unset;
    cc->c->unset = before; /* a condition's lookups do not make the argument optional */
    if (rc) {
        free(vb.s);
        return rc < 0 ? rc : QUIRE_ERR_INVALID;
    }
    if (unset) {
        free(vb.s);
        vb.s = NULL;
    }
    *val = vb.s;
    return 1;
}

/* Expands t's {% if %} blocks (blocks.h) with the rendering's variables. Returns a malloc'ed
 * string, or NULL with the problem in c->err. */
static char *expand_blocks(rctx *c, const char *t, unsigned depth)
{
    cond_ctx cc = {c, depth};
    char *x = NULL;
    if (quire_blocks_expand(t, cond_value, &cc, MAX_RENDERED, &x, c->err, c->errlen)) return NULL;
    return x;
}

static int render_into(rctx *c, sbuf *b, const char *t, unsigned depth)
{
    if (depth > MAX_RENDER_DEPTH) {
        snprintf(c->err, c->errlen,
                 "variables refer to each other more than %d deep "
                 "(a cycle?) in '%.80s'",
                 MAX_RENDER_DEPTH, t);
        return QUIRE_ERR_INVALID;
    }
    if (quire_blocks_present(t)) {
        char *x = expand_blocks(c, t, depth);
        if (!x) return QUIRE_ERR_INVALID;
        int rc = render_into(c, b, x, depth + 1); /* x has no tags left */
        free(x);
        return rc;
    }
    while (*t) {
        const char *open = strstr(t, "{{");
        if (!open) return sb_add(b, t, strlen(t)) ? QUIRE_ERR_INVALID : 0;
        if (sb_add(b, t, (size_t)(open - t))) goto toolong;
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            snprintf(c->err, c->errlen, "unterminated '{{' in '%.80s'", open);
            return QUIRE_ERR_INVALID;
        }
        char name[128];
        const char *s = open + 2, *e = close;
        while (s < e && *s == ' ')
            s++;
        while (e > s && e[-1] == ' ')
            e--;
        if ((size_t)(e - s) >= sizeof name || e == s) {
            snprintf(c->err, c->errlen, "bad variable reference '%.*s'",
                     (int)(close + 2 - open > 80 ? 80 : close + 2 - open), open);
            return QUIRE_ERR_INVALID;
        }
        memcpy(name, s, (size_t)(e - s));
        name[e - s] = 0;
        const char *val;
        int required = name[0] == '!'; /* "{{!name}}": must be set */
        if (!lookup(c, name + required, &val)) {
            snprintf(c->err, c->errlen, "unknown variable '%s'", name + required);
            return QUIRE_ERR_INVALID;
        }
        if (!val && required) {
            snprintf(c->err, c->errlen, "'%s' is unset", name + 1);
            return QUIRE_ERR_INVALID;
        }
        if (!val)
            c->unset = 1;
        else {
            int before = c->unset;
            c->unset = 0;
            int rc = render_into(c, b, val, depth + 1);
            if (rc) return rc;
            if (required && c->unset) { /* set to something that is itself unset */
                snprintf(c->err, c->errlen, "'%s' is unset", name + 1);
                return QUIRE_ERR_INVALID;
            }
            c->unset |= before;
        }
        t = close + 2;
    }
    return 0;
toolong:
    snprintf(c->err, c->errlen, "rendered value longer than %d bytes", MAX_RENDERED);
    return QUIRE_ERR_INVALID;
}

static int rctx_init(rctx *c, const quire_plugin *p, const quire_plugin_version *v,
                     const quire_vars *config, const quire_vars *builtins, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->v = v;
    c->config = config;
    c->builtins = builtins;
    c->err = err;
    c->errlen = errlen;
    const char *alpn = v && v->alpn ? v->alpn : p->alpns.n ? p->alpns.s[0] : NULL;
    if (quire_vars_set(&c->own, "plugin_dir", p->dir) || quire_vars_set(&c->own, "name", p->name) ||
        quire_vars_set(&c->own, "version", v ? v->name : NULL) ||
        quire_vars_set(&c->own, "quic_version", v ? v->quic_version : NULL) ||
        quire_vars_set(&c->own, "alpn", alpn))
        return QUIRE_ERR_NOMEM;
    return 0;
}

char *quire_plugin_render_str(const quire_plugin *p, const quire_plugin_version *v,
                              const quire_vars *config, const quire_vars *builtins,
                              const char *tmpl, int *unset, char *err, size_t errlen)
{
    rctx c;
    sbuf b = {0};
    if (!v) v = quire_plugin_version_find(p, NULL);
    if (rctx_init(&c, p, v, config, builtins, err, errlen) || render_into(&c, &b, tmpl, 0) ||
        sb_add(&b, "", 0)) {
        quire_vars_free(&c.own);
        free(b.s);
        return NULL;
    }
    quire_vars_free(&c.own);
    if (unset) *unset = c.unset;
    return b.s;
}

void quire_cmd_free(quire_cmd *c)
{
    for (size_t i = 0; c->argv && i < c->argc; i++)
        free(c->argv[i]);
    for (size_t i = 0; c->envp && i < c->nenv; i++)
        free(c->envp[i]);
    free(c->argv);
    free(c->envp);
    memset(c, 0, sizeof *c);
}

/* Appends arg (owned) keeping argv NULL-terminated. */
static int push_arg(quire_cmd *out, size_t *cap, char *arg)
{
    if (out->argc + 2 > *cap) {
        size_t nc = *cap * 2 + 8;
        char **m = realloc(out->argv, nc * sizeof *m);
        if (!m) return QUIRE_ERR_NOMEM;
        out->argv = m;
        *cap = nc;
    }
    out->argv[out->argc++] = arg;
    out->argv[out->argc] = NULL;
    return 0;
}

static void strs_clear(quire_strs *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->s[i]);
    free(w->s);
    memset(w, 0, sizeof *w);
}

/* A command line's words: its {% if %} blocks expanded, then split at whitespace outside
 * "{{...}}" references; each word is then one argument template. Returns 0, or
 * QUIRE_ERR_INVALID with the problem in err. */
static int line_words(const quire_plugin *p, const quire_plugin_version *v,
                      const quire_vars *config, const quire_vars *builtins, const char *line,
                      quire_strs *w, char *err, size_t errlen)
{
    rctx c;
    char *x = NULL;
    if (rctx_init(&c, p, v, config, builtins, err, errlen) ||
        !(x = quire_blocks_present(line) ? expand_blocks(&c, line, 0) : strdup(line))) {
        quire_vars_free(&c.own);
        return QUIRE_ERR_INVALID;
    }
    quire_vars_free(&c.own);
    int rc = 0;
    for (const char *q = x; *q && !rc;) {
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
        if (!*q) break;
        const char *s = q;
        while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') {
            if (q[0] == '{' && q[1] == '{') {
                const char *e = strstr(q + 2, "}}");
                q = e ? e + 2 : q + strlen(q); /* unterminated: reported when rendered */
            } else
                q++;
        }
        char **m = realloc(w->s, (w->n + 1) * sizeof *m);
        char *d = strndup(s, (size_t)(q - s));
        if (!m || !d) {
            free(d);
            if (m) w->s = m;
            snprintf(err, errlen, "out of memory");
            rc = QUIRE_ERR_INVALID;
            break;
        }
        w->s = m;
        w->s[w->n++] = d;
    }
    free(x);
    if (!rc && !w->n) {
        snprintf(err, errlen, "the command line is empty");
        rc = QUIRE_ERR_INVALID;
    }
    if (rc) strs_clear(w);
    return rc;
}

int quire_plugin_render(const quire_plugin *p, const quire_plugin_version *v, int role,
                        const quire_vars *config, const quire_vars *builtins, quire_cmd *out,
                        char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (role != QUIRE_PLUGIN_SERVER && role != QUIRE_PLUGIN_CLIENT) return QUIRE_ERR_INVALID;
    const quire_plugin_role *r = &p->role[role];
    if (!v) v = quire_plugin_version_find(p, NULL);
    const char *rn = role == QUIRE_PLUGIN_SERVER ? "server" : "client";
    if (!(p->roles & (1 << role)) || !r->have_command) {
        snprintf(err, errlen, "%s has no %s command", p->name, rn);
        return QUIRE_ERR_INVALID;
    }
    quire_strs words = {0};
    const quire_strs *cmd = &r->command;
    if (r->command_line) {
        if (line_words(p, v, config, builtins, r->command.s[0], &words, err, errlen)) {
            char e[256];
            snprintf(e, sizeof e, "%s", err);
            snprintf(err, errlen, "%s %s command: %s", p->name, rn, e);
            return QUIRE_ERR_INVALID;
        }
        cmd = &words;
    }
    size_t cap = cmd->n + 1;
    out->argv = calloc(cap, sizeof *out->argv);
    out->envp = calloc(r->env.n + 1, sizeof *out->envp);
    if (!out->argv || !out->envp) goto nomem;
    for (size_t i = 0; i < cmd->n; i++) {
        int unset = 0;
        char e[256], tmpl[160];
        const char *t = cmd->s[i];
        size_t tl = strlen(t);
        /* "{{@name}}": the value split at spaces into several arguments (URL lists). */
        int splat = tl > 5 && tl < sizeof tmpl && !strncmp(t, "{{@", 3) &&
                    !strcmp(t + tl - 2, "}}") && !strchr(t + 3, '{');
        if (splat) {
            snprintf(tmpl, sizeof tmpl, "{{%s", t + 3);
            t = tmpl;
        }
        char *s = quire_plugin_render_str(p, v, config, builtins, t, &unset, e, sizeof e);
        if (!s) {
            snprintf(err, errlen, "%s %s command, argument %zu: %s", p->name, rn, i + 1, e);
            goto fail;
        }
        if (splat && i > 0) {
            char *save = NULL;
            for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                char *d = strdup(w);
                if (!d || push_arg(out, &cap, d)) {
                    free(d);
                    free(s);
                    goto nomem;
                }
            }
            free(s);
            continue;
        }
        if (i > 0 && (unset || (!*s && quire_blocks_present(t)))) {
            /* an optional argument: its variable is unset, or its blocks rendered nothing */
            free(s);
            continue;
        }
        if (unset || !*s) {
            snprintf(err, errlen, "%s %s command: the program ('%s') is unset", p->name, rn,
                     cmd->s[i]);
            free(s);
            goto fail;
        }
        if (push_arg(out, &cap, s)) {
            free(s);
            goto nomem;
        }
    }
    for (size_t i = 0; i < r->env.n; i++) {
        if (!r->env.v[i].val) continue;
        int unset = 0;
        char e[256];
        char *s =
            quire_plugin_render_str(p, v, config, builtins, r->env.v[i].val, &unset, e, sizeof e);
        if (!s) {
            snprintf(err, errlen, "%s %s env %s: %s", p->name, rn, r->env.v[i].name, e);
            goto fail;
        }
        if (!unset) {
            size_t l = strlen(r->env.v[i].name) + strlen(s) + 2;
            char *kv = malloc(l);
            if (!kv) {
                free(s);
                goto nomem;
            }
            snprintf(kv, l, "%s=%s", r->env.v[i].name, s);
            out->envp[out->nenv++] = kv;
        }
        free(s);
    }
    strs_clear(&words);
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
fail:
    strs_clear(&words);
    quire_cmd_free(out);
    return QUIRE_ERR_INVALID;
}

int quire_plugin_available(const quire_plugin *p, const quire_plugin_version *v, char *why,
                           size_t whylen)
{
    for (size_t i = 0; i < p->requires.n; i++) {
        int unset = 0;
        char e[256];
        char *s = quire_plugin_render_str(p, v, NULL, NULL, p->requires.s[i], &unset, e, sizeof e);
        if (!s) {
            snprintf(why, whylen, "requires '%s': %s", p->requires.s[i], e);
            return 0;
        }
        if (unset || !*s) {
            snprintf(why, whylen, "requires '%s', which is not set", p->requires.s[i]);
            free(s);
            return 0;
        }
        char found[PATH_MAX];
        if (quire_fs_which(s, "/usr/sbin:/sbin", found, sizeof found)) {
            snprintf(why, whylen, "%s is missing or not executable%s", s,
                     strchr(s, '/') ? "" : " (not in PATH)");
            free(s);
            return 0;
        }
        free(s);
    }
    return 1;
}

void quire_plugins_print(FILE *out, const char *srcdir)
{
    quire_plugins ps = {0};
    quire_ydiag g = {0};
    quire_plugins_load_tree(&ps, srcdir, &g);
    fprintf(out, "Implementation plugins (%s/endpoints/*/plugin.yaml):\n", srcdir);
    for (size_t i = 0; i < g.n; i++)
        fprintf(out, "  error: %s\n", g.msgs[i]);
    for (size_t i = 0; i < ps.n; i++) {
        const quire_plugin *p = &ps.p[i];
        if (p->is_base || strstr(p->file, "/tests/endpoints/")) continue; /* not for users */
        char vers[512] = "";
        size_t off = 0;
        for (size_t k = 0; k < p->nversions && off < sizeof vers; k++) {
            const quire_plugin_version *v = &p->versions[k];
            off += (size_t)snprintf(vers + off, sizeof vers - off, "%s%s%s%s%s", k ? ", " : "",
                                    v->name, v->quic_version ? " (" : "",
                                    v->quic_version ? v->quic_version : "",
                                    v->quic_version ? ")" : "");
        }
        char why[300];
        int ok = quire_plugin_available(p, NULL, why, sizeof why);
        fprintf(out, "  %-10s %-13s versions: %s; %s%s\n", p->name,
                p->roles == 3   ? "server+client"
                : p->roles == 1 ? "server"
                                : "client",
                vers, ok ? "available" : "not available: ", ok ? "" : why);
    }
    quire_ydiag_free(&g);
    quire_plugins_free(&ps);
}
