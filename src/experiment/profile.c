/* gperftools and gdb execution environments (see profile.h). */
#include "experiment/profile.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/cursor.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

#define PROFILE_MAX (64u << 20) /* bytes of a profile read to find its memory map */

const char *quire_xprof_library(quire_exenv_kind kind)
{
    static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                                       "/usr/lib64", "/usr/lib", "/usr/local/lib"};
    static char found[2][PATH_MAX];
    int heap = kind == QUIRE_EXENV_GPERF_HEAP;
    const char *lib = heap ? "libtcmalloc.so.4" : "libprofiler.so.0";
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(found[heap], sizeof found[heap], "%s/%s", dirs[i], lib);
        if (quire_fs_exists(found[heap])) return found[heap];
    }
    return NULL;
}

size_t quire_xprof_wrap(const int *wraps, const char **argv, char *pre, size_t prelen)
{
    size_t n = 0;
    int cpu = wraps[QUIRE_EXENV_GPERF_CPU], heap = wraps[QUIRE_EXENV_GPERF_HEAP];
    if (cpu || heap) {
        const char *a = cpu ? quire_xprof_library(QUIRE_EXENV_GPERF_CPU) : NULL;
        const char *b = heap ? quire_xprof_library(QUIRE_EXENV_GPERF_HEAP) : NULL;
        snprintf(pre, prelen, "LD_PRELOAD=%s%s%s", a ? a : "", a && b ? ":" : "", b ? b : "");
        argv[n++] = "env";
        argv[n++] = pre;
        if (cpu) argv[n++] = "CPUPROFILE=/logs/gperf_cpu.prof";
        if (cpu) argv[n++] = "CPUPROFILE_FREQUENCY=250";
        /* POSIX per-thread timers end at exec; the default ITIMER_PROF outlives it and its
         * SIGPROF killed wrapped programs that exec (run_mvfst -> the binary) in the moment
         * before the new image's profiler installed its handler */
        if (cpu) argv[n++] = "CPUPROFILE_PER_THREAD_TIMERS=1";
        if (heap) argv[n++] = "HEAPPROFILE=/logs/gperf_heap";
    }
    if (wraps[QUIRE_EXENV_GDB]) {
        static const char *const w[] = {"gdb",
                                        "-q",
                                        "-nx",
                                        "-batch",
                                        "-ex",
                                        "set pagination off",
                                        "-ex",
                                        "set confirm off",
                                        "-ex",
                                        "set logging file /logs/gdb.log",
                                        "-ex",
                                        "set logging redirect on",
                                        "-ex",
                                        "set logging enabled on",
                                        "-ex",
                                        "set auto-load safe-path /nonexistent",
                                        /* quire stops a service with SIGTERM to every process
                                         * of its namespace: gdb itself ignores it, the program
                                         * stops on it and its threads' backtraces follow */
                                        "-ex",
                                        "python import signal; signal.signal(signal.SIGTERM, "
                                        "signal.SIG_IGN)",
                                        "-ex",
                                        "handle SIGTERM stop print nopass",
                                        "-ex",
                                        "run",
                                        "-ex",
                                        "thread apply all bt",
                                        "--args",
                                        "/bin/sh",
                                        "-c",
                                        "exec \"$0\" \"$@\""};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    return n;
}

/* The largest regular file in dir whose name starts with prefix and ends with suffix, into
 * out. Returns 0, or QUIRE_ERR_NOTFOUND. */
static int largest(const char *dir, const char *prefix, const char *suffix, char *out, size_t len)
{
    DIR *d = opendir(dir);
    if (!d) return QUIRE_ERR_NOTFOUND;
    long long best = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name), pl = strlen(prefix), sl = strlen(suffix);
        if (nl < pl + sl || strncmp(e->d_name, prefix, pl) ||
            strcmp(e->d_name + nl - sl, suffix))
            continue;
        char p[PATH_MAX];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) || !S_ISREG(st.st_mode) || st.st_size <= best) continue;
        best = st.st_size;
        snprintf(out, len, "%s", p);
    }
    closedir(d);
    return best > 0 ? 0 : QUIRE_ERR_NOTFOUND;
}

/* The executable of a gperftools profile: the path of the first line of its /proc/self/maps
 * copy ("start-end perms offset dev inode path"), into exe. Returns 0, or QUIRE_ERR_NOTFOUND. */
static int profile_exe(const char *file, char *exe, size_t len)
{
    char *data;
    size_t n;
    if (quire_fs_read_file(file, &data, &n, PROFILE_MAX)) return QUIRE_ERR_NOTFOUND;
    quire_cursor c;
    quire_cursor_init(&c, data, n);
    int rc = QUIRE_ERR_NOTFOUND;
    while (rc && quire_cursor_left(&c)) {
        const uint8_t *at = c.p;
        const uint8_t *nl = memchr(at, '\n', quire_cursor_left(&c));
        size_t ll = nl ? (size_t)(nl - at) + 1 : quire_cursor_left(&c);
        const uint8_t *line;
        if (quire_cursor_bytes(&c, ll, &line)) break;
        char buf[PATH_MAX + 128];
        if (ll >= sizeof buf) continue;
        memcpy(buf, line, ll);
        buf[ll] = 0;
        unsigned long lo, hi;
        char perms[8], path[PATH_MAX];
        if (sscanf(buf, "%lx-%lx %7s %*s %*s %*s %4095s", &lo, &hi, perms, path) == 4 &&
            path[0] == '/' && hi > lo) {
            snprintf(exe, len, "%s", path);
            rc = 0;
        }
    }
    free(data);
    return rc;
}

static int pprof_text(const char *profile, const char *out)
{
    char exe[PATH_MAX];
    if (profile_exe(profile, exe, sizeof exe)) snprintf(exe, sizeof exe, "/bin/true");
    const char *argv[] = {"google-pprof", "--text", exe, profile, NULL};
    quire_proc p;
    quire_proc_opts po = {.argv = argv, .output = out, .stdin_null = 1};
    if (quire_proc_spawn(&p, &po)) return QUIRE_ERR_IO;
    int rc = quire_proc_wait(&p, 60000);
    if (rc) quire_proc_kill(&p, 1000);
    int ok = !rc && p.exited && p.status == 0;
    quire_proc_release(&p);
    return ok ? 0 : QUIRE_ERR_IO;
}

int quire_xprof_report(const char *dir, const int *wraps, char *note, size_t notelen)
{
    static const struct {
        quire_exenv_kind k;
        const char *prefix, *suffix, *txt;
    } w[] = {{QUIRE_EXENV_GPERF_CPU, "gperf_cpu.prof", "", "gperf_cpu.txt"},
             {QUIRE_EXENV_GPERF_HEAP, "gperf_heap", ".heap", "gperf_heap.txt"}};
    int rc = 0;
    note[0] = 0;
    for (size_t i = 0; i < 2; i++) {
        if (!wraps[w[i].k]) continue;
        char prof[PATH_MAX], out[PATH_MAX];
        if (largest(dir, w[i].prefix, w[i].suffix, prof, sizeof prof)) {
            snprintf(note, notelen, "no %s profile (%s*%s) was written: did the service exit "
                     "normally?", w[i].txt, w[i].prefix, w[i].suffix);
            rc = QUIRE_ERR_NOTFOUND;
            continue;
        }
        snprintf(out, sizeof out, "%s/%s", dir, w[i].txt);
        if (pprof_text(prof, out)) {
            snprintf(note, notelen, "google-pprof --text %s failed (see %s)", prof, out);
            rc = QUIRE_ERR_IO;
        }
    }
    return rc;
}
