/* Jinja's if/elif/else/endif blocks in plugin templates (see blocks.h). */
#include "experiment/blocks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

typedef struct out {
    char *s;
    size_t len, cap, max;
} out_t;

static int put(out_t *o, const char *s, size_t n)
{
    if (o->len + n > o->max) return QUIRE_ERR_INVALID;
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->len + n + 1) * 2;
        char *m = realloc(o->s, cap);
        if (!m) return QUIRE_ERR_NOMEM;
        o->s = m;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = 0;
    return 0;
}

/* --- conditions --- */

typedef struct cond {
    const char *p, *end;
    quire_blocks_value_fn value;
    void *ctx;
    char *err;
    size_t errlen;
    int rc; /* first error */
} cond_t;

/* An operand's value. */
typedef struct val {
    char *s; /* malloc'ed; NULL = none (an unset variable) */
} val_t;

static void skip_ws(cond_t *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

static int fail(cond_t *c, int rc, const char *msg)
{
    if (!c->rc) {
        c->rc = rc;
        if (msg) snprintf(c->err, c->errlen, "%s", msg);
    }
    return 0;
}

static int is_name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == ':';
}

/* Reads a word (name or keyword) into w; returns its length, 0 when none. */
static size_t peek_word(const cond_t *c, char *w, size_t wl)
{
    const char *q = c->p;
    size_t n = 0;
    while (q < c->end && is_name_char(*q)) {
        if (n + 1 < wl) w[n] = *q;
        n++;
        q++;
    }
    w[n < wl ? n : wl - 1] = 0;
    return n;
}

static int accept_kw(cond_t *c, const char *kw)
{
    char w[16];
    skip_ws(c);
    size_t n = peek_word(c, w, sizeof w);
    if (n && n == strlen(kw) && !strcmp(w, kw)) {
        c->p += n;
        return 1;
    }
    return 0;
}

static int truthy(const char *s)
{
    return s && *s && strcmp(s, "false") && strcmp(s, "False") && strcmp(s, "FALSE") &&
           strcmp(s, "0");
}

/* Looks a variable up. Returns 1 found, 0 unknown (error recorded unless soft), < 0 error. */
static int lookup(cond_t *c, const char *name, char **v, int soft)
{
    *v = NULL;
    int r = c->value(c->ctx, name, v, c->err, c->errlen);
    if (r < 0) return fail(c, r, NULL), r;
    if (r == 0 && !soft) {
        char m[200];
        snprintf(m, sizeof m, "unknown variable '%s' in a condition", name);
        fail(c, QUIRE_ERR_INVALID, m);
    }
    return r;
}

/* operand: NAME | 'str' | "str" | number | true | false | none. */
static val_t operand(cond_t *c)
{
    val_t v = {NULL};
    skip_ws(c);
    if (c->p >= c->end) return fail(c, QUIRE_ERR_INVALID, "condition ends early"), v;
    if (*c->p == '\'' || *c->p == '"') {
        char q = *c->p++;
        const char *s = c->p;
        while (c->p < c->end && *c->p != q)
            c->p++;
        if (c->p >= c->end) return fail(c, QUIRE_ERR_INVALID, "unterminated string"), v;
        v.s = strndup(s, (size_t)(c->p - s));
        c->p++;
        if (!v.s) fail(c, QUIRE_ERR_NOMEM, "out of memory");
        return v;
    }
    char w[128];
    size_t n = peek_word(c, w, sizeof w);
    if (!n || n >= sizeof w) {
        char m[120];
        int left = (int)(c->end - c->p);
        snprintf(m, sizeof m, "expected a variable, string or number at '%.*s'",
                 left > 40 ? 40 : left, c->p);
        return fail(c, QUIRE_ERR_INVALID, m), v;
    }
    c->p += n;
    if (!strcmp(w, "none") || !strcmp(w, "None")) return v;
    if (!strcmp(w, "true") || !strcmp(w, "True")) return v.s = strdup("true"), v;
    if (!strcmp(w, "false") || !strcmp(w, "False")) return v.s = strdup("false"), v;
    if (isdigit((unsigned char)w[0])) return v.s = strdup(w), v;
    if (lookup(c, w, &v.s, 0) <= 0) free(v.s), v.s = NULL;
    return v;
}

static int expr_or(cond_t *c, int depth);

/* comparison or test: OPERAND [== OPERAND | != OPERAND] | NAME is [not] defined|none */
static int expr_cmp(cond_t *c, int depth)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == '(') {
        c->p++;
        int r = expr_or(c, depth + 1);
        skip_ws(c);
        if (c->p >= c->end || *c->p != ')') return fail(c, QUIRE_ERR_INVALID, "missing ')'");
        c->p++;
        return r;
    }
    /* "NAME is [not] defined": the name may be unknown. */
    const char *save = c->p;
    char w[128];
    size_t n = peek_word(c, w, sizeof w);
    if (n && n < sizeof w && !isdigit((unsigned char)w[0])) {
        c->p += n;
        if (accept_kw(c, "is")) {
            int neg = accept_kw(c, "not");
            char *v = NULL;
            int r;
            if (accept_kw(c, "defined"))
                r = lookup(c, w, &v, 1) == 1;
            else if (accept_kw(c, "none"))
                r = lookup(c, w, &v, 0) == 1 && !v;
            else
                return fail(c, QUIRE_ERR_INVALID, "expected 'defined' or 'none' after 'is'");
            free(v);
            return neg ? !r : r;
        }
        c->p = save;
    }
    val_t a = operand(c);
    skip_ws(c);
    int eq = c->end - c->p >= 2 && !strncmp(c->p, "==", 2);
    int ne = c->end - c->p >= 2 && !strncmp(c->p, "!=", 2);
    if (!eq && !ne) {
        int r = truthy(a.s);
        free(a.s);
        return r;
    }
    c->p += 2;
    val_t b = operand(c);
    int same = (!a.s && !b.s) || (a.s && b.s && !strcmp(a.s, b.s));
    free(a.s);
    free(b.s);
    return eq ? same : !same;
}

static int expr_not(cond_t *c, int depth)
{
    if (depth > QUIRE_BLOCKS_MAX_DEPTH) return fail(c, QUIRE_ERR_INVALID, "condition nested too deep");
    if (accept_kw(c, "not")) return !expr_not(c, depth + 1);
    return expr_cmp(c, depth);
}

static int expr_and(cond_t *c, int depth)
{
    int r = expr_not(c, depth);
    while (!c->rc && accept_kw(c, "and")) {
        int b = expr_not(c, depth); /* evaluated anyway: a typo on the right is still found */
        r = r && b;
    }
    return r;
}

static int expr_or(cond_t *c, int depth)
{
    if (depth > QUIRE_BLOCKS_MAX_DEPTH) return fail(c, QUIRE_ERR_INVALID, "condition nested too deep");
    int r = expr_and(c, depth);
    while (!c->rc && accept_kw(c, "or")) {
        int b = expr_and(c, depth);
        r = r || b;
    }
    return r;
}

/* Evaluates the condition text [s, e). Returns 1 true, 0 false, < 0 error in err. */
static int eval_cond(const char *s, const char *e, quire_blocks_value_fn value, void *ctx,
                     char *err, size_t errlen)
{
    cond_t c = {s, e, value, ctx, err, errlen, 0};
    skip_ws(&c);
    if (c.p >= c.end) {
        snprintf(err, errlen, "'{%% if %%}' without a condition");
        return QUIRE_ERR_INVALID;
    }
    int r = expr_or(&c, 0);
    skip_ws(&c);
    if (!c.rc && c.p < c.end) {
        int n = (int)(c.end - c.p);
        while (n > 0 && isspace((unsigned char)c.p[n - 1]))
            n--;
        snprintf(err, errlen, "unexpected '%.*s' in condition", n > 40 ? 40 : n, c.p);
        return QUIRE_ERR_INVALID;
    }
    return c.rc ? c.rc : r;
}

/* --- blocks --- */

int quire_blocks_present(const char *t)
{
    return t && strstr(t, "{%") != NULL;
}

typedef struct level {
    int parent;   /* the enclosing text is emitted */
    int taken;    /* a branch of this if was taken */
    int active;   /* the current branch is emitted */
    int had_else; /* {% else %} seen */
} level_t;

int quire_blocks_expand(const char *t, quire_blocks_value_fn value, void *ctx, size_t maxlen,
                        char **outp, char *err, size_t errlen)
{
    out_t o = {NULL, 0, 0, maxlen};
    level_t st[QUIRE_BLOCKS_MAX_DEPTH];
    int depth = 0, strip_next = 0, rc = 0;
    *outp = NULL;
    if (put(&o, "", 0)) {
        snprintf(err, errlen, "out of memory");
        return QUIRE_ERR_NOMEM;
    }
    for (;;) {
        const char *open = strstr(t, "{%");
        const char *text_end = open ? open : t + strlen(t);
        const char *ts = t;
        if (strip_next)
            while (ts < text_end && isspace((unsigned char)*ts))
                ts++;
        int strip_before = open && open[2] == '-';
        const char *te = text_end;
        if (strip_before)
            while (te > ts && isspace((unsigned char)te[-1]))
                te--;
        int emit = depth == 0 || st[depth - 1].active;
        if (emit && te > ts && (rc = put(&o, ts, (size_t)(te - ts)))) {
            if (rc == QUIRE_ERR_INVALID)
                snprintf(err, errlen, "expanded template longer than %zu bytes", maxlen);
            else
                snprintf(err, errlen, "out of memory");
            goto fail;
        }
        if (!open) break;
        const char *close = strstr(open + 2, "%}");
        if (!close) {
            snprintf(err, errlen, "unterminated '{%%' in '%.60s'", open);
            rc = QUIRE_ERR_INVALID;
            goto fail;
        }
        const char *bs = open + 2 + strip_before, *be = close;
        strip_next = be > bs && be[-1] == '-';
        if (strip_next) be--;
        while (bs < be && isspace((unsigned char)*bs))
            bs++;
        const char *ws = bs;
        while (bs < be && isalpha((unsigned char)*bs))
            bs++;
        size_t kl = (size_t)(bs - ws);
        int is_if = kl == 2 && !strncmp(ws, "if", 2);
        int is_elif = kl == 4 && !strncmp(ws, "elif", 4);
        int is_else = kl == 4 && !strncmp(ws, "else", 4);
        int is_endif = kl == 5 && !strncmp(ws, "endif", 5);
        const char *rest = bs;
        while (rest < be && isspace((unsigned char)*rest))
            rest++;
        if (!is_if && !is_elif && !is_else && !is_endif) {
            snprintf(err, errlen, "'{%% %.*s %%}' is not supported (only if, elif, else, endif)",
                     (int)(kl ? kl : (size_t)(be - ws > 20 ? 20 : be - ws)), ws);
            rc = QUIRE_ERR_INVALID;
            goto fail;
        }
        if ((is_else || is_endif) && rest < be) {
            snprintf(err, errlen, "'{%% %.*s %%}' takes no condition", (int)kl, ws);
            rc = QUIRE_ERR_INVALID;
            goto fail;
        }
        if (!is_if && depth == 0) {
            snprintf(err, errlen, "'{%% %.*s %%}' without '{%% if %%}'", (int)kl, ws);
            rc = QUIRE_ERR_INVALID;
            goto fail;
        }
        level_t *l = depth ? &st[depth - 1] : NULL;
        if (is_if) {
            if (depth == QUIRE_BLOCKS_MAX_DEPTH) {
                snprintf(err, errlen, "'{%% if %%}' nested deeper than %d", QUIRE_BLOCKS_MAX_DEPTH);
                rc = QUIRE_ERR_INVALID;
                goto fail;
            }
            level_t n = {emit, 0, 0, 0};
            if (emit) {
                int r = eval_cond(rest, be, value, ctx, err, errlen);
                if (r < 0) {
                    rc = r;
                    goto fail;
                }
                n.active = n.taken = r;
            }
            st[depth++] = n;
        } else if (is_elif) {
            if (l->had_else) {
                snprintf(err, errlen, "'{%% elif %%}' after '{%% else %%}'");
                rc = QUIRE_ERR_INVALID;
                goto fail;
            }
            l->active = 0;
            if (l->parent && !l->taken) {
                int r = eval_cond(rest, be, value, ctx, err, errlen);
                if (r < 0) {
                    rc = r;
                    goto fail;
                }
                l->active = l->taken = r;
            }
        } else if (is_else) {
            if (l->had_else) {
                snprintf(err, errlen, "two '{%% else %%}' in one '{%% if %%}'");
                rc = QUIRE_ERR_INVALID;
                goto fail;
            }
            l->had_else = 1;
            l->active = l->parent && !l->taken;
            l->taken = 1;
        } else {
            depth--;
        }
        t = close + 2;
    }
    if (depth) {
        snprintf(err, errlen, "'{%% if %%}' without '{%% endif %%}'");
        rc = QUIRE_ERR_INVALID;
        goto fail;
    }
    *outp = o.s;
    return 0;
fail:
    free(o.s);
    return rc;
}
