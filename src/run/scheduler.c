/* The scheduler (see scheduler.h): fork-per-test workers, results over pipes. */
#include "run/scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend_netns.h"
#include "backend/runstate.h"
#include "run/load.h"
#include "run/probejob.h"
#include "util/err.h"
#include "util/log.h"
#include "util/proc.h"

/* a worker hands its outcome back in one write to a pipe, which is atomic below PIPE_BUF */
_Static_assert(sizeof(quire_outcome) <= PIPE_BUF, "quire_outcome must fit one pipe write");

#define STOP_GRACE_MS 20000 /* after a signal, how long workers get to clean up */

/* What a worker runs: job `job`, as a whole (rep 0: a test case, --repeat included) or one
 * run of a measurement (rep 1..repetitions), on testbed number `bed`. */
typedef struct task {
    size_t job;
    unsigned rep;
} task;

typedef struct worker {
    pid_t pid;
    int fd;
    task t;
    unsigned bed;
    quire_load_sample load0; /* the machine's load when it started */
    int have_load0;
} worker;

/* A job's state while its tasks run: for measurements, the runs so far. */
typedef struct progress {
    unsigned want, done; /* tasks the job needs (1, or the repetitions once the first passed) */
    int shown, interrupted;
    unsigned failed_rep; /* the first run that did not succeed, 0: none */
    quire_outcome failed;
    double values[QUIRE_OUTCOME_MAX_VALUES];
    double duration;
    char last[sizeof ((quire_outcome *)0)->explanation]; /* the highest run's explanation */
    unsigned last_rep;
    char log[sizeof ((quire_outcome *)0)->log];
    int has_load;
    double load; /* the highest CPU pressure of its runs */
} progress;

/* After runs in <test>/<n>: the outcome's log is the test's directory, not the last run's. */
static void log_of_test(char *log)
{
    char *slash = log[0] ? strrchr(log, '/') : NULL;
    if (slash) *slash = 0;
}

/* One run of the test. With --alpn auto (lo->alpn "auto"): over hq-interop as QIR, and where
 * either side answered 127, once more over HTTP/3 (both get QUIRE_ALPN=h3), so implementations
 * that speak only h3 meet the others on every test case they support; such an outcome's
 * explanation starts "over h3: ". http3 itself is h3 already. Returns what the lifecycle does. */
static int run_once(quire_lifecycle_opts *lo, quire_outcome *out)
{
    int autoalpn = lo->alpn && !strcmp(lo->alpn, "auto");
    if (autoalpn) lo->alpn = NULL;
    int rc = quire_lifecycle_run(lo, out);
    if (!autoalpn || rc || out->verdict != QUIRE_VERDICT_UNSUPPORTED ||
        !strcmp(lo->tc->name, "http3"))
        return rc;
    lo->alpn = "h3";
    lo->testbed = NULL; /* the first run removed the runner's testbed: this one makes its own */
    quire_outcome h3;
    rc = quire_lifecycle_run(lo, &h3);
    lo->alpn = "auto";
    if (rc || h3.verdict == QUIRE_VERDICT_UNSUPPORTED || h3.verdict == QUIRE_VERDICT_NONE) {
        if (h3.verdict == QUIRE_VERDICT_NONE) *out = h3; /* interrupted */
        return rc;
    }
    *out = h3;
    snprintf(out->explanation, sizeof out->explanation, "over h3: %.500s", h3.explanation);
    return 0;
}

/* A test case run `repeat` times (--repeat), each run in its own directory <test>/<n> as a
 * measurement's, all of them whatever their verdicts: the pass rate is the point. Succeeded
 * only when every run did; the explanation gives the rate and the first failure. An
 * unsupported first run, an interruption or a runner error ends it as it is. */
static void run_repeated(quire_lifecycle_opts *lo, quire_outcome *out, unsigned repeat)
{
    unsigned passed = 0, first_failed = 0;
    char first[sizeof out->explanation] = "";
    double total = 0;
    for (unsigned r = 1; r <= repeat; r++) {
        lo->repetition = r;
        int rc = run_once(lo, out);
        total += out->duration;
        lo->testbed = NULL; /* the run removed the runner's testbed: the next makes its own */
        if (rc || out->verdict == QUIRE_VERDICT_NONE ||
            (r == 1 && out->verdict == QUIRE_VERDICT_UNSUPPORTED))
            return;
        if (out->verdict == QUIRE_VERDICT_SUCCEEDED) {
            passed++;
        } else if (!first_failed) {
            first_failed = r;
            snprintf(first, sizeof first, "%s", out->explanation);
        }
    }
    char last[sizeof out->explanation];
    snprintf(last, sizeof last, "%s", out->explanation);
    if (first_failed)
        snprintf(out->explanation, sizeof out->explanation, "%u of %u runs passed; run %u: %.400s",
                 passed, repeat, first_failed, first);
    else
        snprintf(out->explanation, sizeof out->explanation, "%u of %u runs passed; last: %.400s",
                 passed, repeat, last);
    out->verdict = first_failed ? QUIRE_VERDICT_FAILED : QUIRE_VERDICT_SUCCEEDED;
    out->duration = total;
    log_of_test(out->log);
}

/* What a dead worker's test may have left (the backend's cleanup op). */
static void cleanup(const quire_sched_opts *o, unsigned bed)
{
    const quire_backend_ops *be = o->base.backend ? o->base.backend : &quire_backend_netns;
    be->cleanup(o->base.run_id, bed, o->base.backend_cfg);
}

static pid_t start_worker(const quire_sched_opts *o, const quire_job *j, task t, unsigned bed,
                          int *fd)
{
    /* A backend whose test beds belong to their maker (netns: the run's owner) makes it here;
     * the worker's create adopts it and deletes it. A failure here is the test's failure,
     * reported by the worker. Other backends make their test beds in the worker. */
    const quire_backend_ops *be = o->base.backend ? o->base.backend : &quire_backend_netns;
    void *made = NULL;
    int tbrc = be->premake ? be->premake(o->base.run_id, bed, &made) : 1;
    int p[2];
    if (pipe2(p, O_CLOEXEC)) {
        if (!tbrc) be->unmake(made, 1);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        if (!tbrc) be->unmake(made, 1);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        /* if the runner is SIGKILLed, its workers stop their tests and clean up too */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1) _exit(1);
        /* and `quire clean` can stop it if it is still ending its test then */
        quire_run_worker_begin(o->base.run_id);
        quire_lifecycle_opts lo = o->base;
        lo.server = j->server;
        lo.client = j->client;
        lo.tc = j->tc;
        lo.testbed_n = bed;
        lo.seed = o->base.seed + j->index;
        lo.testbed = tbrc ? NULL : made; /* NULL: the worker retries and reports the error */
        quire_outcome out;
        if (t.rep) {
            lo.repetition = t.rep;
            run_once(&lo, &out);
        } else if (o->repeat > 1 && !j->tc->probe) {
            run_repeated(&lo, &out, o->repeat);
        } else {
            run_once(&lo, &out);
        }
        ssize_t w = write(p[1], &out, sizeof out); /* < PIPE_BUF: atomic */
        quire_run_worker_end(o->base.run_id);
        _exit(w == (ssize_t)sizeof out ? 0 : 1);
    }
    close(p[1]);
    if (!tbrc) be->unmake(made, 0); /* the worker took it over */
    *fd = p[0];
    return pid;
}

/* Writes result.json (and --json's copy) atomically. Returns 0 or the first error, after
 * saying which file and why (e.g. "No space left on device": the run then stops). */
static int save(const quire_sched_opts *o)
{
    int first = 0;
    for (size_t i = 0; i < o->nsave_paths; i++) {
        int rc = quire_result_save(o->result, o->save_paths[i]);
        if (rc) {
            QUIRE_ERROR("cannot write %s: %s", o->save_paths[i],
                        rc == QUIRE_ERR_IO ? strerror(errno) : quire_strerror(rc));
            if (!first) first = rc;
        }
    }
    return first;
}

/* Records a job's outcome and saves the result. Returns 0 or save's error. */
static int record(const quire_sched_opts *o, const quire_job *j, const quire_outcome *out,
                  const progress *pg)
{
    if (j->tc->probe)
        quire_probe_job_record(o->result, o->base.log_dir, j->server->name, out->verdict,
                               out->explanation, out->duration, out->log[0] ? out->log : NULL);
    else if (j->tc->repetitions)
        quire_result_set_measurement(o->result, j->server->name, j->client->name, j->tc->abbr,
                                     out->verdict, out->values, out->nvalues, out->explanation,
                                     out->duration, out->log[0] ? out->log : NULL);
    else
        quire_result_set(o->result, j->server->name, j->client->name, j->tc->abbr, out->verdict,
                         out->explanation, out->duration, out->log[0] ? out->log : NULL);
    if (!j->tc->repetitions && !j->tc->probe && out->spec[0])
        quire_result_set_spec(o->result, j->server->name, j->client->name, j->tc->abbr,
                              out->spec);
    if (pg->has_load && !j->tc->probe)
        quire_result_set_load(o->result, j->server->name, j->client->name, j->tc->abbr,
                              pg->load);
    int rc = save(o);
    if (o->term)
        quire_terminal_finished(o->term, j->server->name, j->client->name, j->tc->name,
                                out->verdict, out->duration, out->explanation);
    return rc;
}

/* A measurement whose runs are all back: one outcome as QIR gives it, the first run that did
 * not succeed deciding, else the mean of the values. */
static void measurement_outcome(const quire_job *j, const progress *pg, quire_outcome *out)
{
    unsigned reps = pg->want;
    memset(out, 0, sizeof *out);
    out->duration = pg->duration;
    snprintf(out->log, sizeof out->log, "%s", pg->log);
    log_of_test(out->log);
    if (pg->failed_rep) {
        out->verdict = pg->failed.verdict == QUIRE_VERDICT_SUCCEEDED ? QUIRE_VERDICT_FAILED
                                                                     : pg->failed.verdict;
        snprintf(out->explanation, sizeof out->explanation, "run %u of %u: %.450s",
                 pg->failed_rep, j->tc->repetitions, pg->failed.explanation);
        return;
    }
    double mean = 0;
    for (unsigned i = 0; i < reps; i++)
        mean += pg->values[i];
    mean /= reps;
    out->verdict = QUIRE_VERDICT_SUCCEEDED;
    memcpy(out->values, pg->values, reps * sizeof pg->values[0]);
    out->nvalues = reps;
    snprintf(out->explanation, sizeof out->explanation, "%u runs, mean %.0f %s; last: %.400s",
             reps, mean, j->tc->unit ? j->tc->unit : "", pg->last);
}

/* Folds a finished task's outcome into its job. Returns the number of further runs to start
 * (a measurement's first run passed: the others), 0 otherwise; *complete is set when the job
 * is done and recorded, *save_rc to the error if saving the result failed. */
static unsigned fold(const quire_sched_opts *o, const quire_job *j, progress *pg, task t,
                     const quire_outcome *out, int *complete, int *save_rc)
{
    *complete = 0;
    *save_rc = 0;
    if (out->verdict == QUIRE_VERDICT_NONE) pg->interrupted = 1;
    pg->done++;
    pg->duration += out->duration;
    unsigned more = 0;
    if (!t.rep) {
        quire_outcome copy = *out;
        if (!pg->interrupted) *save_rc = record(o, j, &copy, pg);
        *complete = 1;
        return 0;
    }
    int ok = out->verdict == QUIRE_VERDICT_SUCCEEDED && out->has_value;
    if (ok) {
        pg->values[t.rep - 1] = out->value;
    } else if (!pg->failed_rep || t.rep < pg->failed_rep) {
        pg->failed_rep = t.rep;
        pg->failed = *out;
    }
    if (t.rep >= pg->last_rep) {
        pg->last_rep = t.rep;
        snprintf(pg->last, sizeof pg->last, "%s", out->explanation);
        snprintf(pg->log, sizeof pg->log, "%s", out->log);
    }
    if (t.rep == 1 && ok && !pg->interrupted) {
        unsigned reps = j->tc->repetitions;
        if (reps > QUIRE_OUTCOME_MAX_VALUES) reps = QUIRE_OUTCOME_MAX_VALUES;
        pg->want = reps;
        more = reps - 1;
    }
    if (pg->done < pg->want) return more;
    *complete = 1;
    if (!pg->interrupted) {
        quire_outcome res;
        measurement_outcome(j, pg, &res);
        *save_rc = record(o, j, &res, pg);
    }
    return more;
}

/* Reads a finished worker's outcome and reaps it. Sets *out (verdict NONE: interrupted). */
static void collect(const quire_sched_opts *o, worker *w, quire_outcome *out)
{
    memset(out, 0, sizeof *out);
    ssize_t got;
    do
        got = read(w->fd, out, sizeof *out);
    while (got < 0 && errno == EINTR);
    close(w->fd);
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (got != (ssize_t)sizeof *out) {
        char s[96];
        memset(out, 0, sizeof *out);
        out->verdict = QUIRE_VERDICT_FAILED;
        snprintf(out->explanation, sizeof out->explanation, "runner worker %s without a result",
                 quire_proc_status_str(st, s, sizeof s));
        /* it may have died with its testbed up */
        cleanup(o, w->bed);
    }
    if (out->verdict == QUIRE_VERDICT_NONE) cleanup(o, w->bed);
}

static uint64_t expected_ms(const quire_job *j, const quire_result *prev, int *unsupported)
{
    *unsupported = 0;
    unsigned reps = j->tc->repetitions;
    double per_run = j->tc->expect_s;
    int s = prev ? quire_result_find_server(prev, j->server->name) : -1;
    int c = prev ? quire_result_find_client(prev, j->client->name) : -1;
    int t = prev ? quire_result_find_test(prev, j->tc->abbr) : -1;
    quire_result_outcome po;
    if (s >= 0 && c >= 0 && t >= 0 &&
        !quire_result_outcome_get(prev, (size_t)s, (size_t)c, (size_t)t, &po) &&
        po.verdict != QUIRE_VERDICT_NONE) {
        if (po.verdict == QUIRE_VERDICT_UNSUPPORTED && !quire_result_rule_hidden(&po))
            *unsupported = 1;
        if (po.duration >= 0) per_run = reps ? po.duration / reps : po.duration;
    }
    return (uint64_t)(per_run * (reps ? 2 : 1) * 1000);
}

typedef struct order_key {
    size_t job;
    int unsupported;
    uint64_t ms;
} order_key;

static int by_expectation(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->unsupported != y->unsupported) return y->unsupported - x->unsupported;
    if (x->ms != y->ms) return x->ms < y->ms ? 1 : -1;
    return (x->job > y->job) - (x->job < y->job);
}

int quire_scheduler_order(const quire_job *jobs, size_t n, const quire_result *previous,
                          size_t *order)
{
    order_key *k = calloc(n ? n : 1, sizeof *k);
    if (!k) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        k[i].job = i;
        k[i].ms = expected_ms(&jobs[i], previous, &k[i].unsupported);
    }
    qsort(k, n, sizeof *k, by_expectation);
    for (size_t i = 0; i < n; i++)
        order[i] = k[i].job;
    free(k);
    return 0;
}

/* The run's moving parts, so the main loop reads as a loop. */
typedef struct sched {
    const quire_sched_opts *o;
    const quire_job *jobs;
    size_t njobs;
    size_t *order, next; /* jobs not started yet: order[next..njobs) */
    task *extra;         /* further runs of measurements, started before new jobs */
    size_t nextra;
    progress *pg;
    worker *ws;
    struct pollfd *pfd;
    size_t active;
    unsigned bed; /* testbed numbers: each task its own, never reused in a run */
    quire_autojobs aj;
    quire_load_source_fn load;
    void *load_ctx;
    int save_rc; /* the first failure to save the result, or a full disk: the run stops */
} sched;

static int pending(const sched *S)
{
    return S->nextra > 0 || S->next < S->njobs;
}

static int start_next(sched *S)
{
    task t;
    if (S->nextra) {
        t = S->extra[--S->nextra];
    } else {
        size_t j = S->order[S->next++];
        t = (task){j, S->jobs[j].tc->repetitions ? 1u : 0u};
    }
    const quire_job *j = &S->jobs[t.job];
    worker *w = &S->ws[S->active];
    memset(w, 0, sizeof *w);
    w->t = t;
    w->bed = S->bed++;
    w->have_load0 = S->load(S->load_ctx, &w->load0) == 0;
    w->pid = start_worker(S->o, j, t, w->bed, &w->fd);
    if (w->pid < 0) return QUIRE_ERR_IO;
    S->active++;
    if (!S->pg[t.job].shown && S->o->term)
        quire_terminal_started(S->o->term, j->server->name, j->client->name, j->tc->name);
    S->pg[t.job].shown = 1;
    return 0;
}

/* Collects worker i (finished), folds its outcome, queues the further runs it unlocks. */
static void finish(sched *S, size_t i)
{
    worker w = S->ws[i];
    S->ws[i] = S->ws[--S->active];
    quire_outcome out;
    collect(S->o, &w, &out);
    progress *pg = &S->pg[w.t.job];
    quire_load_sample now;
    if (w.have_load0 && S->load(S->load_ctx, &now) == 0) {
        double l = quire_load_cpu(&w.load0, &now);
        if (!pg->has_load || l > pg->load) pg->load = l;
        pg->has_load = 1;
    }
    int complete, save_rc;
    unsigned more = fold(S->o, &S->jobs[w.t.job], pg, w.t, &out, &complete, &save_rc);
    if (out.disk_full && !S->save_rc) {
        QUIRE_ERROR("%s→%s %s: %s", S->jobs[w.t.job].server->name, S->jobs[w.t.job].client->name,
                    S->jobs[w.t.job].tc->name, out.explanation);
        S->save_rc = QUIRE_ERR_IO;
    }
    if (save_rc && !S->save_rc) S->save_rc = save_rc;
    /* pushed in reverse, so run 2 starts first */
    for (unsigned r = more + 1; r >= 2; r--)
        S->extra[S->nextra++] = (task){w.t.job, r};
}

/* How many tasks may run now: the fixed --jobs, or what the load allows. */
static unsigned limit(sched *S)
{
    if (S->o->jobs) return S->o->jobs;
    quire_load_sample s;
    if (S->load(S->load_ctx, &s)) return S->aj.floor; /* no load to go by */
    return quire_autojobs_limit(&S->aj, &s, (unsigned)S->active);
}

int quire_scheduler_run(const quire_sched_opts *o, const quire_job *jobs, size_t njobs)
{
    sched S = {.o = o, .jobs = jobs, .njobs = njobs};
    S.load = o->load ? o->load : quire_load_sample_proc;
    S.load_ctx = o->load_ctx;
    unsigned maxw = o->jobs ? o->jobs : o->jobs_max ? o->jobs_max : 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    quire_autojobs_init(&S.aj, ncpu > 0 ? (unsigned)ncpu : 1, maxw);
    if (!o->jobs) maxw = S.aj.ceiling;
    size_t nextra_max = 0;
    for (size_t i = 0; i < njobs; i++)
        nextra_max += jobs[i].tc->repetitions;
    S.order = calloc(njobs + 1, sizeof *S.order);
    S.extra = calloc(nextra_max + 1, sizeof *S.extra);
    S.pg = calloc(njobs + 1, sizeof *S.pg);
    S.ws = calloc(maxw, sizeof *S.ws);
    S.pfd = calloc(maxw, sizeof *S.pfd);
    int rc = 0;
    if (!S.order || !S.extra || !S.pg || !S.ws || !S.pfd ||
        quire_scheduler_order(jobs, njobs, o->previous, S.order)) {
        rc = QUIRE_ERR_NOMEM;
        goto out;
    }
    /* One test at a time: the order cannot shorten anything, so it stays QIR's. */
    if (o->jobs == 1)
        for (size_t i = 0; i < njobs; i++)
            S.order[i] = i;
    for (size_t i = 0; i < njobs; i++) {
        S.pg[i].want = 1;
        quire_result_add_server(o->result, jobs[i].server->name, jobs[i].server->url);
        if (jobs[i].tc->probe) { /* the server's probe column, not a client of the matrix */
            quire_result_add_probe(o->result, jobs[i].server->name);
            continue;
        }
        quire_result_add_client(o->result, jobs[i].client->name, jobs[i].client->url);
        quire_result_add_test(
            o->result, jobs[i].tc->repetitions ? QUIRE_TEST_MEASUREMENT : QUIRE_TEST_CASE,
            jobs[i].tc->abbr, jobs[i].tc->name, jobs[i].tc->desc, jobs[i].tc->unit);
    }
    if ((rc = save(o))) goto out;
    int forwarded = 0;
    long long stop_deadline = 0;
    while (pending(&S) || S.active > 0) {
        int sig = quire_proc_interrupted();
        if ((sig || S.save_rc) && !forwarded) {
            /* SIGINT from a terminal reached the workers already; SIGTERM to us did not. A
             * result that cannot be saved (a full disk) stops the run as a signal does: the
             * last complete result.json stays as it was (it is replaced atomically). */
            if (!sig)
                QUIRE_ERROR("stopping the run: the disk is full or the result cannot be saved; "
                            "the last complete %s is kept (free space, then --resume)",
                            o->nsave_paths ? o->save_paths[0] : "result");
            for (size_t i = 0; i < S.active; i++)
                kill(S.ws[i].pid, SIGTERM);
            forwarded = 1;
            stop_deadline = quire_proc_now_ms() + STOP_GRACE_MS;
            rc = sig ? QUIRE_ERR_INTERRUPTED : S.save_rc;
        }
        if (forwarded && quire_proc_now_ms() > stop_deadline) {
            for (size_t i = 0; i < S.active; i++)
                kill(S.ws[i].pid, SIGKILL);
            stop_deadline = quire_proc_now_ms() + 60000;
        }
        if (sig || S.save_rc) {
            S.next = njobs;
            S.nextra = 0;
        }
        while (pending(&S) && S.active < maxw && S.active < limit(&S)) {
            if (start_next(&S)) {
                QUIRE_ERROR("cannot start a worker: %s", strerror(errno));
                rc = QUIRE_ERR_IO;
                S.next = njobs;
                S.nextra = 0;
                break;
            }
            if (S.ws[S.active - 1].have_load0)
                quire_autojobs_started(&S.aj, S.ws[S.active - 1].load0.at_us);
        }
        if (!S.active) {
            if (pending(&S)) continue; /* limit() said 0: cannot happen, floor >= 1 */
            break;
        }
        for (size_t i = 0; i < S.active; i++)
            S.pfd[i] = (struct pollfd){.fd = S.ws[i].fd, .events = POLLIN};
        int n = poll(S.pfd, S.active, 250);
        if (o->term) quire_terminal_tick(o->term);
        if (n < 0 && errno != EINTR) {
            rc = QUIRE_ERR_IO;
            break;
        }
        /* from the end, so that finish()'s swap-with-last leaves unvisited entries in place */
        for (size_t i = S.active; n > 0 && i-- > 0;)
            if (S.pfd[i].revents) finish(&S, i);
    }
    /* only reached with workers left after a poll failure: do not leave them behind */
    while (S.active) {
        kill(S.ws[S.active - 1].pid, SIGKILL);
        finish(&S, S.active - 1);
    }
out:
    free(S.order);
    free(S.extra);
    free(S.pg);
    free(S.ws);
    free(S.pfd);
    return rc;
}

static int named(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name)) return 1;
    return 0;
}

static int questionable(const quire_result_cell *c)
{
    return c && (c->verdict == QUIRE_VERDICT_FAILED || c->verdict == QUIRE_VERDICT_UNSUPPORTED);
}

size_t quire_scheduler_auto_unsupported(quire_result *r, const char *const *no_auto,
                                        size_t nno_auto, void (*note)(const char *msg, void *arg),
                                        void *arg)
{
    size_t changed = 0;
    char msg[512];
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: clients against all servers; pass 1: servers against all clients */
        size_t nouter = pass ? r->nservers : r->nclients;
        size_t ninner = pass ? r->nclients : r->nservers;
        if (ninner <= 1) continue;
        for (size_t a = 0; a < nouter; a++) {
            const char *name = pass ? r->servers[a].name : r->clients[a].name;
            if (named(name, no_auto, nno_auto)) continue;
            for (size_t t = 0; t < r->ntests; t++) {
                if (r->tests[t].kind != QUIRE_TEST_CASE) continue;
                int all = 1;
                for (size_t b = 0; b < ninner && all; b++) {
                    size_t s = pass ? a : b, c = pass ? b : a;
                    all = questionable(quire_result_cell_get(r, s, c, t));
                }
                if (!all) continue;
                snprintf(msg, sizeof msg,
                         "%s %s failed or did not support test %s against all %s, marking the "
                         "entire test as \"unsupported\"",
                         pass ? "Server" : "Client", name, r->tests[t].name,
                         pass ? "clients" : "servers");
                if (note) note(msg, arg);
                for (size_t b = 0; b < ninner; b++) {
                    size_t s = pass ? a : b, c = pass ? b : a;
                    const quire_result_cell *cell = quire_result_cell_get(r, s, c, t);
                    if (cell->verdict == QUIRE_VERDICT_UNSUPPORTED) continue;
                    char why[768];
                    snprintf(why, sizeof why, "%s" QUIRE_RESULT_RULE_MARK "%s",
                             cell->explanation ? cell->explanation : "failed",
                             pass ? "clients" : "servers");
                    /* the cell's strings are replaced by the call: copy them first */
                    char *log = cell->log ? strdup(cell->log) : NULL;
                    char *spec = cell->spec ? strdup(cell->spec) : NULL;
                    quire_result_set(r, r->servers[s].name, r->clients[c].name, r->tests[t].abbr,
                                     QUIRE_VERDICT_UNSUPPORTED, why, cell->duration, log);
                    if (spec)
                        quire_result_set_spec(r, r->servers[s].name, r->clients[c].name,
                                              r->tests[t].abbr, spec);
                    free(log);
                    free(spec);
                    changed++;
                }
            }
        }
    }
    return changed;
}
