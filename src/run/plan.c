/* Shards, resume and rerun selection helpers (see plan.h). */
#include "run/plan.h"

#include <errno.h>
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
        else if (r->tests[i].kind == QUIRE_TEST_CASE)
            name = r->tests[i].abbr;
        else
            continue;
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
