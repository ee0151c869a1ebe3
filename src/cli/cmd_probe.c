/* quire probe: quire as a misbehaving QUIC client against one server; runs the cases of
 * probe/cases.h and prints (and writes as JSON) a verdict per case. The server is an address,
 * or an implementation of implementations.json, which `quire run --probe-only` then starts in
 * a test bed of its own. */
#include <arpa/inet.h>
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend/netns.h"
#include "cli/cli.h"
#include "probe/cases.h"
#include "report/result.h"
#include "sim/pcapw.h"
#include "sim/probe.h"
#include "util/err.h"

#define MAX_SELECTED 128

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quire probe --role client -s ADDR:PORT [-t CASE,...] [--json FILE]\n"
            "                   [--keylog FILE] [--pcap FILE] [--alpn ALPN] [--sni NAME]\n"
            "                   [--get PATH] [--wait MS]\n"
            "       quire probe -s IMPL [-t CASE,...] [--json FILE] [--alpn hq|h3|auto]\n"
            "                   [-l LOGDIR] [--implementations FILE] [--run-id ID]\n"
            "       quire probe --list\n"
            "\n"
            "Connects to the QUIC server at ADDR:PORT (numeric; [V6]:PORT) as a client, one\n"
            "connection per case, and breaks the rules: each case sends what RFC 9000/9001\n"
            "forbid and judges the server's reaction against what the RFC requires.\n"
            "With -s IMPL, an implementation of implementations.json: starts its server in a\n"
            "test bed of its own (as 'quire run -s IMPL --probe-only'; root), probes it there\n"
            "and prints the cases; LOGDIR (default logs_probe_<time>) keeps the run's\n"
            "result.json, both sides' captures and keys (--alpn default auto: hq-interop,\n"
            "else h3 for a server that only speaks h3).\n"
            "  -t CASES     comma-separated case names (default: all; see --list)\n"
            "  --json FILE  results as JSON, rewritten after every case\n"
            "  --keylog F   TLS secrets (SSLKEYLOGFILE format) and --pcap F the probe's own\n"
            "               datagrams, so 'quire trace F.pcap --keylog F' decodes them\n"
            "  --alpn A     ALPN offered (default hq-interop); --sni N (default server)\n"
            "  --get PATH   what the handshake case requests (default /)\n"
            "  --wait MS    how long to wait for a reaction (default 1500)\n"
            "Exit status: 0 no case failed, 1 a case failed, 2 usage or set-up error.\n");
}

static void list_cases(void)
{
    size_t n;
    const quire_pcase *t = quire_pcase_table(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-38s %-28s %-6s %s\n", t[i].name, t[i].rfc, t[i].level, t[i].requires);
}

/* Splits the -t list into cases. Returns the count, or -1 with a message. */
static int select_cases(const char *arg, const quire_pcase **sel, size_t max)
{
    size_t n;
    const quire_pcase *t = quire_pcase_table(&n);
    if (!arg || !strcmp(arg, "all")) {
        for (size_t i = 0; i < n && i < max; i++)
            sel[i] = &t[i];
        return (int)(n < max ? n : max);
    }
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", arg);
    size_t k = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && k < max;
         tok = strtok_r(NULL, ",", &save)) {
        const quire_pcase *pc = quire_pcase_find(tok);
        if (!pc) {
            fprintf(stderr, "quire probe: unknown case '%s' (see 'quire probe --list')\n", tok);
            return -1;
        }
        sel[k++] = pc;
    }
    return (int)k;
}

static json_t *result_json(const quire_pcase *pc, const quire_presult *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "name", pc->name, "rfc",
                     pc->rfc, "requires", pc->requires, "level", pc->level, "verdict",
                     quire_pverdict_name(r->verdict), "detail", r->why, "pcap_first",
                     (json_int_t)r->pcap_first, "pcap_last", (json_int_t)r->pcap_last);
}

/* 1 when this process runs in a network namespace quire made (/run/netns/quire-*). */
static int in_quire_netns(void)
{
    struct stat self, st;
    if (stat("/proc/self/ns/net", &self)) return 0;
    DIR *d = opendir(QUIRE_NETNS_DIR);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        char p[600];
        if (strncmp(e->d_name, QUIRE_NETNS_PREFIX, strlen(QUIRE_NETNS_PREFIX))) continue;
        snprintf(p, sizeof p, "%s/%s", QUIRE_NETNS_DIR, e->d_name);
        found = !stat(p, &st) && st.st_ino == self.st_ino && st.st_dev == self.st_dev;
    }
    closedir(d);
    return found;
}

/* 1 for the addresses test traffic may go to: loopback (127.0.0.0/8, ::1), and the
 * benchmarking ranges of quire's test beds (198.18.0.0/15, 2001:2::/48) from inside a
 * namespace quire made (elsewhere they would follow the default route out); 0 otherwise. */
static int test_address(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
        if ((a >> 24) == 127) return 1;
        return (a >> 17) == (0xc6120000u >> 17) && in_quire_netns(); /* 198.18/15 */
    }
    if (ss->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
        static const uint8_t bench[6] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00}; /* 2001:2::/48 */
        if (IN6_IS_ADDR_LOOPBACK(a)) return 1;
        return !memcmp(a->s6_addr, bench, sizeof bench) && in_quire_netns();
    }
    return 0;
}

/* One case's line: PASS/FAIL/N/A, name, RFC section, what happened; flushed. */
static void print_case(quire_pverdict v, const char *name, const char *rfc, const char *why)
{
    static const char *tag[] = {"PASS", "FAIL", "N/A "};
    printf("%s %-38s %-26s %s\n", tag[v], name, rfc, why);
    fflush(stdout);
}

/* The last line: counts indexed by quire_pverdict. */
static void print_counts(const size_t counts[3])
{
    printf("%zu passed, %zu failed, %zu not applicable\n", counts[QUIRE_PV_PASSED],
           counts[QUIRE_PV_FAILED], counts[QUIRE_PV_NA]);
}

/* Writes the --json document (cases so far and their counts) to path atomically, so a probe
 * stopped mid-way (a server that died, quire run's timeout) leaves the cases it finished.
 * Returns 0, or -1 when it cannot be written. */
static int write_json(const char *path, const char *server, const char *role, const char *alpn,
                      json_t *cases, const size_t counts[3])
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:O, s:{s:I, s:I, s:I}}", "server", server, "role",
                            role, "alpn", alpn, "cases", cases, "summary", "passed",
                            (json_int_t)counts[0], "failed", (json_int_t)counts[1],
                            "not_applicable", (json_int_t)counts[2]);
    int rc = !doc || json_dump_file(doc, tmp, JSON_INDENT(2)) || rename(tmp, path) ? -1 : 0;
    if (rc) remove(tmp);
    json_decref(doc);
    return rc;
}

/* 1 when s names an implementation rather than an address (which has a port: ADDR:PORT):
 * only letters, digits, '.', '_', '-'. */
static int impl_name(const char *s)
{
    return *s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
                     strlen(s);
}

/* Prints the cases of the probe's --json file at path (as the address mode does) and copies
 * it to json_out when set. Returns 0 when no case failed, 1 when one did, 2 when the file
 * cannot be read or written (said on stderr). */
static int show_probe_file(const char *path, const char *json_out)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr), *cases = json_object_get(doc, "cases");
    if (!json_is_array(cases)) {
        fprintf(stderr, "quire probe: %s: %s\n", path, doc ? "no \"cases\" array" : jerr.text);
        json_decref(doc);
        return 2;
    }
    size_t i, counts[3] = {0, 0, 0};
    json_t *c;
    json_array_foreach(cases, i, c)
    {
        const char *v = json_string_value(json_object_get(c, "verdict"));
        quire_pverdict k = QUIRE_PV_NA;
        if (v && !strcmp(v, quire_pverdict_name(QUIRE_PV_PASSED))) k = QUIRE_PV_PASSED;
        if (v && !strcmp(v, quire_pverdict_name(QUIRE_PV_FAILED))) k = QUIRE_PV_FAILED;
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *rfc = json_string_value(json_object_get(c, "rfc"));
        const char *why = json_string_value(json_object_get(c, "detail"));
        print_case(k, name ? name : "?", rfc ? rfc : "", why ? why : "");
        counts[k]++;
    }
    print_counts(counts);
    int ret = counts[QUIRE_PV_FAILED] ? 1 : 0;
    if (json_out && json_dump_file(doc, json_out, JSON_INDENT(2))) {
        fprintf(stderr, "quire probe: cannot write %s\n", json_out);
        ret = 2;
    }
    json_decref(doc);
    return ret;
}

/* -s IMPL: `quire run -s IMPL --probe-only [--run-id ID]` into logdir (NULL:
 * logs_probe_<time>), then the cases of the probe's file. Returns the exit code: quire run's when it could not run the
 * probe (2 set-up, 130/143 interrupted), else 0 no case failed, 1 one did or the probe did not
 * get through (the run's explanation is printed), 2 the file cannot be read. */
static int probe_impl(const char *impl, const char *tests, const char *alpn, const char *logdir,
                      const char *impls, const char *run_id, const char *json_out)
{
    char dflt[64], path[PATH_MAX + 64], err[512];
    if (!logdir) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(dflt, sizeof dflt, "logs_probe_%Y-%m-%dT%H:%M:%S", &tm);
        logdir = dflt;
    }
    char *rargv[16];
    int n = 0;
    rargv[n++] = "run";
    rargv[n++] = "-s";
    rargv[n++] = (char *)impl;
    rargv[n++] = "--probe-only";
    rargv[n++] = "--alpn";
    rargv[n++] = (char *)(alpn ? alpn : "auto");
    rargv[n++] = "-l";
    rargv[n++] = (char *)logdir;
    if (tests) {
        rargv[n++] = "--probe-cases";
        rargv[n++] = (char *)tests;
    }
    if (impls) {
        rargv[n++] = "--implementations";
        rargv[n++] = (char *)impls;
    }
    if (run_id) {
        rargv[n++] = "--run-id";
        rargv[n++] = (char *)run_id;
    }
    rargv[n] = NULL;
    int rc = quire_cmd_run(n, rargv);
    if (rc != 0 && rc != 1) return rc;
    quire_result r;
    quire_result_init(&r);
    snprintf(path, sizeof path, "%s/result.json", logdir);
    if (quire_result_load(path, &r, err, sizeof err)) {
        fprintf(stderr, "quire probe: %s\n", err);
        quire_result_free(&r);
        return 2;
    }
    const quire_result_probe *p = quire_result_probe_get(&r, 0);
    int ret = 2;
    if (!p || p->verdict == QUIRE_VERDICT_NONE)
        fprintf(stderr, "quire probe: %s: the probe of %s did not run\n", path, impl);
    else if (p->verdict == QUIRE_VERDICT_UNSUPPORTED)
        fprintf(stderr, "quire probe: %s does not run as a server here: %s\n", impl,
                p->explanation ? p->explanation : "unsupported");
    else {
        snprintf(path, sizeof path, "%s/%s/client/probe.json", logdir, p->log ? p->log : "");
        ret = p->log ? show_probe_file(path, json_out) : 2;
        if (p->verdict == QUIRE_VERDICT_FAILED && ret != 2) ret = 1;
        if (p->verdict == QUIRE_VERDICT_FAILED)
            fprintf(stderr, "quire probe: %s: %s\n", impl,
                    p->explanation ? p->explanation : "failed");
    }
    if (ret != 2) fprintf(stderr, "quire probe: logs, captures and keys in %s\n", logdir);
    quire_result_free(&r);
    return ret;
}

int quire_cmd_probe(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},   {"server", required_argument, NULL, 's'},
        {"tests", required_argument, NULL, 't'},  {"json", required_argument, NULL, 'j'},
        {"keylog", required_argument, NULL, 'k'}, {"pcap", required_argument, NULL, 'p'},
        {"alpn", required_argument, NULL, 'a'},   {"sni", required_argument, NULL, 'n'},
        {"get", required_argument, NULL, 'g'},    {"wait", required_argument, NULL, 'w'},
        {"list", no_argument, NULL, 'L'},         {"help", no_argument, NULL, 'h'},
        {"log-dir", required_argument, NULL, 'l'}, {"implementations", required_argument, NULL, 'i'},
        {"run-id", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    const char *role = "client", *server = NULL, *tests = NULL, *json_path = NULL;
    const char *keylog_path = NULL, *pcap_path = NULL, *logdir = NULL, *impls = NULL;
    const char *run_id = NULL;
    int addr_only = 0; /* an option of the address mode was given */
    quire_pctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.wait_ms = 1500;
    ctx.handshake_ms = 5000;
    ctx.path = "/";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:t:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role = optarg; break;
        case 's': server = optarg; break;
        case 't': tests = optarg; break;
        case 'j': json_path = optarg; break;
        case 'k': keylog_path = optarg; addr_only = 1; break;
        case 'p': pcap_path = optarg; addr_only = 1; break;
        case 'a': ctx.alpn = optarg; break;
        case 'n': ctx.sni = optarg; addr_only = 1; break;
        case 'g': ctx.path = optarg; addr_only = 1; break;
        case 'w': ctx.wait_ms = strtoull(optarg, NULL, 10); addr_only = 1; break;
        case 'l': logdir = optarg; break;
        case 'i': impls = optarg; break;
        case 'R': run_id = optarg; break;
        case 'L': list_cases(); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (strcmp(role, "client")) {
        fprintf(stderr, "quire probe: only --role client is implemented\n");
        return 2;
    }
    if (!server || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (impl_name(server)) {
        if (addr_only) {
            fprintf(stderr, "quire probe: -s %s: --keylog, --pcap, --sni, --get and --wait are "
                            "for an address (the test bed keeps its own captures and keys)\n",
                    server);
            return 2;
        }
        if (ctx.alpn && strcmp(ctx.alpn, "hq") && strcmp(ctx.alpn, "h3") &&
            strcmp(ctx.alpn, "auto")) {
            fprintf(stderr, "quire probe: -s %s: --alpn must be hq, h3 or auto\n", server);
            return 2;
        }
        return probe_impl(server, tests, ctx.alpn, logdir, impls, run_id, json_path);
    }
    if (logdir || impls || run_id) {
        fprintf(stderr, "quire probe: -l, --implementations and --run-id are for -s IMPL\n");
        return 2;
    }
    if (ctx.wait_ms < 100 || ctx.wait_ms > 60000) {
        fprintf(stderr, "quire probe: --wait must be 100..60000 ms\n");
        return 2;
    }
    if (quire_probe_parse_addr(server, &ctx.peer, &ctx.peer_len)) {
        fprintf(stderr, "quire probe: -s %s: expected ADDR:PORT or [V6ADDR]:PORT\n", server);
        return 2;
    }
    if (!test_address(&ctx.peer)) {
        fprintf(stderr,
                "quire probe: -s %s: only loopback, and from inside a quire test namespace the "
                "benchmarking ranges 198.18.0.0/15 and 2001:2::/48, are probed\n",
                server);
        return 2;
    }
    const quire_pcase *sel[MAX_SELECTED];
    int nsel = select_cases(tests, sel, MAX_SELECTED);
    if (nsel < 0) return 2;
    quire_pcapw pcap;
    memset(&pcap, 0, sizeof pcap);
    if (pcap_path) {
        if (quire_pcapw_open(&pcap, pcap_path)) {
            fprintf(stderr, "quire probe: cannot write %s\n", pcap_path);
            return 2;
        }
        ctx.pcap = &pcap;
    }
    if (keylog_path && !(ctx.keylog = fopen(keylog_path, "w"))) {
        fprintf(stderr, "quire probe: cannot write %s\n", keylog_path);
        quire_pcapw_close(&pcap);
        return 2;
    }
    json_t *arr = json_array();
    size_t counts[3] = {0, 0, 0};
    const char *alpn = ctx.alpn ? ctx.alpn : "hq-interop";
    int ret = 0;
    if (!arr || (json_path && write_json(json_path, server, role, alpn, arr, counts))) {
        fprintf(stderr, "quire probe: cannot write %s\n", json_path ? json_path : "JSON");
        ret = 2;
    }
    for (int i = 0; i < nsel && !ret; i++) {
        quire_presult r;
        quire_pcase_run(&ctx, sel[i], &r);
        counts[r.verdict]++;
        print_case(r.verdict, sel[i]->name, sel[i]->rfc, r.why);
        json_array_append_new(arr, result_json(sel[i], &r));
        if (ctx.pcap) quire_pcapw_flush(ctx.pcap);
        if (ctx.keylog) fflush(ctx.keylog);
        if (json_path && write_json(json_path, server, role, alpn, arr, counts)) {
            fprintf(stderr, "quire probe: cannot write %s\n", json_path);
            ret = 2;
        }
    }
    if (!ret) {
        print_counts(counts);
        ret = counts[QUIRE_PV_FAILED] ? 1 : 0;
    }
    json_decref(arr);
    if (ctx.keylog) fclose(ctx.keylog);
    quire_pcapw_close(&pcap);
    return ret;
}
