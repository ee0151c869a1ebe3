/* Shards, resume and rerun selection helpers (see plan.h). */
#include "run/plan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"

int quire_plan_shard_parse(const char *s, unsigned *k, unsigned *n)
{
    char *end;
    if (!s || *s < '0' || *s > '9') return QUIRE_ERR_INVALID;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10);
    if (errno || *end != '/' || end[1] < '0' || end[1] > '9') return QUIRE_ERR_INVALID;
    unsigned long b = strtoul(end + 1, &end, 10);
    if (errno || *end || a < 1 || b < 1 || a > b || b > 100000) return QUIRE_ERR_INVALID;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

int quire_plan_in_shard(size_t i, unsigned k, unsigned n)
{
    return n == 0 || i % n + 1 == k;
}

char *quire_plan_names(const quire_result *r, int which)
{
    quire_buf b;
    quire_buf_init(&b);
    size_t count = which == 0 ? r->nservers : which == 1 ? r->nclients : r->ntests;
    int first = 1;
    for (size_t i = 0; i < count; i++) {
        const char *name;
        if (which == 0)
            name = r->servers[i].name;
        else if (which == 1)
            name = r->clients[i].name;
        else
            name = r->tests[i].abbr; /* test cases and measurements */
        if (quire_buf_printf(&b, "%s%s", first ? "" : ",", name)) {
            quire_buf_free(&b);
            return NULL;
        }
        first = 0;
    }
    if (first) {
        quire_buf_free(&b);
        return NULL;
    }
    return (char *)b.data; /* the buffer's storage is malloc'd and NUL-terminated */
}

int quire_plan_relpath(const char *from, const char *to, char *out, size_t outsize)
{
    if (from[0] != '/' || to[0] != '/') return QUIRE_ERR_INVALID;
    /* longest common prefix ending at a component boundary */
    size_t i = 0, last = 0;
    while (from[i] && to[i] && from[i] == to[i]) {
        if (from[i] == '/') last = i;
        i++;
    }
    if ((!from[i] && (to[i] == '/' || !to[i])) || (!to[i] && from[i] == '/')) last = i;
    size_t off = 0;
    /* one ".." per component of from after the common prefix */
    for (const char *p = from + last; *p; p++) {
        if (*p != '/' || !p[1] || p[1] == '/') continue;
        int n = snprintf(out + off, outsize - off, "../");
        if (n < 0 || (size_t)n >= outsize - off) return QUIRE_ERR_INVALID;
        off += (size_t)n;
    }
    const char *rest = to + last;
    while (*rest == '/')
        rest++;
    int n = snprintf(out + off, outsize - off, "%s", *rest ? rest : (off ? "" : "."));
    if (n < 0 || (size_t)n >= outsize - off) return QUIRE_ERR_INVALID;
    off += (size_t)n;
    if (off > 1 && out[off - 1] == '/') out[off - 1] = 0; /* "../" alone becomes ".." */
    return 0;
}

/* --rerun-failed writes a new log dir: the kept cells' log paths must point into the old one,
 * relative to the new one (the result's "log" is relative to its log_dir). */
void quire_plan_relink_logs(quire_result *r, char *abs_new, const char *new_dir)
{
    char abs_old[PATH_MAX];
    if (!r->log_dir || !realpath(r->log_dir, abs_old)) return;
    /* the new dir does not exist yet: its absolute name from its parent's */
    char parent[PATH_MAX], tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", new_dir);
    char *slash = strrchr(tmp, '/');
    const char *base = slash ? slash + 1 : tmp;
    if (slash) *slash = 0;
    if (!realpath(slash ? (tmp[0] ? tmp : "/") : ".", parent)) return;
    int n = snprintf(abs_new, PATH_MAX, "%s/%s", strcmp(parent, "/") ? parent : "", base);
    if (n < 0 || n >= PATH_MAX) return;
    for (size_t s = 0; s < r->nservers; s++)
        for (size_t c = 0; c < r->nclients; c++)
            for (size_t t = 0; t < r->ntests; t++) {
                quire_result_outcome o;
                if (quire_result_outcome_get(r, s, c, t, &o) || !o.log ||
                    o.verdict == QUIRE_VERDICT_FAILED)
                    continue;
                char old[PATH_MAX * 2], rel[PATH_MAX];
                snprintf(old, sizeof old, "%s/%s", abs_old, o.log);
                if (quire_plan_relpath(abs_new, old, rel, sizeof rel)) continue;
                quire_result_set_log(r, s, c, t, rel);
            }
}
