/* `quire run`: the matrix of servers × clients × test cases, on the netns or the container
 * backend (options in run_opts.h). */
#include <errno.h>
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
#include "cli/run_opts.h"
#include "report/html.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/result.h"
#include "report/terminal.h"
#include "run/compliance.h"
#include "run/plan.h"
#include "run/probejob.h"
#include "run/registry.h"
#include "run/scheduler.h"
#include "run/testcase.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proc.h"

/* The simulator is another subcommand of this binary; without it tests use kernel forwarding. */
#pragma weak quire_cmd_sim

#define MAX_IMPLS 256
#define MAX_TESTS 64


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


int quire_cmd_run(int argc, char **argv)
{
    quire_run_opts O;
    int prc = quire_run_opts_parse(&O, argc, argv);
    if (prc) return prc == 1 ? 0 : 2;
    if (O.debug) quire_log_set_level(QUIRE_LOG_DEBUG);
    /* Everything about the input first, so that usage errors never need root. */
    char err[1024];
    if (!O.impl_file[0])
        quire_registry_default_path_for(O.webtransport ? "webtransport" : "quic", O.impl_file,
                                        sizeof O.impl_file);
    quire_registry reg;
    int rc = quire_registry_load(&reg, O.impl_file, err, sizeof err);
    if (rc) {
        fprintf(stderr, "quire run: %s\n", err);
        return 2;
    }
    /* --resume / --rerun-failed: the earlier result is the start of this one */
    quire_result result, previous;
    quire_result_init(&result);
    quire_result_init(&previous);
    if (O.durations && quire_result_load(O.durations, &previous, err, sizeof err)) {
        fprintf(stderr, "quire run: --durations: %s\n", err);
        quire_result_free(&previous);
        quire_registry_free(&reg);
        return 2;
    }
    char *from_file[3] = {NULL, NULL, NULL};
    if (O.resume || O.rerun) {
        char prev[PATH_MAX + 16];
        if (O.resume)
            snprintf(prev, sizeof prev, "%s/result.json", O.resume);
        else
            snprintf(prev, sizeof prev, "%s", O.rerun);
        if (quire_result_load(prev, &result, err, sizeof err)) {
            fprintf(stderr, "quire run: %s\n", err);
            quire_result_free(&result);
            quire_result_free(&previous);
            quire_registry_free(&reg);
            return 2;
        }
        char **args[3] = {&O.servers, &O.clients, &O.tests};
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
    if (O.replace && quire_registry_replace(&reg, O.replace, err, sizeof err)) {
        fprintf(stderr, "quire run: %s\n", err);
        goto out;
    }
    /* --probe-only: the probe row alone, no test case and no client */
    if (!O.probe_only &&
        (O.webtransport
             ? quire_cmd_run_wt_tests(O.tests, tcs, MAX_TESTS, &ntcs, err, sizeof err)
             : quire_testcase_parse_list(O.tests, tcs, MAX_TESTS, &ntcs, err, sizeof err))) {
        fprintf(stderr, "quire run: %s\n", err);
        goto out;
    }
    if (!ntcs && !O.probe_only) { /* run.py runs nothing for `-t ""`; an empty run has no use here */
        fprintf(stderr, "quire run: -t '%s' selects no test case%s\n", O.tests ? O.tests : "",
                O.webtransport ? " (the WebTransport suite has no measurements)" : "");
        goto out;
    }
    if (O.must_include && !quire_registry_find(&reg, O.must_include)) {
        fprintf(stderr, "quire run: --must-include: implementation '%s' not found in %s\n",
                O.must_include, reg.file);
        goto out;
    }
    if (!strcmp(O.backend, "auto"))
        O.backend = names_image_only(&reg, O.servers) || names_image_only(&reg, O.clients)
                      ? "container"
                      : "netns";
    int container = !strcmp(O.backend, "container");
    if (container) probe_images(&reg, O.ccfg.engine);
    if (select_impls(&reg, O.servers, QUIRE_ROLE_SERVER, "server", servers, &nservers) ||
        (!O.probe_only &&
         select_impls(&reg, O.clients, QUIRE_ROLE_CLIENT, "client", clients, &nclients)))
        goto out;
    if (!nservers || (!nclients && !O.probe_only)) {
        fprintf(stderr, "quire run: no runnable %s in %s (see 'quire list')\n",
                !nservers ? "server" : "client", reg.file);
        goto out;
    }
    if (O.no_auto) {
        /* run.py: -n replaces the default below, and names selected clients or servers */
        int k = split(O.no_auto, no_auto, MAX_IMPLS);
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
    jobsv = calloc(nservers * nclients * ntcs + nservers + 1, sizeof *jobsv);
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
            if (O.must_include && strcmp(clients[ci]->name, O.must_include) &&
                strcmp(servers[si]->name, O.must_include))
                continue;
            for (size_t t = 0; t < ntcs; t++) {
                size_t index = nall++;
                if (!quire_plan_in_shard(index, O.shard_k, O.shard_n)) continue;
                if (O.resume || O.rerun) {
                    /* test cases and measurements alike */
                    quire_result_outcome po;
                    quire_verdict v =
                        quire_result_outcome_get(
                            &result, (size_t)quire_result_find_server(&result, servers[si]->name),
                            (size_t)quire_result_find_client(&result, clients[ci]->name),
                            (size_t)quire_result_find_test(&result, tcs[t]->abbr), &po)
                            ? QUIRE_VERDICT_NONE
                            : po.verdict;
                    if (O.resume ? v != QUIRE_VERDICT_NONE : v != QUIRE_VERDICT_FAILED) continue;
                }
                jobsv[njobs++] = (quire_job){
                    .server = servers[si], .client = clients[ci], .tc = tcs[t], .index = index};
            }
        }
    /* --probe: one test per server after the matrix, in the same numbering */
    for (size_t si = 0; O.probe && si < nservers; si++) {
        if (O.must_include && strcmp(servers[si]->name, O.must_include)) continue;
        size_t index = nall++;
        quire_result_add_probe(&result, servers[si]->name);
        if (!quire_plan_in_shard(index, O.shard_k, O.shard_n)) continue;
        if (O.resume || O.rerun) {
            const quire_result_probe *pp = quire_result_probe_get(
                &result, (size_t)quire_result_find_server(&result, servers[si]->name));
            quire_verdict v = pp ? pp->verdict : QUIRE_VERDICT_NONE;
            if (O.resume ? v != QUIRE_VERDICT_NONE : v != QUIRE_VERDICT_FAILED) continue;
        }
        jobsv[njobs++] = (quire_job){.server = servers[si],
                                     .client = quire_probe_job_client(),
                                     .tc = quire_probe_job_testcase(),
                                     .index = index};
    }
    if (!nall) {
        fprintf(stderr, "quire run: no (server, client) pair includes '%s'\n", O.must_include);
        goto out;
    }

    if (container && O.probe) {
        fprintf(stderr, "quire run: --probe runs with the netns backend (quire probe is a "
                        "program of this machine, not an image)\n");
        goto out;
    }
    if (container && quire_container_available(O.ccfg.engine, err, sizeof err)) {
        fprintf(stderr, "quire run: container backend: %s\n", err);
        goto out;
    }
    if (container && !quire_container_image_exists(O.ccfg.engine, QUIRE_CONTAINER_SIM_IMAGE)) {
        fprintf(stderr,
                "quire run: container backend: the simulator image %s is missing (build it: "
                "quire image build sim)\n",
                QUIRE_CONTAINER_SIM_IMAGE);
        goto out;
    }
    if (container && O.ccfg.qir_addresses && O.jobs != 1) {
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
    if (O.resume)
        snprintf(log_dir, sizeof log_dir, "%s", O.resume);
    else if (O.log_dir)
        snprintf(log_dir, sizeof log_dir, "%s", O.log_dir);
    else
        strftime(log_dir, sizeof log_dir, "logs_%Y-%m-%dT%H:%M:%S", &tm);
    if (!O.resume && quire_fs_exists(log_dir)) {
        fprintf(stderr, "quire run: log dir %s already exists\n", log_dir);
        goto out;
    }
    if (O.rerun) quire_plan_relink_logs(&result, abs_log_dir, log_dir);
    if ((rc = quire_fs_mkdir_p(log_dir, 0755)) || !realpath(log_dir, abs_log_dir)) {
        fprintf(stderr, "quire run: cannot create log dir %s: %s\n", log_dir, strerror(errno));
        goto out;
    }
    ret = 1;
    char run_id[QUIRE_RUN_ID_MAX + 1], exe[PATH_MAX] = "";
    if (O.run_id)
        snprintf(run_id, sizeof run_id, "%s", O.run_id);
    else if ((rc = quire_run_id_make(run_id, sizeof run_id)))
        run_id[0] = 0;
    if (rc || (rc = quire_run_begin(run_id))) {
        fprintf(stderr, "quire run: cannot register the run: %s\n", quire_strerror(rc));
        goto out;
    }
    ssize_t el = quire_cmd_sim ? readlink("/proc/self/exe", exe, sizeof exe - 1) : -1;
    if (el > 0) exe[el] = 0;
    if (!O.seed_set) O.seed = (unsigned long)now ^ ((unsigned long)getpid() << 16);
    quire_proc_signals_install();

    if (!O.resume) {
        result.start_time = (double)start_ts.tv_sec + (double)start_ts.tv_nsec / 1e9;
        quire_result_set_log_dir(&result, log_dir);
    }
    quire_result_set_quic_version(&result, "0x1");
    char result_path[PATH_MAX + 16];
    snprintf(result_path, sizeof result_path, "%s/result.json", abs_log_dir);
    const char *save_paths[2] = {result_path, O.json};
    quire_terminal term;
    quire_sched_opts so = {
        .base = {.run_id = run_id,
                 .log_dir = abs_log_dir,
                 .timeout_s = (unsigned)O.timeout,
                 .sim_exe = exe[0] ? exe : NULL,
                 .sim_kernel = O.sim_kernel,
                 .alpn = O.alpn,
                 .probe_cases = O.probe_cases,
                 .seed = O.seed,
                 .keep = O.keep,
                 .save_files = O.save_files,
                 .debug = O.debug,
                 .backend = container ? &quire_backend_container : &quire_backend_netns,
                 .backend_cfg = container ? &O.ccfg : NULL,
                 .spec_ignore = O.spec_ignore,
                 .nspec_ignore = O.nspec_ignore},
        .jobs = (unsigned)O.jobs,
        .jobs_max = (unsigned)O.jobs_max,
        .previous = O.durations ? &previous : (O.resume || O.rerun) ? &result : NULL,
        .repeat = (unsigned)O.repeat,
        .result = &result,
        .save_paths = save_paths,
        .nsave_paths = O.json ? 2 : 1,
        .term = &term,
    };
    rc = 0;
    if (O.compliance) rc = quire_compliance_filter_jobs(&so.base, jobsv, &njobs);
    quire_terminal_init(&term, stdout, isatty(1), njobs);
    char par[48];
    if (O.jobs)
        snprintf(par, sizeof par, "%lu in parallel", O.jobs);
    else
        snprintf(par, sizeof par, "in parallel as the load allows, up to %lu", O.jobs_max);
    fprintf(stderr, "quire: saving logs to %s (run %s, seed %lu, %zu tests, %s)\n", log_dir,
            run_id, O.seed, njobs, par);

    if (rc == 0) rc = quire_scheduler_run(&so, jobsv, njobs);
    quire_terminal_end(&term);
    /* QIR's auto-unsupported rule needs every cell: not for a shard */
    if (rc == 0 && !O.shard_n && O.auto_rule)
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
    write_markdown(&result, abs_log_dir, O.markdown);
    quire_html_options hopts = {.logs_base = abs_log_dir};
    if (O.html && quire_html_save(&result, &hopts, O.html))
        fprintf(stderr, "quire run: cannot write %s\n", O.html);
    if (O.junit && quire_junit_save(&result, O.junit))
        fprintf(stderr, "quire run: cannot write %s\n", O.junit);
    /* --probe-only has no matrix: its summary is the probe's line below */
    if (!O.markdown && !O.probe_only) quire_terminal_matrix(stdout, &result, isatty(1));
    quire_result_counts counts;
    quire_result_count(&result, &counts);
    if (!O.probe_only)
        fprintf(stderr,
                "quire: %zu succeeded, %zu failed, %zu unsupported, %zu not run; took %.0f s\n",
                counts.succeeded, counts.failed, counts.unsupported, counts.none,
                result.end_time - result.start_time);
    size_t probes_failed = 0;
    if (quire_result_count_probes(&result)) {
        size_t pc[4] = {0, 0, 0, 0};
        for (size_t s = 0; s < result.nservers; s++) {
            const quire_result_probe *p = quire_result_probe_get(&result, s);
            if (p) pc[p->verdict]++;
        }
        probes_failed = pc[QUIRE_VERDICT_FAILED];
        fprintf(stderr, "quire: probe: %zu servers passed every case, %zu failed some, %zu "
                        "unsupported, %zu not run\n",
                pc[QUIRE_VERDICT_SUCCEEDED], pc[QUIRE_VERDICT_FAILED],
                pc[QUIRE_VERDICT_UNSUPPORTED], pc[QUIRE_VERDICT_NONE]);
        if (O.probe_only)
            fprintf(stderr, "quire: took %.0f s\n", result.end_time - result.start_time);
    }
    quire_run_end(run_id);
    if (rc == QUIRE_ERR_INTERRUPTED)
        ret = quire_proc_interrupted() == SIGTERM ? 143 : 130;
    else
        ret = rc ? 1 : counts.failed || probes_failed ? 1 : 0;
out:
    quire_result_free(&result);
    quire_result_free(&previous);
    for (int i = 0; i < 3; i++)
        free(from_file[i]);
    free(jobsv);
    quire_registry_free(&reg);
    return ret;
}
