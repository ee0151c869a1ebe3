/* Assertions of experiments (see assert.h). */
#include "experiment/assert.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/observe.h"
#include "checks/observe_conn.h"
#include "trace/trace.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/proc.h"

#define MAX_CONNS QUIRE_OBS_MAX_CONNS
#define MAX_XML (64u * 1024 * 1024)

/* --- valgrind XML --- */

/* Text of the first <tag>...</tag> in [s, end), entity-decoded, into out; pointer after it. */
static const char *tag_text(const char *s, const char *end, const char *tag, char *out,
                            size_t outlen)
{
    char open[40], close[40];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = memmem(s, (size_t)(end - s), open, strlen(open));
    if (!a) return NULL;
    a += strlen(open);
    const char *b = memmem(a, (size_t)(end - a), close, strlen(close));
    if (!b) return NULL;
    size_t o = 0;
    for (const char *p = a; p < b && o + 1 < outlen; p++) {
        static const struct {
            const char *ent;
            char ch;
        } ents[] = {
            {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
        int done = 0;
        for (size_t e = 0; e < 5 && !done; e++) {
            size_t l = strlen(ents[e].ent);
            if ((size_t)(b - p) >= l && !memcmp(p, ents[e].ent, l)) {
                out[o++] = ents[e].ch;
                p += l - 1;
                done = 1;
            }
        }
        if (!done) out[o++] = (unsigned char)*p < 0x20 ? ' ' : *p;
    }
    out[o] = 0;
    return b + strlen(close);
}

int quire_assert_valgrind_summary(const char *xml, size_t len, unsigned *nerrors, int *complete,
                                  char *out, size_t outlen)
{
    *nerrors = 0;
    *complete = 0;
    if (outlen) out[0] = 0;
    const char *end = xml + len;
    if (!memmem(xml, len, "<valgrindoutput>", 16)) return QUIRE_ERR_MALFORMED;
    *complete = memmem(xml, len, "</valgrindoutput>", 17) != NULL;
    size_t off = 0;
    const char *p = xml;
    char kinds[8][64];
    unsigned kcount[8] = {0};
    size_t nkinds = 0;
    for (;;) {
        const char *e = memmem(p, (size_t)(end - p), "<error>", 7);
        if (!e) break;
        const char *ee = memmem(e, (size_t)(end - e), "</error>", 8);
        if (!ee) break;
        (*nerrors)++;
        char kind[64] = "?", what[256] = "", fn[128] = "", file[128] = "", line[16] = "";
        tag_text(e, ee, "kind", kind, sizeof kind);
        size_t ki = 0;
        while (ki < nkinds && strcmp(kinds[ki], kind))
            ki++;
        if (ki == nkinds && nkinds < 8) snprintf(kinds[nkinds++], sizeof kinds[0], "%s", kind);
        if (ki < nkinds) kcount[ki]++;
        const char *xw = memmem(e, (size_t)(ee - e), "<xwhat>", 7);
        if (!xw || !tag_text(xw, ee, "text", what, sizeof what))
            tag_text(e, ee, "what", what, sizeof what);
        /* The first frame with a source file is the most telling; else the first frame. */
        const char *f = e;
        int have = 0;
        while (!have && (f = memmem(f, (size_t)(ee - f), "<frame>", 7))) {
            const char *fe = memmem(f, (size_t)(ee - f), "</frame>", 8);
            if (!fe) break;
            char fn2[128] = "", file2[128] = "", line2[16] = "";
            tag_text(f, fe, "fn", fn2, sizeof fn2);
            if (tag_text(f, fe, "file", file2, sizeof file2)) {
                tag_text(f, fe, "line", line2, sizeof line2);
                have = 1;
            }
            if (have || !fn[0]) {
                snprintf(fn, sizeof fn, "%s", fn2);
                snprintf(file, sizeof file, "%s", file2);
                snprintf(line, sizeof line, "%s", line2);
            }
            f = fe;
        }
        if (*nerrors <= 3 && off < outlen)
            off += (size_t)snprintf(out + off, outlen - off, "%s%s: %s%s%s%s%s%s%s%s",
                                    *nerrors > 1 ? "; " : "", kind, what, fn[0] ? " at " : "", fn,
                                    file[0] ? " (" : "", file, file[0] ? ":" : "",
                                    file[0] ? line : "", file[0] ? ")" : "");
        p = ee + 8;
    }
    if (*nerrors > 3 && off < outlen) {
        off += (size_t)snprintf(out + off, outlen - off, "; and %u more (by kind:", *nerrors - 3);
        for (size_t q = 0; q < nkinds && off < outlen; q++)
            off += (size_t)snprintf(out + off, outlen - off, " %s %u%s", kinds[q], kcount[q],
                                    q + 1 < nkinds ? "," : "");
        if (off < outlen) snprintf(out + off, outlen - off, ")");
    }
    return 0;
}

/* --- trace measurements --- */

/* What the trace assertions read, gathered by the observers of checks/observe_conn.h in one
 * walk of the client-side capture. */
typedef struct tstate {
    quire_obs_timing timing;
    quire_obs_closes closes;
    quire_obs_retry_echo retry;
} tstate;

static int sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) return QUIRE_ERR_NOTFOUND;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char buf[65536], dig[32];
    unsigned dl = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(md, buf, n);
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(md, dig, &dl);
    EVP_MD_CTX_free(md);
    fclose(f);
    if (!ok) return QUIRE_ERR_IO;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    return 0;
}

static void check_integrity(const quire_xrun *r, quire_averdict *v)
{
    if (!r->nfiles) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence, "the test serves no files (files.count 0)");
        return;
    }
    size_t same = 0;
    for (size_t i = 0; i < r->nfiles; i++) {
        char a[PATH_MAX], b[PATH_MAX], ha[65], hb[65];
        if (quire_fs_join(a, sizeof a, r->www, r->files[i]) ||
            quire_fs_join(b, sizeof b, r->downloads, r->files[i]) || sha256_file(a, ha)) {
            snprintf(v->evidence, sizeof v->evidence, "cannot hash the served file %.900s", a);
            v->pass = 0;
            return;
        }
        if (sha256_file(b, hb)) {
            snprintf(v->evidence, sizeof v->evidence,
                     "%s was not downloaded (%zu of %zu files "
                     "identical before it)",
                     r->files[i], same, r->nfiles);
            v->pass = 0;
            return;
        }
        if (strcmp(ha, hb)) {
            snprintf(v->evidence, sizeof v->evidence,
                     "%s differs: served sha256 %.16s…, "
                     "downloaded %.16s…",
                     r->files[i], ha, hb);
            v->pass = 0;
            return;
        }
        same++;
        if (i == 0)
            snprintf(v->evidence, sizeof v->evidence, "sha256 %.16s… of %s", ha, r->files[0]);
    }
    char first[256];
    snprintf(first, sizeof first, "%.200s", v->evidence);
    v->pass = 1;
    snprintf(v->evidence, sizeof v->evidence, "%zu of %zu files downloaded byte-identical (%s)",
             same, r->nfiles, first);
}

static void check_exenv(const quire_xrun *r, const quire_assertion *a, quire_averdict *v)
{
    const quire_svc_run *s = NULL;
    for (size_t i = 0; i < r->nsvc; i++)
        if (!strcmp(r->svc[i].svc->name, a->service)) s = &r->svc[i];
    if (!s || !s->started) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence, "%s never started", a->service);
        return;
    }
    const char *tool = s->wraps[QUIRE_EXENV_MEMCHECK]   ? "memcheck"
                       : s->wraps[QUIRE_EXENV_HELGRIND] ? "helgrind"
                                                        : NULL;
    if (!tool) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence,
                 "no memcheck or helgrind execution "
                 "environment wraps %s",
                 a->service);
        return;
    }
    char path[PATH_MAX], *xml = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s.xml", s->dir, tool);
    if (quire_fs_read_file(path, &xml, &len, MAX_XML)) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence,
                 "valgrind %s wrote no %s.xml (see %s/%s.log "
                 "and stderr.log)",
                 tool, tool, a->service, tool);
        return;
    }
    unsigned nerr = 0;
    int complete = 0;
    char sum[700];
    if (quire_assert_valgrind_summary(xml, len, &nerr, &complete, sum, sizeof sum)) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence, "%s.xml is not valgrind XML", tool);
    } else if (nerr) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence, "valgrind %s: %u error%s: %s", tool, nerr,
                 nerr == 1 ? "" : "s", sum);
    } else if (!complete) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence,
                 "valgrind %s did not finish its report (the "
                 "program was killed before valgrind's leak check?)",
                 tool);
    } else {
        v->pass = 1;
        snprintf(v->evidence, sizeof v->evidence, "valgrind %s: no errors%s", tool,
                 !strcmp(tool, "memcheck") ? ", no definite or indirect leaks" : "");
    }
    free(xml);
}

static void check_responsive(const quire_xrun *r, const quire_assertion *a, quire_averdict *v)
{
    for (size_t i = 0; i < r->nsvc; i++) {
        const quire_svc_run *s = &r->svc[i];
        if (strcmp(s->svc->name, a->service)) continue;
        char st[96];
        if (!s->started) {
            snprintf(v->evidence, sizeof v->evidence, "%s never started", a->service);
        } else if (!s->probed) {
            snprintf(v->evidence, sizeof v->evidence, "%s was not probed", a->service);
        } else if (!s->responsive) {
            snprintf(v->evidence, sizeof v->evidence, "%s", s->probe_detail);
        } else if (s->exited && !s->stopped) {
            snprintf(v->evidence, sizeof v->evidence, "answered, but then %s by itself",
                     quire_proc_status_str(s->status, st, sizeof st));
        } else {
            v->pass = 1;
            snprintf(v->evidence, sizeof v->evidence, "%s", s->probe_detail);
        }
        return;
    }
}

static void check_exit(const quire_xrun *r, const quire_assertion *a, quire_averdict *v)
{
    for (size_t i = 0; i < r->nsvc; i++) {
        const quire_svc_run *s = &r->svc[i];
        if (strcmp(s->svc->name, a->service)) continue;
        char st[96];
        if (!s->started)
            snprintf(v->evidence, sizeof v->evidence, "%s never started", a->service);
        else if (s->timed_out)
            snprintf(v->evidence, sizeof v->evidence, "%s still ran at its %u s timeout",
                     a->service, s->svc->timeout_s);
        else if (s->stopped)
            snprintf(v->evidence, sizeof v->evidence,
                     "%s did not exit by itself (stopped by "
                     "quire)",
                     a->service);
        else {
            v->pass = !quire_proc_signaled(s->status, NULL) &&
                      quire_proc_exit_code(s->status) == (int)a->code;
            snprintf(v->evidence, sizeof v->evidence,
                     "%s %s after %lld ms (expected exit code "
                     "%u)",
                     a->service, quire_proc_status_str(s->status, st, sizeof st),
                     s->end_ms - s->start_ms, a->code);
        }
        return;
    }
}

static void fmt_metric(quire_metric m, double val, char *out, size_t len)
{
    if (m == QUIRE_METRIC_GOODPUT)
        snprintf(out, len, "%.3f Mbit/s", val / 1e6);
    else
        snprintf(out, len, "%.1f ms", val);
}

static void check_perf(const quire_xrun *r, const quire_assertion *a, quire_averdict *v)
{
    double val = a->metric == QUIRE_METRIC_HANDSHAKE_TIME ? r->handshake_ms
                 : a->metric == QUIRE_METRIC_TTFB         ? r->ttfb_ms
                                                          : r->goodput_bps;
    if (val < 0) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence, "%s not measurable: %s",
                 quire_metric_name(a->metric), r->metrics_note[0] ? r->metrics_note : "no data");
        return;
    }
    char got[64], lim[64];
    fmt_metric(a->metric, val, got, sizeof got);
    v->pass = 1;
    if (a->have_max && val > a->max) {
        v->pass = 0;
        fmt_metric(a->metric, a->max, lim, sizeof lim);
        snprintf(v->evidence, sizeof v->evidence, "%s %s > max %s", quire_metric_name(a->metric),
                 got, lim);
    } else if (a->have_min && val < a->min) {
        v->pass = 0;
        fmt_metric(a->metric, a->min, lim, sizeof lim);
        snprintf(v->evidence, sizeof v->evidence, "%s %s < min %s", quire_metric_name(a->metric),
                 got, lim);
    } else {
        char lo[64] = "", hi[64] = "";
        if (a->have_min) fmt_metric(a->metric, a->min, lo, sizeof lo);
        if (a->have_max) fmt_metric(a->metric, a->max, hi, sizeof hi);
        snprintf(v->evidence, sizeof v->evidence, "%s %s within [%s, %s]",
                 quire_metric_name(a->metric), got, lo[0] ? lo : "-", hi[0] ? hi : "-");
    }
}

/* quire's own readiness probe (sim/probe.h: version 0x57414954, "WAIT") also crosses the
 * simulator: its "connection" is not the endpoints'. */
static int is_probe(const quire_conn *c)
{
    for (size_t i = 0; i < c->nversions; i++)
        if (c->versions[i] == 0x57414954) return 1;
    return 0;
}

static void check_compliance(const quire_trace *t, const tstate *s, const char *note,
                             const quire_assertion *a, quire_averdict *v)
{
    size_t nc = 0, all = t ? quire_trace_conn_count(t) : 0;
    for (size_t c = 0; c < all; c++)
        nc += !is_probe(quire_trace_conn(t, c));
    if (!nc) {
        v->pass = 0;
        snprintf(v->evidence, sizeof v->evidence, "no QUIC connection in the capture%s%s",
                 note[0] ? ": " : "", note);
        return;
    }
    switch (a->check) {
    case QUIRE_CHECK_NO_PACKETS_AFTER_CLOSE: {
        uint64_t bad = 0, frame = 0;
        size_t closed = 0;
        for (size_t c = 0; c < all && c < MAX_CONNS; c++)
            for (int d = 0; d < 2; d++) {
                closed += (size_t)s->closes.closed[c][d];
                if (s->closes.after_close[c][d] && !bad) frame = s->closes.after_close_frame[c][d];
                bad += s->closes.after_close[c][d];
            }
        v->pass = bad == 0;
        if (bad)
            snprintf(v->evidence, sizeof v->evidence,
                     "%llu packet(s) without CONNECTION_CLOSE "
                     "sent after the sender's CONNECTION_CLOSE (first: capture frame %llu)",
                     (unsigned long long)bad, (unsigned long long)frame);
        else
            snprintf(v->evidence, sizeof v->evidence,
                     "%zu connection(s), %zu side(s) closed, "
                     "nothing but CONNECTION_CLOSE sent afterwards",
                     nc, closed);
        break;
    }
    case QUIRE_CHECK_RETRY_TOKEN_ECHOED: {
        size_t retries = 0, ok = 0, bad = 0;
        for (size_t c = 0; c < all && c < MAX_CONNS; c++) {
            retries += (size_t)s->retry.seen[c];
            ok += s->retry.echoed[c] == 1;
            bad += s->retry.echoed[c] == -1;
        }
        v->pass = retries && !bad && ok == retries;
        snprintf(v->evidence, sizeof v->evidence,
                 !retries ? "no Retry packet in the capture"
                          : "%zu Retry packet(s): token echoed in %zu, not echoed in %zu",
                 retries, ok, bad);
        break;
    }
    case QUIRE_CHECK_VERSION_CHOSEN: {
        char seen[200] = "";
        size_t off = 0, good = 0;
        for (size_t c = 0; c < all; c++) {
            const quire_conn *cn = quire_trace_conn(t, c);
            if (is_probe(cn)) continue;
            good += cn->version == a->version;
            if (off < sizeof seen)
                off += (size_t)snprintf(seen + off, sizeof seen - off, "%s0x%08x", off ? ", " : "",
                                        cn->version);
        }
        v->pass = good == nc;
        snprintf(v->evidence, sizeof v->evidence,
                 "%zu of %zu connection(s) use 0x%08x (seen: "
                 "%s)",
                 good, nc, a->version, seen);
        break;
    }
    case QUIRE_CHECK_HANDSHAKE_COMPLETED: {
        size_t done = 0;
        for (size_t c = 0; c < all; c++)
            done += !is_probe(quire_trace_conn(t, c)) && quire_trace_conn(t, c)->handshake_done;
        v->pass = done > 0;
        snprintf(v->evidence, sizeof v->evidence,
                 "HANDSHAKE_DONE seen in %zu of %zu "
                 "connection(s)%s%s",
                 done, nc, !done && note[0] ? "; " : "", !done ? note : "");
        break;
    }
    }
}

void quire_assert_evaluate(quire_xrun *r)
{
    const quire_xtest *xt = r->t;
    char cap[PATH_MAX], keys[PATH_MAX] = "";
    snprintf(cap, sizeof cap, "%s/trace_node_left.pcap", r->sim);
    /* The client's key log first (it has every connection's secrets), else the server's. */
    for (int want = QUIRE_PLUGIN_CLIENT; want >= QUIRE_PLUGIN_SERVER && !keys[0]; want--)
        for (size_t i = 0; i < r->nsvc; i++) {
            char k[PATH_MAX];
            struct stat st;
            snprintf(k, sizeof k, "%s/keys.log", r->svc[i].dir);
            if (r->svc[i].svc->role == want && !stat(k, &st) && st.st_size > 0) {
                snprintf(keys, sizeof keys, "%s", k);
                break;
            }
        }
    quire_trace tr;
    tstate ts;
    memset(&ts, 0, sizeof ts);
    memset(&tr, 0, sizeof tr);
    int have_trace = 0;
    if (!r->skipped && quire_fs_exists(cap)) {
        quire_observer obs[] = {quire_obs_timing_observer(&ts.timing),
                                quire_obs_closes_observer(&ts.closes),
                                quire_obs_retry_echo_observer(&ts.retry)};
        if (quire_observe_run(&tr, cap, NULL, 0, keys[0] ? keys : NULL, obs,
                              sizeof obs / sizeof obs[0]) == 0)
            have_trace = 1;
        else
            snprintf(r->metrics_note, sizeof r->metrics_note, "capture unreadable: %.200s",
                     tr.capture_error);
        if (!have_trace) quire_trace_free(&tr);
    } else {
        snprintf(r->metrics_note, sizeof r->metrics_note, "no capture");
    }
    if (have_trace) {
        if (!keys[0])
            snprintf(r->metrics_note, sizeof r->metrics_note,
                     "no key log: only "
                     "Initial packets decrypted");
        if (ts.timing.have_initial && ts.timing.have_1rtt && ts.timing.t_1rtt >= ts.timing.t_initial)
            r->handshake_ms = (double)(ts.timing.t_1rtt - ts.timing.t_initial) / 1e6;
        if (ts.timing.have_initial && ts.timing.have_stream && ts.timing.t_first_stream >= ts.timing.t_initial)
            r->ttfb_ms = (double)(ts.timing.t_first_stream - ts.timing.t_initial) / 1e6;
        if (ts.timing.have_initial && ts.timing.have_stream && ts.timing.t_last_stream > ts.timing.t_initial)
            r->goodput_bps =
                (double)ts.timing.stream_bytes * 8e9 / (double)(ts.timing.t_last_stream - ts.timing.t_initial);
        if (!ts.timing.have_initial && !r->metrics_note[0])
            snprintf(r->metrics_note, sizeof r->metrics_note, "no client Initial in the capture");
    }
    for (size_t i = 0; i < xt->nasserts; i++) {
        const quire_assertion *a = &xt->asserts[i];
        quire_averdict *v = &r->verdicts[i];
        v->pass = 0;
        v->evidence[0] = 0;
        if (r->skipped || (r->error[0] && !r->nsvc)) {
            snprintf(v->evidence, sizeof v->evidence, "not run: %.1000s", r->error);
            continue;
        }
        switch (a->kind) {
        case QUIRE_ASSERT_RESPONSIVE:
            check_responsive(r, a, v);
            break;
        case QUIRE_ASSERT_INTEGRITY:
            check_integrity(r, v);
            break;
        case QUIRE_ASSERT_PERFORMANCE:
            check_perf(r, a, v);
            break;
        case QUIRE_ASSERT_COMPLIANCE:
            check_compliance(have_trace ? &tr : NULL, &ts, r->metrics_note, a, v);
            break;
        case QUIRE_ASSERT_EXENV_CLEAN:
            check_exenv(r, a, v);
            break;
        case QUIRE_ASSERT_EXIT:
            check_exit(r, a, v);
            break;
        }
    }
    if (have_trace) quire_trace_free(&tr);
}
