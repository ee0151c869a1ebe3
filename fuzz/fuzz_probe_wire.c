/* libFuzzer target: quire probe's frame builders (probe/wire.c) against trace's decoder
 * (trace/frames.c). The input is a program: each step takes an opcode and up to three
 * 8-byte values (reduced below 2^62), builds one valid frame, decodes it again and traps when
 * the decoder disagrees with the builder (kind, the values, the bytes used). */
#include <stdint.h>
#include <string.h>

#include "probe/wire.h"
#include "trace/frames.h"
#include "util/cursor.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t take(const uint8_t **p, size_t *n)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && *n; i++, (*p)++, (*n)--)
        v = (v << 8) | **p;
    return v & ((1ull << 62) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t bytes[64] = "quire probe frame builder fuzz data, sixty-four bytes long!!";
    for (int step = 0; step < 64 && size; step++) {
        uint8_t op = *data++;
        size--;
        uint64_t a = take(&data, &size), b = take(&data, &size), c = take(&data, &size);
        uint8_t buf[256];
        quire_wire w;
        quire_wire_init(&w, buf, sizeof buf);
        quire_frame_kind want;
        uint64_t want_a = a, got_a = 0;
        switch (op % 10) {
        case 0: quire_wire_stream(&w, a, b >> 2, bytes, (size_t)(c % 64), (int)(c & 1));
            want = QUIRE_FRAME_STREAM; break;
        case 1: quire_wire_crypto(&w, a, bytes, (size_t)(b % 64)); want = QUIRE_FRAME_CRYPTO; break;
        case 2: quire_wire_max_data(&w, a); want = QUIRE_FRAME_MAX_DATA; break;
        case 3: quire_wire_max_stream_data(&w, a, b); want = QUIRE_FRAME_MAX_STREAM_DATA; break;
        case 4: quire_wire_reset_stream(&w, a, b, c); want = QUIRE_FRAME_RESET_STREAM; break;
        case 5: quire_wire_connection_close(&w, (int)(b & 1), a, c, "why");
            want = QUIRE_FRAME_CONNECTION_CLOSE; break;
        case 6: quire_wire_new_connection_id(&w, a, a ? b % (a + 1) : 0, bytes, 1 + (size_t)(c % 20), bytes);
            want = QUIRE_FRAME_NEW_CONNECTION_ID; break;
        case 7: quire_wire_retire_connection_id(&w, a); want = QUIRE_FRAME_RETIRE_CONNECTION_ID; break;
        case 8: quire_wire_datagram(&w, bytes, (size_t)(a % 64)); want = QUIRE_FRAME_DATAGRAM;
            want_a = 0; break;
        default: {
            /* an ACK with up to 4 ranges below a */
            uint64_t r[4][2];
            size_t n = 0;
            uint64_t hi = a;
            for (; n < 4; n++) {
                uint64_t len = (b >> (8 * n)) & 0x0f, gap = (c >> (8 * n)) & 0x0f;
                if (hi < len) break;
                r[n][0] = hi;
                r[n][1] = hi - len;
                if (r[n][1] < gap + 2) { n++; break; }
                hi = r[n][1] - gap - 2;
            }
            quire_wire_ack(&w, (const uint64_t(*)[2])r, n, 0);
            want = QUIRE_FRAME_ACK;
        } break;
        }
        if (w.err) continue; /* e.g. a stream offset + length over 2^62 */
        quire_cursor cur;
        quire_cursor_init(&cur, buf, w.len);
        quire_frame f;
        int rv = quire_frame_decode(&cur, &f);
        /* the builders also write what the probe's cases need to be invalid: a STREAM or
         * CRYPTO frame ending beyond 2^62 - 1 (RFC 9000 19.6, 19.8) */
        if (rv == QUIRE_ERR_MALFORMED && (want == QUIRE_FRAME_STREAM || want == QUIRE_FRAME_CRYPTO))
            continue;
        if (rv != 0 || f.kind != want || quire_cursor_left(&cur)) __builtin_trap();
        switch (want) {
        case QUIRE_FRAME_STREAM: got_a = f.u.stream.stream_id; break;
        case QUIRE_FRAME_CRYPTO: got_a = f.u.crypto.offset; break;
        case QUIRE_FRAME_MAX_DATA: got_a = f.u.max_data.max; break;
        case QUIRE_FRAME_MAX_STREAM_DATA: got_a = f.u.max_stream_data.stream_id; break;
        case QUIRE_FRAME_RESET_STREAM: got_a = f.u.reset_stream.stream_id; break;
        case QUIRE_FRAME_CONNECTION_CLOSE: got_a = f.u.connection_close.error; break;
        case QUIRE_FRAME_NEW_CONNECTION_ID: got_a = f.u.new_connection_id.seq; break;
        case QUIRE_FRAME_RETIRE_CONNECTION_ID: got_a = f.u.retire_connection_id.seq; break;
        case QUIRE_FRAME_ACK: got_a = f.u.ack.largest; break;
        default: got_a = 0; break;
        }
        if (got_a != want_a) __builtin_trap();
    }
    return 0;
}
