/* `quire trace`: decodes a QUIC capture (pcap/pcapng) with an optional NSS key log and prints
 * a summary, the connections and optionally every packet, as text or JSON
 * (docs/trace-json.md).
 *
 * --export-pcapng OUT writes the capture again as pcapng with the key log in a Decryption
 * Secrets Block (trace/export.h); secrets found in such blocks of CAPTURE are used as well.
 *
 * --check runs the spec rules (spec/spec.h, docs/spec.md) instead of printing the capture and
 * prints the violations; it exits 0 when there are none, 1 when there are. --spec-rules lists
 * the rule table.
 *
 * Exit codes: 0 the capture was decoded completely (every QUIC packet decrypted, nothing
 * malformed); 1 the capture was read but something was not: packets undecryptable (no or
 * wrong key log), malformed packets or frames, a file cut inside a record, IP fragments;
 * 2 usage error, or a capture / key log that cannot be used at all (missing, not a capture,
 * unsupported link type). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "spec/spec.h"
#include "trace/export.h"
#include "trace/output.h"
#include "trace/trace.h"
#include "util/err.h"

static void usage(FILE *f)
{
    fputs("usage: quire trace CAPTURE [--keylog FILE] [--json] [--conn ID] [--frames]\n"
          "                   [--export-pcapng OUT]\n"
          "       quire trace --check [--spec-ignore RULE]... [--near SIDE] [--json] CAPTURE\n"
          "                   [--keylog FILE]\n"
          "       quire trace --spec-rules [--json]\n"
          "  CAPTURE        pcap or pcapng file (Ethernet, raw IP, Linux SLL/SLL2, loopback)\n"
          "  --keylog FILE  NSS key log (SSLKEYLOGFILE) to decrypt handshake, 0-RTT and 1-RTT\n"
          "  --json         JSON output (schema: docs/trace-json.md)\n"
          "  --conn ID      only connection ID: its number, or any of its connection IDs in hex\n"
          "  --frames       every QUIC packet with its frames\n"
          "  --export-pcapng OUT  also write the capture as pcapng with the key log embedded\n"
          "                 (Decryption Secrets Block): Wireshark opens it decrypted\n"
          "  secrets in the capture's own Decryption Secrets Blocks are used too\n"
          "  --check        check the RFC 9000/9001/9002/9369 rules instead (docs/spec.md): print\n"
          "                 the violations (with --json as JSON); exit 1 when there are some\n"
          "  --spec-ignore RULE  with --check: switch a rule off (repeatable)\n"
          "  --near SIDE    with --check: the capture was taken next to client, server or both\n"
          "                 (enables the rules on the sender's packet order)\n"
          "  --spec-rules   list the rules (name, RFC section, side, text) and exit\n"
          "  with --check --json: per rule how often it had something to judge (\"judged\")\n"
          "exit: 0 all decoded, 1 some packets undecryptable or malformed, 2 bad usage or input;\n"
          "      with --check: 0 no violation, 1 violations, 2 bad usage or input\n",
          f);
}

static int list_rules(int json)
{
    size_t n;
    const quire_spec_rule *r = quire_spec_rules(&n);
    if (!json) {
        for (size_t i = 0; i < n; i++)
            printf("%-28s %-26s %-6s %s\n", r[i].name, r[i].rfc, quire_spec_side_name(r[i].side),
                   r[i].text);
        return 0;
    }
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "name", r[i].name, "rfc",
                                           r[i].rfc, "side", quire_spec_side_name(r[i].side),
                                           "text", r[i].text));
    int rc = a && !json_dumpf(a, stdout, JSON_INDENT(2)) ? 0 : 2;
    putchar('\n');
    json_decref(a);
    return rc;
}

typedef struct check_opts {
    const char *capture, *keylog;
    const char **ignore;
    size_t nignore;
    int near, json;
} check_opts;

static int print_check(const check_opts *o, const quire_spec *s)
{
    size_t nrules;
    quire_spec_rules(&nrules);
    if (o->json) {
        json_t *root =
            json_pack("{s:s, s:b, s:I, s:I}", "capture", o->capture, "clean", s->count == 0,
                      "count", (json_int_t)s->count, "rules", (json_int_t)nrules);
        json_t *ign = json_array(), *v = json_array();
        for (size_t i = 0; ign && i < o->nignore; i++)
            json_array_append_new(ign, json_string(o->ignore[i]));
        json_t *judged = json_object();
        const quire_spec_rule *r = quire_spec_rules(&nrules);
        for (size_t i = 0; judged && i < nrules; i++)
            json_object_set_new(judged, r[i].name, json_integer((json_int_t)s->checked[i]));
        int bad = !root || !ign || !v || !judged || json_object_set_new(root, "ignored", ign) ||
                  json_object_set_new(root, "judged", judged) ||
                  quire_spec_json_violations(s, NULL, v) ||
                  json_object_set_new(root, "violations", v);
        if (!bad) bad = json_dumpf(root, stdout, JSON_INDENT(2)) != 0;
        putchar('\n');
        json_decref(root);
        return bad ? 2 : s->count ? 1 : 0;
    }
    char line[512];
    size_t judged = quire_spec_rules_judged(s);
    if (!s->count)
        printf("%s: clean (%zu rules, %zu off, %zu had something to judge)\n", o->capture, nrules,
               o->nignore, judged);
    else
        printf("%s: %llu violation%s (%zu rules, %zu off, %zu had something to judge)\n",
               o->capture, (unsigned long long)s->count, s->count == 1 ? "" : "s", nrules,
               o->nignore, judged);
    for (size_t i = 0; i < s->nv; i++)
        printf("  %s\n", quire_spec_violation_str(&s->v[i], line, sizeof line));
    if (s->count > s->nv)
        printf("  ... %llu more (a few per rule, connection and endpoint are listed)\n",
               (unsigned long long)(s->count - s->nv));
    return s->count ? 1 : 0;
}

/* --check: one walk with the spec observer. */
static int run_check(const check_opts *o)
{
    quire_spec s;
    quire_spec_init(&s, o->capture);
    quire_spec_set_near(&s, o->near);
    for (size_t i = 0; i < o->nignore; i++)
        if (quire_spec_ignore(&s, o->ignore[i])) {
            fprintf(stderr, "quire trace: --spec-ignore %s: no such rule (see --spec-rules)\n",
                    o->ignore[i]);
            return 2;
        }
    quire_trace t;
    int rv = quire_spec_check_file(&s, &t, o->capture, o->keylog);
    if (rv) {
        fprintf(stderr, "quire trace: %s\n",
                t.capture_error[0] ? t.capture_error : quire_strerror(rv));
        quire_trace_free(&t);
        quire_spec_free(&s);
        return 2;
    }
    if (!quire_trace_clean(&t))
        fprintf(stderr,
                "quire trace: %s: %llu undecryptable and %llu malformed packets: rules that need "
                "them are waived there%s\n",
                o->capture, (unsigned long long)t.summary.undecryptable,
                (unsigned long long)t.summary.malformed, t.have_keylog ? "" : " (no --keylog)");
    if (s.nomem) fprintf(stderr, "quire trace: out of memory: some rules were skipped\n");
    rv = print_check(o, &s);
    quire_trace_free(&t);
    quire_spec_free(&s);
    return rv;
}

int quire_cmd_trace(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"keylog", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"conn", required_argument, NULL, 'c'},
        {"frames", no_argument, NULL, 'f'},
        {"export-pcapng", required_argument, NULL, 'x'},
        {"check", no_argument, NULL, 'C'},
        {"spec-ignore", required_argument, NULL, 'I'},
        {"spec-rules", no_argument, NULL, 'R'},
        {"near", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *keylog = NULL, *conn = NULL, *export_path = NULL;
    int json = 0, frames = 0, check = 0, rules = 0, near = 0, ch;
    const char *ignore[64];
    size_t nignore = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "k:jc:fh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'k':
            keylog = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'c':
            conn = optarg;
            break;
        case 'f':
            frames = 1;
            break;
        case 'x':
            export_path = optarg;
            break;
        case 'C':
            check = 1;
            break;
        case 'R':
            rules = 1;
            break;
        case 'I':
            if (nignore == sizeof ignore / sizeof ignore[0]) {
                fprintf(stderr, "quire trace: too many --spec-ignore\n");
                return 2;
            }
            ignore[nignore++] = optarg;
            break;
        case 'N':
            near = !strcmp(optarg, "client")   ? QUIRE_SPEC_CLIENT
                   : !strcmp(optarg, "server") ? QUIRE_SPEC_SERVER
                   : !strcmp(optarg, "both")   ? QUIRE_SPEC_BOTH
                                               : -1;
            if (near < 0) {
                fprintf(stderr, "quire trace: --near %s: expected client, server or both\n",
                        optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (rules) return list_rules(json);
    if (optind != argc - 1) {
        fprintf(stderr, "quire trace: %s\n",
                optind >= argc ? "missing CAPTURE" : "more than one CAPTURE");
        usage(stderr);
        return 2;
    }
    const char *capture = argv[optind];
    if (check && (frames || conn || export_path)) {
        fprintf(stderr, "quire trace: --check prints the violations only: no --frames, --conn or "
                        "--export-pcapng with it\n");
        return 2;
    }
    if (!check && (nignore || near)) {
        fprintf(stderr, "quire trace: --spec-ignore and --near go with --check\n");
        return 2;
    }
    if (check) {
        check_opts co = {capture, keylog, ignore, nignore, near, json};
        return run_check(&co);
    }
    quire_output out;
    int rv = quire_output_init(&out, stdout, json, frames, conn);
    if (rv == QUIRE_ERR_INVALID) {
        fprintf(stderr,
                "quire trace: --conn %s: expected a connection number or a hex connection ID "
                "(up to 20 bytes)\n",
                conn);
        return 2;
    }
    if (rv) {
        fprintf(stderr, "quire trace: cannot create a temporary file: %s\n", quire_strerror(rv));
        return 2;
    }
    quire_trace_opts opts = {keylog, quire_output_packet, &out};
    quire_trace t;
    rv = quire_trace_run(&t, capture, &opts);
    if (rv) {
        fprintf(stderr, "quire trace: %s\n",
                t.capture_error[0] ? t.capture_error : quire_strerror(rv));
        quire_output_free(&out);
        quire_trace_free(&t);
        return 2;
    }
    rv = quire_output_finish(&out, &t);
    if (export_path) {
        char err[512] = "";
        long n = quire_export_pcapng(capture, export_path, &t.keylog, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "quire trace: --export-pcapng: %s\n",
                    err[0] ? err : quire_strerror((int)n));
            quire_trace_free(&t);
            return 2;
        }
    }
    if (t.capture_status) fprintf(stderr, "quire trace: %s\n", t.capture_error);
    int clean = quire_trace_clean(&t);
    if (!clean && !t.capture_status)
        fprintf(stderr,
                "quire trace: %s: %llu problems, %llu undecryptable and %llu malformed packets%s\n",
                capture, (unsigned long long)t.problem_count,
                (unsigned long long)t.summary.undecryptable,
                (unsigned long long)t.summary.malformed,
                t.have_keylog ? "" : " (no --keylog given)");
    quire_trace_free(&t);
    if (rv) {
        fprintf(stderr, "quire trace: writing the output failed\n");
        return 2;
    }
    return clean ? 0 : 1;
}
