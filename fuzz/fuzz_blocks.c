/* Fuzz target for experiment/blocks (plugin templates are user input): the bytes are expanded
 * as a template with a fixed set of variables. An expansion must succeed with a string no longer
 * than the limit or fail with a message; it must never read past the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/blocks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int value(void *ctx, const char *name, char **val, char *err, size_t errlen)
{
    (void)ctx, (void)err, (void)errlen;
    if (!strcmp(name, "a")) return *val = strdup("yes"), 1;
    if (!strcmp(name, "b")) return *val = strdup("false"), 1;
    if (!strcmp(name, "n")) return *val = NULL, 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1), *out = NULL, err[256];
    if (!t) return 0;
    memcpy(t, data, size);
    t[size] = 0;
    err[0] = 0;
    int rc = quire_blocks_expand(t, value, NULL, 1024, &out, err, sizeof err);
    if (rc == 0 && (!out || strlen(out) > 1024)) abort();
    if (rc != 0 && (out || !err[0])) abort();
    free(out);
    free(t);
    return 0;
}
