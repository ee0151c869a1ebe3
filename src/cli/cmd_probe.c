/* quire probe: quire as a misbehaving QUIC client against one server; runs the cases of
 * probe/cases.h and prints (and writes as JSON) a verdict per case. */
#include <arpa/inet.h>
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/netns.h"
#include "cli/cli.h"
#include "probe/cases.h"
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
            "       quire probe --list\n"
            "\n"
            "Connects to the QUIC server at ADDR:PORT (numeric; [V6]:PORT) as a client, one\n"
            "connection per case, and breaks the rules: each case sends what RFC 9000/9001\n"
            "forbid and judges the server's reaction against what the RFC requires.\n"
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

int quire_cmd_probe(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},   {"server", required_argument, NULL, 's'},
        {"tests", required_argument, NULL, 't'},  {"json", required_argument, NULL, 'j'},
        {"keylog", required_argument, NULL, 'k'}, {"pcap", required_argument, NULL, 'p'},
        {"alpn", required_argument, NULL, 'a'},   {"sni", required_argument, NULL, 'n'},
        {"get", required_argument, NULL, 'g'},    {"wait", required_argument, NULL, 'w'},
        {"list", no_argument, NULL, 'l'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *role = "client", *server = NULL, *tests = NULL, *json_path = NULL;
    const char *keylog_path = NULL, *pcap_path = NULL;
    quire_pctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.wait_ms = 1500;
    ctx.handshake_ms = 5000;
    ctx.path = "/";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role = optarg; break;
        case 's': server = optarg; break;
        case 't': tests = optarg; break;
        case 'j': json_path = optarg; break;
        case 'k': keylog_path = optarg; break;
        case 'p': pcap_path = optarg; break;
        case 'a': ctx.alpn = optarg; break;
        case 'n': ctx.sni = optarg; break;
        case 'g': ctx.path = optarg; break;
        case 'w': ctx.wait_ms = strtoull(optarg, NULL, 10); break;
        case 'l': list_cases(); return 0;
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
        static const char *tag[] = {"PASS", "FAIL", "N/A "};
        printf("%s %-38s %-26s %s\n", tag[r.verdict], sel[i]->name, sel[i]->rfc, r.why);
        fflush(stdout);
        json_array_append_new(arr, result_json(sel[i], &r));
        if (ctx.pcap) quire_pcapw_flush(ctx.pcap);
        if (ctx.keylog) fflush(ctx.keylog);
        if (json_path && write_json(json_path, server, role, alpn, arr, counts)) {
            fprintf(stderr, "quire probe: cannot write %s\n", json_path);
            ret = 2;
        }
    }
    if (!ret) {
        printf("%zu passed, %zu failed, %zu not applicable\n", counts[0], counts[1], counts[2]);
        ret = counts[QUIRE_PV_FAILED] ? 1 : 0;
    }
    json_decref(arr);
    if (ctx.keylog) fclose(ctx.keylog);
    quire_pcapw_close(&pcap);
    return ret;
}
