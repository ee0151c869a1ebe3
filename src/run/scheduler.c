/* The scheduler (see scheduler.h): fork-per-test workers, results over pipes. */
#include "run/scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/netns.h"
#include "util/err.h"
#include "util/log.h"
#include "util/proc.h"

#define STOP_GRACE_MS 20000 /* after a signal, how long workers get to clean up */

typedef struct worker {
    pid_t pid;
    int fd;
    size_t job;
} worker;

/* After runs in <test>/<n>: the outcome's log is the test's directory, not the last run's. */
static void log_of_test(quire_outcome *out)
{
    char *slash = out->log[0] ? strrchr(out->log, '/') : NULL;
    if (slash) *slash = 0;
}

/* A measurement: the test case's repetitions one after the other (each in its own directory
 * <test>/<n>), stopping at the first that does not succeed, as QIR does. */
static void run_measurement(quire_lifecycle_opts *lo, quire_outcome *out)
{
    unsigned reps = lo->tc->repetitions;
    if (reps > QUIRE_OUTCOME_MAX_VALUES) reps = QUIRE_OUTCOME_MAX_VALUES;
    double values[QUIRE_OUTCOME_MAX_VALUES], total = 0;
    unsigned n = 0;
    for (unsigned r = 1; r <= reps; r++) {
        lo->repetition = r;
        int rc = quire_lifecycle_run(lo, out);
        total += out->duration;
        if (rc || out->verdict != QUIRE_VERDICT_SUCCEEDED || !out->has_value) {
            if (rc == 0 && out->verdict == QUIRE_VERDICT_SUCCEEDED)
                out->verdict = QUIRE_VERDICT_FAILED; /* succeeded without a value */
            char why[sizeof out->explanation];
            snprintf(why, sizeof why, "%s", out->explanation);
            snprintf(out->explanation, sizeof out->explanation, "run %u of %u: %.450s", r, reps,
                     why);
            n = 0;
            break;
        }
        values[n++] = out->value;
        lo->testbed = NULL; /* the run removed the runner's testbed: the next makes its own */
    }
    if (n) {
        double mean = 0;
        for (unsigned i = 0; i < n; i++)
            mean += values[i];
        mean /= n;
        char last[sizeof out->explanation];
        snprintf(last, sizeof last, "%s", out->explanation);
        snprintf(out->explanation, sizeof out->explanation, "%u runs, mean %.0f %s; last: %.400s",
                 n, mean, lo->tc->unit ? lo->tc->unit : "", last);
    }
    memcpy(out->values, values, n * sizeof values[0]);
    out->nvalues = n;
    out->duration = total;
    log_of_test(out);
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
        int rc = quire_lifecycle_run(lo, out);
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
    log_of_test(out);
}

static void cleanup(const quire_sched_opts *o, size_t job)
{
    quire_lifecycle_cleanup(o->base.run_id, (unsigned)job);
    if (o->base.container)
        quire_container_clean(o->base.container->engine, o->base.run_id, (int)job,
                              QUIRE_CONTAINER_CLEAN_FORCE, NULL, NULL);
}

static pid_t start_worker(const quire_sched_opts *o, const quire_job *j, size_t idx, int *fd)
{
    /* The runner process owns the run (netns.h), so it creates the testbed; the worker uses
     * it and deletes it. A failure here is the test's failure, reported by the worker. */
    quire_netns_testbed tb;
    int tbrc = o->base.container ? 1 /* the worker makes the networks */
                                 : quire_netns_testbed_create(&tb, o->base.run_id, (unsigned)idx);
    int p[2];
    if (pipe2(p, O_CLOEXEC)) {
        if (!tbrc) quire_netns_testbed_destroy(&tb);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        if (!tbrc) quire_netns_testbed_destroy(&tb);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        /* if the runner is SIGKILLed, its workers stop their tests and clean up too */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1) _exit(1);
        quire_lifecycle_opts lo = o->base;
        lo.server = j->server;
        lo.client = j->client;
        lo.tc = j->tc;
        lo.testbed_n = (unsigned)idx;
        lo.seed = o->base.seed + j->index;
        lo.testbed = tbrc ? NULL : &tb; /* NULL: the worker retries and reports the error */
        quire_outcome out;
        if (j->tc->repetitions)
            run_measurement(&lo, &out);
        else if (o->repeat > 1)
            run_repeated(&lo, &out, o->repeat);
        else
            quire_lifecycle_run(&lo, &out);
        ssize_t w = write(p[1], &out, sizeof out); /* < PIPE_BUF: atomic */
        _exit(w == (ssize_t)sizeof out ? 0 : 1);
    }
    close(p[1]);
    if (!tbrc) /* the worker has its own copies of the namespace descriptors */
        for (int i = 0; i < 3; i++)
            if (tb.fd[i] >= 0) close(tb.fd[i]);
    *fd = p[0];
    return pid;
}

static void save(const quire_sched_opts *o)
{
    for (size_t i = 0; i < o->nsave_paths; i++) {
        int rc = quire_result_save(o->result, o->save_paths[i]);
        if (rc) QUIRE_ERROR("cannot write %s: %s", o->save_paths[i], quire_strerror(rc));
    }
}

/* Reads a finished worker's outcome, reaps it, records the result. Returns 1 if the test was
 * interrupted (nothing recorded). */
static int collect(const quire_sched_opts *o, const quire_job *jobs, worker *w)
{
    quire_outcome out;
    memset(&out, 0, sizeof out);
    ssize_t got;
    do
        got = read(w->fd, &out, sizeof out);
    while (got < 0 && errno == EINTR);
    close(w->fd);
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
    }
    const quire_job *j = &jobs[w->job];
    if (got != (ssize_t)sizeof out) {
        char s[96];
        out.verdict = QUIRE_VERDICT_FAILED;
        snprintf(out.explanation, sizeof out.explanation, "runner worker %s without a result",
                 quire_proc_status_str(st, s, sizeof s));
        /* it may have died with its testbed up */
        cleanup(o, w->job);
    }
    if (out.verdict == QUIRE_VERDICT_NONE) {
        cleanup(o, w->job);
        return 1;
    }
    if (j->tc->repetitions)
        quire_result_set_measurement(o->result, j->server->name, j->client->name, j->tc->abbr,
                                     out.verdict, out.values, out.nvalues, out.explanation,
                                     out.duration, out.log[0] ? out.log : NULL);
    else
        quire_result_set(o->result, j->server->name, j->client->name, j->tc->abbr, out.verdict,
                         out.explanation, out.duration, out.log[0] ? out.log : NULL);
    save(o);
    if (o->term)
        quire_terminal_finished(o->term, j->server->name, j->client->name, j->tc->name, out.verdict,
                                out.duration, out.explanation);
    return 0;
}

int quire_scheduler_run(const quire_sched_opts *o, const quire_job *jobs, size_t njobs)
{
    unsigned maxw = o->jobs ? o->jobs : 1;
    worker *ws = calloc(maxw, sizeof *ws);
    struct pollfd *pfd = calloc(maxw, sizeof *pfd);
    if (!ws || !pfd) {
        free(ws);
        free(pfd);
        return QUIRE_ERR_NOMEM;
    }
    for (size_t i = 0; i < njobs; i++) {
        quire_result_add_server(o->result, jobs[i].server->name, jobs[i].server->url);
        quire_result_add_client(o->result, jobs[i].client->name, jobs[i].client->url);
        quire_result_add_test(
            o->result, jobs[i].tc->repetitions ? QUIRE_TEST_MEASUREMENT : QUIRE_TEST_CASE,
            jobs[i].tc->abbr, jobs[i].tc->name, jobs[i].tc->desc, jobs[i].tc->unit);
    }
    save(o);
    size_t next = 0, active = 0;
    int rc = 0, forwarded = 0;
    long long stop_deadline = 0;
    while (next < njobs || active > 0) {
        int sig = quire_proc_interrupted();
        if (sig && !forwarded) {
            /* SIGINT from a terminal reached the workers already; SIGTERM to us did not. */
            for (size_t i = 0; i < active; i++)
                kill(ws[i].pid, SIGTERM);
            forwarded = 1;
            stop_deadline = quire_proc_now_ms() + STOP_GRACE_MS;
            rc = QUIRE_ERR_INTERRUPTED;
        }
        if (forwarded && quire_proc_now_ms() > stop_deadline) {
            for (size_t i = 0; i < active; i++)
                kill(ws[i].pid, SIGKILL);
            stop_deadline = quire_proc_now_ms() + 60000;
        }
        while (!sig && next < njobs && active < maxw) {
            int fd;
            pid_t pid = start_worker(o, &jobs[next], next, &fd);
            if (pid < 0) {
                QUIRE_ERROR("cannot start a worker: %s", strerror(errno));
                rc = QUIRE_ERR_IO;
                next = njobs;
                break;
            }
            ws[active++] = (worker){.pid = pid, .fd = fd, .job = next};
            if (o->term)
                quire_terminal_started(o->term, jobs[next].server->name, jobs[next].client->name,
                                       jobs[next].tc->name);
            next++;
        }
        if (sig) next = njobs;
        if (!active) break;
        for (size_t i = 0; i < active; i++)
            pfd[i] = (struct pollfd){.fd = ws[i].fd, .events = POLLIN};
        int n = poll(pfd, active, 250);
        if (o->term) quire_terminal_tick(o->term);
        if (n < 0 && errno != EINTR) {
            rc = QUIRE_ERR_IO;
            break;
        }
        for (size_t i = active; n > 0 && i-- > 0;) {
            if (!pfd[i].revents) continue;
            collect(o, jobs, &ws[i]);
            ws[i] = ws[--active];
        }
    }
    /* only reached with workers left after a poll failure: do not leave them behind */
    for (size_t i = 0; i < active; i++) {
        kill(ws[i].pid, SIGKILL);
        collect(o, jobs, &ws[i]);
    }
    free(ws);
    free(pfd);
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
                    quire_result_set(r, r->servers[s].name, r->clients[c].name, r->tests[t].abbr,
                                     QUIRE_VERDICT_UNSUPPORTED, why, cell->duration, log);
                    free(log);
                    changed++;
                }
            }
        }
    }
    return changed;
}
