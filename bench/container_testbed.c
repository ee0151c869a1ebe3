/* bench_container_testbed IMAGE N: the container backend's per-test overhead, measured through
 * the same calls the lifecycle makes (backend/container.h): create the two networks, start a
 * sim container (a shell that sleeps and exits on SIGTERM, with the simulator's capabilities and
 * sysctls), run `true` as the server and as the client (QIR's volumes, host names, memlock) and
 * wait for each, stop the sim (SIGTERM to the container), remove containers and networks. IMAGE
 * needs sh, sleep and true without an entry point (bench/overhead imports a busybox rootfs). Prints
 * create/run/destroy and total statistics in the format of bench_netns_testbed's. Needs a container
 * engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/container.h"
#include "util/err.h"

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void stats(const char *what, double *v, unsigned n)
{
    if (!n) return;
    double sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += v[i];
    qsort(v, n, sizeof *v, cmp);
    unsigned p95 = (unsigned)((double)n * 0.95 + 0.999999);
    if (p95 < 1) p95 = 1;
    printf("%-10s mean %7.2f ms  p95 %7.2f ms  min %7.2f ms  max %7.2f ms\n", what, sum / n,
           v[p95 - 1], v[0], v[n - 1]);
}

int main(int argc, char **argv)
{
    if (argc != 3 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: bench_container_testbed IMAGE N\n");
        return 2;
    }
    const char *image = argv[1];
    unsigned iters = (unsigned)atoi(argv[2]);
    quire_container_cfg cfg = {.engine = getenv("QUIRE_ENGINE")};
    char why[256];
    if (quire_container_available(cfg.engine, why, sizeof why)) {
        fprintf(stderr, "bench_container_testbed: %s\n", why);
        return 77;
    }
    char dir[] = "/tmp/quire-bench-ct-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char run[32];
    snprintf(run, sizeof run, "bench%d", (int)getpid());
    const char *sub[4] = {"www", "certs", "downloads", "logs"};
    char paths[4][64];
    for (int i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, sub[i]);
        if (mkdir(paths[i], 0755)) return 1;
    }
    quire_proc_mount m[4] = {{paths[0], "/www", 1},
                             {paths[1], "/certs", 1},
                             {paths[2], "/downloads", 0},
                             {paths[3], "/logs", 0}};
    double *tc = calloc(iters, sizeof(double)), *tr = calloc(iters, sizeof(double));
    double *td = calloc(iters, sizeof(double)), *tt = calloc(iters, sizeof(double));
    if (!tc || !tr || !td || !tt) return 1;
    unsigned done = 0;
    int rc = 0;
    for (unsigned i = 0; i < iters; i++) {
        struct timespec t0, t1, t2;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        quire_container_testbed tb;
        char err[512];
        if ((rc = quire_container_testbed_create(&tb, &cfg, run, i % 200, err, sizeof err))) {
            fprintf(stderr, "bench_container_testbed: %s\n", err);
            break;
        }
        tc[done] = ms_since(&t0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const char *sim_args[] = {"sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait", NULL},
                   *true_args[] = {"true", NULL};
        const char *env[] = {"ROLE=server", NULL};
        quire_container_spec sim = {
            .role = QUIRE_ROLE_SIM, .image = image, .args = sim_args, .output = "/dev/null"};
        quire_proc ps, pe;
        if ((rc = quire_container_start(&tb, &sim, &ps, err, sizeof err))) {
            fprintf(stderr, "bench_container_testbed: %s\n", err);
            quire_container_testbed_destroy(&tb);
            break;
        }
        for (int r = 0; r < 2 && !rc; r++) {
            quire_container_spec ep = {.role = r ? QUIRE_ROLE_CLIENT : QUIRE_ROLE_SERVER,
                                       .image = image,
                                       .env = env,
                                       .mounts = m,
                                       .nmounts = 4,
                                       .args = true_args,
                                       .output = "/dev/null"};
            if ((rc = quire_container_start(&tb, &ep, &pe, err, sizeof err)))
                fprintf(stderr, "bench_container_testbed: %s\n", err);
            else if ((rc = quire_proc_wait(&pe, 60000)) || quire_proc_exit_code(pe.status)) {
                fprintf(stderr, "bench_container_testbed: endpoint did not exit 0\n");
                rc = rc ? rc : QUIRE_ERR_IO;
            }
            if (!rc) quire_proc_release(&pe);
        }
        quire_container_stop(&tb, QUIRE_ROLE_SIM, &ps, 3000);
        quire_proc_release(&ps);
        tr[done] = ms_since(&t1);
        clock_gettime(CLOCK_MONOTONIC, &t2);
        quire_container_testbed_destroy(&tb);
        td[done] = ms_since(&t2);
        tt[done] = ms_since(&t0);
        if (rc) break;
        done++;
    }
    quire_container_clean(cfg.engine, run, -1, QUIRE_CONTAINER_CLEAN_FORCE, NULL, NULL);
    for (int i = 0; i < 4; i++)
        rmdir(paths[i]);
    rmdir(dir);
    printf("container backend, %u iterations (2 networks, a sim container, 2 endpoint "
           "containers, through backend/container.c)\n",
           done);
    stats("create", tc, done);
    stats("run", tr, done);
    stats("destroy", td, done);
    stats("total", tt, done);
    free(tc);
    free(tr);
    free(td);
    free(tt);
    return rc ? 1 : 0;
}
