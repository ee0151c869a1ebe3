/* Run ownership and workers in /run/quire/<run>/ (see runstate.h). */
#include "backend/runstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fs.h"

int quire_run_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > QUIRE_RUN_ID_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

int quire_run_id_make(char *out, size_t outsize)
{
    unsigned r = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &r, sizeof r) != (ssize_t)sizeof r) r = 0;
        close(fd);
    }
    if (!r) r = (unsigned)(uintptr_t)&r ^ (unsigned)getpid();
    int n = snprintf(out, outsize, "r%ld%04x", (long)getpid(), r & 0xffffu);
    return n < 0 || (size_t)n >= outsize ? QUIRE_ERR_INVALID : 0;
}

/* Start time of pid in clock ticks since boot (field 22 of /proc/PID/stat), 0 if gone. Together
 * with the pid it identifies a process even if the pid is reused. */
static unsigned long long proc_start_time(pid_t pid)
{
    char p[64], *data;
    snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
    if (quire_fs_read_file(p, &data, NULL, 0) < 0) return 0;
    unsigned long long t = 0;
    const char *s = strrchr(data, ')'); /* the command name may contain spaces */
    if (s && s[1] == ' ' && s[2] != 'Z' && s[2] != 'X') {
        int field = 3; /* s + 2 is the state, field 3 */
        for (s += 2; *s && field < 22; s++)
            if (*s == ' ') field++;
        t = strtoull(s, NULL, 10);
    }
    free(data);
    return t;
}

static int owner_path(char *out, size_t len, const char *run)
{
    int n = snprintf(out, len, "%s/%s/owner", QUIRE_RUN_STATE_DIR, run);
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

/* 1 if run's owner is a live process (*pid_out set), 0 if not or no owner recorded. */
int quire_run_alive(const char *run, pid_t *pid_out)
{
    char p[256], *data;
    if (!quire_run_id_valid(run) || owner_path(p, sizeof p, run) < 0) return 0;
    if (quire_fs_read_file(p, &data, NULL, 4096) < 0) return 0;
    long pid = 0;
    unsigned long long start = 0;
    int ok = sscanf(data, "%ld %llu", &pid, &start) == 2 && pid > 0;
    free(data);
    if (!ok || proc_start_time((pid_t)pid) != start) return 0;
    if (pid_out) *pid_out = (pid_t)pid;
    return 1;
}

/* Parent pid of pid (field 4 of /proc/PID/stat), 0 if unknown. */
static pid_t parent_of(pid_t pid)
{
    char p[64], *data;
    snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
    if (quire_fs_read_file(p, &data, NULL, 0) < 0) return 0;
    long ppid = 0;
    const char *s = strrchr(data, ')');
    if (s && sscanf(s + 1, " %*c %ld", &ppid) != 1) ppid = 0;
    free(data);
    return (pid_t)ppid;
}

/* 1 if owner is this process or one of its ancestors (a forked worker of the run). */
static int is_self_or_ancestor(pid_t owner)
{
    pid_t p = getpid();
    for (int depth = 0; p > 1 && depth < 64; depth++) {
        if (p == owner) return 1;
        p = depth == 0 ? getppid() : parent_of(p);
    }
    return 0;
}

int quire_run_begin(const char *run)
{
    if (!quire_run_id_valid(run)) return QUIRE_ERR_INVALID;
    char dir[256], p[256];
    snprintf(dir, sizeof dir, "%s/%s", QUIRE_RUN_STATE_DIR, run);
    owner_path(p, sizeof p, run);
    pid_t owner;
    if (quire_run_alive(run, &owner))
        return is_self_or_ancestor(owner) ? 0 : QUIRE_ERR_EXISTS;
    int rc = quire_fs_mkdir_p(dir, 0755);
    if (rc < 0) return rc;
    char line[64];
    int n = snprintf(line, sizeof line, "%ld %llu\n", (long)getpid(), proc_start_time(getpid()));
    return quire_fs_write_atomic(p, line, (size_t)n, 0644);
}

int quire_run_dir(const char *run, char *out, size_t outsize)
{
    if (!quire_run_id_valid(run)) return QUIRE_ERR_INVALID;
    int n = snprintf(out, outsize, "%s/%s", QUIRE_RUN_STATE_DIR, run);
    return n < 0 || (size_t)n >= outsize ? QUIRE_ERR_INVALID : 0;
}

int quire_run_end(const char *run)
{
    if (!quire_run_id_valid(run)) return QUIRE_ERR_INVALID;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", QUIRE_RUN_STATE_DIR, run);
    return quire_fs_remove_tree(dir);
}

static int worker_path(char *out, size_t len, const char *run, pid_t pid)
{
    int n = snprintf(out, len, "%s/%s/worker.%ld", QUIRE_RUN_STATE_DIR, run, (long)pid);
    return n < 0 || (size_t)n >= len ? QUIRE_ERR_INVALID : 0;
}

int quire_run_worker_begin(const char *run)
{
    char p[256], line[64];
    if (!quire_run_id_valid(run) || worker_path(p, sizeof p, run, getpid())) return QUIRE_ERR_INVALID;
    int n = snprintf(line, sizeof line, "%ld %llu\n", (long)getpid(), proc_start_time(getpid()));
    return quire_fs_write_atomic(p, line, (size_t)n, 0644) < 0 ? QUIRE_ERR_IO : 0;
}

int quire_run_worker_end(const char *run)
{
    char p[256];
    if (!quire_run_id_valid(run) || worker_path(p, sizeof p, run, getpid())) return QUIRE_ERR_INVALID;
    return unlink(p) && errno != ENOENT ? QUIRE_ERR_IO : 0;
}

/* The live worker recorded in file name of run's state directory: its pid, or 0 (not a worker
 * file, unreadable, or the process is gone or another one now). */
static pid_t live_worker(const char *run, const char *name)
{
    char p[512], *data;
    if (strncmp(name, "worker.", 7)) return 0;
    snprintf(p, sizeof p, "%s/%s/%s", QUIRE_RUN_STATE_DIR, run, name);
    if (quire_fs_read_file(p, &data, NULL, 4096) < 0) return 0;
    long pid = 0;
    unsigned long long start = 0;
    int ok = sscanf(data, "%ld %llu", &pid, &start) == 2 && pid > 1;
    free(data);
    return ok && proc_start_time((pid_t)pid) == start ? (pid_t)pid : 0;
}

int quire_run_stop_workers(const char *run, unsigned timeout_ms)
{
    if (!quire_run_id_valid(run)) return QUIRE_ERR_INVALID;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", QUIRE_RUN_STATE_DIR, run);
    pid_t killed[256];
    unsigned long long start[256];
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < (int)(sizeof killed / sizeof killed[0])) {
        pid_t pid = live_worker(run, e->d_name);
        if (pid <= 0 || kill(pid, SIGKILL)) continue;
        start[n] = proc_start_time(pid);
        killed[n++] = pid;
    }
    closedir(d);
    /* a SIGKILLed process is gone (or a zombie, whose start time reads as 0) within ms */
    for (unsigned waited = 0;; waited += 10) {
        int alive = 0;
        for (int i = 0; i < n; i++)
            if (start[i] && proc_start_time(killed[i]) == start[i]) alive++;
        if (!alive) return n;
        if (waited >= timeout_ms) return QUIRE_ERR_TIMEOUT;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
