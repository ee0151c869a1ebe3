/* File-system helpers for the runner and the backends: mkdir -p, atomic file replacement
 * (write a temporary file in the same directory, fsync, rename), reading a whole file, removing
 * a tree without ever crossing into another mount (a test directory may still hold bind mounts
 * of a dying endpoint; we must not descend into /www of the host through one), temporary
 * directories and path joining. Every function returns 0 or a negative QUIRE_ERR_* (errno is
 * left set for QUIRE_ERR_IO). */
#ifndef QUIRE_FS_H
#define QUIRE_FS_H

#include <stddef.h>
#include <sys/types.h>

/* Creates path and every missing parent with mode (e.g. 0755). Existing directories are fine;
 * an existing non-directory is QUIRE_ERR_EXISTS. */
int quire_fs_mkdir_p(const char *path, mode_t mode);

/* Replaces path atomically with len bytes of data: readers see the old content or the new one,
 * never a partial file. The temporary file is "<path>.tmp.<pid>.<n>" in the same directory and is
 * removed on failure. mode is applied to the new file (e.g. 0644). */
int quire_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Reads the whole file into a malloc'd buffer that is NUL-terminated (not counted in *len_out),
 * so text files can be used as strings. Files larger than max bytes give QUIRE_ERR_INVALID
 * (max 0: no limit). A missing file is QUIRE_ERR_NOTFOUND. The caller frees *data_out. */
int quire_fs_read_file(const char *path, char **data_out, size_t *len_out, size_t max);

/* rm -rf path that stays on path's file system: directories that are mount points (different
 * st_dev) are not descended into; they are detached with umount2(MNT_DETACH) when we are root
 * and then removed, otherwise the removal fails with QUIRE_ERR_IO (EBUSY). Symbolic links are
 * removed, never followed. A missing path is success. */
int quire_fs_remove_tree(const char *path);

/* Makes a fresh directory "<parent>/<prefix>XXXXXX" (mode 0700) and writes its path to out.
 * parent NULL means $TMPDIR or /tmp. QUIRE_ERR_INVALID if out is too small. */
int quire_fs_mkdtemp(const char *parent, const char *prefix, char *out, size_t outsize);

/* Finds the executable prog as a shell would: prog itself when it contains a '/', else the first
 * executable <dir>/<prog> over $PATH (or /usr/bin:/bin when unset) and then the dirs of also
 * (a ':'-separated list, may be NULL). Writes the path to out. Returns 0, or QUIRE_ERR_NOTFOUND
 * (none, or out too small). */
int quire_fs_which(const char *prog, const char *also, char *out, size_t outsize);

/* Joins a and b with exactly one '/' between them into out (a "" gives b; a b starting with
 * '/' is still appended below a, so "/x" + "/etc" is "/x/etc"). QUIRE_ERR_INVALID if the
 * result does not fit. */
int quire_fs_join(char *out, size_t outsize, const char *a, const char *b);

/* As quire_fs_join, into a malloc'd string; NULL when out of memory. */
char *quire_fs_join_alloc(const char *a, const char *b);

/* 1 if path exists and is a directory (following links), else 0. */
int quire_fs_is_dir(const char *path);

/* 1 if path exists (any type, links not followed), else 0. */
int quire_fs_exists(const char *path);

#endif
