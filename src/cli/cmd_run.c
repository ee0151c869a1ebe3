/* `quire run`: run the matrix of servers × clients × test cases with the netns backend. Flags
 * are spelled like the QUIC Interop Runner's run.py where it has one. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend_container.h"
#include "backend/backend_netns.h"
#include "backend/container.h"
#include "backend/netns.h"
#include "cli/cli.h"
#include "report/html.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/result.h"
#include "report/terminal.h"
#include "run/compliance.h"
#include "run/plan.h"
#include "run/registry.h"
#include "run/scheduler.h"
#include "run/testcase.h"
#include "run/testcase_wt.h"
#include "spec/spec.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proc.h"

/* The simulator is another subcommand of this binary; without it tests use kernel forwarding. */
#pragma weak quire_cmd_sim

#define MAX_IMPLS 256
#define MAX_TESTS 64

static void usage(FILE *out)
{
    size_t n;
    const quire_testcase *tcs = quire_testcase_table(&n);
    fprintf(out,
            "usage: quire run [options]\n"
            "Runs every selected client against every selected server for every selected test\n"
            "case, each test in its own network namespaces (needs root). Default: every\n"
            "implementation runnable here (see 'quire list'), every test case.\n\n"
            "  -s, --server LIST         server implementations (comma-separated)\n"
            "  -c, --client LIST         client implementations (comma-separated)\n"
            "  -t, --test LIST           test cases (comma-separated names or abbreviations),\n"
            "                            onlyTests or onlyMeasurements (run.py's); default all\n"
            "                            but those marked 'by name only':\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "                              %s (%s)%s%s\n", tcs[i].name, tcs[i].abbr,
                tcs[i].repetitions ? ", measurement" : "",
                tcs[i].by_name_only ? ", by name only" : "");
    const quire_wt_testcase *wts = quire_wt_table(&n);
    fprintf(out, "                            with -p webtransport (all by default):\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "                              %s (%s)\n", wts[i].name, wts[i].abbr);
    fprintf(
        out,
        "  -r, --replace NAME=X[,..] replace an implementation: X is an endpoint directory\n"
        "                            (local form) or else an image name (QIR's meaning)\n"
        "  -i, --must-include NAME   only pairs that include this implementation\n"
        "  -n, --no-auto-unsupported LIST\n"
        "                            implementations never auto-marked unsupported when they\n"
        "                            fail a test against all peers (QIR's rule). Default: the\n"
        "                            only client and the only server; LIST replaces that\n"
        "                            default, as in run.py (names from -s/-c)\n"
        "      --no-auto-unsupported-rule\n"
        "                            never apply that rule: every failure stays a failure\n"
        "      --no-compliance-check skip QIR's pre-check (each implementation, in each role,\n"
        "                            run alone with an unknown TESTCASE must exit 127, else\n"
        "                            its pairs are not run); a quire extension\n"
        "  -l, --log-dir DIR         log directory (default logs_<date>T<time>; must not exist)\n"
        "  -j, --json FILE           also write the result (QIR's result.json schema) to FILE;\n"
        "                            DIR/result.json is always written, after every test\n"
        "  -m, --markdown            print the final matrix as Markdown (DIR/result.md is\n"
        "                            always written)\n"
        "  -f, --save-files VALUE    keep the served and downloaded files of failed tests\n"
        "                            (server_www, client_downloads, client_www,\n"
        "                            server_downloads), as run.py: any non-empty VALUE\n"
        "  -d, --debug               debug output (each test's log lines on stderr too)\n"
        "  -p, --protocol P          quic (default) or webtransport (QIR's second suite, read\n"
        "                            from implementations_webtransport.json; see\n"
        "                            docs/webtransport.md)\n"
        "      --implementations F   implementations.json to read (default: "
        "$QUIRE_IMPLEMENTATIONS,\n"
        "                            else the one in the source tree, else "
        "./implementations.json)\n"
        "      --jobs N|auto[:MAX]   run N tests in parallel, each with its own testbed (1);\n"
        "                            auto: as many as the machine's measured load allows\n"
        "                            (CPU and memory pressure), at least one per CPU, at\n"
        "                            most MAX (default 4 per CPU)\n"
        "      --durations RESULT    order the work by the test durations of an earlier\n"
        "                            run's result.json (longest first; unsupported first)\n"
        "      --repeat N            run each test case N times (logs in <test>/<n>); it\n"
        "                            succeeds only if all N do, and says how many passed\n"
        "                            (measurements keep their own 5 runs)\n"
        "      --timeout S           test timeout in seconds for every test (default: the\n"
        "                            test case's, 60 s as in QIR)\n"
        "      --keep                keep everything: www, downloads, certificates, and the\n"
        "                            logs of unsupported tests (QIR deletes them)\n"
        "      --seed N              simulator seed (default: from the clock; printed)\n"
        "      --sim-kernel          simulator forwards with the kernel and only captures\n"
        "      --backend B           netns, container or auto (default): auto is container\n"
        "                            when a selected implementation has an image but no path\n"
        "      --engine E            container engine command: docker (default) or podman\n"
        "      --qir-addresses       container backend: QIR's fixed 193.167.0.0/24 and\n"
        "                            193.167.100.0/24 (for published images; one test at a time)\n"
        "      --html FILE           also write the results as one self-contained HTML page\n"
        "      --junit FILE          also write the results as JUnit XML\n"
        "      --shard K/N           run only test number i (0-based, in the run's order) with\n"
        "                            i mod N = K-1; merge the shards with 'quire merge'\n"
        "      --resume DIR          continue the killed run in log dir DIR: run only its\n"
        "                            not-run tests (selection from DIR/result.json unless\n"
        "                            -s/-c/-t are given)\n"
        "      --rerun-failed FILE   run again only the failed tests of result file FILE, into\n"
        "                            a new log dir; the new result has the others unchanged\n"
        "      --alpn h3|hq|auto     h3: run the hq test cases over HTTP/3 where both endpoints\n"
        "                            can (endpoints get QUIRE_ALPN=h3, a quire extension;\n"
        "                            h3-only implementations answer 127 without it); auto: over\n"
        "                            hq-interop, and over HTTP/3 again where that was\n"
        "                            unsupported (the explanation says \"over h3\"); default hq\n"
        "      --spec-ignore RULE    switch off a spec rule for the \"spec\" verdict each test\n"
        "                            gets in result.json (repeatable; 'quire trace\n"
        "                            --spec-rules' lists them, docs/spec.md explains them)\n"
        "      --run-id ID           name the run (namespaces quire-ID-<n>-*; 'quire clean\n"
        "                            --run ID' removes its leftovers); default: random\n"
        "  -h, --help                this text\n\n"
        "Exit status: 0 all tests ran and none failed, 1 some failed, 2 bad usage or input,\n"
        "130/143 interrupted by SIGINT/SIGTERM (results so far are saved).\n");
}

static int split(char *s, const char **out, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == max) return -1;
        out[n++] = tok;
    }
    return (int)n;
}

/* Selects implementations for a role from a list argument or, with none, every runnable one. */
static int select_impls(quire_registry *reg, char *arg, quire_role role, const char *what,
                        const quire_impl **out, size_t *n)
{
    *n = 0;
    if (!arg) {
        for (size_t i = 0; i < reg->n; i++) {
            quire_impl *im = &reg->impls[i];
            if (!(im->roles & QUIRE_ROLE_BIT(role))) continue;
            quire_registry_probe(im);
            if (im->runnable && *n < MAX_IMPLS) out[(*n)++] = im;
        }
        return 0;
    }
    const char *names[MAX_IMPLS];
    int k = split(arg, names, MAX_IMPLS);
    if (k <= 0) {
        fprintf(stderr, "quire run: empty or too long %s list\n", what);
        return -1;
    }
    for (int i = 0; i < k; i++) {
        quire_impl *im = (quire_impl *)quire_registry_find(reg, names[i]);
        if (!im) {
            fprintf(stderr, "quire run: %s implementation '%s' not found in %s\n", what, names[i],
                    reg->file);
            return -1;
        }
        if (!(im->roles & QUIRE_ROLE_BIT(role))) {
            fprintf(stderr, "quire run: '%s' is not a %s (role %s in %s)\n", names[i], what,
                    quire_registry_roles_name(im->roles), reg->file);
            return -1;
        }
        quire_registry_probe(im);
        if (!im->runnable) {
            fprintf(stderr, "quire run: %s '%s' cannot run here: %s\n", what, names[i], im->reason);
            return -1;
        }
        int dup = 0;
        for (size_t j = 0; j < *n; j++)
            dup |= out[j] == im;
        if (!dup) out[(*n)++] = im;
    }
    return 0;
}

static void note_cb(const char *msg, void *arg)
{
    quire_terminal_note((quire_terminal *)arg, msg);
}

/* DIR/result.md, and on stdout too with -m. */
static void write_markdown(const quire_result *r, const char *dir, int print)
{
    quire_buf b;
    quire_buf_init(&b);
    if (quire_markdown_write(r, &b) == 0) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/result.md", dir);
        if (quire_fs_write_atomic(path, b.data, b.len, 0644))
            fprintf(stderr, "quire run: cannot write %s: %s\n", path, strerror(errno));
        if (print) fwrite(b.data, 1, b.len, stdout);
    }
    quire_buf_free(&b);
}

enum {
    OPT_IMPLS = 256,
    OPT_JOBS,
    OPT_TIMEOUT,
    OPT_KEEP,
    OPT_SEED,
    OPT_SIM_KERNEL,
    OPT_RUN_ID,
    OPT_HTML,
    OPT_JUNIT,
    OPT_SHARD,
    OPT_RESUME,
    OPT_RERUN,
    OPT_BACKEND,
    OPT_ENGINE,
    OPT_QIR_ADDRS,
    OPT_ALPN,
    OPT_REPEAT,
    OPT_NO_AUTO_RULE,
    OPT_DURATIONS,
    OPT_SPEC_IGNORE,
    OPT_NO_COMPLIANCE
};

/* Whether a name list ("a,b") names an implementation that only the container backend runs. */
static int names_image_only(const quire_registry *reg, const char *list)
{
    if (!list) return 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const quire_impl *im = quire_registry_find(reg, tok);
        if (im && im->image && !im->path) return 1;
    }
    return 0;
}

/* The container backend's idea of runnable: an image present in the engine's store. */
static void probe_images(quire_registry *reg, const char *engine)
{
    char why[256];
    int up = quire_container_available(engine, why, sizeof why) == 0;
    for (size_t i = 0; i < reg->n; i++) {
        quire_impl *im = &reg->impls[i];
        im->probed = 1;
        im->runnable = up && im->image && quire_container_image_exists(engine, im->image);
        if (!im->image)
            snprintf(im->reason, sizeof im->reason,
                     "no \"image\" for the container backend (mixed container/netns runs are "
                     "not supported: use --backend netns)");
        else if (!up)
            snprintf(im->reason, sizeof im->reason,
                     "needs the container backend (image %.60s), but %.100s", im->image, why);
        else if (!im->runnable)
            snprintf(im->reason, sizeof im->reason,
                     "needs the container backend's image %.120s, not in %s's store (quire image "
                     "build %.40s)",
                     im->image, engine, im->name);
    }
}

static int parse_uint(const char *flag, const char *s, unsigned long max, unsigned long *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || end == s || *end || x > max || s[0] == '-') {
        fprintf(stderr, "quire run: %s expects a number up to %lu, got '%s'\n", flag, max, s);
        return -1;
    }
    *v = x;
    return 0;
}

int quire_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"server", required_argument, 0, 's'},
        {"client", required_argument, 0, 'c'},
        {"test", required_argument, 0, 't'},
        {"replace", required_argument, 0, 'r'},
        {"must-include", required_argument, 0, 'i'},
        {"no-auto-unsupported", required_argument, 0, 'n'},
        {"no-auto-unsupported-rule", no_argument, 0, OPT_NO_AUTO_RULE},
        {"no-compliance-check", no_argument, 0, OPT_NO_COMPLIANCE},
        {"log-dir", required_argument, 0, 'l'},
        {"json", required_argument, 0, 'j'},
        {"markdown", no_argument, 0, 'm'},
        {"save-files", required_argument, 0, 'f'},
        {"debug", no_argument, 0, 'd'},
        {"protocol", required_argument, 0, 'p'},
        {"implementations", required_argument, 0, OPT_IMPLS},
        {"jobs", required_argument, 0, OPT_JOBS},
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"keep", no_argument, 0, OPT_KEEP},
        {"seed", required_argument, 0, OPT_SEED},
        {"sim-kernel", no_argument, 0, OPT_SIM_KERNEL},
        {"run-id", required_argument, 0, OPT_RUN_ID},
        {"html", required_argument, 0, OPT_HTML},
        {"junit", required_argument, 0, OPT_JUNIT},
        {"shard", required_argument, 0, OPT_SHARD},
        {"resume", required_argument, 0, OPT_RESUME},
        {"rerun-failed", required_argument, 0, OPT_RERUN},
        {"backend", required_argument, 0, OPT_BACKEND},
        {"engine", required_argument, 0, OPT_ENGINE},
        {"qir-addresses", no_argument, 0, OPT_QIR_ADDRS},
        {"alpn", required_argument, 0, OPT_ALPN},
        {"repeat", required_argument, 0, OPT_REPEAT},
        {"durations", required_argument, 0, OPT_DURATIONS},
        {"spec-ignore", required_argument, 0, OPT_SPEC_IGNORE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    char *servers_arg = NULL, *clients_arg = NULL, *tests_arg = NULL, *replace = NULL;
    int auto_rule = 1, compliance = 1;
    char *must_include = NULL, *no_auto_arg = NULL, *log_dir_arg = NULL, *json = NULL;
    const char *run_id_arg = NULL, *html = NULL, *junit = NULL, *resume = NULL, *rerun = NULL;
    const char *backend = "auto", *alpn = NULL, *durations = NULL;
    quire_container_cfg ccfg = {.engine = "docker"};
    unsigned shard_k = 0, shard_n = 0;
    char impl_file[PATH_MAX] = "";
    int webtransport = 0;
    int markdown = 0, save_files = 0, debug = 0, keep = 0, sim_kernel = 0, seed_set = 0;
    unsigned long jobs = 1, jobs_max = 0, timeout = 0, seed = 0, repeat = 1;
    const char *spec_ignore[64];
    size_t nspec_ignore = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":s:c:t:r:i:n:l:j:mf:dp:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            servers_arg = optarg;
            break;
        case 'c':
            clients_arg = optarg;
            break;
        case 't':
            tests_arg = optarg;
            break;
        case 'r':
            replace = optarg;
            break;
        case 'i':
            must_include = optarg;
            break;
        case 'n':
            no_auto_arg = optarg;
            break;
        case OPT_NO_AUTO_RULE:
            auto_rule = 0;
            break;
        case OPT_NO_COMPLIANCE:
            compliance = 0;
            break;
        case 'l':
            log_dir_arg = optarg;
            break;
        case 'j':
            json = optarg;
            break;
        case 'm':
            markdown = 1;
            break;
        case 'f': /* run.py's -f takes a value, and any non-empty one turns it on */
            save_files = optarg[0] != 0;
            break;
        case 'd':
            debug = 1;
            break;
        case 'p':
            if (!strcmp(optarg, "webtransport"))
                webtransport = 1;
            else if (strcmp(optarg, "quic")) {
                fprintf(stderr, "quire run: unknown protocol '%s' (quic or webtransport)\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_IMPLS:
            snprintf(impl_file, sizeof impl_file, "%s", optarg);
            break;
        case OPT_JOBS:
            if (!strncmp(optarg, "auto", 4) && (!optarg[4] || optarg[4] == ':')) {
                /* 0: as the load allows (run/load.h), up to jobs_max */
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                jobs = 0;
                jobs_max = 4 * (unsigned long)(n > 0 ? n : 1);
                if (optarg[4] && (parse_uint("--jobs auto:MAX", optarg + 5, 256, &jobs_max) ||
                                  jobs_max == 0)) {
                    if (jobs_max == 0) fprintf(stderr, "quire run: --jobs auto:MAX must be at least 1\n");
                    return 2;
                }
                break;
            }
            if (parse_uint("--jobs", optarg, 64, &jobs) || jobs == 0) {
                if (jobs == 0) fprintf(stderr, "quire run: --jobs must be at least 1 (or auto)\n");
                return 2;
            }
            break;
        case OPT_DURATIONS:
            durations = optarg;
            break;
        case OPT_REPEAT:
            if (parse_uint("--repeat", optarg, 1000, &repeat) || repeat == 0) {
                if (repeat == 0) fprintf(stderr, "quire run: --repeat must be at least 1\n");
                return 2;
            }
            break;
        case OPT_TIMEOUT:
            if (parse_uint("--timeout", optarg, 86400, &timeout)) return 2;
            break;
        case OPT_KEEP:
            keep = 1;
            break;
        case OPT_SEED:
            if (parse_uint("--seed", optarg, ULONG_MAX - 1, &seed)) return 2;
            seed_set = 1;
            break;
        case OPT_SIM_KERNEL:
            sim_kernel = 1;
            break;
        case OPT_HTML:
            html = optarg;
            break;
        case OPT_JUNIT:
            junit = optarg;
            break;
        case OPT_SHARD:
            if (quire_plan_shard_parse(optarg, &shard_k, &shard_n)) {
                fprintf(stderr, "quire run: invalid --shard '%s' (expected K/N, 1 <= K <= N)\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_RESUME:
            resume = optarg;
            break;
        case OPT_RERUN:
            rerun = optarg;
            break;
        case OPT_BACKEND:
            if (strcmp(optarg, "netns") && strcmp(optarg, "container") && strcmp(optarg, "auto")) {
                fprintf(stderr, "quire run: --backend must be netns, container or auto, got '%s'\n",
                        optarg);
                return 2;
            }
            backend = optarg;
            break;
        case OPT_ENGINE:
            if (strcmp(optarg, "docker") && strcmp(optarg, "podman")) {
                fprintf(stderr, "quire run: --engine must be docker or podman, got '%s'\n", optarg);
                return 2;
            }
            ccfg.engine = optarg;
            break;
        case OPT_ALPN:
            if (strcmp(optarg, "h3") && strcmp(optarg, "hq") && strcmp(optarg, "auto")) {
                fprintf(stderr, "quire run: --alpn must be hq, h3 or auto, got '%s'\n", optarg);
                return 2;
            }
            alpn = !strcmp(optarg, "hq") ? NULL : !strcmp(optarg, "h3") ? "h3" : "auto";
            break;
        case OPT_QIR_ADDRS:
            ccfg.qir_addresses = 1;
            break;
        case OPT_SPEC_IGNORE:
            if (quire_spec_rule_find(optarg) < 0) {
                fprintf(stderr,
                        "quire run: --spec-ignore %s: no such rule (see 'quire trace "
                        "--spec-rules')\n",
                        optarg);
                return 2;
            }
            if (nspec_ignore == sizeof spec_ignore / sizeof spec_ignore[0]) {
                fprintf(stderr, "quire run: too many --spec-ignore\n");
                return 2;
            }
            spec_ignore[nspec_ignore++] = optarg;
            break;
        case OPT_RUN_ID:
            if (!quire_run_id_valid(optarg)) {
                fprintf(stderr,
                        "quire run: invalid --run-id '%s' (1-%d characters of A-Z a-z 0-9 _)\n",
                        optarg, QUIRE_RUN_ID_MAX);
                return 2;
            }
            run_id_arg = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "quire run: option %s needs a value (see 'quire run --help')\n",
                    argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "quire run: unknown option '%s' (see 'quire run --help')\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "quire run: unexpected argument '%s' (see 'quire run --help')\n",
                argv[optind]);
        return 2;
    }
    if (debug) quire_log_set_level(QUIRE_LOG_DEBUG);
    if (resume && (rerun || log_dir_arg)) {
        fprintf(stderr,
                "quire run: --resume continues in its own log dir: no -l or --rerun-failed\n");
        return 2;
    }

    if (webtransport && alpn) {
        fprintf(stderr, "quire run: --alpn is for the QUIC suite (WebTransport is HTTP/3)\n");
        return 2;
    }
    /* Everything about the input first, so that usage errors never need root. */
    char err[1024];
    if (!impl_file[0])
        quire_registry_default_path_for(webtransport ? "webtransport" : "quic", impl_file,
                                        sizeof impl_file);
    quire_registry reg;
    int rc = quire_registry_load(&reg, impl_file, err, sizeof err);
    if (rc) {
        fprintf(stderr, "quire run: %s\n", err);
        return 2;
    }
    /* --resume / --rerun-failed: the earlier result is the start of this one */
    quire_result result, previous;
    quire_result_init(&result);
    quire_result_init(&previous);
    if (durations && quire_result_load(durations, &previous, err, sizeof err)) {
        fprintf(stderr, "quire run: --durations: %s\n", err);
        quire_result_free(&previous);
        quire_registry_free(&reg);
        return 2;
    }
    char *from_file[3] = {NULL, NULL, NULL};
    if (resume || rerun) {
        char prev[PATH_MAX + 16];
        if (resume)
            snprintf(prev, sizeof prev, "%s/result.json", resume);
        else
            snprintf(prev, sizeof prev, "%s", rerun);
        if (quire_result_load(prev, &result, err, sizeof err)) {
            fprintf(stderr, "quire run: %s\n", err);
            quire_result_free(&result);
            quire_result_free(&previous);
            quire_registry_free(&reg);
            return 2;
        }
        char **args[3] = {&servers_arg, &clients_arg, &tests_arg};
        for (int i = 0; i < 3; i++)
            if (!*args[i]) *args[i] = from_file[i] = quire_plan_names(&result, i);
    }
    const quire_testcase *tcs[MAX_TESTS];
    size_t ntcs = 0;
    const quire_impl *servers[MAX_IMPLS], *clients[MAX_IMPLS];
    size_t nservers = 0, nclients = 0;
    quire_job *jobsv = NULL;
    const char *no_auto[2 * MAX_IMPLS];
    size_t nno_auto = 0;
    int ret = 2;
    if (replace && quire_registry_replace(&reg, replace, err, sizeof err)) {
        fprintf(stderr, "quire run: %s\n", err);
        goto out;
    }
    if (webtransport ? quire_cmd_run_wt_tests(tests_arg, tcs, MAX_TESTS, &ntcs, err, sizeof err)
                     : quire_testcase_parse_list(tests_arg, tcs, MAX_TESTS, &ntcs, err,
                                                 sizeof err)) {
        fprintf(stderr, "quire run: %s\n", err);
        goto out;
    }
    if (!ntcs) { /* run.py runs nothing for `-t ""`; an empty run has no use here */
        fprintf(stderr, "quire run: -t '%s' selects no test case%s\n", tests_arg ? tests_arg : "",
                webtransport ? " (the WebTransport suite has no measurements)" : "");
        goto out;
    }
    if (must_include && !quire_registry_find(&reg, must_include)) {
        fprintf(stderr, "quire run: --must-include: implementation '%s' not found in %s\n",
                must_include, reg.file);
        goto out;
    }
    if (!strcmp(backend, "auto"))
        backend = names_image_only(&reg, servers_arg) || names_image_only(&reg, clients_arg)
                      ? "container"
                      : "netns";
    int container = !strcmp(backend, "container");
    if (container) probe_images(&reg, ccfg.engine);
    if (select_impls(&reg, servers_arg, QUIRE_ROLE_SERVER, "server", servers, &nservers) ||
        select_impls(&reg, clients_arg, QUIRE_ROLE_CLIENT, "client", clients, &nclients))
        goto out;
    if (!nservers || !nclients) {
        fprintf(stderr, "quire run: no runnable %s in %s (see 'quire list')\n",
                !nservers ? "server" : "client", reg.file);
        goto out;
    }
    if (no_auto_arg) {
        /* run.py: -n replaces the default below, and names selected clients or servers */
        int k = split(no_auto_arg, no_auto, MAX_IMPLS);
        for (int i = 0; i < k; i++) {
            int found = 0;
            for (size_t j = 0; j < nservers; j++)
                found |= !strcmp(servers[j]->name, no_auto[i]);
            for (size_t j = 0; j < nclients; j++)
                found |= !strcmp(clients[j]->name, no_auto[i]);
            if (!found) {
                fprintf(stderr,
                        "quire run: --no-auto-unsupported: '%s' is not a selected client or "
                        "server\n",
                        no_auto[i]);
                goto out;
            }
        }
        nno_auto = k > 0 ? (size_t)k : 0;
    } else {
        /* QIR: with a single client or server, do not auto-mark it unsupported. */
        if (nservers == 1) no_auto[nno_auto++] = servers[0]->name;
        if (nclients == 1) no_auto[nno_auto++] = clients[0]->name;
    }

    /* QIR's order: for each client, for each server, every test. The whole selection goes
     * into the result (a shard's file lists everything, other shards' tests as not run);
     * --shard, --resume and --rerun-failed then pick the tests this run executes. */
    size_t njobs = 0, nall = 0;
    jobsv = calloc(nservers * nclients * ntcs + 1, sizeof *jobsv);
    if (!jobsv) goto out;
    for (size_t si = 0; si < nservers; si++)
        quire_result_add_server(&result, servers[si]->name, servers[si]->url);
    for (size_t ci = 0; ci < nclients; ci++)
        quire_result_add_client(&result, clients[ci]->name, clients[ci]->url);
    for (size_t t = 0; t < ntcs; t++)
        quire_result_add_test(&result,
                              tcs[t]->repetitions ? QUIRE_TEST_MEASUREMENT : QUIRE_TEST_CASE,
                              tcs[t]->abbr, tcs[t]->name, tcs[t]->desc, tcs[t]->unit);
    for (size_t ci = 0; ci < nclients; ci++)
        for (size_t si = 0; si < nservers; si++) {
            if (must_include && strcmp(clients[ci]->name, must_include) &&
                strcmp(servers[si]->name, must_include))
                continue;
            for (size_t t = 0; t < ntcs; t++) {
                size_t index = nall++;
                if (!quire_plan_in_shard(index, shard_k, shard_n)) continue;
                if (resume || rerun) {
                    const quire_result_cell *cell = quire_result_cell_get(
                        &result, (size_t)quire_result_find_server(&result, servers[si]->name),
                        (size_t)quire_result_find_client(&result, clients[ci]->name),
                        (size_t)quire_result_find_test(&result, tcs[t]->abbr));
                    quire_verdict v = cell ? cell->verdict : QUIRE_VERDICT_NONE;
                    if (resume ? v != QUIRE_VERDICT_NONE : v != QUIRE_VERDICT_FAILED) continue;
                }
                jobsv[njobs++] = (quire_job){
                    .server = servers[si], .client = clients[ci], .tc = tcs[t], .index = index};
            }
        }
    if (!nall) {
        fprintf(stderr, "quire run: no (server, client) pair includes '%s'\n", must_include);
        goto out;
    }

    if (container && quire_container_available(ccfg.engine, err, sizeof err)) {
        fprintf(stderr, "quire run: container backend: %s\n", err);
        goto out;
    }
    if (container && !quire_container_image_exists(ccfg.engine, QUIRE_CONTAINER_SIM_IMAGE)) {
        fprintf(stderr,
                "quire run: container backend: the simulator image %s is missing (build it: "
                "quire image build sim)\n",
                QUIRE_CONTAINER_SIM_IMAGE);
        goto out;
    }
    if (container && ccfg.qir_addresses && jobs != 1) {
        fprintf(stderr, "quire run: --qir-addresses runs one test at a time (no --jobs)\n");
        goto out;
    }
    if (quire_netns_available(err, sizeof err)) {
        fprintf(stderr, "quire run: cannot create network namespaces: %s\n", err);
        goto out;
    }

    char log_dir[PATH_MAX], abs_log_dir[PATH_MAX];
    struct timespec start_ts;
    clock_gettime(CLOCK_REALTIME, &start_ts);
    time_t now = start_ts.tv_sec;
    struct tm tm;
    localtime_r(&now, &tm);
    if (resume)
        snprintf(log_dir, sizeof log_dir, "%s", resume);
    else if (log_dir_arg)
        snprintf(log_dir, sizeof log_dir, "%s", log_dir_arg);
    else
        strftime(log_dir, sizeof log_dir, "logs_%Y-%m-%dT%H:%M:%S", &tm);
    if (!resume && quire_fs_exists(log_dir)) {
        fprintf(stderr, "quire run: log dir %s already exists\n", log_dir);
        goto out;
    }
    if (rerun) quire_plan_relink_logs(&result, abs_log_dir, log_dir);
    if ((rc = quire_fs_mkdir_p(log_dir, 0755)) || !realpath(log_dir, abs_log_dir)) {
        fprintf(stderr, "quire run: cannot create log dir %s: %s\n", log_dir, strerror(errno));
        goto out;
    }
    ret = 1;
    char run_id[QUIRE_RUN_ID_MAX + 1], exe[PATH_MAX] = "";
    if (run_id_arg)
        snprintf(run_id, sizeof run_id, "%s", run_id_arg);
    else if ((rc = quire_run_id_make(run_id, sizeof run_id)))
        run_id[0] = 0;
    if (rc || (rc = quire_run_begin(run_id))) {
        fprintf(stderr, "quire run: cannot register the run: %s\n", quire_strerror(rc));
        goto out;
    }
    ssize_t el = quire_cmd_sim ? readlink("/proc/self/exe", exe, sizeof exe - 1) : -1;
    if (el > 0) exe[el] = 0;
    if (!seed_set) seed = (unsigned long)now ^ ((unsigned long)getpid() << 16);
    quire_proc_signals_install();

    if (!resume) {
        result.start_time = (double)start_ts.tv_sec + (double)start_ts.tv_nsec / 1e9;
        quire_result_set_log_dir(&result, log_dir);
    }
    quire_result_set_quic_version(&result, "0x1");
    char result_path[PATH_MAX + 16];
    snprintf(result_path, sizeof result_path, "%s/result.json", abs_log_dir);
    const char *save_paths[2] = {result_path, json};
    quire_terminal term;
    quire_sched_opts so = {
        .base = {.run_id = run_id,
                 .log_dir = abs_log_dir,
                 .timeout_s = (unsigned)timeout,
                 .sim_exe = exe[0] ? exe : NULL,
                 .sim_kernel = sim_kernel,
                 .alpn = alpn,
                 .seed = seed,
                 .keep = keep,
                 .save_files = save_files,
                 .debug = debug,
                 .backend = container ? &quire_backend_container : &quire_backend_netns,
                 .backend_cfg = container ? &ccfg : NULL,
                 .spec_ignore = spec_ignore,
                 .nspec_ignore = nspec_ignore},
        .jobs = (unsigned)jobs,
        .jobs_max = (unsigned)jobs_max,
        .previous = durations ? &previous : (resume || rerun) ? &result : NULL,
        .repeat = (unsigned)repeat,
        .result = &result,
        .save_paths = save_paths,
        .nsave_paths = json ? 2 : 1,
        .term = &term,
    };
    rc = 0;
    if (compliance) rc = quire_compliance_filter_jobs(&so.base, jobsv, &njobs);
    quire_terminal_init(&term, stdout, isatty(1), njobs);
    char par[48];
    if (jobs)
        snprintf(par, sizeof par, "%lu in parallel", jobs);
    else
        snprintf(par, sizeof par, "in parallel as the load allows, up to %lu", jobs_max);
    fprintf(stderr, "quire: saving logs to %s (run %s, seed %lu, %zu tests, %s)\n", log_dir,
            run_id, seed, njobs, par);

    if (rc == 0) rc = quire_scheduler_run(&so, jobsv, njobs);
    quire_terminal_end(&term);
    /* QIR's auto-unsupported rule needs every cell: not for a shard */
    if (rc == 0 && !shard_n && auto_rule)
        quire_scheduler_auto_unsupported(&result, no_auto, nno_auto, note_cb, &term);
    struct timespec end_ts;
    clock_gettime(CLOCK_REALTIME, &end_ts);
    result.end_time = (double)end_ts.tv_sec + (double)end_ts.tv_nsec / 1e9;
    for (size_t i = 0; i < so.nsave_paths; i++) {
        int src = quire_result_save(&result, save_paths[i]);
        if (src)
            fprintf(stderr, "quire run: cannot write %s: %s\n", save_paths[i],
                    src == QUIRE_ERR_IO ? strerror(errno) : quire_strerror(src));
    }
    write_markdown(&result, abs_log_dir, markdown);
    quire_html_options hopts = {.logs_base = abs_log_dir};
    if (html && quire_html_save(&result, &hopts, html))
        fprintf(stderr, "quire run: cannot write %s\n", html);
    if (junit && quire_junit_save(&result, junit))
        fprintf(stderr, "quire run: cannot write %s\n", junit);
    if (!markdown) quire_terminal_matrix(stdout, &result, isatty(1));
    quire_result_counts counts;
    quire_result_count(&result, &counts);
    fprintf(stderr, "quire: %zu succeeded, %zu failed, %zu unsupported, %zu not run; took %.0f s\n",
            counts.succeeded, counts.failed, counts.unsupported, counts.none,
            result.end_time - result.start_time);
    quire_run_end(run_id);
    if (rc == QUIRE_ERR_INTERRUPTED)
        ret = quire_proc_interrupted() == SIGTERM ? 143 : 130;
    else
        ret = rc ? 1 : counts.failed ? 1 : 0;
out:
    quire_result_free(&result);
    quire_result_free(&previous);
    for (int i = 0; i < 3; i++)
        free(from_file[i]);
    free(jobsv);
    quire_registry_free(&reg);
    return ret;
}
