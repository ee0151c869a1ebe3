/* `quire experiment`: validate or run a PANTHER-style YAML experiment (src/experiment/). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/netns.h"
#include "cli/cli.h"
#include "experiment/render.h"
#include "experiment/runner.h"
#include "experiment/spec.h"
#include "experiment/summary.h"
#include "util/err.h"
#include "util/fs.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: quire experiment run [-o DIR] [--seed N] [-v] [--keep] [--validate] FILE.yaml\n"
            "       quire experiment validate FILE.yaml...\n"
            "       quire experiment plugins\n\n"
            "Runs the tests of a YAML experiment (services from implementation plugins,\n"
            "network and execution environments, steps, assertions; see docs/experiments.md)\n"
            "and writes experiment_summary.json and report.md into DIR (default\n"
            "logs/experiments/<name>-<time>). 'validate' (or run --validate) checks files\n"
            "without running anything and reports every error with its line and column.\n"
            "  --keep        keep each run's www/, downloads/ and certs/ (removed once judged)\n"
            "  --source DIR  (run) where implementations/ and endpoints/*/plugin.yaml are\n"
            "                (default $QUIRE_SOURCE_DIR, else the source tree quire was built in)\n"
            "Exit: 0 every assertion passed (skipped runs allowed), 1 an assertion failed or a\n"
            "run could not be set up, 2 invalid file, usage or not root (nothing was started).\n");
}

static void source_dir(char *out, size_t len, const char *opt)
{
    const char *s = opt;
    if (!s || !*s) s = getenv("QUIRE_SOURCE_DIR");
#ifdef QUIRE_SOURCE_DIR
    if (!s || !*s) s = QUIRE_SOURCE_DIR;
#endif
    snprintf(out, len, "%s", s && *s ? s : ".");
}

static int load(quire_experiment *x, const char *file, const char *src)
{
    quire_ydiag g = {0};
    int rc = quire_experiment_load(x, file, src, &g);
    for (size_t i = 0; i < g.n; i++)
        fprintf(stderr, "%s\n", g.msgs[i]);
    if (rc && !g.n) fprintf(stderr, "%s: %s\n", file, quire_strerror(rc));
    if (rc)
        fprintf(stderr, "quire experiment: %s: %zu error%s, nothing started\n", file, g.n,
                g.n == 1 ? "" : "s");
    quire_ydiag_free(&g);
    return rc;
}

static void default_out(const quire_experiment *x, char *out, size_t len)
{
    char slug[64];
    size_t o = 0;
    for (const char *s = x->name; *s && o < sizeof slug - 1; s++)
        slug[o++] = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ? *s
                    : (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a')
                                               : '_';
    slug[o] = 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, len, "logs/experiments/%s-%s", o ? slug : "experiment", ts);
}

static int cmd_run(int argc, char **argv, const char *src_opt)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},      {"validate", no_argument, NULL, 'V'},
        {"source", required_argument, NULL, 'S'}, {"help", no_argument, NULL, 'h'},
        {"keep", no_argument, NULL, 'k'},         {NULL, 0, NULL, 0},
    };
    const char *out_opt = NULL;
    char src[PATH_MAX];
    unsigned long long seed = 1;
    int verbose = 0, validate = 0, keep = 0, c;
    char *end;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:s:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_opt = optarg;
            break;
        case 's':
            seed = strtoull(optarg, &end, 0);
            if (!*optarg || *end) {
                fprintf(stderr, "quire experiment: --seed: '%s' is not a number\n", optarg);
                return 2;
            }
            break;
        case 'v':
            verbose = 1;
            break;
        case 'V':
            validate = 1;
            break;
        case 'S':
            src_opt = optarg;
            break;
        case 'k':
            keep = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "quire experiment run: bad option '%s' (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "quire experiment run: expected one FILE.yaml\n");
        return 2;
    }
    source_dir(src, sizeof src, src_opt);
    quire_experiment x;
    if (load(&x, argv[optind], src)) {
        quire_experiment_free(&x);
        return 2;
    }
    if (validate) {
        printf("%s: valid (%zu test%s)\n", argv[optind], x.ntests, x.ntests == 1 ? "" : "s");
        quire_experiment_free(&x);
        return 0;
    }
    char why[256];
    if (quire_netns_available(why, sizeof why)) {
        fprintf(stderr,
                "quire experiment: cannot run the netns backend here: %s; nothing "
                "started\n",
                why);
        quire_experiment_free(&x);
        return 2; /* like quire run */
    }
    char out[PATH_MAX], abs[PATH_MAX], exe[PATH_MAX];
    if (out_opt)
        snprintf(out, sizeof out, "%s", out_opt);
    else
        default_out(&x, out, sizeof out);
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (quire_fs_mkdir_p(out, 0755) || !realpath(out, abs) || el <= 0) {
        fprintf(stderr, "quire experiment: cannot create %s: %s\n", out, strerror(errno));
        quire_experiment_free(&x);
        return 1;
    }
    exe[el] = 0;
    if (strlen(abs) > QUIRE_XRUN_DIR_MAX - 256) {
        fprintf(stderr, "quire experiment: output directory path too long\n");
        quire_experiment_free(&x);
        return 2;
    }
    quire_xrun_opts o = {
        .out_dir = abs, .quire_exe = exe, .seed = seed, .verbose = verbose, .keep = keep};
    quire_xrun *runs = NULL;
    size_t n = 0;
    int rc = quire_experiment_run(&x, &o, &runs, &n);
    char err[512];
    int wrc = quire_summary_write(&x, runs, n, abs, err, sizeof err);
    if (wrc) fprintf(stderr, "quire experiment: %s\n", err);
    quire_summary_totals t;
    quire_summary_totals_of(runs, n, &t);
    fprintf(stderr,
            "quire experiment: %zu run%s (%zu skipped), assertions: %zu passed, %zu "
            "failed; report: %s/report.md\n",
            t.runs, t.runs == 1 ? "" : "s", t.skipped, t.passed, t.failed, abs);
    quire_xruns_free(runs, n);
    quire_experiment_free(&x);
    if (rc == QUIRE_ERR_INTERRUPTED) return 130;
    if (rc) {
        fprintf(stderr, "quire experiment: %s\n", quire_strerror(rc));
        return 1;
    }
    return wrc || t.failed || t.errors ? 1 : 0;
}

int quire_cmd_experiment(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    char src[PATH_MAX];
    if (!strcmp(argv[1], "run")) return cmd_run(argc - 1, argv + 1, NULL);
    if (!strcmp(argv[1], "plugins")) {
        source_dir(src, sizeof src, NULL);
        quire_plugins_print(stdout, src);
        return 0;
    }
    if (!strcmp(argv[1], "validate")) {
        if (argc < 3) {
            fprintf(stderr, "quire experiment validate: expected FILE.yaml\n");
            return 2;
        }
        source_dir(src, sizeof src, NULL);
        int bad = 0;
        for (int i = 2; i < argc; i++) {
            quire_experiment x;
            if (load(&x, argv[i], src))
                bad = 1;
            else
                printf("%s: valid (%zu test%s)\n", argv[i], x.ntests, x.ntests == 1 ? "" : "s");
            quire_experiment_free(&x);
        }
        return bad ? 2 : 0;
    }
    fprintf(stderr, "quire experiment: unknown action '%s' (run, validate, plugins)\n", argv[1]);
    return 2;
}
