/* The cost of the spec rules (spec/spec.h) next to decoding alone, in process: for each capture
 * given (a .pcap with its key log beside it as .keys), decodes it `runs` times with no
 * observer and `runs` times with the spec observer, and prints the CPU time per walk of each,
 * the ratio and the violations found. bench/trace --committed runs it over
 * tests/data/captures/.
 *
 * Usage: bench_spectime RUNS CAPTURE...
 * Exit: 0, 1 a capture could not be read, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spec/spec.h"
#include "trace/trace.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One walk; returns the violations (spec) or 0, -1 when the capture cannot be read. */
static long walk(const char *cap, const char *keys, int spec)
{
    quire_trace *t = calloc(1, sizeof *t);
    if (!t) return -1;
    long n = 0;
    int rc;
    if (spec) {
        quire_spec s;
        quire_spec_init(&s, cap);
        quire_spec_set_near(&s, QUIRE_SPEC_BOTH);
        rc = quire_spec_check_file(&s, t, cap, keys);
        n = (long)s.count;
        quire_spec_free(&s);
    } else {
        quire_trace_opts o = {.keylog = keys};
        rc = quire_trace_run(t, cap, &o);
    }
    quire_trace_free(t);
    free(t);
    return rc ? -1 : n;
}

int main(int argc, char **argv)
{
    if (argc < 3 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: bench_spectime RUNS CAPTURE...\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    double total[2] = {0, 0};
    long viol = 0;
    printf("%-28s %10s %12s %12s %7s %6s\n", "capture", "bytes", "decode ms", "+check ms", "ratio",
           "viol.");
    for (int i = 2; i < argc; i++) {
        char keys[4096];
        const char *cap = argv[i], *dot = strrchr(cap, '.');
        snprintf(keys, sizeof keys, "%.*s.keys", (int)(dot ? dot - cap : (long)strlen(cap)), cap);
        FILE *kf = fopen(keys, "r");
        if (kf) fclose(kf);
        FILE *cf = fopen(cap, "rb");
        long bytes = 0;
        if (cf) {
            fseek(cf, 0, SEEK_END);
            bytes = ftell(cf);
            fclose(cf);
        }
        double t[2];
        long n = 0;
        for (int spec = 0; spec < 2; spec++) {
            double t0 = cpu_now();
            for (int r = 0; r < runs; r++) {
                n = walk(cap, kf ? keys : NULL, spec);
                if (n < 0) {
                    fprintf(stderr, "bench_spectime: cannot read %s\n", cap);
                    return 1;
                }
            }
            t[spec] = (cpu_now() - t0) / runs;
            total[spec] += t[spec];
        }
        viol += n;
        const char *base = strrchr(cap, '/');
        printf("%-28s %10ld %12.3f %12.3f %6.2fx %6ld\n", base ? base + 1 : cap, bytes, t[0] * 1e3,
               t[1] * 1e3, t[0] > 0 ? t[1] / t[0] : 0, n);
    }
    printf("%-28s %10s %12.3f %12.3f %6.2fx %6ld\n", "total", "", total[0] * 1e3, total[1] * 1e3,
           total[0] > 0 ? total[1] / total[0] : 0, viol);
    return 0;
}
