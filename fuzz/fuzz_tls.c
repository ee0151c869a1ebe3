/* libFuzzer target: CRYPTO stream bytes through reassembly and the TLS 1.3 handshake message
 * parser. The first byte picks the direction and a chunk size; the data is delivered in
 * chunks, every other chunk first, so out-of-order reassembly is exercised; the same bytes
 * are also parsed as a transport parameters block. */
#include <stdint.h>
#include <string.h>

#include "trace/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int from_client = data[0] & 1;
    size_t chunk = (size_t)(data[0] >> 1) + 1;
    data++;
    size--;
    quire_tls_info info;
    quire_tls_stream s;
    memset(&info, 0, sizeof info);
    quire_tls_stream_init(&s, from_client);
    for (int pass = 0; pass < 2; pass++)
        for (size_t off = 0, k = 0; off < size; off += chunk, k++) {
            if ((int)(k % 2) == pass) continue;
            size_t n = size - off < chunk ? size - off : chunk;
            quire_tls_stream_add(&s, off, data + off, n, &info);
        }
    quire_tls_stream_free(&s);
    quire_tp_set tp;
    memset(&tp, 0, sizeof tp);
    quire_tls_parse_tp(data, size, &tp);
    return 0;
}
