/* Process control for endpoints and the simulator: spawn a child inside a named network
 * namespace, optionally in a new mount namespace (/ made a recursive slave: nothing propagates
 * back to the host, but the host's unmounts still reach the child; then bind mounts
 * such as /www, /downloads, /certs, /logs and the per-test /etc/hosts) and a new PID namespace
 * with a fresh /proc, in its own process group, with its own environment, working directory and
 * output file. Wait with a timeout (pidfd + ppoll, no busy loop, no SIGCHLD handler needed),
 * kill a whole group or PID namespace (SIGTERM, grace period, SIGKILL), decode exit statuses.
 *
 * With new_pidns the spawned process is a tiny init (PID 1 of the new namespace) that forks the
 * program, forwards SIGTERM/SIGINT/SIGHUP to every process of the namespace, reaps orphans and
 * exits with the program's status as soon as the program exits; the kernel then kills whatever
 * is left in the namespace. So an endpoint that daemonizes or leaves a forked child behind
 * leaves nothing when it exits or is killed.
 *
 * Signals: quire_proc_signals_install() makes SIGINT and SIGTERM set a flag instead of killing
 * quire; quire_proc_wait() and quire_proc_sleep() then return QUIRE_ERR_INTERRUPTED at once, so
 * the runner can stop its children, delete its namespaces and exit. */
#ifndef QUIRE_PROC_H
#define QUIRE_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* One bind mount made in the child's mount namespace: host_path (file or directory, must exist)
 * appears at target (absolute path inside the child's view). A missing target is created: a
 * directory for a directory source, an empty file for a file source, with missing parents
 * (which must lie on a writable file system of the host, e.g. /www is created in the host's /).
 * readonly remounts the bind read-only. */
typedef struct quire_proc_mount {
    const char *host_path;
    const char *target;
    int readonly;
} quire_proc_mount;

/* How to start a child. Zero-initialize, then set what you need. Every pointer must stay valid
 * for the duration of quire_proc_spawn() only. With a network namespace and a mount namespace,
 * /sys is remounted too (as `ip netns exec` does) so /sys/class/net shows the namespace. */
typedef struct quire_proc_opts {
    const char *const *argv; /* required; argv[0] is searched in PATH if it has no '/' */
    const char *const *envp; /* NULL: inherit quire's environment */
    const char *cwd;         /* NULL: unchanged; applied after the mounts */
    const char *netns;       /* NULL: stay; else the name of /run/netns/<netns> to join, or
                              * an absolute path of a namespace file (/proc/PID/ns/net) */
    int new_mountns;         /* 1: new mount namespace with / made rslave, then mounts */
    const quire_proc_mount *mounts; /* applied in order (implies new_mountns) */
    size_t nmounts;
    const char *hosts_file;  /* non-NULL: bind this file over /etc/hosts (implies new_mountns) */
    int new_pidns;           /* 1: new PID namespace + fresh /proc (implies new_mountns) */
    const char *output;      /* non-NULL: stdout and stderr appended to this file (created 0644) */
    int stdin_null;          /* 1: stdin from /dev/null (else inherited) */
    int die_with_parent;     /* 1: SIGKILL the child (with new_pidns: its whole namespace) when
                              * the spawning thread dies, e.g. quire killed with SIGKILL
                              * (PR_SET_PDEATHSIG); only for callers whose spawning thread
                              * outlives the child */
    /* Limits and isolation for endpoints (the netns backend sets them; see
     * docs/reliability.md). */
    const char *cgroup;      /* non-NULL: a cgroup directory the child joins before anything
                              * else (its cgroup.procs), so all it starts counts there */
    long nproc_limit;        /* > 0: RLIMIT_NPROC for the program (where no cgroup limits it;
                              * the kernel does not apply it to root) */
    int isolate;             /* 1 (implies new_mountns): the host's file systems read-only in the
                              * child's view, but for the mounts[] that are not readonly; a
                              * private tmpfs on /tmp, /var/tmp, /dev/shm and /run (hiding the
                              * host's sockets, e.g. docker.sock), but on one that holds cwd,
                              * argv[0] or a mount target; /proc/sys
                              * read-only; the program's capability bounding set cut to
                              * QUIRE_PROC_ENDPOINT_CAPS (so it cannot undo any of this) */
} quire_proc_opts;

/* The capabilities an isolated program keeps: Docker's default set plus CAP_NET_ADMIN, what
 * QIR's endpoint containers get (docker-compose.yml's cap_add: NET_ADMIN). A bit mask. */
#define QUIRE_PROC_ENDPOINT_CAPS                                                              \
    ((1ull << 0) /* CHOWN */ | (1ull << 1) /* DAC_OVERRIDE */ | (1ull << 3) /* FOWNER */ |      \
     (1ull << 4) /* FSETID */ | (1ull << 5) /* KILL */ | (1ull << 6) /* SETGID */ |             \
     (1ull << 7) /* SETUID */ | (1ull << 8) /* SETPCAP */ | (1ull << 10) /* NET_BIND_SERVICE */ | \
     (1ull << 12) /* NET_ADMIN */ | (1ull << 13) /* NET_RAW */ | (1ull << 18) /* SYS_CHROOT */ | \
     (1ull << 27) /* MKNOD */ | (1ull << 29) /* AUDIT_WRITE */ | (1ull << 31) /* SETFCAP */)

/* A started child. pid is the process we forked (the init of the PID namespace when new_pidns);
 * it leads its own process group (pgid == pid). status is the raw wait status of the program
 * (for new_pidns: of the real program, not of the init) once exited is 1. */
typedef struct quire_proc {
    pid_t pid;
    int pidfd;      /* pollable; becomes readable when the child exits; -1 after release */
    int status_fd;  /* internal: the init reports the program's status here (-1 if unused) */
    int new_pidns;
    int exited;
    int status;
    char err[256];  /* after a failed spawn: which step failed and why */
} quire_proc;

/* Starts a child according to opts. Returns 0 once the program has been exec'd (the child
 * reports failures of every setup step and of exec itself through a close-on-exec pipe, so
 * "netns does not exist" or "program not found" are errors here, with a message in p->err,
 * not a mysterious exit status later). Errors: QUIRE_ERR_INVALID (bad opts), QUIRE_ERR_NOTFOUND
 * (program, netns or mount source missing), QUIRE_ERR_PERM (needs root), QUIRE_ERR_IO. On error
 * nothing is left running and p needs no release. */
int quire_proc_spawn(quire_proc *p, const quire_proc_opts *opts);

/* Waits until the child exits, at most timeout_ms (negative: no limit). Returns 0 and fills
 * p->exited/p->status (the child is reaped), QUIRE_ERR_TIMEOUT (the child keeps running), or
 * QUIRE_ERR_INTERRUPTED when SIGINT/SIGTERM arrived after quire_proc_signals_install() (the
 * child keeps running). Calling it again after exit returns 0 immediately. */
int quire_proc_wait(quire_proc *p, int timeout_ms);

/* Waits for the first of n children to exit, at most timeout_ms. Returns 0 with *which set to
 * its index (that child is reaped, as by quire_proc_wait), QUIRE_ERR_TIMEOUT or
 * QUIRE_ERR_INTERRUPTED. Children that already exited are reported first. */
int quire_proc_wait_any(quire_proc *const *procs, size_t n, int timeout_ms, size_t *which);

/* Sends sig to the child's whole process group; with new_pidns to the init, which forwards it
 * to every process in the namespace (SIGKILL kills the namespace outright). Returns 0, or
 * 0 as well when the child already exited. */
int quire_proc_signal(quire_proc *p, int sig);

/* Stops the child and everything it started: SIGTERM to the group/namespace, up to grace_ms for
 * it to exit, then SIGKILL; reaps it. Afterwards p->exited is 1 and p->status tells how it
 * ended. Returns 0 (also when it had already exited) or QUIRE_ERR_IO. Not interruptible: a
 * Ctrl-C during the grace period does not leave the child behind. */
int quire_proc_kill(quire_proc *p, int grace_ms);

/* Frees p's descriptors. A child that is still running is killed first (grace 0). */
void quire_proc_release(quire_proc *p);

/* Exit status decoding for a raw wait status: 0..255 for a normal exit, 128 + signal number
 * when killed by a signal (the shell convention). */
int quire_proc_exit_code(int status);

/* 1 when the raw status says "killed by a signal" (and *sig set if non-NULL), else 0. */
int quire_proc_signaled(int status, int *sig);

/* Writes "exited with code 3" or "killed by signal 9 (Killed)" into buf; returns buf. */
const char *quire_proc_status_str(int status, char *buf, size_t len);

/* Installs handlers for SIGINT and SIGTERM (no SA_RESTART) that record the signal in a
 * sig_atomic_t; SIGPIPE is ignored. Idempotent. Returns 0 or QUIRE_ERR_IO. */
int quire_proc_signals_install(void);

/* The signal (SIGINT or SIGTERM) received since install/reset, or 0. Async-signal-safe. */
int quire_proc_interrupted(void);

/* Clears the flag (tests; a runner that handled the interruption). */
void quire_proc_interrupt_reset(void);

/* Sleeps ms milliseconds unless interrupted: 0 or QUIRE_ERR_INTERRUPTED. */
int quire_proc_sleep(int ms);

/* Monotonic clock in milliseconds / nanoseconds, for deadlines and measurements. */
long long quire_proc_now_ms(void);
unsigned long long quire_proc_now_ns(void);

#endif
