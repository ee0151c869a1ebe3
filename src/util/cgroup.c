/* Per-endpoint pids cgroups (see cgroup.h). */
#include "util/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fs.h"
#include "util/words.h"

#define PID_MAX_LIMIT 4194304L

/* The next line of text from *p (without its '\n') into line; 0 at the end. */
static int next_line(const char **p, char *line, size_t len)
{
    if (!**p) return 0;
    const char *nl = strchr(*p, '\n');
    size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
    size_t c = n < len - 1 ? n : len - 1;
    memcpy(line, *p, c);
    line[c] = 0;
    *p += n + (nl ? 1 : 0);
    return 1;
}

/* The n bytes of s as a string into out: 0, or QUIRE_ERR_INVALID when they do not fit. */
static int copy_out(char *out, size_t len, const char *s, size_t n)
{
    if (n >= len) return QUIRE_ERR_INVALID;
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

int quire_cgroup_self_path(const char *text, int v2, char *out, size_t len)
{
    char line[1024];
    for (const char *p = text; next_line(&p, line, sizeof line);) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || c2[1] != '/') continue;
        *c2 = 0;
        int want = v2 ? c1 == line + 1 && line[0] == '0' && c2 == c1 + 1
                        : quire_words_has(c1 + 1, ",", "pids", 4);
        if (want) return copy_out(out, len, c2 + 1, strlen(c2 + 1));
    }
    return QUIRE_ERR_NOTFOUND;
}

int quire_cgroup_mount_of(const char *text, int v2, char *out, size_t len)
{
    char line[2048];
    for (const char *p = text; next_line(&p, line, sizeof line);) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        char *sep = strstr(line, " - ");
        if (!sep) continue;
        *sep = 0;
        char fstype[64], source[256], super[1024];
        if (sscanf(sep + 3, "%63s %255s %1023s", fstype, source, super) != 3) continue;
        if (v2 ? strcmp(fstype, "cgroup2") : strcmp(fstype, "cgroup") || !quire_words_has(super, ",", "pids", 4))
            continue;
        char *f = line;
        for (int i = 0; i < 4 && f; i++) { /* skip to the fifth field */
            f = strchr(f, ' ');
            if (f) f++;
        }
        if (!f) continue;
        char *end = strchr(f, ' ');
        size_t n = end ? (size_t)(end - f) : strlen(f);
        if (memchr(f, '\\', n)) continue;
        return copy_out(out, len, f, n);
    }
    return QUIRE_ERR_NOTFOUND;
}

long quire_cgroup_keyed(const char *text, const char *key)
{
    char line[256];
    size_t kl = strlen(key);
    for (const char *p = text; next_line(&p, line, sizeof line);) {
        if (strncmp(line, key, kl) || line[kl] != ' ') continue;
        char *end;
        errno = 0;
        long v = strtol(line + kl + 1, &end, 10);
        if (errno || end == line + kl + 1 || v < 0) return -1;
        return v;
    }
    return -1;
}

int quire_cgroup_parse_pids(const char *s, long *out)
{
    if (!s || !*s) return QUIRE_ERR_INVALID;
    if (!strcmp(s, "off") || !strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    long v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return QUIRE_ERR_INVALID;
        v = v * 10 + (*c - '0');
        if (v > PID_MAX_LIMIT) return QUIRE_ERR_INVALID;
    }
    *out = v;
    return v >= 1 ? 0 : QUIRE_ERR_INVALID;
}

int quire_cgroup_name(char *out, size_t len, const char *run, unsigned n, const char *role)
{
    int w = snprintf(out, len, "quire-%s-%u-%s", run, n, role);
    return w < 0 || (size_t)w >= len ? QUIRE_ERR_INVALID : 0;
}

/* Writes s into the (cgroup) file path: 0, or the QUIRE_ERR_* of the failing call (errno
 * set). */
static int write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return quire_err_from_errno(errno);
    ssize_t w = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    if (w < 0) {
        errno = e;
        return quire_err_from_errno(e);
    }
    return 0;
}

/* The text of a small (kernel) file, malloc'd; NULL when it cannot be read. */
static char *read_small(const char *path)
{
    char *data = NULL;
    size_t n;
    return quire_fs_read_file(path, &data, &n, 1 << 20) ? NULL : data;
}

/* quire's own cgroup directory in the hierarchy (v2 or v1) into out, the hierarchy's mount
 * point into mnt (QUIRE_CGROUP_PATH_MAX bytes). Returns 0, QUIRE_ERR_IO (a /proc file
 * unreadable), QUIRE_ERR_NOTFOUND (no such hierarchy) or QUIRE_ERR_INVALID (out too small). */
static int own_dir(int v2, char *mnt, char *out, size_t len)
{
    char *mi = read_small("/proc/self/mountinfo"), *cg = read_small("/proc/self/cgroup");
    char self[QUIRE_CGROUP_PATH_MAX];
    int rc = mi && cg ? 0 : QUIRE_ERR_IO;
    if (!rc) rc = quire_cgroup_mount_of(mi, v2, mnt, QUIRE_CGROUP_PATH_MAX);
    if (!rc) rc = quire_cgroup_self_path(cg, v2, self, sizeof self);
    free(mi);
    free(cg);
    if (rc) return rc;
    return quire_fs_join(out, len, mnt, strcmp(self, "/") ? self : "");
}

/* 1 if the whitespace-separated words of the file dir/name hold word. */
static int file_has_word(const char *dir, const char *name, const char *word)
{
    char f[QUIRE_CGROUP_PATH_MAX + 32];
    snprintf(f, sizeof f, "%s/%s", dir, name);
    char *t = read_small(f);
    int found = quire_words_has(t, " \t\n", word, strlen(word));
    free(t);
    return found;
}

/* cgroup v2: the directory to make endpoint cgroups in. quire's own cgroup when pids is (or
 * can be) enabled for its children; else the nearest ancestor that has it enabled (a cgroup
 * with processes of its own, but the root, cannot enable a controller: EBUSY), so on a systemd
 * host the endpoints' cgroups sit beside quire's scope. Returns 0 or QUIRE_ERR_UNSUPPORTED
 * with why. */
static int v2_root(char *out, size_t len, char *why, size_t whylen)
{
    char mnt[QUIRE_CGROUP_PATH_MAX], dir[QUIRE_CGROUP_PATH_MAX], f[QUIRE_CGROUP_PATH_MAX + 32];
    if (own_dir(1, mnt, dir, sizeof dir) || !file_has_word(dir, "cgroup.controllers", "pids"))
        return QUIRE_ERR_UNSUPPORTED;
    snprintf(f, sizeof f, "%s/cgroup.subtree_control", dir);
    if (file_has_word(dir, "cgroup.subtree_control", "pids") || write_str(f, "+pids") == 0)
        return copy_out(out, len, dir, strlen(dir));
    snprintf(why, whylen, "cgroup v2 %.300s cannot enable pids for its children (%s)", dir,
             strerror(errno));
    size_t ml = strlen(mnt);
    for (char *slash; strlen(dir) > ml && (slash = strrchr(dir, '/')) && slash >= dir + ml;) {
        *slash = 0; /* up one level; the mount point itself last */
        if (!dir[0]) break;
        if (file_has_word(dir, "cgroup.subtree_control", "pids"))
            return copy_out(out, len, dir, strlen(dir));
    }
    return QUIRE_ERR_UNSUPPORTED;
}

int quire_cgroup_pids_root(char *out, size_t len, char *why, size_t whylen)
{
    char mnt[QUIRE_CGROUP_PATH_MAX], dir[QUIRE_CGROUP_PATH_MAX];
    if (v2_root(out, len, why, whylen) == 0) return 0;
    if (own_dir(0, mnt, dir, sizeof dir) == 0 && quire_fs_is_dir(dir))
        return copy_out(out, len, dir, strlen(dir));
    if (!why[0]) snprintf(why, whylen, "no cgroup hierarchy with the pids controller");
    return QUIRE_ERR_UNSUPPORTED;
}

int quire_cgroup_create(quire_cgroup *cg, const char *root, const char *name, long pids_max)
{
    cg->dir[0] = 0;
    cg->pids_max = pids_max;
    char dir[QUIRE_CGROUP_PATH_MAX], f[QUIRE_CGROUP_PATH_MAX + 16], v[32];
    if (!name[0] || strchr(name, '/') || quire_fs_join(dir, sizeof dir, root, name))
        return QUIRE_ERR_INVALID;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) return quire_err_from_errno(errno);
    snprintf(f, sizeof f, "%s/pids.max", dir);
    snprintf(v, sizeof v, "%ld", pids_max);
    int rc = write_str(f, v);
    if (rc) {
        int e = errno;
        rmdir(dir);
        errno = e;
        return rc;
    }
    snprintf(cg->dir, sizeof cg->dir, "%s", dir);
    return 0;
}

/* key's value in cg's file (key NULL: the file's number), or -1 when unknown. */
static long read_keyed(const quire_cgroup *cg, const char *file, const char *key)
{
    if (!cg->dir[0]) return -1;
    char f[QUIRE_CGROUP_PATH_MAX + 16];
    snprintf(f, sizeof f, "%s/%s", cg->dir, file);
    char *t = read_small(f);
    if (!t) return -1;
    long v;
    if (key) {
        v = quire_cgroup_keyed(t, key);
    } else {
        char *end;
        v = strtol(t, &end, 10);
        if (end == t) v = -1;
    }
    free(t);
    return v;
}

long quire_cgroup_pids_refused(const quire_cgroup *cg)
{
    return read_keyed(cg, "pids.events", "max");
}

long quire_cgroup_pids_peak(const quire_cgroup *cg)
{
    return read_keyed(cg, "pids.peak", NULL);
}

/* SIGKILLs every process listed in dir/cgroup.procs; returns how many were listed. */
static int kill_members(const char *dir)
{
    char f[QUIRE_CGROUP_PATH_MAX + 16];
    snprintf(f, sizeof f, "%s/cgroup.procs", dir);
    char *t = read_small(f);
    if (!t) return 0;
    int n = 0;
    for (char *p = t; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p) break;
        if (pid > 1 && pid != (long)getpid()) {
            kill((pid_t)pid, SIGKILL);
            n++;
        }
        p = end;
        while (*p == '\n') p++;
    }
    free(t);
    return n;
}

int quire_cgroup_remove_dir(const char *dir)
{
    for (int i = 0; i < 200; i++) { /* 2 s: killed processes take a moment to be reaped */
        kill_members(dir);
        if (rmdir(dir) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY) return QUIRE_ERR_IO;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    errno = EBUSY;
    return QUIRE_ERR_IO;
}

int quire_cgroup_destroy(quire_cgroup *cg)
{
    if (!cg->dir[0]) return 0;
    int rc = quire_cgroup_remove_dir(cg->dir);
    if (!rc) cg->dir[0] = 0;
    return rc;
}

int quire_cgroup_foreach(const char *prefix,
                         void (*fn)(const char *dir, const char *name, void *arg), void *arg)
{
    char root[QUIRE_CGROUP_PATH_MAX], why[256] = "";
    if (quire_cgroup_pids_root(root, sizeof root, why, sizeof why)) return 0;
    DIR *d = opendir(root);
    if (!d) return QUIRE_ERR_IO;
    int n = 0;
    size_t pl = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, pl)) continue;
        char dir[QUIRE_CGROUP_PATH_MAX];
        if (quire_fs_join(dir, sizeof dir, root, e->d_name) || !quire_fs_is_dir(dir)) continue;
        fn(dir, e->d_name, arg);
        n++;
    }
    closedir(d);
    return n;
}
