/* The machine's load, as the scheduler sees it: how much of the time tasks waited for a CPU
 * (Linux pressure stall information, /proc/pressure/cpu, "some"), memory pressure and available
 * memory (/proc/pressure/memory, /proc/meminfo); on kernels without PSI, the CPUs' busy share
 * from /proc/stat instead. And the rule of `--jobs auto`: start one more test while the CPUs
 * are not contended and memory is left, at most one per settling time, never more than a
 * ceiling, never fewer than a floor; a test starts only after a whole window of load measured
 * since the previous start (so one test's start-up shows before the next is added). The samples come through a source callback, so the rule
 * is unit-tested with made-up loads. */
#ifndef QUIRE_LOAD_H
#define QUIRE_LOAD_H

#include <stdint.h>

typedef enum quire_load_kind {
    QUIRE_LOAD_PSI = 1,  /* cpu_us counts µs in which some task waited for a CPU */
    QUIRE_LOAD_STAT = 2, /* cpu_us counts busy CPU µs summed over all CPUs (no PSI) */
} quire_load_kind;

typedef struct quire_load_sample {
    quire_load_kind kind;
    uint64_t at_us;        /* CLOCK_MONOTONIC */
    uint64_t cpu_us;       /* cumulative, see kind */
    uint64_t mem_us;       /* cumulative µs of memory stalls (PSI "some"); 0 without PSI */
    uint64_t mem_avail_kb; /* MemAvailable */
    unsigned ncpu;
} quire_load_sample;

/* Where samples come from: the machine (quire_load_sample_proc) or a test's fake. Returns 0,
 * or a negative QUIRE_ERR_* when no sample can be taken. */
typedef int (*quire_load_source_fn)(void *ctx, quire_load_sample *out);

/* Reads /proc/pressure/{cpu,memory} and /proc/meminfo (ctx unused). Returns 0, or
 * QUIRE_ERR_IO when neither PSI nor /proc/stat can be read. */
int quire_load_sample_proc(void *ctx, quire_load_sample *out);

/* The CPU load between two samples of the same kind, 0..1: the share of time some task waited
 * for a CPU (PSI), or the CPUs' busy share (stat). 0 for unusable pairs. */
double quire_load_cpu(const quire_load_sample *a, const quire_load_sample *b);

/* The share of time some task stalled on memory between two samples, 0..1 (0 without PSI). */
double quire_load_mem(const quire_load_sample *a, const quire_load_sample *b);

/* The state of --jobs auto. */
typedef struct quire_autojobs {
    unsigned floor, ceiling; /* always allow floor tests; never more than ceiling */
    double cpu_psi_limit;    /* start more only while the CPU pressure is below this... */
    double cpu_stat_limit;   /* ...or, without PSI, the busy share */
    double mem_limit;        /* and the memory pressure below this */
    uint64_t mem_reserve_kb; /* and at least this much memory available */
    uint64_t window_us;      /* the load is measured over windows this long (at least) */
    quire_load_sample ref;   /* the current window's start */
    int have_ref, have_load;
    uint64_t last_start_us; /* the last test's start */
    uint64_t load_from_us;  /* the start of the window cpu and mem were measured over */
    double cpu, mem;        /* the load over the last full window */
} quire_autojobs;

/* Defaults: the floor is ncpu (at least 1: as many tests as CPUs always run, as --jobs $(nproc)
 * did), the ceiling given (at least the floor), CPU pressure below 20 % (busy below 75 % without
 * PSI), memory pressure below 5 %, 512 MiB available, 1 s windows. */
void quire_autojobs_init(quire_autojobs *a, unsigned ncpu, unsigned ceiling);

/* Feeds one sample and returns how many tests may run now: `active` (hold), active + 1 (one
 * more may start), or the floor when fewer run. Call quire_autojobs_started() for each start. */
unsigned quire_autojobs_limit(quire_autojobs *a, const quire_load_sample *s, unsigned active);

/* Records that a test was started at time now_us (CLOCK_MONOTONIC µs). */
void quire_autojobs_started(quire_autojobs *a, uint64_t now_us);

#endif
