/* libFuzzer target: a whole capture (pcap/pcapng bytes, Decryption Secrets Blocks used) through
 * the spec rules (spec/spec.h) as `quire trace --check --near both` runs them, then the
 * verdict's JSON text and every violation's line. The corpus holds captures with their keys
 * embedded, one of them (aioquic-retry) with a violation. */
#include <stdint.h>
#include <stdlib.h>

#include "checks/observe.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_spec s;
    quire_spec_init(&s, "fuzz.pcap");
    quire_spec_set_near(&s, QUIRE_SPEC_BOTH);
    quire_observer o = quire_spec_observer(&s);
    quire_trace *t = calloc(1, sizeof *t);
    if (t &&
        quire_observe_run(t, NULL, data ? data : (const uint8_t *)"", size, NULL, &o, 1) == 0) {
        const quire_spec *p[1] = {&s};
        const char *names[1] = {"fuzz.pcap"};
        char json[2048], line[512];
        quire_spec_verdict_json(p, names, 1, json, sizeof json);
        for (size_t i = 0; i < s.nv; i++)
            quire_spec_violation_str(&s.v[i], line, sizeof line);
    }
    if (t) quire_trace_free(t);
    free(t);
    quire_spec_free(&s);
    return 0;
}
