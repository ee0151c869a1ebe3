/* The implementations registry (see registry.h). */
#include "run/registry.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util/err.h"

const char *quire_registry_roles_name(unsigned roles)
{
    if (roles == QUIRE_ROLE_BIT(QUIRE_ROLE_SERVER)) return "server";
    if (roles == QUIRE_ROLE_BIT(QUIRE_ROLE_CLIENT)) return "client";
    return "both";
}

void quire_registry_default_path(char *out, size_t len)
{
    quire_registry_default_path_for("quic", out, len);
}

void quire_registry_default_path_for(const char *protocol, char *out, size_t len)
{
    const char *env = getenv("QUIRE_IMPLEMENTATIONS");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    const char *src = getenv("QUIRE_SOURCE_DIR");
#ifdef QUIRE_SOURCE_DIR
    if (!src || !*src) src = QUIRE_SOURCE_DIR;
#endif
    /* QIR renamed its file implementations_quic.json (next to _webtransport.json): that name
     * first, the older one still read */
    static const char *const quic[] = {"implementations_quic.json", "implementations.json"};
    static const char *const wt[] = {"implementations_webtransport.json",
                                     "implementations_webtransport.json"};
    const char *const *names = strcmp(protocol, "webtransport") ? quic : wt;
    if (src && *src)
        for (size_t i = 0; i < 2; i++) {
            snprintf(out, len, "%s/%s", src, names[i]);
            if (access(out, R_OK) == 0) return;
        }
    snprintf(out, len, "%s", access(names[0], R_OK) == 0 ? names[0] : names[1]);
}

/* s for a one-line message: control characters (a JSON string may hold newlines) become '?',
 * long values are cut. */
static const char *shown(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[i] = 0;
    return buf;
}

static void impl_free(quire_impl *i)
{
    free(i->name);
    free(i->url);
    free(i->image);
    free(i->path);
}

void quire_registry_free(quire_registry *r)
{
    for (size_t i = 0; i < r->n; i++)
        impl_free(&r->impls[i]);
    free(r->impls);
    free(r->file);
    memset(r, 0, sizeof *r);
}

/* dir of file joined with rel (unless rel is absolute), made absolute. */
static char *resolve(const char *file, const char *rel)
{
    char buf[PATH_MAX * 2];
    if (rel[0] == '/') {
        snprintf(buf, sizeof buf, "%s", rel);
    } else {
        const char *slash = strrchr(file, '/');
        if (slash)
            snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - file), file, rel);
        else
            snprintf(buf, sizeof buf, "%s", rel);
    }
    char abs[PATH_MAX];
    if (realpath(buf, abs)) return strdup(abs);
    if (buf[0] != '/') {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd)) {
            char joined[PATH_MAX * 3];
            snprintf(joined, sizeof joined, "%s/%s", cwd, buf);
            return strdup(joined);
        }
    }
    return strdup(buf);
}

static const char *opt_string(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

static int load_root(quire_registry *r, json_t *root, const char *file, char *err, size_t errlen);

int quire_registry_load(quire_registry *r, const char *file, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    json_error_t je;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (access(file, R_OK)) {
            snprintf(err, errlen, "%s: %s", file, strerror(errno));
            return QUIRE_ERR_IO;
        }
        char tb[JSON_ERROR_TEXT_LENGTH]; /* jansson quotes the input near the error */
        snprintf(err, errlen, "%s:%d:%d: %s", file, je.line, je.column,
                 shown(je.text, tb, sizeof tb));
        return QUIRE_ERR_MALFORMED;
    }
    return load_root(r, root, file, err, errlen);
}

int quire_registry_load_buf(quire_registry *r, const char *data, size_t len, const char *name,
                            char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        char tb[JSON_ERROR_TEXT_LENGTH];
        snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column,
                 shown(je.text, tb, sizeof tb));
        return QUIRE_ERR_MALFORMED;
    }
    return load_root(r, root, name, err, errlen);
}

/* Takes over root (decref'd here). */
static int load_root(quire_registry *r, json_t *root, const char *file, char *err, size_t errlen)
{
    int rc = QUIRE_ERR_INVALID;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s:1:1: expected an object of implementations", file);
        goto fail;
    }
    r->file = strdup(file);
    r->impls = calloc(json_object_size(root) + 1, sizeof *r->impls);
    if (!r->file || !r->impls) {
        rc = QUIRE_ERR_NOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    const char *name;
    json_t *val;
    json_object_foreach(root, name, val)
    {
        char nb[128], rb[64];
        const char *sname = shown(name, nb, sizeof nb);
        int bad = 0;
        /* names become directory names (<server>_<client>) and list elements (-s a,b) */
        int ok_name = name[0] && name[0] != '.' && strlen(name) <= 64;
        for (const char *c = name; *c && ok_name; c++)
            ok_name = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                      (*c >= '0' && *c <= '9') || strchr("._+-", *c);
        if (!ok_name) {
            snprintf(err, errlen,
                     "%s: implementation name '%s': use 1-64 characters of A-Z a-z 0-9 . _ + - "
                     "(not starting with '.')",
                     file, sname);
            goto fail;
        }
        if (!json_is_object(val)) {
            snprintf(err, errlen, "%s: implementation '%s': expected an object", file, sname);
            goto fail;
        }
        const char *url = opt_string(val, "url", &bad);
        const char *image = opt_string(val, "image", &bad);
        const char *path = opt_string(val, "path", &bad);
        const char *role = opt_string(val, "role", &bad);
        if (bad) {
            snprintf(err, errlen,
                     "%s: implementation '%s': url, image, path and role must be "
                     "strings",
                     file, sname);
            goto fail;
        }
        quire_impl *im = &r->impls[r->n];
        if (!role) {
            snprintf(err, errlen, "%s: implementation '%s': missing \"role\"", file, sname);
            goto fail;
        } else if (!strcmp(role, "server")) {
            im->roles = QUIRE_ROLE_BIT(QUIRE_ROLE_SERVER);
        } else if (!strcmp(role, "client")) {
            im->roles = QUIRE_ROLE_BIT(QUIRE_ROLE_CLIENT);
        } else if (!strcmp(role, "both")) {
            im->roles = QUIRE_REGISTRY_BOTH;
        } else {
            snprintf(err, errlen,
                     "%s: implementation '%s': unknown role '%s' (expected server, "
                     "client or both)",
                     file, sname, shown(role, rb, sizeof rb));
            goto fail;
        }
        if (!image && !path) {
            snprintf(err, errlen, "%s: implementation '%s': needs \"image\" or \"path\"", file,
                     sname);
            goto fail;
        }
        r->n++;
        im->name = strdup(name);
        im->url = strdup(url ? url : "");
        im->image = image ? strdup(image) : NULL;
        im->path = path ? resolve(file, path) : NULL;
        if (!im->name || !im->url || (image && !im->image) || (path && !im->path)) {
            rc = QUIRE_ERR_NOMEM;
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    json_decref(root);
    return 0;
fail:
    json_decref(root);
    quire_registry_free(r);
    return rc;
}

const quire_impl *quire_registry_find(const quire_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->impls[i].name, name)) return &r->impls[i];
    return NULL;
}

int quire_registry_replace(quire_registry *r, const char *arg, char *err, size_t errlen)
{
    char *copy = strdup(arg), *save = NULL;
    if (!copy) return QUIRE_ERR_NOMEM;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1] || strchr(eq + 1, '=')) {
            snprintf(err, errlen, "invalid --replace '%s': expected NAME=IMAGE_OR_DIR", tok);
            rc = QUIRE_ERR_INVALID;
            break;
        }
        *eq = 0;
        quire_impl *im = (quire_impl *)quire_registry_find(r, tok);
        if (!im) {
            snprintf(err, errlen, "--replace: implementation '%s' not found in %s", tok, r->file);
            rc = QUIRE_ERR_NOTFOUND;
            break;
        }
        struct stat st;
        char **slot = stat(eq + 1, &st) == 0 && S_ISDIR(st.st_mode) ? &im->path : &im->image;
        char *v = slot == &im->path ? resolve("", eq + 1) : strdup(eq + 1);
        if (!v) {
            rc = QUIRE_ERR_NOMEM;
            break;
        }
        free(*slot);
        *slot = v;
        im->probed = 0;
    }
    free(copy);
    return rc;
}

/* Runs dir/available with a 10 s limit; 0 if it exits 0, else its first output line in why. */
static int run_available(const char *script, char *why, size_t whylen)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC)) {
        snprintf(why, whylen, "cannot run %.200s: %s", script, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        snprintf(why, whylen, "cannot run %.200s: %s", script, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        execl(script, script, (char *)NULL);
        dprintf(1, "cannot execute %s: %s\n", script, strerror(errno));
        _exit(126);
    }
    setpgid(pid, pid);
    close(pfd[1]);
    char out[1024];
    size_t got = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int timed_out = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = 10000 - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
        if (ms <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        int n = poll(&p, 1, (int)ms);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            timed_out = n == 0;
            break;
        }
        char tmp[512];
        ssize_t k = read(pfd[0], tmp, sizeof tmp);
        if (k <= 0) break;
        size_t take = (size_t)k < sizeof out - 1 - got ? (size_t)k : sizeof out - 1 - got;
        memcpy(out + got, tmp, take);
        got += take;
    }
    close(pfd[0]);
    if (timed_out) kill(-pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    out[got] = 0;
    if (timed_out) {
        snprintf(why, whylen, "%.200s did not answer within 10 s", script);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    char *nl = strchr(out, '\n');
    if (nl) *nl = 0;
    if (out[0])
        snprintf(why, whylen, "%.250s", out);
    else
        snprintf(why, whylen, "%.200s failed (status %d) without saying why", script,
                 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return -1;
}

void quire_registry_probe(quire_impl *im)
{
    if (im->probed) return;
    im->probed = 1;
    im->runnable = 0;
    im->reason[0] = 0;
    if (!im->path) {
        snprintf(im->reason, sizeof im->reason, "needs the container backend (image %s)",
                 im->image);
        return;
    }
    char p[PATH_MAX + 32];
    struct stat st;
    if (stat(im->path, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(im->reason, sizeof im->reason, "endpoint directory %.200s missing", im->path);
        return;
    }
    snprintf(p, sizeof p, "%s/run_endpoint", im->path);
    if (access(p, X_OK)) {
        snprintf(im->reason, sizeof im->reason, "%.200s not executable or missing", p);
        return;
    }
    snprintf(p, sizeof p, "%s/available", im->path);
    if (access(p, F_OK) == 0 && run_available(p, im->reason, sizeof im->reason)) return;
    im->runnable = 1;
}
