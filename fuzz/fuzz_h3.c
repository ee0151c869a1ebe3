/* libFuzzer target: the start of an HTTP/3 / WebTransport stream (trace/h3.h) as a sender's
 * STREAM frame at offset 0 would carry it, on a unidirectional and on a bidirectional stream,
 * then printed; and the same bytes as an HTTP datagram. */
#include <stdint.h>
#include <string.h>

#include "trace/h3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[256];
    for (int uni = 0; uni < 2; uni++) {
        quire_h3_stream_start s;
        if (quire_h3_stream_start_decode(data, size, uni, &s) == 0) {
            if (s.nsettings > QUIRE_H3_MAX_SETTINGS) __builtin_trap();
            quire_h3_stream_start_str(&s, out, sizeof out);
            if (strlen(out) >= sizeof out) __builtin_trap();
        }
    }
    uint64_t q;
    size_t n;
    if (quire_h3_datagram_decode(data, size, &q, &n) == 0 && n > size) __builtin_trap();
    return 0;
}
