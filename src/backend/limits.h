/* What bounds an endpoint of the netns backend besides its namespaces (docs/reliability.md,
 * "Chaos endpoints and isolation"): a pids limit (a cgroup per endpoint, util/cgroup.h, or
 * RLIMIT_NPROC where no cgroup hierarchy has the pids controller), a size limit on its
 * /downloads (the test's downloads directory becomes a tmpfs of that size on the host while the
 * endpoint runs; its files are copied back to disk at teardown, so the checks, -f and --keep
 * see them as before), and isolation (util/proc.h, quire_proc_opts.isolate: the host read-only,
 * private /tmp, QIR's capabilities).
 *
 * Configuration comes from quire's environment, read once per test bed:
 *   QUIRE_PIDS_MAX       processes and threads per endpoint (default 4096; 0 or "off": none)
 *   QUIRE_DOWNLOADS_MAX  bytes per /downloads, with K, M or G (default 512M; 0 or "off": none)
 *   QUIRE_ISOLATION      "off" runs endpoints with the host writable and all capabilities
 *
 * The tmpfs mounts are named after the endpoint's namespace ("quire-<run>-<n>-<role>"), so
 * `quire clean` finds those of a killed run in /proc/self/mountinfo. */
#ifndef QUIRE_LIMITS_H
#define QUIRE_LIMITS_H

#include <stddef.h>

#define QUIRE_LIMITS_DOWNLOADS_DEFAULT (512ull << 20)

typedef struct quire_limits {
    long pids_max;                /* 0: no limit */
    unsigned long long downloads; /* bytes, 0: no limit */
    int isolate;                  /* 1: quire_proc_opts.isolate */
} quire_limits;

/* A size: a decimal number with an optional K, M or G (binary units), or "0"/"off" for none.
 * Returns 0, or QUIRE_ERR_INVALID (not a size, or over 1 TiB). */
int quire_limits_parse_size(const char *s, unsigned long long *out);

/* "512 MiB", "64 KiB", "1000 bytes": the size in the largest unit that divides it. */
const char *quire_limits_size_str(unsigned long long n, char *buf, size_t len);

/* The limits from the environment variables above (defaults for unset ones). Returns 0, or
 * QUIRE_ERR_INVALID naming the variable in why. */
int quire_limits_from_env(quire_limits *l, char *why, size_t whylen);

/* Mounts a tmpfs of size bytes named name at the (empty) directory dir on the host. Returns 0,
 * or QUIRE_ERR_PERM / QUIRE_ERR_IO (errno set). */
int quire_limits_mount_downloads(const char *dir, const char *name, unsigned long long size);

/* 1 when the tmpfs at dir has less than 1 MiB left (an endpoint ran into the limit), else 0. */
int quire_limits_downloads_full(const char *dir);

/* Copies the files of the tmpfs at dir into a sibling directory on disk, unmounts the tmpfs and
 * moves them into dir; with discard 1 only unmounts (the files are lost). Returns 0, or
 * QUIRE_ERR_IO (the tmpfs is detached all the same; what could be copied is in dir). */
int quire_limits_unmount_downloads(const char *dir, int discard);

/* For `quire clean` and a dead worker's test bed: detaches every tmpfs whose name starts with
 * prefix ("quire-<run>-" or "quire-<run>-<n>-") unless fn(mount point, name, arg) returns
 * nonzero (fn may be NULL); with dry_run 1 nothing is detached. Returns how many were (or
 * would be) detached, or QUIRE_ERR_IO. */
int quire_limits_clean_mounts(const char *prefix, int dry_run,
                              int (*fn)(const char *dir, const char *name, void *arg), void *arg);

#endif
