/* The multi-run HTML report (see htmlruns.h). */
#include "report/htmlruns.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/diff.h"
#include "report/markup.h"
#include "util/err.h"
#include "util/fs.h"

static const char css[] =
    "#runs{margin:6px 0}#runs select{font:13px system-ui,sans-serif;margin-right:10px}"
    "#cmp{margin:4px 0 8px}.b.reg{outline:3px solid #ff6f00;outline-offset:-1px}"
    ".b.fix{outline:3px solid #1565c0;outline-offset:-1px}"
    "#history{margin:6px 0;padding:4px 8px;border:1px solid #d5dae2;background:#fafbfc;"
    "min-height:22px}#history .hv{display:inline-block;text-align:center;margin:0 3px;"
    "font-size:11px;color:#445}#history .hv .b{display:block;margin:0 auto}";

/* Reads the embedded data, builds the selectors, shows one run's section, marks the changes
 * against the baseline, and shows a cell's history on hover. Every string goes into the page
 * through textContent or option text, never as markup. */
static const char js[] =
    "(function(){'use strict';\n"
    "var D=JSON.parse(document.getElementById('runs-data').textContent),R=D.runs;\n"
    "var cls=['n','ok','f','u'],sym=['\\u2013','\\u2713','\\u2715','?'];\n"
    "function $(id){return document.getElementById(id);}\n"
    "function date(t){return t>0?new Date(t*1000).toISOString().slice(0,16).replace('T',' ')+"
    "' UTC':'unknown';}\n"
    "function idx(id){for(var i=0;i<R.length;i++)if(R[i].id===id)return i;return -1;}\n"
    /* the verdict of (server, client, test abbr) in run i: 0 when it has no such cell */
    "function verdict(i,s,c,t){var r=R[i],si=r.servers.indexOf(s),ci=r.clients.indexOf(c),"
    "ti=r.tests.indexOf(t);if(si<0||ci<0||ti<0)return 0;"
    "return +r.v.charAt((ci*r.servers.length+si)*r.tests.length+ti);}\n"
    /* parameters: ?run=&base=&cell= and the same in the fragment, which wins */
    "var P={};[location.search.slice(1),location.hash.slice(1)].forEach(function(q){"
    "q.split('&').forEach(function(kv){var j=kv.indexOf('=');if(j<1)return;"
    "try{P[kv.slice(0,j)]=decodeURIComponent(kv.slice(j+1).replace(/\\+/g,' '));}catch(e){}});});\n"
    "var sel=idx(P.run);if(sel<0)sel=R.length-1;\n"
    "var base=P.base!==undefined?idx(P.base):sel-1;\n"
    "var rs=$('run'),bs=$('base');\n"
    "function opt(s,v,text){var o=document.createElement('option');o.value=v;o.textContent=text;"
    "s.appendChild(o);}\n"
    "opt(bs,'-1','(none)');\n"
    "for(var i=R.length-1;i>=0;i--){var t=R[i].id+' ('+date(R[i].start)+')';opt(rs,i,t);"
    "opt(bs,i,t);}\n"
    /* the cell a badge shows: its run, server, client and test, from its classes */
    "function cell(b){var k=+b.closest('section.run').getAttribute('data-k'),r=R[k];"
    "var n=function(el,p){var m=new RegExp('(?:^| )'+p+'([0-9]+)(?: |$)').exec(el.className);"
    "return m?+m[1]:-1;};var s=n(b.closest('td'),'s'),c=n(b.closest('tr'),'c'),t=n(b,'t');"
    "if(s<0||c<0||t<0)return null;return [r.servers[s],r.clients[c],r.tests[t]];}\n"
    "function history(x){var h=$('history');h.textContent='';"
    "var l=document.createElement('b');l.textContent=x[0]+' \\u2192 '+x[1]+' '+x[2]+': ';"
    "h.appendChild(l);h.setAttribute('data-cell',x.join(','));"
    "for(var i=0;i<R.length;i++){var v=verdict(i,x[0],x[1],x[2]),e=document.createElement("
    "'span');e.className='hv';e.setAttribute('data-run',R[i].id);e.setAttribute('data-v',cls[v]);"
    "var b=document.createElement('span');b.className='b '+cls[v];b.textContent=sym[v];"
    "e.appendChild(b);e.appendChild(document.createTextNode(date(R[i].start)));"
    "e.title=R[i].id;h.appendChild(e);}}\n"
    "function show(){var n={regression:0,fixed:0};"
    "document.querySelectorAll('section.run').forEach(function(s){"
    "s.hidden=+s.getAttribute('data-k')!==sel;});\n"
    "var sec=document.querySelector('section.run[data-k=\"'+sel+'\"]');"
    "sec.querySelectorAll('.b.reg,.b.fix').forEach(function(b){b.classList.remove('reg','fix');"
    "});\n"
    "if(base>=0&&base!==sel)sec.querySelectorAll('td .b').forEach(function(b){var x=cell(b);"
    "if(!x)return;var k=D.kinds[verdict(base,x[0],x[1],x[2])][verdict(sel,x[0],x[1],x[2])];"
    "if(k==='regression'){b.classList.add('reg');n.regression++;}"
    "else if(k==='fixed'){b.classList.add('fix');n.fixed++;}});\n"
    "$('n-reg').textContent=n.regression;$('n-fix').textContent=n.fixed;"
    "$('base-name').textContent=base>=0&&base!==sel?R[base].id:'(no baseline)';"
    "rs.value=String(sel);bs.value=String(base);\n"
    "var q='#run='+encodeURIComponent(R[sel].id)+(base>=0?'&base='+encodeURIComponent(R[base].id)"
    ":'');if(window.history&&history.replaceState&&location.hash!==q)"
    "window.history.replaceState(null,'',location.pathname+location.search+q);}\n"
    "rs.addEventListener('change',function(){sel=+rs.value;base=sel-1;show();});\n"
    "bs.addEventListener('change',function(){base=+bs.value;show();});\n"
    "document.addEventListener('mouseover',function(e){var b=e.target.closest&&"
    "e.target.closest('section.run td .b');if(b){var x=cell(b);if(x)history(x);}});\n"
    "show();if(P.cell){var x=P.cell.split(',');if(x.length===3)history(x);}\n"
    "})();\n";

/* Appends s to out as JSON fit for a <script> element: '<', '>' and '&' as \u escapes.
 * 0 or QUIRE_ERR_NOMEM. */
static int put_json(quire_buf *out, const char *s)
{
    for (; *s; s++) {
        int rc = *s == '<'   ? quire_buf_printf(out, "\\u003c")
                 : *s == '>' ? quire_buf_printf(out, "\\u003e")
                 : *s == '&' ? quire_buf_printf(out, "\\u0026")
                             : quire_buf_putc(out, *s);
        if (rc) return QUIRE_ERR_NOMEM;
    }
    return 0;
}

/* The implementations' names as a JSON array; NULL when out of memory. */
static json_t *names(const quire_result_impl *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(v[i].name))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* {"kinds": diff.h's rule as a 4 x 4 table, "runs": [{"id", "start", "servers", "clients",
 * "tests", "v": one digit (quire_verdict) per (client, server, test), client-major}]};
 * NULL when out of memory. */
static json_t *data(const quire_runs *rs)
{
    json_t *root = json_object(), *kinds = json_array(), *runs = json_array();
    int bad = !root || !kinds || !runs;
    for (int a = 0; !bad && a < 4; a++) {
        json_t *row = json_array();
        bad = !row || json_array_append_new(kinds, row);
        for (int b = 0; !bad && b < 4; b++)
            bad = json_array_append_new(row, json_string(quire_diff_kind_name(quire_diff_classify(
                                                 (quire_verdict)a, (quire_verdict)b))));
    }
    for (size_t k = 0; !bad && k < rs->n; k++) {
        const quire_result *r = &rs->v[k].result;
        json_t *run = json_object(), *tests = json_array();
        char *v = malloc(r->nservers * r->nclients * r->ntests + 1);
        bad = !run || json_array_append_new(runs, run) || !tests ||
              json_object_set_new(run, "tests", tests) || !v;
        for (size_t t = 0; !bad && t < r->ntests; t++)
            bad = json_array_append_new(tests, json_string(r->tests[t].abbr));
        size_t n = 0;
        for (size_t c = 0; !bad && c < r->nclients; c++)
            for (size_t s = 0; s < r->nservers; s++)
                for (size_t t = 0; t < r->ntests; t++) {
                    quire_result_outcome o;
                    quire_result_outcome_get(r, s, c, t, &o);
                    v[n++] = (char)('0' + (int)o.verdict);
                }
        if (v) v[n] = 0;
        bad = bad || json_object_set_new(run, "id", json_string(rs->v[k].id)) ||
              json_object_set_new(run, "start", json_real(r->start_time)) ||
              json_object_set_new(run, "servers", names(r->servers, r->nservers)) ||
              json_object_set_new(run, "clients", names(r->clients, r->nclients)) ||
              json_object_set_new(run, "v", json_string(v));
        free(v);
    }
    if (!bad) bad = json_object_set_new(root, "kinds", kinds) || (kinds = NULL) ||
                    json_object_set_new(root, "runs", runs) || (runs = NULL);
    if (bad) {
        json_decref(root);
        root = NULL;
    }
    if (kinds) json_decref(kinds);
    if (runs) json_decref(runs);
    return root;
}

int quire_htmlruns_write(const quire_runs *rs, const quire_html_options *opts, quire_buf *out)
{
    if (!rs->n) return QUIRE_ERR_INVALID;
    const char *title = opts && opts->title ? opts->title : "quire interop results";
    if (quire_html_head(title, css, out) ||
        quire_buf_printf(out,
                         "<div id=\"runs\">run <select id=\"run\"></select> baseline "
                         "<select id=\"base\"></select></div>\n<p id=\"cmp\"><b id=\"n-reg\">0"
                         "</b> regressions, <b id=\"n-fix\">0</b> fixed against "
                         "<span id=\"base-name\"></span> (outlined: orange regression, blue "
                         "fixed)</p>\n<div id=\"history\">hover a badge for its history</div>\n"))
        return QUIRE_ERR_NOMEM;
    for (size_t k = 0; k < rs->n; k++) {
        const quire_run *run = &rs->v[k];
        const char *lb = opts && opts->logs_base ? opts->logs_base : "";
        char *base = quire_fs_join_alloc(*lb ? lb : ".", run->id);
        quire_html_options o = {title, *lb ? base : base + 2};
        char sfx[32];
        snprintf(sfx, sizeof sfx, "-%zu", k);
        int rc = !base || quire_buf_printf(out, "<section class=\"run\" data-k=\"%zu\" id=\"run%s\""
                                                " data-run=\"", k, sfx) ||
                 quire_markup_escape(out, run->id, QUIRE_MARKUP_HTML) || quire_buf_printf(out, "\"><h2>") ||
                 quire_markup_escape(out, run->id, QUIRE_MARKUP_HTML) || quire_buf_printf(out, "</h2>\n") ||
                 quire_html_run_meta(&run->result, sfx, out) ||
                 quire_html_run_body(&run->result, &o, sfx, out) ||
                 quire_buf_printf(out, "</section>\n");
        free(base);
        if (rc) return QUIRE_ERR_NOMEM;
    }
    json_t *d = data(rs);
    char *s = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    int rc = !s || quire_buf_printf(out, "<script type=\"application/json\" id=\"runs-data\">") ||
             put_json(out, s) || quire_buf_printf(out, "</script>\n<p class=\"meta\">quire %s</p>\n"
                                                       "<script>%s</script>\n</body></html>\n",
                                                  QUIRE_VERSION, js);
    free(s);
    return rc ? QUIRE_ERR_NOMEM : 0;
}
