/* quire report: render a result file (quire's or the QUIC Interop Runner's result.json) as
 * Markdown, a self-contained HTML page, or JUnit XML, to stdout or a file (-o). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/html.h"
#include "report/htmlruns.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/result.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: quire report markdown|html|junit RESULT.json [-o FILE] [options]\n"
               "       quire report html DIR [-o FILE] [options]\n"
               "\n"
               "Renders a result file written by quire or by the QUIC Interop Runner.\n"
               "With a directory, html renders every run in it as one page (QIR's results\n"
               "website): DIR/logs.json (QIR's list of run directories) if present, else every\n"
               "DIR/*/result.json. The page selects the newest run (?run=ID or #run=ID for\n"
               "another), shows each cell's history across runs on hover, and marks regressions\n"
               "and fixes against a baseline run (#base=ID; default: the previous run). Log\n"
               "links are relative to DIR (write the page into DIR) unless --logs-base.\n"
               "An unreadable or malformed result file, or no runs at all, is an error (exit 2).\n"
               "  -o, --output FILE     write to FILE (atomically) instead of stdout\n"
               "  --tables-only         markdown: only QIR's tables, no list of failures\n"
               "  --logs-base DIR       html: prefix of the log links instead of the result's\n"
               "                        log_dir (relative to where the HTML file is opened)\n"
               "  --title TEXT          html: page title\n"
               "  -h, --help            this help\n");
}

/* Writes out to output, or stdout when NULL. 0, or 2 after saying why. */
static int emit(const quire_buf *out, const char *output)
{
    if (output) {
        if (quire_fs_write_atomic(output, out->data, out->len, 0644)) {
            fprintf(stderr, "quire report: %s: %s\n", output, strerror(errno));
            return 2;
        }
    } else if (fwrite(out->data, 1, out->len, stdout) != out->len || fflush(stdout)) {
        fprintf(stderr, "quire report: stdout: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}

/* quire report html DIR: the multi-run page. 0, or 2 after saying why. */
static int multi(const char *dir, const quire_html_options *hopt, const char *output)
{
    quire_runs rs;
    char err[1024] = "";
    quire_runs_init(&rs);
    int rv = quire_runs_load_dir(dir, &rs, err, sizeof err);
    if (rv) {
        fprintf(stderr, "quire report: %s\n", *err ? err : quire_strerror(rv));
        quire_runs_free(&rs);
        return 2;
    }
    quire_buf out;
    quire_buf_init(&out);
    rv = quire_htmlruns_write(&rs, hopt, &out);
    int code = rv ? (fprintf(stderr, "quire report: %s\n", quire_strerror(rv)), 2)
                  : emit(&out, output);
    if (!code)
        fprintf(stderr, "quire report: %zu run%s, newest %s\n", rs.n, rs.n == 1 ? "" : "s",
                rs.v[rs.n - 1].id);
    quire_buf_free(&out);
    quire_runs_free(&rs);
    return code;
}

int quire_cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"tables-only", no_argument, NULL, 't'},
        {"logs-base", required_argument, NULL, 'l'},
        {"title", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    quire_html_options hopt = {NULL, NULL};
    int tables_only = 0, ch;
    optind = 1;
    /* GNU getopt permutes, so options may also follow the positional arguments */
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            output = optarg;
            break;
        case 't':
            tables_only = 1;
            break;
        case 'l':
            hopt.logs_base = optarg;
            break;
        case 'T':
            hopt.title = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind > 2) {
        fprintf(stderr, "quire report: unexpected argument '%s'\n", argv[optind + 2]);
        return 2;
    }
    const char *format = optind < argc ? argv[optind] : NULL;
    const char *input = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (!format || !input) {
        usage(stderr);
        return 2;
    }
    int kind = !strcmp(format, "markdown") || !strcmp(format, "md") ? 0
               : !strcmp(format, "html")                            ? 1
               : !strcmp(format, "junit")                           ? 2
                                                                    : -1;
    if (kind < 0) {
        fprintf(stderr, "quire report: unknown format '%s' (markdown, html or junit)\n", format);
        return 2;
    }
    char err[1024];
    if (quire_fs_is_dir(input)) {
        if (kind != 1) {
            fprintf(stderr, "quire report: %s is a directory: only html renders several runs\n",
                    input);
            return 2;
        }
        return multi(input, &hopt, output);
    }
    quire_result r;
    quire_result_init(&r);
    int rv = quire_result_load(input, &r, err, sizeof err);
    if (rv) {
        fprintf(stderr, "quire report: %s\n", err);
        quire_result_free(&r);
        return 2;
    }
    quire_buf out;
    quire_buf_init(&out);
    rv = kind == 0   ? (tables_only ? quire_markdown_write_tables(&r, &out)
                                    : quire_markdown_write(&r, &out))
         : kind == 1 ? quire_html_write(&r, &hopt, &out)
                     : quire_junit_write(&r, &out);
    int code = 0;
    if (rv) {
        fprintf(stderr, "quire report: %s\n", quire_strerror(rv));
        code = 2;
    } else {
        code = emit(&out, output);
    }
    quire_buf_free(&out);
    quire_result_free(&r);
    return code;
}
