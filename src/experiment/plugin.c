/* Implementation plugins: loading, inheritance, template rendering (see plugin.h). */
#include "experiment/plugin.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fs.h"

/* --- small containers --- */

static int strs_add(quire_strs *ss, const char *s)
{
    char **m = realloc(ss->s, (ss->n + 1) * sizeof *m);
    if (!m) return QUIRE_ERR_NOMEM;
    ss->s = m;
    if (!(ss->s[ss->n] = strdup(s))) return QUIRE_ERR_NOMEM;
    ss->n++;
    return 0;
}

static void strs_free(quire_strs *ss)
{
    for (size_t i = 0; i < ss->n; i++)
        free(ss->s[i]);
    free(ss->s);
    memset(ss, 0, sizeof *ss);
}

static int strs_copy(quire_strs *dst, const quire_strs *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (strs_add(dst, src->s[i])) return QUIRE_ERR_NOMEM;
    return 0;
}

const quire_var *quire_vars_find(const quire_vars *vs, const char *name)
{
    if (!vs) return NULL;
    for (size_t i = 0; i < vs->n; i++)
        if (!strcmp(vs->v[i].name, name)) return &vs->v[i];
    return NULL;
}

int quire_vars_set(quire_vars *vs, const char *name, const char *val)
{
    char *nv = NULL;
    if (val && !(nv = strdup(val))) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < vs->n; i++)
        if (!strcmp(vs->v[i].name, name)) {
            free(vs->v[i].val);
            vs->v[i].val = nv;
            return 0;
        }
    quire_var *m = realloc(vs->v, (vs->n + 1) * sizeof *m);
    if (!m) goto fail;
    vs->v = m;
    if (!(vs->v[vs->n].name = strdup(name))) goto fail;
    vs->v[vs->n++].val = nv;
    return 0;
fail:
    free(nv);
    return QUIRE_ERR_NOMEM;
}

void quire_vars_free(quire_vars *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        free(vs->v[i].name);
        free(vs->v[i].val);
    }
    free(vs->v);
    memset(vs, 0, sizeof *vs);
}

/* base first, then over (over wins); into dst which already holds nothing */
static int vars_merge(quire_vars *dst, const quire_vars *over)
{
    for (size_t i = 0; i < over->n; i++)
        if (quire_vars_set(dst, over->v[i].name, over->v[i].val)) return QUIRE_ERR_NOMEM;
    return 0;
}

static void role_free(quire_plugin_role *r)
{
    strs_free(&r->command);
    quire_vars_free(&r->env);
}

static void version_free(quire_plugin_version *v)
{
    free(v->name);
    free(v->description);
    free(v->quic_version);
    free(v->alpn);
    free(v->source);
    free(v->commit);
    free(v->build);
    strs_free(&v->dependencies);
    quire_vars_free(&v->vars);
}

static void plugin_free(quire_plugin *p)
{
    free(p->name);
    free(p->file);
    free(p->dir);
    free(p->description);
    free(p->inherits);
    strs_free(&p->alpns);
    strs_free(&p->testcases);
    strs_free(&p->requires);
    quire_vars_free(&p->vars);
    quire_vars_free(&p->aliases);
    for (size_t i = 0; i < p->nchoices; i++) {
        free(p->choices[i].var);
        strs_free(&p->choices[i].allowed);
    }
    free(p->choices);
    role_free(&p->role[0]);
    role_free(&p->role[1]);
    for (size_t i = 0; i < p->nversions; i++)
        version_free(&p->versions[i]);
    free(p->versions);
    free(p->default_version);
    memset(p, 0, sizeof *p);
}

void quire_plugins_free(quire_plugins *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        plugin_free(&ps->p[i]);
    free(ps->p);
    memset(ps, 0, sizeof *ps);
}

/* --- parsing --- */

/* The parser reports through yamldoc's error context (file, diagnostics, error count). */
typedef quire_yerr pctx;

static char *dup_scalar(pctx *c, const quire_ynode *n, const char *what)
{
    if (!n) return NULL;
    if (n->kind != QUIRE_YNODE_SCALAR) {
        quire_yerr_add(c, n, "%s: expected a scalar, got %s", what, quire_ynode_kind_name(n));
        return NULL;
    }
    return strdup(n->str);
}

/* A list of scalars, or one scalar standing for a list of one. */
static void get_strs(pctx *c, const quire_ynode *n, const char *what, quire_strs *out)
{
    if (!n) return;
    if (n->kind == QUIRE_YNODE_SCALAR) {
        if (!n->is_null) strs_add(out, n->str);
        return;
    }
    if (n->kind != QUIRE_YNODE_SEQ) {
        quire_yerr_add(c, n, "%s: expected a list, got %s", what, quire_ynode_kind_name(n));
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (n->vals[i]->kind != QUIRE_YNODE_SCALAR)
            quire_yerr_add(c, n->vals[i], "%s: items must be scalars", what);
        else
            strs_add(out, n->vals[i]->str);
    }
}

static void get_vars(pctx *c, const quire_ynode *n, const char *what, quire_vars *out)
{
    if (!n) return;
    if (n->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(c, n, "%s: expected a mapping, got %s", what, quire_ynode_kind_name(n));
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const quire_ynode *v = n->vals[i];
        if (v->kind != QUIRE_YNODE_SCALAR) {
            quire_yerr_add(c, v, "%s.%s: expected a scalar value, got %s", what, n->keys[i]->str,
                           quire_ynode_kind_name(v));
            continue;
        }
        quire_vars_set(out, n->keys[i]->str, v->is_null ? NULL : v->str);
    }
}

static void parse_role(pctx *c, const quire_ynode *n, const char *what, quire_plugin_role *r)
{
    static const char *const known[] = {"command", "env", NULL};
    if (!n) return;
    if (n->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(c, n, "%s: expected a mapping with command and env", what);
        return;
    }
    quire_yerr_check_keys(c, n, what, known);
    const quire_ynode *cmd = quire_ynode_get(n, "command");
    if (cmd) {
        if (cmd->kind == QUIRE_YNODE_SCALAR && !cmd->is_null && *cmd->str) {
            /* One command line as PANTHER's templates write it ({% if %} may span words). */
            strs_add(&r->command, cmd->str);
            r->have_command = r->command_line = 1;
        } else if (cmd->kind != QUIRE_YNODE_SEQ || !cmd->n)
            quire_yerr_add(c, cmd, "%s.command: expected a non-empty list of arguments or one "
                           "command line", what);
        else {
            get_strs(c, cmd, "command", &r->command);
            r->have_command = 1;
        }
    }
    get_vars(c, quire_ynode_get(n, "env"), "env", &r->env);
}

static void parse_version(pctx *c, const quire_ynode *key, const quire_ynode *n,
                          quire_plugin_version *v)
{
    static const char *const known[] = {"description",  "quic_version", "alpn",
                                        "source",       "commit",       "build",
                                        "dependencies", "variables",    NULL};
    v->name = strdup(key->str);
    if (n->is_null) return;
    if (n->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(c, n, "version '%s': expected a mapping", key->str);
        return;
    }
    quire_yerr_check_keys(c, n, "version", known);
    v->description = dup_scalar(c, quire_ynode_get(n, "description"), "description");
    v->quic_version = dup_scalar(c, quire_ynode_get(n, "quic_version"), "quic_version");
    v->alpn = dup_scalar(c, quire_ynode_get(n, "alpn"), "alpn");
    v->source = dup_scalar(c, quire_ynode_get(n, "source"), "source");
    v->commit = dup_scalar(c, quire_ynode_get(n, "commit"), "commit");
    v->build = dup_scalar(c, quire_ynode_get(n, "build"), "build");
    if (v->quic_version) {
        char *end;
        unsigned long long qv = strtoull(v->quic_version, &end, 16);
        if (*end || !v->quic_version[0] || qv > 0xffffffffull)
            quire_yerr_add(c, quire_ynode_get(n, "quic_version"),
                           "quic_version: '%s' is not a 32-bit hex number", v->quic_version);
    }
    const quire_ynode *deps = quire_ynode_get(n, "dependencies");
    if (deps && deps->kind == QUIRE_YNODE_SEQ) {
        for (size_t i = 0; i < deps->n; i++) {
            const quire_ynode *d = deps->vals[i];
            const char *nm = quire_ynode_str(quire_ynode_get(d, "name"));
            const char *cm = quire_ynode_str(quire_ynode_get(d, "commit"));
            if (d->kind == QUIRE_YNODE_SCALAR) {
                strs_add(&v->dependencies, d->str);
            } else if (nm) {
                char buf[512];
                snprintf(buf, sizeof buf, "%s%s%s", nm, cm ? " " : "", cm ? cm : "");
                strs_add(&v->dependencies, buf);
            } else {
                quire_yerr_add(c, d, "dependencies: items are 'name commit' or {name, commit}");
            }
        }
    } else if (deps && !deps->is_null) {
        quire_yerr_add(c, deps, "dependencies: expected a list");
    }
    get_vars(c, quire_ynode_get(n, "variables"), "variables", &v->vars);
}

static int parse_plugin(pctx *c, const quire_ynode *root, quire_plugin *p)
{
    static const char *const known[] = {
        "name",      "description", "inherits",        "roles",   "alpn",
        "testcases", "requires",    "variables",       "choices", "server",
        "client",    "versions",    "default_version", "aliases", NULL};
    if (!root || root->kind != QUIRE_YNODE_MAP) {
        quire_yerr_add(c, root, "a plugin file is a mapping (name, roles, versions, ...), got %s",
                       quire_ynode_kind_name(root));
        return QUIRE_ERR_INVALID;
    }
    quire_yerr_check_keys(c, root, "plugin", known);
    const quire_ynode *name = quire_ynode_get(root, "name");
    if (!quire_ynode_str(name))
        quire_yerr_add(c, name ? name : root, "missing required field 'name'");
    else {
        p->name = strdup(name->str);
        for (const char *s = name->str; *s; s++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s)) {
                quire_yerr_add(c, name, "name '%s': only letters, digits, '.', '_' and '-'",
                               name->str);
                break;
            }
    }
    p->description = dup_scalar(c, quire_ynode_get(root, "description"), "description");
    p->inherits = dup_scalar(c, quire_ynode_get(root, "inherits"), "inherits");
    quire_strs roles = {0};
    get_strs(c, quire_ynode_get(root, "roles"), "roles", &roles);
    for (size_t i = 0; i < roles.n; i++) {
        if (!strcmp(roles.s[i], "server"))
            p->roles |= 1 << QUIRE_PLUGIN_SERVER;
        else if (!strcmp(roles.s[i], "client"))
            p->roles |= 1 << QUIRE_PLUGIN_CLIENT;
        else
            quire_yerr_add(c, quire_ynode_get(root, "roles"), "roles: '%s' is not server or client",
                           roles.s[i]);
    }
    strs_free(&roles);
    get_strs(c, quire_ynode_get(root, "alpn"), "alpn", &p->alpns);
    get_strs(c, quire_ynode_get(root, "testcases"), "testcases", &p->testcases);
    get_strs(c, quire_ynode_get(root, "requires"), "requires", &p->requires);
    get_vars(c, quire_ynode_get(root, "variables"), "variables", &p->vars);
    get_vars(c, quire_ynode_get(root, "aliases"), "aliases", &p->aliases);
    const quire_ynode *ch = quire_ynode_get(root, "choices");
    if (ch && ch->kind == QUIRE_YNODE_MAP) {
        if (!(p->choices = calloc(ch->n ? ch->n : 1, sizeof *p->choices))) return QUIRE_ERR_NOMEM;
        for (size_t i = 0; i < ch->n; i++) {
            p->choices[i].var = strdup(ch->keys[i]->str);
            get_strs(c, ch->vals[i], "choices", &p->choices[i].allowed);
            p->nchoices = i + 1;
        }
    } else if (ch) {
        quire_yerr_add(c, ch, "choices: expected a mapping of variable to allowed values");
    }
    parse_role(c, quire_ynode_get(root, "server"), "server", &p->role[QUIRE_PLUGIN_SERVER]);
    parse_role(c, quire_ynode_get(root, "client"), "client", &p->role[QUIRE_PLUGIN_CLIENT]);
    const quire_ynode *vs = quire_ynode_get(root, "versions");
    if (vs && vs->kind == QUIRE_YNODE_MAP && vs->n) {
        if (!(p->versions = calloc(vs->n, sizeof *p->versions))) return QUIRE_ERR_NOMEM;
        for (size_t i = 0; i < vs->n; i++) {
            parse_version(c, vs->keys[i], vs->vals[i], &p->versions[i]);
            p->nversions = i + 1;
        }
    } else if (vs || !p->is_base) {
        quire_yerr_add(c, vs ? vs : root,
                       "%s: a plugin needs 'versions', a mapping of at least one "
                       "version (e.g. rfc9000)",
                       vs ? "versions" : "missing required field 'versions'");
    }
    const quire_ynode *dv = quire_ynode_get(root, "default_version");
    p->default_version = dup_scalar(c, dv, "default_version");
    if (p->default_version && !quire_plugin_version_find(p, p->default_version))
        quire_yerr_add(c, dv, "default_version '%s' is not one of the versions",
                       p->default_version);
    if (!p->is_base && !p->roles) quire_yerr_add(c, root, "missing required field 'roles'");
    return c->errors ? QUIRE_ERR_INVALID : 0;
}

int quire_plugins_add_buf(quire_plugins *ps, const char *buf, size_t len, const char *name,
                          const char *dir, int is_base, quire_ydiag *g)
{
    quire_ydoc d;
    char err[1024];
    int rc = quire_ydoc_load_buf(&d, buf, len, name, err, sizeof err);
    if (rc) {
        quire_ydiag_add(g, NULL, NULL, "%s", err);
        return rc;
    }
    quire_plugin p;
    memset(&p, 0, sizeof p);
    p.is_base = is_base;
    pctx c = {.file = name, .g = g};
    rc = parse_plugin(&c, d.root, &p);
    if (!rc) {
        for (size_t i = 0; i < ps->n; i++)
            if (!strcmp(ps->p[i].name, p.name)) {
                quire_ydiag_add(g, name, quire_ynode_get(d.root, "name"),
                                "plugin '%s' is defined twice (also in %s)", p.name, ps->p[i].file);
                rc = QUIRE_ERR_INVALID;
            }
    }
    quire_ydoc_free(&d);
    if (!rc) {
        p.file = strdup(name);
        p.dir = strdup(dir ? dir : ".");
        quire_plugin *m = realloc(ps->p, (ps->n + 1) * sizeof *m);
        if (!m || !p.file || !p.dir)
            rc = QUIRE_ERR_NOMEM;
        else {
            ps->p = m;
            ps->p[ps->n++] = p;
            return 0;
        }
    }
    plugin_free(&p);
    return rc;
}

int quire_plugins_add_file(quire_plugins *ps, const char *path, int is_base, quire_ydiag *g)
{
    char *buf;
    size_t len;
    int rc = quire_fs_read_file(path, &buf, &len, 1u << 20);
    if (rc) {
        quire_ydiag_add(g, path, NULL,
                        rc == QUIRE_ERR_INVALID ? "larger than 1 MiB" : "cannot open");
        return rc == QUIRE_ERR_NOMEM ? rc : QUIRE_ERR_IO;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    char abs[PATH_MAX];
    rc = quire_plugins_add_buf(ps, buf, len, path, realpath(dir, abs) ? abs : dir, is_base, g);
    free(buf);
    return rc;
}

static quire_plugin *find_any(quire_plugins *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name)) return &ps->p[i];
    return NULL;
}

/* Merges the parent into p: p's own values win. */
static int inherit(quire_plugin *p, const quire_plugin *base)
{
    quire_vars vars = {0};
    if (vars_merge(&vars, &base->vars) || vars_merge(&vars, &p->vars)) return QUIRE_ERR_NOMEM;
    quire_vars_free(&p->vars);
    p->vars = vars;
    quire_vars aliases = {0};
    if (vars_merge(&aliases, &base->aliases) || vars_merge(&aliases, &p->aliases))
        return QUIRE_ERR_NOMEM;
    quire_vars_free(&p->aliases);
    p->aliases = aliases;
    for (int r = 0; r < 2; r++) {
        quire_vars env = {0};
        if (vars_merge(&env, &base->role[r].env) || vars_merge(&env, &p->role[r].env))
            return QUIRE_ERR_NOMEM;
        quire_vars_free(&p->role[r].env);
        p->role[r].env = env;
        if (!p->role[r].have_command && base->role[r].have_command) {
            if (strs_copy(&p->role[r].command, &base->role[r].command)) return QUIRE_ERR_NOMEM;
            p->role[r].have_command = 1;
            p->role[r].command_line = base->role[r].command_line;
        }
    }
    if (!p->alpns.n && strs_copy(&p->alpns, &base->alpns)) return QUIRE_ERR_NOMEM;
    if (!p->testcases.n && strs_copy(&p->testcases, &base->testcases)) return QUIRE_ERR_NOMEM;
    if (!p->roles) p->roles = base->roles;
    for (size_t i = 0; i < base->nchoices; i++) {
        if (quire_plugin_choices(p, base->choices[i].var)) continue;
        quire_choice *m = realloc(p->choices, (p->nchoices + 1) * sizeof *m);
        if (!m) return QUIRE_ERR_NOMEM;
        p->choices = m;
        memset(&p->choices[p->nchoices], 0, sizeof *m);
        p->choices[p->nchoices].var = strdup(base->choices[i].var);
        if (strs_copy(&p->choices[p->nchoices++].allowed, &base->choices[i].allowed))
            return QUIRE_ERR_NOMEM;
    }
    return 0;
}

static int resolve_one(quire_plugins *ps, quire_plugin *p, int *state, quire_ydiag *g)
{
    size_t idx = (size_t)(p - ps->p);
    if (state[idx] == 2 || !p->inherits) {
        state[idx] = 2;
        return 0;
    }
    if (state[idx] == 1) {
        quire_ydiag_add(g, p->file, NULL, "inheritance cycle through '%s'", p->name);
        return QUIRE_ERR_INVALID;
    }
    state[idx] = 1;
    quire_plugin *base = find_any(ps, p->inherits);
    if (!base || base == p) {
        quire_ydiag_add(g, p->file, NULL, "inherits '%s': no such base definition", p->inherits);
        return QUIRE_ERR_INVALID;
    }
    int rc = resolve_one(ps, base, state, g);
    if (!rc) rc = inherit(p, base);
    state[idx] = 2;
    return rc;
}

int quire_plugins_resolve(quire_plugins *ps, quire_ydiag *g)
{
    int *state = calloc(ps->n + 1, sizeof *state);
    if (!state) return QUIRE_ERR_NOMEM;
    int rc = 0;
    for (size_t i = 0; i < ps->n && !rc; i++)
        rc = resolve_one(ps, &ps->p[i], state, g);
    free(state);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds dir/<entry>/<leaf> (leaf != NULL) or dir/<entry>.yaml (leaf NULL), sorted. */
static int add_dir(quire_plugins *ps, const char *dir, const char *leaf, int is_base,
                   quire_ydiag *g)
{
    DIR *dp = opendir(dir);
    if (!dp) return 0;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) && n < 256) {
        if (e->d_name[0] == '.') continue;
        size_t l = strlen(e->d_name);
        if (!leaf && (l < 6 || strcmp(e->d_name + l - 5, ".yaml"))) continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof names[0], cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        if (names[i]) {
            int l = snprintf(path, sizeof path, "%s/%s%s%s", dir, names[i], leaf ? "/" : "",
                             leaf ? leaf : "");
            if (l > 0 && (size_t)l < sizeof path && access(path, R_OK) == 0) {
                int r = quire_plugins_add_file(ps, path, is_base, g);
                if (r && !rc) rc = r;
            }
        }
        free(names[i]);
    }
    return rc;
}

int quire_plugins_load_tree(quire_plugins *ps, const char *srcdir, quire_ydiag *g)
{
    char dir[PATH_MAX];
    int rc = 0, r;
    snprintf(dir, sizeof dir, "%s/implementations", srcdir);
    if ((r = add_dir(ps, dir, NULL, 1, g))) rc = r;
    snprintf(dir, sizeof dir, "%s/endpoints", srcdir);
    if ((r = add_dir(ps, dir, "plugin.yaml", 0, g)) && !rc) rc = r;
    snprintf(dir, sizeof dir, "%s/tests/endpoints", srcdir);
    if ((r = add_dir(ps, dir, "plugin.yaml", 0, g)) && !rc) rc = r;
    if (!rc) rc = quire_plugins_resolve(ps, g);
    return rc;
}

const quire_plugin *quire_plugins_find(const quire_plugins *ps, const char *name)
{
    if (!strncmp(name, "quic/", 5)) name += 5;
    for (size_t i = 0; i < ps->n; i++)
        if (!ps->p[i].is_base && !strcmp(ps->p[i].name, name)) return &ps->p[i];
    return NULL;
}

const quire_plugin_version *quire_plugin_version_find(const quire_plugin *p, const char *name)
{
    if (!name) name = p->default_version ? p->default_version : NULL;
    if (!name) return p->nversions ? &p->versions[0] : NULL;
    for (size_t i = 0; i < p->nversions; i++)
        if (!strcmp(p->versions[i].name, name)) return &p->versions[i];
    return NULL;
}

const quire_strs *quire_plugin_choices(const quire_plugin *p, const char *var)
{
    for (size_t i = 0; i < p->nchoices; i++)
        if (!strcmp(p->choices[i].var, var)) return &p->choices[i].allowed;
    return NULL;
}

const char *quire_plugin_alias(const quire_plugin *p, const char *name)
{
    const quire_var *a = quire_vars_find(&p->aliases, name);
    return a && a->val ? a->val : name;
}

int quire_plugin_has_var(const quire_plugin *p, const quire_plugin_version *v, const char *var)
{
    return quire_vars_find(&p->vars, var) || (v && quire_vars_find(&v->vars, var));
}
