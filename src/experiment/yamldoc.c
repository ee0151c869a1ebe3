/* YAML documents as owned trees with positions (see yamldoc.h); libyaml does the parsing. */
#include "experiment/yamldoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/err.h"
#include "util/fs.h"

#define MAX_FILE_SIZE (4u * 1024 * 1024)

static void node_free(quire_ynode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys) node_free(n->keys[i]);
        node_free(n->vals[i]);
    }
    free(n->keys);
    free(n->vals);
    free(n->str);
    free(n);
}

typedef struct conv {
    yaml_document_t *doc;
    size_t nodes;
    int too_big;
    int bad_key; /* a mapping key that is not a scalar, at key_line:key_col */
    int include; /* PANTHER's !include tag (not supported), at key_line:key_col */
    unsigned key_line, key_col;
} conv;

static quire_ynode *convert(conv *c, yaml_node_t *yn, unsigned depth)
{
    if (!yn || depth > QUIRE_YDOC_MAX_DEPTH || ++c->nodes > QUIRE_YDOC_MAX_NODES) {
        c->too_big = 1;
        return NULL;
    }
    if (yn->tag && !strcmp((const char *)yn->tag, "!include")) {
        c->include = 1;
        c->key_line = (unsigned)yn->start_mark.line + 1;
        c->key_col = (unsigned)yn->start_mark.column + 1;
        return NULL;
    }
    quire_ynode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->line = (unsigned)yn->start_mark.line + 1;
    n->col = (unsigned)yn->start_mark.column + 1;
    switch (yn->type) {
    case YAML_SCALAR_NODE: {
        n->kind = QUIRE_YNODE_SCALAR;
        size_t len = yn->data.scalar.length;
        if (!(n->str = malloc(len + 1))) goto fail;
        memcpy(n->str, yn->data.scalar.value, len);
        n->str[len] = 0;
        if (strlen(n->str) != len) { /* NUL inside: keep the text before it */
            len = strlen(n->str);
        }
        if (yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (len == 0 || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
             !strcmp(n->str, "Null") || !strcmp(n->str, "NULL")))
            n->is_null = 1;
        return n;
    }
    case YAML_SEQUENCE_NODE: {
        n->kind = QUIRE_YNODE_SEQ;
        size_t cnt = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
        if (cnt && !(n->vals = calloc(cnt, sizeof *n->vals))) goto fail;
        for (size_t i = 0; i < cnt; i++) {
            yaml_node_t *it = yaml_document_get_node(c->doc, yn->data.sequence.items.start[i]);
            if (!(n->vals[i] = convert(c, it, depth + 1))) goto fail;
            n->n = i + 1;
        }
        return n;
    }
    case YAML_MAPPING_NODE: {
        n->kind = QUIRE_YNODE_MAP;
        size_t cnt = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
        if (cnt && (!(n->vals = calloc(cnt, sizeof *n->vals)) ||
                    !(n->keys = calloc(cnt, sizeof *n->keys))))
            goto fail;
        for (size_t i = 0; i < cnt; i++) {
            yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
            yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
            if (kn && kn->type != YAML_SCALAR_NODE) { /* "? [a, b]: x": never meaningful here */
                c->bad_key = 1;
                c->key_line = (unsigned)kn->start_mark.line + 1;
                c->key_col = (unsigned)kn->start_mark.column + 1;
                goto fail;
            }
            quire_ynode *k = convert(c, kn, depth + 1);
            quire_ynode *v =
                k ? convert(c, yaml_document_get_node(c->doc, p->value), depth + 1) : NULL;
            if (!k || !v) {
                node_free(k);
                node_free(v);
                goto fail;
            }
            n->keys[i] = k;
            n->vals[i] = v;
            n->n = i + 1;
        }
        return n;
    }
    default:
        break;
    }
fail:
    node_free(n);
    return NULL;
}

int quire_ydoc_load_buf(quire_ydoc *d, const char *buf, size_t len, const char *name, char *err,
                        size_t errlen)
{
    memset(d, 0, sizeof *d);
    snprintf(d->file, sizeof d->file, "%s", name);
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p)) return QUIRE_ERR_NOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&p, &doc)) {
        yaml_mark_t m = p.problem_mark;
        if (p.context)
            snprintf(err, errlen, "%s:%zu:%zu: %s %s", name, m.line + 1, m.column + 1,
                     p.problem ? p.problem : "syntax error", p.context);
        else
            snprintf(err, errlen, "%s:%zu:%zu: %s", name, m.line + 1, m.column + 1,
                     p.problem ? p.problem : "syntax error");
        /* libyaml's problem texts are fixed strings; the input never reaches them. */
        yaml_parser_delete(&p);
        return QUIRE_ERR_MALFORMED;
    }
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root) {
        conv c = {.doc = &doc};
        d->root = convert(&c, root, 0);
        d->nodes = c.nodes;
        if (!d->root && c.include) {
            rc = QUIRE_ERR_UNSUPPORTED;
            snprintf(err, errlen,
                     "%s:%u:%u: !include is not supported yet: put the included file's "
                     "content in its place",
                     name, c.key_line, c.key_col);
        } else if (!d->root && c.bad_key) {
            rc = QUIRE_ERR_MALFORMED;
            snprintf(err, errlen,
                     "%s:%u:%u: a mapping key must be a scalar, not a list or a "
                     "mapping",
                     name, c.key_line, c.key_col);
        } else if (!d->root) {
            rc = c.too_big ? QUIRE_ERR_INVALID : QUIRE_ERR_NOMEM;
            snprintf(err, errlen,
                     "%s:%u:%u: document too large or too deeply nested (limits: %d "
                     "nodes, depth %d)",
                     name, (unsigned)root->start_mark.line + 1,
                     (unsigned)root->start_mark.column + 1, QUIRE_YDOC_MAX_NODES,
                     QUIRE_YDOC_MAX_DEPTH);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return rc;
}

int quire_ydoc_load(quire_ydoc *d, const char *path, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    char *buf;
    size_t len;
    int rc = quire_fs_read_file(path, &buf, &len, MAX_FILE_SIZE);
    if (rc == QUIRE_ERR_INVALID) {
        snprintf(err, errlen, "%s: larger than 4 MiB", path);
        return QUIRE_ERR_IO;
    }
    if (rc) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return rc == QUIRE_ERR_NOMEM ? rc : QUIRE_ERR_IO;
    }
    rc = quire_ydoc_load_buf(d, buf, len, path, err, errlen);
    free(buf);
    return rc;
}

void quire_ydoc_free(quire_ydoc *d)
{
    node_free(d->root);
    d->root = NULL;
}

const quire_ynode *quire_ynode_get(const quire_ynode *m, const char *key)
{
    if (!m || m->kind != QUIRE_YNODE_MAP) return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->keys[i]->kind == QUIRE_YNODE_SCALAR && !strcmp(m->keys[i]->str, key))
            return m->vals[i];
    return NULL;
}

const char *quire_ynode_str(const quire_ynode *n)
{
    return n && n->kind == QUIRE_YNODE_SCALAR && !n->is_null ? n->str : NULL;
}

const char *quire_ynode_kind_name(const quire_ynode *n)
{
    if (!n) return "nothing";
    if (n->kind == QUIRE_YNODE_MAP) return "a mapping";
    if (n->kind == QUIRE_YNODE_SEQ) return "a list";
    return n->is_null ? "null" : "a scalar";
}

void quire_ydiag_add(quire_ydiag *g, const char *file, const quire_ynode *at, const char *fmt, ...)
{
    char msg[768], line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Values quoted from the file may hold control characters: never print them raw. */
    for (char *s = msg; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
    if (!file)
        snprintf(line, sizeof line, "%s", msg); /* already positioned (libyaml's errors) */
    else if (at)
        snprintf(line, sizeof line, "%s:%u:%u: %s", file, at->line, at->col, msg);
    else
        snprintf(line, sizeof line, "%s: %s", file, msg);
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        char **m = realloc(g->msgs, cap * sizeof *m);
        if (!m) return;
        g->msgs = m;
        g->cap = cap;
    }
    if ((g->msgs[g->n] = strdup(line))) g->n++;
}

void quire_ydiag_free(quire_ydiag *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->msgs[i]);
    free(g->msgs);
    memset(g, 0, sizeof *g);
}

int quire_ydiag_check_keys(quire_ydiag *g, const char *file, const quire_ynode *m, const char *what,
                           const char *const *known)
{
    int errors = 0;
    if (!m || m->kind != QUIRE_YNODE_MAP) return 0;
    for (size_t i = 0; i < m->n; i++) {
        int ok = 0;
        for (size_t k = 0; known[k] && !ok; k++)
            ok = !strcmp(m->keys[i]->str, known[k]);
        if (!ok) {
            quire_ydiag_add(g, file, m->keys[i], "%s: unknown key '%s'", what, m->keys[i]->str);
            errors++;
        }
    }
    return errors;
}

void quire_yerr_add(quire_yerr *e, const quire_ynode *at, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    quire_ydiag_add(e->g, e->file, at, "%s", msg);
    e->errors++;
}

void quire_yerr_check_keys(quire_yerr *e, const quire_ynode *m, const char *what,
                           const char *const *known)
{
    e->errors += quire_ydiag_check_keys(e->g, e->file, m, what, known);
}

const char *quire_yerr_need_str(quire_yerr *e, const quire_ynode *parent, const char *key,
                                const char *what)
{
    const quire_ynode *n = quire_ynode_get(parent, key);
    if (!n) {
        quire_yerr_add(e, parent, "%s: missing required field '%s'", what, key);
        return NULL;
    }
    if (!quire_ynode_str(n)) {
        quire_yerr_add(e, n, "%s.%s: expected a scalar, got %s", what, key,
                       quire_ynode_kind_name(n));
        return NULL;
    }
    return n->str;
}

int quire_yerr_uint(quire_yerr *e, const quire_ynode *n, const char *what, unsigned lo, unsigned hi,
                    unsigned *out)
{
    const char *s = quire_ynode_str(n);
    char *end;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (!s || !*s || *end || *s == '-' || v < lo || v > hi) {
        quire_yerr_add(e, n, "%s: expected an integer from %u to %u, got '%s'", what, lo, hi,
                       s ? s : quire_ynode_kind_name(n));
        return QUIRE_ERR_INVALID;
    }
    *out = (unsigned)v;
    return 0;
}

int quire_yname_index(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, names[i])) return (int)i;
    return -1;
}

void quire_yname_list(char *out, size_t len, const char *const *names, size_t n)
{
    size_t off = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(out + off, len - off, "%s%s", i ? ", " : "", names[i]);
}
