/* Drives the netns backend for integration tests and bench/overhead:
 *   bench_netns_testbed up RUN N [--forwarding]   create testbed N of RUN and leave it
 *   bench_netns_testbed down RUN N                destroy it
 *   bench_netns_testbed hold RUN N                create, print "ready", destroy on SIGTERM/SIGINT
 *   bench_netns_testbed overhead ITER             ITER x (create, start a sim process, run
 *                                                 `true` as server and client with mounts +
 *                                                 PID ns, stop the sim, destroy); prints mean
 *                                                 and p95 of each phase in ms */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/netns.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

static int usage(void)
{
    fprintf(stderr, "usage: bench_netns_testbed up|down|hold RUN N [--forwarding]\n"
                    "       bench_netns_testbed overhead ITERATIONS\n");
    return 2;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_netns_testbed: %s: %s\n", what, quire_strerror(rc));
    return 1;
}

static int parse_n(const char *s, unsigned *n)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > 1000000) return -1;
    *n = (unsigned)v;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void stats(const char *what, double *v, unsigned n)
{
    double sum = 0;
    for (unsigned i = 0; i < n; i++) sum += v[i];
    qsort(v, n, sizeof *v, cmp_double);
    unsigned i95 = (unsigned)((double)n * 0.95 + 0.999999) - 1;
    if (i95 >= n) i95 = n - 1;
    printf("%-10s mean %7.2f ms  p95 %7.2f ms  min %7.2f ms  max %7.2f ms\n", what, sum / n,
           v[i95], v[0], v[n - 1]);
}

static double ms_since(unsigned long long t0)
{
    return (double)(quire_proc_now_ns() - t0) / 1e6;
}

/* One endpoint run: `true` in its namespace with the four bind mounts and the hosts file. */
static int run_true(const char *netns, const char *dir, const char *hosts)
{
    static const char *const names[] = {"www", "downloads", "certs", "logs"};
    char src[4][512], tgt[4][16];
    quire_proc_mount m[4];
    for (int i = 0; i < 4; i++) {
        snprintf(src[i], sizeof src[i], "%s/%s", dir, names[i]);
        snprintf(tgt[i], sizeof tgt[i], "/%s", names[i]);
        m[i] = (quire_proc_mount){src[i], tgt[i], i == 2};
    }
    const char *argv[] = {"true", NULL};
    quire_proc_opts o = {.argv = argv, .netns = netns, .mounts = m, .nmounts = 4,
                         .hosts_file = hosts, .new_pidns = 1, .stdin_null = 1};
    quire_proc p;
    int rc = quire_proc_spawn(&p, &o);
    if (rc < 0) {
        fprintf(stderr, "spawn: %s\n", p.err);
        return rc;
    }
    rc = quire_proc_wait(&p, 10000);
    if (rc == 0 && quire_proc_exit_code(p.status) != 0) rc = QUIRE_ERR_IO;
    quire_proc_release(&p);
    return rc;
}

static int overhead(unsigned iters)
{
    char run[QUIRE_RUN_ID_MAX + 1], dir[256], hosts[300];
    quire_run_id_make(run, sizeof run);
    int rc = quire_fs_mkdtemp(NULL, "quire-bench-netns-", dir, sizeof dir);
    if (rc < 0) return fail("mkdtemp", rc);
    static const char *const sub[] = {"www", "downloads", "certs", "logs"};
    for (int i = 0; i < 4; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, sub[i]);
        quire_fs_mkdir_p(p, 0755);
    }
    snprintf(hosts, sizeof hosts, "%s/hosts", dir);
    quire_netns_write_hosts(hosts);
    double *t_create = calloc(iters, sizeof(double)), *t_run = calloc(iters, sizeof(double));
    double *t_destroy = calloc(iters, sizeof(double)), *t_total = calloc(iters, sizeof(double));
    if (!t_create || !t_run || !t_destroy || !t_total) return fail("calloc", QUIRE_ERR_NOMEM);
    unsigned done = 0;
    for (; done < iters && !quire_proc_interrupted(); done++) {
        quire_netns_testbed tb;
        unsigned long long t0 = quire_proc_now_ns();
        rc = quire_netns_testbed_create(&tb, run, done);
        t_create[done] = ms_since(t0);
        if (rc < 0) break;
        unsigned long long t1 = quire_proc_now_ns();
        /* A long-running sim (like the sim container), then the two trivial endpoints. */
        const char *sim_argv[] = {"sleep", "3600", NULL};
        quire_proc_opts so = {.argv = sim_argv,
                              .netns = quire_netns_testbed_name(&tb, QUIRE_ROLE_SIM),
                              .stdin_null = 1};
        quire_proc sim;
        rc = quire_proc_spawn(&sim, &so);
        if (rc == 0) {
            rc = run_true(quire_netns_testbed_name(&tb, QUIRE_ROLE_SERVER), dir, hosts);
            if (rc == 0)
                rc = run_true(quire_netns_testbed_name(&tb, QUIRE_ROLE_CLIENT), dir, hosts);
            quire_proc_kill(&sim, 1000);
            quire_proc_release(&sim);
        }
        t_run[done] = ms_since(t1);
        unsigned long long t2 = quire_proc_now_ns();
        int rd = quire_netns_testbed_destroy(&tb);
        t_destroy[done] = ms_since(t2);
        t_total[done] = ms_since(t0);
        if (rc < 0 || (rc = rd) < 0) break;
    }
    quire_run_end(run);
    quire_fs_remove_tree(dir);
    if (rc < 0) return fail("iteration", rc);
    printf("netns backend, %u iterations (3 namespaces, 2 veth pairs, a sim process, 2 "
           "endpoints `true` with 4 bind mounts + hosts + PID ns)\n", done);
    stats("create", t_create, done);
    stats("endpoints", t_run, done);
    stats("destroy", t_destroy, done);
    stats("total", t_total, done);
    free(t_create);
    free(t_run);
    free(t_destroy);
    free(t_total);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    quire_proc_signals_install();
    char why[256];
    if (quire_netns_available(why, sizeof why) < 0) {
        fprintf(stderr, "bench_netns_testbed: netns backend unavailable: %s\n", why);
        return 77;
    }
    if (!strcmp(argv[1], "overhead")) {
        unsigned iters;
        if (argc != 3 || parse_n(argv[2], &iters) < 0 || iters == 0) return usage();
        return overhead(iters);
    }
    unsigned n;
    if (argc < 4 || parse_n(argv[3], &n) < 0) return usage();
    const char *run = argv[2];
    if (!quire_run_id_valid(run)) {
        fprintf(stderr, "bench_netns_testbed: bad run id '%s' (1-32 of [A-Za-z0-9_])\n", run);
        return 2;
    }
    quire_netns_testbed tb;
    int rc;
    if (!strcmp(argv[1], "down")) {
        /* Rebuild the names; destroy finds processes through /run/netns. */
        memset(&tb, 0, sizeof tb);
        static const char *const roles[] = {"client", "sim", "server"};
        for (int i = 0; i < 3; i++) {
            snprintf(tb.name[i], sizeof tb.name[i], "quire-%s-%u-%s", run, n, roles[i]);
            char p[256];
            snprintf(p, sizeof p, "%s/%s", QUIRE_NETNS_DIR, tb.name[i]);
            tb.fd[i] = open(p, O_RDONLY | O_CLOEXEC);
        }
        rc = quire_netns_testbed_destroy(&tb);
        quire_run_end(run);
        return rc < 0 ? fail("destroy", rc) : 0;
    }
    if (strcmp(argv[1], "up") && strcmp(argv[1], "hold")) return usage();
    unsigned long long t0 = quire_proc_now_ns();
    rc = quire_netns_testbed_create(&tb, run, n);
    if (rc < 0) return fail("create", rc);
    double ms = ms_since(t0);
    if (argc > 4 && !strcmp(argv[4], "--forwarding") &&
        (rc = quire_netns_set_forwarding(&tb, 1)) < 0) {
        quire_netns_testbed_destroy(&tb);
        return fail("forwarding", rc);
    }
    printf("ready %s %s %s %.2f ms\n", tb.name[0], tb.name[1], tb.name[2], ms);
    fflush(stdout);
    if (!strcmp(argv[1], "up")) return 0;
    while (quire_proc_sleep(60000) == 0) {}
    rc = quire_netns_testbed_destroy(&tb);
    quire_run_end(run);
    return rc < 0 ? fail("destroy", rc) : 0;
}
