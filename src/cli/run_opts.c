/* `quire run`'s options and help (see run_opts.h). */
#include "cli/run_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/runstate.h"
#include "run/plan.h"
#include "run/probejob.h"
#include "run/testcase.h"
#include "run/testcase_wt.h"
#include "spec/spec.h"

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
        "      --probe               also probe every server: quire probe's cases, quire as a\n"
        "                            client that breaks the rules (docs/probe.md), a probe\n"
        "                            column beside the matrix (netns backend, QUIC suite)\n"
        "      --spec-ignore RULE    switch off a spec rule for the \"spec\" verdict each test\n"
        "                            gets in result.json (repeatable; 'quire trace\n"
        "                            --spec-rules' lists them, docs/spec.md explains them)\n"
        "      --run-id ID           name the run (namespaces quire-ID-<n>-*; 'quire clean\n"
        "                            --run ID' removes its leftovers); default: random\n"
        "  -h, --help                this text\n\n"
        "Exit status: 0 all tests ran and none failed, 1 some failed, 2 bad usage or input,\n"
        "130/143 interrupted by SIGINT/SIGTERM (results so far are saved).\n");
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
    OPT_PROBE,
    OPT_PROBE_CASES,
    OPT_PROBE_ONLY,
    OPT_REPEAT,
    OPT_NO_AUTO_RULE,
    OPT_DURATIONS,
    OPT_SPEC_IGNORE,
    OPT_NO_COMPLIANCE
};

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

int quire_run_opts_parse(quire_run_opts *o, int argc, char **argv)
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
        {"probe", no_argument, 0, OPT_PROBE},
        {"probe-cases", required_argument, 0, OPT_PROBE_CASES},
        {"probe-only", no_argument, 0, OPT_PROBE_ONLY},
        {"repeat", required_argument, 0, OPT_REPEAT},
        {"durations", required_argument, 0, OPT_DURATIONS},
        {"spec-ignore", required_argument, 0, OPT_SPEC_IGNORE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->auto_rule = o->compliance = 1;
    o->backend = "auto";
    o->ccfg.engine = "docker";
    o->jobs = o->repeat = 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":s:c:t:r:i:n:l:j:mf:dp:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->servers = optarg;
            break;
        case 'c':
            o->clients = optarg;
            break;
        case 't':
            o->tests = optarg;
            break;
        case 'r':
            o->replace = optarg;
            break;
        case 'i':
            o->must_include = optarg;
            break;
        case 'n':
            o->no_auto = optarg;
            break;
        case OPT_NO_AUTO_RULE:
            o->auto_rule = 0;
            break;
        case OPT_NO_COMPLIANCE:
            o->compliance = 0;
            break;
        case 'l':
            o->log_dir = optarg;
            break;
        case 'j':
            o->json = optarg;
            break;
        case 'm':
            o->markdown = 1;
            break;
        case 'f': /* run.py's -f takes a value, and any non-empty one turns it on */
            o->save_files = optarg[0] != 0;
            break;
        case 'd':
            o->debug = 1;
            break;
        case 'p':
            if (!strcmp(optarg, "webtransport"))
                o->webtransport = 1;
            else if (strcmp(optarg, "quic")) {
                fprintf(stderr, "quire run: unknown protocol '%s' (quic or webtransport)\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_IMPLS:
            snprintf(o->impl_file, sizeof o->impl_file, "%s", optarg);
            break;
        case OPT_JOBS:
            if (!strncmp(optarg, "auto", 4) && (!optarg[4] || optarg[4] == ':')) {
                /* 0: as the load allows (run/load.h), up to jobs_max */
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                o->jobs = 0;
                o->jobs_max = 4 * (unsigned long)(n > 0 ? n : 1);
                if (optarg[4] && (parse_uint("--jobs auto:MAX", optarg + 5, 256, &o->jobs_max) ||
                                  o->jobs_max == 0)) {
                    if (o->jobs_max == 0) fprintf(stderr, "quire run: --jobs auto:MAX must be at least 1\n");
                    return 2;
                }
                break;
            }
            if (parse_uint("--jobs", optarg, 64, &o->jobs) || o->jobs == 0) {
                if (o->jobs == 0) fprintf(stderr, "quire run: --jobs must be at least 1 (or auto)\n");
                return 2;
            }
            break;
        case OPT_DURATIONS:
            o->durations = optarg;
            break;
        case OPT_REPEAT:
            if (parse_uint("--repeat", optarg, 1000, &o->repeat) || o->repeat == 0) {
                if (o->repeat == 0) fprintf(stderr, "quire run: --repeat must be at least 1\n");
                return 2;
            }
            break;
        case OPT_TIMEOUT:
            if (parse_uint("--timeout", optarg, 86400, &o->timeout)) return 2;
            break;
        case OPT_KEEP:
            o->keep = 1;
            break;
        case OPT_SEED:
            if (parse_uint("--seed", optarg, ULONG_MAX - 1, &o->seed)) return 2;
            o->seed_set = 1;
            break;
        case OPT_SIM_KERNEL:
            o->sim_kernel = 1;
            break;
        case OPT_HTML:
            o->html = optarg;
            break;
        case OPT_JUNIT:
            o->junit = optarg;
            break;
        case OPT_SHARD:
            if (quire_plan_shard_parse(optarg, &o->shard_k, &o->shard_n)) {
                fprintf(stderr, "quire run: invalid --shard '%s' (expected K/N, 1 <= K <= N)\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_RESUME:
            o->resume = optarg;
            break;
        case OPT_RERUN:
            o->rerun = optarg;
            break;
        case OPT_BACKEND:
            if (strcmp(optarg, "netns") && strcmp(optarg, "container") && strcmp(optarg, "auto")) {
                fprintf(stderr, "quire run: --backend must be netns, container or auto, got '%s'\n",
                        optarg);
                return 2;
            }
            o->backend = optarg;
            break;
        case OPT_ENGINE:
            if (strcmp(optarg, "docker") && strcmp(optarg, "podman")) {
                fprintf(stderr, "quire run: --engine must be docker or podman, got '%s'\n", optarg);
                return 2;
            }
            o->ccfg.engine = optarg;
            break;
        case OPT_PROBE:
            o->probe = 1;
            break;
        case OPT_PROBE_CASES: {
            char why[200];
            if (quire_probe_job_check_cases(optarg, why, sizeof why)) {
                fprintf(stderr, "quire run: --probe-cases: %s\n", why);
                return 2;
            }
            o->probe = 1;
            o->probe_cases = optarg;
            break;
        }
        case OPT_PROBE_ONLY:
            o->probe = o->probe_only = 1;
            break;
        case OPT_ALPN:
            if (strcmp(optarg, "h3") && strcmp(optarg, "hq") && strcmp(optarg, "auto")) {
                fprintf(stderr, "quire run: --alpn must be hq, h3 or auto, got '%s'\n", optarg);
                return 2;
            }
            o->alpn = !strcmp(optarg, "hq") ? NULL : !strcmp(optarg, "h3") ? "h3" : "auto";
            break;
        case OPT_QIR_ADDRS:
            o->ccfg.qir_addresses = 1;
            break;
        case OPT_SPEC_IGNORE:
            if (quire_spec_rule_find(optarg) < 0) {
                fprintf(stderr,
                        "quire run: --spec-ignore %s: no such rule (see 'quire trace "
                        "--spec-rules')\n",
                        optarg);
                return 2;
            }
            if (o->nspec_ignore == QUIRE_RUN_OPTS_SPEC_IGNORE_MAX) {
                fprintf(stderr, "quire run: too many --spec-ignore\n");
                return 2;
            }
            o->spec_ignore[o->nspec_ignore++] = optarg;
            break;
        case OPT_RUN_ID:
            if (!quire_run_id_valid(optarg)) {
                fprintf(stderr,
                        "quire run: invalid --run-id '%s' (1-%d characters of A-Z a-z 0-9 _)\n",
                        optarg, QUIRE_RUN_ID_MAX);
                return 2;
            }
            o->run_id = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
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
    if (o->resume && (o->rerun || o->log_dir)) {
        fprintf(stderr,
                "quire run: --resume continues in its own log dir: no -l or --rerun-failed\n");
        return 2;
    }

    if (o->probe_only && (o->clients || o->tests || o->must_include || o->no_auto)) {
        fprintf(stderr, "quire run: --probe-only runs no client and no test case: no -c, -t, -i "
                        "or -n\n");
        return 2;
    }
    if (o->probe_only && (o->resume || o->rerun)) {
        fprintf(stderr, "quire run: --probe-only cannot --resume or --rerun-failed (run the probe "
                        "again)\n");
        return 2;
    }
    if (o->webtransport && o->probe) {
        fprintf(stderr, "quire run: --probe is for the QUIC suite\n");
        return 2;
    }
    if (o->webtransport && o->alpn) {
        fprintf(stderr, "quire run: --alpn is for the QUIC suite (WebTransport is HTTP/3)\n");
        return 2;
    }
    return 0;
}
