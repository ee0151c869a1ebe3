/* libFuzzer target: a decrypted QUIC packet payload through the frame decoders (RFC 9000
 * Section 19), then every ACK range iterated. */
#include <stdint.h>

#include "trace/frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_cursor c;
    quire_frame f;
    quire_cursor_init(&c, data, size);
    while (quire_cursor_left(&c)) {
        if (quire_frame_decode(&c, &f) < 0) break;
        (void)quire_frame_name(f.kind);
        if (f.kind == QUIRE_FRAME_ACK) {
            quire_cursor it;
            uint64_t i = 0, lo, hi;
            while (quire_frame_ack_range(&f, &it, &i, &lo, &hi) == 1)
                if (lo > hi) __builtin_trap();
        }
    }
    return 0;
}
