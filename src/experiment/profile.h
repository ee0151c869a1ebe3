/* The gperftools and gdb execution environments of an experiment service (runner.h): the
 * wrapper words that start the service under them, and after the run the text summaries
 * next to the raw output in the service's /logs (gperf_cpu.prof* -> gperf_cpu.txt,
 * gperf_heap.*.heap -> gperf_heap.txt, both `google-pprof --text`; gdb.log holds gdb's own
 * backtraces). */
#ifndef QUIRE_XPROFILE_H
#define QUIRE_XPROFILE_H

#include <stddef.h>

#include "experiment/spec.h"

/* The shared library gperftools' kind needs (QUIRE_EXENV_GPERF_CPU: libprofiler,
 * QUIRE_EXENV_GPERF_HEAP: libtcmalloc), as an absolute path, or NULL when not installed
 * (scripts/deps/experiment.list). */
const char *quire_xprof_library(quire_exenv_kind kind);

/* The wrapper words for wraps[] (indexed by quire_exenv_kind) into argv (room for 40):
 * `env LD_PRELOAD=... CPUPROFILE=/logs/gperf_cpu.prof HEAPPROFILE=/logs/gperf_heap` and/or
 * `gdb -batch ... --args /bin/sh -c 'exec "$0" "$@"'` (a shell first, so scripts and binaries
 * alike run under gdb, which follows the exec). pre holds the LD_PRELOAD word. Returns the
 * number of words (0 when none applies). */
size_t quire_xprof_wrap(const int *wraps, const char **argv, char *pre, size_t prelen);

/* After the service stopped: writes gperf_cpu.txt / gperf_heap.txt in dir (the service's
 * /logs) from the largest profile each left, symbolised against the executable the profile's
 * own memory map names. Returns 0, or QUIRE_ERR_NOTFOUND when a wanted profile is missing
 * (note says which), QUIRE_ERR_IO when google-pprof failed. */
int quire_xprof_report(const char *dir, const int *wraps, char *note, size_t notelen);

#endif
