/* A service's command line as it runs (see svccmd.h). */
#include "experiment/svccmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/profile.h"
#include "util/err.h"
#include "util/fs.h"

size_t quire_xrun_wrap(const quire_svc_run *s, const char **argv, char *supp, size_t supplen)
{
    size_t n = 0;
    int valgrind = s->wraps[QUIRE_EXENV_MEMCHECK] || s->wraps[QUIRE_EXENV_HELGRIND];
    if (s->wraps[QUIRE_EXENV_GPERF_CPU] || s->wraps[QUIRE_EXENV_GPERF_HEAP] ||
        s->wraps[QUIRE_EXENV_GDB]) /* env and gdb first: perf/strace see the real program */
        n += quire_xprof_wrap(s->wraps, argv + n, supp + supplen / 2, supplen - supplen / 2);
    supplen /= 2; /* the first half for --suppressions=, the second for LD_PRELOAD= */
    if (s->wraps[QUIRE_EXENV_PERF]) {
        static const char *const w[] = {"perf", "record",          "-q", "-g",
                                        "-o",   "/logs/perf.data", "--"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    if (s->wraps[QUIRE_EXENV_STRACE]) {
        static const char *const w[] = {"strace", "-f", "-tt", "-o", "/logs/strace.log", "--"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    if (s->wraps[QUIRE_EXENV_MEMCHECK]) {
        static const char *const w[] = {"valgrind",
                                        "--vgdb=no",
                                        "--tool=memcheck",
                                        "--leak-check=full",
                                        "--show-leak-kinds=definite,indirect",
                                        "--errors-for-leak-kinds=definite,indirect",
                                        "--xml=yes",
                                        "--xml-file=/logs/memcheck.xml",
                                        "--log-file=/logs/memcheck.log"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    } else if (s->wraps[QUIRE_EXENV_HELGRIND]) {
        static const char *const w[] = {"valgrind",
                                        "--vgdb=no",
                                        "--tool=helgrind",
                                        "--xml=yes",
                                        "--xml-file=/logs/helgrind.xml",
                                        "--log-file=/logs/helgrind.log"};
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
            argv[n++] = w[i];
    }
    if (valgrind && s->suppressions) {
        snprintf(supp, supplen, "--suppressions=%s", s->suppressions);
        argv[n++] = supp;
    }
    return n;
}

/* Adds the folder of the program prog (found through PATH) to out[*n] (strings in hp), and
 * then its interpreter's when it is a script; a folder named bin stands for its parent (a
 * prefix such as /opt/x or a Python installation with its lib/). Folders under /usr and ones
 * already there are left out. Cannot fail. */
static void add_program_folders(const char *prog, char hp[][PATH_MAX], const char **out, size_t *n)
{
    char exe[PATH_MAX], real[PATH_MAX], next[PATH_MAX];
    for (int k = 0; k < 2 && prog && *n < QUIRE_XRUN_FOLDERS_MAX; k++) {
        if (quire_fs_which(prog, NULL, exe, sizeof exe) || !realpath(exe, real)) break;
        char *slash = strrchr(real, '/');
        if (slash && slash > real) *slash = 0;
        slash = strrchr(real, '/');
        if (slash && !strcmp(slash, "/bin") && slash > real) *slash = 0;
        int skip = !strncmp(real, "/usr/", 5) || !strcmp(real, "/usr") || !strcmp(real, "/");
        for (size_t i = 0; i < *n && !skip; i++)
            skip = !strcmp(out[i], real);
        if (!skip) {
            snprintf(hp[*n], PATH_MAX, "%s", real);
            out[*n] = hp[*n];
            (*n)++;
        }
        prog = NULL; /* a script: its interpreter next */
        FILE *f = fopen(exe, "r");
        if (f && fgets(next, sizeof next, f) && !strncmp(next, "#!", 2)) {
            char *p = next + 2 + strspn(next + 2, " \t");
            p[strcspn(p, " \t\r\n")] = 0;
            if (p[0] == '/') prog = memmove(next, p, strlen(p) + 1);
        }
        if (f) fclose(f);
    }
}

void quire_xrun_folders(const char *const *argv, size_t argc, char hp[][PATH_MAX], const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < argc; i++) {
        struct stat st;
        const char *a = argv[i];
        if (i == 0 || (a[0] == '/' && !stat(a, &st) && S_ISREG(st.st_mode) && !access(a, X_OK)))
            add_program_folders(a, hp, out, &n);
    }
    out[n] = NULL;
}
