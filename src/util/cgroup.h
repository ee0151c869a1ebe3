/* Per-endpoint pids limits: a cgroup with the pids controller for each endpoint, named like its
 * namespace (quire-<run>-<n>-<role>), made as a child of quire's own cgroup in the hierarchy
 * that has the pids controller — cgroup v2 (the unified hierarchy, when its cgroup.controllers
 * lists "pids") or else cgroup v1 (a "cgroup" mount with the pids option, as on hosts that keep
 * the legacy or hybrid layout). The endpoint joins it before it runs anything (util/proc.h,
 * quire_proc_opts.cgroup), so every process and thread it makes counts against pids.max and a
 * fork beyond it fails with EAGAIN; pids.events counts the refused forks, which the verdict
 * names. The cgroup is removed at teardown and by `quire clean`.
 *
 * Where no hierarchy has the pids controller, quire_cgroup_pids_root says why and callers fall
 * back to RLIMIT_NPROC, which the kernel does not enforce for root (see docs/reliability.md).
 *
 * The parsers read kernel files (/proc/self/cgroup, /proc/self/mountinfo, pids.events); they are
 * pure functions over text so the unit tests feed them samples. */
#ifndef QUIRE_CGROUP_H
#define QUIRE_CGROUP_H

#include <stddef.h>

#define QUIRE_CGROUP_PATH_MAX 512
#define QUIRE_CGROUP_PIDS_DEFAULT 4096 /* per endpoint: processes and threads */

typedef struct quire_cgroup {
    char dir[QUIRE_CGROUP_PATH_MAX]; /* "" when not made */
    long pids_max;
} quire_cgroup;

/* The path of this process's cgroup in /proc/self/cgroup's text (lines "ID:CONTROLLERS:PATH"):
 * for v2 the "0::PATH" line, for v1 the line whose controller list holds "pids". Written to out
 * ("/" or "/a/b"). Returns 0, QUIRE_ERR_NOTFOUND (no such line) or QUIRE_ERR_INVALID (out too
 * small). */
int quire_cgroup_self_path(const char *text, int v2, char *out, size_t len);

/* The mount point of the cgroup hierarchy in /proc/self/mountinfo's text: v2 the first
 * "cgroup2" file system, v1 the "cgroup" one whose super options hold "pids". Returns 0,
 * QUIRE_ERR_NOTFOUND or QUIRE_ERR_INVALID (out too small). Mount points with escaped characters
 * (\040) are skipped. */
int quire_cgroup_mount_of(const char *text, int v2, char *out, size_t len);

/* The value of key in a flat-keyed file's text ("max 3\n"), e.g. pids.events. Returns it, or -1
 * when the key is missing or its value is not a number. */
long quire_cgroup_keyed(const char *text, const char *key);

/* A pids limit as given by the user: a decimal number of 1..4194304 (the kernel's PID_MAX_LIMIT)
 * or "0"/"off" for no limit (*out = 0). Returns 0, or QUIRE_ERR_INVALID. */
int quire_cgroup_parse_pids(const char *s, long *out);

/* "quire-<run>-<n>-<role>" into out. Returns 0 or QUIRE_ERR_INVALID (does not fit). */
int quire_cgroup_name(char *out, size_t len, const char *run, unsigned n, const char *role);

/* The directory under which quire's endpoint cgroups are made: quire's own cgroup in the
 * hierarchy with the pids controller (v2 first, then v1), into out. Returns 0, or
 * QUIRE_ERR_UNSUPPORTED with the reason in why ("no cgroup hierarchy with the pids
 * controller", "cgroup v2 ... does not delegate pids"). */
int quire_cgroup_pids_root(char *out, size_t len, char *why, size_t whylen);

/* Makes <root>/<name> with pids.max = pids_max (for v2 after enabling +pids in root's
 * cgroup.subtree_control). An existing one (a killed run's) is reused. Returns 0, or
 * QUIRE_ERR_INVALID / QUIRE_ERR_IO / QUIRE_ERR_PERM (errno set) with cg->dir "" . */
int quire_cgroup_create(quire_cgroup *cg, const char *root, const char *name, long pids_max);

/* How many forks the limit refused so far (pids.events "max"), or -1 if unknown. */
long quire_cgroup_pids_refused(const quire_cgroup *cg);

/* The most processes it held at once (pids.peak), or -1 if the kernel has no such file. */
long quire_cgroup_pids_peak(const quire_cgroup *cg);

/* SIGKILLs whatever is left in the cgroup and removes it (waiting up to 2 s for the killed
 * processes to go). No-op for a cgroup not made. Returns 0 or QUIRE_ERR_IO (EBUSY: something
 * outlived the wait; the directory stays for `quire clean`). */
int quire_cgroup_destroy(quire_cgroup *cg);

/* For `quire clean`: calls fn(dir, name, arg) for every cgroup directory under the pids root
 * whose name starts with prefix ("quire-" or "quire-<run>-"). Returns the number found or a
 * negative QUIRE_ERR_* (no pids hierarchy: 0). */
int quire_cgroup_foreach(const char *prefix,
                         void (*fn)(const char *dir, const char *name, void *arg), void *arg);

/* Removes the cgroup directory dir as quire_cgroup_destroy does. Returns the same. */
int quire_cgroup_remove_dir(const char *dir);

#endif
