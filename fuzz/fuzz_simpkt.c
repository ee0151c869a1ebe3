/* Fuzz target: the simulator parses every IP packet it forwards (sim/simpkt) and, for
 * corrupt-rate and rebind, rewrites them; run the parser and the rewriting helpers on
 * arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/simpkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    quire_simpkt sp;
    if (!p) return 0;
    memcpy(p, data, size);
    if (quire_simpkt_parse(&sp, p, size) == 0) {
        quire_simpkt_fix_l4_csum(p, &sp);
        quire_simpkt_fix_ip_csum(p, &sp);
        (void)quire_simpkt_is_quic_vn(p, &sp);
        (void)quire_simpkt_dec_ttl(p, &sp);
    }
    free(p);
    return 0;
}
