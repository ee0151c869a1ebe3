/* Self-contained HTML report (see html.h). The matrix is rendered here, not by script, so
 * the page shows everything with JavaScript off; the script only adds the filters.
 * Class names are short because a 20 x 20 x 25 matrix has 10,000 badges:
 *   sN / cN / tN   server, client, test index (on header cells, matrix cells, badges, rows of
 *                  the failure table), hidden by one CSS rule each when filtered out;
 *   b ok|f|u|n     a badge and its verdict (succeeded, failed, unsupported, not run). */
#include "report/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/markup.h"
#include "util/err.h"
#include "util/fs.h"

static int esc(quire_buf *b, const char *s)
{
    return quire_markup_escape(b, s, QUIRE_MARKUP_HTML);
}

/* Appends a path as a relative URL: percent-encodes what a URL path may not hold, and keeps
 * a ':' in the first segment (QIR's log_dir has one) from being read as a scheme. */
static int url_path(quire_buf *b, const char *path, int *first_segment)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        int c = *p;
        if (c == '/') *first_segment = 0;
        if (c == ':' && *first_segment) {
            if (quire_buf_printf(b, "%%3A")) return QUIRE_ERR_NOMEM;
            continue;
        }
        int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr("-._~/!$()*+,;=:@", c);
        if (safe ? quire_buf_putc(b, (char)c) : quire_buf_printf(b, "%%%02X", c))
            return QUIRE_ERR_NOMEM;
    }
    return 0;
}

/* href of a test's log directory: <base>/<log>, where log defaults to QIR's layout
 * <server>_<client>/<test name>. */
static int log_href(quire_buf *b, const char *base, const quire_result *r, size_t s, size_t c,
                    size_t t, const char *log)
{
    int first = 1;
    if (base && *base) {
        if (url_path(b, base, &first)) return QUIRE_ERR_NOMEM;
        if (base[strlen(base) - 1] != '/' && quire_buf_putc(b, '/')) return QUIRE_ERR_NOMEM;
        first = 0;
    }
    if (log) return url_path(b, log, &first);
    const char *name = r->tests[t].name ? r->tests[t].name : r->tests[t].abbr;
    if (url_path(b, r->servers[s].name, &first) || quire_buf_putc(b, '_') ||
        url_path(b, r->clients[c].name, &first) || quire_buf_putc(b, '/'))
        return QUIRE_ERR_NOMEM;
    first = 0;
    return url_path(b, name, &first);
}

static const char *const vclass[] = {"n", "ok", "f", "u"};
static const char *const vword[] = {"not run", "succeeded", "failed", "unsupported"};

static const char css[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px;color:#1d2430;"
    "background:#fff}h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px}"
    ".meta{color:#556;margin:0 0 10px}.meta b{color:#1d2430}"
    "#filters .g{margin:4px 0;display:flex;flex-wrap:wrap;gap:3px;align-items:center}"
    "#filters .g>span{width:64px;font-weight:600;color:#445}"
    "#filters button{font:12px system-ui,sans-serif;border:1px solid #b8c0cc;background:#eef3fb;"
    "border-radius:3px;padding:1px 6px;cursor:pointer}#filters button.off{background:#fff;"
    "color:#99a;text-decoration:line-through}#filters button.x{background:#f6f6f6;color:#334}"
    ".scroll{overflow:auto;max-height:80vh;max-width:100%;display:inline-block;"
    "border:1px solid #d5dae2}"
    "table.m{border-collapse:collapse}table.m th,table.m td{border:1px solid #d5dae2;padding:3px;"
    "vertical-align:top}table.m thead th{position:sticky;top:0;background:#f3f5f8;z-index:1;"
    "font-weight:600;white-space:nowrap}table.m tbody th{position:sticky;left:0;background:#f3f5f8;"
    "text-align:left;white-space:nowrap}table.m thead th.k{left:0;z-index:2}"
    "table.m td{min-width:60px;max-width:260px}th a{color:inherit}"
    "sup.sp{font-size:9px;margin:0 2px 0 -2px}sup.sp.ok{color:#2e7d32}sup.sp.bad{color:#c62828;"
    "font-weight:bold}"
    ".b{display:inline-block;font:11px/16px ui-monospace,Menlo,Consolas,monospace;padding:0 3px;"
    "min-width:16px;text-align:center;"
    "margin:1px;border-radius:3px;color:#fff;text-decoration:none;white-space:nowrap}"
    ".ok{background:#2e8540}.f,.fx{background:#c62828}.u,.lg{background:#9aa3ad}"
    ".n{background:#fff;color:#9aa3ad;border:1px dashed #c3c9d1;line-height:14px}"
    ".ov{outline:2px dashed #e0a000;outline-offset:-1px}"
    "a.b:hover{outline:2px solid #1d2430}"
    "table.fl{border-collapse:collapse;width:100%}table.fl td,table.fl th{border-bottom:1px solid "
    "#e3e6eb;padding:3px 6px;text-align:left;vertical-align:top}table.fl td.e{font-family:"
    "ui-monospace,Menlo,Consolas,monospace;font-size:12px;white-space:pre-wrap;word-break:break-"
    "word}"
    ".legend .b{margin-right:2px}.legend{margin:6px 0;color:#445}";

/* The filters: each button toggles one class; hidden classes become one CSS rule each. The
 * URL fragment "#hide=s1,t3,f" holds the hidden classes, so a filtered view can be shared
 * (and tested: a page opened with a fragment applies it on load). */
static const char js[] =
    "(function(){'use strict';"
    "var hide={},st=document.getElementById('qf'),ok=/^[a-z]+[0-9]*$/;"
    "function btn(k){return document.querySelector('#filters button[data-k=\"'+k+'\"]');}"
    "function apply(){var r=[];for(var k in hide)if(hide[k]&&ok.test(k))r.push(k);"
    "st.textContent=r.length?r.map(function(k){return '.'+k}).join(',')+'{display:none}':'';"
    "r.forEach(function(k){var b=btn(k);if(b)b.classList.add('off');});"
    "if(window.history&&history.replaceState)history.replaceState(null,'',r.length?'#hide='+r.join("
    "','):"
    "location.pathname+location.search);}"
    "var m=/^#hide=([a-z0-9,]*)$/.exec(location.hash);"
    "if(m)m[1].split(',').forEach(function(k){if(k)hide[k]=true;});"
    "document.querySelectorAll('#filters button[data-k]').forEach(function(b){"
    "b.addEventListener('click',function(){var k=b.getAttribute('data-k');"
    "hide[k]=!hide[k];b.classList.toggle('off',hide[k]);apply();});});"
    "document.querySelectorAll('#filters button[data-all]').forEach(function(b){"
    "b.addEventListener('click',function(){var on=b.getAttribute('data-all')==='1';"
    "b.parentNode.querySelectorAll('button[data-k]').forEach(function(x){"
    "var k=x.getAttribute('data-k');hide[k]=!on;x.classList.toggle('off',!on);});apply();});});"
    "apply();})();";

static int fmt_time(quire_buf *b, double t)
{
    if (t <= 0) return quire_buf_printf(b, "unknown");
    if (!quire_result_time_ok(t)) return quire_buf_printf(b, "%g", t);
    time_t s = (time_t)t;
    struct tm tm;
    char out[64];
    if (!gmtime_r(&s, &tm) || !strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S UTC", &tm))
        return quire_buf_printf(b, "%.0f", t);
    return quire_buf_printf(b, "%s", out);
}

int quire_html_head(const char *title, const char *extra_css, quire_buf *b)
{
    if (quire_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<meta name=\"viewport\" content=\"width=device-width\"><title>") ||
        esc(b, title) ||
        quire_buf_printf(b, "</title>\n<style>%s%s</style>\n<style id=\"qf\"></style>"
                            "</head>\n<body>\n<h1>",
                         css, extra_css ? extra_css : "") ||
        esc(b, title) || quire_buf_printf(b, "</h1>\n"))
        return QUIRE_ERR_NOMEM;
    return 0;
}

/* The line under the title: times, version, log directory, counts (ids n-ok<sfx>, ...). */
static int meta(const quire_result *r, const char *sfx, quire_buf *b)
{
    quire_result_counts n;
    quire_result_count(r, &n);
    if (quire_buf_printf(b, "<p class=\"meta\">") ||
        fmt_time(b, r->start_time) || quire_buf_printf(b, " &ndash; ") || fmt_time(b, r->end_time))
        return QUIRE_ERR_NOMEM;
    if (r->start_time > 0 && r->end_time >= r->start_time &&
        quire_buf_printf(b, " (%.0f s)", r->end_time - r->start_time))
        return QUIRE_ERR_NOMEM;
    if (r->quic_version &&
        (quire_buf_printf(b, " &middot; QUIC version ") || esc(b, r->quic_version)))
        return QUIRE_ERR_NOMEM;
    if (r->log_dir && (quire_buf_printf(b, " &middot; logs <code>") || esc(b, r->log_dir) ||
                       quire_buf_printf(b, "</code>")))
        return QUIRE_ERR_NOMEM;
    size_t nmeas = quire_result_count_tests(r, QUIRE_TEST_MEASUREMENT);
    return quire_buf_printf(
               b,
               "<br>%zu servers &times; %zu clients &times; %zu test cases "
               "(+ %zu measurements): "
               "<b id=\"n-ok%s\">%zu</b> succeeded, <b id=\"n-f%s\">%zu</b> failed, "
               "<b id=\"n-u%s\">%zu</b> unsupported, <b id=\"n-n%s\">%zu</b> not run</p>\n",
               r->nservers, r->nclients, r->ntests - nmeas, nmeas, sfx, n.succeeded, sfx, n.failed,
               sfx, n.unsupported, sfx, n.none)
               ? QUIRE_ERR_NOMEM
               : 0;
}

static int filter_group(quire_buf *b, const char *label, const char *prefix, size_t n,
                        const char *(*name)(const quire_result *, size_t), const quire_result *r)
{
    if (!n) return 0;
    if (quire_buf_printf(b, "<div class=\"g\"><span>%s</span>", label)) return QUIRE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (quire_buf_printf(b, "<button data-k=\"%s%zu\">", prefix, i) || esc(b, name(r, i)) ||
            quire_buf_printf(b, "</button>"))
            return QUIRE_ERR_NOMEM;
    return quire_buf_printf(b, "<button class=\"x\" data-all=\"1\">all</button><button class=\"x\" "
                               "data-all=\"0\">none</button></div>\n")
               ? QUIRE_ERR_NOMEM
               : 0;
}

static const char *server_name(const quire_result *r, size_t i)
{
    return r->servers[i].name;
}
static const char *client_name(const quire_result *r, size_t i)
{
    return r->clients[i].name;
}
static const char *test_name(const quire_result *r, size_t i)
{
    return r->tests[i].abbr;
}

static int filters(const quire_result *r, quire_buf *b)
{
    if (quire_buf_printf(b, "<section id=\"filters\">\n") ||
        filter_group(b, "servers", "s", r->nservers, server_name, r) ||
        filter_group(b, "clients", "c", r->nclients, client_name, r) ||
        filter_group(b, "tests", "t", r->ntests, test_name, r) ||
        quire_buf_printf(
            b, "<div class=\"g\"><span>results</span><button data-k=\"ok\">succeeded"
               "</button><button data-k=\"u\">unsupported</button><button data-k=\"f\">"
               "failed</button><button data-k=\"n\">not run</button></div>\n</section>\n"))
        return QUIRE_ERR_NOMEM;
    /* the legend names each abbreviation */
    if (quire_buf_printf(b, "<p class=\"legend\">")) return QUIRE_ERR_NOMEM;
    for (size_t t = 0; t < r->ntests; t++) {
        const quire_result_test *tt = &r->tests[t];
        if (quire_buf_printf(b, "<span class=\"t%zu\" title=\"", t) || esc(b, tt->desc) ||
            quire_buf_printf(b, "\"><span class=\"b lg\">") || esc(b, tt->abbr) ||
            quire_buf_printf(b, "</span>") || esc(b, tt->name ? tt->name : tt->abbr) ||
            quire_buf_printf(b, "</span> "))
            return QUIRE_ERR_NOMEM;
    }
    return quire_buf_printf(b, "</p>\n") ? QUIRE_ERR_NOMEM : 0;
}

static int impl_head(quire_buf *b, const quire_result_impl *im, const char *cls, size_t i,
                     const char *tag)
{
    if (quire_buf_printf(b, "<%s class=\"%s%zu\">", tag, cls, i)) return QUIRE_ERR_NOMEM;
    /* only web links become links: the url comes from a file anyone may have written */
    int link = im->url && (!strncmp(im->url, "https://", 8) || !strncmp(im->url, "http://", 7));
    if (link &&
        (quire_buf_printf(b, "<a href=\"") || esc(b, im->url) || quire_buf_printf(b, "\">")))
        return QUIRE_ERR_NOMEM;
    if (esc(b, im->name) || (link && quire_buf_printf(b, "</a>"))) return QUIRE_ERR_NOMEM;
    return quire_buf_printf(b, "</%s>", tag) ? QUIRE_ERR_NOMEM : 0;
}

static int matrix_head(const quire_result *r, const char *id, quire_buf *b)
{
    if (quire_buf_printf(b,
                         "<div class=\"scroll\"><table class=\"m\" id=\"%s\"><thead><tr>"
                         "<th class=\"k\">client &darr; server &rarr;</th>",
                         id))
        return QUIRE_ERR_NOMEM;
    for (size_t s = 0; s < r->nservers; s++)
        if (impl_head(b, &r->servers[s], "s", s, "th")) return QUIRE_ERR_NOMEM;
    return quire_buf_printf(b, "</tr></thead>\n<tbody>\n") ? QUIRE_ERR_NOMEM : 0;
}

/* One badge. Test cases: succeeded and failed ones link to their logs, like QIR's page. */
static int badge(const quire_result *r, const char *base, size_t s, size_t c, size_t t,
                 quire_buf *b)
{
    const quire_result_test *tt = &r->tests[t];
    const quire_result_meas *m = quire_result_meas_get(r, s, c, t);
    quire_result_outcome o;
    quire_result_outcome_get(r, s, c, t, &o);
    quire_verdict v = o.verdict;
    const char *expl = o.explanation, *log = o.log;
    if (m && v == QUIRE_VERDICT_NONE) return 0;
    int link = v == QUIRE_VERDICT_SUCCEEDED || v == QUIRE_VERDICT_FAILED;
    /* ov: taken on an overloaded machine (dashed outline; the title says how loaded) */
    const char *ov = quire_result_overloaded(&o) ? " ov" : "";
    if (quire_buf_printf(b, link ? "<a class=\"b %s%s t%zu\" href=\"" : "<span class=\"b %s%s t%zu",
                         vclass[v], ov, t))
        return QUIRE_ERR_NOMEM;
    if (link && (log_href(b, base, r, s, c, t, log) || quire_buf_putc(b, '"')))
        return QUIRE_ERR_NOMEM;
    if (!link && quire_buf_putc(b, '"')) return QUIRE_ERR_NOMEM;
    if (quire_buf_printf(b, " title=\"") || esc(b, tt->name ? tt->name : tt->abbr) ||
        quire_buf_printf(b, ": %s", vword[v]))
        return QUIRE_ERR_NOMEM;
    if (expl && *expl && (quire_buf_printf(b, " &ndash; ") || esc(b, expl))) return QUIRE_ERR_NOMEM;
    if (*ov && quire_buf_printf(b, " (overloaded machine: CPU pressure %.0f %%)", o.load * 100))
        return QUIRE_ERR_NOMEM;
    if (quire_buf_printf(b, "\">") || esc(b, tt->abbr)) return QUIRE_ERR_NOMEM;
    if (m && v == QUIRE_VERDICT_SUCCEEDED) {
        int rv = m->has_stats ? quire_buf_printf(b, ": %.0f &plusmn; %.0f ", m->mean, m->stdev) ||
                                    esc(b, m->unit)
                              : quire_buf_printf(b, ": ") || esc(b, m->details);
        if (rv) return QUIRE_ERR_NOMEM;
    }
    if (quire_buf_printf(b, link ? "</a>" : "</span>")) return QUIRE_ERR_NOMEM;
    /* the spec rules' verdict on the test's captures (docs/spec.md) */
    quire_result_spec sp;
    const quire_result_cell *cell = m ? NULL : quire_result_cell_get(r, s, c, t);
    quire_result_spec_read(cell ? cell->spec : NULL, &sp);
    if (!sp.known) return 0;
    if (sp.clean)
        return quire_buf_printf(b, "<sup class=\"sp ok\" title=\"spec rules: clean\">&sect;</sup>")
                   ? QUIRE_ERR_NOMEM
                   : 0;
    if (quire_buf_printf(b, "<sup class=\"sp bad\" title=\"spec rules: %llu violation%s: ", sp.count,
                         sp.count == 1 ? "" : "s") ||
        esc(b, sp.rules) || quire_buf_printf(b, "\">&sect;%llu</sup>", sp.count))
        return QUIRE_ERR_NOMEM;
    return 0;
}

static int matrix(const quire_result *r, const char *base, quire_test_kind kind, const char *id,
                  quire_buf *b)
{
    if (matrix_head(r, id, b)) return QUIRE_ERR_NOMEM;
    for (size_t c = 0; c < r->nclients; c++) {
        if (quire_buf_printf(b, "<tr class=\"c%zu\">", c) ||
            impl_head(b, &r->clients[c], "c", c, "th"))
            return QUIRE_ERR_NOMEM;
        for (size_t s = 0; s < r->nservers; s++) {
            if (quire_buf_printf(b, "<td class=\"s%zu\">", s)) return QUIRE_ERR_NOMEM;
            for (size_t t = 0; t < r->ntests; t++)
                if (r->tests[t].kind == kind && badge(r, base, s, c, t, b)) return QUIRE_ERR_NOMEM;
            if (quire_buf_printf(b, "</td>")) return QUIRE_ERR_NOMEM;
        }
        if (quire_buf_printf(b, "</tr>\n")) return QUIRE_ERR_NOMEM;
    }
    return quire_buf_printf(b, "</tbody></table></div>\n") ? QUIRE_ERR_NOMEM : 0;
}

/* `quire run --probe`'s column (result.h): the servers as in the matrix, one row, a badge
 * "PR 52/57" per server (passed of all cases) whose title is the explanation; it links to the
 * probe test's logs. Nothing without probes. */
static int probe_table(const quire_result *r, const char *base, const char *sfx, quire_buf *b)
{
    if (!quire_result_count_probes(r)) return 0;
    char id[128];
    snprintf(id, sizeof id, "probe%s", sfx);
    if (quire_buf_printf(b, "<h2>Probe (quire probe's cases, docs/probe.md)</h2>\n") ||
        matrix_head(r, id, b) || quire_buf_printf(b, "<tr><th>quire-probe</th>"))
        return QUIRE_ERR_NOMEM;
    for (size_t s = 0; s < r->nservers; s++) {
        const quire_result_probe *p = quire_result_probe_get(r, s);
        if (quire_buf_printf(b, "<td class=\"s%zu\">", s)) return QUIRE_ERR_NOMEM;
        if (p) {
            int link = p->log && (p->verdict == QUIRE_VERDICT_SUCCEEDED ||
                                  p->verdict == QUIRE_VERDICT_FAILED);
            unsigned all = p->passed + p->failed + p->not_applicable;
            /* with a log given, log_href does not look at the client and test indices */
            if (quire_buf_printf(b, link ? "<a class=\"b %s\" href=\"" : "<span class=\"b %s",
                                 vclass[p->verdict]) ||
                (link && log_href(b, base, r, s, 0, 0, p->log)) ||
                quire_buf_printf(b, "\" title=\"probe: %s", vword[p->verdict]) ||
                (p->explanation && *p->explanation &&
                 (quire_buf_printf(b, " &ndash; ") || esc(b, p->explanation))) ||
                quire_buf_printf(b, "\">PR") ||
                (all && quire_buf_printf(b, " %u/%u", p->passed, all)) ||
                quire_buf_printf(b, link ? "</a>" : "</span>"))
                return QUIRE_ERR_NOMEM;
        }
        if (quire_buf_printf(b, "</td>")) return QUIRE_ERR_NOMEM;
    }
    return quire_buf_printf(b, "</tr>\n</tbody></table></div>\n") ? QUIRE_ERR_NOMEM : 0;
}

static int failures(const quire_result *r, const char *base, const char *sfx, quire_buf *b)
{
    size_t n = 0;
    for (size_t c = 0; c < r->nclients; c++)
        for (size_t s = 0; s < r->nservers; s++)
            for (size_t t = 0; t < r->ntests; t++) {
                quire_result_outcome o;
                quire_result_outcome_get(r, s, c, t, &o);
                /* failures the auto-unsupported rule marked "?" are listed too, as such */
                int hidden = quire_result_rule_hidden(&o);
                if (o.verdict != QUIRE_VERDICT_FAILED && !hidden) continue;
                const char *expl = o.explanation, *log = o.log;
                const quire_result_test *tt = &r->tests[t];
                if (!n++ &&
                    quire_buf_printf(b, "<h2>Failures</h2>\n<table class=\"fl\" id=\"failures%s\">"
                                        "<thead><tr><th>server</th><th>client</th><th>test</th>"
                                        "<th>explanation</th><th>logs</th></tr></thead><tbody>\n",
                                     sfx))
                    return QUIRE_ERR_NOMEM;
                if (quire_buf_printf(b, "<tr class=\"s%zu c%zu t%zu\"><td>", s, c, t) ||
                    esc(b, r->servers[s].name) || quire_buf_printf(b, "</td><td>") ||
                    esc(b, r->clients[c].name) ||
                    quire_buf_printf(b, "</td><td><span class=\"b %s\">", hidden ? "lg" : "fx") ||
                    esc(b, tt->abbr) || quire_buf_printf(b, "</span> ") ||
                    esc(b, tt->name ? tt->name : tt->abbr) ||
                    quire_buf_printf(b, "</td><td class=\"e\">") ||
                    esc(b, expl && *expl ? expl : "(no explanation recorded)") ||
                    quire_buf_printf(b, "</td><td><a href=\"") ||
                    log_href(b, base, r, s, c, t, log) ||
                    quire_buf_printf(b, "\">logs</a></td></tr>\n"))
                    return QUIRE_ERR_NOMEM;
            }
    if (n && quire_buf_printf(b, "</tbody></table>\n")) return QUIRE_ERR_NOMEM;
    return 0;
}

int quire_html_run_body(const quire_result *r, const quire_html_options *opts, const char *sfx,
                        quire_buf *out)
{
    const char *base = opts && opts->logs_base ? opts->logs_base : r->log_dir;
    size_t ncases = quire_result_count_tests(r, QUIRE_TEST_CASE);
    size_t nmeas = quire_result_count_tests(r, QUIRE_TEST_MEASUREMENT);
    char id[128];
    if (ncases) {
        snprintf(id, sizeof id, "matrix%s", sfx);
        if (quire_buf_printf(out, "<h2>Test cases</h2>\n") ||
            matrix(r, base, QUIRE_TEST_CASE, id, out))
            return QUIRE_ERR_NOMEM;
    }
    if (nmeas) {
        snprintf(id, sizeof id, "measurements%s", sfx);
        if (quire_buf_printf(out, "<h2>Measurements</h2>\n") ||
            matrix(r, base, QUIRE_TEST_MEASUREMENT, id, out))
            return QUIRE_ERR_NOMEM;
    }
    if (probe_table(r, base, sfx, out)) return QUIRE_ERR_NOMEM;
    return failures(r, base, sfx, out);
}

int quire_html_run_meta(const quire_result *r, const char *sfx, quire_buf *out)
{
    return meta(r, sfx, out);
}

int quire_html_write(const quire_result *r, const quire_html_options *opts, quire_buf *out)
{
    const char *title = opts && opts->title ? opts->title : "quire interop results";
    if (quire_html_head(title, NULL, out) || meta(r, "", out) || filters(r, out) ||
        quire_html_run_body(r, opts, "", out))
        return QUIRE_ERR_NOMEM;
    return quire_buf_printf(out,
                            "<p class=\"meta\">quire %s</p>\n<script>%s</script>\n</body></html>\n",
                            QUIRE_VERSION, js)
               ? QUIRE_ERR_NOMEM
               : 0;
}

int quire_html_save(const quire_result *r, const quire_html_options *opts, const char *path)
{
    quire_buf b;
    quire_buf_init(&b);
    int rv = quire_html_write(r, opts, &b);
    if (!rv) rv = quire_fs_write_atomic(path, b.data, b.len, 0644);
    quire_buf_free(&b);
    return rv;
}
