/* libFuzzer target for the pcapng Decryption Secrets Block reader (trace/export): any bytes as
 * a pcapng file; secrets found go through the key log parser. */
#include <stddef.h>
#include <stdint.h>

#include "trace/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_keylog kl;
    quire_keylog_init(&kl);
    int rv = quire_export_dsb_parse(data, size, "fuzz", &kl);
    if (rv == 0 && kl.count) __builtin_trap(); /* secrets without a TLSK block */
    quire_keylog_free(&kl);
    return 0;
}
