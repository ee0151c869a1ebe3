/* Experiment outputs: summary JSON and Markdown report (see summary.h). */
#include "experiment/summary.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

void quire_summary_totals_of(const quire_xrun *runs, size_t n, quire_summary_totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t->runs++;
        if (runs[i].skipped) {
            t->skipped++;
            continue;
        }
        if (runs[i].error[0]) t->errors++;
        for (size_t a = 0; a < runs[i].t->nasserts; a++) {
            if (runs[i].verdicts[a].pass)
                t->passed++;
            else
                t->failed++;
        }
    }
}

static const char *exit_text(const quire_svc_run *s, char *buf, size_t len)
{
    char st[96];
    if (!s->started)
        snprintf(buf, len, "not started");
    else if (s->timed_out)
        snprintf(buf, len, "timed out after %u s, stopped", s->svc->timeout_s);
    else if (s->stopped)
        snprintf(buf, len, "stopped by quire (%s)",
                 quire_proc_status_str(s->status, st, sizeof st));
    else
        snprintf(buf, len, "%s", quire_proc_status_str(s->status, st, sizeof st));
    return buf;
}

static json_t *outputs_of(const quire_svc_run *s)
{
    json_t *a = json_array();
    DIR *d = opendir(s->dir);
    if (!d) return a;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, "empty-www"))
            json_array_append_new(a, json_string(e->d_name));
    closedir(d);
    return a;
}

static json_t *num_or_null(double v)
{
    return v < 0 ? json_null() : json_real(v);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* min/median/max of one metric over the runs of (test, point). */
static int stats(const quire_xrun *runs, size_t n, const quire_xtest *t, size_t point, int m,
                 double out[3], size_t *count)
{
    double v[QUIRE_SPEC_MAX_ITERATIONS];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].t != t || runs[i].point != point || runs[i].skipped) continue;
        double x = m == 0 ? runs[i].handshake_ms : m == 1 ? runs[i].ttfb_ms : runs[i].goodput_bps;
        if (x >= 0 && k < QUIRE_SPEC_MAX_ITERATIONS) v[k++] = x;
    }
    *count = k;
    if (!k) return 0;
    qsort(v, k, sizeof v[0], cmp_double);
    out[0] = v[0];
    out[1] = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
    out[2] = v[k - 1];
    return 1;
}

static const char *const metric_keys[3] = {"handshake_ms", "ttfb_ms", "goodput_bps"};

static json_t *run_json(const quire_xrun *r)
{
    const quire_xtest *t = r->t;
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(r->label));
    json_object_set_new(o, "dir", json_string(r->rel));
    json_object_set_new(o, "scenario", json_string(t->scenarios.s[r->point]));
    json_object_set_new(o, "iteration", json_integer(r->iteration));
    if (t->sweep_var) {
        json_t *sw = json_object();
        json_object_set_new(sw, t->sweep_var, json_string(t->sweep.s[r->point]));
        json_object_set_new(o, "sweep", sw);
    }
    json_object_set_new(o, "skipped", json_boolean(r->skipped));
    json_object_set_new(o, "error", r->error[0] ? json_string(r->error) : json_null());
    json_object_set_new(o, "duration_s", json_real(r->duration_s));
    json_t *m = json_object();
    json_object_set_new(m, "handshake_ms", num_or_null(r->handshake_ms));
    json_object_set_new(m, "ttfb_ms", num_or_null(r->ttfb_ms));
    json_object_set_new(m, "goodput_bps", num_or_null(r->goodput_bps));
    if (r->metrics_note[0]) json_object_set_new(m, "note", json_string(r->metrics_note));
    json_object_set_new(o, "metrics", m);
    json_t *svcs = json_array();
    for (size_t s = 0; s < r->nsvc; s++) {
        const quire_svc_run *sv = &r->svc[s];
        json_t *so = json_object();
        char ex[160];
        json_object_set_new(so, "name", json_string(sv->svc->name));
        json_object_set_new(so, "implementation", json_string(sv->svc->plugin->name));
        json_object_set_new(so, "version", json_string(sv->svc->version->name));
        json_object_set_new(
            so, "role", json_string(sv->svc->role == QUIRE_PLUGIN_SERVER ? "server" : "client"));
        json_object_set_new(so, "command", json_string(sv->command));
        json_t *envs = json_array();
        for (int e = 0; e < 5; e++)
            if (sv->wraps[e])
                json_array_append_new(envs, json_string(quire_exenv_name((quire_exenv_kind)e)));
        json_object_set_new(so, "execution_environment", envs);
        json_object_set_new(so, "exit", json_string(exit_text(sv, ex, sizeof ex)));
        json_object_set_new(so, "outputs", outputs_of(sv));
        json_array_append_new(svcs, so);
    }
    json_object_set_new(o, "services", svcs);
    json_t *as = json_array();
    for (size_t a = 0; a < t->nasserts; a++) {
        const quire_assertion *q = &t->asserts[a];
        json_t *ao = json_object();
        json_object_set_new(ao, "type", json_string(quire_assert_name(q->kind)));
        if (q->service) json_object_set_new(ao, "service", json_string(q->service));
        if (q->kind == QUIRE_ASSERT_PERFORMANCE)
            json_object_set_new(ao, "metric", json_string(quire_metric_name(q->metric)));
        if (q->kind == QUIRE_ASSERT_COMPLIANCE)
            json_object_set_new(ao, "check", json_string(quire_compliance_name(q->check)));
        json_object_set_new(ao, "verdict", json_string(r->verdicts[a].pass ? "passed" : "failed"));
        json_object_set_new(ao, "evidence", json_string(r->verdicts[a].evidence));
        json_array_append_new(as, ao);
    }
    json_object_set_new(o, "assertions", as);
    return o;
}

static json_t *summary_json(const quire_experiment *x, const quire_xrun *runs, size_t n)
{
    json_t *root = json_object();
    json_object_set_new(root, "experiment", json_string(x->name));
    json_object_set_new(root, "file", json_string(x->file));
    json_t *tests = json_array();
    for (size_t i = 0; i < x->ntests; i++) {
        const quire_xtest *t = &x->tests[i];
        json_t *to = json_object(), *rs = json_array(), *agg = json_array();
        json_object_set_new(to, "name", json_string(t->name));
        for (size_t k = 0; k < n; k++)
            if (runs[k].t == t) json_array_append_new(rs, run_json(&runs[k]));
        for (size_t p = 0; p < t->scenarios.n; p++) {
            json_t *po = json_object();
            json_object_set_new(po, "scenario", json_string(t->scenarios.s[p]));
            if (t->sweep_var) json_object_set_new(po, t->sweep_var, json_string(t->sweep.s[p]));
            for (int m = 0; m < 3; m++) {
                double st[3];
                size_t cnt;
                if (!stats(runs, n, t, p, m, st, &cnt)) continue;
                json_t *mo = json_object();
                json_object_set_new(mo, "n", json_integer((json_int_t)cnt));
                json_object_set_new(mo, "min", json_real(st[0]));
                json_object_set_new(mo, "median", json_real(st[1]));
                json_object_set_new(mo, "max", json_real(st[2]));
                json_object_set_new(po, metric_keys[m], mo);
            }
            json_array_append_new(agg, po);
        }
        json_object_set_new(to, "runs", rs);
        json_object_set_new(to, "points", agg);
        json_array_append_new(tests, to);
    }
    json_object_set_new(root, "tests", tests);
    quire_summary_totals tt;
    quire_summary_totals_of(runs, n, &tt);
    json_t *tot = json_object();
    json_object_set_new(tot, "runs", json_integer((json_int_t)tt.runs));
    json_object_set_new(tot, "runs_skipped", json_integer((json_int_t)tt.skipped));
    json_object_set_new(tot, "runs_with_errors", json_integer((json_int_t)tt.errors));
    json_object_set_new(tot, "assertions_passed", json_integer((json_int_t)tt.passed));
    json_object_set_new(tot, "assertions_failed", json_integer((json_int_t)tt.failed));
    json_object_set_new(root, "totals", tot);
    return root;
}

typedef struct mbuf {
    char *s;
    size_t len, cap;
    int oom;
} mbuf;

static void mb(mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mb(mbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) return;
    if (b->len + (size_t)need + 1 > b->cap) {
        size_t cap = (b->len + (size_t)need + 1) * 2;
        char *m = realloc(b->s, cap);
        if (!m) {
            b->oom = 1;
            return;
        }
        b->s = m;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

/* Table cells: '|' and newlines would break the row. */
static void cell(mbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            mb(b, "\\|");
        else if (*s == '\n')
            mb(b, " ");
        else
            mb(b, "%c", *s);
    }
}

static void metric_cell(mbuf *b, double v, int goodput)
{
    if (v < 0)
        mb(b, " – |");
    else if (goodput)
        mb(b, " %.2f |", v / 1e6);
    else
        mb(b, " %.1f |", v);
}

char *quire_summary_markdown(const quire_experiment *x, const quire_xrun *runs, size_t n)
{
    mbuf b = {0};
    quire_summary_totals tt;
    quire_summary_totals_of(runs, n, &tt);
    mb(&b,
       "# Experiment: %s\n\nFile: `%s`. Runs: %zu (%zu skipped, %zu with setup errors). "
       "Assertions: **%zu passed, %zu failed**.\n",
       x->name, x->file, tt.runs, tt.skipped, tt.errors, tt.passed, tt.failed);
    for (size_t i = 0; i < x->ntests; i++) {
        const quire_xtest *t = &x->tests[i];
        mb(&b, "\n## %s\n\n", t->name);
        mb(&b, "Services:");
        for (size_t s = 0; s < t->nservices; s++) {
            mb(&b, "%s `%s` = %s %s (%s)", s ? "," : "", t->services[s].name,
               t->services[s].plugin->name, t->services[s].version->name,
               t->services[s].role == QUIRE_PLUGIN_SERVER ? "server" : "client");
        }
        mb(&b, ". Execution environment:");
        if (!t->nenvs) mb(&b, " none");
        for (size_t e = 0; e < t->nenvs; e++) {
            mb(&b, " %s%s", e ? ", " : "", quire_exenv_name(t->envs[e].kind));
            if (t->envs[e].kind == QUIRE_EXENV_ITERATIONS) mb(&b, " ×%u", t->envs[e].count);
        }
        mb(&b, ".\n\n| run | scenario | s | handshake ms | TTFB ms | goodput Mbit/s | "
               "assertions |\n|---|---|---|---|---|---|---|\n");
        for (size_t k = 0; k < n; k++) {
            const quire_xrun *r = &runs[k];
            if (r->t != t) continue;
            size_t ok = 0;
            for (size_t a = 0; a < t->nasserts; a++)
                ok += (size_t)r->verdicts[a].pass;
            mb(&b, "| %s | `%s` | %.1f |", r->label, t->scenarios.s[r->point], r->duration_s);
            metric_cell(&b, r->handshake_ms, 0);
            metric_cell(&b, r->ttfb_ms, 0);
            metric_cell(&b, r->goodput_bps, 1);
            if (r->skipped) {
                mb(&b, " skipped: ");
                cell(&b, r->error);
                mb(&b, " |\n");
            } else {
                mb(&b, " %zu/%zu passed |\n", ok, t->nasserts);
            }
        }
        if (t->scenarios.n > 1 || t->iterations > 1) {
            mb(&b, "\n| %s | n | handshake ms min / median / max |\n|---|---|---|\n",
               t->sweep_var ? t->sweep_var : "point");
            for (size_t p = 0; p < t->scenarios.n; p++) {
                double st[3];
                size_t cnt = 0;
                mb(&b, "| %s | ", t->sweep_var ? t->sweep.s[p] : t->scenarios.s[p]);
                if (stats(runs, n, t, p, 0, st, &cnt))
                    mb(&b, "%zu | %.1f / %.1f / %.1f |\n", cnt, st[0], st[1], st[2]);
                else
                    mb(&b, "0 | – |\n");
            }
        }
        mb(&b, "\n| run | assertion | verdict | evidence |\n|---|---|---|---|\n");
        for (size_t k = 0; k < n; k++) {
            const quire_xrun *r = &runs[k];
            if (r->t != t) continue;
            for (size_t a = 0; a < t->nasserts; a++) {
                const quire_assertion *q = &t->asserts[a];
                mb(&b, "| %s | %s", r->label, quire_assert_name(q->kind));
                if (q->kind == QUIRE_ASSERT_PERFORMANCE)
                    mb(&b, " %s", quire_metric_name(q->metric));
                if (q->kind == QUIRE_ASSERT_COMPLIANCE)
                    mb(&b, " %s", quire_compliance_name(q->check));
                if (q->service) mb(&b, " (%s)", q->service);
                mb(&b, " | %s | ",
                   r->skipped            ? "skipped"
                   : r->verdicts[a].pass ? "✅ passed"
                                         : "❌ failed");
                cell(&b, r->verdicts[a].evidence);
                mb(&b, " |\n");
            }
        }
        int shown = 0; /* the command lines are the same in every run: the first, and errors */
        for (size_t k = 0; k < n; k++) {
            const quire_xrun *r = &runs[k];
            if (r->t != t || r->skipped || (shown && !r->error[0])) continue;
            shown = 1;
            mb(&b, "\nRun %s (`%s/`)%s", r->label, r->rel, r->error[0] ? " — error: " : "");
            cell(&b, r->error);
            mb(&b, ":\n");
            for (size_t s = 0; s < r->nsvc; s++) {
                char ex[160];
                mb(&b, "- `%s`: %s; `", r->svc[s].svc->name, exit_text(&r->svc[s], ex, sizeof ex));
                cell(&b, r->svc[s].command);
                mb(&b, "`\n");
            }
        }
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

int quire_summary_write(const quire_experiment *x, const quire_xrun *runs, size_t n,
                        const char *out_dir, char *err, size_t errlen)
{
    char path[4200];
    json_t *j = summary_json(x, runs, n);
    char *js = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    char *md = quire_summary_markdown(x, runs, n);
    int rc = js && md ? 0 : QUIRE_ERR_NOMEM;
    if (!rc) {
        snprintf(path, sizeof path, "%s/experiment_summary.json", out_dir);
        rc = quire_fs_write_atomic(path, js, strlen(js), 0644);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/report.md", out_dir);
        rc = quire_fs_write_atomic(path, md, strlen(md), 0644);
    }
    if (rc) snprintf(err, errlen, "cannot write %s: %s", path, quire_strerror(rc));
    free(js);
    free(md);
    return rc;
}
