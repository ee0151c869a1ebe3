/* Collecting runs from a directory (see runs.h). */
#include "report/runs.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/err.h"
#include "util/fs.h"

void quire_runs_init(quire_runs *rs)
{
    rs->v = NULL;
    rs->n = 0;
}

void quire_runs_free(quire_runs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].id);
        free(rs->v[i].path);
        quire_result_free(&rs->v[i].result);
    }
    free(rs->v);
    quire_runs_init(rs);
}

int quire_runs_add(quire_runs *rs, const char *id, const char *path, char *err, size_t errlen)
{
    quire_run *v = realloc(rs->v, (rs->n + 1) * sizeof *v);
    if (!v) return QUIRE_ERR_NOMEM;
    rs->v = v;
    quire_run *run = &v[rs->n];
    quire_result_init(&run->result);
    run->id = strdup(id);
    run->path = strdup(path);
    int rv = run->id && run->path ? quire_result_load(path, &run->result, err, errlen)
                                  : QUIRE_ERR_NOMEM;
    if (rv) {
        free(run->id);
        free(run->path);
        quire_result_free(&run->result);
        return rv;
    }
    rs->n++;
    return 0;
}

/* qsort order: start time, then id (never fails). */
static int by_start(const void *pa, const void *pb)
{
    const quire_run *a = pa, *b = pb;
    if (a->result.start_time != b->result.start_time)
        return a->result.start_time < b->result.start_time ? -1 : 1;
    return strcmp(a->id, b->id);
}

void quire_runs_sort(quire_runs *rs)
{
    if (rs->n > 1) qsort(rs->v, rs->n, sizeof *rs->v, by_start);
}

/* A run name from logs.json or a directory entry: one path component, not "." or "..".
 * 1 when it is, 0 otherwise (never fails). */
static int name_ok(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Adds DIR/name/result.json as run name. 0 or as quire_runs_add. */
static int add_sub(quire_runs *rs, const char *dir, const char *name, char *err, size_t errlen)
{
    char *sub = quire_fs_join_alloc(dir, name);
    char *path = sub ? quire_fs_join_alloc(sub, "result.json") : NULL;
    int rv = path ? quire_runs_add(rs, name, path, err, errlen) : QUIRE_ERR_NOMEM;
    free(sub);
    free(path);
    return rv;
}

/* QIR's web/logs.json: ["logs_2026-...", ...], the run directories beside it. 0, or
 * QUIRE_ERR_IO / _MALFORMED / _NOMEM with err naming the file. */
static int from_logs_json(const char *dir, const char *lj, quire_runs *rs, char *err,
                          size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(lj, 0, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", lj, je.line, je.column, je.text);
        return errno == ENOENT ? QUIRE_ERR_IO : QUIRE_ERR_MALFORMED;
    }
    int rv = 0;
    if (!json_is_array(root)) {
        snprintf(err, errlen, "%s: expected an array of run directory names", lj);
        rv = QUIRE_ERR_MALFORMED;
    }
    for (size_t i = 0; !rv && i < json_array_size(root); i++) {
        const char *name = json_string_value(json_array_get(root, i));
        if (!name || !name_ok(name)) {
            snprintf(err, errlen, "%s: entry %zu is not a directory name", lj, i);
            rv = QUIRE_ERR_MALFORMED;
        } else {
            rv = add_sub(rs, dir, name, err, errlen);
        }
    }
    json_decref(root);
    return rv;
}

/* qsort order of strings (never fails). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every DIR/<sub>/result.json, subdirectories in name order (symlinks skipped). 0, or
 * QUIRE_ERR_IO (DIR unreadable) / _MALFORMED / _NOMEM with err naming the file. */
static int scan(const char *dir, quire_runs *rs, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return QUIRE_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0;
    int rv = 0;
    struct dirent *e;
    while (!rv && (e = readdir(d))) {
        if (!name_ok(e->d_name)) continue;
        char *sub = quire_fs_join_alloc(dir, e->d_name);
        char *path = sub ? quire_fs_join_alloc(sub, "result.json") : NULL;
        struct stat st;
        int take = path && !lstat(sub, &st) && S_ISDIR(st.st_mode) && quire_fs_exists(path);
        free(sub);
        free(path);
        if (!path) rv = QUIRE_ERR_NOMEM;
        if (rv || !take) continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            if (nn) names = nn;
            rv = QUIRE_ERR_NOMEM;
            continue;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (!rv) rv = add_sub(rs, dir, names[i], err, errlen);
        free(names[i]);
    }
    free(names);
    return rv;
}

int quire_runs_load_dir(const char *dir, quire_runs *rs, char *err, size_t errlen)
{
    if (!quire_fs_is_dir(dir)) {
        snprintf(err, errlen, "%s: not a directory", dir);
        return QUIRE_ERR_NOTFOUND;
    }
    char *lj = quire_fs_join_alloc(dir, "logs.json");
    if (!lj) return QUIRE_ERR_NOMEM;
    int rv = quire_fs_exists(lj) ? from_logs_json(dir, lj, rs, err, errlen)
                                 : scan(dir, rs, err, errlen);
    if (!rv && !rs->n) {
        snprintf(err, errlen,
                 quire_fs_exists(lj) ? "%s: lists no runs" : "%s: no */result.json found",
                 quire_fs_exists(lj) ? lj : dir);
        rv = QUIRE_ERR_NOTFOUND;
    }
    free(lj);
    if (!rv) quire_runs_sort(rs);
    return rv;
}
