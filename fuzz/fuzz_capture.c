/* libFuzzer target: a whole capture file (pcap/pcapng bytes) through the trace pipeline —
 * capture reader, link/IP/UDP, QUIC packets (Initial keys derived from the capture itself),
 * frames, CRYPTO reassembly and TLS — with the text and JSON printers, as `quire trace` runs
 * it. */
#include <stdint.h>
#include <stdio.h>

#include "trace/output.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink) return 0;
    quire_output out;
    if (quire_output_init(&out, sink, (int)(size & 1), 1, NULL) == 0) {
        quire_trace_opts opts = {NULL, quire_output_packet, &out};
        quire_trace t;
        if (quire_trace_run_mem(&t, data, size, &opts) == 0)
            quire_output_finish(&out, &t);
        else
            quire_output_free(&out);
        quire_trace_free(&t);
    }
    fclose(sink);
    return 0;
}
