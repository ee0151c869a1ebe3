/* Process control: spawn in namespaces (net by name, mount, PID), wait with timeouts on a
 * pidfd, kill process groups and PID namespaces, decode statuses, Ctrl-C handling. See proc.h.
 *
 * The child is made with clone3(CLONE_PIDFD [| CLONE_NEWNS | CLONE_NEWPID]): one system call
 * gives a pollable descriptor (no SIGCHLD handler, no pid reuse race) and puts the child
 * directly into its new namespaces. Between clone3 and exec the child only makes system calls
 * on data prepared by the parent (no malloc), since the parent may have other threads. */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

extern char **environ;

/* The first version of the kernel's struct clone_args (CLONE_ARGS_SIZE_VER0 = 64 bytes). */
struct clone_args0 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* ---- Interruption by SIGINT/SIGTERM ---- */

static volatile sig_atomic_t interrupted_sig;
/* Readable once a signal arrived, so that waits in any thread wake up (a signal is delivered
 * to one thread only, and that need not be the waiting one). */
static int interrupt_efd = -1;

static void on_interrupt(int sig)
{
    int saved = errno;
    interrupted_sig = sig;
    if (interrupt_efd >= 0) {
        uint64_t one = 1;
        ssize_t w = write(interrupt_efd, &one, sizeof one);
        (void)w;
    }
    errno = saved;
}

int quire_proc_signals_install(void)
{
    if (interrupt_efd < 0) {
        interrupt_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (interrupt_efd < 0) return QUIRE_ERR_IO;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: blocking calls return EINTR */
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return QUIRE_ERR_IO;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int quire_proc_interrupted(void)
{
    return interrupted_sig;
}

void quire_proc_interrupt_reset(void)
{
    interrupted_sig = 0;
    if (interrupt_efd >= 0) {
        uint64_t v;
        ssize_t r = read(interrupt_efd, &v, sizeof v);
        (void)r;
    }
}

long long quire_proc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned long long quire_proc_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Milliseconds left until deadline (-1: none), for poll. */
static int remaining_ms(long long deadline)
{
    if (deadline < 0) return -1;
    long long left = deadline - quire_proc_now_ms();
    if (left < 0) return 0;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

int quire_proc_sleep(int ms)
{
    long long deadline = quire_proc_now_ms() + (ms < 0 ? 0 : ms);
    for (;;) {
        if (interrupted_sig) return QUIRE_ERR_INTERRUPTED;
        int left = remaining_ms(deadline);
        if (left == 0) return 0;
        struct pollfd pfd = {.fd = interrupt_efd, .events = POLLIN};
        int r = poll(&pfd, 1, left);
        if (r < 0 && errno != EINTR) return QUIRE_ERR_IO;
    }
}

/* ---- Status decoding ---- */

int quire_proc_exit_code(int status)
{
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

int quire_proc_signaled(int status, int *sig)
{
    if (!WIFSIGNALED(status)) return 0;
    if (sig) *sig = WTERMSIG(status);
    return 1;
}

const char *quire_proc_status_str(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(status),
                 strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
    else
        snprintf(buf, len, "unknown status 0x%x", (unsigned)status);
    return buf;
}

/* ---- Spawning ---- */

enum step {
    STEP_OUTPUT = 1, STEP_STDIN, STEP_NETNS_OPEN, STEP_NETNS_JOIN, STEP_PRIVATE, STEP_PROC,
    STEP_MOUNTPOINT, STEP_BIND, STEP_READONLY, STEP_HOSTS, STEP_CHDIR, STEP_FORK, STEP_EXEC,
    STEP_CGROUP, STEP_ISOLATE, STEP_TMPFS, STEP_WRITABLE, STEP_CAPS, STEP_RLIMIT,
};

/* What the child reports through the error pipe when a step fails. */
struct child_report {
    int step;
    int index; /* mount index for the mount steps */
    int err;   /* errno */
};

static void report_and_exit(int fd, int step, int index, int err)
{
    struct child_report r = {step, index, err};
    ssize_t w = write(fd, &r, sizeof r);
    (void)w;
    _exit(127);
}

/* mkdir -p on a stack buffer (no malloc in the child). */
static int child_mkdir_p(const char *path)
{
    char p[4096];
    size_t n = strlen(path);
    if (n >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && p[i] != '/') continue;
        p[i] = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) return -1;
        p[i] = i < n ? '/' : '\0';
    }
    return 0;
}

/* Creates the mount point for source at target if it is missing: a directory for a directory,
 * an empty file otherwise. */
static int child_make_target(const char *source, const char *target)
{
    struct stat st, tst;
    if (stat(source, &st) < 0) return -1;
    if (stat(target, &tst) == 0) return 0;
    if (S_ISDIR(st.st_mode)) return child_mkdir_p(target);
    char parent[4096];
    size_t n = strlen(target);
    if (n >= sizeof parent) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(parent, target, n + 1);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (child_mkdir_p(parent) < 0) return -1;
    }
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

static void child_reset_signals(void)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
}

/* The private writable places of an isolated child (QIR's containers have their own). */
static const char *const private_tmpfs[] = {"/tmp", "/var/tmp", "/dev/shm", "/run"};

/* 1 if path is dir or lies below it. */
static int below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return path && !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

#define NPRIVATE (sizeof private_tmpfs / sizeof private_tmpfs[0])

/* Whether private_tmpfs[i] may be covered: not when it holds the program or a mount target
 * (an endpoint that lives in /tmp keeps the host's view of it, read-only). */
static int may_cover(const quire_proc_opts *o, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || below(o->cwd, dir) || below(o->argv[0], dir))
        return 0;
    for (size_t i = 0; i < o->nmounts; i++)
        if (below(o->mounts[i].target, dir)) return 0;
    return 1;
}

/* opts.isolate, after the mounts: everything read-only, then a private tmpfs on each of
 * private_tmpfs that may be covered, the writable mounts writable again, /proc writable but
 * for /proc/sys (as Docker mounts them). Without mount_setattr (Linux < 5.12) the view stays
 * as it is. */
static void child_isolate(const quire_proc_opts *o, int efd)
{
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY}, rw = {.attr_clr = MOUNT_ATTR_RDONLY};
    if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) < 0) {
        if (errno == ENOSYS) return;
        report_and_exit(efd, STEP_ISOLATE, 0, errno);
    }
    for (size_t i = 0; i < NPRIVATE; i++)
        if (may_cover(o, private_tmpfs[i]) &&
            mount("tmpfs", private_tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
            report_and_exit(efd, STEP_TMPFS, (int)i, errno);
    for (size_t i = 0; i < o->nmounts; i++)
        if (!o->mounts[i].readonly &&
            mount_setattr(AT_FDCWD, o->mounts[i].target, AT_RECURSIVE, &rw, sizeof rw) < 0)
            report_and_exit(efd, STEP_WRITABLE, (int)i, errno);
    if (o->new_pidns && mount_setattr(AT_FDCWD, "/proc", 0, &rw, sizeof rw) == 0 &&
        mount("/proc/sys", "/proc/sys", NULL, MS_BIND, NULL) == 0)
        mount_setattr(AT_FDCWD, "/proc/sys", 0, &ro, sizeof ro);
}

/* Everything before the exec (or, with a PID namespace, before the init forks the program):
 * the cgroup, stdio, network namespace, mounts, /proc. */
static void child_setup(const quire_proc_opts *o, const char *netns_path, const char *cg_procs,
                        int out_fd, int mountns, int efd)
{
    if (cg_procs) { /* "0": the writer itself; what it forks from now on stays in there */
        int fd = open(cg_procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) report_and_exit(efd, STEP_CGROUP, 0, errno);
        close(fd);
    }
    if (out_fd >= 0) { /* opened by the parent: a file open for writing in our own mount
                        * namespace would keep isolate from making its mount read-only */
        if (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) report_and_exit(efd, STEP_OUTPUT, 0, errno);
        close(out_fd);
    }
    if (o->stdin_null) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || dup2(fd, 0) < 0) report_and_exit(efd, STEP_STDIN, 0, errno);
        close(fd);
    }
    if (netns_path) {
        int fd = open(netns_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) report_and_exit(efd, STEP_NETNS_OPEN, 0, errno);
        if (setns(fd, CLONE_NEWNET) < 0) report_and_exit(efd, STEP_NETNS_JOIN, 0, errno);
        close(fd);
    }
    if (!mountns) return;
    /* Slave first, or every mount below would propagate back into the host. Slave rather than
     * private (as `ip netns exec` does): the host's unmounts still reach us, so deleting
     * another test's namespace under /run/netns leaves no copy of its bind mount here that
     * would keep that network namespace alive while this endpoint runs. (Since Linux 3.18 the
     * unlink in quire_netns_del detaches such copies in every namespace as well.) */
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        report_and_exit(efd, STEP_PRIVATE, 0, errno);
    if (netns_path) {
        /* /sys/class/net of the namespace, as `ip netns exec` does; best effort. */
        if (umount2("/sys", MNT_DETACH) == 0) mount("sysfs", "/sys", "sysfs", 0, NULL);
    }
    if (o->new_pidns &&
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        report_and_exit(efd, STEP_PROC, 0, errno);
    for (size_t i = 0; i < o->nmounts; i++) {
        const quire_proc_mount *m = &o->mounts[i];
        if (child_make_target(m->host_path, m->target) < 0)
            report_and_exit(efd, STEP_MOUNTPOINT, (int)i, errno);
        if (mount(m->host_path, m->target, NULL, MS_BIND | MS_REC, NULL) < 0)
            report_and_exit(efd, STEP_BIND, (int)i, errno);
        if (m->readonly &&
            mount(NULL, m->target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
            report_and_exit(efd, STEP_READONLY, (int)i, errno);
    }
    if (o->hosts_file && mount(o->hosts_file, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
        report_and_exit(efd, STEP_HOSTS, 0, errno);
    if (o->isolate) child_isolate(o, efd);
}

/* The program's limits: RLIMIT_NPROC; with isolate, the capability bounding set cut to
 * QUIRE_PROC_ENDPOINT_CAPS (root's capabilities after exec are its bounding set). */
static void child_limit(const quire_proc_opts *o, int efd)
{
    if (o->nproc_limit > 0) {
        struct rlimit rl = {(rlim_t)o->nproc_limit, (rlim_t)o->nproc_limit};
        if (setrlimit(RLIMIT_NPROC, &rl) < 0) report_and_exit(efd, STEP_RLIMIT, 0, errno);
    }
    if (!o->isolate) return;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int cap = 0; cap < 64; cap++) {
        if (QUIRE_PROC_ENDPOINT_CAPS & (1ull << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 && errno != EINVAL)
            report_and_exit(efd, STEP_CAPS, cap, errno);
    }
}

static void child_exec(const quire_proc_opts *o, char *const *envp, int efd)
{
    child_reset_signals(); /* again after the init's forwarders */
    if (o->cwd && chdir(o->cwd) < 0) report_and_exit(efd, STEP_CHDIR, 0, errno);
    child_limit(o, efd);
    execvpe(o->argv[0], (char *const *)o->argv, envp);
    report_and_exit(efd, STEP_EXEC, 0, errno);
}

/* The init of a PID namespace: forward termination signals to everyone in the namespace. */
static void init_forward(int sig)
{
    int saved = errno;
    kill(-1, sig); /* from PID 1: every process of the namespace except itself */
    errno = saved;
}

static void run_init(const quire_proc_opts *o, char *const *envp, int efd, int sfd)
{
    static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = init_forward;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++) sigaction(fwd[i], &sa, NULL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    pid_t prog = fork();
    if (prog < 0) report_and_exit(efd, STEP_FORK, 0, errno);
    if (prog == 0) {
        close(sfd);
        child_exec(o, envp, efd);
    }
    close(efd);
    int code = 0;
    for (;;) {
        int st;
        pid_t r = waitpid(-1, &st, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            break; /* ECHILD: cannot happen before prog was reaped */
        }
        if (r == prog) {
            ssize_t w = write(sfd, &st, sizeof st);
            (void)w;
            code = quire_proc_exit_code(st);
            break;
        }
    }
    /* Exiting as PID 1 makes the kernel kill every process left in the namespace. */
    _exit(code);
}

static int err_from_errno(int e)
{
    return e == ENOTDIR ? QUIRE_ERR_NOTFOUND : quire_err_from_errno(e);
}

static void describe_failure(quire_proc *p, const quire_proc_opts *o, const struct child_report *r)
{
    const char *what = "?";
    const char *arg = "";
    switch (r->step) {
    case STEP_OUTPUT: what = "opening output file"; arg = o->output; break;
    case STEP_STDIN: what = "opening /dev/null"; break;
    case STEP_NETNS_OPEN: what = "opening network namespace"; arg = o->netns; break;
    case STEP_NETNS_JOIN: what = "joining network namespace"; arg = o->netns; break;
    case STEP_PRIVATE: what = "making / a slave mount in the new mount namespace"; break;
    case STEP_PROC: what = "mounting /proc for the new PID namespace"; break;
    case STEP_MOUNTPOINT: what = "creating mount point"; break;
    case STEP_BIND: what = "bind-mounting"; break;
    case STEP_READONLY: what = "making read-only"; break;
    case STEP_HOSTS: what = "binding hosts file over /etc/hosts:"; arg = o->hosts_file; break;
    case STEP_CHDIR: what = "changing directory to"; arg = o->cwd; break;
    case STEP_FORK: what = "forking the program in the PID namespace"; break;
    case STEP_EXEC: what = "executing"; arg = o->argv[0]; break;
    case STEP_CGROUP: what = "joining the cgroup"; arg = o->cgroup; break;
    case STEP_ISOLATE: what = "making the host's file systems read-only"; break;
    case STEP_TMPFS: what = "mounting a private tmpfs"; break;
    case STEP_WRITABLE: what = "making a mount writable again"; break;
    case STEP_CAPS: what = "dropping capabilities"; break;
    case STEP_RLIMIT: what = "setting RLIMIT_NPROC"; break;
    }
    if (r->step == STEP_TMPFS && r->index >= 0 &&
        (size_t)r->index < sizeof private_tmpfs / sizeof private_tmpfs[0])
        arg = private_tmpfs[r->index];
    if ((r->step == STEP_MOUNTPOINT || r->step == STEP_BIND || r->step == STEP_READONLY ||
         r->step == STEP_WRITABLE) &&
        r->index >= 0 && (size_t)r->index < o->nmounts)
        snprintf(p->err, sizeof p->err, "%s %s -> %s: %s", what, o->mounts[r->index].host_path,
                 o->mounts[r->index].target, strerror(r->err));
    else
        snprintf(p->err, sizeof p->err, "%s %s: %s", what, arg ? arg : "", strerror(r->err));
}

int quire_proc_spawn(quire_proc *p, const quire_proc_opts *o)
{
    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->pidfd = -1;
    p->status_fd = -1;
    if (!o || !o->argv || !o->argv[0] || !o->argv[0][0]) {
        snprintf(p->err, sizeof p->err, "no program to run");
        return QUIRE_ERR_INVALID;
    }
    for (size_t i = 0; i < o->nmounts; i++) {
        if (!o->mounts[i].host_path || !o->mounts[i].target || o->mounts[i].target[0] != '/') {
            snprintf(p->err, sizeof p->err, "mount %zu: target must be an absolute path", i);
            return QUIRE_ERR_INVALID;
        }
    }
    int mountns = o->new_mountns || o->nmounts > 0 || o->hosts_file || o->new_pidns || o->isolate;
    char cg_procs[600];
    if (o->cgroup && snprintf(cg_procs, sizeof cg_procs, "%s/cgroup.procs", o->cgroup) >=
                         (int)sizeof cg_procs) {
        snprintf(p->err, sizeof p->err, "cgroup path too long");
        return QUIRE_ERR_INVALID;
    }
    char netns_path[512];
    if (o->netns) {
        int path = o->netns[0] == '/'; /* a namespace file such as /proc/PID/ns/net */
        if (!o->netns[0] || (!path && strchr(o->netns, '/')) ||
            snprintf(netns_path, sizeof netns_path, path ? "%s" : "/run/netns/%s", o->netns) >=
                (int)sizeof netns_path) {
            snprintf(p->err, sizeof p->err, "bad network namespace name '%s'", o->netns);
            return QUIRE_ERR_INVALID;
        }
    }
    char *const *envp = o->envp ? (char *const *)o->envp : environ;

    int rc;
    int epipe[2], spipe[2] = {-1, -1}, out_fd = -1;
    if (o->output &&
        (out_fd = open(o->output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        rc = err_from_errno(errno);
        snprintf(p->err, sizeof p->err, "opening output file %s: %s", o->output, strerror(errno));
        return rc;
    }
    if (pipe2(epipe, O_CLOEXEC) < 0) {
        rc = QUIRE_ERR_IO;
        goto fail_epipe;
    }
    if (o->new_pidns && pipe2(spipe, O_CLOEXEC) < 0) {
        rc = QUIRE_ERR_IO;
        goto fail_spipe;
    }

    int pidfd = -1;
    pid_t parent = getpid();
    struct clone_args0 ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_PIDFD | (mountns ? CLONE_NEWNS : 0) | (o->new_pidns ? CLONE_NEWPID : 0);
    ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid < 0) {
        rc = err_from_errno(errno);
        snprintf(p->err, sizeof p->err, "clone3: %s", strerror(errno));
        goto fail_clone;
    }
    if (pid == 0) {
        /* Defaults first: quire's SIGINT handler would write to its eventfd, shared with us. */
        child_reset_signals();
        close(epipe[0]);
        if (spipe[0] >= 0) close(spipe[0]);
        setpgid(0, 0);
        if (o->die_with_parent) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            /* The parent may have died before prctl; in a new PID namespace getppid() is 0
             * and cannot tell, so there the pidfd-less window stays. */
            if (!o->new_pidns && getppid() != parent) _exit(127);
        }
        child_setup(o, o->netns ? netns_path : NULL, o->cgroup ? cg_procs : NULL, out_fd, mountns,
                    epipe[1]);
        if (o->new_pidns) run_init(o, envp, epipe[1], spipe[1]);
        child_exec(o, envp, epipe[1]);
    }

    close(epipe[1]);
    epipe[1] = -1;
    if (out_fd >= 0) close(out_fd);
    if (spipe[1] >= 0) {
        close(spipe[1]);
        spipe[1] = -1;
    }
    setpgid((pid_t)pid, (pid_t)pid); /* also here: no window where the group does not exist */
    p->pid = (pid_t)pid;
    p->pidfd = pidfd;
    p->status_fd = spipe[0];
    p->new_pidns = o->new_pidns;

    /* EOF means exec succeeded (close-on-exec); a report means a step failed. */
    struct child_report r;
    ssize_t got;
    do {
        got = read(epipe[0], &r, sizeof r);
    } while (got < 0 && errno == EINTR);
    close(epipe[0]);
    if (got == (ssize_t)sizeof r) {
        describe_failure(p, o, &r);
        int st;
        while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR) {}
        close(p->pidfd);
        if (p->status_fd >= 0) close(p->status_fd);
        p->pidfd = p->status_fd = -1;
        p->pid = -1;
        return r.err == EINVAL ? QUIRE_ERR_INVALID : err_from_errno(r.err);
    }
    if (p->status_fd >= 0) fcntl(p->status_fd, F_SETFL, O_NONBLOCK);
    return 0;

fail_clone:
    if (spipe[0] >= 0) {
        close(spipe[0]);
        close(spipe[1]);
    }
fail_spipe:
    close(epipe[0]);
    close(epipe[1]);
fail_epipe:
    if (rc == QUIRE_ERR_IO && !p->err[0])
        snprintf(p->err, sizeof p->err, "pipe: %s", strerror(errno));
    if (out_fd >= 0) close(out_fd);
    return rc;
}

/* ---- Waiting and killing ---- */

/* Reaps p if it has exited: 1 reaped (now or before), 0 still running, <0 error. */
static int try_reap(quire_proc *p)
{
    if (p->exited) return 1;
    if (p->pid <= 0) return QUIRE_ERR_INVALID;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r < 0) return errno == EINTR ? 0 : QUIRE_ERR_IO;
    if (r == 0) return 0;
    p->exited = 1;
    p->status = st;
    if (p->status_fd >= 0) {
        /* The init's report of the program's own status; absent if the init was killed. */
        int pst;
        if (read(p->status_fd, &pst, sizeof pst) == (ssize_t)sizeof pst) p->status = pst;
    }
    return 1;
}

int quire_proc_wait_any(quire_proc *const *procs, size_t n, int timeout_ms, size_t *which)
{
    if (n == 0 || n > 1024) return QUIRE_ERR_INVALID;
    struct pollfd pfd[1025];
    long long deadline = timeout_ms < 0 ? -1 : quire_proc_now_ms() + timeout_ms;
    for (;;) {
        for (size_t i = 0; i < n; i++) {
            int r = try_reap(procs[i]);
            if (r < 0) return r;
            if (r == 1) {
                *which = i;
                return 0;
            }
        }
        if (interrupted_sig) return QUIRE_ERR_INTERRUPTED;
        int left = remaining_ms(deadline);
        if (left == 0) return QUIRE_ERR_TIMEOUT;
        for (size_t i = 0; i < n; i++) pfd[i] = (struct pollfd){.fd = procs[i]->pidfd, .events = POLLIN};
        pfd[n] = (struct pollfd){.fd = interrupt_efd, .events = POLLIN};
        int r = poll(pfd, (nfds_t)n + 1, left);
        if (r < 0 && errno != EINTR) return QUIRE_ERR_IO;
    }
}

int quire_proc_wait(quire_proc *p, int timeout_ms)
{
    size_t which;
    quire_proc *const one[1] = {p};
    return quire_proc_wait_any(one, 1, timeout_ms, &which);
}

int quire_proc_signal(quire_proc *p, int sig)
{
    if (p->pid <= 0) return QUIRE_ERR_INVALID;
    if (p->exited) return 0;
    /* PID namespace: its init forwards the signal (SIGKILL kills the namespace). Otherwise the
     * whole process group, falling back to the process alone if it left its group. */
    int r = p->new_pidns ? kill(p->pid, sig) : kill(-p->pid, sig);
    if (r < 0 && !p->new_pidns && errno == ESRCH) r = kill(p->pid, sig);
    if (r < 0 && errno != ESRCH) return QUIRE_ERR_IO;
    return 0;
}

/* Waits up to ms for exit without regard to interruptions. */
static int wait_quietly(quire_proc *p, int ms)
{
    long long deadline = quire_proc_now_ms() + ms;
    for (;;) {
        int r = try_reap(p);
        if (r != 0) return r;
        int left = remaining_ms(deadline);
        if (left == 0) return 0;
        struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
        if (poll(&pfd, 1, left) < 0 && errno != EINTR) return QUIRE_ERR_IO;
    }
}

int quire_proc_kill(quire_proc *p, int grace_ms)
{
    if (p->pid <= 0) return QUIRE_ERR_INVALID;
    if (!p->exited) {
        if (grace_ms > 0) {
            quire_proc_signal(p, SIGTERM);
            if (wait_quietly(p, grace_ms) < 0) return QUIRE_ERR_IO;
        }
        if (!p->exited) {
            quire_proc_signal(p, SIGKILL);
            int st;
            pid_t r;
            while ((r = waitpid(p->pid, &st, 0)) < 0 && errno == EINTR) {}
            if (r < 0) return QUIRE_ERR_IO;
            p->exited = 1;
            p->status = st;
        }
    }
    /* Stragglers that stayed in the group after the leader exited (no PID namespace). The
     * group id cannot have been reused while any member lives. */
    if (!p->new_pidns) kill(-p->pid, SIGKILL);
    return 0;
}

void quire_proc_release(quire_proc *p)
{
    if (p->pid > 0 && !p->exited) quire_proc_kill(p, 0);
    if (p->pidfd >= 0) close(p->pidfd);
    if (p->status_fd >= 0) close(p->status_fd);
    p->pidfd = p->status_fd = -1;
}
