/* File-system helpers: mkdir -p, atomic write, whole-file read, same-file-system rm -rf,
 * temporary directories, path joining. See fs.h. */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

static int errno_to_err(int e)
{
    switch (e) {
    case ENOTDIR:
        return QUIRE_ERR_NOTFOUND;
    case EEXIST:
        return QUIRE_ERR_EXISTS;
    case ENAMETOOLONG:
        return QUIRE_ERR_INVALID;
    default:
        return quire_err_from_errno(e);
    }
}

int quire_fs_join(char *out, size_t outsize, const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/') la--;
    while (*b == '/' && la > 0) b++;
    size_t lb = strlen(b);
    int sep = la > 0 && a[la - 1] != '/' && lb > 0;
    size_t need = la + (size_t)sep + lb + 1;
    if (!out || need > outsize) return QUIRE_ERR_INVALID;
    memmove(out, a, la);
    if (sep) out[la] = '/';
    memmove(out + la + (size_t)sep, b, lb);
    out[need - 1] = '\0';
    return 0;
}

char *quire_fs_join_alloc(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s) return NULL;
    if (quire_fs_join(s, n, a, b) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

int quire_fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int quire_fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int quire_fs_mkdir_p(const char *path, mode_t mode)
{
    size_t n = strlen(path);
    if (n == 0) return QUIRE_ERR_INVALID;
    char *p = strdup(path);
    if (!p) return QUIRE_ERR_NOMEM;
    int rc = 0;
    /* Create each prefix that ends before a '/', then the whole path. */
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (i < n && p[i] != '/') continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, mode) < 0) {
            if (errno != EEXIST)
                rc = errno_to_err(errno);
            else if (!quire_fs_is_dir(p))
                rc = QUIRE_ERR_EXISTS;
        }
        p[i] = saved;
    }
    free(p);
    return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
    const uint8_t *d = data;
    while (len > 0) {
        ssize_t w = write(fd, d, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return QUIRE_ERR_IO;
        }
        d += w;
        len -= (size_t)w;
    }
    return 0;
}

int quire_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    static unsigned counter;
    size_t n = strlen(path) + 48;
    char *tmp = malloc(n);
    if (!tmp) return QUIRE_ERR_NOMEM;
    snprintf(tmp, n, "%s.tmp.%ld.%u", path, (long)getpid(),
             __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
    int rc;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = errno_to_err(errno);
        goto fail_open;
    }
    if ((rc = write_all(fd, data, len)) < 0) goto fail_write;
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        rc = QUIRE_ERR_IO;
        goto fail_write;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = QUIRE_ERR_IO;
        goto fail_write;
    }
    if (rename(tmp, path) < 0) {
        rc = errno_to_err(errno);
        fd = -1;
        goto fail_write;
    }
    free(tmp);
    return 0;

fail_write:
    if (fd >= 0) close(fd);
    {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
fail_open:
    free(tmp);
    return rc;
}

int quire_fs_read_file(const char *path, char **data_out, size_t *len_out, size_t max)
{
    *data_out = NULL;
    if (len_out) *len_out = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_to_err(errno);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    if (!buf) {
        rc = QUIRE_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > SIZE_MAX / 2) {
                rc = QUIRE_ERR_NOMEM;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = QUIRE_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = QUIRE_ERR_IO;
            break;
        }
        if (r == 0) break;
        len += (size_t)r;
        if (max && len > max) {
            rc = QUIRE_ERR_INVALID;
            break;
        }
    }
    if (rc < 0) {
        free(buf);
        goto out;
    }
    buf[len] = '\0';
    *data_out = buf;
    if (len_out) *len_out = len;
out:
    close(fd);
    return rc;
}

/* Removes the entries of the open directory dfd (on device dev), then nothing else: the caller
 * removes the directory itself. Mount points below are detached, not entered. */
static int remove_contents(int dfd, dev_t dev, int depth)
{
    if (depth > 256) return QUIRE_ERR_INVALID;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return QUIRE_ERR_IO;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT) continue;
            rc = rc ? rc : QUIRE_ERR_IO;
            continue;
        }
        if (st.st_dev != dev) {
            /* A mount point (file or directory bind): detach it, never descend into it. Via
             * /proc/self/fd so that we need no absolute path. */
            char p[64];
            snprintf(p, sizeof p, "/proc/self/fd/%d", dirfd(d));
            char full[4096];
            ssize_t l = readlink(p, full, sizeof full - 1);
            if (l < 0) {
                rc = rc ? rc : QUIRE_ERR_IO;
                continue;
            }
            full[l] = '\0';
            char target[4096 + 256];
            snprintf(target, sizeof target, "%s/%s", full, e->d_name);
            if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ||
                fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev) {
                errno = EBUSY;
                rc = rc ? rc : QUIRE_ERR_IO;
                continue;
            }
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                rc = rc ? rc : QUIRE_ERR_IO;
                continue;
            }
            int r = remove_contents(sub, dev, depth + 1);
            if (r < 0 && !rc) rc = r;
            if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && !rc) rc = QUIRE_ERR_IO;
        } else if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT && !rc) {
            rc = QUIRE_ERR_IO;
        }
    }
    int e2 = errno;
    closedir(d);
    errno = e2;
    return rc;
}

int quire_fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) return errno == ENOENT ? 0 : errno_to_err(errno);
    if (!S_ISDIR(st.st_mode)) return unlink(path) < 0 ? errno_to_err(errno) : 0;
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return errno_to_err(errno);
    int rc = remove_contents(dfd, st.st_dev, 0);
    if (rmdir(path) < 0 && !rc) rc = errno_to_err(errno);
    return rc;
}

/* The first executable <dir>/<prog> over the ':'-separated dirs; 0 or QUIRE_ERR_NOTFOUND. */
static int which_in(const char *dirs, const char *prog, char *out, size_t len)
{
    for (const char *d = dirs; *d;) {
        size_t k = strcspn(d, ":");
        int n = snprintf(out, len, "%.*s/%s", (int)k, d, prog);
        if (k && n > 0 && (size_t)n < len && access(out, X_OK) == 0) return 0;
        d += k + (d[k] == ':');
    }
    return QUIRE_ERR_NOTFOUND;
}

int quire_fs_which(const char *prog, const char *also, char *out, size_t outsize)
{
    if (strchr(prog, '/'))
        return snprintf(out, outsize, "%s", prog) < (int)outsize && access(prog, X_OK) == 0
                   ? 0
                   : QUIRE_ERR_NOTFOUND;
    const char *path = getenv("PATH");
    if (!which_in(path ? path : "/usr/bin:/bin", prog, out, outsize)) return 0;
    return also ? which_in(also, prog, out, outsize) : QUIRE_ERR_NOTFOUND;
}

int quire_fs_mkdtemp(const char *parent, const char *prefix, char *out, size_t outsize)
{
    if (!parent) {
        parent = getenv("TMPDIR");
        if (!parent || !*parent) parent = "/tmp";
    }
    if (!prefix) prefix = "quire-";
    int n = snprintf(out, outsize, "%s/%sXXXXXX", parent, prefix);
    if (n < 0 || (size_t)n >= outsize) return QUIRE_ERR_INVALID;
    if (!mkdtemp(out)) return errno_to_err(errno);
    return 0;
}
