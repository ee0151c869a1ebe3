/* `quire trace`: decodes a QUIC capture (pcap/pcapng) with an optional NSS key log and prints
 * a summary, the connections and optionally every packet, as text or JSON
 * (docs/trace-json.md).
 *
 * --export-pcapng OUT writes the capture again as pcapng with the key log in a Decryption
 * Secrets Block (trace/export.h); secrets found in such blocks of CAPTURE are used as well.
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
#include "trace/export.h"
#include "trace/output.h"
#include "trace/trace.h"
#include "util/err.h"

static void usage(FILE *f)
{
    fputs("usage: quire trace CAPTURE [--keylog FILE] [--json] [--conn ID] [--frames]\n"
          "                   [--export-pcapng OUT]\n"
          "  CAPTURE        pcap or pcapng file (Ethernet, raw IP, Linux SLL/SLL2, loopback)\n"
          "  --keylog FILE  NSS key log (SSLKEYLOGFILE) to decrypt handshake, 0-RTT and 1-RTT\n"
          "  --json         JSON output (schema: docs/trace-json.md)\n"
          "  --conn ID      only connection ID: its number, or any of its connection IDs in hex\n"
          "  --frames       every QUIC packet with its frames\n"
          "  --export-pcapng OUT  also write the capture as pcapng with the key log embedded\n"
          "                 (Decryption Secrets Block): Wireshark opens it decrypted\n"
          "  secrets in the capture's own Decryption Secrets Blocks are used too\n"
          "exit: 0 all decoded, 1 some packets undecryptable or malformed, 2 bad usage or input\n",
          f);
}

int quire_cmd_trace(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"keylog", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"conn", required_argument, NULL, 'c'},
        {"frames", no_argument, NULL, 'f'},
        {"export-pcapng", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *keylog = NULL, *conn = NULL, *export_path = NULL;
    int json = 0, frames = 0, ch;
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
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "quire trace: %s\n",
                optind >= argc ? "missing CAPTURE" : "more than one CAPTURE");
        usage(stderr);
        return 2;
    }
    const char *capture = argv[optind];
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
