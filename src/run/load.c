/* The machine's load and the --jobs auto rule (see load.h). */
#include "run/load.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The "some ... total=N" of a PSI file, in µs. Returns 0, or QUIRE_ERR_IO when the file is
 * missing (no PSI in this kernel) or has no such line. */
static int psi_some_total(const char *path, uint64_t *total)
{
    FILE *f = fopen(path, "r");
    if (!f) return QUIRE_ERR_IO;
    char line[256];
    int rc = QUIRE_ERR_IO;
    while (fgets(line, sizeof line, f)) {
        const char *t = strstr(line, "total=");
        unsigned long long v;
        if (!strncmp(line, "some ", 5) && t && sscanf(t + 6, "%llu", &v) == 1) {
            *total = v;
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

/* Busy CPU time summed over all CPUs, in µs, from the "cpu" line of /proc/stat (everything
 * but idle and iowait). Returns 0 or QUIRE_ERR_IO. */
static int stat_busy(uint64_t *busy)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return QUIRE_ERR_IO;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4) return QUIRE_ERR_IO;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0) hz = 100;
    unsigned long long b = 0;
    for (int i = 0; i < 8; i++)
        if (i != 3 && i != 4) b += v[i];
    *busy = (uint64_t)(b * (1000000ull / (unsigned long long)hz));
    return 0;
}

static uint64_t mem_available_kb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return 0;
    char line[128];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

int quire_load_sample_proc(void *ctx, quire_load_sample *out)
{
    (void)ctx;
    memset(out, 0, sizeof *out);
    out->at_us = mono_us();
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->ncpu = n > 0 ? (unsigned)n : 1;
    out->mem_avail_kb = mem_available_kb();
    if (psi_some_total("/proc/pressure/cpu", &out->cpu_us) == 0) {
        out->kind = QUIRE_LOAD_PSI;
        if (psi_some_total("/proc/pressure/memory", &out->mem_us)) out->mem_us = 0;
        return 0;
    }
    if (stat_busy(&out->cpu_us)) return QUIRE_ERR_IO;
    out->kind = QUIRE_LOAD_STAT;
    return 0;
}

static double share(uint64_t d, uint64_t over)
{
    if (!over) return 0;
    double s = (double)d / (double)over;
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

double quire_load_cpu(const quire_load_sample *a, const quire_load_sample *b)
{
    if (a->kind != b->kind || b->at_us <= a->at_us || b->cpu_us < a->cpu_us) return 0;
    uint64_t dt = b->at_us - a->at_us;
    if (a->kind == QUIRE_LOAD_STAT) dt *= b->ncpu ? b->ncpu : 1;
    return share(b->cpu_us - a->cpu_us, dt);
}

double quire_load_mem(const quire_load_sample *a, const quire_load_sample *b)
{
    if (a->kind != QUIRE_LOAD_PSI || b->kind != QUIRE_LOAD_PSI || b->at_us <= a->at_us ||
        b->mem_us < a->mem_us)
        return 0;
    return share(b->mem_us - a->mem_us, b->at_us - a->at_us);
}

void quire_autojobs_init(quire_autojobs *a, unsigned ncpu, unsigned ceiling)
{
    memset(a, 0, sizeof *a);
    a->floor = ncpu ? ncpu : 1;
    a->ceiling = ceiling < a->floor ? a->floor : ceiling;
    a->cpu_psi_limit = 0.20;
    a->cpu_stat_limit = 0.75;
    a->mem_limit = 0.05;
    a->mem_reserve_kb = 512 * 1024;
    a->window_us = 1000000;
}

unsigned quire_autojobs_limit(quire_autojobs *a, const quire_load_sample *s, unsigned active)
{
    if (!a->have_ref || a->ref.kind != s->kind || s->at_us < a->ref.at_us) {
        a->ref = *s;
        a->have_ref = 1;
    }
    /* Each full window from ref to s gives the load; the next window starts at s. */
    if (s->at_us - a->ref.at_us >= a->window_us) {
        a->cpu = quire_load_cpu(&a->ref, s);
        a->mem = quire_load_mem(&a->ref, s);
        a->load_from_us = a->ref.at_us;
        a->have_load = 1;
        a->ref = *s;
    }
    if (active < a->floor) return a->floor;
    if (active >= a->ceiling) return active;
    /* Only a window that began after the last start shows that test's load. */
    if (!a->have_load || (a->last_start_us && a->load_from_us < a->last_start_us)) return active;
    double cpu_limit = s->kind == QUIRE_LOAD_PSI ? a->cpu_psi_limit : a->cpu_stat_limit;
    if (a->cpu >= cpu_limit || a->mem >= a->mem_limit) return active;
    if (s->mem_avail_kb && s->mem_avail_kb < a->mem_reserve_kb) return active;
    return active + 1;
}

void quire_autojobs_started(quire_autojobs *a, uint64_t now_us)
{
    a->last_start_us = now_us;
}
