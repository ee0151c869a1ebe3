/* Endpoint limits of the netns backend (see limits.h). */
#include "backend/limits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cgroup.h"
#include "util/err.h"
#include "util/fs.h"

#define MAX_DEPTH 32

int quire_limits_parse_size(const char *s, unsigned long long *out)
{
    if (!s || !*s) return QUIRE_ERR_INVALID;
    if (!strcmp(s, "off")) {
        *out = 0;
        return 0;
    }
    unsigned long long v = 0;
    const char *c = s;
    for (; *c >= '0' && *c <= '9'; c++) {
        v = v * 10 + (unsigned)(*c - '0');
        if (v > (1ull << 40)) return QUIRE_ERR_INVALID;
    }
    if (c == s) return QUIRE_ERR_INVALID;
    unsigned shift = 0;
    if (*c == 'K' || *c == 'k') shift = 10;
    else if (*c == 'M' || *c == 'm') shift = 20;
    else if (*c == 'G' || *c == 'g') shift = 30;
    else if (*c) return QUIRE_ERR_INVALID;
    if (shift && c[1]) return QUIRE_ERR_INVALID;
    if (v > (1ull << 40) >> shift) return QUIRE_ERR_INVALID;
    *out = v << shift;
    return 0;
}

const char *quire_limits_size_str(unsigned long long n, char *buf, size_t len)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB"};
    unsigned u = 0;
    while (u < 3 && n && (n & 1023) == 0) {
        n >>= 10;
        u++;
    }
    snprintf(buf, len, "%llu %s", n, unit[u]);
    return buf;
}

int quire_limits_from_env(quire_limits *l, char *why, size_t whylen)
{
    l->pids_max = QUIRE_CGROUP_PIDS_DEFAULT;
    l->downloads = QUIRE_LIMITS_DOWNLOADS_DEFAULT;
    l->isolate = 1;
    const char *p = getenv("QUIRE_PIDS_MAX"), *d = getenv("QUIRE_DOWNLOADS_MAX"),
               *i = getenv("QUIRE_ISOLATION");
    if (p && *p && quire_cgroup_parse_pids(p, &l->pids_max)) {
        snprintf(why, whylen, "QUIRE_PIDS_MAX=%.40s: want a number of processes, or off", p);
        return QUIRE_ERR_INVALID;
    }
    if (d && *d && quire_limits_parse_size(d, &l->downloads)) {
        snprintf(why, whylen, "QUIRE_DOWNLOADS_MAX=%.40s: want a size such as 512M, or off", d);
        return QUIRE_ERR_INVALID;
    }
    if (i && *i && strcmp(i, "on") && strcmp(i, "off")) {
        snprintf(why, whylen, "QUIRE_ISOLATION=%.40s: want on or off", i);
        return QUIRE_ERR_INVALID;
    }
    if (i && !strcmp(i, "off")) l->isolate = 0;
    return 0;
}

int quire_limits_mount_downloads(const char *dir, const char *name, unsigned long long size)
{
    char opts[64];
    snprintf(opts, sizeof opts, "size=%llu,mode=0755", size);
    if (mount(name, dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return quire_err_from_errno(errno);
    return 0;
}

int quire_limits_downloads_full(const char *dir)
{
    struct statvfs sv;
    if (statvfs(dir, &sv) < 0) return 0;
    return (unsigned long long)sv.f_bavail * sv.f_frsize < (1ull << 20);
}

/* Copies the regular file from to to (created with mode): 0, or QUIRE_ERR_IO (errno set). */
static int copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), out = -1, rc = QUIRE_ERR_IO;
    char *buf = NULL;
    if (in < 0) return QUIRE_ERR_IO;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
    buf = malloc(1 << 16);
    if (out < 0 || !buf) goto done;
    for (;;) {
        ssize_t n = read(in, buf, 1 << 16);
        if (n < 0) goto done;
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) goto done;
            off += w;
        }
    }
    rc = 0;
done:
    free(buf);
    if (out >= 0 && close(out) < 0) rc = QUIRE_ERR_IO;
    close(in);
    return rc;
}

/* Regular files and directories of from into to (existing); the rest is skipped. Returns 0,
 * or QUIRE_ERR_IO for the last entry that could not be copied (the others are). */
static int copy_tree(const char *from, const char *to, int depth)
{
    if (depth > MAX_DEPTH) return QUIRE_ERR_IO;
    DIR *d = opendir(from);
    if (!d) return QUIRE_ERR_IO;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char a[4096], b[4096];
        struct stat st;
        if (quire_fs_join(a, sizeof a, from, e->d_name) ||
            quire_fs_join(b, sizeof b, to, e->d_name) || lstat(a, &st) < 0) {
            rc = QUIRE_ERR_IO;
            continue;
        }
        int r = 0;
        if (S_ISDIR(st.st_mode))
            r = mkdir(b, st.st_mode & 0777) < 0 && errno != EEXIST ? QUIRE_ERR_IO
                                                                   : copy_tree(a, b, depth + 1);
        else if (S_ISREG(st.st_mode))
            r = copy_file(a, b, st.st_mode);
        if (r) rc = r;
    }
    closedir(d);
    return rc;
}

/* Moves the entries of from into to (same file system), then removes from. Returns 0, or
 * QUIRE_ERR_IO when an entry could not be moved. */
static int move_entries(const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (!d) return QUIRE_ERR_IO;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char a[4096], b[4096];
        if (quire_fs_join(a, sizeof a, from, e->d_name) ||
            quire_fs_join(b, sizeof b, to, e->d_name) || rename(a, b) < 0)
            rc = QUIRE_ERR_IO;
    }
    closedir(d);
    quire_fs_remove_tree(from);
    return rc;
}

int quire_limits_unmount_downloads(const char *dir, int discard)
{
    char disk[4200];
    int rc = 0, n = snprintf(disk, sizeof disk, "%s.disk", dir);
    if (n < 0 || (size_t)n >= sizeof disk) discard = 1, rc = QUIRE_ERR_IO;
    if (!discard) {
        quire_fs_remove_tree(disk);
        if (mkdir(disk, 0755) < 0) {
            rc = QUIRE_ERR_IO;
            discard = 1;
        } else {
            rc = copy_tree(dir, disk, 0);
        }
    }
    if (umount2(dir, MNT_DETACH) < 0 && errno != EINVAL) rc = QUIRE_ERR_IO;
    if (!discard) {
        int r = move_entries(disk, dir);
        if (r && !rc) rc = r;
    }
    return rc;
}

int quire_limits_clean_mounts(const char *prefix, int dry_run,
                              int (*fn)(const char *dir, const char *name, void *arg), void *arg)
{
    char *mi = NULL;
    size_t len;
    if (quire_fs_read_file("/proc/self/mountinfo", &mi, &len, 1 << 24)) return QUIRE_ERR_IO;
    int n = 0;
    size_t pl = strlen(prefix);
    for (char *line = mi; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        /* ... MOUNTPOINT ... - tmpfs SOURCE SUPER */
        char *sep = strstr(line, " - ");
        char mnt[4096], fstype[32], source[128];
        if (sep && sscanf(sep + 3, "%31s %127s", fstype, source) == 2 && !strcmp(fstype, "tmpfs") &&
            !strncmp(source, prefix, pl) && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
            !strchr(mnt, '\\')) {
            if ((!fn || !fn(mnt, source, arg)) && (dry_run || umount2(mnt, MNT_DETACH) == 0)) n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(mi);
    return n;
}
