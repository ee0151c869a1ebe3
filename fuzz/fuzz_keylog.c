/* libFuzzer target for the NSS key log parser (trace/keylog): any text, parsed twice into one
 * key log (so replacement and growth are exercised), then formatted back and re-parsed, which
 * must give the same number of secrets. */
#include <stddef.h>
#include <stdint.h>

#include "trace/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quire_keylog kl, again;
    quire_keylog_init(&kl);
    quire_keylog_init(&again);
    quire_buf b;
    quire_buf_init(&b);
    if (quire_keylog_parse(&kl, (const char *)data, size, "fuzz") < 0) goto out;
    if (quire_keylog_parse(&kl, (const char *)data, size, "fuzz") < 0) goto out;
    if (quire_keylog_format(&kl, &b)) goto out;
    if (quire_keylog_parse(&again, (const char *)b.data, b.len, "formatted") < 0) goto out;
    if (again.count != kl.count || again.bad_lines != 0) __builtin_trap();
    for (size_t i = 0; i < kl.count; i++) {
        size_t len;
        for (int l = 0; l < QUIRE_KEYLOG_LABEL_COUNT; l++)
            if (kl.entries[i].len[l] && !quire_keylog_secret(&again, kl.entries[i].client_random,
                                                             (quire_keylog_label)l, &len))
                __builtin_trap();
    }
out:
    quire_buf_free(&b);
    quire_keylog_free(&again);
    quire_keylog_free(&kl);
    return 0;
}
