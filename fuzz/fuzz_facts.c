/* libFuzzer target: a whole capture (pcap/pcapng bytes, Decryption Secrets Blocks used) through
 * the test-case checks' fact gathering (checks/facts.c: paths, Retry tokens, CONNECTION_CLOSE
 * reasons, amplification walk, ...), then the trace hint and every judge that needs only the
 * two captures' facts, with the capture as both the client and the server side. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const quire_judge_fn judges[] = {
    quire_judge_handshake,
    quire_judge_transfer,
    quire_judge_longrtt,
    quire_judge_chacha20,
    quire_judge_multiplexing,
    quire_judge_retry,
    quire_judge_resumption,
    quire_judge_zerortt,
    quire_judge_keyupdate,
    quire_judge_ecn,
    quire_judge_amplificationlimit,
    quire_judge_handshakeloss,
    quire_judge_ipv6,
    quire_judge_v2,
    quire_judge_portrebinding,
    quire_judge_addressrebinding,
    quire_judge_connectionmigration,
    quire_judge_versionnegotiation,
    quire_judge_goodput,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_facts *f = calloc(1, sizeof *f);
    if (!f) return 0;
    if (quire_facts_scan_mem(f, "fuzz.pcap", data, size) == 0) {
        char why[512];
        quire_check_trace_hint(f, size, why, sizeof why);
        double value = 0;
        quire_check_data d;
        memset(&d, 0, sizeof d);
        d.client = f;
        d.server = f;
        d.keylog = 1;
        d.files = QUIRE_VERDICT_SUCCEEDED;
        d.nfiles = 1;
        d.bytes = size;
        d.value = &value;
        for (size_t i = 0; i < sizeof judges / sizeof judges[0]; i++)
            judges[i](&d, why, sizeof why);
    }
    free(f);
    return 0;
}
